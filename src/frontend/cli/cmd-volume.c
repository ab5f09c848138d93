/* dock — (not yet written) */
#include "commands.h"

DOCK_CMD (dock_cmd_volume_create)
{
  return dock_failf ("volume create: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_volume_ls)
{
  return dock_failf ("volume ls: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_volume_inspect)
{
  return dock_failf ("volume inspect: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_volume_rm)
{
  return dock_failf ("volume rm: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_volume_prune)
{
  return dock_failf ("volume prune: not implemented yet: %s", argv[0]);
}
