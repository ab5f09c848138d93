/* dock compose — dock's own commands as child processes.
 *
 * compose runs in dock-archive (libyaml), but the commands it drives need none of that: they
 * run in the light `dock` beside it, which starts faster, with the global options this dock
 * was given (compose.h says why children rather than the C APIs).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compose/compose.h"

static const char *
light_dock (struct dock_ctx *ctx)
{
  static char path[4096];
  const char *slash = strrchr (ctx->self, '/');
  snprintf (path, sizeof path, "%.*sdock", slash ? (int)(slash - ctx->self + 1) : 0, ctx->self);
  return access (path, X_OK) == 0 ? path : ctx->self;
}

void
compose_args_add (struct compose_args *a, const char *s)
{
  if (a->n + 2 > a->cap)
    {
      a->cap = a->cap ? a->cap * 2 : 32;
      a->v = xrealloc (a->v, a->cap * sizeof (char *));
    }
  a->v[a->n++] = xstrdup (s);
  a->v[a->n] = NULL;
}

void
compose_args_addf (struct compose_args *a, const char *fmt, ...)
{
  va_list ap;
  char *s = NULL;
  va_start (ap, fmt);
  if (vasprintf (&s, fmt, ap) < 0)
    s = NULL;
  va_end (ap);
  if (s == NULL)
    abort (); /* out of memory */
  compose_args_add (a, s);
  free (s);
}

void
compose_args_init (struct compose_args *a, struct dock_ctx *ctx, const char *cmd)
{
  *a = (struct compose_args){0};
  compose_args_add (a, light_dock (ctx));
  compose_args_add (a, "--root");
  compose_args_add (a, ctx->root);
  compose_args_add (a, "--runroot");
  compose_args_add (a, ctx->runroot);
  if (ctx->runtime)
    {
      compose_args_add (a, "--runtime");
      compose_args_add (a, ctx->runtime);
    }
  if (ctx->shim)
    {
      compose_args_add (a, "--shim");
      compose_args_add (a, ctx->shim);
    }
  if (ctx->driver)
    {
      compose_args_add (a, "--storage-driver");
      compose_args_add (a, ctx->driver);
    }
  if (ctx->log_level >= 3)
    compose_args_add (a, "--debug");
  if (cmd)
    compose_args_add (a, cmd);
}

void
compose_args_release (struct compose_args *a)
{
  for (size_t i = 0; i < a->n; i++)
    free (a->v[i]);
  free (a->v);
  *a = (struct compose_args){0};
}

static int
wait_child (pid_t pid, const char *what, lcr_error_t *err)
{
  int st;
  while (waitpid (pid, &st, 0) < 0)
    if (errno != EINTR)
      return lcr_error_sys (err, "wait for %s", what);
  if (WIFEXITED (st))
    return WEXITSTATUS (st);
  return 128 + WTERMSIG (st);
}

int
compose_run (struct compose_args *a, char **out, bool quiet, lcr_error_t *err)
{
  int p[2] = {-1, -1};
  if (out && pipe2 (p, O_CLOEXEC) < 0)
    return lcr_error_sys (err, "pipe");
  fflush (stdout);
  fflush (stderr);
  pid_t pid = fork ();
  if (pid < 0)
    return lcr_error_sys (err, "fork");
  if (pid == 0)
    {
      if (out)
        dup2 (p[1], 1);
      if (quiet)
        {
          int nul = open ("/dev/null", O_WRONLY | O_CLOEXEC);
          if (nul >= 0)
            dup2 (nul, 2);
        }
      execv (a->v[0], a->v);
      _exit (127);
    }
  if (out)
    {
      close (p[1]);
      size_t len = 0, cap = 4096;
      char *buf = xmalloc0 (cap);
      ssize_t r;
      for (;;)
        {
          if (len + 1 >= cap)
            buf = xrealloc (buf, cap *= 2);
          r = read (p[0], buf + len, cap - len - 1);
          if (r < 0 && errno == EINTR)
            continue;
          if (r <= 0)
            break;
          len += (size_t)r;
        }
      buf[len] = '\0';
      close (p[0]);
      *out = buf;
    }
  return wait_child (pid, a->v[0], err);
}

pid_t
compose_spawn_pipe (struct compose_args *a, int *fd, lcr_error_t *err)
{
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return lcr_error_sys (err, "pipe");
  fflush (stdout);
  fflush (stderr);
  pid_t pid = fork ();
  if (pid < 0)
    {
      close (p[0]);
      close (p[1]);
      return lcr_error_sys (err, "fork");
    }
  if (pid == 0)
    {
      dup2 (p[1], 1);
      dup2 (p[1], 2);
      int nul = open ("/dev/null", O_RDONLY | O_CLOEXEC);
      if (nul >= 0)
        dup2 (nul, 0);
      execv (a->v[0], a->v);
      _exit (127);
    }
  close (p[1]);
  *fd = p[0];
  return pid;
}

int
compose_exec (struct compose_args *a)
{
  fflush (stdout);
  fflush (stderr);
  execv (a->v[0], a->v);
  return dock_failf ("run %s: %s", a->v[0], strerror (errno));
}
