/* berth — config.json → struct lcr_spec.
 *
 * The parser is driven by tables: each C struct of spec.h has a schema, an
 * array of fields saying which JSON key lands at which offset and how to
 * decode it.  One walker parses any schema and one walker frees it, so a new
 * spec field is one table line, and parsing and freeing cannot drift apart.
 *
 * Half-built structures are always freeable: arrays are allocated zeroed with
 * their length set before their elements are filled, so on error the caller
 * just frees the whole tree.
 */
#define _GNU_SOURCE
#include "spec.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>
#include <yajl/yajl_tree.h>

#include "spec-internal.h"
#include "utils.h"

int
lcr_spec_error_at (lcr_error_t *err, const struct lcr_jpath *p, const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    abort ();
  va_end (ap);
  /* the path holds keys and the message values from config.json: anything */
  cleanup_free char *where = lcr_escape_controls (lcr_jpath_str (p));
  cleanup_free char *what = lcr_escape_controls (msg);
  return lcr_error_invalid (err, "%s: %s", where, what);
}

/* Namespace names, indexed by enum lcr_ns_type. */
static const char *const ns_names[LCR_NS_COUNT] = {
    [LCR_NS_PID] = "pid", [LCR_NS_NETWORK] = "network", [LCR_NS_MOUNT] = "mount",   [LCR_NS_IPC] = "ipc",
    [LCR_NS_UTS] = "uts", [LCR_NS_USER] = "user",       [LCR_NS_CGROUP] = "cgroup", [LCR_NS_TIME] = "time",
};

int
lcr_ns_type_from_name (const char *name)
{
  for (int i = 0; name && i < LCR_NS_COUNT; i++)
    if (strcmp (name, ns_names[i]) == 0)
      return i;
  return -1;
}

const char *
lcr_ns_type_name (int type)
{
  return type >= 0 && type < LCR_NS_COUNT ? ns_names[type] : NULL;
}

/* ---- the schema ---------------------------------------------------------- */

enum field_kind
{
  K_STR,    /* char * */
  K_BOOL,   /* bool (aux: optional has_ flag) */
  K_CHAR,   /* char from a one-character string ("c") */
  K_NSTYPE, /* int enum lcr_ns_type from its name */
  K_U16,    /* integers (aux: optional has_ flag) */
  K_U32,
  K_U64,
  K_I32,
  K_I64,
  K_STRV,   /* char ** NULL-terminated, aux: size_t length */
  K_U32V,   /* uint32_t *, aux: size_t length */
  K_KV,     /* struct lcr_spec_kv * from an object of strings, aux: length */
  K_OBJ,    /* pointer to a struct of `sub`, NULL when absent */
  K_INLINE, /* a JSON object whose fields live in a struct at base + off */
  K_ARR,    /* array of `sub` structs, aux: length */
  K_MAP,    /* object of `sub` objects keyed by name → array, aux: length;
               the key is stored at sub->key_off */
};

#define NO_AUX ((size_t)-1)

struct schema;

struct field
{
  const char *key;
  unsigned char kind;
  bool required;
  size_t off;
  size_t aux;
  const struct schema *sub;
};

struct schema
{
  size_t size;
  size_t key_off;             /* K_MAP elements only */
  const struct field *fields; /* ends with a NULL key */
};

#define REQ .required = true
/* scalar or string */
#define F_(T, k, K, m, ...)                                                                                            \
  {                                                                                                                    \
    .key = (k), .kind = (K), .off = offsetof (T, m), .aux = NO_AUX, __VA_ARGS__                                        \
  }
/* scalar with a has_ flag */
#define FH_(T, k, K, m, has, ...)                                                                                      \
  {                                                                                                                    \
    .key = (k), .kind = (K), .off = offsetof (T, m), .aux = offsetof (T, has), __VA_ARGS__                             \
  }
/* string, integer or key-value list with a length */
#define FL_(T, k, K, m, len, ...)                                                                                      \
  {                                                                                                                    \
    .key = (k), .kind = (K), .off = offsetof (T, m), .aux = offsetof (T, len), __VA_ARGS__                             \
  }
/* pointer to a sub-struct */
#define FO_(T, k, m, S, ...)                                                                                           \
  {                                                                                                                    \
    .key = (k), .kind = K_OBJ, .off = offsetof (T, m), .aux = NO_AUX, .sub = &(S), __VA_ARGS__                         \
  }
/* array (or name-keyed map) of sub-structs */
#define FA_(T, k, K, m, len, S, ...)                                                                                   \
  {                                                                                                                    \
    .key = (k), .kind = (K), .off = offsetof (T, m), .aux = offsetof (T, len), .sub = &(S), __VA_ARGS__                \
  }
/* nested JSON object stored in the parent struct (at member m) */
#define FI_(T, k, m, S)                                                                                                \
  {                                                                                                                    \
    .key = (k), .kind = K_INLINE, .off = offsetof (T, m), .aux = NO_AUX, .sub = &(S)                                   \
  }
#define END_                                                                                                           \
  {                                                                                                                    \
    .key = NULL                                                                                                        \
  }
#define SCHEMA_(T, F)                                                                                                  \
  {                                                                                                                    \
    .size = sizeof (T), .key_off = NO_AUX, .fields = (F)                                                               \
  }

#define T struct lcr_spec_id_mapping
static const struct field id_mapping_fields[] = {
    F_ (T, "containerID", K_U32, container_id, REQ),
    F_ (T, "hostID", K_U32, host_id, REQ),
    F_ (T, "size", K_U32, size, REQ),
    END_,
};
static const struct schema id_mapping_schema = SCHEMA_ (T, id_mapping_fields);
#undef T

