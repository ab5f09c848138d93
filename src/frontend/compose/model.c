/* dock compose — the project: which files, which name, the merged model, and its order. */
#define _GNU_SOURCE
#include <ctype.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/args.h"
#include "compose/compose.h"

extern char **environ;

static const char *const default_files[]
    = {"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml", NULL};
static const char *const override_files[] = {"compose.override.yaml", "compose.override.yml",
                                             "docker-compose.override.yaml", "docker-compose.override.yml", NULL};

/* the first compose file in `dir` or a parent; NULL when none */
static char *
find_default (const char *start, char **found_dir)
{
  char dir[PATH_MAX];
  if (realpath (start, dir) == NULL)
    return NULL;
  for (;;)
    {
      for (size_t i = 0; default_files[i]; i++)
        {
          char *p = NULL;
          xasprintf (&p, "%s/%s", strcmp (dir, "/") == 0 ? "" : dir, default_files[i]);
          if (access (p, R_OK) == 0)
            {
              *found_dir = xstrdup (dir);
              return p;
            }
          free (p);
        }
      char *slash = strrchr (dir, '/');
      if (slash == NULL || strcmp (dir, "/") == 0)
        return NULL;
      if (slash == dir)
        slash[1] = '\0';
      else
        *slash = '\0';
    }
}

/* compose's project names: lower case letters, digits, '-' and '_', starting with a letter or digit */
static char *
normalize_name (const char *s)
{
  char *out = xmalloc0 (strlen (s) + 1);
  size_t n = 0;
  for (const char *p = s; *p; p++)
    {
      char c = (char)tolower ((unsigned char)*p);
      if (isalnum ((unsigned char)c) || ((c == '-' || c == '_') && n > 0))
        out[n++] = c;
    }
  out[n] = '\0';
  return out;
}

static int
check_name (const char *name, lcr_error_t *err)
{
  if (name[0] == '\0')
    return lcr_error_invalid (err, "project name must not be empty");
  for (const char *p = name; *p; p++)
    if (!(islower ((unsigned char)*p) || isdigit ((unsigned char)*p) || ((*p == '-' || *p == '_') && p != name)))
      return lcr_error_invalid (err,
                                "invalid project name \"%s\": must consist only of lowercase alphanumeric "
                                "characters, hyphens, and underscores as well as start with a letter or number",
                                name);
  return 0;
}

/* env_file, then environment over it; a bare name takes the variable's value, or is dropped */
static int
resolve_environment (jv svc, jv env, lcr_error_t *err)
{
  cleanup_jv jv out = jv_obj ();
  jv efs = jv_get_arr (svc, "env_file");
  for (size_t i = 0; efs && i < efs->u.array.len; i++)
    if (jv_as_str (efs->u.array.values[i])
        && compose_dotenv_read (jv_as_str (efs->u.array.values[i]), out, true, err) < 0)
      return -1;
  jv e = jv_get_obj (svc, "environment");
  for (size_t i = 0; e && i < e->u.object.len; i++)
    {
      jv v = e->u.object.values[i];
      const char *k = e->u.object.keys[i];
      if (YAJL_IS_NULL (v))
        {
          const char *s = jv_get_str (env, k);
          if (s)
            jv_set (out, k, jv_str (s));
        }
      else
        jv_set (out, k, jv_str (jv_as_str (v) ? jv_as_str (v) : ""));
    }
  jv_del (svc, "env_file");
  if (out->u.object.len)
    {
      jv_set (svc, "environment", out);
      out = NULL;
    }
  else
    jv_del (svc, "environment");
  return 0;
}

char *
compose_where (struct compose_project *p, const char *key)
{
  const char *at = jv_get_str (p->where, key);
  char *out = NULL;
  if (at)
    xasprintf (&out, "%s: %s: ", at, key);
  else
    out = xstrdup ("");
  return out;
}

bool
compose_service_known (struct compose_project *p, const char *service)
{
  return jv_get (jv_get_obj (p->model, "services"), service) != NULL || jv_get (p->disabled, service) != NULL;
}

