/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "basic/fileio.h"
#include "basic/interrupt.h"
#include "basic/log.h"
#include "basic/macro.h"
#include "basic/procfs.h"
#include "basic/syscalls.h"
#include "cart/place.h"

#define MOUNTINFO_MAX (16 << 20)

int cart_probe_mount(const struct target *t, struct cart_mount_info *ret)
{
        _cleanup_free_ char *mi = NULL;
        struct mountinfo_entry e;
        int r;

        r = read_full_fileat(t->procfd, "mountinfo", MOUNTINFO_MAX, &mi, NULL);
        if (r < 0)
                return r == -ENOENT ? -ESRCH : r;
        r = mountinfo_find_mount_point(mi, CART_PATH, &e);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        *ret = (struct cart_mount_info){
                .dev = makedev(e.major, e.minor),
                .is_whole = strcmp(e.root, "/") == 0,
                .is_readonly = opts_has(e.mount_opts, "ro"),
        };
        return 1;
}

/* ---- inside the helper: everything below runs in the container's mount namespace,
 * with the container's root as / ---- */

/* The host's /proc, opened before the helper left the host's mount namespace. */
static int helper_host_proc_fd = -EBADF;

/* Whether a mount made under peer group `group` would propagate out of the
 * container's mount namespace: whether any other mount namespace on the host has a
 * peer (shared:N) or a slave (master:N) of that group. LXC, for one, makes every
 * mount of its containers shared, with peers only inside the container: that is
 * harmless. A /dev that is a peer of the host's /dev is not. */
static int group_escapes(uint64_t group, pid_t *ret_pid)
{
        _cleanup_(closedir_p) DIR *d = NULL;
        _cleanup_free_ ino_t *seen = NULL;
        size_t n_seen = 0;
        struct stat self;
        struct dirent *de;
        int r;

        if (fstatat(helper_host_proc_fd, "self/ns/mnt", &self, 0) < 0)
                return NEG_ERRNO();
        r = opendir_at(helper_host_proc_fd, ".", &d);
        if (r < 0)
                return r;
        while ((de = readdir(d))) {
                _cleanup_free_ char *mi = NULL;
                char path[300];
                struct stat st;
                bool dup = false;
                pid_t pid;
                ino_t *p;

                if (parse_pid(de->d_name, &pid) < 0)
                        continue;
                snprintf(path, sizeof(path), "%s/ns/mnt", de->d_name);
                if (fstatat(dirfd(d), path, &st, 0) < 0 || st.st_ino == self.st_ino)
                        continue;
                for (size_t i = 0; i < n_seen && !dup; i++)
                        dup = seen[i] == st.st_ino;
                if (dup)
                        continue;
                p = realloc(seen, (n_seen + 1) * sizeof(*seen));
                if (!p)
                        return -ENOMEM;
                seen = p;
                seen[n_seen++] = st.st_ino;

                snprintf(path, sizeof(path), "%s/mountinfo", de->d_name);
                if (read_full_fileat(dirfd(d), path, MOUNTINFO_MAX, &mi, NULL) < 0)
                        continue; /* gone */
                r = mountinfo_has_group(mi, group);
                if (r > 0) {
                        *ret_pid = pid;
                        return 1;
                }
        }
        return 0;
}

static int fail(struct place_reply *reply, enum place_stage stage, int err)
{
        reply->stage = stage;
        reply->error = err < 0 ? err : -EIO;
        return reply->error;
}

/* How the container's /dev was made writable for a moment, to undo it exactly. */
struct dev_rw {
        int mount_root_fd;
        bool sb_made_rw;
        bool mnt_made_rw;
        bool legacy;
        unsigned long mnt_flags;   /* for the mount(2) fallback */
};

