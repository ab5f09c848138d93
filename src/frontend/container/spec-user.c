/* dock — `--user` resolved in the image's /etc/passwd and /etc/group, as docker (runc's user
 * package) resolves it:
 *
 *   USER            uid                       gid                        supplementary groups
 *   "" / name       the passwd entry's         the passwd entry's         groups listing the name
 *   uid             N                          the entry's, else 0        (as for name, if an entry)
 *   X:group         (as above)                 the group's (or numeric)   none
 *   + --group-add   —                          —                          appended (names looked up)
 *
 * The files come from an image, i.e. from anyone: they are opened inside the rootfs with
 * openat2(RESOLVE_IN_ROOT), so an /etc/passwd that is a symlink to /etc/shadow (or to
 * ../../../etc/passwd) resolves inside the rootfs and never reads the host's; a FIFO or a
 * device is refused, a huge file is cut off.
 */
#define _GNU_SOURCE
#include "container/spec-internal.h"

#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux.h"

#define MAX_DB_SIZE (16 * 1024 * 1024)
#define MAX_ID 2147483647LL

/* Open `path` inside rootfd for reading, or -1 with errno. */
static int
open_in_root (int rootfd, const char *path)
{
  struct open_how how
      = {.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
  int fd = (int)syscall (SYS_openat2, rootfd, path, &how, sizeof how);
  if (fd >= 0 || errno != ENOSYS)
    return fd;
  /* old kernels: the runtime's walk, then a reopen of its O_PATH fd */
  cleanup_close int pfd = lcr_resolve_in_root (rootfd, path, O_PATH);
  if (pfd < 0)
    return -1;
  char p[LCR_FD_PATH_MAX];
  lcr_fd_path (pfd, p);
  return open (p, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
}

/* The whole file (NUL-terminated) in *out; *out NULL when it does not exist. */
static int
read_db (int rootfd, const char *path, char **out, lcr_error_t *err)
{
  *out = NULL;
  cleanup_close int fd = open_in_root (rootfd, path);
  if (fd < 0)
    {
      if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
        return 0;
      return lcr_error_sys (err, "open `%s` in the container's rootfs", path);
    }
  struct stat st;
  if (fstat (fd, &st) < 0)
    return lcr_error_sys (err, "stat `%s`", path);
  if (!S_ISREG (st.st_mode))
    return lcr_error_invalid (err, "`%s` in the container's rootfs is not a regular file", path);
  size_t cap = st.st_size > MAX_DB_SIZE ? MAX_DB_SIZE : (size_t)st.st_size;
  char *buf = xmalloc0 (cap + 1);
  ssize_t n = lcr_read_all (fd, buf, cap);
  if (n < 0)
    {
      free (buf);
      return lcr_error_sys (err, "read `%s`", path);
    }
  buf[n] = '\0';
  *out = buf;
  return 0;
}

/* Split one line into at most `max` ':'-separated fields (in place). */
static size_t
split_fields (char *line, char **f, size_t max)
{
  size_t n = 0;
  f[n++] = line;
  for (char *p = line; *p && n < max; p++)
    if (*p == ':')
      {
        *p = '\0';
        f[n++] = p + 1;
      }
  return n;
}

static bool
parse_id (const char *s, long long *out)
{
  if (*s == '\0')
    return false;
  for (const char *p = s; *p; p++)
    if (!isdigit ((unsigned char)*p))
      return false;
  errno = 0;
  char *end;
  long long v = strtoll (s, &end, 10);
  if (errno || v > MAX_ID)
    return false;
  *out = v;
  return true;
}

/* Calls fn for each well-formed entry of a passwd/group text; stops when fn returns true. */
typedef bool (*entry_fn) (char **f, size_t n, void *data);

static void
for_each_entry (const char *text, size_t nfields, entry_fn fn, void *data)
{
  if (text == NULL)
    return;
  cleanup_free char *copy = xstrdup (text);
  char *save = NULL;
  for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      while (*line == ' ' || *line == '\t')
        line++;
      if (*line == '\0' || *line == '#')
        continue;
      char *f[8];
      size_t n = split_fields (line, f, nfields);
      long long id;
      if (n < 3 || !parse_id (f[2], &id))
        continue;
      if (fn (f, n, data))
        return;
    }
}

struct pw_query
{
  const char *name; /* match by name, or */
  long long uid;    /* by uid when name is NULL */
  bool found;
  long long found_uid, found_gid;
  char *found_name, *home;
};

static bool
pw_match (char **f, size_t n, void *data)
{
  struct pw_query *q = data;
  long long uid, gid = 0;
  parse_id (f[2], &uid);
  if (q->name ? strcmp (f[0], q->name) != 0 : uid != q->uid)
    return false;
  if (n >= 4 && !parse_id (f[3], &gid))
    gid = 0;
  q->found = true;
  q->found_uid = uid;
  q->found_gid = gid;
  q->found_name = xstrdup (f[0]);
  q->home = xstrdup (n >= 6 && f[5][0] ? f[5] : "/");
  return true;
}

struct gr_query
{
  const char *name;   /* a group by name or number (explicit group), or */
  const char *member; /* every group listing this user */
  bool found;
  long long gid;
  jv gids;
};

static bool
gr_match (char **f, size_t n, void *data)
{
  struct gr_query *q = data;
  long long gid;
  parse_id (f[2], &gid);
  if (q->name)
    {
      long long want;
      if (strcmp (f[0], q->name) == 0 || (parse_id (q->name, &want) && want == gid))
        {
          q->found = true;
          q->gid = gid;
          return true;
        }
      return false;
    }
  if (n < 4)
    return false;
  cleanup_free char *members = xstrdup (f[3]);
  char *save = NULL;
  for (char *m = strtok_r (members, ",", &save); m; m = strtok_r (NULL, ",", &save))
    {
      while (*m == ' ')
        m++;
      if (strcmp (m, q->member) == 0)
        {
          jv_push (q->gids, jv_int (gid));
          break;
        }
    }
  return false;
}

static bool
gids_have (jv gids, long long gid)
{
  for (size_t i = 0; i < jv_len (gids); i++)
    if (gids->u.array.values[i]->u.number.i == gid)
      return true;
  return false;
}

int
dock_spec_user (const char *rootfs, const char *user, jv group_add, jv *user_out, char **home, lcr_error_t *err)
{
  *user_out = NULL;
  if (home)
    *home = NULL;
  if (user == NULL)
    user = "";
  cleanup_close int rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return lcr_error_sys (err, "open the rootfs `%s`", rootfs);
  cleanup_free char *passwd = NULL, *group = NULL;
  if (read_db (rootfd, "/etc/passwd", &passwd, err) < 0 || read_db (rootfd, "/etc/group", &group, err) < 0)
    return -1;

  const char *colon = strchr (user, ':');
  cleanup_free char *user_arg = colon ? strndup (user, (size_t)(colon - user)) : xstrdup (user);
  const char *group_arg = colon ? colon + 1 : NULL;

  long long uid = 0, gid = 0;
  struct pw_query pq = {0};
  long long num;
  bool user_numeric = parse_id (user_arg, &num);
  if (user_arg[0] == '\0')
    pq.uid = 0;
  else if (user_numeric)
    pq.uid = num;
  else
    {
      if (user_arg[0] == '-' || isdigit ((unsigned char)user_arg[0]))
        return lcr_error_invalid (err, "uids and gids must be in range 0-%lld", MAX_ID);
      pq.name = user_arg;
    }
  for_each_entry (passwd, 7, pw_match, &pq);
  if (pq.found)
    {
      uid = pq.found_uid;
      gid = pq.found_gid;
    }
  else if (pq.name)
    return lcr_error_make (err, 0, LCR_ERR_INVALID, "unable to find user %s: no matching entries in passwd file",
                           user_arg);
  else
    uid = pq.uid;
  cleanup_free char *matched_name = pq.found_name;
  cleanup_free char *pw_home = pq.home;

  cleanup_jv jv gids = jv_arr ();
  if (group_arg && *group_arg)
    {
      struct gr_query gq = {.name = group_arg};
      for_each_entry (group, 4, gr_match, &gq);
      if (gq.found)
        gid = gq.gid;
      else if (parse_id (group_arg, &num))
        gid = num;
      else if (group_arg[0] == '-' || isdigit ((unsigned char)group_arg[0]))
        return lcr_error_invalid (err, "uids and gids must be in range 0-%lld", MAX_ID);
      else
        return lcr_error_make (err, 0, LCR_ERR_INVALID, "unable to find group %s: no matching entries in group file",
                               group_arg);
    }
  else if (matched_name)
    {
      /* supplementary groups only in the implicit form */
      struct gr_query gq = {.member = matched_name, .gids = gids};
      for_each_entry (group, 4, gr_match, &gq);
    }

  for (size_t i = 0; i < jv_len (group_add); i++)
    {
      const char *g = jv_as_str (group_add->u.array.values[i]);
      if (g == NULL)
        continue;
      struct gr_query gq = {.name = g};
      for_each_entry (group, 4, gr_match, &gq);
      long long v;
      if (gq.found)
        v = gq.gid;
      else if (parse_id (g, &v))
        ;
      else
        return lcr_error_make (err, 0, LCR_ERR_INVALID, "Unable to find group %s: no matching entries in group file",
                               g);
      if (!gids_have (gids, v))
        jv_push (gids, jv_int (v));
    }

  jv u = jv_obj ();
  jv_set (u, "uid", jv_int (uid));
  jv_set (u, "gid", jv_int (gid));
  if (jv_len (gids))
    jv_set (u, "additionalGids", steal_pointer (&gids));
  *user_out = u;
  if (home)
    *home = xstrdup (pw_home ? pw_home : "/");
  return 0;
}
