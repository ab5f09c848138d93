/* dock compose — the Compose specification, built into dock.
 *
 * Loading: each file is read with libyaml, checked key by key against what dock knows (an
 * unknown key is an error naming the file, its line and the key), interpolated from the
 * environment and `.env`, and turned into a jv tree whose services are normalized (environment,
 * labels, depends_on and networks as maps, build as a map, relative paths made absolute), so
 * that the files merge by the spec's rules with one generic walk (merge.c).
 *
 * Running: compose drives dock's own commands as child processes of the light `dock` binary
 * beside this one, with the same global options (exec.c).  Each step is then exactly what a
 * user typing the command would get (flags checked by the same parser, the store locked per
 * command, a failed create leaving nothing), and compose needs no second path into the
 * container, network and volume code.  The cost is a process per step, a few milliseconds.
 */
#ifndef DOCK_COMPOSE_H
#define DOCK_COMPOSE_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dock.h"

static inline char *
compose_strndup (const char *s, size_t n)
{
  char *r = strndup (s, n);
  if (r == NULL)
    abort (); /* out of memory, as the x* allocators */
  return r;
}

#define COMPOSE_LABEL_PROJECT "com.docker.compose.project"
#define COMPOSE_LABEL_SERVICE "com.docker.compose.service"
#define COMPOSE_LABEL_NUMBER "com.docker.compose.container-number"
#define COMPOSE_LABEL_ONEOFF "com.docker.compose.oneoff"
#define COMPOSE_LABEL_HASH "com.docker.compose.config-hash"
#define COMPOSE_LABEL_WORKDIR "com.docker.compose.project.working_dir"
#define COMPOSE_LABEL_FILES "com.docker.compose.project.config_files"
#define COMPOSE_LABEL_NETWORK "com.docker.compose.network"
#define COMPOSE_LABEL_VOLUME "com.docker.compose.volume"

/* where the files come from (the global flags of `dock compose`) */
struct compose_opts
{
  const char **files; /* -f, in order; NULL-terminated; none: look for compose.yaml … */
  size_t n_files;
  const char *project;     /* -p */
  const char *project_dir; /* --project-directory */
  const char *env_file;    /* --env-file */
  const char **profiles;   /* --profile, in order (COMPOSE_PROFILES adds to them) */
  size_t n_profiles;
  const char **services; /* the services a command names: enabled whatever their profiles */
  size_t n_services;
};

struct compose_project
{
  char *name;    /* the project's name, as compose normalizes it */
  char *workdir; /* the project directory: relative paths start here */
  char *files;   /* the files, comma-separated (the config_files label) */
  jv env;        /* interpolation variables: .env, then the process's environment over it */
  jv model;      /* {name, services, networks, volumes}, merged, interpolated, normalized */
  jv disabled;   /* {service: definition}: the services no enabled profile names */
  jv where;      /* "services.web.ports" → "FILE:LINE" where that key was last written */
};

/* model.c: find, load, merge and normalize the files into *p. */
int compose_load (const struct compose_opts *o, struct compose_project *p, lcr_error_t *err);
void compose_project_release (struct compose_project *p);
/* the service names in depends_on order (dependencies first); an unknown one in `only` or a
   cycle is an error.  `only` (NULL: all) also pulls in what they depend on when with_deps. */
int compose_service_order (struct compose_project *p, const char **only, size_t n_only, bool with_deps, char ***out,
                           size_t *n_out, lcr_error_t *err);
/* the resource names: PROJECT_NET / PROJECT_VOL, or the entry's `name:` */
char *compose_network_name (struct compose_project *p, const char *key);
char *compose_volume_name (struct compose_project *p, const char *key);
/* the image a service runs: its `image`, else PROJECT-SERVICE (what compose builds) */
char *compose_service_image (struct compose_project *p, const char *service);
/* "FILE:LINE: KEY: " for an error about the model's key (a dotted path), or "" when unknown */
char *compose_where (struct compose_project *p, const char *key);
/* how many containers a service runs: scale, else deploy.replicas, else 1 */
int compose_service_scale (struct compose_project *p, const char *service, long *n, lcr_error_t *err);
/* two services (or replicas) publishing the same host port; an error naming them */
int compose_check_ports (struct compose_project *p, lcr_error_t *err);
/* is this service defined (enabled or disabled by its profiles)? */
bool compose_service_known (struct compose_project *p, const char *service);

/* yaml-load.c: one file → a checked, interpolated tree (services not yet normalized); where
   (may be NULL) gets each key's "FILE:LINE" */
jv compose_yaml_load (const char *path, jv env, jv where, lcr_error_t *err);

