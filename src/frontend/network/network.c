/* dock — network records: create, find, list, remove (layout and rules in network.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/record.h"
#include "network/ipam.h"
#include "network/netlink.h"
#include "network/network.h"
#include "network/network-internal.h"
#include "store/store.h"

bool
dock_network_is_builtin (const char *name)
{
  return strcmp (name, "bridge") == 0 || strcmp (name, "host") == 0 || strcmp (name, "none") == 0;
}

static char *
net_path (struct dock_ctx *ctx, const char *name)
{
  return dock_path (ctx, "networks/%s.json", name);
}

int
dock_network_save (struct dock_ctx *ctx, jv net, lcr_error_t *err)
{
  cleanup_free char *p = net_path (ctx, jv_get_str (net, "Name"));
  return jv_save_at (AT_FDCWD, p, net, err);
}

static jv
new_record (const char *name, const char *driver)
{
  char id[65];
  dock_random_id (id);
  cleanup_free char *now = dock_now_rfc3339 ();
  jv net = jv_obj ();
  jv_set (net, "Name", jv_str (name));
  jv_set (net, "Id", jv_str (id));
  jv_set (net, "Created", jv_str (now));
  jv_set (net, "Scope", jv_str ("local"));
  jv_set (net, "Driver", jv_str (driver));
  jv_set (net, "EnableIPv6", jv_bool (false));
  jv ipam = jv_set (net, "IPAM", jv_obj ());
  jv_set (ipam, "Driver", jv_str ("default"));
  jv_set (ipam, "Options", jv_null ());
  jv_set (ipam, "Config", jv_arr ());
  jv_set (net, "Internal", jv_bool (false));
  jv_set (net, "Attachable", jv_bool (false));
  jv_set (net, "Ingress", jv_bool (false));
  jv_set (jv_set (net, "ConfigFrom", jv_obj ()), "Network", jv_str (""));
  jv_set (net, "ConfigOnly", jv_bool (false));
  jv_set (net, "Containers", jv_obj ());
  jv_set (net, "Options", jv_obj ());
  jv_set (net, "Labels", jv_obj ());
  jv_set (net, "Dock", jv_obj ());
  return net;
}

static jv list_raw (struct dock_ctx *ctx);

/* the subnets of every dock network (bridge and macvlan), for overlap checks */
static struct dock_ipv4_net *
taken_subnets (struct dock_ctx *ctx, size_t *n)
{
  cleanup_jv jv all = list_raw (ctx);
  struct dock_ipv4_net *v = NULL;
  *n = 0;
  for (size_t i = 0; i < jv_len (all); i++)
    {
      jv cfg = jv_get_arr (jv_get_obj (all->u.array.values[i], "IPAM"), "Config");
      for (size_t j = 0; j < jv_len (cfg); j++)
        {
          struct dock_ipv4_net s;
          const char *sub = jv_get_str (cfg->u.array.values[j], "Subnet");
          if (sub && dock_ipam_parse_cidr (sub, &s) == 0)
            {
              v = xrealloc (v, (*n + 1) * sizeof *v);
              v[(*n)++] = s;
            }
        }
    }
  return v;
}

/* Fill IPAM.Config: the given subnet/gateway/range, checked, or a free subnet of docker's pools
   (avoiding the host's routes and addresses, and other dock networks). */
