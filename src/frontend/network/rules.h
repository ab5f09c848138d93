/* dock — packet filter rules for networks (nftables, through libnftables).
 *
 * All of dock's rules live in tables of their own (`inet dock` for filtering, `ip dock-nat`
 * for masquerade), rebuilt whole and atomically from the list of networks each time a bridge
 * network is made, removed or found missing, so a crash can never leave them half-written:
 *  - masquerade: traffic from a bridge's subnet leaving through another interface, unless the
 *    network is --internal;
 *  - isolation: no forwarding from one dock bridge to another (docker's inter-network isolation);
 *  - --internal: no forwarding into or out of the bridge at all.
 * Rules depend on networks only, never on containers, so a container's start never touches them.
 */
#ifndef DOCK_RULES_H
#define DOCK_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct dock_rule_net
{
  const char *bridge; /* interface name */
  const char *subnet; /* "172.18.0.0/16" */
  bool internal;
};

/* The nft script that replaces dock's tables with the rules for nets (pure; unit-tested). */
char *dock_rules_script (const struct dock_rule_net *nets, size_t n);

/* Apply it (libnftables); also turns on IPv4 forwarding in the caller's namespace as docker
   does.  n == 0 removes dock's tables. */
int dock_rules_apply (const struct dock_rule_net *nets, size_t n, lcr_error_t *err);

#endif
