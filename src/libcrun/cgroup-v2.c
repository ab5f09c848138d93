/* berth — cgroupfs v2 backend. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "cgroup.h"
#include "linux.h"
#include "utils.h"

static char *
dir_of (struct lcr_cgroup *cg)
{
  char *d;
  xasprintf (&d, "%s%s", cg->root, cg->path);
  return d;
}

static int
v2_create (struct lcr_cgroup *cg, lcr_error_t *err)
{
  cleanup_free char *dir = dir_of (cg);
  return lcr_mkdir_p (dir, 0755, err);
}

static int
v2_enter (struct lcr_cgroup *cg, pid_t pid, lcr_error_t *err)
{
  char value[32];
  cleanup_free char *dir = dir_of (cg);
  snprintf (value, sizeof value, "%d", pid);
  return lcr_cgroup_write (dir, "cgroup.procs", value, err);
}

static int
v2_pids (struct lcr_cgroup *cg, pid_t **pids, size_t *n, lcr_error_t *err)
{
  cleanup_free char *file = NULL;
  xasprintf (&file, "%s%s/cgroup.procs", cg->root, cg->path);
  return lcr_cgroup_read_pids (file, pids, n, err);
}

static int
v2_kill (struct lcr_cgroup *cg, int signo, lcr_error_t *err)
{
  cleanup_free char *dir = dir_of (cg);
  if (signo == SIGKILL && lcr_cgroup_write (dir, "cgroup.kill", "1", NULL) == 0)
    return 0;
  return lcr_cgroup_signal_each (cg, signo, err);
}

static int
v2_destroy (struct lcr_cgroup *cg, lcr_error_t *err)
{
  cleanup_free char *dir = dir_of (cg);
  return lcr_cgroup_rmdir (dir, err);
}

static int
v2_mount (struct lcr_cgroup *cg, int rootfd, const char *dest, unsigned long flags, bool ro, bool cgroupns,
          lcr_error_t *err)
{
  char target[LCR_FD_PATH_MAX];
  cleanup_close int fd = lcr_open_in_root (rootfd, dest, true, true, err);
  if (fd < 0)
    return -1;
  lcr_fd_path (fd, target);
  unsigned long f = flags | (ro ? MS_RDONLY : 0);
  if (cgroupns && mount ("cgroup2", target, "cgroup2", f, NULL) == 0)
    return 0;
  /* no cgroup namespace (or not allowed): show the container its own cgroup */
  cleanup_free char *src = dir_of (cg);
  if (mount (src, target, NULL, MS_BIND | MS_REC, NULL) < 0)
    return lcr_error_sys (err, "bind `%s` on `%s`", src, dest);
  close (fd);
  fd = lcr_open_in_root (rootfd, dest, false, true, err);
  if (fd < 0)
    return -1;
  lcr_fd_path (fd, target);
  return lcr_remount_bind (target, f, false, err);
}

const struct lcr_cgroup_ops lcr_cgroup_v2_ops = {
    .create = v2_create,
    .enter = v2_enter,
    .pids = v2_pids,
    .kill = v2_kill,
    .destroy = v2_destroy,
    .mount = v2_mount,
    .apply = lcr_cgroup_v2_apply,
    .freeze = lcr_cgroup_v2_freeze,
    .is_frozen = lcr_cgroup_v2_is_frozen,
    .stats = lcr_cgroup_v2_stats,
    .oom_watch = lcr_cgroup_v2_oom_watch,
};
