/* Unit tests for src/libcrun/resolve.c: the walk berth uses where openat2
   is missing must resolve every path of a hostile rootfs (absolute and
   relative symlinks, "..", loops, dangling links, files used as dirs) to
   what openat2(RESOLVE_IN_ROOT) gives: the same inode, or the same errno.
   A tree in a mkdtemp dir, unprivileged. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux.h"
#include "tap.h"
#include "utils.h"

static char tmp[] = "/tmp/berth-test-resolve.XXXXXX";

/* what an fd or an error names: "dev:ino" or "errno N" */
static void
describe (int fd, int err, char *buf, size_t len)
{
  struct stat st;
  if (fd < 0)
    snprintf (buf, len, "errno %d (%s)", err, strerror (err));
  else if (fstat (fd, &st) < 0)
    snprintf (buf, len, "fstat failed");
  else
    snprintf (buf, len, "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
  if (fd >= 0)
    close (fd);
}

static void
expect_path (int rootfd, const char *path, int flags, const char *want_rel, int want_errno)
{
  char got[64], want[64];
  int fd = lcr_resolve_in_root_walk (rootfd, path, flags);
  describe (fd, errno, got, sizeof got);
  if (want_rel)
    describe (openat (rootfd, want_rel, O_PATH | O_CLOEXEC), errno, want, sizeof want);
  else
    describe (-1, want_errno, want, sizeof want);
  is_str (got, want, "walk `%s`%s is %s%s", path, flags & O_DIRECTORY ? " (dir)" : "", want_rel ? "rootfs/" : "",
          want_rel ? want_rel : strerror (want_errno));
}

int
main (void)
{
  if (mkdtemp (tmp) == NULL)
    return 1;
  int rootfd = open (tmp, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0 || mkdirat (rootfd, "a", 0755) < 0 || mkdirat (rootfd, "a/c", 0755) < 0)
    return 1;
  close (openat (rootfd, "a/b", O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  static const char *links[][2] = {
      {"abs", "/a"},                 /* absolute: from the rootfs's / */
      {"rel", "a/b"},                /* relative */
      {"up", "../../../../../../a"}, /* ".." above the root stays at the root */
      {"hostetc", "/etc"},           /* names a host dir: must not reach it */
      {"hostpw", "../../../../../../../../etc/passwd"},
      {"loop1", "loop2"}, /* ELOOP */
      {"loop2", "loop1"},
      {"dangling", "/nowhere/x"}, /* ENOENT */
      {"chain", "abs/c/../b"},    /* a link through a link, then ".." */
      {"a/c/back", "../../rel"},  /* relative to its own dir */
      {"a/c/root", ".."},
      {"a/c/slash", "/"},
      {"filelink", "a/b"},
  };
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
    if (symlinkat (links[i][1], rootfd, links[i][0]) < 0)
      return 1;

  /* 1. what each path must be, whatever the kernel */
  expect_path (rootfd, "", O_PATH, ".", 0);
  expect_path (rootfd, "/", O_PATH, ".", 0);
  expect_path (rootfd, "..", O_PATH, ".", 0);
  expect_path (rootfd, "a/b", O_PATH, "a/b", 0);
  expect_path (rootfd, "//a//./b", O_PATH, "a/b", 0);
  expect_path (rootfd, "abs/b", O_PATH, "a/b", 0);
  expect_path (rootfd, "rel", O_PATH, "a/b", 0);
  expect_path (rootfd, "up/b", O_PATH, "a/b", 0);
  expect_path (rootfd, "../../a/../a/b", O_PATH, "a/b", 0);
  expect_path (rootfd, "hostetc", O_PATH, NULL, ENOENT);
  expect_path (rootfd, "hostetc/passwd", O_PATH, NULL, ENOENT);
  expect_path (rootfd, "hostpw", O_PATH, NULL, ENOENT);
  expect_path (rootfd, "loop1", O_PATH, NULL, ELOOP);
  expect_path (rootfd, "dangling", O_PATH, NULL, ENOENT);
  expect_path (rootfd, "chain", O_PATH, "a/b", 0);
  expect_path (rootfd, "a/c/back", O_PATH, "a/b", 0);
  expect_path (rootfd, "a/c/root/b", O_PATH, "a/b", 0);
  expect_path (rootfd, "a/c/slash/a/c/slash/rel", O_PATH, "a/b", 0);
  expect_path (rootfd, "a/b/x", O_PATH, NULL, ENOTDIR);
  expect_path (rootfd, "filelink/x", O_PATH, NULL, ENOTDIR);
  expect_path (rootfd, "a/b/", O_PATH, NULL, ENOTDIR);
  expect_path (rootfd, "rel", O_PATH | O_DIRECTORY, NULL, ENOTDIR);
  expect_path (rootfd, "abs/", O_PATH | O_DIRECTORY, "a", 0);
  expect_path (rootfd, "a/missing", O_PATH, NULL, ENOENT);

  /* 2. the same answers as openat2(RESOLVE_IN_ROOT), where the kernel has it */
  static const char *paths[] = {
      ".",
      "/",
      "..",
      "a",
      "a/",
      "a/b",
      "a/b/",
      "a/b/x",
      "abs",
      "abs/",
      "abs/b",
      "rel",
      "rel/",
      "up",
      "up/b",
      "hostetc",
      "hostetc/passwd",
      "hostpw",
      "loop1",
      "loop2/x",
      "dangling",
      "chain",
      "a/c/back",
      "a/c/root",
      "a/c/root/a/c/root/rel",
      "a/c/slash",
      "filelink",
      "filelink/",
      "a/missing",
      "missing/a",
      "a/c/..",
      "a/c/../../..",
  };
  struct open_how probe = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT};
  int p = syscall (SYS_openat2, rootfd, ".", &probe, sizeof probe);
  if (p < 0 && errno == ENOSYS)
    diag ("no openat2 on this kernel: part 2 skipped");
  else
    {
      close (p);
      for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        for (int d = 0; d < 2; d++)
          {
            int flags = O_PATH | (d ? O_DIRECTORY : 0);
            char got[64], want[64];
            struct open_how how
                = {.flags = (unsigned)flags | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
            const char *rel = paths[i] + strspn (paths[i], "/");
            int k = syscall (SYS_openat2, rootfd, *rel ? rel : ".", &how, sizeof how);
            describe (k, errno, want, sizeof want);
            describe (lcr_resolve_in_root_walk (rootfd, paths[i], flags), errno, got, sizeof got);
            is_str (got, want, "walk `%s`%s as openat2", paths[i], d ? " (dir)" : "");
          }
    }

  /* 3. lcr_resolve_in_root itself, as berth calls it */
  char got[64], want[64];
  describe (lcr_resolve_in_root (rootfd, "/up/b", O_PATH), errno, got, sizeof got);
  describe (openat (rootfd, "a/b", O_PATH | O_CLOEXEC), errno, want, sizeof want);
  is_str (got, want, "lcr_resolve_in_root `/up/b` is rootfs/a/b");

  cleanup_free char *cmd = NULL;
  xasprintf (&cmd, "rm -rf '%s'", tmp);
  if (system (cmd) != 0)
    diag ("could not remove the temp dir");
  return done_testing ();
}
