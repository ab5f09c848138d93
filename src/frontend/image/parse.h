/* dock — the JSON documents of image archives, parsed and checked before anything trusts them:
 * a docker-archive's manifest.json, an OCI index and manifest, an image config.  Each returns
 * the parsed tree (the caller frees it) or NULL with *err naming the document and what is wrong.
 * They are pure (no file system), so tests/fuzz/fuzz-dock-manifest.c drives them directly.
 */
#ifndef DOCK_PARSE_H
#define DOCK_PARSE_H

#include <stddef.h>

#include "util/jv.h"

#define DOCK_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define DOCK_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define DOCK_MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define DOCK_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define DOCK_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"

/* [{"Config": "x.json", "RepoTags": ["a:b"] | null, "Layers": ["d/layer.tar", …]}, …] */
jv dock_parse_archive_manifest (const char *text, size_t len, lcr_error_t *err);
/* {"manifests": [descriptor…]} (an OCI index or a docker manifest list) */
jv dock_parse_oci_index (const char *text, size_t len, const char *what, lcr_error_t *err);
/* {"config": descriptor, "layers": [descriptor…]} */
jv dock_parse_oci_manifest (const char *text, size_t len, const char *what, lcr_error_t *err);
/* an object whose rootfs is {"type": "layers", "diff_ids": [digest…]} */
jv dock_parse_image_config (const char *text, size_t len, const char *what, lcr_error_t *err);
/* a descriptor: mediaType string (or absent), digest valid sha256, size >= 0; 0 or -1 */
int dock_check_descriptor (jv d, const char *what, lcr_error_t *err);
/* is this index/manifest-list media type */
bool dock_is_index_type (const char *mt);

#endif
