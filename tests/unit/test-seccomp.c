/* Unit tests for seccomp.c: profiles parsed from JSON, compiled, then loaded
   for real in a forked child (with no_new_privs, so no privilege is needed)
   whose syscalls must behave as the profile says. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "linux.h"
#include "spec.h"
#include "tap.h"
#include "utils.h"

extern char **environ;

/* ---- helpers ---- */

/* JSON with single quotes for readability; turned into real JSON here. */
static char *
J (const char *s)
{
  char *r = xstrdup (s);
  for (char *c = r; *c; c++)
    if (*c == '\'')
      *c = '"';
  return r;
}

/* A config.json around one .linux.seccomp object (real JSON). */
static struct lcr_spec *
parse_seccomp_json (const char *seccomp, lcr_error_t *err)
{
  cleanup_free char *json = NULL;
  xasprintf (&json, "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"linux\":{\"seccomp\":%s}}", seccomp);
  return lcr_spec_parse (json, strlen (json), err);
}

static struct lcr_spec *
parse_sq (const char *sq, lcr_error_t *err)
{
  cleanup_free char *json = J (sq);
  return parse_seccomp_json (json, err);
}

/* Parse and compile; NULL (with a diagnostic) when either fails. */
static struct lcr_seccomp_prog *
compile_sq (const char *sq, struct lcr_spec **spec_out)
{
  cleanup_error lcr_error_t err = NULL;
  struct lcr_spec *spec = parse_sq (sq, &err);
  if (spec == NULL)
    {
      printf ("# parse: %s\n", err->msg);
      return NULL;
    }
  struct lcr_seccomp_prog *prog = NULL;
  if (lcr_seccomp_compile (spec->linux_->seccomp, &prog, &err) < 0)
    {
      printf ("# compile: %s\n", err->msg);
      lcr_spec_free (spec);
      return NULL;
    }
  if (spec_out)
    *spec_out = spec;
  else
    lcr_spec_free (spec);
  return prog;
}

/* The child's notify fd, for the callbacks. */
static int child_notify_fd = -1;

/* Fork; the child sets no_new_privs, loads prog and exits with fn(arg) (250
   when loading failed).  Returns the child's pid. */
static pid_t
start_child (struct lcr_seccomp_prog *prog, int (*fn) (void *), void *arg)
{
  fflush (stdout);
  pid_t pid = fork ();
  if (pid != 0)
    return pid;
  struct rlimit no_core = {0, 0};
  setrlimit (RLIMIT_CORE, &no_core); /* SIGSYS dumps core by default */
  prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  lcr_error_t err = NULL;
  if (lcr_seccomp_load (prog, &child_notify_fd, &err) < 0)
    {
      fprintf (stderr, "child: %s\n", err->msg);
      _exit (250);
    }
  /* the raw exit_group: a sanitizer's _exit interceptor does syscalls of its
     own, which a strict filter refuses */
  syscall (SYS_exit_group, fn (arg));
  _exit (251);
}

static int
wait_child (pid_t pid)
{
  int st;
  while (waitpid (pid, &st, 0) < 0)
    if (errno != EINTR)
      return -1;
  return st;
}

/* Exit status of the child, or -signal when killed. */
static int
run_child (struct lcr_seccomp_prog *prog, int (*fn) (void *), void *arg)
{
  int st = wait_child (start_child (prog, fn, arg));
  if (WIFSIGNALED (st))
    return -WTERMSIG (st);
  return WEXITSTATUS (st);
}

struct call
{
  long nr;
  long a[6];
};

/* errno of one raw syscall in the child (0 when it succeeds). */
static int
do_call (void *arg)
{
  struct call *c = arg;
  long r = syscall (c->nr, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4], c->a[5]);
  if (r < 0)
    return errno;
  if (c->nr == SYS_clone && r == 0)
    _exit (0); /* a clone the filter let through */
  return 0;
}

static int
errno_of (struct lcr_seccomp_prog *prog, long nr, long a0, long a1, long a2)
{
  struct call c = {nr, {a0, a1, a2, 0, 0, 0}};
  return run_child (prog, do_call, &c);
}

static bool
has (lcr_error_t err, const char *frag)
{
  return err && strstr (err->msg, frag);
}

/* tests/unit/fixtures/NAME: under $SRCDIR (make check), else next to this
   source file as the compiler was given it, else next to the binary
   (in-tree builds). */
static char *
fixture (const char *name)
{
  const char *srcdir = getenv ("SRCDIR");
  char *path = NULL;
  if (srcdir)
    {
      xasprintf (&path, "%s/tests/unit/fixtures/%s", srcdir, name);
      return path;
    }
  char exe[4096];
  ssize_t n = readlink ("/proc/self/exe", exe, sizeof exe - 1);
  exe[n > 0 ? n : 0] = '\0';
  const char *dirs[] = {__FILE__, exe};
  for (size_t i = 0; i < 2; i++)
    {
      char *dir = xstrdup (dirs[i]);
      char *slash = strrchr (dir, '/');
      if (slash)
        *slash = '\0';
      free (path);
      xasprintf (&path, "%s/fixtures/%s", slash ? dir : ".", name);
      free (dir);
      if (access (path, R_OK) == 0)
        break;
    }
  return path;
}

