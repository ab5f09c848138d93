/* dock — JSON values (see jv.h). */
#define _GNU_SOURCE
#include "jv.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "spec.h"
#include "utils.h"

jv
jv_parse (const char *text, size_t len, const char *what, lcr_error_t *err)
{
  char ebuf[256] = "";
  /* yajl wants a NUL-terminated buffer and its tree free recurses: refuse absurd nesting
     before it overflows the stack (as berth does for config.json) */
  if (lcr_json_too_deep (text, len))
    {
      lcr_error_invalid (err, "%s: JSON nested too deeply", what);
      return NULL;
    }
  /* yajl wants a NUL at text[len]; the caller's buffer may end at len, so we copy (a few
     microseconds for the files dock keeps) */
  cleanup_free char *copy = xmalloc0 (len + 1);
  memcpy (copy, text, len);
  text = copy;
  jv v = yajl_tree_parse (text, ebuf, sizeof ebuf);
  if (v == NULL)
    {
      for (char *p = ebuf; *p; p++)
        if (*p == '\n')
          *p = ' ';
      lcr_error_invalid (err, "%s: invalid JSON: %s", what, ebuf[0] ? ebuf : "parse error");
    }
  return v;
}

jv
jv_load_at (int dirfd, const char *path, lcr_error_t *err)
{
  cleanup_free char *buf = NULL;
  size_t len = 0;
  if (lcr_read_file_at (dirfd, path, &buf, &len, err) < 0)
    return NULL;
  return jv_parse (buf, len, path, err);
}

jv
jv_load (const char *path, lcr_error_t *err)
{
  return jv_load_at (AT_FDCWD, path, err);
}

static void
gen (yajl_gen g, jv v)
{
  if (v == NULL)
    {
      yajl_gen_null (g);
      return;
    }
  switch (v->type)
    {
    case yajl_t_string:
      yajl_gen_string (g, (const unsigned char *)v->u.string, strlen (v->u.string));
      break;
    case yajl_t_number:
      yajl_gen_number (g, v->u.number.r, strlen (v->u.number.r));
      break;
    case yajl_t_object:
      yajl_gen_map_open (g);
      for (size_t i = 0; i < v->u.object.len; i++)
        {
          yajl_gen_string (g, (const unsigned char *)v->u.object.keys[i], strlen (v->u.object.keys[i]));
          gen (g, v->u.object.values[i]);
        }
      yajl_gen_map_close (g);
      break;
    case yajl_t_array:
      yajl_gen_array_open (g);
      for (size_t i = 0; i < v->u.array.len; i++)
        gen (g, v->u.array.values[i]);
      yajl_gen_array_close (g);
      break;
    case yajl_t_true:
      yajl_gen_bool (g, 1);
      break;
    case yajl_t_false:
      yajl_gen_bool (g, 0);
      break;
    default:
      yajl_gen_null (g);
      break;
    }
}

char *
jv_dump (jv v, bool pretty)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  if (pretty)
    {
      yajl_gen_config (g, yajl_gen_beautify, 1);
      yajl_gen_config (g, yajl_gen_indent_string, "    ");
    }
  gen (g, v);
  const unsigned char *buf;
  size_t len;
  yajl_gen_get_buf (g, &buf, &len);
  char *out = xmalloc0 (len + 1);
  memcpy (out, buf, len);
  yajl_gen_free (g);
  /* yajl's beautifier ends with a newline; callers add their own */
  while (len > 0 && out[len - 1] == '\n')
    out[--len] = '\0';
  if (pretty)
    {
      /* docker prints empty objects and arrays as {} and []; yajl breaks them over lines */
      char *w = out;
      for (char *r = out; *r;)
        {
          if (*r == '{' || *r == '[')
            {
              char close = *r == '{' ? '}' : ']';
              char *q = r + 1;
              while (*q == '\n' || *q == ' ')
                q++;
              if (*q == close)
                {
                  *w++ = *r;
                  *w++ = close;
                  r = q + 1;
                  continue;
                }
            }
          /* strings are copied whole: braces inside them are text */
          if (*r == '"')
            {
              *w++ = *r++;
              while (*r && *r != '"')
                {
                  if (*r == '\\' && r[1])
                    *w++ = *r++;
                  *w++ = *r++;
                }
              if (*r)
                *w++ = *r++;
              continue;
            }
          *w++ = *r++;
        }
      *w = '\0';
    }
  return out;
}

