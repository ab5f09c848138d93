/* dock — `--format` templates: the functions, Go's builtins and the ones docker's CLI adds.
 * and / or are evaluated lazily by the executor, so they have no function here.
 */
#define _GNU_SOURCE
#include "format-internal.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "utils.h"

/* ---- helpers for the functions ---- */

static struct fmt_val
mk (struct fmt_exec *st, jv v)
{
  return (struct fmt_val){.v = fmt_keep (st, v)};
}

static int
call_error (struct fmt_exec *st, const struct fmt_cmd *cmd, const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    abort ();
  va_end (ap);
  return fmt_exec_error (st, cmd->pos, cmd->src, "error calling %s: %s", cmd->args[0].src, msg);
}

/* The argument node of value i, for messages: the piped value has none, so the function's. */
static const struct fmt_arg *
arg_node (const struct fmt_cmd *cmd, size_t i)
{
  return i + 1 < cmd->nargs ? &cmd->args[i + 1] : &cmd->args[0];
}

static int
wrong_type (struct fmt_exec *st, const struct fmt_cmd *cmd, const struct fmt_val *a, size_t i, const char *want)
{
  const struct fmt_arg *node = arg_node (cmd, i);
  if (node->type == A_LIT)
    return fmt_exec_error (st, node->pos, node->src, "expected %s; found %s", want, node->src);
  return fmt_exec_error (st, node->pos, node->src, "wrong type for value; expected %s; got %s", want,
                         fmt_type_name (a[i].v));
}

static int
want_str (struct fmt_exec *st, const struct fmt_cmd *cmd, const struct fmt_val *a, size_t i, const char **s)
{
  if (a[i].v == NULL || a[i].v->type != yajl_t_string)
    return wrong_type (st, cmd, a, i, "string");
  *s = a[i].v->u.string;
  return 0;
}

static int
want_int (struct fmt_exec *st, const struct fmt_cmd *cmd, const struct fmt_val *a, size_t i, long long *n)
{
  if (!fmt_is_int (a[i].v, n))
    return wrong_type (st, cmd, a, i, "integer");
  return 0;
}

/* ---- Go's builtins ---- */

static int
fn_not (struct fmt_exec *st, const struct fmt_cmd *cmd, struct fmt_val *a, size_t n, struct fmt_val *out)
{
  (void)cmd;
  (void)n;
  *out = mk (st, jv_bool (!fmt_truth (a[0].v)));
  return 0;
}

enum kind
{
  K_NIL,
  K_BOOL,
  K_NUM,
  K_STR,
  K_OTHER,
};

static enum kind
kind_of (jv v)
{
  if (v == NULL || v->type == yajl_t_null)
    return K_NIL;
  switch (v->type)
    {
    case yajl_t_true:
    case yajl_t_false:
      return K_BOOL;
    case yajl_t_number:
      return K_NUM;
    case yajl_t_string:
      return K_STR;
    default:
      return K_OTHER;
    }
}

static int
num_cmp (jv a, jv b)
{
  long long x, y;
  if (fmt_is_int (a, &x) && fmt_is_int (b, &y))
    return (x > y) - (x < y);
  double d = fmt_num (a), e = fmt_num (b);
  return (d > e) - (d < e);
}

/* As Go's eq: true when the first argument equals any of the others; nil equals only nil;
   numbers compare by value; two kinds that can't be compared are an error. */
static int
fn_eq (struct fmt_exec *st, const struct fmt_cmd *cmd, struct fmt_val *a, size_t n, struct fmt_val *out)
{
  if (n < 2)
    return call_error (st, cmd, "missing argument for comparison");
  bool truth = false;
  enum kind k1 = kind_of (a[0].v);
  for (size_t i = 1; i < n && !truth; i++)
    {
      enum kind k2 = kind_of (a[i].v);
      if (k1 == K_NIL || k2 == K_NIL)
        truth = k1 == k2;
      else if (k1 != k2)
        return call_error (st, cmd, "incompatible types for comparison");
      else if (k1 == K_OTHER)
        return call_error (st, cmd, "non-comparable type %s", fmt_type_name (a[i].v));
      else if (k1 == K_BOOL)
        truth = a[0].v->type == a[i].v->type;
      else if (k1 == K_NUM)
        truth = num_cmp (a[0].v, a[i].v) == 0;
      else
        truth = strcmp (a[0].v->u.string, a[i].v->u.string) == 0;
    }
  *out = mk (st, jv_bool (truth));
  return 0;
}

