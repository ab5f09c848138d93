/* berth — the resource side of the cgroup manager: public wrappers, the
 * validation every backend shares, runc's conversions and default device
 * rules, the stats JSON, OOM watches, and small file helpers. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "utils.h"

/* ------------------------------------------------------------------ wrappers */

int
lcr_cgroup_apply (struct lcr_cgroup *cg, struct lcr_spec_resources *res, bool update, lcr_error_t *err)
{
  struct lcr_spec_resources empty = {0};
  if (res == NULL)
    res = &empty;
  if (lcr_cgroup_validate_resources (res, err) < 0)
    return -1;
  if (cg->ops->apply == NULL)
    return lcr_error_make (err, ENOTSUP, LCR_ERR_SYSTEM, "%s: this cgroup backend sets no resources", LCR_RES);
  return cg->ops->apply (cg, res, update, err);
}

int
lcr_cgroup_freeze (struct lcr_cgroup *cg, bool frozen, lcr_error_t *err)
{
  if (cg->ops->freeze == NULL)
    return lcr_error_make (err, ENOTSUP, LCR_ERR_SYSTEM, "%s the container", frozen ? "pause" : "resume");
  return cg->ops->freeze (cg, frozen, err);
}

bool
lcr_cgroup_is_frozen (struct lcr_cgroup *cg)
{
  bool frozen = false;
  if (cg->ops->is_frozen == NULL || cg->ops->is_frozen (cg, &frozen) < 0)
    return false;
  return frozen;
}

int
lcr_cgroup_stats (struct lcr_cgroup *cg, struct lcr_cgroup_stats *st, lcr_error_t *err)
{
  memset (st, 0, sizeof *st);
  if (cg->ops->stats == NULL)
    return lcr_error_make (err, ENOTSUP, LCR_ERR_SYSTEM, "cgroup stats");
  return cg->ops->stats (cg, st, err);
}

int
lcr_cgroup_oom_watch (struct lcr_cgroup *cg, struct lcr_cgroup_oom_watch *w, lcr_error_t *err)
{
  memset (w, 0, sizeof *w);
  w->fd = -1;
  if (cg->ops->oom_watch == NULL)
    return lcr_error_make (err, ENOTSUP, LCR_ERR_SYSTEM, "watch for OOM events");
  return cg->ops->oom_watch (cg, w, err);
}

int
lcr_cgroup_oom_read (struct lcr_cgroup_oom_watch *w, uint64_t *count, lcr_error_t *err)
{
  *count = 0;
  if (w->kind == LCR_CGROUP_V1)
    {
      uint64_t n;
      ssize_t r = read (w->fd, &n, sizeof n);
      if (r < 0 && errno != EAGAIN)
        return lcr_error_sys (err, "read the OOM eventfd");
      /* The kernel also signals the eventfd when the cgroup is removed. */
      if (access (w->events_path, F_OK) < 0)
        return 1;
      if (r == sizeof n)
        *count = n;
      return 0;
    }
  char buf[4096];
  bool gone = false;
  for (;;)
    {
      ssize_t r = read (w->fd, buf, sizeof buf);
      if (r <= 0)
        break;
      for (char *p = buf; p < buf + r;)
        {
          struct inotify_event *ev = (struct inotify_event *)p;
          if (ev->mask & (IN_IGNORED | IN_DELETE_SELF))
            gone = true;
          p += sizeof *ev + ev->len;
        }
    }
  cleanup_free char *dir = xstrdup (w->events_path);
  *strrchr (dir, '/') = '\0';
  uint64_t kills = 0;
  if (lcr_cgr_keyed (dir, "memory.events", "oom_kill", &kills) < 0)
    return 1;
  if (kills > w->last)
    *count = kills - w->last;
  w->last = kills;
  return gone ? 1 : 0;
}

void
lcr_cgroup_oom_unwatch (struct lcr_cgroup_oom_watch *w)
{
  if (w->fd >= 0)
    close (w->fd);
  w->fd = -1;
  free (w->events_path);
  w->events_path = NULL;
}

/* ------------------------------------------------------------------ validation */

