/* dock — `--format` templates: lexing and parsing (see format.h, format-internal.h).
 *
 * The lexer turns the whole template into tokens (text, delimiters, and the words of each
 * action, spaces included because they separate arguments while `$x.Foo` is one operand); the
 * parser is recursive descent over them.  Both stop at the first error, which names the line as
 * Go's does ("template: :1: unexpected \"}\" in operand").
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

/* the parser and the executor recurse on nesting (parentheses, if / range / with): bound it */
#define FMT_MAX_DEPTH 100

enum tok_type
{
  T_EOF,
  T_TEXT,
  T_LDELIM,
  T_RDELIM,
  T_SPACE,
  T_DOT,
  T_FIELD,
  T_VAR,
  T_IDENT,
  T_LIT, /* string, number, char, true, false, nil */
  T_LPAREN,
  T_RPAREN,
  T_PIPE,
  T_DECLARE,
  T_ASSIGN,
  T_COMMA,
};

struct tok
{
  enum tok_type type;
  int pos, end;
  char *s; /* text, name */
  size_t len;
  jv lit;
};

struct lexer
{
  const char *src;
  size_t n;
  struct tok *v;
  size_t nt, cap;
  lcr_error_t *err;
};

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

static int __attribute__ ((format (printf, 4, 5)))
parse_error (lcr_error_t *err, const char *src, int pos, const char *fmt, ...)
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

static void
free_toks (struct tok *v, size_t n)
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
          parse_error (lx->err, s, (int)p,
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
              parse_error (lx->err, s, (int)p, "invalid syntax in quoted string: %.*s", (int)(i - p), s + p);
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
      parse_error (lx->err, s, (int)p, "malformed character constant: %.*s", (int)(i - p), s + p);
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
      parse_error (lx->err, s, (int)p, "bad number syntax: \"%.*s\"", (int)(i - p), s + p);
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
          parse_error (lx->err, s, (int)lx->n, "unclosed action");
          return 0;
        }
      char c = s[p];
      if (c == '}' && s[p + 1] == '}')
        {
          if (depth > 0)
            {
              parse_error (lx->err, s, (int)p, "unclosed left paren");
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
                  parse_error (lx->err, s, (int)p, "unclosed left paren");
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
              parse_error (lx->err, s, (int)p, "expected :=");
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
              parse_error (lx->err, s, (int)p, "parentheses nested too deeply");
              return 0;
            }
          emit (lx, T_LPAREN, p, next);
          break;
        case ')':
          if (--depth < 0)
            {
              parse_error (lx->err, s, (int)p, "unexpected \")\" in command");
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
              parse_error (lx->err, s, (int)p, "bad character U+%04X '%c'", (unsigned char)c, c);
              return 0;
            }
        }
      if (next == 0)
        return 0;
      p = next;
    }
}

static int
lex (struct lexer *lx)
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
            return parse_error (lx->err, s, (int)q, "unclosed comment");
          size_t after = (size_t)(close - s) + 2;
          if (strncmp (s + after, "}}", 2) == 0)
            p = after + 2;
          else if (is_space (s[after]) && strncmp (s + after + 1, "-}}", 3) == 0)
            {
              p = after + 4;
              trim = true;
            }
          else
            return parse_error (lx->err, s, (int)q, "comment ends before closing delimiter");
          continue;
        }
      emit (lx, T_LDELIM, end, inner);
      p = lex_action (lx, inner, &trim);
      if (p == 0)
        return -1;
    }
}

/* ---- parser ---- */

struct parser
{
  const char *src;
  struct tok *t;
  size_t i;
  const char **vars; /* declared variables, innermost last */
  size_t nvars, capvars;
  int range_depth;
  int depth; /* of if / range / with */
  lcr_error_t *err;
};

enum term
{
  TERM_EOF,
  TERM_END,
  TERM_ELSE,
};

static void free_pipe (struct fmt_pipe *p);
static void free_list (struct fmt_list *l);

static void
free_arg (struct fmt_arg *a)
{
  free (a->src);
  free (a->var);
  jv_free (a->lit);
  free_pipe (a->pipe);
  for (size_t i = 0; i < a->nfields; i++)
    free (a->fields[i]);
  free (a->fields);
}