static unsigned long mount_flags_from_opts(const char *opts)
{
        static const struct {
                const char *name;
                unsigned long flag;
        } map[] = {
                { "ro", MS_RDONLY },         { "nosuid", MS_NOSUID },       { "nodev", MS_NODEV },
                { "noexec", MS_NOEXEC },     { "noatime", MS_NOATIME },     { "nodiratime", MS_NODIRATIME },
                { "relatime", MS_RELATIME }, { "nosymfollow", 256 /* MS_NOSYMFOLLOW */ },
        };
        unsigned long flags = 0;

        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (opts_has(opts, map[i].name))
                        flags |= map[i].flag;
        if (!(flags & (MS_NOATIME | MS_RELATIME)))
                flags |= MS_STRICTATIME;
        return flags;
}

static int set_sb_readonly(int mount_root_fd, bool ro)
{
        _cleanup_close_ int fsfd = -EBADF;

        fsfd = sys_fspick(mount_root_fd, "", CC_FSPICK_EMPTY_PATH | CC_FSPICK_CLOEXEC);
        if (fsfd < 0)
                return NEG_ERRNO();
        if (sys_fsconfig(fsfd, CC_FSCONFIG_SET_FLAG, ro ? "ro" : "rw", NULL, 0) < 0 ||
            sys_fsconfig(fsfd, CC_FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0) < 0)
                return NEG_ERRNO();
        return 0;
}

static int set_mnt_readonly(int mount_root_fd, bool ro)
{
        struct cc_mount_attr attr = {};

        if (ro)
                attr.attr_set = CC_MOUNT_ATTR_RDONLY;
        else
                attr.attr_clr = CC_MOUNT_ATTR_RDONLY;
        if (sys_mount_setattr(mount_root_fd, "", AT_EMPTY_PATH, &attr) < 0)
                return NEG_ERRNO();
        return 0;
}

/* mount(2) remounts for kernels without fspick/mount_setattr (and --legacy-mount).
 * "." is the mount root: the helper's cwd was moved there. */
static int legacy_remount(int mount_root_fd, unsigned long flags, bool bind)
{
        if (fchdir(mount_root_fd) < 0)
                return NEG_ERRNO();
        /* Source and type are ignored for a remount; named all the same for the
         * checkers (valgrind) that read them. */
        if (mount("none", ".", "none", MS_REMOUNT | (bind ? MS_BIND : 0) | flags, NULL) < 0)
                return NEG_ERRNO();
        return 0;
}

static int dev_make_writable(const struct mountinfo_entry *dev, int mount_root_fd, bool legacy, struct dev_rw *rw)
{
        bool sb_ro = opts_has(dev->super_opts, "ro"), mnt_ro = opts_has(dev->mount_opts, "ro");
        int r;

        *rw = (struct dev_rw){ .mount_root_fd = mount_root_fd, .legacy = legacy,
                               .mnt_flags = mount_flags_from_opts(dev->mount_opts) };
        if (sb_ro) {
                r = rw->legacy ? -ENOSYS : set_sb_readonly(mount_root_fd, false);
                if (r == -ENOSYS) {
                        /* No fspick (before 5.2): mount(2) from here on. */
                        rw->legacy = true;
                        r = legacy_remount(mount_root_fd, rw->mnt_flags & ~MS_RDONLY, false);
                }
                if (r < 0)
                        return r;
                rw->sb_made_rw = true;
                /* A mount(2) remount of the superblock sets the mount's flags too. */
                if (rw->legacy) {
                        rw->mnt_made_rw = mnt_ro;
                        mnt_ro = false;
                }
        }
        if (mnt_ro) {
                r = rw->legacy ? -ENOSYS : set_mnt_readonly(mount_root_fd, false);
                if (r == -ENOSYS) {
                        /* No mount_setattr (before 5.12). */
                        rw->legacy = true;
                        r = legacy_remount(mount_root_fd, rw->mnt_flags & ~MS_RDONLY, true);
                }
                if (r < 0)
                        return r;
                rw->mnt_made_rw = true;
        }
        return 0;
}