static int
check_limit (bool has, int64_t v, const char *field, lcr_error_t *err)
{
  if (has && v < -1)
    return lcr_error_invalid (err, "%s.%s: must be -1 (unlimited) or >= 0, got %" PRId64, LCR_RES, field, v);
  return 0;
}

static int
check_weight (bool has, uint64_t v, const char *field, lcr_error_t *err)
{
  /* 0 is "unset" for runc */
  if (has && v != 0 && (v < 10 || v > 1000))
    return lcr_error_invalid (err, "%s.%s: must be between 10 and 1000, got %" PRIu64, LCR_RES, field, v);
  return 0;
}

static int
check_devno (int64_t major, int64_t minor, const char *field, lcr_error_t *err)
{
  if (major < 0 || minor < 0)
    return lcr_error_invalid (err, "%s.%s: major and minor must be >= 0", LCR_RES, field);
  return 0;
}

/* A string going into a control file as one line of a rule must not carry
   a second line or the rule's separators. */
static int
check_word (const char *s, const char *field, lcr_error_t *err)
{
  if (s == NULL || s[0] == '\0' || strpbrk (s, " \t\n=") != NULL)
    return lcr_error_invalid (err, "%s.%s: `%s` is not a valid name", LCR_RES, field, s ? s : "");
  return 0;
}

static int
check_page_size (const char *s, const char *field, lcr_error_t *err)
{
  size_t d = strspn (s, "0123456789");
  if (d == 0 || (strcmp (s + d, "KB") != 0 && strcmp (s + d, "MB") != 0 && strcmp (s + d, "GB") != 0))
    return lcr_error_invalid (err, "%s.%s: `%s` is not a page size like \"2MB\" or \"1GB\"", LCR_RES, field, s);
  return 0;
}

