/* dock — `--format` templates: execution over a jv tree (see format.h).
 *
 * Values are borrowed from the data or made here and kept until the end of the run (fmt_keep),
 * so one execution allocates in proportion to what it prints and frees it all at once.
 * Variables live on a stack: a control structure marks it on entry and pops back on exit,
 * which gives Go's scoping (a variable lasts to the {{end}} of the block that declared it).
 *
 * Header mode (dock_format_header) runs the same tree for a table's title row, as docker does
 * with its header context: a field chain evaluates to its column title and docker's string
 * functions hand their argument back.
 */
#define _GNU_SOURCE
#include "format-internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utils.h"

/* Keys whose values are maps in docker's inspect shapes (containers, images, volumes,
   networks): their keys are data, so a missing one is <no value>. */
const char *const dock_format_docker_maps[] = {
    "Labels",       "Options",          "Networks", "Ports",      "Annotations", "DriverOpts",
    "ExposedPorts", "Volumes",          "Sysctls",  "StorageOpt", "Tmpfs",       "Containers",
    "Data",         "LogConfig.Config", "Status",   "ConfigFrom", NULL,
};

int
fmt_exec_error (struct fmt_exec *st, int pos, const char *src, const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    abort ();
  va_end (ap);
  int col;
  int line = fmt_line_of (st->t->src, pos, &col);
  return lcr_error_invalid (st->err, "template: :%d:%d: executing \"\" at <%s>: %s", line, col, src, msg);
}

jv
fmt_keep (struct fmt_exec *st, jv v)
{
  if (st->nkeep == st->capkeep)
    {
      st->capkeep = st->capkeep ? st->capkeep * 2 : 32;
      st->keep = xrealloc (st->keep, st->capkeep * sizeof *st->keep);
    }
  st->keep[st->nkeep++] = v;
  return v;
}

static bool
is_map_key (struct fmt_exec *st, const char *parent, const char *key)
{
  if (key == NULL)
    return false;
  for (const char *const *m = st->t->maps; m && *m; m++)
    {
      const char *dot = strchr (*m, '.');
      if (dot == NULL)
        {
          if (strcmp (*m, key) == 0)
            return true;
        }
      else if (parent && strncmp (*m, parent, (size_t)(dot - *m)) == 0 && parent[dot - *m] == '\0'
               && strcmp (dot + 1, key) == 0)
        return true;
    }
  return false;
}

struct fmt_val
fmt_child (struct fmt_exec *st, const struct fmt_val *parent, const char *key, jv v)
{
  return (struct fmt_val){
      .v = v,
      .key = key,
      .map = (st->t->flags & DOCK_FORMAT_ALL_MAPS) || is_map_key (st, parent->key, key),
  };
}

static void
var_push (struct fmt_exec *st, const char *name, struct fmt_val v)
{
  if (st->nvars == st->capvars)
    {
      st->capvars = st->capvars ? st->capvars * 2 : 8;
      st->vars = xrealloc (st->vars, st->capvars * sizeof *st->vars);
    }
  st->vars[st->nvars++] = (struct fmt_var){.name = name, .val = v};
}

static struct fmt_var *
var_find (struct fmt_exec *st, const char *name)
{
  for (size_t i = st->nvars; i-- > 0;)
    if (strcmp (st->vars[i].name, name) == 0)
      return &st->vars[i];
  return NULL; /* the parser checks every name: not reached */
}

/* A pipeline's variable d: declared (:=) or assigned (=). */
static int
var_bind (struct fmt_exec *st, const struct fmt_pipe *p, int d, struct fmt_val v)
{
  if (!p->assign)
    {
      var_push (st, p->decl[d], v);
      return 0;
    }
  struct fmt_var *var = var_find (st, p->decl[d]);
  if (var == NULL)
    return fmt_exec_error (st, p->pos, p->decl[d], "undefined variable: %s", p->decl[d]);
  var->val = v;
  return 0;
}

