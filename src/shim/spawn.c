/* berth-shim — running the OCI runtime, and the console socket it sends the pty master on.
 *
 * The runtime's command line is the one conmon builds, so any runc-compatible runtime works:
 *
 *   RUNTIME [--systemd-cgroup] [--runtime-arg…] create --bundle B --pid-file P [--no-pivot]
 *           [--no-new-keyring] [--runtime-opt…] [--console-socket S] CID
 *   RUNTIME [--runtime-arg…] exec --pid-file P --process SPEC --detach [--runtime-opt…]
 *           [--console-socket S] CID
 *
 * The runtime's stdio is the container's: our pipes (stdin only with -i), or /dev/null plus the
 * stderr pipe with -t (the runtime's own errors land there, and go to the caller on failure).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>

#include "shim.h"

int
console_socket_setup (struct shim *s, lcr_error_t *err)
{
  /* A private directory: nobody can race us for the name, and cleanup is one rmdir. */
  const char *tmp = getenv ("TMPDIR");
  if (tmp == NULL || *tmp == '\0' || strlen (tmp) > 60)
    tmp = "/tmp";
  xasprintf (&s->console_dir, "%s/berth-shim-tty.XXXXXX", tmp);
  if (mkdtemp (s->console_dir) == NULL)
    return lcr_error_sys (err, "mkdtemp `%s`", s->console_dir);
  xasprintf (&s->console_path, "%s/sock", s->console_dir);

  cleanup_close int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return lcr_error_sys (err, "socket");
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  snprintf (addr.sun_path, sizeof addr.sun_path, "%s", s->console_path);
  if (bind (fd, (struct sockaddr *)&addr, sizeof addr) < 0)
    return lcr_error_sys (err, "bind console socket `%s`", s->console_path);
  if (listen (fd, 1) < 0)
    return lcr_error_sys (err, "listen on console socket");
  s->console.fd = steal_fd (&fd);
  return 0;
}

void
console_cleanup (struct shim *s)
{
  if (s->console_path)
    unlink (s->console_path);
  if (s->console_dir)
    rmdir (s->console_dir);
  free (s->console_path);
  free (s->console_dir);
  s->console_path = s->console_dir = NULL;
}

static int
recv_fd (int sock)
{
  char name[256];
  struct iovec iov = {name, sizeof name};
  union
  {
    struct cmsghdr h;
    char buf[CMSG_SPACE (sizeof (int))];
  } c;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.buf, .msg_controllen = sizeof c.buf};
  ssize_t n;
  do
    n = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -1;
  struct cmsghdr *h = CMSG_FIRSTHDR (&msg);
  if (h == NULL || h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
    {
      errno = EBADMSG;
      return -1;
    }
  int fd;
  memcpy (&fd, CMSG_DATA (h), sizeof fd);
  return fd;
}

int
console_receive (struct shim *s, lcr_error_t *err)
{
  if (s->pty >= 0)
    return 1;
  if (s->console.fd < 0)
    return lcr_error_invalid (err, "no console socket");
  cleanup_close int conn = accept4 (s->console.fd, NULL, NULL, SOCK_CLOEXEC);
  if (conn < 0)
    {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return 0;
      return lcr_error_sys (err, "accept on the console socket");
    }
  /* The runtime connects once: blocking for its one message is fine. */
  int flags = fcntl (conn, F_GETFL);
  fcntl (conn, F_SETFL, flags & ~O_NONBLOCK);
  cleanup_close int master = recv_fd (conn);
  if (master < 0)
    return lcr_error_sys (err, "receive the pty master from the console socket");

  /* One listener, one connection: done with the socket. */
  loop_close (s, &s->console);
  console_cleanup (s);

  /* Output like kubelet expects it: \n becomes \r\n on the way out. */
  struct termios t;
  if (tcgetattr (master, &t) == 0)
    {
      t.c_oflag |= ONLCR;
      tcsetattr (master, TCSANOW, &t);
    }
  /* Two fds on one pty: reading (stdout) and writing (stdin) are separate epoll entries. */
  int in = fcntl (master, F_DUPFD_CLOEXEC, 3);
  if (in < 0)
    return lcr_error_sys (err, "dup the pty master");
  fcntl (master, F_SETFL, fcntl (master, F_GETFL) | O_NONBLOCK);
  s->stdin_fd = in;
  s->pty = master;
  s->out.fd = steal_fd (&master);
  return 1;
}

static void
push (char ***argv, size_t *n, const char *a)
{
  *argv = xrealloc (*argv, (*n + 2) * sizeof **argv);
  (*argv)[(*n)++] = (char *)a;
  (*argv)[*n] = NULL;
}

