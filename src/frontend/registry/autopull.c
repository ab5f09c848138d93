/* dock — `run`/`create --pull`: the light dock has no libcurl (cli/heavy.c), so a pull it needs
 * is a `dock-archive pull` child, whose progress goes to stderr as docker's run shows it. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image/image.h"
#include "registry/registry.h"

int
dock_pull_via_child (struct dock_ctx *ctx, const char *ref, lcr_error_t *err)
{
  char path[4096];
  const char *slash = strrchr (ctx->self, '/');
  snprintf (path, sizeof path, "%.*sdock-archive", slash ? (int)(slash - ctx->self + 1) : 0, ctx->self);
  fflush (stdout);
  fflush (stderr);
  pid_t pid = fork ();
  if (pid < 0)
    return lcr_error_sys (err, "fork");
  if (pid == 0)
    {
      dup2 (2, 1);
      execl (path, path, "--root", ctx->root, "--runroot", ctx->runroot, "pull", ref, (char *)NULL);
      _exit (127);
    }
  int st;
  while (waitpid (pid, &st, 0) < 0)
    if (errno != EINTR)
      return lcr_error_sys (err, "wait for %s", path);
  if (!WIFEXITED (st) || WEXITSTATUS (st) != 0)
    {
      /* the child said why on stderr */
      cleanup_free char *f = NULL;
      cleanup_free char *n = dock_ref_normalize (ref, NULL);
      f = n ? dock_ref_familiar (n) : xstrdup (ref);
      return lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "Unable to find image '%s': the pull failed", f);
    }
  return 0;
}

int
dock_pull_for_create (struct dock_ctx *ctx, const char *ref, const char *policy, lcr_error_t *err)
{
  if (policy == NULL)
    policy = "missing";
  if (strcmp (policy, "never") == 0)
    return 0;
  if (strcmp (policy, "always") == 0)
    return dock_pull_via_child (ctx, ref, err);
  cleanup_image struct dock_image *img = NULL;
  if (dock_image_resolve (ctx, ref, &img, err) == 0)
    return 0;
  if ((*err)->code != LCR_ERR_NOT_FOUND)
    return -1;
  /* an ID or ID prefix is not something to pull */
  cleanup_free char *n = dock_ref_normalize (ref, NULL);
  if (n == NULL || strncmp (ref, "sha256:", 7) == 0)
    return -1;
  lcr_error_release (err);
  cleanup_free char *f = dock_ref_familiar (n);
  fprintf (stderr, "Unable to find image '%s' locally\n", f);
  return dock_pull_via_child (ctx, ref, err);
}
