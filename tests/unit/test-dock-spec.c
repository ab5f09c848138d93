/* Unit tests for dock's config.json builder: users and groups resolved inside a fake rootfs
   (hostile symlinks included), docker's capabilities, masked paths, mounts, namespaces,
   resources, devices, rlimits, and seccomp (the default profile compared with a real docker
   profile, docker-format conversion).  Every built spec is also parsed and validated by berth's
   own loader, and its seccomp compiled by berth, so what dock writes is what berth accepts. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/create.h"
#include "container/spec-internal.h"
#include "linux.h"
#include "spec.h"
#include "tap.h"

static char tmp[] = "/tmp/dock-spec-test.XXXXXX";
static char rootfs[512];
/* what the lifecycle found for --pid / --ipc container:X (container/share.c), when set */
static bool with_shared_ns;
static const char *ID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

static char *
J (const char *s)
{
  char *r = xstrdup (s);
  for (char *c = r; *c; c++)
    if (*c == '\'')
      *c = '"';
  return r;
}

#define is_json(v, want, ...)                                                                                          \
  do                                                                                                                   \
    {                                                                                                                  \
      char *jg_ = jv_dump (v, false);                                                                                  \
      char *jw_ = J (want);                                                                                            \
      is_str (jg_, jw_, __VA_ARGS__);                                                                                  \
      free (jg_);                                                                                                      \
      free (jw_);                                                                                                      \
    }                                                                                                                  \
  while (0)

static void
write_file (const char *dir, const char *name, const char *text)
{
  char path[1024];
  snprintf (path, sizeof path, "%s/%s", dir, name);
  lcr_error_t err = NULL;
  if (lcr_write_file_at (AT_FDCWD, path, text, strlen (text), 0644, &err) < 0)
    {
      printf ("# write %s: %s\n", path, err->msg);
      abort ();
    }
}

static void
mk (const char *fmt, ...)
{
  char path[1024];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (path, sizeof path, fmt, ap);
  va_end (ap);
  lcr_error_t err = NULL;
  if (lcr_mkdir_p (path, 0755, &err) < 0)
    abort ();
}

static const char *passwd_text = "root:x:0:0:root:/root:/bin/sh\n"
                                 "# a comment\n"
                                 "www:x:33:33:www:/var/www:/bin/false\n"
                                 "app:x:1000:1000:App:/home/app:/bin/sh\n"
                                 "broken line without fields\n";
static const char *group_text = "root:x:0:\n"
                                "www:x:33:\n"
                                "audio:x:29:app\n"
                                "staff:x:50:www, app\n"
                                "app:x:1000:\n";

/* ---- users ---- */

struct user_res
{
  long long uid, gid;
  char *gids; /* JSON of additionalGids or "" */
  char *home;
  char *err;
};

static struct user_res
resolve (const char *root, const char *user, const char *group_add_json)
{
  struct user_res r = {-1, -1, NULL, NULL, NULL};
  lcr_error_t err = NULL;
  cleanup_jv jv ga = NULL;
  if (group_add_json)
    {
      cleanup_free char *j = J (group_add_json);
      ga = jv_parse (j, strlen (j), "ga", &err);
    }
  jv u = NULL;
  char *home = NULL;
  if (dock_spec_user (root, user, ga, &u, &home, &err) < 0)
    {
      r.err = xstrdup (err->msg);
      lcr_error_release (&err);
      return r;
    }
  r.uid = jv_get_int (u, "uid", -1);
  r.gid = jv_get_int (u, "gid", -1);
  jv g = jv_get (u, "additionalGids");
  r.gids = g ? jv_dump (g, false) : xstrdup ("");
  r.home = home;
  jv_free (u);
  return r;
}

static void
user_is (const char *root, const char *user, const char *ga, long long uid, long long gid, const char *gids,
         const char *home)
{
  struct user_res r = resolve (root, user, ga);
  if (!ok (r.err == NULL && r.uid == uid && r.gid == gid && strcmp (r.gids, gids) == 0
               && (home == NULL || strcmp (r.home, home) == 0),
           "user \"%s\"%s%s → %lld:%lld %s", user, ga ? " + " : "", ga ? ga : "", uid, gid, gids))
    printf ("#   got %lld:%lld [%s] home %s err %s\n", r.uid, r.gid, r.gids ? r.gids : "", r.home ? r.home : "",
            r.err ? r.err : "");
  free (r.gids);
  free (r.home);
  free (r.err);
}

static void
user_fails (const char *root, const char *user, const char *ga, const char *msg)
{
  struct user_res r = resolve (root, user, ga);
  if (!ok (r.err && strstr (r.err, msg), "user \"%s\" fails: %s", user, msg))
    printf ("#   got %lld:%lld err %s\n", r.uid, r.gid, r.err ? r.err : "(none)");
  free (r.gids);
  free (r.home);
  free (r.err);
}

