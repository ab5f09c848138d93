/* dock build — COPY and ADD: the sources (the context, an earlier stage, an image), the
 * destination rules, a content hash for the cache, and the layer tar.
 *
 * The sources are walked twice: once into a hashing sink (the cache key), once, when the cache
 * misses, into the layer's tar sink.  Both go through a rewriting sink that names each entry at
 * its destination, applies --chown/--chmod (root:root otherwise, as docker does) and drops what
 * .dockerignore excludes.  A stage's or image's files are read in a child process that mounts
 * the image's layers read-only in a mount namespace of its own, so nothing of it is seen by the
 * host or outlives the step; a source that resolves outside that root (an absolute symlink in
 * the image) is refused rather than read from the host.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "build/build-internal.h"
#include "container/fstree.h"
#include "image/digest.h"
#include "store/store.h"

/* ---- the current image's files ------------------------------------------------------------------ */

int
build_image_stat (struct builder *b, const char *path, struct stat *st)
{
  if (*b->cur == '\0')
    return -1;
  cleanup_image struct dock_image *img = NULL;
  cleanup_error lcr_error_t e = NULL;
  if (dock_image_resolve (b->ctx, b->cur, &img, &e) < 0)
    return -1;
  while (*path == '/')
    path++;
  if (*path == '\0')
    return stat (img->n_layers ? img->layer_dirs[0] : "/", st);
  for (size_t i = img->n_layers; i-- > 0;)
    {
      cleanup_free char *p = NULL;
      xasprintf (&p, "%s/%s", img->layer_dirs[i], path);
      if (lstat (p, st) == 0)
        {
          if (S_ISCHR (st->st_mode) && st->st_rdev == 0)
            return -1; /* a whiteout: deleted */
          return 0;
        }
    }
  return -1;
}

char *
build_image_read (struct builder *b, const char *path)
{
  if (*b->cur == '\0')
    return NULL;
  cleanup_image struct dock_image *img = NULL;
  cleanup_error lcr_error_t e = NULL;
  if (dock_image_resolve (b->ctx, b->cur, &img, &e) < 0)
    return NULL;
  for (size_t i = img->n_layers; i-- > 0;)
    {
      cleanup_free char *p = NULL;
      xasprintf (&p, "%s/%s", img->layer_dirs[i], path);
      struct stat st;
      if (lstat (p, &st) < 0)
        continue;
      char *buf = NULL;
      size_t len;
      if (!S_ISREG (st.st_mode) || lcr_read_file (p, &buf, &len, &e) < 0)
        return NULL;
      return buf;
    }
  return NULL;
}

/* a user or group name in the image's /etc/passwd or /etc/group (field 3 is the id) */
static long
image_id_of (struct builder *b, const char *file, const char *name)
{
  char *end;
  long v = strtol (name, &end, 10);
  if (*name && *end == '\0')
    return v;
  cleanup_free char *text = build_image_read (b, file);
  if (text == NULL)
    return -1;
  size_t nl = strlen (name);
  for (char *line = text; line && *line;)
    {
      char *next = strchr (line, '\n');
      if (next)
        *next++ = '\0';
      if (strncmp (line, name, nl) == 0 && line[nl] == ':')
        {
          char *f = strchr (line + nl + 1, ':');
          if (f)
            return strtol (f + 1, NULL, 10);
        }
      line = next;
    }
  return -1;
}

/* ---- the rewriting sink ------------------------------------------------------------------------- */

struct rw_sink
{
  struct dock_sink base;
  struct dock_sink *inner;
  const char *prefix;  /* the destination directory's relative path, or NULL: names as they are */
  const char *ctx_rel; /* the walked directory relative to the context, for .dockerignore */
  const struct dock_ignore *ignore;
  long uid, gid;
  int chmod; /* -1: keep */
};

static bool
ignored (const struct dock_ignore *ig, const char *rel)
{
  return ig && *rel && dock_ignore_match (ig, rel);
}

static int
rw_put (struct dock_sink *s, struct dock_entry *e, lcr_error_t *err)
{
  struct rw_sink *r = (struct rw_sink *)s;
  if (r->ignore && r->ctx_rel)
    {
      cleanup_free char *rel = NULL;
      if (*r->ctx_rel && strcmp (r->ctx_rel, "."))
        xasprintf (&rel, "%s/%s", r->ctx_rel, e->name);
      else
        rel = xstrdup (e->name);
      if (ignored (r->ignore, rel))
        return 0;
    }
  cleanup_free char *name = NULL;
  cleanup_free char *hl = NULL;
  struct dock_entry ne = *e;
  if (r->prefix && *r->prefix)
    {
      xasprintf (&name, "%s/%s", r->prefix, e->name);
      ne.name = name;
      if (e->hardlink)
        {
          xasprintf (&hl, "%s/%s", r->prefix, e->hardlink);
          ne.hardlink = hl;
        }
    }
  ne.st.st_uid = (uid_t)r->uid;
  ne.st.st_gid = (gid_t)r->gid;
  if (r->chmod >= 0 && !S_ISLNK (ne.st.st_mode))
    ne.st.st_mode = (ne.st.st_mode & S_IFMT) | (mode_t)r->chmod;
  return r->inner->put (r->inner, &ne, err);
}

