/* dock — IPv4 address management: subnets for new networks and addresses for endpoints.
 *
 * Pure functions over numbers (host byte order), so the rules are unit-tested; the leases
 * themselves live in each network's file in the store, under dock's lock (network/store.c).
 */
#ifndef DOCK_IPAM_H
#define DOCK_IPAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dock_ipv4_net
{
  uint32_t addr; /* host byte order; for a subnet, masked */
  int len;       /* prefix length 0..32 */
};

/* "a.b.c.d" → addr; 0 or -1 */
int dock_ipam_parse_addr (const char *s, uint32_t *out);
/* "a.b.c.d/len" → net (not masked: the caller decides whether host bits are an error); 0 or -1 */
int dock_ipam_parse_cidr (const char *s, struct dock_ipv4_net *out);
/* "a.b.c.d" into buf (16 bytes) */
const char *dock_ipam_format_addr (uint32_t addr, char buf[16]);
/* "a.b.c.d/len" into buf (19 bytes) */
const char *dock_ipam_format_cidr (uint32_t addr, int len, char buf[19]);

uint32_t dock_ipam_mask (int len);
bool dock_ipam_contains (const struct dock_ipv4_net *net, uint32_t addr);
bool dock_ipam_overlap (const struct dock_ipv4_net *a, const struct dock_ipv4_net *b);

/* The first subnet of docker's default pools (172.17.0.0/16 … 172.31.0.0/16, then
   192.168.0.0/16 cut in /20s) that overlaps none of taken[]; -1 when all are taken.
   skip_default: start at 172.18 (172.17 is the default bridge's). */
int dock_ipam_pick_subnet (const struct dock_ipv4_net *taken, size_t ntaken, bool skip_default,
                           struct dock_ipv4_net *out);

/* The lowest free address of subnet (inside range when range is not NULL): not the network
   address, not the broadcast, not gateway, not in used[]; -1 when the subnet is full. */
int dock_ipam_pick_addr (const struct dock_ipv4_net *subnet, const struct dock_ipv4_net *range, uint32_t gateway,
                         const uint32_t *used, size_t nused, uint32_t *out);

#endif
