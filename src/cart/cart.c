/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "basic/fileio.h"
#include "basic/interrupt.h"
#include "basic/log.h"
#include "basic/macro.h"
#include "basic/syscalls.h"
#include "cart/cart.h"
#include "cart/image.h"
#include "cart/loopdev.h"
#include "cart/mount.h"
#include "cart/out.h"
#include "cart/place.h"
#include "cart/reaper.h"
#include "cart/session.h"

static int log_place_error(const struct place_reply *rep)
{
        /* The stages whose text says it all need no errno. */
        if (rep->stage == PLACE_STAGE_SHARED && rep->error == -EXDEV)
                log_error("%s (it would reach the mount namespace of PID %d)", place_stage_to_string(rep->stage),
                          (int)rep->other_pid);
        else if (rep->stage == PLACE_STAGE_SYMLINK || rep->stage == PLACE_STAGE_NOTDIR ||
                 rep->stage == PLACE_STAGE_OTHER_MOUNT || rep->stage == PLACE_STAGE_BUSY ||
                 rep->stage == PLACE_STAGE_VERIFY || rep->stage == PLACE_STAGE_OUT_MISSING ||
                 rep->stage == PLACE_STAGE_OUT_OTHER)
                log_error("%s", place_stage_to_string(rep->stage));
        else if (rep->stage == PLACE_STAGE_DEV_ROOT)
                log_error("%s", place_stage_to_string(rep->stage));
        else if (rep->stage == PLACE_STAGE_FREEZE && rep->error == -EUCLEAN)
                log_error("%s: PID %d of the container is outside its cgroup, and would run meanwhile; refusing (-f "
                          "to go on without the freeze)",
                          place_stage_to_string(rep->stage), (int)rep->other_pid);
        else if (rep->stage == PLACE_STAGE_FREEZE && rep->error == -EDEADLK)
                log_error("%s: it is in crashcart's own cgroup; refusing (-f to go on without the freeze)",
                          place_stage_to_string(rep->stage));
        else if (rep->stage == PLACE_STAGE_FREEZE && rep->error == -ENOENT)
                log_error("%s: it has no cgroup of its own with a freezer (cgroup v2, or the v1 freezer); refusing "
                          "(-f to go on without the freeze)",
                          place_stage_to_string(rep->stage));
        else if (rep->stage == PLACE_STAGE_FREEZE && rep->error == -ETIMEDOUT)
                log_error("%s: its processes did not all stop within 5 s; refusing (-f to go on without the freeze)",
                          place_stage_to_string(rep->stage));
        else if (rep->error == -ESRCH)
                log_error("the container exited");
        else if (rep->error == -EINTR && interrupt_signal())
                log_error("interrupted by SIG%s", sigabbrev_np(interrupt_signal()));
        else
                log_error_errno(rep->error, "%s", place_stage_to_string(rep->stage));
        return rep->error < 0 ? rep->error : -EIO;
}

/* Whoever can write the cart can run code as root in every container it goes
 * into: a cart is root's, and nobody else's to change. */
static int check_image_owner(const char *path, const struct image *img, bool force)
{
        const char *why;
        struct stat st;

        if (fstat(img->fd, &st) < 0)
                return log_error_errno(NEG_ERRNO(), "cannot inspect cart image '%s'", path);
        if (st.st_uid == 0 && !(st.st_mode & (S_IWGRP | S_IWOTH)))
                return 0;
        why = st.st_uid != 0 ? "not owned by root" : "writable by group or others";
        if (force) {
                log_warning("cart image '%s' is %s, used anyway (-f)", path, why);
                return 0;
        }
        log_error("cart image '%s' is %s: whoever can change it can run code as root in the containers it goes "
                  "into (chown root and chmod go-w it, or -f to use it anyway)",
                  path, why);
        return -EPERM;
}

