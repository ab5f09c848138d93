/* libFuzzer target: what a client writes to berth-shim's ctl and winsz fifos.
 *
 * The input is the byte stream written to the fifo; its first byte seeds how the stream is cut
 * into reads (as a fifo may deliver it in any pieces).  The stream goes through the shim's line
 * splitter and each line through its parser, for both fifos.  Checked beyond the sanitizers:
 * how the stream is cut must not change which lines come out (a reader that depended on read
 * sizes would act on half messages); a line never holds a newline nor exceeds the buffer; an
 * accepted resize fits a struct winsize.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

/* What came out of one pass, to compare the two passes. */
struct record
{
  bool winsz;
  char out[1 << 16];
  size_t len;
  size_t lines;
};

static void
on_line (void *ctx, char *line)
{
  struct record *r = ctx;
  size_t n = strlen (line);
  if (n >= sizeof ((struct shim_lines *)0)->buf - 1)
    abort (); /* a full buffer is dropped, never handed over */

  struct shim_ctl_msg m;
  int t = shim_ctl_parse (line, r->winsz, &m);
  if (t != m.type)
    abort ();
  switch (t)
    {
    case SHIM_CTL_RESIZE:
      if (m.height < 0 || m.height > 65535 || m.width < 0 || m.width > 65535)
        abort ();
      break;
    case SHIM_CTL_REOPEN_LOG:
    case SHIM_CTL_UNKNOWN:
      if (r->winsz)
        abort (); /* winsz carries resizes only */
      break;
    case SHIM_CTL_BAD_SIZE:
    case SHIM_CTL_MALFORMED:
      break;
    default:
      abort ();
    }

  /* the line (up to a NUL, as the parser sees it) and the verdict */
  if (r->len + n + 64 < sizeof r->out)
    {
      memcpy (r->out + r->len, line, n);
      r->len += n;
      r->len += (size_t)snprintf (r->out + r->len, sizeof r->out - r->len, "|%d %ld %ld %ld\n", t, m.written_type,
                                  m.height, m.width);
    }
  r->lines++;
}

static struct record cut, whole;

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  uint32_t seed = data[0] * 2654435761u + 1;
  const char *stream = (const char *)data + 1;
  size_t n = size - 1;

  for (int winsz = 0; winsz < 2; winsz++)
    {
      memset (&cut, 0, sizeof cut);
      memset (&whole, 0, sizeof whole);
      cut.winsz = whole.winsz = winsz;

      struct shim_lines a = {.len = 0}, b = {.len = 0};
      size_t dropped_cut = 0;
      for (size_t off = 0; off < n;)
        {
          seed = seed * 1103515245u + 12345u;
          size_t piece = 1 + (seed >> 16) % 300; /* reads of 1..300 bytes, some past the buffer */
          if (piece > n - off)
            piece = n - off;
          dropped_cut += shim_lines_feed (&a, stream + off, piece, on_line, &cut);
          off += piece;
        }
      size_t dropped_whole = shim_lines_feed (&b, stream, n, on_line, &whole);

      if (dropped_cut != dropped_whole || cut.lines != whole.lines || cut.len != whole.len
          || memcmp (cut.out, whole.out, cut.len) != 0 || a.len != b.len || memcmp (a.buf, b.buf, a.len) != 0)
        abort ();
      if (a.len >= sizeof a.buf - 1 || a.buf[a.len] != '\0')
        abort ();
    }
  return 0;
}
