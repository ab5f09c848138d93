/* berth — cgroupfs v1 backend.  Also serves hybrid hosts: the cgroup2 mount
 * at <root>/unified is one more directory to create and join, and where it
 * has cgroup.kill, `kill --all` uses it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "linux.h"
#include "utils.h"

static char *
dir_of (struct lcr_cgroup *cg, const char *h)
{
  char *d;
  xasprintf (&d, "%s/%s%s", cg->root, h, cg->path);
  return d;
}

/* A new cpuset cgroup starts with empty cpus and mems and refuses tasks:
   copy the parent's down every level we may have created. */
static int
init_cpuset (struct lcr_cgroup *cg, const char *h, lcr_error_t *err)
{
  static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
  cleanup_free char *parent = NULL;
  xasprintf (&parent, "%s/%s", cg->root, h);
  for (const char *p = cg->path + 1; *p;)
    {
      const char *slash = strchr (p, '/');
      size_t len = slash ? (size_t)(slash - p) : strlen (p);
      cleanup_free char *level = NULL;
      xasprintf (&level, "%s/%.*s", parent, (int)len, p);
      for (int i = 0; i < 2; i++)
        {
          cleanup_free char *mine = NULL, *theirs = NULL, *mpath = NULL, *ppath = NULL;
          xasprintf (&mpath, "%s/%s", level, files[i]);
          xasprintf (&ppath, "%s/%s", parent, files[i]);
          if (lcr_read_file (mpath, &mine, NULL, NULL) < 0 || (mine[0] != '\n' && mine[0] != '\0'))
            continue;
          if (lcr_read_file (ppath, &theirs, NULL, err) < 0
              || lcr_write_file_at (AT_FDCWD, mpath, theirs, strlen (theirs), 0644, err) < 0)
            return -1;
        }
      free (parent);
      parent = steal_pointer (&level);
      p += len;
      while (*p == '/')
        p++;
    }
  return 0;
}

static int
v1_create (struct lcr_cgroup *cg, lcr_error_t *err)
{
  for (size_t i = 0; i < cg->hierarchies_len; i++)
    {
      cleanup_free char *dir = dir_of (cg, cg->hierarchies[i]);
      if (lcr_mkdir_p (dir, 0755, err) < 0)
        return -1;
      if (strstr (cg->hierarchies[i], "cpuset") && init_cpuset (cg, cg->hierarchies[i], err) < 0)
        return -1;
    }
  return 0;
}

static int
v1_enter (struct lcr_cgroup *cg, pid_t pid, lcr_error_t *err)
{
  char value[32];
  snprintf (value, sizeof value, "%d", pid);
  for (size_t i = 0; i < cg->hierarchies_len; i++)
    {
      cleanup_free char *dir = dir_of (cg, cg->hierarchies[i]);
      if (lcr_cgroup_write (dir, "cgroup.procs", value, err) < 0)
        return -1;
    }
  return 0;
}

/* The hierarchy whose cgroup.procs we read: unified if there, else the first. */
static const char *
main_hierarchy (struct lcr_cgroup *cg)
{
  for (size_t i = 0; i < cg->hierarchies_len; i++)
    if (strcmp (cg->hierarchies[i], "unified") == 0)
      return cg->hierarchies[i];
  return cg->hierarchies_len ? cg->hierarchies[0] : NULL;
}

static int
v1_pids (struct lcr_cgroup *cg, pid_t **pids, size_t *n, lcr_error_t *err)
{
  const char *h = main_hierarchy (cg);
  *pids = NULL;
  *n = 0;
  if (h == NULL)
    return 0;
  cleanup_free char *dir = dir_of (cg, h);
  cleanup_free char *file = NULL;
  xasprintf (&file, "%s/cgroup.procs", dir);
  return lcr_cgroup_read_pids (file, pids, n, err);
}

static int
v1_kill (struct lcr_cgroup *cg, int signo, lcr_error_t *err)
{
  const char *h = main_hierarchy (cg);
  if (h && signo == SIGKILL && strcmp (h, "unified") == 0)
    {
      cleanup_free char *dir = dir_of (cg, h);
      if (lcr_cgroup_write (dir, "cgroup.kill", "1", NULL) == 0)
        return 0;
    }
  return lcr_cgroup_signal_each (cg, signo, err);
}

