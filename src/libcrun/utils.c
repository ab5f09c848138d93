/* berth — small helpers (see utils.h). */
#define _GNU_SOURCE
#include "utils.h"

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <time.h>

void *
xmalloc0 (size_t size)
{
  void *p = calloc (1, size ? size : 1);
  if (p == NULL)
    abort ();
  return p;
}

void *
xrealloc (void *p, size_t size)
{
  p = realloc (p, size ? size : 1);
  if (p == NULL)
    abort ();
  return p;
}

char *
xstrdup (const char *s)
{
  if (s == NULL)
    return NULL;
  char *r = strdup (s);
  if (r == NULL)
    abort ();
  return r;
}

int
xasprintf (char **out, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  int r = vasprintf (out, fmt, ap);
  va_end (ap);
  if (r < 0)
    abort ();
  return r;
}

ssize_t
lcr_write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  size_t done = 0;
  while (done < len)
    {
      ssize_t r = write (fd, p + done, len - done);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return -1;
      done += r;
    }
  return done;
}

ssize_t
lcr_read_all (int fd, void *buf, size_t len)
{
  char *p = buf;
  size_t done = 0;
  while (done < len)
    {
      ssize_t r = read (fd, p + done, len - done);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return -1;
      if (r == 0)
        break;
      done += r;
    }
  return done;
}

int
lcr_read_file_at (int dirfd, const char *path, char **out, size_t *len, lcr_error_t *err)
{
  cleanup_close int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return lcr_error_sys (err, "open `%s`", path);
  size_t cap = 4096, n = 0;
  cleanup_free char *buf = xmalloc0 (cap + 1);
  for (;;)
    {
      ssize_t r = read (fd, buf + n, cap - n);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return lcr_error_sys (err, "read `%s`", path);
      if (r == 0)
        break;
      n += r;
      if (n == cap)
        {
          cap *= 2;
          buf = xrealloc (buf, cap + 1);
        }
    }
  buf[n] = '\0';
  if (len)
    *len = n;
  *out = steal_pointer (&buf);
  return 0;
}

