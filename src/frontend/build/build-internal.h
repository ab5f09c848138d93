/* dock build — what the step files share. */
#ifndef DOCK_BUILD_INTERNAL_H
#define DOCK_BUILD_INTERNAL_H

#include <stdio.h>
#include <sys/stat.h>

#include "build/build.h"
#include "build/dockerfile.h"
#include "image/image.h"

struct dock_ignore;

/* one FROM … and its instructions */
struct build_stage
{
  char *name;   /* AS name (lower case), or NULL */
  size_t first; /* index of its FROM in the Dockerfile */
  size_t end;   /* one past its last instruction */
  bool needed;  /* --target needs it */
  bool built;
  char image[72]; /* its result (after it was built) */
};

struct builder
{
  struct dock_ctx *ctx;
  const struct dock_build_opts *o;
  struct dock_dockerfile df;
  char *context;              /* the context directory (realpath) */
  struct dock_ignore *ignore; /* .dockerignore, or NULL */
  jv build_args;              /* --build-arg: name → value */
  jv used_args;               /* names of --build-arg that some ARG declared */
  jv meta_args;               /* ARG before the first FROM: name → value or null */
  struct build_stage *stages;
  size_t nstages;
  int step, nsteps;
  FILE *out;       /* stdout, or /dev/null with -q */
  long long epoch; /* SOURCE_DATE_EPOCH (reproducible builds), or -1 */
  /* the stage being built */
  char cur[72];    /* the image so far ("" before FROM) */
  jv cfg;          /* its image config, being edited */
  jv args;         /* ARGs declared in this stage: name → value or null */
  bool cmd_set;    /* CMD given in this stage (ENTRYPOINT then keeps it) */
  char *run_layer; /* RUN: the container's changes as a tar, until committed */
};

/* lookup for substitution: ENV first, then the stage's ARGs */
const char *build_lookup (void *data, const char *name);

/* Commit a step: `layer_tar` (may be NULL: config only) over the current image with the current
   config and one history entry; the cache gets key → the new image.  Prints " ---> ID". */
int build_commit (struct builder *b, const char *created_by, const char *layer_tar, const char *key, lcr_error_t *err);

/* The cache: the key of a step (the parent, what the step does, its content hash), and the
   image a previous build made for it (false when none, or it is gone). */
void build_cache_key (struct builder *b, const char *what, const char *content, char key[72]);
bool build_cache_get (struct builder *b, const char *key);
void build_cache_put (struct builder *b, const char *key, const char *image);

/* an earlier stage (before Dockerfile index `before`) by name or index, or NULL */
const struct build_stage *build_stage_for_from (struct builder *b, const char *ref, size_t before);

/* RUN */
int build_run (struct builder *b, const struct dock_df_inst *in, lcr_error_t *err);
/* COPY and ADD */
int build_copy (struct builder *b, const struct dock_df_inst *in, bool add, lcr_error_t *err);
/* ADD URL: download into the directory `dir` (mode 0600, Last-Modified as mtime); checksum
   "sha256:…" or NULL; *name_out: the file's name there (the URL's basename) */
int build_fetch (struct builder *b, const char *url, const char *dir, const char *checksum, char **name_out,
                 lcr_error_t *err);
/* WORKDIR's directory, made in a layer when the image lacks it */
int build_workdir_layer (struct builder *b, const char *dir, char **tar_out, lcr_error_t *err);

/* A file or directory of the current image, looked up through its layers (top first);
   0 with *st, -1 when absent. */
int build_image_stat (struct builder *b, const char *path, struct stat *st);
/* A small file of the current image (/etc/passwd), or NULL */
char *build_image_read (struct builder *b, const char *path);

/* the "key=value" environment of RUN: Env, then the ARGs that Env does not set */
char **build_run_env (struct builder *b, char **args_used_text);

/* the shell of this stage (SHELL, else /bin/sh -c), as a JSON array copy */
jv build_shell (struct builder *b);

/* recursive removal (temporary directories) */
void build_rmtree (const char *path);

#endif
