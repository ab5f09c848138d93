/* dock — published ports: the host's sockets, bound by dock, held and proxied by the shim.
 *
 * docker's daemon runs a userland proxy per published port; dock has no daemon, but the shim
 * lives exactly as long as the container: dock binds each port here (so a taken port is an
 * error of `dock run` itself, naming the port, with nothing left) and hands the sockets to the
 * shim (`--publish FD:PROTO:IP:PORT`), which accepts and relays to the container's address.
 * Connections reach the container from the host's side of its bridge, so a published port
 * works from the host's loopback and from any address of the host alike.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "container/record.h"
#include "network/network-internal.h"

void
dock_published_close (struct dock_published *p)
{
  for (size_t i = 0; i < p->n; i++)
    {
      if (p->fds[i] >= 0)
        close (p->fds[i]);
      free (p->specs[i]);
    }
  free (p->fds);
  free (p->specs);
  memset (p, 0, sizeof *p);
}

/* bind one socket; *port 0 picks a free one (written back) */
static int
bind_one (const char *ip, int *port, bool udp, int *fd_out, lcr_error_t *err)
{
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons (*port)};
  if (inet_pton (AF_INET, ip, &sa.sin_addr) != 1)
    return lcr_error_invalid (err, "publish on %s: only IPv4 host addresses are supported", ip);
  int fd = socket (AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return lcr_error_sys (err, "socket");
  int one = 1;
  if (!udp)
    setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind (fd, (struct sockaddr *)&sa, sizeof sa) < 0 || (!udp && listen (fd, 128) < 0))
    {
      int e = errno;
      close (fd);
      if (e == EADDRINUSE)
        return lcr_error_make (err, 0, LCR_ERR_EXISTS, "Bind for %s:%d failed: port is already allocated", ip, *port);
      errno = e;
      return lcr_error_sys (err, "bind %s:%d/%s", ip, *port, udp ? "udp" : "tcp");
    }
  socklen_t sl = sizeof sa;
  getsockname (fd, (struct sockaddr *)&sa, &sl);
  *port = ntohs (sa.sin_port);
  *fd_out = fd;
  return 0;
}

/* one binding: a host port, a range of them (the first free), or any free one */
static int
bind_binding (const char *host_ip, const char *host_port, bool udp, int *port, int *fd, lcr_error_t *err)
{
  long lo = 0, hi = 0;
  if (host_port && *host_port)
    {
      char *end;
      lo = strtol (host_port, &end, 10);
      hi = *end == '-' ? strtol (end + 1, NULL, 10) : lo;
    }
  for (long p = lo;; p++)
    {
      *port = (int)p;
      int r = bind_one (host_ip, port, udp, fd, err);
      if (r == 0 || p >= hi || (*err)->code != LCR_ERR_EXISTS)
        return r;
      lcr_error_release (err);
    }
}

static void
add_published (struct dock_published *out, int fd, const char *proto, const char *cip, const char *cport)
{
  out->fds = xrealloc (out->fds, (out->n + 1) * sizeof *out->fds);
  out->specs = xrealloc (out->specs, (out->n + 1) * sizeof *out->specs);
  out->fds[out->n] = fd;
  xasprintf (&out->specs[out->n], "%s:%s:%s", proto, cip, cport);
  out->n++;
}

int
dock_ports_bind (struct dock_ctx *ctx, jv rec, struct dock_published *out, lcr_error_t *err)
{
  (void)ctx;
  memset (out, 0, sizeof *out);
  jv hc = jv_get_obj (rec, "HostConfig");
  jv ns = jv_child_obj (rec, "NetworkSettings");
  jv exposed = jv_get_obj (jv_get_obj (rec, "Config"), "ExposedPorts");
  jv bindings = jv_get_obj (hc, "PortBindings");
  bool all = jv_get_bool (hc, "PublishAllPorts", false);
  jv ports = jv_set (ns, "Ports", jv_obj ());
  const char *mode = jv_get_str (hc, "NetworkMode");
  if (mode && (strcmp (mode, "host") == 0 || strcmp (mode, "none") == 0 || strncmp (mode, "container:", 10) == 0))
    return 0; /* docker ignores published ports there */

  /* the container's address: its first bridge endpoint's */
  const char *cip = NULL;
  jv nets = jv_get_obj (ns, "Networks");
  for (size_t i = 0; i < jv_len (nets) && cip == NULL; i++)
    {
      const char *ip = jv_get_str (nets->u.object.values[i], "IPAddress");
      if (ip && *ip)
        cip = ip;
    }
  for (size_t i = 0; i < jv_len (exposed); i++)
    jv_set (ports, exposed->u.object.keys[i], jv_null ());
  if (cip == NULL)
    return 0;

  for (size_t pass = 0; pass < 2; pass++)
    {
      /* pass 0: the explicit bindings; pass 1 (-P): every exposed port not bound yet */
      jv src = pass == 0 ? bindings : (all ? exposed : NULL);
      for (size_t i = 0; i < jv_len (src); i++)
        {
          const char *key = src->u.object.keys[i];
          if (pass == 1 && jv_get (bindings, key))
            continue;
          cleanup_free char *cport = strndup (key, strcspn (key, "/"));
          const char *slash = strchr (key, '/');
          const char *proto = slash ? slash + 1 : "tcp";
          if (strcmp (proto, "tcp") != 0 && strcmp (proto, "udp") != 0)
            continue; /* sctp: not proxied */
          jv list = jv_set (ports, key, jv_arr ());
          jv want = pass == 0 ? src->u.object.values[i] : NULL;
          size_t nb = pass == 0 ? jv_len (want) : 1;
          for (size_t k = 0; k < nb; k++)
            {
              jv b = want ? want->u.array.values[k] : NULL;
              const char *hip = jv_get_str (b, "HostIp");
              const char *hport = jv_get_str (b, "HostPort");
              if (hip == NULL || *hip == '\0')
                hip = "0.0.0.0";
              int port = 0, fd = -1;
              if (bind_binding (hip, hport, strcmp (proto, "udp") == 0, &port, &fd, err) < 0)
                {
                  dock_published_close (out);
                  jv_set (ns, "Ports", jv_obj ());
                  return -1;
                }
              add_published (out, fd, proto, cip, cport);
              jv e = jv_push (list, jv_obj ());
              char pbuf[16];
              snprintf (pbuf, sizeof pbuf, "%d", port);
              jv_set (e, "HostIp", jv_str (hip));
              jv_set (e, "HostPort", jv_str (pbuf));
            }
        }
    }
  return 0;
}
