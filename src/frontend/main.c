/* dock — a daemonless docker: global options, then one command.
 *
 * `dock [--root DIR] [--runroot DIR] [--runtime PATH] [--shim PATH] [--storage-driver D]
 *  [--log-level L] COMMAND …`, with docker's management forms (`dock container ls`,
 * `dock image rm`, `dock volume …`, `dock system …`) beside the short ones.
 */
#define _GNU_SOURCE
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "dock.h"
#include "store/store.h"

struct cmd
{
  const char *name;
  dock_cmd_fn fn;
  const char *summary;
};

/* `dock COMMAND` */
static const struct cmd top_cmds[] = {
    {"attach", dock_cmd_attach, "Attach local standard input, output, and error streams to a running container"},
    {"build", dock_cmd_build, "Build an image from a Dockerfile"},
    {"commit", dock_cmd_commit, "Create a new image from a container's changes"},
    {"compose", dock_cmd_compose, "Define and run multi-container applications"},
    {"cp", dock_cmd_cp, "Copy files/folders between a container and the local filesystem"},
    {"create", dock_cmd_create, "Create a new container"},
    {"diff", dock_cmd_diff, "Inspect changes to files or directories on a container's filesystem"},
    {"exec", dock_cmd_exec, "Run a command in a running container"},
    {"export", dock_cmd_export, "Export a container's filesystem as a tar archive"},
    {"history", dock_cmd_history, "Show the history of an image"},
    {"images", dock_cmd_images, "List images"},
    {"info", dock_cmd_info, "Display system-wide information"},
    {"inspect", dock_cmd_inspect, "Return low-level information on Docker objects"},
    {"kill", dock_cmd_kill, "Kill one or more running containers"},
    {"load", dock_cmd_load, "Load an image from a tar archive or STDIN"},
    {"login", dock_cmd_login, "Log in to a registry"},
    {"logout", dock_cmd_logout, "Log out from a registry"},
    {"logs", dock_cmd_logs, "Fetch the logs of a container"},
    {"pause", dock_cmd_pause, "Pause all processes within one or more containers"},
    {"port", dock_cmd_port, "List port mappings or a specific mapping for the container"},
    {"ps", dock_cmd_ps, "List containers"},
    {"pull", dock_cmd_pull, "Download an image from a registry"},
    {"push", dock_cmd_push, "Upload an image to a registry"},
    {"rename", dock_cmd_rename, "Rename a container"},
    {"restart", dock_cmd_restart, "Restart one or more containers"},
    {"rm", dock_cmd_rm, "Remove one or more containers"},
    {"rmi", dock_cmd_rmi, "Remove one or more images"},
    {"run", dock_cmd_run, "Run a command in a new container"},
    {"save", dock_cmd_save, "Save one or more images to a tar archive (streamed to STDOUT by default)"},
    {"start", dock_cmd_start, "Start one or more stopped containers"},
    {"stats", dock_cmd_stats, "Display a live stream of container(s) resource usage statistics"},
    {"stop", dock_cmd_stop, "Stop one or more running containers"},
    {"tag", dock_cmd_tag, "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE"},
    {"top", dock_cmd_top, "Display the running processes of a container"},
    {"unpause", dock_cmd_unpause, "Unpause all processes within one or more containers"},
    {"update", dock_cmd_update, "Update configuration of one or more containers"},
    {"version", dock_cmd_version, "Show the Docker version information"},
    {"wait", dock_cmd_wait, "Block until one or more containers stop, then print their exit codes"},
    {NULL, NULL, NULL},
};

