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
#include "cart/freeze.h"
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

/* The host's /proc and /, opened before the helper left the host's mount
 * namespace, and crashcart's PID (whose mount table is the host's). */
static int helper_host_proc_fd = -EBADF;
static int helper_host_root_fd = -EBADF;
static pid_t helper_host_pid;

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

/* Undoes dev_make_writable. What is restored is cleared from rw, so that a
 * restore that failed can be tried again. */
static int dev_restore(struct dev_rw *rw)
{
        int r = 0, q;

        if (!rw->legacy) {
                if (rw->mnt_made_rw) {
                        q = set_mnt_readonly(rw->mount_root_fd, true);
                        if (q == -ENOSYS)
                                rw->legacy = true;
                        else if (q < 0)
                                r = q;
                        else
                                rw->mnt_made_rw = false;
                }
                if (rw->sb_made_rw && !rw->legacy) {
                        q = set_sb_readonly(rw->mount_root_fd, true);
                        if (q == -ENOSYS)
                                rw->legacy = true;
                        else if (q < 0 && r == 0)
                                r = q;
                        else if (q == 0)
                                rw->sb_made_rw = false;
                }
                if (!rw->legacy)
                        return r;
        }
        /* mnt_flags holds MS_RDONLY exactly when the mount itself was read-only. */
        if (rw->sb_made_rw) {
                r = legacy_remount(rw->mount_root_fd, rw->mnt_flags | MS_RDONLY, false);
                if (r < 0)
                        return r;
                rw->sb_made_rw = false;
                rw->mnt_made_rw = !(rw->mnt_flags & MS_RDONLY);
                if (!rw->mnt_made_rw)
                        return 0;
                /* The superblock's remount made the mount read-only too; it was not. */
                r = legacy_remount(rw->mount_root_fd, rw->mnt_flags, true);
                if (r == 0)
                        rw->mnt_made_rw = false;
                return r;
        }
        if (rw->mnt_made_rw) {
                r = legacy_remount(rw->mount_root_fd, rw->mnt_flags | MS_RDONLY, true);
                if (r == 0)
                        rw->mnt_made_rw = false;
        }
        return r;
}

/* A restore is tried again for a while before it is reported: the container is
 * frozen meanwhile, so nothing of it can make use of the moment. */
static int dev_restore_retry(struct dev_rw *rw, unsigned tries)
{
        int r = 0;

        for (unsigned i = 0; i < tries; i++) {
                /* For the tests: a first try that fails, as when the kernel says EBUSY. */
                if (i == 0 && fault_disabled("dev-restore-first-try"))
                        r = -EBUSY;
                else if ((r = dev_restore(rw)) == 0)
                        return 0;
                usleep(20000);
        }
        return r;
}

/* The container's /dev and what the kernel says of its mount. */
struct devinfo {
        int fd;                 /* O_PATH of /dev */
        int mount_root_fd;      /* O_PATH of the root of /dev's mount (== fd mostly) */
        uint64_t mnt_id;
        char *mountinfo;        /* buffer the entry points into */
        struct mountinfo_entry entry;
        const struct target *t;
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

