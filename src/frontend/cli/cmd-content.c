/* dock — a container's file system as a whole: diff, export, commit. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "container/create.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "container/changes.h"
#include "container/copy.h"
#include "container/fstree.h"
#include "container/lifecycle.h"
#include "container/record.h"
#include "image/image.h"
#include "store/store.h"

/* ------------------------------------------------------------------ diff */

DOCK_CMD (dock_cmd_diff)
{
  const struct dock_opt opts[] = {{NULL, 0, 0, NULL, NULL, NULL}};
  static const struct dock_cmd_usage u
      = {"dock diff CONTAINER", "Inspect changes to files or directories on a container's filesystem", true, 1, 1};
  lcr_error_t err = NULL;
  int first;
  int p = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (p != 0)
    return p > 0 ? 0 : dock_fail (&err);
  char id[65];
  if (dock_record_find (ctx, argv[first], id, &err) < 0)
    return dock_fail (&err);
  cleanup_jv jv rec = dock_record_load (ctx, id, &err);
  if (rec == NULL)
    return dock_fail (&err);
  cleanup_jv jv changes = dock_changes_list (rec, &err);
  if (changes == NULL)
    return dock_fail (&err);
  static const char kinds[] = "CAD";
  for (size_t i = 0; i < jv_len (changes); i++)
    {
      jv c = changes->u.array.values[i];
      long long k = jv_get_int (c, "Kind", 0);
      printf ("%c %s\n", kinds[k >= 0 && k < 3 ? k : 0], jv_get_str (c, "Path"));
    }
  return 0;
}

/* ------------------------------------------------------------------ export */