static int
fn_ne (struct fmt_exec *st, const struct fmt_cmd *cmd, struct fmt_val *a, size_t n, struct fmt_val *out)
{
  if (fn_eq (st, cmd, a, n, out) < 0)
    return -1;
  *out = mk (st, jv_bool (!fmt_truth (out->v)));
  return 0;
}

/* lt le gt ge: strings or numbers, both of one kind. */
static int
ordered (struct fmt_exec *st, const struct fmt_cmd *cmd, struct fmt_val *a, int *res)
{
  enum kind k1 = kind_of (a[0].v), k2 = kind_of (a[1].v);
  if ((k1 != K_NUM && k1 != K_STR) || (k2 != K_NUM && k2 != K_STR))
    return call_error (st, cmd, "invalid type for comparison");
  if (k1 != k2)
    return call_error (st, cmd, "incompatible types for comparison");
  *res = k1 == K_NUM ? num_cmp (a[0].v, a[1].v) : strcmp (a[0].v->u.string, a[1].v->u.string);
  return 0;
}

#define ORDER_FN(name, test)                                                                                           \
  static int name (struct fmt_exec *st, const struct fmt_cmd *cmd, struct fmt_val *a, size_t n, struct fmt_val *out)   \
  {                                                                                                                    \
    int c;                                                                                                             \
    (void)n;                                                                                                           \
    if (ordered (st, cmd, a, &c) < 0)                                                                                  \
      return -1;                                                                                                       \
    *out = mk (st, jv_bool (test));                                                                                    \
    return 0;                                                                                                          \
  }
ORDER_FN (fn_lt, c < 0)
ORDER_FN (fn_le, c <= 0)
ORDER_FN (fn_gt, c > 0)
ORDER_FN (fn_ge, c >= 0)

static int
fn_len (struct fmt_exec *st, const struct fmt_cmd *cmd, struct fmt_val *a, size_t n, struct fmt_val *out)
{
  (void)n;
  jv v = a[0].v;
  if (v && v->type == yajl_t_string)
    *out = mk (st, jv_int ((long long)strlen (v->u.string)));
  else if (v && (v->type == yajl_t_array || v->type == yajl_t_object))
    *out = mk (st, jv_int ((long long)jv_len (v)));
  else
    return call_error (st, cmd, "len of type %s", fmt_type_name (v));
  return 0;
}

/* index X K1 K2…: arrays by integer, maps by string; a key a map lacks is that map's zero
   value: "" where all values are strings (docker's map[string]string labels and options),
   else <no value>. */
