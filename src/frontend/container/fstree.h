/* dock — file trees as a stream of entries: read from a directory or a tar, written to a
 * directory or a tar.  `cp`, `export` and `commit` are each one source piped into one sink.
 *
 *   source                         | sink
 *   -------------------------------+------------------------------------------------------
 *   dock_tree_walk: a directory,   | dock_fs_sink: files created under a directory; with a
 *     walked one component at a    |   root fd, every parent path is resolved inside that
 *     time with O_NOFOLLOW, so a   |   root (RESOLVE_IN_ROOT), and the last component is
 *     symlink inside is an entry,  |   never followed: a symlink in a container cannot make
 *     never a way out              |   dock write outside it
 *   dock_tar_read: a tar stream    | dock_tar_sink: a tar stream (PAX), via libarchive
 *
 * Entry names are relative ("etc", "etc/hosts"); a sink may put the first component under
 * another name (cp's "copy to a new name").  Hard links are entries whose `hardlink` names an
 * earlier entry.
 */
#ifndef DOCK_FSTREE_H
#define DOCK_FSTREE_H

#include <stdbool.h>
#include <sys/stat.h>

#include "dock.h"

struct archive;

struct dock_entry
{
  const char *name;     /* relative path, no "..", no leading "/" */
  struct stat st;       /* type, mode, uid/gid, size, rdev, times */
  const char *linkname; /* symlink target */
  const char *hardlink; /* a hard link to this earlier entry's name, or NULL */
  int fd;               /* regular file data from a directory walk, else -1 */
  struct archive *ar;   /* regular file data from a tar, else NULL */
};

/* Read the next piece of a regular entry's data: bytes read, 0 at the end, -1 (errno) */
ssize_t dock_entry_read (struct dock_entry *e, void *buf, size_t len);
/* … of an entry from a tar (fstree-tar.c) */
ssize_t dock_entry_read_tar (struct dock_entry *e, void *buf, size_t len);

struct dock_sink
{
  int (*put) (struct dock_sink *s, struct dock_entry *e, lcr_error_t *err);
  int (*finish) (struct dock_sink *s, lcr_error_t *err); /* may be NULL */
  void (*free) (struct dock_sink *s);
};
void dock_sink_free (struct dock_sink *s);
static inline void
cleanup_sink_fn (struct dock_sink **s)
{
  if (*s)
    dock_sink_free (*s);
}
#define cleanup_sink __attribute__ ((cleanup (cleanup_sink_fn)))

/* Files under `base` (a directory path).  rootfd >= 0: `base` and every entry's parent are
   resolved inside rootfd as "/" (a container's rootfs); rootfd < 0: host paths as they are.
   rename_first: the first component of each name becomes this (NULL: names as they are).
   own_uid >= 0: every file gets own_uid:own_gid, else the entry's owner. */
struct dock_sink *dock_fs_sink_new (int rootfd, const char *base, const char *rename_first, long own_uid, long own_gid);
/* A tar stream written to fd (not closed).  strip_dot: "./x" entries are written as "x", "."
   is left out (export's layout). */
struct dock_sink *dock_tar_sink_new (int fd, bool strip_dot);

struct dock_walk_opts
{
  /* overlay upper dir → layer tar: 0:0 char devices become ".wh.NAME" entries, opaque
     directories are followed by a ".wh..wh..opq" entry */
  bool whiteouts;
  /* paths (relative to the walk's root, like entry names without the first component) to
     leave out when they are empty files or empty directories: a runtime's mountpoints */
  const char *const *skip_stubs;
};

/* Walk `leaf` in the directory `parentfd` (the root entry, named `name`, then its content in
   name order) into `sink`.  name NULL: the content only, named relative to `leaf` (a layer's
   root).  Symlinks are entries, never followed. */
int dock_tree_walk (int parentfd, const char *leaf, const char *name, const struct dock_walk_opts *o,
                    struct dock_sink *sink, lcr_error_t *err);

/* Every entry of a tar stream read from fd (plain or compressed) into sink.  Names are made
   relative; an entry with a ".." component fails the copy. */
int dock_tar_read (int fd, struct dock_sink *sink, lcr_error_t *err);

/* Normalise a relative or absolute path lexically: "a//b/./c/" → "a/b/c" (absolute stays
   absolute, "" or "." → "."); ".." components are kept only where they can't be resolved. */
char *dock_path_clean (const char *path);

#endif
