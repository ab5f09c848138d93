/* dock — the image store's records, staging and deletion (see imgstore.h). */
#define _GNU_SOURCE
#include "image/imgstore.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/image.h"
#include "image/parse.h"
#include "store/store.h"

int
dock_image_store_init (struct dock_ctx *ctx, lcr_error_t *err)
{
  if (lcr_mkdir_p (ctx->root, 0700, err) < 0 || dock_lock (ctx, err) < 0)
    return -1;
  int r = dock_store_init (ctx, err);
  dock_unlock (ctx);
  return r;
}

jv
dock_refs_load (struct dock_ctx *ctx, lcr_error_t *err)
{
  cleanup_free char *p = dock_path (ctx, "refs.json");
  cleanup_free char *buf = NULL;
  size_t len = 0;
  jv v = NULL;
  if (lcr_read_file (p, &buf, &len, err) < 0)
    {
      if ((*err)->errno_ != ENOENT)
        return NULL;
      lcr_error_release (err);
    }
  else if ((v = jv_parse (buf, len, p, err)) == NULL)
    return NULL;
  if (v == NULL || v->type != yajl_t_object)
    {
      jv_free (v);
      v = jv_obj ();
    }
  jv_child_obj (v, "refs");
  jv_child_obj (v, "images");
  return v;
}

