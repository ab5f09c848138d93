/* dock — a container's endpoints: leases, veths and macvlans, and the record's fields.
 *
 * The record keeps, per network, docker's endpoint settings (NetworkSettings.Networks.NAME:
 * IPAMConfig, Aliases, NetworkID, EndpointID, Gateway, IPAddress, IPPrefixLen, MacAddress,
 * DNSNames) and, in its private "Dock" object, Ifaces {NAME: "ethN"}: which interface in the
 * container is that network's, for a live disconnect.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/record.h"
#include "network/ipam.h"
#include "network/netlink.h"
#include "network/network-internal.h"
#include "store/store.h"

bool
dock_network_named (jv net)
{
  const char *d = jv_get_str (net, "Driver");
  return !dock_network_is_builtin (jv_get_str (net, "Name"))
         && (strcmp (d, "bridge") == 0 || strcmp (d, "macvlan") == 0);
}

/* the host end of a container's veth on a network: a name derived from both IDs, so that a
   leftover of a crashed start is found and replaced (FNV-1a; 11 hex digits fit IFNAMSIZ) */
static void
veth_name (const char *cid, const char *nid, char out[16])
{
  unsigned long long h = 1469598103934665603ULL;
  for (const char *s = cid; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  for (const char *s = nid; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  snprintf (out, 16, "veth%011llx", h & 0xfffffffffffULL);
}

static void
clear_endpoint (jv ep)
{
  jv_set (ep, "EndpointID", jv_str (""));
  jv_set (ep, "Gateway", jv_str (""));
  jv_set (ep, "IPAddress", jv_str (""));
  jv_set (ep, "IPPrefixLen", jv_int (0));
  jv_set (ep, "IPv6Gateway", jv_str (""));
  jv_set (ep, "GlobalIPv6Address", jv_str (""));
  jv_set (ep, "GlobalIPv6PrefixLen", jv_int (0));
  jv_set (ep, "MacAddress", jv_str (""));
  jv_set (ep, "DNSNames", jv_null ());
}

/* docker's top-level NetworkSettings fields mirror the default bridge's endpoint */
static void
mirror_default (jv ns, jv ep)
{
  static const char *const keys[]
      = {"EndpointID", "Gateway",           "IPAddress",           "IPPrefixLen", "IPv6Gateway",
         "MacAddress", "GlobalIPv6Address", "GlobalIPv6PrefixLen", NULL};
  for (int i = 0; keys[i]; i++)
    {
      jv v = jv_get (ep, keys[i]);
      jv_set (ns, keys[i], v ? jv_copy (v) : jv_str (""));
    }
}

/* the names peers resolve this container by on a network: its name, its aliases, its short ID */
static jv
dns_names (jv rec, jv ep)
{
  jv names = jv_arr ();
  jv_push (names, jv_str (dock_record_name (rec)));
  jv aliases = jv_get_arr (ep, "Aliases");
  for (size_t i = 0; i < jv_len (aliases); i++)
    if (jv_as_str (aliases->u.array.values[i]))
      jv_push (names, jv_copy (aliases->u.array.values[i]));
  jv_push (names, jv_strn (dock_record_id (rec), 12));
  return names;
}

static bool
ifname_used (jv ifaces, const char *name)
{
  for (size_t i = 0; i < jv_len (ifaces); i++)
    if (jv_as_str (ifaces->u.object.values[i]) && strcmp (jv_as_str (ifaces->u.object.values[i]), name) == 0)
      return true;
  return false;
}

/* Plug one endpoint of rec on net into the namespace netns_fd (first: it gets the default
   route); the lease goes into net (saved), the fields into ep. */
static int
attach_one (struct dock_ctx *ctx, jv rec, jv net, jv ep, int netns_fd, bool first, lcr_error_t *err)
{
  const char *cid = dock_record_id (rec);
  const char *name = jv_get_str (net, "Name");
  const char *driver = jv_get_str (net, "Driver");
  if (strcmp (driver, "bridge") != 0 && strcmp (driver, "macvlan") != 0)
    return 0; /* host, none: nothing to plug */
  jv cfg = jv_get_arr (jv_get_obj (net, "IPAM"), "Config");
  jv c0 = jv_len (cfg) ? cfg->u.array.values[0] : NULL;
  struct dock_ipv4_net sub, range;
  uint32_t gw = 0, addr;
  bool has_range = false;
  if (c0 == NULL || dock_ipam_parse_cidr (jv_get_str (c0, "Subnet"), &sub) < 0)
    return lcr_error_make (err, 0, LCR_ERR_INVALID, "network %s: no subnet in its IPAM configuration", name);
  if (jv_get_str (c0, "Gateway"))
    dock_ipam_parse_addr (jv_get_str (c0, "Gateway"), &gw);
  if (jv_get_str (c0, "IPRange") && dock_ipam_parse_cidr (jv_get_str (c0, "IPRange"), &range) == 0)
    {
      range.addr &= dock_ipam_mask (range.len);
      has_range = true;
    }

  /* the lease, under the lock the caller holds */
  dock_network_drop_stale (ctx, net);
  jv leases = jv_child_obj (net, "Containers");
  jv_del (leases, cid);
  uint32_t *used = xmalloc0 ((jv_len (leases) + 1) * sizeof *used);
  size_t nused = 0;
  for (size_t i = 0; i < jv_len (leases); i++)
    {
      struct dock_ipv4_net a;
      const char *s = jv_get_str (leases->u.object.values[i], "IPv4Address");
      if (s && dock_ipam_parse_cidr (s, &a) == 0)
        used[nused++] = a.addr;
    }
  const char *want = jv_get_str (jv_get_obj (ep, "IPAMConfig"), "IPv4Address");
  int rc = 0;
  if (want && *want)
    {
      if (dock_network_is_builtin (name))
        rc = lcr_error_invalid (err, "user specified IP address is supported on user defined networks only");
      else if (dock_ipam_parse_addr (want, &addr) < 0 || !dock_ipam_contains (&sub, addr))
        rc = lcr_error_invalid (err, "no configured subnet or ip-range contain the IP address %s", want);
      for (size_t i = 0; rc == 0 && i < nused; i++)
        if (used[i] == addr)
          rc = lcr_error_make (err, 0, LCR_ERR_EXISTS, "Address already in use: %s on network %s", want, name);
      if (rc == 0 && addr == gw)
        rc = lcr_error_make (err, 0, LCR_ERR_EXISTS, "Address already in use: %s is the gateway of network %s", want,
                             name);
    }
  else if (dock_ipam_pick_addr (&sub, has_range ? &range : NULL, gw, used, nused, &addr) < 0)
    rc = lcr_error_make (err, 0, LCR_ERR_EXISTS, "no available IPv4 addresses on network %s", name);
  free (used);
  if (rc < 0)
    return -1;

  char cidr[19], gwbuf[16], addrbuf[16], mac[18];
  dock_ipam_format_cidr (addr, sub.len, cidr);
  jv ifaces = jv_child_obj (jv_child_obj (rec, "Dock"), "Ifaces");
  char ifname[16];
  for (int i = 0;; i++)
    {
      snprintf (ifname, sizeof ifname, "eth%d", i);
      if (!ifname_used (ifaces, ifname))
        break;
    }
  const char *want_mac = jv_get_str (ep, "MacAddress");
  if (want_mac && *want_mac == '\0')
    want_mac = NULL;
  if (want_mac == NULL && first)
    {
      want_mac = jv_get_str (jv_get_obj (rec, "Config"), "MacAddress");
      if (want_mac && *want_mac == '\0')
        want_mac = NULL;
    }
  bool internal = jv_get_bool (net, "Internal", false);
  struct dock_nl_endpoint nep = {
      .netns_fd = netns_fd,
      .ifname = ifname,
      .mac = want_mac,
      .addr_cidr = cidr,
      .gateway = first && !internal && gw ? dock_ipam_format_addr (gw, gwbuf) : NULL,
  };
  if (strcmp (driver, "bridge") == 0)
    {
      if (dock_network_bridge_ensure (ctx, net, false, err) < 0)
        return -1;
      char host[16];
      veth_name (cid, jv_get_str (net, "Id"), host);
      cleanup_error lcr_error_t e = NULL;
      dock_nl_link_del (host, &e);
      if (dock_nl_veth_plug (jv_get_str (jv_get_obj (net, "Dock"), "Bridge"), host, &nep, mac, err) < 0)
        return lcr_error_wrap (err, "network %s", name);
    }
  else if (dock_nl_macvlan_plug (jv_get_str (jv_get_obj (net, "Dock"), "Parent"), &nep, mac, err) < 0)
    return lcr_error_wrap (err, "network %s", name);

  char epid[65];
  dock_random_id (epid);
  jv lease = jv_set (leases, cid, jv_obj ());
  jv_set (lease, "Name", jv_str (dock_record_name (rec)));
  jv_set (lease, "EndpointID", jv_str (epid));
  jv_set (lease, "MacAddress", jv_str (mac));
  jv_set (lease, "IPv4Address", jv_str (cidr));
  jv_set (lease, "IPv6Address", jv_str (""));
  jv names = dns_names (rec, ep);
  jv_set (jv_child_obj (jv_child_obj (net, "Dock"), "Names"), cid, jv_copy (names));
  if (dock_network_save (ctx, net, err) < 0)
    {
      jv_free (names);
      return -1;
    }
  if (dock_network_named (net))
    {
      cleanup_error lcr_error_t e = NULL;
      dock_dns_write_network (ctx, net, &e);
    }

  jv_set (ifaces, name, jv_str (ifname));
  jv_set (ep, "NetworkID", jv_str (jv_get_str (net, "Id")));
  jv_set (ep, "EndpointID", jv_str (epid));
  jv_set (ep, "Gateway", jv_str (gw ? dock_ipam_format_addr (gw, gwbuf) : ""));
  jv_set (ep, "IPAddress", jv_str (dock_ipam_format_addr (addr, addrbuf)));
  jv_set (ep, "IPPrefixLen", jv_int (sub.len));
  jv_set (ep, "IPv6Gateway", jv_str (""));
  jv_set (ep, "GlobalIPv6Address", jv_str (""));
  jv_set (ep, "GlobalIPv6PrefixLen", jv_int (0));
  jv_set (ep, "MacAddress", jv_str (mac));
  jv_set (ep, "DNSNames", dock_network_named (net) ? names : (jv_free (names), jv_null ()));
  if (strcmp (name, "bridge") == 0)
    mirror_default (jv_get_obj (rec, "NetworkSettings"), ep);
  return 0;
}

/* Release one endpoint: the lease and names on the network, the record's fields, and with
   `unplug` its interface now (a disconnect; netns_fd >= 0 for a macvlan's).  At a stop the
   interfaces are left to the namespace's end: removing the netns file lets the kernel delete
   its links in the background, where deleting a veth here waits ~12 ms for the kernel to
   unregister it, with the store locked. */
static void
detach_one (struct dock_ctx *ctx, jv rec, const char *netname, jv ep, int netns_fd, bool unplug)
{
  const char *cid = dock_record_id (rec);
  cleanup_error lcr_error_t e = NULL;
  cleanup_jv jv net = dock_network_get (ctx, netname, &e);
  jv ifaces = jv_get_obj (jv_get_obj (rec, "Dock"), "Ifaces");
  const char *ifname = jv_get_str (ifaces, netname);
  if (net)
    {
      const char *br = jv_get_str (jv_get_obj (net, "Dock"), "Bridge");
      if (br && unplug)
        {
          /* the host end (named from the IDs, so found also after a start that crashed before
             the record was saved): deleting it takes the container's end too */
          char host[16];
          veth_name (cid, jv_get_str (net, "Id"), host);
          dock_nl_link_del (host, &e);
          lcr_error_release (&e);
        }
      else if (unplug && ifname && netns_fd >= 0)
        {
          dock_nl_unplug (netns_fd, ifname, &e);
          lcr_error_release (&e);
        }
      jv leases = jv_get_obj (net, "Containers");
      if (jv_get (leases, cid))
        {
          jv_del (leases, cid);
          jv_del (jv_get_obj (jv_get_obj (net, "Dock"), "Names"), cid);
          if (dock_network_save (ctx, net, &e) == 0 && dock_network_named (net))
            dock_dns_write_network (ctx, net, &e);
        }
    }
  if (ifname)
    jv_del (ifaces, netname);
  if (ep)
    clear_endpoint (ep);
  if (strcmp (netname, "bridge") == 0 && ep)
    mirror_default (jv_get_obj (rec, "NetworkSettings"), ep);
}

void
dock_network_detach_all (struct dock_ctx *ctx, jv rec)
{
  jv nets = jv_get_obj (jv_get_obj (rec, "NetworkSettings"), "Networks");
  for (size_t i = 0; i < jv_len (nets); i++)
    detach_one (ctx, rec, nets->u.object.keys[i], nets->u.object.values[i], -1, false);
  jv_del (jv_get_obj (rec, "Dock"), "Ifaces");
  jv ns = jv_get_obj (rec, "NetworkSettings");
  if (ns)
    jv_set (ns, "Ports", jv_obj ());
  dock_dns_remove_container (ctx, dock_record_id (rec));
}

/* the line "IP\tHOSTNAME" for the container's own address in its /etc/hosts (docker's), replacing
   the one of an earlier start */
static int
hosts_add_self (jv rec, const char *ip, lcr_error_t *err)
{
  const char *path = jv_get_str (rec, "HostsPath");
  const char *hostname = jv_get_str (jv_get_obj (rec, "Config"), "Hostname");
  if (path == NULL || *path == '\0' || hostname == NULL)
    return 0;
  cleanup_free char *text = NULL;
  size_t len = 0;
  if (lcr_read_file (path, &text, &len, err) < 0)
    return -1;
  size_t hl = strlen (hostname);
  cleanup_free char *out = xmalloc0 (len + strlen (ip) + hl + 4);
  size_t o = 0;
  for (char *line = text; line && *line;)
    {
      char *nl = strchr (line, '\n');
      size_t ll = nl ? (size_t)(nl - line) : strlen (line);
      char *tab = memchr (line, '\t', ll);
      bool mine = tab && (size_t)(line + ll - tab - 1) == hl && memcmp (tab + 1, hostname, hl) == 0;
      if (!mine)
        {
          memcpy (out + o, line, ll);
          o += ll;
          out[o++] = '\n';
        }
      line = nl ? nl + 1 : NULL;
    }
  o += sprintf (out + o, "%s\t%s\n", ip, hostname);
  return dock_write_atomic_at (AT_FDCWD, path, out, o, err);
}

int
dock_network_attach_all (struct dock_ctx *ctx, jv rec, const char *netns_path, lcr_error_t *err)
{
  jv nets = jv_get_obj (jv_get_obj (rec, "NetworkSettings"), "Networks");
  if (jv_len (nets) == 0)
    return 0;
  cleanup_close int fd = open (netns_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return lcr_error_sys (err, "open the network namespace `%s`", netns_path);
  jv_del (jv_get_obj (rec, "Dock"), "Ifaces");
  bool first = true;
  const char *self_ip = NULL;
  for (size_t i = 0; i < jv_len (nets); i++)
    {
      const char *name = nets->u.object.keys[i];
      jv ep = nets->u.object.values[i];
      cleanup_jv jv net = dock_network_get (ctx, name, err);
      if (net == NULL || attach_one (ctx, rec, net, ep, fd, first, err) < 0)
        {
          dock_network_detach_all (ctx, rec);
          return -1;
        }
      if (jv_get_str (ep, "IPAddress") && *jv_get_str (ep, "IPAddress"))
        {
          if (self_ip == NULL)
            self_ip = jv_get_str (ep, "IPAddress");
          first = false;
        }
    }
  if (self_ip && hosts_add_self (rec, self_ip, err) < 0)
    {
      dock_network_detach_all (ctx, rec);
      return -1;
    }
  return 0;
}

int
dock_network_connect (struct dock_ctx *ctx, jv rec, jv net, jv endpoint_config, const char *netns_path,
                      lcr_error_t *err)
{
  const char *name = jv_get_str (net, "Name");
  jv ns = jv_child_obj (rec, "NetworkSettings");
  jv nets = jv_child_obj (ns, "Networks");
  const char *mode = jv_get_str (jv_get_obj (rec, "HostConfig"), "NetworkMode");
  if (mode && (strcmp (mode, "host") == 0 || strcmp (mode, "none") == 0 || strncmp (mode, "container:", 10) == 0))
    return lcr_error_make (err, 0, LCR_ERR_STATE,
                           "container cannot be disconnected from host network or connected "
                           "to host network");
  if (strcmp (jv_get_str (net, "Driver"), "host") == 0 || strcmp (jv_get_str (net, "Driver"), "null") == 0)
    return lcr_error_make (err, 0, LCR_ERR_STATE,
                           "container cannot be disconnected from host network or connected "
                           "to host network");
  if (jv_get (nets, name))
    return lcr_error_make (err, 0, LCR_ERR_EXISTS, "endpoint with name %s already exists in network %s",
                           dock_record_name (rec), name);
  jv ep = jv_set (nets, name, endpoint_config ? jv_copy (endpoint_config) : jv_obj ());
  jv_set (ep, "NetworkID", jv_str (jv_get_str (net, "Id")));
  clear_endpoint (ep);
  if (netns_path == NULL)
    return 0;
  cleanup_close int fd = open (netns_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || attach_one (ctx, rec, net, ep, fd, false, err) < 0)
    {
      if (fd < 0)
        lcr_error_sys (err, "open the network namespace `%s`", netns_path);
      jv_del (nets, name);
      return -1;
    }
  return 0;
}

int
dock_network_disconnect (struct dock_ctx *ctx, jv rec, jv net, lcr_error_t *err)
{
  const char *name = jv_get_str (net, "Name");
  jv nets = jv_get_obj (jv_get_obj (rec, "NetworkSettings"), "Networks");
  jv ep = jv_get (nets, name);
  if (ep == NULL)
    return lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "container %s is not connected to network %s",
                           dock_record_name (rec), name);
  if (strcmp (jv_get_str (net, "Driver"), "host") == 0)
    return lcr_error_make (err, 0, LCR_ERR_STATE,
                           "container cannot be disconnected from host network or connected "
                           "to host network");
  const char *ns_path = jv_get_str (jv_get_obj (rec, "Dock"), "NetnsPath");
  int fd = ns_path ? open (ns_path, O_RDONLY | O_CLOEXEC) : -1;
  detach_one (ctx, rec, name, ep, fd, true);
  if (fd >= 0)
    close (fd);
  jv_del (nets, name);
  return 0;
}