static int open_image(const char *path, int pathfd, bool force, struct image *img)
{
        struct image_probe probe = {};
        int r;

        if (!path) {
                log_error("no cart image: tried $CRASHCART_IMAGE (unset) and %s; name one with -i",
                          CRASHCART_DEFAULT_IMAGE);
                return -ENOENT;
        }
        r = image_open(pathfd, path, img, &probe);
        switch (r) {
        case 0:
                log_debug("cart '%s' is %s", path, image_kind_name(img->kind));
                return check_image_owner(path, img, force);
        case -ENODATA:
                log_error("cart image '%s' is empty", path);
                break;
        case -EMEDIUMTYPE:
                log_error("cart image '%s' is not an ext2/3/4, squashfs or erofs filesystem, nor a directory", path);
                break;
        case -ENOSPC:
                log_error("cart image '%s' is truncated: its %s filesystem needs %llu bytes", path,
                          image_kind_name(probe.kind), (unsigned long long)probe.needed);
                break;
        default:
                log_error_errno(r, "cannot open cart image '%s'", path);
        }
        return r;
}

/* The one way to the cart's source: the image, and for a file its loop device
 * (found, or attached read-only and autoclear). */
static int open_source(const struct cart_request *req, int rundir_fd, struct image *img, struct loopdev *loop)
{
        int r;

        r = open_image(req->image, req->image_fd, req->force, img);
        if (r < 0)
                return r;
        if (img->kind == IMAGE_DIRECTORY)
                return 0;
        r = loopdev_find_or_attach(rundir_fd, img->fd, img->path, loop);
        if (r == -ENODEV)
                return log_error_errno(r, "cannot attach '%s' to a loop device: the kernel has no loop devices "
                                          "(modprobe loop?)",
                                       img->path);
        if (r < 0)
                return log_error_errno(r, "cannot attach '%s' to a loop device", img->path);
        fault_point("attached");
        return 0;
}

/* Whether the cart mounted (device dev) in the container is this image file's,
 * through its loop device. */
static bool image_is_mounted_cart(const struct image *img, dev_t dev)
{
        struct loopdev l = { .fd = -EBADF };
        bool same;

        if (loopdev_find(img->fd, &l) < 0)
                return false;
        same = l.rdev == dev;
        safe_close(l.fd);
        return same;
}

/* The mount id and device of the cart at /dev/crashcart, for the session and
 * for the command (whose files on that device cannot change). */
static int query_mounted(const struct target *t, dev_t dev, uint64_t *ret_mnt_id, dev_t *ret_dev)
{
        struct place_request preq = { .mntfd = -EBADF, .loop_fd = -EBADF, .lock_fd = -EBADF, .query_only = true,
                                      .loop_rdev = dev };
        struct place_reply rep;
        int r;

        r = cart_place(t, &preq, &rep);
        if (r < 0)
                return log_place_error(&rep);
        if (!rep.mounted) {
                log_error("the cart in %s was unmounted meanwhile; try again", target_label(t));
                return -EAGAIN;
        }
        *ret_mnt_id = rep.mnt_id;
        *ret_dev = (dev_t)rep.dev;
        return 0;
}

/* No image named to compare with: the cart that is there, if it is one that crashcart
 * attached (a read-only, autoclear loop device of a root-owned file, whole and
 * read-only), which no container can make. */
static int adopt_attached(const struct target *t, const struct cart_mount_info *info, uint64_t *ret_mnt_id,
                          dev_t *ret_dev)
{
        char backing[4096] = "";
        int r;

        r = loopdev_backing_trusted(info->dev, backing, sizeof(backing));
        if ((r < 0 || !info->is_whole || !info->is_readonly) && !fault_disabled("adopt-check")) {
                log_error("what is mounted at " CART_PATH " in %s is not a cart crashcart attached; refusing to run "
                          "anything from it (name the cart with -i, or 'crashcart -u' unmounts it)",
                          target_label(t));
                return -EEXIST;
        }
        log_debug("a cart is already mounted in %s, from '%s'", target_label(t), backing);
        return query_mounted(t, info->dev, ret_mnt_id, ret_dev);
}

/* The cart a run finds mounted, adopted only when it is the image's own: the
 * image's loop device, its whole filesystem, read-only. Anything else at /dev/crashcart may be the container's:
 * a tmpfs with a bash of its own, a directory of the cart bound there, a
 * writable remount. Nothing of it runs. Returns the mount id for the session. */
