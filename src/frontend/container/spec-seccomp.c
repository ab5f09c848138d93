/* dock — seccomp: docker's default profile, and docker-format profiles turned into the
 * runtime spec's linux.seccomp.
 *
 * docker's profile format is the runtime spec's plus rules that apply conditionally:
 *   "includes"/"excludes": {"caps": [...], "arches": [...], "minKernel": "4.8"}, and an
 *   "archMap" [{"architecture", "subArchitectures"}] instead of a flat "architectures".
 * The daemon evaluates those for the container at hand (its capability set, the host's
 * architecture and kernel) and hands the runtime the plain result; so does dock.  The default
 * profile is written below as data in that same format and goes through the same conversion:
 * an allowlist with EPERM as the default action, plus what capabilities re-enable (mount with
 * CAP_SYS_ADMIN, reboot with CAP_SYS_BOOT, …).  clone3 answers ENOSYS rather than EPERM so
 * that libcs fall back to clone, whose namespace flags a filter can inspect.
 */
#define _GNU_SOURCE
#include "container/spec-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#define ERRNO_ENOSYS 38

/* Everything a container may call whatever its capabilities. */
/* clang-format off */
static const char *const allowed[] = {
    /* files and directories */
    "access", "chdir", "chmod", "chown", "chown32", "close", "close_range", "copy_file_range", "creat", "dup", "dup2",
    "dup3", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate", "fchdir", "fchmod", "fchmodat",
    "fchmodat2", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync", "flock", "fstat", "fstat64",
    "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futimesat", "getcwd", "getdents",
    "getdents64", "lchown", "lchown32", "link", "linkat", "_llseek", "lseek", "lstat", "lstat64", "mkdir", "mkdirat",
    "mknod", "mknodat", "name_to_handle_at", "newfstatat", "open", "openat", "openat2", "pread64", "preadv",
    "preadv2", "pipe", "pipe2", "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink", "readlinkat",
    "readv", "rename", "renameat", "renameat2", "rmdir", "sendfile", "sendfile64", "splice", "stat", "stat64",
    "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync", "sync_file_range", "syncfs", "tee", "truncate",
    "truncate64", "umask", "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64", "utimes", "vmsplice",
    "write", "writev",
    /* extended attributes */
    "fgetxattr", "flistxattr", "fremovexattr", "fsetxattr", "getxattr", "lgetxattr", "listxattr", "llistxattr",
    "lremovexattr", "lsetxattr", "removexattr", "setxattr",
    /* waiting for events */
    "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait",
    "epoll_wait_old", "eventfd", "eventfd2", "fanotify_mark", "inotify_add_watch", "inotify_init", "inotify_init1",
    "inotify_rm_watch", "_newselect", "poll", "ppoll", "ppoll_time64", "pselect6", "pselect6_time64", "select",
    "signalfd", "signalfd4", "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime",
    "timerfd_settime64",
    /* asynchronous I/O */
    "io_cancel", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "io_setup", "io_submit",
    "ioctl", "ioprio_get", "ioprio_set",
    /* memory */
    "brk", "cachestat", "madvise", "map_shadow_stack", "membarrier", "memfd_create", "memfd_secret", "mincore",
    "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mremap", "msync", "munlock", "munlockall", "munmap",
    "pkey_alloc", "pkey_free", "pkey_mprotect", "remap_file_pages",
    /* processes, threads, signals */
    "alarm", "capget", "capset", "execve", "execveat", "exit", "exit_group", "fork", "futex", "futex_requeue",
    "futex_time64", "futex_wait", "futex_waitv", "futex_wake", "get_robust_list", "get_thread_area", "getcpu",
    "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrlimit", "getrusage", "getsid", "gettid", "kill",
    "nanosleep", "pause", "pidfd_open", "pidfd_send_signal", "prctl", "prlimit64", "process_mrelease",
    "restart_syscall", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn",
    "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "seccomp", "set_robust_list",
    "set_thread_area", "set_tid_address", "setpgid", "setpriority", "setrlimit", "setsid", "sigaltstack",
    "sigprocmask", "sigreturn", "tgkill", "tkill", "ugetrlimit", "vfork", "wait4", "waitid", "waitpid",
    /* scheduling */
    "sched_get_priority_max", "sched_get_priority_min", "sched_getaffinity", "sched_getattr", "sched_getparam",
    "sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity",
    "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield",
    /* credentials */
    "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32", "getresgid",
    "getresgid32", "getresuid", "getresuid32", "getuid", "getuid32", "setfsgid", "setfsgid32", "setfsuid",
    "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32", "setregid", "setregid32", "setresgid",
    "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32", "setuid", "setuid32",
    /* time */
    "adjtimex", "clock_adjtime", "clock_adjtime64", "clock_getres", "clock_getres_time64", "clock_gettime",
    "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "getitimer", "gettimeofday", "setitimer", "time",
    "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime",
    "timer_settime64", "times",
    /* sockets */
    "accept", "accept4", "bind", "connect", "getpeername", "getsockname", "getsockopt", "listen", "recv", "recvfrom",
    "recvmmsg", "recvmmsg_time64", "recvmsg", "send", "sendmmsg", "sendmsg", "sendto", "setsockopt", "shutdown",
    "socketcall", "socketpair",
    /* System V and POSIX IPC */
    "ipc", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend",
    "mq_timedsend_time64", "mq_unlink", "msgctl", "msgget", "msgrcv", "msgsnd", "semctl", "semget", "semop",
    "semtimedop", "semtimedop_time64", "shmat", "shmctl", "shmdt", "shmget",
    /* the rest */
    "getrandom", "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "sysinfo", "uname", NULL,
};
/* clang-format on */

