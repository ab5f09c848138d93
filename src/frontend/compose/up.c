/* dock compose — a service's container: its image (built or pulled), its `dock create`
 * arguments, and `up`'s walk over the services in depends_on order. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "compose/compose.h"
#include "cli/args.h"
#include "image/digest.h"

static jv
service (struct compose_project *p, const char *svc)
{
  return jv_get_obj (jv_get_obj (p->model, "services"), svc);
}

static bool
is_true (jv v)
{
  const char *s = jv_as_str (v);
  return s && (strcmp (s, "true") == 0 || strcmp (s, "True") == 0 || strcmp (s, "yes") == 0);
}

char *
compose_config_hash (struct compose_project *p, const char *svc)
{
  /* how many replicas run is not part of a container's configuration: scaling keeps the
     ones that are there */
  cleanup_jv jv s = jv_copy (service (p, svc));
  jv_del (s, "scale");
  jv_del (jv_get_obj (s, "deploy"), "replicas");
  cleanup_free char *dump = jv_dump (s, false);
  struct dock_sha256 h;
  char digest[DOCK_DIGEST_LEN + 1];
  dock_sha256_init (&h);
  dock_sha256_update (&h, dump, strlen (dump));
  dock_sha256_final (&h, digest);
  return xstrdup (digest + 7);
}

int
compose_build_service (struct dock_ctx *ctx, struct compose_project *p, const char *svc, lcr_error_t *err)
{
  jv b = jv_get_obj (service (p, svc), "build");
  if (b == NULL)
    return 0;
  cleanup_free char *image = compose_service_image (p, svc);
  const char *context = jv_get_str (b, "context"), *df = jv_get_str (b, "dockerfile");
  struct compose_args a;
  compose_args_init (&a, ctx, "build");
  compose_args_addf (&a, "--tag=%s", image);
  if (df)
    compose_args_addf (&a, "--file=%s%s%s", df[0] == '/' ? "" : context, df[0] == '/' ? "" : "/", df);
  const char *target = jv_get_str (b, "target");
  if (target)
    compose_args_addf (&a, "--target=%s", target);
  const char *net = jv_get_str (b, "network");
  if (net)
    compose_args_addf (&a, "--network=%s", net);
  if (is_true (jv_get (b, "no_cache")))
    compose_args_add (&a, "--no-cache");
  if (is_true (jv_get (b, "pull")))
    compose_args_add (&a, "--pull");
  jv args = jv_get_obj (b, "args");
  for (size_t i = 0; args && i < args->u.object.len; i++)
    {
      const char *v = jv_as_str (args->u.object.values[i]);
      if (v)
        compose_args_addf (&a, "--build-arg=%s=%s", args->u.object.keys[i], v);
      else
        compose_args_addf (&a, "--build-arg=%s", args->u.object.keys[i]);
    }
  jv labels = jv_get_obj (b, "labels");
  for (size_t i = 0; labels && i < labels->u.object.len; i++)
    compose_args_addf (&a, "--label=%s=%s", labels->u.object.keys[i],
                       jv_as_str (labels->u.object.values[i]) ? jv_as_str (labels->u.object.values[i]) : "");
  compose_args_addf (&a, "--label=%s=%s", COMPOSE_LABEL_PROJECT, p->name);
  compose_args_addf (&a, "--label=%s=%s", COMPOSE_LABEL_SERVICE, svc);
  compose_args_add (&a, context);
  fprintf (stderr, " Service %s  Building\n", svc);
  int rc = compose_run (&a, NULL, false, err);
  compose_args_release (&a);
  if (rc < 0)
    return -1;
  if (rc != 0)
    return lcr_error_invalid (err, "failed to build service \"%s\"", svc);
  fprintf (stderr, " Service %s  Built\n", svc);
  return 0;
}

