/* dock — `cp`: files between a container and the host (the rules live in container/copy.c). */
#define _GNU_SOURCE
#include <string.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "container/copy.h"

DOCK_CMD (dock_cmd_cp)
{
  struct dock_cp_opts o = {0};
  bool quiet = false;
  const struct dock_opt opts[] = {
      {"archive", 'a', DOCK_OPT_BOOL, &o.archive, "Archive mode (copy all uid/gid information)", NULL},
      {"follow-link", 'L', DOCK_OPT_BOOL, &o.follow_link, "Always follow symbol link in SRC_PATH", NULL},
      {"quiet", 'q', DOCK_OPT_BOOL, &quiet, "Suppress progress output during copy", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  static const struct dock_cmd_usage u
      = {"dock cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tdock cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
         "Copy files/folders between a container and the local filesystem", true, 2, 2};
  lcr_error_t err = NULL;
  int first;
  int p = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (p != 0)
    return p > 0 ? 0 : dock_fail (&err);
  (void)ctx;
  if (dock_cp (ctx, argv[first], argv[first + 1], &o, &err) < 0)
    return dock_fail (&err);
  return 0;
}