#define MAX_NAMES 24

struct arg_rule
{
  unsigned index;
  unsigned long long value, value_two;
  const char *op;
};

struct rule
{
  const char *names[MAX_NAMES];
  const char *action; /* NULL: SCMP_ACT_ALLOW */
  int errno_ret;      /* with SCMP_ACT_ERRNO */
  struct arg_rule args[2];
  int nargs;
  const char *caps[3]; /* includes: all of these */
  const char *excl_caps[2];
  const char *arches[4]; /* includes: the host's architecture is one of these */
  const char *min_kernel;
};

/* The namespace flags of clone(2): CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|
   CLONE_NEWPID|CLONE_NEWNET|CLONE_NEWCGROUP. */
#define CLONE_NS_FLAGS 0x7E020000ULL

static const struct rule rules[] = {
    {.names = {"process_vm_readv", "process_vm_writev", "ptrace"}, .min_kernel = "4.8"},
    /* every socket family but AF_VSOCK, which could reach the host */
    {.names = {"socket"}, .args = {{0, 40, 0, "SCMP_CMP_NE"}}, .nargs = 1},
    /* personality: only the harmless personas (PER_LINUX, PER_LINUX32, UNAME26 variants, query) */
    {.names = {"personality"}, .args = {{0, 0x0, 0, "SCMP_CMP_EQ"}}, .nargs = 1},
    {.names = {"personality"}, .args = {{0, 0x8, 0, "SCMP_CMP_EQ"}}, .nargs = 1},
    {.names = {"personality"}, .args = {{0, 0x20000, 0, "SCMP_CMP_EQ"}}, .nargs = 1},
    {.names = {"personality"}, .args = {{0, 0x20008, 0, "SCMP_CMP_EQ"}}, .nargs = 1},
    {.names = {"personality"}, .args = {{0, 0xffffffffULL, 0, "SCMP_CMP_EQ"}}, .nargs = 1},
    /* architecture-specific calls */
    {.names = {"sync_file_range2", "swapcontext"}, .arches = {"ppc64le"}},
    {.names = {"arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint", "cacheflush", "set_tls"},
     .arches = {"arm", "arm64"}},
    {.names = {"arch_prctl"}, .arches = {"amd64", "x32"}},
    {.names = {"modify_ldt"}, .arches = {"amd64", "x32", "x86"}},
    {.names = {"s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr"}, .arches = {"s390", "s390x"}},
    {.names = {"riscv_flush_icache"}, .arches = {"riscv64"}},
    /* what capabilities give back */
    {.names = {"open_by_handle_at"}, .caps = {"CAP_DAC_READ_SEARCH"}},
    {.names = {"bpf",       "clone",           "clone3",         "fanotify_init", "fsconfig",      "fsmount",
               "fsopen",    "fspick",          "lookup_dcookie", "mount",         "mount_setattr", "move_mount",
               "open_tree", "perf_event_open", "quotactl",       "quotactl_fd",   "setdomainname", "sethostname",
               "setns",     "syslog",          "umount",         "umount2",       "unshare"},
     .caps = {"CAP_SYS_ADMIN"}},
    {.names = {"clone"},
     .args = {{0, CLONE_NS_FLAGS, 0, "SCMP_CMP_MASKED_EQ"}},
     .nargs = 1,
     .excl_caps = {"CAP_SYS_ADMIN"},
     .arches = {"amd64", "x32", "x86", "arm64"}},
    {.names = {"clone"},
     .args = {{1, CLONE_NS_FLAGS, 0, "SCMP_CMP_MASKED_EQ"}},
     .nargs = 1,
     .excl_caps = {"CAP_SYS_ADMIN"},
     .arches = {"s390", "s390x"}},
    {.names = {"clone3"}, .action = "SCMP_ACT_ERRNO", .errno_ret = ERRNO_ENOSYS, .excl_caps = {"CAP_SYS_ADMIN"}},
    {.names = {"reboot"}, .caps = {"CAP_SYS_BOOT"}},
    {.names = {"chroot"}, .caps = {"CAP_SYS_CHROOT"}},
    {.names = {"delete_module", "init_module", "finit_module"}, .caps = {"CAP_SYS_MODULE"}},
    {.names = {"acct"}, .caps = {"CAP_SYS_PACCT"}},
    {.names = {"kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace"},
     .caps = {"CAP_SYS_PTRACE"}},
    {.names = {"iopl", "ioperm"}, .caps = {"CAP_SYS_RAWIO"}},
    {.names = {"settimeofday", "stime", "clock_settime", "clock_settime64"}, .caps = {"CAP_SYS_TIME"}},
    {.names = {"vhangup"}, .caps = {"CAP_SYS_TTY_CONFIG"}},
    {.names = {"get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"}, .caps = {"CAP_SYS_NICE"}},
    {.names = {"syslog"}, .caps = {"CAP_SYSLOG"}},
    {.names = {"bpf"}, .caps = {"CAP_BPF"}},
    {.names = {"perf_event_open"}, .caps = {"CAP_PERFMON"}},
};

