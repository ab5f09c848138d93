/* berth-shim — published ports (--publish FD:PROTO:IP:PORT), what docker-proxy does for docker.
 *
 * dock binds (and for tcp listens on) the host's address and port itself, in its own network
 * namespace, and hands the socket over as FD; IP:PORT is the container's address, reachable from
 * the shim's namespace.  The sockets join the loop at SETUP and are closed at FINISH, so the port
 * is free again once the container is gone.  They are made close-on-exec here: neither the
 * runtime nor the container gets the host's socket.
 *
 * TCP: each accepted client gets a nonblocking connect to IP:PORT; bytes are relayed both ways
 * through a buffer per direction.  A side is read only while the buffer towards its peer has
 * room and written (EPOLLOUT) only while the buffer towards it holds data, so a slow reader
 * slows its writer down instead of growing memory.  An EOF on one side becomes shutdown(SHUT_WR)
 * on the other once its buffer is flushed; both closed when both directions are done, or at
 * the first error (a refused connect closes the client).  A side with nothing to wait for is
 * out of the epoll set (no busy loop on a hung-up socket).
 *
 * UDP: a datagram from client C goes out over a socket connected to IP:PORT, one per client
 * (a flow, made on C's first datagram); what comes back on it is sent to C from the published
 * socket.  A flow idle for PROXY_UDP_IDLE seconds is closed (a timerfd ticks while flows exist);
 * at most PROXY_UDP_FLOWS flows, datagrams of further clients are dropped.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>

#include "shim.h"

#define PROXY_BUF 16384
#define PROXY_TCP_CONNS 1024
#define PROXY_UDP_FLOWS 256
#define PROXY_UDP_IDLE 60 /* seconds */
#define PROXY_UDP_TICK 5  /* seconds between looks for idle flows */

struct publish;

struct dir_buf
{
  char data[PROXY_BUF];
  size_t off, len;
};

struct tcp_conn
{
  struct publish *pub;
  struct tcp_conn *next;
  struct watch cl, be;         /* the client, the backend (the container's port) */
  bool cl_added, be_added;     /* in the epoll set */
  bool connecting;             /* the backend's connect is under way */
  bool cl_eof, be_eof;         /* read EOF from that side */
  bool cl_shut, be_shut;       /* shutdown(SHUT_WR) done on that side */
  struct dir_buf to_be, to_cl; /* client → backend, backend → client */
};

struct udp_flow
{
  struct publish *pub;
  struct udp_flow *next;
  struct watch w; /* connected to the backend */
  struct sockaddr_storage client;
  socklen_t client_len;
  long long last; /* CLOCK_MONOTONIC seconds of the last datagram either way */
};

struct publish
{
  struct shim_proxy *px;
  struct watch w; /* the published socket */
  bool tcp;
  struct sockaddr_storage target;
  socklen_t target_len;
};

struct shim_proxy
{
  struct publish *pubs;
  size_t n_pubs;
  struct tcp_conn *conns;
  size_t n_conns;
  struct udp_flow *flows;
  size_t n_flows;
  struct watch tick; /* idle flows; armed while there are flows */
};

static long long
now_s (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec;
}

/* ---------------------------------------------------------------- options */

