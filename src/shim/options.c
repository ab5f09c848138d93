/* berth-shim — conmon's command line.
 *
 * Every option takes `--opt value`, `--opt=value`, `-o value`, `-ovalue`; short flags group
 * (`-ti`).  conmon rejects options it does not know; we accept and ignore them with a debug
 * message, so a newer caller still works.  An unknown `--opt` followed by a word that is not an
 * option takes that word as its value: a positional argument means nothing to conmon anyway.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

enum kind
{
  K_FLAG,    /* bool */
  K_STR,     /* const char * */
  K_INT,     /* long long */
  K_LIST,    /* struct shim_strv, repeatable */
  K_API,     /* --api-version: a flag in conmon, but callers pass "--api-version 1" */
  K_IGNORE,  /* known to conmon, no effect here, no value */
  K_IGNORE_V /* known to conmon, no effect here, takes a value */
};

#define NONE ((size_t)-1)
#define F(field) offsetof (struct shim_opts, field)

static const struct optdef
{
  const char *name;
  char short_;
  enum kind kind;
  size_t off;
  const char *help;
} defs[] = {
    {"api-version", 0, K_API, F (api_version), "conmon API version to use"},
    {"bundle", 'b', K_STR, F (bundle), "OCI bundle path"},
    {"cid", 'c', K_STR, F (cid), "container id"},
    {"conmon-pidfile", 'P', K_STR, F (conmon_pidfile), "PID file for the shim (monitor) process"},
    {"container-pidfile", 'p', K_STR, F (container_pidfile), "PID file for the container's init"},
    {"pidfile", 0, K_STR, F (container_pidfile), NULL},
    {"cuuid", 'u', K_STR, F (cuuid), "container UUID"},
    {"exec", 'e', K_FLAG, F (exec), "exec a process into a running container"},
    {"exec-attach", 0, K_FLAG, F (exec_attach), "attach to the exec session"},
    {"exec-process-spec", 0, K_STR, F (exec_process_spec), "process spec (JSON) for --exec"},
    {"exit-command", 0, K_STR, F (exit_command), "program to run when the container exits"},
    {"exit-command-arg", 0, K_LIST, F (exit_args), "argument for the exit command (repeatable)"},
    {"exit-delay", 0, K_INT, F (exit_delay), "seconds to wait before the exit command"},
    {"exit-dir", 0, K_STR, F (exit_dir), "directory for the exit file <exit-dir>/<cid>"},
    {"leave-stdin-open", 0, K_FLAG, F (leave_stdin_open), "keep stdin open when an attach client leaves"},
    {"log-level", 0, K_STR, F (log_level), "error, warn, info, debug or trace"},
    {"log-path", 'l', K_LIST, F (log_paths), "log: k8s-file:PATH, PATH, none, passthrough (repeatable)"},
    {"log-size-max", 0, K_INT, F (log_size_max), "maximum size of the log file"},
    {"log-rotate", 0, K_FLAG, F (log_rotate), "rotate the log at the maximum size instead of truncating"},
    {"log-max-files", 0, K_INT, F (log_max_files), "rotated log files to keep"},
    {"log-tag", 0, K_STR, F (log_tag), "tag for the journald log (not supported by k8s-file)"},
    {"name", 'n', K_STR, F (name), "container name"},
    {"no-new-keyring", 0, K_FLAG, F (no_new_keyring), "pass --no-new-keyring to the runtime"},
    {"no-pivot", 0, K_FLAG, F (no_pivot), "pass --no-pivot to the runtime"},
    {"no-sync-log", 0, K_FLAG, F (no_sync_log), "do not fsync the log when the container exits"},
    {"persist-dir", '0', K_STR, F (persist_dir), "directory for the exit and oom files"},
    {"replace-listen-pid", 0, K_FLAG, F (replace_listen_pid), "set LISTEN_PID to the runtime's pid"},
    {"restore", 0, K_STR, F (restore_path), "restore from this checkpoint instead of create"},
    {"restore-arg", 0, K_LIST, F (runtime_opts), NULL},
    {"runtime", 'r', K_STR, F (runtime), "OCI runtime binary"},
    {"runtime-arg", 0, K_LIST, F (runtime_args), "global argument for the runtime (repeatable)"},
    {"runtime-opt", 0, K_LIST, F (runtime_opts), "argument for the runtime's create/exec (repeatable)"},
    {"socket-dir-path", 0, K_STR, F (socket_dir), "directory of the <cuuid> link to the attach socket's dir"},
    {"stdin", 'i', K_FLAG, F (stdin_), "give the container a stdin pipe"},
    {"sync", 0, K_FLAG, F (sync), "do not fork: the caller's child is the monitor"},
    {"syslog", 0, K_FLAG, F (syslog), "also log to syslog"},
    {"systemd-cgroup", 's', K_FLAG, F (systemd_cgroup), "pass --systemd-cgroup to the runtime"},
    {"terminal", 't', K_FLAG, F (terminal), "allocate a pty"},
    {"timeout", 'T', K_INT, F (timeout), "kill the container after this many seconds"},
    {"version", 0, K_FLAG, F (version), "print the version and exit"},
    {"full-attach", 0, K_FLAG, F (full_attach), "no <socket-dir>/<cuuid> link: the socket is <bundle>/attach"},
    {"help", 'h', K_FLAG, F (help), "this help"},
    /* ours beyond conmon: docker's HEALTHCHECK, run while the container runs */
    {"health-cmd", 0, K_STR, F (health_cmd), "health check: docker's Healthcheck.Test as a JSON array"},
    {"health-interval", 0, K_INT, F (health_interval), "nanoseconds between checks (default 30 s)"},
    {"health-timeout", 0, K_INT, F (health_timeout), "nanoseconds a check may take (default 30 s)"},
    {"health-start-period", 0, K_INT, F (health_start_period), "nanoseconds of failures that do not count"},
    {"health-start-interval", 0, K_INT, F (health_start_interval),
     "nanoseconds between checks during the start period (default: the interval)"},
    {"health-retries", 0, K_INT, F (health_retries), "failures in a row that make it unhealthy (default 3)"},
    /* ours beyond conmon: dock's networks */
    {"dns-netns", 0, K_STR, F (dns_netns), "serve DNS on 127.0.0.11:53 in this network namespace (a file)"},
    {"dns-table", 0, K_STR, F (dns_table), "the DNS server's names and upstreams (with --dns-netns)"},
    {"publish", 0, K_LIST, F (publish), "FD:tcp|udp:IP:PORT: relay socket FD to IP:PORT (repeatable)"},
    /* conmon options with no effect here */
    {"log-global-size-max", 0, K_IGNORE_V, NONE, NULL},
    {"log-label", 0, K_IGNORE_V, NONE, NULL},
    {"log-allowlist-dir", 0, K_IGNORE_V, NONE, NULL},
    {"no-container-partial-message", 0, K_IGNORE, NONE, NULL},
    {"sdnotify-socket", 0, K_IGNORE_V, NONE, NULL},
    {"seccomp-notify-socket", 0, K_IGNORE_V, NONE, NULL},
    {"seccomp-notify-plugins", 0, K_IGNORE_V, NONE, NULL},
};

