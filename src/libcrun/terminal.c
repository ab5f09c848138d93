/* berth — the container's terminal.
 *
 * The pty is allocated inside the container, from its own devpts instance
 * (after pivot_root), so the slave's name is right in there.  The init makes
 * it its controlling terminal and stdio, binds it on /dev/console, and sends
 * the master over the --console-socket (SCM_RIGHTS) that the runtime
 * connected before clone.  `run` in the foreground without a socket receives
 * the master itself and proxies it to its own stdio (terminal_proxy).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "linux.h"
#include "utils.h"

int
lcr_send_fd (int sock, int fd, lcr_error_t *err)
{
  if (lcr_send_with_fd (sock, "", 1, fd) < 0)
    return lcr_error_sys (err, "send the terminal to the console socket");
  return 0;
}

int
lcr_recv_fd (int sock, lcr_error_t *err)
{
  char byte, cbuf[CMSG_SPACE (sizeof (int))];
  struct iovec iov = {.iov_base = &byte, .iov_len = 1};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
  ssize_t r;
  do
    r = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return lcr_error_sys (err, "receive the terminal");
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
  if (r == 0 || c == NULL || c->cmsg_type != SCM_RIGHTS)
    return lcr_error_make (err, EPROTO, LCR_ERR_SYSTEM, "receive the terminal: no fd in the message");
  int fd;
  memcpy (&fd, CMSG_DATA (c), sizeof fd);
  return fd;
}

int
lcr_console_socket_connect (const char *path, lcr_error_t *err)
{
  int fd = lcr_unix_connect (path);
  if (fd < 0)
    return lcr_error_make (err, errno, LCR_ERR_INVALID, "--console-socket `%s`", path);
  return fd;
}

int
lcr_terminal_setup (struct lcr_spec_process *p, int console_fd, bool bind_console, lcr_error_t *err)
{
  cleanup_close int master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return lcr_error_sys (err, ".process.terminal: open /dev/ptmx (is /dev/pts mounted?)");
  int unlock = 0;
  if (ioctl (master, TIOCSPTLCK, &unlock) < 0)
    return lcr_error_sys (err, ".process.terminal: unlock the pty");
  cleanup_close int slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
  if (slave < 0)
    return lcr_error_sys (err, ".process.terminal: open the pty slave");
  /* The process's user owns its terminal, as under runc: a non-root process
     must be able to reopen it (/dev/tty, /proc/self/fd/0, `tty` programs).
     Only the owner: the group stays the one devpts gave (tty).  An owner
     that can't be set here (not mapped in the user namespace, read-only
     /dev) leaves the pty as it is rather than failing, as runc does. */
  if (p->user.uid != 0 && fchown (slave, p->user.uid, (gid_t)-1) < 0 && errno != EINVAL && errno != EPERM
      && errno != EROFS)
    return lcr_error_sys (err, ".process.terminal: give the pty to uid %u", p->user.uid);
  if (p->console_size)
    {
      struct winsize ws
          = {.ws_row = (unsigned short)p->console_size->height, .ws_col = (unsigned short)p->console_size->width};
      if (ioctl (slave, TIOCSWINSZ, &ws) < 0)
        return lcr_error_sys (err, ".process.consoleSize");
    }
  /* /dev/console is the container's terminal too */
  char slave_path[LCR_FD_PATH_MAX];
  lcr_fd_path (slave, slave_path);
  int f = bind_console ? open ("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600) : -1;
  if (f < 0 && bind_console && errno == EROFS)
    /* a read-only /dev: the rootfs setup made the mount point */
    f = open ("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (f >= 0)
    {
      close (f);
      if (mount (slave_path, "/dev/console", NULL, MS_BIND, NULL) < 0)
        return lcr_error_sys (err, "bind the terminal on /dev/console");
    }
  if (setsid () < 0)
    return lcr_error_sys (err, "setsid");
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return lcr_error_sys (err, "make the pty the controlling terminal");
  for (int i = 0; i < 3; i++)
    if (dup2 (slave, i) < 0)
      return lcr_error_sys (err, "dup the pty to fd %d", i);
  return lcr_send_fd (console_fd, master, err);
}

/* ---- the foreground side of `run` ---- */

static void
copy_winsize (int from, int to)
{
  struct winsize ws;
  /* a 0x0 size means "unknown": keep what consoleSize set */
  if (ioctl (from, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
    ioctl (to, TIOCSWINSZ, &ws);
}

/* Copy what is readable on `from` to `to`; false on EOF or error. */
static bool
pump (int from, int to)
{
  char buf[8192];
  ssize_t n = read (from, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return true;
  if (n <= 0)
    return false;
  return lcr_write_all (to, buf, n) >= 0;
}

int
lcr_terminal_proxy (int master, pid_t pid, int sfd, int *wstatus_out, lcr_error_t *err)
{
  struct termios saved;
  bool raw = isatty (0) && tcgetattr (0, &saved) == 0;
  if (raw)
    {
      struct termios t = saved;
      cfmakeraw (&t);
      tcsetattr (0, TCSANOW, &t);
      copy_winsize (0, master);
    }
  bool stdin_open = true, exited = false;
  int wstatus = 0;
  while (!exited)
    {
      struct pollfd p[3] = {{.fd = master, .events = POLLIN},
                            {.fd = sfd, .events = POLLIN},
                            {.fd = stdin_open ? 0 : -1, .events = POLLIN}};
      if (poll (p, 3, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if ((p[0].revents & (POLLIN | POLLHUP)) && !pump (master, 1))
        p[0].fd = -1; /* slave closed: wait for the exit */
      if (p[2].revents & (POLLIN | POLLHUP))
        {
          if (!pump (0, master))
            {
              stdin_open = false;
              char eot = 4; /* ^D: end of input for the program behind the pty */
              write (master, &eot, 1);
            }
        }
      if (p[1].revents & POLLIN)
        {
          struct signalfd_siginfo si;
          if (read (sfd, &si, sizeof si) != sizeof si)
            continue;
          if (si.ssi_signo == SIGWINCH)
            copy_winsize (0, master);
          else if (si.ssi_signo != SIGCHLD)
            kill (pid, si.ssi_signo);
          pid_t r;
          while ((r = waitpid (-1, &wstatus, WNOHANG)) > 0)
            if (r == pid)
              exited = true;
        }
    }
  /* what the container wrote just before it exited */
  int fl = fcntl (master, F_GETFL);
  fcntl (master, F_SETFL, fl | O_NONBLOCK);
  while (pump (master, 1))
    {
      struct pollfd p = {.fd = master, .events = POLLIN};
      if (poll (&p, 1, 0) <= 0 || !(p.revents & POLLIN))
        break;
    }
  if (raw)
    tcsetattr (0, TCSANOW, &saved);
  if (!exited)
    return lcr_error_sys (err, "terminal proxy");
  *wstatus_out = wstatus;
  return 0;
}
