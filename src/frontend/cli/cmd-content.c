/* dock — (not yet written) a container's contents and resources: stats, cp, diff, export,
   commit, update */
#include "commands.h"

DOCK_CMD (dock_cmd_stats)
{
  return dock_failf ("stats: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_diff)
{
  return dock_failf ("diff: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_export)
{
  return dock_failf ("export: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_commit)
{
  return dock_failf ("commit: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_update)
{
  return dock_failf ("update: not implemented yet: %s", argv[0]);
}
