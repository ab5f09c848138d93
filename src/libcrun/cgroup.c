/* berth — cgroup manager: backend choice and what the backends share. */
#define _GNU_SOURCE
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "utils.h"

static int
list_hierarchies (struct lcr_cgroup *cg, lcr_error_t *err)
{
  cleanup_dir DIR *d = opendir (cg->root);
  if (d == NULL)
    return lcr_error_sys (err, "open the cgroup root `%s`", cg->root);
  struct dirent *de;
  size_t cap = 0;
  while ((de = readdir (d)))
    {
      /* "cpu" → "cpu,cpuacct" style symlinks name the same hierarchy twice */
      if (de->d_name[0] == '.' || de->d_type != DT_DIR)
        continue;
      if (cg->hierarchies_len + 2 > cap)
        {
          cap = cap ? cap * 2 : 16;
          cg->hierarchies = xrealloc (cg->hierarchies, cap * sizeof (char *));
        }
      cg->hierarchies[cg->hierarchies_len++] = xstrdup (de->d_name);
      cg->hierarchies[cg->hierarchies_len] = NULL;
    }
  return 0;
}

static int
init (const char *root, char *path, struct lcr_cgroup **out, lcr_error_t *err)
{
  struct statfs sfs;
  struct lcr_cgroup *cg = xmalloc0 (sizeof *cg);
  cg->root = xstrdup (root);
  cg->path = path;
  if (statfs (root, &sfs) < 0)
    {
      lcr_cgroup_free (cg);
      return lcr_error_sys (err, "statfs the cgroup root `%s`", root);
    }
  if (sfs.f_type == CGROUP2_SUPER_MAGIC)
    {
      cg->kind = LCR_CGROUP_V2;
      cg->ops = &lcr_cgroup_v2_ops;
    }
  else
    {
      cg->kind = LCR_CGROUP_V1;
      cg->ops = &lcr_cgroup_v1_ops;
      if (list_hierarchies (cg, err) < 0)
        {
          lcr_cgroup_free (cg);
          return -1;
        }
    }
  *out = cg;
  return 0;
}

int
lcr_cgroup_new (const char *root, const char *id, const char *cgroups_path, struct lcr_cgroup **out, lcr_error_t *err)
{
  char *path;
  if (cgroups_path == NULL || cgroups_path[0] == '\0')
    xasprintf (&path, "/%s", id);
  else if (strstr (cgroups_path, "..") != NULL)
    return lcr_error_make (err, 0, LCR_ERR_INVALID, ".linux.cgroupsPath: `%s` must not contain `..`", cgroups_path);
  else
    xasprintf (&path, "%s%s", cgroups_path[0] == '/' ? "" : "/", cgroups_path);
  /* trailing slashes would make a second, empty-named level */
  for (size_t n = strlen (path); n > 1 && path[n - 1] == '/'; n--)
    path[n - 1] = '\0';
  return init (root, path, out, err);
}

int
lcr_cgroup_load (const char *root, const char *path, struct lcr_cgroup **out, lcr_error_t *err)
{
  return init (root, xstrdup (path), out, err);
}

void
lcr_cgroup_free (struct lcr_cgroup *cg)
{
  if (cg == NULL)
    return;
  if (cg->ops && cg->ops->release) /* the systemd driver's unit */
    cg->ops->release (cg);
  for (size_t i = 0; i < cg->hierarchies_len; i++)
    free (cg->hierarchies[i]);
  free (cg->hierarchies);
  free (cg->root);
  free (cg->path);
  free (cg);
}

int
lcr_cgroup_create (struct lcr_cgroup *cg, lcr_error_t *err)
{
  return cg->ops->create (cg, err);
}
int
lcr_cgroup_enter (struct lcr_cgroup *cg, pid_t pid, lcr_error_t *err)
{
  return cg->ops->enter (cg, pid, err);
}
int
lcr_cgroup_pids (struct lcr_cgroup *cg, pid_t **pids, size_t *n, lcr_error_t *err)
{
  return cg->ops->pids (cg, pids, n, err);
}
int
lcr_cgroup_kill (struct lcr_cgroup *cg, int signo, lcr_error_t *err)
{
  return cg->ops->kill (cg, signo, err);
}
int
lcr_cgroup_mount (struct lcr_cgroup *cg, int rootfd, const char *dest, unsigned long flags, bool ro, bool cgroupns,
                  lcr_error_t *err)
{
  return cg->ops->mount (cg, rootfd, dest, flags, ro, cgroupns, err);
}

