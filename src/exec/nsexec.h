/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running the command inside the container: cgroup, namespaces, root, credentials,
 * a clean descriptor table, exec; then waiting for it while forwarding signals. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "exec/target.h"

enum exec_stage {
        EXEC_STAGE_NONE,
        EXEC_STAGE_FORK,
        EXEC_STAGE_CGROUP,
        EXEC_STAGE_NAMESPACES,
        EXEC_STAGE_ROOT,
        EXEC_STAGE_USER,        /* --user names no user (-ESRCH) or group (-ENOENT) */
        EXEC_STAGE_WORKDIR,
        EXEC_STAGE_TTY,
        EXEC_STAGE_CREDENTIALS,
        EXEC_STAGE_CONFINE,
        EXEC_STAGE_LSM,         /* --confined: the target's LSM label */
        EXEC_STAGE_FDS,
        EXEC_STAGE_EXEC,
};

/* The stage in words ("cannot enter the container's root"), for the message of a
 * failure at it. */
const char *exec_stage_to_string(enum exec_stage stage);

struct confinement;

struct exec_request {
        int keep_fd;            /* held until exec (the reaper's socket: its end says the run's
                                 * processes are gone); -EBADF: none */
        char *const *argv;
        char *const *envp;      /* the whole environment of the command */
        const sigset_t *sigmask; /* the mask to restore in the command */
        const char *user;       /* docker exec's --user spec; NULL: root */
        bool home_from_user;    /* HOME was not given: the user's home */
        const char *workdir;    /* in the container; NULL: / */
        bool workdir_or_root;   /* stay at / when workdir cannot be entered (the configured one, as
                                 * docker exec's default, may be gone) */
        bool pty;               /* a pseudo-terminal from the container's devpts */
        int host_pty_slave;     /* the fallback when the container has none, or -1 */
        int pty_sock;           /* where the master goes (SCM_RIGHTS), or -1 */
        int stdio[3];           /* descriptors for 0, 1, 2 (when no pty) */
        const struct confinement *confine; /* NULL: crashcart's own, less the default drops */
        bool privileged;        /* without confine: every capability (--privileged) */
        dev_t cart_dev;         /* the cart's filesystem (read-only, the cart's own), or 0 */
};

struct exec_error {
        int error;      /* -errno */
        enum exec_stage stage;
};

/* The signals crashcart forwards to the command. */
void forwarded_signals(sigset_t *ret);

/* Starts argv inside all the target's namespaces. *ret_pid is the command's PID in
 * the host's PID namespace; it is crashcart's child (crashcart must be a child
 * subreaper). Returns -errno with *ret_err saying which step failed. */
int ns_spawn(const struct target *t, const struct exec_request *req, pid_t *ret_pid, struct exec_error *ret_err);

/* Receives the pty master the command sent (after ns_spawn returned): *ret_fd is
 * -1 when the command uses the host's fallback pty. */
int recv_pty_master(int sock, int *ret_fd);

/* Waits for pid, forwarding the signals in fwd (which the caller has blocked
 * together with SIGCHLD). Returns the wait status. */
int wait_forwarding(pid_t pid, const sigset_t *fwd, int *ret_status);
