/* dock — links, addresses and routes over rtnetlink (libmnl).
 *
 * dock has no daemon, so the kernel objects are the state: a bridge per network, a veth pair
 * (or a macvlan) per endpoint.  Every call opens one netlink socket in the namespace it works
 * on: the caller's ("the host") or a container's, given as an fd of its netns file; a socket
 * made after setns() into a namespace keeps talking to that namespace after setns() back, so
 * dock's single thread never stays in a container's namespace.
 *
 * Names are kernel interface names (at most 15 bytes).  Addresses are IPv4 in CIDR form
 * ("172.18.0.2/16"); MACs are "02:42:ac:12:00:02".  Errors name the link and the operation.
 */
#ifndef DOCK_NETLINK_H
#define DOCK_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* 1 if the link exists in the caller's namespace, 0 if not, -1 on error */
int dock_nl_link_exists (const char *name, lcr_error_t *err);

/* A bridge in the caller's namespace, made if missing, with addr_cidr (the gateway, may be NULL)
   added if missing, and up. */
int dock_nl_bridge_ensure (const char *name, const char *addr_cidr, lcr_error_t *err);

/* Delete a link of the caller's namespace; a missing link is not an error. */
int dock_nl_link_del (const char *name, lcr_error_t *err);

struct dock_nl_endpoint
{
  int netns_fd;          /* the container's network namespace (an open netns file) */
  const char *ifname;    /* its name in there: "eth0", "eth1", … */
  const char *mac;       /* NULL: a MAC derived from the address as docker does (02:42:…) */
  const char *addr_cidr; /* "172.18.0.2/16" */
  const char *gateway;   /* default route via this address, or NULL for none */
};

/* A veth pair: host_name in the caller's namespace, enslaved to bridge and up; its peer made
   directly in ep->netns_fd as ep->ifname (IFLA_NET_NS_FD: it never appears in the caller's
   namespace), with the MAC, the address, up, and the default route.  On failure nothing is
   left (the pair is deleted; a host_name that was already taken is left alone). mac_out gets
   the MAC used. */
int dock_nl_veth_plug (const char *bridge, const char *host_name, const struct dock_nl_endpoint *ep, char mac_out[18],
                       lcr_error_t *err);

/* A macvlan (mode bridge) on parent (a link of the caller's namespace), made directly in the
   container's namespace and set up as for veth; on failure it is deleted. */
int dock_nl_macvlan_plug (const char *parent, const struct dock_nl_endpoint *ep, char mac_out[18], lcr_error_t *err);

/* Delete ifname inside the container's namespace (a veth's host end goes with it); a missing
   link is not an error. */
int dock_nl_unplug (int netns_fd, const char *ifname, lcr_error_t *err);

/* The IPv4 prefixes in use in the caller's namespace (its addresses' subnets and its routes,
   default route excepted): what a new network's subnet must not overlap. */
struct dock_nl_prefix
{
  uint32_t addr; /* host byte order, masked */
  int len;
};
int dock_nl_ipv4_prefixes (struct dock_nl_prefix **out, size_t *n, lcr_error_t *err);

/* docker's MAC for an IPv4 address: 02:42 then the four bytes of the address */
void dock_nl_mac_from_ipv4 (uint32_t addr_host_order, char out[18]);

#endif
