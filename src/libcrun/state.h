/* berth — the per-container state directory.
 *
 * <root>/<id>/            one directory per container; its existence is the
 *                         container's existence.  mkdir(2) is the atomic
 *                         "claim this ID" step, so two creates of one ID give
 *                         exactly one container.
 * <root>/<id>/state.json  what berth needs later (pid, start time, bundle,
 *                         cgroup, …), written by temp file + rename.  create
 *                         writes it first with "creating": true and no pid,
 *                         before it makes the cgroup, so that `delete` can
 *                         find what a create killed half-way left; then
 *                         again, complete, once the init is ready.
 * <root>/<id>/record.json the same document as the complete state.json,
 *                         written once more beside it at create: if
 *                         state.json is damaged (truncated, not JSON),
 *                         `delete --force` still finds the container's
 *                         init and cgroup from it, kills and removes them.
 * <root>/<id>/exec.fifo   exists from create until start: the container's
 *                         init blocks opening it for writing; start opens it
 *                         for reading.  Its presence means "created".
 *
 * Verbs lock the directory itself with flock(2): exclusive for verbs that
 * change the container, shared for state/list.
 *
 * The status is never stored: it is derived from the live process (its pid
 * plus its start time, so a recycled pid is not mistaken for the container).
 */
#ifndef LCR_STATE_H
#define LCR_STATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

#define LCR_STATE_JSON "state.json"
#define LCR_EXEC_FIFO "exec.fifo"
#define LCR_STATE_RECORD "record.json"

struct lcr_state
{
  char *id;
  pid_t pid;                     /* the container's init, in the host pid namespace */
  unsigned long long start_time; /* field 22 of /proc/PID/stat at create */
  char *bundle;                  /* absolute */
  char *rootfs;                  /* absolute */
  char *created;                 /* RFC 3339 */
  uid_t owner;
  char *cgroup_path; /* relative to each hierarchy's root; NULL if none */
  bool systemd_cgroup;
  bool poststart_hooks, poststop_hooks; /* config.json has them: load it then */
  /* no mount namespace: the init's bind of the rootfs lives in ours; delete
     detaches it if the mount at the rootfs is no longer this one (the
     mount id the rootfs had before create) */
  unsigned long long host_mounts_base;
  /* written before the cgroup is made, rewritten without it once the
     container is created: under the lock it means a create that died */
  bool creating;
  struct lcr_spec_kv *annotations;
  size_t annotations_len;
};

enum lcr_status
{
  LCR_STATUS_CREATING = 0,
  LCR_STATUS_CREATED,
  LCR_STATUS_RUNNING,
  LCR_STATUS_PAUSED,
  LCR_STATUS_STOPPED,
  LCR_STATUS_DAMAGED, /* state.json cannot be read: `list` says so rather than guess */
};

const char *lcr_status_name (int status);

/* IDs are what runc accepts: [A-Za-z0-9_+.-]+, not "." or "..", at most 1024
   bytes.  Error (LCR_ERR_INVALID) names the bad ID. */
int lcr_state_check_id (const char *id, lcr_error_t *err);

/* Claim <root>/<id> (creating <root> as needed, mode 0700) and lock it
   exclusively.  EEXIST → LCR_ERR_EXISTS "container `ID` already exists".
   Returns the directory fd (O_CLOEXEC) or -1. */
int lcr_state_claim (const char *root, const char *id, lcr_error_t *err);

/* Open and lock an existing container's directory (exclusive or shared).
   ENOENT → LCR_ERR_NOT_FOUND "container `ID` does not exist". */
int lcr_state_open (const char *root, const char *id, bool exclusive, lcr_error_t *err);

int lcr_state_write (int dirfd, const struct lcr_state *st, lcr_error_t *err);
/* The second record (record.json), and reading it back. */
int lcr_state_write_record (int dirfd, const struct lcr_state *st, lcr_error_t *err);
int lcr_state_read_record (int dirfd, struct lcr_state **out, lcr_error_t *err);
/* After lcr_state_read failed with LCR_ERR_STATE: true when that is damage
   (state.json, or the record, is there) rather than a create that never
   wrote one. */
bool lcr_state_damaged (int dirfd);

/* Read state.json.  A directory without one (a create that died before
   writing it) gives LCR_ERR_STATE with a message saying so. */
int lcr_state_read (int dirfd, struct lcr_state **out, lcr_error_t *err);

/* Parse state.json's text held in memory (what lcr_state_read does after
   reading the file); errors name "state.json" and the key. */
int lcr_state_parse (const char *json, size_t len, struct lcr_state **out, lcr_error_t *err);

/* Remove <root>/<id> and everything in it. */
int lcr_state_remove (const char *root, const char *id, lcr_error_t *err);

/* The IDs under root, sorted; a missing root is an empty list.  *ids is a
   NULL-terminated malloc'd array of malloc'd strings. */
int lcr_state_list (const char *root, char ***ids, size_t *n, lcr_error_t *err);

/* created / running / stopped from the process and the fifo (paused is
   decided by the caller, who knows the cgroup).  A state still marked
   creating is stopped: read under the directory's lock, its create is no
   longer running (`list`, which reads without the lock, tells the two
   apart itself). */
int lcr_state_status (int dirfd, const struct lcr_state *st);

/* The runtime-spec state document: {"ociVersion","id","status","pid",
   "bundle","annotations"} plus runc's extra "rootfs","created","owner".
   pid is 0 when stopped. Pretty-printed when pretty. malloc'd. */
char *lcr_state_to_json (const struct lcr_state *st, int status, bool pretty);

void lcr_state_free (struct lcr_state *st);
static inline void
cleanup_state_fn (struct lcr_state **s)
{
  if (*s)
    lcr_state_free (*s);
}
#define cleanup_state __attribute__ ((cleanup (cleanup_state_fn)))

#endif
