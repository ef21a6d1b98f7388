/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basic/fileio.h"
#include "basic/interrupt.h"
#include "basic/log.h"
#include "basic/macro.h"
#include "basic/syscalls.h"
#include "cart/layout.h"
#include "cart/session.h"
#include "sandbox/sandbox.h"

/* Where the init builds the root, in its own mount namespace only: a tmpfs
 * mounted over crashcart's runtime directory, which the host never sees (the
 * namespace is private), holding the overlay's upper and work directories. */
#define SCRATCH RUNDIR

struct sandbox_msg {
        int error;
        int stage;
        int index;
};

static void send_msg(int fd, int error, enum sandbox_stage stage, int index)
{
        struct sandbox_msg m = { .error = error, .stage = (int)stage, .index = index };

        (void)!write(fd, &m, sizeof(m));
}

/* The mount point for dest beneath root, made when missing (a directory, or
 * an empty file for a file bound there), as docker makes its mount points. The
 * root is still writable here (its upper layer is the sandbox's tmpfs). */
static int make_mount_point(int rootfd, const char *dest, bool is_dir, int *ret_fd)
{
        _cleanup_free_ char *path = strdup(dest);
        char *p;
        int fd;

        if (!path)
                return -ENOMEM;
        for (p = path; *p == '/'; p++)
                ;
        /* Each missing component, made in its parent as resolved in root. */
        for (char *slash = p; slash;) {
                _cleanup_close_ int parent = -EBADF;
                char *name, saved;

                slash = strchr(slash, '/');
                if (slash)
                        *slash = 0;
                fd = openat_in_root(rootfd, path, O_PATH);
                if (fd >= 0) {
                        if (slash)
                                *slash++ = '/';
                        if (!slash) {
                                *ret_fd = fd;
                                return 0;
                        }
                        safe_close(fd);
                        continue;
                }
                if (fd != -ENOENT)
                        return fd;
                name = strrchr(path, '/');
                name = name ? name + 1 : path;
                saved = *name;
                *name = 0;
                parent = openat_in_root(rootfd, path, O_PATH | O_DIRECTORY);
                *name = saved;
                if (parent < 0)
                        return parent;
                if (slash || is_dir) {
                        if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST)
                                return NEG_ERRNO();
                } else if (mknodat(parent, name, S_IFREG | 0644, 0) < 0 && errno != EEXIST)
                        return NEG_ERRNO();
                fd = openat_in_root(rootfd, path, O_PATH);
                if (fd < 0)
                        return fd;
                if (slash)
                        *slash++ = '/';
                if (!slash) {
                        *ret_fd = fd;
                        return 0;
                }
                safe_close(fd);
        }
        return -EINVAL;
}

