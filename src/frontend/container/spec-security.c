/* dock — what a container may do: capabilities, masked and read-only paths, devices.
 *
 * Capabilities follow docker's rules: its default set; --cap-add/--cap-drop names are
 * case-insensitive, with or without "CAP_"; "ALL" in --cap-add means every capability but the
 * dropped ones, "ALL" in --cap-drop means only the added ones; --privileged means all.
 * "All" is every capability the running kernel knows (/proc/sys/kernel/cap_last_cap) that dock
 * itself may hold (its bounding set), since the runtime refuses to grant more.
 */
#define _GNU_SOURCE
#include "container/spec-internal.h"
#include "../../libcrun/spec.h" /* berth's capability table; "spec.h" here would be container/spec.h */

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* berth's table, indexed by capability number (src/libcrun/spec-validate.c) */
static const char *
cap_name (size_t i)
{
  size_t n;
  return lcr_capability_names (&n)[i];
}

static size_t
n_caps (void)
{
  size_t n;
  lcr_capability_names (&n);
  return n;
}
#define N_CAPS n_caps ()

static const char *const default_caps[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
    NULL,
};

/* dock's own bounding set: "all capabilities" cannot be more than the runtime will hold
   (inside a restricted parent, e.g. a container, some are gone and the runtime refuses them). */
static unsigned long long
own_bounding_set (void)
{
  FILE *f = fopen ("/proc/self/status", "re");
  unsigned long long set = ~0ULL;
  char line[256];
  while (f && fgets (line, sizeof line, f))
    if (strncmp (line, "CapBnd:", 7) == 0)
      {
        set = strtoull (line + 7, NULL, 16);
        break;
      }
  if (f)
    fclose (f);
  return set;
}

static bool
in_bounding_set (size_t cap)
{
  static unsigned long long set;
  static bool read;
  if (!read)
    {
      set = own_bounding_set ();
      read = true;
    }
  return cap < 64 && (set & (1ULL << cap));
}

static size_t
known_caps (void)
{
  /* the kernel may know fewer (older) or more (newer than this table) */
  FILE *f = fopen ("/proc/sys/kernel/cap_last_cap", "re");
  int last = -1;
  if (f)
    {
      if (fscanf (f, "%d", &last) != 1)
        last = -1;
      fclose (f);
    }
  if (last < 0 || (size_t)last >= N_CAPS)
    return N_CAPS;
  return (size_t)last + 1;
}

/* "sys_admin", "CAP_SYS_ADMIN", "Sys_Admin" → "CAP_SYS_ADMIN"; "all" → "ALL"; NULL if unknown. */
static const char *
normalize_cap (const char *in)
{
  char buf[64];
  size_t n = 0;
  const char *p = in;
  if (strncasecmp (p, "CAP_", 4) == 0)
    p += 4;
  if (strcasecmp (p, "ALL") == 0)
    return "ALL";
  n = (size_t)snprintf (buf, sizeof buf, "CAP_%s", p);
  if (n >= sizeof buf)
    return NULL;
  for (char *q = buf; *q; q++)
    *q = (char)toupper ((unsigned char)*q);
  for (size_t i = 0; i < N_CAPS; i++)
    if (strcmp (buf, cap_name (i)) == 0)
      return cap_name (i);
  return NULL;
}

static int
normalize_list (jv in, jv out, lcr_error_t *err)
{
  for (size_t i = 0; i < jv_len (in); i++)
    {
      const char *s = jv_as_str (in->u.array.values[i]);
      if (s == NULL)
        continue;
      const char *c = normalize_cap (s);
      if (c == NULL)
        {
          cleanup_free char *up = NULL;
          xasprintf (&up, "%s%s", strncasecmp (s, "CAP_", 4) == 0 ? "" : "CAP_", s);
          for (char *q = up; *q; q++)
            *q = (char)toupper ((unsigned char)*q);
          return lcr_error_invalid (err, "unknown capability: \"%s\"", up);
        }
      if (!dock_caps_has (out, c))
        jv_push (out, jv_str (c));
    }
  return 0;
}