static const struct cmd container_cmds[] = {
    {"attach", dock_cmd_attach, NULL},
    {"commit", dock_cmd_commit, NULL},
    {"cp", dock_cmd_cp, NULL},
    {"create", dock_cmd_create, NULL},
    {"diff", dock_cmd_diff, NULL},
    {"exec", dock_cmd_exec, NULL},
    {"export", dock_cmd_export, NULL},
    {"inspect", dock_cmd_container_inspect, NULL},
    {"kill", dock_cmd_kill, NULL},
    {"login", dock_cmd_login, "Log in to a registry"},
    {"logout", dock_cmd_logout, "Log out from a registry"},
    {"logs", dock_cmd_logs, NULL},
    {"ls", dock_cmd_ps, NULL},
    {"list", dock_cmd_ps, NULL},
    {"ps", dock_cmd_ps, NULL},
    {"pause", dock_cmd_pause, NULL},
    {"port", dock_cmd_port, NULL},
    {"prune", dock_cmd_container_prune, NULL},
    {"rename", dock_cmd_rename, NULL},
    {"restart", dock_cmd_restart, NULL},
    {"rm", dock_cmd_rm, NULL},
    {"run", dock_cmd_run, NULL},
    {"start", dock_cmd_start, NULL},
    {"stats", dock_cmd_stats, NULL},
    {"stop", dock_cmd_stop, NULL},
    {"top", dock_cmd_top, NULL},
    {"unpause", dock_cmd_unpause, NULL},
    {"update", dock_cmd_update, NULL},
    {"wait", dock_cmd_wait, NULL},
    {"cleanup", dock_cmd_container_cleanup, NULL},
    {NULL, NULL, NULL},
};

static const struct cmd image_cmds[] = {
    {"build", dock_cmd_build, NULL},
    {"history", dock_cmd_history, NULL},
    {"inspect", dock_cmd_image_inspect, NULL},
    {"load", dock_cmd_load, NULL},
    {"ls", dock_cmd_images, NULL},
    {"list", dock_cmd_images, NULL},
    {"prune", dock_cmd_image_prune, NULL},
    {"pull", dock_cmd_pull, NULL},
    {"push", dock_cmd_push, NULL},
    {"rm", dock_cmd_rmi, NULL},
    {"save", dock_cmd_save, NULL},
    {"tag", dock_cmd_tag, NULL},
    {NULL, NULL, NULL},
};

static const struct cmd volume_cmds[] = {
    {"create", dock_cmd_volume_create, NULL}, {"inspect", dock_cmd_volume_inspect, NULL},
    {"ls", dock_cmd_volume_ls, NULL},         {"list", dock_cmd_volume_ls, NULL},
    {"prune", dock_cmd_volume_prune, NULL},   {"rm", dock_cmd_volume_rm, NULL},
    {"remove", dock_cmd_volume_rm, NULL},     {NULL, NULL, NULL},
};

static const struct cmd network_cmds[] = {
    {"connect", dock_cmd_network_connect, NULL},
    {"create", dock_cmd_network_create, NULL},
    {"disconnect", dock_cmd_network_disconnect, NULL},
    {"inspect", dock_cmd_network_inspect, NULL},
    {"ls", dock_cmd_network_ls, NULL},
    {"list", dock_cmd_network_ls, NULL},
    {"prune", dock_cmd_network_prune, NULL},
    {"rm", dock_cmd_network_rm, NULL},
    {"remove", dock_cmd_network_rm, NULL},
    {"refresh-rules", dock_cmd_network_refresh_rules, NULL},
    {NULL, NULL, NULL},
};

static const struct cmd builder_cmds[] = {
    {"build", dock_cmd_build, NULL},
    {"prune", dock_cmd_builder_prune, NULL},
    {NULL, NULL, NULL},
};

static const struct cmd system_cmds[] = {
    {"df", dock_cmd_system_df, NULL},
    {"info", dock_cmd_info, NULL},
    {"prune", dock_cmd_system_prune, NULL},
    {NULL, NULL, NULL},
};

static const struct group
{
  const char *name;
  const struct cmd *cmds;
  const char *summary;
} groups[] = {
    {"builder", builder_cmds, "Manage builds"},
    {"container", container_cmds, "Manage containers"},
    {"image", image_cmds, "Manage images"},
    {"network", network_cmds, "Manage networks"},
    {"volume", volume_cmds, "Manage volumes"},
    {"system", system_cmds, "Manage Docker"},
    {NULL, NULL, NULL},
};

