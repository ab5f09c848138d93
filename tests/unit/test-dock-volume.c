/* Unit tests for dock's volumes (src/frontend/volume): the mounts a create request gets
   (dock_volumes_resolve: docker's -v and --mount forms, errors, image VOLUMEs), copy-up from a
   fake rootfs holding hostile symlinks, the "in use" scan of container records and removal.
   A store in a mkdtemp dir, unprivileged. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "dock.h"
#include "store/store.h"
#include "tap.h"
#include "volume/volume.h"

static char tmp[] = "/tmp/dock-test-volume.XXXXXX";
static struct dock_ctx ctx;

static jv
parse (const char *json)
{
  lcr_error_t err = NULL;
  jv v = jv_parse (json, strlen (json), "test", &err);
  if (v == NULL)
    {
      printf ("# bad test JSON: %s\n", err->msg);
      exit (2);
    }
  return v;
}

/* resolve with HostConfig / Config given as JSON; returns the Mounts (or NULL, *msg the error) */
static jv
resolve (const char *config, const char *host_config, char **msg)
{
  cleanup_jv jv c = parse (config), h = parse (host_config);
  lcr_error_t err = NULL;
  jv out = dock_volumes_resolve (&ctx, c, h, &err);
  *msg = NULL;
  if (out == NULL)
    {
      *msg = xstrdup (err && err->msg ? err->msg : "(no message)");
      lcr_error_release (&err);
    }
  return out;
}

static jv
find_dest (jv mounts, const char *dest)
{
  for (size_t i = 0; i < jv_len (mounts); i++)
    if (strcmp (jv_get_str (mounts->u.array.values[i], "Destination"), dest) == 0)
      return mounts->u.array.values[i];
  return NULL;
}

static void
expect_error (const char *host_config, const char *want)
{
  char *msg;
  jv m = resolve ("{}", host_config, &msg);
  ok (m == NULL && msg && strstr (msg, want), "%s fails with \"%s\"", host_config, want);
  if (msg && !strstr (msg, want))
    printf ("#   got: %s\n", msg);
  jv_free (m);
  free (msg);
}

static jv
load_vol (const char *name)
{
  lcr_error_t err = NULL;
  jv v = dock_volume_load (&ctx, name, &err);
  lcr_error_release (&err);
  return v;
}

static size_t
count_volumes (void)
{
  lcr_error_t err = NULL;
  cleanup_jv jv l = dock_volume_list (&ctx, &err);
  lcr_error_release (&err);
  return jv_len (l);
}