/* "FD:tcp|udp:IP:PORT" (IPv6 as [ADDR]). */
static int
parse_publish (const char *spec, struct publish *p, lcr_error_t *err)
{
  char buf[128];
  if (strlen (spec) >= sizeof buf)
    return lcr_error_invalid (err, "--publish `%s`: too long", spec);
  strcpy (buf, spec);
  char *proto = strchr (buf, ':');
  char *addr = proto ? strchr (proto + 1, ':') : NULL;
  char *port = addr ? strrchr (addr + 1, ':') : NULL;
  if (port == NULL)
    return lcr_error_invalid (err, "--publish `%s`: not FD:PROTO:IP:PORT", spec);
  *proto++ = *addr++ = *port++ = '\0';

  long long fd, pn;
  if (lcr_parse_long (buf, &fd) < 0 || fd < 3 || fd > INT_MAX)
    return lcr_error_invalid (err, "--publish `%s`: bad fd `%s`", spec, buf);
  if (lcr_parse_long (port, &pn) < 0 || pn <= 0 || pn > 65535)
    return lcr_error_invalid (err, "--publish `%s`: bad port `%s`", spec, port);
  if (strcmp (proto, "tcp") == 0)
    p->tcp = true;
  else if (strcmp (proto, "udp") != 0)
    return lcr_error_invalid (err, "--publish `%s`: protocol `%s` is not tcp or udp", spec, proto);

  size_t al = strlen (addr);
  struct sockaddr_in *in4 = (struct sockaddr_in *)&p->target;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&p->target;
  memset (&p->target, 0, sizeof p->target);
  if (al > 2 && addr[0] == '[' && addr[al - 1] == ']')
    {
      addr[al - 1] = '\0';
      if (inet_pton (AF_INET6, addr + 1, &in6->sin6_addr) != 1)
        return lcr_error_invalid (err, "--publish `%s`: bad address", spec);
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons ((uint16_t)pn);
      p->target_len = sizeof *in6;
    }
  else
    {
      if (inet_pton (AF_INET, addr, &in4->sin_addr) != 1)
        return lcr_error_invalid (err, "--publish `%s`: bad address `%s`", spec, addr);
      in4->sin_family = AF_INET;
      in4->sin_port = htons ((uint16_t)pn);
      p->target_len = sizeof *in4;
    }

  /* The fd must be what the spec says: a datagram socket for udp, a listening stream for tcp. */
  int type = 0, listening = 0;
  socklen_t l = sizeof type;
  if (getsockopt ((int)fd, SOL_SOCKET, SO_TYPE, &type, &l) < 0 && errno != ENOTSOCK)
    return lcr_error_sys (err, "--publish `%s`: fd %lld", spec, fd);
  l = sizeof listening;
  if (p->tcp && type == SOCK_STREAM && getsockopt ((int)fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &l) < 0)
    return lcr_error_sys (err, "--publish `%s`: fd %lld", spec, fd);
  if (type != (p->tcp ? SOCK_STREAM : SOCK_DGRAM) || (p->tcp && !listening))
    return lcr_error_invalid (err, "--publish `%s`: fd %lld is not a %s socket", spec, fd,
                              p->tcp ? "listening stream" : "datagram");
  if (fcntl ((int)fd, F_SETFD, FD_CLOEXEC) < 0 || fcntl ((int)fd, F_SETFL, fcntl ((int)fd, F_GETFL) | O_NONBLOCK) < 0)
    return lcr_error_sys (err, "--publish `%s`: fd %lld", spec, fd);
  p->w.fd = (int)fd;
  return 0;
}

/* ---------------------------------------------------------------- tcp */

/* Put w in the epoll set with events, or take it out for none. */
static void
want (struct shim *s, struct watch *w, bool *added, uint32_t events, watch_fn fn, void *data)
{
  if (events == 0)
    {
      if (*added)
        epoll_ctl (s->epfd, EPOLL_CTL_DEL, w->fd, NULL);
      *added = false;
      return;
    }
  if (*added)
    loop_mod (s, w, events);
  else if (loop_add (s, w, w->fd, events, fn, data) == 0)
    *added = true;
  else
    shim_warn ("proxy: epoll_ctl: %m");
}

static void
conn_close (struct shim *s, struct tcp_conn *c)
{
  struct shim_proxy *px = c->pub->px;
  for (struct tcp_conn **pp = &px->conns; *pp; pp = &(*pp)->next)
    if (*pp == c)
      {
        *pp = c->next;
        break;
      }
  px->n_conns--;
  /* loop_close takes it out of the set (an fd already out: ENOENT, harmless) and closes it */
  loop_close (s, &c->cl);
  loop_close (s, &c->be);
  loop_free_later (s, c);
}

/* Read from fd into b; false on an error (EOF sets *eof). */
static bool
fill (int fd, struct dir_buf *b, bool *eof, bool *progress)
{
  if (*eof || b->len == PROXY_BUF)
    return true;
  if (b->off > 0 && b->len > 0)
    memmove (b->data, b->data + b->off, b->len);
  b->off = 0;
  ssize_t n = recv (fd, b->data + b->len, PROXY_BUF - b->len, MSG_DONTWAIT);
  if (n > 0)
    {
      b->len += (size_t)n;
      *progress = true;
    }
  else if (n == 0)
    {
      *eof = true;
      *progress = true;
    }
  else if (errno != EAGAIN && errno != EINTR)
    return false;
  return true;
}

