/* dock — aligned tables (see table.h). */
#define _GNU_SOURCE
#include "table.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli/format.h"
#include "utils.h"

/* docker's tabwriter.NewWriter (out, 10, 1, 3, ' ', 0) */
#define TABLE_MINWIDTH 10
#define TABLE_PADDING 3

struct dock_table
{
  char *s;
  size_t len, cap;
};

struct cell
{
  const char *text;
  size_t len, width;
};

struct line
{
  struct cell *cells;
  size_t n;
};

struct layout
{
  struct line *lines;
  size_t nlines;
  size_t *widths; /* of the columns to the left of the one being sized */
  char *out;
  size_t len, cap;
};

static void
grow (char **s, size_t *len, size_t *cap, const char *add, size_t n)
{
  if (*len + n + 1 > *cap)
    {
      size_t c = *cap ? *cap * 2 : 256;
      while (c < *len + n + 1)
        c *= 2;
      *s = xrealloc (*s, c);
      *cap = c;
    }
  memcpy (*s + *len, add, n);
  *len += n;
  (*s)[*len] = '\0';
}

struct dock_table *
dock_table_new (void)
{
  return xmalloc0 (sizeof (struct dock_table));
}

void
dock_table_free (struct dock_table *t)
{
  if (t == NULL)
    return;
  free (t->s);
  free (t);
}

void
dock_table_write (struct dock_table *t, const char *s, size_t len)
{
  grow (&t->s, &t->len, &t->cap, s, len);
}

void
dock_table_add_row (struct dock_table *t, const char *const *cells, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      if (i)
        dock_table_write (t, "\t", 1);
      dock_table_write (t, cells[i] ? cells[i] : "", cells[i] ? strlen (cells[i]) : 0);
    }
  dock_table_write (t, "\n", 1);
}

/* characters, not bytes: continuation bytes don't count */
static size_t
text_width (const char *s, size_t n)
{
  size_t w = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)s[i] & 0xc0) != 0x80)
      w++;
  return w;
}

static void
emit (struct layout *l, const char *s, size_t n)
{
  grow (&l->out, &l->len, &l->cap, s, n);
}

static void
write_lines (struct layout *l, size_t line0, size_t line1, size_t ncols)
{
  static const char spaces[] = "                                ";
  for (size_t i = line0; i < line1; i++)
    {
      struct line *ln = &l->lines[i];
      for (size_t j = 0; j < ln->n; j++)
        {
          emit (l, ln->cells[j].text, ln->cells[j].len);
          if (j < ncols)
            for (size_t pad = l->widths[j] - ln->cells[j].width; pad > 0;)
              {
                size_t k = pad < sizeof spaces - 1 ? pad : sizeof spaces - 1;
                emit (l, spaces, k);
                pad -= k;
              }
        }
      if (i + 1 < l->nlines)
        emit (l, "\n", 1);
    }
}

/* Go's tabwriter format(): size column `col` over each block of consecutive lines that have a
   cell in it, recurse for the columns to its right, print lines once all their widths are known. */
static void
format_block (struct layout *l, size_t line0, size_t line1, size_t col)
{
  for (size_t this = line0; this < line1; this ++)
    {
      if (col + 1 >= l->lines[this].n)
        continue;
      write_lines (l, line0, this, col);
      line0 = this;
      size_t width = TABLE_MINWIDTH;
      for (; this < line1 && col + 1 < l->lines[this].n; this ++)
        if (l->lines[this].cells[col].width + TABLE_PADDING > width)
          width = l->lines[this].cells[col].width + TABLE_PADDING;
      l->widths[col] = width;
      format_block (l, line0, this, col + 1);
      line0 = this;
    }
  write_lines (l, line0, line1, col);
}

