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