int
dock_fail (lcr_error_t *err)
{
  fprintf (stderr, "dock: %s\n", *err && (*err)->msg ? (*err)->msg : "unknown error");
  lcr_error_release (err);
  return DOCK_EXIT_ERROR;
}

int
dock_failf (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  fputs ("dock: ", stderr);
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
  va_end (ap);
  return DOCK_EXIT_ERROR;
}

void
dock_crash_point (const char *stage)
{
  const char *at = getenv ("DOCK_CRASH_AT");
  if (at && strcmp (at, stage) == 0)
    raise (SIGKILL);
}

void
dock_debug (struct dock_ctx *ctx, const char *fmt, ...)
{
  if (ctx->log_level < 3)
    return;
  va_list ap;
  va_start (ap, fmt);
  fputs ("dock: debug: ", stderr);
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
  va_end (ap);
}

static void
usage (FILE *out)
{
  fprintf (out,
           "\nUsage:  dock [OPTIONS] COMMAND\n\nA daemonless container engine with docker's command line\n\n"
           "Options:\n"
           "      --root string             Root of the image and container store (default \"/var/lib/dock\")\n"
           "      --runroot string          Directory of run-time state (default \"/run/dock\")\n"
           "      --runtime string          OCI runtime (default: berth beside dock)\n"
           "      --shim string             Container monitor, berth-shim or conmon (default: berth-shim beside dock)\n"
           "      --storage-driver string   overlay or vfs\n"
           "  -l, --log-level string        Set the logging level (\"debug\"|\"info\"|\"warn\"|\"error\"|\"fatal\")\n"
           "  -v, --version                 Print version information and quit\n\n"
           "Management Commands:\n");
  for (const struct group *g = groups; g->name; g++)
    fprintf (out, "  %-11s %s\n", g->name, g->summary);
  fprintf (out, "\nCommands:\n");
  for (const struct cmd *c = top_cmds; c->name; c++)
    fprintf (out, "  %-11s %s\n", c->name, c->summary);
  fprintf (out, "\nRun 'dock COMMAND --help' for more information on a command.\n");
}

static const struct cmd *
find_cmd (const struct cmd *cmds, const char *name)
{
  for (const struct cmd *c = cmds; c->name; c++)
    if (strcmp (c->name, name) == 0)
      return c;
  return NULL;
}

/* the binary beside dock (berth, berth-shim), else the one on PATH */
static const char *
beside_self (const char *self, const char *name)
{
  static char buf[2][4096];
  static int n;
  char *b = buf[n++ % 2];
  cleanup_free char *dup = xstrdup (self);
  snprintf (b, sizeof buf[0], "%s/%s", dirname (dup), name);
  if (access (b, X_OK) == 0)
    return b;
  return name;
}