static jv
strv_arr (const char *const *v, size_t max)
{
  jv a = jv_arr ();
  for (size_t i = 0; i < max && v[i]; i++)
    jv_push (a, jv_str (v[i]));
  return a;
}

jv
dock_seccomp_default_profile (void)
{
  jv p = jv_obj ();
  jv_set (p, "defaultAction", jv_str ("SCMP_ACT_ERRNO"));
  jv_set (p, "defaultErrnoRet", jv_int (1));
  jv map = jv_set (p, "archMap", jv_arr ());
  static const struct
  {
    const char *arch, *sub[3];
  } archs[] = {
      {"SCMP_ARCH_X86_64", {"SCMP_ARCH_X86", "SCMP_ARCH_X32"}},
      {"SCMP_ARCH_AARCH64", {"SCMP_ARCH_ARM"}},
      {"SCMP_ARCH_PPC64LE", {"SCMP_ARCH_PPC64", "SCMP_ARCH_PPC"}},
      {"SCMP_ARCH_S390X", {"SCMP_ARCH_S390"}},
      {"SCMP_ARCH_RISCV64", {NULL}},
  };
  for (size_t i = 0; i < sizeof archs / sizeof archs[0]; i++)
    {
      jv e = jv_push (map, jv_obj ());
      jv_set (e, "architecture", jv_str (archs[i].arch));
      jv_set (e, "subArchitectures", strv_arr (archs[i].sub, 3));
    }
  jv sys = jv_set (p, "syscalls", jv_arr ());
  jv all = jv_push (sys, jv_obj ());
  jv_set (all, "names", strv_arr (allowed, SIZE_MAX));
  jv_set (all, "action", jv_str ("SCMP_ACT_ALLOW"));
  for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
    {
      const struct rule *r = &rules[i];
      jv e = jv_push (sys, jv_obj ());
      jv_set (e, "names", strv_arr (r->names, MAX_NAMES));
      jv_set (e, "action", jv_str (r->action ? r->action : "SCMP_ACT_ALLOW"));
      if (r->errno_ret)
        jv_set (e, "errnoRet", jv_int (r->errno_ret));
      if (r->nargs)
        {
          jv args = jv_set (e, "args", jv_arr ());
          for (int k = 0; k < r->nargs; k++)
            {
              jv a = jv_push (args, jv_obj ());
              jv_set (a, "index", jv_int (r->args[k].index));
              jv_set (a, "value", jv_int ((long long)r->args[k].value));
              jv_set (a, "valueTwo", jv_int ((long long)r->args[k].value_two));
              jv_set (a, "op", jv_str (r->args[k].op));
            }
        }
      if (r->caps[0] || r->arches[0] || r->min_kernel)
        {
          jv inc = jv_set (e, "includes", jv_obj ());
          if (r->caps[0])
            jv_set (inc, "caps", strv_arr (r->caps, 3));
          if (r->arches[0])
            jv_set (inc, "arches", strv_arr (r->arches, 4));
          if (r->min_kernel)
            jv_set (inc, "minKernel", jv_str (r->min_kernel));
        }
      if (r->excl_caps[0])
        jv_set (jv_set (e, "excludes", jv_obj ()), "caps", strv_arr (r->excl_caps, 2));
    }
  return p;
}

