/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "basic/fileio.h"
#include "basic/interrupt.h"
#include "basic/log.h"
#include "basic/macro.h"
#include "basic/procfs.h"
#include "basic/syscalls.h"
#include "exec/confinement.h"
#include "exec/nsexec.h"
#include "exec/userdb.h"

void forwarded_signals(sigset_t *ret)
{
        sigemptyset(ret);
        sigaddset(ret, SIGINT);
        sigaddset(ret, SIGTERM);
        sigaddset(ret, SIGHUP);
        sigaddset(ret, SIGQUIT);
        sigaddset(ret, SIGUSR1);
        sigaddset(ret, SIGUSR2);
}

enum { MSG_PID = 1, MSG_ERROR };

struct exec_msg {
        int type;
        int error;
        enum exec_stage stage;
        pid_t pid;
};

/* ---- cgroups: the command is accounted and limited like the container ---- */

struct cgroup_join_ctx {
        char *host_mountinfo;
        int first_error;
        int v2_fd;      /* the target's cgroup2 directory, joined at clone time */
};

struct cg_mount_ctx {
        const struct cgroup_entry *cg;
        char *mount_point;
};

static bool controllers_match(const char *wanted, const char *super_opts)
{
        char buf[256];

        if (strlen(wanted) >= sizeof(buf))
                return false;
        strcpy(buf, wanted);
        for (char *save = NULL, *c = strtok_r(buf, ",", &save); c; c = strtok_r(NULL, ",", &save))
                if (!opts_has(super_opts, c))
                        return false;
        return true;
}

static int find_cg_mount_cb(const struct mountinfo_entry *e, void *userdata)
{
        struct cg_mount_ctx *c = userdata;

        if (strcmp(e->root, "/") != 0)
                return 0;
        if (c->cg->controllers[0] == 0 ? strcmp(e->fstype, "cgroup2") == 0
                                       : strcmp(e->fstype, "cgroup") == 0 &&
                                                 controllers_match(c->cg->controllers, e->super_opts)) {
                c->mount_point = e->mount_point;
                return 1;
        }
        return 0;
}

