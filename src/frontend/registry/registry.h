/* dock — registries: pull, push, login, logout over the OCI distribution protocol (libcurl).
 *
 * Only dock-archive links this (libcurl and OpenSSL cost every process start; cli/heavy.c):
 * the light dock hands pull, push, login and logout over, and runs `dock-archive pull` as a
 * child when `run`/`create` need an image it does not have (registry/autopull.c).
 */
#ifndef DOCK_REGISTRY_H
#define DOCK_REGISTRY_H

#include <stdbool.h>
#include <stdio.h>

#include "dock.h"

struct dock_pull_opts
{
  bool quiet;           /* -q: only the reference at the end */
  bool all_tags;        /* -a */
  const char *platform; /* "os/arch[/variant]" or NULL: this host's */
};

/* `dock pull REF`: the image (or every tag with all_tags) into the store; progress to `out`. */
int dock_registry_pull (struct dock_ctx *ctx, const char *ref, const struct dock_pull_opts *o, FILE *out,
                        lcr_error_t *err);

/* `dock push REF`: the image's missing blobs, then its manifest; progress to `out`. */
int dock_registry_push (struct dock_ctx *ctx, const char *ref, bool quiet, FILE *out, lcr_error_t *err);

/* `dock login`: check user/password against SERVER (NULL: docker.io) and save them. */
int dock_registry_login (struct dock_ctx *ctx, const char *server, const char *user, const char *pass, FILE *out,
                         lcr_error_t *err);
/* `dock logout` */
int dock_registry_logout (struct dock_ctx *ctx, const char *server, FILE *out, lcr_error_t *err);

/* `run`/`create --pull POLICY` ("missing" (NULL), "always" or "never", checked by the parser):
   pull `ref` as the policy says, before the container is created. */
int dock_pull_for_create (struct dock_ctx *ctx, const char *ref, const char *policy, lcr_error_t *err);
/* Pull `ref` by running `dock-archive pull` (the light dock has no libcurl); its progress goes
   to stderr as docker's run prints it.  0 on success. */
int dock_pull_via_child (struct dock_ctx *ctx, const char *ref, lcr_error_t *err);

#endif
