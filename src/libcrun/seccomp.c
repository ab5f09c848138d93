/* berth — seccomp: compile .linux.seccomp with libseccomp in the runtime,
 * load the raw BPF in the container.
 *
 * The runtime compiles before clone: libseccomp allocates, probes the kernel
 * and generates code, none of which belongs in the container's init (which
 * may already be inside a restrictive namespace, and must be quick).  The
 * child gets a copy of the ready `struct sock_fprog` and makes one seccomp(2)
 * call.
 *
 * What the compiler does with a profile, and why (runc's behaviour unless
 * said otherwise, so a profile means the same under both runtimes):
 *   - a syscall name libseccomp does not know is skipped, not an error (the
 *     profile may be newer than libseccomp); a name that exists only on
 *     another architecture is added for the architectures that have it;
 *   - a rule whose action (errno included) equals the default action is
 *     skipped: libseccomp refuses it, and it changes nothing;
 *   - args: when no index appears twice, all conditions go in one rule (AND);
 *     when some index appears more than once, every condition becomes a rule
 *     of its own (OR) — runc's and crun's "old behaviour", which profiles such
 *     as "block socket(AF_INET) or socket(AF_INET6)" rely on;
 *   - SCMP_CMP_MASKED_EQ: `value` is the mask, `valueTwo` the expected result;
 *   - errnoRet: the errno for SCMP_ACT_ERRNO and SCMP_ACT_TRACE (EPERM when
 *     absent); with any other action it is an error, as in runc;
 *   - SCMP_ACT_NOTIFY needs listenerPath, cannot be the default action, and
 *     cannot apply to write(2) (runc's rules: the init writes to the runtime
 *     after loading the filter and before anyone listens);
 *   - flags are recorded and given to seccomp(2) at load time.
 *     SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV only means something with a
 *     listener (the kernel refuses it without one), so it is dropped when no
 *     rule notifies.
 *   - a syscall newer than the profile (its number above the largest the
 *     profile names) fails with ENOSYS instead of the default action, as
 *     under runc: a stub in front of the filter (seccomp-enosys.c).
 *
 * Speed: this is on the start path and libseccomp 2.5 is slow with several
 * architectures: docker's default profile (~350 names) takes ~1.5 ms for the
 * native arch alone but ~25 ms for x86_64 + x86 + x32, in both rule insertion
 * and export (the unit test prints the figure).  Two ways out, not done yet:
 *   - a cache of the exported BPF (+ flags, notify) keyed by a hash of the
 *     seccomp object, the libseccomp version and the native arch, under the
 *     state root: most containers on a host share two or three profiles, so
 *     the compile disappears (crun does this);
 *   - one libseccomp context per architecture (each ~1-7 ms), loaded as
 *     stacked filters whose bad-arch action is ALLOW plus a last one that
 *     kills unknown arches: the kernel takes the most restrictive verdict, so
 *     the meaning is the same — but NOTIFY would then need one listener per
 *     filter.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "linux.h"
#include "seccomp-internal.h"
#include "utils.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif

/* The kernel's limit on one filter (BPF_MAXINSNS). */
#define LCR_SECCOMP_MAX_INSNS 4096

struct lcr_seccomp_prog
{
  struct sock_fprog fprog; /* .filter points at insns */
  unsigned int flags;      /* SECCOMP_FILTER_FLAG_* from .flags */
  bool notify;             /* some rule is SCMP_ACT_NOTIFY: load asks for a listener */
  struct sock_filter insns[];
};

static const struct
{
  const char *name;
  unsigned int flag;
} seccomp_flags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};

/* Every architecture the runtime spec names.  libseccomp spells them in lower
   case without the prefix; those it does not know (older libseccomp) resolve
   to 0 and get their own message. */
static const char *const spec_archs[] = {
    "SCMP_ARCH_X86",         "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",       "SCMP_ARCH_ARM",     "SCMP_ARCH_AARCH64",
    "SCMP_ARCH_MIPS",        "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64",
    "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",    "SCMP_ARCH_PPC64",     "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390",
    "SCMP_ARCH_S390X",       "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64",  "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64",
    "SCMP_ARCH_M68K",        "SCMP_ARCH_SH",     "SCMP_ARCH_SHEB",
};

