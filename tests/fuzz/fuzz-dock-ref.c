/* libFuzzer target: image references (src/frontend/image/ref.c) from arbitrary bytes, as they
 * come from the command line, compose files, Dockerfiles' FROM and image archives.
 *
 * A reference either normalises or fails with a message.  A normalised one is what the registry
 * client splits into domain, path, tag and digest without checking again, so: it normalises to
 * itself; its familiar form normalises back to it; it is NAME[:TAG][@DIGEST] with NAME =
 * dock_ref_name, TAG = dock_ref_tag and a valid digest; NAME is DOMAIN/PATH with a DOMAIN that
 * names a registry ('.', ':', "localhost" or a bracketed address) and a lowercase PATH; it is
 * at most 255 characters before the tag; and a docker.io reference's familiar form has no
 * "docker.io/library/".
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/digest.h"
#include "image/image.h"
#include "utils.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_normalized (const char *n)
{
  lcr_error_t err = NULL;
  cleanup_free char *again = dock_ref_normalize (n, &err);
  if (again == NULL || strcmp (again, n) != 0)
    abort ();
  cleanup_free char *fam = dock_ref_familiar (n);
  cleanup_free char *back = dock_ref_normalize (fam, &err);
  if (back == NULL || strcmp (back, n) != 0)
    abort ();
  if (strncmp (n, "docker.io/", 10) == 0 && strncmp (fam, "docker.io/library/", 18) == 0)
    abort ();

  cleanup_free char *name = dock_ref_name (n);
  const char *tag = dock_ref_tag (n);
  const char *at = strchr (n, '@');
  if (tag == NULL && at == NULL)
    abort (); /* ":latest" is added when neither is given */
  if (at && !dock_digest_valid (at + 1))
    abort ();
  size_t tlen = tag ? strcspn (tag, "@") : 0;
  cleanup_free char *rebuilt = NULL;
  xasprintf (&rebuilt, "%s%s%.*s%s%s", name, tag ? ":" : "", (int)tlen, tag ? tag : "", at ? "@" : "",
             at ? at + 1 : "");
  if (strcmp (rebuilt, n) != 0)
    abort ();
  if (strlen (name) > 255)
    abort ();

  const char *slash = strchr (name, '/');
  if (slash == NULL || slash == name || slash[1] == '\0')
    abort ();
  size_t dn = (size_t)(slash - name);
  if (!memchr (name, '.', dn) && !memchr (name, ':', dn) && !(dn == 9 && strncmp (name, "localhost", 9) == 0)
      && name[0] != '[')
    abort ();
  for (const char *p = slash + 1; *p; p++)
    if ((*p >= 'A' && *p <= 'Z') || *p == ':' || *p == '@' || *p == ' ')
      abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size > 5000)
    return 0;
  cleanup_free char *s = xmalloc0 (size + 1);
  memcpy (s, data, size);
  lcr_error_t err = NULL;
  cleanup_free char *n = dock_ref_normalize (s, &err);
  if (n)
    {
      if (err)
        abort ();
      check_normalized (n);
    }
  else
    {
      if (err == NULL || err->msg == NULL)
        abort ();
      for (const unsigned char *c = (const unsigned char *)err->msg; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
          abort ();
      lcr_error_release (&err);
    }
  return 0;
}
