/* dock compose — what exists of a project: its containers (found by their labels, as
 * docker compose finds them), its networks and volumes. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose/compose.h"

const char *
compose_label (jv ctr, const char *key)
{
  return jv_get_str (jv_get_obj (jv_get_obj (ctr, "Config"), "Labels"), key);
}

const char *
compose_ctr_name (jv ctr)
{
  const char *n = jv_get_str (ctr, "Name");
  return n && n[0] == '/' ? n + 1 : (n ? n : "");
}

bool
compose_ctr_running (jv ctr)
{
  return jv_get_bool (jv_get_obj (ctr, "State"), "Running", false);
}

static int
by_number (const void *a, const void *b)
{
  jv x = *(jv const *)a, y = *(jv const *)b;
  const char *sx = compose_label (x, COMPOSE_LABEL_SERVICE), *sy = compose_label (y, COMPOSE_LABEL_SERVICE);
  int c = strcmp (sx ? sx : "", sy ? sy : "");
  if (c)
    return c;
  return strcmp (compose_ctr_name (x), compose_ctr_name (y));
}

jv
compose_containers (struct dock_ctx *ctx, const char *project, const char *service, bool all, bool oneoff,
                    lcr_error_t *err)
{
  struct compose_args a;
  compose_args_init (&a, ctx, "ps");
  compose_args_add (&a, "-a");
  compose_args_add (&a, "-q");
  compose_args_add (&a, "--no-trunc");
  if (project)
    compose_args_addf (&a, "--filter=label=%s=%s", COMPOSE_LABEL_PROJECT, project);
  else
    compose_args_addf (&a, "--filter=label=%s", COMPOSE_LABEL_PROJECT);
  /* the service is matched here: dock ps ORs label filters (docker ANDs them) */
  cleanup_free char *ids = NULL;
  int rc = compose_run (&a, &ids, false, err);
  compose_args_release (&a);
  if (rc < 0)
    return NULL;
  if (rc != 0)
    {
      lcr_error_invalid (err, "listing the project's containers failed");
      return NULL;
    }
  compose_args_init (&a, ctx, "inspect");
  compose_args_add (&a, "--type=container");
  size_t n = 0;
  for (char *save = NULL, *t = strtok_r (ids, "\n", &save); t; t = strtok_r (NULL, "\n", &save))
    {
      compose_args_add (&a, t);
      n++;
    }
  jv out = jv_arr ();
  if (n == 0)
    {
      compose_args_release (&a);
      return out;
    }
  cleanup_free char *json = NULL;
  /* a container removed between ps and inspect only makes inspect complain about it */
  rc = compose_run (&a, &json, true, err);
  compose_args_release (&a);
  if (rc < 0)
    {
      jv_free (out);
      return NULL;
    }
  cleanup_jv jv arr = jv_parse (json, strlen (json), "inspect", err);
  if (arr == NULL || !YAJL_IS_ARRAY (arr))
    {
      jv_free (out);
      return NULL;
    }
  for (size_t i = 0; i < arr->u.array.len; i++)
    {
      jv c = arr->u.array.values[i];
      const char *o = compose_label (c, COMPOSE_LABEL_ONEOFF);
      if (!oneoff && o && strcmp (o, "True") == 0)
        continue;
      if (!all && !compose_ctr_running (c))
        continue;
      const char *s = compose_label (c, COMPOSE_LABEL_SERVICE);
      if (service && (s == NULL || strcmp (s, service) != 0))
        continue;
      jv_push (out, jv_copy (c));
    }
  if (out->u.array.len > 1)
    qsort (out->u.array.values, out->u.array.len, sizeof (jv), by_number);
  return out;
}

bool
compose_exists (struct dock_ctx *ctx, const char *kind, const char *name)
{
  struct compose_args a;
  lcr_error_t err = NULL;
  compose_args_init (&a, ctx, kind);
  compose_args_add (&a, "inspect");
  compose_args_add (&a, name);
  cleanup_free char *out = NULL;
  int rc = compose_run (&a, &out, true, &err);
  compose_args_release (&a);
  if (rc < 0)
    lcr_error_release (&err);
  return rc == 0;
}

static bool
is_true (jv v)
{
  const char *s = jv_as_str (v);
  return s && strcmp (s, "true") == 0;
}

jv
compose_service_networks (struct compose_project *p, const char *service)
{
  jv s = jv_get_obj (jv_get_obj (p->model, "services"), service);
  jv nets = jv_get_obj (s, "networks");
  jv out = jv_arr ();
  if (jv_get_str (s, "network_mode"))
    return out;
  if (nets == NULL || nets->u.object.len == 0)
    jv_push (out, jv_str ("default"));
  for (size_t i = 0; nets && i < nets->u.object.len; i++)
    jv_push (out, jv_str (nets->u.object.keys[i]));
  return out;
}