static void
test_users (void)
{
  user_is (rootfs, "", NULL, 0, 0, "", "/root");
  user_is (rootfs, "root", NULL, 0, 0, "", "/root");
  user_is (rootfs, "app", NULL, 1000, 1000, "[29,50]", "/home/app");
  user_is (rootfs, "1000", NULL, 1000, 1000, "[29,50]", "/home/app");
  user_is (rootfs, "2000", NULL, 2000, 0, "", "/");
  user_is (rootfs, "app:staff", NULL, 1000, 50, "", NULL);
  user_is (rootfs, "app:4000", NULL, 1000, 4000, "", NULL);
  user_is (rootfs, "2000:3000", NULL, 2000, 3000, "", NULL);
  user_is (rootfs, "www", "['audio','777','staff']", 33, 33, "[50,29,777]", "/var/www");
  user_fails (rootfs, "nobody", NULL, "unable to find user nobody: no matching entries in passwd file");
  user_fails (rootfs, "app:nogroup", NULL, "unable to find group nogroup: no matching entries in group file");
  user_fails (rootfs, "root", "['nogroup']", "Unable to find group nogroup");
  user_fails (rootfs, "99999999999", NULL, "uids and gids must be in range");

  /* hostile images: /etc/passwd and /etc/group pointing out of the rootfs */
  char host[600], evil[600], evil2[600], fifo[600], inside[600];
  snprintf (host, sizeof host, "%s/host", tmp);
  mk ("%s", host);
  write_file (host, "passwd", "app:x:4242:4242::/:/bin/sh\nroot:x:0:0::/:/bin/sh\n");
  write_file (host, "group", "staff:x:4343:app\n");
  snprintf (evil, sizeof evil, "%s/evil", tmp);
  mk ("%s/etc", evil);
  char target[700], link[700];
  snprintf (target, sizeof target, "%s/passwd", host);
  snprintf (link, sizeof link, "%s/etc/passwd", evil);
  ok (symlink (target, link) == 0, "hostile rootfs: /etc/passwd → %s (absolute)", target);
  snprintf (link, sizeof link, "%s/etc/group", evil);
  ok (symlink ("../../host/group", link) == 0, "hostile rootfs: /etc/group → ../../host/group");
  user_fails (evil, "app", NULL, "unable to find user app: no matching entries in passwd file");
  user_fails (evil, "0:staff", NULL, "unable to find group staff");
  /* the same with a relative link for passwd */
  snprintf (evil2, sizeof evil2, "%s/evil2", tmp);
  mk ("%s/etc", evil2);
  snprintf (link, sizeof link, "%s/etc/passwd", evil2);
  ok (symlink ("../../host/passwd", link) == 0, "hostile rootfs: /etc/passwd → ../../host/passwd");
  user_fails (evil2, "app", NULL, "unable to find user app");
  /* a symlink that stays inside the rootfs is followed there */
  snprintf (inside, sizeof inside, "%s/inside", tmp);
  mk ("%s/etc", inside);
  mk ("%s/lib", inside);
  write_file (inside, "lib/passwd", "app:x:7:8::/a:/bin/sh\n");
  snprintf (link, sizeof link, "%s/etc/passwd", inside);
  ok (symlink ("/lib/passwd", link) == 0, "rootfs with /etc/passwd → /lib/passwd (its own)");
  user_is (inside, "app", NULL, 7, 8, "", "/a");
  /* a FIFO must not block */
  snprintf (fifo, sizeof fifo, "%s/fifo", tmp);
  mk ("%s/etc", fifo);
  snprintf (link, sizeof link, "%s/etc/passwd", fifo);
  ok (mkfifo (link, 0600) == 0, "rootfs whose /etc/passwd is a FIFO");
  user_fails (fifo, "app", NULL, "is not a regular file");
  /* no /etc at all: numeric users only */
  char bare[600];
  snprintf (bare, sizeof bare, "%s/bare", tmp);
  mk ("%s", bare);
  user_is (bare, "123:456", NULL, 123, 456, "", "/");
  user_fails (bare, "app", NULL, "unable to find user app");
}

/* ---- the spec ---- */

struct built
{
  jv spec;
  char *err;
};

/* `run FLAGS… IMAGE [CMD…]`, merged with image_json, built with netns (NULL: host) and mounts. */
static struct built
build_full (const char *image_json, const char *netns, const char *mounts_json, bool files, const char *first, ...)
{
  struct built b = {NULL, NULL};
  char *argv[64];
  int argc = 0;
  argv[argc++] = "run";
  va_list ap;
  va_start (ap, first);
  for (const char *a = first; a && argc < 63; a = va_arg (ap, const char *))
    argv[argc++] = (char *)a;
  va_end (ap);
  argv[argc] = NULL;
  struct dock_create_req req;
  lcr_error_t err = NULL;
  cleanup_jv jv image = NULL, mounts = NULL;
  cleanup_free char *ij = J (image_json ? image_json : "{'Cmd':['sh']}");
  cleanup_free char *mj = mounts_json ? J (mounts_json) : NULL;
  int r = dock_create_parse (argc, argv, true, &req, &err);
  if (r == 0)
    {
      image = jv_parse (ij, strlen (ij), "image", &err);
      r = dock_config_merge_image (req.config, image, &err);
    }
  if (r == 0)
    {
      if (mj)
        mounts = jv_parse (mj, strlen (mj), "mounts", &err);
      struct dock_spec_in in = {
          .id = ID,
          .config = req.config,
          .host_config = req.host_config,
          .rootfs = rootfs,
          .netns = netns,
          .pidns = with_shared_ns ? "/proc/42/ns/pid" : NULL,
          .ipcns = with_shared_ns ? "/proc/42/ns/ipc" : NULL,
          .mounts = mounts,
          .hosts = files ? "/tmp/x/hosts" : NULL,
          .hostname = files ? "/tmp/x/hostname" : NULL,
          .resolv_conf = files ? "/tmp/x/resolv.conf" : NULL,
          .init_path = "/usr/libexec/docker-init",
      };
      b.spec = dock_spec_build (&in, &err);
    }
  if (b.spec == NULL)
    b.err = xstrdup (err ? err->msg : "?");
  lcr_error_release (&err);
  dock_create_req_release (&req);
  return b;
}

#define build(...) build_full (NULL, "/run/dock/netns/x", NULL, true, __VA_ARGS__, NULL)

/* berth's loader must accept it, and berth's seccomp compiler must compile its filter */
static void
berth_accepts (jv spec, const char *what)
{
  lcr_error_t err = NULL;
  cleanup_free char *text = jv_dump (spec, false);
  cleanup_spec struct lcr_spec *s = lcr_spec_parse (text, strlen (text), &err);
  if (!ok (s != NULL, "berth parses and validates the spec (%s)", what))
    {
      printf ("#   %s\n", err ? err->msg : "");
      lcr_error_release (&err);
      return;
    }
  if (s->linux_ && s->linux_->seccomp)
    {
      struct lcr_seccomp_prog *prog = NULL;
      int r = lcr_seccomp_compile (s->linux_->seccomp, &prog, &err);
      if (!ok (r == 0 && prog != NULL, "berth compiles its seccomp filter (%s)", what))
        printf ("#   %s\n", err ? err->msg : "");
      lcr_seccomp_prog_free (prog);
      lcr_error_release (&err);
    }
}