static void
free_pipe (struct fmt_pipe *p)
{
  if (p == NULL)
    return;
  for (size_t i = 0; i < p->ncmds; i++)
    {
      for (size_t j = 0; j < p->cmds[i].nargs; j++)
        free_arg (&p->cmds[i].args[j]);
      free (p->cmds[i].args);
      free (p->cmds[i].src);
    }
  free (p->cmds);
  free (p->decl[0]);
  free (p->decl[1]);
  free (p);
}

static void
free_node (struct fmt_node *n)
{
  if (n == NULL)
    return;
  free (n->text);
  free_pipe (n->pipe);
  free_list (&n->body);
  free_list (&n->alt);
  free (n);
}

static void
free_list (struct fmt_list *l)
{
  for (size_t i = 0; i < l->n; i++)
    free_node (l->v[i]);
  free (l->v);
  l->v = NULL;
  l->n = 0;
}

static void
list_add (struct fmt_list *l, struct fmt_node *n)
{
  l->v = xrealloc (l->v, (l->n + 1) * sizeof *l->v);
  l->v[l->n++] = n;
}

static struct tok *
peek (struct parser *p)
{
  return &p->t[p->i];
}

static void
skip_space (struct parser *p)
{
  while (p->t[p->i].type == T_SPACE)
    p->i++;
}

static const char *
tok_desc (struct parser *p, struct tok *t, char *buf, size_t len)
{
  switch (t->type)
    {
    case T_EOF:
      return "EOF";
    case T_RDELIM:
      return "\"}}\"";
    default:
      snprintf (buf, len, "\"%.*s\"", t->end - t->pos > 40 ? 40 : t->end - t->pos, p->src + t->pos);
      return buf;
    }
}

static int
unexpected (struct parser *p, struct tok *t, const char *context)
{
  char buf[64];
  return parse_error (p->err, p->src, t->pos, "unexpected %s in %s", tok_desc (p, t, buf, sizeof buf), context);
}

static bool
var_defined (struct parser *p, const char *name)
{
  for (size_t i = p->nvars; i-- > 0;)
    if (strcmp (p->vars[i], name) == 0)
      return true;
  return false;
}

static void
var_push (struct parser *p, const char *name)
{
  if (p->nvars == p->capvars)
    {
      p->capvars = p->capvars ? p->capvars * 2 : 8;
      p->vars = xrealloc (p->vars, p->capvars * sizeof *p->vars);
    }
  p->vars[p->nvars++] = name;
}

static struct fmt_pipe *parse_pipeline (struct parser *p, const char *context, enum tok_type closer);

static int
parse_operand (struct parser *p, struct fmt_arg *a)
{
  struct tok *t = peek (p);
  memset (a, 0, sizeof *a);
  a->pos = a->errpos = t->pos;
  switch (t->type)
    {
    case T_DOT:
    case T_FIELD:
      a->type = A_DOT;
      if (t->type == T_DOT)
        p->i++;
      break;
    case T_VAR:
      if (!var_defined (p, t->s))
        return parse_error (p->err, p->src, t->pos, "undefined variable \"%s\"", t->s);
      a->type = A_VAR;
      a->var = xstrdup (t->s);
      p->i++;
      break;
    case T_LIT:
      a->type = A_LIT;
      a->lit = steal_pointer (&t->lit);
      p->i++;
      break;
    case T_IDENT:
      if (strcmp (t->s, "if") == 0 || strcmp (t->s, "else") == 0 || strcmp (t->s, "end") == 0
          || strcmp (t->s, "range") == 0 || strcmp (t->s, "with") == 0 || strcmp (t->s, "break") == 0
          || strcmp (t->s, "continue") == 0)
        return unexpected (p, t, "command");
      a->type = A_FUNC;
      a->func = fmt_func_lookup (t->s);
      if (a->func == NULL)
        return parse_error (p->err, p->src, t->pos, "function \"%s\" not defined", t->s);
      p->i++;
      break;
    case T_LPAREN:
      p->i++;
      a->type = A_PIPE;
      a->pipe = parse_pipeline (p, "parenthesized pipeline", T_RPAREN);
      if (a->pipe == NULL)
        return -1;
      p->i++; /* the ')' */
      break;
    default:
      return unexpected (p, t, "operand");
    }
  while (peek (p)->type == T_FIELD)
    {
      t = peek (p);
      if (a->type == A_LIT || a->type == A_FUNC)
        return parse_error (p->err, p->src, t->pos, "unexpected . after term \"%.*s\"", (int)(t->pos - a->pos),
                            p->src + a->pos);
      if (a->nfields == (a->type == A_DOT ? 1u : 0u))
        a->errpos = t->pos;
      a->fields = xrealloc (a->fields, (a->nfields + 1) * sizeof *a->fields);
      a->fields[a->nfields++] = xstrdup (t->s + 1);
      p->i++;
    }
  a->src = strndup (p->src + a->pos, (size_t)(p->t[p->i - 1].end - a->pos));
  if (a->src == NULL)
    abort ();
  return 0;
}