int
dock_write_atomic_at (int dirfd, const char *path, const void *data, size_t len, lcr_error_t *err)
{
  /* the temporary file sits beside the target ("dir/.name.tmp"), so rename stays in one
     directory and one file system */
  const char *slash = strrchr (path, '/');
  /* the pid in the name: writers outside the store lock (the store's first files) must not
     share a temporary file */
  cleanup_free char *tmp = NULL;
  if (slash)
    xasprintf (&tmp, "%.*s/.%s.%d.tmp", (int)(slash - path), path, slash + 1, (int)getpid ());
  else
    xasprintf (&tmp, ".%s.%d.tmp", path, (int)getpid ());
  if (lcr_write_file_at (dirfd, tmp, data, len, 0600, err) < 0)
    return -1;
  if (renameat (dirfd, tmp, dirfd, path) < 0)
    {
      int saved = errno;
      unlinkat (dirfd, tmp, 0);
      return lcr_error_make (err, saved, LCR_ERR_SYSTEM, "rename `%s`", path);
    }
  return 0;
}

int
jv_save_at (int dirfd, const char *path, jv v, lcr_error_t *err)
{
  cleanup_free char *s = jv_dump (v, false);
  return dock_write_atomic_at (dirfd, path, s, strlen (s), err);
}

static jv
node (yajl_type t)
{
  jv v = xmalloc0 (sizeof *v);
  v->type = t;
  return v;
}

jv
jv_obj (void)
{
  return node (yajl_t_object);
}

jv
jv_arr (void)
{
  return node (yajl_t_array);
}

jv
jv_strn (const char *s, size_t n)
{
  jv v = node (yajl_t_string);
  v->u.string = strndup (s, n);
  if (v->u.string == NULL)
    abort ();
  return v;
}

jv
jv_str (const char *s)
{
  return s ? jv_strn (s, strlen (s)) : jv_null ();
}

jv
jv_int (long long n)
{
  jv v = node (yajl_t_number);
  v->u.number.i = n;
  v->u.number.d = (double)n;
  v->u.number.flags = YAJL_NUMBER_INT_VALID | YAJL_NUMBER_DOUBLE_VALID;
  xasprintf (&v->u.number.r, "%lld", n);
  return v;
}

jv
jv_num (double d)
{
  jv v = node (yajl_t_number);
  v->u.number.d = d;
  v->u.number.flags = YAJL_NUMBER_DOUBLE_VALID;
  xasprintf (&v->u.number.r, "%.17g", d);
  return v;
}

jv
jv_bool (bool b)
{
  return node (b ? yajl_t_true : yajl_t_false);
}

jv
jv_null (void)
{
  return node (yajl_t_null);
}

jv
jv_copy (jv v)
{
  if (v == NULL)
    return NULL;
  switch (v->type)
    {
    case yajl_t_string:
      return jv_str (v->u.string);
    case yajl_t_number:
      {
        jv n = node (yajl_t_number);
        n->u.number = v->u.number;
        n->u.number.r = xstrdup (v->u.number.r);
        return n;
      }
    case yajl_t_object:
      {
        jv o = jv_obj ();
        for (size_t i = 0; i < v->u.object.len; i++)
          jv_set (o, v->u.object.keys[i], jv_copy (v->u.object.values[i]));
        return o;
      }
    case yajl_t_array:
      {
        jv a = jv_arr ();
        for (size_t i = 0; i < v->u.array.len; i++)
          jv_push (a, jv_copy (v->u.array.values[i]));
        return a;
      }
    default:
      return node (v->type);
    }
}

void
jv_free (jv v)
{
  if (v)
    yajl_tree_free (v);
}

jv
jv_set (jv obj, const char *key, jv val)
{
  if (val == NULL)
    val = jv_null ();
  for (size_t i = 0; i < obj->u.object.len; i++)
    if (strcmp (obj->u.object.keys[i], key) == 0)
      {
        jv_free (obj->u.object.values[i]);
        obj->u.object.values[i] = val;
        return val;
      }
  size_t n = obj->u.object.len;
  obj->u.object.keys = xrealloc ((void *)obj->u.object.keys, (n + 1) * sizeof (char *));
  obj->u.object.values = xrealloc (obj->u.object.values, (n + 1) * sizeof (jv));
  obj->u.object.keys[n] = xstrdup (key);
  obj->u.object.values[n] = val;
  obj->u.object.len = n + 1;
  return val;
}

