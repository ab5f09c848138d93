/* dock build — the stage and step interpreter: which stages to build, ARG/ENV scoping, FROM
 * (and ONBUILD triggers), the config instructions, and committing each step as docker's
 * classic builder does. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "container/create.h"
#include "build/build-internal.h"
#include "cli/args.h"
#include "container/fstree.h"
#include "container/lifecycle.h"
#include "image/digest.h"
#include "store/store.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* usable with --build-arg without an ARG, and never written into the history */
static const char *const proxy_args[]
    = {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
       "NO_PROXY",   "no_proxy",   "ALL_PROXY",   "all_proxy",   NULL};

static bool
is_proxy_arg (const char *name)
{
  for (size_t i = 0; proxy_args[i]; i++)
    if (strcmp (proxy_args[i], name) == 0)
      return true;
  return false;
}

static jv
cfg_config (struct builder *b)
{
  return jv_child_obj (b->cfg, "config");
}

/* "K=V" entries of Env: the value of `name`, or NULL */
static const char *
env_get (jv env, const char *name)
{
  size_t nl = strlen (name);
  for (size_t i = 0; i < jv_len (env); i++)
    {
      const char *e = jv_as_str (env->u.array.values[i]);
      if (e && strncmp (e, name, nl) == 0 && e[nl] == '=')
        return e + nl + 1;
    }
  return NULL;
}

const char *
build_lookup (void *data, const char *name)
{
  struct builder *b = data;
  const char *v = env_get (jv_get_arr (jv_get_obj (b->cfg, "config"), "Env"), name);
  if (v)
    return v;
  v = jv_get_str (b->args, name);
  if (v)
    return v;
  /* proxy args need no ARG */
  if (is_proxy_arg (name))
    return jv_get_str (b->build_args, name);
  return NULL;
}

static const char *
meta_lookup (void *data, const char *name)
{
  struct builder *b = data;
  return jv_get_str (b->meta_args, name);
}

jv
build_shell (struct builder *b)
{
  jv sh = jv_get_arr (cfg_config (b), "Shell");
  if (jv_len (sh))
    return jv_copy (sh);
  jv a = jv_arr ();
  jv_push (a, jv_str ("/bin/sh"));
  jv_push (a, jv_str ("-c"));
  return a;
}

static char *
join_strs (jv arr, const char *sep)
{
  size_t len = 1;
  for (size_t i = 0; i < jv_len (arr); i++)
    len += strlen (jv_as_str (arr->u.array.values[i]) ?: "") + strlen (sep);
  char *s = xmalloc0 (len);
  for (size_t i = 0; i < jv_len (arr); i++)
    {
      if (i)
        strcat (s, sep);
      strcat (s, jv_as_str (arr->u.array.values[i]) ?: "");
    }
  return s;
}

/* what classic docker writes in history for a config-only step: SHELL + "#(nop) " + text */
static char *
nop_text (struct builder *b, const char *text, bool two_spaces)
{
  cleanup_jv jv sh = build_shell (b);
  cleanup_free char *s = join_strs (sh, " ");
  char *out = NULL;
  xasprintf (&out, "%s #(nop) %s%s", s, two_spaces ? " " : "", text);
  return out;
}

/* Go's %q of a []string: ["a" "b"] */
static char *
go_quote_list (jv arr)
{
  size_t cap = 3;
  for (size_t i = 0; i < jv_len (arr); i++)
    cap += 2 * strlen (jv_as_str (arr->u.array.values[i]) ?: "") + 4;
  char *s = xmalloc0 (cap), *w = s;
  *w++ = '[';
  for (size_t i = 0; i < jv_len (arr); i++)
    {
      if (i)
        *w++ = ' ';
      *w++ = '"';
      for (const char *p = jv_as_str (arr->u.array.values[i]) ?: ""; *p; p++)
        {
          if (*p == '"' || *p == '\\')
            *w++ = '\\';
          *w++ = *p;
        }
      *w++ = '"';
    }
  *w++ = ']';
  return s;
}

