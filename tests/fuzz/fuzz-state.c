/* libFuzzer target: state.json from arbitrary bytes.
 *
 * 1. lcr_state_parse on the bytes; 2. the same bytes as a real <dir>/state.json through
 * lcr_state_read (what every verb after create does), which must agree with 1; 3. a parsed
 * state is written back with lcr_state_write and read again, and must come back the same;
 * 4. `berth state`'s document made from it must be JSON.  The same bytes are also checked as a
 * container ID (lcr_state_check_id).  The sanitizers catch memory errors, UB and leaks on the
 * way.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "state.h"
#include "utils.h"

static int dirfd_ = -1;
static char dir[4096];

static void
remove_dir (void)
{
  unlinkat (dirfd_, LCR_STATE_JSON, 0);
  rmdir (dir);
}

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  /* a directory of our own for the file-based reader; run.sh points TMPDIR at its scratch */
  const char *t = getenv ("TMPDIR");
  snprintf (dir, sizeof dir, "%s/berth-fuzz-state.XXXXXX", t && *t ? t : "/tmp");
  if (mkdtemp (dir) == NULL)
    abort ();
  dirfd_ = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd_ < 0)
    abort ();
  atexit (remove_dir);
  return 0;
}

static bool
str_eq (const char *a, const char *b)
{
  return (a == NULL && b == NULL) || (a && b && strcmp (a, b) == 0);
}

static void
check_same (const struct lcr_state *a, const struct lcr_state *b)
{
  if (!str_eq (a->id, b->id) || a->pid != b->pid || a->start_time != b->start_time || !str_eq (a->bundle, b->bundle)
      || !str_eq (a->rootfs, b->rootfs) || !str_eq (a->created, b->created) || a->owner != b->owner
      || !str_eq (a->cgroup_path, b->cgroup_path) || a->systemd_cgroup != b->systemd_cgroup
      || a->poststart_hooks != b->poststart_hooks || a->poststop_hooks != b->poststop_hooks
      || a->host_mounts_base != b->host_mounts_base || a->annotations_len != b->annotations_len)
    abort ();
  for (size_t i = 0; i < a->annotations_len; i++)
    if (!str_eq (a->annotations[i].key, b->annotations[i].key)
        || !str_eq (a->annotations[i].value, b->annotations[i].value))
      abort ();
}

static void
check_error (lcr_error_t err)
{
  if (err == NULL || err->msg == NULL || strstr (err->msg, LCR_STATE_JSON) == NULL)
    abort (); /* every failure names the file */
  for (const unsigned char *c = (const unsigned char *)err->msg; *c; c++)
    if (*c < 0x20 || *c == 0x7f)
      abort (); /* and carries no control character from it */
}

/* `berth state`'s output must be a JSON object */
static void
check_state_doc (const struct lcr_state *st, int status, bool pretty)
{
  cleanup_free char *doc = lcr_state_to_json (st, status, pretty);
  if (doc == NULL)
    abort ();
  char ebuf[128];
  yajl_val v = yajl_tree_parse (doc, ebuf, sizeof ebuf);
  if (v == NULL || !YAJL_IS_OBJECT (v))
    abort ();
  yajl_tree_free (v);
}

/* container IDs come from the command line, and name the state dir: the same bytes as an ID */
static void
check_id (const uint8_t *data, size_t size)
{
  cleanup_free char *id = xmalloc0 (size + 1);
  memcpy (id, data, size);
  lcr_error_t err = NULL;
  int ret = lcr_state_check_id (id, &err);
  if (ret == 0)
    {
      if (err != NULL || strlen (id) == 0 || strlen (id) > 1024 || strchr (id, '/') || strcmp (id, "..") == 0)
        abort (); /* an ID that could leave the state root, or an error beside success */
      return;
    }
  if (err == NULL || err->code != LCR_ERR_INVALID)
    abort ();
  for (const unsigned char *c = (const unsigned char *)err->msg; *c; c++)
    if (*c < 0x20 || *c == 0x7f)
      abort (); /* the message quotes the ID: no raw control characters */
  lcr_error_release (&err);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  check_id (data, size);
  lcr_error_t err = NULL;
  struct lcr_state *st = NULL;
  int ret = lcr_state_parse ((const char *)data, size, &st, &err);
  if ((ret == 0) != (st != NULL) || (ret < 0 && err == NULL))
    abort ();
  if (ret < 0)
    check_error (err);
  lcr_error_release (&err);

  /* the file reader must agree with the in-memory one */
  if (lcr_write_file_at (dirfd_, LCR_STATE_JSON, data, size, 0600, NULL) < 0)
    abort ();
  struct lcr_state *from_file = NULL;
  int ret_file = lcr_state_read (dirfd_, &from_file, &err);
  if (ret_file != ret)
    abort ();
  if (ret_file < 0)
    check_error (err);
  lcr_error_release (&err);
  if (from_file)
    {
      check_same (st, from_file);
      lcr_state_free (from_file);
    }

  if (st)
    {
      /* what we read, we can write, and read back the same */
      if (lcr_state_write (dirfd_, st, &err) == 0)
        {
          struct lcr_state *again = NULL;
          if (lcr_state_read (dirfd_, &again, &err) < 0)
            abort ();
          check_same (st, again);
          lcr_state_free (again);
        }
      else if (err == NULL || err->code != LCR_ERR_INVALID)
        abort (); /* only an unencodable value may stop the write */
      lcr_error_release (&err);
      check_state_doc (st, LCR_STATUS_RUNNING, true);
      check_state_doc (st, LCR_STATUS_STOPPED, false);
      lcr_state_free (st);
    }
  return 0;
}
