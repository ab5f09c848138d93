/* berth — cloning the container's init.
 *
 * The common case is one clone3 with every namespace to create in its
 * flags.  The rare cases in namespaces.c's header go through an
 * intermediate process that joins or unshares first, clones the init, sends
 * its pid (SYNC_PID) and exits; the caller is a child subreaper, so the init
 * is reparented to it and can still be waited for.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include "linux.h"
#include "sync.h"
#include "utils.h"

static pid_t
clone_with_flags (int flags)
{
  struct clone_args args = {.flags = (unsigned)flags, .exit_signal = SIGCHLD};
  pid_t pid = syscall (SYS_clone3, &args, sizeof args);
  if (pid < 0 && errno == ENOSYS)
    pid = syscall (SYS_clone, (unsigned long)flags | SIGCHLD, NULL, NULL, NULL, 0);
  return pid;
}

__attribute__ ((noreturn)) static void
intermediate_main (struct lcr_start *s, int parent_fd)
{
  lcr_error_t err = NULL;
  close (parent_fd);
  if (lcr_ns_join (s, true, &err) < 0)
    goto fail;
  if ((s->new_ns_flags & CLONE_NEWTIME) == 0 && s->spec->linux_
      && (s->spec->linux_->time_offsets_boottime || s->spec->linux_->time_offsets_monotonic)
      && s->join_fd[LCR_NS_TIME] < 0 && lcr_ns_setup_time (s->spec, &err) < 0)
    goto fail;
  pid_t pid = clone_with_flags (lcr_ns_clone_flags (s));
  if (pid < 0)
    {
      lcr_error_sys (&err, "clone the container's init");
      goto fail;
    }
  if (pid == 0)
    lcr_init_main (s);
  lcr_sync_send (s->sync_fd, SYNC_PID, pid, NULL);
  _exit (0);
fail:
  lcr_sync_send_error (s->sync_fd, &err);
  _exit (1);
}

int
lcr_spawn_init (struct lcr_start *s, pid_t *pid_out, int *parent_fd_out, lcr_error_t *err)
{
  int sv[2];
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return lcr_error_sys (err, "socketpair");
  cleanup_close int parent_fd = sv[0];
  s->sync_fd = sv[1];

  pid_t pid;
  if (!s->needs_intermediate)
    {
      pid = clone_with_flags (lcr_ns_clone_flags (s));
      if (pid < 0)
        {
          int saved = errno;
          close (s->sync_fd);
          return lcr_error_make (err, saved, LCR_ERR_SYSTEM, "clone the container's init");
        }
      if (pid == 0)
        {
          close (parent_fd);
          lcr_init_main (s);
        }
    }
  else
    {
      pid_t mid = fork ();
      if (mid < 0)
        {
          close (s->sync_fd);
          return lcr_error_sys (err, "fork");
        }
      if (mid == 0)
        intermediate_main (s, parent_fd);
      struct lcr_sync_msg msg;
      int r = lcr_sync_expect (parent_fd, SYNC_PID, &msg, s->ctx->log, err);
      while (waitpid (mid, NULL, 0) < 0 && errno == EINTR)
        ;
      if (r < 0)
        {
          close (s->sync_fd);
          return -1;
        }
      pid = msg.value;
    }
  close (s->sync_fd);
  s->sync_fd = -1;
  *pid_out = pid;
  *parent_fd_out = steal_fd (&parent_fd);
  return 0;
}

int
lcr_exit_code (int wstatus)
{
  if (WIFEXITED (wstatus))
    return WEXITSTATUS (wstatus);
  if (WIFSIGNALED (wstatus))
    return 128 + WTERMSIG (wstatus);
  return 255;
}

/* The foreground part of `run`: forward signals, reap, return the status. */
int
lcr_wait_foreground (pid_t pid, int sfd, int *exit_status, lcr_error_t *err)
{
  for (;;)
    {
      int wstatus;
      pid_t r;
      while ((r = waitpid (-1, &wstatus, WNOHANG)) > 0)
        if (r == pid)
          {
            *exit_status = lcr_exit_code (wstatus);
            return 0;
          }
      if (r < 0 && errno == ECHILD)
        return lcr_error_make (err, ECHILD, LCR_ERR_SYSTEM, "wait for the container");
      struct signalfd_siginfo si;
      ssize_t n = read (sfd, &si, sizeof si);
      if (n < 0 && errno == EINTR)
        continue;
      if (n != sizeof si)
        return lcr_error_sys (err, "read signalfd");
      if (si.ssi_signo != SIGCHLD)
        kill (pid, si.ssi_signo);
    }
}

void
lcr_forward_sigset (sigset_t *set)
{
  /* everything but what signals a fault in ourselves, and the job-control
     stops a terminal sends us */
  sigfillset (set);
  sigdelset (set, SIGSEGV);
  sigdelset (set, SIGBUS);
  sigdelset (set, SIGILL);
  sigdelset (set, SIGFPE);
  sigdelset (set, SIGTTIN);
  sigdelset (set, SIGTTOU);
  sigdelset (set, SIGTSTP);
}
