/* berth-shim — the embedded DNS server (--dns-netns FILE --dns-table FILE), what docker's daemon
 * serves on 127.0.0.11 in every container on a user-defined network.  dock has no daemon; the
 * monitor lives as long as the container, so it serves.
 *
 * The socket: at SETUP the monitor enters the container's network namespace (the file), makes a
 * UDP socket bound to 127.0.0.11:53 and goes back to its own.  A socket stays in the namespace it
 * was made in, so the loop serves the container from here, and the sockets made later for
 * forwarding are in the shim's namespace (the host's: its resolvers are reachable from there).
 *
 * A query for a name in the table (dns-table.c, reread when its files change) is answered here:
 * A records, or no records for other types (a known name has no AAAA: saying so at once spares the
 * client a timeout), and PTR for a known address.  Anything else goes unchanged to the first
 * upstream over a socket of its own, connected to it; the reply (same id, QR set) goes back to the
 * client.  No reply within DNS_FORWARD_MS: the next upstream; none left: SERVFAIL.  One timerfd
 * for the earliest deadline of the at most DNS_PENDING_MAX forwards in flight.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>

#include "dns.h"
#include "shim.h"

#define DNS_PENDING_MAX 64
#define DNS_FORWARD_MS 2000
#define DNS_RECV_MAX 4096 /* EDNS's usual buffer: larger queries are not a stub's */

struct dns_pending
{
  struct watch w; /* the upstream socket, fd -1 when the slot is free */
  struct sockaddr_storage client;
  socklen_t client_len;
  uint8_t *query;
  size_t query_len;
  uint16_t id;
  size_t upstream; /* index in the table being tried */
  long long deadline;
};

struct shim_dns
{
  struct watch srv, timer;
  struct dns_table table;
  struct dns_pending pending[DNS_PENDING_MAX];
  size_t n_pending;
};

static long long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* The listening socket, made in the namespace of the file ns_path. */
static int
socket_in_netns (const char *ns_path, lcr_error_t *err)
{
  cleanup_close int self = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (self < 0)
    return lcr_error_sys (err, "--dns-netns: open /proc/self/ns/net");
  cleanup_close int ns = open (ns_path, O_RDONLY | O_CLOEXEC);
  if (ns < 0)
    return lcr_error_sys (err, "--dns-netns: open `%s`", ns_path);
  if (setns (ns, CLONE_NEWNET) < 0)
    return lcr_error_sys (err, "--dns-netns: setns into `%s`", ns_path);

  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int saved = errno;
  const char *what = "socket";
  if (fd >= 0)
    {
      int one = 1;
      struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons (53)};
      inet_pton (AF_INET, "127.0.0.11", &a.sin_addr);
      /* lo may be brought up after us: its 127/8 need not be there yet */
      setsockopt (fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof one);
      if (bind (fd, (struct sockaddr *)&a, sizeof a) < 0)
        {
          saved = errno;
          what = "bind 127.0.0.11:53";
          close (fd);
          fd = -1;
        }
    }
  /* Back home before anything else: the monitor must not stay in the container's namespace. */
  if (setns (self, CLONE_NEWNET) < 0)
    {
      if (fd >= 0)
        close (fd);
      return lcr_error_sys (err, "--dns-netns: setns back into our own network namespace");
    }
  if (fd < 0)
    {
      errno = saved;
      return lcr_error_sys (err, "--dns-netns: %s in `%s`", what, ns_path);
    }
  return fd;
}

static void
reply (struct shim_dns *d, const struct sockaddr_storage *to, socklen_t tolen, const uint8_t *buf, size_t len)
{
  if (sendto (d->srv.fd, buf, len, MSG_DONTWAIT, (const struct sockaddr *)to, tolen) < 0)
    shim_debug ("dns: reply: %m");
}

static void
answer_rcode (struct shim_dns *d, const struct sockaddr_storage *to, socklen_t tolen, const uint8_t *pkt,
              const struct dns_query *q, int rcode)
{
  uint8_t out[DNS_UDP_MAX];
  size_t n = dns_build_answer (pkt, q, rcode, false, NULL, 0, NULL, out, sizeof out);
  if (n)
    reply (d, to, tolen, out, n);
}

/* ---------------------------------------------------------------- forwarding */

static void on_upstream (struct shim *s, struct watch *w, uint32_t events);