static void
test_resolve (void)
{
  char *msg;
  cleanup_free char *hostdir = NULL, *newdir = NULL, *hc = NULL;
  xasprintf (&hostdir, "%s/host", tmp);
  xasprintf (&newdir, "%s/made-by-v/sub", tmp);
  mkdir (hostdir, 0755);
  xasprintf (&hc,
             "{\"Binds\":[\"%s:/ctr:ro\",\"named1:/data\",\"%s/:/p:rshared\",\"%s:/made\",\"named2:/ro:ro,nocopy\"],"
             "\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"%s\",\"Target\":\"/m/bind\",\"ReadOnly\":true},"
             "{\"Type\":\"volume\",\"Source\":\"named3\",\"Target\":\"/m/vol\",\"VolumeOptions\":{\"NoCopy\":true,"
             "\"Labels\":{\"k\":\"v\"}}},{\"Type\":\"volume\",\"Target\":\"/m/anon\"},"
             "{\"Type\":\"tmpfs\",\"Target\":\"/tmp\"}]}",
             hostdir, hostdir, newdir, hostdir);
  jv m = resolve ("{\"Volumes\":{\"/img\":{},\"/data\":{},\"/ctr/\":{}}}", hc, &msg);
  ok (m != NULL, "resolve a request with every form");
  if (m == NULL)
    {
      printf ("#   %s\n", msg);
      free (msg);
      return;
    }
  is_int (jv_len (m), 9, "nine mounts (tmpfs skipped, /data and /ctr covered by explicit ones)");

  jv b = find_dest (m, "/ctr");
  is_str (jv_get_str (b, "Type"), "bind", "-v /host:/ctr:ro is a bind");
  is_str (jv_get_str (b, "Source"), hostdir, "… from the host path");
  is_str (jv_get_str (b, "Mode"), "ro", "… Mode ro");
  ok (!jv_get_bool (b, "RW", true), "… not RW");
  is_str (jv_get_str (b, "Propagation"), "rprivate", "… rprivate by default");

  jv p = find_dest (m, "/p");
  is_str (jv_get_str (p, "Propagation"), "rshared", "-v …:rshared sets the propagation");
  is_str (jv_get_str (p, "Source"), hostdir, "the bind source is cleaned (trailing slash)");
  ok (jv_get_bool (p, "RW", false), "… RW by default");

  jv v = find_dest (m, "/data");
  is_str (jv_get_str (v, "Type"), "volume", "-v named1:/data is a volume");
  is_str (jv_get_str (v, "Name"), "named1", "… named named1");
  is_str (jv_get_str (v, "Driver"), "local", "… local driver");
  is_str (jv_get_str (v, "Mode"), "z", "… Mode z, as docker shows");
  is_str (jv_get_str (v, "Propagation"), "", "… no propagation");
  cleanup_free char *src = NULL;
  xasprintf (&src, "%s/volumes/named1/_data", ctx.root);
  is_str (jv_get_str (v, "Source"), src, "… Source is ROOT/volumes/NAME/_data");
  ok (access (src, F_OK) == 0, "named1 was created");

  struct stat st;
  ok (stat (newdir, &st) == 0 && S_ISDIR (st.st_mode), "a missing -v host dir is created");

  jv ro = find_dest (m, "/ro");
  is_str (jv_get_str (ro, "Mode"), "ro,nocopy", "-v name:/ro:ro,nocopy keeps its mode");
  ok (!jv_get_bool (ro, "RW", true), "… read-only");

  jv mb = find_dest (m, "/m/bind");
  ok (mb && !jv_get_bool (mb, "RW", true) && strcmp (jv_get_str (mb, "Mode"), "") == 0,
      "--mount type=bind,readonly: RW false, Mode empty");
  jv mv = find_dest (m, "/m/vol");
  ok (mv && jv_get_bool (mv, "NoCopy", false), "--mount volume-nocopy: NoCopy");
  cleanup_jv jv meta3 = load_vol ("named3");
  is_str (jv_get_str (jv_get_obj (meta3, "Labels"), "k"), "v", "--mount volume-label lands on the new volume");

  jv ma = find_dest (m, "/m/anon");
  ok (ma && jv_get_str (ma, "Name") && dock_is_hex_id (jv_get_str (ma, "Name"), 64),
      "--mount type=volume without source: an anonymous volume with a 64-hex name");
  jv img = find_dest (m, "/img");
  ok (img && dock_is_hex_id (jv_get_str (img, "Name"), 64) && strcmp (jv_get_str (img, "Mode"), "") == 0,
      "an image VOLUME becomes an anonymous volume, Mode empty");
  cleanup_jv jv ameta = load_vol (jv_get_str (img, "Name"));
  ok (jv_get_bool (ameta, "Anonymous", false), "… recorded as anonymous");
  ok (jv_get (jv_get_obj (ameta, "Labels"), "com.docker.volume.anonymous") != NULL, "… with docker's label");
  ok (find_dest (m, "/tmp") == NULL, "tmpfs mounts are left to the spec builder");

  /* parents first: /m/bind after /ctr */
  size_t i_ctr = 99, i_mb = 0;
  for (size_t i = 0; i < jv_len (m); i++)
    {
      const char *d = jv_get_str (m->u.array.values[i], "Destination");
      if (strcmp (d, "/ctr") == 0)
        i_ctr = i;
      if (strcmp (d, "/m/bind") == 0)
        i_mb = i;
    }
  ok (i_ctr < i_mb, "shallower destinations come first");

  /* the same named volume again: reused, not duplicated */
  size_t before = count_volumes ();
  jv again = resolve ("{}", "{\"Binds\":[\"named1:/x\"]}", &msg);
  ok (again && count_volumes () == before, "an existing named volume is reused");
  jv_free (again);
  free (msg);
  jv_free (m);

  size_t n0 = count_volumes ();
  expect_error ("{\"Binds\":[\"a/b:/x\"]}", "includes invalid characters for a local volume name");
  expect_error ("{\"Binds\":[\"./rel:/x\"]}", "includes invalid characters for a local volume name");
  expect_error ("{\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"a b\",\"Target\":\"/x\"}]}",
                "invalid mount config for type \"volume\"");
  expect_error ("{\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/nonexistent-dock-test\",\"Target\":\"/x\"}]}",
                "invalid mount config for type \"bind\": bind source path does not exist: /nonexistent-dock-test");
  expect_error ("{\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"rel\",\"Target\":\"/x\"}]}",
                "mount path must be absolute");
  expect_error ("{\"Binds\":[\"v1:/data\",\"/tmp:/data/\"]}", "Duplicate mount point: /data");
  expect_error ("{\"Binds\":[\"v1:/data\"],\"Mounts\":[{\"Type\":\"volume\",\"Target\":\"/data\"}]}",
                "Duplicate mount point: /data");
  expect_error ("{\"Binds\":[\"/tmp:/x:bogus\"]}", "invalid mode: bogus");
  expect_error ("{\"Binds\":[\"/tmp:/x:ro,rw\"]}", "invalid mode: ro,rw");
  expect_error ("{\"Binds\":[\"/foo:rw\"]}", "invalid volume specification: '/foo:rw'");
  expect_error ("{\"Binds\":[\"/a:/b:ro:x\"]}", "invalid volume specification: '/a:/b:ro:x'");
  expect_error ("{\"Binds\":[\"/tmp:rel\"]}", "invalid mount path: 'rel' mount path must be absolute");
  expect_error ("{\"Binds\":[\"/tmp:/\"]}", "destination can't be '/'");
  expect_error ("{\"Binds\":[\"v1:/x:rshared\"]}", "field BindOptions must not be specified");
  expect_error ("{\"Binds\":[\"/tmp:/x:nocopy\"]}", "field VolumeOptions must not be specified");
  expect_error ("{\"Mounts\":[{\"Type\":\"weird\",\"Target\":\"/x\"}]}", "mount type unknown");
  is_int (count_volumes (), n0, "bad requests create no volume (v1 of the duplicates neither)");
}

