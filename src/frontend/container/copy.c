/* dock — `cp` between a container and the host (see copy.h). */
#define _GNU_SOURCE
#include "container/copy.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "container/fstree.h"
#include "container/record.h"
#include "container/rootfs.h"
#include "linux.h"
#include "store/store.h"

/* ------------------------------------------------------------------ the container's view */

static int
cmp_mount_depth (const void *a, const void *b)
{
  const char *da = jv_get_str (*(jv const *)a, "Destination"), *db = jv_get_str (*(jv const *)b, "Destination");
  return (int)strlen (da ? da : "") - (int)strlen (db ? db : "");
}

/* The container's binds and volumes over its rootfs, parents first.  A destination that is not
   in the rootfs (never started: the runtime makes mountpoints) is left out: writing there goes
   to the container's own layer, as it would without the mount. */
static int
mount_volumes (struct dock_ctr_fs *fs, lcr_error_t *err)
{
  jv mounts = jv_get_arr (fs->rec, "Mounts");
  size_t n = jv_len (mounts);
  if (n == 0)
    return 0;
  jv *v = xmalloc0 (n * sizeof (jv));
  memcpy (v, mounts->u.array.values, n * sizeof (jv));
  qsort (v, n, sizeof (jv), cmp_mount_depth);
  int ret = 0;
  for (size_t i = 0; i < n && ret == 0; i++)
    {
      const char *type = jv_get_str (v[i], "Type"), *src = jv_get_str (v[i], "Source"),
                 *dst = jv_get_str (v[i], "Destination");
      if (type == NULL || src == NULL || dst == NULL || (strcmp (type, "bind") != 0 && strcmp (type, "volume") != 0))
        continue;
      cleanup_close int fd = lcr_resolve_in_root (fs->rootfd, dst, O_PATH);
      if (fd < 0)
        continue;
      char fdp[LCR_FD_PATH_MAX];
      lcr_fd_path (fd, fdp);
      if (mount (src, fdp, NULL, MS_BIND | MS_REC, NULL) < 0)
        {
          ret = lcr_error_sys (err, "mount `%s` at `%s` for the copy", src, dst);
          break;
        }
      if (!jv_get_bool (v[i], "RW", true))
        {
          cleanup_close int fd2 = lcr_resolve_in_root (fs->rootfd, dst, O_PATH);
          char fdp2[LCR_FD_PATH_MAX];
          lcr_fd_path (fd2, fdp2);
          if (fd2 < 0 || mount (NULL, fdp2, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
            ret = lcr_error_sys (err, "make `%s` read-only", dst);
        }
    }
  free (v);
  return ret;
}

int
dock_ctr_fs_open (struct dock_ctx *ctx, const char *ref, bool volumes, struct dock_ctr_fs *fs, lcr_error_t *err)
{
  memset (fs, 0, sizeof *fs);
  fs->rootfd = -1;
  if (dock_record_find (ctx, ref, fs->id, err) < 0)
    return -1;
  if (dock_lock (ctx, err) < 0)
    return -1;
  fs->rec = dock_record_load (ctx, fs->id, err);
  if (fs->rec == NULL)
    goto fail;
  if (dock_record_refresh (ctx, fs->rec))
    {
      lcr_error_t e2 = NULL;
      if (dock_record_save (ctx, fs->rec, &e2) < 0)
        lcr_error_release (&e2);
    }
  /* our own mount table, detached from the host's: nothing mounted here propagates out */
  if (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    {
      lcr_error_sys (err, "a private mount namespace");
      goto fail;
    }
  cleanup_free char *merged = NULL;
  {
    const char *m = jv_get_str (jv_get_obj (jv_get_obj (fs->rec, "GraphDriver"), "Data"), "MergedDir");
    fs->mounted = m && !dock_rootfs_is_mounted (m);
  }
  if (dock_rootfs_mount (ctx, fs->rec, &fs->rootfs, err) < 0)
    {
      fs->mounted = false;
      goto fail;
    }
  fs->rootfd = open (fs->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fs->rootfd < 0)
    {
      lcr_error_sys (err, "open `%s`", fs->rootfs);
      goto fail;
    }
  if (volumes && mount_volumes (fs, err) < 0)
    goto fail;
  return 0;
fail:
  dock_ctr_fs_close (ctx, fs);
  return -1;
}

void
dock_ctr_fs_close (struct dock_ctx *ctx, struct dock_ctr_fs *fs)
{
  if (fs->rootfd >= 0)
    close (fs->rootfd);
  fs->rootfd = -1;
  if (fs->mounted && fs->rec)
    {
      /* the overlay with the volumes under it; all of it only in our namespace */
      dock_rootfs_umount (ctx, fs->rec);
    }
  fs->mounted = false;
  jv_free (fs->rec);
  fs->rec = NULL;
  free (fs->rootfs);
  fs->rootfs = NULL;
  dock_unlock (ctx);
}

/* ------------------------------------------------------------------ arguments */

/* docker's split: an absolute path or one starting with "." is the host's; else "CTR:PATH" */
static bool
split_arg (const char *arg, char **ctr, const char **path)
{
  *ctr = NULL;
  *path = arg;
  if (arg[0] == '/' || arg[0] == '.')
    return false;
  const char *colon = strchr (arg, ':');
  if (colon == NULL)
    return false;
  *ctr = strndup (arg, (size_t)(colon - arg));
  *path = colon + 1;
  return true;
}

static bool
ends_with (const char *s, const char *suffix)
{
  size_t a = strlen (s), b = strlen (suffix);
  return a >= b && strcmp (s + a - b, suffix) == 0;
}

/* what SRC_PATH names: a parent directory fd and a leaf in it, never followed by the walk */
struct src
{
  int parentfd;
  char *leaf;
  char *name; /* the root entry's name: the basename, or "." to copy a directory's content */
  bool is_dir;
};

static void
src_release (struct src *s)
{
  if (s->parentfd >= 0)
    close (s->parentfd);
  free (s->leaf);
  free (s->name);
}

static void
split_clean (const char *clean, char **parent, char **leaf)
{
  const char *slash = strrchr (clean, '/');
  if (slash == NULL)
    {
      *parent = xstrdup (".");
      *leaf = xstrdup (clean);
    }
  else
    {
      *parent = slash == clean ? xstrdup ("/") : strndup (clean, (size_t)(slash - clean));
      *leaf = xstrdup (slash + 1);
    }
}

/* Open the parent of `clean` (inside rootfd when >= 0) */
static int
open_parent (int rootfd, const char *parent)
{
  if (rootfd >= 0)
    return lcr_resolve_in_root (rootfd, parent, O_PATH | O_DIRECTORY);
  return open (parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* The path an fd names, as a path inside `rootfs` (NULL if it is not under it) */
static char *
fd_path_in (int fd, const char *rootfs)
{
  char fdp[LCR_FD_PATH_MAX], buf[PATH_MAX];
  lcr_fd_path (fd, fdp);
  ssize_t n = readlink (fdp, buf, sizeof buf - 1);
  if (n < 0)
    return NULL;
  buf[n] = '\0';
  if (rootfs == NULL)
    return xstrdup (buf);
  size_t rl = strlen (rootfs);
  if (strncmp (buf, rootfs, rl) != 0 || (buf[rl] != '/' && buf[rl] != '\0'))
    return NULL;
  return xstrdup (buf[rl] ? buf + rl : "/");
}

static int
resolve_src (int rootfd, const char *rootfs, const char *path, bool follow, const char *shown, struct src *s,
             lcr_error_t *err)
{
  bool contents = ends_with (path, "/.") || strcmp (path, ".") == 0;
  bool slash = contents || ends_with (path, "/");
  cleanup_free char *clean = dock_path_clean (path);
  cleanup_free char *parent = NULL;
  if (strcmp (clean, "/") == 0)
    {
      parent = xstrdup ("/");
      s->leaf = xstrdup (".");
      contents = true;
    }
  else
    split_clean (clean, &parent, &s->leaf);
  s->name = xstrdup (contents ? "." : s->leaf);
  s->parentfd = open_parent (rootfd, parent);
  struct stat st;
  if (s->parentfd < 0 || fstatat (s->parentfd, s->leaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      if (errno == ENOENT || errno == ENOTDIR)
        {
          if (rootfd >= 0)
            return lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "Could not find the file %s in container %s", path,
                                   shown);
          return lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "lstat %s: no such file or directory", path);
        }
      return lcr_error_sys (err, "stat `%s`", path);
    }
  if (S_ISLNK (st.st_mode) && (follow || slash))
    {
      /* follow it (inside the container), then walk from what it names */
      cleanup_close int fd
          = rootfd >= 0 ? lcr_resolve_in_root (rootfd, clean, O_PATH) : open (clean, O_PATH | O_CLOEXEC);
      if (fd < 0 || fstat (fd, &st) < 0)
        return lcr_error_sys (err, "follow the symbolic link `%s`", path);
      close (s->parentfd);
      free (s->leaf);
      if (S_ISDIR (st.st_mode))
        {
          s->parentfd = steal_fd (&fd);
          s->leaf = xstrdup (".");
        }
      else
        {
          cleanup_free char *target = fd_path_in (fd, rootfd >= 0 ? rootfs : NULL);
          if (target == NULL)
            return lcr_error_invalid (err, "`%s`: the link's target can't be named", path);
          cleanup_free char *tparent = NULL;
          split_clean (target, &tparent, &s->leaf);
          s->parentfd = open_parent (rootfd, tparent);
          if (s->parentfd < 0)
            return lcr_error_sys (err, "open `%s`", tparent);
        }
    }
  s->is_dir = S_ISDIR (st.st_mode);
  if (slash && !s->is_dir)
    return lcr_error_make (err, 0, LCR_ERR_INVALID, "%s: not a directory", path);
  return 0;
}

/* Where to put SRC given DEST: into DEST (an existing directory), or as DEST (a new name or a
   file replaced).  base/rename for the sink. */
static int
plan_dest (int rootfd, const char *dest, const struct src *s, char **base, char **rename, lcr_error_t *err)
{
  cleanup_free char *clean = dock_path_clean (dest);
  struct stat st;
  int r;
  if (rootfd >= 0)
    {
      cleanup_close int fd = lcr_resolve_in_root (rootfd, clean, O_PATH);
      r = fd >= 0 ? fstat (fd, &st) : -1;
    }
  else
    r = stat (clean, &st);
  if (r == 0 && S_ISDIR (st.st_mode))
    {
      *base = steal_pointer (&clean);
      *rename = NULL;
      return 0;
    }
  if (r == 0 && s->is_dir)
    return lcr_error_make (err, 0, LCR_ERR_INVALID, "cannot copy a directory to a file: \"%s\" is not a directory",
                           dest);
  if (r < 0 && errno != ENOENT)
    return lcr_error_sys (err, "stat `%s`", dest);
  if (r < 0 && !s->is_dir && ends_with (dest, "/"))
    return lcr_error_make (err, 0, LCR_ERR_INVALID, "destination directory \"%s\" must exist", dest);
  if (strcmp (clean, "/") == 0 || strcmp (clean, ".") == 0)
    return lcr_error_invalid (err, "cannot copy to `%s`", dest);
  cleanup_free char *parent = NULL, *leaf = NULL;
  split_clean (clean, &parent, &leaf);
  cleanup_close int pfd = open_parent (rootfd, parent);
  if (pfd < 0)
    return lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "destination directory \"%s\" does not exist", parent);
  *base = steal_pointer (&parent);
  *rename = steal_pointer (&leaf);
  return 0;
}

static int
run_copy (struct dock_sink *sink, const struct src *s, lcr_error_t *err)
{
  if (dock_tree_walk (s->parentfd, s->leaf, s->name, NULL, sink, err) < 0)
    return -1;
  return sink->finish ? sink->finish (sink, err) : 0;
}

/* container → host path or stdout */
static int
copy_out (struct dock_ctx *ctx, const char *ref, const char *cpath, const char *dest, const struct dock_cp_opts *o,
          lcr_error_t *err)
{
  struct dock_ctr_fs fs;
  if (dock_ctr_fs_open (ctx, ref, true, &fs, err) < 0)
    return -1;
  struct src s = {.parentfd = -1};
  cleanup_free char *abs = NULL;
  xasprintf (&abs, "%s%s", cpath[0] == '/' ? "" : "/", cpath);
  int ret = resolve_src (fs.rootfd, fs.rootfs, abs, o->follow_link, ref, &s, err);
  if (ret == 0)
    {
      cleanup_sink struct dock_sink *sink = NULL;
      if (strcmp (dest, "-") == 0)
        sink = dock_tar_sink_new (1, false);
      else
        {
          cleanup_free char *base = NULL, *rename = NULL;
          ret = plan_dest (-1, dest, &s, &base, &rename, err);
          if (ret == 0)
            sink = dock_fs_sink_new (-1, base, rename, o->archive ? -1 : (long)getuid (),
                                     o->archive ? -1 : (long)getgid ());
        }
      if (ret == 0)
        ret = run_copy (sink, &s, err);
    }
  src_release (&s);
  dock_ctr_fs_close (ctx, &fs);
  return ret;
}

/* host path or stdin → container */
static int
copy_in (struct dock_ctx *ctx, const char *src, const char *ref, const char *cpath, const struct dock_cp_opts *o,
         lcr_error_t *err)
{
  struct src s = {.parentfd = -1};
  bool from_stdin = strcmp (src, "-") == 0;
  if (!from_stdin && resolve_src (-1, NULL, src, o->follow_link, NULL, &s, err) < 0)
    {
      src_release (&s);
      return -1;
    }
  struct dock_ctr_fs fs;
  if (dock_ctr_fs_open (ctx, ref, true, &fs, err) < 0)
    {
      src_release (&s);
      return -1;
    }
  cleanup_free char *abs = NULL;
  xasprintf (&abs, "%s%s", cpath[0] == '/' ? "" : "/", cpath);
  /* into the container, files belong to its root unless -a */
  long uid = o->archive ? -1 : 0, gid = o->archive ? -1 : 0;
  int ret;
  if (from_stdin)
    {
      cleanup_close int fd = lcr_resolve_in_root (fs.rootfd, abs, O_PATH | O_DIRECTORY);
      if (fd < 0)
        ret = lcr_error_make (err, 0, LCR_ERR_INVALID, "destination \"%s:%s\" must be a directory", ref, cpath);
      else
        {
          cleanup_free char *clean = dock_path_clean (abs);
          cleanup_sink struct dock_sink *sink = dock_fs_sink_new (fs.rootfd, clean, NULL, uid, gid);
          ret = dock_tar_read (0, sink, err);
          if (ret == 0 && sink->finish)
            ret = sink->finish (sink, err);
        }
    }
  else
    {
      cleanup_free char *base = NULL, *rename = NULL;
      ret = plan_dest (fs.rootfd, abs, &s, &base, &rename, err);
      if (ret == 0)
        {
          cleanup_sink struct dock_sink *sink = dock_fs_sink_new (fs.rootfd, base, rename, uid, gid);
          ret = run_copy (sink, &s, err);
        }
    }
  src_release (&s);
  dock_ctr_fs_close (ctx, &fs);
  return ret;
}

int
dock_cp (struct dock_ctx *ctx, const char *src, const char *dst, const struct dock_cp_opts *o, lcr_error_t *err)
{
  cleanup_free char *sctr = NULL, *dctr = NULL;
  const char *spath, *dpath;
  bool sc = split_arg (src, &sctr, &spath), dc = split_arg (dst, &dctr, &dpath);
  if (sc && dc)
    return lcr_error_invalid (err, "copying between containers is not supported");
  if (!sc && !dc)
    return lcr_error_invalid (err, "must specify at least one container source");
  if (sc && *sctr == '\0')
    return lcr_error_invalid (err, "no container name in `%s`", src);
  if (dc && *dctr == '\0')
    return lcr_error_invalid (err, "no container name in `%s`", dst);
  if (sc)
    return copy_out (ctx, sctr, *spath ? spath : "/", dst, o, err);
  return copy_in (ctx, src, dctr, *dpath ? dpath : "/", o, err);
}
