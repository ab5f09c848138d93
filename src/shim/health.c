/* berth-shim — running docker's HEALTHCHECK while the container runs (--health-cmd …).
 *
 * With no daemon, the monitor is the one process that lives as long as the container, so it
 * runs the checks.  Everything happens in the one event loop, on one timerfd and one pipe:
 *
 *   WAIT_START  the container is created, not started: the timer polls (10 ms, doubling up to
 *               250 ms) for its init to have exec'd the container's program: /proc/PID/exe is no
 *               longer the file it was when the runtime's create came back (a stat, no fork;
 *               the same for every runc-like runtime).  Then health.json says "starting" and
 *               the first check is one interval away, as in docker.
 *   IDLE        the timer counts the interval; when it fires a check starts.
 *   RUNNING     RUNTIME exec CID ARGS… runs, our child (loop_reap hands us its status) in a
 *               process group of its own, stdout and stderr on our pipe; the timer counts its
 *               timeout.  On the timeout the check is killed: the process in the container (the
 *               runtime writes its pid to a file; its group too when it leads one) and the
 *               runtime's group; the result is then docker's "exceeded timeout" failure.  When
 *               the runtime has been reaped, what is left in the pipe is read (not waiting for
 *               EOF: a background child of the check may hold it), the result goes to the
 *               state machine (health-state.c) and health.json, and the interval starts again
 *               (measured from the end of the check, as docker does).
 *   STOPPED     the container is gone (health_finish): a running check is killed and reaped,
 *               nothing starts again.
 *
 * The check runs with the container's process settings (env, user, cwd: the runtime's exec
 * takes them from config.json) and with PR_SET_PDEATHSIG, so the runtime never outlives us.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>

#include "health.h"
#include "shim.h"

#define NSEC 1000000000LL
/* Looking for the start: at once after `create` (`run` starts right away), then less often, for a
   container that is only created; how late we may see it, at most. */
#define POLL_FIRST (10LL * 1000 * 1000)
#define POLL_MAX (250LL * 1000 * 1000)

enum phase
{
  WAIT_START,
  IDLE,
  RUNNING,
  STOPPED,
};

struct shim_health
{
  char **argv; /* the check, in the container */
  long long interval, timeout, start_period, start_interval, retries;
  char *json_path, *pid_path;
  struct health_state st;
  enum phase phase;
  struct watch timer; /* the start poll, the interval or a running check's timeout */
  struct watch out;   /* the running check's stdout and stderr */

  dev_t exe_dev; /* /proc/PID/exe of the created, not yet started, container */
  ino_t exe_ino;
  bool have_exe;
  long long poll;
  long long started; /* CLOCK_MONOTONIC ns: when the container was seen running */

  /* the running check */
  pid_t pid; /* the runtime's exec, 0 when none runs */
  long long check_start;
  bool timed_out;
  struct health_result cur;
  size_t kept;
  bool truncated;
};

static long long
mono_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * NSEC + ts.tv_nsec;
}

int
health_setup (struct shim *s, lcr_error_t *err)
{
  struct shim_opts *o = &s->o;
  if (o->health_cmd == NULL)
    return 0;
  char **argv = NULL;
  if (health_parse_test (o->health_cmd, &argv, err) < 0)
    return -1;
  if (argv == NULL)
    return 0; /* ["NONE"] */
  const char *bad = o->health_interval < 0         ? "--health-interval"
                    : o->health_timeout < 0        ? "--health-timeout"
                    : o->health_start_period < 0   ? "--health-start-period"
                    : o->health_start_interval < 0 ? "--health-start-interval"
                    : o->health_retries < 0        ? "--health-retries"
                                                   : NULL;
  if (bad)
    {
      free (argv);
      return lcr_error_invalid (err, "%s must be 0 or more", bad);
    }
  if (o->exec || o->persist_dir == NULL)
    {
      free (argv);
      return lcr_error_invalid (err, "--health-cmd is for a container (not --exec) and needs --persist-dir");
    }
  struct shim_health *h = xmalloc0 (sizeof *h);
  h->argv = argv;
  h->interval = o->health_interval > 0 ? o->health_interval : HEALTH_DEFAULT_INTERVAL;
  h->timeout = o->health_timeout > 0 ? o->health_timeout : HEALTH_DEFAULT_TIMEOUT;
  h->start_period = o->health_start_period;
  h->start_interval = o->health_start_interval;
  h->retries = o->health_retries > 0 ? o->health_retries : HEALTH_DEFAULT_RETRIES;
  xasprintf (&h->json_path, "%s/health.json", o->persist_dir);
  xasprintf (&h->pid_path, "%s/health-check.pid", o->persist_dir);
  health_state_init (&h->st);
  h->timer.fd = h->out.fd = -1;
  h->phase = STOPPED;
  s->health = h;
  return 0;
}

