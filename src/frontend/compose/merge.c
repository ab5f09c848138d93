/* dock compose — normalizing services, and merging files by the spec's rules.
 *
 * The spec lets most things be written two ways (environment as a list or a map, depends_on as
 * a list or a map, build as a string or a map, ports and volumes in a short or a long syntax).
 * Each file's services are first put in one shape (maps; ports and volumes as short strings;
 * command and entrypoint as word arrays; paths absolute), so that the override rules become a
 * plain walk: maps merge key by key, `volumes` merge by their container path, the other lists
 * where order is no meaning (ports, expose, dns, …) are joined without repeats, and every other
 * value (command, entrypoint, healthcheck.test, …) is replaced by the later file's.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose/compose.h"

static jv
str_take (char *s)
{
  jv v = jv_str (s);
  free (s);
  return v;
}

static char *
absolute (const char *workdir, const char *path)
{
  char *out = NULL;
  if (path[0] == '/')
    return xstrdup (path);
  if (path[0] == '~' && (path[1] == '/' || path[1] == '\0') && getenv ("HOME"))
    {
      xasprintf (&out, "%s%s", getenv ("HOME"), path + 1);
      return out;
    }
  while (strncmp (path, "./", 2) == 0)
    path += 2;
  if (strcmp (path, ".") == 0 || path[0] == '\0')
    return xstrdup (workdir);
  xasprintf (&out, "%s/%s", workdir, path);
  return out;
}

/* ["K=V", "K"] or {K: V} → {K: "V"|null} */
static int
to_map (jv svc, const char *key, const char *name, lcr_error_t *err)
{
  jv v = jv_get (svc, key);
  if (v == NULL || YAJL_IS_OBJECT (v) || YAJL_IS_NULL (v))
    return 0;
  if (!YAJL_IS_ARRAY (v))
    return lcr_error_invalid (err, "service \"%s\": %s must be a list or a mapping", name, key);
  jv m = jv_obj ();
  for (size_t i = 0; i < v->u.array.len; i++)
    {
      const char *s = jv_as_str (v->u.array.values[i]);
      if (s == NULL)
        continue;
      const char *eq = strchr (s, '=');
      cleanup_free char *k = eq ? compose_strndup (s, (size_t)(eq - s)) : xstrdup (s);
      jv_set (m, k, eq ? jv_str (eq + 1) : jv_null ());
    }
  jv_set (svc, key, m);
  return 0;
}

static int
words (jv svc, const char *key, lcr_error_t *err)
{
  const char *s = jv_get_str (svc, key);
  if (s == NULL)
    return 0;
  jv a = jv_arr ();
  if (compose_shell_split (s, a, err) < 0)
    {
      jv_free (a);
      return -1;
    }
  jv_set (svc, key, a);
  return 0;
}

static int
port_short (jv p, const char *name, jv *out, lcr_error_t *err)
{
  if (!YAJL_IS_OBJECT (p))
    {
      if (jv_as_str (p) == NULL)
        return lcr_error_invalid (err, "service \"%s\": a port must be a string, a number or a mapping", name);
      *out = jv_copy (p);
      return 0;
    }
  const char *target = jv_get_str (p, "target"), *pub = jv_get_str (p, "published");
  const char *ip = jv_get_str (p, "host_ip"), *proto = jv_get_str (p, "protocol");
  if (target == NULL)
    return lcr_error_invalid (err, "service \"%s\": a port in the long syntax needs a target", name);
  cleanup_free char *s = NULL;
  /* an IPv6 host address goes in brackets, as in the short syntax */
  bool v6 = ip && strchr (ip, ':') && ip[0] != '[';
  xasprintf (&s, "%s%s%s%s%s%s%s%s%s", v6 ? "[" : "", ip ? ip : "", v6 ? "]" : "", ip ? ":" : "", pub ? pub : "",
             pub || ip ? ":" : "", target, proto ? "/" : "", proto ? proto : "");
  *out = jv_str (s);
  return 0;
}

/* a volume entry → "SOURCE:TARGET[:MODE]" or "TARGET" with a bind's source made absolute; the
   long syntax stays a mapping (it says more than the short one: tmpfs, propagation, nocopy),
   with its bind source made absolute and its type made explicit */
