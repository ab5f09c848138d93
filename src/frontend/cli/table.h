/* dock — aligned tables, as docker prints `ps`, `images`, `volume ls` …
 *
 * dock_table is Go's text/tabwriter with the settings docker's formatter uses
 * (minwidth 10, tabwidth 1, padding 3, padchar ' ', no flags): text is buffered, cells end at
 * a tab, and on flush every column is padded to its widest cell plus 3 (at least 10).  As in
 * Go, a column is aligned over a block of consecutive lines that have a cell in it, the text
 * after a line's last tab is not a column cell, and widths count UTF-8 characters.
 *
 * dock_listing is what a list command uses: its --format (or its default) compiled once,
 * each row (a jv object) executed and buffered, then printed: with "table …", a title row
 * and every row through the tabwriter; otherwise one line per row.  `--format json` is
 * docker's shorthand for {{json .}}.
 */
#ifndef DOCK_TABLE_H
#define DOCK_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "util/jv.h"

struct dock_table;

struct dock_table *dock_table_new (void);
void dock_table_free (struct dock_table *t);
/* Buffer text: cells end with '\t', lines with '\n'. */
void dock_table_write (struct dock_table *t, const char *s, size_t len);
/* One row: the cells joined by tabs, then a newline. */
void dock_table_add_row (struct dock_table *t, const char *const *cells, size_t n);
/* The aligned text of everything buffered (malloc'd); the buffer is emptied. */
char *dock_table_render (struct dock_table *t);
/* Render to `out`; -1 with errno when writing fails. */
int dock_table_flush (struct dock_table *t, FILE *out);

struct dock_listing;

/* `format` is the user's --format (NULL or "" for the default); `dflt` the command's default
   ("table {{.ID}}\t{{.Image}}…", also used for a bare "table"); `headers` the column titles
   as NULL-terminated pairs {"ID", "CONTAINER ID", …, NULL} (see dock_format_header). */
int dock_listing_new (const char *format, const char *dflt, const char *const *headers, struct dock_listing **out,
                      lcr_error_t *err);
void dock_listing_free (struct dock_listing *l);
/* Execute the template for one row. */
int dock_listing_add (struct dock_listing *l, jv row, lcr_error_t *err);
/* Print the title row (table formats) and the rows, then forget the rows. */
int dock_listing_print (struct dock_listing *l, FILE *out, lcr_error_t *err);

static inline void
cleanup_listing_fn (struct dock_listing **l)
{
  dock_listing_free (*l);
}
#define cleanup_listing __attribute__ ((cleanup (cleanup_listing_fn)))

#endif
