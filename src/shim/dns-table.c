/* berth-shim — the DNS server's table: the file dock keeps (format in dns.h) and the hosts files
 * it includes, read again whenever one of them changed.
 *
 * dock replaces these files with rename(), so a new inode says "changed" even within one mtime
 * tick; size and mtime catch an editor writing in place.  Checking costs a stat per file, done
 * before each query is answered, so a peer that joined the network is known at once and no
 * inotify watch has to follow directories that come and go.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dns.h"
#include "utils.h"

void
dns_table_init (struct dns_table *t, const char *path)
{
  memset (t, 0, sizeof *t);
  t->path = xstrdup (path);
}

static void
clear (struct dns_table *t)
{
  for (size_t i = 0; i < t->n_entries; i++)
    free (t->entries[i].name);
  for (size_t i = 0; i < t->n_stamps; i++)
    free (t->stamps[i].path);
  free (t->entries);
  free (t->stamps);
  t->entries = NULL;
  t->stamps = NULL;
  t->n_entries = t->cap_entries = t->n_stamps = t->n_upstream = t->bad_lines = 0;
}

void
dns_table_free (struct dns_table *t)
{
  clear (t);
  free (t->path);
  t->path = NULL;
}

static void
stamp (struct dns_stamp *s, const char *path)
{
  struct stat st;
  memset (s, 0, sizeof *s);
  s->path = xstrdup (path);
  if (stat (path, &st) < 0)
    return;
  s->exists = true;
  s->dev = st.st_dev;
  s->ino = st.st_ino;
  s->size = st.st_size;
  s->mtime = st.st_mtim;
}

static bool
stamp_changed (const struct dns_stamp *s)
{
  struct stat st;
  if (stat (s->path, &st) < 0)
    return s->exists;
  return !s->exists || st.st_dev != s->dev || st.st_ino != s->ino || st.st_size != s->size
         || st.st_mtim.tv_sec != s->mtime.tv_sec || st.st_mtim.tv_nsec != s->mtime.tv_nsec;
}

/* name as kept and compared: lowercase, one trailing dot dropped; false when it is no name
   (empty, an empty label, a byte a query's name never holds). */
static bool
normalise (const char *in, char *out, size_t cap)
{
  size_t n = strlen (in);
  if (n > 0 && in[n - 1] == '.')
    n--;
  if (n == 0 || n > DNS_NAME_MAX || n >= cap || in[0] == '.' || in[n - 1] == '.')
    return false;
  for (size_t i = 0; i < n; i++)
    {
      unsigned char c = (unsigned char)in[i];
      if (c <= ' ' || c >= 0x7f || (c == '.' && in[i + 1] == '.'))
        return false;
      out[i] = (char)tolower (c);
    }
  out[n] = '\0';
  return true;
}

static bool
add_entry (struct dns_table *t, const char *name, const char *ip)
{
  char norm[DNS_NAME_MAX + 1];
  struct in_addr a;
  if (!normalise (name, norm, sizeof norm) || inet_pton (AF_INET, ip, &a) != 1)
    return false;
  if (t->n_entries == t->cap_entries)
    {
      t->cap_entries = t->cap_entries ? t->cap_entries * 2 : 16;
      t->entries = xrealloc (t->entries, t->cap_entries * sizeof *t->entries);
    }
  t->entries[t->n_entries++] = (struct dns_entry){xstrdup (norm), a};
  return true;
}

bool
dns_parse_upstream (const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
  char host[64];
  long port = 53;
  const char *colon = strrchr (s, ':');
  memset (ss, 0, sizeof *ss);

  if (s[0] == '[')
    {
      const char *close = strchr (s, ']');
      if (close == NULL || (size_t)(close - s - 1) >= sizeof host)
        return false;
      memcpy (host, s + 1, (size_t)(close - s - 1));
      host[close - s - 1] = '\0';
      colon = close[1] == ':' ? close + 1 : NULL;
      if (close[1] != '\0' && colon == NULL)
        return false;
    }
  else if (colon && strchr (s, ':') != colon)
    {
      /* a bare IPv6 address: every colon is its own */
      if (strlen (s) >= sizeof host)
        return false;
      strcpy (host, s);
      colon = NULL;
    }
  else
    {
      size_t hl = colon ? (size_t)(colon - s) : strlen (s);
      if (hl >= sizeof host)
        return false;
      memcpy (host, s, hl);
      host[hl] = '\0';
    }
  if (colon)
    {
      char *end;
      errno = 0;
      port = strtol (colon + 1, &end, 10);
      if (colon[1] == '\0' || *end != '\0' || errno || port <= 0 || port > 65535)
        return false;
    }

  struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
  if (inet_pton (AF_INET, host, &in4->sin_addr) == 1)
    {
      in4->sin_family = AF_INET;
      in4->sin_port = htons ((uint16_t)port);
      *len = sizeof *in4;
      return true;
    }
  if (inet_pton (AF_INET6, host, &in6->sin6_addr) == 1)
    {
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons ((uint16_t)port);
      *len = sizeof *in6;
      return true;
    }
  return false;
}

