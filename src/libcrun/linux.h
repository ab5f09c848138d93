/* berth — internal interfaces between the lifecycle code (container.c) and
 * the modules that do the kernel work.  Nothing here is for src/runtime.
 *
 * A container start is described by one struct lcr_start, filled by the
 * parent before clone; the child gets its own copy of the memory, so the
 * child's code reads the same plan without any serialisation.
 */
#ifndef LCR_LINUX_H
#define LCR_LINUX_H

#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/types.h>

#include "container.h"
#include "error.h"
#include "spec.h"

struct lcr_cgroup;

struct lcr_start
{
  struct lcr_context *ctx;
  const char *id;
  struct lcr_spec *spec;
  const struct lcr_create_opts *opts;
  char *bundle; /* absolute */
  char *rootfs; /* absolute, resolved */

  int state_dirfd;  /* locked state dir: the child must close it, or the
                       flock it shares would block `start` until execve */
  int sync_fd;      /* child's end of the socketpair */
  int fifo_fd;      /* O_PATH fd of exec.fifo, opened by the parent; -1 when none */
  int host_proc_fd; /* the host's /proc, to reopen the fifo after pivot_root */
  int console_fd;   /* where the init sends the pty master; -1: no terminal */

  /* namespaces: which to create, which to join (fds opened by the parent so a
     bad path fails before clone) */
  int new_ns_flags;          /* CLONE_NEW* to create */
  int join_fd[LCR_NS_COUNT]; /* -1 when not joined */
  bool needs_intermediate;   /* see sync.h */
  bool in_userns;            /* created or joined: mknod and some remounts differ */
  bool in_joined_mount_ns;   /* .linux.namespaces joins a mount namespace by path */
  bool parent_waits;         /* `run` reads errors until execve, and starts us with SYNC_START (no exec.fifo) */

  struct lcr_cgroup *cgroup;
  int *idmap_fds;                   /* per mount: a prepared idmapped tree, or -1 */
  struct lcr_seccomp_prog *seccomp; /* compiled by the runtime; NULL: none */
  pid_t host_pid;                   /* the init's pid on the host (SYNC_GO's value) */
};

/* namespaces.c */
int lcr_ns_clone_flag (int type);
/* Fill new_ns_flags / join_fd / needs_intermediate from the spec; opens the
   joined paths (error names the path and the JSON index). */
int lcr_ns_prepare (struct lcr_start *s, lcr_error_t *err);
void lcr_ns_close (struct lcr_start *s);
/* The flags for clone3: new_ns_flags less those the init unshares later. */
int lcr_ns_clone_flags (struct lcr_start *s);
/* In the child or intermediate: setns into every joined namespace of the
   given types, in an order that works (user first). */
int lcr_ns_join (struct lcr_start *s, bool include_user_pid_time, lcr_error_t *err);
/* Parent: write uid_map / gid_map (and setgroups) for pid. */
int lcr_ns_write_id_maps (pid_t pid, struct lcr_spec *spec, lcr_error_t *err);
/* Intermediate: unshare a new time namespace and set its offsets. */
int lcr_ns_setup_time (struct lcr_spec *spec, lcr_error_t *err);

/* process.c: clone the container's init (through an intermediate when
   needed).  Returns its pid in the host's pid namespace; the child never
   returns from here. */
int lcr_spawn_init (struct lcr_start *s, pid_t *pid, int *parent_sync_fd, lcr_error_t *err);

/* init.c: the child's ordered steps up to execve; never returns. */
__attribute__ ((noreturn)) void lcr_init_main (struct lcr_start *s);

/* init.c: the last steps of any container process, the init or an exec'd
   one: user, groups, capabilities, affinity, personality, umask, cwd, fds
   (stdio and preserve_fds stay), execve.  Returns only on failure. */
int lcr_exec_process (struct lcr_spec *spec, struct lcr_spec_process *p, bool in_userns, int preserve_fds, int *sync_fd,
                      struct lcr_seccomp_prog *seccomp, const char *exe, lcr_error_t *err);

/* process.c: foreground waiting for run and exec.  exit status as a shell
   reports it (128+signal when killed). */
int lcr_exit_code (int wstatus);
/* Forward the signals read from sfd to pid and reap children until pid
   exits; *exit_status as lcr_exit_code. */