int
compose_ensure_image (struct dock_ctx *ctx, struct compose_project *p, const char *svc, bool build, lcr_error_t *err)
{
  jv s = service (p, svc);
  cleanup_free char *image = compose_service_image (p, svc);
  bool have = compose_exists (ctx, "image", image);
  const char *policy = jv_get_str (s, "pull_policy");
  if (policy && strcmp (policy, "always") != 0 && strcmp (policy, "never") != 0 && strcmp (policy, "missing") != 0
      && strcmp (policy, "if_not_present") != 0 && strcmp (policy, "build") != 0)
    return lcr_error_invalid (err, "service \"%s\": invalid pull_policy \"%s\" (always, never, missing, build)", svc,
                              policy);
  if (jv_get_obj (s, "build") && (build || !have || (policy && strcmp (policy, "build") == 0)))
    return compose_build_service (ctx, p, svc, err);
  if (have && !(policy && strcmp (policy, "always") == 0))
    return 0;
  if (!have && policy && strcmp (policy, "never") == 0)
    return lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "service \"%s\": no such image %s (pull_policy: never)", svc,
                           image);
  struct compose_args a;
  compose_args_init (&a, ctx, "pull");
  compose_args_add (&a, image);
  fprintf (stderr, " %s Pulling\n", svc);
  cleanup_free char *out = NULL;
  int rc = compose_run (&a, &out, false, err);
  compose_args_release (&a);
  if (rc < 0)
    return -1;
  if (rc != 0)
    return lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "service \"%s\": no such image %s, and pulling it failed", svc,
                           image);
  fprintf (stderr, " %s Pulled\n", svc);
  return 0;
}

static void
add_list (struct compose_args *a, jv s, const char *key, const char *flag)
{
  jv l = jv_get (s, key);
  if (l && YAJL_IS_STRING (l))
    compose_args_addf (a, "--%s=%s", flag, l->u.string);
  for (size_t i = 0; l && YAJL_IS_ARRAY (l) && i < l->u.array.len; i++)
    if (jv_as_str (l->u.array.values[i]))
      compose_args_addf (a, "--%s=%s", flag, jv_as_str (l->u.array.values[i]));
}

static void
add_str (struct compose_args *a, jv s, const char *key, const char *flag)
{
  const char *v = jv_get_str (s, key);
  if (v)
    compose_args_addf (a, "--%s=%s", flag, v);
}

/* healthcheck → --health-*: dock's --health-cmd is a CMD-SHELL command, so a CMD list is
   quoted into one */
static void
add_health (struct compose_args *a, jv h)
{
  if (h == NULL)
    return;
  if (is_true (jv_get (h, "disable")))
    {
      compose_args_add (a, "--no-healthcheck");
      return;
    }
  jv t = jv_get (h, "test");
  if (t && YAJL_IS_STRING (t))
    compose_args_addf (a, "--health-cmd=%s", t->u.string);
  else if (t && YAJL_IS_ARRAY (t) && t->u.array.len > 0)
    {
      const char *kind = jv_as_str (t->u.array.values[0]);
      if (kind && strcmp (kind, "NONE") == 0)
        {
          compose_args_add (a, "--no-healthcheck");
          return;
        }
      if (kind && strcmp (kind, "CMD-SHELL") == 0 && t->u.array.len > 1 && jv_as_str (t->u.array.values[1]))
        compose_args_addf (a, "--health-cmd=%s", jv_as_str (t->u.array.values[1]));
      else if (kind && strcmp (kind, "CMD") == 0)
        {
          char *cmd = xstrdup ("");
          for (size_t i = 1; i < t->u.array.len; i++)
            {
              const char *w = jv_as_str (t->u.array.values[i]);
              char *q = NULL;
              /* 'word' with each ' written as '\'' */
              size_t n = 0;
              for (const char *c = w ? w : ""; *c; c++)
                n += *c == '\'' ? 4 : 1;
              q = xmalloc0 (n + 3);
              char *o = q;
              *o++ = '\'';
              for (const char *c = w ? w : ""; *c; c++)
                if (*c == '\'')
                  o = stpcpy (o, "'\\''");
                else
                  *o++ = *c;
              *o++ = '\'';
              *o = '\0';
              char *next = NULL;
              xasprintf (&next, "%s%s%s", cmd, i > 1 ? " " : "", q);
              free (q);
              free (cmd);
              cmd = next;
            }
          compose_args_addf (a, "--health-cmd=%s", cmd);
          free (cmd);
        }
    }
  add_str (a, h, "interval", "health-interval");
  add_str (a, h, "timeout", "health-timeout");
  add_str (a, h, "retries", "health-retries");
  add_str (a, h, "start_period", "health-start-period");
  add_str (a, h, "start_interval", "health-start-interval");
}

/* a volume in the long syntax → --mount (a named volume's source is the project's name for it;
   a bind's missing source is made, as compose does unless create_host_path is false) */
