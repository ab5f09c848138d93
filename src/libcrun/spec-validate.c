/* berth — semantic checks on a parsed config.json.
 *
 * The parser only knows types; this file knows what the values mean.  It
 * runs before anything is created, so a bad bundle fails with a message that
 * names the JSON path and leaves nothing behind.  Checks are those a runtime
 * must make (the runtime spec's MUSTs) plus the ones that would otherwise
 * fail later with a less helpful error from the kernel.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "spec-internal.h"
#include "spec.h"

#define COUNT(a) (sizeof (a) / sizeof ((a)[0]))

static bool
in_list (const char *s, const char *const *list, size_t n)
{
  for (size_t i = 0; s && i < n; i++)
    if (strcmp (s, list[i]) == 0)
      return true;
  return false;
}

/* The Linux capabilities, in kernel order (CAP_CHOWN = 0 …). */
static const char *const capability_names[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

const char *const *
lcr_capability_names (size_t *n)
{
  *n = COUNT (capability_names);
  return capability_names;
}

static const char *const rlimit_names[] = {
    "RLIMIT_AS",      "RLIMIT_CORE",     "RLIMIT_CPU",        "RLIMIT_DATA",   "RLIMIT_FSIZE", "RLIMIT_LOCKS",
    "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE",       "RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_RSS",
    "RLIMIT_RTPRIO",  "RLIMIT_RTTIME",   "RLIMIT_SIGPENDING", "RLIMIT_STACK",
};

static const char *const scheduler_policies[] = {
    "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE",
};

static const char *const ioprio_classes[] = {"IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"};

static const char *const propagations[] = {
    "shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate", "runbindable",
};

static const char *const seccomp_actions[] = {
    "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",   "SCMP_ACT_ERRNO",
    "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW",        "SCMP_ACT_LOG",         "SCMP_ACT_NOTIFY",
};

static const char *const seccomp_operators[] = {
    "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
};

static const char *const personality_domains[] = {"LINUX", "LINUX32"};

/* Each check pushes the key it looks at; on failure the path stays as it is
   (the caller's struct lcr_jpath dies with the error), on success it is
   popped. */
#define PUSH(p, key) size_t old_ = lcr_jpath_push_key ((p), (key))
#define POP(p) lcr_jpath_pop ((p), old_)

static int
check_absolute (const char *path, struct lcr_jpath *p, lcr_error_t *err)
{
  if (path == NULL || path[0] != '/')
    return lcr_spec_error_at (err, p, "must be an absolute path, got \"%s\"", path ? path : "");
  return 0;
}

/* A list of names that must all come from `known`; the message names the
   culprit and its index. */
static int
check_names (char *const *names, size_t n, const char *const *known, size_t known_n, const char *what,
             struct lcr_jpath *p, lcr_error_t *err)
{
  for (size_t i = 0; i < n; i++)
    if (!in_list (names[i], known, known_n))
      {
        lcr_jpath_push_index (p, i);
        return lcr_spec_error_at (err, p, "unknown %s \"%s\"", what, names[i]);
      }
  return 0;
}

static int
check_capabilities (const struct lcr_spec_capabilities *c, struct lcr_jpath *p, lcr_error_t *err)
{
  const struct
  {
    const char *key;
    char *const *names;
    size_t n;
  } sets[] = {
      {"bounding", c->bounding, c->bounding_len},
      {"effective", c->effective, c->effective_len},
      {"inheritable", c->inheritable, c->inheritable_len},
      {"permitted", c->permitted, c->permitted_len},
      {"ambient", c->ambient, c->ambient_len},
  };
  for (size_t i = 0; i < COUNT (sets); i++)
    {
      PUSH (p, sets[i].key);
      if (check_names (sets[i].names, sets[i].n, capability_names, COUNT (capability_names), "capability", p, err) < 0)
        return -1;
      POP (p);
    }
  return 0;
}

static int
check_rlimits (const struct lcr_spec_rlimit *r, size_t n, struct lcr_jpath *p, lcr_error_t *err)
{
  for (size_t i = 0; i < n; i++)
    {
      size_t old = lcr_jpath_push_index (p, i);
      if (!in_list (r[i].type, rlimit_names, COUNT (rlimit_names)))
        {
          lcr_jpath_push_key (p, "type");
          return lcr_spec_error_at (err, p, "unknown rlimit \"%s\"", r[i].type);
        }
      if (r[i].soft > r[i].hard)
        return lcr_spec_error_at (err, p, "%s soft limit %llu is above the hard limit %llu", r[i].type,
                                  (unsigned long long)r[i].soft, (unsigned long long)r[i].hard);
      /* setrlimit would silently apply only the last one. */
      for (size_t j = 0; j < i; j++)
        if (strcmp (r[i].type, r[j].type) == 0)
          return lcr_spec_error_at (err, p, "duplicate rlimit \"%s\"", r[i].type);
      lcr_jpath_pop (p, old);
    }
  return 0;
}

static int
check_one_of (const char *value, const char *key, const char *const *list, size_t n, const char *what,
              struct lcr_jpath *p, lcr_error_t *err)
{
  if (value == NULL)
    return 0;
  PUSH (p, key);
  if (!in_list (value, list, n))
    return lcr_spec_error_at (err, p, "unknown %s \"%s\"", what, value);
  POP (p);
  return 0;
}

int
lcr_spec_validate_process (const struct lcr_spec_process *proc, struct lcr_jpath *p, lcr_error_t *err)
{
  {
    PUSH (p, "args");
    if (proc->args_len == 0)
      return lcr_spec_error_at (err, p, "must name a program (at least one argument)");
    POP (p);
  }
  {
    PUSH (p, "cwd");
    if (proc->cwd == NULL)
      return lcr_spec_error_at (err, p, "required");
    if (check_absolute (proc->cwd, p, err) < 0)
      return -1;
    POP (p);
  }
  if (proc->capabilities)
    {
      PUSH (p, "capabilities");
      if (check_capabilities (proc->capabilities, p, err) < 0)
        return -1;
      POP (p);
    }
  {
    PUSH (p, "rlimits");
    if (check_rlimits (proc->rlimits, proc->rlimits_len, p, err) < 0)
      return -1;
    POP (p);
  }
  if (proc->scheduler)
    {
      PUSH (p, "scheduler");
      if (check_one_of (proc->scheduler->policy, "policy", scheduler_policies, COUNT (scheduler_policies),
                        "scheduler policy", p, err)
          < 0)
        return -1;
      POP (p);
    }
  if (proc->io_priority)
    {
      PUSH (p, "ioPriority");
      if (check_one_of (proc->io_priority->class_, "class", ioprio_classes, COUNT (ioprio_classes),
                        "I/O priority class", p, err)
          < 0)
        return -1;
      POP (p);
    }
  return 0;
}

int
lcr_spec_validate_resources (const struct lcr_spec_resources *res, struct lcr_jpath *p, lcr_error_t *err)
{
  PUSH (p, "devices");
  for (size_t i = 0; i < res->devices_len; i++)
    {
      const struct lcr_spec_device_cgroup *d = &res->devices[i];
      size_t old = lcr_jpath_push_index (p, i);
      if (d->type != 0 && strchr ("abc", d->type) == NULL)
        {
          lcr_jpath_push_key (p, "type");
          return lcr_spec_error_at (err, p, "device type must be \"a\", \"b\" or \"c\", got \"%c\"", d->type);
        }
      if (d->access && (d->access[0] == '\0' || strspn (d->access, "rwm") != strlen (d->access)))
        {
          lcr_jpath_push_key (p, "access");
          return lcr_spec_error_at (err, p, "access must be a combination of \"rwm\", got \"%s\"", d->access);
        }
      lcr_jpath_pop (p, old);
    }
  POP (p);
  return 0;
}

static int
check_mounts (const struct lcr_spec *spec, struct lcr_jpath *p, lcr_error_t *err)
{
  PUSH (p, "mounts");
  for (size_t i = 0; i < spec->mounts_len; i++)
    {
      const struct lcr_spec_mount *m = &spec->mounts[i];
      size_t old = lcr_jpath_push_index (p, i);
      /* Relative destinations are accepted: runc resolves them against the
         rootfs for compatibility with old configs. */
      if (m->destination[0] == '\0')
        {
          lcr_jpath_push_key (p, "destination");
          return lcr_spec_error_at (err, p, "must not be empty");
        }
      /* An idmapped mount needs both maps: mount_setattr takes a user
         namespace, which has both. */
      if ((m->uid_mappings_len == 0) != (m->gid_mappings_len == 0))
        return lcr_spec_error_at (err, p, "uidMappings and gidMappings must be given together");
      lcr_jpath_pop (p, old);
    }
  POP (p);
  return 0;
}

/* the six kinds of hooks, each with its key in config.json */
struct hook_kind
{
  const char *key;
  const struct lcr_spec_hook *hooks;
  size_t n;
};
#define HOOK_KINDS 6

static void
hook_kinds (const struct lcr_spec_hooks *h, struct hook_kind kinds[HOOK_KINDS])
{
  kinds[0] = (struct hook_kind){"prestart", h->prestart, h->prestart_len};
  kinds[1] = (struct hook_kind){"createRuntime", h->create_runtime, h->create_runtime_len};
  kinds[2] = (struct hook_kind){"createContainer", h->create_container, h->create_container_len};
  kinds[3] = (struct hook_kind){"startContainer", h->start_container, h->start_container_len};
  kinds[4] = (struct hook_kind){"poststart", h->poststart, h->poststart_len};
  kinds[5] = (struct hook_kind){"poststop", h->poststop, h->poststop_len};
}

static int
check_hooks (const struct lcr_spec_hooks *h, struct lcr_jpath *p, lcr_error_t *err)
{
  struct hook_kind kinds[HOOK_KINDS];
  hook_kinds (h, kinds);
  for (size_t k = 0; k < HOOK_KINDS; k++)
    for (size_t i = 0; i < kinds[k].n; i++)
      {
        const struct lcr_spec_hook *hook = &kinds[k].hooks[i];
        size_t old = lcr_jpath_push_key (p, kinds[k].key);
        lcr_jpath_push_index (p, i);
        size_t in_hook = lcr_jpath_push_key (p, "path");
        if (check_absolute (hook->path, p, err) < 0)
          return -1;
        lcr_jpath_pop (p, in_hook);
        lcr_jpath_push_key (p, "timeout");
        if (hook->has_timeout && hook->timeout <= 0)
          return lcr_spec_error_at (err, p, "must be greater than zero, got %d", (int)hook->timeout);
        lcr_jpath_pop (p, old);
      }
  return 0;
}

static int
check_namespaces (const struct lcr_spec_linux *l, struct lcr_jpath *p, lcr_error_t *err)
{
  ssize_t where[LCR_NS_COUNT];
  for (int t = 0; t < LCR_NS_COUNT; t++)
    where[t] = -1;
  {
    PUSH (p, "namespaces");
    for (size_t i = 0; i < l->namespaces_len; i++)
      {
        int t = l->namespaces[i].type;
        size_t old = lcr_jpath_push_index (p, i);
        if (where[t] >= 0)
          return lcr_spec_error_at (err, p, "duplicate namespace \"%s\" (also at index %zd)", lcr_ns_type_name (t),
                                    where[t]);
        where[t] = (ssize_t)i;
        lcr_jpath_pop (p, old);
      }
    POP (p);
  }

  bool has_maps = l->uid_mappings_len > 0 || l->gid_mappings_len > 0;
  if (has_maps && where[LCR_NS_USER] < 0)
    {
      lcr_jpath_push_key (p, l->uid_mappings_len > 0 ? "uidMappings" : "gidMappings");
      return lcr_spec_error_at (err, p, "id mappings need a user namespace in .linux.namespaces");
    }
  /* Joining an existing user namespace brings its maps; a new one is
     useless (and setuid fails) without both. */
  if (where[LCR_NS_USER] >= 0 && l->namespaces[where[LCR_NS_USER]].path == NULL
      && (l->uid_mappings_len == 0 || l->gid_mappings_len == 0))
    {
      lcr_jpath_push_key (p, "namespaces");
      lcr_jpath_push_index (p, (size_t)where[LCR_NS_USER]);
      return lcr_spec_error_at (err, p, "a new user namespace needs both .linux.uidMappings and .linux.gidMappings");
    }

  const struct lcr_spec_time_offset *offsets[] = {l->time_offsets_boottime, l->time_offsets_monotonic};
  const char *offset_keys[] = {"boottime", "monotonic"};
  for (size_t i = 0; i < COUNT (offsets); i++)
    {
      if (offsets[i] == NULL)
        continue;
      PUSH (p, "timeOffsets");
      lcr_jpath_push_key (p, offset_keys[i]);
      if (where[LCR_NS_TIME] < 0)
        return lcr_spec_error_at (err, p, "time offsets need a time namespace in .linux.namespaces");
      /* The kernel rejects nanoseconds outside [0, 1e9) in timens_offsets. */
      if (offsets[i]->nanosecs >= 1000000000)
        return lcr_spec_error_at (err, p, "nanosecs must be below 1000000000, got %u", offsets[i]->nanosecs);
      POP (p);
    }
  return 0;
}

static int
check_devices (const struct lcr_spec_linux *l, struct lcr_jpath *p, lcr_error_t *err)
{
  PUSH (p, "devices");
  for (size_t i = 0; i < l->devices_len; i++)
    {
      const struct lcr_spec_device *d = &l->devices[i];
      size_t old = lcr_jpath_push_index (p, i);
      size_t in_dev = lcr_jpath_push_key (p, "type");
      if (strchr ("cbup", d->type) == NULL || d->type == '\0')
        return lcr_spec_error_at (err, p, "device type must be \"c\", \"b\", \"u\" or \"p\", got \"%c\"", d->type);
      lcr_jpath_pop (p, in_dev);
      lcr_jpath_push_key (p, "path");
      if (check_absolute (d->path, p, err) < 0)
        return -1;
      lcr_jpath_pop (p, old);
    }
  POP (p);
  return 0;
}

static int
check_seccomp (const struct lcr_spec_seccomp *s, struct lcr_jpath *p, lcr_error_t *err)
{
  if (check_one_of (s->default_action, "defaultAction", seccomp_actions, COUNT (seccomp_actions), "seccomp action", p,
                    err)
      < 0)
    return -1;
  PUSH (p, "syscalls");
  for (size_t i = 0; i < s->syscalls_len; i++)
    {
      const struct lcr_spec_seccomp_syscall *sc = &s->syscalls[i];
      size_t old = lcr_jpath_push_index (p, i);
      if (check_one_of (sc->action, "action", seccomp_actions, COUNT (seccomp_actions), "seccomp action", p, err) < 0)
        return -1;
      size_t in_sc = lcr_jpath_push_key (p, "args");
      for (size_t j = 0; j < sc->args_len; j++)
        {
          size_t in_args = lcr_jpath_push_index (p, j);
          if (check_one_of (sc->args[j].op, "op", seccomp_operators, COUNT (seccomp_operators), "seccomp operator", p,
                            err)
              < 0)
            return -1;
          /* Syscalls take six arguments. */
          if (sc->args[j].index > 5)
            {
              lcr_jpath_push_key (p, "index");
              return lcr_spec_error_at (err, p, "must be between 0 and 5, got %u", sc->args[j].index);
            }
          lcr_jpath_pop (p, in_args);
        }
      lcr_jpath_pop (p, in_sc);
      lcr_jpath_pop (p, old);
    }
  POP (p);
  return 0;
}

static int
check_linux (const struct lcr_spec_linux *l, struct lcr_jpath *p, lcr_error_t *err)
{
  if (check_namespaces (l, p, err) < 0 || check_devices (l, p, err) < 0)
    return -1;
  if (l->resources)
    {
      PUSH (p, "resources");
      if (lcr_spec_validate_resources (l->resources, p, err) < 0)
        return -1;
      POP (p);
    }
  if (l->seccomp)
    {
      PUSH (p, "seccomp");
      if (check_seccomp (l->seccomp, p, err) < 0)
        return -1;
      POP (p);
    }
  if (check_one_of (l->rootfs_propagation, "rootfsPropagation", propagations, COUNT (propagations),
                    "rootfs propagation", p, err)
      < 0)
    return -1;
  if (l->personality)
    {
      PUSH (p, "personality");
      if (check_one_of (l->personality->domain, "domain", personality_domains, COUNT (personality_domains),
                        "personality domain", p, err)
          < 0)
        return -1;
      POP (p);
    }
  return 0;
}

/* Every string that becomes a path: longer than the kernel takes in one
   path (PATH_MAX with its NUL), it could only fail later, with a message
   carrying tens of kilobytes of it, after cgroups and mounts were made.
   Refuse it here, naming the field and not echoing the value. */
static int
check_len (const char *s, const char *key, struct lcr_jpath *p, lcr_error_t *err)
{
  if (s == NULL || strlen (s) < PATH_MAX)
    return 0;
  if (key)
    lcr_jpath_push_key (p, key);
  return lcr_spec_error_at (err, p, "too long: %zu bytes (a path has at most %d)", strlen (s), PATH_MAX - 1);
}

static int
check_len_list (char *const *v, size_t n, const char *key, struct lcr_jpath *p, lcr_error_t *err)
{
  size_t old = lcr_jpath_push_key (p, key), in = p->len;
  for (size_t i = 0; i < n; i++)
    {
      lcr_jpath_push_index (p, i);
      if (check_len (v[i], NULL, p, err) < 0)
        return -1;
      lcr_jpath_pop (p, in);
    }
  lcr_jpath_pop (p, old);
  return 0;
}

static int
check_path_lengths (const struct lcr_spec *spec, struct lcr_jpath *p, lcr_error_t *err)
{
  size_t top = p->len;
  if (spec->root)
    {
      lcr_jpath_push_key (p, "root");
      if (check_len (spec->root->path, "path", p, err) < 0)
        return -1;
      lcr_jpath_pop (p, top);
    }
  if (spec->process)
    {
      lcr_jpath_push_key (p, "process");
      if (check_len (spec->process->cwd, "cwd", p, err) < 0)
        return -1;
      lcr_jpath_pop (p, top);
    }
  for (size_t i = 0; i < spec->mounts_len; i++)
    {
      lcr_jpath_push_key (p, "mounts");
      lcr_jpath_push_index (p, i);
      size_t in = p->len;
      if (check_len (spec->mounts[i].destination, "destination", p, err) < 0)
        return -1;
      lcr_jpath_pop (p, in);
      if (check_len (spec->mounts[i].source, "source", p, err) < 0)
        return -1;
      lcr_jpath_pop (p, top);
    }
  if (spec->hooks)
    {
      struct hook_kind kinds[HOOK_KINDS];
      hook_kinds (spec->hooks, kinds);
      for (size_t k = 0; k < HOOK_KINDS; k++)
        for (size_t i = 0; i < kinds[k].n; i++)
          {
            lcr_jpath_push_key (p, "hooks");
            lcr_jpath_push_key (p, kinds[k].key);
            lcr_jpath_push_index (p, i);
            if (check_len (kinds[k].hooks[i].path, "path", p, err) < 0)
              return -1;
            lcr_jpath_pop (p, top);
          }
    }
  const struct lcr_spec_linux *l = spec->linux_;
  if (l == NULL)
    return 0;
  lcr_jpath_push_key (p, "linux");
  size_t in_linux = p->len;
  if (check_len (l->cgroups_path, "cgroupsPath", p, err) < 0)
    return -1;
  lcr_jpath_pop (p, in_linux);
  for (size_t i = 0; i < l->namespaces_len; i++)
    {
      lcr_jpath_push_key (p, "namespaces");
      lcr_jpath_push_index (p, i);
      if (check_len (l->namespaces[i].path, "path", p, err) < 0)
        return -1;
      lcr_jpath_pop (p, in_linux);
    }
  for (size_t i = 0; i < l->devices_len; i++)
    {
      lcr_jpath_push_key (p, "devices");
      lcr_jpath_push_index (p, i);
      if (check_len (l->devices[i].path, "path", p, err) < 0)
        return -1;
      lcr_jpath_pop (p, in_linux);
    }
  if (check_len_list (l->masked_paths, l->masked_paths_len, "maskedPaths", p, err) < 0
      || check_len_list (l->readonly_paths, l->readonly_paths_len, "readonlyPaths", p, err) < 0)
    return -1;
  lcr_jpath_pop (p, top);
  return 0;
}

/* Any 1.x: the spec promises compatibility within a major version, and
   tools write everything from "1.0.0" to "1.2.0" and "-dev" suffixes. */
static bool
version_supported (const char *v)
{
  return strncmp (v, "1.", 2) == 0 && v[2] >= '0' && v[2] <= '9';
}

int
lcr_spec_validate (const struct lcr_spec *spec, lcr_error_t *err)
{
  struct lcr_jpath path = {.len = 0};
  struct lcr_jpath *p = &path;
  /* first: the other checks may quote a value */
  if (check_path_lengths (spec, p, err) < 0)
    return -1;
  {
    PUSH (p, "ociVersion");
    if (spec->oci_version == NULL)
      return lcr_spec_error_at (err, p, "required");
    if (!version_supported (spec->oci_version))
      return lcr_spec_error_at (err, p, "unsupported version \"%s\" (berth supports 1.x)", spec->oci_version);
    POP (p);
  }
  {
    PUSH (p, "root");
    if (spec->root == NULL)
      return lcr_spec_error_at (err, p, "required");
    lcr_jpath_push_key (p, "path");
    if (spec->root->path[0] == '\0')
      return lcr_spec_error_at (err, p, "must not be empty");
    POP (p);
  }
  if (spec->process)
    {
      PUSH (p, "process");
      if (lcr_spec_validate_process (spec->process, p, err) < 0)
        return -1;
      POP (p);
    }
  if (check_mounts (spec, p, err) < 0)
    return -1;
  if (spec->hooks)
    {
      PUSH (p, "hooks");
      if (check_hooks (spec->hooks, p, err) < 0)
        return -1;
      POP (p);
    }
  if (spec->linux_)
    {
      PUSH (p, "linux");
      if (check_linux (spec->linux_, p, err) < 0)
        return -1;
      POP (p);
    }
  return 0;
}
