/* dock — networks: their records, the endpoints of containers on them, names and ports.
 *
 *   ROOT/networks/<name>.json  docker's `network inspect` shape: Name, Id, Created, Scope, Driver,
 *                              IPAM.Config[{Subnet, Gateway, IPRange}], Internal, Options, Labels,
 *                              Containers {ID: {Name, EndpointID, MacAddress, IPv4Address}};
 *                              plus dock's private "Dock": {Bridge, Parent, Names {ID: [names]}}
 *   RUNROOT/dns/net/<name>     "NAME IPV4" lines: the running endpoints of a user network, the
 *                              names its peers resolve (container name, aliases, short ID)
 *   RUNROOT/dns/ctr/<id>       the table a container's shim answers from: `upstream` lines (the
 *                              host's resolvers or --dns) and a `hosts` line per user network
 *
 * No daemon holds this: the network file's Containers map is the lease table, written under
 * the store lock, so two `dock run` at once never get one address.  A lease is live while its
 * container's netns file (RUNROOT/netns/<id>) exists; a crash leaves leases whose netns file is
 * gone, and the next allocation on that network (or `network prune`) drops them.
 * The kernel objects: a bridge per bridge network (made when missing, so a reboot or a crash is
 * repaired at the next start), a veth pair per endpoint whose host end is named from the
 * container and network IDs (so a leftover is found and replaced), a macvlan per endpoint on a
 * macvlan network.  Packet filter rules depend on networks only (rules.h).
 */
#ifndef DOCK_NETWORK_H
#define DOCK_NETWORK_H

#include <stdbool.h>

#include "dock.h"

#define DOCK_DEFAULT_BRIDGE "dock0"

struct dock_network_req
{
  const char *name, *driver; /* driver: "bridge" (default) or "macvlan" */
  const char *subnet, *gateway, *ip_range;
  bool internal;
  jv options; /* -o K=V */
  jv labels;  /* --label K=V */
};

/* `network create`: checks, picks a free subnet when none is given, makes the bridge and rules.
 *out (may be NULL) gets the record.  Takes the lock. */
int dock_network_create (struct dock_ctx *ctx, const struct dock_network_req *req, jv *out, lcr_error_t *err);

/* A network by name, full ID or unique ID prefix (the built-in bridge, host and none are made on
   first use).  LCR_ERR_NOT_FOUND: "network NAME not found". */
jv dock_network_get (struct dock_ctx *ctx, const char *ref, lcr_error_t *err);
int dock_network_save (struct dock_ctx *ctx, jv net, lcr_error_t *err);
/* every network, built-ins first then by name */
jv dock_network_list (struct dock_ctx *ctx, lcr_error_t *err);
/* Remove a network: refused for built-ins and while containers (running or not) are on it.
   Takes the lock. */
int dock_network_remove (struct dock_ctx *ctx, const char *ref, lcr_error_t *err);
/* the IDs of the containers whose NetworkSettings name this network, space-separated, or NULL */
char *dock_network_users (struct dock_ctx *ctx, const char *name);
bool dock_network_is_builtin (const char *name);
/* what `network inspect` shows: a copy without dock's private keys */
jv dock_network_public (jv net);
/* Drop the leases (and names) of containers that no longer run on any network; remove kernel
   leftovers of networks that are gone.  For `network prune`, `system prune`. */
void dock_network_gc (struct dock_ctx *ctx);
/* `network prune`: remove the user networks no container names and match (NULL: all) accepts;
   returns the names removed */
jv dock_network_prune (struct dock_ctx *ctx, bool (*match) (jv net, void *data), void *data);

/* ---- endpoints (endpoint.c): called with the lock held ---- */

/* At a container's start, after its netns file is made: an endpoint on each network of
   NetworkSettings.Networks (address lease, veth or macvlan, routes), the record's endpoint
   fields filled as docker's, /etc/hosts given the container's address, DNS files written. */
int dock_network_attach_all (struct dock_ctx *ctx, jv rec, const char *netns_path, lcr_error_t *err);
/* `network connect` of a running container (netns_path) or a stopped one (NULL: only recorded). */
int dock_network_connect (struct dock_ctx *ctx, jv rec, jv net, jv endpoint_config, const char *netns_path,
                          lcr_error_t *err);
/* `network disconnect`: the endpoint goes (live when running) and the network leaves the record. */
int dock_network_disconnect (struct dock_ctx *ctx, jv rec, jv net, lcr_error_t *err);
/* At a container's stop: every endpoint goes, leases and names are released, the record's
   endpoint fields emptied (the networks stay in the record). Never fails. */
void dock_network_detach_all (struct dock_ctx *ctx, jv rec);

/* ---- names (dns-files.c) ---- */

/* true when the container is on a network whose peers resolve by name (a user-defined one) */
bool dock_network_has_dns (jv rec);
/* rewrite RUNROOT/dns/net/<name> from the network's record */
int dock_dns_write_network (struct dock_ctx *ctx, jv net, lcr_error_t *err);
/* rewrite RUNROOT/dns/ctr/<id>; *path_out (may be NULL) gets its path */
int dock_dns_write_container (struct dock_ctx *ctx, jv rec, char **path_out, lcr_error_t *err);
void dock_dns_remove_container (struct dock_ctx *ctx, const char *id);
/* a container's resolv.conf from the host's text: embedded (127.0.0.11) or not (see the .c) */
char *dock_dns_resolv_conf (const char *text, bool embedded);

/* ---- published ports (ports.c) ---- */

struct dock_published
{
  int *fds;     /* bound (and for tcp listening) sockets in dock's namespace */
  char **specs; /* "PROTO:CONTAINER_IP:PORT" for berth-shim's --publish FD:SPEC */
  size_t n;
};
/* Bind HostConfig.PortBindings (and, with PublishAllPorts, every ExposedPort on a free port) and
   record NetworkSettings.Ports as docker shows them.  A taken port fails with docker's message
   and nothing stays bound. */
int dock_ports_bind (struct dock_ctx *ctx, jv rec, struct dock_published *out, lcr_error_t *err);
void dock_published_close (struct dock_published *p);

#endif
