/* berth — the cgroup manager: one interface, one backend per hierarchy kind.
 *
 *   cgroup-v1.c   cgroupfs v1, including hybrid hosts (v1 controllers plus a
 *                 cgroup2 mount at <root>/unified, which is joined too)
 *   cgroup-v2.c   cgroupfs v2 (unified)
 *
 * cgroup.c picks the backend from the filesystem at the cgroup root and
 * holds what is common (the path, the mount inside the container).
 * Resource writers per controller join in their own files.
 */
#ifndef LCR_CGROUP_H
#define LCR_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

enum lcr_cgroup_kind
{
  LCR_CGROUP_V1 = 1,
  LCR_CGROUP_V2,
};

struct lcr_cgroup;
struct lcr_cgroup_stats;
struct lcr_cgroup_oom_watch;

struct lcr_cgroup_ops
{
  int (*create) (struct lcr_cgroup *cg, lcr_error_t *err);
  int (*enter) (struct lcr_cgroup *cg, pid_t pid, lcr_error_t *err);
  /* pids in the cgroup (malloc'd array) */
  int (*pids) (struct lcr_cgroup *cg, pid_t **pids, size_t *n, lcr_error_t *err);
  int (*kill) (struct lcr_cgroup *cg, int signo, lcr_error_t *err);
  int (*destroy) (struct lcr_cgroup *cg, lcr_error_t *err);
  /* the `cgroup` mount type at dest inside the rootfs (rootfd) */
  int (*mount) (struct lcr_cgroup *cg, int rootfd, const char *dest, unsigned long flags, bool ro, bool cgroupns,
                lcr_error_t *err);
  /* Write linux.resources (already validated by lcr_cgroup_apply).  With
     `update`, the container is running: memory.checkBeforeUpdate applies
     and absent values keep their current setting. */
  int (*apply) (struct lcr_cgroup *cg, struct lcr_spec_resources *res, bool update, lcr_error_t *err);
  /* freeze / thaw, returning once the kernel reports the new state */
  int (*freeze) (struct lcr_cgroup *cg, bool frozen, lcr_error_t *err);
  int (*is_frozen) (struct lcr_cgroup *cg, bool *frozen);
  int (*stats) (struct lcr_cgroup *cg, struct lcr_cgroup_stats *st, lcr_error_t *err);
  int (*oom_watch) (struct lcr_cgroup *cg, struct lcr_cgroup_oom_watch *w, lcr_error_t *err);
  /* optional: free what the backend hung on cg (lcr_cgroup_free calls it) */
  void (*release) (struct lcr_cgroup *cg);
};

struct lcr_cgroup
{
  int kind;
  const struct lcr_cgroup_ops *ops;
  char *root; /* "/sys/fs/cgroup" */
  char *path; /* "/berth-id", relative to each hierarchy's root, starts with '/' */
  /* v1: the hierarchies (directory names under root, symlinks skipped) */
  char **hierarchies;
  size_t hierarchies_len;
  /* --systemd-cgroup (cgroup-systemd.c): ops are the systemd driver's, which
     keeps the cgroupfs backend above and the unit in systemd_priv */
  bool systemd;
  void *systemd_priv;
};

/* Pick the backend for `root` and compute the path from cgroupsPath (absent:
   "/<id>"; relative: under the root).  Creates nothing. */
int lcr_cgroup_new (const char *root, const char *id, const char *cgroups_path, struct lcr_cgroup **out,
                    lcr_error_t *err);
/* Rebuild from a saved path (delete, kill after create exited). */
int lcr_cgroup_load (const char *root, const char *path, struct lcr_cgroup **out, lcr_error_t *err);
void lcr_cgroup_free (struct lcr_cgroup *cg);

/* ---- the systemd driver (all in cgroup-systemd.c) ----
 * cgroupsPath is "slice:prefix:name" (absent: "system.slice:berth:<id>");
 * the container's init goes into the transient scope "<prefix>-<name>.scope"
 * (Delegate=yes) in that slice, path "/system.slice/berth-<id>.scope".
 * Nothing talks to D-Bus before lcr_cgroup_create. */
int lcr_cgroup_new_systemd (const char *root, const char *id, const char *cgroups_path, struct lcr_cgroup **out,
                            lcr_error_t *err);
/* From a saved path whose last component is the unit (update, delete). */
int lcr_cgroup_load_systemd (const char *root, const char *path, struct lcr_cgroup **out, lcr_error_t *err);
/* "a-b.slice" → "/a.slice/a-b.slice" ("-.slice": ""); malloc'd */
int lcr_cgroup_systemd_expand_slice (const char *slice, char **out, lcr_error_t *err);
/* cgroupsPath → the parent slice, the unit and its cgroupfs path (malloc'd) */
int lcr_cgroup_systemd_names (const char *id, const char *cgroups_path, char **slice, char **unit, char **path,
                              lcr_error_t *err);

