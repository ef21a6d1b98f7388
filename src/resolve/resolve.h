/* SPDX-License-Identifier: GPL-2.0-or-later */
/* From what the user typed to the PID of a container's init. Each runtime is a
 * resolver in one table (resolve.c); a new runtime is one more entry. Resolvers
 * read the host through ctx->root_fd, so unit tests give them fixture trees. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct container_spec;

struct candidate {
        char *runtime;  /* "docker", "podman", "containerd", "cri-o", "runc", "crun", "lxc", "nspawn", "rkt", "pid", "cgroup" */
        char *id;
        char *name;     /* NULL where the runtime has no names */
        char *ns;       /* containerd namespace, LXC path, runc/crun root: what its exec needs */
        char *address;  /* containerd's socket, for ctr --address; NULL: ctr's default */
        pid_t pid;      /* the container's init; 0 when not running or not known yet */
        bool running;
        char *workdir;  /* its configured working directory (WorkingDir, OCI process.cwd); NULL: not known */
        char **labels;  /* its labels, "KEY=VALUE" each, from the engine's API */
        size_t n_labels;
        bool has_labels; /* the runtime told its labels (none, perhaps): Docker, Podman's API */
};

struct candidates {
        struct candidate *v;
        size_t n;
};

struct resolve_ctx {
        int root_fd;    /* the host's / (a fixture tree in unit tests) */
        bool use_api;   /* ask runtimes' API sockets (off for fixture trees) */
        uid_t state_uid; /* who owns trusted runtime state: root (the unit tests' own uid) */
};

enum runtime_kind {
        RUNTIME_PROCESS,        /* "pid": a process, named by its PID; no container id */
        RUNTIME_CONTAINER,      /* a runtime whose containers have ids (and maybe names) */
        RUNTIME_SCAN,           /* "cgroup": an id found in the cgroups, no runtime to ask;
                                 * asked last, and only when no runtime knew the id */
};

/* What a runtime's own exec needs (-e). */
struct runtime_exec_args {
        const char *id;
        const char *ns;         /* the candidate's ns: containerd namespace, runc root, LXC path */
        const char *address;    /* the candidate's address: containerd's socket */
        bool tty;
        const char *exec_id;    /* names the exec, for ctr */
};
#define RUNTIME_EXEC_MAX 16

/* One entry of the runtime table (runtimes.c). */
struct runtime {
        const char *name;
        enum runtime_kind kind;
        /* Adds every container of this runtime that id names (exact id, unique id
         * prefix, name). A runtime that is not on this host adds nothing and
         * returns 0 or -errno; neither stops the others from being asked. */
        int (*lookup)(const struct resolve_ctx *ctx, const char *id, struct candidates *out);
        /* Adds every container of this runtime (running or not); NULL: none to list. */
        int (*list)(const struct resolve_ctx *ctx, struct candidates *out);
        /* The runtime's own exec command line up to the command; NULL: it has none. */
        size_t (*exec_prefix)(const struct runtime_exec_args *a, const char **v);
        /* What a container of this runtime that does not run is on disk, for the
         * post-mortem sandbox (resolve/spec.h); NULL: the runtime cannot say. */
        int (*spec)(const struct resolve_ctx *ctx, const struct candidate *c, struct container_spec *ret);
};

/* The table, ended by an entry whose name is NULL, in the order of asking. */
const struct runtime *runtime_table(void);
/* The entry of a runtime name ("docker", "pid", ...), or NULL. */
const struct runtime *runtime_get(const char *name);
/* Whether a candidate of this runtime is a container that the runtime knows (not
 * a bare PID nor a cgroup-scan hit): one that the runtime's exec can name. */
bool runtime_names_container(const char *name);
/* Whether a candidate of this runtime has an id (all but a bare PID). */
bool runtime_has_ids(const char *name);
/* argv for running cmd through the runtime's own exec (NULL-terminated; free the
 * array only: the strings are the arguments' or static). -EOPNOTSUPP: it has none. */
int runtime_exec_argv(const struct runtime *rt, const struct runtime_exec_args *a, char *const *cmd,
                      char ***ret_argv);

int candidates_add(struct candidates *c, const char *runtime, const char *id, const char *name, const char *ns,
                   pid_t pid, bool running);
/* Sets the address of the candidate added last. */
int candidates_set_address(struct candidates *c, const char *address);
/* What the last candidate added also has: its working directory (absolute, else
 * ignored), a label (has_labels is set by the first, or by
 * candidate_labels_known for a container with none). */
int candidate_set_workdir(struct candidate *c, const char *dir);
int candidate_add_label(struct candidate *c, const char *key, const char *value);
void candidate_labels_known(struct candidate *c);
void candidates_done(struct candidates *c);
/* Removes later candidates that are the same container (same init PID, or same
 * 64-digit id) seen through another runtime: Docker's containers are also
 * containerd's and runc's. The runtime asked first (the one nearest the user) is
 * kept. */
void candidates_dedup(struct candidates *c);

/* Asks every resolver (or only runtime, when not NULL) about id. *ret_asked lists
 * the runtimes asked, for the error message. A PID (digits naming a live process)
 * wins without asking any runtime. -EINVAL: id's scheme contradicts runtime. */
int resolve_id(const struct resolve_ctx *ctx, const char *id, const char *runtime, struct candidates *ret,
               char **ret_asked);
/* Every container of every runtime (or of one). */
int resolve_list(const struct resolve_ctx *ctx, const char *runtime, struct candidates *ret);

