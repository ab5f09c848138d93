/* dock — `dock compose [-f FILE…] [-p NAME] COMMAND`: docker compose v2's command line.
 * The model and the container steps are in compose/ (compose.h). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "compose/compose.h"

struct sub
{
  const char *name;
  int (*fn) (struct dock_ctx *ctx, const struct compose_opts *o, int argc, char **argv);
  const char *summary;
};

#define END_OPTS                                                                                                       \
  {                                                                                                                    \
    NULL, 0, 0, NULL, NULL, NULL                                                                                       \
  }

static int
load (const struct compose_opts *o, struct compose_project *p)
{
  lcr_error_t err = NULL;
  if (compose_load (o, p, &err) < 0)
    {
      compose_project_release (p);
      return dock_fail (&err);
    }
  return 0;
}

/* parse a subcommand's flags; returns -1 to go on, else the status to exit with */
static int
parse (const char *usage, const char *summary, const struct dock_opt *opts, int min, int max, bool interspersed,
       int argc, char **argv, int *first)
{
  const struct dock_cmd_usage u = {usage, summary, interspersed, min, max};
  lcr_error_t err = NULL;
  int r = dock_parse_args (&u, opts, argc, argv, first, &err);
  if (r < 0)
    return dock_fail (&err);
  return r > 0 ? 0 : -1;
}

static void
free_order (char **v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (v[i]);
  free (v);
}

/* the project's containers of the named services (all of them with none named) */
static jv
containers_of (struct dock_ctx *ctx, struct compose_project *p, char **svcs, int n, bool all, lcr_error_t *err)
{
  jv ctrs = compose_containers (ctx, p->name, NULL, all, false, err);
  if (ctrs == NULL || n == 0)
    return ctrs;
  for (int i = 0; i < n; i++)
    if (!compose_service_known (p, svcs[i]))
      {
        jv_free (ctrs);
        lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "no such service: %s", svcs[i]);
        return NULL;
      }
  jv out = jv_arr ();
  for (size_t j = 0; j < ctrs->u.array.len; j++)
    {
      const char *s = compose_label (ctrs->u.array.values[j], COMPOSE_LABEL_SERVICE);
      for (int i = 0; s && i < n; i++)
        if (strcmp (s, svcs[i]) == 0)
          {
            jv_push (out, jv_copy (ctrs->u.array.values[j]));
            break;
          }
    }
  jv_free (ctrs);
  return out;
}

/* run `dock CMD [FLAG] NAME…` over containers; quiet: no output of the child */
static int
each (struct dock_ctx *ctx, const char *cmd, const char *flag, jv ctrs, const char *doing, const char *done,
      lcr_error_t *err)
{
  int rc = 0;
  for (size_t i = 0; i < ctrs->u.array.len; i++)
    {
      const char *name = compose_ctr_name (ctrs->u.array.values[i]);
      struct compose_args a;
      compose_args_init (&a, ctx, cmd);
      if (flag)
        compose_args_add (&a, flag);
      compose_args_add (&a, name);
      if (doing)
        fprintf (stderr, " Container %s  %s\n", name, doing);
      cleanup_free char *out = NULL;
      int r = compose_run (&a, &out, false, err);
      compose_args_release (&a);
      if (r < 0)
        return -1;
      if (r != 0)
        rc = lcr_error_invalid (err, "dock %s %s failed", cmd, name);
      else if (done)
        fprintf (stderr, " Container %s  %s\n", name, done);
    }
  return rc;
}

/* containers in reverse dependency order (what depends on others stops first) */
static void
reverse_dep_order (struct compose_project *p, jv ctrs)
{
  char **order = NULL;
  size_t n = 0;
  lcr_error_t err = NULL;
  if (compose_service_order (p, NULL, 0, true, &order, &n, &err) < 0)
    {
      lcr_error_release (&err);
      return;
    }
  jv sorted = jv_arr ();
  for (size_t i = n; i-- > 0;)
    for (size_t j = 0; j < ctrs->u.array.len; j++)
      {
        const char *s = compose_label (ctrs->u.array.values[j], COMPOSE_LABEL_SERVICE);
        if (s && strcmp (s, order[i]) == 0)
          jv_push (sorted, jv_copy (ctrs->u.array.values[j]));
      }
  for (size_t j = 0; j < ctrs->u.array.len; j++)
    {
      const char *s = compose_label (ctrs->u.array.values[j], COMPOSE_LABEL_SERVICE);
      bool known = false;
      for (size_t i = 0; s && i < n && !known; i++)
        known = strcmp (s, order[i]) == 0;
      if (!known) /* oneoff or orphan containers last */
        jv_push (sorted, jv_copy (ctrs->u.array.values[j]));
    }
  for (size_t j = 0; j < ctrs->u.array.len; j++)
    jv_free (ctrs->u.array.values[j]);
  free (ctrs->u.array.values);
  ctrs->u.array.values = sorted->u.array.values;
  ctrs->u.array.len = sorted->u.array.len;
  sorted->u.array.values = NULL;
  sorted->u.array.len = 0;
  jv_free (sorted);
  free_order (order, n);
}

static int
cmd_config (struct dock_ctx *ctx, const struct compose_opts *o, int argc, char **argv)
{
  (void)ctx;
  bool quiet = false, services = false, volumes = false;
  const struct dock_opt opts[] = {
      {"quiet", 'q', DOCK_OPT_BOOL, &quiet, "Only validate the configuration, don't print anything", NULL},
      {"services", 0, DOCK_OPT_BOOL, &services, "Print the service names, one per line", NULL},
      {"volumes", 0, DOCK_OPT_BOOL, &volumes, "Print the volume names, one per line", NULL},
      END_OPTS,
  };
  int first, r = parse ("dock compose config [OPTIONS]", "Parse, resolve and render compose file in canonical format",
                        opts, 0, 0, true, argc, argv, &first);
  if (r >= 0)
    return r;
  struct compose_project p;
  if ((r = load (o, &p)) != 0)
    return r;
  if (services || volumes)
    {
      jv m = jv_get_obj (p.model, services ? "services" : "volumes");
      for (size_t i = 0; m && i < m->u.object.len; i++)
        printf ("%s\n", m->u.object.keys[i]);
    }
  else if (!quiet)
    compose_emit_yaml (stdout, p.model);
  compose_project_release (&p);
  return 0;
}

static volatile int stop_requested;

static void
on_stop_signal (int sig)
{
  (void)sig;
  stop_requested = 1;
}

/* --scale S=N over the model (its `scale`), after the load */
static int
apply_scale (struct compose_project *p, struct dock_strlist *scale, lcr_error_t *err)
{
  for (size_t i = 0; i < scale->n; i++)
    {
      const char *eq = strchr (scale->v[i], '=');
      char *end = NULL;
      long n = eq ? strtol (eq + 1, &end, 10) : -1;
      if (eq == NULL || end == eq + 1 || *end || n < 0)
        return lcr_error_invalid (err, "invalid --scale \"%s\": use SERVICE=REPLICAS", scale->v[i]);
      cleanup_free char *svc = compose_strndup (scale->v[i], (size_t)(eq - scale->v[i]));
      jv s = jv_get_obj (jv_get_obj (p->model, "services"), svc);
      if (s == NULL)
        return lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "no such service: %s", svc);
      char num[32];
      snprintf (num, sizeof num, "%ld", n);
      jv_set (s, "scale", jv_str (num));
      jv_del (jv_get_obj (s, "deploy"), "replicas");
    }
  return 0;
}

