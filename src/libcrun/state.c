/* berth — the per-container state directory (see state.h for the layout). */
#define _GNU_SOURCE
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "utils.h"

/* What `berth state` reports as ociVersion: the runtime-spec version we
   implement (runc says "1.0.2-dev"). */
#define LCR_OCI_VERSION "1.0.2"

#define LCR_ID_MAX 1024

static void
cleanup_gen_fn (yajl_gen *g)
{
  if (*g)
    yajl_gen_free (*g);
}
#define cleanup_gen __attribute__ ((cleanup (cleanup_gen_fn)))

static void
cleanup_tree_fn (yajl_val *v)
{
  if (*v)
    yajl_tree_free (*v);
}
#define cleanup_tree __attribute__ ((cleanup (cleanup_tree_fn)))

static const char *const status_names[] = {
    [LCR_STATUS_CREATING] = "creating", [LCR_STATUS_CREATED] = "created", [LCR_STATUS_RUNNING] = "running",
    [LCR_STATUS_PAUSED] = "paused",     [LCR_STATUS_STOPPED] = "stopped", [LCR_STATUS_DAMAGED] = "damaged",
};

const char *
lcr_status_name (int status)
{
  if (status < 0 || (size_t)status >= sizeof status_names / sizeof status_names[0])
    return "unknown";
  return status_names[status];
}

static bool
id_char_ok (unsigned char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-'
         || c == '.';
}

int
lcr_state_check_id (const char *id, lcr_error_t *err)
{
  if (id == NULL || *id == '\0')
    return lcr_error_invalid (err, "invalid container ID \"\": it must not be empty");

  size_t len = strlen (id);
  if (len > LCR_ID_MAX)
    {
      /* its start, escaped like the other messages: it may hold control characters */
      char head[33];
      memcpy (head, id, sizeof head - 1);
      head[sizeof head - 1] = '\0';
      cleanup_free char *esc = lcr_json_escape (head);
      return lcr_error_invalid (err, "invalid container ID \"%s...\": longer than %d bytes (%zu)", esc, LCR_ID_MAX,
                                len);
    }

  if (strcmp (id, ".") == 0 || strcmp (id, "..") == 0)
    return lcr_error_invalid (err, "invalid container ID \"%s\": \".\" and \"..\" are not allowed", id);

  for (const unsigned char *p = (const unsigned char *)id; *p; p++)
    if (!id_char_ok (*p))
      {
        /* the ID may hold control characters: show it escaped */
        cleanup_free char *esc = lcr_json_escape (id);
        return lcr_error_invalid (
            err, "invalid container ID \"%s\": only letters, digits, '_', '+', '-' and '.' are allowed", esc);
      }
  return 0;
}

static int
flock_retry (int fd, int op)
{
  int r;
  do
    r = flock (fd, op);
  while (r < 0 && errno == EINTR);
  return r;
}

int
lcr_state_claim (const char *root, const char *id, lcr_error_t *err)
{
  if (lcr_state_check_id (id, err) < 0)
    return -1;
  if (lcr_mkdir_p (root, 0700, err) < 0)
    return lcr_error_wrap (err, "create state root");

  cleanup_free char *path = NULL;
  xasprintf (&path, "%s/%s", root, id);
  /* mkdir is the atomic claim: of two creates of one ID, one gets EEXIST */
  if (mkdir (path, 0700) < 0)
    {
      if (errno == EEXIST)
        return lcr_error_make (err, 0, LCR_ERR_EXISTS, "container `%s` already exists", id);
      return lcr_error_sys (err, "mkdir `%s`", path);
    }

  cleanup_close int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      int saved = errno;
      rmdir (path);
      return lcr_error_make (err, saved, LCR_ERR_SYSTEM, "open `%s`", path);
    }
  if (flock_retry (fd, LOCK_EX) < 0)
    {
      int saved = errno;
      rmdir (path);
      return lcr_error_make (err, saved, LCR_ERR_SYSTEM, "lock `%s`", path);
    }

  /* Between mkdir and flock the directory was unlocked, and it holds no
     state.json yet: a `delete` may have removed it as a failed create. */
  struct stat sb;
  if (fstat (fd, &sb) < 0)
    return lcr_error_sys (err, "stat `%s`", path);
  if (sb.st_nlink == 0)
    return lcr_error_make (err, 0, LCR_ERR_STATE, "container `%s` was deleted while being created", id);

  return steal_fd (&fd);
}