static int
volume_short (jv v, const char *workdir, const char *name, jv *out, lcr_error_t *err)
{
  if (YAJL_IS_OBJECT (v))
    {
      const char *type = jv_get_str (v, "type"), *src = jv_get_str (v, "source");
      const char *target = jv_get_str (v, "target");
      if (target == NULL || target[0] != '/')
        return lcr_error_invalid (err, "service \"%s\": a volume's target must be an absolute path", name);
      if (type == NULL)
        return lcr_error_invalid (err, "service \"%s\": volume %s: type is required (bind, volume or tmpfs)", name,
                                  target);
      if (strcmp (type, "bind") != 0 && strcmp (type, "volume") != 0 && strcmp (type, "tmpfs") != 0)
        return lcr_error_invalid (
            err, "service \"%s\": volume %s: type \"%s\" is not supported (bind, volume or tmpfs)", name, target, type);
      if (strcmp (type, "bind") == 0 && src == NULL)
        return lcr_error_invalid (err, "service \"%s\": bind mount %s needs a source", name, target);
      if (strcmp (type, "tmpfs") == 0 && src)
        return lcr_error_invalid (err, "service \"%s\": tmpfs %s cannot have a source", name, target);
      jv m = jv_copy (v);
      if (strcmp (type, "bind") == 0)
        jv_set (m, "source", str_take (absolute (workdir, src)));
      *out = m;
      return 0;
    }
  const char *s = jv_as_str (v);
  if (s == NULL)
    return lcr_error_invalid (err, "service \"%s\": a volume must be a string or a mapping", name);
  const char *colon = strchr (s, ':');
  if (colon && (s[0] == '.' || s[0] == '~'))
    {
      cleanup_free char *src = compose_strndup (s, (size_t)(colon - s));
      cleanup_free char *abs = absolute (workdir, src);
      cleanup_free char *r = NULL;
      xasprintf (&r, "%s%s", abs, colon);
      *out = jv_str (r);
      return 0;
    }
  *out = jv_str (s);
  return 0;
}

static int
normalize_service (jv svc, const char *name, const char *workdir, lcr_error_t *err)
{
  if (svc == NULL || !YAJL_IS_OBJECT (svc))
    return lcr_error_invalid (err, "service \"%s\" must be a mapping", name);
  jv b = jv_get (svc, "build");
  if (b && YAJL_IS_STRING (b))
    {
      jv m = jv_obj ();
      jv_set (m, "context", jv_str (b->u.string));
      jv_set (svc, "build", m);
      b = m;
    }
  if (b && YAJL_IS_OBJECT (b))
    {
      const char *c = jv_get_str (b, "context");
      jv_set (b, "context", str_take (absolute (workdir, c ? c : ".")));
      if (to_map (b, "args", name, err) < 0 || to_map (b, "labels", name, err) < 0)
        return -1;
    }
  if (to_map (svc, "environment", name, err) < 0 || to_map (svc, "labels", name, err) < 0
      || to_map (svc, "sysctls", name, err) < 0)
    return -1;
  if (words (svc, "command", err) < 0 || words (svc, "entrypoint", err) < 0)
    return -1;
  const char *ef = jv_get_str (svc, "env_file");
  if (ef)
    {
      jv a = jv_arr ();
      jv_push (a, jv_str (ef));
      jv_set (svc, "env_file", a);
    }
  jv efs = jv_get_arr (svc, "env_file");
  for (size_t i = 0; efs && i < efs->u.array.len; i++)
    {
      const char *p = jv_as_str (efs->u.array.values[i]);
      if (p)
        {
          jv n = str_take (absolute (workdir, p));
          jv_free (efs->u.array.values[i]);
          efs->u.array.values[i] = n;
        }
    }
  jv d = jv_get (svc, "depends_on");
  if (d && YAJL_IS_ARRAY (d))
    {
      jv m = jv_obj ();
      for (size_t i = 0; i < d->u.array.len; i++)
        if (jv_as_str (d->u.array.values[i]))
          jv_set (jv_child_obj (m, jv_as_str (d->u.array.values[i])), "condition", jv_str ("service_started"));
      jv_set (svc, "depends_on", m);
    }
  else if (d && YAJL_IS_OBJECT (d))
    for (size_t i = 0; i < d->u.object.len; i++)
      {
        jv e = d->u.object.values[i];
        if (!YAJL_IS_OBJECT (e))
          {
            e = jv_obj ();
            jv_set (d, d->u.object.keys[i], e);
          }
        const char *c = jv_get_str (e, "condition");
        if (c == NULL)
          jv_set (e, "condition", jv_str ("service_started"));
        else if (strcmp (c, "service_started") != 0 && strcmp (c, "service_healthy") != 0
                 && strcmp (c, "service_completed_successfully") != 0)
          return lcr_error_invalid (err, "service \"%s\": depends_on.%s: unknown condition \"%s\"", name,
                                    d->u.object.keys[i], c);
      }
  jv n = jv_get (svc, "networks");
  if (n && YAJL_IS_ARRAY (n))
    {
      jv m = jv_obj ();
      for (size_t i = 0; i < n->u.array.len; i++)
        if (jv_as_str (n->u.array.values[i]))
          jv_set (m, jv_as_str (n->u.array.values[i]), jv_null ());
      jv_set (svc, "networks", m);
    }
  jv ports = jv_get_arr (svc, "ports");
  for (size_t i = 0; ports && i < ports->u.array.len; i++)
    {
      jv s = NULL;
      if (port_short (ports->u.array.values[i], name, &s, err) < 0)
        return -1;
      jv_free (ports->u.array.values[i]);
      ports->u.array.values[i] = s;
    }
  jv vols = jv_get_arr (svc, "volumes");
  for (size_t i = 0; vols && i < vols->u.array.len; i++)
    {
      jv s = NULL;
      if (volume_short (vols->u.array.values[i], workdir, name, &s, err) < 0)
        return -1;
      jv_free (vols->u.array.values[i]);
      vols->u.array.values[i] = s;
    }
  return 0;
}

