/* berth — the container's init, from clone to execve.
 *
 * The steps, in order (the order matters; see the comments):
 *   1. wait for SYNC_GO: id maps are written and we are in the cgroup
 *   2. become root of a user namespace, join the namespaces given by path
 *   3. hostname, rlimits, keyring
 *   4. the rootfs (mounts, devices, pivot_root, masked/readonly paths)
 *   5. find the program, report SYNC_READY, wait for the handoff (sync.h)
 *   6. block on exec.fifo until `start` (create) — the process must not run before
 *   7. user, groups, capabilities, no_new_privs, umask, cwd
 *   8. mark every fd but stdio and --preserve-fds close-on-exec; execve
 * Any failure is sent to the parent as SYNC_ERROR; after `create` returned
 * there is no parent listening, and the error goes to our stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux.h"
#include "debug.h"
#include "sync.h"
#include "utils.h"

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

/* Wait for the runtime's `type`; its value is returned in *value. */
static int
wait_for (int fd, uint32_t type, pid_t *value, lcr_error_t *err)
{
  struct lcr_sync_msg msg;
  int r = lcr_sync_recv (fd, &msg);
  if (r <= 0)
    _exit (1); /* the parent is gone: nothing to report to */
  if (msg.type != type)
    return lcr_error_make (err, EPROTO, LCR_ERR_SYSTEM, "unexpected message %u from the runtime", msg.type);
  if (value)
    *value = msg.value;
  return 0;
}

static int
run_hooks_inside (struct lcr_start *s, struct lcr_spec_hook *hooks, size_t n, const char *kind, int status,
                  lcr_error_t *err)
{
  if (n == 0)
    return 0;
  cleanup_free char *json = lcr_state_json_for (s->id, s->host_pid, s->bundle, s->rootfs, s->spec, status);
  return lcr_hooks_run (hooks, n, kind, json, err);
}

int
lcr_init_before_pivot (struct lcr_start *s, lcr_error_t *err)
{
  struct lcr_spec *spec = s->spec;
  bool runtime_hooks = spec->hooks && (spec->hooks->prestart_len || spec->hooks->create_runtime_len);
  if (runtime_hooks)
    {
      if (lcr_sync_send (s->sync_fd, SYNC_HOOKS, 0, NULL) < 0)
        return lcr_error_sys (err, "signal the runtime");
      if (wait_for (s->sync_fd, SYNC_HOOKS_DONE, NULL, err) < 0)
        return -1;
    }
  /* in the container's namespaces, with paths still resolved on the host */
  return run_hooks_inside (s, LCR_HOOKS (spec, create_container), "createContainer", LCR_STATUS_CREATED, err);
}

/* Block until `start` opens exec.fifo for reading.  The fifo lives in the
   state dir, outside the rootfs: reopen our O_PATH fd through the host's
   /proc, which we kept open across pivot_root. */
