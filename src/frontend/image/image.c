/* dock — images: resolve, commit, tag, remove, prune (see image.h). */
#define _GNU_SOURCE
#include "image/image.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/filter.h"
#include "image/imgstore.h"
#include "image/parse.h"
#include "store/store.h"

void
dock_image_free (struct dock_image *img)
{
  if (img == NULL)
    return;
  free (img->ref);
  jv_free (img->config);
  for (size_t i = 0; img->layer_dirs && img->layer_dirs[i]; i++)
    free (img->layer_dirs[i]);
  free (img->layer_dirs);
  free (img);
}

int
dock_image_resolve (struct dock_ctx *ctx, const char *ref, struct dock_image **out, lcr_error_t *err)
{
  cleanup_jv jv refs = dock_refs_load (ctx, err);
  if (refs == NULL)
    return -1;
  cleanup_free char *by_ref = NULL;
  const char *id = dock_refs_find (refs, ref, &by_ref, err);
  if (id == NULL)
    return -1;
  cleanup_free char *cfg = NULL;
  size_t len;
  if (dock_blob_read (ctx, id, &cfg, &len, err) < 0)
    return lcr_error_wrap (err, "image %.19s", id);
  jv config = dock_parse_image_config (cfg, len, id, err);
  if (config == NULL)
    return -1;
  struct dock_image *img = xmalloc0 (sizeof *img);
  snprintf (img->id, sizeof img->id, "%s", id);
  img->config = config;
  if (by_ref && strchr (by_ref, '@') == NULL)
    img->ref = dock_ref_familiar (by_ref);
  jv layers = jv_get_arr (jv_get_obj (jv_get_obj (refs, "images"), id), "layers");
  img->n_layers = jv_len (layers);
  img->layer_dirs = xmalloc0 ((img->n_layers + 1) * sizeof (char *));
  for (size_t i = 0; i < img->n_layers; i++)
    img->layer_dirs[i] = dock_path (ctx, "layers/%s/diff", jv_as_str (layers->u.array.values[i]));
  *out = img;
  return 0;
}

/* ---- commit --------------------------------------------------------------------------------- */

