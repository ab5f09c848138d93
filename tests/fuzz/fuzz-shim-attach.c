/* libFuzzer target: berth-shim's attach socket, ctl and winsz fifos and the container's output,
 * driven through the shim's own code (attach.c, ctl.c, logs.c, loop.c) on real fds.
 *
 * The input is a script.  Byte 0 picks the modes (-i, --leave-stdin-open, a pty to resize, a log
 * size cap, --log-rotate); then each op is one byte and its arguments:
 *
 *   0 connect an attach client        1 C L L  client C sends a packet of L bytes
 *   2 C      client C shuts its writing down   3 C  client C closes
 *   4 N      the container reads up to N*64 bytes of its stdin
 *   5        the container closes its stdin
 *   6        run the event loop until nothing is pending
 *   7 L ...  L bytes written to the ctl fifo   8 L ... the same to the winsz fifo
 *   9 S L ...  the container writes L bytes to stdout (S even) or stderr: log + broadcast
 *
 * Checked beyond the sanitizers: each client's bytes reach the container's stdin in order and
 * never more than were sent; when nothing could lose input (no client vanished, no stdin
 * closed, no EOF that closes stdin), everything sent arrives; every packet a client gets is a
 * stream byte (2 or 3) and the output; with no size cap the k8s-file log holds the output
 * exactly.  The payload of client C is the byte C, so the container's stdin tells who sent
 * what (the shim never looks inside input).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "shim.h"

/* loop.c reaps children; this harness has none. */
void
shim_runtime_exited (struct shim *s, int status)
{
  abort ();
}
void
shim_container_exited (struct shim *s, int status)
{
  abort ();
}

#define MAX_CLIENTS 6

static char bundle[4096];
static int bundle_fd = -1;