static int adopt_mounted(const struct cart_request *req, const struct target *t,
                         const struct cart_mount_info *info, uint64_t *ret_mnt_id, dev_t *ret_dev)
{
        _cleanup_(image_done) struct image img = IMAGE_INIT;
        bool same;
        int r;

        /* No image named (the default is only where to find one to mount):
         * the cart that is there, when crashcart attached it. */
        if (!req->image || !req->image_explicit)
                return adopt_attached(t, info, ret_mnt_id, ret_dev);
        r = open_image(req->image, req->image_fd, req->force, &img);
        if (r < 0)
                return r;
        if (img.kind == IMAGE_DIRECTORY) {
                /* A directory cart is a read-only overlay of the directory, which
                 * has no identity to compare a mount with. A container without a
                 * user namespace of its own cannot mount anything in place of it
                 * (that takes CAP_SYS_ADMIN of the host's); one with its own can,
                 * so there the mount is not trusted. */
                r = target_ns_differs(t, "user");
                if (r < 0)
                        return log_error_errno(r, "cannot read the user namespace of %s", target_label(t));
                if (r > 0 && !fault_disabled("adopt-check")) {
                        log_error("a cart is mounted in %s, which has a user namespace of its own: a directory cart "
                                  "mounted there cannot be told from one the container made; unmount it with "
                                  "'crashcart -u', or use an image file",
                                  target_label(t));
                        return -EEXIST;
                }
                same = info->is_readonly;
        } else
                same = image_is_mounted_cart(&img, info->dev) && info->is_readonly && info->is_whole;
        if (!same && !fault_disabled("adopt-check")) {
                log_error("what is mounted at " CART_PATH " in %s is not the cart '%s' (another filesystem, a part "
                          "of it, or writable); refusing to run anything from it ('crashcart -u' unmounts it)",
                          target_label(t), req->image);
                return -EEXIST;
        }
        log_debug("cart '%s' is already mounted in %s", req->image, target_label(t));
        return query_mounted(t, info->dev, ret_mnt_id, ret_dev);
}

/* The detached mount of the cart, idmapped to the container's user namespace
 * when it has one. -ENOSYS: the kernel has no new mount API (*legacy is set). */
static int make_mount(const struct target *t, const struct image *img, const struct loopdev *loop, bool *legacy,
                      int *ret_mntfd)
{
        _cleanup_close_ int usernsfd = -EBADF;
        bool idmapped = false;
        int r;

        r = target_ns_differs(t, "user");
        if (r > 0) {
                usernsfd = openat(t->procfd, "ns/user", O_RDONLY | O_CLOEXEC);
                r = usernsfd < 0 ? NEG_ERRNO() : 0;
        }
        if (r < 0)
                return log_error_errno(r, "cannot read the user namespace of %s", target_label(t));
        if (*legacy)
                return 0;
        r = cart_mount_create(img, loop->path, usernsfd, ret_mntfd, &idmapped);
        if (r == -ENOSYS) {
                log_debug("no new mount API in this kernel: mounting the way of Linux < 5.2");
                *legacy = true;
                if (img->kind == IMAGE_DIRECTORY)
                        return log_error_errno(r, "a directory cart needs the new mount API (Linux 5.2)");
                return 0;
        }
        if (r < 0)
                return log_error_errno(r, "cannot mount cart '%s' (%s)", img->path, image_kind_name(img->kind));
        if (usernsfd >= 0)
                log_debug(idmapped ? "cart idmapped to the container's user namespace"
                                   : "cart not idmapped: its files show as the overflow uid");
        return 0;
}

/* What a run knows of the cart it places, before it places it: its device and,
 * with the new mount API, its mount's id (the detached mount keeps it when it is
 * attached). */
static void placing_of(const struct loopdev *loop, int mntfd, bool legacy, struct cart_placing *ret)
{
        struct stat st;

        *ret = (struct cart_placing){ .dev = loop->rdev };
        if (legacy)
                return;
        if (fstat(mntfd, &st) == 0)
                ret->dev = st.st_dev;
        if (fd_mount_id(mntfd, "", AT_EMPTY_PATH, true, &ret->mnt_id, NULL) < 0)
                ret->mnt_id = 0;
}

