/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "basic/fileio.h"
#include "basic/macro.h"
#include "basic/procfs.h"
#include "basic/syscalls.h"
#include "cart/freeze.h"

#define CC_RESOLVE_BENEATH 0x08ULL

static bool controllers_have(const char *controllers, const char *name)
{
        return opts_has(controllers, name);
}

struct pick_ctx {
        bool prefer_v2;
        char *v1_path, *v2_path;
        unsigned v1_hierarchy;
};

static int pick_cb(const struct cgroup_entry *e, void *userdata)
{
        struct pick_ctx *c = userdata;

        if (e->hierarchy == 0 && e->controllers[0] == 0)
                c->v2_path = e->path;
        else if (controllers_have(e->controllers, "freezer")) {
                c->v1_path = e->path;
                c->v1_hierarchy = e->hierarchy;
        }
        return 0;
}

int cgroup_freezer_pick(char *buf, bool prefer_v2, enum freezer_kind *ret_kind, unsigned *ret_hierarchy,
                        char **ret_path)
{
        struct pick_ctx c = { .prefer_v2 = prefer_v2 };
        int r;

        r = cgroup_foreach(buf, pick_cb, &c);
        if (r < 0)
                return r;
        /* The root cgroup cannot be frozen, and would be the whole host. */
        if (c.v1_path && strcmp(c.v1_path, "/") == 0)
                c.v1_path = NULL;
        if (c.v2_path && strcmp(c.v2_path, "/") == 0)
                c.v2_path = NULL;
        if (c.v1_path && !(prefer_v2 && c.v2_path)) {
                *ret_kind = FREEZER_V1;
                *ret_hierarchy = c.v1_hierarchy;
                *ret_path = c.v1_path;
                return 0;
        }
        if (c.v2_path) {
                *ret_kind = FREEZER_V2;
                *ret_hierarchy = 0;
                *ret_path = c.v2_path;
                return 0;
        }
        return -ENOENT;
}

struct path_in_ctx {
        enum freezer_kind kind;
        unsigned hierarchy;
        char *path;
};

static int path_in_cb(const struct cgroup_entry *e, void *userdata)
{
        struct path_in_ctx *c = userdata;

        if (c->kind == FREEZER_V2 ? e->hierarchy == 0 && e->controllers[0] == 0 : e->hierarchy == c->hierarchy) {
                c->path = e->path;
                return 1;
        }
        return 0;
}

int cgroup_path_in(char *buf, enum freezer_kind kind, unsigned hierarchy, char **ret_path)
{
        struct path_in_ctx c = { .kind = kind, .hierarchy = hierarchy };
        int r;

        r = cgroup_foreach(buf, path_in_cb, &c);
        if (r < 0)
                return r;
        if (!c.path)
                return -ENOENT;
        *ret_path = c.path;
        return 0;
}

bool cgroup_path_is_beneath(const char *path, const char *base)
{
        size_t n = strlen(base);

        while (n > 1 && base[n - 1] == '/')
                n--;
        if (n == 1 && base[0] == '/')
                return path[0] == '/';
        return strncmp(path, base, n) == 0 && (path[n] == 0 || path[n] == '/');
}

int freezer_state_parse(enum freezer_kind kind, const char *text)
{
        if (kind == FREEZER_V1) {
                size_t n = strcspn(text, "\n");

                if (n == 6 && strncmp(text, "FROZEN", 6) == 0)
                        return 1;
                if ((n == 8 && strncmp(text, "FREEZING", 8) == 0) || (n == 6 && strncmp(text, "THAWED", 6) == 0))
                        return 0;
                return -EINVAL;
        }
        /* cgroup.events: "populated 1\nfrozen 0\n" */
        for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
                if (strncmp(line, "frozen ", 7) != 0)
                        continue;
                if (line[7] == '1' && (line[8] == '\n' || line[8] == 0))
                        return 1;
                if (line[7] == '0' && (line[8] == '\n' || line[8] == 0))
                        return 0;
                return -EINVAL;
        }
        return -EINVAL;
}

struct mount_ctx {
        enum freezer_kind kind;
        char *mount_point;
};

static int find_mount_cb(const struct mountinfo_entry *e, void *userdata)
{
        struct mount_ctx *c = userdata;

        if (strcmp(e->root, "/") != 0)
                return 0;
        if (c->kind == FREEZER_V2 ? strcmp(e->fstype, "cgroup2") == 0
                                  : strcmp(e->fstype, "cgroup") == 0 && opts_has(e->super_opts, "freezer")) {
                c->mount_point = e->mount_point;
                return 1;
        }
        return 0;
}

/* within_mount: the path stays in dirfd's mount (a cgroup beneath a hierarchy's root). */
static int open_beneath(int dirfd, const char *path, bool within_mount)
{
        struct cc_open_how how = {
                .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
                .resolve = CC_RESOLVE_BENEATH | CC_RESOLVE_NO_SYMLINKS | CC_RESOLVE_NO_MAGICLINKS |
                           (within_mount ? CC_RESOLVE_NO_XDEV : 0),
        };
        int fd;

        path += strspn(path, "/");
        if (!*path)
                path = ".";
        fd = sys_openat2(dirfd, path, &how);
        if (fd < 0 && errno == ENOSYS)
                /* Before 5.6; a cgroup file system holds no symlinks, and a cgroup
                 * cannot be named "..". */
                fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return fd < 0 ? NEG_ERRNO() : fd;
}

static int freezer_read(const struct freezer *f);

