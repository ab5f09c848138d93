/* dock — info, version, inspect of any object (system df and prune: cmd-sysdf.c). */
#define _GNU_SOURCE
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "container/record.h"
#include "image/image.h"
#include "store/store.h"
#include "network/network.h"
#include "volume/volume.h"

DOCK_CMD (dock_cmd_version)
{
  const char *format = NULL;
  const struct dock_opt opts[] = {
      {"format", 'f', DOCK_OPT_STR, &format, "Format the output using the given Go template", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  static const struct dock_cmd_usage u = {"dock version [OPTIONS]", "Show the Docker version information", true, 0, 0};
  lcr_error_t err = NULL;
  int first;
  int p = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (p != 0)
    return p > 0 ? 0 : dock_fail (&err);
  struct utsname un;
  uname (&un);
  cleanup_jv jv v = jv_obj ();
  jv client = jv_set (v, "Client", jv_obj ());
  jv_set (client, "Version", jv_str (DOCK_VERSION));
  jv_set (client, "ApiVersion", jv_str (DOCK_API_VERSION));
  jv_set (client, "Os", jv_str ("linux"));
  jv_set (client, "Arch", jv_str ("amd64"));
  jv_set (client, "Context", jv_str ("default"));
  jv server = jv_set (v, "Server", jv_obj ());
  jv_set (server, "Version", jv_str (DOCK_VERSION));
  jv_set (server, "ApiVersion", jv_str (DOCK_API_VERSION));
  jv_set (server, "Os", jv_str ("linux"));
  jv_set (server, "Arch", jv_str ("amd64"));
  jv_set (server, "KernelVersion", jv_str (un.release));
  jv_set (server, "Runtime", jv_str (ctx->runtime));
  jv_set (server, "Shim", jv_str (ctx->shim));
  if (format)
    {
      cleanup_jv jv arr = jv_arr ();
      jv_push (arr, jv_copy (v));
      if (dock_print_inspect (arr, format, &err) < 0)
        return dock_fail (&err);
      return 0;
    }
  printf ("Client:\n Version:           %s\n API version:       %s\n OS/Arch:           linux/amd64\n"
          " Context:           default\n\n"
          "Server: dock (daemonless)\n Engine:\n  Version:          %s\n  API version:      %s\n"
          "  OS/Arch:          linux/amd64\n  Kernel Version:   %s\n Runtime:\n  Path:             %s\n"
          " Monitor:\n  Path:             %s\n",
          DOCK_VERSION, DOCK_API_VERSION, DOCK_VERSION, DOCK_API_VERSION, un.release, ctx->runtime, ctx->shim);
  return 0;
}

static const char *
cgroup_version (void)
{
  return access ("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0 ? "2" : "1";
}

DOCK_CMD (dock_cmd_info)
{
  const char *format = NULL;
  const struct dock_opt opts[] = {
      {"format", 'f', DOCK_OPT_STR, &format, "Format the output using the given Go template", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  static const struct dock_cmd_usage u = {"dock info [OPTIONS]", "Display system-wide information", true, 0, 0};
  lcr_error_t err = NULL;
  int first;
  int p = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (p != 0)
    return p > 0 ? 0 : dock_fail (&err);
  size_t n;
  jv *recs = dock_records_all (ctx, &n);
  long long running = 0, paused = 0, stopped = 0;
  for (size_t i = 0; i < n; i++)
    {
      dock_record_refresh (ctx, recs[i]);
      const char *st = dock_record_status (recs[i]);
      if (strcmp (st, "running") == 0)
        running++;
      else if (strcmp (st, "paused") == 0)
        paused++;
      else
        stopped++;
    }
  dock_records_free (recs);
  cleanup_free char *refs_path = dock_path (ctx, "refs.json");
  cleanup_error lcr_error_t e = NULL;
  cleanup_jv jv refs = jv_load (refs_path, &e);
  long long images = (long long)jv_len (jv_get_obj (refs, "images"));
  struct utsname un;
  uname (&un);
  char host[256] = "";
  gethostname (host, sizeof host - 1);
  long ncpu = sysconf (_SC_NPROCESSORS_ONLN);
  long long mem = (long long)sysconf (_SC_PHYS_PAGES) * sysconf (_SC_PAGESIZE);
  cleanup_jv jv v = jv_obj ();
  jv_set (v, "ID", jv_str (""));
  jv_set (v, "Containers", jv_int ((long long)n));
  jv_set (v, "ContainersRunning", jv_int (running));
  jv_set (v, "ContainersPaused", jv_int (paused));
  jv_set (v, "ContainersStopped", jv_int (stopped));
  jv_set (v, "Images", jv_int (images));
  jv_set (v, "Driver", jv_str (ctx->driver && strcmp (ctx->driver, "vfs") == 0 ? "vfs" : "overlay2"));
  jv_set (v, "CgroupDriver", jv_str ("cgroupfs"));
  jv_set (v, "CgroupVersion", jv_str (cgroup_version ()));
  jv_set (v, "KernelVersion", jv_str (un.release));
  jv_set (v, "OperatingSystem", jv_str ("Linux"));
  jv_set (v, "OSType", jv_str ("linux"));
  jv_set (v, "Architecture", jv_str (un.machine));
  jv_set (v, "NCPU", jv_int (ncpu));
  jv_set (v, "MemTotal", jv_int (mem));
  jv_set (v, "DockerRootDir", jv_str (ctx->root));
  jv_set (v, "Name", jv_str (host));
  jv_set (v, "ServerVersion", jv_str (DOCK_VERSION));
  jv_set (v, "DefaultRuntime", jv_str (ctx->runtime));
  jv_set (v, "Monitor", jv_str (ctx->shim));
  if (format)
    {
      cleanup_jv jv arr = jv_arr ();
      jv_push (arr, jv_copy (v));
      if (dock_print_inspect (arr, format, &err) < 0)
        return dock_fail (&err);
      return 0;
    }
  cleanup_free char *memh = dock_human_size (mem);
  printf ("Client:\n Context:    default\n Debug Mode: false\n\n"
          "Server:\n Containers: %zu\n  Running: %lld\n  Paused: %lld\n  Stopped: %lld\n Images: %lld\n"
          " Server Version: %s (dock, daemonless)\n Storage Driver: %s\n Cgroup Driver: cgroupfs\n"
          " Cgroup Version: %s\n Default Runtime: %s\n Container Monitor: %s\n Kernel Version: %s\n"
          " Operating System: Linux\n OSType: linux\n Architecture: %s\n CPUs: %ld\n Total Memory: %s\n Name: %s\n"
          " Docker Root Dir: %s\n Run Root Dir: %s\n",
          n, running, paused, stopped, images, DOCK_VERSION, jv_get_str (v, "Driver"), cgroup_version (), ctx->runtime,
          ctx->shim, un.release, un.machine, ncpu, memh, host, ctx->root, ctx->runroot);
  return 0;
}

/* one object as `inspect` shows it, or NULL (not found as that kind) */
static jv
inspect_one (struct dock_ctx *ctx, const char *ref, const char *kind, lcr_error_t *err)
{
  if (kind == NULL || strcmp (kind, "container") == 0)
    {
      char id[65];
      cleanup_error lcr_error_t e = NULL;
      if (dock_record_find (ctx, ref, id, &e) == 0)
        {
          jv rec = dock_record_load (ctx, id, err);
          if (rec)
            {
              dock_record_refresh (ctx, rec);
              jv_del (rec, "Dock");
            }
          return rec;
        }
    }
  if (kind == NULL || strcmp (kind, "image") == 0)
    {
      cleanup_error lcr_error_t e = NULL;
      jv img = dock_image_inspect_json (ctx, ref, &e);
      if (img)
        return img;
    }
  if (kind == NULL || strcmp (kind, "volume") == 0)
    {
      cleanup_error lcr_error_t e = NULL;
      jv vol = dock_volume_inspect_json (ctx, ref, &e);
      if (vol)
        return vol;
    }
  if (kind == NULL || strcmp (kind, "network") == 0)
    {
      cleanup_error lcr_error_t e = NULL;
      cleanup_jv jv net = dock_network_get (ctx, ref, &e);
      if (net)
        return dock_network_public (net);
    }
  if (kind && strcmp (kind, "container") == 0)
    lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "No such container: %s", ref);
  else if (kind && strcmp (kind, "image") == 0)
    lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "No such image: %s", ref);
  else if (kind && strcmp (kind, "volume") == 0)
    lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "get %s: no such volume", ref);
  else if (kind && strcmp (kind, "network") == 0)
    lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "network %s not found", ref);
  else
    lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "No such object: %s", ref);
  return NULL;
}

