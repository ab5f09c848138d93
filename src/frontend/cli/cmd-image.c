/* dock — the image commands: images, load, save, tag, rmi, history, image inspect, image prune.
 *
 * The work is in image/; these parse docker's flags and print docker's output.  Listings are
 * built as JSON rows with docker's --format field names (image.h: dock_image_rows,
 * dock_image_history) and printed as docker's tables.
 *
 * --format goes through the shared template engine (cli/output.h).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/output.h"
#include "commands.h"
#include "image/filter.h"
#include "image/image.h"
#include "image/imgstore.h"
#include "store/store.h"

/* ---- output: rows through the shared template engine and tabwriter (cli/output.h) -------- */

struct header
{
  const char *field, *title;
};

/* rows through a --format (the shared template engine and tabwriter); inspect when
   headers is NULL */
static void
print_format (const char *format, jv rows, const struct header *headers)
{
  lcr_error_t err = NULL;
  int rc;
  if (headers == NULL)
    rc = dock_print_inspect (rows, format, &err);
  else
    {
      size_t n = 0;
      while (headers[n].field)
        n++;
      struct dock_column *cols = xmalloc0 ((n + 1) * sizeof *cols);
      for (size_t k = 0; k < n; k++)
        cols[k] = (struct dock_column){headers[k].field, headers[k].title};
      rc = dock_print_rows (rows, format, cols, &err);
      free (cols);
    }
  if (rc < 0)
    {
      dock_fail (&err);
      fflush (stdout);
      _exit (DOCK_EXIT_ERROR);
    }
}

/* ---- images -------------------------------------------------------------------------------- */

static const struct header image_headers[] = {
    {"Repository", "REPOSITORY"},
    {"Tag", "TAG"},
    {"ID", "IMAGE ID"},
    {"CreatedSince", "CREATED"},
    {"CreatedAt", "CREATED AT"},
    {"Size", "SIZE"},
    {"Digest", "DIGEST"},
    {"Containers", "CONTAINERS"},
    {"SharedSize", "SHARED SIZE"},
    {"UniqueSize", "UNIQUE SIZE"},
    {"VirtualSize", "VIRTUAL SIZE"},
    {NULL, NULL},
};

