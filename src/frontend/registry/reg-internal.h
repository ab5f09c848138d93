/* dock — the registry client's parts, shared by pull, push and login.
 *
 *   client.c     one registry: its base URL (https, or http for loopback and insecure hosts),
 *                TLS (system CAs + /etc/docker/certs.d/HOST/), requests with retries, auth
 *   challenge.c  WWW-Authenticate parsing (pure: fuzzed)
 *   creds.c      credentials: config.json auths, credsStore / credHelpers
 *
 * Auth as the distribution spec has it: a request answered 401 carries a challenge; "Basic"
 * means resend with the user's credentials, "Bearer realm=… service=… scope=…" means get a
 * token from the realm (with the credentials as Basic, when there are any) and resend with it.
 * A token that expires is fetched again on the next 401.
 */
#ifndef DOCK_REG_INTERNAL_H
#define DOCK_REG_INTERNAL_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "dock.h"

struct dock_challenge
{
  char scheme[16]; /* "basic" or "bearer", lowercase */
  char *realm, *service, *scope;
};
/* Parse a WWW-Authenticate value; the first challenge whose scheme is Basic or Bearer. */
int dock_challenge_parse (const char *text, struct dock_challenge *c, lcr_error_t *err);
void dock_challenge_clear (struct dock_challenge *c);

struct dock_creds
{
  char *user, *pass; /* both NULL: anonymous */
};
void dock_creds_clear (struct dock_creds *c);
/* docker's config.json path: $DOCKER_CONFIG/config.json, else ~/.docker/config.json */
char *dock_creds_config_path (void);
/* the key docker files a registry under: "https://index.docker.io/v1/" for docker.io, else the host */
const char *dock_creds_server_key (const char *host);
/* Credentials for a registry host from the helpers or auths; none is not an error. */
int dock_creds_get (const char *host, struct dock_creds *out, lcr_error_t *err);
int dock_creds_store (const char *host, const char *user, const char *pass, lcr_error_t *err);
/* 1 when something was removed, 0 when there was nothing */
int dock_creds_erase (const char *host, lcr_error_t *err);
char *dock_base64 (const char *s, size_t len);
char *dock_unbase64 (const char *s, size_t *len);

struct dock_reg
{
  char *domain; /* as in the reference: "docker.io", "127.0.0.1:5000" */
  char *host;   /* where to connect: "registry-1.docker.io" for docker.io */
  char *base;   /* "https://HOST" or "http://HOST" */
  char *scope;  /* the token scopes to ask for, space-separated */
  char *authz;  /* the Authorization header line in use, or NULL */
  struct dock_creds creds;
  bool creds_loaded;
  /* Requests may come from several threads (push uploads in parallel): `lock` (recursive, as
     the token request is itself a request) guards authz, creds and token fetching. */
  pthread_mutex_t lock;
  pthread_t token_fetcher; /* the thread fetching a token: its 401 is an answer, not a challenge */
  bool fetching_token;
  char *ca_dir; /* /etc/docker/certs.d/HOST when it exists */
  struct curl_blob ca_blob;
  char *ca_buf;
};

int dock_reg_open (const char *domain, const char *scope, struct dock_reg **out, lcr_error_t *err);
void dock_reg_free (struct dock_reg *r);
static inline void
cleanup_reg_fn (struct dock_reg **r)
{
  if (*r)
    dock_reg_free (*r);
}
#define cleanup_reg __attribute__ ((cleanup (cleanup_reg_fn)))

/* A handle with the registry's TLS settings, user agent, proxies from the environment and, when
   there is one, the Authorization header (appended to *headers, which the caller frees). */
CURL *dock_reg_easy (struct dock_reg *r, const char *url, struct curl_slist **headers);
/* docker's proxy variables: libcurl reads http_proxy, https_proxy, no_proxy and their
   uppercase forms but for HTTP_PROXY (ignored for CGI's sake); docker reads both forms, so
   HTTP_PROXY is given to libcurl when http_proxy is unset. */
void dock_reg_proxy (CURL *h, const char *url);

struct dock_resp
{
  long status;
  char *body;
  size_t len;
  char *content_type, *digest, *location, *www_auth, *range;
};
void dock_resp_clear (struct dock_resp *r);

#define DOCK_REG_MAX_BODY (8 << 20)

/* One request to PATH (under base, or an absolute URL), answered in full: the body (at most
   DOCK_REG_MAX_BODY) and the headers that matter.  Resent after a 401 once auth is had, and after
   5xx or a dropped connection with backoff.  `upload_fd` >= 0 is the body (from offset 0,
   `upload_len` bytes); else `body`/`blen`.  `accept`: an Accept header line or NULL.  A status
   that is not one of 2xx/3xx/401/404 is not an error here: callers look at resp->status. */
int dock_reg_request (struct dock_reg *r, const char *method, const char *path, const char *accept,
                      const char *content_type, const void *body, size_t blen, int upload_fd, off_t upload_len,
                      struct dock_resp *resp, lcr_error_t *err);
/* An upload of part of a file (a blob, or a chunk of one): `len` bytes from `off`, with an
   extra header line (Content-Range) and a hook told of the bytes sent so far. */
struct dock_reg_upload
{
  int fd;
  off_t off, len;
  const char *header;
  void (*on_progress) (void *data, uint64_t sent, uint64_t total);
  void *data;
};
int dock_reg_upload (struct dock_reg *r, const char *method, const char *url, const struct dock_reg_upload *u,
                     struct dock_resp *resp, lcr_error_t *err);
/* After a 401 (resp's challenge): get auth for the next request.  -1 when none can be had. */
int dock_reg_authenticate (struct dock_reg *r, const char *www_auth, lcr_error_t *err);
/* The registry's error text from a JSON error body ("unauthorized: authentication required"). */
char *dock_reg_error_text (const struct dock_resp *resp);
/* "METHOD URL: STATUS: text" as an error */
int dock_reg_fail (struct dock_reg *r, const char *what, const struct dock_resp *resp, lcr_error_t *err);
/* backoff before attempt n (1, 2, …): 0.2 s, 0.4 s, 0.8 s, … */
void dock_reg_backoff (int attempt);
#define DOCK_REG_ATTEMPTS 5

/* loopback or configured insecure ($DOCK_INSECURE_REGISTRIES, daemon.json insecure-registries) */
bool dock_reg_insecure (const char *host);

/* A normalised reference's parts: "127.0.0.1:5000/a/b:t" → domain "127.0.0.1:5000", path "a/b",
   tag "t" (NULL with a digest), digest NULL or "sha256:…".  Free with dock_ref_parts_clear. */
struct dock_ref_parts
{
  char *norm, *domain, *path, *tag, *digest;
};
int dock_ref_split (const char *ref, struct dock_ref_parts *p, lcr_error_t *err);
void dock_ref_parts_clear (struct dock_ref_parts *p);

/* Under the store's lock: tag `id` as `tag` (may be NULL) and record `repo_digest`
   ("domain/path@sha256:…") in its repoDigests, replacing one of the same repository. */
int dock_reg_record (struct dock_ctx *ctx, const char *id, const char *tag, const char *repo_digest, lcr_error_t *err);

#endif
