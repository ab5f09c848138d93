/* berth — `exec`: a new process in a created or running container.
 *
 * The runtime opens a pidfd of the container's init and forks an
 * intermediate that joins, with one setns(pidfd, flags) (or one setns per
 * /proc/PID/ns/ file before Linux 5.8), every namespace in
 * which the init differs from us; it forks the process itself (so a pid
 * namespace takes effect), reports its pid (SYNC_PID) and exits.  We are a
 * child subreaper, so the process is reparented to us.  Then, as for the
 * init (sync.h): we put it in the container's cgroup and send SYNC_GO; it
 * sets itself up and execs (EOF) or reports SYNC_ERROR.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "container.h"
#include "linux.h"
#include "pidref.h"
#include "sync.h"
#include "utils.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static void
strv_free (char **v)
{
  for (size_t i = 0; v && v[i]; i++)
    free (v[i]);
  free (v);
}

static void
strv_append (char ***v, size_t *len, const char *s)
{
  *v = xrealloc (*v, (*len + 2) * sizeof (char *));
  (*v)[(*len)++] = xstrdup (s);
  (*v)[*len] = NULL;
}

/* --env NAME=VALUE replaces NAME if the container's env has it. */
static void
env_set (struct lcr_spec_process *p, const char *kv)
{
  const char *eq = strchr (kv, '=');
  size_t name_len = eq ? (size_t)(eq - kv) : strlen (kv);
  for (size_t i = 0; i < p->env_len; i++)
    if (strncmp (p->env[i], kv, name_len) == 0 && p->env[i][name_len] == '=')
      {
        free (p->env[i]);
        p->env[i] = xstrdup (kv);
        return;
      }
  strv_append (&p->env, &p->env_len, kv);
}

static int
parse_id (const char *s, uint32_t *out)
{
  long long v;
  if (lcr_parse_long (s, &v) < 0 || v < 0 || v > UINT32_MAX)
    return -1;
  *out = (uint32_t)v;
  return 0;
}

/* The process to run: --process FILE, or the container's process with the
   command line's changes. */
static int
build_process (struct lcr_spec *spec, const struct lcr_exec_opts *o, struct lcr_spec_process **out, lcr_error_t *err)
{
  struct lcr_spec_process *p;
  if (o->process_file)
    {
      cleanup_free char *json = NULL;
      size_t len;
      if (lcr_read_file (o->process_file, &json, &len, err) < 0)
        return lcr_error_wrap (err, "exec --process");
      p = lcr_spec_parse_process (json, len, err);
      if (p == NULL)
        return lcr_error_wrap (err, "exec --process `%s`", o->process_file);
      *out = p;
      return 0;
    }
  if (spec->process == NULL)
    return lcr_error_invalid (err, "exec: the container's config.json has no .process to start from");
  if (o->args == NULL || o->args[0] == NULL)
    return lcr_error_invalid (err, "exec: no command given (berth exec [flags] ID COMMAND [ARG...])");
  p = steal_pointer (&spec->process);
  *out = p;

  strv_free (p->args);
  p->args = NULL;
  p->args_len = 0;
  for (size_t i = 0; o->args[i]; i++)
    strv_append (&p->args, &p->args_len, o->args[i]);
  for (size_t i = 0; o->env && o->env[i]; i++)
    env_set (p, o->env[i]);
  if (o->cwd)
    {
      free (p->cwd);
      p->cwd = xstrdup (o->cwd);
    }
  if (o->user)
    {
      cleanup_free char *u = xstrdup (o->user);
      char *colon = strchr (u, ':');
      if (colon)
        *colon = '\0';
      if (parse_id (u, &p->user.uid) < 0 || (colon && parse_id (colon + 1, &p->user.gid) < 0))
        return lcr_error_invalid (err, "exec --user `%s`: want UID or UID:GID (numbers)", o->user);
    }
  for (size_t i = 0; o->additional_gids && o->additional_gids[i]; i++)
    {
      uint32_t g;
      if (parse_id (o->additional_gids[i], &g) < 0)
        return lcr_error_invalid (err, "exec --additional-gids `%s`: not a gid", o->additional_gids[i]);
      p->user.additional_gids = xrealloc (p->user.additional_gids, (p->user.additional_gids_len + 1) * sizeof g);
      p->user.additional_gids[p->user.additional_gids_len++] = g;
    }
  if (o->caps && o->caps[0])
    {
      if (p->capabilities == NULL)
        p->capabilities = xmalloc0 (sizeof *p->capabilities);
      struct lcr_spec_capabilities *c = p->capabilities;
      for (size_t i = 0; o->caps[i]; i++)
        {
          cap_value_t v;
          cleanup_free char *lower = xstrdup (o->caps[i]);
          for (char *q = lower; *q; q++)
            *q = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
          if (cap_from_name (lower, &v) < 0)
            return lcr_error_invalid (err, "exec --cap: unknown capability `%s`", o->caps[i]);
          strv_append (&c->bounding, &c->bounding_len, o->caps[i]);
          strv_append (&c->effective, &c->effective_len, o->caps[i]);
          strv_append (&c->permitted, &c->permitted_len, o->caps[i]);
          /* ambient needs inheritable, which --cap doesn't add */
          if (c->inheritable_len)
            strv_append (&c->ambient, &c->ambient_len, o->caps[i]);
        }
    }
  if (o->no_new_privs)
    p->no_new_privileges = true;
  p->terminal = o->tty;
  return 0;
}