int
lcr_state_open (const char *root, const char *id, bool exclusive, lcr_error_t *err)
{
  if (lcr_state_check_id (id, err) < 0)
    return -1;

  cleanup_free char *path = NULL;
  xasprintf (&path, "%s/%s", root, id);

  /* A delete may remove the directory while we wait for its lock; our fd
     then names a dead directory (st_nlink 0).  If a create reused the ID in
     the meantime the path names a new container, so try the path again. */
  for (int attempt = 0; attempt < 8; attempt++)
    {
      cleanup_close int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0)
        {
          if (errno == ENOENT)
            return lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "container `%s` does not exist", id);
          return lcr_error_sys (err, "open `%s`", path);
        }
      if (flock_retry (fd, exclusive ? LOCK_EX : LOCK_SH) < 0)
        return lcr_error_sys (err, "lock `%s`", path);

      struct stat sb;
      if (fstat (fd, &sb) < 0)
        return lcr_error_sys (err, "stat `%s`", path);
      if (sb.st_nlink > 0)
        return steal_fd (&fd);
    }
  return lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "container `%s` does not exist", id);
}

/* Generation with the first failure remembered, so the many calls that make
   up a document need one check at the end. */
struct gen
{
  yajl_gen g;
  yajl_gen_status status;
  const char *where; /* the key being written when it failed */
};

static void
gen_check (struct gen *g, yajl_gen_status s, const char *where)
{
  if (g->status == yajl_gen_status_ok && s != yajl_gen_status_ok)
    {
      g->status = s;
      g->where = where;
    }
}

static void
gen_key (struct gen *g, const char *key)
{
  gen_check (g, yajl_gen_string (g->g, (const unsigned char *)key, strlen (key)), key);
}

static void
gen_kstr (struct gen *g, const char *key, const char *value)
{
  gen_key (g, key);
  if (value == NULL)
    gen_check (g, yajl_gen_null (g->g), key);
  else
    gen_check (g, yajl_gen_string (g->g, (const unsigned char *)value, strlen (value)), key);
}

static void
gen_kint (struct gen *g, const char *key, long long value)
{
  gen_key (g, key);
  gen_check (g, yajl_gen_integer (g->g, value), key);
}

static void
gen_kbool (struct gen *g, const char *key, bool value)
{
  gen_key (g, key);
  gen_check (g, yajl_gen_bool (g->g, value), key);
}

static int
cmp_kv_ptr (const void *a, const void *b)
{
  const struct lcr_spec_kv *x = *(const struct lcr_spec_kv *const *)a;
  const struct lcr_spec_kv *y = *(const struct lcr_spec_kv *const *)b;
  return strcmp (x->key, y->key);
}

/* Annotations as a JSON object.  Sorted by key when `sorted`, as Go's
   encoding/json does for maps, so our output matches runc's byte for byte. */
static void
gen_annotations (struct gen *g, const struct lcr_state *st, bool sorted)
{
  cleanup_free const struct lcr_spec_kv **kv = xmalloc0 (sizeof *kv * (st->annotations_len + 1));
  for (size_t i = 0; i < st->annotations_len; i++)
    kv[i] = &st->annotations[i];
  if (sorted)
    qsort (kv, st->annotations_len, sizeof *kv, cmp_kv_ptr);

  gen_key (g, "annotations");
  gen_check (g, yajl_gen_map_open (g->g), "annotations");
  for (size_t i = 0; i < st->annotations_len; i++)
    gen_kstr (g, kv[i]->key, kv[i]->value ? kv[i]->value : "");
  gen_check (g, yajl_gen_map_close (g->g), "annotations");
}

/* The path of an fd, for error messages only (never on the fast path). */
static char *
fd_path (int dirfd)
{
  char link[64], buf[PATH_MAX];
  snprintf (link, sizeof link, "/proc/self/fd/%d", dirfd);
  ssize_t n = readlink (link, buf, sizeof buf - 1);
  if (n <= 0)
    return xstrdup ("?");
  buf[n] = '\0';
  return xstrdup (buf);
}