DOCK_CMD (dock_cmd_images)
{
  bool all = false, quiet = false, digests = false, no_trunc = false;
  const char *format = NULL;
  struct dock_strlist filters = {0};
  const struct dock_opt opts[] = {
      {"all", 'a', DOCK_OPT_BOOL, &all, "Show all images (default hides intermediate images)", NULL},
      {"digests", 0, DOCK_OPT_BOOL, &digests, "Show digests", NULL},
      {"filter", 'f', DOCK_OPT_LIST, &filters, "Filter output based on conditions provided", "filter"},
      {"format", 0, DOCK_OPT_STR, &format, "Format output using a custom template", "string"},
      {"no-trunc", 0, DOCK_OPT_BOOL, &no_trunc, "Don't truncate output", NULL},
      {"quiet", 'q', DOCK_OPT_BOOL, &quiet, "Only show image IDs", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const struct dock_cmd_usage u = {"dock images [OPTIONS] [REPOSITORY[:TAG]]", "List images", true, 0, 1};
  int first;
  lcr_error_t err = NULL;
  int r = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (r != 0)
    {
      dock_strlist_free (&filters);
      return r > 0 ? 0 : dock_fail (&err);
    }
  /* --filter (image/filter.h); the positional REPOSITORY[:TAG] is one more reference= */
  struct dock_image_filter f = {0};
  r = dock_image_filter_parse (ctx, &f, filters.v, filters.n, DOCK_IMAGE_FILTER_LIST, &err);
  dock_strlist_free (&filters);
  if (r < 0)
    {
      dock_image_filter_free (&f);
      return dock_fail (&err);
    }
  if (first < argc)
    dock_image_filter_add_reference (&f, argv[first]);
  f.all = all;
  cleanup_jv jv rows = dock_image_rows (ctx, &f, &err);
  dock_image_filter_free (&f);
  if (rows == NULL)
    return dock_fail (&err);
  if (no_trunc)
    for (size_t i = 0; i < jv_len (rows); i++)
      jv_set (rows->u.array.values[i], "ID", jv_str (jv_get_str (rows->u.array.values[i], "FullID")));
  if (quiet)
    {
      for (size_t i = 0; i < jv_len (rows); i++)
        puts (jv_get_str (rows->u.array.values[i], "ID"));
      return 0;
    }
  /* docker's default columns (DIGEST with --digests), through the shared tabwriter */
  const char *dflt = digests ? "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
                             : "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
  print_format (format && strcmp (format, "table") != 0 ? format : dflt, rows, image_headers);
  return 0;
}

/* ---- load, save ---------------------------------------------------------------------------- */

#ifndef DOCK_LIGHT /* the archive commands: in dock-archive only (see main.c) */
DOCK_CMD (dock_cmd_load)
{
  const char *input = NULL;
  bool quiet = false;
  const struct dock_opt opts[] = {
      {"input", 'i', DOCK_OPT_STR, &input, "Read from tar archive file, instead of STDIN", "string"},
      {"quiet", 'q', DOCK_OPT_BOOL, &quiet, "Suppress the load output", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const struct dock_cmd_usage u = {"dock load [OPTIONS]", "Load an image from a tar archive or STDIN", false, 0, 0};
  int first;
  lcr_error_t err = NULL;
  int r = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (r != 0)
    return r > 0 ? 0 : dock_fail (&err);
  cleanup_close int fd = -1;
  if (input)
    {
      fd = open (input, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        return dock_failf ("open %s: %s", input, strerror (errno));
    }
  else
    {
      if (isatty (0))
        return dock_failf ("requested load from stdin, but stdin is empty");
      fd = dup (0);
    }
  /* docker's -q only hides progress, which dock does not draw: the "Loaded image" lines stay */
  if (dock_image_load (ctx, fd, stdout, &err) < 0)
    return dock_fail (&err);
  return 0;
}

DOCK_CMD (dock_cmd_save)
{
  const char *output = NULL;
  const struct dock_opt opts[] = {
      {"output", 'o', DOCK_OPT_STR, &output, "Write to a file, instead of STDOUT", "string"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const struct dock_cmd_usage u
      = {"dock save [OPTIONS] IMAGE [IMAGE...]",
         "Save one or more images to a tar archive (streamed to STDOUT by default)", true, 1, -1};
  int first;
  lcr_error_t err = NULL;
  int r = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (r != 0)
    return r > 0 ? 0 : dock_fail (&err);
  if (output == NULL)
    {
      if (isatty (1))
        return dock_failf ("cowardly refusing to save to a terminal. Use the -o flag or redirect");
      if (dock_image_save (ctx, argv + first, (size_t)(argc - first), 1, &err) < 0)
        return dock_fail (&err);
      return 0;
    }
  /* a temporary file beside the target, renamed over it when complete: a failed save leaves
     no truncated archive under the name */
  cleanup_free char *tmp = NULL;
  xasprintf (&tmp, "%s.dock-tmp-XXXXXX", output);
  int fd = mkostemp (tmp, O_CLOEXEC);
  if (fd < 0)
    return dock_failf ("failed to save image: %s: %s", output, strerror (errno));
  fchmod (fd, 0644);
  if (dock_image_save (ctx, argv + first, (size_t)(argc - first), fd, &err) < 0 || fsync (fd) < 0
      || rename (tmp, output) < 0)
    {
      if (err == NULL)
        lcr_error_sys (&err, "write `%s`", output);
      close (fd);
      unlink (tmp);
      return dock_fail (&err);
    }
  close (fd);
  return 0;
}

/* ---- tag, rmi, prune ----------------------------------------------------------------------- */

#endif

DOCK_CMD (dock_cmd_tag)
{
  const struct dock_opt opts[] = {{NULL, 0, 0, NULL, NULL, NULL}};
  const struct dock_cmd_usage u = {"dock tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
                                   "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", false, 2, 2};
  int first;
  lcr_error_t err = NULL;
  int r = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (r != 0)
    return r > 0 ? 0 : dock_fail (&err);
  if (dock_image_tag (ctx, argv[first], argv[first + 1], &err) < 0)
    return dock_fail (&err);
  return 0;
}

DOCK_CMD (dock_cmd_rmi)
{
  bool force = false, no_prune = false;
  const struct dock_opt opts[] = {
      {"force", 'f', DOCK_OPT_BOOL, &force, "Force removal of the image", NULL},
      {"no-prune", 0, DOCK_OPT_BOOL, &no_prune, "Do not delete untagged parents", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const struct dock_cmd_usage u = {"dock rmi [OPTIONS] IMAGE [IMAGE...]", "Remove one or more images", true, 1, -1};
  int first;
  lcr_error_t err = NULL;
  int r = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (r != 0)
    return r > 0 ? 0 : dock_fail (&err);
  int status = 0;
  /* as docker: every image is tried, each failure reported, the status says whether any failed */
  for (int i = first; i < argc; i++)
    if (dock_image_remove (ctx, argv[i], force, stdout, &err) < 0)
      {
        fflush (stdout);
        status = dock_fail (&err);
      }
  return status;
}

static bool
confirm (const char *warning)
{
  fprintf (stdout, "%s\nAre you sure you want to continue? [y/N] ", warning);
  fflush (stdout);
  char line[64];
  if (fgets (line, sizeof line, stdin) == NULL)
    return false;
  return line[0] == 'y' || line[0] == 'Y';
}

DOCK_CMD (dock_cmd_image_prune)
{
  bool all = false, force = false;
  struct dock_strlist filters = {0};
  const struct dock_opt opts[] = {
      {"all", 'a', DOCK_OPT_BOOL, &all, "Remove all unused images, not just dangling ones", NULL},
      {"filter", 0, DOCK_OPT_LIST, &filters, "Provide filter values (e.g. \"until=<timestamp>\")", "filter"},
      {"force", 'f', DOCK_OPT_BOOL, &force, "Do not prompt for confirmation", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const struct dock_cmd_usage u = {"dock image prune [OPTIONS]", "Remove unused images", false, 0, 0};
  int first;
  lcr_error_t err = NULL;
  int r = dock_parse_args (&u, opts, argc, argv, &first, &err);
  struct dock_image_filter f = {0};
  if (r == 0 && dock_image_filter_parse (ctx, &f, filters.v, filters.n, DOCK_IMAGE_FILTER_PRUNE, &err) < 0)
    r = -1;
  dock_strlist_free (&filters);
  if (r != 0)
    {
      dock_image_filter_free (&f);
      return r > 0 ? 0 : dock_fail (&err);
    }
  all = all || f.dangling == 0; /* dangling=false is -a */
  if (!force
      && !confirm (all ? "WARNING! This will remove all images without at least one container associated to them."
                       : "WARNING! This will remove all dangling images."))
    {
      dock_image_filter_free (&f);
      return 0;
    }
  char *buf = NULL;
  size_t len = 0;
  FILE *mem = open_memstream (&buf, &len);
  unsigned long long reclaimed = 0;
  r = dock_image_prune (ctx, all, &f, mem, &reclaimed, &err);
  dock_image_filter_free (&f);
  fclose (mem);
  if (len)
    printf ("Deleted Images:\n%s\n", buf);
  free (buf);
  char size[32];
  dock_size_text (reclaimed, size, sizeof size);
  printf ("Total reclaimed space: %s\n", size);
  return r < 0 ? dock_fail (&err) : 0;
}

/* ---- inspect, history ---------------------------------------------------------------------- */

DOCK_CMD (dock_cmd_image_inspect)
{
  const char *format = NULL;
  const struct dock_opt opts[] = {
      {"format", 'f', DOCK_OPT_STR, &format, "Format output using a custom template", "string"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const struct dock_cmd_usage u = {"dock image inspect [OPTIONS] IMAGE [IMAGE...]",
                                   "Display detailed information on one or more images", true, 1, -1};
  int first;
  lcr_error_t err = NULL;
  int r = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (r != 0)
    return r > 0 ? 0 : dock_fail (&err);
  cleanup_jv jv arr = jv_arr ();
  int status = 0;
  for (int i = first; i < argc; i++)
    {
      jv o = dock_image_inspect_json (ctx, argv[i], &err);
      if (o == NULL)
        {
          /* as docker: what was found is still printed, the errors after it */
          fprintf (stderr, "Error: %s\n", err && err->msg ? err->msg : "unknown error");
          lcr_error_release (&err);
          status = 1;
          continue;
        }
      jv_push (arr, o);
    }
  if (format)
    print_format (format, arr, NULL);
  else
    {
      cleanup_free char *s = jv_dump (arr, true);
      puts (s);
    }
  return status;
}

DOCK_CMD (dock_cmd_history)
{
  bool human = true, no_trunc = false, quiet = false;
  const char *format = NULL;
  const struct dock_opt opts[] = {
      {"format", 0, DOCK_OPT_STR, &format, "Format output using a custom template", "string"},
      {"human", 'H', DOCK_OPT_BOOL, &human, "Print sizes and dates in human readable format", NULL},
      {"no-trunc", 0, DOCK_OPT_BOOL, &no_trunc, "Don't truncate output", NULL},
      {"quiet", 'q', DOCK_OPT_BOOL, &quiet, "Only show image IDs", NULL},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const struct dock_cmd_usage u = {"dock history [OPTIONS] IMAGE", "Show the history of an image", true, 1, 1};
  int first;
  lcr_error_t err = NULL;
  int r = dock_parse_args (&u, opts, argc, argv, &first, &err);
  if (r != 0)
    return r > 0 ? 0 : dock_fail (&err);
  cleanup_jv jv rows = dock_image_history (ctx, argv[first], &err);
  if (rows == NULL)
    return dock_fail (&err);
  for (size_t i = 0; i < jv_len (rows); i++)
    {
      jv row = rows->u.array.values[i];
      const char *id = jv_get_str (row, "ID");
      if (!no_trunc && strncmp (id, "sha256:", 7) == 0)
        {
          char s[13];
          snprintf (s, sizeof s, "%s", id + 7);
          jv_set (row, "ID", jv_str (s));
        }
      if (!human)
        {
          char n[32];
          snprintf (n, sizeof n, "%lld", jv_get_int (row, "SizeBytes", 0));
          jv_set (row, "Size", jv_str (n));
          jv_set (row, "CreatedSince", jv_str (jv_get_str (row, "CreatedAt")));
        }
      const char *by = jv_get_str (row, "CreatedBy");
      /* docker shortens CREATED BY to 45 characters, the last one an ellipsis */
      if (!no_trunc && by && strlen (by) > 45)
        {
          size_t cut = 44;
          while (cut > 0 && ((unsigned char)by[cut] & 0xc0) == 0x80)
            cut--;
          cleanup_free char *s = NULL;
          xasprintf (&s, "%.*s…", (int)cut, by);
          jv_set (row, "CreatedBy", jv_str (s));
        }
    }
  if (quiet)
    {
      for (size_t i = 0; i < jv_len (rows); i++)
        puts (jv_get_str (rows->u.array.values[i], "ID"));
      return 0;
    }
  static const struct header h[] = {{"ID", "IMAGE"},
                                    {"CreatedSince", "CREATED"},
                                    {"CreatedAt", "CREATED AT"},
                                    {"CreatedBy", "CREATED BY"},
                                    {"Size", "SIZE"},
                                    {"Comment", "COMMENT"},
                                    {NULL, NULL}};
  print_format (format && strcmp (format, "table") != 0
                    ? format
                    : "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}",
                rows, h);
  return 0;
}
