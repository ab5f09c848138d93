/* dock — `network create|ls|inspect|rm|prune|connect|disconnect`, as docker's.
 *
 * Exit statuses as docker's CLI: 125 for a bad flag or a failed create; 1 when some of the
 * networks named to inspect / rm could not be (the others are still done).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "container/record.h"
#include "filters.h"
#include "network/network-internal.h"
#include "output.h"
#include "store/store.h"

static int
parse_or_usage (const struct dock_cmd_usage *u, const struct dock_opt *o, int argc, char **argv, int *first)
{
  cleanup_error lcr_error_t err = NULL;
  int r = dock_parse_args (u, o, argc, argv, first, &err);
  if (r < 0)
    return dock_fail (&err);
  return r == 1 ? -1 : 0;
}

/* "K=V" (or "K", value "") into obj */
static void
set_kv (jv obj, const char *kv)
{
  const char *eq = strchr (kv, '=');
  cleanup_free char *k = eq ? strndup (kv, eq - kv) : xstrdup (kv);
  jv_set (obj, k, jv_str (eq ? eq + 1 : ""));
}

DOCK_CMD (dock_cmd_network_create)
{
  const char *driver = "bridge", *subnet = NULL, *gateway = NULL, *ip_range = NULL, *ipam_driver = NULL;
  const char *scope = NULL;
  bool internal = false, attachable = false, ipv6 = false;
  struct dock_strlist labels = {0}, opts = {0};
  const struct dock_opt o[] = {
      {"driver", 'd', DOCK_OPT_STR, &driver, "Driver to manage the Network", "string"},
      {"subnet", 0, DOCK_OPT_STR, &subnet, "Subnet in CIDR format that represents a network segment", "string"},
      {"gateway", 0, DOCK_OPT_STR, &gateway, "IPv4 Gateway for the master subnet", "string"},
      {"ip-range", 0, DOCK_OPT_STR, &ip_range, "Allocate container ip from a sub-range", "string"},
      {"internal", 0, DOCK_OPT_BOOL, &internal, "Restrict external access to the network", NULL},
      {"attachable", 0, DOCK_OPT_BOOL, &attachable, "Enable manual container attachment", NULL},
      {"ipv6", 0, DOCK_OPT_BOOL, &ipv6, "Enable IPv6 networking", NULL},
      {"ipam-driver", 0, DOCK_OPT_STR, &ipam_driver, "IP Address Management Driver", "string"},
      {"scope", 0, DOCK_OPT_STR, &scope, "Control the network's scope", "string"},
      {"label", 0, DOCK_OPT_LIST, &labels, "Set metadata on a network", "list"},
      {"opt", 'o', DOCK_OPT_LIST, &opts, "Set driver specific options", "map"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const struct dock_cmd_usage u = {"dock network create [OPTIONS] NETWORK", "Create a network", true, 1, 1};
  int first;
  int r = parse_or_usage (&u, o, argc, argv, &first);
  cleanup_jv jv lab = jv_obj ();
  cleanup_jv jv opt = jv_obj ();
  for (size_t i = 0; i < labels.n; i++)
    set_kv (lab, labels.v[i]);
  for (size_t i = 0; i < opts.n; i++)
    set_kv (opt, opts.v[i]);
  dock_strlist_free (&labels);
  dock_strlist_free (&opts);
  if (r != 0)
    return r == -1 ? 0 : r;
  if (ipv6)
    return dock_failf ("--ipv6: IPv6 networks are not supported by dock yet");
  if (ipam_driver && strcmp (ipam_driver, "default") != 0)
    return dock_failf ("ipam driver \"%s\" not found", ipam_driver);
  if (scope && strcmp (scope, "local") != 0)
    return dock_failf ("--scope %s: dock networks are local", scope);
  struct dock_network_req req = {
      .name = argv[first],
      .driver = driver,
      .subnet = subnet,
      .gateway = gateway,
      .ip_range = ip_range,
      .internal = internal,
      .options = opt,
      .labels = lab,
  };
  cleanup_error lcr_error_t err = NULL;
  cleanup_jv jv net = NULL;
  if (dock_network_create (ctx, &req, &net, &err) < 0)
    return dock_fail (&err);
  if (attachable)
    {
      jv_set (net, "Attachable", jv_bool (true));
      dock_network_save (ctx, net, &err);
    }
  printf ("%s\n", jv_get_str (net, "Id"));
  return 0;
}

/* what inspect shows: leases of containers that still run only */
static jv
public_view (struct dock_ctx *ctx, jv net)
{
  cleanup_jv jv copy = jv_copy (net);
  dock_network_drop_stale (ctx, copy);
  return dock_network_public (copy);
}

/* ---------------------------------------------------------------- ls, prune */

static bool
labels_match (const struct dock_filters *f, jv net)
{
  for (size_t i = 0; i < f->n; i++)
    {
      if (strcmp (f->v[i].key, "label") == 0 && !dock_label_matches (jv_get_obj (net, "Labels"), f->v[i].value))
        return false;
      if (strcmp (f->v[i].key, "label!") == 0 && dock_label_matches (jv_get_obj (net, "Labels"), f->v[i].value))
        return false;
    }
  return true;
}

/* docker's network filters: values of one key are alternatives, keys must all match */
static int
network_matches (struct dock_ctx *ctx, const struct dock_filters *f, jv net, bool *out, lcr_error_t *err)
{
  static const char *const keys[] = {"driver", "id", "name", "scope", "type", "dangling", NULL};
  const char *name = jv_get_str (net, "Name");
  *out = false;
  if (!labels_match (f, net))
    return 0;
  for (const char *const *k = keys; *k; k++)
    {
      bool seen = false, any = false;
      for (size_t i = 0; i < f->n; i++)
        {
          const char *v = f->v[i].value;
          if (strcmp (f->v[i].key, *k) != 0)
            continue;
          seen = true;
          bool m = false;
          if (strcmp (*k, "driver") == 0)
            m = strcmp (jv_get_str (net, "Driver"), v) == 0;
          else if (strcmp (*k, "id") == 0)
            m = strncmp (jv_get_str (net, "Id"), v, strlen (v)) == 0;
          else if (strcmp (*k, "name") == 0)
            m = strstr (name, v) != NULL;
          else if (strcmp (*k, "scope") == 0)
            m = strcmp (v, "local") == 0;
          else if (strcmp (*k, "type") == 0)
            {
              if (strcmp (v, "custom") != 0 && strcmp (v, "builtin") != 0)
                return lcr_error_invalid (err, "invalid filter: 'type'='%s'", v);
              m = dock_network_is_builtin (name) == (strcmp (v, "builtin") == 0);
            }
          else if (strcmp (*k, "dangling") == 0)
            {
              bool want;
              if (dock_bool_filter ("dangling", v, &want, err) < 0)
                return -1;
              cleanup_free char *users = dock_network_users (ctx, name);
              m = (users == NULL && !dock_network_is_builtin (name)) == want;
            }
          any |= m;
        }
      if (seen && !any)
        return 0;
    }
  *out = true;
  return 0;
}

DOCK_CMD (dock_cmd_network_ls)
{
  bool quiet = false, no_trunc = false;
  const char *format = NULL;
  struct dock_strlist flist = {0};
  const struct dock_opt o[] = {
      {"quiet", 'q', DOCK_OPT_BOOL, &quiet, "Only display network IDs", NULL},
      {"no-trunc", 0, DOCK_OPT_BOOL, &no_trunc, "Do not truncate the output", NULL},
      {"filter", 'f', DOCK_OPT_LIST, &flist, "Provide filter values (e.g. 'driver=bridge')", "filter"},
      {"format", 0, DOCK_OPT_STR, &format, "Pretty-print networks using a Go template", "string"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const struct dock_cmd_usage u = {"dock network ls [OPTIONS]", "List networks", true, 0, 0};
  int first;
  int r = parse_or_usage (&u, o, argc, argv, &first);
  if (r != 0)
    {
      dock_strlist_free (&flist);
      return r == -1 ? 0 : r;
    }
  static const char *const keys[] = {"driver", "id", "label", "label!", "name", "scope", "type", "dangling", NULL};
  cleanup_error lcr_error_t err = NULL;
  struct dock_filters f = {0};
  int rc = dock_filters_parse (&flist, keys, &f, &err);
  dock_strlist_free (&flist);
  cleanup_jv jv all = rc == 0 ? dock_network_list (ctx, &err) : NULL;
  cleanup_jv jv rows = jv_arr ();
  for (size_t i = 0; all && i < jv_len (all); i++)
    {
      jv net = all->u.array.values[i];
      bool m;
      if (network_matches (ctx, &f, net, &m, &err) < 0)
        {
          rc = -1;
          break;
        }
      if (!m)
        continue;
      const char *id = jv_get_str (net, "Id");
      if (quiet)
        {
          printf ("%.*s\n", no_trunc ? 64 : 12, id);
          continue;
        }
      jv row = jv_push (rows, jv_obj ());
      jv_set (row, "ID", no_trunc ? jv_str (id) : jv_strn (id, 12));
      jv_set (row, "Name", jv_str (jv_get_str (net, "Name")));
      jv_set (row, "Driver", jv_str (jv_get_str (net, "Driver")));
      jv_set (row, "Scope", jv_str ("local"));
      jv_set (row, "IPv6", jv_str ("false"));
      jv_set (row, "Internal", jv_str (jv_get_bool (net, "Internal", false) ? "true" : "false"));
      jv_set (row, "CreatedAt", jv_str (jv_get_str (net, "Created")));
      cleanup_free char *ls = dock_labels_string (jv_get_obj (net, "Labels"));
      jv_set (row, "Labels", jv_str (ls));
    }
  dock_filters_free (&f);
  if (rc < 0)
    return dock_fail (&err);
  if (quiet)
    return 0;
  static const struct dock_column cols[] = {
      {"ID", "NETWORK ID"},        {"Name", "NAME"},     {"Driver", "DRIVER"},
      {"Scope", "SCOPE"},          {"IPv6", "IPV6"},     {"Internal", "INTERNAL"},
      {"CreatedAt", "CREATED AT"}, {"Labels", "LABELS"}, {NULL, NULL},
  };
  const char *fmt = format && *format ? format : "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}";
  if (strcmp (fmt, "table") == 0)
    fmt = "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}";
  if (dock_print_rows (rows, fmt, cols, &err) < 0)
    return dock_fail (&err);
  return 0;
}

DOCK_CMD (dock_cmd_network_inspect)
{
  const char *format = NULL;
  bool verbose = false;
  const struct dock_opt o[] = {
      {"format", 'f', DOCK_OPT_STR, &format, "Format output using a custom template", "string"},
      {"verbose", 'v', DOCK_OPT_BOOL, &verbose, "Verbose output for diagnostics", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const struct dock_cmd_usage u = {"dock network inspect [OPTIONS] NETWORK [NETWORK...]",
                                   "Display detailed information on one or more networks", true, 1, -1};
  int first;
  int r = parse_or_usage (&u, o, argc, argv, &first);
  if (r != 0)
    return r == -1 ? 0 : r;
  cleanup_jv jv out = jv_arr ();
  int status = 0;
  for (int i = first; i < argc; i++)
    {
      cleanup_error lcr_error_t err = NULL;
      cleanup_jv jv net = dock_network_get (ctx, argv[i], &err);
      if (net == NULL)
        {
          fprintf (stderr, "Error response from daemon: %s\n", err->msg);
          status = 1;
          continue;
        }
      jv_push (out, public_view (ctx, net));
    }
  cleanup_error lcr_error_t err = NULL;
  if (jv_len (out) && dock_print_inspect (out, format, &err) < 0)
    return dock_fail (&err);
  if (jv_len (out) == 0 && format == NULL)
    printf ("[]\n");
  return status;
}

DOCK_CMD (dock_cmd_network_rm)
{
  bool force = false;
  const struct dock_opt o[] = {
      {"force", 'f', DOCK_OPT_BOOL, &force, "Do not error if the network does not exist", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const struct dock_cmd_usage u = {"dock network rm NETWORK [NETWORK...]", "Remove one or more networks", true, 1, -1};
  int first;
  int r = parse_or_usage (&u, o, argc, argv, &first);
  if (r != 0)
    return r == -1 ? 0 : r;
  int status = 0;
  for (int i = first; i < argc; i++)
    {
      cleanup_error lcr_error_t err = NULL;
      if (dock_network_remove (ctx, argv[i], &err) < 0)
        {
          if (force && err->code == LCR_ERR_NOT_FOUND)
            continue;
          fprintf (stderr, "Error response from daemon: %s\n", err->msg);
          status = 1;
          continue;
        }
      printf ("%s\n", argv[i]);
    }
  return status;
}

struct prune_match
{
  const struct dock_filters *f;
  long long until;
};

static bool
prune_matches (jv net, void *data)
{
  const struct prune_match *pm = data;
  if (!labels_match (pm->f, net))
    return false;
  return pm->until < 0 || dock_parse_rfc3339 (jv_get_str (net, "Created")) <= pm->until;
}

DOCK_CMD (dock_cmd_network_prune)
{
  bool force = false;
  struct dock_strlist flist = {0};
  const struct dock_opt o[] = {
      {"force", 'f', DOCK_OPT_BOOL, &force, "Do not prompt for confirmation", NULL},
      {"filter", 0, DOCK_OPT_LIST, &flist, "Provide filter values (e.g. 'until=<timestamp>')", "filter"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const struct dock_cmd_usage u = {"dock network prune [OPTIONS]", "Remove all unused networks", true, 0, 0};
  int first;
  int r = parse_or_usage (&u, o, argc, argv, &first);
  if (r != 0)
    {
      dock_strlist_free (&flist);
      return r == -1 ? 0 : r;
    }
  static const char *const keys[] = {"label", "label!", "until", NULL};
  cleanup_error lcr_error_t err = NULL;
  struct dock_filters f = {0};
  int rc = dock_filters_parse (&flist, keys, &f, &err);
  dock_strlist_free (&flist);
  long long until = -1;
  for (size_t i = 0; rc == 0 && i < f.n; i++)
    if (strcmp (f.v[i].key, "until") == 0)
      {
        until = dock_parse_rfc3339 (f.v[i].value);
        if (until < 0)
          {
            char *end;
            long long secs = strtoll (f.v[i].value, &end, 10);
            if (*end == '\0')
              until = secs;
            else
              {
                long long d = dock_parse_duration (f.v[i].value);
                if (d < 0)
                  rc = lcr_error_invalid (&err, "invalid filter 'until=%s'", f.v[i].value);
                else
                  until = time (NULL) - d / 1000000000LL;
              }
          }
      }
  if (rc < 0)
    {
      dock_filters_free (&f);
      return dock_fail (&err);
    }
  if (!force
      && !dock_confirm ("WARNING! This will remove all custom networks not used by at least one container.\nAre "
                        "you sure you want to continue?"))
    {
      dock_filters_free (&f);
      return 0;
    }
  struct prune_match pm = {&f, until};
  cleanup_jv jv removed = dock_network_prune (ctx, prune_matches, &pm);
  if (jv_len (removed))
    printf ("Deleted Networks:\n");
  for (size_t i = 0; i < jv_len (removed); i++)
    printf ("%s\n", jv_as_str (removed->u.array.values[i]));
  dock_filters_free (&f);
  return 0;
}

/* ---------------------------------------------------------------- connect, disconnect */

DOCK_CMD (dock_cmd_network_connect)
{
  const char *ip = NULL, *ip6 = NULL;
  struct dock_strlist aliases = {0}, links = {0}, driver_opts = {0}, link_local = {0};
  const struct dock_opt o[] = {
      {"ip", 0, DOCK_OPT_STR, &ip, "IPv4 address (e.g., \"172.30.100.104\")", "string"},
      {"ip6", 0, DOCK_OPT_STR, &ip6, "IPv6 address (e.g., \"2001:db8::33\")", "string"},
      {"alias", 0, DOCK_OPT_LIST, &aliases, "Add network-scoped alias for the container", "strings"},
      {"link", 0, DOCK_OPT_LIST, &links, "Add link to another container", "list"},
      {"link-local-ip", 0, DOCK_OPT_LIST, &link_local, "Add a link-local address for the container", "strings"},
      {"driver-opt", 0, DOCK_OPT_LIST, &driver_opts, "driver options for the network", "strings"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const struct dock_cmd_usage u
      = {"dock network connect [OPTIONS] NETWORK CONTAINER", "Connect a container to a network", true, 2, 2};
  int first;
  int r = parse_or_usage (&u, o, argc, argv, &first);
  cleanup_jv jv epc = jv_obj ();
  if (aliases.n)
    jv_set (epc, "Aliases", jv_arr_of_strv ((char *const *)aliases.v, (long)aliases.n));
  if (ip)
    jv_set (jv_set (epc, "IPAMConfig", jv_obj ()), "IPv4Address", jv_str (ip));
  dock_strlist_free (&aliases);
  dock_strlist_free (&links);
  dock_strlist_free (&driver_opts);
  dock_strlist_free (&link_local);
  if (r != 0)
    return r == -1 ? 0 : r;
  if (ip6)
    return dock_failf ("--ip6: IPv6 networks are not supported by dock yet");
  cleanup_error lcr_error_t err = NULL;
  if (dock_lock (ctx, &err) < 0)
    return dock_fail (&err);
  char id[65];
  cleanup_jv jv net = dock_network_get (ctx, argv[first], &err);
  cleanup_jv jv rec = net ? dock_record_get (ctx, argv[first + 1], id, &err) : NULL;
  int rc = rec ? 0 : -1;
  if (rc == 0)
    {
      const char *st = dock_record_status (rec);
      bool live = strcmp (st, "running") == 0 || strcmp (st, "paused") == 0;
      const char *ns = live ? jv_get_str (jv_get_obj (rec, "Dock"), "NetnsPath") : NULL;
      rc = dock_network_connect (ctx, rec, net, epc, ns, &err);
      if (rc == 0 && ns && dock_network_has_dns (rec))
        {
          /* its shim answers from this table: the new network's names join it */
          cleanup_error lcr_error_t e = NULL;
          cleanup_free char *table = dock_runpath (ctx, "dns/ctr/%s", id);
          if (access (table, F_OK) == 0)
            dock_dns_write_container (ctx, rec, NULL, &e);
        }
      if (rc == 0)
        rc = dock_record_save (ctx, rec, &err);
    }
  dock_unlock (ctx);
  if (rc < 0)
    return dock_fail (&err);
  return 0;
}

DOCK_CMD (dock_cmd_network_disconnect)
{
  bool force = false;
  const struct dock_opt o[] = {
      {"force", 'f', DOCK_OPT_BOOL, &force, "Force the container to disconnect from a network", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const struct dock_cmd_usage u
      = {"dock network disconnect [OPTIONS] NETWORK CONTAINER", "Disconnect a container from a network", true, 2, 2};
  int first;
  int r = parse_or_usage (&u, o, argc, argv, &first);
  if (r != 0)
    return r == -1 ? 0 : r;
  cleanup_error lcr_error_t err = NULL;
  if (dock_lock (ctx, &err) < 0)
    return dock_fail (&err);
  char id[65];
  cleanup_jv jv net = dock_network_get (ctx, argv[first], &err);
  cleanup_jv jv rec = net ? dock_record_get (ctx, argv[first + 1], id, &err) : NULL;
  int rc = rec ? dock_network_disconnect (ctx, rec, net, &err) : -1;
  if (rc == 0)
    {
      cleanup_error lcr_error_t e = NULL;
      cleanup_free char *table = dock_runpath (ctx, "dns/ctr/%s", id);
      if (access (table, F_OK) == 0)
        dock_dns_write_container (ctx, rec, NULL, &e);
      rc = dock_record_save (ctx, rec, &err);
    }
  dock_unlock (ctx);
  if (rc < 0)
    return dock_fail (&err);
  return 0;
}

/* hidden: rebuild the packet filter rules (the light dock runs this in dock-archive) */
DOCK_CMD (dock_cmd_network_refresh_rules)
{
  (void)argc, (void)argv;
  cleanup_error lcr_error_t err = NULL;
  if (dock_network_rules_refresh (ctx, &err) < 0)
    return dock_fail (&err);
  return 0;
}