static int write_doc (int dirfd, const char *name, const struct lcr_state *st, lcr_error_t *err);

int
lcr_state_write (int dirfd, const struct lcr_state *st, lcr_error_t *err)
{
  return write_doc (dirfd, LCR_STATE_JSON, st, err);
}

int
lcr_state_write_record (int dirfd, const struct lcr_state *st, lcr_error_t *err)
{
  return write_doc (dirfd, LCR_STATE_RECORD, st, err);
}

static int
write_doc (int dirfd, const char *name, const struct lcr_state *st, lcr_error_t *err)
{
  cleanup_gen yajl_gen yg = yajl_gen_alloc (NULL);
  if (yg == NULL)
    abort ();
  /* refuse to write what yajl_tree would refuse to read back */
  yajl_gen_config (yg, yajl_gen_validate_utf8, 1);

  struct gen g = {.g = yg, .status = yajl_gen_status_ok};
  gen_check (&g, yajl_gen_map_open (yg), "");
  gen_kstr (&g, "id", st->id);
  gen_kint (&g, "pid", st->pid);
  gen_kint (&g, "start_time", (long long)st->start_time);
  gen_kstr (&g, "bundle", st->bundle);
  gen_kstr (&g, "rootfs", st->rootfs);
  gen_kstr (&g, "created", st->created);
  gen_kint (&g, "owner", st->owner);
  gen_kstr (&g, "cgroup_path", st->cgroup_path);
  gen_kbool (&g, "systemd_cgroup", st->systemd_cgroup);
  if (st->poststart_hooks)
    gen_kbool (&g, "poststart_hooks", true);
  if (st->poststop_hooks)
    gen_kbool (&g, "poststop_hooks", true);
  if (st->host_mounts_base)
    gen_kint (&g, "host_mounts_base", (long long)st->host_mounts_base);
  if (st->creating)
    gen_kbool (&g, "creating", true);
  gen_annotations (&g, st, false);
  gen_check (&g, yajl_gen_map_close (yg), "");

  if (g.status != yajl_gen_status_ok)
    {
      cleanup_free char *dir = fd_path (dirfd);
      return lcr_error_make (err, 0, LCR_ERR_INVALID, "write `%s/%s`: cannot encode `%s`%s", dir, name, g.where,
                             g.status == yajl_gen_invalid_string ? ": not valid UTF-8" : "");
    }

  const unsigned char *buf;
  size_t len;
  yajl_gen_get_buf (yg, &buf, &len);
  return lcr_write_file_atomic_at (dirfd, name, buf, len, err);
}

/* Reading state.json: every error names the file and the key.  The file's
   directory is looked up only when there is an error to report; dirfd -1
   (a document parsed from memory) names the file alone. */
struct reader
{
  int dirfd;
  lcr_error_t *err;
};

static int
read_error (struct reader *r, const char *fmt, const char *key)
{
  cleanup_free char *dir = r->dirfd >= 0 ? fd_path (r->dirfd) : NULL;
  cleanup_free char *what = NULL;
  /* key may be any string from the file */
  cleanup_free char *esc = lcr_escape_controls (key);
  xasprintf (&what, fmt, esc);
  return lcr_error_make (r->err, 0, LCR_ERR_STATE, "%s%s%s: %s", dir ? dir : "", dir ? "/" : "", LCR_STATE_JSON, what);
}

static int
read_str (struct reader *r, yajl_val v, const char *key, char **out)
{
  if (YAJL_IS_NULL (v))
    return 0;
  if (!YAJL_IS_STRING (v))
    return read_error (r, "`%s` is not a string", key);
  free (*out);
  *out = xstrdup (YAJL_GET_STRING (v));
  return 0;
}

static int
read_int (struct reader *r, yajl_val v, const char *key, long long min, long long max, long long *out)
{
  if (!YAJL_IS_INTEGER (v) || YAJL_GET_INTEGER (v) < min || YAJL_GET_INTEGER (v) > max)
    return read_error (r, "`%s` is not an integer in range", key);
  *out = YAJL_GET_INTEGER (v);
  return 0;
}

