/* dock build — helpers shared by the Dockerfile parser (dockerfile.c), the substitution
 * (subst.c) and .dockerignore (ignore.c): a growable string and docker's raw word split. */
#ifndef DOCK_DF_INTERNAL_H
#define DOCK_DF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "build/dockerfile.h"
#include "utils.h"

struct df_buf
{
  char *s;
  size_t len, cap;
};

static inline void
df_buf_addn (struct df_buf *b, const char *s, size_t n)
{
  if (n > SIZE_MAX / 4)
    abort (); /* a length that underflowed: never a real string */
  if (b->len + n + 1 > b->cap)
    {
      size_t cap = b->cap ? b->cap : 32;
      while (cap < b->len + n + 1)
        cap *= 2;
      b->s = xrealloc (b->s, cap);
      b->cap = cap;
    }
  if (n)
    memcpy (b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

static inline void
df_buf_addc (struct df_buf *b, char c)
{
  df_buf_addn (b, &c, 1);
}

static inline void
df_buf_adds (struct df_buf *b, const char *s)
{
  df_buf_addn (b, s, strlen (s));
}

/* the string, never NULL ("" for an empty buffer); the buffer is left empty */
static inline char *
df_buf_take (struct df_buf *b)
{
  char *s = b->s ? b->s : xstrdup ("");
  b->s = NULL;
  b->len = b->cap = 0;
  return s;
}

static inline bool
df_space (int c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Split text into words on unquoted whitespace, keeping quotes and escapes as written (docker
   splits ENV/LABEL/ARG this way before substituting each word).  NULL-terminated, malloc'd. */
char **df_raw_words (const char *text, char escape, size_t *n);
void df_strv_free (char **v);

/* dock_df_expand, and with skip_unset an unset variable is left as written (the heredoc
   delimiter word is lexed this way). */
int df_expand (const char *word, char escape, dock_df_lookup_fn lookup, void *data, bool skip_unset, char **out,
               lcr_error_t *err);

#endif
