/* dock build — .dockerignore, with the rules of docker's pattern matcher (moby/patternmatcher
 * and its ignorefile reader).
 *
 * One pattern a line; a line starting with `#` is a comment; blanks around a pattern are
 * dropped; `!` makes an exception; the pattern is cleaned as a path (`./a//b/` is `a/b`) and a
 * leading `/` dropped.  A pattern is Go's filepath.Match syntax (`*` and `?` stop at `/`,
 * `[a-z]` `[^…]` classes, `\` escapes) over the whole path, plus `**` for any number of
 * directories.  The last pattern that matches a path, or one of its parent directories,
 * decides: "foo" excludes foo/bar, "!foo/bar" brings it back.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "build/df-internal.h"
#include "build/dockerfile.h"
#include "utils.h"

enum
{
  M_EXACT,  /* the path is the pattern */
  M_PREFIX, /* "a/b**": the path starts with "a/b" */
  M_SUFFIX, /* "**a/b": the path ends with "a/b" (or is "a/b" for "**\/a/b") */
  M_GLOB,   /* anything else: the tokens */
};

enum
{
  T_LIT,   /* one byte */
  T_ANY,   /* ?: one character but / */
  T_STAR,  /* *: any run of characters but / */
  T_DIRS,  /* ** followed by more: nothing, or anything ending in / */
  T_ALL,   /* ** at the end: anything */
  T_CLASS, /* [...]: the class text in `class` */
};

struct tok
{
  int kind;
  char c;
  const char *class; /* points into the pattern, after the '[' */
};

struct pat
{
  char *text; /* cleaned, without the '!' */
  bool exclusion;
  int mode;
  struct tok *t;
  size_t nt;
};

struct dock_ignore
{
  struct pat *v;
  size_t n;
};

/* Go's path.Clean */
static char *
clean_path (const char *p)
{
  bool rooted = p[0] == '/';
  size_t n = strlen (p);
  char *out = xmalloc0 (n + 3);
  size_t o = 0, dotdot = 0; /* out[0..dotdot) is a run of ".." that cannot be removed */
  if (rooted)
    out[o++] = '/', dotdot = 1;
  for (size_t r = rooted; r < n;)
    {
      if (p[r] == '/')
        r++;
      else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/'))
        r++;
      else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/'))
        {
          r += 2;
          if (o > dotdot)
            {
              o--;
              while (o > dotdot && out[o] != '/')
                o--;
            }
          else if (!rooted)
            {
              if (o > 0)
                out[o++] = '/';
              out[o++] = '.';
              out[o++] = '.';
              dotdot = o;
            }
        }
      else
        {
          if ((rooted && o != 1) || (!rooted && o != 0))
            out[o++] = '/';
          for (; r < n && p[r] != '/'; r++)
            out[o++] = p[r];
        }
    }
  if (o == 0)
    out[o++] = '.';
  out[o] = '\0';
  return out;
}

/* Go's filepath.Match: one class element (a character or an escape); NULL when malformed */
static const char *
class_char (const char *c, unsigned *ch)
{
  if (*c == '\0' || *c == '-' || *c == ']')
    return NULL;
  if (*c == '\\')
    {
      c++;
      if (*c == '\0')
        return NULL;
    }
  *ch = (unsigned char)*c;
  if (*ch >= 0x80)
    {
      /* a UTF-8 sequence: compare code points */
      int extra = *ch >= 0xf0 ? 3 : *ch >= 0xe0 ? 2 : *ch >= 0xc0 ? 1 : 0;
      *ch &= extra == 3 ? 0x07 : extra == 2 ? 0x0f : extra == 1 ? 0x1f : 0xff;
      while (extra-- > 0 && (c[1] & 0xc0) == 0x80)
        *ch = (*ch << 6) | (c[1] & 0x3f), c++;
    }
  c++;
  if (*c == '\0')
    return NULL;
  return c;
}

/* Walk a class from after its '['; returns the text after its ']' (NULL when malformed) and
   whether `ch` is in it. */
static const char *
class_walk (const char *c, unsigned ch, bool *in)
{
  bool neg = *c == '^';
  bool match = false;
  int nrange = 0;
  if (neg)
    c++;
  for (;;)
    {
      if (*c == ']' && nrange > 0)
        {
          c++;
          break;
        }
      unsigned lo, hi;
      c = class_char (c, &lo);
      if (c == NULL)
        return NULL;
      hi = lo;
      if (*c == '-')
        {
          c = class_char (c + 1, &hi);
          if (c == NULL)
            return NULL;
        }
      if (lo <= ch && ch <= hi)
        match = true;
      nrange++;
    }
  if (in)
    *in = match != neg;
  return c;
}