/* Splits a Kubernetes-style "runtime://id": returns the id part and sets
 * *ret_runtime ("docker", "containerd", "cri-o") or NULL. */
const char *resolve_strip_scheme(const char *id, const char **ret_runtime);

/* Whether s can be a container id or name: [A-Za-z0-9][A-Za-z0-9_.-]*, at most
 * 253 characters. Anything else is never sent to an API nor used in a path. */
bool resolve_id_is_valid(const char *s);
/* A name of at most max characters: [A-Za-z0-9], then those, '_', '.', '-' and
 * the characters of extra. */
bool resolve_name_is_valid(const char *s, size_t max, const char *extra);

/* 2: s is id exactly; 1: id is a prefix of s; 0: neither. */
int resolve_match(const char *s, const char *id);

/* ---- helpers shared by the resolvers (resolve.c) ---- */

/* Whether a runtime's state file or directory (relative to dirfd, not followed
 * if a symlink) is root's and writable by no one else (a group-writable one by
 * root's group only): a name read from it was written by the runtime, not by a
 * container. */
bool resolve_state_is_trusted(const struct resolve_ctx *ctx, int dirfd, const char *path);
/* Whether process pid is a runtime's own process on the host, never one of a
 * container's: root (real and effective uid 0 in the host's user namespace), in
 * crashcart's PID namespace, with the host's / as its root. A process title or
 * command line is a name only then. */
bool resolve_process_is_host_root(const struct resolve_ctx *ctx, pid_t pid);

/* A PID read from a pidfile relative to dirfd; 0 when missing, empty or dead. */
pid_t read_pidfile_at(const struct resolve_ctx *ctx, int dirfd, const char *path);
/* Whether /proc/PID exists under ctx's root. */
bool pid_alive(const struct resolve_ctx *ctx, pid_t pid);
/* Keeps only exact matches when there is one: "abc" names container abc even if
 * abcd exists. Applies to candidates [from, c->n). */
void candidates_prefer_exact(struct candidates *c, size_t from, const char *id);

/* The container id a cgroup path component names ("docker-<id>.scope",
 * "libpod-<id>.scope", "cri-containerd-<id>.scope", "crio-<id>.scope", or a plain
 * 64-digit id); 0 when none. Conmon's scopes are never containers. */
size_t cgroup_component_id(const char *comp, size_t len, const char **ret);
/* The machine name of a systemd-nspawn command line (NUL-separated). */
const char *nspawn_machine_name(const char *cmdline, size_t len, char *buf, size_t size);

/* ---- the resolvers ---- */
int docker_lookup(const struct resolve_ctx *ctx, const char *id, struct candidates *out);
int docker_list(const struct resolve_ctx *ctx, struct candidates *out);
int podman_lookup(const struct resolve_ctx *ctx, const char *id, struct candidates *out);
int podman_list(const struct resolve_ctx *ctx, struct candidates *out);
int crio_lookup(const struct resolve_ctx *ctx, const char *id, struct candidates *out);
int crio_list(const struct resolve_ctx *ctx, struct candidates *out);
int containerd_lookup(const struct resolve_ctx *ctx, const char *id, struct candidates *out);
int containerd_list(const struct resolve_ctx *ctx, struct candidates *out);
int runc_lookup(const struct resolve_ctx *ctx, const char *id, struct candidates *out);
int runc_list(const struct resolve_ctx *ctx, struct candidates *out);
int crun_lookup(const struct resolve_ctx *ctx, const char *id, struct candidates *out);
int crun_list(const struct resolve_ctx *ctx, struct candidates *out);
int rkt_lookup(const struct resolve_ctx *ctx, const char *id, struct candidates *out);
int rkt_list(const struct resolve_ctx *ctx, struct candidates *out);
int lxc_lookup(const struct resolve_ctx *ctx, const char *id, struct candidates *out);
int lxc_list(const struct resolve_ctx *ctx, struct candidates *out);
int nspawn_lookup(const struct resolve_ctx *ctx, const char *id, struct candidates *out);
int nspawn_list(const struct resolve_ctx *ctx, struct candidates *out);
int cgroup_scan_lookup(const struct resolve_ctx *ctx, const char *id, struct candidates *out);
int cgroup_scan_list(const struct resolve_ctx *ctx, struct candidates *out);

/* containers/storage, shared by Podman and CRI-O: id NULL lists all. */
int storage_lookup(const struct resolve_ctx *ctx, const char *runtime, const char *id, struct candidates *out);

/* The containerd tasks' directories of the containerds that run here, each
 * with its namespaces below (<state>/io.containerd.runtime.v2.task), wherever
 * their state is: found through the command lines and working directories of
 * their shims (exposed for unit tests). */
struct task_root {
        char *path;     /* absolute */
        char *address;  /* the shim's -address: containerd's socket */
};
int containerd_shim_roots(const struct resolve_ctx *ctx, struct task_root **ret, size_t *ret_n);
void task_roots_free(struct task_root *v, size_t n);
/* The namespace, id and address of a shim's command line (NUL-separated):
 * containerd-shim-runc-v2 -namespace NS -id ID -address ADDR ... */
int containerd_shim_cmdline(const char *cmdline, size_t len, const char **ret_ns, const char **ret_id,
                            const char **ret_address);

/* The API sockets: $DOCKER_HOST / $CONTAINER_HOST when they name a unix socket. */
const char *docker_socket_path(void);
const char *podman_socket_path(void);