int
dock_refs_save (struct dock_ctx *ctx, jv refs, lcr_error_t *err)
{
  cleanup_close int rootfd = open (ctx->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return lcr_error_sys (err, "open `%s`", ctx->root);
  if (jv_save_at (rootfd, "refs.json", refs, err) < 0)
    return -1;
  /* index.json: the OCI layout's view of the same images */
  cleanup_jv jv idx = jv_obj ();
  jv_set (idx, "schemaVersion", jv_int (2));
  jv_set (idx, "mediaType", jv_str ("application/vnd.oci.image.index.v1+json"));
  jv ms = jv_set (idx, "manifests", jv_arr ());
  jv images = jv_get_obj (refs, "images");
  for (size_t i = 0; i < jv_len (images); i++)
    {
      jv im = images->u.object.values[i];
      jv d = jv_push (ms, jv_obj ());
      const char *mt = jv_get_str (im, "manifestType");
      jv_set (d, "mediaType", jv_str (mt ? mt : "application/vnd.oci.image.manifest.v1+json"));
      jv_set (d, "digest", jv_str (jv_get_str (im, "manifest")));
      jv_set (d, "size", jv_int (jv_get_int (im, "manifestSize", 0)));
    }
  return jv_save_at (rootfd, "index.json", idx, err);
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

char **
dock_refs_tags_of (jv refs, const char *id)
{
  jv r = jv_get_obj (refs, "refs");
  size_t n = 0;
  char **v = xmalloc0 ((jv_len (r) + 1) * sizeof (char *));
  for (size_t i = 0; i < jv_len (r); i++)
    {
      const char *target = jv_as_str (r->u.object.values[i]);
      if (target && strcmp (target, id) == 0)
        v[n++] = xstrdup (r->u.object.keys[i]);
    }
  qsort (v, n, sizeof (char *), cmp_str);
  return v;
}

static bool
is_hex (const char *s)
{
  if (*s == '\0')
    return false;
  for (; *s; s++)
    if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
      return false;
  return true;
}

const char *
dock_refs_find (jv refs, const char *ref, char **by_ref, lcr_error_t *err)
{
  jv images = jv_get_obj (refs, "images");
  jv r = jv_get_obj (refs, "refs");
  *by_ref = NULL;
  const char *hex = strncmp (ref, "sha256:", 7) == 0 ? ref + 7 : NULL;
  /* a full ID */
  if (hex && strlen (hex) == 64)
    {
      for (size_t i = 0; i < jv_len (images); i++)
        if (strcmp (images->u.object.keys[i], ref) == 0)
          return images->u.object.keys[i];
    }
  else if (hex == NULL)
    {
      /* a reference: name[:tag] or name@digest */
      lcr_error_t ignored = NULL;
      cleanup_free char *norm = dock_ref_normalize (ref, &ignored);
      lcr_error_release (&ignored);
      if (norm)
        {
          char *at = strchr (norm, '@');
          if (at)
            {
              /* name@digest: a repo digest of an image, else its manifest or ID */
              cleanup_free char *name = dock_ref_name (norm);
              cleanup_free char *want = NULL;
              xasprintf (&want, "%s%s", name, at);
              for (size_t i = 0; i < jv_len (images); i++)
                {
                  jv im = images->u.object.values[i];
                  jv rd = jv_get_arr (im, "repoDigests");
                  for (size_t j = 0; j < jv_len (rd); j++)
                    if (jv_as_str (rd->u.array.values[j]) && strcmp (jv_as_str (rd->u.array.values[j]), want) == 0)
                      goto found_digest;
                  const char *man = jv_get_str (im, "manifest");
                  if (man && strcmp (man, at + 1) == 0)
                    goto found_digest;
                  continue;
                found_digest:
                  *by_ref = xstrdup (want);
                  return images->u.object.keys[i];
                }
            }
          else
            {
              const char *id = jv_get_str (r, norm);
              if (id && jv_get (images, id))
                {
                  *by_ref = steal_pointer (&norm);
                  return jv_get (images, id) ? id : NULL;
                }
            }
        }
      hex = ref;
    }
  /* a unique prefix of an ID */
  if (is_hex (hex) && strlen (hex) <= 64)
    {
      const char *match = NULL;
      size_t hl = strlen (hex);
      for (size_t i = 0; i < jv_len (images); i++)
        {
          const char *id = images->u.object.keys[i];
          if (strncmp (id + 7, hex, hl) == 0)
            {
              if (match)
                {
                  cleanup_free char *s = lcr_escape_controls (ref);
                  lcr_error_make (err, 0, LCR_ERR_INVALID, "%s: ambiguous image ID prefix: more than one image matches",
                                  s);
                  return NULL;
                }
              match = id;
            }
        }
      if (match)
        return match;
    }
  cleanup_free char *s = lcr_escape_controls (ref);
  lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "No such image: %s", s);
  return NULL;
}

int
dock_blob_read (struct dock_ctx *ctx, const char *digest, char **out, size_t *len, lcr_error_t *err)
{
  const char *hex = dock_digest_hex (digest);
  if (hex == NULL)
    return lcr_error_invalid (err, "invalid digest `%s`", digest);
  cleanup_free char *p = dock_path (ctx, "blobs/sha256/%s", hex);
  cleanup_free char *buf = NULL;
  if (lcr_read_file (p, &buf, len, err) < 0)
    return lcr_error_wrap (err, "blob %s", digest);
  char got[72];
  dock_sha256_buf (buf, *len, got);
  if (strcmp (got, digest) != 0)
    return lcr_error_invalid (err, "blob %s is corrupt: its content hashes to %s", digest, got);
  *out = steal_pointer (&buf);
  return 0;
}

jv
dock_layer_meta (struct dock_ctx *ctx, const char *chain_hex)
{
  cleanup_free char *p = dock_path (ctx, "layers/%s/meta.json", chain_hex);
  lcr_error_t ignored = NULL;
  jv v = jv_load (p, &ignored);
  lcr_error_release (&ignored);
  return v;
}

void
dock_new_image_clear (struct dock_new_image *im)
{
  for (size_t i = 0; i < im->n_layers; i++)
    {
      free (im->chains[i]);
      free (im->layer_blobs[i]);
      if (im->layer_types)
        free (im->layer_types[i]);
    }
  free (im->layer_types);
  free (im->chains);
  free (im->layer_blobs);
  for (size_t i = 0; i < im->n_tags; i++)
    free (im->tags[i]);
  free (im->tags);
  memset (im, 0, sizeof *im);
}

void
dock_new_image_add_tag (struct dock_new_image *im, const char *normalized)
{
  for (size_t i = 0; i < im->n_tags; i++)
    if (strcmp (im->tags[i], normalized) == 0)
      return;
  im->tags = xrealloc (im->tags, (im->n_tags + 1) * sizeof (char *));
  im->tags[im->n_tags++] = xstrdup (normalized);
}

/* ---- staging ------------------------------------------------------------------------------ */

int
dock_stage_new (struct dock_ctx *ctx, struct dock_stage **out, lcr_error_t *err)
{
  cleanup_free char *tmp = dock_path (ctx, "tmp");
  if (lcr_mkdir_p (tmp, 0700, err) < 0)
    return -1;
  char id[65];
  dock_random_id (id);
  struct dock_stage *s = xmalloc0 (sizeof *s);
  s->ctx = ctx;
  s->fd = s->blobs_fd = s->layers_fd = -1;
  /* named after its owner and held locked while it lives, so a later dock can tell the
     leftovers of a crashed one (dock_stage_sweep) */
  pid_t self = getpid ();
  xasprintf (&s->dir, "%s/%d-%llu-%.16s", tmp, (int)self, lcr_proc_start_time (self, NULL), id);
  if (mkdir (s->dir, 0700) < 0)
    {
      lcr_error_sys (err, "mkdir `%s`", s->dir);
      free (s->dir);
      free (s);
      return -1;
    }
  s->fd = open (s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (s->fd >= 0 && flock (s->fd, LOCK_EX | LOCK_NB) < 0)
    {
      close (s->fd);
      s->fd = -1;
    }
  if (s->fd < 0 || mkdirat (s->fd, "blobs", 0700) < 0 || mkdirat (s->fd, "layers", 0700) < 0
      || (s->blobs_fd = openat (s->fd, "blobs", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0
      || (s->layers_fd = openat (s->fd, "layers", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    {
      lcr_error_sys (err, "staging dir `%s`", s->dir);
      dock_stage_free (s);
      return -1;
    }
  *out = s;
  return 0;
}

void
dock_stage_free (struct dock_stage *s)
{
  if (s->blobs_fd >= 0)
    close (s->blobs_fd);
  if (s->layers_fd >= 0)
    close (s->layers_fd);
  if (s->fd >= 0)
    close (s->fd);
  lcr_error_t ignored = NULL;
  lcr_rm_rf_at (AT_FDCWD, s->dir, &ignored);
  lcr_error_release (&ignored);
  free (s->dir);
  free (s);
}

int
dock_stage_blob (struct dock_stage *s, const void *data, size_t len, char digest_out[72], lcr_error_t *err)
{
  dock_sha256_buf (data, len, digest_out);
  return lcr_write_file_at (s->blobs_fd, digest_out + 7, data, len, 0644, err);
}

static bool
exists_at (int dirfd, const char *name)
{
  struct stat st;
  return fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

int
dock_stage_layer (struct dock_stage *s, int fd, const char *parent_chain, const char *want_diff, const char *what,
                  struct dock_layer_result *res, char chain_out[72], lcr_error_t *err)
{
  char tmpblob[32], tmplayer[32];
  /* atomic: a pull stages its layers from several threads at once */
  unsigned n = __atomic_fetch_add (&s->seq, 1, __ATOMIC_RELAXED);
  snprintf (tmpblob, sizeof tmpblob, ".blob-%u", n);
  snprintf (tmplayer, sizeof tmplayer, ".layer-%u", n);
  cleanup_close int copy = openat (s->blobs_fd, tmpblob, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (copy < 0)
    return lcr_error_sys (err, "stage %s", what);
  /* unpack only what neither the store nor this load has yet */
  bool unpack = true;
  char want_chain[72] = "";
  if (want_diff)
    {
      dock_chain_id (parent_chain, want_diff, want_chain);
      cleanup_free char *inroot = dock_path (s->ctx, "layers/%s/diff", want_chain + 7);
      if (access (inroot, F_OK) == 0 || exists_at (s->layers_fd, want_chain + 7))
        unpack = false;
    }
  cleanup_close int ldir = -1;
  if (unpack)
    {
      if (mkdirat (s->layers_fd, tmplayer, 0700) < 0)
        return lcr_error_sys (err, "stage %s", what);
      cleanup_close int lfd = openat (s->layers_fd, tmplayer, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (lfd < 0 || mkdirat (lfd, "diff", 0755) < 0)
        return lcr_error_sys (err, "stage %s", what);
      ldir = openat (lfd, "diff", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (ldir < 0)
        return lcr_error_sys (err, "stage %s", what);
    }
  if (dock_layer_read (fd, ldir, copy, res, err) < 0)
    return lcr_error_wrap (err, "%s", what);
  if (want_diff && strcmp (res->diff_id, want_diff) != 0)
    return lcr_error_invalid (err, "%s: its content hashes to %s but the image config says %s", what, res->diff_id,
                              want_diff);
  dock_chain_id (parent_chain, res->diff_id, chain_out);
  if (renameat (s->blobs_fd, tmpblob, s->blobs_fd, res->blob_digest + 7) < 0)
    return lcr_error_sys (err, "stage %s", what);
  if (unpack)
    {
      cleanup_jv jv meta = jv_obj ();
      jv_set (meta, "diffID", jv_str (res->diff_id));
      jv_set (meta, "chainID", jv_str (chain_out));
      jv_set (meta, "parent", jv_str (parent_chain && *parent_chain ? parent_chain : NULL));
      jv_set (meta, "size", jv_int ((long long)res->unpacked_size));
      jv_set (meta, "tarSize", jv_int ((long long)res->tar_size));
      jv_set (meta, "blob", jv_str (res->blob_digest));
      cleanup_close int lfd = openat (s->layers_fd, tmplayer, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (lfd < 0 || jv_save_at (lfd, "meta.json", meta, err) < 0)
        return lcr_error_wrap (err, "stage %s", what);
      if (exists_at (s->layers_fd, chain_out + 7))
        {
          lcr_error_t ignored = NULL;
          lcr_rm_rf_at (s->layers_fd, tmplayer, &ignored);
          lcr_error_release (&ignored);
        }
      else if (renameat (s->layers_fd, tmplayer, s->layers_fd, chain_out + 7) < 0)
        return lcr_error_sys (err, "stage %s", what);
    }
  return 0;
}

static const char *
find_tag_owner (jv refs, const char *tag)
{
  return jv_get_str (jv_get_obj (refs, "refs"), tag);
}

int
dock_stage_commit (struct dock_stage *s, struct dock_new_image *images, size_t n,
                   void (*report) (void *data, const char *tag, const char *old_id), void *data, lcr_error_t *err)
{
  struct dock_ctx *ctx = s->ctx;
  if (dock_lock (ctx, err) < 0)
    return -1;
  int ret = -1;
  cleanup_close int rootfd = open (ctx->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int rblobs = rootfd < 0 ? -1 : openat (rootfd, "blobs/sha256", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int rlayers = rootfd < 0 ? -1 : openat (rootfd, "layers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_jv jv refs = NULL;
  cleanup_free char *now = NULL;
  if (rootfd < 0 || rblobs < 0 || rlayers < 0)
    {
      lcr_error_sys (err, "open the store `%s`", ctx->root);
      goto out;
    }
  dock_stage_sweep (ctx);
  if ((refs = dock_refs_load (ctx, err)) == NULL)
    goto out;
  /* a layer this load found in the store (so did not unpack) may have been deleted since */
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < images[i].n_layers; j++)
      if (!exists_at (rlayers, images[i].chains[j]) && !exists_at (s->layers_fd, images[i].chains[j]))
        {
          lcr_error_make (err, 0, LCR_ERR_STATE, "layer sha256:%s was removed while the image was loaded: try again",
                          images[i].chains[j]);
          goto out;
        }
  /* only what a new record refers to moves in: an image already in the store keeps its own
     manifest and blobs (the same config may come with other compression) */
  for (size_t i = 0; i < n; i++)
    {
      struct dock_new_image *im = &images[i];
      for (size_t j = 0; j < im->n_layers; j++)
        if (!exists_at (rlayers, im->chains[j]) && renameat (s->layers_fd, im->chains[j], rlayers, im->chains[j]) < 0)
          {
            lcr_error_sys (err, "move layer %s into the store", im->chains[j]);
            goto out;
          }
      if (jv_get (jv_get_obj (refs, "images"), im->id))
        continue;
      for (size_t j = 0; j < im->n_layers + 2; j++)
        {
          const char *d = j < im->n_layers ? im->layer_blobs[j] : j == im->n_layers ? im->manifest : im->id;
          const char *hex = dock_digest_hex (d);
          if (hex && !exists_at (rblobs, hex) && renameat (s->blobs_fd, hex, rblobs, hex) < 0)
            {
              lcr_error_sys (err, "move blob %s into the store", d);
              goto out;
            }
        }
    }
  now = dock_now_rfc3339 ();
  jv all = jv_get_obj (refs, "images");
  jv tags = jv_get_obj (refs, "refs");
  for (size_t i = 0; i < n; i++)
    {
      struct dock_new_image *im = &images[i];
      jv rec = jv_get_obj (all, im->id);
      if (rec)
        goto tags;
      rec = jv_set (all, im->id, jv_obj ());
      jv_set (rec, "loaded", jv_str (now));
      jv_set (rec, "repoDigests", jv_arr ());
      jv_set (rec, "manifest", jv_str (im->manifest));
      jv_set (rec, "manifestSize", jv_int ((long long)im->manifest_size));
      jv_set (rec, "manifestType", jv_str (im->manifest_type ? im->manifest_type : DOCK_MT_OCI_MANIFEST));
      jv_set (rec, "created", jv_str (im->created));
      jv_set (rec, "size", jv_int ((long long)im->size));
      jv_set (rec, "layers", jv_arr_of_strv (im->chains, (long)im->n_layers));
      jv_set (rec, "blobs", jv_arr_of_strv (im->layer_blobs, (long)im->n_layers));
    tags:
      for (size_t t = 0; t < im->n_tags; t++)
        {
          const char *old = find_tag_owner (refs, im->tags[t]);
          if (old && strcmp (old, im->id) != 0 && report)
            report (data, im->tags[t], old);
          jv_set (tags, im->tags[t], jv_str (im->id));
        }
      if (im->n_tags)
        jv_set (rec, "lastTag", jv_str (now));
    }
  if (dock_refs_save (ctx, refs, err) < 0)
    goto out;
  ret = 0;
out:
  dock_unlock (ctx);
  return ret;
}

/* ---- containers --------------------------------------------------------------------------- */

void
dock_containers_using (struct dock_ctx *ctx, const char *image_id, char running[65], char stopped[65])
{
  running[0] = stopped[0] = '\0';
  cleanup_free char *dir = dock_path (ctx, "containers");
  cleanup_strv char **ids = dock_list_dir (dir);
  for (size_t i = 0; ids[i]; i++)
    {
      cleanup_free char *p = dock_path (ctx, "containers/%s/meta.json", ids[i]);
      lcr_error_t ignored = NULL;
      cleanup_jv jv m = jv_load (p, &ignored);
      lcr_error_release (&ignored);
      const char *img = jv_get_str (m, "Image");
      if (img == NULL || strcmp (img, image_id) != 0)
        continue;
      /* docker's shape: State.Running / State.Status (paused and restarting containers run) */
      jv st = jv_get_obj (m, "State");
      const char *status = jv_get_str (st, "Status");
      bool live = jv_get_bool (st, "Running", false) || jv_get_bool (st, "Paused", false)
                  || (status
                      && (strcmp (status, "running") == 0 || strcmp (status, "paused") == 0
                          || strcmp (status, "restarting") == 0));
      char *slot = live ? running : stopped;
      if (slot[0] == '\0')
        snprintf (slot, 65, "%s", ids[i]);
    }
}

/* ---- deletion ----------------------------------------------------------------------------- */

static bool
used_elsewhere (jv refs, const char *id, const char *key, const char *value)
{
  jv images = jv_get_obj (refs, "images");
  for (size_t i = 0; i < jv_len (images); i++)
    {
      if (strcmp (images->u.object.keys[i], id) == 0)
        continue;
      jv im = images->u.object.values[i];
      if (strcmp (key, "manifest") == 0)
        {
          const char *m = jv_get_str (im, "manifest");
          if (m && strcmp (m, value) == 0)
            return true;
          if (strcmp (images->u.object.keys[i], value) == 0)
            return true; /* a config blob */
          continue;
        }
      jv arr = jv_get_arr (im, key);
      for (size_t j = 0; j < jv_len (arr); j++)
        if (jv_as_str (arr->u.array.values[j]) && strcmp (jv_as_str (arr->u.array.values[j]), value) == 0)
          return true;
    }
  return false;
}

static void
remove_blob (int rblobs, const char *digest)
{
  const char *hex = dock_digest_hex (digest);
  if (hex)
    unlinkat (rblobs, hex, 0);
}

int
dock_image_delete_locked (struct dock_ctx *ctx, jv refs, const char *id_in, FILE *out, const char *prefix,
                          uint64_t *freed, lcr_error_t *err)
{
  char id[72];
  snprintf (id, sizeof id, "%s", id_in); /* id_in may point into refs */
  jv images = jv_get_obj (refs, "images");
  jv rec = jv_get_obj (images, id);
  if (rec == NULL)
    return lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "No such image: %s", id);
  cleanup_close int rootfd = open (ctx->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int rblobs = rootfd < 0 ? -1 : openat (rootfd, "blobs/sha256", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int rlayers = rootfd < 0 ? -1 : openat (rootfd, "layers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0 || rblobs < 0 || rlayers < 0)
    return lcr_error_sys (err, "open the store `%s`", ctx->root);
  /* drop its tags */
  jv tags = jv_get_obj (refs, "refs");
  for (size_t i = jv_len (tags); i-- > 0;)
    if (jv_as_str (tags->u.object.values[i]) && strcmp (jv_as_str (tags->u.object.values[i]), id) == 0)
      jv_del (tags, tags->u.object.keys[i]);
  if (out)
    fprintf (out, "%s%s\n", prefix ? prefix : "Deleted: ", id);
  uint64_t bytes = 0;
  jv layers = jv_get_arr (rec, "layers");
  for (size_t j = jv_len (layers); j-- > 0;)
    {
      const char *chain = jv_as_str (layers->u.array.values[j]);
      if (chain == NULL || !dock_is_hex_id (chain, 64) || used_elsewhere (refs, id, "layers", chain))
        continue;
      cleanup_jv jv meta = dock_layer_meta (ctx, chain);
      bytes += (uint64_t)jv_get_int (meta, "size", 0);
      /* renamed away first, so a crash in the middle of a big tree leaves no half layer under its name */
      char gone[96];
      snprintf (gone, sizeof gone, ".gone-%s", chain);
      if (renameat (rlayers, chain, rlayers, gone) < 0 && errno != ENOENT)
        return lcr_error_sys (err, "remove layer %s", chain);
      if (lcr_rm_rf_at (rlayers, gone, err) < 0)
        return -1;
      if (out)
        fprintf (out, "%ssha256:%s\n", prefix ? prefix : "Deleted: ", chain);
    }
  jv blobs = jv_get_arr (rec, "blobs");
  for (size_t j = 0; j < jv_len (blobs); j++)
    {
      const char *b = jv_as_str (blobs->u.array.values[j]);
      if (b && !used_elsewhere (refs, id, "blobs", b))
        remove_blob (rblobs, b);
    }
  const char *man = jv_get_str (rec, "manifest");
  if (man && !used_elsewhere (refs, id, "manifest", man))
    remove_blob (rblobs, man);
  if (!used_elsewhere (refs, id, "manifest", id))
    remove_blob (rblobs, id);
  jv_del (images, id);
  if (freed)
    *freed += bytes;
  return 0;
}

/* ---- docker's human units ------------------------------------------------------------------ */

void
dock_size_text (uint64_t n, char *buf, size_t len)
{
  static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  double v = (double)n;
  size_t u = 0;
  while (v >= 1000.0 && u + 1 < sizeof units / sizeof *units)
    {
      v /= 1000.0;
      u++;
    }
  snprintf (buf, len, "%.3g%s", v, units[u]);
}

void
dock_since_text (long long t, char *buf, size_t len)
{
  long long secs = (long long)time (NULL) - t;
  const char *word;
  if (secs < 1)
    {
      snprintf (buf, len, "Less than a second ago");
      return;
    }
  if (secs == 1)
    word = "1 second";
  else if (secs < 60)
    {
      snprintf (buf, len, "%lld seconds ago", secs);
      return;
    }
  else if (secs / 60 == 1)
    word = "About a minute";
  else if (secs / 60 < 60)
    {
      snprintf (buf, len, "%lld minutes ago", secs / 60);
      return;
    }
  else
    {
      /* hours rounded to the nearest, as docker */
      long long hours = (secs + 1800) / 3600;
      if (hours == 1)
        word = "About an hour";
      else if (hours < 48)
        {
          snprintf (buf, len, "%lld hours ago", hours);
          return;
        }
      else if (hours < 24 * 7 * 2)
        {
          snprintf (buf, len, "%lld days ago", hours / 24);
          return;
        }
      else if (hours < 24 * 30 * 2)
        {
          snprintf (buf, len, "%lld weeks ago", hours / 24 / 7);
          return;
        }
      else if (hours < 24 * 365 * 2)
        {
          snprintf (buf, len, "%lld months ago", hours / 24 / 30);
          return;
        }
      else
        {
          snprintf (buf, len, "%lld years ago", secs / 3600 / 24 / 365);
          return;
        }
    }
  snprintf (buf, len, "%s ago", word);
}
