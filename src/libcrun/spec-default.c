/* berth — the default config.json written by `berth spec`.
 *
 * It follows `runc spec` so that tutorials written for runc work unchanged,
 * with three deliberate differences:
 *  - no ambient capabilities: since CVE-2022-29162 the inheritable set is
 *    empty, and the kernel only raises an ambient capability that is also
 *    inheritable, so listing them would promise something that cannot happen;
 *  - a cgroup namespace, as runc 1.2 and crun create by default, so the
 *    container sees its own cgroup as the root of /sys/fs/cgroup;
 *  - /sys/devices/virtual/powercap masked (runc 1.2: RAPL energy counters
 *    leak information across containers).
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "spec.h"
#include "utils.h"

static void
gen_str (yajl_gen g, const char *s)
{
  yajl_gen_string (g, (const unsigned char *)s, strlen (s));
}

static void
gen_key_str (yajl_gen g, const char *key, const char *value)
{
  gen_str (g, key);
  gen_str (g, value);
}

static void
gen_key_int (yajl_gen g, const char *key, long long value)
{
  gen_str (g, key);
  yajl_gen_integer (g, value);
}

static void
gen_key_bool (yajl_gen g, const char *key, bool value)
{
  gen_str (g, key);
  yajl_gen_bool (g, value);
}

/* A NULL-terminated list of strings; entries equal to `skip` are left out. */
static void
gen_key_strv (yajl_gen g, const char *key, const char *const *v, const char *skip)
{
  gen_str (g, key);
  yajl_gen_array_open (g);
  for (; *v; v++)
    if (skip == NULL || strcmp (*v, skip) != 0)
      gen_str (g, *v);
  yajl_gen_array_close (g);
}

static const char *const default_caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL};

static void
gen_process (yajl_gen g)
{
  static const char *const args[] = {"sh", NULL};
  static const char *const env[]
      = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL};
  static const char *const cap_sets[] = {"bounding", "effective", "permitted"};

  gen_str (g, "process");
  yajl_gen_map_open (g);
  gen_key_bool (g, "terminal", true);
  gen_str (g, "user");
  yajl_gen_map_open (g);
  /* Inside a rootless container's user namespace the caller is root too. */
  gen_key_int (g, "uid", 0);
  gen_key_int (g, "gid", 0);
  yajl_gen_map_close (g);
  gen_key_strv (g, "args", args, NULL);
  gen_key_strv (g, "env", env, NULL);
  gen_key_str (g, "cwd", "/");

  gen_str (g, "capabilities");
  yajl_gen_map_open (g);
  for (size_t i = 0; i < sizeof cap_sets / sizeof cap_sets[0]; i++)
    gen_key_strv (g, cap_sets[i], default_caps, NULL);
  yajl_gen_map_close (g);

  gen_str (g, "rlimits");
  yajl_gen_array_open (g);
  yajl_gen_map_open (g);
  gen_key_str (g, "type", "RLIMIT_NOFILE");
  gen_key_int (g, "hard", 1024);
  gen_key_int (g, "soft", 1024);
  yajl_gen_map_close (g);
  yajl_gen_array_close (g);

  gen_key_bool (g, "noNewPrivileges", true);
  yajl_gen_map_close (g);
}

struct default_mount
{
  const char *destination, *type, *source;
  const char *options[8];
};

static void
gen_mount (yajl_gen g, const struct default_mount *m, const char *skip_option)
{
  yajl_gen_map_open (g);
  gen_key_str (g, "destination", m->destination);
  gen_key_str (g, "type", m->type);
  gen_key_str (g, "source", m->source);
  if (m->options[0])
    gen_key_strv (g, "options", m->options, skip_option);
  yajl_gen_map_close (g);
}

static void
gen_mounts (yajl_gen g, bool rootless)
{
  static const struct default_mount common[] = {
      {"/proc", "proc", "proc", {NULL}},
      {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k", NULL}},
      {"/dev/pts",
       "devpts",
       "devpts",
       {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL}},
      {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL}},
      {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev", NULL}},
  };
  static const struct default_mount sysfs = {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro", NULL}};
  /* A user namespace that does not own the network namespace may not mount
     sysfs, so a rootless container borrows the host's /sys (cgroup fs
     included, which is why there is no separate cgroup mount then). */
  static const struct default_mount sysfs_rootless
      = {"/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro", NULL}};
  static const struct default_mount cgroup
      = {"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro", NULL}};

  gen_str (g, "mounts");
  yajl_gen_array_open (g);
  for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
    /* gid=5 (tty) may not be mapped in a rootless user namespace, and
       devpts refuses an unmapped gid. */
    gen_mount (g, &common[i], rootless ? "gid=5" : NULL);
  gen_mount (g, rootless ? &sysfs_rootless : &sysfs, NULL);
  if (!rootless)
    gen_mount (g, &cgroup, NULL);
  yajl_gen_array_close (g);
}

