/* dock — --filter KEY=VALUE lists, as docker's commands take them.
 *
 * Keys are checked against the command's list (an unknown one is docker's "invalid filter 'K'");
 * how values combine is the command's business (docker: values of one key are alternatives,
 * label values must all match, different keys must all match).
 */
#ifndef DOCK_FILTERS_H
#define DOCK_FILTERS_H

#include <stdbool.h>

#include "args.h"
#include "dock.h"

struct dock_filter
{
  char *key, *value;
};

struct dock_filters
{
  struct dock_filter *v;
  size_t n;
};

void dock_filters_free (struct dock_filters *f);
/* parse every KEY=VALUE of l, keys lower-cased and checked against keys (NULL-terminated) */
int dock_filters_parse (const struct dock_strlist *l, const char *const *keys, struct dock_filters *out,
                        lcr_error_t *err);
/* label=K or label=K=V against a Labels object */
bool dock_label_matches (jv labels, const char *want);
/* an extended regular expression matched against s (NULL as "") */
int dock_regex_matches (const char *pattern, const char *s, bool *out, lcr_error_t *err);
/* true|1|false|0, else docker's "invalid filter 'K=V'" */
int dock_bool_filter (const char *key, const char *v, bool *out, lcr_error_t *err);

#endif
