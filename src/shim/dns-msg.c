/* berth-shim — DNS messages: reading a query, building the answers we give ourselves.
 *
 * Only what a stub resolver sends is accepted: one question, its name spelled out label by
 * label.  Anything else is malformed, and the server drops it rather than guess.  An answer
 * repeats the question byte for byte (resolvers compare it, case included, against what they
 * asked) and points at it for the records' owner name.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "dns.h"

#define F_QR 0x8000
#define F_AA 0x0400
#define F_TC 0x0200
#define F_RD 0x0100
#define F_RA 0x0080

static uint16_t
get16 (const uint8_t *p)
{
  return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put16 (uint8_t *p, unsigned v)
{
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

int
dns_parse_query (const uint8_t *pkt, size_t len, struct dns_query *q)
{
  memset (q, 0, sizeof *q);
  if (len < DNS_HEADER_LEN)
    return -1;
  q->id = get16 (pkt);
  q->flags = get16 (pkt + 2);
  q->opcode = (q->flags >> 11) & 0xf;
  if ((q->flags & F_QR) || get16 (pkt + 4) != 1)
    return -1;

  size_t off = DNS_HEADER_LEN, tlen = 0;
  q->matchable = true;
  for (;;)
    {
      if (off >= len)
        return -1;
      size_t l = pkt[off++];
      if (l == 0)
        break;
      if (l & 0xc0)
        return -1; /* a compression pointer (or a reserved label type) in a query */
      if (off + l > len || tlen + (tlen ? 1 : 0) + l > DNS_NAME_MAX)
        return -1;
      if (tlen)
        q->name[tlen++] = '.';
      for (size_t i = 0; i < l; i++)
        {
          uint8_t c = pkt[off + i];
          if (c == '.' || c <= ' ' || c >= 0x7f)
            {
              q->matchable = false;
              c = '?';
            }
          else if (c >= 'A' && c <= 'Z')
            c = (uint8_t)(c - 'A' + 'a');
          q->name[tlen++] = (char)c;
        }
      off += l;
    }
  q->name[tlen] = '\0';
  if (off + 4 > len)
    return -1;
  q->qtype = get16 (pkt + off);
  q->qclass = get16 (pkt + off + 2);
  q->question_end = off + 4;
  return 0;
}

/* name (text, dots between labels) in wire form at out; its length, or 0 when it does not fit
   or is not a name (an empty label, a label over 63 bytes). */
static size_t
put_name (const char *name, uint8_t *out, size_t cap)
{
  size_t off = 0, nlen = strlen (name);
  if (nlen > DNS_NAME_MAX)
    return 0;
  const char *p = name;
  while (*p)
    {
      const char *dot = strchr (p, '.');
      size_t l = dot ? (size_t)(dot - p) : strlen (p);
      if (l == 0 || l > 63 || off + 1 + l + 1 > cap)
        return 0;
      out[off++] = (uint8_t)l;
      memcpy (out + off, p, l);
      off += l;
      p += l;
      if (*p == '.')
        p++;
    }
  if (off + 1 > cap)
    return 0;
  out[off++] = 0;
  return off;
}

/* One resource record owned by the question's name (a pointer to offset 12). */
static size_t
put_rr_head (uint8_t *out, size_t off, unsigned type, unsigned rdlen)
{
  put16 (out + off, 0xc000 | DNS_HEADER_LEN);
  put16 (out + off + 2, type);
  put16 (out + off + 4, DNS_CLASS_IN);
  put16 (out + off + 6, (DNS_TTL >> 16) & 0xffff);
  put16 (out + off + 8, DNS_TTL & 0xffff);
  put16 (out + off + 10, rdlen);
  return off + 12;
}

size_t
dns_build_answer (const uint8_t *pkt, const struct dns_query *q, int rcode, bool aa, const struct in_addr *addrs,
                  size_t n, const char *ptr_name, uint8_t *out, size_t cap)
{
  size_t qlen = q->question_end - DNS_HEADER_LEN;
  if (q->question_end < DNS_HEADER_LEN || DNS_HEADER_LEN + qlen > cap)
    return 0;
  bool tc = false;
  if (ptr_name)
    n = 1;
  else if (n > DNS_ANSWERS_MAX)
    {
      n = DNS_ANSWERS_MAX;
      tc = true;
    }

  unsigned flags = F_QR | (q->flags & (0x7800 | F_RD)) | F_RA | (aa ? F_AA : 0) | (tc ? F_TC : 0) | (rcode & 0xf);
  put16 (out, q->id);
  put16 (out + 2, flags);
  put16 (out + 4, 1);
  put16 (out + 6, (unsigned)n);
  put16 (out + 8, 0);
  put16 (out + 10, 0);
  memcpy (out + DNS_HEADER_LEN, pkt + DNS_HEADER_LEN, qlen);
  size_t off = DNS_HEADER_LEN + qlen;

  if (ptr_name)
    {
      uint8_t wire[DNS_NAME_MAX + 2];
      size_t wlen = put_name (ptr_name, wire, sizeof wire);
      if (wlen == 0 || off + 12 + wlen > cap)
        return 0;
      off = put_rr_head (out, off, DNS_TYPE_PTR, (unsigned)wlen);
      memcpy (out + off, wire, wlen);
      return off + wlen;
    }
  for (size_t i = 0; i < n; i++)
    {
      if (off + 16 > cap)
        return 0;
      off = put_rr_head (out, off, DNS_TYPE_A, 4);
      memcpy (out + off, &addrs[i].s_addr, 4);
      off += 4;
    }
  return off;
}

bool
dns_is_reply_to (const uint8_t *pkt, size_t len, uint16_t id)
{
  return len >= DNS_HEADER_LEN && get16 (pkt) == id && (get16 (pkt + 2) & F_QR);
}

bool
dns_ptr_addr (const char *name, struct in_addr *addr)
{
  static const char suffix[] = ".in-addr.arpa";
  size_t n = strlen (name), sl = sizeof suffix - 1;
  if (n <= sl || n - sl > 15 || strcmp (name + n - sl, suffix) != 0)
    return false;
  unsigned o[4];
  char rest[16], tail;
  memcpy (rest, name, n - sl);
  rest[n - sl] = '\0';
  /* four decimal octets, no more, no less, nothing but digits and dots */
  for (const char *p = rest; *p; p++)
    if (!(*p == '.' || (*p >= '0' && *p <= '9')))
      return false;
  if (sscanf (rest, "%3u.%3u.%3u.%3u%c", &o[3], &o[2], &o[1], &o[0], &tail) != 4)
    return false;
  for (int i = 0; i < 4; i++)
    if (o[i] > 255)
      return false;
  char text[16];
  snprintf (text, sizeof text, "%u.%u.%u.%u", o[0], o[1], o[2], o[3]);
  /* "01.2.3.4" or "1..2.3": not what the name spells out */
  char back[16];
  snprintf (back, sizeof back, "%u.%u.%u.%u", o[3], o[2], o[1], o[0]);
  if (strcmp (back, rest) != 0)
    return false;
  return inet_pton (AF_INET, text, addr) == 1;
}
