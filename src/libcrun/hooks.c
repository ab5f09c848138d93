/* berth — OCI hooks.
 *
 * Each hook is fork + execve of hook.path, nothing else:
 *   argv   hook.args as given (args[0] is argv[0], as the spec says); with no
 *          args, argv is { path }.  The path is never searched in PATH.
 *   envp   exactly hook.env; an empty environment when there is none (runc
 *          does the same: the runtime's own environment never leaks in).
 *   stdin  a pipe carrying the state JSON, closed after the last byte so the
 *          hook sees EOF.  A hook that never reads it, or exits early, is
 *          fine: we never block on the pipe (non-blocking + poll) and EPIPE /
 *          SIGPIPE are swallowed.
 *   stdout and stderr
 *          one pipe to us, of which we keep the last LCR_HOOK_TAIL bytes for
 *          the error message; on success the output is dropped.  This is
 *          runc's behaviour (it buffers both and prints them only in the
 *          error), and it matters: under a shim the runtime's own stdout and
 *          stderr are often the container's stdio, so passing hook output
 *          through would put it into the container's log.
 *   fds    every other fd is closed in the child (close_range), whatever
 *          O_CLOEXEC says: the runtime's state dir, sync socket and fifo
 *          must never reach a hook.
 *   signals
 *          dispositions reset to default and mask emptied before execve.
 *   group  the hook leads its own process group, so a timeout kills the
 *          whole group (a shell script's `sleep` too), not just the shell.
 *   bound  a hook's own `timeout`; one without is given BERTH_HOOK_TIMEOUT
 *          seconds (default LCR_HOOK_DEFAULT_TIMEOUT_S): runc waits forever
 *          on such a hook, and so would every verb behind it, while a verb
 *          must end.  Past it the hook's group is killed and the verb fails.
 *   death  PR_SET_PDEATHSIG: a runtime killed while the hook runs (OOM
 *          killer, kill -9) takes the hook with it, as it would on a
 *          timeout; nobody would wait for it or read its status.
 *
 * We wait with a pidfd in poll(), so nothing depends on a SIGCHLD handler or
 * a signalfd of the caller; without pidfd_open (old kernels) the poll wakes
 * every 10 ms and asks waitpid(WNOHANG).  Once the hook has exited we drain
 * what is already in the output pipe and stop: a daemon the hook started may
 * hold the pipe open forever, and we must not wait for it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "linux.h"
#include "state.h"
#include "test-points.h"
#include "utils.h"

#define LCR_HOOK_TAIL 1024

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* The last LCR_HOOK_TAIL bytes of the hook's output. */
struct tail
{
  char buf[2 * LCR_HOOK_TAIL];
  size_t len;
  bool truncated;
};

static void
tail_add (struct tail *t, const char *data, size_t n)
{
  if (n >= LCR_HOOK_TAIL)
    {
      t->truncated = t->truncated || n > LCR_HOOK_TAIL || t->len > 0;
      memcpy (t->buf, data + n - LCR_HOOK_TAIL, LCR_HOOK_TAIL);
      t->len = LCR_HOOK_TAIL;
      return;
    }
  if (t->len + n > sizeof t->buf)
    {
      size_t keep = LCR_HOOK_TAIL - n; /* keep + n == LCR_HOOK_TAIL */
      memmove (t->buf, t->buf + t->len - keep, keep);
      t->len = keep;
      t->truncated = true;
    }
  memcpy (t->buf + t->len, data, n);
  t->len += n;
}

/* ": <output>" for the message, or "" when the hook said nothing.  Trailing
   whitespace is dropped; a cut tail starts with "..." and at a character
   boundary. */
static char *
tail_text (struct tail *t)
{
  const char *p = t->buf;
  size_t n = t->len;
  bool cut = t->truncated;
  if (n > LCR_HOOK_TAIL)
    {
      p += n - LCR_HOOK_TAIL;
      n = LCR_HOOK_TAIL;
      cut = true;
    }
  while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
    n--;
  while (cut && n > 0 && ((unsigned char)*p & 0xC0) == 0x80)
    p++, n--;
  if (n == 0)
    return xstrdup ("");
  char *out = xmalloc0 (n + 6);
  char *o = out;
  o = stpcpy (o, cut ? ": ..." : ": ");
  for (size_t i = 0; i < n; i++)
    *o++ = p[i] == '\0' ? '?' : p[i];
  *o = '\0';
  return out;
}

static int64_t
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
drain (int fd, struct tail *t, bool *eof)
{
  char buf[4096];
  for (;;)
    {
      ssize_t r = read (fd, buf, sizeof buf);
      if (r > 0)
        {
          tail_add (t, buf, (size_t)r);
          continue;
        }
      if (r < 0 && errno == EINTR)
        continue;
      if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
        *eof = true;
      return;
    }
}

/* In the child, between fork and execve: async-signal-safe calls only.  The
   fds are first moved above 10 so that dup2 onto 0/1/2 cannot clobber one
   another, whichever numbers the caller's closed stdio gave them. */