int
lcr_cgroup_validate_resources (const struct lcr_spec_resources *res, lcr_error_t *err)
{
  char f[128];
  for (size_t i = 0; i < res->devices_len; i++)
    {
      const struct lcr_spec_device_cgroup *d = &res->devices[i];
      if (d->type != 0 && strchr ("abc", d->type) == NULL)
        return lcr_error_invalid (err, "%s.devices[%zu].type: unknown device type `%c` (want \"a\", \"b\" or \"c\")",
                                  LCR_RES, i, d->type);
      if (d->access && (d->access[0] == '\0' || strspn (d->access, "rwm") != strlen (d->access)))
        return lcr_error_invalid (err, "%s.devices[%zu].access: `%s` is not a combination of \"rwm\"", LCR_RES, i,
                                  d->access);
      if ((d->has_major && d->major < -1) || (d->has_minor && d->minor < -1))
        return lcr_error_invalid (err, "%s.devices[%zu]: major and minor must be >= 0 (or -1 for any)", LCR_RES, i);
    }
  const struct lcr_spec_memory *m = res->memory;
  if (m)
    {
      if (check_limit (m->has_limit, m->limit, "memory.limit", err) < 0
          || check_limit (m->has_reservation, m->reservation, "memory.reservation", err) < 0
          || check_limit (m->has_swap, m->swap, "memory.swap", err) < 0
          || check_limit (m->has_kernel, m->kernel, "memory.kernel", err) < 0
          || check_limit (m->has_kernel_tcp, m->kernel_tcp, "memory.kernelTCP", err) < 0)
        return -1;
      if (m->has_swappiness && m->swappiness > 100)
        return lcr_error_invalid (err, "%s.memory.swappiness: must be between 0 and 100, got %" PRIu64, LCR_RES,
                                  m->swappiness);
      if (m->has_limit && m->has_swap && m->limit > 0 && m->swap > 0 && m->swap < m->limit)
        return lcr_error_invalid (
            err, "%s.memory.swap: memory+swap limit (%" PRId64 ") must be >= the memory limit (%" PRId64 ")", LCR_RES,
            m->swap, m->limit);
    }
  const struct lcr_spec_cpu *c = res->cpu;
  if (c)
    {
      if (check_limit (c->has_quota, c->quota, "cpu.quota", err) < 0
          || check_limit (c->has_realtime_runtime, c->realtime_runtime, "cpu.realtimeRuntime", err) < 0)
        return -1;
      if (c->has_shares && c->shares != 0 && (c->shares < 2 || c->shares > 262144))
        return lcr_error_invalid (err, "%s.cpu.shares: must be between 2 and 262144, got %" PRIu64, LCR_RES, c->shares);
      if (c->has_period && c->period != 0 && (c->period < 1000 || c->period > 1000000))
        return lcr_error_invalid (err, "%s.cpu.period: must be between 1000 and 1000000 (µs), got %" PRIu64, LCR_RES,
                                  c->period);
      if (c->has_quota && c->quota > 0 && c->quota < 1000)
        return lcr_error_invalid (err, "%s.cpu.quota: must be -1 or at least 1000 (µs), got %" PRId64, LCR_RES,
                                  c->quota);
      if (c->has_idle && c->idle != 0 && c->idle != 1)
        return lcr_error_invalid (err, "%s.cpu.idle: must be 0 or 1, got %" PRId64, LCR_RES, c->idle);
      static uint8_t set[LCR_CPUSET_BITS / 8];
      if (c->cpus && c->cpus[0] && lcr_cpulist_parse (c->cpus, set, LCR_CPUSET_BITS) < 0)
        return lcr_error_invalid (err, "%s.cpu.cpus: `%s` is not a cpu list like \"0-3,7\"", LCR_RES, c->cpus);
      if (c->mems && c->mems[0] && lcr_cpulist_parse (c->mems, set, LCR_CPUSET_BITS) < 0)
        return lcr_error_invalid (err, "%s.cpu.mems: `%s` is not a node list like \"0-1\"", LCR_RES, c->mems);
    }
  if (res->pids && res->pids->limit < -1)
    return lcr_error_invalid (err, "%s.pids.limit: must be -1 (unlimited) or >= 0, got %" PRId64, LCR_RES,
                              res->pids->limit);
  const struct lcr_spec_block_io *b = res->block_io;
  if (b)
    {
      if (check_weight (b->has_weight, b->weight, "blockIO.weight", err) < 0
          || check_weight (b->has_leaf_weight, b->leaf_weight, "blockIO.leafWeight", err) < 0)
        return -1;
      for (size_t i = 0; i < b->weight_device_len; i++)
        {
          const struct lcr_spec_weight_device *w = &b->weight_device[i];
          snprintf (f, sizeof f, "blockIO.weightDevice[%zu].weight", i);
          if (check_weight (w->has_weight, w->weight, f, err) < 0)
            return -1;
          snprintf (f, sizeof f, "blockIO.weightDevice[%zu].leafWeight", i);
          if (check_weight (w->has_leaf_weight, w->leaf_weight, f, err) < 0)
            return -1;
          snprintf (f, sizeof f, "blockIO.weightDevice[%zu]", i);
          if (check_devno (w->major, w->minor, f, err) < 0)
            return -1;
        }
      const struct
      {
        const char *name;
        const struct lcr_spec_throttle_device *t;
        size_t n;
      } th[] = {
          {"throttleReadBpsDevice", b->throttle_read_bps_device, b->throttle_read_bps_device_len},
          {"throttleWriteBpsDevice", b->throttle_write_bps_device, b->throttle_write_bps_device_len},
          {"throttleReadIOPSDevice", b->throttle_read_iops_device, b->throttle_read_iops_device_len},
          {"throttleWriteIOPSDevice", b->throttle_write_iops_device, b->throttle_write_iops_device_len},
      };
      for (size_t k = 0; k < sizeof th / sizeof th[0]; k++)
        for (size_t i = 0; i < th[k].n; i++)
          {
            snprintf (f, sizeof f, "blockIO.%s[%zu]", th[k].name, i);
            if (check_devno (th[k].t[i].major, th[k].t[i].minor, f, err) < 0)
              return -1;
          }
    }
  for (size_t i = 0; i < res->hugepage_limits_len; i++)
    {
      snprintf (f, sizeof f, "hugepageLimits[%zu].pageSize", i);
      if (check_page_size (res->hugepage_limits[i].page_size, f, err) < 0)
        return -1;
    }
  if (res->network)
    for (size_t i = 0; i < res->network->priorities_len; i++)
      {
        snprintf (f, sizeof f, "network.priorities[%zu].name", i);
        if (check_word (res->network->priorities[i].name, f, err) < 0)
          return -1;
      }
  for (size_t i = 0; i < res->rdma_len; i++)
    if (check_word (res->rdma[i].device, "rdma", err) < 0)
      return -1;
  for (size_t i = 0; i < res->unified_len; i++)
    {
      const char *k = res->unified[i].key;
      if (k[0] == '\0' || strchr (k, '/') || strcmp (k, ".") == 0 || strstr (k, "..") || strchr (k, '.') == NULL)
        return lcr_error_invalid (err, "%s.unified[\"%s\"]: not a cgroup file name", LCR_RES, k);
    }
  return 0;
}

