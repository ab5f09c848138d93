/* dock — the volume store: create, load, list, remove, and who uses a volume (see volume.h).
 *
 * A volume is ROOT/volumes/<name>/ holding _data/ and meta.json; meta.json is written last, so a
 * directory without it is a creation that did not finish (invisible to every listing, reused by
 * the next create).  Removal renames the directory to a dot-name first: listings skip dot-names,
 * so a crash half-way through the removal leaves nothing that looks like a volume.
 *
 * meta.json is docker's `volume inspect` object plus dock's private keys, stripped by
 * dock_volume_public:
 *   "Anonymous": true   made for one container (also the docker label com.docker.volume.anonymous)
 *   "Filled": true      the volume has held content when a container mounted it: copy-up is done
 */
#define _GNU_SOURCE
#include "volume.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"

#define NAME_CHARS "[a-zA-Z0-9][a-zA-Z0-9_.-]"
#define ANON_LABEL "com.docker.volume.anonymous"

static bool
name_char (char c, bool first)
{
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
    return true;
  return !first && (c == '_' || c == '.' || c == '-');
}

int
dock_volume_check_name (const char *name, lcr_error_t *err)
{
  /* docker's rule needs two characters at least; 255 keeps the name one path component */
  bool ok = name != NULL && name[0] != '\0' && name[1] != '\0' && strlen (name) <= 255;
  for (size_t i = 0; ok && name[i]; i++)
    ok = name_char (name[i], i == 0);
  if (ok)
    return 0;
  cleanup_free char *shown = lcr_escape_controls (name ? name : "");
  return lcr_error_invalid (err,
                            "create %s: \"%s\" includes invalid characters for a local volume name, only \"%s\" are "
                            "allowed. If you intended to pass a host directory, use absolute path",
                            shown, shown, NAME_CHARS);
}

/* RFC 3339 to the second with the local offset, as docker's volume CreatedAt */
static char *
created_at (void)
{
  time_t t = time (NULL);
  struct tm tm;
  localtime_r (&t, &tm);
  char buf[64], off[48];
  strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  long g = tm.tm_gmtoff;
  if (g == 0)
    snprintf (off, sizeof off, "Z");
  else
    snprintf (off, sizeof off, "%c%02ld:%02ld", g < 0 ? '-' : '+', labs (g) / 3600, (labs (g) % 3600) / 60);
  char *out;
  xasprintf (&out, "%s%s", buf, off);
  return out;
}

/* ROOT made absolute: Mountpoint and a mount's Source are handed to the runtime as they are */
static char *
abs_volume_path (struct dock_ctx *ctx, const char *name, const char *leaf)
{
  char *p;
  if (ctx->root[0] == '/')
    xasprintf (&p, "%s/volumes/%s%s%s", ctx->root, name, leaf ? "/" : "", leaf ? leaf : "");
  else
    {
      cleanup_free char *cwd = getcwd (NULL, 0);
      xasprintf (&p, "%s/%s/volumes/%s%s%s", cwd ? cwd : ".", ctx->root, name, leaf ? "/" : "", leaf ? leaf : "");
    }
  return p;
}

/* the local driver's options: type, device and o (mount(8)'s -t, the source, -o) */
static int
check_options (jv options, lcr_error_t *err)
{
  if (options == NULL || options->type != yajl_t_object)
    return 0;
  for (size_t i = 0; i < options->u.object.len; i++)
    {
      const char *k = options->u.object.keys[i];
      if (strcmp (k, "type") != 0 && strcmp (k, "device") != 0 && strcmp (k, "o") != 0)
        return lcr_error_invalid (err, "invalid option: \"%s\"", k);
      if (jv_as_str (options->u.object.values[i]) == NULL)
        return lcr_error_invalid (err, "invalid option: \"%s\": not a string", k);
    }
  bool has_type = jv_get_str (options, "type") != NULL, has_dev = jv_get_str (options, "device") != NULL;
  if ((has_type || jv_get_str (options, "o")) && !has_dev)
    return lcr_error_invalid (err, "missing required option: \"device\"");
  if (has_dev && !has_type)
    return lcr_error_invalid (err, "missing required option: \"type\"");
  return 0;
}