static int
cmp_strp (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

/* Go's %v of a []string: [a b] */
static char *
go_list (jv arr)
{
  cleanup_free char *j = join_strs (arr, " ");
  char *s = NULL;
  xasprintf (&s, "[%s]", j);
  return s;
}

/* Go's time.Duration String(): 5s, 1m30s, 1h0m0s, 1.5s, 500ms, 0s */
static void
go_duration (long long d, char buf[64])
{
  const char *sign = d < 0 ? "-" : "";
  unsigned long long u = d < 0 ? (unsigned long long)-d : (unsigned long long)d;
  char frac[16] = "";
  if (u == 0)
    {
      strcpy (buf, "0s");
      return;
    }
  if (u < 1000)
    {
      snprintf (buf, 64, "%s%lluns", sign, u);
      return;
    }
  unsigned long long div = u < 1000000 ? 1000 : u < 1000000000ULL ? 1000000 : 1000000000ULL;
  unsigned long long rem = u % div;
  if (rem)
    {
      int digits = div == 1000 ? 3 : div == 1000000 ? 6 : 9;
      snprintf (frac, sizeof frac, ".%0*llu", digits, rem);
      size_t l = strlen (frac);
      while (frac[l - 1] == '0')
        frac[--l] = '\0';
    }
  if (div == 1000)
    snprintf (buf, 64, "%s%llu%s\u00b5s", sign, u / div, frac);
  else if (div == 1000000)
    snprintf (buf, 64, "%s%llu%sms", sign, u / div, frac);
  else
    {
      unsigned long long secs = u / div, h = secs / 3600, m = secs / 60 % 60, sec = secs % 60;
      if (h)
        snprintf (buf, 64, "%s%lluh%llum%llu%ss", sign, h, m, sec, frac);
      else if (m)
        snprintf (buf, 64, "%s%llum%llu%ss", sign, m, sec, frac);
      else
        snprintf (buf, 64, "%s%llu%ss", sign, sec, frac);
    }
}

/* Go's %q of an int (a rune): 'A', '\x03', '\n' */
static void
go_quote_rune (long r, char buf[16])
{
  static const char esc[] = "\a\b\t\n\v\f\r";
  static const char letters[] = "abtnvfr";
  const char *e = r > 0 && r < 0x20 ? strchr (esc, (int)r) : NULL;
  if (e)
    snprintf (buf, 16, "'\\%c'", letters[e - esc]);
  else if (r == '\'' || r == '\\')
    snprintf (buf, 16, "'\\%c'", (int)r);
  else if (r >= 0x20 && r < 0x7f)
    snprintf (buf, 16, "'%c'", (int)r);
  else if (r >= 0 && r < 0x100)
    snprintf (buf, 16, "'\\x%02lx'", r);
  else if (r >= 0 && r < 0x10000)
    snprintf (buf, 16, "'\\u%04lx'", r);
  else
    snprintf (buf, 16, "'\\U%08lx'", r);
}

/* the text after the keyword (and its flags, as written) of an instruction */
static const char *
after_keyword (const struct dock_df_inst *in)
{
  const char *s = in->original;
  s += strspn (s, " \t");
  s += strcspn (s, " \t");
  return s + strspn (s, " \t");
}

/* ---- committing and the cache ---------------------------------------------------------------- */

/* SOURCE_DATE_EPOCH: every entry's times become min(mtime, epoch), whole seconds, and atime and
   ctime the same, so a layer made twice from the same files is the same tar byte for byte */
struct clamp_sink
{
  struct dock_sink base;
  struct dock_sink *inner;
  long long epoch;
};

static int
clamp_put (struct dock_sink *s, struct dock_entry *e, lcr_error_t *err)
{
  struct clamp_sink *c = (struct clamp_sink *)s;
  struct dock_entry ne = *e;
  time_t t = ne.st.st_mtim.tv_sec;
  if ((long long)t > c->epoch)
    t = (time_t)c->epoch;
  ne.st.st_mtim.tv_sec = ne.st.st_atim.tv_sec = ne.st.st_ctim.tv_sec = t;
  ne.st.st_mtim.tv_nsec = ne.st.st_atim.tv_nsec = ne.st.st_ctim.tv_nsec = 0;
  return c->inner->put (c->inner, &ne, err);
}

/* the layer tar at `path` rewritten with clamped times */
static int
clamp_layer (struct builder *b, const char *path, lcr_error_t *err)
{
  cleanup_free char *tmp = NULL;
  xasprintf (&tmp, "%s.clamped", path);
  cleanup_close int in = open (path, O_RDONLY | O_CLOEXEC);
  if (in < 0)
    return lcr_error_sys (err, "open `%s`", path);
  cleanup_close int out = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out < 0)
    return lcr_error_sys (err, "create `%s`", tmp);
  cleanup_sink struct dock_sink *tar = dock_tar_sink_new (out, false);
  struct clamp_sink c = {.base = {.put = clamp_put}, .inner = tar, .epoch = b->epoch};
  int r = dock_tar_read (in, &c.base, err);
  if (r == 0 && tar->finish)
    r = tar->finish (tar, err);
  if (r == 0 && rename (tmp, path) < 0)
    r = lcr_error_sys (err, "rename `%s`", tmp);
  if (r < 0)
    unlink (tmp);
  return r;
}

/* the time of a step: now, or SOURCE_DATE_EPOCH's */
static char *
build_time (struct builder *b)
{
  if (b->epoch < 0)
    return dock_now_rfc3339 ();
  time_t t = (time_t)b->epoch;
  struct tm tm;
  char buf[64];
  gmtime_r (&t, &tm);
  strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return xstrdup (buf);
}

int
build_commit (struct builder *b, const char *created_by, const char *layer_tar, const char *key, lcr_error_t *err)
{
  cleanup_image struct dock_image *base = NULL;
  if (*b->cur && dock_image_resolve (b->ctx, b->cur, &base, err) < 0)
    return -1;
  if (layer_tar && b->epoch >= 0 && clamp_layer (b, layer_tar, err) < 0)
    return -1;
  cleanup_free char *now = build_time (b);
  jv_set (b->cfg, "created", jv_str (now));
  jv h = jv_push (jv_child_arr (b->cfg, "history"), jv_obj ());
  jv_set (h, "created", jv_str (now));
  jv_set (h, "created_by", jv_str (created_by));
  if (layer_tar == NULL)
    jv_set (h, "empty_layer", jv_bool (true));
  cleanup_free char *text = jv_dump (b->cfg, false);
  char id[72];
  if (dock_image_commit (b->ctx, base, text, layer_tar, NULL, id, err) < 0)
    return -1;
  snprintf (b->cur, sizeof b->cur, "%s", id);
  if (key)
    build_cache_put (b, key, id);
  fprintf (b->out, " ---> %.12s\n", id + 7);
  return 0;
}

/* a cache hit: the cached image becomes the current one */
static int
use_cached (struct builder *b, const char *image, lcr_error_t *err)
{
  cleanup_image struct dock_image *img = NULL;
  if (dock_image_resolve (b->ctx, image, &img, err) < 0)
    return -1;
  jv_free (b->cfg);
  b->cfg = jv_copy (img->config);
  snprintf (b->cur, sizeof b->cur, "%s", img->id);
  fprintf (b->out, " ---> Using cache\n ---> %.12s\n", img->id + 7);
  return 0;
}

/* cached: the image of a previous build for `key`, else NULL (malloc'd) */
static char *
cache_lookup (struct builder *b, const char *key)
{
  if (b->o->no_cache)
    return NULL;
  cleanup_free char *p = dock_path (b->ctx, "build-cache/%s", key + 7);
  cleanup_free char *buf = NULL;
  size_t len;
  cleanup_error lcr_error_t e = NULL;
  if (lcr_read_file (p, &buf, &len, &e) < 0)
    return NULL;
  while (len && isspace ((unsigned char)buf[len - 1]))
    buf[--len] = '\0';
  if (!dock_digest_valid (buf))
    return NULL;
  cleanup_image struct dock_image *img = NULL;
  if (dock_image_resolve (b->ctx, buf, &img, &e) < 0)
    return NULL;
  return steal_pointer (&buf);
}

void
build_cache_key (struct builder *b, const char *what, const char *content, char key[72])
{
  struct dock_sha256 h;
  dock_sha256_init (&h);
  const char *parent = *b->cur ? b->cur : "scratch";
  dock_sha256_update (&h, parent, strlen (parent) + 1);
  /* the config a step starts from matters too (ENV, ARG values…); it is the parent's for
     committed steps, but scratch has no parent image */
  dock_sha256_update (&h, what, strlen (what) + 1);
  if (content)
    dock_sha256_update (&h, content, strlen (content) + 1);
  dock_sha256_final (&h, key);
}

bool
build_cache_get (struct builder *b, const char *key)
{
  cleanup_free char *id = cache_lookup (b, key);
  if (id == NULL)
    return false;
  cleanup_error lcr_error_t e = NULL;
  return use_cached (b, id, &e) == 0;
}

