/* dock build — the Dockerfile parser: text to instructions, with the rules of docker's
 * (BuildKit's) parser.
 *
 * Lines: parser directives (`# escape=`, `# syntax=`, `# check=`) only at the very top, before
 * any instruction, comment or empty line; `#` comments; a line ending in the escape character
 * (then only blanks) goes on with the next line, skipping empty and comment lines on the way.
 * An instruction: its keyword (any case), builder flags `--name[=value]` before the arguments,
 * then the arguments in the form the keyword takes (a JSON array of strings or shell text for
 * RUN/CMD/ENTRYPOINT/SHELL/ADD/COPY/VOLUME, key=value words for ENV/LABEL/ARG, …).  RUN, COPY
 * and ADD in shell form may name heredocs (`<<EOF`), whose bodies are the lines after them.
 * Arguments are checked as docker checks them before a build starts (counts, ENV syntax, the
 * flags each instruction takes), so these errors name the line; substitution waits for the
 * builder (subst.c).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "build/df-internal.h"
#include "build/dockerfile.h"
#include "util/jv.h"
#include "utils.h"

struct line
{
  const char *s;
  size_t len; /* without the trailing \r\n */
  size_t raw; /* with them: what a heredoc body keeps */
};

struct parser
{
  const char *name;
  struct line *lines;
  size_t nlines, i;
  char esc;
  bool directives_done;
  bool seen_escape, seen_syntax, seen_check;
  lcr_error_t *err;
};

static int __attribute__ ((format (printf, 3, 4))) perr (struct parser *p, int line, const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  cleanup_free char *safe = lcr_escape_controls (msg ? msg : "error");
  return lcr_error_invalid (p->err, "%s:%d: %s", p->name, line, safe);
}

/* ---- lines ---------------------------------------------------------------------------- */

static size_t
skip_ws (const char *s, size_t len)
{
  size_t i = 0;
  while (i < len && df_space ((unsigned char)s[i]))
    i++;
  return i;
}

static bool
is_comment (const char *s, size_t len)
{
  size_t i = skip_ws (s, len);
  return i < len && s[i] == '#';
}

/* `# name=value` at the top: 1 a directive, 0 not one (and none can follow), -1 an error */
static int
directive (struct parser *p, const char *s, size_t len, int lineno)
{
  if (p->directives_done)
    return 0;
  if (len == 0 || s[0] != '#')
    {
      p->directives_done = true;
      return 0;
    }
  size_t i = 1 + skip_ws (s + 1, len - 1);
  size_t k = i;
  if (k < len && isalpha ((unsigned char)s[k]))
    while (k < len && isalnum ((unsigned char)s[k]))
      k++;
  size_t j = k + skip_ws (s + k, len - k);
  if (k == i || j >= len || s[j] != '=')
    {
      p->directives_done = true;
      return 0;
    }
  j++;
  j += skip_ws (s + j, len - j);
  size_t end = len;
  while (end > j && df_space ((unsigned char)s[end - 1]))
    end--;
  if (end == j)
    {
      p->directives_done = true;
      return 0;
    }
  cleanup_free char *key = strndup (s + i, k - i);
  for (char *c = key; *c; c++)
    *c = (char)tolower ((unsigned char)*c);
  bool *seen = strcmp (key, "escape") == 0   ? &p->seen_escape
               : strcmp (key, "syntax") == 0 ? &p->seen_syntax
               : strcmp (key, "check") == 0  ? &p->seen_check
                                             : NULL;
  if (seen == NULL)
    {
      /* an unknown directive is a comment, and ends the directives */
      p->directives_done = true;
      return 0;
    }
  if (*seen)
    return perr (p, lineno, "only one %s parser directive can be used", key);
  *seen = true;
  if (seen == &p->seen_escape)
    {
      if (end - j != 1 || (s[j] != '\\' && s[j] != '`'))
        return perr (p, lineno, "invalid escape token '%.*s' does not match ` or \\", (int)(end - j), s + j);
      p->esc = s[j];
    }
  return 1;
}

