/* dock — a container's config.json from its record (docker's defaults applied).
 *
 * Inputs are the merged Config and HostConfig (container/create.h) and what the lifecycle has
 * prepared: the mounted rootfs, the network namespace file, the resolved volume and bind mounts,
 * the per-container /etc/hosts, /etc/hostname and /etc/resolv.conf.  The output is a
 * runtime-spec config.json as a jv, with docker's defaults: its capability set, masked and
 * read-only paths, default seccomp profile, devices, /dev/shm, cgroupsPath, rlimits, and the
 * users and groups named in Config.User resolved in the image's /etc/passwd and /etc/group.
 */
#ifndef DOCK_SPEC_H
#define DOCK_SPEC_H

#include "dock.h"

struct dock_spec_in
{
  const char *id;                             /* the container's 64-hex ID */
  jv config;                                  /* merged Config */
  jv host_config;                             /* HostConfig */
  const char *rootfs;                         /* absolute path of the mounted rootfs */
  const char *netns;                          /* network namespace to join (a file); NULL: the host's network */
  const char *pidns, *ipcns;                  /* PID / IPC namespace files to join for PidMode / IpcMode
                                                 container:X (container/share.h), else NULL */
  const char *shm;                            /* a host directory bound at /dev/shm (shareable IPC), or NULL */
  jv mounts;                                  /* bind and volume mounts, resolved: docker's "Mounts" shape
                                                 [{"Type":"bind"|"volume","Source","Destination","RW","Propagation"}];
                                                 tmpfs comes from HostConfig.Tmpfs / HostConfig.Mounts directly */
  const char *hosts, *hostname, *resolv_conf; /* files bound at /etc/hosts, … (NULL: none) */
  const char *init_path;                      /* host binary bound as /sbin/docker-init for --init (NULL: none) */
};

jv dock_spec_build (const struct dock_spec_in *in, lcr_error_t *err);

/* Resolve docker's `--user` forms ("", "name", "uid", "uid:gid", "name:group", …) in the image's
   /etc/passwd and /etc/group, read inside `rootfs` (symlinks cannot leave it), plus group_add
   (names or gids; may be NULL).  *user gets the runtime-spec process.user object
   ({"uid","gid","additionalGids"}), *home the user's home directory ("/" when unknown).
   An unknown name fails as docker's "unable to find user NAME: no matching entries in passwd
   file".  For `exec -u` too. */
int dock_spec_user (const char *rootfs, const char *user, jv group_add, jv *user_out, char **home, lcr_error_t *err);

#endif
