/* dock — a container's files seen from the host: `cp` (both ways), and the view `export`
 * needs.
 *
 * The container's file system is mounted in a private mount namespace of this dock process
 * (unshare + MS_PRIVATE): a stopped container's overlay, and the container's bind and volume
 * mounts over it, as docker mounts them for a copy.  Nothing of that reaches the host's mount
 * table, and all of it goes when dock exits, whatever happens.  The store lock is held
 * throughout, so the container is neither started (which would mount the same upper dir) nor
 * removed meanwhile.
 *
 * Every container path is resolved inside the rootfs (openat2 RESOLVE_IN_ROOT, or libcrun's
 * walk): a symlink in the container, absolute or "../..", ends inside it.
 */
#ifndef DOCK_COPY_H
#define DOCK_COPY_H

#include <stdbool.h>

#include "dock.h"

struct dock_ctr_fs
{
  char id[65];
  jv rec;
  char *rootfs; /* where the merged tree is mounted (in our namespace) */
  int rootfd;   /* O_PATH of rootfs */
  bool mounted; /* we mounted it (a stopped container) */
};

/* Lock the store, enter a private mount namespace, mount the container's rootfs (and, with
   `volumes`, its bind and volume mounts over it).  Release with dock_ctr_fs_close. */
int dock_ctr_fs_open (struct dock_ctx *ctx, const char *ref, bool volumes, struct dock_ctr_fs *fs, lcr_error_t *err);
void dock_ctr_fs_close (struct dock_ctx *ctx, struct dock_ctr_fs *fs);

struct dock_cp_opts
{
  bool archive;     /* -a: keep the owners (else: the destination's root / the caller) */
  bool follow_link; /* -L: a symlink as SRC_PATH is followed */
};

/* `dock cp SRC DEST`: either one "CONTAINER:PATH", the other a host path or "-" (a tar stream
   on stdin / stdout), with docker's rules for files, directories, trailing "/" and "/.". */
int dock_cp (struct dock_ctx *ctx, const char *src, const char *dst, const struct dock_cp_opts *o, lcr_error_t *err);

#endif
