/* dock — one layer blob: hashed as stored, decompressed (gzip, zstd, xz, bzip2 or none),
 * hashed again as a tar (its diff ID), and unpacked into a directory overlayfs can stack.
 *
 * Layers are hostile input.  Nothing an entry says can write, link, create or delete outside
 * the layer directory: names are cleaned and ".." refused; every parent directory is opened
 * through lcr_resolve_in_root (openat2 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS, or its walk), so
 * a symlink planted by an earlier entry resolves inside the layer; the last component is never
 * followed (O_NOFOLLOW, AT_SYMLINK_NOFOLLOW, an existing entry is removed first); a hardlink's
 * target is resolved the same way.  Whiteouts become what overlayfs reads: ".wh.NAME" a 0:0
 * character device NAME, ".wh..wh..opq" the xattr trusted.overlay.opaque=y on its directory.
 * xattrs in trusted.overlay.* from the tar itself are dropped (they would steer overlayfs).
 */
#ifndef DOCK_LAYER_H
#define DOCK_LAYER_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct dock_layer_result
{
  char blob_digest[72]; /* sha256 of the bytes as stored */
  uint64_t blob_size;
  char diff_id[72];       /* sha256 of the uncompressed tar */
  uint64_t tar_size;      /* its length */
  uint64_t unpacked_size; /* bytes of regular files (docker's layer size) */
  char media_type[80];    /* OCI layer media type matching the compression */
};

/* Read a layer blob from `fd` to its end.  When `rootfd` >= 0 unpack it there; when `copy_fd`
   >= 0 copy the blob's bytes there as they are read.  res is filled on success. */
int dock_layer_read (int fd, int rootfd, int copy_fd, struct dock_layer_result *res, lcr_error_t *err);

/* Pass the uncompressed tar of a stored blob to `sink` (for `save`); a sink returns < 0 with
   errno set to stop. */
int dock_layer_decompress (int fd, int (*sink) (void *data, const void *buf, size_t len), void *data, lcr_error_t *err);

#endif
