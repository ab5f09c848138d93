/* berth — seccomp: the ENOSYS stub put in front of a compiled profile.
 *
 * A profile lists the syscalls its author knew.  A syscall added to the
 * kernel later (or a number no kernel has) would get the profile's default
 * action, typically EPERM, and programs that probe for a new syscall fall
 * back to an old one only on ENOSYS (glibc with clone3, faccessat2, …).  So,
 * as runc does, a syscall whose number is above the largest one the profile
 * names for that architecture fails with ENOSYS before the profile's own
 * filter sees it.  Below that number nothing changes: a syscall the profile
 * leaves out still gets the default action, explicit rules keep theirs.
 *
 * The stub is skipped when the default action lets syscalls through anyway
 * (ALLOW, LOG, TRACE: a tracer handles new syscalls itself) or already is
 * ENOSYS.  Unlike runc 1.1 the native architecture is always covered, also
 * when the profile lists none (libseccomp always filters for it).
 *
 * Layout (every conditional jump is short; long distances use `ja`):
 *
 *     ld  arch
 *     jeq AUDIT_A ? next : skip 1 ;  ja  section_A      (one pair per arch)
 *     ja  filter
 *   section_A:
 *     ld  nr
 *     [x86_64: jset X32 bit → the x32 test or the filter]
 *     jgt MAX_A ? next : skip 1 ;  ret ERRNO(ENOSYS) ;  ja filter
 *   filter:
 *     the program libseccomp exported
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "seccomp-internal.h"
#include "utils.h"

#define X32_SYSCALL_BIT 0x40000000u

/* One architecture as the kernel names it (AUDIT_ARCH_*) in seccomp_data;
   x86_64 and x32 share one, told apart by the x32 bit of the number. */
struct stub_arch
{
  uint32_t audit;
  uint32_t max, max_x32; /* 0: the profile names none for it */
};

struct stub
{
  struct sock_filter *insns;
  size_t len, cap;
};

static size_t
emit (struct stub *s, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
  if (s->len == s->cap)
    {
      s->cap = s->cap ? s->cap * 2 : 64;
      s->insns = xrealloc (s->insns, s->cap * sizeof *s->insns);
    }
  s->insns[s->len] = (struct sock_filter){.code = code, .jt = jt, .jf = jf, .k = k};
  return s->len++;
}

/* `ja` to `target`: an index in the stub, where the stub's length is the
   start of the profile's filter. */
static void
patch_ja (struct stub *s, size_t at, size_t target)
{
  s->insns[at].k = (uint32_t)(target - at - 1);
}

/* The largest number the profile names on `token`'s architecture, or 0. */
static uint32_t
largest_syscall (struct lcr_spec_seccomp *sc, uint32_t token)
{
  uint32_t max = 0;
  for (size_t i = 0; i < sc->syscalls_len; i++)
    for (size_t k = 0; k < sc->syscalls[i].names_len; k++)
      {
        /* negative: unknown, or a pseudo number on multiplexing arches */
        int nr = seccomp_syscall_resolve_name_arch (token, sc->syscalls[i].names[k]);
        if (nr >= 0 && (uint32_t)nr > max)
          max = (uint32_t)nr;
      }
  return max;
}