int
dock_inspect_objects (struct dock_ctx *ctx, int argc, char **argv, const char *kind)
{
  const char *format = NULL, *type = NULL;
  bool size = false;
  const struct dock_opt opts[] = {
      {"format", 'f', DOCK_OPT_STR, &format, "Format the output using the given Go template", NULL},
      {"size", 's', DOCK_OPT_BOOL, &size, "Display total file sizes if the type is container", NULL},
      {"type", 0, DOCK_OPT_STR, &type, "Return JSON for specified type", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  static const struct dock_cmd_usage u
      = {"dock inspect [OPTIONS] NAME|ID [NAME|ID...]", "Return low-level information on Docker objects", true, 1, -1};
  lcr_error_t err = NULL;
  int first;
  int p = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (p != 0)
    return p > 0 ? 0 : dock_fail (&err);
  if (type)
    {
      if (strcmp (type, "container") != 0 && strcmp (type, "image") != 0 && strcmp (type, "volume") != 0
          && strcmp (type, "network") != 0)
        return dock_failf ("\"%s\" is not a valid value for --type", type);
      kind = type;
    }
  cleanup_jv jv arr = jv_arr ();
  int rc = 0;
  for (int i = first; i < argc; i++)
    {
      jv v = inspect_one (ctx, argv[i], kind, &err);
      if (v == NULL)
        {
          fprintf (stderr, "Error: %s\n", err->msg);
          lcr_error_release (&err);
          rc = 1;
          continue;
        }
      jv_push (arr, v);
    }
  if (jv_len (arr) == 0 && format == NULL)
    {
      printf ("[]\n");
      return rc;
    }
  if (dock_print_inspect (arr, format, &err) < 0)
    return dock_fail (&err);
  return rc;
}

DOCK_CMD (dock_cmd_inspect)
{
  return dock_inspect_objects (ctx, argc, argv, NULL);
}
