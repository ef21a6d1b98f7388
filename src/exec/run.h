/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running the command in the target: its standard streams (a pty of the
 * container's, or bytes passed straight through with no terminal reaching the
 * container), its environment, user and confinement, then waiting for it while
 * forwarding signals and the window size. Or, with -e, through the runtime's own
 * exec. Returns the exit status crashcart exits with. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "exec/target.h"
#include "resolve/resolve.h"

/* As docker and podman: 125 crashcart failed, 126 cannot execute, 127 not found. */
#define EXIT_CRASHCART 125
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND 127

struct run_request {
        char *const *argv;      /* the command */
        int tty;                /* 1 a pty, 0 none, -1 a pty when stdin is a terminal */
        const char *user;       /* docker exec's --user spec (NAME|UID[:GROUP|GID]); NULL: root */
        const char *workdir;    /* in the container; NULL: / */
        bool workdir_or_root;   /* workdir is the runtime's configured one: / when it cannot be entered */
        char *const *envs;      /* KEY=VALUE from --env, in order */
        size_t n_envs;
        bool env_from_target;
        const char *target_environ;     /* the target's environment, NUL-separated, when it is
                                         * not its init's (a post-mortem sandbox: the
                                         * container's configuration); NULL: /proc/PID/environ */
        size_t target_environ_len;
        bool left_out_said;     /* the caller told what of the target's environment is left out */
        char *const *env_take;  /* --env-from-target=NAME,PREFIX*: taken besides the allowlist */
        size_t n_env_take;
        bool confined;
        bool privileged;        /* every capability, none dropped */
        bool force;             /* -f: a target that could ptrace the command is accepted */
        int keep_fd;            /* a descriptor the command's process holds until exec (the
                                 * reaper's socket); 0 when not set: none */
        dev_t cart_dev;         /* the cart's filesystem: its files cannot change */
        bool use_runtime_exec;  /* -e */
        void (*started)(pid_t pid, void *userdata); /* told the command's PID once it runs (the
                                                     * run's reaper); NULL: nobody */
        void *started_userdata;
        const sigset_t *forwarded;      /* blocked by the caller, with SIGCHLD */
        const sigset_t *sigmask;        /* the mask to restore in the command */
};

int run_command(const struct run_request *req, const struct resolve_ctx *ctx, const struct target *t);
