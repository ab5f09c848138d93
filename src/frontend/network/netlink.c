/* dock — links, addresses and routes over rtnetlink (netlink.h).
 *
 * Each public call opens its own NETLINK_ROUTE socket in the namespace it works on and closes
 * it before returning; nothing is cached, because the kernel objects are dock's only state.
 * Every request asks for an ACK and every ACK is checked: a request the kernel refused is an
 * error naming the link and the operation, with the kernel's extended-ACK text when it gave one.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "network/ipam.h"
#include "network/netlink.h"
#include "utils.h"

/* room for one request (names, a few attributes); replies use a larger buffer */
#define NL_REQ_SIZE 4096
#define NL_RECV_SIZE 32768

struct nl
{
  struct mnl_socket *sock;
  unsigned int portid;
  unsigned int seq;
  char ext[256]; /* the kernel's extended-ACK message for the last refused request */
};

static void
nl_close (struct nl *nl)
{
  if (nl->sock)
    mnl_socket_close (nl->sock);
  nl->sock = NULL;
}
#define cleanup_nl __attribute__ ((cleanup (nl_close)))

/* Open a socket in the caller's namespace (netns_fd < 0) or in netns_fd's.  A netlink socket
   belongs to the namespace it was made in, so we enter the container's namespace only for the
   socket() call and come straight back. */