void
build_cache_put (struct builder *b, const char *key, const char *image)
{
  cleanup_free char *dir = dock_path (b->ctx, "build-cache");
  mkdir (dir, 0700);
  cleanup_free char *p = dock_path (b->ctx, "build-cache/%s", key + 7);
  cleanup_error lcr_error_t e = NULL;
  dock_write_atomic_at (AT_FDCWD, p, image, strlen (image), &e);
}

/* A config-only step: reused from the cache, or `apply` edits the config and it is committed. */
static int
config_step (struct builder *b, const char *created_by, int (*apply) (struct builder *, void *, lcr_error_t *),
             void *data, lcr_error_t *err)
{
  char key[72];
  build_cache_key (b, created_by, NULL, key);
  if (build_cache_get (b, key))
    return 0;
  if (apply && apply (b, data, err) < 0)
    return -1;
  return build_commit (b, created_by, NULL, key, err);
}

/* ---- the instructions -------------------------------------------------------------------------- */

struct words
{
  char **v;
  size_t n;
};

static void
words_free (struct words *w)
{
  for (size_t i = 0; i < w->n; i++)
    free (w->v[i]);
  free (w->v);
  w->v = NULL;
  w->n = 0;
}

/* the words of a shell-form argument, or the exec form's strings (substituted) */
static int
inst_words (struct builder *b, const struct dock_df_inst *in, struct words *w, lcr_error_t *err)
{
  if (in->json)
    {
      w->v = xmalloc0 ((in->nargs + 1) * sizeof (char *));
      for (size_t i = 0; i < in->nargs; i++)
        {
          if (dock_df_expand (in->args[i], b->df.escape, build_lookup, b, &w->v[i], err) < 0)
            return -1;
          w->n = i + 1;
        }
      return 0;
    }
  return dock_df_words (in->rest ?: "", b->df.escape, build_lookup, b, &w->v, &w->n, err);
}

/* CMD / ENTRYPOINT / the command of HEALTHCHECK: exec form as it is, shell form through SHELL */
static jv
command_of (struct builder *b, const struct dock_df_inst *in)
{
  if (in->json)
    return jv_arr_of_strv (in->args, (long)in->nargs);
  jv a = build_shell (b);
  jv_push (a, jv_str (in->rest ?: ""));
  return a;
}

struct pairs
{
  char **k, **v;
  size_t n;
};

static void
pairs_free (struct pairs *p)
{
  for (size_t i = 0; i < p->n; i++)
    free (p->k[i]), free (p->v[i]);
  free (p->k);
  free (p->v);
}

static int
apply_env (struct builder *b, void *data, lcr_error_t *err)
{
  (void)err;
  struct pairs *p = data;
  for (size_t i = 0; i < p->n; i++)
    dock_config_env_set (cfg_config (b), p->k[i], p->v[i] ?: "");
  return 0;
}

static int
apply_label (struct builder *b, void *data, lcr_error_t *err)
{
  (void)err;
  struct pairs *p = data;
  for (size_t i = 0; i < p->n; i++)
    jv_set (jv_child_obj (cfg_config (b), "Labels"), p->k[i], jv_str (p->v[i] ?: ""));
  return 0;
}

/* the value of every pair, for the history: k=v k2=v2 */
static char *
pairs_text (const char *kw, struct pairs *p, bool quote)
{
  size_t len = strlen (kw) + 2;
  for (size_t i = 0; i < p->n; i++)
    len += strlen (p->k[i]) + (p->v[i] ? strlen (p->v[i]) : 0) + 8;
  char *s = xmalloc0 (len);
  strcpy (s, kw);
  for (size_t i = 0; i < p->n; i++)
    {
      strcat (s, " ");
      if (quote)
        strcat (s, "\"");
      strcat (s, p->k[i]);
      if (quote)
        strcat (s, "\"");
      if (p->v[i])
        {
          strcat (s, quote ? "='" : "=");
          strcat (s, p->v[i]);
          if (quote)
            strcat (s, "'");
        }
    }
  return s;
}

struct set_field
{
  const char *key;
  jv value; /* owned */
};

static int
apply_field (struct builder *b, void *data, lcr_error_t *err)
{
  (void)err;
  struct set_field *f = data;
  jv_set (cfg_config (b), f->key, jv_copy (f->value));
  return 0;
}

static int
apply_entrypoint (struct builder *b, void *data, lcr_error_t *err)
{
  apply_field (b, data, err);
  /* docker: an ENTRYPOINT drops a CMD inherited from the base, not one set in this stage */
  if (!b->cmd_set)
    jv_set (cfg_config (b), "Cmd", jv_null ());
  return 0;
}

static int
apply_author (struct builder *b, void *data, lcr_error_t *err)
{
  (void)err;
  jv_set (b->cfg, "author", jv_str (data));
  return 0;
}

static int
apply_keys (struct builder *b, void *data, lcr_error_t *err)
{
  (void)err;
  struct set_field *f = data; /* value: an array of keys */
  jv o = jv_child_obj (cfg_config (b), f->key);
  for (size_t i = 0; i < jv_len (f->value); i++)
    jv_set (o, jv_as_str (f->value->u.array.values[i]), jv_obj ());
  return 0;
}

static int
apply_onbuild (struct builder *b, void *data, lcr_error_t *err)
{
  (void)err;
  jv_push (jv_child_arr (cfg_config (b), "OnBuild"), jv_str (data));
  return 0;
}

/* EXPOSE's words: "80" → "80/tcp", "8000-8002/udp" → each port */
static int
expose_keys (struct words *w, jv out, lcr_error_t *err)
{
  for (size_t i = 0; i < w->n; i++)
    {
      const char *spec = w->v[i];
      const char *slash = strchr (spec, '/');
      const char *proto = slash ? slash + 1 : "tcp";
      cleanup_free char *ports = slash ? strndup (spec, (size_t)(slash - spec)) : xstrdup (spec);
      char *dash = strchr (ports, '-');
      char *end;
      long lo = strtol (ports, &end, 10), hi = lo;
      if (dash && end == dash)
        hi = strtol (dash + 1, &end, 10);
      if (*end || lo < 1 || hi < lo || hi > 65535
          || (strcmp (proto, "tcp") && strcmp (proto, "udp") && strcmp (proto, "sctp")))
        return lcr_error_invalid (err, "Invalid containerPort: %s", spec);
      for (long p = lo; p <= hi; p++)
        {
          cleanup_free char *k = NULL;
          xasprintf (&k, "%ld/%s", p, proto);
          jv_push (out, jv_str (k));
        }
    }
  return 0;
}

