/* libFuzzer target: the JSON documents of image archives (src/frontend/image/parse.c) and image
 * references (ref.c) from arbitrary bytes.
 *
 * The same bytes go to every parser: docker-archive manifest.json, OCI index, OCI manifest,
 * image config.  A success must hold what the callers then trust without checking (every
 * descriptor digest valid, every diff ID valid, Config a non-empty string); a failure must have
 * a message without raw control characters.  As a reference: a normalised one must normalise
 * to itself, and its familiar form back to it.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/digest.h"
#include "image/image.h"
#include "image/parse.h"
#include "utils.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_err (jv v, lcr_error_t *err)
{
  if (v)
    {
      if (*err)
        abort ();
      return;
    }
  if (*err == NULL || (*err)->msg == NULL)
    abort ();
  for (const unsigned char *c = (const unsigned char *)(*err)->msg; *c; c++)
    if (*c < 0x20 || *c == 0x7f)
      abort ();
  lcr_error_release (err);
}

static void
check_desc (jv d)
{
  if (!dock_digest_valid (jv_get_str (d, "digest")) || jv_get_int (d, "size", -1) < 0)
    abort ();
}

static void
refs (const uint8_t *data, size_t size)
{
  if (size > 512)
    return;
  char *s = xmalloc0 (size + 1);
  memcpy (s, data, size);
  lcr_error_t err = NULL;
  char *n = dock_ref_normalize (s, &err);
  if (n)
    {
      char *again = dock_ref_normalize (n, &err);
      if (again == NULL || strcmp (again, n) != 0)
        abort ();
      char *fam = dock_ref_familiar (n);
      char *back = dock_ref_normalize (fam, &err);
      if (back == NULL || strcmp (back, n) != 0)
        abort ();
      char *name = dock_ref_name (n);
      free (name);
      free (again);
      free (fam);
      free (back);
      free (n);
    }
  else if (err == NULL)
    abort ();
  lcr_error_release (&err);
  free (s);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* jv_parse reads text[len] to see whether the text is NUL-terminated (as every reader in
     dock gives it): give it a terminated copy */
  cleanup_free char *t = xmalloc0 (size + 1);
  memcpy (t, data, size);
  lcr_error_t err = NULL;
  refs (data, size);

  jv m = dock_parse_archive_manifest (t, size, &err);
  check_err (m, &err);
  for (size_t i = 0; i < jv_len (m); i++)
    {
      const char *c = jv_get_str (m->u.array.values[i], "Config");
      if (c == NULL || *c == '\0')
        abort ();
    }
  jv_free (m);

  jv idx = dock_parse_oci_index (t, size, "index.json", &err);
  check_err (idx, &err);
  jv ms = jv_get_arr (idx, "manifests");
  for (size_t i = 0; i < jv_len (ms); i++)
    check_desc (ms->u.array.values[i]);
  jv_free (idx);

  jv man = dock_parse_oci_manifest (t, size, "manifest", &err);
  check_err (man, &err);
  if (man)
    {
      check_desc (jv_get (man, "config"));
      jv ls = jv_get_arr (man, "layers");
      for (size_t i = 0; i < jv_len (ls); i++)
        check_desc (ls->u.array.values[i]);
    }
  jv_free (man);

  jv cfg = dock_parse_image_config (t, size, "config", &err);
  check_err (cfg, &err);
  jv ids = jv_path (cfg, "rootfs", "diff_ids", NULL);
  for (size_t i = 0; i < jv_len (ids); i++)
    if (!dock_digest_valid (jv_as_str (ids->u.array.values[i])))
      abort ();
  jv_free (cfg);
  return 0;
}
