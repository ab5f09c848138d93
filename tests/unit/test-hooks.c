/* Unit tests for src/libcrun/hooks.c: real /bin/sh hooks in a mkdtemp dir,
   unprivileged.  The hooks get an empty environment unless a test gives
   one, so every command in them is an absolute path or a shell builtin. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "linux.h"
#include "tap.h"
#include "utils.h"

static char tmp[] = "/tmp/berth-test-hooks.XXXXXX";

static const char *
err_msg (lcr_error_t e)
{
  return e ? e->msg : "(no error)";
}

static bool
contains (const char *hay, const char *needle)
{
  return hay && strstr (hay, needle) != NULL;
}

static double
now_s (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* <tmp>/name, malloc'd. */
static char *
tpath (const char *name)
{
  char *p;
  if (xasprintf (&p, "%s/%s", tmp, name) < 0)
    abort ();
  return p;
}

/* Write an executable "#!/bin/sh" script; returns its path (malloc'd). */
static char *
script (const char *name, const char *body)
{
  char *path = tpath (name);
  cleanup_free char *text = NULL;
  if (xasprintf (&text, "#!/bin/sh\n%s\n", body) < 0)
    abort ();
  cleanup_error lcr_error_t err = NULL;
  if (lcr_write_file_at (AT_FDCWD, path, text, strlen (text), 0755, &err) < 0 || chmod (path, 0755) < 0)
    {
      printf ("Bail out! cannot write %s: %s\n", path, err_msg (err));
      exit (1);
    }
  return path;
}

/* The contents of <tmp>/name, or NULL (and len 0) when it does not exist. */
static char *
slurp (const char *name, size_t *len)
{
  cleanup_free char *path = tpath (name);
  cleanup_error lcr_error_t err = NULL;
  char *out = NULL;
  size_t l = 0;
  if (lcr_read_file (path, &out, &l, &err) < 0)
    out = NULL, l = 0;
  if (len)
    *len = l;
  return out;
}

static void
rm (const char *name)
{
  cleanup_free char *path = tpath (name);
  unlink (path);
}

/* A hook with up to 6 args (NULL-terminated list) and no env. */
static struct lcr_spec_hook
hook (char *path, char **args)
{
  struct lcr_spec_hook h = {.path = path};
  size_t n = 0;
  while (args && args[n])
    n++;
  h.args = args;
  h.args_len = n;
  return h;
}

/* No process of ours left behind: every hook was reaped. */
static bool
no_children (void)
{
  return waitpid (-1, NULL, WNOHANG) < 0 && errno == ECHILD;
}

/* Gone or a zombie (a zombie is reparented to a reaper that is not us). */
static bool
proc_dead_within (pid_t pid, double seconds)
{
  double end = now_s () + seconds;
  for (;;)
    {
      char st = 0;
      if (lcr_proc_start_time (pid, &st) == 0 || st == 'Z' || st == 'X')
        return true;
      if (now_s () > end)
        return false;
      usleep (10000);
    }
}

/* lcr_hooks_run leaves *err alone on success: start each call clean so a
   message printed after a success is not a stale one. */
static int
run (struct lcr_spec_hook *h, size_t n, const char *kind, const char *state, lcr_error_t *err)
{
  lcr_error_release (err);
  return lcr_hooks_run (h, n, kind, state, err);
}

static void
test_no_hooks (void)
{
  cleanup_error lcr_error_t err = NULL;
  struct lcr_spec_hook h = {.path = "/nonexistent/hook"};
  is_int (run (&h, 0, "prestart", "{}", &err), 0, "n == 0: returns 0 without running anything");
  ok (err == NULL, "n == 0: no error");
  is_int (run (NULL, 0, "prestart", "{}", &err), 0, "n == 0 with a NULL list: returns 0");
}

