/* dock — images: the OCI image layout under ROOT, refs, unpacked layers.
 *
 *   ROOT/index.json           OCI index: one manifest descriptor per image (annotation
 *                             "org.opencontainers.image.ref.name" is NOT relied on: refs.json is)
 *   ROOT/blobs/sha256/<hex>   manifests, configs, compressed or plain layer tars, as loaded
 *   ROOT/refs.json            {"refs": {"docker.io/library/busybox:latest": "sha256:<config hex>"},
 *                              "images": {"sha256:<config hex>": {"manifest": "sha256:…",
 *                                                                 "repoDigests": […],
 *                                                                 "loaded": "RFC3339"}}}
 *   ROOT/layers/<chainid hex>/diff/        the layer's files, unpacked once (whiteouts as
 *                                          overlay wants them: 0:0 char devices, opaque xattr)
 *   ROOT/layers/<chainid hex>/meta.json    {"diffID","chainID","parent","size"}
 *
 * An image's ID is docker's: "sha256:" + the digest of its config blob.  A reference is
 * normalised as docker does ("busybox" → "docker.io/library/busybox:latest") and shown short
 * ("busybox:latest").  Anything that takes an image accepts a reference, a full or short ID
 * (a unique prefix of at least 1 hex digit, with or without "sha256:"), or name@sha256:digest.
 */
#ifndef DOCK_IMAGE_H
#define DOCK_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "dock.h"

struct dock_image_filter; /* image/filter.h */

struct dock_image
{
  char id[72];       /* "sha256:<64 hex>" */
  char *ref;         /* the reference it was found by, normalised short ("busybox:latest"), or NULL */
  jv config;         /* the image config JSON (OCI/docker: .config.Env, .config.Cmd, .rootfs, .history) */
  char **layer_dirs; /* absolute paths of ROOT/layers/<chainid>/diff, bottom layer first, NULL-terminated */
  size_t n_layers;
};

/* Find an image by reference, ID or ID prefix.  Not found: LCR_ERR_NOT_FOUND with docker's text
   "No such image: REF".  The caller holds the store lock or not: reads are atomic. */
int dock_image_resolve (struct dock_ctx *ctx, const char *ref, struct dock_image **out, lcr_error_t *err);
void dock_image_free (struct dock_image *img);
static inline void
cleanup_image_fn (struct dock_image **i)
{
  if (*i)
    dock_image_free (*i);
}
#define cleanup_image __attribute__ ((cleanup (cleanup_image_fn)))

/* Normalise a reference as docker does: "busybox" → "docker.io/library/busybox:latest",
   "localhost:5000/x" → "localhost:5000/x:latest".  NULL (with *err) when it is not a valid reference. */
char *dock_ref_normalize (const char *ref, lcr_error_t *err);
/* The short form people see: "docker.io/library/busybox:latest" → "busybox:latest". */
char *dock_ref_familiar (const char *normalized);
/* "docker.io/library/busybox:latest" → "docker.io/library/busybox" (tag and digest dropped). */
char *dock_ref_name (const char *normalized);
/* The tag of a normalised "name:tag" or "name:tag@digest" (borrowed, up to the '@'), or NULL. */
const char *dock_ref_tag (const char *normalized);

/* `dock load`: a docker-archive or an OCI archive (layout tar), plain or compressed, read from
   `fd` to its end.  Every digest is checked; nothing enters the store unless all of it is good.
   Prints docker's "Loaded image: REF" / "Loaded image ID: sha256:…" lines to `out`. */
int dock_image_load (struct dock_ctx *ctx, int fd, FILE *out, lcr_error_t *err);

/* `dock save`: the images named by refs[0..n) as one docker-archive written to `fd`. */
int dock_image_save (struct dock_ctx *ctx, char **refs, size_t n, int fd, lcr_error_t *err);

/* `dock rmi`: untag and/or delete one image as docker does, printing "Untagged: …" and
   "Deleted: …" lines to `out`. */
int dock_image_remove (struct dock_ctx *ctx, const char *ref, bool force, FILE *out, lcr_error_t *err);

/* `dock image prune`: dangling images (all unused ones with `all`) no container uses and that
   pass `filter` (image/filter.h; may be NULL); prints docker's "Deleted Images:" block lines to
   `out`, adds the bytes freed to *reclaimed. */
int dock_image_prune (struct dock_ctx *ctx, bool all, const struct dock_image_filter *filter, FILE *out,
                      unsigned long long *reclaimed, lcr_error_t *err);

/* `dock tag SRC TARGET` */
int dock_image_tag (struct dock_ctx *ctx, const char *src, const char *target, lcr_error_t *err);

/* The rows of `dock images`, one object per (image, tag) with docker's --format fields:
   .Repository .Tag .ID (short) .Digest .CreatedSince .CreatedAt .Size, plus .FullID,
   .Created (epoch seconds) and .Dangling; newest first; those that pass `filter` (image/filter.h;
   NULL: all).  No lock: refs.json is read once, atomically. */
jv dock_image_rows (struct dock_ctx *ctx, const struct dock_image_filter *filter, lcr_error_t *err);
/* An untagged image a build's cache keeps (one of its steps): docker's "intermediate" image,
   shown by `images -a` only.  *cache is a list read on first use (free with dock_strv_free). */
bool dock_image_is_intermediate (struct dock_ctx *ctx, const char *id, char ***cache);

/* `dock image inspect`'s object for one image (docker's shape). */
jv dock_image_inspect_json (struct dock_ctx *ctx, const char *ref, lcr_error_t *err);

/* `dock history`'s rows, newest first: .ID ("<missing>" but for the top) .Created (epoch)
   .CreatedAt .CreatedSince .CreatedBy .Size (bytes) .Comment. */
jv dock_image_history (struct dock_ctx *ctx, const char *ref, lcr_error_t *err);

/* Record a new image made from `config` (JSON text) over the layers of `base` (may be NULL) plus
   one new layer (a tar at `layer_tar`, may be NULL): `commit` and `build` use this.  Tags it as
   `ref` when not NULL.  *id_out gets "sha256:…". */
int dock_image_commit (struct dock_ctx *ctx, const struct dock_image *base, const char *config_json,
                       const char *layer_tar, const char *ref, char id_out[72], lcr_error_t *err);

/* One image as `docker image inspect` shows it (Id, RepoTags, RepoDigests, Created, Config,
   RootFS, Size, …), or NULL with LCR_ERR_NOT_FOUND. */
jv dock_image_inspect_json (struct dock_ctx *ctx, const char *ref, lcr_error_t *err);

#endif
