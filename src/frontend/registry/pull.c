/* dock — `dock pull`: a manifest (an index picks a platform), its config, its layers.
 *
 * Layers are fetched 3 at a time on one libcurl multi handle.  Each transfer writes into a
 * pipe read by its own thread, which runs the store's layer stager on it: the blob is hashed,
 * copied into the stage and unpacked as it arrives, so nothing is read twice.  The digest and
 * size the manifest gives are checked against what the stager hashed; the diff ID against the
 * config.  A dropped transfer is resumed where it stopped (Range), up to DOCK_REG_ATTEMPTS
 * times; a registry that answers 200 to a Range request is skipped ahead.  Nothing is in the
 * store until dock_stage_commit: a failure leaves nothing behind.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/image.h"
#include "image/imgstore.h"
#include "image/parse.h"
#include "registry/progress.h"
#include "registry/reg-internal.h"
#include "registry/registry.h"
#include "store/store.h"

#define PARALLEL 3
#define MT_SCHEMA1 "application/vnd.docker.distribution.manifest.v1"
#define ACCEPT_MANIFESTS                                                                                               \
  "Accept: " DOCK_MT_OCI_INDEX ", " DOCK_MT_DOCKER_LIST ", " DOCK_MT_OCI_MANIFEST ", " DOCK_MT_DOCKER_MANIFEST

struct pull
{
  struct dock_ctx *ctx;
  struct dock_reg *reg;
  struct dock_ref_parts ref;
  const struct dock_pull_opts *o;
  FILE *out;
  struct dock_progress *pg;
  struct dock_stage *stage;
};

static void say (struct pull *p, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
static void
say (struct pull *p, const char *fmt, ...)
{
  if (p->o->quiet)
    return;
  va_list ap;
  va_start (ap, fmt);
  vfprintf (p->out, fmt, ap);
  va_end (ap);
  fflush (p->out);
}

/* ---- platforms -------------------------------------------------------------------------------- */

static void host_platform (char os[32], char arch[32], char variant[32]) __attribute__ ((nonnull));
static void
host_platform (char os[32], char arch[32], char variant[32])
{
  struct utsname u;
  snprintf (os, 32, "linux");
  variant[0] = '\0';
  const char *a = "amd64";
  if (uname (&u) == 0)
    {
      if (strcmp (u.machine, "aarch64") == 0)
        a = "arm64";
      else if (strncmp (u.machine, "armv7", 5) == 0)
        a = "arm", snprintf (variant, 32, "v7");
      else if (strncmp (u.machine, "arm", 3) == 0)
        a = "arm";
      else if (strcmp (u.machine, "i686") == 0 || strcmp (u.machine, "i386") == 0)
        a = "386";
      else if (strcmp (u.machine, "x86_64") != 0)
        a = u.machine;
    }
  snprintf (arch, 32, "%.31s", a);
}

static int
want_platform (const char *spec, char os[32], char arch[32], char variant[32], lcr_error_t *err)
{
  if (spec == NULL || *spec == '\0')
    {
      host_platform (os, arch, variant);
      return 0;
    }
  char a[32] = "", b[32] = "", c[32] = "";
  int n = sscanf (spec, "%31[^/]/%31[^/]/%31s", a, b, c);
  if (n < 1)
    return lcr_error_invalid (err, "invalid platform `%s`", spec);
  if (n == 1)
    {
      /* "arm64" alone: linux */
      snprintf (os, 32, "linux");
      snprintf (arch, 32, "%s", a);
      variant[0] = '\0';
      return 0;
    }
  snprintf (os, 32, "%s", a);
  snprintf (arch, 32, "%s", b);
  snprintf (variant, 32, "%s", c);
  return 0;
}

/* ---- manifests --------------------------------------------------------------------------------- */