static bool
takes_value (const struct optdef *d)
{
  return d->kind == K_STR || d->kind == K_INT || d->kind == K_LIST || d->kind == K_IGNORE_V;
}

static const struct optdef *
find_long (const char *name, size_t len)
{
  for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
    if (strlen (defs[i].name) == len && strncmp (defs[i].name, name, len) == 0)
      return &defs[i];
  return NULL;
}

static const struct optdef *
find_short (char c)
{
  for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
    if (defs[i].short_ == c)
      return &defs[i];
  return NULL;
}

static bool
all_digits (const char *s)
{
  if (*s == '\0')
    return false;
  for (; *s; s++)
    if (*s < '0' || *s > '9')
      return false;
  return true;
}

static void
strv_push (struct shim_strv *v, const char *s)
{
  v->v = xrealloc (v->v, (v->n + 2) * sizeof *v->v);
  v->v[v->n++] = (char *)s;
  v->v[v->n] = NULL;
}

/* Keep a message about what was ignored: it is logged once --log-level is known. */
static void __attribute__ ((format (printf, 2, 3))) note (struct shim_opts *o, const char *fmt, ...)
{
  char *msg;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  if (msg)
    strv_push (&o->ignored, msg);
}

/* Store one option.  `value` is NULL for a flag given without "=value". */
static int
apply (struct shim_opts *o, const struct optdef *d, const char *shown, const char *value, lcr_error_t *err)
{
  char *base = (char *)o;
  switch (d->kind)
    {
    case K_FLAG:
      {
        bool v = true;
        if (value)
          {
            if (strcmp (value, "true") == 0 || strcmp (value, "1") == 0)
              v = true;
            else if (strcmp (value, "false") == 0 || strcmp (value, "0") == 0)
              v = false;
            else
              return lcr_error_invalid (err, "option %s: not a boolean: `%s`", shown, value);
          }
        *(bool *)(base + d->off) = v;
        return 0;
      }
    case K_STR:
      *(const char **)(base + d->off) = value;
      return 0;
    case K_INT:
      {
        long long v;
        if (lcr_parse_long (value, &v) < 0)
          return lcr_error_invalid (err, "option %s: not an integer: `%s`", shown, value);
        *(long long *)(base + d->off) = v;
        return 0;
      }
    case K_LIST:
      strv_push ((struct shim_strv *)(base + d->off), value);
      return 0;
    case K_API:
      {
        long long v = 1;
        if (value && lcr_parse_long (value, &v) < 0)
          return lcr_error_invalid (err, "option %s: not an integer: `%s`", shown, value);
        o->api_version = (int)v;
        return 0;
      }
    case K_IGNORE:
    case K_IGNORE_V:
      note (o, "ignoring option %s%s%s: no effect in berth-shim", shown, value ? " " : "", value ? value : "");
      return 0;
    }
  return 0;
}