static int
add_mount (struct compose_project *p, const char *svc, struct compose_args *a, jv e, lcr_error_t *err)
{
  const char *type = jv_get_str (e, "type"), *src = jv_get_str (e, "source"), *target = jv_get_str (e, "target");
  cleanup_free char *m = NULL, *name = NULL;
  xasprintf (&m, "type=%s,target=%s", type, target);
  if (src && strcmp (type, "volume") == 0)
    {
      name = compose_volume_name (p, src);
      src = name;
    }
  if (src && strcmp (type, "bind") == 0 && access (src, F_OK) != 0)
    {
      jv chp = jv_get (jv_get_obj (e, "bind"), "create_host_path");
      if (chp && jv_as_str (chp) && strcmp (jv_as_str (chp), "false") == 0)
        return lcr_error_make (err, ENOENT, LCR_ERR_NOT_FOUND,
                               "service \"%s\": bind source %s does not exist (create_host_path: false)", svc, src);
      if (lcr_mkdir_p (src, 0755, err) < 0)
        return -1;
    }
  char *next = NULL;
#define ADD(...)                                                                                                       \
  do                                                                                                                   \
    {                                                                                                                  \
      char *piece = NULL;                                                                                              \
      xasprintf (&piece, __VA_ARGS__);                                                                                 \
      xasprintf (&next, "%s,%s", m, piece);                                                                            \
      free (piece);                                                                                                    \
      free (m);                                                                                                        \
      m = next;                                                                                                        \
    }                                                                                                                  \
  while (0)
  if (src)
    ADD ("source=%s", src);
  if (is_true (jv_get (e, "read_only")))
    ADD ("readonly");
  const char *prop = jv_get_str (jv_get_obj (e, "bind"), "propagation");
  if (prop)
    ADD ("bind-propagation=%s", prop);
  if (is_true (jv_get (jv_get_obj (e, "volume"), "nocopy")))
    ADD ("volume-nocopy");
  const char *sub = jv_get_str (jv_get_obj (e, "volume"), "subpath");
  if (sub)
    ADD ("volume-subpath=%s", sub);
  const char *size = jv_get_str (jv_get_obj (e, "tmpfs"), "size");
  if (size)
    ADD ("tmpfs-size=%s", size);
  const char *mode = jv_get_str (jv_get_obj (e, "tmpfs"), "mode");
  if (mode)
    ADD ("tmpfs-mode=%s", mode);
#undef ADD
  compose_args_addf (a, "--mount=%s", m);
  return 0;
}

