/* libFuzzer target: what reaches berth-shim's DNS server (src/shim/dns-msg.c) and the table it
 * reads (src/shim/dns-table.c).
 *
 * Byte 0 chooses.  Even: the rest is a datagram on 127.0.0.11:53.  When it parses as a query,
 * the answers the server could build from it (A records, none, PTR, SERVFAIL) must be replies to
 * it: its id, QR set, one question that is the query's byte for byte, within 512 bytes; the
 * name must be at most 255 bytes, and a reverse name must spell out the address it gives.
 * Odd: the rest is a table file (through a memfd), read and looked up; every name found must
 * give back addresses, and a reverse lookup of each must find a name.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dns.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_answer (const uint8_t *pkt, const struct dns_query *q, const uint8_t *out, size_t len)
{
  if (len == 0)
    return;
  if (len > DNS_UDP_MAX || len < q->question_end || !dns_is_reply_to (out, len, q->id))
    abort ();
  if (out[4] != 0 || out[5] != 1
      || memcmp (out + DNS_HEADER_LEN, pkt + DNS_HEADER_LEN, q->question_end - DNS_HEADER_LEN))
    abort ();
}

static void
fuzz_query (const uint8_t *pkt, size_t n)
{
  struct dns_query q;
  if (dns_parse_query (pkt, n, &q) < 0)
    return;
  if (strlen (q.name) > DNS_NAME_MAX || q.question_end > n || q.question_end < DNS_HEADER_LEN + 5)
    abort ();
  uint8_t out[DNS_UDP_MAX];
  struct in_addr addrs[DNS_ANSWERS_MAX + 3];
  for (size_t i = 0; i < DNS_ANSWERS_MAX + 3; i++)
    addrs[i].s_addr = htonl (0x0a000000 + (uint32_t)i);
  size_t counts[] = {0, 1, 2, DNS_ANSWERS_MAX, DNS_ANSWERS_MAX + 3};
  for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
    check_answer (pkt, &q, out, dns_build_answer (pkt, &q, 0, true, addrs, counts[i], NULL, out, sizeof out));
  check_answer (pkt, &q, out, dns_build_answer (pkt, &q, DNS_RCODE_SERVFAIL, false, NULL, 0, NULL, out, sizeof out));
  if (q.matchable)
    check_answer (pkt, &q, out, dns_build_answer (pkt, &q, 0, true, NULL, 0, q.name, out, sizeof out));

  struct in_addr a;
  if (dns_ptr_addr (q.name, &a))
    {
      uint8_t *b = (uint8_t *)&a.s_addr;
      char want[64];
      snprintf (want, sizeof want, "%u.%u.%u.%u.in-addr.arpa", b[3], b[2], b[1], b[0]);
      if (strcmp (want, q.name) != 0)
        abort ();
    }
}

static void
fuzz_table (const uint8_t *text, size_t n)
{
  int fd = memfd_create ("table", MFD_CLOEXEC);
  if (fd < 0)
    return;
  if (write (fd, text, n) != (ssize_t)n)
    {
      close (fd);
      return;
    }
  char path[64];
  snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
  struct dns_table t;
  dns_table_init (&t, path);
  dns_table_refresh (&t);
  if (t.n_upstream > DNS_UPSTREAMS_MAX)
    abort ();
  for (size_t i = 0; i < t.n_entries; i++)
    {
      struct in_addr out[4];
      if (dns_table_lookup (&t, t.entries[i].name, out, 4) == 0)
        abort ();
      if (dns_table_reverse (&t, t.entries[i].addr) == NULL)
        abort ();
    }
  dns_table_free (&t);
  close (fd);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  if (data[0] & 1)
    fuzz_table (data + 1, size - 1);
  else
    fuzz_query (data + 1, size - 1);
  return 0;
}