static int
parse_command (struct parser *p, struct fmt_cmd *c, enum tok_type closer, const char *context)
{
  memset (c, 0, sizeof *c);
  skip_space (p);
  c->pos = peek (p)->pos;
  int end = c->pos;
  for (;;)
    {
      skip_space (p);
      struct tok *t = peek (p);
      if (t->type == closer || t->type == T_PIPE)
        break;
      if (t->type == T_RDELIM || t->type == T_RPAREN || t->type == T_EOF)
        return unexpected (p, t, "operand");
      c->args = xrealloc (c->args, (c->nargs + 1) * sizeof *c->args);
      if (parse_operand (p, &c->args[c->nargs]) < 0)
        {
          free_arg (&c->args[c->nargs]);
          return -1;
        }
      c->nargs++;
      end = p->t[p->i - 1].end;
      t = peek (p);
      if (t->type != T_SPACE && t->type != closer && t->type != T_PIPE)
        return unexpected (p, t, "operand");
    }
  if (c->nargs == 0)
    return parse_error (p->err, p->src, c->pos, "missing value for %s", context);
  c->src = strndup (p->src + c->pos, (size_t)(end - c->pos));
  if (c->src == NULL)
    abort ();
  return 0;
}

/* [decl] cmd | cmd …, up to (not including) `closer`. */
static struct fmt_pipe *
parse_pipeline (struct parser *p, const char *context, enum tok_type closer)
{
  struct fmt_pipe *pipe = xmalloc0 (sizeof *pipe);
  skip_space (p);
  pipe->pos = peek (p)->pos;
  /* a declaration: $x := / $x = / $i, $e := */
  size_t j = p->i;
  if (p->t[j].type == T_VAR)
    {
      size_t k = j + 1;
      while (p->t[k].type == T_SPACE)
        k++;
      size_t second = 0;
      if (p->t[k].type == T_COMMA)
        {
          k++;
          while (p->t[k].type == T_SPACE)
            k++;
          if (p->t[k].type == T_VAR)
            second = k++;
          while (p->t[k].type == T_SPACE)
            k++;
        }
      if (p->t[k].type == T_DECLARE || p->t[k].type == T_ASSIGN)
        {
          if (second && strcmp (context, "range") != 0)
            {
              parse_error (p->err, p->src, p->t[j].pos, "too many declarations in %s", context);
              free_pipe (pipe);
              return NULL;
            }
          pipe->assign = p->t[k].type == T_ASSIGN;
          pipe->decl[pipe->ndecl++] = xstrdup (p->t[j].s);
          if (second)
            pipe->decl[pipe->ndecl++] = xstrdup (p->t[second].s);
          for (int d = 0; d < pipe->ndecl; d++)
            if (pipe->assign && !var_defined (p, pipe->decl[d]))
              {
                parse_error (p->err, p->src, p->t[j].pos, "undefined variable \"%s\"", pipe->decl[d]);
                free_pipe (pipe);
                return NULL;
              }
          p->i = k + 1;
        }
    }
  for (;;)
    {
      pipe->cmds = xrealloc (pipe->cmds, (pipe->ncmds + 1) * sizeof *pipe->cmds);
      if (parse_command (p, &pipe->cmds[pipe->ncmds], closer, context) < 0)
        {
          pipe->ncmds++;
          free_pipe (pipe);
          return NULL;
        }
      pipe->ncmds++;
      if (peek (p)->type != T_PIPE)
        break;
      p->i++;
    }
  if (peek (p)->type != closer)
    {
      unexpected (p, peek (p), context);
      free_pipe (pipe);
      return NULL;
    }
  /* the variables exist once declared: visible to the rest of the enclosing block */
  if (!pipe->assign)
    for (int d = 0; d < pipe->ndecl; d++)
      var_push (p, pipe->decl[d]);
  return pipe;
}