jv
dock_spec_capabilities (jv hc, lcr_error_t *err)
{
  jv caps = jv_arr ();
  size_t nknown = known_caps ();
  if (jv_get_bool (hc, "Privileged", false))
    {
      for (size_t i = 0; i < nknown; i++)
        if (in_bounding_set (i))
          jv_push (caps, jv_str (cap_name (i)));
      return caps;
    }
  cleanup_jv jv add = jv_arr ();
  cleanup_jv jv drop = jv_arr ();
  if (normalize_list (jv_get_arr (hc, "CapAdd"), add, err) < 0
      || normalize_list (jv_get_arr (hc, "CapDrop"), drop, err) < 0)
    {
      jv_free (caps);
      return NULL;
    }
  if (dock_caps_has (add, "ALL"))
    {
      for (size_t i = 0; i < nknown; i++)
        if (in_bounding_set (i) && !dock_caps_has (drop, cap_name (i)))
          jv_push (caps, jv_str (cap_name (i)));
      return caps;
    }
  if (!dock_caps_has (drop, "ALL"))
    for (const char *const *c = default_caps; *c; c++)
      if (!dock_caps_has (drop, *c))
        jv_push (caps, jv_str (*c));
  for (size_t i = 0; i < jv_len (add); i++)
    {
      const char *c = jv_as_str (add->u.array.values[i]);
      if (!dock_caps_has (caps, c))
        jv_push (caps, jv_str (c));
    }
  return caps;
}

/* ---- masked and read-only paths --------------------------------------------------------- */

static const char *const masked_paths[] = {
    "/proc/asound",
    "/proc/acpi",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
    NULL,
};
static const char *const readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

void
dock_spec_masked_paths (jv linux_, jv hc)
{
  if (jv_get_bool (hc, "Privileged", false))
    return;
  jv opts = jv_get_arr (hc, "SecurityOpt");
  for (size_t i = 0; i < jv_len (opts); i++)
    {
      const char *o = jv_as_str (opts->u.array.values[i]);
      if (o && strcmp (o, "systempaths=unconfined") == 0)
        return;
    }
  jv m = jv_set (linux_, "maskedPaths", jv_arr ());
  for (const char *const *p = masked_paths; *p; p++)
    jv_push (m, jv_str (*p));
  jv r = jv_set (linux_, "readonlyPaths", jv_arr ());
  for (const char *const *p = readonly_paths; *p; p++)
    jv_push (r, jv_str (*p));
}

/* ---- devices ------------------------------------------------------------------------------ */

static void
allow (jv resources_devices, const char *type, long long major, long long minor, const char *access)
{
  jv d = jv_push (resources_devices, jv_obj ());
  jv_set (d, "allow", jv_bool (true));
  if (type)
    jv_set (d, "type", jv_str (type));
  if (major >= 0)
    jv_set (d, "major", jv_int (major));
  if (minor >= 0)
    jv_set (d, "minor", jv_int (minor));
  jv_set (d, "access", jv_str (access));
}

static void
add_device (jv linux_devices, jv rdev, const char *path_in_container, const struct stat *st, const char *perms)
{
  const char *type = S_ISCHR (st->st_mode) ? "c" : "b";
  jv d = jv_push (linux_devices, jv_obj ());
  jv_set (d, "path", jv_str (path_in_container));
  jv_set (d, "type", jv_str (type));
  jv_set (d, "major", jv_int (major (st->st_rdev)));
  jv_set (d, "minor", jv_int (minor (st->st_rdev)));
  jv_set (d, "fileMode", jv_int (st->st_mode & 07777));
  jv_set (d, "uid", jv_int (st->st_uid));
  jv_set (d, "gid", jv_int (st->st_gid));
  if (rdev)
    allow (rdev, type, major (st->st_rdev), minor (st->st_rdev), perms);
}

/* Every device node under host directory `dir`, placed under `dst` (docker does this for
   --device /dev/snd and for --privileged's /dev). */
