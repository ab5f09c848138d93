/* dock — joining another container's PID and IPC namespaces (see share.h). */
#define _GNU_SOURCE
#include "container/share.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/record.h"
#include "store/store.h"
#include "utils.h"

void
dock_shared_ns_clear (struct dock_shared_ns *ns)
{
  free (ns->pid);
  free (ns->ipc);
  free (ns->shm);
  ns->pid = ns->ipc = ns->shm = NULL;
}

/* /proc/PID/ns/<kind> of the running container `ref` names */
static int
donor_ns (struct dock_ctx *ctx, const char *ref, const char *kind, const char *what, bool want_shareable, char **out,
          lcr_error_t *err)
{
  char id[65];
  if (dock_record_find (ctx, ref, id, err) < 0)
    return -1;
  cleanup_jv jv rec = dock_record_load (ctx, id, err);
  if (rec == NULL)
    return -1;
  /* refresh: a record can say "running" for a container whose init died a moment ago */
  dock_record_refresh (ctx, rec);
  long long pid = jv_get_int (jv_get_obj (rec, "State"), "Pid", 0);
  const char *status = dock_record_status (rec);
  if ((strcmp (status, "running") != 0 && strcmp (status, "paused") != 0) || pid <= 0)
    return lcr_error_make (err, 0, LCR_ERR_STATE, "cannot join %s of a non running container: %s", what, ref);
  if (want_shareable)
    {
      const char *mode = jv_get_str (jv_get_obj (rec, "HostConfig"), "IpcMode");
      if (mode == NULL || (strcmp (mode, "shareable") != 0 && strcmp (mode, "host") != 0))
        return lcr_error_invalid (
            err, "container %s: non-shareable IPC (hint: use IpcMode:shareable for the donor container)", ref);
    }
  char *p;
  xasprintf (&p, "/proc/%lld/ns/%s", pid, kind);
  if (access (p, F_OK) < 0)
    {
      free (p);
      return lcr_error_make (err, 0, LCR_ERR_STATE, "cannot join %s of a non running container: %s", what, ref);
    }
  *out = p;
  return 0;
}

/* a shareable container's /dev/shm: a tmpfs on the host, mounted when it starts */
static int
own_shm (struct dock_ctx *ctx, jv rec, char **out, lcr_error_t *err)
{
  char *p = dock_path (ctx, "containers/%s/shm", dock_record_id (rec));
  if (mkdir (p, 0700) < 0 && errno != EEXIST)
    {
      lcr_error_sys (err, "mkdir `%s`", p);
      free (p);
      return -1;
    }
  long long size = jv_get_int (jv_get_obj (rec, "HostConfig"), "ShmSize", 0);
  char opts[64];
  snprintf (opts, sizeof opts, "mode=1777,size=%lld", size > 0 ? size : 64LL * 1024 * 1024);
  umount2 (p, MNT_DETACH); /* a leftover of a crash */
  if (mount ("shm", p, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0)
    {
      int e = errno;
      free (p);
      errno = e;
      return lcr_error_sys (err, "mount the shareable /dev/shm");
    }
  *out = p;
  return 0;
}

void
dock_share_release (struct dock_ctx *ctx, jv rec)
{
  const char *ipc = jv_get_str (jv_get_obj (rec, "HostConfig"), "IpcMode");
  if (ipc == NULL || strcmp (ipc, "shareable") != 0)
    return;
  cleanup_free char *p = dock_path (ctx, "containers/%s/shm", dock_record_id (rec));
  umount2 (p, MNT_DETACH);
}

int
dock_share_prepare (struct dock_ctx *ctx, jv rec, struct dock_shared_ns *out, lcr_error_t *err)
{
  jv hc = jv_get_obj (rec, "HostConfig");
  const char *pid = jv_get_str (hc, "PidMode"), *ipc = jv_get_str (hc, "IpcMode");
  out->pid = out->ipc = out->shm = NULL;
  if (ipc && strcmp (ipc, "shareable") == 0 && own_shm (ctx, rec, &out->shm, err) < 0)
    return -1;
  if (pid && strncmp (pid, "container:", 10) == 0 && donor_ns (ctx, pid + 10, "pid", "PID", false, &out->pid, err) < 0)
    return -1;
  if (ipc && strncmp (ipc, "container:", 10) == 0)
    {
      char id[65];
      if (donor_ns (ctx, ipc + 10, "ipc", "IPC", true, &out->ipc, err) < 0
          || dock_record_find (ctx, ipc + 10, id, err) < 0)
        {
          dock_shared_ns_clear (out);
          return -1;
        }
      /* the donor's /dev/shm (a host-IPC donor has the host's) */
      cleanup_jv jv donor = dock_record_load (ctx, id, err);
      const char *mode = donor ? jv_get_str (jv_get_obj (donor, "HostConfig"), "IpcMode") : NULL;
      if (mode && strcmp (mode, "shareable") == 0)
        out->shm = dock_path (ctx, "containers/%s/shm", id);
      else if (mode && strcmp (mode, "host") == 0)
        out->shm = xstrdup ("/dev/shm");
    }
  return 0;
}