static bool
default_lets_through (uint32_t def_action)
{
  if (def_action == SCMP_ACT_ALLOW || def_action == SCMP_ACT_LOG)
    return true;
  if ((def_action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_TRACE)
    return true;
  return def_action == SCMP_ACT_ERRNO (ENOSYS);
}

/* max for `s`, or for the x32 half of x86_64 */
static void
note_arch (struct stub_arch *archs, size_t *n, uint32_t token, uint32_t max)
{
  uint32_t audit = token == SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : token;
  size_t i;
  for (i = 0; i < *n; i++)
    if (archs[i].audit == audit)
      break;
  if (i == *n)
    archs[(*n)++] = (struct stub_arch){.audit = audit};
  if (token == SCMP_ARCH_X32)
    archs[i].max_x32 = max;
  else
    archs[i].max = max;
}

/* The section of one architecture; every `ja filter` is appended to
   to_filter for patching. */
static void
emit_section (struct stub *s, const struct stub_arch *a, size_t *to_filter, size_t *n_to_filter)
{
  const uint32_t enosys = SECCOMP_RET_ERRNO | ENOSYS;
  emit (s, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof (struct seccomp_data, nr));
  /* s390: a number the kernel does not know arrives as 0 (setup(2), long
     gone), the multiplexer: ENOSYS too */
  if (a->audit == AUDIT_ARCH_S390 || a->audit == AUDIT_ARCH_S390X)
    {
      emit (s, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0);
      emit (s, BPF_RET | BPF_K, 0, 0, enosys);
    }
  if (a->audit == AUDIT_ARCH_X86_64)
    {
      if (a->max && a->max_x32)
        emit (s, BPF_JMP | BPF_JSET | BPF_K, 3, 0, X32_SYSCALL_BIT); /* x32: the second test */
      else if (a->max)
        emit (s, BPF_JMP | BPF_JSET | BPF_K, 2, 0, X32_SYSCALL_BIT); /* x32: the filter decides */
      else
        emit (s, BPF_JMP | BPF_JSET | BPF_K, 0, 2, X32_SYSCALL_BIT); /* x86_64: the filter decides */
    }
  uint32_t maxes[2] = {a->max ? a->max : a->max_x32, a->max && a->max_x32 ? a->max_x32 : 0};
  for (size_t i = 0; i < 2 && maxes[i]; i++)
    {
      emit (s, BPF_JMP | BPF_JGT | BPF_K, 0, 1, maxes[i]);
      emit (s, BPF_RET | BPF_K, 0, 0, enosys);
      to_filter[(*n_to_filter)++] = emit (s, BPF_JMP | BPF_JA, 0, 0, 0);
    }
}

void
lcr_seccomp_enosys_stub (struct lcr_spec_seccomp *sc, uint32_t def_action, const uint32_t *tokens, size_t n_tokens,
                         struct sock_filter **out, size_t *out_len)
{
  *out = NULL;
  *out_len = 0;
  if (default_lets_through (def_action))
    return;

  cleanup_free struct stub_arch *archs = xmalloc0 ((n_tokens + 1) * sizeof *archs);
  size_t n_archs = 0;
  uint32_t native = seccomp_arch_native ();
  for (size_t i = 0; i <= n_tokens; i++)
    {
      uint32_t token = i == n_tokens ? native : tokens[i];
      uint32_t max = largest_syscall (sc, token);
      if (max)
        note_arch (archs, &n_archs, token, max);
    }
  if (n_archs == 0)
    return;

  struct stub s = {0};
  /* at most 3 `ja filter` per section, and the dispatch's own */
  cleanup_free size_t *to_filter = xmalloc0 ((3 * n_archs + 1) * sizeof *to_filter);
  cleanup_free size_t *to_section = xmalloc0 (n_archs * sizeof *to_section);
  size_t n_to_filter = 0;

  emit (&s, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof (struct seccomp_data, arch));
  for (size_t i = 0; i < n_archs; i++)
    {
      emit (&s, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, archs[i].audit);
      to_section[i] = emit (&s, BPF_JMP | BPF_JA, 0, 0, 0);
    }
  to_filter[n_to_filter++] = emit (&s, BPF_JMP | BPF_JA, 0, 0, 0);
  for (size_t i = 0; i < n_archs; i++)
    {
      patch_ja (&s, to_section[i], s.len);
      emit_section (&s, &archs[i], to_filter, &n_to_filter);
    }
  for (size_t i = 0; i < n_to_filter; i++)
    patch_ja (&s, to_filter[i], s.len);

  *out = s.insns;
  *out_len = s.len;
}
