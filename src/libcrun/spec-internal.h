/* berth — what spec.c (parsing) and spec-validate.c (semantic checks) share.
 *
 * Both report errors against a JSON path (".linux.namespaces[2].type"), so
 * the path builder lives here.  A path is a fixed buffer on the caller's
 * stack: push a segment before descending, pop it on the way back; on error
 * the current contents are the location.  Nothing here is public API.
 */
#ifndef LCR_SPEC_INTERNAL_H
#define LCR_SPEC_INTERNAL_H

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "spec.h"

/* Long enough for any real config; a longer path is truncated, never
   overflowed. */
#define LCR_JPATH_MAX 512

struct lcr_jpath
{
  char buf[LCR_JPATH_MAX];
  size_t len;
};

/* Append n bytes of s, truncating at the buffer's end.  No printf: a config's parse pushes a
   segment for every field it reads, and snprintf there was a seventh of `berth run`'s
   instructions. */
static inline void
lcr_jpath_put (struct lcr_jpath *p, const char *s, size_t n)
{
  size_t room = sizeof p->buf - 1 - p->len;
  if (n > room)
    n = room;
  memcpy (p->buf + p->len, s, n);
  p->len += n;
  p->buf[p->len] = '\0';
}

/* Plain identifiers print as ".key"; anything else (annotation names with
   dots or slashes) as ["key"], so the path stays unambiguous. */
static inline size_t
lcr_jpath_push_key (struct lcr_jpath *p, const char *key)
{
  size_t old = p->len;
  bool plain = *key != '\0';
  for (const char *c = key; *c; c++)
    if (!isalnum ((unsigned char)*c) && *c != '_')
      plain = false;
  if (plain)
    {
      lcr_jpath_put (p, ".", 1);
      lcr_jpath_put (p, key, strlen (key));
    }
  else
    {
      lcr_jpath_put (p, "[\"", 2);
      lcr_jpath_put (p, key, strlen (key));
      lcr_jpath_put (p, "\"]", 2);
    }
  return old;
}

static inline size_t
lcr_jpath_push_index (struct lcr_jpath *p, size_t i)
{
  size_t old = p->len;
  char digits[24];
  size_t n = sizeof digits;
  do
    digits[--n] = (char)('0' + i % 10);
  while ((i /= 10) > 0);
  lcr_jpath_put (p, "[", 1);
  lcr_jpath_put (p, digits + n, sizeof digits - n);
  lcr_jpath_put (p, "]", 1);
  return old;
}

static inline void
lcr_jpath_pop (struct lcr_jpath *p, size_t old)
{
  p->len = old;
  p->buf[old] = '\0';
}

/* "." is the document itself, as in jq. */
static inline const char *
lcr_jpath_str (const struct lcr_jpath *p)
{
  return p->len ? p->buf : ".";
}

/* Fill *err with "PATH: message" (LCR_ERR_INVALID); returns -1. */
int lcr_spec_error_at (lcr_error_t *err, const struct lcr_jpath *p, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* Semantic checks, run after a successful parse.  `p` holds the path of the
   object being checked ("" for a document that is the object itself, as in
   process.json or `update -r`). */
int lcr_spec_validate (const struct lcr_spec *spec, lcr_error_t *err);
int lcr_spec_validate_process (const struct lcr_spec_process *proc, struct lcr_jpath *p, lcr_error_t *err);
int lcr_spec_validate_resources (const struct lcr_spec_resources *res, struct lcr_jpath *p, lcr_error_t *err);

#endif