int
main (int argc, char **argv)
{
  struct dock_ctx ctx = {
      .root = "/var/lib/dock",
      .runroot = "/run/dock",
      .lock_fd = -1,
      .log_level = 1,
  };
  static char self[4096];
  ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);
  if (n > 0)
    self[n] = '\0';
  else
    snprintf (self, sizeof self, "%s", argv[0]);
  ctx.self = self;
  ctx.argv = argv;

  const char *log_level = NULL;
  bool version = false;
  /* global options stop at the command's name */
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++)
    {
      const char *a = argv[i];
      static const char *const with_value[]
          = {"root", "runroot", "runtime", "shim", "storage-driver", "log-level", NULL};
      const char **dest[] = {&ctx.root, &ctx.runroot, &ctx.runtime, &ctx.shim, &ctx.driver, &log_level};
      if (strcmp (a, "--help") == 0 || strcmp (a, "-h") == 0)
        {
          usage (stdout);
          return 0;
        }
      if (strcmp (a, "--version") == 0 || strcmp (a, "-v") == 0)
        {
          version = true;
          continue;
        }
      if (strcmp (a, "-D") == 0 || strcmp (a, "--debug") == 0)
        {
          log_level = "debug";
          continue;
        }
      bool found = false;
      for (int k = 0; with_value[k]; k++)
        {
          size_t len = strlen (with_value[k]);
          if (strncmp (a, "--", 2) != 0 || strncmp (a + 2, with_value[k], len) != 0)
            {
              if (!(k == 5 && strcmp (a, "-l") == 0))
                continue;
              len = 0;
            }
          const char *rest = a[1] == 'l' && len == 0 ? "" : a + 2 + len;
          if (*rest == '=')
            *dest[k] = rest + 1;
          else if (*rest == '\0')
            {
              if (i + 1 >= argc)
                return dock_failf ("flag needs an argument: %s", a);
              *dest[k] = argv[++i];
            }
          else
            continue;
          found = true;
          break;
        }
      if (!found)
        return dock_failf ("unknown flag: %s\nSee 'dock --help'.", a);
    }
  if (version)
    {
      printf ("Dock version %s, build berth\n", DOCK_VERSION);
      return 0;
    }
  if (log_level)
    {
      static const char *const levels[] = {"error", "warn", "info", "debug"};
      ctx.log_level = -1;
      for (int k = 0; k < 4; k++)
        if (strcmp (log_level, levels[k]) == 0)
          ctx.log_level = k;
      if (strcmp (log_level, "fatal") == 0)
        ctx.log_level = 0;
      if (ctx.log_level < 0)
        return dock_failf ("unknown --log-level \"%s\": use debug, info, warn, error or fatal", log_level);
    }
  if (ctx.runtime == NULL)
    ctx.runtime = beside_self (self, "berth");
  if (ctx.shim == NULL)
    ctx.shim = beside_self (self, "berth-shim");
  if (ctx.driver && strcmp (ctx.driver, "overlay") != 0 && strcmp (ctx.driver, "overlay2") != 0
      && strcmp (ctx.driver, "vfs") != 0)
    return dock_failf ("unknown storage driver \"%s\": use overlay or vfs", ctx.driver);

  if (i >= argc)
    {
      usage (stdout);
      return 0;
    }
  char **cargv = argv + i;
  int cargc = argc - i;

  /* `dock help [CMD…]` is `dock CMD… --help` */
  static char help_flag[] = "--help";
  if (strcmp (cargv[0], "help") == 0)
    {
      if (cargc == 1)
        {
          usage (stdout);
          return 0;
        }
      cargv++;
      cargc--;
      char **v = xmalloc0 ((cargc + 2) * sizeof (char *));
      memcpy (v, cargv, cargc * sizeof (char *));
      v[cargc++] = help_flag;
      cargv = v;
    }

  const struct cmd *c = find_cmd (top_cmds, cargv[0]);
  if (c == NULL)
    for (const struct group *g = groups; g->name; g++)
      {
        if (strcmp (g->name, cargv[0]) != 0)
          continue;
        if (cargc < 2 || strcmp (cargv[1], "--help") == 0 || strcmp (cargv[1], "-h") == 0)
          {
            printf ("\nUsage:  dock %s COMMAND\n\n%s\n\nCommands:\n", g->name, g->summary);
            for (const struct cmd *s = g->cmds; s->name; s++)
              if (strcmp (s->name, "cleanup") != 0 && strcmp (s->name, "refresh-rules") != 0)
                printf ("  %s\n", s->name);
            return cargc < 2 ? DOCK_EXIT_ERROR : 0;
          }
        c = find_cmd (g->cmds, cargv[1]);
        if (c == NULL)
          return dock_failf ("'%s %s' is not a dock command.\nSee 'dock %s --help'", g->name, cargv[1], g->name);
        cargv++;
        cargc--;
        break;
      }
  if (c == NULL)
    return dock_failf ("'%s' is not a dock command.\nSee 'dock --help'", cargv[0]);

  /* a command that will not touch the store still finds its directories made: cheap */
  lcr_error_t err = NULL;
  if (strcmp (c->name, "version") != 0 && dock_store_init (&ctx, &err) < 0)
    return dock_fail (&err);
  fflush (stdout);
  int rc = c->fn (&ctx, cargc, cargv);
  fflush (stdout);
  return rc;
}
