/* berth — parent↔child messages (protocol table in sync.h). */
#define _GNU_SOURCE
#include "sync.h"

#include <errno.h>
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

int
lcr_sync_recv (int fd, struct lcr_sync_msg *msg)
{
  ssize_t r;
  do
    r = recv (fd, msg, sizeof *msg, 0);
  while (r < 0 && errno == EINTR);
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

int
lcr_sync_expect (int fd, uint32_t want, struct lcr_sync_msg *out, struct lcr_log_sink *log, lcr_error_t *err)
{
  struct lcr_sync_msg local;
  struct lcr_sync_msg *msg = out ? out : &local;
  for (;;)
    {
      int r = lcr_sync_recv (fd, msg);
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
      return 0;
    }
}

int
lcr_sync_wait_exec (int fd, struct lcr_log_sink *log, lcr_error_t *err)
{
  struct lcr_sync_msg msg;
  for (;;)
    {
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
