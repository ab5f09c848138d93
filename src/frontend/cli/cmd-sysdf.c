/* dock — `system df` (what the store holds, and what a prune could give back) and `system prune`
 * (stopped containers, then anonymous volumes with --volumes, then dangling or unused images).
 *
 * Both read the same things: the container records (a container's size is the bytes in its
 * overlay upper dir), refs.json (an image is its layers; a layer shared by two images counts
 * once), and the volumes' meta.json (a volume is active while any container names it). */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/filters.h"
#include "cli/output.h"
#include "container/lifecycle.h"
#include "container/record.h"
#include "image/filter.h"
#include "image/image.h"
#include "image/imgstore.h"
#include "network/network.h"
#include "store/store.h"
#include "volume/volume.h"

/* docker's units.HumanSize, what df's summary and prune's total print: four significant digits
   (dock_human_size has the three of `images` and `ps`) */
static char *
human4 (long long n)
{
  static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  double v = (double)n;
  int u = 0;
  while (v >= 1000.0 && u < 5)
    {
      v /= 1000.0;
      u++;
    }
  char *s;
  xasprintf (&s, "%.4g%s", v, units[u]);
  return s;
}

/* "1.2MB (40%)", or the size alone when there is nothing at all (docker's Reclaimable) */
static char *
reclaimable_text (long long reclaim, long long total)
{
  cleanup_free char *h = human4 (reclaim);
  char *s;
  if (total > 0)
    xasprintf (&s, "%s (%lld%%)", h, reclaim * 100 / total);
  else
    s = xstrdup (h);
  return s;
}

static bool
container_active (jv rec)
{
  const char *st = dock_record_status (rec);
  return st && (strcmp (st, "running") == 0 || strcmp (st, "paused") == 0 || strcmp (st, "restarting") == 0);
}

static long long
container_size (struct dock_ctx *ctx, jv rec)
{
  cleanup_free char *upper = dock_path (ctx, "containers/%s/upper", dock_record_id (rec));
  return dock_volume_dir_size (upper);
}

/* ------------------------------------------------------------------ filters */

/* --filter of `system prune`: label=K[=V], label!=K[=V], until=TIME, as docker's pruners take */
struct prune_filters
{
  struct dock_strlist raw;
  const char **label, **not_label; /* NULL-terminated "K" or "K=V" */
  size_t n_label, n_not_label;
  long long until; /* epoch seconds, 0: none */
};

static void
prune_filters_free (struct prune_filters *f)
{
  free (f->label);
  free (f->not_label);
  dock_strlist_free (&f->raw);
}

/* docker's until: a Unix time, an RFC 3339 time, or a Go duration back from now */
static long long
parse_until (const char *s)
{
  const char *p = s;
  while (isdigit ((unsigned char)*p) || *p == '.')
    p++;
  if (*s && *p == '\0')
    return strtoll (s, NULL, 10);
  long long t = dock_parse_rfc3339 (s);
  if (t > 0)
    return t;
  long long ns = dock_parse_duration (s);
  return ns < 0 ? -1 : (long long)time (NULL) - ns / 1000000000LL;
}

static int
prune_filters_parse (struct prune_filters *f, lcr_error_t *err)
{
  f->label = xmalloc0 ((f->raw.n + 1) * sizeof (char *));
  f->not_label = xmalloc0 ((f->raw.n + 1) * sizeof (char *));
  for (size_t i = 0; i < f->raw.n; i++)
    {
      const char *s = f->raw.v[i];
      const char *eq = strchr (s, '=');
      if (eq == NULL)
        return lcr_error_make (err, 0, LCR_ERR_INVALID, "bad format of filter (expected name=value)");
      size_t kl = (size_t)(eq - s);
      if (kl == 5 && strncmp (s, "label", 5) == 0)
        f->label[f->n_label++] = eq + 1;
      else if (kl == 6 && strncmp (s, "label!", 6) == 0)
        f->not_label[f->n_not_label++] = eq + 1;
      else if (kl == 5 && strncmp (s, "until", 5) == 0)
        {
          f->until = parse_until (eq + 1);
          if (f->until <= 0)
            return lcr_error_make (err, 0, LCR_ERR_INVALID, "failed to parse value as time or duration: \"%s\"",
                                   eq + 1);
        }
      else
        return lcr_error_make (err, 0, LCR_ERR_INVALID, "invalid filter '%.*s'", (int)kl, s);
    }
  return 0;
}

