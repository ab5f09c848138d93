/* Unit tests for src/shim/health-state.c: docker's State.Health rules, its JSON, the
   --health-cmd array and Go's duration format. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "health.h"
#include "tap.h"
#include "utils.h"

/* One result with exit code `code` and output `out`. */
static void
add (struct health_state *h, int code, const char *out, bool in_start_period, long long retries)
{
  struct health_result r = {.exit_code = code};
  strcpy (r.start, "2024-01-01T00:00:00.000000001Z");
  strcpy (r.end, "2024-01-01T00:00:00.000000002Z");
  r.output = xstrdup (out);
  r.output_len = strlen (out);
  health_state_record (h, &r, in_start_period, retries);
  ok (r.output == NULL, "the record takes the output over");
}

static void
test_rules (void)
{
  struct health_state h;
  health_state_init (&h);
  is_str (health_status_name (h.status), "starting", "a new state is starting");
  is_int (h.failing_streak, 0, "with no failures");

  /* retries 3: two failures keep it starting, the third makes it unhealthy */
  add (&h, 1, "", false, 3);
  add (&h, 1, "", false, 3);
  is_str (health_status_name (h.status), "starting", "2 failures of 3: still starting");
  is_int (h.failing_streak, 2, "streak 2");
  add (&h, 1, "", false, 3);
  is_str (health_status_name (h.status), "unhealthy", "3 failures of 3: unhealthy");
  is_int (h.failing_streak, 3, "streak 3");
  add (&h, 7, "", false, 3);
  is_int (h.failing_streak, 4, "the streak goes on counting");
  add (&h, 0, "", false, 3);
  is_str (health_status_name (h.status), "healthy", "a success: healthy");
  is_int (h.failing_streak, 0, "and the streak is gone");
  add (&h, 1, "", false, 3);
  add (&h, 1, "", false, 3);
  is_str (health_status_name (h.status), "healthy", "healthy stays healthy below the retries");
  add (&h, -1, "", false, 3);
  is_str (health_status_name (h.status), "unhealthy", "a timeout (-1) counts as a failure");
  health_state_free (&h);

  /* retries 0: docker's default, 3 */
  health_state_init (&h);
  add (&h, 1, "", false, 0);
  add (&h, 1, "", false, 0);
  is_str (health_status_name (h.status), "starting", "retries 0 means 3 (2 failures)");
  add (&h, 1, "", false, 0);
  is_str (health_status_name (h.status), "unhealthy", "retries 0 means 3 (3 failures)");
  health_state_free (&h);

  /* retries 1 */
  health_state_init (&h);
  add (&h, 2, "", false, 1);
  is_str (health_status_name (h.status), "unhealthy", "retries 1: one failure is enough");
  health_state_free (&h);

  /* the start period */
  health_state_init (&h);
  for (int i = 0; i < 5; i++)
    add (&h, 1, "", true, 1);
  is_str (health_status_name (h.status), "starting", "failures in the start period do not count");
  is_int (h.failing_streak, 0, "no streak in the start period");
  is_int (h.n_log, 5, "but they are logged");
  add (&h, 1, "", false, 2);
  is_str (health_status_name (h.status), "starting", "after it, they count (1 of 2)");
  add (&h, 1, "", false, 2);
  is_str (health_status_name (h.status), "unhealthy", "after it, they count (2 of 2)");
  health_state_free (&h);

  health_state_init (&h);
  add (&h, 0, "", true, 1);
  is_str (health_status_name (h.status), "healthy", "a success in the start period: healthy");
  add (&h, 1, "", true, 1);
  is_str (health_status_name (h.status), "unhealthy", "then the start period is over: a failure counts");
  is_int (h.failing_streak, 1, "streak 1");
  health_state_free (&h);
}