static int parse_list (struct parser *p, struct fmt_list *l, enum term *term);

static int
expect_rdelim (struct parser *p, const char *context)
{
  skip_space (p);
  if (peek (p)->type != T_RDELIM)
    return unexpected (p, peek (p), context);
  p->i++;
  return 0;
}

static struct fmt_node *parse_control_body (struct parser *p, enum fmt_node_type type, const char *name, int pos);

/* if / range / with, after its keyword; consumes through the matching {{end}}. */
static struct fmt_node *
parse_control (struct parser *p, enum fmt_node_type type, const char *name, int pos)
{
  if (p->depth >= FMT_MAX_DEPTH)
    {
      parse_error (p->err, p->src, pos, "{{%s}} nested too deeply", name);
      return NULL;
    }
  p->depth++;
  struct fmt_node *n = parse_control_body (p, type, name, pos);
  p->depth--;
  return n;
}

static struct fmt_node *
parse_control_body (struct parser *p, enum fmt_node_type type, const char *name, int pos)
{
  size_t mark = p->nvars;
  struct fmt_node *n = xmalloc0 (sizeof *n);
  n->type = type;
  n->pos = pos;
  enum term term;
  n->pipe = parse_pipeline (p, name, T_RDELIM);
  if (n->pipe == NULL)
    goto fail;
  p->i++;
  if (type == N_RANGE)
    p->range_depth++;
  int r = parse_list (p, &n->body, &term);
  if (type == N_RANGE)
    p->range_depth--;
  if (r < 0)
    goto fail;
  if (term == TERM_EOF)
    {
      parse_error (p->err, p->src, peek (p)->pos, "unexpected EOF");
      goto fail;
    }
  if (term == TERM_ELSE)
    {
      skip_space (p);
      struct tok *t = peek (p);
      /* {{else if …}} (and with's {{else with …}}) chain: one {{end}} closes them all */
      if (t->type == T_IDENT && type != N_RANGE && strcmp (t->s, name) == 0)
        {
          p->i++;
          struct fmt_node *inner = parse_control (p, type, name, t->pos);
          if (inner == NULL)
            goto fail;
          list_add (&n->alt, inner);
        }
      else
        {
          if (expect_rdelim (p, "else") < 0 || parse_list (p, &n->alt, &term) < 0)
            goto fail;
          if (term != TERM_END)
            {
              if (term == TERM_EOF)
                parse_error (p->err, p->src, peek (p)->pos, "unexpected EOF");
              else
                parse_error (p->err, p->src, peek (p)->pos, "expected end; found {{else}}");
              goto fail;
            }
        }
    }
  p->nvars = mark;
  return n;
fail:
  p->nvars = mark;
  free_node (n);
  return NULL;
}

