/* berth-shim — one monitor per container, with conmon's command line.
 *
 * The process tree (create mode, without --sync):
 *
 *   caller (podman, dock, a test)
 *     └─ berth-shim            reads _OCI_STARTPIPE, forks, writes --conmon-pidfile, exits
 *          └─ berth-shim       the monitor: setsid, child subreaper, one event loop
 *               ├─ RUNTIME create|exec …   (stdio = our pipes, or a console socket)
 *               ├─ container init          (reparented to us when the runtime exits)
 *               └─ RUNTIME exec CID CHECK… (a health check with --health-cmd, one at a time)
 *
 * The monitor's life, one phase after the other (loop.c runs the loop, main.c the phases):
 *
 *   phase      | fds in the epoll set                         | what ends it
 *   -----------+----------------------------------------------+------------------------------------------
 *   SETUP      | (none yet)                                   | pipes or console socket, attach socket,
 *              |                                              | ctl/winsz fifos made; exec-attach: {"data":0}
 *              |                                              | on _OCI_ATTACHPIPE; --dns-netns: the DNS
 *              |                                              | socket made in that netns; --publish: the
 *              |                                              | published fds checked, made close-on-exec;
 *              |                                              | the runtime is forked
 *   RUNTIME    | signalfd, console socket (-t), attach        | SIGCHLD for the runtime: on failure its stderr
 *              | listener + clients, ctl, winsz; from here to | goes to _OCI_SYNCPIPE as {"data":-1,"message"};
 *              | FINISH: the DNS socket, its upstream sockets | else the pid file is read, {"data":PID} sent
 *              | and timerfd; the published sockets, their    |
 *              | relayed connections and UDP flows (timerfd)  |
 *   CONTAINER  | + container stdout/stderr (or pty master),   | SIGCHLD (or pidfd) for the container, a
 *              | OOM eventfd/inotify, --timeout timerfd,      | signal forwarded and the container gone, or
 *              | stdin (EPOLLOUT only while input is queued), | the timeout firing
 *              | --health-cmd: the health timerfd (polls for  |
 *              | the start, then the interval, or a running   |
 *              | check's timeout) and the check's output pipe |
 *   FINISH     | (loop stopped)                               | timeout: SIGKILL; drain output; a running health
 *              |                                              | check killed and reaped; last OOM check;
 *              |                                              | close clients, the DNS server, the published
 *              |                                              | ports (free again) and inherited fds; exit status
 *              |                                              | to <persist>/exit and <exit-dir>/<cid>
 *              |                                              | (atomically); exec: {"data":STATUS}; the exit
 *              |                                              | command after --exit-delay; exit
 *
 * Health checks (--health-cmd, ours beyond conmon; health.c, rules in health.h): once the container
 * has started (its init has exec'd: /proc/PID/exe is no longer the runtime's), every interval
 *   RUNTIME [--runtime-arg…] exec --pid-file <persist>/health-check.pid CID ARGS…
 * as our child in a process group of its own, output (stdout and stderr) to one pipe; loop_reap
 * hands its status to health.c; one timer at a time on one timerfd; after every check docker's
 * State.Health goes to <persist>/health.json (atomically).
 *
 * dock's networks (ours beyond conmon; dock has no daemon, the monitor lives as long as the
 * container): --dns-netns FILE --dns-table FILE serve DNS on 127.0.0.11:53 in the container's
 * network namespace, names from dock's table, the rest forwarded to the host's resolvers from the
 * shim's own namespace (dns.c; messages and table in dns.h); --publish FD:tcp|udp:IP:PORT relays a
 * socket dock bound on the host to the container's IP:PORT, as docker-proxy does (proxy.c).
 *
 * Output from the container is read in chunks of SHIM_BUF_SIZE: each chunk goes to the k8s-file
 * log (logs.c) and, with one stream byte in front (2 stdout, 3 stderr), as one SOCK_SEQPACKET
 * packet to every attach client (attach.c).  Packets from clients are written to the container's
 * stdin, queued per client when the pipe is full.
 */
#ifndef BERTH_SHIM_H
#define BERTH_SHIM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "utils.h"

