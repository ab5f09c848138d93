/* dock — container records (see record.h). */
#define _GNU_SOURCE
#include "record.h"

#include <fcntl.h>
#include <string.h>
#include <time.h>

#include "store/store.h"

jv
dock_record_load (struct dock_ctx *ctx, const char *id, lcr_error_t *err)
{
  cleanup_free char *p = dock_path (ctx, "containers/%s/meta.json", id);
  return jv_load (p, err);
}

int
dock_record_save (struct dock_ctx *ctx, jv rec, lcr_error_t *err)
{
  cleanup_free char *p = dock_path (ctx, "containers/%s/meta.json", dock_record_id (rec));
  return jv_save_at (AT_FDCWD, p, rec, err);
}

const char *
dock_record_id (jv rec)
{
  return jv_get_str (rec, "Id");
}

const char *
dock_record_name (jv rec)
{
  const char *n = jv_get_str (rec, "Name");
  return n ? (n[0] == '/' ? n + 1 : n) : "";
}

const char *
dock_record_status (jv rec)
{
  const char *s = jv_as_str (jv_path (rec, "State", "Status", NULL));
  return s ? s : "dead";
}

jv *
dock_records_all (struct dock_ctx *ctx, size_t *n_out)
{
  cleanup_free char *dir = dock_path (ctx, "containers");
  cleanup_strv char **ids = dock_list_dir (dir);
  size_t n = 0;
  for (size_t i = 0; ids[i]; i++)
    n++;
  jv *v = xmalloc0 ((n + 1) * sizeof (jv));
  size_t k = 0;
  for (size_t i = 0; ids[i]; i++)
    {
      cleanup_error lcr_error_t err = NULL;
      jv r = dock_record_load (ctx, ids[i], &err);
      /* a directory without a record is a create in progress (or one that died: `rm` clears it) */
      if (r)
        v[k++] = r;
    }
  v[k] = NULL;
  if (n_out)
    *n_out = k;
  return v;
}

void
dock_records_free (jv *v)
{
  for (size_t i = 0; v && v[i]; i++)
    jv_free (v[i]);
  free (v);
}

bool
dock_record_name_taken (struct dock_ctx *ctx, const char *name)
{
  if (name[0] == '/')
    name++;
  jv *all = dock_records_all (ctx, NULL);
  bool taken = false;
  for (size_t i = 0; all[i] && !taken; i++)
    taken = strcmp (dock_record_name (all[i]), name) == 0;
  dock_records_free (all);
  return taken;
}

int
dock_record_find (struct dock_ctx *ctx, const char *ref, char id_out[65], lcr_error_t *err)
{
  if (ref == NULL || *ref == '\0')
    return lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "No such container: %s", ref ? ref : "");
  /* a full ID: one stat */
  if (dock_is_hex_id (ref, 64))
    {
      cleanup_free char *p = dock_path (ctx, "containers/%s/meta.json", ref);
      if (access (p, F_OK) == 0)
        {
          memcpy (id_out, ref, 65);
          return 0;
        }
    }
  const char *name = ref[0] == '/' ? ref + 1 : ref;
  jv *all = dock_records_all (ctx, NULL);
  const char *by_name = NULL, *by_prefix = NULL;
  int prefix_hits = 0;
  size_t rlen = strlen (ref);
  for (size_t i = 0; all[i]; i++)
    {
      const char *id = dock_record_id (all[i]);
      if (id == NULL)
        continue;
      if (strcmp (dock_record_name (all[i]), name) == 0)
        by_name = id;
      if (strncmp (id, ref, rlen) == 0)
        {
          by_prefix = id;
          prefix_hits++;
        }
    }
  int rc = 0;
  /* docker: an exact name wins over an ID prefix */
  if (by_name)
    memcpy (id_out, by_name, 65);
  else if (prefix_hits == 1)
    memcpy (id_out, by_prefix, 65);
  else if (prefix_hits > 1)
    rc = lcr_error_make (err, 0, LCR_ERR_INVALID, "multiple containers found with provided prefix: %s", ref);
  else
    rc = lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "No such container: %s", ref);
  dock_records_free (all);
  return rc;
}

/* the exit status the shim wrote to RUNROOT/exits/<id>, or -1 when there is none yet */
static int
read_exit_file (struct dock_ctx *ctx, const char *id)
{
  cleanup_free char *p = dock_runpath (ctx, "exits/%s", id);
  cleanup_free char *buf = NULL;
  size_t len;
  cleanup_error lcr_error_t err = NULL;
  if (lcr_read_file (p, &buf, &len, &err) < 0)
    return -1;
  long long v;
  while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
    buf[--len] = '\0';
  if (lcr_parse_long (buf, &v) < 0)
    return -1;
  return (int)v;
}

