/* dock — file trees as streams of entries (see fstree.h). */
#define _GNU_SOURCE
#include "container/fstree.h"

#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "linux.h"
#include "store/store.h"

ssize_t
dock_entry_read (struct dock_entry *e, void *buf, size_t len)
{
  if (e->ar)
    return dock_entry_read_tar (e, buf, len);
  ssize_t r;
  do
    r = read (e->fd, buf, len);
  while (r < 0 && errno == EINTR);
  return r;
}

void
dock_sink_free (struct dock_sink *s)
{
  s->free (s);
}

char *
dock_path_clean (const char *path)
{
  bool abs = path[0] == '/';
  size_t cap = strlen (path) + 2;
  char *out = xmalloc0 (cap);
  size_t len = 0;
  if (abs)
    out[len++] = '/';
  size_t root_len = len;
  const char *p = path;
  while (*p)
    {
      while (*p == '/')
        p++;
      if (*p == '\0')
        break;
      const char *end = strchrnul (p, '/');
      size_t n = (size_t)(end - p);
      if (n == 1 && p[0] == '.')
        ;
      else if (n == 2 && p[0] == '.' && p[1] == '.')
        {
          /* drop the previous component unless there is none (or it is a ".." itself) */
          size_t last = len;
          while (last > root_len && out[last - 1] != '/')
            last--;
          bool prev_dotdot = len - last == 2 && out[last] == '.' && out[last + 1] == '.';
          if (len > root_len && !prev_dotdot)
            len = last > root_len ? last - 1 : root_len;
          else if (!abs)
            {
              if (len > root_len)
                out[len++] = '/';
              out[len++] = '.';
              out[len++] = '.';
            }
        }
      else
        {
          if (len > root_len)
            out[len++] = '/';
          memcpy (out + len, p, n);
          len += n;
        }
      p = end;
    }
  if (len == 0)
    out[len++] = '.';
  out[len] = '\0';
  return out;
}

/* ------------------------------------------------------------------ fs sink */

struct dir_time
{
  char *path;
  struct timespec times[2];
};

struct fs_sink
{
  struct dock_sink base;
  int rootfd;
  char *base_path;
  char *rename_first;
  long uid, gid;
  struct dir_time *dirs;
  size_t n_dirs;
};

