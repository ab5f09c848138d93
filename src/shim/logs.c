/* berth-shim — the container log in CRI's k8s-file format.
 *
 * Every line is "TIMESTAMP STREAM TAG TEXT\n": TIMESTAMP is RFC 3339 with nanoseconds and the
 * local offset (what podman and kubelet parse), STREAM is stdout or stderr, TAG is F for a full
 * line and P for a partial one (a chunk that did not end in a newline; the reader joins the
 * P pieces up to the next F).
 *
 * --log-size-max: a line that would take the file past the cap starts a new file first.  Like
 * conmon, the default is to truncate (a fresh file renamed over the old one); --log-rotate keeps
 * PATH.1 … PATH.N instead.  The ctl fifo's "2 0 0" does the same on demand (log rotation by an
 * outside tool, which moved the old file away).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>

#include "shim.h"

int
logs_open (struct shim_logfile *l, lcr_error_t *err)
{
  l->fd = -1;
  if (l->path == NULL)
    return 0;
  l->fd = open (l->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (l->fd < 0)
    return lcr_error_sys (err, "open log file `%s`", l->path);
  struct stat st;
  l->size = fstat (l->fd, &st) == 0 ? st.st_size : 0;
  return 0;
}

/* "2006-01-02T15:04:05.999999999+07:00 stdout " into buf; returns its length. */
static size_t
timestamp (char *buf, size_t len, int stream)
{
  struct timespec ts;
  struct tm tm;
  clock_gettime (CLOCK_REALTIME, &ts);
  localtime_r (&ts.tv_sec, &tm);
  long off = tm.tm_gmtoff;
  char sign = off < 0 ? '-' : '+';
  if (off < 0)
    off = -off;
  int n = snprintf (buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09ld%c%02ld:%02ld %s ", tm.tm_year + 1900, tm.tm_mon + 1,
                    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec, sign, off / 3600, (off % 3600) / 60,
                    stream == SHIM_STDERR ? "stderr" : "stdout");
  return n > 0 && (size_t)n < len ? (size_t)n : 0;
}

static void
flush (struct shim_logfile *l, struct iovec *iov, int *n)
{
  if (*n == 0)
    return;
  /* O_APPEND: writev appends the whole batch; a short write only on a full disk */
  if (writev (l->fd, iov, *n) < 0)
    shim_warn ("write to log `%s`: %m", l->path);
  *n = 0;
}

void
logs_write (struct shim_logfile *l, int stream, const char *buf, size_t len)
{
  if (l->fd < 0)
    return;
  char ts[64];
  size_t tslen = timestamp (ts, sizeof ts, stream);
  struct iovec iov[64];
  int n = 0;

  while (len > 0)
    {
      const char *nl = memchr (buf, '\n', len);
      bool partial = nl == NULL;
      size_t line = partial ? len : (size_t)(nl - buf) + 1;
      long long bytes = (long long)(tslen + 2 + line + (partial ? 1 : 0));

      if (l->max > 0 && l->size + bytes > l->max)
        {
          flush (l, iov, &n);
          logs_reopen (l);
          if (l->fd < 0)
            return;
        }
      if (n + 4 > (int)(sizeof iov / sizeof iov[0]))
        flush (l, iov, &n);
      iov[n++] = (struct iovec){ts, tslen};
      iov[n++] = (struct iovec){(void *)(partial ? "P " : "F "), 2};
      iov[n++] = (struct iovec){(void *)buf, line};
      if (partial)
        iov[n++] = (struct iovec){(void *)"\n", 1};
      l->size += bytes;
      buf += line;
      len -= line;
    }
  flush (l, iov, &n);
}

static int
rotate (struct shim_logfile *l)
{
  int keep = l->max_files > 0 ? l->max_files : 1;
  for (int i = keep; i > 1; i--)
    {
      cleanup_free char *from = NULL, *to = NULL;
      xasprintf (&from, "%s.%d", l->path, i - 1);
      xasprintf (&to, "%s.%d", l->path, i);
      if (rename (from, to) < 0 && errno != ENOENT)
        shim_warn ("rotate `%s`: %m", from);
    }
  cleanup_free char *first = NULL;
  xasprintf (&first, "%s.1", l->path);
  if (rename (l->path, first) < 0 && errno != ENOENT)
    shim_warn ("rotate `%s`: %m", l->path);
  int fd = open (l->path, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0)
    shim_warn ("open log file `%s`: %m", l->path);
  return fd;
}

static int
truncate_replace (struct shim_logfile *l)
{
  /* A new empty file renamed over the old: a reader holding the old one keeps what it had. */
  cleanup_free char *tmp = NULL;
  xasprintf (&tmp, "%s.tmp", l->path);
  int fd = open (tmp, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0)
    {
      shim_warn ("open log file `%s`: %m", tmp);
      return -1;
    }
  if (rename (tmp, l->path) < 0)
    {
      shim_warn ("rename `%s`: %m", tmp);
      close (fd);
      unlink (tmp);
      return -1;
    }
  return fd;
}

int
logs_reopen (struct shim_logfile *l)
{
  if (l->path == NULL)
    return 0;
  int fd = l->rotate ? rotate (l) : truncate_replace (l);
  if (fd < 0)
    return -1;
  if (l->fd >= 0)
    close (l->fd);
  l->fd = fd;
  l->size = 0;
  return 0;
}

void
logs_close (struct shim_logfile *l, bool sync)
{
  if (l->fd < 0)
    return;
  if (sync && fsync (l->fd) < 0)
    shim_warn ("fsync log `%s`: %m", l->path);
  close (l->fd);
  l->fd = -1;
}
