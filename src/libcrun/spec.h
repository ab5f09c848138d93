/* berth — the OCI runtime spec's config.json as typed C structs.
 *
 * Field names follow the JSON names 1:1 (camelCase → snake_case).  Absent
 * optional values are NULL pointers, zero counts, or a `has_x` flag when zero
 * is a meaningful value.  Arrays are `T *x; size_t x_len;` (string arrays are
 * NULL-terminated as well, so they can be passed to execve).
 *
 * lcr_spec_load parses and validates; every error names the JSON path of the
 * offending value (".linux.namespaces[2].type").
 */
#ifndef LCR_SPEC_H
#define LCR_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

struct lcr_spec_id_mapping
{
  uint32_t container_id, host_id, size;
};

struct lcr_spec_mount
{
  char *destination; /* required */
  char *type;        /* may be NULL (bind) */
  char *source;      /* may be NULL */
  char **options;    /* NULL-terminated */
  size_t options_len;
  struct lcr_spec_id_mapping *uid_mappings, *gid_mappings; /* idmapped mounts */
  size_t uid_mappings_len, gid_mappings_len;
};

struct lcr_spec_rlimit
{
  char *type; /* "RLIMIT_NOFILE" …; validated against the known list */
  uint64_t hard, soft;
};

struct lcr_spec_user
{
  uint32_t uid, gid;
  bool has_umask;
  uint32_t umask;
  uint32_t *additional_gids;
  size_t additional_gids_len;
  char *username; /* Windows only; kept for completeness */
};

struct lcr_spec_capabilities
{
  /* each NULL-terminated list of names like "CAP_CHOWN"; a NULL list means
     the set was absent (empty). */
  char **bounding, **effective, **inheritable, **permitted, **ambient;
  size_t bounding_len, effective_len, inheritable_len, permitted_len, ambient_len;
};

struct lcr_spec_console_size
{
  uint32_t height, width;
};

struct lcr_spec_scheduler
{
  char *policy; /* SCHED_OTHER … */
  int32_t nice;
  int32_t priority;
  char **flags;
  size_t flags_len;
  uint64_t runtime, deadline, period;
};

struct lcr_spec_io_priority
{
  char *class_; /* IOPRIO_CLASS_RT | _BE | _IDLE */
  int32_t priority;
};

struct lcr_spec_exec_cpu_affinity
{
  char *initial, *final; /* cpu lists "0-3,7" or NULL */
};

struct lcr_spec_process
{
  bool terminal;
  struct lcr_spec_console_size *console_size; /* NULL if absent */
  struct lcr_spec_user user;
  char **args; /* NULL-terminated; required (non-empty) for create */
  size_t args_len;
  char *command_line; /* Windows */
  char **env;         /* NULL-terminated */
  size_t env_len;
  char *cwd; /* required, absolute */
  struct lcr_spec_capabilities *capabilities;
  struct lcr_spec_rlimit *rlimits;
  size_t rlimits_len;
  bool no_new_privileges;
  char *apparmor_profile;
  bool has_oom_score_adj;
  int32_t oom_score_adj;
  char *selinux_label;
  struct lcr_spec_scheduler *scheduler;
  struct lcr_spec_io_priority *io_priority;
  struct lcr_spec_exec_cpu_affinity *exec_cpu_affinity;
};

struct lcr_spec_root
{
  char *path; /* required; relative to the bundle unless absolute */
  bool readonly;
};

struct lcr_spec_hook
{
  char *path; /* required, absolute */
  char **args;
  size_t args_len;
  char **env;
  size_t env_len;
  bool has_timeout;
  int32_t timeout; /* seconds, > 0 */
};

struct lcr_spec_hooks
{
  struct lcr_spec_hook *prestart, *create_runtime, *create_container, *start_container, *poststart, *poststop;
  size_t prestart_len, create_runtime_len, create_container_len, start_container_len, poststart_len, poststop_len;
};

enum lcr_ns_type
{
  LCR_NS_PID = 0,
  LCR_NS_NETWORK,
  LCR_NS_MOUNT,
  LCR_NS_IPC,
  LCR_NS_UTS,
  LCR_NS_USER,
  LCR_NS_CGROUP,
  LCR_NS_TIME,
  LCR_NS_COUNT
};

