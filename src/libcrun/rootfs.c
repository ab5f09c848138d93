/* berth — the container's root: propagation, mounts, devices, pivot_root,
 * then what is done from inside (sysctl, masked and read-only paths, a
 * read-only root, the root's own propagation).  Runs in the child, in its
 * new mount namespace. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/statvfs.h>

#include "linux.h"
#include "utils.h"

static unsigned long
propagation_flags (const char *name)
{
  static const struct
  {
    const char *name;
    unsigned long flags;
  } map[] = {
      {"shared", MS_SHARED},
      {"slave", MS_SLAVE},
      {"private", MS_PRIVATE},
      {"unbindable", MS_UNBINDABLE},
      {"rshared", MS_SHARED | MS_REC},
      {"rslave", MS_SLAVE | MS_REC},
      {"rprivate", MS_PRIVATE | MS_REC},
      {"runbindable", MS_UNBINDABLE | MS_REC},
  };
  for (size_t i = 0; name && i < sizeof map / sizeof map[0]; i++)
    if (strcmp (name, map[i].name) == 0)
      return map[i].flags;
  return 0;
}

/* pivot_root refuses a new root whose parent mount is shared: make the mount
   that holds the rootfs private (only that one, not recursively). */
static int
make_parent_mount_private (const char *rootfs, lcr_error_t *err)
{
  cleanup_free char *info = NULL;
  if (lcr_read_file ("/proc/self/mountinfo", &info, NULL, err) < 0)
    return -1;
  cleanup_free char *best = NULL;
  size_t best_len = 0;
  for (char *line = strtok (info, "\n"); line; line = strtok (NULL, "\n"))
    {
      char mp[4096];
      if (sscanf (line, "%*s %*s %*s %*s %4095s", mp) != 1)
        continue;
      size_t n = strlen (mp);
      bool prefix = strncmp (rootfs, mp, n) == 0 && (rootfs[n] == '/' || rootfs[n] == '\0' || n == 1);
      if (prefix && n >= best_len)
        {
          free (best);
          best = xstrdup (mp);
          best_len = n;
        }
    }
  if (best && mount (NULL, best, NULL, MS_PRIVATE, NULL) < 0)
    return lcr_error_sys (err, "make `%s` private", best);
  return 0;
}

