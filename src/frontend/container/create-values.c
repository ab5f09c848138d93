/* dock — the value syntaxes of `create`/`run` flags: ports, volumes, mounts, devices, ulimits,
 * hosts, environment and label files.  Each parser checks what docker's CLI (and, where dock
 * plays its daemon, docker's daemon) checks, with their messages.
 */
#define _GNU_SOURCE
#include "container/create-internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"

int
dock_flag_error (lcr_error_t *err, const char *flag, const char *value, const char *fmt, ...)
{
  cleanup_free char *why = NULL;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&why, fmt, ap) < 0)
    why = NULL;
  va_end (ap);
  return lcr_error_invalid (err, "invalid argument \"%s\" for \"%s\" flag: %s", value, flag, why ? why : "");
}

int
dock_flag_int (const char *flag, const char *value, long long *out, lcr_error_t *err)
{
  char *end;
  errno = 0;
  long long n = strtoll (value, &end, 10);
  if (errno == ERANGE)
    return dock_flag_error (err, flag, value, "strconv.ParseInt: parsing \"%s\": value out of range", value);
  if (end == value || *end)
    return dock_flag_error (err, flag, value, "strconv.ParseInt: parsing \"%s\": invalid syntax", value);
  *out = n;
  return 0;
}

/* ---- ports ------------------------------------------------------------------------------ */

static int
parse_range (const char *s, long long *lo, long long *hi)
{
  /* "80" or "8000-8010", each 1..65535 */
  char *end;
  if (!isdigit ((unsigned char)*s))
    return -1;
  *lo = strtoll (s, &end, 10);
  *hi = *lo;
  if (*end == '-')
    {
      const char *p = end + 1;
      if (!isdigit ((unsigned char)*p))
        return -1;
      *hi = strtoll (p, &end, 10);
    }
  if (*end || *lo < 1 || *lo > 65535 || *hi < *lo || *hi > 65535)
    return -1;
  return 0;
}

static int
split_proto (const char *spec, char **port, const char **proto, lcr_error_t *err)
{
  const char *slash = strrchr (spec, '/');
  *proto = "tcp";
  if (slash)
    {
      *proto = slash + 1;
      if (strcmp (*proto, "tcp") != 0 && strcmp (*proto, "udp") != 0 && strcmp (*proto, "sctp") != 0)
        return lcr_error_invalid (err, "invalid proto: %s", *proto);
    }
  *port = slash ? strndup (spec, (size_t)(slash - spec)) : xstrdup (spec);
  return 0;
}

int
dock_parse_expose (const char *spec, jv exposed, lcr_error_t *err)
{
  cleanup_free char *port = NULL;
  const char *proto;
  if (split_proto (spec, &port, &proto, err) < 0)
    return -1;
  long long lo, hi;
  if (parse_range (port, &lo, &hi) < 0)
    return lcr_error_invalid (err, "invalid range format for --expose: %s", spec);
  for (long long p = lo; p <= hi; p++)
    {
      char key[32];
      snprintf (key, sizeof key, "%lld/%s", p, proto);
      jv_set (exposed, key, jv_obj ());
    }
  return 0;
}

