/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/fileio.h"
#include "basic/log.h"
#include "basic/spawn.h"
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

/* nftw has no closure: one walk at a time, in this single-threaded program. */
static FILE *ctime_cmds;
static size_t ctime_root_len;
static long long ctime_epoch;

static int add_ctime_cmd(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        const char *rel = path + ctime_root_len;

        (void)st, (void)type, (void)ftw;
        if (strpbrk(rel, "\"\n\\")) {
                errno = EILSEQ;
                return -1;
        }
        rel = *rel ? rel : "/";
        fprintf(ctime_cmds, "set_inode_field \"%s\" ctime @%lld\nset_inode_field \"%s\" atime @%lld\n", rel,
                ctime_epoch, rel, ctime_epoch);
        return 0;
}

/* mke2fs -d copies each file's ctime from the tree, which no one but the kernel
 * sets, and its atime, which its own reading of the file may just have changed
 * (relatime): every inode's are set to the image's time afterwards, with
 * debugfs. */
static int ext4_set_ctimes(struct build *b)
{
        _cleanup_free_ char *cmds = path_join(b->work, "ext4-ctimes");
        char *argv[] = { "debugfs", "-w", "-f", cmds, (char *)b->output, NULL };
        _cleanup_free_ char *echo = NULL; /* debugfs says each command */
        char t[32];
        int r = 0;

        if (!cmds)
                return -ENOMEM;
        ctime_cmds = fopen(cmds, "we");
        if (!ctime_cmds)
                return build_fail_errno(b, NEG_ERRNO(), "cannot write '%s'", cmds);
        ctime_root_len = strlen(b->root);
        ctime_epoch = b->epoch;
        if (nftw(b->root, add_ctime_cmd, 32, FTW_PHYS) != 0)
                r = build_fail_errno(b, NEG_ERRNO(), "cannot list '%s' for debugfs", b->root);
        if (fclose(ctime_cmds) != 0 && r >= 0)
                r = build_fail_errno(b, NEG_ERRNO(), "cannot write '%s'", cmds);
        ctime_cmds = NULL;
        if (r < 0)
                return r;
        /* Its write time in the superblock, too. */
        snprintf(t, sizeof(t), "%lld", b->epoch);
        if (setenv("E2FSPROGS_FAKE_TIME", t, 1) < 0)
                return -ENOMEM;
        r = spawn_run(argv, NULL, SPAWN_STDERR_TO_STDOUT, &echo);
        (void)unsetenv("E2FSPROGS_FAKE_TIME");
        if (r < 0)
                return build_fail_errno(b, r, "cannot run 'debugfs'");
        /* debugfs -f goes on past a failed command, saying so. */
        if (r != 0 || (echo && strstr(echo, "set_inode_field: ")))
                return build_fail(b, -EIO, "debugfs cannot set the times of '%s'", b->output);
        return 0;
}

int mkfs_write_image(struct build *b)
{
        const char *format = b->format, *compression = b->compression;
        char *argv[24], z[64], size[32], t[32], u[48], e[96];
        size_t n = 0;
        int r;

        (void)unlink(b->output);
        if (strcmp(format, "erofs") == 0) {
                argv[n++] = "mkfs.erofs";
                argv[n++] = "--all-root";
                snprintf(t, sizeof(t), "-T%lld", b->epoch);
                snprintf(u, sizeof(u), "-U%s", b->uuid);
                argv[n++] = t;
                argv[n++] = u;
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
                snprintf(t, sizeof(t), "%lld", b->epoch);
                argv[n++] = "-mkfs-time";
                argv[n++] = t;
                argv[n++] = "-all-time";
                argv[n++] = t;
                argv[n++] = "-noappend";
                argv[n++] = "-quiet";
                argv[n++] = "-no-progress";
                argv[n++] = "-comp";
                argv[n++] = (char *)(compression ? compression : "lz4");
        } else {
                r = ext4_size(b, size, sizeof(size));
                if (r < 0)
                        return r;
                /* There, so that mke2fs does not say "Creating regular file". */
                r = write_whole(b->output, "", 0, 0644);
                if (r < 0)
                        return build_fail_errno(b, r, "cannot write '%s'", b->output);
                argv[n++] = "mke2fs";
                argv[n++] = "-q";
                argv[n++] = "-t";
                argv[n++] = "ext4";
                argv[n++] = "-d";
                argv[n++] = b->root;
                /* Read-only, it never grows: no reserved descriptor blocks,
                 * whose backups debugfs would rewrite. */
                argv[n++] = "-O";
                argv[n++] = "^resize_inode";
                argv[n++] = "-U";
                argv[n++] = b->uuid;
                snprintf(e, sizeof(e), "root_owner=0:0,hash_seed=%s", b->hash_seed);
                argv[n++] = "-E";
                argv[n++] = e;
                /* The times mke2fs stamps the file system with. */
                snprintf(t, sizeof(t), "%lld", b->epoch);
                if (setenv("E2FSPROGS_FAKE_TIME", t, 1) < 0)
                        return -ENOMEM;
                argv[n++] = (char *)b->output;
                argv[n++] = size;
        }
        argv[n] = NULL;
        r = build_run(b, argv, NULL, NULL);
        (void)unsetenv("E2FSPROGS_FAKE_TIME");
        if (r < 0)
                return r;
        if (r != 0)
                return build_fail(b, -EIO, "%s failed", argv[0]);
        if (strcmp(format, "ext4") == 0) {
                r = ext4_set_ctimes(b);
                if (r < 0)
                        return r;
        }
        log_debug("wrote '%s' (%s)", b->output, b->format);
        return 0;
}
