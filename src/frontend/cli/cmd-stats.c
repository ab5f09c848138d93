/* dock — `stats`: containers' resource use, once (--no-stream) or refreshed every second.
 *
 * CPU % needs two samples: docker's daemon gives each sample the previous one as "precpu".
 * dock has no daemon sampling in the background, so --no-stream takes two samples 500 ms apart
 * (docker's first reading, too, is a pair about a second apart); the streaming view computes
 * each refresh against the one before, the first one against a sample 500 ms earlier.
 */
#define _GNU_SOURCE
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "container/record.h"
#include "container/stats.h"
#include "store/store.h"

struct target
{
  char *shown; /* what the user named it by (the .Container field), or the short ID */
  char id[65];
  char *name;
  pid_t pid; /* 0: not running */
  bool have_pre;
  struct dock_stats pre, cur;
};

/* docker's BytesSize: binary units, 4 significant digits ("1.5MiB", "7.637GiB") */
static char *
bytes_size (unsigned long long v)
{
  static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double d = (double)v;
  int u = 0;
  while (d >= 1024.0 && u < 6)
    {
      d /= 1024.0;
      u++;
    }
  char *out;
  xasprintf (&out, "%.4g%s", d, units[u]);
  return out;
}

static char *
pair (char *(*fmt) (long long), unsigned long long a, unsigned long long b)
{
  cleanup_free char *x = fmt ((long long)a), *y = fmt ((long long)b);
  char *out;
  xasprintf (&out, "%s / %s", x, y);
  return out;
}

static char *
bytes_size_ll (long long v)
{
  return bytes_size ((unsigned long long)v);
}

static jv
row_of (const struct target *t, bool no_trunc)
{
  jv r = jv_obj ();
  char buf[64];
  jv_set (r, "Container", jv_str (t->shown));
  jv_set (r, "Name", jv_str (t->name));
  jv_set (r, "ID", no_trunc ? jv_str (t->id) : jv_strn (t->id, 12));
  const struct dock_stats *s = &t->cur;
  snprintf (buf, sizeof buf, "%.2f%%", t->pid && t->have_pre ? dock_stats_cpu_percent (&t->pre, s) : 0.0);
  jv_set (r, "CPUPerc", jv_str (buf));
  cleanup_free char *mem = pair (bytes_size_ll, s->mem_usage, s->mem_limit);
  jv_set (r, "MemUsage", jv_str (mem));
  snprintf (buf, sizeof buf, "%.2f%%", s->mem_limit ? (double)s->mem_usage / (double)s->mem_limit * 100.0 : 0.0);
  jv_set (r, "MemPerc", jv_str (buf));
  cleanup_free char *net = pair (dock_human_size, s->net_rx, s->net_tx);
  cleanup_free char *blk = pair (dock_human_size, s->blk_read, s->blk_write);
  jv_set (r, "NetIO", jv_str (net));
  jv_set (r, "BlockIO", jv_str (blk));
  snprintf (buf, sizeof buf, "%llu", s->pids);
  jv_set (r, "PIDs", jv_str (buf));
  return r;
}

/* the containers to show: the named ones, or every running one (every one with -a) */
static struct target *
collect (struct dock_ctx *ctx, int n_args, char **args, bool all, size_t *n_out, lcr_error_t *err)
{
  size_t n = 0;
  struct target *t = NULL;
  if (n_args > 0)
    {
      t = xmalloc0 ((size_t)n_args * sizeof *t);
      for (int i = 0; i < n_args; i++, n++)
        {
          if (dock_record_find (ctx, args[i], t[n].id, err) < 0)
            {
              *n_out = n;
              return t;
            }
          t[n].shown = xstrdup (args[i]);
        }
    }
  else
    {
      size_t nr;
      jv *recs = dock_records_all (ctx, &nr);
      t = xmalloc0 ((nr + 1) * sizeof *t);
      for (size_t i = 0; i < nr; i++)
        {
          dock_record_refresh (ctx, recs[i]);
          const char *st = dock_record_status (recs[i]);
          if (!all && strcmp (st, "running") != 0 && strcmp (st, "paused") != 0)
            continue;
          snprintf (t[n].id, sizeof t[n].id, "%s", dock_record_id (recs[i]));
          t[n].shown = strndup (t[n].id, 12);
          n++;
        }
      dock_records_free (recs);
    }
  *n_out = n;
  return t;
}

