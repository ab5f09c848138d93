/* dock build — RUN: the command as a container of the previous step's image, started through the
 * same create/start/attach/wait path as `dock run`, its changes committed as the step's layer. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build/build-internal.h"
#include "container/attach.h"
#include "container/changes.h"
#include "container/create.h"
#include "container/lifecycle.h"
#include "container/record.h"
#include "store/store.h"

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

static bool
env_has (jv env, const char *name)
{
  size_t nl = strlen (name);
  for (size_t i = 0; i < jv_len (env); i++)
    {
      const char *e = jv_as_str (env->u.array.values[i]);
      if (e && strncmp (e, name, nl) == 0 && e[nl] == '=')
        return true;
    }
  return false;
}

char **
build_run_env (struct builder *b, char **args_text)
{
  jv env = jv_get_arr (jv_get_obj (b->cfg, "config"), "Env");
  size_t n = jv_len (env) + jv_len (b->args) + jv_len (b->build_args) + 1;
  char **v = xmalloc0 (n * sizeof (char *));
  size_t k = 0;
  for (size_t i = 0; i < jv_len (env); i++)
    v[k++] = xstrdup (jv_as_str (env->u.array.values[i]) ?: "");
  /* declared ARGs with a value, that ENV does not override: in the history as "|N k=v" */
  char **hist = xmalloc0 ((jv_len (b->args) + 1) * sizeof (char *));
  size_t nh = 0;
  for (size_t i = 0; i < jv_len (b->args); i++)
    {
      const char *name = b->args->u.object.keys[i];
      const char *val = jv_as_str (b->args->u.object.values[i]);
      if (val == NULL || env_has (env, name))
        continue;
      xasprintf (&v[k++], "%s=%s", name, val);
      xasprintf (&hist[nh++], "%s=%s", name, val);
    }
  /* proxy ARGs need no declaration and stay out of the history */
  static const char *const proxies[] = {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
                                        "ftp_proxy",  "NO_PROXY",   "no_proxy",    "ALL_PROXY",   "all_proxy"};
  for (size_t i = 0; i < sizeof proxies / sizeof proxies[0]; i++)
    {
      const char *val = jv_get_str (b->build_args, proxies[i]);
      if (val && !jv_get (b->args, proxies[i]) && !env_has (env, proxies[i]))
        xasprintf (&v[k++], "%s=%s", proxies[i], val);
    }
  qsort (hist, nh, sizeof (char *), cmp_str);
  *args_text = NULL;
  if (nh)
    {
      size_t len = 16;
      for (size_t i = 0; i < nh; i++)
        len += strlen (hist[i]) + 1;
      char *t = xmalloc0 (len);
      sprintf (t, "|%zu", nh);
      for (size_t i = 0; i < nh; i++)
        {
          strcat (t, " ");
          strcat (t, hist[i]);
        }
      strcat (t, " ");
      *args_text = t;
    }
  for (size_t i = 0; i < nh; i++)
    free (hist[i]);
  free (hist);
  return v;
}

/* the shell-form text of a RUN, with its heredocs: `RUN <<EOF` alone runs the body as the
   script; otherwise the heredocs follow the command, as a shell reads them */
static bool
heredoc_alone (const struct dock_df_inst *in)
{
  if (in->nheredocs != 1)
    return false;
  const char *rest = in->rest ?: "";
  const char *r = rest + strspn (rest, " \t");
  size_t wl = strcspn (r, " \t");
  return strncmp (r, "<<", 2) == 0 && r[wl + strspn (r + wl, " \t")] == '\0';
}

static char *
shell_text (const struct dock_df_inst *in)
{
  const char *rest = in->rest ?: "";
  if (in->nheredocs == 0)
    return xstrdup (rest);
  if (heredoc_alone (in))
    return xstrdup (in->heredocs[0].body ?: "");
  size_t len = strlen (rest) + 2;
  for (size_t i = 0; i < in->nheredocs; i++)
    len += strlen (in->heredocs[i].body ?: "") + strlen (in->heredocs[i].name ?: "") + 2;
  char *t = xmalloc0 (len);
  strcpy (t, rest);
  strcat (t, "\n");
  for (size_t i = 0; i < in->nheredocs; i++)
    {
      strcat (t, in->heredocs[i].body ?: "");
      strcat (t, in->heredocs[i].name ?: "");
      strcat (t, "\n");
    }
  return t;
}

