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

/* A size as runc's update takes it: "-1" (unlimited), or digits with an
   optional fraction, an optional space, then an optional unit k/m/g/t/p
   (powers of 1024), optionally followed by "i" and/or "b": "512m", "1.5G",
   "100 MiB", "4096". */
static int
parse_size (const char *flag, const char *s, int64_t *out, lcr_error_t *err)
{
  if (strcmp (s, "-1") == 0)
    {
      *out = -1;
      return 0;
    }
  const char *p = s;
  while (isdigit ((unsigned char)*p))
    p++;
  if (p == s)
    return lcr_error_invalid (err, "update --%s: `%s` is not a size (512m, 1.5g, 4096, -1)", flag, s);
  if (*p == '.')
    {
      const char *frac = ++p;
      while (isdigit ((unsigned char)*p))
        p++;
      if (p == frac)
        return lcr_error_invalid (err, "update --%s: `%s` is not a size (512m, 1.5g, 4096, -1)", flag, s);
    }
  size_t num_len = (size_t)(p - s);
  if (*p == ' ')
    p++;
  static const char units[] = "kmgtp";
  int shift = 0;
  const char *u = *p ? strchr (units, tolower ((unsigned char)*p)) : NULL;
  if (u)
    {
      shift = (int)(u - units + 1) * 10;
      p++;
    }
  if (tolower ((unsigned char)*p) == 'i')
    p++;
  if (tolower ((unsigned char)*p) == 'b')
    p++;
  if (*p)
    return lcr_error_invalid (err, "update --%s: `%s` is not a size (512m, 1.5g, 4096, -1)", flag, s);
  char num[64];
  if (num_len >= sizeof num)
    return lcr_error_invalid (err, "update --%s: `%s` is too large", flag, s);
  memcpy (num, s, num_len);
  num[num_len] = '\0';
  double v = strtod (num, NULL) * (double)(1ULL << shift);
  if (v >= 9.2e18)
    return lcr_error_invalid (err, "update --%s: `%s` is too large", flag, s);
  *out = (int64_t)v;
  return 0;
}

static int
parse_signed (const char *flag, const char *s, int64_t *out, lcr_error_t *err)
{
  long long v;
  if (lcr_parse_long (s, &v) < 0)
    return lcr_error_invalid (err, "update --%s: `%s` is not a number", flag, s);
  *out = v;
  return 0;
}

/* the flags runc parses as unsigned: a negative value is refused */
static int
parse_unsigned (const char *flag, const char *s, int64_t *out, lcr_error_t *err)
{
  long long v;
  if (lcr_parse_long (s, &v) < 0 || v < 0)
    return lcr_error_invalid (err, "update --%s: `%s` is not a number >= 0", flag, s);
  *out = v;
  return 0;
}

/* Intel RDT (resctrl): CAT is the L3 schema, MBA the memory bandwidth one. */
static int
check_rdt (const char *l3, const char *mb, lcr_error_t *err)
{
  if (l3 && l3[0] && access ("/sys/fs/resctrl/info/L3", F_OK) < 0)
    return lcr_error_invalid (err, "update --l3-cache-schema: Intel RDT/CAT is not enabled on this host "
                                   "(no /sys/fs/resctrl/info/L3)");
  if (mb && mb[0] && access ("/sys/fs/resctrl/info/MB", F_OK) < 0)
    return lcr_error_invalid (err, "update --mem-bw-schema: Intel RDT/MBA is not enabled on this host "
                                   "(no /sys/fs/resctrl/info/MB)");
  if ((l3 && l3[0]) || (mb && mb[0]))
    return lcr_error_invalid (err, "update: berth does not manage Intel RDT (resctrl) groups");
  return 0;
}

/* For every flag, 0 or "" means "leave as it is", as with runc: only the
   values given change. */