/* ---- behaviour of each action ---- */

static void
test_errno_actions (void)
{
  struct lcr_seccomp_prog *p = compile_sq ("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':["
                                           "{'names':['getppid'],'action':'SCMP_ACT_ERRNO','errnoRet':38},"
                                           "{'names':['sched_yield'],'action':'SCMP_ACT_ERRNO'},"
                                           "{'names':['getpgrp'],'action':'SCMP_ACT_TRACE','errnoRet':5},"
                                           "{'names':['getuid'],'action':'SCMP_ACT_LOG'}]}",
                                           NULL);
  ok (p != NULL, "errno profile compiles");
  if (p == NULL)
    return;
  is_int (errno_of (p, SYS_getppid, 0, 0, 0), 38, "ERRNO with errnoRet 38: getppid fails with ENOSYS");
  is_int (errno_of (p, SYS_sched_yield, 0, 0, 0), EPERM, "ERRNO without errnoRet: EPERM");
  is_int (errno_of (p, SYS_getpid, 0, 0, 0), 0, "a syscall with no rule gets the default (allow)");
  /* TRACE with no tracer attached: the kernel fails the call with ENOSYS */
  is_int (errno_of (p, SYS_getpgrp, 0, 0, 0), ENOSYS, "TRACE without a tracer: ENOSYS");
  is_int (errno_of (p, SYS_getuid, 0, 0, 0), 0, "LOG lets the call through");
  lcr_seccomp_prog_free (p);
}

static void
test_default_errno_allow_list (void)
{
  struct lcr_seccomp_prog *p
      = compile_sq ("{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':95,'syscalls':["
                    "{'names':['exit','exit_group','getpid','rt_sigreturn'],'action':'SCMP_ACT_ALLOW'}]}",
                    NULL);
  ok (p != NULL, "allow-list profile compiles");
  if (p == NULL)
    return;
  is_int (errno_of (p, SYS_getpid, 0, 0, 0), 0, "allow list: getpid allowed");
  is_int (errno_of (p, SYS_getppid, 0, 0, 0), 95, "allow list: getppid gets defaultErrnoRet 95");
  is_int (errno_of (p, SYS_mkdir, (long)"/nonexistent-berth/x", 0700, 0), 95, "allow list: mkdir gets 95");
  lcr_seccomp_prog_free (p);

  p = compile_sq ("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':["
                  "{'names':['exit','exit_group','getpid'],'action':'SCMP_ACT_ALLOW'}]}",
                  NULL);
  ok (p != NULL, "allow list without defaultErrnoRet compiles");
  if (p)
    is_int (errno_of (p, SYS_getppid, 0, 0, 0), EPERM, "default ERRNO without defaultErrnoRet: EPERM");
  lcr_seccomp_prog_free (p);
}

static void
test_kill_actions (void)
{
  static const char *const actions[]
      = {"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP"};
  for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
    {
      char sq[256];
      snprintf (sq, sizeof sq, "{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['getppid'],'action':'%s'}]}",
                actions[i]);
      struct lcr_seccomp_prog *p = compile_sq (sq, NULL);
      ok (p != NULL, "%s compiles", actions[i]);
      if (p == NULL)
        continue;
      is_int (errno_of (p, SYS_getppid, 0, 0, 0), -SIGSYS, "%s: the child dies of SIGSYS", actions[i]);
      is_int (errno_of (p, SYS_getpid, 0, 0, 0), 0, "%s: other syscalls work", actions[i]);
      lcr_seccomp_prog_free (p);
    }
}

static volatile sig_atomic_t trapped_nr = -1, trapped_code = -1;
static void
on_sigsys (int sig, siginfo_t *si, void *uc)
{
  trapped_nr = si->si_syscall;
  trapped_code = si->si_code;
}

static int
trap_with_handler (void *arg)
{
  struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
  sigaction (SIGSYS, &sa, NULL);
  syscall (SYS_getppid);
  return trapped_nr == SYS_getppid && trapped_code == 1 /* SYS_SECCOMP */ ? 0 : 1;
}

static void
test_trap_siginfo (void)
{
  struct lcr_seccomp_prog *p = compile_sq (
      "{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['getppid'],'action':'SCMP_ACT_TRAP'}]}", NULL);
  if (p)
    is_int (run_child (p, trap_with_handler, NULL), 0, "TRAP: a SIGSYS handler sees si_syscall getppid, SYS_SECCOMP");
  else
    ok (0, "TRAP profile compiles");
  lcr_seccomp_prog_free (p);
}

/* ---- args ---- */