/* ------------------------------------------------------------------ copy-up */

static void
write_file (const char *path, const char *text, int mode)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0 || write (fd, text, strlen (text)) < 0)
    exit (2);
  fchmod (fd, mode);
  close (fd);
}

static char *
read_text (const char *path)
{
  char *buf = NULL;
  size_t len;
  lcr_error_t err = NULL;
  if (lcr_read_file (path, &buf, &len, &err) < 0)
    {
      lcr_error_release (&err);
      return NULL;
    }
  return buf;
}

static jv
vol_mount (const char *name, const char *dest, const char *mode)
{
  jv arr = jv_arr ();
  jv m = jv_push (arr, jv_obj ());
  jv_set (m, "Type", jv_str ("volume"));
  jv_set (m, "Name", jv_str (name));
  jv_set (m, "Destination", jv_str (dest));
  jv_set (m, "Mode", jv_str (mode));
  lcr_error_t err = NULL;
  if (dock_volume_create (&ctx, name, NULL, NULL, false, NULL, &err) < 0)
    exit (2);
  return arr;
}

static char *
vpath (const char *name, const char *rel)
{
  char *p;
  xasprintf (&p, "%s/volumes/%s/_data%s%s", ctx.root, name, rel[0] ? "/" : "", rel);
  return p;
}

static int
copy_up (jv mounts, const char *rootfs)
{
  lcr_error_t err = NULL;
  int r = dock_volumes_copy_up (&ctx, mounts, rootfs, &err);
  if (r < 0)
    {
      printf ("# copy-up: %s\n", err->msg);
      lcr_error_release (&err);
    }
  return r;
}

