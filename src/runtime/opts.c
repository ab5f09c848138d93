/* berth — command-line flag parsing (see opts.h). */
#define _GNU_SOURCE
#include "opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utils.h"

static const struct flag_def *
find_flag (const struct flag_def *defs, const char *name, size_t len)
{
  for (const struct flag_def *d = defs; d->name; d++)
    {
      if (len == 1 && d->short_name == name[0])
        return d;
      if (strlen (d->name) == len && strncmp (d->name, name, len) == 0)
        return d;
    }
  return NULL;
}

static int
set_value (const char *verb, const struct flag_def *d, const char *value, lcr_error_t *err)
{
  switch (d->kind)
    {
    case FLAG_BOOL:
      if (value == NULL || strcmp (value, "true") == 0 || strcmp (value, "1") == 0)
        *(bool *)d->dest = true;
      else if (strcmp (value, "false") == 0 || strcmp (value, "0") == 0)
        *(bool *)d->dest = false;
      else
        return lcr_error_invalid (err, "%s: --%s takes true or false, not `%s`", verb, d->name, value);
      return 0;
    case FLAG_STRING:
      *(const char **)d->dest = value;
      return 0;
    case FLAG_INT:
      {
        long long v;
        if (lcr_parse_long (value, &v) < 0 || v < 0 || v > 1 << 20)
          return lcr_error_invalid (err, "%s: --%s takes a number, not `%s`", verb, d->name, value);
        *(int *)d->dest = (int)v;
        return 0;
      }
    case FLAG_STRING_LIST:
      {
        char ***list = d->dest;
        size_t n = 0;
        while (*list && (*list)[n])
          n++;
        *list = xrealloc (*list, (n + 2) * sizeof (char *));
        (*list)[n] = (char *)value;
        (*list)[n + 1] = NULL;
        return 0;
      }
    default:
      return 0;
    }
}

int
opts_parse (const char *verb, int argc, char **argv, int *index, const struct flag_def *defs, lcr_error_t *err)
{
  int i = *index;
  while (i < argc)
    {
      const char *a = argv[i];
      if (strcmp (a, "--") == 0)
        {
          i++;
          break;
        }
      if (a[0] != '-' || a[1] == '\0')
        break;
      const char *name = a + 1 + (a[1] == '-');
      const char *eq = strchr (name, '=');
      size_t len = eq ? (size_t)(eq - name) : strlen (name);
      const struct flag_def *d = find_flag (defs, name, len);
      if (d == NULL)
        return lcr_error_invalid (err, "%s: unknown flag `%.*s` (see `berth %s --help`)", verb, (int)(len + (name - a)),
                                  a, verb);
      const char *value = eq ? eq + 1 : NULL;
      if (d->kind != FLAG_BOOL && value == NULL)
        {
          if (i + 1 >= argc)
            return lcr_error_invalid (err, "%s: flag `%s` needs a value", verb, a);
          value = argv[++i];
        }
      if (set_value (verb, d, value, err) < 0)
        return -1;
      i++;
    }
  *index = i;
  return 0;
}

void
opts_print_help (const struct flag_def *defs)
{
  /* "   --bundle PATH, -b PATH   help", the column set by the widest */
  char left[128];
  int width = 0;
  for (int pass = 0; pass < 2; pass++)
    for (const struct flag_def *d = defs; d->name; d++)
      {
        if (d->help == NULL)
          continue;
        const char *arg = d->arg ? d->arg : "";
        const char *sp = d->arg ? " " : "";
        if (d->short_name)
          snprintf (left, sizeof left, "--%s%s%s, -%c%s%s", d->name, sp, arg, d->short_name, sp, arg);
        else
          snprintf (left, sizeof left, "--%s%s%s", d->name, sp, arg);
        int len = (int)strlen (left);
        if (pass == 0)
          width = len > width ? len : width;
        else
          printf ("   %-*s  %s\n", width, left, d->help);
      }
}
