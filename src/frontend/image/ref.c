/* dock — image references, normalised and shown as docker does.
 *
 *   [DOMAIN/]PATH[:TAG][@DIGEST]
 *   DOMAIN  the first '/'-separated part when it has a '.' or a ':' or is "localhost";
 *           otherwise the reference is on docker.io, where a one-part PATH gets "library/"
 *   PATH    parts of [a-z0-9] joined by '.', '_', "__" or runs of '-'
 *   TAG     [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}, ":latest" when neither tag nor digest is given
 *   DIGEST  sha256:<64 hex>
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "image/digest.h"
#include "image/image.h"
#include "store/store.h"

static bool
is_alnum_lower (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* one path component: [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)* */
static bool
valid_component (const char *s, size_t n)
{
  size_t i = 0;
  for (;;)
    {
      size_t run = 0;
      while (i < n && is_alnum_lower (s[i]))
        i++, run++;
      if (run == 0)
        return false;
      if (i == n)
        return true;
      size_t sep = i;
      if (s[i] == '-')
        while (i < n && s[i] == '-')
          i++;
      else if (s[i] == '_' && i + 1 < n && s[i + 1] == '_')
        i += 2;
      else if (s[i] == '.' || s[i] == '_')
        i++;
      if (i == sep)
        return false;
    }
}

static bool
valid_domain (const char *s, size_t n)
{
  /* host[:port]; host labels of [A-Za-z0-9-], or a bracketed IPv6 address */
  if (n == 0 || n > 255)
    return false;
  size_t hostlen = n;
  const char *colon = NULL;
  if (s[0] == '[')
    {
      const char *close = memchr (s, ']', n);
      if (close == NULL)
        return false;
      for (const char *p = s + 1; p < close; p++)
        if (!isxdigit ((unsigned char)*p) && *p != ':' && *p != '.')
          return false;
      hostlen = (size_t)(close - s) + 1;
      if (hostlen < n)
        {
          if (s[hostlen] != ':')
            return false;
          colon = s + hostlen;
        }
    }
  else
    {
      colon = memchr (s, ':', n);
      if (colon)
        hostlen = (size_t)(colon - s);
      if (hostlen == 0)
        return false;
      for (size_t i = 0; i < hostlen; i++)
        if (!isalnum ((unsigned char)s[i]) && s[i] != '-' && s[i] != '.')
          return false;
      if (s[0] == '-' || s[0] == '.' || s[hostlen - 1] == '-' || s[hostlen - 1] == '.')
        return false;
    }
  if (colon)
    {
      const char *port = colon + 1;
      size_t plen = n - (size_t)(port - s);
      if (plen == 0 || plen > 5)
        return false;
      for (size_t i = 0; i < plen; i++)
        if (!isdigit ((unsigned char)port[i]))
          return false;
    }
  return true;
}