static void
test_copy_up (void)
{
  cleanup_free char *rootfs = NULL, *p = NULL;
  xasprintf (&rootfs, "%s/rootfs", tmp);
  mkdir (rootfs, 0755);
  char buf[4096];
#define R(fmt, ...) (snprintf (buf, sizeof buf, "%s/" fmt, rootfs, ##__VA_ARGS__), buf)
  mkdir (R ("data"), 0750);
  mkdir (R ("data/sub"), 0700);
  write_file (R ("data/hello"), "hello\n", 0640);
  write_file (R ("data/sub/deep"), "deep\n", 0600);
  symlink ("/etc/passwd", R ("data/link"));
  mkfifo (R ("data/fifo"), 0600);
  mkdir (R ("etc"), 0755);
  write_file (R ("etc/marker"), "the image's etc\n", 0644);
  /* hostile: the image's /evil and /evil2 point at /etc by absolute and climbing paths */
  symlink ("/etc", R ("evil"));
  symlink ("../../../../../../../../etc", R ("evil2"));
  mkdir (R ("nodata"), 0755);

  cleanup_jv jv m1 = vol_mount ("cu1", "/data", "z");
  ok (copy_up (m1, rootfs) == 0, "copy-up into an empty volume");
  cleanup_free char *hello = vpath ("cu1", "hello"), *deep = vpath ("cu1", "sub/deep"), *link = vpath ("cu1", "link");
  cleanup_free char *fifo = vpath ("cu1", "fifo"), *root1 = vpath ("cu1", "");
  cleanup_free char *t = read_text (hello);
  is_str (t, "hello\n", "a file is copied");
  free (t);
  t = read_text (deep);
  is_str (t, "deep\n", "a nested file is copied");
  struct stat st;
  ok (stat (hello, &st) == 0 && (st.st_mode & 07777) == 0640, "… with its mode");
  char target[256] = "";
  ssize_t n = readlink (link, target, sizeof target - 1);
  target[n > 0 ? n : 0] = '\0';
  is_str (target, "/etc/passwd", "a symlink is copied as a symlink, not followed");
  ok (lstat (fifo, &st) == 0 && S_ISFIFO (st.st_mode), "a fifo is made again");
  ok (stat (root1, &st) == 0 && (st.st_mode & 07777) == 0750, "the volume root takes the image dir's mode");
  cleanup_jv jv meta = load_vol ("cu1");
  ok (jv_get_bool (meta, "Filled", false), "the volume is marked filled");
  cleanup_jv jv pub = dock_volume_public (meta);
  ok (jv_get (pub, "Filled") == NULL && jv_get (pub, "Anonymous") == NULL, "inspect does not show dock's private keys");

  /* emptied on purpose: not filled again */
  unlink (hello);
  unlink (link);
  unlink (fifo);
  unlink (deep);
  cleanup_free char *subd = vpath ("cu1", "sub");
  rmdir (subd);
  ok (copy_up (m1, rootfs) == 0 && access (hello, F_OK) < 0, "an emptied volume that was filled stays empty");

  /* a volume that already has content is left alone */
  cleanup_jv jv m2 = vol_mount ("cu2", "/data", "");
  cleanup_free char *mine = vpath ("cu2", "mine"), *h2 = vpath ("cu2", "hello");
  write_file (mine, "mine\n", 0644);
  ok (copy_up (m2, rootfs) == 0 && access (h2, F_OK) < 0, "a non-empty volume gets nothing");

  /* nocopy */
  cleanup_jv jv m3 = vol_mount ("cu3", "/data", "nocopy");
  cleanup_free char *h3 = vpath ("cu3", "hello");
  ok (copy_up (m3, rootfs) == 0 && access (h3, F_OK) < 0, "-v name:/data:nocopy copies nothing");
  jv_set (m3->u.array.values[0], "Mode", jv_str (""));
  jv_set (m3->u.array.values[0], "NoCopy", jv_bool (true));
  ok (copy_up (m3, rootfs) == 0 && access (h3, F_OK) < 0, "--mount volume-nocopy copies nothing");

  /* an image without content there does not mark the volume: a later image fills it */
  cleanup_jv jv m4 = vol_mount ("cu4", "/nodata", "");
  ok (copy_up (m4, rootfs) == 0, "copy-up from an empty image dir");
  cleanup_jv jv meta4 = load_vol ("cu4");
  ok (!jv_get_bool (meta4, "Filled", false), "… leaves the volume unmarked");
  cleanup_jv jv m4b = vol_mount ("cu4", "/data", "");
  cleanup_free char *h4 = vpath ("cu4", "hello");
  ok (copy_up (m4b, rootfs) == 0 && access (h4, F_OK) == 0, "… so a later image with content fills it");

  /* hostile symlinks resolve inside the rootfs */
  cleanup_jv jv m5 = vol_mount ("cu5", "/evil", "");
  cleanup_free char *marker5 = vpath ("cu5", "marker"), *passwd5 = vpath ("cu5", "passwd");
  ok (copy_up (m5, rootfs) == 0, "copy-up through an absolute symlink");
  ok (access (marker5, F_OK) == 0, "/evil -> /etc gives the rootfs's /etc");
  ok (access (passwd5, F_OK) < 0, "… never the host's /etc");
  cleanup_jv jv m6 = vol_mount ("cu6", "/evil2", "");
  cleanup_free char *marker6 = vpath ("cu6", "marker"), *passwd6 = vpath ("cu6", "passwd");
  ok (copy_up (m6, rootfs) == 0 && access (marker6, F_OK) == 0 && access (passwd6, F_OK) < 0,
      "/evil2 -> ../../../etc stays in the rootfs too");

  /* missing destination in the image: nothing, no error */
  cleanup_jv jv m7 = vol_mount ("cu7", "/not/there", "");
  ok (copy_up (m7, rootfs) == 0, "a destination missing from the image copies nothing");
  (void)p;
#undef R
}