static int attach(int mntfd, int targetfd)
{
        if (sys_move_mount(mntfd, "", targetfd, "", CC_MOVE_MOUNT_F_EMPTY_PATH | CC_MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return NEG_ERRNO();
        return 0;
}

/* A new superblock of fstype with string options (key, value pairs; a NULL value
 * sets a flag), detached, with attr. */
static int new_mount(const char *fstype, const char *const *opts, size_t n_opts, unsigned attr, int *ret)
{
        _cleanup_close_ int fsfd = -EBADF;
        int mntfd;

        fsfd = sys_fsopen(fstype, CC_FSOPEN_CLOEXEC);
        if (fsfd < 0)
                return NEG_ERRNO();
        for (size_t i = 0; i + 1 < n_opts; i += 2) {
                int r = opts[i + 1] ? sys_fsconfig(fsfd, CC_FSCONFIG_SET_STRING, opts[i], opts[i + 1], 0)
                                    : sys_fsconfig(fsfd, CC_FSCONFIG_SET_FLAG, opts[i], NULL, 0);

                if (r < 0)
                        return NEG_ERRNO();
        }
        if (sys_fsconfig(fsfd, CC_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return NEG_ERRNO();
        mntfd = sys_fsmount(fsfd, CC_FSMOUNT_CLOEXEC, attr);
        if (mntfd < 0)
                return NEG_ERRNO();
        *ret = mntfd;
        return 0;
}

static int mount_at(int rootfd, const char *dest, const char *fstype, const char *const *opts, size_t n_opts,
                    unsigned attr)
{
        _cleanup_close_ int mntfd = -EBADF, target = -EBADF;
        int r;

        r = new_mount(fstype, opts, n_opts, attr, &mntfd);
        if (r < 0)
                return r;
        r = make_mount_point(rootfd, dest, true, &target);
        if (r < 0)
                return r;
        return attach(mntfd, target);
}

/* The root: the container's layers as the lower layers of a new overlay (its
 * writable layer the topmost), the upper one in the scratch tmpfs. Overlayfs
 * never writes a lower layer: whatever the sandbox does, the container's files
 * stay as they are. -ENOENT with *ret_index: that layer is gone. */
static int mount_root(const struct container_spec *spec, int *ret_index, int *ret_rootfd)
{
        _cleanup_close_ int fsfd = -EBADF, mntfd = -EBADF;
        int r = 0;

        for (size_t i = 0; i < spec->n_layers; i++) {
                struct stat st;

                if (stat(spec->layers[i], &st) < 0 || !S_ISDIR(st.st_mode)) {
                        *ret_index = (int)i;
                        return errno == ENOENT || !S_ISDIR(st.st_mode) ? -ENOENT : NEG_ERRNO();
                }
        }
        fsfd = sys_fsopen("overlay", CC_FSOPEN_CLOEXEC);
        if (fsfd < 0)
                return NEG_ERRNO();
        /* One layer a call (Linux 6.8): no limit of a page on the option string,
         * and no escaping of ':' or ','. Before, the string of them all. */
        for (size_t i = 0; i < spec->n_layers && r == 0; i++)
                if (sys_fsconfig(fsfd, CC_FSCONFIG_SET_STRING, "lowerdir+", spec->layers[i], 0) < 0)
                        r = NEG_ERRNO();
        if (r == -EINVAL) {
                _cleanup_free_ char *all = NULL;
                size_t len = 0;

                for (size_t i = 0; i < spec->n_layers; i++)
                        len += strlen(spec->layers[i]) + 1;
                all = calloc(1, len + 1);
                if (!all)
                        return -ENOMEM;
                for (size_t i = 0; i < spec->n_layers; i++)
                        strcat(strcat(all, i ? ":" : ""), spec->layers[i]);
                r = sys_fsconfig(fsfd, CC_FSCONFIG_SET_STRING, "lowerdir", all, 0) < 0 ? NEG_ERRNO() : 0;
        }
        if (r < 0)
                return r;
        if (sys_fsconfig(fsfd, CC_FSCONFIG_SET_STRING, "upperdir", SCRATCH "/upper", 0) < 0 ||
            sys_fsconfig(fsfd, CC_FSCONFIG_SET_STRING, "workdir", SCRATCH "/work", 0) < 0 ||
            sys_fsconfig(fsfd, CC_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return NEG_ERRNO();
        /* nodev: a device node in an image is not a way to the host's disks. */
        mntfd = sys_fsmount(fsfd, CC_FSMOUNT_CLOEXEC, (unsigned)(CC_MOUNT_ATTR_NOSUID | CC_MOUNT_ATTR_NODEV));
        if (mntfd < 0)
                return NEG_ERRNO();
        if (sys_move_mount(mntfd, "", AT_FDCWD, SCRATCH "/root", CC_MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return NEG_ERRNO();
        *ret_rootfd = open(SCRATCH "/root", O_PATH | O_DIRECTORY | O_CLOEXEC);
        return *ret_rootfd < 0 ? NEG_ERRNO() : 0;
}

static int set_readonly(int fd)
{
        struct cc_mount_attr attr = { .attr_set = CC_MOUNT_ATTR_RDONLY };

        return sys_mount_setattr(fd, "", AT_EMPTY_PATH, &attr) < 0 ? NEG_ERRNO() : 0;
}

/* A detached mount at a new directory of the sandbox's /dev (path: "/dev/NAME"). */
static int attach_in_dev(int rootfd, int devfd, const char *path, int mntfd)
{
        _cleanup_close_ int fd = -EBADF;

        if (mkdirat(devfd, &path[strlen("/dev/")], 0755) < 0)
                return NEG_ERRNO();
        fd = openat_in_root(rootfd, path, O_PATH | O_DIRECTORY);
        if (fd < 0)
                return fd;
        return attach(mntfd, fd);
}

/* A /dev of the sandbox's own: the harmless nodes, a devpts instance for the
 * command's terminal, the cart. Read-only once made (devpts and /dev/shm aside). */
static int mount_dev(int rootfd, int cart_mntfd, int core_mntfd, int *ret_devfd, enum sandbox_stage *stage)
{
        static const struct {
                const char *name;
                unsigned major, minor;
        } nodes[] = {
                { "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 }, { "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
        };
        static const char *const links[][2] = {
                { "ptmx", "pts/ptmx" },          { "fd", "/proc/self/fd" },         { "stdin", "/proc/self/fd/0" },
                { "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
        };
        static const char *const tmpfs_opts[] = { "mode", "0755", "size", "1m" };
        static const char *const pts_opts[] = { "newinstance", NULL, "ptmxmode", "0666", "mode", "0620" };
        static const char *const shm_opts[] = { "mode", "1777", "size", "64m" };
        _cleanup_close_ int devfd = -EBADF;
        int r;

        *stage = SANDBOX_STAGE_DEV;
        r = mount_at(rootfd, "/dev", "tmpfs", tmpfs_opts, ELEMENTSOF(tmpfs_opts),
                     (unsigned)(CC_MOUNT_ATTR_NOSUID));
        if (r < 0)
                return r;
        devfd = openat_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY);
        if (devfd < 0)
                return devfd;
        for (size_t i = 0; i < ELEMENTSOF(nodes); i++)
                if (mknodat(devfd, nodes[i].name, S_IFCHR | 0666, makedev(nodes[i].major, nodes[i].minor)) < 0 ||
                    fchmodat(devfd, nodes[i].name, 0666, 0) < 0)
                        return NEG_ERRNO();
        for (size_t i = 0; i < ELEMENTSOF(links); i++)
                if (symlinkat(links[i][1], devfd, links[i][0]) < 0)
                        return NEG_ERRNO();
        r = mount_at(rootfd, "/dev/pts", "devpts", pts_opts, ELEMENTSOF(pts_opts),
                     (unsigned)(CC_MOUNT_ATTR_NOSUID | CC_MOUNT_ATTR_NOEXEC));
        if (r < 0)
                return r;
        r = mount_at(rootfd, "/dev/shm", "tmpfs", shm_opts, ELEMENTSOF(shm_opts),
                     (unsigned)(CC_MOUNT_ATTR_NOSUID | CC_MOUNT_ATTR_NODEV));
        if (r < 0)
                return r;

        *stage = SANDBOX_STAGE_CART;
        r = attach_in_dev(rootfd, devfd, CART_PATH, cart_mntfd);
        if (r < 0)
                return r;
        if (core_mntfd >= 0) {
                *stage = SANDBOX_STAGE_CORE;
                r = attach_in_dev(rootfd, devfd, SANDBOX_CORE_DIR, core_mntfd);
                if (r < 0)
                        return r;
        }
        *ret_devfd = TAKE_FD(devfd);
        return 0;
}

/* What the sandbox made itself (/proc, /sys, /dev, /dev/pts, /dev/shm, the
 * cart, a core it was brought), by device, as they resolve beneath root; 0: not
 * there. */
enum { OWN_PROC, OWN_SYS, OWN_DEV, OWN_DEV_PTS, OWN_DEV_SHM, OWN_CART, OWN_CORE, _OWN_MAX };
struct own_mounts {
        dev_t dev[_OWN_MAX];
};

static int own_mounts_get(int rootfd, struct own_mounts *ret)
{
        static const char *const paths[] = {
                [OWN_PROC] = "/proc",        [OWN_SYS] = "/sys",   [OWN_DEV] = "/dev",
                [OWN_DEV_PTS] = "/dev/pts",  [OWN_DEV_SHM] = "/dev/shm", [OWN_CART] = CART_PATH,
                [OWN_CORE] = SANDBOX_CORE_DIR,
        };
        _Static_assert(ELEMENTSOF(paths) == ELEMENTSOF(ret->dev), "one device per path");

        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                _cleanup_close_ int fd = openat_in_root(rootfd, paths[i], O_PATH | O_DIRECTORY);
                struct stat st;

                ret->dev[i] = 0;
                if (fd == -ENOENT && i == OWN_CORE)
                        continue;
                if (fd < 0)
                        return fd;
                if (fstat(fd, &st) < 0)
                        return NEG_ERRNO();
                ret->dev[i] = st.st_dev;
        }
        return 0;
}

/* The mounts of a run, to make read-only once every one is placed. */
struct placed {
        int *fd;
        size_t n;
};

static void placed_done(struct placed *p)
{
        for (size_t i = 0; i < p->n; i++)
                safe_close(p->fd[i]);
        free(p->fd);
}

static size_t depth_of(const char *path)
{
        size_t d = 0;

        for (const char *p = path; *p; p++)
                d += *p == '/';
        return d;
}

/* What the sandbox makes itself is not the container's to cover. */
static bool is_sandbox_own(const char *dest)
{
        return path_is_below(dest, "/proc") || path_is_below(dest, "/sys") || path_is_below(dest, CART_PATH) ||
               path_is_below(dest, SANDBOX_CORE_DIR) || strcmp(dest, "/") == 0 || strcmp(dest, "/dev") == 0;
}

/* Whether a mount point (as resolved beneath root: a symlink of the container's
 * may lead anywhere) is on a mount of the sandbox's own that nothing may cover.
 * A volume may go into /dev and /dev/shm (runtimes bind devices and shared
 * memory there); a tmpfs into none of them. */
static bool covers_own(const struct own_mounts *own, int targetfd, bool volume)
{
        struct stat st;

        if (fault_disabled("sandbox-own-mounts"))
                return false;
        if (fstat(targetfd, &st) < 0)
                return true;
        for (size_t i = 0; i < ELEMENTSOF(own->dev); i++) {
                if (volume && (i == OWN_DEV || i == OWN_DEV_SHM))
                        continue;
                if (own->dev[i] != 0 && st.st_dev == own->dev[i])
                        return true;
        }
        return false;
}

/* A volume or bind mount of the container's, read-only. One whose source is
 * gone (a runtime's file of a run that has ended) is left out. -EXDEV: its mount
 * point resolves onto a mount of the sandbox's own that it would cover (a
 * symlink of the container's, /data -> /dev/coredump). */
static int mount_volume(int rootfd, const struct spec_mount *m, const struct own_mounts *own)
{
        struct cc_mount_attr attr = {
                .attr_set = CC_MOUNT_ATTR_RDONLY | CC_MOUNT_ATTR_NOSUID | CC_MOUNT_ATTR_NODEV,
        };
        _cleanup_close_ int tree = -EBADF, target = -EBADF;
        struct stat st;
        int r;

        tree = sys_open_tree(AT_FDCWD, m->source, CC_OPEN_TREE_CLONE | CC_OPEN_TREE_CLOEXEC | CC_AT_RECURSIVE);
        if (tree < 0 && errno == ENOENT) {
                log_debug("volume '%s' at '%s' left out: its source is gone", m->source, m->destination);
                return 0;
        }
        if (tree < 0 || fstat(tree, &st) < 0)
                return NEG_ERRNO();
        if (sys_mount_setattr(tree, "", AT_EMPTY_PATH | CC_AT_RECURSIVE, &attr) < 0)
                return NEG_ERRNO();
        r = make_mount_point(rootfd, m->destination, S_ISDIR(st.st_mode), &target);
        if (r < 0)
                return r;
        if (covers_own(own, target, true))
                return -EXDEV;
        return attach(tree, target);
}

/* A tmpfs of the container's, new and empty (nosuid, nodev; its size and mode
 * when given), writable until every mount is placed: a volume may go beneath
 * it. -EXDEV: its mount point resolves onto a mount of the sandbox's own (a
 * symlink of the container's, /run -> /dev/crashcart), which it would cover. */
static int mount_tmpfs(int rootfd, const struct spec_tmpfs *t, const struct own_mounts *own, int *ret_mntfd)
{
        _cleanup_close_ int mntfd = -EBADF, target = -EBADF;
        char size[32], mode[16];
        const char *opts[4];
        size_t n = 0;
        int r;

        if (t->size > 0) {
                snprintf(size, sizeof(size), "%" PRIu64, t->size);
                opts[n++] = "size";
                opts[n++] = size;
        }
        if (t->mode >= 0) {
                snprintf(mode, sizeof(mode), "%o", (unsigned)t->mode & 07777);
                opts[n++] = "mode";
                opts[n++] = mode;
        }
        r = new_mount("tmpfs", opts, n, (unsigned)(CC_MOUNT_ATTR_NOSUID | CC_MOUNT_ATTR_NODEV), &mntfd);
        if (r < 0)
                return r;
        r = make_mount_point(rootfd, t->destination, true, &target);
        if (r < 0)
                return r;
        if (covers_own(own, target, false))
                return -EXDEV;
        r = attach(mntfd, target);
        if (r < 0)
                return r;
        *ret_mntfd = TAKE_FD(mntfd);
        return 0;
}

/* The container's volumes, bind mounts and tmpfs mounts, parents before what is
 * mounted beneath them, as the runtimes order them. The tmpfs mounts are made
 * read-only once all are placed, unless writable. */
static int mount_container(int rootfd, const struct container_spec *spec, bool writable, enum sandbox_stage *stage,
                           int *ret_index)
{
        _cleanup_(placed_done) struct placed tmpfs = {};
        struct own_mounts own;
        size_t depth_max = 0;
        int r;

        *stage = SANDBOX_STAGE_VOLUME;
        r = own_mounts_get(rootfd, &own);
        if (r < 0)
                return r;
        tmpfs.fd = calloc(spec->n_tmpfs + 1, sizeof(int));
        if (!tmpfs.fd)
                return -ENOMEM;
        for (size_t i = 0; i < spec->n_mounts + spec->n_tmpfs; i++) {
                size_t d = depth_of(i < spec->n_mounts ? spec->mounts[i].destination
                                                       : spec->tmpfs[i - spec->n_mounts].destination);

                depth_max = d > depth_max ? d : depth_max;
        }
        for (size_t depth = 0; depth <= depth_max; depth++) {
                for (size_t i = 0; i < spec->n_mounts; i++) {
                        const struct spec_mount *m = &spec->mounts[i];

                        if (depth_of(m->destination) != depth || is_sandbox_own(m->destination))
                                continue;
                        *stage = SANDBOX_STAGE_VOLUME;
                        *ret_index = (int)i;
                        r = mount_volume(rootfd, m, &own);
                        if (r == -EXDEV) {
                                log_debug("volume at '%s' left out: it resolves onto a mount of the sandbox's own",
                                          m->destination);
                                continue;
                        }
                        if (r < 0)
                                return r;
                }
                for (size_t i = 0; i < spec->n_tmpfs; i++) {
                        const struct spec_tmpfs *t = &spec->tmpfs[i];
                        int fd = -EBADF;

                        if (depth_of(t->destination) != depth || is_sandbox_own(t->destination) ||
                            path_is_below(t->destination, "/dev"))
                                continue;
                        *stage = SANDBOX_STAGE_TMPFS;
                        *ret_index = (int)i;
                        r = mount_tmpfs(rootfd, t, &own, &fd);
                        if (r == -EXDEV) {
                                log_debug("tmpfs at '%s' left out: it resolves onto a mount of the sandbox's own",
                                          t->destination);
                                continue;
                        }
                        if (r < 0)
                                return r;
                        tmpfs.fd[tmpfs.n++] = fd;
                }
        }
        *stage = SANDBOX_STAGE_READONLY;
        for (size_t i = 0; i < tmpfs.n && !writable; i++) {
                r = set_readonly(tmpfs.fd[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int loopback_up(void)
{
        _cleanup_close_ int fd = -EBADF;
        struct ifreq ifr = {};

        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return NEG_ERRNO();
        strcpy(ifr.ifr_name, "lo");
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                return NEG_ERRNO();
        ifr.ifr_flags |= IFF_UP;
        return ioctl(fd, SIOCSIFFLAGS, &ifr) < 0 ? NEG_ERRNO() : 0;
}

/* Everything of the sandbox, in its init: the mount namespace is its own. */
static int build(const struct sandbox_request *req, enum sandbox_stage *stage, int *index)
{
        static const char *const scratch_opts[] = { "mode", "0700" };
        _cleanup_close_ int rootfd = -EBADF, devfd = -EBADF, scratch = -EBADF, target = -EBADF;
        int r;

        /* Nothing mounted here may reach the host's namespace. */
        *stage = SANDBOX_STAGE_PRIVATE;
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return NEG_ERRNO();

        *stage = SANDBOX_STAGE_SCRATCH;
        if (mkdir(SCRATCH, 0700) < 0 && errno != EEXIST)
                return NEG_ERRNO();
        r = new_mount("tmpfs", scratch_opts, ELEMENTSOF(scratch_opts), (unsigned)(CC_MOUNT_ATTR_NOSUID), &scratch);
        if (r < 0)
                return r;
        if (sys_move_mount(scratch, "", AT_FDCWD, SCRATCH, CC_MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return NEG_ERRNO();
        if (mkdir(SCRATCH "/upper", 0755) < 0 || mkdir(SCRATCH "/work", 0700) < 0 || mkdir(SCRATCH "/root", 0755) < 0)
                return NEG_ERRNO();

        *stage = SANDBOX_STAGE_OVERLAY;
        r = mount_root(req->spec, index, &rootfd);
        if (r == -ENOENT)
                *stage = SANDBOX_STAGE_LAYER;
        if (r < 0)
                return r;

        /* A proc of the sandbox's PID namespace: this process is its init. */
        *stage = SANDBOX_STAGE_PROC;
        r = mount_at(rootfd, "/proc", "proc", NULL, 0,
                     (unsigned)(CC_MOUNT_ATTR_NOSUID | CC_MOUNT_ATTR_NODEV | CC_MOUNT_ATTR_NOEXEC));
        if (r < 0)
                return r;
        *stage = SANDBOX_STAGE_SYS;
        r = mount_at(rootfd, "/sys", "sysfs", NULL, 0,
                     (unsigned)(CC_MOUNT_ATTR_RDONLY | CC_MOUNT_ATTR_NOSUID | CC_MOUNT_ATTR_NODEV |
                                CC_MOUNT_ATTR_NOEXEC));
        if (r < 0)
                return r;
        r = mount_dev(rootfd, req->cart_mntfd, req->core_mntfd, &devfd, stage);
        if (r < 0)
                return r;

        r = mount_container(rootfd, req->spec, req->writable, stage, index);
        if (r < 0)
                return r;

        *stage = SANDBOX_STAGE_HOSTNAME;
        if (req->hostname && *req->hostname && sethostname(req->hostname, strlen(req->hostname)) < 0)
                return NEG_ERRNO();
        *stage = SANDBOX_STAGE_LOOPBACK;
        r = loopback_up();
        if (r < 0)
                return r;

        *stage = SANDBOX_STAGE_READONLY;
        target = openat_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY);
        if (target < 0)
                return target;
        r = set_readonly(target);
        if (r == 0 && !req->writable)
                r = set_readonly(rootfd);
        if (r < 0)
                return r;

        /* The overlay becomes /, and the host's tree goes from this namespace. */
        *stage = SANDBOX_STAGE_PIVOT;
        if (fchdir(rootfd) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 ||
            chdir("/") < 0)
                return NEG_ERRNO();
        return 0;
}

_noreturn_ static void sandbox_init(const struct sandbox_request *req, int msgfd, int lifefd)
{
        struct pollfd p = { .fd = lifefd, .events = POLLIN };
        enum sandbox_stage stage = SANDBOX_STAGE_FORK;
        int index = -1, r;

        /* Dies with crashcart; crashcart may have died before this was set. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || poll(&p, 1, 0) != 0)
                _exit(125);
        r = build(req, &stage, &index);
        send_msg(msgfd, r, r < 0 ? stage : SANDBOX_STAGE_NONE, index);
        if (r < 0)
                _exit(125);
        /* Nothing of crashcart's stays open in the sandbox but the pipe whose
         * end says crashcart is done: not the cart's descriptor, not the host's
         * root. */
        safe_close(msgfd);
        for (int fd = 3; fd < 65536; fd++)
                if (fd != lifefd && sys_close_range((unsigned)fd, fd < lifefd ? (unsigned)lifefd - 1 : ~0U, 0) == 0)
                        fd = fd < lifefd ? lifefd : 65536;
        /* The init of the sandbox's PID namespace: orphans come here, reaped by
         * the kernel with SIGCHLD ignored. */
        signal(SIGCHLD, SIG_IGN);
        for (;;) {
                char c;
                ssize_t n = read(lifefd, &c, 1);

                if (n == 0 || (n < 0 && errno != EINTR))
                        _exit(0);
        }
}

int sandbox_start(const struct sandbox_request *req, struct sandbox *ret, struct sandbox_error *ret_err)
{
        _cleanup_close_ int msg_r = -EBADF;
        int msg[2], life[2];
        struct sandbox_msg m = {};
        size_t n = 0;
        pid_t pid;
        int r;

        *ret_err = (struct sandbox_error){ .index = -1 };
        if (pipe2(msg, O_CLOEXEC) < 0) {
                ret_err->stage = SANDBOX_STAGE_FORK;
                return ret_err->error = NEG_ERRNO();
        }
        if (pipe2(life, O_CLOEXEC) < 0) {
                r = NEG_ERRNO();
                safe_close(msg[0]);
                safe_close(msg[1]);
                ret_err->stage = SANDBOX_STAGE_FORK;
                return ret_err->error = r;
        }
        /* clone with the namespaces, as fork: this process is the init of the new
         * PID namespace (unshare would give that to the next child only). */
        pid = (pid_t)syscall(SYS_clone, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | SIGCHLD,
                             NULL, NULL, NULL, NULL);
        if (pid == 0) {
                safe_close(msg[0]);
                safe_close(life[1]);
                sandbox_init(req, msg[1], life[0]);
        }
        r = pid < 0 ? NEG_ERRNO() : 0;
        safe_close(msg[1]);
        safe_close(life[0]);
        msg_r = msg[0];
        if (r < 0) {
                safe_close(life[1]);
                ret_err->stage = SANDBOX_STAGE_FORK;
                return ret_err->error = r;
        }
        fault_point("sandbox");
        r = interrupt_read_full(msg_r, &m, sizeof(m), &n);
        if (r == 0 && n == sizeof(m) && m.error == 0) {
                ret->pid = pid;
                ret->life_fd = life[1];
                return 0;
        }
        safe_close(life[1]);
        interrupt_kill_helper(pid);
        if (r == -EINTR) {
                ret_err->stage = SANDBOX_STAGE_FORK;
                return ret_err->error = -EINTR;
        }
        if (r < 0 || n != sizeof(m)) {
                ret_err->stage = SANDBOX_STAGE_FORK;
                return ret_err->error = r < 0 ? r : -EIO;
        }
        ret_err->stage = (enum sandbox_stage)m.stage;
        ret_err->index = m.index;
        return ret_err->error = m.error < 0 ? m.error : -EIO;
}

void sandbox_stop(struct sandbox *sb)
{
        sb->life_fd = safe_close(sb->life_fd);
        if (sb->pid > 0) {
                kill(sb->pid, SIGKILL);
                while (waitpid(sb->pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        sb->pid = 0;
}

const char *sandbox_stage_to_string(enum sandbox_stage stage)
{
        static const char *const text[] = {
                [SANDBOX_STAGE_NONE] = "no error",
                [SANDBOX_STAGE_FORK] = "cannot start the sandbox's init in new namespaces",
                [SANDBOX_STAGE_PRIVATE] = "cannot make the sandbox's mount namespace private",
                [SANDBOX_STAGE_SCRATCH] = "cannot mount the sandbox's scratch tmpfs",
                [SANDBOX_STAGE_LAYER] = "a layer of the root filesystem is gone",
                [SANDBOX_STAGE_OVERLAY] = "cannot mount the container's layers as an overlay",
                [SANDBOX_STAGE_PROC] = "cannot mount /proc in the sandbox",
                [SANDBOX_STAGE_SYS] = "cannot mount /sys in the sandbox",
                [SANDBOX_STAGE_DEV] = "cannot make /dev in the sandbox",
                [SANDBOX_STAGE_CORE] = "cannot show the core in the sandbox",
                [SANDBOX_STAGE_CART] = "cannot place the cart at " CART_PATH " in the sandbox",
                [SANDBOX_STAGE_VOLUME] = "cannot bind a volume into the sandbox",
                [SANDBOX_STAGE_TMPFS] = "cannot mount a tmpfs of the container's in the sandbox",
                [SANDBOX_STAGE_HOSTNAME] = "cannot set the sandbox's hostname",
                [SANDBOX_STAGE_LOOPBACK] = "cannot bring up the sandbox's loopback",
                [SANDBOX_STAGE_READONLY] = "cannot make the sandbox read-only",
                [SANDBOX_STAGE_PIVOT] = "cannot make the overlay the sandbox's root",
        };

        if ((size_t)stage < ELEMENTSOF(text) && text[stage])
                return text[stage];
        return "cannot start the sandbox";
}