jv
dock_volume_load (struct dock_ctx *ctx, const char *name, lcr_error_t *err)
{
  cleanup_free char *p = NULL;
  if (name == NULL || strchr (name, '/') || name[0] == '.' || name[0] == '\0')
    goto missing;
  p = dock_path (ctx, "volumes/%s/meta.json", name);
  if (access (p, F_OK) < 0)
    goto missing;
  return jv_load (p, err);
missing:
  {
    cleanup_free char *shown = lcr_escape_controls (name ? name : "");
    lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "get %s: no such volume", shown);
    return NULL;
  }
}

jv
dock_volume_public (jv meta)
{
  jv v = jv_copy (meta);
  jv_del (v, "Anonymous");
  jv_del (v, "Filled");
  return v;
}

static jv
create_locked (struct dock_ctx *ctx, const char *name, jv labels, jv options, bool anonymous, lcr_error_t *err)
{
  cleanup_free char *dir = dock_path (ctx, "volumes/%s", name);
  cleanup_free char *data = dock_path (ctx, "volumes/%s/_data", name);
  cleanup_free char *metap = dock_path (ctx, "volumes/%s/meta.json", name);
  if (access (metap, F_OK) == 0)
    return jv_load (metap, err); /* docker hands back the existing volume unchanged */
  if ((mkdir (dir, 0700) < 0 && errno != EEXIST) || (mkdir (data, 0755) < 0 && errno != EEXIST))
    {
      lcr_error_sys (err, "create %s", name);
      return NULL;
    }
  cleanup_free char *when = created_at ();
  cleanup_free char *mountpoint = abs_volume_path (ctx, name, "_data");
  cleanup_jv jv meta = jv_obj ();
  jv_set (meta, "CreatedAt", jv_str (when));
  jv_set (meta, "Driver", jv_str ("local"));
  jv lab = labels ? jv_copy (labels) : (anonymous ? jv_obj () : jv_null ());
  if (anonymous)
    jv_set (lab, ANON_LABEL, jv_str (""));
  jv_set (meta, "Labels", lab);
  jv_set (meta, "Mountpoint", jv_str (mountpoint));
  jv_set (meta, "Name", jv_str (name));
  jv_set (meta, "Options", options ? jv_copy (options) : jv_null ());
  jv_set (meta, "Scope", jv_str ("local"));
  if (anonymous)
    jv_set (meta, "Anonymous", jv_bool (true));
  if (jv_save_at (AT_FDCWD, metap, meta, err) < 0)
    {
      lcr_error_wrap (err, "create %s", name);
      return NULL;
    }
  return steal_pointer (&meta);
}

int
dock_volume_create (struct dock_ctx *ctx, const char *name, jv labels, jv options, bool anonymous, jv *meta_out,
                    lcr_error_t *err)
{
  char id[65];
  if (name == NULL)
    {
      dock_random_id (id);
      name = id;
      anonymous = true;
    }
  else if (dock_volume_check_name (name, err) < 0)
    return -1;
  if (check_options (options, err) < 0)
    return lcr_error_wrap (err, "create %s", name);
  if (dock_lock (ctx, err) < 0)
    return -1;
  jv meta = create_locked (ctx, name, labels, options, anonymous, err);
  dock_unlock (ctx);
  if (meta == NULL)
    return -1;
  if (meta_out)
    *meta_out = meta;
  else
    jv_free (meta);
  return 0;
}

