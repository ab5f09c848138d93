/* berth-shim — the health check's pure parts: docker's State.Health as a state machine, its
 * JSON, the --health-cmd array and docker's way of printing a duration.  No fds, no clock, no
 * processes: health.c runs the checks and feeds the results in here, and the unit test
 * (tests/unit/test-shim-health.c) drives it directly.
 *
 * The rules are docker's:
 *   - a success: FailingStreak 0, status "healthy";
 *   - a failure (any exit code but 0, or a timeout) while the status is still "starting" and the
 *     check began within the start period: recorded in the log, not counted;
 *   - any other failure: FailingStreak + 1, and "unhealthy" once it reaches the retries;
 *     otherwise the status stays what it was ("starting" or "healthy");
 *   - the log keeps the last HEALTH_LOG_MAX results, oldest first.
 */
#ifndef BERTH_SHIM_HEALTH_H
#define BERTH_SHIM_HEALTH_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define HEALTH_LOG_MAX 5       /* results kept, as docker keeps */
#define HEALTH_OUTPUT_MAX 4096 /* bytes of a check's output kept, as docker keeps */

/* Docker's defaults, in nanoseconds (0 on the command line means these). */
#define HEALTH_DEFAULT_INTERVAL (30LL * 1000 * 1000 * 1000)
#define HEALTH_DEFAULT_TIMEOUT (30LL * 1000 * 1000 * 1000)
#define HEALTH_DEFAULT_RETRIES 3

enum health_status
{
  HEALTH_STARTING = 0,
  HEALTH_HEALTHY,
  HEALTH_UNHEALTHY,
};

struct health_result
{
  char start[40], end[40]; /* RFC 3339 with nanoseconds */
  int exit_code;           /* -1: the check did not finish (timeout) */
  char *output;            /* malloc'd, may hold any bytes (NUL too) */
  size_t output_len;
};

struct health_state
{
  enum health_status status;
  long long failing_streak;
  struct health_result log[HEALTH_LOG_MAX]; /* oldest first */
  size_t n_log;
};

void health_state_init (struct health_state *h);
void health_state_free (struct health_state *h);
/* Add one result (its output is taken over: r->output is NULL afterwards).  in_start_period:
   the check began before the start period was over; retries <= 0 means the default. */
void health_state_record (struct health_state *h, struct health_result *r, bool in_start_period, long long retries);
const char *health_status_name (enum health_status s);
/* {"Status":…,"FailingStreak":N,"Log":[{"Start","End","ExitCode","Output"}…]} (malloc'd). */
char *health_state_json (const struct health_state *h);
/* len bytes as the body of a JSON string (malloc'd): valid UTF-8 passes, every byte that is
   not part of it becomes U+FFFD (as docker's encoder does), control characters are escaped. */
char *health_json_bytes (const char *buf, size_t len);

/* Docker's Healthcheck.Test, a JSON array: ["CMD", ARG…] runs ARG… as is, ["CMD-SHELL", CMD]
   runs /bin/sh -c CMD, ["NONE"] turns checking off (*argv = NULL).  Returns 0 with *argv a
   malloc'd NULL-terminated vector (one block: free (*argv) frees all), or -1 with *err set. */
int health_parse_test (const char *json, char ***argv, lcr_error_t *err);

/* ns as Go prints a time.Duration ("1s", "1.5s", "500ms", "1m30s"): docker's timeout message
   shows it so. */
void health_duration_str (long long ns, char *buf, size_t len);

#endif
