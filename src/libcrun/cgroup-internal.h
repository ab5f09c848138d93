/* berth — what the cgroup resource writers share (cgroup-api.c defines it).
 * Not part of the library's interface: only the cgroup*.c files include it. */
#ifndef LCR_CGROUP_INTERNAL_H
#define LCR_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cgroup.h"

/* The JSON path every resource error starts with. */
#define LCR_RES ".linux.resources"

/* Write `value` to dir/file, one write(2).  Errors name the JSON field:
   "<field>: write <file> (<value>): <strerror>".  lcr_cgw truncates (one value
   per file); lcr_cgw_append appends (files taking one rule per write:
   devices.allow, io.max, net_prio.ifpriomap…), so a fake tree shows every
   write in order. */
int lcr_cgw (const char *dir, const char *file, const char *value, const char *field, lcr_error_t *err);
int lcr_cgw_append (const char *dir, const char *file, const char *value, const char *field, lcr_error_t *err);
int lcr_cgw_fmt (const char *dir, const char *file, const char *field, lcr_error_t *err, const char *fmt, ...)
    __attribute__ ((format (printf, 5, 6)));

/* Read dir/file into a malloc'd, NUL-terminated buffer; -1 with errno set. */
int lcr_cgr (const char *dir, const char *file, char **out);
/* A number ("max" → UINT64_MAX); -1 with errno set. */
int lcr_cgr_u64 (const char *dir, const char *file, uint64_t *v);
/* "key value" lines (memory.stat, cpu.stat, memory.events): the value of key. */
int lcr_cgr_keyed (const char *dir, const char *file, const char *key, uint64_t *v);
bool lcr_cg_exists (const char *dir, const char *file);

/* Parse a cpu / memory node list ("0-3,7"): set bits in `set` (`nbits`).
   -1 on bad syntax or an index >= nbits. */
#define LCR_CPUSET_BITS 8192
int lcr_cpulist_parse (const char *s, uint8_t *set, size_t nbits);
/* Refuse `want` (a list for `field`) unless every index in it is in the list
   read from parent_dir/parent_file.  A missing parent file lets it through
   (the kernel decides). */
int lcr_cgroup_check_cpuset (const char *want, const char *parent_dir, const char *parent_file, const char *field,
                             lcr_error_t *err);

/* runc's conversions */
uint64_t lcr_cgroup_shares_to_weight (uint64_t shares);
uint64_t lcr_cgroup_blkio_to_io_weight (uint64_t weight);
/* v1 memsw (memory+swap) → v2 memory.swap.max; -1 = max, 0 = unset */
int lcr_cgroup_swap_v2 (int64_t memsw, int64_t limit, int64_t *out, lcr_error_t *err);

/* The device rules a container gets: spec rules after a "deny all", then
   runc's default allowed devices (see cgroup-api.c for the list). */
struct lcr_dev_rule
{
  bool allow;
  char type;            /* 'a', 'b', 'c' */
  int64_t major, minor; /* -1: wildcard */
  char access[4];       /* subset of "rwm" */
};
size_t lcr_cgroup_device_rules (const struct lcr_spec_resources *res, struct lcr_dev_rule **out);
/* "c 1:5 rwm" */
void lcr_dev_rule_string (const struct lcr_dev_rule *r, char *buf, size_t len);

/* The v2 writers on one v2 directory: `root` is the cgroup2 mount, `path`
   the cgroup under it (for subtree_control), `only_hugetlb` for a hybrid
   host's unified hierarchy. */
int lcr_cgroup_v2_apply_dir (const char *root, const char *path, struct lcr_spec_resources *res, bool update,
                             bool only_hugetlb, lcr_error_t *err);
/* Enable the controllers listed (NULL: all available) in cgroup.subtree_control
   of root and of every directory above path — what runc does at create. */
int lcr_cgroup_v2_enable_controllers (const char *root, const char *path, const char *const *only, lcr_error_t *err);
int lcr_cgroup_v2_freeze_dir (const char *dir, bool frozen, lcr_error_t *err);
int lcr_cgroup_v2_stats_dir (const char *dir, struct lcr_cgroup_stats *st, lcr_error_t *err);

/* cgroup-ebpf.c: build, load and attach (replacing ours) the device filter. */
struct bpf_insn;
/* the program for `rules` (malloc'd); *n instructions */
struct bpf_insn *lcr_ebpf_device_program (const struct lcr_dev_rule *rules, size_t n_rules, size_t *n);
int lcr_ebpf_apply_devices (const char *dir, const struct lcr_dev_rule *rules, size_t n_rules, lcr_error_t *err);

/* hugetlb.<size>.<suffix> (and its rsvd twin), rdma.max: the same files on
   v1 ("limit_in_bytes") and v2 ("max"). */
int lcr_cg_set_hugetlb (const char *dir, struct lcr_spec_resources *res, const char *suffix, lcr_error_t *err);
int lcr_cg_set_rdma (const char *dir, struct lcr_spec_resources *res, lcr_error_t *err);

#endif
