/* dock — resource limits and the restart policy: flags shared by `create`/`run` and `update`,
 * with the checks docker's daemon makes on them (its messages, since scripts match them).
 */
#define _GNU_SOURCE
#include "container/create-resources.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/args.h"
#include "container/create-internal.h"

#define MIN_MEMORY (6LL * 1024 * 1024)

static int
size_flag (const char *flag, const char *v, bool allow_minus_one, long long *out, lcr_error_t *err)
{
  if (allow_minus_one && strcmp (v, "-1") == 0)
    {
      *out = -1;
      return 0;
    }
  long long n = dock_parse_size (v);
  if (n < 0)
    return dock_flag_error (err, flag, v, "invalid size: '%s'", v);
  *out = n;
  return 0;
}

/* --cpus: a decimal with up to 9 fractional digits, as NanoCpus */
static int
parse_cpus (const char *v, long long *out, lcr_error_t *err)
{
  const char *p = v;
  long long whole = 0, frac = 0;
  int digits = 0;
  bool any = false;
  while (isdigit ((unsigned char)*p))
    {
      whole = whole * 10 + (*p++ - '0');
      any = true;
      if (whole > 1000000)
        return dock_flag_error (err, "--cpus", v, "failed to parse %s as a rational number", v);
    }
  if (*p == '.')
    for (p++; isdigit ((unsigned char)*p); p++)
      {
        any = true;
        if (digits < 9)
          {
            frac = frac * 10 + (*p - '0');
            digits++;
          }
        else if (*p != '0')
          return dock_flag_error (err, "--cpus", v, "value is too precise");
      }
  if (!any || *p)
    return dock_flag_error (err, "--cpus", v, "failed to parse %s as a rational number", v);
  for (; digits < 9; digits++)
    frac *= 10;
  *out = whole * 1000000000LL + frac;
  return 0;
}

static bool
valid_cpuset (const char *s)
{
  /* "0-3,5,7-8": ranges of decimal numbers separated by commas */
  if (*s == '\0')
    return true;
  for (;;)
    {
      if (!isdigit ((unsigned char)*s))
        return false;
      char *end;
      unsigned long a = strtoul (s, &end, 10);
      s = end;
      if (*s == '-')
        {
          s++;
          if (!isdigit ((unsigned char)*s))
            return false;
          unsigned long b = strtoul (s, &end, 10);
          if (b < a)
            return false;
          s = end;
        }
      if (*s == '\0')
        return true;
      if (*s++ != ',')
        return false;
    }
}

int
dock_parse_restart (const char *spec, jv hc, lcr_error_t *err)
{
  const char *colon = strchr (spec, ':');
  size_t nlen = colon ? (size_t)(colon - spec) : strlen (spec);
  cleanup_free char *name = strndup (spec, nlen);
  long long max = 0;
  if (colon)
    {
      if (nlen == 0)
        return lcr_error_invalid (err, "invalid restart policy format: no policy provided before colon");
      char *end;
      errno = 0;
      max = strtoll (colon + 1, &end, 10);
      if (errno || end == colon + 1 || *end)
        return lcr_error_invalid (err, "invalid restart policy format: maximum retry count must be an integer");
    }
  if (*name == '\0')
    {
      free (name);
      name = xstrdup ("no");
    }
  if (strcmp (name, "no") != 0 && strcmp (name, "always") != 0 && strcmp (name, "unless-stopped") != 0
      && strcmp (name, "on-failure") != 0)
    return lcr_error_invalid (err,
                              "invalid restart policy: unknown policy '%s'; use one of 'no', 'always', "
                              "'on-failure', or 'unless-stopped'",
                              name);
  if (colon && strcmp (name, "on-failure") != 0)
    return lcr_error_invalid (err, "invalid restart policy: maximum retry count can only be used with 'on-failure'");
  if (max < 0)
    return lcr_error_invalid (err, "invalid restart policy: maximum retry count can not be negative");
  jv rp = jv_set (hc, "RestartPolicy", jv_obj ());
  jv_set (rp, "Name", jv_str (name));
  jv_set (rp, "MaximumRetryCount", jv_int (max));
  return 0;
}

static void
set_int (jv hc, const char *key, bool given, long long v, bool for_create)
{
  if (given || for_create)
    jv_set (hc, key, jv_int (v));
}