int lcr_wait_foreground (pid_t pid, int sfd, int *exit_status, lcr_error_t *err);
/* The signals the foreground runtime forwards (all it may block). */
void lcr_forward_sigset (sigset_t *set);

/* Mounts made for the container stay out of the runtime's namespace. */
static inline bool
lcr_has_own_mount_ns (struct lcr_start *s)
{
  return (s->new_ns_flags & CLONE_NEWNS) || s->in_joined_mount_ns;
}

/* rootfs.c: propagation, the mounts, devices, pivot_root, masked and
   readonly paths, read-only root. */
int lcr_rootfs_setup (struct lcr_start *s, lcr_error_t *err);

/* mounts.c */
struct lcr_mount_flags
{
  unsigned long flags;                   /* MS_* for mount(2) */
  unsigned long propagation;             /* MS_SHARED / MS_SLAVE / … (with MS_REC) */
  unsigned long long attr_set, attr_clr; /* MOUNT_ATTR_* for recursive options ("rro") */
  bool recursive_attr;
  bool bind, rbind, idmap;
  char *data; /* what the kernel gets as options (size=…, mode=…) */
};
static inline void
lcr_mount_flags_release (struct lcr_mount_flags *f)
{
  free (f->data);
}
#define LCR_CLEANUP_MOUNT_FLAGS __attribute__ ((cleanup (lcr_mount_flags_release)))
int lcr_mount_parse_options (char **options, struct lcr_mount_flags *out, lcr_error_t *err);
/* Mount one spec mount (index for messages) under rootfd; ro_later: mount
   it writable even if "ro" (lcr_mount_finish_ro makes it read-only). */
int lcr_mount_one (struct lcr_start *s, int rootfd, size_t index, bool in_userns, bool ro_later, lcr_error_t *err);
/* mounts-ro.c: which "ro" mounts must stay writable until every mount and
   device is made (malloc'd, one per mount; NULL: none), and making one
   read-only then. */
bool *lcr_mounts_ro_later (struct lcr_spec *spec);
int lcr_mount_finish_ro (struct lcr_start *s, int rootfd, size_t index, bool in_userns, lcr_error_t *err);
/* Bind-remount path with flags, keeping the flags a user namespace locks. */
int lcr_remount_bind (const char *path, unsigned long flags, bool in_userns, lcr_error_t *err);
/* Resolve `path` under rootfd without leaving it, creating what is missing
   (directories, and the last component as a file when !dir).  O_PATH fd. */
int lcr_open_in_root (int rootfd, const char *path, bool create, bool dir, lcr_error_t *err);
/* resolve.c: an O_PATH fd of `path` (flags: O_PATH, maybe O_DIRECTORY) as seen
   from `rootfd` taken as "/"; -1 and errno otherwise */
int lcr_resolve_in_root (int rootfd, const char *path, int flags);
/* its fallback for kernels without openat2, alone (for tests) */
int lcr_resolve_in_root_walk (int rootfd, const char *path, int flags);
/* "/proc/self/fd/N" for an fd, for the mount(2) calls that need a path. */
#define LCR_FD_PATH_MAX 64
void lcr_fd_path (int fd, char buf[LCR_FD_PATH_MAX]);

/* init.c: between the mounts and pivot_root: the runtime's prestart and
   createRuntime hooks (SYNC_HOOKS round trip), then createContainer hooks. */
int lcr_init_before_pivot (struct lcr_start *s, lcr_error_t *err);
/* hooks.c helpers: does the spec have hooks of a kind; the state JSON for
   hooks and listeners. */
