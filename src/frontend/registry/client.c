/* dock — one registry over libcurl: transport, TLS, retries, auth (see reg-internal.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "registry/reg-internal.h"

#define USER_AGENT "dock/" DOCK_VERSION
#define SYSTEM_CA "/etc/ssl/certs/ca-certificates.crt"

static void
global_init (void)
{
  static bool done;
  if (!done)
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      done = true;
    }
}

/* "host:port" / "[v6]:port" → the host alone */
static char *
host_only (const char *host)
{
  if (host[0] == '[')
    {
      const char *e = strchr (host, ']');
      return e ? strndup (host + 1, e - host - 1) : xstrdup (host);
    }
  const char *c = strrchr (host, ':');
  return c ? strndup (host, c - host) : xstrdup (host);
}

static bool
listed (const char *list, const char *host)
{
  if (list == NULL)
    return false;
  cleanup_free char *dup = xstrdup (list);
  char *save = NULL;
  for (char *t = strtok_r (dup, ", \t\n", &save); t; t = strtok_r (NULL, ", \t\n", &save))
    if (strcmp (t, host) == 0)
      return true;
  return false;
}

bool
dock_reg_insecure (const char *host)
{
  cleanup_free char *h = host_only (host);
  struct in_addr a4;
  if (strcmp (h, "localhost") == 0 || strcmp (h, "::1") == 0)
    return true;
  if (inet_pton (AF_INET, h, &a4) == 1 && (ntohl (a4.s_addr) >> 24) == 127)
    return true;
  /* docker's insecure-registries, from dock's environment or docker's daemon.json (hosts, as
     written in the reference, with or without the port) */
  if (listed (getenv ("DOCK_INSECURE_REGISTRIES"), host) || listed (getenv ("DOCK_INSECURE_REGISTRIES"), h))
    return true;
  lcr_error_t ignored = NULL;
  cleanup_jv jv d = jv_load ("/etc/docker/daemon.json", &ignored);
  lcr_error_release (&ignored);
  jv ins = jv_get_arr (d, "insecure-registries");
  for (size_t i = 0; i < jv_len (ins); i++)
    {
      const char *s = jv_as_str (ins->u.array.values[i]);
      if (s && (strcmp (s, host) == 0 || strcmp (s, h) == 0))
        return true;
    }
  return false;
}

static bool
has_suffix (const char *s, const char *suf)
{
  size_t n = strlen (s), m = strlen (suf);
  return n >= m && strcmp (s + n - m, suf) == 0;
}

/* /etc/docker/certs.d/HOST/: *.crt are CAs (added to the system's), NAME.cert + NAME.key a
   client certificate */
static void
load_certs_dir (struct dock_reg *r)
{
  const char *base = getenv ("DOCK_CERTS_D") ? getenv ("DOCK_CERTS_D") : "/etc/docker/certs.d";
  xasprintf (&r->ca_dir, "%s/%s", base, r->domain);
  cleanup_dir DIR *d = opendir (r->ca_dir);
  if (d == NULL)
    {
      free (r->ca_dir);
      r->ca_dir = NULL;
      return;
    }
  size_t n = 0;
  char *buf = NULL;
  bool any = false;
  lcr_error_t ignored = NULL;
  if (lcr_read_file (SYSTEM_CA, &buf, &n, &ignored) < 0)
    {
      lcr_error_release (&ignored);
      buf = xstrdup ("");
      n = 0;
    }
  for (struct dirent *e; (e = readdir (d));)
    if (has_suffix (e->d_name, ".crt"))
      {
        cleanup_free char *p = NULL, *c = NULL;
        size_t cl;
        xasprintf (&p, "%s/%s", r->ca_dir, e->d_name);
        if (lcr_read_file (p, &c, &cl, &ignored) < 0)
          {
            lcr_error_release (&ignored);
            continue;
          }
        buf = xrealloc (buf, n + cl + 2);
        buf[n++] = '\n';
        memcpy (buf + n, c, cl);
        n += cl;
        any = true;
      }
  if (any)
    {
      r->ca_buf = buf;
      r->ca_blob.data = buf;
      r->ca_blob.len = n;
      r->ca_blob.flags = CURL_BLOB_NOCOPY;
    }
  else
    free (buf);
}

