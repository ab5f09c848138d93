/* Unit tests for dock's IPAM (src/frontend/network/ipam.c): parsing and formatting, overlap,
   the default pools' order for a new network's subnet, and the choice of an endpoint address. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "network/ipam.h"
#include "tap.h"

static uint32_t
A (const char *s)
{
  uint32_t a;
  if (dock_ipam_parse_addr (s, &a) < 0)
    {
      printf ("# bad test address %s\n", s);
      exit (2);
    }
  return a;
}

static struct dock_ipv4_net
N (const char *s)
{
  struct dock_ipv4_net n;
  if (dock_ipam_parse_cidr (s, &n) < 0)
    {
      printf ("# bad test subnet %s\n", s);
      exit (2);
    }
  return n;
}

static const char *
fmt (uint32_t a)
{
  static char buf[4][16];
  static int i;
  i = (i + 1) % 4;
  return dock_ipam_format_addr (a, buf[i]);
}

static const char *
fmt_net (struct dock_ipv4_net n)
{
  static char buf[19];
  return dock_ipam_format_cidr (n.addr, n.len, buf);
}

static void
test_parse (void)
{
  uint32_t a;
  struct dock_ipv4_net n;
  char buf[19];

  is_int (dock_ipam_parse_addr ("172.18.0.2", &a), 0, "parse 172.18.0.2");
  is_int (a, 0xac120002, "172.18.0.2 in host byte order");
  is_int (dock_ipam_parse_addr ("255.255.255.255", &a), 0, "parse 255.255.255.255");
  is_int (a, 0xffffffffu, "all ones");
  is_int (dock_ipam_parse_addr ("0.0.0.0", &a), 0, "parse 0.0.0.0");
  const char *bad[] = {"",       "1.2.3",   "1.2.3.4.5", "256.1.1.1",  "1.2.3.4 ", " 1.2.3.4",
                       "1..2.3", "a.b.c.d", "1.2.3.4/8", "0001.2.3.4", "-1.2.3.4", NULL};
  for (int i = 0; bad[i]; i++)
    is_int (dock_ipam_parse_addr (bad[i], &a), -1, "address `%s` is refused", bad[i]);

  is_int (dock_ipam_parse_cidr ("10.1.2.3/8", &n), 0, "parse 10.1.2.3/8");
  is_int (n.addr, 0x0a010203, "CIDR keeps the host bits (the caller decides)");
  is_int (n.len, 8, "prefix length 8");
  is_int (dock_ipam_parse_cidr ("0.0.0.0/0", &n), 0, "parse 0.0.0.0/0");
  is_int (n.len, 0, "prefix length 0");
  is_int (dock_ipam_parse_cidr ("1.2.3.4/32", &n), 0, "parse /32");
  const char *badc[]
      = {"1.2.3.4", "1.2.3.4/", "1.2.3.4/33", "1.2.3.4/-1", "1.2.3.4/8x", "1.2.3/8", "1.2.3.4/008", NULL};
  for (int i = 0; badc[i]; i++)
    is_int (dock_ipam_parse_cidr (badc[i], &n), -1, "CIDR `%s` is refused", badc[i]);

  is_str (fmt (0xac120002), "172.18.0.2", "format an address");
  is_str (fmt (0), "0.0.0.0", "format 0.0.0.0");
  is_str (fmt (0xffffffffu), "255.255.255.255", "format all ones");
  is_str (dock_ipam_format_cidr (0xc0a81000, 20, buf), "192.168.16.0/20", "format a CIDR");
  is_str (dock_ipam_format_cidr (0xffffffffu, 32, buf), "255.255.255.255/32", "the longest CIDR fits");
}

static void
test_mask_overlap (void)
{
  is_int (dock_ipam_mask (0), 0, "/0 mask");
  is_int (dock_ipam_mask (16), 0xffff0000u, "/16 mask");
  is_int (dock_ipam_mask (20), 0xfffff000u, "/20 mask");
  is_int (dock_ipam_mask (32), 0xffffffffu, "/32 mask");

  struct dock_ipv4_net a = N ("172.18.0.0/16"), b = N ("172.18.5.0/24"), c = N ("172.19.0.0/16"), all = N ("0.0.0.0/0"),
                       h = N ("172.18.255.255/32");
  ok (dock_ipam_contains (&a, A ("172.18.200.1")), "172.18.0.0/16 contains 172.18.200.1");
  ok (!dock_ipam_contains (&a, A ("172.19.0.1")), "172.18.0.0/16 does not contain 172.19.0.1");
  ok (dock_ipam_overlap (&a, &b) && dock_ipam_overlap (&b, &a), "a /16 and a /24 inside it overlap, both ways");
  ok (!dock_ipam_overlap (&a, &c), "neighbouring /16s do not overlap");
  ok (dock_ipam_overlap (&all, &c), "0.0.0.0/0 overlaps everything");
  ok (dock_ipam_overlap (&a, &h) && !dock_ipam_overlap (&c, &h), "a /32 overlaps only what holds it");
  ok (dock_ipam_overlap (&a, &a), "a subnet overlaps itself");
}

static void
test_pick_subnet (void)
{
  struct dock_ipv4_net out, taken[64];

  is_int (dock_ipam_pick_subnet (NULL, 0, false, &out), 0, "a subnet when nothing is taken");
  is_str (fmt_net (out), "172.17.0.0/16", "the first pool is 172.17.0.0/16");
  is_int (dock_ipam_pick_subnet (NULL, 0, true, &out), 0, "skipping the default bridge's");
  is_str (fmt_net (out), "172.18.0.0/16", "then 172.18.0.0/16");

  taken[0] = N ("172.18.0.0/16");
  taken[1] = N ("172.19.3.0/24"); /* a host route inside 172.19 */
  taken[2] = N ("172.20.0.1/32");
  dock_ipam_pick_subnet (taken, 3, true, &out);
  is_str (fmt_net (out), "172.21.0.0/16", "taken /16s, and /16s with anything inside them, are skipped");

  taken[0] = N ("172.16.0.0/12"); /* 172.16 … 172.31: every 172 pool */
  dock_ipam_pick_subnet (taken, 1, false, &out);
  is_str (fmt_net (out), "192.168.0.0/20", "after the 172 pools: 192.168.0.0/20");
  taken[1] = N ("192.168.1.0/24");
  taken[2] = N ("192.168.16.0/20");
  dock_ipam_pick_subnet (taken, 3, false, &out);
  is_str (fmt_net (out), "192.168.32.0/20", "192.168 in /20 steps, skipping overlapping ones");

  size_t nt = 1;
  for (int i = 0; i < 15; i++)
    taken[nt++] = (struct dock_ipv4_net){.addr = 0xc0a80000u | ((uint32_t)i << 12), .len = 20};
  dock_ipam_pick_subnet (taken, nt, false, &out);
  is_str (fmt_net (out), "192.168.240.0/20", "the last pool is 192.168.240.0/20");
  taken[nt++] = N ("192.168.240.0/20");
  is_int (dock_ipam_pick_subnet (taken, nt, false, &out), -1, "every pool taken: -1");
  taken[0] = N ("0.0.0.0/0");
  is_int (dock_ipam_pick_subnet (taken, 1, false, &out), -1, "0.0.0.0/0 takes everything");
}