static int dev_restore(struct dev_rw *rw)
{
        int r = 0, q;

        if (rw->legacy) {
                /* mnt_flags holds MS_RDONLY exactly when the mount itself was read-only. */
                if (rw->sb_made_rw) {
                        r = legacy_remount(rw->mount_root_fd, rw->mnt_flags | MS_RDONLY, false);
                        if (r == 0 && !(rw->mnt_flags & MS_RDONLY))
                                r = legacy_remount(rw->mount_root_fd, rw->mnt_flags, true);
                } else if (rw->mnt_made_rw)
                        r = legacy_remount(rw->mount_root_fd, rw->mnt_flags | MS_RDONLY, true);
        } else {
                if (rw->mnt_made_rw) {
                        q = set_mnt_readonly(rw->mount_root_fd, true);
                        if (q < 0)
                                r = q;
                }
                if (rw->sb_made_rw) {
                        q = set_sb_readonly(rw->mount_root_fd, true);
                        if (q < 0 && r == 0)
                                r = q;
                }
        }
        rw->sb_made_rw = rw->mnt_made_rw = false;
        return r;
}

/* The container's /dev and what the kernel says of its mount. */
struct devinfo {
        int fd;                 /* O_PATH of /dev */
        int mount_root_fd;      /* O_PATH of the root of /dev's mount (== fd mostly) */
        uint64_t mnt_id;
        char *mountinfo;        /* buffer the entry points into */
        struct mountinfo_entry entry;
};

static void devinfo_done(struct devinfo *d)
{
        if (d->mount_root_fd != d->fd)
                safe_close(d->mount_root_fd);
        safe_close(d->fd);
        free(d->mountinfo);
}

