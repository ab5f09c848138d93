/* dock — sha256 digests ("sha256:<64 hex>") with OpenSSL's EVP, and layer chain IDs.
 *
 * Every blob that enters the store is hashed as it streams through once: the hash object is fed
 * by whoever reads the bytes (archive reader callbacks, copies), never by re-reading a file.
 */
#ifndef DOCK_DIGEST_H
#define DOCK_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define DOCK_DIGEST_LEN 71 /* "sha256:" + 64 hex */

struct dock_sha256
{
  void *md; /* EVP_MD_CTX */
  uint64_t len;
};

void dock_sha256_init (struct dock_sha256 *h);
void dock_sha256_update (struct dock_sha256 *h, const void *data, size_t len);
/* "sha256:<hex>" into out (at least 72 bytes); frees the context. */
void dock_sha256_final (struct dock_sha256 *h, char out[72]);
/* Free without a result (error paths). */
void dock_sha256_abort (struct dock_sha256 *h);

/* One-shot digest of a buffer. */
void dock_sha256_buf (const void *data, size_t len, char out[72]);

/* "sha256:" followed by exactly 64 lowercase hex digits. */
bool dock_digest_valid (const char *d);
/* The hex part of a valid digest, else NULL. */
const char *dock_digest_hex (const char *d);

/* chainID(L0) = diffID(L0); chainID(Ln) = sha256(chainID(Ln-1) + " " + diffID(Ln)). */
void dock_chain_id (const char *parent_chain, const char *diff_id, char out[72]);

#endif