int
verb_update (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err)
{
  const char *file = NULL, *blkio_weight = NULL, *cpu_period = NULL, *cpu_quota = NULL, *cpu_burst = NULL,
             *cpu_rt_period = NULL, *cpu_rt_runtime = NULL, *cpu_share = NULL, *cpuset_cpus = NULL, *cpuset_mems = NULL,
             *kernel_memory = NULL, *kernel_memory_tcp = NULL, *memory = NULL, *memory_reservation = NULL,
             *memory_swap = NULL, *pids_limit = NULL, *cpu_idle = NULL, *l3_schema = NULL, *mb_schema = NULL;
  const struct flag_def defs[] = {
      {"resources", 'r', FLAG_STRING, &file, "FILE",
       "linux.resources JSON to apply, - for stdin (the flags below are then ignored)"},
      {"blkio-weight", 0, FLAG_STRING, &blkio_weight, "N", "block IO weight, 10 to 1000"},
      {"cpu-period", 0, FLAG_STRING, &cpu_period, "US", "CPU CFS period in microseconds"},
      {"cpu-quota", 0, FLAG_STRING, &cpu_quota, "US", "CPU CFS quota in microseconds per period (-1: none)"},
      {"cpu-share", 0, FLAG_STRING, &cpu_share, "N", "CPU shares, a weight relative to other cgroups"},
      {"cpu-rt-period", 0, FLAG_STRING, &cpu_rt_period, "US", "CPU real-time period in microseconds (v1)"},
      {"cpu-rt-runtime", 0, FLAG_STRING, &cpu_rt_runtime, "US", "CPU real-time runtime per period (v1)"},
      {"cpuset-cpus", 0, FLAG_STRING, &cpuset_cpus, "LIST", "CPUs the container may run on (0-3,7)"},
      {"cpuset-mems", 0, FLAG_STRING, &cpuset_mems, "LIST", "memory nodes the container may use"},
      {"kernel-memory", 0, FLAG_STRING, &kernel_memory, "SIZE", "kernel memory limit (ignored, as by runc)"},
      {"kernel-memory-tcp", 0, FLAG_STRING, &kernel_memory_tcp, "SIZE", "kernel TCP buffer limit (ignored)"},
      {"memory", 0, FLAG_STRING, &memory, "SIZE", "memory limit (512m, 1g; -1: none)"},
      {"memory-reservation", 0, FLAG_STRING, &memory_reservation, "SIZE", "memory soft limit"},
      {"memory-swap", 0, FLAG_STRING, &memory_swap, "SIZE", "memory plus swap limit (-1: unlimited swap)"},
      {"pids-limit", 0, FLAG_STRING, &pids_limit, "N", "maximum number of processes (-1: none)"},
      {"l3-cache-schema", 0, FLAG_STRING, &l3_schema, "SCHEMA", "Intel RDT/CAT L3 cache schema"},
      {"mem-bw-schema", 0, FLAG_STRING, &mb_schema, "SCHEMA", "Intel RDT/MBA memory bandwidth schema"},
      {"cpu-burst", 0, FLAG_STRING, &cpu_burst, "US", "CPU CFS burst in microseconds"},
      {"cpu-idle", 0, FLAG_STRING, &cpu_idle, "0|1", "SCHED_IDLE for the cgroup (v2)"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  int pos, r = verb_args (argc, argv, defs, "[flags] CONTAINER-ID", 1, 1, &pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (check_rdt (l3_schema, mb_schema, err) < 0)
    return -1;

  struct lcr_spec_resources *res = NULL;
  int64_t v;
  if (file)
    {
      cleanup_free char *json = NULL;
      size_t len;
      if (lcr_read_file (strcmp (file, "-") == 0 ? "/dev/stdin" : file, &json, &len, err) < 0)
        return lcr_error_wrap (err, "update --resources");
      res = lcr_spec_parse_resources (json, len, err);
      if (res == NULL)
        return lcr_error_wrap (err, "update --resources `%s`", file);
      const char *given[]
          = {blkio_weight,       cpu_period,  cpu_quota,   cpu_burst,     cpu_rt_period,     cpu_rt_runtime,
             cpu_share,          cpuset_cpus, cpuset_mems, kernel_memory, kernel_memory_tcp, memory,
             memory_reservation, memory_swap, pids_limit,  cpu_idle};
      for (size_t i = 0; i < sizeof given / sizeof given[0]; i++)
        if (given[i])
          {
            lcr_log (ctx->log, LCR_LOG_WARNING, "update: with --resources the other resource flags are ignored");
            break;
          }
      /* a pids limit of 0 is "unset" there too */
      if (res->pids && res->pids->limit == 0)
        {
          free (res->pids);
          res->pids = NULL;
        }
    }
  else
    {
      res = xmalloc0 (sizeof *res);
#define MEM(flag, var, field)                                                                                          \
  if (var)                                                                                                             \
    {                                                                                                                  \
      if (parse_size (flag, var, &v, err) < 0)                                                                         \
        goto fail;                                                                                                     \
      if (v != 0)                                                                                                      \
        {                                                                                                              \
          if (res->memory == NULL)                                                                                     \
            res->memory = xmalloc0 (sizeof *res->memory);                                                              \
          res->memory->field = v;                                                                                      \
          res->memory->has_##field = true;                                                                             \
        }                                                                                                              \
    }
#define CPU(flag, var, field, parse)                                                                                   \
  if (var)                                                                                                             \
    {                                                                                                                  \
      if (parse (flag, var, &v, err) < 0)                                                                              \
        goto fail;                                                                                                     \
      if (v != 0 || strcmp (flag, "cpu-idle") == 0)                                                                    \
        {                                                                                                              \
          if (res->cpu == NULL)                                                                                        \
            res->cpu = xmalloc0 (sizeof *res->cpu);                                                                    \
          res->cpu->field = v;                                                                                         \
          res->cpu->has_##field = true;                                                                                \
        }                                                                                                              \
    }
      MEM ("memory", memory, limit);
      MEM ("memory-reservation", memory_reservation, reservation);
      MEM ("memory-swap", memory_swap, swap);
      MEM ("kernel-memory", kernel_memory, kernel);
      MEM ("kernel-memory-tcp", kernel_memory_tcp, kernel_tcp);
      CPU ("cpu-share", cpu_share, shares, parse_unsigned);
      CPU ("cpu-quota", cpu_quota, quota, parse_signed);
      CPU ("cpu-period", cpu_period, period, parse_unsigned);
      CPU ("cpu-burst", cpu_burst, burst, parse_unsigned);
      CPU ("cpu-rt-period", cpu_rt_period, realtime_period, parse_unsigned);
      CPU ("cpu-rt-runtime", cpu_rt_runtime, realtime_runtime, parse_signed);
      CPU ("cpu-idle", cpu_idle, idle, parse_signed);
#undef MEM
#undef CPU
      if ((cpuset_cpus && cpuset_cpus[0]) || (cpuset_mems && cpuset_mems[0]))
        {
          if (res->cpu == NULL)
            res->cpu = xmalloc0 (sizeof *res->cpu);
          if (cpuset_cpus && cpuset_cpus[0])
            res->cpu->cpus = xstrdup (cpuset_cpus);
          if (cpuset_mems && cpuset_mems[0])
            res->cpu->mems = xstrdup (cpuset_mems);
        }
      if (pids_limit)
        {
          if (parse_signed ("pids-limit", pids_limit, &v, err) < 0)
            goto fail;
          if (v != 0)
            {
              res->pids = xmalloc0 (sizeof *res->pids);
              res->pids->limit = v;
            }
        }
      if (blkio_weight)
        {
          if (parse_unsigned ("blkio-weight", blkio_weight, &v, err) < 0)
            goto fail;
          if (v != 0 && (v < 10 || v > 1000))
            {
              lcr_error_invalid (err, "update --blkio-weight: %lld is outside 10..1000", (long long)v);
              goto fail;
            }
          if (v != 0)
            {
              res->block_io = xmalloc0 (sizeof *res->block_io);
              res->block_io->weight = (uint16_t)v;
              res->block_io->has_weight = true;
            }
        }
    }
  if (res->memory
      && ((res->memory->has_kernel && res->memory->kernel) || (res->memory->has_kernel_tcp && res->memory->kernel_tcp)))
    lcr_log (ctx->log, LCR_LOG_WARNING, "update: kernel memory limits are ignored (the kernel no longer has them)");
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