#define T struct lcr_spec_mount
static const struct field mount_fields[] = {
    F_ (T, "destination", K_STR, destination, REQ),
    F_ (T, "type", K_STR, type),
    F_ (T, "source", K_STR, source),
    FL_ (T, "options", K_STRV, options, options_len),
    FA_ (T, "uidMappings", K_ARR, uid_mappings, uid_mappings_len, id_mapping_schema),
    FA_ (T, "gidMappings", K_ARR, gid_mappings, gid_mappings_len, id_mapping_schema),
    END_,
};
static const struct schema mount_schema = SCHEMA_ (T, mount_fields);
#undef T

#define T struct lcr_spec_rlimit
static const struct field rlimit_fields[] = {
    F_ (T, "type", K_STR, type, REQ),
    F_ (T, "hard", K_U64, hard, REQ),
    F_ (T, "soft", K_U64, soft, REQ),
    END_,
};
static const struct schema rlimit_schema = SCHEMA_ (T, rlimit_fields);
#undef T

#define T struct lcr_spec_user
static const struct field user_fields[] = {
    F_ (T, "uid", K_U32, uid),
    F_ (T, "gid", K_U32, gid),
    FH_ (T, "umask", K_U32, umask, has_umask),
    FL_ (T, "additionalGids", K_U32V, additional_gids, additional_gids_len),
    F_ (T, "username", K_STR, username),
    END_,
};
static const struct schema user_schema = SCHEMA_ (T, user_fields);
#undef T

#define T struct lcr_spec_capabilities
static const struct field capabilities_fields[] = {
    FL_ (T, "bounding", K_STRV, bounding, bounding_len),
    FL_ (T, "effective", K_STRV, effective, effective_len),
    FL_ (T, "inheritable", K_STRV, inheritable, inheritable_len),
    FL_ (T, "permitted", K_STRV, permitted, permitted_len),
    FL_ (T, "ambient", K_STRV, ambient, ambient_len),
    END_,
};
static const struct schema capabilities_schema = SCHEMA_ (T, capabilities_fields);
#undef T

#define T struct lcr_spec_console_size
static const struct field console_size_fields[] = {
    F_ (T, "height", K_U32, height, REQ),
    F_ (T, "width", K_U32, width, REQ),
    END_,
};
static const struct schema console_size_schema = SCHEMA_ (T, console_size_fields);
#undef T

#define T struct lcr_spec_scheduler
static const struct field scheduler_fields[] = {
    F_ (T, "policy", K_STR, policy, REQ), F_ (T, "nice", K_I32, nice),
    F_ (T, "priority", K_I32, priority),  FL_ (T, "flags", K_STRV, flags, flags_len),
    F_ (T, "runtime", K_U64, runtime),    F_ (T, "deadline", K_U64, deadline),
    F_ (T, "period", K_U64, period),      END_,
};
static const struct schema scheduler_schema = SCHEMA_ (T, scheduler_fields);
#undef T

#define T struct lcr_spec_io_priority
static const struct field io_priority_fields[] = {
    F_ (T, "class", K_STR, class_, REQ),
    F_ (T, "priority", K_I32, priority),
    END_,
};
static const struct schema io_priority_schema = SCHEMA_ (T, io_priority_fields);
#undef T

#define T struct lcr_spec_exec_cpu_affinity
static const struct field exec_cpu_affinity_fields[] = {
    F_ (T, "initial", K_STR, initial),
    F_ (T, "final", K_STR, final),
    END_,
};
static const struct schema exec_cpu_affinity_schema = SCHEMA_ (T, exec_cpu_affinity_fields);
#undef T

#define T struct lcr_spec_process
static const struct field process_fields[] = {
    F_ (T, "terminal", K_BOOL, terminal),
    FO_ (T, "consoleSize", console_size, console_size_schema),
    FI_ (T, "user", user, user_schema),
    FL_ (T, "args", K_STRV, args, args_len),
    F_ (T, "commandLine", K_STR, command_line),
    FL_ (T, "env", K_STRV, env, env_len),
    F_ (T, "cwd", K_STR, cwd),
    FO_ (T, "capabilities", capabilities, capabilities_schema),
    FA_ (T, "rlimits", K_ARR, rlimits, rlimits_len, rlimit_schema),
    F_ (T, "noNewPrivileges", K_BOOL, no_new_privileges),
    F_ (T, "apparmorProfile", K_STR, apparmor_profile),
    FH_ (T, "oomScoreAdj", K_I32, oom_score_adj, has_oom_score_adj),
    F_ (T, "selinuxLabel", K_STR, selinux_label),
    FO_ (T, "scheduler", scheduler, scheduler_schema),
    FO_ (T, "ioPriority", io_priority, io_priority_schema),
    FO_ (T, "execCPUAffinity", exec_cpu_affinity, exec_cpu_affinity_schema),
    END_,
};
static const struct schema process_schema = SCHEMA_ (T, process_fields);
#undef T

#define T struct lcr_spec_root
static const struct field root_fields[] = {
    F_ (T, "path", K_STR, path, REQ),
    F_ (T, "readonly", K_BOOL, readonly),
    END_,
};
static const struct schema root_schema = SCHEMA_ (T, root_fields);
#undef T

