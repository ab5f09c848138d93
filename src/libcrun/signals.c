/* berth — signal names as `kill` takes them: "KILL", "SIGKILL", "9". */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "container.h"
#include "utils.h"

static const struct
{
  const char *name;
  int signo;
} signals[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},       {"QUIT", SIGQUIT}, {"ILL", SIGILL},     {"TRAP", SIGTRAP},
    {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},   {"FPE", SIGFPE},     {"KILL", SIGKILL},
    {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},     {"USR2", SIGUSR2}, {"PIPE", SIGPIPE},   {"ALRM", SIGALRM},
    {"TERM", SIGTERM}, {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},   {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU}, {"URG", SIGURG},     {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO},
    {"POLL", SIGPOLL}, {"PWR", SIGPWR},       {"SYS", SIGSYS},
};

int
lcr_signal_parse (const char *s)
{
  long long n;
  if (s == NULL || *s == '\0')
    return -1;
  if (lcr_parse_long (s, &n) == 0)
    return n > 0 && n <= SIGRTMAX ? (int)n : -1;
  if (strncasecmp (s, "SIG", 3) == 0)
    s += 3;
  for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
    if (strcasecmp (s, signals[i].name) == 0)
      return signals[i].signo;
  /* RTMIN, RTMIN+3, RTMAX-2 */
  if (strncasecmp (s, "RTMIN", 5) == 0 || strncasecmp (s, "RTMAX", 5) == 0)
    {
      bool min = strncasecmp (s, "RTMIN", 5) == 0;
      long long off = 0;
      if (s[5] != '\0' && (lcr_parse_long (s + 5, &off) < 0 || (min ? off < 0 : off > 0)))
        return -1;
      int v = (min ? SIGRTMIN : SIGRTMAX) + (int)off;
      return v >= SIGRTMIN && v <= SIGRTMAX ? v : -1;
    }
  return -1;
}
