/* dock — docker's flag syntax.
 *
 * As docker's (pflag): `--name value`, `--name=value`, `-n value`, `-nvalue`, `-n=value`,
 * grouped short flags (`-itd`), booleans that take `=false`, repeatable flags collected in order,
 * `--` ending the flags.  A command either stops at its first positional argument (run, exec,
 * create: what follows belongs to the container's command) or lets flags and arguments mix
 * (rm a -f b).  An unknown flag is an error that names it, as docker's "unknown flag: --foo".
 * `--help` / `-h` is always known: it prints the command's usage.
 */
#ifndef DOCK_ARGS_H
#define DOCK_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum dock_opt_kind
{
  DOCK_OPT_BOOL, /* bool *; `--x`, `--x=true|false` */
  DOCK_OPT_STR,  /* const char **; last one wins */
  DOCK_OPT_LIST, /* struct dock_strlist *; every occurrence, in order */
  DOCK_OPT_INT,  /* long long *; decimal */
};

struct dock_strlist
{
  const char **v; /* NULL-terminated; the strings are argv's */
  size_t n;
};
void dock_strlist_add (struct dock_strlist *l, const char *s);
void dock_strlist_free (struct dock_strlist *l);

struct dock_opt
{
  const char *name; /* long name without dashes; NULL ends the table */
  char short_;      /* 0: none */
  enum dock_opt_kind kind;
  void *dest;
  const char *help;    /* NULL: accepted but not listed (aliases, compatibility) */
  const char *argname; /* placeholder in the usage ("string", "list", …) */
};

struct dock_cmd_usage
{
  const char *usage;      /* "dock run [OPTIONS] IMAGE [COMMAND] [ARG...]" */
  const char *summary;    /* one line */
  bool interspersed;      /* flags may follow positional arguments */
  int min_args, max_args; /* positional argument count (-1: no maximum) */
};

/* Parse argv[1..] (argv[0] is the command).  On success *first is the index of the first
   positional argument (args are argv[*first .. argc-1]).  Returns 0, 1 when --help was printed
   (the caller exits 0), or -1 with *err ("unknown flag: --foo", "flag needs an argument: -e",
   "\"dock rm\" requires at least 1 argument"). */
int dock_parse_args (const struct dock_cmd_usage *u, const struct dock_opt *opts, int argc, char **argv, int *first,
                     lcr_error_t *err);

/* Print a command's usage and its flags to stdout (what --help prints). */
void dock_print_usage (const struct dock_cmd_usage *u, const struct dock_opt *opts);

/* Parse a size: "512m", "1g", "1024", "10k", "1.5g" → bytes; -1 on garbage. */
long long dock_parse_size (const char *s);
/* Parse a Go duration ("10s", "1m30s", "500ms", "2h") into nanoseconds; a bare number is
   seconds.  -1 on garbage. */
long long dock_parse_duration (const char *s);

#endif