int
compose_normalize (jv file, const char *workdir, lcr_error_t *err)
{
  jv services = jv_get (file, "services");
  if (services && YAJL_IS_NULL (services))
    return 0;
  if (services && !YAJL_IS_OBJECT (services))
    return lcr_error_invalid (err, "services must be a mapping");
  for (size_t i = 0; services && i < services->u.object.len; i++)
    if (normalize_service (services->u.object.values[i], services->u.object.keys[i], workdir, err) < 0)
      return -1;
  return 0;
}

/* a volume's container path (short or long syntax) */
static char *
volume_target (jv v)
{
  if (YAJL_IS_OBJECT (v))
    return xstrdup (jv_get_str (v, "target") ? jv_get_str (v, "target") : "");
  const char *s = jv_as_str (v);
  if (s == NULL)
    return xstrdup ("");
  const char *c = strchr (s, ':');
  if (c == NULL)
    return xstrdup (s);
  const char *t = c + 1, *e = strchr (t, ':');
  return e ? compose_strndup (t, (size_t)(e - t)) : xstrdup (t);
}

static bool
union_list (const char *key)
{
  static const char *const keys[] = {"ports",        "expose", "dns",     "cap_add",  "cap_drop", "extra_hosts",
                                     "security_opt", "tmpfs",  "devices", "env_file", "aliases",  NULL};
  for (size_t i = 0; keys[i]; i++)
    if (strcmp (keys[i], key) == 0)
      return true;
  return false;
}

static void
merge_list (jv base_arr, jv over, bool by_target)
{
  for (size_t i = 0; i < over->u.array.len; i++)
    {
      jv ov = over->u.array.values[i];
      const char *s = jv_as_str (ov);
      bool done = false;
      for (size_t j = 0; j < base_arr->u.array.len && !done; j++)
        {
          jv bv = base_arr->u.array.values[j];
          if (by_target)
            {
              cleanup_free char *t1 = volume_target (ov);
              cleanup_free char *t2 = volume_target (bv);
              if (strcmp (t1, t2) == 0)
                {
                  jv_free (base_arr->u.array.values[j]);
                  base_arr->u.array.values[j] = jv_copy (ov);
                  done = true;
                }
            }
          else
            done = s && jv_as_str (bv) && strcmp (s, jv_as_str (bv)) == 0;
        }
      if (!done)
        jv_push (base_arr, jv_copy (ov));
    }
}

void
compose_merge (jv base, jv over)
{
  for (size_t i = 0; i < over->u.object.len; i++)
    {
      const char *k = over->u.object.keys[i];
      jv o = over->u.object.values[i];
      jv b = jv_get (base, k);
      if (b && YAJL_IS_OBJECT (b) && YAJL_IS_OBJECT (o))
        compose_merge (b, o);
      else if (b && YAJL_IS_ARRAY (b) && YAJL_IS_ARRAY (o) && (union_list (k) || strcmp (k, "volumes") == 0))
        merge_list (b, o, strcmp (k, "volumes") == 0);
      else
        jv_set (base, k, jv_copy (o));
    }
}
