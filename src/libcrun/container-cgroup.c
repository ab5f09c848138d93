/* berth — the verbs that act on a container's cgroup: pause, resume,
 * update, events.  Orchestration only; the writers are the cgroup backends'. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "container.h"
#include "pidref.h"
#include "utils.h"

static const char *
state_root (struct lcr_context *ctx)
{
  return ctx->state_root ? ctx->state_root : LCR_DEFAULT_STATE_ROOT;
}

static const char *
cgroup_root (struct lcr_context *ctx)
{
  return ctx->cgroup_root ? ctx->cgroup_root : "/sys/fs/cgroup";
}

bool
lcr_cgroup_path_frozen (const char *root, const char *path)
{
  /* two direct reads, no scan of the hierarchies: `list` calls this for
     every running container */
  char file[4096], buf[64];
  snprintf (file, sizeof file, "%s/freezer%s/freezer.state", root, path);
  cleanup_close int fd = open (file, O_RDONLY | O_CLOEXEC);
  if (fd >= 0)
    {
      ssize_t n = read (fd, buf, sizeof buf - 1);
      return n > 0 && strncmp (buf, "FROZEN", 6) == 0;
    }
  snprintf (file, sizeof file, "%s%s/cgroup.events", root, path);
  cleanup_free char *events = NULL;
  if (lcr_read_file (file, &events, NULL, NULL) < 0)
    return false;
  return strstr (events, "frozen 1") != NULL;
}

/* Open, read and check a container whose cgroup we act on. */
static int
load (struct lcr_context *ctx, const char *id, bool exclusive, int *dirfd, struct lcr_state **st,
      struct lcr_cgroup **cg, int *status, lcr_error_t *err)
{
  *dirfd = lcr_state_open (state_root (ctx), id, exclusive, err);
  if (*dirfd < 0)
    return -1;
  if (lcr_state_read (*dirfd, st, err) < 0)
    return -1;
  *status = lcr_state_status (*dirfd, *st);
  /* a created container can be paused too (its init waits on exec.fifo) */
  if ((*status == LCR_STATUS_RUNNING || *status == LCR_STATUS_CREATED) && (*st)->cgroup_path
      && lcr_cgroup_path_frozen (cgroup_root (ctx), (*st)->cgroup_path))
    *status = LCR_STATUS_PAUSED;
  if ((*st)->cgroup_path == NULL)
    return lcr_error_make (err, 0, LCR_ERR_STATE, "container `%s` has no cgroup", id);
  return ((*st)->systemd_cgroup ? lcr_cgroup_load_systemd : lcr_cgroup_load) (cgroup_root (ctx), (*st)->cgroup_path, cg,
                                                                              err);
}

static int
pause_resume (struct lcr_context *ctx, const char *id, bool pause, lcr_error_t *err)
{
  cleanup_close int dirfd = -1;
  cleanup_state struct lcr_state *st = NULL;
  cleanup_cgroup struct lcr_cgroup *cg = NULL;
  int status;
  if (load (ctx, id, true, &dirfd, &st, &cg, &status, err) < 0)
    return -1;
  if (pause && status != LCR_STATUS_RUNNING && status != LCR_STATUS_CREATED)
    return lcr_error_make (err, 0, LCR_ERR_STATE, "cannot pause container `%s`: it is %s", id,
                           lcr_status_name (status));
  if (!pause && status != LCR_STATUS_PAUSED)
    return lcr_error_make (err, 0, LCR_ERR_STATE, "cannot resume container `%s`: it is %s, not paused", id,
                           lcr_status_name (status));
  if (lcr_cgroup_freeze (cg, pause, err) < 0)
    return lcr_error_wrap (err, "%s `%s`", pause ? "pause" : "resume", id);
  return 0;
}

int
lcr_container_pause (struct lcr_context *ctx, const char *id, lcr_error_t *err)
{
  return pause_resume (ctx, id, true, err);
}

int
lcr_container_resume (struct lcr_context *ctx, const char *id, lcr_error_t *err)
{
  return pause_resume (ctx, id, false, err);
}

