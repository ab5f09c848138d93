/* berth-shim — the embedded DNS server's pure parts: DNS messages (dns-msg.c) and the name table
 * dock writes (dns-table.c).  No sockets, no event loop: dns.c serves, the unit test
 * (tests/unit/test-shim-dns.c) and the fuzz target (tests/fuzz/fuzz-shim-dns.c) drive these.
 *
 * The table file (text, one directive a line, `#` starts a comment, blank lines ignored):
 *
 *   upstream 192.0.2.1           the host's resolvers, tried in order; optional :PORT
 *   upstream [2001:db8::1]:5353  (IPv6 in brackets when a port follows)
 *   hosts /run/dock/dns/mynet    a file of "NAME IPV4" lines (one network's peers); missing: empty
 *   host NAME IPV4               one entry inline
 *
 * Names are matched case-insensitively and without a trailing dot; a name on several lines has
 * several addresses.  Lines that do not parse are skipped (and counted).
 */
#ifndef BERTH_SHIM_DNS_H
#define BERTH_SHIM_DNS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#define DNS_HEADER_LEN 12
#define DNS_NAME_MAX 255   /* text form, without the trailing dot */
#define DNS_UDP_MAX 512    /* an answer we build fits a plain (non-EDNS) UDP reply */
#define DNS_TTL 600        /* seconds, for the names we answer */
#define DNS_ANSWERS_MAX 14 /* A records in one answer: 12 + 264 (question) + 14 * 16 <= 512 */

enum
{
  DNS_TYPE_A = 1,
  DNS_TYPE_PTR = 12,
  DNS_TYPE_AAAA = 28,
  DNS_TYPE_ANY = 255,
  DNS_CLASS_IN = 1,
  DNS_RCODE_NOERROR = 0,
  DNS_RCODE_SERVFAIL = 2,
  DNS_RCODE_NXDOMAIN = 3,
  DNS_RCODE_NOTIMP = 4,
};

/* ---------------------------------------------------------------- dns-msg.c */

struct dns_query
{
  uint16_t id, flags; /* as on the wire (host order) */
  int opcode;         /* 0: a standard query */
  /* the question's name in text form, lowercased, no trailing dot ("" for the root); matchable
     is false when a label holds a dot or a byte outside printable ASCII (never in the table) */
  char name[DNS_NAME_MAX + 1];
  bool matchable;
  uint16_t qtype, qclass;
  size_t question_end; /* offset just past the question (12 + name + 4) */
};

/* Parse a query: a header with QR clear and exactly one question, its name without compression
   pointers.  Returns 0, or -1 for anything else (malformed: the server drops it). */
int dns_parse_query (const uint8_t *pkt, size_t len, struct dns_query *q);

/* An answer to the query q (parsed from pkt): the header (the query's id, opcode and RD; QR, RA,
   AA when aa, rcode), the question copied as sent, then n A records for addrs (TTL DNS_TTL; at
   most DNS_ANSWERS_MAX, the rest dropped with TC set) or, when ptr_name is not NULL, one PTR record
   for it.  Returns the length written to out, or 0 when cap is too small or ptr_name is not a
   valid name. */
size_t dns_build_answer (const uint8_t *pkt, const struct dns_query *q, int rcode, bool aa, const struct in_addr *addrs,
                         size_t n, const char *ptr_name, uint8_t *out, size_t cap);

/* Is pkt an upstream's response to the query with this id (QR set, the same id)? */
bool dns_is_reply_to (const uint8_t *pkt, size_t len, uint16_t id);

/* "D.C.B.A.in-addr.arpa" (lowercase, no trailing dot) → A.B.C.D; false for any other name. */
bool dns_ptr_addr (const char *name, struct in_addr *addr);

/* ---------------------------------------------------------------- dns-table.c */

#define DNS_UPSTREAMS_MAX 8

struct dns_entry
{
  char *name; /* normalised: lowercase, no trailing dot */
  struct in_addr addr;
};

/* What a file looked like when read: a change means read the table again. */
struct dns_stamp
{
  char *path;
  bool exists;
  dev_t dev;
  ino_t ino;
  off_t size;
  struct timespec mtime;
};

struct dns_table
{
  char *path;
  struct sockaddr_storage upstream[DNS_UPSTREAMS_MAX];
  socklen_t upstream_len[DNS_UPSTREAMS_MAX];
  size_t n_upstream;
  struct dns_entry *entries;
  size_t n_entries, cap_entries;
  struct dns_stamp *stamps; /* [0] the table file, then each included file */
  size_t n_stamps;
  size_t bad_lines; /* lines skipped at the last read */
};

/* Start with path (not read yet: the first dns_table_refresh reads it). */
void dns_table_init (struct dns_table *t, const char *path);
void dns_table_free (struct dns_table *t);
/* Read the table again when the file or an included one changed (inode, size, mtime) since
   the last read, or was never read: a stat per file.  Returns 1 when it was read, 0 when
   unchanged.  A missing file reads as empty. */
int dns_table_refresh (struct dns_table *t);
/* The addresses of name (any case, trailing dot or not), duplicates once, at most max; returns
   how many there are in all (may exceed max). */
size_t dns_table_lookup (const struct dns_table *t, const char *name, struct in_addr *out, size_t max);
/* The first name with address addr, or NULL. */
const char *dns_table_reverse (const struct dns_table *t, struct in_addr addr);
/* "A.B.C.D", "A.B.C.D:PORT", "[V6]", "[V6]:PORT" or a bare IPv6 address; port 53 by default. */
bool dns_parse_upstream (const char *s, struct sockaddr_storage *ss, socklen_t *len);

#endif