/* A line ending in the escape character and blanks continues (unless that escape is itself
   escaped): *len loses them. */
static bool
continues (struct parser *p, const char *s, size_t *len)
{
  size_t e = *len;
  while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == '\t'))
    e--;
  if (e == 0 || s[e - 1] != p->esc)
    return false;
  if (e >= 2 && s[e - 2] == p->esc)
    return false;
  *len = e - 1;
  return true;
}

/* ---- flags ---------------------------------------------------------------------------- */

/* The leading `--` words of the arguments (quotes and escapes resolved); *rest: what follows. */
static char **
extract_flags (const char *s, char esc, const char **rest, size_t *n)
{
  char **v = xmalloc0 (sizeof *v);
  *n = 0;
  size_t len = strlen (s), i = 0;
  for (;;)
    {
      while (i < len && df_space ((unsigned char)s[i]))
        i++;
      if (i + 1 >= len || s[i] != '-' || s[i + 1] != '-')
        {
          *rest = s + i;
          return v;
        }
      struct df_buf w = {0};
      bool blank_ok = false;
      char quote = 0;
      for (; i < len; i++)
        {
          char c = s[i];
          if (quote == 0 && df_space ((unsigned char)c))
            break;
          if (quote == 0 && (c == '\'' || c == '"'))
            {
              quote = c;
              blank_ok = true;
              continue;
            }
          if (quote && c == quote)
            {
              quote = 0;
              continue;
            }
          if (c == esc)
            {
              if (i + 1 == len)
                {
                  quote = 0;
                  continue;
                }
              c = s[++i];
            }
          df_buf_addc (&w, c);
        }
      if (w.s && strcmp (w.s, "--") == 0)
        {
          /* `--` ends the flags */
          free (w.s);
          *rest = s + i;
          return v;
        }
      if (w.len > 0 || blank_ok)
        {
          v = xrealloc (v, (*n + 2) * sizeof *v);
          v[(*n)++] = df_buf_take (&w);
          v[*n] = NULL;
        }
      else
        free (w.s);
      if (i >= len)
        {
          *rest = s + len;
          return v;
        }
    }
}

enum
{
  F_STRING,
  F_BOOL,
  F_LIST
};

struct flagdef
{
  const char *name;
  int type;
};

static const struct flagdef from_flags[] = {{"platform", F_STRING}, {NULL, 0}};
static const struct flagdef run_flags[]
    = {{"mount", F_LIST}, {"network", F_STRING}, {"security", F_STRING}, {"device", F_LIST}, {NULL, 0}};
static const struct flagdef copy_flags[]
    = {{"chown", F_STRING}, {"from", F_STRING}, {"chmod", F_STRING}, {"link", F_BOOL}, {"exclude", F_LIST},
       {"parents", F_BOOL}, {NULL, 0}};
static const struct flagdef add_flags[]
    = {{"chown", F_STRING},      {"chmod", F_STRING}, {"checksum", F_STRING}, {"link", F_BOOL},
       {"keep-git-dir", F_BOOL}, {"unpack", F_BOOL},  {"exclude", F_LIST},    {NULL, 0}};
static const struct flagdef health_flags[]
    = {{"interval", F_STRING},       {"timeout", F_STRING}, {"start-period", F_STRING},
       {"start-interval", F_STRING}, {"retries", F_STRING}, {NULL, 0}};
static const struct flagdef no_flags[] = {{NULL, 0}};

