/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "basic/log.h"
#include "basic/macro.h"
#include "basic/syscalls.h"
#include "cart/mount.h"

/* The kernel explains a refused fsconfig in the context's log: pass it on under -v. */
static void log_fs_context(int fsfd)
{
        char buf[512];
        ssize_t n;

        while ((n = read(fsfd, buf, sizeof(buf) - 1)) > 0) {
                buf[n] = 0;
                log_debug("kernel: %s", buf);
        }
}

/* The superblock of a configured context, read-only, as a detached mount that is
 * read-only, nosuid and nodev. config_error: a configuration call failed before. */
static int create_readonly_mount(int fsfd, int config_error, int *ret_mntfd)
{
        int mntfd, r = config_error;

        if (r == 0 && (sys_fsconfig(fsfd, CC_FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0 ||
                       sys_fsconfig(fsfd, CC_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0))
                r = NEG_ERRNO();
        if (r < 0) {
                log_fs_context(fsfd);
                return r;
        }
        mntfd = sys_fsmount(fsfd, CC_FSMOUNT_CLOEXEC,
                            (unsigned)(CC_MOUNT_ATTR_RDONLY | CC_MOUNT_ATTR_NOSUID | CC_MOUNT_ATTR_NODEV));
        if (mntfd < 0)
                return NEG_ERRNO();
        *ret_mntfd = mntfd;
        return 0;
}

static int mount_file_image(const struct image *img, const char *source, int *ret_mntfd)
{
        _cleanup_close_ int fsfd = -EBADF;
        int r = 0;

        fsfd = sys_fsopen(image_fstype(img->kind), CC_FSOPEN_CLOEXEC);
        if (fsfd < 0)
                return NEG_ERRNO();
        if (sys_fsconfig(fsfd, CC_FSCONFIG_SET_STRING, "source", source, 0) < 0)
                r = NEG_ERRNO();
        return create_readonly_mount(fsfd, r, ret_mntfd);
}

/* A detached clone of the directory, idmapped to userns_fd when >= 0. */
static int clone_directory(const struct image *img, int userns_fd, bool *ret_idmapped, int *ret_fd)
{
        _cleanup_close_ int fd = -EBADF;
        struct cc_mount_attr attr = { .attr_set = CC_MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd };

        fd = sys_open_tree(img->fd, "", CC_OPEN_TREE_CLONE | CC_OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | CC_AT_RECURSIVE);
        if (fd < 0)
                return NEG_ERRNO();
        *ret_idmapped = false;
        /* Only a detached mount can be idmapped (attached: EPERM). */
        if (userns_fd >= 0) {
                if (sys_mount_setattr(fd, "", AT_EMPTY_PATH | CC_AT_RECURSIVE, &attr) == 0)
                        *ret_idmapped = true;
                else
                        log_debug("no idmapped mount for the directory (%s): files show as the overflow uid",
                                  strerror(errno));
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* A directory cart through a read-only overlay: its superblock is read-only, so a
 * container root that remounts the mount read-write in its own user namespace
 * (which it may: the flags of a mount moved there are not locked) still cannot
 * write the host's directory. An overlay without an upper layer needs two lower
 * ones: the second is an empty tmpfs, detached, never in any tree. The layers
 * are given as descriptors (lowerdir+, Linux 6.8), so no path is looked up. */
static int mount_directory_overlay(int lower_fd, int *ret_mntfd)
{
        _cleanup_close_ int fsfd = -EBADF, tfs = -EBADF, empty = -EBADF;
        int r = 0;

        tfs = sys_fsopen("tmpfs", CC_FSOPEN_CLOEXEC);
        if (tfs < 0)
                return NEG_ERRNO();
        if (sys_fsconfig(tfs, CC_FSCONFIG_SET_STRING, "mode", "0555", 0) < 0 ||
            sys_fsconfig(tfs, CC_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return NEG_ERRNO();
        empty = sys_fsmount(tfs, CC_FSMOUNT_CLOEXEC, (unsigned)CC_MOUNT_ATTR_RDONLY);
        if (empty < 0)
                return NEG_ERRNO();

        fsfd = sys_fsopen("overlay", CC_FSOPEN_CLOEXEC);
        if (fsfd < 0)
                return NEG_ERRNO();
        if (sys_fsconfig(fsfd, CC_FSCONFIG_SET_FD, "lowerdir+", NULL, lower_fd) < 0 ||
            sys_fsconfig(fsfd, CC_FSCONFIG_SET_FD, "lowerdir+", NULL, empty) < 0)
                r = NEG_ERRNO();
        return create_readonly_mount(fsfd, r, ret_mntfd);
}

static int mount_directory_image(const struct image *img, int userns_fd, bool *ret_idmapped, int *ret_mntfd)
{
        _cleanup_close_ int lower = -EBADF;
        struct cc_mount_attr attr = {
                .attr_set = CC_MOUNT_ATTR_RDONLY | CC_MOUNT_ATTR_NOSUID | CC_MOUNT_ATTR_NODEV,
        };
        int r;

        r = clone_directory(img, userns_fd, ret_idmapped, &lower);
        if (r < 0)
                return r;
        if (fault_disabled("directory-overlay"))
                r = -EOPNOTSUPP;
        else
                r = mount_directory_overlay(lower, ret_mntfd);
        if (r == 0)
                return 0;
        log_debug("no read-only overlay for a directory cart: %s", strerror(-r));
        /* Without a user namespace of its own, the container's root cannot
         * remount what crashcart placed (that needs CAP_SYS_ADMIN of the host's):
         * a read-only bind is enough. With one, it would be the host's directory
         * made writable. */
        if (userns_fd >= 0 && !fault_disabled("directory-overlay"))
                return -EROFS;
        if (sys_mount_setattr(lower, "", AT_EMPTY_PATH | CC_AT_RECURSIVE, &attr) < 0)
                return NEG_ERRNO();
        *ret_mntfd = TAKE_FD(lower);
        return 0;
}

int cart_mount_create(const struct image *img, const char *source, int userns_fd, int *ret_mntfd,
                      bool *ret_idmapped)
{
        _cleanup_close_ int mntfd = -EBADF;
        int r;

        *ret_idmapped = false;
        if (img->kind == IMAGE_DIRECTORY) {
                r = mount_directory_image(img, userns_fd, ret_idmapped, &mntfd);
                if (r < 0)
                        return r;
                *ret_mntfd = TAKE_FD(mntfd);
                return 0;
        }
        r = mount_file_image(img, source, &mntfd);
        if (r < 0)
                return r;
        if (userns_fd >= 0) {
                struct cc_mount_attr attr = {
                        .attr_set = CC_MOUNT_ATTR_IDMAP,
                        .userns_fd = (uint64_t)userns_fd,
                };

                /* Only a detached mount can be idmapped (attached: EPERM). */
                if (sys_mount_setattr(mntfd, "", AT_EMPTY_PATH, &attr) == 0)
                        *ret_idmapped = true;
                else
                        log_debug("no idmapped mount for %s (%s): files show as the overflow uid",
                                  image_kind_name(img->kind), strerror(errno));
        }
        *ret_mntfd = TAKE_FD(mntfd);
        return 0;
}
