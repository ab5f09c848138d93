/* berth-shim — startup, the phase changes and the finish; the sequence is in shim.h. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>

#include "shim.h"

/* Tell the caller (on the sync pipe, and on stderr while it is still theirs) and exit. */
static void __attribute__ ((noreturn, format (printf, 2, 3))) fail (struct shim *s, const char *fmt, ...)
{
  char msg[2048];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (msg, sizeof msg, fmt, ap);
  va_end (ap);
  shim_msg (SHIM_ERROR, "%s", msg);
  pipe_send (&s->sync_fd, -1, msg);
  if (s->runtime_pid > 0 && !s->runtime_exited)
    kill (s->runtime_pid, SIGKILL);
  if (s->attach_link)
    unlink (s->attach_link);
  console_cleanup (s);
  exit (EXIT_FAILURE);
}

/* An fd number from the environment (_OCI_SYNCPIPE …), made close-on-exec: the runtime must not
   hold the caller's pipes open. */
static int
env_fd (struct shim *s, const char *name)
{
  const char *v = getenv (name);
  long long fd;
  if (v == NULL)
    return -1;
  if (lcr_parse_long (v, &fd) < 0 || fd < 0 || fd > INT_MAX)
    fail (s, "%s: not an fd number: `%s`", name, v);
  if (fcntl ((int)fd, F_SETFD, FD_CLOEXEC) < 0)
    fail (s, "%s: fd %lld: %s", name, fd, strerror (errno));
  return (int)fd;
}

/* What the runtime printed on stderr, for the caller's error message. */
static char *
runtime_stderr (struct shim *s)
{
  if (s->err.fd < 0)
    return NULL;
  char buf[SHIM_BUF_SIZE];
  fcntl (s->err.fd, F_SETFL, fcntl (s->err.fd, F_GETFL) | O_NONBLOCK);
  ssize_t n = read (s->err.fd, buf, sizeof buf - 1);
  if (n <= 0)
    return NULL;
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
    n--;
  buf[n] = '\0';
  return xstrdup (buf);
}

/* ---------------------------------------------------------------- output */

void
output_readable (struct shim *s, struct watch *w, uint32_t events LCR_UNUSED)
{
  char buf[SHIM_BUF_SIZE + 1];
  buf[0] = w == &s->err ? SHIM_STDERR : SHIM_STDOUT;
  ssize_t n = read (w->fd, buf + 1, SHIM_BUF_SIZE);
  if (n > 0)
    {
      logs_write (&s->log, buf[0], buf + 1, (size_t)n);
      attach_broadcast (s, buf, (size_t)n + 1);
      return;
    }
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  /* End of output: EOF on a pipe, EIO on a pty nobody holds any more. */
  if (w->fd == s->pty)
    {
      /* Still the fd for resize: only stop reading it. */
      epoll_ctl (s->epfd, EPOLL_CTL_DEL, w->fd, NULL);
      w->fn = NULL;
    }
  else
    loop_close (s, w);
}