int
lcr_container_update (struct lcr_context *ctx, const char *id, struct lcr_spec_resources *res, lcr_error_t *err)
{
  cleanup_close int dirfd = -1;
  cleanup_state struct lcr_state *st = NULL;
  cleanup_cgroup struct lcr_cgroup *cg = NULL;
  int status;
  if (load (ctx, id, true, &dirfd, &st, &cg, &status, err) < 0)
    return -1;
  if (status == LCR_STATUS_STOPPED)
    return lcr_error_make (err, 0, LCR_ERR_STATE, "cannot update container `%s`: it is stopped", id);
  if (lcr_cgroup_apply (cg, res, true, err) < 0)
    return lcr_error_wrap (err, "update `%s`", id);
  return 0;
}

static int
emit (lcr_event_cb cb, void *data, const char *type, const char *id, const char *payload)
{
  cleanup_free char *eid = lcr_json_escape (id);
  cleanup_free char *line = NULL;
  if (payload)
    xasprintf (&line, "{\"type\":\"%s\",\"id\":\"%s\",\"data\":%s}", type, eid, payload);
  else
    xasprintf (&line, "{\"type\":\"%s\",\"id\":\"%s\"}", type, eid);
  return cb (line, data);
}

static int
emit_stats (struct lcr_cgroup *cg, const char *id, lcr_event_cb cb, void *data, lcr_error_t *err)
{
  struct lcr_cgroup_stats stats;
  if (lcr_cgroup_stats (cg, &stats, err) < 0)
    return lcr_error_wrap (err, "events `%s`: stats", id);
  cleanup_free char *json = lcr_cgroup_stats_json (&stats);
  lcr_cgroup_stats_free (&stats);
  return emit (cb, data, "stats", id, json);
}

int
lcr_container_events (struct lcr_context *ctx, const char *id, bool stats_once, int interval_ms, lcr_event_cb cb,
                      void *data, lcr_error_t *err)
{
  cleanup_cgroup struct lcr_cgroup *cg = NULL;
  cleanup_state struct lcr_state *st = NULL;
  int status;
  {
    cleanup_close int dirfd = -1;
    if (load (ctx, id, false, &dirfd, &st, &cg, &status, err) < 0)
      return -1;
  }
  if (status == LCR_STATUS_STOPPED)
    return lcr_error_make (err, 0, LCR_ERR_STATE, "events `%s`: the container is stopped", id);
  if (stats_once)
    return emit_stats (cg, id, cb, data, err);

  /* until the container stops: stats every interval, OOM as it happens */
  struct lcr_cgroup_oom_watch w = {.fd = -1};
  bool watching = lcr_cgroup_oom_watch (cg, &w, NULL) == 0;
  /* the init's exit ends the stream: its pidfd wakes the poll; without one
     (before Linux 5.3) it is looked for once an interval */
  cleanup_pidref struct lcr_pidref init = {.fd = -1};
  lcr_pidref_open (&init, st->pid, st->start_time);
  int pidfd = init.fd;
  struct timespec next;
  clock_gettime (CLOCK_MONOTONIC, &next);
  int ret = 0;
  for (;;)
    {
      if (emit_stats (cg, id, cb, data, err) < 0)
        {
          ret = -1;
          break;
        }
      next.tv_sec += interval_ms / 1000;
      next.tv_nsec += (long)(interval_ms % 1000) * 1000000L;
      if (next.tv_nsec >= 1000000000L)
        next.tv_sec++, next.tv_nsec -= 1000000000L;
      bool stop = false;
      for (;;)
        {
          struct timespec now;
          clock_gettime (CLOCK_MONOTONIC, &now);
          long long left = (next.tv_sec - now.tv_sec) * 1000LL + (next.tv_nsec - now.tv_nsec) / 1000000LL;
          if (left <= 0)
            break;
          struct pollfd p[2] = {{.fd = watching ? w.fd : -1, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
          int r = poll (p, 2, (int)left);
          if (r < 0 && errno != EINTR)
            break;
          if (r > 0 && (p[0].revents & POLLIN))
            {
              uint64_t count = 0;
              int gone = lcr_cgroup_oom_read (&w, &count, NULL);
              for (uint64_t i = 0; i < count; i++)
                emit (cb, data, "oom", id, NULL);
              if (gone != 0)
                watching = false;
            }
          if (r > 0 && (p[1].revents & POLLIN))
            {
              stop = true;
              break;
            }
        }
      if (stop || (pidfd < 0 && !lcr_pidref_alive (&init)))
        break;
    }
  if (watching)
    lcr_cgroup_oom_unwatch (&w);
  return ret;
}
