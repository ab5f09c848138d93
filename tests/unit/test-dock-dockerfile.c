/* Unit tests for dock build's Dockerfile parser (src/frontend/build/dockerfile.c), variable
   substitution (subst.c) and .dockerignore (ignore.c).  The expected results are what docker's
   reference documents and what BuildKit's parser, shell lexer and moby's pattern matcher do:
   parser directives, comments, continuations, flags, exec and shell forms, heredocs, ONBUILD,
   the argument checks and their errors with the line, $-substitution, ENV/LABEL/ARG pairs,
   .dockerignore patterns. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "build/dockerfile.h"
#include "tap.h"
#include "utils.h"

/* ---- helpers ------------------------------------------------------------------------- */

static struct dock_dockerfile df;
static char errbuf[1024];

/* parse into df; NULL on success, else the error message (in errbuf) */
static const char *
parse (const char *text)
{
  lcr_error_t err = NULL;
  dock_dockerfile_free (&df);
  if (dock_dockerfile_parse ("Dockerfile", text, strlen (text), &df, &err) == 0)
    return NULL;
  snprintf (errbuf, sizeof errbuf, "%s", err ? err->msg : "(no message)");
  lcr_error_release (&err);
  return errbuf;
}

static bool
parses (const char *text)
{
  const char *e = parse (text);
  if (e)
    printf ("# unexpected error: %s\n", e);
  return e == NULL;
}

/* the instruction i of df as "KEYWORD|rest" or "KEYWORD|[a,b]" */
static char sbuf[4096];
static const char *
inst (size_t i)
{
  if (i >= df.n)
    return "(none)";
  const struct dock_df_inst *in = &df.v[i];
  size_t o = (size_t)snprintf (sbuf, sizeof sbuf, "%s|", in->keyword);
  if (in->json)
    {
      o += (size_t)snprintf (sbuf + o, sizeof sbuf - o, "[");
      for (size_t k = 0; k < in->nargs; k++)
        o += (size_t)snprintf (sbuf + o, sizeof sbuf - o, "%s%s", k ? "," : "", in->args[k]);
      snprintf (sbuf + o, sizeof sbuf - o, "]");
    }
  else
    snprintf (sbuf + o, sizeof sbuf - o, "%s", in->rest ? in->rest : "(null)");
  return sbuf;
}

static const char *env[] = {"A=hello", "EMPTY=", "SP=a b", "X=x", "Q=\"q\"", "PATHV=/usr/local/bin.tar.gz", NULL};

static const char *
lookup (void *data, const char *name)
{
  (void)data;
  size_t n = strlen (name);
  for (const char **e = env; *e; e++)
    if (strncmp (*e, name, n) == 0 && (*e)[n] == '=')
      return *e + n + 1;
  return NULL;
}

static char xbuf[4096];
static const char *
expand_esc (const char *word, char esc)
{
  lcr_error_t err = NULL;
  char *out = NULL;
  if (dock_df_expand (word, esc, lookup, NULL, &out, &err) < 0)
    {
      snprintf (xbuf, sizeof xbuf, "ERR: %s", err ? err->msg : "(no message)");
      lcr_error_release (&err);
      return xbuf;
    }
  snprintf (xbuf, sizeof xbuf, "%s", out);
  free (out);
  return xbuf;
}

static const char *
expand (const char *word)
{
  return expand_esc (word, '\\');
}

static const char *
words (const char *text)
{
  lcr_error_t err = NULL;
  char **w = NULL;
  size_t n = 0;
  if (dock_df_words (text, '\\', lookup, NULL, &w, &n, &err) < 0)
    {
      snprintf (xbuf, sizeof xbuf, "ERR: %s", err ? err->msg : "(no message)");
      lcr_error_release (&err);
      return xbuf;
    }
  size_t o = 0;
  xbuf[0] = '\0';
  for (size_t i = 0; i < n; i++)
    o += (size_t)snprintf (xbuf + o, sizeof xbuf - o, "%s<%s>", i ? " " : "", w[i]);
  if (w[n] != NULL)
    snprintf (xbuf, sizeof xbuf, "not NULL-terminated");
  for (size_t i = 0; i < n; i++)
    free (w[i]);
  free (w);
  return xbuf;
}

/* the pairs of the first instruction of a Dockerfile: "k=v k2=(unset)" */
static const char *
pairs (const char *dockerfile)
{
  const char *e = parse (dockerfile);
  if (e)
    {
      snprintf (xbuf, sizeof xbuf, "PARSE: %s", e);
      return xbuf;
    }
  lcr_error_t err = NULL;
  char **k = NULL, **v = NULL;
  size_t n = 0;
  if (dock_df_pairs (&df.v[0], df.escape, lookup, NULL, &k, &v, &n, &err) < 0)
    {
      snprintf (xbuf, sizeof xbuf, "ERR: %s", err ? err->msg : "(no message)");
      lcr_error_release (&err);
      return xbuf;
    }
  size_t o = 0;
  xbuf[0] = '\0';
  for (size_t i = 0; i < n; i++)
    {
      o += (size_t)snprintf (xbuf + o, sizeof xbuf - o, "%s<%s>=%s%s%s", i ? " " : "", k[i], v[i] ? "<" : "",
                             v[i] ? v[i] : "(unset)", v[i] ? ">" : "");
      free (k[i]);
      free (v[i]);
    }
  free (k);
  free (v);
  return xbuf;
}

/* ---- the parser ---------------------------------------------------------------------- */