/* ------------------------------------------------------------------ conversions */

uint64_t
lcr_cgroup_shares_to_weight (uint64_t shares)
{
  /* runc's linear map of [2, 262144] onto [1, 10000] */
  if (shares == 0)
    return 0;
  if (shares < 2)
    shares = 2;
  return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t
lcr_cgroup_blkio_to_io_weight (uint64_t weight)
{
  /* runc's linear map of [10, 1000] onto [1, 10000] */
  if (weight == 0)
    return 0;
  if (weight < 10)
    weight = 10;
  return 1 + ((weight - 10) * 9999) / 990;
}

int
lcr_cgroup_swap_v2 (int64_t memsw, int64_t limit, int64_t *out, lcr_error_t *err)
{
  /* runc's ConvertMemorySwapToCgroupV2Value */
  if (limit == -1 && memsw == 0)
    {
      *out = -1;
      return 0;
    }
  if (memsw == -1 || memsw == 0)
    {
      *out = memsw;
      return 0;
    }
  if (limit == 0 || limit == -1)
    return lcr_error_invalid (err, "%s.memory.swap: a swap limit needs a memory limit", LCR_RES);
  if (memsw < limit)
    return lcr_error_invalid (
        err, "%s.memory.swap: memory+swap limit (%" PRId64 ") must be >= the memory limit (%" PRId64 ")", LCR_RES,
        memsw, limit);
  *out = memsw - limit;
  return 0;
}

/* ------------------------------------------------------------------ devices */

/* runc 1.1's AllowedDevices, appended after the spec's rules: mknod of
   anything, then null, random, full, tty, zero, urandom, ptmx, the pts
   and tun/tap. */
static const struct lcr_dev_rule default_rules[] = {
    {true, 'c', -1, -1, "m"},    {true, 'b', -1, -1, "m"}, {true, 'c', 1, 3, "rwm"},    {true, 'c', 1, 8, "rwm"},
    {true, 'c', 1, 7, "rwm"},    {true, 'c', 5, 0, "rwm"}, {true, 'c', 1, 5, "rwm"},    {true, 'c', 1, 9, "rwm"},
    {true, 'c', 136, -1, "rwm"}, {true, 'c', 5, 2, "rwm"}, {true, 'c', 10, 200, "rwm"},
};

size_t
lcr_cgroup_device_rules (const struct lcr_spec_resources *res, struct lcr_dev_rule **out)
{
  size_t n_def = sizeof default_rules / sizeof default_rules[0];
  size_t n = 1 + res->devices_len + n_def, k = 0;
  struct lcr_dev_rule *r = xmalloc0 (n * sizeof *r);
  /* like runc's emulator: a whitelist unless a rule says otherwise */
  r[k++] = (struct lcr_dev_rule){false, 'a', -1, -1, "rwm"};
  for (size_t i = 0; i < res->devices_len; i++)
    {
      const struct lcr_spec_device_cgroup *d = &res->devices[i];
      struct lcr_dev_rule *x = &r[k++];
      x->allow = d->allow;
      x->type = d->type ? d->type : 'a';
      x->major = d->has_major ? d->major : -1;
      x->minor = d->has_minor ? d->minor : -1;
      snprintf (x->access, sizeof x->access, "%s", d->access ? d->access : "rwm");
    }
  memcpy (r + k, default_rules, sizeof default_rules);
  *out = r;
  return n;
}

void
lcr_dev_rule_string (const struct lcr_dev_rule *r, char *buf, size_t len)
{
  char maj[24] = "*", min[24] = "*";
  if (r->major >= 0)
    snprintf (maj, sizeof maj, "%" PRId64, r->major);
  if (r->minor >= 0)
    snprintf (min, sizeof min, "%" PRId64, r->minor);
  snprintf (buf, len, "%c %s:%s %s", r->type, maj, min, r->access);
}

/* ------------------------------------------------------------------ cpusets */

int
lcr_cpulist_parse (const char *s, uint8_t *set, size_t nbits)
{
  memset (set, 0, (nbits + 7) / 8);
  const char *p = s;
  while (*p && *p != '\n')
    {
      char *end;
      errno = 0;
      unsigned long a = strtoul (p, &end, 10), b;
      if (end == p || errno || *p == '-' || *p == '+' || *p == ' ')
        return -1;
      b = a;
      p = end;
      if (*p == '-')
        {
          p++;
          b = strtoul (p, &end, 10);
          if (end == p || errno || *p == '-' || *p == '+' || *p == ' ' || b < a)
            return -1;
          p = end;
        }
      if (b >= nbits)
        return -1;
      for (unsigned long i = a; i <= b; i++)
        set[i / 8] |= 1u << (i % 8);
      if (*p == ',')
        {
          p++;
          if (*p == '\0' || *p == '\n')
            return -1;
        }
      else if (*p && *p != '\n')
        return -1;
    }
  return 0;
}

int
lcr_cgroup_check_cpuset (const char *want, const char *parent_dir, const char *parent_file, const char *field,
                         lcr_error_t *err)
{
  static uint8_t w[LCR_CPUSET_BITS / 8], have[LCR_CPUSET_BITS / 8];
  cleanup_free char *avail = NULL;
  if (want == NULL || want[0] == '\0')
    return 0;
  if (lcr_cpulist_parse (want, w, LCR_CPUSET_BITS) < 0)
    return lcr_error_invalid (err, "%s.%s: `%s` is not a list like \"0-3,7\"", LCR_RES, field, want);
  if (lcr_cgr (parent_dir, parent_file, &avail) < 0 || lcr_cpulist_parse (avail, have, LCR_CPUSET_BITS) < 0)
    return 0;
  for (size_t i = 0; i < LCR_CPUSET_BITS; i++)
    if ((w[i / 8] & (1u << (i % 8))) && !(have[i / 8] & (1u << (i % 8))))
      {
        avail[strcspn (avail, "\n")] = '\0';
        return lcr_error_invalid (err, "%s.%s: %zu is out of range (available: \"%s\")", LCR_RES, field, i, avail);
      }
  return 0;
}

/* ------------------------------------------------------------------ files */

static int
cgw (const char *dir, const char *file, const char *value, const char *field, int flags, lcr_error_t *err)
{
  cleanup_free char *path = NULL;
  xasprintf (&path, "%s/%s", dir, file);
  cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC | flags);
  if (fd < 0 || write (fd, value, strlen (value)) < 0)
    {
      /* a value with a newline (unified) would break the message's line */
      size_t vl = strcspn (value, "\n");
      return lcr_error_make (err, errno, LCR_ERR_SYSTEM, "%s: write %s (%.*s%s)", field, file, (int)(vl > 64 ? 64 : vl),
                             value, vl > 64 || (value[vl] && value[vl + 1]) ? "…" : "");
    }
  return 0;
}

