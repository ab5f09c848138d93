/* dock compose — one compose file: YAML → a checked, interpolated jv tree.
 *
 * libyaml's document API gives nodes with their marks (so errors can name the line) and
 * resolves anchors and aliases.  The walk below converts and checks at once: each mapping is
 * read against the kind of object it is (the file's top level, a service, a build section, …),
 * whose known keys are listed here, so an unknown key is found where its line is still known.
 * `x-` keys are extensions and pass unchecked, as the spec says; `<<` merge keys lay their
 * mapping(s) under the keys written beside them.  Every scalar is a string (or null): the
 * commands read "true", "8080" as the spec's loose typing allows.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "compose/compose.h"

enum kind
{
  K_ANY,
  K_TOP,
  K_SERVICES,
  K_SERVICE,
  K_BUILD,
  K_HEALTH,
  K_DEPENDS,
  K_DEPEND,
  K_SVC_NETS,
  K_SVC_NET,
  K_PORTS,
  K_PORT,
  K_SVC_VOLS,
  K_SVC_VOL,
  K_NETWORKS,
  K_NETWORK,
  K_VOLUMES,
  K_VOLUME,
  K_EXTENDS,
  K_DEPLOY,
  K_RESOURCES,
  K_LIMITS,
  K_INCLUDES,
  K_INCLUDE,
};

static const char *const top_keys[] = {"version", "name", "services", "networks", "volumes", "include", NULL};
static const char *const service_keys[]
    = {"image",          "build",       "command",     "entrypoint",  "environment",  "env_file",
       "ports",          "expose",      "volumes",     "networks",    "network_mode", "depends_on",
       "healthcheck",    "restart",     "working_dir", "user",        "hostname",     "labels",
       "container_name", "stop_signal", "tty",         "stdin_open",  "init",         "privileged",
       "read_only",      "cap_add",     "cap_drop",    "extra_hosts", "dns",          "tmpfs",
       "security_opt",   "devices",     "mem_limit",   "cpus",        "pids_limit",   "stop_grace_period",
       "logging",        "domainname",  "shm_size",    "sysctls",     "ulimits",      "platform",
       "pull_policy",    "profiles",    "scale",       "deploy",      "extends",      NULL};
static const char *const build_keys[]
    = {"context", "dockerfile", "args", "target", "labels", "network", "cache_from", "no_cache", "pull", NULL};
static const char *const health_keys[]
    = {"test", "interval", "timeout", "retries", "start_period", "start_interval", "disable", NULL};
static const char *const depend_keys[] = {"condition", "restart", "required", NULL};
static const char *const svc_net_keys[] = {"aliases", "ipv4_address", "ipv6_address", "priority", NULL};
static const char *const port_keys[]
    = {"target", "published", "host_ip", "protocol", "mode", "name", "app_protocol", NULL};
static const char *const svc_vol_keys[]
    = {"type", "source", "target", "read_only", "bind", "volume", "tmpfs", "consistency", NULL};
static const char *const network_keys[]
    = {"driver", "driver_opts", "external", "name", "ipam", "internal", "attachable", "labels", "enable_ipv6", NULL};
static const char *const volume_keys[] = {"driver", "driver_opts", "external", "name", "labels", NULL};
static const char *const extends_keys[] = {"service", "file", NULL};
/* deploy: what a single host can honour (replicas, resources, restart_policy), and the swarm
   keys, accepted and ignored as docker compose does without a swarm */
static const char *const deploy_keys[] = {"replicas",  "resources",     "restart_policy",  "labels",        "mode",
                                          "placement", "update_config", "rollback_config", "endpoint_mode", NULL};
static const char *const resources_keys[] = {"limits", "reservations", NULL};
static const char *const limits_keys[] = {"cpus", "memory", "pids", "devices", "generic_resources", NULL};
static const char *const include_keys[] = {"path", "project_directory", "env_file", NULL};

/* the known keys of a mapping of this kind (NULL: any key), and what its members are */
static const char *const *
keys_of (enum kind k)
{
  switch (k)
    {
    case K_TOP:
      return top_keys;
    case K_SERVICE:
      return service_keys;
    case K_BUILD:
      return build_keys;
    case K_HEALTH:
      return health_keys;
    case K_DEPEND:
      return depend_keys;
    case K_SVC_NET:
      return svc_net_keys;
    case K_PORT:
      return port_keys;
    case K_SVC_VOL:
      return svc_vol_keys;
    case K_NETWORK:
      return network_keys;
    case K_VOLUME:
      return volume_keys;
    case K_EXTENDS:
      return extends_keys;
    case K_DEPLOY:
      return deploy_keys;
    case K_RESOURCES:
      return resources_keys;
    case K_LIMITS:
      return limits_keys;
    case K_INCLUDE:
      return include_keys;
    default:
      return NULL;
    }
}