static jv
P (jv spec, const char *a, const char *b, const char *c)
{
  jv v = jv_get (spec, a);
  if (b)
    v = jv_get (v, b);
  if (c)
    v = jv_get (v, c);
  return v;
}

static bool
strarr_has (jv arr, const char *s)
{
  for (size_t i = 0; i < jv_len (arr); i++)
    if (jv_as_str (arr->u.array.values[i]) && strcmp (jv_as_str (arr->u.array.values[i]), s) == 0)
      return true;
  return false;
}

static jv
mount_at (jv spec, const char *dst)
{
  jv m = jv_get (spec, "mounts");
  for (size_t i = 0; i < jv_len (m); i++)
    if (strcmp (jv_get_str (m->u.array.values[i], "destination"), dst) == 0)
      return m->u.array.values[i];
  return NULL;
}

static size_t
count_mounts_at (jv spec, const char *dst)
{
  size_t n = 0;
  jv m = jv_get (spec, "mounts");
  for (size_t i = 0; i < jv_len (m); i++)
    n += strcmp (jv_get_str (m->u.array.values[i], "destination"), dst) == 0;
  return n;
}

static bool
has_ns (jv spec, const char *type)
{
  jv ns = P (spec, "linux", "namespaces", NULL);
  for (size_t i = 0; i < jv_len (ns); i++)
    if (strcmp (jv_get_str (ns->u.array.values[i], "type"), type) == 0)
      return true;
  return false;
}

/* Is there a syscalls rule allowing `name` (without conditions)? */
static bool
seccomp_allows (jv spec, const char *name)
{
  jv sys = P (spec, "linux", "seccomp", "syscalls");
  for (size_t i = 0; i < jv_len (sys); i++)
    {
      jv s = sys->u.array.values[i];
      if (strcmp (jv_get_str (s, "action"), "SCMP_ACT_ALLOW") == 0 && jv_get (s, "args") == NULL
          && strarr_has (jv_get (s, "names"), name))
        return true;
    }
  return false;
}

static const char *default_caps_json
    = "['CAP_CHOWN','CAP_DAC_OVERRIDE','CAP_FSETID','CAP_FOWNER','CAP_MKNOD','CAP_NET_RAW','CAP_SETGID','CAP_SETUID',"
      "'CAP_SETFCAP','CAP_SETPCAP','CAP_NET_BIND_SERVICE','CAP_SYS_CHROOT','CAP_KILL','CAP_AUDIT_WRITE']";

static void
test_defaults (void)
{
  struct built b
      = build_full ("{'Entrypoint':['/ep.sh'],'Cmd':['serve'],'Env':['PATH=/opt/bin','X=1'],'WorkingDir':'/srv'}",
                    "/run/dock/netns/x", NULL, true, "-t", "-e", "Y=2", "img", NULL);
  if (!ok (b.spec != NULL, "default spec built"))
    {
      printf ("#   %s\n", b.err);
      return;
    }
  jv s = b.spec;
  berth_accepts (s, "defaults");
  is_str (jv_get_str (s, "ociVersion"), "1.0.2", "ociVersion");
  is_json (P (s, "process", "args", NULL), "['/ep.sh','serve']", "process.args = Entrypoint + Cmd");
  is_json (P (s, "process", "env", NULL),
           "['PATH=/opt/bin','HOSTNAME=0123456789ab','TERM=xterm','Y=2','X=1','HOME=/root']",
           "env: PATH (the image's replaces the default), HOSTNAME, TERM with -t, Env, HOME");
  is_str (jv_get_str (P (s, "process", NULL, NULL), "cwd"), "/srv", "cwd from WorkingDir");
  ok (jv_get_bool (P (s, "process", NULL, NULL), "terminal", false), "terminal with -t");
  is_json (P (s, "process", "user", NULL), "{'uid':0,'gid':0}", "user root");
  is_json (P (s, "process", "capabilities", "bounding"), default_caps_json, "docker's default capabilities (bounding)");
  is_json (P (s, "process", "capabilities", "effective"), default_caps_json, "… effective");
  is_json (P (s, "process", "capabilities", "permitted"), default_caps_json, "… permitted");
  ok (P (s, "process", "capabilities", "inheritable") == NULL && P (s, "process", "capabilities", "ambient") == NULL,
      "no inheritable or ambient capabilities");
  ok (!jv_get_bool (P (s, "process", NULL, NULL), "noNewPrivileges", true), "noNewPrivileges false by default");
  is_int (jv_get_int (P (s, "process", NULL, NULL), "oomScoreAdj", -1), 0, "oomScoreAdj 0");
  is_str (jv_get_str (P (s, "root", NULL, NULL), "path"), rootfs, "root.path = the rootfs");
  ok (!jv_get_bool (P (s, "root", NULL, NULL), "readonly", true), "root writable by default");
  is_str (jv_get_str (s, "hostname"), "0123456789ab", "hostname: the ID's first 12");
  is_str (jv_get_str (P (s, "linux", NULL, NULL), "cgroupsPath"),
          "/dock/"
          "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
          "cgroupsPath /dock/<id>");
  is_json (P (s, "linux", "namespaces", NULL),
           "[{'type':'pid'},{'type':'ipc'},{'type':'uts'},{'type':'mount'},{'type':'cgroup'},"
           "{'type':'network','path':'/run/dock/netns/x'}]",
           "namespaces: pid ipc uts mount cgroup + the netns file");
  is_json (P (s, "linux", "maskedPaths", NULL),
           "['/proc/asound','/proc/acpi','/proc/kcore','/proc/keys','/proc/latency_stats','/proc/timer_list',"
           "'/proc/timer_stats','/proc/sched_debug','/proc/scsi','/sys/firmware','/sys/devices/virtual/powercap']",
           "docker's masked paths");
  is_json (P (s, "linux", "readonlyPaths", NULL),
           "['/proc/bus','/proc/fs','/proc/irq','/proc/sys','/proc/sysrq-trigger']", "docker's read-only paths");
  is_json (
      P (s, "linux", "resources", "devices"),
      "[{'allow':false,'access':'rwm'},{'allow':true,'type':'c','access':'m'},{'allow':true,'type':'b','access':'m'},"
      "{'allow':true,'type':'c','major':1,'minor':3,'access':'rwm'},{'allow':true,'type':'c','major':1,'minor':5,'"
      "access':'rwm'},"
      "{'allow':true,'type':'c','major':1,'minor':7,'access':'rwm'},{'allow':true,'type':'c','major':1,'minor':8,'"
      "access':'rwm'},"
      "{'allow':true,'type':'c','major':1,'minor':9,'access':'rwm'},{'allow':true,'type':'c','major':5,'minor':0,'"
      "access':'rwm'},"
      "{'allow':true,'type':'c','major':5,'minor':1,'access':'rwm'},{'allow':true,'type':'c','major':5,'minor':2,'"
      "access':'rwm'},"
      "{'allow':true,'type':'c','major':136,'access':'rwm'}]",
      "device cgroup: deny all, mknod, null zero full random urandom tty console ptmx pts");
  is_json (P (s, "linux", "devices", NULL), "[]", "no extra device nodes");
  is_json (
      jv_get (s, "mounts"),
      "[{'destination':'/proc','type':'proc','source':'proc','options':['nosuid','noexec','nodev']},"
      "{'destination':'/"
      "dev','type':'tmpfs','source':'tmpfs','options':['nosuid','strictatime','mode=755','size=65536k']},"
      "{'destination':'/dev/"
      "pts','type':'devpts','source':'devpts','options':['nosuid','noexec','newinstance','ptmxmode=0666','mode=0620','"
      "gid=5']},"
      "{'destination':'/sys','type':'sysfs','source':'sysfs','options':['nosuid','noexec','nodev','ro']},"
      "{'destination':'/sys/fs/"
      "cgroup','type':'cgroup','source':'cgroup','options':['nosuid','noexec','nodev','relatime','ro']},"
      "{'destination':'/dev/mqueue','type':'mqueue','source':'mqueue','options':['nosuid','noexec','nodev']},"
      "{'destination':'/dev/"
      "shm','type':'tmpfs','source':'shm','options':['nosuid','noexec','nodev','mode=1777','size=67108864']},"
      "{'destination':'/etc/resolv.conf','type':'bind','source':'/tmp/x/"
      "resolv.conf','options':['rbind','rw','rprivate']},"
      "{'destination':'/etc/hostname','type':'bind','source':'/tmp/x/hostname','options':['rbind','rw','rprivate']},"
      "{'destination':'/etc/hosts','type':'bind','source':'/tmp/x/hosts','options':['rbind','rw','rprivate']}]",
      "mounts: docker's defaults (64m /dev/shm) and the network files");
  ok (P (s, "linux", "seccomp", NULL) != NULL, "seccomp on by default");
  ok (P (s, "process", "rlimits", NULL) == NULL, "no rlimits unless --ulimit");
  jv_free (b.spec);
}

