/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basic/fileio.h"
#include "basic/log.h"
#include "basic/macro.h"
#include "basic/syscalls.h"
#include "cart/out.h"

static int parse_id(const char *s, uint32_t *ret)
{
        uint64_t v;

        /* (uid_t)-1 is no one: chown's "leave it". */
        if (parse_u64(s, &v) < 0 || v >= UINT32_MAX)
                return -EINVAL;
        *ret = (uint32_t)v;
        return 0;
}

int out_owner_from_env(uid_t *ret_uid, gid_t *ret_gid)
{
        const char *u = getenv("SUDO_UID"), *g = getenv("SUDO_GID");
        uint32_t uid = 0, gid = 0;

        if (u && *u && g && *g) {
                if (parse_id(u, &uid) < 0 || parse_id(g, &gid) < 0)
                        return -EINVAL;
        }
        *ret_uid = uid;
        *ret_gid = gid;
        return 0;
}

/* openat2 with RESOLVE_NO_SYMLINKS: a symlink in any component is -ELOOP,
 * "..", mount points and all, are walked as they are. Kernels before 5.6: each
 * component is not checked, only the last one is opened O_NOFOLLOW. */
static int open_nofollow(int dirfd, const char *path, int flags)
{
        struct cc_open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC), .resolve = CC_RESOLVE_NO_SYMLINKS };
        int fd;

        fd = sys_openat2(dirfd, path, &how);
        if (fd < 0 && errno == ENOSYS)
                fd = openat(dirfd, path, flags | O_CLOEXEC | O_NOFOLLOW);
        return fd < 0 ? NEG_ERRNO() : fd;
}

int out_dir_open(const char *path, uid_t uid, gid_t gid, int *ret_fd, int *ret_created)
{
        _cleanup_free_ char *copy = strdup(path);
        _cleanup_close_ int parent = -EBADF, fd = -EBADF;
        const char *dir, *base;
        struct stat st;
        char *slash;
        int created = 0;

        if (!copy)
                return -ENOMEM;
        if (!*copy)
                return -ENOENT;
        /* "caps/" is "caps". */
        for (size_t n = strlen(copy); n > 1 && copy[n - 1] == '/'; n--)
                copy[n - 1] = 0;
        slash = strrchr(copy, '/');
        if (!slash) {
                dir = ".";
                base = copy;
        } else if (slash == copy) {
                dir = "/";
                base = slash[1] ? slash + 1 : ".";
        } else {
                *slash = 0;
                dir = copy;
                base = slash + 1;
        }
        parent = open_nofollow(AT_FDCWD, dir, O_PATH | O_DIRECTORY);
        if (parent < 0)
                return parent;
        if (strcmp(base, ".") != 0 && strcmp(base, "..") != 0) {
                /* Root's until it is opened, so that no one else can put
                 * anything into it meanwhile; given away on its descriptor. */
                if (mkdirat(parent, base, 0700) == 0)
                        created = 1;
                else if (errno != EEXIST)
                        return NEG_ERRNO();
        }
        fd = open_nofollow(parent, base, O_RDONLY | O_DIRECTORY);
        if (fd < 0)
                return fd;
        if (fstat(fd, &st) < 0)
                return NEG_ERRNO();
        /* A directory of someone else's: one planted under the name in a parent
         * that others can write, or simply not the operator's to fill. */
        if (st.st_uid != uid && st.st_uid != 0)
                return -EPERM;
        /* What the container writes there may be a setuid program or a device
         * node of the host's kind (its root may have CAP_MKNOD and CAP_FSETID):
         * nobody but the operator may reach it on the host. */
        if (st.st_mode & 0077)
                return -EACCES;
        if (created && st.st_uid == 0 && (uid != 0 || gid != 0) && fchown(fd, uid, gid) < 0)
                return NEG_ERRNO();
        *ret_fd = TAKE_FD(fd);
        if (ret_created)
                *ret_created = created;
        return 0;
}

int out_idmap_line(char *buf, size_t size, uint32_t owner, uint32_t root)
{
        int n = snprintf(buf, size, "%" PRIu32 " %" PRIu32 " 1\n", owner, root);

        return n < 0 || (size_t)n >= size ? -ENOBUFS : 0;
}