static void
test_pick_addr (void)
{
  struct dock_ipv4_net s = N ("172.18.0.0/16"), small = N ("10.0.0.0/29"), range = N ("172.18.5.0/24");
  uint32_t out, used[8];

  is_int (dock_ipam_pick_addr (&s, NULL, A ("172.18.0.1"), NULL, 0, &out), 0, "an address in an empty subnet");
  is_str (fmt (out), "172.18.0.2", "the lowest after network and gateway");
  is_int (dock_ipam_pick_addr (&s, NULL, 0, NULL, 0, &out), 0, "no gateway");
  is_str (fmt (out), "172.18.0.1", "then .1 is free");
  used[0] = A ("172.18.0.2");
  used[1] = A ("172.18.0.3");
  used[2] = A ("172.18.0.5");
  dock_ipam_pick_addr (&s, NULL, A ("172.18.0.1"), used, 3, &out);
  is_str (fmt (out), "172.18.0.4", "used addresses are skipped, holes are filled");

  dock_ipam_pick_addr (&s, &range, A ("172.18.0.1"), NULL, 0, &out);
  is_str (fmt (out), "172.18.5.0", "an --ip-range inside the subnet: its first address (not the subnet's network)");
  struct dock_ipv4_net top = N ("172.18.255.254/31");
  used[0] = A ("172.18.255.254");
  is_int (dock_ipam_pick_addr (&s, &top, A ("172.18.0.1"), used, 1, &out), -1,
          "a range holding only a used address and the broadcast: full");

  /* 10.0.0.0/29: .0 network, .7 broadcast, .1 gateway: .2 … .6 */
  int got = 0;
  uint32_t u[8];
  size_t nu = 0;
  while (dock_ipam_pick_addr (&small, NULL, A ("10.0.0.1"), u, nu, &out) == 0 && nu < 8)
    {
      u[nu++] = out;
      got++;
    }
  is_int (got, 5, "a /29 with a gateway holds five endpoints");
  is_str (fmt (u[0]), "10.0.0.2", "from .2");
  is_str (fmt (u[4]), "10.0.0.6", "to .6 (not the broadcast)");
  is_int (dock_ipam_pick_addr (&small, NULL, A ("10.0.0.1"), u, nu, &out), -1, "full subnet: -1");

  struct dock_ipv4_net p2p = N ("10.9.9.8/31");
  is_int (dock_ipam_pick_addr (&p2p, NULL, 0, NULL, 0, &out), 0, "a /31 has two usable addresses");
  is_str (fmt (out), "10.9.9.8", "the first of a /31");
  struct dock_ipv4_net hi = N ("255.255.255.252/30");
  is_int (dock_ipam_pick_addr (&hi, NULL, A ("255.255.255.253"), NULL, 0, &out), 0, "the top of the space");
  is_str (fmt (out), "255.255.255.254", "255.255.255.254 (no wrap-around past the broadcast)");
}

int
main (void)
{
  test_parse ();
  test_mask_overlap ();
  test_pick_subnet ();
  test_pick_addr ();
  return done_testing ();
}
