/* dock — registry credentials where docker keeps them.
 *
 *   $DOCKER_CONFIG/config.json (else ~/.docker/config.json):
 *     {"auths": {"HOST": {"auth": base64("user:pass")}},   docker.io as "https://index.docker.io/v1/"
 *      "credsStore": "NAME",                               every registry through a helper
 *      "credHelpers": {"HOST": "NAME"}}                    one registry through a helper
 *
 * A helper is `docker-credential-NAME get|store|erase`, talking JSON on stdin/stdout as docker's
 * credential helper protocol says.  Other keys of config.json are kept as they are.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "registry/reg-internal.h"

#define DOCKER_HUB_KEY "https://index.docker.io/v1/"

void
dock_creds_clear (struct dock_creds *c)
{
  if (c->pass)
    explicit_bzero (c->pass, strlen (c->pass));
  free (c->user);
  free (c->pass);
  c->user = c->pass = NULL;
}

char *
dock_creds_config_path (void)
{
  char *p;
  const char *d = getenv ("DOCKER_CONFIG");
  if (d && *d)
    xasprintf (&p, "%s/config.json", d);
  else
    xasprintf (&p, "%s/.docker/config.json", getenv ("HOME") ? getenv ("HOME") : "/root");
  return p;
}

static bool
is_hub (const char *host)
{
  return strcmp (host, "docker.io") == 0 || strcmp (host, "index.docker.io") == 0
         || strcmp (host, "registry-1.docker.io") == 0;
}

const char *
dock_creds_server_key (const char *host)
{
  return is_hub (host) ? DOCKER_HUB_KEY : host;
}

/* "https://host:5000/v1/" → "host:5000" */
static char *
key_host (const char *key)
{
  const char *p = strstr (key, "://");
  p = p ? p + 3 : key;
  return strndup (p, strcspn (p, "/"));
}

char *
dock_base64 (const char *s, size_t len)
{
  char *out = xmalloc0 (4 * ((len + 2) / 3) + 1);
  EVP_EncodeBlock ((unsigned char *)out, (const unsigned char *)s, (int)len);
  return out;
}

char *
dock_unbase64 (const char *s, size_t *len)
{
  size_t n = strlen (s);
  if (n % 4 != 0 || n > 65536)
    return NULL;
  unsigned char *out = xmalloc0 (n / 4 * 3 + 1);
  int r = EVP_DecodeBlock (out, (const unsigned char *)s, (int)n);
  if (r < 0)
    {
      free (out);
      return NULL;
    }
  /* EVP_DecodeBlock counts the padding as output */
  while (n > 0 && s[n - 1] == '=')
    n--, r--;
  out[r] = '\0';
  *len = (size_t)r;
  return (char *)out;
}

static jv
load_config (lcr_error_t *err)
{
  cleanup_free char *p = dock_creds_config_path ();
  cleanup_free char *buf = NULL;
  size_t len;
  if (lcr_read_file (p, &buf, &len, err) < 0)
    {
      if ((*err)->errno_ != ENOENT)
        return NULL;
      lcr_error_release (err);
      return jv_obj ();
    }
  jv v = jv_parse (buf, len, p, err);
  if (v && v->type != yajl_t_object)
    {
      jv_free (v);
      lcr_error_invalid (err, "%s: not a JSON object", p);
      return NULL;
    }
  return v;
}

static int
save_config (jv cfg, lcr_error_t *err)
{
  cleanup_free char *p = dock_creds_config_path ();
  cleanup_free char *dir = strndup (p, strrchr (p, '/') - p);
  if (lcr_mkdir_p (dir, 0700, err) < 0)
    return -1;
  cleanup_close int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return lcr_error_sys (err, "open `%s`", dir);
  /* docker writes it 0600: it holds passwords */
  cleanup_free char *text = jv_dump (cfg, true);
  return dock_write_atomic_at (dfd, "config.json", text, strlen (text), err);
}

/* the helper for a host, or NULL */
static const char *
helper_for (jv cfg, const char *host)
{
  jv helpers = jv_get_obj (cfg, "credHelpers");
  for (size_t i = 0; i < jv_len (helpers); i++)
    {
      cleanup_free char *h = key_host (helpers->u.object.keys[i]);
      if (strcmp (h, host) == 0 || (is_hub (h) && is_hub (host)))
        return jv_as_str (helpers->u.object.values[i]);
    }
  const char *store = jv_get_str (cfg, "credsStore");
  return store && *store ? store : NULL;
}