static int
parse_list (struct parser *p, struct fmt_list *l, enum term *term)
{
  for (;;)
    {
      struct tok *t = peek (p);
      if (t->type == T_EOF)
        {
          *term = TERM_EOF;
          return 0;
        }
      if (t->type == T_TEXT)
        {
          struct fmt_node *n = xmalloc0 (sizeof *n);
          n->type = N_TEXT;
          n->pos = t->pos;
          n->text = steal_pointer (&t->s);
          n->len = t->len;
          list_add (l, n);
          p->i++;
          continue;
        }
      /* an action */
      int pos = t->pos;
      p->i++;
      skip_space (p);
      t = peek (p);
      const char *kw = t->type == T_IDENT ? t->s : "";
      if (strcmp (kw, "end") == 0 || strcmp (kw, "else") == 0)
        {
          p->i++;
          *term = kw[1] == 'n' ? TERM_END : TERM_ELSE;
          return *term == TERM_END ? expect_rdelim (p, "end") : 0;
        }
      struct fmt_node *n = NULL;
      if (strcmp (kw, "if") == 0 || strcmp (kw, "range") == 0 || strcmp (kw, "with") == 0)
        {
          p->i++;
          n = parse_control (p, kw[0] == 'i' ? N_IF : kw[0] == 'r' ? N_RANGE : N_WITH, kw, pos);
          if (n == NULL)
            return -1;
        }
      else if (strcmp (kw, "break") == 0 || strcmp (kw, "continue") == 0)
        {
          if (p->range_depth == 0)
            return parse_error (p->err, p->src, t->pos, "{{%s}} outside {{range}}", kw);
          p->i++;
          if (expect_rdelim (p, kw) < 0)
            return -1;
          n = xmalloc0 (sizeof *n);
          n->type = kw[0] == 'b' ? N_BREAK : N_CONTINUE;
          n->pos = pos;
        }
      else if (strcmp (kw, "define") == 0 || strcmp (kw, "template") == 0 || strcmp (kw, "block") == 0)
        return parse_error (p->err, p->src, t->pos, "{{%s}} is not supported", kw);
      else
        {
          n = xmalloc0 (sizeof *n);
          n->type = N_ACTION;
          n->pos = pos;
          n->pipe = parse_pipeline (p, "command", T_RDELIM);
          if (n->pipe == NULL)
            {
              free_node (n);
              return -1;
            }
          p->i++;
        }
      list_add (l, n);
    }
}

/* docker's list commands rewrite the format before parsing it (see DOCK_FORMAT_LISTING). */
static char *
listing_text (const char *format, bool *table)
{
  *table = dock_format_is_table (format);
  if (strcmp (format, "json") == 0)
    return xstrdup ("{{json .}}");
  const char *s = *table ? format + strlen ("table") : format;
  while (*s == ' ')
    s++;
  size_t n = strlen (s);
  while (n > 0 && s[n - 1] == ' ')
    n--;
  struct fbuf b = {0};
  for (size_t i = 0; i < n; i++)
    if (s[i] == '\\' && i + 1 < n && (s[i + 1] == 't' || s[i + 1] == 'n'))
      fbuf_putc (&b, s[++i] == 't' ? '\t' : '\n');
    else
      fbuf_putc (&b, s[i]);
  return fbuf_steal (&b);
}

int
dock_format_compile (const char *tmpl, unsigned flags, struct dock_tmpl **out, lcr_error_t *err)
{
  struct dock_tmpl *t = xmalloc0 (sizeof *t);
  t->flags = flags;
  t->maps = dock_format_docker_maps;
  t->src = (flags & DOCK_FORMAT_LISTING) ? listing_text (tmpl, &t->table) : xstrdup (tmpl);
  struct lexer lx = {.src = t->src, .n = strlen (t->src), .err = err};
  int r = lex (&lx);
  if (r == 0)
    {
      struct parser p = {.src = t->src, .t = lx.v, .err = err};
      enum term term;
      var_push (&p, "$");
      r = parse_list (&p, &t->root, &term);
      if (r == 0 && term != TERM_EOF)
        r = parse_error (err, t->src, p.t[p.i - 1].pos, "unexpected {{%s}}", term == TERM_END ? "end" : "else");
      free (p.vars);
    }
  free_toks (lx.v, lx.nt);
  if (r < 0)
    {
      dock_format_free (t);
      return -1;
    }
  *out = t;
  return 0;
}

void
dock_format_free (struct dock_tmpl *t)
{
  if (t == NULL)
    return;
  free_list (&t->root);
  free (t->src);
  free (t);
}

void
dock_format_set_maps (struct dock_tmpl *t, const char *const *keys)
{
  t->maps = keys ? keys : dock_format_docker_maps;
}

bool
dock_format_is_table (const char *format)
{
  return format && strncmp (format, "table", 5) == 0;
}

bool
dock_format_table (const struct dock_tmpl *t)
{
  return t->table;
}

char *
dock_format_render (const char *tmpl, jv data, lcr_error_t *err)
{
  cleanup_tmpl struct dock_tmpl *t = NULL;
  char *out = NULL;
  if (dock_format_compile (tmpl, 0, &t, err) < 0 || dock_format_exec (t, data, &out, err) < 0)
    return NULL;
  return out;
}