static long long
healthcheck_duration (const struct dock_df_inst *in, const char *flag, lcr_error_t *err)
{
  const char *v = dock_df_flag (in, flag);
  if (v == NULL)
    return 0;
  long long d = dock_parse_duration (v);
  if (d < 0)
    {
      lcr_error_invalid (err, "invalid duration for --%s: %s", flag, v);
      return -1;
    }
  return d;
}

static int
do_healthcheck (struct builder *b, const struct dock_df_inst *in, struct set_field *f, lcr_error_t *err)
{
  /* the parser's forms (build/dockerfile.c): NONE → exec ["NONE"]; CMD [..] → exec with "CMD"
     first; CMD text → rest = text */
  const char *rest = in->json ? NULL : (in->rest ?: "");
  jv hc = jv_obj ();
  f->key = "Healthcheck";
  f->value = hc;
  if (in->json && in->nargs == 1 && strcmp (in->args[0], "NONE") == 0)
    {
      jv t = jv_set (hc, "Test", jv_arr ());
      jv_push (t, jv_str ("NONE"));
      return 0;
    }
  jv test = jv_set (hc, "Test", jv_arr ());
  if (in->json)
    {
      /* a parser that keeps HEALTHCHECK CMD [..] as exec form: the array is the command */
      jv_push (test, jv_str ("CMD"));
      for (size_t i = 0; i < in->nargs; i++)
        if (i > 0 || strcasecmp (in->args[i], "CMD"))
          jv_push (test, jv_str (in->args[i]));
    }
  else
    {
      jv_push (test, jv_str ("CMD-SHELL"));
      jv_push (test, jv_str (rest));
    }
  static const struct
  {
    const char *flag, *key;
  } durs[] = {{"interval", "Interval"},
              {"timeout", "Timeout"},
              {"start-period", "StartPeriod"},
              {"start-interval", "StartInterval"}};
  for (size_t i = 0; i < sizeof durs / sizeof durs[0]; i++)
    {
      long long d = healthcheck_duration (in, durs[i].flag, err);
      if (d < 0)
        return -1;
      if (d)
        jv_set (hc, durs[i].key, jv_int (d));
    }
  const char *r = dock_df_flag (in, "retries");
  if (r)
    {
      char *end;
      long n = strtol (r, &end, 10);
      if (*end || n < 0)
        return lcr_error_invalid (err, "invalid --retries: %s", r);
      if (n)
        jv_set (hc, "Retries", jv_int (n));
    }
  (void)b;
  return 0;
}

/* ARG inside a stage: its value is --build-arg's, else its default, else the global ARG's */
static int
do_arg (struct builder *b, const struct dock_df_inst *in, bool meta, lcr_error_t *err)
{
  struct pairs p = {0};
  if (dock_df_pairs (in, b->df.escape, meta ? meta_lookup : build_lookup, b, &p.k, &p.v, &p.n, err) < 0)
    return -1;
  for (size_t i = 0; i < p.n; i++)
    {
      const char *v = jv_get_str (b->build_args, p.k[i]);
      if (jv_get (b->build_args, p.k[i]))
        jv_set (b->used_args, p.k[i], jv_bool (true));
      if (v == NULL)
        v = p.v[i];
      if (v == NULL && !meta)
        v = jv_get_str (b->meta_args, p.k[i]);
      jv_set (meta ? b->meta_args : b->args, p.k[i], jv_str (v));
    }
  int r = 0;
  if (!meta)
    {
      cleanup_free char *text = pairs_text ("ARG", &p, false);
      cleanup_free char *by = nop_text (b, text, true);
      r = config_step (b, by, NULL, NULL, err);
    }
  pairs_free (&p);
  return r;
}

static int dispatch (struct builder *b, const struct dock_df_inst *in, lcr_error_t *err);

static struct build_stage *
find_stage (struct builder *b, const char *name, size_t before)
{
  for (size_t i = 0; i < b->nstages && b->stages[i].first < before; i++)
    if (b->stages[i].name && strcasecmp (b->stages[i].name, name) == 0)
      return &b->stages[i];
  return NULL;
}

static jv
scratch_config (void)
{
  jv cfg = jv_obj ();
  jv_set (cfg, "architecture", jv_str ("amd64"));
  jv_set (cfg, "os", jv_str ("linux"));
  jv c = jv_set (cfg, "config", jv_obj ());
  jv env = jv_set (c, "Env", jv_arr ());
  jv_push (env, jv_str (DEFAULT_PATH));
  jv r = jv_set (cfg, "rootfs", jv_obj ());
  jv_set (r, "type", jv_str ("layers"));
  jv_set (r, "diff_ids", jv_arr ());
  jv_set (cfg, "history", jv_arr ());
  return cfg;
}

/* FROM: the base (scratch, an earlier stage, an image), then the base's ONBUILD triggers */
static int
do_from (struct builder *b, const struct dock_df_inst *in, lcr_error_t *err)
{
  struct words w = {0};
  cleanup_jv jv triggers = NULL;
  cleanup_image struct dock_image *img = NULL;
  if (dock_df_words (in->rest ?: "", b->df.escape, meta_lookup, b, &w.v, &w.n, err) < 0)
    return -1;
  int ret = -1;
  if (w.n != 1 && !(w.n == 3 && strcasecmp (w.v[1], "AS") == 0))
    {
      lcr_error_invalid (err, "Dockerfile:%d: FROM requires either one or three arguments", in->line);
      goto out;
    }
  jv_free (b->args);
  b->args = jv_obj ();
  b->cmd_set = false;
  *b->cur = '\0';
  jv_free (b->cfg);
  b->cfg = NULL;
  struct build_stage *st = find_stage (b, w.v[0], (size_t)(in - b->df.v));
  if (strcasecmp (w.v[0], "scratch") == 0)
    {
      b->cfg = scratch_config ();
      fprintf (b->out, " ---> \n");
      ret = 0;
      goto out;
    }
  if (st)
    ret = dock_image_resolve (b->ctx, st->image, &img, err);
  else if ((ret = dock_image_resolve (b->ctx, w.v[0], &img, err)) < 0)
    lcr_error_wrap (err, "Dockerfile:%d: FROM %s", in->line, w.v[0]);
  if (ret < 0)
    goto out;
  snprintf (b->cur, sizeof b->cur, "%s", img->id);
  b->cfg = jv_copy (img->config);
  jv_del (b->cfg, "container");
  jv_del (b->cfg, "container_config");
  jv_del (b->cfg, "author");
  if (jv_get_arr (b->cfg, "history") == NULL)
    jv_set (b->cfg, "history", jv_arr ());
  fprintf (b->out, " ---> %.12s\n", img->id + 7);
  /* ONBUILD: the base's triggers run now, and the new image has none of its own yet */
  triggers = jv_copy (jv_get_arr (cfg_config (b), "OnBuild"));
  if (jv_len (triggers))
    {
      jv_set (cfg_config (b), "OnBuild", jv_null ());
      fprintf (b->out, "# Executing %zu build trigger%s\n", jv_len (triggers), jv_len (triggers) > 1 ? "s" : "");
      for (size_t i = 0; i < jv_len (triggers); i++)
        {
          const char *t = jv_as_str (triggers->u.array.values[i]);
          struct dock_dockerfile tdf = {0};
          if (dock_dockerfile_parse ("ONBUILD", t, strlen (t), &tdf, err) < 0)
            {
              ret = -1;
              goto out;
            }
          for (size_t k = 0; k < tdf.n && ret == 0; k++)
            ret = dispatch (b, &tdf.v[k], err);
          dock_dockerfile_free (&tdf);
          if (ret < 0)
            goto out;
        }
    }
  ret = 0;
out:
  words_free (&w);
  return ret;
}