/* The namespaces in which pid differs from us, as CLONE_NEW* flags. */
static const struct
{
  const char *name;
  int flag;
} namespaces[] = {{"user", CLONE_NEWUSER}, {"mnt", CLONE_NEWNS},  {"pid", CLONE_NEWPID},       {"net", CLONE_NEWNET},
                  {"ipc", CLONE_NEWIPC},   {"uts", CLONE_NEWUTS}, {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME}};

static int
namespaces_to_join (pid_t pid)
{
  int flags = 0;
  for (size_t i = 0; i < sizeof namespaces / sizeof namespaces[0]; i++)
    {
      char theirs[64], mine[64];
      struct stat a, b;
      snprintf (theirs, sizeof theirs, "/proc/%d/ns/%s", pid, namespaces[i].name);
      snprintf (mine, sizeof mine, "/proc/self/ns/%s", namespaces[i].name);
      if (stat (theirs, &a) == 0 && stat (mine, &b) == 0 && (a.st_ino != b.st_ino || a.st_dev != b.st_dev))
        flags |= namespaces[i].flag;
    }
  return flags;
}

/* Join the namespaces in `flags` of `pid`: all at once through its pidfd
   (Linux 5.8), or, on older kernels, through /proc/PID/ns/ files, all opened
   before the first setns (joining the mount namespace changes what /proc
   shows) and the user namespace joined first (it owns the others). */
static int
join_namespaces (int pidfd, pid_t pid, int flags)
{
  if (pidfd >= 0 && setns (pidfd, flags) == 0)
    return 0;
  if (pidfd >= 0 && errno != EINVAL)
    return -1;
  enum
  {
    N = sizeof namespaces / sizeof namespaces[0]
  };
  int fds[N], ret = 0;
  for (size_t i = 0; i < N; i++)
    {
      char path[64];
      snprintf (path, sizeof path, "/proc/%d/ns/%s", pid, namespaces[i].name);
      fds[i] = (flags & namespaces[i].flag) ? open (path, O_RDONLY | O_CLOEXEC) : -1;
      if ((flags & namespaces[i].flag) && fds[i] < 0)
        ret = -1;
    }
  for (size_t i = 0; i < N && ret == 0; i++)
    if (fds[i] >= 0 && setns (fds[i], namespaces[i].flag) < 0)
      ret = -1;
  int saved = errno;
  for (size_t i = 0; i < N; i++)
    if (fds[i] >= 0)
      close (fds[i]);
  errno = saved;
  return ret;
}

struct exec_child
{
  struct lcr_spec *spec;
  struct lcr_spec_process *proc;
  const struct lcr_exec_opts *opts;
  int sync_fd;
  int console_fd;
  bool in_userns;
  struct lcr_seccomp_prog *seccomp;
};

__attribute__ ((noreturn)) static void
process_main (struct exec_child *c)
{
  lcr_error_t err = NULL;
  cleanup_free char *exe = NULL;
  struct lcr_sync_msg msg;
  lcr_reset_signals ();
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0); /* see lcr_init_main */

  if (lcr_sync_recv (c->sync_fd, &msg) <= 0 || msg.type != SYNC_GO)
    _exit (1);
  if (c->in_userns && (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0))
    lcr_error_sys (&err, "become root in the user namespace");
  else if (lcr_apply_rlimits (c->proc, &err) == 0 && lcr_apply_scheduler (c->proc, &err) == 0
           && lcr_apply_io_priority (c->proc, &err) == 0
           && (c->console_fd < 0 || lcr_terminal_setup (c->proc, c->console_fd, false, &err) == 0)
           && lcr_find_executable (c->proc, &exe, &err) == 0)
    {
      if (c->console_fd >= 0)
        close (c->console_fd);
      lcr_exec_process (c->spec, c->proc, c->in_userns, c->opts->preserve_fds, &c->sync_fd, c->seccomp, exe, &err);
    }
  lcr_sync_send_error (c->sync_fd, &err);
  _exit (127);
}