int
lcr_cgw (const char *dir, const char *file, const char *value, const char *field, lcr_error_t *err)
{
  return cgw (dir, file, value, field, O_TRUNC, err);
}

int
lcr_cgw_append (const char *dir, const char *file, const char *value, const char *field, lcr_error_t *err)
{
  /* one rule a line, as `echo RULE > FILE` writes it: every multi-rule file
     strips or stops at the newline */
  cleanup_free char *line = NULL;
  xasprintf (&line, "%s\n", value);
  return cgw (dir, file, line, field, O_APPEND, err);
}

int
lcr_cgw_fmt (const char *dir, const char *file, const char *field, lcr_error_t *err, const char *fmt, ...)
{
  cleanup_free char *v = NULL;
  va_list ap;
  va_start (ap, fmt);
  int r = vasprintf (&v, fmt, ap);
  va_end (ap);
  if (r < 0)
    return lcr_error_sys (err, "%s: out of memory", field);
  return lcr_cgw (dir, file, v, field, err);
}

int
lcr_cgr (const char *dir, const char *file, char **out)
{
  cleanup_free char *path = NULL;
  xasprintf (&path, "%s/%s", dir, file);
  if (lcr_read_file (path, out, NULL, NULL) < 0)
    {
      if (errno == 0)
        errno = EIO;
      return -1;
    }
  return 0;
}

