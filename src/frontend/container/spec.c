/* dock — a container's config.json (see spec.h), with docker's defaults.
 *
 * The shape follows what docker's daemon hands runc for the same container, field by field:
 *   process   args = [docker-init --] Entrypoint + Cmd; env = PATH (default), HOSTNAME, TERM
 *             (with a tty), then Config.Env by key, HOME from passwd; cwd; the user resolved in
 *             the image; capabilities (bounding only for a non-root user, as execve would leave
 *             it); rlimits from Ulimits; noNewPrivileges from --security-opt; oomScoreAdj
 *   root      the mounted rootfs, read-only with --read-only
 *   mounts    /proc /dev /dev/pts /sys /sys/fs/cgroup /dev/mqueue /dev/shm (ShmSize), minus those
 *             a user mount replaces; then binds and volumes, tmpfs, /etc/{hosts,hostname,
 *             resolv.conf}, docker-init — sorted so a parent is mounted before its children
 *   linux     namespaces (pid ipc uts mount cgroup, network = the netns file), cgroupsPath
 *             /dock/<id>, resources, devices, seccomp, masked / read-only paths, sysctl
 */
#define _GNU_SOURCE
#include "container/spec-internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define INIT_PATH "/sbin/docker-init"

static jv
jv_u64_max (void)
{
  /* RLIMIT_INFINITY: beyond a long long, so written as text (berth decodes the text) */
  jv v = jv_int (0);
  free (v->u.number.r);
  v->u.number.r = xstrdup ("18446744073709551615");
  v->u.number.flags = YAJL_NUMBER_DOUBLE_VALID;
  v->u.number.d = 18446744073709551615.0;
  return v;
}

static const char *
hc_str (jv hc, const char *key)
{
  const char *s = jv_get_str (hc, key);
  return s ? s : "";
}

/* ---- process ---------------------------------------------------------------------------- */

static int
build_args (const struct dock_spec_in *in, jv process, lcr_error_t *err)
{
  jv args = jv_set (process, "args", jv_arr ());
  if (jv_get_bool (in->host_config, "Init", false) && in->init_path)
    {
      jv_push (args, jv_str (INIT_PATH));
      jv_push (args, jv_str ("--"));
    }
  size_t before = jv_len (args);
  const char *keys[] = {"Entrypoint", "Cmd"};
  for (size_t k = 0; k < 2; k++)
    {
      jv a = jv_get_arr (in->config, keys[k]);
      for (size_t i = 0; i < jv_len (a); i++)
        if (jv_as_str (a->u.array.values[i]))
          jv_push (args, jv_str (jv_as_str (a->u.array.values[i])));
    }
  if (jv_len (args) == before)
    return lcr_error_invalid (err, "No command specified");
  return 0;
}

static size_t
key_len (const char *s)
{
  const char *eq = strchr (s, '=');
  return eq ? (size_t)(eq - s) : strlen (s);
}

/* Replace the entry with the same key, or append. */
static void
env_put (jv env, const char *kv)
{
  size_t kl = key_len (kv);
  for (size_t i = 0; i < jv_len (env); i++)
    {
      const char *e = jv_as_str (env->u.array.values[i]);
      if (e && key_len (e) == kl && strncmp (e, kv, kl) == 0)
        {
          jv_free (env->u.array.values[i]);
          env->u.array.values[i] = jv_str (kv);
          return;
        }
    }
  jv_push (env, jv_str (kv));
}

static bool
env_has (jv env, const char *key)
{
  size_t kl = strlen (key);
  for (size_t i = 0; i < jv_len (env); i++)
    {
      const char *e = jv_as_str (env->u.array.values[i]);
      if (e && key_len (e) == kl && strncmp (e, key, kl) == 0)
        return true;
    }
  return false;
}