int
compose_create_args (struct compose_project *p, const char *svc, struct compose_args *a, bool oneoff, lcr_error_t *err)
{
  jv s = service (p, svc);
  cleanup_free char *hash = compose_config_hash (p, svc);
  compose_args_addf (a, "--label=%s=%s", COMPOSE_LABEL_PROJECT, p->name);
  compose_args_addf (a, "--label=%s=%s", COMPOSE_LABEL_SERVICE, svc);
  compose_args_addf (a, "--label=%s=%s", COMPOSE_LABEL_ONEOFF, oneoff ? "True" : "False");
  compose_args_addf (a, "--label=%s=%s", COMPOSE_LABEL_HASH, hash);
  compose_args_addf (a, "--label=%s=%s", COMPOSE_LABEL_WORKDIR, p->workdir);
  compose_args_addf (a, "--label=%s=%s", COMPOSE_LABEL_FILES, p->files);
  jv labels = jv_get_obj (s, "labels");
  for (size_t i = 0; labels && i < labels->u.object.len; i++)
    compose_args_addf (a, "--label=%s=%s", labels->u.object.keys[i],
                       jv_as_str (labels->u.object.values[i]) ? jv_as_str (labels->u.object.values[i]) : "");

  const char *mode = jv_get_str (s, "network_mode");
  if (mode)
    compose_args_addf (a, "--network=%s", mode);
  else
    {
      /* the first network here; `up` connects the others (dock's --network-alias goes to the
         first network only) */
      cleanup_jv jv nets = compose_service_networks (p, svc);
      const char *first = jv_as_str (nets->u.array.values[0]);
      cleanup_free char *name = compose_network_name (p, first);
      compose_args_addf (a, "--network=%s", name);
      if (!oneoff)
        compose_args_addf (a, "--network-alias=%s", svc);
      const char *ip = jv_get_str (jv_get_obj (jv_get_obj (s, "networks"), first), "ipv4_address");
      if (ip && !oneoff)
        compose_args_addf (a, "--ip=%s", ip);
      const char *ip6 = jv_get_str (jv_get_obj (jv_get_obj (s, "networks"), first), "ipv6_address");
      if (ip6 && !oneoff)
        compose_args_addf (a, "--ip6=%s", ip6);
      jv aliases = jv_get_arr (jv_get_obj (jv_get_obj (s, "networks"), first), "aliases");
      for (size_t i = 0; aliases && i < aliases->u.array.len; i++)
        if (jv_as_str (aliases->u.array.values[i]))
          compose_args_addf (a, "--network-alias=%s", jv_as_str (aliases->u.array.values[i]));
    }

  jv env = jv_get_obj (s, "environment");
  for (size_t i = 0; env && i < env->u.object.len; i++)
    compose_args_addf (a, "--env=%s=%s", env->u.object.keys[i],
                       jv_as_str (env->u.object.values[i]) ? jv_as_str (env->u.object.values[i]) : "");
  if (!oneoff)
    add_list (a, s, "ports", "publish");
  add_list (a, s, "expose", "expose");
  jv vols = jv_get_arr (s, "volumes");
  for (size_t i = 0; vols && i < vols->u.array.len; i++)
    {
      jv e = vols->u.array.values[i];
      if (YAJL_IS_OBJECT (e))
        {
          if (add_mount (p, svc, a, e, err) < 0)
            return -1;
          continue;
        }
      const char *v = jv_as_str (e);
      const char *c = v ? strchr (v, ':') : NULL;
      if (v && c && v[0] != '/')
        {
          cleanup_free char *key = compose_strndup (v, (size_t)(c - v));
          cleanup_free char *name = compose_volume_name (p, key);
          compose_args_addf (a, "--volume=%s%s", name, c);
        }
      else if (v)
        compose_args_addf (a, "--volume=%s", v);
    }
  jv ul = jv_get_obj (s, "ulimits");
  for (size_t i = 0; ul && i < ul->u.object.len; i++)
    {
      jv u = ul->u.object.values[i];
      const char *soft = YAJL_IS_OBJECT (u) ? jv_get_str (u, "soft") : jv_as_str (u);
      const char *hard = YAJL_IS_OBJECT (u) ? jv_get_str (u, "hard") : jv_as_str (u);
      if (soft == NULL || hard == NULL)
        return lcr_error_invalid (err, "service \"%s\": ulimits.%s needs a number or soft and hard", svc,
                                  ul->u.object.keys[i]);
      compose_args_addf (a, "--ulimit=%s=%s:%s", ul->u.object.keys[i], soft, hard);
    }
  jv res = jv_get_obj (jv_get_obj (s, "deploy"), "resources");
  jv lim = jv_get_obj (res, "limits"), rsv = jv_get_obj (res, "reservations");
  add_str (a, lim, "cpus", "cpus");
  add_str (a, lim, "memory", "memory");
  add_str (a, lim, "pids", "pids-limit");
  add_str (a, rsv, "memory", "memory-reservation");
  add_str (a, s, "working_dir", "workdir");
  add_str (a, s, "user", "user");
  add_str (a, s, "hostname", "hostname");
  add_str (a, s, "domainname", "domainname");
  if (!oneoff)
    add_str (a, s, "restart", "restart");
  add_str (a, s, "stop_signal", "stop-signal");
  add_str (a, s, "mem_limit", "memory");
  add_str (a, s, "cpus", "cpus");
  add_str (a, s, "pids_limit", "pids-limit");
  add_str (a, s, "shm_size", "shm-size");
  add_str (a, s, "platform", "platform");
  const char *grace = jv_get_str (s, "stop_grace_period");
  if (grace)
    {
      long long ns = dock_parse_duration (grace);
      if (ns < 0)
        return lcr_error_invalid (err, "service \"%s\": invalid stop_grace_period \"%s\"", svc, grace);
      compose_args_addf (a, "--stop-timeout=%lld", ns / 1000000000LL);
    }
  if (is_true (jv_get (s, "tty")))
    compose_args_add (a, "--tty");
  if (is_true (jv_get (s, "stdin_open")))
    compose_args_add (a, "--interactive");
  if (is_true (jv_get (s, "init")))
    compose_args_add (a, "--init");
  if (is_true (jv_get (s, "privileged")))
    compose_args_add (a, "--privileged");
  if (is_true (jv_get (s, "read_only")))
    compose_args_add (a, "--read-only");
  add_list (a, s, "cap_add", "cap-add");
  add_list (a, s, "cap_drop", "cap-drop");
  add_list (a, s, "extra_hosts", "add-host");
  add_list (a, s, "dns", "dns");
  add_list (a, s, "tmpfs", "tmpfs");
  add_list (a, s, "security_opt", "security-opt");
  add_list (a, s, "devices", "device");
  jv sysctls = jv_get_obj (s, "sysctls");
  for (size_t i = 0; sysctls && i < sysctls->u.object.len; i++)
    compose_args_addf (a, "--sysctl=%s=%s", sysctls->u.object.keys[i],
                       jv_as_str (sysctls->u.object.values[i]) ? jv_as_str (sysctls->u.object.values[i]) : "");
  add_health (a, jv_get_obj (s, "healthcheck"));
  jv ep = jv_get_arr (s, "entrypoint");
  if (ep)
    compose_args_addf (a, "--entrypoint=%s", ep->u.array.len ? jv_as_str (ep->u.array.values[0]) : "");
  return 0;
}

