/* berth — error values and the log sink. */
#define _GNU_SOURCE
#include "error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "utils.h"

static int
set_message (lcr_error_t *err, int errno_, int code, char *msg)
{
  if (err == NULL)
    {
      free (msg);
      return -1;
    }
  if (*err)
    lcr_error_release (err);
  struct lcr_error_s *e = xmalloc0 (sizeof *e);
  e->errno_ = errno_;
  e->code = code;
  e->msg = msg;
  *err = e;
  return -1;
}

int
lcr_error_make (lcr_error_t *err, int errno_, int code, const char *fmt, ...)
{
  va_list ap;
  char *base = NULL, *msg = NULL;
  va_start (ap, fmt);
  if (vasprintf (&base, fmt, ap) < 0)
    base = NULL;
  va_end (ap);
  if (base == NULL)
    abort ();
  if (errno_ != 0)
    {
      if (asprintf (&msg, "%s: %s", base, strerror (errno_)) < 0)
        abort ();
      free (base);
    }
  else
    msg = base;
  return set_message (err, errno_, code, msg);
}

int
lcr_error_wrap (lcr_error_t *err, const char *fmt, ...)
{
  va_list ap;
  char *ctx = NULL, *msg = NULL;
  va_start (ap, fmt);
  if (vasprintf (&ctx, fmt, ap) < 0)
    abort ();
  va_end (ap);
  if (err == NULL)
    {
      free (ctx);
      return -1;
    }
  if (*err == NULL)
    return set_message (err, errno, LCR_ERR_SYSTEM, ctx);
  if (asprintf (&msg, "%s: %s", ctx, (*err)->msg) < 0)
    abort ();
  free (ctx);
  free ((*err)->msg);
  (*err)->msg = msg;
  return -1;
}

void
lcr_error_release (lcr_error_t *err)
{
  if (err == NULL || *err == NULL)
    return;
  free ((*err)->msg);
  free (*err);
  *err = NULL;
}

char *
lcr_json_escape (const char *s)
{
  size_t n = strlen (s);
  char *out = xmalloc0 (n * 6 + 1), *o = out;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    {
      switch (*p)
        {
        case '"':
          *o++ = '\\', *o++ = '"';
          break;
        case '\\':
          *o++ = '\\', *o++ = '\\';
          break;
        case '\n':
          *o++ = '\\', *o++ = 'n';
          break;
        case '\r':
          *o++ = '\\', *o++ = 'r';
          break;
        case '\t':
          *o++ = '\\', *o++ = 't';
          break;
        default:
          /* DEL too: a control character to a terminal, though JSON allows it raw */
          if (*p < 0x20 || *p == 0x7f)
            o += sprintf (o, "\\u%04x", *p);
          else
            *o++ = (char)*p;
        }
    }
  *o = '\0';
  return out;
}

char *
lcr_escape_controls (const char *s)
{
  size_t n = strlen (s);
  char *out = xmalloc0 (n * 4 + 1), *o = out;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    {
      if (*p == '\n')
        *o++ = '\\', *o++ = 'n';
      else if (*p == '\t')
        *o++ = '\\', *o++ = 't';
      else if (*p == '\r')
        *o++ = '\\', *o++ = 'r';
      else if (*p < 0x20 || *p == 0x7f)
        o += sprintf (o, "\\x%02x", *p);
      else
        *o++ = (char)*p;
    }
  *o = '\0';
  return out;
}

static const char *const level_names[] = {"error", "warning", "info", "debug"};

void
lcr_vlog (struct lcr_log_sink *sink, int level, const char *fmt, va_list ap)
{
  if (sink == NULL)
    return;
  /* without a log file, --debug's lines go to stderr, as runc's do */
  bool to_stderr = sink->to_stderr && (level == LCR_LOG_WARNING || (sink->fd < 0 && level > LCR_LOG_WARNING));
  if (level > sink->level && !(sink->to_stderr && level <= LCR_LOG_WARNING))
    return;
  char *msg = NULL;
  if (vasprintf (&msg, fmt, ap) < 0)
    return;
  if (sink->fd >= 0 && level <= sink->level)
    {
      char now[64];
      char *line = NULL;
      int n;
      lcr_rfc3339_now (now, sizeof now);
      if (sink->json)
        {
          cleanup_free char *esc = lcr_json_escape (msg);
          n = asprintf (&line, "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s\"}\n", level_names[level], esc, now);
        }
      else
        n = asprintf (&line, "%s %s: %s\n", now, level_names[level], msg);
      if (n > 0)
        lcr_write_all (sink->fd, line, n);
      free (line);
    }
  /* errors are main's to print; warnings have no one else to show them */
  if (to_stderr)
    {
      cleanup_free char *line = NULL;
      int n = asprintf (&line, "berth: %s: %s\n", level_names[level], msg);
      if (n > 0)
        lcr_write_all (2, line, n);
    }
  free (msg);
}

void
lcr_log (struct lcr_log_sink *sink, int level, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  lcr_vlog (sink, level, fmt, ap);
  va_end (ap);
}
