/* berth — resources on cgroupfs v2: the writers (with runc's v1 → v2
 * conversions), controllers enabled down the tree, cgroup.freeze, stats
 * and OOM events through inotify on memory.events.  Devices are an eBPF
 * program (cgroup-ebpf.c).  The order of writes follows runc 1.1 (fs2). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "utils.h"

static char *
dir_of (struct lcr_cgroup *cg)
{
  char *d;
  xasprintf (&d, "%s%s", cg->root, cg->path);
  return d;
}

static bool
word_in (const char *list, const char *word)
{
  size_t wl = strlen (word);
  for (const char *p = list; p && *p;)
    {
      p += strspn (p, " \n+");
      size_t len = strcspn (p, " \n");
      if (len == wl && strncmp (p, word, wl) == 0)
        return true;
      p += len;
    }
  return false;
}

int
lcr_cgroup_v2_enable_controllers (const char *root, const char *path, const char *const *only, lcr_error_t *err)
{
  /* root, then each directory above the leaf: a controller reaches a cgroup
     only through its parent's cgroup.subtree_control. */
  cleanup_free char *cur = xstrdup (root);
  const char *p = path;
  for (;;)
    {
      while (*p == '/')
        p++;
      size_t len = strcspn (p, "/");
      if (len == 0)
        break; /* cur is the leaf, whose own subtree is the container's */
      cleanup_free char *avail = NULL, *enabled = NULL;
      if (lcr_cgr (cur, "cgroup.controllers", &avail) == 0)
        {
          lcr_cgr (cur, "cgroup.subtree_control", &enabled);
          for (char *save = NULL, *c = strtok_r (avail, " \n", &save); c; c = strtok_r (NULL, " \n", &save))
            {
              bool wanted = only == NULL;
              for (const char *const *o = only; o && *o && !wanted; o++)
                wanted = strcmp (*o, c) == 0;
              if (!wanted || (enabled && word_in (enabled, c)))
                continue;
              char v[64];
              snprintf (v, sizeof v, "+%s", c);
              /* Best effort, one at a time, as runc: a parent with processes
                 of its own refuses (EBUSY); the write that needs the
                 controller then fails naming its field. */
              lcr_cgw_append (cur, "cgroup.subtree_control", v, "cgroup.subtree_control", NULL);
            }
        }
      char *next;
      xasprintf (&next, "%s/%.*s", cur, (int)len, p);
      free (cur);
      cur = next;
      p += len;
    }
  (void)err;
  return 0;
}

/* ------------------------------------------------------------------ writers */

/* -1 → "max", else the number */
static void
limit_str (int64_t v, char *buf, size_t len)
{
  if (v == -1)
    snprintf (buf, len, "max");
  else
    snprintf (buf, len, "%" PRId64, v);
}

static int
set_memory (const char *dir, struct lcr_spec_memory *m, bool update, lcr_error_t *err)
{
  char v[32];
  int64_t limit = m->has_limit ? m->limit : 0, memsw = m->has_swap ? m->swap : 0, swap = 0;
  if (update && m->check_before_update && limit > 0)
    {
      uint64_t usage;
      if (lcr_cgr_u64 (dir, "memory.current", &usage) == 0 && (uint64_t)limit < usage)
        return lcr_error_make (err, EBUSY, LCR_ERR_INVALID,
                               "%s.memory.limit: %" PRId64 " is below the current usage %" PRIu64
                               " (checkBeforeUpdate)",
                               LCR_RES, limit, usage);
    }
  /* swap in the spec is memory+swap (v1's memsw); v2 limits swap alone */
  int64_t conv_limit = limit;
  if (memsw > 0 && conv_limit == 0)
    {
      uint64_t cur;
      if (lcr_cgr_u64 (dir, "memory.max", &cur) == 0)
        conv_limit = cur == UINT64_MAX ? -1 : (int64_t)cur;
    }
  if (lcr_cgroup_swap_v2 (memsw, conv_limit, &swap, err) < 0)
    return -1;
  /* memory+swap equal to the limit: no swap at all */
  if (swap != 0 || memsw > 0)
    {
      lcr_error_t e = NULL;
      limit_str (swap, v, sizeof v);
      if (lcr_cgw (dir, "memory.swap.max", v, LCR_RES ".memory.swap", &e) < 0)
        {
          /* no swap accounting: "unlimited" is already true */
          if (!(e->errno_ == ENOENT && swap == -1))
            {
              *err = e;
              return -1;
            }
          lcr_error_release (&e);
        }
    }
  if (limit != 0)
    {
      limit_str (limit, v, sizeof v);
      if (lcr_cgw (dir, "memory.max", v, LCR_RES ".memory.limit", err) < 0)
        return -1;
    }
  if (m->has_reservation && m->reservation != 0)
    {
      limit_str (m->reservation, v, sizeof v);
      if (lcr_cgw (dir, "memory.low", v, LCR_RES ".memory.reservation", err) < 0)
        return -1;
    }
  /* kernel, kernelTCP, swappiness and disableOOMKiller have no v2 file:
     ignored, as runc does. */
  return 0;
}

