/* dock — (not yet written) */
#include "commands.h"

DOCK_CMD (dock_cmd_create)
{
  return dock_failf ("create: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_run)
{
  return dock_failf ("run: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_start)
{
  return dock_failf ("start: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_stop)
{
  return dock_failf ("stop: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_restart)
{
  return dock_failf ("restart: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_kill)
{
  return dock_failf ("kill: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_pause)
{
  return dock_failf ("pause: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_unpause)
{
  return dock_failf ("unpause: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_rm)
{
  return dock_failf ("rm: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_ps)
{
  return dock_failf ("ps: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_wait)
{
  return dock_failf ("wait: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_rename)
{
  return dock_failf ("rename: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_container_prune)
{
  return dock_failf ("container prune: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_container_inspect)
{
  return dock_failf ("container inspect: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_container_cleanup)
{
  return dock_failf ("container cleanup: not implemented yet: %s", argv[0]);
}