int
dock_parse_publish (const char *spec, jv exposed, jv bindings, lcr_error_t *err)
{
  cleanup_free char *rest = NULL;
  const char *proto;
  if (split_proto (spec, &rest, &proto, err) < 0)
    return -1;
  /* [ip:][hostPort:]containerPort: the last field is the container's port, the one before it
     the host's, and everything before that the address (so IPv6 "[::1]:80:80" works) */
  char *last = strrchr (rest, ':');
  const char *cport = last ? last + 1 : rest;
  const char *hport = "";
  const char *ip = "";
  if (last)
    {
      *last = '\0';
      char *prev = strrchr (rest, ':');
      if (prev)
        {
          *prev = '\0';
          hport = prev + 1;
          ip = rest;
        }
      else
        hport = rest;
    }
  cleanup_free char *ipbuf = NULL;
  if (*ip)
    {
      size_t n = strlen (ip);
      if (ip[0] == '[' && n > 1 && ip[n - 1] == ']')
        ipbuf = strndup (ip + 1, n - 2);
      else
        ipbuf = xstrdup (ip);
      unsigned char a[16];
      if (inet_pton (AF_INET, ipbuf, a) != 1 && inet_pton (AF_INET6, ipbuf, a) != 1)
        return dock_flag_error (err, "-p, --publish", spec, "invalid IP address: %s", ip);
    }
  if (*cport == '\0')
    return dock_flag_error (err, "-p, --publish", spec, "no port specified: %s<empty>", spec);
  long long clo, chi, hlo = 0, hhi = 0;
  if (parse_range (cport, &clo, &chi) < 0)
    return dock_flag_error (err, "-p, --publish", spec, "invalid containerPort: %s", cport);
  if (*hport && parse_range (hport, &hlo, &hhi) < 0)
    return dock_flag_error (err, "-p, --publish", spec, "invalid hostPort: %s", hport);
  bool host_range_for_one = false;
  if (*hport && chi - clo != hhi - hlo)
    {
      /* a host range for one container port: the host port is picked from the range */
      if (chi != clo)
        return dock_flag_error (err, "-p, --publish", spec,
                                "invalid ranges specified for container and host Ports: %s and %s", cport, hport);
      host_range_for_one = true;
    }
  for (long long p = clo; p <= chi; p++)
    {
      char key[32], host[32] = "";
      snprintf (key, sizeof key, "%lld/%s", p, proto);
      if (host_range_for_one)
        snprintf (host, sizeof host, "%s", hport);
      else if (*hport)
        snprintf (host, sizeof host, "%lld", hlo + (p - clo));
      jv_set (exposed, key, jv_obj ());
      jv list = jv_child_arr (bindings, key);
      jv b = jv_push (list, jv_obj ());
      jv_set (b, "HostIp", jv_str (ipbuf ? ipbuf : ""));
      jv_set (b, "HostPort", jv_str (host));
    }
  return 0;
}

/* ---- volumes and mounts ------------------------------------------------------------------- */

static bool
valid_volume_name (const char *s)
{
  if (!isalnum ((unsigned char)s[0]) || s[1] == '\0')
    return false;
  for (; *s; s++)
    if (!isalnum ((unsigned char)*s) && *s != '_' && *s != '.' && *s != '-')
      return false;
  return true;
}

static bool
one_of (const char *s, size_t n, const char *const *set)
{
  for (; *set; set++)
    if (strlen (*set) == n && strncmp (s, *set, n) == 0)
      return true;
  return false;
}

/* A -v mode list ("ro,z,rshared,nocopy"): at most one of each kind. */
static bool
valid_mode (const char *mode, bool named)
{
  static const char *const rw[] = {"ro", "rw", NULL};
  static const char *const label[] = {"z", "Z", NULL};
  static const char *const prop[] = {"shared", "rshared", "slave", "rslave", "private", "rprivate", NULL};
  static const char *const consistency[] = {"consistent", "cached", "delegated", NULL};
  int n_rw = 0, n_label = 0, n_prop = 0, n_copy = 0, n_cons = 0;
  if (*mode == '\0')
    return false;
  for (const char *p = mode; *p;)
    {
      size_t n = strcspn (p, ",");
      if (one_of (p, n, rw))
        n_rw++;
      else if (one_of (p, n, label))
        n_label++;
      else if (one_of (p, n, prop))
        n_prop++;
      else if (one_of (p, n, consistency))
        n_cons++;
      else if (n == 6 && strncmp (p, "nocopy", 6) == 0)
        n_copy++;
      else
        return false;
      p += n;
      if (*p == ',')
        p++;
    }
  if (n_copy && !named)
    return false;
  return n_rw <= 1 && n_label <= 1 && n_prop <= 1 && n_copy <= 1 && n_cons <= 1;
}