static char **
runtime_argv (struct shim *s)
{
  struct shim_opts *o = &s->o;
  char **argv = NULL;
  size_t n = 0;
  push (&argv, &n, o->runtime);
  if (!o->exec && o->systemd_cgroup)
    push (&argv, &n, "--systemd-cgroup");
  for (size_t i = 0; i < o->runtime_args.n; i++)
    push (&argv, &n, o->runtime_args.v[i]);
  if (o->exec)
    {
      push (&argv, &n, "exec");
      push (&argv, &n, "--pid-file");
      push (&argv, &n, o->container_pidfile);
      push (&argv, &n, "--process");
      push (&argv, &n, o->exec_process_spec);
      /* The runtime must come back once the process runs: we are the one who waits. */
      push (&argv, &n, "--detach");
    }
  else
    {
      push (&argv, &n, o->restore_path ? "restore" : "create");
      push (&argv, &n, "--bundle");
      push (&argv, &n, o->bundle);
      push (&argv, &n, "--pid-file");
      push (&argv, &n, o->container_pidfile);
      if (o->no_pivot)
        push (&argv, &n, "--no-pivot");
      if (o->no_new_keyring)
        push (&argv, &n, "--no-new-keyring");
      if (o->restore_path)
        {
          push (&argv, &n, "--detach");
          push (&argv, &n, "--image-path");
          push (&argv, &n, o->restore_path);
          push (&argv, &n, "--work-path");
          push (&argv, &n, o->bundle);
        }
    }
  for (size_t i = 0; i < o->runtime_opts.n; i++)
    push (&argv, &n, o->runtime_opts.v[i]);
  if (s->console_path)
    {
      push (&argv, &n, "--console-socket");
      push (&argv, &n, s->console_path);
    }
  push (&argv, &n, o->cid);
  return argv;
}

static void
set_oom_score (const char *value)
{
  int fd = open ("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  if (write (fd, value, strlen (value)) < 0)
    shim_debug ("write oom_score_adj: %m");
  close (fd);
}

/* In the runtime's child: never returns. */
static void __attribute__ ((noreturn)) exec_runtime (struct shim *s, char **argv, const char *oom_score)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  sigset_t none;
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  signal (SIGPIPE, SIG_DFL);

  if (!s->passthrough)
    {
      int in = s->worker_stdin >= 0 ? s->worker_stdin : s->devnull_r;
      int out = s->worker_stdout >= 0 ? s->worker_stdout : s->devnull_w;
      if (dup2 (in, 0) < 0 || dup2 (out, 1) < 0 || dup2 (s->worker_stderr, 2) < 0)
        _exit (127);
      /* The container's user may not be ours: let it reopen /proc/self/fd/N. */
      if (s->worker_stdin >= 0)
        fchmod (0, 0777);
      if (s->worker_stdout >= 0)
        fchmod (1, 0777);
      fchmod (2, 0777);
    }

  if (s->o.replace_listen_pid && getenv ("LISTEN_PID"))
    {
      char pid[16];
      snprintf (pid, sizeof pid, "%d", getpid ());
      setenv ("LISTEN_PID", pid, 1);
    }

  /* exec --exec-attach: the caller connects to the attach socket first, then says go, so that
     no output is lost. */
  if (s->o.exec_attach && s->start_fd >= 0)
    {
      char c;
      while (read (s->start_fd, &c, 1) < 0 && errno == EINTR)
        ;
    }
  /* We are unkillable by the OOM killer; the runtime must not be. */
  set_oom_score (oom_score);
  execv (argv[0], argv);
  _exit (127);
}

int
runtime_spawn (struct shim *s, lcr_error_t *err)
{
  cleanup_free char **argv = runtime_argv (s);
  if (s->o.log_level && (strcmp (s->o.log_level, "debug") == 0 || strcmp (s->o.log_level, "trace") == 0))
    for (size_t i = 0; argv[i]; i++)
      shim_debug ("runtime argv[%zu] = %s", i, argv[i]);

  /* Remember our own score for the runtime, then make the monitor the last thing killed. */
  char old[16] = "0";
  int fd = open ("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
  if (fd >= 0)
    {
      ssize_t n = read (fd, old, sizeof old - 1);
      old[n > 0 ? n : 1] = '\0';
      if (n > 0 && old[n - 1] == '\n')
        old[n - 1] = '\0';
      close (fd);
    }
  set_oom_score ("-1000");

  pid_t pid = fork ();
  if (pid < 0)
    return lcr_error_sys (err, "fork the runtime");
  if (pid == 0)
    exec_runtime (s, argv, old);
  s->runtime_pid = pid;
  return 0;
}
