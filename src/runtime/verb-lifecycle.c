/* berth — create, start, run. */
#define _GNU_SOURCE
#include <stdio.h>

#include "verbs.h"

#define CREATE_FLAGS(o)                                                                                                \
  {"bundle", 'b', FLAG_STRING, &(o).bundle, "PATH", "bundle directory (default: the current directory)"},              \
      {"pid-file", 0, FLAG_STRING, &(o).pid_file, "PATH", "write the container's pid to PATH"},                        \
      {"console-socket",    0,      FLAG_STRING,                                                                       \
       &(o).console_socket, "PATH", "unix socket that receives the pty master (with process.terminal)"},               \
      {"no-pivot", 0, FLAG_BOOL, &(o).no_pivot, NULL, "use MS_MOVE + chroot instead of pivot_root"},                   \
      {"no-new-keyring", 0, FLAG_BOOL, &(o).no_new_keyring, NULL, "keep the caller's session keyring"},                \
      {"preserve-fds", 0, FLAG_INT, &(o).preserve_fds, "N", "pass N extra fds (from fd 3) into the container"},        \
  {                                                                                                                    \
    "no-subreaper", 0, FLAG_BOOL, &ignored, NULL, NULL                                                                 \
  }

int
verb_create (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err)
{
  struct lcr_create_opts o = {0};
  bool ignored = false;
  const struct flag_def defs[] = {CREATE_FLAGS (o), {NULL, 0, 0, NULL, NULL, NULL}};
  int pos, r = verb_args (argc, argv, defs, "[flags] CONTAINER-ID", 1, 1, &pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  return lcr_container_create (ctx, argv[pos], &o, err) < 0 ? -1 : 0;
}

int
verb_run (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err)
{
  struct lcr_create_opts o = {0};
  bool ignored = false;
  const struct flag_def defs[] = {
      CREATE_FLAGS (o),
      {"detach", 'd', FLAG_BOOL, &o.detach, NULL, "start the container and return"},
      {"keep", 0, FLAG_BOOL, &o.keep, NULL, "keep the stopped container (don't delete it) after it exits"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  int pos, status, r = verb_args (argc, argv, defs, "[flags] CONTAINER-ID", 1, 1, &pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (lcr_container_run (ctx, argv[pos], &o, &status, err) < 0)
    return -1;
  return status;
}

int
verb_start (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err)
{
  const struct flag_def defs[] = {{NULL, 0, 0, NULL, NULL, NULL}};
  int pos, r = verb_args (argc, argv, defs, "CONTAINER-ID", 1, 1, &pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  return lcr_container_start (ctx, argv[pos], err) < 0 ? -1 : 0;
}
