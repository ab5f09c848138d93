/* dock — listings, inspect output and prompts (see output.h). */
#define _GNU_SOURCE
#include "cli/output.h"

#include <string.h>
#include <unistd.h>

#include "cli/format.h"
#include "cli/table.h"

int
dock_print_rows (jv rows, const char *format, const struct dock_column *cols, lcr_error_t *err)
{
  size_t n = 0;
  while (cols && cols[n].field)
    n++;
  const char **headers = xmalloc0 ((2 * n + 1) * sizeof (char *));
  for (size_t i = 0; i < n; i++)
    {
      headers[2 * i] = cols[i].field;
      headers[2 * i + 1] = cols[i].header;
    }
  cleanup_listing struct dock_listing *l = NULL;
  int rc = dock_listing_new (format, format, headers, &l, err);
  for (size_t i = 0; rc == 0 && i < jv_len (rows); i++)
    rc = dock_listing_add (l, rows->u.array.values[i], err);
  if (rc == 0)
    rc = dock_listing_print (l, stdout, err);
  free (headers);
  if (rc < 0 && (*err)->code == LCR_ERR_INVALID && strncmp ((*err)->msg, "template", 8) == 0)
    lcr_error_wrap (err, "template parsing error");
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
  cleanup_tmpl struct dock_tmpl *t = NULL;
  if (dock_format_compile (format, 0, &t, err) < 0)
    return lcr_error_wrap (err, "template parsing error");
  dock_format_set_maps (t, dock_format_docker_maps);
  for (size_t i = 0; i < jv_len (array); i++)
    {
      cleanup_free char *s = NULL;
      if (dock_format_exec (t, array->u.array.values[i], &s, err) < 0)
        return lcr_error_wrap (err, "template parsing error");
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

char *
dock_labels_string (jv labels)
{
  char *s = xstrdup ("");
  for (size_t i = 0; i < jv_len (labels); i++)
    {
      const char *v = jv_as_str (labels->u.object.values[i]);
      char *n;
      xasprintf (&n, "%s%s%s=%s", s, i ? "," : "", labels->u.object.keys[i], v ? v : "");
      free (s);
      s = n;
    }
  return s;
}
