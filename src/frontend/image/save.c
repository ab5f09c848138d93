/* dock — `dock save`: images as one docker-archive, the format `docker load` and `podman load`
 * both read:
 *
 *   <config hex>.json        each image's config, byte for byte (its digest is the image ID)
 *   <diff hex>/layer.tar     each layer once, uncompressed (its digest is the diff ID)
 *   <diff hex>/VERSION, json the legacy per-layer files older readers look for
 *   manifest.json            [{"Config", "RepoTags", "Layers"}] in the order asked
 *   repositories             {"name": {"tag": "<top layer dir>"}}
 *
 * Layers are decompressed from the stored blob straight into the output: the tar header needs
 * the length first, which the layer's meta.json kept from the load ("tarSize"); the bytes
 * written are counted, and a blob that does not give that many is an error, never a padded tar.
 */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/image.h"
#include "image/imgstore.h"
#include "image/parse.h"
#include "store/store.h"

struct saved
{
  char id[72];
  jv tags; /* familiar */
};

static int
werr (struct archive *a, lcr_error_t *err)
{
  const char *s = archive_error_string (a);
  return lcr_error_make (err, archive_errno (a) > 0 ? archive_errno (a) : 0, LCR_ERR_SYSTEM, "write the archive: %s",
                         s ? s : "error");
}

static int
put (struct archive *a, const char *name, mode_t type, const void *data, size_t len, time_t mtime, lcr_error_t *err)
{
  struct archive_entry *e = archive_entry_new ();
  archive_entry_set_pathname (e, name);
  archive_entry_set_filetype (e, type);
  archive_entry_set_perm (e, type == AE_IFDIR ? 0755 : 0644);
  archive_entry_set_size (e, type == AE_IFDIR ? 0 : (la_int64_t)len);
  archive_entry_set_mtime (e, mtime, 0);
  int r = archive_write_header (a, e);
  archive_entry_free (e);
  if (r != ARCHIVE_OK)
    return werr (a, err);
  if (len && archive_write_data (a, data, len) != (la_ssize_t)len)
    return werr (a, err);
  return 0;
}

struct sink
{
  struct archive *a;
  uint64_t written, limit;
};

static int
to_archive (void *data, const void *buf, size_t len)
{
  struct sink *s = data;
  if (s->written + len > s->limit)
    {
      errno = EFBIG;
      return -1;
    }
  if (archive_write_data (s->a, buf, len) != (la_ssize_t)len)
    {
      errno = archive_errno (s->a) > 0 ? archive_errno (s->a) : EIO;
      return -1;
    }
  s->written += len;
  return 0;
}