static void
arm (struct shim_health *h, long long ns)
{
  if (ns <= 0)
    ns = 1; /* 0 would disarm */
  struct itimerspec its = {.it_value = {.tv_sec = ns / NSEC, .tv_nsec = ns % NSEC}};
  if (timerfd_settime (h->timer.fd, 0, &its, NULL) < 0)
    shim_warn ("health check timer: %m");
}

static void
save (struct shim_health *h)
{
  cleanup_free char *json = health_state_json (&h->st);
  write_file_atomic (h->json_path, json, strlen (json));
}

/* ---------------------------------------------------------------- the check's output */

static void
keep_output (struct shim_health *h, const char *buf, size_t n)
{
  size_t room = HEALTH_OUTPUT_MAX - h->kept;
  if (n > room)
    {
      h->truncated = true;
      n = room;
    }
  memcpy (h->cur.output + h->kept, buf, n);
  h->kept += n;
}

/* Read what is there; false at EOF (or an error). */
static bool
read_output (struct shim_health *h)
{
  char buf[4096];
  for (;;)
    {
      ssize_t n = read (h->out.fd, buf, sizeof buf);
      if (n > 0)
        keep_output (h, buf, (size_t)n);
      else if (n < 0 && errno == EINTR)
        continue;
      else
        return n < 0 && errno == EAGAIN;
    }
}

static void
on_output (struct shim *s, struct watch *w, uint32_t events LCR_UNUSED)
{
  if (!read_output (s->health))
    loop_close (s, w);
}

/* ---------------------------------------------------------------- running a check */

