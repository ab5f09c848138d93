/* dock — packet filter rules for networks (rules.h).
 *
 * One nft script both empties and refills dock's two tables: "table X" (a no-op when it exists,
 * so the delete that follows cannot fail when it does not), "delete table X", then the table
 * with its rules.  libnftables runs a whole buffer as one transaction, so the kernel sees the
 * old rules or the new ones, never a mix and never none in between.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "network/ipam.h"
#include "network/rules.h"
#include "utils.h"

#define FILTER_TABLE "inet dock"
#define NAT_TABLE "ip dock-nat"

/* Names go into the script between double quotes: allow only what interface names made by
   dock (and by sane users) hold, so a name can never end the string and add a rule. */
static bool
valid_ifname (const char *s)
{
  size_t len = s ? strlen (s) : 0;
  if (len == 0 || len > 15)
    return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'
          || *s == '.'))
      return false;
  return true;
}

static void
reset_table (FILE *f, const char *table)
{
  fprintf (f, "table %s\ndelete table %s\n", table, table);
}

char *
dock_rules_script (const struct dock_rule_net *nets, size_t n)
{
  char *out = NULL;
  size_t size = 0;
  char subnet[19];
  FILE *f;

  for (size_t i = 0; i < n; i++)
    {
      struct dock_ipv4_net net;
      if (!valid_ifname (nets[i].bridge) || nets[i].subnet == NULL || dock_ipam_parse_cidr (nets[i].subnet, &net) < 0)
        return NULL;
    }

  f = open_memstream (&out, &size);
  if (f == NULL)
    abort ();

  reset_table (f, FILTER_TABLE);
  if (n > 0)
    {
      fprintf (f, "table %s {\n\tchain forward {\n\t\ttype filter hook forward priority 0; policy accept;\n",
               FILTER_TABLE);
      for (size_t i = 0; i < n; i++)
        {
          const char *b = nets[i].bridge;
          /* isolation: from this bridge to any other dock bridge */
          bool first = true;
          for (size_t j = 0; j < n; j++)
            {
              if (j == i || strcmp (nets[j].bridge, b) == 0)
                continue;
              fprintf (f, first ? "\t\tiifname \"%s\" oifname { \"%s\"" : ", \"%s\"", first ? b : nets[j].bridge,
                       nets[j].bridge);
              first = false;
            }
          if (!first)
            fprintf (f, " } drop\n");
          /* internal: nothing in or out but bridge to same bridge */
          if (nets[i].internal)
            fprintf (f, "\t\tiifname \"%s\" oifname != \"%s\" drop\n\t\toifname \"%s\" iifname != \"%s\" drop\n", b, b,
                     b, b);
        }
      fprintf (f, "\t}\n}\n");
    }

  reset_table (f, NAT_TABLE);
  if (n > 0)
    {
      fprintf (f, "table %s {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n",
               NAT_TABLE);
      for (size_t i = 0; i < n; i++)
        {
          struct dock_ipv4_net net;
          if (nets[i].internal)
            continue;
          dock_ipam_parse_cidr (nets[i].subnet, &net);
          dock_ipam_format_cidr (net.addr & dock_ipam_mask (net.len), net.len, subnet);
          fprintf (f, "\t\tip saddr %s oifname != \"%s\" masquerade\n", subnet, nets[i].bridge);
        }
      fprintf (f, "\t}\n}\n");
    }

  if (fclose (f) != 0)
    abort ();
  return out;
}

/* Routing between a bridge and the world needs forwarding on, as docker turns it on.  Written
   only when off, so a read-only /proc/sys where it is already on is no error. */
static int
enable_ip_forward (lcr_error_t *err)
{
  static const char path[] = "/proc/sys/net/ipv4/ip_forward";
  cleanup_close int fd = open (path, O_RDWR | O_CLOEXEC);
  char c = 0;
  if (fd < 0)
    {
      fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd >= 0 && read (fd, &c, 1) == 1 && c == '1')
        return 0;
      return lcr_error_sys (err, "open `%s`", path);
    }
  if (read (fd, &c, 1) == 1 && c == '1')
    return 0;
  if (pwrite (fd, "1\n", 2, 0) != 2)
    return lcr_error_sys (err, "write `%s`", path);
  return 0;
}

/* nft's error text is "Error: …" then the statement then a line of carets, per error: keep the
   first error and its statement on one line */
static char *
nft_message (const char *text)
{
  const char *nl1, *nl2;
  char *msg = NULL;
  int r;
  if (text == NULL || text[0] == '\0')
    return xstrdup ("nft failed and said nothing");
  nl1 = strchr (text, '\n');
  if (nl1 == NULL)
    return xstrdup (text);
  nl2 = strchr (nl1 + 1, '\n');
  if (nl2 == NULL || nl2 == nl1 + 1)
    r = asprintf (&msg, "%.*s", (int)(nl1 - text), text);
  else
    r = asprintf (&msg, "%.*s (at `%.*s`)", (int)(nl1 - text), text, (int)(nl2 - nl1 - 1), nl1 + 1);
  if (r < 0)
    abort ();
  return msg;
}

static void
nft_ctx_free_p (struct nft_ctx **c)
{
  if (*c)
    nft_ctx_free (*c);
}

int
dock_rules_apply (const struct dock_rule_net *nets, size_t n, lcr_error_t *err)
{
  cleanup_free char *script = dock_rules_script (nets, n);
  __attribute__ ((cleanup (nft_ctx_free_p))) struct nft_ctx *nft = NULL;

  if (script == NULL)
    {
      for (size_t i = 0; i < n; i++)
        if (!valid_ifname (nets[i].bridge))
          return lcr_error_make (err, 0, LCR_ERR_INVALID, "packet filter rules: invalid bridge name `%s`",
                                 nets[i].bridge ? nets[i].bridge : "");
      return lcr_error_make (err, 0, LCR_ERR_INVALID, "packet filter rules: invalid subnet in the networks");
    }

  nft = nft_ctx_new (NFT_CTX_DEFAULT);
  if (nft == NULL)
    return lcr_error_make (err, ENOMEM, LCR_ERR_SYSTEM, "packet filter rules: nft_ctx_new");
  /* keep nft's words for our message instead of letting it print them */
  if (nft_ctx_buffer_output (nft) < 0 || nft_ctx_buffer_error (nft) < 0)
    return lcr_error_make (err, ENOMEM, LCR_ERR_SYSTEM, "packet filter rules: nft buffers");
  if (nft_run_cmd_from_buffer (nft, script) != 0)
    {
      /* (the buffer can be read once: the next get returns what came since) */
      cleanup_free char *msg = nft_message (nft_ctx_get_error_buffer (nft));
      return lcr_error_make (err, 0, LCR_ERR_SYSTEM, "apply dock's nftables rules: %s", msg);
    }
  if (n > 0 && enable_ip_forward (err) < 0)
    return -1;
  return 0;
}