/* ---- conversion -------------------------------------------------------------------------- */

/* docker's names for the host's architecture (Go's GOARCH) and libseccomp's. */
static const char *
native_goarch (void)
{
#if defined(__x86_64__) && defined(__ILP32__)
  return "x32";
#elif defined(__x86_64__)
  return "amd64";
#elif defined(__i386__)
  return "x86";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__arm__)
  return "arm";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return "ppc64le";
#elif defined(__s390x__)
  return "s390x";
#elif defined(__riscv)
  return "riscv64";
#else
  return "unknown";
#endif
}

static const char *
native_scmp_arch (void)
{
#if defined(__x86_64__) && defined(__ILP32__)
  return "SCMP_ARCH_X32";
#elif defined(__x86_64__)
  return "SCMP_ARCH_X86_64";
#elif defined(__i386__)
  return "SCMP_ARCH_X86";
#elif defined(__aarch64__)
  return "SCMP_ARCH_AARCH64";
#elif defined(__arm__)
  return "SCMP_ARCH_ARM";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return "SCMP_ARCH_PPC64LE";
#elif defined(__s390x__)
  return "SCMP_ARCH_S390X";
#elif defined(__riscv)
  return "SCMP_ARCH_RISCV64";
#else
  return "";
#endif
}

/* "4.8" ≤ the running kernel? (malformed: false, as docker refuses them) */
static int
kernel_at_least (const char *want, lcr_error_t *err)
{
  int wmaj, wmin;
  if (sscanf (want, "%d.%d", &wmaj, &wmin) != 2)
    return lcr_error_invalid (err, "seccomp profile: invalid minKernel \"%s\"", want);
  struct utsname u;
  int maj = 0, min = 0;
  if (uname (&u) == 0)
    sscanf (u.release, "%d.%d", &maj, &min);
  return maj > wmaj || (maj == wmaj && min >= wmin) ? 1 : 0;
}

