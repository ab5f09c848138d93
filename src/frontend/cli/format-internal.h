/* dock — `--format` templates: what the parser (format.c), the executor (format-exec.c) and
 * the functions (format-funcs.c) share.  Not for other users: see format.h.
 *
 * The parsed template is a tree:
 *   list    = nodes in order
 *   node    = text | action (a pipeline whose value is printed, unless it declares) |
 *             if / range / with (a pipeline, a body and an else list) | break | continue
 *             ("else if" is an if node alone in its parent's else list)
 *   pipe    = [ $a [, $b] (:= | =) ] cmd ( | cmd )*
 *   cmd     = arg arg…   (a function and its arguments, or one operand)
 *   arg     = . | $var | literal | function | ( pipe ), each but literals and functions
 *             followed by a field chain (.A.B)
 * Positions are byte offsets in the source, turned into line:column only for messages.
 */
#ifndef DOCK_FORMAT_INTERNAL_H
#define DOCK_FORMAT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "format.h"

/* A growing output buffer: appends are amortized O(1). */
struct fbuf
{
  char *s;
  size_t len, cap;
};
void fbuf_add (struct fbuf *b, const char *s, size_t n);
void fbuf_puts (struct fbuf *b, const char *s);
void fbuf_putc (struct fbuf *b, char c);
void fbuf_printf (struct fbuf *b, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
char *fbuf_steal (struct fbuf *b); /* NUL-terminated, never NULL */

enum fmt_arg_type
{
  A_DOT,  /* `.`, or a field chain from it (.A.B) */
  A_VAR,  /* $name, maybe with a chain */
  A_PIPE, /* (pipe), maybe with a chain */
  A_LIT,  /* "string", number, true, false, nil */
  A_FUNC, /* a function's name */
};

struct fmt_exec;
struct fmt_val;
struct fmt_arg;

/* A function: args are evaluated (apart from `and`/`or`, which are lazy); n counts the piped
   value, which comes last. */
struct fmt_cmd;
typedef int (*fmt_fn) (struct fmt_exec *st, const struct fmt_cmd *cmd, struct fmt_val *args, size_t n,
                       struct fmt_val *out);
struct fmt_func
{
  const char *name;
  int min_args, max_args; /* max -1: any */
  fmt_fn fn;
  bool header_identity; /* docker's header functions give back their first argument */
};
const struct fmt_func *fmt_func_lookup (const char *name);

struct fmt_pipe;

struct fmt_arg
{
  enum fmt_arg_type type;
  int pos;
  int errpos; /* where Go places errors about a field chain: its second field, or the first
                 after a variable or a parenthesis */
  char *src;  /* as written, for "at <…>" in messages */
  char *var;  /* A_VAR: "$name" or "$" */
  const struct fmt_func *func;
  jv lit;
  struct fmt_pipe *pipe;
  char **fields;
  size_t nfields;
};

struct fmt_cmd
{
  int pos;
  char *src;
  struct fmt_arg *args;
  size_t nargs;
};

struct fmt_pipe
{
  int pos;
  int ndecl; /* variables declared or assigned: 0, 1 or 2 (range $i, $e) */
  char *decl[2];
  bool assign; /* `=` rather than `:=` */
  struct fmt_cmd *cmds;
  size_t ncmds;
};

enum fmt_node_type
{
  N_TEXT,
  N_ACTION,
  N_IF,
  N_RANGE,
  N_WITH,
  N_BREAK,
  N_CONTINUE,
};

struct fmt_node;
struct fmt_list
{
  struct fmt_node **v;
  size_t n;
};

struct fmt_node
{
  enum fmt_node_type type;
  int pos;
  char *text; /* N_TEXT */
  size_t len;
  struct fmt_pipe *pipe;
  struct fmt_list body, alt; /* alt: the else branch */
};

struct dock_tmpl
{
  char *src; /* the text parsed (after the listing rewrite), for line numbers */
  struct fmt_list root;
  const char *const *maps;
  unsigned flags;
  bool table;
};

/* A value during execution: v NULL is Go's invalid value ("<no value>", a missing map key).
   key is the key this object was reached by, and map says whether its missing keys are
   <no value> rather than errors. */
struct fmt_val
{
  jv v;
  const char *key;
  bool map;
};

struct fmt_var
{
  const char *name;
  struct fmt_val val;
};

struct fmt_exec
{
  struct dock_tmpl *t;
  struct fbuf out;
  struct fmt_var *vars;
  size_t nvars, capvars;
  jv *keep; /* values made while executing, freed at the end */
  size_t nkeep, capkeep;
  const char *const *header; /* header mode: column titles */
  bool header_mode;
  int loop_ctl; /* 1 break, 2 continue, pending */
  lcr_error_t *err;
};

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

/* Tokenize lx->src into lx->v, ending with T_EOF; -1 with *lx->err. */
int fmt_lex (struct lexer *lx);
void fmt_free_toks (struct tok *v, size_t n);
/* Fail with Go's parse message "template: :LINE: MSG"; returns -1. */
int fmt_parse_error (lcr_error_t *err, const char *src, int pos, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));
/* the parser and the executor recurse on nesting (parentheses, if / range / with): bound it */
#define FMT_MAX_DEPTH 100

/* line of a byte offset, and its column (0-based, as Go counts) */
int fmt_line_of (const char *src, int pos, int *col);

/* Fail with Go's execution message; returns -1. */
int fmt_exec_error (struct fmt_exec *st, int pos, const char *src, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

/* obj[key] as a value: whether the child is a map comes from the template's map keys. */
struct fmt_val fmt_child (struct fmt_exec *st, const struct fmt_val *parent, const char *key, jv v);

/* A value made during execution, owned by st. */
jv fmt_keep (struct fmt_exec *st, jv v);

/* Go's truth: false, 0, "", null, missing and empty arrays and objects are false. */
bool fmt_truth (jv v);
/* Print as fmt.Print does (%v). */
void fmt_print_val (struct fbuf *b, jv v);
/* Go's type name of a value, for messages ("string", "float64", "map[string]interface {}"). */
const char *fmt_type_name (jv v);
/* Is it an integer (a JSON number without fraction or exponent that fits)? */
bool fmt_is_int (jv v, long long *i);
double fmt_num (jv v);
/* A float as Go's %v / %g. */
void fmt_print_float (struct fbuf *b, double d);
/* An object's keys in Go's map order (sorted): a malloc'd NULL-terminated array of borrowed strings. */
const char **fmt_sorted_keys (jv v);

#endif
