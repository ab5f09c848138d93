/* berth — attributes the container's process gets besides its user and
 * capabilities: rlimits, sysctl, oom_score_adj, hostname, and the lookup of
 * the program to run. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/stat.h>

#include "linux.h"
#include "utils.h"

static const struct
{
  const char *name;
  int resource;
} rlimit_names[] = {
    {"RLIMIT_AS", RLIMIT_AS},           {"RLIMIT_CORE", RLIMIT_CORE},         {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},       {"RLIMIT_FSIZE", RLIMIT_FSIZE},       {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},   {"RLIMIT_NPROC", RLIMIT_NPROC},       {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},     {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

int
lcr_apply_rlimits (struct lcr_spec_process *p, lcr_error_t *err)
{
  for (size_t i = 0; i < p->rlimits_len; i++)
    {
      struct lcr_spec_rlimit *r = &p->rlimits[i];
      int res = -1;
      for (size_t k = 0; k < sizeof rlimit_names / sizeof rlimit_names[0]; k++)
        if (strcmp (r->type, rlimit_names[k].name) == 0)
          res = rlimit_names[k].resource;
      if (res < 0)
        return lcr_error_make (err, 0, LCR_ERR_INVALID, ".process.rlimits[%zu].type: unknown rlimit `%s`", i, r->type);
      struct rlimit lim = {.rlim_cur = r->soft, .rlim_max = r->hard};
      if (setrlimit (res, &lim) < 0)
        {
          int saved = errno;
          struct rlimit cur;
          getrlimit (res, &cur);
          if (saved == EPERM && r->hard > cur.rlim_max)
            return lcr_error_make (err, saved, LCR_ERR_INVALID,
                                   ".process.rlimits[%zu]: %s hard limit %llu is above the current hard limit %llu, "
                                   "and raising it needs CAP_SYS_RESOURCE",
                                   i, r->type, (unsigned long long)r->hard, (unsigned long long)cur.rlim_max);
          return lcr_error_make (err, saved, LCR_ERR_SYSTEM, ".process.rlimits[%zu]: setrlimit %s", i, r->type);
        }
    }
  return 0;
}

int
lcr_apply_sysctl (struct lcr_spec *spec, lcr_error_t *err)
{
  struct lcr_spec_linux *l = spec->linux_;
  for (size_t i = 0; l && i < l->sysctl_len; i++)
    {
      cleanup_free char *path = NULL;
      xasprintf (&path, "/proc/sys/%s", l->sysctl[i].key);
      for (char *p = path + strlen ("/proc/sys/"); *p; p++)
        if (*p == '.')
          *p = '/';
      if (strstr (path, "..")
          || lcr_write_file_at (AT_FDCWD, path, l->sysctl[i].value, strlen (l->sysctl[i].value), 0, err) < 0)
        {
          if (err && *err == NULL)
            lcr_error_invalid (err, "bad key");
          return lcr_error_wrap (err, ".linux.sysctl[\"%s\"]", l->sysctl[i].key);
        }
    }
  return 0;
}

int
lcr_set_oom_score_adj (pid_t pid, struct lcr_spec_process *p, lcr_error_t *err)
{
  if (!p->has_oom_score_adj)
    return 0;
  char path[64], value[32];
  snprintf (path, sizeof path, "/proc/%d/oom_score_adj", pid);
  int n = snprintf (value, sizeof value, "%d", p->oom_score_adj);
  if (lcr_write_file_at (AT_FDCWD, path, value, n, 0, err) < 0)
    return lcr_error_wrap (err, ".process.oomScoreAdj");
  return 0;
}

int
lcr_set_hostname (struct lcr_spec *spec, lcr_error_t *err)
{
  if (spec->hostname && sethostname (spec->hostname, strlen (spec->hostname)) < 0)
    return lcr_error_sys (err, ".hostname: sethostname `%s`", spec->hostname);
  if (spec->domainname && setdomainname (spec->domainname, strlen (spec->domainname)) < 0)
    return lcr_error_sys (err, ".domainname: setdomainname `%s`", spec->domainname);
  return 0;
}

static bool
is_executable_file (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0 && S_ISREG (st.st_mode) && (st.st_mode & 0111);
}

int
lcr_find_executable (struct lcr_spec_process *p, char **out, lcr_error_t *err)
{
  const char *name = p->args[0];
  if (strchr (name, '/'))
    {
      struct stat st;
      if (stat (name, &st) < 0)
        return lcr_error_make (err, errno, LCR_ERR_INVALID, "exec: `%s` (.process.args[0])", name);
      if (!is_executable_file (name))
        return lcr_error_make (err, EACCES, LCR_ERR_INVALID, "exec: `%s` (.process.args[0])", name);
      *out = xstrdup (name);
      return 0;
    }
  const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (size_t i = 0; i < p->env_len; i++)
    if (strncmp (p->env[i], "PATH=", 5) == 0)
      path = p->env[i] + 5;
  cleanup_free char *copy = xstrdup (path);
  char *save = NULL;
  for (char *dir = strtok_r (copy, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
    {
      cleanup_free char *candidate = NULL;
      xasprintf (&candidate, "%s/%s", *dir ? dir : ".", name);
      if (is_executable_file (candidate))
        {
          *out = steal_pointer (&candidate);
          return 0;
        }
    }
  return lcr_error_make (err, 0, LCR_ERR_INVALID, "exec: `%s`: executable file not found in $PATH (.process.args[0])",
                         name);
}

int
lcr_apply_personality (struct lcr_spec *spec, lcr_error_t *err)
{
  struct lcr_spec_personality *p = spec->linux_ ? spec->linux_->personality : NULL;
  if (p == NULL || p->domain == NULL)
    return 0;
  unsigned long persona = strcmp (p->domain, "LINUX32") == 0 ? PER_LINUX32 : PER_LINUX;
  if (personality (persona) < 0)
    return lcr_error_sys (err, ".linux.personality: set %s", p->domain);
  return 0;
}

struct sched_attr_v1
{
  uint32_t size, sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime, sched_deadline, sched_period;
};

static int
name_to_value (const char *name, const char *const *names, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (names[i] && strcmp (name, names[i]) == 0)
      return (int)i;
  return -1;
}

int
lcr_apply_scheduler (struct lcr_spec_process *p, lcr_error_t *err)
{
  static const char *const policies[]
      = {"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE"};
  static const char *const flags[]
      = {"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",        "SCHED_FLAG_DL_OVERRUN",    "SCHED_FLAG_KEEP_POLICY",
         "SCHED_FLAG_KEEP_PARAMS",   "SCHED_FLAG_UTIL_CLAMP_MIN", "SCHED_FLAG_UTIL_CLAMP_MAX"};
  struct lcr_spec_scheduler *s = p->scheduler;
  if (s == NULL)
    return 0;
  int policy = name_to_value (s->policy, policies, sizeof policies / sizeof policies[0]);
  if (policy < 0)
    return lcr_error_invalid (err, ".process.scheduler.policy: unknown policy `%s`", s->policy);
  struct sched_attr_v1 attr = {.size = sizeof attr,
                               .sched_policy = (uint32_t)policy,
                               .sched_nice = s->nice,
                               .sched_priority = (uint32_t)s->priority,
                               .sched_runtime = s->runtime,
                               .sched_deadline = s->deadline,
                               .sched_period = s->period};
  for (size_t i = 0; i < s->flags_len; i++)
    {
      int bit = name_to_value (s->flags[i], flags, sizeof flags / sizeof flags[0]);
      if (bit < 0)
        return lcr_error_invalid (err, ".process.scheduler.flags[%zu]: unknown flag `%s`", i, s->flags[i]);
      attr.sched_flags |= 1ULL << bit;
    }
  if (syscall (SYS_sched_setattr, 0, &attr, 0) < 0)
    return lcr_error_sys (err, ".process.scheduler: sched_setattr %s", s->policy);
  return 0;
}

int
lcr_apply_io_priority (struct lcr_spec_process *p, lcr_error_t *err)
{
  static const char *const classes[] = {NULL, "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"};
  struct lcr_spec_io_priority *io = p->io_priority;
  if (io == NULL)
    return 0;
  int cls = name_to_value (io->class_, classes, 4);
  if (cls < 0)
    return lcr_error_invalid (err, ".process.ioPriority.class: unknown class `%s`", io->class_);
  /* ioprio_set(IOPRIO_WHO_PROCESS, self, class << 13 | level) */
  if (syscall (SYS_ioprio_set, 1, 0, (cls << 13) | (io->priority & 0x1fff)) < 0)
    return lcr_error_sys (err, ".process.ioPriority: ioprio_set");
  return 0;
}

int
lcr_apply_cpu_affinity (const char *list, const char *field, lcr_error_t *err)
{
  if (list == NULL || list[0] == '\0')
    return 0;
  cpu_set_t set;
  CPU_ZERO (&set);
  cleanup_free char *copy = xstrdup (list);
  char *save = NULL;
  for (char *tok = strtok_r (copy, ",", &save); tok; tok = strtok_r (NULL, ",", &save))
    {
      char *end;
      long a = strtol (tok, &end, 10), b = a;
      if (*end == '-')
        b = strtol (end + 1, &end, 10);
      if (end == tok || *end != '\0' || a < 0 || b < a || b >= CPU_SETSIZE)
        return lcr_error_invalid (err, "%s: bad cpu list `%s`", field, list);
      for (long c = a; c <= b; c++)
        CPU_SET (c, &set);
    }
  if (sched_setaffinity (0, sizeof set, &set) < 0)
    return lcr_error_sys (err, "%s: sched_setaffinity `%s`", field, list);
  return 0;
}
