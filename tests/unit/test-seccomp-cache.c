/* Unit tests for seccomp.c's compile cache: a hit gives the same program, and
   the cache never holds more than LCR_SECCOMP_CACHE_MAX entries, the least
   recently used going first. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "linux.h"
#include "spec.h"
#include "tap.h"
#include "utils.h"

static char cache_dir[64];

/* A profile of its own for each n: getppid fails with errno n + 1. */
static struct lcr_spec *
profile (int n)
{
  cleanup_free char *json = NULL;
  xasprintf (&json,
             "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"linux\":{\"seccomp\":{"
             "\"defaultAction\":\"SCMP_ACT_ALLOW\","
             "\"syscalls\":[{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":%d}]}}}",
             n + 1);
  cleanup_error lcr_error_t err = NULL;
  struct lcr_spec *s = lcr_spec_parse (json, strlen (json), &err);
  if (s == NULL)
    printf ("# parse: %s\n", err->msg);
  return s;
}

static int
compile (int n)
{
  struct lcr_spec *s = profile (n);
  if (s == NULL)
    return -1;
  struct lcr_seccomp_prog *p = NULL;
  cleanup_error lcr_error_t err = NULL;
  int r = lcr_seccomp_compile_cached (s->linux_->seccomp, cache_dir, &p, &err);
  if (r < 0)
    printf ("# compile %d: %s\n", n, err->msg);
  lcr_seccomp_prog_free (p);
  lcr_spec_free (s);
  return r;
}

/* The entries' count; *newest gets the most recently modified one's name. */
static int
entries (char newest[32])
{
  DIR *d = opendir (cache_dir);
  struct dirent *de;
  struct timespec best = {0, 0};
  int n = 0;
  if (d == NULL)
    return -1;
  while ((de = readdir (d)) != NULL)
    {
      char path[4096];
      struct stat st;
      if (de->d_name[0] == '.')
        continue;
      n++;
      snprintf (path, sizeof path, "%s/%s", cache_dir, de->d_name);
      if (newest && stat (path, &st) == 0
          && (st.st_mtim.tv_sec > best.tv_sec
              || (st.st_mtim.tv_sec == best.tv_sec && st.st_mtim.tv_nsec > best.tv_nsec)))
        {
          best = st.st_mtim;
          snprintf (newest, 32, "%.16s", de->d_name);
        }
    }
  closedir (d);
  return n;
}

/* Set an entry's mtime to t. */
static int
age (const char *name, time_t t)
{
  char path[4096];
  struct timespec ts[2] = {{t, 0}, {t, 0}};
  snprintf (path, sizeof path, "%s/%s", cache_dir, name);
  return utimensat (AT_FDCWD, path, ts, 0);
}

static bool
exists (const char *name)
{
  char path[4096];
  snprintf (path, sizeof path, "%s/%s", cache_dir, name);
  return access (path, F_OK) == 0;
}

static void
rm_cache (void)
{
  DIR *d = opendir (cache_dir);
  struct dirent *de;
  if (d == NULL)
    return;
  while ((de = readdir (d)) != NULL)
    if (de->d_name[0] != '.' || strlen (de->d_name) > 2)
      unlinkat (dirfd (d), de->d_name, 0);
  closedir (d);
  rmdir (cache_dir);
}

int
main (void)
{
  const int max = LCR_SECCOMP_CACHE_MAX;
  char tmpl[] = "/tmp/berth-seccomp-cache.XXXXXX";
  if (mkdtemp (tmpl) == NULL)
    {
      ok (0, "mkdtemp: %s", strerror (errno));
      return done_testing ();
    }
  snprintf (cache_dir, sizeof cache_dir, "%s/c", tmpl);

  /* Each entry gets an mtime of its own (base + i seconds, in the past): the
     clock's tick is coarser than a compile, so their own times may tie. */
  static char names[LCR_SECCOMP_CACHE_MAX + 16][32];
  time_t base = time (NULL) - 100000;
  ok (compile (0) == 0 && entries (names[0]) == 1 && age (names[0], base) == 0, "a miss writes one entry");
  ok (compile (0) == 0 && entries (NULL) == 1, "a hit writes none");
  age (names[0], base); /* the hit made it the newest */

  int failed = 0;
  for (int i = 1; i < max + 10; i++)
    failed += compile (i) < 0 || entries (names[i]) < 0 || age (names[i], base + i) < 0;
  is_int (failed, 0, "%d distinct profiles compile", max + 9);
  is_int (entries (NULL), max, "the cache stops at LCR_SECCOMP_CACHE_MAX (%d) entries", max);
  ok (!exists (names[9]) && exists (names[10]), "the oldest went");

  /* profiles 10 .. max+9 remain; 10 is the oldest.  Use it, then write a new
     one: the least recently used, now 11, goes. */
  ok (compile (10) == 0 && entries (NULL) == max, "a hit on the oldest entry");
  ok (compile (max + 10) == 0 && entries (NULL) == max, "one more profile: still %d entries", max);
  ok (exists (names[10]) && !exists (names[11]), "the entry used last is kept, the least recently used goes");

  rm_cache ();
  rmdir (tmpl);
  return done_testing ();
}
