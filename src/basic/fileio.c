/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/stat.h>

#include "basic/fileio.h"
#include "basic/macro.h"
#include "basic/syscalls.h"

int read_full_fd(int fd, size_t max, char **ret, size_t *ret_len)
{
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;

        for (;;) {
                size_t n;
                int r;

                /* Room for at least one more byte and the NUL. */
                if (cap - len < 2) {
                        size_t ncap = cap ? cap * 2 : 4096;
                        char *p;

                        if (cap > max)
                                return -EFBIG;
                        if (ncap > max + 2)
                                ncap = max + 2;
                        p = realloc(buf, ncap);
                        if (!p)
                                return -ENOMEM;
                        buf = p;
                        cap = ncap;
                }
                /* read_full stops short only at the end. */
                r = read_full(fd, buf + len, cap - len - 1, &n);
                if (r < 0)
                        return r;
                len += n;
                if (len > max)
                        return -EFBIG;
                if (len < cap - 1)
                        break;
        }
        if (!buf) {
                buf = malloc(1);
                if (!buf)
                        return -ENOMEM;
        }
        buf[len] = 0;
        *ret = TAKE_PTR(buf);
        if (ret_len)
                *ret_len = len;
        return 0;
}

int read_full_fileat(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len)
{
        _cleanup_close_ int fd = -EBADF;

        fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return NEG_ERRNO();
        return read_full_fd(fd, max, ret, ret_len);
}

int write_full(int fd, const void *buf, size_t len)
{
        const char *p = buf;

        while (len > 0) {
                ssize_t n = write(fd, p, len);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return NEG_ERRNO();
                }
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

int read_full(int fd, void *buf, size_t len, size_t *ret_len)
{
        char *p = buf;
        size_t done = 0;

        while (done < len) {
                ssize_t n = read(fd, p + done, len - done);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return NEG_ERRNO();
                }
                if (n == 0)
                        break;
                done += (size_t)n;
        }
        *ret_len = done;
        return 0;
}

int write_fileat(int dirfd, const char *path, const char *s)
{
        _cleanup_close_ int fd = -EBADF;

        fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        if (fd < 0)
                return NEG_ERRNO();
        return write_full(fd, s, strlen(s));
}

int pread_full(int fd, void *buf, size_t len, off_t offset)
{
        char *p = buf;

        while (len > 0) {
                ssize_t n = pread(fd, p, len, offset);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return NEG_ERRNO();
                }
                if (n == 0)
                        return -EIO;
                p += n;
                len -= (size_t)n;
                offset += n;
        }
        return 0;
}

int fd_mount_id(int dirfd, const char *path, int flags, bool want_unique, uint64_t *ret, bool *ret_unique)
{
        struct statx sx = {};

        if (syscall(SYS_statx, dirfd, path, flags | AT_STATX_DONT_SYNC,
                    want_unique ? CC_STATX_MNT_ID_UNIQUE : CC_STATX_MNT_ID, &sx) < 0)
                return NEG_ERRNO();
        if (want_unique && (sx.stx_mask & CC_STATX_MNT_ID_UNIQUE)) {
                *ret = sx.stx_mnt_id;
                if (ret_unique)
                        *ret_unique = true;
                return 0;
        }
        if (sx.stx_mask & CC_STATX_MNT_ID) {
                *ret = sx.stx_mnt_id;
                if (ret_unique)
                        *ret_unique = false;
                return 0;
        }
        return -EOPNOTSUPP;
}

int parse_u64(const char *s, uint64_t *ret)
{
        char *end;
        unsigned long long v;

        if (!s || *s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno == ERANGE)
                return -ERANGE;
        if (*end)
                return -EINVAL;
        *ret = v;
        return 0;
}

int parse_pid(const char *s, pid_t *ret)
{
        uint64_t v;
        int r;

        r = parse_u64(s, &v);
        if (r < 0)
                return r;
        if (v == 0 || v > INT_MAX)
                return -ERANGE;
        *ret = (pid_t)v;
        return 0;
}

int opendir_at(int dirfd, const char *path, DIR **ret)
{
        DIR *d;
        int fd;

        fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return NEG_ERRNO();
        d = fdopendir(fd);
        if (!d) {
                int r = NEG_ERRNO();

                safe_close(fd);
                return r;
        }
        *ret = d;
        return 0;
}

char *path_join(const char *a, const char *b)
{
        char *s;

        if (asprintf(&s, "%s/%s", a, b) < 0)
                return NULL;
        return s;
}

bool path_is_below(const char *path, const char *dir)
{
        size_t n = strlen(dir);

        while (path[0] == '/' && path[1] == '/')
                path++;
        return strncmp(path, dir, n) == 0 && (path[n] == 0 || path[n] == '/');
}

