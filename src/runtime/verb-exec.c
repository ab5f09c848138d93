/* berth — exec, ps. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "utils.h"
#include "verbs.h"

int
verb_exec (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err)
{
  struct lcr_exec_opts o = {0};
  const char *ignored = NULL;
  const struct flag_def defs[] = {
      {"process", 'p', FLAG_STRING, &o.process_file, "FILE", "process.json to run (the command line is ignored)"},
      {"tty", 't', FLAG_BOOL, &o.tty, NULL, "give the process a terminal"},
      {"console-socket", 0, FLAG_STRING, &o.console_socket, "PATH", "unix socket that receives the pty master"},
      {"detach", 'd', FLAG_BOOL, &o.detach, NULL, "start the process and return"},
      {"pid-file", 0, FLAG_STRING, &o.pid_file, "PATH", "write the process's pid to PATH"},
      {"env", 'e', FLAG_STRING_LIST, &o.env, "NAME=VALUE", "set an environment variable (repeatable)"},
      {"cwd", 0, FLAG_STRING, &o.cwd, "DIR", "working directory in the container"},
      {"user", 'u', FLAG_STRING, &o.user, "UID[:GID]", "user (and group) to run as"},
      {"additional-gids", 'g', FLAG_STRING_LIST, &o.additional_gids, "GID", "an extra group (repeatable)"},
      {"cap", 'c', FLAG_STRING_LIST, &o.caps, "CAP", "add a capability (repeatable)"},
      {"no-new-privs", 0, FLAG_BOOL, &o.no_new_privs, NULL, "set no_new_privs"},
      {"preserve-fds", 0, FLAG_INT, &o.preserve_fds, "N", "pass N extra fds (from fd 3) into the process"},
      {"process-label", 0, FLAG_STRING, &ignored, "LABEL", NULL},
      {"apparmor", 0, FLAG_STRING, &ignored, "PROFILE", NULL},
      {"cgroup", 0, FLAG_STRING_LIST, &o.cgroups, "[CONTROLLER:]PATH",
       "run the process in this existing sub-cgroup of the container (repeatable)"},
      {"ignore-paused", 0, FLAG_BOOL, &o.ignore_paused, NULL, "allow exec into a paused container"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  int pos, status, r = verb_args (argc, argv, defs, "[flags] CONTAINER-ID [COMMAND [ARG...]]", 1, -1, &pos, err);
  if (r != 0)
    {
      free (o.env), free (o.additional_gids), free (o.caps), free (o.cgroups);
      return r < 0 ? -1 : 0;
    }
  o.args = argv + pos + 1;
  r = lcr_container_exec (ctx, argv[pos], &o, &status, err);
  free (o.env), free (o.additional_gids), free (o.caps), free (o.cgroups);
  if (r < 0)
    return VERB_FAIL_255;
  return o.detach ? 0 : status;
}

int
verb_ps (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err)
{
  const char *format = "table";
  const struct flag_def defs[] = {
      {"format", 'f', FLAG_STRING, &format, "table|json", "output format (default table)"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  int pos, r = verb_args (argc, argv, defs, "[flags] CONTAINER-ID [PS-OPTIONS...]", 1, -1, &pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (strcmp (format, "table") != 0 && strcmp (format, "json") != 0)
    return lcr_error_invalid (err, "ps: --format: `%s` is neither table nor json", format);
  pid_t *pids = NULL;
  size_t n = 0;
  if (lcr_container_pids (ctx, argv[pos], &pids, &n, err) < 0)
    return -1;
  if (strcmp (format, "json") == 0)
    {
      printf ("[");
      for (size_t i = 0; i < n; i++)
        printf ("%s%d", i ? "," : "", pids[i]);
      printf ("]\n");
      free (pids);
      return 0;
    }
  /* table: the host's ps, filtered to the container's pids (as runc does) */
  cleanup_free char *cmd = xstrdup ("ps");
  for (int i = pos + 1; i < argc; i++)
    {
      char *next;
      xasprintf (&next, "%s '%s'", cmd, argv[i]);
      free (cmd);
      cmd = next;
    }
  if (pos + 1 >= argc)
    {
      free (cmd);
      cmd = xstrdup ("ps -ef");
    }
  FILE *f = popen (cmd, "r");
  if (f == NULL)
    {
      free (pids);
      return lcr_error_sys (err, "ps: run `%s`", cmd);
    }
  char line[4096];
  int pid_col = -1;
  while (fgets (line, sizeof line, f))
    {
      if (pid_col < 0)
        {
          /* find the PID column in the header */
          char copy[4096];
          strcpy (copy, line);
          int col = 0;
          for (char *t = strtok (copy, " \t\n"); t; t = strtok (NULL, " \t\n"), col++)
            if (strcmp (t, "PID") == 0)
              pid_col = col;
          fputs (line, stdout);
          if (pid_col < 0)
            {
              pclose (f);
              free (pids);
              return lcr_error_invalid (err, "ps: no PID column in `%s`'s output", cmd);
            }
          continue;
        }
      char copy[4096];
      strcpy (copy, line);
      int col = 0;
      long pid = -1;
      for (char *t = strtok (copy, " \t\n"); t; t = strtok (NULL, " \t\n"), col++)
        if (col == pid_col)
          pid = strtol (t, NULL, 10);
      for (size_t i = 0; i < n; i++)
        if (pids[i] == pid)
          fputs (line, stdout);
    }
  free (pids);
  int st = pclose (f);
  if (st != 0)
    return lcr_error_invalid (err, "ps: `%s` failed (exit %d)", cmd, WIFEXITED (st) ? WEXITSTATUS (st) : -1);
  return 0;
}
