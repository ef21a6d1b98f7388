/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/log.h"
#include "cart-build/mkfs.h"

bool mkfs_format_is_known(const char *format)
{
        return strcmp(format, "erofs") == 0 || strcmp(format, "squashfs") == 0 || strcmp(format, "ext4") == 0;
}

/* ext4 has a size fixed when it is made: the tree's, a quarter more, and 16 MiB
 * for the file system's own. */
static int ext4_size(struct build *b, char *buf, size_t n)
{
        char *du[] = { "du", "-sk", b->root, NULL };
        _cleanup_free_ char *out = NULL;
        long kb = 0;
        int r;

        r = build_run(b, du, NULL, &out);
        if (r < 0)
                return r;
        if (r != 0 || sscanf(out, "%ld", &kb) != 1)
                return build_fail(b, -EIO, "cannot size '%s'", b->root);
        snprintf(buf, n, "%ldk", kb + kb / 4 + 16384);
        return 0;
}

int mkfs_write_image(struct build *b)
{
        const char *format = b->format, *compression = b->compression;
        char *argv[16], z[64], size[32];
        size_t n = 0;
        int r;

        (void)unlink(b->output);
        if (strcmp(format, "erofs") == 0) {
                argv[n++] = "mkfs.erofs";
                argv[n++] = "--all-root";
                argv[n++] = "--quiet";
                if (compression) {
                        snprintf(z, sizeof(z), "-z%s", compression);
                        argv[n++] = z;
                }
                argv[n++] = (char *)b->output;
                argv[n++] = b->root;
        } else if (strcmp(format, "squashfs") == 0) {
                argv[n++] = "mksquashfs";
                argv[n++] = b->root;
                argv[n++] = (char *)b->output;
                argv[n++] = "-all-root";
                argv[n++] = "-noappend";
                argv[n++] = "-quiet";
                argv[n++] = "-no-progress";
                argv[n++] = "-comp";
                argv[n++] = (char *)(compression ? compression : "zstd");
        } else {
                r = ext4_size(b, size, sizeof(size));
                if (r < 0)
                        return r;
                argv[n++] = "mke2fs";
                argv[n++] = "-q";
                argv[n++] = "-t";
                argv[n++] = "ext4";
                argv[n++] = "-d";
                argv[n++] = b->root;
                argv[n++] = "-E";
                argv[n++] = "root_owner=0:0";
                argv[n++] = (char *)b->output;
                argv[n++] = size;
        }
        argv[n] = NULL;
        r = build_run(b, argv, NULL, NULL);
        if (r < 0)
                return r;
        if (r != 0)
                return build_fail(b, -EIO, "%s failed", argv[0]);
        log_debug("wrote '%s' (%s)", b->output, b->format);
        return 0;
}
