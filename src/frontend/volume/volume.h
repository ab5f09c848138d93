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

/* The names of volumes used by any container (ROOT/containers/<id>/meta.json .Mounts[].Name). */
bool dock_volume_in_use (struct dock_ctx *ctx, const char *name, char **by_container);

/* `rm -v`: remove the anonymous volumes among `mounts` that no other container uses. */
int dock_volumes_remove_anonymous (struct dock_ctx *ctx, jv mounts, const char *container_id, lcr_error_t *err);

/* One volume as `docker volume inspect` shows it, or NULL with LCR_ERR_NOT_FOUND. */
jv dock_volume_inspect_json (struct dock_ctx *ctx, const char *name, lcr_error_t *err);

#endif
