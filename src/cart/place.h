/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Placing the cart at /dev/crashcart inside the container, and taking it away. The
 * work is done by a short-lived helper that joined the container's mount namespace
 * and root; it reports one place_reply back to the caller. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cart/layout.h"
#include "exec/target.h"

/* Which step failed, so the command layer can say it in words. */
enum place_stage {
        PLACE_STAGE_NONE,
        PLACE_STAGE_HELPER,       /* fork, pipe */
        PLACE_STAGE_JOIN,         /* setns, chroot */
        PLACE_STAGE_DEV,          /* the container's /dev: missing or a symlink */
        PLACE_STAGE_SYMLINK,      /* /dev/crashcart is a symlink */
        PLACE_STAGE_NOTDIR,       /* /dev/crashcart is not a directory */
        PLACE_STAGE_OTHER_MOUNT,  /* another filesystem is mounted at /dev/crashcart */
        PLACE_STAGE_SHARED,       /* /dev is a shared-propagation mount */
        PLACE_STAGE_MOUNTINFO,
        PLACE_STAGE_MKDIR,
        PLACE_STAGE_DEV_RW,       /* making a read-only /dev writable */
        PLACE_STAGE_DEV_RESTORE,
        PLACE_STAGE_MOVE,         /* move_mount */
        PLACE_STAGE_FREEZE,       /* freezing the container while /dev is writable */
        PLACE_STAGE_DEV_ROOT,     /* /dev is a directory of a read-only root */
        PLACE_STAGE_MOUNT,        /* mount(2) of the fallback */
        PLACE_STAGE_VERIFY,
        PLACE_STAGE_BUSY,         /* the cart is in use */
        PLACE_STAGE_UMOUNT,
        PLACE_STAGE_RMDIR,
        PLACE_STAGE_OUT,          /* attaching --out's directory at /dev/crashcart/out */
        PLACE_STAGE_OUT_MISSING,  /* the cart has no out/ to attach it on */
        PLACE_STAGE_OUT_OTHER,    /* another directory is at /dev/crashcart/out */
};

/* The stage in words, for the error message. */
const char *place_stage_to_string(enum place_stage stage);

struct place_reply {
        int error;              /* 0 or -errno */
        enum place_stage stage; /* of the error */
        int mounted;            /* after the call: 1 a cart is at /dev/crashcart */
        int changed;            /* this call mounted (or unmounted) */
        uint64_t mnt_id;        /* of the cart's mount, unique where the kernel has it */
        uint64_t dev;           /* st_dev of the mounted cart */
        uint64_t ino;           /* st_ino of its root */
        pid_t other_pid;        /* PLACE_STAGE_SHARED: a process of the namespace it would reach;
                                 * PLACE_STAGE_FREEZE: a process of the container's outside its cgroup */
        int unfrozen;           /* /dev was made writable without freezing the container (unfrozen_ok) */
};

struct place_request {
        int mntfd;              /* the detached cart (new API), or -EBADF */
        bool legacy;            /* the fallback: mount(2) on descriptors */
        int loop_fd;            /* for the fallback: the loop device crashcart attached */
        dev_t loop_rdev;        /* for the fallback, and to recognise the cart */
        const char *fstype;     /* for the fallback */
        uint32_t root_uid, root_gid; /* the container's root, as host ids */
        bool query_only;        /* only report what is mounted, change nothing */
        bool unfrozen_ok;       /* -f: a read-only /dev made writable even where the
                                 * container cannot be frozen for that moment */
        int lock_fd;            /* the session's lock, which a guardian keeps until it has
                                 * undone its moment: no run, nor a killed run's reaper,
                                 * touches the cart meanwhile; -EBADF: none */
};

int cart_place(const struct target *t, const struct place_request *req, struct place_reply *ret);

/* --out: attaches the detached mount out_mntfd (out.c) at /dev/crashcart/out,
 * on the cart's empty out/ directory. Already there (the same directory): 0,
 * with ret->mounted and not ret->changed. */
int cart_place_out(const struct target *t, int out_mntfd, struct place_reply *ret);

/* Unmounts /dev/crashcart and removes the directory (an --out directory on it
 * first). expect_mnt_id != 0: only if
 * the cart there is that mount. force: a busy cart is detached lazily instead of
 * failing with -EBUSY, and a read-only /dev is made writable even where the
 * container cannot be frozen. legacy: mount(2)-based remounts of a read-only /dev.
 * lock_fd: as in place_request. */
int cart_unmount(const struct target *t, uint64_t expect_mnt_id, bool force, bool legacy, uint32_t root_uid,
                 uint32_t root_gid, int lock_fd, struct place_reply *ret);

/* What is mounted at /dev/crashcart, as the target's mountinfo shows it. */
struct cart_mount_info {
        dev_t dev;
        bool is_whole;          /* the root of its filesystem, not a directory of it */
        bool is_readonly;       /* the mount is read-only */
};
/* 1 and *ret filled when something is mounted there, 0 when nothing is. Read from
 * the host, without entering anything. */
int cart_probe_mount(const struct target *t, struct cart_mount_info *ret);