static int
fn_index (struct fmt_exec *st, const struct fmt_cmd *cmd, struct fmt_val *a, size_t n, struct fmt_val *out)
{
  struct fmt_val cur = a[0];
  for (size_t i = 1; i < n; i++)
    {
      jv v = cur.v, k = a[i].v;
      long long idx;
      if (v == NULL || v->type == yajl_t_null)
        return call_error (st, cmd, "index of untyped nil");
      if (v->type == yajl_t_array || v->type == yajl_t_string)
        {
          size_t len = v->type == yajl_t_array ? v->u.array.len : strlen (v->u.string);
          if (!fmt_is_int (k, &idx))
            return call_error (st, cmd, "cannot index slice/array with type %s", fmt_type_name (k));
          if (idx < 0 || (size_t)idx >= len)
            return call_error (st, cmd, "index out of range: %lld", idx);
          if (v->type == yajl_t_string)
            cur = mk (st, jv_int ((unsigned char)v->u.string[idx]));
          else
            cur = fmt_child (st, &(struct fmt_val){.v = v}, NULL, v->u.array.values[idx]);
        }
      else if (v->type == yajl_t_object)
        {
          if (k == NULL || k->type != yajl_t_string)
            return call_error (st, cmd, "value has type %s; should be string", fmt_type_name (k));
          jv child = jv_get (v, k->u.string);
          if (child)
            cur = fmt_child (st, &cur, k->u.string, child);
          else
            {
              bool strings = true;
              for (size_t j = 0; j < v->u.object.len && strings; j++)
                strings = v->u.object.values[j] && v->u.object.values[j]->type == yajl_t_string;
              cur = strings ? mk (st, jv_str ("")) : (struct fmt_val){0};
            }
        }
      else
        return call_error (st, cmd, "can't index item of type %s", fmt_type_name (v));
    }
  *out = cur;
  return 0;
}

static void
sprint (struct fbuf *b, struct fmt_val *a, size_t n, bool ln)
{
  for (size_t i = 0; i < n; i++)
    {
      bool str = a[i].v && a[i].v->type == yajl_t_string;
      bool prev_str = i > 0 && a[i - 1].v && a[i - 1].v->type == yajl_t_string;
      /* Sprint separates two operands when neither is a string, Sprintln always */
      if (i > 0 && (ln || (!str && !prev_str)))
        fbuf_putc (b, ' ');
      /* a missing value passed to a function is a nil interface */
      if (a[i].v == NULL)
        fbuf_puts (b, "<nil>");
      else
        fmt_print_val (b, a[i].v);
    }
  if (ln)
    fbuf_putc (b, '\n');
}

static int
fn_print (struct fmt_exec *st, const struct fmt_cmd *cmd, struct fmt_val *a, size_t n, struct fmt_val *out)
{
  (void)cmd;
  struct fbuf b = {0};
  sprint (&b, a, n, false);
  size_t len = b.len;
  cleanup_free char *s = fbuf_steal (&b);
  *out = mk (st, jv_strn (s, len));
  return 0;
}

static int
fn_println (struct fmt_exec *st, const struct fmt_cmd *cmd, struct fmt_val *a, size_t n, struct fmt_val *out)
{
  (void)cmd;
  struct fbuf b = {0};
  sprint (&b, a, n, true);
  size_t len = b.len;
  cleanup_free char *s = fbuf_steal (&b);
  *out = mk (st, jv_strn (s, len));
  return 0;
}

/* strconv.Quote: printable text as is, the rest escaped. */
static void
go_quote (struct fbuf *b, const char *s)
{
  fbuf_putc (b, '"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    {
      const char *esc = NULL;
      switch (*p)
        {
        case '\a':
          esc = "\\a";
          break;
        case '\b':
          esc = "\\b";
          break;
        case '\f':
          esc = "\\f";
          break;
        case '\n':
          esc = "\\n";
          break;
        case '\r':
          esc = "\\r";
          break;
        case '\t':
          esc = "\\t";
          break;
        case '\v':
          esc = "\\v";
          break;
        case '\\':
          esc = "\\\\";
          break;
        case '"':
          esc = "\\\"";
          break;
        }
      if (esc)
        fbuf_puts (b, esc);
      else if (*p < 0x20 || *p == 0x7f)
        fbuf_printf (b, "\\x%02x", *p);
      else
        fbuf_putc (b, (char)*p);
    }
  fbuf_putc (b, '"');
}

/* Go's "%!v(type=value)" for a verb that does not fit its operand. */
static void
bad_verb (struct fbuf *b, char verb, jv v)
{
  fbuf_printf (b, "%%!%c(%s=", verb, fmt_type_name (v));
  fmt_print_val (b, v);
  fbuf_putc (b, ')');
}

