/* libFuzzer target: dock's layer reader and unpacker (src/frontend/image/layer.c) on arbitrary
 * bytes, as a layer blob (any compression) unpacked into a fresh directory.
 *
 * Checks beyond the sanitizers: a success fills every digest; the blob digest covers exactly
 * the input; nothing is ever created beside the layer directory (its parent holds only it); an
 * error message carries no raw control character from the input.  The same bytes are also
 * read without unpacking, which must agree on the digests.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/layer.h"
#include "utils.h"

static char dir[4096];

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
remove_dir (void)
{
  lcr_error_t e = NULL;
  lcr_rm_rf_at (AT_FDCWD, dir, &e);
  lcr_error_release (&e);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  const char *t = getenv ("TMPDIR");
  snprintf (dir, sizeof dir, "%s/berth-fuzz-layer.XXXXXX", t && *t ? t : "/tmp");
  if (mkdtemp (dir) == NULL)
    abort ();
  atexit (remove_dir);
  return 0;
}

static int
input_fd (const uint8_t *data, size_t size)
{
  int fd = memfd_create ("layer", MFD_CLOEXEC);
  if (fd < 0 || lcr_write_all (fd, data, size) < 0 || lseek (fd, 0, SEEK_SET) < 0)
    abort ();
  return fd;
}

static void
check_msg (lcr_error_t err)
{
  if (err == NULL || err->msg == NULL)
    abort ();
  for (const unsigned char *c = (const unsigned char *)err->msg; *c; c++)
    if (*c < 0x20 || *c == 0x7f)
      abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0 || mkdirat (dfd, "layer", 0755) < 0)
    abort ();
  int lfd = openat (dfd, "layer", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (lfd < 0)
    abort ();
  int fd = input_fd (data, size);
  struct dock_layer_result res, res2;
  memset (&res, 0, sizeof res);
  lcr_error_t err = NULL;
  int r = dock_layer_read (fd, lfd, -1, &res, &err);
  close (fd);
  close (lfd);
  if (r < 0)
    check_msg (err);
  else
    {
      char want[72];
      dock_sha256_buf (data, size, want);
      if (strcmp (want, res.blob_digest) != 0 || res.blob_size != size || !dock_digest_valid (res.diff_id))
        abort ();
      /* the hashing-only pass agrees */
      fd = input_fd (data, size);
      lcr_error_t e2 = NULL;
      if (dock_layer_read (fd, -1, -1, &res2, &e2) < 0 || strcmp (res2.diff_id, res.diff_id) != 0
          || res2.tar_size != res.tar_size)
        abort ();
      close (fd);
    }
  lcr_error_release (&err);
  /* nothing beside the layer */
  cleanup_dir DIR *d = fdopendir (dfd);
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, "..") && strcmp (de->d_name, "layer"))
      abort ();
  if (lcr_rm_rf_at (dirfd (d), "layer", &err) < 0)
    abort ();
  return 0;
}
