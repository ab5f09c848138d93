/* dock — a container's binds and volume mounts, from its create request (see volume.h).
 *
 * Three sources, as docker's daemon reads them:
 *   HostConfig.Binds   "SRC:DST[:MODE]" or "DST"; SRC absolute: a bind, else a volume name.
 *                      MODE is a comma list of at most one each of rw|ro, z|Z, a propagation
 *                      (private rprivate shared rshared slave rslave) and nocopy.
 *   HostConfig.Mounts  {"Type":"bind"|"volume"|"tmpfs", "Source","Target","ReadOnly",
 *                      "BindOptions":{"Propagation","CreateMountpoint"},
 *                      "VolumeOptions":{"NoCopy","Labels","DriverConfig":{"Name","Options"}}};
 *                      tmpfs belongs to the spec builder and is skipped here.
 *   Config.Volumes     {"/dst": {}}: the image's VOLUMEs and anonymous `-v /dst`; each becomes an
 *                      anonymous volume unless an explicit mount has that destination.
 *
 * Everything is parsed and checked first; only then are named volumes created, anonymous ones
 * made and missing -v host directories created (docker creates those; a --mount bind source
 * must exist), so bad input leaves nothing behind.
 *
 * The result is docker's inspect "Mounts", ordered so a parent directory is mounted before
 * what lies below it (by the number of path components, then in input order).  One key beyond
 * docker's: "NoCopy": true on a volume mount from --mount with volume-nocopy (from -v, the
 * nocopy is in "Mode", as docker shows it).
 */
#define _GNU_SOURCE
#include "volume.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/store.h"

struct spec
{
  bool bind;    /* else a volume */
  bool raw;     /* from Binds (-v), else from Mounts (--mount) */
  bool image;   /* from Config.Volumes */
  char *source; /* bind: host path; volume: name, NULL for an anonymous one */
  char *target; /* cleaned */
  bool ro, nocopy, create_src;
  char *mode;         /* as written after the second colon (-v only) */
  char *propagation;  /* bind only; NULL: rprivate */
  jv labels, options; /* borrowed from the request (--mount's VolumeOptions) */
  size_t order;
};

static void
spec_free (struct spec *s)
{
  free (s->source);
  free (s->target);
  free (s->mode);
  free (s->propagation);
}

/* filepath.Clean for absolute paths: no "//", ".", ".." or trailing slash */
static char *
clean_path (const char *p)
{
  size_t n = strlen (p);
  char *out = xmalloc0 (n + 2);
  size_t len = 0;
  const char *s = p;
  while (*s)
    {
      while (*s == '/')
        s++;
      if (*s == '\0')
        break;
      const char *e = strchr (s, '/');
      size_t cl = e ? (size_t)(e - s) : strlen (s);
      if (cl == 1 && s[0] == '.')
        ;
      else if (cl == 2 && s[0] == '.' && s[1] == '.')
        {
          while (len > 0 && out[len - 1] != '/')
            len--;
          if (len > 0)
            len--; /* the slash */
        }
      else
        {
          out[len++] = '/';
          memcpy (out + len, s, cl);
          len += cl;
        }
      s += cl;
    }
  if (len == 0)
    out[len++] = '/';
  out[len] = '\0';
  return out;
}

static bool
is_propagation (const char *m)
{
  static const char *const modes[] = {"private", "rprivate", "shared", "rshared", "slave", "rslave", NULL};
  for (const char *const *p = modes; *p; p++)
    if (strcmp (m, *p) == 0)
      return true;
  return false;
}