int
dock_parse_volume (const char *spec, jv volumes, jv binds, lcr_error_t *err)
{
  size_t colons = 0;
  for (const char *p = spec; *p; p++)
    colons += *p == ':';
  if (colons > 2 || *spec == '\0')
    return lcr_error_invalid (err, "invalid volume specification: '%s'", spec);
  cleanup_free char *copy = xstrdup (spec);
  char *src = copy, *dst = NULL, *mode = NULL;
  if (colons >= 1)
    {
      dst = strchr (src, ':');
      *dst++ = '\0';
    }
  if (colons == 2)
    {
      mode = strchr (dst, ':');
      *mode++ = '\0';
    }
  if (dst == NULL)
    {
      /* an anonymous volume */
      if (src[0] != '/')
        return lcr_error_invalid (
            err, "invalid volume specification: '%s': invalid mount path: '%s' mount path must be absolute", spec, src);
      if (strcmp (src, "/") == 0)
        return lcr_error_invalid (err, "invalid specification: destination can't be '/'");
      jv_set (volumes, src, jv_obj ());
      return 0;
    }
  if (*src == '\0' || *dst == '\0')
    return lcr_error_invalid (err, "invalid volume specification: '%s'", spec);
  bool named = src[0] != '/';
  if (colons == 1 && dst[0] != '/' && valid_mode (dst, false))
    /* "/foo:rw": a mode without a source: volumes cannot carry one */
    return lcr_error_invalid (err, "invalid volume specification: '%s'", spec);
  if (dst[0] != '/')
    return lcr_error_invalid (err,
                              "invalid volume specification: '%s': invalid mount config for type \"%s\": invalid "
                              "mount path: '%s' mount path must be absolute",
                              spec, named ? "volume" : "bind", dst);
  if (strcmp (dst, "/") == 0)
    return lcr_error_invalid (err, "invalid specification: destination can't be '/'");
  if (mode && !valid_mode (mode, named))
    return lcr_error_invalid (err, "invalid mode: %s", mode);
  if (named && !valid_volume_name (src))
    return lcr_error_invalid (err,
                              "create %s: \"%s\" includes invalid characters for a local volume name, only "
                              "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, "
                              "use absolute path",
                              src, src);
  jv_push (binds, jv_str (spec));
  return 0;
}

static int
parse_bool_value (const char *v, bool *out)
{
  if (v == NULL || strcmp (v, "true") == 0 || strcmp (v, "1") == 0)
    *out = true;
  else if (strcmp (v, "false") == 0 || strcmp (v, "0") == 0)
    *out = false;
  else
    return -1;
  return 0;
}