/* the networks some service joins: "default" only when used */
static bool
network_used (struct compose_project *p, const char *key)
{
  jv services = jv_get_obj (p->model, "services");
  for (size_t i = 0; services && i < services->u.object.len; i++)
    {
      cleanup_jv jv n = compose_service_networks (p, services->u.object.keys[i]);
      for (size_t j = 0; j < n->u.array.len; j++)
        if (strcmp (jv_as_str (n->u.array.values[j]), key) == 0)
          return true;
    }
  return false;
}

static int
create_one (struct dock_ctx *ctx, struct compose_project *p, const char *kind, const char *key, jv def,
            lcr_error_t *err)
{
  cleanup_free char *name
      = strcmp (kind, "network") == 0 ? compose_network_name (p, key) : compose_volume_name (p, key);
  if (compose_exists (ctx, kind, name))
    return 0;
  if (is_true (jv_get (def, "external")))
    return lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "%s %s declared as external, but could not be found", kind, name);
  struct compose_args a;
  compose_args_init (&a, ctx, kind);
  compose_args_add (&a, "create");
  const char *driver = jv_get_str (def, "driver");
  if (driver)
    compose_args_addf (&a, "--driver=%s", driver);
  if (is_true (jv_get (def, "internal")))
    compose_args_add (&a, "--internal");
  if (is_true (jv_get (def, "enable_ipv6")))
    compose_args_add (&a, "--ipv6");
  jv ipam = jv_get_obj (def, "ipam");
  const char *ipam_driver = jv_get_str (ipam, "driver");
  if (ipam_driver)
    compose_args_addf (&a, "--ipam-driver=%s", ipam_driver);
  jv pools = jv_get_arr (ipam, "config");
  for (size_t i = 0; pools && i < pools->u.array.len; i++)
    {
      jv pool = pools->u.array.values[i];
      const char *subnet = jv_get_str (pool, "subnet"), *gw = jv_get_str (pool, "gateway");
      const char *range = jv_get_str (pool, "ip_range");
      if (subnet)
        compose_args_addf (&a, "--subnet=%s", subnet);
      if (gw)
        compose_args_addf (&a, "--gateway=%s", gw);
      if (range)
        compose_args_addf (&a, "--ip-range=%s", range);
    }
  compose_args_addf (&a, "--label=%s=%s", COMPOSE_LABEL_PROJECT, p->name);
  compose_args_addf (&a, "--label=%s=%s", strcmp (kind, "network") == 0 ? COMPOSE_LABEL_NETWORK : COMPOSE_LABEL_VOLUME,
                     key);
  jv labels = jv_get (def, "labels");
  for (size_t i = 0; labels && YAJL_IS_OBJECT (labels) && i < labels->u.object.len; i++)
    compose_args_addf (&a, "--label=%s=%s", labels->u.object.keys[i],
                       jv_as_str (labels->u.object.values[i]) ? jv_as_str (labels->u.object.values[i]) : "");
  jv opts = jv_get_obj (def, "driver_opts");
  for (size_t i = 0; opts && i < opts->u.object.len; i++)
    compose_args_addf (&a, "--opt=%s=%s", opts->u.object.keys[i],
                       jv_as_str (opts->u.object.values[i]) ? jv_as_str (opts->u.object.values[i]) : "");
  compose_args_add (&a, name);
  cleanup_free char *out = NULL;
  int rc = compose_run (&a, &out, false, err);
  compose_args_release (&a);
  if (rc < 0)
    return -1;
  if (rc != 0)
    return lcr_error_invalid (err, "creating %s %s failed", kind, name);
  fprintf (stderr, " %s %s  Created\n", strcmp (kind, "network") == 0 ? "Network" : "Volume", name);
  return 0;
}

int
compose_create_networks (struct dock_ctx *ctx, struct compose_project *p, lcr_error_t *err)
{
  jv nets = jv_get_obj (p->model, "networks");
  if (network_used (p, "default") && jv_get (nets, "default") == NULL
      && create_one (ctx, p, "network", "default", NULL, err) < 0)
    return -1;
  for (size_t i = 0; nets && i < nets->u.object.len; i++)
    if (network_used (p, nets->u.object.keys[i])
        && create_one (ctx, p, "network", nets->u.object.keys[i], nets->u.object.values[i], err) < 0)
      return -1;
  return 0;
}

int
compose_create_volumes (struct dock_ctx *ctx, struct compose_project *p, lcr_error_t *err)
{
  jv vols = jv_get_obj (p->model, "volumes");
  for (size_t i = 0; vols && i < vols->u.object.len; i++)
    if (create_one (ctx, p, "volume", vols->u.object.keys[i], vols->u.object.values[i], err) < 0)
      return -1;
  return 0;
}
