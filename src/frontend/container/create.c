/* dock — `create` / `run` flags into docker's create request (see create.h).
 *
 * The flag table below collects raw strings; build_request() then turns them into Config,
 * HostConfig and NetworkingConfig in the API's field names and types, in the order docker's CLI
 * checks them, so the first error reported is the one docker would report.  Checks that
 * docker leaves to its daemon (memory minimums, --restart with --rm, …) are made here too:
 * dock has no daemon, and a bad request must not reach the store.
 */
#define _GNU_SOURCE
#include "container/create-internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cli/args.h"
#include "container/create-resources.h"

struct create_flags
{
  bool interactive, tty, detach, rm, init, read_only, privileged, publish_all, no_healthcheck, oom_kill_disable;
  bool sig_proxy;
  const char *name, *workdir, *user, *entrypoint, *hostname, *domainname, *stop_signal, *stop_timeout;
  const char *shm_size, *oom_score_adj, *health_cmd, *health_interval, *health_retries, *health_timeout;
  const char *health_start_period, *health_start_interval, *ipc, *pid, *uts, *userns, *cidfile, *detach_keys;
  const char *log_driver, *platform, *pull, *mac_address, *ip, *ip6, *cgroup_parent, *cgroupns;
  struct dock_resource_flags res;
  struct dock_strlist env, env_file, volume, mount, tmpfs, add_host, network, label, label_file, cap_add, cap_drop;
  struct dock_strlist security_opt, device, ulimit, sysctl, publish, expose, dns, dns_search, dns_option;
  struct dock_strlist group_add, log_opt, attach, network_alias, volumes_from;
};

static void
flags_free (struct create_flags *f)
{
  struct dock_strlist *lists[] = {
      &f->env,     &f->env_file,   &f->volume,        &f->mount,        &f->tmpfs,        &f->add_host,   &f->network,
      &f->label,   &f->label_file, &f->cap_add,       &f->cap_drop,     &f->security_opt, &f->device,     &f->ulimit,
      &f->sysctl,  &f->publish,    &f->expose,        &f->dns,          &f->dns_search,   &f->dns_option, &f->group_add,
      &f->log_opt, &f->attach,     &f->network_alias, &f->volumes_from,
  };
  for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
    dock_strlist_free (lists[i]);
}

#define B(n, s, d, h)                                                                                                  \
  {                                                                                                                    \
    n, s, DOCK_OPT_BOOL, d, h, NULL                                                                                    \
  }
#define S(n, s, d, h, a)                                                                                               \
  {                                                                                                                    \
    n, s, DOCK_OPT_STR, d, h, a                                                                                        \
  }
#define L(n, s, d, h, a)                                                                                               \
  {                                                                                                                    \
    n, s, DOCK_OPT_LIST, d, h, a                                                                                       \
  }

