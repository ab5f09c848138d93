/* dock — a container's output and processes: logs, attach, exec, top, port. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "container/attach.h"
#include "container/lifecycle.h"
#include "container/record.h"
#include "container/shim.h"
#include "container/spec-internal.h"
#include "container/spec.h"
#include "store/store.h"

/* ------------------------------------------------------------------ logs */

/* a --since / --until value: RFC 3339, a unix timestamp (with fraction), or a duration back
   from now ("10m", "1h30m") */
static long long
parse_time_arg (const char *s, long long now)
{
  if (s == NULL)
    return -1;
  long long t = dock_parse_rfc3339 (s);
  if (t >= 0)
    return t;
  char *end;
  double v = strtod (s, &end);
  if (end != s && (*end == '\0' || *end == '.'))
    return (long long)v;
  long long d = dock_parse_duration (s);
  if (d >= 0)
    return now - d / 1000000000LL;
  return -2;
}

struct log_opts
{
  bool timestamps;
  long long tail; /* -1: all */
  long long since, until;
};

/* One k8s-file line: "TIME STREAM TAG TEXT".  Partial (P) pieces are joined up to the F. */
struct log_line
{
  char *ts;
  int stream; /* 1 stdout, 2 stderr */
  char *text; /* without the newline */
  bool partial;
};

static bool
parse_log_line (char *line, struct log_line *out)
{
  char *s1 = strchr (line, ' ');
  if (s1 == NULL)
    return false;
  char *s2 = strchr (s1 + 1, ' ');
  if (s2 == NULL)
    return false;
  char *s3 = strchr (s2 + 1, ' ');
  *s1 = *s2 = '\0';
  out->ts = line;
  out->stream = strcmp (s1 + 1, "stderr") == 0 ? 2 : 1;
  if (s3)
    {
      *s3 = '\0';
      out->partial = strcmp (s2 + 1, "P") == 0;
      out->text = s3 + 1;
    }
  else
    {
      out->partial = strcmp (s2 + 1, "P") == 0;
      out->text = s2 + 1 + strlen (s2 + 1);
    }
  return true;
}

static void
emit (const struct log_line *l, const struct log_opts *o, bool first_piece)
{
  FILE *f = l->stream == 2 ? stderr : stdout;
  if (o->timestamps && first_piece)
    {
      /* docker prints RFC 3339 with nanoseconds in UTC */
      size_t n = strlen (l->ts);
      if (n > 6 && strcmp (l->ts + n - 6, "+00:00") == 0)
        fprintf (f, "%.*sZ ", (int)(n - 6), l->ts);
      else
        fprintf (f, "%s ", l->ts);
    }
  fputs (l->text, f);
  if (!l->partial)
    fputc ('\n', f);
}

/* Print the complete lines of buf[0..len) that pass the filters; returns bytes consumed. */
static size_t
print_lines (char *buf, size_t len, const struct log_opts *o, bool *in_partial)
{
  size_t used = 0;
  char *p = buf;
  char *nl;
  while ((nl = memchr (p, '\n', len - (size_t)(p - buf))) != NULL)
    {
      *nl = '\0';
      struct log_line l;
      if (parse_log_line (p, &l))
        {
          long long t = dock_parse_rfc3339 (l.ts);
          bool ok = (o->since < 0 || t >= o->since) && (o->until < 0 || t < o->until);
          if (ok)
            emit (&l, o, !*in_partial);
          *in_partial = l.partial;
        }
      used = (size_t)(nl + 1 - buf);
      p = nl + 1;
    }
  fflush (stdout);
  fflush (stderr);
  return used;
}

/* the byte offset where the last `n` logical lines (F-terminated) start */
static size_t
tail_offset (const char *buf, size_t len, long long n)
{
  if (n < 0)
    return 0;
  if (n == 0)
    return len;
  long long seen = 0;
  size_t i = len;
  /* walk back over lines; a line ending a logical line has tag F */
  while (i > 0)
    {
      size_t end = i - 1; /* buf[end] is '\n' */
      size_t start = end;
      while (start > 0 && buf[start - 1] != '\n')
        start--;
      const char *sp = memchr (buf + start, ' ', end - start);
      const char *sp2 = sp ? memchr (sp + 1, ' ', end - (size_t)(sp + 1 - buf)) : NULL;
      bool full = sp2 && sp2[1] == 'F';
      if (full)
        {
          if (seen == n)
            return i;
          seen++;
        }
      i = start;
    }
  return 0;
}