/* the hashing sink: names, metadata (not times) and data */
struct hash_sink
{
  struct dock_sink base;
  struct dock_sha256 h;
};

static int
hash_put (struct dock_sink *s, struct dock_entry *e, lcr_error_t *err)
{
  struct hash_sink *h = (struct hash_sink *)s;
  char meta[128];
  int n = snprintf (meta, sizeof meta, "\n%o %u %u %lld\n", (unsigned)e->st.st_mode, (unsigned)e->st.st_uid,
                    (unsigned)e->st.st_gid, (long long)e->st.st_size);
  dock_sha256_update (&h->h, e->name, strlen (e->name));
  dock_sha256_update (&h->h, meta, (size_t)n);
  if (e->linkname)
    dock_sha256_update (&h->h, e->linkname, strlen (e->linkname));
  if (e->hardlink)
    dock_sha256_update (&h->h, e->hardlink, strlen (e->hardlink));
  if (S_ISREG (e->st.st_mode) && e->hardlink == NULL)
    {
      char buf[65536];
      for (;;)
        {
          ssize_t r = dock_entry_read (e, buf, sizeof buf);
          if (r < 0)
            return lcr_error_sys (err, "read `%s`", e->name);
          if (r == 0)
            break;
          dock_sha256_update (&h->h, buf, (size_t)r);
        }
    }
  return 0;
}

static void
hash_free (struct dock_sink *s)
{
  struct hash_sink *h = (struct hash_sink *)s;
  if (h->h.md)
    dock_sha256_abort (&h->h);
  free (s);
}

/* ---- one COPY/ADD --------------------------------------------------------------------------------- */

struct copy_job
{
  struct builder *b;
  const struct dock_df_inst *in;
  bool add;
  char **srcs;
  size_t nsrcs;
  char *dest; /* absolute, cleaned, without the trailing "/" ("/" stays) */
  bool dest_dir;
  const char *root; /* where the sources are: the context, or "/" inside the chroot */
  bool context;     /* root is the build context (.dockerignore applies, nothing may leave it) */
  long uid, gid;
  int chmod;
  /* heredoc sources (`COPY <<EOF /dst`, files named by their delimiter) and downloads (ADD URL,
     named by the URL's basename): files in hd_dir, not extracted */
  char *hd_dir;
  char **hd_names;
  size_t nhd;
  /* what the walk found, for the history's "file:", "dir:" or "multi:" */
  size_t nwalked;
  bool single_dir;
  /* parent directories in the destination: relative path → stat, from the current image */
  char **parents;
  struct stat *parent_st;
  bool *parent_found;
  size_t nparents;
};

static bool
is_archive (const char *path)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  unsigned char h[512];
  if (fd < 0)
    return false;
  ssize_t n = read (fd, h, sizeof h);
  if (n >= 2 && h[0] == 0x1f && h[1] == 0x8b)
    return true;
  if (n >= 3 && memcmp (h, "BZh", 3) == 0)
    return true;
  if (n >= 6
      && memcmp (h,
                 "\xfd"
                 "7zXZ",
                 6)
             == 0)
    return true;
  if (n >= 4 && memcmp (h, "\x28\xb5\x2f\xfd", 4) == 0)
    return true;
  return n >= 262 && memcmp (h + 257, "ustar", 5) == 0;
}

static bool
has_wildcard (const char *s)
{
  return strpbrk (s, "*?[") != NULL;
}