static void
pad_to (struct fbuf *b, const char *s, size_t len, int width, bool left)
{
  size_t w = width > 0 ? (size_t)width : 0;
  if (!left)
    for (size_t i = len; i < w; i++)
      fbuf_putc (b, ' ');
  fbuf_add (b, s, len);
  if (left)
    for (size_t i = len; i < w; i++)
      fbuf_putc (b, ' ');
}

/* One conversion of printf: flags, width and precision as C's, verbs as Go's. */
static void
format_one (struct fbuf *b, const char *flags, int width, int prec, char verb, jv v)
{
  char cfmt[32];
  bool left = strchr (flags, '-') != NULL;
  long long i;
  struct fbuf t = {0};
  switch (verb)
    {
    case 'd':
    case 'x':
    case 'X':
    case 'o':
    case 'b':
      if (fmt_is_int (v, &i) && verb != 'b')
        {
          /* C drops the 0 flag when a precision is given: pass one only when asked */
          bool neg = i < 0 && verb != 'd';
          unsigned long long u = neg ? 0ULL - (unsigned long long)i : (unsigned long long)i;
          if (neg)
            fbuf_putc (&t, '-');
          if (prec >= 0)
            snprintf (cfmt, sizeof cfmt, "%%%s*.*ll%c", flags, verb == 'd' ? 'd' : verb);
          else
            snprintf (cfmt, sizeof cfmt, "%%%s*ll%c", flags, verb == 'd' ? 'd' : verb);
          if (neg)
            width = width > 0 ? width - 1 : 0;
          if (prec >= 0)
            fbuf_printf (&t, cfmt, width, prec, verb == 'd' ? i : (long long)u);
          else
            fbuf_printf (&t, cfmt, width, verb == 'd' ? i : (long long)u);
          fbuf_add (b, t.s, t.len);
          free (t.s);
          return;
        }
      if ((verb == 'x' || verb == 'X') && v && v->type == yajl_t_string)
        {
          for (const unsigned char *p = (const unsigned char *)v->u.string; *p; p++)
            fbuf_printf (&t, verb == 'x' ? "%02x" : "%02X", *p);
          break;
        }
      bad_verb (&t, verb, v);
      break;
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G':
      if (kind_of (v) != K_NUM)
        {
          bad_verb (&t, verb, v);
          break;
        }
      if ((verb == 'g' || verb == 'G') && prec < 0)
        {
          fmt_print_float (&t, fmt_num (v));
          break;
        }
      snprintf (cfmt, sizeof cfmt, "%%%s*.*%c", flags, verb);
      fbuf_printf (b, cfmt, width, prec < 0 ? 6 : prec, fmt_num (v));
      return;
    case 't':
      if (kind_of (v) == K_BOOL)
        fbuf_puts (&t, v->type == yajl_t_true ? "true" : "false");
      else
        bad_verb (&t, verb, v);
      break;
    case 'q':
      if (v && v->type == yajl_t_string)
        go_quote (&t, v->u.string);
      else if (fmt_is_int (v, &i) && i >= 0x20 && i < 0x7f && i != '\'' && i != '\\')
        fbuf_printf (&t, "'%c'", (char)i);
      else
        bad_verb (&t, verb, v);
      break;
    case 'c':
      if (fmt_is_int (v, &i) && i >= 0 && i < 0x110000)
        {
          char u[8];
          int len = 0;
          if (i < 0x80)
            u[len++] = (char)i;
          else if (i < 0x800)
            u[len++] = (char)(0xc0 | (i >> 6)), u[len++] = (char)(0x80 | (i & 0x3f));
          else if (i < 0x10000)
            u[len++] = (char)(0xe0 | (i >> 12)), u[len++] = (char)(0x80 | ((i >> 6) & 0x3f)),
            u[len++] = (char)(0x80 | (i & 0x3f));
          else
            u[len++] = (char)(0xf0 | (i >> 18)), u[len++] = (char)(0x80 | ((i >> 12) & 0x3f)),
            u[len++] = (char)(0x80 | ((i >> 6) & 0x3f)), u[len++] = (char)(0x80 | (i & 0x3f));
          fbuf_add (&t, u, (size_t)len);
        }
      else
        bad_verb (&t, verb, v);
      break;
    case 's':
    case 'v':
      if (verb == 's' && (kind_of (v) == K_NUM || kind_of (v) == K_BOOL))
        bad_verb (&t, verb, v);
      else if (verb == 's' && kind_of (v) == K_NIL)
        fbuf_puts (&t, "%!s(<nil>)");
      else if (v == NULL || v->type == yajl_t_null)
        fbuf_puts (&t, "<nil>");
      else
        fmt_print_val (&t, v);
      if (prec >= 0 && (size_t)prec < t.len && verb == 's')
        t.len = (size_t)prec;
      break;
    default:
      bad_verb (&t, verb, v);
      break;
    }
  pad_to (b, t.s ? t.s : "", t.len, width, left);
  free (t.s);
}

