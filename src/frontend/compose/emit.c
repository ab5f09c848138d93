/* dock compose — `config`: the model written back as block YAML.
 *
 * Strings are written plain when YAML would read them back as the same string, else double
 * quoted; maps keep their order (the files' order, merged).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose/compose.h"

static bool
plain_ok (const char *s)
{
  static const char *const words[] = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n", NULL};
  if (s[0] == '\0')
    return false;
  for (size_t i = 0; words[i]; i++)
    if (strcasecmp (s, words[i]) == 0)
      return false;
  bool numeric = true;
  for (const char *p = s; *p; p++)
    {
      /* "a:b" stays plain with a letter in it; "8080:80" is quoted (YAML 1.1 read it as a
         base-60 number) */
      if (!isalnum ((unsigned char)*p) && !strchr ("_./-@+=,$", *p) && !(*p == ':' && p[1] != ' ' && p[1] != '\0'))
        return false;
      if (!isdigit ((unsigned char)*p) && *p != '.')
        numeric = false;
    }
  if (strchr ("-:@,", s[0]))
    return false;
  bool letter = false;
  for (const char *p = s; *p; p++)
    letter = letter || isalpha ((unsigned char)*p);
  if (strchr (s, ':') && !letter)
    return false;
  return !numeric;
}

/* a value as a compose file writes it: `$` as `$$`, so that the output read back (by dock or
   compose) interpolates to the same model */
static void
put_value (FILE *out, const char *s, bool escape)
{
  for (const char *p = s; *p; p++)
    {
      if (*p == '$' && escape)
        fputc ('$', out);
      fputc (*p, out);
    }
}

static void
emit_text (FILE *out, const char *s, bool escape)
{
  if (plain_ok (s))
    {
      put_value (out, s, escape);
      return;
    }
  fputc ('"', out);
  for (const char *p = s; *p; p++)
    switch (*p)
      {
      case '"':
        fputs ("\\\"", out);
        break;
      case '\\':
        fputs ("\\\\", out);
        break;
      case '\n':
        fputs ("\\n", out);
        break;
      case '\t':
        fputs ("\\t", out);
        break;
      case '$':
        fputs (escape ? "$$" : "$", out);
        break;
      default:
        if ((unsigned char)*p < 0x20)
          fprintf (out, "\\x%02x", (unsigned char)*p);
        else
          fputc (*p, out);
      }
  fputc ('"', out);
}

static void
emit_str (FILE *out, const char *s)
{
  emit_text (out, s, true);
}

/* keys are never interpolated: written as they are */
static void
emit_key (FILE *out, const char *s)
{
  emit_text (out, s, false);
}

static void
emit_scalar (FILE *out, jv v)
{
  if (v == NULL || YAJL_IS_NULL (v))
    fputs ("null", out);
  else if (YAJL_IS_STRING (v))
    emit_str (out, v->u.string);
  else if (YAJL_IS_TRUE (v))
    fputs ("true", out);
  else if (YAJL_IS_FALSE (v))
    fputs ("false", out);
  else if (YAJL_IS_NUMBER (v))
    fputs (v->u.number.r, out);
}

static bool
is_block (jv v)
{
  return v && ((YAJL_IS_OBJECT (v) && v->u.object.len) || (YAJL_IS_ARRAY (v) && v->u.array.len));
}

static void
emit (FILE *out, jv v, int indent)
{
  if (YAJL_IS_OBJECT (v))
    for (size_t i = 0; i < v->u.object.len; i++)
      {
        jv c = v->u.object.values[i];
        fprintf (out, "%*s", indent, "");
        emit_key (out, v->u.object.keys[i]);
        fputc (':', out);
        if (is_block (c))
          {
            fputc ('\n', out);
            emit (out, c, indent + 2);
          }
        else
          {
            fputc (' ', out);
            if (YAJL_IS_OBJECT (c))
              fputs ("{}", out);
            else if (YAJL_IS_ARRAY (c))
              fputs ("[]", out);
            else
              emit_scalar (out, c);
            fputc ('\n', out);
          }
      }
  else if (YAJL_IS_ARRAY (v))
    for (size_t i = 0; i < v->u.array.len; i++)
      {
        jv c = v->u.array.values[i];
        fprintf (out, "%*s- ", indent, "");
        if (is_block (c))
          {
            /* a map or list in a list: its first line after the dash, the rest indented */
            char *buf = NULL;
            size_t len = 0;
            FILE *m = open_memstream (&buf, &len);
            if (m == NULL)
              abort (); /* out of memory */
            emit (m, c, indent + 2);
            fclose (m);
            fputs (buf + indent + 2, out);
            free (buf);
          }
        else
          {
            emit_scalar (out, c);
            fputc ('\n', out);
          }
      }
  else
    {
      fprintf (out, "%*s", indent, "");
      emit_scalar (out, v);
      fputc ('\n', out);
    }
}

void
compose_emit_yaml (FILE *out, jv v)
{
  emit (out, v, 0);
}