static int
do_pivot_root (const char *rootfs, lcr_error_t *err)
{
  cleanup_close int oldroot = open ("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  cleanup_close int newroot = open (rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (oldroot < 0 || newroot < 0)
    return lcr_error_sys (err, "open `%s`", rootfs);
  if (fchdir (newroot) < 0)
    return lcr_error_sys (err, "chdir `%s`", rootfs);
  /* pivot_root(".", ".") stacks the old root on top of the new one; no
     directory inside the rootfs is needed or touched. */
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return lcr_error_sys (err, "pivot_root `%s`", rootfs);
  if (fchdir (oldroot) < 0)
    return lcr_error_sys (err, "chdir to the old root");
  /* don't let the unmount propagate to the host */
  if (mount (NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return lcr_error_sys (err, "make the old root a slave");
  if (umount2 (".", MNT_DETACH) < 0)
    return lcr_error_sys (err, "unmount the old root");
  if (chdir ("/") < 0)
    return lcr_error_sys (err, "chdir /");
  return 0;
}

/* Undo mountinfo's octal escapes (\040 for a space …) in place. */
static void
unescape_mountinfo (char *s)
{
  char *out = s;
  for (char *p = s; *p; p++)
    if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' && p[3] <= '7')
      {
        *out++ = (char)(((p[1] - '0') << 6) | ((p[2] - '0') << 3) | (p[3] - '0'));
        p += 3;
      }
    else
      *out++ = *p;
  *out = '\0';
}

/* Without pivot_root the host's root stays in our mount namespace under the
   chroot, with its /proc and /sys whole.  The kernel lets a user namespace
   mount a fresh proc or sysfs only while one fully visible is already in its
   mount namespace; the container's have masked paths on them, the host's
   don't, so a nested user namespace in the container could mount a bare
   /proc through them.  Detach every whole proc and sysfs outside the rootfs
   (or, where they can't be unmounted, cover them with an empty tmpfs). */
static int
hide_host_procfs (const char *rootfs, lcr_error_t *err)
{
  cleanup_free char *info = NULL;
  if (lcr_read_file ("/proc/self/mountinfo", &info, NULL, err) < 0)
    return -1;
  size_t rootfs_len = strlen (rootfs);
  char *save = NULL;
  for (char *line = strtok_r (info, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char root[4096], mp[4096], fstype[64];
      const char *sep = strstr (line, " - ");
      if (sep == NULL || sscanf (line, "%*s %*s %*s %4095s %4095s", root, mp) != 2
          || sscanf (sep + 3, "%63s", fstype) != 1)
        continue;
      if (strcmp (root, "/") != 0 || (strcmp (fstype, "proc") != 0 && strcmp (fstype, "sysfs") != 0))
        continue;
      unescape_mountinfo (mp);
      if (strncmp (mp, rootfs, rootfs_len) == 0 && (mp[rootfs_len] == '/' || mp[rootfs_len] == '\0'))
        continue;
      /* with rootfsPropagation (r)shared the unmount would reach the host */
      if (mount (NULL, mp, NULL, MS_SLAVE | MS_REC, NULL) < 0 && errno == ENOENT)
        continue;
      if (umount2 (mp, MNT_DETACH) == 0 || errno == ENOENT)
        continue;
      /* EINVAL: locked in our user namespace, or already gone with a parent */
      if (errno != EINVAL && errno != EPERM)
        return lcr_error_sys (err, "--no-pivot: unmount the host's `%s`", mp);
      if (mount ("tmpfs", mp, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0k") < 0 && errno != ENOENT)
        return lcr_error_sys (err, "--no-pivot: cover the host's `%s`", mp);
    }
  return 0;
}

static int
do_chroot (const char *rootfs, lcr_error_t *err)
{
  if (hide_host_procfs (rootfs, err) < 0)
    return -1;
  if (chdir (rootfs) < 0)
    return lcr_error_sys (err, "chdir `%s`", rootfs);
  if (mount (rootfs, "/", NULL, MS_MOVE, NULL) < 0)
    return lcr_error_sys (err, "move `%s` to /", rootfs);
  if (chroot (".") < 0)
    return lcr_error_sys (err, "chroot `%s`", rootfs);
  if (chdir ("/") < 0)
    return lcr_error_sys (err, "chdir /");
  return 0;
}

static int
mask_path (const char *path, lcr_error_t *err)
{
  struct stat st;
  if (lstat (path, &st) < 0)
    return errno == ENOENT ? 0 : lcr_error_sys (err, "mask `%s`", path);
  int r = S_ISDIR (st.st_mode) ? mount ("tmpfs", path, "tmpfs", MS_RDONLY, "size=0k")
                               : mount ("/dev/null", path, NULL, MS_BIND, NULL);
  if (r < 0 && errno != ENOENT)
    return lcr_error_sys (err, "mask `%s`", path);
  return 0;
}

static int
readonly_path (const char *path, bool in_userns, lcr_error_t *err)
{
  if (mount (path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
    return errno == ENOENT ? 0 : lcr_error_sys (err, "bind `%s` read-only", path);
  return lcr_remount_bind (path, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, in_userns, err);
}

int
lcr_rootfs_setup (struct lcr_start *s, lcr_error_t *err)
{
  struct lcr_spec *spec = s->spec;
  struct lcr_spec_linux *l = spec->linux_;
  bool in_userns = s->in_userns;
  const char *prop_name = l ? l->rootfs_propagation : NULL;
  unsigned long prop = propagation_flags (prop_name);

  /* Nothing we mount may reach the host: every mount slave (or what the
     spec asked) first. */
  /* Without a mount namespace of its own the container shares ours: its
     mounts go under a bind of the rootfs that delete detaches as a whole,
     our / is left as it is, and chroot stands in for pivot_root. */
  bool own_ns = lcr_has_own_mount_ns (s);
  /* unbindable would forbid the rootfs bind below: it is applied at the end */
  unsigned long first = prop && !(prop & MS_UNBINDABLE) ? prop : MS_SLAVE | MS_REC;
  if (own_ns && mount (NULL, "/", NULL, first, NULL) < 0)
    return lcr_error_sys (err, "set the propagation of /");
  if (own_ns && (prop & MS_SHARED) && make_parent_mount_private (s->rootfs, err) < 0)
    return -1;
  if (mount (s->rootfs, s->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return lcr_error_sys (err, "bind the rootfs `%s`", s->rootfs);

  cleanup_close int rootfd = open (s->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return lcr_error_sys (err, "open the rootfs `%s`", s->rootfs);

  bool dev_is_ours = true;
  cleanup_free bool *ro_later = lcr_mounts_ro_later (spec);
  for (size_t i = 0; i < spec->mounts_len; i++)
    {
      struct lcr_spec_mount *m = &spec->mounts[i];
      if (lcr_mount_one (s, rootfd, i, in_userns, ro_later && ro_later[i], err) < 0)
        return -1;
      if (strcmp (m->destination, "/dev") == 0 && (m->type == NULL || strcmp (m->type, "bind") == 0))
        dev_is_ours = false;
    }
  if (lcr_devices_create (rootfd, spec, in_userns, dev_is_ours, err) < 0)
    return -1;
  if (ro_later)
    {
      /* the terminal is bound on /dev/console later: its mount point now */
      if (s->console_fd >= 0)
        {
          cleanup_close int dev = lcr_resolve_in_root (rootfd, "/dev", O_PATH | O_DIRECTORY);
          int f = dev >= 0 ? openat (dev, "console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600) : -1;
          if (f >= 0)
            close (f);
        }
      for (size_t i = 0; i < spec->mounts_len; i++)
        if (ro_later[i] && lcr_mount_finish_ro (s, rootfd, i, in_userns, err) < 0)
          return -1;
    }

  if (lcr_init_before_pivot (s, err) < 0)
    return -1;
  if (!own_ns)
    {
      if (chdir (s->rootfs) < 0 || chroot (".") < 0 || chdir ("/") < 0)
        return lcr_error_sys (err, "chroot `%s`", s->rootfs);
    }
  else if ((s->opts->no_pivot ? do_chroot (s->rootfs, err) : do_pivot_root (s->rootfs, err)) < 0)
    return -1;

  if (lcr_apply_sysctl (spec, err) < 0)
    return -1;
  for (size_t i = 0; l && i < l->masked_paths_len; i++)
    if (mask_path (l->masked_paths[i], err) < 0)
      return lcr_error_wrap (err, ".linux.maskedPaths[%zu]", i);
  for (size_t i = 0; l && i < l->readonly_paths_len; i++)
    if (readonly_path (l->readonly_paths[i], in_userns, err) < 0)
      return lcr_error_wrap (err, ".linux.readonlyPaths[%zu]", i);
  if (spec->root->readonly && lcr_remount_bind ("/", MS_RDONLY, true, err) < 0)
    return lcr_error_wrap (err, ".root.readonly");
  if (own_ns && prop && mount (NULL, "/", NULL, prop, NULL) < 0)
    return lcr_error_sys (err, ".linux.rootfsPropagation: set `%s` on /", prop_name);
  return 0;
}