int
dock_parse_mount (const char *spec, jv mounts, lcr_error_t *err)
{
#define MERR(...) dock_flag_error (err, "--mount", spec, __VA_ARGS__)
  cleanup_jv jv m = jv_obj ();
  cleanup_jv jv bind = jv_obj ();
  cleanup_jv jv vol = jv_obj ();
  cleanup_jv jv tmp = jv_obj ();
  const char *type = NULL;
  bool ro = false;
  cleanup_free char *copy = xstrdup (spec);
  char *save = NULL;
  for (char *field = strtok_r (copy, ",", &save); field; field = strtok_r (NULL, ",", &save))
    {
      char *eq = strchr (field, '=');
      const char *key = field, *val = NULL;
      if (eq)
        {
          *eq = '\0';
          val = eq + 1;
        }
      if (strcmp (key, "readonly") == 0 || strcmp (key, "ro") == 0)
        {
          if (parse_bool_value (val, &ro) < 0)
            return MERR ("invalid value for %s: %s", key, val);
          continue;
        }
      if (strcmp (key, "volume-nocopy") == 0)
        {
          bool b;
          if (parse_bool_value (val, &b) < 0)
            return MERR ("invalid value for volume-nocopy: %s", val);
          jv_set (vol, "NoCopy", jv_bool (b));
          continue;
        }
      if (strcmp (key, "bind-nonrecursive") == 0)
        {
          bool b;
          if (parse_bool_value (val, &b) < 0)
            return MERR ("invalid value for bind-nonrecursive: %s", val);
          jv_set (bind, "NonRecursive", jv_bool (b));
          continue;
        }
      if (val == NULL)
        return MERR ("invalid field '%s' must be a key=value pair", key);
      if (strcmp (key, "type") == 0)
        {
          if (strcmp (val, "bind") != 0 && strcmp (val, "volume") != 0 && strcmp (val, "tmpfs") != 0)
            return MERR ("invalid mount type: %s", val);
          jv_set (m, "Type", jv_str (val));
          type = jv_get_str (m, "Type");
        }
      else if (strcmp (key, "source") == 0 || strcmp (key, "src") == 0)
        jv_set (m, "Source", jv_str (val));
      else if (strcmp (key, "target") == 0 || strcmp (key, "destination") == 0 || strcmp (key, "dst") == 0)
        jv_set (m, "Target", jv_str (val));
      else if (strcmp (key, "consistency") == 0)
        jv_set (m, "Consistency", jv_str (val));
      else if (strcmp (key, "bind-propagation") == 0)
        {
          static const char *const prop[] = {"shared", "rshared", "slave", "rslave", "private", "rprivate", NULL};
          if (!one_of (val, strlen (val), prop))
            return MERR ("invalid propagation mode: %s", val);
          jv_set (bind, "Propagation", jv_str (val));
        }
      else if (strcmp (key, "volume-driver") == 0)
        jv_set (jv_child_obj (vol, "DriverConfig"), "Name", jv_str (val));
      else if (strcmp (key, "volume-label") == 0 || strcmp (key, "volume-opt") == 0)
        {
          const char *e = strchr (val, '=');
          cleanup_free char *k = e ? strndup (val, (size_t)(e - val)) : xstrdup (val);
          jv target = strcmp (key, "volume-label") == 0 ? jv_child_obj (vol, "Labels")
                                                        : jv_child_obj (jv_child_obj (vol, "DriverConfig"), "Options");
          jv_set (target, k, jv_str (e ? e + 1 : ""));
        }
      else if (strcmp (key, "volume-subpath") == 0)
        jv_set (vol, "Subpath", jv_str (val));
      else if (strcmp (key, "tmpfs-size") == 0)
        {
          long long n = dock_parse_size (val);
          if (n < 0)
            return MERR ("invalid value for tmpfs-size: %s", val);
          jv_set (tmp, "SizeBytes", jv_int (n));
        }
      else if (strcmp (key, "tmpfs-mode") == 0)
        {
          char *end;
          errno = 0;
          long long mode = strtoll (val, &end, 8);
          if (errno || end == val || *end || mode < 0 || mode > 07777)
            return MERR ("invalid value for tmpfs-mode: %s", val);
          jv_set (tmp, "Mode", jv_int (mode));
        }
      else
        return MERR ("unexpected key '%s' in '%s=%s'", key, key, val);
    }
  if (type == NULL)
    return MERR ("type is required");
  const char *target = jv_get_str (m, "Target");
  if (target == NULL || *target == '\0')
    return MERR ("target is required");
  if (target[0] != '/')
    return lcr_error_invalid (
        err, "invalid mount config for type \"%s\": invalid mount path: '%s' mount path must be absolute", type,
        target);
  const char *source = jv_get_str (m, "Source");
  if (strcmp (type, "bind") == 0)
    {
      if (source == NULL || *source == '\0')
        return lcr_error_invalid (err, "invalid mount config for type \"bind\": field Source must not be empty");
      if (source[0] != '/')
        return lcr_error_invalid (err,
                                  "invalid mount config for type \"bind\": invalid mount path: '%s' mount path must "
                                  "be absolute",
                                  source);
    }
  if (strcmp (type, "tmpfs") == 0 && source && *source)
    return lcr_error_invalid (err, "invalid mount config for type \"tmpfs\": field Source must be empty");
  if (strcmp (type, "volume") == 0 && source && *source && !valid_volume_name (source))
    return lcr_error_invalid (err,
                              "invalid mount config for type \"volume\": invalid volume name \"%s\": only "
                              "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed",
                              source);
  if (jv_len (bind) && strcmp (type, "bind") != 0)
    return MERR ("cannot mix 'bind-*' options with mount type '%s'", type);
  if (jv_len (vol) && strcmp (type, "volume") != 0)
    return MERR ("cannot mix 'volume-*' options with mount type '%s'", type);
  if (jv_len (tmp) && strcmp (type, "tmpfs") != 0)
    return MERR ("cannot mix 'tmpfs-*' options with mount type '%s'", type);
  if (source == NULL)
    jv_set (m, "Source", jv_str (""));
  jv_set (m, "ReadOnly", jv_bool (ro));
  if (jv_len (bind))
    jv_set (m, "BindOptions", steal_pointer (&bind));
  if (jv_len (vol))
    jv_set (m, "VolumeOptions", steal_pointer (&vol));
  if (jv_len (tmp))
    jv_set (m, "TmpfsOptions", steal_pointer (&tmp));
  jv_push (mounts, steal_pointer (&m));
  return 0;
#undef MERR
}