static unsigned
decode (const char *s, size_t *len)
{
  unsigned char c = (unsigned char)s[0];
  int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
  unsigned ch = c & (extra == 3 ? 0x07 : extra == 2 ? 0x0f : extra == 1 ? 0x1f : 0xff);
  size_t l = 1;
  for (; extra > 0 && (s[l] & 0xc0) == 0x80; extra--, l++)
    ch = (ch << 6) | (s[l] & 0x3f);
  *len = l;
  return ch;
}

/* Tokens and mode, as docker's matcher compiles the pattern; -1 when Go's filepath.Match
   would call it malformed (a lone trailing `\`, a bad class). */
static int
compile (struct pat *p)
{
  const char *s = p->text;
  size_t n = strlen (s), k = 0;
  p->t = xmalloc0 ((n + 1) * sizeof *p->t);
  p->mode = M_EXACT;
  for (size_t i = 0; i < n; i++)
    {
      char c = s[i];
      if (c == '*' && s[i + 1] == '*')
        {
          bool first = i == 0;
          i++;
          if (s[i + 1] == '/')
            i++;
          if (s[i + 1] == '\0')
            {
              if (p->mode == M_EXACT)
                p->mode = M_PREFIX;
              else
                p->mode = M_GLOB;
              p->t[k++].kind = T_ALL;
            }
          else
            {
              p->mode = M_GLOB;
              p->t[k++].kind = T_DIRS;
            }
          if (first)
            p->mode = M_SUFFIX;
        }
      else if (c == '*')
        p->t[k++].kind = T_STAR, p->mode = M_GLOB;
      else if (c == '?')
        p->t[k++].kind = T_ANY, p->mode = M_GLOB;
      else if (c == '\\')
        {
          if (s[i + 1] == '\0')
            return -1;
          p->t[k].kind = T_LIT;
          p->t[k++].c = s[++i];
          p->mode = M_GLOB;
        }
      else if (c == '[')
        {
          const char *end = class_walk (s + i + 1, 0, NULL);
          if (end == NULL)
            return -1;
          p->t[k].kind = T_CLASS;
          p->t[k++].class = s + i + 1;
          i = (size_t)(end - s) - 1;
          p->mode = M_GLOB;
        }
      else
        {
          /* a lone ']' is a literal for Go's Match, docker's regexp makes it a glob */
          if (c == ']')
            p->mode = M_GLOB;
          p->t[k].kind = T_LIT;
          p->t[k++].c = c;
        }
    }
  p->nt = k;
  return 0;
}

/* memo[ti * (n + 1) + si]: 0 unknown, 1 no, 2 yes */
static bool
glob (const struct tok *t, size_t nt, size_t ti, const char *s, size_t n, size_t si, unsigned char *memo)
{
  unsigned char *m = &memo[ti * (n + 1) + si];
  if (*m)
    return *m == 2;
  bool r = false;
  size_t l;
  if (ti == nt)
    r = si == n;
  else
    switch (t[ti].kind)
      {
      case T_LIT:
        r = si < n && s[si] == t[ti].c && glob (t, nt, ti + 1, s, n, si + 1, memo);
        break;
      case T_ANY:
        if (si < n && s[si] != '/')
          {
            decode (s + si, &l);
            r = si + l <= n && glob (t, nt, ti + 1, s, n, si + l, memo);
          }
        break;
      case T_CLASS:
        if (si < n)
          {
            bool in = false;
            unsigned ch = decode (s + si, &l);
            class_walk (t[ti].class, ch, &in);
            r = in && si + l <= n && glob (t, nt, ti + 1, s, n, si + l, memo);
          }
        break;
      case T_STAR:
        for (size_t q = si; q <= n && !r; q++)
          {
            r = glob (t, nt, ti + 1, s, n, q, memo);
            if (q < n && s[q] == '/')
              break;
          }
        break;
      case T_DIRS:
        r = glob (t, nt, ti + 1, s, n, si, memo);
        for (size_t q = si; q < n && !r; q++)
          if (s[q] == '/')
            r = glob (t, nt, ti + 1, s, n, q + 1, memo);
        break;
      case T_ALL:
        r = glob (t, nt, ti + 1, s, n, n, memo);
        break;
      }
  *m = r ? 2 : 1;
  return r;
}

