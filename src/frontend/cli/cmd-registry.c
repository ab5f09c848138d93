/* dock — pull, push, login, logout (dock-archive only: registry/registry.h says why). */
#define _GNU_SOURCE
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "registry/registry.h"

DOCK_CMD (dock_cmd_pull)
{
  struct dock_pull_opts o = {0};
  bool tls_verify = true;
  const struct dock_opt opts[] = {
      {"all-tags", 'a', DOCK_OPT_BOOL, &o.all_tags, "Download all tagged images in the repository", NULL},
      {"disable-content-trust", 0, DOCK_OPT_BOOL, &tls_verify, "Skip image verification (default true)", NULL},
      {"platform", 0, DOCK_OPT_STR, &o.platform, "Set platform if server is multi-platform capable", "string"},
      {"quiet", 'q', DOCK_OPT_BOOL, &o.quiet, "Suppress verbose output", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const struct dock_cmd_usage u
      = {"dock pull [OPTIONS] NAME[:TAG|@DIGEST]", "Download an image from a registry", true, 1, 1};
  int first;
  lcr_error_t err = NULL;
  int r = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (r != 0)
    return r > 0 ? 0 : dock_fail (&err);
  if (dock_registry_pull (ctx, argv[first], &o, stdout, &err) < 0)
    return dock_fail (&err);
  return 0;
}

DOCK_CMD (dock_cmd_push)
{
  bool quiet = false, all = false, trust = true;
  const struct dock_opt opts[] = {
      {"all-tags", 'a', DOCK_OPT_BOOL, &all, "Push all tags of an image to the repository", NULL},
      {"disable-content-trust", 0, DOCK_OPT_BOOL, &trust, "Skip image signing (default true)", NULL},
      {"quiet", 'q', DOCK_OPT_BOOL, &quiet, "Suppress verbose output", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const struct dock_cmd_usage u = {"dock push [OPTIONS] NAME[:TAG]", "Upload an image to a registry", true, 1, 1};
  int first;
  lcr_error_t err = NULL;
  int r = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (r != 0)
    return r > 0 ? 0 : dock_fail (&err);
  if (all)
    return dock_failf ("push --all-tags is not supported yet: push each tag");
  if (dock_registry_push (ctx, argv[first], quiet, stdout, &err) < 0)
    return dock_fail (&err);
  return 0;
}

/* a line from stdin, the newline dropped; the echo off on a terminal when `secret` */
static char *
read_line (const char *prompt, bool secret)
{
  struct termios old, t;
  bool tty = isatty (0);
  if (tty && prompt)
    {
      fputs (prompt, stderr);
      fflush (stderr);
    }
  if (tty && secret && tcgetattr (0, &old) == 0)
    {
      t = old;
      t.c_lflag &= ~(tcflag_t)ECHO;
      tcsetattr (0, TCSANOW, &t);
    }
  else
    secret = false;
  char *line = NULL;
  size_t cap = 0;
  ssize_t n = getline (&line, &cap, stdin);
  if (secret)
    {
      tcsetattr (0, TCSANOW, &old);
      fputc ('\n', stderr);
    }
  if (n < 0)
    {
      free (line);
      return NULL;
    }
  while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
    line[--n] = '\0';
  return line;
}

DOCK_CMD (dock_cmd_login)
{
  const char *user = NULL, *pass = NULL;
  bool pass_stdin = false;
  const struct dock_opt opts[] = {
      {"password", 'p', DOCK_OPT_STR, &pass, "Password", "string"},
      {"password-stdin", 0, DOCK_OPT_BOOL, &pass_stdin, "Take the password from stdin", NULL},
      {"username", 'u', DOCK_OPT_STR, &user, "Username", "string"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const struct dock_cmd_usage u = {"dock login [OPTIONS] [SERVER]",
                                   "Log in to a registry.\nIf no server is specified, the default is defined by the "
                                   "daemon.",
                                   true, 0, 1};
  int first;
  lcr_error_t err = NULL;
  int r = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (r != 0)
    return r > 0 ? 0 : dock_fail (&err);
  if (pass && pass_stdin)
    return dock_failf ("--password and --password-stdin are mutually exclusive");
  if (pass_stdin && user == NULL)
    return dock_failf ("Must provide --username with --password-stdin");
  if (pass)
    fprintf (stderr, "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
  cleanup_free char *u_buf = NULL, *p_buf = NULL;
  if (user == NULL)
    {
      if (!isatty (0))
        return dock_failf ("Cannot perform an interactive login from a non TTY device");
      u_buf = read_line ("Username: ", false);
      user = u_buf;
    }
  if (pass == NULL)
    {
      if (!pass_stdin && !isatty (0))
        return dock_failf ("Cannot perform an interactive login from a non TTY device");
      p_buf = read_line (pass_stdin ? NULL : "Password: ", !pass_stdin);
      pass = p_buf;
    }
  if (user == NULL || *user == '\0')
    return dock_failf ("Error: Non-null Username Required");
  if (pass == NULL || *pass == '\0')
    return dock_failf ("Error: Password Required");
  int rc = dock_registry_login (ctx, first < argc ? argv[first] : NULL, user, pass, stdout, &err);
  if (p_buf)
    explicit_bzero (p_buf, strlen (p_buf));
  if (rc < 0)
    return dock_fail (&err);
  return 0;
}

DOCK_CMD (dock_cmd_logout)
{
  const struct dock_opt opts[] = {{NULL, 0, 0, NULL, NULL, NULL}};
  const struct dock_cmd_usage u = {"dock logout [SERVER]",
                                   "Log out from a registry.\nIf no server is specified, the default is defined by "
                                   "the daemon.",
                                   true, 0, 1};
  int first;
  lcr_error_t err = NULL;
  int r = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (r != 0)
    return r > 0 ? 0 : dock_fail (&err);
  if (dock_registry_logout (ctx, first < argc ? argv[first] : NULL, stdout, &err) < 0)
    return dock_fail (&err);
  return 0;
}