/* pid and name from the record as it is now */
static void
refresh_target (struct dock_ctx *ctx, struct target *t)
{
  lcr_error_t e = NULL;
  cleanup_jv jv rec = dock_record_load (ctx, t->id, &e);
  lcr_error_release (&e);
  free (t->name);
  t->name = xstrdup (rec ? dock_record_name (rec) : "--");
  t->pid = 0;
  if (rec == NULL)
    return;
  dock_record_refresh (ctx, rec);
  const char *st = dock_record_status (rec);
  if (strcmp (st, "running") == 0 || strcmp (st, "paused") == 0)
    t->pid = (pid_t)jv_get_int (jv_get_obj (rec, "State"), "Pid", 0);
}

static void
sample (struct target *t)
{
  if (t->pid <= 0)
    {
      memset (&t->cur, 0, sizeof t->cur);
      t->have_pre = false;
      return;
    }
  lcr_error_t e = NULL;
  struct dock_stats s;
  if (dock_stats_read (t->pid, &s, &e) < 0)
    {
      lcr_error_release (&e);
      memset (&t->cur, 0, sizeof t->cur);
      t->have_pre = false;
      return;
    }
  t->pre = t->cur;
  t->have_pre = t->cur.system_ns != 0;
  t->cur = s;
}

static void
targets_free (struct target *t, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (t[i].shown);
      free (t[i].name);
    }
  free (t);
}

static int
print_rows (struct target *t, size_t n, const char *format, bool no_trunc, lcr_error_t *err)
{
  static const struct dock_column cols[] = {
      {"Container", "CONTAINER"},
      {"ID", "CONTAINER ID"},
      {"Name", "NAME"},
      {"CPUPerc", "CPU %"},
      {"MemUsage", "MEM USAGE / LIMIT"},
      {"MemPerc", "MEM %"},
      {"NetIO", "NET I/O"},
      {"BlockIO", "BLOCK I/O"},
      {"PIDs", "PIDS"},
      {NULL, NULL},
  };
  const char *dflt
      = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";
  cleanup_jv jv rows = jv_arr ();
  for (size_t i = 0; i < n; i++)
    jv_push (rows, row_of (&t[i], no_trunc));
  return dock_print_rows (rows, format && *format ? format : dflt, cols, err);
}

DOCK_CMD (dock_cmd_stats)
{
  bool all = false, no_stream = false, no_trunc = false;
  const char *format = NULL;
  const struct dock_opt opts[] = {
      {"all", 'a', DOCK_OPT_BOOL, &all, "Show all containers (default shows just running)", NULL},
      {"format", 0, DOCK_OPT_STR, &format, "Format output using a custom template", "string"},
      {"no-stream", 0, DOCK_OPT_BOOL, &no_stream, "Disable streaming stats and only pull the first result", NULL},
      {"no-trunc", 0, DOCK_OPT_BOOL, &no_trunc, "Do not truncate output", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  static const struct dock_cmd_usage u
      = {"dock stats [OPTIONS] [CONTAINER...]", "Display a live stream of container(s) resource usage statistics", true,
         0, -1};
  lcr_error_t err = NULL;
  int first;
  int p = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (p != 0)
    return p > 0 ? 0 : dock_fail (&err);
  int n_args = argc - first;
  size_t n;
  struct target *t = collect (ctx, n_args, argv + first, all, &n, &err);
  if (err)
    {
      targets_free (t, n);
      return dock_fail (&err);
    }
  const struct timespec half = {0, 500000000};
  for (size_t i = 0; i < n; i++)
    {
      refresh_target (ctx, &t[i]);
      sample (&t[i]);
    }
  nanosleep (&half, NULL);
  int rc = 0;
  for (;;)
    {
      for (size_t i = 0; i < n; i++)
        {
          refresh_target (ctx, &t[i]);
          sample (&t[i]);
        }
      if (!no_stream)
        fputs ("\033[2J\033[H", stdout);
      if (print_rows (t, n, format, no_trunc, &err) < 0)
        {
          rc = dock_fail (&err);
          break;
        }
      fflush (stdout);
      if (no_stream)
        break;
      sleep (1);
      if (n_args == 0)
        {
          /* containers come and go: list them again, keeping the samples of those that stay */
          size_t m;
          struct target *nt = collect (ctx, 0, NULL, all, &m, &err);
          lcr_error_release (&err);
          for (size_t i = 0; i < m; i++)
            for (size_t k = 0; k < n; k++)
              if (strcmp (nt[i].id, t[k].id) == 0)
                {
                  nt[i].cur = t[k].cur;
                  nt[i].have_pre = t[k].have_pre;
                }
          targets_free (t, n);
          t = nt;
          n = m;
        }
    }
  targets_free (t, n);
  return rc;
}