/* labels: the object's labels; created: epoch seconds (0: unknown, never matches until) */
static bool
prune_filters_match (const struct prune_filters *f, jv labels, long long created)
{
  for (size_t i = 0; i < f->n_label; i++)
    if (!dock_label_matches (labels, f->label[i]))
      return false;
  for (size_t i = 0; i < f->n_not_label; i++)
    if (dock_label_matches (labels, f->not_label[i]))
      return false;
  return f->until == 0 || (created > 0 && created < f->until);
}

static bool
prune_network_matches (jv net, void *data)
{
  return prune_filters_match (data, jv_get_obj (net, "Labels"), dock_parse_rfc3339 (jv_get_str (net, "Created")));
}

/* ------------------------------------------------------------------ df */

/* What df counts, from one reading of the store. */
struct df
{
  jv images;     /* one row per image ID (docker's verbose table fields) */
  jv containers; /* one row per container */
  jv volumes;    /* one row per volume */
  long long n_images, active_images, images_size, images_reclaim;
  long long n_containers, active_containers, containers_size, containers_reclaim;
  long long n_volumes, active_volumes, volumes_size, volumes_reclaim;
};

static void
df_free (struct df *d)
{
  jv_free (d->images);
  jv_free (d->containers);
  jv_free (d->volumes);
}

/* docker's ps Command: Path and Args, quoted, cut to 20 characters */
static char *
command_text (jv rec)
{
  cleanup_free char *s = xstrdup (jv_get_str (rec, "Path") ? jv_get_str (rec, "Path") : "");
  jv args = jv_get_arr (rec, "Args");
  for (size_t i = 0; i < jv_len (args); i++)
    {
      const char *a = jv_as_str (args->u.array.values[i]);
      char *n;
      xasprintf (&n, "%s %s", s, a ? a : "");
      free (s);
      s = n;
    }
  char *q;
  if (strlen (s) > 20)
    xasprintf (&q, "\"%.19s…\"", s);
  else
    xasprintf (&q, "\"%s\"", s);
  return q;
}

static jv
container_row (jv rec, long long size, long long n_volumes)
{
  jv row = jv_obj ();
  jv_set (row, "ID", jv_strn (dock_record_id (rec), 12));
  jv_set (row, "Image", jv_str (jv_get_str (jv_get_obj (rec, "Config"), "Image")));
  cleanup_free char *cmd = command_text (rec);
  jv_set (row, "Command", jv_str (cmd));
  cleanup_free char *nv = NULL;
  xasprintf (&nv, "%lld", n_volumes);
  jv_set (row, "LocalVolumes", jv_str (nv));
  cleanup_free char *sz = dock_human_size (size);
  jv_set (row, "Size", jv_str (sz));
  long long t = dock_parse_rfc3339 (jv_get_str (rec, "Created"));
  long long ago = t > 0 ? (long long)time (NULL) - t : 0;
  cleanup_free char *d = dock_human_duration (ago < 0 ? 0 : ago);
  cleanup_free char *since = NULL;
  xasprintf (&since, "%s ago", d);
  jv_set (row, "RunningFor", jv_str (since));
  cleanup_free char *status = dock_record_status_words (rec);
  jv_set (row, "Status", jv_str (status));
  jv_set (row, "State", jv_str (dock_record_status (rec)));
  jv_set (row, "Names", jv_str (dock_record_name (rec)));
  jv_set (row, "SizeBytes", jv_int (size));
  return row;
}

