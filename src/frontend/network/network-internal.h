/* dock — what the network files share among themselves (not the commands). */
#ifndef DOCK_NETWORK_INTERNAL_H
#define DOCK_NETWORK_INTERNAL_H

#include "network/network.h"

/* Make a bridge network's bridge if it is missing (or always_rules) and re-apply the rules. */
int dock_network_bridge_ensure (struct dock_ctx *ctx, jv net, bool always_rules, lcr_error_t *err);
/* Drop the leases of containers whose netns file is gone; true when one was dropped. */
bool dock_network_drop_stale (struct dock_ctx *ctx, jv net);
/* Rebuild dock's packet filter tables from every bridge network (rules-run.c).  The light dock
   has no libnftables: it runs `dock-archive … network refresh-rules` for this. */
int dock_network_rules_refresh (struct dock_ctx *ctx, lcr_error_t *err);
/* true for networks whose peers resolve by name: user-defined bridge and macvlan networks */
bool dock_network_named (jv net);

#endif