/* Mounts the cart at /dev/crashcart in the target. *ret_placed: this call mounted
 * it (a concurrent run may have been first). *ret_cut: a signal ended the
 * placement with its helper killed, which may have mounted the cart meanwhile;
 * *ret_placing says which cart that would be. */
static int mount_new(const struct cart_request *req, const struct target *t, int rundir_fd, int lock_fd,
                     struct reaper *reaper, bool *ret_placed, uint64_t *ret_mnt_id, dev_t *ret_dev, bool *ret_cut,
                     struct cart_placing *ret_placing)
{
        _cleanup_(image_done) struct image img = IMAGE_INIT;
        _cleanup_close_ int mntfd = -EBADF;
        struct loopdev loop = { .fd = -EBADF };
        struct place_request preq = { .mntfd = -EBADF, .loop_fd = -EBADF, .lock_fd = lock_fd,
                                      .unfrozen_ok = req->force };
        struct place_reply rep;
        bool legacy = req->legacy;
        int r;

        r = open_source(req, rundir_fd, &img, &loop);
        if (r < 0)
                return r;
        if (img.kind == IMAGE_DIRECTORY && legacy) {
                log_error("a directory cart needs the new mount API (Linux 5.2); --legacy-mount takes image files "
                          "only");
                return -EINVAL;
        }
        r = target_root_ids(t, &preq.root_uid, &preq.root_gid);
        if (r < 0)
                r = log_error_errno(r, "cannot read the user namespace of %s", target_label(t));
        else
                r = make_mount(t, &img, &loop, &legacy, &mntfd);
        if (r == 0) {
                preq.mntfd = mntfd;
                preq.legacy = legacy;
                preq.loop_fd = loop.fd;
                preq.loop_rdev = loop.rdev;
                preq.fstype = image_fstype(img.kind);
                placing_of(&loop, mntfd, legacy, ret_placing);
                /* Told before, not after: crashcart may be killed the moment
                 * the cart is in, and the reaper then takes it out. */
                reaper_note_placing(reaper, ret_placing->mnt_id, ret_placing->dev);
                r = cart_place(t, &preq, &rep);
                if (r < 0) {
                        *ret_cut = rep.stage == PLACE_STAGE_HELPER && rep.error == -EINTR;
                        r = log_place_error(&rep);
                }
        }
        /* Once mounted, the mount holds the loop device; ours can go (autoclear). */
        safe_close(loop.fd);
        if (r < 0)
                return r;
        if (rep.unfrozen)
                log_warning("%s could not be frozen while its read-only /dev was writable for a moment; gone on "
                            "without (-f)",
                            target_label(t));
        *ret_placed = rep.changed;
        *ret_mnt_id = rep.mnt_id;
        *ret_dev = (dev_t)rep.dev;
        log_debug(rep.changed ? "cart mounted at " CART_PATH " in %s" : "cart was already mounted in %s",
                  target_label(t));
        if (rep.changed)
                fault_point("placed"); /* mounted, the session lock held, not yet recorded */
        return 0;
}

/* Makes sure the cart is at /dev/crashcart in the container. */
static int ensure(const struct cart_request *req, const struct target *t, int rundir_fd, int lock_fd,
                  struct reaper *reaper, bool *ret_placed, uint64_t *ret_mnt_id, dev_t *ret_dev, bool *ret_cut,
                  struct cart_placing *ret_placing)
{
        struct cart_mount_info info;
        int r;

        *ret_placed = false;
        *ret_cut = false;
        r = cart_probe_mount(t, &info);
        if (r == -ESRCH) {
                log_error("%s has exited", target_label(t));
                return r;
        }
        if (r < 0)
                return log_error_errno(r, "cannot read the mount table of %s", target_label(t));
        if (r > 0)
                return adopt_mounted(req, t, &info, ret_mnt_id, ret_dev);
        return mount_new(req, t, rundir_fd, lock_fd, reaper, ret_placed, ret_mnt_id, ret_dev, ret_cut, ret_placing);
}

/* Unmounts the target's cart. expect_mnt_id != 0: only that mount. quiet_busy: a
 * busy cart is -EBUSY, not an error message. */
