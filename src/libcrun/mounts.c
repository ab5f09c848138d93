/* berth — the spec's mounts, one at a time, under the rootfs.
 *
 * Every destination is resolved inside the rootfs (resolve.c: openat2 with
 * RESOLVE_IN_ROOT), so a symlink in the rootfs can never point a mount at the
 * host, and the mount is made on /proc/self/fd/N of the resolved fd, so
 * swapping a path component after the check (CVE-2021-30465) changes nothing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

#include "cgroup.h"
#include "linux.h"
#include "utils.h"

void
lcr_fd_path (int fd, char buf[LCR_FD_PATH_MAX])
{
  snprintf (buf, LCR_FD_PATH_MAX, "/proc/self/fd/%d", fd);
}

/* Create what is missing of `path`, one component at a time.  Each prefix is
   resolved inside the root; mkdirat and O_EXCL never follow a symlink; a
   dangling symlink is followed by hand, inside the root, so its target is
   created there and never on the host. */
static int
create_in_root (int rootfd, const char *path, bool dir, int depth, lcr_error_t *err)
{
  if (depth > 40)
    return lcr_error_make (err, ELOOP, LCR_ERR_SYSTEM, "open `%s` in the rootfs", path);
  cleanup_free char *copy = xstrdup (path);
  size_t len = strlen (copy);
  cleanup_close int parent = lcr_resolve_in_root (rootfd, ".", O_PATH | O_DIRECTORY);
  if (parent < 0)
    return lcr_error_sys (err, "open the rootfs");
  for (char *p = copy; p < copy + len;)
    {
      while (*p == '/')
        p++;
      if (*p == '\0')
        break;
      char *end = strchr (p, '/');
      if (end)
        *end = '\0'; /* copy now holds the prefix up to this component */
      const char *rest = end && end + 1 < copy + len ? end + 1 : NULL;
      bool last = rest == NULL || rest[strspn (rest, "/")] == '\0';
      bool want_dir = !last || dir;
      int next = lcr_resolve_in_root (rootfd, copy, O_PATH | (want_dir ? O_DIRECTORY : 0));
      if (next < 0 && errno == ENOENT)
        {
          char link[PATH_MAX];
          ssize_t n = readlinkat (parent, p, link, sizeof link - 1);
          if (n >= 0)
            {
              cleanup_free char *target = NULL;
              link[n] = '\0';
              *p = '\0'; /* copy: the directory holding the link */
              xasprintf (&target, "%s%s%s%s%s", link[0] == '/' ? "" : copy, link[0] == '/' ? "" : "/", link,
                         rest ? "/" : "", rest ? rest : "");
              return create_in_root (rootfd, target, dir, depth + 1, err);
            }
          if (want_dir)
            {
              if (mkdirat (parent, p, 0755) < 0 && errno != EEXIST)
                return lcr_error_sys (err, "mkdir `%s` in the rootfs", copy);
            }
          else
            {
              int f = openat (parent, p, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
              if (f < 0 && errno != EEXIST)
                return lcr_error_sys (err, "create `%s` in the rootfs", copy);
              if (f >= 0)
                close (f);
            }
          next = lcr_resolve_in_root (rootfd, copy, O_PATH | (want_dir ? O_DIRECTORY : 0));
        }
      if (next < 0)
        return lcr_error_sys (err, "open `%s` in the rootfs", copy);
      close (parent);
      parent = next;
      if (end == NULL)
        break;
      *end = '/';
      p = end + 1;
    }
  return steal_fd (&parent);
}

int
lcr_open_in_root (int rootfd, const char *path, bool create, bool dir, lcr_error_t *err)
{
  int fd = lcr_resolve_in_root (rootfd, path, O_PATH);
  if (fd >= 0)
    return fd;
  if (errno != ENOENT || !create)
    return lcr_error_sys (err, "open `%s` in the rootfs", path);
  return create_in_root (rootfd, path, dir, 0, err);
}

struct option_def
{
  const char *name;
  bool clear;              /* "rw", "suid": clear the flag */
  unsigned long flag;      /* MS_* */
  unsigned long long attr; /* MOUNT_ATTR_* for the recursive "r" forms */
  unsigned long prop;      /* propagation */
};

static const struct option_def option_defs[] = {
    {"ro", false, MS_RDONLY, 0, 0},
    {"rw", true, MS_RDONLY, 0, 0},
    {"nosuid", false, MS_NOSUID, 0, 0},
    {"suid", true, MS_NOSUID, 0, 0},
    {"nodev", false, MS_NODEV, 0, 0},
    {"dev", true, MS_NODEV, 0, 0},
    {"noexec", false, MS_NOEXEC, 0, 0},
    {"exec", true, MS_NOEXEC, 0, 0},
    {"sync", false, MS_SYNCHRONOUS, 0, 0},
    {"async", true, MS_SYNCHRONOUS, 0, 0},
    {"dirsync", false, MS_DIRSYNC, 0, 0},
    {"remount", false, MS_REMOUNT, 0, 0},
    {"mand", false, MS_MANDLOCK, 0, 0},
    {"nomand", true, MS_MANDLOCK, 0, 0},
    {"atime", true, MS_NOATIME, 0, 0},
    {"noatime", false, MS_NOATIME, 0, 0},
    {"diratime", true, MS_NODIRATIME, 0, 0},
    {"nodiratime", false, MS_NODIRATIME, 0, 0},
    {"relatime", false, MS_RELATIME, 0, 0},
    {"norelatime", true, MS_RELATIME, 0, 0},
    {"strictatime", false, MS_STRICTATIME, 0, 0},
    {"nostrictatime", true, MS_STRICTATIME, 0, 0},
    {"lazytime", false, MS_LAZYTIME, 0, 0},
    {"nolazytime", true, MS_LAZYTIME, 0, 0},
    {"bind", false, MS_BIND, 0, 0},
    {"rbind", false, MS_BIND | MS_REC, 0, 0},
    {"private", false, 0, 0, MS_PRIVATE},
    {"rprivate", false, 0, 0, MS_PRIVATE | MS_REC},
    {"shared", false, 0, 0, MS_SHARED},
    {"rshared", false, 0, 0, MS_SHARED | MS_REC},
    {"slave", false, 0, 0, MS_SLAVE},
    {"rslave", false, 0, 0, MS_SLAVE | MS_REC},
    {"unbindable", false, 0, 0, MS_UNBINDABLE},
    {"runbindable", false, 0, 0, MS_UNBINDABLE | MS_REC},
    /* recursive attributes (mount_setattr with AT_RECURSIVE) */
    {"rro", false, 0, MOUNT_ATTR_RDONLY, 0},
    {"rrw", true, 0, MOUNT_ATTR_RDONLY, 0},
    {"rnosuid", false, 0, MOUNT_ATTR_NOSUID, 0},
    {"rsuid", true, 0, MOUNT_ATTR_NOSUID, 0},
    {"rnodev", false, 0, MOUNT_ATTR_NODEV, 0},
    {"rdev", true, 0, MOUNT_ATTR_NODEV, 0},
    {"rnoexec", false, 0, MOUNT_ATTR_NOEXEC, 0},
    {"rexec", true, 0, MOUNT_ATTR_NOEXEC, 0},
    {"rnodiratime", false, 0, MOUNT_ATTR_NODIRATIME, 0},
    {"rdiratime", true, 0, MOUNT_ATTR_NODIRATIME, 0},
    {"rnosymfollow", false, 0, MOUNT_ATTR_NOSYMFOLLOW, 0},
    {"rsymfollow", true, 0, MOUNT_ATTR_NOSYMFOLLOW, 0},
    {"nosymfollow", false, 0, MOUNT_ATTR_NOSYMFOLLOW, 0},
    {"symfollow", true, 0, MOUNT_ATTR_NOSYMFOLLOW, 0},
};

int
lcr_mount_parse_options (char **options, struct lcr_mount_flags *out, lcr_error_t *err)
{
  memset (out, 0, sizeof *out);
  size_t data_len = 0;
  for (size_t i = 0; options && options[i]; i++)
    {
      const char *o = options[i];
      const struct option_def *d = NULL;
      for (size_t k = 0; k < sizeof option_defs / sizeof option_defs[0]; k++)
        if (strcmp (o, option_defs[k].name) == 0)
          {
            d = &option_defs[k];
            break;
          }
      if (strcmp (o, "idmap") == 0 || strcmp (o, "ridmap") == 0)
        {
          out->idmap = true;
          continue;
        }
      if (strcmp (o, "tmpcopyup") == 0)
        continue; /* crun's extension: accepted, nothing to copy on a fresh tmpfs here */
      if (d == NULL)
        {
          /* filesystem-specific: the kernel gets it verbatim (size=, mode=, …) */
          size_t n = strlen (o);
          out->data = xrealloc (out->data, data_len + n + 2);
          if (data_len)
            out->data[data_len++] = ',';
          memcpy (out->data + data_len, o, n + 1);
          data_len += n;
          continue;
        }
      if (d->prop)
        out->propagation = d->prop;
      else if (d->attr)
        {
          out->recursive_attr = true;
          if (d->clear)
            out->attr_clr |= d->attr, out->attr_set &= ~d->attr;
          else
            out->attr_set |= d->attr, out->attr_clr &= ~d->attr;
        }
      else if (d->flag & MS_BIND)
        {
          out->bind = true;
          out->rbind |= (d->flag & MS_REC) != 0;
        }
      else if (d->clear)
        out->flags &= ~d->flag;
      else
        out->flags |= d->flag;
    }
  return 0;
}

/* The per-mount flags statvfs reports; a remount in a user namespace must
   keep the locked ones (nodev, nosuid, noexec, ro, atime) or fail. */
static unsigned long
current_mount_flags (const char *path)
{
  struct statvfs sv;
  unsigned long f = 0;
  if (statvfs (path, &sv) < 0)
    return 0;
  static const struct
  {
    unsigned long st, ms;
  } map[]
      = {{ST_RDONLY, MS_RDONLY},   {ST_NOSUID, MS_NOSUID},         {ST_NODEV, MS_NODEV},      {ST_NOEXEC, MS_NOEXEC},
         {ST_NOATIME, MS_NOATIME}, {ST_NODIRATIME, MS_NODIRATIME}, {ST_RELATIME, MS_RELATIME}};
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (sv.f_flag & map[i].st)
      f |= map[i].ms;
  return f;
}

int
lcr_remount_bind (const char *path, unsigned long flags, bool in_userns, lcr_error_t *err)
{
  unsigned long keep = in_userns ? current_mount_flags (path) & ~MS_RDONLY : 0;
  if (flags & MS_RDONLY)
    keep |= MS_RDONLY;
  if (mount (NULL, path, NULL, MS_BIND | MS_REMOUNT | flags | keep, NULL) < 0)
    return lcr_error_sys (err, "remount `%s`", path);
  return 0;
}

static bool
is_dir (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0 && S_ISDIR (st.st_mode);
}

/* The `cgroup` mount type: on cgroup v2 a cgroup2 mount (its root is the
   container's cgroup when it has a cgroup namespace, else a bind of its
   cgroup); on v1 a tmpfs with each hierarchy's container cgroup bound in. */
static int
mount_cgroup (struct lcr_start *s, int rootfd, const char *dest, struct lcr_mount_flags *f, lcr_error_t *err)
{
  unsigned long flags = f->flags & ~MS_RDONLY;
  return lcr_cgroup_mount (s->cgroup, rootfd, dest, flags, (f->flags & MS_RDONLY) != 0,
                           (s->new_ns_flags & CLONE_NEWCGROUP) != 0, err);
}

/* proc and sysfs go on a real directory only (CVE-2023-28642, as runc): were
   the destination a symlink, the mount would land where it points and the
   masked and read-only paths, applied under the destination, would miss it.
   The last component is looked at without following it; what leads to it
   is resolved inside the rootfs as always. */
static int
check_pseudo_fs_dest (int rootfd, const struct lcr_spec_mount *m, size_t index, lcr_error_t *err)
{
  cleanup_free char *dir = xstrdup (m->destination);
  size_t n = strlen (dir);
  while (n > 1 && dir[n - 1] == '/')
    dir[--n] = '\0';
  char *slash = strrchr (dir, '/');
  const char *base = slash ? slash + 1 : dir;
  if (*base == '\0' || strcmp (base, ".") == 0 || strcmp (base, "..") == 0)
    return 0;
  if (slash)
    *slash = '\0';
  cleanup_close int parent = lcr_resolve_in_root (rootfd, slash && dir[0] ? dir : ".", O_PATH | O_DIRECTORY);
  struct stat st;
  if (parent < 0 || fstatat (parent, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return 0; /* missing: created as a directory below */
  if (!S_ISDIR (st.st_mode))
    return lcr_error_make (err, ENOTDIR, LCR_ERR_INVALID,
                           ".mounts[%zu].destination: `%s` is %s in the rootfs; %s must be mounted on a directory",
                           index, m->destination, S_ISLNK (st.st_mode) ? "a symlink" : "not a directory", m->type);
  return 0;
}

int
lcr_mount_one (struct lcr_start *s, int rootfd, size_t index, bool in_userns, bool ro_later, lcr_error_t *err)
{
  struct lcr_spec_mount *m = &s->spec->mounts[index];
  struct lcr_mount_flags f LCR_CLEANUP_MOUNT_FLAGS = {0};
  char target[LCR_FD_PATH_MAX];
  lcr_mount_parse_options (m->options, &f, err);
  bool bind = f.bind || (m->type && strcmp (m->type, "bind") == 0);
  unsigned long defer_ro = ro_later ? MS_RDONLY : 0; /* left out now, lcr_mount_finish_ro sets it */

  if (m->type && strcmp (m->type, "cgroup") == 0 && !bind)
    {
      if (mount_cgroup (s, rootfd, m->destination, &f, err) < 0)
        return lcr_error_wrap (err, ".mounts[%zu] (%s)", index, m->destination);
      return 0;
    }

  cleanup_free char *source = NULL;
  if (bind)
    {
      if (m->source == NULL)
        return lcr_error_make (err, 0, LCR_ERR_INVALID, ".mounts[%zu].source: a bind mount needs a source", index);
      if (m->source[0] == '/')
        source = xstrdup (m->source);
      else
        xasprintf (&source, "%s/%s", s->bundle, m->source);
    }
  if (!bind && m->type && (strcmp (m->type, "proc") == 0 || strcmp (m->type, "sysfs") == 0)
      && check_pseudo_fs_dest (rootfd, m, index, err) < 0)
    return -1;
  /* a tree the runtime prepared (idmap.c) stands for the source, which the
     container's root may not be able to reach */
  int prepared = s->idmap_fds ? s->idmap_fds[index] : -1;
  struct stat pst;
  bool dest_dir = !bind ? true : prepared >= 0 ? fstat (prepared, &pst) == 0 && S_ISDIR (pst.st_mode) : is_dir (source);
  if (bind && prepared < 0 && access (source, F_OK) < 0)
    return lcr_error_make (err, errno, LCR_ERR_INVALID, ".mounts[%zu].source: `%s`", index, source);

  cleanup_close int fd = lcr_open_in_root (rootfd, m->destination, true, dest_dir, err);
  if (fd < 0)
    return lcr_error_wrap (err, ".mounts[%zu].destination", index);
  lcr_fd_path (fd, target);

  if (prepared >= 0)
    {
      if (lcr_idmap_attach (prepared, fd, err) < 0)
        return lcr_error_wrap (err, ".mounts[%zu] (%s)", index, m->destination);
    }
  else if (bind)
    {
      if (mount (source, target, NULL, MS_BIND | (f.rbind ? MS_REC : 0), NULL) < 0)
        return lcr_error_make (err, errno, LCR_ERR_SYSTEM, ".mounts[%zu]: bind `%s` on `%s`", index, source,
                               m->destination);
    }
  else
    {
      const char *type = m->type ? m->type : "none";
      int r = mount (m->source ? m->source : type, target, type, f.flags & ~(MS_REMOUNT | defer_ro), f.data);
      if (r < 0 && errno == EPERM && strcmp (type, "sysfs") == 0)
        /* a user namespace without its own network namespace may not mount
           sysfs: give it the host's, read-only below */
        r = mount ("/sys", target, NULL, MS_BIND | MS_REC, NULL);
      if (r < 0)
        return lcr_error_make (err, errno, LCR_ERR_SYSTEM, ".mounts[%zu]: mount %s on `%s`", index, type,
                               m->destination);
    }

  unsigned long remount_flags = f.flags & ~(MS_REMOUNT | MS_BIND | MS_REC | defer_ro);
  bool bind_idmapped = prepared >= 0;
  if (!((bind || bind_idmapped) && remount_flags) && !f.propagation && !f.recursive_attr)
    return 0; /* nothing more to set: most mounts end here */

  /* What we mounted now covers fd: reopen to reach the new mount itself. */
  close (fd);
  fd = lcr_open_in_root (rootfd, m->destination, false, dest_dir, err);
  if (fd < 0)
    return lcr_error_wrap (err, ".mounts[%zu].destination", index);
  lcr_fd_path (fd, target);

  if ((bind || bind_idmapped) && remount_flags && lcr_remount_bind (target, remount_flags, in_userns, err) < 0)
    return lcr_error_wrap (err, ".mounts[%zu] (%s)", index, m->destination);
  if (f.propagation && mount (NULL, target, NULL, f.propagation, NULL) < 0)
    return lcr_error_make (err, errno, LCR_ERR_SYSTEM, ".mounts[%zu]: set propagation of `%s`", index, m->destination);
  if (f.recursive_attr)
    {
      struct mount_attr attr = {.attr_set = f.attr_set, .attr_clr = f.attr_clr};
      if (syscall (SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
        return lcr_error_make (err, errno, LCR_ERR_SYSTEM, ".mounts[%zu]: set recursive attributes on `%s`", index,
                               m->destination);
    }
  return 0;
}
