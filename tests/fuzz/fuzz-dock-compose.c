/* libFuzzer target: dock compose's loader (src/frontend/compose: yaml-load.c, interp.c,
 * merge.c, resolve.c, emit.c), from arbitrary bytes.
 *
 * The input is up to three files separated by NUL bytes: compose.yaml, other.yaml (for
 * `extends: {file: other.yaml}` and `include: [other.yaml]`) and override.yaml (merged over the
 * first, as a second -f).  They are written to a fresh directory and loaded as `dock compose`
 * loads them: YAML with anchors and merge keys, interpolation from a few variables, include,
 * extends, normalization, the override merge.
 *
 * A load gives a model xor an error with a message.  A model, written back as YAML (`config`), must load again and
 * be written the same way: the writer's quoting and its `$$` escapes read back to the same
 * model.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compose/compose.h"
#include "utils.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
put (const char *dir, const char *name, const uint8_t *d, size_t n)
{
  char path[4096];
  snprintf (path, sizeof path, "%s/%s", dir, name);
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    abort ();
  if (n && write (fd, d, n) != (ssize_t)n)
    abort ();
  close (fd);
}

static void
check_err (lcr_error_t *err)
{
  if (*err == NULL || (*err)->msg == NULL || (*err)->msg[0] == '\0')
    abort ();
  lcr_error_release (err);
}

static char *
emit (jv model)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream (&buf, &len);
  if (m == NULL)
    abort ();
  compose_emit_yaml (m, model);
  fclose (m);
  return buf;
}

static jv
load (const char *dir, jv env, lcr_error_t *err)
{
  char main_path[4096], over_path[4096];
  snprintf (main_path, sizeof main_path, "%s/compose.yaml", dir);
  snprintf (over_path, sizeof over_path, "%s/override.yaml", dir);
  cleanup_jv jv where = jv_obj ();
  jv model = compose_load_file (main_path, dir, env, where, 0, err);
  if (model == NULL)
    return NULL;
  if (access (over_path, F_OK) == 0)
    {
      cleanup_jv jv over = compose_load_file (over_path, dir, env, where, 0, err);
      if (over == NULL)
        {
          jv_free (model);
          return NULL;
        }
      compose_merge (model, over);
    }
  return model;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size > 64 * 1024)
    return 0;
  const char *tmp = getenv ("TMPDIR");
  char dirbuf[4096];
  snprintf (dirbuf, sizeof dirbuf, "%s/fuzz-compose.XXXXXX", tmp ? tmp : "/tmp");
  if (mkdtemp (dirbuf) == NULL)
    abort ();
  static const char *const names[] = {"compose.yaml", "other.yaml", "override.yaml"};
  size_t start = 0, k = 0;
  for (size_t i = 0; i <= size && k < 3; i++)
    if (i == size || data[i] == 0)
      {
        put (dirbuf, names[k++], data + start, i - start);
        start = i + 1;
      }
  cleanup_jv jv env = jv_obj ();
  jv_set (env, "A", jv_str ("a b"));
  jv_set (env, "E", jv_str (""));
  jv_set (env, "D", jv_str ("$x"));
  jv_set (env, "Q", jv_str ("\"'#: -"));

  lcr_error_t err = NULL;
  jv model = load (dirbuf, env, &err);
  if (model == NULL)
    check_err (&err);
  else
    {
      if (err)
        abort ();
      /* written back, it loads to the same model */
      cleanup_free char *first = emit (model);
      jv_free (model);
      char sub[4200];
      snprintf (sub, sizeof sub, "%s/again", dirbuf);
      if (mkdir (sub, 0755) < 0)
        abort ();
      put (sub, "compose.yaml", (const uint8_t *)first, strlen (first));
      jv again = load (sub, env, &err);
      if (again == NULL)
        {
          fprintf (stderr, "config output does not load: %s\n---\n%s---\n", err->msg, first);
          abort ();
        }
      cleanup_free char *second = emit (again);
      jv_free (again);
      if (strcmp (first, second) != 0)
        {
          fprintf (stderr, "config output changes when read back:\n---\n%s---\n%s---\n", first, second);
          abort ();
        }
      char p[4300];
      snprintf (p, sizeof p, "%s/compose.yaml", sub);
      unlink (p);
      rmdir (sub);
    }
  for (size_t i = 0; i < 3; i++)
    {
      char p[4200];
      snprintf (p, sizeof p, "%s/%s", dirbuf, names[i]);
      unlink (p);
    }
  rmdir (dirbuf);
  return 0;
}