/* docker's ValidMountMode, filling the spec's flags; false when invalid */
static bool
parse_mode (const char *mode, struct spec *s)
{
  int rw = 0, label = 0, prop = 0, copy = 0;
  cleanup_free char *dup = xstrdup (mode);
  char *save = NULL;
  if (mode[0] == '\0')
    return true;
  for (char *t = strtok_r (dup, ",", &save); t; t = strtok_r (NULL, ",", &save))
    {
      if (strcmp (t, "rw") == 0 || strcmp (t, "ro") == 0)
        {
          rw++;
          s->ro = t[1] == 'o';
        }
      else if (strcmp (t, "z") == 0 || strcmp (t, "Z") == 0)
        label++;
      else if (is_propagation (t))
        {
          prop++;
          free (s->propagation);
          s->propagation = xstrdup (t);
        }
      else if (strcmp (t, "nocopy") == 0)
        {
          copy++;
          s->nocopy = true;
        }
      else
        return false;
    }
  /* an empty element ("ro,") is invalid too */
  size_t n = strlen (mode);
  if (mode[0] == ',' || mode[n - 1] == ',' || strstr (mode, ",,"))
    return false;
  return rw <= 1 && label <= 1 && prop <= 1 && copy <= 1;
}

static const char *
type_name (const struct spec *s)
{
  return s->bind ? "bind" : "volume";
}

/* the checks docker runs on every mount spec; messages "invalid mount config for type …" */
static int
validate (struct spec *s, bool has_bind_opts, bool has_vol_opts, lcr_error_t *err)
{
  const char *t = type_name (s);
  if (s->target == NULL || s->target[0] == '\0')
    return lcr_error_invalid (err, "invalid mount config for type \"%s\": field Target must not be empty", t);
  if (s->target[0] != '/')
    return lcr_error_invalid (
        err, "invalid mount config for type \"%s\": invalid mount path: '%s' mount path must be absolute", t,
        s->target);
  char *c = clean_path (s->target);
  free (s->target);
  s->target = c;
  if (strcmp (s->target, "/") == 0)
    return lcr_error_invalid (
        err, "invalid mount config for type \"%s\": invalid specification: destination can't be '/'", t);
  if (s->bind)
    {
      if (has_vol_opts)
        return lcr_error_invalid (err,
                                  "invalid mount config for type \"bind\": field VolumeOptions must not be specified");
      if (s->source == NULL || s->source[0] == '\0')
        return lcr_error_invalid (err, "invalid mount config for type \"bind\": field Source must not be empty");
      if (s->source[0] != '/')
        return lcr_error_invalid (
            err, "invalid mount config for type \"bind\": invalid mount path: '%s' mount path must be absolute",
            s->source);
      c = clean_path (s->source);
      free (s->source);
      s->source = c;
      struct stat st;
      if (!s->raw && !s->create_src && stat (s->source, &st) < 0)
        return lcr_error_invalid (err, "invalid mount config for type \"bind\": bind source path does not exist: %s",
                                  s->source);
      if (s->propagation && !is_propagation (s->propagation))
        return lcr_error_invalid (err, "invalid mount config for type \"bind\": invalid propagation mode: %s",
                                  s->propagation);
    }
  else
    {
      if (has_bind_opts)
        return lcr_error_invalid (err,
                                  "invalid mount config for type \"volume\": field BindOptions must not be specified");
      if (s->source && s->source[0] == '\0')
        {
          free (s->source);
          s->source = NULL;
        }
      if (s->source && dock_volume_check_name (s->source, err) < 0)
        {
          if (s->raw)
            return -1; /* docker's -v message: "create NAME: … use absolute path" */
          return lcr_error_wrap (err, "invalid mount config for type \"volume\"");
        }
    }
  return 0;
}

