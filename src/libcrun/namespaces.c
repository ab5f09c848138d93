/* berth — creating and joining namespaces.
 *
 * Namespaces to create go into the clone flags, so the kernel makes them all
 * at once and owns them by the new user namespace when there is one.  Paths
 * to join are opened by the parent, so a wrong path fails before anything
 * is cloned.  Joining a user, pid or time namespace, creating a time
 * namespace with offsets, or creating a user namespace while joining others
 * needs an intermediate process (see sync.h): those either affect only the
 * caller's future children or must happen in a fixed order.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>

#include "linux.h"
#include "utils.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const int clone_flags[LCR_NS_COUNT] = {
    [LCR_NS_PID] = CLONE_NEWPID,       [LCR_NS_NETWORK] = CLONE_NEWNET, [LCR_NS_MOUNT] = CLONE_NEWNS,
    [LCR_NS_IPC] = CLONE_NEWIPC,       [LCR_NS_UTS] = CLONE_NEWUTS,     [LCR_NS_USER] = CLONE_NEWUSER,
    [LCR_NS_CGROUP] = CLONE_NEWCGROUP, [LCR_NS_TIME] = CLONE_NEWTIME,
};

int
lcr_ns_clone_flag (int type)
{
  return type >= 0 && type < LCR_NS_COUNT ? clone_flags[type] : 0;
}

static bool
has_time_offsets (struct lcr_spec *spec)
{
  return spec->linux_ && (spec->linux_->time_offsets_boottime || spec->linux_->time_offsets_monotonic);
}

int
lcr_ns_prepare (struct lcr_start *s, lcr_error_t *err)
{
  struct lcr_spec_linux *l = s->spec->linux_;
  bool any_join = false;
  for (int i = 0; i < LCR_NS_COUNT; i++)
    s->join_fd[i] = -1;
  s->new_ns_flags = 0;
  for (size_t i = 0; l && i < l->namespaces_len; i++)
    {
      struct lcr_spec_namespace *ns = &l->namespaces[i];
      if (ns->path == NULL || ns->path[0] == '\0')
        {
          s->new_ns_flags |= clone_flags[ns->type];
          continue;
        }
      int fd = open (ns->path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        return lcr_error_make (err, errno, LCR_ERR_INVALID, ".linux.namespaces[%zu].path: open `%s`", i, ns->path);
      int kind = ioctl (fd, NS_GET_NSTYPE);
      if (kind >= 0 && kind != clone_flags[ns->type])
        {
          close (fd);
          return lcr_error_make (err, 0, LCR_ERR_INVALID, ".linux.namespaces[%zu].path: `%s` is not a %s namespace", i,
                                 ns->path, lcr_ns_type_name (ns->type));
        }
      s->join_fd[ns->type] = fd;
      any_join = true;
    }
  bool new_user = s->new_ns_flags & CLONE_NEWUSER;
  s->in_userns = new_user || s->join_fd[LCR_NS_USER] >= 0;
  s->in_joined_mount_ns = s->join_fd[LCR_NS_MOUNT] >= 0;
  bool new_time_offsets = (s->new_ns_flags & CLONE_NEWTIME) && has_time_offsets (s->spec);
  s->needs_intermediate = s->join_fd[LCR_NS_USER] >= 0 || s->join_fd[LCR_NS_PID] >= 0 || s->join_fd[LCR_NS_TIME] >= 0
                          || new_time_offsets || (new_user && any_join);
  if (new_time_offsets)
    s->new_ns_flags &= ~CLONE_NEWTIME; /* the intermediate unshares it to set offsets first */
  return 0;
}

int
lcr_ns_clone_flags (struct lcr_start *s)
{
  /* A cgroup namespace is rooted where its creator is at that moment: the
     init unshares it itself once the parent has put it in its cgroup. */
  return s->new_ns_flags & ~CLONE_NEWCGROUP;
}

void
lcr_ns_close (struct lcr_start *s)
{
  for (int i = 0; i < LCR_NS_COUNT; i++)
    if (s->join_fd[i] >= 0)
      {
        close (s->join_fd[i]);
        s->join_fd[i] = -1;
      }
}

int
lcr_ns_join (struct lcr_start *s, bool include_user_pid_time, lcr_error_t *err)
{
  /* user first: the others may be owned by it; mount last: it changes our
     root and cwd. */
  static const int order[]
      = {LCR_NS_USER, LCR_NS_PID, LCR_NS_TIME, LCR_NS_NETWORK, LCR_NS_IPC, LCR_NS_UTS, LCR_NS_CGROUP, LCR_NS_MOUNT};
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
    {
      int t = order[i];
      if (s->join_fd[t] < 0)
        continue;
      if (!include_user_pid_time && (t == LCR_NS_USER || t == LCR_NS_PID || t == LCR_NS_TIME))
        continue;
      if (setns (s->join_fd[t], clone_flags[t]) < 0)
        return lcr_error_sys (err, "join the %s namespace", lcr_ns_type_name (t));
    }
  return 0;
}

static int
write_map (pid_t pid, const char *file, struct lcr_spec_id_mapping *m, size_t n, lcr_error_t *err)
{
  char path[64];
  size_t cap = n * 40 + 1, len = 0;
  cleanup_free char *buf = xmalloc0 (cap);
  for (size_t i = 0; i < n; i++)
    len += snprintf (buf + len, cap - len, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
  snprintf (path, sizeof path, "/proc/%d/%s", pid, file);
  cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write (fd, buf, len) != (ssize_t)len)
    return lcr_error_sys (err, "write %s", file);
  return 0;
}

int
lcr_ns_write_id_maps (pid_t pid, struct lcr_spec *spec, lcr_error_t *err)
{
  struct lcr_spec_linux *l = spec->linux_;
  if (l == NULL)
    return 0;
  if (l->uid_mappings_len && write_map (pid, "uid_map", l->uid_mappings, l->uid_mappings_len, err) < 0)
    return -1;
  if (l->gid_mappings_len && write_map (pid, "gid_map", l->gid_mappings, l->gid_mappings_len, err) < 0)
    return -1;
  return 0;
}

int
lcr_ns_setup_time (struct lcr_spec *spec, lcr_error_t *err)
{
  struct lcr_spec_linux *l = spec->linux_;
  char buf[256];
  size_t len = 0;
  if (unshare (CLONE_NEWTIME) < 0)
    return lcr_error_sys (err, "unshare the time namespace");
  if (l->time_offsets_monotonic)
    len += snprintf (buf + len, sizeof buf - len, "monotonic %lld %u\n", (long long)l->time_offsets_monotonic->secs,
                     l->time_offsets_monotonic->nanosecs);
  if (l->time_offsets_boottime)
    len += snprintf (buf + len, sizeof buf - len, "boottime %lld %u\n", (long long)l->time_offsets_boottime->secs,
                     l->time_offsets_boottime->nanosecs);
  cleanup_close int fd = open ("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
  /* the kernel takes one clock per write */
  for (char *line = buf, *nl; fd >= 0 && (nl = strchr (line, '\n')); line = nl + 1)
    if (write (fd, line, nl - line + 1) < 0)
      return lcr_error_sys (err, "write timens_offsets (.linux.timeOffsets)");
  if (fd < 0)
    return lcr_error_sys (err, "open /proc/self/timens_offsets");
  return 0;
}
