/* TEMPORARY: stand-ins for the image store, create flags, spec builder and volumes while they
   are written elsewhere; removed as each lands. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/stat.h>

#include "container/create.h"
#include "container/spec.h"
#include "image/image.h"
#include "../../libcrun/spec.h"
#include "store/store.h"
#include "volume/volume.h"

int
dock_image_resolve (struct dock_ctx *ctx, const char *ref, struct dock_image **out, lcr_error_t *err)
{
  if (strncmp (ref, "busybox", 7) != 0)
    return lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "No such image: %s", ref);
  cleanup_free char *dir = dock_path (ctx, "tmpimg");
  cleanup_free char *rootfs = dock_path (ctx, "tmpimg/rootfs");
  if (access (rootfs, F_OK) < 0)
    {
      cleanup_free char *cmd = NULL;
      xasprintf (&cmd, "sh /work/main/tests/make-bundle.sh %s true >/dev/null", dir);
      if (system (cmd) != 0)
        return lcr_error_invalid (err, "make-bundle failed");
    }
  struct dock_image *i = xmalloc0 (sizeof *i);
  strcpy (i->id, "sha256:0000000000000000000000000000000000000000000000000000000000000000");
  i->ref = xstrdup ("busybox:latest");
  const char *cfg = "{\"config\":{\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"],"
                    "\"Cmd\":[\"sh\"]}}";
  i->config = jv_parse (cfg, strlen (cfg), "cfg", err);
  i->layer_dirs = xmalloc0 (2 * sizeof (char *));
  i->layer_dirs[0] = xstrdup (rootfs);
  i->n_layers = 1;
  *out = i;
  return 0;
}

void
dock_image_free (struct dock_image *img)
{
  free (img->ref);
  jv_free (img->config);
  for (size_t i = 0; img->layer_dirs && img->layer_dirs[i]; i++)
    free (img->layer_dirs[i]);
  free (img->layer_dirs);
  free (img);
}

char *
dock_ref_normalize (const char *ref, lcr_error_t *err)
{
  (void)err;
  return xstrdup (ref);
}

char *
dock_ref_familiar (const char *n)
{
  return xstrdup (n);
}

jv
dock_image_inspect_json (struct dock_ctx *ctx, const char *ref, lcr_error_t *err)
{
  (void)ctx;
  lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "No such image: %s", ref);
  return NULL;
}

int
dock_create_parse (int argc, char **argv, bool is_run, struct dock_create_req *req, lcr_error_t *err)
{
  (void)is_run;
  req->config = jv_obj ();
  req->host_config = jv_obj ();
  req->sig_proxy = true;
  int i = 1;
  jv env = jv_set (req->config, "Env", jv_arr ());
  for (; i < argc && argv[i][0] == '-'; i++)
    {
      const char *a = argv[i];
      if (strcmp (a, "--name") == 0)
        req->name = xstrdup (argv[++i]);
      else if (strcmp (a, "-e") == 0)
        jv_push (env, jv_str (argv[++i]));
      else if (strcmp (a, "--rm") == 0)
        jv_set (req->host_config, "AutoRemove", jv_bool (true));
      else if (strcmp (a, "--restart") == 0)
        {
          jv rp = jv_set (req->host_config, "RestartPolicy", jv_obj ());
          jv_set (rp, "Name", jv_str (argv[++i]));
        }
      else if (strcmp (a, "--network") == 0)
        jv_set (req->host_config, "NetworkMode", jv_str (argv[++i]));
      else
        for (const char *p = a + 1; *p; p++)
          {
            if (*p == 'd')
              req->detach = true;
            else if (*p == 'i')
              jv_set (req->config, "OpenStdin", jv_bool (true));
            else if (*p == 't')
              jv_set (req->config, "Tty", jv_bool (true));
            else
              return lcr_error_invalid (err, "stub: unknown flag %s", a);
          }
    }
  if (i >= argc)
    return lcr_error_invalid (err, "stub: no image");
  req->image = xstrdup (argv[i++]);
  if (i < argc)
    jv_set (req->config, "Cmd", jv_arr_of_strv (argv + i, argc - i));
  return 0;
}

void
dock_create_req_release (struct dock_create_req *req)
{
  jv_free (req->config);
  jv_free (req->host_config);
  free (req->name);
  free (req->image);
  free (req->detach_keys);
  free (req->cidfile);
  memset (req, 0, sizeof *req);
}

int
dock_config_merge_image (jv config, jv image_config, lcr_error_t *err)
{
  (void)err;
  if (jv_get_arr (config, "Cmd") == NULL)
    jv_set (config, "Cmd", jv_copy (jv_get (image_config, "Cmd")));
  jv env = jv_child_arr (config, "Env");
  jv ienv = jv_get_arr (image_config, "Env");
  for (size_t i = 0; i < jv_len (ienv); i++)
    jv_push (env, jv_copy (ienv->u.array.values[i]));
  return 0;
}

jv
dock_spec_build (const struct dock_spec_in *in, lcr_error_t *err)
{
  cleanup_free char *def = lcr_spec_default_json (false, 0, 0);
  jv s = jv_parse (def, strlen (def), "default", err);
  jv proc = jv_get_obj (s, "process");
  jv_set (proc, "args", jv_copy (jv_get (in->config, "Cmd")));
  jv_set (proc, "env", jv_copy (jv_get (in->config, "Env")));
  jv_set (proc, "terminal", jv_bool (jv_get_bool (in->config, "Tty", false)));
  jv root = jv_get_obj (s, "root");
  jv_set (root, "path", jv_str (in->rootfs));
  jv_set (root, "readonly", jv_bool (false));
  jv_set (s, "hostname", jv_str (jv_get_str (in->config, "Hostname")));
  jv ns = jv_get_arr (jv_get_obj (s, "linux"), "namespaces");
  for (size_t i = 0; i < jv_len (ns); i++)
    if (strcmp (jv_get_str (ns->u.array.values[i], "type"), "network") == 0)
      {
        if (in->netns)
          jv_set (ns->u.array.values[i], "path", jv_str (in->netns));
        else
          jv_remove_at (ns, i);
        break;
      }
  return s;
}

jv
dock_spec_user (const char *rootfs, const char *user, jv group_add, lcr_error_t *err)
{
  (void)rootfs;
  (void)group_add;
  jv u = jv_obj ();
  jv_set (u, "uid", jv_int (atoi (user)));
  jv_set (u, "gid", jv_int (0));
  (void)err;
  return u;
}

jv
dock_spec_all_caps (void)
{
  jv a = jv_arr ();
  jv_push (a, jv_str ("CAP_SYS_ADMIN"));
  return a;
}