static void
test_directives (void)
{
  ok (parses ("FROM x\nRUN a \\\n b\n") && df.escape == '\\', "the escape character is \\ by default");
  is_str (inst (1), "RUN|a  b", "a \\ at the end of a line continues it");

  ok (parses ("# escape=`\nFROM x\nRUN a `\n b\n") && df.escape == '`', "# escape=` sets the escape character");
  is_str (inst (1), "RUN|a  b", "with escape=` a backtick continues the line");
  is_int (df.n, 2, "the directive is no instruction");

  /* the documented Windows example: with `, the backslashes are plain characters */
  ok (parses ("# escape=`\n\nFROM microsoft/nanoserver\nCOPY testfile.txt c:\\\nRUN dir c:\\\n"),
      "escape=`: Windows paths end in \\");
  is_int (df.n, 3, "escape=`: a trailing \\ does not continue the line");
  is_str (inst (1), "COPY|testfile.txt c:\\", "escape=`: COPY keeps its c:\\");
  is_str (inst (2), "RUN|dir c:\\", "escape=`: RUN keeps its c:\\");

  ok (parses ("# escape=\\\nFROM x\nRUN a \\\n b\n") && df.escape == '\\', "# escape=\\ is accepted");
  ok (parses ("# ESCAPE=`\nFROM x\n") && df.escape == '`', "directive names are case-insensitive");
  ok (parses ("#escape=`\nFROM x\n") && df.escape == '`', "#escape=` without a blank");
  ok (parses ("#\tescape = ` \nFROM x\n") && df.escape == '`', "blanks around the name, = and value");
  ok (parses ("  # escape=`\nFROM x\n") && df.escape == '`', "leading blanks before #");
  ok (parses ("# syntax=docker/dockerfile:1\n# escape=`\nFROM x\n") && df.escape == '`',
      "# syntax= is accepted (and ignored) before # escape=");
  ok (parses ("# syntax=docker/dockerfile:1.4\nFROM x\n") && df.n == 1, "# syntax= alone");
  ok (parses ("# check=skip=all\n# escape=`\nFROM x\n") && df.escape == '`', "# check= is a directive too");

  ok (parses ("FROM x\n# escape=`\nRUN a \\\n b\n") && df.escape == '\\' && df.n == 2,
      "after an instruction, # escape= is a comment");
  ok (parses ("# a comment\n# escape=`\nFROM x\n") && df.escape == '\\', "after a comment, # escape= is a comment");
  ok (parses ("\n# escape=`\nFROM x\n") && df.escape == '\\', "after an empty line, # escape= is a comment");
  ok (parses ("# unknowndirective=value\n# escape=`\nFROM x\n") && df.escape == '\\',
      "an unknown directive is a comment and ends the directives");
  ok (parses ("# escape =\nFROM x\n") && df.escape == '\\', "# escape= without a value is a comment");

  is_str (parse ("# escape=\\\n# escape=`\nFROM x\n"), "Dockerfile:2: only one escape parser directive can be used",
          "a repeated directive is an error");
  is_str (parse ("# syntax=a\n# syntax=b\nFROM x\n"), "Dockerfile:2: only one syntax parser directive can be used",
          "a repeated syntax directive is an error");
  is_str (parse ("# escape=x\nFROM x\n"), "Dockerfile:1: invalid escape token 'x' does not match ` or \\",
          "an escape other than \\ or ` is an error");
  ok (parses ("\xef\xbb\xbf# escape=`\nFROM x\n") && df.escape == '`', "a UTF-8 BOM is skipped");
}

static void
test_lines (void)
{
  ok (parses ("# comment\n  # indented comment\nFROM x\n\n\nRUN echo hi # not a comment\n"),
      "comments and blank lines");
  is_int (df.n, 2, "comments and empty lines make no instruction");
  is_int (df.v[0].line, 3, "the line of an instruction counts comments");
  is_int (df.v[1].line, 6, "the line counts empty lines");
  is_str (inst (1), "RUN|echo hi # not a comment", "# after an instruction is an argument");

  ok (parses ("FROM x\nRUN echo hello \\\n# comment\nworld\n"), "a comment line inside a continuation");
  is_str (inst (1), "RUN|echo hello world", "a comment line inside a continuation is dropped (documented example)");
  ok (parses ("FROM x\nRUN a \\\n   # indented comment\n  b\n"), "an indented comment inside a continuation");
  is_str (inst (1), "RUN|a   b", "an indented comment line is dropped, the next line's indent kept");
  ok (parses ("FROM x\nRUN a \\\n\n   \n b\nUSER u\n"), "empty lines inside a continuation");
  is_str (inst (1), "RUN|a  b", "empty and blank lines inside a continuation are skipped");
  is_int (df.v[2].line, 6, "lines skipped in a continuation still count");
  ok (parses ("FROM x\nRUN a \\   \t\n b\n"), "blanks after the escape");
  is_str (inst (1), "RUN|a  b", "an escape followed by blanks continues the line");
  ok (parses ("FROM x\nRUN a\\\nb\\\nc\n"), "several continuation lines");
  is_str (inst (1), "RUN|abc", "continuations are joined without adding a blank");
  is_str (df.v[1].original, "RUN abc", "original: continuations joined");
  ok (parses ("FROM x\nRUN a \\\\\nUSER b\n") && df.n == 3, "an escaped escape at the end does not continue");
  is_str (inst (1), "RUN|a \\\\", "an escaped escape stays as written");
  ok (parses ("FROM x\nRUN a \\"), "a continuation at the end of the file");
  is_str (inst (1), "RUN|a", "a continuation at the end of the file ends the instruction");
  ok (parses ("FROM x\r\nRUN a \\\r\n b\r\nUSER u\r\n"), "CRLF line ends");
  is_str (inst (1), "RUN|a  b", "CRLF: continuation and no \\r in arguments");
  is_str (inst (2), "USER|u", "CRLF: no \\r at the end of a line");
  ok (parses ("   FROM   x   \n\tRUN\tb\n"), "leading and trailing blanks");
  is_str (inst (0), "FROM|x", "blanks around an instruction are dropped");
  is_str (inst (1), "RUN|b", "a tab separates the keyword");
  is_str (df.v[0].original, "FROM   x", "original: as written, trimmed");
  ok (parses ("FROM x\nRUN a \\\n\\\n b\n"), "a line holding only the escape");
  is_str (inst (1), "RUN|a  b", "a line holding only the escape continues too");

  is_str (parse (""), "Dockerfile: file with no instructions", "an empty file is an error");
  is_str (parse ("# only\n# comments\n\n"), "Dockerfile: file with no instructions", "only comments is an error");
  is_str (parse ("FROM x\n\n# c\nFOO bar\n"), "Dockerfile:4: unknown instruction: FOO",
          "an unknown instruction names its line");
  is_str (parse ("FROM x\nfoo bar\n"), "Dockerfile:2: unknown instruction: foo", "the unknown instruction as written");
  is_str (parse ("FROM x\nRUN a \\\n b\nBAD \\\n c\n"), "Dockerfile:4: unknown instruction: BAD",
          "an error names the first line of a continued instruction");
  {
    lcr_error_t err = NULL;
    dock_dockerfile_free (&df);
    static const char text[] = "FROM x\nRUN a\0b\n";
    int r = dock_dockerfile_parse ("Dockerfile", text, sizeof text - 1, &df, &err);
    ok (r < 0 && err && strcmp (err->msg, "Dockerfile:2: the file holds a NUL byte") == 0, "a NUL byte is an error");
    lcr_error_release (&err);
  }
}

