/* dock — `update`: a container's resource limits and restart policy.
 *
 * The new values go into the record's HostConfig (what `inspect` and the next start read);
 * for a running container the runtime applies them first (`RUNTIME update -r FILE ID` with the
 * OCI linux.resources of what changed), and the record is only rewritten when that worked, so
 * the record never claims a limit the cgroup does not have.  Both happen under the store lock.
 *
 * TEMPORARY: the flag parser here is update's own; the create/run resource parser
 * (container/create-resources.c, dock_update_parse) replaces it once both are on main.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "container/lifecycle.h"
#include "container/record.h"
#include "store/store.h"

struct update_flags
{
  const char *memory, *memory_swap, *memory_reservation, *cpus, *cpu_shares, *cpu_period, *cpu_quota, *cpuset_cpus,
      *cpuset_mems, *pids_limit, *blkio_weight, *restart;
};

static int
int_flag (const char *flag, const char *v, long long *out, lcr_error_t *err)
{
  if (lcr_parse_long (v, out) < 0)
    return lcr_error_invalid (err,
                              "invalid argument \"%s\" for \"--%s\" flag: strconv.ParseInt: parsing \"%s\": "
                              "invalid syntax",
                              v, flag, v);
  return 0;
}

static int
size_flag (const char *flag, const char *v, bool allow_minus_one, long long *out, lcr_error_t *err)
{
  if (allow_minus_one && strcmp (v, "-1") == 0)
    {
      *out = -1;
      return 0;
    }
  *out = dock_parse_size (v);
  if (*out < 0)
    return lcr_error_invalid (err, "invalid argument \"%s\" for \"--%s\" flag: invalid size: '%s'", v, flag, v);
  return 0;
}

/* --cpus "1.5" → 1500000000 NanoCpus (up to 9 decimals, as docker) */
static int
nano_cpus (const char *v, long long *out, lcr_error_t *err)
{
  char *end;
  errno = 0;
  double d = strtod (v, &end);
  if (end == v || *end || errno || d < 0)
    return lcr_error_invalid (err,
                              "invalid argument \"%s\" for \"--cpus\" flag: failed to parse %s as a rational "
                              "number",
                              v, v);
  *out = (long long)(d * 1e9 + 0.5);
  return 0;
}

/* "no", "always", "unless-stopped", "on-failure[:N]" → RestartPolicy */
static jv
restart_policy (const char *v, lcr_error_t *err)
{
  const char *colon = strchr (v, ':');
  cleanup_free char *name = colon ? strndup (v, (size_t)(colon - v)) : xstrdup (v);
  long long max = 0;
  if (strcmp (name, "no") != 0 && strcmp (name, "always") != 0 && strcmp (name, "unless-stopped") != 0
      && strcmp (name, "on-failure") != 0)
    {
      lcr_error_invalid (err, "invalid restart policy %s", name);
      return NULL;
    }
  if (colon && (strcmp (name, "on-failure") != 0 || lcr_parse_long (colon + 1, &max) < 0 || max < 0))
    {
      lcr_error_invalid (err, "invalid restart policy %s", v);
      return NULL;
    }
  jv p = jv_obj ();
  jv_set (p, "Name", jv_str (name));
  jv_set (p, "MaximumRetryCount", jv_int (max));
  return p;
}