void
compose_image_cmd_args (struct compose_project *p, const char *svc, struct compose_args *a, char **cmd_override,
                        size_t n_override)
{
  jv s = service (p, svc);
  cleanup_free char *image = compose_service_image (p, svc);
  compose_args_add (a, image);
  /* an entrypoint of several words: the first is --entrypoint, the others lead the command */
  jv ep = jv_get_arr (s, "entrypoint");
  for (size_t i = 1; ep && i < ep->u.array.len; i++)
    compose_args_add (a, jv_as_str (ep->u.array.values[i]) ? jv_as_str (ep->u.array.values[i]) : "");
  if (cmd_override && n_override)
    {
      for (size_t i = 0; i < n_override; i++)
        compose_args_add (a, cmd_override[i]);
      return;
    }
  jv cmd = jv_get_arr (s, "command");
  for (size_t i = 0; cmd && i < cmd->u.array.len; i++)
    compose_args_add (a, jv_as_str (cmd->u.array.values[i]) ? jv_as_str (cmd->u.array.values[i]) : "");
}

static int
simple (struct dock_ctx *ctx, const char *cmd, const char *arg1, const char *arg2, const char *arg3, lcr_error_t *err)
{
  struct compose_args a;
  compose_args_init (&a, ctx, cmd);
  if (arg1)
    compose_args_add (&a, arg1);
  if (arg2)
    compose_args_add (&a, arg2);
  if (arg3)
    compose_args_add (&a, arg3);
  cleanup_free char *out = NULL;
  int rc = compose_run (&a, &out, false, err);
  compose_args_release (&a);
  if (rc > 0)
    return lcr_error_invalid (err, "dock %s %s failed", cmd, arg1 ? arg1 : "");
  return rc;
}

/* wait until the service's containers meet `condition` */
static int
wait_for (struct dock_ctx *ctx, struct compose_project *p, const char *dep, const char *condition, lcr_error_t *err)
{
  bool healthy = strcmp (condition, "service_healthy") == 0;
  bool completed = strcmp (condition, "service_completed_successfully") == 0;
  if (!healthy && !completed)
    return 0;
  for (;;)
    {
      cleanup_jv jv ctrs = compose_containers (ctx, p->name, dep, true, false, err);
      if (ctrs == NULL)
        return -1;
      long want = 1;
      if (compose_service_scale (p, dep, &want, err) < 0)
        return -1;
      if (want == 0)
        return 0; /* scaled to nothing: nothing to wait for */
      bool all = ctrs->u.array.len > 0;
      for (size_t i = 0; i < ctrs->u.array.len; i++)
        {
          jv c = ctrs->u.array.values[i];
          jv st = jv_get_obj (c, "State");
          const char *status = jv_get_str (st, "Status");
          if (completed)
            {
              if (status && strcmp (status, "exited") == 0)
                {
                  if (jv_get_int (st, "ExitCode", -1) != 0)
                    return lcr_error_invalid (err, "service \"%s\" didn't complete successfully: exit %lld", dep,
                                              jv_get_int (st, "ExitCode", -1));
                }
              else
                all = false;
              continue;
            }
          const char *h = jv_get_str (jv_get_obj (st, "Health"), "Status");
          if (h == NULL)
            return lcr_error_invalid (err, "dependency %s has no healthcheck: condition service_healthy cannot be met",
                                      dep);
          if (strcmp (h, "unhealthy") == 0)
            return lcr_error_invalid (err, "dependency failed to start: container %s is unhealthy",
                                      compose_ctr_name (c));
          if (!compose_ctr_running (c))
            return lcr_error_invalid (err, "dependency failed to start: container %s exited", compose_ctr_name (c));
          if (strcmp (h, "healthy") != 0)
            all = false;
        }
      if (all)
        {
          for (size_t i = 0; i < ctrs->u.array.len; i++)
            fprintf (stderr, " Container %s  %s\n", compose_ctr_name (ctrs->u.array.values[i]),
                     healthy ? "Healthy" : "Exited");
          return 0;
        }
      struct timespec ts = {0, 200 * 1000 * 1000};
      nanosleep (&ts, NULL);
    }
}

