/* dock — docker's image filters, for `images --filter` and `image prune --filter`.
 *
 * As docker combines them: several reference= patterns, any may match; several label=
 * filters, all must match ("KEY" asks for the label, "KEY=VALUE" for that value); before= /
 * since= name images and keep those created strictly before the oldest / after the newest of
 * them; until= keeps images created at or before a time; prune's label!= spares an image that
 * matches all of them.
 */
#ifndef DOCK_IMAGE_FILTER_H
#define DOCK_IMAGE_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "dock.h"

enum dock_image_filter_use
{
  DOCK_IMAGE_FILTER_LIST,  /* images: reference dangling label before since until */
  DOCK_IMAGE_FILTER_PRUNE, /* image prune: dangling label label! until */
};

struct dock_image_filter
{
  char **reference; /* NULL-terminated patterns (malloc'd), or NULL */
  char **label;     /* NULL-terminated "K" / "K=V", or NULL */
  char **not_label;
  int dangling;     /* -1 any, 0 tagged only, 1 untagged only */
  long long before; /* nanoseconds since the epoch; 0: no such filter */
  long long since;
  long long until;
  bool all; /* images -a: intermediate images of builds too (untagged, kept by the build cache) */
};

/* Parse "key=value" filters.  An unknown key: docker's "invalid filter 'KEY'"; before= and
   since= resolve their image now ("No such image: X"). */
int dock_image_filter_parse (struct dock_ctx *ctx, struct dock_image_filter *f, const char *const *raw, size_t n,
                             enum dock_image_filter_use use, lcr_error_t *err);
void dock_image_filter_add_reference (struct dock_image_filter *f, const char *pattern);
void dock_image_filter_free (struct dock_image_filter *f);

/* Whether the image `id` (its refs.json record `rec`) passes the label, before, since and
   until filters (reference and dangling are per tag: the caller checks them).  Reads the
   image's config only when a label filter asks. */
bool dock_image_filter_match (struct dock_ctx *ctx, const struct dock_image_filter *f, const char *id, jv rec);

/* RFC 3339 with its fraction, as nanoseconds since the epoch; -1 on garbage */
long long dock_rfc3339_ns (const char *s);

#endif
