/* dock — `dock load`: docker-archives and OCI archives into the store.
 *
 * The archive itself is hostile input too: it is unpacked into the stage's in/ with the same
 * contained unpacker as a layer (so a name with "..", a symlink out, a device… cannot reach past
 * it), and every file it names is then opened inside in/ only.  Then, per image:
 *
 *   docker-archive  manifest.json → Config (its digest is the image ID; a name that carries a
 *                   digest must match it) → rootfs.diff_ids, one per Layers entry (each layer's
 *                   tar must hash to its diff ID)
 *   OCI archive     index.json → manifest (an index picks this platform) → config and layers,
 *                   each blob checked against its descriptor's digest and size
 *
 * Nothing is in the store until dock_stage_commit moves the stage in under the lock.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/image.h"
#include "image/imgstore.h"
#include "image/parse.h"
#include "linux.h"
#include "store/store.h"

#define MAX_JSON (64 << 20)

struct load
{
  struct dock_ctx *ctx;
  struct dock_stage *stage;
  int infd;
  struct dock_new_image *images;
  size_t n;
  FILE *out;
};

/* a regular file of the archive, opened for reading without leaving in/ */
static int
open_in (struct load *l, const char *rel, lcr_error_t *err)
{
  cleanup_free char *shown = lcr_escape_controls (rel);
  cleanup_close int p = lcr_resolve_in_root (l->infd, rel, O_PATH);
  if (p < 0)
    return errno == ENOENT ? lcr_error_invalid (err, "`%s` is not in the archive", shown)
                           : lcr_error_sys (err, "open `%s` in the archive", shown);
  struct stat st;
  if (fstat (p, &st) < 0 || !S_ISREG (st.st_mode))
    return lcr_error_invalid (err, "`%s` in the archive is not a regular file", shown);
  char path[LCR_FD_PATH_MAX];
  lcr_fd_path (p, path);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return lcr_error_sys (err, "open `%s` in the archive", shown);
  return fd;
}

static int
read_in (struct load *l, const char *rel, char **buf, size_t *len, lcr_error_t *err)
{
  cleanup_close int fd = open_in (l, rel, err);
  if (fd < 0)
    return -1;
  struct stat st;
  if (fstat (fd, &st) < 0)
    return lcr_error_sys (err, "stat `%s`", rel);
  if (st.st_size > MAX_JSON)
    return lcr_error_invalid (err, "`%s` in the archive is too big", rel);
  char *b = xmalloc0 ((size_t)st.st_size + 1);
  ssize_t n = lcr_read_all (fd, b, (size_t)st.st_size);
  if (n != st.st_size)
    {
      free (b);
      return lcr_error_sys (err, "read `%s`", rel);
    }
  *buf = b;
  *len = (size_t)n;
  return 0;
}

/* blobs/sha256/<hex> as named by a descriptor, its digest and size checked */
static int
read_blob_in (struct load *l, jv desc, const char *what, char **buf, size_t *len, lcr_error_t *err)
{
  const char *digest = jv_get_str (desc, "digest");
  cleanup_free char *rel = NULL;
  xasprintf (&rel, "blobs/sha256/%s", dock_digest_hex (digest));
  if (read_in (l, rel, buf, len, err) < 0)
    return lcr_error_wrap (err, "%s", what);
  char got[72];
  dock_sha256_buf (*buf, *len, got);
  long long want_size = jv_get_int (desc, "size", -1);
  if (strcmp (got, digest) != 0 || (long long)*len != want_size)
    {
      free (*buf);
      *buf = NULL;
      return lcr_error_invalid (err, "%s: blob %s is corrupt: %zu bytes hashing to %s, the descriptor says %lld bytes",
                                what, digest, *len, got, want_size);
    }
  return 0;
}

static uint64_t
layer_size (struct load *l, const char *chain_hex)
{
  cleanup_free char *p = NULL;
  xasprintf (&p, "%s/layers/%s/meta.json", l->stage->dir, chain_hex);
  lcr_error_t ignored = NULL;
  cleanup_jv jv m = jv_load (p, &ignored);
  lcr_error_release (&ignored);
  if (m == NULL)
    m = dock_layer_meta (l->ctx, chain_hex);
  return (uint64_t)jv_get_int (m, "size", 0);
}

