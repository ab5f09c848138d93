/* dock — a container's root file system and network namespace file.
 *
 * overlay: lowerdir = the image's layers (top first), upperdir/workdir in the container's
 * directory, mounted at containers/<id>/rootfs while the container runs (and briefly for cp,
 * diff, export of a stopped one).  vfs (where overlay can't mount, or --storage-driver vfs): the
 * layers are copied into containers/<id>/rootfs once, at create, and nothing is mounted.
 *
 * The network namespace is a file, RUNROOT/netns/<id>, bind-mounted from a namespace made for
 * the container, with `lo` up: it outlives the dock process that made it, so the network code
 * (bridges, veths) can plug into it before the container starts and unplug it after.
 */
#ifndef DOCK_ROOTFS_H
#define DOCK_ROOTFS_H

#include "dock.h"

/* GraphDriver for a new container over `layer_dirs` (bottom first): docker's inspect shape
   {"Name": "overlay2"|"vfs", "Data": {"LowerDir", "UpperDir", "WorkDir", "MergedDir"}}; makes
   the container's upper/work (or, for vfs, copies the layers into rootfs/). */
jv dock_rootfs_prepare (struct dock_ctx *ctx, const char *id, char *const *layer_dirs, lcr_error_t *err);
/* Mount the container's rootfs (a no-op for vfs or when it is mounted); *path gets its path. */
int dock_rootfs_mount (struct dock_ctx *ctx, jv rec, char **path, lcr_error_t *err);
/* Unmount it (no error when it is not mounted). */
void dock_rootfs_umount (struct dock_ctx *ctx, jv rec);
bool dock_rootfs_is_mounted (const char *path);

/* RUNROOT/netns/<id>: a new network namespace with lo up. */
int dock_netns_create (const char *path, lcr_error_t *err);
/* Unmount and remove the file (fine when absent). */
void dock_netns_remove (const char *path);

#endif