#define LCR_HOOKS(spec, kind)                                                                                          \
  ((spec)->hooks ? (spec)->hooks->kind : NULL), ((spec)->hooks ? (spec)->hooks->kind##_len : 0)
char *lcr_state_json_for (const char *id, pid_t pid, const char *bundle, const char *rootfs, struct lcr_spec *spec,
                          int status);

/* idmap.c: prepared in the runtime before clone, attached by the init. */
int lcr_idmap_prepare (struct lcr_start *s, lcr_error_t *err);
void lcr_idmap_close (struct lcr_start *s);
int lcr_idmap_attach (int tree, int target_fd, lcr_error_t *err);

/* devices.c */
int lcr_devices_create (int rootfd, struct lcr_spec *spec, bool in_userns, bool dev_is_ours, lcr_error_t *err);

/* proc-attrs.c: what the init sets on itself before execve. */
int lcr_apply_rlimits (struct lcr_spec_process *p, lcr_error_t *err);
int lcr_apply_sysctl (struct lcr_spec *spec, lcr_error_t *err);
int lcr_set_oom_score_adj (pid_t pid, struct lcr_spec_process *p, lcr_error_t *err);
int lcr_set_hostname (struct lcr_spec *spec, lcr_error_t *err);
int lcr_apply_personality (struct lcr_spec *spec, lcr_error_t *err);
int lcr_apply_scheduler (struct lcr_spec_process *p, lcr_error_t *err);
int lcr_apply_io_priority (struct lcr_spec_process *p, lcr_error_t *err);
/* A cpu list ("0-3,7"); field names it in errors. */
int lcr_apply_cpu_affinity (const char *list, const char *field, lcr_error_t *err);
/* Look args[0] up in the container's PATH; malloc'd absolute path. */
int lcr_find_executable (struct lcr_spec_process *p, char **out, lcr_error_t *err);

/* terminal.c */
int lcr_send_fd (int sock, int fd, lcr_error_t *err);
int lcr_recv_fd (int sock, lcr_error_t *err);
int lcr_console_socket_connect (const char *path, lcr_error_t *err);
/* In the init, after pivot_root: allocate the pty, make it our terminal and
   stdio (and, for the init, /dev/console), send the master on console_fd. */
int lcr_terminal_setup (struct lcr_spec_process *p, int console_fd, bool bind_console, lcr_error_t *err);
/* `run` in the foreground: raw mode, copy stdin/stdout to and from the
   master, forward signals and window size, until pid exits. */
int lcr_terminal_proxy (int master, pid_t pid, int sfd, int *wstatus, lcr_error_t *err);

/* seccomp.c: compile with libseccomp in the runtime, before clone; the
   child only loads the ready BPF (libseccomp never runs inside). */
struct lcr_seccomp_prog;
int lcr_seccomp_compile (struct lcr_spec_seccomp *sc, struct lcr_seccomp_prog **out, lcr_error_t *err);
/* In the child.  *notify_fd gets the listener fd when the profile has
   SCMP_ACT_NOTIFY rules (else -1). */
int lcr_seccomp_load (struct lcr_seccomp_prog *prog, int *notify_fd, lcr_error_t *err);
/* Runtime side: hand the notify fd to .linux.seccomp.listenerPath with the
   container process state JSON, as the runtime spec says. */
int lcr_seccomp_send_to_listener (struct lcr_spec_seccomp *sc, int notify_fd, pid_t pid, const char *state_json,
                                  lcr_error_t *err);
void lcr_seccomp_prog_free (struct lcr_seccomp_prog *prog);
bool lcr_seccomp_uses_notify (const struct lcr_seccomp_prog *prog);
/* lcr_seccomp_compile through a cache of exported programs in cache_dir
   (NULL: no cache); see the cache's comment in seccomp.c. */
int lcr_seccomp_compile_cached (struct lcr_spec_seccomp *sc, const char *cache_dir, struct lcr_seccomp_prog **out,
                                lcr_error_t *err);
/* The most programs the cache keeps; beyond, the least recently used go. */
#define LCR_SECCOMP_CACHE_MAX 64
/* Where the cache lives under a state root (malloc'd). */
char *lcr_seccomp_cache_dir (const char *state_root);

/* hooks.c: run hooks in order, each with state_json on its stdin, its args,
   env and timeout.  The first failure stops the list: *err names
   ".hooks.KIND[i]", the path, and what happened (exit status, signal,
   timeout, the tail of its stderr). */
/* How long a hook may run: its `timeout`, else BERTH_HOOK_TIMEOUT seconds, else this. */
#define LCR_HOOK_DEFAULT_TIMEOUT_S 120
int lcr_hook_bound_s (const struct lcr_spec_hook *h);
int lcr_hooks_run (struct lcr_spec_hook *hooks, size_t n, const char *kind, const char *state_json, lcr_error_t *err);

/* caps.c: drop the bounding set, change user keeping capabilities, then set
   the other sets and no_new_privs. */
int lcr_change_user_and_caps (struct lcr_spec_process *p, bool in_userns, lcr_error_t *err);
/* Every capability asked for is one we can give (our bounding set has it). */
int lcr_caps_check_reachable (struct lcr_spec_process *p, lcr_error_t *err);

#endif