int
dock_parse_tmpfs (const char *spec, jv tmpfs, lcr_error_t *err)
{
  const char *colon = strchr (spec, ':');
  cleanup_free char *dst = colon ? strndup (spec, (size_t)(colon - spec)) : xstrdup (spec);
  if (dst[0] != '/')
    return dock_flag_error (err, "--tmpfs", spec, "invalid mount path: '%s' mount path must be absolute", dst);
  if (strcmp (dst, "/") == 0)
    return dock_flag_error (err, "--tmpfs", spec, "destination can't be '/'");
  jv_set (tmpfs, dst, jv_str (colon ? colon + 1 : ""));
  return 0;
}

static bool
valid_device_mode (const char *m)
{
  /* a non-empty combination of r, w, m, each at most once */
  int seen[3] = {0};
  if (*m == '\0')
    return false;
  for (; *m; m++)
    {
      const char *p = strchr ("rwm", *m);
      if (p == NULL || *m == '\0' || seen[p - "rwm"]++)
        return false;
    }
  return true;
}

int
dock_parse_device (const char *spec, jv devices, lcr_error_t *err)
{
  size_t colons = 0;
  for (const char *p = spec; *p; p++)
    colons += *p == ':';
  if (colons > 2)
    return dock_flag_error (err, "--device", spec, "invalid device specification: %s", spec);
  cleanup_free char *copy = xstrdup (spec);
  char *parts[3] = {copy, NULL, NULL};
  for (size_t i = 1; i <= colons; i++)
    {
      parts[i] = strchr (parts[i - 1], ':');
      *parts[i]++ = '\0';
    }
  const char *src = parts[0], *dst = NULL, *perms = "rwm";
  if (colons == 2)
    {
      if (!valid_device_mode (parts[2]))
        return dock_flag_error (err, "--device", spec, "bad mode specified: %s", parts[2]);
      perms = parts[2];
      dst = parts[1];
    }
  else if (colons == 1)
    {
      if (valid_device_mode (parts[1]))
        perms = parts[1];
      else
        dst = parts[1];
    }
  if (dst == NULL || *dst == '\0')
    dst = src;
  if (src[0] != '/')
    return dock_flag_error (err, "--device", spec, "bad format for path: %s", src);
  if (dst[0] != '/')
    return dock_flag_error (err, "--device", spec, "bad format for path: %s", dst);
  jv d = jv_push (devices, jv_obj ());
  jv_set (d, "PathOnHost", jv_str (src));
  jv_set (d, "PathInContainer", jv_str (dst));
  jv_set (d, "CgroupPermissions", jv_str (perms));
  return 0;
}

int
dock_parse_ulimit (const char *spec, jv ulimits, lcr_error_t *err)
{
  static const char *const names[]
      = {"core",  "cpu", "data",   "fsize",  "locks",      "memlock", "msgqueue", "nice", "nofile",
         "nproc", "rss", "rtprio", "rttime", "sigpending", "stack",   "as",       NULL};
  const char *eq = strchr (spec, '=');
  if (eq == NULL)
    return dock_flag_error (err, "--ulimit", spec, "invalid ulimit argument: %s", spec);
  cleanup_free char *name = strndup (spec, (size_t)(eq - spec));
  if (!one_of (name, strlen (name), names))
    return dock_flag_error (err, "--ulimit", spec, "invalid ulimit type: %s", name);
  const char *v = eq + 1;
  char *end;
  errno = 0;
  long long soft = strtoll (v, &end, 10), hard = soft;
  if (errno || end == v || (*end && *end != ':'))
    return dock_flag_error (err, "--ulimit", spec, "invalid ulimit soft value %s", v);
  if (*end == ':')
    {
      const char *h = end + 1;
      errno = 0;
      hard = strtoll (h, &end, 10);
      if (errno || end == h || *end)
        return dock_flag_error (err, "--ulimit", spec, "invalid ulimit hard value %s", h);
    }
  if (soft > hard && hard != -1)
    return dock_flag_error (err, "--ulimit", spec,
                            "ulimit soft limit must be less than or equal to hard limit: %lld > %lld", soft, hard);
  /* a later --ulimit of the same name replaces the earlier one */
  for (size_t i = 0; i < jv_len (ulimits); i++)
    if (strcmp (jv_get_str (ulimits->u.array.values[i], "Name"), name) == 0)
      {
        jv_remove_at (ulimits, i);
        break;
      }
  jv u = jv_push (ulimits, jv_obj ());
  jv_set (u, "Name", jv_str (name));
  jv_set (u, "Hard", jv_int (hard));
  jv_set (u, "Soft", jv_int (soft));
  return 0;
}