/* Is a process in cg, or one about to enter it, frozen?  True when the
   cgroup (or, not made yet, the ancestor it would be made under) is frozen
   or freezing, by the v1 freezer or by cgroup2 (the unified hierarchy of a
   hybrid host too); *why (malloc'd) then names the file and what it says.
   runc refuses to create into such a cgroup: the init would stop there and
   its creator wait for it forever. */
bool lcr_cgroup_frozen_why (struct lcr_cgroup *cg, char **why);
/* Thaw cg in every hierarchy that can freeze it, ignoring errors: a SIGKILL
   to a process frozen by the v1 freezer waits for the thaw. */
void lcr_cgroup_thaw_all (struct lcr_cgroup *cg);

int lcr_cgroup_create (struct lcr_cgroup *cg, lcr_error_t *err);
int lcr_cgroup_enter (struct lcr_cgroup *cg, pid_t pid, lcr_error_t *err);
/* `exec --cgroup`: join sub-cgroups of the container's cgroup, one spec
   "[CONTROLLER[,…]:]PATH" each (NULL-terminated); see cgroup-sub.c. */
int lcr_cgroup_enter_sub (struct lcr_cgroup *cg, char *const *specs, pid_t pid, lcr_error_t *err);
int lcr_cgroup_pids (struct lcr_cgroup *cg, pid_t **pids, size_t *n, lcr_error_t *err);
int lcr_cgroup_kill (struct lcr_cgroup *cg, int signo, lcr_error_t *err);
/* Kill what is left, then remove the directories. */
int lcr_cgroup_destroy (struct lcr_cgroup *cg, lcr_error_t *err);
int lcr_cgroup_mount (struct lcr_cgroup *cg, int rootfd, const char *dest, unsigned long flags, bool ro, bool cgroupns,
                      lcr_error_t *err);

/* ---- resources (cgroup-api.c, cgroup-v1-resources.c, cgroup-v2-resources.c) ----
 *
 * lcr_cgroup_apply validates `res` first (negative limits other than -1,
 * swappiness > 100, blkio weights outside 10..1000, device types, unified
 * keys…), then the backend writes; a cpuset outside the parent's is refused
 * by the backend.  Every error names the JSON field:
 *   ".linux.resources.memory.limit: write memory.limit_in_bytes (1024): Device or resource busy"
 * Call it after lcr_cgroup_create and before lcr_cgroup_enter; for `update`
 * with update = true.  On v2 (and for hugetlb on a hybrid host's unified
 * hierarchy) it also enables the controllers in every ancestor's
 * cgroup.subtree_control. */
int lcr_cgroup_apply (struct lcr_cgroup *cg, struct lcr_spec_resources *res, bool update, lcr_error_t *err);
int lcr_cgroup_validate_resources (const struct lcr_spec_resources *res, lcr_error_t *err);
/* pause / resume (v1 freezer.state, v2 cgroup.freeze); returns once settled */
int lcr_cgroup_freeze (struct lcr_cgroup *cg, bool frozen, lcr_error_t *err);
/* false when there is no freezer, or on any read error */
bool lcr_cgroup_is_frozen (struct lcr_cgroup *cg);

/* What `runc events --stats` reports.  Times are nanoseconds; a limit of
   UINT64_MAX is "max".  lcr_cgroup_stats_json renders runc's "data" object. */
