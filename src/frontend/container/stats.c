/* dock — resource use of a running container (see stats.h). */
#define _GNU_SOURCE
#include "container/stats.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* a small file's content, or NULL */
static char *
read_small (const char *dir, const char *file)
{
  cleanup_free char *p = NULL;
  xasprintf (&p, "%s/%s", dir, file);
  char *out = NULL;
  size_t len;
  lcr_error_t err = NULL;
  if (lcr_read_file (p, &out, &len, &err) < 0)
    {
      lcr_error_release (&err);
      return NULL;
    }
  return out;
}

static bool
read_u64 (const char *dir, const char *file, unsigned long long *v)
{
  cleanup_free char *s = read_small (dir, file);
  if (s == NULL)
    return false;
  if (strncmp (s, "max", 3) == 0)
    {
      *v = ~0ULL;
      return true;
    }
  char *end;
  *v = strtoull (s, &end, 10);
  return end != s;
}

/* "key value" lines (memory.stat, cpu.stat) */
static bool
read_keyed (const char *dir, const char *file, const char *key, unsigned long long *v)
{
  cleanup_free char *s = read_small (dir, file);
  if (s == NULL)
    return false;
  size_t kl = strlen (key);
  for (char *line = s; line && *line;)
    {
      char *nl = strchr (line, '\n');
      if (strncmp (line, key, kl) == 0 && line[kl] == ' ')
        {
          *v = strtoull (line + kl + 1, NULL, 10);
          return true;
        }
      line = nl ? nl + 1 : NULL;
    }
  return false;
}

/* is `name` one of the comma-separated items of `list` */
static bool
in_list (const char *list, size_t len, const char *name)
{
  size_t nl = strlen (name);
  const char *p = list, *end = list + len;
  while (p < end)
    {
      const char *c = memchr (p, ',', (size_t)(end - p));
      size_t l = c ? (size_t)(c - p) : (size_t)(end - p);
      if (l == nl && memcmp (p, name, nl) == 0)
        return true;
      p += l + 1;
    }
  return false;
}

/* the mount point of the v1 hierarchy holding `controller`, or of cgroup2 (controller NULL),
   with the mount's own root (to strip from the process's path) */
static char *
find_mount (const char *controller, char **mroot)
{
  cleanup_file FILE *f = fopen ("/proc/self/mountinfo", "re");
  if (f == NULL)
    return NULL;
  cleanup_free char *line = NULL;
  size_t cap = 0;
  while (getline (&line, &cap, f) > 0)
    {
      /* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL…] - FSTYPE SOURCE SUPEROPTS */
      char *sep = strstr (line, " - ");
      if (sep == NULL)
        continue;
      char root[4096], mp[4096], fstype[64], src[256], super[1024];
      if (sscanf (line, "%*s %*s %*s %4095s %4095s", root, mp) != 2
          || sscanf (sep + 3, "%63s %255s %1023s", fstype, src, super) != 3)
        continue;
      if (controller == NULL ? strcmp (fstype, "cgroup2") != 0
                             : (strcmp (fstype, "cgroup") != 0 || !in_list (super, strlen (super), controller)))
        continue;
      *mroot = xstrdup (root);
      return xstrdup (mp);
    }
  return NULL;
}

char *
dock_cgroup_dir (pid_t pid, const char *controller, const char *v2_file, bool *is_v2)
{
  char p[64];
  snprintf (p, sizeof p, "/proc/%d/cgroup", (int)pid);
  cleanup_file FILE *f = fopen (p, "re");
  if (f == NULL)
    return NULL;
  cleanup_free char *line = NULL, *v1_path = NULL, *v2_path = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline (&line, &cap, f)) > 0)
    {
      if (line[n - 1] == '\n')
        line[--n] = '\0';
      char *c1 = strchr (line, ':');
      char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
      if (c2 == NULL)
        continue;
      if (c2 == c1 + 1 && strncmp (line, "0:", 2) == 0)
        v2_path = xstrdup (c2 + 1);
      else if (in_list (c1 + 1, (size_t)(c2 - c1 - 1), controller))
        v1_path = xstrdup (c2 + 1);
    }
  const char *path = v1_path ? v1_path : v2_path;
  if (path == NULL)
    return NULL;
  cleanup_free char *mroot = NULL;
  cleanup_free char *mp = find_mount (v1_path ? controller : NULL, &mroot);
  if (mp == NULL)
    return NULL;
  /* a path below the mount's root (the host's own mounts have "/") */
  size_t rl = strcmp (mroot, "/") == 0 ? 0 : strlen (mroot);
  if (rl && strncmp (path, mroot, rl) == 0)
    path += rl;
  char *dir;
  xasprintf (&dir, "%s%s", mp, path);
  if (!v1_path)
    {
      cleanup_free char *probe = NULL;
      xasprintf (&probe, "%s/%s", dir, v2_file);
      if (access (probe, F_OK) < 0)
        {
          free (dir);
          return NULL;
        }
    }
  if (is_v2)
    *is_v2 = v1_path == NULL;
  return dir;
}

static unsigned long long
host_memory (void)
{
  cleanup_file FILE *f = fopen ("/proc/meminfo", "re");
  char key[64];
  unsigned long long kb;
  while (f && fscanf (f, "%63s %llu kB\n", key, &kb) == 2)
    if (strcmp (key, "MemTotal:") == 0)
      return kb * 1024;
  return 0;
}