static int
fs_open_dir (struct fs_sink *s, const char *path)
{
  if (s->rootfd >= 0)
    return lcr_resolve_in_root (s->rootfd, path, O_PATH | O_DIRECTORY);
  return open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* base + the entry's name, with the first component renamed; split into parent and leaf */
static char *
fs_target (struct fs_sink *s, const char *name)
{
  cleanup_free char *mapped = NULL;
  if (s->rename_first)
    {
      const char *slash = strchr (name, '/');
      xasprintf (&mapped, "%s%s", s->rename_first, slash ? slash : "");
    }
  cleanup_free char *joined = NULL;
  xasprintf (&joined, "%s/%s", s->base_path, mapped ? mapped : name);
  return dock_path_clean (joined);
}

static int
split_parent (char *full, const char **parent, const char **leaf)
{
  char *slash = strrchr (full, '/');
  if (slash == NULL)
    {
      *parent = ".";
      *leaf = full;
    }
  else if (slash == full)
    {
      *parent = "/";
      *leaf = full + 1;
    }
  else
    {
      *slash = '\0';
      *parent = full;
      *leaf = slash + 1;
    }
  return **leaf ? 0 : -1;
}

static int
fs_set_owner_mode (struct fs_sink *s, int pfd, const char *leaf, const struct stat *st, lcr_error_t *err,
                   const char *what)
{
  uid_t uid = s->uid >= 0 ? (uid_t)s->uid : st->st_uid;
  gid_t gid = s->gid >= 0 ? (gid_t)s->gid : st->st_gid;
  if (fchownat (pfd, leaf, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EPERM)
    return lcr_error_sys (err, "chown `%s`", what);
  if (!S_ISLNK (st->st_mode) && fchmodat (pfd, leaf, st->st_mode & 07777, AT_SYMLINK_NOFOLLOW) < 0)
    return lcr_error_sys (err, "chmod `%s`", what);
  return 0;
}

static int
fs_write_file (struct fs_sink *s, int pfd, const char *leaf, struct dock_entry *e, const char *what, lcr_error_t *err)
{
  /* O_EXCL | O_NOFOLLOW: whatever was there has been unlinked; if something raced back in, fail
     rather than write through it */
  cleanup_close int fd = openat (pfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return lcr_error_sys (err, "create `%s`", what);
  char buf[65536];
  for (;;)
    {
      ssize_t r = dock_entry_read (e, buf, sizeof buf);
      if (r < 0)
        return lcr_error_sys (err, "read the data of `%s`", e->name);
      if (r == 0)
        break;
      if (lcr_write_all (fd, buf, (size_t)r) < 0)
        return lcr_error_sys (err, "write `%s`", what);
    }
  uid_t uid = s->uid >= 0 ? (uid_t)s->uid : e->st.st_uid;
  gid_t gid = s->gid >= 0 ? (gid_t)s->gid : e->st.st_gid;
  if (fchown (fd, uid, gid) < 0 && errno != EPERM)
    return lcr_error_sys (err, "chown `%s`", what);
  if (fchmod (fd, e->st.st_mode & 07777) < 0)
    return lcr_error_sys (err, "chmod `%s`", what);
  struct timespec t[2] = {e->st.st_atim, e->st.st_mtim};
  futimens (fd, t);
  return 0;
}

static int
fs_put (struct dock_sink *s_, struct dock_entry *e, lcr_error_t *err)
{
  struct fs_sink *s = (struct fs_sink *)s_;
  cleanup_free char *full = fs_target (s, e->name);
  cleanup_free char *what = xstrdup (full);
  const char *parent, *leaf;
  if (split_parent (full, &parent, &leaf) < 0)
    return 0; /* the root itself: it exists */
  cleanup_close int pfd = fs_open_dir (s, parent);
  if (pfd < 0)
    return lcr_error_sys (err, "open the directory `%s`", parent);
  struct stat cur;
  bool exists = fstatat (pfd, leaf, &cur, AT_SYMLINK_NOFOLLOW) == 0;
  mode_t type = e->st.st_mode & S_IFMT;
  if (type == S_IFDIR)
    {
      if (exists && !S_ISDIR (cur.st_mode))
        return lcr_error_make (err, 0, LCR_ERR_INVALID, "cannot overwrite non-directory \"%s\" with directory \"%s\"",
                               what, e->name);
      if (exists)
        return 0; /* an existing directory keeps its owner and mode */
      if (mkdirat (pfd, leaf, 0700) < 0)
        return lcr_error_sys (err, "mkdir `%s`", what);
      if (fs_set_owner_mode (s, pfd, leaf, &e->st, err, what) < 0)
        return -1;
      /* its times once its content is in */
      s->dirs = xrealloc (s->dirs, (s->n_dirs + 1) * sizeof *s->dirs);
      s->dirs[s->n_dirs].path = xstrdup (what);
      s->dirs[s->n_dirs].times[0] = e->st.st_atim;
      s->dirs[s->n_dirs].times[1] = e->st.st_mtim;
      s->n_dirs++;
      return 0;
    }
  if (type == S_IFSOCK)
    return 0;
  if (exists && S_ISDIR (cur.st_mode))
    return lcr_error_make (err, 0, LCR_ERR_INVALID, "cannot overwrite directory \"%s\" with non-directory \"%s\"", what,
                           e->name);
  if (exists && unlinkat (pfd, leaf, 0) < 0)
    return lcr_error_sys (err, "replace `%s`", what);
  if (e->hardlink)
    {
      cleanup_free char *tfull = fs_target (s, e->hardlink);
      const char *tparent, *tleaf;
      if (split_parent (tfull, &tparent, &tleaf) < 0)
        return lcr_error_invalid (err, "hard link `%s` to the root", e->name);
      cleanup_close int tfd = fs_open_dir (s, tparent);
      /* linkat without AT_SYMLINK_FOLLOW links the name itself, never what a symlink names */
      if (tfd < 0 || linkat (tfd, tleaf, pfd, leaf, 0) < 0)
        return lcr_error_sys (err, "hard link `%s` to `%s`", what, e->hardlink);
      return 0;
    }
  switch (type)
    {
    case S_IFREG:
      return fs_write_file (s, pfd, leaf, e, what, err);
    case S_IFLNK:
      if (symlinkat (e->linkname ? e->linkname : "", pfd, leaf) < 0)
        return lcr_error_sys (err, "symlink `%s`", what);
      break;
    case S_IFCHR:
    case S_IFBLK:
    case S_IFIFO:
      if (mknodat (pfd, leaf, type | 0600, e->st.st_rdev) < 0)
        return lcr_error_sys (err, "mknod `%s`", what);
      break;
    default:
      return 0;
    }
  if (fs_set_owner_mode (s, pfd, leaf, &e->st, err, what) < 0)
    return -1;
  struct timespec t[2] = {e->st.st_atim, e->st.st_mtim};
  utimensat (pfd, leaf, t, AT_SYMLINK_NOFOLLOW);
  return 0;
}

static int
fs_finish (struct dock_sink *s_, lcr_error_t *err)
{
  (void)err;
  struct fs_sink *s = (struct fs_sink *)s_;
  /* deepest first: setting a child's times does not touch its parent's */
  for (size_t i = s->n_dirs; i-- > 0;)
    {
      cleanup_free char *full = xstrdup (s->dirs[i].path);
      const char *parent, *leaf;
      if (split_parent (full, &parent, &leaf) < 0)
        continue;
      cleanup_close int pfd = fs_open_dir (s, parent);
      if (pfd >= 0)
        utimensat (pfd, leaf, s->dirs[i].times, AT_SYMLINK_NOFOLLOW);
    }
  return 0;
}

static void
fs_free (struct dock_sink *s_)
{
  struct fs_sink *s = (struct fs_sink *)s_;
  for (size_t i = 0; i < s->n_dirs; i++)
    free (s->dirs[i].path);
  free (s->dirs);
  free (s->base_path);
  free (s->rename_first);
  free (s);
}

struct dock_sink *
dock_fs_sink_new (int rootfd, const char *base, const char *rename_first, long own_uid, long own_gid)
{
  struct fs_sink *s = xmalloc0 (sizeof *s);
  s->base.put = fs_put;
  s->base.finish = fs_finish;
  s->base.free = fs_free;
  s->rootfd = rootfd;
  s->base_path = xstrdup (base);
  s->rename_first = rename_first ? xstrdup (rename_first) : NULL;
  s->uid = own_uid;
  s->gid = own_uid >= 0 ? own_gid : -1;
  return &s->base;
}

/* ------------------------------------------------------------------ directory walk */

struct hl
{
  dev_t dev;
  ino_t ino;
  char *name;
};

struct walk
{
  const struct dock_walk_opts *o;
  struct dock_sink *sink;
  struct hl *links;
  size_t n_links;
};

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

/* the names in a directory, sorted, NULL-terminated */
static char **
read_names (int dfd)
{
  int fd = openat (dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  if (d == NULL)
    {
      if (fd >= 0)
        close (fd);
      return NULL;
    }
  size_t n = 0, cap = 16;
  char **v = xmalloc0 (cap * sizeof (char *));
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (n + 1 >= cap)
        v = xrealloc (v, (cap *= 2) * sizeof (char *));
      v[n++] = xstrdup (de->d_name);
    }
  v[n] = NULL;
  closedir (d);
  qsort (v, n, sizeof (char *), cmp_str);
  return v;
}

static bool
is_opaque (int dfd)
{
  char v[4];
  ssize_t n = fgetxattr (dfd, "trusted.overlay.opaque", v, sizeof v);
  if (n < 0)
    n = fgetxattr (dfd, "user.overlay.opaque", v, sizeof v);
  return n == 1 && v[0] == 'y';
}

static bool
is_stub (const struct walk *w, const char *rel, const struct stat *st, int dfd)
{
  if (w->o == NULL || w->o->skip_stubs == NULL || rel == NULL)
    return false;
  bool listed = false;
  for (size_t i = 0; w->o->skip_stubs[i] && !listed; i++)
    listed = strcmp (w->o->skip_stubs[i], rel) == 0;
  if (!listed)
    return false;
  if (S_ISREG (st->st_mode))
    return st->st_size == 0;
  if (S_ISDIR (st->st_mode) && dfd >= 0)
    {
      cleanup_strv char **names = read_names (dfd);
      return names && names[0] == NULL;
    }
  return false;
}

static char *
join_name (const char *dir, const char *leaf)
{
  char *out;
  if (dir == NULL)
    return xstrdup (leaf);
  xasprintf (&out, "%s/%s", dir, leaf);
  return out;
}

/* `name` NULL: the walk's root, not an entry itself; `rel` is the path below the root for
   the stub list */
static int
walk_one (struct walk *w, int parentfd, const char *leaf, const char *name, const char *rel, lcr_error_t *err)
{
  cleanup_close int pfd = openat (parentfd, leaf, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  if (pfd < 0 || fstat (pfd, &st) < 0)
    return lcr_error_sys (err, "open `%s`", name ? name : leaf);
  struct dock_entry e = {.name = name, .st = st, .fd = -1};
  if (S_ISLNK (st.st_mode))
    {
      char target[PATH_MAX];
      ssize_t n = readlinkat (pfd, "", target, sizeof target - 1);
      if (n < 0)
        return lcr_error_sys (err, "readlink `%s`", name);
      target[n] = '\0';
      e.linkname = target;
      return w->sink->put (w->sink, &e, err);
    }
  if (S_ISCHR (st.st_mode) && st.st_rdev == makedev (0, 0) && w->o && w->o->whiteouts && name)
    {
      /* an overlay whiteout: the layer's ".wh.NAME" */
      cleanup_free char *wh = NULL;
      const char *slash = strrchr (name, '/');
      if (slash)
        xasprintf (&wh, "%.*s/.wh.%s", (int)(slash - name), name, slash + 1);
      else
        xasprintf (&wh, ".wh.%s", name);
      struct dock_entry we = {.name = wh, .st = st, .fd = -1};
      we.st.st_mode = S_IFREG | 0600;
      we.st.st_size = 0;
      we.st.st_rdev = 0;
      we.fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
      int r = w->sink->put (w->sink, &we, err);
      close (we.fd);
      return r;
    }
  if (S_ISREG (st.st_mode))
    {
      if (is_stub (w, rel, &st, -1))
        return 0;
      if (st.st_nlink > 1 && name)
        {
          for (size_t i = 0; i < w->n_links; i++)
            if (w->links[i].dev == st.st_dev && w->links[i].ino == st.st_ino)
              {
                e.hardlink = w->links[i].name;
                return w->sink->put (w->sink, &e, err);
              }
          w->links = xrealloc (w->links, (w->n_links + 1) * sizeof *w->links);
          w->links[w->n_links++] = (struct hl){st.st_dev, st.st_ino, xstrdup (name)};
        }
      /* reopen the very inode we looked at (not whatever the name means now) */
      char fdp[LCR_FD_PATH_MAX];
      lcr_fd_path (pfd, fdp);
      cleanup_close int fd = open (fdp, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
      if (fd < 0)
        return lcr_error_sys (err, "open `%s`", name ? name : leaf);
      e.fd = fd;
      return w->sink->put (w->sink, &e, err);
    }
  if (!S_ISDIR (st.st_mode))
    return name ? w->sink->put (w->sink, &e, err) : 0;

  cleanup_close int dfd = openat (parentfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0)
    return lcr_error_sys (err, "open the directory `%s`", name ? name : leaf);
  if (is_stub (w, rel, &st, dfd))
    return 0;
  if (name)
    {
      if (w->sink->put (w->sink, &e, err) < 0)
        return -1;
      if (w->o && w->o->whiteouts && is_opaque (dfd))
        {
          cleanup_free char *opq = join_name (name, ".wh..wh..opq");
          struct dock_entry oe = {.name = opq, .st = st, .fd = open ("/dev/null", O_RDONLY | O_CLOEXEC)};
          oe.st.st_mode = S_IFREG | 0600;
          oe.st.st_size = 0;
          int r = w->sink->put (w->sink, &oe, err);
          close (oe.fd);
          if (r < 0)
            return -1;
        }
    }
  cleanup_strv char **names = read_names (dfd);
  if (names == NULL)
    return lcr_error_sys (err, "read the directory `%s`", name ? name : leaf);
  for (size_t i = 0; names[i]; i++)
    {
      cleanup_free char *child = join_name (name, names[i]);
      cleanup_free char *crel = join_name (rel, names[i]);
      if (walk_one (w, dfd, names[i], child, crel, err) < 0)
        return -1;
    }
  return 0;
}

int
dock_tree_walk (int parentfd, const char *leaf, const char *name, const struct dock_walk_opts *o,
                struct dock_sink *sink, lcr_error_t *err)
{
  struct walk w = {.o = o, .sink = sink};
  int r = walk_one (&w, parentfd, leaf, name, NULL, err);
  for (size_t i = 0; i < w.n_links; i++)
    free (w.links[i].name);
  free (w.links);
  return r;
}

/* ------------------------------------------------------------------ tar source */