int
lcr_cgr_u64 (const char *dir, const char *file, uint64_t *v)
{
  cleanup_free char *s = NULL;
  if (lcr_cgr (dir, file, &s) < 0)
    return -1;
  if (strncmp (s, "max", 3) == 0)
    {
      *v = UINT64_MAX;
      return 0;
    }
  char *end;
  errno = 0;
  *v = strtoull (s, &end, 10);
  if (end == s || errno)
    {
      errno = EINVAL;
      return -1;
    }
  return 0;
}

int
lcr_cgr_keyed (const char *dir, const char *file, const char *key, uint64_t *v)
{
  cleanup_free char *s = NULL;
  if (lcr_cgr (dir, file, &s) < 0)
    return -1;
  size_t kl = strlen (key);
  for (char *line = s; line && *line; line = strchr (line, '\n'), line = line ? line + 1 : NULL)
    if (strncmp (line, key, kl) == 0 && line[kl] == ' ')
      {
        *v = strtoull (line + kl + 1, NULL, 10);
        return 0;
      }
  errno = ENOENT;
  return -1;
}

bool
lcr_cg_exists (const char *dir, const char *file)
{
  cleanup_free char *path = NULL;
  xasprintf (&path, "%s/%s", dir, file);
  return access (path, F_OK) == 0;
}

/* ------------------------------------------------------------------ stats */

void
lcr_cgroup_stats_free (struct lcr_cgroup_stats *st)
{
  free (st->cpu.percpu);
  free (st->cpu.percpu_user);
  free (st->cpu.percpu_kernel);
  for (size_t i = 0; i < st->memory.raw_len; i++)
    free (st->memory.raw[i].key);
  free (st->memory.raw);
  free (st->blkio.io_service_bytes_recursive);
  free (st->blkio.io_serviced_recursive);
  free (st->hugetlb);
  memset (st, 0, sizeof *st);
}

static void
json_u64s (FILE *f, const char *name, const uint64_t *v, size_t n)
{
  if (n == 0)
    return;
  fprintf (f, ",\"%s\":[", name);
  for (size_t i = 0; i < n; i++)
    fprintf (f, "%s%" PRIu64, i ? "," : "", v[i]);
  fputc (']', f);
}

/* runc's MemoryEntry: limit and failcnt always, usage and max omitted at 0 */
static void
json_mem (FILE *f, const char *lead, const char *name, const struct lcr_cgroup_mem_entry *e)
{
  fprintf (f, "%s\"%s\":{\"limit\":%" PRIu64, lead, name, e->limit);
  if (e->usage)
    fprintf (f, ",\"usage\":%" PRIu64, e->usage);
  if (e->max)
    fprintf (f, ",\"max\":%" PRIu64, e->max);
  fprintf (f, ",\"failcnt\":%" PRIu64 "}", e->failcnt);
}

static void
json_blkio (FILE *f, bool *first, const char *name, const struct lcr_cgroup_blkio_entry *e, size_t n)
{
  if (n == 0)
    return;
  fprintf (f, "%s\"%s\":[", *first ? "" : ",", name);
  *first = false;
  for (size_t i = 0; i < n; i++)
    {
      fprintf (f, "%s{", i ? "," : "");
      bool c = false;
#define FIELD(k, fmt, v, cond)                                                                                         \
  if (cond)                                                                                                            \
    {                                                                                                                  \
      fprintf (f, "%s\"" k "\":" fmt, c ? "," : "", v);                                                                \
      c = true;                                                                                                        \
    }
      FIELD ("major", "%" PRIu64, e[i].major, e[i].major)
      FIELD ("minor", "%" PRIu64, e[i].minor, e[i].minor)
      FIELD ("op", "\"%s\"", e[i].op, e[i].op[0])
      FIELD ("value", "%" PRIu64, e[i].value, e[i].value)
#undef FIELD
      fputc ('}', f);
    }
  fputc (']', f);
}