static void
read_memory (pid_t pid, struct dock_stats *s)
{
  bool v2;
  cleanup_free char *dir = dock_cgroup_dir (pid, "memory", "memory.current", &v2);
  if (dir == NULL)
    return;
  unsigned long long usage = 0, limit = ~0ULL, inactive = 0;
  read_u64 (dir, v2 ? "memory.current" : "memory.usage_in_bytes", &usage);
  read_u64 (dir, v2 ? "memory.max" : "memory.limit_in_bytes", &limit);
  if (read_keyed (dir, "memory.stat", v2 ? "inactive_file" : "total_inactive_file", &inactive) && inactive < usage)
    usage -= inactive;
  unsigned long long host = host_memory ();
  if (host && limit > host)
    limit = host;
  s->mem_usage = usage;
  s->mem_limit = limit;
}

static void
read_cpu (pid_t pid, struct dock_stats *s)
{
  bool v2;
  cleanup_free char *dir = dock_cgroup_dir (pid, "cpuacct", "cpu.stat", &v2);
  if (dir == NULL)
    return;
  if (v2)
    {
      unsigned long long us = 0;
      read_keyed (dir, "cpu.stat", "usage_usec", &us);
      s->cpu_ns = us * 1000;
    }
  else
    read_u64 (dir, "cpuacct.usage", &s->cpu_ns);
}

static void
read_pids (pid_t pid, struct dock_stats *s)
{
  cleanup_free char *dir = dock_cgroup_dir (pid, "pids", "pids.current", NULL);
  if (dir)
    read_u64 (dir, "pids.current", &s->pids);
}

static void
read_blkio (pid_t pid, struct dock_stats *s)
{
  bool v2;
  cleanup_free char *dir = dock_cgroup_dir (pid, "blkio", "io.stat", &v2);
  if (dir == NULL)
    return;
  if (v2)
    {
      /* "MAJ:MIN rbytes=N wbytes=N rios=N …" per device */
      cleanup_free char *st = read_small (dir, "io.stat");
      for (char *p = st; p && *p; p++)
        {
          if (strncmp (p, "rbytes=", 7) == 0)
            s->blk_read += strtoull (p + 7, &p, 10);
          else if (strncmp (p, "wbytes=", 7) == 0)
            s->blk_write += strtoull (p + 7, &p, 10);
          if (*p == '\0')
            break;
        }
      return;
    }
  /* "MAJ:MIN Read N" lines; without CFQ the throttle file is the one that counts */
  static const char *const files[]
      = {"blkio.throttle.io_service_bytes_recursive", "blkio.io_service_bytes_recursive", NULL};
  for (size_t i = 0; files[i]; i++)
    {
      cleanup_free char *st = read_small (dir, files[i]);
      bool any = false;
      for (char *line = st; line && *line;)
        {
          char *nl = strchr (line, '\n');
          char dev[64], op[32];
          unsigned long long v;
          if (sscanf (line, "%63s %31s %llu", dev, op, &v) == 3)
            {
              if (strcmp (op, "Read") == 0)
                s->blk_read += v, any = true;
              else if (strcmp (op, "Write") == 0)
                s->blk_write += v, any = true;
            }
          line = nl ? nl + 1 : NULL;
        }
      if (any)
        break;
    }
}

static void
read_net (pid_t pid, struct dock_stats *s)
{
  char p[64];
  snprintf (p, sizeof p, "/proc/%d/net/dev", (int)pid);
  cleanup_file FILE *f = fopen (p, "re");
  if (f == NULL)
    return;
  cleanup_free char *line = NULL;
  size_t cap = 0;
  while (getline (&line, &cap, f) > 0)
    {
      char *colon = strchr (line, ':');
      if (colon == NULL)
        continue;
      *colon = '\0';
      char *name = line + strspn (line, " ");
      if (strcmp (name, "lo") == 0)
        continue;
      /* receive: bytes packets errs drop fifo frame compressed multicast; transmit: bytes … */
      unsigned long long v[9];
      if (sscanf (colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                  &v[6], &v[7], &v[8])
          == 9)
        {
          s->net_rx += v[0];
          s->net_tx += v[8];
        }
    }
}

static unsigned long long
system_cpu_ns (void)
{
  cleanup_file FILE *f = fopen ("/proc/stat", "re");
  unsigned long long v[8] = {0};
  if (f == NULL
      || fscanf (f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
                 &v[7])
             < 4)
    return 0;
  unsigned long long ticks = 0;
  for (int i = 0; i < 8; i++)
    ticks += v[i];
  long hz = sysconf (_SC_CLK_TCK);
  return ticks * (1000000000ULL / (unsigned long long)(hz > 0 ? hz : 100));
}

int
dock_stats_read (pid_t pid, struct dock_stats *out, lcr_error_t *err)
{
  memset (out, 0, sizeof *out);
  char p[64];
  snprintf (p, sizeof p, "/proc/%d/cgroup", (int)pid);
  if (pid <= 0 || access (p, R_OK) < 0)
    return lcr_error_make (err, ESRCH, LCR_ERR_NOT_FOUND, "process %d is gone", (int)pid);
  out->system_ns = system_cpu_ns ();
  long n = sysconf (_SC_NPROCESSORS_ONLN);
  out->online_cpus = n > 0 ? (unsigned)n : 1;
  read_cpu (pid, out);
  read_memory (pid, out);
  read_pids (pid, out);
  read_blkio (pid, out);
  read_net (pid, out);
  return 0;
}

double
dock_stats_cpu_percent (const struct dock_stats *pre, const struct dock_stats *cur)
{
  if (cur->cpu_ns <= pre->cpu_ns || cur->system_ns <= pre->system_ns)
    return 0.0;
  double cpu = (double)(cur->cpu_ns - pre->cpu_ns), sys = (double)(cur->system_ns - pre->system_ns);
  return cpu / sys * (double)cur->online_cpus * 100.0;
}
