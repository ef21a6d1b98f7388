/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The post-mortem sandbox: a container that does not run (or an image), made
 * into a process that crashcart can enter as it enters a running container. Its
 * init lives in fresh mount, PID, UTS, IPC and network namespaces; its root is a
 * new overlay whose lower layers are the container's own (its writable layer on
 * top), so nothing the sandbox does can reach them; its volumes are bound
 * read-only, its tmpfs mounts made anew, empty; /proc, /sys, a minimal /dev and
 * the cart at /dev/crashcart are its own (and a core at SANDBOX_CORE_DIR, when
 * one is brought). Nothing of it is on the host: it dies with its init, which
 * dies with crashcart. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "resolve/spec.h"

/* Which step failed, so the command layer can say it in words. */
enum sandbox_stage {
        SANDBOX_STAGE_NONE,
        SANDBOX_STAGE_FORK,       /* clone with the new namespaces */
        SANDBOX_STAGE_PRIVATE,    /* making the mount namespace private */
        SANDBOX_STAGE_SCRATCH,    /* the tmpfs for the overlay's upper layer */
        SANDBOX_STAGE_LAYER,      /* a layer of the root filesystem is gone (index) */
        SANDBOX_STAGE_OVERLAY,
        SANDBOX_STAGE_PROC,
        SANDBOX_STAGE_SYS,
        SANDBOX_STAGE_DEV,
        SANDBOX_STAGE_CART,
        SANDBOX_STAGE_CORE,       /* the core crashcart brought */
        SANDBOX_STAGE_VOLUME,     /* a volume or bind mount (index) */
        SANDBOX_STAGE_TMPFS,      /* a tmpfs mount (index) */
        SANDBOX_STAGE_HOSTNAME,
        SANDBOX_STAGE_LOOPBACK,
        SANDBOX_STAGE_READONLY,
        SANDBOX_STAGE_PIVOT,
};

const char *sandbox_stage_to_string(enum sandbox_stage stage);

/* Where the sandbox shows a core that crashcart brought (--core). */
#define SANDBOX_CORE_DIR "/dev/coredump"

struct sandbox_request {
        const struct container_spec *spec;
        int cart_mntfd;         /* the cart, a detached mount */
        int core_mntfd;         /* a detached mount shown at SANDBOX_CORE_DIR; -EBADF: none */
        bool writable;          /* --writable: the view is writable, into a tmpfs that goes */
        const char *hostname;
};

struct sandbox_error {
        int error;              /* -errno */
        enum sandbox_stage stage;
        int index;              /* of the layer or mount, for those stages */
};

struct sandbox {
        pid_t pid;              /* its init, in crashcart's PID namespace */
        int life_fd;            /* its end closed, the init exits */
};

#define SANDBOX_INIT { .pid = 0, .life_fd = -EBADF }

/* Starts the sandbox's init and waits until its root is ready. The caller
 * blocked SIGCHLD; the init is its child. -EINTR: interrupted (interrupt.h). */
int sandbox_start(const struct sandbox_request *req, struct sandbox *ret, struct sandbox_error *ret_err);
/* Ends the init, and with it every process and mount of the sandbox. */
void sandbox_stop(struct sandbox *sb);
