/* Unit tests for dock's create request: every `run`/`create` flag into Config / HostConfig
   (docker's field names and types), docker's error messages, `update`'s flags, and the image
   config merge (docker's ENTRYPOINT/CMD table). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/create.h"
#include "tap.h"

/* ---- helpers ---- */

static char *
J (const char *s)
{
  char *r = xstrdup (s);
  for (char *c = r; *c; c++)
    if (*c == '\'')
      *c = '"';
  return r;
}

/* Parse `run ARGS…` (is_run) or `create ARGS…`: 0 ok, -1 error (in *err). */
static int
vparse (bool is_run, struct dock_create_req *req, lcr_error_t *err, va_list ap)
{
  char *argv[128];
  int argc = 0;
  argv[argc++] = is_run ? "run" : "create";
  const char *a;
  while ((a = va_arg (ap, const char *)) != NULL && argc < 127)
    argv[argc++] = (char *)a;
  argv[argc] = NULL;
  return dock_create_parse (argc, argv, is_run, req, err);
}

static int run (struct dock_create_req *req, lcr_error_t *err, ...) __attribute__ ((sentinel));
static int
run (struct dock_create_req *req, lcr_error_t *err, ...)
{
  va_list ap;
  va_start (ap, err);
  int r = vparse (true, req, err, ap);
  va_end (ap);
  return r;
}

static int create (struct dock_create_req *req, lcr_error_t *err, ...) __attribute__ ((sentinel));
static int
create (struct dock_create_req *req, lcr_error_t *err, ...)
{
  va_list ap;
  va_start (ap, err);
  int r = vparse (false, req, err, ap);
  va_end (ap);
  return r;
}

/* The error message of `run ARGS…` ("" when it succeeded). */
static char *run_err (const char *first, ...) __attribute__ ((sentinel));
static char *
run_err (const char *first, ...)
{
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
  int r = dock_create_parse (argc, argv, true, &req, &err);
  dock_create_req_release (&req);
  char *msg = xstrdup (r < 0 && err ? err->msg : "");
  lcr_error_release (&err);
  return msg;
}

