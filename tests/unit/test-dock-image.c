/* dock's image store without the CLI: reference normalisation as docker's, and
 * dock_image_commit (what `commit` and `build` use) over a scratch store in a temp dir:
 * an image from nothing plus a layer, a second one on top, resolution by tag, ID and prefix,
 * the config's rootfs rewritten to match the layers, removal keeping the shared layer.
 * Runs unprivileged (no device nodes in these layers).
 */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/image.h"
#include "image/imgstore.h"
#include "tap.h"

static void
refs (void)
{
  static const char *const cases[][3] = {
      /* input, normalised, familiar */
      {"busybox", "docker.io/library/busybox:latest", "busybox:latest"},
      {"busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36"},
      {"library/busybox", "docker.io/library/busybox:latest", "busybox:latest"},
      {"docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest"},
      {"index.docker.io/library/busybox", "docker.io/library/busybox:latest", "busybox:latest"},
      {"me/app:v1", "docker.io/me/app:v1", "me/app:v1"},
      {"localhost/app", "localhost/app:latest", "localhost/app:latest"},
      {"localhost:5000/a/b:c", "localhost:5000/a/b:c", "localhost:5000/a/b:c"},
      {"quay.io/x/y", "quay.io/x/y:latest", "quay.io/x/y:latest"},
      {"a__b.c-d---e", "docker.io/library/a__b.c-d---e:latest", "a__b.c-d---e:latest"},
      {"busybox@sha256:0123456789012345678901234567890123456789012345678901234567890123",
       "docker.io/library/busybox@sha256:0123456789012345678901234567890123456789012345678901234567890123",
       "busybox@sha256:0123456789012345678901234567890123456789012345678901234567890123"},
      {"docker.io/library/x/y", "docker.io/library/x/y:latest", "library/x/y:latest"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    {
      lcr_error_t err = NULL;
      char *n = dock_ref_normalize (cases[i][0], &err);
      is_str (n, cases[i][1], "normalize %s", cases[i][0]);
      if (n)
        {
          char *f = dock_ref_familiar (n);
          is_str (f, cases[i][2], "familiar %s", n);
          free (f);
        }
      lcr_error_release (&err);
      free (n);
    }
  /* the tag of NAME:TAG@DIGEST is TAG, not what follows the digest's "sha256:" */
  static const struct
  {
    const char *norm, *tag;
  } tags[] = {
      {"docker.io/library/busybox:1.36", "1.36"},
      {"localhost:5000/a/b:c", "c"},
      {"localhost:5000/a/b@sha256:0123456789012345678901234567890123456789012345678901234567890123", NULL},
      {"localhost:5000/a/b:c@sha256:0123456789012345678901234567890123456789012345678901234567890123",
       "c@sha256:0123456789012345678901234567890123456789012345678901234567890123"},
  };
  for (size_t i = 0; i < sizeof tags / sizeof *tags; i++)
    is_str (dock_ref_tag (tags[i].norm), tags[i].tag, "tag of %s", tags[i].norm);
  static const char *const bad[] = {"",
                                    "Busybox",
                                    "a:",
                                    ":b",
                                    "a/",
                                    "/a",
                                    "a//b",
                                    "a..b",
                                    "a_-b",
                                    "-a",
                                    "a:b:c",
                                    "a@sha256:123",
                                    "a:"
                                    "tag-that-is-too-long-"
                                    "0123456789012345678901234567890123456789012345678901234567890123456789012345678901"
                                    "234567890123456789abcdefghijkl",
                                    "0123456789012345678901234567890123456789012345678901234567890123",
                                    NULL};
  for (size_t i = 0; bad[i]; i++)
    {
      lcr_error_t err = NULL;
      char *n = dock_ref_normalize (bad[i], &err);
      ok (n == NULL && err && strstr (err->msg, "invalid reference format"), "refuse \"%s\"", bad[i]);
      free (n);
      lcr_error_release (&err);
    }
}

/* a layer tar with one file */
static void
make_tar (const char *path, const char *name, const char *data)
{
  struct archive *a = archive_write_new ();
  archive_write_set_format_pax_restricted (a);
  archive_write_open_filename (a, path);
  struct archive_entry *e = archive_entry_new ();
  archive_entry_set_pathname (e, name);
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_perm (e, 0644);
  archive_entry_set_size (e, (la_int64_t)strlen (data));
  archive_write_header (a, e);
  archive_write_data (a, data, strlen (data));
  archive_entry_free (e);
  archive_write_free (a);
}

static void
commit (const char *dir)
{
  char root[4096], run[4096], tar1[4096], tar2[4096];
  snprintf (root, sizeof root, "%s/root", dir);
  snprintf (run, sizeof run, "%s/run", dir);
  snprintf (tar1, sizeof tar1, "%s/l1.tar", dir);
  snprintf (tar2, sizeof tar2, "%s/l2.tar", dir);
  make_tar (tar1, "hello", "hello\n");
  make_tar (tar2, "dir/world", "world!\n");
  struct dock_ctx ctx = {.root = root, .runroot = run, .lock_fd = -1};
  lcr_error_t err = NULL;
  char id1[72], id2[72];
  /* the caller's rootfs is replaced by the layers' */
  int r = dock_image_commit (&ctx, NULL,
                             "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"sh\"]},"
                             "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"history\":[{\"created_by\":\"one\"}]}",
                             tar1, "base:1", id1, &err);
  ok (r == 0, "commit an image from nothing plus a layer%s%s", err ? ": " : "", err ? err->msg : "");
  lcr_error_release (&err);

  struct dock_image *base = NULL;
  r = dock_image_resolve (&ctx, "base:1", &base, &err);
  ok (r == 0 && base, "resolve it by tag");
  lcr_error_release (&err);
  if (base == NULL)
    return;
  is_str (base->id, id1, "its ID");
  is_str (base->ref, "base:1", "the reference it was found by");
  is_int (base->n_layers, 1, "one layer");
  char p[4200];
  snprintf (p, sizeof p, "%s/hello", base->layer_dirs[0]);
  ok (access (p, F_OK) == 0, "the layer is unpacked");
  jv ids = jv_path (base->config, "rootfs", "diff_ids", NULL);
  is_int (jv_len (ids), 1, "the config lists the one layer");

  /* the ID is the digest of the config blob */
  char *cfg = NULL;
  size_t len = 0;
  ok (dock_blob_read (&ctx, id1, &cfg, &len, &err) == 0, "the config blob is stored under its digest");
  free (cfg);
  lcr_error_release (&err);

  r = dock_image_commit (&ctx, base, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"top\"]}}",
                         tar2, "child:1", id2, &err);
  ok (r == 0, "commit a second layer on top");
  lcr_error_release (&err);
  struct dock_image *child = NULL;
  char prefix[16];
  snprintf (prefix, sizeof prefix, "%.10s", id2 + 7);
  r = dock_image_resolve (&ctx, prefix, &child, &err);
  ok (r == 0 && child, "resolve it by an ID prefix");
  lcr_error_release (&err);
  if (child)
    {
      is_int (child->n_layers, 2, "two layers");
      is_str (child->layer_dirs[0], base->layer_dirs[0], "the bottom one shared with its base");
      snprintf (p, sizeof p, "%s/dir/world", child->layer_dirs[1]);
      ok (access (p, F_OK) == 0, "the new layer is unpacked");
      is_int (jv_len (jv_path (child->config, "rootfs", "diff_ids", NULL)), 2, "the config lists both layers");
      ok (jv_get_str (child->config, "created") != NULL, "a creation time is set");
      is_str (child->ref, NULL, "no reference when found by ID");
      dock_image_free (child);
    }
  /* a full ID with and without sha256: */
  struct dock_image *x = NULL;
  ok (dock_image_resolve (&ctx, id2 + 7, &x, &err) == 0, "resolve by the hex ID");
  dock_image_free (x);
  x = NULL;
  lcr_error_release (&err);
  ok (dock_image_resolve (&ctx, "nosuch", &x, &err) < 0 && err && err->code == LCR_ERR_NOT_FOUND
          && strcmp (err->msg, "No such image: nosuch") == 0,
      "an unknown image: docker's message");
  lcr_error_release (&err);

  /* removing the child keeps the base's (shared) layer */
  FILE *devnull = fopen ("/dev/null", "w");
  ok (dock_image_remove (&ctx, "child:1", false, devnull, &err) == 0, "remove the child");
  lcr_error_release (&err);
  ok (access (base->layer_dirs[0], F_OK) == 0, "the shared layer stays");
  ok (dock_image_remove (&ctx, "base:1", false, devnull, &err) == 0, "remove the base");
  lcr_error_release (&err);
  ok (access (base->layer_dirs[0], F_OK) < 0, "now the layer is gone");
  fclose (devnull);
  dock_image_free (base);
}

int
main (void)
{
  refs ();
  char dir[] = "/tmp/test-dock-image.XXXXXX";
  if (mkdtemp (dir) == NULL)
    return 1;
  commit (dir);
  lcr_error_t err = NULL;
  lcr_rm_rf_at (AT_FDCWD, dir, &err);
  lcr_error_release (&err);
  return done_testing ();
}
