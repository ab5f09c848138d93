/* dock — running the OCI runtime and the shim as child processes.
 *
 * The runtime runs with `--root RUNROOT/runtime`, its stderr captured so that its last line can
 * become our error.  The shim is started as podman starts conmon: the conmon flags, the sync
 * pipe as fd 3 (_OCI_SYNCPIPE=3), and we read one JSON line from it: {"data": PID} once the
 * runtime has created the container, {"data": -1, "message": "…"} when it failed.
 */
#define _GNU_SOURCE
#include "container/shim.h"
#include "container/record.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "container.h"
#include "container/lifecycle.h"
#include "store/store.h"

int
dock_signal_number (const char *s)
{
  return lcr_signal_parse (s);
}

/* the last non-empty line of buf, trimmed of runc-style "time=… level=error msg=" wrappers */
static char *
last_line (char *buf)
{
  size_t len = strlen (buf);
  while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
    buf[--len] = '\0';
  char *nl = strrchr (buf, '\n');
  char *line = nl ? nl + 1 : buf;
  char *msg = strstr (line, "msg=\"");
  if (msg)
    {
      line = msg + 5;
      size_t l = strlen (line);
      if (l > 0 && line[l - 1] == '"')
        line[l - 1] = '\0';
      /* logfmt quoting: \" inside the message */
      char *w = line;
      for (char *r = line; *r; r++)
        {
          if (r[0] == '\\' && r[1] == '"')
            r++;
          *w++ = *r;
        }
      *w = '\0';
    }
  return line;
}

static void
child_stdio (int in, int out, int errfd)
{
  if (in != 0)
    dup2 (in, 0);
  if (out != 1)
    dup2 (out, 1);
  if (errfd != 2)
    dup2 (errfd, 2);
}

int
dock_runtime_run (struct dock_ctx *ctx, char *const *args, lcr_error_t *err)
{
  cleanup_free char *root = dock_runpath (ctx, "runtime");
  size_t n = 0;
  while (args[n])
    n++;
  char **argv = xmalloc0 ((n + 4) * sizeof (char *));
  argv[0] = (char *)ctx->runtime;
  argv[1] = (char *)"--root";
  argv[2] = root;
  memcpy (argv + 3, args, n * sizeof (char *));
  int pfd[2];
  if (pipe2 (pfd, O_CLOEXEC) < 0)
    {
      free (argv);
      return lcr_error_sys (err, "pipe");
    }
  pid_t pid = fork ();
  if (pid < 0)
    {
      free (argv);
      close (pfd[0]);
      close (pfd[1]);
      return lcr_error_sys (err, "fork");
    }
  if (pid == 0)
    {
      int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
      child_stdio (null, null, pfd[1]);
      lcr_close_fds_from (3);
      execvp (argv[0], argv);
      dprintf (2, "exec %s: %s\n", argv[0], strerror (errno));
      _exit (127);
    }
  close (pfd[1]);
  char buf[8192];
  size_t len = 0;
  ssize_t r;
  while ((r = read (pfd[0], buf + len, sizeof buf - 1 - len)) != 0)
    {
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        break;
      len += r;
      if (len == sizeof buf - 1)
        {
          /* keep the tail: the last line is the one we want */
          memmove (buf, buf + len / 2, len - len / 2);
          len -= len / 2;
        }
    }
  buf[len] = '\0';
  close (pfd[0]);
  int status;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  int rc = 0;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    rc = lcr_error_make (err, 0, LCR_ERR_SYSTEM, "%s %s: %s", ctx->runtime, args[0],
                         *last_line (buf) ? last_line (buf) : "failed");
  free (argv);
  return rc;
}

/* Read the sync line: wait up to `ms` for one '\n'-terminated line (or EOF). */
static int
read_sync_line (int fd, char *buf, size_t size, int ms)
{
  size_t len = 0;
  while (len < size - 1)
    {
      struct pollfd p = {.fd = fd, .events = POLLIN};
      int pr = poll (&p, 1, ms);
      if (pr < 0 && errno == EINTR)
        continue;
      if (pr <= 0)
        return -1;
      ssize_t r = read (fd, buf + len, size - 1 - len);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        break;
      len += r;
      if (memchr (buf, '\n', len))
        break;
    }
  buf[len] = '\0';
  return (int)len;
}

bool
dock_shim_is_berth (struct dock_ctx *ctx)
{
  return strstr (ctx->shim, "berth-shim") != NULL;
}