static enum kind
child_of (enum kind k, const char *key)
{
  switch (k)
    {
    case K_TOP:
      if (strcmp (key, "services") == 0)
        return K_SERVICES;
      if (strcmp (key, "networks") == 0)
        return K_NETWORKS;
      if (strcmp (key, "volumes") == 0)
        return K_VOLUMES;
      if (strcmp (key, "include") == 0)
        return K_INCLUDES;
      return K_ANY;
    case K_INCLUDES: /* sequence members */
      return K_INCLUDE;
    case K_DEPLOY:
      return strcmp (key, "resources") == 0 ? K_RESOURCES : K_ANY;
    case K_RESOURCES:
      return K_LIMITS;
    case K_SERVICES:
      return K_SERVICE;
    case K_NETWORKS:
      return K_NETWORK;
    case K_VOLUMES:
      return K_VOLUME;
    case K_DEPENDS:
      return K_DEPEND;
    case K_SVC_NETS:
      return K_SVC_NET;
    case K_PORTS: /* sequence members */
      return K_PORT;
    case K_SVC_VOLS:
      return K_SVC_VOL;
    case K_SERVICE:
      if (strcmp (key, "build") == 0)
        return K_BUILD;
      if (strcmp (key, "healthcheck") == 0)
        return K_HEALTH;
      if (strcmp (key, "depends_on") == 0)
        return K_DEPENDS;
      if (strcmp (key, "networks") == 0)
        return K_SVC_NETS;
      if (strcmp (key, "ports") == 0)
        return K_PORTS;
      if (strcmp (key, "volumes") == 0)
        return K_SVC_VOLS;
      if (strcmp (key, "extends") == 0)
        return K_EXTENDS;
      if (strcmp (key, "deploy") == 0)
        return K_DEPLOY;
      return K_ANY;
    default:
      return K_ANY;
    }
}

struct loader
{
  yaml_document_t doc;
  const char *path;
  jv env;
  jv where; /* "services.web.ports" → "FILE:LINE" of the key, or NULL */
  int depth;
};

static jv convert (struct loader *l, yaml_node_t *n, enum kind k, const char *where, lcr_error_t *err);

static int
convert_map_into (struct loader *l, jv obj, yaml_node_t *n, enum kind k, const char *where, bool merged,
                  lcr_error_t *err)
{
  const char *const *known = keys_of (k);
  /* the keys written here first, then the `<<` merges under them */
  for (int pass = 0; pass < 2; pass++)
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
      {
        yaml_node_t *kn = yaml_document_get_node (&l->doc, p->key);
        yaml_node_t *vn = yaml_document_get_node (&l->doc, p->value);
        if (kn == NULL || vn == NULL)
          continue;
        if (kn->type != YAML_SCALAR_NODE)
          return lcr_error_invalid (err, "%s:%zu: %s: a key must be a string", l->path, kn->start_mark.line + 1, where);
        const char *key = (const char *)kn->data.scalar.value;
        if ((strcmp (key, "<<") == 0) != (pass == 1))
          continue;
        if (pass == 1)
          {
            /* merge key: the mapping (or each of a sequence of them) under what is written here */
            if (vn->type == YAML_MAPPING_NODE)
              {
                if (convert_map_into (l, obj, vn, k, where, true, err) < 0)
                  return -1;
              }
            else if (vn->type == YAML_SEQUENCE_NODE)
              {
                for (yaml_node_item_t *it = vn->data.sequence.items.start; it < vn->data.sequence.items.top; it++)
                  {
                    yaml_node_t *m = yaml_document_get_node (&l->doc, *it);
                    if (m && m->type == YAML_MAPPING_NODE && convert_map_into (l, obj, m, k, where, true, err) < 0)
                      return -1;
                  }
              }
            else
              return lcr_error_invalid (err, "%s:%zu: %s: `<<` needs a mapping", l->path, kn->start_mark.line + 1,
                                        where);
            continue;
          }
        if (known && strncmp (key, "x-", 2) != 0)
          {
            bool ok = false;
            for (size_t i = 0; known[i] && !ok; i++)
              ok = strcmp (known[i], key) == 0;
            if (!ok)
              return lcr_error_invalid (err, "%s:%zu: %s: unknown key \"%s\"", l->path, kn->start_mark.line + 1, where,
                                        key);
          }
        if (jv_get (obj, key) != NULL)
          {
            if (merged)
              continue; /* what is written beside `<<` wins */
            return lcr_error_invalid (err, "%s:%zu: %s: key \"%s\" is given twice", l->path, kn->start_mark.line + 1,
                                      where, key);
          }
        cleanup_free char *sub = NULL;
        xasprintf (&sub, "%s%s%s", where[0] ? where : "", where[0] ? "." : "", key);
        if (l->where)
          {
            char at[4200];
            snprintf (at, sizeof at, "%s:%zu", l->path, kn->start_mark.line + 1);
            jv_set (l->where, sub, jv_str (at));
          }
        /* extension fields are kept as written: they are templates, interpolated where used */
        jv v = convert (l, vn, child_of (k, key), sub, err);
        if (v == NULL)
          return -1;
        jv_set (obj, key, v);
      }
  return 0;
}

