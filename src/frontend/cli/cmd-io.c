/* dock — (not yet written) */
#include "commands.h"

DOCK_CMD (dock_cmd_logs)
{
  return dock_failf ("logs: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_attach)
{
  return dock_failf ("attach: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_exec)
{
  return dock_failf ("exec: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_top)
{
  return dock_failf ("top: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_stats)
{
  return dock_failf ("stats: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_port)
{
  return dock_failf ("port: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_cp)
{
  return dock_failf ("cp: not implemented yet: %s", argv[0]);
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