__attribute__ ((noreturn)) static void
child_fail (int exec_w)
{
  int e = errno;
  if (exec_w >= 0)
    {
      ssize_t unused LCR_UNUSED = write (exec_w, &e, sizeof e);
    }
  _exit (127);
}

__attribute__ ((noreturn)) static void
child (const char *path, char *const *argv, char *const *envp, int in_r, int out_w, int exec_w, pid_t parent)
{
  in_r = fcntl (in_r, F_DUPFD_CLOEXEC, 10);
  out_w = fcntl (out_w, F_DUPFD_CLOEXEC, 10);
  int w = fcntl (exec_w, F_DUPFD_CLOEXEC, 10);
  if (w < 0)
    child_fail (exec_w);
  exec_w = w;
  if (in_r < 0 || out_w < 0)
    child_fail (exec_w);
  if (dup2 (in_r, 0) < 0 || dup2 (out_w, 1) < 0 || dup2 (out_w, 2) < 0 || dup3 (exec_w, 3, O_CLOEXEC) < 0)
    child_fail (exec_w);
  exec_w = 3;
  if (lcr_close_fds_from (4) < 0)
    child_fail (exec_w);

  setpgid (0, 0);
  /* and if the runtime died before this, we go now */
  if (prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid () != parent)
    _exit (127);

  lcr_reset_signals ();

  execve (path, argv, envp);
  child_fail (exec_w);
}

/* Run one hook; on failure *err says what happened, without the
   ".hooks.KIND[i] (path)" prefix, which the caller adds. */
static int
run_one (struct lcr_spec_hook *h, const char *kind, const char *state, size_t state_len, lcr_error_t *err)
{
  cleanup_free char **argv = NULL;
  cleanup_free char **envp = NULL;
  cleanup_close int in_r = -1, in_w = -1, out_r = -1, out_w = -1, exec_r = -1, exec_w = -1, pidfd = -1;
  int fds[2];

  argv = xmalloc0 ((h->args_len + 2) * sizeof *argv);
  if (h->args_len == 0)
    argv[0] = h->path;
  for (size_t i = 0; i < h->args_len; i++)
    argv[i] = h->args[i];
  envp = xmalloc0 ((h->env_len + 1) * sizeof *envp);
  for (size_t i = 0; i < h->env_len; i++)
    envp[i] = h->env[i];

  if (pipe2 (fds, O_CLOEXEC) < 0)
    return lcr_error_sys (err, "pipe");
  in_r = fds[0], in_w = fds[1];
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return lcr_error_sys (err, "pipe");
  out_r = fds[0], out_w = fds[1];
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return lcr_error_sys (err, "pipe");
  exec_r = fds[0], exec_w = fds[1];
  if (fcntl (in_w, F_SETFL, O_NONBLOCK) < 0 || fcntl (out_r, F_SETFL, O_NONBLOCK) < 0
      || fcntl (exec_r, F_SETFL, O_NONBLOCK) < 0)
    return lcr_error_sys (err, "fcntl");

  /* Every signal blocked across fork: a handler of ours must not run in the
     child before it resets the dispositions. */
  sigset_t all, saved;
  sigfillset (&all);
  pthread_sigmask (SIG_SETMASK, &all, &saved);
  pid_t parent = getpid ();
  pid_t pid = fork ();
  if (pid == 0)
    child (h->path, argv, envp, in_r, out_w, exec_w, parent);
  int fork_errno = errno;
  pthread_sigmask (SIG_SETMASK, &saved, NULL);
  if (pid < 0)
    {
      errno = fork_errno;
      return lcr_error_sys (err, "fork");
    }
  setpgid (pid, pid); /* also in the child: whichever runs first */
  close (steal_fd (&in_r));
  close (steal_fd (&out_w));
  close (steal_fd (&exec_w));
  LCR_TEST_POINT_KIND ("hook", kind);

  pidfd = (int)syscall (SYS_pidfd_open, pid, 0);

  int bound = lcr_hook_bound_s (h);
  int64_t deadline = now_ms () + (int64_t)bound * 1000;
  cleanup_free struct tail *t = xmalloc0 (sizeof *t);
  size_t written = 0;
  bool out_eof = false, exited = false, timed_out = false;
  int status = 0;

  if (state_len == 0)
    close (steal_fd (&in_w));

  while (!exited)
    {
      struct pollfd p[3];
      int np = 0, i_pid = -1, i_in = -1, i_out = -1;
      if (pidfd >= 0)
        p[i_pid = np++] = (struct pollfd){.fd = pidfd, .events = POLLIN};
      if (in_w >= 0)
        p[i_in = np++] = (struct pollfd){.fd = in_w, .events = POLLOUT};
      if (!out_eof)
        p[i_out = np++] = (struct pollfd){.fd = out_r, .events = POLLIN};

      int timeout = -1;
      if (deadline >= 0)
        {
          int64_t left = deadline - now_ms ();
          timeout = left < 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
        }
      if (pidfd < 0 && (timeout < 0 || timeout > 10))
        timeout = 10;

      int r = poll (p, np, timeout);
      if (r < 0 && errno != EINTR)
        {
          int e = errno;
          kill (-pid, SIGKILL);
          kill (pid, SIGKILL);
          while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
            ;
          errno = e;
          return lcr_error_sys (err, "poll");
        }

      if (r > 0 && i_in >= 0 && p[i_in].revents)
        {
          ssize_t w = write (in_w, state + written, state_len - written);
          if (w > 0)
            written += (size_t)w;
          else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            written = state_len; /* EPIPE: the hook does not want the rest */
          if (written == state_len)
            close (steal_fd (&in_w));
        }
      if (r > 0 && i_out >= 0 && p[i_out].revents)
        drain (out_r, t, &out_eof);

      if (pidfd < 0 || (r > 0 && p[i_pid].revents))
        {
          pid_t w;
          while ((w = waitpid (pid, &status, WNOHANG)) < 0 && errno == EINTR)
            ;
          if (w == pid || (w < 0 && errno == ECHILD))
            {
              exited = true;
              break;
            }
        }

      if (deadline >= 0 && now_ms () >= deadline)
        {
          timed_out = true;
          kill (-pid, SIGKILL);
          kill (pid, SIGKILL);
          while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
            ;
          exited = true;
        }
    }

  /* What the hook wrote before it exited is in the pipe already; anything a
     leftover child writes later is not our business. */
  if (!out_eof)
    drain (out_r, t, &out_eof);

  cleanup_free char *text = tail_text (t);
  int exec_errno = 0;
  if (read (exec_r, &exec_errno, sizeof exec_errno) == (ssize_t)sizeof exec_errno && exec_errno != 0)
    return lcr_error_make (err, exec_errno, LCR_ERR_SYSTEM, "exec failed");
  if (timed_out)
    return lcr_error_make (err, 0, LCR_ERR_SYSTEM, "timed out after %ds%s%s", bound,
                           h->has_timeout && h->timeout > 0 ? "" : " (it sets no timeout: BERTH_HOOK_TIMEOUT)", text);
  if (WIFSIGNALED (status))
    return lcr_error_make (err, 0, LCR_ERR_SYSTEM, "killed by signal %d%s", WTERMSIG (status), text);
  if (WIFEXITED (status) && WEXITSTATUS (status) != 0)
    return lcr_error_make (err, 0, LCR_ERR_SYSTEM, "exited with status %d%s", WEXITSTATUS (status), text);
  return 0;
}