int
lcr_write_file_at (int dirfd, const char *path, const void *data, size_t len, int mode, lcr_error_t *err)
{
  cleanup_close int fd = openat (dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return lcr_error_sys (err, "open `%s`", path);
  if (lcr_write_all (fd, data, len) < 0)
    return lcr_error_sys (err, "write `%s`", path);
  return 0;
}

int
lcr_write_file_atomic_at (int dirfd, const char *path, const void *data, size_t len, lcr_error_t *err)
{
  cleanup_free char *tmp = NULL;
  xasprintf (&tmp, ".%s.tmp", path);
  if (lcr_write_file_at (dirfd, tmp, data, len, 0600, err) < 0)
    return -1;
  if (renameat (dirfd, tmp, dirfd, path) < 0)
    {
      int saved = errno;
      unlinkat (dirfd, tmp, 0);
      return lcr_error_make (err, saved, LCR_ERR_SYSTEM, "rename `%s`", path);
    }
  return 0;
}

int
lcr_mkdir_p (const char *path, int mode, lcr_error_t *err)
{
  /* the common case, a parent that exists, in one call */
  if (mkdir (path, mode) == 0 || errno == EEXIST)
    return 0;
  if (errno != ENOENT)
    return lcr_error_sys (err, "mkdir `%s`", path);
  cleanup_free char *p = xstrdup (path);
  for (char *s = p + 1; *s; s++)
    {
      if (*s != '/')
        continue;
      *s = '\0';
      if (mkdir (p, mode) < 0 && errno != EEXIST)
        return lcr_error_sys (err, "mkdir `%s`", p);
      *s = '/';
    }
  if (mkdir (p, mode) < 0 && errno != EEXIST)
    return lcr_error_sys (err, "mkdir `%s`", p);
  return 0;
}

int
lcr_rm_rf_at (int dirfd, const char *name, lcr_error_t *err)
{
  if (unlinkat (dirfd, name, 0) == 0 || errno == ENOENT)
    return 0;
  if (errno != EISDIR && errno != EPERM)
    return lcr_error_sys (err, "remove `%s`", name);
  int fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return lcr_error_sys (err, "open `%s`", name);
  cleanup_dir DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return lcr_error_sys (err, "opendir `%s`", name);
    }
  struct dirent *de;
  while ((de = readdir (d)))
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (lcr_rm_rf_at (fd, de->d_name, err) < 0)
        return -1;
    }
  if (unlinkat (dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return lcr_error_sys (err, "rmdir `%s`", name);
  return 0;
}

int
lcr_parse_long (const char *s, long long *out)
{
  if (s == NULL || *s == '\0')
    return -1;
  char *end;
  errno = 0;
  long long v = strtoll (s, &end, 10);
  if (errno || *end != '\0')
    return -1;
  *out = v;
  return 0;
}

unsigned long long
lcr_proc_start_time (pid_t pid, char *state)
{
  char path[64], buf[1024];
  snprintf (path, sizeof path, "/proc/%d/stat", pid);
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  ssize_t n = read (fd, buf, sizeof buf - 1);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  /* comm may hold spaces and parentheses: fields resume after the last ')' */
  char *p = strrchr (buf, ')');
  if (p == NULL || p[1] == '\0')
    return 0;
  p += 2; /* field 3: state */
  if (state)
    *state = *p;
  for (int field = 3; field < 22; field++)
    {
      p = strchr (p, ' ');
      if (p == NULL)
        return 0;
      p++;
    }
  return strtoull (p, NULL, 10);
}

bool
lcr_proc_alive (pid_t pid, unsigned long long start_time)
{
  char state = 0;
  unsigned long long t = lcr_proc_start_time (pid, &state);
  return t != 0 && t == start_time && state != 'Z' && state != 'X';
}

void
lcr_rfc3339_now (char *buf, size_t len)
{
  struct timespec ts;
  struct tm tm;
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  /* by hand: strftime would tzset(), reading /etc/localtime for nothing */
  snprintf (buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
            tm.tm_min, tm.tm_sec, ts.tv_nsec);
}

/* Close every fd from `from` up except keep[0..n) (sorted): close_range on
   each gap, or, before Linux 5.9, one close per fd /proc/self/fd lists. */
int
lcr_close_fds_except (int from, const int *keep, size_t n)
{
#ifdef SYS_close_range
  int lo = from;
  for (size_t i = 0; i < n; i++)
    {
      if (keep[i] > lo && syscall (SYS_close_range, lo, (unsigned)keep[i] - 1, 0) < 0)
        goto by_hand;
      if (keep[i] >= lo)
        lo = keep[i] + 1;
    }
  if (syscall (SYS_close_range, lo, ~0U, 0) == 0)
    return 0;
by_hand:;
#endif
  cleanup_dir DIR *d = opendir ("/proc/self/fd");
  if (d == NULL)
    return -1;
  struct dirent *de;
  int self = dirfd (d);
  while ((de = readdir (d)))
    {
      long long fd;
      if (lcr_parse_long (de->d_name, &fd) < 0 || fd < from || fd == self)
        continue;
      bool kept = false;
      for (size_t k = 0; k < n && !kept; k++)
        kept = keep[k] == fd;
      if (!kept)
        close ((int)fd);
    }
  return 0;
}

int
lcr_close_fds_from (int from)
{
  return lcr_close_fds_except (from, NULL, 0);
}

void
lcr_reset_signals (void)
{
  /* Through the raw syscall: glibc's sigaction refuses its own internal
     signals (32, 33), which a caller such as make may have left ignored,
     and an ignored signal survives execve. */
  struct
  {
    void *handler;
    unsigned long flags;
    void *restorer;
    unsigned long mask;
  } dfl = {0};
  for (int sig = 1; sig < 65; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      syscall (SYS_rt_sigaction, sig, &dfl, NULL, sizeof dfl.mask);
  sigset_t none;
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
}

int
lcr_send_with_fd (int sock, const void *buf, size_t len, int fd)
{
  char cbuf[CMSG_SPACE (sizeof (int))];
  memset (cbuf, 0, sizeof cbuf);
  struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &fd, sizeof (int));
  ssize_t r;
  do
    r = sendmsg (sock, &msg, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return -1;
  /* A stream socket may take less than all of it; the rest goes without fd
     (a packet socket takes the whole message or nothing). */
  for (size_t off = (size_t)r; off < len;)
    {
      ssize_t w = send (sock, (const char *)buf + off, len - off, MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return -1;
      off += (size_t)w;
    }
  return 0;
}

int
lcr_unix_connect (const char *path)
{
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen (path) >= sizeof addr.sun_path)
    {
      errno = ENAMETOOLONG;
      return -1;
    }
  strcpy (addr.sun_path, path);
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  int r;
  do
    r = connect (fd, (struct sockaddr *)&addr, sizeof addr);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    {
      int saved = errno;
      close (fd);
      errno = saved;
      return -1;
    }
  return fd;
}
