/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "basic/fileio.h"
#include "basic/macro.h"
#include "basic/procfs.h"
#include "cart/session.h"

int rundir_open(int *ret_fd)
{
        struct stat st;
        int fd;

        if (mkdir(RUNDIR, 0700) < 0 && errno != EEXIST)
                return NEG_ERRNO();
        fd = open(RUNDIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return NEG_ERRNO();
        /* Locks and state are trusted only in a directory no one else can write. */
        if (fstat(fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 0022)) {
                safe_close(fd);
                return -EPERM;
        }
        *ret_fd = fd;
        return 0;
}

/* A zombie is a run that has ended: its reaper (or its parent) sees the user
 * before the parent has collected it. */
static bool user_alive(const struct session_user *u)
{
        _cleanup_free_ char *stat = NULL;
        char path[64];
        uint64_t st;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int)u->pid);
        if (read_full_fileat(AT_FDCWD, path, 4096, &stat, NULL) < 0)
                return false;
        if (proc_stat_state(stat) == 'Z' || proc_stat_state(stat) == 'X')
                return false;
        return proc_stat_starttime(stat, &st) == 0 && st == u->starttime;
}

int session_parse(const char *text, struct session *s)
{
        const char *line = text;

        s->transient = false;
        s->mnt_id = 0;
        s->n_users = 0;
        while (line && *line) {
                const char *nl = strchr(line, '\n');
                char buf[128];
                size_t len = nl ? (size_t)(nl - line) : strlen(line);
                unsigned long long a, b;
                int pid;

                if (len < sizeof(buf)) {
                        memcpy(buf, line, len);
                        buf[len] = 0;
                        if (sscanf(buf, "transient %llu", &a) == 1) {
                                s->transient = true;
                                s->mnt_id = a;
                        } else if (sscanf(buf, "user %d %llu", &pid, &b) == 2 && pid > 0 &&
                                   s->n_users < SESSION_USERS_MAX) {
                                s->users[s->n_users].pid = pid;
                                s->users[s->n_users].starttime = b;
                                s->n_users++;
                        }
                }
                line = nl ? nl + 1 : NULL;
        }
        return 0;
}

int session_name_of(const struct target *t, char *buf, size_t size)
{
        uint64_t dev, ino;
        int r;

        r = target_ns_id(t, "mnt", &dev, &ino);
        if (r < 0)
                return r;
        snprintf(buf, size, "mnt-%" PRIu64 "-%" PRIu64, dev, ino);
        return 0;
}

int session_open(int rundir_fd, const char *name, struct session *s)
{
        int r;

        memset(s, 0, offsetof(struct session, users));
        s->fd = -EBADF;
        snprintf(s->name, sizeof(s->name), "%s", name);

        for (int attempt = 0; attempt < 100; attempt++) {
                _cleanup_free_ char *text = NULL;
                _cleanup_close_ int fd = -EBADF;
                struct stat st;
                size_t kept = 0;

                fd = openat(rundir_fd, s->name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
                if (fd < 0)
                        return NEG_ERRNO();
                if (flock(fd, LOCK_EX) < 0)
                        return NEG_ERRNO();
                /* Removed by the previous holder while this one waited: start over. */
                if (fstat(fd, &st) < 0)
                        return NEG_ERRNO();
                if (st.st_nlink == 0)
                        continue;

                text = calloc(1, 1 << 16);
                if (!text)
                        return -ENOMEM;
                r = pread_full(fd, text, (size_t)st.st_size < (1 << 16) - 1 ? (size_t)st.st_size : (1 << 16) - 1, 0);
                if (r < 0)
                        return r;
                session_parse(text, s);
                for (size_t i = 0; i < s->n_users; i++)
                        if (user_alive(&s->users[i]))
                                s->users[kept++] = s->users[i];
                s->n_users = kept;
                s->fd = TAKE_FD(fd);
                return 0;
        }
        return -EBUSY;
}

int session_add_self(struct session *s)
{
        _cleanup_free_ char *stat = NULL;
        uint64_t st;
        int r;

        if (s->n_users >= SESSION_USERS_MAX)
                return -EUSERS;
        r = read_full_fileat(AT_FDCWD, "/proc/self/stat", 4096, &stat, NULL);
        if (r < 0)
                return r;
        r = proc_stat_starttime(stat, &st);
        if (r < 0)
                return r;
        s->users[s->n_users].pid = getpid();
        s->users[s->n_users].starttime = st;
        s->n_users++;
        return 0;
}

void session_remove_user(struct session *s, pid_t pid)
{
        size_t kept = 0;

        for (size_t i = 0; i < s->n_users; i++)
                if (s->users[i].pid != pid)
                        s->users[kept++] = s->users[i];
        s->n_users = kept;
}

void session_remove_self(struct session *s)
{
        session_remove_user(s, getpid());
}

int session_close(int rundir_fd, struct session *s)
{
        int r = 0;

        if (s->fd < 0)
                return 0;
        if (!s->transient && s->n_users == 0) {
                /* Unlinked while locked: waiters see nlink 0 and retry. */
                if (unlinkat(rundir_fd, s->name, 0) < 0 && errno != ENOENT)
                        r = NEG_ERRNO();
        } else {
                char buf[64 + SESSION_USERS_MAX * 48];
                size_t len = 0;

                if (s->transient)
                        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "transient %" PRIu64 "\n", s->mnt_id);
                for (size_t i = 0; i < s->n_users; i++)
                        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "user %d %" PRIu64 "\n",
                                                (int)s->users[i].pid, s->users[i].starttime);
                if (ftruncate(s->fd, 0) < 0 || pwrite(s->fd, buf, len, 0) != (ssize_t)len)
                        r = NEG_ERRNO();
        }
        s->fd = safe_close(s->fd);
        return r;
}

void session_abandon(struct session *s)
{
        s->fd = safe_close(s->fd);
}