static int
put_layer (struct dock_ctx *ctx, struct archive *a, const char *dir, const char *chain, const char *blob, time_t mtime,
           lcr_error_t *err)
{
  cleanup_jv jv meta = dock_layer_meta (ctx, chain);
  long long tar_size = jv_get_int (meta, "tarSize", -1);
  if (tar_size < 0)
    return lcr_error_invalid (err, "layer sha256:%s: no recorded tar size", chain);
  cleanup_free char *p = dock_path (ctx, "blobs/sha256/%s", dock_digest_hex (blob) ?: "-");
  cleanup_close int fd = open (p, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return lcr_error_sys (err, "layer blob %s", blob);
  cleanup_free char *name = NULL;
  xasprintf (&name, "%s/layer.tar", dir);
  struct archive_entry *e = archive_entry_new ();
  archive_entry_set_pathname (e, name);
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_perm (e, 0644);
  archive_entry_set_size (e, tar_size);
  archive_entry_set_mtime (e, mtime, 0);
  int r = archive_write_header (a, e);
  archive_entry_free (e);
  if (r != ARCHIVE_OK)
    return werr (a, err);
  struct sink s = {.a = a, .limit = (uint64_t)tar_size};
  if (dock_layer_decompress (fd, to_archive, &s, err) < 0)
    return lcr_error_wrap (err, "layer blob %s", blob);
  if (s.written != (uint64_t)tar_size)
    return lcr_error_invalid (err, "layer blob %s gives %llu bytes, %lld expected", blob, (unsigned long long)s.written,
                              tar_size);
  return 0;
}

static void
free_archive (struct archive **a)
{
  if (*a)
    archive_write_free (*a);
}

int
dock_image_save (struct dock_ctx *ctx, char **args, size_t n, int fd, lcr_error_t *err)
{
  cleanup_jv jv refs = dock_refs_load (ctx, err);
  if (refs == NULL)
    return -1;
  struct saved *imgs = xmalloc0 ((n + 1) * sizeof *imgs);
  size_t ni = 0;
  int ret = -1;
  __attribute__ ((cleanup (free_archive))) struct archive *a = NULL;
  cleanup_jv jv manifest = jv_arr ();
  cleanup_jv jv repos = jv_obj ();
  cleanup_jv jv written = jv_obj (); /* layer dirs already in the archive */
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *by_ref = NULL;
      const char *id = dock_refs_find (refs, args[i], &by_ref, err);
      if (id == NULL)
        goto out;
      size_t k;
      for (k = 0; k < ni && strcmp (imgs[k].id, id) != 0; k++)
        ;
      if (k == ni)
        {
          snprintf (imgs[ni].id, sizeof imgs[ni].id, "%s", id);
          imgs[ni++].tags = jv_arr ();
        }
      if (by_ref && strchr (by_ref, '@') == NULL)
        {
          cleanup_free char *f = dock_ref_familiar (by_ref);
          jv_push (imgs[k].tags, jv_str (f));
        }
    }
  a = archive_write_new ();
  archive_write_set_format_pax_restricted (a);
  if (archive_write_open_fd (a, fd) != ARCHIVE_OK)
    {
      werr (a, err);
      goto out;
    }
  for (size_t k = 0; k < ni; k++)
    {
      jv rec = jv_get_obj (jv_get_obj (refs, "images"), imgs[k].id);
      cleanup_free char *cfg = NULL;
      size_t len;
      if (dock_blob_read (ctx, imgs[k].id, &cfg, &len, err) < 0)
        goto out;
      cleanup_jv jv config = dock_parse_image_config (cfg, len, imgs[k].id, err);
      if (config == NULL)
        goto out;
      long long created = dock_parse_rfc3339 (jv_get_str (config, "created"));
      time_t mtime = created > 0 ? (time_t)created : 0;
      jv ids = jv_path (config, "rootfs", "diff_ids", NULL);
      jv chains = jv_get_arr (rec, "layers");
      jv blobs = jv_get_arr (rec, "blobs");
      if (jv_len (ids) != jv_len (chains) || jv_len (blobs) != jv_len (chains))
        {
          lcr_error_invalid (err, "image %s: its config and its layers disagree", imgs[k].id);
          goto out;
        }
      jv m = jv_push (manifest, jv_obj ());
      cleanup_free char *cfgname = NULL;
      xasprintf (&cfgname, "%s.json", imgs[k].id + 7);
      jv_set (m, "Config", jv_str (cfgname));
      jv_set (m, "RepoTags", jv_len (imgs[k].tags) ? jv_copy (imgs[k].tags) : jv_null ());
      jv lp = jv_set (m, "Layers", jv_arr ());
      if (put (a, cfgname, AE_IFREG, cfg, len, mtime, err) < 0)
        goto out;
      const char *top = NULL;
      const char *parent = NULL;
      for (size_t i = 0; i < jv_len (ids); i++)
        {
          /* the layer's directory is named by its chain ID: one per (content, position) */
          const char *chain = jv_as_str (chains->u.array.values[i]);
          const char *dir = chain;
          cleanup_free char *lt = NULL;
          xasprintf (&lt, "%s/layer.tar", dir);
          jv_push (lp, jv_str (lt));
          top = dir;
          if (jv_get (written, dir) == NULL)
            {
              jv_set (written, dir, jv_bool (true));
              cleanup_free char *vname = NULL, *jname = NULL, *json = NULL;
              xasprintf (&vname, "%s/VERSION", dir);
              xasprintf (&jname, "%s/json", dir);
              xasprintf (&json, "{\"id\":\"%s\"%s%s%s}", dir, parent ? ",\"parent\":\"" : "", parent ? parent : "",
                         parent ? "\"" : "");
              if (put (a, dir, AE_IFDIR, NULL, 0, mtime, err) < 0 || put (a, vname, AE_IFREG, "1.0", 3, mtime, err) < 0
                  || put (a, jname, AE_IFREG, json, strlen (json), mtime, err) < 0
                  || put_layer (ctx, a, dir, chain, jv_as_str (blobs->u.array.values[i]), mtime, err) < 0)
                goto out;
            }
          parent = dir;
        }
      for (size_t t = 0; t < jv_len (imgs[k].tags) && top; t++)
        {
          cleanup_free char *tagged = xstrdup (jv_as_str (imgs[k].tags->u.array.values[t]));
          char *colon = strrchr (tagged, ':');
          if (colon == NULL || strchr (colon, '/'))
            continue;
          *colon = '\0';
          jv_set (jv_child_obj (repos, tagged), colon + 1, jv_str (top));
        }
    }
  {
    cleanup_free char *mtext = jv_dump (manifest, false);
    cleanup_free char *rtext = jv_dump (repos, false);
    if (put (a, "manifest.json", AE_IFREG, mtext, strlen (mtext), 0, err) < 0
        || (jv_len (repos) && put (a, "repositories", AE_IFREG, rtext, strlen (rtext), 0, err) < 0))
      goto out;
  }
  if (archive_write_close (a) != ARCHIVE_OK)
    {
      werr (a, err);
      goto out;
    }
  ret = 0;
out:
  for (size_t k = 0; k < ni; k++)
    jv_free (imgs[k].tags);
  free (imgs);
  return ret;
}
