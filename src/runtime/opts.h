/* berth — command-line flags, parsed the way runc's CLI library does:
 * "--name value", "--name=value", "-name value", "-n value", booleans with
 * an optional "=true/false"; parsing stops at the first non-flag or "--". */
#ifndef BERTH_OPTS_H
#define BERTH_OPTS_H

#include <stdbool.h>

#include "error.h"

enum flag_kind
{
  FLAG_BOOL,
  FLAG_STRING,
  FLAG_INT,
  FLAG_STRING_LIST,   /* repeatable: appends to a NULL-terminated char ** */
  FLAG_IGNORED_VALUE, /* accepted for compatibility, value dropped */
};

struct flag_def
{
  const char *name; /* long name, without dashes */
  char short_name;  /* 0 if none */
  int kind;
  void *dest;      /* bool *, const char **, int *, char *** */
  const char *arg; /* value placeholder for help ("PATH") */
  const char *help;
};

/* Parse argv[*index...]; on return *index is the first positional
   argument.  Errors name the flag and the verb. */
int opts_parse (const char *verb, int argc, char **argv, int *index, const struct flag_def *defs, lcr_error_t *err);

/* Print "  -b, --bundle PATH   help" lines. */
void opts_print_help (const struct flag_def *defs);

#endif