static struct dock_new_image *
find_or_add (struct load *l, const char *id, bool *is_new)
{
  for (size_t i = 0; i < l->n; i++)
    if (strcmp (l->images[i].id, id) == 0)
      {
        *is_new = false;
        return &l->images[i];
      }
  l->images = xrealloc (l->images, (l->n + 1) * sizeof *l->images);
  struct dock_new_image *im = &l->images[l->n++];
  memset (im, 0, sizeof *im);
  snprintf (im->id, sizeof im->id, "%s", id);
  *is_new = true;
  return im;
}

/* the layers of a config, one blob each, bottom first: opened by `open_layer` */
static int
stage_layers (struct load *l, struct dock_new_image *im, jv config, size_t n_layers,
              int (*open_layer) (struct load *l, void *data, size_t i, char *what, size_t wlen, lcr_error_t *err),
              void *data, jv descs, lcr_error_t *err)
{
  jv ids = jv_path (config, "rootfs", "diff_ids", NULL);
  if (jv_len (ids) != n_layers)
    return lcr_error_invalid (err, "image %s: the config lists %zu layers, the archive %zu", im->id, jv_len (ids),
                              n_layers);
  im->chains = xmalloc0 ((n_layers + 1) * sizeof (char *));
  im->layer_blobs = xmalloc0 ((n_layers + 1) * sizeof (char *));
  im->layer_types = xmalloc0 ((n_layers + 1) * sizeof (char *));
  char parent[72] = "";
  for (size_t i = 0; i < n_layers; i++)
    {
      char what[256];
      cleanup_close int fd = open_layer (l, data, i, what, sizeof what, err);
      if (fd < 0)
        return -1;
      struct dock_layer_result res;
      char chain[72];
      if (dock_stage_layer (l->stage, fd, parent, jv_as_str (ids->u.array.values[i]), what, &res, chain, err) < 0)
        return -1;
      if (descs)
        {
          jv d = descs->u.array.values[i];
          const char *want = jv_get_str (d, "digest");
          long long want_size = jv_get_int (d, "size", -1);
          if (strcmp (want, res.blob_digest) != 0 || (long long)res.blob_size != want_size)
            return lcr_error_invalid (err, "%s is corrupt: %llu bytes hashing to %s, the manifest says %lld bytes, %s",
                                      what, (unsigned long long)res.blob_size, res.blob_digest, want_size, want);
        }
      im->chains[i] = xstrdup (chain + 7);
      im->layer_blobs[i] = xstrdup (res.blob_digest);
      im->layer_types[i] = xstrdup (res.media_type);
      im->n_layers = i + 1;
      im->size += layer_size (l, chain + 7);
      snprintf (parent, sizeof parent, "%s", chain);
    }
  return 0;
}

/* ---- docker-archive ------------------------------------------------------------------------ */

static int
open_docker_layer (struct load *l, void *data, size_t i, char *what, size_t wlen, lcr_error_t *err)
{
  jv layers = data;
  const char *rel = jv_as_str (layers->u.array.values[i]);
  cleanup_free char *shown = lcr_escape_controls (rel);
  snprintf (what, wlen, "layer %zu (%s)", i, shown);
  return open_in (l, rel, err);
}

/* a file named for its digest ("<hex>.json", "blobs/sha256/<hex>", "<hex>.tar") must have it */
static const char *
digest_in_name (const char *rel, char buf[72])
{
  const char *base = strrchr (rel, '/');
  base = base ? base + 1 : rel;
  if (strlen (base) < 64)
    return NULL;
  cleanup_free char *hex = strndup (base, 64);
  const char *rest = base + 64;
  if (!dock_is_hex_id (hex, 64) || !(*rest == '\0' || strcmp (rest, ".json") == 0))
    return NULL;
  snprintf (buf, 72, "sha256:%s", hex);
  return buf;
}

