/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The cart: a file holding a filesystem, recognised from its superblock, or a
 * directory. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum image_kind {
        IMAGE_DIRECTORY,
        IMAGE_EXT,      /* ext2, ext3 or ext4: all mounted with the ext4 driver */
        IMAGE_SQUASHFS,
        IMAGE_EROFS,
};

struct image {
        int fd;                 /* O_RDONLY for a file, O_PATH|O_DIRECTORY for a directory */
        enum image_kind kind;
        char *path;
        dev_t dev;
        ino_t ino;
        uint64_t size;
};

#define IMAGE_INIT { .fd = -EBADF }

/* Bytes needed to recognise any supported superblock. */
#define IMAGE_PROBE_SIZE 4096

struct image_probe {
        enum image_kind kind;
        uint64_t needed; /* bytes the filesystem says it spans */
};

/* Recognises a superblock from the first bytes of a file of file_size bytes.
 * -EMEDIUMTYPE: no filesystem crashcart knows; -ENOSPC: the file is shorter than the
 * filesystem it holds (truncated), with ret->needed set; -ENODATA: the file is empty. */
int image_probe(const unsigned char *buf, size_t len, uint64_t file_size, struct image_probe *ret);

/* Opens and recognises an image. pathfd: -EBADF to open path; or an O_PATH
 * descriptor of path opened earlier (in another mount namespace: crashcart's
 * container, before it joined the host's), which is used instead; or another
 * -errno, that open's failure, returned as is. Errors as image_probe, plus the
 * open's own. */
int image_open(int pathfd, const char *path, struct image *ret, struct image_probe *ret_probe);
void image_done(struct image *img);

const char *image_kind_name(enum image_kind k);
/* The filesystem type to mount it with. */
const char *image_fstype(enum image_kind k);
