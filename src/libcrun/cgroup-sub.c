/* berth — `exec --cgroup`: put an exec'd process in a sub-cgroup of its
 * container instead of the container's own cgroup.
 *
 * Each spec is "[CONTROLLER[,CONTROLLER…]:]PATH", PATH relative to the
 * container's cgroup.  A bare PATH (allowed once, alone) applies to every
 * hierarchy; with controllers named, those hierarchies get PATH and the
 * others the container's cgroup.  On v2 there is one hierarchy: the named
 * controllers must all agree on one PATH.  The sub-cgroup must exist (it is
 * the caller's, made for this process); PATH never leaves the container's
 * cgroup. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "utils.h"

struct sub
{
  char *controller; /* NULL: every hierarchy */
  const char *path;
};

/* ".." anywhere, or nothing but slashes, would not be a sub-cgroup. */
static bool
path_ok (const char *p)
{
  bool any = false;
  for (const char *c = p; *c;)
    {
      size_t len = strcspn (c, "/");
      if (len == 2 && strncmp (c, "..", 2) == 0)
        return false;
      if (len > 0 && !(len == 1 && c[0] == '.'))
        any = true;
      c += len;
      while (*c == '/')
        c++;
    }
  return any;
}

static void
subs_free (struct sub *subs, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (subs[i].controller);
  free (subs);
}

/* Split every spec into (controller, path) pairs, one per controller. */
static int
parse (char *const *specs, struct sub **out, size_t *n_out, lcr_error_t *err)
{
  struct sub *subs = NULL;
  size_t n = 0, nspecs = 0;
  while (specs[nspecs])
    nspecs++;
  for (size_t i = 0; i < nspecs; i++)
    {
      const char *s = specs[i];
      const char *colon = strchr (s, ':');
      const char *path = colon ? colon + 1 : s;
      if (colon && strchr (path, ':'))
        {
          subs_free (subs, n);
          return lcr_error_invalid (err, "exec --cgroup `%s`: the form is [CONTROLLER:]PATH", s);
        }
      if (!path_ok (path))
        {
          subs_free (subs, n);
          return lcr_error_invalid (err, "exec --cgroup `%s`: `%s` is not a sub-cgroup of the container's cgroup", s,
                                    path);
        }
      if (colon == NULL)
        {
          if (nspecs != 1)
            {
              subs_free (subs, n);
              return lcr_error_invalid (err,
                                        "exec --cgroup `%s`: with several --cgroup, each names its CONTROLLER:", s);
            }
          subs = xrealloc (subs, (n + 1) * sizeof *subs);
          subs[n++] = (struct sub){NULL, path};
          continue;
        }
      /* "cpu,memory:PATH" */
      for (const char *c = s; c < colon;)
        {
          size_t len = strcspn (c, ",:");
          if (len == 0)
            {
              subs_free (subs, n);
              return lcr_error_invalid (err, "exec --cgroup `%s`: an empty controller name", s);
            }
          char *name = xmalloc0 (len + 1);
          memcpy (name, c, len);
          for (size_t j = 0; j < n; j++)
            if (strcmp (subs[j].controller, name) == 0 && strcmp (subs[j].path, path) != 0)
              {
                lcr_error_invalid (err, "exec --cgroup: controller `%s` is given two paths", name);
                free (name);
                subs_free (subs, n);
                return -1;
              }
          subs = xrealloc (subs, (n + 1) * sizeof *subs);
          subs[n++] = (struct sub){name, path};
          c += len + (c[len] == ',');
        }
    }
  *out = subs;
  *n_out = n;
  return 0;
}

/* Does v1 hierarchy directory `h` ("cpu,cpuacct", "systemd") hold `ctrl`
   ("cpu", "name=systemd")? */
static bool
hierarchy_has (const char *h, const char *ctrl)
{
  if (strncmp (ctrl, "name=", 5) == 0)
    ctrl += 5;
  size_t len = strlen (ctrl);
  for (const char *c = h; *c;)
    {
      size_t l = strcspn (c, ",");
      if (l == len && strncmp (c, ctrl, len) == 0)
        return true;
      c += l + (c[l] == ',');
    }
  return false;
}

static int
enter_dir (const char *hdir, const char *cgpath, const char *sub, pid_t pid, lcr_error_t *err)
{
  char value[32];
  snprintf (value, sizeof value, "%d", pid);
  cleanup_free char *dir = NULL;
  xasprintf (&dir, "%s%s%s%s", hdir, cgpath, sub ? "/" : "", sub ? sub : "");
  if (lcr_cgroup_write (dir, "cgroup.procs", value, err) < 0)
    return lcr_error_wrap (err, "exec --cgroup: join `%s`", dir);
  return 0;
}

int
lcr_cgroup_enter_sub (struct lcr_cgroup *cg, char *const *specs, pid_t pid, lcr_error_t *err)
{
  struct sub *subs = NULL;
  size_t n = 0;
  if (parse (specs, &subs, &n, err) < 0)
    return -1;
  int ret = 0;
  if (cg->kind == LCR_CGROUP_V2)
    {
      /* one hierarchy: every controller named must point at one path */
      for (size_t i = 1; i < n && ret == 0; i++)
        if (strcmp (subs[i].path, subs[0].path) != 0)
          ret = lcr_error_invalid (err,
                                   "exec --cgroup: on cgroup v2 every controller shares one hierarchy, "
                                   "`%s` and `%s` cannot differ",
                                   subs[0].path, subs[i].path);
      if (ret == 0)
        ret = enter_dir (cg->root, cg->path, subs[0].path, pid, err);
      subs_free (subs, n);
      return ret;
    }
  /* v1: every named controller must exist here */
  for (size_t i = 0; i < n && ret == 0; i++)
    {
      bool found = subs[i].controller == NULL;
      for (size_t h = 0; h < cg->hierarchies_len && !found; h++)
        found = hierarchy_has (cg->hierarchies[h], subs[i].controller);
      if (!found)
        ret = lcr_error_invalid (err, "exec --cgroup: no cgroup controller `%s` on this host", subs[i].controller);
    }
  for (size_t h = 0; h < cg->hierarchies_len && ret == 0; h++)
    {
      const char *sub = NULL;
      for (size_t i = 0; i < n && sub == NULL; i++)
        if (subs[i].controller == NULL || hierarchy_has (cg->hierarchies[h], subs[i].controller))
          sub = subs[i].path;
      cleanup_free char *hdir = NULL;
      xasprintf (&hdir, "%s/%s", cg->root, cg->hierarchies[h]);
      ret = enter_dir (hdir, cg->path, sub, pid, err);
    }
  subs_free (subs, n);
  return ret;
}