static int
load_docker_image (struct load *l, jv m, size_t idx, lcr_error_t *err)
{
  const char *cfgname = jv_get_str (m, "Config");
  cleanup_free char *cfg = NULL;
  size_t cfglen;
  if (read_in (l, cfgname, &cfg, &cfglen, err) < 0)
    return lcr_error_wrap (err, "image %zu's config", idx);
  char id[72], named[72];
  dock_sha256_buf (cfg, cfglen, id);
  if (digest_in_name (cfgname, named) && strcmp (named, id) != 0)
    return lcr_error_invalid (err, "image %zu's config `%s` is corrupt: it hashes to %s", idx, cfgname, id);
  cleanup_jv jv config = dock_parse_image_config (cfg, cfglen, cfgname, err);
  if (config == NULL)
    return -1;
  bool is_new;
  struct dock_new_image *im = find_or_add (l, id, &is_new);
  if (is_new)
    {
      jv layers = jv_get_arr (m, "Layers");
      if (stage_layers (l, im, config, jv_len (layers), open_docker_layer, layers, NULL, err) < 0)
        return -1;
      snprintf (im->created, sizeof im->created, "%s", jv_get_str (config, "created") ?: "");
      /* a manifest of our own for the OCI layout: the config and the layers as loaded */
      cleanup_jv jv man = jv_obj ();
      jv_set (man, "schemaVersion", jv_int (2));
      jv_set (man, "mediaType", jv_str (DOCK_MT_OCI_MANIFEST));
      jv c = jv_set (man, "config", jv_obj ());
      jv_set (c, "mediaType", jv_str (DOCK_MT_OCI_CONFIG));
      jv_set (c, "digest", jv_str (id));
      jv_set (c, "size", jv_int ((long long)cfglen));
      jv ls = jv_set (man, "layers", jv_arr ());
      for (size_t i = 0; i < im->n_layers; i++)
        {
          cleanup_free char *p = NULL;
          xasprintf (&p, "%s/blobs/%s", l->stage->dir, im->layer_blobs[i] + 7);
          struct stat st;
          if (stat (p, &st) < 0)
            {
              cleanup_free char *rp = dock_path (l->ctx, "blobs/sha256/%s", im->layer_blobs[i] + 7);
              if (stat (rp, &st) < 0)
                return lcr_error_sys (err, "blob %s", im->layer_blobs[i]);
            }
          jv d = jv_push (ls, jv_obj ());
          const char *lt = im->layer_types[i];
          jv_set (d, "mediaType", jv_str (lt && *lt ? lt : "application/vnd.oci.image.layer.v1.tar"));
          jv_set (d, "digest", jv_str (im->layer_blobs[i]));
          jv_set (d, "size", jv_int ((long long)st.st_size));
        }
      cleanup_free char *mtext = jv_dump (man, false);
      if (dock_stage_blob (l->stage, mtext, strlen (mtext), im->manifest, err) < 0)
        return -1;
      im->manifest_size = strlen (mtext);
      im->manifest_type = DOCK_MT_OCI_MANIFEST;
      if (dock_stage_blob (l->stage, cfg, cfglen, named, err) < 0)
        return -1;
    }
  jv tags = jv_get_arr (m, "RepoTags");
  for (size_t i = 0; i < jv_len (tags); i++)
    {
      cleanup_free char *norm = dock_ref_normalize (jv_as_str (tags->u.array.values[i]), err);
      if (norm == NULL)
        return lcr_error_wrap (err, "image %zu's tag", idx);
      if (strchr (norm, '@'))
        return lcr_error_invalid (err, "image %zu's tag is a digest reference", idx);
      dock_new_image_add_tag (im, norm);
    }
  return 0;
}

static int
load_docker (struct load *l, lcr_error_t *err)
{
  cleanup_free char *text = NULL;
  size_t len;
  if (read_in (l, "manifest.json", &text, &len, err) < 0)
    return -1;
  cleanup_jv jv ms = dock_parse_archive_manifest (text, len, err);
  if (ms == NULL)
    return -1;
  for (size_t i = 0; i < jv_len (ms); i++)
    if (load_docker_image (l, ms->u.array.values[i], i, err) < 0)
      return -1;
  return 0;
}

/* ---- OCI archive -------------------------------------------------------------------------- */

