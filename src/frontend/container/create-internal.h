/* dock — helpers shared by the files that turn `create`/`run`/`update` flags into a create
 * request (create.c, create-values.c, create-resources.c).  Not for other modules.
 *
 * Every value parser takes the flag as docker shows it in messages ("-m, --memory") and fails
 * with docker's wording: `invalid argument "VALUE" for "FLAG" flag: WHY`.
 */
#ifndef DOCK_CREATE_INTERNAL_H
#define DOCK_CREATE_INTERNAL_H

#include "container/create.h"

/* `invalid argument "value" for "flag" flag: why…`; returns -1. */
int dock_flag_error (lcr_error_t *err, const char *flag, const char *value, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

/* A decimal integer; on garbage, dock_flag_error naming flag. */
int dock_flag_int (const char *flag, const char *value, long long *out, lcr_error_t *err);

/* -p: one spec ("[ip:][hostPort:]containerPort[/proto]", ranges allowed) into
   ExposedPorts {"80/tcp":{}} and PortBindings {"80/tcp":[{"HostIp","HostPort"}]}. */
int dock_parse_publish (const char *spec, jv exposed, jv bindings, lcr_error_t *err);
/* --expose: "80", "80/udp", "8000-8010" into ExposedPorts. */
int dock_parse_expose (const char *spec, jv exposed, lcr_error_t *err);
/* -v: "/path" into Volumes, "src:/dst[:opts]" into Binds (validated). */
int dock_parse_volume (const char *spec, jv volumes, jv binds, lcr_error_t *err);
/* --mount: docker's CSV (type=,source=,target=,readonly,…) into a Mounts entry. */
int dock_parse_mount (const char *spec, jv mounts, lcr_error_t *err);
/* --tmpfs "/dst[:opts]" into Tmpfs {"/dst":"opts"}. */
int dock_parse_tmpfs (const char *spec, jv tmpfs, lcr_error_t *err);
/* --device "/dev/x[:/dev/y][:rwm]" into Devices. */
int dock_parse_device (const char *spec, jv devices, lcr_error_t *err);
/* --ulimit "nofile=1024[:2048]" into Ulimits (replacing an earlier one of the same name). */
int dock_parse_ulimit (const char *spec, jv ulimits, lcr_error_t *err);
/* --add-host "name:ip" (or "name=ip") into ExtraHosts as "name:ip". */
int dock_parse_add_host (const char *spec, jv extra_hosts, lcr_error_t *err);
/* --restart "no|always|unless-stopped|on-failure[:N]" into RestartPolicy. */
int dock_parse_restart (const char *spec, jv host_config, lcr_error_t *err);
/* -e: "K=V", or "K" taken from dock's environment when set there (kept bare otherwise, as
   docker does); an empty name is an error. */
int dock_add_env (jv env, const char *spec, lcr_error_t *err);
/* --env-file / --label-file: KEY=VALUE lines, '#' comments and blank lines skipped; a bare KEY
   in an env file takes dock's environment value (dropped when unset). */
int dock_read_kv_file (const char *path, bool is_env, jv out_arr, lcr_error_t *err);
/* -l / --sysctl / --log-opt "k=v" (bare "k" gives "") into an object. */
int dock_parse_kv (const char *flag, const char *spec, bool need_eq, jv obj, lcr_error_t *err);

#endif
