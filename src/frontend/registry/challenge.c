/* dock — WWW-Authenticate challenges (RFC 7235): `Scheme k=v, k="quoted \" v", …`, possibly
 * several challenges in one value.  The text comes from the network: bounded, no assumptions. */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "registry/reg-internal.h"

void
dock_challenge_clear (struct dock_challenge *c)
{
  free (c->realm);
  free (c->service);
  free (c->scope);
  memset (c, 0, sizeof *c);
}

static const char *
skip_ws (const char *p)
{
  while (*p == ' ' || *p == '\t' || *p == ',')
    p++;
  return p;
}

/* a token or a quoted string; *out malloc'd */
static const char *
read_value (const char *p, char **out)
{
  size_t cap = strlen (p) + 1, n = 0;
  char *v = xmalloc0 (cap);
  if (*p == '"')
    {
      p++;
      while (*p && *p != '"')
        {
          if (*p == '\\' && p[1])
            p++;
          v[n++] = *p++;
        }
      if (*p == '"')
        p++;
    }
  else
    while (*p && *p != ',' && *p != ' ' && *p != '\t')
      v[n++] = *p++;
  v[n] = '\0';
  *out = v;
  return p;
}

int
dock_challenge_parse (const char *text, struct dock_challenge *c, lcr_error_t *err)
{
  memset (c, 0, sizeof *c);
  if (text == NULL || strlen (text) > 8192)
    return lcr_error_invalid (err, "no usable WWW-Authenticate challenge");
  const char *p = skip_ws (text);
  bool want = false;
  while (*p)
    {
      /* a scheme: a token followed by a space (a parameter is a token followed by '=') */
      size_t tl = strcspn (p, " \t,=");
      if (p[tl] != '=')
        {
          if (c->scheme[0] && want)
            break; /* the next challenge: the one we have is enough */
          dock_challenge_clear (c);
          snprintf (c->scheme, sizeof c->scheme, "%.*s", (int)(tl < 15 ? tl : 15), p);
          for (char *s = c->scheme; *s; s++)
            *s = (char)tolower ((unsigned char)*s);
          want = strcmp (c->scheme, "basic") == 0 || strcmp (c->scheme, "bearer") == 0;
          p = skip_ws (p + tl);
          continue;
        }
      char key[32];
      snprintf (key, sizeof key, "%.*s", (int)(tl < 31 ? tl : 31), p);
      char *val;
      p = read_value (p + tl + 1, &val);
      char **slot = strcasecmp (key, "realm") == 0     ? &c->realm
                    : strcasecmp (key, "service") == 0 ? &c->service
                    : strcasecmp (key, "scope") == 0   ? &c->scope
                                                       : NULL;
      if (slot && c->scheme[0])
        {
          free (*slot);
          *slot = val;
        }
      else
        free (val);
      p = skip_ws (p);
    }
  if (!want)
    {
      dock_challenge_clear (c);
      return lcr_error_invalid (err, "no usable WWW-Authenticate challenge");
    }
  if (strcmp (c->scheme, "bearer") == 0 && (c->realm == NULL || *c->realm == '\0'))
    {
      dock_challenge_clear (c);
      return lcr_error_invalid (err, "a Bearer challenge without a realm");
    }
  return 0;
}