/* Run docker-credential-NAME ACTION with `input` on stdin; its stdout in *out. */
static int
run_helper (const char *name, const char *action, const char *input, char **out, lcr_error_t *err)
{
  cleanup_free char *prog = NULL;
  xasprintf (&prog, "docker-credential-%s", name);
  int in[2], o[2];
  if (pipe2 (in, O_CLOEXEC) < 0)
    return lcr_error_sys (err, "pipe");
  if (pipe2 (o, O_CLOEXEC) < 0)
    {
      close (in[0]), close (in[1]);
      return lcr_error_sys (err, "pipe");
    }
  pid_t pid = fork ();
  if (pid < 0)
    {
      close (in[0]), close (in[1]), close (o[0]), close (o[1]);
      return lcr_error_sys (err, "fork");
    }
  if (pid == 0)
    {
      dup2 (in[0], 0);
      dup2 (o[1], 1);
      execlp (prog, prog, action, (char *)NULL);
      _exit (127);
    }
  close (in[0]);
  close (o[1]);
  void (*old) (int) = signal (SIGPIPE, SIG_IGN);
  lcr_write_all (in[1], input, strlen (input));
  close (in[1]);
  signal (SIGPIPE, old);
  size_t cap = 4096, n = 0;
  char *buf = xmalloc0 (cap);
  for (;;)
    {
      if (n + 1 >= cap)
        {
          if (cap > (1 << 20))
            break;
          buf = xrealloc (buf, cap *= 2);
        }
      ssize_t r = read (o[0], buf + n, cap - n - 1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        break;
      n += (size_t)r;
    }
  buf[n] = '\0';
  close (o[0]);
  int st;
  while (waitpid (pid, &st, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED (st) || WEXITSTATUS (st) != 0)
    {
      int code = WIFEXITED (st) ? WEXITSTATUS (st) : 128;
      /* a helper says "credentials not found in native keychain" for an unknown server */
      buf[strcspn (buf, "\n")] = '\0';
      lcr_error_make (err, 0, strstr (buf, "not found") ? LCR_ERR_NOT_FOUND : LCR_ERR_SYSTEM, "%s %s: %s", prog, action,
                      code == 127 ? "not found or failed to run"
                      : *buf      ? buf
                                  : "failed");
      free (buf);
      return -1;
    }
  *out = buf;
  return 0;
}

static char *
server_url (const char *host)
{
  return xstrdup (dock_creds_server_key (host));
}

int
dock_creds_get (const char *host, struct dock_creds *out, lcr_error_t *err)
{
  memset (out, 0, sizeof *out);
  cleanup_jv jv cfg = load_config (err);
  if (cfg == NULL)
    return -1;
  const char *helper = helper_for (cfg, host);
  if (helper)
    {
      cleanup_free char *url = server_url (host);
      cleanup_free char *text = NULL;
      if (run_helper (helper, "get", url, &text, err) < 0)
        {
          if ((*err)->code == LCR_ERR_NOT_FOUND)
            {
              lcr_error_release (err);
              return 0;
            }
          return -1;
        }
      cleanup_jv jv v = jv_parse (text, strlen (text), "credential helper output", err);
      if (v == NULL)
        return -1;
      const char *u = jv_get_str (v, "Username"), *s = jv_get_str (v, "Secret");
      if (u && s && *s)
        {
          out->user = xstrdup (u);
          out->pass = xstrdup (s);
        }
      return 0;
    }
  jv auths = jv_get_obj (cfg, "auths");
  for (size_t i = 0; i < jv_len (auths); i++)
    {
      cleanup_free char *h = key_host (auths->u.object.keys[i]);
      if (!(strcmp (h, host) == 0 || (is_hub (h) && is_hub (host))))
        continue;
      jv a = auths->u.object.values[i];
      const char *b64 = jv_get_str (a, "auth");
      if (b64 && *b64)
        {
          size_t len;
          cleanup_free char *dec = dock_unbase64 (b64, &len);
          char *colon = dec ? memchr (dec, ':', len) : NULL;
          if (colon == NULL)
            return lcr_error_invalid (err, "config.json: the auth of `%s` is not base64 of user:password",
                                      auths->u.object.keys[i]);
          out->user = strndup (dec, colon - dec);
          out->pass = xstrdup (colon + 1);
          explicit_bzero (dec, len);
          return 0;
        }
      const char *u = jv_get_str (a, "username"), *p = jv_get_str (a, "password");
      if (u && p)
        {
          out->user = xstrdup (u);
          out->pass = xstrdup (p);
          return 0;
        }
    }
  return 0;
}

int
dock_creds_store (const char *host, const char *user, const char *pass, lcr_error_t *err)
{
  cleanup_jv jv cfg = load_config (err);
  if (cfg == NULL)
    return -1;
  const char *helper = helper_for (cfg, host);
  if (helper)
    {
      cleanup_jv jv in = jv_obj ();
      jv_set (in, "ServerURL", jv_str (dock_creds_server_key (host)));
      jv_set (in, "Username", jv_str (user));
      jv_set (in, "Secret", jv_str (pass));
      cleanup_free char *text = jv_dump (in, false);
      cleanup_free char *outp = NULL;
      int r = run_helper (helper, "store", text, &outp, err);
      explicit_bzero (text, strlen (text));
      if (r < 0)
        return -1;
      /* docker keeps an empty entry in auths, so `docker login` lists the server */
      jv_set (jv_child_obj (cfg, "auths"), dock_creds_server_key (host), jv_obj ());
      return save_config (cfg, err);
    }
  cleanup_free char *pair = NULL;
  xasprintf (&pair, "%s:%s", user, pass);
  cleanup_free char *b64 = dock_base64 (pair, strlen (pair));
  explicit_bzero (pair, strlen (pair));
  jv e = jv_set (jv_child_obj (cfg, "auths"), dock_creds_server_key (host), jv_obj ());
  jv_set (e, "auth", jv_str (b64));
  return save_config (cfg, err);
}

int
dock_creds_erase (const char *host, lcr_error_t *err)
{
  cleanup_jv jv cfg = load_config (err);
  if (cfg == NULL)
    return -1;
  int found = 0;
  const char *helper = helper_for (cfg, host);
  if (helper)
    {
      cleanup_free char *outp = NULL;
      if (run_helper (helper, "erase", dock_creds_server_key (host), &outp, err) == 0)
        found = 1;
      else
        lcr_error_release (err);
    }
  jv auths = jv_get_obj (cfg, "auths");
  for (size_t i = jv_len (auths); i-- > 0;)
    {
      cleanup_free char *h = key_host (auths->u.object.keys[i]);
      if (strcmp (h, host) == 0 || (is_hub (h) && is_hub (host)))
        {
          cleanup_free char *k = xstrdup (auths->u.object.keys[i]);
          jv_del (auths, k);
          found = 1;
        }
    }
  if (found && save_config (cfg, err) < 0)
    return -1;
  return found;
}
