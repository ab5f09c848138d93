/* berth-shim — docker's State.Health: the state machine, its JSON, the check's command line.
 * The rules are in health.h. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "health.h"
#include "utils.h"

void
health_state_init (struct health_state *h)
{
  memset (h, 0, sizeof *h);
  h->status = HEALTH_STARTING;
}

void
health_state_free (struct health_state *h)
{
  for (size_t i = 0; i < h->n_log; i++)
    free (h->log[i].output);
  h->n_log = 0;
}

const char *
health_status_name (enum health_status s)
{
  switch (s)
    {
    case HEALTH_HEALTHY:
      return "healthy";
    case HEALTH_UNHEALTHY:
      return "unhealthy";
    default:
      return "starting";
    }
}

void
health_state_record (struct health_state *h, struct health_result *r, bool in_start_period, long long retries)
{
  if (retries <= 0)
    retries = HEALTH_DEFAULT_RETRIES;
  if (h->n_log == HEALTH_LOG_MAX)
    {
      free (h->log[0].output);
      memmove (&h->log[0], &h->log[1], (HEALTH_LOG_MAX - 1) * sizeof h->log[0]);
      h->n_log--;
    }
  h->log[h->n_log++] = *r;
  r->output = NULL;
  r->output_len = 0;

  if (r->exit_code == 0)
    {
      h->failing_streak = 0;
      h->status = HEALTH_HEALTHY;
      return;
    }
  /* A slow starter gets its start period: until its first success, failures then are only
     logged.  After a success there is no start period any more. */
  if (h->status == HEALTH_STARTING && in_start_period)
    return;
  h->failing_streak++;
  if (h->failing_streak >= retries)
    h->status = HEALTH_UNHEALTHY;
}

/* ---------------------------------------------------------------- JSON */

struct sbuf
{
  char *p;
  size_t len, cap;
};

