/* oci-check: runs as the process of an OCI container and checks, from inside,
   that the container is what its config.json asked for.

   It does not parse JSON: tests/oci/run.sh digests config.json with jq into a
   flat expectations file (argv[1], default /oci/expect), one check per line,
   fields separated by one space, each field escaped like /proc/self/mountinfo
   (\040 for a space, \134 for a backslash, \012 for a newline).

     ns NAME new HOSTINO        /proc/self/ns/NAME differs from the host's
     ns NAME same INO           ... equals INO (shared with the host, or joined by path)
     pid1                       we are PID 1 (new pid namespace)
     hostname NAME              domainname NAME
     uid N   gid N   groups G,G,...|-   umask OCTAL   cwd PATH
     env NAME=VALUE
     nnp 0|1                    NoNewPrivs
     cap SET NAME,NAME,...|-    SET: bounding effective inheritable permitted ambient
     rlimit RLIMIT_X SOFT HARD  oom N   sysctl KEY VALUE
     uidmap C H N   gidmap C H N  (every line present; no other line)
     rootro 0|1                 root.readonly
     mount DEST TYPE SOURCE OPTS    OPTS: comma-joined config options, or -
     bindsrc DEST DEV INO       DEST is the host file DEV:INO (bind mounts)
     masked PATH   readonly PATH
     device PATH TYPE MAJOR MINOR MODE|- UID|- GID|-   (MODE decimal, as in JSON)
     defaultdevs                the runtime-spec default devices and /dev symlinks
     userns 0|1                 set by the runner when a user namespace is used
     cgroupns-root              every /proc/self/cgroup path is / (new cgroup namespace)
     timeoffset CLOCK SECS NSECS    /proc/self/timens_offsets
     personality DOMAIN         LINUX or LINUX32
     sched POLICY NICE PRIORITY     process.scheduler (SCHED_OTHER, ...)
     ioprio CLASS PRIORITY      process.ioPriority (IOPRIO_CLASS_BE, ...)
     cpus LIST                  execCPUAffinity.final, e.g. 0-1,3

   Output is TAP; the exit status is 1 when any check failed.  Build:
   gcc -static -O2 -Wall -Wextra -o oci-check oci-check.c */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <unistd.h>

#define MAXF 16

static int n_tests, n_failed;

static void __attribute__ ((format (printf, 4, 5)))
check (int pass, const char *got, const char *want, const char *fmt, ...)
{
  va_list ap;
  n_tests++;
  printf ("%sok %d - ", pass ? "" : "not ", n_tests);
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  if (!pass)
    {
      n_failed++;
      printf (" # got %s want %s", got ? got : "(none)", want ? want : "(none)");
    }
  printf ("\n");
  fflush (stdout);
}

static char *
fmt (const char *f, ...)
{
  static char bufs[8][512];
  static int i;
  char *b = bufs[i++ % 8];
  va_list ap;
  va_start (ap, f);
  vsnprintf (b, sizeof bufs[0], f, ap);
  va_end (ap);
  return b;
}

/* In place: \ooo octal escapes to bytes. */
static char *
unescape (char *s)
{
  char *r = s, *w = s;
  while (*r)
    {
      if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' && r[3] <= '7')
        {
          *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
          r += 4;
        }
      else
        *w++ = *r++;
    }
  *w = 0;
  return s;
}

static int
split (char *line, char **f, int max, char sep)
{
  int n = 0;
  char *p = line;
  while (n < max)
    {
      f[n++] = p;
      p = strchr (p, sep);
      if (!p)
        break;
      *p++ = 0;
    }
  return n;
}

/* Whole file into a static-lifetime buffer; NULL with errno on failure. */
static char *
slurp (const char *path, ssize_t *len)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  size_t cap = 4096, n = 0;
  char *buf = malloc (cap + 1);
  for (;;)
    {
      if (n == cap)
        buf = realloc (buf, (cap *= 2) + 1);
      ssize_t r = read (fd, buf + n, cap - n);
      if (r < 0)
        {
          int e = errno;
          close (fd);
          free (buf);
          errno = e;
          return NULL;
        }
      if (r == 0)
        break;
      n += (size_t)r;
    }
  close (fd);
  buf[n] = 0;
  if (len)
    *len = (ssize_t)n;
  return buf;
}

static char *
trim (char *s)
{
  size_t n = strlen (s);
  while (n && isspace ((unsigned char)s[n - 1]))
    s[--n] = 0;
  while (isspace ((unsigned char)*s))
    s++;
  return s;
}

/* Value of "Key:" in /proc/self/status. */
static char *
status_field (const char *key)
{
  static char *st;
  static char val[256];
  if (!st)
    st = slurp ("/proc/self/status", NULL);
  if (!st)
    return NULL;
  size_t kl = strlen (key);
  for (char *l = st; l && *l; l = strchr (l, '\n') ? strchr (l, '\n') + 1 : NULL)
    if (strncmp (l, key, kl) == 0 && l[kl] == ':')
      {
        char *e = strchr (l, '\n');
        size_t n = e ? (size_t)(e - l) - kl - 1 : strlen (l + kl + 1);
        if (n >= sizeof val)
          n = sizeof val - 1;
        memcpy (val, l + kl + 1, n);
        val[n] = 0;
        return trim (val);
      }
  return NULL;
}

