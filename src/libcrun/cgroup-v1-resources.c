/* berth — resources on cgroupfs v1: one writer per controller, freezer,
 * stats and the OOM eventfd.  What is written, and in which order, follows
 * runc 1.1 (libcontainer/cgroups/fs).  On a hybrid host a controller that is
 * not mounted as v1 but sits in the unified hierarchy (hugetlb here) is set
 * there with the v2 writer; the freezer falls back to cgroup.freeze. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "utils.h"

/* The hierarchy holding `ctrl` ("cpu" is in "cpu,cpuacct" or "cpu"). */
static const char *
hierarchy_of (struct lcr_cgroup *cg, const char *ctrl)
{
  size_t cl = strlen (ctrl);
  for (size_t i = 0; i < cg->hierarchies_len; i++)
    for (const char *p = cg->hierarchies[i]; p;)
      {
        const char *comma = strchr (p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen (p);
        if (len == cl && strncmp (p, ctrl, cl) == 0)
          return cg->hierarchies[i];
        p = comma ? comma + 1 : NULL;
      }
  return NULL;
}

/* root/<hierarchy of ctrl>/path, or NULL when the controller is not mounted */
static char *
ctrl_dir (struct lcr_cgroup *cg, const char *ctrl)
{
  const char *h = hierarchy_of (cg, ctrl);
  char *d = NULL;
  if (h)
    xasprintf (&d, "%s/%s%s", cg->root, h, cg->path);
  return d;
}

static char *
parent_of (const char *dir)
{
  char *p = xstrdup (dir);
  char *slash = strrchr (p, '/');
  if (slash && slash != p)
    *slash = '\0';
  return p;
}

static int
no_controller (const char *ctrl, const char *field, lcr_error_t *err)
{
  return lcr_error_make (err, ENOENT, LCR_ERR_SYSTEM, "%s.%s: the %s cgroup controller is not mounted", LCR_RES, field,
                         ctrl);
}

/* The unified hierarchy of a hybrid host, if it offers `ctrl`. */
static char *
unified_with (struct lcr_cgroup *cg, const char *ctrl)
{
  cleanup_free char *root = NULL, *ctrls = NULL;
  if (hierarchy_of (cg, "unified") == NULL)
    return NULL;
  xasprintf (&root, "%s/unified", cg->root);
  if (lcr_cgr (root, "cgroup.controllers", &ctrls) < 0)
    return NULL;
  for (char *save = NULL, *w = strtok_r (ctrls, " \n", &save); w; w = strtok_r (NULL, " \n", &save))
    if (strcmp (w, ctrl) == 0)
      return steal_pointer (&root);
  return NULL;
}

/* ------------------------------------------------------------------ memory */

static int
set_memory (struct lcr_cgroup *cg, struct lcr_spec_memory *m, bool update, lcr_error_t *err)
{
  char v[32];
  if (!(m->has_limit || m->has_swap || m->has_reservation || m->has_swappiness || m->disable_oom_killer))
    return 0;
  cleanup_free char *dir = ctrl_dir (cg, "memory");
  if (dir == NULL)
    return no_controller ("memory", "memory", err);
  int64_t limit = m->has_limit ? m->limit : 0, swap = m->has_swap ? m->swap : 0;
  if (update && m->check_before_update && limit > 0)
    {
      uint64_t usage;
      if (lcr_cgr_u64 (dir, "memory.usage_in_bytes", &usage) == 0 && (uint64_t)limit < usage)
        return lcr_error_make (err, EBUSY, LCR_ERR_INVALID,
                               "%s.memory.limit: %" PRId64 " is below the current usage %" PRIu64
                               " (checkBeforeUpdate)",
                               LCR_RES, limit, usage);
    }
  /* "unlimited memory" means unlimited memory+swap too */
  if (limit == -1 && swap == 0 && lcr_cg_exists (dir, "memory.memsw.limit_in_bytes"))
    swap = -1;
  /* The kernel wants memsw >= limit at every step: raise memsw first when
     the new memsw is above the current limit. */
  bool swap_first = false;
  if (limit != 0 && swap != 0)
    {
      uint64_t cur = 0;
      if (lcr_cgr_u64 (dir, "memory.limit_in_bytes", &cur) < 0)
        return lcr_error_make (err, errno, LCR_ERR_SYSTEM, "%s.memory.limit: read memory.limit_in_bytes", LCR_RES);
      swap_first = swap == -1 || cur < (uint64_t)swap;
    }
  for (int step = 0; step < 2; step++)
    {
      bool do_swap = (step == 0) == swap_first;
      int64_t val = do_swap ? swap : limit;
      if (val == 0)
        continue;
      snprintf (v, sizeof v, "%" PRId64, val);
      if (lcr_cgw (dir, do_swap ? "memory.memsw.limit_in_bytes" : "memory.limit_in_bytes", v,
                   do_swap ? LCR_RES ".memory.swap" : LCR_RES ".memory.limit", err)
          < 0)
        return -1;
    }
  if (m->has_reservation && m->reservation != 0)
    {
      snprintf (v, sizeof v, "%" PRId64, m->reservation);
      if (lcr_cgw (dir, "memory.soft_limit_in_bytes", v, LCR_RES ".memory.reservation", err) < 0)
        return -1;
    }
  /* kernel and kernelTCP are accepted and ignored, as runc does: kernel 5.16
     stopped honouring memory.kmem.limit_in_bytes (6.x rejects writes) and
     kmem.tcp limits are deprecated with it. */
  if (m->disable_oom_killer && lcr_cgw (dir, "memory.oom_control", "1", LCR_RES ".memory.disableOOMKiller", err) < 0)
    return -1;
  if (m->has_swappiness)
    {
      snprintf (v, sizeof v, "%" PRIu64, m->swappiness);
      if (lcr_cgw (dir, "memory.swappiness", v, LCR_RES ".memory.swappiness", err) < 0)
        return -1;
    }
  return 0;
}

/* ------------------------------------------------------------------ cpu, cpuset */

static int
set_cpu (struct lcr_cgroup *cg, struct lcr_spec_cpu *c, lcr_error_t *err)
{
  if (!(c->has_shares || c->has_quota || c->has_period || c->has_burst || c->has_idle || c->has_realtime_period
        || c->has_realtime_runtime))
    return 0;
  cleanup_free char *dir = ctrl_dir (cg, "cpu");
  if (dir == NULL)
    return no_controller ("cpu", "cpu", err);
  /* real-time first: a task already SCHED_RR cannot join a group without
     an rt budget */
  if (c->has_realtime_period && c->realtime_period
      && lcr_cgw_fmt (dir, "cpu.rt_period_us", LCR_RES ".cpu.realtimePeriod", err, "%" PRIu64, c->realtime_period) < 0)
    return -1;
  if (c->has_realtime_runtime && c->realtime_runtime
      && lcr_cgw_fmt (dir, "cpu.rt_runtime_us", LCR_RES ".cpu.realtimeRuntime", err, "%" PRId64, c->realtime_runtime)
             < 0)
    return -1;
  if (c->has_shares && c->shares)
    {
      uint64_t got;
      if (lcr_cgw_fmt (dir, "cpu.shares", LCR_RES ".cpu.shares", err, "%" PRIu64, c->shares) < 0)
        return -1;
      /* the kernel clamps silently */
      if (lcr_cgr_u64 (dir, "cpu.shares", &got) == 0 && got != c->shares)
        return lcr_error_invalid (err, "%s.cpu.shares: the kernel allows %s %" PRIu64 ", got %" PRIu64, LCR_RES,
                                  got < c->shares ? "at most" : "at least", got, c->shares);
    }
  /* A period below the current one can be refused (EINVAL) while the old
     quota is in place: then set the quota and retry, as runc does. */
  bool period_pending = false;
  if (c->has_period && c->period)
    {
      lcr_error_t e = NULL;
      if (lcr_cgw_fmt (dir, "cpu.cfs_period_us", LCR_RES ".cpu.period", &e, "%" PRIu64, c->period) < 0)
        {
          if (!(e->errno_ == EINVAL && c->has_quota && c->quota))
            {
              *err = e;
              return -1;
            }
          lcr_error_release (&e);
          period_pending = true;
        }
    }
  if (c->has_quota && c->quota)
    {
      if (lcr_cgw_fmt (dir, "cpu.cfs_quota_us", LCR_RES ".cpu.quota", err, "%" PRId64, c->quota) < 0)
        return -1;
      if (period_pending
          && lcr_cgw_fmt (dir, "cpu.cfs_period_us", LCR_RES ".cpu.period", err, "%" PRIu64, c->period) < 0)
        return -1;
    }
  if (c->has_burst && lcr_cgw_fmt (dir, "cpu.cfs_burst_us", LCR_RES ".cpu.burst", err, "%" PRIu64, c->burst) < 0)
    return -1;
  /* cpu.idle appeared in v1 too (5.15) */
  if (c->has_idle && lcr_cgw_fmt (dir, "cpu.idle", LCR_RES ".cpu.idle", err, "%" PRId64, c->idle) < 0)
    return -1;
  return 0;
}

static int
set_cpuset (struct lcr_cgroup *cg, struct lcr_spec_cpu *c, lcr_error_t *err)
{
  bool cpus = c->cpus && c->cpus[0], mems = c->mems && c->mems[0];
  if (!cpus && !mems)
    return 0;
  cleanup_free char *dir = ctrl_dir (cg, "cpuset");
  if (dir == NULL)
    return no_controller ("cpuset", "cpu.cpus", err);
  cleanup_free char *parent = parent_of (dir);
  if (cpus)
    {
      const char *pf = lcr_cg_exists (parent, "cpuset.effective_cpus") ? "cpuset.effective_cpus" : "cpuset.cpus";
      if (lcr_cgroup_check_cpuset (c->cpus, parent, pf, "cpu.cpus", err) < 0
          || lcr_cgw (dir, "cpuset.cpus", c->cpus, LCR_RES ".cpu.cpus", err) < 0)
        return -1;
    }
  if (mems)
    {
      const char *pf = lcr_cg_exists (parent, "cpuset.effective_mems") ? "cpuset.effective_mems" : "cpuset.mems";
      if (lcr_cgroup_check_cpuset (c->mems, parent, pf, "cpu.mems", err) < 0
          || lcr_cgw (dir, "cpuset.mems", c->mems, LCR_RES ".cpu.mems", err) < 0)
        return -1;
    }
  return 0;
}

/* ------------------------------------------------------------------ pids */

static int
set_pids (struct lcr_cgroup *cg, struct lcr_spec_pids *p, lcr_error_t *err)
{
  cleanup_free char *dir = ctrl_dir (cg, "pids");
  if (dir == NULL)
    return no_controller ("pids", "pids.limit", err);
  if (p->limit > 0)
    return lcr_cgw_fmt (dir, "pids.max", LCR_RES ".pids.limit", err, "%" PRId64, p->limit);
  return lcr_cgw (dir, "pids.max", "max", LCR_RES ".pids.limit", err);
}

/* ------------------------------------------------------------------ blkio */

static int
set_blkio (struct lcr_cgroup *cg, struct lcr_spec_block_io *b, lcr_error_t *err)
{
  char f[96];
  cleanup_free char *dir = ctrl_dir (cg, "blkio");
  if (dir == NULL)
    return no_controller ("blkio", "blockIO", err);
  /* CFQ's files, gone with CFQ in 5.0; BFQ's otherwise (runc's choice) */
  bool cfq = lcr_cg_exists (dir, "blkio.weight");
  const char *wfile = cfq ? "blkio.weight" : "blkio.bfq.weight";
  const char *wdfile = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";
  if (b->has_weight && b->weight
      && lcr_cgw_fmt (dir, wfile, LCR_RES ".blockIO.weight", err, "%u", (unsigned)b->weight) < 0)
    return -1;
  if (b->has_leaf_weight && b->leaf_weight
      && lcr_cgw_fmt (dir, "blkio.leaf_weight", LCR_RES ".blockIO.leafWeight", err, "%u", (unsigned)b->leaf_weight) < 0)
    return -1;
  for (size_t i = 0; i < b->weight_device_len; i++)
    {
      const struct lcr_spec_weight_device *w = &b->weight_device[i];
      char v[64];
      if (w->has_weight && w->weight)
        {
          snprintf (f, sizeof f, LCR_RES ".blockIO.weightDevice[%zu].weight", i);
          snprintf (v, sizeof v, "%" PRId64 ":%" PRId64 " %u", w->major, w->minor, (unsigned)w->weight);
          if (lcr_cgw_append (dir, wdfile, v, f, err) < 0)
            return -1;
        }
      if (w->has_leaf_weight && w->leaf_weight)
        {
          snprintf (f, sizeof f, LCR_RES ".blockIO.weightDevice[%zu].leafWeight", i);
          snprintf (v, sizeof v, "%" PRId64 ":%" PRId64 " %u", w->major, w->minor, (unsigned)w->leaf_weight);
          if (lcr_cgw_append (dir, "blkio.leaf_weight_device", v, f, err) < 0)
            return -1;
        }
    }
  const struct
  {
    const char *name, *file;
    const struct lcr_spec_throttle_device *t;
    size_t n;
  } th[] = {
      {"throttleReadBpsDevice", "blkio.throttle.read_bps_device", b->throttle_read_bps_device,
       b->throttle_read_bps_device_len},
      {"throttleWriteBpsDevice", "blkio.throttle.write_bps_device", b->throttle_write_bps_device,
       b->throttle_write_bps_device_len},
      {"throttleReadIOPSDevice", "blkio.throttle.read_iops_device", b->throttle_read_iops_device,
       b->throttle_read_iops_device_len},
      {"throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", b->throttle_write_iops_device,
       b->throttle_write_iops_device_len},
  };
  for (size_t k = 0; k < sizeof th / sizeof th[0]; k++)
    for (size_t i = 0; i < th[k].n; i++)
      {
        char v[96];
        snprintf (f, sizeof f, LCR_RES ".blockIO.%s[%zu]", th[k].name, i);
        snprintf (v, sizeof v, "%" PRId64 ":%" PRId64 " %" PRIu64, th[k].t[i].major, th[k].t[i].minor, th[k].t[i].rate);
        if (lcr_cgw_append (dir, th[k].file, v, f, err) < 0)
          return -1;
      }
  return 0;
}

/* ------------------------------------------------------------------ hugetlb, net, rdma */

static int
set_hugetlb (struct lcr_cgroup *cg, struct lcr_spec_resources *res, bool update, lcr_error_t *err)
{
  cleanup_free char *dir = ctrl_dir (cg, "hugetlb");
  if (dir == NULL)
    {
      /* hybrid: hugetlb lives in the unified hierarchy */
      cleanup_free char *uroot = unified_with (cg, "hugetlb");
      if (uroot == NULL)
        return no_controller ("hugetlb", "hugepageLimits", err);
      return lcr_cgroup_v2_apply_dir (uroot, cg->path, res, update, true, err);
    }
  return lcr_cg_set_hugetlb (dir, res, "limit_in_bytes", err);
}

static int
set_network (struct lcr_cgroup *cg, struct lcr_spec_network *n, lcr_error_t *err)
{
  if (n->has_class_id)
    {
      cleanup_free char *dir = ctrl_dir (cg, "net_cls");
      if (dir == NULL)
        return no_controller ("net_cls", "network.classID", err);
      if (lcr_cgw_fmt (dir, "net_cls.classid", LCR_RES ".network.classID", err, "%" PRIu32, n->class_id) < 0)
        return -1;
    }
  if (n->priorities_len)
    {
      cleanup_free char *dir = ctrl_dir (cg, "net_prio");
      if (dir == NULL)
        return no_controller ("net_prio", "network.priorities", err);
      for (size_t i = 0; i < n->priorities_len; i++)
        {
          char f[64];
          cleanup_free char *v = NULL;
          snprintf (f, sizeof f, LCR_RES ".network.priorities[%zu]", i);
          xasprintf (&v, "%s %" PRIu32, n->priorities[i].name, n->priorities[i].priority);
          if (lcr_cgw_append (dir, "net_prio.ifpriomap", v, f, err) < 0)
            return -1;
        }
    }
  return 0;
}

static int
set_rdma (struct lcr_cgroup *cg, struct lcr_spec_resources *res, lcr_error_t *err)
{
  cleanup_free char *dir = ctrl_dir (cg, "rdma");
  if (dir == NULL)
    return no_controller ("rdma", "rdma", err);
  return lcr_cg_set_rdma (dir, res, err);
}

/* ------------------------------------------------------------------ devices */

static bool
rule_in (const char *line, const struct lcr_dev_rule *rules, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      char s[64];
      lcr_dev_rule_string (&rules[i], s, sizeof s);
      if (rules[i].allow && strcmp (s, line) == 0)
        return true;
    }
  return false;
}

