/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "basic/fileio.h"
#include "basic/macro.h"
#include "cart/image.h"

static uint16_t le16(const unsigned char *p)
{
        return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t le32(const unsigned char *p)
{
        return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t le64(const unsigned char *p)
{
        return (uint64_t)le32(p) | ((uint64_t)le32(p + 4) << 32);
}

/* ext2/3/4: superblock at 1024, magic 0xEF53 at byte 56 of it. */
#define EXT_SB 1024
#define EXT_MAGIC 0xEF53
#define EXT_INCOMPAT_64BIT 0x80

/* squashfs 4: "hsqs" at 0, bytes_used (u64) at 40, major version (u16) at 28. */
#define SQUASHFS_MAGIC 0x73717368

/* erofs: superblock at 1024, magic at 0, blkszbits (u8) at 12, blocks (u32) at 36. */
#define EROFS_SB 1024
#define EROFS_MAGIC 0xE0F5E1E2

int image_probe(const unsigned char *buf, size_t len, uint64_t file_size, struct image_probe *ret)
{
        struct image_probe p = {};

        if (file_size == 0)
                return -ENODATA;

        if (len >= 4 && le32(buf) == SQUASHFS_MAGIC) {
                if (len < 48 || le16(buf + 28) != 4)
                        return -EMEDIUMTYPE;
                p.kind = IMAGE_SQUASHFS;
                p.needed = le64(buf + 40);
        } else if (len >= EROFS_SB + 40 && le32(buf + EROFS_SB) == EROFS_MAGIC) {
                unsigned bits = buf[EROFS_SB + 12];

                if (bits < 9 || bits > 16)
                        return -EMEDIUMTYPE;
                p.kind = IMAGE_EROFS;
                p.needed = (uint64_t)le32(buf + EROFS_SB + 36) << bits;
        } else if (len >= EXT_SB + 0x158 && le16(buf + EXT_SB + 56) == EXT_MAGIC) {
                uint32_t log_bs = le32(buf + EXT_SB + 24);
                uint64_t blocks = le32(buf + EXT_SB + 4);

                if (log_bs > 6) /* 1 KiB << 6 = 64 KiB, the largest ext block */
                        return -EMEDIUMTYPE;
                if (le32(buf + EXT_SB + 0x60) & EXT_INCOMPAT_64BIT)
                        blocks |= (uint64_t)le32(buf + EXT_SB + 0x150) << 32;
                p.kind = IMAGE_EXT;
                if (blocks > UINT64_MAX / (1024ULL << log_bs))
                        return -EMEDIUMTYPE;
                p.needed = blocks * (1024ULL << log_bs);
        } else
                return -EMEDIUMTYPE;

        if (p.needed == 0)
                return -EMEDIUMTYPE;
        *ret = p;
        if (p.needed > file_size)
                return -ENOSPC;
        return 0;
}

int image_open(int pathfd, const char *path, struct image *ret, struct image_probe *ret_probe)
{
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *copy = NULL;
        unsigned char buf[IMAGE_PROBE_SIZE] = {};
        struct image_probe probe = {};
        struct stat st;
        size_t len;
        int r;

        /* O_PATH first: opening a FIFO or device for reading could block or act. */
        if (pathfd >= 0)
                fd = fcntl(pathfd, F_DUPFD_CLOEXEC, 3);
        else if (pathfd != -EBADF)
                return pathfd;
        else
                fd = open(path, O_PATH | O_CLOEXEC);
        if (fd < 0)
                return NEG_ERRNO();
        if (fstat(fd, &st) < 0)
                return NEG_ERRNO();

        copy = strdup(path);
        if (!copy)
                return -ENOMEM;

        if (S_ISDIR(st.st_mode)) {
                probe.kind = IMAGE_DIRECTORY;
        } else if (S_ISREG(st.st_mode)) {
                char p[64];
                int rfd;

                /* Reopen the very file that was checked, not the path again. */
                snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
                rfd = open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (rfd < 0)
                        return NEG_ERRNO();
                safe_close(fd);
                fd = rfd;
                r = read_full(fd, buf, sizeof(buf), &len);
                if (r < 0)
                        return r;
                r = image_probe(buf, len, (uint64_t)st.st_size, &probe);
                if (ret_probe)
                        *ret_probe = probe;
                if (r < 0)
                        return r;
        } else
                return -EMEDIUMTYPE;

        *ret = (struct image){
                .fd = TAKE_FD(fd),
                .kind = probe.kind,
                .path = TAKE_PTR(copy),
                .dev = st.st_dev,
                .ino = st.st_ino,
                .size = (uint64_t)st.st_size,
        };
        if (ret_probe)
                *ret_probe = probe;
        return 0;
}

void image_done(struct image *img)
{
        img->fd = safe_close(img->fd);
        free(img->path);
        img->path = NULL;
}

const char *image_kind_name(enum image_kind k)
{
        switch (k) {
        case IMAGE_DIRECTORY:
                return "directory";
        case IMAGE_EXT:
                return "ext4";
        case IMAGE_SQUASHFS:
                return "squashfs";
        case IMAGE_EROFS:
                return "erofs";
        }
        return "unknown";
}

const char *image_fstype(enum image_kind k)
{
        return k == IMAGE_DIRECTORY ? NULL : image_kind_name(k);
}