static int
nl_open (struct nl *nl, int netns_fd, lcr_error_t *err)
{
  memset (nl, 0, sizeof *nl);
  if (netns_fd < 0)
    nl->sock = mnl_socket_open2 (NETLINK_ROUTE, SOCK_CLOEXEC);
  else
    {
      /* thread-self: setns() changes the calling thread's namespace */
      cleanup_close int self = open ("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
      if (self < 0)
        return lcr_error_sys (err, "open `/proc/thread-self/ns/net`");
      if (setns (netns_fd, CLONE_NEWNET) < 0)
        return lcr_error_sys (err, "enter the container's network namespace");
      nl->sock = mnl_socket_open2 (NETLINK_ROUTE, SOCK_CLOEXEC);
      int saved = errno;
      if (setns (self, CLONE_NEWNET) < 0)
        {
          /* staying in the container's namespace would point every later host-side call at
             it: there is no safe way on */
          fprintf (stderr, "dock: cannot return to the original network namespace: %s\n", strerror (errno));
          abort ();
        }
      errno = saved;
    }
  if (nl->sock == NULL)
    return lcr_error_sys (err, "open a netlink socket");
  if (mnl_socket_bind (nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
    {
      int saved = errno;
      nl_close (nl);
      errno = saved;
      return lcr_error_sys (err, "bind a netlink socket");
    }
  /* the kernel's own words on a refused request; older kernels lack it, which is fine */
  int one = 1;
  (void)setsockopt (mnl_socket_get_fd (nl->sock), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  (void)setsockopt (mnl_socket_get_fd (nl->sock), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  /* every wait has a bound: a reply that never comes (a kernel or a request gone wrong) is an
     error after 10 s, not a dock hung with the store locked */
  struct timeval tv = {.tv_sec = 10};
  (void)setsockopt (mnl_socket_get_fd (nl->sock), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  nl->portid = mnl_socket_get_portid (nl->sock);
  nl->seq = (unsigned int)getpid ();
  return 0;
}

/* buf: NL_REQ_SIZE bytes, zeroed here so attribute padding never carries stack garbage */
static struct nlmsghdr *
nl_msg (struct nl *nl, char *buf, uint16_t type, uint16_t flags)
{
  memset (buf, 0, NL_REQ_SIZE);
  struct nlmsghdr *nlh = mnl_nlmsg_put_header (buf);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST | flags;
  nlh->nlmsg_seq = ++nl->seq;
  return nlh;
}

struct run_ctx
{
  struct nl *nl;
  mnl_cb_t cb;
  void *data;
  int error; /* positive errno from an NLMSG_ERROR */
};

static int
run_data (const struct nlmsghdr *nlh, void *data)
{
  struct run_ctx *c = data;
  return c->cb ? c->cb (nlh, c->data) : MNL_CB_OK;
}

static int
run_error (const struct nlmsghdr *nlh, void *data)
{
  struct run_ctx *c = data;
  const struct nlmsgerr *e = mnl_nlmsg_get_payload (nlh);
  if (nlh->nlmsg_len < mnl_nlmsg_size (sizeof *e))
    {
      c->error = EBADMSG;
      return MNL_CB_ERROR;
    }
  if (e->error == 0)
    return MNL_CB_STOP; /* the ACK */
  c->error = -e->error;
  if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
    {
      size_t off = sizeof *e;
      const struct nlattr *attr;
      if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
        off += e->msg.nlmsg_len - sizeof (struct nlmsghdr);
      mnl_attr_for_each (attr, nlh, off)
      {
        if (mnl_attr_get_type (attr) == NLMSGERR_ATTR_MSG && mnl_attr_validate (attr, MNL_TYPE_NUL_STRING) == 0)
          snprintf (c->nl->ext, sizeof c->nl->ext, "%s", mnl_attr_get_str (attr));
      }
    }
  return MNL_CB_ERROR;
}

static int
run_done (const struct nlmsghdr *nlh, void *data)
{
  return MNL_CB_STOP;
}

/* Send one request and read replies until its ACK (or, for a dump, NLMSG_DONE), passing data
   messages to cb.  0, or a negative errno (nl->ext may then hold the kernel's message).
   (A dump is said explicitly: NLM_F_DUMP's bits overlap NLM_F_EXCL's.) */
static int
nl_exchange (struct nl *nl, struct nlmsghdr *nlh, bool dump, mnl_cb_t cb, void *data)
{
  static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {[NLMSG_ERROR] = run_error, [NLMSG_DONE] = run_done};
  struct run_ctx c = {.nl = nl, .cb = cb, .data = data};
  cleanup_free char *buf = NULL;

  nl->ext[0] = '\0';
  if (!dump)
    nlh->nlmsg_flags |= NLM_F_ACK;
  if (mnl_socket_sendto (nl->sock, nlh, nlh->nlmsg_len) < 0)
    return -errno;
  buf = xmalloc0 (NL_RECV_SIZE);
  for (;;)
    {
      ssize_t r = mnl_socket_recvfrom (nl->sock, buf, NL_RECV_SIZE);
      if (r < 0)
        return -errno;
      errno = 0;
      int ret = mnl_cb_run2 (buf, (size_t)r, nlh->nlmsg_seq, nl->portid, run_data, &c, ctl, NLMSG_MIN_TYPE);
      if (ret == MNL_CB_ERROR)
        return -(c.error ? c.error : errno ? errno : EIO);
      if (ret == MNL_CB_STOP)
        return 0;
    }
}

static int
nl_run (struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
  return nl_exchange (nl, nlh, false, cb, data);
}

static int
nl_dump (struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
  return nl_exchange (nl, nlh, true, cb, data);
}

/* err = "<what>: <strerror>[ (<kernel's message>)]"; returns -1 */
static int __attribute__ ((format (printf, 4, 5)))
nl_fail (lcr_error_t *err, struct nl *nl, int neg_errno, const char *fmt, ...)
{
  cleanup_free char *what = NULL;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&what, fmt, ap) < 0)
    abort ();
  va_end (ap);
  lcr_error_make (err, -neg_errno, LCR_ERR_SYSTEM, "%s", what);
  if (err && *err && nl && nl->ext[0])
    {
      char *msg = NULL;
      if (asprintf (&msg, "%s (%s)", (*err)->msg, nl->ext) < 0)
        abort ();
      free ((*err)->msg);
      (*err)->msg = msg;
    }
  return -1;
}

static int
check_ifname (const char *name, lcr_error_t *err)
{
  if (name == NULL || name[0] == '\0' || strlen (name) >= IFNAMSIZ)
    return lcr_error_make (err, 0, LCR_ERR_INVALID, "invalid interface name `%s`", name ? name : "");
  return 0;
}

/* ---- links ---- */

struct link_info
{
  int index;
  unsigned int flags;
  uint32_t master;
  char kind[32];
};

static int
link_info_cb (const struct nlmsghdr *nlh, void *data)
{
  struct link_info *li = data;
  const struct ifinfomsg *ifm = mnl_nlmsg_get_payload (nlh);
  const struct nlattr *attr, *nested;

  if (nlh->nlmsg_type != RTM_NEWLINK)
    return MNL_CB_OK;
  li->index = ifm->ifi_index;
  li->flags = ifm->ifi_flags;
  mnl_attr_for_each (attr, nlh, sizeof *ifm)
  {
    switch (mnl_attr_get_type (attr))
      {
      case IFLA_MASTER:
        if (mnl_attr_validate (attr, MNL_TYPE_U32) == 0)
          li->master = mnl_attr_get_u32 (attr);
        break;
      case IFLA_LINKINFO:
        mnl_attr_for_each_nested (nested, attr)
        {
          if (mnl_attr_get_type (nested) == IFLA_INFO_KIND && mnl_attr_validate (nested, MNL_TYPE_STRING) == 0)
            snprintf (li->kind, sizeof li->kind, "%.*s", (int)mnl_attr_get_payload_len (nested),
                      mnl_attr_get_str (nested));
        }
        break;
      }
  }
  return MNL_CB_OK;
}

/* 0 with *li filled, -ENODEV when there is no such link, another -errno on failure */
static int
link_get (struct nl *nl, const char *name, struct link_info *li)
{
  char buf[NL_REQ_SIZE];
  struct nlmsghdr *nlh = nl_msg (nl, buf, RTM_GETLINK, 0);
  struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header (nlh, sizeof *ifm);
  ifm->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz (nlh, IFLA_IFNAME, name);
  memset (li, 0, sizeof *li);
  int r = nl_run (nl, nlh, link_info_cb, li);
  if (r == 0 && li->index == 0)
    r = -ENODEV;
  return r;
}

static int
link_index (struct nl *nl, const char *name, int *index, lcr_error_t *err)
{
  struct link_info li;
  int r = link_get (nl, name, &li);
  if (r < 0)
    return nl_fail (err, nl, r, "look up link `%s`", name);
  *index = li.index;
  return 0;
}

/* RTM_NEWLINK on an existing link: flags and/or master (master < 0: unchanged) */
static int
link_set (struct nl *nl, int index, bool up, int master)
{
  char buf[NL_REQ_SIZE];
  struct nlmsghdr *nlh = nl_msg (nl, buf, RTM_NEWLINK, 0);
  struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header (nlh, sizeof *ifm);
  ifm->ifi_family = AF_UNSPEC;
  ifm->ifi_index = index;
  if (up)
    {
      ifm->ifi_change = IFF_UP;
      ifm->ifi_flags = IFF_UP;
    }
  if (master >= 0)
    mnl_attr_put_u32 (nlh, IFLA_MASTER, (uint32_t)master);
  return nl_run (nl, nlh, NULL, NULL);
}

/* 0, or -ENODEV when there was nothing to delete */
static int
link_del_by_name (struct nl *nl, const char *name)
{
  char buf[NL_REQ_SIZE];
  struct nlmsghdr *nlh = nl_msg (nl, buf, RTM_DELLINK, 0);
  struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header (nlh, sizeof *ifm);
  ifm->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz (nlh, IFLA_IFNAME, name);
  return nl_run (nl, nlh, NULL, NULL);
}

int
dock_nl_link_exists (const char *name, lcr_error_t *err)
{
  cleanup_nl struct nl nl = {0};
  struct link_info li;
  if (check_ifname (name, err) < 0 || nl_open (&nl, -1, err) < 0)
    return -1;
  int r = link_get (&nl, name, &li);
  if (r == -ENODEV)
    return 0;
  if (r < 0)
    return nl_fail (err, &nl, r, "look up link `%s`", name);
  return 1;
}

int
dock_nl_link_del (const char *name, lcr_error_t *err)
{
  cleanup_nl struct nl nl = {0};
  if (check_ifname (name, err) < 0 || nl_open (&nl, -1, err) < 0)
    return -1;
  int r = link_del_by_name (&nl, name);
  if (r < 0 && r != -ENODEV)
    return nl_fail (err, &nl, r, "delete link `%s`", name);
  return 0;
}

int
dock_nl_unplug (int netns_fd, const char *ifname, lcr_error_t *err)
{
  cleanup_nl struct nl nl = {0};
  if (check_ifname (ifname, err) < 0 || nl_open (&nl, netns_fd, err) < 0)
    return -1;
  int r = link_del_by_name (&nl, ifname);
  if (r < 0 && r != -ENODEV)
    return nl_fail (err, &nl, r, "delete link `%s` in the container's namespace", ifname);
  return 0;
}

/* ---- addresses and routes ---- */

/* IFA_ADDRESS etc. on index; -EEXIST when the very address is already there */
static int
addr_add (struct nl *nl, int index, const struct dock_ipv4_net *a)
{
  char buf[NL_REQ_SIZE];
  struct nlmsghdr *nlh = nl_msg (nl, buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
  struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header (nlh, sizeof *ifa);
  ifa->ifa_family = AF_INET;
  ifa->ifa_prefixlen = (unsigned char)a->len;
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  ifa->ifa_index = (unsigned int)index;
  mnl_attr_put_u32 (nlh, IFA_LOCAL, htonl (a->addr));
  mnl_attr_put_u32 (nlh, IFA_ADDRESS, htonl (a->addr));
  /* as `ip addr add … brd +` would: /31 and /32 have no broadcast address */
  if (a->len < 31)
    mnl_attr_put_u32 (nlh, IFA_BROADCAST, htonl (a->addr | ~dock_ipam_mask (a->len)));
  return nl_run (nl, nlh, NULL, NULL);
}

static int
route_add_default (struct nl *nl, int index, uint32_t gateway)
{
  char buf[NL_REQ_SIZE];
  struct nlmsghdr *nlh = nl_msg (nl, buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
  struct rtmsg *rtm = mnl_nlmsg_put_extra_header (nlh, sizeof *rtm);
  rtm->rtm_family = AF_INET;
  rtm->rtm_dst_len = 0;
  rtm->rtm_table = RT_TABLE_MAIN;
  rtm->rtm_protocol = RTPROT_BOOT;
  rtm->rtm_scope = RT_SCOPE_UNIVERSE;
  rtm->rtm_type = RTN_UNICAST;
  mnl_attr_put_u32 (nlh, RTA_GATEWAY, htonl (gateway));
  mnl_attr_put_u32 (nlh, RTA_OIF, (uint32_t)index);
  return nl_run (nl, nlh, NULL, NULL);
}

int
dock_nl_bridge_ensure (const char *name, const char *addr_cidr, lcr_error_t *err)
{
  cleanup_nl struct nl nl = {0};
  char buf[NL_REQ_SIZE];
  struct dock_ipv4_net a;
  struct link_info li;
  int r;

  if (check_ifname (name, err) < 0)
    return -1;
  if (addr_cidr && dock_ipam_parse_cidr (addr_cidr, &a) < 0)
    return lcr_error_make (err, 0, LCR_ERR_INVALID, "bridge `%s`: invalid address `%s`", name, addr_cidr);
  if (nl_open (&nl, -1, err) < 0)
    return -1;

  struct nlmsghdr *nlh = nl_msg (&nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header (nlh, sizeof *ifm);
  ifm->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz (nlh, IFLA_IFNAME, name);
  struct nlattr *linkinfo = mnl_attr_nest_start (nlh, IFLA_LINKINFO);
  mnl_attr_put_strz (nlh, IFLA_INFO_KIND, "bridge");
  mnl_attr_nest_end (nlh, linkinfo);
  r = nl_run (&nl, nlh, NULL, NULL);
  if (r < 0 && r != -EEXIST)
    return nl_fail (err, &nl, r, "create bridge `%s`", name);

  /* made now or before: either way it must be a bridge (a veth of the same name is not ours) */
  r = link_get (&nl, name, &li);
  if (r < 0)
    return nl_fail (err, &nl, r, "look up bridge `%s`", name);
  if (strcmp (li.kind, "bridge") != 0)
    return lcr_error_make (err, 0, LCR_ERR_EXISTS, "create bridge `%s`: a link of that name exists and is %s%s", name,
                           li.kind[0] ? "a " : "not a bridge", li.kind);

  if (addr_cidr)
    {
      r = addr_add (&nl, li.index, &a);
      if (r < 0 && r != -EEXIST)
        return nl_fail (err, &nl, r, "add address `%s` to bridge `%s`", addr_cidr, name);
    }
  r = link_set (&nl, li.index, true, -1);
  if (r < 0)
    return nl_fail (err, &nl, r, "set bridge `%s` up", name);
  return 0;
}

/* ---- endpoints ---- */

void
dock_nl_mac_from_ipv4 (uint32_t a, char out[18])
{
  snprintf (out, 18, "02:42:%02x:%02x:%02x:%02x", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

static int
parse_mac (const char *s, unsigned char mac[6])
{
  for (int i = 0; i < 6; i++)
    {
      unsigned v = 0;
      for (int j = 0; j < 2; j++)
        {
          char c = *s++;
          if (c >= '0' && c <= '9')
            v = v * 16 + (unsigned)(c - '0');
          else if (c >= 'a' && c <= 'f')
            v = v * 16 + (unsigned)(c - 'a' + 10);
          else if (c >= 'A' && c <= 'F')
            v = v * 16 + (unsigned)(c - 'A' + 10);
          else
            return -1;
        }
      mac[i] = (unsigned char)v;
      if (*s != (i == 5 ? '\0' : ':'))
        return -1;
      s++;
    }
  return 0;
}

/* What every endpoint needs checked before anything is made: names, address, gateway, MAC. */
struct ep_params
{
  struct dock_ipv4_net addr;
  uint32_t gateway;
  unsigned char mac[6];
  char mac_str[18];
};

static int
ep_params (const struct dock_nl_endpoint *ep, struct ep_params *p, lcr_error_t *err)
{
  if (check_ifname (ep->ifname, err) < 0)
    return -1;
  if (ep->addr_cidr == NULL || dock_ipam_parse_cidr (ep->addr_cidr, &p->addr) < 0)
    return lcr_error_make (err, 0, LCR_ERR_INVALID, "endpoint `%s`: invalid address `%s`", ep->ifname,
                           ep->addr_cidr ? ep->addr_cidr : "");
  if (ep->gateway && dock_ipam_parse_addr (ep->gateway, &p->gateway) < 0)
    return lcr_error_make (err, 0, LCR_ERR_INVALID, "endpoint `%s`: invalid gateway `%s`", ep->ifname, ep->gateway);
  if (ep->mac)
    {
      if (parse_mac (ep->mac, p->mac) < 0)
        return lcr_error_make (err, 0, LCR_ERR_INVALID, "endpoint `%s`: invalid MAC address `%s`", ep->ifname, ep->mac);
    }
  else
    {
      char s[18];
      dock_nl_mac_from_ipv4 (p->addr.addr, s);
      parse_mac (s, p->mac);
    }
  snprintf (p->mac_str, sizeof p->mac_str, "%02x:%02x:%02x:%02x:%02x:%02x", p->mac[0], p->mac[1], p->mac[2], p->mac[3],
            p->mac[4], p->mac[5]);
  return 0;
}

/* Inside the container: the link made there (with its MAC) gets its address, goes up and gets
   the default route.  lo is the runtime's business, not ours. */
static int
ep_configure (const struct dock_nl_endpoint *ep, const struct ep_params *p, lcr_error_t *err)
{
  cleanup_nl struct nl nl = {0};
  int index = 0, r;
  if (nl_open (&nl, ep->netns_fd, err) < 0)
    return -1;
  if (link_index (&nl, ep->ifname, &index, err) < 0)
    return lcr_error_wrap (err, "in the container's namespace");
  r = addr_add (&nl, index, &p->addr);
  if (r < 0)
    return nl_fail (err, &nl, r, "add address `%s` to `%s`", ep->addr_cidr, ep->ifname);
  r = link_set (&nl, index, true, -1);
  if (r < 0)
    return nl_fail (err, &nl, r, "set `%s` up", ep->ifname);
  if (ep->gateway)
    {
      r = route_add_default (&nl, index, p->gateway);
      if (r < 0)
        return nl_fail (err, &nl, r, "add default route via `%s` on `%s`", ep->gateway, ep->ifname);
    }
  return 0;
}

int
dock_nl_veth_plug (const char *bridge, const char *host_name, const struct dock_nl_endpoint *ep, char mac_out[18],
                   lcr_error_t *err)
{
  cleanup_nl struct nl nl = {0};
  char buf[NL_REQ_SIZE];
  struct ep_params p;
  int bridge_index = 0, host_index = 0, r;

  if (check_ifname (bridge, err) < 0 || check_ifname (host_name, err) < 0 || ep_params (ep, &p, err) < 0)
    return -1;
  if (nl_open (&nl, -1, err) < 0)
    return -1;
  if (link_index (&nl, bridge, &bridge_index, err) < 0)
    return lcr_error_wrap (err, "plug `%s` into bridge `%s`", host_name, bridge);

  /* the peer is born in the container's namespace under its final name, so it never shows up
     (or clashes with a name) in ours */
  struct nlmsghdr *nlh = nl_msg (&nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header (nlh, sizeof *ifm);
  ifm->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz (nlh, IFLA_IFNAME, host_name);
  struct nlattr *linkinfo = mnl_attr_nest_start (nlh, IFLA_LINKINFO);
  mnl_attr_put_strz (nlh, IFLA_INFO_KIND, "veth");
  struct nlattr *data = mnl_attr_nest_start (nlh, IFLA_INFO_DATA);
  struct nlattr *peer = mnl_attr_nest_start (nlh, VETH_INFO_PEER);
  struct ifinfomsg *pifm = mnl_nlmsg_put_extra_header (nlh, sizeof *pifm);
  pifm->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz (nlh, IFLA_IFNAME, ep->ifname);
  mnl_attr_put_u32 (nlh, IFLA_NET_NS_FD, (uint32_t)ep->netns_fd);
  mnl_attr_put (nlh, IFLA_ADDRESS, sizeof p.mac, p.mac);
  mnl_attr_nest_end (nlh, peer);
  mnl_attr_nest_end (nlh, data);
  mnl_attr_nest_end (nlh, linkinfo);
  r = nl_run (&nl, nlh, NULL, NULL);
  if (r < 0)
    return nl_fail (err, &nl, r, "create veth pair `%s` (peer `%s` in the container)", host_name, ep->ifname);

  /* from here on, any failure deletes the pair (deleting one end takes the other) */
  if (link_index (&nl, host_name, &host_index, err) < 0)
    goto fail;
  r = link_set (&nl, host_index, false, bridge_index);
  if (r < 0)
    {
      nl_fail (err, &nl, r, "attach `%s` to bridge `%s`", host_name, bridge);
      goto fail;
    }
  r = link_set (&nl, host_index, true, -1);
  if (r < 0)
    {
      nl_fail (err, &nl, r, "set `%s` up", host_name);
      goto fail;
    }
  if (ep_configure (ep, &p, err) < 0)
    goto fail;
  if (mac_out)
    memcpy (mac_out, p.mac_str, sizeof p.mac_str);
  return 0;

fail:
  link_del_by_name (&nl, host_name);
  return -1;
}

int
dock_nl_macvlan_plug (const char *parent, const struct dock_nl_endpoint *ep, char mac_out[18], lcr_error_t *err)
{
  cleanup_nl struct nl nl = {0};
  char buf[NL_REQ_SIZE];
  struct ep_params p;
  int parent_index = 0, r;

  if (check_ifname (parent, err) < 0 || ep_params (ep, &p, err) < 0)
    return -1;
  if (nl_open (&nl, -1, err) < 0)
    return -1;
  if (link_index (&nl, parent, &parent_index, err) < 0)
    return lcr_error_wrap (err, "create macvlan `%s` on `%s`", ep->ifname, parent);

  /* IFLA_LINK names the parent in our namespace; IFLA_NET_NS_FD makes the link in theirs */
  struct nlmsghdr *nlh = nl_msg (&nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header (nlh, sizeof *ifm);
  ifm->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz (nlh, IFLA_IFNAME, ep->ifname);
  mnl_attr_put_u32 (nlh, IFLA_LINK, (uint32_t)parent_index);
  mnl_attr_put_u32 (nlh, IFLA_NET_NS_FD, (uint32_t)ep->netns_fd);
  mnl_attr_put (nlh, IFLA_ADDRESS, sizeof p.mac, p.mac);
  struct nlattr *linkinfo = mnl_attr_nest_start (nlh, IFLA_LINKINFO);
  mnl_attr_put_strz (nlh, IFLA_INFO_KIND, "macvlan");
  struct nlattr *data = mnl_attr_nest_start (nlh, IFLA_INFO_DATA);
  mnl_attr_put_u32 (nlh, IFLA_MACVLAN_MODE, MACVLAN_MODE_BRIDGE);
  mnl_attr_nest_end (nlh, data);
  mnl_attr_nest_end (nlh, linkinfo);
  r = nl_run (&nl, nlh, NULL, NULL);
  if (r < 0)
    return nl_fail (err, &nl, r, "create macvlan `%s` on `%s`", ep->ifname, parent);

  if (ep_configure (ep, &p, err) < 0)
    {
      lcr_error_t ignored = NULL;
      dock_nl_unplug (ep->netns_fd, ep->ifname, &ignored);
      lcr_error_release (&ignored);
      return -1;
    }
  if (mac_out)
    memcpy (mac_out, p.mac_str, sizeof p.mac_str);
  return 0;
}

/* ---- prefixes in use ---- */

struct prefixes
{
  struct dock_nl_prefix *v;
  size_t n, cap;
};

static void
prefixes_add (struct prefixes *ps, uint32_t addr, int len)
{
  addr &= dock_ipam_mask (len);
  for (size_t i = 0; i < ps->n; i++)
    if (ps->v[i].addr == addr && ps->v[i].len == len)
      return;
  if (ps->n == ps->cap)
    {
      ps->cap = ps->cap ? ps->cap * 2 : 16;
      ps->v = xrealloc (ps->v, ps->cap * sizeof *ps->v);
    }
  ps->v[ps->n].addr = addr;
  ps->v[ps->n].len = len;
  ps->n++;
}

static int
addr_prefix_cb (const struct nlmsghdr *nlh, void *data)
{
  const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload (nlh);
  const struct nlattr *attr;
  if (nlh->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != AF_INET)
    return MNL_CB_OK;
  mnl_attr_for_each (attr, nlh, sizeof *ifa)
  {
    /* IFA_ADDRESS is the peer on point-to-point links, IFA_LOCAL ours: either names the subnet */
    if (mnl_attr_get_type (attr) == IFA_ADDRESS && mnl_attr_validate (attr, MNL_TYPE_U32) == 0)
      prefixes_add (data, ntohl (mnl_attr_get_u32 (attr)), ifa->ifa_prefixlen);
  }
  return MNL_CB_OK;
}

static int
route_prefix_cb (const struct nlmsghdr *nlh, void *data)
{
  const struct rtmsg *rtm = mnl_nlmsg_get_payload (nlh);
  const struct nlattr *attr;
  uint32_t table, dst = 0;
  bool have_dst = false;

  if (nlh->nlmsg_type != RTM_NEWROUTE || rtm->rtm_family != AF_INET)
    return MNL_CB_OK;
  /* the default route overlaps everything and means nothing here; local and broadcast
     routes (the /32s of the local table) are the addresses again */
  if (rtm->rtm_dst_len == 0 || rtm->rtm_type == RTN_LOCAL || rtm->rtm_type == RTN_BROADCAST
      || rtm->rtm_type == RTN_MULTICAST || rtm->rtm_type == RTN_ANYCAST)
    return MNL_CB_OK;
  table = rtm->rtm_table;
  mnl_attr_for_each (attr, nlh, sizeof *rtm)
  {
    switch (mnl_attr_get_type (attr))
      {
      case RTA_TABLE:
        if (mnl_attr_validate (attr, MNL_TYPE_U32) == 0)
          table = mnl_attr_get_u32 (attr);
        break;
      case RTA_DST:
        if (mnl_attr_validate (attr, MNL_TYPE_U32) == 0)
          {
            dst = ntohl (mnl_attr_get_u32 (attr));
            have_dst = true;
          }
        break;
      }
  }
  if (table == RT_TABLE_MAIN && have_dst)
    prefixes_add (data, dst, rtm->rtm_dst_len);
  return MNL_CB_OK;
}

int
dock_nl_ipv4_prefixes (struct dock_nl_prefix **out, size_t *n, lcr_error_t *err)
{
  cleanup_nl struct nl nl = {0};
  struct prefixes ps = {0};
  char buf[NL_REQ_SIZE];
  int r;

  if (nl_open (&nl, -1, err) < 0)
    return -1;

  struct nlmsghdr *nlh = nl_msg (&nl, buf, RTM_GETADDR, NLM_F_DUMP);
  struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header (nlh, sizeof *ifa);
  ifa->ifa_family = AF_INET;
  r = nl_dump (&nl, nlh, addr_prefix_cb, &ps);
  if (r < 0)
    {
      free (ps.v);
      return nl_fail (err, &nl, r, "list IPv4 addresses");
    }

  nlh = nl_msg (&nl, buf, RTM_GETROUTE, NLM_F_DUMP);
  struct rtmsg *rtm = mnl_nlmsg_put_extra_header (nlh, sizeof *rtm);
  rtm->rtm_family = AF_INET;
  r = nl_dump (&nl, nlh, route_prefix_cb, &ps);
  if (r < 0)
    {
      free (ps.v);
      return nl_fail (err, &nl, r, "list IPv4 routes");
    }
  *out = ps.v;
  *n = ps.n;
  return 0;
}
