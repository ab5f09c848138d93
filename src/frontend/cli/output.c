/* dock — listings, inspect output and prompts (see output.h). */
#define _GNU_SOURCE
#include "cli/output.h"

#include <string.h>
#include <unistd.h>

#include "cli/format.h"

/* docker's tabwriter: cells split on tabs, each column as wide as its widest cell plus 3 */
static void
print_table (char **lines, size_t n)
{
  size_t widths[64] = {0};
  size_t ncols = 0;
  for (size_t i = 0; i < n; i++)
    {
      size_t c = 0;
      for (char *p = lines[i], *tab; c < 64; c++, p = tab + 1)
        {
          tab = strchr (p, '\t');
          size_t w = tab ? (size_t)(tab - p) : strlen (p);
          /* display width: count UTF-8 lead bytes only ("…" is one column) */
          size_t disp = 0;
          for (size_t k = 0; k < w; k++)
            disp += ((unsigned char)p[k] & 0xC0) != 0x80;
          if (tab && disp > widths[c])
            widths[c] = disp;
          if (tab == NULL)
            break;
        }
      if (c + 1 > ncols)
        ncols = c + 1;
    }
  for (size_t i = 0; i < n; i++)
    {
      size_t c = 0;
      for (char *p = lines[i], *tab;; c++, p = tab + 1)
        {
          tab = strchr (p, '\t');
          if (tab == NULL)
            {
              fputs (p, stdout);
              break;
            }
          size_t disp = 0;
          for (char *k = p; k < tab; k++)
            disp += ((unsigned char)*k & 0xC0) != 0x80;
          fwrite (p, 1, tab - p, stdout);
          for (size_t k = disp; k < widths[c] + 3; k++)
            fputc (' ', stdout);
        }
      /* docker's tabwriter leaves no trailing blanks: trim what we padded before an empty last cell */
      fputc ('\n', stdout);
    }
}

int
dock_print_rows (jv rows, const char *format, const struct dock_column *cols, lcr_error_t *err)
{
  if (strcmp (format, "json") == 0)
    {
      for (size_t i = 0; i < jv_len (rows); i++)
        {
          cleanup_free char *s = jv_dump (rows->u.array.values[i], false);
          printf ("%s\n", s);
        }
      return 0;
    }
  bool table = strncmp (format, "table", 5) == 0 && (format[5] == '\0' || format[5] == ' ');
  const char *tmpl = table ? format + 5 : format;
  while (table && *tmpl == ' ')
    tmpl++;
  if (table && *tmpl == '\0')
    tmpl = NULL;
  size_t n = jv_len (rows);
  char **lines = xmalloc0 ((n + 2) * sizeof (char *));
  size_t k = 0;
  int rc = 0;
  if (table && tmpl)
    {
      /* the header: the same template over {field: HEADER} */
      cleanup_jv jv hdr = jv_obj ();
      for (const struct dock_column *c = cols; c && c->field; c++)
        jv_set (hdr, c->field, jv_str (c->header));
      lines[k] = dock_format_render (tmpl, hdr, err);
      if (lines[k] == NULL)
        rc = -1;
      else
        k++;
    }
  for (size_t i = 0; rc == 0 && i < n; i++)
    {
      if (tmpl == NULL)
        break;
      lines[k] = dock_format_render (tmpl, rows->u.array.values[i], err);
      if (lines[k] == NULL)
        rc = -1;
      else
        k++;
    }
  if (rc == 0)
    {
      if (table)
        print_table (lines, k);
      else
        for (size_t i = 0; i < k; i++)
          printf ("%s\n", lines[i]);
    }
  for (size_t i = 0; i < k; i++)
    free (lines[i]);
  free (lines);
  return rc;
}

int
dock_print_inspect (jv array, const char *format, lcr_error_t *err)
{
  if (format == NULL || *format == '\0')
    {
      cleanup_free char *s = jv_dump (array, true);
      printf ("%s\n", s);
      return 0;
    }
  if (strcmp (format, "json") == 0)
    {
      cleanup_free char *s = jv_dump (array, false);
      printf ("%s\n", s);
      return 0;
    }
  for (size_t i = 0; i < jv_len (array); i++)
    {
      cleanup_free char *s = dock_format_render (format, array->u.array.values[i], err);
      if (s == NULL)
        return -1;
      printf ("%s\n", s);
    }
  return 0;
}

bool
dock_confirm (const char *question)
{
  fprintf (stderr, "%s [y/N] ", question);
  fflush (stderr);
  char buf[16] = "";
  if (fgets (buf, sizeof buf, stdin) == NULL)
    return false;
  return strcmp (buf, "y\n") == 0 || strcmp (buf, "Y\n") == 0 || strcmp (buf, "yes\n") == 0;
}

char *
dock_human_size (long long bytes)
{
  static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  double v = (double)bytes;
  int u = 0;
  while (v >= 1000.0 && u < 5)
    {
      v /= 1000.0;
      u++;
    }
  char *out;
  /* docker CLI: 3 significant digits, no trailing zeros */
  xasprintf (&out, "%.3g%s", v, units[u]);
  return out;
}