/* the flags as HostConfig fields (only those given) */
static jv
flags_to_host_config (const struct update_flags *f, lcr_error_t *err)
{
  cleanup_jv jv hc = jv_obj ();
  long long v;
  if (f->memory)
    {
      if (size_flag ("memory", f->memory, false, &v, err) < 0)
        return NULL;
      if (v > 0 && v < 6 * 1024 * 1024)
        {
          lcr_error_invalid (err, "Minimum memory limit allowed is 6MB");
          return NULL;
        }
      jv_set (hc, "Memory", jv_int (v));
    }
  if (f->memory_swap)
    {
      if (size_flag ("memory-swap", f->memory_swap, true, &v, err) < 0)
        return NULL;
      jv_set (hc, "MemorySwap", jv_int (v));
    }
  if (f->memory_reservation)
    {
      if (size_flag ("memory-reservation", f->memory_reservation, false, &v, err) < 0)
        return NULL;
      jv_set (hc, "MemoryReservation", jv_int (v));
    }
  if (f->cpus)
    {
      if (f->cpu_period || f->cpu_quota)
        {
          lcr_error_invalid (err, "Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set");
          return NULL;
        }
      if (nano_cpus (f->cpus, &v, err) < 0)
        return NULL;
      jv_set (hc, "NanoCpus", jv_int (v));
    }
  static const struct
  {
    const char *flag, *field;
    size_t off;
  } ints[] = {
      {"cpu-shares", "CpuShares", offsetof (struct update_flags, cpu_shares)},
      {"cpu-period", "CpuPeriod", offsetof (struct update_flags, cpu_period)},
      {"cpu-quota", "CpuQuota", offsetof (struct update_flags, cpu_quota)},
      {"pids-limit", "PidsLimit", offsetof (struct update_flags, pids_limit)},
      {"blkio-weight", "BlkioWeight", offsetof (struct update_flags, blkio_weight)},
  };
  for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
    {
      const char *s = *(const char *const *)((const char *)f + ints[i].off);
      if (s == NULL)
        continue;
      if (int_flag (ints[i].flag, s, &v, err) < 0)
        return NULL;
      if (strcmp (ints[i].field, "BlkioWeight") == 0 && v != 0 && (v < 10 || v > 1000))
        {
          lcr_error_invalid (err, "invalid --blkio-weight %lld: the range is from 10 to 1000", v);
          return NULL;
        }
      jv_set (hc, ints[i].field, jv_int (v));
    }
  if (f->cpuset_cpus)
    jv_set (hc, "CpusetCpus", jv_str (f->cpuset_cpus));
  if (f->cpuset_mems)
    jv_set (hc, "CpusetMems", jv_str (f->cpuset_mems));
  if (f->restart)
    {
      jv p = restart_policy (f->restart, err);
      if (p == NULL)
        return NULL;
      jv_set (hc, "RestartPolicy", p);
    }
  return steal_pointer (&hc);
}

/* OCI linux.resources for the fields of `upd` (the merged HostConfig `hc` for context) */
static jv
resources_of (jv upd, jv hc)
{
  jv r = jv_obj ();
  jv x;
  long long v;
  jv mem = jv_obj ();
  if ((x = jv_get (upd, "Memory")))
    jv_set (mem, "limit", jv_int (jv_get_int (upd, "Memory", 0) > 0 ? jv_get_int (upd, "Memory", 0) : -1));
  if ((x = jv_get (upd, "MemorySwap")))
    jv_set (mem, "swap", jv_int ((v = jv_get_int (upd, "MemorySwap", 0)) != 0 ? v : -1));
  if ((x = jv_get (upd, "MemoryReservation")))
    jv_set (mem, "reservation", jv_int (jv_get_int (upd, "MemoryReservation", 0)));
  if (jv_len (mem))
    jv_set (r, "memory", mem);
  else
    jv_free (mem);
  jv cpu = jv_obj ();
  if (jv_get (upd, "CpuShares"))
    jv_set (cpu, "shares", jv_int (jv_get_int (upd, "CpuShares", 0)));
  if (jv_get (upd, "NanoCpus"))
    {
      long long nano = jv_get_int (upd, "NanoCpus", 0);
      /* docker: a 100 ms period and the matching quota; 0 lifts the limit */
      jv_set (cpu, "period", jv_int (100000));
      jv_set (cpu, "quota", jv_int (nano > 0 ? nano * 100000 / 1000000000 : -1));
    }
  if (jv_get (upd, "CpuQuota"))
    jv_set (cpu, "quota", jv_int ((v = jv_get_int (upd, "CpuQuota", 0)) != 0 ? v : -1));
  if (jv_get (upd, "CpuPeriod"))
    jv_set (cpu, "period", jv_int (jv_get_int (upd, "CpuPeriod", 0)));
  if (jv_get_str (upd, "CpusetCpus"))
    jv_set (cpu, "cpus", jv_str (jv_get_str (upd, "CpusetCpus")));
  if (jv_get_str (upd, "CpusetMems"))
    jv_set (cpu, "mems", jv_str (jv_get_str (upd, "CpusetMems")));
  if (jv_len (cpu))
    jv_set (r, "cpu", cpu);
  else
    jv_free (cpu);
  if (jv_get (upd, "PidsLimit"))
    jv_set (jv_set (r, "pids", jv_obj ()), "limit",
            jv_int ((v = jv_get_int (upd, "PidsLimit", 0)) > 0 ? v : -1)); /* 0 or -1: unlimited */
  if ((v = jv_get_int (upd, "BlkioWeight", 0)) > 0)
    jv_set (jv_set (r, "blockIO", jv_obj ()), "weight", jv_int (v));
  (void)hc;
  return r;
}

