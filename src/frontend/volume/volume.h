/* dock — volumes: named and anonymous volumes, and the binds and volume mounts of a container.
 *
 *   ROOT/volumes/<name>/_data       the volume's content
 *   ROOT/volumes/<name>/meta.json   docker's `volume inspect` shape: Name, Driver ("local"),
 *                                   Mountpoint, CreatedAt, Labels, Options, Scope ("local"),
 *                                   plus "Anonymous": true for volumes made for one container
 */
#ifndef DOCK_VOLUME_H
#define DOCK_VOLUME_H

#include <stdbool.h>

#include "dock.h"

/* Create a volume (name NULL: an anonymous one, named by 64 random hex digits).  An existing
   name is fine and returns it unchanged, as docker's `volume create` does.  *meta_out (may be
   NULL) gets a copy of its meta.json.  Takes the store lock. */
int dock_volume_create (struct dock_ctx *ctx, const char *name, jv labels, jv options, bool anonymous, jv *meta_out,
                        lcr_error_t *err);

/* The mounts a container gets from HostConfig.Binds ("/host:/ctr[:ro|rw|z|Z|…]",
   "name:/ctr[:ro]", "/ctr"), HostConfig.Mounts (type bind|volume), and Config.Volumes (the
   image's VOLUMEs and anonymous -v /path): docker's "Mounts" shape, one per destination (an
   explicit mount wins over an image VOLUME at the same path), named volumes created as needed.
   Bad input (a relative host path, a missing bind source, a bad mode) fails naming the flag's
   value.  Takes the store lock. */
jv dock_volumes_resolve (struct dock_ctx *ctx, jv config, jv host_config, lcr_error_t *err);

/* docker's copy-up: each volume mount whose volume is still empty and was never filled gets the
   content of the image at its destination (read from the mounted rootfs, safely: the path is
   resolved inside the rootfs).  Unless the mount says nocopy. */
int dock_volumes_copy_up (struct dock_ctx *ctx, jv mounts, const char *rootfs, lcr_error_t *err);

/* The names of volumes used by any container (ROOT/containers/<id>/meta.json .Mounts[].Name).
 *by_container (may be NULL) gets the users' IDs, space-separated (malloc'd; NULL if none). */
bool dock_volume_in_use (struct dock_ctx *ctx, const char *name, char **by_container);

/* `rm -v`: remove the anonymous volumes among `mounts` that no other container uses. */
int dock_volumes_remove_anonymous (struct dock_ctx *ctx, jv mounts, const char *container_id, lcr_error_t *err);

/* One volume as `docker volume inspect` shows it, or NULL with LCR_ERR_NOT_FOUND. */
jv dock_volume_inspect_json (struct dock_ctx *ctx, const char *name, lcr_error_t *err);
/* --- added by the volume work (beyond the interface above) --- */

/* docker's local-driver name rule, [a-zA-Z0-9][a-zA-Z0-9_.-]+ (two characters at least); the
   error is docker's "…includes invalid characters for a local volume name…" (LCR_ERR_INVALID). */
int dock_volume_check_name (const char *name, lcr_error_t *err);

/* A volume's meta.json (LCR_ERR_NOT_FOUND, "get NAME: no such volume", when absent). */
jv dock_volume_load (struct dock_ctx *ctx, const char *name, lcr_error_t *err);

/* What `volume inspect` shows of a meta.json: a copy without dock's private keys. */
jv dock_volume_public (jv meta);

/* Every volume's meta.json (an array sorted by name, natural order as docker's CLI sorts). */
jv dock_volume_list (struct dock_ctx *ctx, lcr_error_t *err);

/* Remove a volume and its content; refuses one in use ("remove NAME: volume is in use - [ID…]",
   LCR_ERR_STATE).  *freed (may be NULL) gets the bytes its content held.  Takes the lock. */
int dock_volume_remove (struct dock_ctx *ctx, const char *name, long long *freed, lcr_error_t *err);

/* Bytes held by the files under a directory (hard links once), as docker's prune counts them. */
long long dock_volume_dir_size (const char *path);

/* Volumes created with --opt type/device/o are mounted on their _data when the first container
   using them starts and unmounted when the last one stops (RUNROOT/volumes/<name>/<container-id>
   counts the users).  Call mount before dock_volumes_copy_up, unmount at cleanup; both are no-ops
   for plain volumes and for binds.  Take the lock. */
int dock_volumes_mount (struct dock_ctx *ctx, jv mounts, const char *container_id, lcr_error_t *err);
int dock_volumes_unmount (struct dock_ctx *ctx, jv mounts, const char *container_id, lcr_error_t *err);

#endif