static int
fn_printf (struct fmt_exec *st, const struct fmt_cmd *cmd, struct fmt_val *a, size_t n, struct fmt_val *out)
{
  const char *f = NULL;
  if (want_str (st, cmd, a, 0, &f) < 0)
    return -1;
  struct fbuf b = {0};
  size_t next = 1;
  for (const char *p = f; *p; p++)
    {
      if (*p != '%')
        {
          fbuf_putc (&b, *p);
          continue;
        }
      p++;
      if (*p == '%')
        {
          fbuf_putc (&b, '%');
          continue;
        }
      char flags[8] = "";
      size_t nf = 0;
      while (*p && strchr ("-+# 0", *p))
        {
          if (nf < sizeof flags - 1 && !strchr (flags, *p))
            flags[nf++] = *p;
          p++;
        }
      int width = 0, prec = -1;
      while (isdigit ((unsigned char)*p) && width < 10000)
        width = width * 10 + (*p++ - '0');
      if (*p == '.')
        {
          prec = 0;
          p++;
          while (isdigit ((unsigned char)*p) && prec < 10000)
            prec = prec * 10 + (*p++ - '0');
        }
      if (*p == '\0')
        {
          fbuf_puts (&b, "%!(NOVERB)");
          break;
        }
      if (next >= n)
        fbuf_printf (&b, "%%!%c(MISSING)", *p);
      else
        format_one (&b, flags, width, prec, *p, a[next++].v);
    }
  if (next < n)
    {
      fbuf_puts (&b, "%!(EXTRA ");
      for (size_t i = next; i < n; i++)
        {
          fbuf_printf (&b, "%s%s=", i > next ? ", " : "", fmt_type_name (a[i].v));
          fmt_print_val (&b, a[i].v);
        }
      fbuf_putc (&b, ')');
    }
  size_t len = b.len;
  cleanup_free char *s = fbuf_steal (&b);
  *out = mk (st, jv_strn (s, len));
  return 0;
}

/* ---- docker's functions ---- */

/* JSON as Go's json.Marshal gives it: a map's keys sorted (docker's Labels, Options …), other
   objects (docker's structs) in their own order. */
static void
gen_json (struct fmt_exec *st, yajl_gen g, struct fmt_val v)
{
  jv j = v.v;
  if (j == NULL)
    {
      yajl_gen_null (g);
      return;
    }
  switch (j->type)
    {
    case yajl_t_string:
      yajl_gen_string (g, (const unsigned char *)j->u.string, strlen (j->u.string));
      break;
    case yajl_t_number:
      yajl_gen_number (g, j->u.number.r, strlen (j->u.number.r));
      break;
    case yajl_t_true:
    case yajl_t_false:
      yajl_gen_bool (g, j->type == yajl_t_true);
      break;
    case yajl_t_array:
      yajl_gen_array_open (g);
      for (size_t i = 0; i < j->u.array.len; i++)
        gen_json (st, g, fmt_child (st, &v, NULL, j->u.array.values[i]));
      yajl_gen_array_close (g);
      break;
    case yajl_t_object:
      {
        cleanup_free const char **keys = v.map ? fmt_sorted_keys (j) : NULL;
        yajl_gen_map_open (g);
        for (size_t i = 0; i < j->u.object.len; i++)
          {
            const char *k = keys ? keys[i] : j->u.object.keys[i];
            yajl_gen_string (g, (const unsigned char *)k, strlen (k));
            gen_json (st, g, fmt_child (st, &v, k, jv_get (j, k)));
          }
        yajl_gen_map_close (g);
        break;
      }
    default:
      yajl_gen_null (g);
      break;
    }
}

