/* berth-shim — what the monitor leaves behind: pipe messages, exit files, the exit command. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "shim.h"

void
pipe_send (int *fd, int value, const char *message)
{
  if (*fd < 0)
    return;
  cleanup_free char *line = NULL;
  if (message && *message)
    {
      cleanup_free char *esc = lcr_json_escape (message);
      xasprintf (&line, "{\"data\": %d, \"message\": \"%s\"}\n", value, esc);
    }
  else
    xasprintf (&line, "{\"data\": %d}\n", value);
  if (lcr_write_all (*fd, line, strlen (line)) < 0)
    {
      /* The caller is gone (EPIPE): nobody to tell, and the container still needs us. */
      shim_warn ("write to the sync pipe: %m");
      close (*fd);
      *fd = -1;
    }
}

int
exit_status_of (int wait_status)
{
  if (WIFEXITED (wait_status))
    return WEXITSTATUS (wait_status);
  if (WIFSIGNALED (wait_status))
    return 128 + WTERMSIG (wait_status);
  return -1;
}

int
write_file_atomic (const char *path, const char *data, size_t len)
{
  /* Readers (podman, inotify on the exit dir, dock reading health.json) must never see a
     half-written file: a temporary file in the same directory renamed over the name. */
  cleanup_free char *tmp = NULL;
  const char *slash = strrchr (path, '/');
  if (slash)
    xasprintf (&tmp, "%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
  else
    xasprintf (&tmp, ".%s.XXXXXX", path);
  cleanup_close int fd = mkostemp (tmp, O_CLOEXEC);
  if (fd < 0)
    {
      shim_warn ("create `%s`: %m", tmp);
      return -1;
    }
  fchmod (fd, 0644);
  if (lcr_write_all (fd, data, len) < 0 || rename (tmp, path) < 0)
    {
      shim_warn ("write `%s`: %m", path);
      unlink (tmp);
      return -1;
    }
  return 0;
}

int
write_int_file (const char *path, int value)
{
  char data[16];
  int n = snprintf (data, sizeof data, "%d", value);
  return write_file_atomic (path, data, (size_t)n);
}

void
run_exit_command (struct shim *s)
{
  struct shim_opts *o = &s->o;
  /* The exit command cleans up after the container (podman container cleanup): it must not be
     held up by our children, and our fds (ports podman reserved) must be closed by now. */
  prctl (PR_SET_CHILD_SUBREAPER, 0);
  pid_t pid = fork ();
  if (pid < 0)
    {
      shim_warn ("fork the exit command: %m");
      return;
    }
  if (pid == 0)
    {
      sigset_t none;
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      signal (SIGPIPE, SIG_DFL);
      lcr_close_fds_from (3);
      if (o->exit_delay > 0)
        {
          unsigned left = (unsigned)o->exit_delay;
          while ((left = sleep (left)) > 0)
            ;
        }
      int fd = open ("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
      if (fd >= 0)
        {
          if (write (fd, "0", 1) < 0)
            _exit (127);
          close (fd);
        }
      char **argv = xmalloc0 ((o->exit_args.n + 2) * sizeof *argv);
      argv[0] = (char *)o->exit_command;
      for (size_t i = 0; i < o->exit_args.n; i++)
        argv[i + 1] = o->exit_args.v[i];
      execv (argv[0], argv);
      _exit (127);
    }
  int status;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  shim_debug ("exit command exited with %d", exit_status_of (status));
}