/* Split the flag words into in->flags, checked against what the instruction takes. */
static int
set_flags (struct parser *p, int lineno, struct dock_df_inst *in, char **words, size_t n, const struct flagdef *defs)
{
  in->flags = xmalloc0 ((n + 1) * sizeof *in->flags);
  for (size_t i = 0; i < n; i++)
    {
      const char *w = words[i];
      if (strncmp (w, "--", 2) != 0)
        return perr (p, lineno, "arg should start with -- : %s", w);
      const char *eq = strchr (w, '=');
      size_t nl = eq ? (size_t)(eq - w) : strlen (w);
      const struct flagdef *d = defs;
      while (d->name && (strlen (d->name) != nl - 2 || strncmp (d->name, w + 2, nl - 2) != 0))
        d++;
      if (d->name == NULL)
        return perr (p, lineno, "unknown flag: %.*s", (int)nl, w);
      for (size_t j = 0; j < in->nflags && d->type != F_LIST; j++)
        if (strcmp (in->flags[j].name, d->name) == 0)
          return perr (p, lineno, "duplicate flag specified: %.*s", (int)nl, w);
      if (d->type == F_BOOL)
        {
          if (eq && eq[1] == '\0')
            return perr (p, lineno, "missing a value on flag: %.*s", (int)nl, w);
          if (eq && strcasecmp (eq + 1, "true") != 0 && strcasecmp (eq + 1, "false") != 0)
            return perr (p, lineno, "expecting boolean value for flag %.*s, not: %s", (int)nl, w, eq + 1);
        }
      else if (eq == NULL)
        return perr (p, lineno, "missing a value on flag: %.*s", (int)nl, w);
      in->flags[in->nflags].name = xstrdup (d->name);
      in->flags[in->nflags].value = eq ? xstrdup (eq + 1) : NULL;
      in->nflags++;
    }
  return 0;
}

/* ---- arguments ------------------------------------------------------------------------ */

/* A JSON array of strings: 1 (in->args set), 0 not JSON (shell form), -1 an array with
   something else than strings (an error, as docker) */
static int
parse_json_args (struct parser *p, int lineno, struct dock_df_inst *in, const char *rest)
{
  if (rest[0] != '[')
    return 0;
  /* yajl accepts comments, Go's encoding/json does not: a '/' outside strings is no JSON */
  bool in_str = false;
  for (const char *c = rest; *c; c++)
    {
      if (in_str && *c == '\\' && c[1])
        c++;
      else if (*c == '"')
        in_str = !in_str;
      else if (!in_str && *c == '/')
        return 0;
    }
  cleanup_error lcr_error_t jerr = NULL;
  cleanup_jv jv v = jv_parse (rest, strlen (rest), "Dockerfile", &jerr);
  if (v == NULL || !YAJL_IS_ARRAY (v))
    return 0;
  size_t n = v->u.array.len;
  for (size_t i = 0; i < n; i++)
    if (!YAJL_IS_STRING (v->u.array.values[i]))
      return perr (p, lineno, "when using JSON array syntax, arrays must be comprised of strings only");
  in->args = xmalloc0 ((n + 1) * sizeof *in->args);
  for (size_t i = 0; i < n; i++)
    in->args[i] = xstrdup (v->u.array.values[i]->u.string);
  in->nargs = n;
  in->json = true;
  return 1;
}

/* RUN CMD ENTRYPOINT SHELL ADD COPY VOLUME: exec form or shell form */
static int
maybe_json (struct parser *p, int lineno, struct dock_df_inst *in, const char *rest)
{
  int r = parse_json_args (p, lineno, in, rest);
  if (r < 0)
    return -1;
  if (r == 0)
    in->rest = xstrdup (rest);
  return 0;
}

/* words split on blanks, as docker counts the arguments of FROM, EXPOSE, COPY … */
static size_t
count_fields (const char *s, char ***out)
{
  size_t n = 0;
  char **v = xmalloc0 (sizeof *v);
  for (;;)
    {
      s += strspn (s, " \t\v\f\r\n");
      if (*s == '\0')
        break;
      size_t l = strcspn (s, " \t\v\f\r\n");
      v = xrealloc (v, (n + 2) * sizeof *v);
      v[n++] = strndup (s, l);
      v[n] = NULL;
      s += l;
    }
  if (out)
    *out = v;
  else
    df_strv_free (v);
  return n;
}

static bool
valid_stage_name (const char *s)
{
  if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z'))
    return false;
  for (s++; *s; s++)
    if (!isalnum ((unsigned char)*s) && !strchr ("-_.", *s))
      return false;
  return true;
}