static int
add_device_dir (jv linux_devices, jv rdev, const char *dir, const char *dst, const char *perms, bool top_dev, int depth,
                lcr_error_t *err)
{
  if (depth > 8)
    return 0;
  cleanup_dir DIR *d = opendir (dir);
  if (d == NULL)
    return lcr_error_sys (err, "error gathering device information while adding custom device \"%s\"", dir);
  struct dirent *e;
  while ((e = readdir (d)))
    {
      const char *n = e->d_name;
      if (strcmp (n, ".") == 0 || strcmp (n, "..") == 0)
        continue;
      /* /dev's own file systems and what the runtime makes itself */
      if (top_dev
          && (strcmp (n, "pts") == 0 || strcmp (n, "shm") == 0 || strcmp (n, "fd") == 0 || strcmp (n, "mqueue") == 0
              || strcmp (n, ".lxc") == 0 || strcmp (n, ".lxd-mounts") == 0 || strcmp (n, ".udev") == 0
              || strcmp (n, "console") == 0))
        continue;
      cleanup_free char *src = NULL, *to = NULL;
      xasprintf (&src, "%s/%s", dir, n);
      xasprintf (&to, "%s/%s", dst, n);
      struct stat st;
      if (lstat (src, &st) < 0)
        continue;
      if (S_ISDIR (st.st_mode))
        {
          if (add_device_dir (linux_devices, rdev, src, to, perms, false, depth + 1, err) < 0)
            return -1;
        }
      else if (S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode))
        add_device (linux_devices, rdev, to, &st, perms);
    }
  return 0;
}

int
dock_spec_devices (jv hc, jv linux_, jv resources, lcr_error_t *err)
{
  jv devs = jv_set (linux_, "devices", jv_arr ());
  jv rdev = jv_set (resources, "devices", jv_arr ());
  if (jv_get_bool (hc, "Privileged", false))
    {
      allow (rdev, NULL, -1, -1, "rwm");
      if (add_device_dir (devs, NULL, "/dev", "/dev", "rwm", true, 0, err) < 0)
        return -1;
    }
  else
    {
      jv deny = jv_push (rdev, jv_obj ());
      jv_set (deny, "allow", jv_bool (false));
      jv_set (deny, "access", jv_str ("rwm"));
      /* mknod of any node; then the nodes every container has */
      allow (rdev, "c", -1, -1, "m");
      allow (rdev, "b", -1, -1, "m");
      static const struct
      {
        long long major, minor;
      } std[] = {{1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}, {5, 1}, {5, 2}, {136, -1}};
      for (size_t i = 0; i < sizeof std / sizeof std[0]; i++)
        allow (rdev, "c", std[i].major, std[i].minor, "rwm");
    }
  jv user = jv_get_arr (hc, "Devices");
  for (size_t i = 0; i < jv_len (user); i++)
    {
      jv d = user->u.array.values[i];
      const char *src = jv_get_str (d, "PathOnHost");
      const char *dst = jv_get_str (d, "PathInContainer");
      const char *perms = jv_get_str (d, "CgroupPermissions");
      if (src == NULL)
        continue;
      if (dst == NULL || *dst == '\0')
        dst = src;
      if (perms == NULL || *perms == '\0')
        perms = "rwm";
      /* a symlink (/dev/disk/by-id/…) counts as what it points to */
      char real[PATH_MAX];
      struct stat st;
      if (realpath (src, real) == NULL || stat (real, &st) < 0)
        return lcr_error_sys (err, "error gathering device information while adding custom device \"%s\"", src);
      if (S_ISDIR (st.st_mode))
        {
          if (add_device_dir (devs, rdev, real, dst, perms, false, 0, err) < 0)
            return -1;
        }
      else if (S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode))
        add_device (devs, rdev, dst, &st, perms);
      else
        return lcr_error_invalid (
            err, "error gathering device information while adding custom device \"%s\": not a device node", src);
    }
  return 0;
}
