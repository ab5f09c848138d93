/* dock — copy-up: an empty volume takes the image's content at its mount point (see volume.h).
 *
 * When: docker copies whenever the volume directory is empty as a container is set up, so a
 * volume that was emptied on purpose is filled again by the next container.  dock copies only
 * while the volume has never held content: the first mount that finds the volume non-empty,
 * or fills it, marks it "Filled" in meta.json, and later mounts never copy into it again.  An
 * image without content at the destination (or nocopy) does not mark it, so a later image
 * that has content there still fills the still-empty volume, as with docker.
 *
 * Safety: the rootfs is the image's, so hostile.  The destination is opened inside it with
 * lcr_resolve_in_root (openat2 RESOLVE_IN_ROOT, or the runtime's walk): a symlink /data ->
 * /etc reaches the rootfs's /etc, never the host's.  Below it everything is opened relative to
 * its parent's fd with O_NOFOLLOW; symlinks are copied as symlinks, never followed; writes in
 * the volume use fds of directories we made, with O_EXCL / O_NOFOLLOW.
 *
 * What is kept: regular files, directories, symlinks, fifos, device nodes and sockets are made
 * as such, with mode, owner and times; the volume's root takes the mode and owner of the image's
 * directory (as docker does).  Extended attributes and hard links are not kept (each link
 * becomes its own copy).
 */
#define _GNU_SOURCE
#include "volume.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux.h"
#include "store/store.h"

/* a rootfs nested deeper than this is hostile or broken; it also bounds our fds */
#define MAX_DEPTH 256