int freezer_open(int target_procfd, int host_proc_fd, int host_root_fd, char *host_mountinfo, bool prefer_v2,
                 struct freezer *ret)
{
        _cleanup_free_ char *cg = NULL, *self = NULL;
        _cleanup_close_ int mfd = -EBADF;
        struct mount_ctx m = {};
        char *path, *self_path;
        int r;

        *ret = (struct freezer)FREEZER_INIT;
        r = read_full_fileat(target_procfd, "cgroup", 1 << 16, &cg, NULL);
        if (r < 0)
                return r == -ENOENT ? -ESRCH : r;
        r = cgroup_freezer_pick(cg, prefer_v2, &ret->kind, &ret->hierarchy, &path);
        if (r < 0)
                return r == -EINVAL ? -ENOENT : r;
        if (strlen(path) >= sizeof(ret->path))
                return -ENAMETOOLONG;
        strcpy(ret->path, path);

        /* Freezing a cgroup that holds crashcart would never end. */
        r = read_full_fileat(host_proc_fd, "self/cgroup", 1 << 16, &self, NULL);
        if (r < 0)
                return r;
        if (cgroup_path_in(self, ret->kind, ret->hierarchy, &self_path) == 0 &&
            cgroup_path_is_beneath(self_path, ret->path))
                return -EDEADLK;

        m.kind = ret->kind;
        if (mountinfo_foreach(host_mountinfo, find_mount_cb, &m) <= 0 || !m.mount_point)
                return -ENOENT;
        mfd = open_beneath(host_root_fd, m.mount_point, false);
        if (mfd < 0)
                return mfd == -ENOENT ? -ENOENT : mfd;
        ret->dirfd = open_beneath(mfd, ret->path, true);
        if (ret->dirfd < 0) {
                r = ret->dirfd;
                ret->dirfd = -EBADF;
                return r == -ENOENT ? -ESRCH : r;
        }
        r = freezer_read(ret);
        if (r < 0)
                return r == -ENOENT ? -ENOENT : r;
        /* Paused by its runtime: it stays paused after. */
        ret->was_frozen = r > 0;
        return 0;
}

static int freezer_read(const struct freezer *f)
{
        char buf[256];
        ssize_t n;
        _cleanup_close_ int fd = -EBADF;

        fd = openat(f->dirfd, f->kind == FREEZER_V1 ? "freezer.state" : "cgroup.events",
                    O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return NEG_ERRNO();
        n = read(fd, buf, sizeof(buf) - 1);
        if (n < 0)
                return NEG_ERRNO();
        buf[n] = 0;
        return freezer_state_parse(f->kind, buf);
}

static int freezer_write(const struct freezer *f, bool freeze)
{
        if (f->kind == FREEZER_V1)
                return write_fileat(f->dirfd, "freezer.state", freeze ? "FROZEN" : "THAWED");
        return write_fileat(f->dirfd, "cgroup.freeze", freeze ? "1" : "0");
}

static uint64_t now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

int freezer_freeze(struct freezer *f, unsigned timeout_ms)
{
        uint64_t deadline;
        unsigned wait_us = 50;
        int r;

        if (f->kind == FREEZER_NONE || f->dirfd < 0)
                return -ENOENT;
        if (f->was_frozen)
                return 0;
        r = freezer_write(f, true);
        if (r < 0)
                return r;
        f->frozen = true;
        /* Freezing is asynchronous: each task stops at its next way out of the
         * kernel. Only "frozen" says none of them runs. */
        deadline = now_us() + (uint64_t)timeout_ms * 1000;
        for (;;) {
                r = freezer_read(f);
                if (r > 0)
                        return 0;
                if (r < 0 || now_us() >= deadline) {
                        freezer_thaw(f);
                        return r < 0 ? r : -ETIMEDOUT;
                }
                usleep(wait_us);
                if (wait_us < 4000)
                        wait_us *= 2;
        }
}

int freezer_thaw(struct freezer *f)
{
        int r;

        if (!f->frozen)
                return 0;
        r = freezer_write(f, false);
        if (r == 0)
                f->frozen = false;
        return r;
}

void freezer_close(struct freezer *f)
{
        f->dirfd = safe_close(f->dirfd);
}

int freezer_covers_namespace(const struct freezer *f, int host_proc_fd, uint64_t mnt_dev, uint64_t mnt_ino,
                             const pid_t *skip, size_t n_skip, pid_t *ret_pid)
{
        _cleanup_(closedir_p) DIR *d = NULL;
        struct dirent *de;
        int r;

        r = opendir_at(host_proc_fd, ".", &d);
        if (r < 0)
                return r;
        while ((de = readdir(d))) {
                _cleanup_free_ char *cg = NULL;
                char path[64], *p;
                struct stat st;
                bool skipped = false;
                pid_t pid;

                if (parse_pid(de->d_name, &pid) < 0)
                        continue;
                for (size_t i = 0; i < n_skip; i++)
                        skipped = skipped || skip[i] == pid;
                if (skipped)
                        continue;
                snprintf(path, sizeof(path), "%d/ns/mnt", (int)pid);
                if (fstatat(dirfd(d), path, &st, 0) < 0 || st.st_dev != mnt_dev || st.st_ino != mnt_ino)
                        continue;
                snprintf(path, sizeof(path), "%d/cgroup", (int)pid);
                if (read_full_fileat(dirfd(d), path, 1 << 16, &cg, NULL) < 0)
                        continue; /* gone */
                if (cgroup_path_in(cg, f->kind, f->hierarchy, &p) < 0 || !cgroup_path_is_beneath(p, f->path)) {
                        *ret_pid = pid;
                        return -EBUSY;
                }
        }
        return 0;
}
