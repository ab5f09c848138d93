/* berth — state, list. */
#define _GNU_SOURCE
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utils.h"
#include "verbs.h"

int
verb_state (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err)
{
  const struct flag_def defs[] = {{NULL, 0, 0, NULL, NULL, NULL}};
  int pos, r = verb_args (argc, argv, defs, "CONTAINER-ID", 1, 1, &pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  cleanup_free char *json = NULL;
  if (lcr_container_state (ctx, argv[pos], &json, err) < 0)
    return -1;
  fputs (json, stdout);
  if (json[0] && json[strlen (json) - 1] != '\n')
    putchar ('\n');
  return 0;
}

/* Owners are nearly always the same one or two users: remember the last
   answer rather than reading /etc/passwd for every container. */
static const char *
owner_name (uid_t uid, char *buf, size_t len)
{
  static uid_t last_uid = (uid_t)-1;
  static char last_name[64];
  if (uid != last_uid)
    {
      struct passwd *pw = getpwuid (uid);
      if (pw)
        snprintf (last_name, sizeof last_name, "%s", pw->pw_name);
      else
        snprintf (last_name, sizeof last_name, "#%u", uid);
      last_uid = uid;
    }
  snprintf (buf, len, "%s", last_name);
  return buf;
}

static void
print_json_list (struct lcr_container_info *c, size_t n)
{
  printf ("[");
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *id = lcr_json_escape (c[i].id);
      cleanup_free char *bundle = lcr_json_escape (c[i].bundle ? c[i].bundle : "");
      cleanup_free char *rootfs = lcr_json_escape (c[i].rootfs ? c[i].rootfs : "");
      char obuf[64];
      cleanup_free char *owner = lcr_json_escape (owner_name (c[i].owner, obuf, sizeof obuf));
      printf ("%s{\"ociVersion\":\"1.0.2\",\"id\":\"%s\",\"pid\":%d,\"status\":\"%s\",\"bundle\":\"%s\","
              "\"rootfs\":\"%s\",\"created\":\"%s\",\"owner\":\"%s\"",
              i ? "," : "", id, c[i].pid, lcr_status_name (c[i].status), bundle, rootfs,
              c[i].created ? c[i].created : "", owner);
      if (c[i].annotations_len)
        {
          printf (",\"annotations\":{");
          for (size_t k = 0; k < c[i].annotations_len; k++)
            {
              cleanup_free char *key = lcr_json_escape (c[i].annotations[k].key);
              cleanup_free char *val = lcr_json_escape (c[i].annotations[k].value);
              printf ("%s\"%s\":\"%s\"", k ? "," : "", key, val);
            }
          printf ("}");
        }
      printf ("}");
    }
  printf ("]\n");
}

static void
print_table (struct lcr_container_info *c, size_t n)
{
  /* columns as wide as their widest cell, like runc's tabwriter */
  int w_id = 2, w_pid = 3, w_status = 6, w_bundle = 6, w_created = 7;
  char pid[32], obuf[64];
  for (size_t i = 0; i < n; i++)
    {
      int l;
      if ((l = strlen (c[i].id)) > w_id)
        w_id = l;
      if ((l = snprintf (pid, sizeof pid, "%d", c[i].pid)) > w_pid)
        w_pid = l;
      if ((l = strlen (lcr_status_name (c[i].status))) > w_status)
        w_status = l;
      if (c[i].bundle && (l = strlen (c[i].bundle)) > w_bundle)
        w_bundle = l;
      if (c[i].created && (l = strlen (c[i].created)) > w_created)
        w_created = l;
    }
  printf ("%-*s   %-*s   %-*s   %-*s   %-*s   %s\n", w_id, "ID", w_pid, "PID", w_status, "STATUS", w_bundle, "BUNDLE",
          w_created, "CREATED", "OWNER");
  for (size_t i = 0; i < n; i++)
    {
      snprintf (pid, sizeof pid, "%d", c[i].pid);
      printf ("%-*s   %-*s   %-*s   %-*s   %-*s   %s\n", w_id, c[i].id, w_pid, pid, w_status,
              lcr_status_name (c[i].status), w_bundle, c[i].bundle ? c[i].bundle : "", w_created,
              c[i].created ? c[i].created : "", owner_name (c[i].owner, obuf, sizeof obuf));
    }
}

int
verb_list (struct lcr_context *ctx, int argc, char **argv, lcr_error_t *err)
{
  const char *format = "table";
  bool quiet = false;
  const struct flag_def defs[] = {
      {"format", 'f', FLAG_STRING, &format, "table|json", "output format (default table)"},
      {"quiet", 'q', FLAG_BOOL, &quiet, NULL, "print only the container IDs"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  int pos, r = verb_args (argc, argv, defs, "[flags]", 0, 0, &pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (strcmp (format, "table") != 0 && strcmp (format, "json") != 0)
    return lcr_error_invalid (err, "list: --format: `%s` is neither table nor json", format);
  struct lcr_container_info *c = NULL;
  size_t n = 0;
  if (lcr_container_list (ctx, &c, &n, err) < 0)
    return -1;
  if (quiet)
    for (size_t i = 0; i < n; i++)
      puts (c[i].id);
  else if (strcmp (format, "json") == 0)
    print_json_list (c, n);
  else
    print_table (c, n);
  lcr_container_info_free (c, n);
  return 0;
}
