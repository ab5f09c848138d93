/* dock — file trees as tar streams (libarchive): the tar sink, the tar source, and tar entry
 * data.  Apart from fstree.c so that a dock without libarchive (the fast one: see main.c) can
 * still walk and copy directories. */
#define _GNU_SOURCE
#include "container/fstree.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "linux.h"
#include "store/store.h"

ssize_t
dock_entry_read_tar (struct dock_entry *e, void *buf, size_t len)
{
  la_ssize_t r = archive_read_data (e->ar, buf, len);
  if (r < 0)
    errno = EIO;
  return r;
}

/* ------------------------------------------------------------------ tar sink */

struct tar_sink
{
  struct dock_sink base;
  struct archive *a;
  bool strip_dot;
};

static const char *
tar_name (struct tar_sink *s, const char *name)
{
  if (!s->strip_dot)
    return name;
  if (strcmp (name, ".") == 0)
    return NULL;
  if (strncmp (name, "./", 2) == 0)
    return name + 2;
  return name;
}

static int
tar_put (struct dock_sink *s_, struct dock_entry *e, lcr_error_t *err)
{
  struct tar_sink *s = (struct tar_sink *)s_;
  const char *name = tar_name (s, e->name);
  if (name == NULL || S_ISSOCK (e->st.st_mode))
    return 0;
  struct archive_entry *ae = archive_entry_new ();
  cleanup_free char *dirname = NULL;
  if (S_ISDIR (e->st.st_mode))
    xasprintf (&dirname, "%s/", name);
  archive_entry_copy_stat (ae, &e->st);
  archive_entry_set_pathname (ae, dirname ? dirname : name);
  archive_entry_set_nlink (ae, 1);
  if (S_ISLNK (e->st.st_mode))
    archive_entry_set_symlink (ae, e->linkname);
  if (e->hardlink)
    {
      archive_entry_set_hardlink (ae, tar_name (s, e->hardlink) ?: e->hardlink);
      archive_entry_set_size (ae, 0);
    }
  else if (!S_ISREG (e->st.st_mode))
    archive_entry_set_size (ae, 0);
  int r = archive_write_header (s->a, ae);
  archive_entry_free (ae);
  if (r < ARCHIVE_WARN)
    return lcr_error_make (err, 0, LCR_ERR_SYSTEM, "tar entry `%s`: %s", name, archive_error_string (s->a));
  if (S_ISREG (e->st.st_mode) && !e->hardlink)
    {
      char buf[65536];
      off_t left = e->st.st_size;
      while (left > 0)
        {
          ssize_t n = dock_entry_read (e, buf, sizeof buf);
          if (n < 0)
            return lcr_error_sys (err, "read `%s`", e->name);
          if (n == 0)
            break;
          if (n > left)
            n = left; /* the file grew while we read it: the header said this much */
          if (archive_write_data (s->a, buf, (size_t)n) < 0)
            return lcr_error_make (err, 0, LCR_ERR_SYSTEM, "tar data of `%s`: %s", name, archive_error_string (s->a));
          left -= n;
        }
      /* a file that shrank is padded with zeros, as the header promised */
      memset (buf, 0, sizeof buf);
      while (left > 0)
        {
          size_t n = left > (off_t)sizeof buf ? sizeof buf : (size_t)left;
          if (archive_write_data (s->a, buf, n) < 0)
            return lcr_error_make (err, 0, LCR_ERR_SYSTEM, "tar data of `%s`: %s", name, archive_error_string (s->a));
          left -= (off_t)n;
        }
    }
  return 0;
}

static int
tar_finish (struct dock_sink *s_, lcr_error_t *err)
{
  struct tar_sink *s = (struct tar_sink *)s_;
  if (archive_write_close (s->a) != ARCHIVE_OK)
    return lcr_error_make (err, 0, LCR_ERR_SYSTEM, "write the tar stream: %s", archive_error_string (s->a));
  return 0;
}

static void
tar_free (struct dock_sink *s_)
{
  struct tar_sink *s = (struct tar_sink *)s_;
  archive_write_free (s->a);
  free (s);
}

struct dock_sink *
dock_tar_sink_new (int fd, bool strip_dot)
{
  struct tar_sink *s = xmalloc0 (sizeof *s);
  s->base.put = tar_put;
  s->base.finish = tar_finish;
  s->base.free = tar_free;
  s->strip_dot = strip_dot;
  s->a = archive_write_new ();
  archive_write_set_format_pax_restricted (s->a);
  archive_write_set_bytes_in_last_block (s->a, 1);
  archive_write_open_fd (s->a, fd);
  return &s->base;
}

/* "./a/b", "/a/b", "a//b/" → "a/b"; "./" → "."; NULL for a ".." component */
static char *
tar_clean_name (const char *name)
{
  if (name == NULL)
    return NULL;
  for (const char *p = name; *p;)
    {
      while (*p == '/')
        p++;
      const char *end = strchrnul (p, '/');
      if (end - p == 2 && p[0] == '.' && p[1] == '.')
        return NULL;
      p = end;
    }
  while (*name == '/')
    name++;
  return dock_path_clean (name);
}

int
dock_tar_read (int fd, struct dock_sink *sink, lcr_error_t *err)
{
  struct archive *a = archive_read_new ();
  archive_read_support_filter_all (a);
  archive_read_support_format_tar (a);
  archive_read_support_format_gnutar (a);
  int ret = 0;
  if (archive_read_open_fd (a, fd, 65536) != ARCHIVE_OK)
    {
      ret = lcr_error_make (err, 0, LCR_ERR_INVALID, "read the tar stream: %s", archive_error_string (a));
      archive_read_free (a);
      return ret;
    }
  for (;;)
    {
      struct archive_entry *ae;
      int r = archive_read_next_header (a, &ae);
      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        {
          ret = lcr_error_make (err, 0, LCR_ERR_INVALID, "read the tar stream: %s", archive_error_string (a));
          break;
        }
      cleanup_free char *name = tar_clean_name (archive_entry_pathname (ae));
      const char *hl = archive_entry_hardlink (ae);
      cleanup_free char *hlname = hl ? tar_clean_name (hl) : NULL;
      if (name == NULL || (hl && hlname == NULL))
        {
          ret = lcr_error_make (err, 0, LCR_ERR_INVALID, "tar entry `%s`: a path with \"..\" is not allowed",
                                archive_entry_pathname (ae));
          break;
        }
      struct dock_entry e = {.name = name, .fd = -1, .ar = a, .hardlink = hlname};
      e.st = *archive_entry_stat (ae);
      e.linkname = archive_entry_symlink (ae);
      if (sink->put (sink, &e, err) < 0)
        {
          ret = -1;
          break;
        }
    }
  archive_read_free (a);
  return ret;
}