static int
set_ipam (struct dock_ctx *ctx, jv net, const struct dock_network_req *req, bool is_default, bool check_host,
          lcr_error_t *err)
{
  struct dock_ipv4_net sub, range;
  size_t ntaken = 0;
  cleanup_free struct dock_ipv4_net *taken = taken_subnets (ctx, &ntaken);
  if (req->subnet)
    {
      if (dock_ipam_parse_cidr (req->subnet, &sub) < 0)
        return lcr_error_invalid (err, "invalid subnet %s: invalid CIDR address", req->subnet);
      if ((sub.addr & dock_ipam_mask (sub.len)) != sub.addr)
        return lcr_error_invalid (err, "invalid subnet %s: it should be %s/%d", req->subnet,
                                  dock_ipam_format_addr (sub.addr & dock_ipam_mask (sub.len), (char[16]){0}), sub.len);
      if (sub.len > 30)
        return lcr_error_invalid (err, "invalid subnet %s: too small for containers", req->subnet);
      for (size_t i = 0; i < ntaken; i++)
        if (dock_ipam_overlap (&sub, &taken[i]))
          return lcr_error_make (err, 0, LCR_ERR_EXISTS, "Pool overlaps with other one on this address space");
    }
  else
    {
      if (req->gateway || req->ip_range)
        return lcr_error_invalid (err, "%s requires --subnet", req->gateway ? "--gateway" : "--ip-range");
      /* the host's own prefixes are taken too */
      cleanup_free struct dock_nl_prefix *host = NULL;
      size_t nhost = 0;
      cleanup_error lcr_error_t e = NULL;
      if (check_host && dock_nl_ipv4_prefixes (&host, &nhost, &e) == 0)
        for (size_t i = 0; i < nhost; i++)
          {
            taken = xrealloc (taken, (ntaken + 1) * sizeof *taken);
            taken[ntaken++] = (struct dock_ipv4_net){host[i].addr, host[i].len};
          }
      if (dock_ipam_pick_subnet (taken, ntaken, !is_default, &sub) < 0)
        return lcr_error_make (err, 0, LCR_ERR_EXISTS,
                               "could not find an available, non-overlapping IPv4 address pool among the defaults "
                               "to assign to the network");
    }
  uint32_t gw = sub.addr + 1;
  if (req->gateway)
    {
      if (dock_ipam_parse_addr (req->gateway, &gw) < 0)
        return lcr_error_invalid (err, "invalid gateway address %s", req->gateway);
      if (!dock_ipam_contains (&sub, gw))
        return lcr_error_invalid (err, "gateway %s is not in subnet %s", req->gateway, req->subnet);
    }
  if (req->ip_range)
    {
      if (dock_ipam_parse_cidr (req->ip_range, &range) < 0)
        return lcr_error_invalid (err, "invalid ip-range %s: invalid CIDR address", req->ip_range);
      struct dock_ipv4_net masked = {range.addr & dock_ipam_mask (range.len), range.len};
      if (range.len < sub.len || !dock_ipam_contains (&sub, masked.addr))
        return lcr_error_invalid (err, "ip-range %s is not inside subnet %s", req->ip_range,
                                  req->subnet ? req->subnet : "");
    }
  jv cfg = jv_push (jv_get_arr (jv_get_obj (net, "IPAM"), "Config"), jv_obj ());
  char b1[19], b2[16];
  jv_set (cfg, "Subnet", jv_str (dock_ipam_format_cidr (sub.addr, sub.len, b1)));
  if (req->ip_range)
    jv_set (cfg, "IPRange", jv_str (req->ip_range));
  jv_set (cfg, "Gateway", jv_str (dock_ipam_format_addr (gw, b2)));
  return 0;
}

/* Make a bridge network's bridge (with the gateway address) and re-apply dock's rules. */
int
dock_network_bridge_ensure (struct dock_ctx *ctx, jv net, bool always_rules, lcr_error_t *err)
{
  const char *br = jv_get_str (jv_get_obj (net, "Dock"), "Bridge");
  if (br == NULL)
    return 0;
  int exists = dock_nl_link_exists (br, err);
  if (exists < 0)
    return -1;
  if (exists && !always_rules)
    return 0;
  jv cfg = jv_get_arr (jv_get_obj (net, "IPAM"), "Config");
  jv c0 = jv_len (cfg) ? cfg->u.array.values[0] : NULL;
  struct dock_ipv4_net sub;
  uint32_t gw;
  char cidr[19];
  if (c0 == NULL || dock_ipam_parse_cidr (jv_get_str (c0, "Subnet"), &sub) < 0
      || dock_ipam_parse_addr (jv_get_str (c0, "Gateway"), &gw) < 0)
    return lcr_error_make (err, 0, LCR_ERR_INVALID, "network %s: its IPAM configuration is damaged",
                           jv_get_str (net, "Name"));
  if (dock_nl_bridge_ensure (br, dock_ipam_format_cidr (gw, sub.len, cidr), err) < 0)
    return lcr_error_wrap (err, "network %s", jv_get_str (net, "Name"));
  return dock_network_rules_refresh (ctx, err);
}

static const char *
opt_str (jv opts, const char *key)
{
  return jv_get_str (opts, key);
}

static int
write_new (struct dock_ctx *ctx, jv net, lcr_error_t *err)
{
  cleanup_free char *dir = dock_path (ctx, "networks");
  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    return lcr_error_sys (err, "mkdir `%s`", dir);
  return dock_network_save (ctx, net, err);
}