static int
read_annotations (struct reader *r, yajl_val v, struct lcr_state *st)
{
  if (YAJL_IS_NULL (v))
    return 0;
  if (!YAJL_IS_OBJECT (v))
    return read_error (r, "`%s` is not an object", "annotations");
  size_t n = v->u.object.len;
  st->annotations = xmalloc0 (sizeof *st->annotations * (n + 1));
  for (size_t i = 0; i < n; i++)
    {
      yajl_val val = v->u.object.values[i];
      if (!YAJL_IS_STRING (val))
        return read_error (r, "annotation `%s` is not a string", v->u.object.keys[i]);
      st->annotations[i].key = xstrdup (v->u.object.keys[i]);
      st->annotations[i].value = xstrdup (YAJL_GET_STRING (val));
      st->annotations_len = i + 1;
    }
  return 0;
}

/* state.json's text (len bytes, NUL-terminated or not) → *out; dirfd is
   only for naming the file in errors (-1: none). */
static int
parse_state (const char *data, size_t len, int dirfd, struct lcr_state **out, lcr_error_t *err)
{
  struct reader r = {.dirfd = dirfd, .err = err};
  /* yajl reads up to a NUL: one inside the file would hide what follows */
  const char *nul = memchr (data, '\0', len);
  if (nul)
    {
      char at[32];
      snprintf (at, sizeof at, "%zu", (size_t)(nul - data));
      return read_error (&r, "invalid JSON: NUL byte at offset %s", at);
    }
  cleanup_free char *buf = xmalloc0 (len + 1);
  memcpy (buf, data, len);
  /* yajl_tree_free recurses per level: see lcr_json_too_deep */
  if (lcr_json_too_deep (buf, len))
    {
      char max[32];
      snprintf (max, sizeof max, "%d", LCR_JSON_MAX_DEPTH);
      return read_error (&r, "invalid JSON: nested deeper than %s levels", max);
    }
  char errbuf[256] = "";
  cleanup_tree yajl_val tree = yajl_tree_parse (buf, errbuf, sizeof errbuf);
  if (tree == NULL)
    {
      /* yajl's message goes on with a snippet of the input: keep line one */
      errbuf[strcspn (errbuf, "\n")] = '\0';
      return read_error (&r, "invalid JSON: %s", errbuf[0] ? errbuf : "parse error");
    }
  if (!YAJL_IS_OBJECT (tree))
    return read_error (&r, "%s", "not a JSON object");

  cleanup_state struct lcr_state *st = xmalloc0 (sizeof *st);
  bool have_id = false, have_pid = false, have_start = false;
  for (size_t i = 0; i < tree->u.object.len; i++)
    {
      const char *k = tree->u.object.keys[i];
      yajl_val v = tree->u.object.values[i];
      long long n = 0;
      int ret = 0;
      /* unknown keys are skipped: a newer berth may have added some */
      if (strcmp (k, "id") == 0)
        {
          if (!YAJL_IS_STRING (v))
            return read_error (&r, "`%s` is not a string", k);
          ret = read_str (&r, v, k, &st->id);
          have_id = true;
        }
      else if (strcmp (k, "pid") == 0)
        {
          ret = read_int (&r, v, k, 0, INT_MAX, &n);
          st->pid = (pid_t)n;
          have_pid = true;
        }
      else if (strcmp (k, "start_time") == 0)
        {
          ret = read_int (&r, v, k, 0, LLONG_MAX, &n);
          st->start_time = (unsigned long long)n;
          have_start = true;
        }
      else if (strcmp (k, "bundle") == 0)
        ret = read_str (&r, v, k, &st->bundle);
      else if (strcmp (k, "rootfs") == 0)
        ret = read_str (&r, v, k, &st->rootfs);
      else if (strcmp (k, "created") == 0)
        ret = read_str (&r, v, k, &st->created);
      else if (strcmp (k, "owner") == 0)
        {
          ret = read_int (&r, v, k, 0, UINT32_MAX, &n);
          st->owner = (uid_t)n;
        }
      else if (strcmp (k, "host_mounts_base") == 0)
        {
          ret = read_int (&r, v, k, 0, LLONG_MAX, &n);
          st->host_mounts_base = (unsigned long long)n;
        }
      else if (strcmp (k, "cgroup_path") == 0)
        ret = read_str (&r, v, k, &st->cgroup_path);
      else if (strcmp (k, "systemd_cgroup") == 0 || strcmp (k, "poststart_hooks") == 0
               || strcmp (k, "poststop_hooks") == 0 || strcmp (k, "creating") == 0)
        {
          if (!YAJL_IS_TRUE (v) && !YAJL_IS_FALSE (v))
            return read_error (&r, "`%s` is not a boolean", k);
          bool *dest = &st->systemd_cgroup;
          if (strcmp (k, "poststart_hooks") == 0)
            dest = &st->poststart_hooks;
          else if (strcmp (k, "poststop_hooks") == 0)
            dest = &st->poststop_hooks;
          else if (strcmp (k, "creating") == 0)
            dest = &st->creating;

          *dest = YAJL_IS_TRUE (v);
        }
      else if (strcmp (k, "annotations") == 0)
        {
          if (st->annotations)
            return read_error (&r, "`%s` appears twice", k);
          ret = read_annotations (&r, v, st);
        }
      if (ret < 0)
        return -1;
    }
  if (!have_id)
    return read_error (&r, "`%s` is missing", "id");
  if (!have_pid)
    return read_error (&r, "`%s` is missing", "pid");
  if (!have_start)
    return read_error (&r, "`%s` is missing", "start_time");

  *out = steal_pointer (&st);
  return 0;
}

