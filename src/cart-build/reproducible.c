/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "basic/fileio.h"
#include "basic/log.h"
#include "cart-build/reproducible.h"
#include "cart/layout.h"

int parse_epoch(const char *s, long long *ret)
{
        long long v = 0;

        if (!*s || strlen(s) > 10)
                return -EINVAL;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                v = v * 10 + (*p - '0');
        }
        if (v > 0xffffffffLL)
                return -EINVAL;
        *ret = v;
        return 0;
}

int uuid_from_hex(const char *hex, char ret[static 37])
{
        static const char digits[] = "0123456789abcdef";
        char h[32];

        for (size_t i = 0; i < 32; i++) {
                const char *d = hex[i] ? strchr(digits, hex[i] | 0x20) : NULL;

                if (!d)
                        return -EINVAL;
                h[i] = *d;
        }
        h[12] = '8';                            /* version: 8, custom */
        h[16] = digits[8 | ((strchr(digits, h[16]) - digits) & 3)]; /* variant: 10xx */
        snprintf(ret, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
        return 0;
}

/* nftw has no closure: one walk at a time, in this single-threaded program. */
static long long walk_time;

static int newest(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        (void)path, (void)ftw;
        /* Files only: dpkg-deb -x keeps the packages' times of files, while the
         * directories are as new as the extraction. */
        if (type == FTW_F && S_ISREG(st->st_mode) && st->st_mtime > walk_time)
                walk_time = st->st_mtime;
        return 0;
}

int repro_choose_epoch(struct build *b)
{
        const char *env = getenv("SOURCE_DATE_EPOCH");
        int r;

        if (env && *env) {
                r = parse_epoch(env, &b->epoch);
                if (r < 0)
                        return build_fail(b, r, "SOURCE_DATE_EPOCH='%s' is not a number of seconds", env);
        } else {
                walk_time = 0;
                if (nftw(b->staging, newest, 32, FTW_PHYS) != 0)
                        return build_fail_errno(b, NEG_ERRNO(), "cannot walk '%s'", b->staging);
                b->epoch = walk_time;
        }
        /* mksquashfs refuses it beside -all-time; every tool gets the time as an
         * option instead. */
        (void)unsetenv("SOURCE_DATE_EPOCH");
        log_debug("SOURCE_DATE_EPOCH=%lld", b->epoch);
        return 0;
}

static int set_time(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        struct timespec ts[2] = { { .tv_sec = (time_t)walk_time }, { .tv_sec = (time_t)walk_time } };

        (void)st, (void)type, (void)ftw;
        return utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW) < 0 ? -1 : 0;
}

int repro_normalize(struct build *b)
{
        _cleanup_free_ char *manifest = path_join(b->root, CART_MANIFEST_NAME), *out = NULL;
        char *argv[] = { "sha256sum", manifest, NULL };
        int r;

        if (!manifest)
                return -ENOMEM;
        r = build_run(b, argv, NULL, &out);
        if (r < 0)
                return r;
        if (r != 0 || strlen(out) < 64 || uuid_from_hex(out, b->uuid) < 0 || uuid_from_hex(out + 32, b->hash_seed) < 0)
                return build_fail(b, -EIO, "cannot hash '%s'", manifest);
        /* Depth first: a directory's time is set after its entries change it. */
        walk_time = b->epoch;
        if (nftw(b->root, set_time, 32, FTW_PHYS | FTW_DEPTH) != 0)
                return build_fail_errno(b, NEG_ERRNO(), "cannot set the times in '%s'", b->root);
        return 0;
}
