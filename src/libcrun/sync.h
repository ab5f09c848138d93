/* berth — the parent↔child protocol.
 *
 * One SOCK_SEQPACKET socketpair per container start: every message is one
 * packet, so there is no framing and a short read is a protocol error.
 * EOF on the parent's end means the child exec'd (the child's end is
 * O_CLOEXEC) or died.
 *
 *  step | from → to          | message        | payload         | meaning
 *  -----+--------------------+----------------+-----------------+--------------------------------------------
 *   1   | intermediate → par | SYNC_PID       | pid of the init | only when an intermediate process is needed
 *       |                    |                |                 | (joining a user/pid/time ns, new time ns,
 *       |                    |                |                 | or new user ns plus joined namespaces)
 *   2   | parent → child     | SYNC_GO        | the init's pid  | id maps written, cgroup joined: go on
 *       |                    |                | on the host     |
 *   3   | child → parent     | SYNC_READY     | —               | rootfs, mounts, hostname done; the child
 *       |                    |                |                 | waits for the parent's handoff
 *  3a   | parent → child     | SYNC_CREATED   | —               | `create` only: state.json is written; the
 *       |                    |                |                 | child now blocks on exec.fifo until `start`
 *  3b   | parent → child     | SYNC_START     | —               | `run` only, in place of exec.fifo
 *   4   | child → parent     | SYNC_ERROR     | errno + message | any step failed; the child then exits
 *   5   | child → parent     | (EOF)          | —               | execve succeeded (close-on-exec)
 *  2a   | child → parent     | SYNC_HOOKS     | —               | only with prestart/createRuntime hooks:
 *       |                    |                |                 | mounts done, before pivot_root
 *       | parent → child     | SYNC_HOOKS_DONE| —               | the parent ran them; createContainer next
 *  2b   | child → parent     | SYNC_SECCOMP   | the listener fd | only with SCMP_ACT_NOTIFY rules: before
 *       |                    |                | (SCM_RIGHTS)    | READY; the parent hands it to listenerPath
 *
 * A log line from the child travels as SYNC_LOG (level + message) at any
 * point; the parent writes it to the log sink.
 *
 * Until the handoff (3a or 3b) the child dies with the parent: up to READY
 * by PR_SET_PDEATHSIG (when there is no intermediate), and at every wait of
 * its, all on this socket, by the EOF the parent's death gives.  So a runtime
 * killed during create never leaves an init that nobody recorded.
 */
#ifndef LCR_SYNC_H
#define LCR_SYNC_H

#include <stdint.h>
#include <sys/types.h>

#include "error.h"

enum lcr_sync_type
{
  SYNC_PID = 1,
  SYNC_GO,
  SYNC_READY,
  SYNC_ERROR,
  SYNC_LOG,
  SYNC_SECCOMP,    /* child → parent, with the seccomp listener fd (SCM_RIGHTS) */
  SYNC_HOOKS,      /* child → parent: mounts done, run prestart/createRuntime */
  SYNC_HOOKS_DONE, /* parent → child: they ran; go on to createContainer */
  SYNC_START,      /* parent → child, `run` only: go on to execve (create uses exec.fifo) */
  SYNC_CREATED,    /* parent → child, `create` only: state.json written; wait on exec.fifo */
};

#define LCR_SYNC_MSG_MAX 4096

struct lcr_sync_msg
{
  uint32_t type;
  int32_t value; /* pid, errno or log level */
  char text[LCR_SYNC_MSG_MAX];
};

/* Send one message (MSG_NOSIGNAL: a parent that already left is not fatal). */
int lcr_sync_send (int fd, uint32_t type, int32_t value, const char *text);

/* Receive one message.  Returns 1 on a message, 0 on EOF, -1 on error. */
int lcr_sync_recv (int fd, struct lcr_sync_msg *msg);

/* Child side: report *err to the parent and release it. */
void lcr_sync_send_error (int fd, lcr_error_t *err);

/* Parent side: wait for `want`; a SYNC_ERROR becomes *err (with the child's
   errno and message), EOF becomes "the container's init exited early".
   SYNC_LOG messages on the way are written to `log` (may be NULL). */
struct lcr_log_sink;
int lcr_sync_expect (int fd, uint32_t want, struct lcr_sync_msg *out, struct lcr_log_sink *log, lcr_error_t *err);

/* A message carrying an fd (SCM_RIGHTS), and its receiving side: *fd_out
   gets the fd; errors and EOF as lcr_sync_expect. */
int lcr_sync_send_fd (int fd, uint32_t type, int passed_fd);
int lcr_sync_expect_fd (int fd, uint32_t want, int *fd_out, struct lcr_log_sink *log, lcr_error_t *err);

/* Parent side, after start: 0 once the init exec'd (EOF), -1 with *err when
   it reported a failure instead. */
int lcr_sync_wait_exec (int fd, struct lcr_log_sink *log, lcr_error_t *err);

/* The same, waiting at most timeout_ms for each packet (-1: no bound).  A
   timeout reads nothing and fails with errno_ ETIMEDOUT, so the caller can
   look at the child (frozen? alive?) and wait again. */
int lcr_sync_expect_within (int fd, uint32_t want, int *fd_out, int timeout_ms, struct lcr_log_sink *log,
                            lcr_error_t *err);
int lcr_sync_wait_exec_within (int fd, int timeout_ms, struct lcr_log_sink *log, lcr_error_t *err);

#endif
