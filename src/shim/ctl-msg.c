/* berth-shim — the ctl and winsz fifos' messages, apart from any fd or event loop, so the
 * fuzzer (tests/fuzz) and ctl.c run the same code on the same bytes.
 *
 *   ctl    "TYPE HEIGHT WIDTH\n": type 1 resizes the pty, type 2 starts a new log file
 *   winsz  "HEIGHT WIDTH\n": resize only
 *
 * Anyone who can open the fifos can write anything: every line is checked, none is trusted.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "shim.h"

int
shim_ctl_parse (const char *line, bool winsz, struct shim_ctl_msg *m)
{
  long type = SHIM_CTL_RESIZE, h, w;
  memset (m, 0, sizeof *m);
  if (winsz ? sscanf (line, "%ld %ld", &h, &w) != 2 : sscanf (line, "%ld %ld %ld", &type, &h, &w) != 3)
    return m->type = SHIM_CTL_MALFORMED;
  m->written_type = type;
  m->height = h;
  m->width = w;
  if (type == SHIM_CTL_REOPEN_LOG)
    return m->type = SHIM_CTL_REOPEN_LOG; /* the numbers are ignored ("2 0 0") */
  if (type != SHIM_CTL_RESIZE)
    return m->type = SHIM_CTL_UNKNOWN;
  /* struct winsize holds unsigned shorts */
  if (h < 0 || w < 0 || h > 65535 || w > 65535)
    return m->type = SHIM_CTL_BAD_SIZE;
  return m->type = SHIM_CTL_RESIZE;
}

size_t
shim_lines_feed (struct shim_lines *l, const char *data, size_t n, void (*fn) (void *ctx, char *line), void *ctx)
{
  size_t dropped = 0;
  while (n > 0)
    {
      size_t room = sizeof l->buf - 1 - l->len;
      size_t take = n < room ? n : room;
      memcpy (l->buf + l->len, data, take);
      l->len += take;
      data += take;
      n -= take;

      /* memchr, not strchr: a NUL in a line must not hide the newline after it */
      char *start = l->buf, *nl;
      while ((nl = memchr (start, '\n', l->len - (size_t)(start - l->buf))))
        {
          *nl = '\0';
          fn (ctx, start);
          start = nl + 1;
        }
      l->len -= (size_t)(start - l->buf);
      memmove (l->buf, start, l->len);
      if (l->len == sizeof l->buf - 1)
        {
          dropped++;
          l->len = 0;
        }
    }
  l->buf[l->len] = '\0';
  return dropped;
}