static int
parse_bind (const char *raw, struct spec *s, lcr_error_t *err)
{
  cleanup_free char *dup = xstrdup (raw);
  char *parts[4] = {NULL};
  int n = 1;
  parts[0] = dup;
  /* as strings.SplitN (raw, ":", 4): a fourth part means too many colons */
  for (char *c; n < 4 && (c = strchr (parts[n - 1], ':')) != NULL; n++)
    {
      *c = '\0';
      parts[n] = c + 1;
    }
  if (parts[0][0] == '\0' || n > 3)
    return lcr_error_invalid (err, "invalid volume specification: '%s'", raw);
  const char *mode = "";
  struct spec probe = {0};
  if (n == 1)
    s->target = xstrdup (parts[0]);
  else
    {
      if (n == 2 && parse_mode (parts[1], &probe))
        {
          spec_free (&probe);
          return lcr_error_invalid (err, "invalid volume specification: '%s'", raw); /* "/foo:rw" */
        }
      s->source = xstrdup (parts[0]);
      s->target = xstrdup (parts[1]);
      if (n == 3)
        mode = parts[2];
    }
  spec_free (&probe);
  s->raw = true;
  s->mode = xstrdup (mode);
  if (!parse_mode (mode, s))
    return lcr_error_invalid (err, "invalid mode: %s", mode);
  s->bind = s->source && s->source[0] == '/';
  /* docker turns the mode's parts into BindOptions / VolumeOptions, then validates */
  bool has_bind_opts = s->propagation != NULL;
  bool has_vol_opts = s->nocopy;
  if (validate (s, has_bind_opts, has_vol_opts, err) < 0)
    {
      if ((*err)->code == LCR_ERR_INVALID && strncmp ((*err)->msg, "create ", 7) == 0)
        return -1;
      return lcr_error_wrap (err, "invalid volume specification: '%s'", raw);
    }
  return 0;
}

static int
parse_mount (jv m, struct spec *s, bool *skip, lcr_error_t *err)
{
  const char *type = jv_get_str (m, "Type");
  *skip = false;
  if (type && strcmp (type, "tmpfs") == 0)
    {
      *skip = true;
      return 0;
    }
  if (type == NULL || (strcmp (type, "bind") != 0 && strcmp (type, "volume") != 0))
    return lcr_error_invalid (err, "invalid mount config for type \"%s\": mount type unknown", type ? type : "");
  s->bind = strcmp (type, "bind") == 0;
  const char *src = jv_get_str (m, "Source"), *dst = jv_get_str (m, "Target");
  s->source = src ? xstrdup (src) : NULL;
  s->target = dst ? xstrdup (dst) : NULL;
  s->ro = jv_get_bool (m, "ReadOnly", false);
  jv bo = jv_get_obj (m, "BindOptions"), vo = jv_get_obj (m, "VolumeOptions");
  const char *prop = jv_get_str (bo, "Propagation");
  if (prop && prop[0])
    s->propagation = xstrdup (prop);
  s->create_src = jv_get_bool (bo, "CreateMountpoint", false);
  s->nocopy = jv_get_bool (vo, "NoCopy", false);
  s->labels = jv_get_obj (vo, "Labels");
  jv dc = jv_get_obj (vo, "DriverConfig");
  s->options = jv_get_obj (dc, "Options");
  const char *driver = jv_get_str (dc, "Name");
  if (validate (s, bo != NULL, vo != NULL, err) < 0)
    return -1;
  if (driver && driver[0] && strcmp (driver, "local") != 0)
    return lcr_error_invalid (err, "error looking up volume plugin %s: plugin \"%s\" not found", driver, driver);
  return 0;
}

static size_t
depth (const char *p)
{
  size_t n = 0;
  for (; *p; p++)
    n += *p == '/';
  return n;
}

