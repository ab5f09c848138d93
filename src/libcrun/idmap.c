/* berth — bind mounts prepared by the runtime: idmapped ones, and every bind
 * mount of a container with a user namespace.
 *
 * The runtime prepares them before clone, where it still holds host
 * privileges: a detached copy of the source tree (open_tree).  The init only
 * attaches the ready tree at its destination (move_mount), inheriting the fd.
 *   - idmapped: the copy is marked with MOUNT_ATTR_IDMAP and a user namespace
 *     carrying the mapping, the mount's own uidMappings/gidMappings, else the
 *     container's user namespace mappings;
 *   - in a user namespace, the container's root may not be able to reach the
 *     source (a parent directory of mode 0700 owned by the host's root): as
 *     runc does, the source is opened before the init enters the namespace.
 *     Where open_tree fails (an old kernel, an unbindable source) the init
 *     binds the source by path as before.
 * The copy is given the propagation a bind made inside the container would
 * have (a slave of the host's mount unless rootfsPropagation says otherwise),
 * so nothing mounted under it in the container reaches the host.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux.h"
#include "utils.h"

static int
write_map_file (pid_t pid, const char *file, struct lcr_spec_id_mapping *m, size_t n, lcr_error_t *err)
{
  char path[64], buf[4096];
  size_t len = 0;
  for (size_t i = 0; i < n && len < sizeof buf - 40; i++)
    len += snprintf (buf + len, sizeof buf - len, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
  snprintf (path, sizeof path, "/proc/%d/%s", pid, file);
  return lcr_write_file_at (AT_FDCWD, path, buf, len, 0, err);
}

/* A user namespace fd with these mappings: a child unshares one and waits
   while we write its maps and take a reference. */
static int
userns_with_maps (struct lcr_spec_id_mapping *uids, size_t nu, struct lcr_spec_id_mapping *gids, size_t ng,
                  lcr_error_t *err)
{
  /* ready: the child has unshared; done: we hold our reference */
  int ready[2], done[2];
  if (pipe2 (ready, O_CLOEXEC) < 0)
    return lcr_error_sys (err, "pipe");
  if (pipe2 (done, O_CLOEXEC) < 0)
    {
      close (ready[0]), close (ready[1]);
      return lcr_error_sys (err, "pipe");
    }
  pid_t pid = fork ();
  if (pid == 0)
    {
      char c = unshare (CLONE_NEWUSER) == 0 ? 'y' : 'n';
      close (ready[0]), close (done[1]);
      if (write (ready[1], &c, 1) != 1)
        _exit (1);
      while (read (done[0], &c, 1) < 0 && errno == EINTR)
        ;
      _exit (0);
    }
  close (ready[1]), close (done[0]);
  int fd = -1;
  char c = 'n', path[64];
  if (pid < 0)
    lcr_error_sys (err, "fork");
  else if (read (ready[0], &c, 1) != 1 || c != 'y')
    lcr_error_make (err, EPERM, LCR_ERR_SYSTEM, "create a user namespace for the mapping");
  else if (write_map_file (pid, "uid_map", uids, nu, err) == 0 && write_map_file (pid, "gid_map", gids, ng, err) == 0)
    {
      snprintf (path, sizeof path, "/proc/%d/ns/user", pid);
      fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        lcr_error_sys (err, "open `%s`", path);
    }
  close (ready[0]), close (done[1]);
  while (pid > 0 && waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
  return fd;
}

static bool
spec_has_userns (struct lcr_spec *spec)
{
  for (size_t i = 0; spec->linux_ && i < spec->linux_->namespaces_len; i++)
    if (spec->linux_->namespaces[i].type == LCR_NS_USER)
      return true;
  return false;
}

/* What mount_setattr gives a prepared tree: the propagation a bind made in the
   container's mount namespace would have (rootfs.c makes / rslave unless
   rootfsPropagation says otherwise; a bind of a slave is a slave, of a
   shared mount a peer). */
static uint64_t
tree_propagation (struct lcr_spec *spec)
{
  const char *p = spec->linux_ ? spec->linux_->rootfs_propagation : NULL;
  if (p && strstr (p, "shared"))
    return 0; /* keep: a peer of the source, as a bind of a shared mount */
  if (p && strstr (p, "private"))
    return MS_PRIVATE;
  return MS_SLAVE;
}

static int
set_tree_propagation (int tree, struct lcr_spec *spec, bool recursive)
{
  struct mount_attr attr = {.propagation = tree_propagation (spec)};
  if (attr.propagation == 0)
    return 0;
  return (int)syscall (SYS_mount_setattr, tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr);
}

static char *
bind_source (struct lcr_start *s, struct lcr_spec_mount *m)
{
  char *source;
  if (m->source && m->source[0] == '/')
    source = xstrdup (m->source);
  else
    xasprintf (&source, "%s/%s", s->bundle, m->source ? m->source : "");
  return source;
}

/* A plain bind in a user namespace: a detached copy of the source, or -1
   (the init binds by path then, and reports what goes wrong). */
static int
prepare_userns_bind (struct lcr_start *s, struct lcr_spec_mount *m, bool rbind)
{
  cleanup_free char *source = bind_source (s, m);
  int tree
      = syscall (SYS_open_tree, AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rbind ? AT_RECURSIVE : 0));
  if (tree < 0)
    return -1;
  if (set_tree_propagation (tree, s->spec, rbind) < 0)
    {
      close (tree);
      return -1;
    }
  return tree;
}