int
lcr_hook_bound_s (const struct lcr_spec_hook *h)
{
  if (h->has_timeout && h->timeout > 0)
    return (int)h->timeout;
  const char *env = getenv ("BERTH_HOOK_TIMEOUT");
  long long s = env && *env ? strtoll (env, NULL, 10) : 0;
  return s > 0 && s < INT_MAX / 1000 ? (int)s : LCR_HOOK_DEFAULT_TIMEOUT_S;
}

int
lcr_hooks_run (struct lcr_spec_hook *hooks, size_t n, const char *kind, const char *state_json, lcr_error_t *err)
{
  if (n == 0)
    return 0;
  size_t state_len = state_json ? strlen (state_json) : 0;

  /* A hook that exits without reading its stdin makes our write raise
     SIGPIPE; keep it blocked while the hooks run and swallow the one we
     caused (not one that was already pending for someone else). */
  sigset_t pipe_set, saved, pending;
  sigemptyset (&pipe_set);
  sigaddset (&pipe_set, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &pipe_set, &saved);
  sigpending (&pending);
  bool was_pending = sigismember (&pending, SIGPIPE);

  int ret = 0;
  for (size_t i = 0; i < n; i++)
    {
      if (run_one (&hooks[i], kind, state_json ? state_json : "", state_len, err) < 0)
        {
          ret = lcr_error_wrap (err, ".hooks.%s[%zu] (%s)", kind, i, hooks[i].path);
          break;
        }
    }

  sigpending (&pending);
  if (!was_pending && sigismember (&pending, SIGPIPE))
    {
      struct timespec zero = {0, 0};
      sigtimedwait (&pipe_set, NULL, &zero);
    }
  pthread_sigmask (SIG_SETMASK, &saved, NULL);
  return ret;
}

char *
lcr_state_json_for (const char *id, pid_t pid, const char *bundle, const char *rootfs, struct lcr_spec *spec,
                    int status)
{
  struct lcr_state st = {.id = (char *)id,
                         .pid = pid,
                         .bundle = (char *)bundle,
                         .rootfs = (char *)rootfs,
                         .owner = geteuid (),
                         .annotations = spec->annotations,
                         .annotations_len = spec->annotations_len};
  return lcr_state_to_json (&st, status, false);
}