static int
set_cpu (const char *dir, struct lcr_spec_cpu *c, lcr_error_t *err)
{
  if ((c->has_realtime_runtime && c->realtime_runtime) || (c->has_realtime_period && c->realtime_period))
    return lcr_error_invalid (err, "%s.cpu.%s: real-time group scheduling is not supported on cgroup v2", LCR_RES,
                              c->has_realtime_runtime && c->realtime_runtime ? "realtimeRuntime" : "realtimePeriod");
  if (c->has_idle && lcr_cgw_fmt (dir, "cpu.idle", LCR_RES ".cpu.idle", err, "%" PRId64, c->idle) < 0)
    return -1;
  if (c->has_shares && c->shares
      && lcr_cgw_fmt (dir, "cpu.weight", LCR_RES ".cpu.shares", err, "%" PRIu64,
                      lcr_cgroup_shares_to_weight (c->shares))
             < 0)
    return -1;
  if ((c->has_quota && c->quota) || (c->has_period && c->period))
    {
      /* "QUOTA PERIOD"; a value not given keeps its current setting */
      char quota[32] = "max";
      cleanup_free char *cur = NULL;
      if (c->has_quota && c->quota > 0)
        snprintf (quota, sizeof quota, "%" PRId64, c->quota);
      else if (!(c->has_quota && c->quota) && lcr_cgr (dir, "cpu.max", &cur) == 0)
        snprintf (quota, sizeof quota, "%.*s", (int)strcspn (cur, " \n"), cur);
      const char *field = c->has_quota && c->quota ? LCR_RES ".cpu.quota" : LCR_RES ".cpu.period";
      if (c->has_period && c->period)
        {
          if (lcr_cgw_fmt (dir, "cpu.max", field, err, "%s %" PRIu64, quota, c->period) < 0)
            return -1;
        }
      else if (lcr_cgw (dir, "cpu.max", quota, field, err) < 0)
        return -1;
    }
  if (c->has_burst && lcr_cgw_fmt (dir, "cpu.max.burst", LCR_RES ".cpu.burst", err, "%" PRIu64, c->burst) < 0)
    return -1;
  return 0;
}

static int
set_cpuset (const char *dir, struct lcr_spec_cpu *c, lcr_error_t *err)
{
  cleanup_free char *parent = xstrdup (dir);
  char *slash = strrchr (parent, '/');
  if (slash && slash != parent)
    *slash = '\0';
  if (c->cpus && c->cpus[0]
      && (lcr_cgroup_check_cpuset (c->cpus, parent, "cpuset.cpus.effective", "cpu.cpus", err) < 0
          || lcr_cgw (dir, "cpuset.cpus", c->cpus, LCR_RES ".cpu.cpus", err) < 0))
    return -1;
  if (c->mems && c->mems[0]
      && (lcr_cgroup_check_cpuset (c->mems, parent, "cpuset.mems.effective", "cpu.mems", err) < 0
          || lcr_cgw (dir, "cpuset.mems", c->mems, LCR_RES ".cpu.mems", err) < 0))
    return -1;
  return 0;
}