static void
test_process_options (void)
{
  struct built b
      = build ("-u", "app", "--group-add", "www", "--init", "--read-only", "--security-opt", "no-new-privileges:true",
               "--ulimit", "nofile=1024:2048", "--ulimit", "core=-1", "--oom-score-adj", "300", "--sysctl",
               "net.ipv4.ip_forward=1", "-h", "myhost", "--domainname", "example.org", "-w", "/w", "img", "run", "it");
  if (!ok (b.spec != NULL, "spec with process options built"))
    {
      printf ("#   %s\n", b.err);
      return;
    }
  jv s = b.spec;
  berth_accepts (s, "process options");
  is_json (P (s, "process", "args", NULL), "['/sbin/docker-init','--','run','it']", "--init: docker-init -- CMD");
  jv init = mount_at (s, "/sbin/docker-init");
  ok (init && strcmp (jv_get_str (init, "source"), "/usr/libexec/docker-init") == 0
          && strarr_has (jv_get (init, "options"), "ro"),
      "--init: the init binary bound read-only at /sbin/docker-init");
  is_json (P (s, "process", "user", NULL), "{'uid':1000,'gid':1000,'additionalGids':[29,50,33]}",
           "-u app: passwd entry, its groups, --group-add");
  ok (P (s, "process", "capabilities", "bounding") && P (s, "process", "capabilities", "effective") == NULL
          && P (s, "process", "capabilities", "permitted") == NULL,
      "non-root user: bounding set only");
  ok (strarr_has (P (s, "process", "env", NULL), "HOME=/home/app"), "HOME from passwd");
  ok (strarr_has (P (s, "process", "env", NULL), "HOSTNAME=myhost"), "HOSTNAME from -h");
  ok (!strarr_has (P (s, "process", "env", NULL), "TERM=xterm"), "no TERM without -t");
  ok (jv_get_bool (P (s, "root", NULL, NULL), "readonly", false), "--read-only: root.readonly");
  ok (jv_get_bool (P (s, "process", NULL, NULL), "noNewPrivileges", false), "no-new-privileges:true");
  is_json (P (s, "process", "rlimits", NULL),
           "[{'type':'RLIMIT_NOFILE','hard':2048,'soft':1024},"
           "{'type':'RLIMIT_CORE','hard':18446744073709551615,'soft':18446744073709551615}]",
           "rlimits from --ulimit (-1: unlimited)");
  is_int (jv_get_int (P (s, "process", NULL, NULL), "oomScoreAdj", 0), 300, "oomScoreAdj");
  is_json (P (s, "linux", "sysctl", NULL), "{'net.ipv4.ip_forward':'1'}", "linux.sysctl");
  is_str (jv_get_str (s, "hostname"), "myhost", "hostname from -h");
  is_str (jv_get_str (s, "domainname"), "example.org", "domainname");
  is_str (jv_get_str (P (s, "process", NULL, NULL), "cwd"), "/w", "cwd from -w");
  jv rc = mount_at (s, "/etc/hosts");
  ok (rc && strarr_has (jv_get (rc, "options"), "ro"), "--read-only: /etc/hosts bound read-only too");
  jv_free (b.spec);

  b = build ("--security-opt", "no-new-privileges=false", "--security-opt", "no-new-privileges", "-u", "nobody", "img");
  ok (b.spec == NULL && strstr (b.err, "unable to find user nobody: no matching entries in passwd file"),
      "unknown user: docker's error");
  jv_free (b.spec);
  free (b.err);
  b = build_full ("{'Entrypoint':null}", "/n", NULL, false, "img", NULL);
  ok (b.spec == NULL && b.err && strstr (b.err, "No command specified"), "nothing to run: No command specified");
  free (b.err);
}

