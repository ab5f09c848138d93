/* berth — the lifecycle: create, start, run, state, kill, delete, list.
 * Orchestration only; the kernel work is in process.c, init.c and below.
 *
 * Every failure of create undoes what was done (kill the init, remove the
 * cgroup, remove the state dir): a failed create leaves nothing behind.  The
 * init's mounts live in its own mount namespace and go with it.
 */
#define _GNU_SOURCE
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "debug.h"
#include "linux.h"
#include "pidref.h"
#include "sync.h"
#include "test-points.h"
#include "utils.h"

static const char *
state_root (struct lcr_context *ctx)
{
  return ctx->state_root ? ctx->state_root : LCR_DEFAULT_STATE_ROOT;
}

static const char *
cgroup_root (struct lcr_context *ctx)
{
  return ctx->cgroup_root ? ctx->cgroup_root : "/sys/fs/cgroup";
}

static int
write_pid_file (const char *path, pid_t pid, lcr_error_t *err)
{
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%d", pid);
  cleanup_free char *dir = xstrdup (path), *base = NULL;
  char *slash = strrchr (dir, '/');
  cleanup_close int dfd = -1;
  if (slash)
    {
      *slash = '\0';
      base = xstrdup (slash + 1);
      dfd = open (dir[0] ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (dfd < 0)
        return lcr_error_sys (err, "--pid-file `%s`", path);
    }
  else
    base = xstrdup (path);
  if (lcr_write_file_atomic_at (slash ? dfd : AT_FDCWD, base, buf, n, err) < 0)
    return lcr_error_wrap (err, "--pid-file `%s`", path);
  return 0;
}

/* Open and lock a container's state dir and read its state.json. */
static int
open_state (struct lcr_context *ctx, const char *id, bool exclusive, int *dirfd, struct lcr_state **st,
            lcr_error_t *err)
{
  *dirfd = lcr_state_open (state_root (ctx), id, exclusive, err);
  if (*dirfd < 0)
    return -1;
  if (lcr_state_read (*dirfd, st, err) == 0)
    return 0;
  if (err && *err && (*err)->code == LCR_ERR_STATE && lcr_state_damaged (*dirfd))
    lcr_error_wrap (err, "container `%s`: its state is damaged (`delete --force` kills and removes what is left of it)",
                    id);
  return -1;
}

/* created / running / stopped from the process, paused from the freezer
   (a created container can be paused too, as runc shows it). */
static int
status_of (struct lcr_context *ctx, int dirfd, struct lcr_state *st)
{
  int status = lcr_state_status (dirfd, st);
  if ((status == LCR_STATUS_RUNNING || status == LCR_STATUS_CREATED) && st->cgroup_path
      && lcr_cgroup_path_frozen (cgroup_root (ctx), st->cgroup_path))
    return LCR_STATUS_PAUSED;
  return status;
}

/* Every wait on the init has a bound: the time it may take between two
   reports, plus the timeouts of the hooks it runs itself meanwhile
   (createContainer before READY, startContainer before execve).
   BERTH_INIT_TIMEOUT (seconds) overrides the base, for slow hosts and
   for tests. */
#define LCR_INIT_TIMEOUT_S 120

static int
init_bound_ms (const struct lcr_spec_hook *hooks, size_t n)
{
  const char *env = getenv ("BERTH_INIT_TIMEOUT");
  long long s = env && *env ? strtoll (env, NULL, 10) : 0;
  long long ms = (s > 0 && s < INT_MAX / 1000 ? s : LCR_INIT_TIMEOUT_S) * 1000;
  /* only the timeouts hooks set: one without is bounded inside the init
     (BERTH_HOOK_TIMEOUT), and this bound is what catches an init that is
     stuck for any other reason */
  for (size_t i = 0; i < n; i++)
    if (hooks[i].has_timeout && hooks[i].timeout > 0)
      ms += (long long)hooks[i].timeout * 1000;
  return ms < INT_MAX ? (int)ms : INT_MAX;
}

static long long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for the init's `want` (0: for its execve, the EOF after start),
   looking at it four times a second: frozen (its cgroup was frozen under
   it) it can never answer, so say so at once; silent past bound_ms, it is
   stuck.  Either way the caller kills it and undoes the create. */
static int
wait_init (struct lcr_context *ctx, int sync_fd, struct lcr_cgroup *cg, uint32_t want, int *fd_out, int bound_ms,
           lcr_error_t *err)
{
  long long deadline = now_ms () + bound_ms;
  for (;;)
    {
      lcr_error_t e = NULL;
      int r = want ? lcr_sync_expect_within (sync_fd, want, fd_out, 250, ctx->log, &e)
                   : lcr_sync_wait_exec_within (sync_fd, 250, ctx->log, &e);
      if (r == 0)
        return 0;
      if (e->errno_ != ETIMEDOUT)
        {
          if (err)
            {
              lcr_error_release (err);
              *err = e;
            }
          else
            lcr_error_release (&e);
          return -1;
        }
      lcr_error_release (&e);
      cleanup_free char *why = NULL;
      if (cg && lcr_cgroup_frozen_why (cg, &why))
        return lcr_error_make (err, 0, LCR_ERR_STATE,
                               "the container's cgroup `%s` is frozen (%s): its init cannot go on", cg->path, why);
      if (now_ms () >= deadline)
        return lcr_error_make (err, ETIMEDOUT, LCR_ERR_SYSTEM,
                               "the container's init is stuck: no word from it in %d s (BERTH_INIT_TIMEOUT)",
                               bound_ms / 1000);
    }
}

/* Reap our child pid within timeout_ms; false if it is still there. */
static bool
reap_within (pid_t pid, int timeout_ms)
{
  for (int waited = 0;; waited += 5)
    {
      pid_t r = waitpid (pid, NULL, WNOHANG);
      if (r == pid || (r < 0 && errno == ECHILD))
        return true;
      if (waited >= timeout_ms)
        return false;
      struct timespec ts = {0, 5 * 1000 * 1000};
      nanosleep (&ts, NULL);
    }
}

/* Kill the init a create made and reap it, in bounded time: in a cgroup
   the v1 freezer holds, SIGKILL waits for a thaw, so thaw it (it is the
   container's own cgroup, about to go). */
static void
kill_init (pid_t pid, struct lcr_cgroup *cg)
{
  kill (pid, SIGKILL);
  if (reap_within (pid, 1000))
    return;
  if (cg)
    lcr_cgroup_thaw_all (cg);
  reap_within (pid, 10000);
}

/* What a create leaves to the caller (run keeps going with it). */
struct created
{
  pid_t pid;
  unsigned long long start_time;
  int dirfd;      /* state dir, locked */
  int sync_fd;    /* parent end */
  int console_fd; /* run in the foreground with a terminal: receives the master */
  struct lcr_cgroup *cgroup;
  bool poststart_hooks, poststop_hooks;
  char *rootfs;                        /* resolved; owned */
  unsigned long long host_mounts_base; /* see struct lcr_state */
  int exec_bound_ms;                   /* `run`: how long the init may take to execve */
};

static int
check_spec_for_create (struct lcr_spec *spec, lcr_error_t *err)
{
  if (spec->process == NULL)
    return lcr_error_invalid (err, "config.json: .process: missing: create needs a process to run");
  if (spec->process->args_len == 0)
    return lcr_error_invalid (err, "config.json: .process.args: empty: nothing to run");
  bool mount_ns = false, uts_ns = false;
  for (size_t i = 0; spec->linux_ && i < spec->linux_->namespaces_len; i++)
    {
      mount_ns |= spec->linux_->namespaces[i].type == LCR_NS_MOUNT;
      uts_ns |= spec->linux_->namespaces[i].type == LCR_NS_UTS;
    }
  (void)mount_ns; /* without one, the rootfs is set up in ours (see rootfs.c) */
  if ((spec->hostname && spec->hostname[0]) && !uts_ns)
    return lcr_error_invalid (err, "config.json: .hostname: setting a hostname needs a uts namespace");
  if ((spec->domainname && spec->domainname[0]) && !uts_ns)
    return lcr_error_invalid (err, "config.json: .domainname: setting a domainname needs a uts namespace");
  return 0;
}

static int
resolve_rootfs (const char *bundle, struct lcr_spec *spec, char **out, lcr_error_t *err)
{
  cleanup_free char *path = NULL;
  if (spec->root->path[0] == '/')
    path = xstrdup (spec->root->path);
  else
    xasprintf (&path, "%s/%s", bundle, spec->root->path);
  char *real = realpath (path, NULL);
  if (real == NULL)
    return lcr_error_make (err, errno, LCR_ERR_INVALID, "config.json: .root.path: rootfs `%s`", path);
  struct stat st;
  if (stat (real, &st) < 0 || !S_ISDIR (st.st_mode))
    {
      free (real);
      return lcr_error_make (err, ENOTDIR, LCR_ERR_INVALID, "config.json: .root.path: rootfs `%s`", path);
    }
  *out = real;
  return 0;
}

/* The id of the mount at path (statx), 0 if unknown. */
static unsigned long long
mount_id (const char *path)
{
  struct statx stx;
  if (statx (AT_FDCWD, path, 0, STATX_MNT_ID, &stx) < 0 || !(stx.stx_mask & STATX_MNT_ID))
    return 0;
  return stx.stx_mnt_id;
}

/* A container without its own mount namespace left its rootfs bind in ours:
   detach it, but only if the mount there is not the one that was there
   before create (the caller's own rootfs mount, e.g. an overlay). */
static void
detach_host_mounts (const char *rootfs, unsigned long long base)
{
  if (base && rootfs && mount_id (rootfs) != base)
    umount2 (rootfs, MNT_DETACH);
}

static void
undo_create (struct lcr_context *ctx, const char *id, struct created *c, int *pdirfd)
{
  if (c->pid > 0)
    kill_init (c->pid, c->cgroup);
  if (c->cgroup)
    {
      lcr_cgroup_destroy (c->cgroup, NULL);
      lcr_cgroup_free (c->cgroup);
      c->cgroup = NULL;
    }
  if (c->sync_fd >= 0)
    close (c->sync_fd);
  if (c->console_fd >= 0)
    close (c->console_fd);
  detach_host_mounts (c->rootfs, c->host_mounts_base);
  free (c->rootfs);
  c->rootfs = NULL;
  lcr_state_remove (state_root (ctx), id, NULL);
  if (*pdirfd >= 0)
    close (*pdirfd);
  *pdirfd = -1;
}

/* A cgroupsPath that names a cgroup already holding processes (a pod's, a
   caller's own): the container shares its limits and `kill --all`, `pause`
   and `delete` reach those processes too.  runc 1.1 warns and goes on. */
static void
warn_if_cgroup_busy (struct lcr_context *ctx, const char *id, struct lcr_cgroup *cg)
{
  pid_t *pids = NULL;
  size_t n = 0;
  if (lcr_cgroup_pids (cg, &pids, &n, NULL) == 0 && n > 0)
    lcr_log (ctx->log, LCR_LOG_WARNING,
             "create `%s`: the container's cgroup `%s` is not empty: %zu process(es) already in it (pid %d%s); "
             "they share its limits and signals",
             id, cg->path, n, (int)pids[0], n > 1 ? ", …" : "");
  free (pids);
}

static int
do_create (struct lcr_context *ctx, const char *id, const struct lcr_create_opts *opts, bool parent_waits,
           struct created *out, lcr_error_t *err)
{
  struct created c = {.pid = -1, .dirfd = -1, .sync_fd = -1, .console_fd = -1};
  cleanup_spec struct lcr_spec *spec = NULL;
  cleanup_free char *bundle = NULL, *rootfs = NULL;

  if (lcr_state_check_id (id, err) < 0)
    return -1;
  bundle = realpath (opts->bundle ? opts->bundle : ".", NULL);
  if (bundle == NULL)
    return lcr_error_make (err, errno, LCR_ERR_INVALID, "bundle `%s`", opts->bundle ? opts->bundle : ".");
  spec = lcr_spec_load (bundle, err);
  if (spec == NULL)
    return -1;
  LCR_DEBUG (ctx, "create `%s`: loaded %s/config.json", id, bundle);
  if (check_spec_for_create (spec, err) < 0 || resolve_rootfs (bundle, spec, &rootfs, err) < 0)
    return -1;
  if (lcr_caps_check_reachable (spec->process, err) < 0)
    return lcr_error_wrap (err, "config.json");
  LCR_DEBUG (ctx, "create `%s`: config.json checked, rootfs %s", id, rootfs);
  bool terminal = spec->process->terminal;
  if (opts->console_socket && !terminal)
    return lcr_error_invalid (err, "--console-socket needs .process.terminal set to true in config.json");
  bool foreground = parent_waits && !opts->detach;
  if (terminal && !opts->console_socket && !foreground)
    return lcr_error_invalid (err, "config.json: .process.terminal: a detached container with a terminal needs "
                                   "--console-socket to send it to");

  /* compile before anything exists: a bad profile leaves nothing behind */
  struct lcr_seccomp_prog *seccomp = NULL;
  if (spec->linux_ && spec->linux_->seccomp)
    {
      cleanup_free char *cache = lcr_seccomp_cache_dir (state_root (ctx));
      lcr_mkdir_p (state_root (ctx), 0700, NULL);
      if (lcr_seccomp_compile_cached (spec->linux_->seccomp, cache, &seccomp, err) < 0)
        return lcr_error_wrap (err, "config.json");
      LCR_DEBUG (ctx, "create `%s`: seccomp profile compiled", id);
    }

  LCR_TEST_POINT ("before-claim");
  int dirfd = lcr_state_claim (state_root (ctx), id, err);
  if (dirfd < 0)
    {
      lcr_seccomp_prog_free (seccomp);
      return -1;
    }
  LCR_TEST_POINT ("claimed");
  LCR_DEBUG (ctx, "create `%s`: state directory %s/%s claimed", id, state_root (ctx), id);

  struct lcr_start s = {.ctx = ctx,
                        .id = id,
                        .spec = spec,
                        .opts = opts,
                        .bundle = bundle,
                        .rootfs = rootfs,
                        .state_dirfd = dirfd,
                        .sync_fd = -1,
                        .fifo_fd = -1,
                        .host_proc_fd = -1,
                        .console_fd = -1,
                        .parent_waits = parent_waits,
                        .seccomp = seccomp};
  int ret = -1;
  for (int i = 0; i < LCR_NS_COUNT; i++)
    s.join_fd[i] = -1;

  /* one pass; `break` on failure falls through to the undo below */
  do
    {
      /* `run` starts the init over the sync socket: no fifo to make */
      if (!parent_waits)
        {
          /* 0622 whatever our umask: a container root mapped to another uid
             must still be able to open it for writing */
          if (mkfifoat (dirfd, LCR_EXEC_FIFO, 0622) < 0 || fchmodat (dirfd, LCR_EXEC_FIFO, 0622, 0) < 0)
            {
              lcr_error_sys (err, "create exec.fifo");
              break;
            }
          s.fifo_fd = openat (dirfd, LCR_EXEC_FIFO, O_PATH | O_CLOEXEC);
          s.host_proc_fd = open ("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
          if (s.fifo_fd < 0 || s.host_proc_fd < 0)
            {
              lcr_error_sys (err, "open exec.fifo");
              break;
            }
        }
      if (terminal && opts->console_socket
          && (s.console_fd = lcr_console_socket_connect (opts->console_socket, err)) < 0)
        break;
      if (terminal && !opts->console_socket && foreground)
        {
          int sv[2];
          if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
            {
              lcr_error_sys (err, "socketpair");
              break;
            }
          c.console_fd = sv[0];
          s.console_fd = sv[1];
        }
      if (lcr_idmap_prepare (&s, err) < 0)
        break;
      if (lcr_ns_prepare (&s, err) < 0)
        {
          lcr_error_wrap (err, "config.json");
          break;
        }
      LCR_DEBUG (ctx, "create `%s`: namespaces to create 0x%x%s", id, (unsigned)s.new_ns_flags,
                 s.needs_intermediate ? ", through an intermediate process" : "");
      c.rootfs = xstrdup (rootfs);
      if (!lcr_has_own_mount_ns (&s))
        c.host_mounts_base = mount_id (rootfs);
      if ((ctx->systemd_cgroup ? lcr_cgroup_new_systemd : lcr_cgroup_new) (
              cgroup_root (ctx), id, spec->linux_ ? spec->linux_->cgroups_path : NULL, &c.cgroup, err)
          < 0)
        break;
      {
        /* the init would stop in it before it could report: refuse, and
           leave that cgroup (not ours) as it is */
        cleanup_free char *why = NULL;
        if (lcr_cgroup_frozen_why (c.cgroup, &why))
          {
            lcr_error_make (err, 0, LCR_ERR_STATE, "the container's cgroup `%s` is frozen (%s)", c.cgroup->path, why);
            lcr_cgroup_free (c.cgroup);
            c.cgroup = NULL;
            break;
          }
      }
      /* From here on we make what outlives us if we are killed (the cgroup,
         host mounts without a mount namespace): record where it will be
         first, so that `delete` finds it.  The init needs no record: until
         the handoff it dies with us (sync.h). */
      struct lcr_state early = {.id = (char *)id,
                                .bundle = bundle,
                                .rootfs = rootfs,
                                .owner = geteuid (),
                                .cgroup_path = c.cgroup->path,
                                .systemd_cgroup = ctx->systemd_cgroup,
                                .host_mounts_base = c.host_mounts_base,
                                .creating = true};
      if (lcr_state_write (dirfd, &early, err) < 0)
        break;
      LCR_TEST_POINT ("state-early");
      if (lcr_cgroup_create (c.cgroup, err) < 0)
        break;
      warn_if_cgroup_busy (ctx, id, c.cgroup);
      LCR_DEBUG (ctx, "create `%s`: cgroup %s made (%s%s)", id, c.cgroup->path,
                 c.cgroup->kind == LCR_CGROUP_V2 ? "v2" : "v1", ctx->systemd_cgroup ? ", systemd" : "");
      if (spec->linux_ && spec->linux_->resources
          && lcr_cgroup_apply (c.cgroup, spec->linux_->resources, false, err) < 0)
        {
          lcr_error_wrap (err, "config.json");
          break;
        }
      LCR_TEST_POINT ("cgroup-made");
      LCR_DEBUG (ctx, "create `%s`: resources written", id);
      s.cgroup = c.cgroup;
      if (s.needs_intermediate || parent_waits)
        prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
      if (lcr_spawn_init (&s, &c.pid, &c.sync_fd, err) < 0)
        break;
      LCR_TEST_POINT ("cloned");
      LCR_DEBUG (ctx, "create `%s`: init cloned, pid %d", id, c.pid);
      if ((s.new_ns_flags & CLONE_NEWUSER) && lcr_ns_write_id_maps (c.pid, spec, err) < 0)
        break;
      if (lcr_cgroup_enter (c.cgroup, c.pid, err) < 0 || lcr_set_oom_score_adj (c.pid, spec->process, err) < 0)
        break;
      if (lcr_sync_send (c.sync_fd, SYNC_GO, c.pid, NULL) < 0)
        {
          lcr_error_sys (err, "signal the container's init");
          break;
        }
      LCR_DEBUG (ctx, "create `%s`: init in its cgroup%s; told to go on", id,
                 (s.new_ns_flags & CLONE_NEWUSER) ? ", id maps written" : "");
      if (spec->hooks && (spec->hooks->prestart_len || spec->hooks->create_runtime_len))
        {
          if (wait_init (ctx, c.sync_fd, c.cgroup, SYNC_HOOKS, NULL, init_bound_ms (NULL, 0), err) < 0)
            break;
          LCR_TEST_POINT ("mounts-done");
          LCR_DEBUG (ctx, "create `%s`: running prestart and createRuntime hooks", id);
          /* "created" as runc says and the validation suite checks */
          cleanup_free char *json = lcr_state_json_for (id, c.pid, bundle, rootfs, spec, LCR_STATUS_CREATED);
          if (lcr_hooks_run (LCR_HOOKS (spec, prestart), "prestart", json, err) < 0
              || lcr_hooks_run (LCR_HOOKS (spec, create_runtime), "createRuntime", json, err) < 0)
            break;
          if (lcr_sync_send (c.sync_fd, SYNC_HOOKS_DONE, 0, NULL) < 0)
            {
              lcr_error_sys (err, "signal the container's init");
              break;
            }
        }
      if (lcr_seccomp_uses_notify (seccomp))
        {
          int notify_fd;
          if (wait_init (ctx, c.sync_fd, c.cgroup, SYNC_SECCOMP, &notify_fd, init_bound_ms (NULL, 0), err) < 0)
            break;
          cleanup_free char *json = lcr_state_json_for (id, c.pid, bundle, rootfs, spec, LCR_STATUS_CREATING);
          int r = lcr_seccomp_send_to_listener (spec->linux_->seccomp, notify_fd, c.pid, json, err);
          close (notify_fd);
          if (r < 0)
            break;
        }
      if (wait_init (ctx, c.sync_fd, c.cgroup, SYNC_READY, NULL, init_bound_ms (LCR_HOOKS (spec, create_container)),
                     err)
          < 0)
        break;
      LCR_TEST_POINT ("child-ready");
      LCR_DEBUG (ctx, "create `%s`: init ready", id);
      if (c.console_fd >= 0)
        {
          /* swap the socket for the master it carried */
          int master = lcr_recv_fd (c.console_fd, err);
          close (c.console_fd);
          c.console_fd = master;
          if (master < 0)
            break;
        }

      c.start_time = lcr_proc_start_time (c.pid, NULL);
      struct lcr_state st = {.id = (char *)id,
                             .pid = c.pid,
                             .start_time = c.start_time,
                             .bundle = bundle,
                             .rootfs = rootfs,
                             .owner = geteuid (),
                             .cgroup_path = c.cgroup->path,
                             .systemd_cgroup = ctx->systemd_cgroup,
                             .poststart_hooks = spec->hooks && spec->hooks->poststart_len,
                             .poststop_hooks = spec->hooks && spec->hooks->poststop_len,
                             .host_mounts_base = c.host_mounts_base,
                             .annotations = spec->annotations,
                             .annotations_len = spec->annotations_len};
      char created[64];
      lcr_rfc3339_now (created, sizeof created);
      st.created = created;
      if (lcr_state_write (dirfd, &st, err) < 0)
        break;
      if (lcr_state_write_record (dirfd, &st, err) < 0)
        break;
      LCR_TEST_POINT ("state-written");
      LCR_DEBUG (ctx, "create `%s`: state.json written", id);
      if (opts->pid_file && write_pid_file (opts->pid_file, c.pid, err) < 0)
        break;
      /* `run` hands the init over with SYNC_START, once it is ready to wait */
      if (!parent_waits)
        {
          LCR_TEST_POINT ("handoff");
          if (lcr_sync_send (c.sync_fd, SYNC_CREATED, 0, NULL) < 0)
            {
              lcr_error_sys (err, "signal the container's init");
              break;
            }
        }
      c.exec_bound_ms = init_bound_ms (LCR_HOOKS (spec, start_container));
      c.poststart_hooks = st.poststart_hooks;
      LCR_DEBUG (ctx, "create `%s`: created, init pid %d %s", id, c.pid,
                 parent_waits ? "waits for the start" : "waits on exec.fifo for `start`");
      c.poststop_hooks = st.poststop_hooks;
      ret = 0;
    }
  while (0);

  lcr_ns_close (&s);
  lcr_idmap_close (&s);
  lcr_seccomp_prog_free (seccomp);
  if (s.console_fd >= 0)
    close (s.console_fd);
  if (s.fifo_fd >= 0)
    close (s.fifo_fd);
  if (s.host_proc_fd >= 0)
    close (s.host_proc_fd);
  if (ret < 0)
    {
      LCR_DEBUG (ctx, "create `%s`: failed (%s); undoing what was made", id, *err ? (*err)->msg : "?");
      undo_create (ctx, id, &c, &dirfd);
      return lcr_error_wrap (err, "create `%s`", id);
    }
  c.dirfd = dirfd;
  *out = c;
  return 0;
}

static void
release_created (struct created *c)
{
  if (c->dirfd >= 0)
    close (c->dirfd);
  if (c->sync_fd >= 0)
    close (c->sync_fd);
  if (c->console_fd >= 0)
    close (c->console_fd);
  lcr_cgroup_free (c->cgroup);
  free (c->rootfs);
  c->rootfs = NULL;
  c->dirfd = c->sync_fd = c->console_fd = -1;
  c->cgroup = NULL;
}

int
lcr_container_create (struct lcr_context *ctx, const char *id, const struct lcr_create_opts *opts, lcr_error_t *err)
{
  struct created c;
  if (do_create (ctx, id, opts, false, &c, err) < 0)
    return -1;
  release_created (&c);
  return 0;
}

/* poststart and poststop: their failures are only warnings (runtime spec). */
static void
run_hooks_warn (struct lcr_context *ctx, struct lcr_state *st, bool poststart)
{
  lcr_error_t err = NULL;
  cleanup_spec struct lcr_spec *spec = lcr_spec_load (st->bundle, &err);
  if (spec && spec->hooks)
    {
      int status = poststart ? LCR_STATUS_RUNNING : LCR_STATUS_STOPPED;
      cleanup_free char *json
          = lcr_state_json_for (st->id, poststart ? st->pid : 0, st->bundle, st->rootfs, spec, status);
      struct lcr_spec_hook *hooks = poststart ? spec->hooks->poststart : spec->hooks->poststop;
      size_t n = poststart ? spec->hooks->poststart_len : spec->hooks->poststop_len;
      /* one at a time: a failure warns and the next still runs */
      for (size_t i = 0; i < n; i++)
        if (lcr_hooks_run (&hooks[i], 1, poststart ? "poststart" : "poststop", json, &err) < 0)
          {
            /* lcr_hooks_run numbers from its own list: say which one */
            lcr_log (ctx->log, LCR_LOG_WARNING, "container `%s`: hook %zu of %zu: %s", st->id, i + 1, n, err->msg);
            lcr_error_release (&err);
          }
      return;
    }
  if (err)
    {
      lcr_log (ctx->log, LCR_LOG_WARNING, "container `%s`: %s", st->id, err->msg);
      lcr_error_release (&err);
    }
}

/* Let the init past exec.fifo.  dirfd is the locked state dir. */
static int
start_locked (struct lcr_context *ctx, int dirfd, const char *id, struct lcr_state *st, lcr_error_t *err)
{
  /* paused, its init could never open exec.fifo: we would wait forever */
  int status = status_of (ctx, dirfd, st);
  if (status != LCR_STATUS_CREATED)
    return lcr_error_make (err, 0, LCR_ERR_STATE, "cannot start container `%s`: it is %s, not created", id,
                           lcr_status_name (status));
  cleanup_close int fifo = openat (dirfd, LCR_EXEC_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fifo < 0)
    return lcr_error_sys (err, "start `%s`: open exec.fifo", id);
  /* the init's exit wakes us through its pidfd; without one, look every 100 ms */
  cleanup_pidref struct lcr_pidref init = {.fd = -1};
  lcr_pidref_open (&init, st->pid, st->start_time);
  int pidfd = init.fd, timeout = pidfd >= 0 ? -1 : 100;
  struct pollfd p[2] = {{.fd = fifo, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
  for (;;)
    {
      int r = poll (p, pidfd >= 0 ? 2 : 1, timeout);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return lcr_error_sys (err, "start `%s`: poll", id);
      char c;
      if (p[0].revents & POLLIN)
        {
          if (read (fifo, &c, 1) == 1)
            break;
        }
      if ((p[0].revents & POLLHUP) || (pidfd >= 0 && (p[1].revents & POLLIN)) || (r == 0 && !lcr_pidref_alive (&init)))
        return lcr_error_make (err, 0, LCR_ERR_STATE, "start `%s`: the container's init exited before it was started",
                               id);
    }
  unlinkat (dirfd, LCR_EXEC_FIFO, 0);
  /* The init keeps its end open until execve (close-on-exec): wait for that,
     so that `start` returns, and poststart runs, with the process started.
     An init that fails on the way (a startContainer hook, the exec) writes
     why before it exits: then `start` fails with that. */
  char msg[2048];
  size_t got = 0;
  p[0].events = POLLIN;
  for (;;)
    {
      int r = poll (p, pidfd >= 0 ? 2 : 1, timeout);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        break;
      bool died = (pidfd >= 0 && (p[1].revents & POLLIN)) || (r == 0 && !lcr_pidref_alive (&init));
      if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) || died)
        {
          ssize_t n = read (fifo, msg + got, sizeof msg - 1 - got);
          if (n > 0 && (got += (size_t)n) < sizeof msg - 1)
            continue; /* until EOF */
          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0 && errno == EAGAIN && !died)
            continue;
          break;
        }
    }
  if (got == 0)
    return 0;
  msg[got] = '\0';
  return lcr_error_make (err, 0, LCR_ERR_SYSTEM, "start `%s`: %s", id, msg);
}

int
lcr_container_start (struct lcr_context *ctx, const char *id, lcr_error_t *err)
{
  cleanup_close int dirfd = -1;
  cleanup_state struct lcr_state *st = NULL;
  if (open_state (ctx, id, true, &dirfd, &st, err) < 0)
    return -1;
  if (start_locked (ctx, dirfd, id, st, err) < 0)
    return -1;
  if (st->poststart_hooks)
    run_hooks_warn (ctx, st, true);
  return 0;
}

/* Remove what is left of a stopped container: its cgroup, its state dir. */
static int
destroy (struct lcr_context *ctx, const char *id, struct lcr_cgroup *cg, const char *cgroup_path, const char *rootfs,
         unsigned long long host_mounts_base, lcr_error_t *err)
{
  cleanup_cgroup struct lcr_cgroup *loaded = NULL;
  if (cg == NULL && cgroup_path && lcr_cgroup_load (cgroup_root (ctx), cgroup_path, &loaded, err) < 0)
    return lcr_error_wrap (err, "delete `%s`", id);
  if (cg == NULL)
    cg = loaded;
  /* the cgroup first: it kills what is left in it, which might still mount */
  if (cg && lcr_cgroup_destroy (cg, err) < 0)
    return lcr_error_wrap (err, "delete `%s`", id);
  detach_host_mounts (rootfs, host_mounts_base);
  return lcr_state_remove (state_root (ctx), id, err);
}

/* The state dir (locked) still describes the container `run` created: the
   same init, by pid and start time. */
static bool
still_ours (int dirfd, const struct created *c)
{
  cleanup_state struct lcr_state *st = NULL;
  if (lcr_state_read (dirfd, &st, NULL) < 0)
    return false;
  return st->pid == c->pid && st->start_time == c->start_time;
}

int
lcr_container_run (struct lcr_context *ctx, const char *id, const struct lcr_create_opts *opts, int *exit_status,
                   lcr_error_t *err)
{
  struct created c;
  sigset_t fwd, old;
  *exit_status = 0;

  /* Block before the init exists, so no SIGCHLD or forwarded signal is lost;
     the init unblocks everything for itself. */
  lcr_forward_sigset (&fwd);
  if (!opts->detach)
    sigprocmask (SIG_BLOCK, &fwd, &old);

  if (do_create (ctx, id, opts, true, &c, err) < 0)
    return -1;
  cleanup_free char *bundle = NULL, *rootfs = NULL;
  struct lcr_state st = {.id = (char *)id, .pid = c.pid, .start_time = c.start_time};
  if (c.poststart_hooks || c.poststop_hooks)
    {
      /* the hooks' state names the bundle: read it back only for them */
      cleanup_state struct lcr_state *saved = NULL;
      if (lcr_state_read (c.dirfd, &saved, NULL) == 0)
        {
          bundle = steal_pointer (&saved->bundle);
          rootfs = steal_pointer (&saved->rootfs);
        }
      st.bundle = bundle, st.rootfs = rootfs;
    }
  /* let `state` and `kill` from other processes in while it runs */
  close (c.dirfd);
  c.dirfd = -1;

  /* start, then EOF: the init exec'd; a message: it could not */
  LCR_TEST_POINT ("handoff");
  if (lcr_sync_send (c.sync_fd, SYNC_START, 0, NULL) < 0
      || wait_init (ctx, c.sync_fd, c.cgroup, 0, NULL, c.exec_bound_ms, err) < 0)
    {
      if (err && *err == NULL)
        lcr_error_sys (err, "start the container's init");
      kill_init (c.pid, c.cgroup);
      destroy (ctx, id, c.cgroup, NULL, c.rootfs, c.host_mounts_base, NULL);
      release_created (&c);
      return lcr_error_wrap (err, "run `%s`", id);
    }
  close (c.sync_fd);
  c.sync_fd = -1;
  LCR_TEST_POINT ("running");
  if (c.poststart_hooks && bundle)
    run_hooks_warn (ctx, &st, true);
  if (opts->detach)
    {
      release_created (&c);
      return 0;
    }

  cleanup_close int sfd = signalfd (-1, &fwd, SFD_CLOEXEC);
  if (sfd < 0)
    {
      release_created (&c);
      return lcr_error_sys (err, "signalfd");
    }
  int ret;
  if (c.console_fd >= 0)
    {
      int wstatus = 0;
      ret = lcr_terminal_proxy (c.console_fd, c.pid, sfd, &wstatus, err);
      *exit_status = lcr_exit_code (wstatus);
    }
  else
    ret = lcr_wait_foreground (c.pid, sfd, exit_status, err);
  sigprocmask (SIG_SETMASK, &old, NULL);
  if (ret == 0 && !opts->keep)
    {
      /* A `delete --force` may have removed the container while it ran (and
         run its poststop hooks), and a create may have reused the id since:
         remove only what is still ours. */
      cleanup_close int dirfd = lcr_state_open (state_root (ctx), id, true, NULL);
      if (dirfd >= 0 && still_ours (dirfd, &c))
        {
          if (c.poststop_hooks && bundle)
            run_hooks_warn (ctx, &st, false);
          ret = destroy (ctx, id, c.cgroup, NULL, c.rootfs, c.host_mounts_base, err);
        }
    }
  release_created (&c);
  return ret;
}

int
lcr_container_state (struct lcr_context *ctx, const char *id, char **json, lcr_error_t *err)
{
  cleanup_close int dirfd = -1;
  cleanup_state struct lcr_state *st = NULL;
  if (open_state (ctx, id, false, &dirfd, &st, err) < 0)
    return -1;
  *json = lcr_state_to_json (st, status_of (ctx, dirfd, st), true);
  return 0;
}

/* A SIGKILL to a process of a frozen v1 cgroup waits for the thaw (v2's
   freezer lets fatal signals through): thaw it, so that killing a paused
   container works, as containerd expects of `ctr task kill -s KILL` and
   `ctr task rm -f` on a paused task.  Other signals wait for `resume`. */
static void
thaw_for_kill (struct lcr_context *ctx, const struct lcr_state *st)
{
  if (st->cgroup_path == NULL || !lcr_cgroup_path_frozen (cgroup_root (ctx), st->cgroup_path))
    return;
  cleanup_cgroup struct lcr_cgroup *cg = NULL;
  if (lcr_cgroup_load (cgroup_root (ctx), st->cgroup_path, &cg, NULL) == 0)
    lcr_cgroup_freeze (cg, false, NULL);
}

int
lcr_container_kill (struct lcr_context *ctx, const char *id, int signo, bool all, lcr_error_t *err)
{
  cleanup_close int dirfd = -1;
  cleanup_state struct lcr_state *st = NULL;
  if (open_state (ctx, id, false, &dirfd, &st, err) < 0)
    return -1;
  int status = lcr_state_status (dirfd, st);
  /* --all of a stopped container is no error (as runc's): what is left in its
     cgroup still gets the signal (without a pid namespace the init's children
     outlive it), and containerd's `ctr task rm -f` sends it to a task that
     has already exited */
  if (status == LCR_STATUS_STOPPED && !all)
    return lcr_error_make (err, 0, LCR_ERR_STATE, "cannot kill container `%s`: it is not running", id);
  if (all && st->cgroup_path)
    {
      cleanup_cgroup struct lcr_cgroup *cg = NULL;
      if (lcr_cgroup_load (cgroup_root (ctx), st->cgroup_path, &cg, err) < 0 || lcr_cgroup_kill (cg, signo, err) < 0)
        {
          if (status != LCR_STATUS_STOPPED)
            return lcr_error_wrap (err, "kill `%s`", id);
          lcr_error_release (err); /* stopped, its cgroup gone: nothing to signal */
        }
    }
  else if (status == LCR_STATUS_STOPPED)
    return 0;
  else
    {
      cleanup_pidref struct lcr_pidref init = {.fd = -1};
      if (lcr_pidref_open (&init, st->pid, st->start_time) < 0 || lcr_pidref_signal (&init, signo) < 0)
        {
          if (errno == ESRCH)
            return lcr_error_make (err, 0, LCR_ERR_STATE, "cannot kill container `%s`: it is not running", id);
          return lcr_error_sys (err, "kill `%s`", id);
        }
    }
  if (signo == SIGKILL)
    thaw_for_kill (ctx, st);
  return 0;
}

int
lcr_container_delete (struct lcr_context *ctx, const char *id, bool force, lcr_error_t *err)
{
  if (lcr_state_check_id (id, err) < 0)
    return -1;
  cleanup_close int dirfd = lcr_state_open (state_root (ctx), id, true, err);
  if (dirfd < 0)
    {
      /* --force is `rm -f`: nothing to delete is no error.  containerd's shim
         ends every container, and every failed create, with `delete --force`;
         podman does so after a failed create too.  Both log a failure. */
      if (force && (*err)->code == LCR_ERR_NOT_FOUND)
        {
          lcr_error_release (err);
          return 0;
        }
      return -1;
    }
  cleanup_state struct lcr_state *st = NULL;
  if (lcr_state_read (dirfd, &st, err) < 0)
    {
      if ((*err)->code != LCR_ERR_STATE)
        return -1;
      /* no state.json: a create that died half-way (we hold its lock, so it
         is not running) — nothing else of it can be found */
      if (!lcr_state_damaged (dirfd))
        {
          lcr_error_release (err);
          return lcr_state_remove (state_root (ctx), id, err);
        }
      /* damaged: its init and cgroup may live on.  Only --force goes on,
         from the second record create wrote; without one, say what could
         not be cleaned rather than lose track of a live container. */
      if (!force)
        return lcr_error_wrap (err, "cannot delete container `%s`: its state is damaged (use --force)", id);
      cleanup_error lcr_error_t damage = steal_pointer (err);
      if (lcr_state_read_record (dirfd, &st, err) < 0)
        {
          cleanup_free char *why = xstrdup ((*err)->msg);
          return lcr_error_make (err, 0, LCR_ERR_STATE,
                                 "delete `%s`: its state is damaged (%s) and its second record unreadable (%s): "
                                 "cannot tell its process and cgroup, so nothing was killed or removed; stop them "
                                 "and remove `%s/%s` by hand",
                                 id, damage->msg, why, state_root (ctx), id);
        }
      lcr_log (ctx->log, LCR_LOG_WARNING, "container `%s`: %s; deleting it from its second record", id, damage->msg);
    }
  int status = lcr_state_status (dirfd, st);
  if (status != LCR_STATUS_STOPPED)
    {
      if (!force)
        return lcr_error_make (err, 0, LCR_ERR_STATE,
                               "cannot delete container `%s`: it is %s (stop it first, or use --force)", id,
                               lcr_status_name (status));
      cleanup_pidref struct lcr_pidref init = {.fd = -1};
      bool init_alive = lcr_pidref_open (&init, st->pid, st->start_time) == 0;
      if (init_alive)
        lcr_pidref_signal (&init, SIGKILL);
      if (st->cgroup_path)
        {
          cleanup_cgroup struct lcr_cgroup *cg = NULL;
          if (lcr_cgroup_load (cgroup_root (ctx), st->cgroup_path, &cg, NULL) == 0)
            lcr_cgroup_kill (cg, SIGKILL, NULL);
        }
      thaw_for_kill (ctx, st);
      if (init_alive && !lcr_pidref_wait_exit (&init, 10000))
        return lcr_error_make (err, ETIMEDOUT, LCR_ERR_SYSTEM, "delete `%s`: the container's init did not die", id);
    }
  if (st->poststop_hooks)
    run_hooks_warn (ctx, st, false);
  /* the systemd driver stops the unit as well */
  cleanup_cgroup struct lcr_cgroup *sd = NULL;
  if (st->systemd_cgroup && st->cgroup_path
      && lcr_cgroup_load_systemd (cgroup_root (ctx), st->cgroup_path, &sd, err) < 0)
    return lcr_error_wrap (err, "delete `%s`", id);
  return destroy (ctx, id, sd, st->cgroup_path, st->rootfs, st->host_mounts_base, err);
}

int
lcr_container_list (struct lcr_context *ctx, struct lcr_container_info **out, size_t *n, lcr_error_t *err)
{
  char **ids = NULL;
  size_t count = 0;
  *out = NULL;
  *n = 0;
  if (lcr_state_list (state_root (ctx), &ids, &count, err) < 0)
    return -1;
  struct lcr_container_info *infos = xmalloc0 ((count + 1) * sizeof *infos);
  size_t k = 0;
  cleanup_close int rootfd = open (state_root (ctx), O_PATH | O_DIRECTORY | O_CLOEXEC);
  for (size_t i = 0; i < count; i++)
    {
      /* no lock: list is a snapshot, and must stay fast with many containers */
      cleanup_close int dirfd = rootfd >= 0 ? openat (rootfd, ids[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
      struct lcr_state *st = NULL;
      struct lcr_container_info *info = &infos[k];
      info->id = ids[i];
      ids[i] = NULL;
      if (dirfd >= 0 && lcr_state_read (dirfd, &st, NULL) < 0 && lcr_state_damaged (dirfd))
        {
          /* say so, with what the second record tells, rather than guess */
          info->status = LCR_STATUS_DAMAGED;
          if (lcr_state_read_record (dirfd, &st, NULL) == 0)
            {
              info->pid = lcr_proc_alive (st->pid, st->start_time) ? st->pid : 0;
              info->bundle = steal_pointer (&st->bundle);
              info->rootfs = steal_pointer (&st->rootfs);
              info->created = steal_pointer (&st->created);
              info->owner = st->owner;
              lcr_state_free (st);
            }
        }
      else if (dirfd >= 0 && st)
        {
          info->status = status_of (ctx, dirfd, st);
          /* a create still under way holds the lock; one that died does not */
          if (st->creating && flock (dirfd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK)
            info->status = LCR_STATUS_CREATING;
          info->pid = info->status == LCR_STATUS_STOPPED ? 0 : st->pid;
          info->bundle = steal_pointer (&st->bundle);
          info->rootfs = steal_pointer (&st->rootfs);
          info->created = steal_pointer (&st->created);
          info->owner = st->owner;
          info->annotations = steal_pointer (&st->annotations);
          info->annotations_len = st->annotations_len;
          st->annotations_len = 0;
          lcr_state_free (st);
        }
      else if (dirfd >= 0 && flock (dirfd, LOCK_SH | LOCK_NB) == 0)
        info->status = LCR_STATUS_STOPPED; /* no state.json and no creator: a create that died */
      else
        info->status = LCR_STATUS_CREATING;
      k++;
    }
  for (size_t i = 0; i < count; i++)
    free (ids[i]);
  free (ids);
  *out = infos;
  *n = k;
  return 0;
}

void
lcr_container_info_free (struct lcr_container_info *infos, size_t n)
{
  for (size_t i = 0; infos && i < n; i++)
    {
      free (infos[i].id);
      free (infos[i].bundle);
      free (infos[i].rootfs);
      free (infos[i].created);
      for (size_t k = 0; k < infos[i].annotations_len; k++)
        {
          free (infos[i].annotations[k].key);
          free (infos[i].annotations[k].value);
        }
      free (infos[i].annotations);
    }
  free (infos);
}

int
lcr_container_pids (struct lcr_context *ctx, const char *id, pid_t **pids, size_t *n, lcr_error_t *err)
{
  cleanup_close int dirfd = -1;
  cleanup_state struct lcr_state *st = NULL;
  if (open_state (ctx, id, false, &dirfd, &st, err) < 0)
    return -1;
  *pids = NULL;
  *n = 0;
  if (lcr_state_status (dirfd, st) == LCR_STATUS_STOPPED)
    return 0;
  if (st->cgroup_path == NULL)
    {
      *pids = xmalloc0 (sizeof (pid_t));
      (*pids)[(*n)++] = st->pid;
      return 0;
    }
  cleanup_cgroup struct lcr_cgroup *cg = NULL;
  if (lcr_cgroup_load (cgroup_root (ctx), st->cgroup_path, &cg, err) < 0 || lcr_cgroup_pids (cg, pids, n, err) < 0)
    return lcr_error_wrap (err, "ps `%s`", id);
  return 0;
}