#define ERR_HAS(frag, ...)                                                                                             \
  do                                                                                                                   \
    {                                                                                                                  \
      char *m_ = run_err (__VA_ARGS__, NULL);                                                                          \
      if (!ok (strstr (m_, frag) != NULL && *m_, "error for %s: %s", #__VA_ARGS__, frag))                              \
        printf ("#   got \"%s\"\n", m_);                                                                               \
      free (m_);                                                                                                       \
    }                                                                                                                  \
  while (0)

/* compact JSON of a value */
static char *
dump (jv v)
{
  return jv_dump (v, false);
}

#define is_json(v, want, ...)                                                                                          \
  do                                                                                                                   \
    {                                                                                                                  \
      char *jg_ = dump (v);                                                                                            \
      char *jw_ = J (want);                                                                                            \
      is_str (jg_, jw_, __VA_ARGS__);                                                                                  \
      free (jg_);                                                                                                      \
      free (jw_);                                                                                                      \
    }                                                                                                                  \
  while (0)

#define C(key) jv_get (req.config, key)
#define H(key) jv_get (req.host_config, key)

/* ---- tests ---- */

static void
test_basic (void)
{
  struct dock_create_req req;
  lcr_error_t err = NULL;
  int r = run (&req, &err, "-it", "--rm", "--name", "web", "-e", "A=1", "--env=B=2", "busybox", "sh", "-c", "echo hi",
               NULL);
  is_int (r, 0, "run -it --rm --name web: parsed");
  is_str (req.image, "busybox", "IMAGE");
  is_str (req.name, "web", "--name");
  is_str (jv_get_str (req.config, "Image"), "busybox", "Config.Image");
  is_json (C ("Cmd"), "['sh','-c','echo hi']", "Config.Cmd: everything after IMAGE, flags included");
  is_json (C ("Entrypoint"), "null", "Config.Entrypoint null when not given");
  is_json (C ("Env"), "['A=1','B=2']", "Config.Env from -e / --env=");
  ok (jv_get_bool (req.config, "Tty", false), "-t: Tty");
  ok (jv_get_bool (req.config, "OpenStdin", false), "-i: OpenStdin");
  ok (jv_get_bool (req.config, "AttachStdin", false), "-i: AttachStdin");
  ok (jv_get_bool (req.config, "StdinOnce", false), "-i attached: StdinOnce");
  ok (jv_get_bool (req.config, "AttachStdout", false) && jv_get_bool (req.config, "AttachStderr", false),
      "AttachStdout/Stderr by default");
  ok (jv_get_bool (req.host_config, "AutoRemove", false), "--rm: AutoRemove");
  ok (!req.detach && req.sig_proxy, "no -d; --sig-proxy defaults to true");
  is_json (H ("RestartPolicy"), "{'Name':'no','MaximumRetryCount':0}", "RestartPolicy default");
  is_str (jv_get_str (req.host_config, "NetworkMode"), "bridge", "NetworkMode default bridge");
  is_int (jv_get_int (req.host_config, "ShmSize", 0), 64LL << 20, "ShmSize default 64m");
  is_str (jv_get_str (req.host_config, "IpcMode"), "private", "IpcMode default private");
  is_str (req.pull, "missing", "--pull default missing");
  is_json (jv_get (req.host_config, "LogConfig"), "{'Type':'json-file','Config':{}}", "LogConfig default");
  dock_create_req_release (&req);

  r = run (&req, &err, "alpine", NULL);
  is_int (r, 0, "run IMAGE");
  is_json (C ("Cmd"), "null", "Config.Cmd null without a command");
  ok (!jv_get_bool (req.config, "AttachStdin", true) && !jv_get_bool (req.config, "StdinOnce", true),
      "no -i: no stdin");
  dock_create_req_release (&req);

  r = run (&req, &err, "-d", "--sig-proxy=false", "--detach-keys", "ctrl-x", "--cidfile", "/tmp/cid", "alpine", "top",
           NULL);
  is_int (r, 0, "run -d");
  ok (req.detach && !req.sig_proxy, "-d, --sig-proxy=false");
  is_str (req.detach_keys, "ctrl-x", "--detach-keys");
  is_str (req.cidfile, "/tmp/cid", "--cidfile");
  ok (!jv_get_bool (req.config, "AttachStdout", true) && !jv_get_bool (req.config, "AttachStderr", true),
      "-d: nothing attached");
  dock_create_req_release (&req);

  r = run (&req, &err, "-a", "stdout", "-a", "STDIN", "-i", "alpine", NULL);
  ok (r == 0 && jv_get_bool (req.config, "AttachStdin", false) && jv_get_bool (req.config, "AttachStdout", false)
          && !jv_get_bool (req.config, "AttachStderr", true),
      "-a selects streams");
  dock_create_req_release (&req);
  ERR_HAS ("conflicting options: cannot specify both --attach and --detach", "-d", "-a", "stdout", "x");
  ERR_HAS ("invalid argument \"foo\" for \"-a, --attach\" flag: valid streams are STDIN, STDOUT and STDERR", "-a",
           "foo", "x");

  /* create: no -d; same shape otherwise */
  r = create (&req, &err, "-i", "--name", "c1", "alpine", NULL);
  ok (r == 0 && jv_get_bool (req.config, "StdinOnce", false), "create -i: StdinOnce");
  dock_create_req_release (&req);
  r = create (&req, &err, "-d", "alpine", NULL);
  ok (r < 0 && strstr (err->msg, "unknown shorthand flag: 'd'"), "create has no -d");
  lcr_error_release (&err);

  ERR_HAS ("unknown flag: --bogus", "--bogus", "x");
  ERR_HAS ("requires at least 1 argument", "-d");
  ERR_HAS ("Invalid container name (-bad)", "--name", "-bad", "x");
  /* non-interspersed: flags after IMAGE belong to the command */
  r = run (&req, &err, "alpine", "ls", "-l", "--rm", NULL);
  ok (r == 0 && !jv_get_bool (req.host_config, "AutoRemove", true), "flags after IMAGE are the command's");
  is_json (C ("Cmd"), "['ls','-l','--rm']", "Cmd keeps them");
  dock_create_req_release (&req);
}

static void
test_entrypoint_and_process (void)
{
  struct dock_create_req req;
  lcr_error_t err = NULL;
  run (&req, &err, "--entrypoint", "", "img", NULL);
  is_json (C ("Entrypoint"), "[]", "--entrypoint \"\": an empty Entrypoint (reset)");
  dock_create_req_release (&req);
  run (&req, &err, "--entrypoint=/bin/x", "img", "a", NULL);
  is_json (C ("Entrypoint"), "['/bin/x']", "--entrypoint /bin/x");
  dock_create_req_release (&req);

  int r = run (&req, &err, "-w", "/srv", "-u", "app:staff", "-h", "box", "--hostname", "box2", "--domainname",
               "example.org", "--stop-signal", "SIGINT", "--stop-timeout", "30", "-l", "a=b", "--label", "flag",
               "--init", "--read-only", "--privileged", "img", NULL);
  is_int (r, 0, "process flags parsed");
  is_str (jv_get_str (req.config, "WorkingDir"), "/srv", "-w: WorkingDir");
  is_str (jv_get_str (req.config, "User"), "app:staff", "-u: User");
  is_str (jv_get_str (req.config, "Hostname"), "box2", "-h/--hostname: last wins");
  is_str (jv_get_str (req.config, "Domainname"), "example.org", "--domainname");
  is_str (jv_get_str (req.config, "StopSignal"), "SIGINT", "--stop-signal");
  is_int (jv_get_int (req.config, "StopTimeout", 0), 30, "--stop-timeout");
  is_json (C ("Labels"), "{'a':'b','flag':''}", "-l: Labels (bare key: empty value)");
  ok (jv_get_bool (req.host_config, "Init", false), "--init: Init");
  ok (jv_get_bool (req.host_config, "ReadonlyRootfs", false), "--read-only: ReadonlyRootfs");
  ok (jv_get_bool (req.host_config, "Privileged", false), "--privileged: Privileged");
  dock_create_req_release (&req);

  ERR_HAS ("the working directory 'rel' is invalid, it needs to be an absolute path", "-w", "rel", "x");
  ERR_HAS ("invalid argument \"x\" for \"--stop-timeout\" flag", "--stop-timeout", "x", "x");
  ERR_HAS ("invalid environment variable: =v", "-e", "=v", "x");

  /* -e NAME: dock's own value, or kept bare */
  setenv ("DOCK_TEST_VAR", "from-host", 1);
  unsetenv ("DOCK_TEST_UNSET");
  run (&req, &err, "-e", "DOCK_TEST_VAR", "-e", "DOCK_TEST_UNSET", "img", NULL);
  is_json (C ("Env"), "['DOCK_TEST_VAR=from-host','DOCK_TEST_UNSET']", "-e NAME takes the host's value");
  dock_create_req_release (&req);
}

static void
test_files (void)
{
  struct dock_create_req req;
  lcr_error_t err = NULL;
  char dir[] = "/tmp/dock-create-test.XXXXXX";
  if (mkdtemp (dir) == NULL)
    abort ();
  char envf[256], labf[256];
  snprintf (envf, sizeof envf, "%s/env", dir);
  snprintf (labf, sizeof labf, "%s/labels", dir);
  const char *env_text = "# a comment\n\nA=1\n  B=two words\nDOCK_TEST_VAR\nDOCK_TEST_UNSET\nC=\n";
  const char *lab_text = "x=1\n# no\ny\n";
  lcr_write_file_at (AT_FDCWD, envf, env_text, strlen (env_text), 0600, &err);
  lcr_write_file_at (AT_FDCWD, labf, lab_text, strlen (lab_text), 0600, &err);
  setenv ("DOCK_TEST_VAR", "v", 1);
  int r = run (&req, &err, "--env-file", envf, "-e", "A=override", "--label-file", labf, "-l", "x=2", "img", NULL);
  is_int (r, 0, "--env-file / --label-file parsed");
  is_json (C ("Env"), "['A=1','B=two words','DOCK_TEST_VAR=v','C=','A=override']",
           "--env-file: comments skipped, bare names from the host (unset: dropped), then -e");
  is_json (C ("Labels"), "{'x':'2','y':''}", "--label-file then -l");
  dock_create_req_release (&req);

  char missing[300];
  snprintf (missing, sizeof missing, "%s/nope", dir);
  char *m = run_err ("--env-file", missing, "x", NULL);
  ok (strstr (m, missing) && strstr (m, "No such file"), "--env-file missing: names the file (%s)", m);
  free (m);
  const char *bad = "BAD NAME=1\n";
  lcr_write_file_at (AT_FDCWD, envf, bad, strlen (bad), 0600, &err);
  ERR_HAS ("variable 'BAD NAME' contains whitespaces", "--env-file", envf, "x");
  unlink (envf);
  unlink (labf);
  rmdir (dir);
}

static void
test_ports (void)
{
  struct dock_create_req req;
  lcr_error_t err = NULL;
  int r = run (&req, &err, "-p", "80", "-p", "8080:81", "-p", "127.0.0.1:8443:443", "-p", "5353:53/udp", "-p",
               "8000-8001:90-91", "-p", "[::1]:9000:9000", "-p", "127.0.0.1::7000", "-p", "6000-6010:6000", "--expose",
               "3000-3001", "--expose", "4000/udp", "-P", "img", NULL);
  is_int (r, 0, "-p forms parsed");
  jv pb = H ("PortBindings");
  is_json (jv_get (pb, "80/tcp"), "[{'HostIp':'','HostPort':''}]", "-p 80: an ephemeral host port");
  is_json (jv_get (pb, "81/tcp"), "[{'HostIp':'','HostPort':'8080'}]", "-p 8080:81");
  is_json (jv_get (pb, "443/tcp"), "[{'HostIp':'127.0.0.1','HostPort':'8443'}]", "-p ip:host:container");
  is_json (jv_get (pb, "53/udp"), "[{'HostIp':'','HostPort':'5353'}]", "-p 5353:53/udp");
  is_json (jv_get (pb, "90/tcp"), "[{'HostIp':'','HostPort':'8000'}]", "range: first");
  is_json (jv_get (pb, "91/tcp"), "[{'HostIp':'','HostPort':'8001'}]", "range: second");
  is_json (jv_get (pb, "9000/tcp"), "[{'HostIp':'::1','HostPort':'9000'}]", "-p [::1]:9000:9000");
  is_json (jv_get (pb, "7000/tcp"), "[{'HostIp':'127.0.0.1','HostPort':''}]", "-p ip::port");
  is_json (jv_get (pb, "6000/tcp"), "[{'HostIp':'','HostPort':'6000-6010'}]", "host range for one port");
  jv ex = C ("ExposedPorts");
  ok (jv_get (ex, "80/tcp") && jv_get (ex, "53/udp") && jv_get (ex, "91/tcp") && jv_get (ex, "3000/tcp")
          && jv_get (ex, "3001/tcp") && jv_get (ex, "4000/udp"),
      "ExposedPorts: published and --expose'd ports");
  ok (jv_get_bool (req.host_config, "PublishAllPorts", false), "-P: PublishAllPorts");
  dock_create_req_release (&req);

  run (&req, &err, "-p", "80", "-p", "1.2.3.4:8080:80", "img", NULL);
  is_json (jv_get (H ("PortBindings"), "80/tcp"),
           "[{'HostIp':'','HostPort':''},{'HostIp':'1.2.3.4','HostPort':'8080'}]", "two bindings of one port");
  dock_create_req_release (&req);

  ERR_HAS ("invalid proto: xyz", "-p", "80/xyz", "x");
  ERR_HAS ("invalid containerPort: abc", "-p", "8080:abc", "x");
  ERR_HAS ("invalid hostPort: 99999", "-p", "99999:80", "x");
  ERR_HAS ("invalid ranges specified for container and host Ports", "-p", "8000-8002:80-81", "x");
  ERR_HAS ("invalid IP address: 1.2.3", "-p", "1.2.3:80:80", "x");
  ERR_HAS ("invalid range format for --expose", "--expose", "x1", "x");
}

static void
test_storage (void)
{
  struct dock_create_req req;
  lcr_error_t err = NULL;
  int r = run (&req, &err, "-v", "/data", "-v", "vol:/x:ro", "--volume", "/host:/ctr", "-v", "/a:/b:rw,rshared,z",
               "--mount", "type=bind,src=/h,dst=/m,readonly,bind-propagation=rslave", "--mount",
               "type=volume,source=v1,target=/v,volume-nocopy", "--mount",
               "type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1777", "--mount", "type=volume,target=/anon", "--tmpfs",
               "/run:rw,size=64m", "--tmpfs", "/tmp", "img", NULL);
  is_int (r, 0, "volume flags parsed");
  is_json (C ("Volumes"), "{'/data':{}}", "-v /path: Config.Volumes");
  is_json (H ("Binds"), "['vol:/x:ro','/host:/ctr','/a:/b:rw,rshared,z']", "-v src:dst: HostConfig.Binds");
  is_json (
      H ("Mounts"),
      "[{'Type':'bind','Source':'/h','Target':'/m','ReadOnly':true,'BindOptions':{'Propagation':'rslave'}},"
      "{'Type':'volume','Source':'v1','Target':'/v','ReadOnly':false,'VolumeOptions':{'NoCopy':true}},"
      "{'Type':'tmpfs','Target':'/t','Source':'','ReadOnly':false,'TmpfsOptions':{'SizeBytes':1048576,'Mode':1023}},"
      "{'Type':'volume','Target':'/anon','Source':'','ReadOnly':false}]",
      "--mount: HostConfig.Mounts");
  is_json (H ("Tmpfs"), "{'/run':'rw,size=64m','/tmp':''}", "--tmpfs: HostConfig.Tmpfs");
  dock_create_req_release (&req);

  ERR_HAS ("invalid volume specification: 'rel'", "-v", "rel", "x");
  ERR_HAS ("mount path must be absolute", "-v", "/a:rel", "x");
  ERR_HAS ("invalid volume specification: '/foo:rw'", "-v", "/foo:rw", "x");
  ERR_HAS ("invalid mode: bogus", "-v", "/a:/b:bogus", "x");
  ERR_HAS ("invalid mode: ro,rw", "-v", "/a:/b:ro,rw", "x");
  ERR_HAS ("invalid volume specification: 'a:b:c:d'", "-v", "a:b:c:d", "x");
  ERR_HAS ("invalid specification: destination can't be '/'", "-v", "/h:/", "x");
  ERR_HAS ("includes invalid characters for a local volume name", "-v", "./rel:/x", "x");
  ERR_HAS ("invalid argument \"target=/x\" for \"--mount\" flag: type is required", "--mount", "target=/x", "x");
  ERR_HAS ("target is required", "--mount", "type=bind,src=/a", "x");
  ERR_HAS ("unexpected key 'foo' in 'foo=bar'", "--mount", "type=bind,foo=bar", "x");
  ERR_HAS ("invalid field 'bogus' must be a key=value pair", "--mount", "type=bind,bogus", "x");
  ERR_HAS ("field Source must not be empty", "--mount", "type=bind,target=/x", "x");
  ERR_HAS ("cannot mix 'bind-*' options with mount type 'volume'", "--mount",
           "type=volume,target=/x,bind-propagation=shared", "x");
  ERR_HAS ("mount path must be absolute", "--tmpfs", "rel", "x");

  r = run (&req, &err, "--device", "/dev/fuse", "--device", "/dev/sda:/dev/xvda:r", "--device", "/dev/kvm:rw", "img",
           NULL);
  is_int (r, 0, "--device parsed");
  is_json (H ("Devices"),
           "[{'PathOnHost':'/dev/fuse','PathInContainer':'/dev/fuse','CgroupPermissions':'rwm'},"
           "{'PathOnHost':'/dev/sda','PathInContainer':'/dev/xvda','CgroupPermissions':'r'},"
           "{'PathOnHost':'/dev/kvm','PathInContainer':'/dev/kvm','CgroupPermissions':'rw'}]",
           "--device forms");
  dock_create_req_release (&req);
  ERR_HAS ("bad mode specified: rwx", "--device", "/dev/a:/dev/b:rwx", "x");
  ERR_HAS ("bad format for path: dev/a", "--device", "dev/a", "x");
}

static void
test_limits (void)
{
  struct dock_create_req req;
  lcr_error_t err = NULL;
  int r
      = run (&req, &err, "-m", "512m", "--memory-reservation", "256m", "--cpus", "1.5", "-c", "512", "--cpuset-cpus",
             "0-1", "--cpuset-mems", "0", "--pids-limit", "100", "--blkio-weight", "300", "--oom-kill-disable",
             "--oom-score-adj", "-500", "--shm-size", "128m", "--ulimit", "nofile=1024:2048", "--ulimit", "nproc=64",
             "--ulimit", "nofile=10:20", "--sysctl", "net.ipv4.ip_forward=1", "--restart", "on-failure:3", "img", NULL);
  is_int (r, 0, "resource flags parsed");
  is_int (jv_get_int (req.host_config, "Memory", 0), 512LL << 20, "-m 512m: Memory in bytes");
  is_int (jv_get_int (req.host_config, "MemorySwap", 0), 1024LL << 20, "MemorySwap defaults to 2 × Memory");
  is_int (jv_get_int (req.host_config, "MemoryReservation", 0), 256LL << 20, "--memory-reservation");
  is_int (jv_get_int (req.host_config, "NanoCpus", 0), 1500000000LL, "--cpus 1.5: NanoCpus");
  is_int (jv_get_int (req.host_config, "CpuShares", 0), 512, "-c: CpuShares");
  is_str (jv_get_str (req.host_config, "CpusetCpus"), "0-1", "--cpuset-cpus");
  is_str (jv_get_str (req.host_config, "CpusetMems"), "0", "--cpuset-mems");
  is_int (jv_get_int (req.host_config, "PidsLimit", 0), 100, "--pids-limit");
  is_int (jv_get_int (req.host_config, "BlkioWeight", 0), 300, "--blkio-weight");
  ok (jv_get_bool (req.host_config, "OomKillDisable", false), "--oom-kill-disable");
  is_int (jv_get_int (req.host_config, "OomScoreAdj", 0), -500, "--oom-score-adj");
  is_int (jv_get_int (req.host_config, "ShmSize", 0), 128LL << 20, "--shm-size");
  is_json (H ("Ulimits"), "[{'Name':'nproc','Hard':64,'Soft':64},{'Name':'nofile','Hard':20,'Soft':10}]",
           "--ulimit: a later one of a name replaces the earlier");
  is_json (H ("Sysctls"), "{'net.ipv4.ip_forward':'1'}", "--sysctl");
  is_json (H ("RestartPolicy"), "{'Name':'on-failure','MaximumRetryCount':3}", "--restart on-failure:3");
  dock_create_req_release (&req);

  r = run (&req, &err, "-m", "100m", "--memory-swap", "-1", "--cpu-period", "50000", "--cpu-quota", "25000",
           "--restart", "unless-stopped", "img", NULL);
  ok (r == 0 && jv_get_int (req.host_config, "MemorySwap", 0) == -1, "--memory-swap -1: unlimited");
  ok (jv_get_int (req.host_config, "CpuPeriod", 0) == 50000 && jv_get_int (req.host_config, "CpuQuota", 0) == 25000,
      "--cpu-period / --cpu-quota");
  is_str (jv_get_str (jv_get (req.host_config, "RestartPolicy"), "Name"), "unless-stopped", "--restart unless-stopped");
  dock_create_req_release (&req);

  ERR_HAS ("invalid argument \"abc\" for \"-m, --memory\" flag: invalid size: 'abc'", "-m", "abc", "x");
  ERR_HAS ("Minimum memory limit allowed is 6MB", "-m", "1k", "x");
  ERR_HAS ("You should always set the Memory limit when using Memoryswap limit", "--memory-swap", "1g", "x");
  ERR_HAS ("Minimum memoryswap limit should be larger than memory limit", "-m", "1g", "--memory-swap", "512m", "x");
  ERR_HAS ("Minimum memory limit can not be less than memory reservation limit", "-m", "100m", "--memory-reservation",
           "200m", "x");
  ERR_HAS ("invalid argument \"x1\" for \"--cpus\" flag: failed to parse x1 as a rational number", "--cpus", "x1", "x");
  ERR_HAS ("Conflicting options: Nano CPUs and CPU Quota cannot both be set", "--cpus", "1", "--cpu-quota", "5000",
           "x");
  ERR_HAS ("Range of CPUs is from 0.01 to", "--cpus", "100000", "x");
  ERR_HAS ("invalid argument \"lots\" for \"-c, --cpu-shares\" flag: strconv.ParseInt", "-c", "lots", "x");
  ERR_HAS ("CPU cfs period can not be less than 1ms", "--cpu-period", "10", "x");
  ERR_HAS ("Range of blkio weight is from 10 to 1000", "--blkio-weight", "5000", "x");
  ERR_HAS ("Invalid value 0-x for cpuset cpus", "--cpuset-cpus", "0-x", "x");
  ERR_HAS ("invalid argument \"n\" for \"--pids-limit\" flag", "--pids-limit", "n", "x");
  ERR_HAS ("Invalid value -2000, range for oom score adj is [-1000, 1000]", "--oom-score-adj", "-2000", "x");
  ERR_HAS ("invalid argument \"big\" for \"--shm-size\" flag", "--shm-size", "big", "x");
  ERR_HAS ("invalid ulimit argument: nofile", "--ulimit", "nofile", "x");
  ERR_HAS ("invalid ulimit type: bogus", "--ulimit", "bogus=1", "x");
  ERR_HAS ("ulimit soft limit must be less than or equal to hard limit: 20 > 10", "--ulimit", "nofile=20:10", "x");
  ERR_HAS ("invalid argument \"nokey\" for \"--sysctl\" flag", "--sysctl", "nokey", "x");
  ERR_HAS ("invalid restart policy: unknown policy 'sometimes'", "--restart", "sometimes", "x");
  ERR_HAS ("invalid restart policy format: maximum retry count must be an integer", "--restart", "on-failure:x", "x");
  ERR_HAS ("maximum retry count can only be used with 'on-failure'", "--restart", "always:3", "x");
  ERR_HAS ("invalid restart policy format: no policy provided before colon", "--restart", ":3", "x");
  ERR_HAS ("conflicting options: cannot specify both --restart and --rm", "--restart", "always", "--rm", "x");
}

static void
test_security_network (void)
{
  struct dock_create_req req;
  lcr_error_t err = NULL;
  char dir[] = "/tmp/dock-create-sc.XXXXXX";
  if (mkdtemp (dir) == NULL)
    abort ();
  char prof[256];
  snprintf (prof, sizeof prof, "%s/profile.json", dir);
  const char *ptext = "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"syscalls\": []\n}\n";
  lcr_write_file_at (AT_FDCWD, prof, ptext, strlen (ptext), 0600, &err);
  char sopt[300];
  snprintf (sopt, sizeof sopt, "seccomp=%s", prof);
  int r = run (&req, &err, "--cap-add", "sys_admin", "--cap-add=NET_ADMIN", "--cap-drop", "ALL", "--security-opt",
               "no-new-privileges", "--security-opt", "label=disable", "--security-opt", "apparmor=unconfined",
               "--security-opt", sopt, "--group-add", "audio", "--group-add", "1234", "img", NULL);
  is_int (r, 0, "security flags parsed");
  is_json (H ("CapAdd"), "['sys_admin','NET_ADMIN']", "--cap-add: CapAdd as given");
  is_json (H ("CapDrop"), "['ALL']", "--cap-drop: CapDrop");
  is_json (H ("SecurityOpt"),
           "['no-new-privileges','label=disable','apparmor=unconfined','seccomp={\\'defaultAction\\':\\'SCMP_ACT_"
           "ALLOW\\',\\'syscalls\\':[]}']",
           "--security-opt: seccomp=PATH inlined as the profile's JSON");
  is_json (H ("GroupAdd"), "['audio','1234']", "--group-add");
  dock_create_req_release (&req);
  unlink (prof);
  rmdir (dir);
  ERR_HAS ("opening seccomp profile (/nonexistent/p.json) failed", "--security-opt", "seccomp=/nonexistent/p.json",
           "x");
  ERR_HAS ("invalid --security-opt: \"bogus\"", "--security-opt", "bogus", "x");
  ERR_HAS ("invalid --security-opt 2: \"no-new-privileges:maybe\"", "--security-opt", "no-new-privileges:maybe", "x");

  r = run (&req, &err, "--network", "mynet", "--ip", "10.1.2.3", "--ip6", "fd00::3", "--network-alias", "db",
           "--mac-address", "92:d0:c6:0a:29:33", "--dns", "1.1.1.1", "--dns", "::1", "--dns-search", "example.org",
           "--dns-option", "ndots:2", "--add-host", "h1:10.0.0.1", "--add-host", "h2=::1", "--add-host",
           "gw:host-gateway", "img", NULL);
  is_int (r, 0, "network flags parsed");
  is_str (jv_get_str (req.host_config, "NetworkMode"), "mynet", "--network: NetworkMode");
  is_json (
      req.networking_config,
      "{'EndpointsConfig':{'mynet':{'Aliases':['db'],'IPAMConfig':{'IPv4Address':'10.1.2.3','IPv6Address':'fd00::3'},"
      "'MacAddress':'92:d0:c6:0a:29:33'}}}",
      "--ip / --ip6 / --network-alias / --mac-address: NetworkingConfig");
  is_str (jv_get_str (req.config, "MacAddress"), "92:d0:c6:0a:29:33", "Config.MacAddress");
  is_json (H ("Dns"), "['1.1.1.1','::1']", "--dns");
  is_json (H ("DnsSearch"), "['example.org']", "--dns-search");
  is_json (H ("DnsOptions"), "['ndots:2']", "--dns-option");
  is_json (H ("ExtraHosts"), "['h1:10.0.0.1','h2:::1','gw:host-gateway']", "--add-host (both separators)");
  dock_create_req_release (&req);

  const char *modes[] = {"none", "host", "container:abc", "bridge"};
  for (size_t i = 0; i < 4; i++)
    {
      r = run (&req, &err, "--net", modes[i], "img", NULL);
      ok (r == 0 && strcmp (jv_get_str (req.host_config, "NetworkMode"), modes[i]) == 0, "--net %s", modes[i]);
      dock_create_req_release (&req);
    }
  ERR_HAS ("conflicting options: port publishing and the container type network mode", "--network", "container:a", "-p",
           "80", "x");
  ERR_HAS ("conflicting options: hostname and the network mode", "--network", "container:a", "-h", "n", "x");
  ERR_HAS ("cannot attach both user-defined and non-user-defined network-modes", "--network", "host", "--network", "n2",
           "x");
  ERR_HAS ("invalid argument \"300.1.1.1\" for \"--ip\" flag", "--ip", "300.1.1.1", "x");
  ERR_HAS ("zz is not a valid mac address", "--mac-address", "zz", "x");
  ERR_HAS ("invalid argument \"dns.example\" for \"--dns\" flag: dns.example is not an ip address", "--dns",
           "dns.example", "x");
  ERR_HAS ("bad format for add-host: \"nohost\"", "--add-host", "nohost", "x");
  ERR_HAS ("invalid IP address in add-host: \"x.y\"", "--add-host", "h:x.y", "x");

  r = run (&req, &err, "--ipc", "host", "--pid", "host", "--uts", "host", "--userns", "host", "--cgroupns", "host",
           "img", NULL);
  ok (r == 0 && strcmp (jv_get_str (req.host_config, "IpcMode"), "host") == 0
          && strcmp (jv_get_str (req.host_config, "PidMode"), "host") == 0
          && strcmp (jv_get_str (req.host_config, "UTSMode"), "host") == 0
          && strcmp (jv_get_str (req.host_config, "UsernsMode"), "host") == 0
          && strcmp (jv_get_str (req.host_config, "CgroupnsMode"), "host") == 0,
      "--ipc/--pid/--uts/--userns/--cgroupns host");
  dock_create_req_release (&req);
  ERR_HAS ("--ipc: invalid IPC mode", "--ipc", "bogus", "x");
  ERR_HAS ("--pid: invalid PID mode", "--pid", "bogus", "x");
  ERR_HAS ("--uts: invalid UTS mode", "--uts", "bogus", "x");
  ERR_HAS ("--userns: invalid USER mode", "--userns", "keep-id", "x");
  ERR_HAS ("conflicting options: hostname and the UTS mode", "--uts", "host", "-h", "x", "x");
}

static void
test_misc (void)
{
  struct dock_create_req req;
  lcr_error_t err = NULL;
  int r = run (&req, &err, "--health-cmd", "curl -f localhost", "--health-interval", "30s", "--health-timeout", "5s",
               "--health-start-period", "1m", "--health-retries", "3", "img", NULL);
  is_int (r, 0, "health flags parsed");
  is_json (C ("Healthcheck"),
           "{'Test':['CMD-SHELL','curl -f localhost'],'Interval':30000000000,'Timeout':5000000000,"
           "'StartPeriod':60000000000,'StartInterval':0,'Retries':3}",
           "Healthcheck: durations in ns");
  dock_create_req_release (&req);
  r = run (&req, &err, "--no-healthcheck", "img", NULL);
  is_json (C ("Healthcheck"), "{'Test':['NONE']}", "--no-healthcheck: Test [NONE]");
  dock_create_req_release (&req);
  ERR_HAS ("--no-healthcheck conflicts with --health-* options", "--no-healthcheck", "--health-cmd", "x", "x");
  ERR_HAS ("--health-interval cannot be negative", "--health-interval", "-1s", "x");
  ERR_HAS ("invalid argument \"soon\" for \"--health-timeout\" flag", "--health-timeout", "soon", "x");

  r = run (&req, &err, "--log-driver", "none", "--log-opt", "max-size=10m", "--platform", "linux/amd64", "--pull",
           "never", "img", NULL);
#if defined(__x86_64__)
  is_int (r, 0, "--log-driver / --log-opt / --platform linux/amd64 / --pull never");
#else
  ok (1, "--platform linux/amd64 (not this host)");
#endif
  if (r == 0)
    {
      is_json (H ("LogConfig"), "{'Type':'none','Config':{'max-size':'10m'}}", "LogConfig");
      is_str (req.pull, "never", "--pull never");
    }
  dock_create_req_release (&req);
  ERR_HAS ("logger: no log driver named 'syslog' is registered", "--log-driver", "syslog", "x");
  ERR_HAS ("--platform \"linux/s390x\"", "--platform", "linux/s390x", "x");
  ERR_HAS ("invalid pull option: 'sometimes'", "--pull", "sometimes", "x");
  ERR_HAS ("invalid argument \"max-size\" for \"--log-opt\" flag", "--log-opt", "max-size", "x");
}

static void
test_update (void)
{
  lcr_error_t err = NULL;
  char *argv[] = {"update", "--memory", "1g", "c1", "--cpus", "2", "--restart=always", "c2", NULL};
  jv hc = NULL;
  int first = 0;
  int r = dock_update_parse (8, argv, &hc, &first, &err);
  is_int (r, 0, "update flags parsed (interspersed)");
  is_json (hc, "{'Memory':1073741824,'NanoCpus':2000000000,'RestartPolicy':{'Name':'always','MaximumRetryCount':0}}",
           "update: only the fields given");
  ok (first == 6 && strcmp (argv[6], "c1") == 0 && strcmp (argv[7], "c2") == 0, "update: the containers follow");

  cleanup_free char *stored_text = J ("{'Memory':536870912,'MemorySwap':805306368,'CpuShares':5}");
  cleanup_jv jv stored = jv_parse (stored_text, strlen (stored_text), "t", &err);
  r = dock_host_config_update (stored, hc, &err);
  ok (r < 0 && strstr (err->msg, "Memory limit should be smaller than already set memoryswap limit"),
      "update: memory above the stored swap refused");
  lcr_error_release (&err);
  jv_free (hc);

  char *argv2[] = {"update", "-m", "256m", "--pids-limit", "50", "c1", NULL};
  r = dock_update_parse (6, argv2, &hc, &first, &err);
  is_int (r, 0, "update -m 256m --pids-limit 50");
  r = dock_host_config_update (stored, hc, &err);
  is_int (r, 0, "update laid over the stored HostConfig");
  is_json (stored, "{'Memory':268435456,'MemorySwap':805306368,'CpuShares':5,'PidsLimit':50}", "updated HostConfig");
  jv_free (hc);

  char *argv3[] = {"update", "c1", NULL};
  r = dock_update_parse (2, argv3, &hc, &first, &err);
  ok (r < 0 && strstr (err->msg, "you must provide one or more flags"), "update without flags refused");
  lcr_error_release (&err);
  char *argv4[] = {"update", "--cpus", "abc", "c1", NULL};
  r = dock_update_parse (4, argv4, &hc, &first, &err);
  ok (r < 0 && strstr (err->msg, "invalid argument \"abc\" for \"--cpus\" flag"), "update --cpus abc refused");
  lcr_error_release (&err);
}

/* ---- the merge ---- */

static char *
merge (const char *config, const char *image, char **errmsg)
{
  lcr_error_t err = NULL;
  cleanup_free char *c = J (config), *i = J (image);
  cleanup_jv jv cj = jv_parse (c, strlen (c), "config", &err);
  cleanup_jv jv ij = jv_parse (i, strlen (i), "image", &err);
  *errmsg = NULL;
  if (dock_config_merge_image (cj, ij, &err) < 0)
    {
      *errmsg = xstrdup (err->msg);
      lcr_error_release (&err);
      return NULL;
    }
  return dump (cj);
}

#define MERGE_IS(config, image, want, ...)                                                                             \
  do                                                                                                                   \
    {                                                                                                                  \
      char *me_ = NULL;                                                                                                \
      char *mg_ = merge (config, image, &me_);                                                                         \
      char *mw_ = J (want);                                                                                            \
      is_str (mg_ ? mg_ : me_, mw_, __VA_ARGS__);                                                                      \
      free (mg_);                                                                                                      \
      free (me_);                                                                                                      \
      free (mw_);                                                                                                      \
    }                                                                                                                  \
  while (0)

static void
test_merge (void)
{
  const char *img = "{'Entrypoint':['/ep'],'Cmd':['c1']}";
  MERGE_IS ("{'Entrypoint':null,'Cmd':null}", img, "{'Entrypoint':['/ep'],'Cmd':['c1']}",
            "image ENTRYPOINT + CMD, nothing given: both from the image");
  MERGE_IS ("{'Entrypoint':null,'Cmd':['x']}", img, "{'Entrypoint':['/ep'],'Cmd':['x']}",
            "run COMMAND replaces the image's CMD, keeps its ENTRYPOINT");
  MERGE_IS ("{'Entrypoint':['/n'],'Cmd':null}", img, "{'Entrypoint':['/n'],'Cmd':null}",
            "--entrypoint drops the image's CMD");
  MERGE_IS ("{'Entrypoint':['/n'],'Cmd':['x']}", img, "{'Entrypoint':['/n'],'Cmd':['x']}", "--entrypoint and COMMAND");
  MERGE_IS ("{'Entrypoint':[],'Cmd':['x']}", img, "{'Entrypoint':[],'Cmd':['x']}",
            "--entrypoint \"\" + COMMAND: the command alone");
  MERGE_IS ("{'Entrypoint':[''],'Cmd':['x']}", img, "{'Entrypoint':[],'Cmd':['x']}",
            "docker CLI's [\"\"] spelling of the reset");
  MERGE_IS ("{'Entrypoint':[],'Cmd':null}", img, "No command specified", "--entrypoint \"\" alone: nothing to run");
  MERGE_IS ("{'Cmd':null}", "{'Cmd':['sh']}", "{'Cmd':['sh'],'Entrypoint':null}", "image CMD only");
  MERGE_IS ("{'Cmd':null}", "{}", "No command specified", "no command anywhere");
  MERGE_IS ("{'Cmd':null}", "{'Entrypoint':['/e'],'Cmd':null}", "{'Cmd':null,'Entrypoint':['/e']}",
            "image ENTRYPOINT only");

  MERGE_IS ("{'Cmd':['x'],'Env':['A=own','C=3']}", "{'Env':['PATH=/bin','A=img','B=2']}",
            "{'Cmd':['x'],'Env':['A=own','C=3','PATH=/bin','B=2'],'Entrypoint':null}",
            "Env by key: the container's first and winning, then the image's others");
  MERGE_IS ("{'Cmd':['x'],'WorkingDir':'','User':''}", "{'WorkingDir':'/app','User':'app','StopSignal':'SIGQUIT'}",
            "{'Cmd':['x'],'WorkingDir':'/app','User':'app','Entrypoint':null,'StopSignal':'SIGQUIT'}",
            "WorkingDir / User / StopSignal from the image when unset");
  MERGE_IS ("{'Cmd':['x'],'WorkingDir':'/own','User':'me'}", "{'WorkingDir':'/app','User':'app'}",
            "{'Cmd':['x'],'WorkingDir':'/own','User':'me','Entrypoint':null}", "… and not when set");
  MERGE_IS ("{'Cmd':['x'],'ExposedPorts':{'80/tcp':{}},'Volumes':{'/a':{}}}",
            "{'ExposedPorts':{'443/tcp':{},'80/tcp':{}},'Volumes':{'/b':{}}}",
            "{'Cmd':['x'],'ExposedPorts':{'80/tcp':{},'443/tcp':{}},'Volumes':{'/a':{},'/b':{}},'Entrypoint':null}",
            "ExposedPorts and Volumes unioned");
  MERGE_IS ("{'Cmd':['x'],'Labels':{'a':'own','c':'3'}}", "{'Labels':{'a':'img','b':'2'}}",
            "{'Cmd':['x'],'Labels':{'a':'own','b':'2','c':'3'},'Entrypoint':null}",
            "Labels: the image's, then the container's over them");
  MERGE_IS (
      "{'Cmd':['x'],'Healthcheck':{'Test':[],'Interval':5,'Timeout':0,'Retries':0}}",
      "{'Healthcheck':{'Test':['CMD','true'],'Interval':1,'Timeout':2,'Retries':3}}",
      "{'Cmd':['x'],'Healthcheck':{'Test':['CMD','true'],'Interval':5,'Timeout':2,'Retries':3},'Entrypoint':null}",
      "Healthcheck merged field by field");
  MERGE_IS ("{'Cmd':['x'],'Healthcheck':{'Test':['NONE']}}", "{'Healthcheck':{'Test':['CMD','true'],'Interval':1}}",
            "{'Cmd':['x'],'Healthcheck':{'Test':['NONE'],'Interval':1},'Entrypoint':null}",
            "the container's NONE stays (the check is disabled)");
  MERGE_IS ("{'Cmd':['x']}", "{'Healthcheck':{'Test':['CMD','true']}}",
            "{'Cmd':['x'],'Entrypoint':null,'Healthcheck':{'Test':['CMD','true']}}", "image Healthcheck when none");

  /* end to end: flags, then the image */
  struct dock_create_req req;
  lcr_error_t err = NULL;
  run (&req, &err, "--entrypoint", "/bin/echo", "img", NULL);
  cleanup_free char *it = J ("{'Entrypoint':['/docker-entrypoint.sh'],'Cmd':['nginx','-g','daemon off;']}");
  cleanup_jv jv ij = jv_parse (it, strlen (it), "image", &err);
  is_int (dock_config_merge_image (req.config, ij, &err), 0, "run --entrypoint /bin/echo img: merged");
  is_json (C ("Entrypoint"), "['/bin/echo']", "Entrypoint from the flag");
  is_json (C ("Cmd"), "null", "the image's Cmd dropped");
  dock_create_req_release (&req);
}

int
main (void)
{
  test_basic ();
  test_entrypoint_and_process ();
  test_files ();
  test_ports ();
  test_storage ();
  test_limits ();
  test_security_network ();
  test_misc ();
  test_update ();
  test_merge ();
  return done_testing ();
}