static int
get_manifest (struct pull *p, const char *ref, const char *want_digest, struct dock_resp *resp, char digest[72],
              lcr_error_t *err)
{
  cleanup_free char *path = NULL;
  cleanup_jv jv v = NULL;
  xasprintf (&path, "/v2/%s/manifests/%s", p->ref.path, ref);
  if (dock_reg_request (p->reg, "GET", path, ACCEPT_MANIFESTS, NULL, NULL, 0, -1, 0, resp, err) < 0)
    return -1;
  if (resp->status == 404)
    {
      cleanup_free char *f = dock_ref_familiar (p->ref.norm);
      return lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "manifest for %s not found: manifest unknown", f);
    }
  if (resp->status != 200)
    return dock_reg_fail (p->reg, "fetch the manifest", resp, err);
  dock_sha256_buf (resp->body ? resp->body : "", resp->len, digest);
  if (want_digest && strcmp (digest, want_digest) != 0)
    return lcr_error_invalid (err, "manifest %s: the registry sent content hashing to %s", want_digest, digest);
  const char *ct = resp->content_type ? resp->content_type : "";
  if (strncmp (ct, MT_SCHEMA1, strlen (MT_SCHEMA1)) == 0)
    goto schema1;
  v = jv_parse (resp->body ? resp->body : "", resp->len, "the manifest", err);
  if (v == NULL)
    return -1;
  if (jv_get_int (v, "schemaVersion", 0) == 1)
    goto schema1;
  return 0;
schema1:
  return lcr_error_invalid (err,
                            "%s: the image is in the Docker Image Format v1 (manifest schema 1), which dock does "
                            "not support: push it again with a current docker to get a v2 manifest",
                            p->ref.norm);
}

static const char *
media_type_of (const struct dock_resp *resp, jv v)
{
  const char *mt = jv_get_str (v, "mediaType");
  if (mt)
    return mt;
  return resp->content_type;
}

/* the descriptor of the wanted platform in an index */
static jv
pick_platform (struct pull *p, jv idx, lcr_error_t *err)
{
  char os[32], arch[32], variant[32];
  if (want_platform (p->o->platform, os, arch, variant, err) < 0)
    return NULL;
  jv ms = jv_get_arr (idx, "manifests");
  jv loose = NULL;
  for (size_t i = 0; i < jv_len (ms); i++)
    {
      jv d = ms->u.array.values[i];
      jv plat = jv_get_obj (d, "platform");
      const char *o = jv_get_str (plat, "os"), *a = jv_get_str (plat, "architecture");
      const char *v = jv_get_str (plat, "variant");
      if (!o || !a || strcmp (o, os) != 0 || strcmp (a, arch) != 0)
        continue;
      if (variant[0] == '\0' || (v && strcmp (v, variant) == 0))
        return d;
      if (v == NULL && loose == NULL)
        loose = d;
    }
  if (loose)
    return loose;
  lcr_error_make (err, 0, LCR_ERR_NOT_FOUND, "no matching manifest for %s/%s%s%s in the manifest list entries", os,
                  arch, variant[0] ? "/" : "", variant);
  return NULL;
}

/* ---- blobs ------------------------------------------------------------------------------------- */

static int
get_small_blob (struct pull *p, jv desc, const char *what, char **out, size_t *len, lcr_error_t *err)
{
  const char *digest = jv_get_str (desc, "digest");
  long long size = jv_get_int (desc, "size", -1);
  cleanup_free char *path = NULL;
  xasprintf (&path, "/v2/%s/blobs/%s", p->ref.path, digest);
  struct dock_resp resp = {0};
  if (dock_reg_request (p->reg, "GET", path, NULL, NULL, NULL, 0, -1, 0, &resp, err) < 0)
    return -1;
  if (resp.status != 200)
    {
      dock_reg_fail (p->reg, what, &resp, err);
      dock_resp_clear (&resp);
      return -1;
    }
  char got[72];
  dock_sha256_buf (resp.body ? resp.body : "", resp.len, got);
  if (strcmp (got, digest) != 0 || (long long)resp.len != size)
    {
      lcr_error_invalid (err, "%s %s is corrupt: %zu bytes hashing to %s, the manifest says %lld bytes", what, digest,
                         resp.len, got, size);
      dock_resp_clear (&resp);
      return -1;
    }
  *out = resp.body ? resp.body : xstrdup ("");
  *len = resp.len;
  resp.body = NULL;
  dock_resp_clear (&resp);
  return 0;
}

