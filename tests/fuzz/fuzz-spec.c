/* libFuzzer target: config.json, process.json (`exec -p`) and resources JSON (`update -r`)
 * from arbitrary bytes, through the parser and the validator, then freed.
 *
 * Each input goes to all three entry points: they share the parser and the schema walkers,
 * and a config.json is a fine seed for the others (its "process" and "linux.resources" are
 * what they read).  Beyond the sanitizers (memory errors, UB, leaks), every call must either
 * return a value and no error, or NULL and an error with a non-empty message of the right code
 * and no control characters.  A config.json that is accepted names no path (cgroupsPath, mount
 * destinations and sources, hook paths, cwd, …) longer than the kernel takes: the runtime builds
 * paths from them, and the validator is what keeps them bounded.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"

static void
check_result (void *val, lcr_error_t err)
{
  if ((val == NULL) == (err == NULL))
    abort (); /* a value with an error, or neither */
  if (err && (err->msg == NULL || err->msg[0] == '\0' || err->code != LCR_ERR_INVALID))
    abort (); /* bad input must say what is wrong, as invalid input */
  /* the message quotes the input: it must not carry its control characters to a terminal or a
     log (escape sequences, forged lines) */
  for (const unsigned char *c = err ? (const unsigned char *)err->msg : NULL; c && *c; c++)
    if (*c < 0x20 || *c == 0x7f)
      abort ();
}

static void
check_len (const char *s)
{
  if (s && strlen (s) >= PATH_MAX)
    abort (); /* a path field the validator should have refused */
}

static void
check_paths (const struct lcr_spec *spec)
{
  if (spec == NULL)
    return;
  if (spec->root)
    check_len (spec->root->path);
  if (spec->process)
    check_len (spec->process->cwd);
  for (size_t i = 0; i < spec->mounts_len; i++)
    {
      check_len (spec->mounts[i].destination);
      check_len (spec->mounts[i].source);
    }
  const struct lcr_spec_hooks *h = spec->hooks;
  const struct lcr_spec_hook *lists[]
      = {h ? h->prestart : NULL,        h ? h->create_runtime : NULL, h ? h->create_container : NULL,
         h ? h->start_container : NULL, h ? h->poststart : NULL,      h ? h->poststop : NULL};
  size_t lens[] = {h ? h->prestart_len : 0,        h ? h->create_runtime_len : 0, h ? h->create_container_len : 0,
                   h ? h->start_container_len : 0, h ? h->poststart_len : 0,      h ? h->poststop_len : 0};
  for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++)
    for (size_t i = 0; i < lens[k]; i++)
      check_len (lists[k][i].path);
  const struct lcr_spec_linux *l = spec->linux_;
  if (l == NULL)
    return;
  check_len (l->cgroups_path);
  for (size_t i = 0; i < l->namespaces_len; i++)
    check_len (l->namespaces[i].path);
  for (size_t i = 0; i < l->devices_len; i++)
    check_len (l->devices[i].path);
  for (size_t i = 0; i < l->masked_paths_len; i++)
    check_len (l->masked_paths[i]);
  for (size_t i = 0; i < l->readonly_paths_len; i++)
    check_len (l->readonly_paths[i]);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *json = (const char *)data;
  lcr_error_t err = NULL;

  struct lcr_spec *spec = lcr_spec_parse (json, size, &err);
  check_result (spec, err);
  check_paths (spec);
  lcr_spec_free (spec);
  lcr_error_release (&err);

  struct lcr_spec_process *proc = lcr_spec_parse_process (json, size, &err);
  check_result (proc, err);
  lcr_spec_process_free (proc);
  lcr_error_release (&err);

  struct lcr_spec_resources *res = lcr_spec_parse_resources (json, size, &err);
  check_result (res, err);
  lcr_spec_resources_free (res);
  lcr_error_release (&err);
  return 0;
}