static void
test_caps_and_privileged (void)
{
  struct built b = build ("--cap-add", "sys_admin", "--cap-add", "CAP_NET_ADMIN", "--cap-drop", "Net_Raw", "img");
  jv s = b.spec;
  if (!ok (s != NULL, "--cap-add / --cap-drop built"))
    {
      printf ("#   %s\n", b.err);
      return;
    }
  berth_accepts (s, "cap-add SYS_ADMIN");
  jv eff = P (s, "process", "capabilities", "effective");
  ok (strarr_has (eff, "CAP_SYS_ADMIN") && strarr_has (eff, "CAP_NET_ADMIN") && !strarr_has (eff, "CAP_NET_RAW")
          && jv_len (eff) == 15,
      "caps: default - NET_RAW + SYS_ADMIN + NET_ADMIN (case-insensitive, with or without CAP_)");
  ok (seccomp_allows (s, "mount") && seccomp_allows (s, "unshare") && seccomp_allows (s, "clone3")
          && seccomp_allows (s, "setns"),
      "seccomp: CAP_SYS_ADMIN allows mount, unshare, setns, clone3");
  jv_free (s);

  b = build ("--cap-drop", "ALL", "--cap-add", "chown", "img");
  is_json (P (b.spec, "process", "capabilities", "bounding"), "['CAP_CHOWN']", "--cap-drop ALL --cap-add chown");
  ok (!seccomp_allows (b.spec, "chroot"), "seccomp: no CAP_SYS_CHROOT, no chroot");
  ok (!seccomp_allows (b.spec, "mount") && !seccomp_allows (b.spec, "clone3"),
      "seccomp: no CAP_SYS_ADMIN: no mount, no unconditional clone/clone3");
  jv_free (b.spec);

  b = build ("--cap-add", "all", "--cap-drop", "NET_RAW", "img");
  jv bnd = P (b.spec, "process", "capabilities", "bounding");
  ok (jv_len (bnd) > 30 && !strarr_has (bnd, "CAP_NET_RAW") && strarr_has (bnd, "CAP_SYS_MODULE"),
      "--cap-add ALL --cap-drop NET_RAW: everything else");
  ok (seccomp_allows (b.spec, "reboot") && seccomp_allows (b.spec, "init_module") && seccomp_allows (b.spec, "ptrace"),
      "seccomp: the capabilities' syscalls come back");
  jv_free (b.spec);

  b = build ("--cap-add", "bogus", "img");
  ok (b.spec == NULL && strstr (b.err, "unknown capability: \"CAP_BOGUS\""), "unknown capability refused");
  free (b.err);

  b = build ("--privileged", "img");
  s = b.spec;
  berth_accepts (s, "privileged");
  long last = -1;
  FILE *f = fopen ("/proc/sys/kernel/cap_last_cap", "re");
  if (f)
    {
      if (fscanf (f, "%ld", &last) != 1)
        last = -1;
      fclose (f);
    }
  /* every capability the kernel has that this process may hold */
  unsigned long long own_bnd = ~0ULL;
  char line[256];
  f = fopen ("/proc/self/status", "re");
  while (f && fgets (line, sizeof line, f))
    if (strncmp (line, "CapBnd:", 7) == 0)
      own_bnd = strtoull (line + 7, NULL, 16);
  if (f)
    fclose (f);
  size_t want = 0;
  for (long i = 0; i <= (last < 0 || last > 40 ? 40 : last); i++)
    want += (own_bnd >> i) & 1;
  is_int (jv_len (P (s, "process", "capabilities", "effective")), want,
          "--privileged: every capability the kernel has and dock may hold");
  ok (P (s, "linux", "seccomp", NULL) == NULL, "--privileged: no seccomp");
  ok (P (s, "linux", "maskedPaths", NULL) == NULL && P (s, "linux", "readonlyPaths", NULL) == NULL,
      "--privileged: no masked or read-only paths");
  is_json (P (s, "linux", "resources", "devices"), "[{'allow':true,'access':'rwm'}]",
           "--privileged: every device allowed");
  ok (jv_len (P (s, "linux", "devices", NULL)) > 0 || access ("/dev/null", F_OK) != 0,
      "--privileged: the host's devices (%zu)", jv_len (P (s, "linux", "devices", NULL)));
  ok (strarr_has (jv_get (mount_at (s, "/sys"), "options"), "rw"), "--privileged: /sys read-write");
  jv_free (s);

  b = build ("--security-opt", "systempaths=unconfined", "img");
  ok (P (b.spec, "linux", "maskedPaths", NULL) == NULL, "systempaths=unconfined: no masked paths");
  jv_free (b.spec);
}

