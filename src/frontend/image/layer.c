/* dock — reading and unpacking one layer blob (see layer.h).
 *
 * Two libarchive readers are stacked so the blob is read once: the outer one ("raw" format,
 * every filter) reads the file through read_blob, which hashes the stored bytes and copies
 * them; the inner one (tar only, no filter) reads the outer one's decompressed bytes through
 * read_tar, which hashes them (the diff ID).  Whatever the tar reader leaves after its end
 * marker is drained through the same callback, so the diff ID covers the whole stream.
 */
#define _GNU_SOURCE
#include "image/layer.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/digest.h"
#include "linux.h"
#include "utils.h"

#define BUF_SIZE (128 * 1024)

struct reader
{
  int fd, copy_fd;
  struct dock_sha256 blob, tar;
  struct archive *outer;
  char buf[BUF_SIZE];
  char tbuf[BUF_SIZE];
  int copy_errno;
};

static ssize_t
read_blob (struct archive *a, void *data, const void **out)
{
  struct reader *r = data;
  ssize_t n;
  do
    n = read (r->fd, r->buf, sizeof r->buf);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      archive_set_error (a, errno, "read the layer");
      return -1;
    }
  dock_sha256_update (&r->blob, r->buf, (size_t)n);
  if (r->copy_fd >= 0 && n > 0 && lcr_write_all (r->copy_fd, r->buf, (size_t)n) < 0)
    {
      r->copy_errno = errno;
      archive_set_error (a, errno, "copy the layer");
      return -1;
    }
  *out = r->buf;
  return n;
}

static ssize_t
read_tar (struct archive *a, void *data, const void **out)
{
  struct reader *r = data;
  la_ssize_t n = archive_read_data (r->outer, r->tbuf, sizeof r->tbuf);
  if (n < 0)
    {
      archive_set_error (a, archive_errno (r->outer) ? archive_errno (r->outer) : EIO, "%s",
                         archive_error_string (r->outer) ? archive_error_string (r->outer) : "decompress");
      return -1;
    }
  dock_sha256_update (&r->tar, r->tbuf, (size_t)n);
  *out = r->tbuf;
  return n;
}

static void
archive_free_fn (struct archive **a)
{
  if (*a)
    archive_read_free (*a);
}
#define cleanup_archive __attribute__ ((cleanup (archive_free_fn)))

/* ---- the unpacker ------------------------------------------------------------------------- */

struct dir_time
{
  char *path;
  struct timespec ts[2];
};

struct unpack
{
  int rootfd;
  uint64_t size;
  struct dir_time *dirs;
  size_t n_dirs;
};

/* "a/./b//c/" → "a/b/c"; a ".." anywhere is refused (docker refuses entries that would leave the
   layer; we refuse them even where they would come back); a leading '/' is dropped. */
static int
clean_path (const char *name, char **out, lcr_error_t *err)
{
  size_t n = strlen (name);
  char *res = xmalloc0 (n + 1);
  size_t len = 0;
  const char *p = name;
  while (*p)
    {
      while (*p == '/')
        p++;
      if (*p == '\0')
        break;
      const char *e = strchr (p, '/');
      size_t cl = e ? (size_t)(e - p) : strlen (p);
      if (cl == 1 && p[0] == '.')
        ;
      else if (cl == 2 && p[0] == '.' && p[1] == '.')
        {
          free (res);
          cleanup_free char *shown = lcr_escape_controls (name);
          return lcr_error_invalid (err, "layer entry `%s` leaves the layer", shown);
        }
      else
        {
          if (len)
            res[len++] = '/';
          memcpy (res + len, p, cl);
          len += cl;
        }
      p += cl;
    }
  res[len] = '\0';
  *out = res;
  return 0;
}

