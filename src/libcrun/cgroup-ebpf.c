/* berth — the cgroup v2 device filter: a BPF_PROG_TYPE_CGROUP_DEVICE program
 * built by hand from the device rules, loaded with bpf(2) and attached to
 * the cgroup with BPF_F_ALLOW_MULTI.  No libbpf.
 *
 * The program sees struct bpf_cgroup_dev_ctx { u32 access_type; u32 major;
 * u32 minor; } in r1, with the device type (BPF_DEVCG_DEV_*) in the low 16
 * bits of access_type and the access (BPF_DEVCG_ACC_*) in the high 16.
 *
 *   r2 = type, r3 = access, r4 = major, r5 = minor
 *   for each rule, last first (the last matching rule wins, as in v1):
 *     if type/access/major/minor match: r0 = allow; exit
 *   r0 = 0; exit                      (deny what no rule allows)
 *
 * An allow rule matches when the access asked for is within the rule's; a
 * deny rule when they share any bit.  A rule matching everything ends the
 * program (what would follow is unreachable, which the verifier refuses). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "utils.h"

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define LDX_W(dst, src, off) INSN (BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define ALU32_IMM(op, dst, imm) INSN (BPF_ALU | (op) | BPF_K, dst, 0, 0, imm)
#define MOV32_REG(dst, src) INSN (BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV64_IMM(dst, imm) INSN (BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define JMP_IMM(op, dst, imm, off) INSN (BPF_JMP | (op) | BPF_K, dst, 0, off, imm)
#define JMP_REG(op, dst, src, off) INSN (BPF_JMP | (op) | BPF_X, dst, src, off, 0)
#define EXIT() INSN (BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static int
access_bits (const char *a)
{
  int bits = 0;
  for (; *a; a++)
    bits |= *a == 'r' ? BPF_DEVCG_ACC_READ : *a == 'w' ? BPF_DEVCG_ACC_WRITE : *a == 'm' ? BPF_DEVCG_ACC_MKNOD : 0;
  return bits;
}

struct bpf_insn *
lcr_ebpf_device_program (const struct lcr_dev_rule *rules, size_t n_rules, size_t *n)
{
  /* at most 9 instructions a rule, 6 of prologue, 2 of epilogue */
  struct bpf_insn *p = xmalloc0 ((8 + 9 * n_rules) * sizeof *p);
  size_t k = 0;
  p[k++] = LDX_W (BPF_REG_2, BPF_REG_1, 0);
  p[k++] = ALU32_IMM (BPF_AND, BPF_REG_2, 0xffff);
  p[k++] = LDX_W (BPF_REG_3, BPF_REG_1, 0);
  p[k++] = ALU32_IMM (BPF_RSH, BPF_REG_3, 16);
  p[k++] = LDX_W (BPF_REG_4, BPF_REG_1, 4);
  p[k++] = LDX_W (BPF_REG_5, BPF_REG_1, 8);
  bool ended = false;
  for (size_t i = n_rules; i-- > 0 && !ended;)
    {
      const struct lcr_dev_rule *r = &rules[i];
      int acc = access_bits (r->access), full = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD;
      bool has_type = r->type != 'a';
      /* type "a" stands for every device, whatever major:minor says */
      bool has_major = has_type && r->major >= 0, has_minor = has_type && r->minor >= 0, has_acc = acc != full;
      if (acc == 0)
        continue;
      int len = (has_type ? 1 : 0) + (has_acc ? 3 : 0) + (has_major ? 1 : 0) + (has_minor ? 1 : 0) + 2;
      int at = 0; /* instructions of this rule emitted so far */
#define SKIP (len - at - 1)
      if (has_type)
        {
          p[k++] = JMP_IMM (BPF_JNE, BPF_REG_2, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, SKIP);
          at++;
        }
      if (has_acc)
        {
          p[k++] = MOV32_REG (BPF_REG_1, BPF_REG_3);
          at++;
          p[k++] = ALU32_IMM (BPF_AND, BPF_REG_1, acc);
          at++;
          if (r->allow)
            p[k++] = JMP_REG (BPF_JNE, BPF_REG_1, BPF_REG_3, SKIP);
          else
            p[k++] = JMP_IMM (BPF_JEQ, BPF_REG_1, 0, SKIP);
          at++;
        }
      if (has_major)
        {
          p[k++] = JMP_IMM (BPF_JNE, BPF_REG_4, (int32_t)r->major, SKIP);
          at++;
        }
      if (has_minor)
        {
          p[k++] = JMP_IMM (BPF_JNE, BPF_REG_5, (int32_t)r->minor, SKIP);
          at++;
        }
#undef SKIP
      p[k++] = MOV64_IMM (BPF_REG_0, r->allow ? 1 : 0);
      p[k++] = EXIT ();
      ended = !has_type && !has_acc;
    }
  if (!ended)
    {
      p[k++] = MOV64_IMM (BPF_REG_0, 0);
      p[k++] = EXIT ();
    }
  *n = k;
  return p;
}