/* The column title of a field chain, for the header row. */
static struct fmt_val
header_title (struct fmt_exec *st, const struct fmt_arg *a)
{
  struct fbuf chain = {0};
  for (size_t i = 0; i < a->nfields; i++)
    {
      if (i)
        fbuf_putc (&chain, '.');
      fbuf_puts (&chain, a->fields[i]);
    }
  cleanup_free char *full = fbuf_steal (&chain);
  const char *last = a->fields[a->nfields - 1];
  const char *title = NULL;
  for (const char *const *h = st->header; h && h[0] && h[1] && !title; h += 2)
    if (strcmp (h[0], full) == 0)
      title = h[1];
  for (const char *const *h = st->header; h && h[0] && h[1] && !title; h += 2)
    if (strcmp (h[0], last) == 0)
      title = h[1];
  if (title)
    return (struct fmt_val){.v = fmt_keep (st, jv_str (title))};
  char *up = xstrdup (last);
  for (char *p = up; *p; p++)
    *p = (char)toupper ((unsigned char)*p);
  jv v = fmt_keep (st, jv_str (up));
  free (up);
  return (struct fmt_val){.v = v};
}

static int
eval_chain (struct fmt_exec *st, const struct fmt_arg *a, struct fmt_val cur, struct fmt_val *out)
{
  for (size_t i = 0; i < a->nfields; i++)
    {
      const char *f = a->fields[i];
      jv v = cur.v;
      if (v == NULL)
        continue; /* a missing value's fields are missing too, as Go's zero value */
      if (v->type == yajl_t_object)
        {
          jv child = jv_get (v, f);
          if (child)
            cur = fmt_child (st, &cur, f, child);
          else if (cur.map)
            cur = (struct fmt_val){0};
          else
            return fmt_exec_error (st, a->errpos, a->src, "can't evaluate field %s", f);
        }
      else if (v->type == yajl_t_null)
        return fmt_exec_error (st, a->errpos, a->src, "nil pointer evaluating interface {}.%s", f);
      else
        return fmt_exec_error (st, a->errpos, a->src, "can't evaluate field %s in type %s", f, fmt_type_name (v));
    }
  *out = cur;
  return 0;
}

static int eval_pipe (struct fmt_exec *st, const struct fmt_pipe *p, struct fmt_val dot, bool declare,
                      struct fmt_val *out);
static int call (struct fmt_exec *st, const struct fmt_cmd *c, struct fmt_val dot, const struct fmt_val *final,
                 struct fmt_val *out);

static int
eval_arg (struct fmt_exec *st, const struct fmt_arg *a, struct fmt_val dot, struct fmt_val *out)
{
  if (st->header_mode && a->nfields > 0)
    {
      *out = header_title (st, a);
      return 0;
    }
  struct fmt_val cur;
  switch (a->type)
    {
    case A_DOT:
      if (st->header_mode)
        {
          *out = (struct fmt_val){.v = fmt_keep (st, jv_str (""))};
          return 0;
        }
      cur = dot;
      break;
    case A_VAR:
      {
        struct fmt_var *var = var_find (st, a->var);
        if (var == NULL)
          return fmt_exec_error (st, a->pos, a->src, "undefined variable: %s", a->var);
        cur = var->val;
        break;
      }
    case A_PIPE:
      if (eval_pipe (st, a->pipe, dot, false, &cur) < 0)
        return -1;
      break;
    case A_LIT:
      *out = (struct fmt_val){.v = a->lit};
      return 0;
    case A_FUNC:
    default:
      {
        /* a function named as an argument is called without arguments */
        struct fmt_cmd c = {.pos = a->pos, .src = a->src, .args = (struct fmt_arg *)a, .nargs = 1};
        return call (st, &c, dot, NULL, out);
      }
    }
  return eval_chain (st, a, cur, out);
}