static int
fn_json (struct fmt_exec *st, const struct fmt_cmd *cmd, struct fmt_val *a, size_t n, struct fmt_val *out)
{
  (void)cmd;
  (void)n;
  yajl_gen g = yajl_gen_alloc (NULL);
  gen_json (st, g, a[0]);
  const unsigned char *buf;
  size_t len;
  yajl_gen_get_buf (g, &buf, &len);
  *out = mk (st, jv_strn ((const char *)buf, len));
  yajl_gen_free (g);
  return 0;
}

static int
fn_join (struct fmt_exec *st, const struct fmt_cmd *cmd, struct fmt_val *a, size_t n, struct fmt_val *out)
{
  (void)n;
  const char *sep = NULL;
  if (want_str (st, cmd, a, 1, &sep) < 0)
    return -1;
  jv list = a[0].v;
  if (list == NULL || list->type != yajl_t_array)
    return wrong_type (st, cmd, a, 0, "[]string");
  struct fbuf b = {0};
  for (size_t i = 0; i < list->u.array.len; i++)
    {
      if (i)
        fbuf_puts (&b, sep);
      fmt_print_val (&b, list->u.array.values[i]);
    }
  size_t len = b.len;
  cleanup_free char *s = fbuf_steal (&b);
  *out = mk (st, jv_strn (s, len));
  return 0;
}

static int
fn_split (struct fmt_exec *st, const struct fmt_cmd *cmd, struct fmt_val *a, size_t n, struct fmt_val *out)
{
  (void)n;
  const char *s = NULL, *sep = NULL;
  if (want_str (st, cmd, a, 0, &s) < 0 || want_str (st, cmd, a, 1, &sep) < 0)
    return -1;
  jv list = jv_arr ();
  size_t seplen = strlen (sep);
  if (seplen == 0)
    {
      /* strings.Split with "" splits after each UTF-8 sequence */
      for (const char *p = s; *p;)
        {
          size_t k = 1;
          while (((unsigned char)p[k] & 0xc0) == 0x80)
            k++;
          jv_push (list, jv_strn (p, k));
          p += k;
        }
    }
  else
    for (const char *p = s;;)
      {
        const char *q = strstr (p, sep);
        if (q == NULL)
          {
            jv_push (list, jv_str (p));
            break;
          }
        jv_push (list, jv_strn (p, (size_t)(q - p)));
        p = q + seplen;
      }
  *out = mk (st, list);
  return 0;
}

static int
map_case (struct fmt_exec *st, const struct fmt_cmd *cmd, struct fmt_val *a, struct fmt_val *out, int how)
{
  const char *s = NULL;
  if (want_str (st, cmd, a, 0, &s) < 0)
    return -1;
  char *c = xstrdup (s);
  bool word_start = true;
  for (char *p = c; *p; p++)
    {
      unsigned char u = (unsigned char)*p;
      if (how < 0)
        *p = (char)tolower (u);
      else if (how > 0)
        *p = (char)toupper (u);
      else
        {
          /* title: a letter after a separator starts a word; the rest is left as it is */
          if (word_start && isalpha (u))
            *p = (char)toupper (u);
          word_start = !(isalnum (u) || u == '_' || u == '\'' || u >= 0x80);
        }
    }
  *out = mk (st, jv_str (c));
  free (c);
  return 0;
}