static int unmount_cart(const struct cart_request *req, const struct target *t, int lock_fd, uint64_t expect_mnt_id,
                        bool quiet_busy)
{
        struct place_reply rep;
        uint32_t uid = 0, gid = 0;
        int r;

        r = target_root_ids(t, &uid, &gid);
        if (r == -ESRCH || r == -ENOENT)
                return 0; /* gone with the container */
        if (r < 0)
                return log_error_errno(r, "cannot read the user namespace of %s", target_label(t));
        r = cart_unmount(t, expect_mnt_id, req->force, req->legacy, uid, gid, lock_fd, &rep);
        if (r == -EBUSY && quiet_busy)
                return -EBUSY;
        if (r < 0) {
                if (rep.error == -ESRCH)
                        return 0;
                return log_place_error(&rep);
        }
        log_debug(rep.changed ? "cart unmounted from %s" : "no cart was mounted in %s", target_label(t));
        return 0;
}

static int open_session(const struct target *t, int rundir_fd, char *name, size_t size, struct session *s)
{
        int r;

        r = session_name_of(t, name, size);
        if (r < 0)
                return log_error_errno(r, "cannot set up " RUNDIR);
        r = session_open(rundir_fd, name, s);
        if (r < 0)
                return log_error_errno(r, "cannot lock " RUNDIR "/%s", name);
        return 0;
}

/* --out's directory on the host, opened before anything is mounted. */
static int open_out_dir(const struct cart_request *req, int *ret_fd)
{
        int created = 0, r;

        r = out_dir_open(req->out_dir, req->out_uid, req->out_gid, ret_fd, &created);
        if (r == -ELOOP) {
                log_error("--out '%s': a symlink in its path is never followed; name the directory itself",
                          req->out_dir);
                return r;
        }
        if (r == -EPERM) {
                log_error("--out '%s' belongs to someone else than uid %u and root", req->out_dir,
                          (unsigned)req->out_uid);
                return r;
        }
        if (r == -EACCES) {
                log_error("--out '%s' can be reached by group or others (chmod 0700 it): what the container "
                          "writes there may be setuid programs and device nodes",
                          req->out_dir);
                return r;
        }
        if (r < 0)
                return log_error_errno(r, "cannot use --out '%s' (its parent must exist)", req->out_dir);
        if (created)
                log_debug("made '%s', mode 0700, owned by %u:%u", req->out_dir, (unsigned)req->out_uid,
                          (unsigned)req->out_gid);
        return 0;
}

/* Puts the directory at /dev/crashcart/out: a clone of it, idmapped so that the
 * container's root writes as the directory's owner. */
static int attach_out(const struct cart_request *req, const struct target *t, int dir_fd)
{
        _cleanup_close_ int mntfd = -EBADF;
        struct place_reply rep;
        uint32_t uid, gid;
        int r;

        r = target_root_ids(t, &uid, &gid);
        if (r < 0)
                return log_error_errno(r, "cannot read the user namespace of %s", target_label(t));
        r = out_mount_create(dir_fd, req->out_uid, req->out_gid, uid, gid, &mntfd);
        if (r == -ENOSYS)
                return log_error_errno(r, "--out needs the new mount API (Linux 5.2; idmapped, 5.12)");
        if (r == -EOPNOTSUPP)
                return log_error_errno(r, "--out '%s': its file system has no idmapped mounts, which give the "
                                          "container's root the files as uid %u",
                                       req->out_dir, (unsigned)req->out_uid);
        if (r < 0)
                return log_error_errno(r, "cannot make a mount of --out '%s'", req->out_dir);
        r = cart_place_out(t, mntfd, &rep);
        if (r < 0)
                return log_place_error(&rep);
        log_debug(rep.changed ? "'%s' is at " CART_OUT " in %s" : "'%s' was at " CART_OUT " in %s already",
                  req->out_dir, target_label(t));
        return 0;
}

/* A cart this run was placing when it was cut short (killed, or a signal
 * killed its helper), and which the session does not record: the cart at
 * /dev/crashcart is that one when it is the same device (and the same mount,
 * where its id was known beforehand). The session's lock, held by the run across
 * the placement, kept any other run from placing one meanwhile. It goes; if a
 * process of the container holds it already, it is recorded as a run's, for the
 * next run out or -u to unmount. */
