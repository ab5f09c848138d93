/* berth — device nodes and the /dev symlinks.
 *
 * The runtime spec's default devices plus .linux.devices.  Outside a user
 * namespace they are made with mknod; inside one mknod is not allowed, so the
 * host's node is bind-mounted onto an empty file instead (as runc does).  The
 * same fallback serves a mknod refused with EPERM outside one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "linux.h"
#include "utils.h"

static const struct lcr_spec_device default_devices[] = {
    {.path = "/dev/null", .type = 'c', .major = 1, .minor = 3, .has_file_mode = true, .file_mode = 0666},
    {.path = "/dev/zero", .type = 'c', .major = 1, .minor = 5, .has_file_mode = true, .file_mode = 0666},
    {.path = "/dev/full", .type = 'c', .major = 1, .minor = 7, .has_file_mode = true, .file_mode = 0666},
    {.path = "/dev/random", .type = 'c', .major = 1, .minor = 8, .has_file_mode = true, .file_mode = 0666},
    {.path = "/dev/urandom", .type = 'c', .major = 1, .minor = 9, .has_file_mode = true, .file_mode = 0666},
    {.path = "/dev/tty", .type = 'c', .major = 5, .minor = 0, .has_file_mode = true, .file_mode = 0666},
};

static const struct
{
  const char *name, *target;
} dev_links[] = {
    {"fd", "/proc/self/fd"},
    {"stdin", "/proc/self/fd/0"},
    {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"},
};

static int
make_node (int rootfd, const struct lcr_spec_device *d, bool in_userns, bool replace, lcr_error_t *err)
{
  cleanup_free char *parent = xstrdup (d->path);
  char *slash = strrchr (parent, '/');
  const char *name = d->path + (slash - parent) + 1;
  *slash = '\0';
  cleanup_close int dirfd = lcr_open_in_root (rootfd, parent[0] ? parent : "/", true, true, err);
  if (dirfd < 0)
    return -1;
  /* O_PATH fds can't be used with mknodat: reopen as a real directory fd */
  char dpath[LCR_FD_PATH_MAX];
  lcr_fd_path (dirfd, dpath);
  cleanup_close int dfd = open (dpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return lcr_error_sys (err, "open `%s`", parent);

  struct stat st;
  if (fstatat (dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
    {
      if (!replace)
        return 0;
      if (unlinkat (dfd, name, 0) < 0)
        return lcr_error_sys (err, "replace `%s`", d->path);
    }

  mode_t mode = d->has_file_mode ? (d->file_mode & 07777) : 0666;
  bool bind = in_userns;
  if (!bind)
    {
      mode_t kind = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
      /* the init runs with umask 0, so the mode is exact */
      if (mknodat (dfd, name, kind | mode, makedev (d->major, d->minor)) < 0)
        {
          /* EPERM: something above us refuses mknod though the container may
             use the device, e.g. a device filter on a parent cgroup (a
             podman pod's, on cgroup v2).  Bind the host's node, as runc. */
          if (errno != EPERM || d->type == 'p')
            return lcr_error_sys (err, "mknod `%s`", d->path);
          bind = true;
        }
    }
  if (bind)
    {
      int f = openat (dfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
      if (f < 0)
        return lcr_error_sys (err, "create `%s`", d->path);
      char target[LCR_FD_PATH_MAX];
      lcr_fd_path (f, target);
      int r = mount (d->path, target, NULL, MS_BIND, NULL);
      int saved = errno;
      close (f);
      if (r < 0)
        return lcr_error_make (err, saved, LCR_ERR_SYSTEM, "bind the host's `%s` into the container", d->path);
      return 0;
    }
  if ((d->has_uid || d->has_gid)
      && fchownat (dfd, name, d->has_uid ? d->uid : (uid_t)-1, d->has_gid ? d->gid : (gid_t)-1, AT_SYMLINK_NOFOLLOW)
             < 0)
    return lcr_error_sys (err, "chown `%s`", d->path);
  return 0;
}

int
lcr_devices_create (int rootfd, struct lcr_spec *spec, bool in_userns, bool dev_is_ours, lcr_error_t *err)
{
  if (dev_is_ours)
    {
      for (size_t i = 0; i < sizeof default_devices / sizeof default_devices[0]; i++)
        if (make_node (rootfd, &default_devices[i], in_userns, false, err) < 0)
          return -1;
      cleanup_close int devfd = lcr_open_in_root (rootfd, "/dev", false, true, err);
      if (devfd < 0)
        return -1;
      char dpath[LCR_FD_PATH_MAX];
      lcr_fd_path (devfd, dpath);
      cleanup_close int dfd = open (dpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dfd < 0)
        return lcr_error_sys (err, "open /dev");
      for (size_t i = 0; i < sizeof dev_links / sizeof dev_links[0]; i++)
        if (symlinkat (dev_links[i].target, dfd, dev_links[i].name) < 0 && errno != EEXIST)
          return lcr_error_sys (err, "symlink /dev/%s", dev_links[i].name);
      /* /dev/ptmx must be the devpts instance's own multiplexer */
      struct stat st;
      if (fstatat (dfd, "pts/ptmx", &st, 0) == 0)
        {
          unlinkat (dfd, "ptmx", 0);
          if (symlinkat ("pts/ptmx", dfd, "ptmx") < 0)
            return lcr_error_sys (err, "symlink /dev/ptmx");
        }
      if (fstatat (AT_FDCWD, "/proc/kcore", &st, 0) == 0)
        symlinkat ("/proc/kcore", dfd, "core");
    }
  struct lcr_spec_linux *l = spec->linux_;
  for (size_t i = 0; l && i < l->devices_len; i++)
    if (make_node (rootfd, &l->devices[i], in_userns, true, err) < 0)
      return lcr_error_wrap (err, ".linux.devices[%zu]", i);
  return 0;
}