static int
set_io (const char *dir, struct lcr_spec_block_io *b, lcr_error_t *err)
{
  char f[96], v[96];
  /* BFQ takes blkio weights as they are; io.weight needs runc's conversion */
  bool bfq = lcr_cg_exists (dir, "io.bfq.weight");
  if (b->has_weight && b->weight)
    {
      if (bfq)
        {
          if (lcr_cgw_fmt (dir, "io.bfq.weight", LCR_RES ".blockIO.weight", err, "%u", (unsigned)b->weight) < 0)
            return -1;
        }
      else if (lcr_cgw_fmt (dir, "io.weight", LCR_RES ".blockIO.weight", err, "%" PRIu64,
                            lcr_cgroup_blkio_to_io_weight (b->weight))
               < 0)
        return -1;
    }
  /* leafWeight was CFQ's; v2 has nothing like it */
  for (size_t i = 0; i < b->weight_device_len; i++)
    {
      const struct lcr_spec_weight_device *w = &b->weight_device[i];
      if (!w->has_weight || !w->weight)
        continue;
      snprintf (f, sizeof f, LCR_RES ".blockIO.weightDevice[%zu].weight", i);
      if (bfq)
        snprintf (v, sizeof v, "%" PRId64 ":%" PRId64 " %u", w->major, w->minor, (unsigned)w->weight);
      else
        snprintf (v, sizeof v, "%" PRId64 ":%" PRId64 " %" PRIu64, w->major, w->minor,
                  lcr_cgroup_blkio_to_io_weight (w->weight));
      if (lcr_cgw_append (dir, bfq ? "io.bfq.weight" : "io.weight", v, f, err) < 0)
        return -1;
    }
  const struct
  {
    const char *name, *key;
    const struct lcr_spec_throttle_device *t;
    size_t n;
  } th[] = {
      {"throttleReadBpsDevice", "rbps", b->throttle_read_bps_device, b->throttle_read_bps_device_len},
      {"throttleWriteBpsDevice", "wbps", b->throttle_write_bps_device, b->throttle_write_bps_device_len},
      {"throttleReadIOPSDevice", "riops", b->throttle_read_iops_device, b->throttle_read_iops_device_len},
      {"throttleWriteIOPSDevice", "wiops", b->throttle_write_iops_device, b->throttle_write_iops_device_len},
  };
  for (size_t k = 0; k < sizeof th / sizeof th[0]; k++)
    for (size_t i = 0; i < th[k].n; i++)
      {
        snprintf (f, sizeof f, LCR_RES ".blockIO.%s[%zu]", th[k].name, i);
        snprintf (v, sizeof v, "%" PRId64 ":%" PRId64 " %s=%" PRIu64, th[k].t[i].major, th[k].t[i].minor, th[k].key,
                  th[k].t[i].rate);
        if (lcr_cgw_append (dir, "io.max", v, f, err) < 0)
          return -1;
      }
  return 0;
}

int
lcr_cg_set_hugetlb (const char *dir, struct lcr_spec_resources *res, const char *suffix, lcr_error_t *err)
{
  for (size_t i = 0; i < res->hugepage_limits_len; i++)
    {
      const struct lcr_spec_hugepage_limit *h = &res->hugepage_limits[i];
      char f[64], file[64], rsvd[80];
      snprintf (f, sizeof f, LCR_RES ".hugepageLimits[%zu].limit", i);
      snprintf (file, sizeof file, "hugetlb.%s.%s", h->page_size, suffix);
      if (lcr_cgw_fmt (dir, file, f, err, "%" PRIu64, h->limit) < 0)
        return -1;
      /* reservations are limited the same, where the kernel has them (5.7) */
      snprintf (rsvd, sizeof rsvd, "hugetlb.%s.rsvd.%s", h->page_size, suffix);
      if (lcr_cg_exists (dir, rsvd) && lcr_cgw_fmt (dir, rsvd, f, err, "%" PRIu64, h->limit) < 0)
        return -1;
    }
  return 0;
}

int
lcr_cg_set_rdma (const char *dir, struct lcr_spec_resources *res, lcr_error_t *err)
{
  for (size_t i = 0; i < res->rdma_len; i++)
    {
      const struct lcr_spec_rdma *r = &res->rdma[i];
      char f[128], handles[32] = "", objects[32] = "";
      if (!r->has_hca_handles && !r->has_hca_objects)
        continue;
      if (r->has_hca_handles)
        snprintf (handles, sizeof handles, " hca_handle=%" PRIu32, r->hca_handles);
      if (r->has_hca_objects)
        snprintf (objects, sizeof objects, " hca_object=%" PRIu32, r->hca_objects);
      snprintf (f, sizeof f, LCR_RES ".rdma[\"%s\"]", r->device);
      cleanup_free char *v = NULL;
      xasprintf (&v, "%s%s%s", r->device, handles, objects);
      if (lcr_cgw_append (dir, "rdma.max", v, f, err) < 0)
        return -1;
    }
  return 0;
}

