/* dock — IPv4 address management (ipam.h): parsing, formatting and the two choices IPAM makes,
 * a subnet for a new network and an address for a new endpoint.  No I/O: the callers hold the
 * leases and the kernel's prefixes and pass them in. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "network/ipam.h"

/* Strict dotted quad: four decimal numbers 0..255, no leading sign or blank, nothing after
   (inet_pton would do, but we also want the end of the address for the CIDR form). */
static const char *
parse_quad (const char *s, uint32_t *out)
{
  uint32_t v = 0;
  for (int i = 0; i < 4; i++)
    {
      if (i > 0)
        {
          if (*s != '.')
            return NULL;
          s++;
        }
      if (*s < '0' || *s > '9')
        return NULL;
      unsigned n = 0;
      int digits = 0;
      while (*s >= '0' && *s <= '9')
        {
          n = n * 10 + (unsigned)(*s - '0');
          s++;
          if (++digits > 3 || n > 255)
            return NULL;
        }
      v = (v << 8) | n;
    }
  *out = v;
  return s;
}

int
dock_ipam_parse_addr (const char *s, uint32_t *out)
{
  uint32_t v;
  const char *end = s ? parse_quad (s, &v) : NULL;
  if (end == NULL || *end != '\0')
    return -1;
  *out = v;
  return 0;
}

int
dock_ipam_parse_cidr (const char *s, struct dock_ipv4_net *out)
{
  uint32_t v;
  const char *end = s ? parse_quad (s, &v) : NULL;
  if (end == NULL || *end != '/')
    return -1;
  end++;
  if (*end < '0' || *end > '9')
    return -1;
  int len = 0, digits = 0;
  while (*end >= '0' && *end <= '9')
    {
      len = len * 10 + (*end - '0');
      end++;
      if (++digits > 2)
        return -1;
    }
  if (*end != '\0' || len > 32)
    return -1;
  out->addr = v;
  out->len = len;
  return 0;
}

const char *
dock_ipam_format_addr (uint32_t addr, char buf[16])
{
  snprintf (buf, 16, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff, (addr >> 8) & 0xff, addr & 0xff);
  return buf;
}

const char *
dock_ipam_format_cidr (uint32_t addr, int len, char buf[19])
{
  char a[16];
  snprintf (buf, 19, "%s/%d", dock_ipam_format_addr (addr, a), len);
  return buf;
}

uint32_t
dock_ipam_mask (int len)
{
  if (len <= 0)
    return 0;
  if (len >= 32)
    return 0xffffffffu;
  return 0xffffffffu << (32 - len);
}

bool
dock_ipam_contains (const struct dock_ipv4_net *net, uint32_t addr)
{
  uint32_t m = dock_ipam_mask (net->len);
  return (addr & m) == (net->addr & m);
}

/* Two prefixes overlap exactly when the shorter one contains the other's network. */
bool
dock_ipam_overlap (const struct dock_ipv4_net *a, const struct dock_ipv4_net *b)
{
  int len = a->len < b->len ? a->len : b->len;
  uint32_t m = dock_ipam_mask (len);
  return (a->addr & m) == (b->addr & m);
}

static bool
overlaps_any (const struct dock_ipv4_net *net, const struct dock_ipv4_net *taken, size_t ntaken)
{
  for (size_t i = 0; i < ntaken; i++)
    if (dock_ipam_overlap (net, &taken[i]))
      return true;
  return false;
}

/* docker's default address pools, in the order it tries them */
#define POOL_172_FIRST 17
#define POOL_172_LAST 31
#define POOL_192_168 ((192u << 24) | (168u << 16))
#define POOL_192_LEN 20

int
dock_ipam_pick_subnet (const struct dock_ipv4_net *taken, size_t ntaken, bool skip_default, struct dock_ipv4_net *out)
{
  for (uint32_t b = skip_default ? POOL_172_FIRST + 1 : POOL_172_FIRST; b <= POOL_172_LAST; b++)
    {
      struct dock_ipv4_net n = {.addr = (172u << 24) | (b << 16), .len = 16};
      if (!overlaps_any (&n, taken, ntaken))
        {
          *out = n;
          return 0;
        }
    }
  for (uint32_t i = 0; i < (1u << (POOL_192_LEN - 16)); i++)
    {
      struct dock_ipv4_net n = {.addr = POOL_192_168 | (i << (32 - POOL_192_LEN)), .len = POOL_192_LEN};
      if (!overlaps_any (&n, taken, ntaken))
        {
          *out = n;
          return 0;
        }
    }
  return -1;
}

int
dock_ipam_pick_addr (const struct dock_ipv4_net *subnet, const struct dock_ipv4_net *range, uint32_t gateway,
                     const uint32_t *used, size_t nused, uint32_t *out)
{
  uint32_t mask = dock_ipam_mask (subnet->len);
  uint64_t first = subnet->addr & mask, last = (subnet->addr & mask) | ~mask;
  /* /31 and /32 have no network or broadcast address (RFC 3021) */
  bool ends_reserved = subnet->len < 31;
  uint32_t net = (uint32_t)first, bcast = (uint32_t)last;

  if (range)
    {
      uint32_t rmask = dock_ipam_mask (range->len);
      uint64_t rfirst = range->addr & rmask, rlast = (range->addr & rmask) | ~rmask;
      if (rfirst > first)
        first = rfirst;
      if (rlast < last)
        last = rlast;
    }

  /* a 64-bit counter, so the loop ends after 255.255.255.255 */
  for (uint64_t a = first; a <= last; a++)
    {
      uint32_t cand = (uint32_t)a;
      if (ends_reserved && (cand == net || cand == bcast))
        continue;
      if (cand == gateway)
        continue;
      bool taken = false;
      for (size_t i = 0; i < nused && !taken; i++)
        taken = used[i] == cand;
      if (taken)
        continue;
      *out = cand;
      return 0;
    }
  return -1;
}
