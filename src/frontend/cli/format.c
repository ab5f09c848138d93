/* dock — `--format` templates: the parser and the public entry points (see format.h,
 * format-internal.h).  Recursive descent over format-lex.c's tokens; it stops at the first
 * error, which names the line as Go's does ("template: :1: unexpected \"}\" in operand").
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
  return fmt_parse_error (p->err, p->src, t->pos, "unexpected %s in %s", tok_desc (p, t, buf, sizeof buf), context);
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
        return fmt_parse_error (p->err, p->src, t->pos, "undefined variable \"%s\"", t->s);
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
        return fmt_parse_error (p->err, p->src, t->pos, "function \"%s\" not defined", t->s);
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
        return fmt_parse_error (p->err, p->src, t->pos, "unexpected . after term \"%.*s\"", (int)(t->pos - a->pos),
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
    return fmt_parse_error (p->err, p->src, c->pos, "missing value for %s", context);
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
              fmt_parse_error (p->err, p->src, p->t[j].pos, "too many declarations in %s", context);
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
                fmt_parse_error (p->err, p->src, p->t[j].pos, "undefined variable \"%s\"", pipe->decl[d]);
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
      fmt_parse_error (p->err, p->src, pos, "{{%s}} nested too deeply", name);
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
      fmt_parse_error (p->err, p->src, peek (p)->pos, "unexpected EOF");
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
                fmt_parse_error (p->err, p->src, peek (p)->pos, "unexpected EOF");
              else
                fmt_parse_error (p->err, p->src, peek (p)->pos, "expected end; found {{else}}");
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
            return fmt_parse_error (p->err, p->src, t->pos, "{{%s}} outside {{range}}", kw);
          p->i++;
          if (expect_rdelim (p, kw) < 0)
            return -1;
          n = xmalloc0 (sizeof *n);
          n->type = kw[0] == 'b' ? N_BREAK : N_CONTINUE;
          n->pos = pos;
        }
      else if (strcmp (kw, "define") == 0 || strcmp (kw, "template") == 0 || strcmp (kw, "block") == 0)
        return fmt_parse_error (p->err, p->src, t->pos, "{{%s}} is not supported", kw);
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
  int r = fmt_lex (&lx);
  if (r == 0)
    {
      struct parser p = {.src = t->src, .t = lx.v, .err = err};
      enum term term;
      var_push (&p, "$");
      r = parse_list (&p, &t->root, &term);
      if (r == 0 && term != TERM_EOF)
        r = fmt_parse_error (err, t->src, p.t[p.i - 1].pos, "unexpected {{%s}}", term == TERM_END ? "end" : "else");
      free (p.vars);
    }
  fmt_free_toks (lx.v, lx.nt);
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
