/* Unit tests (TAP) of the systemd cgroup driver's naming: cgroupsPath
 * "slice:prefix:name" → parent slice, unit, cgroupfs path; slice expansion;
 * a saved path back to its unit.  No D-Bus: these run anywhere.  Then, where
 * systemd is not PID 1, the driver must refuse at create with a message that
 * says so, before anything exists. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "cgroup.h"
#include "tap.h"
#include "utils.h"

static void
check_names (const char *id, const char *cgpath, const char *slice, const char *unit, const char *path)
{
  char *s = NULL, *u = NULL, *p = NULL;
  lcr_error_t err = NULL;
  int r = lcr_cgroup_systemd_names (id, cgpath, &s, &u, &p, &err);
  ok (r == 0, "names for %s: ok%s%s", cgpath ? cgpath : "(absent)", err ? ": " : "", err ? err->msg : "");
  is_str (s, slice, "  slice of %s", cgpath ? cgpath : "(absent)");
  is_str (u, unit, "  unit of %s", cgpath ? cgpath : "(absent)");
  is_str (p, path, "  path of %s", cgpath ? cgpath : "(absent)");
  free (s), free (u), free (p);
  lcr_error_release (&err);
}

static void
check_bad_names (const char *cgpath, const char *want_in_msg)
{
  char *s = NULL, *u = NULL, *p = NULL;
  lcr_error_t err = NULL;
  int r = lcr_cgroup_systemd_names ("c1", cgpath, &s, &u, &p, &err);
  ok (r < 0 && err && strstr (err->msg, want_in_msg), "`%s` refused: %s", cgpath, err ? err->msg : "(accepted)");
  ok (r < 0 && err && err->code == LCR_ERR_INVALID, "  as invalid input");
  ok (s == NULL && u == NULL && p == NULL, "  nothing returned");
  lcr_error_release (&err);
}

static void
check_expand (const char *slice, const char *want)
{
  char *out = NULL;
  lcr_error_t err = NULL;
  int r = lcr_cgroup_systemd_expand_slice (slice, &out, &err);
  if (want == NULL)
    ok (r < 0 && err != NULL, "expand `%s` refused: %s", slice, err ? err->msg : "(accepted)");
  else
    is_str (out, want, "expand `%s`", slice);
  free (out);
  lcr_error_release (&err);
}

int
main (void)
{
  check_expand ("system.slice", "/system.slice");
  check_expand ("a-b.slice", "/a.slice/a-b.slice");
  check_expand ("a-b-c.slice", "/a.slice/a-b.slice/a-b-c.slice");
  check_expand ("user-1000.slice", "/user.slice/user-1000.slice");
  check_expand ("-.slice", "");
  check_expand ("-", "");
  check_expand ("system", NULL);
  check_expand ("a/b.slice", NULL);
  check_expand ("-a.slice", NULL);
  check_expand ("a-.slice", NULL);
  check_expand ("a--b.slice", NULL);
  check_expand (".slice", NULL);

  check_names ("c1", NULL, "system.slice", "berth-c1.scope", "/system.slice/berth-c1.scope");
  check_names ("c1", "", "system.slice", "berth-c1.scope", "/system.slice/berth-c1.scope");
  check_names ("c1", "system.slice:berth:c1", "system.slice", "berth-c1.scope", "/system.slice/berth-c1.scope");
  check_names ("c1", "machine.slice:libpod:abc", "machine.slice", "libpod-abc.scope",
               "/machine.slice/libpod-abc.scope");
  check_names ("c1", "a-b.slice:p:x", "a-b.slice", "p-x.scope", "/a.slice/a-b.slice/p-x.scope");
  check_names ("c1", ":p:x", "system.slice", "p-x.scope", "/system.slice/p-x.scope");
  check_names ("c1", "a.slice::x", "a.slice", "x.scope", "/a.slice/x.scope");
  check_names ("c1", "-.slice:p:x", "-.slice", "p-x.scope", "/p-x.scope");
  check_names ("c1", "-:p:x", "-.slice", "p-x.scope", "/p-x.scope");
  check_names ("c1", "system.slice:p:a-b.slice", "system.slice", "a-b.slice", "/a.slice/a-b.slice");

  check_bad_names ("/berth/c1", "must be \"slice:prefix:name\"");
  check_bad_names ("a:b", "must be \"slice:prefix:name\"");
  check_bad_names ("a.slice:b:c:d", "must be \"slice:prefix:name\"");
  check_bad_names ("a.slice:b:", "name part");
  check_bad_names ("a.slice:b:x/y", "name part");
  check_bad_names ("notaslice:b:c", "not a systemd slice name");
  check_bad_names ("a/b.slice:b:c", "not a systemd slice name");
  check_bad_names ("a--b.slice:b:c", "empty component");

  /* a saved path back to the unit; the cgroupfs path is kept as saved */
  {
    struct lcr_cgroup *cg = NULL;
    lcr_error_t err = NULL;
    int r = lcr_cgroup_load_systemd ("/sys/fs/cgroup", "/a.slice/a-b.slice/p-x.scope", &cg, &err);
    ok (r == 0 && cg && cg->systemd, "load a saved systemd path%s%s", err ? ": " : "", err ? err->msg : "");
    if (cg)
      is_str (cg->path, "/a.slice/a-b.slice/p-x.scope", "  path kept");
    lcr_cgroup_free (cg);
    lcr_error_release (&err);
    r = lcr_cgroup_load_systemd ("/sys/fs/cgroup", "noslash", &cg, &err);
    ok (r < 0 && err, "a path without a unit is refused: %s", err ? err->msg : "(accepted)");
    lcr_error_release (&err);
  }

  /* new: computes the path, talks to nobody */
  {
    struct lcr_cgroup *cg = NULL;
    lcr_error_t err = NULL;
    int r = lcr_cgroup_new_systemd ("/sys/fs/cgroup", "c1", "system.slice:berth:c1", &cg, &err);
    ok (r == 0 && cg && cg->systemd, "new_systemd%s%s", err ? ": " : "", err ? err->msg : "");
    if (cg)
      is_str (cg->path, "/system.slice/berth-c1.scope", "  path");
    /* create is where the driver first needs systemd */
    if (cg && sd_booted () <= 0)
      {
        lcr_error_release (&err);
        r = lcr_cgroup_create (cg, &err);
        ok (r < 0 && err && strstr (err->msg, "systemd is not running (PID 1 is"), "create without systemd: %s",
            err ? err->msg : "(succeeded)");
        /* destroy of a never-started unit: no bus, nothing to remove */
        lcr_error_release (&err);
        r = lcr_cgroup_destroy (cg, &err);
        ok (r == 0, "destroy of a never-started unit is a no-op%s%s", err ? ": " : "", err ? err->msg : "");
      }
    else
      diag ("systemd is PID 1: the refusal check does not apply");
    lcr_cgroup_free (cg);
    lcr_error_release (&err);
  }
  return done_testing ();
}
