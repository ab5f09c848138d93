/* dock — `update`: a container's resource limits and restart policy.
 *
 * The new values go into the record's HostConfig (what `inspect` and the next start read);
 * for a running container the runtime applies them first (`RUNTIME update -r FILE ID` with the
 * OCI linux.resources of what changed), and the record is only rewritten when that worked, so
 * the record never claims a limit the cgroup does not have.  Both happen under the store lock.
 *
 * The flags are create/run's (dock_update_parse); the checks against the stored HostConfig
 * are docker's daemon's (dock_host_config_update, plus the CPU and restart conflicts here).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "container/create.h"
#include "container/lifecycle.h"
#include "container/record.h"
#include "store/store.h"

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

/* docker's daemon's checks of an update against what the container has */
static int
check_update (jv hc, jv upd, lcr_error_t *err)
{
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
  cleanup_jv jv merged = NULL;
  cleanup_jv jv rec = dock_record_load (ctx, id, err);
  if (rec == NULL)
    goto out;
  dock_record_refresh (ctx, rec);
  jv hc = jv_child_obj (rec, "HostConfig");
  merged = jv_copy (hc);
  if (check_update (hc, upd, err) < 0 || dock_host_config_update (merged, upd, err) < 0)
    goto out;
  const char *st = dock_record_status (rec);
  bool live = strcmp (st, "running") == 0 || strcmp (st, "paused") == 0;
  res = resources_of (upd, hc);
  if (live && jv_len (res) > 0 && runtime_update (ctx, id, res, err) < 0)
    {
      lcr_error_wrap (err, "Cannot update container %s", id);
      goto out;
    }
  jv_set (rec, "HostConfig", steal_pointer (&merged));
  ret = dock_record_save (ctx, rec, err);
out:
  dock_unlock (ctx);
  return ret;
}

DOCK_CMD (dock_cmd_update)
{
  lcr_error_t err = NULL;
  int first;
  cleanup_jv jv upd = NULL;
  int p = dock_update_parse (argc, argv, &upd, &first, &err);
  if (p != 0)
    return p > 0 ? 0 : dock_fail (&err);
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