int
dock_image_commit (struct dock_ctx *ctx, const struct dock_image *base, const char *config_json, const char *layer_tar,
                   const char *ref, char id_out[72], lcr_error_t *err)
{
  if (dock_image_store_init (ctx, err) < 0)
    return -1;
  cleanup_jv jv config = jv_parse (config_json, strlen (config_json), "image config", err);
  if (config == NULL)
    return -1;
  if (config->type != yajl_t_object)
    return lcr_error_invalid (err, "image config: not an object");
  cleanup_free char *norm = NULL;
  if (ref)
    {
      norm = dock_ref_normalize (ref, err);
      if (norm == NULL)
        return -1;
      if (strchr (norm, '@'))
        return lcr_error_invalid (err, "refusing to create a tag with a digest reference");
    }
  cleanup_jv jv refs = dock_refs_load (ctx, err);
  if (refs == NULL)
    return -1;
  jv base_rec = NULL;
  cleanup_jv jv base_man = NULL;
  if (base)
    {
      base_rec = jv_get_obj (jv_get_obj (refs, "images"), base->id);
      if (base_rec == NULL)
        return lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "No such image: %s", base->id);
      cleanup_free char *mt = NULL;
      size_t ml;
      if (dock_blob_read (ctx, jv_get_str (base_rec, "manifest"), &mt, &ml, err) < 0)
        return -1;
      if ((base_man = dock_parse_oci_manifest (mt, ml, "base manifest", err)) == NULL)
        return -1;
    }
  cleanup_stage struct dock_stage *stage = NULL;
  if (dock_stage_new (ctx, &stage, err) < 0)
    return -1;
  struct dock_new_image im = {0};
  int ret = -1;
  cleanup_jv jv diff_ids = NULL;
  cleanup_jv jv man_layers = NULL;
  cleanup_jv jv man = NULL;
  cleanup_free char *ctext = NULL;
  cleanup_free char *mtext = NULL;
  jv base_layers = jv_get_arr (base_rec, "layers");
  jv base_blobs = jv_get_arr (base_rec, "blobs");
  jv base_ids = base ? jv_path (base->config, "rootfs", "diff_ids", NULL) : NULL;
  size_t nb = jv_len (base_layers);
  if (jv_len (base_ids) != nb || jv_len (jv_get_arr (base_man, "layers")) != nb)
    {
      lcr_error_invalid (err, "base image %s: its config, manifest and layers disagree", base->id);
      goto out;
    }
  im.chains = xmalloc0 ((nb + 2) * sizeof (char *));
  im.layer_blobs = xmalloc0 ((nb + 2) * sizeof (char *));
  im.layer_types = xmalloc0 ((nb + 2) * sizeof (char *));
  diff_ids = jv_arr ();
  man_layers = base_man ? jv_copy (jv_get_arr (base_man, "layers")) : jv_arr ();
  for (size_t i = 0; i < nb; i++)
    {
      im.chains[i] = xstrdup (jv_as_str (base_layers->u.array.values[i]));
      im.layer_blobs[i] = xstrdup (jv_as_str (base_blobs->u.array.values[i]) ?: "");
      im.layer_types[i] = xstrdup ("");
      im.n_layers = i + 1;
      jv_push (diff_ids, jv_copy (base_ids->u.array.values[i]));
    }
  im.size = (uint64_t)jv_get_int (base_rec, "size", 0);
  if (layer_tar)
    {
      cleanup_close int fd = open (layer_tar, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        {
          lcr_error_sys (err, "open `%s`", layer_tar);
          goto out;
        }
      char parent[72] = "", chain[72];
      if (nb)
        snprintf (parent, sizeof parent, "sha256:%s", im.chains[nb - 1]);
      struct dock_layer_result res;
      if (dock_stage_layer (stage, fd, parent, NULL, "new layer", &res, chain, err) < 0)
        goto out;
      im.chains[nb] = xstrdup (chain + 7);
      im.layer_blobs[nb] = xstrdup (res.blob_digest);
      im.layer_types[nb] = xstrdup (res.media_type);
      im.n_layers = nb + 1;
      jv_push (diff_ids, jv_str (res.diff_id));
      jv d = jv_push (man_layers, jv_obj ());
      jv_set (d, "mediaType", jv_str (*res.media_type ? res.media_type : "application/vnd.oci.image.layer.v1.tar"));
      jv_set (d, "digest", jv_str (res.blob_digest));
      jv_set (d, "size", jv_int ((long long)res.blob_size));
      cleanup_jv jv meta = dock_layer_meta (ctx, chain + 7);
      if (meta == NULL)
        {
          cleanup_free char *p = NULL;
          xasprintf (&p, "%s/layers/%s/meta.json", stage->dir, chain + 7);
          lcr_error_t ignored = NULL;
          meta = jv_load (p, &ignored);
          lcr_error_release (&ignored);
        }
      im.size += (uint64_t)jv_get_int (meta, "size", 0);
    }
  /* the config's rootfs is what the layers are, whatever the caller wrote */
  jv rootfs = jv_set (config, "rootfs", jv_obj ());
  jv_set (rootfs, "type", jv_str ("layers"));
  jv_set (rootfs, "diff_ids", steal_pointer (&diff_ids));
  if (jv_get_str (config, "created") == NULL)
    {
      cleanup_free char *now = dock_now_rfc3339 ();
      jv_set (config, "created", jv_str (now));
    }
  snprintf (im.created, sizeof im.created, "%s", jv_get_str (config, "created"));
  ctext = jv_dump (config, false);
  if (dock_stage_blob (stage, ctext, strlen (ctext), im.id, err) < 0)
    goto out;
  man = jv_obj ();
  jv_set (man, "schemaVersion", jv_int (2));
  jv_set (man, "mediaType", jv_str (DOCK_MT_OCI_MANIFEST));
  jv c = jv_set (man, "config", jv_obj ());
  jv_set (c, "mediaType", jv_str (DOCK_MT_OCI_CONFIG));
  jv_set (c, "digest", jv_str (im.id));
  jv_set (c, "size", jv_int ((long long)strlen (ctext)));
  jv_set (man, "layers", steal_pointer (&man_layers));
  mtext = jv_dump (man, false);
  if (dock_stage_blob (stage, mtext, strlen (mtext), im.manifest, err) < 0)
    goto out;
  im.manifest_size = strlen (mtext);
  im.manifest_type = DOCK_MT_OCI_MANIFEST;
  if (norm)
    dock_new_image_add_tag (&im, norm);
  if (dock_stage_commit (stage, &im, 1, NULL, NULL, err) < 0)
    goto out;
  snprintf (id_out, 72, "%s", im.id);
  ret = 0;
out:
  dock_new_image_clear (&im);
  return ret;
}

/* ---- tag, rmi, prune ------------------------------------------------------------------------ */

int
dock_image_tag (struct dock_ctx *ctx, const char *src, const char *target, lcr_error_t *err)
{
  cleanup_free char *norm = dock_ref_normalize (target, err);
  if (norm == NULL)
    return -1;
  if (strchr (norm, '@'))
    return lcr_error_invalid (err, "refusing to create a tag with a digest reference");
  if (dock_lock (ctx, err) < 0)
    return -1;
  int ret = -1;
  cleanup_jv jv refs = dock_refs_load (ctx, err);
  cleanup_free char *by_ref = NULL;
  const char *id = refs ? dock_refs_find (refs, src, &by_ref, err) : NULL;
  if (id)
    {
      char idc[72];
      snprintf (idc, sizeof idc, "%s", id);
      jv_set (jv_get_obj (refs, "refs"), norm, jv_str (idc));
      cleanup_free char *now = dock_now_rfc3339 ();
      jv_set (jv_get_obj (jv_get_obj (refs, "images"), idc), "lastTag", jv_str (now));
      ret = dock_refs_save (ctx, refs, err);
    }
  dock_unlock (ctx);
  return ret;
}

