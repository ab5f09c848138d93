/* berth — named stop points, for the fault tests (tests/bats/faults.bats).
 *
 * In a build configured with --enable-test-hooks, LCR_TEST_POINT ("name")
 * kills the calling process with SIGKILL when the environment has
 * BERTH_TEST_STOP_AT=name: what the OOM killer or an operator's kill -9 would
 * do there.  The tests then check that `delete --force` finds and removes
 * what the half-made container left.  LCR_TEST_POINT_KIND ("hook", kind)
 * is the point "hook-KIND" (e.g. hook-prestart).
 *
 * In every other build the macros compile to nothing: the product binary
 * has neither the points nor the variable's name.
 */
#ifndef LCR_TEST_POINTS_H
#define LCR_TEST_POINTS_H

#include "config.h"

#ifdef BERTH_TEST_HOOKS
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void
lcr_test_point (const char *name, const char *kind)
{
  const char *at = getenv ("BERTH_TEST_STOP_AT");
  size_t n = strlen (name);
  if (at == NULL || strncmp (at, name, n) != 0)
    return;
  if (kind ? (at[n] != '-' || strcmp (at + n + 1, kind) != 0) : at[n] != '\0')
    return;
  /* say where, so a test can tell this stop from a crash */
  fprintf (stderr, "berth: BERTH_TEST_STOP_AT=%s: killing myself with SIGKILL\n", at);
  fflush (stderr);
  raise (SIGKILL);
}
#define LCR_TEST_POINT(name) lcr_test_point (name, NULL)
#define LCR_TEST_POINT_KIND(name, kind) lcr_test_point (name, kind)
#else
#define LCR_TEST_POINT(name) ((void)0)
#define LCR_TEST_POINT_KIND(name, kind) ((void)0)
#endif

#endif
