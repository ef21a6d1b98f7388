/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/fileio.h"
#include "basic/macro.h"
#include "exec/hostns.h"

/* The parent's PID from /proc/PID/stat, after the command name (which may hold
 * spaces and parentheses). */
static int stat_ppid(int pidfd_dir, pid_t *ret)
{
        _cleanup_free_ char *stat = NULL;
        const char *close;
        char state;
        int ppid, r;

        r = read_full_fileat(pidfd_dir, "stat", 4096, &stat, NULL);
        if (r < 0)
                return r;
        close = strrchr(stat, ')');
        if (!close || sscanf(close + 1, " %c %d", &state, &ppid) != 2 || ppid < 0)
                return -EBADMSG;
        *ret = ppid;
        return 0;
}

int hostns_find(int procfd, int *ret_mntns_fd, pid_t *ret_pid)
{
        struct stat ours;
        pid_t pid = getppid();

        *ret_mntns_fd = -EBADF;
        *ret_pid = 0;
        if (fstatat(procfd, "self/root/", &ours, 0) < 0)
                return NEG_ERRNO();
        /* Up the ancestors to PID 1. Each one is read through its own /proc
         * directory, so that its root, namespace and parent are one process's. */
        for (unsigned depth = 0; pid > 0 && depth < 4096; depth++) {
                _cleanup_close_ int dir = -EBADF;
                char name[16];
                struct stat st;
                pid_t ppid;

                snprintf(name, sizeof(name), "%d", (int)pid);
                dir = openat(procfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (dir < 0 || stat_ppid(dir, &ppid) < 0)
                        return 0; /* exited meanwhile: nothing to say */
                /* An ancestor crashcart may not look into (one with capabilities
                 * crashcart lacks) tells nothing: go on above it. */
                if (fstatat(dir, "root/", &st, 0) == 0 && (st.st_dev != ours.st_dev || st.st_ino != ours.st_ino)) {
                        int fd = openat(dir, "ns/mnt", O_RDONLY | O_CLOEXEC);

                        if (fd < 0)
                                return NEG_ERRNO();
                        *ret_mntns_fd = fd;
                        *ret_pid = pid;
                        return 0;
                }
                pid = ppid;
        }
        return 0;
}

int hostns_join(int mntns_fd)
{
        /* setns sets root and working directory to the namespace's root. */
        if (setns(mntns_fd, CLONE_NEWNS) < 0)
                return NEG_ERRNO();
        if (chdir("/") < 0)
                return NEG_ERRNO();
        return 0;
}
