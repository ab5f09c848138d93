/* dock — docker's image filters (see filter.h). */
#define _GNU_SOURCE
#include "image/filter.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/args.h"
#include "image/imgstore.h"
#include "image/parse.h"
#include "store/store.h"

void
dock_image_filter_free (struct dock_image_filter *f)
{
  dock_strv_free (f->reference);
  dock_strv_free (f->label);
  dock_strv_free (f->not_label);
  memset (f, 0, sizeof *f);
  f->dangling = -1;
}

static void
strv_push (char ***v, const char *s)
{
  size_t n = 0;
  while (*v && (*v)[n])
    n++;
  *v = xrealloc (*v, (n + 2) * sizeof (char *));
  (*v)[n] = xstrdup (s);
  (*v)[n + 1] = NULL;
}

void
dock_image_filter_add_reference (struct dock_image_filter *f, const char *pattern)
{
  strv_push (&f->reference, pattern);
}

long long
dock_rfc3339_ns (const char *s)
{
  long long t = dock_parse_rfc3339 (s);
  if (t < 0)
    return -1;
  /* the fraction dock_parse_rfc3339 drops: images loaded or committed within one second
     must still be ordered for before= and since= */
  long long ns = 0;
  const char *dot = strchr (s, '.');
  if (dot && dot < s + strcspn (s, "Zz+") && (dot - s) > 10)
    {
      long long scale = 100000000;
      for (const char *p = dot + 1; isdigit ((unsigned char)*p) && scale > 0; p++, scale /= 10)
        ns += (*p - '0') * scale;
    }
  return t * 1000000000LL + ns;
}

/* docker's until: a Unix time (with a fraction), a date, an RFC 3339 time, or a Go duration
   back from now; nanoseconds, -1 on garbage */
static long long
parse_until (const char *s)
{
  char *end;
  if (isdigit ((unsigned char)*s))
    {
      double v = strtod (s, &end);
      if (*end == '\0')
        return (long long)(v * 1e9);
    }
  long long t = dock_rfc3339_ns (s);
  if (t >= 0)
    return t;
  struct tm tm = {0};
  end = strptime (s, "%Y-%m-%d", &tm);
  if (end && *end == '\0')
    return (long long)timegm (&tm) * 1000000000LL;
  long long d = dock_parse_duration (s);
  if (d < 0)
    return -1;
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  return now.tv_sec * 1000000000LL + now.tv_nsec - d;
}

/* the creation time of the image a before= / since= names */
static int
image_created (struct dock_ctx *ctx, jv *refs, const char *name, long long *out, lcr_error_t *err)
{
  if (*refs == NULL && (*refs = dock_refs_load (ctx, err)) == NULL)
    return -1;
  cleanup_free char *by_ref = NULL;
  const char *id = dock_refs_find (*refs, name, &by_ref, err);
  if (id == NULL)
    return -1;
  *out = dock_rfc3339_ns (jv_get_str (jv_get_obj (jv_get_obj (*refs, "images"), id), "created"));
  return 0;
}

