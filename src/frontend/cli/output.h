/* dock — what listings and inspect print: rows through a --format template or a default
 * table, docker's column headers, JSON arrays, confirmation prompts. */
#ifndef DOCK_OUTPUT_H
#define DOCK_OUTPUT_H

#include <stdbool.h>

#include "dock.h"

/* A field of a row and its header in `table` output ("ID" → "CONTAINER ID"). */
struct dock_column
{
  const char *field, *header;
};

/* Print `rows` (an array of objects) through `format`: "table …" prints a header and aligned
   columns (docker's tabwriter: padding 3), "json" prints one JSON object per row, anything else
   is a template executed per row, one line each. */
int dock_print_rows (jv rows, const char *format, const struct dock_column *cols, lcr_error_t *err);

/* Print one object through a --format template (inspect -f), or the whole array as docker's
   indented JSON when format is NULL. */
int dock_print_inspect (jv array, const char *format, lcr_error_t *err);

/* `inspect` of containers / images / volumes: kind "container", "image", "volume" or NULL (any,
   containers first, as docker). */
int dock_inspect_objects (struct dock_ctx *ctx, int argc, char **argv, const char *kind);

/* "Are you sure you want to continue? [y/N]" on stderr; reads stdin; false without a terminal
   answer of y/yes. */
bool dock_confirm (const char *question);

/* docker's .Labels in a listing: "k=v,k2=v2" (malloc'd) */
char *dock_labels_string (jv labels);

/* docker's size: 3 significant digits, decimal units ("4.26MB", "0B", "1.1kB"). */
char *dock_human_size (long long bytes);

#endif
