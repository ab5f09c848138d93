/* libFuzzer target: dock build's .dockerignore (src/frontend/build/ignore.c) from arbitrary
 * bytes.
 *
 * The input is a .dockerignore, then (after a NUL byte) the paths to match, one a line; without
 * a NUL, the lines of the file are matched too.  A failure must say which line; a success must
 * match the same way twice, and when no pattern is an exception ("!"), a path that is excluded
 * must exclude everything below it ("foo" excludes foo/bar) and a cleaned path must match as
 * the path itself ("./a//b" as "a/b").
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "build/dockerfile.h"
#include "utils.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size > 4096)
    return 0;
  const char *text = (const char *)data;
  const char *nul = memchr (text, '\0', size);
  size_t plen = nul ? (size_t)(nul - text) : size;
  struct dock_ignore *ig = NULL;
  lcr_error_t err = NULL;
  if (dock_ignore_parse (text, plen, &ig, &err) < 0)
    {
      if (err == NULL || strncmp (err->msg, ".dockerignore:", 14) != 0)
        abort ();
      for (const unsigned char *c = (const unsigned char *)err->msg; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
          abort ();
      lcr_error_release (&err);
      return 0;
    }
  bool exceptions = false;
  for (size_t i = 0; i < plen; i++)
    if (text[i] == '!')
      exceptions = true;

  const char *paths = nul ? nul + 1 : text;
  size_t len = nul ? size - plen - 1 : size;
  cleanup_free char *copy = xmalloc0 (len + 1);
  memcpy (copy, paths, len);
  char *save = NULL;
  for (char *p = strtok_r (copy, "\n", &save); p; p = strtok_r (NULL, "\n", &save))
    {
      bool m = dock_ignore_match (ig, p);
      if (m != dock_ignore_match (ig, p))
        abort ();
      /* ".." climbs out, "/x" is absolute, "./" alone is the context itself */
      if (*p == '\0' || strstr (p, "..") || *p == '/' || strspn (p, "./") == strlen (p))
        continue;
      cleanup_free char *below = NULL, *dotted = NULL;
      if (xasprintf (&below, "%s/x", p) < 0 || xasprintf (&dotted, "./%s/", p) < 0)
        abort ();
      if (!exceptions && m && !dock_ignore_match (ig, below))
        abort ();
      if (dock_ignore_match (ig, dotted) != m)
        abort ();
    }
  dock_ignore_free (ig);
  return 0;
}