static int
v1_destroy (struct lcr_cgroup *cg, lcr_error_t *err)
{
  int ret = 0;
  for (size_t i = 0; i < cg->hierarchies_len; i++)
    {
      cleanup_free char *dir = dir_of (cg, cg->hierarchies[i]);
      lcr_error_t e = NULL;
      if (lcr_cgroup_rmdir (dir, &e) < 0)
        {
          /* err may be NULL: a caller undoing a failed create only tries */
          if (ret == 0 && err)
            *err = steal_pointer (&e);
          else
            lcr_error_release (&e);
          ret = -1;
        }
    }
  return ret;
}

/* A tmpfs at dest with each hierarchy's container cgroup bound in, and the
   host's "cpu → cpu,cpuacct" style symlinks repeated. */
static int
v1_mount (struct lcr_cgroup *cg, int rootfd, const char *dest, unsigned long flags, bool ro, bool cgroupns,
          lcr_error_t *err)
{
  char target[LCR_FD_PATH_MAX];
  cleanup_close int fd = lcr_open_in_root (rootfd, dest, true, true, err);
  if (fd < 0)
    return -1;
  lcr_fd_path (fd, target);
  if (mount ("tmpfs", target, "tmpfs", flags, "mode=755") < 0)
    return lcr_error_sys (err, "mount tmpfs on `%s`", dest);
  close (fd);
  fd = lcr_open_in_root (rootfd, dest, false, true, err);
  if (fd < 0)
    return -1;
  char top[LCR_FD_PATH_MAX];
  lcr_fd_path (fd, top);
  for (size_t i = 0; i < cg->hierarchies_len; i++)
    {
      const char *h = cg->hierarchies[i];
      if (mkdirat (fd, h, 0755) < 0 && errno != EEXIST)
        return lcr_error_sys (err, "mkdir `%s/%s`", dest, h);
      /* a path inside the tmpfs we just made: nothing in it can be a link */
      cleanup_free char *sub = NULL;
      xasprintf (&sub, "%s/%s", top, h);
      unsigned long f = flags | (ro ? MS_RDONLY : 0);
      /* In a cgroup namespace a fresh mount of the hierarchy is rooted at
         the container's cgroup: one call.  The directory name says which
         controllers ("cpu,cpuacct"), "systemd" is the named one. */
      if (cgroupns)
        {
          int r;
          if (strcmp (h, "unified") == 0)
            r = mount ("cgroup2", sub, "cgroup2", f, NULL);
          else if (strcmp (h, "systemd") == 0)
            r = mount ("cgroup", sub, "cgroup", f, "none,name=systemd");
          else
            r = mount ("cgroup", sub, "cgroup", f, h);
          if (r == 0)
            continue;
        }
      cleanup_free char *src = dir_of (cg, h);
      if (mount (src, sub, NULL, MS_BIND | MS_REC, NULL) < 0)
        return lcr_error_sys (err, "bind `%s` on `%s/%s`", src, dest, h);
      if (lcr_remount_bind (sub, f, false, err) < 0)
        return -1;
    }
  /* the host's "cpu -> cpu,cpuacct" links, derived from the names */
  for (size_t i = 0; i < cg->hierarchies_len; i++)
    {
      const char *h = cg->hierarchies[i];
      if (strchr (h, ',') == NULL)
        continue;
      cleanup_free char *names = xstrdup (h);
      char *save = NULL;
      for (char *n = strtok_r (names, ",", &save); n; n = strtok_r (NULL, ",", &save))
        symlinkat (h, fd, n);
    }
  if (ro)
    {
      if (mount (NULL, top, NULL, MS_REMOUNT | MS_RDONLY | flags, "mode=755") < 0)
        return lcr_error_sys (err, "remount `%s` read-only", dest);
    }
  return 0;
}

const struct lcr_cgroup_ops lcr_cgroup_v1_ops = {
    .create = v1_create,
    .enter = v1_enter,
    .pids = v1_pids,
    .kill = v1_kill,
    .destroy = v1_destroy,
    .mount = v1_mount,
    .apply = lcr_cgroup_v1_apply,
    .freeze = lcr_cgroup_v1_freeze,
    .is_frozen = lcr_cgroup_v1_is_frozen,
    .stats = lcr_cgroup_v1_stats,
    .oom_watch = lcr_cgroup_v1_oom_watch,
};
