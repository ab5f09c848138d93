/* dock — every command's entry point, one file per group:
 *   cmd-image.c      images, load, save, tag, rmi, history, image inspect|prune|ls|rm
 *   cmd-container.c  create, run, start, stop, restart, kill, pause, unpause, rm, ps, wait, rename,
 *                    container prune, and the exit command `container cleanup`
 *   cmd-io.c         logs, attach, exec, top, stats, port, cp, diff, export, commit, update
 *   cmd-volume.c     volume create|ls|inspect|rm|prune
 *   cmd-system.c     info, version, inspect (of any object)
 *   cmd-sysdf.c      system df, system prune
 */
#ifndef DOCK_COMMANDS_H
#define DOCK_COMMANDS_H

#include "dock.h"

#define DOCK_CMD(name) int name (struct dock_ctx *ctx, int argc, char **argv)

/* images */
DOCK_CMD (dock_cmd_images);
DOCK_CMD (dock_cmd_load);
DOCK_CMD (dock_cmd_save);
DOCK_CMD (dock_cmd_tag);
DOCK_CMD (dock_cmd_rmi);
DOCK_CMD (dock_cmd_history);
DOCK_CMD (dock_cmd_image_inspect);
DOCK_CMD (dock_cmd_image_prune);
DOCK_CMD (dock_cmd_build);         /* cmd-build.c */
DOCK_CMD (dock_cmd_builder_prune); /* cmd-build.c */

/* registries (cmd-registry.c, dock-archive only) */
DOCK_CMD (dock_cmd_pull);
DOCK_CMD (dock_cmd_push);
DOCK_CMD (dock_cmd_login);
DOCK_CMD (dock_cmd_logout);

/* dock compose (cmd-compose.c and compose/, dock-archive only: libyaml) */
DOCK_CMD (dock_cmd_compose);

/* containers */
DOCK_CMD (dock_cmd_create);
DOCK_CMD (dock_cmd_run);
DOCK_CMD (dock_cmd_start);
DOCK_CMD (dock_cmd_stop);
DOCK_CMD (dock_cmd_restart);
DOCK_CMD (dock_cmd_kill);
DOCK_CMD (dock_cmd_pause);
DOCK_CMD (dock_cmd_unpause);
DOCK_CMD (dock_cmd_rm);
DOCK_CMD (dock_cmd_ps);
DOCK_CMD (dock_cmd_wait);
DOCK_CMD (dock_cmd_rename);
DOCK_CMD (dock_cmd_container_prune);
DOCK_CMD (dock_cmd_container_inspect);
DOCK_CMD (dock_cmd_container_cleanup);

/* a running container's input, output and contents */
DOCK_CMD (dock_cmd_logs);
DOCK_CMD (dock_cmd_attach);
DOCK_CMD (dock_cmd_exec);
DOCK_CMD (dock_cmd_top);
DOCK_CMD (dock_cmd_stats);
DOCK_CMD (dock_cmd_port);
DOCK_CMD (dock_cmd_cp);
DOCK_CMD (dock_cmd_diff);
DOCK_CMD (dock_cmd_export);
DOCK_CMD (dock_cmd_commit);
DOCK_CMD (dock_cmd_update);

/* volumes */
DOCK_CMD (dock_cmd_volume_create);
DOCK_CMD (dock_cmd_volume_ls);
DOCK_CMD (dock_cmd_volume_inspect);
DOCK_CMD (dock_cmd_volume_rm);
DOCK_CMD (dock_cmd_volume_prune);

/* network */
DOCK_CMD (dock_cmd_network_create);
DOCK_CMD (dock_cmd_network_ls);
DOCK_CMD (dock_cmd_network_inspect);
DOCK_CMD (dock_cmd_network_rm);
DOCK_CMD (dock_cmd_network_prune);
DOCK_CMD (dock_cmd_network_connect);
DOCK_CMD (dock_cmd_network_disconnect);
DOCK_CMD (dock_cmd_network_refresh_rules);

/* system */
DOCK_CMD (dock_cmd_info);
DOCK_CMD (dock_cmd_version);
DOCK_CMD (dock_cmd_system_df);
DOCK_CMD (dock_cmd_system_prune);
DOCK_CMD (dock_cmd_inspect);

#endif