/* A command whose first word is a function: its arguments, then the piped value. */
static int
call (struct fmt_exec *st, const struct fmt_cmd *c, struct fmt_val dot, const struct fmt_val *final,
      struct fmt_val *out)
{
  const struct fmt_func *f = c->args[0].func;
  size_t n = c->nargs - 1 + (final != NULL);
  if ((int)n < f->min_args || (f->max_args >= 0 && (int)n > f->max_args))
    {
      if (f->min_args == f->max_args)
        return fmt_exec_error (st, c->args[0].pos, c->args[0].src, "wrong number of args for %s: want %d got %zu",
                               f->name, f->min_args, n);
      return fmt_exec_error (st, c->args[0].pos, c->args[0].src,
                             "wrong number of args for %s: want at least %d got %zu", f->name, f->min_args, n);
    }
  if (f->fn == NULL)
    {
      /* and / or: stop at the first argument that decides, and give it back */
      bool is_and = f->name[0] == 'a';
      for (size_t i = 0; i < n; i++)
        {
          if (i + 1 < c->nargs)
            {
              if (eval_arg (st, &c->args[i + 1], dot, out) < 0)
                return -1;
            }
          else
            *out = *final;
          if (fmt_truth (out->v) != is_and)
            break;
        }
      return 0;
    }
  struct fmt_val small[8];
  cleanup_free struct fmt_val *big = n > 8 ? xmalloc0 (n * sizeof *big) : NULL;
  struct fmt_val *args = big ? big : small;
  for (size_t i = 0; i + 1 < c->nargs; i++)
    if (eval_arg (st, &c->args[i + 1], dot, &args[i]) < 0)
      return -1;
  if (final)
    args[n - 1] = *final;
  if (st->header_mode && f->header_identity)
    {
      *out = args[0];
      return 0;
    }
  return f->fn (st, c, args, n, out);
}

static int
eval_cmd (struct fmt_exec *st, const struct fmt_cmd *c, struct fmt_val dot, const struct fmt_val *final,
          struct fmt_val *out)
{
  const struct fmt_arg *a0 = &c->args[0];
  if (a0->type == A_FUNC)
    return call (st, c, dot, final, out);
  if ((c->nargs > 1 || final) && a0->nfields > 0 && a0->type != A_PIPE)
    return fmt_exec_error (st, a0->errpos, a0->src, "%s is not a method but has arguments",
                           a0->fields[a0->nfields - 1]);
  if (c->nargs > 1 || final)
    return fmt_exec_error (st, a0->pos, a0->src, "can't give argument to non-function %s", a0->src);
  if (a0->type == A_LIT && a0->lit->type == yajl_t_null)
    return fmt_exec_error (st, c->pos, c->src, "nil is not a command");
  return eval_arg (st, a0, dot, out);
}

static int
eval_pipe (struct fmt_exec *st, const struct fmt_pipe *p, struct fmt_val dot, bool declare, struct fmt_val *out)
{
  struct fmt_val v = {0};
  for (size_t i = 0; i < p->ncmds; i++)
    {
      struct fmt_val prev = v;
      if (eval_cmd (st, &p->cmds[i], dot, i ? &prev : NULL, &v) < 0)
        return -1;
    }
  if (declare && p->ndecl)
    {
      if (var_bind (st, p, 0, v) < 0)
        return -1;
    }
  *out = v;
  return 0;
}

static int exec_list (struct fmt_exec *st, const struct fmt_list *l, struct fmt_val dot);

/* One pass of a range body: the loop variables, then the body. */
static int
range_step (struct fmt_exec *st, const struct fmt_node *n, size_t mark, struct fmt_val key, struct fmt_val elem)
{
  st->nvars = mark;
  const struct fmt_pipe *p = n->pipe;
  struct fmt_val *vals[2] = {&elem, NULL};
  if (p->ndecl == 2)
    vals[0] = &key, vals[1] = &elem;
  for (int d = 0; d < p->ndecl; d++)
    {
      if (var_bind (st, p, d, *vals[d]) < 0)
        return -1;
    }
  return exec_list (st, &n->body, elem);
}

static int
cmp_keys (const void *a, const void *b)
{
  return strcmp (*(const char *const *)a, *(const char *const *)b);
}