static int
cmd_up (struct dock_ctx *ctx, const struct compose_opts *o, int argc, char **argv)
{
  bool detach = false, build = false, force = false, no_build = false, no_recreate = false, remove_orphans = false;
  struct dock_strlist scale = {0};
  const struct dock_opt opts[] = {
      {"detach", 'd', DOCK_OPT_BOOL, &detach, "Detached mode: Run containers in the background", NULL},
      {"build", 0, DOCK_OPT_BOOL, &build, "Build images before starting containers", NULL},
      {"no-build", 0, DOCK_OPT_BOOL, &no_build, "Don't build an image, even if it's policy", NULL},
      {"force-recreate", 0, DOCK_OPT_BOOL, &force, "Recreate containers even if their configuration hasn't changed",
       NULL},
      {"no-recreate", 0, DOCK_OPT_BOOL, &no_recreate,
       "If containers already exist, don't recreate them. Incompatible with --force-recreate.", NULL},
      {"remove-orphans", 0, DOCK_OPT_BOOL, &remove_orphans,
       "Remove containers for services not defined in the Compose file", NULL},
      {"scale", 0, DOCK_OPT_LIST, &scale,
       "Scale SERVICE to NUM instances. Overrides the `scale` setting in the Compose file if present.", "scale"},
      END_OPTS,
  };
  int first, r = parse ("dock compose up [OPTIONS] [SERVICE...]", "Create and start containers", opts, 0, -1, true,
                        argc, argv, &first);
  if (r >= 0)
    {
      dock_strlist_free (&scale);
      return r;
    }
  if (build && no_build)
    {
      dock_strlist_free (&scale);
      return dock_failf ("--build and --no-build are incompatible");
    }
  if (force && no_recreate)
    {
      dock_strlist_free (&scale);
      return dock_failf ("--force-recreate and --no-recreate are incompatible");
    }
  struct compose_opts o2 = *o;
  o2.services = (const char **)argv + first;
  o2.n_services = (size_t)(argc - first);
  struct compose_project p;
  if ((r = load (&o2, &p)) != 0)
    {
      dock_strlist_free (&scale);
      return r;
    }
  lcr_error_t err = NULL;
  char **order = NULL;
  size_t n = 0;
  int n_only = argc - first;
  r = apply_scale (&p, &scale, &err);
  dock_strlist_free (&scale);
  (void)no_build; /* images are built only when missing (or with --build) either way */
  if (r < 0
      || compose_service_order (&p, n_only ? (const char **)argv + first : NULL, (size_t)n_only, true, &order, &n, &err)
             < 0
      || compose_check_ports (&p, &err) < 0 || compose_orphans (ctx, &p, remove_orphans, &err) < 0
      || compose_up_services (ctx, &p, order, n, force, no_recreate, build, &err) < 0)
    {
      free_order (order, n);
      compose_project_release (&p);
      return dock_fail (&err);
    }
  if (detach)
    {
      free_order (order, n);
      compose_project_release (&p);
      return 0;
    }
  /* attached: follow the logs until every container has exited or we are told to stop */
  cleanup_jv jv ctrs = containers_of (ctx, &p, order, (int)n, true, &err);
  free_order (order, n);
  if (ctrs == NULL)
    {
      compose_project_release (&p);
      return dock_fail (&err);
    }
  struct sigaction sa = {.sa_handler = on_stop_signal}, old_int, old_term;
  sigemptyset (&sa.sa_mask);
  sigaction (SIGINT, &sa, &old_int);
  sigaction (SIGTERM, &sa, &old_term);
  printf ("Attaching to %zu container(s)\n", ctrs->u.array.len);
  fflush (stdout);
  r = compose_logs_mux (ctx, ctrs, true, NULL, &stop_requested, &err);
  sigaction (SIGINT, &old_int, NULL);
  sigaction (SIGTERM, &old_term, NULL);
  if (r < 0)
    lcr_error_release (&err);
  if (stop_requested)
    {
      fprintf (stderr, "Gracefully stopping... (press Ctrl+C again to force)\n");
      reverse_dep_order (&p, ctrs);
      if (each (ctx, "stop", NULL, ctrs, "Stopping", "Stopped", &err) < 0)
        {
          compose_project_release (&p);
          return dock_fail (&err);
        }
    }
  compose_project_release (&p);
  return stop_requested ? 130 : 0;
}

/* the project's networks or volumes, found by their project label (what compose made: an
   external one has no such label) */
static int
rm_resources (struct dock_ctx *ctx, const char *project, const char *kind, bool in_use_ok, lcr_error_t *err)
{
  struct compose_args a;
  compose_args_init (&a, ctx, kind);
  compose_args_add (&a, "ls");
  compose_args_addf (&a, "--filter=label=%s=%s", COMPOSE_LABEL_PROJECT, project);
  compose_args_add (&a, "--format={{.Name}}");
  cleanup_free char *names = NULL;
  int r = compose_run (&a, &names, false, err);
  compose_args_release (&a);
  if (r < 0)
    return -1;
  if (r != 0)
    return lcr_error_invalid (err, "listing the project's %ss failed", kind);
  const char *what = strcmp (kind, "network") == 0 ? "Network" : "Volume";
  for (char *save = NULL, *name = strtok_r (names, "\n", &save); name; name = strtok_r (NULL, "\n", &save))
    {
      compose_args_init (&a, ctx, kind);
      compose_args_add (&a, "rm");
      compose_args_add (&a, name);
      fprintf (stderr, " %s %s  Removing\n", what, name);
      cleanup_free char *out = NULL;
      r = compose_run (&a, &out, in_use_ok, err);
      compose_args_release (&a);
      if (r < 0)
        return -1;
      if (r != 0 && in_use_ok)
        {
          fprintf (stderr, " %s %s  Resource is still in use\n", what, name);
          continue;
        }
      if (r != 0)
        return lcr_error_invalid (err, "removing %s %s failed", kind, name);
      fprintf (stderr, " %s %s  Removed\n", what, name);
    }
  return 0;
}

