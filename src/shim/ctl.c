/* berth-shim — the control fifos in the bundle directory.
 *
 *   ctl    "TYPE HEIGHT WIDTH\n": type 1 resizes the pty, type 2 starts a new log file
 *          (after an outside rotation; the numbers are ignored, "2 0 0")
 *   winsz  "HEIGHT WIDTH\n": resize only
 *
 * The lines are split and parsed in ctl-msg.c; this file owns the fds and acts on them.
 *
 * We keep a writer open on each fifo ourselves: otherwise every client that closes its end
 * would leave the reader at EOF, and epoll would report it forever.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>

#include "shim.h"

static void
resize (struct shim *s, long h, long w)
{
  if (s->pty < 0)
    {
      shim_debug ("resize %ldx%ld without a terminal: ignored", h, w);
      return;
    }
  struct winsize ws = {.ws_row = (unsigned short)h, .ws_col = (unsigned short)w};
  if (ioctl (s->pty, TIOCSWINSZ, &ws) < 0)
    shim_warn ("resize the pty: %m");
  else
    shim_debug ("pty resized to %ldx%ld", h, w);
}

static void
handle_line (struct shim *s, char *line, bool winsz)
{
  const char *fifo = winsz ? "winsz" : "ctl";
  struct shim_ctl_msg m;
  switch (shim_ctl_parse (line, winsz, &m))
    {
    case SHIM_CTL_RESIZE:
      resize (s, m.height, m.width);
      break;
    case SHIM_CTL_REOPEN_LOG:
      shim_debug ("ctl: reopening the log");
      logs_reopen (&s->log);
      break;
    case SHIM_CTL_BAD_SIZE:
      shim_warn ("%s: invalid window size %ldx%ld", fifo, m.height, m.width);
      break;
    case SHIM_CTL_UNKNOWN:
      shim_warn ("%s: unknown message type %ld", fifo, m.written_type);
      break;
    default:
      /* the line may hold anything: show it escaped */
      {
        cleanup_free char *esc = lcr_json_escape (line);
        shim_warn ("%s: malformed message \"%s\"", fifo, esc);
      }
      break;
    }
}

static void
ctl_line (void *s, char *line)
{
  handle_line (s, line, false);
}

static void
winsz_line (void *s, char *line)
{
  handle_line (s, line, true);
}

/* Read what is there and hand over each complete line; a partial one waits for the rest. */
static void
read_lines (struct shim *s, int fd, struct shim_lines *l, void (*fn) (void *, char *))
{
  for (;;)
    {
      char chunk[sizeof l->buf];
      ssize_t n = read (fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return;
      if (shim_lines_feed (l, chunk, (size_t)n, fn, s) > 0)
        shim_warn ("control message too long: dropped");
    }
}

static void
on_ctl (struct shim *s, struct watch *w, uint32_t events LCR_UNUSED)
{
  read_lines (s, w->fd, &s->ctl_lines, ctl_line);
}

static void
on_winsz (struct shim *s, struct watch *w, uint32_t events LCR_UNUSED)
{
  read_lines (s, w->fd, &s->winsz_lines, winsz_line);
}

static int
make_fifo (struct shim *s, const char *name, struct watch *w, int *keep, watch_fn fn, lcr_error_t *err)
{
  cleanup_free char *path = NULL;
  xasprintf (&path, "%s/%s", s->o.bundle, name);
  if (mkfifo (path, 0660) < 0)
    {
      if (errno != EEXIST)
        return lcr_error_sys (err, "mkfifo `%s`", path);
      /* Left by an earlier monitor: a new one, not a fifo someone may still hold. */
      unlink (path);
      if (mkfifo (path, 0660) < 0)
        return lcr_error_sys (err, "mkfifo `%s`", path);
    }
  cleanup_close int r = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (r < 0)
    return lcr_error_sys (err, "open `%s`", path);
  *keep = open (path, O_WRONLY | O_CLOEXEC);
  if (*keep < 0)
    return lcr_error_sys (err, "open `%s` for writing", path);
  if (loop_add (s, w, r, EPOLLIN, fn, NULL) < 0)
    return lcr_error_sys (err, "epoll_ctl");
  steal_fd (&r);
  return 0;
}

int
ctl_setup (struct shim *s, lcr_error_t *err)
{
  if (make_fifo (s, "ctl", &s->ctl, &s->ctl_keep_w, on_ctl, err) < 0)
    return -1;
  return make_fifo (s, "winsz", &s->winsz, &s->winsz_keep_w, on_winsz, err);
}

void
ctl_shutdown (struct shim *s)
{
  loop_close (s, &s->ctl);
  loop_close (s, &s->winsz);
  if (s->ctl_keep_w >= 0)
    close (s->ctl_keep_w);
  if (s->winsz_keep_w >= 0)
    close (s->winsz_keep_w);
  s->ctl_keep_w = s->winsz_keep_w = -1;
}