/* bridge, host and none, made the first time any network is looked at */
static int
ensure_builtins (struct dock_ctx *ctx, lcr_error_t *err)
{
  cleanup_free char *p = net_path (ctx, "none");
  if (access (p, F_OK) == 0)
    return 0;
  if (dock_lock (ctx, err) < 0)
    return -1;
  int rc = 0;
  if (access (p, F_OK) != 0)
    {
      cleanup_jv jv host = new_record ("host", "host");
      cleanup_jv jv none = new_record ("none", "null");
      cleanup_jv jv br = new_record ("bridge", "bridge");
      jv o = jv_get_obj (br, "Options");
      jv_set (o, "com.docker.network.bridge.default_bridge", jv_str ("true"));
      jv_set (o, "com.docker.network.bridge.enable_icc", jv_str ("true"));
      jv_set (o, "com.docker.network.bridge.enable_ip_masquerade", jv_str ("true"));
      jv_set (o, "com.docker.network.bridge.host_binding_ipv4", jv_str ("0.0.0.0"));
      jv_set (o, "com.docker.network.bridge.name", jv_str (DOCK_DEFAULT_BRIDGE));
      jv_set (o, "com.docker.network.driver.mtu", jv_str ("1500"));
      jv_set (jv_get_obj (br, "Dock"), "Bridge", jv_str (DOCK_DEFAULT_BRIDGE));
      /* docker's 172.17.0.0/16, unless the host uses it (then the next free pool) */
      struct dock_network_req req = {.name = "bridge"};
      rc = set_ipam (ctx, br, &req, true, true, err);
      if (rc == 0)
        rc = write_new (ctx, br, err);
      if (rc == 0)
        rc = write_new (ctx, host, err);
      if (rc == 0)
        rc = write_new (ctx, none, err);
    }
  dock_unlock (ctx);
  return rc;
}

/* every record as it is on disk (built-ins first) */
static jv
list_raw (struct dock_ctx *ctx)
{
  cleanup_free char *dir = dock_path (ctx, "networks");
  cleanup_strv char **names = dock_list_dir (dir);
  jv out = jv_arr ();
  static const char *const first[] = {"bridge", "host", "none"};
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; names && names[i]; i++)
      {
        size_t l = strlen (names[i]);
        if (l < 6 || strcmp (names[i] + l - 5, ".json") != 0)
          continue;
        cleanup_free char *name = strndup (names[i], l - 5);
        bool builtin = false;
        for (int k = 0; k < 3; k++)
          builtin |= strcmp (name, first[k]) == 0;
        if (builtin != (pass == 0))
          continue;
        cleanup_free char *p = net_path (ctx, name);
        cleanup_error lcr_error_t e = NULL;
        jv net = jv_load (p, &e);
        if (net)
          jv_push (out, net);
      }
  return out;
}

jv
dock_network_list (struct dock_ctx *ctx, lcr_error_t *err)
{
  if (ensure_builtins (ctx, err) < 0)
    return NULL;
  return list_raw (ctx);
}

jv
dock_network_get (struct dock_ctx *ctx, const char *ref, lcr_error_t *err)
{
  if (ensure_builtins (ctx, err) < 0)
    return NULL;
  if (dock_valid_name (ref))
    {
      cleanup_free char *p = net_path (ctx, ref);
      if (access (p, F_OK) == 0)
        return jv_load (p, err);
    }
  /* an ID or a unique prefix of one */
  size_t len = strlen (ref);
  if (len > 0 && dock_is_hex_id (ref, len))
    {
      cleanup_jv jv all = dock_network_list (ctx, err);
      jv found = NULL;
      for (size_t i = 0; i < jv_len (all); i++)
        {
          const char *id = jv_get_str (all->u.array.values[i], "Id");
          if (id && strncmp (id, ref, len) == 0)
            {
              if (found)
                return lcr_error_make (err, 0, LCR_ERR_INVALID, "network %s is ambiguous", ref), NULL;
              found = all->u.array.values[i];
            }
        }
      if (found)
        return jv_copy (found);
    }
  lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "network %s not found", ref);
  return NULL;
}

jv
dock_network_public (jv net)
{
  jv out = jv_copy (net);
  jv_del (out, "Dock");
  return out;
}

