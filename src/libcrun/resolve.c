/* berth — opening a path inside the container's rootfs as the container
 * would see it.
 *
 * A symlink in the rootfs ("/etc -> /host-etc", "x -> ../../..") must never
 * lead a mount, a device node or a cgroup mount out to the host.  Linux 5.6
 * does this in one call, openat2(RESOLVE_IN_ROOT): absolute targets and ".."
 * stop at the root.  Older kernels (and valgrind 3.19, which does not know
 * openat2) get ENOSYS; there we walk the path one component at a time with
 * O_PATH | O_NOFOLLOW, read each symlink ourselves and go on from the root for
 * an absolute target, as RESOLVE_IN_ROOT does.
 *
 * The walk is as safe as openat2 against what the rootfs holds, but not
 * against a process that renames a directory out of the root while we walk
 * (its ".." would then lead above the root): before 5.6 no kernel interface
 * closes that window.  It is the fallback only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux.h"
#include "utils.h"

/* as the kernel's MAXSYMLINKS */
#define MAX_LINKS 40

int
lcr_resolve_in_root_walk (int rootfd, const char *path, int flags)
{
  struct stat root_st, st;
  if (fstat (rootfd, &root_st) < 0)
    return -1;
  int cur = openat (rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (cur < 0)
    return -1;
  /* `rest` is what is left to resolve; a symlink's target replaces its name */
  cleanup_free char *rest = xstrdup (path);
  bool want_dir = false;
  int links = 0, saved;
  for (;;)
    {
      char *p = rest;
      while (*p == '/')
        p++;
      if (*p == '\0')
        break;
      char *end = strchr (p, '/');
      size_t len = end ? (size_t)(end - p) : strlen (p);
      if (end)
        *end = '\0';
      /* a trailing slash asks for a directory, as in open(2) */
      bool last = end == NULL || end[1 + strspn (end + 1, "/")] == '\0';
      if (last && end)
        want_dir = true;
      const char *next_rest = end ? end + 1 : p + len;

      if (strcmp (p, ".") == 0 || strcmp (p, "..") == 0)
        {
          if (p[1] == '.' && (fstat (cur, &st) < 0 || st.st_dev != root_st.st_dev || st.st_ino != root_st.st_ino))
            {
              int up = openat (cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
              if (up < 0)
                goto fail;
              close (cur);
              cur = up;
            }
          memmove (rest, next_rest, strlen (next_rest) + 1);
          if (last)
            want_dir = true;
          continue;
        }

      int fd = openat (cur, p, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0 || fstat (fd, &st) < 0)
        {
          saved = errno;
          if (fd >= 0)
            close (fd);
          errno = saved;
          goto fail;
        }
      if (S_ISLNK (st.st_mode))
        {
          char target[PATH_MAX];
          ssize_t n = readlinkat (fd, "", target, sizeof target - 1);
          close (fd);
          if (n < 0)
            goto fail;
          if (++links > MAX_LINKS)
            {
              errno = ELOOP;
              goto fail;
            }
          target[n] = '\0';
          if (target[0] == '/')
            {
              /* absolute: from the container's root */
              int r = openat (rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
              if (r < 0)
                goto fail;
              close (cur);
              cur = r;
            }
          cleanup_free char *joined = NULL;
          xasprintf (&joined, "%s%s%s", target, *next_rest || end ? "/" : "", next_rest);
          free (rest);
          rest = joined;
          joined = NULL;
          continue;
        }
      if (!last && !S_ISDIR (st.st_mode))
        {
          close (fd);
          errno = ENOTDIR;
          goto fail;
        }
      close (cur);
      cur = fd;
      memmove (rest, next_rest, strlen (next_rest) + 1);
    }
  if ((want_dir || (flags & O_DIRECTORY)) && (fstat (cur, &st) < 0 || !S_ISDIR (st.st_mode)))
    {
      errno = ENOTDIR;
      goto fail;
    }
  return cur;
fail:
  saved = errno;
  close (cur);
  errno = saved;
  return -1;
}

int
lcr_resolve_in_root (int rootfd, const char *path, int flags)
{
  static bool no_openat2;
  while (*path == '/')
    path++;
  if (*path == '\0')
    path = ".";
  if (!no_openat2)
    {
      struct open_how how = {.flags = (unsigned)flags | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
      int fd;
      do
        fd = syscall (SYS_openat2, rootfd, path, &how, sizeof how);
      while (fd < 0 && (errno == EINTR || errno == EAGAIN));
      if (fd >= 0 || errno != ENOSYS)
        return fd;
      no_openat2 = true;
    }
  return lcr_resolve_in_root_walk (rootfd, path, flags);
}