static void
remove_bundle (void)
{
  static const char *const names[] = {"attach", "ctl", "winsz", "ctr.log", "ctr.log.1", "ctr.log.2", "ctr.log.tmp"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    unlinkat (bundle_fd, names[i], 0);
  rmdir (bundle);
}

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  /* as the shim's main does: a container that closed its stdin is EPIPE, not death */
  signal (SIGPIPE, SIG_IGN);
  const char *t = getenv ("TMPDIR");
  snprintf (bundle, sizeof bundle, "%s/berth-fuzz-attach.XXXXXX", t && *t ? t : "/tmp");
  if (mkdtemp (bundle) == NULL)
    abort ();
  bundle_fd = open (bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (bundle_fd < 0)
    abort ();
  atexit (remove_bundle);
  /* the shim's warnings about hostile input are expected here */
  shim_msg_init ("error", false, NULL);
  return 0;
}

struct input
{
  const uint8_t *p;
  size_t n;
};

static unsigned
next (struct input *in)
{
  if (in->n == 0)
    return 0;
  in->n--;
  return *in->p++;
}

struct client
{
  int fd; /* -1: closed */
  bool shut;
  size_t sent, got;   /* bytes of input sent, and seen on the container's stdin */
  size_t packets_out; /* output packets received */
};

struct run
{
  struct shim s;
  struct client c[MAX_CLIENTS];
  size_t nc;
  int stdin_r;    /* the container's end of its stdin, -1 when closed */
  bool lossy;     /* input may legitimately be lost */
  bool log_reset; /* the log may have been started anew */
  int ctl_w, winsz_w;
  char *out; /* what the container wrote (log oracle) */
  size_t out_len;
  size_t broadcasts;
};

/* What the container's stdin holds now: attribute each byte to its sender. */
static void
read_stdin (struct run *r, size_t max)
{
  char buf[4096];
  while (r->stdin_r >= 0 && max > 0)
    {
      ssize_t n = read (r->stdin_r, buf, max < sizeof buf ? max : sizeof buf);
      if (n <= 0)
        return;
      for (ssize_t i = 0; i < n; i++)
        {
          unsigned char who = (unsigned char)buf[i];
          if (who >= r->nc)
            abort (); /* a byte nobody sent */
          if (++r->c[who].got > r->c[who].sent)
            abort (); /* more than was sent */
        }
      max -= (size_t)n;
    }
}

/* What a client has been sent: every packet is a stream byte and output. */
static void
read_client (struct run *r, struct client *c)
{
  char buf[SHIM_BUF_SIZE + 2];
  ssize_t n;
  while (c->fd >= 0 && (n = recv (c->fd, buf, sizeof buf, MSG_DONTWAIT)) > 0)
    {
      if (n < 2 || (buf[0] != SHIM_STDOUT && buf[0] != SHIM_STDERR) || (size_t)n > SHIM_BUF_SIZE + 1)
        abort ();
      if (++c->packets_out > r->broadcasts)
        abort ();
    }
}

static void
pump (struct run *r)
{
  /* bounded: a loop that never settles is a bug too, but not one to hang the fuzzer on */
  for (int i = 0; i < 1000; i++)
    {
      for (size_t k = 0; k < r->nc; k++)
        read_client (r, &r->c[k]);
      if (loop_once (&r->s, 0) <= 0)
        return;
    }
  abort ();
}

static void
fifo_write (int fd, struct input *in)
{
  char buf[256];
  size_t len = next (in);
  size_t k;
  for (k = 0; k < len && in->n > 0; k++)
    buf[k] = (char)next (in);
  if (fd >= 0 && k > 0 && write (fd, buf, k) < 0)
    abort (); /* the shim keeps a writer open, so the fifo always takes this much */
}

static int
connect_client (void)
{
  int fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    abort ();
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  snprintf (addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/attach", bundle_fd);
  if (connect (fd, (struct sockaddr *)&addr, sizeof addr) < 0)
    abort ();
  return fd;
}

static void
check_log (struct run *r)
{
  /* k8s-file: "TIMESTAMP STREAM TAG TEXT\n"; P lines join the next one; the TEXT of all lines
     in order is the output as written */
  cleanup_free char *log = NULL;
  size_t len = 0;
  if (lcr_read_file_at (bundle_fd, "ctr.log", &log, &len, NULL) < 0)
    {
      if (r->out_len > 0)
        abort ();
      return;
    }
  cleanup_free char *text = xmalloc0 (len + 1);
  size_t tl = 0;
  for (char *p = log; p < log + len;)
    {
      char *nl = memchr (p, '\n', (size_t)(log + len - p));
      if (nl == NULL)
        abort (); /* every record ends in a newline */
      char *ts_end = memchr (p, ' ', (size_t)(nl - p));
      if (ts_end == NULL)
        abort ();
      char *stream = ts_end + 1;
      char *tag;
      if (strncmp (stream, "stdout ", 7) == 0)
        tag = stream + 7;
      else if (strncmp (stream, "stderr ", 7) == 0)
        tag = stream + 7;
      else
        abort ();
      if ((tag[0] != 'P' && tag[0] != 'F') || tag[1] != ' ')
        abort ();
      char *body = tag + 2;
      size_t blen = (size_t)(nl - body);
      memcpy (text + tl, body, blen);
      tl += blen;
      if (tag[0] == 'F')
        text[tl++] = '\n';
      p = nl + 1;
    }
  if (tl != r->out_len || memcmp (text, r->out, tl) != 0)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  struct input in = {data, size};
  static struct run run;
  struct run *r = &run;
  memset (r, 0, sizeof *r);
  loop_init_state (&r->s);
  struct shim *s = &r->s;
  cleanup_error lcr_error_t err = NULL;

  unsigned modes = next (&in);
  s->o.bundle = bundle;
  s->o.stdin_ = modes & 1;
  s->o.leave_stdin_open = modes & 2;
  bool log_cap = modes & 8;
  s->log.max = log_cap ? 512 : 0;
  s->log.rotate = modes & 16;
  s->log.max_files = 2;
  cleanup_free char *log_path = NULL;
  xasprintf (&log_path, "%s/ctr.log", bundle);
  s->log.path = log_path;
  unlinkat (bundle_fd, "ctr.log", 0);
  if (logs_open (&s->log, &err) < 0)
    abort ();
  r->out = xmalloc0 (1);

  s->epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (s->epfd < 0)
    abort ();
  int p[2];
  if (pipe2 (p, O_NONBLOCK | O_CLOEXEC) < 0)
    abort ();
  /* a small pipe, so input queues up in the shim */
  fcntl (p[1], F_SETPIPE_SZ, 4096);
  s->stdin_fd = p[1];
  r->stdin_r = p[0];
  if (modes & 4)
    {
      s->pty = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
      if (s->pty < 0)
        abort ();
    }

  if (attach_setup (s, &err) < 0 || ctl_setup (s, &err) < 0)
    abort ();
  r->ctl_w = openat (bundle_fd, "ctl", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  r->winsz_w = openat (bundle_fd, "winsz", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (r->ctl_w < 0 || r->winsz_w < 0)
    abort ();

  while (in.n > 0)
    {
      unsigned op = next (&in) % 10;
      /* ops 1-3 name a client */
      struct client *c = op >= 1 && op <= 3 && r->nc ? &r->c[next (&in) % r->nc] : NULL;
      switch (op)
        {
        case 0:
          if (r->nc < MAX_CLIENTS)
            {
              r->c[r->nc].fd = connect_client ();
              r->nc++;
            }
          break;
        case 1:
          {
            size_t len = next (&in) << 8;
            len |= next (&in);
            len = len * 2 + 1; /* up to 128 KiB, past the shim's packet buffer */
            if (c == NULL || c->fd < 0 || c->shut)
              break;
            char *buf = xmalloc0 (len);
            memset (buf, (int)(c - r->c), len);
            ssize_t n = send (c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
            free (buf);
            if (n > 0)
              {
                /* the shim reads packets into a buffer of SHIM_STDIN_BUF: the rest of a longer
                   one is cut off by the kernel */
                if ((size_t)n > SHIM_STDIN_BUF)
                  {
                    n = SHIM_STDIN_BUF;
                    r->lossy = true;
                  }
                c->sent += (size_t)n;
              }
          }
          break;
        case 2:
          if (c && c->fd >= 0 && !c->shut)
            {
              shutdown (c->fd, SHUT_WR);
              c->shut = true;
              /* a client's EOF closes the container's stdin unless told otherwise */
              if (s->o.stdin_ && !s->o.leave_stdin_open)
                r->lossy = true;
            }
          break;
        case 3:
          if (c && c->fd >= 0)
            {
              close (c->fd);
              c->fd = -1;
              r->lossy = true;
            }
          break;
        case 4:
          read_stdin (r, (size_t)next (&in) * 64);
          break;
        case 5:
          if (r->stdin_r >= 0)
            {
              close (r->stdin_r);
              r->stdin_r = -1;
              r->lossy = true;
            }
          break;
        case 6:
          pump (r);
          break;
        case 7:
        case 8:
          fifo_write (op == 7 ? r->ctl_w : r->winsz_w, &in);
          /* "2 …" on ctl starts a new log file: the log no longer holds all the output */
          if (op == 7)
            r->log_reset = true;
          break;
        case 9:
          {
            unsigned stream = next (&in) & 1 ? SHIM_STDERR : SHIM_STDOUT;
            size_t len = next (&in) * 4 + 1;
            char buf[SHIM_BUF_SIZE + 1];
            buf[0] = (char)stream;
            size_t k;
            for (k = 0; k < len && in.n > 0; k++)
              buf[k + 1] = (char)next (&in);
            if (k == 0)
              break;
            /* a client's queue holds 10 packets: read them first, or the shim's send blocks */
            for (size_t j = 0; j < r->nc; j++)
              read_client (r, &r->c[j]);
            r->broadcasts++;
            /* what output_readable does with a chunk of the container's output */
            logs_write (&s->log, buf[0], buf + 1, k);
            attach_broadcast (s, buf, k + 1);
            r->out = xrealloc (r->out, r->out_len + k);
            memcpy (r->out + r->out_len, buf + 1, k);
            r->out_len += k;
          }
          break;
        }
    }

  /* let everything queued reach the container */
  for (int round = 0; round < 1000; round++)
    {
      pump (r);
      size_t before = 0, after = 0;
      for (size_t k = 0; k < r->nc; k++)
        before += r->c[k].got;
      read_stdin (r, SIZE_MAX);
      for (size_t k = 0; k < r->nc; k++)
        after += r->c[k].got;
      if (after == before && loop_once (s, 0) == 0)
        break;
    }
  if (!r->lossy)
    for (size_t k = 0; k < r->nc; k++)
      if (r->c[k].got != r->c[k].sent)
        abort (); /* input lost with nothing to excuse it */
  if (!log_cap && !r->log_reset)
    check_log (r);

  for (size_t k = 0; k < r->nc; k++)
    if (r->c[k].fd >= 0)
      close (r->c[k].fd);
  pump (r);
  attach_shutdown (s);
  ctl_shutdown (s);
  if (s->stdin_fd >= 0)
    close (s->stdin_fd);
  if (r->stdin_r >= 0)
    close (r->stdin_r);
  if (s->pty >= 0)
    close (s->pty);
  close (r->ctl_w);
  close (r->winsz_w);
  logs_close (&s->log, false);
  close (s->epfd);
  free (r->out);
  return 0;
}