struct lcr_spec_namespace
{
  int type;   /* enum lcr_ns_type; JSON "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time" */
  char *path; /* NULL: create a new one */
};

struct lcr_spec_time_offset
{
  int64_t secs;
  uint32_t nanosecs;
};

struct lcr_spec_device
{
  char *path; /* required, absolute */
  char type;  /* 'c', 'b', 'u' or 'p'; required */
  int64_t major, minor;
  bool has_file_mode;
  uint32_t file_mode;
  bool has_uid, has_gid;
  uint32_t uid, gid;
};

struct lcr_spec_device_cgroup
{
  bool allow;
  char type; /* 'a', 'c', 'b' or 0 when absent (= all) */
  bool has_major, has_minor;
  int64_t major, minor; /* absent = wildcard */
  char *access;         /* "rwm" subset, or NULL = "rwm" */
};

struct lcr_spec_memory
{
  bool has_limit, has_reservation, has_swap, has_kernel, has_kernel_tcp, has_swappiness;
  int64_t limit, reservation, swap, kernel, kernel_tcp;
  uint64_t swappiness;
  bool disable_oom_killer, use_hierarchy, check_before_update;
};

struct lcr_spec_cpu
{
  bool has_shares, has_quota, has_burst, has_period, has_realtime_runtime, has_realtime_period, has_idle;
  uint64_t shares, period, realtime_period, burst;
  int64_t quota, realtime_runtime, idle;
  char *cpus, *mems;
};

struct lcr_spec_pids
{
  int64_t limit;
};

struct lcr_spec_weight_device
{
  int64_t major, minor;
  bool has_weight, has_leaf_weight;
  uint16_t weight, leaf_weight;
};

struct lcr_spec_throttle_device
{
  int64_t major, minor;
  uint64_t rate;
};

struct lcr_spec_block_io
{
  bool has_weight, has_leaf_weight;
  uint16_t weight, leaf_weight;
  struct lcr_spec_weight_device *weight_device;
  size_t weight_device_len;
  struct lcr_spec_throttle_device *throttle_read_bps_device, *throttle_write_bps_device, *throttle_read_iops_device,
      *throttle_write_iops_device;
  size_t throttle_read_bps_device_len, throttle_write_bps_device_len, throttle_read_iops_device_len,
      throttle_write_iops_device_len;
};

struct lcr_spec_hugepage_limit
{
  char *page_size; /* "2MB" */
  uint64_t limit;
};

struct lcr_spec_net_priority
{
  char *name;
  uint32_t priority;
};

struct lcr_spec_network
{
  bool has_class_id;
  uint32_t class_id;
  struct lcr_spec_net_priority *priorities;
  size_t priorities_len;
};

struct lcr_spec_rdma
{
  char *device;
  bool has_hca_handles, has_hca_objects;
  uint32_t hca_handles, hca_objects;
};

struct lcr_spec_kv
{
  char *key, *value;
};

struct lcr_spec_resources
{
  struct lcr_spec_device_cgroup *devices;
  size_t devices_len;
  struct lcr_spec_memory *memory;
  struct lcr_spec_cpu *cpu;
  struct lcr_spec_pids *pids;
  struct lcr_spec_block_io *block_io;
  struct lcr_spec_hugepage_limit *hugepage_limits;
  size_t hugepage_limits_len;
  struct lcr_spec_network *network;
  struct lcr_spec_rdma *rdma; /* JSON: object keyed by device name */
  size_t rdma_len;
  struct lcr_spec_kv *unified; /* JSON: object of string values */
  size_t unified_len;
};

struct lcr_spec_seccomp_arg
{
  uint32_t index;
  uint64_t value, value_two;
  char *op; /* SCMP_CMP_NE … SCMP_CMP_MASKED_EQ */
};

struct lcr_spec_seccomp_syscall
{
  char **names;
  size_t names_len;
  char *action; /* SCMP_ACT_… */
  bool has_errno_ret;
  uint32_t errno_ret;
  struct lcr_spec_seccomp_arg *args;
  size_t args_len;
};

