/* berth — read-only mounts that later mounts nest in.
 *
 * A mount with "ro" whose tree later mounts need (their mount points are
 * made inside it), or /dev (the default devices, /dev/ptmx and the console
 * are made in it after every mount), can't be read-only from the start:
 * `mkdir /dev/pts` would fail with EROFS.  As runc does, such a mount is
 * mounted writable, what comes after it is made, and it goes read-only at
 * the end, before pivot_root.  proc, sysfs and cgroup mounts are left alone:
 * their directories exist already, and they are mounted read-only directly.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>

#include "linux.h"
#include "utils.h"

/* The next component of *p (slashes and "." skipped), its length in *len;
   NULL at the end. */
static const char *
next_component (const char **p, size_t *len)
{
  for (;;)
    {
      while (**p == '/')
        (*p)++;
      if (**p == '\0')
        return NULL;
      const char *c = *p;
      *len = strcspn (c, "/");
      *p += *len;
      if (!(*len == 1 && c[0] == '.'))
        return c;
    }
}

/* `child` is strictly below `parent`, component by component ("/a//b/" is
   "/a/b"; ".." is compared as a name, as mounts resolve it inside the root). */
static bool
path_below (const char *parent, const char *child)
{
  size_t pl, cl;
  const char *pc, *cc;
  for (;;)
    {
      pc = next_component (&parent, &pl);
      cc = next_component (&child, &cl);
      if (pc == NULL)
        return cc != NULL;
      if (cc == NULL || pl != cl || memcmp (pc, cc, pl) != 0)
        return false;
    }
}

static bool
is_dev (const char *dest)
{
  const char *p = dest, *c;
  size_t len;
  c = next_component (&p, &len);
  return c && len == 3 && memcmp (c, "dev", 3) == 0 && next_component (&p, &len) == NULL;
}

bool *
lcr_mounts_ro_later (struct lcr_spec *spec)
{
  bool *later = NULL;
  for (size_t i = 0; i < spec->mounts_len; i++)
    {
      struct lcr_spec_mount *m = &spec->mounts[i];
      if (m->destination == NULL)
        continue;
      if (m->type
          && (strcmp (m->type, "proc") == 0 || strcmp (m->type, "sysfs") == 0 || strcmp (m->type, "cgroup") == 0
              || strcmp (m->type, "cgroup2") == 0))
        continue;
      struct lcr_mount_flags f LCR_CLEANUP_MOUNT_FLAGS = {0};
      lcr_mount_parse_options (m->options, &f, NULL);
      if (!(f.flags & MS_RDONLY))
        continue;
      bool nested = is_dev (m->destination);
      for (size_t j = i + 1; j < spec->mounts_len && !nested; j++)
        nested = spec->mounts[j].destination && path_below (m->destination, spec->mounts[j].destination);
      if (!nested)
        continue;
      if (later == NULL)
        later = xmalloc0 (spec->mounts_len * sizeof *later);
      later[i] = true;
    }
  return later;
}

int
lcr_mount_finish_ro (struct lcr_start *s, int rootfd, size_t index, bool in_userns, lcr_error_t *err)
{
  struct lcr_spec_mount *m = &s->spec->mounts[index];
  struct lcr_mount_flags f LCR_CLEANUP_MOUNT_FLAGS = {0};
  lcr_mount_parse_options (m->options, &f, NULL);
  cleanup_close int fd = lcr_resolve_in_root (rootfd, m->destination, O_PATH);
  if (fd < 0)
    return lcr_error_sys (err, ".mounts[%zu]: open `%s` in the rootfs to make it read-only", index, m->destination);
  char target[LCR_FD_PATH_MAX];
  lcr_fd_path (fd, target);
  unsigned long flags = (f.flags & ~(MS_REMOUNT | MS_BIND | MS_REC)) | MS_RDONLY;
  if (lcr_remount_bind (target, flags, in_userns, err) < 0)
    return lcr_error_wrap (err, ".mounts[%zu] (%s): read-only", index, m->destination);
  return 0;
}