int
dock_reg_open (const char *domain, const char *scope, struct dock_reg **out, lcr_error_t *err)
{
  global_init ();
  struct dock_reg *r = xmalloc0 (sizeof *r);
  r->domain = xstrdup (domain);
  r->host = xstrdup (strcmp (domain, "docker.io") == 0 ? "registry-1.docker.io" : domain);
  xasprintf (&r->base, "%s://%s", dock_reg_insecure (r->host) ? "http" : "https", r->host);
  r->scope = scope ? xstrdup (scope) : NULL;
  pthread_mutexattr_t ma;
  pthread_mutexattr_init (&ma);
  pthread_mutexattr_settype (&ma, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init (&r->lock, &ma);
  pthread_mutexattr_destroy (&ma);
  load_certs_dir (r);
  (void)err;
  *out = r;
  return 0;
}

void
dock_reg_free (struct dock_reg *r)
{
  free (r->domain);
  free (r->host);
  free (r->base);
  free (r->scope);
  if (r->authz)
    explicit_bzero (r->authz, strlen (r->authz));
  free (r->authz);
  dock_creds_clear (&r->creds);
  free (r->ca_dir);
  free (r->ca_buf);
  pthread_mutex_destroy (&r->lock);
  free (r);
}

void
dock_resp_clear (struct dock_resp *r)
{
  free (r->body);
  free (r->content_type);
  free (r->digest);
  free (r->location);
  free (r->www_auth);
  free (r->range);
  memset (r, 0, sizeof *r);
}

static void
client_cert (struct dock_reg *r, CURL *h)
{
  if (r->ca_dir == NULL)
    return;
  cleanup_dir DIR *d = opendir (r->ca_dir);
  for (struct dirent *e; d && (e = readdir (d));)
    if (has_suffix (e->d_name, ".cert"))
      {
        cleanup_free char *cert = NULL, *key = NULL;
        xasprintf (&cert, "%s/%s", r->ca_dir, e->d_name);
        xasprintf (&key, "%s/%.*s.key", r->ca_dir, (int)(strlen (e->d_name) - 5), e->d_name);
        if (access (key, R_OK) == 0)
          {
            curl_easy_setopt (h, CURLOPT_SSLCERT, cert);
            curl_easy_setopt (h, CURLOPT_SSLKEY, key);
            return;
          }
      }
}

void
dock_reg_proxy (CURL *h, const char *url)
{
  if (strncmp (url, "http://", 7) != 0 || getenv ("http_proxy") != NULL)
    return;
  const char *up = getenv ("HTTP_PROXY");
  if (up == NULL || *up == '\0')
    return;
  curl_easy_setopt (h, CURLOPT_PROXY, up);
  /* an explicit proxy would skip libcurl's own reading of no_proxy: give it */
  const char *np = getenv ("no_proxy") ? getenv ("no_proxy") : getenv ("NO_PROXY");
  if (np)
    curl_easy_setopt (h, CURLOPT_NOPROXY, np);
}

/* as dock_reg_easy; *sent (when not NULL) is a copy of the Authorization line used */
static CURL *
easy_handle (struct dock_reg *r, const char *url, struct curl_slist **headers, char **sent)
{
  CURL *h = curl_easy_init ();
  if (h == NULL)
    return NULL;
  curl_easy_setopt (h, CURLOPT_URL, url);
  curl_easy_setopt (h, CURLOPT_USERAGENT, USER_AGENT);
  curl_easy_setopt (h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt (h, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt (h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (h, CURLOPT_CONNECTTIMEOUT, 30L);
  /* a stalled transfer is a dropped one: retried (and a blob resumed) */
  curl_easy_setopt (h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt (h, CURLOPT_LOW_SPEED_TIME, 60L);
  if (r->ca_buf)
    curl_easy_setopt (h, CURLOPT_CAINFO_BLOB, &r->ca_blob);
  client_cert (r, h);
  dock_reg_proxy (h, url);
  pthread_mutex_lock (&r->lock);
  if (r->authz)
    *headers = curl_slist_append (*headers, r->authz);
  if (sent)
    *sent = r->authz ? xstrdup (r->authz) : NULL;
  pthread_mutex_unlock (&r->lock);
  return h;
}

CURL *
dock_reg_easy (struct dock_reg *r, const char *url, struct curl_slist **headers)
{
  return easy_handle (r, url, headers, NULL);
}

/* ---- one request ---------------------------------------------------------------------------- */

struct xfer
{
  struct dock_resp *resp;
  size_t cap;
  bool too_big;
  const char *src;
  size_t src_len, src_off;
  const struct dock_reg_upload *up;
  off_t up_sent;
};

static size_t
on_body (char *p, size_t sz, size_t n, void *data)
{
  struct xfer *x = data;
  size_t len = sz * n;
  struct dock_resp *r = x->resp;
  if (r->len + len > DOCK_REG_MAX_BODY)
    {
      x->too_big = true;
      return 0;
    }
  if (r->len + len + 1 > x->cap)
    {
      x->cap = (r->len + len + 1) * 2;
      r->body = xrealloc (r->body, x->cap);
    }
  memcpy (r->body + r->len, p, len);
  r->len += len;
  r->body[r->len] = '\0';
  return len;
}

static void
set_header (char **slot, const char *v, size_t n)
{
  free (*slot);
  while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
    n--;
  *slot = strndup (v, n);
}

static size_t
on_header (char *p, size_t sz, size_t n, void *data)
{
  struct xfer *x = data;
  struct dock_resp *r = x->resp;
  size_t len = sz * n;
  /* a new response (after a redirect): forget the last one's headers */
  if (len > 5 && strncmp (p, "HTTP/", 5) == 0)
    {
      free (r->content_type), free (r->digest), free (r->location), free (r->www_auth), free (r->range);
      r->content_type = r->digest = r->location = r->www_auth = r->range = NULL;
      return len;
    }
  const char *colon = memchr (p, ':', len);
  if (colon == NULL)
    return len;
  size_t kl = (size_t)(colon - p);
  const char *v = colon + 1;
  while (v < p + len && (*v == ' ' || *v == '\t'))
    v++;
  size_t vl = (size_t)(p + len - v);
#define IS(k) (kl == strlen (k) && strncasecmp (p, k, kl) == 0)
  if (IS ("content-type"))
    set_header (&r->content_type, v, vl);
  else if (IS ("docker-content-digest"))
    set_header (&r->digest, v, vl);
  else if (IS ("location"))
    set_header (&r->location, v, vl);
  else if (IS ("www-authenticate"))
    set_header (&r->www_auth, v, vl);
  else if (IS ("range"))
    set_header (&r->range, v, vl);
#undef IS
  return len;
}

static size_t
on_read (char *buf, size_t sz, size_t n, void *data)
{
  struct xfer *x = data;
  size_t want = sz * n;
  if (x->up)
    {
      off_t left = x->up->len - x->up_sent;
      if ((off_t)want > left)
        want = (size_t)left;
      ssize_t r = want ? pread (x->up->fd, buf, want, x->up->off + x->up_sent) : 0;
      if (r < 0)
        return CURL_READFUNC_ABORT;
      x->up_sent += r;
      return (size_t)r;
    }
  size_t left = x->src_len - x->src_off;
  if (want > left)
    want = left;
  memcpy (buf, x->src + x->src_off, want);
  x->src_off += want;
  return want;
}

static bool
retryable (CURLcode c)
{
  return c == CURLE_COULDNT_CONNECT || c == CURLE_RECV_ERROR || c == CURLE_SEND_ERROR || c == CURLE_PARTIAL_FILE
         || c == CURLE_GOT_NOTHING || c == CURLE_OPERATION_TIMEDOUT || c == CURLE_COULDNT_RESOLVE_HOST;
}

void
dock_reg_backoff (int attempt)
{
  long ms = 200L << (attempt > 6 ? 6 : attempt - 1);
  if (getenv ("DOCK_REGISTRY_FAST_RETRY"))
    ms = 10;
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep (&ts, &ts) < 0 && errno == EINTR)
    ;
}

static int
on_xferinfo (void *data, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
  const struct dock_reg_upload *u = data;
  (void)dltotal, (void)dlnow, (void)ultotal;
  u->on_progress (u->data, (uint64_t)ulnow, (uint64_t)u->len);
  return 0;
}

/* Another thread may have renewed the auth since `sent` was used: then a 401 needs only a retry. */
static int
reauthenticate (struct dock_reg *r, const char *sent, const char *www_auth, lcr_error_t *err)
{
  pthread_mutex_lock (&r->lock);
  int rc = 0;
  bool renewed = (sent == NULL) != (r->authz == NULL) || (sent && strcmp (sent, r->authz) != 0);
  if (!renewed)
    rc = dock_reg_authenticate (r, www_auth, err);
  pthread_mutex_unlock (&r->lock);
  return rc;
}

static bool
fetching_token_here (struct dock_reg *r)
{
  pthread_mutex_lock (&r->lock);
  bool here = r->fetching_token && pthread_equal (r->token_fetcher, pthread_self ());
  pthread_mutex_unlock (&r->lock);
  return here;
}

static int
request (struct dock_reg *r, const char *method, const char *path, const char *accept, const char *content_type,
         const void *body, size_t blen, const struct dock_reg_upload *up, struct dock_resp *resp, lcr_error_t *err)
{
  cleanup_free char *url = NULL;
  if (strncmp (path, "http://", 7) == 0 || strncmp (path, "https://", 8) == 0)
    url = xstrdup (path);
  else
    xasprintf (&url, "%s%s", r->base, path);
  bool authed = false;
  for (int attempt = 1;; attempt++)
    {
      dock_resp_clear (resp);
      struct curl_slist *hdrs = NULL;
      cleanup_free char *sent = NULL;
      CURL *h = easy_handle (r, url, &hdrs, &sent);
      if (h == NULL)
        return lcr_error_invalid (err, "curl_easy_init failed");
      struct xfer x = {.resp = resp, .src = body, .src_len = blen, .up = up};
      if (accept)
        hdrs = curl_slist_append (hdrs, accept);
      if (up && up->header)
        hdrs = curl_slist_append (hdrs, up->header);
      if (content_type)
        {
          cleanup_free char *ct = NULL;
          xasprintf (&ct, "Content-Type: %s", content_type);
          hdrs = curl_slist_append (hdrs, ct);
        }
      curl_easy_setopt (h, CURLOPT_WRITEFUNCTION, on_body);
      curl_easy_setopt (h, CURLOPT_WRITEDATA, &x);
      curl_easy_setopt (h, CURLOPT_HEADERFUNCTION, on_header);
      curl_easy_setopt (h, CURLOPT_HEADERDATA, &x);
      if (strcmp (method, "HEAD") == 0)
        curl_easy_setopt (h, CURLOPT_NOBODY, 1L);
      else if (strcmp (method, "PUT") == 0 || up)
        {
          curl_easy_setopt (h, CURLOPT_UPLOAD, 1L);
          curl_easy_setopt (h, CURLOPT_READFUNCTION, on_read);
          curl_easy_setopt (h, CURLOPT_READDATA, &x);
          curl_easy_setopt (h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)(up ? up->len : (off_t)blen));
          if (strcmp (method, "PUT") != 0)
            curl_easy_setopt (h, CURLOPT_CUSTOMREQUEST, method);
          if (up && up->on_progress)
            {
              curl_easy_setopt (h, CURLOPT_NOPROGRESS, 0L);
              curl_easy_setopt (h, CURLOPT_XFERINFOFUNCTION, on_xferinfo);
              curl_easy_setopt (h, CURLOPT_XFERINFODATA, up);
            }
          /* no "Expect: 100-continue" round trip */
          hdrs = curl_slist_append (hdrs, "Expect:");
        }
      else if (strcmp (method, "POST") == 0)
        {
          curl_easy_setopt (h, CURLOPT_POST, 1L);
          curl_easy_setopt (h, CURLOPT_POSTFIELDS, body ? body : "");
          curl_easy_setopt (h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? blen : 0));
        }
      else if (strcmp (method, "GET") != 0)
        curl_easy_setopt (h, CURLOPT_CUSTOMREQUEST, method);
      /* a POST/PUT answered 3xx (an upload location) is not followed */
      if (strcmp (method, "GET") != 0 && strcmp (method, "HEAD") != 0)
        curl_easy_setopt (h, CURLOPT_FOLLOWLOCATION, 0L);
      curl_easy_setopt (h, CURLOPT_HTTPHEADER, hdrs);
      char ebuf[CURL_ERROR_SIZE] = "";
      curl_easy_setopt (h, CURLOPT_ERRORBUFFER, ebuf);
      CURLcode c = curl_easy_perform (h);
      curl_easy_getinfo (h, CURLINFO_RESPONSE_CODE, &resp->status);
      curl_slist_free_all (hdrs);
      curl_easy_cleanup (h);
      if (x.too_big)
        return lcr_error_invalid (err, "%s %s: the response is bigger than %d bytes", method, url, DOCK_REG_MAX_BODY);
      if (c != CURLE_OK)
        {
          if (retryable (c) && attempt < DOCK_REG_ATTEMPTS)
            {
              dock_reg_backoff (attempt);
              continue;
            }
          return lcr_error_make (err, 0, LCR_ERR_SYSTEM, "%s %s: %s", method, url,
                                 *ebuf ? ebuf : curl_easy_strerror (c));
        }
      if (resp->status == 401 && !authed && resp->www_auth && !fetching_token_here (r))
        {
          authed = true;
          if (reauthenticate (r, sent, resp->www_auth, err) < 0)
            return -1;
          attempt--;
          continue;
        }
      if (resp->status >= 500 && attempt < DOCK_REG_ATTEMPTS)
        {
          dock_reg_backoff (attempt);
          continue;
        }
      return 0;
    }
}

int
dock_reg_request (struct dock_reg *r, const char *method, const char *path, const char *accept,
                  const char *content_type, const void *body, size_t blen, int upload_fd, off_t upload_len,
                  struct dock_resp *resp, lcr_error_t *err)
{
  struct dock_reg_upload u = {.fd = upload_fd, .len = upload_len};
  return request (r, method, path, accept, content_type, body, blen, upload_fd >= 0 ? &u : NULL, resp, err);
}

int
dock_reg_upload (struct dock_reg *r, const char *method, const char *url, const struct dock_reg_upload *u,
                 struct dock_resp *resp, lcr_error_t *err)
{
  return request (r, method, url, NULL, "application/octet-stream", NULL, 0, u, resp, err);
}

/* ---- auth -------------------------------------------------------------------------------------- */

static void
set_basic (struct dock_reg *r)
{
  cleanup_free char *pair = NULL;
  xasprintf (&pair, "%s:%s", r->creds.user, r->creds.pass);
  cleanup_free char *b = dock_base64 (pair, strlen (pair));
  explicit_bzero (pair, strlen (pair));
  free (r->authz);
  xasprintf (&r->authz, "Authorization: Basic %s", b);
}

static void
append_param (char **url, const char *key, const char *val)
{
  char *e = curl_easy_escape (NULL, val, 0);
  char *n;
  xasprintf (&n, "%s%s%s=%s", *url, strchr (*url, '?') ? "&" : "?", key, e);
  curl_free (e);
  free (*url);
  *url = n;
}

static int authenticate (struct dock_reg *r, const char *www_auth, lcr_error_t *err);

int
dock_reg_authenticate (struct dock_reg *r, const char *www_auth, lcr_error_t *err)
{
  pthread_mutex_lock (&r->lock);
  int rc = authenticate (r, www_auth, err);
  pthread_mutex_unlock (&r->lock);
  return rc;
}

static int
authenticate (struct dock_reg *r, const char *www_auth, lcr_error_t *err)
{
  struct dock_challenge c;
  if (dock_challenge_parse (www_auth, &c, err) < 0)
    return lcr_error_wrap (err, "%s", r->domain);
  if (!r->creds_loaded)
    {
      if (dock_creds_get (r->domain, &r->creds, err) < 0)
        {
          dock_challenge_clear (&c);
          return -1;
        }
      r->creds_loaded = true;
    }
  int ret = -1;
  if (strcmp (c.scheme, "basic") == 0)
    {
      if (r->creds.user == NULL)
        lcr_error_make (err, 0, LCR_ERR_INVALID, "%s: unauthorized: authentication required", r->domain);
      else
        {
          set_basic (r);
          ret = 0;
        }
      dock_challenge_clear (&c);
      return ret;
    }
  /* Bearer: a token from the realm for the scopes we need (and the one the challenge names) */
  cleanup_free char *url = xstrdup (c.realm);
  if (strncmp (url, "https://", 8) != 0 && strncmp (url, "http://", 7) != 0)
    {
      dock_challenge_clear (&c);
      return lcr_error_invalid (err, "%s: the token realm `%s` is not an http(s) URL", r->domain, url);
    }
  if (c.service)
    append_param (&url, "service", c.service);
  bool have_challenge_scope = false;
  if (r->scope)
    {
      cleanup_free char *dup = xstrdup (r->scope);
      char *save = NULL;
      for (char *t = strtok_r (dup, " ", &save); t; t = strtok_r (NULL, " ", &save))
        {
          append_param (&url, "scope", t);
          if (c.scope && strcmp (c.scope, t) == 0)
            have_challenge_scope = true;
        }
    }
  if (c.scope && !have_challenge_scope)
    append_param (&url, "scope", c.scope);
  dock_challenge_clear (&c);
  /* the token request goes to the realm with the user's credentials (or none) */
  cleanup_jv jv tok = NULL;
  cleanup_free char *saved = r->authz;
  r->authz = NULL;
  if (r->creds.user)
    set_basic (r);
  struct dock_resp tr = {0};
  r->fetching_token = true;
  r->token_fetcher = pthread_self ();
  int rr = dock_reg_request (r, "GET", url, NULL, NULL, NULL, 0, -1, 0, &tr, err);
  r->fetching_token = false;
  free (r->authz);
  r->authz = NULL;
  if (rr < 0)
    goto out;
  if (tr.status == 401 || tr.status == 403)
    {
      lcr_error_make (err, 0, LCR_ERR_INVALID, "%s: unauthorized: %s", r->domain,
                      r->creds.user ? "incorrect username or password" : "authentication required");
      goto out;
    }
  if (tr.status != 200)
    {
      dock_reg_fail (r, "get a token", &tr, err);
      goto out;
    }
  tok = jv_parse (tr.body ? tr.body : "", tr.len, "the token response", err);
  if (tok == NULL)
    goto out;
  const char *t = jv_get_str (tok, "token");
  if (t == NULL || *t == '\0')
    t = jv_get_str (tok, "access_token");
  if (t == NULL || *t == '\0' || strpbrk (t, "\r\n"))
    {
      lcr_error_invalid (err, "%s: the token response has no token", r->domain);
      goto out;
    }
  xasprintf (&r->authz, "Authorization: Bearer %s", t);
  ret = 0;
out:
  dock_resp_clear (&tr);
  if (saved)
    explicit_bzero (saved, strlen (saved));
  return ret;
}

char *
dock_reg_error_text (const struct dock_resp *resp)
{
  if (resp->body && resp->len)
    {
      lcr_error_t ignored = NULL;
      cleanup_jv jv v = jv_parse (resp->body, resp->len, "error", &ignored);
      lcr_error_release (&ignored);
      jv errs = jv_get_arr (v, "errors");
      if (jv_len (errs) > 0)
        {
          jv e = errs->u.array.values[0];
          const char *code = jv_get_str (e, "code"), *msg = jv_get_str (e, "message");
          char *s;
          xasprintf (&s, "%s%s%s", code ? code : "", code && msg ? ": " : "", msg ? msg : "");
          /* docker shows the code in lowercase: "unauthorized: authentication required" */
          for (char *p = s; code && p < s + strlen (code); p++)
            *p = (char)tolower ((unsigned char)*p);
          return s;
        }
    }
  char *s;
  xasprintf (&s, "HTTP status %ld", resp->status);
  return s;
}

int
dock_reg_fail (struct dock_reg *r, const char *what, const struct dock_resp *resp, lcr_error_t *err)
{
  cleanup_free char *t = dock_reg_error_text (resp);
  cleanup_free char *shown = lcr_escape_controls (t);
  return lcr_error_make (err, 0, resp->status == 404 ? LCR_ERR_NOT_FOUND : LCR_ERR_INVALID, "%s: %s: %s", r->domain,
                         what, shown);
}