char *
lcr_cgroup_stats_json (const struct lcr_cgroup_stats *st)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  if (f == NULL)
    return NULL;
  /* runc's types.Stats, with its omitempty rules */
  fprintf (f, "{\"cpu\":{\"usage\":{");
  if (st->cpu.total)
    fprintf (f, "\"total\":%" PRIu64 ",", st->cpu.total);
  fprintf (f, "\"kernel\":%" PRIu64 ",\"user\":%" PRIu64, st->cpu.kernel, st->cpu.user);
  json_u64s (f, "percpu", st->cpu.percpu, st->cpu.percpu_len);
  json_u64s (f, "percpu_kernel", st->cpu.percpu_kernel, st->cpu.percpu_kernel_len);
  json_u64s (f, "percpu_user", st->cpu.percpu_user, st->cpu.percpu_user_len);
  fprintf (f, "},\"throttling\":{");
  bool c = false;
  if (st->cpu.periods)
    c = fprintf (f, "\"periods\":%" PRIu64, st->cpu.periods) > 0;
  if (st->cpu.throttled_periods)
    c = fprintf (f, "%s\"throttledPeriods\":%" PRIu64, c ? "," : "", st->cpu.throttled_periods) > 0;
  if (st->cpu.throttled_time)
    fprintf (f, "%s\"throttledTime\":%" PRIu64, c ? "," : "", st->cpu.throttled_time);
  fprintf (f, "}},\"memory\":{");
  if (st->memory.cache)
    fprintf (f, "\"cache\":%" PRIu64 ",", st->memory.cache);
  json_mem (f, "", "usage", &st->memory.usage);
  if (st->memory.has_swap)
    json_mem (f, ",", "swap", &st->memory.swap);
  if (st->memory.has_kernel)
    json_mem (f, ",", "kernel", &st->memory.kernel);
  if (st->memory.has_kernel_tcp)
    json_mem (f, ",", "kernelTCP", &st->memory.kernel_tcp);
  if (st->memory.raw_len)
    {
      fprintf (f, ",\"raw\":{");
      for (size_t i = 0; i < st->memory.raw_len; i++)
        {
          cleanup_free char *k = lcr_json_escape (st->memory.raw[i].key);
          fprintf (f, "%s\"%s\":%" PRIu64, i ? "," : "", k, st->memory.raw[i].value);
        }
      fputc ('}', f);
    }
  fprintf (f, "},\"pids\":{");
  c = false;
  if (st->pids.current)
    c = fprintf (f, "\"current\":%" PRIu64, st->pids.current) > 0;
  if (st->pids.limit)
    fprintf (f, "%s\"limit\":%" PRIu64, c ? "," : "", st->pids.limit);
  fprintf (f, "},\"blkio\":{");
  c = true;
  json_blkio (f, &c, "ioServiceBytesRecursive", st->blkio.io_service_bytes_recursive,
              st->blkio.io_service_bytes_recursive_len);
  json_blkio (f, &c, "ioServicedRecursive", st->blkio.io_serviced_recursive, st->blkio.io_serviced_recursive_len);
  fprintf (f, "},\"hugetlb\":{");
  for (size_t i = 0; i < st->hugetlb_len; i++)
    {
      const struct lcr_cgroup_hugetlb_stats *h = &st->hugetlb[i];
      fprintf (f, "%s\"%s\":{", i ? "," : "", h->page_size);
      if (h->usage)
        fprintf (f, "\"usage\":%" PRIu64 ",", h->usage);
      if (h->max)
        fprintf (f, "\"max\":%" PRIu64 ",", h->max);
      fprintf (f, "\"failcnt\":%" PRIu64 "}", h->failcnt);
    }
  fprintf (f, "}}");
  fclose (f);
  return buf;
}
