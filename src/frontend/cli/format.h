/* dock — `--format` templates: the subset of Go's text/template that docker users write.
 *
 * A template is compiled once per command and executed once per object (a container's inspect
 * record, a row of `ps`).  The data is a jv tree; what a Go template would see as struct fields
 * are the object's keys.
 *
 * Supported: text and {{ }} actions with {{- -}} trimming, template comments; `.`, `$`,
 * field chains (.A.B, $x.A, (pipe).A); variables ({{$x := …}}, {{$x = …}}, {{range $i, $e := …}});
 * pipelines (a | f b); if / else if / else, range (arrays, objects in sorted key order, integers)
 * with else, break and continue, with / else; literals ("…", `raw`, numbers, 'c', true, false, nil);
 * Go's builtins and, or, not, eq, ne, lt, le, gt, ge, len, index, print, printf, println; docker's
 * json, join, split, lower, upper, title, truncate, pad.
 *
 * Missing keys: docker executes against typed structs, where an unknown field is an error, and
 * where maps (Labels, Options, …) answer `<no value>` for a missing key.  jv has no types, so a
 * template carries a set of key names whose values are maps (dock_format_set_maps; the default is
 * docker's inspect shapes): a missing key in such an object is `<no value>`, anywhere else it is
 * the error "can't evaluate field Foo".  `index` on a missing key never fails.
 *
 * Errors follow Go's shape: parsing "template: :LINE: MESSAGE", executing
 * "template: :LINE:COL: executing \"\" at <.Foo>: MESSAGE".  Callers add their own context
 * (docker's inspect says "template parsing error: …").
 */
#ifndef DOCK_FORMAT_H
#define DOCK_FORMAT_H

#include <stdbool.h>

#include "error.h"
#include "util/jv.h"

struct dock_tmpl;

/* Compile flags. */
enum
{
  /* docker's list commands (ps, images, volume ls …): a leading "table" is dropped (see
     dock_format_is_table), surrounding spaces trimmed, and the two-character escapes `\t` and
     `\n` typed on a shell command line become a tab and a newline. */
  DOCK_FORMAT_LISTING = 1 << 0,
  /* Every object is a map: a missing key is `<no value>`, never an error (free-form data). */
  DOCK_FORMAT_ALL_MAPS = 1 << 1,
};

int dock_format_compile (const char *tmpl, unsigned flags, struct dock_tmpl **out, lcr_error_t *err);
void dock_format_free (struct dock_tmpl *t);

/* Key names whose object values are maps, NULL-terminated; an entry "Parent.Key" matches Key
   only when reached through Parent (HostConfig.LogConfig.Config).  The array is borrowed and
   must outlive the template.  NULL restores the default, dock_format_docker_maps. */
void dock_format_set_maps (struct dock_tmpl *t, const char *const *keys);
extern const char *const dock_format_docker_maps[];

/* Execute over `data`; *out is the malloc'd text (no newline added). */
int dock_format_exec (struct dock_tmpl *t, jv data, char **out, lcr_error_t *err);

/* Compile + execute + free, for a single use.  NULL with *err on failure. */
char *dock_format_render (const char *tmpl, jv data, lcr_error_t *err);

/* docker's test for a table format: the text starts with "table". */
bool dock_format_is_table (const char *format);
/* Was the template compiled (with DOCK_FORMAT_LISTING) from a "table …" format? */
bool dock_format_table (const struct dock_tmpl *t);

/* The header row of a table template: the template executed as docker does for its header,
   where every field chain prints its column title and docker's string functions (json, lower,
   upper, title, join, split, truncate) pass their argument through.  `names` is
   NULL-terminated pairs {"ID", "CONTAINER ID", "Names", "NAMES", …, NULL}, looked up by the
   whole chain ("Config.Image") then its last field; a field not listed is titled with its name
   upper-cased. */
int dock_format_header (struct dock_tmpl *t, const char *const *names, char **out, lcr_error_t *err);

static inline void
cleanup_tmpl_fn (struct dock_tmpl **t)
{
  dock_format_free (*t);
}
#define cleanup_tmpl __attribute__ ((cleanup (cleanup_tmpl_fn)))

#endif