static int reap_unrecorded(const struct cart_request *req, const struct target *t, struct session *s,
                           const struct cart_placing *placing)
{
        struct place_request preq = { .mntfd = -EBADF, .loop_fd = -EBADF, .lock_fd = s->fd, .query_only = true,
                                      .loop_rdev = placing->dev };
        struct place_reply rep;
        int r;

        /* Another device there (PLACE_STAGE_OTHER_MOUNT), the container gone,
         * nothing mounted: nothing of this run's. */
        if (cart_place(t, &preq, &rep) < 0 || !rep.mounted)
                return 0;
        if (placing->mnt_id && rep.mnt_id != placing->mnt_id)
                return 0;
        if (s->transient && s->mnt_id == rep.mnt_id)
                return 0; /* recorded after all: the session's to release */
        log_debug("the cart placed in %s was never recorded: unmounting it", target_label(t));
        r = unmount_cart(req, t, s->fd, rep.mnt_id, true);
        if (r == -EBUSY) {
                s->transient = true;
                s->mnt_id = rep.mnt_id;
        }
        return r;
}

/* The last user out unmounts a cart that a run mounted. */
/* The last user gone, the transient cart goes. tries > 1: a busy cart is tried
 * again every 50 ms, for processes that are dying (the reaper's case: a killed
 * run's processes close its socket a moment before the kernel lets go of the
 * rest of what they held of the cart). */
static void leave_if_last(const struct cart_request *req, const struct target *t, struct session *s, unsigned tries)
{
        int r;

        if (!s->transient || s->n_users > 0)
                return;
        for (;;) {
                r = unmount_cart(req, t, s->fd, s->mnt_id, true);
                if (r != -EBUSY || --tries == 0)
                        break;
                usleep(50000);
        }
        if (r == -EBUSY)
                log_warning("the cart stays mounted in %s: a process there still uses it "
                            "('crashcart -u' unmounts it)",
                            target_label(t));
        else
                s->transient = false;
}

int cart_acquire(const struct cart_request *req, const struct target *t, int rundir_fd, bool pin,
                 struct reaper *reaper, struct cart_hold *ret)
{
        _cleanup_close_ int out_fd = -EBADF;
        struct cart_placing placing = {};
        struct session s;
        uint64_t mnt_id = 0;
        bool placed, cut;
        int r;

        *ret = (struct cart_hold){};
        if (req->out_dir) {
                if (req->legacy)
                        return log_error_errno(-EINVAL, "--out needs the new mount API: not with --legacy-mount");
                r = open_out_dir(req, &out_fd);
                if (r < 0)
                        return r;
        }
        r = open_session(t, rundir_fd, ret->session, sizeof(ret->session), &s);
        if (r < 0)
                return r;
        r = ensure(req, t, rundir_fd, s.fd, reaper, &placed, &mnt_id, &ret->cart_dev, &cut, &placing);
        if (r < 0) {
                /* Interrupted while the helper placed it: perhaps it did. */
                if (cut)
                        reap_unrecorded(req, t, &s, &placing);
                session_close(rundir_fd, &s);
                return r;
        }
        if (out_fd >= 0) {
                r = attach_out(req, t, out_fd);
                if (r < 0) {
                        /* The cart this run mounted goes again; one that was
                         * there stays as it was. */
                        if (placed)
                                unmount_cart(req, t, s.fd, mnt_id, false);
                        session_close(rundir_fd, &s);
                        return r;
                }
        }

        /* A record about another mount than the one there now is stale. */
        if (s.transient && s.mnt_id != mnt_id)
                s.transient = false;
        if (pin)
                s.transient = false; /* no run unmounts it */
        else if (placed) {
                s.transient = true;
                s.mnt_id = mnt_id;
        }
        if (!pin && s.transient) {
                r = session_add_self(&s);
                if (r < 0)
                        log_warning_errno(r, "cannot record this run in " RUNDIR);
                else
                        ret->recorded = true;
        }
        r = session_close(rundir_fd, &s);
        if (r < 0)
                log_warning_errno(r, "cannot write " RUNDIR "/%s", ret->session);
        reaper_note_recorded(reaper);
        return 0;
}