static void
build_env (const struct dock_spec_in *in, const char *hostname, const char *home, jv process)
{
  jv env = jv_set (process, "env", jv_arr ());
  jv_push (env, jv_str (DEFAULT_PATH));
  if (hostname)
    {
      cleanup_free char *h = NULL;
      xasprintf (&h, "HOSTNAME=%s", hostname);
      jv_push (env, jv_str (h));
    }
  if (jv_get_bool (in->config, "Tty", false))
    jv_push (env, jv_str ("TERM=xterm"));
  jv own = jv_get_arr (in->config, "Env");
  for (size_t i = 0; i < jv_len (own); i++)
    {
      const char *e = jv_as_str (own->u.array.values[i]);
      /* a bare NAME (-e NAME with NAME unset) means nothing to a process */
      if (e && strchr (e, '=') && e[0] != '=')
        env_put (env, e);
    }
  if (!env_has (env, "HOME"))
    {
      cleanup_free char *h = NULL;
      xasprintf (&h, "HOME=%s", home ? home : "/");
      jv_push (env, jv_str (h));
    }
}

static int
build_rlimits (jv hc, jv process, lcr_error_t *err)
{
  jv ul = jv_get_arr (hc, "Ulimits");
  if (jv_len (ul) == 0)
    return 0;
  jv out = jv_set (process, "rlimits", jv_arr ());
  for (size_t i = 0; i < jv_len (ul); i++)
    {
      jv u = ul->u.array.values[i];
      const char *name = jv_get_str (u, "Name");
      if (name == NULL || *name == '\0' || strlen (name) > 32)
        return lcr_error_invalid (err, "HostConfig.Ulimits[%zu]: no name", i);
      char type[48] = "RLIMIT_";
      for (size_t k = 0; name[k]; k++)
        type[7 + k] = (char)toupper ((unsigned char)name[k]);
      jv r = jv_push (out, jv_obj ());
      jv_set (r, "type", jv_str (type));
      long long hard = jv_get_int (u, "Hard", 0), soft = jv_get_int (u, "Soft", 0);
      jv_set (r, "hard", hard < 0 ? jv_u64_max () : jv_int (hard));
      jv_set (r, "soft", soft < 0 ? jv_u64_max () : jv_int (soft));
    }
  return 0;
}

static bool
no_new_privileges (jv hc)
{
  bool on = false;
  jv opts = jv_get_arr (hc, "SecurityOpt");
  for (size_t i = 0; i < jv_len (opts); i++)
    {
      const char *o = jv_as_str (opts->u.array.values[i]);
      if (o == NULL || strncmp (o, "no-new-privileges", 17) != 0)
        continue;
      const char *v = o + 17;
      if (*v == '\0')
        on = true;
      else if (*v == ':' || *v == '=')
        on = strcmp (v + 1, "false") != 0;
    }
  return on;
}

static int
build_process (const struct dock_spec_in *in, jv caps, const char *hostname, jv spec, lcr_error_t *err)
{
  jv hc = in->host_config;
  jv p = jv_set (spec, "process", jv_obj ());
  jv_set (p, "terminal", jv_bool (jv_get_bool (in->config, "Tty", false)));
  jv user = NULL;
  cleanup_free char *home = NULL;
  if (dock_spec_user (in->rootfs, jv_get_str (in->config, "User"), jv_get_arr (hc, "GroupAdd"), &user, &home, err) < 0)
    return -1;
  jv_set (p, "user", user);
  if (build_args (in, p, err) < 0)
    return -1;
  build_env (in, hostname, home, p);
  const char *wd = jv_get_str (in->config, "WorkingDir");
  jv_set (p, "cwd", jv_str (wd && *wd ? wd : "/"));

  jv c = jv_set (p, "capabilities", jv_obj ());
  jv_set (c, "bounding", jv_copy (caps));
  /* as docker: a non-root user keeps only the bounding set, which is what execve would leave
     it anyway */
  if (jv_get_int (user, "uid", 0) == 0)
    {
      jv_set (c, "effective", jv_copy (caps));
      jv_set (c, "permitted", jv_copy (caps));
    }
  if (build_rlimits (hc, p, err) < 0)
    return -1;
  jv_set (p, "noNewPrivileges", jv_bool (no_new_privileges (hc)));
  jv_set (p, "oomScoreAdj", jv_int (jv_get_int (hc, "OomScoreAdj", 0)));
  return 0;
}

/* ---- mounts --------------------------------------------------------------------------------- */

