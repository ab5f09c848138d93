/* dock build — variable substitution in Dockerfile words, with the rules of docker's shell
 * lexer (BuildKit's frontend/dockerfile/shell): single quotes keep everything, double quotes
 * substitute and honour the escape character only before " $ and itself, an unquoted escape
 * makes the next character literal, and $v ${v} ${v:-w} ${v-w} ${v:+w} ${v+w} ${v:?msg} ${v?msg}
 * ${v#p} ${v##p} ${v%p} ${v%%p} ${v/p/r} ${v//p/r}.  An unset variable is empty; a substituted
 * value is never split into words again.  The pairs of ENV / LABEL / ARG come last.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "build/df-internal.h"
#include "build/dockerfile.h"
#include "utils.h"

#define LX_EOF (-1)

struct lex
{
  const char *s;
  size_t i, n;
  int esc;
  dock_df_lookup_fn lookup;
  void *data;
  bool skip_unset;  /* leave $unset as written (heredoc delimiters) */
  bool raw_escapes; /* keep the escape characters (the patterns of ${v#p} and ${v/p/r}) */
  lcr_error_t *err;
};

static int
peek (struct lex *lx)
{
  return lx->i < lx->n ? (unsigned char)lx->s[lx->i] : LX_EOF;
}

static int
next (struct lex *lx)
{
  return lx->i < lx->n ? (unsigned char)lx->s[lx->i++] : LX_EOF;
}

static const char *
get_var (struct lex *lx, const char *name)
{
  return lx->lookup ? lx->lookup (lx->data, name) : NULL;
}

static int process_stop_on (struct lex *lx, int stop, bool raw_escapes, struct df_buf *out);

static int
single_quote (struct lex *lx, struct df_buf *out)
{
  next (lx);
  for (;;)
    {
      int c = next (lx);
      if (c == LX_EOF)
        return lcr_error_invalid (lx->err, "unexpected end of statement while looking for matching single-quote");
      if (c == '\'')
        return 0;
      df_buf_addc (out, (char)c);
    }
}

static int dollar (struct lex *lx, struct df_buf *out);

static int
double_quote (struct lex *lx, struct df_buf *out)
{
  next (lx);
  for (;;)
    {
      int c = peek (lx);
      if (c == LX_EOF)
        return lcr_error_invalid (lx->err, "unexpected end of statement while looking for matching double-quote");
      if (c == '"')
        {
          next (lx);
          return 0;
        }
      if (c == '$')
        {
          if (dollar (lx, out) < 0)
            return -1;
          continue;
        }
      c = next (lx);
      if (c == lx->esc)
        {
          if (lx->raw_escapes)
            df_buf_addc (out, (char)c);
          int p = peek (lx);
          if (p == LX_EOF)
            continue; /* then the missing quote is reported */
          /* inside double quotes only ", $ and the escape itself can be escaped: any other
             escape stays as written, as in sh */
          if (p == '"' || p == '$' || p == lx->esc)
            c = next (lx);
        }
      df_buf_addc (out, (char)c);
    }
}