static void
test_stdin (void)
{
  cleanup_error lcr_error_t err = NULL;
  cleanup_free char *out = tpath ("stdin.out");
  cleanup_free char *path = script ("stdin.sh", "/bin/cat > \"$1\"");
  char *args[] = {"stdin-hook", out, NULL};
  struct lcr_spec_hook h = hook (path, args);
  h.has_timeout = true; /* if stdin never reached EOF: a red test, not a hang */
  h.timeout = 10;
  const char *state = "{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":42,\"bundle\":\"/b\"}";

  is_int (run (&h, 1, "prestart", state, &err), 0, "stdin: hook runs (%s)", err_msg (err));
  cleanup_free char *got = slurp ("stdin.out", NULL);
  is_str (got, state, "stdin: the hook reads the state JSON exactly, then EOF");
  ok (no_children (), "stdin: the hook was reaped");

  /* An empty state: the hook still gets EOF at once. */
  rm ("stdin.out");
  is_int (run (&h, 1, "prestart", "", &err), 0, "stdin: empty state runs (%s)", err_msg (err));
  cleanup_free char *got2 = slurp ("stdin.out", NULL);
  is_str (got2, "", "stdin: empty state gives an empty stdin");

  /* 1 MiB read whole: the pipe is written past its buffer size. */
  size_t big_len = 1 << 20;
  cleanup_free char *big = xmalloc0 (big_len + 1);
  for (size_t i = 0; i < big_len; i++)
    big[i] = (char)('a' + i % 26);
  rm ("stdin.out");
  is_int (run (&h, 1, "prestart", big, &err), 0, "stdin: 1 MiB state runs (%s)", err_msg (err));
  size_t len = 0;
  cleanup_free char *got3 = slurp ("stdin.out", &len);
  ok (got3 && len == big_len && memcmp (got3, big, big_len) == 0, "stdin: 1 MiB state arrives whole (%zu bytes)", len);
}

static void
test_args (void)
{
  cleanup_error lcr_error_t err = NULL;
  cleanup_free char *out = tpath ("args.out");
  cleanup_free char *cmd = NULL;
  if (xasprintf (&cmd, "/bin/cat /proc/$$/cmdline > %s", out) < 0)
    abort ();

  /* /bin/sh itself as the hook, so /proc/PID/cmdline shows our argv as
     given (a #! script would have its argv[0] replaced by the kernel). */
  char *args[] = {"custom-argv0", "-c", cmd, NULL};
  struct lcr_spec_hook h = hook ("/bin/sh", args);
  is_int (run (&h, 1, "createRuntime", "{}", &err), 0, "args: hook runs (%s)", err_msg (err));
  size_t len = 0;
  cleanup_free char *got = slurp ("args.out", &len);
  is_str (got, "custom-argv0", "args: argv[0] is args[0], not the path");
  ok (got && len == strlen ("custom-argv0") + 1 + 3 + strlen (cmd) + 1 && strcmp (got + 13, "-c") == 0
          && strcmp (got + 16, cmd) == 0,
      "args: argv is exactly args (%zu bytes)", len);

  /* No args: argv is { path }.  /bin/sh with no arguments reads its
     commands from stdin, so the state is the script here. */
  rm ("args.out");
  struct lcr_spec_hook h0 = hook ("/bin/sh", NULL);
  cleanup_free char *stdin_cmd = NULL;
  if (xasprintf (&stdin_cmd, "%s\n", cmd) < 0)
    abort ();
  is_int (run (&h0, 1, "createRuntime", stdin_cmd, &err), 0, "args: no args runs (%s)", err_msg (err));
  cleanup_free char *got0 = slurp ("args.out", &len);
  ok (got0 && len == strlen ("/bin/sh") + 1 && strcmp (got0, "/bin/sh") == 0,
      "args: with no args argv is { path } (got \"%s\", %zu bytes)", got0 ? got0 : "(none)", len);

  /* The rest of argv, spaces and all. */
  cleanup_free char *path = script ("argv.sh", "echo \"$#|$1|$2|$3\" > \"$1\"");
  char *args2[] = {"x", out, "a b", "", NULL};
  struct lcr_spec_hook h2 = hook (path, args2);
  rm ("args.out");
  is_int (run (&h2, 1, "createRuntime", "{}", &err), 0, "args: script runs (%s)", err_msg (err));
  cleanup_free char *got2 = slurp ("args.out", NULL);
  cleanup_free char *want = NULL;
  if (xasprintf (&want, "3|%s|a b|\n", out) < 0)
    abort ();
  is_str (got2, want, "args: args[1..] arrive as $1.. unsplit, empty ones kept");
}