/* ------------------------------------------------------------------ in use, removal */

static void
fake_container (const char *id, const char *vol)
{
  cleanup_free char *dir = dock_path (&ctx, "containers/%s", id);
  cleanup_free char *meta = dock_path (&ctx, "containers/%s/meta.json", id);
  mkdir (dir, 0700);
  cleanup_free char *json = NULL;
  xasprintf (&json, "{\"Id\":\"%s\",\"Mounts\":[{\"Type\":\"volume\",\"Name\":\"%s\",\"Destination\":\"/d\"}]}", id,
             vol);
  write_file (meta, json, 0600);
}

static void
test_in_use (void)
{
  lcr_error_t err = NULL;
  dock_volume_create (&ctx, "used", NULL, NULL, false, NULL, &err);
  dock_volume_create (&ctx, "free1", NULL, NULL, false, NULL, &err);
  fake_container ("c1", "used");
  fake_container ("c2", "used");
  char *by = NULL;
  ok (dock_volume_in_use (&ctx, "used", &by), "a volume in a container's Mounts is in use");
  is_str (by, "c1 c2", "… by both containers");
  free (by);
  ok (!dock_volume_in_use (&ctx, "free1", NULL), "another is not");
  ok (dock_volume_remove (&ctx, "used", NULL, &err) < 0 && err
          && strstr (err->msg, "remove used: volume is in use - [c1 c2]"),
      "removing a volume in use fails naming the containers");
  lcr_error_release (&err);
  ok (dock_volume_remove (&ctx, "free1", NULL, &err) == 0, "a free volume is removed");
  ok (dock_volume_remove (&ctx, "free1", NULL, &err) < 0 && err->code == LCR_ERR_NOT_FOUND, "… and then is not found");
  lcr_error_release (&err);

  /* rm -v: anonymous volumes only, and not one another container uses */
  jv anon = NULL, anon2 = NULL;
  dock_volume_create (&ctx, NULL, NULL, NULL, true, &anon, &err);
  dock_volume_create (&ctx, NULL, NULL, NULL, true, &anon2, &err);
  dock_volume_create (&ctx, "named", NULL, NULL, false, NULL, &err);
  const char *an = jv_get_str (anon, "Name"), *an2 = jv_get_str (anon2, "Name");
  fake_container ("c3", an);
  fake_container ("c4", an2);
  fake_container ("c5", an2);
  cleanup_free char *mj = NULL;
  xasprintf (&mj,
             "[{\"Type\":\"volume\",\"Name\":\"%s\"},{\"Type\":\"volume\",\"Name\":\"%s\"},"
             "{\"Type\":\"volume\",\"Name\":\"named\"},{\"Type\":\"bind\",\"Source\":\"/tmp\"}]",
             an, an2);
  cleanup_jv jv mounts = parse (mj);
  ok (dock_volumes_remove_anonymous (&ctx, mounts, "c3", &err) == 0, "remove the anonymous volumes of c3");
  cleanup_jv jv g1 = load_vol (an);
  cleanup_jv jv g2 = load_vol (an2);
  cleanup_jv jv g3 = load_vol ("named");
  ok (g1 == NULL, "c3's own anonymous volume is gone");
  ok (g2 != NULL, "one that other containers use stays");
  ok (g3 != NULL, "a named volume stays");
  jv_free (anon);
  jv_free (anon2);
}

/* ------------------------------------------------------------------ mount options (root) */

static bool
is_tmpfs (const char *path)
{
  struct statfs sf;
  return statfs (path, &sf) == 0 && sf.f_type == 0x01021994; /* TMPFS_MAGIC */
}