static char *
container_name (struct compose_project *p, const char *svc, long number)
{
  const char *n = jv_get_str (service (p, svc), "container_name");
  char *out = NULL;
  if (n)
    return xstrdup (n);
  xasprintf (&out, "%s-%s-%ld", p->name, svc, number);
  return out;
}

static long
ctr_number (jv c)
{
  const char *num = compose_label (c, COMPOSE_LABEL_NUMBER);
  return num ? atol (num) : 0;
}

static int
create_container (struct dock_ctx *ctx, struct compose_project *p, const char *svc, const char *name, long number,
                  lcr_error_t *err)
{
  struct compose_args a;
  compose_args_init (&a, ctx, "create");
  compose_args_addf (&a, "--name=%s", name);
  compose_args_addf (&a, "--label=%s=%ld", COMPOSE_LABEL_NUMBER, number);
  compose_args_add (&a, "--pull=never");
  if (compose_create_args (p, svc, &a, false, err) < 0)
    {
      compose_args_release (&a);
      return -1;
    }
  compose_image_cmd_args (p, svc, &a, NULL, 0);
  cleanup_free char *out = NULL;
  int rc = compose_run (&a, &out, false, err);
  compose_args_release (&a);
  if (rc < 0)
    return -1;
  if (rc != 0)
    return lcr_error_invalid (err, "creating the container of service \"%s\" failed", svc);
  /* the other networks, with the service's name and aliases on each */
  cleanup_jv jv nets = compose_service_networks (p, svc);
  for (size_t i = 1; i < nets->u.array.len; i++)
    {
      const char *key = jv_as_str (nets->u.array.values[i]);
      cleanup_free char *net = compose_network_name (p, key);
      compose_args_init (&a, ctx, "network");
      compose_args_add (&a, "connect");
      compose_args_addf (&a, "--alias=%s", svc);
      const char *ip = jv_get_str (jv_get_obj (jv_get_obj (service (p, svc), "networks"), key), "ipv4_address");
      if (ip)
        compose_args_addf (&a, "--ip=%s", ip);
      const char *ip6 = jv_get_str (jv_get_obj (jv_get_obj (service (p, svc), "networks"), key), "ipv6_address");
      if (ip6)
        compose_args_addf (&a, "--ip6=%s", ip6);
      jv aliases = jv_get_arr (jv_get_obj (jv_get_obj (service (p, svc), "networks"), key), "aliases");
      for (size_t j = 0; aliases && j < aliases->u.array.len; j++)
        if (jv_as_str (aliases->u.array.values[j]))
          compose_args_addf (&a, "--alias=%s", jv_as_str (aliases->u.array.values[j]));
      compose_args_add (&a, net);
      compose_args_add (&a, name);
      rc = compose_run (&a, NULL, false, err);
      compose_args_release (&a);
      if (rc != 0)
        {
          lcr_error_t e2 = NULL;
          simple (ctx, "rm", "-f", name, NULL, &e2);
          lcr_error_release (&e2);
          return rc < 0 ? -1 : lcr_error_invalid (err, "connecting %s to network %s failed", name, net);
        }
    }
  fprintf (stderr, " Container %s  Created\n", name);
  return 0;
}

