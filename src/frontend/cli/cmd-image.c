/* dock — (not yet written) */
#include "commands.h"

DOCK_CMD (dock_cmd_images)
{
  return dock_failf ("images: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_load)
{
  return dock_failf ("load: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_save)
{
  return dock_failf ("save: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_tag)
{
  return dock_failf ("tag: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_rmi)
{
  return dock_failf ("rmi: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_history)
{
  return dock_failf ("history: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_image_inspect)
{
  return dock_failf ("image inspect: not implemented yet: %s", argv[0]);
}

DOCK_CMD (dock_cmd_image_prune)
{
  return dock_failf ("image prune: not implemented yet: %s", argv[0]);
}
