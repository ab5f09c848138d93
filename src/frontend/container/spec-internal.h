/* dock — the parts of the config.json builder (spec.c) that live in files of their own. */
#ifndef DOCK_SPEC_INTERNAL_H
#define DOCK_SPEC_INTERNAL_H

#include "container/spec.h"

/* spec-security.c */

/* The container's capability set ("CAP_CHOWN", …) from docker's defaults, CapAdd, CapDrop and
   Privileged, as docker computes it.  An unknown name fails with docker's message. */
jv dock_spec_capabilities (jv host_config, lcr_error_t *err);
/* Is `cap` ("CAP_SYS_ADMIN") in the array `caps`? */
bool dock_caps_has (jv caps, const char *cap);
/* docker's masked and read-only paths (none for --privileged or systempaths=unconfined). */
void dock_spec_masked_paths (jv linux_, jv host_config);
/* linux.devices and linux.resources.devices: docker's allow list, --device entries (a
   directory gives every device under it), every host device for --privileged. */
int dock_spec_devices (jv host_config, jv linux_, jv resources, lcr_error_t *err);

/* spec-seccomp.c */

/* docker's default profile in docker's own format (includes/excludes, archMap). */
jv dock_seccomp_default_profile (void);
/* A docker-format profile → runtime-spec linux.seccomp, for the native architecture and
   the capability set `caps` (rules whose includes/excludes don't match are left out). */
jv dock_seccomp_convert (jv profile, jv caps, lcr_error_t *err);
/* linux.seccomp for a container (NULL in *out: unconfined), from SecurityOpt and Privileged. */
int dock_spec_seccomp (jv host_config, jv caps, jv *out, lcr_error_t *err);

#endif