static bool
in_list (const char *const *v, size_t n, const char *s)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (v[i], s) == 0)
      return true;
  return false;
}

/* enable `name` and (transitively) what it depends on, whatever their profiles */
static void
enable_with_deps (jv services, jv enabled, const char *name)
{
  if (jv_get (enabled, name) || jv_get (services, name) == NULL)
    return;
  jv_set (enabled, name, jv_bool (true));
  jv dep = jv_get_obj (jv_get_obj (services, name), "depends_on");
  for (size_t i = 0; dep && i < dep->u.object.len; i++)
    enable_with_deps (services, enabled, dep->u.object.keys[i]);
}

/* a service with `profiles` runs only when one of them is enabled (--profile,
   COMPOSE_PROFILES, "*" for all) or when the command names it; the others move to
   p->disabled, where `down` and the orphan check still see them */
static int
apply_profiles (const struct compose_opts *o, struct compose_project *p, lcr_error_t *err)
{
  jv services = jv_get_obj (p->model, "services");
  p->disabled = jv_obj ();
  if (services == NULL)
    return 0;
  struct dock_strlist on = {0};
  for (size_t i = 0; i < o->n_profiles; i++)
    dock_strlist_add (&on, o->profiles[i]);
  const char *envp = jv_get_str (p->env, "COMPOSE_PROFILES");
  /* the list holds pointers into this copy (dock_strlist does not copy) */
  cleanup_free char *copy = envp ? xstrdup (envp) : NULL;
  if (o->n_profiles == 0 && copy)
    {
      for (char *save = NULL, *t = strtok_r (copy, ",", &save); t; t = strtok_r (NULL, ",", &save))
        if (*t)
          dock_strlist_add (&on, t);
    }
  bool all = in_list ((const char *const *)on.v, on.n, "*");
  cleanup_jv jv enabled = jv_obj ();
  for (size_t i = 0; i < services->u.object.len; i++)
    {
      jv s = services->u.object.values[i];
      jv prof = jv_get (s, "profiles");
      if (prof && !YAJL_IS_ARRAY (prof) && !YAJL_IS_NULL (prof))
        {
          cleanup_free char *w = NULL;
          xasprintf (&w, "services.%s.profiles", services->u.object.keys[i]);
          cleanup_free char *at = compose_where (p, w);
          dock_strlist_free (&on);
          return lcr_error_invalid (err, "%sprofiles must be a list", at);
        }
      bool active = prof == NULL || YAJL_IS_NULL (prof) || prof->u.array.len == 0 || all;
      for (size_t j = 0; !active && j < prof->u.array.len; j++)
        active = jv_as_str (prof->u.array.values[j])
                 && in_list ((const char *const *)on.v, on.n, jv_as_str (prof->u.array.values[j]));
      if (active)
        jv_set (enabled, services->u.object.keys[i], jv_bool (true));
    }
  dock_strlist_free (&on);
  for (size_t i = 0; i < o->n_services; i++)
    enable_with_deps (services, enabled, o->services[i]);
  for (size_t i = 0; i < services->u.object.len;)
    {
      const char *name = services->u.object.keys[i];
      if (jv_get (enabled, name))
        {
          i++;
          continue;
        }
      jv_set (p->disabled, name, jv_copy (services->u.object.values[i]));
      jv_del (services, name);
    }
  return 0;
}

