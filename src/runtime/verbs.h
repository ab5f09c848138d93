/* berth — the verbs of the runtime's command line; one file per group. */
#ifndef BERTH_VERBS_H
#define BERTH_VERBS_H

#include "container.h"
#include "opts.h"

/* argv[0] is the verb; returns the process exit status, or -1 with *err
   (exit 1), or VERB_FAIL_255 with *err (exit 255: `exec`'s own failures,
   which callers must tell from the process's status, as with runc). */
#define VERB_FAIL_255 (-255)
typedef int (*verb_fn) (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err);

struct verb
{
  const char *name;
  verb_fn fn;
  const char *summary;
};

int verb_create (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err);
int verb_run (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err);
int verb_start (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err);
int verb_state (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err);
int verb_list (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err);
int verb_kill (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err);
int verb_delete (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err);
int verb_exec (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err);
int verb_ps (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err);
int verb_pause (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err);
int verb_resume (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err);
int verb_update (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err);
int verb_events (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err);
int verb_spec (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err);
int verb_features (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err);

/* Parse a verb's flags (adding -h/--help) and check the number of positional
   arguments.  Returns 1 when help was printed (the verb returns 0), 0 to go
   on, -1 on error.  *pos is the index of the first positional argument. */
int verb_args (int argc, char **argv, const struct flag_def *defs, const char *usage, int min_pos, int max_pos,
               int *pos, lcr_error_t *err);

#endif
