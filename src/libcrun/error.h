/* berth — errors that travel up the stack with context.
 *
 * A fallible function returns < 0 and fills *err; a caller that adds context
 * wraps it ("create `x`: mount `/proc`: Permission denied").  The library never
 * prints: only the binaries' main() turns an error into a message and an exit
 * status, using `code` to choose it.
 */
#ifndef LCR_ERROR_H
#define LCR_ERROR_H

#include <stdarg.h>
#include <stdio.h>

enum lcr_error_code
{
  LCR_ERR_SYSTEM = 0, /* a syscall failed: errno says why */
  LCR_ERR_INVALID,    /* bad input: config.json, a flag, a value */
  LCR_ERR_NOT_FOUND,  /* no such container (or file the user named) */
  LCR_ERR_EXISTS,     /* the container ID is already in use */
  LCR_ERR_STATE,      /* the operation does not fit the container's state */
};

struct lcr_error_s
{
  int errno_; /* 0 when the error is not from a syscall */
  int code;   /* enum lcr_error_code */
  char *msg;  /* the full message, errno text included */
};
typedef struct lcr_error_s *lcr_error_t;

/* Fill *err and return -1.  When errno_ is non-zero its strerror text is
   appended ("open `x`: No such file or directory").  An existing *err is
   replaced. */
int lcr_error_make (lcr_error_t *err, int errno_, int code, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

/* Shorthands for the two common cases. */
#define lcr_error_sys(err, fmt, ...) lcr_error_make ((err), errno, LCR_ERR_SYSTEM, fmt, ##__VA_ARGS__)
#define lcr_error_invalid(err, fmt, ...) lcr_error_make ((err), 0, LCR_ERR_INVALID, fmt, ##__VA_ARGS__)

/* Prefix the message already in *err with context ("ctx: old"); returns -1.
   If *err is NULL this makes a plain system error instead. */
int lcr_error_wrap (lcr_error_t *err, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

void lcr_error_release (lcr_error_t *err);

static inline void
cleanup_error_fn (lcr_error_t *err)
{
  lcr_error_release (err);
}
#define cleanup_error __attribute__ ((cleanup (cleanup_error_fn)))

/* Log sink.  Text: "time level msg"; JSON: one {"level","msg","time"} object per
   line, which is what containerd parses to show a runtime's last error. */
enum lcr_log_level
{
  LCR_LOG_ERROR = 0,
  LCR_LOG_WARNING,
  LCR_LOG_INFO,
  LCR_LOG_DEBUG,
};

struct lcr_log_sink
{
  int fd;        /* -1: no log file */
  int json;      /* --log-format json */
  int level;     /* highest level written */
  int to_stderr; /* also write warnings and errors to stderr (text) */
};

void lcr_log (struct lcr_log_sink *sink, int level, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));
void lcr_vlog (struct lcr_log_sink *sink, int level, const char *fmt, va_list ap);

/* Escape `s` as a JSON string body (without quotes) into a malloc'd buffer. */
char *lcr_json_escape (const char *s);

/* `s` with its control characters written as \n, \t, \r or \xHH (malloc'd): for
   messages that quote input, so a value cannot move the terminal's cursor,
   change its colours or forge a log line. */
char *lcr_escape_controls (const char *s);

#endif