#define T struct lcr_spec_hook
static const struct field hook_fields[] = {
    F_ (T, "path", K_STR, path, REQ),
    FL_ (T, "args", K_STRV, args, args_len),
    FL_ (T, "env", K_STRV, env, env_len),
    FH_ (T, "timeout", K_I32, timeout, has_timeout),
    END_,
};
static const struct schema hook_schema = SCHEMA_ (T, hook_fields);
#undef T

#define T struct lcr_spec_hooks
static const struct field hooks_fields[] = {
    FA_ (T, "prestart", K_ARR, prestart, prestart_len, hook_schema),
    FA_ (T, "createRuntime", K_ARR, create_runtime, create_runtime_len, hook_schema),
    FA_ (T, "createContainer", K_ARR, create_container, create_container_len, hook_schema),
    FA_ (T, "startContainer", K_ARR, start_container, start_container_len, hook_schema),
    FA_ (T, "poststart", K_ARR, poststart, poststart_len, hook_schema),
    FA_ (T, "poststop", K_ARR, poststop, poststop_len, hook_schema),
    END_,
};
static const struct schema hooks_schema = SCHEMA_ (T, hooks_fields);
#undef T

#define T struct lcr_spec_namespace
static const struct field namespace_fields[] = {
    F_ (T, "type", K_NSTYPE, type, REQ),
    F_ (T, "path", K_STR, path),
    END_,
};
static const struct schema namespace_schema = SCHEMA_ (T, namespace_fields);
#undef T

#define T struct lcr_spec_time_offset
static const struct field time_offset_fields[] = {
    F_ (T, "secs", K_I64, secs),
    F_ (T, "nanosecs", K_U32, nanosecs),
    END_,
};
static const struct schema time_offset_schema = SCHEMA_ (T, time_offset_fields);
#undef T

#define T struct lcr_spec_device
static const struct field device_fields[] = {
    F_ (T, "path", K_STR, path, REQ),
    F_ (T, "type", K_CHAR, type, REQ),
    F_ (T, "major", K_I64, major),
    F_ (T, "minor", K_I64, minor),
    FH_ (T, "fileMode", K_U32, file_mode, has_file_mode),
    FH_ (T, "uid", K_U32, uid, has_uid),
    FH_ (T, "gid", K_U32, gid, has_gid),
    END_,
};
static const struct schema device_schema = SCHEMA_ (T, device_fields);
#undef T

#define T struct lcr_spec_device_cgroup
static const struct field device_cgroup_fields[] = {
    F_ (T, "allow", K_BOOL, allow, REQ),       F_ (T, "type", K_CHAR, type),
    FH_ (T, "major", K_I64, major, has_major), FH_ (T, "minor", K_I64, minor, has_minor),
    F_ (T, "access", K_STR, access),           END_,
};
static const struct schema device_cgroup_schema = SCHEMA_ (T, device_cgroup_fields);
#undef T

#define T struct lcr_spec_memory
static const struct field memory_fields[] = {
    FH_ (T, "limit", K_I64, limit, has_limit),
    FH_ (T, "reservation", K_I64, reservation, has_reservation),
    FH_ (T, "swap", K_I64, swap, has_swap),
    FH_ (T, "kernel", K_I64, kernel, has_kernel),
    FH_ (T, "kernelTCP", K_I64, kernel_tcp, has_kernel_tcp),
    FH_ (T, "swappiness", K_U64, swappiness, has_swappiness),
    F_ (T, "disableOOMKiller", K_BOOL, disable_oom_killer),
    F_ (T, "useHierarchy", K_BOOL, use_hierarchy),
    F_ (T, "checkBeforeUpdate", K_BOOL, check_before_update),
    END_,
};
static const struct schema memory_schema = SCHEMA_ (T, memory_fields);
#undef T

#define T struct lcr_spec_cpu
static const struct field cpu_fields[] = {
    FH_ (T, "shares", K_U64, shares, has_shares),
    FH_ (T, "quota", K_I64, quota, has_quota),
    FH_ (T, "burst", K_U64, burst, has_burst),
    FH_ (T, "period", K_U64, period, has_period),
    FH_ (T, "realtimeRuntime", K_I64, realtime_runtime, has_realtime_runtime),
    FH_ (T, "realtimePeriod", K_U64, realtime_period, has_realtime_period),
    F_ (T, "cpus", K_STR, cpus),
    F_ (T, "mems", K_STR, mems),
    FH_ (T, "idle", K_I64, idle, has_idle),
    END_,
};
static const struct schema cpu_schema = SCHEMA_ (T, cpu_fields);
#undef T

#define T struct lcr_spec_pids
static const struct field pids_fields[] = {
    F_ (T, "limit", K_I64, limit),
    END_,
};
static const struct schema pids_schema = SCHEMA_ (T, pids_fields);
#undef T

#define T struct lcr_spec_weight_device
static const struct field weight_device_fields[] = {
    F_ (T, "major", K_I64, major, REQ),
    F_ (T, "minor", K_I64, minor, REQ),
    FH_ (T, "weight", K_U16, weight, has_weight),
    FH_ (T, "leafWeight", K_U16, leaf_weight, has_leaf_weight),
    END_,
};
static const struct schema weight_device_schema = SCHEMA_ (T, weight_device_fields);
#undef T

#define T struct lcr_spec_throttle_device
static const struct field throttle_device_fields[] = {
    F_ (T, "major", K_I64, major, REQ),
    F_ (T, "minor", K_I64, minor, REQ),
    F_ (T, "rate", K_U64, rate, REQ),
    END_,
};
static const struct schema throttle_device_schema = SCHEMA_ (T, throttle_device_fields);
#undef T

