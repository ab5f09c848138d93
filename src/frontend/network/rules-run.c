/* dock — rebuilding the packet filter rules from the network records (see rules.h).
 *
 * libnftables is linked into dock-archive only (as libarchive is, cli/heavy.c says why): the
 * rules change with networks, never with containers, so the `dock` people run hands the job to
 * `dock-archive` the few times a bridge is made or removed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "network/network-internal.h"
#include "network/rules.h"

#ifdef DOCK_LIGHT
int
dock_network_rules_refresh (struct dock_ctx *ctx, lcr_error_t *err)
{
  char path[4096];
  const char *slash = strrchr (ctx->self, '/');
  snprintf (path, sizeof path, "%.*sdock-archive", slash ? (int)(slash - ctx->self + 1) : 0, ctx->self);
  const char *argv[] = {path, "--root", ctx->root, "--runroot", ctx->runroot, "network", "refresh-rules", NULL};
  pid_t pid = fork ();
  if (pid < 0)
    return lcr_error_sys (err, "fork");
  if (pid == 0)
    {
      execv (path, (char **)argv);
      dprintf (2, "dock: run %s: %s\n", path, strerror (errno));
      _exit (125);
    }
  int st;
  while (waitpid (pid, &st, 0) < 0)
    if (errno != EINTR)
      return lcr_error_sys (err, "wait for %s", path);
  if (!WIFEXITED (st) || WEXITSTATUS (st) != 0)
    return lcr_error_make (err, 0, LCR_ERR_SYSTEM,
                           "could not apply dock's packet filter rules (%s network "
                           "refresh-rules failed)",
                           path);
  return 0;
}
#else
int
dock_network_rules_refresh (struct dock_ctx *ctx, lcr_error_t *err)
{
  cleanup_jv jv all = dock_network_list (ctx, err);
  if (all == NULL)
    return -1;
  struct dock_rule_net *v = xmalloc0 ((jv_len (all) + 1) * sizeof *v);
  size_t n = 0;
  for (size_t i = 0; i < jv_len (all); i++)
    {
      jv net = all->u.array.values[i];
      const char *br = jv_get_str (jv_get_obj (net, "Dock"), "Bridge");
      jv cfg = jv_get_arr (jv_get_obj (net, "IPAM"), "Config");
      if (br == NULL || jv_len (cfg) == 0)
        continue;
      v[n].bridge = br;
      v[n].subnet = jv_get_str (cfg->u.array.values[0], "Subnet");
      v[n].internal = jv_get_bool (net, "Internal", false);
      n++;
    }
  int rc = dock_rules_apply (v, n, err);
  free (v);
  return rc;
}
#endif