/* State.Health from the shim's <persist-dir>/health.json (berth-shim runs the checks) */
static void
refresh_health (struct dock_ctx *ctx, jv rec, jv st)
{
  jv test = jv_get_arr (jv_get_obj (jv_get_obj (rec, "Config"), "Healthcheck"), "Test");
  if (jv_len (test) == 0
      || (jv_as_str (test->u.array.values[0]) && strcmp (jv_as_str (test->u.array.values[0]), "NONE") == 0))
    return;
  cleanup_free char *p = dock_runpath (ctx, "shim/%s/health.json", dock_record_id (rec));
  cleanup_error lcr_error_t e = NULL;
  jv h = jv_load (p, &e);
  if (h == NULL)
    {
      if (jv_get_obj (st, "Health") == NULL)
        {
          h = jv_obj ();
          jv_set (h, "Status", jv_str ("starting"));
          jv_set (h, "FailingStreak", jv_int (0));
          jv_set (h, "Log", jv_arr ());
        }
      else
        return;
    }
  jv_set (st, "Health", h);
}

bool
dock_record_refresh (struct dock_ctx *ctx, jv rec)
{
  jv st = jv_get_obj (rec, "State");
  if (st == NULL)
    return false;
  const char *status = jv_get_str (st, "Status");
  if (status == NULL || (strcmp (status, "running") != 0 && strcmp (status, "paused") != 0))
    return false;
  refresh_health (ctx, rec, st);
  long long pid = jv_get_int (st, "Pid", 0);
  unsigned long long start = (unsigned long long)jv_get_int (jv_get_obj (rec, "Dock"), "PidStart", 0);
  int code = read_exit_file (ctx, dock_record_id (rec));
  if (code < 0 && pid > 0 && lcr_proc_alive ((pid_t)pid, start))
    return false;
  /* dead, and the exit command has not recorded it yet */
  cleanup_free char *now = dock_now_rfc3339 ();
  jv_set (st, "Status", jv_str ("exited"));
  jv_set (st, "Running", jv_bool (false));
  jv_set (st, "Paused", jv_bool (false));
  jv_set (st, "Pid", jv_int (0));
  jv_set (st, "ExitCode", jv_int (code < 0 ? 255 : code));
  jv_set (st, "FinishedAt", jv_str (now));
  return true;
}

char *
dock_human_duration (long long s)
{
  char *out;
  long long m = s / 60, h = s / 3600, d = h / 24;
  if (s < 1)
    return xstrdup ("Less than a second");
  if (s == 1)
    return xstrdup ("1 second");
  if (s < 60)
    return xasprintf (&out, "%lld seconds", s), out;
  if (m == 1)
    return xstrdup ("About a minute");
  if (m < 60)
    return xasprintf (&out, "%lld minutes", m), out;
  if (h == 1)
    return xstrdup ("About an hour");
  if (h < 48)
    return xasprintf (&out, "%lld hours", h), out;
  if (h < 24 * 7 * 2)
    return xasprintf (&out, "%lld days", d), out;
  if (h < 24 * 30 * 2)
    return xasprintf (&out, "%lld weeks", d / 7), out;
  if (h < 24 * 365 * 2)
    return xasprintf (&out, "%lld months", d / 30), out;
  return xasprintf (&out, "%lld years", d / 365), out;
}

static long long
since (const char *rfc3339)
{
  long long t = dock_parse_rfc3339 (rfc3339);
  if (t < 0)
    return 0;
  long long d = (long long)time (NULL) - t;
  return d < 0 ? 0 : d;
}

char *
dock_record_status_words (jv rec)
{
  jv st = jv_get_obj (rec, "State");
  const char *status = dock_record_status (rec);
  char *out;
  if (strcmp (status, "created") == 0)
    return xstrdup ("Created");
  if (strcmp (status, "removing") == 0)
    return xstrdup ("Removal In Progress");
  if (strcmp (status, "dead") == 0)
    return xstrdup ("Dead");
  if (strcmp (status, "running") == 0 || strcmp (status, "paused") == 0)
    {
      cleanup_free char *d = dock_human_duration (since (jv_get_str (st, "StartedAt")));
      const char *health = jv_as_str (jv_path (st, "Health", "Status", NULL));
      cleanup_free char *h = NULL;
      if (health && strcmp (health, "starting") == 0)
        h = xstrdup (" (health: starting)");
      else if (health && *health)
        xasprintf (&h, " (%s)", health);
      xasprintf (&out, "Up %s%s%s", d, strcmp (status, "paused") == 0 ? " (Paused)" : "", h ? h : "");
      return out;
    }
  cleanup_free char *d = dock_human_duration (since (jv_get_str (st, "FinishedAt")));
  xasprintf (&out, "%s (%lld) %s ago", strcmp (status, "restarting") == 0 ? "Restarting" : "Exited",
             jv_get_int (st, "ExitCode", 0), d);
  return out;
}

jv
dock_record_get (struct dock_ctx *ctx, const char *ref, char id_out[65], lcr_error_t *err)
{
  if (dock_record_find (ctx, ref, id_out, err) < 0)
    return NULL;
  jv rec = dock_record_load (ctx, id_out, err);
  if (rec)
    dock_record_refresh (ctx, rec);
  return rec;
}