static void
test_args (void)
{
  struct lcr_seccomp_prog *p = compile_sq (
      "{'defaultAction':'SCMP_ACT_ALLOW','syscalls':["
      "{'names':['personality'],'action':'SCMP_ACT_ERRNO','errnoRet':38,"
      " 'args':[{'index':0,'value':4294967295,'op':'SCMP_CMP_EQ'}]},"
      "{'names':['socket'],'action':'SCMP_ACT_ERRNO','errnoRet':13,'args':[{'index':0,'value':2,'op':'SCMP_CMP_EQ'}]},"
      "{'names':['openat'],'action':'SCMP_ACT_ERRNO','errnoRet':30,"
      " 'args':[{'index':2,'value':64,'valueTwo':64,'op':'SCMP_CMP_MASKED_EQ'}]}]}",
      NULL);
  ok (p != NULL, "arg profile compiles");
  if (p == NULL)
    return;
  is_int (errno_of (p, SYS_personality, 0xffffffffL, 0, 0), 38, "personality(0xffffffff) blocked by an EQ rule");
  is_int (errno_of (p, SYS_personality, PER_LINUX, 0, 0), 0, "personality(PER_LINUX) allowed");
  is_int (errno_of (p, SYS_socket, AF_INET, SOCK_STREAM, 0), 13, "socket(AF_INET) blocked with EACCES");
  is_int (errno_of (p, SYS_socket, AF_UNIX, SOCK_STREAM, 0), 0, "socket(AF_UNIX) allowed");
  is_int (errno_of (p, SYS_openat, AT_FDCWD, (long)"/dev/null", O_WRONLY | O_CREAT), 30,
          "MASKED_EQ: openat with O_CREAT blocked");
  is_int (errno_of (p, SYS_openat, AT_FDCWD, (long)"/dev/null", O_WRONLY), 0,
          "MASKED_EQ: openat without O_CREAT works");
  lcr_seccomp_prog_free (p);

  /* same index twice: OR (one rule per condition), as runc and crun do */
  p = compile_sq ("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':["
                  "{'names':['socket'],'action':'SCMP_ACT_ERRNO','errnoRet':13,"
                  " 'args':[{'index':0,'value':2,'op':'SCMP_CMP_EQ'},{'index':0,'value':10,'op':'SCMP_CMP_EQ'}]}]}",
                  NULL);
  ok (p != NULL, "same-index args compile");
  if (p)
    {
      is_int (errno_of (p, SYS_socket, AF_INET, SOCK_STREAM, 0), 13, "same index, OR: AF_INET blocked");
      is_int (errno_of (p, SYS_socket, AF_INET6, SOCK_STREAM, 0), 13, "same index, OR: AF_INET6 blocked");
      is_int (errno_of (p, SYS_socket, AF_UNIX, SOCK_STREAM, 0), 0, "same index, OR: AF_UNIX allowed");
    }
  lcr_seccomp_prog_free (p);

  /* different indexes: AND */
  p = compile_sq ("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':["
                  "{'names':['socket'],'action':'SCMP_ACT_ERRNO','errnoRet':13,"
                  " 'args':[{'index':0,'value':2,'op':'SCMP_CMP_EQ'},{'index':1,'value':2,'op':'SCMP_CMP_EQ'}]}]}",
                  NULL);
  ok (p != NULL, "two-index args compile");
  if (p)
    {
      is_int (errno_of (p, SYS_socket, AF_INET, SOCK_DGRAM, 0), 13, "AND: socket(AF_INET, SOCK_DGRAM) blocked");
      is_int (errno_of (p, SYS_socket, AF_INET, SOCK_STREAM, 0), 0, "AND: socket(AF_INET, SOCK_STREAM) allowed");
      is_int (errno_of (p, SYS_socket, AF_UNIX, SOCK_DGRAM, 0), 0, "AND: socket(AF_UNIX, SOCK_DGRAM) allowed");
    }
  lcr_seccomp_prog_free (p);
}

/* Which of getpgid(50), getpgid(100), getpgid(150) the filter blocked
   (errno 77), as bits 0..2. */
static int
blocked_mask (void *arg)
{
  static const long pids[] = {50, 100, 150};
  int mask = 0;
  for (int i = 0; i < 3; i++)
    if (syscall (SYS_getpgid, pids[i]) < 0 && errno == 77)
      mask |= 1 << i;
  return mask;
}

static void
test_operators (void)
{
  static const struct
  {
    const char *op;
    const char *extra;
    int want;
  } cases[] = {
      {"SCMP_CMP_NE", "", 5},
      {"SCMP_CMP_LT", "", 1},
      {"SCMP_CMP_LE", "", 3},
      {"SCMP_CMP_EQ", "", 2},
      {"SCMP_CMP_GE", "", 6},
      {"SCMP_CMP_GT", "", 4},
      /* (x & 0xf0) == 0x60: 100 = 0x64 matches, 50 = 0x32 and 150 = 0x96 don't */
      {"SCMP_CMP_MASKED_EQ", ",'valueTwo':96", 2},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      char sq[512];
      snprintf (sq, sizeof sq,
                "{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['getpgid'],'action':'SCMP_ACT_ERRNO',"
                "'errnoRet':77,'args':[{'index':0,'value':%d,'op':'%s'%s}]}]}",
                strcmp (cases[i].op, "SCMP_CMP_MASKED_EQ") == 0 ? 0xf0 : 100, cases[i].op, cases[i].extra);
      struct lcr_seccomp_prog *p = compile_sq (sq, NULL);
      if (p == NULL)
        {
          ok (0, "%s compiles", cases[i].op);
          continue;
        }
      is_int (run_child (p, blocked_mask, NULL), cases[i].want, "%s: blocks exactly the right getpgid(50|100|150)",
              cases[i].op);
      lcr_seccomp_prog_free (p);
    }
}

