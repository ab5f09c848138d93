/* berth — an OCI runtime with runc's command line.
 *
 *   berth [global flags] VERB [flags] [args]
 *
 * main parses the global flags, sets up the log sink and the context, runs
 * the verb, and is the only place that prints an error. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "berth-commit.h"
#include "config.h"
#include "utils.h"
#include "verbs.h"

static const struct verb verbs[] = {
    {"create", verb_create, "create a container"},
    {"start", verb_start, "start a created container"},
    {"run", verb_run, "create and start a container"},
    {"state", verb_state, "print the state of a container"},
    {"kill", verb_kill, "send a signal to a container's init (or to all its processes)"},
    {"delete", verb_delete, "delete a container"},
    {"list", verb_list, "list containers"},
    {"exec", verb_exec, "run a new process in a container"},
    {"ps", verb_ps, "list the processes of a container"},
    {"pause", verb_pause, "freeze every process of a container"},
    {"resume", verb_resume, "thaw a paused container"},
    {"update", verb_update, "change a container's resource limits"},
    {"events", verb_events, "a container's stats and OOM events"},
    {"spec", verb_spec, "write a new config.json"},
    {"features", verb_features, "show what this runtime supports"},
    {NULL, NULL, NULL},
};

/* The layout is runc's (NAME, USAGE, VERSION, COMMANDS, GLOBAL OPTIONS,
   three-space indent): tools and people grep for those sections. */
static void
print_usage (void)
{
  printf ("NAME:\n"
          "   berth - an OCI container runtime\n\n"
          "berth runs containers from OCI bundles: a directory holding config.json\n"
          "and a root filesystem.  Its command line is runc's, so a container\n"
          "manager that drives runc can drive berth.\n\n"
          "To run the bundle in the current directory as container ID:\n\n"
          "    # berth run ID\n\n"
          "USAGE:\n"
          "   berth [global options] command [command options] [arguments...]\n\n"
          "VERSION:\n"
          "   %s\n\n"
          "COMMANDS:\n",
          PACKAGE_VERSION);
  for (const struct verb *v = verbs; v->name; v++)
    printf ("   %-10s  %s\n", v->name, v->summary);
  printf ("   %-10s  %s\n", "help, h", "list the commands, or show one command's help");
  printf ("\nGLOBAL OPTIONS:\n"
          "   --debug             log what berth does at each step (level debug)\n"
          "   --log PATH          write log lines to PATH (default: errors and warnings on stderr)\n"
          "   --log-format FMT    format of the log lines: text or json (default: text)\n"
          "   --root PATH         directory for the containers' state (default: " LCR_DEFAULT_STATE_ROOT ")\n"
          "   --criu PATH         accepted for compatibility (checkpoint is not supported)\n"
          "   --systemd-cgroup    manage cgroups through systemd; cgroupsPath is \"slice:prefix:name\"\n"
          "   --rootless VALUE    accepted for compatibility (true, false or auto)\n"
          "   --help, -h          show this help\n"
          "   --version, -v       print the version\n");
}

static void
print_version (void)
{
  /* runc's lines, plus the cgroup drivers: what a packager checks */
  printf ("berth version %s\ncommit: %s\nspec: 1.2.0\nlibseccomp: %s\ncgroup drivers: %s\n", PACKAGE_VERSION,
          BERTH_COMMIT, lcr_libseccomp_version (), LCR_CGROUP_DRIVERS);
}

static const struct verb *
find_verb (const char *name)
{
  for (const struct verb *v = verbs; v->name; v++)
    if (strcmp (v->name, name) == 0)
      return v;
  return NULL;
}

static int
status_for_error (lcr_error_t err)
{
  (void)err;
  return 1; /* runc exits 1 for every runtime error; callers match on that */
}