static void
rearm (struct shim_dns *d)
{
  long long first = 0;
  for (size_t i = 0; i < DNS_PENDING_MAX; i++)
    if (d->pending[i].w.fd >= 0 && (first == 0 || d->pending[i].deadline < first))
      first = d->pending[i].deadline;
  struct itimerspec its = {{0, 0}, {0, 0}};
  if (first)
    {
      its.it_value.tv_sec = first / 1000;
      its.it_value.tv_nsec = (first % 1000) * 1000000;
    }
  if (timerfd_settime (d->timer.fd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
    shim_warn ("dns: timer: %m");
}

static void
pending_free (struct shim *s, struct shim_dns *d, struct dns_pending *p)
{
  loop_close (s, &p->w);
  free (p->query);
  p->query = NULL;
  d->n_pending--;
}

/* Send p's query to upstream p->upstream, or the ones after it; false when none took it. */
static bool
send_upstream (struct shim *s, struct shim_dns *d, struct dns_pending *p)
{
  loop_close (s, &p->w);
  for (; p->upstream < d->table.n_upstream; p->upstream++)
    {
      const struct sockaddr_storage *up = &d->table.upstream[p->upstream];
      int fd = socket (up->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0)
        continue;
      if (connect (fd, (const struct sockaddr *)up, d->table.upstream_len[p->upstream]) < 0
          || send (fd, p->query, p->query_len, 0) < 0 || loop_add (s, &p->w, fd, EPOLLIN, on_upstream, d) < 0)
        {
          shim_debug ("dns: upstream %zu: %m", p->upstream);
          close (fd);
          p->w.fd = -1;
          continue;
        }
      p->deadline = now_ms () + DNS_FORWARD_MS;
      return true;
    }
  return false;
}

/* The current upstream failed or is silent: the next one, or SERVFAIL. */
static void
next_upstream (struct shim *s, struct shim_dns *d, struct dns_pending *p)
{
  p->upstream++;
  if (!send_upstream (s, d, p))
    {
      struct dns_query q;
      if (dns_parse_query (p->query, p->query_len, &q) == 0)
        answer_rcode (d, &p->client, p->client_len, p->query, &q, DNS_RCODE_SERVFAIL);
      pending_free (s, d, p);
    }
}

static void
on_upstream (struct shim *s, struct watch *w, uint32_t events LCR_UNUSED)
{
  struct shim_dns *d = w->data;
  struct dns_pending *p = (struct dns_pending *)((char *)w - offsetof (struct dns_pending, w));
  uint8_t buf[DNS_RECV_MAX];
  for (;;)
    {
      ssize_t n = recv (w->fd, buf, sizeof buf, MSG_TRUNC);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        return;
      if (n < 0)
        {
          /* ECONNREFUSED: nothing listens there (an ICMP error came back) */
          shim_debug ("dns: upstream %zu: %m", p->upstream);
          next_upstream (s, d, p);
          rearm (d);
          return;
        }
      if ((size_t)n > sizeof buf || !dns_is_reply_to (buf, (size_t)n, p->id))
        continue; /* not the answer: keep waiting for it */
      reply (d, &p->client, p->client_len, buf, (size_t)n);
      pending_free (s, d, p);
      rearm (d);
      return;
    }
}

static void
on_timer (struct shim *s, struct watch *w, uint32_t events LCR_UNUSED)
{
  struct shim_dns *d = w->data;
  uint64_t ticks;
  if (read (w->fd, &ticks, sizeof ticks) < 0 && errno != EAGAIN)
    shim_debug ("dns: timer: %m");
  long long now = now_ms ();
  for (size_t i = 0; i < DNS_PENDING_MAX; i++)
    {
      struct dns_pending *p = &d->pending[i];
      if (p->w.fd >= 0 && p->deadline <= now)
        next_upstream (s, d, p);
    }
  rearm (d);
}

static void
forward (struct shim *s, struct shim_dns *d, const struct sockaddr_storage *from, socklen_t fromlen, const uint8_t *pkt,
         size_t len, const struct dns_query *q)
{
  struct dns_pending *p = NULL;
  for (size_t i = 0; i < DNS_PENDING_MAX && p == NULL; i++)
    if (d->pending[i].w.fd < 0 && d->pending[i].query == NULL)
      p = &d->pending[i];
  if (p == NULL || d->table.n_upstream == 0)
    {
      answer_rcode (d, from, fromlen, pkt, q, DNS_RCODE_SERVFAIL);
      return;
    }
  p->client = *from;
  p->client_len = fromlen;
  p->query = xmalloc0 (len);
  memcpy (p->query, pkt, len);
  p->query_len = len;
  p->id = q->id;
  p->upstream = 0;
  d->n_pending++;
  if (!send_upstream (s, d, p))
    {
      answer_rcode (d, from, fromlen, pkt, q, DNS_RCODE_SERVFAIL);
      pending_free (s, d, p);
      return;
    }
  rearm (d);
}

/* ---------------------------------------------------------------- serving */

/* Answer q from the table; false when the table does not know it (forward it). */
static bool
answer_known (struct shim_dns *d, const struct sockaddr_storage *from, socklen_t fromlen, const uint8_t *pkt,
              const struct dns_query *q)
{
  uint8_t out[DNS_UDP_MAX];
  size_t n = 0;
  if (!q->matchable || q->qclass != DNS_CLASS_IN || q->opcode != 0)
    return false;

  struct in_addr ptr;
  if (q->qtype == DNS_TYPE_PTR && dns_ptr_addr (q->name, &ptr))
    {
      const char *name = dns_table_reverse (&d->table, ptr);
      if (name == NULL)
        return false;
      n = dns_build_answer (pkt, q, DNS_RCODE_NOERROR, true, NULL, 0, name, out, sizeof out);
    }
  else
    {
      struct in_addr addrs[DNS_ANSWERS_MAX + 1];
      size_t found = dns_table_lookup (&d->table, q->name, addrs, DNS_ANSWERS_MAX + 1);
      if (found == 0)
        return false;
      if (found > DNS_ANSWERS_MAX + 1)
        found = DNS_ANSWERS_MAX + 1; /* one more than fits: TC */
      bool a = q->qtype == DNS_TYPE_A || q->qtype == DNS_TYPE_ANY;
      n = dns_build_answer (pkt, q, DNS_RCODE_NOERROR, true, addrs, a ? found : 0, NULL, out, sizeof out);
    }
  if (n)
    reply (d, from, fromlen, out, n);
  return true;
}

static void
on_query (struct shim *s, struct watch *w, uint32_t events LCR_UNUSED)
{
  struct shim_dns *d = w->data;
  uint8_t buf[DNS_RECV_MAX];
  /* A bounded batch: a flood must not keep the loop from the container's output. */
  for (int i = 0; i < 64; i++)
    {
      struct sockaddr_storage from;
      socklen_t fromlen = sizeof from;
      ssize_t n = recvfrom (w->fd, buf, sizeof buf, MSG_TRUNC, (struct sockaddr *)&from, &fromlen);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return;
      struct dns_query q;
      if ((size_t)n > sizeof buf || dns_parse_query (buf, (size_t)n, &q) < 0)
        continue; /* malformed: dropped */
      if (q.opcode != 0)
        {
          answer_rcode (d, &from, fromlen, buf, &q, DNS_RCODE_NOTIMP);
          continue;
        }
      if (dns_table_refresh (&d->table) && d->table.bad_lines)
        shim_debug ("dns: %zu lines of the table skipped", d->table.bad_lines);
      if (!answer_known (d, &from, fromlen, buf, &q))
        forward (s, d, &from, fromlen, buf, (size_t)n, &q);
    }
}

int
dns_setup (struct shim *s, lcr_error_t *err)
{
  struct shim_opts *o = &s->o;
  if (o->dns_netns == NULL && o->dns_table == NULL)
    return 0;
  if (o->dns_netns == NULL || o->dns_table == NULL)
    return lcr_error_invalid (err, "--dns-netns and --dns-table go together");

  int fd = socket_in_netns (o->dns_netns, err);
  if (fd < 0)
    return -1;
  struct shim_dns *d = xmalloc0 (sizeof *d);
  d->srv.fd = d->timer.fd = -1;
  for (size_t i = 0; i < DNS_PENDING_MAX; i++)
    d->pending[i].w.fd = -1;
  dns_table_init (&d->table, o->dns_table);
  s->dns = d;
  if (loop_add (s, &d->srv, fd, EPOLLIN, on_query, d) < 0)
    {
      close (fd);
      return lcr_error_sys (err, "epoll_ctl");
    }
  int tfd = timerfd_create (CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  if (tfd < 0 || loop_add (s, &d->timer, tfd, EPOLLIN, on_timer, d) < 0)
    {
      if (tfd >= 0)
        close (tfd);
      return lcr_error_sys (err, "--dns-netns: timerfd");
    }
  dns_table_refresh (&d->table);
  shim_debug ("dns: serving 127.0.0.11:53 in `%s` from `%s`", o->dns_netns, o->dns_table);
  return 0;
}

void
dns_shutdown (struct shim *s)
{
  struct shim_dns *d = s->dns;
  if (d == NULL)
    return;
  for (size_t i = 0; i < DNS_PENDING_MAX; i++)
    if (d->pending[i].query)
      pending_free (s, d, &d->pending[i]);
  loop_close (s, &d->srv);
  loop_close (s, &d->timer);
  dns_table_free (&d->table);
  free (d);
  s->dns = NULL;
}