static int
exec_range (struct fmt_exec *st, const struct fmt_node *n, struct fmt_val dot)
{
  size_t mark = st->nvars;
  struct fmt_val v;
  if (eval_pipe (st, n->pipe, dot, false, &v) < 0)
    return -1;
  if (st->header_mode)
    {
      struct fmt_val blank = {.v = fmt_keep (st, jv_str (""))};
      return range_step (st, n, mark, blank, blank);
    }
  size_t count = 0;
  bool elem_map = st->t->flags & DOCK_FORMAT_ALL_MAPS;
  long long lim = 0;
  if (v.v && v.v->type == yajl_t_array)
    count = v.v->u.array.len;
  else if (v.v && v.v->type == yajl_t_object)
    count = v.v->u.object.len;
  else if (fmt_is_int (v.v, &lim))
    count = lim > 0 ? (size_t)lim : 0;
  else if (v.v && v.v->type != yajl_t_null)
    {
      struct fbuf b = {0};
      fmt_print_val (&b, v.v);
      cleanup_free char *text = fbuf_steal (&b);
      return fmt_exec_error (st, n->pipe->pos, n->pipe->cmds[0].src, "range can't iterate over %s", text);
    }
  cleanup_free const char **keys = NULL;
  if (count && v.v->type == yajl_t_object)
    {
      /* Go ranges over a map in sorted key order */
      keys = xmalloc0 (count * sizeof *keys);
      memcpy (keys, v.v->u.object.keys, count * sizeof *keys);
      qsort (keys, count, sizeof *keys, cmp_keys);
    }
  for (size_t i = 0; i < count; i++)
    {
      struct fmt_val key, elem;
      if (keys)
        {
          key = (struct fmt_val){.v = fmt_keep (st, jv_str (keys[i]))};
          elem = (struct fmt_val){.v = jv_get (v.v, keys[i]), .map = elem_map};
        }
      else
        {
          key = (struct fmt_val){.v = fmt_keep (st, jv_int ((long long)i))};
          elem = v.v->type == yajl_t_array ? (struct fmt_val){.v = v.v->u.array.values[i], .map = elem_map} : key;
        }
      if (range_step (st, n, mark, key, elem) < 0)
        return -1;
      int ctl = st->loop_ctl;
      st->loop_ctl = 0;
      if (ctl == 1)
        break;
    }
  st->nvars = mark;
  if (count == 0)
    return exec_list (st, &n->alt, dot);
  return 0;
}

static int
exec_node (struct fmt_exec *st, const struct fmt_node *n, struct fmt_val dot)
{
  struct fmt_val v;
  size_t mark = st->nvars;
  int r = 0;
  switch (n->type)
    {
    case N_TEXT:
      fbuf_add (&st->out, n->text, n->len);
      return 0;
    case N_ACTION:
      if (eval_pipe (st, n->pipe, dot, true, &v) < 0)
        return -1;
      if (n->pipe->ndecl == 0)
        fmt_print_val (&st->out, v.v);
      return 0;
    case N_IF:
    case N_WITH:
      if (eval_pipe (st, n->pipe, dot, true, &v) < 0)
        return -1;
      if (fmt_truth (v.v) || (st->header_mode && v.v == NULL))
        r = exec_list (st, &n->body, n->type == N_WITH ? v : dot);
      else
        r = exec_list (st, &n->alt, dot);
      st->nvars = mark;
      return r;
    case N_RANGE:
      return exec_range (st, n, dot);
    case N_BREAK:
    case N_CONTINUE:
      st->loop_ctl = n->type == N_BREAK ? 1 : 2;
      return 0;
    }
  return 0;
}

static int
exec_list (struct fmt_exec *st, const struct fmt_list *l, struct fmt_val dot)
{
  for (size_t i = 0; i < l->n && !st->loop_ctl; i++)
    if (exec_node (st, l->v[i], dot) < 0)
      return -1;
  return 0;
}

static int
run (struct dock_tmpl *t, jv data, const char *const *header, char **out, lcr_error_t *err)
{
  struct fmt_exec st = {.t = t, .err = err, .header = header, .header_mode = header != NULL};
  struct fmt_val root = {.v = data, .map = (t->flags & DOCK_FORMAT_ALL_MAPS) != 0};
  var_push (&st, "$", root);
  int r = exec_list (&st, &t->root, root);
  for (size_t i = 0; i < st.nkeep; i++)
    jv_free (st.keep[i]);
  free (st.keep);
  free (st.vars);
  if (r < 0)
    {
      free (st.out.s);
      return -1;
    }
  *out = fbuf_steal (&st.out);
  return 0;
}

int
dock_format_exec (struct dock_tmpl *t, jv data, char **out, lcr_error_t *err)
{
  return run (t, data, NULL, out, err);
}

int
dock_format_header (struct dock_tmpl *t, const char *const *names, char **out, lcr_error_t *err)
{
  static const char *const none[] = {NULL};
  return run (t, NULL, names ? names : none, out, err);
}