int
dock_parse_add_host (const char *spec, jv extra_hosts, lcr_error_t *err)
{
  /* "name:ip" or "name=ip"; the address may be IPv6, bracketed or not, or "host-gateway" */
  size_t n = strcspn (spec, ":=");
  if (spec[n] == '\0' || n == 0)
    return dock_flag_error (err, "--add-host", spec, "bad format for add-host: \"%s\"", spec);
  const char *ip = spec + n + 1;
  cleanup_free char *addr = NULL;
  size_t len = strlen (ip);
  if (ip[0] == '[' && len > 1 && ip[len - 1] == ']')
    addr = strndup (ip + 1, len - 2);
  else
    addr = xstrdup (ip);
  unsigned char buf[16];
  if (strcmp (addr, "host-gateway") != 0 && inet_pton (AF_INET, addr, buf) != 1 && inet_pton (AF_INET6, addr, buf) != 1)
    return dock_flag_error (err, "--add-host", spec, "invalid IP address in add-host: \"%s\"", addr);
  cleanup_free char *entry = NULL;
  xasprintf (&entry, "%.*s:%s", (int)n, spec, addr);
  jv_push (extra_hosts, jv_str (entry));
  return 0;
}

/* ---- environment, labels, key=value ------------------------------------------------------- */

int
dock_add_env (jv env, const char *spec, lcr_error_t *err)
{
  const char *eq = strchr (spec, '=');
  if (eq == spec || *spec == '\0')
    return dock_flag_error (err, "-e, --env", spec, "invalid environment variable: %s", spec);
  if (eq == NULL)
    {
      /* "-e NAME": dock's own value when it has one, else kept bare, as docker does */
      const char *v = getenv (spec);
      if (v)
        {
          cleanup_free char *kv = NULL;
          xasprintf (&kv, "%s=%s", spec, v);
          jv_push (env, jv_str (kv));
          return 0;
        }
    }
  jv_push (env, jv_str (spec));
  return 0;
}

int
dock_read_kv_file (const char *path, bool is_env, jv out, lcr_error_t *err)
{
  cleanup_free char *text = NULL;
  size_t len = 0;
  if (lcr_read_file (path, &text, &len, err) < 0)
    return lcr_error_make (err, (*err)->errno_, LCR_ERR_INVALID, "open %s", path);
  char *save = NULL;
  size_t lineno = 0;
  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      lineno++;
      size_t l = strlen (line);
      if (l && line[l - 1] == '\r')
        line[--l] = '\0';
      while (*line == ' ' || *line == '\t')
        line++;
      if (*line == '\0' || *line == '#')
        continue;
      char *eq = strchr (line, '=');
      size_t klen = eq ? (size_t)(eq - line) : strlen (line);
      if (klen == 0)
        return lcr_error_invalid (err, "%s: line %zu: no variable name on line '%s'", path, lineno, line);
      for (size_t i = 0; i < klen; i++)
        if (isspace ((unsigned char)line[i]))
          return lcr_error_invalid (err, "%s: variable '%.*s' contains whitespaces", path, (int)klen, line);
      if (eq == NULL && is_env)
        {
          /* a bare name takes dock's value and is dropped when dock has none */
          const char *v = getenv (line);
          if (v)
            {
              cleanup_free char *kv = NULL;
              xasprintf (&kv, "%s=%s", line, v);
              jv_push (out, jv_str (kv));
            }
          continue;
        }
      jv_push (out, jv_str (line));
    }
  return 0;
}

int
dock_parse_kv (const char *flag, const char *spec, bool need_eq, jv obj, lcr_error_t *err)
{
  const char *eq = strchr (spec, '=');
  if ((need_eq && eq == NULL) || eq == spec || *spec == '\0')
    return dock_flag_error (err, flag, spec, "invalid key value pair format: %s", spec);
  cleanup_free char *k = eq ? strndup (spec, (size_t)(eq - spec)) : xstrdup (spec);
  jv_set (obj, k, jv_str (eq ? eq + 1 : ""));
  return 0;
}
