/* berth — spec, features. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "utils.h"
#include "verbs.h"

int
verb_spec (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err)
{
  const char *bundle = ".";
  bool rootless = false;
  const struct flag_def defs[] = {
      {"bundle", 'b', FLAG_STRING, &bundle, "PATH", "write config.json into PATH (default: the current directory)"},
      {"rootless", 0, FLAG_BOOL, &rootless, NULL, "a spec for a container run by a non-root user"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  int pos, r = verb_args (argc, argv, defs, "[flags]", 0, 0, &pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  cleanup_free char *path = NULL;
  xasprintf (&path, "%s/config.json", bundle);
  if (access (path, F_OK) == 0)
    return lcr_error_make (err, 0, LCR_ERR_EXISTS, "spec: `%s` exists already: remove it first", path);
  cleanup_free char *json = lcr_spec_default_json (rootless, getuid (), getgid ());
  cleanup_close int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0)
    return lcr_error_sys (err, "spec: create `%s`", path);
  if (lcr_write_all (fd, json, strlen (json)) < 0)
    return lcr_error_sys (err, "spec: write `%s`", path);
  return 0;
}

int
verb_features (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err)
{
  const struct flag_def defs[] = {{NULL, 0, 0, NULL, NULL, NULL}};
  int pos, r = verb_args (argc, argv, defs, "", 0, 0, &pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  cleanup_free char *json = lcr_features_json ();
  fputs (json, stdout);
  return 0;
}