static jv
convert (struct loader *l, yaml_node_t *n, enum kind k, const char *where, lcr_error_t *err)
{
  if (++l->depth > 64)
    {
      lcr_error_invalid (err, "%s:%zu: %s: nested too deeply", l->path, n->start_mark.line + 1, where);
      l->depth--;
      return NULL;
    }
  jv out = NULL;
  switch (n->type)
    {
    case YAML_SCALAR_NODE:
      {
        const char *s = (const char *)n->data.scalar.value;
        bool plain = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        if (plain
            && (s[0] == '\0' || strcmp (s, "~") == 0 || strcmp (s, "null") == 0 || strcmp (s, "Null") == 0
                || strcmp (s, "NULL") == 0))
          {
            out = jv_null ();
            break;
          }
        if (k == K_TOP || k == K_SERVICES || k == K_SERVICE || k == K_NETWORKS || k == K_NETWORK || k == K_VOLUMES
            || k == K_VOLUME || k == K_DEPEND || k == K_SVC_NET || k == K_HEALTH || k == K_DEPLOY || k == K_RESOURCES
            || k == K_LIMITS)
          {
            lcr_error_invalid (err, "%s:%zu: %s: a mapping is expected here", l->path, n->start_mark.line + 1, where);
            break;
          }
        char at[4200];
        snprintf (at, sizeof at, "%s:%zu", l->path, n->start_mark.line + 1);
        cleanup_free char *v = compose_interpolate (s, l->env, at, err);
        if (v)
          out = jv_str (v);
        break;
      }
    case YAML_SEQUENCE_NODE:
      out = jv_arr ();
      for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
        {
          yaml_node_t *m = yaml_document_get_node (&l->doc, *it);
          enum kind mk = (k == K_PORTS || k == K_SVC_VOLS || k == K_INCLUDES) ? child_of (k, "") : K_ANY;
          jv v = m ? convert (l, m, mk, where, err) : jv_null ();
          if (v == NULL)
            {
              jv_free (out);
              out = NULL;
              break;
            }
          jv_push (out, v);
        }
      break;
    case YAML_MAPPING_NODE:
      out = jv_obj ();
      if (convert_map_into (l, out, n, k, where, false, err) < 0)
        {
          jv_free (out);
          out = NULL;
        }
      break;
    default:
      out = jv_null ();
    }
  l->depth--;
  return out;
}

jv
compose_yaml_load (const char *path, jv env, jv where, lcr_error_t *err)
{
  FILE *f = fopen (path, "re");
  if (f == NULL)
    {
      lcr_error_sys (err, "open %s", path);
      return NULL;
    }
  yaml_parser_t parser;
  yaml_parser_initialize (&parser);
  yaml_parser_set_input_file (&parser, f);
  struct loader l = {.path = path, .env = env, .where = where};
  jv out = NULL;
  if (!yaml_parser_load (&parser, &l.doc))
    {
      lcr_error_invalid (err, "%s:%zu: %s%s%s", path, parser.problem_mark.line + 1,
                         parser.problem ? parser.problem : "YAML error", parser.context ? " " : "",
                         parser.context ? parser.context : "");
      yaml_parser_delete (&parser);
      fclose (f);
      return NULL;
    }
  yaml_node_t *root = yaml_document_get_root_node (&l.doc);
  if (root == NULL)
    out = jv_obj (); /* an empty file */
  else if (root->type != YAML_MAPPING_NODE)
    lcr_error_invalid (err, "%s:%zu: the top level must be a mapping", path, root->start_mark.line + 1);
  else
    out = convert (&l, root, K_TOP, "", err);
  yaml_document_delete (&l.doc);
  yaml_parser_delete (&parser);
  fclose (f);
  return out;
}
