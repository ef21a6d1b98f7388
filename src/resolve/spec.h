/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a container that does not run (or an image that never ran) is on disk,
 * for the post-mortem sandbox: its root filesystem as layers, its volumes and
 * bind mounts, and the environment, user, working directory and hostname of its
 * configuration. Read from the runtime's own root-owned state or API, never from
 * a file the container could write. The parsers are exposed for unit tests and
 * fuzzing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resolve/resolve.h"

struct spec_mount {
        char *source;           /* a host path */
        char *destination;      /* a path in the container */
};

/* A tmpfs the container had: empty when it started, what it wrote there gone,
 * the image's files beneath hidden. */
struct spec_tmpfs {
        char *destination;      /* a path in the container */
        uint64_t size;          /* bytes; 0: tmpfs's default */
        int mode;               /* of its root, at most 07777; -1: tmpfs's default */
};

struct container_spec {
        char **layers;          /* directories, top first: the container's own
                                 * writable layer, then its image's layers */
        size_t n_layers;
        struct spec_mount *mounts;
        size_t n_mounts;
        struct spec_tmpfs *tmpfs;
        size_t n_tmpfs;
        char *environ;          /* NUL-separated KEY=VALUE, as /proc/PID/environ */
        size_t environ_len;
        char *user;             /* docker exec --user's form; NULL: root */
        char *workdir;          /* NULL: / */
        char *hostname;         /* NULL: the id's first 12 characters */
        bool has_config;        /* environment, user and workdir were found */
        uint64_t started_usec;  /* its last run, microseconds since the epoch, from */
        uint64_t finished_usec; /* the runtime's state; 0: not known */
};

void container_spec_done(struct container_spec *s);

/* Docker's (and Podman's compatible) GET /containers/ID/json or /images/ID/json:
 * GraphDriver.Data (UpperDir, then LowerDir's layers), Mounts, Config (Env, User,
 * WorkingDir, Hostname), the files the engine binds (HostsPath,
 * ResolvConfPath, HostnamePath), and the tmpfs mounts (HostConfig.Tmpfs, and
 * HostConfig.Mounts' and Mounts' of Type "tmpfs"). -EOPNOTSUPP: a storage driver
 * other than overlay; -EBADMSG: not such a document. */
int spec_parse_engine_inspect(const char *body, size_t len, struct container_spec *ret);

/* A time as Docker and Podman write theirs (RFC 3339, UTC or with an offset),
 * in microseconds since the epoch. -EINVAL: not one, or Go's zero time. */
int spec_parse_time(const char *text, uint64_t *ret);

/* An OCI runtime config.json (runc's and crun's bundles, Podman's userdata):
 * root.path (relative to bundle when not absolute; rootfs, when given, wins),
 * process.env, process.user, process.cwd, hostname, its bind mounts and its tmpfs
 * mounts (but /dev's and /sys's, which every container has and the sandbox
 * makes itself). */
int spec_parse_oci_config(const char *body, size_t len, const char *bundle, const char *rootfs,
                          struct container_spec *ret);

/* An LXC container's config (LXCPATH/NAME/config): lxc.rootfs.path (a
 * directory, "dir:" or none; other backends -EOPNOTSUPP), lxc.mount.entry's bind
 * mounts (fstab lines, the destination relative to the rootfs), lxc.environment,
 * lxc.uts.name, lxc.init.cwd, lxc.init.uid and lxc.init.gid. lxc.include is not
 * followed. */
int spec_parse_lxc_config(const char *body, size_t len, struct container_spec *ret);

/* A systemd-nspawn machine's .nspawn settings, applied to ret (whose root is
 * the machine's directory): [Exec] Environment=, User=, WorkingDirectory=,
 * Hostname=; [Files] Bind= and BindReadOnly= (SOURCE[:DEST[:OPTIONS]]). */
int spec_parse_nspawn_settings(const char *body, size_t len, struct container_spec *ret);

/* containers/storage's layers.json: the chain of diff directories from layer
 * up to the base, under storage_dir (".../storage"), appended to ret->layers. */
int spec_parse_storage_layers(const char *body, size_t len, const char *storage_dir, const char *layer,
                              struct container_spec *ret);

/* An image's configuration (the OCI image config, as containers/storage keeps
 * it): config.Env, config.User and config.WorkingDir, applied to ret. */
int spec_parse_image_config(const char *body, size_t len, struct container_spec *ret);

/* The file name containers/storage gives an image's big-data item of key: the
 * key itself when it is only lowercase letters, digits and dots, else "=" and its
 * standard base64 (an image's config is under its digest, "sha256:..."). -EINVAL:
 * a name that could not be a file's; -ENAMETOOLONG: not within size. */
int spec_storage_big_data_name(const char *key, char *buf, size_t size);

/* Whether s can be an image reference: [A-Za-z0-9][A-Za-z0-9._/:@-]*, no "..",
 * at most 255 characters. Anything else is never sent to an API. */
bool spec_image_ref_is_valid(const char *s);

/* The spec of a container the resolver found (not running), through its
 * runtime's entry in the runtime table. -EOPNOTSUPP: the runtime cannot say. */
int container_spec_get(const struct resolve_ctx *ctx, const struct candidate *c, struct container_spec *ret);

/* An image that never ran: Docker's, else Podman's (or only runtime's); Podman's
 * from its storage when its service does not answer, the configuration from the
 * image's config blob there. *ret_runtime names who had it. -ENOENT: none has it;
 * -ENOTUNIQ: both have one of that name (--runtime chooses). */
int image_spec_get(const struct resolve_ctx *ctx, const char *ref, const char *runtime, const char **ret_runtime,
                   struct container_spec *ret);

/* The runtime table's spec entries. */
int docker_spec(const struct resolve_ctx *ctx, const struct candidate *c, struct container_spec *ret);
int podman_spec(const struct resolve_ctx *ctx, const struct candidate *c, struct container_spec *ret);
int runc_spec(const struct resolve_ctx *ctx, const struct candidate *c, struct container_spec *ret);
int crun_spec(const struct resolve_ctx *ctx, const struct candidate *c, struct container_spec *ret);
int lxc_spec(const struct resolve_ctx *ctx, const struct candidate *c, struct container_spec *ret);
int nspawn_spec(const struct resolve_ctx *ctx, const struct candidate *c, struct container_spec *ret);
