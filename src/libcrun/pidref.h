/* berth — a handle on a process we did not start (see pidref.c). */
#ifndef BERTH_PIDREF_H
#define BERTH_PIDREF_H

#include <stdbool.h>
#include <sys/types.h>

struct lcr_pidref
{
  int fd; /* a pidfd, or -1 on kernels without pidfd_open */
  pid_t pid;
  unsigned long long start_time;
};

/* 0 if `pid` is still the process that started at `start_time` (it may be a
   zombie); -1 with errno ESRCH if it is gone or the pid is another's now. */
int lcr_pidref_open (struct lcr_pidref *r, pid_t pid, unsigned long long start_time);
/* kill(2) for the process of `r`; -1 with errno ESRCH if it is gone */
int lcr_pidref_signal (const struct lcr_pidref *r, int sig);
/* it has not exited (a zombie has) */
bool lcr_pidref_alive (const struct lcr_pidref *r);
/* wait up to timeout_ms for it to exit; true if it has */
bool lcr_pidref_wait_exit (const struct lcr_pidref *r, int timeout_ms);
void lcr_pidref_close (struct lcr_pidref *r);

#define cleanup_pidref __attribute__ ((cleanup (lcr_pidref_close)))

#endif