static int
check_model (struct compose_project *p, lcr_error_t *err)
{
  jv services = jv_get_obj (p->model, "services");
  if ((services == NULL || services->u.object.len == 0) && jv_len (p->disabled) == 0)
    return lcr_error_invalid (err, "no service is defined in %s", p->files);
  if (services == NULL)
    services = jv_child_obj (p->model, "services");
  jv nets = jv_get_obj (p->model, "networks"), vols = jv_get_obj (p->model, "volumes");
  for (size_t i = 0; i < services->u.object.len; i++)
    {
      const char *name = services->u.object.keys[i];
      jv s = services->u.object.values[i];
      if (!jv_get_str (s, "image") && !jv_get_obj (s, "build"))
        return lcr_error_invalid (err, "service \"%s\" has neither an image nor a build context specified", name);
      cleanup_free char *kn = NULL, *kd = NULL, *kv = NULL;
      xasprintf (&kn, "services.%s.networks", name);
      xasprintf (&kd, "services.%s.depends_on", name);
      xasprintf (&kv, "services.%s.volumes", name);
      jv sn = jv_get_obj (s, "networks");
      for (size_t j = 0; sn && j < sn->u.object.len; j++)
        if (strcmp (sn->u.object.keys[j], "default") != 0 && jv_get (nets, sn->u.object.keys[j]) == NULL)
          {
            cleanup_free char *at = compose_where (p, kn);
            return lcr_error_invalid (err, "%sservice \"%s\" refers to undefined network %s: invalid compose project",
                                      at, name, sn->u.object.keys[j]);
          }
      jv dep = jv_get_obj (s, "depends_on");
      for (size_t j = 0; dep && j < dep->u.object.len; j++)
        if (jv_get (services, dep->u.object.keys[j]) == NULL)
          {
            cleanup_free char *at = compose_where (p, kd);
            const char *d = dep->u.object.keys[j];
            jv req = jv_get (dep->u.object.values[j], "required");
            if (jv_get (p->disabled, d) && jv_as_str (req) && strcmp (jv_as_str (req), "false") == 0)
              continue;
            if (jv_get (p->disabled, d))
              return lcr_error_invalid (err,
                                        "%sservice \"%s\" depends on service \"%s\", which is disabled: enable one of "
                                        "its profiles (--profile or COMPOSE_PROFILES)",
                                        at, name, d);
            return lcr_error_invalid (
                err, "%sservice \"%s\" depends on undefined service \"%s\": invalid compose project", at, name, d);
          }
      jv sv = jv_get_arr (s, "volumes");
      for (size_t j = 0; sv && j < sv->u.array.len; j++)
        {
          jv e = sv->u.array.values[j];
          const char *v = jv_as_str (e);
          const char *c = v ? strchr (v, ':') : NULL;
          cleanup_free char *src = NULL;
          if (YAJL_IS_OBJECT (e) && jv_get_str (e, "source") && strcmp (jv_get_str (e, "type"), "volume") == 0)
            src = xstrdup (jv_get_str (e, "source"));
          else if (c == NULL || v[0] == '/')
            continue;
          else
            src = compose_strndup (v, (size_t)(c - v));
          if (jv_get (vols, src) == NULL)
            {
              cleanup_free char *at = compose_where (p, kv);
              return lcr_error_invalid (err, "%sservice \"%s\" refers to undefined volume %s: invalid compose project",
                                        at, name, src);
            }
        }
    }
  for (size_t i = 0; i < services->u.object.len; i++)
    {
      long n;
      if (compose_service_scale (p, services->u.object.keys[i], &n, err) < 0)
        return -1;
    }
  /* a cycle is an error for `config` too, not only when something is started */
  char **order = NULL;
  size_t n_order = 0;
  if (compose_service_order (p, NULL, 0, true, &order, &n_order, err) < 0)
    return -1;
  for (size_t i = 0; i < n_order; i++)
    free (order[i]);
  free (order);
  return 0;
}

