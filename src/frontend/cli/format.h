/* TEMPORARY stand-in until the template engine lands: {{.Field}} and {{json .}} only. */
#ifndef DOCK_FORMAT_H
#define DOCK_FORMAT_H
#include "dock.h"
char *dock_format_render (const char *tmpl, jv data, lcr_error_t *err);
#endif
