/* dock — what `images`, `image inspect` and `history` show, as JSON values in docker's shapes
 * (so --format templates read the same fields as docker's).
 *
 * `images` reads refs.json alone: the size and creation time are cached there at load time.
 */
#define _GNU_SOURCE
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "image/digest.h"
#include "image/filter.h"
#include "image/image.h"
#include "image/imgstore.h"
#include "image/parse.h"
#include "store/store.h"

/* docker's CreatedAt: Go's time.String() in local time, "2023-11-14 22:13:20 +0000 UTC" */
static void
created_at (long long t, char *buf, size_t len)
{
  time_t tt = (time_t)t;
  struct tm tm;
  localtime_r (&tt, &tm);
  strftime (buf, len, "%Y-%m-%d %H:%M:%S %z %Z", &tm);
}

static bool
ref_matches (const char *const *patterns, const char *tag)
{
  if (patterns == NULL || patterns[0] == NULL)
    return true;
  cleanup_free char *fam = dock_ref_familiar (tag);
  cleanup_free char *name = dock_ref_name (tag);
  cleanup_free char *famname = dock_ref_familiar (name);
  for (size_t i = 0; patterns[i]; i++)
    if (fnmatch (patterns[i], fam, FNM_PATHNAME) == 0 || fnmatch (patterns[i], famname, FNM_PATHNAME) == 0)
      return true;
  return false;
}

static jv
make_row (const char *id, jv rec, const char *tag)
{
  jv row = jv_obj ();
  cleanup_free char *name = tag ? dock_ref_name (tag) : NULL;
  cleanup_free char *fam = name ? dock_ref_familiar (name) : NULL;
  jv_set (row, "Repository", jv_str (fam ? fam : "<none>"));
  jv_set (row, "Tag", jv_str (tag ? dock_ref_tag (tag) : "<none>"));
  char shortid[13];
  snprintf (shortid, sizeof shortid, "%s", id + 7);
  jv_set (row, "ID", jv_str (shortid));
  jv_set (row, "FullID", jv_str (id));
  /* the repo digest of this row's repository */
  const char *digest = "<none>";
  jv rd = jv_get_arr (rec, "repoDigests");
  for (size_t i = 0; i < jv_len (rd); i++)
    {
      const char *d = jv_as_str (rd->u.array.values[i]);
      const char *at = d ? strchr (d, '@') : NULL;
      if (at && (name == NULL || (strncmp (d, name, (size_t)(at - d)) == 0 && strlen (name) == (size_t)(at - d))))
        {
          digest = at + 1;
          break;
        }
    }
  jv_set (row, "Digest", jv_str (digest));
  long long created = dock_parse_rfc3339 (jv_get_str (rec, "created"));
  char buf[96];
  jv_set (row, "Created", jv_int (created));
  if (created > 0)
    dock_since_text (created, buf, sizeof buf);
  else
    snprintf (buf, sizeof buf, "N/A");
  jv_set (row, "CreatedSince", jv_str (buf));
  created_at (created > 0 ? created : 0, buf, sizeof buf);
  jv_set (row, "CreatedAt", jv_str (buf));
  uint64_t size = (uint64_t)jv_get_int (rec, "size", 0);
  dock_size_text (size, buf, sizeof buf);
  jv_set (row, "Size", jv_str (buf));
  jv_set (row, "VirtualSize", jv_str (buf));
  jv_set (row, "SizeBytes", jv_int ((long long)size));
  jv_set (row, "Containers", jv_str ("N/A"));
  jv_set (row, "SharedSize", jv_str ("N/A"));
  jv_set (row, "UniqueSize", jv_str ("N/A"));
  jv_set (row, "Dangling", jv_bool (tag == NULL));
  return row;
}