static int
fn_lower (struct fmt_exec *st, const struct fmt_cmd *cmd, struct fmt_val *a, size_t n, struct fmt_val *out)
{
  (void)n;
  return map_case (st, cmd, a, out, -1);
}

static int
fn_upper (struct fmt_exec *st, const struct fmt_cmd *cmd, struct fmt_val *a, size_t n, struct fmt_val *out)
{
  (void)n;
  return map_case (st, cmd, a, out, 1);
}

static int
fn_title (struct fmt_exec *st, const struct fmt_cmd *cmd, struct fmt_val *a, size_t n, struct fmt_val *out)
{
  (void)n;
  return map_case (st, cmd, a, out, 0);
}

/* truncate S N: the first N bytes of S (docker's truncateWithLength). */
static int
fn_truncate (struct fmt_exec *st, const struct fmt_cmd *cmd, struct fmt_val *a, size_t n, struct fmt_val *out)
{
  (void)n;
  const char *s = NULL;
  long long len = 0;
  if (want_str (st, cmd, a, 0, &s) < 0 || want_int (st, cmd, a, 1, &len) < 0)
    return -1;
  if (len < 0)
    return call_error (st, cmd, "negative length %lld", len);
  if ((size_t)len >= strlen (s))
    *out = a[0];
  else
    *out = mk (st, jv_strn (s, (size_t)len));
  return 0;
}

/* pad S L R: L spaces, S, R spaces; an empty S stays empty (docker's padWithSpace). */
static int
fn_pad (struct fmt_exec *st, const struct fmt_cmd *cmd, struct fmt_val *a, size_t n, struct fmt_val *out)
{
  (void)n;
  const char *s = NULL;
  long long l = 0, r = 0;
  if (want_str (st, cmd, a, 0, &s) < 0 || want_int (st, cmd, a, 1, &l) < 0 || want_int (st, cmd, a, 2, &r) < 0)
    return -1;
  if (l < 0 || r < 0 || l > 4096 || r > 4096)
    return call_error (st, cmd, "bad padding %lld %lld", l, r);
  if (*s == '\0')
    {
      *out = a[0];
      return 0;
    }
  struct fbuf b = {0};
  for (long long i = 0; i < l; i++)
    fbuf_putc (&b, ' ');
  fbuf_puts (&b, s);
  for (long long i = 0; i < r; i++)
    fbuf_putc (&b, ' ');
  cleanup_free char *p = fbuf_steal (&b);
  *out = mk (st, jv_str (p));
  return 0;
}

static const struct fmt_func funcs[] = {
    /* and / or have no fn: the executor evaluates their arguments lazily */
    {"and", 1, -1, NULL, false},
    {"or", 1, -1, NULL, false},
    {"not", 1, 1, fn_not, false},
    {"eq", 1, -1, fn_eq, false},
    {"ne", 2, 2, fn_ne, false},
    {"lt", 2, 2, fn_lt, false},
    {"le", 2, 2, fn_le, false},
    {"gt", 2, 2, fn_gt, false},
    {"ge", 2, 2, fn_ge, false},
    {"len", 1, 1, fn_len, false},
    {"index", 1, -1, fn_index, false},
    {"print", 0, -1, fn_print, false},
    {"printf", 1, -1, fn_printf, false},
    {"println", 0, -1, fn_println, false},
    {"json", 1, 1, fn_json, true},
    {"join", 2, 2, fn_join, true},
    {"split", 2, 2, fn_split, true},
    {"lower", 1, 1, fn_lower, true},
    {"upper", 1, 1, fn_upper, true},
    {"title", 1, 1, fn_title, true},
    {"truncate", 2, 2, fn_truncate, true},
    {"pad", 3, 3, fn_pad, false},
};

const struct fmt_func *
fmt_func_lookup (const char *name)
{
  for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++)
    if (strcmp (funcs[i].name, name) == 0)
      return &funcs[i];
  return NULL;
}