static const char *
host_arch (void)
{
  struct utsname u;
  if (uname (&u) < 0)
    return "amd64";
  if (strcmp (u.machine, "x86_64") == 0)
    return "amd64";
  if (strcmp (u.machine, "aarch64") == 0)
    return "arm64";
  if (strncmp (u.machine, "arm", 3) == 0)
    return "arm";
  if (strcmp (u.machine, "i686") == 0 || strcmp (u.machine, "i386") == 0)
    return "386";
  return "amd64";
}

static int
open_oci_layer (struct load *l, void *data, size_t i, char *what, size_t wlen, lcr_error_t *err)
{
  jv layers = data;
  const char *digest = jv_get_str (layers->u.array.values[i], "digest");
  snprintf (what, wlen, "layer %zu (%s)", i, digest);
  cleanup_free char *rel = NULL;
  xasprintf (&rel, "blobs/sha256/%s", dock_digest_hex (digest));
  return open_in (l, rel, err);
}

static int load_oci_desc (struct load *l, jv desc, jv names, int depth, lcr_error_t *err);

static int
load_oci_manifest (struct load *l, jv desc, const char *text, size_t len, jv names, lcr_error_t *err)
{
  const char *mdigest = jv_get_str (desc, "digest");
  cleanup_jv jv man = dock_parse_oci_manifest (text, len, mdigest, err);
  if (man == NULL)
    return -1;
  jv cdesc = jv_get (man, "config");
  cleanup_free char *cfg = NULL;
  size_t cfglen;
  if (read_blob_in (l, cdesc, "config", &cfg, &cfglen, err) < 0)
    return -1;
  const char *id = jv_get_str (cdesc, "digest");
  cleanup_jv jv config = dock_parse_image_config (cfg, cfglen, id, err);
  if (config == NULL)
    return -1;
  bool is_new;
  struct dock_new_image *im = find_or_add (l, id, &is_new);
  if (is_new)
    {
      jv layers = jv_get_arr (man, "layers");
      if (stage_layers (l, im, config, jv_len (layers), open_oci_layer, layers, layers, err) < 0)
        return -1;
      snprintf (im->created, sizeof im->created, "%s", jv_get_str (config, "created") ?: "");
      char d[72];
      if (dock_stage_blob (l->stage, text, len, im->manifest, err) < 0
          || dock_stage_blob (l->stage, cfg, cfglen, d, err) < 0)
        return -1;
      im->manifest_size = len;
      const char *mt = jv_get_str (man, "mediaType");
      im->manifest_type
          = mt && strcmp (mt, DOCK_MT_DOCKER_MANIFEST) == 0 ? DOCK_MT_DOCKER_MANIFEST : DOCK_MT_OCI_MANIFEST;
    }
  for (size_t i = 0; i < jv_len (names); i++)
    dock_new_image_add_tag (im, jv_as_str (names->u.array.values[i]));
  return 0;
}

static int
load_oci_index (struct load *l, const char *what, const char *text, size_t len, jv names, int depth, lcr_error_t *err)
{
  cleanup_jv jv idx = dock_parse_oci_index (text, len, what, err);
  if (idx == NULL)
    return -1;
  jv ms = jv_get_arr (idx, "manifests");
  const char *arch = host_arch ();
  /* a nested index (a multi-platform image): this platform's manifest only */
  for (size_t i = 0; i < jv_len (ms); i++)
    {
      jv d = ms->u.array.values[i];
      jv plat = jv_get_obj (d, "platform");
      const char *os = jv_get_str (plat, "os"), *a = jv_get_str (plat, "architecture");
      if (plat == NULL || (os && strcmp (os, "linux") == 0 && a && strcmp (a, arch) == 0))
        return load_oci_desc (l, d, names, depth + 1, err);
    }
  return lcr_error_invalid (err, "%s: no image for linux/%s", what, arch);
}

static int
load_oci_desc (struct load *l, jv desc, jv names, int depth, lcr_error_t *err)
{
  if (depth > 4)
    return lcr_error_invalid (err, "indexes nested too deeply");
  const char *digest = jv_get_str (desc, "digest");
  cleanup_free char *text = NULL;
  size_t len;
  if (read_blob_in (l, desc, "manifest", &text, &len, err) < 0)
    return -1;
  const char *mt = jv_get_str (desc, "mediaType");
  if (dock_is_index_type (mt))
    return load_oci_index (l, digest, text, len, names, depth, err);
  return load_oci_manifest (l, desc, text, len, names, err);
}