struct job
{
  struct pull *p;
  size_t index;
  const char *digest, *diff_id;
  long long size;
  char parent[72], chain[72];
  char short_id[13];
  char what[128];
  int line;     /* its progress line */
  bool present; /* the store has the layer and its blob */
  /* the transfer */
  CURL *h;
  struct curl_slist *hdrs;
  int wfd, rfd;
  uint64_t received, skip;
  long status;
  bool checked, failed, done;
  int attempts;
  char ebuf[CURL_ERROR_SIZE];
  char *fail_text;
  /* the stager */
  pthread_t th;
  bool started;
  int rc;
  lcr_error_t err;
  struct dock_layer_result res;
};

static void *
stage_thread (void *data)
{
  struct job *j = data;
  j->rc = dock_stage_layer (j->p->stage, j->rfd, j->parent[0] ? j->parent : NULL, j->diff_id, j->what, &j->res,
                            j->chain, &j->err);
  close (j->rfd);
  j->rfd = -1;
  return NULL;
}

static size_t
on_layer_data (char *buf, size_t sz, size_t n, void *data)
{
  struct job *j = data;
  size_t len = sz * n;
  if (!j->checked)
    {
      j->checked = true;
      curl_easy_getinfo (j->h, CURLINFO_RESPONSE_CODE, &j->status);
      /* resuming, but the registry sends it all again: skip what the stager has */
      if (j->status == 200 && j->received > 0)
        j->skip = j->received;
    }
  if (j->status != 200 && j->status != 206)
    return len; /* an error body: the status says enough */
  const char *p = buf;
  size_t left = len;
  if (j->skip)
    {
      size_t s = left < j->skip ? left : (size_t)j->skip;
      j->skip -= s, p += s, left -= s;
    }
  if (j->received + left > (uint64_t)j->size)
    {
      free (j->fail_text);
      xasprintf (&j->fail_text, "the registry sent more than the manifest's %lld bytes", j->size);
      return 0;
    }
  if (left && lcr_write_all (j->wfd, p, left) != (ssize_t)left)
    {
      /* the stager stopped (it has an error of its own) */
      free (j->fail_text);
      j->fail_text = xstrdup ("the layer could not be stored");
      return 0;
    }
  j->received += left;
  dock_progress_bytes (j->p->pg, j->line, "Downloading", j->received, (uint64_t)j->size);
  return len;
}

static int
start_transfer (struct pull *p, CURLM *multi, struct job *j, lcr_error_t *err)
{
  cleanup_free char *url = NULL;
  xasprintf (&url, "%s/v2/%s/blobs/%s", p->reg->base, p->ref.path, j->digest);
  if (j->hdrs)
    curl_slist_free_all (j->hdrs), j->hdrs = NULL;
  j->h = dock_reg_easy (p->reg, url, &j->hdrs);
  if (j->h == NULL)
    return lcr_error_invalid (err, "curl_easy_init failed");
  if (j->received > 0)
    {
      char range[64];
      snprintf (range, sizeof range, "Range: bytes=%llu-", (unsigned long long)j->received);
      j->hdrs = curl_slist_append (j->hdrs, range);
    }
  j->checked = false;
  j->status = 0;
  j->skip = 0;
  j->ebuf[0] = '\0';
  curl_easy_setopt (j->h, CURLOPT_HTTPHEADER, j->hdrs);
  curl_easy_setopt (j->h, CURLOPT_WRITEFUNCTION, on_layer_data);
  curl_easy_setopt (j->h, CURLOPT_WRITEDATA, j);
  curl_easy_setopt (j->h, CURLOPT_PRIVATE, j);
  curl_easy_setopt (j->h, CURLOPT_ERRORBUFFER, j->ebuf);
  curl_multi_add_handle (multi, j->h);
  return 0;
}