__attribute__ ((noreturn)) static void
intermediate_main (struct exec_child *c, int pidfd, pid_t init_pid, int flags)
{
  lcr_error_t err = NULL;
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0); /* see lcr_init_main */
  if (flags && join_namespaces (pidfd, init_pid, flags) < 0)
    {
      lcr_error_sys (&err, "exec: join the container's namespaces");
      lcr_sync_send_error (c->sync_fd, &err);
      _exit (1);
    }
  if (pidfd >= 0)
    close (pidfd);
  pid_t pid = fork ();
  if (pid < 0)
    {
      lcr_error_sys (&err, "exec: fork");
      lcr_sync_send_error (c->sync_fd, &err);
      _exit (1);
    }
  if (pid == 0)
    process_main (c);
  lcr_sync_send (c->sync_fd, SYNC_PID, pid, NULL);
  _exit (0);
}

static int
write_pid (const char *path, pid_t pid, lcr_error_t *err)
{
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%d", pid);
  cleanup_free char *tmp = NULL;
  xasprintf (&tmp, "%s.tmp%d", path, getpid ());
  if (lcr_write_file_at (AT_FDCWD, tmp, buf, n, 0644, err) < 0)
    return lcr_error_wrap (err, "--pid-file");
  if (rename (tmp, path) < 0)
    {
      unlink (tmp);
      return lcr_error_sys (err, "--pid-file `%s`", path);
    }
  return 0;
}

static int
exec_in (struct lcr_context *ctx, const char *id, struct lcr_state *st, struct lcr_spec *spec,
         struct lcr_spec_process *proc, struct lcr_seccomp_prog *seccomp, const struct lcr_exec_opts *o,
         int *exit_status, lcr_error_t *err)
{
  cleanup_pidref struct lcr_pidref init = {.fd = -1};
  if (lcr_pidref_open (&init, st->pid, st->start_time) < 0)
    return lcr_error_make (err, 0, LCR_ERR_STATE, "cannot exec in container `%s`: it is not running", id);
  int flags = namespaces_to_join (st->pid);

  cleanup_cgroup struct lcr_cgroup *cg = NULL;
  if (st->cgroup_path
      && lcr_cgroup_load (ctx->cgroup_root ? ctx->cgroup_root : "/sys/fs/cgroup", st->cgroup_path, &cg, err) < 0)
    return -1;

  struct exec_child c = {.spec = spec,
                         .proc = proc,
                         .opts = o,
                         .console_fd = -1,
                         .in_userns = (flags & CLONE_NEWUSER) != 0,
                         .seccomp = seccomp};
  cleanup_close int console_parent = -1;
  if (proc->terminal)
    {
      if (o->console_socket)
        {
          if ((c.console_fd = lcr_console_socket_connect (o->console_socket, err)) < 0)
            return -1;
        }
      else if (o->detach)
        return lcr_error_invalid (err, "exec: --tty with --detach needs --console-socket");
      else
        {
          int sv[2];
          if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
            return lcr_error_sys (err, "socketpair");
          console_parent = sv[0];
          c.console_fd = sv[1];
        }
    }
  else if (o->console_socket)
    return lcr_error_invalid (err, "exec: --console-socket needs --tty");

  int sv[2];
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return lcr_error_sys (err, "socketpair");
  cleanup_close int sync_fd = sv[0];
  c.sync_fd = sv[1];

  sigset_t fwd, old;
  lcr_forward_sigset (&fwd);
  if (!o->detach)
    sigprocmask (SIG_BLOCK, &fwd, &old);
  prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

  pid_t mid = fork ();
  if (mid < 0)
    return lcr_error_sys (err, "exec: fork");
  if (mid == 0)
    {
      close (sync_fd);
      intermediate_main (&c, init.fd, init.pid, flags);
    }
  close (c.sync_fd);
  if (c.console_fd >= 0)
    close (c.console_fd);

  struct lcr_sync_msg msg;
  int r = lcr_sync_expect (sync_fd, SYNC_PID, &msg, ctx->log, err);
  while (waitpid (mid, NULL, 0) < 0 && errno == EINTR)
    ;
  if (r < 0)
    return lcr_error_wrap (err, "exec in `%s`", id);
  pid_t pid = msg.value;
  int master = -1;
  if ((cg
       && (o->cgroups && o->cgroups[0] ? lcr_cgroup_enter_sub (cg, o->cgroups, pid, err)
                                       : lcr_cgroup_enter (cg, pid, err))
              < 0)
      || lcr_sync_send (sync_fd, SYNC_GO, 0, NULL) < 0
      || (console_parent >= 0 && (master = lcr_recv_fd (console_parent, err)) < 0)
      || lcr_sync_wait_exec (sync_fd, ctx->log, err) < 0 || (o->pid_file && write_pid (o->pid_file, pid, err) < 0))
    {
      if (err && *err == NULL)
        lcr_error_sys (err, "exec: start the process");
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
      if (master >= 0)
        close (master);
      return lcr_error_wrap (err, "exec in `%s`", id);
    }
  if (o->detach)
    return 0;

  cleanup_close int sfd = signalfd (-1, &fwd, SFD_CLOEXEC);
  if (sfd < 0)
    return lcr_error_sys (err, "signalfd");
  int ret;
  if (master >= 0)
    {
      int wstatus = 0;
      ret = lcr_terminal_proxy (master, pid, sfd, &wstatus, err);
      *exit_status = lcr_exit_code (wstatus);
      close (master);
    }
  else
    ret = lcr_wait_foreground (pid, sfd, exit_status, err);
  sigprocmask (SIG_SETMASK, &old, NULL);
  return ret;
}