/* ---- what the compiler skips or accepts ---- */

static void
test_skips (void)
{
  struct lcr_seccomp_prog *p = compile_sq (
      "{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['getpid'],'action':'SCMP_ACT_ALLOW'}]}", NULL);
  ok (p != NULL, "a rule equal to the default action is skipped, not refused");
  lcr_seccomp_prog_free (p);

  p = compile_sq ("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':["
                  "{'names':['exit','exit_group','getpid'],'action':'SCMP_ACT_ALLOW'},"
                  "{'names':['getppid'],'action':'SCMP_ACT_ERRNO'},"
                  "{'names':['getpgrp'],'action':'SCMP_ACT_ERRNO','errnoRet':2}]}",
                  NULL);
  ok (p != NULL, "ERRNO(EPERM) rule under an ERRNO(EPERM) default is skipped");
  if (p)
    is_int (errno_of (p, SYS_getpgrp, 0, 0, 0), 2, "ERRNO(2) under an ERRNO(EPERM) default is kept");
  lcr_seccomp_prog_free (p);

  p = compile_sq ("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':["
                  "{'names':['no_such_syscall_berth','getppid'],'action':'SCMP_ACT_ERRNO','errnoRet':38}]}",
                  NULL);
  ok (p != NULL, "an unknown syscall name is skipped");
  if (p)
    is_int (errno_of (p, SYS_getppid, 0, 0, 0), 38, "… and the known names of the same rule still apply");
  lcr_seccomp_prog_free (p);

  p = compile_sq ("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':["
                  "{'names':['no_such_syscall_a','no_such_syscall_b'],'action':'SCMP_ACT_KILL'}]}",
                  NULL);
  ok (p != NULL, "a profile whose every name is unknown compiles");
  if (p)
    is_int (errno_of (p, SYS_getpid, 0, 0, 0), 0, "… and loads, allowing everything");
  lcr_seccomp_prog_free (p);

  p = compile_sq ("{'defaultAction':'SCMP_ACT_ALLOW','architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86',"
                  "'SCMP_ARCH_X32','SCMP_ARCH_AARCH64','SCMP_ARCH_ARM'],"
                  "'syscalls':[{'names':['socketcall','getppid'],'action':'SCMP_ACT_ERRNO','errnoRet':38}]}",
                  NULL);
  ok (p != NULL, "several architectures, and a syscall that only some have, compile");
  if (p)
    is_int (errno_of (p, SYS_getppid, 0, 0, 0), 38, "multi-arch filter loads and applies on the native arch");
  lcr_seccomp_prog_free (p);

  p = compile_sq ("{'defaultAction':'SCMP_ACT_ALLOW','flags':['SECCOMP_FILTER_FLAG_LOG',"
                  "'SECCOMP_FILTER_FLAG_SPEC_ALLOW','SECCOMP_FILTER_FLAG_TSYNC',"
                  "'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'],"
                  "'syscalls':[{'names':['getppid'],'action':'SCMP_ACT_ERRNO','errnoRet':38}]}",
                  NULL);
  ok (p != NULL, "every flag compiles");
  if (p)
    is_int (errno_of (p, SYS_getppid, 0, 0, 0), 38, "every flag loads (WAIT_KILLABLE_RECV dropped without NOTIFY)");
  lcr_seccomp_prog_free (p);

  cleanup_error lcr_error_t err = NULL;
  struct lcr_seccomp_prog *none = (struct lcr_seccomp_prog *)1;
  int nfd = 7;
  ok (lcr_seccomp_compile (NULL, &none, &err) == 0 && none == NULL, "no .linux.seccomp: no program");
  ok (lcr_seccomp_load (NULL, &nfd, &err) == 0 && nfd == -1, "loading no program is a no-op");
}

/* ---- architectures: a 32-bit syscall (int 0x80) from this x86_64 process ---- */

#ifdef __x86_64__
static int
int80_getppid (void *arg)
{
  long ret, nr = 64; /* getppid on i386 */
  __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr) : "memory", "r8", "r9", "r10", "r11");
  return ret < 0 ? (int)-ret : 0;
}

