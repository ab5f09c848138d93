/* berth-shim — noticing that the kernel's OOM killer hit the container.
 *
 * cgroup v1: an eventfd registered on the memory cgroup's memory.oom_control through
 * cgroup.event_control.  The eventfd also fires when the cgroup is removed: a single event with
 * the cgroup gone is not an OOM.
 * cgroup v2: inotify on memory.events, and the oom_kill counter compared with the last one seen;
 * checked once more when the container is gone (the cgroup may go with it before we look).
 *
 * An OOM leaves an empty file `oom` in --persist-dir and in the bundle, where podman and CRI-O
 * look for it, as conmon does.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "shim.h"

#define CGROUP2_MAGIC 0x63677270

static void
write_oom_files (struct shim *s)
{
  const char *dirs[] = {s->o.persist_dir, s->o.bundle};
  for (size_t i = 0; i < 2; i++)
    {
      if (dirs[i] == NULL || *dirs[i] == '\0')
        continue;
      cleanup_free char *path = NULL;
      xasprintf (&path, "%s/oom", dirs[i]);
      int fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      if (fd < 0)
        shim_warn ("create `%s`: %m", path);
      else
        close (fd);
    }
  if (!s->oom_written)
    shim_info ("the container was OOM-killed");
  s->oom_written = true;
}

/* The container's cgroup path for `controller` ("" for the v2 hierarchy), or NULL. */
static char *
cgroup_of (pid_t pid, const char *controller)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/cgroup", pid);
  cleanup_file FILE *f = fopen (path, "re");
  if (f == NULL)
    return NULL;
  cleanup_free char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline (&line, &cap, f)) > 0)
    {
      if (line[n - 1] == '\n')
        line[n - 1] = '\0';
      char *ctrls = strchr (line, ':');
      char *cg = ctrls ? strchr (ctrls + 1, ':') : NULL;
      if (cg == NULL)
        continue;
      *cg++ = '\0';
      *ctrls++ = '\0'; /* line is now the hierarchy id alone ("0" on v2) */
      if (*controller == '\0')
        {
          if (strcmp (line, "0") == 0 && *ctrls == '\0')
            return xstrdup (cg);
          continue;
        }
      for (char *save = NULL, *c = strtok_r (ctrls, ",", &save); c; c = strtok_r (NULL, ",", &save))
        if (strcmp (c, controller) == 0)
          return xstrdup (cg);
    }
  return NULL;
}

static long long
v2_oom_kills (const char *events)
{
  cleanup_file FILE *f = fopen (events, "re");
  if (f == NULL)
    return -1;
  char key[64];
  long long v, kills = 0;
  while (fscanf (f, "%63s %lld", key, &v) == 2)
    if (strcmp (key, "oom_kill") == 0)
      kills = v;
  return kills;
}

/* "oom_kill N" in v1's memory.oom_control, -1 when absent. */
static long long
v1_oom_kills (const char *path)
{
  cleanup_file FILE *f = fopen (path, "re");
  if (f == NULL)
    return -1;
  char key[64];
  long long v, kills = -1;
  while (fscanf (f, "%63s %lld", key, &v) == 2)
    if (strcmp (key, "oom_kill") == 0)
      kills = v;
  return kills;
}

static void
v2_check (struct shim *s)
{
  long long k = v2_oom_kills (s->oom_v2_events);
  if (k > s->oom_v2_last)
    {
      s->oom_v2_last = k;
      write_oom_files (s);
    }
}

static void
on_v2 (struct shim *s, struct watch *w, uint32_t events LCR_UNUSED)
{
  char buf[4096];
  while (read (w->fd, buf, sizeof buf) > 0)
    ;
  v2_check (s);
}

static void
on_v1 (struct shim *s, struct watch *w, uint32_t events LCR_UNUSED)
{
  uint64_t count;
  if (read (w->fd, &count, sizeof count) != (ssize_t)sizeof count)
    return;
  bool removed = access (s->oom_v1_control, F_OK) < 0;
  if (removed)
    {
      /* Nothing more will come from a removed cgroup. */
      loop_close (s, w);
      if (count == 1)
        return;
    }
  write_oom_files (s);
}

static void
setup_v2 (struct shim *s, const char *mount, pid_t pid)
{
  cleanup_free char *cg = cgroup_of (pid, "");
  if (cg == NULL)
    return;
  xasprintf (&s->oom_v2_events, "%s%s/memory.events", mount, strcmp (cg, "/") == 0 ? "" : cg);
  long long k = v2_oom_kills (s->oom_v2_events);
  if (k < 0)
    {
      /* No memory controller in this hierarchy (a hybrid host): nothing to watch. */
      shim_debug ("no `%s`: no OOM detection on cgroup v2", s->oom_v2_events);
      free (s->oom_v2_events);
      s->oom_v2_events = NULL;
      return;
    }
  s->oom_v2_last = k;
  int fd = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0)
    return;
  if (inotify_add_watch (fd, s->oom_v2_events, IN_MODIFY) < 0 || loop_add (s, &s->oom, fd, EPOLLIN, on_v2, NULL) < 0)
    {
      shim_debug ("watch `%s`: %m", s->oom_v2_events);
      close (fd);
      s->oom.fd = -1;
    }
}

static void
setup_v1 (struct shim *s, pid_t pid)
{
  cleanup_free char *cg = cgroup_of (pid, "memory");
  if (cg == NULL)
    {
      shim_debug ("no memory cgroup for %d: no OOM detection", pid);
      return;
    }
  cleanup_free char *dir = NULL;
  xasprintf (&dir, "/sys/fs/cgroup/memory%s", strcmp (cg, "/") == 0 ? "" : cg);
  xasprintf (&s->oom_v1_control, "%s/cgroup.event_control", dir);
  xasprintf (&s->oom_v1_oomctl, "%s/memory.oom_control", dir);
  const char *oom_control = s->oom_v1_oomctl;
  /* The baseline for the last look (shares the v2 counter's field). */
  s->oom_v2_last = v1_oom_kills (oom_control);
  if (s->oom_v2_last < 0)
    s->oom_v2_last = LLONG_MAX;

  cleanup_close int ctl = open (s->oom_v1_control, O_WRONLY | O_CLOEXEC);
  cleanup_close int oc = open (oom_control, O_RDONLY | O_CLOEXEC);
  cleanup_close int efd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (ctl < 0 || oc < 0 || efd < 0)
    {
      shim_debug ("no OOM detection in `%s`: %m", dir);
      return;
    }
  char line[64];
  int n = snprintf (line, sizeof line, "%d %d", efd, oc);
  /* Refused on PREEMPT_RT kernels: advisory, like the whole feature. */
  if (write (ctl, line, (size_t)n) < 0)
    {
      shim_debug ("register OOM eventfd in `%s`: %m", dir);
      return;
    }
  if (loop_add (s, &s->oom, efd, EPOLLIN, on_v1, NULL) == 0)
    steal_fd (&efd);
}

void
oom_setup (struct shim *s)
{
  struct statfs sfs;
  if (statfs ("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_MAGIC)
    setup_v2 (s, "/sys/fs/cgroup", s->ctr_pid);
  else
    setup_v1 (s, s->ctr_pid);
}

void
oom_final_check (struct shim *s)
{
  if (s->oom_v2_events)
    v2_check (s);
  else if (s->oom_v1_oomctl)
    {
      /* The eventfd may still be queued behind the container's SIGCHLD: the counter in
         memory.oom_control (kernels >= 4.13) says it without a race. */
      long long k = v1_oom_kills (s->oom_v1_oomctl);
      if (k > s->oom_v2_last)
        write_oom_files (s);
    }
}
