/* dock — an image's config merged into a container's Config, as docker's daemon merges it.
 *
 * How the command comes out (docker's ENTRYPOINT/CMD table):
 *
 *   image ENTRYPOINT   image CMD   run --entrypoint   run COMMAND   →  Entrypoint       Cmd
 *   E                  C           -                  -                E                C
 *   E                  C           -                  X                E                X
 *   E                  C           N                  -                N                (none)
 *   E                  C           N                  X                N                X
 *   E                  C           "" (reset)         -                (none)           (none) → error
 *   E                  C           "" (reset)         X                (none)           X
 *   -                  -           -                  -                → "No command specified"
 *
 * i.e. the image's Cmd is used only when neither a command nor an entrypoint was given, and the
 * image's Entrypoint only when no --entrypoint was given.  Config.Entrypoint null means "not
 * given"; an empty array (or [""], what docker's CLI sends for --entrypoint "") means reset.
 */
#define _GNU_SOURCE
#include "container/create.h"

#include <string.h>

static bool
has_items (jv v)
{
  return v && v->type == yajl_t_array && v->u.array.len > 0;
}

static size_t
env_key_len (const char *s)
{
  const char *eq = strchr (s, '=');
  return eq ? (size_t)(eq - s) : strlen (s);
}

static void
merge_env (jv config, jv image)
{
  jv ienv = jv_get_arr (image, "Env");
  if (ienv == NULL)
    return;
  jv env = jv_get_arr (config, "Env");
  if (env == NULL)
    env = jv_set (config, "Env", jv_arr ());
  /* the container's entries first, then the image's whose key the container didn't set */
  size_t own = jv_len (env);
  for (size_t i = 0; i < jv_len (ienv); i++)
    {
      const char *ie = jv_as_str (ienv->u.array.values[i]);
      if (ie == NULL)
        continue;
      size_t kl = env_key_len (ie);
      bool found = false;
      for (size_t k = 0; k < own && !found; k++)
        {
          const char *ce = jv_as_str (env->u.array.values[k]);
          found = ce && env_key_len (ce) == kl && strncmp (ce, ie, kl) == 0;
        }
      if (!found)
        jv_push (env, jv_str (ie));
    }
}

static void
union_obj (jv config, jv image, const char *key)
{
  jv src = jv_get_obj (image, key);
  if (src == NULL || jv_len (src) == 0)
    return;
  jv dst = jv_child_obj (config, key);
  for (size_t i = 0; i < src->u.object.len; i++)
    if (jv_get (dst, src->u.object.keys[i]) == NULL)
      jv_set (dst, src->u.object.keys[i], jv_copy (src->u.object.values[i]));
}

static void
merge_labels (jv config, jv image)
{
  jv il = jv_get_obj (image, "Labels");
  if (il == NULL || jv_len (il) == 0)
    return;
  /* the image's labels first (in their order), the container's laid over them */
  jv merged = jv_copy (il);
  jv own = jv_get_obj (config, "Labels");
  for (size_t i = 0; own && i < own->u.object.len; i++)
    jv_set (merged, own->u.object.keys[i], jv_copy (own->u.object.values[i]));
  jv_set (config, "Labels", merged);
}

static void
set_if_empty_str (jv config, jv image, const char *key)
{
  const char *own = jv_get_str (config, key);
  const char *img = jv_get_str (image, key);
  if ((own == NULL || *own == '\0') && img && *img)
    jv_set (config, key, jv_str (img));
}

static bool
zero_duration (jv h, const char *key)
{
  return jv_get_int (h, key, 0) == 0;
}

static void
merge_healthcheck (jv config, jv image)
{
  jv ih = jv_get_obj (image, "Healthcheck");
  if (ih == NULL)
    return;
  jv ch = jv_get_obj (config, "Healthcheck");
  if (ch == NULL)
    {
      jv_set (config, "Healthcheck", jv_copy (ih));
      return;
    }
  /* field by field: what the container left unset comes from the image (a container's
     ["NONE"] stays, and disables the check) */
  if (!has_items (jv_get_arr (ch, "Test")) && has_items (jv_get_arr (ih, "Test")))
    jv_set (ch, "Test", jv_copy (jv_get (ih, "Test")));
  static const char *const durations[] = {"Interval", "Timeout", "StartPeriod", "StartInterval"};
  for (size_t i = 0; i < sizeof durations / sizeof durations[0]; i++)
    if (zero_duration (ch, durations[i]) && !zero_duration (ih, durations[i]))
      jv_set (ch, durations[i], jv_copy (jv_get (ih, durations[i])));
  if (jv_get_int (ch, "Retries", 0) == 0 && jv_get_int (ih, "Retries", 0) != 0)
    jv_set (ch, "Retries", jv_copy (jv_get (ih, "Retries")));
}

int
dock_config_merge_image (jv config, jv image, lcr_error_t *err)
{
  jv ep = jv_get (config, "Entrypoint");
  bool ep_given = ep && ep->type == yajl_t_array;
  /* docker's CLI spells "reset" as [""]; keep one spelling */
  if (ep_given && ep->u.array.len == 1 && jv_as_str (ep->u.array.values[0])
      && *jv_as_str (ep->u.array.values[0]) == '\0')
    jv_remove_at (ep, 0);
  bool cmd_given = has_items (jv_get (config, "Cmd"));

  if (image)
    {
      if (!ep_given)
        {
          jv iep = jv_get_arr (image, "Entrypoint");
          jv_set (config, "Entrypoint", iep ? jv_copy (iep) : jv_null ());
          if (!cmd_given)
            {
              jv icmd = jv_get_arr (image, "Cmd");
              jv_set (config, "Cmd", icmd ? jv_copy (icmd) : jv_null ());
            }
        }
      merge_env (config, image);
      set_if_empty_str (config, image, "WorkingDir");
      set_if_empty_str (config, image, "User");
      set_if_empty_str (config, image, "StopSignal");
      union_obj (config, image, "ExposedPorts");
      union_obj (config, image, "Volumes");
      merge_labels (config, image);
      merge_healthcheck (config, image);
      jv onbuild = jv_get_arr (image, "OnBuild");
      if (onbuild && jv_get (config, "OnBuild") == NULL)
        jv_set (config, "OnBuild", jv_copy (onbuild));
    }
  if (!has_items (jv_get (config, "Entrypoint")) && !has_items (jv_get (config, "Cmd")))
    return lcr_error_invalid (err, "No command specified");
  return 0;
}

void
dock_config_env_set (jv config, const char *k, const char *v)
{
  jv env = jv_child_arr (config, "Env");
  size_t kl = strlen (k);
  cleanup_free char *kv = NULL;
  xasprintf (&kv, "%s=%s", k, v);
  for (size_t i = 0; i < jv_len (env); i++)
    {
      const char *e = jv_as_str (env->u.array.values[i]);
      if (e && strncmp (e, k, kl) == 0 && e[kl] == '=')
        {
          jv_free (env->u.array.values[i]);
          env->u.array.values[i] = jv_str (kv);
          return;
        }
    }
  jv_push (env, jv_str (kv));
}
