/* berth-shim — the event loop: one epoll set, signals through a signalfd, children reaped here.
 *
 * The phases it runs through are in the table in shim.h.  Signals: SIGCHLD reaps; SIGTERM,
 * SIGINT and SIGQUIT are forwarded to the container (to the runtime while the container is not
 * known yet), as conmon does: stopping the monitor stops its container.  SIGHUP is ignored: the
 * monitor has no terminal.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include "shim.h"

static void on_signal (struct shim *s, struct watch *w, uint32_t events);

int
loop_init (struct shim *s, lcr_error_t *err)
{
  s->epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (s->epfd < 0)
    return lcr_error_sys (err, "epoll_create1");

  /* The mask is set (blocked) by main before the runtime is forked, so no SIGCHLD is lost. */
  sigset_t mask;
  sigemptyset (&mask);
  sigaddset (&mask, SIGCHLD);
  sigaddset (&mask, SIGTERM);
  sigaddset (&mask, SIGINT);
  sigaddset (&mask, SIGQUIT);
  sigaddset (&mask, SIGHUP);
  int fd = signalfd (-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0)
    return lcr_error_sys (err, "signalfd");
  if (loop_add (s, &s->sig, fd, EPOLLIN, on_signal, NULL) < 0)
    return lcr_error_sys (err, "epoll_ctl");
  return 0;
}

int
loop_add (struct shim *s, struct watch *w, int fd, uint32_t events, watch_fn fn, void *data)
{
  w->fd = fd;
  w->fn = fn;
  w->data = data;
  struct epoll_event ev = {.events = events, .data.ptr = w};
  return epoll_ctl (s->epfd, EPOLL_CTL_ADD, fd, &ev);
}

int
loop_mod (struct shim *s, struct watch *w, uint32_t events)
{
  struct epoll_event ev = {.events = events, .data.ptr = w};
  return epoll_ctl (s->epfd, EPOLL_CTL_MOD, w->fd, &ev);
}

void
loop_close (struct shim *s, struct watch *w)
{
  if (w->fd < 0)
    return;
  epoll_ctl (s->epfd, EPOLL_CTL_DEL, w->fd, NULL);
  close (w->fd);
  w->fd = -1;
  w->fn = NULL;
}

void
loop_init_state (struct shim *s)
{
  memset (s, 0, sizeof *s);
  struct watch *ws[] = {&s->sig,     &s->ctr_pidfd, &s->timer, &s->stdin_w, &s->out, &s->err,
                        &s->console, &s->attach,    &s->ctl,   &s->winsz,   &s->oom};
  for (size_t i = 0; i < sizeof ws / sizeof ws[0]; i++)
    ws[i]->fd = -1;
  s->epfd = s->sync_fd = s->start_fd = s->attach_pipe_fd = -1;
  s->worker_stdin = s->worker_stdout = s->worker_stderr = -1;
  s->devnull_r = s->devnull_w = -1;
  s->stdin_fd = s->pty = -1;
  s->ctl_keep_w = s->winsz_keep_w = -1;
  s->log.fd = -1;
}

int
loop_once (struct shim *s, int timeout_ms)
{
  struct epoll_event evs[16];
  int n = epoll_wait (s->epfd, evs, 16, timeout_ms);
  if (n < 0)
    {
      if (errno == EINTR)
        return 0;
      shim_warn ("epoll_wait: %m");
      return -1;
    }
  for (int i = 0; i < n && !s->done; i++)
    {
      struct watch *w = evs[i].data.ptr;
      /* A callback earlier in this batch may have closed it. */
      if (w->fd >= 0 && w->fn)
        w->fn (s, w, evs[i].events);
    }
  /* Now that no event of the batch can point at them any more. */
  for (size_t i = 0; i < s->n_deferred; i++)
    free (s->deferred[i]);
  s->n_deferred = 0;
  return n;
}

void
loop_free_later (struct shim *s, void *p)
{
  if (s->n_deferred == s->cap_deferred)
    {
      s->cap_deferred = s->cap_deferred ? s->cap_deferred * 2 : 16;
      s->deferred = xrealloc (s->deferred, s->cap_deferred * sizeof *s->deferred);
    }
  s->deferred[s->n_deferred++] = p;
}

int
loop_run (struct shim *s)
{
  while (!s->done)
    if (loop_once (s, -1) < 0)
      return -1;
  return 0;
}

void
loop_reap (struct shim *s)
{
  for (;;)
    {
      int status;
      pid_t pid = waitpid (-1, &status, WNOHANG);
      if (pid < 0 && errno == EINTR)
        continue;
      if (pid <= 0)
        return;
      if (pid == s->runtime_pid && !s->runtime_exited)
        shim_runtime_exited (s, status);
      else if (pid == s->ctr_pid && s->ctr_pid > 0 && !s->ctr_exited)
        shim_container_exited (s, status);
      else if (health_reaped (s, pid, status))
        ; /* a health check's runtime: health.c has its status */
      else if (s->ctr_pid <= 0 && s->n_early < sizeof s->early / sizeof s->early[0])
        {
          /* Maybe the container (an exec that was quick): kept until the pid file is read. */
          s->early[s->n_early++] = (struct reaped){pid, status};
        }
      else
        shim_debug ("reaped process %d", pid);
    }
}

static void
on_signal (struct shim *s, struct watch *w, uint32_t events LCR_UNUSED)
{
  struct signalfd_siginfo si;
  while (read (w->fd, &si, sizeof si) == (ssize_t)sizeof si)
    {
      int sig = (int)si.ssi_signo;
      if (sig == SIGCHLD || sig == SIGHUP)
        continue;
      pid_t target = s->ctr_pid > 0 && !s->ctr_exited ? s->ctr_pid : s->runtime_exited ? 0 : s->runtime_pid;
      shim_info ("got signal %d, forwarding it to %d", sig, target);
      if (target > 0)
        kill (target, sig);
    }
  /* SIGCHLD may have been coalesced with the others: always look. */
  loop_reap (s);
}