/* natural order: runs of digits compare as numbers ("v2" < "v10"), as docker's CLI sorts */
static int
natural_cmp (const char *a, const char *b)
{
  while (*a && *b)
    {
      if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9')
        {
          const char *ea = a, *eb = b;
          while (*a == '0')
            a++;
          while (*b == '0')
            b++;
          const char *da = a, *db = b;
          while (*a >= '0' && *a <= '9')
            a++;
          while (*b >= '0' && *b <= '9')
            b++;
          if (a - da != b - db)
            return (a - da) < (b - db) ? -1 : 1;
          int c = strncmp (da, db, a - da);
          if (c)
            return c;
          if ((a - ea) != (b - eb))
            return (a - ea) < (b - eb) ? -1 : 1;
          continue;
        }
      if (*a != *b)
        return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
      a++, b++;
    }
  return *a ? 1 : *b ? -1 : 0;
}

static int
cmp_meta (const void *x, const void *y)
{
  const char *a = jv_get_str (*(jv const *)x, "Name"), *b = jv_get_str (*(jv const *)y, "Name");
  return natural_cmp (a ? a : "", b ? b : "");
}

jv
dock_volume_list (struct dock_ctx *ctx, lcr_error_t *err)
{
  if (dock_lock (ctx, err) < 0)
    return NULL;
  cleanup_free char *dir = dock_path (ctx, "volumes");
  cleanup_strv char **names = dock_list_dir (dir);
  jv out = jv_arr ();
  for (size_t i = 0; names[i]; i++)
    {
      cleanup_free char *p = dock_path (ctx, "volumes/%s/meta.json", names[i]);
      if (access (p, F_OK) < 0)
        continue; /* a creation that never finished */
      cleanup_error lcr_error_t e = NULL;
      jv m = jv_load (p, &e);
      if (m)
        jv_push (out, m);
    }
  dock_unlock (ctx);
  if (out->u.array.len > 1)
    qsort (out->u.array.values, out->u.array.len, sizeof (jv), cmp_meta);
  return out;
}

/* The IDs of the containers whose record mounts volume `name` (but `except`), space-separated;
   NULL when none. */
static char *
volume_users (struct dock_ctx *ctx, const char *name, const char *except)
{
  cleanup_free char *dir = dock_path (ctx, "containers");
  cleanup_strv char **ids = dock_list_dir (dir);
  char *out = NULL;
  for (size_t i = 0; ids[i]; i++)
    {
      if (except && strcmp (ids[i], except) == 0)
        continue;
      cleanup_free char *p = dock_path (ctx, "containers/%s/meta.json", ids[i]);
      cleanup_error lcr_error_t e = NULL;
      cleanup_jv jv rec = jv_load (p, &e);
      jv mounts = jv_get_arr (rec, "Mounts");
      for (size_t k = 0; k < jv_len (mounts); k++)
        {
          jv m = mounts->u.array.values[k];
          const char *type = jv_get_str (m, "Type"), *n = jv_get_str (m, "Name");
          if (n == NULL || strcmp (n, name) != 0 || (type && strcmp (type, "volume") != 0))
            continue;
          const char *id = jv_get_str (rec, "Id");
          if (id == NULL)
            id = ids[i];
          char *joined;
          xasprintf (&joined, "%s%s%s", out ? out : "", out ? " " : "", id);
          free (out);
          out = joined;
          break;
        }
    }
  return out;
}

bool
dock_volume_in_use (struct dock_ctx *ctx, const char *name, char **by_container)
{
  cleanup_error lcr_error_t err = NULL;
  bool locked = dock_lock (ctx, &err) == 0;
  char *users = volume_users (ctx, name, NULL);
  if (locked)
    dock_unlock (ctx);
  bool used = users != NULL;
  if (by_container)
    *by_container = users;
  else
    free (users);
  return used;
}

