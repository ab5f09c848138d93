/* dock — docker's flag syntax (see args.h). */
#define _GNU_SOURCE
#include "args.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utils.h"

void
dock_strlist_add (struct dock_strlist *l, const char *s)
{
  l->v = xrealloc (l->v, (l->n + 2) * sizeof (char *));
  l->v[l->n++] = s;
  l->v[l->n] = NULL;
}

void
dock_strlist_free (struct dock_strlist *l)
{
  free (l->v);
  l->v = NULL;
  l->n = 0;
}

static int
set_value (const struct dock_opt *o, const char *shown, const char *value, lcr_error_t *err)
{
  switch (o->kind)
    {
    case DOCK_OPT_BOOL:
      if (value == NULL || strcmp (value, "true") == 0 || strcmp (value, "1") == 0)
        *(bool *)o->dest = true;
      else if (strcmp (value, "false") == 0 || strcmp (value, "0") == 0)
        *(bool *)o->dest = false;
      else
        return lcr_error_invalid (err, "invalid argument \"%s\" for \"%s\" flag: expected true or false", value, shown);
      return 0;
    case DOCK_OPT_STR:
      *(const char **)o->dest = value;
      return 0;
    case DOCK_OPT_LIST:
      dock_strlist_add (o->dest, value);
      return 0;
    case DOCK_OPT_INT:
      {
        char *end;
        errno = 0;
        long long n = strtoll (value, &end, 10);
        if (errno || end == value || *end)
          return lcr_error_invalid (err, "invalid argument \"%s\" for \"%s\" flag: not an integer", value, shown);
        *(long long *)o->dest = n;
        return 0;
      }
    }
  return 0;
}

static const struct dock_opt *
find_long (const struct dock_opt *opts, const char *name, size_t len)
{
  for (const struct dock_opt *o = opts; o && o->name; o++)
    if (strlen (o->name) == len && strncmp (o->name, name, len) == 0)
      return o;
  return NULL;
}

static const struct dock_opt *
find_short (const struct dock_opt *opts, char c)
{
  for (const struct dock_opt *o = opts; o && o->name; o++)
    if (o->short_ == c)
      return o;
  return NULL;
}

static void
move_to_front (char **argv, int from, int to)
{
  /* argv[from] moves to index `to` (< from), the ones between shift right: positional arguments
     collected so far stay in order at the end of the flags */
  char *x = argv[from];
  memmove (&argv[to + 1], &argv[to], (from - to) * sizeof (char *));
  argv[to] = x;
}

int
dock_parse_args (const struct dock_cmd_usage *u, const struct dock_opt *opts, int argc, char **argv, int *first,
                 lcr_error_t *err)
{
  /* flags are moved in front of positional arguments as they are met, so the positional ones end
     up together at argv[*first..] (what pflag does for interspersed commands) */
  int nflags = 1;
  int i = 1;
  for (; i < argc; i++)
    {
      char *a = argv[i];
      if (strcmp (a, "--") == 0)
        {
          move_to_front (argv, i, nflags);
          nflags++;
          i++;
          break;
        }
      if (a[0] != '-' || a[1] == '\0')
        {
          if (!u->interspersed)
            break;
          continue;
        }
      int taken = 0; /* how many following argv entries the flag consumed */
      if (a[1] == '-')
        {
          const char *name = a + 2;
          const char *eq = strchr (name, '=');
          size_t len = eq ? (size_t)(eq - name) : strlen (name);
          if (len == 4 && strncmp (name, "help", 4) == 0)
            {
              dock_print_usage (u, opts);
              return 1;
            }
          const struct dock_opt *o = find_long (opts, name, len);
          if (o == NULL)
            return lcr_error_invalid (err, "unknown flag: --%.*s\nSee '%s --help'.", (int)len, name,
                                      u->usage ? u->usage : "dock");
          cleanup_free char *shown = NULL;
          xasprintf (&shown, "--%s", o->name);
          const char *value = eq ? eq + 1 : NULL;
          if (o->kind != DOCK_OPT_BOOL && value == NULL)
            {
              if (i + 1 >= argc)
                return lcr_error_invalid (err, "flag needs an argument: --%s", o->name);
              value = argv[i + 1];
              taken = 1;
            }
          if (set_value (o, shown, value, err) < 0)
            return -1;
        }
      else
        {
          for (const char *p = a + 1; *p; p++)
            {
              if (*p == 'h' && find_short (opts, 'h') == NULL)
                {
                  dock_print_usage (u, opts);
                  return 1;
                }
              const struct dock_opt *o = find_short (opts, *p);
              if (o == NULL)
                return lcr_error_invalid (err, "unknown shorthand flag: '%c' in %s\nSee '%s --help'.", *p, a,
                                          u->usage ? u->usage : "dock");
              char shown[3] = {'-', *p, 0};
              if (o->kind == DOCK_OPT_BOOL)
                {
                  const char *value = NULL;
                  if (p[1] == '=')
                    {
                      value = p + 2;
                      if (set_value (o, shown, value, err) < 0)
                        return -1;
                      break;
                    }
                  if (set_value (o, shown, NULL, err) < 0)
                    return -1;
                  continue;
                }
              const char *value;
              if (p[1] == '=')
                value = p + 2;
              else if (p[1])
                value = p + 1;
              else if (i + 1 < argc)
                {
                  value = argv[i + 1];
                  taken = 1;
                }
              else
                return lcr_error_invalid (err, "flag needs an argument: '%c' in %s", *p, a);
              if (set_value (o, shown, value, err) < 0)
                return -1;
              break;
            }
        }
      move_to_front (argv, i, nflags++);
      if (taken)
        {
          move_to_front (argv, i + 1, nflags++);
          i++;
        }
    }
  *first = nflags;
  int nargs = argc - nflags;
  const char *cmd = u->usage ? u->usage : "dock";
  /* "dock rm [OPTIONS] CONTAINER..." → "dock rm" */
  char name[64];
  snprintf (name, sizeof name, "%s", cmd);
  char *sp = strstr (name, " [");
  if (sp == NULL)
    sp = strchr (name + 5, ' ');
  if (sp)
    *sp = '\0';
  if (nargs < u->min_args)
    {
      if (u->min_args == 1 && u->max_args == 1)
        return lcr_error_invalid (err, "\"%s\" requires exactly 1 argument.\nSee '%s --help'.\n\nUsage:  %s\n\n%s",
                                  name, name, cmd, u->summary ? u->summary : "");
      return lcr_error_invalid (err, "\"%s\" requires at least %d argument%s.\nSee '%s --help'.\n\nUsage:  %s\n\n%s",
                                name, u->min_args, u->min_args == 1 ? "" : "s", name, cmd,
                                u->summary ? u->summary : "");
    }
  if (u->max_args >= 0 && nargs > u->max_args)
    {
      if (u->max_args == 0)
        return lcr_error_invalid (err, "\"%s\" accepts no arguments.\nSee '%s --help'.\n\nUsage:  %s\n\n%s", name, name,
                                  cmd, u->summary ? u->summary : "");
      return lcr_error_invalid (err, "\"%s\" requires at most %d argument%s.\nSee '%s --help'.\n\nUsage:  %s\n\n%s",
                                name, u->max_args, u->max_args == 1 ? "" : "s", name, cmd,
                                u->summary ? u->summary : "");
    }
  return 0;
}