static void
count_int (jv counts, const char *key, long long add)
{
  long long n = jv_get_int (counts, key, 0);
  jv_set (counts, key, jv_int (n + add));
}

static void
df_containers (struct dock_ctx *ctx, struct df *d, jv *recs, size_t n, jv image_users, jv volume_users)
{
  d->containers = jv_arr ();
  for (size_t i = 0; i < n; i++)
    {
      long long size = container_size (ctx, recs[i]);
      long long nvol = 0;
      jv mounts = jv_get_arr (recs[i], "Mounts");
      for (size_t m = 0; m < jv_len (mounts); m++)
        {
          jv mt = mounts->u.array.values[m];
          const char *type = jv_get_str (mt, "Type"), *name = jv_get_str (mt, "Name");
          if (type && strcmp (type, "volume") == 0 && name)
            {
              nvol++;
              count_int (volume_users, name, 1);
            }
        }
      const char *img = jv_get_str (recs[i], "Image");
      if (img)
        count_int (image_users, img, 1);
      d->n_containers++;
      d->containers_size += size;
      if (container_active (recs[i]))
        d->active_containers++;
      else
        d->containers_reclaim += size;
      jv_push (d->containers, container_row (recs[i], size, nvol));
    }
}

static int
df_images (struct dock_ctx *ctx, struct df *d, jv image_users, lcr_error_t *err)
{
  cleanup_jv jv refs = dock_refs_load (ctx, err);
  if (refs == NULL)
    return -1;
  cleanup_jv jv rows = dock_image_rows (ctx, NULL, err);
  if (rows == NULL)
    return -1;
  jv images = jv_get_obj (refs, "images");
  /* how many images hold each layer, and its size: shared layers count once */
  cleanup_jv jv holders = jv_obj ();
  cleanup_jv jv sizes = jv_obj ();
  cleanup_jv jv used = jv_obj ();
  for (size_t i = 0; i < jv_len (images); i++)
    {
      jv layers = jv_get_arr (images->u.object.values[i], "layers");
      bool active = jv_get_int (image_users, images->u.object.keys[i], 0) > 0;
      for (size_t l = 0; l < jv_len (layers); l++)
        {
          const char *chain = jv_as_str (layers->u.array.values[l]);
          if (chain == NULL)
            continue;
          count_int (holders, chain, 1);
          if (active)
            jv_set (used, chain, jv_bool (true));
          if (jv_get (sizes, chain) == NULL)
            {
              cleanup_jv jv meta = dock_layer_meta (ctx, chain);
              jv_set (sizes, chain, jv_int (jv_get_int (meta, "size", 0)));
            }
        }
      d->n_images++;
      if (active)
        d->active_images++;
    }
  long long used_size = 0;
  for (size_t i = 0; i < jv_len (sizes); i++)
    {
      long long s = jv_get_int (sizes, sizes->u.object.keys[i], 0);
      d->images_size += s;
      if (jv_get (used, sizes->u.object.keys[i]))
        used_size += s;
    }
  /* what `system prune -a` would free once no container holds them: the layers only unused images have */
  d->images_reclaim = d->images_size - used_size;

  /* the verbose table: one row per image (its first tag), as docker's */
  d->images = jv_arr ();
  cleanup_jv jv seen = jv_obj ();
  for (size_t i = 0; i < jv_len (rows); i++)
    {
      jv row = rows->u.array.values[i];
      const char *id = jv_get_str (row, "FullID");
      jv rec = jv_get_obj (images, id);
      if (id == NULL || rec == NULL || jv_get (seen, id))
        continue;
      jv_set (seen, id, jv_bool (true));
      long long shared = 0;
      jv layers = jv_get_arr (rec, "layers");
      for (size_t l = 0; l < jv_len (layers); l++)
        {
          const char *chain = jv_as_str (layers->u.array.values[l]);
          if (chain && jv_get_int (holders, chain, 0) > 1)
            shared += jv_get_int (sizes, chain, 0);
        }
      long long size = jv_get_int (row, "SizeBytes", 0);
      jv r = jv_copy (row);
      cleanup_free char *sh = human4 (shared);
      cleanup_free char *un = human4 (size - shared);
      cleanup_free char *nc = NULL;
      xasprintf (&nc, "%lld", jv_get_int (image_users, id, 0));
      jv_set (r, "SharedSize", jv_str (sh));
      jv_set (r, "UniqueSize", jv_str (un));
      jv_set (r, "Containers", jv_str (nc));
      jv_push (d->images, r);
    }
  return 0;
}