static bool
pat_match (const struct pat *p, const char *path, size_t n)
{
  size_t pl = strlen (p->text);
  switch (p->mode)
    {
    case M_EXACT:
      return n == pl && memcmp (path, p->text, n) == 0;
    case M_PREFIX:
      return n >= pl - 2 && memcmp (path, p->text, pl - 2) == 0;
    case M_SUFFIX:
      {
        const char *suf = p->text + 2;
        size_t sl = pl - 2;
        if (n >= sl && memcmp (path + n - sl, suf, sl) == 0)
          return true;
        return sl > 0 && suf[0] == '/' && n == sl - 1 && memcmp (path, suf + 1, n) == 0;
      }
    default:
      {
        cleanup_free unsigned char *memo = xmalloc0 ((p->nt + 1) * (n + 1));
        return glob (p->t, p->nt, 0, path, n, 0, memo);
      }
    }
}

static char *
trim (const char *s, size_t n)
{
  while (n > 0 && df_space ((unsigned char)*s))
    s++, n--;
  while (n > 0 && df_space ((unsigned char)s[n - 1]))
    n--;
  return strndup (s, n);
}

void
dock_ignore_free (struct dock_ignore *ig)
{
  if (ig == NULL)
    return;
  for (size_t i = 0; i < ig->n; i++)
    {
      free (ig->v[i].text);
      free (ig->v[i].t);
    }
  free (ig->v);
  free (ig);
}

int
dock_ignore_parse (const char *text, size_t len, struct dock_ignore **out, lcr_error_t *err)
{
  struct dock_ignore *ig = xmalloc0 (sizeof *ig);
  size_t i = 0;
  int lineno = 0;
  if (len >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0)
    i = 3;
  while (i < len)
    {
      const char *nl = memchr (text + i, '\n', len - i);
      size_t l = nl ? (size_t)(nl - (text + i)) : len - i;
      const char *s = text + i;
      i += l + (nl ? 1 : 0);
      lineno++;
      if (memchr (s, '\0', l))
        {
          dock_ignore_free (ig);
          return lcr_error_invalid (err, ".dockerignore:%d: the file holds a NUL byte", lineno);
        }
      if (l > 0 && s[0] == '#')
        continue;
      cleanup_free char *line = trim (s, l);
      if (*line == '\0')
        continue;
      const char *body = line;
      bool excl = *body == '!';
      cleanup_free char *b2 = NULL;
      if (excl)
        body = b2 = trim (body + 1, strlen (body + 1));
      if (*body == '\0')
        {
          dock_ignore_free (ig);
          return lcr_error_invalid (err, ".dockerignore:%d: illegal exclusion pattern: \"!\"", lineno);
        }
      char *c = clean_path (body);
      if (strlen (c) > 1 && c[0] == '/')
        memmove (c, c + 1, strlen (c));
      ig->v = xrealloc (ig->v, (ig->n + 1) * sizeof *ig->v);
      struct pat *p = &ig->v[ig->n++];
      *p = (struct pat){.text = c, .exclusion = excl};
      if (compile (p) < 0)
        {
          cleanup_free char *q = lcr_escape_controls (line);
          dock_ignore_free (ig);
          return lcr_error_invalid (err, ".dockerignore:%d: syntax error in pattern: %s", lineno, q);
        }
    }
  *out = ig;
  return 0;
}

bool
dock_ignore_match (const struct dock_ignore *ig, const char *relpath)
{
  if (ig == NULL || ig->n == 0)
    return false;
  cleanup_free char *path = clean_path (relpath);
  size_t n = strlen (path);
  /* the parent directories: every prefix that ends before a '/' */
  bool matched = false;
  for (size_t i = 0; i < ig->n; i++)
    {
      const struct pat *p = &ig->v[i];
      /* only a pattern that could change the verdict is tried */
      if (p->exclusion != matched)
        continue;
      bool m = pat_match (p, path, n);
      for (size_t k = 0; !m && k < n; k++)
        if (path[k] == '/')
          m = pat_match (p, path, k);
      if (m)
        matched = !p->exclusion;
    }
  return matched;
}
