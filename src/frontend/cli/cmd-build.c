/* dock — `build` (and `image build`, `builder prune`): the command line of docker's classic
 * builder; build/build.h does the work. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "build/build.h"
#include "build/build-internal.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "store/store.h"

DOCK_CMD (dock_cmd_build)
{
  struct dock_strlist tags = {0}, build_args = {0}, labels = {0};
  const char *file = NULL, *target = NULL, *network = NULL, *iidfile = NULL, *progress = NULL, *platform = NULL;
  bool no_cache = false, pull = false, quiet = false, rm = true, force_rm = false;
  const struct dock_opt opts[] = {
      {"build-arg", 0, DOCK_OPT_LIST, &build_args, "Set build-time variables", "list"},
      {"file", 'f', DOCK_OPT_STR, &file, "Name of the Dockerfile (Default is 'PATH/Dockerfile')", "string"},
      {"force-rm", 0, DOCK_OPT_BOOL, &force_rm, "Always remove intermediate containers", NULL},
      {"iidfile", 0, DOCK_OPT_STR, &iidfile, "Write the image ID to the file", "string"},
      {"label", 0, DOCK_OPT_LIST, &labels, "Set metadata for an image", "list"},
      {"network", 0, DOCK_OPT_STR, &network,
       "Set the networking mode for the RUN instructions during build (default \"none\")", "string"},
      {"no-cache", 0, DOCK_OPT_BOOL, &no_cache, "Do not use cache when building the image", NULL},
      {"platform", 0, DOCK_OPT_STR, &platform, NULL, "string"},
      {"progress", 0, DOCK_OPT_STR, &progress, "Set type of progress output (plain, tty)", "string"},
      {"pull", 0, DOCK_OPT_BOOL, &pull, "Always attempt to pull a newer version of the image", NULL},
      {"quiet", 'q', DOCK_OPT_BOOL, &quiet, "Suppress the build output and print image ID on success", NULL},
      {"rm", 0, DOCK_OPT_BOOL, &rm, "Remove intermediate containers after a successful build (default true)", NULL},
      {"tag", 't', DOCK_OPT_LIST, &tags, "Name and optionally a tag in the 'name:tag' format", "list"},
      {"target", 0, DOCK_OPT_STR, &target, "Set the target build stage to build.", "string"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  static const struct dock_cmd_usage u
      = {"dock build [OPTIONS] PATH | URL | -", "Build an image from a Dockerfile", true, 1, 1};
  lcr_error_t err = NULL;
  int first;
  int p = dock_parse_args (&u, opts, argc, argv, &first, &err);
  int rc = 0;
  if (p != 0)
    {
      rc = p > 0 ? 0 : dock_fail (&err);
      goto out;
    }
  if (pull)
    {
      rc = dock_failf ("--pull: dock has no registry client yet; the base images must be in the store");
      goto out;
    }
  if (network && strcmp (network, "none") && strcmp (network, "host") && strcmp (network, "default")
      && strcmp (network, "bridge"))
    {
      rc = dock_failf ("--network: \"%s\": expected none, host or default", network);
      goto out;
    }
  if (progress && strcmp (progress, "plain") && strcmp (progress, "tty") && strcmp (progress, "auto"))
    {
      rc = dock_failf ("--progress: \"%s\": expected plain or tty", progress);
      goto out;
    }
  for (size_t i = 0; i < tags.n; i++)
    {
      char *n = dock_ref_normalize (tags.v[i], &err);
      if (n == NULL)
        {
          lcr_error_wrap (&err, "invalid argument \"%s\" for \"-t, --tag\" flag", tags.v[i]);
          rc = dock_fail (&err);
          goto out;
        }
      free (n);
    }
  struct dock_build_opts o = {
      .context = argv[first],
      .dockerfile = file,
      .tags = tags.v,
      .ntags = tags.n,
      .build_args = build_args.v,
      .nbuild_args = build_args.n,
      .labels = labels.v,
      .nlabels = labels.n,
      .target = target,
      .network = network && strcmp (network, "bridge") ? network : (network ? "default" : NULL),
      .no_cache = no_cache,
      .quiet = quiet,
  };
  char id[72];
  if (dock_build (ctx, &o, id, &err) < 0)
    {
      rc = dock_fail (&err);
      goto out;
    }
  if (quiet)
    printf ("%s\n", id);
  if (iidfile)
    {
      lcr_error_t e = NULL;
      if (dock_write_atomic_at (AT_FDCWD, iidfile, id, strlen (id), &e) < 0)
        {
          rc = dock_fail (&e);
          goto out;
        }
    }
out:
  dock_strlist_free (&tags);
  dock_strlist_free (&build_args);
  dock_strlist_free (&labels);
  return rc;
}

/* `builder prune`: the cache's entries (the images they name stay: `image prune` removes them) */
DOCK_CMD (dock_cmd_builder_prune)
{
  bool all = false, force = false;
  const struct dock_opt opts[] = {
      {"all", 'a', DOCK_OPT_BOOL, &all, "Remove all unused build cache, not just dangling ones", NULL},
      {"force", 'f', DOCK_OPT_BOOL, &force, "Do not prompt for confirmation", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  static const struct dock_cmd_usage u = {"dock builder prune", "Remove build cache", false, 0, 0};
  lcr_error_t err = NULL;
  int first;
  int p = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (p != 0)
    return p > 0 ? 0 : dock_fail (&err);
  cleanup_free char *dir = dock_path (ctx, "build-cache");
  cleanup_strv char **names = dock_list_dir (dir);
  size_t n = 0;
  for (size_t i = 0; names[i]; i++)
    {
      cleanup_free char *f = NULL;
      xasprintf (&f, "%s/%s", dir, names[i]);
      if (unlink (f) == 0)
        n++;
    }
  printf ("Total:\t%zu cache entr%s\n", n, n == 1 ? "y" : "ies");
  return 0;
}