static int
df_volumes (struct dock_ctx *ctx, struct df *d, jv volume_users, lcr_error_t *err)
{
  cleanup_jv jv vols = dock_volume_list (ctx, err);
  if (vols == NULL)
    return -1;
  d->volumes = jv_arr ();
  for (size_t i = 0; i < jv_len (vols); i++)
    {
      jv meta = vols->u.array.values[i];
      const char *name = jv_get_str (meta, "Name");
      if (name == NULL)
        continue;
      cleanup_free char *data = dock_path (ctx, "volumes/%s/_data", name);
      long long size = dock_volume_dir_size (data);
      long long links = jv_get_int (volume_users, name, 0);
      d->n_volumes++;
      d->volumes_size += size;
      if (links > 0)
        d->active_volumes++;
      else
        d->volumes_reclaim += size;
      jv row = jv_obj ();
      jv_set (row, "Name", jv_str (name));
      cleanup_free char *l = NULL;
      xasprintf (&l, "%lld", links);
      jv_set (row, "Links", jv_str (l));
      cleanup_free char *sz = human4 (size);
      jv_set (row, "Size", jv_str (sz));
      jv_set (row, "Driver", jv_str (jv_get_str (meta, "Driver")));
      jv_set (row, "Mountpoint", jv_str (jv_get_str (meta, "Mountpoint")));
      jv_set (row, "Scope", jv_str (jv_get_str (meta, "Scope")));
      jv_push (d->volumes, row);
    }
  return 0;
}

static int
df_collect (struct dock_ctx *ctx, struct df *d, lcr_error_t *err)
{
  memset (d, 0, sizeof *d);
  size_t n;
  jv *recs = dock_records_all (ctx, &n);
  for (size_t i = 0; i < n; i++)
    dock_record_refresh (ctx, recs[i]);
  cleanup_jv jv image_users = jv_obj ();
  cleanup_jv jv volume_users = jv_obj ();
  df_containers (ctx, d, recs, n, image_users, volume_users);
  dock_records_free (recs);
  if (df_images (ctx, d, image_users, err) < 0 || df_volumes (ctx, d, volume_users, err) < 0)
    return -1;
  return 0;
}

static jv
summary_row (const char *type, long long total, long long active, long long size, long long reclaim)
{
  jv row = jv_obj ();
  char buf[32];
  jv_set (row, "Type", jv_str (type));
  snprintf (buf, sizeof buf, "%lld", total);
  jv_set (row, "TotalCount", jv_str (buf));
  snprintf (buf, sizeof buf, "%lld", active);
  jv_set (row, "Active", jv_str (buf));
  cleanup_free char *s = human4 (size);
  jv_set (row, "Size", jv_str (s));
  cleanup_free char *r = reclaimable_text (reclaim, size);
  jv_set (row, "Reclaimable", jv_str (r));
  return row;
}

