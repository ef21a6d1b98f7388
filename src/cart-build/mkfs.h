/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The image: the cart's tree written as a file system, without root. */
#pragma once

#include <stdbool.h>

#include "cart-build/build.h"

/* Whether `format` is one the builder writes: erofs, squashfs or ext4. */
bool mkfs_format_is_known(const char *format);

/* b->root as b->output, in b->format (with b->compression, or the tool's
 * default), every file owned by root, every time b->epoch, the UUID and hash
 * seed b's: the same tree gives the same bytes. */
int mkfs_write_image(struct build *b);