        *d = (struct devinfo){ .fd = -EBADF, .mount_root_fd = -EBADF, .t = t };
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

/* ---- the moment in which a read-only /dev is writable ----
 *
 * The container's cgroup is frozen for it: none of its processes runs while /dev
 * is writable (THREATS.md, rule 4). A guardian process watches the moment from
 * outside crashcart's process group: it holds the read end of a pipe whose write
 * end only this helper holds, and reads the helper's notes (what it is about to
 * change) until the byte that says the moment is over. Should the helper die
 * first (crashcart killed, with SIGKILL too: the helper dies with it through
 * PR_SET_PDEATHSIG), the guardian reads end-of-file without it, undoes what the
 * notes say, makes /dev read-only again and thaws the container. */

#define NOTE_MKDIR 'C'   /* /dev/crashcart is being made */
#define NOTE_MOUNT 'M'   /* the cart is being mounted there */
#define NOTE_DONE 'd'    /* /dev is read-only again, the container thawed */

struct dev_window {
        struct dev_rw rw;
        struct freezer fz;
        int guard_fd;           /* the write end of the guardian's pipe */
        pid_t guardian;
        bool is_open;
};

#define DEV_WINDOW_INIT { .rw = { .mount_root_fd = -EBADF }, .fz = FREEZER_INIT, .guard_fd = -EBADF }

static void window_note(struct dev_window *w, char note)
{
        if (w->guard_fd >= 0)
                (void)write_full(w->guard_fd, &note, 1);
}

static int as_container_root(int dirfd, const char *name, bool make, mode_t mode, const struct place_request *req);

static _noreturn_ void guardian_main(int rfd, struct devinfo *d, const struct place_request *req, struct dev_window *w)
{
        bool mkdir_noted = false, mount_noted = false;
        struct dev_rw rw;
        char buf[64];
        ssize_t n;

        /* Out of crashcart's session and process group: a signal meant for
         * crashcart (a terminal's ^C, kill of the group) is not one for it. */
        setsid();
        /* The session's lock is kept: until this is done, no run (nor a killed
         * run's reaper) takes the lock and touches the cart or /dev. */
        close_all_fds_but((int[]){ rfd, w->fz.dirfd, d->fd, d->mount_root_fd, req->lock_fd }, 5);

        for (;;) {
                n = read(rfd, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                for (ssize_t i = 0; i < n; i++) {
                        if (buf[i] == NOTE_DONE)
                                _exit(0);
                        mkdir_noted |= buf[i] == NOTE_MKDIR;
                        mount_noted |= buf[i] == NOTE_MOUNT;
                }
        }

        /* The helper died inside the moment: no run will record the cart, so it
         * goes, and /dev is as it was, before anything of the container runs. */
        if (mount_noted && fchdir(d->fd) == 0)
                umount2(CART_DEV_NAME, MNT_DETACH | UMOUNT_NOFOLLOW);
        if (mkdir_noted)
                as_container_root(d->fd, CART_DEV_NAME, false, 0, req);
        /* Whatever the helper had made writable: read-only again is idempotent. */
        rw = (struct dev_rw){
                .mount_root_fd = d->mount_root_fd,
                .sb_made_rw = opts_has(d->entry.super_opts, "ro"),
                .mnt_made_rw = opts_has(d->entry.mount_opts, "ro"),
                .legacy = w->rw.legacy,
                .mnt_flags = mount_flags_from_opts(d->entry.mount_opts),
        };
        dev_restore_retry(&rw, 100);
        /* Never left frozen, even if /dev could not be restored. The helper froze
         * it after this process was forked: unless it was paused before. */
        w->fz.frozen = w->fz.kind != FREEZER_NONE && !w->fz.was_frozen;
        for (int i = 0; i < 100 && freezer_thaw(&w->fz) < 0; i++)
                usleep(20000);
        _exit(0);
}

static int guardian_start(struct devinfo *d, const struct place_request *req, struct dev_window *w)
{
        int p[2];
        pid_t pid;

        if (fault_disabled("freeze-guardian"))
                return 0;
        if (pipe2(p, O_CLOEXEC) < 0)
                return NEG_ERRNO();
        pid = fork();
        if (pid < 0) {
                int r = NEG_ERRNO();

                safe_close(p[0]);
                safe_close(p[1]);
                return r;
        }
        if (pid == 0) {
                safe_close(p[1]);
                guardian_main(p[0], d, req, w);
        }
        safe_close(p[0]);
        w->guard_fd = p[1];
        w->guardian = pid;
        return 0;
}

static void guardian_stop(struct dev_window *w)
{
        window_note(w, NOTE_DONE);
        w->guard_fd = safe_close(w->guard_fd);
        if (w->guardian > 0)
                while (waitpid(w->guardian, NULL, 0) < 0 && errno == EINTR)
                        ;
        w->guardian = 0;
}

/* Freezes the container, with its guardian watching, and checks that every
 * process of its mount namespace is frozen. */
static int window_freeze(struct devinfo *d, const struct place_request *req, struct dev_window *w,
                         struct place_reply *reply)
{
        _cleanup_free_ char *mi = NULL;
        char path[64];
        struct stat ns;
        pid_t skip[2], other = 0;
        int r;

        snprintf(path, sizeof(path), "%d/mountinfo", (int)helper_host_pid);
        r = read_full_fileat(helper_host_proc_fd, path, MOUNTINFO_MAX, &mi, NULL);
        if (r < 0)
                return fail(reply, PLACE_STAGE_FREEZE, r);
        /* freezer-v1: the unified hierarchy's cgroup.freeze, even where a v1
         * freezer exists (as Docker's hybrid layout has both, the tests try both). */
        r = freezer_open(d->t->procfd, helper_host_proc_fd, helper_host_root_fd, mi, fault_disabled("freezer-v1"),
                         &w->fz);
        if (r < 0) {
                freezer_close(&w->fz);
                if (req->unfrozen_ok && r != -ESRCH) {
                        reply->unfrozen = 1;
                        return 0;
                }
                return fail(reply, PLACE_STAGE_FREEZE, r);
        }
        r = guardian_start(d, req, w);
        if (r < 0)
                return fail(reply, PLACE_STAGE_HELPER, r);
        r = freezer_freeze(&w->fz, 5000);
        if (r < 0) {
                guardian_stop(w);
                return fail(reply, PLACE_STAGE_FREEZE, r);
        }
        skip[0] = getpid();
        skip[1] = w->guardian;
        if (fstatat(d->t->procfd, "ns/mnt", &ns, 0) < 0)
                r = NEG_ERRNO();
        else
                r = freezer_covers_namespace(&w->fz, helper_host_proc_fd, ns.st_dev, ns.st_ino, skip, 2, &other);
        if (r < 0) {
                freezer_thaw(&w->fz);
                guardian_stop(w);
                reply->other_pid = other;
                return fail(reply, PLACE_STAGE_FREEZE, r == -EBUSY ? -EUCLEAN : r);
        }
        return 0;
}

/* /dev's superblock is flipped only when /dev is a whole file system mounted
 * there: as a directory of the root (or a part of another file system), its
 * superblock is the root's, shared with every mount of it, in other containers
 * and on the host, which no freeze of this container covers. */
static bool dev_sb_is_own(const struct devinfo *d)
{
        return strcmp(d->entry.mount_point, "/dev") == 0 && strcmp(d->entry.root, "/") == 0;
}

static int window_open(struct devinfo *d, const struct place_request *req, struct dev_window *w,
                       struct place_reply *reply)
{
        int r;

        if (opts_has(d->entry.super_opts, "ro") && !dev_sb_is_own(d))
                return fail(reply, PLACE_STAGE_DEV_ROOT, -EROFS);
        if (!fault_disabled("freeze-dev-window")) {
                r = window_freeze(d, req, w, reply);
                if (r < 0)
                        return r;
        }
        r = dev_make_writable(&d->entry, d->mount_root_fd, req->legacy, &w->rw);
        if (r < 0) {
                /* Partly made writable, perhaps: undone as on the way out. */
                w->is_open = true;
                return fail(reply, PLACE_STAGE_DEV_RW, r);
        }
        w->is_open = true;
        return 0;
}

/* Ends the moment: /dev read-only again (tried again before it is reported),
 * then the container thawed, then the guardian let go. */
static int window_close(struct dev_window *w)
{
        int r = 0, q;

        if (!w->is_open && w->guard_fd < 0)
                return 0;
        r = dev_restore_retry(&w->rw, 50);
        q = freezer_thaw(&w->fz);
        for (int i = 0; q < 0 && i < 50; i++) {
                usleep(20000);
                q = freezer_thaw(&w->fz);
        }
        if (q < 0 && r == 0)
                r = q;
        /* The guardian is let go only once both are done; if they could not be,
         * it tries again by itself as the helper exits without the last note. */
        if (r == 0)
                guardian_stop(w);
        else
                w->guard_fd = safe_close(w->guard_fd);
        freezer_close(&w->fz);
        w->is_open = false;
        return r;
}

/* Runs op on the directory, making a read-only /dev writable for that moment;
 * note tells the guardian what to undo should the helper die meanwhile. */
static int dir_op_rw(struct devinfo *d, const char *name, bool make, mode_t mode, char note,
                     const struct place_request *req, struct dev_window *w, struct place_reply *reply)
{
        int r;

        r = as_container_root(d->fd, name, make, mode, req);
        if (r != -EROFS)
                return r;
        if (!w->is_open) {
                r = window_open(d, req, w, reply);
                if (r < 0)
                        return r;
        }
        if (note)
                window_note(w, note);
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

/* Detaches a cart that mount(2) put on the checked directory after the container
 * moved that directory away from /dev/crashcart: found again from the
 * directory's descriptor, and detached only when what is found there is the
 * cart's own mount. */
static int legacy_detach_moved(const struct place_request *req, const struct cart_dir *c)
{
        _cleanup_close_ int fd = -EBADF;
        struct cc_open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                                   .resolve = CC_RESOLVE_IN_ROOT | CC_RESOLVE_NO_SYMLINKS | CC_RESOLVE_NO_MAGICLINKS };
        char link[64], where[4096], top[64];
        struct stat st;
        uint64_t id_under, id_top;
        ssize_t n;
        int r;

        snprintf(link, sizeof(link), "self/fd/%d", c->fd);
        n = readlinkat(helper_host_proc_fd, link, where, sizeof(where) - 1);
        if (n <= 0 || where[0] != '/')
                return -ENOENT;
        where[n] = 0;
        fd = sys_openat2(AT_FDCWD, where, &how);
        if (fd < 0)
                return NEG_ERRNO();
        if (fstat(fd, &st) < 0 || st.st_dev != req->loop_rdev ||
            fd_mount_id(fd, "", AT_EMPTY_PATH, false, &id_top, NULL) < 0 ||
            fd_mount_id(c->fd, "", AT_EMPTY_PATH, false, &id_under, NULL) < 0 || id_top == id_under)
                return -EXDEV;
        snprintf(top, sizeof(top), "self/fd/%d", fd);
        if (fchdir(helper_host_proc_fd) < 0)
                return NEG_ERRNO();
        r = umount2(top, MNT_DETACH) < 0 ? NEG_ERRNO() : 0;
        if (chdir("/") < 0 && r == 0)
                r = NEG_ERRNO();
        return r;
}

/* mount(2), for kernels without the new mount API: it takes paths, so both are
 * descriptors' paths in the host's /proc (its "self/fd/N", looked up from the
 * host's /proc as working directory, never through the container's /proc): the
 * host's loop device that crashcart attached and the /dev/crashcart directory
 * that was opened O_PATH and checked. A container that swaps the name for a
 * symlink meanwhile changes nothing of where the cart goes. */
static int place_legacy(const struct place_request *req, struct devinfo *d, struct cart_dir *c,
                        struct place_reply *reply)
{
        _cleanup_close_ int vfd = -EBADF;
        bool by_path = fault_disabled("legacy-on-fds");
        char source[64], target[64];
        struct stat st;
        int r = 0;

        fault_point("legacy-checked");
        snprintf(source, sizeof(source), "self/fd/%d", req->loop_fd);
        snprintf(target, sizeof(target), "self/fd/%d", c->fd);
        if (fchdir(helper_host_proc_fd) < 0)
                return fail(reply, PLACE_STAGE_MOUNT, NEG_ERRNO());
        /* by_path, for the tests' positive control: the name walked again, as before. */
        if (mount(source, by_path ? "/dev/" CART_DEV_NAME : target, req->fstype, MS_RDONLY | MS_NOSUID | MS_NODEV,
                  NULL) < 0)
                r = NEG_ERRNO();
        if (chdir("/") < 0 && r == 0)
                r = NEG_ERRNO();
        if (r < 0)
                return fail(reply, PLACE_STAGE_MOUNT, r);

        /* The cart is on the directory checked: whether that is still at
         * /dev/crashcart, the container may have changed meanwhile. */
        vfd = openat(d->fd, CART_DEV_NAME, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (vfd < 0 || fstat(vfd, &st) < 0 || st.st_dev != req->loop_rdev) {
                if (!by_path)
                        legacy_detach_moved(req, c);
                return fail(reply, PLACE_STAGE_VERIFY, -EXDEV);
        }
        safe_close(c->fd);
        c->fd = TAKE_FD(vfd);
        return 0;
}

static int do_place(const struct target *t, const void *arg, struct place_reply *reply)
{
        const struct place_request *req = arg;
        struct devinfo d;
        struct cart_dir c;
        struct dev_window w = DEV_WINDOW_INIT;
        struct stat cart_st;
        bool made_dir = false;
        int r, q;

        /* In the container, before anything is changed there; only the helper
         * that places the cart (not one that queries or unmounts it, as the
         * undo of an interrupted placement does). */
        if (!req->query_only)
                fault_point("placing");
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
                r = dir_op_rw(&d, CART_DEV_NAME, true, 0755, NOTE_MKDIR, req, &w, reply);
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

        window_note(&w, NOTE_MOUNT);
        r = req->legacy ? place_legacy(req, &d, &c, reply) : place_new_api(req, &c, reply);
        if (r < 0)
                goto out;
        fault_point("moved"); /* the cart in, the helper's reply not yet sent */
        if (w.is_open)
                fault_point("dev-writable"); /* the cart in, /dev writable, the container frozen */

        reply->mounted = 1;
        reply->changed = 1;
        reply->dev = cart_st.st_dev;
        if (req->legacy)
                fd_mount_id(c.fd, "", AT_EMPTY_PATH, true, &reply->mnt_id, NULL);
        else
                fd_mount_id(req->mntfd, "", AT_EMPTY_PATH, true, &reply->mnt_id, NULL);

out:
        if (r < 0 && made_dir) {
                c.fd = safe_close(c.fd); /* as in do_unmount: not held past the rmdir */
                as_container_root(d.fd, CART_DEV_NAME, false, 0, req);
        }
        q = window_close(&w);
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

/* Whether something is mounted on the cart's out/: *ret_fd is its O_PATH. */
static int out_open(const struct cart_dir *c, int *ret_fd, bool *ret_is_mount)
{
        _cleanup_close_ int fd = -EBADF;
        uint64_t cart_id, id;
        int r;

        fd = openat(c->fd, CART_OUT_NAME, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return NEG_ERRNO();
        r = fd_mount_id(c->fd, "", AT_EMPTY_PATH, false, &cart_id, NULL);
        if (r == 0)
                r = fd_mount_id(fd, "", AT_EMPTY_PATH, false, &id, NULL);
        if (r < 0)
                return r;
        *ret_is_mount = id != cart_id;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* The --out directory goes before the cart it sits on (or the cart's unmount
 * is EBUSY). The helper's working directory is the container's /dev. */
static int unmount_out(struct cart_dir *c, bool force, struct place_reply *reply)
{
        for (int i = 0; c->fd >= 0 && c->is_mount && i < 16; i++) {
                int fd = -EBADF;
                bool is_mount = false;

                if (out_open(c, &fd, &is_mount) < 0 || !is_mount) {
                        safe_close(fd);
                        return 0;
                }
                safe_close(fd); /* an O_PATH descriptor keeps it busy too */
                if (umount2(CART_DEV_NAME "/" CART_OUT_NAME, UMOUNT_NOFOLLOW) == 0)
                        continue;
                if (errno != EBUSY)
                        return fail(reply, PLACE_STAGE_UMOUNT, NEG_ERRNO());
                if (!force) {
                        reply->mounted = 1;
                        return fail(reply, PLACE_STAGE_BUSY, -EBUSY);
                }
                if (umount2(CART_DEV_NAME "/" CART_OUT_NAME, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
                        return fail(reply, PLACE_STAGE_UMOUNT, NEG_ERRNO());
        }
        return 0;
}

static int do_place_out(const struct target *t, const void *arg, struct place_reply *reply)
{
        const int *out_mntfd = arg;
        _cleanup_close_ int ofd = -EBADF;
        struct devinfo d;
        struct cart_dir c = { .fd = -EBADF };
        struct stat want, have;
        bool is_mount = false;
        int r;

        r = devinfo_open(t, &d, reply);
        if (r < 0)
                goto out;
        r = cart_dir_open(&d, &c, reply);
        if (r < 0)
                goto out;
        if (c.fd < 0 || !c.is_mount) {
                r = fail(reply, PLACE_STAGE_OUT, -ENOENT);
                goto out;
        }
        r = out_open(&c, &ofd, &is_mount);
        if (r < 0) {
                /* The cart is read-only: out/ is what its builder made, or missing. */
                r = fail(reply, r == -ENOENT ? PLACE_STAGE_OUT_MISSING : PLACE_STAGE_OUT, r);
                goto out;
        }
        if (fstat(*out_mntfd, &want) < 0 || fstat(ofd, &have) < 0) {
                r = fail(reply, PLACE_STAGE_OUT, NEG_ERRNO());
                goto out;
        }
        if (is_mount) {
                /* The same directory (-m --out before, or a run alongside). */
                if (have.st_dev == want.st_dev && have.st_ino == want.st_ino) {
                        reply->mounted = 1;
                        goto out;
                }
                r = fail(reply, PLACE_STAGE_OUT_OTHER, -EEXIST);
                goto out;
        }
        /* Both ends are descriptors, and the target a directory of the
         * read-only cart, which nothing in the container can swap. */
        if (sys_move_mount(*out_mntfd, "", ofd, "", CC_MOVE_MOUNT_F_EMPTY_PATH | CC_MOVE_MOUNT_T_EMPTY_PATH) < 0) {
                r = fail(reply, PLACE_STAGE_OUT, NEG_ERRNO());
                goto out;
        }
        reply->mounted = 1;
        reply->changed = 1;
out:
        if (c.fd >= 0)
                safe_close(c.fd);
        devinfo_done(&d);
        return r;
}

static int do_unmount(const struct target *t, const void *arg, struct place_reply *reply)
{
        const struct unmount_args *a = arg;
        struct devinfo d;
        struct cart_dir c = { .fd = -EBADF };
        struct dev_window w = DEV_WINDOW_INIT;
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
        r = unmount_out(&c, a->force, reply);
        if (r < 0)
                goto out;
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

        /* An open descriptor of a removed directory keeps the file system
         * from going read-only again (EBUSY): none is held past the rmdir. */
        c.fd = safe_close(c.fd);
        r = dir_op_rw(&d, CART_DEV_NAME, false, 0, 0, &a->req, &w, reply);
        if (r == -ENOTEMPTY) {
                /* A directory that holds files is not one crashcart made: leave it. */
                r = 0;
        } else if (r < 0 && !reply->error)
                fail(reply, PLACE_STAGE_RMDIR, r);

out:
        q = window_close(&w);
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
        _cleanup_close_ int nsfd = -EBADF, rootfd = -EBADF, hostproc = -EBADF, hostroot = -EBADF;
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
        hostroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (hostproc < 0 || hostroot < 0) {
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
                helper_host_root_fd = hostroot;
                helper_host_pid = parent;
                /* Nothing of ours stays in the container when crashcart is killed;
                 * it may have been before this was set. */
                if (!fault_disabled("pdeathsig") &&
                    (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent))
                        _exit(1);
                if (setns(nsfd, CLONE_NEWNS) < 0 || fchdir(rootfd) < 0 || chroot(".") < 0 || chdir("/") < 0)
                        fail(&rep, PLACE_STAGE_JOIN, NEG_ERRNO());
                else
                        fn(t, arg, &rep);
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

int cart_place_out(const struct target *t, int out_mntfd, struct place_reply *ret)
{
        return run_in_mntns(t, do_place_out, &out_mntfd, ret);
}

int cart_unmount(const struct target *t, uint64_t expect_mnt_id, bool force, bool legacy, uint32_t root_uid,
                 uint32_t root_gid, int lock_fd, struct place_reply *ret)
{
        struct unmount_args a = {
                .expect_mnt_id = expect_mnt_id,
                .force = force,
                .req = { .mntfd = -EBADF, .loop_fd = -EBADF, .lock_fd = lock_fd, .legacy = legacy, .root_uid = root_uid,
                         .root_gid = root_gid, .unfrozen_ok = force },
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
        case PLACE_STAGE_FREEZE:
                return "cannot freeze the container for the moment its read-only /dev is writable";
        case PLACE_STAGE_DEV_ROOT:
                return "the container's /dev is a directory of a read-only file system it shares (its root): crashcart "
                       "does not make that writable; start the container with a /dev of its own (a tmpfs), or mount "
                       "the cart with --host";
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
        case PLACE_STAGE_OUT:
                return "cannot attach the --out directory at " CART_OUT " in the container";
        case PLACE_STAGE_OUT_MISSING:
                return "the cart has no " CART_OUT_NAME "/ directory to put --out on (made by crashcart-build since "
                       "--out exists): build the cart again";
        case PLACE_STAGE_OUT_OTHER:
                return "another directory is at " CART_OUT " in the container (another run's --out, or -m --out); "
                       "'crashcart -u' unmounts it";
        }
        return "cannot place the cart";
}