static void
test_keywords (void)
{
  const char *all = "from a AS b\nrun r\nCmd c\nLabel l=1\nmaintainer m\nexpose 80\nenv e=1\nadd a b\ncopy a b\n"
                    "entrypoint e\nvolume /v\nuser u\nworkdir /w\narg a\nonbuild run x\nstopsignal SIGTERM\n"
                    "healthcheck NONE\nshell [\"sh\"]\n";
  ok (parses (all), "every instruction, in any case");
  const char *kw[]
      = {"FROM",       "RUN",    "CMD",  "LABEL",   "MAINTAINER", "EXPOSE",  "ENV",        "ADD",         "COPY",
         "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG",        "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"};
  bool good = df.n == 18;
  for (size_t i = 0; good && i < 18; i++)
    good = strcmp (df.v[i].keyword, kw[i]) == 0;
  ok (good, "keywords are upper-cased");
  is_int (df.v[17].line, 18, "each instruction has its line");
  is_str (df.v[1].original, "run r", "original keeps the case as written");
}

static void
test_flags (void)
{
  ok (parses ("FROM x\nCOPY --from=build --chown=1:2 --chmod=644 a b\n"), "COPY flags");
  is_int (df.v[1].nflags, 3, "three flags");
  is_str (dock_df_flag (&df.v[1], "from"), "build", "--from=build");
  is_str (dock_df_flag (&df.v[1], "chown"), "1:2", "--chown=1:2");
  is_str (dock_df_flag (&df.v[1], "chmod"), "644", "--chmod=644");
  is_str (dock_df_flag (&df.v[1], "link"), NULL, "an absent flag is NULL");
  is_str (inst (1), "COPY|a b", "the flags are not in the arguments");
  ok (parses ("FROM x\nCOPY --link a b\n"), "a flag without value");
  is_str (dock_df_flag (&df.v[1], "link"), "", "--link: the empty string");
  ok (df.v[1].flags[0].value == NULL, "--link: value NULL");
  ok (parses ("FROM x\nCOPY --link=false a b\n") && strcmp (dock_df_flag (&df.v[1], "link"), "false") == 0,
      "--link=false");
  ok (parses ("FROM x\nADD --keep-git-dir=TRUE --checksum=sha256:0 a b\n"), "ADD flags");
  ok (parses ("FROM x\nCOPY --chown=\"a b\" x y\n") && strcmp (dock_df_flag (&df.v[1], "chown"), "a b") == 0,
      "quotes in a flag value are removed");
  ok (parses ("FROM x\nCOPY --chown='a\\ b' x y\n") && strcmp (dock_df_flag (&df.v[1], "chown"), "a b") == 0,
      "an escape in a flag value");
  ok (parses ("FROM x\nRUN --mount=type=cache,target=/c --mount=type=tmpfs,target=/t --network=none echo hi\n"),
      "RUN --mount twice, --network");
  is_int (df.v[1].nflags, 3, "list flags repeat");
  is_str (df.v[1].flags[1].value, "type=tmpfs,target=/t", "the second --mount");
  is_str (inst (1), "RUN|echo hi", "RUN's command after its flags");
  ok (parses ("FROM x\nRUN -- --version\n"), "-- ends the flags");
  is_str (inst (1), "RUN|--version", "after --, a -- word is an argument");
  is_int (df.v[1].nflags, 0, "-- itself is no flag");
  ok (parses ("FROM --platform=linux/arm64 alpine AS b\n"), "FROM --platform");
  is_str (dock_df_flag (&df.v[0], "platform"), "linux/arm64", "the platform");
  is_str (inst (0), "FROM|alpine AS b", "FROM's arguments");
  ok (parses ("FROM x\nRUN echo --not-a-flag\n") && df.v[1].nflags == 0,
      "a -- word after the first argument is no flag");
  ok (parses ("FROM x\nHEALTHCHECK --interval=5s --timeout=3s --start-period=1s --start-interval=1s --retries=3 CMD "
              "true\n"),
      "HEALTHCHECK flags");
  is_int (df.v[1].nflags, 5, "five healthcheck flags");

  is_str (parse ("FROM x\nENV --foo=bar a=b\n"), "Dockerfile:2: unknown flag: --foo", "ENV takes no flags");
  is_str (parse ("FROM x\nMAINTAINER --boo joe\n"), "Dockerfile:2: unknown flag: --boo", "MAINTAINER takes no flags");
  is_str (parse ("FROM x\nRUN --from=a echo\n"), "Dockerfile:2: unknown flag: --from", "RUN has no --from");
  is_str (parse ("FROM x\nCMD --help\n"), "Dockerfile:2: unknown flag: --help",
          "CMD's shell form cannot start with --");
  is_str (parse ("FROM x\nCOPY --from=a --from=b x y\n"), "Dockerfile:2: duplicate flag specified: --from",
          "a flag given twice");
  is_str (parse ("FROM x\nCOPY --from x y\n"), "Dockerfile:2: missing a value on flag: --from", "--from without value");
  is_str (parse ("FROM x\nCOPY --link= x y\n"), "Dockerfile:2: missing a value on flag: --link", "--link= is empty");
  is_str (parse ("FROM x\nCOPY --link=maybe x y\n"),
          "Dockerfile:2: expecting boolean value for flag --link, not: maybe", "a boolean flag takes true or false");
  ok (parses ("FROM x\nCMD [\"--help\"]\n") && df.v[1].json, "exec form: no flags");
}