static bool
container_live (struct dock_ctx *ctx, const char *id)
{
  cleanup_error lcr_error_t e = NULL;
  cleanup_jv jv rec = dock_record_load (ctx, id, &e);
  if (rec == NULL)
    return false;
  dock_record_refresh (ctx, rec);
  const char *st = dock_record_status (rec);
  return strcmp (st, "running") == 0 || strcmp (st, "paused") == 0 || strcmp (st, "restarting") == 0;
}

DOCK_CMD (dock_cmd_logs)
{
  bool follow = false, details = false;
  struct log_opts o = {.tail = -1, .since = -1, .until = -1};
  const char *tail = NULL, *since = NULL, *until = NULL;
  const struct dock_opt opts[] = {
      {"details", 0, DOCK_OPT_BOOL, &details, "Show extra details provided to logs", NULL},
      {"follow", 'f', DOCK_OPT_BOOL, &follow, "Follow log output", NULL},
      {"since", 0, DOCK_OPT_STR, &since, "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m)",
       NULL},
      {"tail", 'n', DOCK_OPT_STR, &tail, "Number of lines to show from the end of the logs (default \"all\")", NULL},
      {"timestamps", 't', DOCK_OPT_BOOL, &o.timestamps, "Show timestamps", NULL},
      {"until", 0, DOCK_OPT_STR, &until,
       "Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m)", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  static const struct dock_cmd_usage u = {"dock logs [OPTIONS] CONTAINER", "Fetch the logs of a container", true, 1, 1};
  lcr_error_t err = NULL;
  int first;
  int p = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (p != 0)
    return p > 0 ? 0 : dock_fail (&err);
  long long now = time (NULL);
  if (tail && strcmp (tail, "all") != 0 && (lcr_parse_long (tail, &o.tail) < 0))
    o.tail = -1;
  if ((o.since = parse_time_arg (since, now)) == -2)
    return dock_failf ("invalid value for \"since\": %s", since);
  if ((o.until = parse_time_arg (until, now)) == -2)
    return dock_failf ("invalid value for \"until\": %s", until);
  char id[65];
  if (dock_record_find (ctx, argv[first], id, &err) < 0)
    return dock_fail (&err);
  cleanup_free char *path = dock_path (ctx, "containers/%s/ctr.log", id);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 && !follow)
    return 0; /* never started: no output yet */
  size_t cap = 1 << 16, len = 0;
  char *buf = xmalloc0 (cap);
  bool in_partial = false;
  bool first_pass = true;
  for (;;)
    {
      if (fd < 0)
        fd = open (path, O_RDONLY | O_CLOEXEC);
      bool got = false;
      for (; fd >= 0;)
        {
          if (cap - len < 8192)
            buf = xrealloc (buf, cap *= 2);
          ssize_t r = read (fd, buf + len, cap - len - 1);
          if (r < 0 && errno == EINTR)
            continue;
          if (r <= 0)
            break;
          len += r;
          got = true;
        }
      if (first_pass)
        {
          size_t off = tail_offset (buf, len, o.tail);
          memmove (buf, buf + off, len - off);
          len -= off;
          first_pass = false;
        }
      if (got || len)
        {
          size_t used = print_lines (buf, len, &o, &in_partial);
          memmove (buf, buf + used, len - used);
          len -= used;
        }
      if (!follow)
        break;
      if (!got && !container_live (ctx, id))
        {
          /* one last read: output written just before the exit */
          if (fd >= 0)
            {
              ssize_t r;
              while ((r = read (fd, buf + len, cap - len - 1)) > 0)
                {
                  len += r;
                  if (cap - len < 8192)
                    buf = xrealloc (buf, cap *= 2);
                }
              print_lines (buf, len, &o, &in_partial);
            }
          break;
        }
      if (!got)
        {
          struct timespec ts = {0, 50000000};
          nanosleep (&ts, NULL);
        }
    }
  free (buf);
  if (fd >= 0)
    close (fd);
  return 0;
}

/* ------------------------------------------------------------------ attach */

DOCK_CMD (dock_cmd_attach)
{
  bool no_stdin = false, sig_proxy = true;
  const char *keys = NULL;
  const struct dock_opt opts[] = {
      {"detach-keys", 0, DOCK_OPT_STR, &keys, "Override the key sequence for detaching a container", NULL},
      {"no-stdin", 0, DOCK_OPT_BOOL, &no_stdin, "Do not attach STDIN", NULL},
      {"sig-proxy", 0, DOCK_OPT_BOOL, &sig_proxy, "Proxy all received signals to the process (default true)", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  static const struct dock_cmd_usage u
      = {"dock attach [OPTIONS] CONTAINER",
         "Attach local standard input, output, and error streams to a running container", true, 1, 1};
  lcr_error_t err = NULL;
  int first;
  int p = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (p != 0)
    return p > 0 ? 0 : dock_fail (&err);
  char id[65];
  cleanup_jv jv rec = dock_record_get (ctx, argv[first], id, &err);
  if (rec == NULL)
    return dock_fail (&err);
  if (strcmp (dock_record_status (rec), "running") != 0)
    return dock_failf ("You cannot attach to a stopped container, start it first");
  cleanup_free char *bundle = dock_path (ctx, "containers/%s", id);
  int sock = dock_shim_attach_connect (bundle, &err);
  if (sock < 0)
    return dock_fail (&err);
  jv config = jv_get_obj (rec, "Config");
  cleanup_free char *ctl = dock_path (ctx, "containers/%s/ctl", id);
  struct dock_attach_opts ao = {.stdin_ = !no_stdin && jv_get_bool (config, "OpenStdin", false),
                                .tty = jv_get_bool (config, "Tty", false),
                                .ctl_path = ctl,
                                .detach_keys = keys,
                                .sig_proxy = sig_proxy,
                                .container_id = id};
  int r = dock_attach_proxy (ctx, sock, &ao, &err);
  close (sock);
  if (r < 0)
    return dock_fail (&err);
  if (r == 1)
    return 0;
  int code = 0;
  if (dock_container_wait (ctx, id, 10000, &code, &err) < 0)
    lcr_error_release (&err);
  return code;
}

/* ------------------------------------------------------------------ exec */

DOCK_CMD (dock_cmd_exec)
{
  bool interactive = false, tty = false, detach = false, privileged = false;
  const char *workdir = NULL, *user = NULL, *keys = NULL;
  struct dock_strlist env = {0}, env_files = {0};
  const struct dock_opt opts[] = {
      {"detach", 'd', DOCK_OPT_BOOL, &detach, "Detached mode: run command in the background", NULL},
      {"detach-keys", 0, DOCK_OPT_STR, &keys, "Override the key sequence for detaching a container", NULL},
      {"env", 'e', DOCK_OPT_LIST, &env, "Set environment variables", NULL},
      {"env-file", 0, DOCK_OPT_LIST, &env_files, "Read in a file of environment variables", NULL},
      {"interactive", 'i', DOCK_OPT_BOOL, &interactive, "Keep STDIN open even if not attached", NULL},
      {"privileged", 0, DOCK_OPT_BOOL, &privileged, "Give extended privileges to the command", NULL},
      {"tty", 't', DOCK_OPT_BOOL, &tty, "Allocate a pseudo-TTY", NULL},
      {"user", 'u', DOCK_OPT_STR, &user, "Username or UID (format: \"<name|uid>[:<group|gid>]\")", NULL},
      {"workdir", 'w', DOCK_OPT_STR, &workdir, "Working directory inside the container", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  static const struct dock_cmd_usage u
      = {"dock exec [OPTIONS] CONTAINER COMMAND [ARG...]", "Execute a command in a running container", false, 2, -1};
  lcr_error_t err = NULL;
  int first;
  int p = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (p != 0)
    {
      dock_strlist_free (&env);
      dock_strlist_free (&env_files);
      return p > 0 ? 0 : dock_fail (&err);
    }
  char id[65];
  cleanup_jv jv rec = dock_record_get (ctx, argv[first], id, &err);
  if (rec == NULL)
    return dock_fail (&err);
  const char *st = dock_record_status (rec);
  if (strcmp (st, "paused") == 0)
    return dock_failf ("Container %s is paused, unpause the container before exec", id);
  if (strcmp (st, "running") != 0)
    return dock_failf ("Container %s is not running", id);

  /* the container's own process, with this command, env, cwd, user and terminal */
  cleanup_free char *cfgp = dock_path (ctx, "containers/%s/config.json", id);
  cleanup_jv jv spec = jv_load (cfgp, &err);
  if (spec == NULL)
    return dock_fail (&err);
  jv proc = jv_copy (jv_get_obj (spec, "process"));
  cleanup_jv jv procv = proc;
  jv_set (proc, "args", jv_arr_of_strv (argv + first + 1, argc - first - 1));
  jv_set (proc, "terminal", jv_bool (tty));
  jv penv = jv_child_arr (proc, "env");
  for (size_t i = 0; i < env_files.n; i++)
    {
      cleanup_free char *buf = NULL;
      size_t len;
      if (lcr_read_file (env_files.v[i], &buf, &len, &err) < 0)
        return dock_fail (&err);
      char *save = NULL;
      for (char *l = strtok_r (buf, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
        if (*l && *l != '#')
          jv_push (penv, jv_str (l));
    }
  for (size_t i = 0; i < env.n; i++)
    {
      /* "-e NAME" takes NAME's value from our environment, as docker does */
      if (strchr (env.v[i], '=') == NULL)
        {
          const char *v = getenv (env.v[i]);
          if (v == NULL)
            continue;
          char *kv;
          xasprintf (&kv, "%s=%s", env.v[i], v);
          jv_push (penv, jv_str (kv));
          free (kv);
        }
      else
        jv_push (penv, jv_str (env.v[i]));
    }
  if (workdir)
    jv_set (proc, "cwd", jv_str (workdir));
  if (user)
    {
      cleanup_free char *rootfs = dock_path (ctx, "containers/%s/rootfs", id);
      jv u2 = NULL;
      cleanup_free char *home = NULL;
      if (dock_spec_user (rootfs, user, NULL, &u2, &home, &err) < 0)
        return dock_fail (&err);
      jv_set (proc, "user", u2);
      /* HOME follows the user, as docker's exec sets it */
      cleanup_free char *h = NULL;
      xasprintf (&h, "HOME=%s", home ? home : "/");
      jv_push (penv, jv_str (h));
    }
  if (privileged)
    {
      jv caps = jv_child_obj (proc, "capabilities");
      cleanup_jv jv phc = jv_obj ();
      jv_set (phc, "Privileged", jv_bool (true));
      cleanup_jv jv all = dock_spec_capabilities (phc, &err);
      if (all == NULL)
        return dock_fail (&err);
      static const char *const sets[] = {"bounding", "effective", "permitted"};
      for (int i = 0; i < 3; i++)
        jv_set (caps, sets[i], jv_copy (all));
    }
  dock_strlist_free (&env);
  dock_strlist_free (&env_files);

  /* the process goes to the runtime through a memfd that survives our exec of it */
  cleanup_free char *json = jv_dump (proc, false);
  int mfd = memfd_create ("dock-exec-process", 0);
  if (mfd < 0 || lcr_write_all (mfd, json, strlen (json)) < 0)
    return dock_failf ("memfd for the process: %s", strerror (errno));
  char fdpath[64];
  snprintf (fdpath, sizeof fdpath, "/proc/self/fd/%d", mfd);
  cleanup_free char *rtroot = dock_runpath (ctx, "runtime");
  const char *rargv[16];
  int n = 0;
  rargv[n++] = ctx->runtime;
  rargv[n++] = "--root";
  rargv[n++] = rtroot;
  rargv[n++] = "exec";
  rargv[n++] = "-p";
  rargv[n++] = fdpath;
  if (tty)
    rargv[n++] = "-t";
  if (detach)
    rargv[n++] = "-d";
  rargv[n++] = id;
  rargv[n] = NULL;
  if (!interactive)
    {
      int null = open ("/dev/null", O_RDONLY | O_CLOEXEC);
      if (null >= 0)
        dup2 (null, 0);
    }
  fflush (stdout);
  execvp (rargv[0], (char **)rargv);
  return dock_failf ("exec %s: %s", rargv[0], strerror (errno));
}

/* ------------------------------------------------------------------ top, port */

DOCK_CMD (dock_cmd_top)
{
  const struct dock_opt opts[] = {{NULL, 0, 0, NULL, NULL, NULL}};
  static const struct dock_cmd_usage u
      = {"dock top CONTAINER [ps OPTIONS]", "Display the running processes of a container", false, 1, -1};
  lcr_error_t err = NULL;
  int first;
  int p = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (p != 0)
    return p > 0 ? 0 : dock_fail (&err);
  char id[65];
  cleanup_jv jv rec = dock_record_get (ctx, argv[first], id, &err);
  if (rec == NULL)
    return dock_fail (&err);
  if (strcmp (dock_record_status (rec), "running") != 0 && strcmp (dock_record_status (rec), "paused") != 0)
    return dock_failf ("Container %s is not running", id);
  /* the container's pids from its cgroup (through the runtime), then the host's ps, filtered */
  cleanup_free char *pids_json = NULL;
  {
    int pfd[2];
    if (pipe2 (pfd, O_CLOEXEC) < 0)
      return dock_failf ("pipe: %s", strerror (errno));
    cleanup_free char *rtroot = dock_runpath (ctx, "runtime");
    pid_t pid = fork ();
    if (pid == 0)
      {
        dup2 (pfd[1], 1);
        execlp (ctx->runtime, ctx->runtime, "--root", rtroot, "ps", "--format", "json", id, (char *)NULL);
        _exit (127);
      }
    close (pfd[1]);
    size_t cap = 4096, len = 0;
    pids_json = xmalloc0 (cap);
    ssize_t r;
    while ((r = read (pfd[0], pids_json + len, cap - len - 1)) > 0)
      if ((len += r) + 1 >= cap)
        pids_json = xrealloc (pids_json, cap *= 2);
    pids_json[len] = '\0';
    close (pfd[0]);
    int status;
    waitpid (pid, &status, 0);
  }
  cleanup_jv jv pids = jv_parse (pids_json, strlen (pids_json), "the runtime's ps output", &err);
  if (pids == NULL)
    return dock_fail (&err);
  int pfd[2];
  if (pipe2 (pfd, O_CLOEXEC) < 0)
    return dock_failf ("pipe: %s", strerror (errno));
  pid_t pid = fork ();
  if (pid == 0)
    {
      dup2 (pfd[1], 1);
      const char **av = xmalloc0 ((argc - first + 2) * sizeof (char *));
      int k = 0;
      av[k++] = "ps";
      if (argc - first <= 1)
        av[k++] = "-ef";
      for (int i = first + 1; i < argc; i++)
        av[k++] = argv[i];
      av[k] = NULL;
      execvp ("ps", (char **)av);
      _exit (127);
    }
  close (pfd[1]);
  FILE *f = fdopen (pfd[0], "r");
  char *line = NULL;
  size_t cap = 0;
  ssize_t l;
  int pid_col = -1;
  bool header = true;
  while ((l = getline (&line, &cap, f)) > 0)
    {
      if (header)
        {
          /* which column is PID */
          int col = 0;
          cleanup_free char *dup = xstrdup (line);
          char *save = NULL;
          for (char *t = strtok_r (dup, " \t\n", &save); t; t = strtok_r (NULL, " \t\n", &save), col++)
            if (strcmp (t, "PID") == 0)
              pid_col = col;
          fputs (line, stdout);
          header = false;
          if (pid_col < 0)
            {
              fclose (f);
              free (line);
              waitpid (pid, NULL, 0);
              return dock_failf ("Couldn't find PID field in ps output");
            }
          continue;
        }
      cleanup_free char *dup = xstrdup (line);
      char *save = NULL;
      int col = 0;
      long long v = -1;
      for (char *t = strtok_r (dup, " \t\n", &save); t; t = strtok_r (NULL, " \t\n", &save), col++)
        if (col == pid_col)
          {
            lcr_parse_long (t, &v);
            break;
          }
      for (size_t i = 0; i < jv_len (pids); i++)
        if (pids->u.array.values[i]->type == yajl_t_number && pids->u.array.values[i]->u.number.i == v)
          {
            fputs (line, stdout);
            break;
          }
    }
  free (line);
  fclose (f);
  int status;
  waitpid (pid, &status, 0);
  return 0;
}

DOCK_CMD (dock_cmd_port)
{
  const struct dock_opt opts[] = {{NULL, 0, 0, NULL, NULL, NULL}};
  static const struct dock_cmd_usage u = {"dock port CONTAINER [PRIVATE_PORT[/PROTO]]",
                                          "List port mappings or a specific mapping for the container", true, 1, 2};
  lcr_error_t err = NULL;
  int first;
  int p = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (p != 0)
    return p > 0 ? 0 : dock_fail (&err);
  char id[65];
  cleanup_jv jv rec = dock_record_get (ctx, argv[first], id, &err);
  if (rec == NULL)
    return dock_fail (&err);
  jv ports = jv_get_obj (jv_get_obj (rec, "NetworkSettings"), "Ports");
  const char *want = first + 1 < argc ? argv[first + 1] : NULL;
  cleanup_free char *want_full = NULL;
  if (want && strchr (want, '/') == NULL)
    xasprintf (&want_full, "%s/tcp", want);
  bool found = false;
  for (size_t i = 0; i < jv_len (ports); i++)
    {
      const char *key = ports->u.object.keys[i];
      jv binds = ports->u.object.values[i];
      if (want && strcmp (key, want_full ? want_full : want) != 0)
        continue;
      for (size_t k = 0; k < jv_len (binds); k++)
        {
          jv b = binds->u.array.values[k];
          const char *ip = jv_get_str (b, "HostIp");
          if (want)
            printf ("%s:%s\n", ip && *ip ? ip : "0.0.0.0", jv_get_str (b, "HostPort"));
          else
            printf ("%s -> %s:%s\n", key, ip && *ip ? ip : "0.0.0.0", jv_get_str (b, "HostPort"));
          found = true;
        }
    }
  if (want && !found)
    return dock_failf ("No public port '%s' published for %s", want_full ? want_full : want, argv[first]);
  return 0;
}