static int
open_job (struct pull *p, CURLM *multi, struct job *j, lcr_error_t *err)
{
  int fds[2];
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return lcr_error_sys (err, "pipe");
  fcntl (fds[1], F_SETPIPE_SZ, 1 << 20);
  j->rfd = fds[0];
  j->wfd = fds[1];
  if (pthread_create (&j->th, NULL, stage_thread, j) != 0)
    {
      close (fds[0]), close (fds[1]);
      j->rfd = j->wfd = -1;
      return lcr_error_sys (err, "start a thread");
    }
  j->started = true;
  return start_transfer (p, multi, j, err);
}

static void
end_job (struct job *j)
{
  if (j->wfd >= 0)
    close (j->wfd);
  j->wfd = -1;
  j->done = true;
}

/* One finished transfer: done, resumed, or failed. */
static int
transfer_done (struct pull *p, CURLM *multi, struct job *j, CURLcode code, lcr_error_t *err)
{
  long status = 0;
  curl_easy_getinfo (j->h, CURLINFO_RESPONSE_CODE, &status);
  curl_multi_remove_handle (multi, j->h);
  curl_easy_cleanup (j->h);
  j->h = NULL;
  if (j->fail_text)
    {
      j->failed = true;
      end_job (j);
      return 0;
    }
  if (code == CURLE_OK && (status == 200 || status == 206) && j->received == (uint64_t)j->size)
    {
      dock_progress_status (p->pg, j->line, "Download complete");
      end_job (j);
      return 0;
    }
  if (code == CURLE_OK && status == 401 && j->attempts == 0)
    {
      /* a token that expired mid-pull: fetch another and go on */
      struct dock_resp r = {0};
      cleanup_free char *path = NULL;
      xasprintf (&path, "/v2/%s/blobs/%s", p->ref.path, j->digest);
      int rr = dock_reg_request (p->reg, "HEAD", path, NULL, NULL, NULL, 0, -1, 0, &r, err);
      dock_resp_clear (&r);
      if (rr < 0)
        return -1;
      j->attempts++;
      return start_transfer (p, multi, j, err);
    }
  bool again = (code != CURLE_OK && code != CURLE_WRITE_ERROR) || status >= 500
               || (code == CURLE_OK && (status == 200 || status == 206) && j->received < (uint64_t)j->size);
  if (again && ++j->attempts < DOCK_REG_ATTEMPTS)
    {
      dock_reg_backoff (j->attempts);
      return start_transfer (p, multi, j, err);
    }
  if (code != CURLE_OK)
    xasprintf (&j->fail_text, "%s", *j->ebuf ? j->ebuf : curl_easy_strerror (code));
  else if (status == 200 || status == 206)
    xasprintf (&j->fail_text, "the connection ended after %llu of %lld bytes", (unsigned long long)j->received,
               j->size);
  else
    xasprintf (&j->fail_text, "HTTP status %ld", status);
  j->failed = true;
  end_job (j);
  return 0;
}

