/* libFuzzer target: dock build's Dockerfile parser (src/frontend/build/dockerfile.c) and the
 * substitution of each instruction's words (subst.c), from arbitrary bytes.
 *
 * A success must hold what the builder then trusts without checking: at least one
 * instruction, a known upper-case keyword each, lines that only grow, the exec form with its
 * NULL-terminated strings and no rest, the shell form with a rest, heredoc bodies ending in a
 * newline, an ONBUILD with its trigger; a failure must name the file and line and carry no raw
 * control characters.  Each instruction's rest then goes through dock_df_expand,
 * dock_df_words and (ENV, LABEL, ARG) dock_df_pairs with a few variables set: each gives a
 * result xor an error.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "build/dockerfile.h"
#include "utils.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const char *const known[]
    = {"FROM",   "RUN",  "CMD",     "LABEL", "MAINTAINER", "EXPOSE",     "ENV",         "ADD",   "COPY", "ENTRYPOINT",
       "VOLUME", "USER", "WORKDIR", "ARG",   "ONBUILD",    "STOPSIGNAL", "HEALTHCHECK", "SHELL", NULL};

static const char *
lookup (void *data, const char *name)
{
  (void)data;
  if (strcmp (name, "A") == 0)
    return "a b";
  if (strcmp (name, "E") == 0)
    return "";
  if (strcmp (name, "P") == 0)
    return "/usr/lib/x.tar.gz";
  return NULL;
}

static void
check_err (int r, lcr_error_t *err, bool quoted)
{
  if (r == 0)
    {
      if (*err)
        abort ();
      return;
    }
  if (*err == NULL || (*err)->msg == NULL || (*err)->msg[0] == '\0')
    abort ();
  if (quoted)
    for (const unsigned char *c = (const unsigned char *)(*err)->msg; *c; c++)
      if (*c < 0x20 || *c == 0x7f)
        abort ();
  lcr_error_release (err);
}

static void
check_inst (const struct dock_df_inst *in, char esc)
{
  size_t k = 0;
  while (known[k] && strcmp (known[k], in->keyword) != 0)
    k++;
  if (known[k] == NULL || in->original == NULL || (in->nflags && in->flags == NULL))
    abort ();
  for (size_t i = 0; i < in->nflags; i++)
    if (in->flags[i].name == NULL || dock_df_flag (in, in->flags[i].name) == NULL)
      abort ();
  if (in->json)
    {
      if (in->rest != NULL || in->args == NULL || in->args[in->nargs] != NULL)
        abort ();
      for (size_t i = 0; i < in->nargs; i++)
        if (in->args[i] == NULL)
          abort ();
    }
  else if (in->rest == NULL)
    abort ();
  for (size_t i = 0; i < in->nheredocs; i++)
    {
      const char *b = in->heredocs[i].body;
      size_t bl = strlen (b);
      if (in->heredocs[i].name == NULL || (bl > 0 && b[bl - 1] != '\n'))
        abort ();
    }
  if ((strcmp (in->keyword, "ONBUILD") == 0) != (in->onbuild != NULL))
    abort ();
  if (in->onbuild)
    check_inst (in->onbuild, esc);

  if (in->rest == NULL)
    return;
  lcr_error_t err = NULL;
  char *out = NULL;
  int r = dock_df_expand (in->rest, esc, lookup, NULL, &out, &err);
  check_err (r, &err, false);
  free (out);

  char **w = NULL;
  size_t n = 0;
  r = dock_df_words (in->rest, esc, lookup, NULL, &w, &n, &err);
  check_err (r, &err, false);
  if (r == 0)
    {
      if (w[n] != NULL)
        abort ();
      for (size_t i = 0; i < n; i++)
        free (w[i]);
      free (w);
    }

  if (strcmp (in->keyword, "ENV") == 0 || strcmp (in->keyword, "LABEL") == 0 || strcmp (in->keyword, "ARG") == 0)
    {
      char **keys = NULL, **values = NULL;
      r = dock_df_pairs (in, esc, lookup, NULL, &keys, &values, &n, &err);
      check_err (r, &err, false);
      if (r == 0)
        {
          if (keys[n] != NULL)
            abort ();
          for (size_t i = 0; i < n; i++)
            {
              if (keys[i] == NULL || (values[i] == NULL && strcmp (in->keyword, "ARG") != 0))
                abort ();
              free (keys[i]);
              free (values[i]);
            }
          free (keys);
          free (values);
        }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size > 8192)
    return 0;
  struct dock_dockerfile df;
  lcr_error_t err = NULL;
  int r = dock_dockerfile_parse ("Dockerfile", (const char *)data, size, &df, &err);
  if (r < 0)
    {
      if (err == NULL || strncmp (err->msg, "Dockerfile:", 11) != 0)
        abort ();
      check_err (r, &err, true);
      return 0;
    }
  if (err || df.n == 0 || (df.escape != '\\' && df.escape != '`'))
    abort ();
  int last = 0;
  for (size_t i = 0; i < df.n; i++)
    {
      if (df.v[i].line <= last)
        abort ();
      last = df.v[i].line;
      check_inst (&df.v[i], df.escape);
    }
  dock_dockerfile_free (&df);
  return 0;
}