/* A user namespace whose only mapping is owner → root (uids and gids): held by a
 * child that made it with unshare and waits, until its descriptor is open. */
static int userns_make(uint32_t owner_uid, uint32_t root_uid, uint32_t owner_gid, uint32_t root_gid, int *ret_fd)
{
        _cleanup_close_ int ready_r = -EBADF, ready_w = -EBADF, hold_r = -EBADF, hold_w = -EBADF, procfd = -EBADF;
        int p[2], r = 0, status;
        char path[64], line[64], c = 1;
        size_t n = 0;
        pid_t pid;

        if (pipe2(p, O_CLOEXEC) < 0)
                return NEG_ERRNO();
        ready_r = p[0], ready_w = p[1];
        if (pipe2(p, O_CLOEXEC) < 0)
                return NEG_ERRNO();
        hold_r = p[0], hold_w = p[1];

        pid = fork();
        if (pid < 0)
                return NEG_ERRNO();
        if (pid == 0) {
                /* It goes when crashcart does: the read below ends with the
                 * last write end. */
                safe_close(ready_r);
                safe_close(hold_w);
                c = unshare(CLONE_NEWUSER) < 0 ? 1 : 0;
                (void)write_full(ready_w, &c, 1);
                if (read(hold_r, &c, 1) < 0)
                        _exit(1);
                _exit(0);
        }
        ready_w = safe_close(ready_w);
        hold_r = safe_close(hold_r);
        if (read_full(ready_r, &c, 1, &n) < 0 || n != 1 || c != 0)
                r = -EPERM;
        snprintf(path, sizeof(path), "/proc/%d", (int)pid);
        if (r == 0 && (procfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
                r = NEG_ERRNO();
        if (r == 0)
                r = out_idmap_line(line, sizeof(line), owner_uid, root_uid);
        if (r == 0)
                r = write_fileat(procfd, "uid_map", line);
        if (r == 0)
                r = out_idmap_line(line, sizeof(line), owner_gid, root_gid);
        if (r == 0)
                r = write_fileat(procfd, "gid_map", line);
        if (r == 0) {
                int fd = openat(procfd, "ns/user", O_RDONLY | O_CLOEXEC);

                if (fd < 0)
                        r = NEG_ERRNO();
                else
                        *ret_fd = fd;
        }
        hold_w = safe_close(hold_w);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        return r;
}

int out_mount_create(int dir_fd, uid_t owner_uid, gid_t owner_gid, uint32_t root_uid, uint32_t root_gid,
                     int *ret_mntfd)
{
        _cleanup_close_ int mntfd = -EBADF, usernsfd = -EBADF;
        struct cc_mount_attr attr = {
                .attr_set = CC_MOUNT_ATTR_NOSUID | CC_MOUNT_ATTR_NODEV | CC_MOUNT_ATTR_NOEXEC,
        };
        int r;

        /* Not AT_RECURSIVE: the directory, and no mount beneath it. */
        mntfd = sys_open_tree(dir_fd, "", CC_OPEN_TREE_CLONE | CC_OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
        if (mntfd < 0)
                return NEG_ERRNO();
        if (sys_mount_setattr(mntfd, "", AT_EMPTY_PATH, &attr) < 0)
                return NEG_ERRNO();
        /* The container's root (root_uid on the host) writes as the owner: files
         * land the operator's, never a container's uid, nor the overflow uid. */
        if (owner_uid != root_uid || owner_gid != root_gid) {
                r = userns_make(owner_uid, root_uid, owner_gid, root_gid, &usernsfd);
                if (r < 0)
                        return r;
                attr = (struct cc_mount_attr){ .attr_set = CC_MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)usernsfd };
                /* Only a detached mount can be idmapped (attached: EPERM). */
                if (sys_mount_setattr(mntfd, "", AT_EMPTY_PATH, &attr) < 0)
                        return errno == EINVAL || errno == ENOSYS ? -EOPNOTSUPP : NEG_ERRNO();
        }
        *ret_mntfd = TAKE_FD(mntfd);
        return 0;
}