static int
cmp_rows (const void *a, const void *b)
{
  jv x = *(jv const *)a, y = *(jv const *)b;
  long long cx = jv_get_int (x, "Created", 0), cy = jv_get_int (y, "Created", 0);
  if (cx != cy)
    return cx < cy ? 1 : -1;
  int r = strcmp (jv_get_str (x, "FullID"), jv_get_str (y, "FullID"));
  if (r)
    return r;
  r = strcmp (jv_get_str (x, "Repository"), jv_get_str (y, "Repository"));
  return r ? r : strcmp (jv_get_str (x, "Tag"), jv_get_str (y, "Tag"));
}

/* the image IDs the build cache points to (ROOT/build-cache/<key> holds one), read once */
static char **
build_cache_images (struct dock_ctx *ctx)
{
  cleanup_free char *dir = dock_path (ctx, "build-cache");
  cleanup_strv char **keys = dock_list_dir (dir);
  size_t n = 0;
  while (keys && keys[n])
    n++;
  char **out = xmalloc0 ((n + 1) * sizeof *out);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *p = dock_path (ctx, "build-cache/%s", keys[i]);
      cleanup_free char *buf = NULL;
      size_t len = 0;
      cleanup_error lcr_error_t e = NULL;
      if (lcr_read_file (p, &buf, &len, &e) < 0)
        continue;
      buf[strcspn (buf, " \t\r\n")] = '\0';
      out[k++] = steal_pointer (&buf);
    }
  return out;
}

bool
dock_image_is_intermediate (struct dock_ctx *ctx, const char *id, char ***cache)
{
  if (*cache == NULL)
    *cache = build_cache_images (ctx);
  for (char **c = *cache; *c; c++)
    if (strcmp (*c, id) == 0)
      return true;
  return false;
}

jv
dock_image_rows (struct dock_ctx *ctx, const struct dock_image_filter *f, lcr_error_t *err)
{
  const char *const *reference = f ? (const char *const *)f->reference : NULL;
  int dangling = f ? f->dangling : -1;
  cleanup_jv jv refs = dock_refs_load (ctx, err);
  if (refs == NULL)
    return NULL;
  jv rows = jv_arr ();
  jv images = jv_get_obj (refs, "images");
  bool filtering = reference && reference[0];
  cleanup_strv char **cached = NULL;
  for (size_t i = 0; i < jv_len (images); i++)
    {
      const char *id = images->u.object.keys[i];
      jv rec = images->u.object.values[i];
      if (!dock_image_filter_match (ctx, f, id, rec))
        continue;
      cleanup_strv char **tags = dock_refs_tags_of (refs, id);
      if (tags[0] == NULL)
        {
          /* docker's intermediate images (a build's steps) show only with -a, and are not
             dangling */
          bool intermediate = dock_image_is_intermediate (ctx, id, &cached);
          if (dangling != 0 && !filtering && (!intermediate || (f && f->all && dangling != 1)))
            jv_push (rows, make_row (id, rec, NULL));
          continue;
        }
      if (dangling == 1)
        continue;
      for (size_t t = 0; tags[t]; t++)
        if (ref_matches (reference, tags[t]))
          jv_push (rows, make_row (id, rec, tags[t]));
    }
  if (rows->u.array.len > 1)
    qsort (rows->u.array.values, rows->u.array.len, sizeof (jv), cmp_rows);
  return rows;
}

/* ---- inspect -------------------------------------------------------------------------------- */

static jv
copy_or (jv v, jv dflt)
{
  if (v)
    {
      jv_free (dflt);
      return jv_copy (v);
    }
  return dflt;
}