static int
dispatch (struct builder *b, const struct dock_df_inst *in, lcr_error_t *err)
{
  const char *kw = in->keyword;
  if (strcmp (kw, "FROM") == 0)
    return do_from (b, in, err);
  if (strcmp (kw, "RUN") == 0)
    return build_run (b, in, err);
  if (strcmp (kw, "COPY") == 0 || strcmp (kw, "ADD") == 0)
    return build_copy (b, in, kw[0] == 'A', err);
  if (strcmp (kw, "ARG") == 0)
    return do_arg (b, in, false, err);
  if (strcmp (kw, "ENV") == 0 || strcmp (kw, "LABEL") == 0)
    {
      struct pairs p = {0};
      if (dock_df_pairs (in, b->df.escape, build_lookup, b, &p.k, &p.v, &p.n, err) < 0)
        return -1;
      bool env = kw[0] == 'E';
      cleanup_free char *text = pairs_text (kw, &p, false);
      cleanup_free char *by = nop_text (b, text, true);
      int r = config_step (b, by, env ? apply_env : apply_label, &p, err);
      pairs_free (&p);
      return r;
    }
  if (strcmp (kw, "CMD") == 0 || strcmp (kw, "ENTRYPOINT") == 0)
    {
      bool cmd = kw[0] == 'C';
      struct set_field f = {cmd ? "Cmd" : "Entrypoint", command_of (b, in)};
      cleanup_free char *q = go_quote_list (f.value);
      cleanup_free char *text = NULL;
      xasprintf (&text, "%s %s", kw, q);
      cleanup_free char *by = nop_text (b, text, true);
      int r = config_step (b, by, cmd ? apply_field : apply_entrypoint, &f, err);
      jv_free (f.value);
      if (cmd)
        b->cmd_set = true;
      return r;
    }
  if (strcmp (kw, "SHELL") == 0)
    {
      if (!in->json || in->nargs == 0)
        return lcr_error_invalid (err, "Dockerfile:%d: SHELL requires the arguments to be in JSON form", in->line);
      struct set_field f = {"Shell", jv_arr_of_strv (in->args, (long)in->nargs)};
      /* docker writes this step with the new shell, and the list as %v */
      cleanup_free char *l = go_list (f.value);
      cleanup_free char *sh = join_strs (f.value, " ");
      cleanup_free char *by = NULL;
      xasprintf (&by, "%s #(nop)  SHELL %s", sh, l);
      int r = config_step (b, by, apply_field, &f, err);
      jv_free (f.value);
      return r;
    }
  if (strcmp (kw, "MAINTAINER") == 0)
    {
      cleanup_free char *by = NULL, *text = NULL;
      xasprintf (&text, "MAINTAINER %s", in->rest ?: "");
      by = nop_text (b, text, true);
      return config_step (b, by, apply_author, in->rest ?: "", err);
    }
  if (strcmp (kw, "ONBUILD") == 0)
    {
      if (in->onbuild == NULL)
        return lcr_error_invalid (err, "Dockerfile:%d: ONBUILD requires an instruction", in->line);
      const char *inner = in->onbuild->keyword;
      if (strcmp (inner, "ONBUILD") == 0 || strcmp (inner, "FROM") == 0 || strcmp (inner, "MAINTAINER") == 0)
        return lcr_error_invalid (err, "Dockerfile:%d: %s isn't allowed as an ONBUILD trigger", in->line, inner);
      const char *t = after_keyword (in);
      cleanup_free char *text = NULL;
      xasprintf (&text, "ONBUILD %s", t);
      cleanup_free char *by = nop_text (b, text, true);
      return config_step (b, by, apply_onbuild, (void *)t, err);
    }
  if (strcmp (kw, "HEALTHCHECK") == 0)
    {
      struct set_field f = {0};
      int r = do_healthcheck (b, in, &f, err);
      if (r == 0)
        {
          /* docker's %q of its HealthConfig: &{["CMD-SHELL" "true"] "5s" "2s" "0s" '\x03'} */
          cleanup_free char *test = go_quote_list (jv_get_arr (f.value, "Test"));
          char iv[64], to[64], sp[64], si[72] = "", rt[16];
          go_duration (jv_get_int (f.value, "Interval", 0), iv);
          go_duration (jv_get_int (f.value, "Timeout", 0), to);
          go_duration (jv_get_int (f.value, "StartPeriod", 0), sp);
          if (jv_get_int (f.value, "StartInterval", 0))
            {
              char d[64];
              go_duration (jv_get_int (f.value, "StartInterval", 0), d);
              snprintf (si, sizeof si, "\"%s\" ", d);
            }
          go_quote_rune ((long)jv_get_int (f.value, "Retries", 0), rt);
          cleanup_free char *text = NULL;
          xasprintf (&text, "HEALTHCHECK &{%s \"%s\" \"%s\" \"%s\" %s%s}", test, iv, to, sp, si, rt);
          cleanup_free char *by = nop_text (b, text, true);
          r = config_step (b, by, apply_field, &f, err);
        }
      jv_free (f.value);
      return r;
    }

  /* the rest take substituted words */
  struct words w = {0};
  if (inst_words (b, in, &w, err) < 0)
    {
      words_free (&w);
      return lcr_error_wrap (err, "Dockerfile:%d", in->line);
    }
  int r = -1;
  if (strcmp (kw, "EXPOSE") == 0 || strcmp (kw, "VOLUME") == 0)
    {
      bool expose = kw[0] == 'E';
      struct set_field f = {expose ? "ExposedPorts" : "Volumes", jv_arr ()};
      if (expose)
        r = expose_keys (&w, f.value, err);
      else
        {
          r = 0;
          for (size_t i = 0; i < w.n; i++)
            if (*w.v[i])
              jv_push (f.value, jv_str (w.v[i]));
            else
              r = lcr_error_invalid (err, "Dockerfile:%d: VOLUME specified can not be an empty string", in->line);
        }
      if (r == 0 && w.n == 0)
        r = lcr_error_invalid (err, "Dockerfile:%d: %s requires at least one argument", in->line, kw);
      if (r == 0)
        {
          cleanup_free char *text = NULL;
          if (expose)
            {
              /* docker: the ports as written, sorted as strings */
              qsort (w.v, w.n, sizeof (char *), cmp_strp);
              size_t len = 8;
              for (size_t i = 0; i < w.n; i++)
                len += strlen (w.v[i]) + 1;
              text = xmalloc0 (len);
              strcpy (text, "EXPOSE");
              for (size_t i = 0; i < w.n; i++)
                {
                  strcat (text, " ");
                  strcat (text, w.v[i]);
                }
            }
          else
            {
              cleanup_free char *l = go_list (f.value);
              xasprintf (&text, "VOLUME %s", l);
            }
          cleanup_free char *by = nop_text (b, text, true);
          r = config_step (b, by, apply_keys, &f, err);
        }
      jv_free (f.value);
    }
  else if (strcmp (kw, "USER") == 0 || strcmp (kw, "STOPSIGNAL") == 0 || strcmp (kw, "WORKDIR") == 0)
    {
      if (w.n != 1)
        {
          r = lcr_error_invalid (err, "Dockerfile:%d: %s requires exactly one argument", in->line, kw);
          goto out;
        }
      cleanup_free char *text = NULL;
      if (kw[0] == 'W')
        {
          /* relative to the previous WORKDIR */
          const char *old = jv_get_str (cfg_config (b), "WorkingDir");
          cleanup_free char *joined = NULL;
          if (w.v[0][0] == '/')
            joined = xstrdup (w.v[0]);
          else
            xasprintf (&joined, "%s/%s", old && *old ? old : "/", w.v[0]);
          cleanup_free char *dir = dock_path_clean (joined);
          xasprintf (&text, "WORKDIR %s", dir);
          cleanup_free char *by = nop_text (b, text, false);
          char key[72];
          build_cache_key (b, by, NULL, key);
          if (build_cache_get (b, key))
            {
              r = 0;
              goto out;
            }
          jv_set (cfg_config (b), "WorkingDir", jv_str (dir));
          cleanup_free char *tar = NULL;
          if (build_workdir_layer (b, dir, &tar, err) < 0)
            goto out;
          r = build_commit (b, by, tar, key, err);
          if (tar)
            unlink (tar);
          goto out;
        }
      if (kw[0] == 'S' && dock_signal_number (w.v[0]) < 0)
        {
          r = lcr_error_invalid (err, "Dockerfile:%d: Invalid signal: %s", in->line, w.v[0]);
          goto out;
        }
      struct set_field f = {kw[0] == 'U' ? "User" : "StopSignal", jv_str (w.v[0])};
      xasprintf (&text, "%s %s", kw, w.v[0]);
      cleanup_free char *by = nop_text (b, text, true);
      r = config_step (b, by, apply_field, &f, err);
      jv_free (f.value);
    }
  else
    r = lcr_error_invalid (err, "Dockerfile:%d: unknown instruction: %s", in->line, kw);
out:
  words_free (&w);
  return r;
}

