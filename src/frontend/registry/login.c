/* dock — `dock login` / `dock logout`: credentials checked against the registry's /v2/ (the
 * challenge it answers with says how: Basic, or a token from its realm), then kept in docker's
 * config.json or its credential helper.  A refused login saves nothing. */
#define _GNU_SOURCE
#include <string.h>

#include "registry/reg-internal.h"
#include "registry/registry.h"

/* "https://host:5000/v1/" → "host:5000"; NULL and Docker Hub's names → "docker.io" */
static char *
server_host (const char *server)
{
  if (server == NULL || *server == '\0')
    return xstrdup ("docker.io");
  const char *p = strstr (server, "://");
  p = p ? p + 3 : server;
  char *h = strndup (p, strcspn (p, "/"));
  if (strcmp (h, "index.docker.io") == 0 || strcmp (h, "registry-1.docker.io") == 0)
    {
      free (h);
      h = xstrdup ("docker.io");
    }
  return h;
}

int
dock_registry_login (struct dock_ctx *ctx, const char *server, const char *user, const char *pass, FILE *out,
                     lcr_error_t *err)
{
  (void)ctx;
  cleanup_free char *host = server_host (server);
  cleanup_reg struct dock_reg *reg = NULL;
  if (dock_reg_open (host, NULL, &reg, err) < 0)
    return -1;
  reg->creds.user = xstrdup (user);
  reg->creds.pass = xstrdup (pass);
  reg->creds_loaded = true;
  struct dock_resp r = {0};
  if (dock_reg_request (reg, "GET", "/v2/", NULL, NULL, NULL, 0, -1, 0, &r, err) < 0)
    return lcr_error_wrap (err, "login to %s", host);
  if (r.status == 401)
    {
      dock_resp_clear (&r);
      return lcr_error_make (err, 0, LCR_ERR_INVALID, "login to %s: unauthorized: incorrect username or password",
                             host);
    }
  if (r.status != 200)
    {
      dock_reg_fail (reg, "login", &r, err);
      dock_resp_clear (&r);
      return -1;
    }
  dock_resp_clear (&r);
  if (dock_creds_store (host, user, pass, err) < 0)
    return lcr_error_wrap (err, "save the credentials");
  fprintf (out, "Login Succeeded\n");
  return 0;
}

int
dock_registry_logout (struct dock_ctx *ctx, const char *server, FILE *out, lcr_error_t *err)
{
  (void)ctx;
  cleanup_free char *host = server_host (server);
  int r = dock_creds_erase (host, err);
  if (r < 0)
    return -1;
  const char *shown = dock_creds_server_key (host);
  if (r == 0)
    fprintf (out, "Not logged in to %s\n", shown);
  else
    fprintf (out, "Removing login credentials for %s\n", shown);
  return 0;
}