static void __attribute__ ((noreturn)) exec_check (struct shim *s, int out)
{
  struct shim_health *h = s->health;
  struct shim_opts *o = &s->o;
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  setpgid (0, 0);
  sigset_t none;
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  signal (SIGPIPE, SIG_DFL);
  if (dup2 (s->devnull_r, 0) < 0 || dup2 (out, 1) < 0 || dup2 (out, 2) < 0)
    _exit (127);
  /* Nothing of ours (nor the caller's fds the container got) goes into the check. */
  lcr_close_fds_from (3);
  /* We are the last thing the OOM killer picks; a check must not be. */
  int fd = open ("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (fd >= 0)
    {
      if (write (fd, "0", 1) < 0)
        _exit (127);
      close (fd);
    }

  size_t n = 0, max = 6 + o->runtime_args.n;
  for (char **a = h->argv; *a; a++)
    max++;
  char **argv = xmalloc0 ((max + 1) * sizeof *argv);
  argv[n++] = (char *)o->runtime;
  for (size_t i = 0; i < o->runtime_args.n; i++)
    argv[n++] = o->runtime_args.v[i];
  argv[n++] = "exec";
  argv[n++] = "--pid-file";
  argv[n++] = h->pid_path;
  argv[n++] = (char *)o->cid;
  for (char **a = h->argv; *a; a++)
    argv[n++] = *a;
  argv[n] = NULL;
  execv (argv[0], argv);
  _exit (127);
}

static void finish_check (struct shim *s, int exit_code);

static void
start_check (struct shim *s)
{
  struct shim_health *h = s->health;
  h->cur = (struct health_result){0};
  h->cur.output = xmalloc0 (HEALTH_OUTPUT_MAX + 4); /* room for "..." */
  h->kept = 0;
  h->truncated = false;
  h->timed_out = false;
  h->check_start = mono_now ();
  lcr_rfc3339_now (h->cur.start, sizeof h->cur.start);
  unlink (h->pid_path);

  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    {
      keep_output (h, "pipe: ", 6);
      keep_output (h, strerror (errno), strlen (strerror (errno)));
      finish_check (s, -1);
      return;
    }
  fcntl (p[0], F_SETFL, O_NONBLOCK);
  pid_t pid = fork ();
  if (pid == 0)
    exec_check (s, p[1]);
  int saved = errno;
  close (p[1]);
  if (pid < 0)
    {
      close (p[0]);
      keep_output (h, "fork: ", 6);
      keep_output (h, strerror (saved), strlen (strerror (saved)));
      finish_check (s, -1);
      return;
    }
  /* Both sides set the group: a timeout right away must find it. */
  setpgid (pid, pid);
  h->pid = pid;
  h->phase = RUNNING;
  if (loop_add (s, &h->out, p[0], EPOLLIN, on_output, NULL) < 0)
    {
      shim_warn ("health check output: epoll_ctl: %m");
      close (p[0]);
      h->out.fd = -1;
    }
  arm (h, h->timeout);
  shim_debug ("health check started: pid %d", pid);
}

/* SIGKILL the check: the process the runtime started in the container (its pid file), its
   group when it leads one, and the runtime's own group. */
static void
kill_check (struct shim_health *h)
{
  cleanup_free char *text = NULL;
  long long pid = 0;
  if (lcr_read_file (h->pid_path, &text, NULL, NULL) == 0 && lcr_parse_long (strtok (text, " \n"), &pid) == 0 && pid > 1
      && pid <= INT_MAX)
    {
      if (getpgid ((pid_t)pid) == (pid_t)pid)
        kill (-(pid_t)pid, SIGKILL);
      kill ((pid_t)pid, SIGKILL);
    }
  if (h->pid > 0)
    {
      kill (-h->pid, SIGKILL);
      kill (h->pid, SIGKILL);
    }
}

/* docker 25's start interval: while the start period lasts and the container is not yet healthy,
   checks come every start interval (when given), then every interval */
static long long
next_delay (struct shim_health *h)
{
  bool starting = mono_now () - h->started < h->start_period && h->st.status == HEALTH_STARTING;
  return starting && h->start_interval > 0 ? h->start_interval : h->interval;
}

/* The result is in: record it, write health.json, wait an interval. */
static void
finish_check (struct shim *s, int exit_code)
{
  struct shim_health *h = s->health;
  if (h->out.fd >= 0)
    {
      read_output (h);
      loop_close (s, &h->out);
    }
  if (h->timed_out)
    {
      /* docker's words, with its way of printing the duration; End was taken at the kill */
      char d[64];
      health_duration_str (h->timeout, d, sizeof d);
      h->kept = 0;
      h->truncated = false;
      int n = snprintf (h->cur.output, HEALTH_OUTPUT_MAX, "Health check exceeded timeout (%s)", d);
      h->kept = (size_t)n;
      exit_code = -1;
    }
  else
    lcr_rfc3339_now (h->cur.end, sizeof h->cur.end);
  if (h->truncated)
    {
      memcpy (h->cur.output + h->kept, "...", 3);
      h->kept += 3;
    }
  h->cur.output_len = h->kept;
  h->cur.exit_code = exit_code;
  bool in_start_period = h->check_start - h->started < h->start_period;
  health_state_record (&h->st, &h->cur, in_start_period, h->retries);
  free (h->cur.output);
  h->cur.output = NULL;
  h->pid = 0;
  h->timed_out = false;
  unlink (h->pid_path);
  save (h);
  shim_debug ("health check exited with %d: %s, failing streak %lld", exit_code, health_status_name (h->st.status),
              h->st.failing_streak);
  h->phase = IDLE;
  arm (h, next_delay (h));
}

bool
health_reaped (struct shim *s, pid_t pid, int status)
{
  struct shim_health *h = s->health;
  if (h == NULL || h->pid <= 0 || pid != h->pid)
    return false;
  if (h->phase != RUNNING)
    {
      h->pid = 0;
      return true;
    }
  finish_check (s, exit_status_of (status));
  return true;
}

/* ---------------------------------------------------------------- the timer */

static bool
exe_of (pid_t pid, dev_t *dev, ino_t *ino)
{
  char path[64];
  struct stat st;
  snprintf (path, sizeof path, "/proc/%d/exe", pid);
  if (stat (path, &st) < 0)
    return false;
  *dev = st.st_dev;
  *ino = st.st_ino;
  return true;
}

static void
started (struct shim *s)
{
  struct shim_health *h = s->health;
  h->started = mono_now ();
  h->phase = IDLE;
  save (h);
  shim_debug ("container running: first health check in %lld ns", next_delay (h));
  arm (h, next_delay (h));
}

static void
on_timer (struct shim *s, struct watch *w, uint32_t events LCR_UNUSED)
{
  struct shim_health *h = s->health;
  uint64_t ticks;
  if (read (w->fd, &ticks, sizeof ticks) < 0 && errno == EAGAIN)
    return;
  if (s->ctr_exited)
    return;
  switch (h->phase)
    {
    case WAIT_START:
      {
        dev_t dev;
        ino_t ino;
        /* No exe (a zombie): it is going, and SIGCHLD will say so. */
        if (exe_of (s->ctr_pid, &dev, &ino) && h->have_exe && (dev != h->exe_dev || ino != h->exe_ino))
          {
            started (s);
            return;
          }
        h->poll = h->poll * 2 > POLL_MAX ? POLL_MAX : h->poll * 2;
        arm (h, h->poll);
        return;
      }
    case IDLE:
      start_check (s);
      return;
    case RUNNING:
      shim_info ("health check %d: timed out, killing it", h->pid);
      lcr_rfc3339_now (h->cur.end, sizeof h->cur.end);
      h->timed_out = true;
      kill_check (h);
      /* the result is recorded when the runtime has been reaped */
      return;
    case STOPPED:
      return;
    }
}

void
health_container_created (struct shim *s)
{
  struct shim_health *h = s->health;
  if (h == NULL)
    return;
  /* Before the caller hears the pid: it may start the container right away. */
  h->have_exe = exe_of (s->ctr_pid, &h->exe_dev, &h->exe_ino);
  int fd = timerfd_create (CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  if (fd < 0 || loop_add (s, &h->timer, fd, EPOLLIN, on_timer, NULL) < 0)
    {
      shim_warn ("health check timer: %m: no health checks");
      if (fd >= 0)
        close (fd);
      h->timer.fd = -1;
      return;
    }
  if (s->o.restore_path)
    {
      /* restored: running already */
      started (s);
      return;
    }
  h->phase = WAIT_START;
  h->poll = POLL_FIRST;
  arm (h, h->poll);
}

void
health_finish (struct shim *s)
{
  struct shim_health *h = s->health;
  if (h == NULL)
    return;
  h->phase = STOPPED;
  loop_close (s, &h->timer);
  loop_close (s, &h->out);
  if (h->pid > 0)
    {
      kill_check (h);
      /* SIGKILLed: gone at once, unless stuck in the kernel; we do not wait for that long. */
      for (int i = 0; i < 200; i++)
        {
          pid_t r = waitpid (h->pid, NULL, WNOHANG);
          if (r == h->pid || (r < 0 && errno != EINTR))
            break;
          struct timespec ts = {0, 10 * 1000 * 1000};
          nanosleep (&ts, NULL);
        }
      h->pid = 0;
      unlink (h->pid_path);
    }
  free (h->cur.output);
  h->cur.output = NULL;
}
