/* dock — the image store's records, shared by load, save, commit, rmi and the listings.
 *
 * refs.json is the one file a listing reads: besides the tags it keeps, per image, what
 * `images` shows (size, created) and what deletion needs (its layers' chain IDs and blobs), so
 * neither has to open a config or a manifest:
 *
 *   {"refs":   {"docker.io/library/busybox:latest": "sha256:<id>"},
 *    "images": {"sha256:<id>": {"manifest": "sha256:…", "manifestSize": N, "manifestType": "…",
 *                               "repoDigests": ["docker.io/library/busybox@sha256:…"],
 *                               "loaded": "RFC3339", "lastTag": "RFC3339", "created": "RFC3339",
 *                               "size": N, "layers": ["<chain hex>", …] (bottom first),
 *                               "blobs": ["sha256:<layer blob>", …]}}}
 *
 * index.json is rewritten from it whenever it changes.  A load or a commit is staged in
 * ROOT/tmp/<random>/ (blobs/<hex>, layers/<chain hex>/{diff,meta.json}) without the lock and
 * moved in by dock_stage_commit under it, so a failure leaves nothing in the store (and what a
 * crashed dock left there, the next commit or `system prune` removes: dock_stage_sweep).
 */
#ifndef DOCK_IMGSTORE_H
#define DOCK_IMGSTORE_H

#include <stdint.h>
#include <stdio.h>

#include "dock.h"
#include "image/layer.h"

/* dock_store_init under the lock: two first commands at once must not race on its files */
int dock_image_store_init (struct dock_ctx *ctx, lcr_error_t *err);
/* refs.json ({"refs":{},"images":{}} when absent) */
jv dock_refs_load (struct dock_ctx *ctx, lcr_error_t *err);
/* refs.json and index.json, atomically each (the caller holds the lock) */
int dock_refs_save (struct dock_ctx *ctx, jv refs, lcr_error_t *err);
/* the normalised tags of an image, sorted (malloc'd vector of malloc'd strings) */
char **dock_refs_tags_of (jv refs, const char *id);
/* Find an image: reference, full ID, unique ID prefix, name@digest.  Returns the ID (borrowed
   from refs) and, when it was found by a reference, that reference normalised in *by_ref. */
const char *dock_refs_find (jv refs, const char *ref, char **by_ref, lcr_error_t *err);

/* Read a whole blob and check it against its digest. */
int dock_blob_read (struct dock_ctx *ctx, const char *digest, char **out, size_t *len, lcr_error_t *err);
/* ROOT/layers/<chain hex>/meta.json ("size", "tarSize", "diffID", …) or NULL */
jv dock_layer_meta (struct dock_ctx *ctx, const char *chain_hex);

/* An image being created, before it is in the store. */
struct dock_new_image
{
  char id[72];
  char manifest[72];
  size_t manifest_size;
  const char *manifest_type;
  char created[64];
  uint64_t size;
  char **chains;      /* layer chain IDs, hex, bottom first */
  char **layer_blobs; /* "sha256:…" */
  char **layer_types; /* their media types as read ("" when no OCI type fits) */
  size_t n_layers;
  char **tags; /* normalised */
  size_t n_tags;
};
void dock_new_image_clear (struct dock_new_image *im);
void dock_new_image_add_tag (struct dock_new_image *im, const char *normalized);

struct dock_stage
{
  struct dock_ctx *ctx;
  char *dir; /* ROOT/tmp/<pid>-<start time>-<random>, flock()ed through fd while it lives */
  int fd;
  int blobs_fd, layers_fd;
  unsigned seq;
};
int dock_stage_new (struct dock_ctx *ctx, struct dock_stage **out, lcr_error_t *err);
void dock_stage_free (struct dock_stage *s); /* removes what was not moved in */
static inline void
cleanup_stage_fn (struct dock_stage **s)
{
  if (*s)
    dock_stage_free (*s);
}
#define cleanup_stage __attribute__ ((cleanup (cleanup_stage_fn)))

/* Remove the staging dirs of dock processes that died (crashed or killed) before they could:
   a dir is left when its owner's lock on it is free and its owner (pid and start time in its
   name, "<pid>-<start time>-<random>") is gone.  The caller holds the store's lock.  Returns
   how many were removed. */
int dock_stage_sweep (struct dock_ctx *ctx);

/* Stage a blob from memory; digest_out gets its digest. */
int dock_stage_blob (struct dock_stage *s, const void *data, size_t len, char digest_out[72], lcr_error_t *err);
/* Stage one layer read from `fd`: the blob is copied and hashed, its tar hashed and (unless the
   store or the stage has the chain already) unpacked.  `want_diff` (may be NULL) is the diff ID
   the config expects: a mismatch is an error that names `what`.  chain_out gets the chain ID. */
int dock_stage_layer (struct dock_stage *s, int fd, const char *parent_chain, const char *want_diff, const char *what,
                      struct dock_layer_result *res, char chain_out[72], lcr_error_t *err);
/* Under the lock: move the staged blobs and layers in, record the images and their tags.  For
   each image `report` (may be NULL) is called with the tags that moved away from another image. */
int dock_stage_commit (struct dock_stage *s, struct dock_new_image *images, size_t n,
                       void (*report) (void *data, const char *tag, const char *old_id), void *data, lcr_error_t *err);

/* Images using an image (containers/<id>/meta.json "Image"): the first running and the first
   stopped one's IDs, "" when none. */
void dock_containers_using (struct dock_ctx *ctx, const char *image_id, char running[65], char stopped[65]);

/* Delete an image's record (the caller holds the lock, refs is saved by the caller), then the
   layers and blobs no other image uses; each deleted ID is printed as "Deleted: …" (or with
   `prefix`) to `out` (may be NULL); *freed gets the bytes of the layers removed. */
int dock_image_delete_locked (struct dock_ctx *ctx, jv refs, const char *id, FILE *out, const char *prefix,
                              uint64_t *freed, lcr_error_t *err);

/* Docker's size text: 3 significant digits, decimal units ("4.26MB", "0B"). */
void dock_size_text (uint64_t n, char *buf, size_t len);
/* Docker's "2 years ago" (of an epoch time, against now). */
void dock_since_text (long long t, char *buf, size_t len);

#endif
