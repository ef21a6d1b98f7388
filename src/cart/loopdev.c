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

int loopdev_backing_trusted(dev_t dev, char *backing, size_t size)
{
        _cleanup_close_ int fd = -EBADF;
        struct loop_info64 info = {};
        struct loopdev l = { .fd = -EBADF };
        char path[96], name[64] = "";
        struct stat st;
        size_t len;
        FILE *f;
        int r;

        /* The device's name, from sysfs: /dev/loopN. */
        snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/uevent", major(dev), minor(dev));
        f = fopen(path, "re");
        if (!f)
                return -ENODEV;
        while (fgets(path, sizeof(path), f))
                if (sscanf(path, "DEVNAME=%63s", name) == 1)
                        break;
        fclose(f);
        unsigned n;
        char extra;
        if (sscanf(name, "loop%u%c", &n, &extra) != 1)
                return -ENODEV; /* not a loop device: not a cart crashcart attached */
        r = open_loop(n, &l);
        if (r < 0)
                return r;
        fd = l.fd;
        if (l.rdev != dev)
                return -ENODEV;
        if (ioctl(fd, LOOP_GET_STATUS64, &info) < 0)
                return NEG_ERRNO();
        /* What crashcart attaches: read-only, autoclear, the whole file. */
        if (!(info.lo_flags & LO_FLAGS_READ_ONLY) || !(info.lo_flags & LO_FLAGS_AUTOCLEAR) || info.lo_offset ||
            info.lo_sizelimit)
                return -EPERM;
        snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/loop/backing_file", major(dev), minor(dev));
        f = fopen(path, "re");
        if (!f)
                return NEG_ERRNO();
        if (!fgets(backing, (int)size, f)) {
                fclose(f);
                return -ENODATA;
        }
        fclose(f);
        backing[strcspn(backing, "\n")] = 0;
        /* A file deleted (or replaced by a rename) after it was attached: the loop
         * device holds the old one, which nobody can open again. */
        len = strlen(backing);
        if (len > 10 && strcmp(backing + len - 10, " (deleted)") == 0)
                return 0;
        if (stat(backing, &st) < 0 || st.st_dev != info.lo_device || st.st_ino != info.lo_inode)
                return -ESTALE; /* the file there now is another */
        if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
                return -EPERM;
        return 0;
}
