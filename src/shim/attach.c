/* berth-shim — the attach socket and the container's stdin.
 *
 * A SOCK_SEQPACKET listener at <bundle>/attach (bound through /proc/self/fd/N/attach, so a
 * bundle path longer than sun_path still works).  Unless --full-attach, <socket-dir>/<cuuid> is
 * also made a symlink to the bundle, so <socket-dir>/<cuuid>/attach (short) names the same socket.
 *
 * To clients: every chunk of container output as one packet, stream byte first (2 stdout,
 * 3 stderr).  From clients: raw bytes for the container's stdin.  A client's end of input
 * (shutdown(SHUT_WR) or close) closes the container's stdin when it was opened with -i, unless
 * --leave-stdin-open.  Input that the pipe cannot take now is queued in that client, which is not
 * read again until the queue is flushed: a container that does not read stalls only its writers.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include "shim.h"

struct attach_client
{
  struct watch w; /* first: the watch's address is the client's */
  struct attach_client *next;
  bool readable, writable;
  size_t len, off; /* queued input: buf[off..len) */
  char buf[SHIM_STDIN_BUF];
};

static void on_accept (struct shim *s, struct watch *w, uint32_t events);
static void on_client (struct shim *s, struct watch *w, uint32_t events);

int
attach_setup (struct shim *s, lcr_error_t *err)
{
  const char *bundle = s->o.bundle;
  cleanup_close int dir = open (bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0)
    return lcr_error_sys (err, "open bundle `%s`", bundle);

  if (!s->o.full_attach && s->o.socket_dir && s->o.cuuid)
    {
      /* The short name is for callers (CRI-O) that use it; our socket lives in the bundle either
         way, so failing to make the link is not fatal. */
      cleanup_free char *link = NULL;
      xasprintf (&link, "%s/%s", s->o.socket_dir, s->o.cuuid);
      if (unlink (link) < 0 && errno != ENOENT)
        shim_warn ("remove `%s`: %m", link);
      if (symlink (bundle, link) == 0)
        s->attach_link = steal_pointer (&link);
      else
        shim_debug ("symlink `%s` -> `%s`: %m", link, bundle);
    }

  cleanup_close int fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return lcr_error_sys (err, "socket");
  if (unlinkat (dir, "attach", 0) < 0 && errno != ENOENT)
    return lcr_error_sys (err, "remove `%s/attach`", bundle);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  snprintf (addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/attach", dir);
  /* Only the caller's uid (root) may attach: the socket is the container's stdin. */
  fchmod (fd, 0700);
  if (bind (fd, (struct sockaddr *)&addr, sizeof addr) < 0)
    return lcr_error_sys (err, "bind `%s/attach`", bundle);
  fchmodat (dir, "attach", 0700, 0);
  if (listen (fd, 10) < 0)
    return lcr_error_sys (err, "listen on `%s/attach`", bundle);
  if (loop_add (s, &s->attach, fd, EPOLLIN, on_accept, NULL) < 0)
    return lcr_error_sys (err, "epoll_ctl");
  steal_fd (&fd);
  return 0;
}

static void
client_update (struct shim *s, struct attach_client *c)
{
  /* Read only when nothing is queued; HUP and ERR come regardless. */
  loop_mod (s, &c->w, c->readable && c->len == 0 ? EPOLLIN : 0);
}

static void
client_free (struct shim *s, struct attach_client *c)
{
  for (struct attach_client **p = &s->clients; *p; p = &(*p)->next)
    if (*p == c)
      {
        *p = c->next;
        break;
      }
  shim_debug ("attach client %d gone", c->w.fd);
  loop_close (s, &c->w);
  free (c);
}

static void
on_accept (struct shim *s, struct watch *w, uint32_t events LCR_UNUSED)
{
  for (;;)
    {
      int fd = accept4 (w->fd, NULL, NULL, SOCK_CLOEXEC);
      if (fd < 0)
        {
          if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
            shim_warn ("accept on the attach socket: %m");
          if (errno == EINTR || errno == ECONNABORTED)
            continue;
          return;
        }
      /* Output is sent blocking (packets must not be cut), but a client that stops reading
         must not stop the monitor for good: it loses its output after a while instead. */
      struct timeval tv = {.tv_sec = 2};
      setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      struct attach_client *c = malloc (sizeof *c);
      if (c == NULL)
        {
          close (fd);
          return;
        }
      c->readable = c->writable = true;
      c->len = c->off = 0;
      c->next = s->clients;
      if (loop_add (s, &c->w, fd, EPOLLIN, on_client, c) < 0)
        {
          close (fd);
          free (c);
          return;
        }
      s->clients = c;
      shim_debug ("attach client %d connected", fd);
    }
}

static void
close_stdin (struct shim *s)
{
  s->stdin_close_pending = false;
  if (s->stdin_fd < 0)
    return;
  shim_debug ("closing the container's stdin");
  if (s->stdin_w.fd == s->stdin_fd)
    loop_close (s, &s->stdin_w);
  else
    close (s->stdin_fd);
  s->stdin_fd = -1;
}

static bool
any_queued (struct shim *s)
{
  for (struct attach_client *c = s->clients; c; c = c->next)
    if (c->len > 0)
      return true;
  return false;
}

/* Write what c has queued; true when its queue is empty. */
static bool
client_flush (struct shim *s, struct attach_client *c)
{
  while (c->off < c->len)
    {
      if (s->stdin_fd < 0)
        {
          c->off = c->len; /* nowhere to go: dropped */
          break;
        }
      ssize_t n = write (s->stdin_fd, c->buf + c->off, c->len - c->off);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return false;
      if (n < 0)
        {
          /* The container closed its stdin: nothing more will be read. */
          shim_debug ("write to the container's stdin: %m");
          close_stdin (s);
          c->off = c->len;
          break;
        }
      c->off += (size_t)n;
    }
  c->off = c->len = 0;
  return true;
}

static void
stdin_watch (struct shim *s)
{
  bool want = s->stdin_fd >= 0 && any_queued (s);
  if (want && s->stdin_w.fd < 0)
    loop_add (s, &s->stdin_w, s->stdin_fd, EPOLLOUT, stdin_writable, NULL);
  else if (!want && s->stdin_w.fd >= 0)
    {
      /* Stop watching, keep the fd: it is still the container's stdin. */
      epoll_ctl (s->epfd, EPOLL_CTL_DEL, s->stdin_w.fd, NULL);
      s->stdin_w.fd = -1;
    }
  if (!any_queued (s) && s->stdin_close_pending)
    close_stdin (s);
}

void
stdin_writable (struct shim *s, struct watch *w LCR_UNUSED, uint32_t events LCR_UNUSED)
{
  for (struct attach_client *c = s->clients; c; c = c->next)
    if (c->len > 0 && client_flush (s, c))
      client_update (s, c);
  stdin_watch (s);
}

static void
client_input_done (struct shim *s, struct attach_client *c)
{
  if (c->readable)
    shutdown (c->w.fd, SHUT_RD);
  c->readable = false;
  if (s->o.stdin_ && !s->o.leave_stdin_open)
    {
      s->stdin_close_pending = true;
      stdin_watch (s);
    }
}

static void
on_client (struct shim *s, struct watch *w, uint32_t events)
{
  struct attach_client *c = w->data;
  if (events & EPOLLIN)
    {
      ssize_t n = recv (w->fd, c->buf, sizeof c->buf, MSG_DONTWAIT);
      if (n > 0)
        {
          c->len = (size_t)n;
          c->off = 0;
          client_flush (s, c);
          client_update (s, c);
          stdin_watch (s);
          return;
        }
      if (n == 0)
        {
          client_input_done (s, c);
          if (!c->writable)
            client_free (s, c);
          else
            client_update (s, c);
          return;
        }
      if (errno == EAGAIN || errno == EINTR)
        return;
    }
  if (events & (EPOLLHUP | EPOLLERR | EPOLLIN))
    {
      /* Gone (or a read error): its queued input is dropped, its EOF counts. */
      bool had_input = c->readable;
      c->len = c->off = 0;
      if (had_input)
        client_input_done (s, c);
      client_free (s, c);
      stdin_watch (s);
    }
}

void
attach_broadcast (struct shim *s, const char *buf, size_t len)
{
  for (struct attach_client *c = s->clients, *next; c; c = next)
    {
      next = c->next;
      if (!c->writable)
        continue;
      if (send (c->w.fd, buf, len, MSG_NOSIGNAL) < 0)
        {
          shim_debug ("send to attach client %d: %m", c->w.fd);
          shutdown (c->w.fd, SHUT_WR);
          c->writable = false;
          if (!c->readable)
            client_free (s, c);
        }
    }
}

void
attach_shutdown (struct shim *s)
{
  while (s->clients)
    client_free (s, s->clients);
  loop_close (s, &s->attach);
  if (s->attach_link)
    {
      unlink (s->attach_link);
      free (s->attach_link);
      s->attach_link = NULL;
    }
}