static void
test_forms (void)
{
  ok (parses ("FROM x\nCMD [\"echo\", \"a b\"]\n"), "exec form");
  ok (df.v[1].json && df.v[1].rest == NULL, "exec form: json, no rest");
  is_str (inst (1), "CMD|[echo,a b]", "exec form: the strings");
  ok (df.v[1].args[2] == NULL, "args is NULL-terminated");
  ok (parses ("FROM x\nRUN [ \"a\" ,\"b\" ]\n") && df.v[1].json, "blanks inside the JSON array");
  ok (parses ("FROM x\nENTRYPOINT [\"a\\\"b\", \"\\u00e9\\n\"]\n"), "JSON escapes");
  is_str (inst (1), "ENTRYPOINT|[a\"b,\xc3\xa9\n]", "JSON escapes are decoded");
  ok (parses ("FROM x\nCMD []\n") && df.v[1].json && df.v[1].nargs == 0, "an empty array is the exec form");
  ok (parses ("FROM x\nCMD [\"a\", 'b']\n") && !df.v[1].json, "invalid JSON: shell form");
  is_str (inst (1), "CMD|[\"a\", 'b']", "invalid JSON: the text as written");
  ok (parses ("FROM x\nRUN [\"a\"] && b\n") && !df.v[1].json, "text after the array: shell form");
  ok (parses ("FROM x\nRUN [\"a\" /* c */]\n") && !df.v[1].json, "JSON comments are no JSON: shell form");
  ok (parses ("FROM x\nRUN [ -f x ] && echo\n") && !df.v[1].json, "a shell test: shell form");
  ok (parses ("FROM x\nRUN {\"a\": 1}\n") && !df.v[1].json, "an object: shell form");
  is_str (parse ("FROM x\nCMD [1, 2]\n"),
          "Dockerfile:2: when using JSON array syntax, arrays must be comprised of strings only",
          "an array of numbers is an error");
  is_str (parse ("FROM x\nRUN [\"a\", [\"b\"]]\n"),
          "Dockerfile:2: when using JSON array syntax, arrays must be comprised of strings only",
          "a nested array is an error");
  ok (parses ("FROM x\nRUN\n") && !df.v[1].json && strcmp (df.v[1].rest, "") == 0, "RUN without a command (as docker)");
  ok (parses ("FROM x\nSHELL [\"/bin/bash\", \"-c\"]\n") && df.v[1].nargs == 2, "SHELL in JSON");
  is_str (parse ("FROM x\nSHELL /bin/bash -c\n"), "Dockerfile:2: SHELL requires the arguments to be in JSON form",
          "SHELL in shell form is an error");
  is_str (parse ("FROM x\nSHELL []\n"), "Dockerfile:2: SHELL requires at least one argument", "SHELL []");
  ok (parses ("FROM x\nCOPY [\"a b\", \"/dst/\"]\n"), "COPY in JSON");
  is_str (inst (1), "COPY|[a b,/dst/]", "COPY's JSON sources and destination");
  ok (parses ("FROM x\nVOLUME [\"/data\", \"/logs\"]\nVOLUME /a /b\n"), "VOLUME both forms");
  is_str (inst (1), "VOLUME|[/data,/logs]", "VOLUME JSON");
  is_str (inst (2), "VOLUME|/a /b", "VOLUME shell");
  is_str (parse ("FROM x\nVOLUME [\" \"]\n"), "Dockerfile:2: VOLUME specified can not be an empty string",
          "an empty volume");
}

static void
test_args (void)
{
  is_str (parse ("FROM\n"), "Dockerfile:1: FROM requires either one or three arguments", "FROM without image");
  is_str (parse ("FROM a b\n"), "Dockerfile:1: FROM requires either one or three arguments", "FROM with two words");
  is_str (parse ("FROM a b c\n"), "Dockerfile:1: FROM requires either one or three arguments", "FROM a b c (no AS)");
  ok (parses ("FROM a as Build-1.x\n"), "FROM … as NAME (any case)");
  is_str (parse ("FROM a AS 1b\n"),
          "Dockerfile:1: invalid name for build stage: \"1b\", name can't start with a number or contain symbols",
          "a stage name starting with a digit");
  is_str (parse ("FROM a AS b/c\n"),
          "Dockerfile:1: invalid name for build stage: \"b/c\", name can't start with a number or contain symbols",
          "a stage name with a symbol");
  is_str (parse ("FROM x\nWORKDIR\n"), "Dockerfile:2: WORKDIR requires exactly one argument", "WORKDIR");
  is_str (parse ("FROM x\nUSER\n"), "Dockerfile:2: USER requires exactly one argument", "USER");
  is_str (parse ("FROM x\nSTOPSIGNAL   \n"), "Dockerfile:2: STOPSIGNAL requires exactly one argument", "STOPSIGNAL");
  is_str (parse ("FROM x\nMAINTAINER\n"), "Dockerfile:2: MAINTAINER requires exactly one argument", "MAINTAINER");
  is_str (parse ("FROM x\nEXPOSE\n"), "Dockerfile:2: EXPOSE requires at least one argument", "EXPOSE");
  is_str (parse ("FROM x\nENV\n"), "Dockerfile:2: ENV requires at least one argument", "ENV");
  is_str (parse ("FROM x\nLABEL\n"), "Dockerfile:2: LABEL requires at least one argument", "LABEL");
  is_str (parse ("ARG\n"), "Dockerfile:1: ARG requires at least one argument", "ARG");
  is_str (parse ("FROM x\nONBUILD\n"), "Dockerfile:2: ONBUILD requires at least one argument", "ONBUILD");
  is_str (parse ("FROM x\nHEALTHCHECK\n"), "Dockerfile:2: HEALTHCHECK requires at least one argument", "HEALTHCHECK");
  is_str (parse ("FROM x\nVOLUME\n"), "Dockerfile:2: VOLUME requires at least one argument", "VOLUME");
  is_str (parse ("FROM x\nCOPY a\n"),
          "Dockerfile:2: COPY requires at least two arguments, but only one was provided. Destination could not be "
          "determined",
          "COPY with one argument");
  is_str (parse ("FROM x\nADD [\"a\"]\n"),
          "Dockerfile:2: ADD requires at least two arguments, but only one was provided. Destination could not be "
          "determined",
          "ADD with one JSON argument");
  is_str (parse ("FROM x\nENV a\n"), "Dockerfile:2: ENV must have two arguments", "ENV name without value");
  is_str (parse ("FROM x\nLABEL a\n"), "Dockerfile:2: LABEL must have two arguments", "LABEL name without value");
  is_str (parse ("FROM x\nENV a=b c\n"),
          "Dockerfile:2: Syntax error - can't find = in \"c\". Must be of the form: name=value", "ENV a=b c");
  is_str (parse ("FROM x\nENV =b\n"), "Dockerfile:2: ENV names can not be blank", "ENV =b");
  is_str (parse ("FROM x\nLABEL a=1 =b\n"), "Dockerfile:2: LABEL names can not be blank", "LABEL =b");
  is_str (parse ("ARG a =b\n"), "Dockerfile:1: ARG names can not be blank", "ARG =b");
  ok (parses ("FROM x\nENV a=\"b c\" d=e\n"), "ENV with a quoted value containing blanks");
  ok (parses ("FROM x\nWORKDIR /a b\n") && strcmp (df.v[1].rest, "/a b") == 0, "WORKDIR: the rest is one argument");

  /* HEALTHCHECK */
  ok (parses ("FROM x\nHEALTHCHECK NONE\n"), "HEALTHCHECK NONE");
  is_str (inst (1), "HEALTHCHECK|[NONE]", "HEALTHCHECK NONE: args {NONE}");
  ok (parses ("FROM x\nhealthcheck none\n") && df.v[1].json, "healthcheck none (any case)");
  ok (parses ("FROM x\nHEALTHCHECK CMD [\"curl\", \"-f\", \"x\"]\n"), "HEALTHCHECK CMD exec");
  is_str (inst (1), "HEALTHCHECK|[CMD,curl,-f,x]", "HEALTHCHECK exec: CMD and the command");
  ok (parses ("FROM x\nHEALTHCHECK --interval=5s CMD curl -f x || exit 1\n"), "HEALTHCHECK CMD shell");
  is_str (inst (1), "HEALTHCHECK|curl -f x || exit 1", "HEALTHCHECK shell: the command after CMD");
  is_str (parse ("FROM x\nHEALTHCHECK NONE x\n"), "Dockerfile:2: HEALTHCHECK NONE takes no arguments", "NONE x");
  is_str (parse ("FROM x\nHEALTHCHECK TEST x\n"), "Dockerfile:2: Unknown type \"TEST\" in HEALTHCHECK (try CMD)",
          "HEALTHCHECK TEST");
  is_str (parse ("FROM x\nHEALTHCHECK CMD\n"), "Dockerfile:2: Missing command after HEALTHCHECK CMD",
          "HEALTHCHECK CMD");
  is_str (parse ("FROM x\nHEALTHCHECK CMD []\n"), "Dockerfile:2: Missing command after HEALTHCHECK CMD",
          "HEALTHCHECK CMD []");
  is_str (parse ("FROM x\nHEALTHCHECK --foo=1 CMD true\n"), "Dockerfile:2: unknown flag: --foo", "HEALTHCHECK --foo");
}