/* ---- namespaces, identity, process attributes ---- */

static void
check_ns (char **f, int n)
{
  if (n < 4)
    return;
  char link[64], buf[128];
  snprintf (link, sizeof link, "/proc/self/ns/%s", f[1]);
  ssize_t r = readlink (link, buf, sizeof buf - 1);
  char *got = "unreadable";
  if (r > 0)
    {
      buf[r] = 0;
      char *b = strchr (buf, '[');
      got = b ? b + 1 : buf;
      char *e = strchr (got, ']');
      if (e)
        *e = 0;
    }
  if (strcmp (f[2], "new") == 0)
    check (r > 0 && strcmp (got, f[3]) != 0, got, fmt ("!= %s", f[3]), "namespace %s is new", f[1]);
  else
    check (r > 0 && strcmp (got, f[3]) == 0, got, f[3], "namespace %s is the expected one", f[1]);
}

static void
check_groups (const char *want)
{
  gid_t g[256];
  int n = getgroups (256, g);
  /* Compare as sets: sort both sides. */
  int wn = 0;
  long w[256];
  if (strcmp (want, "-") != 0)
    {
      char tmp[1024], *f[256];
      snprintf (tmp, sizeof tmp, "%s", want);
      int k = split (tmp, f, 256, ',');
      for (int i = 0; i < k; i++)
        {
          long v = atol (f[i]);
          int dup = 0;
          for (int j = 0; j < wn; j++)
            dup |= w[j] == v;
          if (!dup)
            w[wn++] = v;
        }
    }
  char gs[1024] = "", ws[1024] = "";
  int pass = n == wn;
  for (int i = 0; i < n; i++)
    {
      int found = 0;
      for (int j = 0; j < wn; j++)
        found |= (long)g[i] == w[j];
      pass &= found;
      snprintf (gs + strlen (gs), sizeof gs - strlen (gs), "%s%u", i ? "," : "", g[i]);
    }
  for (int j = 0; j < wn; j++)
    snprintf (ws + strlen (ws), sizeof ws - strlen (ws), "%s%ld", j ? "," : "", w[j]);
  check (pass, n ? gs : "-", wn ? ws : "-", "additional groups");
}

static const char *const cap_names[] = {
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
};
#define NCAPS (int)(sizeof cap_names / sizeof cap_names[0])

enum
{
  C_BND,
  C_EFF,
  C_INH,
  C_PRM,
  C_AMB,
  C_N
};
static const char *const cap_sets[C_N] = {"bounding", "effective", "inheritable", "permitted", "ambient"};
static const char *const cap_status[C_N] = {"CapBnd", "CapEff", "CapInh", "CapPrm", "CapAmb"};
static uint64_t cap_want[C_N];
static int cap_given;
static long want_uid = -1;
static int want_nnp;

static void
parse_caps (char **f, int n)
{
  if (n < 3)
    return;
  int set = -1;
  for (int i = 0; i < C_N; i++)
    if (strcmp (f[1], cap_sets[i]) == 0)
      set = i;
  if (set < 0)
    return;
  cap_given = 1;
  if (strcmp (f[2], "-") == 0)
    return;
  char *names[128];
  int k = split (f[2], names, 128, ',');
  for (int i = 0; i < k; i++)
    {
      const char *nm = strncmp (names[i], "CAP_", 4) == 0 ? names[i] + 4 : names[i];
      int found = 0;
      for (int c = 0; c < NCAPS; c++)
        if (strcmp (nm, cap_names[c]) == 0)
          {
            cap_want[set] |= 1ULL << c;
            found = 1;
          }
      if (!found)
        check (0, names[i], "a known capability", "capability name in %s", cap_sets[set]);
    }
}

/* The runtime sets the five sets before execve; the kernel then recomputes
   them for a file without file capabilities (capabilities(7)):
     ambient can only hold what is both permitted and inheritable;
     root: P' = bounding | inheritable, E' = P', and with no_new_privs
           P' may not grow beyond the P the runtime set;
     non-root: P' = E' = ambient.  */
static void
check_caps (void)
{
  uint64_t last = 0;
  char *s = slurp ("/proc/sys/kernel/cap_last_cap", NULL);
  int lastcap = s ? atoi (s) : NCAPS - 1;
  free (s);
  for (int c = 0; c <= lastcap && c < 64; c++)
    last |= 1ULL << c;
  uint64_t B = cap_want[C_BND] & last, I = cap_want[C_INH] & last, P = cap_want[C_PRM] & last;
  uint64_t A = cap_want[C_AMB] & P & I, want[C_N];
  uint64_t Pn;
  if (want_uid == 0)
    {
      Pn = B | I;
      if (want_nnp && (Pn & ~P))
        Pn &= P;
      Pn |= A;
      want[C_EFF] = Pn;
    }
  else
    want[C_EFF] = Pn = A;
  want[C_BND] = B;
  want[C_INH] = I;
  want[C_PRM] = Pn;
  want[C_AMB] = A;
  for (int i = 0; i < C_N; i++)
    {
      char *g = status_field (cap_status[i]);
      uint64_t got = g ? strtoull (g, NULL, 16) : ~0ULL;
      check (g && got == want[i], g, fmt ("%016llx", (unsigned long long)want[i]), "capabilities: %s (%s)", cap_sets[i],
             cap_status[i]);
    }
}

