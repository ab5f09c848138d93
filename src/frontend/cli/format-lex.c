/* dock — `--format` templates: the lexer (see format-internal.h).
 *
 * The whole template becomes one array of tokens: text, delimiters, and the words of each
 * action, spaces included because they separate arguments while `$x.Foo` is one operand.
 * {{- and -}} trim the neighbouring text here; comments leave no token.  Errors name the line
 * as Go's do.
 */
#define _GNU_SOURCE
#include "format-internal.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "utils.h"

int
fmt_line_of (const char *src, int pos, int *col)
{
  int line = 1, last_nl = -1;
  for (int i = 0; i < pos && src[i]; i++)
    if (src[i] == '\n')
      {
        line++;
        last_nl = i;
      }
  if (col)
    *col = pos - last_nl - 1;
  return line;
}

int
fmt_parse_error (lcr_error_t *err, const char *src, int pos, const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    abort ();
  va_end (ap);
  return lcr_error_invalid (err, "template: :%d: %s", fmt_line_of (src, pos, NULL), msg);
}

static struct tok *
emit (struct lexer *lx, enum tok_type type, size_t pos, size_t end)
{
  if (lx->nt == lx->cap)
    {
      lx->cap = lx->cap ? lx->cap * 2 : 64;
      lx->v = xrealloc (lx->v, lx->cap * sizeof *lx->v);
    }
  struct tok *t = &lx->v[lx->nt++];
  memset (t, 0, sizeof *t);
  t->type = type;
  t->pos = (int)pos;
  t->end = (int)end;
  return t;
}

void
fmt_free_toks (struct tok *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (v[i].s);
      jv_free (v[i].lit);
    }
  free (v);
}