jv
dock_image_inspect_json (struct dock_ctx *ctx, const char *ref, lcr_error_t *err)
{
  cleanup_jv jv refs = dock_refs_load (ctx, err);
  if (refs == NULL)
    return NULL;
  cleanup_free char *by_ref = NULL;
  const char *id = dock_refs_find (refs, ref, &by_ref, err);
  if (id == NULL)
    return NULL;
  jv rec = jv_get_obj (jv_get_obj (refs, "images"), id);
  cleanup_free char *cfg = NULL;
  size_t len;
  if (dock_blob_read (ctx, id, &cfg, &len, err) < 0)
    return NULL;
  cleanup_jv jv config = dock_parse_image_config (cfg, len, id, err);
  if (config == NULL)
    return NULL;
  jv o = jv_obj ();
  jv_set (o, "Id", jv_str (id));
  cleanup_strv char **tags = dock_refs_tags_of (refs, id);
  jv rt = jv_set (o, "RepoTags", jv_arr ());
  for (size_t i = 0; tags[i]; i++)
    {
      cleanup_free char *f = dock_ref_familiar (tags[i]);
      jv_push (rt, jv_str (f));
    }
  jv rdo = jv_set (o, "RepoDigests", jv_arr ());
  jv rd = jv_get_arr (rec, "repoDigests");
  for (size_t i = 0; i < jv_len (rd); i++)
    if (jv_as_str (rd->u.array.values[i]))
      {
        cleanup_free char *f = dock_ref_familiar (jv_as_str (rd->u.array.values[i]));
        jv_push (rdo, jv_str (f));
      }
  jv_set (o, "Parent", jv_str (jv_get_str (config, "parent") ?: ""));
  jv_set (o, "Comment", jv_str (jv_get_str (config, "comment") ?: ""));
  jv_set (o, "Created", jv_str (jv_get_str (config, "created") ?: ""));
  jv_set (o, "Container", jv_str (jv_get_str (config, "container") ?: ""));
  jv_set (o, "ContainerConfig", copy_or (jv_get_obj (config, "container_config"), jv_obj ()));
  jv_set (o, "DockerVersion", jv_str (jv_get_str (config, "docker_version") ?: ""));
  jv_set (o, "Author", jv_str (jv_get_str (config, "author") ?: ""));
  jv_set (o, "Config", copy_or (jv_get_obj (config, "config"), jv_obj ()));
  jv_set (o, "Architecture", jv_str (jv_get_str (config, "architecture") ?: ""));
  if (jv_get_str (config, "variant"))
    jv_set (o, "Variant", jv_str (jv_get_str (config, "variant")));
  jv_set (o, "Os", jv_str (jv_get_str (config, "os") ?: ""));
  long long size = jv_get_int (rec, "size", 0);
  jv_set (o, "Size", jv_int (size));
  jv_set (o, "VirtualSize", jv_int (size));
  /* where the layers are, as docker's overlay2 driver says it */
  jv gd = jv_set (o, "GraphDriver", jv_obj ());
  jv data = jv_set (gd, "Data", jv_obj ());
  jv layers = jv_get_arr (rec, "layers");
  size_t nl = jv_len (layers);
  if (nl)
    {
      cleanup_free char *top = dock_path (ctx, "layers/%s/diff", jv_as_str (layers->u.array.values[nl - 1]));
      if (nl > 1)
        {
          char *lower = NULL;
          for (size_t i = nl - 1; i-- > 0;)
            {
              cleanup_free char *p = dock_path (ctx, "layers/%s/diff", jv_as_str (layers->u.array.values[i]));
              char *n;
              xasprintf (&n, "%s%s%s", lower ? lower : "", lower ? ":" : "", p);
              free (lower);
              lower = n;
            }
          jv_set (data, "LowerDir", jv_str (lower));
          free (lower);
        }
      jv_set (data, "UpperDir", jv_str (top));
    }
  jv_set (gd, "Name", jv_str ("overlay2"));
  jv rootfs = jv_set (o, "RootFS", jv_obj ());
  jv_set (rootfs, "Type", jv_str ("layers"));
  jv_set (rootfs, "Layers", copy_or (jv_path (config, "rootfs", "diff_ids", NULL), jv_arr ()));
  jv md = jv_set (o, "Metadata", jv_obj ());
  jv_set (md, "LastTagTime", jv_str (jv_get_str (rec, "lastTag") ?: "0001-01-01T00:00:00Z"));
  return o;
}

