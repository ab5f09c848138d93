/* dock — the namespaces a container joins from another one: `--pid container:X` and
 * `--ipc container:X` (`--network container:X` is the netns code's, in lifecycle.c).
 *
 * They are X's running init's /proc/PID/ns/pid and /proc/PID/ns/ipc, looked up when the
 * container starts (as docker does), so X must be running then.  /dev/shm is not in the IPC
 * namespace: as docker does, a shareable container's /dev/shm is a tmpfs mounted on the host
 * (ROOT/containers/ID/shm) and bound into it and into every container that joins its IPC.
 */
#ifndef DOCK_SHARE_H
#define DOCK_SHARE_H

#include "dock.h"

struct dock_shared_ns
{
  char *pid; /* a namespace file to join, or NULL (the container's own, or the host's) */
  char *ipc;
  char *shm; /* the host tmpfs bound at /dev/shm: a shareable container's own
                (ROOT/containers/ID/shm, mounted here) or its donor's; NULL: a private tmpfs */
};

/* Fill `out` from rec's HostConfig.PidMode / IpcMode.  X not running: "cannot join PID of a
   non running container: X"; an IPC donor must be `--ipc shareable` (or host), as docker wants. */
int dock_share_prepare (struct dock_ctx *ctx, jv rec, struct dock_shared_ns *out, lcr_error_t *err);
/* At the stop of a shareable container: its /dev/shm tmpfs goes (docker's, too, goes with it). */
void dock_share_release (struct dock_ctx *ctx, jv rec);
void dock_shared_ns_clear (struct dock_shared_ns *ns);
#define cleanup_shared_ns __attribute__ ((cleanup (dock_shared_ns_clear)))

#endif
