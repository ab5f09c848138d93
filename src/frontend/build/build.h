/* dock build — a Dockerfile and a context into an image, as docker's classic builder does it:
 * each step is an image in the store (config-only steps add a history entry and no layer; RUN
 * runs a container of the previous step's image and commits its changes; COPY/ADD write a
 * layer tar from the context), and ROOT/build-cache/ maps a step's key to the image it made.
 */
#ifndef DOCK_BUILD_H
#define DOCK_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "dock.h"

struct dock_build_opts
{
  const char *context;    /* a directory, or "-": a Dockerfile or a tar context on stdin */
  const char *dockerfile; /* -f: NULL for CONTEXT/Dockerfile; "-": stdin */
  const char *const *tags;
  size_t ntags;
  const char *const *build_args; /* "K=V", or "K" (the value from dock's environment) */
  size_t nbuild_args;
  const char *const *labels; /* "K=V" */
  size_t nlabels;
  const char *target;  /* --target, or NULL */
  const char *network; /* "none" (default), "host", "default" */
  bool no_cache;
  bool quiet;
};

/* Build; progress and the steps' output go to stdout (nothing with quiet).  id_out gets the
   image's "sha256:…". */
int dock_build (struct dock_ctx *ctx, const struct dock_build_opts *o, char id_out[72], lcr_error_t *err);

#endif
