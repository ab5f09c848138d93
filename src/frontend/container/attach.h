/* dock — a terminal or pipes joined to a container's attach socket. */
#ifndef DOCK_ATTACH_H
#define DOCK_ATTACH_H

#include <stdbool.h>

#include "dock.h"

struct dock_attach_opts
{
  bool stdin_;             /* forward our stdin (-i) */
  bool tty;                /* the container has a pty: raw mode here, resize through ctl */
  const char *ctl_path;    /* the shim's ctl fifo ("1 H W" resizes), or NULL */
  const char *detach_keys; /* "ctrl-p,ctrl-q" (default) */
  bool sig_proxy;          /* forward SIGINT/SIGTERM/… to the container (non-tty) */
  const char *container_id;
};

/* Proxy until the shim closes the socket (the container exited): returns 0, or 1 when the user
   detached with the detach keys. */
int dock_attach_proxy (struct dock_ctx *ctx, int sock, const struct dock_attach_opts *o, lcr_error_t *err);

#endif
