/* TEMPORARY stand-in until the template engine lands. */
#define _GNU_SOURCE
#include "cli/format.h"

#include <string.h>

char *
dock_format_render (const char *tmpl, jv data, lcr_error_t *err)
{
  cleanup_free char *out = xstrdup ("");
  const char *p = tmpl;
  while (*p)
    {
      const char *o = strstr (p, "{{");
      if (o == NULL)
        {
          char *n;
          xasprintf (&n, "%s%s", out, p);
          free (out);
          out = n;
          break;
        }
      const char *c = strstr (o, "}}");
      if (c == NULL)
        {
          lcr_error_invalid (err, "template: unclosed action");
          return NULL;
        }
      cleanup_free char *expr = strndup (o + 2, c - o - 2);
      char *e = expr;
      while (*e == ' ')
        e++;
      char *end = e + strlen (e);
      while (end > e && end[-1] == ' ')
        *--end = '\0';
      cleanup_free char *val = NULL;
      if (strcmp (e, "json .") == 0)
        val = jv_dump (data, false);
      else if (e[0] == '.')
        {
          jv v = data;
          cleanup_free char *path = xstrdup (e + 1);
          char *save = NULL;
          for (char *k = strtok_r (path, ".", &save); k && v; k = strtok_r (NULL, ".", &save))
            v = jv_get (v, k);
          if (v == NULL)
            {
              lcr_error_invalid (err, "template: can't evaluate field %s", e + 1);
              return NULL;
            }
          val = v->type == yajl_t_string ? xstrdup (v->u.string) : jv_dump (v, false);
        }
      else
        val = xstrdup ("");
      char *n;
      xasprintf (&n, "%.*s%s%s", (int)(o - p), p, "", "");
      char *n2;
      xasprintf (&n2, "%s%s%s", out, n, val);
      free (n);
      free (out);
      out = n2;
      p = c + 2;
    }
  /* \t and \n escapes as docker's CLI allows in --format */
  char *w = out;
  for (char *r = out; *r; r++)
    {
      if (r[0] == '\\' && r[1] == 't')
        *w++ = '\t', r++;
      else if (r[0] == '\\' && r[1] == 'n')
        *w++ = '\n', r++;
      else
        *w++ = *r;
    }
  *w = '\0';
  return steal_pointer (&out);
}
