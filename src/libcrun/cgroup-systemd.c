/* berth — the systemd cgroup driver (--systemd-cgroup).
 *
 * systemd owns the placement: the container's init goes into a transient
 * scope, started over sd-bus with Delegate=yes, so systemd leaves what is
 * below and inside the scope's cgroup to us.  Everything else (resources,
 * pids, kill, freeze, stats, OOM, the mount) is the cgroupfs backend of the
 * host's hierarchy (v2, or v1 on a legacy systemd host) on the scope's path.
 *
 *   cgroupsPath              unit                 cgroupfs path
 *   (absent)                 berth-<id>.scope     /system.slice/berth-<id>.scope
 *   "system.slice:berth:c1"  berth-c1.scope       /system.slice/berth-c1.scope
 *   "a-b.slice:p:c1"         p-c1.scope           /a.slice/a-b.slice/p-c1.scope
 *   "-.slice:p:c1"           p-c1.scope           /p-c1.scope
 *   ":p:c1"                  p-c1.scope           /system.slice/p-c1.scope
 *   "a.slice::c1"            c1.scope             /a.slice/c1.scope
 *   "x:p:a-b.slice"          a-b.slice (a slice)  /a.slice/a-b.slice
 *
 * Create order (container.c): create → apply → spawn → enter.
 *   create  refuses early when systemd is not PID 1; opens the bus
 *   apply   the scope does not exist yet: remember the resources
 *   enter   StartTransientUnit with PIDs=[pid], wait for its job (JobRemoved),
 *           read the unit's ControlGroup, join the pid through cgroupfs too
 *           (v1 hierarchies, and a slice unit, which holds no PIDs), then
 *           write the remembered resources
 *   destroy StopUnit + ResetFailedUnit (a missing unit is fine), then rmdir
 * Only these verbs talk to the bus: no D-Bus without --systemd-cgroup, and a
 * loaded container (kill, ps, pause, events) opens the bus only to update or
 * delete.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "sd-bus-dl.h"
#include "utils.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
/* bound for a method call and for a job to finish */
#define SD_TIMEOUT_USEC (10ULL * 1000 * 1000)

struct sd_priv
{
  const struct lcr_cgroup_ops *fs; /* the cgroupfs backend on cg->path */
  char *id, *slice, *unit;
  bool started;                       /* the unit exists (started by us, or loaded) */
  struct lcr_spec_resources *pending; /* apply before enter */
  sd_bus *bus;
};

static struct sd_priv *
priv (struct lcr_cgroup *cg)
{
  return cg->systemd_priv;
}

/* ------------------------------------------------------------------ names */

static bool
ends_with (const char *s, const char *suffix)
{
  size_t a = strlen (s), b = strlen (suffix);
  return a >= b && strcmp (s + a - b, suffix) == 0;
}

int
lcr_cgroup_systemd_expand_slice (const char *slice, char **out, lcr_error_t *err)
{
  /* systemd's slice naming: "a-b-c.slice" is a child of "a-b.slice", itself
     a child of "a.slice"; "-.slice" is the root */
  if (strcmp (slice, "-.slice") == 0 || strcmp (slice, "-") == 0)
    {
      *out = xstrdup ("");
      return 0;
    }
  if (!ends_with (slice, ".slice") || strchr (slice, '/') != NULL)
    return lcr_error_invalid (err, "`%s` is not a systemd slice name like \"system.slice\" or \"a-b.slice\"", slice);
  size_t base = strlen (slice) - strlen (".slice");
  if (base == 0 || slice[0] == '-' || slice[base - 1] == '-' || strstr (slice, "--") != NULL)
    return lcr_error_invalid (err, "`%s` is not a systemd slice name (empty component between dashes)", slice);
  char *path = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&path, &len);
  if (f == NULL)
    return lcr_error_sys (err, "expand slice `%s`", slice);
  for (size_t i = 0; i <= base; i++)
    if (i == base || slice[i] == '-')
      fprintf (f, "/%.*s.slice", (int)i, slice);
  fclose (f);
  *out = path;
  return 0;
}