/* Table order is --help's order.  Flags marked NULL help are accepted but not listed. */
static void
make_table (struct create_flags *f, bool is_run, struct dock_opt *t, size_t cap)
{
  struct dock_opt all[] = {
      L ("add-host", 0, &f->add_host, "Add a custom host-to-IP mapping (host:ip)", "list"),
      L ("attach", 'a', &f->attach, "Attach to STDIN, STDOUT or STDERR", "list"),
      S ("blkio-weight", 0, &f->res.blkio_weight, "Block IO (relative weight), between 10 and 1000", "uint16"),
      L ("cap-add", 0, &f->cap_add, "Add Linux capabilities", "list"),
      L ("cap-drop", 0, &f->cap_drop, "Drop Linux capabilities", "list"),
      S ("cgroup-parent", 0, &f->cgroup_parent, "Optional parent cgroup for the container", "string"),
      S ("cgroupns", 0, &f->cgroupns, "Cgroup namespace to use (host|private)", "string"),
      S ("cidfile", 0, &f->cidfile, "Write the container ID to the file", "string"),
      S ("cpu-period", 0, &f->res.cpu_period, "Limit CPU CFS (Completely Fair Scheduler) period", "int"),
      S ("cpu-quota", 0, &f->res.cpu_quota, "Limit CPU CFS (Completely Fair Scheduler) quota", "int"),
      S ("cpu-shares", 'c', &f->res.cpu_shares, "CPU shares (relative weight)", "int"),
      S ("cpus", 0, &f->res.cpus, "Number of CPUs", "decimal"),
      S ("cpuset-cpus", 0, &f->res.cpuset_cpus, "CPUs in which to allow execution (0-3, 0,1)", "string"),
      S ("cpuset-mems", 0, &f->res.cpuset_mems, "MEMs in which to allow execution (0-3, 0,1)", "string"),
      B ("detach", 'd', &f->detach, "Run container in background and print container ID"),
      S ("detach-keys", 0, &f->detach_keys, "Override the key sequence for detaching a container", "string"),
      L ("device", 0, &f->device, "Add a host device to the container", "list"),
      L ("dns", 0, &f->dns, "Set custom DNS servers", "list"),
      L ("dns-option", 0, &f->dns_option, "Set DNS options", "list"),
      L ("dns-opt", 0, &f->dns_option, NULL, "list"),
      L ("dns-search", 0, &f->dns_search, "Set custom DNS search domains", "list"),
      S ("domainname", 0, &f->domainname, "Container NIS domain name", "string"),
      S ("entrypoint", 0, &f->entrypoint, "Overwrite the default ENTRYPOINT of the image", "string"),
      L ("env", 'e', &f->env, "Set environment variables", "list"),
      L ("env-file", 0, &f->env_file, "Read in a file of environment variables", "list"),
      L ("expose", 0, &f->expose, "Expose a port or a range of ports", "list"),
      L ("group-add", 0, &f->group_add, "Add additional groups to join", "list"),
      S ("health-cmd", 0, &f->health_cmd, "Command to run to check health", "string"),
      S ("health-interval", 0, &f->health_interval, "Time between running the check (ms|s|m|h) (default 0s)",
         "duration"),
      S ("health-retries", 0, &f->health_retries, "Consecutive failures needed to report unhealthy", "int"),
      S ("health-start-interval", 0, &f->health_start_interval,
         "Time between running the check during the start period (ms|s|m|h) (default 0s)", "duration"),
      S ("health-start-period", 0, &f->health_start_period,
         "Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) "
         "(default 0s)",
         "duration"),
      S ("health-timeout", 0, &f->health_timeout, "Maximum time to allow one check to run (ms|s|m|h) (default 0s)",
         "duration"),
      S ("hostname", 'h', &f->hostname, "Container host name", "string"),
      B ("init", 0, &f->init, "Run an init inside the container that forwards signals and reaps processes"),
      B ("interactive", 'i', &f->interactive, "Keep STDIN open even if not attached"),
      S ("ip", 0, &f->ip, "IPv4 address (e.g., 172.30.100.104)", "string"),
      S ("ip6", 0, &f->ip6, "IPv6 address (e.g., 2001:db8::33)", "string"),
      S ("ipc", 0, &f->ipc, "IPC mode to use", "string"),
      L ("label", 'l', &f->label, "Set meta data on a container", "list"),
      L ("label-file", 0, &f->label_file, "Read in a line delimited file of labels", "list"),
      S ("log-driver", 0, &f->log_driver, "Logging driver for the container", "string"),
      L ("log-opt", 0, &f->log_opt, "Log driver options", "list"),
      S ("mac-address", 0, &f->mac_address, "Container MAC address (e.g., 92:d0:c6:0a:29:33)", "string"),
      S ("memory", 'm', &f->res.memory, "Memory limit", "bytes"),
      S ("memory-reservation", 0, &f->res.memory_reservation, "Memory soft limit", "bytes"),
      S ("memory-swap", 0, &f->res.memory_swap, "Swap limit equal to memory plus swap: '-1' to enable unlimited swap",
         "bytes"),
      L ("mount", 0, &f->mount, "Attach a filesystem mount to the container", "mount"),
      S ("name", 0, &f->name, "Assign a name to the container", "string"),
      L ("network", 0, &f->network, "Connect a container to a network", "network"),
      L ("net", 0, &f->network, NULL, "network"),
      L ("network-alias", 0, &f->network_alias, "Add network-scoped alias for the container", "list"),
      L ("net-alias", 0, &f->network_alias, NULL, "list"),
      B ("no-healthcheck", 0, &f->no_healthcheck, "Disable any container-specified HEALTHCHECK"),
      B ("oom-kill-disable", 0, &f->oom_kill_disable, "Disable OOM Killer"),
      S ("oom-score-adj", 0, &f->oom_score_adj, "Tune host's OOM preferences (-1000 to 1000)", "int"),
      S ("pid", 0, &f->pid, "PID namespace to use", "string"),
      S ("pids-limit", 0, &f->res.pids_limit, "Tune container pids limit (set -1 for unlimited)", "int"),
      S ("platform", 0, &f->platform, "Set platform if server is multi-platform capable", "string"),
      B ("privileged", 0, &f->privileged, "Give extended privileges to this container"),
      L ("publish", 'p', &f->publish, "Publish a container's port(s) to the host", "list"),
      B ("publish-all", 'P', &f->publish_all, "Publish all exposed ports to random ports"),
      S ("pull", 0, &f->pull, "Pull image before running (\"always\", \"missing\", \"never\")", "string"),
      B ("read-only", 0, &f->read_only, "Mount the container's root filesystem as read only"),
      S ("restart", 0, &f->res.restart, "Restart policy to apply when a container exits (default \"no\")", "string"),
      B ("rm", 0, &f->rm, "Automatically remove the container and its associated anonymous volumes when it exits"),
      L ("security-opt", 0, &f->security_opt, "Security Options", "list"),
      S ("shm-size", 0, &f->shm_size, "Size of /dev/shm", "bytes"),
      B ("sig-proxy", 0, &f->sig_proxy, "Proxy received signals to the process (default true)"),
      S ("stop-signal", 0, &f->stop_signal, "Signal to stop the container", "string"),
      S ("stop-timeout", 0, &f->stop_timeout, "Timeout (in seconds) to stop a container", "int"),
      L ("sysctl", 0, &f->sysctl, "Sysctl options", "map"),
      L ("tmpfs", 0, &f->tmpfs, "Mount a tmpfs directory", "list"),
      B ("tty", 't', &f->tty, "Allocate a pseudo-TTY"),
      L ("ulimit", 0, &f->ulimit, "Ulimit options", "ulimit"),
      S ("user", 'u', &f->user, "Username or UID (format: <name|uid>[:<group|gid>])", "string"),
      S ("userns", 0, &f->userns, "User namespace to use", "string"),
      S ("uts", 0, &f->uts, "UTS namespace to use", "string"),
      L ("volume", 'v', &f->volume, "Bind mount a volume", "list"),
      L ("volumes-from", 0, &f->volumes_from, "Mount volumes from the specified container(s)", "list"),
      S ("workdir", 'w', &f->workdir, "Working directory inside the container", "string"),
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  size_t n = 0;
  for (size_t i = 0; i < sizeof all / sizeof all[0] && n + 1 < cap; i++)
    {
      const char *nm = all[i].name;
      /* run-only flags */
      if (!is_run && nm
          && (strcmp (nm, "detach") == 0 || strcmp (nm, "sig-proxy") == 0 || strcmp (nm, "detach-keys") == 0))
        continue;
      t[n++] = all[i];
    }
  t[n] = (struct dock_opt){0};
}

/* ---- building the request -------------------------------------------------------------- */

static jv
strlist_arr (const struct dock_strlist *l)
{
  jv a = jv_arr ();
  for (size_t i = 0; i < l->n; i++)
    jv_push (a, jv_str (l->v[i]));
  return a;
}

static bool
is_ip (const char *s, int family)
{
  unsigned char buf[16];
  if (family)
    return inet_pton (family, s, buf) == 1;
  return inet_pton (AF_INET, s, buf) == 1 || inet_pton (AF_INET6, s, buf) == 1;
}

static bool
is_mac (const char *s)
{
  /* six pairs of hex digits separated by ':' (or '-') */
  for (int i = 0; i < 6; i++)
    {
      if (!isxdigit ((unsigned char)s[0]) || !isxdigit ((unsigned char)s[1]))
        return false;
      s += 2;
      if (i < 5 && *s != ':' && *s != '-')
        return false;
      if (i < 5)
        s++;
    }
  return *s == '\0';
}

static int
set_attach (const struct create_flags *f, bool is_run, jv config, lcr_error_t *err)
{
  bool in = false, out = false, er = false;
  for (size_t i = 0; i < f->attach.n; i++)
    {
      const char *s = f->attach.v[i];
      if (strcasecmp (s, "stdin") == 0)
        in = true;
      else if (strcasecmp (s, "stdout") == 0)
        out = true;
      else if (strcasecmp (s, "stderr") == 0)
        er = true;
      else
        return dock_flag_error (err, "-a, --attach", s, "valid streams are STDIN, STDOUT and STDERR");
    }
  if (is_run && f->detach)
    {
      if (f->attach.n)
        return lcr_error_invalid (err, "conflicting options: cannot specify both --attach and --detach");
      in = out = er = false;
    }
  else if (f->attach.n == 0)
    {
      out = er = true;
      in = f->interactive;
    }
  jv_set (config, "AttachStdin", jv_bool (in));
  jv_set (config, "AttachStdout", jv_bool (out));
  jv_set (config, "AttachStderr", jv_bool (er));
  jv_set (config, "Tty", jv_bool (f->tty));
  jv_set (config, "OpenStdin", jv_bool (f->interactive));
  /* docker closes the container's stdin when the attached client's ends */
  jv_set (config, "StdinOnce", jv_bool (f->interactive && in));
  return 0;
}

static int
set_health (const struct create_flags *f, jv config, lcr_error_t *err)
{
  bool any = f->health_cmd || f->health_interval || f->health_timeout || f->health_start_period || f->health_retries
             || f->health_start_interval;
  if (f->no_healthcheck)
    {
      if (any)
        return lcr_error_invalid (err, "--no-healthcheck conflicts with --health-* options");
      jv h = jv_set (config, "Healthcheck", jv_obj ());
      jv_push (jv_child_arr (h, "Test"), jv_str ("NONE"));
      return 0;
    }
  if (!any)
    return 0;
  jv h = jv_set (config, "Healthcheck", jv_obj ());
  if (f->health_cmd)
    {
      jv t = jv_child_arr (h, "Test");
      jv_push (t, jv_str ("CMD-SHELL"));
      jv_push (t, jv_str (f->health_cmd));
    }
  const struct
  {
    const char *v, *flag, *key;
  } d[] = {
      {f->health_interval, "--health-interval", "Interval"},
      {f->health_timeout, "--health-timeout", "Timeout"},
      {f->health_start_period, "--health-start-period", "StartPeriod"},
      {f->health_start_interval, "--health-start-interval", "StartInterval"},
  };
  for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
    {
      long long ns = 0;
      if (d[i].v)
        {
          if (d[i].v[0] == '-')
            return lcr_error_invalid (err, "%s cannot be negative", d[i].flag);
          ns = dock_parse_duration (d[i].v);
          if (ns < 0)
            return dock_flag_error (err, d[i].flag, d[i].v, "time: invalid duration \"%s\"", d[i].v);
        }
      jv_set (h, d[i].key, jv_int (ns));
    }
  long long retries = 0;
  if (f->health_retries && dock_flag_int ("--health-retries", f->health_retries, &retries, err) < 0)
    return -1;
  if (retries < 0)
    return lcr_error_invalid (err, "--health-retries cannot be negative");
  jv_set (h, "Retries", jv_int (retries));
  return 0;
}

static int
check_mode (const char *flag, const char *v, const char *const *ok, bool container_ok, lcr_error_t *err)
{
  for (; *ok; ok++)
    if (strcmp (v, *ok) == 0)
      return 0;
  if (container_ok && strncmp (v, "container:", 10) == 0 && v[10])
    return 0;
  return lcr_error_invalid (err, "%s: invalid %s mode", flag,
                            strcmp (flag, "--ipc") == 0   ? "IPC"
                            : strcmp (flag, "--pid") == 0 ? "PID"
                            : strcmp (flag, "--uts") == 0 ? "UTS"
                                                          : "USER");
}

static int
set_namespaces (const struct create_flags *f, jv hc, lcr_error_t *err)
{
  static const char *const ipc_ok[] = {"", "none", "private", "shareable", "host", NULL};
  static const char *const pid_ok[] = {"", "host", NULL};
  static const char *const uts_ok[] = {"", "host", NULL};
  static const char *const userns_ok[] = {"", "host", NULL};
  static const char *const cgroupns_ok[] = {"", "host", "private", NULL};
  if (f->ipc && check_mode ("--ipc", f->ipc, ipc_ok, true, err) < 0)
    return -1;
  if (f->pid && check_mode ("--pid", f->pid, pid_ok, true, err) < 0)
    return -1;
  if (f->uts && check_mode ("--uts", f->uts, uts_ok, false, err) < 0)
    return -1;
  if (f->userns && check_mode ("--userns", f->userns, userns_ok, false, err) < 0)
    return -1;
  if (f->cgroupns && check_mode ("--cgroupns", f->cgroupns, cgroupns_ok, false, err) < 0)
    return -1;
  /* docker's daemon defaults: a private IPC namespace, a private cgroup namespace (cgroup v2) */
  jv_set (hc, "IpcMode", jv_str (f->ipc && *f->ipc ? f->ipc : "private"));
  jv_set (hc, "PidMode", jv_str (f->pid ? f->pid : ""));
  jv_set (hc, "UTSMode", jv_str (f->uts ? f->uts : ""));
  jv_set (hc, "UsernsMode", jv_str (f->userns ? f->userns : ""));
  jv_set (hc, "CgroupnsMode", jv_str (f->cgroupns && *f->cgroupns ? f->cgroupns : "private"));
  if (f->uts && strcmp (f->uts, "host") == 0 && f->hostname)
    return lcr_error_invalid (err, "conflicting options: hostname and the UTS mode");
  return 0;
}

static bool
is_builtin_network (const char *n)
{
  return strcmp (n, "host") == 0 || strcmp (n, "none") == 0 || strncmp (n, "container:", 10) == 0;
}

static int
set_network (const struct create_flags *f, jv config, jv hc, jv netcfg, lcr_error_t *err)
{
  const char *mode = f->network.n ? f->network.v[0] : "bridge";
  if (strcmp (mode, "default") == 0)
    mode = "bridge";
  if (*mode == '\0' || strcmp (mode, "container:") == 0)
    return dock_flag_error (err, "--network", mode, "invalid network mode");
  for (size_t i = 1; i < f->network.n; i++)
    if (is_builtin_network (f->network.v[i]) || is_builtin_network (mode))
      return lcr_error_invalid (
          err, "conflicting options: cannot attach both user-defined and non-user-defined network-modes");
  jv_set (hc, "NetworkMode", jv_str (mode));
  jv_set (hc, "PublishAllPorts", jv_bool (f->publish_all));

  bool is_container = strncmp (mode, "container:", 10) == 0;
  bool is_host = strcmp (mode, "host") == 0;
  if (is_container)
    {
      if (f->hostname)
        return lcr_error_invalid (err, "conflicting options: hostname and the network mode");
      if (f->publish.n || f->publish_all || f->expose.n)
        return lcr_error_invalid (err, "conflicting options: port publishing and the container type network mode");
      if (f->dns.n || f->dns_search.n || f->dns_option.n)
        return lcr_error_invalid (err, "conflicting options: dns and the network mode");
      if (f->add_host.n)
        return lcr_error_invalid (err, "conflicting options: custom host-to-IP mapping and the network mode");
      if (f->mac_address)
        return lcr_error_invalid (err, "conflicting options: mac-address and the network mode");
    }
  if ((is_host || is_container) && f->network_alias.n)
    return lcr_error_invalid (err, "network-scoped aliases are only supported for user-defined networks");

  if (f->ip && !is_ip (f->ip, AF_INET))
    return dock_flag_error (err, "--ip", f->ip, "invalid IPv4 address");
  if (f->ip6 && !is_ip (f->ip6, AF_INET6))
    return dock_flag_error (err, "--ip6", f->ip6, "invalid IPv6 address");
  if (f->mac_address && !is_mac (f->mac_address))
    return lcr_error_invalid (err, "%s is not a valid mac address", f->mac_address);
  if (f->mac_address)
    jv_set (config, "MacAddress", jv_str (f->mac_address));

  jv eps = jv_child_obj (netcfg, "EndpointsConfig");
  size_t nnet = f->network.n ? f->network.n : 1;
  for (size_t i = 0; i < nnet; i++)
    {
      const char *net = f->network.n ? f->network.v[i] : mode;
      if (strcmp (net, "default") == 0)
        net = "bridge";
      jv ep = jv_set (eps, net, jv_obj ());
      if (i > 0)
        continue;
      if (f->network_alias.n)
        jv_set (ep, "Aliases", strlist_arr (&f->network_alias));
      if (f->ip || f->ip6)
        {
          jv ipam = jv_set (ep, "IPAMConfig", jv_obj ());
          if (f->ip)
            jv_set (ipam, "IPv4Address", jv_str (f->ip));
          if (f->ip6)
            jv_set (ipam, "IPv6Address", jv_str (f->ip6));
        }
      if (f->mac_address)
        jv_set (ep, "MacAddress", jv_str (f->mac_address));
    }

  jv dns = jv_set (hc, "Dns", jv_arr ());
  for (size_t i = 0; i < f->dns.n; i++)
    {
      if (!is_ip (f->dns.v[i], 0))
        return dock_flag_error (err, "--dns", f->dns.v[i], "%s is not an ip address", f->dns.v[i]);
      jv_push (dns, jv_str (f->dns.v[i]));
    }
  jv_set (hc, "DnsOptions", strlist_arr (&f->dns_option));
  jv_set (hc, "DnsSearch", strlist_arr (&f->dns_search));
  jv hosts = jv_set (hc, "ExtraHosts", jv_arr ());
  for (size_t i = 0; i < f->add_host.n; i++)
    if (dock_parse_add_host (f->add_host.v[i], hosts, err) < 0)
      return -1;
  return 0;
}

static int
set_ports (const struct create_flags *f, jv config, jv hc, lcr_error_t *err)
{
  jv exposed = jv_obj ();
  jv bindings = jv_set (hc, "PortBindings", jv_obj ());
  for (size_t i = 0; i < f->publish.n; i++)
    if (dock_parse_publish (f->publish.v[i], exposed, bindings, err) < 0)
      {
        jv_free (exposed);
        return -1;
      }
  for (size_t i = 0; i < f->expose.n; i++)
    if (dock_parse_expose (f->expose.v[i], exposed, err) < 0)
      {
        jv_free (exposed);
        return -1;
      }
  if (jv_len (exposed))
    jv_set (config, "ExposedPorts", exposed);
  else
    jv_free (exposed);
  return 0;
}

static int
set_storage (const struct create_flags *f, jv config, jv hc, lcr_error_t *err)
{
  jv volumes = jv_obj ();
  jv binds = jv_set (hc, "Binds", jv_arr ());
  for (size_t i = 0; i < f->volume.n; i++)
    if (dock_parse_volume (f->volume.v[i], volumes, binds, err) < 0)
      {
        jv_free (volumes);
        return -1;
      }
  if (jv_len (volumes))
    jv_set (config, "Volumes", volumes);
  else
    jv_free (volumes);
  if (f->volumes_from.n)
    jv_set (hc, "VolumesFrom", strlist_arr (&f->volumes_from));
  jv mounts = jv_set (hc, "Mounts", jv_arr ());
  for (size_t i = 0; i < f->mount.n; i++)
    if (dock_parse_mount (f->mount.v[i], mounts, err) < 0)
      return -1;
  if (f->tmpfs.n)
    {
      jv tmpfs = jv_set (hc, "Tmpfs", jv_obj ());
      for (size_t i = 0; i < f->tmpfs.n; i++)
        if (dock_parse_tmpfs (f->tmpfs.v[i], tmpfs, err) < 0)
          return -1;
    }
  jv devices = jv_set (hc, "Devices", jv_arr ());
  for (size_t i = 0; i < f->device.n; i++)
    if (dock_parse_device (f->device.v[i], devices, err) < 0)
      return -1;
  return 0;
}

static int
set_security (const struct create_flags *f, jv hc, lcr_error_t *err)
{
  jv_set (hc, "CapAdd", strlist_arr (&f->cap_add));
  jv_set (hc, "CapDrop", strlist_arr (&f->cap_drop));
  jv_set (hc, "Privileged", jv_bool (f->privileged));
  jv_set (hc, "ReadonlyRootfs", jv_bool (f->read_only));
  jv opts = jv_set (hc, "SecurityOpt", jv_arr ());
  for (size_t i = 0; i < f->security_opt.n; i++)
    {
      const char *o = f->security_opt.v[i];
      const char *sep = strpbrk (o, "=:");
      size_t klen = sep ? (size_t)(sep - o) : strlen (o);
      const char *val = sep ? sep + 1 : NULL;
#define KEY_IS(k) (klen == strlen (k) && strncmp (o, k, klen) == 0)
      if (KEY_IS ("no-new-privileges"))
        {
          if (val && strcmp (val, "true") != 0 && strcmp (val, "false") != 0)
            return lcr_error_invalid (err, "invalid --security-opt 2: \"%s\"", o);
          jv_push (opts, jv_str (o));
        }
      else if (KEY_IS ("seccomp") && val && *val)
        {
          if (strcmp (val, "unconfined") == 0 || strcmp (val, "builtin") == 0)
            {
              jv_push (opts, jv_str (o));
              continue;
            }
          /* as docker's CLI: the profile's text travels in the request, so the container
             keeps its profile when the file changes or goes away */
          cleanup_free char *text = NULL;
          size_t len = 0;
          if (lcr_read_file (val, &text, &len, err) < 0)
            return lcr_error_wrap (err, "opening seccomp profile (%s) failed", val);
          cleanup_jv jv parsed = jv_parse (text, len, val, err);
          if (parsed == NULL || parsed->type != yajl_t_object)
            return parsed ? lcr_error_invalid (err, "%s: a seccomp profile must be a JSON object", val)
                          : lcr_error_wrap (err, "decoding seccomp profile failed");
          cleanup_free char *compact = jv_dump (parsed, false);
          cleanup_free char *entry = NULL;
          xasprintf (&entry, "seccomp=%s", compact);
          jv_push (opts, jv_str (entry));
        }
      else if ((KEY_IS ("label") || KEY_IS ("apparmor") || KEY_IS ("systempaths") || KEY_IS ("mask")
                || KEY_IS ("unmask") || KEY_IS ("proc-opts"))
               && val && *val)
        jv_push (opts, jv_str (o));
      else if (strcmp (o, "label:disable") == 0 || strcmp (o, "label=disable") == 0)
        jv_push (opts, jv_str (o));
      else
        return lcr_error_invalid (err, "invalid --security-opt: \"%s\"", o);
#undef KEY_IS
    }
  jv_set (hc, "GroupAdd", strlist_arr (&f->group_add));
  return 0;
}

static int
set_process (const struct create_flags *f, jv config, jv hc, lcr_error_t *err)
{
  jv env = jv_set (config, "Env", jv_arr ());
  /* docker: the files first, then -e, so -e wins when the image merge dedups by key */
  for (size_t i = 0; i < f->env_file.n; i++)
    if (dock_read_kv_file (f->env_file.v[i], true, env, err) < 0)
      return -1;
  for (size_t i = 0; i < f->env.n; i++)
    if (dock_add_env (env, f->env.v[i], err) < 0)
      return -1;

  jv labels = jv_set (config, "Labels", jv_obj ());
  for (size_t i = 0; i < f->label_file.n; i++)
    {
      cleanup_jv jv lines = jv_arr ();
      if (dock_read_kv_file (f->label_file.v[i], false, lines, err) < 0)
        return -1;
      for (size_t k = 0; k < jv_len (lines); k++)
        if (dock_parse_kv ("--label-file", jv_as_str (lines->u.array.values[k]), false, labels, err) < 0)
          return -1;
    }
  for (size_t i = 0; i < f->label.n; i++)
    if (dock_parse_kv ("-l, --label", f->label.v[i], false, labels, err) < 0)
      return -1;

  if (f->workdir && f->workdir[0] && f->workdir[0] != '/')
    return lcr_error_invalid (err, "the working directory '%s' is invalid, it needs to be an absolute path",
                              f->workdir);
  jv_set (config, "WorkingDir", jv_str (f->workdir ? f->workdir : ""));
  jv_set (config, "User", jv_str (f->user ? f->user : ""));
  jv_set (config, "Hostname", jv_str (f->hostname ? f->hostname : ""));
  jv_set (config, "Domainname", jv_str (f->domainname ? f->domainname : ""));
  if (f->hostname && strlen (f->hostname) > 64)
    return lcr_error_invalid (err, "invalid hostname format: %s", f->hostname);
  if (f->stop_signal)
    jv_set (config, "StopSignal", jv_str (f->stop_signal));
  if (f->stop_timeout)
    {
      long long t;
      if (dock_flag_int ("--stop-timeout", f->stop_timeout, &t, err) < 0)
        return -1;
      jv_set (config, "StopTimeout", jv_int (t));
    }
  if (set_health (f, config, err) < 0)
    return -1;

  jv_set (hc, "AutoRemove", jv_bool (f->rm));
  if (f->init)
    jv_set (hc, "Init", jv_bool (true));
  if (f->oom_score_adj)
    {
      long long v;
      if (dock_flag_int ("--oom-score-adj", f->oom_score_adj, &v, err) < 0)
        return -1;
      if (v < -1000 || v > 1000)
        return lcr_error_invalid (err, "Invalid value %lld, range for oom score adj is [-1000, 1000]", v);
      jv_set (hc, "OomScoreAdj", jv_int (v));
    }
  else
    jv_set (hc, "OomScoreAdj", jv_int (0));
  long long shm = 0;
  if (f->shm_size)
    {
      shm = dock_parse_size (f->shm_size);
      if (shm <= 0)
        return dock_flag_error (err, "--shm-size", f->shm_size, "invalid size: '%s'", f->shm_size);
    }
  jv_set (hc, "ShmSize", jv_int (shm ? shm : 64LL * 1024 * 1024));
  jv sysctls = jv_set (hc, "Sysctls", jv_obj ());
  for (size_t i = 0; i < f->sysctl.n; i++)
    if (dock_parse_kv ("--sysctl", f->sysctl.v[i], true, sysctls, err) < 0)
      return -1;
  jv ulimits = jv_set (hc, "Ulimits", jv_arr ());
  for (size_t i = 0; i < f->ulimit.n; i++)
    if (dock_parse_ulimit (f->ulimit.v[i], ulimits, err) < 0)
      return -1;
  if (f->cgroup_parent)
    jv_set (hc, "CgroupParent", jv_str (f->cgroup_parent));

  jv log = jv_set (hc, "LogConfig", jv_obj ());
  const char *driver = f->log_driver ? f->log_driver : "json-file";
  if (strcmp (driver, "json-file") != 0 && strcmp (driver, "k8s-file") != 0 && strcmp (driver, "none") != 0
      && strcmp (driver, "local") != 0)
    return lcr_error_invalid (err, "logger: no log driver named '%s' is registered", driver);
  jv_set (log, "Type", jv_str (driver));
  jv logcfg = jv_set (log, "Config", jv_obj ());
  for (size_t i = 0; i < f->log_opt.n; i++)
    if (dock_parse_kv ("--log-opt", f->log_opt.v[i], true, logcfg, err) < 0)
      return -1;
  return 0;
}

static const char *
native_platform (void)
{
#if defined(__x86_64__)
  return "linux/amd64";
#elif defined(__aarch64__)
  return "linux/arm64";
#elif defined(__i386__)
  return "linux/386";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return "linux/ppc64le";
#elif defined(__s390x__)
  return "linux/s390x";
#elif defined(__riscv) && __riscv_xlen == 64
  return "linux/riscv64";
#else
  return "linux/unknown";
#endif
}

static int
check_platform_pull (const struct create_flags *f, struct dock_create_req *req, lcr_error_t *err)
{
  if (f->platform && *f->platform)
    {
      const char *native = native_platform ();
      size_t n = strlen (native);
      /* "linux/amd64" and "linux/amd64/v2" style variants of the host's platform only */
      if (strncmp (f->platform, native, n) != 0 || (f->platform[n] && f->platform[n] != '/'))
        return lcr_error_invalid (err, "--platform \"%s\": dock runs images of the host's platform (%s) only",
                                  f->platform, native);
    }
  const char *pull = f->pull ? f->pull : "missing";
  if (strcmp (pull, "missing") != 0 && strcmp (pull, "never") != 0 && strcmp (pull, "always") != 0)
    return lcr_error_invalid (err, "invalid pull option: '%s': must be one of \"always\", \"missing\" or \"never\"",
                              pull);
  req->pull = xstrdup (pull);
  return 0;
}

static int
build_request (struct create_flags *f, bool is_run, char **args, int nargs, struct dock_create_req *req,
               lcr_error_t *err)
{
  jv config = req->config, hc = req->host_config;
  req->image = xstrdup (args[0]);
  jv_set (config, "Image", jv_str (args[0]));
  if (nargs > 1)
    jv_set (config, "Cmd", jv_arr_of_strv (args + 1, nargs - 1));
  else
    jv_set (config, "Cmd", jv_null ());
  if (f->entrypoint)
    {
      /* --entrypoint "" resets the image's: an empty array (null means "not given") */
      jv ep = jv_set (config, "Entrypoint", jv_arr ());
      if (*f->entrypoint)
        jv_push (ep, jv_str (f->entrypoint));
    }
  else
    jv_set (config, "Entrypoint", jv_null ());

  if (f->name)
    {
      const char *n = f->name[0] == '/' ? f->name + 1 : f->name;
      bool good = isalnum ((unsigned char)n[0]);
      for (const char *p = n; *p && good; p++)
        good = isalnum ((unsigned char)*p) || *p == '_' || *p == '.' || *p == '-';
      if (!good)
        return lcr_error_invalid (err, "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                                  f->name);
      req->name = xstrdup (n);
    }
  if (set_attach (f, is_run, config, err) < 0 || set_process (f, config, hc, err) < 0
      || set_storage (f, config, hc, err) < 0 || set_security (f, hc, err) < 0 || set_namespaces (f, hc, err) < 0
      || set_ports (f, config, hc, err) < 0 || set_network (f, config, hc, req->networking_config, err) < 0
      || dock_resources_apply (&f->res, hc, true, err) < 0 || check_platform_pull (f, req, err) < 0)
    return -1;
  jv_set (hc, "OomKillDisable", jv_bool (f->oom_kill_disable));
  if (f->rm)
    {
      const char *rp = jv_get_str (jv_get_obj (hc, "RestartPolicy"), "Name");
      if (rp && *rp && strcmp (rp, "no") != 0)
        return lcr_error_invalid (err, "conflicting options: cannot specify both --restart and --rm");
    }
  if (is_run)
    {
      req->detach = f->detach;
      req->sig_proxy = f->sig_proxy;
      if (f->detach_keys)
        req->detach_keys = xstrdup (f->detach_keys);
    }
  if (f->cidfile)
    req->cidfile = xstrdup (f->cidfile);
  return 0;
}

int
dock_create_parse (int argc, char **argv, bool is_run, struct dock_create_req *req, lcr_error_t *err)
{
  memset (req, 0, sizeof *req);
  req->config = jv_obj ();
  req->host_config = jv_obj ();
  req->networking_config = jv_obj ();
  req->sig_proxy = true;

  struct create_flags f = {0};
  f.sig_proxy = true;
  struct dock_opt table[128];
  make_table (&f, is_run, table, sizeof table / sizeof table[0]);
  const struct dock_cmd_usage usage = {
      .usage
      = is_run ? "dock run [OPTIONS] IMAGE [COMMAND] [ARG...]" : "dock create [OPTIONS] IMAGE [COMMAND] [ARG...]",
      .summary = is_run ? "Create and run a new container from an image" : "Create a new container",
      .interspersed = false,
      .min_args = 1,
      .max_args = -1,
  };
  int first = 0;
  int r = dock_parse_args (&usage, table, argc, argv, &first, err);
  if (r == 0)
    r = build_request (&f, is_run, argv + first, argc - first, req, err);
  flags_free (&f);
  /* nothing to release for the caller when there is no request */
  if (r != 0)
    dock_create_req_release (req);
  return r;
}

void
dock_create_req_release (struct dock_create_req *req)
{
  jv_free (req->config);
  jv_free (req->host_config);
  jv_free (req->networking_config);
  free (req->name);
  free (req->image);
  free (req->pull);
  free (req->detach_keys);
  free (req->cidfile);
  memset (req, 0, sizeof *req);
}
