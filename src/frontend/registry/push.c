/* dock — `dock push`: the blobs the registry lacks, then the manifest.
 *
 *   HEAD  /v2/NAME/blobs/D                      200: it is there already
 *   POST  /v2/NAME/blobs/uploads/?mount=D&from=OTHER
 *                                               201: mounted from another repository of the same
 *                                               registry (one the image was pulled from or
 *                                               pushed to); 202: an upload, as below
 *   POST  /v2/NAME/blobs/uploads/               202 + Location
 *   PUT   LOCATION?digest=D (the whole blob)    201; or, for a blob bigger than a chunk (32 MiB,
 *                                               DOCK_PUSH_CHUNK_SIZE):
 *   PATCH LOCATION  Content-Range: FIRST-LAST    202 + the next Location, chunk after chunk; a
 *                                               chunk that fails: GET LOCATION (204, Range) says
 *                                               where the upload stands, and it goes on from there
 *                                               (or, when the registry can't say, a new upload)
 *   PUT   LOCATION?digest=D (empty)             201
 *   PUT   /v2/NAME/manifests/TAG                201
 *
 * Blobs go up 5 at a time (docker's max-concurrent-uploads), on threads sharing the registry's
 * auth; the first goes alone, so that it fetches the token the others use.
 * The manifest pushed is the one the store keeps, byte for byte, so its digest (the repo
 * digest recorded) is the one the image was pulled or loaded with.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/image.h"
#include "image/imgstore.h"
#include "image/parse.h"
#include "registry/progress.h"
#include "registry/reg-internal.h"
#include "registry/registry.h"
#include "store/store.h"

#define PUSH_PARALLEL 5               /* docker's max-concurrent-uploads */
#define PUSH_CHUNK_DEFAULT (32 << 20) /* blobs bigger than this go up in chunks */
#define PUSH_CHUNK_ATTEMPTS 5

struct push
{
  struct dock_ctx *ctx;
  struct dock_reg *reg;
  struct dock_ref_parts ref;
  bool quiet;
  FILE *out;
  struct dock_progress *pg;
  char **mount_from; /* other repositories of this registry that have the image */
  size_t n_mount;
  off_t chunk;
  /* the work list, shared by the upload threads */
  pthread_mutex_t lock;
  struct blob_job *jobs;
  size_t n_jobs, next;
  bool failed;
};

struct blob_job
{
  struct push *p;
  const char *digest;
  int line;
  off_t base; /* a chunk's offset, for the progress hook */
  off_t size;
  int rc;
  lcr_error_t err;
};

static char *
absolute (struct push *p, const char *loc)
{
  char *u;
  if (strncmp (loc, "http://", 7) == 0 || strncmp (loc, "https://", 8) == 0)
    return xstrdup (loc);
  xasprintf (&u, "%s%s%s", p->reg->base, loc[0] == '/' ? "" : "/", loc);
  return u;
}

static void
on_progress (void *data, uint64_t sent, uint64_t total)
{
  struct blob_job *j = data;
  (void)total;
  dock_progress_bytes (j->p->pg, j->line, "Pushing", (uint64_t)j->base + sent, (uint64_t)j->size);
}

/* PUT LOCATION?digest=D: with the whole blob (monolithic), or empty after the chunks */
static int
finish_upload (struct push *p, struct blob_job *j, int fd, const char *location, bool whole, lcr_error_t *err)
{
  cleanup_free char *base = absolute (p, location);
  cleanup_free char *url = NULL;
  xasprintf (&url, "%s%sdigest=%s", base, strchr (base, '?') ? "&" : "?", j->digest);
  struct dock_reg_upload u = {.fd = fd, .off = 0, .len = whole ? j->size : 0, .on_progress = on_progress, .data = j};
  struct dock_resp r = {0};
  j->base = 0;
  int rc = dock_reg_upload (p->reg, "PUT", url, &u, &r, err);
  if (rc == 0 && r.status != 201)
    rc = dock_reg_fail (p->reg, "upload a blob", &r, err);
  dock_resp_clear (&r);
  return rc;
}

/* Where an upload stands (GET LOCATION: 204, Range "0-LAST"): the next offset; the new location in *loc. */
static int
upload_offset (struct push *p, char **loc, off_t *next, lcr_error_t *err)
{
  cleanup_free char *url = absolute (p, *loc);
  /* without the location's query: a registry may keep state there (distribution's `_state`)
     that the part it took without telling us has made stale */
  char *q = strchr (url, '?');
  if (q)
    *q = '\0';
  struct dock_resp r = {0};
  int rc = dock_reg_request (p->reg, "GET", url, NULL, NULL, NULL, 0, -1, 0, &r, err);
  if (rc == 0 && r.status != 204)
    rc = dock_reg_fail (p->reg, "ask where an upload stands", &r, err);
  if (rc == 0)
    {
      long long first = 0, last = -1;
      if (r.range && sscanf (r.range, "%lld-%lld", &first, &last) < 1)
        last = -1;
      *next = last + 1;
      if (r.location)
        {
          free (*loc);
          *loc = xstrdup (r.location);
        }
    }
  dock_resp_clear (&r);
  return rc;
}