static void
test_mounts_and_ns (void)
{
  struct built b = build_full (
      NULL, NULL,
      "[{'Type':'volume','Source':'/var/lib/dock/volumes/v/_data','Destination':'/data/sub','RW':true},"
      "{'Type':'bind','Source':'/h','Destination':'/data','RW':false,'Propagation':'rslave'}]",
      true, "--tmpfs", "/run:exec,size=1m", "--mount", "type=tmpfs,target=/t,tmpfs-size=1048576,tmpfs-mode=1770",
      "--shm-size", "1g", "--pid", "host", "--ipc", "host", "--uts", "host", "-v", "/h:/etc/hosts", "img", NULL);
  jv s = b.spec;
  if (!ok (s != NULL, "mounts and namespaces built"))
    {
      printf ("#   %s\n", b.err);
      return;
    }
  berth_accepts (s, "mounts");
  jv m = jv_get (s, "mounts");
  size_t i_data = 0, i_sub = 0;
  for (size_t i = 0; i < jv_len (m); i++)
    {
      const char *d = jv_get_str (m->u.array.values[i], "destination");
      if (strcmp (d, "/data") == 0)
        i_data = i;
      if (strcmp (d, "/data/sub") == 0)
        i_sub = i;
    }
  ok (i_data && i_sub && i_data < i_sub, "a parent mount before its child");
  is_json (mount_at (s, "/data"),
           "{'destination':'/data','type':'bind','source':'/h','options':['rbind','ro','rslave']}",
           "bind: rbind, ro when !RW, propagation");
  is_json (mount_at (s, "/data/sub"),
           "{'destination':'/data/sub','type':'bind','source':'/var/lib/dock/volumes/v/"
           "_data','options':['rbind','rw','rprivate']}",
           "volume: rbind rw rprivate");
  is_str (jv_get_str (P (s, "linux", NULL, NULL), "rootfsPropagation"), "rslave",
          "rootfsPropagation rslave for a slave mount");
  is_json (jv_get (mount_at (s, "/run"), "options"), "['nosuid','nodev','exec','size=1m']",
           "--tmpfs: docker's noexec,nosuid,nodev then the user's (exec cancels noexec)");
  is_json (jv_get (mount_at (s, "/t"), "options"), "['noexec','nosuid','nodev','size=1m','mode=1770']",
           "--mount type=tmpfs: size and mode");
  is_json (mount_at (s, "/dev/shm"),
           "{'destination':'/dev/shm','type':'bind','source':'/dev/shm','options':['rbind','rprivate']}",
           "--ipc host: the host's /dev/shm");
  ok (!has_ns (s, "pid") && !has_ns (s, "ipc") && !has_ns (s, "uts") && has_ns (s, "mount") && has_ns (s, "cgroup"),
      "--pid/--ipc/--uts host: those namespaces not created");
  ok (!has_ns (s, "network"), "no netns file: the host's network");
  ok (jv_get (s, "hostname") == NULL, "--uts host: no hostname set");
  /* in->mounts is what the lifecycle resolved; -v /h:/etc/hosts arrives there, so here the
     network file is still added: check the duplicate rule with a resolved mount instead */
  jv_free (s);

  b = build_full (NULL, "/n", "[{'Type':'bind','Source':'/mine','Destination':'/etc/hosts','RW':true}]", true,
                  "--tmpfs", "/dev/shm:size=2m", "--shm-size", "1g", "img", NULL);
  s = b.spec;
  is_int (count_mounts_at (s, "/etc/hosts"), 1, "a user mount at /etc/hosts replaces the generated one");
  is_str (jv_get_str (mount_at (s, "/etc/hosts"), "source"), "/mine", "… it is the user's");
  is_int (count_mounts_at (s, "/dev/shm"), 1, "a user tmpfs at /dev/shm replaces the default");
  ok (strarr_has (jv_get (mount_at (s, "/dev/shm"), "options"), "size=2m"), "… with the user's size");
  jv_free (s);

  b = build ("--shm-size", "1g", "--ipc", "none", "img");
  ok (mount_at (b.spec, "/dev/shm") == NULL, "--ipc none: no /dev/shm");
  jv_free (b.spec);
  b = build ("--shm-size", "1g", "img");
  ok (strarr_has (jv_get (mount_at (b.spec, "/dev/shm"), "options"), "size=1073741824"), "--shm-size 1g");
  jv_free (b.spec);

  b = build ("--pid", "container:abc", "img");
  ok (b.spec == NULL && strstr (b.err, "namespace was not found"), "--pid container:X without its file: refused");
  free (b.err);
  with_shared_ns = true;
  b = build ("--pid", "container:abc", "--ipc", "container:abc", "img");
  with_shared_ns = false;
  if (ok (b.spec != NULL, "--pid/--ipc container:X built"))
    {
      jv ns = P (b.spec, "linux", "namespaces", NULL);
      const char *pidp = NULL, *ipcp = NULL;
      for (size_t i = 0; i < jv_len (ns); i++)
        {
          const char *t = jv_get_str (ns->u.array.values[i], "type");
          if (strcmp (t, "pid") == 0)
            pidp = jv_get_str (ns->u.array.values[i], "path");
          if (strcmp (t, "ipc") == 0)
            ipcp = jv_get_str (ns->u.array.values[i], "path");
        }
      is_str (pidp, "/proc/42/ns/pid", "--pid container:X: joins X's pid namespace file");
      is_str (ipcp, "/proc/42/ns/ipc", "--ipc container:X: joins X's ipc namespace file");
      berth_accepts (b.spec, "namespace paths");
    }
  jv_free (b.spec);
}

