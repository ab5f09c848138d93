/* dock — `--format` templates: values printed as Go's fmt prints them (%v), Go's truth and
 * type names, and the output buffer.
 */
#define _GNU_SOURCE
#include "format-internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utils.h"

void
fbuf_add (struct fbuf *b, const char *s, size_t n)
{
  if (b->len + n + 1 > b->cap)
    {
      size_t cap = b->cap ? b->cap * 2 : 128;
      while (cap < b->len + n + 1)
        cap *= 2;
      b->s = xrealloc (b->s, cap);
      b->cap = cap;
    }
  memcpy (b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

void
fbuf_puts (struct fbuf *b, const char *s)
{
  fbuf_add (b, s, strlen (s));
}

void
fbuf_putc (struct fbuf *b, char c)
{
  fbuf_add (b, &c, 1);
}

void
fbuf_printf (struct fbuf *b, const char *fmt, ...)
{
  char *s = NULL;
  va_list ap;
  va_start (ap, fmt);
  int n = vasprintf (&s, fmt, ap);
  va_end (ap);
  if (n < 0)
    abort ();
  fbuf_add (b, s, (size_t)n);
  free (s);
}

char *
fbuf_steal (struct fbuf *b)
{
  if (b->s == NULL)
    return xstrdup ("");
  char *s = b->s;
  memset (b, 0, sizeof *b);
  return s;
}

bool
fmt_is_int (jv v, long long *i)
{
  if (v == NULL || v->type != yajl_t_number || !(v->u.number.flags & YAJL_NUMBER_INT_VALID))
    return false;
  if (i)
    *i = v->u.number.i;
  return true;
}

double
fmt_num (jv v)
{
  long long i;
  if (fmt_is_int (v, &i))
    return (double)i;
  return v && v->type == yajl_t_number ? v->u.number.d : 0;
}

bool
fmt_truth (jv v)
{
  if (v == NULL)
    return false;
  switch (v->type)
    {
    case yajl_t_true:
      return true;
    case yajl_t_number:
      return fmt_num (v) != 0;
    case yajl_t_string:
      return v->u.string[0] != '\0';
    case yajl_t_object:
    case yajl_t_array:
      return jv_len (v) > 0;
    default:
      return false;
    }
}

const char *
fmt_type_name (jv v)
{
  if (v == NULL)
    return "<no value>";
  switch (v->type)
    {
    case yajl_t_string:
      return "string";
    case yajl_t_number:
      return fmt_is_int (v, NULL) ? "int" : "float64";
    case yajl_t_true:
    case yajl_t_false:
      return "bool";
    case yajl_t_object:
      return "map[string]interface {}";
    case yajl_t_array:
      return "[]interface {}";
    default:
      return "<nil>";
    }
}

/* A float as Go's %v: the shortest text that reads back the same, in %e form when the exponent
   is below -4 or at least 6 (1e+06, 1.5e-07), else plain (0.5, 123.25). */
void
fmt_print_float (struct fbuf *b, double d)
{
  if (isnan (d))
    {
      fbuf_puts (b, "NaN");
      return;
    }
  if (isinf (d))
    {
      fbuf_puts (b, d > 0 ? "+Inf" : "-Inf");
      return;
    }
  char e[64];
  int prec;
  for (prec = 1; prec < 17; prec++)
    {
      snprintf (e, sizeof e, "%.*e", prec - 1, d);
      if (strtod (e, NULL) == d)
        break;
    }
  snprintf (e, sizeof e, "%.*e", prec - 1, d);
  int exp = atoi (strchr (e, 'e') + 1);
  if (exp < -4 || exp >= 6)
    fbuf_puts (b, e);
  else
    fbuf_printf (b, "%.*f", prec - 1 - exp > 0 ? prec - 1 - exp : 0, d);
}

static int
cmp_keys (const void *a, const void *b)
{
  return strcmp (*(const char *const *)a, *(const char *const *)b);
}

/* An object's keys in Go's map order (sorted), as a malloc'd array of borrowed strings. */
const char **
fmt_sorted_keys (jv v)
{
  size_t n = v->u.object.len;
  const char **k = xmalloc0 ((n + 1) * sizeof *k);
  if (n > 0)
    memcpy (k, v->u.object.keys, n * sizeof *k);
  qsort (k, n, sizeof *k, cmp_keys);
  return k;
}

void
fmt_print_val (struct fbuf *b, jv v)
{
  if (v == NULL)
    {
      fbuf_puts (b, "<no value>");
      return;
    }
  switch (v->type)
    {
    case yajl_t_string:
      fbuf_puts (b, v->u.string);
      break;
    case yajl_t_number:
      if (fmt_is_int (v, NULL))
        fbuf_printf (b, "%lld", v->u.number.i);
      else
        fmt_print_float (b, v->u.number.d);
      break;
    case yajl_t_true:
      fbuf_puts (b, "true");
      break;
    case yajl_t_false:
      fbuf_puts (b, "false");
      break;
    case yajl_t_array:
      fbuf_putc (b, '[');
      for (size_t i = 0; i < v->u.array.len; i++)
        {
          if (i)
            fbuf_putc (b, ' ');
          fmt_print_val (b, v->u.array.values[i]);
        }
      fbuf_putc (b, ']');
      break;
    case yajl_t_object:
      {
        cleanup_free const char **keys = fmt_sorted_keys (v);
        fbuf_puts (b, "map[");
        for (size_t i = 0; keys[i]; i++)
          {
            if (i)
              fbuf_putc (b, ' ');
            fbuf_puts (b, keys[i]);
            fbuf_putc (b, ':');
            fmt_print_val (b, jv_get (v, keys[i]));
          }
        fbuf_putc (b, ']');
        break;
      }
    default:
      fbuf_puts (b, "<nil>");
      break;
    }
}
