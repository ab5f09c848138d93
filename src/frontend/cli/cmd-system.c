/* dock — (not yet written) */
#include "commands.h"

DOCK_CMD (dock_cmd_info)
{
  return dock_failf ("info: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_version)
{
  return dock_failf ("version: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_system_df)
{
  return dock_failf ("system df: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_system_prune)
{
  return dock_failf ("system prune: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_inspect)
{
  return dock_failf ("inspect: not implemented yet: %s", argv[0]);
}