int
lcr_container_exec (struct lcr_context *ctx, const char *id, const struct lcr_exec_opts *o, int *exit_status,
                    lcr_error_t *err)
{
  *exit_status = 0;
  cleanup_state struct lcr_state *st = NULL;
  {
    cleanup_close int dirfd
        = lcr_state_open (ctx->state_root ? ctx->state_root : LCR_DEFAULT_STATE_ROOT, id, false, err);
    if (dirfd < 0 || lcr_state_read (dirfd, &st, err) < 0)
      return -1;
    int status = lcr_state_status (dirfd, st);
    if (status == LCR_STATUS_RUNNING && st->cgroup_path
        && lcr_cgroup_path_frozen (ctx->cgroup_root ? ctx->cgroup_root : "/sys/fs/cgroup", st->cgroup_path))
      status = LCR_STATUS_PAUSED;
    /* a process joining a frozen cgroup is frozen with it until `resume`;
       runc lets that happen only when asked */
    if (status == LCR_STATUS_PAUSED && !o->ignore_paused)
      return lcr_error_make (err, 0, LCR_ERR_STATE,
                             "cannot exec in container `%s`: it is paused (use --ignore-paused to override)", id);
    if (status != LCR_STATUS_CREATED && status != LCR_STATUS_RUNNING && status != LCR_STATUS_PAUSED)
      return lcr_error_make (err, 0, LCR_ERR_STATE, "cannot exec in container `%s`: it is %s", id,
                             lcr_status_name (status));
  }
  cleanup_spec struct lcr_spec *spec = lcr_spec_load (st->bundle, err);
  if (spec == NULL)
    return lcr_error_wrap (err, "exec in `%s`", id);
  struct lcr_spec_process *proc = NULL;
  if (build_process (spec, o, &proc, err) < 0)
    {
      if (proc)
        lcr_spec_process_free (proc);
      return -1;
    }
  /* the container's filter applies to everything that runs in it */
  struct lcr_seccomp_prog *seccomp = NULL;
  int r = -1;
  cleanup_free char *cache = lcr_seccomp_cache_dir (ctx->state_root ? ctx->state_root : LCR_DEFAULT_STATE_ROOT);
  if (spec->linux_ && spec->linux_->seccomp
      && lcr_seccomp_compile_cached (spec->linux_->seccomp, cache, &seccomp, err) < 0)
    lcr_error_wrap (err, "exec in `%s`: config.json", id);
  else
    r = exec_in (ctx, id, st, spec, proc, seccomp, o, exit_status, err);
  lcr_seccomp_prog_free (seccomp);
  lcr_spec_process_free (proc);
  return r;
}