static void
test_env (void)
{
  cleanup_error lcr_error_t err = NULL;
  cleanup_free char *out = tpath ("env.out");
  /* /proc/$$/environ is what execve gave the shell, before it adds PWD. */
  cleanup_free char *path = script ("env.sh", "/bin/cat /proc/$$/environ > \"$1\"");
  char *args[] = {"env-hook", out, NULL};
  struct lcr_spec_hook h = hook (path, args);
  char *env[] = {"FOO=bar", "WITH_SPACE=a b", "EMPTY="};
  h.env = env;
  h.env_len = 3;

  setenv ("BERTH_TEST_SHOULD_NOT_LEAK", "1", 1);
  is_int (run (&h, 1, "poststart", "{}", &err), 0, "env: hook runs (%s)", err_msg (err));
  size_t len = 0;
  cleanup_free char *got = slurp ("env.out", &len);
  const char want[] = "FOO=bar\0WITH_SPACE=a b\0EMPTY=";
  ok (got && len == sizeof want && memcmp (got, want, sizeof want) == 0,
      "env: exactly hook.env, in order, nothing of ours (%zu bytes)", len);
  ok (got && !contains (got, "PATH") && !contains (got, "BERTH_TEST"), "env: no PATH, nothing of the runtime's");

  rm ("env.out");
  h.env = NULL;
  h.env_len = 0;
  is_int (run (&h, 1, "poststart", "{}", &err), 0, "env: no env runs (%s)", err_msg (err));
  cleanup_free char *got0 = slurp ("env.out", &len);
  ok (got0 && len == 0, "env: none given means an empty environment (%zu bytes)", len);
  unsetenv ("BERTH_TEST_SHOULD_NOT_LEAK");
}

static void
test_order_and_first_failure (void)
{
  cleanup_error lcr_error_t err = NULL;
  cleanup_free char *out = tpath ("order.out");
  cleanup_free char *append = script ("append.sh", "echo \"$2\" >> \"$1\"");
  cleanup_free char *fail = script ("fail.sh", "echo \"$2\" >> \"$1\"\necho 'this hook is unhappy' >&2\nexit 3");
  char *a1[] = {"a", out, "1", NULL}, *a2[] = {"a", out, "2", NULL}, *a3[] = {"a", out, "3", NULL};
  struct lcr_spec_hook hs[3] = {hook (append, a1), hook (append, a2), hook (append, a3)};

  rm ("order.out");
  is_int (run (hs, 3, "prestart", "{}", &err), 0, "order: three hooks run (%s)", err_msg (err));
  cleanup_free char *got = slurp ("order.out", NULL);
  is_str (got, "1\n2\n3\n", "order: in the order given");

  rm ("order.out");
  hs[1] = hook (fail, a2);
  is_int (run (hs, 3, "prestart", "{}", &err), -1, "failure: the list fails");
  cleanup_free char *got2 = slurp ("order.out", NULL);
  is_str (got2, "1\n2\n", "failure: the hooks after the failing one did not run");
  cleanup_free char *want = NULL;
  if (xasprintf (&want, ".hooks.prestart[1] (%s): exited with status 3: this hook is unhappy", fail) < 0)
    abort ();
  is_str (err_msg (err), want, "failure: message names the hook, the status and its stderr");
  ok (no_children (), "failure: every hook was reaped");
}