static bool
valid_ifname (const char *s)
{
  size_t l = strlen (s);
  if (l == 0 || l > 15 || strcmp (s, ".") == 0 || strcmp (s, "..") == 0)
    return false;
  for (const char *p = s; *p; p++)
    if (*p == '/' || *p == ':' || *p <= ' ')
      return false;
  return true;
}

int
dock_network_create (struct dock_ctx *ctx, const struct dock_network_req *req, jv *out, lcr_error_t *err)
{
  const char *driver = req->driver && *req->driver ? req->driver : "bridge";
  if (!dock_valid_name (req->name))
    return lcr_error_invalid (err, "invalid network name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                              req->name);
  if (strcmp (driver, "bridge") != 0 && strcmp (driver, "macvlan") != 0)
    return lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "plugin \"%s\" not found", driver);
  if (ensure_builtins (ctx, err) < 0)
    return -1;
  if (dock_network_is_builtin (req->name))
    return lcr_error_make (err, 0, LCR_ERR_EXISTS, "network with name %s already exists", req->name);
  if (dock_lock (ctx, err) < 0)
    return -1;
  cleanup_jv jv net = NULL;
  int rc = 0;
  cleanup_free char *p = net_path (ctx, req->name);
  if (access (p, F_OK) == 0)
    rc = lcr_error_make (err, 0, LCR_ERR_EXISTS, "network with name %s already exists", req->name);
  if (rc == 0)
    {
      net = new_record (req->name, driver);
      jv_set (net, "Internal", jv_bool (req->internal));
      jv opts = jv_set (net, "Options", req->options ? jv_copy (req->options) : jv_obj ());
      jv_set (net, "Labels", req->labels ? jv_copy (req->labels) : jv_obj ());
      jv priv = jv_get_obj (net, "Dock");
      if (strcmp (driver, "bridge") == 0)
        {
          const char *br = opt_str (opts, "com.docker.network.bridge.name");
          char defname[16];
          snprintf (defname, sizeof defname, "br-%.12s", jv_get_str (net, "Id"));
          if (br && !valid_ifname (br))
            rc = lcr_error_invalid (err, "invalid bridge name \"%s\" (at most 15 characters, no '/' or ':')", br);
          jv_set (priv, "Bridge", jv_str (br ? br : defname));
        }
      else
        {
          const char *parent = opt_str (opts, "parent");
          if (parent == NULL)
            rc = lcr_error_invalid (err,
                                    "macvlan network %s: -o parent=INTERFACE is required (dock makes no dummy "
                                    "links)",
                                    req->name);
          else
            {
              int ex = dock_nl_link_exists (parent, err);
              if (ex == 0)
                rc = lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "invalid subinterface vlan name %s: no such link",
                                     parent);
              else if (ex < 0)
                rc = -1;
              jv_set (priv, "Parent", jv_str (parent));
            }
        }
    }
  if (rc == 0)
    rc = set_ipam (ctx, net, req, false, strcmp (driver, "bridge") == 0, err);
  /* another network with this bridge name (docker refuses it too) */
  if (rc == 0 && strcmp (driver, "bridge") == 0)
    {
      cleanup_jv jv all = dock_network_list (ctx, err);
      const char *br = jv_get_str (jv_get_obj (net, "Dock"), "Bridge");
      for (size_t i = 0; rc == 0 && i < jv_len (all); i++)
        {
          const char *o = jv_get_str (jv_get_obj (all->u.array.values[i], "Dock"), "Bridge");
          if (o && strcmp (o, br) == 0)
            rc = lcr_error_make (err, 0, LCR_ERR_EXISTS, "bridge name %s is used by network %s", br,
                                 jv_get_str (all->u.array.values[i], "Name"));
        }
    }
  if (rc == 0)
    rc = write_new (ctx, net, err);
  if (rc == 0 && strcmp (driver, "bridge") == 0 && dock_network_bridge_ensure (ctx, net, true, err) < 0)
    {
      /* nothing half-made: the record and the bridge go */
      cleanup_error lcr_error_t e = NULL;
      unlink (p);
      dock_nl_link_del (jv_get_str (jv_get_obj (net, "Dock"), "Bridge"), &e);
      rc = -1;
    }
  dock_unlock (ctx);
  if (rc == 0 && out)
    *out = steal_pointer (&net);
  return rc;
}