static void
test_x86_arch (void)
{
  if (run_child (NULL, int80_getppid, NULL) != 0)
    {
      ok (1, "# skip no i386 syscalls on this kernel");
      return;
    }
  struct lcr_seccomp_prog *p
      = compile_sq ("{'defaultAction':'SCMP_ACT_ALLOW','architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],"
                    "'syscalls':[{'names':['getppid'],'action':'SCMP_ACT_ERRNO','errnoRet':38}]}",
                    NULL);
  if (p)
    is_int (run_child (p, int80_getppid, NULL), 38, "SCMP_ARCH_X86 listed: the i386 getppid gets the rule");
  else
    ok (0, "x86 profile compiles");
  lcr_seccomp_prog_free (p);
  p = compile_sq ("{'defaultAction':'SCMP_ACT_ALLOW','architectures':['SCMP_ARCH_X86_64'],"
                  "'syscalls':[{'names':['getppid'],'action':'SCMP_ACT_ERRNO','errnoRet':38}]}",
                  NULL);
  if (p)
    is_int (run_child (p, int80_getppid, NULL), -SIGSYS, "SCMP_ARCH_X86 not listed: an i386 syscall is killed");
  else
    ok (0, "x86_64 profile compiles");
  lcr_seccomp_prog_free (p);
}
#else
static void
test_x86_arch (void)
{
  ok (1, "# skip not x86_64");
}
#endif

/* ---- bad input ---- */

static void
expect_parse_error (const char *sq, const char *frag, const char *name)
{
  cleanup_error lcr_error_t err = NULL;
  struct lcr_spec *s = parse_sq (sq, &err);
  if (!ok (s == NULL && has (err, frag), "%s", name))
    printf ("#   got: %s\n", err ? err->msg : "(no error)");
  if (s)
    lcr_spec_free (s);
}

static void
expect_compile_error (const char *sq, void (*mutate) (struct lcr_spec_seccomp *), const char *frag, const char *name)
{
  cleanup_error lcr_error_t err = NULL;
  cleanup_spec struct lcr_spec *s = parse_sq (sq, &err);
  if (s == NULL)
    {
      ok (0, "%s (parse: %s)", name, err->msg);
      return;
    }
  if (mutate)
    mutate (s->linux_->seccomp);
  struct lcr_seccomp_prog *p = NULL;
  int r = lcr_seccomp_compile (s->linux_->seccomp, &p, &err);
  if (!ok (r < 0 && p == NULL && has (err, frag) && err->code == LCR_ERR_INVALID, "%s", name))
    printf ("#   got: %s\n", err ? err->msg : "(no error)");
  lcr_seccomp_prog_free (p);
}

/* The validator in spec.c already rejects unknown names; the compiler must
   too, for specs built some other way. */
static void
set_bad_action (struct lcr_spec_seccomp *sc)
{
  free (sc->syscalls[1].action);
  sc->syscalls[1].action = xstrdup ("SCMP_ACT_FOO");
}
static void
set_bad_default (struct lcr_spec_seccomp *sc)
{
  free (sc->default_action);
  sc->default_action = xstrdup ("SCMP_ACT_BAR");
}
static void
set_bad_op (struct lcr_spec_seccomp *sc)
{
  free (sc->syscalls[0].args[1].op);
  sc->syscalls[0].args[1].op = xstrdup ("SCMP_CMP_FOO");
}