/* ---- stages ------------------------------------------------------------------------------------ */

/* the stage a --from or FROM word names: an earlier stage by name or (for --from) index */
static struct build_stage *
stage_ref (struct builder *b, const char *ref, size_t before, bool index_ok)
{
  struct build_stage *st = find_stage (b, ref, before);
  if (st || !index_ok)
    return st;
  char *end;
  long i = strtol (ref, &end, 10);
  if (*ref && *end == '\0' && i >= 0 && (size_t)i < b->nstages && b->stages[i].first < before)
    return &b->stages[i];
  return NULL;
}

const struct build_stage *
build_stage_for_from (struct builder *b, const char *ref, size_t before)
{
  return stage_ref (b, ref, before, true);
}

/* Mark what `target` needs: the stages its FROM and COPY --from name. */
static void
mark_needed (struct builder *b, struct build_stage *st)
{
  if (st->needed)
    return;
  st->needed = true;
  for (size_t i = st->first; i < st->end; i++)
    {
      const struct dock_df_inst *in = &b->df.v[i];
      const char *ref = NULL;
      cleanup_free char *exp = NULL;
      struct words w = {0};
      cleanup_error lcr_error_t e = NULL;
      if (strcmp (in->keyword, "FROM") == 0 && in->rest
          && dock_df_words (in->rest, b->df.escape, meta_lookup, b, &w.v, &w.n, &e) == 0 && w.n)
        ref = w.v[0];
      else if ((strcmp (in->keyword, "COPY") == 0 || strcmp (in->keyword, "ADD") == 0) && dock_df_flag (in, "from")
               && dock_df_expand (dock_df_flag (in, "from"), b->df.escape, meta_lookup, b, &exp, &e) == 0)
        ref = exp;
      struct build_stage *dep = ref ? stage_ref (b, ref, st->first, strcmp (in->keyword, "FROM") != 0) : NULL;
      if (dep && dep != st)
        mark_needed (b, dep);
      words_free (&w);
    }
}

static int
build_stage_run (struct builder *b, struct build_stage *st, bool last, lcr_error_t *err)
{
  for (size_t i = st->first; i < st->end; i++)
    {
      const struct dock_df_inst *in = &b->df.v[i];
      fprintf (b->out, "Step %d/%d : %s\n", ++b->step, b->nsteps, in->original);
      fflush (b->out);
      if (dispatch (b, in, err) < 0)
        return -1;
    }
  if (last && b->o->nlabels)
    {
      struct pairs p = {0};
      p.k = xmalloc0 (b->o->nlabels * sizeof (char *));
      p.v = xmalloc0 (b->o->nlabels * sizeof (char *));
      for (size_t i = 0; i < b->o->nlabels; i++)
        {
          const char *eq = strchr (b->o->labels[i], '=');
          p.k[i] = eq ? strndup (b->o->labels[i], (size_t)(eq - b->o->labels[i])) : xstrdup (b->o->labels[i]);
          p.v[i] = xstrdup (eq ? eq + 1 : "");
          p.n = i + 1;
        }
      /* the step shows the instruction docker adds for --label; the history, its value */
      cleanup_free char *shown = pairs_text ("LABEL", &p, true);
      cleanup_free char *text = pairs_text ("LABEL", &p, false);
      fprintf (b->out, "Step %d/%d : %s\n", ++b->step, b->nsteps, shown);
      cleanup_free char *by = nop_text (b, text, true);
      int r = config_step (b, by, apply_label, &p, err);
      pairs_free (&p);
      if (r < 0)
        return -1;
    }
  if (*b->cur == '\0')
    {
      /* a stage that is only FROM scratch: an image with no layer */
      cleanup_free char *by = nop_text (b, "FROM scratch", true);
      if (config_step (b, by, NULL, NULL, err) < 0)
        return -1;
    }
  snprintf (st->image, sizeof st->image, "%s", b->cur);
  st->built = true;
  return 0;
}

