/* dock — container root file systems (overlay, vfs) and netns files (see rootfs.h). */
#define _GNU_SOURCE
#include "rootfs.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <dirent.h>
#include <linux/mount.h>

#include "container/fstree.h"
#include "linux.h"
#include "store/store.h"

static bool
use_vfs (struct dock_ctx *ctx)
{
  return ctx->driver && strcmp (ctx->driver, "vfs") == 0;
}

/* vfs: each layer applied in turn onto rootfs/ as overlay would show it.  A layer's whiteouts
   (0:0 character devices) remove what lower layers put there; an opaque directory (xattr
   trusted.overlay.opaque=y) is emptied first.  Every path in the destination is resolved inside
   it: a symlink a lower layer planted cannot make a copy or a removal land outside. */
struct layer_sink
{
  struct dock_sink base;
  struct dock_sink *fs;
  int destfd;
};

/* remove dest/rel (a whole tree), its parent resolved inside dest */
static void
remove_in_root (int destfd, const char *rel)
{
  cleanup_free char *dir = xstrdup (rel);
  char *slash = strrchr (dir, '/');
  const char *leaf = rel;
  int pfd;
  if (slash)
    {
      *slash = '\0';
      leaf = slash + 1;
      pfd = lcr_resolve_in_root (destfd, dir, O_PATH | O_DIRECTORY);
    }
  else
    pfd = fcntl (destfd, F_DUPFD_CLOEXEC, 3);
  if (pfd < 0)
    return;
  /* an O_PATH fd cannot be a directory fd for unlinkat: reopen it */
  cleanup_free char *proc = NULL;
  xasprintf (&proc, "/proc/self/fd/%d", pfd);
  int dfd = open (proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  close (pfd);
  if (dfd < 0)
    return;
  cleanup_error lcr_error_t e = NULL;
  struct stat st;
  if (fstatat (dfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0)
    {
      if (S_ISDIR (st.st_mode))
        lcr_rm_rf_at (dfd, leaf, &e);
      else
        unlinkat (dfd, leaf, 0);
    }
  close (dfd);
}

static int
layer_put (struct dock_sink *s, struct dock_entry *e, lcr_error_t *err)
{
  struct layer_sink *ls = (struct layer_sink *)s;
  if (S_ISCHR (e->st.st_mode) && e->st.st_rdev == 0)
    {
      remove_in_root (ls->destfd, e->name);
      return 0;
    }
  return ls->fs->put (ls->fs, e, err);
}

static int
layer_finish (struct dock_sink *s, lcr_error_t *err)
{
  struct layer_sink *ls = (struct layer_sink *)s;
  return ls->fs->finish ? ls->fs->finish (ls->fs, err) : 0;
}

static void
layer_free (struct dock_sink *s)
{
  struct layer_sink *ls = (struct layer_sink *)s;
  dock_sink_free (ls->fs);
  free (ls);
}

/* opaque directories of `layer`: their counterparts in dest are emptied before the copy */
static void
clear_opaque_dirs (const char *layer, size_t root_len, int destfd)
{
  cleanup_dir DIR *d = opendir (layer);
  struct dirent *de;
  while (d && (de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0 || de->d_type != DT_DIR)
        continue;
      cleanup_free char *p = NULL;
      xasprintf (&p, "%s/%s", layer, de->d_name);
      char v[4] = "";
      if (lgetxattr (p, "trusted.overlay.opaque", v, sizeof v) == 1 && v[0] == 'y')
        remove_in_root (destfd, p + root_len + 1);
      clear_opaque_dirs (p, root_len, destfd);
    }
}

static int
copy_layers_vfs (char *const *layer_dirs, const char *dest, lcr_error_t *err)
{
  cleanup_close int destfd = open (dest, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (destfd < 0)
    return lcr_error_sys (err, "open `%s`", dest);
  for (size_t i = 0; layer_dirs[i]; i++)
    {
      clear_opaque_dirs (layer_dirs[i], strlen (layer_dirs[i]), destfd);
      struct layer_sink *ls = xmalloc0 (sizeof *ls);
      ls->base.put = layer_put;
      ls->base.finish = layer_finish;
      ls->base.free = layer_free;
      ls->destfd = destfd;
      ls->fs = dock_fs_sink_new (destfd, "/", NULL, -1, -1);
      cleanup_sink struct dock_sink *sink = &ls->base;
      cleanup_free char *parent = xstrdup (layer_dirs[i]);
      char *slash = strrchr (parent, '/');
      *slash = '\0';
      cleanup_close int pfd = open (parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
      struct dock_walk_opts wo = {0};
      if (pfd < 0 || dock_tree_walk (pfd, slash + 1, NULL, &wo, sink, err) < 0
          || (sink->finish && sink->finish (sink, err) < 0))
        return pfd < 0 ? lcr_error_sys (err, "open `%s`", parent)
                       : lcr_error_wrap (err, "copy layer `%s` (vfs driver)", layer_dirs[i]);
    }
  return 0;
}

jv
dock_rootfs_prepare (struct dock_ctx *ctx, const char *id, char *const *layer_dirs, lcr_error_t *err)
{
  cleanup_free char *dir = dock_path (ctx, "containers/%s", id);
  cleanup_free char *merged = dock_path (ctx, "containers/%s/rootfs", id);
  cleanup_jv jv gd = jv_obj ();
  jv data = jv_set (gd, "Data", jv_obj ());
  if (mkdir (merged, 0755) < 0 && errno != EEXIST)
    {
      lcr_error_sys (err, "mkdir `%s`", merged);
      return NULL;
    }
  jv_set (data, "MergedDir", jv_str (merged));
  if (use_vfs (ctx))
    {
      jv_set (gd, "Name", jv_str ("vfs"));
      if (copy_layers_vfs (layer_dirs, merged, err) < 0)
        return NULL;
      return steal_pointer (&gd);
    }
  jv_set (gd, "Name", jv_str ("overlay2"));
  cleanup_free char *upper = dock_path (ctx, "containers/%s/upper", id);
  cleanup_free char *work = dock_path (ctx, "containers/%s/work", id);
  if ((mkdir (upper, 0755) < 0 && errno != EEXIST) || (mkdir (work, 0700) < 0 && errno != EEXIST))
    {
      lcr_error_sys (err, "mkdir in `%s`", dir);
      return NULL;
    }
  /* overlay wants the top layer first */
  size_t n = 0, len = 0;
  while (layer_dirs[n])
    len += strlen (layer_dirs[n++]) + 1;
  char *lower = xmalloc0 (len + 1);
  for (size_t i = n; i-- > 0;)
    {
      strcat (lower, layer_dirs[i]);
      if (i > 0)
        strcat (lower, ":");
    }
  jv_set (data, "LowerDir", jv_str (lower));
  free (lower);
  jv_set (data, "UpperDir", jv_str (upper));
  jv_set (data, "WorkDir", jv_str (work));
  return steal_pointer (&gd);
}

bool
dock_rootfs_is_mounted (const char *path)
{
  struct stat a, b;
  cleanup_free char *parent = NULL;
  xasprintf (&parent, "%s/..", path);
  if (stat (path, &a) < 0 || stat (parent, &b) < 0)
    return false;
  return a.st_dev != b.st_dev;
}

/* The new mount API takes the lower layers one at a time ("lowerdir+", Linux 6.8), so an image
   with many layers is not bound by mount(2)'s one-page option string. */
static int
mount_overlay_fsconfig (const char *lower, const char *upper, const char *work, const char *target)
{
  int fs = syscall (SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
  if (fs < 0)
    return -1;
  cleanup_free char *l = xstrdup (lower);
  char *save = NULL;
  int rc = 0;
  for (char *tok = strtok_r (l, ":", &save); tok && rc == 0; tok = strtok_r (NULL, ":", &save))
    rc = syscall (SYS_fsconfig, fs, FSCONFIG_SET_STRING, "lowerdir+", tok, 0);
  if (rc == 0)
    rc = syscall (SYS_fsconfig, fs, FSCONFIG_SET_STRING, "upperdir", upper, 0);
  if (rc == 0)
    rc = syscall (SYS_fsconfig, fs, FSCONFIG_SET_STRING, "workdir", work, 0);
  if (rc == 0)
    rc = syscall (SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
  int mfd = rc == 0 ? syscall (SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0) : -1;
  int saved = errno;
  close (fs);
  if (mfd < 0)
    {
      errno = saved;
      return -1;
    }
  rc = syscall (SYS_move_mount, mfd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH);
  saved = errno;
  close (mfd);
  errno = saved;
  return rc;
}

int
dock_rootfs_mount (struct dock_ctx *ctx, jv rec, char **path, lcr_error_t *err)
{
  jv gd = jv_get_obj (rec, "GraphDriver");
  jv data = jv_get_obj (gd, "Data");
  const char *merged = jv_get_str (data, "MergedDir");
  if (merged == NULL)
    return lcr_error_invalid (err, "container %s has no root file system recorded", jv_get_str (rec, "Id"));
  *path = xstrdup (merged);
  const char *name = jv_get_str (gd, "Name");
  if (name && strcmp (name, "vfs") == 0)
    return 0;
  if (dock_rootfs_is_mounted (merged))
    return 0;
  const char *lower = jv_get_str (data, "LowerDir"), *upper = jv_get_str (data, "UpperDir"),
             *work = jv_get_str (data, "WorkDir");
  cleanup_free char *opts = NULL;
  xasprintf (&opts, "lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work);
  int rc;
  if (strlen (opts) < 4000)
    rc = mount ("overlay", merged, "overlay", 0, opts);
  else
    rc = mount_overlay_fsconfig (lower, upper, work, merged);
  if (rc < 0)
    return lcr_error_sys (err, "mount the overlay root file system at `%s` (try --storage-driver vfs)", merged);
  (void)ctx;
  return 0;
}

void
dock_rootfs_umount (struct dock_ctx *ctx, jv rec)
{
  (void)ctx;
  jv gd = jv_get_obj (rec, "GraphDriver");
  const char *merged = jv_get_str (jv_get_obj (gd, "Data"), "MergedDir");
  const char *name = jv_get_str (gd, "Name");
  if (merged == NULL || (name && strcmp (name, "vfs") == 0))
    return;
  while (dock_rootfs_is_mounted (merged) && umount2 (merged, MNT_DETACH) == 0)
    ;
}

int
dock_netns_create (const char *path, lcr_error_t *err)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return lcr_error_sys (err, "create the network namespace file `%s`", path);
  close (fd);
  /* a child makes the namespace and bind-mounts it onto the file: dock itself stays in the
     host's network namespace */
  pid_t pid = fork ();
  if (pid < 0)
    {
      unlink (path);
      return lcr_error_sys (err, "fork");
    }
  if (pid == 0)
    {
      if (unshare (CLONE_NEWNET) < 0)
        _exit (1);
      int s = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      struct ifreq ifr = {0};
      strcpy (ifr.ifr_name, "lo");
      if (s < 0 || ioctl (s, SIOCGIFFLAGS, &ifr) < 0)
        _exit (2);
      ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
      if (ioctl (s, SIOCSIFFLAGS, &ifr) < 0)
        _exit (3);
      if (mount ("/proc/self/ns/net", path, NULL, MS_BIND, NULL) < 0)
        _exit (4);
      _exit (0);
    }
  int status;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      static const char *const what[]
          = {"", "unshare a network namespace", "find lo", "bring lo up", "bind-mount the namespace"};
      int code = WIFEXITED (status) ? WEXITSTATUS (status) : 0;
      umount2 (path, MNT_DETACH);
      unlink (path);
      return lcr_error_make (err, 0, LCR_ERR_SYSTEM, "network namespace `%s`: could not %s", path,
                             code > 0 && code < 5 ? what[code] : "make it");
    }
  return 0;
}

void
dock_netns_remove (const char *path)
{
  if (path == NULL)
    return;
  umount2 (path, MNT_DETACH);
  unlink (path);
}
