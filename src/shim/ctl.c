/* berth-shim — the control fifos in the bundle directory.
 *
 *   ctl    "TYPE HEIGHT WIDTH\n": type 1 resizes the pty, type 2 starts a new log file
 *          (after an outside rotation; the numbers are ignored, "2 0 0")
 *   winsz  "HEIGHT WIDTH\n": resize only
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
  if (h < 0 || w < 0 || h > 65535 || w > 65535)
    {
      shim_warn ("invalid window size %ldx%ld", h, w);
      return;
    }
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
ctl_line (struct shim *s, char *line)
{
  long type, h, w;
  if (sscanf (line, "%ld %ld %ld", &type, &h, &w) != 3)
    {
      shim_warn ("ctl: malformed message `%s`", line);
      return;
    }
  if (type == 1)
    resize (s, h, w);
  else if (type == 2)
    {
      shim_debug ("ctl: reopening the log");
      logs_reopen (&s->log);
    }
  else
    shim_warn ("ctl: unknown message type %ld", type);
}

static void
winsz_line (struct shim *s, char *line)
{
  long h, w;
  if (sscanf (line, "%ld %ld", &h, &w) != 2)
    shim_warn ("winsz: malformed message `%s`", line);
  else
    resize (s, h, w);
}

/* Read what is there and hand over each complete line; a partial one waits for the rest. */
static void
read_lines (struct shim *s, int fd, char *buf, size_t *len, size_t cap, void (*fn) (struct shim *, char *))
{
  for (;;)
    {
      ssize_t n = read (fd, buf + *len, cap - 1 - *len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return;
      *len += (size_t)n;
      buf[*len] = '\0';
      char *start = buf, *nl;
      while ((nl = strchr (start, '\n')))
        {
          *nl = '\0';
          fn (s, start);
          start = nl + 1;
        }
      *len -= (size_t)(start - buf);
      memmove (buf, start, *len);
      if (*len == cap - 1)
        {
          shim_warn ("control message too long: dropped");
          *len = 0;
        }
    }
}

static void
on_ctl (struct shim *s, struct watch *w, uint32_t events LCR_UNUSED)
{
  read_lines (s, w->fd, s->ctl_buf, &s->ctl_len, sizeof s->ctl_buf, ctl_line);
}

static void
on_winsz (struct shim *s, struct watch *w, uint32_t events LCR_UNUSED)
{
  read_lines (s, w->fd, s->winsz_buf, &s->winsz_len, sizeof s->winsz_buf, winsz_line);
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
