/* Unit tests for dock's packet filter rules (src/frontend/network/rules.c): the nft script for
   0, 1, 2 and internal networks, then (as root) the rules applied in a network namespace of the
   test's own, read back through libnftables: applying again replaces them, no networks removes
   the tables, and IPv4 forwarding is on. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <nftables/libnftables.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "network/rules.h"
#include "tap.h"
#include "utils.h"

static const char empty_script[]
    = "table inet dock\ndelete table inet dock\ntable ip dock-nat\ndelete table ip dock-nat\n";

static const char one_script[] = "table inet dock\n"
                                 "delete table inet dock\n"
                                 "table inet dock {\n"
                                 "\tchain forward {\n"
                                 "\t\ttype filter hook forward priority 0; policy accept;\n"
                                 "\t}\n"
                                 "}\n"
                                 "table ip dock-nat\n"
                                 "delete table ip dock-nat\n"
                                 "table ip dock-nat {\n"
                                 "\tchain postrouting {\n"
                                 "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
                                 "\t\tip saddr 172.18.0.0/16 oifname != \"br-one\" masquerade\n"
                                 "\t}\n"
                                 "}\n";

static bool
has (const char *hay, const char *needle)
{
  bool r = hay && strstr (hay, needle) != NULL;
  if (!r)
    printf ("#   `%s` not in:\n%s\n", needle, hay ? hay : "(null)");
  return r;
}

static void
test_script (void)
{
  char *s;

  s = dock_rules_script (NULL, 0);
  is_str (s, empty_script, "no networks: the tables are only removed");
  free (s);

  struct dock_rule_net one = {"br-one", "172.18.0.0/16", false};
  s = dock_rules_script (&one, 1);
  is_str (s, one_script, "one network: an empty forward chain and its masquerade");
  free (s);

  struct dock_rule_net host_bits = {"br-one", "172.18.3.4/16", false};
  s = dock_rules_script (&host_bits, 1);
  ok (has (s, "ip saddr 172.18.0.0/16 oifname"), "the subnet is written masked");
  free (s);

  struct dock_rule_net two[] = {{"br-a", "172.18.0.0/16", false}, {"br-b", "172.19.0.0/16", false}};
  s = dock_rules_script (two, 2);
  ok (has (s, "\t\tiifname \"br-a\" oifname { \"br-b\" } drop\n")
          && has (s, "\t\tiifname \"br-b\" oifname { \"br-a\" } drop\n"),
      "two networks: isolated from each other, both ways");
  ok (has (s, "ip saddr 172.18.0.0/16 oifname != \"br-a\" masquerade")
          && has (s, "ip saddr 172.19.0.0/16 oifname != \"br-b\" masquerade"),
      "each masqueraded off its bridge");
  ok (!strstr (s, "!= \"br-a\" drop"), "no internal rules");
  free (s);

  struct dock_rule_net three[]
      = {{"br-a", "172.18.0.0/16", false}, {"br-b", "172.19.0.0/16", false}, {"br-in", "10.5.0.0/24", true}};
  s = dock_rules_script (three, 3);
  ok (has (s, "iifname \"br-a\" oifname { \"br-b\", \"br-in\" } drop"), "isolation lists every other bridge");
  ok (has (s, "\t\tiifname \"br-in\" oifname != \"br-in\" drop\n\t\toifname \"br-in\" iifname != \"br-in\" drop\n"),
      "internal: nothing in or out but bridge to itself");
  ok (!strstr (s, "10.5.0.0/24"), "internal: no masquerade");
  ok (!strstr (s, "iifname \"br-a\" oifname != \"br-a\" drop"), "the others get no internal rule");
  free (s);

  struct dock_rule_net bad_name = {"br\" accept", "172.18.0.0/16", false};
  ok (dock_rules_script (&bad_name, 1) == NULL, "a name that would break out of its quotes: no script");
  struct dock_rule_net long_name = {"abcdefghijklmnop", "172.18.0.0/16", false};
  ok (dock_rules_script (&long_name, 1) == NULL, "a name longer than an interface's: no script");
  struct dock_rule_net bad_subnet = {"br-a", "172.18.0.0", false};
  ok (dock_rules_script (&bad_subnet, 1) == NULL, "a subnet without a length: no script");
}

/* `nft list table …` through libnftables; NULL when the table is missing */
static char *
nft_list (const char *table)
{
  struct nft_ctx *nft = nft_ctx_new (NFT_CTX_DEFAULT);
  char cmd[128], *out = NULL;
  nft_ctx_buffer_output (nft);
  nft_ctx_buffer_error (nft);
  snprintf (cmd, sizeof cmd, "list table %s", table);
  if (nft_run_cmd_from_buffer (nft, cmd) == 0)
    out = xstrdup (nft_ctx_get_output_buffer (nft));
  nft_ctx_free (nft);
  return out;
}