static void
test_resources_devices (void)
{
  struct built b
      = build ("-m", "512m", "--memory-reservation", "256m", "--cpus", "1.5", "-c", "512", "--cpuset-cpus", "0",
               "--cpuset-mems", "0", "--pids-limit", "100", "--blkio-weight", "300", "--oom-kill-disable",
               "--cgroup-parent", "/mine", "--device", "/dev/null:/dev/mynull:rw", "img");
  jv s = b.spec;
  if (!ok (s != NULL, "resources built"))
    {
      printf ("#   %s\n", b.err);
      return;
    }
  berth_accepts (s, "resources");
  jv r = P (s, "linux", "resources", NULL);
  is_json (jv_get (r, "memory"),
           "{'limit':536870912,'swap':1073741824,'reservation':268435456,'disableOOMKiller':true}",
           "memory: limit, swap (2 × by default), reservation, OOM killer");
  is_json (jv_get (r, "cpu"), "{'shares':512,'quota':150000,'period':100000,'cpus':'0','mems':'0'}",
           "cpu: --cpus 1.5 → quota 150000 / period 100000, shares, cpuset");
  is_json (jv_get (r, "pids"), "{'limit':100}", "pids.limit");
  is_json (jv_get (r, "blockIO"), "{'weight':300}", "blockIO.weight");
  is_str (jv_get_str (P (s, "linux", NULL, NULL), "cgroupsPath"),
          "/mine/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
          "cgroupsPath under --cgroup-parent");
  jv devs = P (s, "linux", "devices", NULL);
  ok (jv_len (devs) == 1 && strcmp (jv_get_str (devs->u.array.values[0], "path"), "/dev/mynull") == 0
          && jv_get_int (devs->u.array.values[0], "major", 0) == 1
          && jv_get_int (devs->u.array.values[0], "minor", 0) == 3
          && strcmp (jv_get_str (devs->u.array.values[0], "type"), "c") == 0,
      "--device /dev/null:/dev/mynull: a node c 1:3 at /dev/mynull");
  jv rd = jv_get (r, "devices");
  jv last = rd->u.array.values[jv_len (rd) - 1];
  is_json (last, "{'allow':true,'type':'c','major':1,'minor':3,'access':'rw'}", "… and allowed with its permissions");
  jv_free (s);

  b = build ("--device", "/dev/does-not-exist", "img");
  ok (b.spec == NULL
          && strstr (b.err, "error gathering device information while adding custom device \"/dev/does-not-exist\""),
      "a missing device: docker's error");
  free (b.err);
  b = build ("--memory-swap", "-1", "-m", "64m", "img");
  is_int (jv_get_int (P (b.spec, "linux", "resources", "memory"), "swap", 0), -1, "--memory-swap -1: swap -1");
  jv_free (b.spec);
}

/* ---- seccomp ---- */

static char *
fixture (const char *name)
{
  const char *srcdir = getenv ("SRCDIR");
  char *path = NULL;
  if (srcdir)
    {
      xasprintf (&path, "%s/tests/unit/fixtures/%s", srcdir, name);
      return path;
    }
  char exe[4096];
  ssize_t n = readlink ("/proc/self/exe", exe, sizeof exe - 1);
  exe[n > 0 ? n : 0] = '\0';
  const char *dirs[] = {__FILE__, exe};
  for (size_t i = 0; i < 2; i++)
    {
      char *dir = xstrdup (dirs[i]);
      char *slash = strrchr (dir, '/');
      if (slash)
        *slash = '\0';
      free (path);
      xasprintf (&path, "%s/fixtures/%s", slash ? dir : ".", name);
      free (dir);
      if (access (path, R_OK) == 0)
        break;
    }
  return path;
}

/* A profile as a sorted set of "name action errno args" lines: rule order and grouping aside,
   two profiles with the same set filter the same way. */
static char *
canon (jv sc)
{
  size_t cap = 0, n = 0;
  char **lines = NULL;
  jv sys = jv_get (sc, "syscalls");
  for (size_t i = 0; i < jv_len (sys); i++)
    {
      jv s = sys->u.array.values[i];
      cleanup_free char *args = NULL;
      jv a = jv_get (s, "args");
      if (a)
        {
          /* valueTwo 0 is the same as absent */
          cleanup_jv jv c = jv_copy (a);
          for (size_t k = 0; k < jv_len (c); k++)
            if (jv_get_int (c->u.array.values[k], "valueTwo", 0) == 0)
              jv_del (c->u.array.values[k], "valueTwo");
          args = jv_dump (c, false);
        }
      jv names = jv_get (s, "names");
      for (size_t k = 0; k < jv_len (names); k++)
        {
          if (n == cap)
            lines = xrealloc (lines, (cap = cap * 2 + 64) * sizeof *lines);
          xasprintf (&lines[n++], "%s %s %lld %s", jv_as_str (names->u.array.values[k]), jv_get_str (s, "action"),
                     jv_get_int (s, "errnoRet", 0), args ? args : "-");
        }
    }
  for (size_t i = 1; i < n; i++)
    for (size_t k = i; k > 0 && strcmp (lines[k - 1], lines[k]) > 0; k--)
      {
        char *t = lines[k - 1];
        lines[k - 1] = lines[k];
        lines[k] = t;
      }
  char *out = xstrdup ("");
  for (size_t i = 0; i < n; i++)
    {
      char *next = NULL;
      xasprintf (&next, "%s%s\n", out, lines[i]);
      free (out);
      free (lines[i]);
      out = next;
    }
  free (lines);
  char *head = NULL;
  xasprintf (&head, "%s %lld %s\n%s", jv_get_str (sc, "defaultAction"), jv_get_int (sc, "defaultErrnoRet", 0),
             jv_get (sc, "architectures") ? "archs" : "-", out);
  free (out);
  return head;
}

