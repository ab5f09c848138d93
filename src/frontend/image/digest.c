/* dock — sha256 digests and chain IDs (see digest.h). */
#define _GNU_SOURCE
#include "digest.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
dock_sha256_init (struct dock_sha256 *h)
{
  EVP_MD_CTX *c = EVP_MD_CTX_new ();
  if (c == NULL || EVP_DigestInit_ex (c, EVP_sha256 (), NULL) != 1)
    abort ();
  h->md = c;
  h->len = 0;
}

void
dock_sha256_update (struct dock_sha256 *h, const void *data, size_t len)
{
  if (len == 0)
    return;
  if (EVP_DigestUpdate ((EVP_MD_CTX *)h->md, data, len) != 1)
    abort ();
  h->len += len;
}

void
dock_sha256_final (struct dock_sha256 *h, char out[72])
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_DigestFinal_ex ((EVP_MD_CTX *)h->md, md, &n) != 1 || n != 32)
    abort ();
  EVP_MD_CTX_free ((EVP_MD_CTX *)h->md);
  h->md = NULL;
  memcpy (out, "sha256:", 7);
  for (unsigned i = 0; i < n; i++)
    sprintf (out + 7 + 2 * i, "%02x", md[i]);
  out[71] = '\0';
}

void
dock_sha256_abort (struct dock_sha256 *h)
{
  if (h->md)
    EVP_MD_CTX_free ((EVP_MD_CTX *)h->md);
  h->md = NULL;
}

void
dock_sha256_buf (const void *data, size_t len, char out[72])
{
  struct dock_sha256 h;
  dock_sha256_init (&h);
  dock_sha256_update (&h, data, len);
  dock_sha256_final (&h, out);
}

bool
dock_digest_valid (const char *d)
{
  if (d == NULL || strncmp (d, "sha256:", 7) != 0 || strlen (d) != DOCK_DIGEST_LEN)
    return false;
  for (const char *p = d + 7; *p; p++)
    if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
      return false;
  return true;
}

const char *
dock_digest_hex (const char *d)
{
  return dock_digest_valid (d) ? d + 7 : NULL;
}

void
dock_chain_id (const char *parent_chain, const char *diff_id, char out[72])
{
  if (parent_chain == NULL || *parent_chain == '\0')
    {
      snprintf (out, 72, "%s", diff_id);
      return;
    }
  char buf[160];
  int n = snprintf (buf, sizeof buf, "%s %s", parent_chain, diff_id);
  dock_sha256_buf (buf, (size_t)n, out);
}
