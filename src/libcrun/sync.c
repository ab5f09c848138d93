/* berth — parent↔child messages (protocol table in sync.h). */
#define _GNU_SOURCE
#include "sync.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include "utils.h"

int
lcr_sync_send (int fd, uint32_t type, int32_t value, const char *text)
{
  struct lcr_sync_msg msg = {.type = type, .value = value};
  size_t len = 0;
  if (text)
    {
      len = strnlen (text, LCR_SYNC_MSG_MAX - 1);
      memcpy (msg.text, text, len);
    }
  msg.text[len] = '\0';
  size_t size = offsetof (struct lcr_sync_msg, text) + len + 1;
  ssize_t r;
  do
    r = send (fd, &msg, size, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  return r < 0 ? -1 : 0;
}

static ssize_t
recv_msg (int fd, struct lcr_sync_msg *msg, int *fd_out)
{
  char cbuf[CMSG_SPACE (sizeof (int))];
  struct iovec iov = {.iov_base = msg, .iov_len = sizeof *msg};
  struct msghdr mh = {.msg_iov = &iov,
                      .msg_iovlen = 1,
                      .msg_control = fd_out ? cbuf : NULL,
                      .msg_controllen = fd_out ? sizeof cbuf : 0};
  ssize_t r;
  do
    r = recvmsg (fd, &mh, MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (fd_out)
    {
      struct cmsghdr *c = r > 0 ? CMSG_FIRSTHDR (&mh) : NULL;
      *fd_out = -1;
      if (c && c->cmsg_type == SCM_RIGHTS)
        memcpy (fd_out, CMSG_DATA (c), sizeof (int));
    }
  return r;
}

int
lcr_sync_send_fd (int fd, uint32_t type, int passed_fd)
{
  struct lcr_sync_msg msg = {.type = type};
  return lcr_send_with_fd (fd, &msg, offsetof (struct lcr_sync_msg, text) + 1, passed_fd);
}

int
lcr_sync_recv (int fd, struct lcr_sync_msg *msg)
{
  ssize_t r = recv_msg (fd, msg, NULL);
  if (r < 0)
    return -1;
  if (r == 0)
    return 0;
  if ((size_t)r < offsetof (struct lcr_sync_msg, text) + 1)
    {
      errno = EPROTO;
      return -1;
    }
  msg->text[sizeof msg->text - 1] = '\0';
  return 1;
}

void
lcr_sync_send_error (int fd, lcr_error_t *err)
{
  if (err == NULL || *err == NULL)
    return;
  lcr_sync_send (fd, SYNC_ERROR, (*err)->code == LCR_ERR_SYSTEM ? (*err)->errno_ : -(*err)->code, (*err)->msg);
  lcr_error_release (err);
}

/* The child already formatted errno into the text: keep its message as is
   and carry the code (SYNC_ERROR's value: errno > 0, or -code). */
static int
error_from_msg (const struct lcr_sync_msg *msg, lcr_error_t *err)
{
  lcr_error_make (err, 0, msg->value < 0 ? -msg->value : LCR_ERR_SYSTEM, "%s", msg->text);
  if (err && *err)
    (*err)->errno_ = msg->value > 0 ? msg->value : 0;
  return -1;
}

/* Wait up to timeout_ms (-1: no bound) for fd to have a packet or EOF:
   1, or 0 with errno ETIMEDOUT. */
static int
readable_within (int fd, int timeout_ms)
{
  if (timeout_ms < 0)
    return 1;
  struct pollfd p = {.fd = fd, .events = POLLIN};
  int r;
  do
    r = poll (&p, 1, timeout_ms);
  while (r < 0 && errno == EINTR);
  if (r == 0)
    errno = ETIMEDOUT;
  return r != 0; /* a poll error: let recv report it */
}

static int
expect (int fd, uint32_t want, struct lcr_sync_msg *out, int *fd_out, int timeout_ms, struct lcr_log_sink *log,
        lcr_error_t *err)
{
  struct lcr_sync_msg local;
  struct lcr_sync_msg *msg = out ? out : &local;
  for (;;)
    {
      if (!readable_within (fd, timeout_ms))
        return lcr_error_make (err, ETIMEDOUT, LCR_ERR_SYSTEM, "wait for the container's init");
      ssize_t n = recv_msg (fd, msg, fd_out);
      int r = n < 0 ? -1 : n == 0 ? 0 : 1;
      if (n > 0 && (size_t)n < offsetof (struct lcr_sync_msg, text) + 1)
        {
          errno = EPROTO;
          r = -1;
        }
      if (r < 0)
        return lcr_error_sys (err, "read from the container's init");
      if (r == 0)
        return lcr_error_make (err, 0, LCR_ERR_SYSTEM, "the container's init exited before it was ready");
      if (msg->type == SYNC_LOG)
        {
          lcr_log (log, msg->value, "%s", msg->text);
          continue;
        }
      if (msg->type == SYNC_ERROR)
        return error_from_msg (msg, err);
      if (msg->type != want)
        return lcr_error_make (err, EPROTO, LCR_ERR_SYSTEM, "unexpected message %u from the container's init",
                               msg->type);
      if (fd_out && *fd_out < 0)
        return lcr_error_make (err, EPROTO, LCR_ERR_SYSTEM, "no fd in message %u from the container's init", want);
      return 0;
    }
}

int
lcr_sync_expect (int fd, uint32_t want, struct lcr_sync_msg *out, struct lcr_log_sink *log, lcr_error_t *err)
{
  return expect (fd, want, out, NULL, -1, log, err);
}

int
lcr_sync_expect_fd (int fd, uint32_t want, int *fd_out, struct lcr_log_sink *log, lcr_error_t *err)
{
  return expect (fd, want, NULL, fd_out, -1, log, err);
}

int
lcr_sync_expect_within (int fd, uint32_t want, int *fd_out, int timeout_ms, struct lcr_log_sink *log, lcr_error_t *err)
{
  return expect (fd, want, NULL, fd_out, timeout_ms, log, err);
}

int
lcr_sync_wait_exec (int fd, struct lcr_log_sink *log, lcr_error_t *err)
{
  return lcr_sync_wait_exec_within (fd, -1, log, err);
}

int
lcr_sync_wait_exec_within (int fd, int timeout_ms, struct lcr_log_sink *log, lcr_error_t *err)
{
  struct lcr_sync_msg msg;
  for (;;)
    {
      if (!readable_within (fd, timeout_ms))
        return lcr_error_make (err, ETIMEDOUT, LCR_ERR_SYSTEM, "wait for the container's init");
      int r = lcr_sync_recv (fd, &msg);
      if (r <= 0)
        return 0; /* EOF: exec'd (or died, which the caller's wait will see) */
      if (msg.type == SYNC_LOG)
        {
          lcr_log (log, msg.value, "%s", msg.text);
          continue;
        }
      if (msg.type == SYNC_ERROR)
        return error_from_msg (&msg, err);
    }
}