static void
test_onbuild (void)
{
  ok (parses ("FROM x\nONBUILD RUN echo hi\n"), "ONBUILD RUN");
  ok (df.v[1].onbuild != NULL, "ONBUILD: the inner instruction");
  is_str (df.v[1].onbuild->keyword, "RUN", "ONBUILD: inner keyword");
  is_str (df.v[1].onbuild->rest, "echo hi", "ONBUILD: inner arguments");
  is_str (df.v[1].onbuild->original, "RUN echo hi", "ONBUILD: the trigger as the image keeps it");
  is_str (df.v[1].rest, "RUN echo hi", "ONBUILD: its rest is the trigger");
  ok (parses ("FROM x\nonbuild copy --from=b a /c\n"), "ONBUILD COPY with flags");
  is_str (dock_df_flag (df.v[1].onbuild, "from"), "b", "ONBUILD: the inner flags");
  is_int (df.v[1].nflags, 0, "ONBUILD itself has no flag");
  ok (parses ("FROM x\nONBUILD CMD [\"a\"]\n") && df.v[1].onbuild->json, "ONBUILD CMD exec form");
  is_str (parse ("FROM x\nONBUILD ONBUILD RUN x\n"),
          "Dockerfile:2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed", "ONBUILD ONBUILD");
  is_str (parse ("FROM x\nONBUILD FROM y\n"), "Dockerfile:2: FROM isn't allowed as an ONBUILD trigger", "ONBUILD FROM");
  is_str (parse ("FROM x\nonbuild maintainer y\n"), "Dockerfile:2: maintainer isn't allowed as an ONBUILD trigger",
          "ONBUILD MAINTAINER");
  is_str (parse ("FROM x\nONBUILD FOO y\n"), "Dockerfile:2: unknown instruction: FOO", "ONBUILD FOO");
  is_str (parse ("FROM x\nONBUILD COPY a\n"),
          "Dockerfile:2: COPY requires at least two arguments, but only one was provided. Destination could not be "
          "determined",
          "ONBUILD: the trigger's arguments are checked");
}

static void
test_heredocs (void)
{
  ok (parses ("FROM x\nRUN <<EOF\necho hi\necho $HOME\nEOF\nUSER u\n"), "RUN <<EOF");
  is_int (df.n, 3, "the heredoc body makes no instructions");
  is_int (df.v[1].nheredocs, 1, "one heredoc");
  is_str (df.v[1].heredocs[0].name, "EOF", "the delimiter");
  is_str (df.v[1].heredocs[0].body, "echo hi\necho $HOME\n", "the body, each line ending in \\n");
  ok (df.v[1].heredocs[0].expand && !df.v[1].heredocs[0].strip_tabs, "an unquoted delimiter expands");
  is_str (inst (1), "RUN|<<EOF", "the instruction keeps <<EOF");
  is_int (df.v[2].line, 6, "the line after the heredoc");

  ok (parses ("FROM x\nRUN <<-EOF\n\techo hi\n\t\tnested\n\tEOF\n"), "<<-EOF");
  ok (df.v[1].heredocs[0].strip_tabs, "<<-: strip_tabs");
  is_str (df.v[1].heredocs[0].body, "echo hi\nnested\n", "<<-: leading tabs removed from the body");
  ok (parses ("FROM x\nRUN <<EOF\n\tEOF\nEOF\n"), "<<EOF: a tab before the delimiter");
  is_str (df.v[1].heredocs[0].body, "\tEOF\n", "<<EOF: an indented delimiter is body");

  ok (parses ("FROM x\nRUN <<'EOF'\n$x\nEOF\n") && !df.v[1].heredocs[0].expand, "<<'EOF' does not expand");
  is_str (df.v[1].heredocs[0].name, "EOF", "<<'EOF': quotes are not in the name");
  ok (parses ("FROM x\nRUN <<\"EOF\"\n$x\nEOF\n") && !df.v[1].heredocs[0].expand, "<<\"EOF\" does not expand");
  ok (parses ("FROM x\nRUN <<E\"O\"F\n$x\nEOF\n") && !df.v[1].heredocs[0].expand, "a partly quoted delimiter");

  ok (parses ("FROM x\nRUN <<A cat && cat <<B\nfirst\nA\nsecond\nB\nUSER u\n"), "two heredocs on one line");
  is_int (df.v[1].nheredocs, 2, "two heredocs");
  is_str (df.v[1].heredocs[0].body, "first\n", "the first body");
  is_str (df.v[1].heredocs[1].name, "B", "the second delimiter");
  is_str (df.v[1].heredocs[1].body, "second\n", "the second body");
  is_str (inst (2), "USER|u", "after both heredocs");

  ok (parses ("FROM x\nCOPY <<EOF /dst\nhello\nEOF\n"), "COPY <<EOF /dst");
  is_str (df.v[1].heredocs[0].body, "hello\n", "COPY heredoc body");
  is_str (inst (1), "COPY|<<EOF /dst", "COPY heredoc arguments");
  ok (parses ("FROM x\nADD <<EOF /dst\nhello\nEOF\n") && df.v[1].nheredocs == 1, "ADD <<EOF /dst");
  ok (parses ("FROM x\nRUN cat <<EOF > /f\n# not a comment\nFROM y\n\nEOF\n"), "a body holding comment-like lines");
  is_str (df.v[1].heredocs[0].body, "# not a comment\nFROM y\n\n", "the body is kept as written");
  is_int (df.n, 2, "no instruction from inside a body");
  ok (parses ("FROM x\nRUN 3<<EOF cat /dev/fd/3\nx\nEOF\n") && df.v[1].nheredocs == 1, "a file descriptor before <<");
  ok (parses ("FROM x\nRUN python3 <<EOF\nprint(1)\nEOF\n") && df.v[1].nheredocs == 1, "a command before <<");
  ok (parses ("FROM x\nRUN echo \"<<EOF\"\nUSER u\n") && df.v[1].nheredocs == 0 && df.n == 3,
      "a quoted << is no heredoc");
  ok (parses ("FROM x\nRUN echo a\\<<EOF\nUSER u\n") && df.v[1].nheredocs == 0 && df.n == 3,
      "an escaped << is no heredoc");
  ok (parses ("FROM x\nRUN [\"cat\", \"<<EOF\"]\nUSER u\n") && df.v[1].nheredocs == 0 && df.n == 3,
      "no heredoc in the exec form");
  ok (parses ("FROM x\nCMD cat <<EOF\nUSER u\n") && df.v[1].nheredocs == 0 && df.n == 3, "CMD takes no heredoc");
  ok (parses ("FROM x\nRUN cat << EOF\nhi\nEOF\n") && df.v[1].nheredocs == 1 && df.n == 2,
      "blanks between << and the delimiter");
  is_str (df.v[1].heredocs[0].name, "EOF", "<< EOF: the delimiter");
  ok (parses ("FROM x\nRUN cat << -EOF\nhi\n-EOF\n") && df.v[1].nheredocs == 1 && !df.v[1].heredocs[0].strip_tabs,
      "<< -EOF is the delimiter -EOF");
  ok (parses ("FROM x\nRUN cat <<< word\nUSER u\n") && df.v[1].nheredocs == 0 && df.n == 3, "<<< is no heredoc");
  ok (parses ("FROM x\nRUN a<<EOF\nUSER u\n") && df.v[1].nheredocs == 0 && df.n == 3, "<< inside a word is no heredoc");
  ok (parses ("FROM x\nRUN <<EOF \\\n && true\nbody\nEOF\n"), "a heredoc line continued");
  is_str (df.v[1].heredocs[0].body, "body\n", "the body starts after the continued line");
  ok (parses ("FROM x\nONBUILD RUN <<EOF\nhi\nEOF\n") && df.v[1].onbuild->nheredocs == 1, "ONBUILD RUN <<EOF");
  is_str (df.v[1].onbuild->heredocs[0].body, "hi\n", "ONBUILD heredoc body");
  ok (parses ("FROM x\nRUN <<EOF\r\nhi\r\nEOF\r\n") && df.n == 2, "CRLF: the delimiter line ends in \\r\\n");
  is_str (parse ("FROM x\nRUN <<EOF\necho hi\n"), "Dockerfile:2: unterminated heredoc", "an unterminated heredoc");
  is_str (parse ("FROM x\nRUN <<A <<B\na\nA\nb\n"), "Dockerfile:2: unterminated heredoc",
          "the second heredoc unterminated");
}

