/* berth-shim — the shim's own diagnostics.
 *
 * Until the monitor detaches, stderr is the caller's; afterwards it is /dev/null, so a monitor
 * that must be heard uses --syslog (podman passes it with --log-level debug). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "shim.h"

static int threshold = SHIM_WARN;
static bool to_syslog;

void
shim_msg_init (const char *level, bool use_syslog, const char *cid)
{
  static const struct
  {
    const char *name;
    int level;
  } names[] = {
      {"error", SHIM_ERROR},  {"fatal", SHIM_ERROR}, {"panic", SHIM_ERROR}, {"warn", SHIM_WARN},
      {"warning", SHIM_WARN}, {"info", SHIM_INFO},   {"debug", SHIM_DEBUG}, {"trace", SHIM_TRACE},
  };
  if (level)
    {
      size_t i;
      for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp (level, names[i].name) == 0)
          break;
      if (i < sizeof names / sizeof names[0])
        threshold = names[i].level;
      else
        shim_warn ("unknown --log-level `%s`, using warn", level);
    }
  if (use_syslog)
    {
      static char ident[64];
      /* syslog keeps the pointer: a static copy, short id like conmon's */
      snprintf (ident, sizeof ident, "berth-shim %.12s", cid ? cid : "");
      openlog (ident, LOG_PID, LOG_DAEMON);
      to_syslog = true;
    }
}

void
shim_msg (int level, const char *fmt, ...)
{
  static const char letters[] = "ewidt";
  static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG, LOG_DEBUG};
  if (level > threshold)
    return;
  int saved = errno;
  char buf[1024];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  fprintf (stderr, "[berth-shim:%c]: %s\n", letters[level], buf);
  if (to_syslog)
    syslog (prio[level], "%s", buf);
  errno = saved;
}
