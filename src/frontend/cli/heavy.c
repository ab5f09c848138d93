/* dock — the commands that need libarchive (or libcurl: pull, push, login, logout), in the fast
 * dock: they run in dock-archive.
 *
 * libarchive links libxml2 and ICU; loading them costs every process about 5 ms on this kind of
 * machine, and dock is run twice for each container (the command, then the shim's exit
 * command).  So the `dock` people run has no libarchive: load, save, cp, export, commit, diff and build
 * (and compose, for libyaml) hand their whole command line to `dock-archive`, the same front-end with every command,
 * installed beside it.  The layer unpacker and the tar sinks are then linked only there; these
 * stand-ins keep the shared image code linkable and are never reached in this binary.
 */
#define _GNU_SOURCE
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "container/fstree.h"
#include "image/layer.h"

static int
to_archive_binary (struct dock_ctx *ctx)
{
  static char path[4096];
  const char *slash = strrchr (ctx->self, '/');
  snprintf (path, sizeof path, "%.*sdock-archive", slash ? (int)(slash - ctx->self + 1) : 0, ctx->self);
  fflush (stdout);
  ctx->argv[0] = path;
  execv (path, ctx->argv);
  return dock_failf ("run %s: %s", path, strerror (errno));
}

#define HEAVY(name)                                                                                                    \
  DOCK_CMD (name)                                                                                                      \
  {                                                                                                                    \
    (void)argc, (void)argv;                                                                                            \
    return to_archive_binary (ctx);                                                                                    \
  }

HEAVY (dock_cmd_load)
HEAVY (dock_cmd_save)
HEAVY (dock_cmd_cp)
HEAVY (dock_cmd_export)
HEAVY (dock_cmd_commit)
HEAVY (dock_cmd_diff)
HEAVY (dock_cmd_build)
HEAVY (dock_cmd_builder_prune)
HEAVY (dock_cmd_pull)
HEAVY (dock_cmd_push)
HEAVY (dock_cmd_login)
HEAVY (dock_cmd_logout)
HEAVY (dock_cmd_compose)

int
dock_layer_read (int fd, int layer_dir, int copy_fd, struct dock_layer_result *res, lcr_error_t *err)
{
  (void)fd, (void)layer_dir, (void)copy_fd, (void)res;
  return lcr_error_invalid (err, "layers are unpacked by dock-archive");
}

ssize_t
dock_entry_read_tar (struct dock_entry *e, void *buf, size_t len)
{
  (void)e, (void)buf, (void)len;
  errno = ENOTSUP;
  return -1;
}
