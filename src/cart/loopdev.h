/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One read-only, autoclear loop device per image file, shared by every container
 * that mounts it, and freed by the kernel when the last mount goes. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct loopdev {
        int fd;          /* holds the device while the filesystem is mounted from it */
        char path[32];   /* /dev/loopN */
        dev_t rdev;
        bool attached;   /* made by this call, not found */
};

/* Finds the loop device that already maps image_fd's file read-only from its
 * start, else attaches a new one. rundir_fd is crashcart's runtime directory, whose
 * lock makes find-then-attach atomic between crashcart processes. */
int loopdev_find_or_attach(int rundir_fd, int image_fd, const char *image_path, struct loopdev *ret);
/* Only finds; -ENOENT when no device maps the file. */
int loopdev_find(int image_fd, struct loopdev *ret);

/* Whether dev is a loop device as crashcart attaches one (read-only, autoclear,
 * a whole file) whose backing file is still there, root's and not writable by
 * group or others; its path in backing. -ENODEV: not a loop device; -EPERM: not
 * such a one; -ESTALE: its file was replaced. */
int loopdev_backing_trusted(dev_t dev, char *backing, size_t size);