static void
test_output_tail (void)
{
  cleanup_error lcr_error_t err = NULL;
  cleanup_free char *p
      = script ("noisy.sh", "i=0\n"
                            "while [ $i -lt 100 ]; do\n"
                            "  echo \"line $i: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\" >&2\n"
                            "  i=$((i+1))\n"
                            "done\n"
                            "echo LAST-WORDS >&2\nexit 1");
  struct lcr_spec_hook h = hook (p, NULL);
  is_int (run (&h, 1, "poststop", "{}", &err), -1, "tail: failing noisy hook fails");
  const char *m = err_msg (err);
  ok (contains (m, "exited with status 1: ...") && contains (m, "LAST-WORDS"),
      "tail: the message has the end of stderr, marked as cut");
  ok (!contains (m, "line 0:") && strlen (m) < 1024 + 200, "tail: only the last ~1 KiB is kept (%zu bytes)",
      strlen (m));

  /* stdout is captured with stderr (as runc does). */
  cleanup_free char *p2 = script ("stdout.sh", "echo to-stdout\nexit 2");
  struct lcr_spec_hook h2 = hook (p2, NULL);
  is_int (run (&h2, 1, "poststop", "{}", &err), -1, "tail: stdout hook fails");
  ok (contains (err_msg (err), "exited with status 2: to-stdout"), "tail: stdout is in the message too: %s",
      err_msg (err));

  /* No output: no dangling colon. */
  cleanup_free char *p3 = script ("quiet.sh", "exit 4");
  struct lcr_spec_hook h3 = hook (p3, NULL);
  run (&h3, 1, "poststop", "{}", &err);
  cleanup_free char *want = NULL;
  if (xasprintf (&want, ".hooks.poststop[0] (%s): exited with status 4", p3) < 0)
    abort ();
  is_str (err_msg (err), want, "tail: a silent hook's message ends with the status");

  /* 4 MiB of output before reading stdin must not deadlock either side. */
  cleanup_free char *p4 = script ("flood.sh", "/bin/head -c 4194304 /dev/zero\n/bin/cat > /dev/null\nexit 0");
  struct lcr_spec_hook h4 = hook (p4, NULL);
  h4.has_timeout = true;
  h4.timeout = 20;
  size_t big_len = 1 << 20;
  cleanup_free char *big = xmalloc0 (big_len + 1);
  memset (big, 'x', big_len);
  is_int (run (&h4, 1, "poststop", big, &err), 0, "tail: flood of output and 1 MiB of stdin at once (%s)",
          err_msg (err));
}

static void
test_timeout (void)
{
  cleanup_error lcr_error_t err = NULL;
  cleanup_free char *pidfile = tpath ("sleep.pid");
  /* The sleep is the shell's child: only a kill of the process group gets
     it.  The pid is written first so we know whom to look for. */
  cleanup_free char *p
      = script ("slow.sh", "/bin/sleep 100 &\necho $! > \"$1.tmp\"\n/bin/mv \"$1.tmp\" \"$1\"\necho started >&2\nwait");
  char *args[] = {"slow", pidfile, NULL};
  struct lcr_spec_hook h = hook (p, args);
  h.has_timeout = true;
  h.timeout = 1;

  rm ("sleep.pid");
  double t0 = now_s ();
  int r = run (&h, 1, "createContainer", "{}", &err);
  double dt = now_s () - t0;
  is_int (r, -1, "timeout: a hook past its timeout fails");
  ok (dt >= 0.9 && dt < 3.0, "timeout: killed after ~1s (%.2fs)", dt);
  ok (contains (err_msg (err), ".hooks.createContainer[0] (") && contains (err_msg (err), "): timed out after 1s"),
      "timeout: message says so: %s", err_msg (err));
  ok (no_children (), "timeout: the hook was reaped");
  cleanup_free char *pidtext = slurp ("sleep.pid", NULL);
  long long pid = 0;
  if (pidtext)
    {
      pidtext[strcspn (pidtext, "\n")] = '\0';
      if (lcr_parse_long (pidtext, &pid) < 0)
        pid = 0;
    }
  ok (pid > 1, "timeout: the hook's child wrote its pid (%lld)", pid);
  if (pid > 1)
    {
      bool dead = proc_dead_within ((pid_t)pid, 2.0);
      ok (dead, "timeout: the hook's `sleep 100` was killed with it (process group)");
      if (!dead)
        kill ((pid_t)pid, SIGKILL);
    }
  else
    ok (0, "timeout: the hook's `sleep 100` was killed with it (no pid)");

  /* A hook that finishes within its timeout is fine. */
  cleanup_free char *q = script ("quick.sh", "exit 0");
  struct lcr_spec_hook hq = hook (q, NULL);
  hq.has_timeout = true;
  hq.timeout = 5;
  is_int (run (&hq, 1, "createContainer", "{}", &err), 0, "timeout: a quick hook passes (%s)", err_msg (err));
}