static jv
mount_entry (const char *dst, const char *type, const char *src, const char *const *opts)
{
  jv m = jv_obj ();
  jv_set (m, "destination", jv_str (dst));
  jv_set (m, "type", jv_str (type));
  jv_set (m, "source", jv_str (src));
  jv o = jv_set (m, "options", jv_arr ());
  for (; opts && *opts; opts++)
    jv_push (o, jv_str (*opts));
  return m;
}

static size_t
depth (const char *path)
{
  size_t n = 0;
  for (const char *p = path; *p; p++)
    if (*p == '/' && p[1] && p[1] != '/')
      n++;
  return n;
}

static bool
dest_taken (jv user_mounts, const char *dst)
{
  for (size_t i = 0; i < jv_len (user_mounts); i++)
    {
      const char *d = jv_get_str (user_mounts->u.array.values[i], "destination");
      if (d && strcmp (d, dst) == 0)
        return true;
    }
  return false;
}

/* tmpfs options: docker's defaults, then the user's; a later flag cancels its opposite, a
   later key=value replaces the same key. */
static void
tmpfs_options (jv out, const char *user_opts, bool read_only)
{
  static const char *const pairs[][2] = {{"exec", "noexec"}, {"suid", "nosuid"},   {"dev", "nodev"},
                                         {"rw", "ro"},       {"atime", "noatime"}, {"diratime", "nodiratime"}};
  cleanup_free char *all = NULL;
  xasprintf (&all, "noexec,nosuid,nodev%s%s%s", user_opts && *user_opts ? "," : "", user_opts ? user_opts : "",
             read_only ? ",ro" : "");
  char *save = NULL;
  for (char *o = strtok_r (all, ",", &save); o; o = strtok_r (NULL, ",", &save))
    {
      if (*o == '\0')
        continue;
      const char *eq = strchr (o, '=');
      size_t kl = eq ? (size_t)(eq - o) : strlen (o);
      for (size_t i = 0; i < jv_len (out); i++)
        {
          const char *e = jv_as_str (out->u.array.values[i]);
          bool same = eq ? strncmp (e, o, kl + 1) == 0 : strcmp (e, o) == 0;
          for (size_t k = 0; !eq && !same && k < sizeof pairs / sizeof pairs[0]; k++)
            same = (strcmp (o, pairs[k][0]) == 0 && strcmp (e, pairs[k][1]) == 0)
                   || (strcmp (o, pairs[k][1]) == 0 && strcmp (e, pairs[k][0]) == 0);
          if (same)
            {
              jv_remove_at (out, i);
              break;
            }
        }
      jv_push (out, jv_str (o));
    }
}

static void
size_option (char *buf, size_t len, long long bytes)
{
  /* the largest unit that divides the size evenly, as docker writes it */
  static const char suffix[] = "kmg";
  int i = -1;
  while (i < 2 && bytes % 1024 == 0 && bytes > 0)
    {
      bytes /= 1024;
      i++;
    }
  if (i < 0)
    snprintf (buf, len, "size=%lld", bytes);
  else
    snprintf (buf, len, "size=%lld%c", bytes, suffix[i]);
}

