/* dock — a running container's resource use, read from its cgroup and its network namespace.
 *
 * The cgroup is found from /proc/PID/cgroup of the container's init and the host's cgroup
 * mounts (/proc/self/mountinfo): on cgroup v1 each controller has its own hierarchy (memory,
 * cpuacct, pids, blkio), on v2 one directory holds them all.  A hybrid host (v1 controllers
 * plus a unified hierarchy with few or none) reads each controller where it is mounted, v1
 * first.
 *
 *   what          | v1                                          | v2
 *   --------------+---------------------------------------------+------------------------------
 *   memory        | memory.usage_in_bytes - total_inactive_file | memory.current - inactive_file
 *   memory limit  | memory.limit_in_bytes                       | memory.max
 *   cpu           | cpuacct.usage (ns)                          | cpu.stat usage_usec
 *   pids          | pids.current                                | pids.current
 *   block I/O     | blkio.throttle.io_service_bytes_recursive   | io.stat rbytes / wbytes
 *   network       | /proc/PID/net/dev, every interface but lo (docker counts the endpoints')
 *
 * Memory as docker shows it: the page cache that could be dropped (inactive files) is not
 * counted, and a limit above the host's memory is the host's memory.
 */
#ifndef DOCK_STATS_H
#define DOCK_STATS_H

#include <stdbool.h>
#include <sys/types.h>

#include "dock.h"

struct dock_stats
{
  unsigned long long cpu_ns;    /* the container's CPU time */
  unsigned long long system_ns; /* the host's CPU time, all CPUs (/proc/stat) */
  unsigned online_cpus;
  unsigned long long mem_usage, mem_limit;
  unsigned long long net_rx, net_tx;
  unsigned long long blk_read, blk_write;
  unsigned long long pids;
};

/* One sample of the container whose init is `pid`. */
int dock_stats_read (pid_t pid, struct dock_stats *out, lcr_error_t *err);

/* docker's CPU %: the container's share of the host's CPU time between two samples, times the
   online CPUs (100% = one CPU busy). */
double dock_stats_cpu_percent (const struct dock_stats *pre, const struct dock_stats *cur);

/* The host directory of pid's cgroup for a v1 controller ("memory", "cpuacct", "pids",
   "blkio"), or, when that controller is not on v1, of its v2 cgroup when `v2_file` exists in it
   (e.g. "memory.max").  NULL when neither. *is_v2 tells which. */
char *dock_cgroup_dir (pid_t pid, const char *controller, const char *v2_file, bool *is_v2);

#endif