static int
fetch_layers (struct pull *p, struct job *jobs, size_t n, lcr_error_t *err)
{
  CURLM *multi = curl_multi_init ();
  if (multi == NULL)
    return lcr_error_invalid (err, "curl_multi_init failed");
  size_t next = 0, active = 0, finished = 0, todo = 0;
  int ret = -1;
  for (size_t i = 0; i < n; i++)
    if (!jobs[i].present)
      todo++;
  while (finished < todo)
    {
      while (active < PARALLEL && next < n)
        {
          struct job *j = &jobs[next++];
          if (j->present)
            continue;
          if (open_job (p, multi, j, err) < 0)
            goto out;
          active++;
        }
      int running;
      curl_multi_perform (multi, &running);
      CURLMsg *m;
      int left;
      while ((m = curl_multi_info_read (multi, &left)))
        {
          if (m->msg != CURLMSG_DONE)
            continue;
          struct job *j;
          curl_easy_getinfo (m->easy_handle, CURLINFO_PRIVATE, (char **)&j);
          CURLcode code = m->data.result;
          if (transfer_done (p, multi, j, code, err) < 0)
            goto out;
          if (j->done)
            {
              active--;
              finished++;
              /* one layer that cannot be had dooms the pull: stop early */
              if (j->failed)
                goto out_ok;
            }
        }
      if (finished < todo)
        curl_multi_poll (multi, NULL, 0, 1000, NULL);
    }
out_ok:
  ret = 0;
out:
  for (size_t i = 0; i < n; i++)
    {
      struct job *j = &jobs[i];
      if (j->h)
        {
          curl_multi_remove_handle (multi, j->h);
          curl_easy_cleanup (j->h);
          j->h = NULL;
        }
      if (j->wfd >= 0)
        close (j->wfd), j->wfd = -1;
      if (j->hdrs)
        curl_slist_free_all (j->hdrs), j->hdrs = NULL;
    }
  curl_multi_cleanup (multi);
  return ret;
}

/* ---- one image --------------------------------------------------------------------------------- */

static uint64_t
layer_size (struct pull *p, const char *chain_hex)
{
  cleanup_free char *path = NULL;
  xasprintf (&path, "%s/layers/%s/meta.json", p->stage->dir, chain_hex);
  lcr_error_t ignored = NULL;
  cleanup_jv jv m = jv_load (path, &ignored);
  lcr_error_release (&ignored);
  if (m == NULL)
    m = dock_layer_meta (p->ctx, chain_hex);
  return (uint64_t)jv_get_int (m, "size", 0);
}

static bool
in_store (struct pull *p, const char *chain_hex, const char *blob)
{
  cleanup_free char *l = dock_path (p->ctx, "layers/%s/diff", chain_hex);
  cleanup_free char *b = dock_path (p->ctx, "blobs/sha256/%s", dock_digest_hex (blob));
  return access (l, F_OK) == 0 && access (b, F_OK) == 0;
}

