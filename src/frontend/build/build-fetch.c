/* dock build — ADD http(s)://…: the download, with libcurl, in dock's own network namespace (the
 * build's --network decides whether it may happen at all; build-copy.c checks that).
 *
 * As docker's builder does: the file is saved under the URL path's last component (else the
 * Content-Disposition filename), mode 0600, with the Last-Modified time as its mtime, and never
 * extracted.  `--checksum=sha256:HEX` is verified against the downloaded bytes.  libcurl is
 * linked into dock-archive only, like libarchive (cli/heavy.c says why).
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build/build-internal.h"
#include "image/digest.h"

struct fetch
{
  int fd;
  struct dock_sha256 h;
  char *disposition; /* Content-Disposition's filename, if any */
  int werr;
};

static size_t
on_data (char *p, size_t size, size_t n, void *data)
{
  struct fetch *f = data;
  size_t len = size * n, off = 0;
  while (off < len)
    {
      ssize_t w = write (f->fd, p + off, len - off);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        {
          f->werr = errno ?: EIO;
          return 0;
        }
      off += (size_t)w;
    }
  dock_sha256_update (&f->h, p, len);
  return len;
}

/* Content-Disposition: attachment; filename="x.tar" */
static size_t
on_header (char *p, size_t size, size_t n, void *data)
{
  struct fetch *f = data;
  size_t len = size * n;
  static const char key[] = "content-disposition:";
  if (len > sizeof key && strncasecmp (p, key, sizeof key - 1) == 0)
    {
      cleanup_free char *line = strndup (p, len);
      char *fn = strcasestr (line, "filename=");
      if (fn)
        {
          fn += 9;
          if (*fn == '"')
            fn++;
          fn[strcspn (fn, "\";\r\n")] = '\0';
          free (f->disposition);
          f->disposition = xstrdup (fn);
        }
    }
  return len;
}

/* the last component of the URL's path ("" when it ends in "/" or has none) */
static char *
url_basename (const char *url)
{
  const char *p = strstr (url, "://");
  p = p ? p + 3 : url;
  p = strchr (p, '/');
  if (p == NULL)
    return xstrdup ("");
  size_t len = strcspn (p, "?#");
  cleanup_free char *path = strndup (p, len);
  char *slash = strrchr (path, '/');
  return xstrdup (slash ? slash + 1 : path);
}

int
build_fetch (struct builder *b, const char *url, const char *dir, const char *checksum, char **name_out,
             lcr_error_t *err)
{
  (void)b;
  static bool inited;
  if (!inited)
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      inited = true;
    }
  cleanup_free char *tmp = NULL;
  xasprintf (&tmp, "%s/.download-XXXXXX", dir);
  struct fetch f = {.fd = mkostemp (tmp, O_CLOEXEC)};
  if (f.fd < 0)
    return lcr_error_sys (err, "a temporary file for %s", url);
  dock_sha256_init (&f.h);
  int ret = -1;
  char digest[72] = "";
  cleanup_free char *name = NULL;
  cleanup_free char *final = NULL;
  CURL *c = curl_easy_init ();
  char ebuf[CURL_ERROR_SIZE] = "";
  curl_easy_setopt (c, CURLOPT_URL, url);
  curl_easy_setopt (c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt (c, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt (c, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt (c, CURLOPT_FILETIME, 1L);
  curl_easy_setopt (c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (c, CURLOPT_ERRORBUFFER, ebuf);
  curl_easy_setopt (c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt (c, CURLOPT_WRITEDATA, &f);
  curl_easy_setopt (c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (c, CURLOPT_HEADERDATA, &f);
  curl_easy_setopt (c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (c, CURLOPT_USERAGENT, "dock-build");
  CURLcode cr = curl_easy_perform (c);
  dock_sha256_final (&f.h, digest);
  if (cr != CURLE_OK)
    {
      if (f.werr)
        lcr_error_make (err, f.werr, LCR_ERR_SYSTEM, "write the download of %s", url);
      else
        lcr_error_invalid (err, "failed to GET %s: %s", url, *ebuf ? ebuf : curl_easy_strerror (cr));
      goto out;
    }
  if (checksum)
    {
      if (strncmp (checksum, "sha256:", 7) != 0 || !dock_digest_valid (checksum))
        {
          lcr_error_invalid (err, "invalid checksum digest format: %s", checksum);
          goto out;
        }
      if (strcmp (checksum, digest) != 0)
        {
          lcr_error_invalid (err, "digest mismatch %s: %s", digest, checksum);
          goto out;
        }
    }
  name = url_basename (url);
  if (*name == '\0' && f.disposition && *f.disposition && !strchr (f.disposition, '/'))
    {
      free (name);
      name = xstrdup (f.disposition);
    }
  if (*name == '\0' || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    {
      lcr_error_invalid (err, "cannot determine filename from url: %s", url);
      goto out;
    }
  long ft = -1;
  curl_easy_getinfo (c, CURLINFO_FILETIME, &ft);
  if (fchmod (f.fd, 0600) < 0)
    {
      lcr_error_sys (err, "chmod the download");
      goto out;
    }
  if (ft >= 0)
    {
      struct timespec ts[2] = {{.tv_sec = ft}, {.tv_sec = ft}};
      futimens (f.fd, ts);
    }
  xasprintf (&final, "%s/%s", dir, name);
  if (rename (tmp, final) < 0)
    {
      lcr_error_sys (err, "save the download as `%s`", final);
      goto out;
    }
  *tmp = '\0';
  *name_out = steal_pointer (&name);
  ret = 0;
out:
  curl_easy_cleanup (c);
  close (f.fd);
  if (*tmp)
    unlink (tmp);
  free (f.disposition);
  return ret;
}
