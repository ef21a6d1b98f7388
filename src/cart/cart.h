/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The cart's life cycle, as crashcart's operations use it: make sure a cart is
 * mounted in a container (and record who uses it), release it when the last run
 * ends, unmount it, or mount it at a host directory. One path opens the image and
 * its loop device for all of them. These functions log what went wrong, with
 * context, and return -errno; the command layer picks the exit status. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "exec/target.h"

struct cart_request {
        const char *image;      /* the image file or directory; NULL: none was found */
        int image_fd;           /* image opened O_PATH before crashcart joined the host's mount
                                 * namespace; -EBADF: open image when needed (image_open) */
        bool image_explicit;    /* named by -i or $CRASHCART_IMAGE, not the default */
        bool legacy;            /* --legacy-mount */
        bool force;             /* a busy cart is detached lazily */
        const char *out_dir;    /* --out: the host's directory put at /dev/crashcart/out, or NULL */
        uid_t out_uid;          /* who owns what lands there (SUDO_UID or root) */
        gid_t out_gid;
};

/* A run's hold on the cart of one container's mount namespace. */
struct cart_hold {
        char session[80];       /* the session file's name in the runtime directory */
        bool recorded;          /* this run is a user in the session */
        dev_t cart_dev;         /* the cart's filesystem, as mounted in the container */
};

struct reaper;

/* Makes sure the cart is at /dev/crashcart in the target, with req->out_dir at
 * /dev/crashcart/out when given (it goes with the cart). pin (-m): it stays
 * mounted until 'crashcart -u'; otherwise this run is recorded as a user, and the
 * last user out unmounts a cart that a run mounted. The reaper, when not NULL,
 * is told when the cart is about to be placed and when the session records it.
 * A placement cut short by a signal is undone before this returns. */
int cart_acquire(const struct cart_request *req, const struct target *t, int rundir_fd, bool pin,
                 struct reaper *reaper, struct cart_hold *ret);
/* This run is done with the cart: the last run out unmounts it. */
void cart_leave(const struct cart_request *req, const struct target *t, int rundir_fd, struct cart_hold *h);
/* A cart a run was placing, as its reaper knows it. */
struct cart_placing {
        uint64_t mnt_id;        /* 0: not known before the mount (mount(2)) */
        dev_t dev;
};

/* What the reaper of a run that was killed does, after the run's command (if
 * any) has exited: under the session's lock, the run (PID run_pid) is no user
 * any more; a cart placed by it and never recorded (placing != NULL: killed
 * between the two) is unmounted, if it is at /dev/crashcart, is that device
 * (and mount) and the session has no record of it; and the last user out
 * unmounts a cart a run mounted, as cart_leave. The lock, which the run held
 * across the placement and which its helpers hold until they die with it,
 * guarantees that no other run placed that cart. A cart mounted with -m, or
 * another live run's, is never touched. */
int cart_reap(const struct cart_request *req, const struct target *t, int rundir_fd, const char *session,
              pid_t run_pid, const struct cart_placing *placing);
/* -u: unmounts the cart from the target, whoever mounted it. */
int cart_remove(const struct cart_request *req, const struct target *t, int rundir_fd);

/* --host DIR: mounts the cart read-only at a host directory (for containers still
 * to be started with DIR bound at /dev/crashcart), or with unmount, releases it. */
int cart_host_dir(const struct cart_request *req, const char *dir, bool unmount, int rundir_fd);

/* --all: the cart's loop device held open (*ret_fd; -EBADF for a directory
 * cart) while the jobs run, so that every one of them finds the same device
 * and none frees it between two mounts. Closing it lets autoclear free it. */
int cart_source_hold(const struct cart_request *req, int rundir_fd, int *ret_fd);

/* --manifest: the file `name` at the cart's top (CART_MANIFEST_NAME), read from
 * a mount of the cart that is never attached anywhere (a detached mount on the
 * host, gone when its descriptor closes; the loop device frees itself after
 * it). -ENOENT when the cart has no such file (logged). */
int cart_read_file(const struct cart_request *req, int rundir_fd, const char *name, char **ret, size_t *ret_len);

/* The cart for a post-mortem sandbox: a detached mount of the image (read-only,
 * nosuid, nodev), attached by whoever takes the descriptor; the loop device frees
 * itself when the mount goes. *ret_dev: the cart's filesystem, whose files the
 * command may run from. */
int cart_open_detached(const struct cart_request *req, int rundir_fd, int *ret_mntfd, dev_t *ret_dev);
