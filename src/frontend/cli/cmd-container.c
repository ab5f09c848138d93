/* dock — the container verbs: create, run, start, stop, restart, kill, pause, unpause, rm, ps,
 * wait, rename, container prune, container inspect, and the exit command `container cleanup`. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/mount.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "container/attach.h"
#include "container/create.h"
#include "container/lifecycle.h"
#include "container/record.h"
#include "image/image.h"
#include "registry/registry.h"
#include "store/store.h"

/* For each CONTAINER argument: find it, run fn, print what docker prints (the argument as
   given), collect errors; the status is 1 when any failed (docker's behaviour for multi-verbs). */
static int
for_each (struct dock_ctx *ctx, char **args, int n,
          int (*fn) (struct dock_ctx *, const char *id, void *data, lcr_error_t *err), void *data, bool print)
{
  int rc = 0;
  for (int i = 0; i < n; i++)
    {
      char id[65];
      lcr_error_t err = NULL;
      if (dock_record_find (ctx, args[i], id, &err) < 0 || fn (ctx, id, data, &err) < 0)
        {
          fprintf (stderr, "Error response from daemon: %s\n", err && err->msg ? err->msg : "failed");
          lcr_error_release (&err);
          rc = 1;
          continue;
        }
      if (print)
        {
          printf ("%s\n", args[i]);
          fflush (stdout);
        }
    }
  return rc;
}

/* ------------------------------------------------------------------ create / run */

static int
read_exit_status (struct dock_ctx *ctx, const char *id)
{
  /* the shim closes the attach socket, then writes the exit file: wait briefly for it */
  cleanup_free char *p = dock_runpath (ctx, "exits/%s", id);
  for (int i = 0; i < 5000; i++)
    {
      cleanup_free char *buf = NULL;
      size_t len;
      cleanup_error lcr_error_t e = NULL;
      if (lcr_read_file (p, &buf, &len, &e) == 0 && len > 0)
        {
          long long v;
          while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
            buf[--len] = '\0';
          if (lcr_parse_long (buf, &v) == 0)
            return (int)v;
        }
      struct timespec ts = {0, 1000000};
      nanosleep (&ts, NULL);
    }
  return -1;
}

static int
status_for_error (lcr_error_t err)
{
  if (err && (err->code == 126 || err->code == 127))
    return err->code;
  return DOCK_EXIT_ERROR;
}