/* stop and remove one container (scaled away, or an orphan) */
static int
remove_container (struct dock_ctx *ctx, const char *name, lcr_error_t *err)
{
  fprintf (stderr, " Container %s  Stopping\n", name);
  if (simple (ctx, "stop", name, NULL, NULL, err) < 0 || simple (ctx, "rm", "-f", name, NULL, err) < 0)
    return -1;
  fprintf (stderr, " Container %s  Removed\n", name);
  return 0;
}

int
compose_orphans (struct dock_ctx *ctx, struct compose_project *p, bool remove, lcr_error_t *err)
{
  cleanup_jv jv ctrs = compose_containers (ctx, p->name, NULL, true, false, err);
  if (ctrs == NULL)
    return -1;
  cleanup_free char *names = xstrdup ("");
  for (size_t i = 0; i < ctrs->u.array.len; i++)
    {
      jv c = ctrs->u.array.values[i];
      const char *s = compose_label (c, COMPOSE_LABEL_SERVICE);
      if (s && compose_service_known (p, s))
        continue;
      if (remove)
        {
          if (remove_container (ctx, compose_ctr_name (c), err) < 0)
            return -1;
          continue;
        }
      char *next = NULL;
      xasprintf (&next, "%s%s%s", names, names[0] ? " " : "", compose_ctr_name (c));
      free (names);
      names = next;
    }
  if (names[0])
    fprintf (stderr,
             "WARN[0000] Found orphan containers ([%s]) for this project. If you removed or renamed this service in "
             "your compose file, you can run this command with the --remove-orphans flag to clean it up.\n",
             names);
  return 0;
}

int
compose_up_services (struct dock_ctx *ctx, struct compose_project *p, char **order, size_t n, bool recreate,
                     bool keep_changed, bool force_build, lcr_error_t *err)
{
  /* a clash of host ports (--scale may have made one) before anything is created */
  if (compose_check_ports (p, err) < 0)
    return -1;
  /* images first, so a missing one fails the `up` before anything was created */
  for (size_t i = 0; i < n; i++)
    if (compose_ensure_image (ctx, p, order[i], force_build, err) < 0)
      return -1;
  if (compose_create_networks (ctx, p, err) < 0 || compose_create_volumes (ctx, p, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      const char *svc = order[i];
      jv dep = jv_get_obj (service (p, svc), "depends_on");
      for (size_t j = 0; dep && j < dep->u.object.len; j++)
        if (wait_for (ctx, p, dep->u.object.keys[j], jv_get_str (dep->u.object.values[j], "condition"), err) < 0)
          return -1;
      long replicas = 1;
      if (compose_service_scale (p, svc, &replicas, err) < 0)
        return -1;
      cleanup_free char *hash = compose_config_hash (p, svc);
      cleanup_jv jv ctrs = compose_containers (ctx, p->name, svc, true, false, err);
      if (ctrs == NULL)
        return -1;
      /* scaling down takes the highest numbers first */
      for (size_t j = ctrs->u.array.len; j-- > 0;)
        {
          jv c = ctrs->u.array.values[j];
          if (ctr_number (c) >= 1 && ctr_number (c) <= replicas)
            continue;
          if (remove_container (ctx, compose_ctr_name (c), err) < 0)
            return -1;
        }
      for (long k = 1; k <= replicas; k++)
        {
          cleanup_free char *name = container_name (p, svc, k);
          jv have = NULL;
          for (size_t j = 0; j < ctrs->u.array.len && have == NULL; j++)
            if (ctr_number (ctrs->u.array.values[j]) == k)
              have = ctrs->u.array.values[j];
          if (have)
            {
              const char *h = compose_label (have, COMPOSE_LABEL_HASH);
              if (!recreate && ((h && strcmp (h, hash) == 0) || keep_changed)
                  && strcmp (compose_ctr_name (have), name) == 0)
                {
                  if (compose_ctr_running (have))
                    {
                      fprintf (stderr, " Container %s  Running\n", name);
                      continue;
                    }
                }
              else
                {
                  /* changed: recreate */
                  fprintf (stderr, " Container %s  Recreate\n", compose_ctr_name (have));
                  if (simple (ctx, "rm", "-f", compose_ctr_name (have), NULL, err) < 0)
                    return -1;
                  have = NULL;
                }
            }
          if (have == NULL && create_container (ctx, p, svc, name, k, err) < 0)
            return -1;
          if (simple (ctx, "start", name, NULL, NULL, err) < 0)
            return -1;
          fprintf (stderr, " Container %s  Started\n", name);
        }
    }
  return 0;
}
