/* dock — removing the staging dirs a crashed `load` or `commit` left in ROOT/tmp (imgstore.h:
 * dock_stage_sweep).
 *
 * A live stage is flock()ed by its owner; the lock goes when the owner dies, however it dies.
 * The owner's pid and start time in the name cover the moment between its mkdir and its
 * flock: a dir whose lock is free but whose owner still runs is left alone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include "image/imgstore.h"
#include "store/store.h"

/* "<pid>-<start time>-<random>": the owner, or false for a name dock did not make */
static bool
owner_of (const char *name, pid_t *pid, unsigned long long *start)
{
  char *end;
  errno = 0;
  long p = strtol (name, &end, 10);
  if (errno || end == name || *end != '-' || p <= 0)
    return false;
  const char *s = end + 1;
  unsigned long long t = strtoull (s, &end, 10);
  if (errno || end == s || *end != '-')
    return false;
  *pid = (pid_t)p;
  *start = t;
  return true;
}

int
dock_stage_sweep (struct dock_ctx *ctx)
{
  cleanup_free char *tmp = dock_path (ctx, "tmp");
  cleanup_close int dfd = open (tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return 0;
  cleanup_strv char **names = dock_list_dir (tmp);
  int removed = 0;
  for (size_t i = 0; names && names[i]; i++)
    {
      pid_t pid;
      unsigned long long start;
      if (!owner_of (names[i], &pid, &start) || lcr_proc_alive (pid, start))
        continue;
      cleanup_close int fd = openat (dfd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      /* held: a dock in another PID namespace (where the pid means someone else) still works in it */
      if (fd < 0 || flock (fd, LOCK_EX | LOCK_NB) < 0)
        continue;
      lcr_error_t err = NULL;
      if (lcr_rm_rf_at (dfd, names[i], &err) == 0)
        removed++;
      lcr_error_release (&err);
    }
  return removed;
}