int
compose_load (const struct compose_opts *o, struct compose_project *p, lcr_error_t *err)
{
  *p = (struct compose_project){0};
  cleanup_free char *found_dir = NULL;
  size_t n = o->n_files;
  cleanup_free char **paths = xmalloc0 ((n + 8) * sizeof (char *));
  bool own = false;
  if (n == 0)
    {
      paths[0] = find_default (o->project_dir ? o->project_dir : ".", &found_dir);
      if (paths[0] == NULL)
        return lcr_error_make (err, 0, LCR_ERR_NOT_FOUND,
                               "no configuration file provided: not found (compose.yaml, compose.yml, "
                               "docker-compose.yaml or docker-compose.yml here or in a parent directory)");
      n = 1;
      own = true;
      for (size_t i = 0; override_files[i]; i++)
        {
          char *q = NULL;
          xasprintf (&q, "%s/%s", found_dir, override_files[i]);
          if (access (q, R_OK) == 0)
            {
              paths[n++] = q;
              break;
            }
          free (q);
        }
    }
  else
    for (size_t i = 0; i < n; i++)
      {
        paths[i] = realpath (o->files[i], NULL);
        if (paths[i] == NULL)
          {
            int e = errno;
            for (size_t j = 0; j < i; j++)
              free (paths[j]);
            return lcr_error_make (err, e, LCR_ERR_NOT_FOUND, "open %s: %s", o->files[i], strerror (e));
          }
        own = true;
      }
  (void)own;
  char wd[PATH_MAX];
  if (o->project_dir)
    {
      if (realpath (o->project_dir, wd) == NULL)
        {
          for (size_t j = 0; j < n; j++)
            free (paths[j]);
          return lcr_error_sys (err, "project directory %s", o->project_dir);
        }
      p->workdir = xstrdup (wd);
    }
  else
    {
      cleanup_free char *d = xstrdup (paths[0]);
      p->workdir = xstrdup (dirname (d));
    }
  size_t flen = 0;
  for (size_t i = 0; i < n; i++)
    flen += strlen (paths[i]) + 1;
  p->files = xmalloc0 (flen + 1);
  for (size_t i = 0; i < n; i++)
    {
      if (i)
        strcat (p->files, ",");
      strcat (p->files, paths[i]);
    }

  /* the variables: .env (or --env-file) under the process's environment */
  p->env = jv_obj ();
  int rc = 0;
  if (o->env_file)
    rc = compose_dotenv_read (o->env_file, p->env, true, err);
  else
    {
      cleanup_free char *dotenv = NULL;
      xasprintf (&dotenv, "%s/.env", p->workdir);
      rc = compose_dotenv_read (dotenv, p->env, false, err);
    }
  for (char **e = environ; rc == 0 && *e; e++)
    {
      const char *eq = strchr (*e, '=');
      if (eq)
        {
          cleanup_free char *k = compose_strndup (*e, (size_t)(eq - *e));
          jv_set (p->env, k, jv_str (eq + 1));
        }
    }

  p->where = jv_obj ();
  for (size_t i = 0; rc == 0 && i < n; i++)
    {
      jv f = compose_load_file (paths[i], p->workdir, p->env, p->where, 0, err);
      if (f == NULL)
        {
          rc = -1;
          break;
        }
      if (p->model == NULL)
        p->model = f;
      else
        {
          compose_merge (p->model, f);
          jv_free (f);
        }
    }
  for (size_t j = 0; j < n; j++)
    free (paths[j]);
  if (rc < 0)
    return -1;

  const char *name = o->project ? o->project : jv_get_str (p->env, "COMPOSE_PROJECT_NAME");
  if (name == NULL || name[0] == '\0')
    name = jv_get_str (p->model, "name");
  if (name && name[0])
    {
      if (check_name (name, err) < 0)
        return -1;
      p->name = xstrdup (name);
    }
  else
    {
      cleanup_free char *d = xstrdup (p->workdir);
      p->name = normalize_name (basename (d));
      if (check_name (p->name, err) < 0)
        return -1;
    }
  jv_del (p->model, "version");
  jv_del (p->model, "name");
  /* the name first, as compose prints it */
  jv m = jv_obj ();
  jv_set (m, "name", jv_str (p->name));
  for (size_t i = 0; i < p->model->u.object.len; i++)
    jv_set (m, p->model->u.object.keys[i], jv_copy (p->model->u.object.values[i]));
  jv_free (p->model);
  p->model = m;

  jv services = jv_get_obj (p->model, "services");
  for (size_t i = 0; services && i < services->u.object.len; i++)
    if (resolve_environment (services->u.object.values[i], p->env, err) < 0)
      return -1;
  if (apply_profiles (o, p, err) < 0)
    return -1;
  return check_model (p, err);
}

void
compose_project_release (struct compose_project *p)
{
  free (p->name);
  free (p->workdir);
  free (p->files);
  jv_free (p->env);
  jv_free (p->model);
  jv_free (p->disabled);
  jv_free (p->where);
  *p = (struct compose_project){0};
}

