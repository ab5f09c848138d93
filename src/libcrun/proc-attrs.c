/* berth — attributes the container's process gets besides its user and
 * capabilities: rlimits, sysctl, oom_score_adj, hostname, and the lookup of
 * the program to run. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "linux.h"
#include "utils.h"

static const struct
{
  const char *name;
  int resource;
} rlimit_names[] = {
  { "RLIMIT_AS", RLIMIT_AS },           { "RLIMIT_CORE", RLIMIT_CORE },       { "RLIMIT_CPU", RLIMIT_CPU },
  { "RLIMIT_DATA", RLIMIT_DATA },       { "RLIMIT_FSIZE", RLIMIT_FSIZE },     { "RLIMIT_LOCKS", RLIMIT_LOCKS },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
  { "RLIMIT_NOFILE", RLIMIT_NOFILE },   { "RLIMIT_NPROC", RLIMIT_NPROC },     { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },   { "RLIMIT_RTTIME", RLIMIT_RTTIME },   { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
  { "RLIMIT_STACK", RLIMIT_STACK },
};

int
lcr_apply_rlimits (struct lcr_spec_process *p, lcr_error_t *err)
{
  for (size_t i = 0; i < p->rlimits_len; i++)
    {
      struct lcr_spec_rlimit *r = &p->rlimits[i];
      int res = -1;
      for (size_t k = 0; k < sizeof rlimit_names / sizeof rlimit_names[0]; k++)
        if (strcmp (r->type, rlimit_names[k].name) == 0)
          res = rlimit_names[k].resource;
      if (res < 0)
        return lcr_error_make (err, 0, LCR_ERR_INVALID, ".process.rlimits[%zu].type: unknown rlimit `%s`", i, r->type);
      struct rlimit lim = { .rlim_cur = r->soft, .rlim_max = r->hard };
      if (setrlimit (res, &lim) < 0)
        {
          int saved = errno;
          struct rlimit cur;
          getrlimit (res, &cur);
          if (saved == EPERM && r->hard > cur.rlim_max)
            return lcr_error_make (err, saved, LCR_ERR_INVALID,
                                   ".process.rlimits[%zu]: %s hard limit %llu is above the current hard limit %llu, "
                                   "and raising it needs CAP_SYS_RESOURCE",
                                   i, r->type, (unsigned long long) r->hard, (unsigned long long) cur.rlim_max);
          return lcr_error_make (err, saved, LCR_ERR_SYSTEM, ".process.rlimits[%zu]: setrlimit %s", i, r->type);
        }
    }
  return 0;
}

int
lcr_apply_sysctl (struct lcr_spec *spec, lcr_error_t *err)
{
  struct lcr_spec_linux *l = spec->linux_;
  for (size_t i = 0; l && i < l->sysctl_len; i++)
    {
      cleanup_free char *path = NULL;
      xasprintf (&path, "/proc/sys/%s", l->sysctl[i].key);
      for (char *p = path + strlen ("/proc/sys/"); *p; p++)
        if (*p == '.')
          *p = '/';
      if (strstr (path, "..") || lcr_write_file_at (AT_FDCWD, path, l->sysctl[i].value, strlen (l->sysctl[i].value), 0,
                                                    err)
                                     < 0)
        {
          if (err && *err == NULL)
            lcr_error_invalid (err, "bad key");
          return lcr_error_wrap (err, ".linux.sysctl[\"%s\"]", l->sysctl[i].key);
        }
    }
  return 0;
}

int
lcr_set_oom_score_adj (pid_t pid, struct lcr_spec_process *p, lcr_error_t *err)
{
  if (!p->has_oom_score_adj)
    return 0;
  char path[64], value[32];
  snprintf (path, sizeof path, "/proc/%d/oom_score_adj", pid);
  int n = snprintf (value, sizeof value, "%d", p->oom_score_adj);
  if (lcr_write_file_at (AT_FDCWD, path, value, n, 0, err) < 0)
    return lcr_error_wrap (err, ".process.oomScoreAdj");
  return 0;
}

int
lcr_set_hostname (struct lcr_spec *spec, lcr_error_t *err)
{
  if (spec->hostname && sethostname (spec->hostname, strlen (spec->hostname)) < 0)
    return lcr_error_sys (err, ".hostname: sethostname `%s`", spec->hostname);
  if (spec->domainname && setdomainname (spec->domainname, strlen (spec->domainname)) < 0)
    return lcr_error_sys (err, ".domainname: setdomainname `%s`", spec->domainname);
  return 0;
}

static bool
is_executable_file (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0 && S_ISREG (st.st_mode) && (st.st_mode & 0111);
}

int
lcr_find_executable (struct lcr_spec_process *p, char **out, lcr_error_t *err)
{
  const char *name = p->args[0];
  if (strchr (name, '/'))
    {
      struct stat st;
      if (stat (name, &st) < 0)
        return lcr_error_make (err, errno, LCR_ERR_INVALID, "exec: `%s` (.process.args[0])", name);
      if (!is_executable_file (name))
        return lcr_error_make (err, EACCES, LCR_ERR_INVALID, "exec: `%s` (.process.args[0])", name);
      *out = xstrdup (name);
      return 0;
    }
  const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (size_t i = 0; i < p->env_len; i++)
    if (strncmp (p->env[i], "PATH=", 5) == 0)
      path = p->env[i] + 5;
  cleanup_free char *copy = xstrdup (path);
  char *save = NULL;
  for (char *dir = strtok_r (copy, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
    {
      cleanup_free char *candidate = NULL;
      xasprintf (&candidate, "%s/%s", *dir ? dir : ".", name);
      if (is_executable_file (candidate))
        {
          *out = steal_pointer (&candidate);
          return 0;
        }
    }
  return lcr_error_make (err, 0, LCR_ERR_INVALID, "exec: `%s`: executable file not found in $PATH (.process.args[0])",
                         name);
}