/* the sources, expanded (wildcards) and checked: paths relative to root, or real paths */
static int
expand_sources (struct copy_job *j, char ***out, size_t *nout, lcr_error_t *err)
{
  size_t cap = 8, n = 0;
  char **v = xmalloc0 (cap * sizeof (char *));
  int ret = -1;
  for (size_t i = 0; i < j->nsrcs; i++)
    {
      const char *src = j->srcs[i];
      cleanup_free char *clean = dock_path_clean (src);
      const char *rel = clean;
      while (*rel == '/')
        rel++;
      if (*rel == '\0')
        rel = ".";
      if (j->context && (strcmp (rel, "..") == 0 || strncmp (rel, "../", 3) == 0))
        {
          lcr_error_invalid (err, "Dockerfile:%d: forbidden path outside the build context: %s ()", j->in->line, src);
          goto out;
        }
      glob_t g = {0};
      cleanup_free char *pat = NULL;
      xasprintf (&pat, "%s/%s", strcmp (j->root, "/") ? j->root : "", rel);
      size_t matched = 0;
      if (has_wildcard (rel))
        {
          if (glob (pat, GLOB_NOSORT, NULL, &g) == 0)
            {
              qsort (g.gl_pathv, g.gl_pathc, sizeof (char *), (int (*) (const void *, const void *))strcmp);
              for (size_t k = 0; k < g.gl_pathc; k++)
                {
                  const char *r = g.gl_pathv[k] + strlen (j->root) + (strcmp (j->root, "/") ? 1 : 0);
                  if (j->context && ignored (j->b->ignore, r))
                    continue;
                  if (n + 2 > cap)
                    v = realloc (v, (cap *= 2) * sizeof (char *));
                  v[n++] = xstrdup (g.gl_pathv[k]);
                  matched++;
                }
            }
          globfree (&g);
        }
      else
        {
          struct stat st;
          if (lstat (pat, &st) == 0 && !(j->context && ignored (j->b->ignore, rel) && strcmp (rel, ".")))
            {
              if (n + 2 > cap)
                v = realloc (v, (cap *= 2) * sizeof (char *));
              v[n++] = xstrdup (pat);
              matched++;
            }
        }
      if (matched == 0)
        {
          if (j->context)
            lcr_error_make (err, 0, LCR_ERR_NOT_FOUND,
                            "COPY failed: file not found in build context or excluded by .dockerignore: stat %s: "
                            "file does not exist",
                            src);
          else
            lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "COPY failed: stat %s: file does not exist", src);
          goto out;
        }
    }
  /* a symlink (or a path through one) must not lead out of the context */
  for (size_t i = 0; i < n; i++)
    {
      char *real = realpath (v[i], NULL);
      if (real == NULL)
        {
          lcr_error_sys (err, "Dockerfile:%d: source `%s`", j->in->line, v[i]);
          goto out;
        }
      size_t rl = strlen (j->root);
      if (!(strncmp (real, j->root, rl) == 0 && (real[rl] == '/' || real[rl] == '\0')))
        {
          lcr_error_invalid (err, "Dockerfile:%d: forbidden path outside the build context: %s ()", j->in->line,
                             v[i] + rl + 1);
          free (real);
          goto out;
        }
      free (v[i]);
      v[i] = real;
    }
  v[n] = NULL;
  *out = v;
  *nout = n;
  v = NULL;
  ret = 0;
out:
  if (v)
    {
      for (size_t i = 0; i < n; i++)
        free (v[i]);
      free (v);
    }
  return ret;
}

/* a directory entry of the destination's path */
static int
put_dir (struct copy_job *j, struct dock_sink *sink, const char *rel, bool owned, lcr_error_t *err)
{
  struct dock_entry e = {.name = rel, .fd = -1};
  for (size_t i = 0; i < j->nparents; i++)
    if (strcmp (j->parents[i], rel) == 0)
      {
        if (j->parent_found[i])
          {
            e.st = j->parent_st[i];
            return sink->put (sink, &e, err);
          }
        break;
      }
  e.st.st_mode = S_IFDIR | 0755;
  e.st.st_mtim.tv_sec = time (NULL);
  if (owned)
    {
      e.st.st_uid = (uid_t)j->uid;
      e.st.st_gid = (gid_t)j->gid;
      if (j->chmod >= 0)
        e.st.st_mode = S_IFDIR | (mode_t)j->chmod;
    }
  return sink->put (sink, &e, err);
}

/* every ancestor of `rel` (not rel itself) */
static int
put_parents (struct copy_job *j, struct dock_sink *sink, const char *rel, lcr_error_t *err)
{
  cleanup_free char *p = xstrdup (rel);
  for (char *s = strchr (p, '/'); s; s = strchr (s + 1, '/'))
    {
      *s = '\0';
      int r = put_dir (j, sink, p, false, err);
      *s = '/';
      if (r < 0)
        return -1;
    }
  return 0;
}

