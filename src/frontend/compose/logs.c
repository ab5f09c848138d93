/* dock compose — the containers' logs, one stream: a `dock logs` child per container, each
 * line written whole with compose's "service-1  | " prefix (names padded to one width). */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compose/compose.h"

struct stream
{
  pid_t pid;
  int fd;
  char *prefix;
  char *buf;
  size_t len, cap;
};

static void
flush_lines (struct stream *s, int width, bool all)
{
  size_t start = 0;
  for (size_t i = 0; i < s->len; i++)
    if (s->buf[i] == '\n')
      {
        printf ("%-*s  | %.*s\n", width, s->prefix, (int)(i - start), s->buf + start);
        start = i + 1;
      }
  if (all && start < s->len)
    {
      printf ("%-*s  | %.*s\n", width, s->prefix, (int)(s->len - start), s->buf + start);
      start = s->len;
    }
  memmove (s->buf, s->buf + start, s->len - start);
  s->len -= start;
  fflush (stdout);
}

int
compose_logs_mux (struct dock_ctx *ctx, jv containers, bool follow, const char *tail, volatile int *stop_flag,
                  lcr_error_t *err)
{
  size_t n = containers->u.array.len;
  if (n == 0)
    return 0;
  struct stream *st = xmalloc0 (n * sizeof *st);
  int width = 0, rc = 0;
  for (size_t i = 0; i < n; i++)
    {
      jv c = containers->u.array.values[i];
      const char *name = compose_ctr_name (c);
      const char *project = compose_label (c, COMPOSE_LABEL_PROJECT);
      size_t pl = project ? strlen (project) : 0;
      /* compose shows "service-N": the name without "PROJECT-" */
      st[i].prefix = xstrdup (project && strncmp (name, project, pl) == 0 && name[pl] == '-' ? name + pl + 1 : name);
      if ((int)strlen (st[i].prefix) > width)
        width = (int)strlen (st[i].prefix);
      struct compose_args a;
      compose_args_init (&a, ctx, "logs");
      if (follow)
        compose_args_add (&a, "--follow");
      if (tail)
        compose_args_addf (&a, "--tail=%s", tail);
      compose_args_add (&a, name);
      st[i].fd = -1;
      st[i].pid = compose_spawn_pipe (&a, &st[i].fd, err);
      compose_args_release (&a);
      if (st[i].pid < 0)
        {
          rc = -1;
          st[i].pid = 0;
          break;
        }
    }
  size_t open_n = 0;
  for (size_t i = 0; i < n; i++)
    open_n += st[i].fd >= 0;
  struct pollfd *pfd = xmalloc0 (n * sizeof *pfd);
  while (rc == 0 && open_n > 0 && !(stop_flag && *stop_flag))
    {
      for (size_t i = 0; i < n; i++)
        {
          pfd[i].fd = st[i].fd;
          pfd[i].events = POLLIN;
          pfd[i].revents = 0;
        }
      int r = poll (pfd, n, 500);
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          rc = lcr_error_sys (err, "poll");
          break;
        }
      for (size_t i = 0; i < n; i++)
        {
          if (st[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
          if (st[i].len + 4096 > st[i].cap)
            {
              st[i].cap = st[i].len + 8192;
              st[i].buf = xrealloc (st[i].buf, st[i].cap);
            }
          ssize_t got = read (st[i].fd, st[i].buf + st[i].len, st[i].cap - st[i].len);
          if (got < 0 && errno == EINTR)
            continue;
          if (got <= 0)
            {
              flush_lines (&st[i], width, true);
              close (st[i].fd);
              st[i].fd = -1;
              open_n--;
              continue;
            }
          st[i].len += (size_t)got;
          flush_lines (&st[i], width, false);
        }
    }
  for (size_t i = 0; i < n; i++)
    {
      if (st[i].fd >= 0)
        {
          flush_lines (&st[i], width, true);
          close (st[i].fd);
        }
      if (st[i].pid > 0)
        {
          kill (st[i].pid, SIGTERM); /* our own child: ends a `logs -f` */
          while (waitpid (st[i].pid, NULL, 0) < 0 && errno == EINTR)
            ;
        }
      free (st[i].prefix);
      free (st[i].buf);
    }
  free (pfd);
  free (st);
  return rc;
}
