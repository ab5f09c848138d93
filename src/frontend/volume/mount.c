/* dock — volumes with mount options (`volume create --opt type=tmpfs --opt device=tmpfs
 * --opt o=size=1m`, or type=none,o=bind,device=/path): mounted on their _data while containers
 * use them, as docker's local driver does.
 *
 * The users are counted by files RUNROOT/volumes/<name>/<container-id>: the run dir is where
 * mount state belongs (a reboot forgets the mounts and the run dir together), and a dock that
 * crashes between the mount and the count leaves a state the next mount or unmount repairs:
 * mount only when _data is not a mount point yet, unmount when no user file is left.
 */
#define _GNU_SOURCE
#include "volume.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux.h"
#include "store/store.h"

static bool
is_mount_point (const char *path)
{
  struct statx stx;
  if (statx (AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) < 0)
    return false;
  return (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* the volume's options when it has mount options, else NULL (borrowed from meta) */
static jv
mount_options (jv meta)
{
  jv o = jv_get_obj (meta, "Options");
  return jv_get_str (o, "type") || jv_get_str (o, "device") ? o : NULL;
}

static int
do_mount (const char *name, jv opts, const char *target, lcr_error_t *err)
{
  const char *type = jv_get_str (opts, "type"), *device = jv_get_str (opts, "device"), *o = jv_get_str (opts, "o");
  cleanup_free char *copy = xstrdup (o ? o : "");
  size_t n = 1;
  for (char *p = copy; *p; p++)
    n += *p == ',';
  cleanup_free char **v = xmalloc0 ((n + 1) * sizeof (char *));
  size_t k = 0;
  char *save = NULL;
  for (char *t = strtok_r (copy, ",", &save); t; t = strtok_r (NULL, ",", &save))
    v[k++] = t;
  struct lcr_mount_flags f LCR_CLEANUP_MOUNT_FLAGS = {0};
  if (lcr_mount_parse_options (v, &f, err) < 0)
    return lcr_error_wrap (err, "mount volume %s", name);
  if (f.bind)
    {
      if (mount (device, target, "none", MS_BIND | (f.rbind ? MS_REC : 0), NULL) < 0)
        return lcr_error_sys (err, "mount volume %s: bind `%s`", name, device);
      if ((f.flags & ~MS_REC) && mount ("none", target, "none", MS_BIND | MS_REMOUNT | (f.flags & ~MS_REC), NULL) < 0)
        {
          int saved = errno;
          umount2 (target, MNT_DETACH);
          return lcr_error_make (err, saved, LCR_ERR_SYSTEM, "mount volume %s: remount `%s`", name, target);
        }
      return 0;
    }
  if (mount (device, target, type, f.flags, f.data) < 0)
    return lcr_error_sys (err, "mount volume %s: mount %s `%s` (o=%s)", name, type ? type : "", device, o ? o : "");
  return 0;
}

static int
mount_one (struct dock_ctx *ctx, const char *name, const char *container_id, lcr_error_t *err)
{
  cleanup_jv jv meta = dock_volume_load (ctx, name, err);
  if (meta == NULL)
    return -1;
  jv opts = mount_options (meta);
  if (opts == NULL)
    return 0;
  cleanup_free char *users = dock_runpath (ctx, "volumes/%s", name);
  if (lcr_mkdir_p (users, 0700, err) < 0)
    return -1;
  cleanup_free char *data = dock_path (ctx, "volumes/%s/_data", name);
  if (!is_mount_point (data) && do_mount (name, opts, data, err) < 0)
    return -1;
  cleanup_free char *ref = dock_runpath (ctx, "volumes/%s/%s", name, container_id);
  return lcr_write_file_at (AT_FDCWD, ref, "", 0, 0600, err);
}

static int
unmount_one (struct dock_ctx *ctx, const char *name, const char *container_id, lcr_error_t *err)
{
  cleanup_free char *users = dock_runpath (ctx, "volumes/%s", name);
  cleanup_free char *ref = dock_runpath (ctx, "volumes/%s/%s", name, container_id);
  unlink (ref);
  cleanup_strv char **left = dock_list_dir (users);
  if (left[0] != NULL)
    return 0;
  rmdir (users);
  cleanup_free char *data = dock_path (ctx, "volumes/%s/_data", name);
  if (is_mount_point (data) && umount2 (data, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
    return lcr_error_sys (err, "unmount volume %s", name);
  return 0;
}

typedef int (*vol_fn) (struct dock_ctx *, const char *, const char *, lcr_error_t *);

static int
each_volume (struct dock_ctx *ctx, jv mounts, const char *container_id, vol_fn fn, bool stop_on_error, lcr_error_t *err)
{
  if (dock_lock (ctx, err) < 0)
    return -1;
  int ret = 0;
  for (size_t i = 0; i < jv_len (mounts); i++)
    {
      jv m = mounts->u.array.values[i];
      const char *type = jv_get_str (m, "Type"), *name = jv_get_str (m, "Name");
      if (type == NULL || strcmp (type, "volume") != 0 || name == NULL)
        continue;
      cleanup_error lcr_error_t e = NULL;
      if (fn (ctx, name, container_id, &e) < 0)
        {
          if (ret == 0)
            {
              *err = e;
              e = NULL;
            }
          ret = -1;
          if (stop_on_error)
            break;
        }
    }
  dock_unlock (ctx);
  return ret;
}

int
dock_volumes_mount (struct dock_ctx *ctx, jv mounts, const char *container_id, lcr_error_t *err)
{
  if (each_volume (ctx, mounts, container_id, mount_one, true, err) == 0)
    return 0;
  /* undo the ones already mounted for this container */
  cleanup_error lcr_error_t ignored = NULL;
  each_volume (ctx, mounts, container_id, unmount_one, false, &ignored);
  return -1;
}

int
dock_volumes_unmount (struct dock_ctx *ctx, jv mounts, const char *container_id, lcr_error_t *err)
{
  /* unmount every volume it can, reporting the first failure */
  return each_volume (ctx, mounts, container_id, unmount_one, false, err);
}