static void
test_log (void)
{
  struct health_state h;
  health_state_init (&h);
  char out[16];
  for (int i = 0; i < 8; i++)
    {
      snprintf (out, sizeof out, "run %d", i);
      add (&h, i % 2, out, false, 100);
    }
  is_int (h.n_log, HEALTH_LOG_MAX, "the log keeps %d results", HEALTH_LOG_MAX);
  is_str (h.log[0].output, "run 3", "the oldest kept first");
  is_str (h.log[4].output, "run 7", "the newest last");
  is_int (h.log[4].exit_code, 1, "with its exit code");
  health_state_free (&h);
}

static void
test_json (void)
{
  struct health_state h;
  health_state_init (&h);
  cleanup_free char *empty = health_state_json (&h);
  is_str (empty, "{\"Status\":\"starting\",\"FailingStreak\":0,\"Log\":[]}\n", "the initial file");

  add (&h, 1, "line \"one\"\n\ttab\\", false, 1);
  /* output with a NUL, invalid UTF-8, valid UTF-8 and a control character */
  struct health_result r = {.exit_code = 0};
  strcpy (r.start, "S");
  strcpy (r.end, "E");
  static const char raw[] = "a\0b\xff\xc3\xa9\xe2\x82\x01";
  r.output = xmalloc0 (sizeof raw);
  memcpy (r.output, raw, sizeof raw - 1);
  r.output_len = sizeof raw - 1;
  health_state_record (&h, &r, false, 1);
  cleanup_free char *json = health_state_json (&h);
  diag (json);

  char ebuf[256];
  yajl_val v = yajl_tree_parse (json, ebuf, sizeof ebuf);
  ok (v != NULL, "health.json is JSON: %s", v ? "yes" : ebuf);
  if (v == NULL)
    return;
  const char *p_status[] = {"Status", NULL}, *p_streak[] = {"FailingStreak", NULL}, *p_log[] = {"Log", NULL};
  is_str (YAJL_GET_STRING (yajl_tree_get (v, p_status, yajl_t_string)), "healthy", "Status");
  yajl_val streak = yajl_tree_get (v, p_streak, yajl_t_number);
  is_int (streak ? YAJL_GET_INTEGER (streak) : -99, 0, "FailingStreak");
  yajl_val log = yajl_tree_get (v, p_log, yajl_t_array);
  is_int (log ? log->u.array.len : 0, 2, "Log has both");
  if (log && log->u.array.len == 2)
    {
      const char *k_out[] = {"Output", NULL}, *k_code[] = {"ExitCode", NULL}, *k_start[] = {"Start", NULL},
                 *k_end[] = {"End", NULL};
      yajl_val a = log->u.array.values[0], b = log->u.array.values[1];
      is_str (YAJL_GET_STRING (yajl_tree_get (a, k_out, yajl_t_string)), "line \"one\"\n\ttab\\",
              "quotes, newlines, tabs, backslashes survive");
      is_int (YAJL_GET_INTEGER (yajl_tree_get (a, k_code, yajl_t_number)), 1, "ExitCode");
      is_str (YAJL_GET_STRING (yajl_tree_get (a, k_start, yajl_t_string)), "2024-01-01T00:00:00.000000001Z", "Start");
      is_str (YAJL_GET_STRING (yajl_tree_get (a, k_end, yajl_t_string)), "2024-01-01T00:00:00.000000002Z", "End");
      /* (yajl's C string stops at the NUL: the escaping is checked below) */
      is_str (YAJL_GET_STRING (yajl_tree_get (b, k_out, yajl_t_string)), "a", "the second output parses");
    }
  yajl_tree_free (v);
  cleanup_free char *esc = health_json_bytes (raw, sizeof raw - 1);
  is_str (esc, "a\\u0000b\\ufffd\xc3\xa9\\ufffd\\ufffd\\u0001",
          "NUL escaped, invalid bytes replaced one by one, valid UTF-8 kept");
  cleanup_free char *esc2 = health_json_bytes ("\xed\xa0\x80 \xf4\x90\x80\x80 \xf0\x9f\x98\x80 \xc0\xaf", 16);
  is_str (esc2, "\\ufffd\\ufffd\\ufffd \\ufffd\\ufffd\\ufffd\\ufffd \xf0\x9f\x98\x80 \\ufffd\\ufffd",
          "surrogates, > U+10FFFF and overlong forms are not UTF-8; an emoji is");
  health_state_free (&h);
}