char *
dock_table_render (struct dock_table *t)
{
  struct layout l = {0};
  const char *s = t->s ? t->s : "";
  size_t maxcells = 1, caplines = 0;
  /* split into lines of cells; the text after a line's last tab is its last cell */
  for (const char *p = s;;)
    {
      const char *nl = memchr (p, '\n', (size_t)(s + t->len - p));
      const char *end = nl ? nl : s + t->len;
      struct line ln = {0};
      size_t capcells = 0;
      for (const char *c = p;;)
        {
          const char *tab = c;
          while (tab < end && *tab != '\t' && *tab != '\v')
            tab++;
          if (ln.n == capcells)
            {
              capcells = capcells ? capcells * 2 : 8;
              ln.cells = xrealloc (ln.cells, capcells * sizeof *ln.cells);
            }
          ln.cells[ln.n++]
              = (struct cell){.text = c, .len = (size_t)(tab - c), .width = text_width (c, (size_t)(tab - c))};
          if (tab == end)
            break;
          c = tab + 1;
        }
      /* as Go's Flush: an unfinished last line keeps a trailing cell only if it has text, so
         its last tab-terminated cell is its "text after the last tab" */
      if (nl == NULL && ln.n > 0 && ln.cells[ln.n - 1].len == 0)
        ln.n--;
      if (ln.n > maxcells)
        maxcells = ln.n;
      if (l.nlines == caplines)
        {
          caplines = caplines ? caplines * 2 : 64;
          l.lines = xrealloc (l.lines, caplines * sizeof *l.lines);
        }
      l.lines[l.nlines++] = ln;
      if (nl == NULL)
        break;
      p = nl + 1;
    }
  l.widths = xmalloc0 (maxcells * sizeof *l.widths);
  format_block (&l, 0, l.nlines, 0);
  for (size_t i = 0; i < l.nlines; i++)
    free (l.lines[i].cells);
  free (l.lines);
  free (l.widths);
  t->len = 0;
  return l.out ? l.out : xstrdup ("");
}

int
dock_table_flush (struct dock_table *t, FILE *out)
{
  cleanup_free char *s = dock_table_render (t);
  size_t n = strlen (s);
  if (fwrite (s, 1, n, out) != n || fflush (out) != 0)
    return -1;
  return 0;
}

struct dock_listing
{
  struct dock_tmpl *tmpl;
  const char *const *headers;
  struct dock_table *rows; /* every row's text, one per line */
};

int
dock_listing_new (const char *format, const char *dflt, const char *const *headers, struct dock_listing **out,
                  lcr_error_t *err)
{
  if (format == NULL || *format == '\0' || strcmp (format, "table") == 0)
    format = dflt;
  struct dock_tmpl *t;
  if (dock_format_compile (format, DOCK_FORMAT_LISTING, &t, err) < 0)
    return -1;
  struct dock_listing *l = xmalloc0 (sizeof *l);
  l->tmpl = t;
  l->headers = headers;
  l->rows = dock_table_new ();
  *out = l;
  return 0;
}

void
dock_listing_free (struct dock_listing *l)
{
  if (l == NULL)
    return;
  dock_format_free (l->tmpl);
  dock_table_free (l->rows);
  free (l);
}

int
dock_listing_add (struct dock_listing *l, jv row, lcr_error_t *err)
{
  cleanup_free char *text = NULL;
  if (dock_format_exec (l->tmpl, row, &text, err) < 0)
    return -1;
  dock_table_write (l->rows, text, strlen (text));
  dock_table_write (l->rows, "\n", 1);
  return 0;
}

int
dock_listing_print (struct dock_listing *l, FILE *out, lcr_error_t *err)
{
  int r;
  if (dock_format_table (l->tmpl))
    {
      cleanup_free char *header = NULL;
      if (dock_format_header (l->tmpl, l->headers, &header, err) < 0)
        return -1;
      struct dock_table *t = dock_table_new ();
      dock_table_write (t, header, strlen (header));
      dock_table_write (t, "\n", 1);
      dock_table_write (t, l->rows->s ? l->rows->s : "", l->rows->len);
      l->rows->len = 0;
      r = dock_table_flush (t, out);
      dock_table_free (t);
    }
  else
    {
      r = fwrite (l->rows->s ? l->rows->s : "", 1, l->rows->len, out) == l->rows->len && fflush (out) == 0 ? 0 : -1;
      l->rows->len = 0;
    }
  if (r < 0)
    return lcr_error_sys (err, "write output");
  return 0;
}