static int
user_mounts (const struct dock_spec_in *in, jv out, const char **propagation, lcr_error_t *err)
{
  jv hc = in->host_config;
  bool ro_root = jv_get_bool (hc, "ReadonlyRootfs", false);
  for (size_t i = 0; i < jv_len (in->mounts); i++)
    {
      jv m = in->mounts->u.array.values[i];
      const char *src = jv_get_str (m, "Source"), *dst = jv_get_str (m, "Destination");
      if (src == NULL || dst == NULL || dst[0] != '/')
        return lcr_error_invalid (err, "mount %zu: no source or destination", i);
      const char *prop = jv_get_str (m, "Propagation");
      if (prop == NULL || *prop == '\0')
        prop = "rprivate";
      if (strstr (prop, "shared"))
        *propagation = "rshared";
      else if (strstr (prop, "slave") && strcmp (*propagation, "rshared") != 0)
        *propagation = "rslave";
      const char *opts[] = {"rbind", jv_get_bool (m, "RW", true) ? "rw" : "ro", prop, NULL};
      jv_push (out, mount_entry (dst, "bind", src, opts));
    }
  jv tmpfs = jv_get_obj (hc, "Tmpfs");
  for (size_t i = 0; tmpfs && i < tmpfs->u.object.len; i++)
    {
      jv m = jv_push (out, mount_entry (tmpfs->u.object.keys[i], "tmpfs", "tmpfs", NULL));
      tmpfs_options (jv_get (m, "options"), jv_as_str (tmpfs->u.object.values[i]), false);
    }
  jv mounts = jv_get_arr (hc, "Mounts");
  for (size_t i = 0; i < jv_len (mounts); i++)
    {
      jv m = mounts->u.array.values[i];
      const char *type = jv_get_str (m, "Type");
      if (type == NULL || strcmp (type, "tmpfs") != 0)
        continue; /* bind and volume mounts arrive resolved in in->mounts */
      const char *dst = jv_get_str (m, "Target");
      if (dst == NULL || dst[0] != '/')
        return lcr_error_invalid (err, "HostConfig.Mounts[%zu]: no target", i);
      char extra[96] = "";
      jv to = jv_get_obj (m, "TmpfsOptions");
      long long size = jv_get_int (to, "SizeBytes", 0), mode = jv_get_int (to, "Mode", 0);
      size_t n = 0;
      if (size > 0)
        {
          size_option (extra, sizeof extra, size);
          n = strlen (extra);
        }
      if (mode > 0)
        snprintf (extra + n, sizeof extra - n, "%smode=%llo", n ? "," : "", (unsigned long long)mode);
      jv e = jv_push (out, mount_entry (dst, "tmpfs", "tmpfs", NULL));
      tmpfs_options (jv_get (e, "options"), extra, jv_get_bool (m, "ReadOnly", false));
    }
  /* the network files, unless the user mounts something there */
  const struct
  {
    const char *src, *dst;
  } files[] = {{in->resolv_conf, "/etc/resolv.conf"}, {in->hostname, "/etc/hostname"}, {in->hosts, "/etc/hosts"}};
  for (size_t i = 0; i < 3; i++)
    if (files[i].src && !dest_taken (out, files[i].dst))
      {
        const char *opts[] = {"rbind", ro_root ? "ro" : "rw", "rprivate", NULL};
        jv_push (out, mount_entry (files[i].dst, "bind", files[i].src, opts));
      }
  if (jv_get_bool (hc, "Init", false) && in->init_path)
    {
      const char *opts[] = {"bind", "ro", "rprivate", NULL};
      jv_push (out, mount_entry (INIT_PATH, "bind", in->init_path, opts));
    }
  return 0;
}