void cart_leave(const struct cart_request *req, const struct target *t, int rundir_fd, struct cart_hold *h)
{
        struct session s;
        int r;

        r = session_open(rundir_fd, h->session, &s);
        if (r < 0) {
                log_warning_errno(r, "cannot lock " RUNDIR "/%s; the cart stays mounted", h->session);
                return;
        }
        session_remove_self(&s);
        h->recorded = false;
        leave_if_last(req, t, &s, 1);
        session_close(rundir_fd, &s);
}

int cart_reap(const struct cart_request *req, const struct target *t, int rundir_fd, const char *session,
              pid_t run_pid, const struct cart_placing *placing)
{
        struct session s;
        int r;

        /* Waits for the run's helpers too: forked while it held the lock, they
         * hold it until they die with it (PR_SET_PDEATHSIG). */
        r = session_open(rundir_fd, session, &s);
        if (r < 0)
                return r;
        session_remove_user(&s, run_pid);
        if (placing)
                reap_unrecorded(req, t, &s, placing);
        leave_if_last(req, t, &s, 40);
        return session_close(rundir_fd, &s);
}

int cart_remove(const struct cart_request *req, const struct target *t, int rundir_fd)
{
        char name[80];
        struct session s;
        int r;

        r = open_session(t, rundir_fd, name, sizeof(name), &s);
        if (r < 0)
                return r;
        r = unmount_cart(req, t, s.fd, 0, false);
        if (r < 0) {
                session_abandon(&s);
                return r;
        }
        s.transient = false;
        s.n_users = 0;
        session_close(rundir_fd, &s);
        return 0;
}

static int host_dir_release(const char *dir, bool force)
{
        if (umount2(dir, UMOUNT_NOFOLLOW | (force ? MNT_DETACH : 0)) < 0) {
                int r = NEG_ERRNO();

                if (r == -EBUSY) {
                        log_error("the cart at '%s' is in use (by a container?); -f detaches it lazily", dir);
                        return r;
                }
                return log_error_errno(r, "cannot unmount '%s'", dir);
        }
        log_debug("cart released from '%s'", dir);
        return 0;
}

