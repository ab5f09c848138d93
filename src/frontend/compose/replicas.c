/* dock compose — how many containers a service runs, and the host ports they publish.
 *
 * A fixed host port can be published once: two services (or two replicas of one) asking for
 * the same one would make the second `create` fail half way through an `up`, so the clash is
 * found in the model, before anything is created.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose/compose.h"

static int
parse_count (const char *s, long *n)
{
  char *end = NULL;
  errno = 0;
  long v = strtol (s, &end, 10);
  if (errno || end == s || *end || v < 0 || v > 10000)
    return -1;
  *n = v;
  return 0;
}

int
compose_service_scale (struct compose_project *p, const char *service, long *n, lcr_error_t *err)
{
  jv s = jv_get_obj (jv_get_obj (p->model, "services"), service);
  const char *scale = jv_get_str (s, "scale");
  const char *replicas = jv_get_str (jv_get_obj (s, "deploy"), "replicas");
  long a = 1, b = 1;
  cleanup_free char *ks = NULL, *kr = NULL;
  xasprintf (&ks, "services.%s.scale", service);
  xasprintf (&kr, "services.%s.deploy.replicas", service);
  if (scale && parse_count (scale, &a) < 0)
    {
      cleanup_free char *at = compose_where (p, ks);
      return lcr_error_invalid (err, "%sservice \"%s\": scale must be a number of containers, not \"%s\"", at, service,
                                scale);
    }
  if (replicas && parse_count (replicas, &b) < 0)
    {
      cleanup_free char *at = compose_where (p, kr);
      return lcr_error_invalid (err, "%sservice \"%s\": deploy.replicas must be a number of containers, not \"%s\"", at,
                                service, replicas);
    }
  if (scale && replicas && a != b)
    {
      cleanup_free char *at = compose_where (p, ks);
      return lcr_error_invalid (err, "%sservice \"%s\": scale (%ld) and deploy.replicas (%ld) disagree", at, service, a,
                                b);
    }
  *n = scale ? a : b;
  if (*n > 1 && jv_get_str (s, "container_name"))
    {
      cleanup_free char *key = NULL;
      xasprintf (&key, "services.%s.container_name", service);
      cleanup_free char *at = compose_where (p, key);
      return lcr_error_invalid (err,
                                "%sservice \"%s\": container_name \"%s\" cannot be used with %ld replicas (a "
                                "container's name is unique)",
                                at, service, jv_get_str (s, "container_name"), *n);
    }
  return 0;
}

struct published
{
  char ip[64];
  long first, last;
  char proto[8];
};

/* "[IP:][HOST[-END]:]CONTAINER[/PROTO]": the host side, if any */
static bool
parse_published (const char *spec, struct published *out)
{
  cleanup_free char *s = xstrdup (spec);
  *out = (struct published){.proto = "tcp"};
  char *slash = strrchr (s, '/');
  if (slash)
    {
      *slash = '\0';
      snprintf (out->proto, sizeof out->proto, "%s", slash + 1);
    }
  char *last = strrchr (s, ':');
  if (last == NULL)
    return false; /* only the container's port: the host picks one */
  *last = '\0';
  char *host = strrchr (s, ':');
  if (host)
    {
      *host++ = '\0';
      snprintf (out->ip, sizeof out->ip, "%s", s);
    }
  else
    host = s;
  if (*host == '\0')
    return false;
  char *end = NULL;
  out->first = strtol (host, &end, 10);
  out->last = out->first;
  if (*end == '-')
    out->last = strtol (end + 1, &end, 10);
  if (*end || out->first <= 0 || out->last < out->first)
    return false; /* dock create says what is wrong with it */
  if (strcmp (out->ip, "0.0.0.0") == 0 || strcmp (out->ip, "::") == 0 || strcmp (out->ip, "[::]") == 0)
    out->ip[0] = '\0';
  return true;
}

static bool
clash (const struct published *a, const struct published *b)
{
  return strcmp (a->proto, b->proto) == 0 && a->first <= b->last && b->first <= a->last
         && (a->ip[0] == '\0' || b->ip[0] == '\0' || strcmp (a->ip, b->ip) == 0);
}

int
compose_check_ports (struct compose_project *p, lcr_error_t *err)
{
  jv services = jv_get_obj (p->model, "services");
  size_t n = 0, cap = 0;
  struct seen
  {
    struct published pub;
    const char *service;
    const char *spec;
  } *seen = NULL;
  int rc = 0;
  for (size_t i = 0; rc == 0 && services && i < services->u.object.len; i++)
    {
      const char *name = services->u.object.keys[i];
      jv ports = jv_get_arr (services->u.object.values[i], "ports");
      long replicas = 1;
      if (compose_service_scale (p, name, &replicas, err) < 0)
        {
          rc = -1;
          break;
        }
      for (size_t j = 0; rc == 0 && ports && j < ports->u.array.len; j++)
        {
          struct published pub;
          const char *spec = jv_as_str (ports->u.array.values[j]);
          if (spec == NULL || !parse_published (spec, &pub))
            continue;
          /* a range gives each replica one of its ports; a single port is one replica's */
          if (replicas > 1 && pub.last - pub.first + 1 < replicas)
            {
              cleanup_free char *key = NULL;
              xasprintf (&key, "services.%s.ports", name);
              cleanup_free char *at = compose_where (p, key);
              rc = lcr_error_invalid (err,
                                      "%sport clash: service \"%s\" runs %ld replicas, but host port %s can be "
                                      "published by only one of them",
                                      at, name, replicas, spec);
              break;
            }
          for (size_t k = 0; k < n; k++)
            if (clash (&seen[k].pub, &pub))
              {
                cleanup_free char *key = NULL;
                xasprintf (&key, "services.%s.ports", name);
                cleanup_free char *at = compose_where (p, key);
                rc = lcr_error_invalid (err, "%sport clash: service \"%s\" publishes %s, and service \"%s\" %s", at,
                                        name, spec, seen[k].service, seen[k].spec);
                break;
              }
          if (n == cap)
            {
              cap = cap ? cap * 2 : 8;
              seen = xrealloc (seen, cap * sizeof *seen);
            }
          seen[n++] = (struct seen){pub, name, spec};
        }
    }
  free (seen);
  return rc;
}
