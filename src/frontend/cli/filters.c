/* dock — --filter KEY=VALUE lists, as docker's commands take them (see filters.h). */
#define _GNU_SOURCE
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "filters.h"

void
dock_filters_free (struct dock_filters *f)
{
  for (size_t i = 0; i < f->n; i++)
    free (f->v[i].key), free (f->v[i].value);
  free (f->v);
}

int
dock_filters_parse (const struct dock_strlist *l, const char *const *keys, struct dock_filters *out, lcr_error_t *err)
{
  for (size_t i = 0; i < l->n; i++)
    {
      const char *s = l->v[i], *eq = strchr (s, '=');
      if (eq == NULL)
        return lcr_error_invalid (err, "bad format of filter (expected name=value)");
      cleanup_free char *k = strndup (s, eq - s);
      for (char *p = k; *p; p++)
        *p = (*p >= 'A' && *p <= 'Z') ? *p - 'A' + 'a' : *p;
      bool known = false;
      for (const char *const *kk = keys; *kk && !known; kk++)
        known = strcmp (*kk, k) == 0;
      if (!known)
        return lcr_error_invalid (err, "invalid filter '%s'", k);
      out->v = xrealloc (out->v, (out->n + 1) * sizeof *out->v);
      out->v[out->n].key = steal_pointer (&k);
      out->v[out->n++].value = xstrdup (eq + 1);
    }
  return 0;
}

bool
dock_label_matches (jv labels, const char *want)
{
  const char *eq = strchr (want, '=');
  cleanup_free char *k = eq ? strndup (want, eq - want) : xstrdup (want);
  jv v = jv_get (labels, k);
  if (v == NULL)
    return false;
  return eq == NULL || (jv_as_str (v) && strcmp (jv_as_str (v), eq + 1) == 0);
}

int
dock_regex_matches (const char *pattern, const char *s, bool *out, lcr_error_t *err)
{
  regex_t re;
  if (regcomp (&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
    return lcr_error_invalid (err, "invalid filter value: bad regular expression `%s`", pattern);
  *out = regexec (&re, s ? s : "", 0, NULL, 0) == 0;
  regfree (&re);
  return 0;
}

int
dock_bool_filter (const char *key, const char *v, bool *out, lcr_error_t *err)
{
  if (strcmp (v, "true") == 0 || strcmp (v, "1") == 0)
    *out = true;
  else if (strcmp (v, "false") == 0 || strcmp (v, "0") == 0)
    *out = false;
  else
    return lcr_error_invalid (err, "invalid filter '%s=%s'", key, v);
  return 0;
}