/* POST …/blobs/uploads/: a new upload's location */
static int
start_upload (struct push *p, char **location, lcr_error_t *err)
{
  cleanup_free char *upath = NULL;
  xasprintf (&upath, "/v2/%s/blobs/uploads/", p->ref.path);
  struct dock_resp r = {0};
  int rc = dock_reg_request (p->reg, "POST", upath, NULL, NULL, NULL, 0, -1, 0, &r, err);
  if (rc == 0 && (r.status != 202 || r.location == NULL))
    rc = dock_reg_fail (p->reg, "start an upload", &r, err);
  if (rc == 0)
    *location = xstrdup (r.location);
  dock_resp_clear (&r);
  return rc;
}

/* PATCH the blob in chunks ("Content-Range: FIRST-LAST"); a chunk that fails is resumed from
   where the registry says the upload stands. */
static int
chunked_upload (struct push *p, struct blob_job *j, int fd, char **location, lcr_error_t *err)
{
  off_t off = 0;
  int failures = 0;
  while (off < j->size)
    {
      off_t n = j->size - off < p->chunk ? j->size - off : p->chunk;
      char range[96];
      snprintf (range, sizeof range, "Content-Range: %lld-%lld", (long long)off, (long long)(off + n - 1));
      struct dock_reg_upload u
          = {.fd = fd, .off = off, .len = n, .header = range, .on_progress = on_progress, .data = j};
      cleanup_free char *url = absolute (p, *location);
      struct dock_resp r = {0};
      lcr_error_t e = NULL;
      j->base = off;
      int rc = dock_reg_upload (p->reg, "PATCH", url, &u, &r, &e);
      if (rc == 0 && r.status == 202 && r.location)
        {
          free (*location);
          *location = xstrdup (r.location);
          off += n;
          dock_resp_clear (&r);
          continue;
        }
      if (++failures >= PUSH_CHUNK_ATTEMPTS)
        {
          if (rc < 0)
            *err = e;
          else
            dock_reg_fail (p->reg, "upload a chunk", &r, err);
          dock_resp_clear (&r);
          return -1;
        }
      lcr_error_release (&e);
      dock_resp_clear (&r);
      dock_reg_backoff (failures);
      /* where the upload stands; a registry that cannot say (distribution refuses once it took
         a part we were not told of) gets a new upload, from the start */
      if (upload_offset (p, location, &off, &e) < 0)
        {
          lcr_error_release (&e);
          free (*location);
          *location = NULL;
          if (start_upload (p, location, err) < 0)
            return -1;
          off = 0;
        }
      if (off > j->size)
        return lcr_error_invalid (err, "the registry holds %lld bytes of blob %s, which has %lld", (long long)off,
                                  j->digest, (long long)j->size);
    }
  return 0;
}

static int
upload (struct push *p, struct blob_job *j, const char *location, lcr_error_t *err)
{
  cleanup_free char *file = dock_path (p->ctx, "blobs/sha256/%s", dock_digest_hex (j->digest));
  cleanup_close int fd = open (file, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat (fd, &st) < 0)
    return lcr_error_sys (err, "blob %s", j->digest);
  j->size = st.st_size;
  if (j->size <= p->chunk)
    return finish_upload (p, j, fd, location, true, err);
  cleanup_free char *loc = xstrdup (location);
  if (chunked_upload (p, j, fd, &loc, err) < 0)
    return -1;
  return finish_upload (p, j, fd, loc, false, err);
}

/* one blob: already there, mounted, or uploaded */
static int
push_blob (struct push *p, struct blob_job *j, lcr_error_t *err)
{
  const char *digest = j->digest;
  cleanup_free char *path = NULL;
  xasprintf (&path, "/v2/%s/blobs/%s", p->ref.path, digest);
  struct dock_resp r = {0};
  int rc = -1;
  cleanup_free char *location = NULL;
  if (dock_reg_request (p->reg, "HEAD", path, NULL, NULL, NULL, 0, -1, 0, &r, err) < 0)
    return -1;
  if (r.status == 200)
    {
      dock_progress_status (p->pg, j->line, "Layer already exists");
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
          cleanup_free char *m = NULL;
          xasprintf (&m, "Mounted from %s", p->mount_from[i]);
          dock_progress_status (p->pg, j->line, m);
          rc = 0;
          goto out;
        }
      if (r.status == 202 && r.location)
        location = xstrdup (r.location);
    }
  if (location == NULL && start_upload (p, &location, err) < 0)
    goto out;
  dock_progress_status (p->pg, j->line, "Pushing");
  if (upload (p, j, location, err) < 0)
    goto out;
  dock_progress_status (p->pg, j->line, "Pushed");
  rc = 0;
out:
  dock_resp_clear (&r);
  return rc;
}