static void
test_signal (void)
{
  cleanup_error lcr_error_t err = NULL;
  cleanup_free char *p = script ("suicide.sh", "echo dying >&2\nkill -9 $$");
  struct lcr_spec_hook h = hook (p, NULL);
  is_int (run (&h, 1, "startContainer", "{}", &err), -1, "signal: a killed hook fails");
  ok (contains (err_msg (err), "): killed by signal 9: dying"), "signal: message says so: %s", err_msg (err));
}

static void
test_exec_failure (void)
{
  cleanup_error lcr_error_t err = NULL;
  struct lcr_spec_hook h = {.path = "/nonexistent/hook"};
  is_int (run (&h, 1, "poststop", "{}", &err), -1, "exec: a missing path fails");
  is_str (err_msg (err), ".hooks.poststop[0] (/nonexistent/hook): exec failed: No such file or directory",
          "exec: message names the path and why");
  ok (err && err->errno_ == ENOENT, "exec: errno is ENOENT");

  cleanup_free char *p = tpath ("not-executable");
  cleanup_error lcr_error_t e2 = NULL;
  lcr_write_file_at (AT_FDCWD, p, "#!/bin/sh\n", 10, 0644, &e2);
  chmod (p, 0644);
  struct lcr_spec_hook h2 = {.path = p};
  /* no x bit at all: root cannot exec it either */
  is_int (run (&h2, 1, "poststop", "{}", &err), -1, "exec: a non-executable file fails");
  ok (contains (err_msg (err), "exec failed: Permission denied"), "exec: EACCES is reported: %s", err_msg (err));
  ok (no_children (), "exec: the failed child was reaped");
}

static int
sigpipe_body (void *arg)
{
  cleanup_error lcr_error_t err = NULL;
  struct lcr_spec_hook *h = arg;
  size_t big_len = 1 << 20;
  char *big = xmalloc0 (big_len + 1);
  memset (big, 's', big_len);
  /* SIGPIPE at its default: if we let it through, this child dies of it. */
  signal (SIGPIPE, SIG_DFL);
  int r = lcr_hooks_run (h, 1, "prestart", big, &err);
  free (big);
  sigset_t mask, pending;
  sigprocmask (SIG_SETMASK, NULL, &mask);
  sigpending (&pending);
  if (r != 0)
    return 10;
  if (sigismember (&mask, SIGPIPE))
    return 11; /* mask not restored */
  if (sigismember (&pending, SIGPIPE))
    return 12; /* our SIGPIPE left pending */
  return 0;
}

