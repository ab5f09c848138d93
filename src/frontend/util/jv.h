/* dock — JSON values: yajl's tree type, built and edited in memory.
 *
 * dock keeps almost everything as JSON: image configs and manifests, a container's record (in the
 * shape of `docker inspect`, so `inspect` and `--format` read it as they are), volumes, the refs.
 * yajl parses into `yajl_val` trees whose nodes are plain malloc'd memory, freed by
 * yajl_tree_free with free(); these helpers build and edit the same nodes, so a parsed tree and a
 * built one mix freely and one jv_free releases both.
 *
 * Ownership: every constructor returns a new node; jv_set / jv_push take ownership of the value
 * they are given.  Getters return borrowed pointers (NULL when absent or of another type).
 */
#ifndef DOCK_JV_H
#define DOCK_JV_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "error.h"

typedef yajl_val jv;

/* Parse `len` bytes of JSON; on error *err says what and where, prefixed by `what` (a file name). */
jv jv_parse (const char *text, size_t len, const char *what, lcr_error_t *err);
/* Read and parse a whole file. */
jv jv_load (const char *path, lcr_error_t *err);
jv jv_load_at (int dirfd, const char *path, lcr_error_t *err);
/* Serialize (malloc'd, NUL-terminated); pretty: docker's `inspect` layout (4 spaces). */
char *jv_dump (jv v, bool pretty);
/* Write a file atomically: a temporary file beside it, renamed over it (mode 0600). */
int dock_write_atomic_at (int dirfd, const char *path, const void *data, size_t len, lcr_error_t *err);
/* Serialize and write atomically (temp + rename in the same directory). */
int jv_save_at (int dirfd, const char *path, jv v, lcr_error_t *err);

jv jv_obj (void);
jv jv_arr (void);
jv jv_str (const char *s); /* NULL gives null */
jv jv_strn (const char *s, size_t n);
jv jv_int (long long n);
jv jv_num (double d);
jv jv_bool (bool b);
jv jv_null (void);
jv jv_copy (jv v);
void jv_free (jv v);

/* Set (replace) obj[key] = val; returns val.  obj must be an object. */
jv jv_set (jv obj, const char *key, jv val);
/* Remove obj[key] if present. */
void jv_del (jv obj, const char *key);
/* Append to an array; returns val. */
jv jv_push (jv arr, jv val);
/* Remove element i of an array (freeing it). */
void jv_remove_at (jv arr, size_t i);

jv jv_get (jv obj, const char *key);              /* any type */
jv jv_get_obj (jv obj, const char *key);          /* an object, else NULL */
jv jv_get_arr (jv obj, const char *key);          /* an array, else NULL */
const char *jv_get_str (jv obj, const char *key); /* a string, else NULL */
long long jv_get_int (jv obj, const char *key, long long dflt);
bool jv_get_bool (jv obj, const char *key, bool dflt);
/* Walk a path of keys: jv_path (v, "State", "Status", NULL). */
jv jv_path (jv v, ...) __attribute__ ((sentinel));
/* obj[key], made an empty object (or array) when absent. */
jv jv_child_obj (jv obj, const char *key);
jv jv_child_arr (jv obj, const char *key);

size_t jv_len (jv v); /* members of an object or array, else 0 */
const char *jv_as_str (jv v);
bool jv_is_true (jv v);

/* An array of strings as a NULL-terminated vector of borrowed pointers (malloc'd array);
   non-strings are skipped.  NULL for a missing array. */
const char **jv_strv (jv arr);
/* A new array from a NULL-terminated vector (or n strings when n >= 0). */
jv jv_arr_of_strv (char *const *v, long n);

static inline void
cleanup_jv_fn (jv *v)
{
  jv_free (*v);
}
#define cleanup_jv __attribute__ ((cleanup (cleanup_jv_fn)))

#endif
