/* Unit tests for src/shim/dns-msg.c (reading queries, building answers) and src/shim/dns-table.c
   (dock's table file, its includes, rereading on change). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dns.h"
#include "tap.h"
#include "utils.h"

/* A query for name (text) of type qtype, id 0x1234, RD set; its length. */
static size_t
make_query (uint8_t *out, const char *name, unsigned qtype)
{
  uint8_t hdr[12] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
  memcpy (out, hdr, 12);
  size_t off = 12;
  char buf[300];
  snprintf (buf, sizeof buf, "%s", name);
  for (char *tok = strtok (buf, "."); tok; tok = strtok (NULL, "."))
    {
      out[off++] = (uint8_t)strlen (tok);
      memcpy (out + off, tok, strlen (tok));
      off += strlen (tok);
    }
  out[off++] = 0;
  out[off++] = (uint8_t)(qtype >> 8);
  out[off++] = (uint8_t)qtype;
  out[off++] = 0;
  out[off++] = 1;
  return off;
}

static unsigned
g16 (const uint8_t *p)
{
  return (unsigned)(p[0] << 8 | p[1]);
}

static void
test_parse (void)
{
  uint8_t pkt[512];
  struct dns_query q;
  size_t n = make_query (pkt, "Web.Example", DNS_TYPE_A);
  is_int (dns_parse_query (pkt, n, &q), 0, "a query parses");
  is_str (q.name, "web.example", "its name, lowercased");
  ok (q.matchable, "and matchable");
  is_int (q.qtype, DNS_TYPE_A, "qtype");
  is_int (q.qclass, DNS_CLASS_IN, "qclass");
  is_int (q.id, 0x1234, "id");
  is_int (q.question_end, n, "the question ends where the packet does");

  /* EDNS's OPT record after the question is fine */
  uint8_t opt[11] = {0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0};
  memcpy (pkt + n, opt, sizeof opt);
  pkt[11] = 1;
  is_int (dns_parse_query (pkt, n + sizeof opt, &q), 0, "a query with an OPT record parses");
  is_int (q.question_end, n, "the question is what it was");
  pkt[11] = 0;

  for (size_t cut = 0; cut < n; cut++)
    if (dns_parse_query (pkt, cut, &q) == 0)
      {
        ok (0, "a query cut at %zu bytes is malformed", cut);
        return;
      }
  ok (1, "every truncated query is malformed");

  pkt[2] |= 0x80;
  is_int (dns_parse_query (pkt, n, &q), -1, "a response (QR) is not a query");
  pkt[2] &= 0x7f;
  pkt[5] = 2;
  is_int (dns_parse_query (pkt, n, &q), -1, "two questions: malformed");
  pkt[5] = 0;
  is_int (dns_parse_query (pkt, n, &q), -1, "no question: malformed");
  pkt[5] = 1;

  uint8_t ptr[] = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1};
  is_int (dns_parse_query (ptr, sizeof ptr, &q), -1, "a compression pointer in the question: malformed");

  /* a name over 255 bytes */
  uint8_t big[600] = {0, 1, 1, 0, 0, 1};
  size_t off = 12;
  for (int i = 0; i < 5; i++)
    {
      big[off++] = 63;
      memset (big + off, 'a', 63);
      off += 63;
    }
  big[off++] = 0;
  memset (big + off, 0, 4);
  off += 4;
  is_int (dns_parse_query (big, off, &q), -1, "a name over 255 bytes: malformed");

  uint8_t dot[] = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'a', '.', 'b', 0, 0, 1, 0, 1};
  is_int (dns_parse_query (dot, sizeof dot, &q), 0, "a label with a dot parses");
  ok (!q.matchable, "but matches no name");

  uint8_t root[] = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1};
  is_int (dns_parse_query (root, sizeof root, &q), 0, "the root name parses");
  is_str (q.name, "", "as the empty name");
}