void
dock_print_usage (const struct dock_cmd_usage *u, const struct dock_opt *opts)
{
  printf ("\nUsage:  %s\n\n%s\n", u->usage ? u->usage : "dock", u->summary ? u->summary : "");
  bool any = false;
  for (const struct dock_opt *o = opts; o && o->name; o++)
    if (o->help)
      any = true;
  if (!any)
    return;
  printf ("\nOptions:\n");
  for (const struct dock_opt *o = opts; o && o->name; o++)
    {
      if (o->help == NULL)
        continue;
      char left[64];
      const char *arg = o->argname                 ? o->argname
                        : o->kind == DOCK_OPT_LIST ? "list"
                        : o->kind == DOCK_OPT_INT  ? "int"
                        : o->kind == DOCK_OPT_STR  ? "string"
                                                   : "";
      if (o->short_)
        snprintf (left, sizeof left, "  -%c, --%s %s", o->short_, o->name, arg);
      else
        snprintf (left, sizeof left, "      --%s %s", o->name, arg);
      printf ("%-32s %s\n", left, o->help);
    }
}

long long
dock_parse_size (const char *s)
{
  if (s == NULL || *s == '\0')
    return -1;
  char *end;
  errno = 0;
  double n = strtod (s, &end);
  if (errno || end == s || n < 0 || isnan (n))
    return -1;
  double mult = 1;
  switch (tolower ((unsigned char)*end))
    {
    case '\0':
      break;
    case 'b':
      break;
    case 'k':
      mult = 1024.0;
      break;
    case 'm':
      mult = 1024.0 * 1024;
      break;
    case 'g':
      mult = 1024.0 * 1024 * 1024;
      break;
    case 't':
      mult = 1024.0 * 1024 * 1024 * 1024;
      break;
    default:
      return -1;
    }
  if (*end)
    {
      end++;
      if (tolower ((unsigned char)*end) == 'i')
        end++;
      if (tolower ((unsigned char)*end) == 'b' && end[-1] != 'b' && end[-1] != 'B')
        end++;
      if (*end)
        return -1;
    }
  double r = n * mult;
  if (r > 9e18)
    return -1;
  return (long long)r;
}

long long
dock_parse_duration (const char *s)
{
  if (s == NULL || *s == '\0')
    return -1;
  char *end;
  double total = 0;
  const char *p = s;
  /* a bare number: seconds (docker's --stop-timeout style) */
  strtod (p, &end);
  if (*end == '\0')
    {
      double v = strtod (p, NULL);
      return v < 0 ? -1 : (long long)(v * 1e9);
    }
  while (*p)
    {
      errno = 0;
      double v = strtod (p, &end);
      if (errno || end == p || v < 0)
        return -1;
      p = end;
      double unit;
      if (strncmp (p, "ns", 2) == 0)
        unit = 1, p += 2;
      else if (strncmp (p, "us", 2) == 0 || strncmp (p, "µs", 3) == 0)
        unit = 1e3, p += (*p == 'u' ? 2 : 3);
      else if (strncmp (p, "ms", 2) == 0)
        unit = 1e6, p += 2;
      else if (*p == 's')
        unit = 1e9, p++;
      else if (*p == 'm')
        unit = 60e9, p++;
      else if (*p == 'h')
        unit = 3600e9, p++;
      else
        return -1;
      total += v * unit;
    }
  return (long long)total;
}
