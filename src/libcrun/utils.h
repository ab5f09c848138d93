/* berth — small helpers shared by every module: cleanup attributes, ownership
 * transfer, I/O that retries on EINTR and short counts, and *at() helpers. */
#ifndef LCR_UTILS_H
#define LCR_UTILS_H

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "error.h"

static inline void
cleanup_free_fn (void *p)
{
  free (*(void **)p);
}
static inline void
cleanup_close_fn (int *fd)
{
  if (*fd >= 0)
    {
      int saved = errno;
      close (*fd);
      errno = saved;
    }
}
static inline void
cleanup_file_fn (FILE **f)
{
  if (*f)
    fclose (*f);
}
static inline void
cleanup_dir_fn (DIR **d)
{
  if (*d)
    closedir (*d);
}

#define cleanup_free __attribute__ ((cleanup (cleanup_free_fn)))
#define cleanup_close __attribute__ ((cleanup (cleanup_close_fn)))
#define cleanup_file __attribute__ ((cleanup (cleanup_file_fn)))
#define cleanup_dir __attribute__ ((cleanup (cleanup_dir_fn)))

/* Move ownership out of a cleanup variable. */
static inline void *
take_ptr (void *pp)
{
  void **p = (void **)pp;
  void *v = *p;
  *p = NULL;
  return v;
}
#define steal_pointer(pp) ((__typeof__ (*(pp)))take_ptr (pp))

static inline int
steal_fd (int *fd)
{
  int v = *fd;
  *fd = -1;
  return v;
}

#define LCR_UNUSED __attribute__ ((unused))

void *xmalloc0 (size_t size);
void *xrealloc (void *p, size_t size);
char *xstrdup (const char *s);
int xasprintf (char **out, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* read/write the whole buffer, retrying on EINTR and short counts. */
ssize_t lcr_write_all (int fd, const void *buf, size_t len);
ssize_t lcr_read_all (int fd, void *buf, size_t len);

/* Read a whole file (at dirfd, or AT_FDCWD) into a NUL-terminated buffer. */
int lcr_read_file_at (int dirfd, const char *path, char **out, size_t *len, lcr_error_t *err);
static inline int
lcr_read_file (const char *path, char **out, size_t *len, lcr_error_t *err)
{
  return lcr_read_file_at (-100 /* AT_FDCWD */, path, out, len, err);
}

/* Write a whole file.  lcr_write_file_atomic writes a temporary file in the
   same directory, fsyncs nothing (state is on tmpfs), and renames it over. */
int lcr_write_file_at (int dirfd, const char *path, const void *data, size_t len, int mode, lcr_error_t *err);
int lcr_write_file_atomic_at (int dirfd, const char *path, const void *data, size_t len, lcr_error_t *err);

/* mkdir -p; existing directories are fine. */
int lcr_mkdir_p (const char *path, int mode, lcr_error_t *err);

/* Remove a directory tree (does not cross mount points). */
int lcr_rm_rf_at (int dirfd, const char *name, lcr_error_t *err);

/* Parse a decimal integer; -1 on garbage or overflow. */
int lcr_parse_long (const char *s, long long *out);

/* The start time of a process (field 22 of /proc/PID/stat), 0 when it is gone.
   `*state` gets the state letter (R, S, Z, …) when non-NULL. */
unsigned long long lcr_proc_start_time (pid_t pid, char *state);
/* pid is still the process that started at start_time, and it has not exited
   (a zombie has): a recycled pid is not it */
bool lcr_proc_alive (pid_t pid, unsigned long long start_time);

/* RFC 3339 time with nanoseconds, UTC ("2026-11-29T16:18:27.123456789Z"). */
void lcr_rfc3339_now (char *buf, size_t len);

/* Every signal back to its default action and unblocked, as a program
   about to be exec'd into a container or hook should start. */
void lcr_reset_signals (void);

/* Send buf with fd attached (SCM_RIGHTS), MSG_NOSIGNAL; 0 or -1 (errno). */
int lcr_send_with_fd (int sock, const void *buf, size_t len, int fd);
/* A connected AF_UNIX stream socket (O_CLOEXEC), or -1 with errno
   (ENAMETOOLONG for a path that does not fit). */
int lcr_unix_connect (const char *path);

/* Close every fd >= `from` except those listed (close_range where it can). */
int lcr_close_fds_from (int from);
int lcr_close_fds_except (int from, const int *keep, size_t n);

#endif