static int
pull_layers (struct pull *p, jv man, jv config, struct dock_new_image *im, lcr_error_t *err)
{
  jv layers = jv_get_arr (man, "layers");
  jv ids = jv_path (config, "rootfs", "diff_ids", NULL);
  size_t n = jv_len (layers);
  if (jv_len (ids) != n)
    return lcr_error_invalid (err, "the config lists %zu layers, the manifest %zu", jv_len (ids), n);
  struct job *jobs = xmalloc0 ((n ? n : 1) * sizeof *jobs);
  int ret = -1;
  char parent[72] = "";
  for (size_t i = 0; i < n; i++)
    {
      struct job *j = &jobs[i];
      jv d = layers->u.array.values[i];
      const char *mt = jv_get_str (d, "mediaType");
      j->p = p;
      j->index = i;
      j->wfd = j->rfd = -1;
      j->digest = jv_get_str (d, "digest");
      j->size = jv_get_int (d, "size", -1);
      j->diff_id = jv_as_str (ids->u.array.values[i]);
      if (j->diff_id == NULL || !dock_digest_valid (j->diff_id))
        {
          lcr_error_invalid (err, "the config's diff ID %zu is not a digest", i);
          goto out;
        }
      if (mt && strstr (mt, "foreign"))
        {
          lcr_error_invalid (err, "layer %s is a foreign layer, which dock does not fetch", j->digest);
          goto out;
        }
      snprintf (j->parent, sizeof j->parent, "%s", parent);
      snprintf (j->short_id, sizeof j->short_id, "%.12s", dock_digest_hex (j->digest));
      snprintf (j->what, sizeof j->what, "layer %s", j->digest);
      dock_chain_id (parent[0] ? parent : NULL, j->diff_id, j->chain);
      snprintf (parent, sizeof parent, "%s", j->chain);
      j->present = in_store (p, j->chain + 7, j->digest);
      j->line = dock_progress_add (p->pg, j->short_id, j->present ? "Already exists" : "Pulling fs layer");
    }
  int fr = fetch_layers (p, jobs, n, err);
  /* every stager ends: their pipes are closed */
  for (size_t i = 0; i < n; i++)
    if (jobs[i].started)
      pthread_join (jobs[i].th, NULL);
  if (fr < 0)
    goto out;
  for (size_t i = 0; i < n; i++)
    {
      struct job *j = &jobs[i];
      if (j->present)
        continue;
      if (j->rc < 0 && !j->failed)
        {
          *err = j->err;
          j->err = NULL;
          goto out;
        }
      if (j->failed || !j->started)
        {
          if (j->rc < 0 && j->fail_text && strcmp (j->fail_text, "the layer could not be stored") == 0)
            {
              *err = j->err;
              j->err = NULL;
            }
          else
            lcr_error_make (err, 0, LCR_ERR_SYSTEM, "%s: fetch layer %s: %s", p->reg->domain, j->digest,
                            j->fail_text ? j->fail_text : "not fetched");
          goto out;
        }
      if (strcmp (j->res.blob_digest, j->digest) != 0 || (long long)j->res.blob_size != j->size)
        {
          lcr_error_invalid (err, "layer %s is corrupt: %llu bytes hashing to %s, the manifest says %lld bytes",
                             j->digest, (unsigned long long)j->res.blob_size, j->res.blob_digest, j->size);
          goto out;
        }
    }
  im->chains = xmalloc0 ((n + 1) * sizeof (char *));
  im->layer_blobs = xmalloc0 ((n + 1) * sizeof (char *));
  im->layer_types = xmalloc0 ((n + 1) * sizeof (char *));
  for (size_t i = 0; i < n; i++)
    {
      im->chains[i] = xstrdup (jobs[i].chain + 7);
      im->layer_blobs[i] = xstrdup (jobs[i].digest);
      const char *mt = jv_get_str (layers->u.array.values[i], "mediaType");
      im->layer_types[i] = xstrdup (mt ? mt : "");
      im->n_layers = i + 1;
      im->size += layer_size (p, jobs[i].chain + 7);
      if (!jobs[i].present)
        dock_progress_status (p->pg, jobs[i].line, "Pull complete");
    }
  ret = 0;
out:
  for (size_t i = 0; i < n; i++)
    {
      lcr_error_release (&jobs[i].err);
      free (jobs[i].fail_text);
    }
  free (jobs);
  return ret;
}

