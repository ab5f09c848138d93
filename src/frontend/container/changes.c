/* dock — a container's changes from its overlay upper dir (see changes.h). */
#define _GNU_SOURCE
#include "container/changes.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "container/fstree.h"
#include "linux.h"
#include "store/store.h"

const char *const dock_runtime_stubs[] = {
    "etc/hosts", "etc/hostname", "etc/resolv.conf",   "etc/mtab",   ".dockerenv",
    "dev",       "dev/pts",      "dev/shm",           "dev/mqueue", "dev/console",
    "proc",      "sys",          "run/.containerenv", NULL,
};

enum
{
  CH_MODIFY = 0,
  CH_ADD = 1,
  CH_DELETE = 2,
};

struct changes
{
  int *lowers; /* lower layer fds, top first */
  size_t n_lowers;
  jv out;
};

static bool
is_whiteout (const struct stat *st)
{
  return S_ISCHR (st->st_mode) && st->st_rdev == makedev (0, 0);
}

static bool
opaque (int dfd)
{
  char v[4];
  ssize_t n = fgetxattr (dfd, "trusted.overlay.opaque", v, sizeof v);
  if (n < 0)
    n = fgetxattr (dfd, "user.overlay.opaque", v, sizeof v);
  return n == 1 && v[0] == 'y';
}