long long
dock_volume_dir_size (const char *path)
{
  /* iterative walk with nftw would follow nothing but counts hard links twice: a small table
     of (dev, ino) of multiply-linked files keeps docker's once-only count */
  long long total = 0;
  struct
  {
    dev_t dev;
    ino_t ino;
  } *seen = NULL;
  size_t nseen = 0;
  char **stack = xmalloc0 (sizeof (char *));
  size_t nstack = 0;
  stack[nstack++] = xstrdup (path);
  while (nstack > 0)
    {
      cleanup_free char *dir = stack[--nstack];
      cleanup_dir DIR *d = opendir (dir);
      struct dirent *de;
      while (d && (de = readdir (d)) != NULL)
        {
          if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
            continue;
          struct stat st;
          if (fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
          if (S_ISDIR (st.st_mode))
            {
              stack = xrealloc (stack, (nstack + 1) * sizeof (char *));
              xasprintf (&stack[nstack++], "%s/%s", dir, de->d_name);
              continue;
            }
          if (st.st_nlink > 1)
            {
              bool dup = false;
              for (size_t i = 0; i < nseen && !dup; i++)
                dup = seen[i].dev == st.st_dev && seen[i].ino == st.st_ino;
              if (dup)
                continue;
              seen = xrealloc (seen, (nseen + 1) * sizeof *seen);
              seen[nseen].dev = st.st_dev;
              seen[nseen++].ino = st.st_ino;
            }
          total += st.st_size;
        }
    }
  free (stack);
  free (seen);
  return total;
}

/* remove under the lock, ignoring `except`'s use (a container being removed) */
static int
remove_locked (struct dock_ctx *ctx, const char *name, const char *except, long long *freed, lcr_error_t *err)
{
  cleanup_jv jv meta = dock_volume_load (ctx, name, err);
  if (meta == NULL)
    return -1;
  cleanup_free char *users = volume_users (ctx, name, except);
  if (users)
    return lcr_error_make (err, 0, LCR_ERR_STATE, "remove %s: volume is in use - [%s]", name, users);
  cleanup_free char *data = dock_path (ctx, "volumes/%s/_data", name);
  /* a volume with mount options may still be mounted after a crash: no user is left */
  umount2 (data, MNT_DETACH | UMOUNT_NOFOLLOW);
  if (freed)
    *freed = dock_volume_dir_size (data);
  cleanup_free char *dir = dock_path (ctx, "volumes/%s", name);
  char rnd[65];
  dock_random_id (rnd);
  cleanup_free char *trash = dock_path (ctx, "volumes/.rm-%.16s", rnd);
  if (rename (dir, trash) < 0)
    return lcr_error_sys (err, "remove %s", name);
  if (lcr_rm_rf_at (AT_FDCWD, trash, err) < 0)
    return lcr_error_wrap (err, "remove %s", name);
  return 0;
}

int
dock_volume_remove (struct dock_ctx *ctx, const char *name, long long *freed, lcr_error_t *err)
{
  if (dock_lock (ctx, err) < 0)
    return -1;
  int ret = remove_locked (ctx, name, NULL, freed, err);
  dock_unlock (ctx);
  return ret;
}

int
dock_volumes_remove_anonymous (struct dock_ctx *ctx, jv mounts, const char *container_id, lcr_error_t *err)
{
  if (dock_lock (ctx, err) < 0)
    return -1;
  int ret = 0;
  for (size_t i = 0; i < jv_len (mounts); i++)
    {
      jv m = mounts->u.array.values[i];
      const char *type = jv_get_str (m, "Type"), *name = jv_get_str (m, "Name");
      if (type == NULL || strcmp (type, "volume") != 0 || name == NULL)
        continue;
      cleanup_error lcr_error_t e = NULL;
      cleanup_jv jv meta = dock_volume_load (ctx, name, &e);
      if (meta == NULL || !jv_get_bool (meta, "Anonymous", false))
        continue;
      cleanup_free char *users = volume_users (ctx, name, container_id);
      if (users)
        continue; /* another container shares it (--volumes-from): it stays, as with docker */
      if (remove_locked (ctx, name, container_id, NULL, err) < 0)
        {
          ret = -1;
          break;
        }
    }
  dock_unlock (ctx);
  return ret;
}

jv
dock_volume_inspect_json (struct dock_ctx *ctx, const char *name, lcr_error_t *err)
{
  cleanup_jv jv meta = dock_volume_load (ctx, name, err);
  return meta ? dock_volume_public (meta) : NULL;
}
