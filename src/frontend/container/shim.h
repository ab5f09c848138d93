/* dock — the container monitor (berth-shim, or conmon: the same command line). */
#ifndef DOCK_SHIM_H
#define DOCK_SHIM_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "dock.h"
#include "network/network.h"

struct dock_shim_args
{
  const char *id, *name, *bundle, *log_path;
  bool tty, stdin_;
  jv healthcheck; /* Config.Healthcheck (berth-shim runs it), or NULL */
  /* berth-shim only: the DNS server at 127.0.0.11 in the container's netns, answering from
     the table file, and the published ports' sockets it proxies (network/network.h) */
  const char *dns_netns, *dns_table;
  const struct dock_published *published;
};

/* true when --shim is berth-shim (not conmon): health checks, DNS and ports are its alone */
bool dock_shim_is_berth (struct dock_ctx *ctx);

/* Start the shim for a created bundle and wait for its sync line: *ctr_pid gets the container's
   init.  The shim keeps running (detached, its own session) until the container exits, then
   runs `dock … container cleanup ID`. */
int dock_shim_spawn (struct dock_ctx *ctx, const struct dock_shim_args *a, pid_t *ctr_pid, lcr_error_t *err);

/* Connect to the shim's attach socket (<bundle>/attach): SOCK_SEQPACKET, each packet from the
   shim a stream byte (2 stdout, 3 stderr) + data; what we send goes to the container's stdin,
   shutdown(SHUT_WR) closes it. */
int dock_shim_attach_connect (const char *bundle, lcr_error_t *err);

#endif
