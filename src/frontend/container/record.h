/* dock — a container's record: ROOT/containers/<id>/meta.json, in `docker inspect`'s shape.
 *
 * The record IS what `inspect` prints (Id, Created, Path, Args, State, Image, Name,
 * RestartCount, Config, HostConfig, Mounts, NetworkSettings, …) plus dock's own keys under
 * "Dock" (the monitor's pid file, whether a foreground `run` waits for the exit status).
 * Writers hold the store lock and save by temp + rename.
 *
 * State is written by the verb that changes it (create, start, pause, stop) and by the exit
 * command (`container cleanup`), which the shim runs when the container exits.  Between the
 * container's death and its cleanup a record can still say "running": dock_record_refresh
 * settles that from the exit file the shim wrote and the init's liveness.
 */
#ifndef DOCK_RECORD_H
#define DOCK_RECORD_H

#include <stdbool.h>

#include "dock.h"

/* Find a container by full ID, unique ID prefix or name ("/name" too).  Not found:
   LCR_ERR_NOT_FOUND "No such container: REF"; an ambiguous prefix is an error too. */
int dock_record_find (struct dock_ctx *ctx, const char *ref, char id_out[65], lcr_error_t *err);
/* find + load + refresh: the record of REF with its state settled (NULL with *err). */
jv dock_record_get (struct dock_ctx *ctx, const char *ref, char id_out[65], lcr_error_t *err);
/* Load / save meta.json of a container by full ID. */
jv dock_record_load (struct dock_ctx *ctx, const char *id, lcr_error_t *err);
int dock_record_save (struct dock_ctx *ctx, jv rec, lcr_error_t *err);
/* Every container's record (IDs sorted), NULL-terminated array of jv (free with dock_records_free). */
jv *dock_records_all (struct dock_ctx *ctx, size_t *n);
void dock_records_free (jv *v);
/* A name is in use by another container ("/name" or "name"). */
bool dock_record_name_taken (struct dock_ctx *ctx, const char *name);

/* Settle State from the exit file and the init's liveness; true when it changed the record
   (the caller may save it). */
bool dock_record_refresh (struct dock_ctx *ctx, jv rec);

/* Convenience accessors */
const char *dock_record_id (jv rec);
const char *dock_record_name (jv rec);   /* without the leading "/" */
const char *dock_record_status (jv rec); /* State.Status: created running paused restarting exited dead removing */
/* docker's words for `ps`: "Up 3 seconds", "Exited (137) 2 seconds ago", "Created", "Up 1 minute (Paused)" */
char *dock_record_status_words (jv rec);
/* "3 seconds", "About a minute", "2 hours" (docker's units.HumanDuration) for a span in seconds */
char *dock_human_duration (long long seconds);

#endif