/* ---- substitution -------------------------------------------------------------------- */

static void
test_expand (void)
{
  is_str (expand ("$A"), "hello", "$v");
  is_str (expand ("${A}"), "hello", "${v}");
  is_str (expand ("${A}world"), "helloworld", "${v} before letters");
  is_str (expand ("$A_B"), "", "$A_B is the variable A_B");
  is_str (expand ("$A.txt"), "hello.txt", "a name stops at a dot");
  is_str (expand ("$UNSET"), "", "an unset variable is empty");
  is_str (expand ("a${UNSET}b"), "ab", "${unset} is empty");
  is_str (expand ("'$A'"), "$A", "single quotes keep $");
  is_str (expand ("'a \\b \"c\"'"), "a \\b \"c\"", "single quotes keep escapes and double quotes");
  is_str (expand ("\"$A\""), "hello", "double quotes substitute");
  is_str (expand ("\"${A} 'x'\""), "hello 'x'", "single quotes inside double quotes are characters");
  is_str (expand ("\\$A"), "$A", "\\$ is a literal $");
  is_str (expand ("\"\\$A\""), "$A", "\\$ inside double quotes");
  is_str (expand ("\"\\a\""), "\\a", "inside double quotes \\a stays \\a");
  is_str (expand ("\"a\\\"b\""), "a\"b", "\\\" inside double quotes");
  is_str (expand ("\"a\\\\b\""), "a\\b", "\\\\ inside double quotes");
  is_str (expand ("\\a"), "a", "an unquoted escape makes the next character literal");
  is_str (expand ("a\\\\b"), "a\\b", "\\\\ unquoted");
  is_str (expand ("a\\ b"), "a b", "an escaped blank");
  is_str (expand ("\\'a\\'"), "'a'", "escaped single quotes");
  is_str (expand ("ab\\"), "ab", "an escape at the end is dropped");
  is_str (expand ("a  b"), "a  b", "blanks are kept");
  is_str (expand ("$SP"), "a b", "a value with a blank stays one word");
  is_str (expand ("$Q"), "\"q\"", "quotes in a value are characters");
  is_str (expand ("$"), "$", "a lone $");
  is_str (expand ("a$ b$"), "a$ b$", "$ before a blank or the end");
  is_str (expand ("$1$@"), "", "positional and special parameters are unset");
  is_str (expand ("$$"), "", "$$ is a special parameter");
  is_str (expand ("\"\""), "", "empty quotes");
  is_str (expand ("a\"b\"'c'd"), "abcd", "quotes join");

  is_str (expand ("${UNSET:-def}"), "def", "${unset:-w}");
  is_str (expand ("${EMPTY:-def}"), "def", "${empty:-w}");
  is_str (expand ("${A:-def}"), "hello", "${set:-w}");
  is_str (expand ("${UNSET-def}"), "def", "${unset-w}");
  is_str (expand ("${EMPTY-def}"), "", "${empty-w}: empty is set");
  is_str (expand ("${A:+alt}"), "alt", "${set:+w}");
  is_str (expand ("${EMPTY:+alt}"), "", "${empty:+w}");
  is_str (expand ("${UNSET:+alt}"), "", "${unset:+w}");
  is_str (expand ("${EMPTY+alt}"), "alt", "${empty+w}: empty is set");
  is_str (expand ("${UNSET+alt}"), "", "${unset+w}");
  is_str (expand ("${UNSET:-$A}"), "hello", "a variable in the default");
  is_str (expand ("${UNSET:-${X:-y}}"), "x", "nested substitution");
  is_str (expand ("${UNSET:-a b}"), "a b", "a default with a blank");
  is_str (expand ("${UNSET:-\"q}\"}"), "q}", "a quoted } in the default");
  is_str (expand ("${UNSET:-a\\}b}"), "a}b", "an escaped } in the default");
  is_str (expand ("\"${UNSET:-'x'}\""), "x", "quotes in a default inside double quotes");
  is_str (expand ("${A:?x}"), "hello", "${set:?msg}");
  is_str (expand ("${UNSET:?}"), "ERR: UNSET: is not allowed to be unset", "${unset:?}");
  is_str (expand ("${UNSET:?custom message}"), "ERR: UNSET: custom message", "${unset:?msg}");
  is_str (expand ("${EMPTY:?}"), "ERR: EMPTY: is not allowed to be empty", "${empty:?}");
  is_str (expand ("${EMPTY?}"), "", "${empty?}: empty is set");
  is_str (expand ("${UNSET?no}"), "ERR: UNSET: no", "${unset?msg}");

  is_str (expand ("${PATHV#*/}"), "usr/local/bin.tar.gz", "${v#p}: shortest prefix");
  is_str (expand ("${PATHV##*/}"), "bin.tar.gz", "${v##p}: longest prefix");
  is_str (expand ("${PATHV%.*}"), "/usr/local/bin.tar", "${v%%p}: shortest suffix");
  is_str (expand ("${PATHV%%.*}"), "/usr/local/bin", "${v%%%%p}: longest suffix");
  is_str (expand ("${A#x}"), "hello", "${v#p}: no match");
  is_str (expand ("${A#h?l}"), "lo", "${v#p}: ? is one character");
  is_str (expand ("${A/l/L}"), "heLlo", "${v/p/r}: the first match");
  is_str (expand ("${A//l/L}"), "heLLo", "${v//p/r}: every match");
  is_str (expand ("${A/l*/_}"), "he_", "${v/p/r}: * is greedy");
  is_str (expand ("${UNSET/a/b}"), "", "${unset/p/r}");

  is_str (expand ("${A"), "ERR: syntax error: missing '}'", "${v without }");
  is_str (expand ("${"), "ERR: syntax error: missing '}'", "${ at the end");
  is_str (expand ("${UNSET:-x"), "ERR: syntax error: missing '}'", "${v:-w without }");
  is_str (expand ("${}"), "ERR: syntax error: bad substitution", "${}");
  is_str (expand ("${:-x}"), "ERR: syntax error: bad substitution", "${:-x}");
  is_str (expand ("${{A}}"), "ERR: syntax error: bad substitution", "${{");
  is_str (expand ("${A!}"), "ERR: unsupported modifier (!) in substitution", "${A!}");
  is_str (expand ("${A:=x}"), "ERR: unsupported modifier (:=) in substitution", "${A:=x}");
  is_str (expand ("${A:#x}"), "ERR: unsupported modifier (:#) in substitution", "${A:#x}");
  is_str (expand ("'abc"), "ERR: unexpected end of statement while looking for matching single-quote",
          "an unterminated single quote");
  is_str (expand ("\"abc"), "ERR: unexpected end of statement while looking for matching double-quote",
          "an unterminated double quote");

  /* the escape character of the Dockerfile */
  is_str (expand_esc ("`$A", '`'), "$A", "escape=`: `$ is a literal $");
  is_str (expand_esc ("c:\\$A", '`'), "c:\\hello", "escape=`: \\ is a character");
  is_str (expand_esc ("\"a`\"b\"", '`'), "a\"b", "escape=`: `\" inside double quotes");
}

