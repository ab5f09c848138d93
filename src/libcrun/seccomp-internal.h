/* berth — seccomp.c's helpers in other files. */
#ifndef LCR_SECCOMP_INTERNAL_H
#define LCR_SECCOMP_INTERNAL_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#include "spec.h"

/* seccomp-enosys.c: the instructions to put in front of the program compiled
   from `sc` (default action def_action, architectures tokens[] besides the
   native one) so that syscalls newer than the profile fail with ENOSYS;
   *out is malloc'd, NULL with *out_len 0 when no stub is needed. */
void lcr_seccomp_enosys_stub (struct lcr_spec_seccomp *sc, uint32_t def_action, const uint32_t *tokens, size_t n_tokens,
                              struct sock_filter **out, size_t *out_len);

#endif