static int devinfo_open(const struct target *t, struct devinfo *d, struct place_reply *reply)
{
        int r;

        *d = (struct devinfo){ .fd = -EBADF, .mount_root_fd = -EBADF };
        d->fd = open("/dev", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (d->fd < 0)
                return fail(reply, PLACE_STAGE_DEV, NEG_ERRNO());
        r = fd_mount_id(d->fd, "", AT_EMPTY_PATH, false, &d->mnt_id, NULL);
        if (r < 0)
                return fail(reply, PLACE_STAGE_MOUNTINFO, r);
        /* The target's mountinfo shows this mount namespace seen from its root, the
         * root this helper has taken too. */
        r = read_full_fileat(t->procfd, "mountinfo", MOUNTINFO_MAX, &d->mountinfo, NULL);
        if (r < 0)
                return fail(reply, PLACE_STAGE_MOUNTINFO, r);
        r = mountinfo_find_id(d->mountinfo, d->mnt_id, &d->entry);
        if (r < 0)
                return fail(reply, PLACE_STAGE_MOUNTINFO, r);

        if (strcmp(d->entry.mount_point, "/dev") == 0) {
                d->mount_root_fd = d->fd;
        } else {
                /* /dev is a plain directory of a bigger mount (the root, often). */
                struct cc_open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                                           .resolve = CC_RESOLVE_NO_SYMLINKS | CC_RESOLVE_NO_XDEV };
                uint64_t id;

                d->mount_root_fd = sys_openat2(AT_FDCWD, d->entry.mount_point, &how);
                if (d->mount_root_fd < 0 && errno == ENOSYS)
                        d->mount_root_fd = open(d->entry.mount_point, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (d->mount_root_fd < 0)
                        return fail(reply, PLACE_STAGE_DEV, NEG_ERRNO());
                r = fd_mount_id(d->mount_root_fd, "", AT_EMPTY_PATH, false, &id, NULL);
                if (r < 0)
                        return fail(reply, PLACE_STAGE_MOUNTINFO, r);
                if (id != d->mnt_id)
                        return fail(reply, PLACE_STAGE_DEV, -EXDEV);
        }
        return 0;
}

/* mkdirat/unlinkat as the container's root, so a user-namespaced /dev accepts it
 * (as host root: EOVERFLOW) and the directory belongs to the container's root. */
static int as_container_root(int dirfd, const char *name, bool make, mode_t mode, const struct place_request *req)
{
        int r = 0;

        setfsgid(req->root_gid);
        setfsuid(req->root_uid);
        if (make ? mkdirat(dirfd, name, mode) : unlinkat(dirfd, name, AT_REMOVEDIR))
                r = NEG_ERRNO();
        setfsuid(0);
        setfsgid(0);
        return r;
}

/* Runs op on the directory, making a read-only /dev writable for that moment. */
static int dir_op_rw(struct devinfo *d, const char *name, bool make, mode_t mode, const struct place_request *req,
                     struct dev_rw *rw, struct place_reply *reply)
{
        int r;

        r = as_container_root(d->fd, name, make, mode, req);
        if (r != -EROFS)
                return r;
        if (!rw->sb_made_rw && !rw->mnt_made_rw) {
                r = dev_make_writable(&d->entry, d->mount_root_fd, req->legacy, rw);
                if (r < 0)
                        return fail(reply, PLACE_STAGE_DEV_RW, r);
        }
        return as_container_root(d->fd, name, make, mode, req);
}

struct cart_dir {
        int fd;          /* O_PATH of /dev/crashcart, -EBADF when it does not exist */
        bool is_mount;   /* a mount sits there */
        struct stat st;
};

static int cart_dir_open(struct devinfo *d, struct cart_dir *c, struct place_reply *reply)
{
        struct stat lst;
        uint64_t id;
        int r;

        *c = (struct cart_dir){ .fd = -EBADF };
        if (fstatat(d->fd, CART_DEV_NAME, &lst, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno == ENOENT)
                        return 0;
                return fail(reply, PLACE_STAGE_DEV, NEG_ERRNO());
        }
        /* A container process may have planted a link to make crashcart mount
         * somewhere else: never follow it. */
        if (S_ISLNK(lst.st_mode))
                return fail(reply, PLACE_STAGE_SYMLINK, -ELOOP);
        if (!S_ISDIR(lst.st_mode))
                return fail(reply, PLACE_STAGE_NOTDIR, -ENOTDIR);
        c->fd = openat(d->fd, CART_DEV_NAME, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (c->fd < 0)
                return fail(reply, errno == ELOOP || errno == ENOTDIR ? PLACE_STAGE_SYMLINK : PLACE_STAGE_DEV, NEG_ERRNO());
        if (fstat(c->fd, &c->st) < 0)
                return fail(reply, PLACE_STAGE_DEV, NEG_ERRNO());
        r = fd_mount_id(c->fd, "", AT_EMPTY_PATH, false, &id, NULL);
        if (r < 0)
                return fail(reply, PLACE_STAGE_MOUNTINFO, r);
        c->is_mount = id != d->mnt_id;
        return 0;
}

static int place_new_api(const struct place_request *req, struct cart_dir *c, struct place_reply *reply)
{
        /* Both ends are descriptors: no path in the container is looked up again. */
        if (sys_move_mount(req->mntfd, "", c->fd, "", CC_MOVE_MOUNT_F_EMPTY_PATH | CC_MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return fail(reply, PLACE_STAGE_MOVE, NEG_ERRNO());
        return 0;
}

static int legacy_dir_clear(struct devinfo *d, const struct place_request *req, struct dev_rw *rw,
                            struct place_reply *reply)
{
        struct stat st;
        int r;

        if (fstatat(d->fd, LEGACY_DIR, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : fail(reply, PLACE_STAGE_LEGACY_DIR, NEG_ERRNO());
        if (!S_ISDIR(st.st_mode))
                return fail(reply, PLACE_STAGE_LEGACY_DIR, -EEXIST);
        /* A directory: left by a fallback run that was killed. Its tmpfs, if still
         * there, is detached (it is private) before the directory goes. */
        if (fchdir(d->fd) < 0)
                return fail(reply, PLACE_STAGE_LEGACY_DIR, NEG_ERRNO());
        umount2(LEGACY_DIR, MNT_DETACH | UMOUNT_NOFOLLOW);
        r = dir_op_rw(d, LEGACY_DIR, false, 0, req, rw, reply);
        if (r < 0)
                return reply->error ? r : fail(reply, PLACE_STAGE_LEGACY_DIR, r);
        return 0;
}

static int place_legacy(const struct place_request *req, struct devinfo *d, struct cart_dir *c, struct dev_rw *rw,
                        struct place_reply *reply)
{
        _cleanup_close_ int tfd = -EBADF, vfd = -EBADF;
        struct statfs sfs;
        struct stat st;
        uint64_t tid;
        int r;

        r = legacy_dir_clear(d, req, rw, reply);
        if (r < 0)
                return r;
        r = dir_op_rw(d, LEGACY_DIR, true, 0700, req, rw, reply);
        if (r < 0)
                return reply->error ? r : fail(reply, PLACE_STAGE_LEGACY_DIR, r);

        /* mount(2) takes paths: work relative to /dev, whose descriptor is checked. */
        if (fchdir(d->fd) < 0) {
                r = fail(reply, PLACE_STAGE_LEGACY_DIR, NEG_ERRNO());
                goto remove_dir;
        }
        if (mount("cc-loop", LEGACY_DIR, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0700,size=16k") < 0) {
                r = fail(reply, PLACE_STAGE_LEGACY_DIR, NEG_ERRNO());
                goto remove_dir;
        }
        tfd = openat(d->fd, LEGACY_DIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (tfd < 0 || fstatfs(tfd, &sfs) < 0 || sfs.f_type != TMPFS_MAGIC ||
            fd_mount_id(tfd, "", AT_EMPTY_PATH, false, &tid, NULL) < 0 || tid == d->mnt_id) {
                r = fail(reply, PLACE_STAGE_LEGACY_DIR, -EXDEV);
                goto unmount_tmpfs;
        }
        /* Private: the device node must not show up in any other mount namespace. */
        if (mount("none", LEGACY_DIR, "none", MS_PRIVATE, NULL) < 0) {
                r = fail(reply, PLACE_STAGE_LEGACY_DIR, NEG_ERRNO());
                goto unmount_tmpfs;
        }
        if (mknodat(tfd, "loop", S_IFBLK | 0600, req->loop_rdev) < 0) {
                r = fail(reply, PLACE_STAGE_MKNOD, NEG_ERRNO());
                goto unmount_tmpfs;
        }
        if (mount("/dev/" LEGACY_DIR "/loop", CART_DEV_NAME, req->fstype, MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0) {
                r = fail(reply, PLACE_STAGE_MOUNT, NEG_ERRNO());
                goto unmount_tmpfs;
        }
        /* mount(2) followed the path: check the cart landed where it was meant to. */
        vfd = openat(d->fd, CART_DEV_NAME, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (vfd < 0 || fstat(vfd, &st) < 0 || st.st_dev != req->loop_rdev) {
                umount2(CART_DEV_NAME, MNT_DETACH | UMOUNT_NOFOLLOW);
                r = fail(reply, PLACE_STAGE_VERIFY, -EXDEV);
                goto unmount_tmpfs;
        }
        safe_close(c->fd);
        c->fd = TAKE_FD(vfd);
        r = 0;

unmount_tmpfs:
        if (umount2(LEGACY_DIR, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && r == 0)
                r = fail(reply, PLACE_STAGE_LEGACY_DIR, NEG_ERRNO());
remove_dir:
        as_container_root(d->fd, LEGACY_DIR, false, 0, req);
        return r;
}

static int do_place(const struct target *t, const void *arg, struct place_reply *reply)
{
        const struct place_request *req = arg;
        struct devinfo d;
        struct cart_dir c;
        struct dev_rw rw = { .mount_root_fd = -EBADF };
        struct stat cart_st;
        bool made_dir = false;
        int r, q;

        r = devinfo_open(t, &d, reply);
        if (r < 0)
                goto out;
        r = cart_dir_open(&d, &c, reply);
        if (r < 0)
                goto out;

        if (req->legacy || req->query_only)
                cart_st.st_dev = req->loop_rdev;
        else if (fstat(req->mntfd, &cart_st) < 0) {
                r = fail(reply, PLACE_STAGE_MOVE, NEG_ERRNO());
                goto out;
        }

        if (c.fd >= 0 && c.is_mount) {
                if (c.st.st_dev != cart_st.st_dev) {
                        reply->dev = c.st.st_dev;
                        r = fail(reply, PLACE_STAGE_OTHER_MOUNT, -EEXIST);
                        goto out;
                }
                reply->mounted = 1;
                reply->dev = c.st.st_dev;
                reply->ino = c.st.st_ino;
                fd_mount_id(c.fd, "", AT_EMPTY_PATH, true, &reply->mnt_id, NULL);
                goto out;
        }

        if (req->query_only)
                goto out;

        /* A mount under a shared /dev propagates to its peers and their slaves,
         * which may be the host's own /dev. */
        if (mountinfo_is_shared(&d.entry)) {
                pid_t other = 0;

                r = group_escapes(mountinfo_peer_group(&d.entry), &other);
                if (r != 0) {
                        reply->other_pid = other;
                        r = fail(reply, PLACE_STAGE_SHARED, r > 0 ? -EXDEV : r);
                        goto out;
                }
        }

        if (c.fd < 0) {
                r = dir_op_rw(&d, CART_DEV_NAME, true, 0755, req, &rw, reply);
                if (r < 0) {
                        if (!reply->error)
                                fail(reply, PLACE_STAGE_MKDIR, r);
                        goto out;
                }
                made_dir = true;
                r = cart_dir_open(&d, &c, reply);
                if (r < 0)
                        goto out;
                if (c.fd < 0 || c.is_mount) {
                        r = fail(reply, PLACE_STAGE_MKDIR, -EEXIST);
                        goto out;
                }
        }

        r = req->legacy ? place_legacy(req, &d, &c, &rw, reply) : place_new_api(req, &c, reply);
        if (r < 0)
                goto out;

        reply->mounted = 1;
        reply->changed = 1;
        reply->dev = cart_st.st_dev;
        if (req->legacy)
                fd_mount_id(c.fd, "", AT_EMPTY_PATH, true, &reply->mnt_id, NULL);
        else
                fd_mount_id(req->mntfd, "", AT_EMPTY_PATH, true, &reply->mnt_id, NULL);

out:
        if (r < 0 && made_dir)
                as_container_root(d.fd, CART_DEV_NAME, false, 0, req);
        q = dev_restore(&rw);
        if (q < 0 && r == 0)
                r = fail(reply, PLACE_STAGE_DEV_RESTORE, q);
        if (c.fd >= 0)
                safe_close(c.fd);
        devinfo_done(&d);
        return r;
}

struct unmount_args {
        uint64_t expect_mnt_id;
        bool force;
        struct place_request req;
};

static int do_unmount(const struct target *t, const void *arg, struct place_reply *reply)
{
        const struct unmount_args *a = arg;
        struct devinfo d;
        struct cart_dir c = { .fd = -EBADF };
        struct dev_rw rw = { .mount_root_fd = -EBADF };
        int r, q;

        r = devinfo_open(t, &d, reply);
        if (r < 0)
                goto out;
        r = cart_dir_open(&d, &c, reply);
        if (r < 0 || c.fd < 0)
                goto out;

        if (c.is_mount && a->expect_mnt_id) {
                uint64_t id = 0;

                fd_mount_id(c.fd, "", AT_EMPTY_PATH, true, &id, NULL);
                if (id != a->expect_mnt_id) {
                        /* Not the mount we made: someone else's now, leave it. */
                        reply->mounted = 1;
                        goto out;
                }
        }

        if (fchdir(d.fd) < 0) {
                r = fail(reply, PLACE_STAGE_UMOUNT, NEG_ERRNO());
                goto out;
        }
        /* Stacked carts (mounted by hand twice) all go: bounded, in case of a fight. */
        for (int i = 0; c.is_mount && i < 16; i++) {
                /* Even an O_PATH descriptor keeps the mount busy. */
                c.fd = safe_close(c.fd);
                if (umount2(CART_DEV_NAME, UMOUNT_NOFOLLOW) < 0) {
                        if (errno != EBUSY) {
                                r = fail(reply, PLACE_STAGE_UMOUNT, NEG_ERRNO());
                                goto out;
                        }
                        if (!a->force) {
                                reply->mounted = 1;
                                r = fail(reply, PLACE_STAGE_BUSY, -EBUSY);
                                goto out;
                        }
                        if (umount2(CART_DEV_NAME, MNT_DETACH | UMOUNT_NOFOLLOW) < 0) {
                                r = fail(reply, PLACE_STAGE_UMOUNT, NEG_ERRNO());
                                goto out;
                        }
                }
                reply->changed = 1;
                r = cart_dir_open(&d, &c, reply);
                if (r < 0 || c.fd < 0)
                        goto out;
        }
        if (c.is_mount) {
                reply->mounted = 1;
                r = fail(reply, PLACE_STAGE_UMOUNT, -EBUSY);
                goto out;
        }

        r = dir_op_rw(&d, CART_DEV_NAME, false, 0, &a->req, &rw, reply);
        if (r == -ENOTEMPTY) {
                /* A directory that holds files is not one crashcart made: leave it. */
                r = 0;
        } else if (r < 0 && !reply->error)
                fail(reply, PLACE_STAGE_RMDIR, r);

out:
        q = dev_restore(&rw);
        if (q < 0 && r == 0)
                r = fail(reply, PLACE_STAGE_DEV_RESTORE, q);
        if (c.fd >= 0)
                safe_close(c.fd);
        devinfo_done(&d);
        return r;
}

/* Forks a helper that joins the target's mount namespace and root, runs fn there and
 * sends its reply back over a pipe. The helper stays in the host's user namespace:
 * mounting needs the host's privileges, which joining the container's user
 * namespace would give up. */
static int run_in_mntns(const struct target *t, int (*fn)(const struct target *, const void *, struct place_reply *),
                        const void *arg, struct place_reply *reply)
{
        _cleanup_close_ int nsfd = -EBADF, rootfd = -EBADF, hostproc = -EBADF;
        int pipefd[2], status, r;
        size_t n;
        pid_t pid, parent;

        *reply = (struct place_reply){};
        nsfd = openat(t->procfd, "ns/mnt", O_RDONLY | O_CLOEXEC);
        if (nsfd < 0)
                return fail(reply, PLACE_STAGE_JOIN, errno == ENOENT ? -ESRCH : NEG_ERRNO());
        rootfd = openat(t->procfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return fail(reply, PLACE_STAGE_JOIN, errno == ENOENT ? -ESRCH : NEG_ERRNO());
        /* Both opened from /proc/PID of a process that is still the one pinned. */
        r = target_check_alive(t);
        if (r < 0)
                return fail(reply, PLACE_STAGE_JOIN, r);

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return fail(reply, PLACE_STAGE_HELPER, NEG_ERRNO());
        hostproc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (hostproc < 0) {
                r = NEG_ERRNO();
                safe_close(pipefd[0]);
                safe_close(pipefd[1]);
                return fail(reply, PLACE_STAGE_HELPER, r);
        }
        parent = getpid();
        pid = fork();
        if (pid < 0) {
                r = NEG_ERRNO();
                safe_close(pipefd[0]);
                safe_close(pipefd[1]);
                return fail(reply, PLACE_STAGE_HELPER, r);
        }
        if (pid == 0) {
                struct place_reply rep = {};

                safe_close(pipefd[0]);
                helper_host_proc_fd = hostproc;
                /* Nothing of ours stays in the container when crashcart is killed;
                 * it may have been before this was set. */
                if (!fault_disabled("pdeathsig") &&
                    (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent))
                        _exit(1);
                if (setns(nsfd, CLONE_NEWNS) < 0 || fchdir(rootfd) < 0 || chroot(".") < 0 || chdir("/") < 0)
                        fail(&rep, PLACE_STAGE_JOIN, NEG_ERRNO());
                else {
                        /* In the container, before anything is changed there. */
                        fault_point("placing");
                        fn(t, arg, &rep);
                }
                (void)write_full(pipefd[1], &rep, sizeof(rep));
                _exit(0);
        }
        safe_close(pipefd[1]);
        r = interrupt_read_full(pipefd[0], reply, sizeof(*reply), &n);
        safe_close(pipefd[0]);
        if (r == -EINTR) {
                /* Whatever it waits for, the run ends: it goes, and the caller
                 * unwinds as on any failure of the helper. */
                interrupt_kill_helper(pid);
                *reply = (struct place_reply){};
                return fail(reply, PLACE_STAGE_HELPER, r);
        }
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (r < 0)
                return fail(reply, PLACE_STAGE_HELPER, r);
        if (n != sizeof(*reply)) {
                *reply = (struct place_reply){};
                return fail(reply, PLACE_STAGE_HELPER, -EPIPE);
        }
        return reply->error;
}

int cart_place(const struct target *t, const struct place_request *req, struct place_reply *ret)
{
        return run_in_mntns(t, do_place, req, ret);
}

int cart_unmount(const struct target *t, uint64_t expect_mnt_id, bool force, bool legacy, uint32_t root_uid,
                 uint32_t root_gid, struct place_reply *ret)
{
        struct unmount_args a = {
                .expect_mnt_id = expect_mnt_id,
                .force = force,
                .req = { .mntfd = -EBADF, .legacy = legacy, .root_uid = root_uid, .root_gid = root_gid },
        };

        return run_in_mntns(t, do_unmount, &a, ret);
}

const char *place_stage_to_string(enum place_stage stage)
{
        switch (stage) {
        case PLACE_STAGE_NONE:
                return "cannot place the cart";
        case PLACE_STAGE_HELPER:
                return "cannot start the helper that enters the container";
        case PLACE_STAGE_JOIN:
                return "cannot enter the container's mount namespace";
        case PLACE_STAGE_DEV:
                return "cannot use the container's /dev";
        case PLACE_STAGE_SYMLINK:
                return CART_PATH " in the container is a symlink; refusing to follow it";
        case PLACE_STAGE_NOTDIR:
                return CART_PATH " in the container is not a directory";
        case PLACE_STAGE_OTHER_MOUNT:
                return "another filesystem is mounted at " CART_PATH " in the container; 'crashcart -u' unmounts it";
        case PLACE_STAGE_SHARED:
                return "the container's /dev is a shared mount with peers outside the container: a cart mounted there "
                       "would propagate out of it; refusing";
        case PLACE_STAGE_MOUNTINFO:
                return "cannot read the container's mount table";
        case PLACE_STAGE_MKDIR:
                return "cannot create " CART_PATH " in the container";
        case PLACE_STAGE_DEV_RW:
                return "cannot make the container's read-only /dev writable";
        case PLACE_STAGE_DEV_RESTORE:
                return "cannot make the container's /dev read-only again";
        case PLACE_STAGE_MOVE:
                return "cannot attach the cart at " CART_PATH " in the container";
        case PLACE_STAGE_LEGACY_DIR:
                return "cannot set up /dev/" LEGACY_DIR " in the container";
        case PLACE_STAGE_MKNOD:
                return "cannot make the loop device node in the container";
        case PLACE_STAGE_MOUNT:
                return "cannot mount the cart at " CART_PATH " in the container";
        case PLACE_STAGE_VERIFY:
                return "the cart did not land at " CART_PATH " in the container";
        case PLACE_STAGE_BUSY:
                return "the cart is in use by a process in the container; -f detaches it lazily";
        case PLACE_STAGE_UMOUNT:
                return "cannot unmount " CART_PATH " in the container";
        case PLACE_STAGE_RMDIR:
                return "cannot remove " CART_PATH " in the container";
        }
        return "cannot place the cart";
}
