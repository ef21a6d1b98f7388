/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "basic/log.h"
#include "basic/macro.h"
#include "cart/loopdev.h"

static int open_loop(unsigned n, struct loopdev *ret)
{
        struct stat st;
        int fd;

        snprintf(ret->path, sizeof(ret->path), "/dev/loop%u", n);
        fd = open(ret->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return NEG_ERRNO();
        if (fstat(fd, &st) < 0 || !S_ISBLK(st.st_mode)) {
                safe_close(fd);
                return -ENOTBLK;
        }
        ret->fd = fd;
        ret->rdev = st.st_rdev;
        return 0;
}

/* Whether the bound device maps the whole of this file read-only. */
static bool loop_matches(int loopfd, const struct stat *img)
{
        struct loop_info64 info = {};

        if (ioctl(loopfd, LOOP_GET_STATUS64, &info) < 0)
                return false; /* ENXIO: not bound, or being torn down */
        return info.lo_device == img->st_dev && info.lo_inode == img->st_ino &&
               info.lo_offset == 0 && info.lo_sizelimit == 0 && (info.lo_flags & LO_FLAGS_READ_ONLY);
}

int loopdev_find(int image_fd, struct loopdev *ret)
{
        _cleanup_(closedir_p) DIR *d = NULL;
        struct stat img;
        struct dirent *de;

        if (fstat(image_fd, &img) < 0)
                return NEG_ERRNO();

        /* /sys/block/loopN/loop exists only while loopN is bound. */
        d = opendir("/sys/block");
        if (!d)
                return NEG_ERRNO();
        while ((de = readdir(d))) {
                struct loopdev l = { .fd = -EBADF };
                char sub[300];
                unsigned n;
                char extra;

                if (sscanf(de->d_name, "loop%u%c", &n, &extra) != 1)
                        continue;
                snprintf(sub, sizeof(sub), "%s/loop", de->d_name);
                if (faccessat(dirfd(d), sub, F_OK, 0) < 0)
                        continue;
                if (open_loop(n, &l) < 0)
                        continue;
                /* Checked after opening: an autoclear device whose last user left
                 * between readdir and open is unbound by now, and one we hold open
                 * cannot be cleared under us. */
                if (loop_matches(l.fd, &img)) {
                        l.attached = false;
                        *ret = l;
                        return 0;
                }
                safe_close(l.fd);
        }
        return -ENOENT;
}

static int loop_attach(int ctlfd, int image_fd, const char *image_path, struct loopdev *ret)
{
        for (int attempt = 0; attempt < 64; attempt++) {
                struct loopdev l = { .fd = -EBADF };
                struct loop_config cfg = {};
                int n, r;

                n = ioctl(ctlfd, LOOP_CTL_GET_FREE);
                if (n < 0)
                        return NEG_ERRNO();
                r = open_loop((unsigned)n, &l);
                if (r == -ENOENT) {
                        /* No node for it (no devtmpfs): nothing crashcart should make. */
                        return -ENODEV;
                }
                if (r < 0)
                        return r;

                cfg.fd = (uint32_t)image_fd;
                cfg.info.lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR;
                snprintf((char *)cfg.info.lo_file_name, sizeof(cfg.info.lo_file_name), "%s", image_path);
                if (ioctl(l.fd, LOOP_CONFIGURE, &cfg) == 0) {
                        l.attached = true;
                        *ret = l;
                        return 0;
                }
                r = NEG_ERRNO();
                if (r == -EINVAL || r == -ENOTTY) {
                        /* Before Linux 5.8: bind, then set the flags. */
                        if (ioctl(l.fd, LOOP_SET_FD, image_fd) == 0) {
                                if (ioctl(l.fd, LOOP_SET_STATUS64, &cfg.info) == 0) {
                                        l.attached = true;
                                        *ret = l;
                                        return 0;
                                }
                                r = NEG_ERRNO();
                                ioctl(l.fd, LOOP_CLR_FD, 0);
                                safe_close(l.fd);
                                return r;
                        }
                        r = NEG_ERRNO();
                }
                safe_close(l.fd);
                /* Another program took this device between GET_FREE and binding. */
                if (r != -EBUSY)
                        return r;
        }
        return -EBUSY;
}

int loopdev_find_or_attach(int rundir_fd, int image_fd, const char *image_path, struct loopdev *ret)
{
        _cleanup_close_ int lockfd = -EBADF, ctlfd = -EBADF;
        int r;

        lockfd = openat(rundir_fd, "loop.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
        if (lockfd < 0)
                return NEG_ERRNO();
        /* Held until this process has its own reference to the device: two
         * crashcart processes never attach two devices for one image. */
        if (flock(lockfd, LOCK_EX) < 0)
                return NEG_ERRNO();

        r = loopdev_find(image_fd, ret);
        if (r == 0) {
                log_debug("found %s mapping the image", ret->path);
                return 0;
        }
        if (r != -ENOENT)
                return r;

        ctlfd = open("/dev/loop-control", O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (ctlfd < 0)
                return errno == ENOENT ? -ENODEV : NEG_ERRNO();
        r = loop_attach(ctlfd, image_fd, image_path, ret);
        if (r == 0)
                log_debug("attached %s read-only, autoclear", ret->path);
        return r;
}