/* Mounts the cart's source on dirfd, with the new mount API or mount(2). */
static int host_dir_mount(const struct cart_request *req, const struct image *img, const struct loopdev *loop,
                          int dirfd)
{
        _cleanup_close_ int mntfd = -EBADF;
        bool idmapped;
        int r;

        r = req->legacy ? -ENOSYS : cart_mount_create(img, loop->path, -EBADF, &mntfd, &idmapped);
        if (r == 0) {
                if (sys_move_mount(mntfd, "", dirfd, "", CC_MOVE_MOUNT_F_EMPTY_PATH | CC_MOVE_MOUNT_T_EMPTY_PATH) < 0)
                        return NEG_ERRNO();
                return 0;
        }
        if (r == -ENOSYS && img->kind != IMAGE_DIRECTORY) {
                char target[64];

                snprintf(target, sizeof(target), "/proc/self/fd/%d", dirfd);
                if (mount(loop->path, target, image_fstype(img->kind), MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
                        return NEG_ERRNO();
                return 0;
        }
        return r;
}

int cart_host_dir(const struct cart_request *req, const char *dir, bool unmount, int rundir_fd)
{
        _cleanup_(image_done) struct image img = IMAGE_INIT;
        _cleanup_close_ int dirfd = -EBADF, parentfd = -EBADF;
        struct loopdev loop = { .fd = -EBADF };
        uint64_t id, parent_id;
        struct stat st;
        bool is_mount;
        int r;

        dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0)
                return log_error_errno(NEG_ERRNO(), "cannot use '%s' (the directory must exist)", dir);
        parentfd = openat(dirfd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (parentfd < 0 || fd_mount_id(dirfd, "", AT_EMPTY_PATH, false, &id, NULL) < 0 ||
            fd_mount_id(parentfd, "", AT_EMPTY_PATH, false, &parent_id, NULL) < 0 || fstat(dirfd, &st) < 0)
                return log_error_errno(NEG_ERRNO(), "cannot inspect '%s'", dir);
        is_mount = id != parent_id;

        if (unmount) {
                if (!is_mount) {
                        log_debug("nothing is mounted at '%s'", dir);
                        return 0;
                }
                dirfd = safe_close(dirfd); /* it would keep the mount busy */
                return host_dir_release(dir, req->force);
        }

        r = open_source(req, rundir_fd, &img, &loop);
        if (r < 0)
                return r;
        if (is_mount) {
                bool same = img.kind == IMAGE_DIRECTORY ? st.st_dev == img.dev : st.st_dev == loop.rdev;

                safe_close(loop.fd);
                if (!same) {
                        log_error("something else is mounted at '%s'", dir);
                        return -EEXIST;
                }
                log_debug("the cart is already mounted at '%s'", dir);
                return 0;
        }
        r = host_dir_mount(req, &img, &loop, dirfd);
        safe_close(loop.fd);
        if (r < 0)
                return log_error_errno(r, "cannot mount cart '%s' at '%s'", img.path, dir);
        log_debug("cart mounted read-only at '%s'", dir);
        return 0;
}

int cart_source_hold(const struct cart_request *req, int rundir_fd, int *ret_fd)
{
        _cleanup_(image_done) struct image img = IMAGE_INIT;
        struct loopdev loop = { .fd = -EBADF };
        int r;

        r = open_source(req, rundir_fd, &img, &loop);
        if (r < 0)
                return r;
        *ret_fd = loop.fd;
        return 0;
}

int cart_read_file(const struct cart_request *req, int rundir_fd, const char *name, char **ret, size_t *ret_len)
{
        _cleanup_(image_done) struct image img = IMAGE_INIT;
        _cleanup_close_ int mntfd = -EBADF, fd = -EBADF;
        struct loopdev loop = { .fd = -EBADF };
        bool idmapped;
        int r;

        r = open_source(req, rundir_fd, &img, &loop);
        if (r < 0)
                return r;
        if (img.kind == IMAGE_DIRECTORY)
                fd = openat(img.fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        else {
                r = cart_mount_create(&img, loop.path, -EBADF, &mntfd, &idmapped);
                /* The mount holds the device now; without one, autoclear frees it. */
                safe_close(loop.fd);
                if (r == -ENOSYS)
                        return log_error_errno(r, "cannot read the cart without the new mount API (kernel 5.2)");
                if (r < 0)
                        return log_error_errno(r, "cannot mount cart image '%s'", img.path);
                fd = openat(mntfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        }
        if (fd < 0) {
                r = NEG_ERRNO();
                if (r == -ENOENT)
                        log_error("cart '%s' has no %s (built before crashcart-build wrote one, or not by it)",
                                  req->image, name);
                else
                        log_error_errno(r, "cannot open %s in cart '%s'", name, req->image);
                return r;
        }
        r = read_full_fd(fd, 16 << 20, ret, ret_len);
        return r < 0 ? log_error_errno(r, "cannot read %s in cart '%s'", name, req->image) : 0;
}

int cart_open_detached(const struct cart_request *req, int rundir_fd, int *ret_mntfd, dev_t *ret_dev)
{
        _cleanup_(image_done) struct image img = IMAGE_INIT;
        _cleanup_close_ int mntfd = -EBADF;
        struct loopdev loop = { .fd = -EBADF };
        bool idmapped;
        struct stat st;
        int r;

        r = open_source(req, rundir_fd, &img, &loop);
        if (r < 0)
                return r;
        r = cart_mount_create(&img, loop.path, -EBADF, &mntfd, &idmapped);
        /* The mount holds the device now; without one, autoclear frees it. */
        safe_close(loop.fd);
        if (r == -ENOSYS)
                return log_error_errno(r, "a post-mortem sandbox needs the new mount API (kernel 5.2)");
        if (r < 0)
                return log_error_errno(r, "cannot mount cart '%s' (%s)", img.path, image_kind_name(img.kind));
        if (fstat(mntfd, &st) < 0)
                return log_error_errno(NEG_ERRNO(), "cannot inspect the cart's mount");
        *ret_dev = st.st_dev;
        *ret_mntfd = TAKE_FD(mntfd);
        return 0;
}