/* docker's daemon checks before it takes an update */
static int
check_update (jv hc, jv upd, lcr_error_t *err)
{
  long long old_swap = jv_get_int (hc, "MemorySwap", 0);
  long long memory = jv_get_int (upd, "Memory", 0);
  if (memory > 0 && jv_get (upd, "MemorySwap") == NULL && old_swap > 0 && memory > old_swap)
    return lcr_error_invalid (err, "Memory limit should be smaller than already set memoryswap limit, update the "
                                   "memoryswap at the same time");
  long long swap = jv_get_int (upd, "MemorySwap", old_swap);
  long long mem = jv_get (upd, "Memory") ? memory : jv_get_int (hc, "Memory", 0);
  if (swap > 0 && mem > 0 && swap < mem)
    return lcr_error_invalid (err, "Minimum memoryswap limit should be larger than memory limit, see usage");
  if (jv_get (upd, "NanoCpus") && (jv_get_int (hc, "CpuQuota", 0) > 0 || jv_get_int (hc, "CpuPeriod", 0) > 0)
      && !jv_get (upd, "CpuQuota"))
    return lcr_error_invalid (err, "Conflicting options: Nano CPUs cannot be updated as CPU Period/Quota has already "
                                   "been set");
  if ((jv_get (upd, "CpuQuota") || jv_get (upd, "CpuPeriod")) && jv_get_int (hc, "NanoCpus", 0) > 0
      && !jv_get (upd, "NanoCpus"))
    return lcr_error_invalid (err, "Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set");
  jv rp = jv_get_obj (upd, "RestartPolicy");
  if (rp && jv_get_bool (hc, "AutoRemove", false) && strcmp (jv_get_str (rp, "Name"), "no") != 0)
    return lcr_error_invalid (err, "Restart policy cannot be updated because AutoRemove is enabled for the container");
  return 0;
}

static int
runtime_update (struct dock_ctx *ctx, const char *id, jv resources, lcr_error_t *err)
{
  cleanup_free char *path = dock_runpath (ctx, "update-%s.json", id);
  cleanup_free char *text = jv_dump (resources, false);
  if (dock_write_atomic_at (AT_FDCWD, path, text, strlen (text), err) < 0)
    return -1;
  char *args[] = {(char *)"update", (char *)"-r", path, (char *)id, NULL};
  int r = dock_runtime_run (ctx, args, err);
  unlink (path);
  return r;
}