static int
ip_forward (void)
{
  char c = 0;
  int fd = open ("/proc/sys/net/ipv4/ip_forward", O_RDONLY | O_CLOEXEC);
  if (fd < 0 || read (fd, &c, 1) != 1)
    c = '?';
  if (fd >= 0)
    close (fd);
  return c;
}

static void
test_apply (void)
{
  lcr_error_t err = NULL;
  char *s;

  if (geteuid () != 0 || unshare (CLONE_NEWNET) < 0)
    {
      ok (1, "# skip applying rules needs root (and unshare): %s", geteuid () ? "not root" : strerror (errno));
      return;
    }
  /* a new namespace takes IPv4 forwarding from the host's (net.core.devconf_inherit_init_net 0):
     start from off, whatever the host has */
  int fd = open ("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC);
  bool off = fd >= 0 && write (fd, "0", 1) == 1;
  if (fd >= 0)
    close (fd);
  ok (off, "forwarding can be turned off in the test's namespace");
  is_int (ip_forward (), '0', "forwarding is off before the rules");

  is_int (dock_rules_apply (NULL, 0, &err), 0, "removing tables that are not there: no error");
  ok (nft_list ("inet dock") == NULL, "and none made");

  struct dock_rule_net three[]
      = {{"br-a", "172.18.0.0/16", false}, {"br-b", "172.19.0.0/16", false}, {"br-in", "10.5.0.0/24", true}};
  is_int (dock_rules_apply (three, 3, &err), 0, "apply three networks: %s", err ? err->msg : "");
  s = nft_list ("inet dock");
  ok (has (s, "hook forward") && has (s, "iifname \"br-a\" oifname { \"br-b\", \"br-in\" } drop")
          && has (s, "iifname \"br-in\" oifname != \"br-in\" drop")
          && has (s, "oifname \"br-in\" iifname != \"br-in\" drop"),
      "the kernel has the forward chain's rules");
  free (s);
  s = nft_list ("ip dock-nat");
  ok (has (s, "hook postrouting") && has (s, "ip saddr 172.18.0.0/16 oifname != \"br-a\" masquerade")
          && has (s, "ip saddr 172.19.0.0/16 oifname != \"br-b\" masquerade") && !strstr (s, "10.5.0.0"),
      "and the masquerades");
  free (s);
  is_int (ip_forward (), '1', "IPv4 forwarding is on");

  is_int (dock_rules_apply (three, 1, &err), 0, "apply again with one network");
  s = nft_list ("inet dock");
  ok (s && !strstr (s, "br-b") && !strstr (s, "br-in") && !strstr (s, "drop"), "the old rules are gone");
  free (s);
  s = nft_list ("ip dock-nat");
  is_int (s ? (int)(strstr (s, "masquerade") != NULL) + (int)(strstr (s, "172.19") != NULL) : -1, 1,
          "one masquerade left");
  free (s);
  is_int (dock_rules_apply (three, 1, &err), 0, "the same again: no error");
  s = nft_list ("ip dock-nat");
  char *first = s ? strstr (s, "masquerade") : NULL;
  ok (first && !strstr (first + 1, "masquerade"), "and no duplicate");
  free (s);

  struct dock_rule_net bad = {"br\"x", "172.18.0.0/16", false};
  is_int (dock_rules_apply (&bad, 1, &err), -1, "a bad bridge name is refused");
  ok (err && err->code == LCR_ERR_INVALID && strstr (err->msg, "br\"x"), "as invalid input: %s", err ? err->msg : "");
  s = nft_list ("ip dock-nat");
  ok (has (s, "172.18.0.0/16"), "leaving the rules as they were");
  free (s);

  /* a table of our name owned by another netlink socket: nft refuses, and says why */
  struct nft_ctx *owner = nft_ctx_new (NFT_CTX_DEFAULT);
  nft_ctx_buffer_error (owner);
  is_int (dock_rules_apply (NULL, 0, &err), 0, "no networks");
  is_int (nft_run_cmd_from_buffer (owner, "add table inet dock { flags owner; }"), 0,
          "another socket makes and owns table inet dock");
  is_int (dock_rules_apply (three, 2, &err), -1, "apply fails when nft refuses");
  ok (err && strstr (err->msg, "apply dock's nftables rules: Error: ") && strstr (err->msg, "(at `table inet dock`)")
          && !strchr (err->msg, '\n'),
      "with nft's own words: %s", err ? err->msg : "");
  nft_ctx_free (owner);

  is_int (dock_rules_apply (NULL, 0, &err), 0, "no networks");
  ok (nft_list ("inet dock") == NULL && nft_list ("ip dock-nat") == NULL, "both tables removed");
  lcr_error_release (&err);
}

int
main (void)
{
  test_script ();
  test_apply ();
  return done_testing ();
}
