/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/fileio.h"
#include "basic/log.h"
#include "basic/spawn.h"
#include "basic/syscalls.h"
#include "cart-build/build.h"

static void strv_free_n(char **v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

void build_done(struct build *b)
{
        pkglist_done(&b->want);
        pkglist_done(&b->all);
        apt_pkgs_done(&b->pkgs);
        alternatives_done(&b->alts);
        strv_free_n(b->libs, b->n_libs);
        strv_free_n(b->elves, b->n_elves);
        free(b->debs);
        free(b->apt_dir);
        free(b->work);
        free(b->staging);
        free(b->control);
        free(b->root);
        safe_close(b->staging_fd);
        *b = (struct build)BUILD_INIT;
}

static int build_vfail(struct build *b, int error, bool shows_errno, const char *fmt, va_list ap)
{
        if (error >= 0)
                error = -EIO;
        if (b->error.error == 0) {
                b->error.error = error;
                b->error.shows_errno = shows_errno;
                vsnprintf(b->error.message, sizeof(b->error.message), fmt, ap);
        }
        return error;
}

int build_fail(struct build *b, int error, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        error = build_vfail(b, error, false, fmt, ap);
        va_end(ap);
        return error;
}

int build_fail_errno(struct build *b, int error, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        error = build_vfail(b, error, true, fmt, ap);
        va_end(ap);
        return error;
}

int build_mkdir(struct build *b, const char *rel)
{
        _cleanup_free_ char *p = path_join(b->root, rel);
        int r;

        if (!p)
                return -ENOMEM;
        r = mkdir_p(p, 0755);
        return r < 0 ? build_fail_errno(b, r, "cannot create '%s'", p) : 0;
}

int build_run(struct build *b, char *const *argv, const char *dir, char **ret_stdout)
{
        int r = spawn_run(argv, dir, log_verbose ? 0 : SPAWN_STDOUT_TO_STDERR, ret_stdout);

        if (r < 0)
                return build_fail_errno(b, r, "cannot run '%s'", argv[0]);
        return r;
}

int build_remember(char ***v, size_t *n, const char *s)
{
        char **p = realloc(*v, (*n + 1) * sizeof(char *));

        if (!p)
                return -ENOMEM;
        *v = p;
        p[*n] = strdup(s);
        if (!p[*n])
                return -ENOMEM;
        (*n)++;
        return 0;
}

bool build_has_lib(const struct build *b, const char *name)
{
        for (size_t i = 0; i < b->n_libs; i++)
                if (strcmp(b->libs[i], name) == 0)
                        return true;
        return false;
}

int build_open_staged(const struct build *b, const char *rel, struct stat *st)
{
        struct cc_open_how how = { .flags = O_RDONLY | O_CLOEXEC, .resolve = CC_RESOLVE_IN_ROOT };
        _cleanup_close_ int fd = sys_openat2(b->staging_fd, rel, &how);

        if (fd < 0)
                return NEG_ERRNO();
        if (fstat(fd, st) < 0)
                return NEG_ERRNO();
        if (!S_ISREG(st->st_mode))
                return -EBADFD;
        return TAKE_FD(fd);
}