static void
test_words (void)
{
  is_str (words ("a \"b c\" d"), "<a> <b c> <d>", "double quotes group");
  is_str (words ("'a b'   c"), "<a b> <c>", "single quotes group, blanks separate");
  is_str (words ("$SP x"), "<a b> <x>", "a substituted value is not split");
  is_str (words ("a\\ b c"), "<a b> <c>", "an escaped blank joins");
  is_str (words ("\"\" x ''"), "<> <x> <>", "empty quoted words are words");
  is_str (words ("  "), "", "no words");
  is_str (words ("${UNSET:-a} $A/x"), "<a> <hello/x>", "substitution in each word");
  is_str (words ("pre\"$A  x\"post"), "<prehello  xpost>", "quotes inside a word");
  is_str (words ("\"a b"), "ERR: unexpected end of statement while looking for matching double-quote",
          "an unterminated quote");
}

static void
test_pairs (void)
{
  is_str (pairs ("ENV a=b c=\"d e\"\n"), "<a>=<b> <c>=<d e>", "ENV k=v k2=\"v w\"");
  is_str (pairs ("ENV k v w\n"), "<k>=<v w>", "ENV k v w: one pair");
  is_str (pairs ("ENV k   \"a b\"  c\n"), "<k>=<a b  c>", "the old form: the rest of the line, quotes removed");
  is_str (pairs ("ENV k=$A k2=${UNSET:-d}\n"), "<k>=<hello> <k2>=<d>", "values are substituted");
  is_str (pairs ("ENV $X=1\n"), "<x>=<1>", "keys are substituted");
  is_str (pairs ("ENV k $A\n"), "<k>=<hello>", "the old form substitutes");
  is_str (pairs ("ENV a=b\\ c\n"), "<a>=<b c>", "an escaped blank in a value");
  is_str (pairs ("ENV a=\"\"\n"), "<a>=<>", "an empty value");
  is_str (pairs ("ENV a=\n"), "<a>=<>", "an empty value without quotes");
  is_str (pairs ("ENV a='$A' b=\"$A\"\n"), "<a>=<$A> <b>=<hello>", "single quotes keep $ in values");
  is_str (pairs ("ENV a=x=y\n"), "<a>=<x=y>", "the first = splits");
  is_str (pairs ("ENV a=1 \\\n    b=2\n"), "<a>=<1> <b>=<2>", "pairs over continued lines");
  is_str (pairs ("LABEL \"com.example.vendor\"=\"ACME Inc\" version=1.0\n"),
          "<com.example.vendor>=<ACME Inc> <version>=<1.0>", "LABEL with quoted keys");
  is_str (pairs ("LABEL description=\"This text illustrates \\\nthat label-values can span multiple lines.\"\n"),
          "<description>=<This text illustrates that label-values can span multiple lines.>",
          "a LABEL value over two lines (documented example)");
  is_str (pairs ("ARG a b=1 c=\n"), "<a>=(unset) <b>=<1> <c>=<>", "ARG names with and without defaults");
  is_str (pairs ("ARG v=$A\n"), "<v>=<hello>", "an ARG default is substituted");
  is_str (pairs ("# escape=`\nENV a=b` c\n"), "<a>=<b c>", "escape=`: an escaped blank in a value");
  is_str (pairs ("ENV a=\"b\n"), "ERR: unexpected end of statement while looking for matching double-quote",
          "an unterminated quote in a value");
}