static int
in_child (int (*fn) (void *), void *arg)
{
  fflush (stdout);
  pid_t pid = fork ();
  if (pid < 0)
    abort ();
  if (pid == 0)
    _exit (fn (arg));
  int status;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

static void
test_unread_stdin (void)
{
  /* Closes its stdin and lingers, so our write certainly meets EPIPE. */
  cleanup_free char *p = script ("deaf.sh", "exec 0<&-\n/bin/sleep 0.3\nexit 0");
  struct lcr_spec_hook h = hook (p, NULL);
  double t0 = now_s ();
  is_int (in_child (sigpipe_body, &h), 0,
          "stdin unread: 1 MiB to a hook that closes stdin: no SIGPIPE death (141 = "
          "killed by it), mask restored, nothing left pending");
  ok (now_s () - t0 < 5, "stdin unread: no hang");

  /* Exits at once without reading. */
  cleanup_free char *p2 = script ("deaf2.sh", "exit 0");
  struct lcr_spec_hook h2 = hook (p2, NULL);
  is_int (in_child (sigpipe_body, &h2), 0, "stdin unread: a hook that exits at once without reading");
}

static void
test_isolation (void)
{
  cleanup_error lcr_error_t err = NULL;
  cleanup_free char *out = tpath ("iso.out");
  cleanup_free char *p = script ("iso.sh",
                                 /* builtins only: dash blocks every signal around its own
                                    forks, so the mask must be read before any */
                                 "while read -r k v; do case $k in SigBlk:|SigIgn:) echo \"$k $v\";; esac; done "
                                 "< /proc/$$/status > \"$1\"\n"
                                 "if [ -e /proc/$$/fd/57 ]; then echo leaked; else echo clean; fi >> \"$1\"");
  char *args[] = {"iso", out, NULL};
  struct lcr_spec_hook h = hook (p, args);

  /* An fd without O_CLOEXEC, a blocked and an ignored signal: none of them
     may reach a hook. */
  int fd = open ("/dev/null", O_RDONLY);
  dup2 (fd, 57);
  close (fd);
  sigset_t usr2, saved;
  sigemptyset (&usr2);
  sigaddset (&usr2, SIGUSR2);
  sigprocmask (SIG_BLOCK, &usr2, &saved);
  signal (SIGUSR1, SIG_IGN);

  is_int (run (&h, 1, "prestart", "{}", &err), 0, "isolation: hook runs (%s)", err_msg (err));

  close (57);
  sigprocmask (SIG_SETMASK, &saved, NULL);
  signal (SIGUSR1, SIG_DFL);

  cleanup_free char *got = slurp ("iso.out", NULL);
  ok (contains (got, "clean\n"), "isolation: our fds are closed in the hook");
  ok (contains (got, "SigBlk: 0000000000000000\n"), "isolation: the hook's signal mask is empty");
  ok (contains (got, "SigIgn: 0000000000000000\n"), "isolation: no signal is ignored in the hook");
}

static void
test_daemon_keeps_pipe (void)
{
  /* A hook that leaves a process holding its stdout: we return when the
     hook exits, not when the pipe closes. */
  cleanup_error lcr_error_t err = NULL;
  cleanup_free char *pidfile = tpath ("daemon.pid");
  cleanup_free char *p = script ("daemon.sh", "/bin/sleep 30 &\necho $! > \"$1\"\necho spawned\nexit 0");
  char *args[] = {"daemon", pidfile, NULL};
  struct lcr_spec_hook h = hook (p, args);
  rm ("daemon.pid");
  double t0 = now_s ();
  is_int (run (&h, 1, "poststart", "{}", &err), 0, "daemon: hook succeeds (%s)", err_msg (err));
  ok (now_s () - t0 < 5, "daemon: we did not wait for the pipe's last writer (%.2fs)", now_s () - t0);
  cleanup_free char *pidtext = slurp ("daemon.pid", NULL);
  long long pid = 0;
  if (pidtext && (pidtext[strcspn (pidtext, "\n")] = '\0', lcr_parse_long (pidtext, &pid) == 0) && pid > 1)
    kill ((pid_t)pid, SIGKILL);
}

int
main (void)
{
  alarm (90); /* a hang is a failure too */
  if (mkdtemp (tmp) == NULL)
    {
      printf ("Bail out! mkdtemp: %s\n", strerror (errno));
      return 1;
    }

  test_no_hooks ();
  test_stdin ();
  test_args ();
  test_env ();
  test_order_and_first_failure ();
  test_output_tail ();
  test_timeout ();
  test_signal ();
  test_exec_failure ();
  test_unread_stdin ();
  test_isolation ();
  test_daemon_keeps_pipe ();

  cleanup_error lcr_error_t err = NULL;
  lcr_rm_rf_at (AT_FDCWD, tmp, &err);
  return done_testing ();
}