static int
build_mounts (const struct dock_spec_in *in, jv spec, jv linux_, lcr_error_t *err)
{
  jv hc = in->host_config;
  bool priv = jv_get_bool (hc, "Privileged", false);
  const char *ipc = hc_str (hc, "IpcMode");
  cleanup_jv jv mine = jv_arr ();
  const char *propagation = "rprivate";
  if (user_mounts (in, mine, &propagation, err) < 0)
    return -1;
  if (strcmp (propagation, "rprivate") != 0)
    jv_set (linux_, "rootfsPropagation", jv_str (propagation));

  long long shm = jv_get_int (hc, "ShmSize", 0);
  if (shm <= 0)
    shm = 64LL * 1024 * 1024;
  char shm_size[48];
  snprintf (shm_size, sizeof shm_size, "size=%lld", shm);
  const char *sys_mode = priv ? "rw" : "ro";
  const struct
  {
    const char *dst, *type, *src;
    const char *opts[8];
  } defaults[] = {
      {"/proc", "proc", "proc", {"nosuid", "noexec", "nodev", NULL}},
      {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k", NULL}},
      {"/dev/pts",
       "devpts",
       "devpts",
       {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL}},
      {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", sys_mode, NULL}},
      {"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", sys_mode, NULL}},
      {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev", NULL}},
      {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", shm_size, NULL}},
  };
  jv out = jv_set (spec, "mounts", jv_arr ());
  for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
    {
      if (dest_taken (mine, defaults[i].dst))
        continue;
      if (strcmp (defaults[i].dst, "/dev/shm") == 0)
        {
          if (strcmp (ipc, "none") == 0)
            continue;
          if (strcmp (ipc, "host") == 0 || in->shm)
            {
              const char *opts[] = {"rbind", "rprivate", NULL};
              jv_push (out, mount_entry ("/dev/shm", "bind", in->shm ? in->shm : "/dev/shm", opts));
              continue;
            }
        }
      /* /dev/mqueue stays a mqueue mount for --ipc host too: made in the host's IPC namespace it
         is the host's queues, and binding the host's /dev/mqueue fails where none is mounted */
      jv_push (out, mount_entry (defaults[i].dst, defaults[i].type, defaults[i].src, defaults[i].opts));
    }
  /* parents before children: a stable sort on the number of path components */
  size_t n = jv_len (mine);
  for (size_t i = 1; i < n; i++)
    for (size_t k = i; k > 0; k--)
      {
        jv *v = mine->u.array.values;
        if (depth (jv_get_str (v[k - 1], "destination")) <= depth (jv_get_str (v[k], "destination")))
          break;
        jv t = v[k - 1];
        v[k - 1] = v[k];
        v[k] = t;
      }
  for (size_t i = 0; i < n; i++)
    jv_push (out, jv_copy (mine->u.array.values[i]));
  return 0;
}

/* ---- linux ---------------------------------------------------------------------------------- */

static int
build_namespaces (const struct dock_spec_in *in, jv linux_, lcr_error_t *err)
{
  jv hc = in->host_config;
  const struct
  {
    const char *mode_key, *ns;
  } modes[] = {{"PidMode", "pid"}, {"IpcMode", "ipc"}, {"UTSMode", "uts"}, {NULL, "mount"}, {"CgroupnsMode", "cgroup"}};
  jv out = jv_set (linux_, "namespaces", jv_arr ());
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
    {
      const char *mode = modes[i].mode_key ? hc_str (hc, modes[i].mode_key) : "";
      if (strcmp (mode, "host") == 0)
        continue;
      jv ns = jv_push (out, jv_obj ());
      jv_set (ns, "type", jv_str (modes[i].ns));
      if (strncmp (mode, "container:", 10) == 0)
        {
          /* the lifecycle found the other container's namespace file (container/share.c) */
          const char *path = strcmp (modes[i].ns, "pid") == 0   ? in->pidns
                             : strcmp (modes[i].ns, "ipc") == 0 ? in->ipcns
                                                                : NULL;
          if (path == NULL)
            return lcr_error_invalid (err, "%s %s: the other container's namespace was not found", modes[i].mode_key,
                                      mode);
          jv_set (ns, "path", jv_str (path));
        }
    }
  if (in->netns)
    {
      jv n = jv_push (out, jv_obj ());
      jv_set (n, "type", jv_str ("network"));
      jv_set (n, "path", jv_str (in->netns));
    }
  return 0;
}

static void
build_resources (jv hc, jv r)
{
  long long v;
  jv mem = jv_obj ();
  if ((v = jv_get_int (hc, "Memory", 0)) > 0)
    jv_set (mem, "limit", jv_int (v));
  if ((v = jv_get_int (hc, "MemorySwap", 0)) > 0 || v == -1)
    jv_set (mem, "swap", jv_int (v));
  if ((v = jv_get_int (hc, "MemoryReservation", 0)) > 0)
    jv_set (mem, "reservation", jv_int (v));
  if (jv_get_bool (hc, "OomKillDisable", false))
    jv_set (mem, "disableOOMKiller", jv_bool (true));
  if (jv_len (mem))
    jv_set (r, "memory", mem);
  else
    jv_free (mem);

  jv cpu = jv_obj ();
  if ((v = jv_get_int (hc, "CpuShares", 0)) > 0)
    jv_set (cpu, "shares", jv_int (v));
  long long nano = jv_get_int (hc, "NanoCpus", 0);
  if (nano > 0)
    {
      /* docker: a 100 ms period and the matching quota */
      jv_set (cpu, "quota", jv_int (nano * 100000 / 1000000000));
      jv_set (cpu, "period", jv_int (100000));
    }
  else
    {
      if ((v = jv_get_int (hc, "CpuQuota", 0)) != 0)
        jv_set (cpu, "quota", jv_int (v));
      if ((v = jv_get_int (hc, "CpuPeriod", 0)) > 0)
        jv_set (cpu, "period", jv_int (v));
    }
  if (*hc_str (hc, "CpusetCpus"))
    jv_set (cpu, "cpus", jv_str (hc_str (hc, "CpusetCpus")));
  if (*hc_str (hc, "CpusetMems"))
    jv_set (cpu, "mems", jv_str (hc_str (hc, "CpusetMems")));
  if (jv_len (cpu))
    jv_set (r, "cpu", cpu);
  else
    jv_free (cpu);

  if ((v = jv_get_int (hc, "PidsLimit", 0)) > 0)
    jv_set (jv_set (r, "pids", jv_obj ()), "limit", jv_int (v));
  if ((v = jv_get_int (hc, "BlkioWeight", 0)) > 0)
    jv_set (jv_set (r, "blockIO", jv_obj ()), "weight", jv_int (v));
}

static char *
container_hostname (const struct dock_spec_in *in)
{
  const char *h = jv_get_str (in->config, "Hostname");
  if (h && *h)
    return xstrdup (h);
  const char *uts = hc_str (in->host_config, "UTSMode");
  if (in->netns == NULL || strcmp (uts, "host") == 0)
    {
      /* the host's network (or UTS namespace): the host's name, as docker */
      char buf[256];
      if (gethostname (buf, sizeof buf) == 0)
        {
          buf[sizeof buf - 1] = '\0';
          return xstrdup (buf);
        }
    }
  return strndup (in->id, 12);
}

jv
dock_spec_build (const struct dock_spec_in *in, lcr_error_t *err)
{
  jv hc = in->host_config;
  cleanup_jv jv spec = jv_obj ();
  jv_set (spec, "ociVersion", jv_str ("1.0.2"));
  cleanup_jv jv caps = dock_spec_capabilities (hc, err);
  if (caps == NULL)
    return NULL;
  cleanup_free char *hostname = container_hostname (in);
  if (build_process (in, caps, hostname, spec, err) < 0)
    return NULL;

  jv root = jv_set (spec, "root", jv_obj ());
  jv_set (root, "path", jv_str (in->rootfs));
  jv_set (root, "readonly", jv_bool (jv_get_bool (hc, "ReadonlyRootfs", false)));
  /* the runtime sets the name only in a UTS namespace of the container's own */
  if (strcmp (hc_str (hc, "UTSMode"), "host") != 0)
    {
      jv_set (spec, "hostname", jv_str (hostname));
      const char *dn = jv_get_str (in->config, "Domainname");
      if (dn && *dn)
        jv_set (spec, "domainname", jv_str (dn));
    }

  jv linux_ = jv_obj ();
  jv resources = jv_obj ();
  /* mounts first in the document, as runc spec lays them out; linux after */
  if (build_mounts (in, spec, linux_, err) < 0)
    {
      jv_free (linux_);
      jv_free (resources);
      return NULL;
    }
  jv_set (spec, "linux", linux_);
  jv_set (linux_, "resources", resources);
  if (dock_spec_devices (hc, linux_, resources, err) < 0)
    return NULL;
  build_resources (hc, resources);
  const char *parent = hc_str (hc, "CgroupParent");
  cleanup_free char *cgpath = NULL;
  if (*parent)
    xasprintf (&cgpath, "%s%s/%s", parent[0] == '/' ? "" : "/", parent, in->id);
  else
    xasprintf (&cgpath, "/dock/%s", in->id);
  jv_set (linux_, "cgroupsPath", jv_str (cgpath));
  if (build_namespaces (in, linux_, err) < 0)
    return NULL;
  jv seccomp = NULL;
  if (dock_spec_seccomp (hc, caps, &seccomp, err) < 0)
    return NULL;
  if (seccomp)
    jv_set (linux_, "seccomp", seccomp);
  dock_spec_masked_paths (linux_, hc);
  jv sysctls = jv_get_obj (hc, "Sysctls");
  if (sysctls && jv_len (sysctls))
    jv_set (linux_, "sysctl", jv_copy (sysctls));
  return steal_pointer (&spec);
}