char *
dock_network_users (struct dock_ctx *ctx, const char *name)
{
  size_t n = 0;
  jv *all = dock_records_all (ctx, &n);
  char *out = NULL;
  for (size_t i = 0; i < n; i++)
    {
      jv nets = jv_get_obj (jv_get_obj (all[i], "NetworkSettings"), "Networks");
      if (jv_get (nets, name) == NULL)
        continue;
      char *s;
      xasprintf (&s, "%s%s%s", out ? out : "", out ? " " : "", dock_record_id (all[i]));
      free (out);
      out = s;
    }
  dock_records_free (all);
  return out;
}

/* a lease is live while its container's netns file exists */
static bool
lease_live (struct dock_ctx *ctx, const char *id)
{
  cleanup_free char *p = dock_runpath (ctx, "netns/%s", id);
  return access (p, F_OK) == 0;
}

/* drop the leases of containers that are gone; true when something changed */
bool
dock_network_drop_stale (struct dock_ctx *ctx, jv net)
{
  jv cs = jv_get_obj (net, "Containers");
  jv names = jv_get_obj (jv_get_obj (net, "Dock"), "Names");
  bool changed = false;
  for (size_t i = 0; i < jv_len (cs);)
    {
      const char *id = cs->u.object.keys[i];
      if (lease_live (ctx, id))
        {
          i++;
          continue;
        }
      cleanup_free char *key = xstrdup (id);
      jv_del (names, key);
      jv_del (cs, key);
      changed = true;
    }
  return changed;
}

int
dock_network_remove (struct dock_ctx *ctx, const char *ref, lcr_error_t *err)
{
  if (dock_lock (ctx, err) < 0)
    return -1;
  cleanup_jv jv net = dock_network_get (ctx, ref, err);
  int rc = net ? 0 : -1;
  const char *name = net ? jv_get_str (net, "Name") : NULL;
  if (rc == 0 && dock_network_is_builtin (name))
    rc = lcr_error_make (err, 0, LCR_ERR_STATE, "%s is a pre-defined network and cannot be removed", name);
  if (rc == 0)
    {
      dock_network_drop_stale (ctx, net);
      if (jv_len (jv_get_obj (net, "Containers")))
        rc = lcr_error_make (err, 0, LCR_ERR_STATE,
                             "error while removing network: network %s id %s has active endpoints", name,
                             jv_get_str (net, "Id"));
    }
  if (rc == 0)
    {
      cleanup_free char *p = net_path (ctx, name);
      if (unlink (p) < 0)
        rc = lcr_error_sys (err, "remove `%s`", p);
    }
  if (rc == 0)
    {
      cleanup_error lcr_error_t e = NULL;
      const char *br = jv_get_str (jv_get_obj (net, "Dock"), "Bridge");
      if (br)
        {
          dock_nl_link_del (br, &e);
          lcr_error_release (&e);
          dock_network_rules_refresh (ctx, &e);
        }
      cleanup_free char *dns = dock_runpath (ctx, "dns/net/%s", name);
      unlink (dns);
    }
  dock_unlock (ctx);
  return rc;
}

void
dock_network_gc (struct dock_ctx *ctx)
{
  cleanup_error lcr_error_t e = NULL;
  if (dock_lock (ctx, &e) < 0)
    return;
  cleanup_jv jv all = dock_network_list (ctx, &e);
  for (size_t i = 0; i < jv_len (all); i++)
    {
      jv net = all->u.array.values[i];
      if (!dock_network_drop_stale (ctx, net))
        continue;
      cleanup_error lcr_error_t e2 = NULL;
      if (dock_network_save (ctx, net, &e2) == 0)
        dock_dns_write_network (ctx, net, &e2);
    }
  dock_unlock (ctx);
}

jv
dock_network_prune (struct dock_ctx *ctx, bool (*match) (jv net, void *data), void *data)
{
  jv removed = jv_arr ();
  dock_network_gc (ctx);
  cleanup_error lcr_error_t e = NULL;
  cleanup_jv jv all = dock_network_list (ctx, &e);
  for (size_t i = 0; i < jv_len (all); i++)
    {
      jv net = all->u.array.values[i];
      const char *name = jv_get_str (net, "Name");
      if (dock_network_is_builtin (name) || (match && !match (net, data)))
        continue;
      cleanup_free char *users = dock_network_users (ctx, name);
      cleanup_error lcr_error_t e2 = NULL;
      if (users == NULL && dock_network_remove (ctx, name, &e2) == 0)
        jv_push (removed, jv_str (name));
    }
  return removed;
}
