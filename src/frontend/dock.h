/* dock — the daemonless front-end: what every command shares.
 *
 * A dock process lives for one command.  It reads and writes the store (ROOT, default
 * /var/lib/dock) under one lock, writes bundles, starts `berth-shim` (which starts the runtime)
 * and exits; nothing of dock runs between commands but one shim per container.
 *
 *   ROOT/     oci-layout index.json blobs/sha256/<hex>   images: an OCI image layout
 *             refs.json                                  name:tag -> image
 *             layers/<chainid>/{diff/,meta.json}         each layer unpacked once
 *             containers/<id>/{meta.json,config.json,upper/,work/,rootfs/,hosts,hostname,
 *                              resolv.conf,ctr.log}
 *             volumes/<name>/{_data/,meta.json}   networks/<name>.json   lock
 *   RUNROOT/  runtime/ (the runtime's --root)   exits/<id>   netns/<id>   shim/<id>/
 *
 * Errors are libcrun's lcr_error_t; main() prints "dock: MESSAGE" and exits 125 (docker's
 * status for its own failures) unless a command returns a container's status.
 */
#ifndef DOCK_H
#define DOCK_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "utils.h"
#include "util/jv.h"

#define DOCK_VERSION "0.1.0"
#define DOCK_API_VERSION "1.41" /* the docker API version whose shapes inspect follows */

/* exit statuses, as docker's */
#define DOCK_EXIT_ERROR 125
#define DOCK_EXIT_CANNOT_RUN 126
#define DOCK_EXIT_NOT_FOUND 127

struct dock_ctx
{
  const char *root;    /* --root */
  const char *runroot; /* --runroot */
  const char *runtime; /* --runtime: path of an OCI runtime (berth, runc, crun) */
  const char *shim;    /* --shim: berth-shim or conmon */
  const char *driver;  /* --storage-driver: "overlay" or "vfs" (NULL: overlay where it mounts) */
  int log_level;       /* --log-level: 0 error .. 3 debug */
  const char *self;    /* this binary's path, for the shim's exit command */
  int lock_fd;         /* ROOT/lock while held, else -1 */
  int lock_depth;
  char **argv; /* the whole command line, global options included (dock-archive gets it) */
};

/* A command: argv[0] is its name.  Returns an exit status. */
typedef int (*dock_cmd_fn) (struct dock_ctx *ctx, int argc, char **argv);

/* Print an error as "dock: MESSAGE" on stderr and return DOCK_EXIT_ERROR. */
int dock_fail (lcr_error_t *err);
/* Print "dock: FMT" on stderr and return DOCK_EXIT_ERROR. */
int dock_failf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
/* Debug line on stderr when --log-level debug. */
void dock_debug (struct dock_ctx *ctx, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
/* For the crash tests: when $DOCK_CRASH_AT names this stage, dock dies here by SIGKILL, as a
   dock killed at that moment would, so the tests can check what the next dock clears. */
void dock_crash_point (const char *stage);

#endif