static int
cmd_down (struct dock_ctx *ctx, const struct compose_opts *o, int argc, char **argv)
{
  bool volumes = false, remove_orphans = false;
  const char *rmi = NULL;
  long long t = -1;
  const struct dock_opt opts[] = {
      {"volumes", 'v', DOCK_OPT_BOOL, &volumes, "Remove named volumes declared in the \"volumes\" section", NULL},
      {"rmi", 0, DOCK_OPT_STR, &rmi,
       "Remove images used by services. \"local\" remove only images that don't have a "
       "custom tag (\"local\"|\"all\")",
       "string"},
      {"timeout", 't', DOCK_OPT_INT, &t, "Specify a shutdown timeout in seconds", "int"},
      {"remove-orphans", 0, DOCK_OPT_BOOL, &remove_orphans,
       "Remove containers for services not defined in the Compose file", NULL},
      END_OPTS,
  };
  int first, r = parse ("dock compose down [OPTIONS]", "Stop and remove containers, networks", opts, 0, 0, true, argc,
                        argv, &first);
  if (r >= 0)
    return r;
  if (rmi && strcmp (rmi, "local") != 0 && strcmp (rmi, "all") != 0)
    return dock_failf ("invalid --rmi value \"%s\": use local or all", rmi);
  struct compose_project p;
  lcr_error_t err = NULL;
  if (compose_load (o, &p, &err) < 0)
    {
      /* `down -p NAME` needs no file: what to remove is found by its labels */
      compose_project_release (&p);
      if (!(o->project && o->n_files == 0 && err->code == LCR_ERR_NOT_FOUND))
        return dock_fail (&err);
      lcr_error_release (&err);
      p.name = xstrdup (o->project);
      p.model = jv_obj ();
      jv_child_obj (p.model, "services");
    }
  bool from_labels = jv_len (jv_get_obj (p.model, "services")) == 0 && jv_len (p.disabled) == 0;
  cleanup_jv jv ctrs = compose_containers (ctx, p.name, NULL, true, true, &err);
  char tflag[32];
  snprintf (tflag, sizeof tflag, "--time=%lld", t);
  bool orphans_left = false;
  if (ctrs && !from_labels && !remove_orphans)
    {
      /* the containers of services the files no longer define stay, with a warning (the
         networks they are on stay with them) */
      jv keep = jv_arr ();
      cleanup_free char *names = xstrdup ("");
      for (size_t i = 0; i < ctrs->u.array.len; i++)
        {
          jv c = ctrs->u.array.values[i];
          const char *s = compose_label (c, COMPOSE_LABEL_SERVICE);
          if (s && compose_service_known (&p, s))
            {
              jv_push (keep, jv_copy (c));
              continue;
            }
          char *next = NULL;
          xasprintf (&next, "%s%s%s", names, names[0] ? " " : "", compose_ctr_name (c));
          free (names);
          names = next;
        }
      if (names[0])
        {
          orphans_left = true;
          fprintf (stderr,
                   "WARN[0000] Found orphan containers ([%s]) for this project. If you removed or renamed this "
                   "service in your compose file, you can run this command with the --remove-orphans flag to clean "
                   "it up.\n",
                   names);
        }
      jv_free (ctrs);
      ctrs = keep;
    }
  if (ctrs)
    reverse_dep_order (&p, ctrs);
  if (ctrs == NULL || each (ctx, "stop", t >= 0 ? tflag : NULL, ctrs, "Stopping", "Stopped", &err) < 0
      || each (ctx, "rm", volumes ? "--volumes" : NULL, ctrs, "Removing", "Removed", &err) < 0
      || rm_resources (ctx, p.name, "network", orphans_left, &err) < 0
      || (volumes && rm_resources (ctx, p.name, "volume", orphans_left, &err) < 0))
    {
      compose_project_release (&p);
      return dock_fail (&err);
    }
  jv services = jv_get_obj (p.model, "services");
  for (size_t i = 0; rmi && i < services->u.object.len; i++)
    {
      jv s = services->u.object.values[i];
      if (strcmp (rmi, "local") == 0 && jv_get_str (s, "image"))
        continue;
      cleanup_free char *image = compose_service_image (&p, services->u.object.keys[i]);
      if (!compose_exists (ctx, "image", image))
        continue;
      struct compose_args a;
      compose_args_init (&a, ctx, "rmi");
      compose_args_add (&a, image);
      cleanup_free char *out = NULL;
      fprintf (stderr, " Image %s  Removing\n", image);
      r = compose_run (&a, &out, false, &err);
      compose_args_release (&a);
      if (r < 0)
        lcr_error_release (&err);
      else if (r == 0)
        fprintf (stderr, " Image %s  Removed\n", image);
    }
  compose_project_release (&p);
  return 0;
}

/* columns count characters, not bytes (dock ps truncates with "…") */
static int
text_width (const char *s)
{
  int n = 0;
  for (; *s; s++)
    n += ((unsigned char)*s & 0xc0) != 0x80;
  return n;
}

/* compose's ps table: NAME IMAGE COMMAND SERVICE CREATED STATUS PORTS, from dock ps's lines
   ("ID\tNAME\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS"), in the containers' order */