int
dock_image_filter_parse (struct dock_ctx *ctx, struct dock_image_filter *f, const char *const *raw, size_t n,
                         enum dock_image_filter_use use, lcr_error_t *err)
{
  bool list = use == DOCK_IMAGE_FILTER_LIST;
  cleanup_jv jv refs = NULL;
  bool until_seen = false;
  f->dangling = -1;
  for (size_t i = 0; i < n; i++)
    {
      const char *s = raw[i];
      const char *eq = strchr (s, '=');
      if (eq == NULL)
        return lcr_error_make (err, 0, LCR_ERR_INVALID, "bad format of filter (expected name=value)");
      size_t kl = (size_t)(eq - s);
      const char *v = eq + 1;
#define KEY_IS(k) (kl == strlen (k) && strncmp (s, k, kl) == 0)
      if (KEY_IS ("dangling"))
        {
          if (strcmp (v, "true") == 0 || strcmp (v, "1") == 0)
            f->dangling = 1;
          else if (strcmp (v, "false") == 0 || strcmp (v, "0") == 0)
            f->dangling = 0;
          else
            return lcr_error_make (err, 0, LCR_ERR_INVALID, "invalid filter 'dangling=%s'", v);
        }
      else if (KEY_IS ("label"))
        strv_push (&f->label, v);
      else if (!list && KEY_IS ("label!"))
        strv_push (&f->not_label, v);
      else if (list && KEY_IS ("reference"))
        strv_push (&f->reference, v);
      else if (KEY_IS ("until"))
        {
          if (until_seen)
            return lcr_error_make (err, 0, LCR_ERR_INVALID, "more than one until filter specified");
          until_seen = true;
          f->until = parse_until (v);
          if (f->until <= 0)
            return lcr_error_make (err, 0, LCR_ERR_INVALID, "failed to parse value as time or duration: \"%s\"", v);
        }
      else if (list && (KEY_IS ("before") || KEY_IS ("since")))
        {
          long long t;
          if (image_created (ctx, &refs, v, &t, err) < 0)
            return -1;
          if (t <= 0)
            continue; /* an image without a creation time orders nothing (docker skips it too) */
          if (*s == 'b')
            f->before = f->before == 0 || t < f->before ? t : f->before; /* the oldest: all AND'ed */
          else
            f->since = t > f->since ? t : f->since; /* the newest */
        }
      else
        return lcr_error_make (err, 0, LCR_ERR_INVALID, "invalid filter '%.*s'", (int)kl, s);
#undef KEY_IS
    }
  return 0;
}

/* "K" matches when the label is there, "K=V" when it has that value */
static bool
label_has (jv labels, const char *want)
{
  const char *eq = strchr (want, '=');
  size_t kl = eq ? (size_t)(eq - want) : strlen (want);
  for (size_t i = 0; i < jv_len (labels); i++)
    {
      const char *k = labels->u.object.keys[i];
      if (strlen (k) != kl || strncmp (k, want, kl) != 0)
        continue;
      const char *v = jv_as_str (labels->u.object.values[i]);
      return eq == NULL || (v && strcmp (v, eq + 1) == 0);
    }
  return false;
}

static bool
labels_match (struct dock_ctx *ctx, const struct dock_image_filter *f, const char *id)
{
  cleanup_free char *cfg = NULL;
  size_t len;
  lcr_error_t err = NULL;
  if (dock_blob_read (ctx, id, &cfg, &len, &err) < 0)
    {
      lcr_error_release (&err);
      return false;
    }
  cleanup_jv jv config = dock_parse_image_config (cfg, len, id, &err);
  if (config == NULL)
    {
      lcr_error_release (&err);
      return false;
    }
  jv labels = jv_get_obj (jv_get_obj (config, "config"), "Labels");
  for (size_t i = 0; f->label && f->label[i]; i++)
    if (!label_has (labels, f->label[i]))
      return false;
  if (f->not_label && f->not_label[0])
    {
      size_t i = 0;
      while (f->not_label[i] && label_has (labels, f->not_label[i]))
        i++;
      if (f->not_label[i] == NULL)
        return false;
    }
  return true;
}

bool
dock_image_filter_match (struct dock_ctx *ctx, const struct dock_image_filter *f, const char *id, jv rec)
{
  if (f == NULL)
    return true;
  if (f->before || f->since || f->until)
    {
      long long created = dock_rfc3339_ns (jv_get_str (rec, "created"));
      if (created <= 0)
        return false;
      if ((f->before && created >= f->before) || (f->since && created <= f->since) || (f->until && created > f->until))
        return false;
    }
  if ((f->label && f->label[0]) || (f->not_label && f->not_label[0]))
    return labels_match (ctx, f, id);
  return true;
}