#define T struct lcr_spec_block_io
static const struct field block_io_fields[] = {
    FH_ (T, "weight", K_U16, weight, has_weight),
    FH_ (T, "leafWeight", K_U16, leaf_weight, has_leaf_weight),
    FA_ (T, "weightDevice", K_ARR, weight_device, weight_device_len, weight_device_schema),
    FA_ (T, "throttleReadBpsDevice", K_ARR, throttle_read_bps_device, throttle_read_bps_device_len,
         throttle_device_schema),
    FA_ (T, "throttleWriteBpsDevice", K_ARR, throttle_write_bps_device, throttle_write_bps_device_len,
         throttle_device_schema),
    FA_ (T, "throttleReadIOPSDevice", K_ARR, throttle_read_iops_device, throttle_read_iops_device_len,
         throttle_device_schema),
    FA_ (T, "throttleWriteIOPSDevice", K_ARR, throttle_write_iops_device, throttle_write_iops_device_len,
         throttle_device_schema),
    END_,
};
static const struct schema block_io_schema = SCHEMA_ (T, block_io_fields);
#undef T

#define T struct lcr_spec_hugepage_limit
static const struct field hugepage_limit_fields[] = {
    F_ (T, "pageSize", K_STR, page_size, REQ),
    F_ (T, "limit", K_U64, limit, REQ),
    END_,
};
static const struct schema hugepage_limit_schema = SCHEMA_ (T, hugepage_limit_fields);
#undef T

#define T struct lcr_spec_net_priority
static const struct field net_priority_fields[] = {
    F_ (T, "name", K_STR, name, REQ),
    F_ (T, "priority", K_U32, priority, REQ),
    END_,
};
static const struct schema net_priority_schema = SCHEMA_ (T, net_priority_fields);
#undef T

#define T struct lcr_spec_network
static const struct field network_fields[] = {
    FH_ (T, "classID", K_U32, class_id, has_class_id),
    FA_ (T, "priorities", K_ARR, priorities, priorities_len, net_priority_schema),
    END_,
};
static const struct schema network_schema = SCHEMA_ (T, network_fields);
#undef T

#define T struct lcr_spec_rdma
static const struct field rdma_fields[] = {
    FH_ (T, "hcaHandles", K_U32, hca_handles, has_hca_handles),
    FH_ (T, "hcaObjects", K_U32, hca_objects, has_hca_objects),
    END_,
};
static const struct schema rdma_schema = {.size = sizeof (T), .key_off = offsetof (T, device), .fields = rdma_fields};
#undef T

#define T struct lcr_spec_resources
static const struct field resources_fields[] = {
    FA_ (T, "devices", K_ARR, devices, devices_len, device_cgroup_schema),
    FO_ (T, "memory", memory, memory_schema),
    FO_ (T, "cpu", cpu, cpu_schema),
    FO_ (T, "pids", pids, pids_schema),
    FO_ (T, "blockIO", block_io, block_io_schema),
    FA_ (T, "hugepageLimits", K_ARR, hugepage_limits, hugepage_limits_len, hugepage_limit_schema),
    FO_ (T, "network", network, network_schema),
    FA_ (T, "rdma", K_MAP, rdma, rdma_len, rdma_schema),
    FL_ (T, "unified", K_KV, unified, unified_len),
    END_,
};
static const struct schema resources_schema = SCHEMA_ (T, resources_fields);
#undef T

#define T struct lcr_spec_seccomp_arg
static const struct field seccomp_arg_fields[] = {
    F_ (T, "index", K_U32, index, REQ),
    F_ (T, "value", K_U64, value, REQ),
    F_ (T, "valueTwo", K_U64, value_two),
    F_ (T, "op", K_STR, op, REQ),
    END_,
};
static const struct schema seccomp_arg_schema = SCHEMA_ (T, seccomp_arg_fields);
#undef T

#define T struct lcr_spec_seccomp_syscall
static const struct field seccomp_syscall_fields[] = {
    FL_ (T, "names", K_STRV, names, names_len, REQ),
    F_ (T, "action", K_STR, action, REQ),
    FH_ (T, "errnoRet", K_U32, errno_ret, has_errno_ret),
    FA_ (T, "args", K_ARR, args, args_len, seccomp_arg_schema),
    END_,
};
static const struct schema seccomp_syscall_schema = SCHEMA_ (T, seccomp_syscall_fields);
#undef T

#define T struct lcr_spec_seccomp
static const struct field seccomp_fields[] = {
    F_ (T, "defaultAction", K_STR, default_action, REQ),
    FH_ (T, "defaultErrnoRet", K_U32, default_errno_ret, has_default_errno_ret),
    FL_ (T, "architectures", K_STRV, architectures, architectures_len),
    FL_ (T, "flags", K_STRV, flags, flags_len),
    F_ (T, "listenerPath", K_STR, listener_path),
    F_ (T, "listenerMetadata", K_STR, listener_metadata),
    FA_ (T, "syscalls", K_ARR, syscalls, syscalls_len, seccomp_syscall_schema),
    END_,
};
static const struct schema seccomp_schema = SCHEMA_ (T, seccomp_fields);
#undef T

#define T struct lcr_spec_personality
static const struct field personality_fields[] = {
    F_ (T, "domain", K_STR, domain, REQ),
    FL_ (T, "flags", K_STRV, flags, flags_len),
    END_,
};
static const struct schema personality_schema = SCHEMA_ (T, personality_fields);
#undef T

