/* dock — the resource flags `create`/`run` share with `update` (create-resources.c). */
#ifndef DOCK_CREATE_RESOURCES_H
#define DOCK_CREATE_RESOURCES_H

#include "container/create.h"

/* Raw flag values (argv strings; NULL: not given). */
struct dock_resource_flags
{
  const char *memory, *memory_swap, *memory_reservation, *cpus, *cpu_shares, *cpu_period, *cpu_quota;
  const char *cpuset_cpus, *cpuset_mems, *pids_limit, *blkio_weight;
  const char *restart; /* update only: create's --restart is a flag of its own but parsed alike */
};

/* Write the given flags into host_config in HostConfig's fields.  for_create: every field is
   written (0 / "" when not given, as docker's inspect shows them) and docker's daemon defaults
   applied (MemorySwap = 2 × Memory); otherwise only what was given. */
int dock_resources_apply (const struct dock_resource_flags *f, jv host_config, bool for_create, lcr_error_t *err);

#endif