static bool
valid_tag (const char *s)
{
  size_t n = strlen (s);
  if (n == 0 || n > 128)
    return false;
  if (!(isalnum ((unsigned char)s[0]) || s[0] == '_'))
    return false;
  for (size_t i = 1; i < n; i++)
    if (!(isalnum ((unsigned char)s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '-'))
      return false;
  return true;
}

static char *
bad (lcr_error_t *err, const char *why)
{
  lcr_error_invalid (err, "invalid reference format%s%s", why ? ": " : "", why ? why : "");
  return NULL;
}

char *
dock_ref_normalize (const char *ref, lcr_error_t *err)
{
  if (ref == NULL || *ref == '\0' || strlen (ref) > 4096)
    return bad (err, NULL);
  cleanup_free char *s = xstrdup (ref);
  const char *digest = NULL;
  char *at = strchr (s, '@');
  if (at)
    {
      *at = '\0';
      digest = at + 1;
      if (!dock_digest_valid (digest))
        return bad (err, NULL);
    }
  /* the tag is after the last ':' that follows the last '/' (a ':' before it is a port) */
  const char *tag = NULL;
  char *slash = strrchr (s, '/');
  char *colon = strrchr (slash ? slash : s, ':');
  if (colon)
    {
      *colon = '\0';
      tag = colon + 1;
      if (!valid_tag (tag))
        return bad (err, NULL);
    }
  const char *name = s;
  const char *domain = "docker.io";
  cleanup_free char *domain_buf = NULL;
  char *first_slash = strchr (s, '/');
  if (first_slash)
    {
      size_t dn = (size_t)(first_slash - s);
      bool is_domain
          = memchr (s, '.', dn) || memchr (s, ':', dn) || (dn == 9 && strncmp (s, "localhost", 9) == 0) || s[0] == '[';
      if (is_domain)
        {
          if (!valid_domain (s, dn))
            return bad (err, NULL);
          domain_buf = strndup (s, dn);
          domain = domain_buf;
          name = first_slash + 1;
        }
    }
  if (strcmp (domain, "index.docker.io") == 0)
    domain = "docker.io";
  if (*name == '\0')
    return bad (err, NULL);
  for (const char *p = name; *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      return bad (err, "repository name must be lowercase");
  /* every component */
  for (const char *p = name;;)
    {
      const char *e = strchr (p, '/');
      size_t n = e ? (size_t)(e - p) : strlen (p);
      if (!valid_component (p, n))
        return bad (err, NULL);
      if (e == NULL)
        break;
      p = e + 1;
    }
  bool library = strcmp (domain, "docker.io") == 0 && strchr (name, '/') == NULL;
  /* the whole name as normalised, "library/" included, as docker counts it */
  if (strlen (domain) + 1 + (library ? 8 : 0) + strlen (name) > 255)
    return bad (err, "repository name must not be more than 255 characters");
  if (library && tag == NULL && digest == NULL && dock_is_hex_id (name, 64))
    return bad (err, "cannot specify 64-byte hexadecimal strings");
  char *out;
  xasprintf (&out, "%s/%s%s%s%s%s%s", domain, library ? "library/" : "", name, tag || !digest ? ":" : "",
             tag ? tag : (!digest ? "latest" : ""), digest ? "@" : "", digest ? digest : "");
  return out;
}

char *
dock_ref_familiar (const char *normalized)
{
  const char *s = normalized;
  if (strncmp (s, "docker.io/", 10) == 0)
    {
      /* a first path part that looks like a domain keeps "docker.io/": without it the short
         form would name another registry */
      const char *rest0 = s + 10;
      size_t first = strcspn (rest0, "/");
      if (rest0[first] == '/'
          && (memchr (rest0, '.', first) || memchr (rest0, ':', first)
              || (first == 9 && strncmp (rest0, "localhost", 9) == 0)))
        return xstrdup (s);
      s += 10;
      if (strncmp (s, "library/", 8) == 0)
        {
          /* only a one-part name lost its "library/" */
          const char *rest = s + 8;
          size_t n = strcspn (rest, ":@");
          if (memchr (rest, '/', n) == NULL)
            s = rest;
        }
    }
  return xstrdup (s);
}

char *
dock_ref_name (const char *normalized)
{
  /* strip ":tag" (after the last '/') and "@digest" */
  char *s = xstrdup (normalized);
  char *at = strchr (s, '@');
  if (at)
    *at = '\0';
  char *slash = strrchr (s, '/');
  char *colon = strrchr (slash ? slash : s, ':');
  if (colon)
    *colon = '\0';
  return s;
}

const char *
dock_ref_tag (const char *normalized)
{
  /* only the part before "@sha256:…" can hold the tag: the digest has a ':' of its own */
  const char *at = strchr (normalized, '@');
  size_t n = at ? (size_t)(at - normalized) : strlen (normalized);
  const char *colon = memrchr (normalized, ':', n);
  const char *slash = memrchr (normalized, '/', n);
  if (colon == NULL || (slash && colon < slash))
    return NULL;
  return colon + 1;
}
