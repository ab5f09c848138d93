/* libFuzzer target: the registry client's WWW-Authenticate parser (src/frontend/registry/
 * challenge.c) on arbitrary bytes, as a registry or a man in the middle could send them.
 *
 * A success must be what the auth code then trusts without checking: the scheme "basic" or
 * "bearer", a Bearer challenge with a non-empty realm; a failure leaves nothing allocated and has
 * a message.  Parsing is a function of the text (twice, the same result), and the challenge
 * written back as `Scheme realm="…", service="…", scope="…"` (quotes and backslashes escaped)
 * parses to the same values.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/reg-internal.h"
#include "utils.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static bool
same_str (const char *a, const char *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return strcmp (a, b) == 0;
}

static bool
same (const struct dock_challenge *a, const struct dock_challenge *b)
{
  return strcmp (a->scheme, b->scheme) == 0 && same_str (a->realm, b->realm) && same_str (a->service, b->service)
         && same_str (a->scope, b->scope);
}

/* ` key="value"` with '"' and '\\' escaped, appended at *o */
static char *
put (char *o, const char *key, const char *v)
{
  if (v == NULL)
    return o;
  o += sprintf (o, "%s=\"", key);
  for (; *v; v++)
    {
      if (*v == '"' || *v == '\\')
        *o++ = '\\';
      *o++ = *v;
    }
  *o++ = '"';
  *o++ = ',';
  *o = '\0';
  return o;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size > 10000)
    return 0;
  cleanup_free char *t = xmalloc0 (size + 1);
  memcpy (t, data, size);
  struct dock_challenge c, c2;
  lcr_error_t err = NULL;
  int r = dock_challenge_parse (t, &c, &err);
  if (r < 0)
    {
      if (err == NULL || err->msg == NULL || c.scheme[0] || c.realm || c.service || c.scope)
        abort ();
      lcr_error_release (&err);
      return 0;
    }
  if (err)
    abort ();
  bool bearer = strcmp (c.scheme, "bearer") == 0;
  if (!bearer && strcmp (c.scheme, "basic") != 0)
    abort ();
  if (bearer && (c.realm == NULL || *c.realm == '\0'))
    abort ();

  if (dock_challenge_parse (t, &c2, &err) < 0 || !same (&c, &c2))
    abort ();
  dock_challenge_clear (&c2);

  /* written back and parsed again */
  size_t cap = 64 + 2 * (size + 1) * 3;
  cleanup_free char *w = xmalloc0 (cap);
  char *o = w + sprintf (w, "%s ", bearer ? "Bearer" : "Basic");
  o = put (o, "realm", c.realm);
  o = put (o, "service", c.service);
  o = put (o, "scope", c.scope);
  if (strlen (w) <= 8192)
    {
      if (dock_challenge_parse (w, &c2, &err) < 0 || !same (&c, &c2))
        abort ();
      dock_challenge_clear (&c2);
    }
  else
    lcr_error_release (&err);
  dock_challenge_clear (&c);
  return 0;
}
