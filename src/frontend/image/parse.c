/* dock — archive documents, parsed and checked (see parse.h). */
#define _GNU_SOURCE
#include "image/parse.h"

#include <stdlib.h>
#include <string.h>

#include "image/digest.h"
#include "utils.h"

/* a string from a document, made safe to quote in a message */
static char *
shown (const char *s)
{
  return lcr_escape_controls (s ? s : "");
}

/* jv_parse quotes the text around a syntax error: the archive's bytes, escaped here so a
   message cannot carry terminal control sequences */
static jv
parse (const char *text, size_t len, const char *what, lcr_error_t *err)
{
  jv v = jv_parse (text, len, what, err);
  if (v == NULL && *err && (*err)->msg)
    {
      char *safe = lcr_escape_controls ((*err)->msg);
      free ((*err)->msg);
      (*err)->msg = safe;
    }
  return v;
}

jv
dock_parse_archive_manifest (const char *text, size_t len, lcr_error_t *err)
{
  cleanup_jv jv v = parse (text, len, "manifest.json", err);
  if (v == NULL)
    return NULL;
  if (v->type != yajl_t_array || jv_len (v) == 0)
    {
      lcr_error_invalid (err, "manifest.json: not a non-empty array of images");
      return NULL;
    }
  for (size_t i = 0; i < jv_len (v); i++)
    {
      jv m = v->u.array.values[i];
      if (m->type != yajl_t_object || jv_get_str (m, "Config") == NULL || *jv_get_str (m, "Config") == '\0')
        {
          lcr_error_invalid (err, "manifest.json: image %zu has no Config", i);
          return NULL;
        }
      jv layers = jv_get (m, "Layers");
      if (layers && layers->type != yajl_t_array && layers->type != yajl_t_null)
        {
          lcr_error_invalid (err, "manifest.json: image %zu: Layers is not an array", i);
          return NULL;
        }
      for (size_t j = 0; j < jv_len (layers); j++)
        if (jv_as_str (layers->u.array.values[j]) == NULL || *jv_as_str (layers->u.array.values[j]) == '\0')
          {
            lcr_error_invalid (err, "manifest.json: image %zu: layer %zu is not a file name", i, j);
            return NULL;
          }
      jv tags = jv_get (m, "RepoTags");
      if (tags && tags->type != yajl_t_array && tags->type != yajl_t_null)
        {
          lcr_error_invalid (err, "manifest.json: image %zu: RepoTags is not an array", i);
          return NULL;
        }
      for (size_t j = 0; j < jv_len (tags); j++)
        if (jv_as_str (tags->u.array.values[j]) == NULL)
          {
            lcr_error_invalid (err, "manifest.json: image %zu: tag %zu is not a string", i, j);
            return NULL;
          }
    }
  return steal_pointer (&v);
}

int
dock_check_descriptor (jv d, const char *what, lcr_error_t *err)
{
  if (d == NULL || d->type != yajl_t_object)
    return lcr_error_invalid (err, "%s: not a descriptor", what);
  jv mt = jv_get (d, "mediaType");
  if (mt && mt->type != yajl_t_string)
    return lcr_error_invalid (err, "%s: mediaType is not a string", what);
  const char *dg = jv_get_str (d, "digest");
  if (!dock_digest_valid (dg))
    {
      cleanup_free char *s = shown (dg);
      return lcr_error_invalid (err, "%s: unsupported or invalid digest `%s`", what, s);
    }
  jv size = jv_get (d, "size");
  if (size == NULL || size->type != yajl_t_number || !(size->u.number.flags & YAJL_NUMBER_INT_VALID)
      || size->u.number.i < 0)
    return lcr_error_invalid (err, "%s: size is not a non-negative integer", what);
  return 0;
}

bool
dock_is_index_type (const char *mt)
{
  return mt && (strcmp (mt, DOCK_MT_OCI_INDEX) == 0 || strcmp (mt, DOCK_MT_DOCKER_LIST) == 0);
}

jv
dock_parse_oci_index (const char *text, size_t len, const char *what, lcr_error_t *err)
{
  cleanup_jv jv v = parse (text, len, what, err);
  if (v == NULL)
    return NULL;
  jv ms = jv_get_arr (v, "manifests");
  if (v->type != yajl_t_object || ms == NULL)
    {
      lcr_error_invalid (err, "%s: no manifests array", what);
      return NULL;
    }
  for (size_t i = 0; i < jv_len (ms); i++)
    {
      char w[128];
      snprintf (w, sizeof w, "%s: manifest %zu", what, i);
      if (dock_check_descriptor (ms->u.array.values[i], w, err) < 0)
        return NULL;
      jv ann = jv_get (ms->u.array.values[i], "annotations");
      if (ann && ann->type != yajl_t_object)
        {
          lcr_error_invalid (err, "%s: annotations is not an object", w);
          return NULL;
        }
    }
  return steal_pointer (&v);
}

jv
dock_parse_oci_manifest (const char *text, size_t len, const char *what, lcr_error_t *err)
{
  cleanup_jv jv v = parse (text, len, what, err);
  if (v == NULL)
    return NULL;
  if (v->type != yajl_t_object)
    {
      lcr_error_invalid (err, "%s: not an object", what);
      return NULL;
    }
  char w[128];
  snprintf (w, sizeof w, "%s: config", what);
  if (dock_check_descriptor (jv_get (v, "config"), w, err) < 0)
    return NULL;
  jv layers = jv_get (v, "layers");
  if (layers && layers->type != yajl_t_array)
    {
      lcr_error_invalid (err, "%s: layers is not an array", what);
      return NULL;
    }
  for (size_t i = 0; i < jv_len (layers); i++)
    {
      snprintf (w, sizeof w, "%s: layer %zu", what, i);
      if (dock_check_descriptor (layers->u.array.values[i], w, err) < 0)
        return NULL;
    }
  return steal_pointer (&v);
}

jv
dock_parse_image_config (const char *text, size_t len, const char *what, lcr_error_t *err)
{
  cleanup_jv jv v = parse (text, len, what, err);
  if (v == NULL)
    return NULL;
  if (v->type != yajl_t_object)
    {
      lcr_error_invalid (err, "%s: not an object", what);
      return NULL;
    }
  jv rootfs = jv_get_obj (v, "rootfs");
  const char *type = jv_get_str (rootfs, "type");
  if (rootfs == NULL || type == NULL || strcmp (type, "layers") != 0)
    {
      lcr_error_invalid (err, "%s: rootfs.type is not \"layers\"", what);
      return NULL;
    }
  jv ids = jv_get (rootfs, "diff_ids");
  if (ids && ids->type != yajl_t_array && ids->type != yajl_t_null)
    {
      lcr_error_invalid (err, "%s: rootfs.diff_ids is not an array", what);
      return NULL;
    }
  for (size_t i = 0; i < jv_len (ids); i++)
    if (!dock_digest_valid (jv_as_str (ids->u.array.values[i])))
      {
        lcr_error_invalid (err, "%s: rootfs.diff_ids[%zu] is not a sha256 digest", what, i);
        return NULL;
      }
  jv cfg = jv_get (v, "config");
  if (cfg && cfg->type != yajl_t_object && cfg->type != yajl_t_null)
    {
      lcr_error_invalid (err, "%s: config is not an object", what);
      return NULL;
    }
  jv hist = jv_get (v, "history");
  if (hist && hist->type != yajl_t_array && hist->type != yajl_t_null)
    {
      lcr_error_invalid (err, "%s: history is not an array", what);
      return NULL;
    }
  return steal_pointer (&v);
}