static int
pull_one (struct dock_ctx *ctx, struct dock_reg *reg, const char *ref, const struct dock_pull_opts *o, FILE *out,
          lcr_error_t *err)
{
  struct pull p = {.ctx = ctx, .reg = reg, .o = o, .out = out};
  int ret = -1;
  struct dock_resp top = {0}, sub = {0};
  cleanup_free char *mtext = NULL, *cfg = NULL;
  size_t mlen = 0, cfglen = 0;
  struct dock_new_image im = {0};
  cleanup_jv jv idx = NULL, man = NULL, config = NULL, topv = NULL, refs = NULL;
  cleanup_free char *repo_digest = NULL, *tag = NULL, *shown = NULL;
  if (dock_ref_split (ref, &p.ref, err) < 0)
    return -1;
  const char *what = p.ref.digest ? p.ref.digest : p.ref.tag;
  if (p.ref.tag)
    say (&p, "%s: Pulling from %s\n", p.ref.tag, p.ref.path);
  else
    say (&p, "%s: Pulling from %s\n", p.ref.digest, p.ref.path);
  char top_digest[72], man_digest[72];
  if (get_manifest (&p, what, p.ref.digest, &top, top_digest, err) < 0)
    goto out;
  topv = jv_parse (top.body, top.len, "the manifest", err);
  if (topv == NULL)
    goto out;
  const char *mt = media_type_of (&top, topv);
  const char *man_type;
  if (dock_is_index_type (mt) || (mt == NULL && jv_get_arr (topv, "manifests")))
    {
      if ((idx = dock_parse_oci_index (top.body, top.len, top_digest, err)) == NULL)
        goto out;
      jv d = pick_platform (&p, idx, err);
      if (d == NULL)
        goto out;
      const char *dd = jv_get_str (d, "digest");
      if (get_manifest (&p, dd, dd, &sub, man_digest, err) < 0)
        goto out;
      if ((long long)sub.len != jv_get_int (d, "size", -1))
        {
          lcr_error_invalid (err, "manifest %s: %zu bytes, the index says %lld", dd, sub.len,
                             jv_get_int (d, "size", -1));
          goto out;
        }
      mtext = sub.body;
      mlen = sub.len;
      sub.body = NULL;
      cleanup_jv jv sv = jv_parse (mtext, mlen, "the manifest", err);
      if (sv == NULL)
        goto out;
      man_type = media_type_of (&sub, sv);
    }
  else
    {
      mtext = top.body;
      mlen = top.len;
      top.body = NULL;
      snprintf (man_digest, sizeof man_digest, "%s", top_digest);
      man_type = mt;
    }
  if ((man = dock_parse_oci_manifest (mtext, mlen, man_digest, err)) == NULL)
    goto out;
  jv cdesc = jv_get (man, "config");
  const char *id = jv_get_str (cdesc, "digest");
  xasprintf (&repo_digest, "%s/%s@%s", p.ref.domain, p.ref.path, top_digest);
  if (p.ref.tag)
    xasprintf (&tag, "%s/%s:%s", p.ref.domain, p.ref.path, p.ref.tag);
  shown = dock_ref_familiar (tag ? tag : p.ref.norm);
  /* an image the store has already: only its tag and repo digest are new */
  refs = dock_refs_load (ctx, err);
  if (refs == NULL)
    goto out;
  if (jv_get (jv_get_obj (refs, "images"), id))
    {
      const char *had = tag ? jv_get_str (jv_get_obj (refs, "refs"), tag) : NULL;
      if (dock_reg_record (ctx, id, tag, repo_digest, err) < 0)
        goto out;
      say (&p, "Digest: %s\nStatus: %s for %s\n", top_digest,
           had && strcmp (had, id) == 0 ? "Image is up to date" : "Downloaded newer image", shown);
      fprintf (out, "%s\n", tag ? tag : p.ref.norm);
      ret = 0;
      goto out;
    }
  if (get_small_blob (&p, cdesc, "config", &cfg, &cfglen, err) < 0)
    goto out;
  if ((config = dock_parse_image_config (cfg, cfglen, id, err)) == NULL)
    goto out;
  if (dock_stage_new (ctx, &p.stage, err) < 0)
    goto out;
  p.pg = dock_progress_new (out, o->quiet, -1);
  snprintf (im.id, sizeof im.id, "%s", id);
  if (pull_layers (&p, man, config, &im, err) < 0)
    goto out;
  char d[72];
  if (dock_stage_blob (p.stage, mtext, mlen, im.manifest, err) < 0
      || dock_stage_blob (p.stage, cfg, cfglen, d, err) < 0)
    goto out;
  im.manifest_size = mlen;
  im.manifest_type
      = man_type && strcmp (man_type, DOCK_MT_DOCKER_MANIFEST) == 0 ? DOCK_MT_DOCKER_MANIFEST : DOCK_MT_OCI_MANIFEST;
  snprintf (im.created, sizeof im.created, "%s", jv_get_str (config, "created") ?: "");
  if (tag)
    dock_new_image_add_tag (&im, tag);
  if (dock_stage_commit (p.stage, &im, 1, NULL, NULL, err) < 0)
    goto out;
  if (dock_reg_record (ctx, id, tag, repo_digest, err) < 0)
    goto out;
  say (&p, "Digest: %s\nStatus: Downloaded newer image for %s\n", top_digest, shown);
  fprintf (out, "%s\n", tag ? tag : p.ref.norm);
  ret = 0;
out:
  dock_new_image_clear (&im);
  if (p.stage)
    dock_stage_free (p.stage);
  dock_progress_free (p.pg);
  dock_resp_clear (&top);
  dock_resp_clear (&sub);
  dock_ref_parts_clear (&p.ref);
  return ret;
}