int
lcr_cgroup_systemd_names (const char *id, const char *cgroups_path, char **slice_out, char **unit_out, char **path_out,
                          lcr_error_t *err)
{
  cleanup_free char *copy = NULL, *expanded = NULL;
  const char *slice = "", *prefix = "berth", *name = id;
  if (cgroups_path && cgroups_path[0])
    {
      copy = xstrdup (cgroups_path);
      char *c1 = strchr (copy, ':');
      char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
      if (c2 == NULL || strchr (c2 + 1, ':') != NULL)
        return lcr_error_invalid (err,
                                  ".linux.cgroupsPath: `%s`: with --systemd-cgroup it must be \"slice:prefix:name\" "
                                  "(e.g. \"system.slice:berth:%s\")",
                                  cgroups_path, id);
      *c1 = *c2 = '\0';
      slice = copy, prefix = c1 + 1, name = c2 + 1;
    }
  if (name[0] == '\0' || strchr (name, '/') || strchr (prefix, '/') || strcmp (name, ".") == 0
      || strcmp (name, "..") == 0)
    return lcr_error_invalid (err, ".linux.cgroupsPath: `%s`: the name part must be a non-empty unit name",
                              cgroups_path ? cgroups_path : "");
  if (slice[0] == '\0')
    slice = "system.slice";
  if (lcr_cgroup_systemd_expand_slice (slice, &expanded, err) < 0)
    return lcr_error_wrap (err, ".linux.cgroupsPath: `%s`", cgroups_path ? cgroups_path : "");
  char *unit, *path;
  if (ends_with (name, ".slice"))
    {
      /* the container is a slice of its own: its name says where it lives */
      cleanup_free char *own = NULL;
      if (lcr_cgroup_systemd_expand_slice (name, &own, err) < 0)
        return lcr_error_wrap (err, ".linux.cgroupsPath: `%s`", cgroups_path);
      unit = xstrdup (name);
      path = xstrdup (own[0] ? own : "/");
    }
  else
    {
      if (prefix[0])
        xasprintf (&unit, "%s-%s.scope", prefix, name);
      else
        xasprintf (&unit, "%s.scope", name);
      xasprintf (&path, "%s/%s", expanded, unit);
    }
  *slice_out = xstrdup (strcmp (slice, "-") == 0 ? "-.slice" : slice);
  *unit_out = unit;
  *path_out = path;
  return 0;
}

/* ------------------------------------------------------------------ bus */

