/* dock — pull and push progress, as docker shows it.
 *
 * One line per layer ("a1b2c3d4e5f6: Downloading [=====>      ]  1.2MB/3.4MB").  On a terminal
 * the lines are redrawn in place (the cursor moves up to the layer's line, rewrites it, and comes
 * back below the last line); anywhere else each change of status is one plain line and byte
 * counts are not shown, so a log stays short and greppable.  Quiet progress prints nothing.
 * Safe to call from several threads (push uploads in parallel).
 */
#ifndef DOCK_REG_PROGRESS_H
#define DOCK_REG_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct dock_progress;

/* `tty` < 0: decide from `out` (a terminal, and TERM is not "dumb"). */
struct dock_progress *dock_progress_new (FILE *out, bool quiet, int tty);
void dock_progress_free (struct dock_progress *pg);

/* A new line for `id` (a short ID) with `status`; its index. */
int dock_progress_add (struct dock_progress *pg, const char *id, const char *status);
/* The line's status changes. */
void dock_progress_status (struct dock_progress *pg, int line, const char *status);
/* Bytes moved: on a terminal "VERB [====>    ] NOW/TOTAL", redrawn at most every 100 ms. */
void dock_progress_bytes (struct dock_progress *pg, int line, const char *verb, uint64_t now, uint64_t total);
/* A line that is not a layer's ("Digest: …"), printed below the layers. */
void dock_progress_text (struct dock_progress *pg, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

#endif
