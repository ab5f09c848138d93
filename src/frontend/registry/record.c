/* dock — what a pull or a push leaves in refs.json besides the image: its tag and repo digest
 * (`images --digests`, `image inspect`'s RepoDigests, `NAME@sha256:…` lookups). */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "image/imgstore.h"
#include "registry/reg-internal.h"
#include "store/store.h"

void
dock_ref_parts_clear (struct dock_ref_parts *p)
{
  free (p->norm);
  free (p->domain);
  free (p->path);
  free (p->tag);
  free (p->digest);
  memset (p, 0, sizeof *p);
}

int
dock_ref_split (const char *ref, struct dock_ref_parts *p, lcr_error_t *err)
{
  memset (p, 0, sizeof *p);
  p->norm = dock_ref_normalize (ref, err);
  if (p->norm == NULL)
    return -1;
  cleanup_free char *name = dock_ref_name (p->norm);
  char *slash = strchr (name, '/');
  p->domain = strndup (name, slash - name);
  p->path = xstrdup (slash + 1);
  const char *at = strchr (p->norm, '@');
  if (at)
    p->digest = xstrdup (at + 1);
  /* with a digest the tag is ignored, as docker does: the pull is by digest and tags nothing */
  const char *tag = dock_ref_tag (p->norm);
  if (tag && at == NULL)
    p->tag = strndup (tag, strcspn (tag, "@"));
  return 0;
}

int
dock_reg_record (struct dock_ctx *ctx, const char *id, const char *tag, const char *repo_digest, lcr_error_t *err)
{
  if (dock_lock (ctx, err) < 0)
    return -1;
  int ret = -1;
  cleanup_jv jv refs = dock_refs_load (ctx, err);
  if (refs == NULL)
    goto out;
  jv rec = jv_get_obj (jv_get_obj (refs, "images"), id);
  if (rec == NULL)
    {
      lcr_error_make (err, 0, LCR_ERR_STATE, "image %s was removed while it was pulled or pushed", id);
      goto out;
    }
  if (tag)
    {
      jv_set (jv_get_obj (refs, "refs"), tag, jv_str (id));
      cleanup_free char *now = dock_now_rfc3339 ();
      jv_set (rec, "lastTag", jv_str (now));
    }
  if (repo_digest)
    {
      jv rd = jv_child_arr (rec, "repoDigests");
      size_t nl = strcspn (repo_digest, "@");
      for (size_t i = jv_len (rd); i-- > 0;)
        {
          const char *s = jv_as_str (rd->u.array.values[i]);
          if (s && strlen (s) > nl && strncmp (s, repo_digest, nl) == 0 && s[nl] == '@')
            jv_remove_at (rd, i);
        }
      jv_push (rd, jv_str (repo_digest));
    }
  ret = dock_refs_save (ctx, refs, err);
out:
  dock_unlock (ctx);
  return ret;
}
