/* dock — `dock push`: the blobs the registry lacks, then the manifest.
 *
 *   HEAD  /v2/NAME/blobs/D                      200: it is there already
 *   POST  /v2/NAME/blobs/uploads/?mount=D&from=OTHER
 *                                               201: mounted from another repository of the same
 *                                               registry (one the image was pulled from or
 *                                               pushed to); 202: an upload, as below
 *   POST  /v2/NAME/blobs/uploads/               202 + Location
 *   PUT   LOCATION?digest=D (the whole blob)    201
 *   PUT   /v2/NAME/manifests/TAG                201
 *
 * The manifest pushed is the one the store keeps, byte for byte, so its digest (the repo
 * digest recorded) is the one the image was pulled or loaded with.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/image.h"
#include "image/imgstore.h"
#include "image/parse.h"
#include "registry/reg-internal.h"
#include "registry/registry.h"
#include "store/store.h"

struct push
{
  struct dock_ctx *ctx;
  struct dock_reg *reg;
  struct dock_ref_parts ref;
  bool quiet;
  FILE *out;
  char **mount_from; /* other repositories of this registry that have the image */
  size_t n_mount;
};

static void say (struct push *p, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
static void
say (struct push *p, const char *fmt, ...)
{
  if (p->quiet)
    return;
  va_list ap;
  va_start (ap, fmt);
  vfprintf (p->out, fmt, ap);
  va_end (ap);
  fflush (p->out);
}

static char *
absolute (struct push *p, const char *loc)
{
  char *u;
  if (strncmp (loc, "http://", 7) == 0 || strncmp (loc, "https://", 8) == 0)
    return xstrdup (loc);
  xasprintf (&u, "%s%s%s", p->reg->base, loc[0] == '/' ? "" : "/", loc);
  return u;
}

static int
upload (struct push *p, const char *digest, const char *location, lcr_error_t *err)
{
  cleanup_free char *file = dock_path (p->ctx, "blobs/sha256/%s", dock_digest_hex (digest));
  cleanup_close int fd = open (file, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat (fd, &st) < 0)
    return lcr_error_sys (err, "blob %s", digest);
  cleanup_free char *base = absolute (p, location);
  cleanup_free char *url = NULL;
  xasprintf (&url, "%s%sdigest=%s", base, strchr (base, '?') ? "&" : "?", digest);
  struct dock_resp r = {0};
  int rc = dock_reg_request (p->reg, "PUT", url, NULL, "application/octet-stream", NULL, 0, fd, st.st_size, &r, err);
  if (rc == 0 && r.status != 201)
    rc = dock_reg_fail (p->reg, "upload a blob", &r, err);
  dock_resp_clear (&r);
  return rc;
}

/* one blob: already there, mounted, or uploaded */
static int
push_blob (struct push *p, const char *digest, bool is_layer, lcr_error_t *err)
{
  char short_id[13];
  snprintf (short_id, sizeof short_id, "%.12s", dock_digest_hex (digest));
  if (is_layer)
    say (p, "%s: Preparing\n", short_id);
  cleanup_free char *path = NULL;
  xasprintf (&path, "/v2/%s/blobs/%s", p->ref.path, digest);
  struct dock_resp r = {0};
  int rc = -1;
  cleanup_free char *location = NULL;
  if (dock_reg_request (p->reg, "HEAD", path, NULL, NULL, NULL, 0, -1, 0, &r, err) < 0)
    return -1;
  if (r.status == 200)
    {
      if (is_layer)
        say (p, "%s: Layer already exists\n", short_id);
      rc = 0;
      goto out;
    }
  for (size_t i = 0; i < p->n_mount && location == NULL; i++)
    {
      cleanup_free char *mpath = NULL;
      char *from = curl_easy_escape (NULL, p->mount_from[i], 0);
      xasprintf (&mpath, "/v2/%s/blobs/uploads/?mount=%s&from=%s", p->ref.path, digest, from);
      curl_free (from);
      if (dock_reg_request (p->reg, "POST", mpath, NULL, NULL, NULL, 0, -1, 0, &r, err) < 0)
        goto out;
      if (r.status == 201)
        {
          if (is_layer)
            say (p, "%s: Mounted from %s\n", short_id, p->mount_from[i]);
          rc = 0;
          goto out;
        }
      if (r.status == 202 && r.location)
        location = xstrdup (r.location);
    }
  if (location == NULL)
    {
      cleanup_free char *upath = NULL;
      xasprintf (&upath, "/v2/%s/blobs/uploads/", p->ref.path);
      if (dock_reg_request (p->reg, "POST", upath, NULL, NULL, NULL, 0, -1, 0, &r, err) < 0)
        goto out;
      if (r.status != 202 || r.location == NULL)
        {
          dock_reg_fail (p->reg, "start an upload", &r, err);
          goto out;
        }
      location = xstrdup (r.location);
    }
  if (is_layer)
    say (p, "%s: Pushing\n", short_id);
  if (upload (p, digest, location, err) < 0)
    goto out;
  if (is_layer)
    say (p, "%s: Pushed\n", short_id);
  rc = 0;
out:
  dock_resp_clear (&r);
  return rc;
}

int
dock_registry_push (struct dock_ctx *ctx, const char *ref, bool quiet, FILE *out, lcr_error_t *err)
{
  struct push p = {.ctx = ctx, .quiet = quiet, .out = out};
  int ret = -1;
  cleanup_jv jv refs = NULL, man = NULL;
  cleanup_free char *mtext = NULL, *scope = NULL, *mpath = NULL, *repo_digest = NULL;
  size_t mlen;
  cleanup_reg struct dock_reg *reg = NULL;
  if (dock_ref_split (ref, &p.ref, err) < 0)
    return -1;
  if (p.ref.tag == NULL)
    {
      lcr_error_invalid (err, "push by digest is not supported: give a tag");
      goto out;
    }
  if ((refs = dock_refs_load (ctx, err)) == NULL)
    goto out;
  const char *id = jv_get_str (jv_get_obj (refs, "refs"), p.ref.norm);
  jv rec = id ? jv_get_obj (jv_get_obj (refs, "images"), id) : NULL;
  if (rec == NULL)
    {
      cleanup_free char *f = dock_ref_familiar (p.ref.norm);
      lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "An image does not exist locally with the tag: %s", f);
      goto out;
    }
  const char *mdigest = jv_get_str (rec, "manifest");
  if (dock_blob_read (ctx, mdigest, &mtext, &mlen, err) < 0)
    goto out;
  if ((man = dock_parse_oci_manifest (mtext, mlen, mdigest, err)) == NULL)
    goto out;
  const char *mt = jv_get_str (man, "mediaType");
  if (mt == NULL)
    mt = jv_get_str (rec, "manifestType");
  if (mt == NULL)
    mt = DOCK_MT_OCI_MANIFEST;
  /* mount candidates: this image's other repositories on the same registry */
  jv rd = jv_get_arr (rec, "repoDigests");
  size_t dl = strlen (p.ref.domain);
  p.mount_from = xmalloc0 ((jv_len (rd) + 1) * sizeof (char *));
  xasprintf (&scope, "repository:%s:pull,push", p.ref.path);
  for (size_t i = 0; i < jv_len (rd); i++)
    {
      const char *s = jv_as_str (rd->u.array.values[i]);
      if (s == NULL || strncmp (s, p.ref.domain, dl) != 0 || s[dl] != '/')
        continue;
      cleanup_free char *repo = strndup (s + dl + 1, strcspn (s + dl + 1, "@"));
      if (strcmp (repo, p.ref.path) == 0)
        continue;
      char *ns;
      xasprintf (&ns, "%s repository:%s:pull", scope, repo);
      free (scope);
      scope = ns;
      p.mount_from[p.n_mount++] = steal_pointer (&repo);
    }
  if (dock_reg_open (p.ref.domain, scope, &reg, err) < 0)
    goto out;
  p.reg = reg;
  say (&p, "The push refers to repository [%s/%s]\n", p.ref.domain, p.ref.path);
  jv layers = jv_get_arr (man, "layers");
  for (size_t i = jv_len (layers); i-- > 0;)
    if (push_blob (&p, jv_get_str (layers->u.array.values[i], "digest"), true, err) < 0)
      goto out;
  if (push_blob (&p, jv_get_str (jv_get (man, "config"), "digest"), false, err) < 0)
    goto out;
  xasprintf (&mpath, "/v2/%s/manifests/%s", p.ref.path, p.ref.tag);
  struct dock_resp r = {0};
  if (dock_reg_request (reg, "PUT", mpath, NULL, mt, mtext, mlen, -1, 0, &r, err) < 0)
    goto out;
  if (r.status != 201)
    {
      dock_reg_fail (reg, "push the manifest", &r, err);
      dock_resp_clear (&r);
      goto out;
    }
  if (r.digest && strcmp (r.digest, mdigest) != 0)
    {
      lcr_error_invalid (err, "the registry stored the manifest as %s, not %s", r.digest, mdigest);
      dock_resp_clear (&r);
      goto out;
    }
  dock_resp_clear (&r);
  say (&p, "%s: digest: %s size: %zu\n", p.ref.tag, mdigest, mlen);
  xasprintf (&repo_digest, "%s/%s@%s", p.ref.domain, p.ref.path, mdigest);
  char idbuf[72];
  snprintf (idbuf, sizeof idbuf, "%s", id);
  if (dock_reg_record (ctx, idbuf, NULL, repo_digest, err) < 0)
    goto out;
  if (quiet)
    fprintf (out, "%s\n", p.ref.norm);
  ret = 0;
out:
  for (size_t i = 0; i < p.n_mount; i++)
    free (p.mount_from[i]);
  free (p.mount_from);
  dock_ref_parts_clear (&p.ref);
  return ret;
}
