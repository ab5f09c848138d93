/* dock — pull and push progress (see progress.h). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "registry/progress.h"
#include "utils.h"

#define BAR_WIDTH 50
#define REDRAW_NS (100 * 1000000LL)

struct pline
{
  char id[16];
  char *text; /* what follows "ID: " */
  long long drawn_ns;
};

struct dock_progress
{
  FILE *out;
  bool quiet, tty;
  int width; /* the terminal's columns: a longer line would wrap and break the cursor's count */
  pthread_mutex_t lock;
  struct pline *lines;
  size_t n, cap;
};

static long long
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct dock_progress *
dock_progress_new (FILE *out, bool quiet, int tty)
{
  struct dock_progress *pg = xmalloc0 (sizeof *pg);
  pg->out = out;
  pg->quiet = quiet;
  if (tty < 0)
    {
      const char *term = getenv ("TERM");
      tty = out && isatty (fileno (out)) && !(term && strcmp (term, "dumb") == 0);
    }
  pg->tty = tty;
  struct winsize ws;
  pg->width = pg->tty && ioctl (fileno (out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20 ? ws.ws_col : 80;
  pthread_mutex_init (&pg->lock, NULL);
  return pg;
}

void
dock_progress_free (struct dock_progress *pg)
{
  if (pg == NULL)
    return;
  for (size_t i = 0; i < pg->n; i++)
    free (pg->lines[i].text);
  free (pg->lines);
  pthread_mutex_destroy (&pg->lock);
  free (pg);
}

/* On a terminal: line `i` rewritten where it stands, the cursor back below the last line. */
static void
redraw (struct dock_progress *pg, size_t i)
{
  size_t up = pg->n - i;
  int room = pg->width - 1 - (int)strlen (pg->lines[i].id) - 2;
  fprintf (pg->out, "\033[%zuA\r\033[2K%s: %.*s\033[%zuB\r", up, pg->lines[i].id, room > 0 ? room : 0,
           pg->lines[i].text, up);
  fflush (pg->out);
}

int
dock_progress_add (struct dock_progress *pg, const char *id, const char *status)
{
  if (pg->quiet)
    return -1;
  pthread_mutex_lock (&pg->lock);
  if (pg->n == pg->cap)
    {
      pg->cap = pg->cap ? pg->cap * 2 : 8;
      pg->lines = xrealloc (pg->lines, pg->cap * sizeof *pg->lines);
    }
  struct pline *l = &pg->lines[pg->n];
  snprintf (l->id, sizeof l->id, "%s", id);
  l->text = xstrdup (status);
  l->drawn_ns = 0;
  int idx = (int)pg->n++;
  fprintf (pg->out, "%s: %s\n", l->id, l->text);
  fflush (pg->out);
  pthread_mutex_unlock (&pg->lock);
  return idx;
}

void
dock_progress_status (struct dock_progress *pg, int line, const char *status)
{
  if (pg->quiet || line < 0)
    return;
  pthread_mutex_lock (&pg->lock);
  struct pline *l = &pg->lines[line];
  free (l->text);
  l->text = xstrdup (status);
  if (pg->tty)
    redraw (pg, (size_t)line);
  else
    {
      fprintf (pg->out, "%s: %s\n", l->id, l->text);
      fflush (pg->out);
    }
  pthread_mutex_unlock (&pg->lock);
}

/* "1.2MB" as docker writes sizes (decimal units) */
static void
human (uint64_t n, char buf[16])
{
  static const char *units[] = {"B", "kB", "MB", "GB", "TB"};
  double v = (double)n;
  size_t u = 0;
  while (v >= 1000 && u + 1 < sizeof units / sizeof units[0])
    v /= 1000, u++;
  if (u == 0)
    snprintf (buf, 16, "%lluB", (unsigned long long)n);
  else
    snprintf (buf, 16, "%.3g%s", v, units[u]);
}

void
dock_progress_bytes (struct dock_progress *pg, int line, const char *verb, uint64_t now, uint64_t total)
{
  if (pg->quiet || !pg->tty || line < 0)
    return;
  pthread_mutex_lock (&pg->lock);
  struct pline *l = &pg->lines[line];
  long long t = now_ns ();
  if (now < total && t - l->drawn_ns < REDRAW_NS)
    {
      pthread_mutex_unlock (&pg->lock);
      return;
    }
  l->drawn_ns = t;
  /* the bar narrows so that the sizes fit: ID, ": ", the verb, " [", "] ", 17 for the sizes */
  int w = pg->width - 1 - (int)strlen (l->id) - 2 - (int)strlen (verb) - 4 - 17;
  size_t bw = w > BAR_WIDTH ? BAR_WIDTH : w < 10 ? 10 : (size_t)w;
  char bar[BAR_WIDTH + 1];
  size_t fill = total ? (size_t)((double)now / (double)total * (double)bw) : 0;
  if (fill > bw)
    fill = bw;
  for (size_t i = 0; i < bw; i++)
    bar[i] = i < fill ? '=' : ' ';
  if (fill < bw)
    bar[fill] = '>';
  bar[bw] = '\0';
  char a[16], b[16];
  human (now, a);
  human (total, b);
  char *text;
  xasprintf (&text, "%s [%s] %8s/%s", verb, bar, a, b);
  /* the last bytes are reported more than once: draw them once */
  if (strcmp (text, l->text) != 0)
    {
      free (l->text);
      l->text = text;
      redraw (pg, (size_t)line);
    }
  else
    free (text);
  pthread_mutex_unlock (&pg->lock);
}

void
dock_progress_text (struct dock_progress *pg, const char *fmt, ...)
{
  if (pg->quiet)
    return;
  va_list ap;
  va_start (ap, fmt);
  pthread_mutex_lock (&pg->lock);
  vfprintf (pg->out, fmt, ap);
  fflush (pg->out);
  pthread_mutex_unlock (&pg->lock);
  va_end (ap);
}