static bool
is_name_char (int c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

/* A variable name: digits (positional), one special character ($@, $#, …) or [A-Za-z0-9_]+. */
static char *
process_name (struct lex *lx)
{
  struct df_buf b = {0};
  int c = peek (lx);
  if (c >= '0' && c <= '9')
    {
      while ((c = peek (lx)) >= '0' && c <= '9')
        df_buf_addc (&b, (char)next (lx));
      return df_buf_take (&b);
    }
  if (c != LX_EOF && strchr ("@*#?-$!", c))
    {
      df_buf_addc (&b, (char)next (lx));
      return df_buf_take (&b);
    }
  while ((c = peek (lx)) != LX_EOF && is_name_char (c))
    df_buf_addc (&b, (char)next (lx));
  return df_buf_take (&b);
}

/* ---- shell patterns of ${v#p}, ${v%p}, ${v/p/r}: *, ? and \-escapes of * ? \ } / ---- */

enum
{
  PT_LIT,
  PT_ANY,
  PT_STAR
};

struct ptok
{
  int kind;
  char c;
};

static int
compile_pattern (const char *p, struct ptok **out, size_t *n, lcr_error_t *err)
{
  size_t len = strlen (p), k = 0;
  struct ptok *t = xmalloc0 ((len + 1) * sizeof *t);
  for (size_t i = 0; i < len; i++)
    {
      char c = p[i];
      if (c == '*')
        t[k++] = (struct ptok){PT_STAR, 0};
      else if (c == '?')
        t[k++] = (struct ptok){PT_ANY, 0};
      else if (c == '\\')
        {
          if (i + 1 < len && (p[i + 1] == '}' || p[i + 1] == '/'))
            continue; /* \} and \/ are the literal character that follows */
          if (i + 1 >= len || (p[i + 1] != '*' && p[i + 1] != '?' && p[i + 1] != '\\'))
            {
              free (t);
              return lcr_error_invalid (err, "invalid pattern (%s) in substitution: invalid escape", p);
            }
          t[k++] = (struct ptok){PT_LIT, p[++i]};
        }
      else
        t[k++] = (struct ptok){PT_LIT, c};
    }
  *out = t;
  *n = k;
  return 0;
}

static size_t
utf8_len (const char *s, size_t n)
{
  unsigned char c = (unsigned char)s[0];
  size_t l = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
  return l > n ? n : l;
}

/* does the whole of s[0..n) match t[0..nt)?  '?' and '*' do not match a newline (they are
   regexp dots in docker).  Memoised: memo[ti * (n + 1) + si] is 0 unknown, 1 no, 2 yes. */
static bool
pmatch (const struct ptok *t, size_t nt, size_t ti, const char *s, size_t n, size_t si, unsigned char *memo)
{
  unsigned char *m = &memo[ti * (n + 1) + si];
  if (*m)
    return *m == 2;
  bool r = false;
  if (ti == nt)
    r = si == n;
  else if (t[ti].kind == PT_LIT)
    r = si < n && s[si] == t[ti].c && pmatch (t, nt, ti + 1, s, n, si + 1, memo);
  else if (t[ti].kind == PT_ANY)
    r = si < n && s[si] != '\n' && pmatch (t, nt, ti + 1, s, n, si + utf8_len (s + si, n - si), memo);
  else
    for (size_t q = si; q <= n; q++)
      {
        if (pmatch (t, nt, ti + 1, s, n, q, memo))
          {
            r = true;
            break;
          }
        if (q < n && s[q] == '\n')
          break;
      }
  *m = r ? 2 : 1;
  return r;
}

static bool
pmatch_all (const struct ptok *t, size_t nt, const char *s, size_t n)
{
  cleanup_free unsigned char *memo = xmalloc0 ((nt + 1) * (n + 1));
  return pmatch (t, nt, 0, s, n, 0, memo);
}

/* ${v#p} ${v##p} ${v%p} ${v%%p}: the shortest (longest when greedy) matching prefix or suffix
   removed */
static int
trim_affix (const char *value, const char *pattern, bool suffix, bool greedy, struct df_buf *out, lcr_error_t *err)
{
  cleanup_free struct ptok *t = NULL;
  size_t nt, n = strlen (value);
  if (compile_pattern (pattern, &t, &nt, err) < 0)
    return -1;
  for (size_t k = 0; k <= n; k++)
    {
      size_t len = greedy ? n - k : k;
      if (suffix ? pmatch_all (t, nt, value + n - len, len) : pmatch_all (t, nt, value, len))
        {
          if (suffix)
            df_buf_addn (out, value, n - len);
          else
            df_buf_adds (out, value + len);
          return 0;
        }
    }
  df_buf_adds (out, value);
  return 0;
}

/* ${v/p/r} and ${v//p/r}: the leftmost (longest) match replaced; with all, every match, an
   empty match right after a previous one not replaced (Go's regexp ReplaceAll) */
static int
replace_pattern (const char *value, const char *pattern, const char *repl, bool all, struct df_buf *out,
                 lcr_error_t *err)
{
  cleanup_free struct ptok *t = NULL;
  size_t nt, n = strlen (value);
  if (compile_pattern (pattern, &t, &nt, err) < 0)
    return -1;
  size_t search = 0, last_end = 0;
  bool any = false;
  while (search <= n)
    {
      size_t a = 0, b = 0;
      bool found = false;
      for (size_t i = search; i <= n && !found; i++)
        for (size_t j = n + 1; j-- > i;)
          if (pmatch_all (t, nt, value + i, j - i))
            {
              a = i, b = j, found = true;
              break;
            }
      if (!found)
        break;
      df_buf_addn (out, value + last_end, a - last_end);
      if (b > last_end || a == 0 || !any)
        df_buf_adds (out, repl);
      last_end = b;
      any = true;
      if (!all)
        break;
      size_t w = search < n ? utf8_len (value + search, n - search) : 1;
      search = search + w > b ? search + w : b;
    }
  df_buf_adds (out, value + last_end);
  return 0;
}

static int
dollar (struct lex *lx, struct df_buf *out)
{
  next (lx);
  if (peek (lx) != '{')
    {
      cleanup_free char *name = process_name (lx);
      if (*name == '\0')
        {
          df_buf_addc (out, '$');
          return 0;
        }
      const char *v = get_var (lx, name);
      if (v == NULL && lx->skip_unset)
        {
          df_buf_addc (out, '$');
          df_buf_adds (out, name);
        }
      else if (v)
        df_buf_adds (out, v);
      return 0;
    }
  next (lx);
  int c = peek (lx);
  if (c == LX_EOF)
    return lcr_error_invalid (lx->err, "syntax error: missing '}'");
  if (c == '{' || c == '}' || c == ':')
    return lcr_error_invalid (lx->err, "syntax error: bad substitution");
  cleanup_free char *name = process_name (lx);
  int op = next (lx);
  const char *v = get_var (lx, name);
  if (op == '}')
    {
      if (v == NULL && lx->skip_unset)
        {
          df_buf_adds (out, "${");
          df_buf_adds (out, name);
          df_buf_addc (out, '}');
        }
      else if (v)
        df_buf_adds (out, v);
      return 0;
    }
  if (op == LX_EOF)
    return lcr_error_invalid (lx->err, "syntax error: missing '}'");

  char mod[3] = {(char)op, 0, 0};
  bool colon = op == ':';
  if (colon)
    {
      op = next (lx);
      if (op == LX_EOF)
        return lcr_error_invalid (lx->err, "syntax error: missing '}'");
      mod[1] = (char)op;
    }

  if (op == '/' && !colon)
    {
      bool all = peek (lx) == '/';
      if (all)
        next (lx);
      struct df_buf pat = {0}, rep = {0};
      if (process_stop_on (lx, '/', true, &pat) < 0)
        {
          free (pat.s);
          if (peek (lx) == LX_EOF)
            return lcr_error_invalid (lx->err, "syntax error: missing '/' in ${}");
          return -1;
        }
      if (process_stop_on (lx, '}', true, &rep) < 0)
        {
          free (pat.s);
          free (rep.s);
          if (peek (lx) == LX_EOF)
            return lcr_error_invalid (lx->err, "syntax error: missing '}'");
          return -1;
        }
      cleanup_free char *p = df_buf_take (&pat), *r = df_buf_take (&rep);
      if (v == NULL && lx->skip_unset)
        {
          df_buf_adds (out, "${");
          df_buf_adds (out, name);
          df_buf_adds (out, all ? "//" : "/");
          df_buf_adds (out, p);
          df_buf_addc (out, '/');
          df_buf_adds (out, r);
          df_buf_addc (out, '}');
          return 0;
        }
      return replace_pattern (v ? v : "", p, r, all, out, lx->err);
    }

  if (colon ? strchr ("+-?", op) == NULL : strchr ("+-?#%", op) == NULL)
    return lcr_error_invalid (lx->err, "unsupported modifier (%s) in substitution", mod);

  struct df_buf wb = {0};
  if (process_stop_on (lx, '}', op == '#' || op == '%', &wb) < 0)
    {
      free (wb.s);
      if (peek (lx) == LX_EOF)
        return lcr_error_invalid (lx->err, "syntax error: missing '}'");
      return -1;
    }
  cleanup_free char *word = df_buf_take (&wb);
  if (v == NULL && lx->skip_unset)
    {
      df_buf_adds (out, "${");
      df_buf_adds (out, name);
      df_buf_adds (out, mod);
      df_buf_adds (out, word);
      df_buf_addc (out, '}');
      return 0;
    }
  bool unset = v == NULL || (colon && *v == '\0');
  switch (op)
    {
    case '-':
      df_buf_adds (out, unset ? word : v);
      return 0;
    case '+':
      if (!unset)
        df_buf_adds (out, word);
      return 0;
    case '?':
      if (v == NULL)
        return lcr_error_invalid (lx->err, "%s: %s", name, *word ? word : "is not allowed to be unset");
      if (unset)
        return lcr_error_invalid (lx->err, "%s: %s", name, *word ? word : "is not allowed to be empty");
      df_buf_adds (out, v);
      return 0;
    case '#':
    case '%':
      {
        bool greedy = word[0] == op;
        return trim_affix (v ? v : "", word + (greedy ? 1 : 0), op == '%', greedy, out, lx->err);
      }
    default:
      return lcr_error_invalid (lx->err, "unsupported modifier (%s) in substitution", mod);
    }
}

/* Read up to `stop` (consumed; LX_EOF: the end), substituting. */
static int
process_stop_on (struct lex *lx, int stop, bool raw_escapes, struct df_buf *out)
{
  bool saved = lx->raw_escapes;
  lx->raw_escapes = raw_escapes;
  int ret = 0;
  for (;;)
    {
      int c = peek (lx);
      if (c == LX_EOF)
        break;
      if (stop != LX_EOF && c == stop)
        {
          next (lx);
          goto out;
        }
      if (c == '$')
        ret = dollar (lx, out);
      else if (c == '\'')
        ret = single_quote (lx, out);
      else if (c == '"')
        ret = double_quote (lx, out);
      else
        {
          next (lx);
          if (c == lx->esc)
            {
              if (lx->raw_escapes)
                df_buf_addc (out, (char)c);
              c = next (lx);
              if (c == LX_EOF)
                break; /* an escape at the very end is dropped */
            }
          df_buf_addc (out, (char)c);
        }
      if (ret < 0)
        goto out;
    }
  if (stop != LX_EOF)
    ret = lcr_error_invalid (lx->err, "unexpected end of statement while looking for matching %c", stop);
out:
  lx->raw_escapes = saved;
  return ret;
}

int
df_expand (const char *word, char escape, dock_df_lookup_fn lookup, void *data, bool skip_unset, char **out,
           lcr_error_t *err)
{
  struct lex lx = {.s = word,
                   .n = strlen (word),
                   .esc = (unsigned char)escape,
                   .lookup = lookup,
                   .data = data,
                   .skip_unset = skip_unset,
                   .err = err};
  struct df_buf b = {0};
  if (process_stop_on (&lx, LX_EOF, false, &b) < 0)
    {
      free (b.s);
      return -1;
    }
  *out = df_buf_take (&b);
  return 0;
}

int
dock_df_expand (const char *word, char escape, dock_df_lookup_fn lookup, void *data, char **out, lcr_error_t *err)
{
  return df_expand (word, escape, lookup, data, false, out, err);
}

void
df_strv_free (char **v)
{
  for (size_t i = 0; v && v[i]; i++)
    free (v[i]);
  free (v);
}

static void
strv_push (char ***v, size_t *n, char *s)
{
  *v = xrealloc (*v, (*n + 2) * sizeof **v);
  (*v)[(*n)++] = s;
  (*v)[*n] = NULL;
}

char **
df_raw_words (const char *text, char escape, size_t *n)
{
  char **v = xmalloc0 (sizeof *v);
  *n = 0;
  size_t i = 0, len = strlen (text);
  while (i < len)
    {
      while (i < len && df_space ((unsigned char)text[i]))
        i++;
      if (i >= len)
        break;
      struct df_buf w = {0};
      bool quoted = false; /* "" and '' are words even when empty */
      char quote = 0;
      for (; i < len; i++)
        {
          char c = text[i];
          if (quote == 0 && df_space ((unsigned char)c))
            break;
          if (quote == 0 && (c == '\'' || c == '"'))
            quote = c, quoted = true;
          else if (quote && c == quote)
            quote = 0;
          if (c == escape && (quote == 0 || quote == '"'))
            {
              if (i + 1 == len)
                continue; /* an escape at the end of the text is dropped */
              df_buf_addc (&w, c);
              c = text[++i];
            }
          df_buf_addc (&w, c);
        }
      if (w.len > 0 || quoted)
        strv_push (&v, n, df_buf_take (&w));
      else
        free (w.s);
    }
  return v;
}

int
dock_df_words (const char *text, char escape, dock_df_lookup_fn lookup, void *data, char ***words, size_t *n,
               lcr_error_t *err)
{
  size_t nraw;
  char **raw = df_raw_words (text, escape, &nraw);
  char **v = xmalloc0 ((nraw + 1) * sizeof *v);
  for (size_t i = 0; i < nraw; i++)
    if (dock_df_expand (raw[i], escape, lookup, data, &v[i], err) < 0)
      {
        df_strv_free (raw);
        df_strv_free (v);
        return -1;
      }
  df_strv_free (raw);
  *words = v;
  *n = nraw;
  return 0;
}

int
dock_df_pairs (const struct dock_df_inst *in, char escape, dock_df_lookup_fn lookup, void *data, char ***keys,
               char ***values, size_t *n, lcr_error_t *err)
{
  const char *kw = in->keyword;
  const char *rest = in->rest ? in->rest : "";
  bool is_arg = strcmp (kw, "ARG") == 0;
  size_t nraw;
  char **raw = df_raw_words (rest, escape, &nraw);
  char **k = xmalloc0 ((nraw + 1) * sizeof *k), **v = xmalloc0 ((nraw + 1) * sizeof *v);
  size_t cnt = 0;
  int ret = -1;

  if (nraw == 0)
    {
      lcr_error_invalid (err, "%s requires at least one argument", kw);
      goto out;
    }
  if (!is_arg && strchr (raw[0], '=') == NULL)
    {
      /* the old form "ENV key the rest of the line": one pair */
      size_t kl = strcspn (rest, " \t\v\f\r");
      const char *val = rest + kl;
      val += strspn (val, " \t\v\f\r");
      if (*val == '\0')
        {
          lcr_error_invalid (err, "%s must have two arguments", kw);
          goto out;
        }
      cleanup_free char *key = strndup (rest, kl);
      if (dock_df_expand (key, escape, lookup, data, &k[0], err) < 0
          || dock_df_expand (val, escape, lookup, data, &v[0], err) < 0)
        goto out;
      cnt = 1;
      ret = 0;
      goto out;
    }
  for (size_t i = 0; i < nraw; i++)
    {
      char *eq = strchr (raw[i], '=');
      if (eq == NULL && !is_arg)
        {
          lcr_error_invalid (err, "Syntax error - can't find = in \"%s\". Must be of the form: name=value", raw[i]);
          goto out;
        }
      if (eq == raw[i])
        {
          lcr_error_invalid (err, "%s names can not be blank", kw);
          goto out;
        }
      if (eq)
        *eq = '\0';
      if (dock_df_expand (raw[i], escape, lookup, data, &k[i], err) < 0)
        goto out;
      if (eq && dock_df_expand (eq + 1, escape, lookup, data, &v[i], err) < 0)
        goto out;
    }
  cnt = nraw;
  ret = 0;
out:
  df_strv_free (raw);
  if (ret < 0)
    {
      df_strv_free (k);
      for (size_t i = 0; i < nraw; i++)
        free (v[i]);
      free (v);
      return -1;
    }
  *keys = k;
  *values = v;
  *n = cnt;
  return 0;
}