/* an upload thread: blobs from the shared list until it is empty or one has failed */
static void *
uploader (void *data)
{
  struct push *p = data;
  for (;;)
    {
      pthread_mutex_lock (&p->lock);
      struct blob_job *j = p->failed || p->next == p->n_jobs ? NULL : &p->jobs[p->next++];
      pthread_mutex_unlock (&p->lock);
      if (j == NULL)
        return NULL;
      j->rc = push_blob (p, j, &j->err);
      if (j->rc < 0)
        {
          pthread_mutex_lock (&p->lock);
          p->failed = true;
          pthread_mutex_unlock (&p->lock);
        }
    }
}

/* The blobs, PUSH_PARALLEL at a time; the first error. */
static int
push_blobs (struct push *p, lcr_error_t *err)
{
  size_t n_threads = p->n_jobs < PUSH_PARALLEL ? p->n_jobs : PUSH_PARALLEL;
  pthread_t th[PUSH_PARALLEL];
  size_t started = 0;
  pthread_mutex_init (&p->lock, NULL);
  /* the first blob alone: it gets the token every thread will use */
  if (p->n_jobs > 0)
    {
      p->next = 1;
      p->jobs[0].rc = push_blob (p, &p->jobs[0], &p->jobs[0].err);
      p->failed = p->jobs[0].rc < 0;
    }
  for (; started < n_threads && !p->failed; started++)
    if (pthread_create (&th[started], NULL, uploader, p) != 0)
      break;
  if (started == 0 && !p->failed)
    uploader (p);
  for (size_t i = 0; i < started; i++)
    pthread_join (th[i], NULL);
  pthread_mutex_destroy (&p->lock);
  for (size_t i = 0; i < p->n_jobs; i++)
    if (p->jobs[i].rc < 0)
      {
        *err = p->jobs[i].err;
        p->jobs[i].err = NULL;
        return -1;
      }
  return 0;
}

int
dock_registry_push (struct dock_ctx *ctx, const char *ref, bool quiet, FILE *out, lcr_error_t *err)
{
  struct push p = {.ctx = ctx, .quiet = quiet, .out = out, .chunk = PUSH_CHUNK_DEFAULT};
  /* DOCK_PUSH_CHUNK_SIZE: bytes per chunk (for registries or proxies that cap a request's size) */
  const char *cs = getenv ("DOCK_PUSH_CHUNK_SIZE");
  if (cs && strtoll (cs, NULL, 10) > 0)
    p.chunk = (off_t)strtoll (cs, NULL, 10);
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
  p.pg = dock_progress_new (out, quiet, -1);
  dock_progress_text (p.pg, "The push refers to repository [%s/%s]\n", p.ref.domain, p.ref.path);
  /* the layers top first, as docker lists them, then the config (no line of its own) */
  jv layers = jv_get_arr (man, "layers");
  p.jobs = xmalloc0 ((jv_len (layers) + 1) * sizeof *p.jobs);
  for (size_t i = jv_len (layers); i-- > 0;)
    {
      struct blob_job *j = &p.jobs[p.n_jobs++];
      j->p = &p;
      j->digest = jv_get_str (layers->u.array.values[i], "digest");
      char short_id[13];
      snprintf (short_id, sizeof short_id, "%.12s", dock_digest_hex (j->digest));
      j->line = dock_progress_add (p.pg, short_id, "Preparing");
    }
  struct blob_job *cj = &p.jobs[p.n_jobs++];
  cj->p = &p;
  cj->digest = jv_get_str (jv_get (man, "config"), "digest");
  cj->line = -1;
  for (size_t i = 0; i < p.n_jobs; i++)
    if (p.jobs[i].digest == NULL || !dock_digest_valid (p.jobs[i].digest))
      {
        lcr_error_invalid (err, "the manifest of %s has a blob without a valid digest", p.ref.norm);
        goto out;
      }
  for (size_t i = 1; i < p.n_jobs; i++)
    dock_progress_status (p.pg, p.jobs[i].line, "Waiting");
  if (push_blobs (&p, err) < 0)
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
  dock_progress_text (p.pg, "%s: digest: %s size: %zu\n", p.ref.tag, mdigest, mlen);
  xasprintf (&repo_digest, "%s/%s@%s", p.ref.domain, p.ref.path, mdigest);
  char idbuf[72];
  snprintf (idbuf, sizeof idbuf, "%s", id);
  if (dock_reg_record (ctx, idbuf, NULL, repo_digest, err) < 0)
    goto out;
  if (quiet)
    fprintf (out, "%s\n", p.ref.norm);
  ret = 0;
out:
  for (size_t i = 0; i < p.n_jobs; i++)
    lcr_error_release (&p.jobs[i].err);
  free (p.jobs);
  dock_progress_free (p.pg);
  for (size_t i = 0; i < p.n_mount; i++)
    free (p.mount_from[i]);
  free (p.mount_from);
  dock_ref_parts_clear (&p.ref);
  return ret;
}
