/* libFuzzer target: config.json, process.json (`exec -p`) and resources JSON (`update -r`)
 * from arbitrary bytes, through the parser and the validator, then freed.
 *
 * Each input goes to all three entry points: they share the parser and the schema walkers,
 * and a config.json is a fine seed for the others (its "process" and "linux.resources" are
 * what they read).  Beyond the sanitizers (memory errors, UB, leaks), every call must either
 * return a value and no error, or NULL and an error with a non-empty message of the right code
 * and no control characters.
 */
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

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *json = (const char *)data;
  lcr_error_t err = NULL;

  struct lcr_spec *spec = lcr_spec_parse (json, size, &err);
  check_result (spec, err);
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
