/* dock — the attach proxy: our stdio ⇄ the shim's attach socket.
 *
 * One poll loop over stdin, the socket and a signalfd.  Packets from the shim carry a stream
 * byte (2 stdout, 3 stderr) that picks our fd; what we read from stdin goes out as one packet
 * per read, and EOF on stdin becomes shutdown(SHUT_WR), which closes the container's stdin.
 * With a tty, our terminal goes raw (restored on every way out), SIGWINCH sends "1 ROWS COLS"
 * to the shim's ctl fifo, and the detach keys (ctrl-p ctrl-q) leave the container running.
 */
#define _GNU_SOURCE
#include "container/attach.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>

#include "container/lifecycle.h"

static void
send_winsize (const char *ctl)
{
  struct winsize ws;
  if (ctl == NULL || ioctl (0, TIOCGWINSZ, &ws) < 0)
    return;
  int fd = open (ctl, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return;
  dprintf (fd, "1 %d %d\n", ws.ws_row, ws.ws_col);
  close (fd);
}

/* "ctrl-p,ctrl-q" → bytes {16, 17}; docker's syntax: ctrl-<a-z @ [ \ ] ^ _> or a single char */
static size_t
parse_keys (const char *spec, unsigned char *out, size_t max)
{
  size_t n = 0;
  cleanup_free char *s = xstrdup (spec ? spec : "ctrl-p,ctrl-q");
  char *save = NULL;
  for (char *k = strtok_r (s, ",", &save); k && n < max; k = strtok_r (NULL, ",", &save))
    {
      if (strncmp (k, "ctrl-", 5) == 0 && strlen (k) == 6)
        {
          char c = k[5];
          if (c >= 'a' && c <= 'z')
            out[n++] = (unsigned char)(c - 'a' + 1);
          else if (c == '@')
            out[n++] = 0;
          else if (c >= '[' && c <= '_')
            out[n++] = (unsigned char)(c - '[' + 27);
        }
      else if (strlen (k) == 1)
        out[n++] = (unsigned char)k[0];
    }
  return n;
}

int
dock_attach_proxy (struct dock_ctx *ctx, int sock, const struct dock_attach_opts *o, lcr_error_t *err)
{
  struct termios saved;
  bool raw = false;
  if (o->tty && o->stdin_ && isatty (0) && tcgetattr (0, &saved) == 0)
    {
      struct termios t = saved;
      cfmakeraw (&t);
      t.c_oflag = saved.c_oflag; /* keep output processing: the pty inside already did it */
      t.c_oflag &= ~OPOST;
      if (tcsetattr (0, TCSANOW, &t) == 0)
        raw = true;
    }
  sigset_t mask, old;
  sigemptyset (&mask);
  sigaddset (&mask, SIGWINCH);
  if (o->sig_proxy && !o->tty)
    {
      sigaddset (&mask, SIGINT);
      sigaddset (&mask, SIGTERM);
      sigaddset (&mask, SIGHUP);
      sigaddset (&mask, SIGQUIT);
      sigaddset (&mask, SIGUSR1);
      sigaddset (&mask, SIGUSR2);
    }
  sigprocmask (SIG_BLOCK, &mask, &old);
  int sfd = signalfd (-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (o->tty)
    send_winsize (o->ctl_path);

  unsigned char keys[8];
  size_t nkeys = o->tty ? parse_keys (o->detach_keys, keys, sizeof keys) : 0;
  size_t matched = 0;
  bool stdin_open = o->stdin_;
  int rc = 0;
  char buf[32768 + 1];
  for (;;)
    {
      struct pollfd p[3] = {
          {.fd = sock, .events = POLLIN}, {.fd = sfd, .events = POLLIN}, {.fd = stdin_open ? 0 : -1, .events = POLLIN}};
      int pr = poll (p, 3, -1);
      if (pr < 0 && errno == EINTR)
        continue;
      if (pr < 0)
        {
          rc = lcr_error_sys (err, "poll");
          break;
        }
      if (p[0].revents)
        {
          ssize_t r = recv (sock, buf, sizeof buf, 0);
          if (r < 0 && errno == EINTR)
            continue;
          if (r <= 0)
            break; /* the shim closed: the container is gone */
          int out = buf[0] == 3 ? 2 : 1;
          if (r > 1 && lcr_write_all (out, buf + 1, r - 1) < 0 && errno == EPIPE)
            break;
        }
      if (p[1].revents)
        {
          struct signalfd_siginfo si;
          while (read (sfd, &si, sizeof si) == sizeof si)
            {
              if (si.ssi_signo == SIGWINCH)
                send_winsize (o->ctl_path);
              else if (o->container_id)
                {
                  cleanup_error lcr_error_t e = NULL;
                  char num[16];
                  snprintf (num, sizeof num, "%u", si.ssi_signo);
                  dock_container_kill (ctx, o->container_id, num, &e);
                }
            }
        }
      if (p[2].revents)
        {
          ssize_t r = read (0, buf, sizeof buf - 1);
          if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
          if (r <= 0)
            {
              stdin_open = false;
              shutdown (sock, SHUT_WR);
              continue;
            }
          /* the detach sequence, possibly split over reads; bytes of a partial match that
             turns out not to be one are sent after all */
          ssize_t start = 0;
          bool detach = false;
          for (ssize_t i = 0; i < r && nkeys; i++)
            {
              if ((unsigned char)buf[i] == keys[matched])
                {
                  if (++matched == nkeys)
                    {
                      detach = true;
                      r = i + 1 - (ssize_t)nkeys;
                      if (r < 0)
                        r = 0;
                      break;
                    }
                }
              else
                matched = (unsigned char)buf[i] == keys[0] ? 1 : 0;
            }
          if (r > start)
            send (sock, buf + start, r - start, MSG_NOSIGNAL);
          if (detach)
            {
              rc = 1;
              break;
            }
        }
    }
  if (raw)
    tcsetattr (0, TCSANOW, &saved);
  if (sfd >= 0)
    close (sfd);
  sigprocmask (SIG_SETMASK, &old, NULL);
  return rc;
}
