/* berth — `--debug`: one log line per step of create, run and exec, so a
 * person can follow what the runtime did up to a failure.  Nothing is
 * formatted unless --debug was given.  The container's init cannot reach
 * the log sink: its lines travel to the runtime as SYNC_LOG (sync.h), which
 * writes them while it waits on the init (up to the handoff). */
#ifndef LCR_DEBUG_H
#define LCR_DEBUG_H

#include <stdarg.h>
#include <stdio.h>

#include "container.h"
#include "sync.h"

#define LCR_DEBUG(ctx, ...)                                                                                            \
  do                                                                                                                   \
    {                                                                                                                  \
      if ((ctx) && (ctx)->debug)                                                                                       \
        lcr_log ((ctx)->log, LCR_LOG_DEBUG, __VA_ARGS__);                                                              \
    }                                                                                                                  \
  while (0)

static inline void __attribute__ ((format (printf, 3, 4)))
lcr_child_debug (const struct lcr_context *ctx, int sync_fd, const char *fmt, ...)
{
  if (ctx == NULL || !ctx->debug)
    return;
  char text[LCR_SYNC_MSG_MAX];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (text, sizeof text, fmt, ap);
  va_end (ap);
  lcr_sync_send (sync_fd, SYNC_LOG, LCR_LOG_DEBUG, text);
}

#endif