int
dock_resources_apply (const struct dock_resource_flags *f, jv hc, bool for_create, lcr_error_t *err)
{
  long long memory = 0, swap = 0, reservation = 0, nano = 0, shares = 0, period = 0, quota = 0, pids = 0, blkio = 0;
  if (f->memory && size_flag ("-m, --memory", f->memory, false, &memory, err) < 0)
    return -1;
  if (f->memory_swap && size_flag ("--memory-swap", f->memory_swap, true, &swap, err) < 0)
    return -1;
  if (f->memory_reservation && size_flag ("--memory-reservation", f->memory_reservation, false, &reservation, err) < 0)
    return -1;
  if (f->cpus && parse_cpus (f->cpus, &nano, err) < 0)
    return -1;
  if (f->cpu_shares && dock_flag_int ("-c, --cpu-shares", f->cpu_shares, &shares, err) < 0)
    return -1;
  if (f->cpu_period && dock_flag_int ("--cpu-period", f->cpu_period, &period, err) < 0)
    return -1;
  if (f->cpu_quota && dock_flag_int ("--cpu-quota", f->cpu_quota, &quota, err) < 0)
    return -1;
  if (f->pids_limit && dock_flag_int ("--pids-limit", f->pids_limit, &pids, err) < 0)
    return -1;
  if (f->blkio_weight && dock_flag_int ("--blkio-weight", f->blkio_weight, &blkio, err) < 0)
    return -1;
  if (f->cpuset_cpus && !valid_cpuset (f->cpuset_cpus))
    return lcr_error_invalid (err, "Invalid value %s for cpuset cpus", f->cpuset_cpus);
  if (f->cpuset_mems && !valid_cpuset (f->cpuset_mems))
    return lcr_error_invalid (err, "Invalid value %s for cpuset mems", f->cpuset_mems);

  /* the daemon's checks, in its order */
  if (memory > 0 && memory < MIN_MEMORY)
    return lcr_error_invalid (err, "Minimum memory limit allowed is 6MB");
  if (for_create && swap > 0 && memory == 0)
    return lcr_error_invalid (err, "You should always set the Memory limit when using Memoryswap limit, see usage");
  if (swap > 0 && memory > 0 && swap < memory)
    return lcr_error_invalid (err, "Minimum memoryswap limit should be larger than memory limit, see usage");
  if (reservation > 0 && reservation < MIN_MEMORY)
    return lcr_error_invalid (err, "Minimum memory reservation allowed is 6MB");
  if (memory > 0 && reservation > 0 && memory < reservation)
    return lcr_error_invalid (err, "Minimum memory limit can not be less than memory reservation limit, see usage");
  if (nano > 0 && period > 0)
    return lcr_error_invalid (err, "Conflicting options: Nano CPUs and CPU Period cannot both be set");
  if (nano > 0 && quota > 0)
    return lcr_error_invalid (err, "Conflicting options: Nano CPUs and CPU Quota cannot both be set");
  long ncpu = sysconf (_SC_NPROCESSORS_ONLN);
  if (nano < 0 || (ncpu > 0 && nano > ncpu * 1000000000LL))
    return lcr_error_invalid (err, "Range of CPUs is from 0.01 to %ld.00, as there are only %ld CPUs available", ncpu,
                              ncpu);
  if (period != 0 && (period < 1000 || period > 1000000))
    return lcr_error_invalid (err,
                              "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
  if (quota > 0 && quota < 1000)
    return lcr_error_invalid (err, "CPU cfs quota can not be less than 1ms (i.e. 1000)");
  if (blkio > 0 && (blkio < 10 || blkio > 1000))
    return lcr_error_invalid (err, "Range of blkio weight is from 10 to 1000");
  if (shares < 0)
    return lcr_error_invalid (err, "Invalid CPU shares (%lld): value must be a positive integer", shares);

  /* docker's daemon: a memory limit without a swap limit allows as much swap again */
  if (for_create && memory > 0 && swap == 0)
    swap = memory * 2;

  set_int (hc, "Memory", f->memory, memory, for_create);
  set_int (hc, "MemorySwap", f->memory_swap || (for_create && memory), swap, for_create);
  set_int (hc, "MemoryReservation", f->memory_reservation, reservation, for_create);
  set_int (hc, "NanoCpus", f->cpus, nano, for_create);
  set_int (hc, "CpuShares", f->cpu_shares, shares, for_create);
  set_int (hc, "CpuPeriod", f->cpu_period, period, for_create);
  set_int (hc, "CpuQuota", f->cpu_quota, quota, for_create);
  set_int (hc, "BlkioWeight", f->blkio_weight, blkio, for_create);
  if (f->cpuset_cpus || for_create)
    jv_set (hc, "CpusetCpus", jv_str (f->cpuset_cpus ? f->cpuset_cpus : ""));
  if (f->cpuset_mems || for_create)
    jv_set (hc, "CpusetMems", jv_str (f->cpuset_mems ? f->cpuset_mems : ""));
  if (f->pids_limit)
    jv_set (hc, "PidsLimit", jv_int (pids));
  else if (for_create)
    jv_set (hc, "PidsLimit", jv_null ());
  if (f->restart)
    return dock_parse_restart (f->restart, hc, err);
  if (for_create)
    return dock_parse_restart ("no", hc, err);
  return 0;
}

int
dock_update_parse (int argc, char **argv, jv *out, int *first, lcr_error_t *err)
{
  struct dock_resource_flags f = {0};
  const struct dock_opt table[] = {
      {"blkio-weight", 0, DOCK_OPT_STR, &f.blkio_weight, "Block IO (relative weight), between 10 and 1000", "uint16"},
      {"cpu-period", 0, DOCK_OPT_STR, &f.cpu_period, "Limit CPU CFS (Completely Fair Scheduler) period", "int"},
      {"cpu-quota", 0, DOCK_OPT_STR, &f.cpu_quota, "Limit CPU CFS (Completely Fair Scheduler) quota", "int"},
      {"cpu-shares", 'c', DOCK_OPT_STR, &f.cpu_shares, "CPU shares (relative weight)", "int"},
      {"cpus", 0, DOCK_OPT_STR, &f.cpus, "Number of CPUs", "decimal"},
      {"cpuset-cpus", 0, DOCK_OPT_STR, &f.cpuset_cpus, "CPUs in which to allow execution (0-3, 0,1)", "string"},
      {"cpuset-mems", 0, DOCK_OPT_STR, &f.cpuset_mems, "MEMs in which to allow execution (0-3, 0,1)", "string"},
      {"memory", 'm', DOCK_OPT_STR, &f.memory, "Memory limit", "bytes"},
      {"memory-reservation", 0, DOCK_OPT_STR, &f.memory_reservation, "Memory soft limit", "bytes"},
      {"memory-swap", 0, DOCK_OPT_STR, &f.memory_swap,
       "Swap limit equal to memory plus swap: -1 to enable unlimited swap", "bytes"},
      {"pids-limit", 0, DOCK_OPT_STR, &f.pids_limit, "Tune container pids limit (set -1 for unlimited)", "int"},
      {"restart", 0, DOCK_OPT_STR, &f.restart, "Restart policy to apply when a container exits", "string"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const struct dock_cmd_usage usage = {
      .usage = "dock update [OPTIONS] CONTAINER [CONTAINER...]",
      .summary = "Update configuration of one or more containers",
      .interspersed = true,
      .min_args = 1,
      .max_args = -1,
  };
  *out = NULL;
  int r = dock_parse_args (&usage, table, argc, argv, first, err);
  if (r != 0)
    return r;
  bool any = false;
  for (const struct dock_opt *o = table; o->name; o++)
    any |= *(const char **)o->dest != NULL;
  if (!any)
    return lcr_error_invalid (err, "you must provide one or more flags when using this command");
  jv hc = jv_obj ();
  if (dock_resources_apply (&f, hc, false, err) < 0)
    {
      jv_free (hc);
      return -1;
    }
  *out = hc;
  return 0;
}

int
dock_host_config_update (jv hc, jv update, lcr_error_t *err)
{
  long long old_swap = jv_get_int (hc, "MemorySwap", 0);
  long long memory = jv_get_int (update, "Memory", -2);
  if (memory > 0 && jv_get (update, "MemorySwap") == NULL && old_swap > 0 && memory > old_swap)
    return lcr_error_invalid (err, "Memory limit should be smaller than already set memoryswap limit, update the "
                                   "memoryswap at the same time");
  long long swap = jv_get_int (update, "MemorySwap", jv_get_int (hc, "MemorySwap", 0));
  long long mem = memory > -2 ? memory : jv_get_int (hc, "Memory", 0);
  if (swap > 0 && mem > 0 && swap < mem)
    return lcr_error_invalid (err, "Minimum memoryswap limit should be larger than memory limit, see usage");
  for (size_t i = 0; i < update->u.object.len; i++)
    jv_set (hc, update->u.object.keys[i], jv_copy (update->u.object.values[i]));
  return 0;
}
