/* dock compose — a file's references to other definitions: `include` and `extends`.
 *
 * Both are resolved per file, before the -f files merge (as compose does), on normalized
 * trees: an included file or the file an `extends` names is loaded on its own, with its
 * relative paths made absolute against its own directory, so that what it brings in means the
 * same thing wherever it is used.  `extends` lays the service written here over the one it
 * names with the same rules as an override file (merge.c); `include` adds the other project's
 * services, networks and volumes, and redefining one of them here is an error.  Cycles (a
 * service extending itself through others, files including each other) are errors too; the
 * depth bound catches the ones that go through files.
 */
#define _GNU_SOURCE
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose/compose.h"

#define MAX_DEPTH 16

/* path against dir, unless absolute */
static char *
join (const char *dir, const char *path)
{
  char *out = NULL;
  if (path[0] == '/')
    return xstrdup (path);
  while (strncmp (path, "./", 2) == 0)
    path += 2;
  xasprintf (&out, "%s/%s", dir, path);
  return out;
}

static char *
dir_of (const char *path)
{
  cleanup_free char *d = xstrdup (path);
  return xstrdup (dirname (d));
}

struct ext
{
  const char *path; /* the file */
  jv services;      /* its services */
  jv env;
  int depth;
  const char *stack[64]; /* the services being resolved: a cycle comes back to one */
  size_t n_stack;
};

static int resolve_one (struct ext *x, const char *name, lcr_error_t *err);

/* the service `extends` names, resolved, as a copy */
static jv
base_of (struct ext *x, const char *name, jv ext, lcr_error_t *err)
{
  const char *base = jv_as_str (ext);
  const char *file = NULL;
  if (YAJL_IS_OBJECT (ext))
    {
      base = jv_get_str (ext, "service");
      file = jv_get_str (ext, "file");
    }
  if (base == NULL)
    {
      lcr_error_invalid (err, "%s: services.%s.extends: the service to extend is missing", x->path, name);
      return NULL;
    }
  if (file == NULL)
    {
      if (jv_get_obj (x->services, base) == NULL)
        {
          lcr_error_invalid (err, "%s: services.%s.extends: cannot extend service \"%s\": no such service", x->path,
                             name, base);
          return NULL;
        }
      if (resolve_one (x, base, err) < 0)
        return NULL;
      return jv_copy (jv_get_obj (x->services, base));
    }
  cleanup_free char *dir = dir_of (x->path);
  cleanup_free char *fpath = join (dir, file);
  cleanup_free char *fdir = dir_of (fpath);
  cleanup_jv jv other = compose_load_file (fpath, fdir, x->env, NULL, x->depth + 1, err);
  if (other == NULL)
    return NULL;
  jv s = jv_get_obj (jv_get_obj (other, "services"), base);
  if (s == NULL)
    {
      lcr_error_invalid (err, "%s: services.%s.extends: cannot extend service \"%s\": not defined in %s", x->path, name,
                         base, fpath);
      return NULL;
    }
  return jv_copy (s);
}

static int
resolve_one (struct ext *x, const char *name, lcr_error_t *err)
{
  jv svc = jv_get_obj (x->services, name);
  jv ext = svc ? jv_get (svc, "extends") : NULL;
  if (ext == NULL)
    return 0;
  for (size_t i = 0; i < x->n_stack; i++)
    if (strcmp (x->stack[i], name) == 0)
      return lcr_error_invalid (err, "%s: services.%s.extends: circular reference: service \"%s\" extends itself",
                                x->path, name, name);
  if (x->n_stack == sizeof x->stack / sizeof x->stack[0])
    return lcr_error_invalid (err, "%s: services.%s.extends: nested too deeply", x->path, name);
  x->stack[x->n_stack++] = name;
  jv base = base_of (x, name, ext, err);
  x->n_stack--;
  if (base == NULL)
    return -1;
  /* base_of may have resolved (replaced) other services: look this one up again */
  svc = jv_get_obj (x->services, name);
  jv_del (svc, "extends");
  jv_del (base, "extends");
  compose_merge (base, svc);
  jv_set (x->services, name, base);
  return 0;
}