/* The conmon release whose command line we implement.  podman parses the first line of
   --version as "conmon version X.Y.Z" and wants at least 2.0.24. */
#define SHIM_CONMON_VERSION "2.1.6"
#define SHIM_VERSION "0.1.0"

#define SHIM_BUF_SIZE 8192   /* one read of output = one attach packet (podman reads 8193 bytes) */
#define SHIM_STDIN_BUF 32768 /* one packet from an attach client */
#define SHIM_DEFAULT_SOCKET_DIR "/var/run/crio"

enum shim_stream
{
  SHIM_STDIN = 1,
  SHIM_STDOUT = 2,
  SHIM_STDERR = 3,
};

/* ---------------------------------------------------------------- options.c */

struct shim_strv
{
  char **v; /* NULL-terminated */
  size_t n;
};

struct shim_opts
{
  int api_version;
  const char *cid, *cuuid, *name;
  const char *runtime, *bundle;
  const char *container_pidfile, *conmon_pidfile;
  const char *exit_dir, *persist_dir, *socket_dir;
  const char *exec_process_spec, *restore_path;
  const char *exit_command;
  struct shim_strv exit_args;
  long long exit_delay, timeout;
  struct shim_strv runtime_args, runtime_opts, log_paths;
  long long log_size_max, log_max_files;
  const char *log_level, *log_tag;
  bool terminal, stdin_, leave_stdin_open;
  bool systemd_cgroup, no_new_keyring, no_pivot;
  bool exec, exec_attach, sync, syslog, full_attach;
  bool log_rotate, no_sync_log, replace_listen_pid;
  bool version, help;
  /* ours beyond conmon: docker's HEALTHCHECK (health.c); times in nanoseconds, 0: default */
  const char *health_cmd; /* Healthcheck.Test as JSON */
  long long health_interval, health_timeout, health_start_period, health_start_interval, health_retries;
  /* ours: dock's networks (no daemon: the monitor serves them while the container lives) */
  const char *dns_netns, *dns_table; /* the DNS server on 127.0.0.11 (dns.c) */
  struct shim_strv publish;          /* FD:PROTO:IP:PORT, published ports (proxy.c) */
  struct shim_strv ignored;          /* messages about ignored options, for the debug log */
};

/* Parse argv.  Returns 0, or -1 with *err set (an option missing its value, a bad number). */
int shim_opts_parse (struct shim_opts *o, int argc, char **argv, lcr_error_t *err);
void shim_opts_usage (FILE *out);

/* ---------------------------------------------------------------- msg.c */

enum shim_level
{
  SHIM_ERROR = 0,
  SHIM_WARN,
  SHIM_INFO,
  SHIM_DEBUG,
  SHIM_TRACE,
};

