/* dock — `volume create|ls|inspect|rm|prune`, as docker's.
 *
 * Exit statuses follow docker's CLI: 125 for a bad flag or a failed create, and 1 when some of
 * the volumes named to inspect / rm could not be (the others are still done).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "filters.h"
#include "commands.h"
#include "output.h"
#include "store/store.h"
#include "volume/volume.h"

/* "K=V" (or "K", value "") into obj */
static void
set_kv (jv obj, const char *kv)
{
  const char *eq = strchr (kv, '=');
  cleanup_free char *k = eq ? strndup (kv, eq - kv) : xstrdup (kv);
  jv_set (obj, k, jv_str (eq ? eq + 1 : ""));
}

static int
parse_or_usage (const struct dock_cmd_usage *u, const struct dock_opt *o, int argc, char **argv, int *first)
{
  cleanup_error lcr_error_t err = NULL;
  int r = dock_parse_args (u, o, argc, argv, first, &err);
  if (r < 0)
    return dock_fail (&err);
  return r == 1 ? -1 : 0;
}

DOCK_CMD (dock_cmd_volume_create)
{
  const char *driver = "local", *name_flag = NULL;
  struct dock_strlist labels = {0}, opts = {0};
  const struct dock_opt o[] = {
      {"driver", 'd', DOCK_OPT_STR, &driver, "Specify volume driver name", "string"},
      {"label", 0, DOCK_OPT_LIST, &labels, "Set metadata for a volume", "list"},
      {"opt", 'o', DOCK_OPT_LIST, &opts, "Set driver specific options", "map"},
      {"name", 0, DOCK_OPT_STR, &name_flag, NULL, "string"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const struct dock_cmd_usage u = {"dock volume create [OPTIONS] [VOLUME]", "Create a volume", true, 0, 1};
  int first;
  int r = parse_or_usage (&u, o, argc, argv, &first);
  if (r != 0)
    {
      dock_strlist_free (&labels);
      dock_strlist_free (&opts);
      return r == -1 ? 0 : r;
    }
  const char *name = first < argc ? argv[first] : name_flag;
  cleanup_jv jv lab = jv_obj ();
  cleanup_jv jv opt = jv_obj ();
  for (size_t i = 0; i < labels.n; i++)
    set_kv (lab, labels.v[i]);
  for (size_t i = 0; i < opts.n; i++)
    set_kv (opt, opts.v[i]);
  dock_strlist_free (&labels);
  dock_strlist_free (&opts);
  if (first < argc && name_flag && strcmp (name_flag, argv[first]) != 0)
    return dock_failf ("conflicting options: either specify --name or provide positional arg, not both");
  char id[65];
  if (name == NULL)
    {
      /* docker names an unnamed volume by 64 random hex digits; it is not anonymous */
      dock_random_id (id);
      name = id;
    }
  if (driver[0] && strcmp (driver, "local") != 0)
    return dock_failf ("create %s: error looking up volume plugin %s: plugin \"%s\" not found", name, driver, driver);
  cleanup_error lcr_error_t err = NULL;
  cleanup_jv jv meta = NULL;
  if (dock_volume_create (ctx, name, lab, opt, false, &meta, &err) < 0)
    return dock_fail (&err);
  printf ("%s\n", jv_get_str (meta, "Name"));
  return 0;
}

/* docker's volume filters: values of one key are alternatives (any may match), except label,
   where every one must match; different keys must all match.  label! excludes. */
static int
volume_matches (struct dock_ctx *ctx, const struct dock_filters *f, jv meta, bool *out, lcr_error_t *err)
{
  static const char *const keys[] = {"name", "driver", "dangling", "all", NULL};
  const char *name = jv_get_str (meta, "Name");
  jv labels = jv_get_obj (meta, "Labels");
  *out = false;
  for (size_t i = 0; i < f->n; i++)
    {
      if (strcmp (f->v[i].key, "label") == 0 && !dock_label_matches (labels, f->v[i].value))
        return 0;
      if (strcmp (f->v[i].key, "label!") == 0 && dock_label_matches (labels, f->v[i].value))
        return 0;
    }
  for (const char *const *k = keys; *k; k++)
    {
      bool seen = false, any = false;
      for (size_t i = 0; i < f->n; i++)
        {
          if (strcmp (f->v[i].key, *k) != 0)
            continue;
          seen = true;
          bool m = false;
          if (strcmp (*k, "name") == 0 && dock_regex_matches (f->v[i].value, name, &m, err) < 0)
            return -1;
          if (strcmp (*k, "driver") == 0
              && dock_regex_matches (f->v[i].value, jv_get_str (meta, "Driver"), &m, err) < 0)
            return -1;
          if (strcmp (*k, "dangling") == 0)
            {
              bool want;
              if (dock_bool_filter ("dangling", f->v[i].value, &want, err) < 0)
                return -1;
              m = dock_volume_in_use (ctx, name, NULL) != want;
            }
          if (strcmp (*k, "all") == 0)
            m = true; /* prune's -a: handled by the caller */
          any |= m;
        }
      if (seen && !any)
        return 0;
    }
  *out = true;
  return 0;
}

/* ---------------------------------------------------------------- ls */

/* what `volume ls --format` sees for a volume: docker's fields */
static jv
ls_row (jv meta)
{
  jv row = jv_obj ();
  jv_set (row, "Driver", jv_str (jv_get_str (meta, "Driver")));
  cleanup_free char *s = dock_labels_string (jv_get_obj (meta, "Labels"));
  jv_set (row, "Labels", jv_str (s));
  jv_set (row, "Links", jv_str ("N/A"));
  jv_set (row, "Mountpoint", jv_str (jv_get_str (meta, "Mountpoint")));
  jv_set (row, "Name", jv_str (jv_get_str (meta, "Name")));
  jv_set (row, "Scope", jv_str (jv_get_str (meta, "Scope")));
  jv_set (row, "Size", jv_str ("N/A"));
  return row;
}

/* `volume ls --format` (rows) and `volume inspect --format` (volumes) */
static int
print_formatted (const char *format, jv rows, bool listing, lcr_error_t *err)
{
  static const struct dock_column cols[] = {
      {"Driver", "DRIVER"},
      {"Name", "VOLUME NAME"},
      {"Mountpoint", "MOUNTPOINT"},
      {"Labels", "LABELS"},
      {"Scope", "SCOPE"},
      {"Links", "LINKS"},
      {"Size", "SIZE"},
      {NULL, NULL},
  };
  if (listing)
    return dock_print_rows (rows, format, cols, err);
  return dock_print_inspect (rows, format, err);
}

static void
print_table (jv rows)
{
  /* docker's tabwriter: columns at least 10 wide, 3 spaces of padding */
  size_t w = strlen ("DRIVER") + 3;
  for (size_t i = 0; i < jv_len (rows); i++)
    {
      size_t l = strlen (jv_get_str (rows->u.array.values[i], "Driver")) + 3;
      if (l > w)
        w = l;
    }
  if (w < 10)
    w = 10;
  printf ("%-*s%s\n", (int)w, "DRIVER", "VOLUME NAME");
  for (size_t i = 0; i < jv_len (rows); i++)
    printf ("%-*s%s\n", (int)w, jv_get_str (rows->u.array.values[i], "Driver"),
            jv_get_str (rows->u.array.values[i], "Name"));
}

DOCK_CMD (dock_cmd_volume_ls)
{
  static const char *const keys[] = {"name", "label", "dangling", "driver", NULL};
  bool quiet = false;
  const char *format = NULL;
  struct dock_strlist flist = {0};
  const struct dock_opt o[] = {
      {"quiet", 'q', DOCK_OPT_BOOL, &quiet, "Only display volume names", NULL},
      {"filter", 'f', DOCK_OPT_LIST, &flist, "Provide filter values (e.g. \"dangling=true\")", "filter"},
      {"format", 0, DOCK_OPT_STR, &format, "Format output using a custom template", "string"},
      {"cluster", 0, DOCK_OPT_BOOL, &(bool){false}, NULL, NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const struct dock_cmd_usage u = {"dock volume ls [OPTIONS]", "List volumes", true, 0, 0};
  int first;
  int r = parse_or_usage (&u, o, argc, argv, &first);
  if (r != 0)
    {
      dock_strlist_free (&flist);
      return r == -1 ? 0 : r;
    }
  cleanup_error lcr_error_t err = NULL;
  struct dock_filters f = {0};
  int ret = dock_filters_parse (&flist, keys, &f, &err);
  dock_strlist_free (&flist);
  cleanup_jv jv all = ret == 0 ? dock_volume_list (ctx, &err) : NULL;
  cleanup_jv jv rows = jv_arr ();
  for (size_t i = 0; all && i < jv_len (all); i++)
    {
      bool m = false;
      if (volume_matches (ctx, &f, all->u.array.values[i], &m, &err) < 0)
        break;
      if (m)
        jv_push (rows, ls_row (all->u.array.values[i]));
    }
  dock_filters_free (&f);
  if (all == NULL || err)
    return dock_fail (&err);
  if (quiet)
    {
      for (size_t i = 0; i < jv_len (rows); i++)
        printf ("%s\n", jv_get_str (rows->u.array.values[i], "Name"));
      return 0;
    }
  if (format && format[0] && strcmp (format, "table") != 0)
    {
      if (print_formatted (format, rows, true, &err) < 0)
        return dock_fail (&err);
      return 0;
    }
  print_table (rows);
  return 0;
}

/* ---------------------------------------------------------------- inspect */

DOCK_CMD (dock_cmd_volume_inspect)
{
  const char *format = NULL;
  const struct dock_opt o[] = {
      {"format", 'f', DOCK_OPT_STR, &format, "Format output using a custom template", "string"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const struct dock_cmd_usage u = {"dock volume inspect [OPTIONS] VOLUME [VOLUME...]",
                                   "Display detailed information on one or more volumes", true, 1, -1};
  int first;
  int r = parse_or_usage (&u, o, argc, argv, &first);
  if (r != 0)
    return r == -1 ? 0 : r;
  cleanup_jv jv out = jv_arr ();
  int ret = 0;
  for (int i = first; i < argc; i++)
    {
      cleanup_error lcr_error_t err = NULL;
      jv meta = dock_volume_load (ctx, argv[i], &err);
      if (meta == NULL)
        {
          fprintf (stderr, "dock: %s\n", err->msg);
          ret = 1;
          continue;
        }
      jv_push (out, dock_volume_public (meta));
      jv_free (meta);
    }
  if (format && format[0])
    {
      cleanup_error lcr_error_t err = NULL;
      if (print_formatted (format, out, false, &err) < 0)
        return dock_fail (&err);
      return ret;
    }
  cleanup_free char *s = jv_dump (out, true);
  printf ("%s\n", jv_len (out) ? s : "[]");
  return ret;
}

/* ---------------------------------------------------------------- rm */

DOCK_CMD (dock_cmd_volume_rm)
{
  bool force = false;
  const struct dock_opt o[] = {
      {"force", 'f', DOCK_OPT_BOOL, &force, "Force the removal of one or more volumes", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const struct dock_cmd_usage u
      = {"dock volume rm [OPTIONS] VOLUME [VOLUME...]", "Remove one or more volumes", true, 1, -1};
  int first;
  int r = parse_or_usage (&u, o, argc, argv, &first);
  if (r != 0)
    return r == -1 ? 0 : r;
  int ret = 0;
  for (int i = first; i < argc; i++)
    {
      cleanup_error lcr_error_t err = NULL;
      if (dock_volume_remove (ctx, argv[i], NULL, &err) < 0)
        {
          /* -f forgives a missing volume, never one in use (as docker) */
          if (!(force && err->code == LCR_ERR_NOT_FOUND))
            {
              fprintf (stderr, "dock: %s\n", err->msg);
              ret = 1;
              continue;
            }
        }
      printf ("%s\n", argv[i]);
    }
  return ret;
}

/* ---------------------------------------------------------------- prune */

/* docker's units.HumanSize: decimal units, four significant digits */
static void
human_size (long long n, char *buf, size_t len)
{
  static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  double d = (double)n;
  size_t u = 0;
  while (d >= 1000 && u + 1 < sizeof units / sizeof *units)
    d /= 1000, u++;
  snprintf (buf, len, "%.4g%s", d, units[u]);
}

DOCK_CMD (dock_cmd_volume_prune)
{
  static const char *const keys[] = {"label", "label!", "all", NULL};
  bool force = false, all = false;
  struct dock_strlist flist = {0};
  const struct dock_opt o[] = {
      {"all", 'a', DOCK_OPT_BOOL, &all, "Remove all unused volumes, not just anonymous ones", NULL},
      {"filter", 0, DOCK_OPT_LIST, &flist, "Provide filter values (e.g. \"label=<label>\")", "filter"},
      {"force", 'f', DOCK_OPT_BOOL, &force, "Do not prompt for confirmation", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const struct dock_cmd_usage u = {"dock volume prune [OPTIONS]", "Remove unused local volumes", true, 0, 0};
  int first;
  int r = parse_or_usage (&u, o, argc, argv, &first);
  if (r != 0)
    {
      dock_strlist_free (&flist);
      return r == -1 ? 0 : r;
    }
  cleanup_error lcr_error_t err = NULL;
  struct dock_filters f = {0};
  int fr = dock_filters_parse (&flist, keys, &f, &err);
  dock_strlist_free (&flist);
  /* --filter all=true is what -a sends to docker's daemon */
  for (size_t i = 0; fr == 0 && i < f.n; i++)
    if (strcmp (f.v[i].key, "all") == 0)
      {
        bool a = false;
        fr = dock_bool_filter ("all", f.v[i].value, &a, &err);
        all |= a;
      }
  if (fr < 0)
    {
      dock_filters_free (&f);
      return dock_fail (&err);
    }
  if (!force)
    {
      printf ("WARNING! This will remove %s local volumes not used by at least one container.\n"
              "Are you sure you want to continue? [y/N] ",
              all ? "all" : "anonymous");
      fflush (stdout);
      char line[64] = "";
      if (fgets (line, sizeof line, stdin) == NULL || (line[0] != 'y' && line[0] != 'Y'))
        {
          dock_filters_free (&f);
          return 0;
        }
    }
  if (dock_lock (ctx, &err) < 0)
    {
      dock_filters_free (&f);
      return dock_fail (&err);
    }
  cleanup_jv jv vols = dock_volume_list (ctx, &err);
  long long total = 0;
  size_t deleted = 0;
  int ret = 0;
  for (size_t i = 0; vols && i < jv_len (vols); i++)
    {
      jv meta = vols->u.array.values[i];
      const char *name = jv_get_str (meta, "Name");
      bool anon = jv_get_bool (meta, "Anonymous", false)
                  || jv_get (jv_get_obj (meta, "Labels"), "com.docker.volume.anonymous") != NULL;
      bool m = false;
      if ((!all && !anon) || dock_volume_in_use (ctx, name, NULL))
        continue;
      if (volume_matches (ctx, &f, meta, &m, &err) < 0)
        break;
      if (!m)
        continue;
      long long freed = 0;
      cleanup_error lcr_error_t e = NULL;
      if (dock_volume_remove (ctx, name, &freed, &e) < 0)
        {
          fprintf (stderr, "dock: %s\n", e->msg);
          ret = 1;
          continue;
        }
      if (deleted++ == 0)
        printf ("Deleted Volumes:\n");
      printf ("%s\n", name);
      total += freed;
    }
  dock_unlock (ctx);
  dock_filters_free (&f);
  if (vols == NULL || err)
    return dock_fail (&err);
  char hs[32];
  human_size (total, hs, sizeof hs);
  printf ("%sTotal reclaimed space: %s\n", deleted ? "\n" : "", hs);
  return ret;
}