#define T struct lcr_spec_linux
/* "timeOffsets" is a JSON object whose two members are pointers in
   struct lcr_spec_linux itself, so its schema is relative to the parent. */
static const struct field time_offsets_fields[] = {
    FO_ (T, "boottime", time_offsets_boottime, time_offset_schema),
    FO_ (T, "monotonic", time_offsets_monotonic, time_offset_schema),
    END_,
};
static const struct schema time_offsets_schema = SCHEMA_ (T, time_offsets_fields);

static const struct field linux_fields[] = {
    FA_ (T, "uidMappings", K_ARR, uid_mappings, uid_mappings_len, id_mapping_schema),
    FA_ (T, "gidMappings", K_ARR, gid_mappings, gid_mappings_len, id_mapping_schema),
    {.key = "timeOffsets", .kind = K_INLINE, .off = 0, .aux = NO_AUX, .sub = &time_offsets_schema},
    FL_ (T, "sysctl", K_KV, sysctl, sysctl_len),
    FO_ (T, "resources", resources, resources_schema),
    F_ (T, "cgroupsPath", K_STR, cgroups_path),
    FA_ (T, "namespaces", K_ARR, namespaces, namespaces_len, namespace_schema),
    FA_ (T, "devices", K_ARR, devices, devices_len, device_schema),
    FO_ (T, "seccomp", seccomp, seccomp_schema),
    F_ (T, "rootfsPropagation", K_STR, rootfs_propagation),
    FL_ (T, "maskedPaths", K_STRV, masked_paths, masked_paths_len),
    FL_ (T, "readonlyPaths", K_STRV, readonly_paths, readonly_paths_len),
    F_ (T, "mountLabel", K_STR, mount_label),
    FO_ (T, "personality", personality, personality_schema),
    END_,
};
static const struct schema linux_schema = SCHEMA_ (T, linux_fields);
#undef T

#define T struct lcr_spec
static const struct field spec_fields[] = {
    F_ (T, "ociVersion", K_STR, oci_version), FO_ (T, "process", process, process_schema),
    FO_ (T, "root", root, root_schema),       F_ (T, "hostname", K_STR, hostname),
    F_ (T, "domainname", K_STR, domainname),  FA_ (T, "mounts", K_ARR, mounts, mounts_len, mount_schema),
    FO_ (T, "hooks", hooks, hooks_schema),    FL_ (T, "annotations", K_KV, annotations, annotations_len),
    FO_ (T, "linux", linux_, linux_schema),   END_,
};
static const struct schema spec_schema = SCHEMA_ (T, spec_fields);
#undef T

/* ---- freeing ------------------------------------------------------------- */

#define AT(base, off, type) ((type *)((char *)(base) + (off)))

static void free_fields (const struct schema *s, void *base);

static void
free_field (const struct field *f, void *base)
{
  /* aux is a length only for the list kinds; for scalars it is a bool. */
  bool is_list = f->kind == K_STRV || f->kind == K_U32V || f->kind == K_KV || f->kind == K_ARR || f->kind == K_MAP;
  size_t len = is_list ? *AT (base, f->aux, size_t) : 0;
  switch (f->kind)
    {
    case K_STR:
      free (*AT (base, f->off, char *));
      break;

    case K_STRV:
      {
        char **v = *AT (base, f->off, char **);
        for (size_t i = 0; v && i < len; i++)
          free (v[i]);
        free (v);
      }
      break;

    case K_U32V:
      free (*AT (base, f->off, uint32_t *));
      break;

    case K_KV:
      {
        struct lcr_spec_kv *kv = *AT (base, f->off, struct lcr_spec_kv *);
        for (size_t i = 0; kv && i < len; i++)
          {
            free (kv[i].key);
            free (kv[i].value);
          }
        free (kv);
      }
      break;

    case K_OBJ:
      {
        void *p = *AT (base, f->off, void *);
        if (p)
          free_fields (f->sub, p);
        free (p);
      }
      break;

    case K_INLINE:
      free_fields (f->sub, AT (base, f->off, char));
      break;

    case K_ARR:
    case K_MAP:
      {
        char *arr = *AT (base, f->off, char *);
        for (size_t i = 0; arr && i < len; i++)
          {
            char *elem = arr + i * f->sub->size;
            free_fields (f->sub, elem);
            if (f->kind == K_MAP)
              free (*AT (elem, f->sub->key_off, char *));
          }
        free (arr);
      }
      break;

    default:
      break; /* scalars own nothing */
    }
}

static void
free_fields (const struct schema *s, void *base)
{
  for (const struct field *f = s->fields; f->key; f++)
    free_field (f, base);
}

static void
free_object (const struct schema *s, void *obj)
{
  if (obj == NULL)
    return;
  free_fields (s, obj);
  free (obj);
}

void
lcr_spec_free (struct lcr_spec *spec)
{
  free_object (&spec_schema, spec);
}

void
lcr_spec_process_free (struct lcr_spec_process *p)
{
  free_object (&process_schema, p);
}

void
lcr_spec_resources_free (struct lcr_spec_resources *r)
{
  free_object (&resources_schema, r);
}

/* ---- parsing ------------------------------------------------------------- */