static const struct dock_column summary_cols[] = {
    {"Type", "TYPE"}, {"TotalCount", "TOTAL"},        {"Active", "ACTIVE"},
    {"Size", "SIZE"}, {"Reclaimable", "RECLAIMABLE"}, {NULL, NULL},
};
static const struct dock_column image_cols[] = {
    {"Repository", "REPOSITORY"},
    {"Tag", "TAG"},
    {"ID", "IMAGE ID"},
    {"CreatedSince", "CREATED"},
    {"Size", "SIZE"},
    {"SharedSize", "SHARED SIZE"},
    {"UniqueSize", "UNIQUE SIZE"},
    {"Containers", "CONTAINERS"},
    {NULL, NULL},
};
static const struct dock_column container_cols[] = {
    {"ID", "CONTAINER ID"}, {"Image", "IMAGE"},        {"Command", "COMMAND"}, {"LocalVolumes", "LOCAL VOLUMES"},
    {"Size", "SIZE"},       {"RunningFor", "CREATED"}, {"Status", "STATUS"},   {"Names", "NAMES"},
    {NULL, NULL},
};
static const struct dock_column volume_cols[] = {
    {"Name", "VOLUME NAME"},
    {"Links", "LINKS"},
    {"Size", "SIZE"},
    {NULL, NULL},
};
static const struct dock_column cache_cols[] = {
    {"ID", "CACHE ID"},
    {"CacheType", "CACHE TYPE"},
    {"Size", "SIZE"},
    {"CreatedSince", "CREATED"},
    {"LastUsedSince", "LAST USED"},
    {"UsageCount", "USAGE"},
    {"Shared", "SHARED"},
    {NULL, NULL},
};

/* docker's `df -v`: one table per kind, each under its title */
static int
df_verbose (struct df *d, lcr_error_t *err)
{
  printf ("Images space usage:\n\n");
  fflush (stdout);
  if (dock_print_rows (d->images,
                       "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t"
                       "{{.UniqueSize}}\t{{.Containers}}",
                       image_cols, err)
      < 0)
    return -1;
  printf ("\nContainers space usage:\n\n");
  fflush (stdout);
  if (dock_print_rows (d->containers,
                       "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t"
                       "{{.Status}}\t{{.Names}}",
                       container_cols, err)
      < 0)
    return -1;
  printf ("\nLocal Volumes space usage:\n\n");
  fflush (stdout);
  if (dock_print_rows (d->volumes, "table {{.Name}}\t{{.Links}}\t{{.Size}}", volume_cols, err) < 0)
    return -1;
  /* no builder keeps a cache yet (build is issue 14): docker's empty section */
  printf ("\nBuild cache usage: 0B\n\n");
  fflush (stdout);
  cleanup_jv jv none = jv_arr ();
  return dock_print_rows (none,
                          "table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t"
                          "{{.UsageCount}}\t{{.Shared}}",
                          cache_cols, err);
}

