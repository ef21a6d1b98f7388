/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "cart/image.h"
#include "harness.h"

static void probe_fixture(const char *name, uint64_t size, int expect_r, enum image_kind expect_kind,
                          uint64_t expect_needed)
{
        size_t len;
        unsigned char *buf = (unsigned char *)fixture(name, &len);
        struct image_probe p = {};
        int r = image_probe(buf, len, size, &p);

        CHECK(r == expect_r);
        if (r == 0 || r == -ENOSPC) {
                CHECK(p.kind == expect_kind);
                CHECK(p.needed == expect_needed);
        }
        free(buf);
}

/* Real superblocks, made by mke2fs, mksquashfs and mkfs.erofs. */
TEST(image_probe_ext)
{
        probe_fixture("sb-ext4.bin", 16777216, 0, IMAGE_EXT, 16777216);
        probe_fixture("sb-ext4.bin", 1000000, -ENOSPC, IMAGE_EXT, 16777216);
        probe_fixture("sb-ext2-1k.bin", 2097152, 0, IMAGE_EXT, 2097152);
        probe_fixture("sb-ext4-64bit.bin", 8388608, 0, IMAGE_EXT, 8388608);
}

TEST(image_probe_squashfs)
{
        probe_fixture("sb-sqfs.bin", 1044480, 0, IMAGE_SQUASHFS, 1041199);
        probe_fixture("sb-sqfs.bin", 4096, -ENOSPC, IMAGE_SQUASHFS, 1041199);
}

TEST(image_probe_erofs)
{
        probe_fixture("sb-erofs.bin", 2015232, 0, IMAGE_EROFS, 2015232);
        probe_fixture("sb-erofs.bin", 2015231, -ENOSPC, IMAGE_EROFS, 2015232);
}

TEST(image_probe_rejects_unknown_and_short)
{
        unsigned char zero[4096] = {};
        struct image_probe p;

        CHECK(image_probe(zero, sizeof(zero), 4096, &p) == -EMEDIUMTYPE);
        CHECK(image_probe(zero, 0, 0, &p) == -ENODATA);
        CHECK(image_probe(zero, 10, 10, &p) == -EMEDIUMTYPE);
}

TEST(image_probe_rejects_bad_squashfs)
{
        unsigned char sq[4096] = { 'h', 's', 'q', 's' };
        struct image_probe p;

        /* Squashfs magic with a wrong major version, and with zero bytes used. */
        sq[28] = 3;
        CHECK(image_probe(sq, sizeof(sq), 4096, &p) == -EMEDIUMTYPE);
        sq[28] = 4;
        CHECK(image_probe(sq, sizeof(sq), 4096, &p) == -EMEDIUMTYPE);
        /* A short read of a squashfs magic alone. */
        CHECK(image_probe(sq, 8, 8, &p) == -EMEDIUMTYPE);
}

TEST(image_kind_names)
{
        CHECK_STR(image_kind_name(IMAGE_EXT), "ext4");
        CHECK_STR(image_fstype(IMAGE_SQUASHFS), "squashfs");
        CHECK(image_fstype(IMAGE_DIRECTORY) == NULL);
}
