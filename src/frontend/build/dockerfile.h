/* dock build — the Dockerfile: parsing, variable substitution, .dockerignore.
 *
 * The parser only splits a Dockerfile into instructions (directives, comments, continuations,
 * heredocs, flags, exec or shell form); what the words mean, and the substitution of $VARS in
 * them, happens when the builder runs each instruction with the ENV and ARG values of that
 * moment, as docker does (dock_df_words / dock_df_expand).  Errors name the line:
 * "Dockerfile:12: unknown instruction: FOO".
 */
#ifndef DOCK_DOCKERFILE_H
#define DOCK_DOCKERFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct dock_df_flag
{
  char *name;  /* without the dashes: "from", "chown", "chmod", "link", "platform", "interval", … */
  char *value; /* NULL for a flag without "=" (e.g. --link) */
};

struct dock_df_heredoc
{
  char *name;      /* the delimiter word: EOF */
  char *body;      /* the lines up to the delimiter, each ending in "\n" */
  bool expand;     /* false when the delimiter was quoted (<<'EOF', <<"EOF"): no substitution */
  bool strip_tabs; /* <<-EOF: leading tabs removed from the body (already done in body) */
};

struct dock_df_inst
{
  char *keyword;  /* upper case: FROM, RUN, CMD, …, ONBUILD */
  int line;       /* its first line in the file, 1-based */
  char *original; /* as written, continuations joined with the escape and newline removed:
                     what `Step N/M : …` and the image's history show */
  struct dock_df_flag *flags;
  size_t nflags;
  bool json;   /* exec form: args holds the JSON array's strings */
  char **args; /* exec form: the array's strings, NULL-terminated */
  size_t nargs;
  char *rest; /* shell form: the text after the keyword and the flags (continuations joined,
                 comment lines inside dropped), not yet substituted; NULL in exec form */
  struct dock_df_heredoc *heredocs;
  size_t nheredocs;
  struct dock_df_inst *onbuild; /* ONBUILD X: the inner instruction (its keyword X), else NULL */
};

struct dock_dockerfile
{
  struct dock_df_inst *v;
  size_t n;
  char escape; /* '\\' or '`' (# escape=) */
};

/* Parse a Dockerfile; `name` is what errors call it ("Dockerfile", "-"). Unknown instructions,
   a missing argument, bad JSON in an exec form, an unterminated heredoc: errors naming the line. */
int dock_dockerfile_parse (const char *name, const char *text, size_t len, struct dock_dockerfile *out,
                           lcr_error_t *err);
void dock_dockerfile_free (struct dock_dockerfile *df);
/* the value of flag `name` of an instruction (NULL if absent; "" for a flag without value) */
const char *dock_df_flag (const struct dock_df_inst *in, const char *name);

/* Variable lookup for substitution: the value, or NULL when the variable is not set. */
typedef const char *(*dock_df_lookup_fn) (void *data, const char *name);

/* Substitute $v, ${v}, ${v:-w}, ${v-w}?, ${v:+w}, ${v+w}? in one word as docker's shell lexer
   does (quotes removed, escape characters honoured, `\$` a literal $).  *out is malloc'd. */
int dock_df_expand (const char *word, char escape, dock_df_lookup_fn lookup, void *data, char **out, lcr_error_t *err);

/* Split shell-form text into words with substitution, as docker does for ENV, LABEL, ARG, COPY,
   ADD, EXPOSE, VOLUME, USER, WORKDIR, STOPSIGNAL, FROM (quotes group, a substituted value is
   not split again).  *words is NULL-terminated, malloc'd. */
int dock_df_words (const char *text, char escape, dock_df_lookup_fn lookup, void *data, char ***words, size_t *n,
                   lcr_error_t *err);

/* ENV / LABEL / ARG pairs: "k=v k2=v2" (after dock_df_words) or the old "ENV k v w" form (k and
   the rest of the text as its value).  keys[i] / values[i] (values[i] NULL for "ARG name"). */
int dock_df_pairs (const struct dock_df_inst *in, char escape, dock_df_lookup_fn lookup, void *data, char ***keys,
                   char ***values, size_t *n, lcr_error_t *err);

/* .dockerignore: Go filepath.Match patterns per line, `**`, `!` exceptions, comments; the last
   matching pattern decides. */
struct dock_ignore;
int dock_ignore_parse (const char *text, size_t len, struct dock_ignore **out, lcr_error_t *err);
/* relpath: relative to the context, '/'-separated, no leading "./" */
bool dock_ignore_match (const struct dock_ignore *ig, const char *relpath);
void dock_ignore_free (struct dock_ignore *ig);

#endif
