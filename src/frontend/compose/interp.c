/* dock compose — variables: interpolation, `.env` files, and splitting command strings. */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose/compose.h"

struct buf
{
  char *s;
  size_t n, cap;
};

static void
buf_add (struct buf *b, const char *s, size_t n)
{
  if (b->n + n + 1 > b->cap)
    {
      b->cap = (b->n + n + 1) * 2;
      b->s = xrealloc (b->s, b->cap);
    }
  memcpy (b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = '\0';
}

static const char *
lookup (jv env, const char *name)
{
  jv v = jv_get (env, name);
  return v && YAJL_IS_STRING (v) ? v->u.string : NULL;
}

char *
compose_interpolate (const char *s, jv env, const char *where, lcr_error_t *err)
{
  struct buf b = {0};
  buf_add (&b, "", 0);
  for (const char *p = s; *p;)
    {
      if (*p != '$')
        {
          const char *d = strchr (p, '$');
          size_t n = d ? (size_t)(d - p) : strlen (p);
          buf_add (&b, p, n);
          p += n;
          continue;
        }
      if (p[1] == '$')
        {
          buf_add (&b, "$", 1);
          p += 2;
          continue;
        }
      if (p[1] != '{')
        {
          size_t n = 0;
          while (isalnum ((unsigned char)p[1 + n]) || p[1 + n] == '_')
            n++;
          if (n == 0)
            {
              buf_add (&b, "$", 1); /* a lone $ stays */
              p++;
              continue;
            }
          cleanup_free char *name = compose_strndup (p + 1, n);
          const char *v = lookup (env, name);
          if (v)
            buf_add (&b, v, strlen (v));
          p += 1 + n;
          continue;
        }
      /* ${NAME[op word]}: the word may hold nested ${…} */
      const char *q = p + 2;
      size_t n = 0;
      while (isalnum ((unsigned char)q[n]) || q[n] == '_')
        n++;
      int level = 1;
      const char *e = q + n;
      for (; *e && level; e++)
        if (*e == '{')
          level++;
        else if (*e == '}')
          level--;
      if (level || n == 0)
        {
          free (b.s);
          lcr_error_invalid (err, "%s: invalid interpolation format in \"%s\"", where, s);
          return NULL;
        }
      cleanup_free char *name = compose_strndup (q, n);
      const char *op = q + n;         /* ":-", "-", ":?", "?", ":+", "+" or "}" */
      cleanup_free char *word = NULL; /* the text after the operator */
      bool colon = *op == ':';
      char kind = colon ? op[1] : op[0];
      if (kind != '}')
        {
          if (kind != '-' && kind != '?' && kind != '+')
            {
              free (b.s);
              lcr_error_invalid (err, "%s: invalid interpolation format in \"%s\"", where, s);
              return NULL;
            }
          const char *w = op + (colon ? 2 : 1);
          cleanup_free char *raw = compose_strndup (w, (size_t)(e - 1 - w));
          word = compose_interpolate (raw, env, where, err);
          if (word == NULL)
            {
              free (b.s);
              return NULL;
            }
        }
      const char *v = lookup (env, name);
      bool set = v != NULL && (!colon || v[0] != '\0');
      const char *val = v;
      if (kind == '-' && !set)
        val = word;
      else if (kind == '?' && !set)
        {
          free (b.s);
          lcr_error_invalid (err, "%s: required variable %s is missing a value: %s", where, name,
                             word && word[0] ? word : "");
          return NULL;
        }
      else if (kind == '+')
        val = set ? word : "";
      if (val)
        buf_add (&b, val, strlen (val));
      p = e;
    }
  return b.s;
}

int
compose_dotenv_read (const char *path, jv obj, bool must_exist, lcr_error_t *err)
{
  FILE *f = fopen (path, "re");
  if (f == NULL)
    {
      if (!must_exist && errno == ENOENT)
        return 0;
      return lcr_error_sys (err, "open %s", path);
    }
  cleanup_free char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  int lineno = 0;
  while ((len = getline (&line, &cap, f)) >= 0)
    {
      lineno++;
      while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
      char *s = line;
      while (isspace ((unsigned char)*s))
        s++;
      if (*s == '\0' || *s == '#')
        continue;
      if (strncmp (s, "export ", 7) == 0)
        s += 7;
      char *eq = strchr (s, '=');
      if (eq == NULL)
        {
          /* a bare name takes its value from the environment, as docker's --env-file */
          const char *v = getenv (s);
          if (v)
            jv_set (obj, s, jv_str (v));
          continue;
        }
      *eq = '\0';
      char *k = s, *v = eq + 1;
      for (char *t = eq - 1; t >= k && isspace ((unsigned char)*t); t--)
        *t = '\0';
      if (*k == '\0')
        {
          fclose (f);
          return lcr_error_invalid (err, "%s:%d: a variable name is missing", path, lineno);
        }
      size_t vl = strlen (v);
      if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0])
        {
          v[vl - 1] = '\0';
          v++;
        }
      else
        {
          /* an unquoted value ends at " #" */
          char *c = strstr (v, " #");
          if (c)
            *c = '\0';
          for (char *t = v + strlen (v) - 1; t >= v && isspace ((unsigned char)*t); t--)
            *t = '\0';
        }
      jv_set (obj, k, jv_str (v));
    }
  fclose (f);
  return 0;
}

int
compose_shell_split (const char *s, jv arr, lcr_error_t *err)
{
  struct buf w = {0};
  bool in_word = false;
  for (const char *p = s;; p++)
    {
      if (*p == '\0' || isspace ((unsigned char)*p))
        {
          if (in_word)
            jv_push (arr, jv_str (w.s ? w.s : ""));
          free (w.s);
          w = (struct buf){0};
          in_word = false;
          if (*p == '\0')
            return 0;
          continue;
        }
      in_word = true;
      if (*p == '\'' || *p == '"')
        {
          char qc = *p++;
          const char *start = p;
          while (*p && *p != qc)
            {
              if (qc == '"' && *p == '\\' && p[1])
                {
                  buf_add (&w, start, (size_t)(p - start));
                  p++;
                  start = p;
                }
              p++;
            }
          if (*p == '\0')
            {
              free (w.s);
              return lcr_error_invalid (err, "unterminated quote in \"%s\"", s);
            }
          buf_add (&w, start, (size_t)(p - start));
          continue;
        }
      if (*p == '\\' && p[1])
        p++;
      buf_add (&w, p, 1);
    }
}
