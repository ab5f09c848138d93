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
#include <sys/types.h>

#include "error.h"
#include "spec.h"

enum lcr_cgroup_kind
{
  LCR_CGROUP_V1 = 1,
  LCR_CGROUP_V2,
};

struct lcr_cgroup;

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
};

/* Pick the backend for `root` and compute the path from cgroupsPath (absent:
   "/<id>"; relative: under the root).  Creates nothing. */
int lcr_cgroup_new (const char *root, const char *id, const char *cgroups_path, struct lcr_cgroup **out,
                    lcr_error_t *err);
/* Rebuild from a saved path (delete, kill after create exited). */
int lcr_cgroup_load (const char *root, const char *path, struct lcr_cgroup **out, lcr_error_t *err);
void lcr_cgroup_free (struct lcr_cgroup *cg);

int lcr_cgroup_create (struct lcr_cgroup *cg, lcr_error_t *err);
int lcr_cgroup_enter (struct lcr_cgroup *cg, pid_t pid, lcr_error_t *err);
int lcr_cgroup_pids (struct lcr_cgroup *cg, pid_t **pids, size_t *n, lcr_error_t *err);
int lcr_cgroup_kill (struct lcr_cgroup *cg, int signo, lcr_error_t *err);
/* Kill what is left, then remove the directories. */
int lcr_cgroup_destroy (struct lcr_cgroup *cg, lcr_error_t *err);
int lcr_cgroup_mount (struct lcr_cgroup *cg, int rootfd, const char *dest, unsigned long flags, bool ro, bool cgroupns,
                      lcr_error_t *err);

/* shared helpers for the backends */
int lcr_cgroup_read_pids (const char *procs_file, pid_t **pids, size_t *n, lcr_error_t *err);
int lcr_cgroup_write (const char *dir, const char *file, const char *value, lcr_error_t *err);
int lcr_cgroup_rmdir (const char *dir, lcr_error_t *err);

extern const struct lcr_cgroup_ops lcr_cgroup_v1_ops, lcr_cgroup_v2_ops;

static inline void
cleanup_cgroup_fn (struct lcr_cgroup **cg)
{
  if (*cg)
    lcr_cgroup_free (*cg);
}
#define cleanup_cgroup __attribute__ ((cleanup (cleanup_cgroup_fn)))

#endif