static void
copy_attrs (int fd, const char *name, const struct stat *st, bool is_link)
{
  /* best effort, as a copy made by an unprivileged dock cannot keep owners */
  if (name == NULL)
    {
      if (fchown (fd, st->st_uid, st->st_gid) < 0)
        {
          /* keep ours */
        }
      if (fchmod (fd, st->st_mode & 07777) < 0)
        {
        }
      struct timespec ts[2] = {st->st_atim, st->st_mtim};
      futimens (fd, ts);
      return;
    }
  if (fchownat (fd, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
    {
    }
  if (!is_link && fchmodat (fd, name, st->st_mode & 07777, 0) < 0)
    {
    }
  struct timespec ts[2] = {st->st_atim, st->st_mtim};
  utimensat (fd, name, ts, AT_SYMLINK_NOFOLLOW);
}

static int
copy_file (int sdir, int ddir, const char *name, const struct stat *st, lcr_error_t *err)
{
  cleanup_close int in = openat (sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (in < 0)
    return lcr_error_sys (err, "open `%s` in the image", name);
  cleanup_close int out = openat (ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (out < 0)
    return lcr_error_sys (err, "create `%s` in the volume", name);
  off_t left = st->st_size;
  while (left > 0)
    {
      ssize_t n = copy_file_range (in, NULL, out, NULL, left, 0);
      if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP))
        n = sendfile (out, in, NULL, left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return lcr_error_sys (err, "copy `%s`", name);
      if (n == 0)
        break; /* the file shrank under us */
      left -= n;
    }
  copy_attrs (out, NULL, st, false);
  return 0;
}

static int copy_dir (int sdir, int ddir, int depth, lcr_error_t *err);

static int
copy_entry (int sdir, int ddir, const char *name, int depth, lcr_error_t *err)
{
  struct stat st;
  if (fstatat (sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return lcr_error_sys (err, "stat `%s` in the image", name);
  switch (st.st_mode & S_IFMT)
    {
    case S_IFREG:
      return copy_file (sdir, ddir, name, &st, err);
    case S_IFDIR:
      {
        if (depth >= MAX_DEPTH)
          return lcr_error_invalid (err, "the image's directories nest deeper than %d", MAX_DEPTH);
        if (mkdirat (ddir, name, 0700) < 0)
          return lcr_error_sys (err, "mkdir `%s` in the volume", name);
        cleanup_close int s = openat (sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        cleanup_close int d = openat (ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (s < 0 || d < 0)
          return lcr_error_sys (err, "open the directory `%s`", name);
        if (copy_dir (s, d, depth + 1, err) < 0)
          return lcr_error_wrap (err, "%s", name);
        copy_attrs (d, NULL, &st, false);
        return 0;
      }
    case S_IFLNK:
      {
        char target[PATH_MAX + 1];
        ssize_t n = readlinkat (sdir, name, target, PATH_MAX);
        if (n < 0)
          return lcr_error_sys (err, "readlink `%s` in the image", name);
        target[n] = '\0';
        if (symlinkat (target, ddir, name) < 0)
          return lcr_error_sys (err, "symlink `%s` in the volume", name);
        copy_attrs (ddir, name, &st, true);
        return 0;
      }
    default:
      /* fifos, sockets, device nodes: made again (a device needs CAP_MKNOD: skipped without) */
      if (mknodat (ddir, name, st.st_mode, st.st_rdev) < 0)
        {
          if (errno == EPERM)
            return 0;
          return lcr_error_sys (err, "mknod `%s` in the volume", name);
        }
      copy_attrs (ddir, name, &st, false);
      return 0;
    }
}

static int
copy_dir (int sdir, int ddir, int depth, lcr_error_t *err)
{
  int fd = dup (sdir);
  if (fd < 0)
    return lcr_error_sys (err, "dup");
  cleanup_dir DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return lcr_error_sys (err, "read a directory of the image");
    }
  rewinddir (d);
  struct dirent *de;
  while ((errno = 0, de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (copy_entry (sdir, ddir, de->d_name, depth, err) < 0)
        return -1;
    }
  if (errno)
    return lcr_error_sys (err, "read a directory of the image");
  return 0;
}

static bool
dir_empty (int dfd)
{
  int fd = openat (dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return false;
  cleanup_dir DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return false;
    }
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      return false;
  return true;
}

static bool
wants_nocopy (jv m)
{
  if (jv_get_bool (m, "NoCopy", false))
    return true;
  const char *mode = jv_get_str (m, "Mode");
  if (mode == NULL)
    return false;
  cleanup_free char *dup = xstrdup (mode);
  char *save = NULL;
  for (char *t = strtok_r (dup, ",", &save); t; t = strtok_r (NULL, ",", &save))
    if (strcmp (t, "nocopy") == 0)
      return true;
  return false;
}

static int
mark_filled (struct dock_ctx *ctx, const char *name, jv meta, lcr_error_t *err)
{
  jv_set (meta, "Filled", jv_bool (true));
  cleanup_free char *p = dock_path (ctx, "volumes/%s/meta.json", name);
  return jv_save_at (AT_FDCWD, p, meta, err);
}

/* under the lock: fill volume `name` from `rootfd`'s `dest` if it is empty and was never filled */
static int
copy_up_one (struct dock_ctx *ctx, const char *name, const char *dest, int rootfd, lcr_error_t *err)
{
  cleanup_jv jv meta = dock_volume_load (ctx, name, err);
  if (meta == NULL)
    return -1;
  if (jv_get_bool (meta, "Filled", false))
    return 0;
  cleanup_free char *data = dock_path (ctx, "volumes/%s/_data", name);
  cleanup_close int dfd = open (data, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0)
    return lcr_error_sys (err, "open volume %s", name);
  if (!dir_empty (dfd))
    return mark_filled (ctx, name, meta, err);
  cleanup_close int src = lcr_resolve_in_root (rootfd, dest, O_PATH | O_DIRECTORY);
  if (src < 0)
    return 0; /* nothing (or not a directory) in the image there: nothing to copy */
  /* reopen for reading: an O_PATH fd cannot be listed */
  cleanup_close int sdir = openat (src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (sdir < 0)
    return lcr_error_sys (err, "open `%s` in the image", dest);
  if (dir_empty (sdir))
    return 0;
  if (copy_dir (sdir, dfd, 0, err) < 0)
    return lcr_error_wrap (err, "copy `%s` of the image into volume %s", dest, name);
  struct stat st;
  if (fstat (sdir, &st) == 0)
    copy_attrs (dfd, NULL, &st, false);
  return mark_filled (ctx, name, meta, err);
}

int
dock_volumes_copy_up (struct dock_ctx *ctx, jv mounts, const char *rootfs, lcr_error_t *err)
{
  cleanup_close int rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return lcr_error_sys (err, "open the rootfs `%s`", rootfs);
  if (dock_lock (ctx, err) < 0)
    return -1;
  int ret = 0;
  for (size_t i = 0; ret == 0 && i < jv_len (mounts); i++)
    {
      jv m = mounts->u.array.values[i];
      const char *type = jv_get_str (m, "Type"), *name = jv_get_str (m, "Name");
      const char *dest = jv_get_str (m, "Destination");
      if (type == NULL || strcmp (type, "volume") != 0 || name == NULL || dest == NULL || wants_nocopy (m))
        continue;
      ret = copy_up_one (ctx, name, dest, rootfd, err);
    }
  dock_unlock (ctx);
  return ret;
}
