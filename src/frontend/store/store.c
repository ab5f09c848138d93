/* dock — the store's directories, lock, ids and names (see store.h). */
#define _GNU_SOURCE
#include "store.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

static char *
vpath (const char *base, const char *fmt, va_list ap)
{
  cleanup_free char *rel = NULL;
  if (vasprintf (&rel, fmt, ap) < 0)
    abort ();
  char *out;
  xasprintf (&out, "%s/%s", base, rel);
  return out;
}

char *
dock_path (struct dock_ctx *ctx, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *p = vpath (ctx->root, fmt, ap);
  va_end (ap);
  return p;
}

char *
dock_runpath (struct dock_ctx *ctx, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *p = vpath (ctx->runroot, fmt, ap);
  va_end (ap);
  return p;
}

int
dock_store_init (struct dock_ctx *ctx, lcr_error_t *err)
{
  static const char *const root_dirs[] = {"blobs/sha256", "layers", "containers", "volumes", "networks", NULL};
  static const char *const run_dirs[] = {"runtime", "exits", "netns", "shim", "sock", NULL};
  cleanup_free char *marker = dock_path (ctx, "oci-layout");
  if (access (marker, F_OK) == 0)
    {
      cleanup_free char *runmark = dock_runpath (ctx, "sock"); /* the newest of them */
      if (access (runmark, F_OK) == 0)
        return 0;
    }
  for (const char *const *d = root_dirs; *d; d++)
    {
      cleanup_free char *p = dock_path (ctx, "%s", *d);
      if (lcr_mkdir_p (p, 0700, err) < 0)
        return lcr_error_wrap (err, "store `%s`", ctx->root);
    }
  for (const char *const *d = run_dirs; *d; d++)
    {
      cleanup_free char *p = dock_runpath (ctx, "%s", *d);
      if (lcr_mkdir_p (p, 0700, err) < 0)
        return lcr_error_wrap (err, "run dir `%s`", ctx->runroot);
    }
  if (access (marker, F_OK) < 0)
    {
      static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
      if (dock_write_atomic_at (AT_FDCWD, marker, layout, sizeof layout - 1, err) < 0)
        return -1;
    }
  return 0;
}

int
dock_lock (struct dock_ctx *ctx, lcr_error_t *err)
{
  if (ctx->lock_depth++ > 0)
    return 0;
  cleanup_free char *p = dock_path (ctx, "lock");
  int fd = open (p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      ctx->lock_depth--;
      return lcr_error_sys (err, "open the store's lock `%s`", p);
    }
  while (flock (fd, LOCK_EX) < 0)
    if (errno != EINTR)
      {
        close (fd);
        ctx->lock_depth--;
        return lcr_error_sys (err, "lock `%s`", p);
      }
  ctx->lock_fd = fd;
  return 0;
}

void
dock_unlock (struct dock_ctx *ctx)
{
  if (ctx->lock_depth == 0 || --ctx->lock_depth > 0)
    return;
  if (ctx->lock_fd >= 0)
    close (ctx->lock_fd);
  ctx->lock_fd = -1;
}

void
dock_random_id (char out[65])
{
  unsigned char b[32];
  size_t got = 0;
  while (got < sizeof b)
    {
      ssize_t r = getrandom (b + got, sizeof b - got, 0);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        abort ();
      got += r;
    }
  for (size_t i = 0; i < sizeof b; i++)
    sprintf (out + 2 * i, "%02x", b[i]);
  out[64] = '\0';
}

/* Our own short word lists, in docker's spirit: adjective_surname of a computing pioneer. */
static const char *const adjectives[] = {
    "agile",  "bold",    "brave",  "bright",  "calm",    "clever", "cool",  "crisp",   "daring",
    "eager",  "fervent", "gentle", "happy",   "hopeful", "jolly",  "keen",  "kind",    "lucid",
    "merry",  "nimble",  "noble",  "patient", "proud",   "quick",  "quiet", "serene",  "sharp",
    "steady", "sunny",   "swift",  "tender",  "vivid",   "wise",   "witty", "zealous", "zen",
};
static const char *const surnames[] = {
    "allen",    "babbage",    "backus", "barton",   "bell",     "cerf",   "clarke",  "conway",
    "dijkstra", "engelbart",  "floyd",  "hamilton", "hoare",    "hopper", "kahn",    "kay",
    "knuth",    "lamport",    "liskov", "lovelace", "mccarthy", "minsky", "perlman", "ritchie",
    "shannon",  "sutherland", "tarjan", "thompson", "torvalds", "turing", "wirth",   "wozniak",
};

char *
dock_random_name (bool (*taken) (void *data, const char *name), void *data)
{
  char id[65];
  for (int attempt = 0;; attempt++)
    {
      dock_random_id (id);
      unsigned a = strtoul ((char[]){id[0], id[1], id[2], id[3], 0}, NULL, 16);
      unsigned s = strtoul ((char[]){id[4], id[5], id[6], id[7], 0}, NULL, 16);
      char *name;
      if (attempt < 10)
        xasprintf (&name, "%s_%s", adjectives[a % (sizeof adjectives / sizeof *adjectives)],
                   surnames[s % (sizeof surnames / sizeof *surnames)]);
      else
        xasprintf (&name, "%s_%s%u", adjectives[a % (sizeof adjectives / sizeof *adjectives)],
                   surnames[s % (sizeof surnames / sizeof *surnames)], (a ^ s) % 100);
      if (taken == NULL || !taken (data, name))
        return name;
      free (name);
    }
}

bool
dock_valid_name (const char *name)
{
  if (name == NULL
      || !((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z')
           || (name[0] >= '0' && name[0] <= '9')))
    return false;
  for (const char *p = name; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '.'
          || *p == '-'))
      return false;
  return strlen (name) <= 253;
}

bool
dock_is_hex_id (const char *s, size_t len)
{
  if (strlen (s) != len)
    return false;
  for (size_t i = 0; i < len; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return false;
  return true;
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

char **
dock_list_dir (const char *path)
{
  size_t n = 0, cap = 16;
  char **v = xmalloc0 (cap * sizeof (char *));
  cleanup_dir DIR *d = opendir (path);
  struct dirent *de;
  while (d && (de = readdir (d)) != NULL)
    {
      if (de->d_name[0] == '.')
        continue;
      if (n + 1 >= cap)
        v = xrealloc (v, (cap *= 2) * sizeof (char *));
      v[n++] = xstrdup (de->d_name);
    }
  v[n] = NULL;
  qsort (v, n, sizeof (char *), cmp_str);
  return v;
}

void
dock_strv_free (char **v)
{
  for (size_t i = 0; v && v[i]; i++)
    free (v[i]);
  free (v);
}

char *
dock_now_rfc3339 (void)
{
  char buf[64];
  lcr_rfc3339_now (buf, sizeof buf);
  return xstrdup (buf);
}

long long
dock_parse_rfc3339 (const char *s)
{
  struct tm tm = {0};
  if (s == NULL)
    return -1;
  const char *rest = strptime (s, "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == NULL)
    return -1;
  long long t = timegm (&tm);
  while (*rest == '.' || (*rest >= '0' && *rest <= '9'))
    rest++;
  if (*rest == '+' || *rest == '-')
    {
      int hh = 0, mm = 0;
      if (sscanf (rest + 1, "%2d:%2d", &hh, &mm) >= 1)
        t += (*rest == '+' ? -1 : 1) * (hh * 3600LL + mm * 60LL);
    }
  return t;
}