static void
test_answer (void)
{
  uint8_t pkt[512], out[DNS_UDP_MAX];
  struct dns_query q;
  size_t n = make_query (pkt, "WeB", DNS_TYPE_A);
  dns_parse_query (pkt, n, &q);
  struct in_addr a[2];
  inet_pton (AF_INET, "10.9.8.7", &a[0]);
  inet_pton (AF_INET, "10.9.8.8", &a[1]);

  size_t len = dns_build_answer (pkt, &q, DNS_RCODE_NOERROR, true, a, 2, NULL, out, sizeof out);
  is_int (len, n + 2 * 16, "two A records: header, question, 2 x 16 bytes");
  is_int (g16 (out), 0x1234, "the query's id");
  is_int (g16 (out + 2), 0x8580, "QR AA RD RA, NOERROR");
  is_int (g16 (out + 4), 1, "one question");
  is_int (g16 (out + 6), 2, "two answers");
  ok (memcmp (out + 12, pkt + 12, n - 12) == 0, "the question as asked (its case too)");
  const uint8_t *rr = out + n;
  is_int (g16 (rr), 0xc00c, "owner: a pointer to the question's name");
  is_int (g16 (rr + 2), DNS_TYPE_A, "type A");
  is_int (g16 (rr + 4), DNS_CLASS_IN, "class IN");
  is_int (g16 (rr + 6) << 16 | g16 (rr + 8), DNS_TTL, "TTL 600");
  is_int (g16 (rr + 10), 4, "4 bytes of data");
  ok (memcmp (rr + 12, &a[0].s_addr, 4) == 0 && memcmp (rr + 28, &a[1].s_addr, 4) == 0, "the addresses");

  len = dns_build_answer (pkt, &q, DNS_RCODE_SERVFAIL, false, NULL, 0, NULL, out, sizeof out);
  is_int (len, n, "SERVFAIL: header and question");
  is_int (g16 (out + 2), 0x8182, "QR RD RA, SERVFAIL, not authoritative");
  is_int (g16 (out + 6), 0, "no answers");

  struct in_addr many[20];
  for (int i = 0; i < 20; i++)
    many[i].s_addr = htonl (0x0a000001 + (uint32_t)i);
  len = dns_build_answer (pkt, &q, DNS_RCODE_NOERROR, true, many, 20, NULL, out, sizeof out);
  ok (len > 0 && len <= DNS_UDP_MAX, "many addresses fit 512 bytes (%zu)", len);
  is_int (g16 (out + 6), DNS_ANSWERS_MAX, "as many as fit");
  ok (g16 (out + 2) & 0x0200, "with TC set");
  is_int (dns_build_answer (pkt, &q, 0, true, a, 2, NULL, out, n + 10), 0, "too small a buffer: 0");

  n = make_query (pkt, "7.8.9.10.in-addr.arpa", DNS_TYPE_PTR);
  dns_parse_query (pkt, n, &q);
  len = dns_build_answer (pkt, &q, DNS_RCODE_NOERROR, true, NULL, 0, "web", out, sizeof out);
  is_int (len, n + 12 + 5, "PTR: one record, the name in 5 bytes");
  is_int (g16 (out + n + 2), DNS_TYPE_PTR, "type PTR");
  ok (memcmp (out + n + 12, "\3web\0", 5) == 0, "the name in wire form");

  ok (dns_is_reply_to (out, len, 0x1234), "our answer is a reply to id 0x1234");
  ok (!dns_is_reply_to (out, len, 0x1235), "not to another id");
  ok (!dns_is_reply_to (pkt, n, 0x1234), "a query is no reply");
  ok (!dns_is_reply_to (out, 11, 0x1234), "nor 11 bytes");
}

static void
test_ptr (void)
{
  struct in_addr a;
  char buf[INET_ADDRSTRLEN];
  ok (dns_ptr_addr ("7.8.9.10.in-addr.arpa", &a), "a reverse name");
  is_str (inet_ntop (AF_INET, &a, buf, sizeof buf), "10.9.8.7", "its address, octets reversed");
  ok (!dns_ptr_addr ("8.9.10.in-addr.arpa", &a), "three octets: no");
  ok (!dns_ptr_addr ("256.8.9.10.in-addr.arpa", &a), "an octet over 255: no");
  ok (!dns_ptr_addr ("07.8.9.10.in-addr.arpa", &a), "a leading zero: no");
  ok (!dns_ptr_addr ("x.8.9.10.in-addr.arpa", &a), "a letter: no");
  ok (!dns_ptr_addr ("in-addr.arpa", &a), "the zone itself: no");
  ok (!dns_ptr_addr ("web", &a), "a plain name: no");
}

static char dir[] = "/tmp/test-shim-dns.XXXXXX";

static void
write_file (const char *name, const char *text)
{
  char path[256], tmp[256];
  snprintf (path, sizeof path, "%s/%s", dir, name);
  snprintf (tmp, sizeof tmp, "%s/.tmp", dir);
  FILE *f = fopen (tmp, "w");
  fputs (text, f);
  fclose (f);
  rename (tmp, path); /* as dock writes: a new inode */
}

static const char *
addr_str (struct in_addr a)
{
  static char buf[INET_ADDRSTRLEN];
  return inet_ntop (AF_INET, &a, buf, sizeof buf);
}