int mkdir_p(const char *path, mode_t mode)
{
        _cleanup_free_ char *buf = strdup(path);

        if (!buf)
                return -ENOMEM;
        /* The parents' errors show in the last mkdir, which is the one that counts. */
        for (char *p = buf + 1; *p; p++)
                if (*p == '/') {
                        *p = 0;
                        (void)mkdir(buf, mode);
                        *p = '/';
                }
        if (mkdir(buf, mode) < 0 && errno != EEXIST)
                return NEG_ERRNO();
        return 0;
}

int write_whole(const char *path, const void *buf, size_t len, mode_t mode)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

        if (fd < 0)
                return NEG_ERRNO();
        return write_full(fd, buf, len);
}

int copy_fd_to_file(int in, const char *to, mode_t mode)
{
        _cleanup_close_ int out = -EBADF;
        char buf[65536];
        ssize_t n;

        (void)unlink(to);
        out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (out < 0)
                return NEG_ERRNO();
        for (;;) {
                int r;

                n = read(in, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                r = write_full(out, buf, (size_t)n);
                if (r < 0)
                        return r;
        }
        return n < 0 ? NEG_ERRNO() : 0;
}

int copy_file(const char *from, const char *to, mode_t mode)
{
        _cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC);

        if (in < 0)
                return NEG_ERRNO();
        return copy_fd_to_file(in, to, mode);
}

void close_all_fds_but(const int *keep, size_t n)
{
        int sorted[8];
        unsigned from = 0;

        for (size_t i = 0; i < n && i < ELEMENTSOF(sorted); i++) {
                size_t j = i;

                for (; j > 0 && sorted[j - 1] > keep[i]; j--)
                        sorted[j] = sorted[j - 1];
                sorted[j] = keep[i];
        }
        for (size_t i = 0; i < n && i < ELEMENTSOF(sorted); i++) {
                if (sorted[i] < 0 || (unsigned)sorted[i] < from)
                        continue;
                if ((unsigned)sorted[i] > from && sys_close_range(from, (unsigned)sorted[i] - 1, 0) < 0)
                        for (unsigned fd = from; fd < (unsigned)sorted[i]; fd++)
                                close((int)fd);
                from = (unsigned)sorted[i] + 1;
        }
        if (sys_close_range(from, ~0U, 0) < 0)
                for (unsigned fd = from; fd < 1024; fd++)
                        close((int)fd);
}

int openat_beneath_nofollow(int rootfd, const char *path, int flags)
{
        _cleanup_close_ int dir = -EBADF;
        int at = rootfd;

        for (;;) {
                size_t n;
                char name[NAME_MAX + 1];
                int fd;

                path += strspn(path, "/");
                n = strcspn(path, "/");
                if (n == 0)
                        n = 1, path = "."; /* the root itself, or a path ending in "/" */
                if (n > NAME_MAX)
                        return -ENAMETOOLONG;
                memcpy(name, path, n);
                name[n] = 0;
                if (strcmp(name, "..") == 0)
                        return -EXDEV;
                path += n;
                if (path[strspn(path, "/")] == 0) {
                        fd = openat(at, name, flags | O_NOFOLLOW | O_CLOEXEC);
                        return fd < 0 ? NEG_ERRNO() : fd;
                }
                fd = openat(at, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return NEG_ERRNO();
                safe_close(dir);
                dir = fd;
                at = dir;
        }
}

int openat_in_root(int rootfd, const char *path, int flags)
{
        struct cc_open_how how = { .flags = (uint64_t)flags | O_CLOEXEC,
                                   .resolve = CC_RESOLVE_IN_ROOT | CC_RESOLVE_NO_MAGICLINKS };
        int fd;

        while (*path == '/')
                path++;
        fd = sys_openat2(rootfd, *path ? path : ".", &how);
        if (fd < 0 && errno == ENOSYS)
                return openat_beneath_nofollow(rootfd, path, flags);
        return fd < 0 ? NEG_ERRNO() : fd;
}

int send_with_fd(int sock, const void *buf, size_t len, int fd)
{
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(int))];
        } u = {};
        struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
        ssize_t n;

        if (fd >= 0) {
                struct cmsghdr *c;

                mh.msg_control = u.buf;
                mh.msg_controllen = sizeof(u.buf);
                c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &fd, sizeof(int));
        }
        while ((n = sendmsg(sock, &mh, MSG_NOSIGNAL)) < 0 && errno == EINTR)
                ;
        if (n < 0)
                return NEG_ERRNO();
        return (size_t)n == len ? 0 : -EIO;
}