static int
create_or_run (struct dock_ctx *ctx, int argc, char **argv, bool run)
{
  struct dock_create_req req = {0};
  lcr_error_t err = NULL;
  int p = dock_create_parse (argc, argv, run, &req, &err);
  if (p != 0)
    {
      dock_create_req_release (&req);
      return p > 0 ? 0 : dock_fail (&err);
    }
  char id[65];
  if (dock_pull_for_create (ctx, req.image, req.pull, &err) < 0 || dock_container_create (ctx, &req, id, &err) < 0)
    {
      dock_create_req_release (&req);
      return dock_fail (&err);
    }
  if (req.cidfile)
    {
      int fd = open (req.cidfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (fd >= 0)
        {
          dprintf (fd, "%s", id);
          close (fd);
        }
    }
  if (!run)
    {
      printf ("%s\n", id);
      dock_create_req_release (&req);
      return 0;
    }
  bool detach = req.detach;
  bool auto_remove = jv_get_bool (req.host_config, "AutoRemove", false);
  bool tty = jv_get_bool (req.config, "Tty", false);
  bool stdin_ = jv_get_bool (req.config, "OpenStdin", false);
  bool sig_proxy = req.sig_proxy;
  cleanup_free char *keys = req.detach_keys ? xstrdup (req.detach_keys) : NULL;
  dock_create_req_release (&req);

  if (!detach && auto_remove)
    {
      /* the exit command must leave the status for us to read */
      if (dock_lock (ctx, &err) < 0)
        return dock_fail (&err);
      cleanup_jv jv rec = dock_record_load (ctx, id, &err);
      if (rec)
        {
          jv_set (jv_child_obj (rec, "Dock"), "Foreground", jv_bool (true));
          dock_record_save (ctx, rec, &err);
        }
      dock_unlock (ctx);
      lcr_error_release (&err);
    }
  int afd = -1;
  if (dock_container_start (ctx, id, detach ? NULL : &afd, &err) < 0)
    {
      int code = status_for_error (err);
      if (auto_remove)
        {
          cleanup_error lcr_error_t e = NULL;
          dock_container_remove (ctx, id, true, true, &e);
        }
      fprintf (stderr, "dock: %s\n", err->msg);
      lcr_error_release (&err);
      return code;
    }
  if (detach)
    {
      printf ("%s\n", id);
      return 0;
    }
  cleanup_free char *ctl = dock_path (ctx, "containers/%s/ctl", id);
  struct dock_attach_opts ao = {
      .stdin_ = stdin_,
      .tty = tty,
      .ctl_path = ctl,
      .detach_keys = keys,
      .sig_proxy = sig_proxy,
      .container_id = id,
  };
  int r = dock_attach_proxy (ctx, afd, &ao, &err);
  close (afd);
  if (r < 0)
    return dock_fail (&err);
  if (r == 1)
    return 0; /* detached: the container runs on */
  int code = read_exit_status (ctx, id);
  if (auto_remove)
    {
      /* remove it now rather than wait for the exit command (which then finds nothing);
         docker's CLI too returns only once the container is gone */
      cleanup_error lcr_error_t e = NULL;
      dock_container_remove (ctx, id, true, true, &e);
      cleanup_free char *p = dock_runpath (ctx, "exits/%s", id);
      unlink (p);
      if (code < 0)
        code = 255;
    }
  if (code < 0)
    {
      int c = 0;
      if (dock_container_wait (ctx, id, 10000, &c, &err) < 0)
        return dock_fail (&err);
      code = c;
    }
  return code;
}

DOCK_CMD (dock_cmd_create)
{
  return create_or_run (ctx, argc, argv, false);
}

DOCK_CMD (dock_cmd_run)
{
  return create_or_run (ctx, argc, argv, true);
}

/* ------------------------------------------------------------------ start / stop / … */

static int
start_one (struct dock_ctx *ctx, const char *id, void *data, lcr_error_t *err)
{
  (void)data;
  return dock_container_start (ctx, id, NULL, err);
}

DOCK_CMD (dock_cmd_start)
{
  bool attach = false, interactive = false;
  const char *keys = NULL;
  const struct dock_opt opts[] = {
      {"attach", 'a', DOCK_OPT_BOOL, &attach, "Attach STDOUT/STDERR and forward signals", NULL},
      {"interactive", 'i', DOCK_OPT_BOOL, &interactive, "Attach container's STDIN", NULL},
      {"detach-keys", 0, DOCK_OPT_STR, &keys, "Override the key sequence for detaching a container", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  static const struct dock_cmd_usage u
      = {"dock start [OPTIONS] CONTAINER [CONTAINER...]", "Start one or more stopped containers", true, 1, -1};
  lcr_error_t err = NULL;
  int first;
  int p = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (p != 0)
    return p > 0 ? 0 : dock_fail (&err);
  if (!attach && !interactive)
    return for_each (ctx, argv + first, argc - first, start_one, NULL, true);
  if (argc - first > 1)
    return dock_failf ("you cannot start and attach multiple containers at once");
  char id[65];
  cleanup_jv jv rec = dock_record_get (ctx, argv[first], id, &err);
  if (rec == NULL)
    return dock_fail (&err);
  int afd = -1;
  if (dock_container_start (ctx, id, &afd, &err) < 0)
    {
      int code = status_for_error (err);
      fprintf (stderr, "dock: %s\n", err->msg);
      lcr_error_release (&err);
      return code;
    }
  jv config = jv_get_obj (rec, "Config");
  cleanup_free char *ctl = dock_path (ctx, "containers/%s/ctl", id);
  struct dock_attach_opts ao = {.stdin_ = interactive && jv_get_bool (config, "OpenStdin", false),
                                .tty = jv_get_bool (config, "Tty", false),
                                .ctl_path = ctl,
                                .detach_keys = keys,
                                .sig_proxy = true,
                                .container_id = id};
  if (afd < 0)
    return 0;
  int r = dock_attach_proxy (ctx, afd, &ao, &err);
  close (afd);
  if (r < 0)
    return dock_fail (&err);
  if (r == 1)
    return 0;
  int code = read_exit_status (ctx, id);
  return code < 0 ? 0 : code;
}

static int
stop_one (struct dock_ctx *ctx, const char *id, void *data, lcr_error_t *err)
{
  return dock_container_stop (ctx, id, *(long long *)data, err);
}

static int
restart_one (struct dock_ctx *ctx, const char *id, void *data, lcr_error_t *err)
{
  if (dock_container_stop (ctx, id, *(long long *)data, err) < 0)
    return -1;
  return dock_container_start (ctx, id, NULL, err);
}

static int
stop_or_restart (struct dock_ctx *ctx, int argc, char **argv, bool restart)
{
  long long t = -1;
  const char *sig = NULL;
  const struct dock_opt opts[] = {
      {"time", 't', DOCK_OPT_INT, &t, "Seconds to wait before killing the container", NULL},
      {"timeout", 0, DOCK_OPT_INT, &t, NULL, NULL},
      {"signal", 's', DOCK_OPT_STR, &sig, "Signal to send to the container", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  static const struct dock_cmd_usage us
      = {"dock stop [OPTIONS] CONTAINER [CONTAINER...]", "Stop one or more running containers", true, 1, -1};
  static const struct dock_cmd_usage ur
      = {"dock restart [OPTIONS] CONTAINER [CONTAINER...]", "Restart one or more containers", true, 1, -1};
  lcr_error_t err = NULL;
  int first;
  int p = dock_parse_args (restart ? &ur : &us, opts, argc, argv, &first, &err);
  if (p != 0)
    return p > 0 ? 0 : dock_fail (&err);
  return for_each (ctx, argv + first, argc - first, restart ? restart_one : stop_one, &t, true);
}

DOCK_CMD (dock_cmd_stop)
{
  return stop_or_restart (ctx, argc, argv, false);
}

DOCK_CMD (dock_cmd_restart)
{
  return stop_or_restart (ctx, argc, argv, true);
}

static int
kill_one (struct dock_ctx *ctx, const char *id, void *data, lcr_error_t *err)
{
  return dock_container_kill (ctx, id, data, err);
}

DOCK_CMD (dock_cmd_kill)
{
  const char *sig = "KILL";
  const struct dock_opt opts[] = {
      {"signal", 's', DOCK_OPT_STR, &sig, "Signal to send to the container (default \"KILL\")", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  static const struct dock_cmd_usage u
      = {"dock kill [OPTIONS] CONTAINER [CONTAINER...]", "Kill one or more running containers", true, 1, -1};
  lcr_error_t err = NULL;
  int first;
  int p = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (p != 0)
    return p > 0 ? 0 : dock_fail (&err);
  if (dock_signal_number (sig) < 0)
    return dock_failf ("invalid signal: %s", sig);
  return for_each (ctx, argv + first, argc - first, kill_one, (void *)sig, true);
}

static int
pause_one (struct dock_ctx *ctx, const char *id, void *data, lcr_error_t *err)
{
  return dock_container_pause (ctx, id, data != NULL, err);
}

static int
pause_cmd (struct dock_ctx *ctx, int argc, char **argv, bool pause)
{
  static const struct dock_cmd_usage up
      = {"dock pause CONTAINER [CONTAINER...]", "Pause all processes within one or more containers", true, 1, -1};
  static const struct dock_cmd_usage uu
      = {"dock unpause CONTAINER [CONTAINER...]", "Unpause all processes within one or more containers", true, 1, -1};
  const struct dock_opt opts[] = {{NULL, 0, 0, NULL, NULL, NULL}};
  lcr_error_t err = NULL;
  int first;
  int p = dock_parse_args (pause ? &up : &uu, opts, argc, argv, &first, &err);
  if (p != 0)
    return p > 0 ? 0 : dock_fail (&err);
  return for_each (ctx, argv + first, argc - first, pause_one, pause ? (void *)1 : NULL, true);
}

DOCK_CMD (dock_cmd_pause)
{
  return pause_cmd (ctx, argc, argv, true);
}

DOCK_CMD (dock_cmd_unpause)
{
  return pause_cmd (ctx, argc, argv, false);
}

struct rm_opts
{
  bool force, volumes;
};

static int
rm_one (struct dock_ctx *ctx, const char *id, void *data, lcr_error_t *err)
{
  struct rm_opts *o = data;
  return dock_container_remove (ctx, id, o->force, o->volumes, err);
}

DOCK_CMD (dock_cmd_rm)
{
  struct rm_opts o = {0};
  bool link = false;
  const struct dock_opt opts[] = {
      {"force", 'f', DOCK_OPT_BOOL, &o.force, "Force the removal of a running container (uses SIGKILL)", NULL},
      {"volumes", 'v', DOCK_OPT_BOOL, &o.volumes, "Remove anonymous volumes associated with the container", NULL},
      {"link", 'l', DOCK_OPT_BOOL, &link, NULL, NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  static const struct dock_cmd_usage u
      = {"dock rm [OPTIONS] CONTAINER [CONTAINER...]", "Remove one or more containers", true, 1, -1};
  lcr_error_t err = NULL;
  int first;
  int p = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (p != 0)
    return p > 0 ? 0 : dock_fail (&err);
  /* rm -f of a container that is not there is not an error for scripts (docker: it is, but
     prints "No such container"); keep docker's message and status */
  return for_each (ctx, argv + first, argc - first, rm_one, &o, true);
}

struct wait_data
{
  int code;
};

static int
wait_one (struct dock_ctx *ctx, const char *id, void *data, lcr_error_t *err)
{
  int code;
  if (dock_container_wait (ctx, id, -1, &code, err) < 0)
    return -1;
  printf ("%d\n", code);
  fflush (stdout);
  (void)data;
  return 0;
}

DOCK_CMD (dock_cmd_wait)
{
  const struct dock_opt opts[] = {{NULL, 0, 0, NULL, NULL, NULL}};
  static const struct dock_cmd_usage u
      = {"dock wait CONTAINER [CONTAINER...]", "Block until one or more containers stop, then print their exit codes",
         true, 1, -1};
  lcr_error_t err = NULL;
  int first;
  int p = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (p != 0)
    return p > 0 ? 0 : dock_fail (&err);
  return for_each (ctx, argv + first, argc - first, wait_one, NULL, false);
}

DOCK_CMD (dock_cmd_rename)
{
  const struct dock_opt opts[] = {{NULL, 0, 0, NULL, NULL, NULL}};
  static const struct dock_cmd_usage u = {"dock rename CONTAINER NEW_NAME", "Rename a container", true, 2, 2};
  lcr_error_t err = NULL;
  int first;
  int p = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (p != 0)
    return p > 0 ? 0 : dock_fail (&err);
  const char *newname = argv[first + 1][0] == '/' ? argv[first + 1] + 1 : argv[first + 1];
  if (!dock_valid_name (newname))
    return dock_failf ("Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", newname);
  if (dock_lock (ctx, &err) < 0)
    return dock_fail (&err);
  char id[65];
  int rc = dock_record_find (ctx, argv[first], id, &err);
  cleanup_jv jv rec = rc == 0 ? dock_record_load (ctx, id, &err) : NULL;
  if (rec && strcmp (dock_record_name (rec), newname) == 0)
    rc = lcr_error_invalid (&err, "Renaming a container with the same name as its current name");
  else if (rec && dock_record_name_taken (ctx, newname))
    rc = lcr_error_make (&err, 0, LCR_ERR_EXISTS, "Conflict. The container name \"/%s\" is already in use", newname);
  else if (rec)
    {
      cleanup_free char *n = NULL;
      xasprintf (&n, "/%s", newname);
      jv_set (rec, "Name", jv_str (n));
      rc = dock_record_save (ctx, rec, &err);
    }
  else
    rc = -1;
  dock_unlock (ctx);
  return rc < 0 ? dock_fail (&err) : 0;
}

DOCK_CMD (dock_cmd_container_cleanup)
{
  /* the shim's exit command: quiet, and its status goes nowhere a person sees */
  if (argc < 2)
    return DOCK_EXIT_ERROR;
  lcr_error_t err = NULL;
  if (dock_container_cleanup (ctx, argv[argc - 1], &err) < 0)
    return dock_fail (&err);
  return 0;
}

DOCK_CMD (dock_cmd_container_inspect)
{
  return dock_inspect_objects (ctx, argc, argv, "container");
}

/* ------------------------------------------------------------------ ps / prune */

static char *
command_words (jv rec)
{
  /* docker: Path and Args joined, quoted, cut to 20 characters with "…" */
  cleanup_free char *s = xstrdup (jv_get_str (rec, "Path") ? jv_get_str (rec, "Path") : "");
  jv args = jv_get_arr (rec, "Args");
  for (size_t i = 0; i < jv_len (args); i++)
    {
      char *n;
      xasprintf (&n, "%s %s", s, jv_as_str (args->u.array.values[i]) ? jv_as_str (args->u.array.values[i]) : "");
      free (s);
      s = n;
    }
  return steal_pointer (&s);
}

/* docker's PORTS column: "0.0.0.0:8080->80/tcp, 53/udp" (published, then only exposed) */
static char *
ports_column (jv rec)
{
  jv ports = jv_get_obj (jv_get_obj (rec, "NetworkSettings"), "Ports");
  char *out = xstrdup ("");
  for (size_t i = 0; i < jv_len (ports); i++)
    {
      jv binds = ports->u.object.values[i];
      const char *key = ports->u.object.keys[i];
      for (size_t k = 0; k < (jv_len (binds) ? jv_len (binds) : 1); k++)
        {
          jv b = jv_len (binds) ? binds->u.array.values[k] : NULL;
          char *n;
          if (b)
            xasprintf (&n, "%s%s%s:%s->%s", out, *out ? ", " : "", jv_get_str (b, "HostIp"), jv_get_str (b, "HostPort"),
                       key);
          else
            xasprintf (&n, "%s%s%s", out, *out ? ", " : "", key);
          free (out);
          out = n;
        }
    }
  return out;
}

static jv
dock_ps_row (struct dock_ctx *ctx, jv rec, bool no_trunc)
{
  (void)ctx;
  jv row = jv_obj ();
  const char *id = dock_record_id (rec);
  jv_set (row, "ID", no_trunc ? jv_str (id) : jv_strn (id, 12));
  jv_set (row, "Image", jv_str (jv_get_str (jv_get_obj (rec, "Config"), "Image")));
  cleanup_free char *cmd = command_words (rec);
  cleanup_free char *quoted = NULL;
  if (!no_trunc && strlen (cmd) > 20)
    xasprintf (&quoted, "\"%.19s…\"", cmd);
  else
    xasprintf (&quoted, "\"%s\"", cmd);
  jv_set (row, "Command", jv_str (quoted));
  const char *created = jv_get_str (rec, "Created");
  long long t = dock_parse_rfc3339 (created);
  long long ago = t > 0 ? (long long)time (NULL) - t : 0;
  cleanup_free char *d = dock_human_duration (ago < 0 ? 0 : ago);
  cleanup_free char *since = NULL;
  xasprintf (&since, "%s ago", d);
  jv_set (row, "RunningFor", jv_str (since));
  char at[64] = "";
  time_t tt = (time_t)t;
  struct tm tm;
  if (t > 0 && gmtime_r (&tt, &tm))
    strftime (at, sizeof at, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
  jv_set (row, "CreatedAt", jv_str (at));
  cleanup_free char *status = dock_record_status_words (rec);
  jv_set (row, "Status", jv_str (status));
  jv_set (row, "State", jv_str (dock_record_status (rec)));
  cleanup_free char *ports = ports_column (rec);
  jv_set (row, "Ports", jv_str (ports));
  jv_set (row, "Names", jv_str (dock_record_name (rec)));
  cleanup_free char *ls = dock_labels_string (jv_get_obj (jv_get_obj (rec, "Config"), "Labels"));
  jv_set (row, "Labels", jv_str (ls));
  jv mounts = jv_get_arr (rec, "Mounts");
  cleanup_free char *ms = xstrdup ("");
  for (size_t i = 0; i < jv_len (mounts); i++)
    {
      jv m = mounts->u.array.values[i];
      const char *name = jv_get_str (m, "Name") ? jv_get_str (m, "Name") : jv_get_str (m, "Source");
      char *n;
      xasprintf (&n, "%s%s%s", ms, i ? "," : "", name ? name : "");
      free (ms);
      ms = n;
    }
  jv_set (row, "Mounts", jv_str (ms));
  jv nets = jv_get_obj (jv_get_obj (rec, "NetworkSettings"), "Networks");
  cleanup_free char *ns = xstrdup ("");
  for (size_t i = 0; i < jv_len (nets); i++)
    {
      char *n;
      xasprintf (&n, "%s%s%s", ns, i ? "," : "", nets->u.object.keys[i]);
      free (ns);
      ns = n;
    }
  jv_set (row, "Networks", jv_str (ns));
  jv_set (row, "Size", jv_str ("0B"));
  jv_set (row, "LocalVolumes", jv_str ("0"));
  return row;
}

/* docker's ps filters: id, name, label, status, ancestor, exited, before, since */
static bool
ps_match (struct dock_ctx *ctx, jv rec, const char *f)
{
  const char *eq = strchr (f, '=');
  if (eq == NULL)
    return false;
  size_t klen = eq - f;
  const char *v = eq + 1;
  if (strncmp (f, "id", klen) == 0 && klen == 2)
    return strncmp (dock_record_id (rec), v, strlen (v)) == 0;
  if (strncmp (f, "name", klen) == 0 && klen == 4)
    return strstr (dock_record_name (rec), v[0] == '/' ? v + 1 : v) != NULL;
  if (strncmp (f, "status", klen) == 0 && klen == 6)
    return strcmp (dock_record_status (rec), v) == 0;
  if (strncmp (f, "exited", klen) == 0 && klen == 6)
    return strcmp (dock_record_status (rec), "exited") == 0
           && jv_get_int (jv_get_obj (rec, "State"), "ExitCode", -1) == atoll (v);
  if (strncmp (f, "label", klen) == 0 && klen == 5)
    {
      jv labels = jv_get_obj (jv_get_obj (rec, "Config"), "Labels");
      const char *veq = strchr (v, '=');
      cleanup_free char *key = veq ? strndup (v, veq - v) : xstrdup (v);
      jv lv = jv_get (labels, key);
      if (lv == NULL)
        return false;
      return veq == NULL || (jv_as_str (lv) && strcmp (jv_as_str (lv), veq + 1) == 0);
    }
  if (strncmp (f, "ancestor", klen) == 0 && klen == 8)
    {
      const char *img = jv_get_str (jv_get_obj (rec, "Config"), "Image");
      const char *iid = jv_get_str (rec, "Image");
      if (img && strcmp (img, v) == 0)
        return true;
      if (iid && (strncmp (iid + 7, v, strlen (v)) == 0 || strcmp (iid, v) == 0))
        return true;
      cleanup_free char *n1 = dock_ref_normalize (v, NULL);
      cleanup_free char *n2 = img ? dock_ref_normalize (img, NULL) : NULL;
      return n1 && n2 && strcmp (n1, n2) == 0;
    }
  (void)ctx;
  return false;
}

static int
cmp_created_desc (const void *a, const void *b)
{
  const char *ca = jv_get_str (*(jv const *)a, "Created"), *cb = jv_get_str (*(jv const *)b, "Created");
  return strcmp (cb ? cb : "", ca ? ca : "");
}

DOCK_CMD (dock_cmd_ps)
{
  bool all = false, quiet = false, latest = false, no_trunc = false, size = false;
  long long last = -1;
  const char *format = NULL;
  struct dock_strlist filters = {0};
  const struct dock_opt opts[] = {
      {"all", 'a', DOCK_OPT_BOOL, &all, "Show all containers (default shows just running)", NULL},
      {"filter", 'f', DOCK_OPT_LIST, &filters, "Filter output based on conditions provided", "filter"},
      {"format", 0, DOCK_OPT_STR, &format, "Pretty-print containers using a Go template", NULL},
      {"last", 'n', DOCK_OPT_INT, &last, "Show n last created containers (includes all states)", NULL},
      {"latest", 'l', DOCK_OPT_BOOL, &latest, "Show the latest created container (includes all states)", NULL},
      {"no-trunc", 0, DOCK_OPT_BOOL, &no_trunc, "Don't truncate output", NULL},
      {"quiet", 'q', DOCK_OPT_BOOL, &quiet, "Only display container IDs", NULL},
      {"size", 's', DOCK_OPT_BOOL, &size, "Display total file sizes", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  static const struct dock_cmd_usage u = {"dock ps [OPTIONS]", "List containers", true, 0, 0};
  lcr_error_t err = NULL;
  int first;
  int p = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (p != 0)
    {
      dock_strlist_free (&filters);
      return p > 0 ? 0 : dock_fail (&err);
    }
  if (latest)
    last = 1;
  if (last > 0)
    all = true;
  size_t n;
  jv *recs = dock_records_all (ctx, &n);
  qsort (recs, n, sizeof (jv), cmp_created_desc);
  cleanup_jv jv rows = jv_arr ();
  size_t shown = 0;
  for (size_t i = 0; i < n; i++)
    {
      jv rec = recs[i];
      dock_record_refresh (ctx, rec);
      const char *st = dock_record_status (rec);
      bool ok = all || strcmp (st, "running") == 0 || strcmp (st, "paused") == 0 || strcmp (st, "restarting") == 0;
      /* filters: the same key ORs, different keys AND (docker's rule), but every label= must
         match (docker ANDs labels) */
      for (size_t k = 0; ok && k < filters.n; k++)
        {
          const char *eq = strchr (filters.v[k], '=');
          if (eq == NULL)
            continue;
          if (strncmp (filters.v[k], "label=", 6) == 0)
            {
              ok = ps_match (ctx, rec, filters.v[k]);
              continue;
            }
          bool any = false;
          for (size_t j = 0; j < filters.n; j++)
            if (strncmp (filters.v[j], filters.v[k], eq - filters.v[k] + 1) == 0)
              any = any || ps_match (ctx, rec, filters.v[j]);
          if (strncmp (filters.v[k], "status=", 7) == 0)
            ok = any; /* a status filter shows stopped containers without -a */
          else
            ok = ok && any;
        }
      if (!ok)
        {
          bool status_filter = false;
          for (size_t k = 0; k < filters.n; k++)
            status_filter = status_filter || strncmp (filters.v[k], "status=", 7) == 0;
          (void)status_filter;
          continue;
        }
      if (last > 0 && shown >= (size_t)last)
        break;
      shown++;
      jv_push (rows, dock_ps_row (ctx, rec, no_trunc || quiet ? no_trunc : no_trunc));
    }
  dock_records_free (recs);
  dock_strlist_free (&filters);
  if (quiet && format == NULL)
    {
      for (size_t i = 0; i < jv_len (rows); i++)
        printf ("%s\n", jv_get_str (rows->u.array.values[i], "ID"));
      return 0;
    }
  static const struct dock_column cols[] = {
      {"ID", "CONTAINER ID"}, {"Image", "IMAGE"},
      {"Command", "COMMAND"}, {"RunningFor", "CREATED"},
      {"Status", "STATUS"},   {"Ports", "PORTS"},
      {"Names", "NAMES"},     {"CreatedAt", "CREATED AT"},
      {"State", "STATE"},     {"Labels", "LABELS"},
      {"Mounts", "MOUNTS"},   {"Networks", "NETWORKS"},
      {"Size", "SIZE"},       {"LocalVolumes", "LOCAL VOLUMES"},
      {NULL, NULL},
  };
  const char *dflt = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
  if (dock_print_rows (rows, format ? format : dflt, cols, &err) < 0)
    return dock_fail (&err);
  return 0;
}

DOCK_CMD (dock_cmd_container_prune)
{
  bool force = false;
  struct dock_strlist filters = {0};
  const struct dock_opt opts[] = {
      {"force", 'f', DOCK_OPT_BOOL, &force, "Do not prompt for confirmation", NULL},
      {"filter", 0, DOCK_OPT_LIST, &filters, "Provide filter values (e.g. \"until=<timestamp>\")", "filter"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  static const struct dock_cmd_usage u
      = {"dock container prune [OPTIONS]", "Remove all stopped containers", true, 0, 0};
  lcr_error_t err = NULL;
  int first;
  int p = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (p != 0)
    return p > 0 ? 0 : dock_fail (&err);
  if (!force && !dock_confirm ("WARNING! This will remove all stopped containers.\nAre you sure you want to continue?"))
    {
      dock_strlist_free (&filters);
      return 0;
    }
  size_t n;
  jv *recs = dock_records_all (ctx, &n);
  bool header = false;
  for (size_t i = 0; i < n; i++)
    {
      dock_record_refresh (ctx, recs[i]);
      const char *st = dock_record_status (recs[i]);
      if (strcmp (st, "exited") != 0 && strcmp (st, "created") != 0 && strcmp (st, "dead") != 0)
        continue;
      bool ok = true;
      for (size_t k = 0; k < filters.n; k++)
        if (strncmp (filters.v[k], "label=", 6) == 0)
          ok = ok && ps_match (ctx, recs[i], filters.v[k]);
      if (!ok)
        continue;
      if (dock_container_remove (ctx, dock_record_id (recs[i]), false, false, &err) < 0)
        {
          fprintf (stderr, "dock: %s\n", err->msg);
          lcr_error_release (&err);
          continue;
        }
      if (!header)
        printf ("Deleted Containers:\n");
      header = true;
      printf ("%s\n", dock_record_id (recs[i]));
    }
  if (header)
    printf ("\n");
  /* what a dock killed half-way through `create` left: a directory without a record (create
     holds the lock until the record is written, so under the lock such a directory is dead) */
  if (dock_lock (ctx, &err) == 0)
    {
      cleanup_free char *dir = dock_path (ctx, "containers");
      cleanup_strv char **ids = dock_list_dir (dir);
      for (size_t i = 0; ids[i]; i++)
        {
          cleanup_free char *meta = dock_path (ctx, "containers/%s/meta.json", ids[i]);
          if (access (meta, F_OK) == 0)
            continue;
          cleanup_free char *rootfs = dock_path (ctx, "containers/%s/rootfs", ids[i]);
          umount2 (rootfs, MNT_DETACH);
          int dfd = open (dir, O_DIRECTORY | O_CLOEXEC);
          if (dfd >= 0)
            {
              cleanup_error lcr_error_t e = NULL;
              lcr_rm_rf_at (dfd, ids[i], &e);
              close (dfd);
            }
        }
      dock_unlock (ctx);
    }
  lcr_error_release (&err);
  printf ("Total reclaimed space: 0B\n");
  dock_records_free (recs);
  dock_strlist_free (&filters);
  return 0;
}