/* ---- the context --------------------------------------------------------------------------------- */

void
build_rmtree (const char *path)
{
  pid_t pid = fork ();
  if (pid == 0)
    {
      execlp ("rm", "rm", "-rf", "--one-file-system", "--", path, (char *)NULL);
      _exit (127);
    }
  if (pid > 0)
    {
      int st;
      while (waitpid (pid, &st, 0) < 0 && errno == EINTR)
        ;
    }
}

static int
read_all_fd (int fd, char **buf, size_t *len, lcr_error_t *err)
{
  size_t cap = 65536, n = 0;
  char *b = xmalloc0 (cap + 1);
  for (;;)
    {
      if (n == cap)
        {
          cap *= 2;
          b = realloc (b, cap + 1);
          if (b == NULL)
            return lcr_error_sys (err, "out of memory");
        }
      ssize_t r = read (fd, b + n, cap - n);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          free (b);
          return lcr_error_sys (err, "read standard input");
        }
      if (r == 0)
        break;
      n += (size_t)r;
    }
  b[n] = '\0';
  *buf = b;
  *len = n;
  return 0;
}

static bool
looks_like_tar (const char *buf, size_t len)
{
  if (len >= 2 && (unsigned char)buf[0] == 0x1f && (unsigned char)buf[1] == 0x8b)
    return true;
  if (len >= 3 && memcmp (buf, "BZh", 3) == 0)
    return true;
  if (len >= 6
      && memcmp (buf,
                 "\xfd"
                 "7zXZ",
                 6)
             == 0)
    return true;
  if (len >= 4 && memcmp (buf, "\x28\xb5\x2f\xfd", 4) == 0)
    return true;
  return len >= 262 && memcmp (buf + 257, "ustar", 5) == 0;
}

/* context "-": a tar unpacked into a temporary directory, or a Dockerfile and an empty context */
static int
stdin_context (struct builder *b, char *tmpdir, char **dockerfile, size_t *dflen, lcr_error_t *err)
{
  cleanup_free char *buf = NULL;
  size_t len;
  if (read_all_fd (0, &buf, &len, err) < 0)
    return -1;
  if (!looks_like_tar (buf, len))
    {
      *dockerfile = steal_pointer (&buf);
      *dflen = len;
      return 0;
    }
  /* feed the bytes to the tar reader through a pipe from a child */
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return lcr_error_sys (err, "pipe");
  pid_t pid = fork ();
  if (pid == 0)
    {
      close (p[0]);
      size_t off = 0;
      while (off < len)
        {
          ssize_t w = write (p[1], buf + off, len - off);
          if (w < 0 && errno == EINTR)
            continue;
          if (w <= 0)
            _exit (1);
          off += (size_t)w;
        }
      _exit (0);
    }
  close (p[1]);
  cleanup_sink struct dock_sink *sink = dock_fs_sink_new (-1, tmpdir, NULL, -1, -1);
  int r = dock_tar_read (p[0], sink, err);
  if (r == 0 && sink->finish)
    r = sink->finish (sink, err);
  close (p[0]);
  int st;
  waitpid (pid, &st, 0);
  (void)b;
  return r;
}

static int
load_dockerfile (struct builder *b, char *tmpdir, lcr_error_t *err)
{
  const struct dock_build_opts *o = b->o;
  cleanup_free char *text = NULL;
  size_t len = 0;
  const char *ctxdir = o->context;
  if (strcmp (o->context, "-") == 0)
    {
      if (o->dockerfile && strcmp (o->dockerfile, "-") == 0)
        return lcr_error_invalid (err, "invalid argument: can't use stdin for both build context and dockerfile");
      if (stdin_context (b, tmpdir, &text, &len, err) < 0)
        return -1;
      ctxdir = tmpdir;
    }
  b->context = realpath (ctxdir, NULL);
  if (b->context == NULL)
    return lcr_error_sys (err, "unable to prepare context: path \"%s\" not found", ctxdir);
  struct stat st;
  if (stat (b->context, &st) < 0 || !S_ISDIR (st.st_mode))
    return lcr_error_invalid (err, "unable to prepare context: context must be a directory: %s", ctxdir);
  const char *name = "Dockerfile";
  if (text == NULL)
    {
      cleanup_free char *path = NULL;
      if (o->dockerfile && strcmp (o->dockerfile, "-") == 0)
        {
          if (read_all_fd (0, &text, &len, err) < 0)
            return -1;
          name = "-";
        }
      else
        {
          if (o->dockerfile == NULL)
            xasprintf (&path, "%s/Dockerfile", b->context);
          else if (o->dockerfile[0] == '/')
            path = xstrdup (o->dockerfile);
          else
            {
              /* relative to the context when it is there, else to the current directory */
              xasprintf (&path, "%s/%s", b->context, o->dockerfile);
              if (access (path, F_OK) < 0)
                {
                  free (path);
                  path = xstrdup (o->dockerfile);
                }
            }
          if (lcr_read_file (path, &text, &len, err) < 0)
            {
              lcr_error_release (err);
              return lcr_error_make (err, 0, LCR_ERR_NOT_FOUND,
                                     "unable to prepare context: unable to evaluate symlinks in Dockerfile path: "
                                     "lstat %s: no such file or directory",
                                     path);
            }
        }
    }
  if (dock_dockerfile_parse (name, text, len, &b->df, err) < 0)
    return -1;
  /* .dockerignore */
  cleanup_free char *igp = NULL;
  xasprintf (&igp, "%s/.dockerignore", b->context);
  cleanup_free char *ig = NULL;
  size_t iglen;
  cleanup_error lcr_error_t e = NULL;
  if (lcr_read_file (igp, &ig, &iglen, &e) == 0 && dock_ignore_parse (ig, iglen, &b->ignore, err) < 0)
    return lcr_error_wrap (err, ".dockerignore");
  return 0;
}