static void
test_table (void)
{
  if (mkdtemp (dir) == NULL)
    {
      ok (0, "mkdtemp");
      return;
    }
  char table[256], text[1024];
  snprintf (table, sizeof table, "%s/table", dir);
  snprintf (text, sizeof text,
            "# dock's table\n"
            "upstream 192.0.2.1\n"
            "upstream 10.1.1.1:5353   # with a port\n"
            "upstream [2001:db8::1]:54\n"
            "upstream 2001:db8::2\n"
            "upstream 300.1.1.1\n"
            "hosts %s/net1\n"
            "hosts %s/missing\n"
            "host web 10.9.8.7\n"
            "host WEB. 10.9.8.8\n"
            "host web 10.9.8.7\n"
            "host bad 10.9.8\n"
            "host a..b 10.9.8.1\n"
            "host .a 10.9.8.1\n"
            "nonsense here\n",
            dir, dir);
  write_file ("table", text);
  write_file ("net1", "db 172.18.0.2\nDB.local 172.18.0.3\n\n# c\ncache 172.18.0.4 extra\n");

  struct dns_table t;
  dns_table_init (&t, table);
  is_int (dns_table_refresh (&t), 1, "the first refresh reads");
  is_int (dns_table_refresh (&t), 0, "the next, unchanged, does not");
  is_int (t.n_upstream, 4, "four good upstreams");
  is_int (t.bad_lines, 6, "six lines skipped (a bad upstream, 3 bad hosts, a directive, a hosts line)");
  struct sockaddr_in *u1 = (struct sockaddr_in *)&t.upstream[1];
  struct sockaddr_in6 *u2 = (struct sockaddr_in6 *)&t.upstream[2];
  struct sockaddr_in6 *u3 = (struct sockaddr_in6 *)&t.upstream[3];
  is_int (((struct sockaddr_in *)&t.upstream[0])->sin_port, htons (53), "port 53 by default");
  is_str (addr_str (u1->sin_addr), "10.1.1.1", "upstream with a port: its address");
  is_int (ntohs (u1->sin_port), 5353, "and its port");
  ok (u2->sin6_family == AF_INET6 && ntohs (u2->sin6_port) == 54, "[v6]:port");
  ok (u3->sin6_family == AF_INET6 && ntohs (u3->sin6_port) == 53, "a bare v6 address");

  struct in_addr out[8];
  is_int (dns_table_lookup (&t, "web", out, 8), 2, "web: two addresses (the repeated one once)");
  is_str (addr_str (out[0]), "10.9.8.7", "the first");
  is_str (addr_str (out[1]), "10.9.8.8", "the second");
  is_int (dns_table_lookup (&t, "Web.", out, 8), 2, "any case, a trailing dot");
  is_int (dns_table_lookup (&t, "web", out, 1), 2, "max 1: the count is still all of them");
  is_int (dns_table_lookup (&t, "db", out, 8), 1, "an included name");
  is_str (addr_str (out[0]), "172.18.0.2", "its address");
  is_int (dns_table_lookup (&t, "db.local", out, 8), 1, "an included name spelled in capitals");
  is_int (dns_table_lookup (&t, "cache", out, 8), 0, "an included line with 3 words is skipped");
  is_int (dns_table_lookup (&t, "nope", out, 8), 0, "an unknown name");
  is_int (dns_table_lookup (&t, "", out, 8), 0, "the empty name");
  struct in_addr r;
  inet_pton (AF_INET, "172.18.0.2", &r);
  is_str (dns_table_reverse (&t, r), "db", "reverse of an included address");
  inet_pton (AF_INET, "172.18.0.99", &r);
  ok (dns_table_reverse (&t, r) == NULL, "reverse of an unknown address");

  write_file ("net1", "db 172.18.0.9\n");
  is_int (dns_table_refresh (&t), 1, "an included file replaced: read again");
  is_int (dns_table_lookup (&t, "db", out, 8), 1, "db");
  is_str (addr_str (out[0]), "172.18.0.9", "has its new address");
  is_int (dns_table_lookup (&t, "db.local", out, 8), 0, "and db.local is gone");

  write_file ("missing", "late 10.0.0.5\n");
  is_int (dns_table_refresh (&t), 1, "a missing include that appears: read again");
  is_int (dns_table_lookup (&t, "late", out, 8), 1, "its names are known");

  char path[300];
  snprintf (path, sizeof path, "%s/missing", dir);
  unlink (path);
  is_int (dns_table_refresh (&t), 1, "an include removed: read again");
  is_int (dns_table_lookup (&t, "late", out, 8), 0, "its names are gone");

  write_file ("table", "host only 1.2.3.4\n");
  is_int (dns_table_refresh (&t), 1, "the table replaced: read again");
  is_int (t.n_upstream, 0, "no upstreams now");
  is_int (dns_table_lookup (&t, "web", out, 8), 0, "web is gone");
  is_int (dns_table_lookup (&t, "only", out, 8), 1, "the new entry");

  unlink (table);
  is_int (dns_table_refresh (&t), 1, "the table removed: read again");
  is_int (t.n_entries, 0, "empty");
  is_int (dns_table_refresh (&t), 0, "still missing: nothing to read");
  dns_table_free (&t);

  snprintf (path, sizeof path, "%s/net1", dir);
  unlink (path);
  rmdir (dir);
}

int
main (void)
{
  test_parse ();
  test_answer ();
  test_ptr ();
  test_table ();
  return done_testing ();
}