/* ---- .dockerignore ------------------------------------------------------------------- */

static struct dock_ignore *ig;

static const char *
ignore (const char *text)
{
  lcr_error_t err = NULL;
  dock_ignore_free (ig);
  ig = NULL;
  if (dock_ignore_parse (text, strlen (text), &ig, &err) == 0)
    return NULL;
  snprintf (errbuf, sizeof errbuf, "%s", err ? err->msg : "(no message)");
  lcr_error_release (&err);
  return errbuf;
}

static bool
m (const char *path)
{
  return dock_ignore_match (ig, path);
}

static void
test_ignore (void)
{
  /* the documented example */
  ok (ignore ("# comment\n*/temp*\n*/*/temp*\ntemp?\n") == NULL, "the documented .dockerignore");
  ok (m ("somedir/temporary.txt") && m ("somedir/temp"), "*/temp* in a subdirectory");
  ok (!m ("temporary.txt"), "*/temp* not at the top");
  ok (m ("somedir/subdir/temporary.txt"), "*/*/temp* two levels down");
  ok (!m ("a/b/c/temporary.txt"), "*/*/temp* not three levels down");
  ok (m ("tempa") && m ("tempb") && !m ("temp") && !m ("tempab"), "temp? is one character");
  ok (m ("tempa/inside"), "a matched directory excludes its contents");
  ok (!m ("# comment"), "a # line is a comment");

  ok (ignore ("**/*.go\n") == NULL && m ("a.go") && m ("x/y/z.go") && !m ("a.gox"), "**/*.go: any depth, even none");
  ok (ignore ("a/**/b\n") == NULL && m ("a/b") && m ("a/x/b") && m ("a/x/y/b") && !m ("ab") && !m ("a/xb"), "a/**/b");
  ok (ignore ("a/**\n") == NULL && m ("a/x") && m ("a/x/y") && !m ("ab"), "a/** matches inside a");
  ok (ignore ("**\n") == NULL && m ("x") && m ("a/b/c"), "** matches everything");
  ok (ignore ("**/foo\n") == NULL && m ("foo") && m ("a/b/foo") && m ("a/foo/x") && !m ("afoo"), "**/foo");

  ok (ignore ("*.md\n!README.md\n") == NULL && m ("a.md") && !m ("README.md"), "! makes an exception");
  ok (!m ("docs/a.md"), "*.md is only the top directory");
  ok (ignore ("*.md\n!README*.md\nREADME-secret.md\n") == NULL && m ("README-secret.md") && !m ("README-x.md"),
      "the last matching pattern wins (documented)");
  ok (ignore ("*.md\nREADME-secret.md\n!README*.md\n") == NULL && !m ("README-secret.md"),
      "the exception last includes README-secret.md (documented)");
  ok (ignore ("foo\n") == NULL && m ("foo") && m ("foo/bar") && m ("foo/a/b") && !m ("foobar") && !m ("x/foo"),
      "foo excludes foo/bar");
  ok (ignore ("foo\n!foo/bar\n") == NULL && !m ("foo/bar") && !m ("foo/bar/x") && m ("foo/baz"),
      "an exception inside an excluded directory");
  ok (ignore ("!foo\n") == NULL && !m ("foo"), "an exception alone excludes nothing");

  ok (ignore ("/foo\n") == NULL && m ("foo") && m ("foo/x"), "a leading / is dropped");
  ok (ignore ("./foo\n") == NULL && m ("foo"), "a leading ./ is dropped");
  ok (ignore ("foo/\n") == NULL && m ("foo") && m ("foo/x"), "a trailing / is dropped");
  ok (ignore ("a//b/../c\n") == NULL && m ("a/c") && !m ("a/b"), "the pattern is cleaned");
  ok (ignore ("!/a\n") == NULL, "an exception with a leading /");
  ok (ignore ("   spaced   \n\n\t\n") == NULL && m ("spaced"), "blanks around a pattern and blank lines");
  ok (ignore (" # not a comment\n") == NULL && m ("# not a comment"), "# after a blank is a pattern");
  ok (ignore ("foo\r\n") == NULL && m ("foo"), "CRLF lines");
  ok (ignore ("a\n") == NULL && m ("./a") && m ("a/") && m ("a//b"), "the path is cleaned");

  ok (ignore ("*.txt\n") == NULL && m ("a.txt") && !m ("d/a.txt"), "* does not cross /");
  ok (ignore ("a?b\n") == NULL && m ("axb") && !m ("a/b"), "? does not match /");
  ok (ignore ("caf?\n") == NULL && m ("caf\xc3\xa9"), "? is one UTF-8 character");
  ok (ignore ("[a-c].txt\n") == NULL && m ("b.txt") && !m ("d.txt"), "[a-c]");
  ok (ignore ("[^a].txt\n") == NULL && m ("b.txt") && !m ("a.txt"), "[^a]");
  ok (ignore ("[!a].txt\n") == NULL && m ("!.txt") && m ("a.txt") && !m ("b.txt"), "[!a] is ! or a (Go)");
  ok (ignore ("[\\]].txt\n") == NULL && m ("].txt"), "an escaped ] in a class");
  ok (ignore ("\\*.txt\n") == NULL && m ("*.txt") && !m ("a.txt"), "\\* is a literal *");
  ok (ignore ("a.b\n") == NULL && m ("a.b") && !m ("axb"), ". is a literal");
  ok (ignore ("a+(b)|{c}$\n") == NULL && m ("a+(b)|{c}$"), "regexp characters are literals");

  is_str (ignore ("[a\n"), ".dockerignore:1: syntax error in pattern: [a", "an unclosed class");
  is_str (ignore ("ok\n[]a]\n"), ".dockerignore:2: syntax error in pattern: []a]", "an empty class");
  is_str (ignore ("a\\\n"), ".dockerignore:1: syntax error in pattern: a\\", "a trailing escape");
  is_str (ignore ("[a-]\n"), ".dockerignore:1: syntax error in pattern: [a-]", "a range without its end");
  is_str (ignore ("!\n"), ".dockerignore:1: illegal exclusion pattern: \"!\"", "! alone");
  ok (ignore ("") == NULL && !m ("a"), "an empty .dockerignore excludes nothing");
  dock_ignore_free (ig);
  ig = NULL;
}

int
main (void)
{
  test_directives ();
  test_lines ();
  test_keywords ();
  test_flags ();
  test_forms ();
  test_args ();
  test_onbuild ();
  test_heredocs ();
  test_expand ();
  test_words ();
  test_pairs ();
  test_ignore ();
  dock_dockerfile_free (&df);
  return done_testing ();
}