static int
pull_all_tags (struct dock_ctx *ctx, struct dock_reg *reg, const struct dock_ref_parts *rp,
               const struct dock_pull_opts *o, FILE *out, lcr_error_t *err)
{
  cleanup_free char *path = NULL;
  xasprintf (&path, "/v2/%s/tags/list", rp->path);
  struct dock_resp r = {0};
  if (dock_reg_request (reg, "GET", path, NULL, NULL, NULL, 0, -1, 0, &r, err) < 0)
    return -1;
  if (r.status != 200)
    {
      dock_reg_fail (reg, "list the tags", &r, err);
      dock_resp_clear (&r);
      return -1;
    }
  cleanup_jv jv v = jv_parse (r.body ? r.body : "", r.len, "the tag list", err);
  dock_resp_clear (&r);
  if (v == NULL)
    return -1;
  jv tags = jv_get_arr (v, "tags");
  for (size_t i = 0; i < jv_len (tags); i++)
    {
      const char *t = jv_as_str (tags->u.array.values[i]);
      if (t == NULL)
        continue;
      cleanup_free char *ref = NULL;
      xasprintf (&ref, "%s/%s:%s", rp->domain, rp->path, t);
      if (pull_one (ctx, reg, ref, o, out, err) < 0)
        return -1;
    }
  return 0;
}

int
dock_registry_pull (struct dock_ctx *ctx, const char *ref, const struct dock_pull_opts *o, FILE *out, lcr_error_t *err)
{
  if (dock_image_store_init (ctx, err) < 0)
    return -1;
  struct dock_ref_parts rp;
  if (dock_ref_split (ref, &rp, err) < 0)
    return -1;
  cleanup_free char *scope = NULL;
  xasprintf (&scope, "repository:%s:pull", rp.path);
  cleanup_reg struct dock_reg *reg = NULL;
  int ret = -1;
  /* a failing write to a stager's pipe must be an error, not a signal */
  signal (SIGPIPE, SIG_IGN);
  if (dock_reg_open (rp.domain, scope, &reg, err) < 0)
    goto out;
  if (o->all_tags)
    {
      if (rp.digest || (strchr (ref, ':') && strrchr (ref, ':') > strrchr (ref, '/')))
        {
          lcr_error_invalid (err, "tag can't be used with --all-tags/-a");
          goto out;
        }
      ret = pull_all_tags (ctx, reg, &rp, o, out, err);
      goto out;
    }
  bool tagless = strchr (ref, '@') == NULL && dock_ref_tag (rp.norm) && strcmp (rp.tag, "latest") == 0
                 && !(strrchr (ref, ':') && strrchr (ref, ':') > (strrchr (ref, '/') ? strrchr (ref, '/') : ref));
  if (tagless && !o->quiet)
    fprintf (out, "Using default tag: latest\n");
  ret = pull_one (ctx, reg, rp.norm, o, out, err);
out:
  dock_ref_parts_clear (&rp);
  return ret;
}