struct order
{
  struct compose_project *p;
  jv services;
  char **out;
  size_t n;
  char *state; /* 0 new, 1 on the path, 2 done */
};

static int
visit (struct order *o, size_t i, bool with_deps, lcr_error_t *err)
{
  if (o->state[i] == 2)
    return 0;
  const char *name = o->services->u.object.keys[i];
  if (o->state[i] == 1)
    {
      cleanup_free char *key = NULL;
      xasprintf (&key, "services.%s.depends_on", name);
      cleanup_free char *at = o->p ? compose_where (o->p, key) : xstrdup ("");
      return lcr_error_invalid (err, "%sdependency cycle detected: service \"%s\" depends on itself", at, name);
    }
  o->state[i] = 1;
  jv dep = jv_get_obj (o->services->u.object.values[i], "depends_on");
  for (size_t j = 0; with_deps && dep && j < dep->u.object.len; j++)
    for (size_t k = 0; k < o->services->u.object.len; k++)
      if (strcmp (o->services->u.object.keys[k], dep->u.object.keys[j]) == 0 && visit (o, k, with_deps, err) < 0)
        return -1;
  o->state[i] = 2;
  o->out[o->n++] = xstrdup (name);
  return 0;
}

int
compose_service_order (struct compose_project *p, const char **only, size_t n_only, bool with_deps, char ***out,
                       size_t *n_out, lcr_error_t *err)
{
  jv services = jv_get_obj (p->model, "services");
  size_t total = services->u.object.len;
  struct order o = {.p = p, .services = services, .out = xmalloc0 ((total + 1) * sizeof (char *))};
  cleanup_free char *state = xmalloc0 (total + 1);
  o.state = state;
  int rc = 0;
  /* a cycle is an error even for services not asked for */
  cleanup_free char *probe = xmalloc0 (total + 1);
  struct order all = {.p = p, .services = services, .out = xmalloc0 ((total + 1) * sizeof (char *)), .state = probe};
  for (size_t i = 0; i < total && rc == 0; i++)
    rc = visit (&all, i, true, err);
  for (size_t i = 0; i < all.n; i++)
    free (all.out[i]);
  free (all.out);
  for (size_t i = 0; rc == 0 && i < n_only; i++)
    {
      size_t k = 0;
      while (k < total && strcmp (services->u.object.keys[k], only[i]) != 0)
        k++;
      if (k == total)
        rc = lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "no such service: %s", only[i]);
      else
        rc = visit (&o, k, with_deps, err);
    }
  for (size_t i = 0; rc == 0 && only == NULL && i < total; i++)
    rc = visit (&o, i, true, err);
  if (rc < 0)
    {
      for (size_t i = 0; i < o.n; i++)
        free (o.out[i]);
      free (o.out);
      return -1;
    }
  *out = o.out;
  *n_out = o.n;
  return 0;
}

static char *
resource_name (struct compose_project *p, const char *section, const char *key)
{
  jv e = jv_get_obj (jv_get_obj (p->model, section), key);
  const char *n = jv_get_str (e, "name");
  char *out = NULL;
  if (n)
    return xstrdup (n);
  jv ext = jv_get (e, "external");
  if (ext && jv_as_str (ext) && strcmp (jv_as_str (ext), "true") == 0)
    return xstrdup (key);
  xasprintf (&out, "%s_%s", p->name, key);
  return out;
}

char *
compose_network_name (struct compose_project *p, const char *key)
{
  return resource_name (p, "networks", key);
}

char *
compose_volume_name (struct compose_project *p, const char *key)
{
  return resource_name (p, "volumes", key);
}

char *
compose_service_image (struct compose_project *p, const char *service)
{
  jv s = jv_get_obj (jv_get_obj (p->model, "services"), service);
  const char *img = jv_get_str (s, "image");
  char *out = NULL;
  if (img)
    return xstrdup (img);
  xasprintf (&out, "%s-%s", p->name, service);
  return out;
}