/* Walk every source into `sink` at its destination. */
static int
copy_walk (struct copy_job *j, struct dock_sink *sink, lcr_error_t *err)
{
  char **srcs = NULL;
  size_t n = 0;
  if (expand_sources (j, &srcs, &n, err) < 0)
    return -1;
  int ret = -1;
  const char *dest_rel = j->dest + 1; /* "" for "/" */
  bool dest_dir = j->dest_dir;
  if (n + j->nhd > 1 && !dest_dir)
    {
      lcr_error_invalid (err,
                         "Dockerfile:%d: When using COPY with more than one source file, the destination must be a "
                         "directory and end with a /",
                         j->in->line);
      goto out;
    }
  j->nwalked = n + j->nhd;
  j->single_dir = false;
  for (size_t i = 0; i < n; i++)
    {
      struct stat st;
      if (stat (srcs[i], &st) < 0)
        {
          lcr_error_sys (err, "stat `%s`", srcs[i]);
          goto out;
        }
      if (n == 1 && j->nhd == 0 && S_ISDIR (st.st_mode))
        j->single_dir = true;
      size_t rl = strcmp (j->root, "/") ? strlen (j->root) : 0;
      const char *ctx_rel = srcs[i][rl] == '/' ? srcs[i] + rl + 1 : srcs[i] + rl;
      struct rw_sink rw = {.base = {.put = rw_put, .free = NULL},
                           .inner = sink,
                           .uid = j->uid,
                           .gid = j->gid,
                           .chmod = j->chmod,
                           .ignore = j->context ? j->b->ignore : NULL,
                           .ctx_rel = j->context ? ctx_rel : NULL};
      cleanup_free char *dup = xstrdup (srcs[i]);
      cleanup_free char *dup2 = xstrdup (srcs[i]);
      const char *dir = dirname (dup);
      const char *leaf = basename (dup2);
      if (S_ISDIR (st.st_mode))
        {
          /* a directory's contents, into the destination directory */
          if (*dest_rel && (put_parents (j, sink, dest_rel, err) < 0 || put_dir (j, sink, dest_rel, true, err) < 0))
            goto out;
          rw.prefix = dest_rel;
          cleanup_close int dfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
          if (dfd < 0 || dock_tree_walk (dfd, leaf, NULL, NULL, &rw.base, err) < 0)
            {
              if (dfd < 0)
                lcr_error_sys (err, "open `%s`", dir);
              goto out;
            }
          continue;
        }
      if (j->add && is_archive (srcs[i]))
        {
          /* ADD of a local archive: its entries, into the destination directory */
          if (*dest_rel && (put_parents (j, sink, dest_rel, err) < 0 || put_dir (j, sink, dest_rel, true, err) < 0))
            goto out;
          rw.prefix = dest_rel;
          rw.ctx_rel = NULL;
          cleanup_close int fd = open (srcs[i], O_RDONLY | O_CLOEXEC);
          if (fd < 0)
            {
              lcr_error_sys (err, "open `%s`", srcs[i]);
              goto out;
            }
          if (dock_tar_read (fd, &rw.base, err) < 0)
            goto out;
          continue;
        }
      cleanup_free char *target = NULL;
      if (dest_dir)
        xasprintf (&target, "%s%s%s", dest_rel, *dest_rel ? "/" : "", leaf);
      else
        target = xstrdup (dest_rel);
      if (put_parents (j, sink, target, err) < 0)
        goto out;
      rw.ctx_rel = NULL; /* the file itself was checked when it was expanded */
      cleanup_close int dfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (dfd < 0 || dock_tree_walk (dfd, leaf, target, NULL, &rw.base, err) < 0)
        {
          if (dfd < 0)
            lcr_error_sys (err, "open `%s`", dir);
          goto out;
        }
    }
  /* the heredocs and downloads: a file each, under its name in a directory destination */
  for (size_t i = 0; i < j->nhd; i++)
    {
      struct rw_sink rw
          = {.base = {.put = rw_put, .free = NULL}, .inner = sink, .uid = j->uid, .gid = j->gid, .chmod = j->chmod};
      cleanup_free char *target = NULL;
      if (dest_dir)
        xasprintf (&target, "%s%s%s", dest_rel, *dest_rel ? "/" : "", j->hd_names[i]);
      else
        target = xstrdup (dest_rel);
      if (put_parents (j, sink, target, err) < 0)
        goto out;
      cleanup_close int dfd = open (j->hd_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (dfd < 0)
        {
          lcr_error_sys (err, "open `%s`", j->hd_dir);
          goto out;
        }
      if (dock_tree_walk (dfd, j->hd_names[i], target, NULL, &rw.base, err) < 0)
        goto out;
    }
  ret = 0;
out:
  for (size_t i = 0; i < n; i++)
    free (srcs[i]);
  free (srcs);
  return ret;
}

/* hash and (when tar_fd >= 0) tar of the job */
static int
copy_run (struct copy_job *j, char hash[72], int tar_fd, lcr_error_t *err)
{
  struct hash_sink *h = xmalloc0 (sizeof *h);
  h->base.put = hash_put;
  h->base.free = hash_free;
  dock_sha256_init (&h->h);
  int r = copy_walk (j, &h->base, err);
  if (r == 0)
    dock_sha256_final (&h->h, hash);
  dock_sink_free (&h->base);
  if (r < 0 || tar_fd < 0)
    return r;
  cleanup_sink struct dock_sink *tar = dock_tar_sink_new (tar_fd, false);
  r = copy_walk (j, tar, err);
  if (r == 0 && tar->finish)
    r = tar->finish (tar, err);
  return r;
}

/* COPY --from: the job in a child that sees the image's files at "/" */
static int
copy_from_image (struct copy_job *j, const struct dock_image *img, char hash[72], int tar_fd, lcr_error_t *err)
{
  cleanup_free char *mnt = dock_path (j->b->ctx, "build-from-XXXXXX");
  if (mkdtemp (mnt) == NULL)
    return lcr_error_sys (err, "a temporary directory");
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    {
      rmdir (mnt);
      return lcr_error_sys (err, "pipe");
    }
  pid_t pid = fork ();
  if (pid == 0)
    {
      close (p[0]);
      lcr_error_t e = NULL;
      char h[72] = "";
      int r = -1;
      if (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        r = lcr_error_sys (&e, "a mount namespace");
      else
        {
          int m = 0;
          if (img->n_layers == 1)
            m = mount (img->layer_dirs[0], mnt, NULL, MS_BIND | MS_RDONLY, NULL);
          else if (img->n_layers > 1)
            {
              size_t len = 32;
              for (size_t i = 0; i < img->n_layers; i++)
                len += strlen (img->layer_dirs[i]) + 1;
              char *opts = xmalloc0 (len);
              strcpy (opts, "lowerdir=");
              for (size_t i = img->n_layers; i-- > 0;)
                {
                  strcat (opts, img->layer_dirs[i]);
                  if (i)
                    strcat (opts, ":");
                }
              m = mount ("overlay", mnt, "overlay", MS_RDONLY, opts);
            }
          if (m < 0)
            r = lcr_error_sys (&e, "mount the image's layers");
          else
            {
              /* not chrooted: the walk reopens files through /proc/self/fd */
              j->root = mnt;
              r = copy_run (j, h, tar_fd, &e);
            }
        }
      if (r < 0)
        dprintf (p[1], "E%s", e && e->msg ? e->msg : "failed");
      else
        dprintf (p[1], "H%s%c", h, j->nwalked > 1 ? 'M' : j->single_dir ? 'D' : 'F');
      _exit (r < 0 ? 1 : 0);
    }
  close (p[1]);
  char buf[4096];
  size_t n = 0;
  ssize_t r;
  while (n < sizeof buf - 1 && ((r = read (p[0], buf + n, sizeof buf - 1 - n)) > 0 || (r < 0 && errno == EINTR)))
    if (r > 0)
      n += (size_t)r;
  buf[n] = '\0';
  close (p[0]);
  int st;
  while (waitpid (pid, &st, 0) < 0 && errno == EINTR)
    ;
  rmdir (mnt);
  if (buf[0] == 'H' && n == 73)
    {
      memcpy (hash, buf + 1, 71);
      hash[71] = '\0';
      j->nwalked = buf[72] == 'M' ? 2 : 1;
      j->single_dir = buf[72] == 'D';
      return 0;
    }
  return lcr_error_invalid (err, "%s", buf[0] == 'E' ? buf + 1 : "COPY --from failed");
}

/* A heredoc's body with $VAR, ${VAR…} substituted (its delimiter was not quoted); unlike a word,
   quotes stay as they are, as in a shell's here-document; `\$` is a literal $. */
static int
heredoc_expand (struct builder *b, const char *body, char **out, lcr_error_t *err)
{
  size_t cap = strlen (body) + 64, n = 0;
  char *s = xmalloc0 (cap);
#define PUT(p, l)                                                                                                      \
  do                                                                                                                   \
    {                                                                                                                  \
      size_t l_ = (l);                                                                                                 \
      while (n + l_ + 1 > cap)                                                                                         \
        s = xrealloc (s, cap *= 2);                                                                                    \
      memcpy (s + n, (p), l_);                                                                                         \
      n += l_;                                                                                                         \
    }                                                                                                                  \
  while (0)
  for (const char *p = body; *p;)
    {
      if (*p == b->df.escape && (p[1] == '$' || p[1] == b->df.escape))
        {
          PUT (p + 1, 1);
          p += 2;
          continue;
        }
      size_t len = 0;
      if (p[0] == '$' && p[1] == '{')
        {
          const char *close = strchr (p, '}');
          len = close ? (size_t)(close - p) + 1 : 0;
        }
      else if (p[0] == '$' && (p[1] == '_' || (p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z')))
        len = 1 + strspn (p + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
      if (len == 0)
        {
          PUT (p, 1);
          p++;
          continue;
        }
      cleanup_free char *ref = strndup (p, len);
      cleanup_free char *val = NULL;
      if (dock_df_expand (ref, b->df.escape, build_lookup, b, &val, err) < 0)
        {
          free (s);
          return -1;
        }
      PUT (val, strlen (val));
      p += len;
    }
#undef PUT
  s[n] = '\0';
  *out = s;
  return 0;
}

static bool
is_url (const char *s)
{
  return strncmp (s, "http://", 7) == 0 || strncmp (s, "https://", 8) == 0;
}

/* The sources that are not files of the context: heredocs (`<<EOF` words, in the order of the
   instruction's heredocs) and, for ADD, URLs, become files in a temporary directory; the other
   sources stay in j->srcs. */
static int
inline_sources (struct copy_job *j, lcr_error_t *err)
{
  size_t k = 0, keep = 0;
  for (size_t i = 0; i < j->nsrcs; i++)
    {
      bool hdoc = strncmp (j->srcs[i], "<<", 2) == 0 && k < j->in->nheredocs;
      bool url = j->add && is_url (j->srcs[i]);
      if (!hdoc && !url)
        {
          j->srcs[keep++] = j->srcs[i];
          continue;
        }
      if (j->hd_dir == NULL)
        {
          j->hd_dir = dock_path (j->b->ctx, "build-inline-XXXXXX");
          if (mkdtemp (j->hd_dir) == NULL)
            {
              free (j->hd_dir);
              j->hd_dir = NULL;
              return lcr_error_sys (err, "a temporary directory");
            }
          j->hd_names = xmalloc0 ((j->nsrcs + 1) * sizeof (char *));
        }
      if (url)
        {
          char *name = NULL;
          if (build_fetch (j->b, j->srcs[i], j->hd_dir, dock_df_flag (j->in, "checksum"), &name, err) < 0)
            return lcr_error_wrap (err, "Dockerfile:%d: ADD", j->in->line);
          for (size_t x = 0; x < j->nhd; x++)
            if (strcmp (j->hd_names[x], name) == 0)
              {
                free (name);
                return lcr_error_invalid (err, "Dockerfile:%d: two sources named %s", j->in->line, j->hd_names[x]);
              }
          j->hd_names[j->nhd++] = name;
          free (j->srcs[i]);
          continue;
        }
      const struct dock_df_heredoc *hd = &j->in->heredocs[k++];
      if (strchr (hd->name, '/') || strcmp (hd->name, ".") == 0 || strcmp (hd->name, "..") == 0)
        return lcr_error_invalid (err, "Dockerfile:%d: invalid heredoc name: %s", j->in->line, hd->name);
      cleanup_free char *data = NULL;
      if (hd->expand && heredoc_expand (j->b, hd->body ?: "", &data, err) < 0)
        return -1;
      const char *body = data ? data : (hd->body ?: "");
      cleanup_free char *path = NULL;
      xasprintf (&path, "%s/%s", j->hd_dir, hd->name);
      cleanup_close int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0 || write (fd, body, strlen (body)) != (ssize_t)strlen (body) || fchmod (fd, 0644) < 0)
        return lcr_error_sys (err, "write the heredoc `%s`", hd->name);
      j->hd_names[j->nhd++] = xstrdup (hd->name);
      free (j->srcs[i]);
    }
  for (size_t i = keep; i < j->nsrcs; i++)
    j->srcs[i] = NULL;
  j->nsrcs = keep;
  return 0;
}

int
build_copy (struct builder *b, const struct dock_df_inst *in, bool add, lcr_error_t *err)
{
  char **words = NULL;
  size_t nw = 0;
  int ret = -1;
  struct copy_job j = {.b = b, .in = in, .add = add, .chmod = -1};
  cleanup_free char *tmp = dock_path (b->ctx, "build-layer-XXXXXX");
  cleanup_close int tfd = -1;
  cleanup_image struct dock_image *src_img = NULL;
  if (in->json)
    {
      words = xmalloc0 ((in->nargs + 1) * sizeof (char *));
      for (size_t i = 0; i < in->nargs; i++, nw++)
        if (dock_df_expand (in->args[i], b->df.escape, build_lookup, b, &words[i], err) < 0)
          goto out_job;
    }
  else if (dock_df_words (in->rest ?: "", b->df.escape, build_lookup, b, &words, &nw, err) < 0)
    goto out_job;
  if (nw < 2)
    {
      lcr_error_invalid (err, "Dockerfile:%d: %s requires at least two arguments", in->line, in->keyword);
      goto out_job;
    }
  j.srcs = words;
  j.nsrcs = nw - 1;
  for (size_t i = 0; i < j.nsrcs; i++)
    if (strncmp (words[i], "http://", 7) == 0 || strncmp (words[i], "https://", 8) == 0)
      {
        if (!add)
          lcr_error_invalid (err, "Dockerfile:%d: source can't be a URL for COPY", in->line);
        else if (b->o->network == NULL || strcmp (b->o->network, "none") == 0)
          lcr_error_invalid (err, "Dockerfile:%d: ADD %s: fetching a URL needs the network (--network host|default)",
                             in->line, words[i]);
        else
          continue;
        goto out_job;
      }
  if (dock_df_flag (in, "checksum") && !add)
    {
      lcr_error_invalid (err, "Dockerfile:%d: the --checksum flag is only for ADD", in->line);
      goto out_job;
    }
  /* the destination: relative to WORKDIR; a trailing "/" (or an existing directory) is a directory */
  const char *d = words[nw - 1];
  if (inline_sources (&j, err) < 0)
    goto out_job;
  size_t dl = strlen (d);
  j.dest_dir = dl && (d[dl - 1] == '/' || (dl >= 2 && strcmp (d + dl - 2, "/.") == 0) || strcmp (d, ".") == 0);
  {
    const char *wd = jv_get_str (jv_get_obj (b->cfg, "config"), "WorkingDir");
    cleanup_free char *abs = NULL;
    if (d[0] == '/')
      abs = xstrdup (d);
    else
      xasprintf (&abs, "%s/%s", wd && *wd ? wd : "", d);
    j.dest = dock_path_clean (abs);
    if (j.dest[0] != '/')
      {
        char *t = NULL;
        xasprintf (&t, "/%s", j.dest);
        free (j.dest);
        j.dest = t;
      }
    if (strcmp (j.dest, "/.") == 0)
      j.dest[1] = '\0';
  }
  struct stat dst;
  if (strcmp (j.dest, "/") == 0 || (build_image_stat (b, j.dest, &dst) == 0 && S_ISDIR (dst.st_mode)))
    j.dest_dir = true;
  /* the destination's ancestors as the image has them */
  {
    cleanup_free char *p = xstrdup (j.dest + 1);
    size_t cap = 1;
    for (char *s = p; *s; s++)
      cap += *s == '/';
    cap += 1;
    j.parents = xmalloc0 (cap * sizeof (char *));
    j.parent_st = xmalloc0 (cap * sizeof (struct stat));
    j.parent_found = xmalloc0 (cap * sizeof (bool));
    if (*p)
      for (char *s = p;; s++)
        if (*s == '/' || *s == '\0')
          {
            char c = *s;
            *s = '\0';
            j.parents[j.nparents] = xstrdup (p);
            j.parent_found[j.nparents] = build_image_stat (b, p, &j.parent_st[j.nparents]) == 0;
            j.nparents++;
            *s = c;
            if (c == '\0')
              break;
          }
  }
  /* --chown (names from the image), --chmod */
  const char *chown_ = dock_df_flag (in, "chown");
  if (chown_ && *chown_)
    {
      cleanup_free char *u = xstrdup (chown_);
      char *g = strchr (u, ':');
      if (g)
        *g++ = '\0';
      j.uid = image_id_of (b, "etc/passwd", u);
      j.gid = g ? image_id_of (b, "etc/group", g) : j.uid;
      if (j.uid < 0 || j.gid < 0)
        {
          lcr_error_invalid (err,
                             "Dockerfile:%d: unable to convert uid/gid chown string to host mapping: can't find "
                             "uid for user %s",
                             in->line, j.uid < 0 ? u : g);
          goto out_job;
        }
    }
  const char *chmod_ = dock_df_flag (in, "chmod");
  if (chmod_)
    {
      char *end;
      long m = strtol (chmod_, &end, 8);
      if (*chmod_ == '\0' || *end || m < 0 || m > 07777)
        {
          lcr_error_invalid (err, "Dockerfile:%d: invalid --chmod=%s", in->line, chmod_);
          goto out_job;
        }
      j.chmod = (int)m;
    }
  const char *from = dock_df_flag (in, "from");
  if (from)
    {
      cleanup_free char *ref = NULL;
      if (dock_df_expand (from, b->df.escape, build_lookup, b, &ref, err) < 0)
        goto out_job;
      size_t before = in >= b->df.v && in < b->df.v + b->df.n ? (size_t)(in - b->df.v) : b->df.n;
      const struct build_stage *st = build_stage_for_from (b, ref, before);
      if (st && !st->built)
        {
          lcr_error_invalid (err, "Dockerfile:%d: stage %s is not built", in->line, ref);
          goto out_job;
        }
      if (dock_image_resolve (b->ctx, st ? st->image : ref, &src_img, err) < 0)
        {
          lcr_error_wrap (err, "Dockerfile:%d: COPY --from=%s", in->line, ref);
          goto out_job;
        }
      j.root = NULL; /* set in the child, where the image is mounted */
    }
  else
    {
      j.root = b->context;
      j.context = true;
    }

  /* the cache: the step's text and the sources' content */
  char hash[72];
  if (src_img)
    {
      /* the child does both at once: the tar is cheap beside the mount */
      tfd = mkostemp (tmp, O_CLOEXEC);
      if (tfd < 0)
        {
          lcr_error_sys (err, "a temporary file for the layer");
          goto out_job;
        }
      if (copy_from_image (&j, src_img, hash, tfd, err) < 0)
        goto out_tmp;
    }
  else if (copy_run (&j, hash, -1, err) < 0)
    goto out_job;
  {
    cleanup_free char *text = NULL;
    cleanup_jv jv sh = build_shell (b);
    cleanup_free char *shs = NULL;
    {
      size_t len = 1;
      for (size_t i = 0; i < jv_len (sh); i++)
        len += strlen (jv_as_str (sh->u.array.values[i]) ?: "") + 1;
      shs = xmalloc0 (len);
      for (size_t i = 0; i < jv_len (sh); i++)
        {
          if (i)
            strcat (shs, " ");
          strcat (shs, jv_as_str (sh->u.array.values[i]) ?: "");
        }
    }
    xasprintf (&text, "%s #(nop) %s %s:%s in %s ", shs, in->keyword,
               j.nwalked > 1  ? "multi"
               : j.single_dir ? "dir"
                              : "file",
               hash + 7, words[nw - 1]);
    cleanup_free char *what = NULL;
    xasprintf (&what, "%s\n%s\n%ld:%ld:%d", text, in->original, j.uid, j.gid, j.chmod);
    char key[72];
    build_cache_key (b, what, hash, key);
    if (build_cache_get (b, key))
      {
        ret = 0;
        goto out_tmp;
      }
    if (!src_img)
      {
        tfd = mkostemp (tmp, O_CLOEXEC);
        if (tfd < 0)
          {
            lcr_error_sys (err, "a temporary file for the layer");
            goto out_job;
          }
        if (copy_run (&j, hash, tfd, err) < 0)
          goto out_tmp;
      }
    ret = build_commit (b, text, tmp, key, err);
  }
out_tmp:
  if (tfd >= 0)
    unlink (tmp);
out_job:
  if (j.hd_dir)
    {
      build_rmtree (j.hd_dir);
      free (j.hd_dir);
    }
  for (size_t i = 0; i < j.nhd; i++)
    free (j.hd_names[i]);
  free (j.hd_names);
  for (size_t i = 0; i < j.nparents; i++)
    free (j.parents[i]);
  free (j.parents);
  free (j.parent_st);
  free (j.parent_found);
  free (j.dest);
  for (size_t i = 0; i < nw; i++)
    free (words[i]);
  free (words);
  return ret;
}

/* WORKDIR: the missing part of the path as directories in a layer (NULL: nothing missing) */
int
build_workdir_layer (struct builder *b, const char *dir, char **tar_out, lcr_error_t *err)
{
  *tar_out = NULL;
  struct stat st;
  if (strcmp (dir, "/") == 0 || build_image_stat (b, dir, &st) == 0)
    return 0;
  cleanup_free char *tmp = dock_path (b->ctx, "build-layer-XXXXXX");
  cleanup_close int fd = mkostemp (tmp, O_CLOEXEC);
  if (fd < 0)
    return lcr_error_sys (err, "a temporary file for the layer");
  cleanup_sink struct dock_sink *tar = dock_tar_sink_new (fd, false);
  cleanup_free char *p = xstrdup (dir + 1);
  int r = 0;
  for (char *s = p;; s++)
    if (*s == '/' || *s == '\0')
      {
        char c = *s;
        *s = '\0';
        struct dock_entry e = {.name = p, .fd = -1};
        if (build_image_stat (b, p, &e.st) < 0)
          {
            memset (&e.st, 0, sizeof e.st);
            e.st.st_mode = S_IFDIR | 0755;
            e.st.st_mtim.tv_sec = time (NULL);
          }
        r = tar->put (tar, &e, err);
        *s = c;
        if (r < 0 || c == '\0')
          break;
      }
  if (r == 0 && tar->finish)
    r = tar->finish (tar, err);
  if (r < 0)
    {
      unlink (tmp);
      return -1;
    }
  *tar_out = steal_pointer (&tmp);
  return 0;
}
