/* dock — `create` / `run` flags → docker's create request, and the image's config merged in.
 *
 * As docker's CLI does, the flags become the API's create body: a Config and a HostConfig in
 * the shapes `docker inspect` shows (Config.Env, Config.Cmd, HostConfig.Binds,
 * HostConfig.RestartPolicy, …).  dock stores them in the container's record as they are, so
 * `inspect` and `--format` read them unchanged, and compose can produce the same shapes
 * without going through flags.  The daemon's part, merging the image's config, is
 * dock_config_merge_image.
 */
#ifndef DOCK_CREATE_H
#define DOCK_CREATE_H

#include <stdbool.h>

#include "dock.h"

struct dock_create_req
{
  jv config;            /* docker API Config (Image, Cmd, Entrypoint, Env, Tty, OpenStdin, …) */
  jv host_config;       /* docker API HostConfig (Binds, Mounts, Tmpfs, NetworkMode, RestartPolicy,
                           AutoRemove, CapAdd, Privileged, Memory, NanoCpus, PortBindings, …) */
  jv networking_config; /* docker API NetworkingConfig: {"EndpointsConfig":{NET:{"Aliases",
                           "IPAMConfig":{"IPv4Address","IPv6Address"},"MacAddress"}}}; one entry per
                           --network (--ip, --ip6, --network-alias, --mac-address go to the first) */
  char *name;           /* --name, or NULL */
  char *image;          /* the IMAGE argument */
  char *pull;           /* --pull: "missing" (default), "never" or "always" */
  /* run only */
  bool detach;       /* -d */
  bool sig_proxy;    /* --sig-proxy (default true) */
  char *detach_keys; /* --detach-keys, or NULL (ctrl-p,ctrl-q) */
  char *cidfile;     /* --cidfile, or NULL */
};

/* Parse argv (argv[0] is "create" or "run") into *req.  Returns 0, 1 when --help was printed,
   -1 with *err naming the flag and the value at fault.  *req needs dock_create_req_release only
   after 0 (releasing it again is harmless: it is left zeroed). */
int dock_create_parse (int argc, char **argv, bool is_run, struct dock_create_req *req, lcr_error_t *err);
void dock_create_req_release (struct dock_create_req *req);

/* Merge an image's config (the image config's "config" object: Env, Cmd, Entrypoint, WorkingDir,
   User, ExposedPorts, Volumes, Labels, StopSignal, Healthcheck) into `config` as docker's
   daemon does: Env by key (the command line wins), Cmd from the image only when neither Cmd nor
   Entrypoint was given (an --entrypoint resets the image's Cmd), and the rest where unset.
   Fails (LCR_ERR_INVALID, "no command specified") when no command results. */
int dock_config_merge_image (jv config, jv image_config, lcr_error_t *err);
/* Config.Env's K=V: replaces K's entry, or appends one (commit --change ENV, build's ENV) */
void dock_config_env_set (jv config, const char *k, const char *v);

/* Resource flags shared by `create`/`run` and `update` (--memory, --memory-swap, --cpus,
   --cpu-shares, --cpu-period, --cpu-quota, --cpuset-cpus, --cpuset-mems, --pids-limit,
   --blkio-weight): written into `host_config` in HostConfig's fields. */

/* `dock update [OPTIONS] CONTAINER...`: argv[0] is "update".  *host_config gets a new object
   holding only the fields the flags set (Memory, MemorySwap, MemoryReservation, NanoCpus,
   CpuShares, CpuPeriod, CpuQuota, CpusetCpus, CpusetMems, PidsLimit, BlkioWeight,
   RestartPolicy), to be laid over the container's HostConfig; the containers are
   argv[*first .. argc-1].  Returns 0, 1 when --help was printed, -1 with *err. */
int dock_update_parse (int argc, char **argv, jv *host_config, int *first, lcr_error_t *err);

/* Lay `update` (from dock_update_parse) over a stored HostConfig, as docker's daemon does: each
   field replaces the old one; a new Memory larger than the old MemorySwap (and no new swap)
   is refused as docker refuses it. */
int dock_host_config_update (jv host_config, jv update, lcr_error_t *err);

#endif