/* ENV / LABEL: key=value words, or the old "KEY name value" form */
static int
check_name_val (struct parser *p, int lineno, const char *kw, const char *rest)
{
  size_t n;
  char **w = df_raw_words (rest, p->esc, &n);
  int ret = 0;
  if (n == 0)
    ret = perr (p, lineno, "%s requires at least one argument", kw);
  else if (strchr (w[0], '=') == NULL)
    {
      if (count_fields (rest, NULL) < 2)
        ret = perr (p, lineno, "%s must have two arguments", kw);
    }
  else
    for (size_t i = 0; i < n && ret == 0; i++)
      {
        char *eq = strchr (w[i], '=');
        if (eq == NULL)
          ret = perr (p, lineno, "Syntax error - can't find = in \"%s\". Must be of the form: name=value", w[i]);
        else if (eq == w[i])
          ret = perr (p, lineno, "%s names can not be blank", kw);
      }
  df_strv_free (w);
  return ret;
}

static const char *const keywords[]
    = {"FROM",   "RUN",  "CMD",     "LABEL", "MAINTAINER", "EXPOSE",     "ENV",         "ADD",   "COPY", "ENTRYPOINT",
       "VOLUME", "USER", "WORKDIR", "ARG",   "ONBUILD",    "STOPSIGNAL", "HEALTHCHECK", "SHELL", NULL};

static int parse_instruction (struct parser *p, const char *line, int lineno, struct dock_df_inst *in);

