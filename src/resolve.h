/* SPDX-License-Identifier: GPL-2.0-or-later */
/* From what the user typed to the PID of a container's init. Each runtime is a
 * resolver in one table; a new runtime is one more entry. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct candidate {
        char *runtime;
        char *id;
        char *name;
        pid_t pid;      /* 0 when not running */
        bool running;
};

struct candidates {
        struct candidate *v;
        size_t n;
};

struct resolver {
        const char *name;
        /* Adds every container of this runtime that id names (exact id, unique
         * prefix, name). -ENOENT, -ECONNREFUSED...: the runtime is not here, which
         * is not an error for the others. */
        int (*lookup)(const char *id, struct candidates *out);
};

int candidates_add(struct candidates *c, const char *runtime, const char *id, const char *name, pid_t pid,
                   bool running);
void candidates_done(struct candidates *c);

/* Asks every resolver (or only the one named runtime) about id. *ret_asked lists
 * the runtimes that answered or were tried, for the error message. A PID (all
 * digits, and such a process exists) wins without asking any runtime. */
int resolve_id(const char *id, const char *runtime, struct candidates *ret, char **ret_asked);

/* Splits a Kubernetes-style "runtime://id" into its parts; returns the id part and
 * sets *ret_runtime (to "docker", "containerd", "cri-o") or leaves it NULL. */
const char *resolve_strip_scheme(const char *id, const char **ret_runtime);

/* Whether s can be a container id or name: [A-Za-z0-9][A-Za-z0-9_.-]*, at most
 * 253 characters. Anything else is never sent to an API. */
bool resolve_id_is_valid(const char *s);

int docker_lookup(const char *id, struct candidates *out);
/* The Docker socket: $DOCKER_HOST when it is unix://PATH, else /var/run/docker.sock. */
const char *docker_socket_path(void);
