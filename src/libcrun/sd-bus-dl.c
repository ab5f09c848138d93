/* libsystemd, loaded when the systemd cgroup driver first needs it.
 *
 * Linking libsystemd costs every berth process: it pulls in libgcrypt, liblzma, libzstd,
 * liblz4 and libgpg-error, and their relocations were a quarter of the instructions of
 * `berth run /bin/true`, though only `--systemd-cgroup` uses any of it.  So berth does not
 * link it: this file defines the sd-bus calls cgroup-systemd.c makes, with libsystemd's own
 * prototypes, and each forwards to the function of that name in libsystemd.so.0, opened on
 * first use.  The variadic ones go through libsystemd's va_list forms (systemd >= 246).
 *
 * The definitions are not exported (berth is not linked with --export-dynamic), so they never
 * interpose libsystemd's own calls once it is loaded.  Without the library, every call fails
 * with -ENOSYS and sd_bus_dl_error() says why; sd_booted needs no library at all.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>

#include "sd-bus-dl.h"

#define LIBSYSTEMD "libsystemd.so.0"

static void *lib;
static char load_error[256];

static void
load (void)
{
  lib = dlopen (LIBSYSTEMD, RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL)
    snprintf (load_error, sizeof load_error, "%s", dlerror ());
}

static void *
sym (const char *name)
{
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once (&once, load);
  if (lib == NULL)
    return NULL;
  void *f = dlsym (lib, name);
  if (f == NULL)
    snprintf (load_error, sizeof load_error, "%s: no %s", LIBSYSTEMD, name);
  return f;
}

const char *
sd_bus_dl_error (void)
{
  sym ("sd_bus_open_system");
  return lib && load_error[0] == '\0' ? NULL : load_error;
}

/* the function NAME in libsystemd, as a pointer of NAME's own type, or return FAIL */
#define FORWARD(name, fail)                                                                                            \
  static __typeof__ (name) *f_;                                                                                        \
  if (f_ == NULL && (f_ = (__typeof__ (name) *)sym (#name)) == NULL)                                                   \
    return fail;

/* what sd_booted checks: systemd creates this directory when it boots as PID 1 */
int
sd_booted (void)
{
  struct stat st;
  return lstat ("/run/systemd/system/", &st) == 0 && S_ISDIR (st.st_mode);
}

int
sd_bus_open_system (sd_bus **ret)
{
  FORWARD (sd_bus_open_system, -ENOSYS);
  return f_ (ret);
}

sd_bus *
sd_bus_flush_close_unref (sd_bus *bus)
{
  FORWARD (sd_bus_flush_close_unref, NULL);
  return f_ (bus);
}

int
sd_bus_call (sd_bus *bus, sd_bus_message *m, uint64_t usec, sd_bus_error *ret_error, sd_bus_message **reply)
{
  FORWARD (sd_bus_call, -ENOSYS);
  return f_ (bus, m, usec, ret_error, reply);
}

int
sd_bus_process (sd_bus *bus, sd_bus_message **r)
{
  FORWARD (sd_bus_process, -ENOSYS);
  return f_ (bus, r);
}

int
sd_bus_wait (sd_bus *bus, uint64_t timeout_usec)
{
  FORWARD (sd_bus_wait, -ENOSYS);
  return f_ (bus, timeout_usec);
}

sd_bus_slot *
sd_bus_slot_unref (sd_bus_slot *slot)
{
  FORWARD (sd_bus_slot_unref, NULL);
  return f_ (slot);
}

int
sd_bus_message_new_method_call (sd_bus *bus, sd_bus_message **m, const char *destination, const char *path,
                                const char *interface, const char *member)
{
  FORWARD (sd_bus_message_new_method_call, -ENOSYS);
  return f_ (bus, m, destination, path, interface, member);
}

sd_bus_message *
sd_bus_message_unref (sd_bus_message *m)
{
  FORWARD (sd_bus_message_unref, NULL);
  return f_ (m);
}

int
sd_bus_message_append (sd_bus_message *m, const char *types, ...)
{
  FORWARD (sd_bus_message_appendv, -ENOSYS);
  va_list ap;
  va_start (ap, types);
  int r = f_ (m, types, ap);
  va_end (ap);
  return r;
}

int
sd_bus_message_open_container (sd_bus_message *m, char type, const char *contents)
{
  FORWARD (sd_bus_message_open_container, -ENOSYS);
  return f_ (m, type, contents);
}

int
sd_bus_message_close_container (sd_bus_message *m)
{
  FORWARD (sd_bus_message_close_container, -ENOSYS);
  return f_ (m);
}

int
sd_bus_message_read (sd_bus_message *m, const char *types, ...)
{
  FORWARD (sd_bus_message_readv, -ENOSYS);
  va_list ap;
  va_start (ap, types);
  int r = f_ (m, types, ap);
  va_end (ap);
  return r;
}

int
sd_bus_call_method (sd_bus *bus, const char *destination, const char *path, const char *interface, const char *member,
                    sd_bus_error *ret_error, sd_bus_message **reply, const char *types, ...)
{
  FORWARD (sd_bus_call_methodv, -ENOSYS);
  va_list ap;
  va_start (ap, types);
  int r = f_ (bus, destination, path, interface, member, ret_error, reply, types, ap);
  va_end (ap);
  return r;
}

int
sd_bus_get_property_string (sd_bus *bus, const char *destination, const char *path, const char *interface,
                            const char *member, sd_bus_error *ret_error, char **ret)
{
  FORWARD (sd_bus_get_property_string, -ENOSYS);
  return f_ (bus, destination, path, interface, member, ret_error, ret);
}

int
sd_bus_match_signal (sd_bus *bus, sd_bus_slot **ret, const char *sender, const char *path, const char *interface,
                     const char *member, sd_bus_message_handler_t callback, void *userdata)
{
  FORWARD (sd_bus_match_signal, -ENOSYS);
  return f_ (bus, ret, sender, path, interface, member, callback, userdata);
}

void
sd_bus_error_free (sd_bus_error *e)
{
  static __typeof__ (sd_bus_error_free) *f_;
  if (f_ == NULL && (f_ = (__typeof__ (sd_bus_error_free) *)sym ("sd_bus_error_free")) == NULL)
    return;
  f_ (e);
}

int
sd_bus_error_is_set (const sd_bus_error *e)
{
  FORWARD (sd_bus_error_is_set, 0);
  return f_ (e);
}

int
sd_bus_error_has_name (const sd_bus_error *e, const char *name)
{
  FORWARD (sd_bus_error_has_name, 0);
  return f_ (e, name);
}
