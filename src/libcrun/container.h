/* berth — the public lifecycle API used by src/runtime.  Orchestration only:
 * the kernel work lives in process.c / init.c and the modules they call. */
#ifndef LCR_CONTAINER_H
#define LCR_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"
#include "state.h"

#define LCR_DEFAULT_STATE_ROOT "/run/berth"

/* Everything that would otherwise be global: roots are injectable so tests
   can point them at fake trees. */
struct lcr_context
{
  const char *state_root;  /* --root */
  const char *cgroup_root; /* "/sys/fs/cgroup" */
  struct lcr_log_sink *log;
  bool systemd_cgroup;
  bool debug;
};

struct lcr_create_opts
{
  const char *bundle; /* default "." */
  const char *pid_file;
  const char *console_socket;
  bool no_pivot;
  bool no_new_keyring;
  int preserve_fds; /* fds 3 .. 3+N-1 pass into the container */
  /* run only */
  bool detach;
  bool keep;
};

int lcr_container_create (struct lcr_context *ctx, const char *id, const struct lcr_create_opts *opts,
                          lcr_error_t *err);

/* create + start; unless detached, wait for the container, forward signals,
   delete it (unless keep) and store its exit status (128+signal if killed). */
int lcr_container_run (struct lcr_context *ctx, const char *id, const struct lcr_create_opts *opts, int *exit_status,
                       lcr_error_t *err);

int lcr_container_start (struct lcr_context *ctx, const char *id, lcr_error_t *err);

/* The runtime-spec state JSON (malloc'd). */
int lcr_container_state (struct lcr_context *ctx, const char *id, char **json, lcr_error_t *err);

int lcr_container_kill (struct lcr_context *ctx, const char *id, int signo, bool all, lcr_error_t *err);

/* With FORCE a running container is killed first, and an unknown ID is not
   an error (as `rm -f`). */
int lcr_container_delete (struct lcr_context *ctx, const char *id, bool force, lcr_error_t *err);

struct lcr_exec_opts
{
  const char *process_file; /* --process: a process.json; overrides the rest */
  bool tty;
  const char *console_socket;
  bool detach;
  const char *pid_file;
  char **env; /* --env, repeatable: appended, replacing same names */
  const char *cwd;
  const char *user;       /* "UID[:GID]" */
  char **additional_gids; /* --additional-gids, repeatable */
  char **caps;            /* --cap, repeatable: added to the container's sets */
  bool no_new_privs;
  int preserve_fds;
  bool ignore_paused; /* exec into a frozen container (the process waits for resume) */
  char **cgroups;     /* --cgroup "[CONTROLLER:]PATH", repeatable: sub-cgroups to join */
  char **args;        /* the command; NULL-terminated */
};

/* Run a new process in a created or running container: its namespaces, its
   cgroup, its capabilities, rlimits and seccomp unless told otherwise.  In
   the foreground *exit_status is the process's (128+signal when killed). */
int lcr_container_exec (struct lcr_context *ctx, const char *id, const struct lcr_exec_opts *opts, int *exit_status,
                        lcr_error_t *err);

/* Freeze / thaw every process of the container (its cgroup's freezer). */
int lcr_container_pause (struct lcr_context *ctx, const char *id, lcr_error_t *err);
int lcr_container_resume (struct lcr_context *ctx, const char *id, lcr_error_t *err);

/* Change a created or running container's resources (update=true writers:
   memory.checkBeforeUpdate applies). */
int lcr_container_update (struct lcr_context *ctx, const char *id, struct lcr_spec_resources *res, lcr_error_t *err);

/* `events`: one {"type":"stats","id":…,"data":{…}} line (stats_once), or
   stats every interval_ms and {"type":"oom","id":…} as OOM kills happen,
   until the container stops.  cb gets each JSON line; a non-zero return
   stops. */
typedef int (*lcr_event_cb) (const char *json_line, void *data);
int lcr_container_events (struct lcr_context *ctx, const char *id, bool stats_once, int interval_ms, lcr_event_cb cb,
                          void *data, lcr_error_t *err);

/* Is the cgroup at path (under root) frozen?  Two reads, no scan. */
bool lcr_cgroup_path_frozen (const char *root, const char *path);

/* The pids in a container's cgroup (malloc'd). */
int lcr_container_pids (struct lcr_context *ctx, const char *id, pid_t **pids, size_t *n, lcr_error_t *err);

struct lcr_container_info
{
  char *id;
  pid_t pid;
  int status;
  char *bundle;
  char *rootfs;
  char *created;
  uid_t owner;
  struct lcr_spec_kv *annotations;
  size_t annotations_len;
};

int lcr_container_list (struct lcr_context *ctx, struct lcr_container_info **out, size_t *n, lcr_error_t *err);
void lcr_container_info_free (struct lcr_container_info *infos, size_t n);

/* The features document (runtime-spec features.md), pretty JSON, malloc'd. */
char *lcr_features_json (void);
/* The linked libseccomp's version ("2.5.4"), and the cgroup drivers berth has. */
const char *lcr_libseccomp_version (void);
#define LCR_CGROUP_DRIVERS "cgroupfs, systemd"

/* Signal by name ("KILL", "SIGKILL") or number; -1 if unknown. */
int lcr_signal_parse (const char *s);

#endif