static int
cmp_spec (const void *a, const void *b)
{
  const struct spec *x = a, *y = b;
  size_t dx = depth (x->target), dy = depth (y->target);
  if (dx != dy)
    return dx < dy ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

static jv
to_mount (struct spec *s, jv meta)
{
  jv m = jv_obj ();
  jv_set (m, "Type", jv_str (type_name (s)));
  if (!s->bind)
    jv_set (m, "Name", jv_str (jv_get_str (meta, "Name")));
  jv_set (m, "Source", jv_str (s->bind ? s->source : jv_get_str (meta, "Mountpoint")));
  jv_set (m, "Destination", jv_str (s->target));
  if (!s->bind)
    jv_set (m, "Driver", jv_str ("local"));
  const char *mode = s->mode ? s->mode : "";
  /* docker shows "z" for a named volume given by -v without a mode */
  if (!s->bind && s->raw && mode[0] == '\0' && s->source)
    mode = "z";
  jv_set (m, "Mode", jv_str (mode));
  jv_set (m, "RW", jv_bool (!s->ro));
  jv_set (m, "Propagation", jv_str (s->bind ? (s->propagation ? s->propagation : "rprivate") : ""));
  if (!s->bind && s->nocopy && !s->raw)
    jv_set (m, "NoCopy", jv_bool (true));
  return m;
}

static int
materialize (struct dock_ctx *ctx, struct spec *specs, size_t n, jv out, jv made, lcr_error_t *err)
{
  for (size_t i = 0; i < n; i++)
    {
      struct spec *s = &specs[i];
      cleanup_jv jv meta = NULL;
      if (s->bind)
        {
          struct stat st;
          if ((s->raw || s->create_src) && stat (s->source, &st) < 0 && lcr_mkdir_p (s->source, 0755, err) < 0)
            return lcr_error_wrap (err, "create the bind source `%s`", s->source);
        }
      else if (dock_volume_create (ctx, s->source, s->labels, s->options, s->source == NULL, &meta, err) < 0)
        return -1;
      jv_push (out, to_mount (s, meta));
      if (!s->bind && s->source == NULL)
        jv_push (made, to_mount (s, meta));
    }
  return 0;
}

jv
dock_volumes_resolve (struct dock_ctx *ctx, jv config, jv host_config, lcr_error_t *err)
{
  jv binds = jv_get_arr (host_config, "Binds"), mounts = jv_get_arr (host_config, "Mounts");
  jv vols = jv_get_obj (config, "Volumes");
  size_t cap = jv_len (binds) + jv_len (mounts) + jv_len (vols) + 1, n = 0;
  struct spec *specs = xmalloc0 (cap * sizeof *specs);
  jv out = NULL;
  int ret = 0;

  for (size_t i = 0; ret == 0 && i < jv_len (binds); i++)
    {
      const char *raw = jv_as_str (binds->u.array.values[i]);
      if (raw == NULL)
        {
          ret = lcr_error_invalid (err, "HostConfig.Binds[%zu]: not a string", i);
          break;
        }
      specs[n].order = n;
      ret = parse_bind (raw, &specs[n], err);
      n++;
    }
  for (size_t i = 0; ret == 0 && i < jv_len (mounts); i++)
    {
      bool skip = false;
      specs[n].order = n;
      ret = parse_mount (mounts->u.array.values[i], &specs[n], &skip, err);
      if (skip)
        spec_free (&specs[n]), memset (&specs[n], 0, sizeof specs[n]);
      else
        n++;
    }
  /* explicit mounts may not share a destination */
  for (size_t i = 0; ret == 0 && i < n; i++)
    for (size_t k = 0; ret == 0 && k < i; k++)
      if (strcmp (specs[i].target, specs[k].target) == 0)
        ret = lcr_error_invalid (err, "Duplicate mount point: %s", specs[i].target);
  for (size_t i = 0; ret == 0 && i < jv_len (vols); i++)
    {
      const char *dst = vols->u.object.keys[i];
      struct spec *s = &specs[n];
      s->image = true;
      s->target = xstrdup (dst);
      s->mode = xstrdup ("");
      s->order = n;
      if (validate (s, false, false, err) < 0)
        {
          ret = -1;
          n++;
          break;
        }
      bool covered = false;
      for (size_t k = 0; k < n && !covered; k++)
        covered = strcmp (specs[k].target, s->target) == 0;
      if (covered)
        {
          spec_free (s);
          memset (s, 0, sizeof *s);
          continue;
        }
      n++;
    }

  if (ret == 0)
    {
      qsort (specs, n, sizeof *specs, cmp_spec);
      out = jv_arr ();
      cleanup_jv jv made = jv_arr ();
      if (dock_lock (ctx, err) < 0)
        ret = -1;
      else
        {
          ret = materialize (ctx, specs, n, out, made, err);
          dock_unlock (ctx);
        }
      if (ret < 0)
        {
          /* anonymous volumes made for this request would otherwise be orphans */
          cleanup_error lcr_error_t ignored = NULL;
          dock_volumes_remove_anonymous (ctx, made, NULL, &ignored);
          jv_free (out);
          out = NULL;
        }
    }
  for (size_t i = 0; i < cap; i++)
    spec_free (&specs[i]);
  free (specs);
  return out;
}