static int
parse_args (struct parser *p, int lineno, struct dock_df_inst *in, const char *rest, char **flags, size_t nflags,
            const char *line)
{
  const char *kw = in->keyword;
  size_t n;

  if (strcmp (kw, "RUN") == 0 || strcmp (kw, "CMD") == 0 || strcmp (kw, "ENTRYPOINT") == 0)
    {
      if (set_flags (p, lineno, in, flags, nflags, strcmp (kw, "RUN") == 0 ? run_flags : no_flags) < 0)
        return -1;
      return maybe_json (p, lineno, in, rest);
    }
  if (strcmp (kw, "SHELL") == 0)
    {
      if (set_flags (p, lineno, in, flags, nflags, no_flags) < 0 || maybe_json (p, lineno, in, rest) < 0)
        return -1;
      if (in->json ? in->nargs == 0 : *rest == '\0')
        return perr (p, lineno, "SHELL requires at least one argument");
      if (!in->json)
        return perr (p, lineno, "SHELL requires the arguments to be in JSON form");
      return 0;
    }
  if (strcmp (kw, "ADD") == 0 || strcmp (kw, "COPY") == 0 || strcmp (kw, "VOLUME") == 0)
    {
      const struct flagdef *d = kw[0] == 'A' ? add_flags : kw[0] == 'C' ? copy_flags : no_flags;
      if (set_flags (p, lineno, in, flags, nflags, d) < 0 || maybe_json (p, lineno, in, rest) < 0)
        return -1;
      n = in->json ? in->nargs : count_fields (rest, NULL);
      if (kw[0] == 'V')
        {
          if (n == 0)
            return perr (p, lineno, "VOLUME requires at least one argument");
          for (size_t i = 0; in->json && i < n; i++)
            if (in->args[i][strspn (in->args[i], " \t\n\v\f\r")] == '\0')
              return perr (p, lineno, "VOLUME specified can not be an empty string");
        }
      else if (n < 2)
        return perr (p, lineno,
                     "%s requires at least two arguments, but only one was provided. Destination could not be "
                     "determined",
                     kw);
      return 0;
    }
  if (strcmp (kw, "HEALTHCHECK") == 0)
    {
      if (*rest == '\0')
        return perr (p, lineno, "HEALTHCHECK requires at least one argument");
      size_t tl = strcspn (rest, " \t\v\f\r\n");
      const char *cmd = rest + tl;
      cmd += strspn (cmd, " \t\v\f\r\n");
      if (tl == 4 && strncasecmp (rest, "NONE", 4) == 0)
        {
          /* docker reads no flags for NONE */
          in->flags = xmalloc0 (sizeof *in->flags);
          if (*cmd)
            return perr (p, lineno, "HEALTHCHECK NONE takes no arguments");
          in->json = true;
          in->args = xmalloc0 (2 * sizeof *in->args);
          in->args[0] = xstrdup ("NONE");
          in->nargs = 1;
          return 0;
        }
      if (set_flags (p, lineno, in, flags, nflags, health_flags) < 0)
        return -1;
      if (!(tl == 3 && strncasecmp (rest, "CMD", 3) == 0))
        return perr (p, lineno, "Unknown type \"%.*s\" in HEALTHCHECK (try CMD)", (int)tl, rest);
      int r = parse_json_args (p, lineno, in, cmd);
      if (r < 0)
        return -1;
      if (r == 0)
        {
          if (*cmd == '\0')
            return perr (p, lineno, "Missing command after HEALTHCHECK CMD");
          in->rest = xstrdup (cmd);
          return 0;
        }
      if (in->nargs == 0)
        return perr (p, lineno, "Missing command after HEALTHCHECK CMD");
      /* exec form: args is the image's Healthcheck.Test, "CMD" first */
      in->args = xrealloc (in->args, (in->nargs + 2) * sizeof *in->args);
      memmove (in->args + 1, in->args, (in->nargs + 1) * sizeof *in->args);
      in->args[0] = xstrdup ("CMD");
      in->nargs++;
      return 0;
    }
  if (strcmp (kw, "ONBUILD") == 0)
    {
      if (set_flags (p, lineno, in, flags, nflags, no_flags) < 0)
        return -1;
      if (*rest == '\0')
        return perr (p, lineno, "ONBUILD requires at least one argument");
      size_t tl = strcspn (rest, " \t\v\f\r\n");
      if (tl == 7 && strncasecmp (rest, "ONBUILD", 7) == 0)
        return perr (p, lineno, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if ((tl == 4 && strncasecmp (rest, "FROM", 4) == 0) || (tl == 10 && strncasecmp (rest, "MAINTAINER", 10) == 0))
        return perr (p, lineno, "%.*s isn't allowed as an ONBUILD trigger", (int)tl, rest);
      in->rest = xstrdup (rest);
      in->onbuild = xmalloc0 (sizeof *in->onbuild);
      if (parse_instruction (p, rest, lineno, in->onbuild) < 0)
        return -1;
      /* the trigger as the image keeps it: the line without "ONBUILD" */
      const char *o = line + strspn (line, " \t\v\f\r");
      o += 7;
      o += strspn (o, " \t\v\f\r");
      free (in->onbuild->original);
      in->onbuild->original = xstrdup (o);
      return 0;
    }

  /* the others take no flags but FROM's --platform (STOPSIGNAL: docker reads none) */
  if (strcmp (kw, "STOPSIGNAL") == 0)
    in->flags = xmalloc0 (sizeof *in->flags);
  else if (set_flags (p, lineno, in, flags, nflags, strcmp (kw, "FROM") == 0 ? from_flags : no_flags) < 0)
    return -1;
  in->rest = xstrdup (rest);
  if (strcmp (kw, "ENV") == 0 || strcmp (kw, "LABEL") == 0)
    return check_name_val (p, lineno, kw, rest);
  if (strcmp (kw, "ARG") == 0)
    {
      char **w = df_raw_words (rest, p->esc, &n);
      int ret = 0;
      if (n == 0)
        ret = perr (p, lineno, "ARG requires at least one argument");
      for (size_t i = 0; i < n && ret == 0; i++)
        if (w[i][0] == '=')
          ret = perr (p, lineno, "ARG names can not be blank");
      df_strv_free (w);
      return ret;
    }
  if (strcmp (kw, "FROM") == 0)
    {
      char **w = NULL;
      n = count_fields (rest, &w);
      int ret = 0;
      if (n == 3 && strcasecmp (w[1], "AS") == 0)
        {
          if (!valid_stage_name (w[2]))
            ret = perr (p, lineno,
                        "invalid name for build stage: \"%s\", name can't start with a number or contain symbols",
                        w[2]);
        }
      else if (n != 1)
        ret = perr (p, lineno, "FROM requires either one or three arguments");
      df_strv_free (w);
      return ret;
    }
  if (strcmp (kw, "EXPOSE") == 0)
    return *rest ? 0 : perr (p, lineno, "EXPOSE requires at least one argument");
  /* MAINTAINER USER WORKDIR STOPSIGNAL: the whole rest is the one argument */
  return *rest ? 0 : perr (p, lineno, "%s requires exactly one argument", kw);
}

/* One instruction from its joined line (also the trigger of an ONBUILD). */
static int
parse_instruction (struct parser *p, const char *line, int lineno, struct dock_df_inst *in)
{
  const char *s = line + strspn (line, " \t\v\f\r\n");
  size_t kl = strcspn (s, " \t\v\f\r\n");
  cleanup_free char *kw = strndup (s, kl);
  const char *args = s + kl;

  in->line = lineno;
  size_t ol = strlen (s);
  while (ol > 0 && df_space ((unsigned char)s[ol - 1]))
    ol--;
  in->original = strndup (s, ol);

  size_t k = 0;
  while (keywords[k] && strcasecmp (keywords[k], kw) != 0)
    k++;
  if (keywords[k] == NULL)
    return perr (p, lineno, "unknown instruction: %s", kw);
  in->keyword = xstrdup (keywords[k]);

  const char *after = NULL;
  size_t nflags;
  char **flags = extract_flags (args, p->esc, &after, &nflags);
  after += strspn (after, " \t\v\f\r\n");
  cleanup_free char *rest = xstrdup (after);
  size_t rl = strlen (rest);
  while (rl > 0 && df_space ((unsigned char)rest[rl - 1]))
    rest[--rl] = '\0';
  int ret = parse_args (p, lineno, in, rest, flags, nflags, s);
  df_strv_free (flags);
  if (ret == 0 && in->flags == NULL)
    in->flags = xmalloc0 (sizeof *in->flags);
  if (ret == 0 && in->json == false && in->args == NULL)
    in->args = xmalloc0 (sizeof *in->args);
  if (ret == 0 && in->json)
    {
      free (in->rest);
      in->rest = NULL;
    }
  return ret;
}

/* ---- heredocs ------------------------------------------------------------------------- */

/* A word `[n]<<[-]NAME` of the line: 1 a heredoc (hd filled), 0 not one, -1 an error */
static int
heredoc_word (struct parser *p, int lineno, const char *w, struct dock_df_heredoc *hd)
{
  const char *c = w + strspn (w, "0123456789");
  if (strncmp (c, "<<", 2) != 0)
    return 0;
  c += 2;
  bool chomp = *c == '-';
  if (chomp)
    c++;
  c += strspn (c, " \t\v\f\r\n");
  if (*c == '\0' || strchr (c, '<'))
    return 0;
  size_t n;
  char **words = df_raw_words (c, '\\', &n);
  df_strv_free (words);
  if (n != 1)
    return 0;
  cleanup_error lcr_error_t e = NULL;
  char *name = NULL;
  if (df_expand (c, '\\', NULL, NULL, true, &name, &e) < 0)
    return perr (p, lineno, "%s", e->msg);
  size_t q_raw = 0, q_name = 0;
  for (const char *x = c; *x; x++)
    q_raw += *x == '"' || *x == '\'';
  for (const char *x = name; *x; x++)
    q_name += *x == '"' || *x == '\'';
  hd->name = name;
  hd->expand = q_raw == q_name;
  hd->strip_tabs = chomp;
  return 1;
}

/* The words of a line as docker looks for heredocs in them: split on unquoted blanks, quotes
   and \-escapes kept, and an unquoted "<<" keeps the blanks after it in its word ("cat << EOF"
   names the heredoc EOF). */
static char **
heredoc_words (const char *line, size_t *n)
{
  char **v = xmalloc0 (sizeof *v);
  size_t len = strlen (line), i = 0;
  *n = 0;
  while (i < len)
    {
      i += strspn (line + i, " \t\v\f\r\n");
      if (i >= len)
        break;
      struct df_buf w = {0};
      char quote = 0;
      for (; i < len; i++)
        {
          char c = line[i];
          if (quote == 0 && df_space ((unsigned char)c))
            break;
          if (quote == 0 && c == '<' && line[i + 1] == '<')
            {
              df_buf_adds (&w, "<<");
              i += 2;
              while (i < len && (line[i] == ' ' || line[i] == '\t'))
                df_buf_addc (&w, line[i++]);
              i--;
              continue;
            }
          if (quote == 0 && (c == '\'' || c == '"'))
            quote = c;
          else if (quote && c == quote)
            quote = 0;
          else if (c == '\\' && quote != '\'' && i + 1 < len)
            df_buf_addc (&w, line[i++]);
          df_buf_addc (&w, line[i]);
        }
      v = xrealloc (v, (*n + 2) * sizeof *v);
      v[(*n)++] = df_buf_take (&w);
      v[*n] = NULL;
    }
  return v;
}

/* The heredocs a RUN/COPY/ADD line names, their bodies read from the lines that follow. */
static int
read_heredocs (struct parser *p, int lineno, const char *line, struct dock_df_inst *in)
{
  size_t nw;
  char **words = heredoc_words (line, &nw);
  int ret = 0;
  for (size_t i = 0; i < nw && ret == 0; i++)
    {
      struct dock_df_heredoc hd = {0};
      int r = heredoc_word (p, lineno, words[i], &hd);
      if (r <= 0)
        {
          ret = r;
          continue;
        }
      struct df_buf body = {0};
      bool done = false;
      size_t nl = strlen (hd.name);
      while (p->i < p->nlines && !done)
        {
          const struct line *l = &p->lines[p->i++];
          const char *t = l->s;
          size_t tl = l->len, raw = l->raw;
          if (hd.strip_tabs)
            while (tl > 0 && *t == '\t')
              t++, tl--, raw--;
          if (tl == nl && memcmp (t, hd.name, nl) == 0)
            done = true;
          else
            {
              df_buf_addn (&body, t, raw);
              if (raw == tl || t[raw - 1] != '\n')
                df_buf_addc (&body, '\n');
            }
        }
      hd.body = df_buf_take (&body);
      in->heredocs = xrealloc (in->heredocs, (in->nheredocs + 1) * sizeof *in->heredocs);
      in->heredocs[in->nheredocs++] = hd;
      if (!done)
        ret = perr (p, lineno, "unterminated heredoc");
    }
  df_strv_free (words);
  return ret;
}

static bool
takes_heredoc (const struct dock_df_inst *in)
{
  if (in->onbuild)
    in = in->onbuild;
  return !in->json
         && (strcmp (in->keyword, "RUN") == 0 || strcmp (in->keyword, "COPY") == 0 || strcmp (in->keyword, "ADD") == 0);
}

/* ---- the file ------------------------------------------------------------------------- */

static void
inst_clear (struct dock_df_inst *in)
{
  if (in == NULL)
    return;
  free (in->keyword);
  free (in->original);
  for (size_t i = 0; i < in->nflags; i++)
    {
      free (in->flags[i].name);
      free (in->flags[i].value);
    }
  free (in->flags);
  df_strv_free (in->args);
  free (in->rest);
  for (size_t i = 0; i < in->nheredocs; i++)
    {
      free (in->heredocs[i].name);
      free (in->heredocs[i].body);
    }
  free (in->heredocs);
  if (in->onbuild)
    {
      inst_clear (in->onbuild);
      free (in->onbuild);
    }
  memset (in, 0, sizeof *in);
}

void
dock_dockerfile_free (struct dock_dockerfile *df)
{
  if (df == NULL)
    return;
  for (size_t i = 0; i < df->n; i++)
    inst_clear (&df->v[i]);
  free (df->v);
  df->v = NULL;
  df->n = 0;
}

const char *
dock_df_flag (const struct dock_df_inst *in, const char *name)
{
  /* the last one wins, as a repeated list flag is read in order */
  const char *v = NULL;
  bool found = false;
  for (size_t i = 0; i < in->nflags; i++)
    if (strcmp (in->flags[i].name, name) == 0)
      {
        v = in->flags[i].value ? in->flags[i].value : "";
        found = true;
      }
  return found ? v : NULL;
}

static void
split_lines (struct parser *p, const char *text, size_t len)
{
  if (len >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0)
    text += 3, len -= 3;
  size_t cap = 16;
  p->lines = xmalloc0 (cap * sizeof *p->lines);
  size_t i = 0;
  while (i < len)
    {
      const char *nl = memchr (text + i, '\n', len - i);
      size_t raw = nl ? (size_t)(nl - (text + i)) + 1 : len - i;
      size_t l = raw;
      while (l > 0 && (text[i + l - 1] == '\n' || text[i + l - 1] == '\r'))
        l--;
      if (p->nlines == cap)
        p->lines = xrealloc (p->lines, (cap *= 2) * sizeof *p->lines);
      p->lines[p->nlines++] = (struct line){text + i, l, raw};
      i += raw;
    }
}

static int
parse_all (struct parser *p, struct dock_dockerfile *out)
{
  size_t cap = 0;
  while (p->i < p->nlines)
    {
      const struct line *l = &p->lines[p->i++];
      int lineno = (int)p->i;
      const char *s = l->s + skip_ws (l->s, l->len);
      size_t len = l->len - (size_t)(s - l->s);
      if (directive (p, s, len, lineno) < 0)
        return -1;
      if (is_comment (s, len))
        len = 0;
      bool more = continues (p, s, &len);
      if (!more && len == 0)
        continue;
      struct df_buf line = {0};
      df_buf_addn (&line, s, len);
      while (more && p->i < p->nlines)
        {
          const struct line *c = &p->lines[p->i++];
          size_t cl = c->len;
          /* comment lines and empty lines inside a continuation are skipped */
          if (is_comment (c->s, cl) || skip_ws (c->s, cl) == cl)
            continue;
          more = continues (p, c->s, &cl);
          df_buf_addn (&line, c->s, cl);
        }
      cleanup_free char *joined = df_buf_take (&line);
      if (out->n == cap)
        out->v = xrealloc (out->v, (cap = cap ? cap * 2 : 16) * sizeof *out->v);
      struct dock_df_inst *in = &out->v[out->n++];
      memset (in, 0, sizeof *in);
      if (parse_instruction (p, joined, lineno, in) < 0)
        return -1;
      if (takes_heredoc (in) && strstr (joined, "<<")
          && read_heredocs (p, lineno, joined, in->onbuild ? in->onbuild : in) < 0)
        return -1;
    }
  if (out->n == 0)
    return lcr_error_invalid (p->err, "%s: file with no instructions", p->name);
  return 0;
}

int
dock_dockerfile_parse (const char *name, const char *text, size_t len, struct dock_dockerfile *out, lcr_error_t *err)
{
  struct parser p = {.name = name ? name : "Dockerfile", .esc = '\\', .err = err};
  memset (out, 0, sizeof *out);
  const char *nul = memchr (text, '\0', len);
  if (nul)
    {
      int line = 1;
      for (const char *c = text; c < nul; c++)
        line += *c == '\n';
      return perr (&p, line, "the file holds a NUL byte");
    }
  split_lines (&p, text, len);
  int ret = parse_all (&p, out);
  free (p.lines);
  if (ret < 0)
    {
      dock_dockerfile_free (out);
      return -1;
    }
  out->escape = p.esc;
  return 0;
}