static bool
arr_has_str (jv arr, const char *s)
{
  for (size_t i = 0; arr && i < jv_len (arr); i++)
    {
      const char *x = jv_as_str (arr->u.array.values[i]);
      if (x && strcmp (x, s) == 0)
        return true;
    }
  return false;
}

bool
dock_caps_has (jv caps, const char *cap)
{
  return arr_has_str (caps, cap);
}

/* Does the rule apply to this container?  1 yes, 0 no, -1 error. */
static int
rule_applies (jv rule, jv caps, lcr_error_t *err)
{
  jv inc = jv_get_obj (rule, "includes");
  jv exc = jv_get_obj (rule, "excludes");
  const char *arch = native_goarch ();
  jv a;
  if ((a = jv_get_arr (inc, "arches")) && jv_len (a) && !arr_has_str (a, arch))
    return 0;
  if ((a = jv_get_arr (inc, "caps")))
    for (size_t i = 0; i < jv_len (a); i++)
      if (jv_as_str (a->u.array.values[i]) && !dock_caps_has (caps, jv_as_str (a->u.array.values[i])))
        return 0;
  const char *mk = jv_get_str (inc, "minKernel");
  if (mk && *mk)
    {
      int r = kernel_at_least (mk, err);
      if (r <= 0)
        return r;
    }
  if ((a = jv_get_arr (exc, "arches")) && arr_has_str (a, arch))
    return 0;
  if ((a = jv_get_arr (exc, "caps")))
    for (size_t i = 0; i < jv_len (a); i++)
      if (jv_as_str (a->u.array.values[i]) && dock_caps_has (caps, jv_as_str (a->u.array.values[i])))
        return 0;
  const char *emk = jv_get_str (exc, "minKernel");
  if (emk && *emk)
    {
      int r = kernel_at_least (emk, err);
      if (r < 0)
        return r;
      if (r > 0)
        return 0;
    }
  return 1;
}

static int
convert_syscall (jv in, size_t i, jv out_list, lcr_error_t *err)
{
  jv names = jv_get_arr (in, "names");
  const char *name = jv_get_str (in, "name");
  if (name && names)
    return lcr_error_invalid (err,
                              "seccomp profile: syscalls[%zu]: 'name' and 'names' were specified, use either "
                              "'name' or 'names'",
                              i);
  const char *action = jv_get_str (in, "action");
  if (action == NULL)
    return lcr_error_invalid (err, "seccomp profile: syscalls[%zu]: no action", i);
  jv s = jv_obj ();
  jv_push (out_list, s);
  if (names)
    jv_set (s, "names", jv_copy (names));
  else
    {
      jv one = jv_set (s, "names", jv_arr ());
      if (name)
        jv_push (one, jv_str (name));
    }
  jv_set (s, "action", jv_str (action));
  jv er = jv_get (in, "errnoRet");
  if (er && er->type == yajl_t_number)
    jv_set (s, "errnoRet", jv_copy (er));
  jv args = jv_get_arr (in, "args");
  if (args && jv_len (args))
    {
      jv oa = jv_set (s, "args", jv_arr ());
      for (size_t k = 0; k < jv_len (args); k++)
        {
          jv a = args->u.array.values[k];
          jv o = jv_push (oa, jv_obj ());
          static const char *const keys[] = {"index", "value", "valueTwo", "op"};
          for (size_t j = 0; j < 4; j++)
            if (jv_get (a, keys[j]) && jv_get (a, keys[j])->type != yajl_t_null)
              jv_set (o, keys[j], jv_copy (jv_get (a, keys[j])));
        }
    }
  return 0;
}