/* an O_PATH fd of the directory `rel` inside the layer, made (0755) where missing */
static int
open_dir (int rootfd, const char *rel, bool create, lcr_error_t *err)
{
  if (*rel == '\0')
    {
      int fd = openat (rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
      return fd < 0 ? lcr_error_sys (err, "open the layer's root") : fd;
    }
  int fd = lcr_resolve_in_root (rootfd, rel, O_PATH | O_DIRECTORY);
  if (fd >= 0)
    return fd;
  if (errno != ENOENT || !create)
    {
      cleanup_free char *shown = lcr_escape_controls (rel);
      return lcr_error_sys (err, "layer directory `%s`", shown);
    }
  cleanup_free char *prefix = xstrdup (rel);
  int parent = openat (rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (parent < 0)
    return lcr_error_sys (err, "open the layer's root");
  size_t off = 0;
  for (;;)
    {
      char *slash = strchr (prefix + off, '/');
      if (slash)
        *slash = '\0';
      const char *comp = prefix + off;
      fd = lcr_resolve_in_root (rootfd, prefix, O_PATH | O_DIRECTORY);
      if (fd < 0 && errno == ENOENT)
        {
          if (mkdirat (parent, comp, 0755) < 0 && errno != EEXIST)
            {
              close (parent);
              cleanup_free char *shown = lcr_escape_controls (prefix);
              return lcr_error_sys (err, "make layer directory `%s`", shown);
            }
          fd = lcr_resolve_in_root (rootfd, prefix, O_PATH | O_DIRECTORY);
        }
      if (fd < 0)
        {
          int saved = errno;
          close (parent);
          cleanup_free char *shown = lcr_escape_controls (prefix);
          errno = saved;
          return lcr_error_sys (err, "layer directory `%s`", shown);
        }
      close (parent);
      if (slash == NULL)
        return fd;
      parent = fd;
      *slash = '/';
      off = (size_t)(slash - prefix) + 1;
    }
}

static void
split (char *path, const char **dir, const char **base)
{
  char *slash = strrchr (path, '/');
  if (slash)
    {
      *slash = '\0';
      *dir = path;
      *base = slash + 1;
    }
  else
    {
      *dir = "";
      *base = path;
    }
}

static int
remove_existing (int pfd, const char *name, bool keep_dir, bool *kept, lcr_error_t *err)
{
  struct stat st;
  *kept = false;
  if (fstatat (pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : lcr_error_sys (err, "stat layer entry `%s`", name);
  if (keep_dir && S_ISDIR (st.st_mode))
    {
      *kept = true;
      return 0;
    }
  return lcr_rm_rf_at (pfd, name, err);
}

static bool
ignorable (int e)
{
  return e == ENOTSUP || e == EPERM || e == EOPNOTSUPP;
}

/* owner, mode and xattrs of the entry `name` in `pfd` (times come later) */
static int
set_meta (int pfd, const char *name, int fd, struct archive_entry *e, bool is_link, lcr_error_t *err)
{
  uid_t uid = (uid_t)archive_entry_uid (e);
  gid_t gid = (gid_t)archive_entry_gid (e);
  int r = fd >= 0 ? fchown (fd, uid, gid) : fchownat (pfd, name, uid, gid, AT_SYMLINK_NOFOLLOW);
  if (r < 0 && !(errno == EPERM && geteuid () != 0))
    return lcr_error_sys (err, "chown layer entry `%s`", name);
  if (!is_link)
    {
      mode_t mode = archive_entry_perm (e) & 07777;
      r = fd >= 0 ? fchmod (fd, mode) : fchmodat (pfd, name, mode, 0);
      if (r < 0)
        return lcr_error_sys (err, "chmod layer entry `%s`", name);
    }
  const char *xname;
  const void *xval;
  size_t xlen;
  archive_entry_xattr_reset (e);
  while (archive_entry_xattr_next (e, &xname, &xval, &xlen) == ARCHIVE_OK)
    {
      if (strncmp (xname, "trusted.overlay.", 16) == 0)
        continue;
      char p[PATH_MAX];
      if (fd >= 0)
        r = fsetxattr (fd, xname, xval, xlen, 0);
      else if (snprintf (p, sizeof p, "/proc/self/fd/%d/%s", pfd, name) < (int)sizeof p)
        r = lsetxattr (p, xname, xval, xlen, 0);
      else
        r = -1, errno = ENAMETOOLONG;
      if (r < 0 && !ignorable (errno))
        return lcr_error_sys (err, "set xattr on layer entry `%s`", name);
    }
  return 0;
}

static void
entry_times (struct archive_entry *e, struct timespec ts[2])
{
  ts[1].tv_sec = archive_entry_mtime (e);
  ts[1].tv_nsec = archive_entry_mtime_is_set (e) ? archive_entry_mtime_nsec (e) : 0;
  if (archive_entry_atime_is_set (e))
    {
      ts[0].tv_sec = archive_entry_atime (e);
      ts[0].tv_nsec = archive_entry_atime_nsec (e);
    }
  else
    ts[0] = ts[1];
  for (int i = 0; i < 2; i++)
    if (ts[i].tv_nsec < 0 || ts[i].tv_nsec >= 1000000000)
      ts[i].tv_nsec = 0;
}

static int
write_data (struct archive *a, int fd, const char *name, int64_t size, lcr_error_t *err)
{
  const void *buf;
  size_t len;
  la_int64_t off;
  int r;
  while ((r = archive_read_data_block (a, &buf, &len, &off)) == ARCHIVE_OK)
    {
      size_t done = 0;
      while (done < len)
        {
          ssize_t w = pwrite (fd, (const char *)buf + done, len - done, off + (off_t)done);
          if (w < 0 && errno == EINTR)
            continue;
          if (w <= 0)
            return lcr_error_sys (err, "write layer file `%s`", name);
          done += (size_t)w;
        }
    }
  if (r != ARCHIVE_EOF)
    return lcr_error_make (err, archive_errno (a) > 0 ? archive_errno (a) : 0, LCR_ERR_INVALID, "layer file `%s`: %s",
                           name, archive_error_string (a) ? archive_error_string (a) : "read error");
  /* sparse files end in a hole */
  if (size > 0 && ftruncate (fd, size) < 0)
    return lcr_error_sys (err, "size layer file `%s`", name);
  return 0;
}

static int
hardlink (struct unpack *u, int pfd, const char *name, const char *target, lcr_error_t *err)
{
  cleanup_free char *clean = NULL;
  if (clean_path (target, &clean, err) < 0)
    return -1;
  if (*clean == '\0')
    return lcr_error_invalid (err, "layer hardlink `%s` points at the layer's root", name);
  const char *tdir, *tbase;
  split (clean, &tdir, &tbase);
  cleanup_close int tpfd = open_dir (u->rootfd, tdir, false, err);
  if (tpfd < 0)
    return lcr_error_wrap (err, "layer hardlink `%s`", name);
  cleanup_close int tfd = openat (tpfd, tbase, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (tfd < 0)
    return lcr_error_sys (err, "layer hardlink `%s`: target", name);
  struct stat st;
  if (fstat (tfd, &st) < 0 || S_ISDIR (st.st_mode))
    return lcr_error_invalid (err, "layer hardlink `%s` points at a directory", name);
  if (linkat (tfd, "", pfd, name, AT_EMPTY_PATH) == 0)
    return 0;
  /* AT_EMPTY_PATH wants CAP_DAC_READ_SEARCH; the fd's magic link does not */
  char p[64];
  snprintf (p, sizeof p, "/proc/self/fd/%d", tfd);
  if (linkat (AT_FDCWD, p, pfd, name, AT_SYMLINK_FOLLOW) < 0)
    return lcr_error_sys (err, "layer hardlink `%s`", name);
  return 0;
}

static int
unpack_entry (struct unpack *u, struct archive *a, struct archive_entry *e, lcr_error_t *err)
{
  const char *raw = archive_entry_pathname (e);
  if (raw == NULL)
    return lcr_error_invalid (err, "layer entry without a name");
  cleanup_free char *path = NULL;
  if (clean_path (raw, &path, err) < 0)
    return -1;
  if (*path == '\0')
    return 0; /* the layer's root itself */
  cleanup_free char *shown = lcr_escape_controls (path);
  const char *dir, *base;
  split (path, &dir, &base);

  if (strncmp (base, ".wh.", 4) == 0)
    {
      cleanup_close int pfd = open_dir (u->rootfd, dir, true, err);
      if (pfd < 0)
        return -1;
      if (strcmp (base, ".wh..wh..opq") == 0)
        {
          cleanup_close int dfd = openat (pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
          if (dfd < 0 || fsetxattr (dfd, "trusted.overlay.opaque", "y", 1, 0) < 0)
            return lcr_error_sys (err, "mark `%s` opaque", *dir ? dir : "/");
          return 0;
        }
      if (strncmp (base, ".wh..wh.", 8) == 0)
        return 0; /* aufs's own bookkeeping (.wh..wh.plnk, …): nothing for overlayfs */
      const char *name = base + 4;
      if (*name == '\0' || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
        return lcr_error_invalid (err, "layer whiteout `%s` names no file", shown);
      bool kept;
      if (remove_existing (pfd, name, false, &kept, err) < 0)
        return -1;
      if (mknodat (pfd, name, S_IFCHR | 0600, makedev (0, 0)) < 0)
        return lcr_error_sys (err, "whiteout `%s`", shown);
      return 0;
    }

  cleanup_close int pfd = open_dir (u->rootfd, dir, true, err);
  if (pfd < 0)
    return -1;
  const char *link = archive_entry_hardlink (e);
  mode_t type = archive_entry_filetype (e);
  bool kept = false;
  if (remove_existing (pfd, base, link == NULL && type == AE_IFDIR, &kept, err) < 0)
    return -1;
  struct timespec ts[2];
  entry_times (e, ts);

  if (link)
    return hardlink (u, pfd, base, link, err);

  switch (type)
    {
    case AE_IFREG:
      {
        cleanup_close int fd = openat (pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
          return lcr_error_sys (err, "create layer file `%s`", shown);
        int64_t size = archive_entry_size (e);
        if (write_data (a, fd, shown, size, err) < 0 || set_meta (pfd, base, fd, e, false, err) < 0)
          return -1;
        if (futimens (fd, ts) < 0)
          return lcr_error_sys (err, "times of layer file `%s`", shown);
        u->size += size > 0 ? (uint64_t)size : 0;
        return 0;
      }
    case AE_IFDIR:
      {
        if (!kept && mkdirat (pfd, base, 0700) < 0)
          return lcr_error_sys (err, "make layer directory `%s`", shown);
        cleanup_close int fd = openat (pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
          return lcr_error_sys (err, "open layer directory `%s`", shown);
        if (set_meta (pfd, base, fd, e, false, err) < 0)
          return -1;
        /* its time is set at the end: the entries written into it would change it */
        u->dirs = xrealloc (u->dirs, (u->n_dirs + 1) * sizeof *u->dirs);
        u->dirs[u->n_dirs].path = xstrdup (archive_entry_pathname (e));
        memcpy (u->dirs[u->n_dirs].ts, ts, sizeof ts);
        u->n_dirs++;
        return 0;
      }
    case AE_IFLNK:
      {
        const char *target = archive_entry_symlink (e);
        if (target == NULL || *target == '\0')
          return lcr_error_invalid (err, "layer symlink `%s` has no target", shown);
        if (symlinkat (target, pfd, base) < 0)
          return lcr_error_sys (err, "layer symlink `%s`", shown);
        if (set_meta (pfd, base, -1, e, true, err) < 0)
          return -1;
        break;
      }
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO:
      {
        dev_t dev = type == AE_IFIFO ? 0 : makedev (archive_entry_rdevmajor (e), archive_entry_rdevminor (e));
        if (mknodat (pfd, base, type | 0600, dev) < 0)
          return lcr_error_sys (err, "layer device `%s`", shown);
        if (set_meta (pfd, base, -1, e, false, err) < 0)
          return -1;
        break;
      }
    default:
      return 0; /* sockets and unknown types: nothing to make, as docker */
    }
  if (utimensat (pfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0 && !ignorable (errno))
    return lcr_error_sys (err, "times of layer entry `%s`", shown);
  return 0;
}

static void
finish_dirs (struct unpack *u)
{
  /* innermost first does not matter: setting a directory's times does not touch its parent */
  for (size_t i = 0; i < u->n_dirs; i++)
    {
      cleanup_free char *clean = NULL;
      lcr_error_t ignored = NULL;
      if (clean_path (u->dirs[i].path, &clean, &ignored) == 0 && *clean)
        {
          const char *dir, *base;
          split (clean, &dir, &base);
          int pfd = open_dir (u->rootfd, dir, false, &ignored);
          if (pfd >= 0)
            {
              utimensat (pfd, base, u->dirs[i].ts, AT_SYMLINK_NOFOLLOW);
              close (pfd);
            }
        }
      lcr_error_release (&ignored);
      free (u->dirs[i].path);
    }
  free (u->dirs);
  u->dirs = NULL;
  u->n_dirs = 0;
}

static const char *
media_type_of (struct archive *outer)
{
  int f = archive_filter_code (outer, 0);
  switch (f)
    {
    case ARCHIVE_FILTER_GZIP:
      return "application/vnd.oci.image.layer.v1.tar+gzip";
    case ARCHIVE_FILTER_ZSTD:
      return "application/vnd.oci.image.layer.v1.tar+zstd";
    case ARCHIVE_FILTER_NONE:
      return "application/vnd.oci.image.layer.v1.tar";
    default:
      return NULL; /* xz, bzip2: readable, but no OCI media type says so */
    }
}

static int
archive_err (struct archive *a, lcr_error_t *err)
{
  const char *s = archive_error_string (a);
  cleanup_free char *shown = lcr_escape_controls (s ? s : "read error");
  return lcr_error_invalid (err, "%s", shown);
}

int
dock_layer_read (int fd, int rootfd, int copy_fd, struct dock_layer_result *res, lcr_error_t *err)
{
  cleanup_free struct reader *r = xmalloc0 (sizeof *r);
  r->fd = fd;
  r->copy_fd = copy_fd;
  dock_sha256_init (&r->blob);
  dock_sha256_init (&r->tar);
  cleanup_archive struct archive *outer = archive_read_new ();
  cleanup_archive struct archive *inner = NULL;
  struct unpack u = {.rootfd = rootfd};
  int ret = -1;
  r->outer = outer;
  archive_read_support_filter_all (outer);
  archive_read_support_format_raw (outer);
  struct archive_entry *e;
  if (archive_read_open (outer, r, NULL, read_blob, NULL) != ARCHIVE_OK)
    {
      archive_err (outer, err);
      goto out;
    }
  int hr = archive_read_next_header (outer, &e);
  if (hr == ARCHIVE_OK)
    {
      const char *mt = media_type_of (outer);
      snprintf (res->media_type, sizeof res->media_type, "%s", mt ? mt : "");
      if (rootfd >= 0)
        {
          inner = archive_read_new ();
          archive_read_support_format_tar (inner);
          archive_read_support_format_gnutar (inner);
          if (archive_read_open (inner, r, NULL, read_tar, NULL) != ARCHIVE_OK)
            {
              archive_err (inner, err);
              goto out;
            }
          int nr;
          while ((nr = archive_read_next_header (inner, &e)) == ARCHIVE_OK || nr == ARCHIVE_WARN)
            if (unpack_entry (&u, inner, e, err) < 0)
              goto out;
          if (nr != ARCHIVE_EOF)
            {
              archive_err (inner, err);
              goto out;
            }
        }
      /* the rest of the stream (a tar's padding; everything when not unpacking) */
      const void *dummy;
      ssize_t n;
      while ((n = read_tar (outer, r, &dummy)) > 0)
        ;
      if (n < 0)
        {
          archive_err (outer, err);
          goto out;
        }
    }
  else if (hr != ARCHIVE_EOF)
    {
      archive_err (outer, err);
      goto out;
    }
  else
    snprintf (res->media_type, sizeof res->media_type, "application/vnd.oci.image.layer.v1.tar");
  if (r->copy_errno)
    {
      errno = r->copy_errno;
      lcr_error_sys (err, "copy the layer");
      goto out;
    }
  /* the outer reader may stop reading the file at the end of the compressed stream: the blob's
     digest must cover every byte of it */
  for (;;)
    {
      const void *dummy;
      ssize_t n = read_blob (outer, r, &dummy);
      if (n < 0)
        {
          lcr_error_sys (err, "read the layer");
          goto out;
        }
      if (n == 0)
        break;
    }
  res->blob_size = r->blob.len;
  res->tar_size = r->tar.len;
  res->unpacked_size = u.size;
  dock_sha256_final (&r->blob, res->blob_digest);
  dock_sha256_final (&r->tar, res->diff_id);
  ret = 0;
out:
  if (ret < 0 && r->blob.len == 0)
    {
      /* libarchive says "Unrecognized archive format" for no bytes at all */
      lcr_error_release (err);
      lcr_error_invalid (err, "the input is empty");
    }
  finish_dirs (&u);
  dock_sha256_abort (&r->blob);
  dock_sha256_abort (&r->tar);
  return ret;
}

int
dock_layer_decompress (int fd, int (*sink) (void *data, const void *buf, size_t len), void *data, lcr_error_t *err)
{
  cleanup_archive struct archive *a = archive_read_new ();
  archive_read_support_filter_all (a);
  archive_read_support_format_raw (a);
  if (archive_read_open_fd (a, fd, BUF_SIZE) != ARCHIVE_OK)
    return archive_err (a, err);
  struct archive_entry *e;
  int hr = archive_read_next_header (a, &e);
  if (hr == ARCHIVE_EOF)
    return 0;
  if (hr != ARCHIVE_OK)
    return archive_err (a, err);
  cleanup_free char *buf = xmalloc0 (BUF_SIZE);
  la_ssize_t n;
  while ((n = archive_read_data (a, buf, BUF_SIZE)) > 0)
    if (sink (data, buf, (size_t)n) < 0)
      return lcr_error_sys (err, "write the layer");
  if (n < 0)
    return archive_err (a, err);
  return 0;
}