static int
set_devices (struct lcr_cgroup *cg, struct lcr_spec_resources *res, bool update, lcr_error_t *err)
{
  if (update && res->devices_len == 0)
    return 0;
  cleanup_free char *dir = ctrl_dir (cg, "devices");
  if (dir == NULL)
    return no_controller ("devices", "devices", err);
  cleanup_free struct lcr_dev_rule *rules = NULL;
  size_t n = lcr_cgroup_device_rules (res, &rules), first = 0;
  /* A running container must not lose /dev/null for a moment: when the
     cgroup already is a whitelist, skip the "deny all" and only withdraw the
     entries the new rules do not allow. */
  cleanup_free char *list = NULL;
  if (update && lcr_cgr (dir, "devices.list", &list) == 0 && strncmp (list, "a *:* rwm", 9) != 0)
    {
      first = 1;
      for (char *save = NULL, *line = strtok_r (list, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
        if (!rule_in (line, rules, n) && lcr_cgw_append (dir, "devices.deny", line, LCR_RES ".devices", err) < 0)
          return -1;
    }
  for (size_t i = first; i < n; i++)
    {
      char s[64], f[64];
      lcr_dev_rule_string (&rules[i], s, sizeof s);
      if (i >= 1 && i <= res->devices_len)
        snprintf (f, sizeof f, LCR_RES ".devices[%zu]", i - 1);
      else
        snprintf (f, sizeof f, LCR_RES ".devices");
      if (lcr_cgw_append (dir, rules[i].allow ? "devices.allow" : "devices.deny", s, f, err) < 0)
        return -1;
    }
  return 0;
}

/* ------------------------------------------------------------------ apply */

static int
set_unified (struct lcr_cgroup *cg, struct lcr_spec_resources *res, lcr_error_t *err)
{
  /* Only what the hybrid host's unified hierarchy offers can be set. */
  for (size_t i = 0; i < res->unified_len; i++)
    {
      const char *k = res->unified[i].key;
      char ctrl[64], f[160];
      snprintf (ctrl, sizeof ctrl, "%.*s", (int)strcspn (k, "."), k);
      snprintf (f, sizeof f, LCR_RES ".unified[\"%s\"]", k);
      cleanup_free char *uroot = NULL;
      if (strcmp (ctrl, "cgroup") != 0)
        uroot = unified_with (cg, ctrl);
      else if (hierarchy_of (cg, "unified"))
        xasprintf (&uroot, "%s/unified", cg->root);
      if (uroot == NULL)
        return lcr_error_invalid (err, "%s: cgroup v1 has no unified hierarchy with the %s controller", f, ctrl);
      const char *only[] = {ctrl, NULL};
      cleanup_free char *dir = NULL;
      xasprintf (&dir, "%s%s", uroot, cg->path);
      if ((strcmp (ctrl, "cgroup") != 0 && lcr_cgroup_v2_enable_controllers (uroot, cg->path, only, err) < 0)
          || lcr_cgw (dir, k, res->unified[i].value, f, err) < 0)
        return -1;
    }
  return 0;
}

int
lcr_cgroup_v1_apply (struct lcr_cgroup *cg, struct lcr_spec_resources *res, bool update, lcr_error_t *err)
{
  /* runc's order: cpuset, devices, memory, cpu, pids, blkio, hugetlb, net, rdma */
  if (res->cpu && set_cpuset (cg, res->cpu, err) < 0)
    return -1;
  if (set_devices (cg, res, update, err) < 0)
    return -1;
  if (res->memory && set_memory (cg, res->memory, update, err) < 0)
    return -1;
  if (res->cpu && set_cpu (cg, res->cpu, err) < 0)
    return -1;
  if (res->pids && set_pids (cg, res->pids, err) < 0)
    return -1;
  if (res->block_io && set_blkio (cg, res->block_io, err) < 0)
    return -1;
  if (res->hugepage_limits_len && set_hugetlb (cg, res, update, err) < 0)
    return -1;
  if (res->network && set_network (cg, res->network, err) < 0)
    return -1;
  if (res->rdma_len && set_rdma (cg, res, err) < 0)
    return -1;
  if (res->unified_len && set_unified (cg, res, err) < 0)
    return -1;
  return 0;
}

/* ------------------------------------------------------------------ freezer */

static void
sleep_us (long us)
{
  struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
  nanosleep (&ts, NULL);
}

int
lcr_cgroup_v1_freeze (struct lcr_cgroup *cg, bool frozen, lcr_error_t *err)
{
  cleanup_free char *dir = ctrl_dir (cg, "freezer");
  if (dir == NULL)
    {
      cleanup_free char *udir = NULL;
      if (hierarchy_of (cg, "unified") == NULL)
        return no_controller ("freezer", "freezer", err);
      xasprintf (&udir, "%s/unified%s", cg->root, cg->path);
      return lcr_cgroup_v2_freeze_dir (udir, frozen, err);
    }
  if (!frozen)
    return lcr_cgw (dir, "freezer.state", "THAWED", "freezer", err);
  /* A cgroup v1 can stay FREEZING while tasks keep forking: write again,
     thaw now and then to let it settle (runc's recipe), give up after ~5 s. */
  for (int i = 0; i < 1000; i++)
    {
      if (i % 50 == 49)
        {
          lcr_cgw (dir, "freezer.state", "THAWED", "freezer", NULL);
          sleep_us (10000);
        }
      if (lcr_cgw (dir, "freezer.state", "FROZEN", "freezer", err) < 0)
        return -1;
      cleanup_free char *state = NULL;
      if (lcr_cgr (dir, "freezer.state", &state) < 0)
        return lcr_error_sys (err, "freezer: read freezer.state");
      if (strncmp (state, "FROZEN", 6) == 0)
        return 0;
      if (strncmp (state, "FREEZING", 8) != 0)
        return lcr_error_make (err, 0, LCR_ERR_SYSTEM, "freezer: unexpected state `%.*s` while freezing",
                               (int)strcspn (state, "\n"), state);
      sleep_us (i < 100 ? 100 : 5000);
    }
  lcr_cgw (dir, "freezer.state", "THAWED", "freezer", NULL);
  return lcr_error_make (err, EBUSY, LCR_ERR_SYSTEM, "freezer: the cgroup did not freeze");
}

int
lcr_cgroup_v1_is_frozen (struct lcr_cgroup *cg, bool *frozen)
{
  cleanup_free char *dir = ctrl_dir (cg, "freezer"), *state = NULL;
  *frozen = false;
  if (dir == NULL)
    {
      cleanup_free char *udir = NULL;
      uint64_t v = 0;
      if (hierarchy_of (cg, "unified") == NULL)
        return -1;
      xasprintf (&udir, "%s/unified%s", cg->root, cg->path);
      if (lcr_cgr_u64 (udir, "cgroup.freeze", &v) < 0)
        return -1;
      *frozen = v == 1;
      return 0;
    }
  if (lcr_cgr (dir, "freezer.state", &state) < 0)
    return -1;
  *frozen = strncmp (state, "THAWED", 6) != 0;
  return 0;
}

/* ------------------------------------------------------------------ stats */

/* "8:0 Read 4096" lines (and a "Total N" line, skipped) */
static void
read_blkio (const char *dir, const char *const *files, struct lcr_cgroup_blkio_entry **out, size_t *n)
{
  for (const char *const *f = files; *f; f++)
    {
      cleanup_free char *s = NULL;
      if (lcr_cgr (dir, *f, &s) < 0)
        continue;
      size_t cap = 0;
      for (char *save = NULL, *line = strtok_r (s, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
        {
          struct lcr_cgroup_blkio_entry e = {0};
          char op[16];
          if (sscanf (line, "%" SCNu64 ":%" SCNu64 " %15s %" SCNu64, &e.major, &e.minor, op, &e.value) != 4)
            continue;
          snprintf (e.op, sizeof e.op, "%s", op);
          if (*n + 1 > cap)
            *out = xrealloc (*out, (cap = cap ? cap * 2 : 16) * sizeof **out);
          (*out)[(*n)++] = e;
        }
      if (*n)
        return;
    }
}

static void
read_u64_list (const char *dir, const char *file, uint64_t **out, size_t *n)
{
  cleanup_free char *s = NULL;
  if (lcr_cgr (dir, file, &s) < 0)
    return;
  size_t cap = 0;
  for (char *p = s, *end;; p = end)
    {
      uint64_t v = strtoull (p, &end, 10);
      if (end == p)
        break;
      if (*n + 1 > cap)
        *out = xrealloc (*out, (cap = cap ? cap * 2 : 16) * sizeof **out);
      (*out)[(*n)++] = v;
    }
}

static void
read_mem_entry (const char *dir, const char *prefix, struct lcr_cgroup_mem_entry *e, bool *has)
{
  char f[96];
  snprintf (f, sizeof f, "%s.usage_in_bytes", prefix);
  if (lcr_cgr_u64 (dir, f, &e->usage) < 0)
    return;
  if (has)
    *has = true;
  snprintf (f, sizeof f, "%s.max_usage_in_bytes", prefix);
  lcr_cgr_u64 (dir, f, &e->max);
  snprintf (f, sizeof f, "%s.limit_in_bytes", prefix);
  lcr_cgr_u64 (dir, f, &e->limit);
  snprintf (f, sizeof f, "%s.failcnt", prefix);
  lcr_cgr_u64 (dir, f, &e->failcnt);
}

static void
read_raw (const char *dir, const char *file, struct lcr_cgroup_stats *st)
{
  cleanup_free char *s = NULL;
  if (lcr_cgr (dir, file, &s) < 0)
    return;
  size_t cap = 0;
  for (char *save = NULL, *line = strtok_r (s, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *sp = strchr (line, ' ');
      if (sp == NULL)
        continue;
      *sp = '\0';
      if (st->memory.raw_len + 1 > cap)
        st->memory.raw = xrealloc (st->memory.raw, (cap = cap ? cap * 2 : 64) * sizeof *st->memory.raw);
      st->memory.raw[st->memory.raw_len++] = (struct lcr_cgroup_kv_u64){xstrdup (line), strtoull (sp + 1, NULL, 10)};
    }
}

int
lcr_cgroup_v1_stats (struct lcr_cgroup *cg, struct lcr_cgroup_stats *st, lcr_error_t *err)
{
  cleanup_free char *acct = ctrl_dir (cg, "cpuacct"), *cpu = ctrl_dir (cg, "cpu"), *mem = ctrl_dir (cg, "memory"),
                    *pids = ctrl_dir (cg, "pids"), *blkio = ctrl_dir (cg, "blkio"), *huge = ctrl_dir (cg, "hugetlb");
  if (acct)
    {
      uint64_t ticks;
      long hz = sysconf (_SC_CLK_TCK);
      lcr_cgr_u64 (acct, "cpuacct.usage", &st->cpu.total);
      read_u64_list (acct, "cpuacct.usage_percpu", &st->cpu.percpu, &st->cpu.percpu_len);
      read_u64_list (acct, "cpuacct.usage_percpu_user", &st->cpu.percpu_user, &st->cpu.percpu_user_len);
      read_u64_list (acct, "cpuacct.usage_percpu_sys", &st->cpu.percpu_kernel, &st->cpu.percpu_kernel_len);
      /* cpuacct.stat counts USER_HZ ticks */
      if (hz > 0 && lcr_cgr_keyed (acct, "cpuacct.stat", "user", &ticks) == 0)
        st->cpu.user = ticks * (1000000000ull / (uint64_t)hz);
      if (hz > 0 && lcr_cgr_keyed (acct, "cpuacct.stat", "system", &ticks) == 0)
        st->cpu.kernel = ticks * (1000000000ull / (uint64_t)hz);
    }
  if (cpu)
    {
      lcr_cgr_keyed (cpu, "cpu.stat", "nr_periods", &st->cpu.periods);
      lcr_cgr_keyed (cpu, "cpu.stat", "nr_throttled", &st->cpu.throttled_periods);
      lcr_cgr_keyed (cpu, "cpu.stat", "throttled_time", &st->cpu.throttled_time);
    }
  if (mem)
    {
      read_mem_entry (mem, "memory", &st->memory.usage, NULL);
      read_mem_entry (mem, "memory.memsw", &st->memory.swap, &st->memory.has_swap);
      read_mem_entry (mem, "memory.kmem", &st->memory.kernel, &st->memory.has_kernel);
      read_mem_entry (mem, "memory.kmem.tcp", &st->memory.kernel_tcp, &st->memory.has_kernel_tcp);
      read_raw (mem, "memory.stat", st);
      for (size_t i = 0; i < st->memory.raw_len; i++)
        if (strcmp (st->memory.raw[i].key, "cache") == 0)
          st->memory.cache = st->memory.raw[i].value;
      lcr_cgr_keyed (mem, "memory.oom_control", "oom_kill", &st->memory.oom_kill);
    }
  if (pids)
    {
      lcr_cgr_u64 (pids, "pids.current", &st->pids.current);
      lcr_cgr_u64 (pids, "pids.max", &st->pids.limit);
      if (st->pids.limit == UINT64_MAX)
        st->pids.limit = 0;
    }
  if (blkio)
    {
      static const char *const bytes[] = {"blkio.io_service_bytes_recursive", "blkio.bfq.io_service_bytes_recursive",
                                          "blkio.throttle.io_service_bytes_recursive", NULL};
      static const char *const ios[] = {"blkio.io_serviced_recursive", "blkio.bfq.io_serviced_recursive",
                                        "blkio.throttle.io_serviced_recursive", NULL};
      read_blkio (blkio, bytes, &st->blkio.io_service_bytes_recursive, &st->blkio.io_service_bytes_recursive_len);
      read_blkio (blkio, ios, &st->blkio.io_serviced_recursive, &st->blkio.io_serviced_recursive_len);
    }
  if (huge)
    {
      cleanup_dir DIR *d = opendir (huge);
      struct dirent *de;
      while (d && (de = readdir (d)))
        {
          char size[16], f[96];
          size_t len = strlen (de->d_name);
          if (strncmp (de->d_name, "hugetlb.", 8) != 0 || len < 8 + 16
              || strcmp (de->d_name + len - 15, ".limit_in_bytes") != 0 || len - 8 - 15 >= sizeof size)
            continue;
          snprintf (size, sizeof size, "%.*s", (int)(len - 8 - 15), de->d_name + 8);
          if (strchr (size, '.'))
            continue; /* hugetlb.2MB.rsvd.limit_in_bytes */
          st->hugetlb = xrealloc (st->hugetlb, (st->hugetlb_len + 1) * sizeof *st->hugetlb);
          struct lcr_cgroup_hugetlb_stats *h = &st->hugetlb[st->hugetlb_len++];
          memset (h, 0, sizeof *h);
          snprintf (h->page_size, sizeof h->page_size, "%s", size);
          snprintf (f, sizeof f, "hugetlb.%s.usage_in_bytes", size);
          lcr_cgr_u64 (huge, f, &h->usage);
          snprintf (f, sizeof f, "hugetlb.%s.max_usage_in_bytes", size);
          lcr_cgr_u64 (huge, f, &h->max);
          snprintf (f, sizeof f, "hugetlb.%s.failcnt", size);
          lcr_cgr_u64 (huge, f, &h->failcnt);
        }
    }
  else
    {
      cleanup_free char *uroot = unified_with (cg, "hugetlb"), *udir = NULL;
      if (uroot)
        {
          struct lcr_cgroup_stats tmp = {0};
          xasprintf (&udir, "%s%s", uroot, cg->path);
          if (lcr_cgroup_v2_stats_dir (udir, &tmp, NULL) == 0)
            {
              st->hugetlb = steal_pointer (&tmp.hugetlb);
              st->hugetlb_len = tmp.hugetlb_len;
              tmp.hugetlb_len = 0;
            }
          lcr_cgroup_stats_free (&tmp);
        }
    }
  (void)err;
  return 0;
}

/* ------------------------------------------------------------------ OOM */

int
lcr_cgroup_v1_oom_watch (struct lcr_cgroup *cg, struct lcr_cgroup_oom_watch *w, lcr_error_t *err)
{
  cleanup_free char *dir = ctrl_dir (cg, "memory"), *path = NULL;
  if (dir == NULL)
    return no_controller ("memory", "memory", err);
  xasprintf (&path, "%s/memory.oom_control", dir);
  cleanup_close int ofd = open (path, O_RDONLY | O_CLOEXEC);
  if (ofd < 0)
    return lcr_error_sys (err, "open `%s`", path);
  cleanup_close int efd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (efd < 0)
    return lcr_error_sys (err, "eventfd");
  char v[32];
  snprintf (v, sizeof v, "%d %d", efd, ofd);
  /* the kernel keeps its own reference to memory.oom_control */
  if (lcr_cgw (dir, "cgroup.event_control", v, "memory", err) < 0)
    return -1;
  w->fd = steal_fd (&efd);
  w->kind = LCR_CGROUP_V1;
  w->events_path = steal_pointer (&path);
  return 0;
}