jv
dock_seccomp_convert (jv profile, jv caps, lcr_error_t *err)
{
  if (profile == NULL || profile->type != yajl_t_object)
    {
      lcr_error_invalid (err, "seccomp profile: not a JSON object");
      return NULL;
    }
  const char *def = jv_get_str (profile, "defaultAction");
  if (def == NULL || *def == '\0')
    {
      lcr_error_invalid (err, "seccomp profile: no defaultAction");
      return NULL;
    }
  jv flat = jv_get_arr (profile, "architectures");
  jv map = jv_get_arr (profile, "archMap");
  if (flat && jv_len (flat) && map && jv_len (map))
    {
      lcr_error_invalid (err, "seccomp profile: 'architectures' and 'archMap' were specified, use either "
                              "'architectures' or 'archMap'");
      return NULL;
    }
  cleanup_jv jv out = jv_obj ();
  jv_set (out, "defaultAction", jv_str (def));
  jv der = jv_get (profile, "defaultErrnoRet");
  if (der && der->type == yajl_t_number)
    jv_set (out, "defaultErrnoRet", jv_copy (der));
  jv archs = jv_set (out, "architectures", jv_arr ());
  if (flat)
    for (size_t i = 0; i < jv_len (flat); i++)
      jv_push (archs, jv_copy (flat->u.array.values[i]));
  for (size_t i = 0; map && i < jv_len (map); i++)
    {
      jv e = map->u.array.values[i];
      const char *a = jv_get_str (e, "architecture");
      if (a == NULL || strcmp (a, native_scmp_arch ()) != 0)
        continue;
      jv_push (archs, jv_str (a));
      jv sub = jv_get_arr (e, "subArchitectures");
      for (size_t k = 0; k < jv_len (sub); k++)
        jv_push (archs, jv_copy (sub->u.array.values[k]));
    }
  if (jv_len (archs) == 0)
    jv_del (out, "architectures");
  const char *opt_keys[] = {"listenerPath", "listenerMetadata"};
  for (size_t i = 0; i < 2; i++)
    if (jv_get_str (profile, opt_keys[i]))
      jv_set (out, opt_keys[i], jv_str (jv_get_str (profile, opt_keys[i])));
  jv flags = jv_get_arr (profile, "flags");
  if (flags && jv_len (flags))
    jv_set (out, "flags", jv_copy (flags));
  jv list = jv_set (out, "syscalls", jv_arr ());
  jv sys = jv_get_arr (profile, "syscalls");
  for (size_t i = 0; i < jv_len (sys); i++)
    {
      jv s = sys->u.array.values[i];
      int r = rule_applies (s, caps, err);
      if (r < 0)
        return NULL;
      if (r == 0)
        continue;
      if (convert_syscall (s, i, list, err) < 0)
        return NULL;
    }
  return steal_pointer (&out);
}

int
dock_spec_seccomp (jv hc, jv caps, jv *out, lcr_error_t *err)
{
  *out = NULL;
  const char *choice = NULL;
  jv opts = jv_get_arr (hc, "SecurityOpt");
  for (size_t i = 0; i < jv_len (opts); i++)
    {
      const char *o = jv_as_str (opts->u.array.values[i]);
      if (o && (strncmp (o, "seccomp=", 8) == 0 || strncmp (o, "seccomp:", 8) == 0))
        choice = o + 8;
    }
  /* as docker: --privileged runs without a filter, whatever profile was asked for */
  if (jv_get_bool (hc, "Privileged", false))
    return 0;
  if (choice && strcmp (choice, "unconfined") == 0)
    return 0;
  cleanup_jv jv profile = NULL;
  if (choice == NULL || *choice == '\0' || strcmp (choice, "builtin") == 0)
    profile = dock_seccomp_default_profile ();
  else if (*choice == '{')
    {
      /* inlined by `create` (docker's CLI does the same) */
      profile = jv_parse (choice, strlen (choice), "seccomp profile", err);
      if (profile == NULL)
        return -1;
    }
  else
    {
      profile = jv_load (choice, err);
      if (profile == NULL)
        return lcr_error_wrap (err, "opening seccomp profile (%s) failed", choice);
    }
  *out = dock_seccomp_convert (profile, caps, err);
  return *out ? 0 : -1;
}