static int join_one_cgroup(const struct cgroup_entry *cg, void *userdata)
{
        struct cgroup_join_ctx *ctx = userdata;
        _cleanup_free_ char *mi = strdup(ctx->host_mountinfo);
        _cleanup_close_ int mfd = -EBADF, cfd = -EBADF;
        struct cg_mount_ctx m = { .cg = cg };
        const char *rel = cg->path + strspn(cg->path, "/");
        int r;

        if (!mi)
                return -ENOMEM;
        if (mountinfo_foreach(mi, find_cg_mount_cb, &m) <= 0)
                return 0; /* that hierarchy is not mounted on the host: nothing to join */
        mfd = open(m.mount_point, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (mfd < 0) {
                r = NEG_ERRNO();
                goto fail;
        }
        cfd = *rel ? openat(mfd, rel, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : dup(mfd);
        if (cfd < 0) {
                r = NEG_ERRNO();
                goto fail;
        }
        /* Moving a process through cgroup.procs takes the global threadgroup
         * rwsem for writing: a whole RCU grace period, milliseconds, the larger
         * part of a run's latency. Under cgroup v1 a single-threaded process moves
         * through "tasks" without it; under v2 the command is cloned straight into
         * the cgroup (CLONE_INTO_CGROUP), which needs it only for reading. */
        if (cg->controllers[0] == 0) {
                ctx->v2_fd = TAKE_FD(cfd);
                return 0;
        }
        r = write_fileat(cfd, "tasks", "0");
        if (r < 0)
                goto fail;
        return 0;
fail:
        if (!ctx->first_error)
                ctx->first_error = r;
        return 0;
}

/* Joins the target's cgroup v1 hierarchies; *ret_v2_fd is its cgroup2 directory
 * (or -EBADF), for the command to be cloned into. */
static int join_cgroups(const struct target *t, int *ret_v2_fd)
{
        _cleanup_free_ char *cg = NULL, *mi = NULL;
        struct cgroup_join_ctx ctx = { .v2_fd = -EBADF };
        int r;

        *ret_v2_fd = -EBADF;

        r = read_full_fileat(t->procfd, "cgroup", 1 << 16, &cg, NULL);
        if (r < 0)
                return r;
        r = read_full_fileat(AT_FDCWD, "/proc/self/mountinfo", 16 << 20, &mi, NULL);
        if (r < 0)
                return r;
        ctx.host_mountinfo = mi;
        r = cgroup_foreach(cg, join_one_cgroup, &ctx);
        *ret_v2_fd = ctx.v2_fd;
        if (r < 0)
                return r;
        return ctx.first_error;
}

/* fork(), but into the cgroup2 directory cgfd (Linux 5.7). -ENOSYS/-EINVAL from
 * older kernels: the caller forks and joins by writing cgroup.procs. The child
 * must not rely on glibc's fork bookkeeping (it uses no threads, no raise()). */
static pid_t fork_into_cgroup(int cgfd)
{
        struct {
                uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
                        set_tid_size, cgroup;
        } args = { .flags = 0x200000000ULL /* CLONE_INTO_CGROUP */, .exit_signal = SIGCHLD, .cgroup = (uint64_t)cgfd };
        long pid = syscall(__NR_clone3, &args, sizeof(args));

        return pid < 0 ? -errno : (pid_t)pid;
}

/* ---- namespaces ---- */

static const struct {
        const char *name;
        int flag;
} namespaces[] = {
        /* The user namespace first: it owns the others, and joining it gives the
         * capabilities the rest need. The mount namespace last: it changes root. */
        { "user", CLONE_NEWUSER }, { "cgroup", CLONE_NEWCGROUP }, { "ipc", CLONE_NEWIPC },
        { "uts", CLONE_NEWUTS },   { "net", CLONE_NEWNET },       { "pid", CLONE_NEWPID },
        { "time", CC_CLONE_NEWTIME }, { "mnt", CLONE_NEWNS },
};

static int join_namespaces(const struct target *t, bool *ret_joined_user)
{
        int fds[ELEMENTSOF(namespaces)];
        int flags = 0, r = 0;

        for (size_t i = 0; i < ELEMENTSOF(namespaces); i++) {
                fds[i] = -EBADF;
                r = target_ns_differs(t, namespaces[i].name);
                if (r == -ENOENT)
                        continue; /* the kernel has no such namespace (time before 5.6) */
                if (r < 0)
                        goto out;
                /* Joining one's own user namespace is EINVAL: join only what differs. */
                if (r > 0)
                        flags |= namespaces[i].flag;
        }
        *ret_joined_user = flags & CLONE_NEWUSER;

        /* All at once through the pidfd (5.8): atomic, and the pidfd proves the
         * process is the one resolved. */
        if (t->pidfd >= 0 && flags) {
                if (setns(t->pidfd, flags) == 0)
                        return 0;
                if (errno != EINVAL)
                        return NEG_ERRNO();
        }

        /* Before 5.8: one descriptor a namespace, all opened before the first join. */
        r = 0;
        for (size_t i = 0; i < ELEMENTSOF(namespaces); i++) {
                char path[32];

                if (!(flags & namespaces[i].flag))
                        continue;
                snprintf(path, sizeof(path), "ns/%s", namespaces[i].name);
                fds[i] = openat(t->procfd, path, O_RDONLY | O_CLOEXEC);
                if (fds[i] < 0) {
                        r = errno == ENOENT ? -ESRCH : NEG_ERRNO();
                        goto out;
                }
        }
        r = target_check_alive(t);
        if (r < 0)
                goto out;
        for (size_t i = 0; i < ELEMENTSOF(namespaces); i++)
                if (fds[i] >= 0 && setns(fds[i], namespaces[i].flag) < 0) {
                        r = NEG_ERRNO();
                        goto out;
                }
out:
        for (size_t i = 0; i < ELEMENTSOF(namespaces); i++)
                safe_close(fds[i]);
        return r;
}

/* ---- the command ---- */

/* The command's end of a close-on-exec pipe: the joiner waits for its EOF (the
 * command exec'd or died) before it exits, so that the command, which dies with
 * the joiner until exec (PR_SET_PDEATHSIG), dies with crashcart too. */
static int exec_sync_fd = -EBADF;
/* Whose death the joiner dies with. */
static pid_t crashcart_pid;

static void send_msg(int fd, int type, int error, enum exec_stage stage, pid_t pid)
{
        struct exec_msg m = { .type = type, .error = error, .stage = stage, .pid = pid };

        (void)write_full(fd, &m, sizeof(m));
}

/* No descriptor of crashcart's, or of whoever started it, may reach the container:
 * all past 2 close on exec (the error pipe included, which is how success shows). */
static int cloexec_all_fds(void)
{
        struct rlimit rl;

        if (sys_close_range(3, UINT_MAX, CC_CLOSE_RANGE_CLOEXEC) == 0)
                return 0;
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                return NEG_ERRNO();
        for (rlim_t fd = 3; fd < rl.rlim_cur && fd < (1 << 20); fd++)
                fcntl((int)fd, F_SETFD, FD_CLOEXEC);
        return 0;
}

static const char *env_get(char *const *envp, const char *key)
{
        size_t n = strlen(key);

        for (; envp && *envp; envp++)
                if (strncmp(*envp, key, n) == 0 && (*envp)[n] == '=')
                        return *envp + n + 1;
        return NULL;
}

/* execvp's search, but through the command's PATH, not crashcart's. */
/* Opens a path of the container's beneath its root, which is ours now: symlinks
 * are followed as the container means them, never out of it, and no magic link
 * (/proc/self/fd/N, /proc/self/cwd) is followed at all. Kernels before 5.6 have
 * no openat2: by then every host descriptor is closed (close_host_fds), so a
 * magic link can only reach the command's own standard streams and pipes. */
static int open_in_container(const char *path, int flags)
{
        struct cc_open_how how = { .flags = (uint64_t)flags | O_CLOEXEC, .resolve = CC_RESOLVE_NO_MAGICLINKS };
        _cleanup_close_ int rootfd = -EBADF;
        int dirfd = AT_FDCWD, fd;

        /* A relative path is the command's own, from its working directory; the
         * process root (the container's, chroot) bounds ".." either way. */
        if (path[0] == '/') {
                rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (rootfd < 0)
                        return NEG_ERRNO();
                dirfd = rootfd;
                how.resolve |= CC_RESOLVE_IN_ROOT;
        }
        fd = sys_openat2(dirfd, path, &how);
        if (fd < 0 && errno == ENOSYS)
                fd = openat(dirfd, path, flags | O_CLOEXEC);
        return fd < 0 ? NEG_ERRNO() : fd;
}

/* Executes the file that path names beneath the container's root. A file of
 * the container's runs from the descriptor that resolution gave: what was checked
 * is what runs, so no symlink swapped in meanwhile can make it /proc/self/exe (a
 * host binary run in the container, CVE-2019-5736's way in). A file of the
 * cart's own filesystem, read-only, which the container cannot change, runs by
 * its path, so that its name (comm: what ps, top and pkill see) is the one the
 * user typed, not that of a link's target (sh, not busybox). A script of the
 * container's cannot run from a close-on-exec descriptor (its interpreter is
 * handed /dev/fd/N): it runs by the path just checked. */
/* The command, resolved before anything of the container's confinement applies:
 * a seccomp filter copied with --confined could fake the calls that resolve it. */
struct command_file {
        int fd;                 /* the file, O_PATH, resolved beneath the root; -EBADF: by path */
        bool by_path;           /* run by its path: a file of the cart, which cannot change */
        char path[PATH_MAX];
};

static int command_open(const char *path, dev_t cart_dev, struct command_file *ret)
{
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        if (strlen(path) >= sizeof(ret->path))
                return -ENAMETOOLONG;
        strcpy(ret->path, path);
        if (fault_disabled("exec-in-root")) {
                /* The search as execvp does it, following any link. */
                if (access(path, X_OK) < 0)
                        return NEG_ERRNO();
                ret->fd = -EBADF;
                ret->by_path = true;
                return 0;
        }
        fd = open_in_container(path, O_PATH);
        if (fd < 0)
                return fd;
        if (fstat(fd, &st) < 0)
                return NEG_ERRNO();
        if (!S_ISREG(st.st_mode))
                return -EACCES;
        /* As execvp: a file that is not executable is passed over (as the user
         * the command runs as: the credentials are set by now). */
        if (faccessat(fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) < 0 && errno == EACCES)
                return -EACCES;
        ret->by_path = cart_dev != 0 && st.st_dev == cart_dev;
        ret->fd = TAKE_FD(fd);
        return 0;
}

/* Finds argv[0] as execvp would, in the PATH of the command's environment. */
static int command_resolve(char *const *argv, char *const *envp, dev_t cart_dev, struct command_file *ret)
{
        const char *path;
        int err = -ENOENT;

        if (strchr(argv[0], '/'))
                return command_open(argv[0], cart_dev, ret);
        path = env_get(envp, "PATH");
        if (!path)
                path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        for (const char *p = path;;) {
                const char *colon = strchr(p, ':');
                size_t dlen = colon ? (size_t)(colon - p) : strlen(p);
                char full[PATH_MAX];

                if (dlen + 1 + strlen(argv[0]) + 1 <= sizeof(full)) {
                        int r;

                        snprintf(full, sizeof(full), "%.*s/%s", (int)dlen, dlen ? p : ".", argv[0]);
                        r = command_open(full, cart_dev, ret);
                        if (r == 0)
                                return 0;
                        /* Not there: go on; not executable (or a link through
                         * /proc): remember it and go on. */
                        if (r == -EACCES || r == -ELOOP)
                                err = r;
                        else if (r != -ENOENT && r != -ENOTDIR)
                                return r;
                }
                if (!colon)
                        break;
                p = colon + 1;
        }
        return err;
}

/* Executes the command. A file of the container's runs from the descriptor that
 * resolution gave: what was checked is what runs, so no symlink swapped in
 * meanwhile can make it /proc/self/exe (a host binary run in the container,
 * CVE-2019-5736's way in). A file of the cart's own filesystem, read-only,
 * which the container cannot change, runs by its path, so that its name (comm:
 * what ps, top and pkill see) is the one the user typed, not that of a link's
 * target (sh, not busybox). A script of the container's cannot run from a
 * close-on-exec descriptor (its interpreter is handed /dev/fd/N): it runs by
 * the path just checked. */
static int command_exec(const struct command_file *c, char *const *argv, char *const *envp)
{
        if (!c->by_path && c->fd >= 0) {
                syscall(SYS_execveat, c->fd, "", argv, envp, AT_EMPTY_PATH);
                if (errno != ENOENT && errno != ENOSYS) /* ENOSYS: before 3.19, or under valgrind */
                        return NEG_ERRNO();
        }
        execve(c->path, argv, envp);
        return NEG_ERRNO();
}

/* Sends fd over a unix socket (SCM_RIGHTS); fd < 0 sends a byte alone, meaning
 * "no descriptor": the host's fallback pty is in use. */
static int send_fd(int sock, int fd)
{
        char byte = fd >= 0 ? 'm' : 'h';

        return send_with_fd(sock, &byte, 1, fd);
}

int recv_pty_master(int sock, int *ret_fd)
{
        char byte = 0;
        struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } u = {};
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
        struct cmsghdr *c;
        ssize_t n;

        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        if (n < 0)
                return NEG_ERRNO();
        if (n != 1)
                return -EPIPE;
        *ret_fd = -1;
        for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
                        memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
        return byte == 'm' && *ret_fd < 0 ? -EBADMSG : 0;
}

/* A pseudo-terminal from the container's own devpts: its /dev/ptmx belongs to the
 * devpts at its /dev/pts, so `tty` shows a path that exists in the container. The
 * slave is opened through the master (TIOCGPTPEER), never by a path that a
 * container process could swap. */
/* A file of the container's, read as data: a regular file only (a FIFO, a device
 * or /proc's endless files would block or never end), at most max bytes. */
static int read_container_file(const char *path, size_t max, char **ret)
{
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t len, n;
        int r;

        if (fault_disabled("container-files-in-root")) {
                fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
                if (fd < 0)
                        fd = NEG_ERRNO();
        } else
                fd = open_in_container(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
        if (fd < 0)
                return fd;
        if (fstat(fd, &st) < 0)
                return NEG_ERRNO();
        if (!S_ISREG(st.st_mode) && !fault_disabled("container-files-in-root"))
                return -EINVAL;
        /* Only the size the file says it has (not read_full_fd's until-EOF): a
         * link to a pseudo-file of /proc or /sys, which says 0, reads nothing,
         * and /proc/kmsg and the like are never consumed. */
        len = (size_t)st.st_size < max ? (size_t)st.st_size : max;
        buf = malloc(len + 1);
        if (!buf)
                return -ENOMEM;
        r = read_full(fd, buf, len, &n);
        if (r < 0)
                return r;
        buf[n] = 0;
        *ret = TAKE_PTR(buf);
        return 0;
}

static int open_container_pty(int *ret_master, int *ret_slave)
{
        _cleanup_close_ int master = -EBADF;
        int unlock = 0, slave;

        master = open_in_container("/dev/ptmx", O_RDWR | O_NOCTTY);
        if (master < 0)
                return master;
        if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
                return NEG_ERRNO();
        slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
                return NEG_ERRNO();
        *ret_master = TAKE_FD(master);
        *ret_slave = slave;
        return 0;
}

static int setup_terminal(const struct exec_request *req)
{
        int master = -1, slave = -1, r;

        /* A session of its own: the command never has crashcart's terminal as its
         * controlling terminal. */
        if (setsid() < 0)
                return NEG_ERRNO();
        if (!req->pty) {
                for (int i = 0; i < 3; i++)
                        if (req->stdio[i] != i && dup2(req->stdio[i], i) < 0)
                                return NEG_ERRNO();
                return 0;
        }
        if (open_container_pty(&master, &slave) < 0) {
                if (req->host_pty_slave < 0)
                        return -ENOTTY;
                slave = req->host_pty_slave;
        }
        r = send_fd(req->pty_sock, master);
        safe_close(master);
        if (r < 0)
                return r;
        if (ioctl(slave, TIOCSCTTY, 0) < 0)
                return NEG_ERRNO();
        for (int i = 0; i < 3; i++)
                if (dup2(slave, i) < 0)
                        return NEG_ERRNO();
        return 0;
}

/* The environment with HOME set to the user's home, when it was not given. */
/* The environment with HOME set to the user's home: envp's array, with its
 * HOME entry (cmdenv_build always puts one) replaced. In the forked child: the
 * allocation is its own, freed by exec. */
static char *const *env_with_home(char *const *envp, const char *home)
{
        char **env, *homevar;
        size_t n = 0;
        bool replaced = false;

        while (envp && envp[n])
                n++;
        env = calloc(n + 2, sizeof(char *));
        if (!env || asprintf(&homevar, "HOME=%s", home) < 0)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                bool is_home = strncmp(envp[i], "HOME=", 5) == 0;

                env[i] = is_home ? homevar : envp[i];
                replaced |= is_home;
        }
        if (!replaced)
                env[n] = homevar;
        return env;
}

static int resolve_user(const char *spec, struct user_spec *u)
{
        _cleanup_free_ char *passwd = NULL, *group = NULL;

        *u = (struct user_spec){ .home = "/root" };
        if (!spec)
                return 0;
        /* The container's files, read as files: never NSS, which would load the
         * container's libraries. A missing or unreadable file is none at all. */
        if (read_container_file("/etc/passwd", 4 << 20, &passwd) < 0)
                passwd = NULL;
        if (read_container_file("/etc/group", 4 << 20, &group) < 0)
                group = NULL;
        return userdb_resolve(spec, passwd, group, u);
}

/* The working directory, beneath the container's root: a symlink to
 * /proc/self/fd/N or /proc/self/cwd must not lead out of it. */
static int enter_workdir(const char *workdir)
{
        _cleanup_close_ int fd = -EBADF;

        fd = open_in_container(workdir, O_PATH | O_DIRECTORY);
        if (fd < 0)
                return fd;
        return fchdir(fd) < 0 ? NEG_ERRNO() : 0;
}

/* Closes every descriptor but keep[]: from here on the process resolves paths
 * that the container controls, and a host descriptor (crashcart's /proc/PID
 * directory, the runtime directory, cgroup directories) would be a way out of
 * its root through /proc/self/fd/N. */
static int close_host_fds(const int *keep, size_t n_keep)
{
        struct rlimit rl;
        unsigned from = 3;

        for (;;) {
                unsigned next = UINT_MAX;

                for (size_t i = 0; i < n_keep; i++)
                        if (keep[i] >= (int)from && (unsigned)keep[i] < next)
                                next = (unsigned)keep[i];
                if (next > from && sys_close_range(from, next - 1, 0) < 0) {
                        if (errno != ENOSYS && errno != EINVAL)
                                return NEG_ERRNO();
                        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                                return NEG_ERRNO();
                        for (rlim_t fd = from; fd < next && fd < rl.rlim_cur && fd < (1 << 20); fd++)
                                close((int)fd);
                }
                if (next == UINT_MAX)
                        return 0;
                from = next + 1;
        }
}

static int set_credentials(const struct exec_request *req, const struct user_spec *u, bool joined_user)
{
        const struct confinement *c = req->confine;
        int r;

        if (c) {
                r = confinement_apply_bounding(c);
                if (r < 0)
                        return r;
        }
        if (setgroups(u->n_groups, u->groups) < 0 && !(joined_user && errno == EPERM))
                return NEG_ERRNO();
        if (setresgid(u->gid, u->gid, u->gid) < 0 || setresuid(u->uid, u->uid, u->uid) < 0)
                return NEG_ERRNO();
        if (c) {
                /* Root keeps the container's sets; another user has none left. */
                if (u->uid == 0) {
                        r = confinement_apply_caps(c);
                        if (r < 0)
                                return r;
                } else if (c->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        return NEG_ERRNO();
        }
        return 0;
}

/* The credentials are what was asked, checked before anything is run: a call
 * that failed without saying so (a hostile seccomp filter, inherited through
 * --confined, may fake success) must not leave the command root. */
static int verify_credentials(const struct exec_request *req, const struct user_spec *u)
{
        uid_t ruid, euid, suid;
        gid_t rgid, egid, sgid;
        uint64_t eff = ~0ULL, prm = ~0ULL, forbidden = 0;
        int r;

        if (getresuid(&ruid, &euid, &suid) < 0 || getresgid(&rgid, &egid, &sgid) < 0)
                return NEG_ERRNO();
        if (ruid != u->uid || euid != u->uid || suid != u->uid || rgid != u->gid || egid != u->gid ||
            sgid != u->gid)
                return -EPERM;
        r = confinement_current_caps(&eff, &prm);
        if (r < 0)
                return r;
        if (u->uid != 0)
                forbidden = ~0ULL; /* a user other than root has none */
        else if (req->confine)
                forbidden = ~req->confine->cap_prm;
        else if (!req->privileged)
                forbidden = confinement_default_dropped();
        if ((eff | prm) & forbidden)
                return -EPERM;
        if (req->confine && req->confine->no_new_privs && prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
                return -EPERM;
        return 0;
}

/* The last steps, with the credentials set: the command resolved, the signals as
 * the command gets them, the container's seccomp filters, exec. */
_noreturn_ static void exec_command(const struct exec_request *req, char *const *envp, int msgfd, int lsm_fd)
{
        struct command_file cmd = { .fd = -EBADF };
        int r;

        r = command_resolve(req->argv, envp, req->cart_dev, &cmd);
        if (r < 0) {
                send_msg(msgfd, MSG_ERROR, r, EXEC_STAGE_EXEC, 0);
                _exit(r == -ENOENT || r == -ENOTDIR ? 127 : 126);
        }
        /* Inside the container, everything joined, not yet exec'd: the moment a
         * hostile container process would try to ptrace or inspect it. */
        fault_point("joined");
        for (int sig = 1; sig < NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        signal(sig, SIG_DFL);
        sigprocmask(SIG_SETMASK, req->sigmask, NULL);

        /* What runs from here on is the command, which outlives crashcart as
         * docker exec's does; until now it died with it. */
        if (prctl(PR_SET_PDEATHSIG, 0) < 0) {
                send_msg(msgfd, MSG_ERROR, NEG_ERRNO(), EXEC_STAGE_FORK, 0);
                _exit(125);
        }

        /* The target's LSM label for what is exec'd, before the seccomp filters
         * (which could fake the write). */
        if (req->confine) {
                r = confinement_apply_lsm(req->confine, lsm_fd);
                if (r < 0) {
                        send_msg(msgfd, MSG_ERROR, r, EXEC_STAGE_LSM, 0);
                        _exit(125);
                }
                safe_close(lsm_fd);
        }
        /* The container's seccomp filters come last, right before exec: nothing
         * that crashcart does can be faked by them. Without CAP_SYS_ADMIN left,
         * a filter needs no_new_privs, which the command then has too. */
        if (req->confine && req->confine->n_filters > 0 && !fault_disabled("seccomp-last")) {
                r = confinement_apply_seccomp(req->confine);
                if (r == -EACCES && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0)
                        r = confinement_apply_seccomp(req->confine);
                if (r < 0) {
                        send_msg(msgfd, MSG_ERROR, r, EXEC_STAGE_CONFINE, 0);
                        _exit(125);
                }
        }
        r = command_exec(&cmd, req->argv, envp);
        send_msg(msgfd, MSG_ERROR, r, EXEC_STAGE_EXEC, 0);
        _exit(r == -ENOENT || r == -ENOTDIR ? 127 : 126);
}

_noreturn_ static void command_child(const struct exec_request *req, int rootfd, int msgfd, bool joined_user)
{
        struct user_spec u;
        char *const *envp = req->envp;
        _cleanup_close_ int lsm_fd = -EBADF;
        int r;

        /* The file to set the command's LSM label through, opened from the host's
         * /proc while it is still ours: the container's /proc may be a fake one,
         * which would take the label and set nothing. */
        if (req->confine) {
                lsm_fd = confinement_open_lsm_exec(req->confine);
                if (lsm_fd < 0 && lsm_fd != -EBADF) {
                        send_msg(msgfd, MSG_ERROR, lsm_fd, EXEC_STAGE_LSM, 0);
                        _exit(125);
                }
        }
        /* The container's root as / and as the working directory: nothing of the
         * host's tree stays reachable through cwd or root. */
        if (fchdir(rootfd) < 0 || chroot(".") < 0 || chdir("/") < 0) {
                send_msg(msgfd, MSG_ERROR, NEG_ERRNO(), EXEC_STAGE_ROOT, 0);
                _exit(125);
        }
        {
                /* keep_fd (the reaper's socket) until exec: until then this process
                 * may hold the cart busy (the command resolved on it). */
                const int keep[] = { msgfd, req->stdio[0], req->stdio[1], req->stdio[2], req->host_pty_slave,
                                     req->pty_sock, lsm_fd, exec_sync_fd, req->keep_fd };

                r = fault_disabled("close-host-fds") ? 0 : close_host_fds(keep, ELEMENTSOF(keep));
                if (r < 0) {
                        send_msg(msgfd, MSG_ERROR, r, EXEC_STAGE_FDS, 0);
                        _exit(125);
                }
        }
        r = resolve_user(req->user, &u);
        if (r < 0) {
                send_msg(msgfd, MSG_ERROR, r, EXEC_STAGE_USER, 0);
                _exit(125);
        }
        if (req->workdir) {
                r = fault_disabled("workdir-in-root") ? (chdir(req->workdir) < 0 ? NEG_ERRNO() : 0)
                                                      : enter_workdir(req->workdir);
                if (r < 0 && !req->workdir_or_root) {
                        send_msg(msgfd, MSG_ERROR, r, EXEC_STAGE_WORKDIR, 0);
                        _exit(125);
                }
        }
        r = setup_terminal(req);
        if (r < 0) {
                send_msg(msgfd, MSG_ERROR, r, EXEC_STAGE_TTY, 0);
                _exit(125);
        }
        if (!req->confine && !req->privileged) {
                r = confinement_drop_caps(confinement_default_dropped());
                if (r < 0) {
                        send_msg(msgfd, MSG_ERROR, r, EXEC_STAGE_CREDENTIALS, 0);
                        _exit(125);
                }
        }
        if (req->confine && fault_disabled("seccomp-last")) {
                /* For the tests' positive control only: the filters first, as a
                 * careless order would have them. */
                r = confinement_apply_seccomp(req->confine);
                if (r == -EACCES && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0)
                        r = confinement_apply_seccomp(req->confine);
        }
        r = set_credentials(req, &u, joined_user);
        /* A user of the container's (--user): its processes share the command's
         * uid, so they may ptrace it once it runs without capabilities, and have
         * it exec a setuid program of theirs, which would run with crashcart's
         * bounding set and no seccomp filter. no_new_privs: no exec gains
         * anything. */
        if (r == 0 && u.uid != 0 && !req->confine && !req->privileged && !fault_disabled("user-no-new-privs") &&
            prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                r = NEG_ERRNO();
        if (r == 0 && !fault_disabled("verify-credentials"))
                r = verify_credentials(req, &u);
        if (r < 0) {
                send_msg(msgfd, MSG_ERROR, r, req->confine ? EXEC_STAGE_CONFINE : EXEC_STAGE_CREDENTIALS, 0);
                _exit(125);
        }
        if (req->home_from_user) {
                envp = env_with_home(envp, u.home);
                if (!envp) {
                        send_msg(msgfd, MSG_ERROR, -ENOMEM, EXEC_STAGE_USER, 0);
                        _exit(125);
                }
        }
        r = cloexec_all_fds();
        if (r < 0) {
                send_msg(msgfd, MSG_ERROR, r, EXEC_STAGE_FDS, 0);
                _exit(125);
        }
        exec_command(req, envp, msgfd, TAKE_FD(lsm_fd));
}

_noreturn_ static void joiner_child(const struct target *t, const struct exec_request *req, int rootfd, int msgfd)
{
        _cleanup_close_ int cgv2 = -EBADF;
        bool joined_user = false;
        pid_t pid = -ENOSYS;
        int sync[2], joiner_pidfd, r;

        /* Nothing of ours stays in the container when crashcart is killed; it
         * may have been before this was set. */
        if (!fault_disabled("pdeathsig") && (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != crashcart_pid))
                _exit(125);
        if (pipe2(sync, O_CLOEXEC) < 0) {
                send_msg(msgfd, MSG_ERROR, NEG_ERRNO(), EXEC_STAGE_FORK, 0);
                _exit(125);
        }
        joiner_pidfd = sys_pidfd_open(getpid(), 0); /* -1 before Linux 5.3: no check */

        /* Joined first, from the host, where the cgroup hierarchies are mounted. A
         * command outside the container's cgroups would escape its limits and its
         * accounting, and be frozen or killed with the host's: an error, never a
         * fallback. */
        r = join_cgroups(t, &cgv2);
        if (r < 0) {
                send_msg(msgfd, MSG_ERROR, r, EXEC_STAGE_CGROUP, 0);
                _exit(125);
        }
        r = join_namespaces(t, &joined_user);
        if (r < 0) {
                send_msg(msgfd, MSG_ERROR, r, EXEC_STAGE_NAMESPACES, 0);
                _exit(125);
        }

        /* The command appears in the container's PID namespace at fork: a process
         * there that may ptrace it (CAP_SYS_PTRACE; in a user namespace, the
         * container's root) can use its descriptors from that moment on. So it
         * starts with none of the host's but these: the container's root, the
         * pipes to crashcart and the joiner, its stdio and pty, and the cgroup
         * directory it is forked into, which it closes first. */
        if (!fault_disabled("close-host-fds")) {
                const int keep[] = { rootfd, msgfd, req->stdio[0], req->stdio[1], req->stdio[2], req->host_pty_slave,
                                     req->pty_sock, sync[0], sync[1], cgv2, joiner_pidfd, req->keep_fd };

                r = close_host_fds(keep, ELEMENTSOF(keep));
                if (r < 0) {
                        send_msg(msgfd, MSG_ERROR, r, EXEC_STAGE_FDS, 0);
                        _exit(125);
                }
        }

        /* A PID namespace applies to children only: the command is a new process.
         * This one exits at once; the command is re-parented to crashcart, a child
         * subreaper, which waits for it and forwards signals to it. */
        if (cgv2 >= 0)
                pid = fork_into_cgroup(cgv2);
        if (pid == -ENOSYS || pid == -EINVAL || pid == -E2BIG) {
                pid = fork();
                if (pid < 0)
                        pid = NEG_ERRNO();
                else if (pid == 0 && cgv2 >= 0) {
                        /* The slow way, for kernels before 5.7. */
                        r = write_fileat(cgv2, "cgroup.procs", "0");
                        if (r < 0) {
                                send_msg(msgfd, MSG_ERROR, r, EXEC_STAGE_CGROUP, 0);
                                _exit(125);
                        }
                }
        } else if (pid < 0 && cgv2 >= 0 && pid != -ENOMEM && pid != -EAGAIN) {
                /* The cgroup refused the command (EBUSY: not a leaf, ...). */
                send_msg(msgfd, MSG_ERROR, pid, EXEC_STAGE_CGROUP, 0);
                _exit(125);
        }
        if (pid < 0) {
                send_msg(msgfd, MSG_ERROR, pid, EXEC_STAGE_FORK, 0);
                _exit(125);
        }
        if (pid == 0) {
                /* The host's cgroup directory: nothing the command needs. */
                if (cgv2 >= 0 && !fault_disabled("close-host-fds"))
                        cgv2 = safe_close(cgv2);
                safe_close(sync[0]);
                exec_sync_fd = sync[1];
                /* The joiner may have died before this was set: its pidfd says
                 * (in the container's PID namespace getppid() says 0 either way). */
                if (!fault_disabled("pdeathsig") && prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
                        _exit(125);
                if (joiner_pidfd >= 0) {
                        struct pollfd p = { .fd = joiner_pidfd, .events = POLLIN };

                        if (poll(&p, 1, 0) != 0)
                                _exit(125);
                        joiner_pidfd = safe_close(joiner_pidfd);
                }
                command_child(req, rootfd, msgfd, joined_user);
        }
        safe_close(sync[1]);
        send_msg(msgfd, MSG_PID, 0, 0, pid);
        /* Until the command exec'd or died (EOF): it dies with this process. */
        while (read(sync[0], &(char){ 0 }, 1) < 0 && errno == EINTR)
                ;
        _exit(0);
}

int ns_spawn(const struct target *t, const struct exec_request *req, pid_t *ret_pid, struct exec_error *ret_err)
{
        _cleanup_close_ int rootfd = -EBADF;
        int pipefd[2], status, r = 0;
        pid_t joiner, cmd = 0;
        struct exec_msg m;
        size_t n;

        *ret_err = (struct exec_error){};
        rootfd = openat(t->procfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0) {
                ret_err->stage = EXEC_STAGE_ROOT;
                return ret_err->error = errno == ENOENT ? -ESRCH : NEG_ERRNO();
        }
        if (pipe2(pipefd, O_CLOEXEC) < 0) {
                ret_err->stage = EXEC_STAGE_FORK;
                return ret_err->error = NEG_ERRNO();
        }
        crashcart_pid = getpid();
        joiner = fork();
        if (joiner < 0) {
                r = NEG_ERRNO();
                safe_close(pipefd[0]);
                safe_close(pipefd[1]);
                ret_err->stage = EXEC_STAGE_FORK;
                return ret_err->error = r;
        }
        if (joiner == 0) {
                safe_close(pipefd[0]);
                joiner_child(t, req, rootfd, pipefd[1]);
        }
        safe_close(pipefd[1]);

        /* Messages until EOF, which comes when the joiner has exited and the command
         * has exec'd (the pipe is close-on-exec) or died. */
        for (;;) {
                r = interrupt_read_full(pipefd[0], &m, sizeof(m), &n);
                if (r == -EINTR) {
                        /* The command, if forked, dies with the joiner. */
                        safe_close(pipefd[0]);
                        interrupt_kill_helper(joiner);
                        if (cmd > 0)
                                interrupt_kill_helper(cmd);
                        ret_err->stage = EXEC_STAGE_FORK;
                        return ret_err->error = -EINTR;
                }
                if (r < 0 || n != sizeof(m))
                        break;
                if (m.type == MSG_PID)
                        cmd = m.pid;
                else if (m.type == MSG_ERROR && !ret_err->error) {
                        ret_err->error = m.error < 0 ? m.error : -EIO;
                        ret_err->stage = m.stage;
                }
        }
        safe_close(pipefd[0]);
        while (waitpid(joiner, &status, 0) < 0 && errno == EINTR)
                ;

        if (ret_err->error) {
                if (cmd > 0)
                        while (waitpid(cmd, &status, 0) < 0 && errno == EINTR)
                                ;
                return ret_err->error;
        }
        if (cmd <= 0) {
                ret_err->stage = EXEC_STAGE_FORK;
                return ret_err->error = -ECHILD;
        }
        *ret_pid = cmd;
        return 0;
}

int wait_forwarding(pid_t pid, const sigset_t *fwd, int *ret_status)
{
        sigset_t set = *fwd;

        sigaddset(&set, SIGCHLD);
        for (;;) {
                siginfo_t si;
                int status, sig;
                pid_t w;

                w = waitpid(pid, &status, WNOHANG);
                if (w == pid) {
                        *ret_status = status;
                        return 0;
                }
                if (w < 0 && errno != EINTR)
                        return NEG_ERRNO();

                sig = sigwaitinfo(&set, &si);
                if (sig < 0) {
                        if (errno == EINTR)
                                continue;
                        return NEG_ERRNO();
                }
                if (sig != SIGCHLD)
                        kill(pid, sig);
        }
}

const char *exec_stage_to_string(enum exec_stage stage)
{
        switch (stage) {
        case EXEC_STAGE_NONE:
        case EXEC_STAGE_FORK:
        case EXEC_STAGE_FDS:
                return "cannot start the command";
        case EXEC_STAGE_CGROUP:
                return "cannot join the container's cgroups";
        case EXEC_STAGE_NAMESPACES:
                return "cannot enter the container's namespaces";
        case EXEC_STAGE_ROOT:
                return "cannot enter the container's root";
        case EXEC_STAGE_USER:
                return "cannot find the user in the container";
        case EXEC_STAGE_WORKDIR:
                return "cannot change to the working directory in the container";
        case EXEC_STAGE_TTY:
                return "cannot set up the command's terminal";
        case EXEC_STAGE_CREDENTIALS:
                return "cannot become root in the container";
        case EXEC_STAGE_CONFINE:
                return "cannot confine the command as the container is";
        case EXEC_STAGE_LSM:
                return "cannot give the command the container's LSM label (AppArmor profile, SELinux context)";
        case EXEC_STAGE_EXEC:
                return "cannot execute the command in the container";
        }
        return "cannot start the command";
}