DOCK_CMD (dock_cmd_export)
{
  const char *output = NULL;
  const struct dock_opt opts[] = {
      {"output", 'o', DOCK_OPT_STR, &output, "Write to a file, instead of STDOUT", "string"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  static const struct dock_cmd_usage u
      = {"dock export [OPTIONS] CONTAINER", "Export a container's filesystem as a tar archive", true, 1, 1};
  lcr_error_t err = NULL;
  int first;
  int p = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (p != 0)
    return p > 0 ? 0 : dock_fail (&err);
  if (output == NULL && isatty (1))
    return dock_failf ("cowardly refusing to save to a terminal. Use the -o flag or redirect");
  cleanup_close int fd = -1;
  if (output)
    {
      fd = open (output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0)
        return dock_failf ("failed to export container: open %s: %s", output, strerror (errno));
    }
  /* the merged tree without the volumes (docker exports the container's own file system) */
  struct dock_ctr_fs fs;
  if (dock_ctr_fs_open (ctx, argv[first], false, &fs, &err) < 0)
    return dock_fail (&err);
  cleanup_sink struct dock_sink *sink = dock_tar_sink_new (fd >= 0 ? fd : 1, true);
  int r = dock_tree_walk (fs.rootfd, ".", ".", NULL, sink, &err);
  if (r == 0)
    r = sink->finish (sink, &err);
  dock_ctr_fs_close (ctx, &fs);
  if (r < 0)
    {
      if (output)
        unlink (output);
      return dock_fail (&err);
    }
  return 0;
}

/* ------------------------------------------------------------------ commit */

/* A JSON array ("[\"a\", \"b\"]") as it is, or a shell form wrapped as /bin/sh -c */
static jv
exec_or_shell (const char *v, lcr_error_t *err)
{
  while (*v == ' ')
    v++;
  if (*v == '[')
    {
      jv a = jv_parse (v, strlen (v), "the change's JSON array", err);
      if (a && a->type != yajl_t_array)
        {
          jv_free (a);
          lcr_error_invalid (err, "not a JSON array: %s", v);
          return NULL;
        }
      return a;
    }
  jv a = jv_arr ();
  jv_push (a, jv_str ("/bin/sh"));
  jv_push (a, jv_str ("-c"));
  jv_push (a, jv_str (v));
  return a;
}

/* "k=v k2=v2" or (one pair) "k v": calls fn for each pair */
static int
each_pair (const char *v, void (*fn) (jv, const char *, const char *), jv target, lcr_error_t *err)
{
  cleanup_free char *dup = xstrdup (v);
  char *s = dup;
  while (*s == ' ')
    s++;
  char *eq = strchr (s, '='), *sp = strchr (s, ' ');
  if (eq == NULL || (sp && sp < eq))
    {
      /* the old form: one key, the rest is its value */
      if (sp == NULL)
        return lcr_error_invalid (err, "missing a value in `%s`", v);
      *sp = '\0';
      fn (target, s, sp + 1 + strspn (sp + 1, " "));
      return 0;
    }
  while (*s)
    {
      char *key = s;
      char *e = strchr (key, '=');
      if (e == NULL)
        return lcr_error_invalid (err, "missing '=' in `%s`", key);
      *e = '\0';
      char *val = e + 1, *w = val, *r = val;
      /* a value may be quoted: "a b" */
      char q = 0;
      for (; *r && (q || *r != ' '); r++)
        {
          if ((*r == '"' || *r == '\'') && (q == 0 || q == *r))
            q = q ? 0 : *r;
          else if (*r == '\\' && r[1])
            *w++ = *++r;
          else
            *w++ = *r;
        }
      bool end = *r == '\0';
      *w = '\0';
      fn (target, key, val);
      if (end)
        break;
      s = r + 1;
      while (*s == ' ')
        s++;
    }
  return 0;
}

static void
set_label (jv config, const char *k, const char *v)
{
  jv_set (jv_child_obj (config, "Labels"), k, jv_str (v));
}

/* One -c change, Dockerfile syntax: CMD ENTRYPOINT ENV EXPOSE LABEL ONBUILD STOPSIGNAL USER
   VOLUME WORKDIR (docker's list) */
static int
apply_change (jv config, const char *change, lcr_error_t *err)
{
  const char *s = change + strspn (change, " \t");
  size_t kl = strcspn (s, " \t");
  cleanup_free char *kw = strndup (s, kl);
  for (char *p = kw; *p; p++)
    *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
  const char *v = s + kl + strspn (s + kl, " \t");
  if (strcmp (kw, "CMD") == 0 || strcmp (kw, "ENTRYPOINT") == 0)
    {
      jv a = exec_or_shell (v, err);
      if (a == NULL)
        return -1;
      jv_set (config, kw[0] == 'C' ? "Cmd" : "Entrypoint", a);
      return 0;
    }
  if (strcmp (kw, "ENV") == 0)
    return each_pair (v, dock_config_env_set, config, err);
  if (strcmp (kw, "LABEL") == 0)
    return each_pair (v, set_label, config, err);
  if (strcmp (kw, "EXPOSE") == 0 || strcmp (kw, "VOLUME") == 0)
    {
      jv target = jv_child_obj (config, kw[0] == 'E' ? "ExposedPorts" : "Volumes");
      cleanup_jv jv list = NULL;
      if (*v == '[')
        {
          list = jv_parse (v, strlen (v), "the change's JSON array", err);
          if (list == NULL)
            return -1;
        }
      else
        {
          cleanup_free char *dup = xstrdup (v);
          list = jv_arr ();
          char *save = NULL;
          for (char *t = strtok_r (dup, " \t", &save); t; t = strtok_r (NULL, " \t", &save))
            jv_push (list, jv_str (t));
        }
      for (size_t i = 0; i < jv_len (list); i++)
        {
          const char *item = jv_as_str (list->u.array.values[i]);
          if (item == NULL)
            continue;
          cleanup_free char *key = NULL;
          if (kw[0] == 'E' && strchr (item, '/') == NULL)
            xasprintf (&key, "%s/tcp", item);
          jv_set (target, key ? key : item, jv_obj ());
        }
      return 0;
    }
  if (strcmp (kw, "USER") == 0 || strcmp (kw, "WORKDIR") == 0 || strcmp (kw, "STOPSIGNAL") == 0)
    {
      const char *field = kw[0] == 'U' ? "User" : kw[0] == 'W' ? "WorkingDir" : "StopSignal";
      jv_set (config, field, jv_str (v));
      return 0;
    }
  if (strcmp (kw, "ONBUILD") == 0)
    {
      jv_push (jv_child_arr (config, "OnBuild"), jv_str (v));
      return 0;
    }
  return lcr_error_invalid (err, "%s is not a valid change command", kw);
}

static int
commit_image (struct dock_ctx *ctx, jv rec, const char *author, const char *message, struct dock_strlist *changes,
              const char *ref, char id_out[72], lcr_error_t *err)
{
  cleanup_image struct dock_image *base = NULL;
  const char *image = jv_get_str (rec, "Image");
  if (image && *image && dock_image_resolve (ctx, image, &base, err) < 0)
    return lcr_error_wrap (err, "the container's image");
  /* the image config: the base's, with the container's Config and one more history entry */
  cleanup_jv jv cfg = base ? jv_copy (base->config) : jv_obj ();
  cleanup_jv jv config = jv_copy (jv_get_obj (rec, "Config"));
  if (config == NULL)
    config = jv_obj ();
  for (size_t i = 0; i < changes->n; i++)
    if (apply_change (config, changes->v[i], err) < 0)
      return lcr_error_wrap (err, "-c `%s`", changes->v[i]);
  cleanup_free char *now = dock_now_rfc3339 ();
  jv_set (cfg, "created", jv_str (now));
  if (author)
    jv_set (cfg, "author", jv_str (author));
  else
    jv_del (cfg, "author");
  jv_set (cfg, "container", jv_str (dock_record_id (rec)));
  if (jv_get_str (cfg, "architecture") == NULL)
    jv_set (cfg, "architecture", jv_str ("amd64"));
  if (jv_get_str (cfg, "os") == NULL)
    jv_set (cfg, "os", jv_str ("linux"));
  jv_set (cfg, "config", steal_pointer (&config));
  jv h = jv_push (jv_child_arr (cfg, "history"), jv_obj ());
  jv_set (h, "created", jv_str (now));
  if (author)
    jv_set (h, "author", jv_str (author));
  /* docker: the container's command, as it ran */
  {
    jv cmd = jv_path (rec, "Config", "Cmd", NULL);
    size_t len = 1;
    for (size_t i = 0; i < jv_len (cmd); i++)
      len += strlen (jv_as_str (cmd->u.array.values[i]) ?: "") + 1;
    cleanup_free char *by = xmalloc0 (len);
    for (size_t i = 0; i < jv_len (cmd); i++)
      {
        if (i)
          strcat (by, " ");
        strcat (by, jv_as_str (cmd->u.array.values[i]) ?: "");
      }
    jv_set (h, "created_by", jv_str (by));
  }
  if (message)
    {
      jv_set (h, "comment", jv_str (message));
      jv_set (cfg, "comment", jv_str (message));
    }

  /* the layer: the upper dir as a tar, in a temporary file in the store */
  cleanup_free char *tmp = dock_path (ctx, "commit-XXXXXX");
  cleanup_close int tfd = mkostemp (tmp, O_CLOEXEC);
  if (tfd < 0)
    return lcr_error_sys (err, "a temporary file for the layer");
  int r = dock_changes_tar (rec, tfd, err);
  if (r == 0)
    {
      cleanup_free char *text = jv_dump (cfg, false);
      r = dock_image_commit (ctx, base, text, tmp, ref, id_out, err);
    }
  unlink (tmp);
  return r;
}

DOCK_CMD (dock_cmd_commit)
{
  const char *author = NULL, *message = NULL;
  bool pause = true;
  struct dock_strlist changes = {0};
  const struct dock_opt opts[] = {
      {"author", 'a', DOCK_OPT_STR, &author, "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")", "string"},
      {"change", 'c', DOCK_OPT_LIST, &changes, "Apply Dockerfile instruction to the created image", "list"},
      {"message", 'm', DOCK_OPT_STR, &message, "Commit message", "string"},
      {"pause", 'p', DOCK_OPT_BOOL, &pause, "Pause container during commit (default true)", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  static const struct dock_cmd_usage u = {"dock commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
                                          "Create a new image from a container's changes", true, 1, 2};
  lcr_error_t err = NULL;
  int first;
  int p = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (p != 0)
    {
      dock_strlist_free (&changes);
      return p > 0 ? 0 : dock_fail (&err);
    }
  const char *ref = first + 1 < argc ? argv[first + 1] : NULL;
  char id[65], image_id[72] = "";
  int rc = 0;
  cleanup_jv jv rec = NULL;
  if (dock_record_find (ctx, argv[first], id, &err) < 0 || (rec = dock_record_load (ctx, id, &err)) == NULL)
    {
      dock_strlist_free (&changes);
      return dock_fail (&err);
    }
  dock_record_refresh (ctx, rec);
  /* a running container is frozen while its upper dir is read, so the layer is one moment */
  bool paused = false;
  if (pause && strcmp (dock_record_status (rec), "running") == 0)
    {
      if (dock_container_pause (ctx, id, true, &err) < 0)
        {
          dock_strlist_free (&changes);
          return dock_fail (&err);
        }
      paused = true;
    }
  if (commit_image (ctx, rec, author, message, &changes, ref, image_id, &err) < 0)
    rc = -1;
  if (paused)
    {
      lcr_error_t e2 = NULL;
      if (dock_container_pause (ctx, id, false, &e2) < 0)
        {
          if (rc == 0)
            err = e2, rc = -1;
          else
            lcr_error_release (&e2);
        }
    }
  dock_strlist_free (&changes);
  if (rc < 0)
    return dock_fail (&err);
  printf ("%s\n", image_id);
  return 0;
}