/* resolve.c: one file → its normalized tree, with its `include`s imported (each against its
   own directory) and its services' `extends` applied; depth counts the nesting */
jv compose_load_file (const char *path, const char *workdir, jv env, jv where, int depth, lcr_error_t *err);

/* interp.c */
/* `$V ${V} ${V:-d} ${V-d} ${V:?e} ${V?e} ${V:+r} ${V+r} $$` from env; where = "FILE:LINE" */
char *compose_interpolate (const char *s, jv env, const char *where, lcr_error_t *err);
/* KEY=VALUE lines (# comments, blank lines, optional quotes) into obj; a missing file is an
   error only when must_exist */
int compose_dotenv_read (const char *path, jv obj, bool must_exist, lcr_error_t *err);
/* split a command string into words as a shell would (quotes and backslashes, no expansion) */
int compose_shell_split (const char *s, jv arr, lcr_error_t *err);

/* merge.c */
/* normalize a file's services in place (paths against workdir) */
int compose_normalize (jv file, const char *workdir, lcr_error_t *err);
/* lay `over` on `base` (both normalized) by the spec's rules; takes nothing from over */
void compose_merge (jv base, jv over);

/* emit.c: a jv tree as block YAML */
void compose_emit_yaml (FILE *out, jv v);

/* exec.c: dock's commands as children */
struct compose_args
{
  char **v;
  size_t n, cap;
};
void compose_args_init (struct compose_args *a, struct dock_ctx *ctx, const char *cmd);
void compose_args_add (struct compose_args *a, const char *s);
void compose_args_addf (struct compose_args *a, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
void compose_args_release (struct compose_args *a);
/* run; out != NULL: capture stdout (malloc'd); quiet: stderr to /dev/null.  Returns the exit
   status (>= 0) or -1 with *err when it could not be run. */
int compose_run (struct compose_args *a, char **out, bool quiet, lcr_error_t *err);
/* start with stdout+stderr on a pipe whose read end is *fd; returns the pid */
pid_t compose_spawn_pipe (struct compose_args *a, int *fd, lcr_error_t *err);
/* replace this process (exec, run) */
int compose_exec (struct compose_args *a);

/* project.c: what exists of a project */
/* the project's containers as `dock inspect` gives them (an array); service: NULL for all;
   oneoff: include `run` containers */
jv compose_containers (struct dock_ctx *ctx, const char *project, const char *service, bool all, bool oneoff,
                       lcr_error_t *err);
bool compose_exists (struct dock_ctx *ctx, const char *kind, const char *name);
const char *compose_label (jv ctr, const char *key);
const char *compose_ctr_name (jv ctr); /* without the leading '/' */
bool compose_ctr_running (jv ctr);
int compose_create_networks (struct dock_ctx *ctx, struct compose_project *p, lcr_error_t *err);
int compose_create_volumes (struct dock_ctx *ctx, struct compose_project *p, lcr_error_t *err);
/* the networks a service joins: model keys, in order */
jv compose_service_networks (struct compose_project *p, const char *service);

/* up.c */
int compose_build_service (struct dock_ctx *ctx, struct compose_project *p, const char *svc, lcr_error_t *err);
int compose_ensure_image (struct dock_ctx *ctx, struct compose_project *p, const char *svc, bool build,
                          lcr_error_t *err);
/* the `dock create` arguments of a service's container (not the trailing IMAGE CMD) */
int compose_create_args (struct compose_project *p, const char *svc, struct compose_args *a, bool oneoff,
                         lcr_error_t *err);
/* image and command words */
void compose_image_cmd_args (struct compose_project *p, const char *svc, struct compose_args *a, char **cmd_override,
                             size_t n_override);
/* create (or keep, when its config hash is the same and !recreate, or whatever it is when
   keep_changed) and start the services' containers, in order, as many as each one's scale
   (removing the highest numbers beyond it); force_build: build what has a build section even
   when its image exists */
int compose_up_services (struct dock_ctx *ctx, struct compose_project *p, char **order, size_t n, bool recreate,
                         bool keep_changed, bool force_build, lcr_error_t *err);
char *compose_config_hash (struct compose_project *p, const char *svc);
/* the project's containers of services defined nowhere in the files: removed, or named in a
   warning */
int compose_orphans (struct dock_ctx *ctx, struct compose_project *p, bool remove, lcr_error_t *err);

/* logs.c: follow or dump the containers' logs with "name  | " prefixes; stop_flag: set by a
   signal handler to end following */
int compose_logs_mux (struct dock_ctx *ctx, jv containers, bool follow, const char *tail, volatile int *stop_flag,
                      lcr_error_t *err);

#endif
