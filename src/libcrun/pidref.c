/* berth — a handle on a process we did not start: a container's init, named
 * in state.json by pid and start time.
 *
 * With a pidfd (Linux 5.3) the handle keeps meaning that process once it is
 * open, whatever later happens to the pid, and poll() says when it exits.
 * Without one (older kernels; valgrind 3.19, which does not know
 * pidfd_open) every use checks the start time again and waiting polls /proc:
 * a pid reused between the check and kill(2) could still be signalled, the
 * window runc has on every kernel.
 */
#define _GNU_SOURCE
#include "pidref.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "utils.h"

int
lcr_pidref_open (struct lcr_pidref *r, pid_t pid, unsigned long long start_time)
{
  *r = (struct lcr_pidref){.fd = -1, .pid = pid, .start_time = start_time};
  if (pid <= 0)
    {
      errno = ESRCH;
      return -1;
    }
  r->fd = (int)syscall (SYS_pidfd_open, pid, 0);
  if (r->fd < 0 && errno != ENOSYS)
    return -1;
  /* checked after the open: the pid may have been reused since state.json was written */
  if (lcr_proc_start_time (pid, NULL) != start_time)
    {
      lcr_pidref_close (r);
      errno = ESRCH;
      return -1;
    }
  return 0;
}

int
lcr_pidref_signal (const struct lcr_pidref *r, int sig)
{
  if (r->fd >= 0)
    return (int)syscall (SYS_pidfd_send_signal, r->fd, sig, NULL, 0);
  if (r->pid <= 0 || lcr_proc_start_time (r->pid, NULL) != r->start_time)
    {
      errno = ESRCH;
      return -1;
    }
  return kill (r->pid, sig);
}

bool
lcr_pidref_alive (const struct lcr_pidref *r)
{
  return r->pid > 0 && lcr_proc_alive (r->pid, r->start_time);
}

bool
lcr_pidref_wait_exit (const struct lcr_pidref *r, int timeout_ms)
{
  if (r->fd >= 0)
    {
      struct pollfd p = {.fd = r->fd, .events = POLLIN};
      int n;
      do
        n = poll (&p, 1, timeout_ms);
      while (n < 0 && errno == EINTR);
      if (n > 0)
        return true;
      return !lcr_pidref_alive (r);
    }
  for (int waited = 0;; waited += 10)
    {
      if (!lcr_pidref_alive (r))
        return true;
      if (waited >= timeout_ms)
        return false;
      nanosleep (&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
    }
}

void
lcr_pidref_close (struct lcr_pidref *r)
{
  if (r->fd >= 0)
    close (r->fd);
  r->fd = -1;
}