int
lcr_state_parse (const char *json, size_t len, struct lcr_state **out, lcr_error_t *err)
{
  return parse_state (json ? json : "", json ? len : 0, -1, out, err);
}

int
lcr_state_read (int dirfd, struct lcr_state **out, lcr_error_t *err)
{
  cleanup_free char *data = NULL;
  size_t len = 0;
  cleanup_error lcr_error_t read_err = NULL;
  if (lcr_read_file_at (dirfd, LCR_STATE_JSON, &data, &len, &read_err) < 0)
    {
      if (read_err->errno_ != ENOENT)
        {
          if (err)
            {
              lcr_error_release (err);
              *err = steal_pointer (&read_err);
            }
          return -1;
        }
      /* the directory is claimed before state.json is written */
      cleanup_free char *dir = fd_path (dirfd);
      const char *id = strrchr (dir, '/');
      return lcr_error_make (err, 0, LCR_ERR_STATE,
                             "container `%s` is being created or its creation failed (no %s in `%s`)",
                             id ? id + 1 : dir, LCR_STATE_JSON, dir);
    }

  return parse_state (data, len, dirfd, out, err);
}

int
lcr_state_read_record (int dirfd, struct lcr_state **out, lcr_error_t *err)
{
  cleanup_free char *data = NULL;
  size_t len = 0;
  if (lcr_read_file_at (dirfd, LCR_STATE_RECORD, &data, &len, err) < 0)
    return -1;
  if (parse_state (data, len, -1, out, err) < 0)
    return lcr_error_wrap (err, "%s", LCR_STATE_RECORD);
  return 0;
}

bool
lcr_state_damaged (int dirfd)
{
  struct stat sb;
  return fstatat (dirfd, LCR_STATE_JSON, &sb, AT_SYMLINK_NOFOLLOW) == 0
         || fstatat (dirfd, LCR_STATE_RECORD, &sb, AT_SYMLINK_NOFOLLOW) == 0;
}

int
lcr_state_remove (const char *root, const char *id, lcr_error_t *err)
{
  if (lcr_state_check_id (id, err) < 0)
    return -1;
  cleanup_free char *path = NULL;
  xasprintf (&path, "%s/%s", root, id);
  if (lcr_rm_rf_at (AT_FDCWD, path, err) < 0)
    return lcr_error_wrap (err, "delete container `%s`", id);
  return 0;
}