int
lcr_cgroup_destroy (struct lcr_cgroup *cg, lcr_error_t *err)
{
  /* Processes that outlived the init (no pid namespace, or daemons) would
     keep the directories busy. */
  pid_t *pids = NULL;
  size_t n = 0;
  if (cg->ops->pids (cg, &pids, &n, NULL) == 0 && n > 0)
    cg->ops->kill (cg, SIGKILL, NULL);
  free (pids);
  return cg->ops->destroy (cg, err);
}

int
lcr_cgroup_read_pids (const char *procs_file, pid_t **pids, size_t *n, lcr_error_t *err)
{
  cleanup_free char *buf = NULL;
  *pids = NULL;
  *n = 0;
  if (lcr_read_file (procs_file, &buf, NULL, err) < 0)
    return -1;
  size_t cap = 0;
  for (char *p = buf, *end; *p; p = end)
    {
      long v = strtol (p, &end, 10);
      if (end == p)
        break;
      if (*n + 1 > cap)
        {
          cap = cap ? cap * 2 : 16;
          *pids = xrealloc (*pids, cap * sizeof (pid_t));
        }
      (*pids)[(*n)++] = (pid_t)v;
      while (*end == '\n')
        end++;
    }
  return 0;
}

int
lcr_cgroup_write (const char *dir, const char *file, const char *value, lcr_error_t *err)
{
  cleanup_free char *path = NULL;
  xasprintf (&path, "%s/%s", dir, file);
  cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return lcr_error_sys (err, "open `%s`", path);
  if (write (fd, value, strlen (value)) < 0)
    return lcr_error_sys (err, "write `%s` to `%s`", value, path);
  return 0;
}

/* rmdir dirfd/name (path: the same, for messages); a killed process leaves
   the cgroup a moment after it is reaped. */