static int
load_oci (struct load *l, lcr_error_t *err)
{
  cleanup_free char *text = NULL;
  size_t len;
  if (read_in (l, "index.json", &text, &len, err) < 0)
    return -1;
  cleanup_jv jv idx = dock_parse_oci_index (text, len, "index.json", err);
  if (idx == NULL)
    return -1;
  jv ms = jv_get_arr (idx, "manifests");
  if (jv_len (ms) == 0)
    return lcr_error_invalid (err, "index.json: no images");
  for (size_t i = 0; i < jv_len (ms); i++)
    {
      jv d = ms->u.array.values[i];
      jv ann = jv_get_obj (d, "annotations");
      /* the name: containerd's full-name annotation, else an OCI ref.name that is a reference
         ("busybox:1.36"; a bare "latest" names no repository, so the image stays untagged) */
      const char *name = jv_get_str (ann, "io.containerd.image.name");
      const char *refname = jv_get_str (ann, "org.opencontainers.image.ref.name");
      if (name == NULL && refname && (strchr (refname, ':') || strchr (refname, '/')))
        name = refname;
      cleanup_jv jv names = jv_arr ();
      if (name)
        {
          cleanup_free char *norm = dock_ref_normalize (name, err);
          if (norm == NULL)
            return lcr_error_wrap (err, "index.json: manifest %zu's name", i);
          if (strchr (norm, '@') == NULL)
            jv_push (names, jv_str (norm));
        }
      if (load_oci_desc (l, d, names, 0, err) < 0)
        return -1;
    }
  return 0;
}

/* ---- the command ---------------------------------------------------------------------------- */

static void
report_moved (void *data, const char *tag, const char *old_id)
{
  struct load *l = data;
  cleanup_free char *f = dock_ref_familiar (tag);
  fprintf (l->out, "The image %s already exists, renaming the old one with ID %s to empty string\n", f, old_id);
}

int
dock_image_load (struct dock_ctx *ctx, int fd, FILE *out, lcr_error_t *err)
{
  if (dock_image_store_init (ctx, err) < 0)
    return -1;
  cleanup_stage struct dock_stage *stage = NULL;
  if (dock_stage_new (ctx, &stage, err) < 0)
    return -1;
  struct load l = {.ctx = ctx, .stage = stage, .infd = -1, .out = out};
  int ret = -1;
  struct dock_layer_result res;
  if (mkdirat (stage->fd, "in", 0700) < 0
      || (l.infd = openat (stage->fd, "in", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    {
      lcr_error_sys (err, "staging dir `%s`", stage->dir);
      goto out;
    }
  if (dock_layer_read (fd, l.infd, -1, &res, err) < 0)
    {
      lcr_error_wrap (err, "read the archive");
      goto out;
    }
  struct stat st;
  if (fstatat (l.infd, "manifest.json", &st, 0) == 0)
    ret = load_docker (&l, err);
  else if (fstatat (l.infd, "index.json", &st, 0) == 0)
    ret = load_oci (&l, err);
  else if (fstatat (l.infd, "repositories", &st, 0) == 0)
    ret = lcr_error_invalid (err, "a legacy docker-archive (no manifest.json) is not supported");
  else
    ret = lcr_error_invalid (err, "not an image archive: no manifest.json and no index.json");
  if (ret < 0)
    goto out;
  ret = dock_stage_commit (stage, l.images, l.n, report_moved, &l, err);
  if (ret < 0)
    goto out;
  for (size_t i = 0; i < l.n; i++)
    {
      if (l.images[i].n_tags == 0)
        fprintf (out, "Loaded image ID: %s\n", l.images[i].id);
      for (size_t t = 0; t < l.images[i].n_tags; t++)
        {
          cleanup_free char *f = dock_ref_familiar (l.images[i].tags[t]);
          fprintf (out, "Loaded image: %s\n", f);
        }
    }
out:
  if (l.infd >= 0)
    close (l.infd);
  for (size_t i = 0; i < l.n; i++)
    dock_new_image_clear (&l.images[i]);
  free (l.images);
  return ret;
}