static void
print_ps_table (jv ctrs, char *lines)
{
  enum
  {
    NCOL = 7
  };
  static const char *const head[NCOL] = {"NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS"};
  size_t n = ctrs->u.array.len;
  const char *(*rows)[NCOL] = xmalloc0 ((n + 1) * sizeof *rows);
  int width[NCOL];
  for (int c = 0; c < NCOL; c++)
    {
      rows[0][c] = head[c];
      width[c] = text_width (head[c]);
    }
  for (char *save = NULL, *l = strtok_r (lines, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
    {
      char *f[7] = {0};
      char *save2 = NULL;
      f[0] = l;
      for (int c = 1; c < 7 && f[c - 1]; c++)
        {
          char *tab = strchr (f[c - 1], '\t');
          if (tab)
            *tab = '\0';
          f[c] = tab ? tab + 1 : NULL;
        }
      (void)save2;
      for (size_t i = 0; i < n && f[6]; i++)
        {
          jv c = ctrs->u.array.values[i];
          const char *id = jv_get_str (c, "Id");
          if (id == NULL || strncmp (id, f[0], strlen (f[0])) != 0)
            continue;
          const char *svc = compose_label (c, COMPOSE_LABEL_SERVICE);
          const char *cells[NCOL] = {f[1], f[2], f[3], svc ? svc : "", f[4], f[5], f[6]};
          for (int k = 0; k < NCOL; k++)
            rows[i + 1][k] = cells[k];
        }
    }
  for (size_t i = 1; i <= n; i++)
    for (int c = 0; c < NCOL; c++)
      if (rows[i][c] && text_width (rows[i][c]) > width[c])
        width[c] = text_width (rows[i][c]);
  for (size_t i = 0; i <= n; i++)
    {
      if (rows[i][0] == NULL)
        continue; /* gone between the two listings */
      for (int c = 0; c < NCOL; c++)
        if (c == NCOL - 1)
          printf ("%s\n", rows[i][c]);
        else
          printf ("%s%*s   ", rows[i][c], width[c] - text_width (rows[i][c]), "");
    }
  free (rows);
}

static int
cmd_ps (struct dock_ctx *ctx, const struct compose_opts *o, int argc, char **argv)
{
  bool all = false, quiet = false, services = false;
  const char *format = NULL;
  const struct dock_opt opts[] = {
      {"all", 'a', DOCK_OPT_BOOL, &all, "Show all stopped containers", NULL},
      {"quiet", 'q', DOCK_OPT_BOOL, &quiet, "Only display IDs", NULL},
      {"services", 0, DOCK_OPT_BOOL, &services, "Display services", NULL},
      {"format", 0, DOCK_OPT_STR, &format, "Format the output (a Go template, as dock ps)", "string"},
      END_OPTS,
  };
  int first,
      r = parse ("dock compose ps [OPTIONS] [SERVICE...]", "List containers", opts, 0, -1, true, argc, argv, &first);
  if (r >= 0)
    return r;
  struct compose_project p;
  if ((r = load (o, &p)) != 0)
    return r;
  lcr_error_t err = NULL;
  cleanup_jv jv ctrs = containers_of (ctx, &p, argv + first, argc - first, all, &err);
  if (ctrs == NULL)
    {
      compose_project_release (&p);
      return dock_fail (&err);
    }
  if (services)
    {
      for (size_t i = 0; i < ctrs->u.array.len; i++)
        printf ("%s\n", compose_label (ctrs->u.array.values[i], COMPOSE_LABEL_SERVICE));
      compose_project_release (&p);
      return 0;
    }
  if (quiet)
    {
      for (size_t i = 0; i < ctrs->u.array.len; i++)
        printf ("%s\n", jv_get_str (ctrs->u.array.values[i], "Id"));
      compose_project_release (&p);
      return 0;
    }
  /* the cells are dock ps's own (its status words, ports, command), for exactly these
     containers; --format goes to dock ps as it is */
  struct compose_args a;
  compose_args_init (&a, ctx, "ps");
  compose_args_add (&a, "--all");
  compose_args_addf (
      &a, "--format=%s",
      format ? format : "{{.ID}}\t{{.Names}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}");
  compose_args_addf (&a, "--filter=label=%s=%s", COMPOSE_LABEL_PROJECT, p.name);
  if (ctrs->u.array.len == 0)
    compose_args_add (&a, "--filter=id=none-at-all");
  for (size_t i = 0; i < ctrs->u.array.len; i++)
    compose_args_addf (&a, "--filter=id=%s", jv_get_str (ctrs->u.array.values[i], "Id"));
  cleanup_free char *out = NULL;
  r = compose_run (&a, format ? NULL : &out, false, &err);
  compose_args_release (&a);
  if (r != 0 || format)
    {
      compose_project_release (&p);
      return r < 0 ? dock_fail (&err) : r;
    }
  print_ps_table (ctrs, out);
  compose_project_release (&p);
  return 0;
}

static int
cmd_logs (struct dock_ctx *ctx, const struct compose_opts *o, int argc, char **argv)
{
  bool follow = false, no_prefix = false;
  const char *tail = NULL;
  const struct dock_opt opts[] = {
      {"follow", 'f', DOCK_OPT_BOOL, &follow, "Follow log output", NULL},
      {"tail", 'n', DOCK_OPT_STR, &tail, "Number of lines to show from the end of the logs for each container",
       "string"},
      {"no-prefix", 0, DOCK_OPT_BOOL, &no_prefix, NULL, NULL},
      END_OPTS,
  };
  int first, r = parse ("dock compose logs [OPTIONS] [SERVICE...]", "View output from containers", opts, 0, -1, true,
                        argc, argv, &first);
  if (r >= 0)
    return r;
  struct compose_project p;
  if ((r = load (o, &p)) != 0)
    return r;
  lcr_error_t err = NULL;
  cleanup_jv jv ctrs = containers_of (ctx, &p, argv + first, argc - first, true, &err);
  struct sigaction sa = {.sa_handler = on_stop_signal};
  sigemptyset (&sa.sa_mask);
  sigaction (SIGINT, &sa, NULL);
  if (ctrs == NULL || compose_logs_mux (ctx, ctrs, follow, tail, &stop_requested, &err) < 0)
    {
      compose_project_release (&p);
      return dock_fail (&err);
    }
  compose_project_release (&p);
  return 0;
}

/* the running container of a service (its --index'th) */
static char *
service_container (struct dock_ctx *ctx, struct compose_project *p, const char *svc, long long index, lcr_error_t *err)
{
  char *one[] = {(char *)svc};
  cleanup_jv jv ctrs = containers_of (ctx, p, one, 1, false, err);
  if (ctrs == NULL)
    return NULL;
  for (size_t i = 0; i < ctrs->u.array.len; i++)
    {
      const char *num = compose_label (ctrs->u.array.values[i], COMPOSE_LABEL_NUMBER);
      if (num && atoll (num) == index)
        return xstrdup (compose_ctr_name (ctrs->u.array.values[i]));
    }
  lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "service \"%s\" is not running", svc);
  return NULL;
}

static int
cmd_exec (struct dock_ctx *ctx, const struct compose_opts *o, int argc, char **argv)
{
  bool no_tty = false, detach = false, privileged = false;
  const char *user = NULL, *workdir = NULL;
  struct dock_strlist env = {0};
  long long index = 1;
  const struct dock_opt opts[] = {
      {"no-TTY", 'T', DOCK_OPT_BOOL, &no_tty, "Disable pseudo-TTY allocation", NULL},
      {"detach", 'd', DOCK_OPT_BOOL, &detach, "Detached mode: Run command in the background", NULL},
      {"env", 'e', DOCK_OPT_LIST, &env, "Set environment variables", "list"},
      {"index", 0, DOCK_OPT_INT, &index, "Index of the container if service has multiple replicas", "int"},
      {"privileged", 0, DOCK_OPT_BOOL, &privileged, "Give extended privileges to the process", NULL},
      {"user", 'u', DOCK_OPT_STR, &user, "Run the command as this user", "string"},
      {"workdir", 'w', DOCK_OPT_STR, &workdir, "Path to workdir directory for this command", "string"},
      END_OPTS,
  };
  int first, r = parse ("dock compose exec [OPTIONS] SERVICE COMMAND [ARGS...]",
                        "Execute a command in a running container", opts, 2, -1, false, argc, argv, &first);
  if (r >= 0)
    {
      dock_strlist_free (&env);
      return r;
    }
  struct compose_project p;
  if ((r = load (o, &p)) != 0)
    return r;
  lcr_error_t err = NULL;
  cleanup_free char *name = service_container (ctx, &p, argv[first], index, &err);
  compose_project_release (&p);
  if (name == NULL)
    return dock_fail (&err);
  struct compose_args a;
  compose_args_init (&a, ctx, "exec");
  if (detach)
    compose_args_add (&a, "--detach");
  else if (!no_tty)
    {
      compose_args_add (&a, "--interactive");
      if (isatty (0))
        compose_args_add (&a, "--tty");
    }
  if (privileged)
    compose_args_add (&a, "--privileged");
  if (user)
    compose_args_addf (&a, "--user=%s", user);
  if (workdir)
    compose_args_addf (&a, "--workdir=%s", workdir);
  for (size_t i = 0; i < env.n; i++)
    compose_args_addf (&a, "--env=%s", env.v[i]);
  dock_strlist_free (&env);
  compose_args_add (&a, name);
  for (int i = first + 1; i < argc; i++)
    compose_args_add (&a, argv[i]);
  return compose_exec (&a);
}

static int
cmd_run (struct dock_ctx *ctx, const struct compose_opts *o, int argc, char **argv)
{
  bool rm = false, no_tty = false, detach = false, no_deps = false, build = false;
  const char *entrypoint = NULL, *user = NULL, *workdir = NULL, *name = NULL;
  struct dock_strlist env = {0};
  const struct dock_opt opts[] = {
      {"rm", 0, DOCK_OPT_BOOL, &rm, "Automatically remove the container when it exits", NULL},
      {"no-TTY", 'T', DOCK_OPT_BOOL, &no_tty, "Disable pseudo-TTY allocation", NULL},
      {"detach", 'd', DOCK_OPT_BOOL, &detach, "Run container in background and print container ID", NULL},
      {"no-deps", 0, DOCK_OPT_BOOL, &no_deps, "Don't start linked services", NULL},
      {"build", 0, DOCK_OPT_BOOL, &build, "Build image before starting container", NULL},
      {"entrypoint", 0, DOCK_OPT_STR, &entrypoint, "Override the entrypoint of the image", "string"},
      {"env", 'e', DOCK_OPT_LIST, &env, "Set environment variables", "list"},
      {"name", 0, DOCK_OPT_STR, &name, "Assign a name to the container", "string"},
      {"user", 'u', DOCK_OPT_STR, &user, "Run as specified username or uid", "string"},
      {"workdir", 'w', DOCK_OPT_STR, &workdir, "Working directory inside the container", "string"},
      END_OPTS,
  };
  int first, r = parse ("dock compose run [OPTIONS] SERVICE [COMMAND] [ARGS...]", "Run a one-off command on a service",
                        opts, 1, -1, false, argc, argv, &first);
  if (r >= 0)
    {
      dock_strlist_free (&env);
      return r;
    }
  struct compose_opts o2 = *o;
  o2.services = (const char **)argv + first;
  o2.n_services = 1;
  struct compose_project p;
  if ((r = load (&o2, &p)) != 0)
    {
      dock_strlist_free (&env);
      return r;
    }
  const char *svc = argv[first];
  lcr_error_t err = NULL;
  char **order = NULL;
  size_t n = 0;
  const char *only[] = {svc};
  if (compose_service_order (&p, only, 1, !no_deps, &order, &n, &err) < 0)
    {
      dock_strlist_free (&env);
      compose_project_release (&p);
      return dock_fail (&err);
    }
  /* the dependencies are up first (the last in the order is the service itself) */
  int rc = compose_up_services (ctx, &p, order, n - 1, false, false, false, &err);
  if (rc == 0)
    rc = compose_ensure_image (ctx, &p, svc, build, &err);
  if (rc == 0)
    rc = compose_create_networks (ctx, &p, &err);
  if (rc == 0)
    rc = compose_create_volumes (ctx, &p, &err);
  free_order (order, n);
  struct compose_args a;
  compose_args_init (&a, ctx, "run");
  if (rc == 0)
    {
      char rnd[7];
      snprintf (rnd, sizeof rnd, "%06x", (unsigned)(getpid () ^ (unsigned)time (NULL)) & 0xffffff);
      if (name)
        compose_args_addf (&a, "--name=%s", name);
      else
        compose_args_addf (&a, "--name=%s-%s-run-%s", p.name, svc, rnd);
      compose_args_add (&a, "--pull=never");
      if (rm)
        compose_args_add (&a, "--rm");
      if (detach)
        compose_args_add (&a, "--detach");
      else if (!no_tty && isatty (0))
        compose_args_add (&a, "--interactive");
      if (!detach && !no_tty && isatty (0))
        compose_args_add (&a, "--tty");
      rc = compose_create_args (&p, svc, &a, true, &err);
    }
  if (rc < 0)
    {
      dock_strlist_free (&env);
      compose_args_release (&a);
      compose_project_release (&p);
      return dock_fail (&err);
    }
  /* the flags after the service's own win: dock's parser keeps the last */
  for (size_t i = 0; i < env.n; i++)
    compose_args_addf (&a, "--env=%s", env.v[i]);
  dock_strlist_free (&env);
  if (user)
    compose_args_addf (&a, "--user=%s", user);
  if (workdir)
    compose_args_addf (&a, "--workdir=%s", workdir);
  if (entrypoint)
    {
      /* a new entrypoint drops the service's (and its extra words) */
      jv s = jv_get_obj (jv_get_obj (p.model, "services"), svc);
      jv_del (s, "entrypoint");
      compose_args_addf (&a, "--entrypoint=%s", entrypoint);
    }
  compose_image_cmd_args (&p, svc, &a, argv + first + 1, (size_t)(argc - first - 1));
  compose_project_release (&p);
  return compose_exec (&a);
}

/* depends_on.S.restart: true, or "true" as YAML's scalars may come */
static bool
dep_restarts (jv dep)
{
  jv r = jv_get (dep, "restart");
  if (r && YAJL_IS_TRUE (r))
    return true;
  const char *s = jv_as_str (r);
  return s && strcmp (s, "true") == 0;
}

/* `restart S…` restarts too the services whose depends_on names one of them with `restart:
   true` (and theirs, in turn), as docker compose does.  The names point into svcs and the model. */
static const char **
with_restart_dependents (struct compose_project *p, char **svcs, int n, int *n_out)
{
  jv services = jv_get_obj (p->model, "services");
  size_t total = services ? services->u.object.len : 0;
  const char **out = xmalloc0 ((n + total + 1) * sizeof (char *));
  int k = 0;
  for (int i = 0; i < n; i++)
    out[k++] = svcs[i];
  for (bool grew = n > 0; grew;)
    {
      grew = false;
      for (size_t i = 0; i < total; i++)
        {
          const char *name = services->u.object.keys[i];
          bool have = false;
          for (int j = 0; j < k && !have; j++)
            have = strcmp (out[j], name) == 0;
          jv deps = jv_get_obj (services->u.object.values[i], "depends_on");
          for (int j = 0; j < k && !have; j++)
            if (dep_restarts (jv_get_obj (deps, out[j])))
              {
                out[k++] = name;
                grew = true;
                have = true;
              }
        }
    }
  *n_out = k;
  return out;
}

static int
simple_cmd (struct dock_ctx *ctx, const struct compose_opts *o, int argc, char **argv, const char *cmd,
            const char *usage, const char *summary, const char *doing, const char *done)
{
  long long t = -1;
  const struct dock_opt opts[] = {
      {"timeout", 't', DOCK_OPT_INT, &t, strcmp (cmd, "start") ? "Specify a shutdown timeout in seconds" : NULL, "int"},
      END_OPTS,
  };
  int first, r = parse (usage, summary, opts, 0, -1, true, argc, argv, &first);
  if (r >= 0)
    return r;
  struct compose_project p;
  if ((r = load (o, &p)) != 0)
    return r;
  lcr_error_t err = NULL;
  int n = argc - first;
  cleanup_free const char **names = NULL;
  if (strcmp (cmd, "restart") == 0)
    names = with_restart_dependents (&p, argv + first, argc - first, &n);
  cleanup_jv jv ctrs = containers_of (ctx, &p, names ? (char **)names : argv + first, n, true, &err);
  char tflag[32];
  snprintf (tflag, sizeof tflag, "--time=%lld", t);
  if (ctrs && strcmp (cmd, "start") != 0)
    reverse_dep_order (&p, ctrs);
  if (ctrs == NULL || each (ctx, cmd, t >= 0 && strcmp (cmd, "start") ? tflag : NULL, ctrs, doing, done, &err) < 0)
    {
      compose_project_release (&p);
      return dock_fail (&err);
    }
  compose_project_release (&p);
  return 0;
}

static int
cmd_start (struct dock_ctx *ctx, const struct compose_opts *o, int argc, char **argv)
{
  return simple_cmd (ctx, o, argc, argv, "start", "dock compose start [SERVICE...]", "Start services", "Starting",
                     "Started");
}

static int
cmd_stop (struct dock_ctx *ctx, const struct compose_opts *o, int argc, char **argv)
{
  return simple_cmd (ctx, o, argc, argv, "stop", "dock compose stop [OPTIONS] [SERVICE...]", "Stop services",
                     "Stopping", "Stopped");
}

static int
cmd_restart (struct dock_ctx *ctx, const struct compose_opts *o, int argc, char **argv)
{
  return simple_cmd (ctx, o, argc, argv, "restart", "dock compose restart [OPTIONS] [SERVICE...]",
                     "Restart service containers", "Restarting", "Started");
}

static int
cmd_pause (struct dock_ctx *ctx, const struct compose_opts *o, int argc, char **argv)
{
  return simple_cmd (ctx, o, argc, argv, "pause", "dock compose pause [SERVICE...]", "Pause services", "Pausing",
                     "Paused");
}

static int
cmd_unpause (struct dock_ctx *ctx, const struct compose_opts *o, int argc, char **argv)
{
  return simple_cmd (ctx, o, argc, argv, "unpause", "dock compose unpause [SERVICE...]", "Unpause services",
                     "Unpausing", "Unpaused");
}

/* kill [-s SIGNAL] and rm [-f] [-s] [-v]: over the running (kill) or stopped (rm) containers */
static int
cmd_kill_rm (struct dock_ctx *ctx, const struct compose_opts *o, int argc, char **argv, bool rm)
{
  const char *sig = NULL;
  bool force = false, stop = false, volumes = false;
  const struct dock_opt kill_opts[] = {
      {"signal", 's', DOCK_OPT_STR, &sig, "SIGNAL to send to the container (default \"SIGKILL\")", "string"},
      END_OPTS,
  };
  const struct dock_opt rm_opts[] = {
      {"force", 'f', DOCK_OPT_BOOL, &force, "Don't ask to confirm removal", NULL},
      {"stop", 's', DOCK_OPT_BOOL, &stop, "Stop the containers, if required, before removing", NULL},
      {"volumes", 'v', DOCK_OPT_BOOL, &volumes, "Remove any anonymous volumes attached to containers", NULL},
      END_OPTS,
  };
  int first, r = parse (rm ? "dock compose rm [OPTIONS] [SERVICE...]" : "dock compose kill [OPTIONS] [SERVICE...]",
                        rm ? "Removes stopped service containers" : "Force stop service containers",
                        rm ? rm_opts : kill_opts, 0, -1, true, argc, argv, &first);
  if (r >= 0)
    return r;
  struct compose_project p;
  if ((r = load (o, &p)) != 0)
    return r;
  lcr_error_t err = NULL;
  cleanup_jv jv ctrs = containers_of (ctx, &p, argv + first, argc - first, rm, &err);
  if (ctrs == NULL)
    {
      compose_project_release (&p);
      return dock_fail (&err);
    }
  reverse_dep_order (&p, ctrs);
  if (rm && !stop)
    {
      /* as compose: running containers are left alone unless --stop */
      jv keep = jv_arr ();
      for (size_t i = 0; i < ctrs->u.array.len; i++)
        if (!compose_ctr_running (ctrs->u.array.values[i]))
          jv_push (keep, jv_copy (ctrs->u.array.values[i]));
      for (size_t i = 0; i < ctrs->u.array.len; i++)
        jv_free (ctrs->u.array.values[i]);
      free (ctrs->u.array.values);
      ctrs->u.array.values = keep->u.array.values;
      ctrs->u.array.len = keep->u.array.len;
      keep->u.array.values = NULL;
      keep->u.array.len = 0;
      jv_free (keep);
    }
  if (rm && ctrs->u.array.len == 0)
    fprintf (stderr, "No stopped containers\n");
  cleanup_free char *sigflag = NULL;
  if (sig)
    xasprintf (&sigflag, "--signal=%s", sig);
  if (rm)
    r = (stop ? each (ctx, "stop", NULL, ctrs, "Stopping", "Stopped", &err) : 0) < 0
            ? -1
            : each (ctx, "rm", volumes ? "--volumes" : NULL, ctrs, "Removing", "Removed", &err);
  else
    r = each (ctx, "kill", sigflag, ctrs, "Killing", "Killed", &err);
  (void)force; /* dock compose never asks */
  compose_project_release (&p);
  return r < 0 ? dock_fail (&err) : 0;
}

static int
cmd_kill (struct dock_ctx *ctx, const struct compose_opts *o, int argc, char **argv)
{
  return cmd_kill_rm (ctx, o, argc, argv, false);
}

static int
cmd_rm (struct dock_ctx *ctx, const struct compose_opts *o, int argc, char **argv)
{
  return cmd_kill_rm (ctx, o, argc, argv, true);
}

/* the first of `names` that is not an enabled service of the model, or NULL */
static const char *
first_not_enabled (jv services, char **names, int n)
{
  for (int i = 0; i < n; i++)
    if (jv_get (services, names[i]) == NULL)
      return names[i];
  return NULL;
}

static int
cmd_build_pull (struct dock_ctx *ctx, const struct compose_opts *o, int argc, char **argv, bool pull)
{
  const struct dock_opt opts[] = {END_OPTS};
  int first,
      r = parse (pull ? "dock compose pull [SERVICE...]" : "dock compose build [SERVICE...]",
                 pull ? "Pull service images" : "Build or rebuild services", opts, 0, -1, true, argc, argv, &first);
  if (r >= 0)
    return r;
  struct compose_project p;
  if ((r = load (o, &p)) != 0)
    return r;
  lcr_error_t err = NULL;
  jv services = jv_get_obj (p.model, "services");
  const char *unknown = first_not_enabled (services, argv + first, argc - first);
  if (unknown)
    {
      compose_project_release (&p);
      return dock_failf ("no such service: %s", unknown);
    }
  for (size_t i = 0; i < services->u.object.len; i++)
    {
      const char *svc = services->u.object.keys[i];
      bool wanted = first == argc;
      for (int j = first; j < argc && !wanted; j++)
        wanted = strcmp (argv[j], svc) == 0;
      jv s = services->u.object.values[i];
      if (!wanted)
        continue;
      if (!pull)
        r = compose_build_service (ctx, &p, svc, &err);
      else if (jv_get_str (s, "image") && !jv_get_obj (s, "build"))
        {
          struct compose_args a;
          compose_args_init (&a, ctx, "pull");
          compose_args_add (&a, jv_get_str (s, "image"));
          fprintf (stderr, " %s Pulling\n", svc);
          r = compose_run (&a, NULL, false, &err);
          compose_args_release (&a);
          if (r > 0)
            r = lcr_error_invalid (&err, "pulling %s failed", jv_get_str (s, "image"));
          else if (r == 0)
            fprintf (stderr, " %s Pulled\n", svc);
        }
      if (r < 0)
        {
          compose_project_release (&p);
          return dock_fail (&err);
        }
    }
  compose_project_release (&p);
  return 0;
}

static int
cmd_build (struct dock_ctx *ctx, const struct compose_opts *o, int argc, char **argv)
{
  return cmd_build_pull (ctx, o, argc, argv, false);
}

static int
cmd_pull (struct dock_ctx *ctx, const struct compose_opts *o, int argc, char **argv)
{
  return cmd_build_pull (ctx, o, argc, argv, true);
}

/* `ls`: every project that has containers here, from their labels (no file needed) */
static int
cmd_ls (struct dock_ctx *ctx, const struct compose_opts *o, int argc, char **argv)
{
  (void)o;
  bool all = false, quiet = false;
  const struct dock_opt opts[] = {
      {"all", 'a', DOCK_OPT_BOOL, &all, "Show all stopped Compose projects", NULL},
      {"quiet", 'q', DOCK_OPT_BOOL, &quiet, "Only display project names", NULL},
      END_OPTS,
  };
  int first,
      r = parse ("dock compose ls [OPTIONS]", "List running compose projects", opts, 0, 0, true, argc, argv, &first);
  if (r >= 0)
    return r;
  lcr_error_t err = NULL;
  cleanup_jv jv ctrs = compose_containers (ctx, NULL, NULL, true, true, &err);
  if (ctrs == NULL)
    return dock_fail (&err);
  /* project → {states: {state: count}, files} in first-seen order, then sorted by name */
  cleanup_jv jv projects = jv_obj ();
  for (size_t i = 0; i < ctrs->u.array.len; i++)
    {
      jv c = ctrs->u.array.values[i];
      const char *name = compose_label (c, COMPOSE_LABEL_PROJECT);
      const char *files = compose_label (c, COMPOSE_LABEL_FILES);
      const char *state = jv_get_str (jv_get_obj (c, "State"), "Status");
      if (name == NULL)
        continue;
      jv pr = jv_child_obj (projects, name);
      if (files && jv_get_str (pr, "files") == NULL)
        jv_set (pr, "files", jv_str (files));
      jv states = jv_child_obj (pr, "states");
      state = state ? state : "unknown";
      jv_set (states, state, jv_int (jv_get_int (states, state, 0) + 1));
    }
  if (!quiet)
    printf ("%-20s%-20s%s\n", "NAME", "STATUS", "CONFIG FILES");
  for (size_t i = 0; i < projects->u.object.len; i++)
    {
      jv pr = projects->u.object.values[i];
      jv states = jv_get_obj (pr, "states");
      if (!all && jv_get_int (states, "running", 0) == 0)
        continue;
      if (quiet)
        {
          printf ("%s\n", projects->u.object.keys[i]);
          continue;
        }
      char status[256] = "";
      size_t off = 0;
      for (size_t j = 0; j < states->u.object.len && off < sizeof status; j++)
        off += (size_t)snprintf (status + off, sizeof status - off, "%s%s(%lld)", j ? ", " : "",
                                 states->u.object.keys[j], jv_get_int (states, states->u.object.keys[j], 0));
      const char *files = jv_get_str (pr, "files");
      printf ("%-20s%-20s%s\n", projects->u.object.keys[i], status, files ? files : "");
    }
  return 0;
}

/* `scale S=N…`: up -d of those services with their new counts (and what they depend on) */
static int
cmd_scale (struct dock_ctx *ctx, const struct compose_opts *o, int argc, char **argv)
{
  bool no_deps = false;
  const struct dock_opt opts[] = {
      {"no-deps", 0, DOCK_OPT_BOOL, &no_deps, "Don't start linked services", NULL},
      END_OPTS,
  };
  int first,
      r = parse ("dock compose scale [SERVICE=REPLICAS...]", "Scale services", opts, 1, -1, true, argc, argv, &first);
  if (r >= 0)
    return r;
  struct dock_strlist scale = {0}, names = {0};
  /* the service names, cut out of a copy of the arguments (dock_strlist does not copy) */
  cleanup_jv jv held = jv_arr ();
  for (int i = first; i < argc; i++)
    {
      const char *eq = strchr (argv[i], '=');
      dock_strlist_add (&scale, argv[i]);
      jv name = jv_push (held, eq ? jv_strn (argv[i], (size_t)(eq - argv[i])) : jv_str (argv[i]));
      dock_strlist_add (&names, jv_as_str (name));
    }
  struct compose_opts o2 = *o;
  o2.services = (const char **)names.v;
  o2.n_services = names.n;
  struct compose_project p;
  lcr_error_t err = NULL;
  char **order = NULL;
  size_t n = 0;
  if ((r = load (&o2, &p)) != 0)
    {
      dock_strlist_free (&scale);
      dock_strlist_free (&names);
      return r;
    }
  r = apply_scale (&p, &scale, &err);
  if (r == 0)
    r = compose_service_order (&p, (const char **)names.v, names.n, !no_deps, &order, &n, &err);
  if (r == 0)
    r = compose_up_services (ctx, &p, order, n, false, false, false, &err);
  free_order (order, n);
  dock_strlist_free (&scale);
  dock_strlist_free (&names);
  compose_project_release (&p);
  return r < 0 ? dock_fail (&err) : 0;
}

/* `top [SERVICE…]`: each running container's processes, under its name */
static int
cmd_top (struct dock_ctx *ctx, const struct compose_opts *o, int argc, char **argv)
{
  const struct dock_opt opts[] = {END_OPTS};
  int first, r = parse ("dock compose top [SERVICES...]", "Display the running processes", opts, 0, -1, true, argc,
                        argv, &first);
  if (r >= 0)
    return r;
  struct compose_project p;
  if ((r = load (o, &p)) != 0)
    return r;
  lcr_error_t err = NULL;
  cleanup_jv jv ctrs = containers_of (ctx, &p, argv + first, argc - first, false, &err);
  compose_project_release (&p);
  if (ctrs == NULL)
    return dock_fail (&err);
  for (size_t i = 0; i < ctrs->u.array.len; i++)
    {
      const char *name = compose_ctr_name (ctrs->u.array.values[i]);
      struct compose_args a;
      compose_args_init (&a, ctx, "top");
      compose_args_add (&a, name);
      cleanup_free char *out = NULL;
      r = compose_run (&a, &out, false, &err);
      compose_args_release (&a);
      if (r < 0)
        return dock_fail (&err);
      if (r != 0)
        return dock_failf ("dock top %s failed", name);
      printf ("%s%s\n%s", i ? "\n" : "", name, out);
    }
  fflush (stdout);
  return 0;
}

/* `images [-q] [SERVICE…]`: the image of each of the project's containers */
static int
cmd_images (struct dock_ctx *ctx, const struct compose_opts *o, int argc, char **argv)
{
  bool quiet = false;
  const struct dock_opt opts[] = {
      {"quiet", 'q', DOCK_OPT_BOOL, &quiet, "Only display IDs", NULL},
      END_OPTS,
  };
  int first, r = parse ("dock compose images [OPTIONS] [SERVICE...]", "List images used by the created containers",
                        opts, 0, -1, true, argc, argv, &first);
  if (r >= 0)
    return r;
  struct compose_project p;
  if ((r = load (o, &p)) != 0)
    return r;
  lcr_error_t err = NULL;
  cleanup_jv jv ctrs = containers_of (ctx, &p, argv + first, argc - first, true, &err);
  compose_project_release (&p);
  if (ctrs == NULL)
    return dock_fail (&err);
  if (!quiet)
    printf ("%-24s%-24s%-12s%-16s%s\n", "CONTAINER", "REPOSITORY", "TAG", "IMAGE ID", "SIZE");
  cleanup_jv jv seen = jv_obj ();
  for (size_t i = 0; i < ctrs->u.array.len; i++)
    {
      jv c = ctrs->u.array.values[i];
      const char *ref = jv_get_str (jv_get_obj (c, "Config"), "Image");
      const char *id = jv_get_str (c, "Image");
      if (ref == NULL || id == NULL)
        continue;
      const char *hex = strncmp (id, "sha256:", 7) == 0 ? id + 7 : id;
      if (quiet)
        {
          if (jv_get (seen, hex) == NULL)
            printf ("%s\n", hex);
          jv_set (seen, hex, jv_bool (true));
          continue;
        }
      /* repository and tag as written (docker.io/library/ dropped, :latest implied) */
      cleanup_free char *repo = xstrdup (ref);
      const char *tag = "latest";
      char *at = strchr (repo, '@');
      if (at)
        *at = '\0';
      char *colon = strrchr (repo, ':');
      if (colon && !strchr (colon, '/'))
        {
          *colon = '\0';
          tag = colon + 1;
        }
      struct compose_args a;
      compose_args_init (&a, ctx, "image");
      compose_args_add (&a, "inspect");
      compose_args_add (&a, "--format={{.Size}}");
      compose_args_add (&a, id);
      cleanup_free char *size = NULL;
      r = compose_run (&a, &size, true, &err);
      compose_args_release (&a);
      if (r < 0)
        lcr_error_release (&err);
      char human[32] = "";
      if (r == 0 && size)
        {
          double b = strtod (size, NULL);
          static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
          size_t u = 0;
          while (b >= 1000 && u < 4)
            {
              b /= 1000;
              u++;
            }
          snprintf (human, sizeof human, u ? "%.3g%s" : "%.0f%s", b, units[u]);
        }
      printf ("%-24s%-24s%-12s%-16.12s%s\n", compose_ctr_name (c), repo, tag, hex, human);
    }
  return 0;
}

/* `port SERVICE PRIVATE_PORT`: the host address a container port is published on */
static int
cmd_port (struct dock_ctx *ctx, const struct compose_opts *o, int argc, char **argv)
{
  const char *proto = "tcp";
  long long index = 1;
  const struct dock_opt opts[] = {
      {"protocol", 0, DOCK_OPT_STR, &proto, "tcp or udp", "string"},
      {"index", 0, DOCK_OPT_INT, &index, "Index of the container if service has multiple replicas", "int"},
      END_OPTS,
  };
  int first, r = parse ("dock compose port [OPTIONS] SERVICE PRIVATE_PORT", "Print the public port for a port binding",
                        opts, 2, 2, true, argc, argv, &first);
  if (r >= 0)
    return r;
  struct compose_project p;
  if ((r = load (o, &p)) != 0)
    return r;
  lcr_error_t err = NULL;
  cleanup_free char *name = service_container (ctx, &p, argv[first], index, &err);
  compose_project_release (&p);
  if (name == NULL)
    return dock_fail (&err);
  struct compose_args a;
  compose_args_init (&a, ctx, "port");
  compose_args_add (&a, name);
  compose_args_addf (&a, "%s/%s", argv[first + 1], proto);
  cleanup_free char *out = NULL;
  r = compose_run (&a, &out, true, &err);
  compose_args_release (&a);
  if (r < 0)
    return dock_fail (&err);
  if (r != 0 || out == NULL || out[0] == '\0')
    return dock_failf ("no port %s/%s for container %s", argv[first + 1], proto, name);
  /* the first binding, as compose prints it */
  char *nl = strchr (out, '\n');
  if (nl)
    *nl = '\0';
  printf ("%s\n", out);
  return 0;
}

/* `push [SERVICE…]`: the images of the services that are built and named by `image` */
static int
cmd_push (struct dock_ctx *ctx, const struct compose_opts *o, int argc, char **argv)
{
  bool ignore = false, quiet = false;
  const struct dock_opt opts[] = {
      {"ignore-push-failures", 0, DOCK_OPT_BOOL, &ignore, "Push what it can and ignores images with push failures",
       NULL},
      {"quiet", 'q', DOCK_OPT_BOOL, &quiet, "Push without printing progress information", NULL},
      END_OPTS,
  };
  int first, r = parse ("dock compose push [OPTIONS] [SERVICE...]", "Push service images", opts, 0, -1, true, argc,
                        argv, &first);
  if (r >= 0)
    return r;
  struct compose_project p;
  if ((r = load (o, &p)) != 0)
    return r;
  lcr_error_t err = NULL;
  jv services = jv_get_obj (p.model, "services");
  const char *unknown = first_not_enabled (services, argv + first, argc - first);
  if (unknown)
    {
      compose_project_release (&p);
      return dock_failf ("no such service: %s", unknown);
    }
  int rc = 0;
  for (size_t i = 0; i < services->u.object.len && rc == 0; i++)
    {
      const char *svc = services->u.object.keys[i];
      bool wanted = first == argc;
      for (int j = first; j < argc && !wanted; j++)
        wanted = strcmp (argv[j], svc) == 0;
      jv s = services->u.object.values[i];
      const char *image = jv_get_str (s, "image");
      if (!wanted)
        continue;
      if (image == NULL || jv_get_obj (s, "build") == NULL)
        {
          /* an image that is only pulled is someone else's to push */
          if (!quiet)
            fprintf (stderr, " %s Skipped\n", svc);
          continue;
        }
      struct compose_args a;
      compose_args_init (&a, ctx, "push");
      if (quiet)
        compose_args_add (&a, "--quiet");
      compose_args_add (&a, image);
      if (!quiet)
        fprintf (stderr, " %s Pushing\n", svc);
      cleanup_free char *out = NULL;
      r = compose_run (&a, &out, false, &err);
      compose_args_release (&a);
      if (r < 0)
        rc = -1;
      else if (r != 0 && !ignore)
        rc = lcr_error_invalid (&err, "pushing %s (service %s) failed", image, svc);
      else if (!quiet)
        fprintf (stderr, " %s %s\n", svc, r == 0 ? "Pushed" : "Push failed (ignored)");
    }
  compose_project_release (&p);
  return rc < 0 ? dock_fail (&err) : 0;
}

static const struct sub subs[] = {
    {"build", cmd_build, "Build or rebuild services"},
    {"config", cmd_config, "Parse, resolve and render compose file in canonical format"},
    {"down", cmd_down, "Stop and remove containers, networks"},
    {"exec", cmd_exec, "Execute a command in a running container"},
    {"kill", cmd_kill, "Force stop service containers"},
    {"logs", cmd_logs, "View output from containers"},
    {"ls", cmd_ls, "List running compose projects"},
    {"images", cmd_images, "List images used by the created containers"},
    {"pause", cmd_pause, "Pause services"},
    {"port", cmd_port, "Print the public port for a port binding"},
    {"ps", cmd_ps, "List containers"},
    {"pull", cmd_pull, "Pull service images"},
    {"push", cmd_push, "Push service images"},
    {"restart", cmd_restart, "Restart service containers"},
    {"rm", cmd_rm, "Removes stopped service containers"},
    {"run", cmd_run, "Run a one-off command on a service"},
    {"scale", cmd_scale, "Scale services"},
    {"start", cmd_start, "Start services"},
    {"stop", cmd_stop, "Stop services"},
    {"top", cmd_top, "Display the running processes"},
    {"unpause", cmd_unpause, "Unpause services"},
    {"up", cmd_up, "Create and start containers"},
    {NULL, NULL, NULL},
};

DOCK_CMD (dock_cmd_compose)
{
  struct dock_strlist files = {0}, profiles = {0};
  struct compose_opts o = {0};
  const struct dock_opt opts[] = {
      {"file", 'f', DOCK_OPT_LIST, &files, "Compose configuration files", "stringArray"},
      {"project-name", 'p', DOCK_OPT_STR, &o.project, "Project name", "string"},
      {"project-directory", 0, DOCK_OPT_STR, &o.project_dir,
       "Specify an alternate working directory (default: the path of the first specified Compose file)", "string"},
      {"env-file", 0, DOCK_OPT_STR, &o.env_file, "Specify an alternate environment file", "string"},
      {"profile", 0, DOCK_OPT_LIST, &profiles, "Specify a profile to enable", "stringArray"},
      END_OPTS,
  };
  static const struct dock_cmd_usage u
      = {"dock compose [OPTIONS] COMMAND", "Define and run multi-container applications", false, 0, -1};
  lcr_error_t err = NULL;
  int first;
  int r = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (r != 0)
    {
      dock_strlist_free (&files);
      dock_strlist_free (&profiles);
      if (r > 0)
        {
          printf ("\nCommands:\n");
          for (const struct sub *s = subs; s->name; s++)
            printf ("  %-10s %s\n", s->name, s->summary);
          return 0;
        }
      return dock_fail (&err);
    }
  o.files = files.v;
  o.n_files = files.n;
  o.profiles = (const char **)profiles.v;
  o.n_profiles = profiles.n;
  if (first >= argc)
    {
      dock_strlist_free (&files);
      dock_strlist_free (&profiles);
      return dock_failf ("\"dock compose\" requires a command.\nSee 'dock compose --help'.");
    }
  for (const struct sub *s = subs; s->name; s++)
    if (strcmp (s->name, argv[first]) == 0)
      {
        r = s->fn (ctx, &o, argc - first, argv + first);
        dock_strlist_free (&files);
        dock_strlist_free (&profiles);
        return r;
      }
  dock_strlist_free (&files);
  dock_strlist_free (&profiles);
  return dock_failf ("unknown docker command: \"compose %s\"\nSee 'dock compose --help'.", argv[first]);
}