static void
test_bad_input (void)
{
  const char *two_rules = "{'defaultAction':'SCMP_ACT_ALLOW','syscalls':["
                          "{'names':['getppid'],'action':'SCMP_ACT_ERRNO'},"
                          "{'names':['getpid'],'action':'SCMP_ACT_ERRNO'}]}";
  expect_parse_error ("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['getppid'],'action':'SCMP_ACT_ERRNO'},"
                      "{'names':['getpid'],'action':'SCMP_ACT_FOO'}]}",
                      ".linux.seccomp.syscalls[1].action", "parse: unknown action names its path");
  expect_parse_error ("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['getppid'],'action':'SCMP_ACT_ERRNO',"
                      "'args':[{'index':0,'value':1,'op':'SCMP_CMP_FOO'}]}]}",
                      ".linux.seccomp.syscalls[0].args[0].op", "parse: unknown operator names its path");
  expect_compile_error (two_rules, set_bad_action,
                        ".linux.seccomp.syscalls[1].action: unknown seccomp action \"SCMP_ACT_FOO\"",
                        "compile: unknown action names its path");
  expect_compile_error (two_rules, set_bad_default, ".linux.seccomp.defaultAction: unknown seccomp action",
                        "compile: unknown default action names its path");
  expect_compile_error ("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['getppid'],'action':'SCMP_ACT_ERRNO',"
                        "'args':[{'index':0,'value':1,'op':'SCMP_CMP_EQ'},{'index':1,'value':1,'op':'SCMP_CMP_EQ'}]}]}",
                        set_bad_op, ".linux.seccomp.syscalls[0].args[1].op: unknown seccomp operator \"SCMP_CMP_FOO\"",
                        "compile: unknown operator names its path");
  expect_compile_error ("{'defaultAction':'SCMP_ACT_ALLOW','architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_Z80']}", NULL,
                        ".linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_Z80\"",
                        "compile: unknown architecture names its path");
  expect_compile_error (
      "{'defaultAction':'SCMP_ACT_ALLOW','flags':['SECCOMP_FILTER_FLAG_LOG','SECCOMP_FILTER_FLAG_X']}", NULL,
      ".linux.seccomp.flags[1]: unknown seccomp flag", "compile: unknown flag names its path");
  expect_compile_error ("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':["
                        "{'names':['getppid'],'action':'SCMP_ACT_KILL','errnoRet':1}]}",
                        NULL, ".linux.seccomp.syscalls[0].errnoRet: only valid with SCMP_ACT_ERRNO",
                        "compile: errnoRet with a non-errno action is refused");
  expect_compile_error ("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':["
                        "{'names':['getppid'],'action':'SCMP_ACT_NOTIFY'}]}",
                        NULL, ".linux.seccomp.syscalls[0].action: SCMP_ACT_NOTIFY needs .linux.seccomp.listenerPath",
                        "compile: NOTIFY without listenerPath is refused");
  expect_compile_error ("{'defaultAction':'SCMP_ACT_NOTIFY','listenerPath':'/x'}", NULL,
                        ".linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default",
                        "compile: NOTIFY as the default action is refused");
  expect_compile_error ("{'defaultAction':'SCMP_ACT_ALLOW','listenerPath':'/x','syscalls':["
                        "{'names':['getppid','write'],'action':'SCMP_ACT_NOTIFY'}]}",
                        NULL, ".linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot be used for write",
                        "compile: NOTIFY on write is refused");
  expect_compile_error ("{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':70000}", NULL,
                        ".linux.seccomp.defaultErrnoRet: must be at most 65535", "compile: errno out of range");
}

/* ---- NOTIFY and the listener ---- */

static const char *notify_state = "{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":0,"
                                  "\"bundle\":\"/b\"}";

static int
notify_child (void *arg)
{
  struct lcr_spec_seccomp *sc = arg;
  if (child_notify_fd < 0)
    return 201;
  lcr_error_t err = NULL;
  if (lcr_seccomp_send_to_listener (sc, child_notify_fd, getpid (), notify_state, &err) < 0)
    {
      fprintf (stderr, "child: %s\n", err->msg);
      return 202;
    }
  close (child_notify_fd);
  long r = syscall (SYS_getppid); /* the listener answers 4242 */
  return r == 4242 ? 0 : 203;
}

static const char *
jstr (yajl_val tree, const char *k1, const char *k2)
{
  const char *path[] = {k1, k2, NULL};
  yajl_val v = yajl_tree_get (tree, path, yajl_t_string);
  return v ? YAJL_GET_STRING (v) : NULL;
}

