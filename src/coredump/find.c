/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/fileio.h"
#include "basic/macro.h"
#include "coredump/find.h"

/* How many candidate files are tried as cores, newest first. */
#define CORE_TRIES_MAX 64

void core_pattern_done(struct core_pattern *p)
{
        free(p->pipe);
        free(p->dir);
        free(p->glob);
        *p = (struct core_pattern){};
}

/* The basename part of a pattern as a glob: %% a '%', any other %-specifier a
 * '*' (two in a row one), fnmatch's own special characters escaped. */
static int name_to_glob(const char *name, bool add_pid, char **ret)
{
        size_t n = strlen(name);
        char *g = malloc(2 * n + 3), *p = g;
        bool has_pid = false;

        if (!g)
                return -ENOMEM;
        for (const char *s = name; *s; s++) {
                if (*s == '%' && s[1]) {
                        s++;
                        if (*s == '%') {
                                *p++ = '%';
                                continue;
                        }
                        has_pid |= *s == 'p';
                        if (p == g || p[-1] != '*')
                                *p++ = '*';
                        continue;
                }
                if (*s == '*' || *s == '?' || *s == '[' || *s == '\\')
                        *p++ = '\\';
                *p++ = *s;
        }
        /* core_uses_pid adds ".PID" unless the pattern has %p already. */
        if (add_pid && !has_pid) {
                *p++ = '.';
                *p++ = '*';
        }
        *p = 0;
        *ret = g;
        return 0;
}

int core_pattern_parse(const char *text, bool uses_pid, struct core_pattern *ret)
{
        _cleanup_free_ char *t = strndup(text, strcspn(text, "\n"));
        struct core_pattern p = {};
        const char *name;
        char *slash;
        int r;

        if (!t)
                return -ENOMEM;
        if (t[0] == '|') {
                const char *prog = t + 1 + strspn(t + 1, " ");

                p.pipe = strndup(prog, strcspn(prog, " "));
                if (!p.pipe)
                        return -ENOMEM;
                *ret = p;
                return 0;
        }
        /* An empty pattern is the kernel's default: "core". */
        name = *t ? t : "core";
        slash = strrchr(t, '/');
        if (slash) {
                *slash = 0;
                name = slash + 1;
                if (strchr(t, '%'))
                        return -EOPNOTSUPP;
                if (t[0] == '/')
                        p.dir = strdup(*t ? t : "/");
                else
                        p.dir = strdup(t); /* relative to the working directory */
                if (!p.dir)
                        return -ENOMEM;
        }
        r = name_to_glob(name, uses_pid, &p.glob);
        if (r < 0) {
                core_pattern_done(&p);
                return r;
        }
        *ret = p;
        return 0;
}

void core_found_done(struct core_found *c)
{
        free(c->path);
        elfcore_info_done(&c->info);
        *c = (struct core_found){};
}

/* The file at fd, a regular one, parsed as a core. */
static int parse_core_fd(int fd, struct core_found *c)
{
        struct stat st;

        if (fstat(fd, &st) < 0)
                return NEG_ERRNO();
        if (!S_ISREG(st.st_mode))
                return -ENOEXEC;
        c->mtime = st.st_mtim;
        return elfcore_parse_fd(fd, &c->info);
}

int core_open_path(int rootfd, const char *path, struct core_found *ret)
{
        _cleanup_close_ int fd = -EBADF;
        struct core_found c = {};
        int r;

        fd = openat_in_root(rootfd, path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return fd;
        r = parse_core_fd(fd, &c);
        /* As the container names it: a relative FILE is taken from its root. */
        if (r >= 0 && asprintf(&c.path, "%s%s", path[0] == '/' ? "" : "/", path) < 0) {
                c.path = NULL;
                r = -ENOMEM;
        }
        if (r < 0) {
                core_found_done(&c);
                return r;
        }
        *ret = c;
        return 0;
}

struct entry {
        char *name;
        struct timespec mtime;
};

static int by_newest(const void *a, const void *b)
{
        const struct entry *x = a, *y = b;

        if (x->mtime.tv_sec != y->mtime.tv_sec)
                return x->mtime.tv_sec < y->mtime.tv_sec ? 1 : -1;
        if (x->mtime.tv_nsec != y->mtime.tv_nsec)
                return x->mtime.tv_nsec < y->mtime.tv_nsec ? 1 : -1;
        return strcmp(x->name, y->name);
}

int core_find_newest(int rootfd, const char *dir, const char *glob, struct core_found *ret)
{
        _cleanup_close_ int dfd = -EBADF;
        struct entry *v = NULL;
        size_t n = 0, cap = 0;
        struct dirent *de;
        DIR *d;
        int r = -ENOENT;

        dfd = openat_in_root(rootfd, dir, O_RDONLY | O_DIRECTORY);
        if (dfd < 0)
                return dfd;
        d = fdopendir(dfd);
        if (!d)
                return NEG_ERRNO();
        TAKE_FD(dfd);
        while ((de = readdir(d))) {
                struct stat st;

                if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
                        continue;
                if (fnmatch(glob, de->d_name, FNM_PERIOD) != 0)
                        continue;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
                        continue;
                if (n == cap) {
                        struct entry *nv = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*v));

                        if (!nv) {
                                r = -ENOMEM;
                                goto out;
                        }
                        v = nv;
                }
                v[n].name = strdup(de->d_name);
                if (!v[n].name) {
                        r = -ENOMEM;
                        goto out;
                }
                v[n++].mtime = st.st_mtim;
        }
        if (n > 0)
                qsort(v, n, sizeof(*v), by_newest);
        for (size_t i = 0; i < n && i < CORE_TRIES_MAX; i++) {
                _cleanup_close_ int fd = -EBADF;
                struct core_found c = {};

                /* Opened beneath the directory as resolved: the name is one
                 * component, never followed if it became a symlink. */
                fd = openat(dirfd(d), v[i].name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
                if (fd < 0 || parse_core_fd(fd, &c) < 0) {
                        core_found_done(&c);
                        continue;
                }
                if (asprintf(&c.path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", v[i].name) < 0) {
                        c.path = NULL;
                        core_found_done(&c);
                        r = -ENOMEM;
                        goto out;
                }
                *ret = c;
                r = 0;
                break;
        }
out:
        for (size_t i = 0; i < n; i++)
                free(v[i].name);
        free(v);
        closedir(d);
        return r;
}