static char *
join (char *const *v, size_t n)
{
  size_t len = 1;
  for (size_t i = 0; i < n; i++)
    len += strlen (v[i]) + 1;
  char *s = xmalloc0 (len);
  for (size_t i = 0; i < n; i++)
    {
      if (i)
        strcat (s, " ");
      strcat (s, v[i]);
    }
  return s;
}

/* Run the container to its end with its output on ours; *code gets its status. */
static int
run_container (struct builder *b, char **argv, int argc, int *code, lcr_error_t *err)
{
  struct dock_create_req req = {0};
  if (dock_create_parse (argc, argv, true, &req, err) != 0)
    {
      dock_create_req_release (&req);
      return -1;
    }
  char id[65];
  int r = dock_container_create (b->ctx, &req, id, err);
  dock_create_req_release (&req);
  if (r < 0)
    return -1;
  fprintf (b->out, " ---> Running in %.12s\n", id);
  fflush (b->out);
  int afd = -1;
  r = dock_container_start (b->ctx, id, &afd, err);
  if (r == 0)
    {
      /* the step's output goes where the build's goes: stdout (docker's classic builder
         shows both streams there), or nowhere with -q */
      fflush (stdout);
      fflush (stderr);
      int save1 = dup (1), save2 = dup (2);
      int target = b->o->quiet ? open ("/dev/null", O_WRONLY | O_CLOEXEC) : dup (1);
      dup2 (target, 1);
      dup2 (target, 2);
      close (target);
      struct dock_attach_opts ao = {.sig_proxy = true, .container_id = id};
      r = dock_attach_proxy (b->ctx, afd, &ao, err);
      close (afd);
      fflush (stdout);
      dup2 (save1, 1);
      dup2 (save2, 2);
      close (save1);
      close (save2);
      if (r >= 0)
        r = dock_container_wait (b->ctx, id, -1, code, err);
    }
  if (r == 0)
    {
      /* the layer, before the container goes */
      cleanup_jv jv rec = dock_record_load (b->ctx, id, err);
      if (rec == NULL)
        r = -1;
      else if (*code == 0)
        {
          cleanup_free char *tmp = dock_path (b->ctx, "build-layer-XXXXXX");
          int fd = mkostemp (tmp, O_CLOEXEC);
          if (fd < 0)
            r = lcr_error_sys (err, "a temporary file for the layer");
          else
            {
              r = dock_changes_tar (rec, fd, err);
              close (fd);
              if (r == 0)
                b->run_layer = steal_pointer (&tmp);
              else
                unlink (tmp);
            }
        }
    }
  cleanup_error lcr_error_t e2 = NULL;
  dock_container_remove (b->ctx, id, true, true, &e2);
  if (r == 0)
    fprintf (b->out, "Removing intermediate container %.12s\n", id);
  return r;
}