static void
test_notify (void)
{
  char dir[] = "/tmp/berth-seccomp-XXXXXX";
  if (mkdtemp (dir) == NULL)
    {
      ok (0, "mkdtemp");
      return;
    }
  char sockpath[128], sq[1024];
  snprintf (sockpath, sizeof sockpath, "%s/listener.sock", dir);
  snprintf (sq, sizeof sq,
            "{'defaultAction':'SCMP_ACT_ALLOW','listenerPath':'%s','listenerMetadata':'meta \\'data\\'',"
            "'flags':['SECCOMP_FILTER_FLAG_TSYNC','SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'],"
            "'syscalls':[{'names':['getppid'],'action':'SCMP_ACT_NOTIFY'}]}",
            sockpath);
  /* J() turns every ' into ", so \' becomes an escaped quote */
  struct lcr_spec *spec = NULL;
  struct lcr_seccomp_prog *p = compile_sq (sq, &spec);
  ok (p != NULL, "NOTIFY profile compiles");
  if (p == NULL)
    return;

  int lsock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strcpy (addr.sun_path, sockpath);
  if (bind (lsock, (struct sockaddr *)&addr, sizeof addr) < 0 || listen (lsock, 1) < 0)
    {
      ok (0, "listen on %s", sockpath);
      return;
    }
  pid_t pid = start_child (p, notify_child, spec->linux_->seccomp);

  struct pollfd pfd = {.fd = lsock, .events = POLLIN};
  int conn = poll (&pfd, 1, 5000) == 1 ? accept4 (lsock, NULL, NULL, SOCK_CLOEXEC) : -1;
  ok (conn >= 0, "the listener gets a connection");
  char buf[65536] = "", cbuf[CMSG_SPACE (sizeof (int))];
  size_t len = 0;
  int nfd = -1;
  while (conn >= 0 && len < sizeof buf - 1)
    {
      struct iovec iov = {.iov_base = buf + len, .iov_len = sizeof buf - 1 - len};
      struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
      ssize_t r = recvmsg (conn, &msg, MSG_CMSG_CLOEXEC);
      if (r <= 0)
        break;
      struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
      if (c && c->cmsg_type == SCM_RIGHTS)
        memcpy (&nfd, CMSG_DATA (c), sizeof nfd);
      len += (size_t)r;
    }
  buf[len] = '\0';
  ok (nfd >= 0, "the message carries an fd (SCM_RIGHTS)");

  char ebuf[128];
  yajl_val tree = yajl_tree_parse (buf, ebuf, sizeof ebuf);
  ok (tree != NULL, "the message is JSON");
  if (tree)
    {
      const char *fds_path[] = {"fds", NULL}, *pid_path[] = {"pid", NULL};
      yajl_val fds = yajl_tree_get (tree, fds_path, yajl_t_array);
      yajl_val jpid = yajl_tree_get (tree, pid_path, yajl_t_number);
      is_str (jstr (tree, "ociVersion", NULL), "1.0.2", "process state: ociVersion");
      const char *fd0 = fds && fds->u.array.len == 1 ? YAJL_GET_STRING (fds->u.array.values[0]) : NULL;
      is_str (fd0, "seccompFd", "process state: fds is [\"seccompFd\"]");
      is_int (jpid ? YAJL_GET_INTEGER (jpid) : -1, pid, "process state: pid");
      is_str (jstr (tree, "metadata", NULL), "meta \"data\"", "process state: metadata (escaped)");
      is_str (jstr (tree, "state", "id"), "c1", "process state: state.id");
      is_str (jstr (tree, "state", "status"), "creating", "process state: state.status");
      yajl_tree_free (tree);
    }
  else
    printf ("# message: %s\n", buf);

  bool answered = false;
  if (nfd >= 0)
    {
      struct pollfd np = {.fd = nfd, .events = POLLIN};
      struct seccomp_notif req;
      memset (&req, 0, sizeof req);
      if (poll (&np, 1, 5000) == 1 && ioctl (nfd, SECCOMP_IOCTL_NOTIF_RECV, &req) == 0)
        {
          ok (req.data.nr == SYS_getppid && req.pid == (unsigned)pid, "the notify fd reports the child's getppid");
          struct seccomp_notif_resp resp = {.id = req.id, .val = 4242, .error = 0, .flags = 0};
          answered = ioctl (nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0;
        }
      else
        ok (0, "the notify fd reports the child's getppid");
      close (nfd);
    }
  ok (answered, "the listener answers the notification");
  if (!answered)
    kill (pid, SIGKILL);
  int st = wait_child (pid);
  ok (WIFEXITED (st) && WEXITSTATUS (st) == 0, "the child's getppid returned the listener's 4242 (status 0x%x)", st);

  if (conn >= 0)
    close (conn);
  close (lsock);
  unlink (sockpath);

  /* a listener that is not there: the error names the path */
  cleanup_error lcr_error_t err = NULL;
  int r = lcr_seccomp_send_to_listener (spec->linux_->seccomp, 0, 1, notify_state, &err);
  ok (r < 0 && has (err, sockpath) && has (err, "listenerPath"), "no listener: the error names the path");
  rmdir (dir);
  lcr_seccomp_prog_free (p);
  lcr_spec_free (spec);
}

/* ---- docker's and podman's default profiles ---- */

static int
fork_exec_true (void *arg)
{
  pid_t pid = fork ();
  if (pid < 0)
    return 100 + errno;
  if (pid == 0)
    {
      execl ("/bin/true", "true", (char *)NULL);
      _exit (127);
    }
  int st;
  if (waitpid (pid, &st, 0) < 0)
    return 99;
  return WIFEXITED (st) ? WEXITSTATUS (st) : 98;
}

/* posix_spawn tries clone3 first and falls back to clone on ENOSYS, which is
   why the profiles answer clone3 with errno 38. */
static int
spawn_true (void *arg)
{
  char *argv[] = {"true", NULL};
  pid_t pid;
  int r = posix_spawn (&pid, "/bin/true", NULL, NULL, argv, environ);
  if (r != 0)
    return 100 + r;
  int st;
  if (waitpid (pid, &st, 0) < 0)
    return 99;
  return WIFEXITED (st) ? WEXITSTATUS (st) : 98;
}

static struct lcr_seccomp_prog *
compile_fixture (const char *name, double *ms)
{
  cleanup_free char *path = fixture (name);
  cleanup_free char *json = NULL;
  cleanup_error lcr_error_t err = NULL;
  if (lcr_read_file (path, &json, NULL, &err) < 0)
    {
      printf ("# %s\n", err->msg);
      return NULL;
    }
  cleanup_spec struct lcr_spec *spec = parse_seccomp_json (json, &err);
  if (spec == NULL)
    {
      printf ("# parse %s: %s\n", name, err->msg);
      return NULL;
    }
  struct lcr_seccomp_prog *p = NULL;
  struct timespec t0, t1;
  const int rounds = 20;
  clock_gettime (CLOCK_MONOTONIC, &t0);
  for (int i = 0; i < rounds; i++)
    {
      lcr_seccomp_prog_free (p);
      p = NULL;
      if (lcr_seccomp_compile (spec->linux_->seccomp, &p, &err) < 0)
        {
          printf ("# compile %s: %s\n", name, err->msg);
          return NULL;
        }
    }
  clock_gettime (CLOCK_MONOTONIC, &t1);
  *ms = ((t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6) / rounds;
  return p;
}

static void
test_real_profile (const char *name, int default_errno)
{
  double ms = 0;
  struct lcr_seccomp_prog *p = compile_fixture (name, &ms);
  ok (p != NULL, "%s compiles", name);
  if (p == NULL)
    return;
  printf ("# %s: compile takes %.2f ms\n", name, ms);
  is_int (run_child (p, fork_exec_true, NULL), 0, "%s: fork + exec /bin/true works", name);
  is_int (run_child (p, spawn_true, NULL), 0, "%s: posix_spawn /bin/true works (clone3 → ENOSYS → clone)", name);
  is_int (errno_of (p, SYS_clone3, 0, 0, 0), ENOSYS, "%s: clone3 fails with ENOSYS", name);
  is_int (errno_of (p, SYS_unshare, CLONE_NEWNS, 0, 0), EPERM, "%s: unshare fails with EPERM", name);
  is_int (errno_of (p, SYS_mount, (long)"none", (long)"/nonexistent-berth", (long)"tmpfs"), EPERM,
          "%s: mount fails with EPERM", name);
  is_int (errno_of (p, SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0), EPERM,
          "%s: keyctl fails with EPERM", name);
  /* only clone without CLONE_NEW* flags is allowed (MASKED_EQ); the rest
     gets the default */
  is_int (errno_of (p, SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0), default_errno,
          "%s: clone(CLONE_NEWUSER) refused (MASKED_EQ rule)", name);
  is_int (errno_of (p, SYS_personality, 0xffffffffL, 0, 0), 0, "%s: personality(0xffffffff) allowed", name);
  is_int (errno_of (p, SYS_personality, 0x0040000 /* ADDR_NO_RANDOMIZE */, 0, 0), default_errno,
          "%s: personality(ADDR_NO_RANDOMIZE) refused", name);
  is_int (errno_of (p, SYS_socket, AF_UNIX, SOCK_STREAM, 0), 0, "%s: socket(AF_UNIX) allowed", name);
  is_int (errno_of (p, SYS_getcwd, 0, 0, 0), ERANGE, "%s: getcwd reaches the kernel (ERANGE for size 0)", name);
  /* above the largest number the profile names: ENOSYS, whatever the default */
  is_int (errno_of (p, 1000, 0, 0, 0), ENOSYS, "%s: an unknown syscall number fails with ENOSYS", name);
  if (default_errno != ENOSYS)
    is_int (errno_of (p, SYS_syslog, 0, 0, 0), default_errno,
            "%s: syslog, left out of the profile, gets defaultErrnoRet %d", name, default_errno);
  lcr_seccomp_prog_free (p);
}

static void
test_docker_specifics (void)
{
  double ms;
  struct lcr_seccomp_prog *p = compile_fixture ("seccomp-docker-default.json", &ms);
  if (p == NULL)
    return;
  is_int (errno_of (p, SYS_socket, 40 /* AF_VSOCK */, SOCK_STREAM, 0), EPERM,
          "docker: socket(AF_VSOCK) fails with EPERM");
  lcr_seccomp_prog_free (p);
}

static void
test_podman_specifics (void)
{
  double ms;
  struct lcr_seccomp_prog *p = compile_fixture ("seccomp-podman-default.json", &ms);
  if (p == NULL)
    return;
  is_int (errno_of (p, SYS_socket, AF_NETLINK, SOCK_RAW, 9 /* NETLINK_AUDIT */), EINVAL,
          "podman: socket(AF_NETLINK, NETLINK_AUDIT) fails with EINVAL");
  is_int (errno_of (p, SYS_socket, AF_NETLINK, SOCK_RAW, 0 /* NETLINK_ROUTE */), 0,
          "podman: socket(AF_NETLINK, NETLINK_ROUTE) allowed");
  /* the audit rule ANDs its two indexes: a protocol of 9 alone is not enough */
  is_int (errno_of (p, SYS_socket, AF_UNIX, SOCK_STREAM, 9), EPROTONOSUPPORT,
          "podman: socket(AF_UNIX, SOCK_STREAM, 9) reaches the kernel (EPROTONOSUPPORT)");
  lcr_seccomp_prog_free (p);
}

int
main (void)
{
  test_errno_actions ();
  test_default_errno_allow_list ();
  test_kill_actions ();
  test_trap_siginfo ();
  test_args ();
  test_operators ();
  test_skips ();
  test_x86_arch ();
  test_bad_input ();
  test_notify ();
  test_real_profile ("seccomp-docker-default.json", EPERM);
  test_real_profile ("seccomp-podman-default.json", ENOSYS);
  test_docker_specifics ();
  test_podman_specifics ();
  return done_testing ();
}