/* The shim's own diagnostics: stderr (the caller's until the monitor detaches) and syslog. */
void shim_msg_init (const char *level, bool use_syslog, const char *cid);
void shim_msg (int level, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
#define shim_debug(...) shim_msg (SHIM_DEBUG, __VA_ARGS__)
#define shim_info(...) shim_msg (SHIM_INFO, __VA_ARGS__)
#define shim_warn(...) shim_msg (SHIM_WARN, __VA_ARGS__)

/* ---------------------------------------------------------------- loop.c */

struct shim;
struct watch;
typedef void (*watch_fn) (struct shim *s, struct watch *w, uint32_t events);

/* One fd in the epoll set; epoll_event.data.ptr points at it. */
struct watch
{
  int fd;
  watch_fn fn;
  void *data;
};

int loop_init (struct shim *s, lcr_error_t *err);
int loop_add (struct shim *s, struct watch *w, int fd, uint32_t events, watch_fn fn, void *data);
int loop_mod (struct shim *s, struct watch *w, uint32_t events);
/* Zero s with every fd at -1 (closed): the state before the shim, or a test, sets it up. */
void loop_init_state (struct shim *s);
/* Take w out of the set and close its fd. */
void loop_close (struct shim *s, struct watch *w);
/* Free p (which holds watches already loop_close'd) after the current batch of events: an event
   later in the batch may still point at one of its watches (a proxied connection has two). */
void loop_free_later (struct shim *s, void *p);
/* Run until s->done; returns -1 when epoll itself fails. */
int loop_run (struct shim *s);
/* One epoll_wait (up to timeout_ms, -1: no limit) and the callbacks of what it returned; the
   number of events, or -1 when epoll itself fails. */
int loop_once (struct shim *s, int timeout_ms);
/* Reap every exited child and hand the runtime's and the container's status over. */
void loop_reap (struct shim *s);

/* ---------------------------------------------------------------- logs.c */

struct shim_logfile
{
  char *path; /* NULL: no k8s-file log */
  int fd;
  long long size; /* bytes in the current file */
  long long max;  /* --log-size-max, <= 0: none */
  bool rotate;    /* --log-rotate: keep path.1 … path.N instead of truncating */
  int max_files;
};

int logs_open (struct shim_logfile *l, lcr_error_t *err);
void logs_write (struct shim_logfile *l, int stream, const char *buf, size_t len);
/* Start a new file: truncate-and-replace, or rotate with --log-rotate. */
int logs_reopen (struct shim_logfile *l);
void logs_close (struct shim_logfile *l, bool sync);

/* ---------------------------------------------------------------- attach.c */

struct attach_client;

int attach_setup (struct shim *s, lcr_error_t *err);
/* buf[0] is the stream byte; len counts it. */
void attach_broadcast (struct shim *s, const char *buf, size_t len);
void attach_shutdown (struct shim *s);
/* Container stdin: queue flushing and the close requested by a client's EOF. */
void stdin_writable (struct shim *s, struct watch *w, uint32_t events);

/* ---------------------------------------------------------------- ctl.c, ctl-msg.c */

int ctl_setup (struct shim *s, lcr_error_t *err);
void ctl_shutdown (struct shim *s);

enum shim_ctl_type
{
  SHIM_CTL_MALFORMED = -3, /* not "N N N" (ctl) or "N N" (winsz) */
  SHIM_CTL_BAD_SIZE = -2,  /* a resize outside 0..65535 */
  SHIM_CTL_UNKNOWN = -1,   /* a TYPE other than 1 and 2 (in written_type) */
  SHIM_CTL_RESIZE = 1,
  SHIM_CTL_REOPEN_LOG = 2,
};

struct shim_ctl_msg
{
  int type;          /* enum shim_ctl_type */
  long written_type; /* TYPE as written (ctl) */
  long height, width;
};

/* One line (without its newline) of the ctl fifo, or of the winsz fifo when winsz; returns
   m->type. */
int shim_ctl_parse (const char *line, bool winsz, struct shim_ctl_msg *m);

/* A fifo's partial line between reads. */
struct shim_lines
{
  char buf[256];
  size_t len;
};

/* Append n bytes and hand each complete line (NUL-terminated, newline removed) to fn; a partial
   line waits for the rest.  A line that fills the buffer is dropped; returns how many were. */
size_t shim_lines_feed (struct shim_lines *l, const char *data, size_t n, void (*fn) (void *ctx, char *line),
                        void *ctx);

/* ---------------------------------------------------------------- spawn.c */

int console_socket_setup (struct shim *s, lcr_error_t *err);
/* Accept the runtime's connection and take the pty master it sends; 1 when it is there, 0 when
   nothing is pending yet, -1 on error. */
int console_receive (struct shim *s, lcr_error_t *err);
void console_cleanup (struct shim *s);
int runtime_spawn (struct shim *s, lcr_error_t *err);

/* ---------------------------------------------------------------- oom.c */

void oom_setup (struct shim *s);
void oom_final_check (struct shim *s);

/* ---------------------------------------------------------------- exit.c */

/* One JSON line on a conmon pipe: {"data": N} or {"data": N, "message": "…"}; a peer that is
   gone closes *fd. */
void pipe_send (int *fd, int value, const char *message);
/* Write data (a decimal number) to path atomically (temporary file + rename). */
int write_file_atomic (const char *path, const char *data, size_t len);
int write_int_file (const char *path, int value);
int exit_status_of (int wait_status);
/* Fork the --exit-command after --exit-delay and wait for it. */
void run_exit_command (struct shim *s);

/* ---------------------------------------------------------------- health.c */

struct shim_health;
/* Parse and check the --health-* options (validate); nothing to do without --health-cmd. */
int health_setup (struct shim *s, lcr_error_t *err);
/* The runtime created the container (its pid is known, not yet told): start watching for it to
   run. */
void health_container_created (struct shim *s);
/* loop_reap: true when pid was a check's (its status is taken). */
bool health_reaped (struct shim *s, pid_t pid, int status);
/* The container is gone: kill a running check and wait for it; no check runs afterwards. */
void health_finish (struct shim *s);

/* ---------------------------------------------------------------- dns.c, proxy.c */

/* --dns-netns/--dns-table: the socket on 127.0.0.11:53 in that namespace, in the loop (dns.c;
   messages and table in dns.h).  Nothing to do without them. */
int dns_setup (struct shim *s, lcr_error_t *err);
void dns_shutdown (struct shim *s);
/* --publish FD:PROTO:IP:PORT: the published sockets in the loop, relaying to IP:PORT. */
int proxy_setup (struct shim *s, lcr_error_t *err);
/* Close every published socket and relayed connection: the ports are free again. */
void proxy_shutdown (struct shim *s);

/* ---------------------------------------------------------------- the monitor */

struct reaped
{
  pid_t pid;
  int status;
};

struct shim
{
  struct shim_opts o;
  struct shim_logfile log;
  int epfd;
  bool done;

  int sync_fd, start_fd, attach_pipe_fd;

  struct watch sig; /* signalfd: SIGCHLD and the signals forwarded to the container */
  pid_t runtime_pid;
  int runtime_status;
  bool runtime_exited;

  pid_t ctr_pid;
  int ctr_status;
  bool ctr_exited;
  struct watch ctr_pidfd; /* only when the container is not our child */
  struct watch timer;     /* --timeout */
  bool timed_out;

  /* Reaped before we knew the container's pid (a fast exec). */
  struct reaped early[32];
  size_t n_early;

  /* Runtime-side ends, closed in the monitor once the runtime has them. */
  int worker_stdin, worker_stdout, worker_stderr;
  int devnull_r, devnull_w;
  bool passthrough; /* -l passthrough: the runtime gets our caller's stdio as is */

  int stdin_fd;         /* container stdin: pipe or pty master, -1 when closed */
  struct watch stdin_w; /* EPOLLOUT while input is queued */
  bool stdin_close_pending;
  struct watch out, err; /* container stdout (pty master with -t), stderr */
  int pty;               /* pty master for resize, -1 */

  struct watch console; /* listening console socket (-t) */
  char *console_dir, *console_path;

  struct watch attach; /* listening attach socket */
  struct attach_client *clients;
  char *attach_link; /* <socket-dir>/<cuuid> symlink to the bundle */

  struct watch ctl, winsz;
  int ctl_keep_w, winsz_keep_w; /* our own writers: no EOF storm when a client closes */
  struct shim_lines ctl_lines, winsz_lines;

  struct watch oom;
  char *oom_v1_control;  /* cgroup.event_control of the memory cgroup (v1) */
  char *oom_v1_oomctl;   /* memory.oom_control (v1) */
  char *oom_v2_events;   /* memory.events (v2) */
  long long oom_v2_last; /* oom_kill counter last seen (v1 and v2) */
  bool oom_written;

  struct shim_health *health; /* NULL without --health-cmd */

  struct shim_dns *dns;     /* --dns-netns/--dns-table: the DNS server (dns.c), or NULL */
  struct shim_proxy *proxy; /* --publish: published ports (proxy.c), or NULL */
  void **deferred;          /* loop_free_later */
  size_t n_deferred, cap_deferred;

  int *inherited; /* fds we got from the caller (podman's port reservations) */
  size_t n_inherited;
};

/* Phase changes, in main.c. */
void shim_runtime_exited (struct shim *s, int status);
void shim_container_exited (struct shim *s, int status);
/* Read what is left in the output pipes (or the pty) without blocking. */
void shim_drain_output (struct shim *s);
void output_readable (struct shim *s, struct watch *w, uint32_t events);

#endif