int
build_run (struct builder *b, const struct dock_df_inst *in, lcr_error_t *err)
{
  char **cmd = NULL;
  size_t ncmd = 0;
  if (in->json)
    {
      ncmd = in->nargs;
      cmd = xmalloc0 ((ncmd + 1) * sizeof (char *));
      for (size_t i = 0; i < ncmd; i++)
        cmd[i] = xstrdup (in->args[i]);
    }
  else
    {
      cleanup_jv jv sh = build_shell (b);
      ncmd = jv_len (sh) + 1;
      cmd = xmalloc0 ((ncmd + 1) * sizeof (char *));
      for (size_t i = 0; i < jv_len (sh); i++)
        cmd[i] = xstrdup (jv_as_str (sh->u.array.values[i]) ?: "");
      cmd[ncmd - 1] = shell_text (in);
    }
  cleanup_free char *args_text = NULL;
  char **env = build_run_env (b, &args_text);
  cleanup_free char *cmdline = join (cmd, ncmd);
  cleanup_free char *created_by = NULL;
  int ret = -1;
  /* `RUN <<EOF` whose body starts with "#!": the body is a script file, run by its own
     interpreter (as BuildKit does, at /dev/pipes/NAME), not through the shell */
  cleanup_free char *script_dir = NULL;
  cleanup_free char *script_bind = NULL;
  if (!in->json && heredoc_alone (in) && strncmp (in->heredocs[0].body ?: "", "#!", 2) == 0)
    {
      const struct dock_df_heredoc *hd = &in->heredocs[0];
      if (strchr (hd->name, '/'))
        {
          lcr_error_invalid (err, "Dockerfile:%d: invalid heredoc name: %s", in->line, hd->name);
          goto fail_early;
        }
      script_dir = dock_path (b->ctx, "build-heredoc-XXXXXX");
      if (mkdtemp (script_dir) == NULL)
        {
          lcr_error_sys (err, "a temporary directory");
          free (script_dir);
          script_dir = NULL;
          goto fail_early;
        }
      cleanup_free char *path = NULL;
      xasprintf (&path, "%s/%s", script_dir, hd->name);
      cleanup_close int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
      size_t bl = strlen (hd->body);
      if (fd < 0 || write (fd, hd->body, bl) != (ssize_t)bl || fchmod (fd, 0755) < 0)
        {
          lcr_error_sys (err, "write the heredoc `%s`", hd->name);
          goto fail_early;
        }
      for (size_t i = 0; i < ncmd; i++)
        free (cmd[i]);
      ncmd = 1;
      xasprintf (&cmd[0], "/dev/pipes/%s", hd->name);
      cmd[1] = NULL;
      xasprintf (&script_bind, "%s:/dev/pipes:ro", script_dir);
    }
  xasprintf (&created_by, "%s%s", args_text ?: "", cmdline);
  char key[72];
  build_cache_key (b, created_by, NULL, key);
  if (build_cache_get (b, key))
    {
      ret = 0;
      goto out;
    }
  if (*b->cur == '\0')
    {
      lcr_error_invalid (err, "Dockerfile:%d: RUN in an empty image (FROM scratch): nothing to run", in->line);
      goto out;
    }
  {
    size_t nenv = 0;
    while (env[nenv])
      nenv++;
    const char **argv = xmalloc0 ((16 + 2 * nenv + ncmd) * sizeof (char *));
    int argc = 0;
    jv c = jv_get_obj (b->cfg, "config");
    const char *net = b->o->network && strcmp (b->o->network, "default") ? b->o->network : NULL;
    argv[argc++] = "run";
    if (b->o->network == NULL)
      net = "none";
    if (net)
      {
        argv[argc++] = "--network";
        argv[argc++] = net;
      }
    argv[argc++] = "--entrypoint";
    argv[argc++] = "";
    if (script_bind)
      {
        argv[argc++] = "-v";
        argv[argc++] = script_bind;
      }
    const char *user = jv_get_str (c, "User");
    if (user && *user)
      {
        argv[argc++] = "--user";
        argv[argc++] = user;
      }
    const char *wd = jv_get_str (c, "WorkingDir");
    if (wd && *wd)
      {
        argv[argc++] = "--workdir";
        argv[argc++] = wd;
      }
    for (size_t i = 0; i < nenv; i++)
      {
        argv[argc++] = "-e";
        argv[argc++] = env[i];
      }
    argv[argc++] = b->cur;
    for (size_t i = 0; i < ncmd; i++)
      argv[argc++] = cmd[i];
    int code = 0;
    int r = run_container (b, (char **)argv, argc, &code, err);
    free (argv);
    if (r < 0)
      {
        lcr_error_wrap (err, "Dockerfile:%d: RUN", in->line);
        goto out;
      }
    if (code != 0)
      {
        lcr_error_make (err, 0, LCR_ERR_INVALID, "The command '%s' returned a non-zero code: %d", cmdline, code);
        goto out;
      }
  }
  ret = build_commit (b, created_by, b->run_layer, key, err);
  goto out;
fail_early:
  ret = -1;
out:
  if (script_dir)
    build_rmtree (script_dir);
  if (b->run_layer)
    {
      unlink (b->run_layer);
      free (b->run_layer);
      b->run_layer = NULL;
    }
  for (size_t i = 0; env[i]; i++)
    free (env[i]);
  free (env);
  for (size_t i = 0; i < ncmd; i++)
    free (cmd[i]);
  free (cmd);
  return ret;
}
