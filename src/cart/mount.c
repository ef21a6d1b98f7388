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

static int mount_file_image(const struct image *img, const char *source, int *ret_mntfd)
{
        _cleanup_close_ int fsfd = -EBADF;
        int mntfd, r;

        fsfd = sys_fsopen(image_fstype(img->kind), CC_FSOPEN_CLOEXEC);
        if (fsfd < 0)
                return NEG_ERRNO();
        if (sys_fsconfig(fsfd, CC_FSCONFIG_SET_STRING, "source", source, 0) < 0 ||
            sys_fsconfig(fsfd, CC_FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0 ||
            sys_fsconfig(fsfd, CC_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
                r = NEG_ERRNO();
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

static int mount_directory_image(const struct image *img, int *ret_mntfd)
{
        _cleanup_close_ int mntfd = -EBADF;
        struct cc_mount_attr attr = {
                .attr_set = CC_MOUNT_ATTR_RDONLY | CC_MOUNT_ATTR_NOSUID | CC_MOUNT_ATTR_NODEV,
        };

        mntfd = sys_open_tree(img->fd, "", CC_OPEN_TREE_CLONE | CC_OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | CC_AT_RECURSIVE);
        if (mntfd < 0)
                return NEG_ERRNO();
        if (sys_mount_setattr(mntfd, "", AT_EMPTY_PATH | CC_AT_RECURSIVE, &attr) < 0)
                return NEG_ERRNO();
        *ret_mntfd = TAKE_FD(mntfd);
        return 0;
}

int cart_mount_create(const struct image *img, const char *source, int userns_fd, int *ret_mntfd,
                      bool *ret_idmapped)
{
        _cleanup_close_ int mntfd = -EBADF;
        int r;

        if (img->kind == IMAGE_DIRECTORY)
                r = mount_directory_image(img, &mntfd);
        else
                r = mount_file_image(img, source, &mntfd);
        if (r < 0)
                return r;

        *ret_idmapped = false;
        if (userns_fd >= 0) {
                struct cc_mount_attr attr = {
                        .attr_set = CC_MOUNT_ATTR_IDMAP,
                        .userns_fd = (uint64_t)userns_fd,
                };

                /* Only a detached mount can be idmapped (attached: EPERM). */
                if (sys_mount_setattr(mntfd, "", AT_EMPTY_PATH | (img->kind == IMAGE_DIRECTORY ? CC_AT_RECURSIVE : 0),
                                      &attr) == 0)
                        *ret_idmapped = true;
                else
                        log_debug("no idmapped mount for %s (%s): files show as the overflow uid",
                                  image_kind_name(img->kind), strerror(errno));
        }
        *ret_mntfd = TAKE_FD(mntfd);
        return 0;
}