/* the include's files, as one project, merged into file */
static int
import_one (jv file, const char *path, jv item, jv env, jv where, int depth, lcr_error_t *err)
{
  cleanup_free char *dir = dir_of (path);
  cleanup_jv jv paths = jv_arr ();
  const char *pdir_s = NULL;
  jv envf = NULL;
  if (jv_as_str (item))
    jv_push (paths, jv_str (jv_as_str (item)));
  else if (YAJL_IS_OBJECT (item))
    {
      jv pv = jv_get (item, "path");
      if (jv_as_str (pv))
        jv_push (paths, jv_str (jv_as_str (pv)));
      for (size_t i = 0; pv && YAJL_IS_ARRAY (pv) && i < pv->u.array.len; i++)
        if (jv_as_str (pv->u.array.values[i]))
          jv_push (paths, jv_str (jv_as_str (pv->u.array.values[i])));
      pdir_s = jv_get_str (item, "project_directory");
      envf = jv_get (item, "env_file");
    }
  if (paths->u.array.len == 0)
    return lcr_error_invalid (err, "%s: include: an entry has no path", path);
  cleanup_free char *first = join (dir, jv_as_str (paths->u.array.values[0]));
  cleanup_free char *pdir = pdir_s ? join (dir, pdir_s) : dir_of (first);

  /* its variables: the env_files under the process's (and the project's) */
  cleanup_jv jv env2 = jv_copy (env);
  cleanup_jv jv extra = jv_obj ();
  for (size_t i = 0; envf && i < (YAJL_IS_ARRAY (envf) ? envf->u.array.len : 1); i++)
    {
      const char *e = YAJL_IS_ARRAY (envf) ? jv_as_str (envf->u.array.values[i]) : jv_as_str (envf);
      if (e == NULL)
        continue;
      cleanup_free char *ep = join (dir, e);
      if (compose_dotenv_read (ep, extra, true, err) < 0)
        return -1;
    }
  for (size_t i = 0; i < extra->u.object.len; i++)
    if (getenv (extra->u.object.keys[i]) == NULL)
      jv_set (env2, extra->u.object.keys[i], jv_copy (extra->u.object.values[i]));

  cleanup_jv jv sub = NULL;
  for (size_t i = 0; i < paths->u.array.len; i++)
    {
      cleanup_free char *fp = join (dir, jv_as_str (paths->u.array.values[i]));
      jv f = compose_load_file (fp, pdir, env2, where, depth + 1, err);
      if (f == NULL)
        return -1;
      if (sub == NULL)
        sub = f;
      else
        {
          compose_merge (sub, f);
          jv_free (f);
        }
    }
  static const char *const sections[] = {"services", "networks", "volumes", NULL};
  for (size_t s = 0; sections[s]; s++)
    {
      jv from = jv_get_obj (sub, sections[s]);
      for (size_t i = 0; from && i < from->u.object.len; i++)
        {
          const char *k = from->u.object.keys[i];
          jv to = jv_get (file, sections[s]);
          if (to == NULL || YAJL_IS_NULL (to))
            to = jv_set (file, sections[s], jv_obj ());
          if (!YAJL_IS_OBJECT (to))
            return lcr_error_invalid (err, "%s: %s must be a mapping", path, sections[s]);
          if (jv_get (to, k) != NULL)
            return lcr_error_invalid (err, "%s: %s.%s conflicts with the %s imported by include from %s", path,
                                      sections[s], k, sections[s][0] == 's' ? "service" : sections[s], first);
          jv_set (to, k, jv_copy (from->u.object.values[i]));
        }
    }
  return 0;
}

jv
compose_load_file (const char *path, const char *workdir, jv env, jv where, int depth, lcr_error_t *err)
{
  if (depth > MAX_DEPTH)
    {
      lcr_error_invalid (err, "%s: include or extends nested too deeply (files that refer to each other?)", path);
      return NULL;
    }
  cleanup_jv jv f = compose_yaml_load (path, env, where, err);
  if (f == NULL)
    return NULL;
  if (compose_normalize (f, workdir, err) < 0)
    {
      /* say which file the normalizer's complaint is about */
      lcr_error_t e2 = NULL;
      lcr_error_invalid (&e2, "%s: %s", path, (*err)->msg);
      lcr_error_release (err);
      *err = e2;
      return NULL;
    }
  jv inc = jv_get (f, "include");
  if (inc && !YAJL_IS_ARRAY (inc) && !YAJL_IS_NULL (inc))
    {
      lcr_error_invalid (err, "%s: include must be a list", path);
      return NULL;
    }
  for (size_t i = 0; inc && YAJL_IS_ARRAY (inc) && i < inc->u.array.len; i++)
    if (import_one (f, path, inc->u.array.values[i], env, where, depth, err) < 0)
      return NULL;
  jv_del (f, "include");
  jv services = jv_get_obj (f, "services");
  struct ext x = {.path = path, .services = services, .env = env, .depth = depth};
  for (size_t i = 0; services && i < services->u.object.len; i++)
    {
      cleanup_free char *name = xstrdup (services->u.object.keys[i]);
      if (resolve_one (&x, name, err) < 0)
        return NULL;
    }
  return steal_pointer (&f);
}