int
main (int argc, char **argv)
{
  struct lcr_log_sink log = {.fd = -1, .level = LCR_LOG_WARNING, .to_stderr = 1};
  struct lcr_context ctx = {.state_root = LCR_DEFAULT_STATE_ROOT, .log = &log};
  const char *log_path = NULL, *log_format = "text", *criu = NULL, *rootless = NULL;
  bool help = false, version = false, debug = false, systemd = false;
  const struct flag_def global[] = {
      {"root", 0, FLAG_STRING, &ctx.state_root, "PATH", NULL},
      {"log", 0, FLAG_STRING, &log_path, "PATH", NULL},
      {"log-format", 0, FLAG_STRING, &log_format, "FORMAT", NULL},
      {"debug", 0, FLAG_BOOL, &debug, NULL, NULL},
      {"systemd-cgroup", 0, FLAG_BOOL, &systemd, NULL, NULL},
      {"criu", 0, FLAG_STRING, &criu, "PATH", NULL},
      {"rootless", 0, FLAG_STRING, &rootless, "VALUE", NULL},
      {"version", 'v', FLAG_BOOL, &version, NULL, NULL},
      {"help", 'h', FLAG_BOOL, &help, NULL, NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  lcr_error_t err = NULL;
  int i = 1;
  int status = -1;

  if (opts_parse ("berth", argc, argv, &i, global, &err) < 0)
    goto fail;
  if (version)
    {
      print_version ();
      return 0;
    }
  if (help || i >= argc)
    {
      print_usage ();
      return help ? 0 : 1;
    }
  if (strcmp (log_format, "text") != 0 && strcmp (log_format, "json") != 0)
    {
      lcr_error_invalid (&err, "--log-format: `%s` is neither text nor json", log_format);
      goto fail;
    }
  log.json = strcmp (log_format, "json") == 0;
  log.level = debug ? LCR_LOG_DEBUG : LCR_LOG_WARNING;
  if (log_path && log_path[0])
    {
      log.fd = open (log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (log.fd < 0)
        {
          lcr_error_sys (&err, "--log `%s`", log_path);
          goto fail;
        }
    }
  ctx.debug = debug;
  ctx.systemd_cgroup = systemd;

  const char *name = argv[i];
  if (strcmp (name, "help") == 0 || strcmp (name, "h") == 0)
    {
      if (i + 1 >= argc)
        {
          print_usage ();
          return 0;
        }
      const struct verb *v = find_verb (argv[i + 1]);
      if (v == NULL)
        {
          lcr_error_invalid (&err, "help: unknown command `%s`", argv[i + 1]);
          goto fail;
        }
      char *hargv[] = {argv[i + 1], (char *)"--help", NULL};
      return v->fn (&ctx, 2, hargv, &err) < 0 ? 1 : 0;
    }
  const struct verb *v = find_verb (name);
  if (v == NULL)
    {
      lcr_error_invalid (&err, "unknown command `%s` (see `berth --help`)", name);
      goto fail;
    }
  lcr_log (&log, LCR_LOG_DEBUG, "%s", name);
  status = v->fn (&ctx, argc - i, argv + i, &err);
  if (status >= 0)
    return status;

fail:
  {
    const char *msg = err ? err->msg : "unknown error";
    fprintf (stderr, "berth: %s\n", msg);
    lcr_log (&log, LCR_LOG_ERROR, "%s", msg);
    status = status == VERB_FAIL_255 ? 255 : status_for_error (err);
    lcr_error_release (&err);
    return status;
  }
}

int
verb_args (int argc, char **argv, const struct flag_def *defs, const char *usage, int min_pos, int max_pos, int *pos,
           lcr_error_t *err)
{
  bool help = false;
  size_t n = 0;
  while (defs[n].name)
    n++;
  struct flag_def *all = xmalloc0 ((n + 2) * sizeof *all);
  memcpy (all, defs, n * sizeof *all);
  all[n] = (struct flag_def){"help", 'h', FLAG_BOOL, &help, NULL, "show this help"};
  int i = 1;
  int r = opts_parse (argv[0], argc, argv, &i, all, err);
  if (r == 0 && help)
    {
      /* runc's layout: NAME, USAGE, OPTIONS */
      const struct verb *v = find_verb (argv[0]);
      bool has_flags = strncmp (usage, "[flags]", 7) == 0;
      printf ("NAME:\n   berth %s - %s\n\nUSAGE:\n   berth %s %s%s\n\nOPTIONS:\n", argv[0], v ? v->summary : "",
              argv[0], has_flags ? "[command options]" : "", has_flags ? usage + 7 : usage);
      opts_print_help (all);
      free (all);
      return 1;
    }
  free (all);
  if (r < 0)
    return -1;
  int npos = argc - i;
  if (npos < min_pos)
    return lcr_error_invalid (err, "%s: missing argument (usage: berth %s %s)", argv[0], argv[0], usage);
  if (max_pos >= 0 && npos > max_pos)
    return lcr_error_invalid (err, "%s: unexpected argument `%s` (usage: berth %s %s)", argv[0], argv[i + max_pos],
                              argv[0], usage);
  *pos = i;
  return 0;
}