static bool
is_stub (const char *path, const struct stat *st, int dfd)
{
  bool listed = false;
  for (size_t i = 0; dock_runtime_stubs[i] && !listed; i++)
    listed = strcmp (dock_runtime_stubs[i], path + 1) == 0;
  if (!listed)
    return false;
  if (S_ISREG (st->st_mode))
    return st->st_size == 0;
  if (!S_ISDIR (st->st_mode))
    return false;
  cleanup_close int fd = openat (dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_dir DIR *d = fd >= 0 ? fdopendir (steal_fd (&fd)) : NULL;
  struct dirent *de;
  while (d && (de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      return false;
  return true;
}

/* The lower layers' view of `path` (absolute in the container): found (in *st), deleted by a
   whiteout above it, or absent.  Each layer's parent path is resolved inside that layer. */
static bool
lower_lookup (struct changes *c, const char *path, struct stat *st)
{
  cleanup_free char *dup = xstrdup (path);
  char *slash = strrchr (dup, '/');
  const char *leaf = slash + 1;
  *slash = '\0';
  const char *parent = *dup ? dup : "/";
  for (size_t i = 0; i < c->n_lowers; i++)
    {
      cleanup_close int pfd = lcr_resolve_in_root (c->lowers[i], parent, O_PATH | O_DIRECTORY);
      if (pfd < 0)
        continue;
      if (fstatat (pfd, leaf, st, AT_SYMLINK_NOFOLLOW) == 0)
        return !is_whiteout (st);
    }
  return false;
}

static void
add (struct changes *c, const char *path, int kind)
{
  jv o = jv_push (c->out, jv_obj ());
  jv_set (o, "Path", jv_str (path));
  jv_set (o, "Kind", jv_int (kind));
}

/* The changes under the upper dir's directory `dfd` (container path `dir`, "" for the root);
   true when anything in it was added or deleted. */
static int
walk (struct changes *c, int dfd, const char *dir, bool below_new, bool *touched, lcr_error_t *err)
{
  cleanup_close int fd = openat (dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_dir DIR *d = fd >= 0 ? fdopendir (steal_fd (&fd)) : NULL;
  if (d == NULL)
    return lcr_error_sys (err, "read the upper directory at `%s`", *dir ? dir : "/");
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      cleanup_free char *path = NULL;
      xasprintf (&path, "%s/%s", dir, de->d_name);
      struct stat st, lst;
      if (fstatat (dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return lcr_error_sys (err, "stat `%s` in the upper directory", path);
      if (is_whiteout (&st))
        {
          add (c, path, CH_DELETE);
          *touched = true;
          continue;
        }
      bool in_lower = !below_new && lower_lookup (c, path, &lst);
      if (!S_ISDIR (st.st_mode))
        {
          if (S_ISREG (st.st_mode) && !in_lower && is_stub (path, &st, -1))
            continue;
          add (c, path, in_lower ? CH_MODIFY : CH_ADD);
          *touched |= !in_lower;
          continue;
        }
      cleanup_close int cfd = openat (dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (cfd < 0)
        return lcr_error_sys (err, "open `%s` in the upper directory", path);
      if (!in_lower && is_stub (path, &st, cfd))
        continue;
      bool is_opaque = in_lower && S_ISDIR (lst.st_mode) && opaque (cfd);
      if (in_lower && !S_ISDIR (lst.st_mode))
        in_lower = false; /* a directory where a file was: deleted and added */
      size_t at = jv_len (c->out);
      if (!in_lower)
        {
          add (c, path, CH_ADD);
          *touched = true;
        }
      bool inner = false;
      if (walk (c, cfd, path, !in_lower || is_opaque, &inner, err) < 0)
        return -1;
      if (is_opaque)
        {
          /* what the lower directory held and the upper one doesn't: deleted */
          cleanup_free char *rel = xstrdup (path);
          for (size_t i = 0; i < c->n_lowers; i++)
            {
              cleanup_close int lfd = lcr_resolve_in_root (c->lowers[i], rel, O_RDONLY | O_DIRECTORY);
              cleanup_dir DIR *ld = lfd >= 0 ? fdopendir (steal_fd (&lfd)) : NULL;
              struct dirent *le;
              while (ld && (le = readdir (ld)) != NULL)
                {
                  struct stat ust;
                  if (strcmp (le->d_name, ".") == 0 || strcmp (le->d_name, "..") == 0
                      || fstatat (cfd, le->d_name, &ust, AT_SYMLINK_NOFOLLOW) == 0)
                    continue;
                  cleanup_free char *gone = NULL;
                  xasprintf (&gone, "%s/%s", path, le->d_name);
                  bool dup = false;
                  for (size_t k = at; k < jv_len (c->out) && !dup; k++)
                    dup = strcmp (jv_get_str (c->out->u.array.values[k], "Path"), gone) == 0;
                  if (!dup)
                    add (c, gone, CH_DELETE);
                }
              break; /* the top lower layer that has it is what the container saw (roughly) */
            }
          inner = true;
        }
      if (in_lower && (inner || st.st_mode != lst.st_mode || st.st_uid != lst.st_uid || st.st_gid != lst.st_gid))
        add (c, path, CH_MODIFY);
    }
  return 0;
}

static int
cmp_change (const void *a, const void *b)
{
  return strcmp (jv_get_str (*(jv const *)a, "Path"), jv_get_str (*(jv const *)b, "Path"));
}

static const char *
upper_of (jv rec, lcr_error_t *err)
{
  jv gd = jv_get_obj (rec, "GraphDriver");
  const char *name = jv_get_str (gd, "Name");
  const char *upper = jv_get_str (jv_get_obj (gd, "Data"), "UpperDir");
  if (name && strcmp (name, "vfs") == 0)
    {
      lcr_error_make (err, 0, LCR_ERR_INVALID,
                      "not supported with the vfs storage driver: a container's changes "
                      "are known only on overlay");
      return NULL;
    }
  if (upper == NULL)
    lcr_error_invalid (err, "container %s has no upper directory recorded", jv_get_str (rec, "Id"));
  return upper;
}

jv
dock_changes_list (jv rec, lcr_error_t *err)
{
  const char *upper = upper_of (rec, err);
  if (upper == NULL)
    return NULL;
  cleanup_close int ufd = open (upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (ufd < 0)
    {
      lcr_error_sys (err, "open `%s`", upper);
      return NULL;
    }
  struct changes c = {0};
  cleanup_free char *lower = xstrdup (jv_get_str (jv_path (rec, "GraphDriver", "Data", NULL), "LowerDir") ?: "");
  char *save = NULL;
  for (char *l = strtok_r (lower, ":", &save); l; l = strtok_r (NULL, ":", &save))
    {
      int fd = open (l, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0)
        continue;
      c.lowers = xrealloc (c.lowers, (c.n_lowers + 1) * sizeof (int));
      c.lowers[c.n_lowers++] = fd;
    }
  c.out = jv_arr ();
  bool touched = false;
  int r = walk (&c, ufd, "", false, &touched, err);
  for (size_t i = 0; i < c.n_lowers; i++)
    close (c.lowers[i]);
  free (c.lowers);
  if (r < 0)
    {
      jv_free (c.out);
      return NULL;
    }
  if (jv_len (c.out) > 1)
    qsort (c.out->u.array.values, jv_len (c.out), sizeof (jv), cmp_change);
  return c.out;
}

int
dock_changes_tar (jv rec, int fd, lcr_error_t *err)
{
  const char *upper = upper_of (rec, err);
  if (upper == NULL)
    return -1;
  struct dock_walk_opts o = {.whiteouts = true, .skip_stubs = dock_runtime_stubs};
  cleanup_sink struct dock_sink *sink = dock_tar_sink_new (fd, false);
  if (dock_tree_walk (AT_FDCWD, upper, NULL, &o, sink, err) < 0)
    return -1;
  return sink->finish (sink, err);
}