static void
test_mount_options (void)
{
  lcr_error_t err = NULL;
  cleanup_jv jv bad = parse ("{\"foo\":\"bar\"}");
  ok (dock_volume_create (&ctx, "badopt", NULL, bad, false, NULL, &err) < 0
          && strstr (err->msg, "invalid option: \"foo\""),
      "an unknown --opt is refused");
  lcr_error_release (&err);
  cleanup_jv jv nodev = parse ("{\"type\":\"tmpfs\"}");
  ok (dock_volume_create (&ctx, "badopt", NULL, nodev, false, NULL, &err) < 0 && strstr (err->msg, "device"),
      "type without device is refused");
  lcr_error_release (&err);
  if (geteuid () != 0)
    {
      printf ("ok %d - # SKIP mounting needs root\n", ++tap_n);
      return;
    }
  cleanup_jv jv opts = parse ("{\"type\":\"tmpfs\",\"device\":\"tmpfs\",\"o\":\"size=1m,mode=0711\"}");
  ok (dock_volume_create (&ctx, "tmpv", NULL, opts, false, NULL, &err) == 0, "create a tmpfs volume");
  cleanup_free char *data = vpath ("tmpv", "");
  ok (!is_tmpfs (data), "… not mounted before a container uses it");
  cleanup_jv jv m = parse ("[{\"Type\":\"volume\",\"Name\":\"tmpv\",\"Destination\":\"/t\"},"
                           "{\"Type\":\"bind\",\"Source\":\"/tmp\",\"Destination\":\"/b\"}]");
  ok (dock_volumes_mount (&ctx, m, "c1", &err) == 0, "mount for a first container");
  struct stat st;
  ok (is_tmpfs (data) && stat (data, &st) == 0 && (st.st_mode & 07777) == 0711, "… _data is a tmpfs with o=mode=0711");
  ok (dock_volumes_mount (&ctx, m, "c2", &err) == 0, "mount for a second container");
  ok (dock_volumes_unmount (&ctx, m, "c1", &err) == 0 && is_tmpfs (data), "the first leaves: still mounted");
  ok (dock_volumes_unmount (&ctx, m, "c2", &err) == 0 && !is_tmpfs (data), "the last leaves: unmounted");
  /* never leave a mount behind, whatever failed above */
  while (is_tmpfs (data) && umount2 (data, MNT_DETACH) == 0)
    ;
  cleanup_jv jv bindopts = NULL;
  cleanup_free char *bsrc = NULL, *bjson = NULL, *bdata = vpath ("bindv", ""), *seen = vpath ("bindv", "seen");
  xasprintf (&bsrc, "%s/bindsrc", tmp);
  mkdir (bsrc, 0755);
  cleanup_free char *bfile = NULL;
  xasprintf (&bfile, "%s/seen", bsrc);
  write_file (bfile, "x", 0644);
  xasprintf (&bjson, "{\"type\":\"none\",\"device\":\"%s\",\"o\":\"bind\"}", bsrc);
  bindopts = parse (bjson);
  cleanup_jv jv bm = parse ("[{\"Type\":\"volume\",\"Name\":\"bindv\",\"Destination\":\"/t\"}]");
  ok (dock_volume_create (&ctx, "bindv", NULL, bindopts, false, NULL, &err) == 0
          && dock_volumes_mount (&ctx, bm, "c1", &err) == 0 && access (seen, F_OK) == 0,
      "type=none,o=bind,device=DIR binds DIR on _data");
  ok (dock_volumes_unmount (&ctx, bm, "c1", &err) == 0 && access (seen, F_OK) < 0, "… and unbinds it");
  umount2 (bdata, MNT_DETACH);
  lcr_error_release (&err);
}

int
main (void)
{
  if (mkdtemp (tmp) == NULL)
    return 2;
  cleanup_free char *root = NULL, *run = NULL;
  xasprintf (&root, "%s/root", tmp);
  xasprintf (&run, "%s/run", tmp);
  ctx.root = root;
  ctx.runroot = run;
  ctx.lock_fd = -1;
  lcr_error_t err = NULL;
  if (dock_store_init (&ctx, &err) < 0)
    {
      printf ("# %s\n", err->msg);
      return 2;
    }
  test_resolve ();
  test_copy_up ();
  test_in_use ();
  test_mount_options ();
  lcr_rm_rf_at (AT_FDCWD, tmp, &err);
  return done_testing ();
}