static int
sys_bpf (int cmd, union bpf_attr *attr)
{
  return (int)syscall (__NR_bpf, cmd, attr, sizeof *attr);
}

static int
load (const struct bpf_insn *insns, size_t n, lcr_error_t *err)
{
  static char log[16384];
  union bpf_attr attr;
  memset (&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uint64_t)(uintptr_t)insns;
  attr.insn_cnt = (uint32_t)n;
  attr.license = (uint64_t)(uintptr_t) "Apache";
  int fd = sys_bpf (BPF_PROG_LOAD, &attr);
  if (fd >= 0)
    return fd;
  if (errno != EINVAL && errno != EACCES)
    return lcr_error_sys (err, "%s.devices: load the eBPF device filter", LCR_RES);
  /* again, to tell what the verifier did not like */
  log[0] = '\0';
  attr.log_level = 1;
  attr.log_buf = (uint64_t)(uintptr_t)log;
  attr.log_size = sizeof log;
  fd = sys_bpf (BPF_PROG_LOAD, &attr);
  if (fd >= 0)
    return fd;
  size_t l = strlen (log);
  while (l && log[l - 1] == '\n')
    log[--l] = '\0';
  const char *last = strrchr (log, '\n');
  return lcr_error_sys (err, "%s.devices: load the eBPF device filter (verifier: %s)", LCR_RES, last ? last + 1 : log);
}

int
lcr_ebpf_apply_devices (const char *dir, const struct lcr_dev_rule *rules, size_t n_rules, lcr_error_t *err)
{
  size_t n;
  cleanup_free struct bpf_insn *insns = lcr_ebpf_device_program (rules, n_rules, &n);
  cleanup_close int cgfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cgfd < 0)
    return lcr_error_sys (err, "%s.devices: open `%s`", LCR_RES, dir);
  /* the programs attached before (an update replaces them) */
  uint32_t ids[64];
  union bpf_attr q;
  memset (&q, 0, sizeof q);
  q.query.target_fd = (uint32_t)cgfd;
  q.query.attach_type = BPF_CGROUP_DEVICE;
  q.query.prog_ids = (uint64_t)(uintptr_t)ids;
  q.query.prog_cnt = sizeof ids / sizeof ids[0];
  uint32_t n_old = sys_bpf (BPF_PROG_QUERY, &q) == 0 ? q.query.prog_cnt : 0;

  cleanup_close int prog = load (insns, n, err);
  if (prog < 0)
    return -1;
  union bpf_attr a;
  memset (&a, 0, sizeof a);
  a.target_fd = (uint32_t)cgfd;
  a.attach_bpf_fd = (uint32_t)prog;
  a.attach_type = BPF_CGROUP_DEVICE;
  a.attach_flags = BPF_F_ALLOW_MULTI;
  if (sys_bpf (BPF_PROG_ATTACH, &a) < 0)
    return lcr_error_sys (err, "%s.devices: attach the eBPF device filter to `%s`", LCR_RES, dir);
  for (uint32_t i = 0; i < n_old && i < sizeof ids / sizeof ids[0]; i++)
    {
      union bpf_attr g;
      memset (&g, 0, sizeof g);
      g.prog_id = ids[i];
      cleanup_close int old = sys_bpf (BPF_PROG_GET_FD_BY_ID, &g);
      if (old < 0)
        continue;
      union bpf_attr d;
      memset (&d, 0, sizeof d);
      d.target_fd = (uint32_t)cgfd;
      d.attach_bpf_fd = (uint32_t)old;
      d.attach_type = BPF_CGROUP_DEVICE;
      sys_bpf (BPF_PROG_DETACH, &d);
    }
  return 0;
}
