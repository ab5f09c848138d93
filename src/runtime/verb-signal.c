/* berth — kill, delete. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "verbs.h"

int
verb_kill (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err)
{
  bool all = false;
  const struct flag_def defs[] = {
      {"all", 'a', FLAG_BOOL, &all, NULL, "signal every process of the container, not only its init"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  int pos, r = verb_args (argc, argv, defs, "[flags] CONTAINER-ID [SIGNAL]", 1, 2, &pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  int signo = SIGTERM;
  /* signal 0 checks that the container's init (or, with --all, its cgroup)
     can be signalled, without sending anything: a liveness probe */
  if (pos + 1 < argc && strcmp (argv[pos + 1], "0") != 0 && (signo = lcr_signal_parse (argv[pos + 1])) < 0)
    return lcr_error_invalid (err, "kill: unknown signal `%s`", argv[pos + 1]);
  if (pos + 1 < argc && strcmp (argv[pos + 1], "0") == 0)
    signo = 0;
  return lcr_container_kill (ctx, argv[pos], signo, all, err) < 0 ? -1 : 0;
}

int
verb_delete (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err)
{
  bool force = false;
  const struct flag_def defs[] = {
      {"force", 'f', FLAG_BOOL, &force, NULL, "kill the container first if it is still running"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  int pos, r = verb_args (argc, argv, defs, "[flags] CONTAINER-ID", 1, 1, &pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  return lcr_container_delete (ctx, argv[pos], force, err) < 0 ? -1 : 0;
}