void
jv_del (jv obj, const char *key)
{
  if (obj == NULL || obj->type != yajl_t_object)
    return;
  for (size_t i = 0; i < obj->u.object.len; i++)
    if (strcmp (obj->u.object.keys[i], key) == 0)
      {
        free ((void *)obj->u.object.keys[i]);
        jv_free (obj->u.object.values[i]);
        size_t rest = obj->u.object.len - i - 1;
        memmove (&obj->u.object.keys[i], &obj->u.object.keys[i + 1], rest * sizeof (char *));
        memmove (&obj->u.object.values[i], &obj->u.object.values[i + 1], rest * sizeof (jv));
        obj->u.object.len--;
        return;
      }
}

jv
jv_push (jv arr, jv val)
{
  if (val == NULL)
    val = jv_null ();
  size_t n = arr->u.array.len;
  arr->u.array.values = xrealloc (arr->u.array.values, (n + 1) * sizeof (jv));
  arr->u.array.values[n] = val;
  arr->u.array.len = n + 1;
  return val;
}

void
jv_remove_at (jv arr, size_t i)
{
  if (arr == NULL || arr->type != yajl_t_array || i >= arr->u.array.len)
    return;
  jv_free (arr->u.array.values[i]);
  memmove (&arr->u.array.values[i], &arr->u.array.values[i + 1], (arr->u.array.len - i - 1) * sizeof (jv));
  arr->u.array.len--;
}

jv
jv_get (jv obj, const char *key)
{
  if (obj == NULL || obj->type != yajl_t_object)
    return NULL;
  for (size_t i = 0; i < obj->u.object.len; i++)
    if (strcmp (obj->u.object.keys[i], key) == 0)
      return obj->u.object.values[i];
  return NULL;
}

jv
jv_get_obj (jv obj, const char *key)
{
  jv v = jv_get (obj, key);
  return v && v->type == yajl_t_object ? v : NULL;
}

jv
jv_get_arr (jv obj, const char *key)
{
  jv v = jv_get (obj, key);
  return v && v->type == yajl_t_array ? v : NULL;
}

const char *
jv_get_str (jv obj, const char *key)
{
  return jv_as_str (jv_get (obj, key));
}

long long
jv_get_int (jv obj, const char *key, long long dflt)
{
  jv v = jv_get (obj, key);
  if (v == NULL || v->type != yajl_t_number)
    return dflt;
  if (v->u.number.flags & YAJL_NUMBER_INT_VALID)
    return v->u.number.i;
  return (long long)v->u.number.d;
}

bool
jv_get_bool (jv obj, const char *key, bool dflt)
{
  jv v = jv_get (obj, key);
  if (v == NULL || (v->type != yajl_t_true && v->type != yajl_t_false))
    return dflt;
  return v->type == yajl_t_true;
}

jv
jv_path (jv v, ...)
{
  va_list ap;
  va_start (ap, v);
  const char *k;
  while (v && (k = va_arg (ap, const char *)) != NULL)
    v = jv_get (v, k);
  va_end (ap);
  return v;
}

jv
jv_child_obj (jv obj, const char *key)
{
  jv v = jv_get_obj (obj, key);
  return v ? v : jv_set (obj, key, jv_obj ());
}

jv
jv_child_arr (jv obj, const char *key)
{
  jv v = jv_get_arr (obj, key);
  return v ? v : jv_set (obj, key, jv_arr ());
}

size_t
jv_len (jv v)
{
  if (v == NULL)
    return 0;
  if (v->type == yajl_t_object)
    return v->u.object.len;
  if (v->type == yajl_t_array)
    return v->u.array.len;
  return 0;
}

const char *
jv_as_str (jv v)
{
  return v && v->type == yajl_t_string ? v->u.string : NULL;
}

bool
jv_is_true (jv v)
{
  return v && v->type == yajl_t_true;
}

const char **
jv_strv (jv arr)
{
  if (arr == NULL || arr->type != yajl_t_array)
    return NULL;
  const char **v = xmalloc0 ((arr->u.array.len + 1) * sizeof (char *));
  size_t n = 0;
  for (size_t i = 0; i < arr->u.array.len; i++)
    if (arr->u.array.values[i]->type == yajl_t_string)
      v[n++] = arr->u.array.values[i]->u.string;
  return v;
}

jv
jv_arr_of_strv (char *const *v, long n)
{
  jv a = jv_arr ();
  for (long i = 0; v && (n < 0 ? v[i] != NULL : i < n); i++)
    jv_push (a, jv_str (v[i]));
  return a;
}
