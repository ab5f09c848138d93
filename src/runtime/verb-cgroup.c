/* berth — pause, resume, update, events. */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "utils.h"
#include "verbs.h"

int
verb_pause (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err)
{
  const struct flag_def defs[] = {{NULL, 0, 0, NULL, NULL, NULL}};
  int pos, r = verb_args (argc, argv, defs, "CONTAINER-ID", 1, 1, &pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  return lcr_container_pause (ctx, argv[pos], err) < 0 ? -1 : 0;
}

int
verb_resume (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err)
{
  const struct flag_def defs[] = {{NULL, 0, 0, NULL, NULL, NULL}};
  int pos, r = verb_args (argc, argv, defs, "CONTAINER-ID", 1, 1, &pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  return lcr_container_resume (ctx, argv[pos], err) < 0 ? -1 : 0;
}

/* "512m", "1G", "1024", "-1": bytes, as docker and runc take them. */
static int
parse_size (const char *flag, const char *s, int64_t *out, lcr_error_t *err)
{
  char *end;
  errno = 0;
  double v = strtod (s, &end);
  if (end == s || errno)
    return lcr_error_invalid (err, "update --%s: `%s` is not a size", flag, s);
  static const char units[] = "bkmgtp";
  int shift = 0;
  if (*end)
    {
      const char *u = strchr (units, tolower ((unsigned char)*end));
      if (u == NULL || (end[1] && !(tolower ((unsigned char)end[1]) == 'b' && end[2] == '\0')))
        return lcr_error_invalid (err, "update --%s: `%s` is not a size (use b, k, m, g, t)", flag, s);
      shift = (int)(u - units) * 10;
    }
  *out = (int64_t)(v * (double)(1LL << shift));
  return 0;
}

static int
parse_num (const char *flag, const char *s, int64_t *out, lcr_error_t *err)
{
  long long v;
  if (lcr_parse_long (s, &v) < 0)
    return lcr_error_invalid (err, "update --%s: `%s` is not a number", flag, s);
  *out = v;
  return 0;
}

int
verb_update (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err)
{
  const char *file = NULL, *blkio_weight = NULL, *cpu_period = NULL, *cpu_quota = NULL, *cpu_burst = NULL,
             *cpu_rt_period = NULL, *cpu_rt_runtime = NULL, *cpu_share = NULL, *cpuset_cpus = NULL, *cpuset_mems = NULL,
             *kernel_memory = NULL, *kernel_memory_tcp = NULL, *memory = NULL, *memory_reservation = NULL,
             *memory_swap = NULL, *pids_limit = NULL, *cpu_idle = NULL, *ignored = NULL;
  const struct flag_def defs[] = {
      {"resources", 'r', FLAG_STRING, &file, "FILE", "resources JSON (linux.resources), - for stdin"},
      {"blkio-weight", 0, FLAG_STRING, &blkio_weight, "N", "block IO weight (10-1000)"},
      {"cpu-period", 0, FLAG_STRING, &cpu_period, "US", "CPU CFS period"},
      {"cpu-quota", 0, FLAG_STRING, &cpu_quota, "US", "CPU CFS quota"},
      {"cpu-burst", 0, FLAG_STRING, &cpu_burst, "US", "CPU CFS burst"},
      {"cpu-rt-period", 0, FLAG_STRING, &cpu_rt_period, "US", "CPU realtime period"},
      {"cpu-rt-runtime", 0, FLAG_STRING, &cpu_rt_runtime, "US", "CPU realtime runtime"},
      {"cpu-share", 0, FLAG_STRING, &cpu_share, "N", "CPU shares"},
      {"cpu-idle", 0, FLAG_STRING, &cpu_idle, "0|1", "SCHED_IDLE for the cgroup (v2)"},
      {"cpuset-cpus", 0, FLAG_STRING, &cpuset_cpus, "LIST", "CPUs allowed"},
      {"cpuset-mems", 0, FLAG_STRING, &cpuset_mems, "LIST", "memory nodes allowed"},
      {"kernel-memory", 0, FLAG_STRING, &kernel_memory, "SIZE", "kernel memory limit (ignored by new kernels)"},
      {"kernel-memory-tcp", 0, FLAG_STRING, &kernel_memory_tcp, "SIZE", "kernel TCP memory limit (ignored)"},
      {"memory", 0, FLAG_STRING, &memory, "SIZE", "memory limit"},
      {"memory-reservation", 0, FLAG_STRING, &memory_reservation, "SIZE", "memory soft limit"},
      {"memory-swap", 0, FLAG_STRING, &memory_swap, "SIZE", "memory + swap limit"},
      {"pids-limit", 0, FLAG_STRING, &pids_limit, "N", "maximum number of processes"},
      {"l3-cache-schema", 0, FLAG_STRING, &ignored, "S", NULL},
      {"mem-bw-schema", 0, FLAG_STRING, &ignored, "S", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  int pos, r = verb_args (argc, argv, defs, "[flags] CONTAINER-ID", 1, 1, &pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;

  struct lcr_spec_resources *res = NULL;
  if (file)
    {
      cleanup_free char *json = NULL;
      size_t len;
      if (lcr_read_file (strcmp (file, "-") == 0 ? "/dev/stdin" : file, &json, &len, err) < 0)
        return lcr_error_wrap (err, "update --resources");
      res = lcr_spec_parse_resources (json, len, err);
      if (res == NULL)
        return lcr_error_wrap (err, "update --resources `%s`", file);
    }
  else
    res = xmalloc0 (sizeof *res);

  int64_t v;
#define MEM(flag, var, field)                                                                                          \
  if (var)                                                                                                             \
    {                                                                                                                  \
      if (res->memory == NULL)                                                                                         \
        res->memory = xmalloc0 (sizeof *res->memory);                                                                  \
      if (parse_size (flag, var, &v, err) < 0)                                                                         \
        goto fail;                                                                                                     \
      res->memory->field = v;                                                                                          \
      res->memory->has_##field = true;                                                                                 \
    }
#define CPU(flag, var, field, parse)                                                                                   \
  if (var)                                                                                                             \
    {                                                                                                                  \
      if (res->cpu == NULL)                                                                                            \
        res->cpu = xmalloc0 (sizeof *res->cpu);                                                                        \
      if (parse (flag, var, &v, err) < 0)                                                                              \
        goto fail;                                                                                                     \
      res->cpu->field = v;                                                                                             \
      res->cpu->has_##field = true;                                                                                    \
    }
  MEM ("memory", memory, limit);
  MEM ("memory-reservation", memory_reservation, reservation);
  MEM ("memory-swap", memory_swap, swap);
  MEM ("kernel-memory", kernel_memory, kernel);
  MEM ("kernel-memory-tcp", kernel_memory_tcp, kernel_tcp);
  CPU ("cpu-share", cpu_share, shares, parse_num);
  CPU ("cpu-quota", cpu_quota, quota, parse_num);
  CPU ("cpu-period", cpu_period, period, parse_num);
  CPU ("cpu-burst", cpu_burst, burst, parse_num);
  CPU ("cpu-rt-period", cpu_rt_period, realtime_period, parse_num);
  CPU ("cpu-rt-runtime", cpu_rt_runtime, realtime_runtime, parse_num);
  CPU ("cpu-idle", cpu_idle, idle, parse_num);
#undef MEM
#undef CPU
  if (cpuset_cpus || cpuset_mems)
    {
      if (res->cpu == NULL)
        res->cpu = xmalloc0 (sizeof *res->cpu);
      if (cpuset_cpus)
        {
          free (res->cpu->cpus);
          res->cpu->cpus = xstrdup (cpuset_cpus);
        }
      if (cpuset_mems)
        {
          free (res->cpu->mems);
          res->cpu->mems = xstrdup (cpuset_mems);
        }
    }
  if (pids_limit)
    {
      if (parse_num ("pids-limit", pids_limit, &v, err) < 0)
        goto fail;
      if (res->pids == NULL)
        res->pids = xmalloc0 (sizeof *res->pids);
      res->pids->limit = v;
    }
  if (blkio_weight)
    {
      if (parse_num ("blkio-weight", blkio_weight, &v, err) < 0)
        goto fail;
      if (v < 10 || v > 1000)
        {
          lcr_error_invalid (err, "update --blkio-weight: %lld is outside 10..1000", (long long)v);
          goto fail;
        }
      if (res->block_io == NULL)
        res->block_io = xmalloc0 (sizeof *res->block_io);
      res->block_io->weight = (uint16_t)v;
      res->block_io->has_weight = true;
    }
  r = lcr_container_update (ctx, argv[pos], res, err);
  lcr_spec_resources_free (res);
  return r < 0 ? -1 : 0;
fail:
  lcr_spec_resources_free (res);
  return -1;
}

static int
print_line (const char *line, void *data)
{
  (void)data;
  puts (line);
  return fflush (stdout) == 0 ? 0 : -1;
}

int
verb_events (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err)
{
  bool stats = false;
  const char *interval = "5s";
  const struct flag_def defs[] = {
      {"stats", 0, FLAG_BOOL, &stats, NULL, "print the container's stats once and exit"},
      {"interval", 0, FLAG_STRING, &interval, "DURATION", "time between stats (default 5s; 500ms, 2s, 1m)"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  int pos, r = verb_args (argc, argv, defs, "[flags] CONTAINER-ID", 1, 1, &pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  char *end;
  double n = strtod (interval, &end);
  double ms = strcmp (end, "ms") == 0                  ? n
              : strcmp (end, "s") == 0 || *end == '\0' ? n * 1000
              : strcmp (end, "m") == 0                 ? n * 60000
                                                       : -1;
  if (end == interval || ms <= 0)
    return lcr_error_invalid (err, "events --interval: `%s` is not a duration (500ms, 5s, 1m)", interval);
  return lcr_container_events (ctx, argv[pos], stats, (int)ms, print_line, NULL, err) < 0 ? -1 : 0;
}