DOCK_CMD (dock_cmd_system_df)
{
  const char *format = NULL;
  bool verbose = false;
  const struct dock_opt opts[] = {
      {"format", 0, DOCK_OPT_STR, &format, "Format output using a custom template", "string"},
      {"verbose", 'v', DOCK_OPT_BOOL, &verbose, "Show detailed information on space usage", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  static const struct dock_cmd_usage u = {"dock system df [OPTIONS]", "Show docker disk usage", true, 0, 0};
  lcr_error_t err = NULL;
  int first;
  int p = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (p != 0)
    return p > 0 ? 0 : dock_fail (&err);
  struct df d;
  if (df_collect (ctx, &d, &err) < 0)
    {
      df_free (&d);
      return dock_fail (&err);
    }
  int rc = 0;
  if (verbose && format && strncmp (format, "table", 5) != 0)
    {
      /* as docker: a verbose template sees the whole report (.Images .Containers .Volumes
         .BuildCache); "json" prints it as one object */
      cleanup_jv jv all = jv_obj ();
      jv_set (all, "Images", jv_copy (d.images));
      jv_set (all, "Containers", jv_copy (d.containers));
      jv_set (all, "Volumes", jv_copy (d.volumes));
      jv_set (all, "BuildCache", jv_arr ());
      if (strcmp (format, "json") == 0 || strcmp (format, "{{json .}}") == 0)
        {
          cleanup_free char *s = jv_dump (all, false);
          printf ("%s\n", s);
        }
      else
        {
          cleanup_jv jv arr = jv_arr ();
          jv_push (arr, jv_copy (all));
          rc = dock_print_inspect (arr, format, &err);
        }
    }
  else if (verbose)
    rc = df_verbose (&d, &err);
  else
    {
      cleanup_jv jv rows = jv_arr ();
      jv_push (rows, summary_row ("Images", d.n_images, d.active_images, d.images_size, d.images_reclaim));
      jv_push (rows, summary_row ("Containers", d.n_containers, d.active_containers, d.containers_size,
                                  d.containers_reclaim));
      jv_push (rows, summary_row ("Local Volumes", d.n_volumes, d.active_volumes, d.volumes_size, d.volumes_reclaim));
      jv_push (rows, summary_row ("Build Cache", 0, 0, 0, 0));
      rc = dock_print_rows (rows,
                            format && *format ? format
                                              : "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t"
                                                "{{.Reclaimable}}",
                            summary_cols, &err);
    }
  df_free (&d);
  return rc < 0 ? dock_fail (&err) : 0;
}

/* ------------------------------------------------------------------ prune */

/* docker's question: what will go, then the filters, then "Are you sure…"; on stdout */
static bool
prune_confirm (bool all, bool volumes, const struct prune_filters *f)
{
  printf ("WARNING! This will remove:\n  - all stopped containers\n");
  printf ("  - all networks not used by at least one container\n");
  if (volumes)
    printf ("  - all anonymous volumes not used by at least one container\n");
  printf (all ? "  - all images without at least one container associated to them\n" : "  - all dangling images\n");
  printf (all ? "  - all build cache\n" : "  - unused build cache\n");
  if (f->raw.n)
    {
      printf ("\n  Items to be pruned will be filtered with:\n");
      for (size_t i = 0; i < f->raw.n; i++)
        printf ("  - %s\n", f->raw.v[i]);
    }
  printf ("\nAre you sure you want to continue? [y/N] ");
  fflush (stdout);
  char line[64] = "";
  if (fgets (line, sizeof line, stdin) == NULL)
    return false;
  line[strcspn (line, "\r\n")] = '\0';
  return strcasecmp (line, "y") == 0 || strcasecmp (line, "yes") == 0;
}

/* stopped containers (created, exited, dead) that match the filters; their upper dirs' bytes */
static int
prune_containers (struct dock_ctx *ctx, const struct prune_filters *f, long long *reclaimed)
{
  size_t n;
  jv *recs = dock_records_all (ctx, &n);
  bool header = false;
  int rc = 0;
  for (size_t i = 0; i < n; i++)
    {
      dock_record_refresh (ctx, recs[i]);
      const char *st = dock_record_status (recs[i]);
      if (st == NULL || (strcmp (st, "exited") != 0 && strcmp (st, "created") != 0 && strcmp (st, "dead") != 0))
        continue;
      if (!prune_filters_match (f, jv_get_obj (jv_get_obj (recs[i], "Config"), "Labels"),
                                dock_parse_rfc3339 (jv_get_str (recs[i], "Created"))))
        continue;
      long long size = container_size (ctx, recs[i]);
      lcr_error_t err = NULL;
      if (dock_container_remove (ctx, dock_record_id (recs[i]), false, false, &err) < 0)
        {
          fprintf (stderr, "dock: %s\n", err && err->msg ? err->msg : "remove failed");
          lcr_error_release (&err);
          rc = 1;
          continue;
        }
      if (!header)
        printf ("Deleted Containers:\n");
      header = true;
      printf ("%s\n", dock_record_id (recs[i]));
      fflush (stdout);
      *reclaimed += size;
    }
  dock_records_free (recs);
  if (header)
    printf ("\n");
  return rc;
}

/* anonymous volumes no container names (docker 23+: named ones stay) */
static int
prune_volumes (struct dock_ctx *ctx, const struct prune_filters *f, long long *reclaimed, lcr_error_t *err)
{
  if (dock_lock (ctx, err) < 0)
    return -1;
  cleanup_jv jv vols = dock_volume_list (ctx, err);
  if (vols == NULL)
    {
      dock_unlock (ctx);
      return -1;
    }
  bool header = false;
  int rc = 0;
  for (size_t i = 0; i < jv_len (vols); i++)
    {
      jv meta = vols->u.array.values[i];
      const char *name = jv_get_str (meta, "Name");
      jv labels = jv_get_obj (meta, "Labels");
      bool anon = jv_get_bool (meta, "Anonymous", false) || jv_get (labels, "com.docker.volume.anonymous") != NULL;
      if (name == NULL || !anon || dock_volume_in_use (ctx, name, NULL) || !prune_filters_match (f, labels, 0))
        continue;
      long long freed = 0;
      lcr_error_t e = NULL;
      if (dock_volume_remove (ctx, name, &freed, &e) < 0)
        {
          fprintf (stderr, "dock: %s\n", e && e->msg ? e->msg : "remove failed");
          lcr_error_release (&e);
          rc = 1;
          continue;
        }
      if (!header)
        printf ("Deleted Volumes:\n");
      header = true;
      printf ("%s\n", name);
      *reclaimed += freed;
    }
  dock_unlock (ctx);
  if (header)
    printf ("\n");
  return rc;
}

/* the bytes of an image's layers that no other image holds: what deleting it frees */
static long long
image_own_bytes (struct dock_ctx *ctx, jv refs, const char *id)
{
  jv images = jv_get_obj (refs, "images");
  jv layers = jv_get_arr (jv_get_obj (images, id), "layers");
  long long bytes = 0;
  for (size_t l = 0; l < jv_len (layers); l++)
    {
      const char *chain = jv_as_str (layers->u.array.values[l]);
      bool shared = false;
      for (size_t i = 0; chain && !shared && i < jv_len (images); i++)
        {
          if (strcmp (images->u.object.keys[i], id) == 0)
            continue;
          jv other = jv_get_arr (images->u.object.values[i], "layers");
          for (size_t k = 0; !shared && k < jv_len (other); k++)
            shared = jv_as_str (other->u.array.values[k]) && strcmp (jv_as_str (other->u.array.values[k]), chain) == 0;
        }
      if (chain && !shared)
        {
          cleanup_jv jv meta = dock_layer_meta (ctx, chain);
          bytes += jv_get_int (meta, "size", 0);
        }
    }
  return bytes;
}

/* image prune with filters (dock_image_prune takes none): the same choice, per image, then rmi
   of its ID with docker's prune words ("untagged: ", "deleted: ") */
static int
prune_images_filtered (struct dock_ctx *ctx, bool all, const struct prune_filters *f, FILE *out,
                       unsigned long long *reclaimed, lcr_error_t *err)
{
  if (dock_lock (ctx, err) < 0)
    return -1;
  int ret = -1;
  cleanup_jv jv seen = jv_obj ();
  struct dock_image_filter dangling = {.dangling = all ? -1 : 1};
  cleanup_jv jv rows = dock_image_rows (ctx, &dangling, err);
  if (rows == NULL)
    goto out;
  for (size_t i = 0; i < jv_len (rows); i++)
    {
      const char *id = jv_get_str (rows->u.array.values[i], "FullID");
      if (id == NULL || jv_get (seen, id))
        continue;
      jv_set (seen, id, jv_bool (true));
      char running[65], stopped[65];
      dock_containers_using (ctx, id, running, stopped);
      if (running[0] || stopped[0])
        continue;
      cleanup_jv jv info = dock_image_inspect_json (ctx, id, err);
      if (info == NULL)
        goto out;
      if (!prune_filters_match (f, jv_get_obj (jv_get_obj (info, "Config"), "Labels"),
                                dock_parse_rfc3339 (jv_get_str (info, "Created"))))
        continue;
      cleanup_jv jv refs = dock_refs_load (ctx, err);
      if (refs == NULL)
        goto out;
      long long bytes = image_own_bytes (ctx, refs, id);
      char *buf = NULL;
      size_t len = 0;
      FILE *mem = open_memstream (&buf, &len);
      int r = dock_image_remove (ctx, id, true, mem, err);
      fclose (mem);
      for (char *line = buf, *next; line && *line; line = next)
        {
          next = strchr (line, '\n');
          if (next)
            *next++ = '\0';
          if (strncmp (line, "Untagged: ", 10) == 0)
            fprintf (out, "untagged: %s\n", line + 10);
          else if (strncmp (line, "Deleted: ", 9) == 0)
            fprintf (out, "deleted: %s\n", line + 9);
          else
            fprintf (out, "%s\n", line);
        }
      free (buf);
      if (r < 0)
        goto out;
      *reclaimed += (unsigned long long)bytes;
    }
  ret = 0;
out:
  dock_unlock (ctx);
  return ret;
}

static int
prune_images (struct dock_ctx *ctx, bool all, const struct prune_filters *f, long long *reclaimed, lcr_error_t *err)
{
  /* what crashed loads left in ROOT/tmp goes too */
  if (dock_lock (ctx, err) < 0)
    return -1;
  dock_stage_sweep (ctx);
  dock_unlock (ctx);
  char *buf = NULL;
  size_t len = 0;
  FILE *mem = open_memstream (&buf, &len);
  unsigned long long freed = 0;
  int r = f->raw.n ? prune_images_filtered (ctx, all, f, mem, &freed, err)
                   : dock_image_prune (ctx, all, NULL, mem, &freed, err);
  fclose (mem);
  if (len)
    printf ("Deleted Images:\n%s\n", buf);
  free (buf);
  *reclaimed += (long long)freed;
  return r;
}

DOCK_CMD (dock_cmd_system_prune)
{
  bool all = false, force = false, volumes = false;
  struct prune_filters f = {0};
  const struct dock_opt opts[] = {
      {"all", 'a', DOCK_OPT_BOOL, &all, "Remove all unused images not just dangling ones", NULL},
      {"filter", 0, DOCK_OPT_LIST, &f.raw, "Provide filter values (e.g. \"label=<key>=<value>\")", "filter"},
      {"force", 'f', DOCK_OPT_BOOL, &force, "Do not prompt for confirmation", NULL},
      {"volumes", 0, DOCK_OPT_BOOL, &volumes, "Prune anonymous volumes", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  static const struct dock_cmd_usage u = {"dock system prune [OPTIONS]", "Remove unused data", true, 0, 0};
  lcr_error_t err = NULL;
  int first;
  int p = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (p == 0)
    p = prune_filters_parse (&f, &err);
  if (p != 0)
    {
      prune_filters_free (&f);
      return p > 0 ? 0 : dock_fail (&err);
    }
  if (volumes && f.until)
    {
      prune_filters_free (&f);
      return dock_failf ("ERROR: The \"until\" filter is not supported with \"--volumes\"");
    }
  if (!force && !prune_confirm (all, volumes, &f))
    {
      prune_filters_free (&f);
      return 0;
    }
  /* containers first, so the volumes and images they held become unused */
  long long reclaimed = 0;
  int rc = prune_containers (ctx, &f, &reclaimed);
  cleanup_jv jv nets = dock_network_prune (ctx, prune_network_matches, &f);
  if (jv_len (nets))
    printf ("Deleted Networks:\n");
  for (size_t i = 0; i < jv_len (nets); i++)
    printf ("%s\n", jv_as_str (nets->u.array.values[i]));
  int v = volumes ? prune_volumes (ctx, &f, &reclaimed, &err) : 0;
  if (v < 0)
    rc = dock_fail (&err);
  else if (v > 0)
    rc = 1;
  if (prune_images (ctx, all, &f, &reclaimed, &err) < 0)
    rc = dock_fail (&err);
  prune_filters_free (&f);
  cleanup_free char *total = human4 (reclaimed);
  printf ("Total reclaimed space: %s\n", total);
  return rc;
}