static void
test_parse (void)
{
  char **argv;
  cleanup_error lcr_error_t err = NULL;

  is_int (health_parse_test ("[\"CMD-SHELL\",\"wget -q -O- localhost || exit 1\"]", &argv, &err), 0, "CMD-SHELL");
  if (argv)
    {
      is_str (argv[0], "/bin/sh", "CMD-SHELL runs /bin/sh");
      is_str (argv[1], "-c", "-c");
      is_str (argv[2], "wget -q -O- localhost || exit 1", "the command line as is");
      ok (argv[3] == NULL, "and nothing more");
      free (argv);
    }
  is_int (health_parse_test ("[\"CMD-SHELL\",\"test\",\"-f\",\"/x\"]", &argv, &err), 0, "CMD-SHELL, words");
  if (argv)
    {
      is_str (argv[2], "test -f /x", "words joined with spaces");
      free (argv);
    }
  is_int (health_parse_test (" [\"CMD\", \"/bin/check\", \"arg one\", \"\"] ", &argv, &err), 0, "CMD");
  if (argv)
    {
      is_str (argv[0], "/bin/check", "CMD runs its first argument");
      is_str (argv[1], "arg one", "with the others as they are");
      is_str (argv[2], "", "empty ones too");
      ok (argv[3] == NULL, "and nothing more");
      free (argv);
    }
  argv = (char **)1;
  is_int (health_parse_test ("[\"NONE\"]", &argv, &err), 0, "NONE");
  ok (argv == NULL, "NONE: no check");

  const char *bad[] = {"",
                       "[]",
                       "{}",
                       "\"CMD\"",
                       "[\"CMD\"]",
                       "[\"CMD\", \"\"]",
                       "[\"CMD-SHELL\"]",
                       "[\"RUN\",\"x\"]",
                       "[\"CMD\", 1]",
                       "[\"CMD\", \"x\"",
                       "[1]"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      lcr_error_release (&err);
      int r = health_parse_test (bad[i], &argv, &err);
      ok (r < 0 && argv == NULL && err && strstr (err->msg, "--health-cmd"), "rejected: %s (%s)", bad[i],
          err ? err->msg : "no error");
    }
}

static void
test_duration (void)
{
  static const struct
  {
    long long ns;
    const char *want;
  } cases[] = {
      {0, "0s"},
      {1, "1ns"},
      {999, "999ns"},
      {1500, "1.5\xc2\xb5s"},
      {500 * 1000 * 1000LL, "500ms"},
      {1500 * 1000LL, "1.5ms"},
      {1000 * 1000 * 1000LL, "1s"},
      {1500 * 1000 * 1000LL, "1.5s"},
      {30 * 1000 * 1000 * 1000LL, "30s"},
      {60 * 1000 * 1000 * 1000LL, "1m0s"},
      {90 * 1000 * 1000 * 1000LL, "1m30s"},
      {3600LL * 1000 * 1000 * 1000, "1h0m0s"},
      {3723LL * 1000 * 1000 * 1000 + 5, "1h2m3.000000005s"},
      {-2 * 1000 * 1000 * 1000LL, "-2s"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      char buf[64];
      health_duration_str (cases[i].ns, buf, sizeof buf);
      is_str (buf, cases[i].want, "%lld ns prints as Go does", cases[i].ns);
    }
}

int
main (void)
{
  test_rules ();
  test_log ();
  test_json ();
  test_parse ();
  test_duration ();
  return done_testing ();
}
