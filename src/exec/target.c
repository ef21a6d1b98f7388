/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "basic/fileio.h"
#include "basic/macro.h"
#include "basic/procfs.h"
#include "basic/syscalls.h"
#include "exec/target.h"
#include "resolve/resolve.h"

static int read_starttime(int procfd, uint64_t *ret)
{
        _cleanup_free_ char *stat = NULL;
        int r;

        r = read_full_fileat(procfd, "stat", 4096, &stat, NULL);
        if (r < 0)
                return r == -ENOENT ? -ESRCH : r;
        return proc_stat_starttime(stat, ret);
}

int target_open(pid_t pid, struct target *t)
{
        _cleanup_close_ int pidfd = -EBADF, procfd = -EBADF;
        char path[64];
        uint64_t st;
        int r;

        if (pid <= 0)
                return -ESRCH;

        /* The pidfd first: as long as it is open and the process lives, the PID
         * cannot be reused, so /proc/PID opened after it is the same process. */
        pidfd = sys_pidfd_open(pid, 0);
        if (pidfd < 0) {
                if (errno == ESRCH || errno == EINVAL)
                        return -ESRCH;
                if (errno != ENOSYS)
                        return NEG_ERRNO();
        }

        snprintf(path, sizeof(path), "/proc/%d", (int)pid);
        procfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (procfd < 0)
                return errno == ENOENT ? -ESRCH : NEG_ERRNO();

        r = read_starttime(procfd, &st);
        if (r < 0)
                return r;

        t->pid = pid;
        t->pidfd = TAKE_FD(pidfd);
        t->procfd = TAKE_FD(procfd);
        t->starttime = st;
        r = target_check_alive(t);
        if (r < 0) {
                t->pidfd = safe_close(t->pidfd);
                t->procfd = safe_close(t->procfd);
                return r;
        }
        return 0;
}

int target_check_alive(const struct target *t)
{
        uint64_t st;
        int r;

        if (t->pidfd >= 0) {
                if (sys_pidfd_send_signal(t->pidfd, 0, NULL, 0) < 0)
                        return errno == EPERM ? 0 : -ESRCH;
                return 0;
        }
        /* No pidfd: the start time tells a recycled PID apart. */
        r = read_starttime(t->procfd, &st);
        if (r < 0)
                return -ESRCH;
        return st == t->starttime ? 0 : -ESRCH;
}

void target_done(struct target *t)
{
        t->pidfd = safe_close(t->pidfd);
        t->procfd = safe_close(t->procfd);
        free(t->runtime);
        free(t->id);
        free(t->name);
        free(t->ns);
        free(t->address);
        free(t->workdir);
        t->runtime = t->id = t->name = t->ns = t->address = t->workdir = NULL;
}

int target_ns_id(const struct target *t, const char *ns, uint64_t *ret_dev, uint64_t *ret_ino)
{
        char path[64];
        struct stat st;

        snprintf(path, sizeof(path), "ns/%s", ns);
        if (fstatat(t->procfd, path, &st, 0) < 0)
                return NEG_ERRNO();
        *ret_dev = st.st_dev;
        *ret_ino = st.st_ino;
        return 0;
}

int target_ns_differs(const struct target *t, const char *ns)
{
        char path[64];
        struct stat a, b;

        snprintf(path, sizeof(path), "ns/%s", ns);
        if (fstatat(t->procfd, path, &a, 0) < 0)
                return errno == ENOENT ? (target_check_alive(t) < 0 ? -ESRCH : -ENOENT) : NEG_ERRNO();
        snprintf(path, sizeof(path), "/proc/self/ns/%s", ns);
        if (stat(path, &b) < 0)
                return NEG_ERRNO();
        return a.st_dev != b.st_dev || a.st_ino != b.st_ino;
}

int target_root_ids(const struct target *t, uint32_t *ret_uid, uint32_t *ret_gid)
{
        _cleanup_free_ char *umap = NULL, *gmap = NULL;
        int r;

        r = read_full_fileat(t->procfd, "uid_map", 1 << 16, &umap, NULL);
        if (r < 0)
                return r;
        r = read_full_fileat(t->procfd, "gid_map", 1 << 16, &gmap, NULL);
        if (r < 0)
                return r;
        r = idmap_to_outside(umap, 0, ret_uid);
        if (r < 0)
                return r;
        return idmap_to_outside(gmap, 0, ret_gid);
}

const char *target_label(const struct target *t)
{
        static char buf[64];

        if (t->name)
                return t->name;
        if (t->id && runtime_has_ids(t->runtime))
                return t->id;
        snprintf(buf, sizeof(buf), "PID %d", (int)t->pid);
        return buf;
}