int
lcr_cgroup_v2_apply_dir (const char *root, const char *path, struct lcr_spec_resources *res, bool update,
                         bool only_hugetlb, lcr_error_t *err)
{
  static const char *const hugetlb_only[] = {"hugetlb", NULL};
  cleanup_free char *dir = NULL;
  xasprintf (&dir, "%s%s", root, path);
  if (lcr_cgroup_v2_enable_controllers (root, path, only_hugetlb ? hugetlb_only : NULL, err) < 0)
    return -1;
  if (only_hugetlb)
    return lcr_cg_set_hugetlb (dir, res, "max", err);
  if (res->network && (res->network->has_class_id || res->network->priorities_len))
    return lcr_error_invalid (err, "%s.network: net_cls and net_prio do not exist on cgroup v2", LCR_RES);
  if (res->pids)
    {
      char v[32] = "max";
      if (res->pids->limit > 0)
        snprintf (v, sizeof v, "%" PRId64, res->pids->limit);
      if (lcr_cgw (dir, "pids.max", v, LCR_RES ".pids.limit", err) < 0)
        return -1;
    }
  if (res->memory && set_memory (dir, res->memory, update, err) < 0)
    return -1;
  if (res->block_io && set_io (dir, res->block_io, err) < 0)
    return -1;
  if (res->cpu && set_cpu (dir, res->cpu, err) < 0)
    return -1;
  if (!(update && res->devices_len == 0))
    {
      cleanup_free struct lcr_dev_rule *rules = NULL;
      size_t n = lcr_cgroup_device_rules (res, &rules);
      if (lcr_ebpf_apply_devices (dir, rules, n, err) < 0)
        return -1;
    }
  if (res->cpu && set_cpuset (dir, res->cpu, err) < 0)
    return -1;
  if (lcr_cg_set_hugetlb (dir, res, "max", err) < 0 || lcr_cg_set_rdma (dir, res, err) < 0)
    return -1;
  /* unified last: it may override what the conversions wrote */
  for (size_t i = 0; i < res->unified_len; i++)
    {
      char f[160];
      snprintf (f, sizeof f, LCR_RES ".unified[\"%s\"]", res->unified[i].key);
      if (lcr_cgw (dir, res->unified[i].key, res->unified[i].value, f, err) < 0)
        return -1;
    }
  return 0;
}

int
lcr_cgroup_v2_apply (struct lcr_cgroup *cg, struct lcr_spec_resources *res, bool update, lcr_error_t *err)
{
  return lcr_cgroup_v2_apply_dir (cg->root, cg->path, res, update, false, err);
}

/* ------------------------------------------------------------------ freezer */

int
lcr_cgroup_v2_freeze_dir (const char *dir, bool frozen, lcr_error_t *err)
{
  if (lcr_cgw (dir, "cgroup.freeze", frozen ? "1" : "0", "cgroup.freeze", err) < 0)
    return -1;
  /* cgroup.events says when every task has stopped (or runs again) */
  for (int i = 0; i < 2000; i++)
    {
      uint64_t v;
      if (lcr_cgr_keyed (dir, "cgroup.events", "frozen", &v) < 0)
        return lcr_error_sys (err, "cgroup.freeze: read cgroup.events");
      if ((v == 1) == frozen)
        return 0;
      struct timespec ts = {0, (i < 100 ? 100 : 5000) * 1000};
      nanosleep (&ts, NULL);
    }
  if (frozen)
    lcr_cgw (dir, "cgroup.freeze", "0", "cgroup.freeze", NULL);
  return lcr_error_make (err, EBUSY, LCR_ERR_SYSTEM, "cgroup.freeze: the cgroup did not %s",
                         frozen ? "freeze" : "thaw");
}