static const char *
json_type_name (yajl_val v)
{
  if (v == NULL || YAJL_IS_NULL (v))
    return "null";
  if (YAJL_IS_STRING (v))
    return "a string";
  if (YAJL_IS_NUMBER (v))
    return "a number";
  if (YAJL_IS_OBJECT (v))
    return "an object";
  if (YAJL_IS_ARRAY (v))
    return "an array";
  return "a boolean";
}

static int
type_error (lcr_error_t *err, const struct lcr_jpath *p, const char *want, yajl_val got)
{
  return lcr_spec_error_at (err, p, "expected %s, got %s", want, json_type_name (got));
}

/* The last occurrence wins for duplicated keys, as in Go's encoding/json
   (what runc uses), so both runtimes read the same value. */
static yajl_val
object_get (yajl_val obj, const char *key)
{
  yajl_val found = NULL;
  for (size_t i = 0; i < obj->u.object.len; i++)
    if (strcmp (obj->u.object.keys[i], key) == 0)
      found = obj->u.object.values[i];
  return found;
}

static int
get_string (yajl_val v, const struct lcr_jpath *p, const char **out, lcr_error_t *err)
{
  if (!YAJL_IS_STRING (v))
    return type_error (err, p, "a string", v);
  *out = YAJL_GET_STRING (v);
  return 0;
}

/* The C types integer fields decode into, indexed by field kind. */
static const struct
{
  const char *name;
  uint64_t max;     /* largest positive value */
  uint64_t neg_max; /* magnitude of the most negative value */
} int_types[] = {
    [K_U16] = {"uint16", UINT16_MAX, 0},
    [K_U32] = {"uint32", UINT32_MAX, 0},
    [K_U64] = {"uint64", UINT64_MAX, 0},
    [K_I32] = {"int32", INT32_MAX, (uint64_t)INT32_MAX + 1},
    [K_I64] = {"int64", INT64_MAX, (uint64_t)INT64_MAX + 1},
};

/* Decode an integer from its JSON text rather than from yajl's long long,
   which cannot hold uint64 values above INT64_MAX.  Fractions and exponents
   are rejected, as Go does for integer fields. */
static int
parse_integer (const struct field *f, yajl_val v, void *base, const struct lcr_jpath *p, lcr_error_t *err)
{
  if (!YAJL_IS_NUMBER (v))
    return type_error (err, p, "an integer", v);
  const char *s = YAJL_GET_NUMBER (v);
  if (strpbrk (s, ".eE"))
    return lcr_spec_error_at (err, p, "expected an integer, got %s", s);
  bool neg = s[0] == '-';
  char *end = NULL;
  errno = 0;
  uint64_t mag = strtoull (neg ? s + 1 : s, &end, 10);
  if (errno != 0 || end == NULL || *end != '\0' || mag > (neg ? int_types[f->kind].neg_max : int_types[f->kind].max))
    /* "-0" passes for unsigned types: neg_max is 0 and so is mag. */
    return lcr_spec_error_at (err, p, "%s is out of range for %s", s, int_types[f->kind].name);
  /* In range, so the two's complement negation below is exact. */
  int64_t sval = neg ? (int64_t)(0 - mag) : (int64_t)mag;
  switch (f->kind)
    {
    case K_U16:
      *AT (base, f->off, uint16_t) = (uint16_t)mag;
      break;
    case K_U32:
      *AT (base, f->off, uint32_t) = (uint32_t)mag;
      break;
    case K_U64:
      *AT (base, f->off, uint64_t) = mag;
      break;
    case K_I32:
      *AT (base, f->off, int32_t) = (int32_t)sval;
      break;
    default:
      *AT (base, f->off, int64_t) = sval;
      break;
    }
  return 0;
}

static int parse_fields (const struct schema *s, yajl_val node, void *base, struct lcr_jpath *p, lcr_error_t *err);

static int
parse_array_of (const struct field *f, yajl_val v, void *base, struct lcr_jpath *p, lcr_error_t *err)
{
  if (!YAJL_IS_ARRAY (v))
    return type_error (err, p, "an array", v);
  size_t n = v->u.array.len;
  size_t elem_size = f->kind == K_STRV ? sizeof (char *) : f->kind == K_U32V ? sizeof (uint32_t) : f->sub->size;
  /* One extra zeroed slot keeps string arrays NULL-terminated. */
  char *arr = xmalloc0 ((n + 1) * elem_size);
  *AT (base, f->off, char *) = arr;
  *AT (base, f->aux, size_t) = n;
  for (size_t i = 0; i < n; i++)
    {
      yajl_val e = v->u.array.values[i];
      size_t old = lcr_jpath_push_index (p, i);
      const char *s = NULL;
      switch (f->kind)
        {
        case K_STRV:
          if (get_string (e, p, &s, err) < 0)
            return -1;
          ((char **)arr)[i] = xstrdup (s);
          break;

        case K_U32V:
          {
            struct field elem = {.kind = K_U32, .off = i * sizeof (uint32_t), .aux = NO_AUX};
            if (parse_integer (&elem, e, arr, p, err) < 0)
              return -1;
          }
          break;

        default:
          if (parse_fields (f->sub, e, arr + i * elem_size, p, err) < 0)
            return -1;
          break;
        }
      lcr_jpath_pop (p, old);
    }
  return 0;
}

/* JSON objects keyed by an arbitrary name: annotations, sysctl, unified
   (string values) and rdma (object values). */
