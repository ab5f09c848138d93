/* Unit tests for dock's rtnetlink module (src/frontend/network/netlink.c) on real kernel
   objects.  The test moves itself into a network namespace of its own ("the host" here) and
   makes a second one ("the container", kept alive by an open fd), so nothing it makes can reach
   the machine's interfaces, and everything goes when the process ends.  Checks read the kernel
   through iproute2 (`ip`, under nsenter for the container), independent of the code under test,
   and one UDP datagram goes from the container through the veth and the bridge to the host
   namespace's address.  Needs root (skipped otherwise). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "network/ipam.h"
#include "network/netlink.h"
#include "tap.h"
#include "utils.h"

static int host_fd = -1, ctr_fd = -1;

/* the output of a shell command (in a static buffer); "" on failure */
static const char *__attribute__ ((format (printf, 1, 2))) sh (const char *fmt, ...)
{
  static char out[8192];
  char cmd[1024];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (cmd, sizeof cmd, fmt, ap);
  va_end (ap);
  out[0] = '\0';
  FILE *p = popen (cmd, "r");
  if (p == NULL)
    return out;
  size_t n = fread (out, 1, sizeof out - 1, p);
  out[n] = '\0';
  pclose (p);
  return out;
}

/* `ip ARGS` in the container's namespace */
#define ctr_ip(fmt, ...) sh ("nsenter --net=/proc/%d/fd/%d ip " fmt " 2>&1", getpid (), ctr_fd, ##__VA_ARGS__)
#define host_ip(fmt, ...) sh ("ip " fmt " 2>&1", ##__VA_ARGS__)

static bool
has (const char *hay, const char *needle)
{
  bool r = strstr (hay, needle) != NULL;
  if (!r)
    printf ("#   `%s` not in: %s\n", needle, hay);
  return r;
}

static int
count (const char *hay, const char *needle)
{
  int n = 0;
  for (const char *p = hay; (p = strstr (p, needle)); p++)
    n++;
  return n;
}

static bool
in_host_ns (void)
{
  struct stat a, b;
  return fstat (host_fd, &a) == 0 && stat ("/proc/thread-self/ns/net", &b) == 0 && a.st_ino == b.st_ino
         && a.st_dev == b.st_dev;
}

/* a socket made in the container's namespace (it stays there after we come back) */
static int
ctr_socket (int type)
{
  if (setns (ctr_fd, CLONE_NEWNET) < 0)
    return -1;
  int fd = socket (AF_INET, type | SOCK_CLOEXEC, 0);
  if (setns (host_fd, CLONE_NEWNET) < 0)
    abort ();
  return fd;
}

static struct sockaddr_in
sin_of (const char *addr, int port)
{
  struct sockaddr_in s = {.sin_family = AF_INET, .sin_port = htons (port)};
  inet_pton (AF_INET, addr, &s.sin_addr);
  return s;
}

static const char *
errmsg (lcr_error_t err)
{
  return err && err->msg ? err->msg : "(no error)";
}

static void
test_bridge (void)
{
  lcr_error_t err = NULL;

  is_int (dock_nl_link_exists ("dockt0", &err), 0, "no dockt0 yet");
  is_int (dock_nl_bridge_ensure ("dockt0", "172.30.0.1/16", &err), 0, "bridge_ensure makes dockt0: %s", errmsg (err));
  is_int (dock_nl_link_exists ("dockt0", &err), 1, "dockt0 exists");
  const char *l = host_ip ("-o -d link show dev dockt0");
  ok (has (l, " bridge ") && has (l, ",UP"), "it is a bridge, and up");
  ok (has (host_ip ("-o -4 addr show dev dockt0"), "inet 172.30.0.1/16 brd 172.30.255.255"),
      "with the gateway address (and its broadcast)");
  is_int (dock_nl_bridge_ensure ("dockt0", "172.30.0.1/16", &err), 0, "bridge_ensure again: no error");
  is_int (count (host_ip ("-o -4 addr show dev dockt0"), "172.30.0.1/16"), 1, "the address is there once");
  sh ("ip link set dockt0 down");
  is_int (dock_nl_bridge_ensure ("dockt0", NULL, &err), 0, "bridge_ensure without an address");
  ok (has (host_ip ("-o link show dev dockt0"), ",UP"), "sets a downed bridge up again");

  sh ("ip link add tdum0 type veth peer name tdum1");
  is_int (dock_nl_bridge_ensure ("tdum0", NULL, &err), -1, "bridge_ensure on a veth's name fails");
  ok (err && strstr (err->msg, "`tdum0`") && strstr (err->msg, "a veth") && err->code == LCR_ERR_EXISTS,
      "saying the name is taken by a veth: %s", errmsg (err));
  ok (has (host_ip ("-o -d link show dev tdum0"), "veth") && !strstr (host_ip ("-o link show dev tdum0"), ",UP"),
      "and leaves the veth alone (not even set up)");
  is_int (dock_nl_bridge_ensure ("dockt9", "172.30.0.1", &err), -1, "an address without a length is refused");
  ok (err && err->code == LCR_ERR_INVALID, "as invalid input: %s", errmsg (err));
  is_int (dock_nl_link_exists ("dockt9", &err), 0, "before anything is made");
  is_int (dock_nl_bridge_ensure ("bad name", NULL, &err), -1, "a name the kernel refuses");
  is_str (errmsg (err), "create bridge `bad name`: Invalid argument", "the error names the operation and the link");
  is_int (dock_nl_bridge_ensure ("waytoolongname16", NULL, &err), -1, "a 16-byte name is refused");
  lcr_error_release (&err);
}