static const char *const rlimit_names[] = {
    "CPU",     "FSIZE", "DATA",  "STACK",      "CORE",     "RSS",  "NPROC",  "NOFILE",
    "MEMLOCK", "AS",    "LOCKS", "SIGPENDING", "MSGQUEUE", "NICE", "RTPRIO", "RTTIME",
};

static void
check_rlimit (char **f, int n)
{
  if (n < 4)
    return;
  const char *nm = strncmp (f[1], "RLIMIT_", 7) == 0 ? f[1] + 7 : f[1];
  int res = -1;
  for (int i = 0; i < 16; i++)
    if (strcmp (nm, rlimit_names[i]) == 0)
      res = i;
  struct rlimit rl;
  if (res < 0 || getrlimit (res, &rl) < 0)
    {
      check (0, "unknown", f[1], "rlimit %s", f[1]);
      return;
    }
  unsigned long long ws = strtoull (f[2], NULL, 10), wh = strtoull (f[3], NULL, 10);
  check ((unsigned long long)rl.rlim_cur == ws && (unsigned long long)rl.rlim_max == wh,
         fmt ("%llu/%llu", (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max), fmt ("%llu/%llu", ws, wh),
         "rlimit %s soft/hard", f[1]);
}

static void
check_file_value (const char *path, const char *want, const char *what)
{
  char *s = slurp (path, NULL);
  char norm[4096] = "";
  if (s)
    {
      /* Collapse whitespace runs (multi-value sysctls use tabs). */
      size_t o = 0;
      for (char *p = trim (s); *p && o < sizeof norm - 1; p++)
        if (!isspace ((unsigned char)*p) || (o && norm[o - 1] != ' '))
          norm[o++] = isspace ((unsigned char)*p) ? ' ' : *p;
      norm[o] = 0;
    }
  check (s && strcmp (norm, want) == 0, s ? norm : strerror (errno), want, "%s", what);
  free (s);
}

/* ---- id maps ---- */

static int uidmap_want, gidmap_want;

static void
check_idmap (char **f, int n, const char *file)
{
  if (n < 4)
    return;
  char *s = slurp (file, NULL);
  int found = 0;
  for (char *l = s ? strtok (s, "\n") : NULL; l; l = strtok (NULL, "\n"))
    {
      unsigned long a, b, c;
      if (sscanf (l, "%lu %lu %lu", &a, &b, &c) == 3 && a == strtoul (f[1], NULL, 10) && b == strtoul (f[2], NULL, 10)
          && c == strtoul (f[3], NULL, 10))
        found = 1;
    }
  free (s);
  check (found, "missing", fmt ("%s %s %s", f[1], f[2], f[3]), "%s has %s %s %s", file, f[1], f[2], f[3]);
}

static void
check_idmap_count (const char *file, int want)
{
  char *s = slurp (file, NULL);
  int lines = 0;
  for (char *p = s; p && *p; p++)
    lines += *p == '\n';
  free (s);
  check (lines == want, fmt ("%d", lines), fmt ("%d", want), "%s has exactly the configured lines", file);
}

/* ---- mounts ---- */

struct mnt
{
  char *point, *opts, *optional, *type, *source, *super;
};
static struct mnt mnts[1024];
static int n_mnts;

static void
load_mountinfo (void)
{
  char *s = slurp ("/proc/self/mountinfo", NULL);
  for (char *l = s ? strtok (s, "\n") : NULL; l && n_mnts < 1024; l = strtok (NULL, "\n"))
    {
      char *f[64];
      int n = split (l, f, 64, ' ');
      int dash = -1;
      for (int i = 6; i < n; i++)
        if (strcmp (f[i], "-") == 0)
          {
            dash = i;
            break;
          }
      if (dash < 0 || dash + 3 >= n)
        continue;
      struct mnt *m = &mnts[n_mnts++];
      m->point = unescape (f[4]);
      m->opts = f[5];
      /* Optional fields (shared:N master:N unbindable) joined by commas. */
      char *opt = calloc (1, 256);
      for (int i = 6; i < dash; i++)
        snprintf (opt + strlen (opt), 256 - strlen (opt), "%s%s", i > 6 ? "," : "", f[i]);
      m->optional = opt;
      m->type = f[dash + 1];
      m->source = unescape (f[dash + 2]);
      m->super = f[dash + 3];
    }
}

/* The topmost mount at PATH: the last entry with that mount point. */
static struct mnt *
find_mount (const char *path)
{
  for (int i = n_mnts - 1; i >= 0; i--)
    if (strcmp (mnts[i].point, path) == 0)
      return &mnts[i];
  return NULL;
}

static int
has_opt (const char *list, const char *opt)
{
  size_t l = strlen (opt);
  for (const char *p = list; p && *p;)
    {
      if (strncmp (p, opt, l) == 0 && (p[l] == ',' || p[l] == 0))
        return 1;
      p = strchr (p, ',');
      p = p ? p + 1 : NULL;
    }
  return 0;
}

/* Value of key=value in a comma list, copied; NULL if absent. */
static char *
opt_value (const char *list, const char *key)
{
  static char v[256];
  size_t l = strlen (key);
  for (const char *p = list; p && *p;)
    {
      if (strncmp (p, key, l) == 0 && p[l] == '=')
        {
          const char *e = strchr (p, ',');
          size_t n = e ? (size_t)(e - p) - l - 1 : strlen (p + l + 1);
          if (n >= sizeof v)
            n = sizeof v - 1;
          memcpy (v, p + l + 1, n);
          v[n] = 0;
          return v;
        }
      p = strchr (p, ',');
      p = p ? p + 1 : NULL;
    }
  return NULL;
}

/* tmpfs size in bytes as the kernel stores it (rounded up to pages); -1 for %. */
static long long
size_bytes (const char *s)
{
  char *end;
  long long v = strtoll (s, &end, 10);
  switch (*end)
    {
    case 'k':
    case 'K':
      v <<= 10;
      break;
    case 'm':
    case 'M':
      v <<= 20;
      break;
    case 'g':
    case 'G':
      v <<= 30;
      break;
    case '%':
      return -1;
    default:
      break;
    }
  long pg = sysconf (_SC_PAGESIZE);
  return (v + pg - 1) / pg * pg;
}

static int userns;

/* The mounts whose flags are checked for one config mount: the mount itself, or
   for a cgroup v1 mount (a tmpfs holding one mount per hierarchy) the hierarchies. */
static struct mnt *flag_mnts[64];
static int n_flag_mnts;

/* A flag every one of those mounts must (want=1) or must not (want=0) carry. */
static void
mount_flag (const char *dest, const char *flag, int want)
{
  const char *got = "";
  int pass = 1;
  for (int i = 0; i < n_flag_mnts; i++)
    if (has_opt (flag_mnts[i]->opts, flag) != want)
      {
        pass = 0;
        got = flag_mnts[i]->opts;
      }
  check (pass, got, fmt ("%s%s", want ? "" : "no ", flag), "mount %s: %s%s", dest, want ? "" : "not ", flag);
}

static void
check_mount (char **f, int n)
{
  if (n < 5)
    return;
  const char *dest = f[1], *type = f[2], *source = f[3];
  char *opts = strcmp (f[4], "-") == 0 ? "" : f[4];
  struct mnt *m = find_mount (dest);
  check (m != NULL, "no mount", dest, "mount %s is present", dest);
  if (!m)
    return;
  int bind = strcmp (type, "bind") == 0 || has_opt (opts, "bind") || has_opt (opts, "rbind");
  int cgroup = strcmp (type, "cgroup") == 0 || strcmp (type, "cgroup2") == 0;
  if (!bind)
    {
      /* On cgroup v1 and hybrid hosts a "cgroup" mount is a tmpfs holding one mount per hierarchy. */
      int tok
          = strcmp (m->type, type) == 0
            || (cgroup && (!strcmp (m->type, "cgroup") || !strcmp (m->type, "cgroup2") || !strcmp (m->type, "tmpfs")));
      check (tok, m->type, type, "mount %s: type", dest);
      if (!cgroup && strcmp (source, "-") != 0)
        check (strcmp (m->source, source) == 0, m->source, source, "mount %s: source", dest);
    }

  n_flag_mnts = 0;
  if (cgroup && !strcmp (m->type, "tmpfs"))
    {
      size_t dl = strlen (dest);
      for (int i = 0; i < n_mnts && n_flag_mnts < 64; i++)
        if (!strncmp (mnts[i].point, dest, dl) && mnts[i].point[dl] == '/' && !strchr (mnts[i].point + dl + 1, '/')
            && (!strcmp (mnts[i].type, "cgroup") || !strcmp (mnts[i].type, "cgroup2")))
          flag_mnts[n_flag_mnts++] = &mnts[i];
      check (n_flag_mnts > 0, "none", "one or more", "mount %s: cgroup v1 hierarchies mounted beneath", dest);
    }
  else
    flag_mnts[n_flag_mnts++] = m;

  /* Flags: the last of each pair wins, as with mount(8). -1: not asked. */
  int ro = -1, nosuid = -1, nodev = -1, noexec = -1;
  const char *atime = NULL, *prop = NULL;
  int nodiratime = -1;
  char tmp[1024], *o[128];
  snprintf (tmp, sizeof tmp, "%s", opts);
  int k = *tmp ? split (tmp, o, 128, ',') : 0;
  for (int i = 0; i < k; i++)
    {
      const char *x = o[i];
#define PAIR(on, off, var)                                                                                             \
  if (!strcmp (x, on))                                                                                                 \
    var = 1;                                                                                                           \
  else if (!strcmp (x, off))                                                                                           \
    var = 0;
      PAIR ("ro", "rw", ro)
      PAIR ("nosuid", "suid", nosuid)
      PAIR ("nodev", "dev", nodev)
      PAIR ("noexec", "exec", noexec)
      PAIR ("nodiratime", "diratime", nodiratime)
      if (!strcmp (x, "relatime") || !strcmp (x, "noatime") || !strcmp (x, "strictatime"))
        atime = x;
      if (!strcmp (x, "shared") || !strcmp (x, "rshared"))
        prop = "shared";
      else if (!strcmp (x, "slave") || !strcmp (x, "rslave"))
        prop = "slave";
      else if (!strcmp (x, "private") || !strcmp (x, "rprivate"))
        prop = "private";
      else if (!strcmp (x, "unbindable") || !strcmp (x, "runbindable"))
        prop = "unbindable";
    }
  /* A fresh mount carries exactly the flags asked for; a bind mount may
     inherit more from its source, so only what was asked is checked. */
  if (ro >= 0 || !bind)
    mount_flag (dest, ro == 1 ? "ro" : "rw", 1);
  if (nosuid >= 0 || !bind)
    mount_flag (dest, "nosuid", nosuid == 1);
  if (nodev >= 0 || !bind)
    mount_flag (dest, "nodev", nodev == 1);
  if (noexec >= 0 || !bind)
    mount_flag (dest, "noexec", noexec == 1);
  if (nodiratime >= 0)
    mount_flag (dest, "nodiratime", nodiratime);
  if (atime)
    {
      int pass = 1;
      for (int i = 0; i < n_flag_mnts; i++)
        {
          const char *o = flag_mnts[i]->opts;
          pass &= !strcmp (atime, "strictatime") ? !has_opt (o, "relatime") && !has_opt (o, "noatime")
                                                 : has_opt (o, atime);
        }
      check (pass, m->opts, atime, "mount %s: %s", dest, atime);
    }
  if (prop)
    {
      int sh = strstr (m->optional, "shared:") != NULL, sl = strstr (m->optional, "master:") != NULL,
          ub = strstr (m->optional, "unbindable") != NULL;
      int pass = !strcmp (prop, "shared")       ? sh
                 : !strcmp (prop, "slave")      ? sl
                 : !strcmp (prop, "unbindable") ? ub
                                                : !sh && !sl && !ub;
      check (pass, *m->optional ? m->optional : "private", prop, "mount %s: propagation %s", dest, prop);
    }
  /* Filesystem data the kernel shows back in the super options. */
  static const char *const keys[] = {"size", "mode", "ptmxmode", "nr_inodes", "uid", "gid"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    {
      char *w = opt_value (opts, keys[i]);
      if (!w || bind)
        continue;
      char want[256];
      snprintf (want, sizeof want, "%s", w);
      char *g = opt_value (m->super, keys[i]);
      /* The kernel leaves out values that are its defaults. */
      if (!g && !strcmp (keys[i], "mode"))
        g = !strcmp (m->type, "tmpfs") ? "1777" : !strcmp (m->type, "devpts") ? "600" : NULL;
      if (!g && !strcmp (keys[i], "ptmxmode") && !strcmp (m->type, "devpts"))
        g = "0";
      int pass;
      if (!strcmp (keys[i], "size"))
        {
          if (size_bytes (want) < 0)
            continue;
          pass = g && size_bytes (g) == size_bytes (want);
        }
      else if (!strcmp (keys[i], "mode") || !strcmp (keys[i], "ptmxmode"))
        pass = g && strtoul (g, NULL, 8) == strtoul (want, NULL, 8);
      else if (!strcmp (keys[i], "uid") || !strcmp (keys[i], "gid"))
        {
          if (userns) /* shown as the host id */
            continue;
          pass = g && strtoul (g, NULL, 10) == strtoul (want, NULL, 10);
        }
      else
        pass = g && size_bytes (g) == size_bytes (want);
      check (pass, g ? g : "unset", want, "mount %s: %s", dest, keys[i]);
    }
}

static void
check_bindsrc (char **f, int n)
{
  if (n < 4)
    return;
  struct stat st;
  int r = stat (f[1], &st);
  check (r == 0 && (unsigned long long)st.st_dev == strtoull (f[2], NULL, 10)
             && (unsigned long long)st.st_ino == strtoull (f[3], NULL, 10),
         r == 0 ? fmt ("%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino) : strerror (errno),
         fmt ("%s:%s", f[2], f[3]), "mount %s: is the bind source", f[1]);
}

static void
check_rootro (const char *want)
{
  struct statvfs sv;
  int r = statvfs ("/", &sv);
  int ro = r == 0 && (sv.f_flag & ST_RDONLY);
  check (r == 0 && ro == atoi (want), ro ? "ro" : "rw", atoi (want) ? "ro" : "rw", "root.readonly");
  /* The write itself: a read-only root refuses it with EROFS, a writable one
     never does (it may still refuse it for lack of permission). */
  int fd = open ("/.oci-check-write", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
  int e = errno;
  if (fd >= 0)
    {
      close (fd);
      unlink ("/.oci-check-write");
    }
  if (ro)
    check (fd < 0 && e == EROFS, fd >= 0 ? "created" : strerror (e), "EROFS", "root refuses writes");
  else
    check (fd >= 0 || e != EROFS, strerror (e), "not EROFS", "root accepts writes");
}

static void
check_masked (const char *path)
{
  struct stat st;
  if (lstat (path, &st) < 0)
    {
      check (errno == ENOENT, strerror (errno), "absent or masked", "masked %s (absent)", path);
      return;
    }
  if (S_ISDIR (st.st_mode))
    {
      DIR *d = opendir (path);
      int entries = 0;
      struct dirent *de;
      while (d && (de = readdir (d)))
        entries += strcmp (de->d_name, ".") && strcmp (de->d_name, "..");
      if (d)
        closedir (d);
      check (entries == 0, fmt ("%d entries", entries), "empty or unreadable", "masked %s (directory)", path);
      return;
    }
  ssize_t len = 0;
  char *s = slurp (path, &len);
  check (!s || len == 0, fmt ("%zd bytes", len), "empty or unreadable", "masked %s (file)", path);
  free (s);
}

static void
check_readonly (const char *path)
{
  struct statvfs sv;
  if (statvfs (path, &sv) < 0)
    {
      check (errno == ENOENT, strerror (errno), "absent or ro", "readonly %s (absent)", path);
      return;
    }
  check (sv.f_flag & ST_RDONLY, "rw", "ro", "readonly %s", path);
}

static int
type_ok (mode_t m, char t)
{
  switch (t)
    {
    case 'c':
    case 'u':
      return S_ISCHR (m);
    case 'b':
      return S_ISBLK (m);
    case 'p':
      return S_ISFIFO (m);
    default:
      return 0;
    }
}

static void
check_device (char **f, int n)
{
  if (n < 8)
    return;
  struct stat st;
  const char *path = f[1];
  char t = f[2][0];
  if (stat (path, &st) < 0)
    {
      check (0, strerror (errno), "exists", "device %s exists", path);
      return;
    }
  check (type_ok (st.st_mode, t), fmt ("mode %o", st.st_mode & S_IFMT), f[2], "device %s: type %s", path, f[2]);
  if (t != 'p')
    check (major (st.st_rdev) == strtoul (f[3], NULL, 10) && minor (st.st_rdev) == strtoul (f[4], NULL, 10),
           fmt ("%u:%u", major (st.st_rdev), minor (st.st_rdev)), fmt ("%s:%s", f[3], f[4]), "device %s: %s:%s", path,
           f[3], f[4]);
  if (strcmp (f[5], "-") != 0)
    check ((st.st_mode & 07777) == (strtoul (f[5], NULL, 10) & 07777), fmt ("%04o", st.st_mode & 07777),
           fmt ("%04lo", strtoul (f[5], NULL, 10) & 07777), "device %s: mode", path);
  if (strcmp (f[6], "-") != 0)
    check (st.st_uid == strtoul (f[6], NULL, 10), fmt ("%u", st.st_uid), f[6], "device %s: uid", path);
  if (strcmp (f[7], "-") != 0)
    check (st.st_gid == strtoul (f[7], NULL, 10), fmt ("%u", st.st_gid), f[7], "device %s: gid", path);
}

static void
check_default_devices (void)
{
  static const struct
  {
    const char *path;
    unsigned maj, min;
  } devs[] = {{"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
              {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}};
  for (size_t i = 0; i < sizeof devs / sizeof devs[0]; i++)
    {
      struct stat st;
      int r = stat (devs[i].path, &st);
      check (r == 0 && S_ISCHR (st.st_mode) && major (st.st_rdev) == devs[i].maj && minor (st.st_rdev) == devs[i].min,
             r ? strerror (errno)
               : fmt ("%s %u:%u", S_ISCHR (st.st_mode) ? "c" : "not c", major (st.st_rdev), minor (st.st_rdev)),
             fmt ("c %u:%u", devs[i].maj, devs[i].min), "default device %s", devs[i].path);
      if (r == 0)
        check ((st.st_mode & 0777) == 0666, fmt ("%04o", st.st_mode & 07777), "0666", "default device %s: mode",
               devs[i].path);
    }
  static const char *const links[][2] = {{"/dev/fd", "/proc/self/fd"},
                                         {"/dev/stdin", "/proc/self/fd/0"},
                                         {"/dev/stdout", "/proc/self/fd/1"},
                                         {"/dev/stderr", "/proc/self/fd/2"}};
  for (size_t i = 0; i < 4; i++)
    {
      char buf[256];
      ssize_t r = readlink (links[i][0], buf, sizeof buf - 1);
      if (r >= 0)
        buf[r] = 0;
      check (r >= 0 && strcmp (buf, links[i][1]) == 0, r >= 0 ? buf : strerror (errno), links[i][1], "symlink %s",
             links[i][0]);
    }
  /* /dev/ptmx: a symlink to pts/ptmx, or a bind mount of /dev/pts/ptmx. */
  char buf[256];
  ssize_t r = readlink ("/dev/ptmx", buf, sizeof buf - 1);
  struct stat a, b;
  int pass;
  if (r >= 0)
    {
      buf[r] = 0;
      pass = !strcmp (buf, "pts/ptmx") || !strcmp (buf, "/dev/pts/ptmx");
    }
  else
    {
      snprintf (buf, sizeof buf, "not a symlink");
      pass = stat ("/dev/ptmx", &a) == 0 && stat ("/dev/pts/ptmx", &b) == 0 && a.st_ino == b.st_ino
             && a.st_dev == b.st_dev;
    }
  check (pass, buf, "pts/ptmx", "/dev/ptmx is /dev/pts/ptmx");
}

static void
check_cgroupns_root (void)
{
  char *s = slurp ("/proc/self/cgroup", NULL);
  char bad[256] = "";
  for (char *l = s ? strtok (s, "\n") : NULL; l; l = strtok (NULL, "\n"))
    {
      char *p = strrchr (l, ':');
      if (p && strcmp (p + 1, "/") != 0 && !*bad)
        snprintf (bad, sizeof bad, "%s", l);
    }
  check (s && !*bad, s ? bad : strerror (errno), "/ everywhere", "cgroup namespace: /proc/self/cgroup paths are /");
  free (s);
}

static void
check_timeoffset (char **f, int n)
{
  if (n < 4)
    return;
  char *s = slurp ("/proc/self/timens_offsets", NULL);
  char got[64] = "missing";
  for (char *l = s ? strtok (s, "\n") : NULL; l; l = strtok (NULL, "\n"))
    {
      char clk[32];
      long long secs, ns;
      if (sscanf (l, "%31s %lld %lld", clk, &secs, &ns) == 3 && !strcmp (clk, f[1]))
        snprintf (got, sizeof got, "%lld %lld", secs, ns);
    }
  free (s);
  char *want = fmt ("%lld %lld", atoll (f[2]), atoll (f[3]));
  check (!strcmp (got, want), got, want, "time namespace offset %s", f[1]);
}

static int
name_value (const char *name, const char *const *names, const int *values, int n)
{
  for (int i = 0; i < n; i++)
    if (!strcmp (name, names[i]))
      return values[i];
  return -1;
}

static void
check_sched (char **f, int n)
{
  static const char *const names[]
      = {"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_IDLE", "SCHED_DEADLINE"};
  static const int values[] = {0, 1, 2, 3, 5, 6};
  if (n < 4)
    return;
  int want = name_value (f[1], names, values, 6);
  int got = sched_getscheduler (0);
  if (got >= 0)
    got &= ~SCHED_RESET_ON_FORK;
  check (got == want, fmt ("%d", got), fmt ("%d (%s)", want, f[1]), "scheduler policy %s", f[1]);
  errno = 0;
  int nice = getpriority (PRIO_PROCESS, 0);
  check (errno == 0 && nice == atoi (f[2]), fmt ("%d", nice), f[2], "scheduler nice");
  struct sched_param sp = {0};
  sched_getparam (0, &sp);
  check (sp.sched_priority == atoi (f[3]), fmt ("%d", sp.sched_priority), f[3], "scheduler priority");
}

static void
check_ioprio (char **f, int n)
{
  static const char *const names[] = {"IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"};
  static const int values[] = {1, 2, 3};
  if (n < 3)
    return;
  long v = syscall (SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0);
  int cls = name_value (f[1], names, values, 3);
  check (v >= 0 && (v >> 13) == cls && (v & 0xff) == atoi (f[2]), fmt ("class %ld data %ld", v >> 13, v & 0xff),
         fmt ("class %d data %s", cls, f[2]), "ioPriority %s %s", f[1], f[2]);
}

static void
check_cpus (const char *list)
{
  cpu_set_t want, got;
  CPU_ZERO (&want);
  char tmp[1024], *r[256];
  snprintf (tmp, sizeof tmp, "%s", list);
  int k = split (tmp, r, 256, ',');
  for (int i = 0; i < k; i++)
    {
      int a, b;
      int m = sscanf (r[i], "%d-%d", &a, &b);
      for (int c = a; m >= 1 && c <= (m == 2 ? b : a) && c < CPU_SETSIZE; c++)
        CPU_SET (c, &want);
    }
  char gs[1024] = "";
  int r0 = sched_getaffinity (0, sizeof got, &got);
  for (int c = 0; r0 == 0 && c < CPU_SETSIZE; c++)
    if (CPU_ISSET (c, &got))
      snprintf (gs + strlen (gs), sizeof gs - strlen (gs), "%s%d", *gs ? "," : "", c);
  check (r0 == 0 && CPU_EQUAL (&want, &got), gs, list, "execCPUAffinity final");
}

int
main (int argc, char **argv)
{
  const char *path = argc > 1 ? argv[1] : "/oci/expect";
  char *text = slurp (path, NULL);
  if (!text)
    {
      printf ("not ok 1 - read expectations %s # got %s\n1..1\n", path, strerror (errno));
      return 1;
    }
  load_mountinfo ();
  /* Flags first: some checks depend on them wherever they appear in the file. */
  for (char *l = text; *l;)
    {
      char *e = strchr (l, '\n');
      if (!strncmp (l, "userns 1", 8))
        userns = 1;
      else if (!strncmp (l, "uid ", 4))
        want_uid = atol (l + 4);
      else if (!strncmp (l, "nnp 1", 5))
        want_nnp = 1;
      if (!e)
        break;
      l = e + 1;
    }

  char *save;
  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      if (*line == '#' || !*line)
        continue;
      char *f[MAXF];
      int n = split (line, f, MAXF, ' ');
      for (int i = 0; i < n; i++)
        unescape (f[i]);
      const char *k = f[0];
      struct utsname u;
      if (!strcmp (k, "ns"))
        check_ns (f, n);
      else if (!strcmp (k, "pid1"))
        check (getpid () == 1, fmt ("%d", getpid ()), "1", "process is PID 1 of its pid namespace");
      else if (!strcmp (k, "hostname") && n > 1)
        check (uname (&u) == 0 && !strcmp (u.nodename, f[1]), u.nodename, f[1], "hostname");
      else if (!strcmp (k, "domainname") && n > 1)
        check (uname (&u) == 0 && !strcmp (u.domainname, f[1]), u.domainname, f[1], "domainname");
      else if (!strcmp (k, "uid") && n > 1)
        check (getuid () == strtoul (f[1], NULL, 10) && geteuid () == getuid (), fmt ("%u/%u", getuid (), geteuid ()),
               f[1], "uid (real/effective)");
      else if (!strcmp (k, "gid") && n > 1)
        check (getgid () == strtoul (f[1], NULL, 10) && getegid () == getgid (), fmt ("%u/%u", getgid (), getegid ()),
               f[1], "gid (real/effective)");
      else if (!strcmp (k, "groups") && n > 1)
        check_groups (f[1]);
      else if (!strcmp (k, "umask") && n > 1)
        {
          char *g = status_field ("Umask");
          check (g && strtoul (g, NULL, 8) == strtoul (f[1], NULL, 8), g, f[1], "umask");
        }
      else if (!strcmp (k, "cwd") && n > 1)
        {
          char buf[4096];
          char *g = getcwd (buf, sizeof buf);
          check (g && !strcmp (g, f[1]), g ? g : strerror (errno), f[1], "cwd");
        }
      else if (!strcmp (k, "env") && n > 1)
        {
          char *eq = strchr (f[1], '=');
          if (!eq)
            continue;
          *eq = 0;
          const char *g = getenv (f[1]);
          check (g && !strcmp (g, eq + 1), g ? g : "unset", eq + 1, "env %s", f[1]);
        }
      else if (!strcmp (k, "nnp") && n > 1)
        {
          char *g = status_field ("NoNewPrivs");
          check (g && atoi (g) == atoi (f[1]), g, f[1], "noNewPrivileges (NoNewPrivs)");
        }
      else if (!strcmp (k, "cap"))
        parse_caps (f, n);
      else if (!strcmp (k, "rlimit"))
        check_rlimit (f, n);
      else if (!strcmp (k, "oom") && n > 1)
        check_file_value ("/proc/self/oom_score_adj", f[1], "oomScoreAdj");
      else if (!strcmp (k, "sysctl") && n > 2)
        {
          char p[512];
          snprintf (p, sizeof p, "/proc/sys/%s", f[1]);
          for (char *c = p + 10; *c; c++)
            if (*c == '.')
              *c = '/';
          check_file_value (p, f[2], fmt ("sysctl %s", f[1]));
        }
      else if (!strcmp (k, "uidmap"))
        {
          check_idmap (f, n, "/proc/self/uid_map");
          uidmap_want++;
        }
      else if (!strcmp (k, "gidmap"))
        {
          check_idmap (f, n, "/proc/self/gid_map");
          gidmap_want++;
        }
      else if (!strcmp (k, "rootro") && n > 1)
        check_rootro (f[1]);
      else if (!strcmp (k, "mount"))
        check_mount (f, n);
      else if (!strcmp (k, "bindsrc"))
        check_bindsrc (f, n);
      else if (!strcmp (k, "masked") && n > 1)
        check_masked (f[1]);
      else if (!strcmp (k, "readonly") && n > 1)
        check_readonly (f[1]);
      else if (!strcmp (k, "device"))
        check_device (f, n);
      else if (!strcmp (k, "defaultdevs"))
        check_default_devices ();
      else if (!strcmp (k, "userns"))
        ;
      else if (!strcmp (k, "cgroupns-root"))
        check_cgroupns_root ();
      else if (!strcmp (k, "timeoffset"))
        check_timeoffset (f, n);
      else if (!strcmp (k, "personality") && n > 1)
        {
          int p = personality (0xffffffff) & PER_MASK;
          int want = !strcmp (f[1], "LINUX32") ? PER_LINUX32 : !strcmp (f[1], "LINUX") ? PER_LINUX : -1;
          check (p == want, fmt ("%#x", p), fmt ("%#x (%s)", want, f[1]), "personality %s", f[1]);
        }
      else if (!strcmp (k, "sched"))
        check_sched (f, n);
      else if (!strcmp (k, "ioprio"))
        check_ioprio (f, n);
      else if (!strcmp (k, "cpus") && n > 1)
        check_cpus (f[1]);
      else
        check (0, k, "a known expectation", "expectation line understood");
    }
  if (cap_given)
    check_caps ();
  if (uidmap_want)
    check_idmap_count ("/proc/self/uid_map", uidmap_want);
  if (gidmap_want)
    check_idmap_count ("/proc/self/gid_map", gidmap_want);
  printf ("1..%d\n", n_tests);
  return n_failed ? 1 : 0;
}