int
dock_shim_spawn (struct dock_ctx *ctx, const struct dock_shim_args *a, pid_t *ctr_pid, lcr_error_t *err)
{
  cleanup_free char *rtroot = dock_runpath (ctx, "runtime");
  cleanup_free char *exits = dock_runpath (ctx, "exits");
  /* the shim links <socket-dir>/<id> to the bundle: not the persist dir's name */
  cleanup_free char *sockdir = dock_runpath (ctx, "sock");
  cleanup_free char *persist = dock_runpath (ctx, "shim/%s", a->id);
  cleanup_free char *pidfile = dock_runpath (ctx, "shim/%s/pid", a->id);
  cleanup_free char *shimpid = dock_runpath (ctx, "shim/%s/shim.pid", a->id);
  cleanup_free char *errfile = dock_runpath (ctx, "shim/%s/shim.err", a->id);
  cleanup_free char *logspec = NULL;
  xasprintf (&logspec, "k8s-file:%s", a->log_path);
  if (lcr_mkdir_p (persist, 0700, err) < 0)
    return -1;
  unlink (pidfile);

  size_t npub = a->published ? a->published->n : 0;
  /* at most ~80 fixed arguments (the exit command alone takes 26): room to spare */
  cleanup_free const char **argv = xmalloc0 ((128 + 2 * npub) * sizeof *argv);
  int n = 0;
  argv[n++] = ctx->shim;
  argv[n++] = "--api-version";
  argv[n++] = "1";
  argv[n++] = "-c";
  argv[n++] = a->id;
  argv[n++] = "-u";
  argv[n++] = a->id;
  argv[n++] = "-n";
  argv[n++] = a->name;
  argv[n++] = "-r";
  argv[n++] = ctx->runtime;
  argv[n++] = "--runtime-arg";
  argv[n++] = "--root";
  argv[n++] = "--runtime-arg";
  argv[n++] = rtroot;
  argv[n++] = "-b";
  argv[n++] = a->bundle;
  argv[n++] = "-p";
  argv[n++] = pidfile;
  argv[n++] = "--conmon-pidfile";
  argv[n++] = shimpid;
  argv[n++] = "-l";
  argv[n++] = logspec;
  argv[n++] = "--exit-dir";
  argv[n++] = exits;
  argv[n++] = "--persist-dir";
  argv[n++] = persist;
  argv[n++] = "--socket-dir-path";
  argv[n++] = sockdir;
  /* as docker: the log is not fsynced when the container exits (it sat on every exit path) */
  argv[n++] = "--no-sync-log";
  argv[n++] = "--log-level";
  argv[n++] = ctx->log_level >= 3 ? "debug" : "error";
  if (a->tty)
    argv[n++] = "-t";
  if (a->stdin_)
    argv[n++] = "-i";
  /* the DNS server and the published ports (berth-shim's own options): the sockets go to the
     shim as fds 4, 5, … */
  cleanup_strv char **pubargs = xmalloc0 ((npub + 1) * sizeof (char *));
  for (size_t i = 0; i < npub; i++)
    xasprintf (&pubargs[i], "%zu:%s", 4 + i, a->published->specs[i]);
  if (a->dns_netns && a->dns_table)
    {
      argv[n++] = "--dns-netns";
      argv[n++] = a->dns_netns;
      argv[n++] = "--dns-table";
      argv[n++] = a->dns_table;
    }
  for (size_t i = 0; i < npub; i++)
    {
      argv[n++] = "--publish";
      argv[n++] = pubargs[i];
    }

  /* health checks: run by berth-shim, which lives as long as the container (conmon has no
     such option: with it, a healthcheck stays "starting") */
  char hbuf[5][32];
  cleanup_free char *htest = NULL;
  jv hc = a->healthcheck;
  jv test = jv_get_arr (hc, "Test");
  bool ours = dock_shim_is_berth (ctx);
  if (ours && jv_len (test) > 0
      && !(jv_as_str (test->u.array.values[0]) && strcmp (jv_as_str (test->u.array.values[0]), "NONE") == 0))
    {
      htest = jv_dump (test, false);
      argv[n++] = "--health-cmd";
      argv[n++] = htest;
      static const char *const keys[] = {"Interval", "Timeout", "StartPeriod", "StartInterval", "Retries"};
      static const char *const flags[] = {"--health-interval", "--health-timeout", "--health-start-period",
                                          "--health-start-interval", "--health-retries"};
      for (int i = 0; i < 5; i++)
        {
          long long v = jv_get_int (hc, keys[i], 0);
          if (v <= 0)
            continue;
          snprintf (hbuf[i], sizeof hbuf[i], "%lld", v);
          argv[n++] = flags[i];
          argv[n++] = hbuf[i];
        }
    }
  /* the exit command: this dock, with the same store, settles the exit */
  argv[n++] = "--exit-command";
  argv[n++] = ctx->self;
  const char *exit_args[] = {"--root", ctx->root, "--runroot", ctx->runroot, "--runtime", ctx->runtime,
                             "--shim", ctx->shim, "container", "cleanup",    a->id};
  if (ctx->driver)
    {
      argv[n++] = "--exit-command-arg";
      argv[n++] = "--storage-driver";
      argv[n++] = "--exit-command-arg";
      argv[n++] = ctx->driver;
    }
  for (size_t i = 0; i < sizeof exit_args / sizeof *exit_args; i++)
    {
      argv[n++] = "--exit-command-arg";
      argv[n++] = exit_args[i];
    }
  argv[n] = NULL;

  int sync[2];
  if (pipe2 (sync, O_CLOEXEC) < 0)
    return lcr_error_sys (err, "pipe");
  int errfd = open (errfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  pid_t pid = fork ();
  if (pid < 0)
    {
      close (sync[0]);
      close (sync[1]);
      if (errfd >= 0)
        close (errfd);
      return lcr_error_sys (err, "fork");
    }
  if (pid == 0)
    {
      int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
      child_stdio (null, null, errfd >= 0 ? errfd : null);
      if (dup2 (sync[1], 3) < 0)
        _exit (127);
      /* the published sockets to 4, 5, …: first out of the way of those targets */
      int high[npub ? npub : 1];
      for (size_t i = 0; i < npub; i++)
        if ((high[i] = fcntl (a->published->fds[i], F_DUPFD_CLOEXEC, 256)) < 0)
          _exit (127);
      for (size_t i = 0; i < npub; i++)
        if (dup2 (high[i], 4 + (int)i) < 0)
          _exit (127);
      lcr_close_fds_from (4 + (int)npub);
      setenv ("_OCI_SYNCPIPE", "3", 1);
      unsetenv ("_OCI_STARTPIPE");
      unsetenv ("NOTIFY_SOCKET");
      /* the shim and the container must not die with a terminal's SIGHUP or our process group */
      setsid ();
      execv (argv[0], (char **)argv);
      dprintf (2, "exec %s: %s\n", argv[0], strerror (errno));
      _exit (127);
    }
  close (sync[1]);
  if (errfd >= 0)
    close (errfd);
  char line[4096];
  int got = read_sync_line (sync[0], line, sizeof line, 120000);
  close (sync[0]);
  int status;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  cleanup_error lcr_error_t perr = NULL;
  cleanup_jv jv msg = got > 0 ? jv_parse (line, strlen (line), "the shim's sync line", &perr) : NULL;
  long long data = msg ? jv_get_int (msg, "data", -1) : -1;
  if (data <= 0)
    {
      const char *m = jv_get_str (msg, "message");
      cleanup_free char *ebuf = NULL;
      size_t elen = 0;
      cleanup_error lcr_error_t e2 = NULL;
      if (m == NULL && lcr_read_file (errfile, &ebuf, &elen, &e2) == 0 && elen > 0)
        m = last_line (ebuf);
      cleanup_free char *mcopy = m ? xstrdup (m) : NULL;
      const char *shown = mcopy ? last_line (mcopy) : NULL;
      return lcr_error_make (err, 0, LCR_ERR_SYSTEM, "%s",
                             shown && *shown ? shown : "the container monitor failed to start it");
    }
  *ctr_pid = (pid_t)data;
  return 0;
}

int
dock_shim_attach_connect (const char *bundle, lcr_error_t *err)
{
  cleanup_close int dir = open (bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0)
    return lcr_error_sys (err, "open `%s`", bundle);
  int fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return lcr_error_sys (err, "socket");
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  snprintf (addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/attach", dir);
  if (connect (fd, (struct sockaddr *)&addr, sizeof addr) < 0)
    {
      int saved = errno;
      close (fd);
      return lcr_error_make (err, saved, LCR_ERR_SYSTEM, "attach to `%s/attach`", bundle);
    }
  return fd;
}