static void
gen_id_mapping (yajl_gen g, const char *key, unsigned long long host_id)
{
  gen_str (g, key);
  yajl_gen_array_open (g);
  yajl_gen_map_open (g);
  gen_key_int (g, "containerID", 0);
  gen_key_int (g, "hostID", (long long)host_id);
  gen_key_int (g, "size", 1);
  yajl_gen_map_close (g);
  yajl_gen_array_close (g);
}

static void
gen_linux (yajl_gen g, bool rootless, uid_t uid, gid_t gid)
{
  static const char *const masked[] = {
      "/proc/acpi",          "/proc/asound",
      "/proc/kcore",         "/proc/keys",
      "/proc/latency_stats", "/proc/timer_list",
      "/proc/timer_stats",   "/proc/sched_debug",
      "/sys/firmware",       "/sys/devices/virtual/powercap",
      "/proc/scsi",          NULL,
  };
  static const char *const readonly[]
      = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL};

  gen_str (g, "linux");
  yajl_gen_map_open (g);
  if (rootless)
    {
      gen_id_mapping (g, "uidMappings", uid);
      gen_id_mapping (g, "gidMappings", gid);
    }
  else
    {
      /* Device cgroup: deny everything; the runtime adds the default
         devices (null, zero, tty, …) on top. */
      gen_str (g, "resources");
      yajl_gen_map_open (g);
      gen_str (g, "devices");
      yajl_gen_array_open (g);
      yajl_gen_map_open (g);
      gen_key_bool (g, "allow", false);
      gen_key_str (g, "access", "rwm");
      yajl_gen_map_close (g);
      yajl_gen_array_close (g);
      yajl_gen_map_close (g);
    }

  gen_str (g, "namespaces");
  yajl_gen_array_open (g);
  static const char *const namespaces[] = {"pid", "network", "ipc", "uts", "mount", "cgroup", "user"};
  for (size_t i = 0; i < sizeof namespaces / sizeof namespaces[0]; i++)
    {
      bool is_user = strcmp (namespaces[i], "user") == 0;
      /* Rootless: no network namespace (the host network stays usable
         without privileges to set one up), and a user namespace. */
      if ((rootless && strcmp (namespaces[i], "network") == 0) || (!rootless && is_user))
        continue;
      yajl_gen_map_open (g);
      gen_key_str (g, "type", namespaces[i]);
      yajl_gen_map_close (g);
    }
  yajl_gen_array_close (g);

  gen_key_strv (g, "maskedPaths", masked, NULL);
  gen_key_strv (g, "readonlyPaths", readonly, NULL);
  yajl_gen_map_close (g);
}

char *
lcr_spec_default_json (bool rootless, uid_t uid, gid_t gid)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  if (g == NULL)
    abort ();
  yajl_gen_config (g, yajl_gen_beautify, 1);
  yajl_gen_config (g, yajl_gen_indent_string, "\t");

  yajl_gen_map_open (g);
  gen_key_str (g, "ociVersion", "1.2.0");
  gen_process (g);
  gen_str (g, "root");
  yajl_gen_map_open (g);
  gen_key_str (g, "path", "rootfs");
  gen_key_bool (g, "readonly", true);
  yajl_gen_map_close (g);
  gen_key_str (g, "hostname", "berth");
  gen_mounts (g, rootless);
  gen_linux (g, rootless, uid, gid);
  yajl_gen_map_close (g);

  const unsigned char *buf = NULL;
  size_t len = 0;
  if (yajl_gen_get_buf (g, &buf, &len) != yajl_gen_status_ok)
    abort (); /* only a generator misuse, i.e. a bug above, gets here */
  char *out = xmalloc0 (len + 2);
  memcpy (out, buf, len);
  /* beautify leaves the closing brace without a newline */
  if (len == 0 || out[len - 1] != '\n')
    out[len] = '\n';
  yajl_gen_free (g);
  return out;
}
