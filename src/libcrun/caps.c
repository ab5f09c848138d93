/* berth — user, groups and capabilities, in the only order that works:
 * drop the bounding set while we still hold CAP_SETPCAP, change ids keeping
 * the permitted set (PR_SET_KEEPCAPS), then set effective / permitted /
 * inheritable, then raise the ambient ones, then no_new_privs. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "linux.h"
#include "utils.h"

static bool
in_list (char **list, const char *name)
{
  for (size_t i = 0; list && list[i]; i++)
    if (strcasecmp (list[i], name) == 0)
      return true;
  return false;
}

static int
cap_by_name (const char *name, cap_value_t *out)
{
  /* libcap wants "cap_chown"; the spec says "CAP_CHOWN" */
  cleanup_free char *lower = xstrdup (name);
  for (char *p = lower; *p; p++)
    *p = (char)tolower ((unsigned char)*p);
  return cap_from_name (lower, out);
}

static int
set_flag_list (cap_t caps, cap_flag_t flag, char **names, const char *set, lcr_error_t *err)
{
  for (size_t i = 0; names && names[i]; i++)
    {
      cap_value_t v;
      if (cap_by_name (names[i], &v) < 0)
        return lcr_error_make (err, 0, LCR_ERR_INVALID, ".process.capabilities.%s[%zu]: unknown capability `%s`", set,
                               i, names[i]);
      if (v > cap_max_bits () - 1)
        continue; /* the kernel doesn't know it: nothing to grant */
      if (cap_set_flag (caps, flag, 1, &v, CAP_SET) < 0)
        return lcr_error_sys (err, "cap_set_flag %s", names[i]);
    }
  return 0;
}

int
lcr_change_user_and_caps (struct lcr_spec_process *p, bool in_userns, lcr_error_t *err)
{
  struct lcr_spec_capabilities empty = {0};
  struct lcr_spec_capabilities *c = p->capabilities ? p->capabilities : &empty;
  int last = cap_max_bits ();

  for (int v = 0; v < last; v++)
    {
      char *name = cap_to_name (v);
      bool keep = name && in_list (c->bounding, name);
      cap_free (name);
      if (!keep && prctl (PR_CAPBSET_DROP, v, 0, 0, 0) < 0 && errno != EINVAL)
        return lcr_error_sys (err, "drop capability %d from the bounding set", v);
    }

  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return lcr_error_sys (err, "prctl PR_SET_KEEPCAPS");
  gid_t *groups = xmalloc0 ((p->user.additional_gids_len + 1) * sizeof (gid_t));
  for (size_t i = 0; i < p->user.additional_gids_len; i++)
    groups[i] = p->user.additional_gids[i];
  int r = setgroups (p->user.additional_gids_len, groups);
  free (groups);
  /* a user namespace with setgroups denied can't have groups: fine if none asked */
  if (r < 0 && !(errno == EPERM && in_userns && p->user.additional_gids_len == 0))
    return lcr_error_sys (err, ".process.user.additionalGids: setgroups");
  if (setresgid (p->user.gid, p->user.gid, p->user.gid) < 0)
    return lcr_error_sys (err, ".process.user.gid: setgid %u", p->user.gid);
  if (setresuid (p->user.uid, p->user.uid, p->user.uid) < 0)
    return lcr_error_sys (err, ".process.user.uid: setuid %u", p->user.uid);
  if (prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return lcr_error_sys (err, "prctl PR_SET_KEEPCAPS");

  cap_t caps = cap_init ();
  if (caps == NULL)
    return lcr_error_sys (err, "cap_init");
  int ret = 0;
  if (set_flag_list (caps, CAP_EFFECTIVE, c->effective, "effective", err) < 0
      || set_flag_list (caps, CAP_PERMITTED, c->permitted, "permitted", err) < 0
      || set_flag_list (caps, CAP_INHERITABLE, c->inheritable, "inheritable", err) < 0)
    ret = -1;
  else if (cap_set_proc (caps) < 0)
    ret = lcr_error_sys (err, ".process.capabilities: set the capabilities");
  cap_free (caps);
  if (ret < 0)
    return -1;

  for (size_t i = 0; c->ambient && c->ambient[i]; i++)
    {
      cap_value_t v;
      if (cap_by_name (c->ambient[i], &v) < 0)
        return lcr_error_make (err, 0, LCR_ERR_INVALID, ".process.capabilities.ambient[%zu]: unknown capability `%s`",
                               i, c->ambient[i]);
      /* the kernel refuses an ambient capability that is not both permitted
         and inheritable; runc skips those too */
      if (v < last)
        prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, v, 0, 0);
    }

  if (p->no_new_privileges && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return lcr_error_sys (err, ".process.noNewPrivileges");
  return 0;
}

int
lcr_caps_check_reachable (struct lcr_spec_process *p, lcr_error_t *err)
{
  /* A capability outside our own bounding set can never be granted: say so
     while `create` can still report it, not after `start`. */
  struct lcr_spec_capabilities *c = p->capabilities;
  if (c == NULL)
    return 0;
  char **sets[] = {c->bounding, c->effective, c->permitted, c->inheritable, c->ambient};
  static const char *const names[] = {"bounding", "effective", "permitted", "inheritable", "ambient"};
  int last = cap_max_bits ();
  for (size_t k = 0; k < 5; k++)
    for (size_t i = 0; sets[k] && sets[k][i]; i++)
      {
        cap_value_t v;
        if (cap_by_name (sets[k][i], &v) < 0 || v >= last)
          continue; /* unknown names were refused by the parser; unknown to the kernel: skipped */
        if (prctl (PR_CAPBSET_READ, v, 0, 0, 0) != 1)
          return lcr_error_make (err, 0, LCR_ERR_INVALID,
                                 ".process.capabilities.%s[%zu]: %s is not in the runtime's own bounding set, so "
                                 "the container can't have it",
                                 names[k], i, sets[k][i]);
      }
  return 0;
}
