/* dock — the store: its directories, its lock, ids and names.
 *
 * Every mutation of ROOT happens under ROOT/lock (flock, exclusive) and every file is written
 * to a temporary name and renamed over, so two dock processes at once never see a half-written
 * file and never lose each other's updates.  Readers that only list take the lock too: it is
 * cheap, and a listing then never shows a container half-created.
 */
#ifndef DOCK_STORE_H
#define DOCK_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "dock.h"

/* Make ROOT's and RUNROOT's directories (once; cheap when they exist). */
int dock_store_init (struct dock_ctx *ctx, lcr_error_t *err);

/* Take / release ROOT/lock.  Nested calls count; the lock is released by the last unlock. */
int dock_lock (struct dock_ctx *ctx, lcr_error_t *err);
void dock_unlock (struct dock_ctx *ctx);

/* ROOT/<fmt…> and RUNROOT/<fmt…> as malloc'd paths. */
char *dock_path (struct dock_ctx *ctx, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
char *dock_runpath (struct dock_ctx *ctx, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* 64 random hex digits (+ NUL). */
void dock_random_id (char out[65]);
/* A docker-style name ("eager_turing") not yet used according to `taken` (may be NULL). */
char *dock_random_name (bool (*taken) (void *data, const char *name), void *data);
/* A valid container or volume name: [a-zA-Z0-9][a-zA-Z0-9_.-]* */
bool dock_valid_name (const char *name);
/* 64 lowercase hex digits */
bool dock_is_hex_id (const char *s, size_t len);

/* The entries of ROOT/<dir> (names only, sorted, NULL-terminated, malloc'd; free with
   dock_strv_free).  A missing directory gives an empty list. */
char **dock_list_dir (const char *path);
void dock_strv_free (char **v);
static inline void
cleanup_strv_fn (char ***v)
{
  dock_strv_free (*v);
}
#define cleanup_strv __attribute__ ((cleanup (cleanup_strv_fn)))

/* now, RFC 3339 with nanoseconds (docker's "Created") */
char *dock_now_rfc3339 (void);
/* parse RFC 3339 into seconds since the epoch (fraction dropped); -1 on garbage */
long long dock_parse_rfc3339 (const char *s);

#endif
