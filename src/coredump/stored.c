/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <zstd.h>

#include "basic/fileio.h"
#include "basic/interrupt.h"
#include "basic/macro.h"
#include "coredump/stored.h"

static const struct {
        const char *suffix;
        enum stored_compression compression;
} suffixes[] = {
        { ".zst", STORED_ZSTD },
        { ".lz4", STORED_LZ4 },
        { ".xz", STORED_XZ },
};

const char *stored_compression_to_string(enum stored_compression c)
{
        static const char *const names[] = {
                [STORED_PLAIN] = "none", [STORED_ZSTD] = "zstd", [STORED_LZ4] = "lz4", [STORED_XZ] = "xz",
        };

        return (size_t)c < ELEMENTSOF(names) ? names[c] : "unknown";
}

void stored_core_done(struct stored_core *c)
{
        free(c->name);
        safe_close(c->fd);
        *c = (struct stored_core)STORED_CORE_INIT;
}

static bool all_digits(const char *s, size_t n)
{
        if (n == 0)
                return false;
        for (size_t i = 0; i < n; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return true;
}

/* core.COMM.UID.BOOTID.PID.USEC[.zst|.lz4|.xz]: COMM has its dots escaped
 * (\x2e), so the last four dot-separated fields are the numbers. */
int stored_core_parse_name(const char *name, enum stored_compression *ret_compression, uint64_t *ret_usec)
{
        enum stored_compression comp = STORED_PLAIN;
        const char *field[4], *end;
        size_t len = strlen(name);
        char usec[21];
        uint64_t u;

        if (strncmp(name, "core.", 5) != 0 || strchr(name, '/'))
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                size_t n = strlen(suffixes[i].suffix);

                if (len > n && strcmp(name + len - n, suffixes[i].suffix) == 0) {
                        comp = suffixes[i].compression;
                        len -= n;
                        break;
                }
        }
        /* The fields from the end: USEC, PID, BOOTID, UID. */
        end = name + len;
        for (int i = 0; i < 4; i++) {
                const char *p = end;

                while (p > name + 5 && p[-1] != '.')
                        p--;
                if (p <= name + 5)
                        return -EINVAL;
                field[i] = p;
                end = p - 1;
        }
        /* COMM may be empty (a process that named itself ""). */
        if (end < name + 5)
                return -EINVAL;
        if (!all_digits(field[0], (size_t)(name + len - field[0])) || !all_digits(field[1], (size_t)(field[0] - 1 - field[1])) ||
            (size_t)(field[1] - 1 - field[2]) != 32 || !all_digits(field[3], (size_t)(field[2] - 1 - field[3])))
                return -EINVAL;
        for (size_t i = 0; i < 32; i++)
                if (!strchr("0123456789abcdef", field[2][i]))
                        return -EINVAL;
        if ((size_t)(name + len - field[0]) >= sizeof(usec))
                return -EINVAL;
        memcpy(usec, field[0], (size_t)(name + len - field[0]));
        usec[name + len - field[0]] = 0;
        if (parse_u64(usec, &u) < 0)
                return -EINVAL;
        if (ret_compression)
                *ret_compression = comp;
        if (ret_usec)
                *ret_usec = u;
        return 0;
}

/* An attribute's value as a string; NULL when it has none. */
static char *get_attr(int fd, const char *attr)
{
        char buf[256];
        ssize_t n = fgetxattr(fd, attr, buf, sizeof(buf) - 1);

        if (n < 0)
                return NULL;
        buf[n] = 0;
        return strndup(buf, strlen(buf));
}

static bool newer(const struct stored_core *a, uint64_t usec, const struct timespec *mtime, const char *name)
{
        if (usec != a->usec)
                return usec > a->usec;
        if (mtime->tv_sec != a->mtime.tv_sec)
                return mtime->tv_sec > a->mtime.tv_sec;
        if (mtime->tv_nsec != a->mtime.tv_nsec)
                return mtime->tv_nsec > a->mtime.tv_nsec;
        return strcmp(name, a->name) > 0;
}

int stored_core_find(int store_fd, const char *hostname, uint64_t from_usec, uint64_t to_usec,
                     struct stored_core *ret, size_t *ret_older, size_t *ret_outside)
{
        _cleanup_close_ int dfd = -EBADF;
        struct stored_core best = STORED_CORE_INIT;
        size_t within = 0, outside = 0;
        struct dirent *de;
        int r = 0;
        DIR *d;

