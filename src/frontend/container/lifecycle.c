/* dock — a container's life (see lifecycle.h for who holds the lock when). */
#define _GNU_SOURCE
#include "container/lifecycle.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "container/record.h"
#include "container/rootfs.h"
#include "container/share.h"
#include "container/shim.h"
#include "container/spec.h"
#include "image/image.h"
#include "network/network.h"
#include "store/store.h"
#include "volume/volume.h"

#define ZERO_TIME "0001-01-01T00:00:00Z"

static void
sleep_ms (long ms)
{
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep (&ts, &ts) < 0 && errno == EINTR)
    ;
}

static long long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static bool
name_taken_cb (void *data, const char *name)
{
  return dock_record_name_taken (data, name);
}

/* /etc/hostname, /etc/hosts and /etc/resolv.conf of the container, in its directory */
static int
write_etc_files (struct dock_ctx *ctx, jv rec, lcr_error_t *err)
{
  const char *id = dock_record_id (rec);
  jv config = jv_get_obj (rec, "Config");
  jv hc = jv_get_obj (rec, "HostConfig");
  const char *mode = jv_get_str (hc, "NetworkMode");
  bool host = mode && strcmp (mode, "host") == 0;
  const char *hostname = jv_get_str (config, "Hostname");
  char hbuf[256] = "";
  if (host)
    {
      gethostname (hbuf, sizeof hbuf - 1);
      hostname = hbuf;
    }
  cleanup_free char *hn_path = dock_path (ctx, "containers/%s/hostname", id);
  cleanup_free char *hosts_path = dock_path (ctx, "containers/%s/hosts", id);
  cleanup_free char *resolv_path = dock_path (ctx, "containers/%s/resolv.conf", id);
  cleanup_free char *hn = NULL;
  xasprintf (&hn, "%s\n", hostname ? hostname : "");
  if (dock_write_atomic_at (AT_FDCWD, hn_path, hn, strlen (hn), err) < 0)
    return -1;

  /* hosts: the host's own for --network host (as docker), else docker's loopback lines plus
     --add-host entries (the network code adds the container's address) */
  cleanup_free char *hosts = NULL;
  size_t hlen = 0;
  if (host)
    {
      cleanup_error lcr_error_t e = NULL;
      if (lcr_read_file ("/etc/hosts", &hosts, &hlen, &e) < 0)
        hosts = xstrdup ("127.0.0.1\tlocalhost\n");
    }
  else
    hosts = xstrdup ("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n"
                     "ff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n");
  jv extra = jv_get_arr (hc, "ExtraHosts");
  for (size_t i = 0; i < jv_len (extra); i++)
    {
      const char *e = jv_as_str (extra->u.array.values[i]);
      const char *sep = e ? strrchr (e, ':') : NULL;
      /* "name:ip"; an IPv6 address has colons of its own: the name is before the first one */
      sep = e ? strchr (e, ':') : NULL;
      if (sep == NULL)
        continue;
      char *line;
      const char *ip = sep + 1;
      if (strcmp (ip, "host-gateway") == 0)
        ip = "127.0.0.1";
      xasprintf (&line, "%s%s\t%.*s\n", hosts, ip, (int)(sep - e), e);
      free (hosts);
      hosts = line;
    }
  if (dock_write_atomic_at (AT_FDCWD, hosts_path, hosts, strlen (hosts), err) < 0)
    return -1;

  /* resolv.conf: the host's, with --dns / --dns-search / --dns-option replacing its parts */
  cleanup_free char *resolv = NULL;
  size_t rlen = 0;
  cleanup_error lcr_error_t e = NULL;
  if (lcr_read_file ("/etc/resolv.conf", &resolv, &rlen, &e) < 0)
    resolv = xstrdup ("");
  jv dns = jv_get_arr (hc, "Dns"), search = jv_get_arr (hc, "DnsSearch"), opts = jv_get_arr (hc, "DnsOptions");
  if (jv_len (dns) || jv_len (search) || jv_len (opts))
    {
      cleanup_free char *out = xstrdup ("");
      /* keep the host's lines of the kinds not overridden */
      char *save = NULL;
      for (char *l = strtok_r (resolv, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
        {
          if ((jv_len (dns) && strncmp (l, "nameserver", 10) == 0)
              || (jv_len (search) && (strncmp (l, "search", 6) == 0 || strncmp (l, "domain", 6) == 0))
              || (jv_len (opts) && strncmp (l, "options", 7) == 0))
            continue;
          char *n;
          xasprintf (&n, "%s%s\n", out, l);
          free (out);
          out = n;
        }
      for (size_t i = 0; i < jv_len (dns); i++)
        {
          char *n;
          xasprintf (&n, "%snameserver %s\n", out, jv_as_str (dns->u.array.values[i]));
          free (out);
          out = n;
        }
      const char *kinds[] = {"search", "options"};
      jv lists[] = {search, opts};
      for (int k = 0; k < 2; k++)
        if (jv_len (lists[k]))
          {
            char *n;
            xasprintf (&n, "%s%s", out, kinds[k]);
            free (out);
            out = n;
            for (size_t i = 0; i < jv_len (lists[k]); i++)
              {
                xasprintf (&n, "%s %s", out, jv_as_str (lists[k]->u.array.values[i]));
                free (out);
                out = n;
              }
            xasprintf (&n, "%s\n", out);
            free (out);
            out = n;
          }
      free (resolv);
      resolv = steal_pointer (&out);
    }
  if (!host)
    {
      /* names of peers come from the shim's DNS server on user networks (berth-shim only) */
      char *r = dock_dns_resolv_conf (resolv, dock_network_has_dns (rec) && dock_shim_is_berth (ctx));
      free (resolv);
      resolv = r;
    }
  if (dock_write_atomic_at (AT_FDCWD, resolv_path, resolv, strlen (resolv), err) < 0)
    return -1;
  jv_set (rec, "HostnamePath", jv_str (hn_path));
  jv_set (rec, "HostsPath", jv_str (hosts_path));
  jv_set (rec, "ResolvConfPath", jv_str (resolv_path));
  return 0;
}

static jv
initial_state (void)
{
  jv st = jv_obj ();
  jv_set (st, "Status", jv_str ("created"));
  jv_set (st, "Running", jv_bool (false));
  jv_set (st, "Paused", jv_bool (false));
  jv_set (st, "Restarting", jv_bool (false));
  jv_set (st, "OOMKilled", jv_bool (false));
  jv_set (st, "Dead", jv_bool (false));
  jv_set (st, "Pid", jv_int (0));
  jv_set (st, "ExitCode", jv_int (0));
  jv_set (st, "Error", jv_str (""));
  jv_set (st, "StartedAt", jv_str (ZERO_TIME));
  jv_set (st, "FinishedAt", jv_str (ZERO_TIME));
  return st;
}

/* docker's NetworkSettings at create: the networks the container joins (the endpoint fields
   are filled at each start), each network checked to exist */
static jv
network_settings (struct dock_ctx *ctx, const char *id, jv hc, jv netcfg, lcr_error_t *err)
{
  jv ns = jv_obj ();
  const char *mode = jv_get_str (hc, "NetworkMode");
  if (mode == NULL || strcmp (mode, "default") == 0)
    mode = "bridge";
  jv_set (ns, "Bridge", jv_str (""));
  jv_set (ns, "SandboxID", jv_str (id));
  jv_set (ns, "HairpinMode", jv_bool (false));
  jv_set (ns, "Ports", jv_obj ());
  cleanup_free char *key = strcmp (mode, "host") == 0 ? xstrdup ("") : dock_runpath (ctx, "netns/%s", id);
  jv_set (ns, "SandboxKey", jv_str (key));
  static const char *const top[]
      = {"EndpointID", "Gateway", "GlobalIPv6Address", "IPAddress", "IPv6Gateway", "MacAddress", NULL};
  for (int i = 0; top[i]; i++)
    jv_set (ns, top[i], jv_str (""));
  jv_set (ns, "GlobalIPv6PrefixLen", jv_int (0));
  jv_set (ns, "IPPrefixLen", jv_int (0));
  jv nets = jv_set (ns, "Networks", jv_obj ());
  if (strncmp (mode, "container:", 10) == 0)
    return ns;
  jv eps = jv_get_obj (netcfg, "EndpointsConfig");
  for (size_t i = 0; i < (jv_len (eps) ? jv_len (eps) : 1); i++)
    {
      const char *name = jv_len (eps) ? eps->u.object.keys[i] : mode;
      jv net = dock_network_get (ctx, name, err);
      if (net == NULL)
        {
          jv_free (ns);
          return NULL;
        }
      /* by its name, also when named by ID */
      jv ep = jv_set (nets, jv_get_str (net, "Name"), jv_len (eps) ? jv_copy (eps->u.object.values[i]) : jv_obj ());
      if (i == 0 && strcmp (jv_get_str (net, "Name"), mode) != 0 && !dock_network_is_builtin (mode))
        jv_set (hc, "NetworkMode", jv_str (jv_get_str (net, "Name")));
      jv_set (ep, "NetworkID", jv_str (jv_get_str (net, "Id")));
      static const char *const empty[]
          = {"EndpointID", "Gateway", "IPAddress", "IPv6Gateway", "GlobalIPv6Address", "MacAddress", NULL};
      for (int k = 0; empty[k]; k++)
        if (strcmp (empty[k], "MacAddress") != 0 || jv_get_str (ep, "MacAddress") == NULL)
          jv_set (ep, empty[k], jv_str (""));
      jv_set (ep, "IPPrefixLen", jv_int (0));
      jv_set (ep, "GlobalIPv6PrefixLen", jv_int (0));
      jv_free (net);
    }
  return ns;
}

int
dock_container_create (struct dock_ctx *ctx, struct dock_create_req *req, char id_out[65], lcr_error_t *err)
{
  cleanup_image struct dock_image *img = NULL;
  if (dock_image_resolve (ctx, req->image, &img, err) < 0)
    {
      if ((*err)->code == LCR_ERR_NOT_FOUND)
        {
          cleanup_free char *n = dock_ref_normalize (req->image, NULL);
          cleanup_free char *f = n ? dock_ref_familiar (n) : NULL;
          return lcr_error_make (err, 0, LCR_ERR_NOT_FOUND,
                                 "Unable to find image '%s' locally: no such image (dock pulls only with `dock pull`)",
                                 f ? f : req->image);
        }
      return -1;
    }
  jv config = req->config;
  if (dock_config_merge_image (config, jv_get_obj (img->config, "config"), err) < 0)
    return -1;
  jv_set (config, "Image", jv_str (req->image));

  if (dock_lock (ctx, err) < 0)
    return -1;
  char id[65];
  dock_random_id (id);
  cleanup_free char *name = NULL;
  if (req->name)
    {
      const char *n = req->name[0] == '/' ? req->name + 1 : req->name;
      if (!dock_valid_name (n))
        {
          dock_unlock (ctx);
          return lcr_error_invalid (err, "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", n);
        }
      char other[65];
      cleanup_error lcr_error_t e = NULL;
      if (dock_record_name_taken (ctx, n) && dock_record_find (ctx, n, other, &e) == 0)
        {
          dock_unlock (ctx);
          return lcr_error_make (err, 0, LCR_ERR_EXISTS,
                                 "Conflict. The container name \"/%s\" is already in use by container \"%s\". You have "
                                 "to remove (or rename) that container to be able to reuse that name.",
                                 n, other);
        }
      name = xstrdup (n);
    }
  else
    name = dock_random_name (name_taken_cb, ctx);

  cleanup_free char *dir = dock_path (ctx, "containers/%s", id);
  if (mkdir (dir, 0700) < 0)
    {
      dock_unlock (ctx);
      return lcr_error_sys (err, "mkdir `%s`", dir);
    }
  cleanup_jv jv rec = jv_obj ();
  cleanup_free char *created = dock_now_rfc3339 ();
  jv_set (rec, "Id", jv_str (id));
  jv_set (rec, "Created", jv_str (created));
  /* Path and Args: what runs, as docker shows it */
  jv ep = jv_get_arr (config, "Entrypoint"), cmd = jv_get_arr (config, "Cmd");
  jv args = jv_arr ();
  for (size_t i = 0; i < jv_len (ep); i++)
    jv_push (args, jv_copy (ep->u.array.values[i]));
  for (size_t i = 0; i < jv_len (cmd); i++)
    jv_push (args, jv_copy (cmd->u.array.values[i]));
  jv_set (rec, "Path", jv_str (jv_len (args) ? jv_as_str (args->u.array.values[0]) : ""));
  if (jv_len (args))
    jv_remove_at (args, 0);
  jv_set (rec, "Args", args);
  jv_set (rec, "State", initial_state ());
  jv_set (rec, "Image", jv_str (img->id));
  cleanup_free char *logp = dock_path (ctx, "containers/%s/ctr.log", id);
  jv_set (rec, "ResolvConfPath", jv_str (""));
  jv_set (rec, "HostnamePath", jv_str (""));
  jv_set (rec, "HostsPath", jv_str (""));
  jv_set (rec, "LogPath", jv_str (logp));
  cleanup_free char *slash_name = NULL;
  xasprintf (&slash_name, "/%s", name);
  jv_set (rec, "Name", jv_str (slash_name));
  jv_set (rec, "RestartCount", jv_int (0));
  jv_set (rec, "Driver", jv_str (ctx->driver && strcmp (ctx->driver, "vfs") == 0 ? "vfs" : "overlay2"));
  jv_set (rec, "Platform", jv_str ("linux"));
  jv_set (rec, "MountLabel", jv_str (""));
  jv_set (rec, "ProcessLabel", jv_str (""));
  jv_set (rec, "AppArmorProfile", jv_str (""));
  jv_set (rec, "ExecIDs", jv_null ());
  jv hc = jv_set (rec, "HostConfig", jv_copy (req->host_config));
  if (jv_get_str (hc, "NetworkMode") == NULL)
    jv_set (hc, "NetworkMode", jv_str ("default"));
  jv_set (rec, "Config", jv_copy (config));
  jv rconfig = jv_get_obj (rec, "Config");
  if (jv_get_str (rconfig, "Hostname") == NULL || *jv_get_str (rconfig, "Hostname") == '\0')
    jv_set (rconfig, "Hostname", jv_strn (id, 12));

  int rc = 0;
  jv gd = dock_rootfs_prepare (ctx, id, img->layer_dirs, err);
  if (gd == NULL)
    rc = -1;
  else
    jv_set (rec, "GraphDriver", gd);
  jv mounts = NULL;
  if (rc == 0)
    {
      mounts = dock_volumes_resolve (ctx, rconfig, hc, err);
      if (mounts == NULL)
        rc = -1;
      else
        jv_set (rec, "Mounts", mounts);
    }
  if (rc == 0)
    {
      jv ns = network_settings (ctx, id, hc, req->networking_config, err);
      if (ns == NULL)
        rc = -1;
      else
        jv_set (rec, "NetworkSettings", ns);
    }
  if (rc == 0)
    rc = write_etc_files (ctx, rec, err);
  jv dock = jv_set (rec, "Dock", jv_obj ());
  jv_set (dock, "Foreground", jv_bool (false));
  if (rc == 0)
    rc = dock_record_save (ctx, rec, err);
  if (rc < 0)
    {
      /* nothing half-made stays: the directory, and the anonymous volumes made for it */
      if (mounts)
        {
          cleanup_error lcr_error_t e = NULL;
          dock_volumes_remove_anonymous (ctx, mounts, id, &e);
        }
      cleanup_error lcr_error_t e = NULL;
      cleanup_free char *cdir = dock_path (ctx, "containers");
      int dfd = open (cdir, O_DIRECTORY | O_CLOEXEC);
      if (dfd >= 0)
        {
          lcr_rm_rf_at (dfd, id, &e);
          close (dfd);
        }
      dock_unlock (ctx);
      return -1;
    }
  dock_unlock (ctx);
  memcpy (id_out, id, 65);
  return 0;
}

static void
set_exited (jv rec, int code, const char *error)
{
  jv st = jv_child_obj (rec, "State");
  cleanup_free char *now = dock_now_rfc3339 ();
  jv_set (st, "Status", jv_str ("exited"));
  jv_set (st, "Running", jv_bool (false));
  jv_set (st, "Paused", jv_bool (false));
  jv_set (st, "Restarting", jv_bool (false));
  jv_set (st, "Pid", jv_int (0));
  jv_set (st, "ExitCode", jv_int (code));
  if (error)
    jv_set (st, "Error", jv_str (error));
  jv_set (st, "FinishedAt", jv_str (now));
}

/* Release what a started container holds: its runtime state, rootfs mount, netns file. */
/* the runtime still has state for this container (its --root entry) */
static bool
runtime_has (struct dock_ctx *ctx, const char *id)
{
  cleanup_free char *p = dock_runpath (ctx, "runtime/%s", id);
  return access (p, F_OK) == 0;
}

static void
release (struct dock_ctx *ctx, jv rec)
{
  const char *id = dock_record_id (rec);
  cleanup_error lcr_error_t e = NULL;
  char *del[] = {(char *)"delete", (char *)"--force", (char *)id, NULL};
  /* one exec saved on every exit: nothing to delete once it is deleted */
  if (runtime_has (ctx, id))
    dock_runtime_run (ctx, del, &e);
  dock_rootfs_umount (ctx, rec);
  dock_volumes_unmount (ctx, jv_get_arr (rec, "Mounts"), id, &e);
  lcr_error_release (&e);
  dock_network_detach_all (ctx, rec);
  dock_share_release (ctx, rec);
  /* its own netns file, also when a crashed start never recorded it (a container:X's path is
     X's and never recorded here) */
  cleanup_free char *own_ns = dock_runpath (ctx, "netns/%s", id);
  dock_netns_remove (own_ns);
  jv_del (jv_get_obj (rec, "Dock"), "NetnsPath");
}

/* The netns a container joins: its own file, another container's (container:X), or none (host). */
static int
prepare_netns (struct dock_ctx *ctx, jv rec, char **path, lcr_error_t *err)
{
  const char *mode = jv_get_str (jv_get_obj (rec, "HostConfig"), "NetworkMode");
  *path = NULL;
  if (mode && strcmp (mode, "host") == 0)
    return 0;
  if (mode && strncmp (mode, "container:", 10) == 0)
    {
      char other[65];
      if (dock_record_find (ctx, mode + 10, other, err) < 0)
        return lcr_error_wrap (err, "--network %s", mode);
      cleanup_jv jv orec = dock_record_load (ctx, other, err);
      if (orec == NULL)
        return -1;
      dock_record_refresh (ctx, orec);
      const char *ons = jv_get_str (jv_get_obj (orec, "Dock"), "NetnsPath");
      if (strcmp (dock_record_status (orec), "running") != 0 || ons == NULL)
        return lcr_error_make (err, 0, LCR_ERR_STATE, "cannot join network of a non running container: %s", mode + 10);
      *path = xstrdup (ons);
      return 0;
    }
  cleanup_free char *p = dock_runpath (ctx, "netns/%s", dock_record_id (rec));
  dock_netns_remove (p);
  if (dock_netns_create (p, err) < 0)
    return -1;
  jv_set (jv_child_obj (rec, "Dock"), "NetnsPath", jv_str (p));
  *path = steal_pointer (&p);
  return 0;
}

/* docker's exit statuses for a process that could not be started */
static int
start_error_code (const char *msg)
{
  if (msg && (strcasestr (msg, "no such file") || strcasestr (msg, "not found")))
    return 127;
  if (msg
      && (strcasestr (msg, "permission denied") || strcasestr (msg, "not executable")
          || strcasestr (msg, "format error")))
    return 126;
  return 125;
}

static int
start_locked (struct dock_ctx *ctx, jv rec, int *attach_fd, lcr_error_t *err)
{
  const char *id = dock_record_id (rec);
  dock_record_refresh (ctx, rec);
  const char *status = dock_record_status (rec);
  if (strcmp (status, "running") == 0)
    return 0;
  if (strcmp (status, "paused") == 0)
    return lcr_error_make (err, 0, LCR_ERR_STATE, "cannot start a paused container, try unpause instead");
  cleanup_free char *bundle = dock_path (ctx, "containers/%s", id);
  cleanup_free char *exitf = dock_runpath (ctx, "exits/%s", id);
  unlink (exitf);
  cleanup_free char *rootfs = NULL;
  cleanup_free char *netns = NULL;
  jv config = jv_get_obj (rec, "Config");
  int rc = dock_rootfs_mount (ctx, rec, &rootfs, err);
  if (rc == 0)
    rc = prepare_netns (ctx, rec, &netns, err);
  /* its own netns (not another container's): plugged into its networks */
  bool own_netns = netns && jv_get_str (jv_get_obj (rec, "Dock"), "NetnsPath");
  if (rc == 0 && own_netns)
    rc = dock_network_attach_all (ctx, rec, netns, err);
  dock_crash_point ("network");
  cleanup_free char *dns_table = NULL;
  struct dock_published published = {0};
  if (rc == 0 && own_netns && !dock_shim_is_berth (ctx)
      && (jv_len (jv_get_obj (jv_get_obj (rec, "HostConfig"), "PortBindings"))
          || jv_get_bool (jv_get_obj (rec, "HostConfig"), "PublishAllPorts", false)))
    rc = lcr_error_make (err, 0, LCR_ERR_INVALID,
                         "published ports are held by berth-shim; the monitor %s cannot hold them", ctx->shim);
  if (rc == 0 && own_netns && dock_shim_is_berth (ctx))
    {
      if (dock_network_has_dns (rec))
        rc = dock_dns_write_container (ctx, rec, &dns_table, err);
      if (rc == 0)
        rc = dock_ports_bind (ctx, rec, &published, err);
      dock_crash_point ("ports");
    }
  cleanup_shared_ns struct dock_shared_ns shared = {0};
  if (rc == 0)
    rc = dock_share_prepare (ctx, rec, &shared, err);
  if (rc == 0)
    rc = dock_volumes_mount (ctx, jv_get_arr (rec, "Mounts"), id, err);
  if (rc == 0)
    rc = dock_volumes_copy_up (ctx, jv_get_arr (rec, "Mounts"), rootfs, err);
  if (rc == 0)
    {
      struct dock_spec_in in = {
          .id = id,
          .config = config,
          .host_config = jv_get_obj (rec, "HostConfig"),
          .rootfs = rootfs,
          .netns = netns,
          .pidns = shared.pid,
          .ipcns = shared.ipc,
          .shm = shared.shm,
          .mounts = jv_get_arr (rec, "Mounts"),
          .hosts = jv_get_str (rec, "HostsPath"),
          .hostname = jv_get_str (rec, "HostnamePath"),
          .resolv_conf = jv_get_str (rec, "ResolvConfPath"),
          .init_path = NULL,
      };
      if (jv_get_bool (in.host_config, "Init", false))
        {
          static const char *const inits[]
              = {"/usr/libexec/podman/catatonit", "/usr/bin/catatonit", "/usr/bin/tini", "/usr/bin/docker-init", NULL};
          for (int i = 0; inits[i] && !in.init_path; i++)
            if (access (inits[i], X_OK) == 0)
              in.init_path = inits[i];
          if (in.init_path == NULL)
            rc = lcr_error_invalid (err, "--init: no init binary found (install catatonit)");
        }
      cleanup_jv jv spec = rc == 0 ? dock_spec_build (&in, err) : NULL;
      if (rc == 0 && spec == NULL)
        rc = -1;
      cleanup_free char *cfg = dock_path (ctx, "containers/%s/config.json", id);
      if (rc == 0)
        rc = jv_save_at (AT_FDCWD, cfg, spec, err);
    }
  pid_t pid = 0;
  if (rc == 0)
    {
      /* a leftover of an earlier run under this ID */
      cleanup_error lcr_error_t e = NULL;
      char *del[] = {(char *)"delete", (char *)"--force", (char *)id, NULL};
      if (runtime_has (ctx, id))
        dock_runtime_run (ctx, del, &e);
      struct dock_shim_args sa = {
          .id = id,
          .name = dock_record_name (rec),
          .bundle = bundle,
          .log_path = jv_get_str (rec, "LogPath"),
          .tty = jv_get_bool (config, "Tty", false),
          .stdin_ = jv_get_bool (config, "OpenStdin", false),
          .healthcheck = jv_get_obj (config, "Healthcheck"),
          .dns_netns = dns_table ? netns : NULL,
          .dns_table = dns_table,
          .published = &published,
      };
      rc = dock_shim_spawn (ctx, &sa, &pid, err);
      dock_crash_point ("shim");
    }
  /* the shim holds the published sockets now */
  dock_published_close (&published);
  int afd = -1;
  if (rc == 0 && attach_fd)
    {
      afd = dock_shim_attach_connect (bundle, err);
      if (afd < 0)
        rc = -1;
    }
  if (rc == 0)
    {
      char *start[] = {(char *)"start", (char *)id, NULL};
      rc = dock_runtime_run (ctx, start, err);
    }
  if (rc < 0)
    {
      if (afd >= 0)
        close (afd);
      const char *msg = (*err)->msg;
      int code = start_error_code (msg);
      release (ctx, rec);
      set_exited (rec, code, msg);
      /* a container that never ran stays "created", as docker leaves it */
      jv st = jv_get_obj (rec, "State");
      if (strcmp (jv_get_str (st, "StartedAt"), ZERO_TIME) == 0)
        jv_set (st, "Status", jv_str ("created"));
      cleanup_error lcr_error_t e = NULL;
      dock_record_save (ctx, rec, &e);
      (*err)->code = code == 125 ? LCR_ERR_SYSTEM : code;
      return -1;
    }
  cleanup_free char *now = dock_now_rfc3339 ();
  jv st = jv_child_obj (rec, "State");
  jv_set (st, "Status", jv_str ("running"));
  jv_set (st, "Running", jv_bool (true));
  jv_set (st, "Paused", jv_bool (false));
  jv_set (st, "Restarting", jv_bool (false));
  jv_set (st, "OOMKilled", jv_bool (false));
  jv_set (st, "Pid", jv_int (pid));
  jv_set (st, "ExitCode", jv_int (0));
  jv_set (st, "Error", jv_str (""));
  jv_set (st, "StartedAt", jv_str (now));
  jv dock = jv_child_obj (rec, "Dock");
  jv_set (dock, "PidStart", jv_int ((long long)lcr_proc_start_time (pid, NULL)));
  jv_set (dock, "ManualStop", jv_bool (false));
  if (dock_record_save (ctx, rec, err) < 0)
    return -1;
  if (attach_fd)
    *attach_fd = afd;
  return 0;
}

int
dock_container_start (struct dock_ctx *ctx, const char *id, int *attach_fd, lcr_error_t *err)
{
  if (dock_lock (ctx, err) < 0)
    return -1;
  cleanup_jv jv rec = dock_record_load (ctx, id, err);
  int rc = rec ? start_locked (ctx, rec, attach_fd, err) : -1;
  dock_unlock (ctx);
  return rc;
}

static bool
is_live (const char *status)
{
  return strcmp (status, "running") == 0 || strcmp (status, "paused") == 0;
}

int
dock_container_kill (struct dock_ctx *ctx, const char *id, const char *signal, lcr_error_t *err)
{
  int sig = dock_signal_number (signal ? signal : "KILL");
  if (sig < 0)
    return lcr_error_invalid (err, "invalid signal: %s", signal);
  cleanup_jv jv rec = dock_record_load (ctx, id, err);
  if (rec == NULL)
    return -1;
  dock_record_refresh (ctx, rec);
  if (!is_live (dock_record_status (rec)))
    return lcr_error_make (err, 0, LCR_ERR_STATE, "Cannot kill container: %s: Container %s is not running", id, id);
  char num[16];
  snprintf (num, sizeof num, "%d", sig);
  char *args[] = {(char *)"kill", (char *)id, num, NULL};
  return dock_runtime_run (ctx, args, err);
}

/* poll until the init is gone (exit file written or process dead) */
static bool
wait_dead (struct dock_ctx *ctx, const char *id, long long timeout_ms)
{
  long long end = now_ms () + timeout_ms;
  long step = 5;
  for (;;)
    {
      cleanup_error lcr_error_t e = NULL;
      cleanup_jv jv rec = dock_record_load (ctx, id, &e);
      if (rec == NULL)
        return true;
      dock_record_refresh (ctx, rec);
      if (!is_live (dock_record_status (rec)))
        return true;
      if (timeout_ms >= 0 && now_ms () >= end)
        return false;
      sleep_ms (step);
      if (step < 50)
        step *= 2;
    }
}

int
dock_container_wait (struct dock_ctx *ctx, const char *id, long long timeout_ms, int *code, lcr_error_t *err)
{
  long long end = now_ms () + timeout_ms;
  long step = 5;
  long long dead_at = -1;
  for (;;)
    {
      cleanup_jv jv rec = dock_record_load (ctx, id, err);
      if (rec == NULL)
        return -1;
      const char *saved = dock_record_status (rec);
      bool settled = !is_live (saved) && strcmp (saved, "restarting") != 0 && strcmp (saved, "created") != 0;
      if (!settled && is_live (saved) && dock_record_refresh (ctx, rec))
        {
          /* dead, cleanup pending: give the exit command a moment, then settle for the exit file */
          if (dead_at < 0)
            dead_at = now_ms ();
          if (now_ms () - dead_at > 5000)
            settled = true;
        }
      if (settled)
        {
          *code = (int)jv_get_int (jv_get_obj (rec, "State"), "ExitCode", 0);
          return 0;
        }
      if (timeout_ms >= 0 && now_ms () >= end)
        return lcr_error_make (err, 0, LCR_ERR_STATE, "timed out waiting for container %s", id);
      sleep_ms (step);
      if (step < 50)
        step *= 2;
    }
}

int
dock_container_stop (struct dock_ctx *ctx, const char *id, long long timeout, lcr_error_t *err)
{
  if (dock_lock (ctx, err) < 0)
    return -1;
  cleanup_jv jv rec = dock_record_load (ctx, id, err);
  if (rec == NULL)
    {
      dock_unlock (ctx);
      return -1;
    }
  bool changed = dock_record_refresh (ctx, rec);
  const char *status = dock_record_status (rec);
  if (!is_live (status))
    {
      /* a restarting container (in its back-off) stops restarting: it is exited now */
      jv_set (jv_child_obj (rec, "Dock"), "ManualStop", jv_bool (true));
      if (strcmp (status, "restarting") == 0)
        {
          jv st = jv_get_obj (rec, "State");
          jv_set (st, "Status", jv_str ("exited"));
          jv_set (st, "Restarting", jv_bool (false));
        }
      int rc = dock_record_save (ctx, rec, err);
      dock_unlock (ctx);
      (void)changed;
      return rc;
    }
  jv_set (jv_child_obj (rec, "Dock"), "ManualStop", jv_bool (true));
  if (dock_record_save (ctx, rec, err) < 0)
    {
      dock_unlock (ctx);
      return -1;
    }
  bool paused = strcmp (status, "paused") == 0;
  dock_unlock (ctx);

  jv config = jv_get_obj (rec, "Config");
  const char *sig = jv_get_str (config, "StopSignal");
  if (timeout < 0)
    timeout = jv_get_int (config, "StopTimeout", 10);
  cleanup_error lcr_error_t e = NULL;
  if (paused)
    {
      char *resume[] = {(char *)"resume", (char *)id, NULL};
      dock_runtime_run (ctx, resume, &e);
    }
  if (dock_container_kill (ctx, id, sig ? sig : "TERM", &e) == 0 && wait_dead (ctx, id, timeout * 1000))
    ;
  else
    {
      lcr_error_release (&e);
      dock_container_kill (ctx, id, "KILL", &e);
      wait_dead (ctx, id, 10000);
    }
  /* return once the exit command has settled the state (or settle it ourselves) */
  int code;
  if (dock_container_wait (ctx, id, 10000, &code, &e) < 0)
    return dock_container_cleanup (ctx, id, err);
  return 0;
}

int
dock_container_pause (struct dock_ctx *ctx, const char *id, bool pause, lcr_error_t *err)
{
  if (dock_lock (ctx, err) < 0)
    return -1;
  cleanup_jv jv rec = dock_record_load (ctx, id, err);
  int rc = rec ? 0 : -1;
  if (rc == 0)
    {
      dock_record_refresh (ctx, rec);
      const char *st = dock_record_status (rec);
      if (pause && strcmp (st, "running") != 0)
        rc = lcr_error_make (
            err, 0, LCR_ERR_STATE,
            strcmp (st, "paused") == 0 ? "Container %s is already paused" : "Container %s is not running", id);
      else if (!pause && strcmp (st, "paused") != 0)
        rc = lcr_error_make (err, 0, LCR_ERR_STATE, "Container %s is not paused", id);
    }
  if (rc == 0)
    {
      char *args[] = {(char *)(pause ? "pause" : "resume"), (char *)id, NULL};
      rc = dock_runtime_run (ctx, args, err);
    }
  if (rc == 0)
    {
      jv st = jv_get_obj (rec, "State");
      jv_set (st, "Status", jv_str (pause ? "paused" : "running"));
      jv_set (st, "Paused", jv_bool (pause));
      rc = dock_record_save (ctx, rec, err);
    }
  dock_unlock (ctx);
  return rc;
}

static void
remove_files (struct dock_ctx *ctx, const char *id)
{
  cleanup_error lcr_error_t e = NULL;
  cleanup_free char *exitf = dock_runpath (ctx, "exits/%s", id);
  unlink (exitf);
  cleanup_free char *shimdir = dock_runpath (ctx, "shim");
  int sfd = open (shimdir, O_DIRECTORY | O_CLOEXEC);
  if (sfd >= 0)
    {
      lcr_rm_rf_at (sfd, id, &e);
      close (sfd);
    }
  cleanup_free char *link = dock_runpath (ctx, "sock/%s", id);
  unlink (link); /* the shim's <socket-dir>/<cuuid> link to the bundle */
  lcr_error_release (&e);
  cleanup_free char *cdir = dock_path (ctx, "containers");
  int dfd = open (cdir, O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0)
    {
      lcr_rm_rf_at (dfd, id, &e);
      close (dfd);
    }
}

static int
remove_locked (struct dock_ctx *ctx, jv rec, bool force, bool volumes, lcr_error_t *err)
{
  const char *id = dock_record_id (rec);
  dock_record_refresh (ctx, rec);
  const char *status = dock_record_status (rec);
  if (is_live (status))
    {
      if (!force)
        return lcr_error_make (err, 0, LCR_ERR_STATE,
                               strcmp (status, "paused") == 0
                                   ? "You cannot remove a paused container %s. Unpause and then stop the container "
                                     "before attempting removal or force remove"
                                   : "You cannot remove a running container %s. Stop the container before "
                                     "attempting removal or force remove",
                               id);
      /* delete --force kills the init and waits for it: no separate kill */
      cleanup_error lcr_error_t e = NULL;
      char *del[] = {(char *)"delete", (char *)"--force", (char *)id, NULL};
      dock_runtime_run (ctx, del, &e);
      /* the shim writes the exit file before it runs the exit command (which waits for our
         lock and then finds nothing): once it is there, the shim is done with our files */
      cleanup_free char *exitf = dock_runpath (ctx, "exits/%s", id);
      long long end = now_ms () + 10000;
      while (access (exitf, F_OK) < 0 && now_ms () < end)
        {
          long long pid = jv_get_int (jv_get_obj (rec, "State"), "Pid", 0);
          unsigned long long start = (unsigned long long)jv_get_int (jv_get_obj (rec, "Dock"), "PidStart", 0);
          if (pid > 0 && !lcr_proc_alive ((pid_t)pid, start) && now_ms () + 9000 < end)
            end = now_ms () + 1000; /* dead: the shim has a moment to write the file */
          sleep_ms (1);
        }
    }
  release (ctx, rec);
  if (volumes)
    {
      cleanup_error lcr_error_t e = NULL;
      dock_volumes_remove_anonymous (ctx, jv_get_arr (rec, "Mounts"), id, &e);
    }
  remove_files (ctx, id);
  return 0;
}

int
dock_container_remove (struct dock_ctx *ctx, const char *id, bool force, bool volumes, lcr_error_t *err)
{
  if (dock_lock (ctx, err) < 0)
    return -1;
  cleanup_jv jv rec = dock_record_load (ctx, id, err);
  int rc = rec ? remove_locked (ctx, rec, force, volumes, err) : -1;
  dock_unlock (ctx);
  return rc;
}

/* docker's restart decision for an exit the user did not ask for */
static bool
should_restart (jv rec, int code)
{
  jv policy = jv_get_obj (jv_get_obj (rec, "HostConfig"), "RestartPolicy");
  const char *name = jv_get_str (policy, "Name");
  if (name == NULL || *name == '\0' || strcmp (name, "no") == 0)
    return false;
  if (jv_get_bool (jv_get_obj (rec, "Dock"), "ManualStop", false))
    return false;
  if (strcmp (name, "always") == 0 || strcmp (name, "unless-stopped") == 0)
    return true;
  if (strcmp (name, "on-failure") == 0)
    {
      long long max = jv_get_int (policy, "MaximumRetryCount", 0);
      return code != 0 && (max <= 0 || jv_get_int (rec, "RestartCount", 0) < max);
    }
  return false;
}

int
dock_container_cleanup (struct dock_ctx *ctx, const char *id, lcr_error_t *err)
{
  if (dock_lock (ctx, err) < 0)
    return -1;
  cleanup_error lcr_error_t e = NULL;
  cleanup_jv jv rec = dock_record_load (ctx, id, &e);
  if (rec == NULL)
    {
      /* removed meanwhile (rm -f): nothing is ours to settle */
      dock_unlock (ctx);
      return 0;
    }
  dock_record_refresh (ctx, rec);
  if (is_live (dock_record_status (rec)))
    {
      /* the init still lives: this is not an exit to settle (a stale or early call) */
      dock_unlock (ctx);
      return 0;
    }
  int code = (int)jv_get_int (jv_get_obj (rec, "State"), "ExitCode", 0);
  cleanup_free char *oom = dock_runpath (ctx, "shim/%s/oom", id);
  if (access (oom, F_OK) == 0)
    jv_set (jv_get_obj (rec, "State"), "OOMKilled", jv_bool (true));
  release (ctx, rec);
  jv hc = jv_get_obj (rec, "HostConfig");
  bool foreground = jv_get_bool (jv_get_obj (rec, "Dock"), "Foreground", false);
  if (jv_get_bool (hc, "AutoRemove", false))
    {
      cleanup_free char *exitf = dock_runpath (ctx, "exits/%s", id);
      cleanup_free char *keep = NULL;
      /* a foreground `run --rm` still has to read the status: it removes the exit file */
      if (foreground)
        {
          xasprintf (&keep, "%s.rm", exitf);
          rename (exitf, keep);
        }
      int rc = remove_locked (ctx, rec, true, true, err);
      if (keep)
        rename (keep, exitf);
      dock_unlock (ctx);
      return rc;
    }
  bool restart = should_restart (rec, code);
  if (restart)
    {
      jv_set (rec, "RestartCount", jv_int (jv_get_int (rec, "RestartCount", 0) + 1));
      jv st = jv_get_obj (rec, "State");
      jv_set (st, "Status", jv_str ("restarting"));
      jv_set (st, "Restarting", jv_bool (true));
    }
  int rc = dock_record_save (ctx, rec, err);
  dock_unlock (ctx);
  if (rc < 0 || !restart)
    return rc;
  /* docker's back-off: 100 ms doubling per consecutive restart, at most a minute */
  long long count = jv_get_int (rec, "RestartCount", 1);
  long delay = 100;
  for (long long i = 1; i < count && delay < 60000; i++)
    delay *= 2;
  sleep_ms (delay > 60000 ? 60000 : delay);
  if (dock_lock (ctx, err) < 0)
    return -1;
  cleanup_jv jv again = dock_record_load (ctx, id, &e);
  rc = 0;
  /* removed or stopped by hand during the back-off: do not start it again */
  if (again && strcmp (dock_record_status (again), "restarting") == 0
      && !jv_get_bool (jv_get_obj (again, "Dock"), "ManualStop", false))
    rc = start_locked (ctx, again, NULL, err);
  dock_unlock (ctx);
  return rc;
}
