/* dock — the files the shim's DNS server answers from (formats in network.h).
 *
 * dock has no daemon to answer name queries; each container's shim does, from files dock
 * rewrites (atomically) whenever a network's endpoints change: one file per user network with
 * its peers' names, one per container naming its networks' files and its upstream resolvers.
 * The shim stats them on each query, so a peer that starts, connects, disconnects or goes is
 * seen at the next query without signalling anyone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/record.h"
#include "network/network-internal.h"
#include "store/store.h"

static void
append (char **buf, size_t *len, const char *fmt, const char *a, const char *b)
{
  char *line;
  int n = xasprintf (&line, fmt, a, b);
  *buf = xrealloc (*buf, *len + n + 1);
  memcpy (*buf + *len, line, n + 1);
  *len += n;
  free (line);
}

static int
write_file (struct dock_ctx *ctx, const char *sub, const char *name, const char *text, size_t len, char **path_out,
            lcr_error_t *err)
{
  cleanup_free char *dir = dock_runpath (ctx, "dns/%s", sub);
  if (lcr_mkdir_p (dir, 0700, err) < 0)
    return -1;
  cleanup_free char *p = dock_runpath (ctx, "dns/%s/%s", sub, name);
  if (dock_write_atomic_at (AT_FDCWD, p, text, len, err) < 0)
    return -1;
  if (path_out)
    *path_out = steal_pointer (&p);
  return 0;
}

int
dock_dns_write_network (struct dock_ctx *ctx, jv net, lcr_error_t *err)
{
  cleanup_free char *text = xstrdup ("");
  size_t len = 0;
  jv leases = jv_get_obj (net, "Containers");
  jv names = jv_get_obj (jv_get_obj (net, "Dock"), "Names");
  for (size_t i = 0; i < jv_len (leases); i++)
    {
      const char *cidr = jv_get_str (leases->u.object.values[i], "IPv4Address");
      if (cidr == NULL)
        continue;
      cleanup_free char *ip = strndup (cidr, strcspn (cidr, "/"));
      jv n = jv_get_arr (names, leases->u.object.keys[i]);
      for (size_t j = 0; j < jv_len (n); j++)
        if (jv_as_str (n->u.array.values[j]))
          append (&text, &len, "%s %s\n", jv_as_str (n->u.array.values[j]), ip);
    }
  return write_file (ctx, "net", jv_get_str (net, "Name"), text, len, NULL, err);
}

bool
dock_network_has_dns (jv rec)
{
  jv nets = jv_get_obj (jv_get_obj (rec, "NetworkSettings"), "Networks");
  for (size_t i = 0; i < jv_len (nets); i++)
    if (!dock_network_is_builtin (nets->u.object.keys[i]))
      return true;
  return false;
}

/* the host's resolvers, from its resolv.conf */
static void
host_upstreams (char **text, size_t *len)
{
  cleanup_free char *rc = NULL;
  size_t rlen = 0;
  cleanup_error lcr_error_t e = NULL;
  if (lcr_read_file ("/etc/resolv.conf", &rc, &rlen, &e) < 0)
    return;
  char *save = NULL;
  for (char *l = strtok_r (rc, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
    {
      char addr[64];
      /* IPv4 resolvers only: the shim forwards over IPv4 */
      if (sscanf (l, "nameserver %63s", addr) == 1 && strchr (addr, ':') == NULL)
        append (text, len, "upstream %s%s\n", addr, "");
    }
}

int
dock_dns_write_container (struct dock_ctx *ctx, jv rec, char **path_out, lcr_error_t *err)
{
  cleanup_free char *text = xstrdup ("");
  size_t len = 0;
  jv dns = jv_get_arr (jv_get_obj (rec, "HostConfig"), "Dns");
  for (size_t i = 0; i < jv_len (dns); i++)
    if (jv_as_str (dns->u.array.values[i]))
      append (&text, &len, "upstream %s%s\n", jv_as_str (dns->u.array.values[i]), "");
  if (jv_len (dns) == 0)
    host_upstreams (&text, &len);
  jv nets = jv_get_obj (jv_get_obj (rec, "NetworkSettings"), "Networks");
  for (size_t i = 0; i < jv_len (nets); i++)
    {
      if (dock_network_is_builtin (nets->u.object.keys[i]))
        continue;
      cleanup_free char *p = dock_runpath (ctx, "dns/net/%s", nets->u.object.keys[i]);
      append (&text, &len, "hosts %s%s\n", p, "");
    }
  return write_file (ctx, "ctr", dock_record_id (rec), text, len, path_out, err);
}

void
dock_dns_remove_container (struct dock_ctx *ctx, const char *id)
{
  cleanup_free char *p = dock_runpath (ctx, "dns/ctr/%s", id);
  unlink (p);
}

/* A container's resolv.conf from the host's (or the one --dns made): with the embedded DNS
   server, 127.0.0.11 is its only nameserver (the others are the server's upstreams) and
   ndots:0, as docker writes it; without, the host's loopback resolvers are dropped (unreachable
   from the container's namespace) and docker's fallback used when none is left. */
char *
dock_dns_resolv_conf (const char *text, bool embedded)
{
  cleanup_free char *copy = xstrdup (text);
  cleanup_free char *body = xstrdup ("");
  size_t len = 0;
  bool have_ns = false, have_opts = false;
  char *save = NULL;
  for (char *l = strtok_r (copy, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
    {
      char addr[64];
      if (sscanf (l, "nameserver %63s", addr) == 1)
        {
          if (embedded || strncmp (addr, "127.", 4) == 0 || strcmp (addr, "::1") == 0)
            continue;
          have_ns = true;
        }
      if (embedded && strncmp (l, "options", 7) == 0)
        {
          have_opts = true;
          append (&body, &len, "%s%s ndots:0\n", l, "");
          continue;
        }
      append (&body, &len, "%s%s\n", l, "");
    }
  char *out;
  if (embedded)
    xasprintf (&out, "nameserver 127.0.0.11\n%s%s", body, have_opts ? "" : "options ndots:0\n");
  else if (!have_ns)
    xasprintf (&out, "%snameserver 8.8.8.8\nnameserver 8.8.4.4\n", body);
  else
    out = steal_pointer (&body);
  return out;
}