static void
untag (jv refs, const char *tag, FILE *out, const char *prefix)
{
  cleanup_free char *f = dock_ref_familiar (tag);
  fprintf (out, "%s%s\n", prefix, f);
  jv_del (jv_get_obj (refs, "refs"), tag);
}

static int
remove_locked (struct dock_ctx *ctx, jv refs, const char *ref, bool force, FILE *out, lcr_error_t *err)
{
  cleanup_free char *by_ref = NULL;
  const char *found = dock_refs_find (refs, ref, &by_ref, err);
  if (found == NULL)
    return -1;
  char id[72];
  snprintf (id, sizeof id, "%s", found);
  cleanup_strv char **tags = dock_refs_tags_of (refs, id);
  size_t ntags = 0;
  while (tags[ntags])
    ntags++;
  char running[65], stopped[65];
  dock_containers_using (ctx, id, running, stopped);
  bool by_tag = by_ref && strchr (by_ref, '@') == NULL;

  if (by_tag && ntags > 1)
    {
      /* one of several names: only that name goes */
      untag (refs, by_ref, out, "Untagged: ");
      return 0;
    }
  if (running[0])
    return lcr_error_make (err, 0, LCR_ERR_STATE,
                           "conflict: unable to %s %.12s (cannot be forced) - image is being used by running container "
                           "%.12s",
                           by_tag ? "remove repository reference of" : "delete", id + 7, running);
  if (stopped[0] && !force)
    {
      if (by_tag)
        {
          cleanup_free char *f = dock_ref_familiar (by_ref);
          return lcr_error_make (
              err, 0, LCR_ERR_STATE,
              "conflict: unable to remove repository reference \"%s\" (must force) - container %.12s "
              "is using its referenced image %.12s",
              f, stopped, id + 7);
        }
      return lcr_error_make (err, 0, LCR_ERR_STATE,
                             "conflict: unable to delete %.12s (must be forced) - image is being used by stopped "
                             "container %.12s",
                             id + 7, stopped);
    }
  if (!by_tag && ntags > 1 && !force)
    return lcr_error_make (err, 0, LCR_ERR_STATE,
                           "conflict: unable to delete %.12s (must be forced) - image is referenced in multiple "
                           "repositories",
                           id + 7);
  for (size_t i = 0; tags[i]; i++)
    untag (refs, tags[i], out, "Untagged: ");
  jv rec = jv_get_obj (jv_get_obj (refs, "images"), id);
  jv rd = jv_get_arr (rec, "repoDigests");
  for (size_t i = 0; i < jv_len (rd); i++)
    if (jv_as_str (rd->u.array.values[i]))
      {
        cleanup_free char *f = dock_ref_familiar (jv_as_str (rd->u.array.values[i]));
        fprintf (out, "Untagged: %s\n", f);
      }
  if (stopped[0])
    return 0; /* forced while a stopped container uses it: it stays, untagged, for the container */
  return dock_image_delete_locked (ctx, refs, id, out, "Deleted: ", NULL, err);
}

int
dock_image_remove (struct dock_ctx *ctx, const char *ref, bool force, FILE *out, lcr_error_t *err)
{
  if (dock_lock (ctx, err) < 0)
    return -1;
  int ret = -1;
  cleanup_jv jv refs = dock_refs_load (ctx, err);
  if (refs && remove_locked (ctx, refs, ref, force, out, err) == 0)
    ret = dock_refs_save (ctx, refs, err);
  dock_unlock (ctx);
  return ret;
}

int
dock_image_prune (struct dock_ctx *ctx, bool all, const struct dock_image_filter *filter, FILE *out,
                  unsigned long long *reclaimed, lcr_error_t *err)
{
  if (dock_lock (ctx, err) < 0)
    return -1;
  int ret = -1;
  dock_stage_sweep (ctx); /* what crashed loads left in ROOT/tmp */
  cleanup_jv jv refs = dock_refs_load (ctx, err);
  if (refs == NULL)
    goto out;
  jv images = jv_get_obj (refs, "images");
  cleanup_strv char **cached = NULL;
  for (size_t i = jv_len (images); i-- > 0;)
    {
      char id[72];
      snprintf (id, sizeof id, "%s", images->u.object.keys[i]);
      cleanup_strv char **tags = dock_refs_tags_of (refs, id);
      if ((tags[0] && !all) || !dock_image_filter_match (ctx, filter, id, images->u.object.values[i]))
        continue;
      /* a build's intermediate images are not dangling (docker keeps them too): `builder prune`
         lets them go */
      if (!all && dock_image_is_intermediate (ctx, id, &cached))
        continue;
      char running[65], stopped[65];
      dock_containers_using (ctx, id, running, stopped);
      if (running[0] || stopped[0])
        continue;
      for (size_t t = 0; tags[t]; t++)
        untag (refs, tags[t], out, "untagged: ");
      uint64_t freed = 0;
      if (dock_image_delete_locked (ctx, refs, id, out, "deleted: ", &freed, err) < 0)
        goto out;
      *reclaimed += freed;
    }
  ret = dock_refs_save (ctx, refs, err);
out:
  dock_unlock (ctx);
  return ret;
}