struct lcr_cgroup_mem_entry
{
  uint64_t limit, usage, max, failcnt;
};
struct lcr_cgroup_blkio_entry
{
  uint64_t major, minor;
  char op[16]; /* "Read", "Write", "Sync", "Async", "Discard", "Total" */
  uint64_t value;
};
struct lcr_cgroup_hugetlb_stats
{
  char page_size[16]; /* "2MB" */
  uint64_t usage, max, failcnt;
};
struct lcr_cgroup_kv_u64
{
  char *key;
  uint64_t value;
};
struct lcr_cgroup_stats
{
  struct
  {
    uint64_t total, user, kernel;
    uint64_t *percpu, *percpu_user, *percpu_kernel;
    size_t percpu_len, percpu_user_len, percpu_kernel_len;
    uint64_t periods, throttled_periods, throttled_time;
  } cpu;
  struct
  {
    uint64_t cache;
    struct lcr_cgroup_mem_entry usage, swap, kernel, kernel_tcp;
    bool has_swap, has_kernel, has_kernel_tcp;
    struct lcr_cgroup_kv_u64 *raw; /* memory.stat */
    size_t raw_len;
    uint64_t oom_kill; /* v1: oom_control oom_kill; v2: memory.events oom_kill */
  } memory;
  struct
  {
    uint64_t current, limit; /* limit 0: max */
  } pids;
  struct
  {
    struct lcr_cgroup_blkio_entry *io_service_bytes_recursive, *io_serviced_recursive;
    size_t io_service_bytes_recursive_len, io_serviced_recursive_len;
  } blkio;
  struct lcr_cgroup_hugetlb_stats *hugetlb;
  size_t hugetlb_len;
};
/* Fills *st (zeroed first); a controller that is not there leaves zeros. */
int lcr_cgroup_stats (struct lcr_cgroup *cg, struct lcr_cgroup_stats *st, lcr_error_t *err);
void lcr_cgroup_stats_free (struct lcr_cgroup_stats *st);
/* malloc'd JSON: {"cpu":{…},"memory":{…},"pids":{…},"blkio":{…},"hugetlb":{…}} */
char *lcr_cgroup_stats_json (const struct lcr_cgroup_stats *st);

/* OOM notification.  lcr_cgroup_oom_watch gives an fd to poll (v1: an eventfd
   registered on memory.oom_control through cgroup.event_control; v2: inotify
   on memory.events); when it is readable, lcr_cgroup_oom_read drains it and
   says how many OOM events happened since the last call.  It returns 1 when
   the cgroup is gone (stop watching), 0 otherwise, -1 on error. */
struct lcr_cgroup_oom_watch
{
  int fd;
  int kind;          /* enum lcr_cgroup_kind of the watched file */
  char *events_path; /* v1: memory.oom_control; v2: memory.events */
  uint64_t last;     /* v2: oom_kill count already reported */
};
int lcr_cgroup_oom_watch (struct lcr_cgroup *cg, struct lcr_cgroup_oom_watch *w, lcr_error_t *err);
int lcr_cgroup_oom_read (struct lcr_cgroup_oom_watch *w, uint64_t *count, lcr_error_t *err);
void lcr_cgroup_oom_unwatch (struct lcr_cgroup_oom_watch *w);

/* shared helpers for the backends */
/* Signal every process listed in the cgroup (where cgroup.kill can't serve). */
int lcr_cgroup_signal_each (struct lcr_cgroup *cg, int signo, lcr_error_t *err);
int lcr_cgroup_read_pids (const char *procs_file, pid_t **pids, size_t *n, lcr_error_t *err);
int lcr_cgroup_write (const char *dir, const char *file, const char *value, lcr_error_t *err);
/* Remove the cgroup dir and every cgroup below it (killing what runs there). */
int lcr_cgroup_rmdir (const char *dir, lcr_error_t *err);

extern const struct lcr_cgroup_ops lcr_cgroup_v1_ops, lcr_cgroup_v2_ops;

/* the backends' resource ops (cgroup-v1-resources.c, cgroup-v2-resources.c) */
int lcr_cgroup_v1_apply (struct lcr_cgroup *cg, struct lcr_spec_resources *res, bool update, lcr_error_t *err);
int lcr_cgroup_v1_freeze (struct lcr_cgroup *cg, bool frozen, lcr_error_t *err);
int lcr_cgroup_v1_is_frozen (struct lcr_cgroup *cg, bool *frozen);
int lcr_cgroup_v1_stats (struct lcr_cgroup *cg, struct lcr_cgroup_stats *st, lcr_error_t *err);
int lcr_cgroup_v1_oom_watch (struct lcr_cgroup *cg, struct lcr_cgroup_oom_watch *w, lcr_error_t *err);
int lcr_cgroup_v2_apply (struct lcr_cgroup *cg, struct lcr_spec_resources *res, bool update, lcr_error_t *err);
int lcr_cgroup_v2_freeze (struct lcr_cgroup *cg, bool frozen, lcr_error_t *err);
int lcr_cgroup_v2_is_frozen (struct lcr_cgroup *cg, bool *frozen);
int lcr_cgroup_v2_stats (struct lcr_cgroup *cg, struct lcr_cgroup_stats *st, lcr_error_t *err);
int lcr_cgroup_v2_oom_watch (struct lcr_cgroup *cg, struct lcr_cgroup_oom_watch *w, lcr_error_t *err);

static inline void
cleanup_cgroup_fn (struct lcr_cgroup **cg)
{
  if (*cg)
    lcr_cgroup_free (*cg);
}
#define cleanup_cgroup __attribute__ ((cleanup (cleanup_cgroup_fn)))

#endif