        dfd = openat(store_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return NEG_ERRNO();
        d = fdopendir(dfd);
        if (!d)
                return NEG_ERRNO();
        TAKE_FD(dfd);
        for (;;) {
                _cleanup_close_ int fd = -EBADF;
                _cleanup_free_ char *host = NULL;
                enum stored_compression comp;
                struct stat st;
                uint64_t usec;

                errno = 0;
                de = readdir(d);
                if (!de) {
                        r = errno > 0 ? -errno : 0;
                        break;
                }
                if (stored_core_parse_name(de->d_name, &comp, &usec) < 0)
                        continue;
                fd = openat(dirfd(d), de->d_name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
                if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                        continue;
                host = get_attr(fd, "user.coredump.hostname");
                if (!host || strcmp(host, hostname) != 0)
                        continue;
                if ((from_usec && usec < from_usec) || (to_usec && usec > to_usec)) {
                        outside++;
                        continue;
                }
                within++;
                if (best.name && !newer(&best, usec, &st.st_mtim, de->d_name))
                        continue;
                stored_core_done(&best);
                best = (struct stored_core){
                        .name = strdup(de->d_name),
                        .usec = usec,
                        .mtime = st.st_mtim,
                        .compression = comp,
                        .fd = TAKE_FD(fd),
                };
                if (!best.name) {
                        r = -ENOMEM;
                        break;
                }
        }
        closedir(d);
        if (r == 0 && !best.name)
                r = -ENOENT;
        if (ret_outside)
                *ret_outside = outside;
        if (r < 0) {
                stored_core_done(&best);
                return r;
        }
        *ret = best;
        if (ret_older)
                *ret_older = within - 1;
        return 0;
}

/* Where decompressed bytes go: written at off, a whole block of zeros skipped
 * (left a hole), the size set at the end. */
struct sparse_out {
        int fd;
        uint64_t off;
};

#define SPARSE_BLOCK 4096

static bool all_zero(const uint8_t *p, size_t n)
{
        return n > 0 && p[0] == 0 && memcmp(p, p + 1, n - 1) == 0;
}

static int sparse_write(struct sparse_out *o, const void *buf, size_t n)
{
        const uint8_t *p = buf;

        while (n > 0) {
                size_t k = SPARSE_BLOCK - (size_t)(o->off % SPARSE_BLOCK);

                if (k > n)
                        k = n;
                if (!all_zero(p, k)) {
                        for (size_t done = 0; done < k;) {
                                ssize_t w = pwrite(o->fd, p + done, k - done, (off_t)(o->off + done));

                                if (w < 0 && errno == EINTR)
                                        continue;
                                if (w < 0)
                                        return NEG_ERRNO();
                                done += (size_t)w;
                        }
                }
                o->off += k;
                p += k;
                n -= k;
        }
        return 0;
}

static int sparse_finish(struct sparse_out *o)
{
        return ftruncate(o->fd, (off_t)o->off) < 0 ? NEG_ERRNO() : 0;
}

int stored_unzstd(int infd, int outfd)
{
        size_t in_size = ZSTD_DStreamInSize(), out_size = ZSTD_DStreamOutSize(), last = 0;
        _cleanup_free_ void *inbuf = malloc(in_size), *outbuf = malloc(out_size);
        ZSTD_DStream *z = ZSTD_createDStream();
        struct sparse_out o = { .fd = outfd };
        bool any = false;
        int r = 0;

        if (!inbuf || !outbuf || !z) {
                ZSTD_freeDStream(z);
                return -ENOMEM;
        }
        for (;;) {
                ssize_t n = read(infd, inbuf, in_size);
                ZSTD_inBuffer in = { inbuf, 0, 0 };

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        r = NEG_ERRNO();
                        break;
                }
                if (n == 0) {
                        /* Cut in the middle of a frame, or nothing at all. */
                        r = last != 0 || !any ? -EBADMSG : sparse_finish(&o);
                        break;
                }
                r = interrupt_check();
                if (r < 0)
                        break;
                any = true;
                in.size = (size_t)n;
                while (in.pos < in.size) {
                        ZSTD_outBuffer out = { outbuf, out_size, 0 };

                        last = ZSTD_decompressStream(z, &out, &in);
                        if (ZSTD_isError(last)) {
                                r = -EBADMSG;
                                goto out;
                        }
                        r = sparse_write(&o, outbuf, out.pos);
                        if (r < 0)
                                goto out;
                }
        }
out:
        ZSTD_freeDStream(z);
        return r;
}

static int copy_plain(int infd, int outfd)
{
        struct sparse_out o = { .fd = outfd };
        char buf[1 << 16];

        for (;;) {
                ssize_t n = read(infd, buf, sizeof(buf));
                int r;

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return NEG_ERRNO();
                if (n == 0)
                        return sparse_finish(&o);
                r = interrupt_check();
                if (r < 0)
                        return r;
                r = sparse_write(&o, buf, (size_t)n);
                if (r < 0)
                        return r;
        }
}

int stored_core_extract(const struct stored_core *c, int outfd)
{
        if (c->compression == STORED_LZ4 || c->compression == STORED_XZ)
                return -EOPNOTSUPP;
        /* The file as found, from its start. */
        if (lseek(c->fd, 0, SEEK_SET) < 0)
                return NEG_ERRNO();
        return c->compression == STORED_ZSTD ? stored_unzstd(c->fd, outfd) : copy_plain(c->fd, outfd);
}