struct lcr_spec_seccomp
{
  char *default_action;
  bool has_default_errno_ret;
  uint32_t default_errno_ret;
  char **architectures;
  size_t architectures_len;
  char **flags;
  size_t flags_len;
  char *listener_path, *listener_metadata;
  struct lcr_spec_seccomp_syscall *syscalls;
  size_t syscalls_len;
};

struct lcr_spec_personality
{
  char *domain; /* LINUX | LINUX32 */
  char **flags;
  size_t flags_len;
};

struct lcr_spec_linux
{
  struct lcr_spec_id_mapping *uid_mappings, *gid_mappings;
  size_t uid_mappings_len, gid_mappings_len;
  struct lcr_spec_time_offset *time_offsets_boottime, *time_offsets_monotonic; /* "timeOffsets": {"boottime":…} */
  struct lcr_spec_kv *sysctl;
  size_t sysctl_len;
  struct lcr_spec_resources *resources;
  char *cgroups_path;
  struct lcr_spec_namespace *namespaces;
  size_t namespaces_len;
  struct lcr_spec_device *devices;
  size_t devices_len;
  struct lcr_spec_seccomp *seccomp;
  char *rootfs_propagation; /* shared, slave, private, unbindable (and r-forms) */
  char **masked_paths;
  size_t masked_paths_len;
  char **readonly_paths;
  size_t readonly_paths_len;
  char *mount_label;
  struct lcr_spec_personality *personality;
};

struct lcr_spec
{
  char *oci_version;                /* required; any 1.x */
  struct lcr_spec_process *process; /* optional for the parser; create requires it */
  struct lcr_spec_root *root;       /* required on Linux */
  char *hostname;
  char *domainname;
  struct lcr_spec_mount *mounts;
  size_t mounts_len;
  struct lcr_spec_hooks *hooks;
  struct lcr_spec_kv *annotations;
  size_t annotations_len;
  struct lcr_spec_linux *linux_; /* "linux" (a predefined macro name in C) */
};

/* Parse and validate a config.json held in memory.  On error *err names the
   JSON path (".process.args", ".linux.namespaces[2].type") and what is wrong. */
struct lcr_spec *lcr_spec_parse (const char *json, size_t len, lcr_error_t *err);

/* Read BUNDLE/config.json (the message names the file on error). */
struct lcr_spec *lcr_spec_load (const char *bundle, lcr_error_t *err);

/* Parse a process.json (`exec --process`, the "process" object alone). */
struct lcr_spec_process *lcr_spec_parse_process (const char *json, size_t len, lcr_error_t *err);

/* Parse a resources JSON (`update -r`, the "linux.resources" object alone). */
struct lcr_spec_resources *lcr_spec_parse_resources (const char *json, size_t len, lcr_error_t *err);

void lcr_spec_free (struct lcr_spec *spec);
void lcr_spec_process_free (struct lcr_spec_process *p);
void lcr_spec_resources_free (struct lcr_spec_resources *r);

static inline void
cleanup_spec_fn (struct lcr_spec **s)
{
  if (*s)
    lcr_spec_free (*s);
}
#define cleanup_spec __attribute__ ((cleanup (cleanup_spec_fn)))

/* Deepest nesting of objects and arrays a JSON document we read may have
   (config.json, process.json, resources, state.json). */
#define LCR_JSON_MAX_DEPTH 1000

/* True when json (len bytes, comments allowed) nests deeper than
   LCR_JSON_MAX_DEPTH; a syntax error before that point gives false. */
bool lcr_json_too_deep (const char *json, size_t len);

/* "pid" → LCR_NS_PID …; -1 when unknown.  And back. */
int lcr_ns_type_from_name (const char *name);
const char *lcr_ns_type_name (int type);

/* The default config.json for `berth spec` (runc's defaults: sh, terminal,
   the usual mounts, masked and readonly paths, capabilities).  With rootless,
   a user namespace mapping the caller's uid/gid and no network namespace.
   Returns a malloc'd, pretty-printed JSON document. */
char *lcr_spec_default_json (bool rootless, uid_t uid, gid_t gid);

/* The capability names berth knows, in kernel order (CAP_CHOWN = 0 …); *n gets their count. */
const char *const *lcr_capability_names (size_t *n);

#endif