static void
drain (struct shim *s, struct watch *w, int stream)
{
  if (w->fd < 0 || w->fn == NULL)
    return;
  fcntl (w->fd, F_SETFL, fcntl (w->fd, F_GETFL) | O_NONBLOCK);
  char buf[SHIM_BUF_SIZE + 1];
  buf[0] = (char)stream;
  ssize_t n;
  while ((n = read (w->fd, buf + 1, SHIM_BUF_SIZE)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      {
        logs_write (&s->log, stream, buf + 1, (size_t)n);
        attach_broadcast (s, buf, (size_t)n + 1);
      }
}

void
shim_drain_output (struct shim *s)
{
  drain (s, &s->out, SHIM_STDOUT);
  drain (s, &s->err, SHIM_STDERR);
}

/* ---------------------------------------------------------------- phase changes */

static void
on_console (struct shim *s, struct watch *w LCR_UNUSED, uint32_t events LCR_UNUSED)
{
  cleanup_error lcr_error_t err = NULL;
  if (console_receive (s, &err) < 0)
    fail (s, "%s", err->msg);
}

static void
on_timeout (struct shim *s, struct watch *w, uint32_t events LCR_UNUSED)
{
  shim_info ("timed out after %lld s: killing the container", s->o.timeout);
  loop_close (s, w);
  s->timed_out = true;
  s->done = true;
}

static void
on_pidfd (struct shim *s, struct watch *w, uint32_t events LCR_UNUSED)
{
  /* Not our child: its status is not ours to read (conmon reports 0 as well). */
  loop_close (s, w);
  shim_container_exited (s, 0);
}

static void
watch_container (struct shim *s)
{
  for (size_t i = 0; i < s->n_early; i++)
    if (s->early[i].pid == s->ctr_pid)
      {
        shim_container_exited (s, s->early[i].status);
        return;
      }
  siginfo_t si;
  if (waitid (P_PID, (id_t)s->ctr_pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0)
    return; /* our child: SIGCHLD will tell */
  /* Not our child (a runtime that does not leave it to us): a pidfd says when it is gone. */
  int fd = (int)syscall (SYS_pidfd_open, s->ctr_pid, 0);
  if (fd < 0)
    {
      shim_warn ("container process %d: gone before we could watch it", s->ctr_pid);
      shim_container_exited (s, 0);
      return;
    }
  fcntl (fd, F_SETFD, FD_CLOEXEC);
  loop_add (s, &s->ctr_pidfd, fd, EPOLLIN, on_pidfd, NULL);
}

void
shim_runtime_exited (struct shim *s, int status)
{
  struct shim_opts *o = &s->o;
  s->runtime_exited = true;
  s->runtime_status = status;
  shim_debug ("runtime exited with %d", exit_status_of (status));

  /* A non-zero exec means little (the runtime may pass on the process's status): for exec only
     a missing pid file is a failure. */
  if (!o->exec && exit_status_of (status) != 0)
    {
      cleanup_free char *msg = runtime_stderr (s);
      fail (s, "%s", msg ? msg : "the runtime failed to create the container");
    }
  if (o->terminal)
    {
      cleanup_error lcr_error_t err = NULL;
      int r = console_receive (s, &err);
      if (r < 0)
        fail (s, "%s", err->msg);
      if (r == 0)
        fail (s, "Runtime did not set up terminal");
    }

  cleanup_free char *text = NULL;
  cleanup_error lcr_error_t err = NULL;
  long long pid = 0;
  if (lcr_read_file (o->container_pidfile, &text, NULL, &err) < 0 || lcr_parse_long (strtok (text, " \n"), &pid) < 0
      || pid <= 0 || pid > INT_MAX)
    {
      cleanup_free char *msg = runtime_stderr (s);
      fail (s, "%s", msg ? msg : err ? err->msg : "bad pid file");
    }
  s->ctr_pid = (pid_t)pid;
  shim_debug ("container pid %d", s->ctr_pid);
  if (!o->exec)
    health_container_created (s);

  /* api-version 0 exec callers expect a single value: the exit status. */
  if (o->api_version >= 1 || !o->exec)
    pipe_send (&s->sync_fd, s->ctr_pid, NULL);
  if (!o->exec && s->sync_fd >= 0)
    {
      /* create: the pid was all the caller waits for. */
      close (s->sync_fd);
      s->sync_fd = -1;
    }

  if (s->out.fd >= 0)
    loop_add (s, &s->out, s->out.fd, EPOLLIN, output_readable, NULL);
  if (s->err.fd >= 0)
    loop_add (s, &s->err, s->err.fd, EPOLLIN, output_readable, NULL);
  oom_setup (s);
  if (o->timeout > 0)
    {
      int fd = timerfd_create (CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
      struct itimerspec its = {.it_value = {.tv_sec = o->timeout}};
      if (fd < 0 || timerfd_settime (fd, 0, &its, NULL) < 0
          || loop_add (s, &s->timer, fd, EPOLLIN, on_timeout, NULL) < 0)
        fail (s, "--timeout: timerfd: %s", strerror (errno));
    }
  watch_container (s);
}

void
shim_container_exited (struct shim *s, int status)
{
  s->ctr_exited = true;
  s->ctr_status = status;
  shim_debug ("container %d exited with %d", s->ctr_pid, exit_status_of (status));
  s->done = true;
}

/* ---------------------------------------------------------------- setup */

static void
validate (struct shim *s)
{
  struct shim_opts *o = &s->o;
  char cwd[PATH_MAX];

  if (o->cid == NULL)
    fail (s, "Container ID not provided. Use --cid");
  if (o->exec_attach && !o->exec)
    fail (s, "--exec-attach can only be used with --exec");
  if (o->exec_attach && o->api_version < 1)
    fail (s, "--exec-attach needs --api-version 1");
  if (o->cuuid == NULL && (!o->exec || o->api_version >= 1))
    fail (s, "Container UUID not provided. Use --cuuid");
  if (o->runtime == NULL)
    fail (s, "Runtime path not provided. Use --runtime");
  if (access (o->runtime, X_OK) < 0)
    fail (s, "Runtime path %s is not valid: %s", o->runtime, strerror (errno));
  if (o->exec && o->exec_process_spec == NULL)
    fail (s, "Exec process spec path not provided. Use --exec-process-spec");
  if (o->exec && o->restore_path)
    fail (s, "--exec and --restore exclude each other");
  if (o->exit_delay < 0)
    fail (s, "--exit-delay must be 0 or more");
  if (o->timeout < 0)
    fail (s, "--timeout must be 0 or more");
  if (getcwd (cwd, sizeof cwd) == NULL)
    fail (s, "getcwd: %s", strerror (errno));
  /* exec sets up attach and ctl only when given a bundle (the exec session's directory). */
  if (o->bundle == NULL && !o->exec)
    o->bundle = xstrdup (cwd);
  if (o->container_pidfile == NULL)
    {
      char *p;
      xasprintf (&p, "%s/pidfile-%s", cwd, o->cid);
      o->container_pidfile = p;
    }

  for (size_t i = 0; i < o->log_paths.n; i++)
    {
      const char *l = o->log_paths.v[i];
      const char *colon = strchr (l, ':');
      size_t dlen = colon ? (size_t)(colon - l) : strlen (l);
      if (strncmp (l, "k8s-file", dlen) == 0 && dlen == 8)
        {
          if (colon == NULL || colon[1] == '\0')
            fail (s, "k8s-file requires a filename");
          s->log.path = (char *)colon + 1;
        }
      else if (colon == NULL && (!strcmp (l, "none") || !strcmp (l, "off") || !strcmp (l, "null")))
        ;
      else if (colon == NULL && strcmp (l, "passthrough") == 0)
        s->passthrough = true;
      else if (colon == NULL && strcmp (l, "journald") == 0)
        shim_warn ("log driver journald is not supported: ignored");
      else if (colon == NULL)
        s->log.path = (char *)l; /* a bare path is a k8s-file */
      else
        fail (s, "No such log driver %.*s", (int)dlen, l);
    }
  if (o->log_tag && s->log.path)
    shim_debug ("--log-tag has no effect on a k8s-file log");
  if (s->passthrough && (o->terminal || o->stdin_))
    fail (s, "passthrough logging does not go with --terminal or --stdin");
  if ((o->dns_netns == NULL) != (o->dns_table == NULL))
    fail (s, "--dns-netns and --dns-table go together");
  if (o->exec && (o->dns_netns || o->publish.n))
    fail (s, "--dns-netns and --publish are for a container's shim, not --exec");
  cleanup_error lcr_error_t err = NULL;
  if (health_setup (s, &err) < 0)
    fail (s, "%s", err->msg);
  s->log.max = o->log_size_max;
  s->log.rotate = o->log_rotate;
  s->log.max_files = (int)(o->log_max_files > 0 && o->log_max_files < 1000 ? o->log_max_files : 1);
}

static void
make_pipe (struct shim *s, int *monitor_end, int *worker_end, bool monitor_writes)
{
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    fail (s, "pipe: %s", strerror (errno));
  *monitor_end = monitor_writes ? p[1] : p[0];
  *worker_end = monitor_writes ? p[0] : p[1];
  fcntl (*monitor_end, F_SETFL, O_NONBLOCK);
}

static void
setup_stdio (struct shim *s)
{
  cleanup_error lcr_error_t err = NULL;
  if (s->passthrough)
    return;
  if (s->o.terminal)
    {
      if (console_socket_setup (s, &err) < 0)
        fail (s, "%s", err->msg);
      if (loop_add (s, &s->console, s->console.fd, EPOLLIN, on_console, NULL) < 0)
        fail (s, "epoll_ctl: %s", strerror (errno));
    }
  else
    {
      if (s->o.stdin_)
        make_pipe (s, &s->stdin_fd, &s->worker_stdin, true);
      make_pipe (s, &s->out.fd, &s->worker_stdout, false);
    }
  /* Always: the runtime's own errors come here before there is a pty. */
  make_pipe (s, &s->err.fd, &s->worker_stderr, false);
}

/* Fds the caller gave us without close-on-exec (podman's port reservations, --preserve-fds):
   the runtime inherited them; closed once the container is gone so the ports are free again
   before anyone learns that it exited.  Ours are all close-on-exec. */
static void
close_inherited_fds (struct shim *s)
{
  cleanup_dir DIR *d = opendir ("/proc/self/fd");
  if (d == NULL)
    return;
  struct dirent *de;
  while ((de = readdir (d)))
    {
      long long fd;
      if (lcr_parse_long (de->d_name, &fd) < 0 || fd < 3 || fd == dirfd (d) || fd == s->sync_fd)
        continue;
      int flags = fcntl ((int)fd, F_GETFD);
      if (flags >= 0 && !(flags & FD_CLOEXEC))
        close ((int)fd);
    }
}

static void
finish (struct shim *s)
{
  struct shim_opts *o = &s->o;
  int status;

  /* No health check once the container is gone (nor one left behind). */
  health_finish (s);
  if (s->timed_out && !s->ctr_exited)
    {
      /* Its whole process group when it has one of its own (not ours: we would kill ourselves). */
      pid_t pgid = getpgid (s->ctr_pid);
      if (pgid > 1 && pgid != getpgid (0))
        kill (-pgid, SIGKILL);
      kill (s->ctr_pid, SIGKILL);
      for (int i = 0; i < 500; i++)
        {
          pid_t r = waitpid (s->ctr_pid, NULL, WNOHANG);
          if (r != 0)
            break;
          struct timespec ts = {0, 10 * 1000 * 1000};
          nanosleep (&ts, NULL);
        }
      status = -1;
    }
  else
    {
      /* After a timeout the output is left alone, like conmon: the container may still spew. */
      shim_drain_output (s);
      status = exit_status_of (s->ctr_status);
    }
  oom_final_check (s);
  logs_close (&s->log, !o->no_sync_log);
  attach_shutdown (s);
  ctl_shutdown (s);
  dns_shutdown (s);
  proxy_shutdown (s);
  close_inherited_fds (s);

  if (o->persist_dir)
    {
      cleanup_free char *p = NULL;
      xasprintf (&p, "%s/exit", o->persist_dir);
      write_int_file (p, status);
    }
  if (o->exit_dir)
    {
      cleanup_free char *p = NULL;
      xasprintf (&p, "%s/%s", o->exit_dir, o->cid);
      write_int_file (p, status);
    }
  if (o->exec)
    pipe_send (&s->sync_fd, status, s->timed_out ? "command timed out" : NULL);
  if (s->sync_fd >= 0)
    close (s->sync_fd);
  s->sync_fd = -1;
  console_cleanup (s);
  loop_reap (s);
  if (o->exit_command)
    run_exit_command (s);
  exit (status < 0 ? 255 : status);
}

int
main (int argc, char **argv)
{
  static struct shim shim;
  struct shim *s = &shim;
  cleanup_error lcr_error_t err = NULL;

  loop_init_state (s);
  umask (0022);
  if (shim_opts_parse (&s->o, argc, argv, &err) < 0)
    {
      fprintf (stderr, "berth-shim: %s\n", err->msg);
      return EXIT_FAILURE;
    }
  if (s->o.version)
    {
      /* podman matches "^conmon version X.Y.Z" on the first line. */
      printf ("conmon version %s\ncommit: berth-shim %s\n", SHIM_CONMON_VERSION, SHIM_VERSION);
      return EXIT_SUCCESS;
    }
  if (s->o.help)
    {
      shim_opts_usage (stdout);
      return EXIT_SUCCESS;
    }
  shim_msg_init (s->o.log_level, s->o.syslog, s->o.cid);
  for (size_t i = 0; i < s->o.ignored.n; i++)
    shim_debug ("%s", s->o.ignored.v[i]);

  s->sync_fd = env_fd (s, "_OCI_SYNCPIPE");
  s->start_fd = env_fd (s, "_OCI_STARTPIPE");
  if (s->o.exec_attach)
    {
      s->attach_pipe_fd = env_fd (s, "_OCI_ATTACHPIPE");
      if (s->attach_pipe_fd < 0)
        fail (s, "--exec-attach given but _OCI_ATTACHPIPE is not set");
    }
  validate (s);
  if (logs_open (&s->log, &err) < 0)
    fail (s, "%s", err->msg);
  signal (SIGPIPE, SIG_IGN);

  /* The caller moves us into a cgroup (or just gets ready), then says go. */
  if (s->start_fd >= 0)
    {
      char buf[64];
      ssize_t n;
      while ((n = read (s->start_fd, buf, sizeof buf)) < 0 && errno == EINTR)
        ;
      if (n < 0)
        fail (s, "read _OCI_STARTPIPE: %s", strerror (errno));
      /* exec --exec-attach: a second go, for the runtime, once the caller is attached. */
      if (!s->o.exec_attach)
        {
          close (s->start_fd);
          s->start_fd = -1;
        }
    }

  if (!s->o.sync)
    {
      pid_t pid = fork ();
      if (pid < 0)
        fail (s, "fork: %s", strerror (errno));
      if (pid > 0)
        {
          if (s->o.conmon_pidfile && write_int_file (s->o.conmon_pidfile, pid) < 0)
            {
              kill (pid, SIGKILL);
              fail (s, "write --conmon-pidfile `%s`", s->o.conmon_pidfile);
            }
          _exit (EXIT_SUCCESS);
        }
    }
  else if (s->o.conmon_pidfile && write_int_file (s->o.conmon_pidfile, getpid ()) < 0)
    fail (s, "write --conmon-pidfile `%s`", s->o.conmon_pidfile);

  s->devnull_r = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  s->devnull_w = open ("/dev/null", O_WRONLY | O_CLOEXEC);
  if (s->devnull_r < 0 || s->devnull_w < 0)
    fail (s, "open /dev/null: %s", strerror (errno));
  /* Let go of the caller's stdio: a caller reading our output to EOF must not wait for the
     container (passthrough hands it to the runtime first). */
  if (!s->passthrough)
    {
      dup2 (s->devnull_r, 0);
      dup2 (s->devnull_w, 1);
      dup2 (s->devnull_w, 2);
    }
  setsid ();
  /* The container's init is reparented to us when the runtime exits. */
  if (prctl (PR_SET_CHILD_SUBREAPER, 1) < 0)
    fail (s, "PR_SET_CHILD_SUBREAPER: %s", strerror (errno));

  sigset_t mask;
  sigemptyset (&mask);
  sigaddset (&mask, SIGCHLD);
  sigaddset (&mask, SIGTERM);
  sigaddset (&mask, SIGINT);
  sigaddset (&mask, SIGQUIT);
  sigaddset (&mask, SIGHUP);
  sigprocmask (SIG_BLOCK, &mask, NULL);
  if (loop_init (s, &err) < 0)
    fail (s, "%s", err->msg);

  setup_stdio (s);
  if (s->o.bundle && !s->passthrough)
    {
      if (attach_setup (s, &err) < 0 || ctl_setup (s, &err) < 0)
        fail (s, "%s", err->msg);
      if (s->o.exec_attach)
        pipe_send (&s->attach_pipe_fd, 0, NULL);
    }

  /* Before the runtime: a bad netns or fd fails create, and the container's first lookup or
     connection is served. */
  if (dns_setup (s, &err) < 0 || proxy_setup (s, &err) < 0)
    fail (s, "%s", err->msg);

  if (runtime_spawn (s, &err) < 0)
    fail (s, "%s", err->msg);
  /* The runtime has its ends now. */
  int *workers[] = {&s->worker_stdin, &s->worker_stdout, &s->worker_stderr};
  for (size_t i = 0; i < 3; i++)
    if (*workers[i] >= 0)
      {
        close (*workers[i]);
        *workers[i] = -1;
      }
  if (s->start_fd >= 0)
    {
      close (s->start_fd);
      s->start_fd = -1;
    }
  if (s->passthrough)
    {
      dup2 (s->devnull_r, 0);
      dup2 (s->devnull_w, 1);
      dup2 (s->devnull_w, 2);
    }

  loop_reap (s);
  if (loop_run (s) < 0)
    fail (s, "event loop failed");
  finish (s);
}