static int
parse_long_opt (struct shim_opts *o, int argc, char **argv, int *i, lcr_error_t *err)
{
  const char *arg = argv[*i] + 2;
  const char *eq = strchr (arg, '=');
  size_t len = eq ? (size_t)(eq - arg) : strlen (arg);
  const char *value = eq ? eq + 1 : NULL;
  const struct optdef *d = find_long (arg, len);
  char shown[80];
  snprintf (shown, sizeof shown, "--%.*s", (int)(len > 70 ? 70 : len), arg);

  if (d == NULL)
    {
      /* Unknown: a following word that is not an option is its value. */
      if (value == NULL && *i + 1 < argc && argv[*i + 1][0] != '-')
        value = argv[++*i];
      note (o, "ignoring unknown option %s%s%s", shown, value ? " " : "", value ? value : "");
      return 0;
    }
  if (d->kind == K_API && value == NULL && *i + 1 < argc && all_digits (argv[*i + 1]))
    value = argv[++*i];
  else if (takes_value (d) && value == NULL)
    {
      if (*i + 1 >= argc)
        return lcr_error_invalid (err, "option --%s requires a value", d->name);
      value = argv[++*i];
    }
  return apply (o, d, shown, value, err);
}

static int
parse_short_opts (struct shim_opts *o, int argc, char **argv, int *i, lcr_error_t *err)
{
  for (const char *p = argv[*i] + 1; *p; p++)
    {
      const struct optdef *d = find_short (*p);
      char shown[3] = {'-', *p, '\0'};
      if (d == NULL)
        {
          note (o, "ignoring unknown option -%c", *p);
          continue;
        }
      if (!takes_value (d))
        {
          if (apply (o, d, shown, NULL, err) < 0)
            return -1;
          continue;
        }
      /* The rest of the word is the value (-cID, -c=ID), or else the next word. */
      const char *value = p + 1;
      if (*value == '=')
        value++;
      if (*value == '\0')
        {
          if (*i + 1 >= argc)
            return lcr_error_invalid (err, "option -%c requires a value", *p);
          value = argv[++*i];
        }
      return apply (o, d, shown, value, err);
    }
  return 0;
}

int
shim_opts_parse (struct shim_opts *o, int argc, char **argv, lcr_error_t *err)
{
  memset (o, 0, sizeof *o);
  o->log_size_max = -1;
  o->log_max_files = 1;
  o->socket_dir = SHIM_DEFAULT_SOCKET_DIR;

  for (int i = 1; i < argc; i++)
    {
      const char *a = argv[i];
      int r = 0;
      if (strcmp (a, "--") == 0)
        {
          for (i++; i < argc; i++)
            note (o, "ignoring argument `%s`", argv[i]);
          break;
        }
      if (a[0] == '-' && a[1] == '-')
        r = parse_long_opt (o, argc, argv, &i, err);
      else if (a[0] == '-' && a[1] != '\0')
        r = parse_short_opts (o, argc, argv, &i, err);
      else
        note (o, "ignoring argument `%s`", a);
      if (r < 0)
        return -1;
    }
  return 0;
}

void
shim_opts_usage (FILE *out)
{
  fprintf (out, "Usage: berth-shim [OPTION…]\n\n"
                "A container monitor with conmon's command line: it runs RUNTIME create (or exec),\n"
                "keeps the container's stdio, log and exit status, and serves attach and resize.\n\n");
  for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
    {
      const struct optdef *d = &defs[i];
      char left[64];
      if (d->help == NULL)
        continue;
      if (d->short_)
        snprintf (left, sizeof left, "-%c, --%s%s", d->short_, d->name, takes_value (d) ? " VALUE" : "");
      else
        snprintf (left, sizeof left, "    --%s%s", d->name, takes_value (d) ? " VALUE" : "");
      fprintf (out, "  %-34s %s\n", left, d->help);
    }
  fprintf (out, "\nEnvironment: _OCI_SYNCPIPE, _OCI_STARTPIPE, _OCI_ATTACHPIPE (fd numbers).\n");
}