static void
test_veth (void)
{
  lcr_error_t err = NULL;
  char mac[18] = "";
  struct dock_nl_endpoint ep
      = {.netns_fd = ctr_fd, .ifname = "eth0", .addr_cidr = "172.30.0.2/16", .gateway = "172.30.0.1"};

  is_int (dock_nl_veth_plug ("dockt0", "vetht0", &ep, mac, &err), 0, "veth_plug: %s", errmsg (err));
  is_str (mac, "02:42:ac:1e:00:02", "MAC derived from 172.30.0.2");
  ok (in_host_ns (), "the caller is back in its own namespace");

  const char *l = host_ip ("-o link show dev vetht0");
  ok (has (l, "master dockt0") && has (l, ",UP"), "host end enslaved to dockt0 and up");
  is_int (dock_nl_link_exists ("eth0", &err), 0, "no eth0 on the host side");
  l = ctr_ip ("-o link show dev eth0");
  ok (has (l, "link/ether 02:42:ac:1e:00:02") && has (l, ",UP"), "eth0 in the container: the MAC, up");
  ok (has (ctr_ip ("-o -4 addr show dev eth0"), "inet 172.30.0.2/16 brd 172.30.255.255"), "with the address");
  ok (has (ctr_ip ("route show default"), "default via 172.30.0.1 dev eth0"), "and the default route");
  ok (!strstr (ctr_ip ("-o link show dev lo"), ",UP"), "lo untouched (still down)");
  ok (!strstr (ctr_ip ("-o link show"), "vetht0"), "the host end is not in the container");

  /* the address and routes at work, no ICMP: a bound socket, a routed connect, a datagram */
  int u = ctr_socket (SOCK_DGRAM);
  struct sockaddr_in self = sin_of ("172.30.0.2", 0), far = sin_of ("10.1.2.3", 9), got;
  socklen_t len = sizeof got;
  ok (u >= 0 && bind (u, (struct sockaddr *)&self, sizeof self) == 0, "the container can bind 172.30.0.2");
  ok (connect (u, (struct sockaddr *)&far, sizeof far) == 0, "a connect off the subnet is routed");
  ok (getsockname (u, (struct sockaddr *)&got, &len) == 0 && got.sin_addr.s_addr == self.sin_addr.s_addr,
      "from 172.30.0.2");
  int h = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in gw = sin_of ("172.30.0.1", 47123);
  struct timeval tv = {.tv_sec = 5};
  setsockopt (h, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ok (bind (h, (struct sockaddr *)&gw, sizeof gw) == 0, "the host side listens on 172.30.0.1");
  ok (sendto (u, "hello", 5, 0, (struct sockaddr *)&gw, sizeof gw) == 5, "the container sends to its gateway");
  char buf[16] = "";
  struct sockaddr_in from;
  len = sizeof from;
  ssize_t r = recvfrom (h, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
  ok (r == 5 && memcmp (buf, "hello", 5) == 0 && from.sin_addr.s_addr == self.sin_addr.s_addr,
      "the datagram crossed the veth and the bridge, from 172.30.0.2");
  close (u);
  close (h);

  /* failures leave nothing behind */
  is_int (dock_nl_veth_plug ("dockt0", "vetht1", &ep, mac, &err), -1, "eth0 taken in the container: fails");
  ok (err && strstr (err->msg, "vetht1") && strstr (err->msg, "File exists"), "naming the pair: %s", errmsg (err));
  is_int (dock_nl_link_exists ("vetht1", &err), 0, "no vetht1 left");

  struct dock_nl_endpoint ep2
      = {.netns_fd = ctr_fd, .ifname = "eth1", .addr_cidr = "172.30.0.3/16", .gateway = "10.9.9.9"};
  is_int (dock_nl_veth_plug ("dockt0", "vetht2", &ep2, mac, &err), -1, "an unreachable gateway: fails");
  ok (err && strstr (err->msg, "default route via `10.9.9.9`") && strstr (err->msg, "eth1"), "at the route: %s",
      errmsg (err));
  is_int (dock_nl_link_exists ("vetht2", &err), 0, "the pair made before the failure is deleted (host end)");
  ok (strstr (ctr_ip ("-o link show dev eth1"), "does not exist") != NULL, "and container end");

  is_int (dock_nl_veth_plug ("nobr0", "vetht2", &ep2, mac, &err), -1, "a missing bridge: fails");
  ok (err && strstr (err->msg, "`nobr0`"), "naming the bridge: %s", errmsg (err));

  ep2.gateway = NULL;
  ep2.mac = "02:aa:bb:cc:dd:ee";
  is_int (dock_nl_veth_plug ("dockt0", "vetht0", &ep2, mac, &err), -1, "a host name already in use: fails");
  is_int (dock_nl_link_exists ("vetht0", &err), 1, "without deleting the link that had the name");
  ok (strstr (host_ip ("-o link show dev vetht0"), "master dockt0") != NULL, "which still works");

  ep2.mac = "02:aa:bb:cc:dd";
  is_int (dock_nl_veth_plug ("dockt0", "vetht3", &ep2, mac, &err), -1, "a bad MAC is refused");
  ok (err && err->code == LCR_ERR_INVALID, "as invalid input: %s", errmsg (err));
  ep2.mac = "02:AA:bb:cc:dd:ee";
  lcr_error_release (&err);
  is_int (dock_nl_veth_plug ("dockt0", "vetht3", &ep2, mac, &err), 0, "a given MAC, no gateway: %s", errmsg (err));
  is_str (mac, "02:aa:bb:cc:dd:ee", "the MAC used is returned");
  ok (has (ctr_ip ("-o link show dev eth1"), "link/ether 02:aa:bb:cc:dd:ee"), "and set");
  is_int (count (ctr_ip ("route show default"), "default"), 1, "no second default route");
  lcr_error_release (&err);
}

static bool
has_prefix (struct dock_nl_prefix *p, size_t n, const char *cidr)
{
  struct dock_ipv4_net net;
  dock_ipam_parse_cidr (cidr, &net);
  for (size_t i = 0; i < n; i++)
    if (p[i].addr == net.addr && p[i].len == net.len)
      return true;
  return false;
}

static void
test_prefixes (void)
{
  lcr_error_t err = NULL;
  cleanup_free struct dock_nl_prefix *p = NULL;
  size_t n = 0;

  sh ("ip route add 10.99.0.0/24 dev dockt0 && ip route add default via 172.30.0.254");
  is_int (dock_nl_ipv4_prefixes (&p, &n, &err), 0, "ipv4_prefixes: %s", errmsg (err));
  ok (has_prefix (p, n, "172.30.0.0/16"), "the bridge's subnet is in use");
  ok (has_prefix (p, n, "10.99.0.0/24"), "so is a routed prefix");
  ok (!has_prefix (p, n, "0.0.0.0/0"), "the default route is not");
  bool masked = true;
  for (size_t i = 0; i < n; i++)
    masked = masked && (p[i].addr & ~dock_ipam_mask (p[i].len)) == 0 && p[i].len > 0;
  ok (masked, "every prefix is masked and not /0 (%zu prefixes)", n);
  int dup = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      dup += p[i].addr == p[j].addr && p[i].len == p[j].len;
  is_int (dup, 0, "no duplicates (the subnet is both an address's and a route's)");
  lcr_error_release (&err);
}

static void
test_macvlan (void)
{
  lcr_error_t err = NULL;
  char mac[18] = "";
  struct dock_nl_endpoint ep = {.netns_fd = ctr_fd, .ifname = "eth2", .addr_cidr = "10.50.0.5/24"};

  sh ("ip link add tpar0 type veth peer name tpar1 && ip link set tpar0 up && ip link set tpar1 up");
  is_int (dock_nl_macvlan_plug ("tpar0", &ep, mac, &err), 0, "macvlan_plug on a veth end: %s", errmsg (err));
  is_str (mac, "02:42:0a:32:00:05", "MAC derived from 10.50.0.5");
  const char *l = ctr_ip ("-o -d link show dev eth2");
  ok (has (l, "macvlan mode bridge") && has (l, "link/ether 02:42:0a:32:00:05") && has (l, ",UP"),
      "eth2 in the container: macvlan, mode bridge, the MAC, up");
  ok (has (ctr_ip ("-o -4 addr show dev eth2"), "inet 10.50.0.5/24"), "with the address");
  is_int (dock_nl_link_exists ("eth2", &err), 0, "nothing of it on the host side");
  ok (in_host_ns (), "the caller is back in its own namespace");

  struct dock_nl_endpoint bad
      = {.netns_fd = ctr_fd, .ifname = "eth3", .addr_cidr = "10.50.0.6/24", .gateway = "10.77.0.1"};
  is_int (dock_nl_macvlan_plug ("tpar0", &bad, mac, &err), -1, "an unreachable gateway: fails");
  ok (strstr (ctr_ip ("-o link show dev eth3"), "does not exist") != NULL, "and removes the macvlan");
  is_int (dock_nl_macvlan_plug ("nopar0", &bad, mac, &err), -1, "a missing parent: fails");
  ok (err && strstr (err->msg, "`nopar0`"), "naming it: %s", errmsg (err));

  is_int (dock_nl_unplug (ctr_fd, "eth2", &err), 0, "unplug the macvlan");
  ok (strstr (ctr_ip ("-o link show dev eth2"), "does not exist") != NULL, "gone");
  ok (has (host_ip ("-o link show dev tpar0"), "tpar0"), "the parent stays");
  lcr_error_release (&err);
}

static void
test_unplug (void)
{
  lcr_error_t err = NULL;
  is_int (dock_nl_unplug (ctr_fd, "eth0", &err), 0, "unplug eth0: %s", errmsg (err));
  ok (strstr (ctr_ip ("-o link show dev eth0"), "does not exist") != NULL, "eth0 gone from the container");
  is_int (dock_nl_link_exists ("vetht0", &err), 0, "and its host end with it");
  is_int (dock_nl_unplug (ctr_fd, "eth0", &err), 0, "unplugging a missing link is no error");
  is_int (dock_nl_link_del ("dockt0", &err), 0, "link_del the bridge");
  is_int (dock_nl_link_exists ("dockt0", &err), 0, "gone");
  is_int (dock_nl_link_del ("dockt0", &err), 0, "deleting a missing link is no error");
  ok (in_host_ns (), "still in our own namespace at the end");
  lcr_error_release (&err);
}

int
main (void)
{
  char mac[18];
  dock_nl_mac_from_ipv4 (0xac110002, mac);
  is_str (mac, "02:42:ac:11:00:02", "mac_from_ipv4 (172.17.0.2)");
  dock_nl_mac_from_ipv4 (0xffffffffu, mac);
  is_str (mac, "02:42:ff:ff:ff:ff", "mac_from_ipv4 (255.255.255.255)");

  if (geteuid () != 0 || unshare (CLONE_NEWNET) < 0)
    {
      ok (1, "# skip real links need root (and unshare): %s", geteuid () ? "not root" : strerror (errno));
      return done_testing ();
    }
  host_fd = open ("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (host_fd < 0 || unshare (CLONE_NEWNET) < 0)
    return 2;
  ctr_fd = open ("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (ctr_fd < 0 || setns (host_fd, CLONE_NEWNET) < 0)
    return 2;

  test_bridge ();
  test_veth ();
  test_prefixes ();
  test_macvlan ();
  test_unplug ();
  return done_testing ();
}