static int
wait_for_start (struct lcr_start *s, int *fifo_out, lcr_error_t *err)
{
  char path[64];
  snprintf (path, sizeof path, "self/fd/%d", s->fifo_fd);
  int fd;
  do
    fd = openat (s->host_proc_fd, path, O_WRONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return lcr_error_sys (err, "open exec.fifo");
  if (write (fd, "0", 1) != 1)
    {
      close (fd);
      return lcr_error_sys (err, "write exec.fifo");
    }
  /* Left open, close-on-exec: `start` waits for it to close, so it returns
     (and runs poststart) once we exec'd, or died trying; in which case we
     write why to it first (lcr_init_main), and `start` fails with that. */
  *fifo_out = fd;
  return 0;
}

static int
prepare (struct lcr_start *s, char **exe, lcr_error_t *err)
{
  struct lcr_spec *spec = s->spec;
  struct lcr_spec_process *p = spec->process;
  bool in_userns = s->in_userns;

  if (p->exec_cpu_affinity
      && lcr_apply_cpu_affinity (p->exec_cpu_affinity->initial, ".process.execCPUAffinity.initial", err) < 0)
    return -1;
  if (wait_for (s->sync_fd, SYNC_GO, &s->host_pid, err) < 0)
    return -1;
  lcr_child_debug (s->ctx, s->sync_fd, "init: going on as pid %d on the host", s->host_pid);
  if (in_userns && (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0))
    return lcr_error_sys (err, "become root in the user namespace (is uid/gid 0 mapped?)");
  if (!s->needs_intermediate && lcr_ns_join (s, false, err) < 0)
    return -1;
  lcr_ns_close (s);
  /* now that we are in the container's cgroup (see lcr_ns_clone_flags) */
  if ((s->new_ns_flags & CLONE_NEWCGROUP) && unshare (CLONE_NEWCGROUP) < 0)
    return lcr_error_sys (err, "create the cgroup namespace");

  lcr_child_debug (s->ctx, s->sync_fd, "init: in the container's namespaces");
  if (lcr_set_hostname (spec, err) < 0)
    return -1;
  if (lcr_apply_rlimits (p, err) < 0 || lcr_apply_scheduler (p, err) < 0 || lcr_apply_io_priority (p, err) < 0)
    return -1;
  if (!s->opts->no_new_keyring)
    /* a fresh session keyring, so keys don't leak between containers */
    syscall (SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, s->id);

  umask (0);
  lcr_child_debug (s->ctx, s->sync_fd, "init: hostname, rlimits, scheduler set; setting up the rootfs %s", s->rootfs);
  if (lcr_rootfs_setup (s, err) < 0)
    return -1;
  lcr_child_debug (s->ctx, s->sync_fd, "init: rootfs ready (mounts, devices, %s, masked and read-only paths)",
                   s->opts->no_pivot ? "chroot" : "pivot_root");
  if (s->console_fd >= 0)
    {
      int r = lcr_terminal_setup (p, s->console_fd, true, err);
      close (s->console_fd);
      s->console_fd = -1;
      if (r < 0)
        return -1;
    }

  /* cwd: create it as root if the image lacks it, as runc does */
  struct stat st;
  if (stat (p->cwd, &st) < 0 && lcr_mkdir_p (p->cwd, 0755, NULL) < 0)
    return lcr_error_sys (err, ".process.cwd: `%s`", p->cwd);
  if (lcr_find_executable (p, exe, err) < 0)
    return -1;
  lcr_child_debug (s->ctx, s->sync_fd, "init: will run %s", *exe);

  /* A listener must get its fd while `create` still runs: load now (as runc
     does), with no_new_privs first if asked, and send the fd up. */
  if (lcr_seccomp_uses_notify (s->seccomp))
    {
      int notify_fd;
      if (p->no_new_privileges && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return lcr_error_sys (err, ".process.noNewPrivileges");
      if (lcr_seccomp_load (s->seccomp, &notify_fd, err) < 0)
        return -1;
      s->seccomp = NULL; /* loaded */
      int r = lcr_sync_send_fd (s->sync_fd, SYNC_SECCOMP, notify_fd);
      close (notify_fd);
      if (r < 0)
        return lcr_error_sys (err, "send the seccomp listener fd");
    }
  return 0;
}

int
lcr_exec_process (struct lcr_spec *spec, struct lcr_spec_process *p, bool in_userns, int preserve_fds, int *sync_fd,
                  struct lcr_seccomp_prog *seccomp, const char *exe, lcr_error_t *err)
{
  /* Everything of ours that a profile might forbid happens before the
     filter is loaded: only setuid/capset/prctl (without no_new_privs) and
     execve run under it, as with runc. */
  if (p->exec_cpu_affinity
      && lcr_apply_cpu_affinity (p->exec_cpu_affinity->final, ".process.execCPUAffinity.final", err) < 0)
    return -1;
  if (lcr_apply_personality (spec, err) < 0)
    return -1;
  umask (p->user.has_umask ? p->user.umask : 0022);
  /* cwd as root first: the runtime may reach what the user can't (a volume
     chowned to the user is the other way round: retried below) */
  bool chdir_later = false;
  if (chdir (p->cwd) < 0)
    {
      if (errno != EACCES && errno != EPERM)
        return lcr_error_sys (err, ".process.cwd: chdir `%s`", p->cwd);
      chdir_later = true;
    }
  /* a cwd reached through a leaked fd would lie outside our root
     (CVE-2024-21626): the kernel then reports it as "(unreachable)/…" */
  char cwd[PATH_MAX];
  if (!chdir_later && (getcwd (cwd, sizeof cwd) == NULL || cwd[0] != '/'))
    return lcr_error_make (err, 0, LCR_ERR_INVALID, ".process.cwd: `%s` is outside the container", p->cwd);
  /* stdio and --preserve-fds go in; everything else of ours is closed by
     execve (the sync socket's close is how the parent learns we exec'd) */
  int first = 3 + (preserve_fds > 0 ? preserve_fds : 0);
  for (int fd = 3; fd < first; fd++)
    {
      int flags = fcntl (fd, F_GETFD);
      if (flags >= 0)
        fcntl (fd, F_SETFD, flags & ~FD_CLOEXEC);
    }
  if (*sync_fd < first)
    {
      int moved = fcntl (*sync_fd, F_DUPFD_CLOEXEC, first);
      if (moved < 0)
        return lcr_error_sys (err, "move the sync socket");
      *sync_fd = moved;
    }
  if (syscall (SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    lcr_close_fds_from (first); /* old kernels: close them, losing only the EOF signal */

  /* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load before
     the capabilities go.  With it, load as late as possible. */
  if (!p->no_new_privileges && lcr_seccomp_load (seccomp, NULL, err) < 0)
    return -1;
  if (lcr_change_user_and_caps (p, in_userns, err) < 0)
    return -1;
  if (p->no_new_privileges && lcr_seccomp_load (seccomp, NULL, err) < 0)
    return -1;
  if (chdir_later)
    {
      if (chdir (p->cwd) < 0)
        return lcr_error_sys (err, ".process.cwd: chdir `%s`", p->cwd);
      if (getcwd (cwd, sizeof cwd) == NULL || cwd[0] != '/')
        return lcr_error_make (err, 0, LCR_ERR_INVALID, ".process.cwd: `%s` is outside the container", p->cwd);
    }
  execve (exe, p->args, p->env ? p->env : (char *[]){NULL});
  return lcr_error_make (err, errno, LCR_ERR_SYSTEM, "exec `%s`", exe);
}

static int
cmp_int (const void *a, const void *b)
{
  return *(const int *)a - *(const int *)b;
}

/* Close every fd the runtime's caller gave us except stdio, --preserve-fds
   and our own: while we wait for `start` we must not hold the caller's
   pipes open (its reader would never see EOF). */
static void
close_inherited_fds (struct lcr_start *s)
{
  size_t mounts = s->idmap_fds ? s->spec->mounts_len : 0;
  cleanup_free int *keep = xmalloc0 ((8 + LCR_NS_COUNT + mounts) * sizeof (int));
  int n = 0;
  int first = 3 + (s->opts->preserve_fds > 0 ? s->opts->preserve_fds : 0);
  int own[] = {s->sync_fd, s->fifo_fd, s->host_proc_fd, s->console_fd};
  for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
    if (own[i] >= first)
      keep[n++] = own[i];
  for (int i = 0; i < LCR_NS_COUNT; i++)
    if (s->join_fd[i] >= first)
      keep[n++] = s->join_fd[i];
  for (size_t i = 0; i < mounts; i++)
    if (s->idmap_fds[i] >= first)
      keep[n++] = s->idmap_fds[i];
  qsort (keep, n, sizeof (int), cmp_int);
  lcr_close_fds_except (first, keep, n);
}

void
lcr_init_main (struct lcr_start *s)
{
  lcr_error_t err = NULL;
  cleanup_free char *exe = NULL;
  bool ready = false;
  int fifo_w = -1; /* exec.fifo, opened for writing once `start` came */

  /* the runtime blocks signals to forward them; the container must not
     inherit that */
  if (s->state_dirfd >= 0)
    close (s->state_dirfd);
  close_inherited_fds (s);
  /* Until execve we are berth's code in the container's pid namespace: keep
     its processes out of our /proc/PID/{exe,fd,mem} (CVE-2019-5736).
     execve makes the program dumpable again. */
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
  lcr_reset_signals ();
  /* if the runtime dies before it hands us over, so do we, at once (not
     through an intermediate, which exits on purpose: there the EOF at our
     next wait on the sync socket does it) */
  if (!s->needs_intermediate)
    prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);

  if (prepare (s, &exe, &err) < 0)
    goto fail;
  /* `create` exits right after the handoff: the death signal must go
     before, and can, as from here we only wait on the sync socket, whose EOF
     says the runtime died just as well */
  prctl (PR_SET_PDEATHSIG, 0, 0, 0, 0);
  if (lcr_sync_send (s->sync_fd, SYNC_READY, 0, NULL) < 0)
    _exit (1);
  /* Still the runtime's until it has recorded us in state.json and hands us
     over: if it dies before, so do we, and `delete` has no process to look
     for. */
  if (wait_for (s->sync_fd, s->fifo_fd >= 0 ? SYNC_CREATED : SYNC_START, NULL, &err) < 0)
    goto fail;
  ready = true;
  if (s->fifo_fd >= 0 && wait_for_start (s, &fifo_w, &err) < 0)
    goto fail;
  if (s->host_proc_fd >= 0)
    close (s->host_proc_fd);
  if (s->fifo_fd >= 0)
    close (s->fifo_fd);
  /* in the container, with paths resolved in it */
  if (run_hooks_inside (s, LCR_HOOKS (s->spec, start_container), "startContainer", LCR_STATUS_CREATED, &err) < 0)
    goto fail;
  lcr_exec_process (s->spec, s->spec->process, s->in_userns, s->opts->preserve_fds, &s->sync_fd, s->seccomp, exe, &err);
fail:
  {
    /* to the parent while it listens; after `create` returned, to stderr */
    if (ready && !s->parent_waits)
      {
        char *line = NULL;
        if (xasprintf (&line, "berth: %s\n", err->msg) > 0)
          lcr_write_all (2, line, strlen (line));
        free (line);
      }
    /* `start` reads this to fail with our error (a startContainer hook, the
       exec): its stdio is not ours */
    if (fifo_w >= 0)
      {
        signal (SIGPIPE, SIG_IGN);
        lcr_write_all (fifo_w, err->msg, strlen (err->msg));
      }
    lcr_sync_send_error (s->sync_fd, &err);
    _exit (127);
  }
}