static int
cmp_str_ptr (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

static void
free_strv (char **v)
{
  if (v == NULL)
    return;
  for (char **p = v; *p; p++)
    free (*p);
  free (v);
}

static void
cleanup_strv_fn (char ***v)
{
  free_strv (*v);
}

int
lcr_state_list (const char *root, char ***ids, size_t *n, lcr_error_t *err)
{
  size_t len = 0, cap = 16;
  __attribute__ ((cleanup (cleanup_strv_fn))) char **v = xmalloc0 (sizeof *v * cap);

  cleanup_dir DIR *d = opendir (root);
  if (d == NULL && errno != ENOENT)
    return lcr_error_sys (err, "open state root `%s`", root);

  struct dirent *de;
  while (d && (errno = 0, de = readdir (d)))
    {
      /* '.' also hides the temporary names of atomic writes and "."/".." */
      if (de->d_name[0] == '.')
        continue;
      bool is_dir = de->d_type == DT_DIR;
      if (de->d_type == DT_UNKNOWN)
        {
          struct stat sb;
          is_dir = fstatat (dirfd (d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR (sb.st_mode);
        }
      /* a name we would refuse as an ID is not ours: open() would reject it */
      if (!is_dir || lcr_state_check_id (de->d_name, NULL) < 0)
        continue;
      if (len + 1 >= cap)
        {
          cap *= 2;
          v = xrealloc (v, sizeof *v * cap);
        }
      v[len++] = xstrdup (de->d_name);
      v[len] = NULL;
    }
  if (d && errno != 0)
    return lcr_error_sys (err, "read state root `%s`", root);

  qsort (v, len, sizeof *v, cmp_str_ptr);
  *ids = steal_pointer (&v);
  if (n)
    *n = len;
  return 0;
}

int
lcr_state_status (int dirfd, const struct lcr_state *st)
{
  /* one read of /proc/PID/stat and one fstatat: `list` runs this per container */
  if (st->pid <= 0 || st->creating)
    return LCR_STATUS_STOPPED;
  if (!lcr_proc_alive (st->pid, st->start_time))
    return LCR_STATUS_STOPPED;

  struct stat sb;
  if (fstatat (dirfd, LCR_EXEC_FIFO, &sb, AT_SYMLINK_NOFOLLOW) == 0)
    return LCR_STATUS_CREATED;
  return LCR_STATUS_RUNNING;
}

char *
lcr_state_to_json (const struct lcr_state *st, int status, bool pretty)
{
  cleanup_gen yajl_gen yg = yajl_gen_alloc (NULL);
  if (yg == NULL)
    abort ();
  if (pretty)
    {
      /* json.MarshalIndent (v, "", "  "), as `runc state` prints */
      yajl_gen_config (yg, yajl_gen_beautify, 1);
      yajl_gen_config (yg, yajl_gen_indent_string, "  ");
    }

  /* key order and omissions are runc's (libcontainer's containerState) */
  struct gen g = {.g = yg, .status = yajl_gen_status_ok};
  gen_check (&g, yajl_gen_map_open (yg), "");
  gen_kstr (&g, "ociVersion", LCR_OCI_VERSION);
  gen_kstr (&g, "id", st->id ? st->id : "");
  gen_kint (&g, "pid", status == LCR_STATUS_STOPPED ? 0 : st->pid);
  gen_kstr (&g, "status", lcr_status_name (status));
  gen_kstr (&g, "bundle", st->bundle ? st->bundle : "");
  gen_kstr (&g, "rootfs", st->rootfs ? st->rootfs : "");
  gen_kstr (&g, "created", st->created ? st->created : "");
  if (st->annotations_len > 0)
    gen_annotations (&g, st, true);
  /* runc's `state` leaves owner empty; only `list` resolves the user name */
  gen_kstr (&g, "owner", "");
  gen_check (&g, yajl_gen_map_close (yg), "");
  if (g.status != yajl_gen_status_ok)
    return NULL;

  const unsigned char *buf;
  size_t len;
  yajl_gen_get_buf (yg, &buf, &len);
  /* yajl ends a beautified document with a newline; runc does not */
  while (len > 0 && buf[len - 1] == '\n')
    len--;
  char *out = xmalloc0 (len + 1);
  memcpy (out, buf, len);
  return out;
}

void
lcr_state_free (struct lcr_state *st)
{
  if (st == NULL)
    return;
  free (st->id);
  free (st->bundle);
  free (st->rootfs);
  free (st->created);
  free (st->cgroup_path);
  for (size_t i = 0; i < st->annotations_len; i++)
    {
      free (st->annotations[i].key);
      free (st->annotations[i].value);
    }
  free (st->annotations);
  free (st);
}