static bool
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool
is_word (char c)
{
  return isalnum ((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

static void
put_utf8 (struct fbuf *b, unsigned long r)
{
  char u[4];
  if (r < 0x80)
    fbuf_putc (b, (char)r);
  else if (r < 0x800)
    {
      u[0] = (char)(0xc0 | (r >> 6));
      u[1] = (char)(0x80 | (r & 0x3f));
      fbuf_add (b, u, 2);
    }
  else if (r < 0x10000)
    {
      u[0] = (char)(0xe0 | (r >> 12));
      u[1] = (char)(0x80 | ((r >> 6) & 0x3f));
      u[2] = (char)(0x80 | (r & 0x3f));
      fbuf_add (b, u, 3);
    }
  else
    {
      u[0] = (char)(0xf0 | (r >> 18));
      u[1] = (char)(0x80 | ((r >> 12) & 0x3f));
      u[2] = (char)(0x80 | ((r >> 6) & 0x3f));
      u[3] = (char)(0x80 | (r & 0x3f));
      fbuf_add (b, u, 4);
    }
}

/* One escape of a Go quoted string at s[*i] (after the backslash); false when malformed. */
static bool
unescape (const char *s, size_t n, size_t *i, char quote, struct fbuf *b)
{
  if (*i >= n)
    return false;
  char c = s[(*i)++];
  const char *simple = strchr ("abfnrtv\\", c);
  if (simple && c)
    {
      fbuf_putc (b, "\a\b\f\n\r\t\v\\"[simple - "abfnrtv\\"]);
      return true;
    }
  if (c == quote)
    {
      fbuf_putc (b, c);
      return true;
    }
  int digits = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : (c >= '0' && c <= '7') ? 3 : 0;
  if (digits == 0 || *i + digits - (c >= '0' && c <= '7') > n)
    return false;
  unsigned long r = 0;
  if (c >= '0' && c <= '7')
    {
      (*i)--;
      for (int k = 0; k < 3; k++)
        {
          if (s[*i] < '0' || s[*i] > '7')
            return false;
          r = r * 8 + (unsigned long)(s[(*i)++] - '0');
        }
      if (r > 255)
        return false;
      fbuf_putc (b, (char)r);
      return true;
    }
  for (int k = 0; k < digits; k++)
    {
      char h = s[(*i)++];
      if (!isxdigit ((unsigned char)h))
        return false;
      r = r * 16 + (unsigned long)(isdigit ((unsigned char)h) ? h - '0' : (tolower ((unsigned char)h) - 'a' + 10));
    }
  if (c == 'x')
    fbuf_putc (b, (char)r);
  else if (r > 0x10ffff || (r >= 0xd800 && r < 0xe000))
    return false;
  else
    put_utf8 (b, r);
  return true;
}

/* A quoted string, raw string or char constant starting at p; returns the end or 0. */
static size_t
lex_quote (struct lexer *lx, size_t p)
{
  const char *s = lx->src;
  char q = s[p];
  struct fbuf b = {0};
  size_t i = p + 1;
  for (;;)
    {
      if (i >= lx->n || (q != '`' && s[i] == '\n'))
        {
          free (fbuf_steal (&b));
          fmt_parse_error (lx->err, s, (int)p,
                           q == '\'' ? "unterminated character constant" : "unterminated quoted string");
          return 0;
        }
      char c = s[i++];
      if (c == q)
        break;
      if (c == '\\' && q != '`')
        {
          if (!unescape (s, lx->n, &i, q, &b))
            {
              free (fbuf_steal (&b));
              fmt_parse_error (lx->err, s, (int)p, "invalid syntax in quoted string: %.*s", (int)(i - p), s + p);
              return 0;
            }
        }
      else
        fbuf_putc (&b, c);
    }
  size_t len = b.len;
  char *text = fbuf_steal (&b);
  struct tok *t = emit (lx, T_LIT, p, i);
  if (q != '\'')
    {
      t->lit = jv_strn (text, len);
      free (text);
      return i;
    }
  /* a char constant is its code point, as an int */
  const unsigned char *u = (const unsigned char *)text;
  long long r = u[0];
  if (len > 1 && u[0] >= 0xc0)
    {
      int extra = u[0] >= 0xf0 ? 3 : u[0] >= 0xe0 ? 2 : 1;
      r = u[0] & (0x3f >> extra);
      for (int k = 1; k <= extra && (size_t)k < len; k++)
        r = (r << 6) | (u[k] & 0x3f);
      if ((size_t)extra + 1 != len)
        r = -1;
    }
  else if (len != 1)
    r = -1;
  free (text);
  if (r < 0)
    {
      fmt_parse_error (lx->err, s, (int)p, "malformed character constant: %.*s", (int)(i - p), s + p);
      return 0;
    }
  t->lit = jv_int (r);
  return i;
}

static size_t
lex_number (struct lexer *lx, size_t p)
{
  const char *s = lx->src;
  size_t i = p;
  if (s[i] == '+' || s[i] == '-')
    i++;
  while (i < lx->n
         && (is_word (s[i]) || s[i] == '.'
             || ((s[i] == '+' || s[i] == '-') && i > p && strchr ("eEpP", s[i - 1])
                 && !(s[p + 1] == '0' && (s[p + 2] == 'x' || s[p + 2] == 'X')))))
    i++;
  /* Go's literal syntax: 0x 0o 0b prefixes and _ separators */
  struct fbuf b = {0};
  for (size_t k = p; k < i; k++)
    if (s[k] != '_')
      fbuf_putc (&b, s[k]);
  cleanup_free char *text = fbuf_steal (&b);
  char *digits = text, sign = 0;
  if (*digits == '+' || *digits == '-')
    sign = *digits++;
  int base = 0;
  if (digits[0] == '0' && (digits[1] == 'o' || digits[1] == 'O'))
    base = 8, digits += 2;
  else if (digits[0] == '0' && (digits[1] == 'b' || digits[1] == 'B'))
    base = 2, digits += 2;
  char *end;
  errno = 0;
  unsigned long long u = *digits ? strtoull (digits, &end, base) : 0;
  jv lit = NULL;
  if (*digits && *end == '\0' && errno == 0 && u <= (unsigned long long)LLONG_MAX + (sign == '-'))
    lit = jv_int (sign == '-' ? (long long)(0 - u) : (long long)u);
  else
    {
      errno = 0;
      double d = strtod (text, &end);
      if (*text && *end == '\0' && errno == 0 && base == 0)
        lit = jv_num (d);
    }
  if (lit == NULL)
    {
      fmt_parse_error (lx->err, s, (int)p, "bad number syntax: \"%.*s\"", (int)(i - p), s + p);
      return 0;
    }
  emit (lx, T_LIT, p, i)->lit = lit;
  return i;
}

static size_t
lex_word (struct lexer *lx, enum tok_type type, size_t p, size_t start)
{
  size_t i = start;
  while (i < lx->n && is_word (lx->src[i]))
    i++;
  char *w = strndup (lx->src + p, i - p);
  if (w == NULL)
    abort ();
  if (type == T_IDENT && (strcmp (w, "true") == 0 || strcmp (w, "false") == 0 || strcmp (w, "nil") == 0))
    {
      emit (lx, T_LIT, p, i)->lit = w[0] == 'n' ? jv_null () : jv_bool (w[0] == 't');
      free (w);
      return i;
    }
  struct tok *t = emit (lx, type, p, i);
  t->s = w;
  t->len = i - p;
  return i;
}

/* The inside of one action, from p; returns the position after its "}}" and whether it trims
   the text that follows. */
static size_t
lex_action (struct lexer *lx, size_t p, bool *trim_next)
{
  const char *s = lx->src;
  int depth = 0;
  for (;;)
    {
      if (p >= lx->n)
        {
          fmt_parse_error (lx->err, s, (int)lx->n, "unclosed action");
          return 0;
        }
      char c = s[p];
      if (c == '}' && s[p + 1] == '}')
        {
          if (depth > 0)
            {
              fmt_parse_error (lx->err, s, (int)p, "unclosed left paren");
              return 0;
            }
          emit (lx, T_RDELIM, p, p + 2);
          return p + 2;
        }
      if (is_space (c))
        {
          size_t q = p;
          while (q < lx->n && is_space (s[q]))
            q++;
          if (strncmp (s + q, "-}}", 3) == 0)
            {
              if (depth > 0)
                {
                  fmt_parse_error (lx->err, s, (int)p, "unclosed left paren");
                  return 0;
                }
              *trim_next = true;
              emit (lx, T_RDELIM, q, q + 3);
              return q + 3;
            }
          emit (lx, T_SPACE, p, q);
          p = q;
          continue;
        }
      size_t next = p + 1;
      switch (c)
        {
        case '=':
          emit (lx, T_ASSIGN, p, next);
          break;
        case ':':
          if (s[p + 1] != '=')
            {
              fmt_parse_error (lx->err, s, (int)p, "expected :=");
              return 0;
            }
          next = p + 2;
          emit (lx, T_DECLARE, p, next);
          break;
        case '|':
          emit (lx, T_PIPE, p, next);
          break;
        case ',':
          emit (lx, T_COMMA, p, next);
          break;
        case '(':
          if (++depth > FMT_MAX_DEPTH)
            {
              fmt_parse_error (lx->err, s, (int)p, "parentheses nested too deeply");
              return 0;
            }
          emit (lx, T_LPAREN, p, next);
          break;
        case ')':
          if (--depth < 0)
            {
              fmt_parse_error (lx->err, s, (int)p, "unexpected \")\" in command");
              return 0;
            }
          emit (lx, T_RPAREN, p, next);
          break;
        case '"':
        case '`':
        case '\'':
          next = lex_quote (lx, p);
          break;
        case '$':
          next = lex_word (lx, T_VAR, p, p + 1);
          break;
        case '.':
          if (isdigit ((unsigned char)s[p + 1]))
            next = lex_number (lx, p);
          else if (is_word (s[p + 1]))
            next = lex_word (lx, T_FIELD, p, p + 1);
          else
            emit (lx, T_DOT, p, next);
          break;
        default:
          if (isdigit ((unsigned char)c)
              || ((c == '+' || c == '-') && (isdigit ((unsigned char)s[p + 1]) || s[p + 1] == '.')))
            next = lex_number (lx, p);
          else if (is_word (c))
            next = lex_word (lx, T_IDENT, p, p);
          else
            {
              fmt_parse_error (lx->err, s, (int)p, "bad character U+%04X '%c'", (unsigned char)c, c);
              return 0;
            }
        }
      if (next == 0)
        return 0;
      p = next;
    }
}

int
fmt_lex (struct lexer *lx)
{
  const char *s = lx->src;
  size_t p = 0;
  bool trim = false; /* the previous action ended with -}} */
  for (;;)
    {
      const char *open = strstr (s + p, "{{");
      size_t end = open ? (size_t)(open - s) : lx->n;
      size_t start = p;
      if (trim)
        while (start < end && is_space (s[start]))
          start++;
      size_t inner = end + 2;
      bool trim_left = open && s[end + 2] == '-' && is_space (s[end + 3]);
      size_t text_end = end;
      if (trim_left)
        {
          while (text_end > start && is_space (s[text_end - 1]))
            text_end--;
          inner = end + 4;
        }
      if (text_end > start)
        {
          struct tok *t = emit (lx, T_TEXT, start, text_end);
          t->s = strndup (s + start, text_end - start);
          t->len = text_end - start;
          if (t->s == NULL)
            abort ();
        }
      if (open == NULL)
        {
          emit (lx, T_EOF, lx->n, lx->n);
          return 0;
        }
      trim = false;
      /* a comment is an action of its own (slash-star … star-slash), trim markers allowed */
      size_t q = inner;
      while (trim_left && q < lx->n && is_space (s[q]))
        q++;
      if (strncmp (s + q, "/*", 2) == 0)
        {
          const char *close = strstr (s + q + 2, "*/");
          if (close == NULL)
            return fmt_parse_error (lx->err, s, (int)q, "unclosed comment");
          size_t after = (size_t)(close - s) + 2;
          if (strncmp (s + after, "}}", 2) == 0)
            p = after + 2;
          else if (is_space (s[after]) && strncmp (s + after + 1, "-}}", 3) == 0)
            {
              p = after + 4;
              trim = true;
            }
          else
            return fmt_parse_error (lx->err, s, (int)q, "comment ends before closing delimiter");
          continue;
        }
      emit (lx, T_LDELIM, end, inner);
      p = lex_action (lx, inner, &trim);
      if (p == 0)
        return -1;
    }
}