static void
sb_add (struct sbuf *b, const char *s, size_t n)
{
  if (b->len + n + 1 > b->cap)
    {
      b->cap = (b->len + n + 1) * 2;
      b->p = xrealloc (b->p, b->cap);
    }
  memcpy (b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

static void
sb_str (struct sbuf *b, const char *s)
{
  sb_add (b, s, strlen (s));
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 when there is none. */
static size_t
utf8_len (const unsigned char *p, size_t n)
{
  unsigned char c = p[0];
  size_t want;
  unsigned char lo = 0x80, hi = 0xbf; /* the allowed range of the second byte */
  if (c < 0x80)
    return 1;
  if (c >= 0xc2 && c <= 0xdf)
    want = 2;
  else if (c >= 0xe0 && c <= 0xef)
    {
      want = 3;
      if (c == 0xe0)
        lo = 0xa0; /* no overlong forms */
      else if (c == 0xed)
        hi = 0x9f; /* no surrogates */
    }
  else if (c >= 0xf0 && c <= 0xf4)
    {
      want = 4;
      if (c == 0xf0)
        lo = 0x90;
      else if (c == 0xf4)
        hi = 0x8f; /* nothing above U+10FFFF */
    }
  else
    return 0;
  if (n < want || p[1] < lo || p[1] > hi)
    return 0;
  for (size_t i = 2; i < want; i++)
    if (p[i] < 0x80 || p[i] > 0xbf)
      return 0;
  return want;
}

static void
sb_json_bytes (struct sbuf *b, const char *buf, size_t len)
{
  const unsigned char *p = (const unsigned char *)buf;
  size_t i = 0;
  while (i < len)
    {
      unsigned char c = p[i];
      char esc[8];
      if (c == '"' || c == '\\')
        {
          esc[0] = '\\', esc[1] = (char)c;
          sb_add (b, esc, 2);
          i++;
        }
      else if (c < 0x20 || c == 0x7f)
        {
          const char *named = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
          if (named)
            sb_str (b, named);
          else
            {
              snprintf (esc, sizeof esc, "\\u%04x", c);
              sb_str (b, esc);
            }
          i++;
        }
      else
        {
          size_t n = utf8_len (p + i, len - i);
          if (n == 0)
            {
              sb_str (b, "\\ufffd");
              i++;
            }
          else
            {
              sb_add (b, buf + i, n);
              i += n;
            }
        }
    }
}

char *
health_json_bytes (const char *buf, size_t len)
{
  struct sbuf b = {0};
  sb_add (&b, "", 0);
  sb_json_bytes (&b, buf, len);
  return b.p;
}

char *
health_state_json (const struct health_state *h)
{
  struct sbuf b = {0};
  char num[64];
  sb_str (&b, "{\"Status\":\"");
  sb_str (&b, health_status_name (h->status));
  snprintf (num, sizeof num, "\",\"FailingStreak\":%lld,\"Log\":[", h->failing_streak);
  sb_str (&b, num);
  for (size_t i = 0; i < h->n_log; i++)
    {
      const struct health_result *r = &h->log[i];
      if (i > 0)
        sb_str (&b, ",");
      sb_str (&b, "{\"Start\":\"");
      sb_json_bytes (&b, r->start, strlen (r->start));
      sb_str (&b, "\",\"End\":\"");
      sb_json_bytes (&b, r->end, strlen (r->end));
      snprintf (num, sizeof num, "\",\"ExitCode\":%d,\"Output\":\"", r->exit_code);
      sb_str (&b, num);
      sb_json_bytes (&b, r->output ? r->output : "", r->output ? r->output_len : 0);
      sb_str (&b, "\"}");
    }
  sb_str (&b, "]}\n");
  return b.p;
}

/* ---------------------------------------------------------------- the command */

/* One allocation: the pointers, then the strings. */
static char **
pack_argv (const char *const *parts, size_t n)
{
  size_t size = (n + 1) * sizeof (char *);
  for (size_t i = 0; i < n; i++)
    size += strlen (parts[i]) + 1;
  char **argv = xmalloc0 (size);
  char *s = (char *)(argv + n + 1);
  for (size_t i = 0; i < n; i++)
    {
      argv[i] = s;
      s = stpcpy (s, parts[i]) + 1;
    }
  argv[n] = NULL;
  return argv;
}

int
health_parse_test (const char *json, char ***argv, lcr_error_t *err)
{
  char ebuf[256] = "";
  *argv = NULL;
  yajl_val v = yajl_tree_parse (json, ebuf, sizeof ebuf);
  if (v == NULL)
    {
      /* its first line: the rest draws an arrow under the input */
      ebuf[strcspn (ebuf, "\n")] = '\0';
      return lcr_error_invalid (err, "--health-cmd: not JSON: %s", ebuf);
    }
  int r = -1;
  size_t n = YAJL_IS_ARRAY (v) ? v->u.array.len : 0;
  const char **parts = NULL;
  if (!YAJL_IS_ARRAY (v) || n == 0)
    {
      lcr_error_invalid (err, "--health-cmd: not a non-empty JSON array of strings");
      goto out;
    }
  parts = xmalloc0 ((n + 2) * sizeof *parts);
  for (size_t i = 0; i < n; i++)
    {
      parts[i] = YAJL_GET_STRING (v->u.array.values[i]);
      if (parts[i] == NULL)
        {
          lcr_error_invalid (err, "--health-cmd: element %zu is not a string", i);
          goto out;
        }
    }
  if (strcmp (parts[0], "NONE") == 0)
    r = 0;
  else if (strcmp (parts[0], "CMD") == 0)
    {
      if (n < 2 || *parts[1] == '\0')
        lcr_error_invalid (err, "--health-cmd: CMD without a command");
      else
        {
          *argv = pack_argv (parts + 1, n - 1);
          r = 0;
        }
    }
  else if (strcmp (parts[0], "CMD-SHELL") == 0)
    {
      if (n < 2)
        lcr_error_invalid (err, "--health-cmd: CMD-SHELL without a command");
      else
        {
          /* More than one word: one shell command line, as if typed with spaces between. */
          size_t len = 0;
          for (size_t i = 1; i < n; i++)
            len += strlen (parts[i]) + 1;
          cleanup_free char *line = xmalloc0 (len + 1);
          for (size_t i = 1; i < n; i++)
            {
              if (i > 1)
                strcat (line, " ");
              strcat (line, parts[i]);
            }
          const char *sh[] = {"/bin/sh", "-c", line};
          *argv = pack_argv (sh, 3);
          r = 0;
        }
    }
  else
    {
      cleanup_free char *esc = lcr_json_escape (parts[0]);
      lcr_error_invalid (err, "--health-cmd: unknown test type `%s` (CMD, CMD-SHELL or NONE)", esc);
    }
out:
  free (parts);
  yajl_tree_free (v);
  return r;
}

/* ---------------------------------------------------------------- durations */

/* whole.frac with the fraction's trailing zeros dropped, then the unit. */
static void
put_fixed (char *buf, size_t len, unsigned long long v, unsigned long long unit, int digits, const char *suffix)
{
  unsigned long long whole = v / unit, frac = v % unit;
  if (frac == 0)
    {
      snprintf (buf, len, "%llu%s", whole, suffix);
      return;
    }
  char f[24];
  snprintf (f, sizeof f, "%0*llu", digits, frac);
  size_t n = strlen (f);
  while (n > 0 && f[n - 1] == '0')
    f[--n] = '\0';
  snprintf (buf, len, "%llu.%s%s", whole, f, suffix);
}

void
health_duration_str (long long ns, char *buf, size_t len)
{
  const char *sign = ns < 0 ? "-" : "";
  unsigned long long u = ns < 0 ? -(unsigned long long)ns : (unsigned long long)ns;
  char body[64];
  if (u == 0)
    snprintf (body, sizeof body, "0s");
  else if (u < 1000ULL)
    snprintf (body, sizeof body, "%lluns", u);
  else if (u < 1000ULL * 1000)
    put_fixed (body, sizeof body, u, 1000ULL, 3, "\xc2\xb5s");
  else if (u < 1000ULL * 1000 * 1000)
    put_fixed (body, sizeof body, u, 1000ULL * 1000, 6, "ms");
  else
    {
      unsigned long long secs = u / 1000000000ULL, h = secs / 3600, m = secs / 60 % 60;
      char sec[32], hm[40] = "";
      put_fixed (sec, sizeof sec, u % (60ULL * 1000000000ULL), 1000000000ULL, 9, "s");
      if (h > 0)
        snprintf (hm, sizeof hm, "%lluh%llum", h, m);
      else if (m > 0)
        snprintf (hm, sizeof hm, "%llum", m);
      snprintf (body, sizeof body, "%s%s", hm, sec);
    }
  snprintf (buf, len, "%s%s", sign, body);
}