static const struct
{
  const char *name;
  enum scmp_compare op;
} seccomp_ops[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

static void
cleanup_scmp_fn (scmp_filter_ctx *ctx)
{
  if (*ctx)
    seccomp_release (*ctx);
}
#define cleanup_scmp __attribute__ ((cleanup (cleanup_scmp_fn)))

/* `path` is the JSON path of the action ("….defaultAction"); the errno one is
   path's sibling `errno_key`. */
static int
resolve_action (const char *name, bool has_errno, uint32_t errno_ret, const char *path, const char *errno_path,
                uint32_t *out, lcr_error_t *err)
{
  if (name == NULL)
    return lcr_error_invalid (err, "%s: required", path);
  bool is_errno = strcmp (name, "SCMP_ACT_ERRNO") == 0, is_trace = strcmp (name, "SCMP_ACT_TRACE") == 0;
  if (is_errno || is_trace)
    {
      if (has_errno && errno_ret > 0xffff)
        return lcr_error_invalid (err, "%s: must be at most 65535, got %u", errno_path, errno_ret);
      uint32_t e = has_errno ? errno_ret : EPERM;
      *out = is_errno ? SCMP_ACT_ERRNO (e) : SCMP_ACT_TRACE (e);
    }
  else if (strcmp (name, "SCMP_ACT_KILL") == 0)
    *out = SCMP_ACT_KILL;
  else if (strcmp (name, "SCMP_ACT_KILL_PROCESS") == 0)
    *out = SCMP_ACT_KILL_PROCESS;
  else if (strcmp (name, "SCMP_ACT_KILL_THREAD") == 0)
    *out = SCMP_ACT_KILL_THREAD;
  else if (strcmp (name, "SCMP_ACT_TRAP") == 0)
    *out = SCMP_ACT_TRAP;
  else if (strcmp (name, "SCMP_ACT_ALLOW") == 0)
    *out = SCMP_ACT_ALLOW;
  else if (strcmp (name, "SCMP_ACT_LOG") == 0)
    *out = SCMP_ACT_LOG;
  else if (strcmp (name, "SCMP_ACT_NOTIFY") == 0)
    *out = SCMP_ACT_NOTIFY;
  else
    return lcr_error_invalid (err, "%s: unknown seccomp action \"%s\"", path, name);
  if (has_errno && !is_errno && !is_trace)
    return lcr_error_invalid (err, "%s: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s", errno_path, name);
  return 0;
}

/* tokens[] gets each architecture's libseccomp token (room for
   architectures_len). */
static int
add_archs (scmp_filter_ctx ctx, struct lcr_spec_seccomp *sc, uint32_t *tokens, lcr_error_t *err)
{
  for (size_t i = 0; i < sc->architectures_len; i++)
    {
      const char *name = sc->architectures[i];
      bool known = false;
      for (size_t k = 0; k < sizeof spec_archs / sizeof spec_archs[0] && !known; k++)
        known = strcmp (name, spec_archs[k]) == 0;
      if (!known)
        return lcr_error_invalid (err, ".linux.seccomp.architectures[%zu]: unknown architecture \"%s\"", i, name);
      char lower[32];
      size_t n = 0;
      for (const char *p = name + strlen ("SCMP_ARCH_"); *p && n < sizeof lower - 1; p++)
        lower[n++] = (char)tolower ((unsigned char)*p);
      lower[n] = '\0';
      uint32_t token = seccomp_arch_resolve_name (lower);
      if (token == 0)
        return lcr_error_invalid (err, ".linux.seccomp.architectures[%zu]: \"%s\" is not supported by this libseccomp",
                                  i, name);
      tokens[i] = token;
      int r = seccomp_arch_add (ctx, token);
      if (r < 0 && r != -EEXIST)
        return lcr_error_make (err, -r, LCR_ERR_SYSTEM, ".linux.seccomp.architectures[%zu]: add \"%s\"", i, name);
    }
  return 0;
}

static int
parse_flags (struct lcr_spec_seccomp *sc, unsigned int *out, lcr_error_t *err)
{
  *out = 0;
  for (size_t i = 0; i < sc->flags_len; i++)
    {
      size_t k;
      for (k = 0; k < sizeof seccomp_flags / sizeof seccomp_flags[0]; k++)
        if (strcmp (sc->flags[i], seccomp_flags[k].name) == 0)
          break;
      if (k == sizeof seccomp_flags / sizeof seccomp_flags[0])
        return lcr_error_invalid (err, ".linux.seccomp.flags[%zu]: unknown seccomp flag \"%s\"", i, sc->flags[i]);
      *out |= seccomp_flags[k].flag;
    }
  return 0;
}

/* Fill cmp[] from the rule's args; *or_rules when some index repeats. */
static int
make_conditions (struct lcr_spec_seccomp_syscall *s, size_t i, struct scmp_arg_cmp *cmp, bool *or_rules,
                 lcr_error_t *err)
{
  unsigned int count[6] = {0};
  *or_rules = false;
  for (size_t j = 0; j < s->args_len; j++)
    {
      struct lcr_spec_seccomp_arg *a = &s->args[j];
      if (a->index > 5)
        return lcr_error_invalid (err, ".linux.seccomp.syscalls[%zu].args[%zu].index: must be between 0 and 5, got %u",
                                  i, j, a->index);
      size_t k;
      for (k = 0; k < sizeof seccomp_ops / sizeof seccomp_ops[0]; k++)
        if (a->op && strcmp (a->op, seccomp_ops[k].name) == 0)
          break;
      if (k == sizeof seccomp_ops / sizeof seccomp_ops[0])
        return lcr_error_invalid (err, ".linux.seccomp.syscalls[%zu].args[%zu].op: unknown seccomp operator \"%s\"", i,
                                  j, a->op ? a->op : "");
      if (++count[a->index] > 1)
        *or_rules = true;
      cmp[j] = (struct scmp_arg_cmp){
          .arg = a->index, .op = seccomp_ops[k].op, .datum_a = a->value, .datum_b = a->value_two};
    }
  return 0;
}

static int
add_syscall_rules (scmp_filter_ctx ctx, struct lcr_spec_seccomp *sc, uint32_t def_action, bool *notify,
                   lcr_error_t *err)
{
  for (size_t i = 0; i < sc->syscalls_len; i++)
    {
      struct lcr_spec_seccomp_syscall *s = &sc->syscalls[i];
      char path[96], errno_path[96];
      snprintf (path, sizeof path, ".linux.seccomp.syscalls[%zu].action", i);
      snprintf (errno_path, sizeof errno_path, ".linux.seccomp.syscalls[%zu].errnoRet", i);
      uint32_t action;
      if (resolve_action (s->action, s->has_errno_ret, s->errno_ret, path, errno_path, &action, err) < 0)
        return -1;
      /* Six conditions at most, unless indexes repeat (then one rule each). */
      struct scmp_arg_cmp small[6];
      cleanup_free struct scmp_arg_cmp *big = s->args_len > 6 ? xmalloc0 (s->args_len * sizeof *big) : NULL;
      struct scmp_arg_cmp *cmp = big ? big : small;
      bool or_rules;
      if (make_conditions (s, i, cmp, &or_rules, err) < 0)
        return -1;
      if (action == def_action)
        continue;
      if (action == SCMP_ACT_NOTIFY)
        {
          if (sc->listener_path == NULL || sc->listener_path[0] == '\0')
            return lcr_error_invalid (err, "%s: SCMP_ACT_NOTIFY needs .linux.seccomp.listenerPath", path);
          for (size_t k = 0; k < s->names_len; k++)
            if (strcmp (s->names[k], "write") == 0)
              return lcr_error_invalid (err,
                                        ".linux.seccomp.syscalls[%zu].names[%zu]: SCMP_ACT_NOTIFY cannot be "
                                        "used for write: the runtime writes after loading the filter",
                                        i, k);
          *notify = true;
        }
      for (size_t k = 0; k < s->names_len; k++)
        {
          int nr = seccomp_syscall_resolve_name (s->names[k]);
          if (nr == __NR_SCMP_ERROR)
            continue; /* unknown to libseccomp: skipped like runc */
          int r = 0;
          if (!or_rules)
            r = seccomp_rule_add_array (ctx, action, nr, (unsigned int)s->args_len, s->args_len ? cmp : NULL);
          else
            for (size_t j = 0; j < s->args_len && r == 0; j++)
              r = seccomp_rule_add_array (ctx, action, nr, 1, &cmp[j]);
          if (r < 0)
            return lcr_error_make (err, -r, LCR_ERR_SYSTEM, ".linux.seccomp.syscalls[%zu].names[%zu]: add rule for %s",
                                   i, k, s->names[k]);
        }
    }
  return 0;
}

/* The exported program with `stub` (stub_len instructions) in front. */
static int
export_bpf (scmp_filter_ctx ctx, const struct sock_filter *stub, size_t stub_len, struct lcr_seccomp_prog **out,
            lcr_error_t *err)
{
  cleanup_close int fd = memfd_create ("berth-seccomp", MFD_CLOEXEC);
  if (fd < 0)
    return lcr_error_sys (err, "seccomp: memfd_create");
  int r = seccomp_export_bpf (ctx, fd);
  if (r < 0)
    return lcr_error_make (err, -r, LCR_ERR_SYSTEM, "seccomp: export the BPF program");
  struct stat st;
  if (fstat (fd, &st) < 0)
    return lcr_error_sys (err, "seccomp: stat the BPF program");
  size_t n = (size_t)st.st_size / sizeof (struct sock_filter);
  if (n == 0 || (size_t)st.st_size % sizeof (struct sock_filter))
    return lcr_error_make (err, EPROTO, LCR_ERR_SYSTEM, "seccomp: libseccomp exported %lld bytes of BPF",
                           (long long)st.st_size);
  n += stub_len;
  if (n > LCR_SECCOMP_MAX_INSNS)
    return lcr_error_invalid (err,
                              ".linux.seccomp: the profile compiles to %zu BPF instructions, the kernel takes "
                              "at most %d",
                              n, LCR_SECCOMP_MAX_INSNS);
  struct lcr_seccomp_prog *p = xmalloc0 (sizeof *p + n * sizeof (struct sock_filter));
  if (stub_len)
    memcpy (p->insns, stub, stub_len * sizeof *stub);
  ssize_t got;
  do
    got = pread (fd, p->insns + stub_len, (size_t)st.st_size, 0);
  while (got < 0 && errno == EINTR);
  if (got != st.st_size)
    {
      int e = got < 0 ? errno : EIO;
      free (p);
      return lcr_error_make (err, e, LCR_ERR_SYSTEM, "seccomp: read the BPF program back");
    }
  p->fprog.len = (unsigned short)n;
  p->fprog.filter = p->insns;
  *out = p;
  return 0;
}

int
lcr_seccomp_compile (struct lcr_spec_seccomp *sc, struct lcr_seccomp_prog **out, lcr_error_t *err)
{
  *out = NULL;
  if (sc == NULL)
    return 0;

  uint32_t def_action;
  if (resolve_action (sc->default_action, sc->has_default_errno_ret, sc->default_errno_ret,
                      ".linux.seccomp.defaultAction", ".linux.seccomp.defaultErrnoRet", &def_action, err)
      < 0)
    return -1;
  if (def_action == SCMP_ACT_NOTIFY)
    return lcr_error_invalid (err, ".linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
  unsigned int flags;
  if (parse_flags (sc, &flags, err) < 0)
    return -1;

  cleanup_scmp scmp_filter_ctx ctx = seccomp_init (def_action);
  if (ctx == NULL)
    return lcr_error_make (err, EINVAL, LCR_ERR_SYSTEM, ".linux.seccomp.defaultAction: libseccomp refused %s",
                           sc->default_action);
  cleanup_free uint32_t *tokens = xmalloc0 ((sc->architectures_len + 1) * sizeof *tokens);
  if (add_archs (ctx, sc, tokens, err) < 0)
    return -1;
  bool notify = false;
  if (add_syscall_rules (ctx, sc, def_action, &notify, err) < 0)
    return -1;

  cleanup_free struct sock_filter *stub = NULL;
  size_t stub_len;
  lcr_seccomp_enosys_stub (sc, def_action, tokens, sc->architectures_len, &stub, &stub_len);
  struct lcr_seccomp_prog *p = NULL;
  if (export_bpf (ctx, stub, stub_len, &p, err) < 0)
    return -1;
  if (!notify)
    flags &= ~(unsigned int)SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
  p->flags = flags;
  p->notify = notify;
  *out = p;
  return 0;
}

static void
describe_flags (unsigned int flags, char *buf, size_t len)
{
  static const struct
  {
    const char *name;
    unsigned int flag;
  } all[] = {
      {"TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
      {"LOG", SECCOMP_FILTER_FLAG_LOG},
      {"SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
      {"NEW_LISTENER", SECCOMP_FILTER_FLAG_NEW_LISTENER},
      {"TSYNC_ESRCH", SECCOMP_FILTER_FLAG_TSYNC_ESRCH},
      {"WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
  };
  size_t off = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    if (flags & all[i].flag)
      {
        int n = snprintf (buf + off, len - off, "%s%s", off ? "|" : "", all[i].name);
        if (n < 0 || (size_t)n >= len - off)
          return;
        off += (size_t)n;
      }
  if (off == 0)
    snprintf (buf, len, "0");
}

int
lcr_seccomp_load (struct lcr_seccomp_prog *prog, int *notify_fd, lcr_error_t *err)
{
  if (notify_fd)
    *notify_fd = -1;
  if (prog == NULL)
    return 0;
  unsigned int flags = prog->flags;
  if (prog->notify)
    {
      flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
      /* TSYNC reports a failing thread by its tid in the return value, which
         NEW_LISTENER needs for the fd: the kernel takes both only with ESRCH. */
      if (flags & SECCOMP_FILTER_FLAG_TSYNC)
        flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
    }
  long r = syscall (__NR_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog->fprog);
  if (r < 0)
    {
      int e = errno;
      char names[128];
      describe_flags (flags, names, sizeof names);
      const char *hint = "";
      if (e == EACCES)
        hint = " (without no_new_privs this needs CAP_SYS_ADMIN: load before dropping capabilities)";
      else if (e == EINVAL && prog->flags)
        hint = " (the kernel may not support one of .linux.seccomp.flags)";
      return lcr_error_make (err, e, LCR_ERR_SYSTEM, "seccomp: load the filter (flags %s)%s", names, hint);
    }
  if (prog->notify && notify_fd)
    *notify_fd = (int)r;
  return 0;
}

bool
lcr_seccomp_uses_notify (const struct lcr_seccomp_prog *prog)
{
  return prog && prog->notify;
}

void
lcr_seccomp_prog_free (struct lcr_seccomp_prog *prog)
{
  free (prog);
}

/* ociVersion of the state document, for the process state that wraps it. */
static char *
state_oci_version (const char *state_json)
{
  char ebuf[64];
  yajl_val tree = yajl_tree_parse (state_json, ebuf, sizeof ebuf);
  if (tree == NULL)
    return NULL;
  const char *path[] = {"ociVersion", NULL};
  yajl_val v = yajl_tree_get (tree, path, yajl_t_string);
  char *out = v ? xstrdup (YAJL_GET_STRING (v)) : NULL;
  yajl_tree_free (tree);
  return out;
}

int
lcr_seccomp_send_to_listener (struct lcr_spec_seccomp *sc, int notify_fd, pid_t pid, const char *state_json,
                              lcr_error_t *err)
{
  if (sc == NULL || sc->listener_path == NULL || sc->listener_path[0] == '\0')
    return lcr_error_invalid (err, ".linux.seccomp.listenerPath: required to send the seccomp notify fd");

  cleanup_free char *version = state_oci_version (state_json ? state_json : "");
  cleanup_free char *meta = sc->listener_metadata ? lcr_json_escape (sc->listener_metadata) : NULL;
  cleanup_free char *msg = NULL;
  if (xasprintf (&msg, "{\"ociVersion\":\"%s\",\"fds\":[\"seccompFd\"],\"pid\":%d%s%s%s,\"state\":%s}",
                 version ? version : "1.0.2", (int)pid, meta ? ",\"metadata\":\"" : "", meta ? meta : "",
                 meta ? "\"" : "", state_json && *state_json ? state_json : "{}")
      < 0)
    return lcr_error_sys (err, "seccomp listener: format the process state");

  cleanup_close int sock = lcr_unix_connect (sc->listener_path);
  if (sock < 0 && errno == ENAMETOOLONG)
    return lcr_error_invalid (err, ".linux.seccomp.listenerPath: `%s` is too long for a unix socket",
                              sc->listener_path);
  if (sock < 0)
    return lcr_error_sys (err, "seccomp listener: connect to `%s` (.linux.seccomp.listenerPath)", sc->listener_path);
  if (lcr_send_with_fd (sock, msg, strlen (msg), notify_fd) < 0)
    return lcr_error_sys (err, "seccomp listener: send the notify fd to `%s`", sc->listener_path);
  return 0;
}

/* ---- the compile cache ----
 *
 * Compiling docker's profile for its three x86 architectures takes ~20 ms,
 * four times a whole container start; most hosts run two or three profiles.
 * The cache keeps each exported program in <cache_dir>/<fnv-1a of the key>,
 * and the key itself in the file: a hit must match it byte for byte, so a
 * hash collision only costs a compile.  The key is the profile's every field
 * that shapes the program, the libseccomp version and the native
 * architecture.  File layout: "BERTHSC1", u32 key length, key, u32 flags,
 * u32 notify, u32 instruction count, instructions.
 *
 * Bounded: at most LCR_SECCOMP_CACHE_MAX programs (each a few to ~20 KB,
 * on a state root that is usually tmpfs, so memory).  A host whose manager
 * makes a profile per container would otherwise grow it without end.  A hit
 * refreshes its file's mtime; a write that takes the count past the bound
 * removes the least recently used entries.
 */

struct keybuf
{
  char *data;
  size_t len, cap;
};

static void
key_add (struct keybuf *k, const void *p, size_t n)
{
  if (k->len + n + 4 > k->cap)
    {
      k->cap = (k->len + n + 4) * 2 + 256;
      k->data = xrealloc (k->data, k->cap);
    }
  uint32_t n32 = (uint32_t)n;
  memcpy (k->data + k->len, &n32, 4);
  memcpy (k->data + k->len + 4, p, n);
  k->len += n + 4;
}

static void
key_str (struct keybuf *k, const char *s)
{
  key_add (k, s ? s : "", s ? strlen (s) + 1 : 0);
}

static void
key_u64 (struct keybuf *k, uint64_t v)
{
  key_add (k, &v, sizeof v);
}

static void
cache_key (struct lcr_spec_seccomp *sc, struct keybuf *k)
{
  const struct scmp_version *v = seccomp_version ();
  key_str (k, "berth-seccomp-2"); /* 2: with the ENOSYS stub */
  key_u64 (k, ((uint64_t)v->major << 32) | (v->minor << 16) | v->micro);
  key_u64 (k, seccomp_arch_native ());
  key_str (k, sc->default_action);
  key_u64 (k, sc->has_default_errno_ret ? (1ULL << 32) | sc->default_errno_ret : 0);
  key_u64 (k, sc->architectures_len);
  for (size_t i = 0; i < sc->architectures_len; i++)
    key_str (k, sc->architectures[i]);
  key_u64 (k, sc->flags_len);
  for (size_t i = 0; i < sc->flags_len; i++)
    key_str (k, sc->flags[i]);
  key_u64 (k, sc->listener_path != NULL);
  key_u64 (k, sc->syscalls_len);
  for (size_t i = 0; i < sc->syscalls_len; i++)
    {
      struct lcr_spec_seccomp_syscall *s = &sc->syscalls[i];
      key_u64 (k, s->names_len);
      for (size_t n = 0; n < s->names_len; n++)
        key_str (k, s->names[n]);
      key_str (k, s->action);
      key_u64 (k, s->has_errno_ret ? (1ULL << 32) | s->errno_ret : 0);
      key_u64 (k, s->args_len);
      for (size_t a = 0; a < s->args_len; a++)
        {
          key_u64 (k, s->args[a].index);
          key_u64 (k, s->args[a].value);
          key_u64 (k, s->args[a].value_two);
          key_str (k, s->args[a].op);
        }
    }
}

static uint64_t
fnv1a (const char *p, size_t n)
{
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
  return h;
}

#define CACHE_MAGIC "BERTHSC1"

static struct lcr_seccomp_prog *
cache_read (const char *path, const struct keybuf *k)
{
  cleanup_free char *buf = NULL;
  size_t len;
  if (lcr_read_file (path, &buf, &len, NULL) < 0)
    return NULL;
  size_t off = 8;
  uint32_t klen, flags, notify, n;
  if (len < off + 4 || memcmp (buf, CACHE_MAGIC, 8) != 0)
    return NULL;
  memcpy (&klen, buf + off, 4);
  off += 4;
  if (klen != k->len || len < off + klen + 12 || memcmp (buf + off, k->data, klen) != 0)
    return NULL;
  off += klen;
  memcpy (&flags, buf + off, 4);
  memcpy (&notify, buf + off + 4, 4);
  memcpy (&n, buf + off + 8, 4);
  off += 12;
  if (n == 0 || n > LCR_SECCOMP_MAX_INSNS || len != off + (size_t)n * sizeof (struct sock_filter))
    return NULL;
  struct lcr_seccomp_prog *p = xmalloc0 (sizeof *p + (size_t)n * sizeof (struct sock_filter));
  memcpy (p->insns, buf + off, (size_t)n * sizeof (struct sock_filter));
  p->fprog.len = (unsigned short)n;
  p->fprog.filter = p->insns;
  p->flags = flags;
  p->notify = notify != 0;
  return p;
}

struct cache_entry
{
  char name[17];
  struct timespec mtime;
};

static int
entry_older (const void *a, const void *b)
{
  const struct timespec *x = &((const struct cache_entry *)a)->mtime, *y = &((const struct cache_entry *)b)->mtime;
  if (x->tv_sec != y->tv_sec)
    return x->tv_sec < y->tv_sec ? -1 : 1;
  return x->tv_nsec < y->tv_nsec ? -1 : x->tv_nsec > y->tv_nsec;
}

/* Keep the LCR_SECCOMP_CACHE_MAX most recently used entries of dfd (names of
   16 hex digits: other files are not ours).  Races with another berth only
   cost a compile: a removed entry is written again when next needed. */
static void
cache_evict (int dfd)
{
  int fd = openat (dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  if (d == NULL)
    {
      if (fd >= 0)
        close (fd);
      return;
    }
  cleanup_free struct cache_entry *e = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      struct stat st;
      if (strlen (de->d_name) != 16 || strspn (de->d_name, "0123456789abcdef") != 16
          || fstatat (dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      if (n == cap)
        e = xrealloc (e, (cap = cap * 2 + 64) * sizeof *e);
      memcpy (e[n].name, de->d_name, 17);
      e[n++].mtime = st.st_mtim;
    }
  closedir (d);
  if (n <= LCR_SECCOMP_CACHE_MAX)
    return;
  qsort (e, n, sizeof *e, entry_older);
  for (size_t i = 0; i < n - LCR_SECCOMP_CACHE_MAX; i++)
    unlinkat (dfd, e[i].name, 0);
}

static void
cache_write (const char *dir, const char *name, const struct keybuf *k, const struct lcr_seccomp_prog *p)
{
  uint32_t klen = (uint32_t)k->len, flags = p->flags, notify = p->notify, n = p->fprog.len;
  size_t len = 8 + 4 + k->len + 12 + (size_t)n * sizeof (struct sock_filter);
  cleanup_free char *buf = xmalloc0 (len);
  size_t off = 0;
  memcpy (buf, CACHE_MAGIC, 8), off += 8;
  memcpy (buf + off, &klen, 4), off += 4;
  memcpy (buf + off, k->data, k->len), off += k->len;
  memcpy (buf + off, &flags, 4), memcpy (buf + off + 4, &notify, 4), memcpy (buf + off + 8, &n, 4), off += 12;
  memcpy (buf + off, p->insns, (size_t)n * sizeof (struct sock_filter));
  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    return;
  cleanup_close int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return;
  /* a cache: failure only costs the next compile */
  if (lcr_write_file_atomic_at (dfd, name, buf, len, NULL) == 0)
    cache_evict (dfd);
}

int
lcr_seccomp_compile_cached (struct lcr_spec_seccomp *sc, const char *cache_dir, struct lcr_seccomp_prog **out,
                            lcr_error_t *err)
{
  *out = NULL;
  if (sc == NULL)
    return 0;
  if (cache_dir == NULL)
    return lcr_seccomp_compile (sc, out, err);
  struct keybuf k = {0};
  cache_key (sc, &k);
  char name[32], path[4096];
  snprintf (name, sizeof name, "%016llx", (unsigned long long)fnv1a (k.data, k.len));
  snprintf (path, sizeof path, "%s/%s", cache_dir, name);
  *out = cache_read (path, &k);
  if (*out != NULL)
    utimensat (AT_FDCWD, path, NULL, 0); /* recently used: eviction keeps it */
  else if (lcr_seccomp_compile (sc, out, err) == 0)
    cache_write (cache_dir, name, &k, *out);
  free (k.data);
  return *out ? 0 : -1;
}

char *
lcr_seccomp_cache_dir (const char *state_root)
{
  char *dir;
  /* a dot name: `list` skips it */
  xasprintf (&dir, "%s/.seccomp-cache", state_root);
  return dir;
}
