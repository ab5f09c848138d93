/* dock — a container's life: create, start (through the shim), signal, stop, remove, and the
 * exit command that settles what the shim reports.
 *
 *   verb     | holds the lock while                          | state after
 *   ---------+-----------------------------------------------+-----------------------------------
 *   create   | it resolves the image, makes the directory,   | created
 *            | volumes, hosts files, and writes the record    |
 *   start    | it mounts the rootfs, makes the netns, writes | running (Pid = the init's pid)
 *            | config.json, starts the shim (which runs       |
 *            | `RUNTIME create`), waits for its sync line,    |
 *            | then `RUNTIME start`                           |
 *   kill     | never (the signal goes through the runtime)   | unchanged; the exit command settles
 *   stop     | only to mark the stop as manual               | exited, once the exit command ran
 *   cleanup  | all of it: `RUNTIME delete`, unmount, netns   | exited; removed (--rm), or started
 *   (exit    | file removed; then --rm or the restart policy |   again (restart policy)
 *   command) |                                               |
 *   remove   | all of it (a running container only with -f)  | gone
 *
 * Nothing waits on a container while holding the lock: the exit command needs it.
 */
#ifndef DOCK_LIFECYCLE_H
#define DOCK_LIFECYCLE_H

#include <stdbool.h>

#include "container/create.h"
#include "dock.h"

/* Create the container (not started); id_out gets its ID.  Warnings (e.g. a name-less image
   ref) are not errors. */
int dock_container_create (struct dock_ctx *ctx, struct dock_create_req *req, char id_out[65], lcr_error_t *err);

/* Start a created or stopped container.  attach_fd: when not NULL, a connection to the
   shim's attach socket is made before the container's process runs (so no output is lost)
   and returned there. */
int dock_container_start (struct dock_ctx *ctx, const char *id, int *attach_fd, lcr_error_t *err);

/* Signal the container's init (name or number, "KILL", "SIGTERM", "9"). */
int dock_container_kill (struct dock_ctx *ctx, const char *id, const char *signal, lcr_error_t *err);
/* StopSignal, then KILL after `timeout` seconds (< 0: the container's StopTimeout, default 10);
   returns once the exit command has recorded the exit. */
int dock_container_stop (struct dock_ctx *ctx, const char *id, long long timeout, lcr_error_t *err);
int dock_container_pause (struct dock_ctx *ctx, const char *id, bool pause, lcr_error_t *err);
/* Remove; a running container only with force (killed first); volumes: its anonymous volumes. */
int dock_container_remove (struct dock_ctx *ctx, const char *id, bool force, bool volumes, lcr_error_t *err);
/* The exit command: record the exit, release the rootfs and netns, then --rm or restart. */
int dock_container_cleanup (struct dock_ctx *ctx, const char *id, lcr_error_t *err);
/* Wait until the container is not running (exit file or a dead init) and its cleanup ran;
 *code gets State.ExitCode.  timeout_ms < 0: forever. */
int dock_container_wait (struct dock_ctx *ctx, const char *id, long long timeout_ms, int *code, lcr_error_t *err);

/* Run the runtime (with --root RUNROOT/runtime) and wait; its stderr's last line becomes the
   error's message on failure. */
int dock_runtime_run (struct dock_ctx *ctx, char *const *args, lcr_error_t *err);

/* A signal's number from "KILL", "SIGKILL", "9", "sigterm"; -1 when unknown. */
int dock_signal_number (const char *s);

#endif
