/* dock — joining another container's PID and IPC namespaces (see share.h). */
#define _GNU_SOURCE
#include "container/share.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "container/record.h"
#include "utils.h"

void
dock_shared_ns_clear (struct dock_shared_ns *ns)
{
  free (ns->pid);
  free (ns->ipc);
  ns->pid = ns->ipc = NULL;
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

int
dock_share_prepare (struct dock_ctx *ctx, jv rec, struct dock_shared_ns *out, lcr_error_t *err)
{
  jv hc = jv_get_obj (rec, "HostConfig");
  const char *pid = jv_get_str (hc, "PidMode"), *ipc = jv_get_str (hc, "IpcMode");
  out->pid = out->ipc = NULL;
  if (pid && strncmp (pid, "container:", 10) == 0 && donor_ns (ctx, pid + 10, "pid", "PID", false, &out->pid, err) < 0)
    return -1;
  if (ipc && strncmp (ipc, "container:", 10) == 0 && donor_ns (ctx, ipc + 10, "ipc", "IPC", true, &out->ipc, err) < 0)
    {
      dock_shared_ns_clear (out);
      return -1;
    }
  return 0;
}