/* Split line into at most 3 words (a 4th makes n 4); comments end it. */
static int
words (char *line, char *w[4])
{
  int n = 0;
  char *hash = strchr (line, '#');
  if (hash)
    *hash = '\0';
  for (char *tok = strtok (line, " \t\r\n"); tok; tok = strtok (NULL, " \t\r\n"))
    {
      if (n == 4)
        break;
      w[n++] = tok;
    }
  return n;
}

/* A regular file only: a fifo or a device named by mistake must not stall the monitor. */
static FILE *
open_regular (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  struct stat st;
  if (fd < 0)
    return NULL;
  FILE *f = NULL;
  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode))
    f = fdopen (fd, "r");
  if (f == NULL)
    close (fd);
  return f;
}

static void
read_hosts (struct dns_table *t, const char *path)
{
  t->stamps = xrealloc (t->stamps, (t->n_stamps + 1) * sizeof *t->stamps);
  stamp (&t->stamps[t->n_stamps++], path);
  cleanup_file FILE *f = open_regular (path);
  if (f == NULL)
    return; /* missing: no peers (yet) */
  char line[1024];
  while (fgets (line, sizeof line, f))
    {
      char *w[4];
      int n = words (line, w);
      if (n == 0)
        continue;
      if (n != 2 || !add_entry (t, w[0], w[1]))
        t->bad_lines++;
    }
}

static void
read_table (struct dns_table *t)
{
  clear (t);
  t->stamps = xmalloc0 (sizeof *t->stamps);
  stamp (&t->stamps[0], t->path);
  t->n_stamps = 1;
  cleanup_file FILE *f = open_regular (t->path);
  if (f == NULL)
    return;
  char line[1024];
  while (fgets (line, sizeof line, f))
    {
      char *w[4];
      int n = words (line, w);
      if (n == 0)
        continue;
      if (strcmp (w[0], "upstream") == 0 && n == 2 && t->n_upstream < DNS_UPSTREAMS_MAX
          && dns_parse_upstream (w[1], &t->upstream[t->n_upstream], &t->upstream_len[t->n_upstream]))
        t->n_upstream++;
      else if (strcmp (w[0], "hosts") == 0 && n == 2)
        read_hosts (t, w[1]);
      else if (strcmp (w[0], "host") == 0 && n == 3 && add_entry (t, w[1], w[2]))
        ;
      else
        t->bad_lines++;
    }
}

int
dns_table_refresh (struct dns_table *t)
{
  bool changed = t->n_stamps == 0;
  for (size_t i = 0; i < t->n_stamps && !changed; i++)
    changed = stamp_changed (&t->stamps[i]);
  if (!changed)
    return 0;
  read_table (t);
  return 1;
}

size_t
dns_table_lookup (const struct dns_table *t, const char *name, struct in_addr *out, size_t max)
{
  char norm[DNS_NAME_MAX + 1];
  size_t found = 0;
  if (!normalise (name, norm, sizeof norm))
    return 0;
  for (size_t i = 0; i < t->n_entries; i++)
    {
      if (strcmp (t->entries[i].name, norm) != 0)
        continue;
      bool dup = false;
      for (size_t j = 0; j < i && !dup; j++)
        dup = strcmp (t->entries[j].name, norm) == 0 && t->entries[j].addr.s_addr == t->entries[i].addr.s_addr;
      if (dup)
        continue;
      if (found < max)
        out[found] = t->entries[i].addr;
      found++;
    }
  return found;
}

const char *
dns_table_reverse (const struct dns_table *t, struct in_addr addr)
{
  for (size_t i = 0; i < t->n_entries; i++)
    if (t->entries[i].addr.s_addr == addr.s_addr)
      return t->entries[i].name;
  return NULL;
}