static int
check_systemd (lcr_error_t *err)
{
  if (sd_booted () > 0)
    return 0;
  char comm[64] = "unknown";
  cleanup_close int fd = open ("/proc/1/comm", O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? read (fd, comm, sizeof comm - 1) : -1;
  if (n > 0)
    comm[strcspn (comm, "\n")] = comm[n] = '\0';
  return lcr_error_make (err, 0, LCR_ERR_SYSTEM, "--systemd-cgroup: systemd is not running (PID 1 is `%s`)", comm);
}

static int
open_bus (struct sd_priv *p, lcr_error_t *err)
{
  if (p->bus)
    return 0;
  if (check_systemd (err) < 0)
    return -1;
  const char *why = sd_bus_dl_error ();
  if (why)
    return lcr_error_make (err, 0, LCR_ERR_SYSTEM, "--systemd-cgroup needs libsystemd: %s", why);
  int r = sd_bus_open_system (&p->bus);
  if (r < 0)
    {
      p->bus = NULL;
      return lcr_error_make (err, -r, LCR_ERR_SYSTEM, "systemd: connect to the system bus");
    }
  return 0;
}

static void
close_bus (struct sd_priv *p)
{
  if (p->bus)
    sd_bus_flush_close_unref (p->bus);
  p->bus = NULL;
}

/* "systemd: <what> <unit>: <bus error message>" */
static int
bus_fail (lcr_error_t *err, int r, const sd_bus_error *e, const char *what, const char *unit)
{
  if (e && sd_bus_error_is_set (e) && e->message)
    return lcr_error_make (err, 0, LCR_ERR_SYSTEM, "systemd: %s %s: %s", what, unit, e->message);
  return lcr_error_make (err, r < 0 ? -r : EIO, LCR_ERR_SYSTEM, "systemd: %s %s", what, unit);
}

struct job_wait
{
  const char *job; /* set once the method returned it */
  char *result;
};

static int
on_job_removed (sd_bus_message *m, void *data, sd_bus_error *e)
{
  struct job_wait *w = data;
  uint32_t id;
  const char *path, *unit, *result;
  (void)e;
  if (sd_bus_message_read (m, "uoss", &id, &path, &unit, &result) < 0)
    return 0;
  if (w->job && w->result == NULL && strcmp (path, w->job) == 0)
    w->result = xstrdup (result);
  return 0;
}

static uint64_t
now_usec (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Run the Manager method in m (already filled), which returns a job, and
   wait for the job to finish: its JobRemoved signal, bounded.  *queued says
   whether systemd took the request (then the unit is ours to stop). */
static int
call_job (sd_bus *bus, sd_bus_message *m, const char *what, const char *unit, bool *queued, sd_bus_error *e,
          lcr_error_t *err)
{
  struct job_wait w = {0};
  sd_bus_slot *slot = NULL;
  sd_bus_message *reply = NULL;
  /* subscribe before the call: the job may finish before the reply is read */
  int r = sd_bus_match_signal (bus, &slot, SD_DEST, SD_PATH, SD_MANAGER, "JobRemoved", on_job_removed, &w);
  if (r < 0)
    return lcr_error_make (err, -r, LCR_ERR_SYSTEM, "systemd: %s %s: watch for JobRemoved", what, unit);
  r = sd_bus_call (bus, m, SD_TIMEOUT_USEC, e, &reply);
  if (r < 0)
    {
      sd_bus_slot_unref (slot);
      return r; /* the caller names the bus error in e (it may retry) */
    }
  const char *job;
  r = sd_bus_message_read (reply, "o", &job);
  if (r < 0)
    {
      sd_bus_message_unref (reply);
      sd_bus_slot_unref (slot);
      return lcr_error_make (err, -r, LCR_ERR_SYSTEM, "systemd: %s %s: read the job", what, unit);
    }
  w.job = job;
  if (queued)
    *queued = true;
  uint64_t deadline = now_usec () + SD_TIMEOUT_USEC;
  int ret = 0;
  while (w.result == NULL)
    {
      r = sd_bus_process (bus, NULL);
      if (r < 0)
        {
          ret = lcr_error_make (err, -r, LCR_ERR_SYSTEM, "systemd: %s %s: wait for job %s", what, unit, job);
          break;
        }
      if (r > 0)
        continue;
      uint64_t now = now_usec ();
      if (now >= deadline)
        {
          ret = lcr_error_make (err, ETIMEDOUT, LCR_ERR_SYSTEM, "systemd: %s %s: job %s did not finish", what, unit,
                                job);
          break;
        }
      r = sd_bus_wait (bus, deadline - now);
      if (r < 0)
        {
          ret = lcr_error_make (err, -r, LCR_ERR_SYSTEM, "systemd: %s %s: wait for job %s", what, unit, job);
          break;
        }
    }
  if (ret == 0 && strcmp (w.result, "done") != 0)
    ret = lcr_error_make (err, 0, LCR_ERR_SYSTEM, "systemd: %s %s: job %s (see `journalctl -u %s`)", what, unit,
                          w.result, unit);
  free (w.result);
  sd_bus_message_unref (reply);
  sd_bus_slot_unref (slot);
  return ret;
}

static void
unit_call_simple (sd_bus *bus, const char *method, const char *unit)
{
  sd_bus_error e = SD_BUS_ERROR_NULL;
  sd_bus_message *reply = NULL;
  sd_bus_call_method (bus, SD_DEST, SD_PATH, SD_MANAGER, method, &e, &reply, "s", unit);
  sd_bus_message_unref (reply);
  sd_bus_error_free (&e);
}

/* ------------------------------------------------------------------ properties */

#define PROP(m, name, sig, ...) sd_bus_message_append ((m), "(sv)", (name), (sig), __VA_ARGS__)

/* The resources systemd also knows, so that a daemon-reload re-applies our
   values rather than its defaults (runc does the same).  cgroup v2 only: the
   cgroupfs writes that follow are what the kernel gets first. */
static int
resource_props (sd_bus_message *m, struct lcr_cgroup *cg, const struct lcr_spec_resources *res)
{
  int r = 0;
  if (res == NULL || cg->kind != LCR_CGROUP_V2)
    return 0;
  const struct lcr_spec_memory *mem = res->memory;
  if (mem && mem->has_limit && mem->limit != 0)
    r = r < 0 ? r : PROP (m, "MemoryMax", "t", mem->limit < 0 ? UINT64_MAX : (uint64_t)mem->limit);
  if (mem && mem->has_reservation && mem->reservation > 0)
    r = r < 0 ? r : PROP (m, "MemoryLow", "t", (uint64_t)mem->reservation);
  if (res->pids && res->pids->limit != 0)
    r = r < 0 ? r : PROP (m, "TasksMax", "t", res->pids->limit < 0 ? UINT64_MAX : (uint64_t)res->pids->limit);
  const struct lcr_spec_cpu *c = res->cpu;
  if (c && c->has_shares && c->shares != 0)
    r = r < 0 ? r : PROP (m, "CPUWeight", "t", lcr_cgroup_shares_to_weight (c->shares));
  if (c && c->has_period && c->period != 0)
    r = r < 0 ? r : PROP (m, "CPUQuotaPeriodUSec", "t", c->period);
  if (c && c->has_quota && c->quota != 0)
    {
      uint64_t per_sec = UINT64_MAX;
      if (c->quota > 0)
        {
          uint64_t period = c->has_period && c->period ? c->period : 100000;
          /* systemd keeps this in 10 ms steps: round up, never below ours */
          per_sec = (uint64_t)c->quota * 1000000 / period;
          per_sec = (per_sec + 9999) / 10000 * 10000;
        }
      r = r < 0 ? r : PROP (m, "CPUQuotaPerSecUSec", "t", per_sec);
    }
  return r;
}

static int
start_unit (struct lcr_cgroup *cg, pid_t pid, lcr_error_t *err)
{
  struct sd_priv *p = priv (cg);
  bool scope = ends_with (p->unit, ".scope");
  for (int attempt = 0;; attempt++)
    {
      sd_bus_error e = SD_BUS_ERROR_NULL;
      sd_bus_message *m = NULL;
      cleanup_free char *desc = NULL;
      xasprintf (&desc, "berth container %s", p->id);
      int r = sd_bus_message_new_method_call (p->bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "StartTransientUnit");
      if (r >= 0)
        r = sd_bus_message_append (m, "ss", p->unit, "replace");
      if (r >= 0)
        r = sd_bus_message_open_container (m, 'a', "(sv)");
      if (r >= 0)
        r = PROP (m, "Description", "s", desc);
      if (r >= 0 && scope)
        {
          r = PROP (m, "Slice", "s", p->slice);
          if (r >= 0)
            r = PROP (m, "Delegate", "b", 1);
          if (r >= 0)
            r = PROP (m, "PIDs", "au", 1, (uint32_t)pid);
        }
      else if (r >= 0)
        r = PROP (m, "Wants", "as", 1, p->slice);
      if (r >= 0)
        r = PROP (m, "DefaultDependencies", "b", 0);
      /* a failed (e.g. OOM-killed) unit must not block the name's reuse */
      if (r >= 0)
        r = PROP (m, "CollectMode", "s", "inactive-or-failed");
      if (r >= 0)
        r = PROP (m, "MemoryAccounting", "b", 1);
      if (r >= 0)
        r = PROP (m, "CPUAccounting", "b", 1);
      if (r >= 0)
        r = PROP (m, "TasksAccounting", "b", 1);
      if (r >= 0 && cg->kind == LCR_CGROUP_V2)
        r = PROP (m, "IOAccounting", "b", 1);
      if (r >= 0)
        r = resource_props (m, cg, p->pending);
      if (r >= 0)
        r = sd_bus_message_close_container (m);
      if (r >= 0)
        r = sd_bus_message_append (m, "a(sa(sv))", 0);
      if (r < 0)
        {
          sd_bus_message_unref (m);
          return lcr_error_make (err, -r, LCR_ERR_SYSTEM, "systemd: StartTransientUnit %s: build the message", p->unit);
        }
      lcr_error_t tmp = NULL;
      r = call_job (p->bus, m, "StartTransientUnit", p->unit, &p->started, &e, &tmp);
      sd_bus_message_unref (m);
      if (r == 0)
        return 0;
      if (tmp == NULL && attempt == 0 && sd_bus_error_has_name (&e, "org.freedesktop.systemd1.UnitExists"))
        {
          /* a failed unit of an earlier container with this name */
          sd_bus_error_free (&e);
          unit_call_simple (p->bus, "ResetFailedUnit", p->unit);
          continue;
        }
      if (tmp)
        {
          sd_bus_error_free (&e);
          if (err)
            *err = tmp;
          else
            lcr_error_release (&tmp);
          return -1;
        }
      r = bus_fail (err, r, &e, "StartTransientUnit", p->unit);
      sd_bus_error_free (&e);
      return r;
    }
}

/* systemd's own idea of the unit's cgroup (it may run below the root) */
static void
read_control_group (struct lcr_cgroup *cg)
{
  struct sd_priv *p = priv (cg);
  sd_bus_error e = SD_BUS_ERROR_NULL;
  char *object = NULL, *cgpath = NULL;
  sd_bus_message *reply = NULL;
  if (sd_bus_call_method (p->bus, SD_DEST, SD_PATH, SD_MANAGER, "GetUnit", &e, &reply, "s", p->unit) >= 0)
    {
      const char *o;
      if (sd_bus_message_read (reply, "o", &o) >= 0)
        object = xstrdup (o);
    }
  sd_bus_message_unref (reply);
  sd_bus_error_free (&e);
  const char *iface
      = ends_with (p->unit, ".scope") ? "org.freedesktop.systemd1.Scope" : "org.freedesktop.systemd1.Slice";
  if (object && sd_bus_get_property_string (p->bus, SD_DEST, object, iface, "ControlGroup", &e, &cgpath) >= 0
      && cgpath[0] == '/' && strstr (cgpath, "..") == NULL)
    {
      free (cg->path);
      cg->path = cgpath;
      cgpath = NULL;
    }
  sd_bus_error_free (&e);
  free (cgpath);
  free (object);
}

/* ------------------------------------------------------------------ ops */

static int
sd_create (struct lcr_cgroup *cg, lcr_error_t *err)
{
  /* fail before anything is spawned; systemd makes the directory */
  return open_bus (priv (cg), err);
}

static int
sd_enter (struct lcr_cgroup *cg, pid_t pid, lcr_error_t *err)
{
  struct sd_priv *p = priv (cg);
  if (p->started)
    return p->fs->enter (cg, pid, err); /* exec: the scope is there */
  /* start_unit sets p->started once systemd has the unit: a failure after
     that (the job failed or timed out) still stops it in destroy */
  if (open_bus (p, err) < 0 || start_unit (cg, pid, err) < 0)
    return -1;
  read_control_group (cg);
  close_bus (p);
  /* a slice holds no PIDs, and on v1 systemd places the pid only in the
     hierarchies it manages: join the rest through cgroupfs */
  if (p->fs->create (cg, err) < 0 || p->fs->enter (cg, pid, err) < 0)
    return -1;
  struct lcr_spec_resources *res = steal_pointer (&p->pending);
  if (res && p->fs->apply (cg, res, false, err) < 0)
    return lcr_error_wrap (err, "config.json");
  return 0;
}

static int
set_unit_properties (struct lcr_cgroup *cg, const struct lcr_spec_resources *res, lcr_error_t *err)
{
  struct sd_priv *p = priv (cg);
  sd_bus_error e = SD_BUS_ERROR_NULL;
  sd_bus_message *m = NULL, *reply = NULL;
  if (open_bus (p, err) < 0)
    return -1;
  int r = sd_bus_message_new_method_call (p->bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "SetUnitProperties");
  if (r >= 0)
    r = sd_bus_message_append (m, "sb", p->unit, 1);
  if (r >= 0)
    r = sd_bus_message_open_container (m, 'a', "(sv)");
  if (r >= 0)
    r = resource_props (m, cg, res);
  if (r >= 0)
    r = sd_bus_message_close_container (m);
  if (r >= 0)
    r = sd_bus_call (p->bus, m, SD_TIMEOUT_USEC, &e, &reply);
  sd_bus_message_unref (m);
  sd_bus_message_unref (reply);
  if (r < 0)
    r = bus_fail (err, r, &e, "SetUnitProperties", p->unit);
  sd_bus_error_free (&e);
  close_bus (p);
  return r;
}

static int
sd_apply (struct lcr_cgroup *cg, struct lcr_spec_resources *res, bool update, lcr_error_t *err)
{
  struct sd_priv *p = priv (cg);
  if (!p->started)
    {
      /* create: the scope appears in enter, which writes these */
      p->pending = res;
      return 0;
    }
  if (p->fs->apply (cg, res, update, err) < 0)
    return -1;
  /* update: keep systemd's copy in step, or a daemon-reload undoes it */
  if (update && cg->kind == LCR_CGROUP_V2)
    return set_unit_properties (cg, res, err);
  return 0;
}

static int
sd_destroy (struct lcr_cgroup *cg, lcr_error_t *err)
{
  struct sd_priv *p = priv (cg);
  cleanup_error lcr_error_t stop_err = NULL;
  if (p->started && sd_booted () > 0 && open_bus (p, &stop_err) == 0)
    {
      sd_bus_error e = SD_BUS_ERROR_NULL;
      sd_bus_message *m = NULL;
      int r = sd_bus_message_new_method_call (p->bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "StopUnit");
      if (r >= 0)
        r = sd_bus_message_append (m, "ss", p->unit, "replace");
      if (r >= 0)
        {
          r = call_job (p->bus, m, "StopUnit", p->unit, NULL, &e, &stop_err);
          /* an emptied scope is gone already: systemd stops it itself */
          if (r < 0 && stop_err == NULL && !sd_bus_error_has_name (&e, "org.freedesktop.systemd1.NoSuchUnit"))
            bus_fail (&stop_err, r, &e, "StopUnit", p->unit);
        }
      sd_bus_message_unref (m);
      sd_bus_error_free (&e);
      unit_call_simple (p->bus, "ResetFailedUnit", p->unit);
      close_bus (p);
    }
  if (p->fs->destroy (cg, err) < 0)
    {
      if (stop_err && err && *err)
        lcr_error_wrap (err, "%s", stop_err->msg);
      return -1;
    }
  /* the directory is gone: whatever StopUnit said, nothing is left */
  return 0;
}

static int
sd_pids (struct lcr_cgroup *cg, pid_t **pids, size_t *n, lcr_error_t *err)
{
  return priv (cg)->fs->pids (cg, pids, n, err);
}

static int
sd_kill (struct lcr_cgroup *cg, int signo, lcr_error_t *err)
{
  return priv (cg)->fs->kill (cg, signo, err);
}

static int
sd_mount (struct lcr_cgroup *cg, int rootfd, const char *dest, unsigned long flags, bool ro, bool cgroupns,
          lcr_error_t *err)
{
  return priv (cg)->fs->mount (cg, rootfd, dest, flags, ro, cgroupns, err);
}

static int
sd_freeze (struct lcr_cgroup *cg, bool frozen, lcr_error_t *err)
{
  return priv (cg)->fs->freeze (cg, frozen, err);
}

static int
sd_is_frozen (struct lcr_cgroup *cg, bool *frozen)
{
  return priv (cg)->fs->is_frozen (cg, frozen);
}

static int
sd_stats (struct lcr_cgroup *cg, struct lcr_cgroup_stats *st, lcr_error_t *err)
{
  return priv (cg)->fs->stats (cg, st, err);
}

static int
sd_oom_watch (struct lcr_cgroup *cg, struct lcr_cgroup_oom_watch *w, lcr_error_t *err)
{
  return priv (cg)->fs->oom_watch (cg, w, err);
}

static void
sd_release (struct lcr_cgroup *cg)
{
  struct sd_priv *p = priv (cg);
  if (p == NULL)
    return;
  close_bus (p);
  free (p->id);
  free (p->slice);
  free (p->unit);
  free (p);
  cg->systemd_priv = NULL;
}

static const struct lcr_cgroup_ops systemd_ops = {
    .create = sd_create,
    .enter = sd_enter,
    .pids = sd_pids,
    .kill = sd_kill,
    .destroy = sd_destroy,
    .mount = sd_mount,
    .apply = sd_apply,
    .freeze = sd_freeze,
    .is_frozen = sd_is_frozen,
    .stats = sd_stats,
    .oom_watch = sd_oom_watch,
    .release = sd_release,
};

/* the cgroupfs backend lcr_cgroup_load picked for the path, wrapped */
static void
attach (struct lcr_cgroup *cg, const char *id, char *slice, char *unit, bool started)
{
  struct sd_priv *p = xmalloc0 (sizeof *p);
  p->fs = cg->ops;
  p->id = xstrdup (id);
  p->slice = slice;
  p->unit = unit;
  p->started = started;
  cg->systemd = true;
  cg->systemd_priv = p;
  cg->ops = &systemd_ops;
}

int
lcr_cgroup_new_systemd (const char *root, const char *id, const char *cgroups_path, struct lcr_cgroup **out,
                        lcr_error_t *err)
{
  char *slice, *unit;
  cleanup_free char *path = NULL;
  if (lcr_cgroup_systemd_names (id, cgroups_path, &slice, &unit, &path, err) < 0)
    return -1;
  if (lcr_cgroup_load (root, path, out, err) < 0)
    {
      free (slice);
      free (unit);
      return -1;
    }
  attach (*out, id, slice, unit, false);
  return 0;
}

int
lcr_cgroup_load_systemd (const char *root, const char *path, struct lcr_cgroup **out, lcr_error_t *err)
{
  /* "/a.slice/a-b.slice/p-c1.scope": the unit is the last component, its
     slice the one before (none: the root slice) */
  const char *unit = strrchr (path, '/');
  if (unit == NULL || unit[1] == '\0')
    return lcr_error_make (err, 0, LCR_ERR_STATE, "systemd cgroup path `%s` names no unit", path);
  const char *prev = unit;
  while (prev > path && prev[-1] != '/')
    prev--;
  char *slice;
  if (prev == unit)
    slice = xstrdup ("-.slice");
  else
    xasprintf (&slice, "%.*s", (int)(unit - prev), prev);
  if (lcr_cgroup_load (root, path, out, err) < 0)
    {
      free (slice);
      return -1;
    }
  attach (*out, unit + 1, slice, xstrdup (unit + 1), true);
  return 0;
}