static int
parse_map (const struct field *f, yajl_val v, void *base, struct lcr_jpath *p, lcr_error_t *err)
{
  if (!YAJL_IS_OBJECT (v))
    return type_error (err, p, "an object", v);
  size_t n = v->u.object.len;
  size_t elem_size = f->kind == K_KV ? sizeof (struct lcr_spec_kv) : f->sub->size;
  char *arr = xmalloc0 ((n + 1) * elem_size);
  *AT (base, f->off, char *) = arr;
  *AT (base, f->aux, size_t) = n;
  for (size_t i = 0; i < n; i++)
    {
      char *elem = arr + i * elem_size;
      const char *key = v->u.object.keys[i];
      size_t old = lcr_jpath_push_key (p, key);
      if (f->kind == K_KV)
        {
          struct lcr_spec_kv *kv = (struct lcr_spec_kv *)elem;
          const char *s = NULL;
          if (get_string (v->u.object.values[i], p, &s, err) < 0)
            return -1;
          kv->key = xstrdup (key);
          kv->value = xstrdup (s);
        }
      else
        {
          *AT (elem, f->sub->key_off, char *) = xstrdup (key);
          if (parse_fields (f->sub, v->u.object.values[i], elem, p, err) < 0)
            return -1;
        }
      lcr_jpath_pop (p, old);
    }
  return 0;
}

static int
parse_field (const struct field *f, yajl_val v, void *base, struct lcr_jpath *p, lcr_error_t *err)
{
  const char *s;
  switch (f->kind)
    {
    case K_STR:
      if (get_string (v, p, &s, err) < 0)
        return -1;
      *AT (base, f->off, char *) = xstrdup (s);
      return 0;

    case K_BOOL:
      if (!YAJL_IS_TRUE (v) && !YAJL_IS_FALSE (v))
        return type_error (err, p, "a boolean", v);
      *AT (base, f->off, bool) = YAJL_IS_TRUE (v);
      break;

    case K_CHAR:
      if (get_string (v, p, &s, err) < 0)
        return -1;
      if (strlen (s) != 1)
        return lcr_spec_error_at (err, p, "expected a one-letter type, got \"%s\"", s);
      *AT (base, f->off, char) = s[0];
      break;

    case K_NSTYPE:
      {
        if (get_string (v, p, &s, err) < 0)
          return -1;
        int t = lcr_ns_type_from_name (s);
        if (t < 0)
          return lcr_spec_error_at (err, p, "unknown namespace type \"%s\"", s);
        *AT (base, f->off, int) = t;
      }
      break;

    case K_U16:
    case K_U32:
    case K_U64:
    case K_I32:
    case K_I64:
      if (parse_integer (f, v, base, p, err) < 0)
        return -1;
      break;

    case K_STRV:
    case K_U32V:
    case K_ARR:
      return parse_array_of (f, v, base, p, err);

    case K_KV:
    case K_MAP:
      return parse_map (f, v, base, p, err);

    case K_OBJ:
      {
        void *obj = xmalloc0 (f->sub->size);
        *AT (base, f->off, void *) = obj;
        return parse_fields (f->sub, v, obj, p, err);
      }

    case K_INLINE:
      return parse_fields (f->sub, v, AT (base, f->off, char), p, err);
    }
  if (f->aux != NO_AUX)
    *AT (base, f->aux, bool) = true;
  return 0;
}

/* Unknown keys are ignored, as the runtime spec asks; null counts as absent
   (Go leaves a field untouched for null). */
static int
parse_fields (const struct schema *s, yajl_val node, void *base, struct lcr_jpath *p, lcr_error_t *err)
{
  if (!YAJL_IS_OBJECT (node))
    return type_error (err, p, "an object", node);
  for (const struct field *f = s->fields; f->key; f++)
    {
      yajl_val v = object_get (node, f->key);
      if (v == NULL || YAJL_IS_NULL (v))
        {
          if (f->required)
            return lcr_spec_error_at (err, p, "missing \"%s\"", f->key);
          continue;
        }
      size_t old = lcr_jpath_push_key (p, f->key);
      if (parse_field (f, v, base, p, err) < 0)
        return -1;
      lcr_jpath_pop (p, old);
    }
  return 0;
}

static void
cleanup_tree_fn (yajl_val *v)
{
  if (*v)
    yajl_tree_free (*v);
}
#define cleanup_tree __attribute__ ((cleanup (cleanup_tree_fn)))

static void
cleanup_yajl_handle_fn (yajl_handle *h)
{
  if (*h)
    yajl_free (*h);
}

/* yajl_tree's own message is a multi-line excerpt; log lines want one line,
   so on failure parse again with a bare handle to learn where it broke. */
static int
json_syntax_error (const char *json, size_t len, lcr_error_t *err)
{
  __attribute__ ((cleanup (cleanup_yajl_handle_fn))) yajl_handle h = yajl_alloc (NULL, NULL, NULL);
  if (h == NULL)
    abort ();
  /* Same dialect as yajl_tree_parse, or the position would differ. */
  yajl_config (h, yajl_allow_comments, 1);
  yajl_status st = yajl_parse (h, (const unsigned char *)json, len);
  size_t at = len;
  if (st == yajl_status_ok)
    st = yajl_complete_parse (h);
  else
    at = yajl_get_bytes_consumed (h);
  if (st == yajl_status_ok)
    return lcr_error_invalid (err, "invalid JSON");
  unsigned char *raw = yajl_get_error (h, 0, (const unsigned char *)json, len);
  cleanup_free char *msg = xstrdup ((const char *)raw);
  yajl_free_error (h, raw);
  msg[strcspn (msg, "\n")] = '\0';
  size_t line = 1, col = 1;
  for (size_t i = 0; i < at && i < len; i++)
    {
      col++;
      if (json[i] == '\n')
        line++, col = 1;
    }
  return lcr_error_invalid (err, "invalid JSON: %s (line %zu, column %zu)", msg, line, col);
}

