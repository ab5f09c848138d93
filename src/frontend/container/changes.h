/* dock — what a container changed in its file system, from its overlay upper dir: `diff`'s
 * list and `commit`'s layer.
 *
 * In the upper dir, a 0:0 character device is a deleted path (whiteout) and a directory with
 * the overlay.opaque xattr replaced whatever the lower layers had there.  A path in the upper
 * dir is Added when no lower layer has it, Changed when one does; a directory counts as
 * Changed when its owner or mode changed or something in it was added or deleted (its own
 * copy-up alone is not a change).  The empty files and directories the runtime creates as
 * mountpoints (/etc/hosts, /etc/resolv.conf, /dev, …: docker keeps them in its "init" layer)
 * are not changes.  The vfs driver has no upper dir: neither works there.
 */
#ifndef DOCK_CHANGES_H
#define DOCK_CHANGES_H

#include "dock.h"

/* Paths (relative, no leading "/") the runtime makes as mountpoints; NULL-terminated. */
extern const char *const dock_runtime_stubs[];

/* docker's ContainerChanges: [{"Path": "/etc/x", "Kind": 0 (changed) | 1 (added) | 2 (deleted)}],
   sorted by path. */
jv dock_changes_list (jv rec, lcr_error_t *err);

/* The upper dir as a layer tar written to fd: whiteouts as ".wh.NAME", opaque directories with
   ".wh..wh..opq", runtime mountpoints left out. */
int dock_changes_tar (jv rec, int fd, lcr_error_t *err);

#endif