/* ---- history -------------------------------------------------------------------------------- */

static jv
history_row (const char *id, long long created, const char *created_by, uint64_t size, const char *comment)
{
  jv row = jv_obj ();
  char buf[96];
  jv_set (row, "ID", jv_str (id));
  jv_set (row, "Created", jv_int (created));
  if (created > 0)
    dock_since_text (created, buf, sizeof buf);
  else
    snprintf (buf, sizeof buf, "N/A");
  jv_set (row, "CreatedSince", jv_str (buf));
  char at[64];
  time_t tt = (time_t)(created > 0 ? created : 0);
  struct tm tm;
  localtime_r (&tt, &tm);
  strftime (at, sizeof at, "%Y-%m-%dT%H:%M:%S%z", &tm);
  /* RFC 3339 wants the zone as +hh:mm */
  size_t n = strlen (at);
  if (n > 4 && (at[n - 5] == '+' || at[n - 5] == '-'))
    {
      memmove (at + n - 1, at + n - 2, 3);
      at[n - 2] = ':';
    }
  jv_set (row, "CreatedAt", jv_str (at));
  jv_set (row, "CreatedBy", jv_str (created_by ? created_by : ""));
  jv_set (row, "SizeBytes", jv_int ((long long)size));
  dock_size_text (size, buf, sizeof buf);
  jv_set (row, "Size", jv_str (buf));
  jv_set (row, "Comment", jv_str (comment ? comment : ""));
  return row;
}

jv
dock_image_history (struct dock_ctx *ctx, const char *ref, lcr_error_t *err)
{
  cleanup_jv jv refs = dock_refs_load (ctx, err);
  if (refs == NULL)
    return NULL;
  cleanup_free char *by_ref = NULL;
  const char *id = dock_refs_find (refs, ref, &by_ref, err);
  if (id == NULL)
    return NULL;
  jv rec = jv_get_obj (jv_get_obj (refs, "images"), id);
  cleanup_free char *cfg = NULL;
  size_t len;
  if (dock_blob_read (ctx, id, &cfg, &len, err) < 0)
    return NULL;
  cleanup_jv jv config = dock_parse_image_config (cfg, len, id, err);
  if (config == NULL)
    return NULL;
  jv layers = jv_get_arr (rec, "layers");
  jv hist = jv_get_arr (config, "history");
  cleanup_jv jv rows = jv_arr (); /* oldest first, reversed at the end */
  size_t li = 0;
  for (size_t i = 0; i < jv_len (hist); i++)
    {
      jv h = hist->u.array.values[i];
      uint64_t size = 0;
      if (!jv_get_bool (h, "empty_layer", false) && li < jv_len (layers))
        {
          cleanup_jv jv meta = dock_layer_meta (ctx, jv_as_str (layers->u.array.values[li++]));
          size = (uint64_t)jv_get_int (meta, "size", 0);
        }
      jv_push (rows, history_row ("<missing>", dock_parse_rfc3339 (jv_get_str (h, "created")),
                                  jv_get_str (h, "created_by"), size, jv_get_str (h, "comment")));
    }
  /* layers the history does not account for (an image without history) */
  for (; li < jv_len (layers); li++)
    {
      cleanup_jv jv meta = dock_layer_meta (ctx, jv_as_str (layers->u.array.values[li]));
      jv_push (rows, history_row ("<missing>", dock_parse_rfc3339 (jv_get_str (config, "created")), "",
                                  (uint64_t)jv_get_int (meta, "size", 0), ""));
    }
  jv out = jv_arr ();
  for (size_t i = jv_len (rows); i-- > 0;)
    jv_push (out, jv_copy (rows->u.array.values[i]));
  if (jv_len (out))
    jv_set (out->u.array.values[0], "ID", jv_str (id));
  else
    jv_push (out, history_row (id, dock_parse_rfc3339 (jv_get_str (config, "created")), "", 0, ""));
  return out;
}