int
lcr_idmap_prepare (struct lcr_start *s, lcr_error_t *err)
{
  struct lcr_spec *spec = s->spec;
  s->idmap_fds = xmalloc0 ((spec->mounts_len + 1) * sizeof (int));
  for (size_t i = 0; i < spec->mounts_len; i++)
    s->idmap_fds[i] = -1;
  bool userns = spec_has_userns (spec);
  for (size_t i = 0; i < spec->mounts_len; i++)
    {
      struct lcr_spec_mount *m = &spec->mounts[i];
      struct lcr_mount_flags f LCR_CLEANUP_MOUNT_FLAGS = {0};
      lcr_mount_parse_options (m->options, &f, NULL);
      bool bind = f.bind || (m->type && strcmp (m->type, "bind") == 0);
      if (!f.idmap && m->uid_mappings_len == 0)
        {
          if (bind && userns)
            s->idmap_fds[i] = prepare_userns_bind (s, m, f.rbind);
          continue;
        }
      if (!bind)
        return lcr_error_invalid (err, ".mounts[%zu]: idmapped mounts must be bind mounts", i);
      struct lcr_spec_id_mapping *uids = m->uid_mappings, *gids = m->gid_mappings;
      size_t nu = m->uid_mappings_len, ng = m->gid_mappings_len;
      if (nu == 0 && spec->linux_)
        {
          uids = spec->linux_->uid_mappings, nu = spec->linux_->uid_mappings_len;
          gids = spec->linux_->gid_mappings, ng = spec->linux_->gid_mappings_len;
        }
      if (nu == 0 || ng == 0)
        return lcr_error_invalid (err,
                                  ".mounts[%zu]: idmap needs uidMappings and gidMappings, on the mount or on "
                                  "the container's user namespace",
                                  i);
      cleanup_free char *source = bind_source (s, m);
      cleanup_close int map_userns = userns_with_maps (uids, nu, gids, ng, err);
      if (map_userns < 0)
        return lcr_error_wrap (err, ".mounts[%zu]: idmap", i);
      int tree = syscall (SYS_open_tree, AT_FDCWD, source,
                          OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (f.rbind ? AT_RECURSIVE : 0));
      if (tree < 0)
        return lcr_error_make (err, errno, LCR_ERR_SYSTEM, ".mounts[%zu]: open_tree `%s`", i, source);
      s->idmap_fds[i] = tree;
      struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)map_userns};
      if (syscall (SYS_mount_setattr, tree, "", AT_EMPTY_PATH | (f.rbind ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0)
        return lcr_error_make (err, errno, LCR_ERR_SYSTEM,
                               ".mounts[%zu]: idmap `%s` (does its filesystem support idmapped mounts?)", i, source);
      if (set_tree_propagation (tree, spec, f.rbind) < 0)
        return lcr_error_make (err, errno, LCR_ERR_SYSTEM, ".mounts[%zu]: set the propagation of `%s`", i, source);
    }
  return 0;
}

void
lcr_idmap_close (struct lcr_start *s)
{
  for (size_t i = 0; s->idmap_fds && i < s->spec->mounts_len; i++)
    if (s->idmap_fds[i] >= 0)
      close (s->idmap_fds[i]);
  free (s->idmap_fds);
  s->idmap_fds = NULL;
}

int
lcr_idmap_attach (int tree, int target_fd, lcr_error_t *err)
{
  if (syscall (SYS_move_mount, tree, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return lcr_error_sys (err, "attach the prepared bind mount");
  return 0;
}
