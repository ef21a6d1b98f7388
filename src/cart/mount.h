/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The cart as a detached mount, made on the host with the new mount API: read-only,
 * nosuid, nodev, idmapped to the container's user namespace where the kernel and
 * the filesystem allow. It is attached inside the container by place.c. */
#pragma once

#include <stdbool.h>

#include "cart/image.h"

/* source is the loop device's path for a file image (ignored for a directory).
 * userns_fd, when >= 0, is the container's user namespace to idmap to; *ret_idmapped
 * says whether that worked. -ENOSYS: the kernel has no new mount API. */
int cart_mount_create(const struct image *img, const char *source, int userns_fd, int *ret_mntfd,
                      bool *ret_idmapped);