int
lcr_cgroup_v2_freeze (struct lcr_cgroup *cg, bool frozen, lcr_error_t *err)
{
  cleanup_free char *dir = dir_of (cg);
  return lcr_cgroup_v2_freeze_dir (dir, frozen, err);
}

int
lcr_cgroup_v2_is_frozen (struct lcr_cgroup *cg, bool *frozen)
{
  cleanup_free char *dir = dir_of (cg);
  uint64_t v = 0;
  *frozen = false;
  if (lcr_cgr_u64 (dir, "cgroup.freeze", &v) < 0)
    return -1;
  *frozen = v == 1;
  return 0;
}

/* ------------------------------------------------------------------ stats */

static void
add_blkio (struct lcr_cgroup_blkio_entry **v, size_t *n, uint64_t major, uint64_t minor, const char *op, uint64_t value)
{
  *v = xrealloc (*v, (*n + 1) * sizeof **v);
  struct lcr_cgroup_blkio_entry *e = &(*v)[(*n)++];
  memset (e, 0, sizeof *e);
  e->major = major;
  e->minor = minor;
  snprintf (e->op, sizeof e->op, "%s", op);
  e->value = value;
}

int
lcr_cgroup_v2_stats_dir (const char *dir, struct lcr_cgroup_stats *st, lcr_error_t *err)
{
  uint64_t v;
  if (lcr_cgr_keyed (dir, "cpu.stat", "usage_usec", &v) == 0)
    st->cpu.total = v * 1000;
  if (lcr_cgr_keyed (dir, "cpu.stat", "user_usec", &v) == 0)
    st->cpu.user = v * 1000;
  if (lcr_cgr_keyed (dir, "cpu.stat", "system_usec", &v) == 0)
    st->cpu.kernel = v * 1000;
  lcr_cgr_keyed (dir, "cpu.stat", "nr_periods", &st->cpu.periods);
  lcr_cgr_keyed (dir, "cpu.stat", "nr_throttled", &st->cpu.throttled_periods);
  if (lcr_cgr_keyed (dir, "cpu.stat", "throttled_usec", &v) == 0)
    st->cpu.throttled_time = v * 1000;

  if (lcr_cgr_u64 (dir, "memory.current", &st->memory.usage.usage) == 0)
    {
      lcr_cgr_u64 (dir, "memory.max", &st->memory.usage.limit);
      lcr_cgr_u64 (dir, "memory.peak", &st->memory.usage.max);
      lcr_cgr_keyed (dir, "memory.events", "max", &st->memory.usage.failcnt);
      lcr_cgr_keyed (dir, "memory.events", "oom_kill", &st->memory.oom_kill);
      if (lcr_cgr_u64 (dir, "memory.swap.current", &st->memory.swap.usage) == 0)
        {
          /* v1 reported memory+swap: so does runc on v2 */
          st->memory.has_swap = true;
          lcr_cgr_u64 (dir, "memory.swap.max", &st->memory.swap.limit);
          lcr_cgr_keyed (dir, "memory.swap.events", "max", &st->memory.swap.failcnt);
          st->memory.swap.usage += st->memory.usage.usage;
          if (st->memory.swap.limit != UINT64_MAX && st->memory.usage.limit != UINT64_MAX)
            st->memory.swap.limit += st->memory.usage.limit;
        }
      cleanup_free char *s = NULL;
      size_t cap = 0;
      if (lcr_cgr (dir, "memory.stat", &s) == 0)
        for (char *save = NULL, *line = strtok_r (s, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
          {
            char *sp = strchr (line, ' ');
            if (sp == NULL)
              continue;
            *sp = '\0';
            if (st->memory.raw_len + 1 > cap)
              st->memory.raw = xrealloc (st->memory.raw, (cap = cap ? cap * 2 : 64) * sizeof *st->memory.raw);
            uint64_t val = strtoull (sp + 1, NULL, 10);
            st->memory.raw[st->memory.raw_len++] = (struct lcr_cgroup_kv_u64){xstrdup (line), val};
            if (strcmp (line, "file") == 0)
              st->memory.cache = val;
          }
    }

  if (lcr_cgr_u64 (dir, "pids.current", &st->pids.current) == 0)
    {
      lcr_cgr_u64 (dir, "pids.max", &st->pids.limit);
      if (st->pids.limit == UINT64_MAX)
        st->pids.limit = 0;
    }

  cleanup_free char *io = NULL;
  if (lcr_cgr (dir, "io.stat", &io) == 0)
    for (char *save = NULL, *line = strtok_r (io, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
      {
        uint64_t maj, min, rb = 0, wb = 0, ri = 0, wi = 0;
        int off = 0;
        if (sscanf (line, "%" SCNu64 ":%" SCNu64 "%n", &maj, &min, &off) != 2)
          continue;
        for (char *save2 = NULL, *kv = strtok_r (line + off, " ", &save2); kv; kv = strtok_r (NULL, " ", &save2))
          {
            char *eq = strchr (kv, '=');
            if (eq == NULL)
              continue;
            uint64_t x = strtoull (eq + 1, NULL, 10);
            *eq = '\0';
            if (strcmp (kv, "rbytes") == 0)
              rb = x;
            else if (strcmp (kv, "wbytes") == 0)
              wb = x;
            else if (strcmp (kv, "rios") == 0)
              ri = x;
            else if (strcmp (kv, "wios") == 0)
              wi = x;
          }
        add_blkio (&st->blkio.io_service_bytes_recursive, &st->blkio.io_service_bytes_recursive_len, maj, min, "Read",
                   rb);
        add_blkio (&st->blkio.io_service_bytes_recursive, &st->blkio.io_service_bytes_recursive_len, maj, min, "Write",
                   wb);
        add_blkio (&st->blkio.io_serviced_recursive, &st->blkio.io_serviced_recursive_len, maj, min, "Read", ri);
        add_blkio (&st->blkio.io_serviced_recursive, &st->blkio.io_serviced_recursive_len, maj, min, "Write", wi);
      }

  cleanup_dir DIR *d = opendir (dir);
  struct dirent *de;
  while (d && (de = readdir (d)))
    {
      char size[16], f[96];
      size_t len = strlen (de->d_name);
      if (strncmp (de->d_name, "hugetlb.", 8) != 0 || len < 8 + 5 || strcmp (de->d_name + len - 4, ".max") != 0
          || len - 8 - 4 >= sizeof size)
        continue;
      snprintf (size, sizeof size, "%.*s", (int)(len - 8 - 4), de->d_name + 8);
      if (strchr (size, '.'))
        continue; /* hugetlb.2MB.rsvd.max */
      st->hugetlb = xrealloc (st->hugetlb, (st->hugetlb_len + 1) * sizeof *st->hugetlb);
      struct lcr_cgroup_hugetlb_stats *h = &st->hugetlb[st->hugetlb_len++];
      memset (h, 0, sizeof *h);
      snprintf (h->page_size, sizeof h->page_size, "%s", size);
      snprintf (f, sizeof f, "hugetlb.%s.current", size);
      lcr_cgr_u64 (dir, f, &h->usage);
      snprintf (f, sizeof f, "hugetlb.%s.events", size);
      lcr_cgr_keyed (dir, f, "max", &h->failcnt);
    }
  (void)err;
  return 0;
}

int
lcr_cgroup_v2_stats (struct lcr_cgroup *cg, struct lcr_cgroup_stats *st, lcr_error_t *err)
{
  cleanup_free char *dir = dir_of (cg);
  return lcr_cgroup_v2_stats_dir (dir, st, err);
}

/* ------------------------------------------------------------------ OOM */

int
lcr_cgroup_v2_oom_watch (struct lcr_cgroup *cg, struct lcr_cgroup_oom_watch *w, lcr_error_t *err)
{
  cleanup_free char *dir = dir_of (cg), *path = NULL;
  xasprintf (&path, "%s/memory.events", dir);
  cleanup_close int fd = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
  if (fd < 0)
    return lcr_error_sys (err, "inotify_init1");
  if (inotify_add_watch (fd, path, IN_MODIFY) < 0)
    return lcr_error_sys (err, "watch `%s`", path);
  /* count only what happens from now on */
  lcr_cgr_keyed (dir, "memory.events", "oom_kill", &w->last);
  w->fd = steal_fd (&fd);
  w->kind = LCR_CGROUP_V2;
  w->events_path = steal_pointer (&path);
  return 0;
}