/* yajl frees a tree recursively, one stack frame per level, so a document
   nested deep enough overflows the stack in yajl_tree_free (a 4 MB
   config.json of brackets did).  Go's encoding/json stops at 10000 levels;
   no real config nests past ten, and LCR_JSON_MAX_DEPTH levels cost a few
   tens of KB of stack.  Counted by a callback parse with yajl's own dialect,
   before any tree is built. */
struct depth
{
  size_t depth;
};

static int
depth_open (void *ctx)
{
  struct depth *d = ctx;
  return ++d->depth <= LCR_JSON_MAX_DEPTH; /* 0 stops the parse */
}

static int
depth_close (void *ctx)
{
  ((struct depth *)ctx)->depth--;
  return 1;
}

bool
lcr_json_too_deep (const char *json, size_t len)
{
  static const yajl_callbacks callbacks = {
      .yajl_start_map = depth_open,
      .yajl_end_map = depth_close,
      .yajl_start_array = depth_open,
      .yajl_end_array = depth_close,
  };
  struct depth d = {.depth = 0};
  __attribute__ ((cleanup (cleanup_yajl_handle_fn))) yajl_handle h = yajl_alloc (&callbacks, NULL, &d);
  if (h == NULL)
    abort ();
  yajl_config (h, yajl_allow_comments, 1);
  /* a syntax error is not ours to report: the tree parse that follows does */
  return yajl_parse (h, (const unsigned char *)json, len) == yajl_status_client_canceled;
}

/* Parse a document into a zeroed object of schema `s` at `out`. */
static int
parse_document (const char *json, size_t len, const struct schema *s, void *out, lcr_error_t *err)
{
  if (json == NULL)
    json = ""; /* len is 0 then; yajl reports the empty document */
  const char *nul = memchr (json, '\0', len);
  if (nul)
    return lcr_error_invalid (err, "invalid JSON: NUL byte at offset %zu", (size_t)(nul - json));
  cleanup_free char *buf = xmalloc0 (len + 1);
  memcpy (buf, json, len);
  if (lcr_json_too_deep (buf, len))
    return lcr_error_invalid (err, "invalid JSON: nested deeper than %d levels", LCR_JSON_MAX_DEPTH);
  char errbuf[256];
  cleanup_tree yajl_val tree = yajl_tree_parse (buf, errbuf, sizeof errbuf);
  if (tree == NULL)
    return json_syntax_error (buf, len, err);
  struct lcr_jpath path = {.len = 0};
  return parse_fields (s, tree, out, &path, err);
}

static struct lcr_spec *
parse_spec (const char *json, size_t len, lcr_error_t *err)
{
  cleanup_spec struct lcr_spec *spec = xmalloc0 (sizeof *spec);
  if (parse_document (json, len, &spec_schema, spec, err) < 0 || lcr_spec_validate (spec, err) < 0)
    return NULL;
  return steal_pointer (&spec);
}

struct lcr_spec *
lcr_spec_parse (const char *json, size_t len, lcr_error_t *err)
{
  struct lcr_spec *spec = parse_spec (json, len, err);
  if (spec == NULL)
    lcr_error_wrap (err, "config.json");
  return spec;
}

struct lcr_spec *
lcr_spec_load (const char *bundle, lcr_error_t *err)
{
  cleanup_free char *path = NULL;
  cleanup_free char *data = NULL;
  size_t len = 0;
  xasprintf (&path, "%s/config.json", bundle);
  if (lcr_read_file (path, &data, &len, err) < 0)
    {
      /* Replace read_file's "open `x`: …" so the file is named once. */
      int e = err && *err ? (*err)->errno_ : errno;
      lcr_error_make (err, e, e == ENOENT ? LCR_ERR_NOT_FOUND : LCR_ERR_SYSTEM, "load `%s`", path);
      return NULL;
    }
  struct lcr_spec *spec = parse_spec (data, len, err);
  if (spec == NULL)
    lcr_error_wrap (err, "load `%s`", path);
  return spec;
}

static void
cleanup_process_fn (struct lcr_spec_process **p)
{
  lcr_spec_process_free (*p);
}

static void
cleanup_resources_fn (struct lcr_spec_resources **r)
{
  lcr_spec_resources_free (*r);
}

struct lcr_spec_process *
lcr_spec_parse_process (const char *json, size_t len, lcr_error_t *err)
{
  __attribute__ ((cleanup (cleanup_process_fn))) struct lcr_spec_process *proc = xmalloc0 (sizeof *proc);
  struct lcr_jpath path = {.len = 0};
  if (parse_document (json, len, &process_schema, proc, err) < 0 || lcr_spec_validate_process (proc, &path, err) < 0)
    return NULL;
  return steal_pointer (&proc);
}

struct lcr_spec_resources *
lcr_spec_parse_resources (const char *json, size_t len, lcr_error_t *err)
{
  __attribute__ ((cleanup (cleanup_resources_fn))) struct lcr_spec_resources *res = xmalloc0 (sizeof *res);
  struct lcr_jpath path = {.len = 0};
  if (parse_document (json, len, &resources_schema, res, err) < 0 || lcr_spec_validate_resources (res, &path, err) < 0)
    return NULL;
  return steal_pointer (&res);
}