static int
update_one (struct dock_ctx *ctx, const char *ref, jv upd, lcr_error_t *err)
{
  char id[65];
  if (dock_record_find (ctx, ref, id, err) < 0)
    return -1;
  if (dock_lock (ctx, err) < 0)
    return -1;
  int ret = -1;
  cleanup_jv jv res = NULL;
  cleanup_jv jv rec = dock_record_load (ctx, id, err);
  if (rec == NULL)
    goto out;
  dock_record_refresh (ctx, rec);
  jv hc = jv_child_obj (rec, "HostConfig");
  if (check_update (hc, upd, err) < 0)
    goto out;
  const char *st = dock_record_status (rec);
  bool live = strcmp (st, "running") == 0 || strcmp (st, "paused") == 0;
  res = resources_of (upd, hc);
  if (live && jv_len (res) > 0 && runtime_update (ctx, id, res, err) < 0)
    {
      lcr_error_wrap (err, "Cannot update container %s", id);
      goto out;
    }
  for (size_t i = 0; i < upd->u.object.len; i++)
    jv_set (hc, upd->u.object.keys[i], jv_copy (upd->u.object.values[i]));
  ret = dock_record_save (ctx, rec, err);
out:
  dock_unlock (ctx);
  return ret;
}

DOCK_CMD (dock_cmd_update)
{
  struct update_flags f = {0};
  const char *kernel_memory = NULL;
  const struct dock_opt opts[] = {
      {"blkio-weight", 0, DOCK_OPT_STR, &f.blkio_weight,
       "Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)", "uint16"},
      {"cpu-period", 0, DOCK_OPT_STR, &f.cpu_period, "Limit CPU CFS (Completely Fair Scheduler) period", "int"},
      {"cpu-quota", 0, DOCK_OPT_STR, &f.cpu_quota, "Limit CPU CFS (Completely Fair Scheduler) quota", "int"},
      {"cpu-shares", 'c', DOCK_OPT_STR, &f.cpu_shares, "CPU shares (relative weight)", "int"},
      {"cpus", 0, DOCK_OPT_STR, &f.cpus, "Number of CPUs", "decimal"},
      {"cpuset-cpus", 0, DOCK_OPT_STR, &f.cpuset_cpus, "CPUs in which to allow execution (0-3, 0,1)", "string"},
      {"cpuset-mems", 0, DOCK_OPT_STR, &f.cpuset_mems, "MEMs in which to allow execution (0-3, 0,1)", "string"},
      {"kernel-memory", 0, DOCK_OPT_STR, &kernel_memory, NULL, "bytes"},
      {"memory", 'm', DOCK_OPT_STR, &f.memory, "Memory limit", "bytes"},
      {"memory-reservation", 0, DOCK_OPT_STR, &f.memory_reservation, "Memory soft limit", "bytes"},
      {"memory-swap", 0, DOCK_OPT_STR, &f.memory_swap,
       "Swap limit equal to memory plus swap: -1 to enable unlimited swap", "bytes"},
      {"pids-limit", 0, DOCK_OPT_STR, &f.pids_limit, "Tune container pids limit (set -1 for unlimited)", "int"},
      {"restart", 0, DOCK_OPT_STR, &f.restart, "Restart policy to apply when a container exits", "string"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  static const struct dock_cmd_usage u = {"dock update [OPTIONS] CONTAINER [CONTAINER...]",
                                          "Update configuration of one or more containers", true, 1, -1};
  lcr_error_t err = NULL;
  int first;
  int p = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (p != 0)
    return p > 0 ? 0 : dock_fail (&err);
  bool any = kernel_memory != NULL;
  for (const struct dock_opt *o = opts; o->name; o++)
    any |= *(const char **)o->dest != NULL;
  if (!any)
    return dock_failf ("you must provide one or more flags when using this command");
  cleanup_jv jv upd = flags_to_host_config (&f, &err);
  if (upd == NULL)
    return dock_fail (&err);
  int rc = 0;
  for (int i = first; i < argc; i++)
    {
      if (update_one (ctx, argv[i], upd, &err) < 0)
        {
          /* docker goes on with the others and fails at the end */
          rc = dock_fail (&err);
          continue;
        }
      printf ("%s\n", argv[i]);
    }
  return rc;
}