static int
rmdir_at (int dirfd, const char *name, const char *path, lcr_error_t *err)
{
  for (int attempt = 0;; attempt++)
    {
      /* a path too long to name was never made through it either (create
         uses the same path): nothing to remove */
      if (unlinkat (dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT || errno == ENAMETOOLONG)
        return 0;
      if (errno != EBUSY || attempt >= 500)
        return lcr_error_sys (err, "remove cgroup `%s`", path);
      struct timespec ts = {0, 2 * 1000 * 1000};
      nanosleep (&ts, NULL);
    }
}

/* Deeper than this is not a container's doing; refuse rather than recurse. */
#define SUB_CGROUP_MAX_DEPTH 64

/* Remove every cgroup below the open cgroup `fd` (at `path`), deepest first.
   The container made them (a systemd inside, a process manager, exec
   --cgroup); what still runs in them is killed, as it would keep them busy. */
static int
remove_sub_cgroups (int fd, const char *path, int depth, lcr_error_t *err)
{
  if (depth > SUB_CGROUP_MAX_DEPTH)
    return lcr_error_make (err, ELOOP, LCR_ERR_SYSTEM, "remove cgroup `%s`: more than %d levels of sub-cgroups", path,
                           SUB_CGROUP_MAX_DEPTH);
  int dup_fd = fcntl (fd, F_DUPFD_CLOEXEC, 0);
  cleanup_dir DIR *d = dup_fd >= 0 ? fdopendir (dup_fd) : NULL;
  if (d == NULL)
    {
      if (dup_fd >= 0)
        close (dup_fd);
      return lcr_error_sys (err, "list cgroup `%s`", path);
    }
  struct dirent *de;
  while ((de = readdir (d)))
    {
      if (de->d_type != DT_DIR || strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      cleanup_free char *sub = NULL;
      xasprintf (&sub, "%s/%s", path, de->d_name);
      cleanup_close int subfd = openat (fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (subfd < 0)
        {
          if (errno == ENOENT)
            continue;
          return lcr_error_sys (err, "open cgroup `%s`", sub);
        }
      if (remove_sub_cgroups (subfd, sub, depth + 1, err) < 0)
        return -1;
      cleanup_free char *procs = NULL;
      xasprintf (&procs, "%s/cgroup.procs", sub);
      pid_t *pids = NULL;
      size_t n = 0;
      if (lcr_cgroup_read_pids (procs, &pids, &n, NULL) == 0)
        for (size_t i = 0; i < n; i++)
          kill (pids[i], SIGKILL);
      free (pids);
      if (rmdir_at (fd, de->d_name, sub, err) < 0)
        return -1;
    }
  return 0;
}

int
lcr_cgroup_rmdir (const char *dir, lcr_error_t *err)
{
  cleanup_close int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 && (errno == ENOENT || errno == ENAMETOOLONG))
    return 0;
  if (fd >= 0 && remove_sub_cgroups (fd, dir, 0, err) < 0)
    return -1;
  return rmdir_at (AT_FDCWD, dir, dir, err);
}

int
lcr_cgroup_signal_each (struct lcr_cgroup *cg, int signo, lcr_error_t *err)
{
  pid_t *pids = NULL;
  size_t n = 0;
  if (cg->ops->pids (cg, &pids, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    kill (pids[i], signo);
  free (pids);
  return 0;
}

/* The deepest directory of base + path that exists (base itself at worst):
   a cgroup still to be made is born with that one's freezer state. */
static char *
nearest_existing (const char *base, const char *path)
{
  char *dir;
  xasprintf (&dir, "%s%s", base, path);
  size_t min = strlen (base);
  struct stat sb;
  while (stat (dir, &sb) < 0 || !S_ISDIR (sb.st_mode))
    {
      char *slash = strrchr (dir, '/');
      if (slash == NULL || (size_t)(slash - dir) < min)
        break;
      *slash = '\0';
    }
  return dir;
}

/* cgroup2: frozen ("frozen 1" in cgroup.events, which counts the
   ancestors) or freezing (cgroup.freeze 1). */
static bool
v2_dir_frozen (const char *dir, char **why)
{
  cleanup_free char *events = NULL, *freeze = NULL, *file = NULL;
  xasprintf (&file, "%s/cgroup.events", dir);
  if (lcr_read_file (file, &events, NULL, NULL) == 0 && strstr (events, "frozen 1"))
    {
      xasprintf (why, "`frozen 1` in %s", file);
      return true;
    }
  free (file);
  xasprintf (&file, "%s/cgroup.freeze", dir);
  if (lcr_read_file (file, &freeze, NULL, NULL) == 0 && freeze[0] == '1')
    {
      xasprintf (why, "`1` in %s", file);
      return true;
    }
  return false;
}

bool
lcr_cgroup_frozen_why (struct lcr_cgroup *cg, char **why)
{
  *why = NULL;
  if (cg->kind == LCR_CGROUP_V2)
    {
      cleanup_free char *dir = nearest_existing (cg->root, cg->path);
      return v2_dir_frozen (dir, why);
    }
  for (size_t i = 0; i < cg->hierarchies_len; i++)
    {
      const char *h = cg->hierarchies[i];
      cleanup_free char *base = NULL, *dir = NULL, *file = NULL, *state = NULL;
      xasprintf (&base, "%s/%s", cg->root, h);
      dir = nearest_existing (base, cg->path);
      if (strcmp (h, "unified") == 0)
        {
          if (v2_dir_frozen (dir, why))
            return true;
          continue;
        }
      if (strstr (h, "freezer") == NULL)
        continue;
      /* v1 shows a child of a frozen cgroup FROZEN too; the root has no file */
      xasprintf (&file, "%s/freezer.state", dir);
      if (lcr_read_file (file, &state, NULL, NULL) == 0 && strncmp (state, "THAWED", 6) != 0)
        {
          state[strcspn (state, "\n")] = '\0';
          xasprintf (why, "`%s` in %s", state, file);
          return true;
        }
    }
  return false;
}

void
lcr_cgroup_thaw_all (struct lcr_cgroup *cg)
{
  if (cg->kind == LCR_CGROUP_V2)
    {
      cleanup_free char *dir = NULL;
      xasprintf (&dir, "%s%s", cg->root, cg->path);
      lcr_cgroup_write (dir, "cgroup.freeze", "0", NULL);
      return;
    }
  for (size_t i = 0; i < cg->hierarchies_len; i++)
    {
      const char *h = cg->hierarchies[i];
      cleanup_free char *dir = NULL;
      xasprintf (&dir, "%s/%s%s", cg->root, h, cg->path);
      if (strcmp (h, "unified") == 0)
        lcr_cgroup_write (dir, "cgroup.freeze", "0", NULL);
      else if (strstr (h, "freezer"))
        lcr_cgroup_write (dir, "freezer.state", "THAWED", NULL);
    }
}