/* Write b to fd; false on an error. */
static bool
flush (int fd, struct dir_buf *b, bool *progress)
{
  if (b->len == 0)
    return true;
  ssize_t n = send (fd, b->data + b->off, b->len, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (n > 0)
    {
      b->off += (size_t)n;
      b->len -= (size_t)n;
      if (b->len == 0)
        b->off = 0;
      *progress = true;
    }
  else if (n < 0 && errno != EAGAIN && errno != EINTR)
    return false;
  return true;
}

static void on_conn (struct shim *s, struct watch *w, uint32_t events);

/* Move what can be moved, then wait for what is needed next. */
static void
pump (struct shim *s, struct tcp_conn *c)
{
  bool progress = true;
  for (int round = 0; progress && round < 8; round++)
    {
      progress = false;
      if (!fill (c->cl.fd, &c->to_be, &c->cl_eof, &progress))
        goto fail;
      if (!c->connecting)
        {
          if (!fill (c->be.fd, &c->to_cl, &c->be_eof, &progress) || !flush (c->be.fd, &c->to_be, &progress))
            goto fail;
          if (c->cl_eof && c->to_be.len == 0 && !c->be_shut)
            {
              shutdown (c->be.fd, SHUT_WR);
              c->be_shut = true;
            }
        }
      if (!flush (c->cl.fd, &c->to_cl, &progress))
        goto fail;
      if (c->be_eof && c->to_cl.len == 0 && !c->cl_shut)
        {
          shutdown (c->cl.fd, SHUT_WR);
          c->cl_shut = true;
        }
    }
  if (c->cl_shut && c->be_shut)
    {
      conn_close (s, c);
      return;
    }

  uint32_t cl = 0, be = 0;
  if (!c->cl_eof && c->to_be.len < PROXY_BUF)
    cl |= EPOLLIN;
  if (c->to_cl.len > 0)
    cl |= EPOLLOUT;
  if (c->connecting)
    be = EPOLLOUT;
  else
    {
      if (!c->be_eof && c->to_cl.len < PROXY_BUF)
        be |= EPOLLIN;
      if (c->to_be.len > 0)
        be |= EPOLLOUT;
    }
  want (s, &c->cl, &c->cl_added, cl, on_conn, c);
  want (s, &c->be, &c->be_added, be, on_conn, c);
  return;

fail:
  shim_debug ("proxy: connection closed: %m");
  conn_close (s, c);
}

static void
on_conn (struct shim *s, struct watch *w, uint32_t events LCR_UNUSED)
{
  struct tcp_conn *c = w->data;
  if (c->connecting && w == &c->be)
    {
      int e = 0;
      socklen_t l = sizeof e;
      if (getsockopt (c->be.fd, SOL_SOCKET, SO_ERROR, &e, &l) < 0)
        e = errno;
      if (e != 0)
        {
          errno = e;
          shim_debug ("proxy: connect to the container: %m");
          conn_close (s, c);
          return;
        }
      c->connecting = false;
    }
  pump (s, c);
}

static void
on_accept (struct shim *s, struct watch *w, uint32_t events LCR_UNUSED)
{
  struct publish *p = w->data;
  struct shim_proxy *px = p->px;
  for (int i = 0; i < 16; i++)
    {
      int cfd = accept4 (w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (cfd < 0)
        return;
      if (px->n_conns >= PROXY_TCP_CONNS)
        {
          shim_debug ("proxy: %d connections already: refusing one", PROXY_TCP_CONNS);
          close (cfd);
          continue;
        }
      int bfd = socket (p->target.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (bfd < 0 || (connect (bfd, (struct sockaddr *)&p->target, p->target_len) < 0 && errno != EINPROGRESS))
        {
          shim_debug ("proxy: connect to the container: %m");
          if (bfd >= 0)
            close (bfd);
          close (cfd);
          continue;
        }
      struct tcp_conn *c = xmalloc0 (sizeof *c);
      c->pub = p;
      c->cl.fd = cfd;
      c->be.fd = bfd;
      c->connecting = true;
      c->next = px->conns;
      px->conns = c;
      px->n_conns++;
      pump (s, c);
    }
}

/* ---------------------------------------------------------------- udp */

static void
flow_close (struct shim *s, struct udp_flow *f)
{
  struct shim_proxy *px = f->pub->px;
  for (struct udp_flow **pp = &px->flows; *pp; pp = &(*pp)->next)
    if (*pp == f)
      {
        *pp = f->next;
        break;
      }
  px->n_flows--;
  loop_close (s, &f->w);
  loop_free_later (s, f);
  if (px->n_flows == 0 && px->tick.fd >= 0)
    {
      struct itimerspec off = {{0, 0}, {0, 0}};
      timerfd_settime (px->tick.fd, 0, &off, NULL);
    }
}

static void
on_flow (struct shim *s LCR_UNUSED, struct watch *w, uint32_t events LCR_UNUSED)
{
  struct udp_flow *f = w->data;
  char buf[65536];
  for (int i = 0; i < 64; i++)
    {
      ssize_t n = recv (w->fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == ECONNREFUSED)
        continue; /* an earlier datagram found no one listening: keep the flow */
      if (n < 0)
        return;
      f->last = now_s ();
      if (sendto (f->pub->w.fd, buf, (size_t)n, MSG_DONTWAIT, (struct sockaddr *)&f->client, f->client_len) < 0)
        shim_debug ("proxy: udp reply: %m");
    }
}

static void
on_tick (struct shim *s, struct watch *w, uint32_t events LCR_UNUSED)
{
  struct shim_proxy *px = w->data;
  uint64_t ticks;
  if (read (w->fd, &ticks, sizeof ticks) < 0 && errno != EAGAIN)
    shim_debug ("proxy: timer: %m");
  long long now = now_s ();
  for (struct udp_flow *f = px->flows, *next; f; f = next)
    {
      next = f->next;
      if (now - f->last >= PROXY_UDP_IDLE)
        flow_close (s, f);
    }
}

static struct udp_flow *
flow_for (struct shim *s, struct publish *p, const struct sockaddr_storage *from, socklen_t fromlen)
{
  struct shim_proxy *px = p->px;
  for (struct udp_flow *f = px->flows; f; f = f->next)
    if (f->pub == p && f->client_len == fromlen && memcmp (&f->client, from, fromlen) == 0)
      return f;
  if (px->n_flows >= PROXY_UDP_FLOWS)
    {
      shim_debug ("proxy: %d udp flows already: datagram dropped", PROXY_UDP_FLOWS);
      return NULL;
    }
  int fd = socket (p->target.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect (fd, (struct sockaddr *)&p->target, p->target_len) < 0)
    {
      shim_debug ("proxy: udp socket to the container: %m");
      if (fd >= 0)
        close (fd);
      return NULL;
    }
  struct udp_flow *f = xmalloc0 (sizeof *f);
  f->pub = p;
  f->client = *from;
  f->client_len = fromlen;
  if (loop_add (s, &f->w, fd, EPOLLIN, on_flow, f) < 0)
    {
      close (fd);
      free (f);
      return NULL;
    }
  f->next = px->flows;
  px->flows = f;
  if (px->n_flows++ == 0)
    {
      struct itimerspec its = {{PROXY_UDP_TICK, 0}, {PROXY_UDP_TICK, 0}};
      timerfd_settime (px->tick.fd, 0, &its, NULL);
    }
  return f;
}

static void
on_datagram (struct shim *s, struct watch *w, uint32_t events LCR_UNUSED)
{
  struct publish *p = w->data;
  char buf[65536];
  for (int i = 0; i < 64; i++)
    {
      struct sockaddr_storage from;
      socklen_t fromlen = sizeof from;
      ssize_t n = recvfrom (w->fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fromlen);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return;
      struct udp_flow *f = flow_for (s, p, &from, fromlen);
      if (f == NULL)
        continue;
      f->last = now_s ();
      if (send (f->w.fd, buf, (size_t)n, MSG_DONTWAIT) < 0)
        shim_debug ("proxy: udp to the container: %m");
    }
}

/* ---------------------------------------------------------------- setup, shutdown */

int
proxy_setup (struct shim *s, lcr_error_t *err)
{
  struct shim_strv *v = &s->o.publish;
  if (v->n == 0)
    return 0;
  struct shim_proxy *px = xmalloc0 (sizeof *px);
  px->tick.fd = -1;
  px->pubs = xmalloc0 (v->n * sizeof *px->pubs);
  s->proxy = px;
  for (size_t i = 0; i < v->n; i++)
    {
      struct publish *p = &px->pubs[i];
      p->px = px;
      p->w.fd = -1;
      if (parse_publish (v->v[i], p, err) < 0)
        return -1;
      px->n_pubs++;
      int fd = p->w.fd;
      if (loop_add (s, &p->w, fd, EPOLLIN, p->tcp ? on_accept : on_datagram, p) < 0)
        {
          p->w.fd = -1;
          return lcr_error_sys (err, "--publish `%s`: epoll_ctl", v->v[i]);
        }
      if (!p->tcp && px->tick.fd < 0)
        {
          int tfd = timerfd_create (CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
          if (tfd < 0 || loop_add (s, &px->tick, tfd, EPOLLIN, on_tick, px) < 0)
            {
              if (tfd >= 0)
                close (tfd);
              px->tick.fd = -1;
              return lcr_error_sys (err, "--publish: timerfd");
            }
        }
      shim_debug ("proxy: publishing fd %d (%s)", fd, v->v[i]);
    }
  return 0;
}

void
proxy_shutdown (struct shim *s)
{
  struct shim_proxy *px = s->proxy;
  if (px == NULL)
    return;
  while (px->conns)
    conn_close (s, px->conns);
  while (px->flows)
    flow_close (s, px->flows);
  for (size_t i = 0; i < px->n_pubs; i++)
    loop_close (s, &px->pubs[i].w);
  loop_close (s, &px->tick);
  free (px->pubs);
  free (px);
  s->proxy = NULL;
}