static void
test_seccomp (void)
{
  lcr_error_t err = NULL;
  cleanup_free char *path = fixture ("seccomp-docker-default.json");
  cleanup_jv jv docker = jv_load (path, &err);
  if (!ok (docker != NULL, "docker's rendered default profile loaded (%s)", path))
    return;

  /* our default, for docker's default capabilities, filters as docker's does */
  struct built b = build ("img");
  jv ours = P (b.spec, "linux", "seccomp", NULL);
  cleanup_free char *a = canon (ours), *d = canon (docker);
#if defined(__x86_64__)
  if (!ok (strcmp (a, d) == 0, "default profile = docker's, rule for rule (default capabilities, x86_64)"))
    {
      FILE *f1 = fopen ("/tmp/dock-seccomp-ours.txt", "we"), *f2 = fopen ("/tmp/dock-seccomp-docker.txt", "we");
      if (f1 && f2)
        {
          fputs (a, f1);
          fputs (d, f2);
          printf ("#   diff /tmp/dock-seccomp-ours.txt /tmp/dock-seccomp-docker.txt\n");
        }
      if (f1)
        fclose (f1);
      if (f2)
        fclose (f2);
    }
  is_json (jv_get (ours, "architectures"), "['SCMP_ARCH_X86_64','SCMP_ARCH_X86','SCMP_ARCH_X32']",
           "architectures from the archMap: x86_64 and its sub-architectures");
#else
  ok (1, "# skip the fixture is x86_64's");
  ok (1, "# skip");
#endif
  is_str (jv_get_str (ours, "defaultAction"), "SCMP_ACT_ERRNO", "defaultAction ERRNO");
  is_int (jv_get_int (ours, "defaultErrnoRet", 0), 1, "defaultErrnoRet EPERM");
  jv_free (b.spec);

  /* seccomp=PATH, the file form (docker's CLI inlines it; a path still works) */
  char opt[4200];
  snprintf (opt, sizeof opt, "seccomp=%s", path);
  b = build ("--security-opt", opt, "img");
  if (ok (b.spec != NULL, "--security-opt seccomp=FILE built"))
    {
      cleanup_free char *c = canon (P (b.spec, "linux", "seccomp", NULL));
      ok (strcmp (c, d) == 0, "seccomp=FILE: the file's profile converted");
      berth_accepts (b.spec, "seccomp=FILE");
    }
  else
    printf ("#   %s\n", b.err);
  jv_free (b.spec);

  b = build ("--security-opt", "seccomp=unconfined", "img");
  ok (b.spec && P (b.spec, "linux", "seccomp", NULL) == NULL, "seccomp=unconfined: no filter");
  jv_free (b.spec);

  /* docker's format: archMap, name, includes/excludes */
  const char *prof = "{'defaultAction':'SCMP_ACT_ERRNO','archMap':[{'architecture':'SCMP_ARCH_X86_64',"
                     "'subArchitectures':['SCMP_ARCH_X86']},{'architecture':'SCMP_ARCH_AARCH64','subArchitectures':"
                     "['SCMP_ARCH_ARM']}],'syscalls':["
                     "{'name':'read','action':'SCMP_ACT_ALLOW'},"
                     "{'names':['mount'],'action':'SCMP_ACT_ALLOW','includes':{'caps':['CAP_SYS_ADMIN']}},"
                     "{'names':['kill'],'action':'SCMP_ACT_ALLOW','excludes':{'caps':['CAP_KILL']}},"
                     "{'names':['arch_prctl'],'action':'SCMP_ACT_ALLOW','includes':{'arches':['amd64']}},"
                     "{'names':['breakpoint'],'action':'SCMP_ACT_ALLOW','includes':{'arches':['arm64']}},"
                     "{'names':['ptrace'],'action':'SCMP_ACT_ALLOW','includes':{'minKernel':'4.8'}},"
                     "{'names':['future'],'action':'SCMP_ACT_ALLOW','includes':{'minKernel':'99.0'}},"
                     "{'names':['socket'],'action':'SCMP_ACT_ERRNO','errnoRet':97,'args':[{'index':0,'value':40,"
                     "'valueTwo':0,'op':'SCMP_CMP_EQ'}]}]}";
  cleanup_free char *pj = J (prof);
  cleanup_jv jv p = jv_parse (pj, strlen (pj), "profile", &err);
  cleanup_jv jv caps = jv_arr ();
  jv_push (caps, jv_str ("CAP_KILL"));
  cleanup_jv jv conv = dock_seccomp_convert (p, caps, &err);
#if defined(__x86_64__)
  is_json (conv,
           "{'defaultAction':'SCMP_ACT_ERRNO','architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],'syscalls':["
           "{'names':['read'],'action':'SCMP_ACT_ALLOW'},{'names':['arch_prctl'],'action':'SCMP_ACT_ALLOW'},"
           "{'names':['ptrace'],'action':'SCMP_ACT_ALLOW'},{'names':['socket'],'action':'SCMP_ACT_ERRNO',"
           "'errnoRet':97,'args':[{'index':0,'value':40,'valueTwo':0,'op':'SCMP_CMP_EQ'}]}]}",
           "docker format converted: archMap for this host, 'name', includes/excludes by caps, arch, kernel");
#else
  ok (conv != NULL, "docker format converted");
#endif
  const char *both
      = "{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'name':'a','names':['b'],'action':'SCMP_ACT_ERRNO'}]}";
  cleanup_free char *bj = J (both);
  cleanup_jv jv bp = jv_parse (bj, strlen (bj), "profile", &err);
  cleanup_jv jv bc = dock_seccomp_convert (bp, caps, &err);
  ok (bc == NULL && err && strstr (err->msg, "use either 'name' or 'names'"), "'name' and 'names' together refused");
  lcr_error_release (&err);
  const char *both_arch = "{'defaultAction':'SCMP_ACT_ALLOW','architectures':['SCMP_ARCH_X86'],'archMap':[{"
                          "'architecture':'SCMP_ARCH_X86_64'}]}";
  cleanup_free char *baj = J (both_arch);
  cleanup_jv jv bap = jv_parse (baj, strlen (baj), "profile", &err);
  cleanup_jv jv bac = dock_seccomp_convert (bap, caps, &err);
  ok (bac == NULL && err && strstr (err->msg, "use either 'architectures' or 'archMap'"),
      "'architectures' and 'archMap' together refused");
  lcr_error_release (&err);
}

static void
cleanup_tmp (void)
{
  lcr_error_t err = NULL;
  lcr_rm_rf_at (AT_FDCWD, tmp, &err);
  lcr_error_release (&err);
}

int
main (void)
{
  if (mkdtemp (tmp) == NULL)
    abort ();
  atexit (cleanup_tmp);
  snprintf (rootfs, sizeof rootfs, "%s/rootfs", tmp);
  mk ("%s/etc", rootfs);
  write_file (rootfs, "etc/passwd", passwd_text);
  write_file (rootfs, "etc/group", group_text);

  test_users ();
  test_defaults ();
  test_process_options ();
  test_caps_and_privileged ();
  test_mounts_and_ns ();
  test_resources_devices ();
  test_seccomp ();
  return done_testing ();
}