static int
split_stages (struct builder *b, lcr_error_t *err)
{
  size_t i = 0;
  for (; i < b->df.n && strcmp (b->df.v[i].keyword, "FROM"); i++)
    if (strcmp (b->df.v[i].keyword, "ARG"))
      return lcr_error_invalid (err, "Dockerfile:%d: %s: no build stage in current context (FROM first)",
                                b->df.v[i].line, b->df.v[i].keyword);
  if (i == b->df.n)
    return lcr_error_invalid (err, "the Dockerfile (%s) cannot be empty: no FROM",
                              b->o->dockerfile ? b->o->dockerfile : "Dockerfile");
  b->stages = xmalloc0 (b->df.n * sizeof *b->stages);
  for (; i < b->df.n; i++)
    {
      const struct dock_df_inst *in = &b->df.v[i];
      if (strcmp (in->keyword, "FROM"))
        continue;
      if (b->nstages)
        b->stages[b->nstages - 1].end = i;
      struct build_stage *st = &b->stages[b->nstages++];
      st->first = i;
      st->end = b->df.n;
      struct words w = {0};
      cleanup_error lcr_error_t e = NULL;
      if (in->rest && dock_df_words (in->rest, b->df.escape, NULL, NULL, &w.v, &w.n, &e) == 0 && w.n == 3)
        {
          st->name = xstrdup (w.v[2]);
          for (char *p = st->name; *p; p++)
            *p = (char)tolower ((unsigned char)*p);
        }
      words_free (&w);
    }
  return 0;
}

/* --build-arg K=V, or K with the value from our environment (skipped when unset) */
static void
load_build_args (struct builder *b)
{
  b->build_args = jv_obj ();
  for (size_t i = 0; i < b->o->nbuild_args; i++)
    {
      const char *a = b->o->build_args[i];
      const char *eq = strchr (a, '=');
      if (eq)
        {
          cleanup_free char *k = strndup (a, (size_t)(eq - a));
          jv_set (b->build_args, k, jv_str (eq + 1));
        }
      else if (getenv (a))
        jv_set (b->build_args, a, jv_str (getenv (a)));
      else
        jv_set (b->build_args, a, jv_null ());
    }
}

int
dock_build (struct dock_ctx *ctx, const struct dock_build_opts *o, char id_out[72], lcr_error_t *err)
{
  struct builder bb = {.ctx = ctx, .o = o, .out = stdout};
  struct builder *b = &bb;
  int ret = -1;
  if (o->quiet)
    b->out = fopen ("/dev/null", "we");
  cleanup_free char *tmpdir = dock_path (ctx, "build-tmp-XXXXXX");
  if (dock_store_init (ctx, err) < 0)
    return -1;
  if (mkdtemp (tmpdir) == NULL)
    return lcr_error_sys (err, "a temporary directory");
  b->meta_args = jv_obj ();
  b->args = jv_obj ();
  b->used_args = jv_obj ();
  load_build_args (b);
  /* SOURCE_DATE_EPOCH: --build-arg's, else the environment's */
  {
    const char *sde = jv_get_str (b->build_args, "SOURCE_DATE_EPOCH") ?: getenv ("SOURCE_DATE_EPOCH");
    char *end;
    b->epoch = -1;
    if (sde && *sde)
      {
        long long v = strtoll (sde, &end, 10);
        if (*end || v < 0)
          {
            lcr_error_invalid (err, "invalid SOURCE_DATE_EPOCH: %s", sde);
            goto out;
          }
        b->epoch = v;
      }
  }
  if (load_dockerfile (b, tmpdir, err) < 0 || split_stages (b, err) < 0)
    goto out;
  /* the ARGs before the first FROM */
  size_t nmeta = b->stages[0].first;
  for (size_t i = 0; i < nmeta; i++)
    if (do_arg (b, &b->df.v[i], true, err) < 0)
      goto out;
  struct build_stage *target = &b->stages[b->nstages - 1];
  if (o->target)
    {
      target = find_stage (b, o->target, b->df.n);
      if (target == NULL)
        {
          lcr_error_invalid (err, "failed to reach build target %s in Dockerfile", o->target);
          goto out;
        }
    }
  mark_needed (b, target);
  b->nsteps = (int)nmeta + (o->nlabels ? 1 : 0);
  for (size_t s = 0; s < b->nstages; s++)
    if (b->stages[s].needed)
      b->nsteps += (int)(b->stages[s].end - b->stages[s].first);
  for (size_t i = 0; i < nmeta; i++)
    fprintf (b->out, "Step %d/%d : %s\n", ++b->step, b->nsteps, b->df.v[i].original);
  for (size_t s = 0; s < b->nstages; s++)
    {
      struct build_stage *st = &b->stages[s];
      if (!st->needed)
        continue;
      if (build_stage_run (b, st, st == target, err) < 0)
        goto out;
      if (st == target)
        break;
    }
  /* --build-arg that no ARG used (docker warns, and builds) */
  {
    bool any = false;
    for (size_t i = 0; i < jv_len (b->build_args); i++)
      {
        const char *k = b->build_args->u.object.keys[i];
        if (jv_get (b->used_args, k) || is_proxy_arg (k) || strcmp (k, "SOURCE_DATE_EPOCH") == 0)
          continue;
        fprintf (b->out, "%s%s", any ? " " : "[Warning] One or more build-args [", k);
        any = true;
      }
    if (any)
      fprintf (b->out, "] were not consumed\n");
  }
  snprintf (id_out, 72, "%s", target->image);
  fprintf (b->out, "Successfully built %.12s\n", target->image + 7);
  for (size_t i = 0; i < o->ntags; i++)
    {
      if (dock_image_tag (ctx, target->image, o->tags[i], err) < 0)
        goto out;
      cleanup_error lcr_error_t e = NULL;
      cleanup_free char *norm = dock_ref_normalize (o->tags[i], &e);
      cleanup_free char *fam = norm ? dock_ref_familiar (norm) : NULL;
      fprintf (b->out, "Successfully tagged %s\n", fam ? fam : o->tags[i]);
    }
  ret = 0;
out:
  fflush (b->out);
  if (b->out != stdout)
    fclose (b->out);
  build_rmtree (tmpdir);
  dock_dockerfile_free (&b->df);
  if (b->ignore)
    dock_ignore_free (b->ignore);
  for (size_t s = 0; s < b->nstages; s++)
    free (b->stages[s].name);
  free (b->stages);
  free (b->context);
  jv_free (b->build_args);
  jv_free (b->used_args);
  jv_free (b->meta_args);
  jv_free (b->args);
  jv_free (b->cfg);
  return ret;
}
