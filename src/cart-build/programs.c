/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "basic/fileio.h"
#include "cart-build/elfdeps.h"
#include "cart-build/programs.h"
#include "cart/layout.h"

/* Copies library `name`, open as in, into the cart's lib/, then what it needs. */
static int take_lib_fd(struct build *b, int in, const char *name)
{
        _cleanup_free_ char *lib = path_join(b->root, "lib"), *dst = lib ? path_join(lib, name) : NULL;
        _cleanup_free_ char *rel = path_join("lib", name);
        int r;

        if (!dst || !rel)
                return -ENOMEM;
        r = copy_fd_to_file(in, dst, 0755);
        if (r < 0)
                return build_fail_errno(b, r, "cannot copy '%s'", name);
        return programs_add_needed(b, rel);
}

int programs_take_lib(struct build *b, const char *dir, const char *name)
{
        _cleanup_free_ char *from = path_join(dir, name);
        _cleanup_close_ int in = -EBADF;
        struct stat st;
        int r;

        if (!from)
                return -ENOMEM;
        in = build_open_staged(b, from, &st);
        if (in < 0)
                return 0;
        r = take_lib_fd(b, in, name);
        return r < 0 ? r : 1;
}

/* A program's private directory (man-db's /usr/lib/man-db, found through its
 * RUNPATH): one level below the library directories. */
static int take_lib_below(struct build *b, const char *lib_dir, const char *name)
{
        _cleanup_free_ char *dir = path_join(b->staging, lib_dir);
        _cleanup_(closedir_p) DIR *d = dir ? opendir(dir) : NULL;
        struct dirent *de;

        if (!dir)
                return -ENOMEM;
        while (d && (de = readdir(d))) {
                _cleanup_free_ char *sub = NULL;
                int r;

                if (de->d_name[0] == '.')
                        continue;
                sub = path_join(lib_dir, de->d_name);
                if (!sub)
                        return -ENOMEM;
                r = programs_take_lib(b, sub, name);
                if (r != 0)
                        return r;
        }
        return 0;
}

/* Copies library `name` from the staging tree into lib/, then what it needs. */
static int add_lib(struct build *b, const char *name)
{
        const char *const *dirs = b->arch->lib_dirs;
        int r;

        if (build_has_lib(b, name) || strchr(name, '/'))
                return 0;
        r = build_remember(&b->libs, &b->n_libs, name);
        if (r < 0)
                return r;
        for (size_t i = 0; dirs[i]; i++) {
                r = programs_take_lib(b, dirs[i], name);
                if (r != 0)
                        return r < 0 ? r : 0;
        }
        for (size_t i = 0; dirs[i]; i++) {
                r = take_lib_below(b, dirs[i], name);
                if (r != 0)
                        return r < 0 ? r : 0;
        }
        return build_fail(b, -ENOENT, "no package of the list provides the library '%s' (add its package)", name);
}

int programs_add_needed(struct build *b, const char *rel)
{
        _cleanup_close_ int rootfd = open(b->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        struct elf_info e;
        int r;

        if (rootfd < 0)
                return build_fail_errno(b, NEG_ERRNO(), "cannot open '%s'", b->root);
        r = elf_read_file(rootfd, rel, &e);
        if (r == -ENOEXEC || (r == 0 && !e.is_dynamic)) {
                elf_info_done(&e);
                return 0;
        }
        if (r < 0)
                return build_fail_errno(b, r, "cannot read ELF file '%s'", rel);
        r = build_remember(&b->elves, &b->n_elves, rel);
        for (size_t i = 0; r >= 0 && i < e.n_needed; i++)
                r = add_lib(b, e.needed[i]);
        elf_info_done(&e);
        return r;
}

/* The program `name` of from_dir in the staging tree, into to_dir of the cart. */
static int add_program(struct build *b, const char *from_dir, const char *to_dir, const char *name)
{
        _cleanup_free_ char *src = path_join(b->staging, from_dir), *dst = path_join(b->root, to_dir);
        _cleanup_free_ char *from = src ? path_join(src, name) : NULL, *to = dst ? path_join(dst, name) : NULL;
        _cleanup_free_ char *staged = path_join(from_dir, name), *rel = path_join(to_dir, name);
        _cleanup_close_ int in = -EBADF;
        struct stat st;
        int r;

        if (!from || !to || !staged || !rel)
                return -ENOMEM;
        if (name[0] == '.' || lstat(from, &st) < 0)
                return 0;
        if (S_ISLNK(st.st_mode)) {
                /* A link within the directory stays a link; one to elsewhere
                 * (/etc/alternatives, ../lib, /bin/ip) is resolved in the
                 * staging tree. */
                char target[4096];
                ssize_t n = readlink(from, target, sizeof(target) - 1);

                if (n <= 0)
                        return 0;
                target[n] = 0;
                if (!strchr(target, '/')) {
                        (void)unlink(to);
                        if (symlink(target, to) < 0)
                                return build_fail_errno(b, NEG_ERRNO(), "cannot link '%s'", to);
                        return 0;
                }
        }
        in = build_open_staged(b, staged, &st);
        if (in < 0 || !(st.st_mode & 0111))
                return 0;
        if (access(to, F_OK) == 0)
                return 0; /* /usr/bin and /bin both have it (Debian 12) */
        r = copy_fd_to_file(in, to, st.st_mode & 07777 & ~06000);
        if (r < 0)
                return build_fail_errno(b, r, "cannot copy '%s'", from);
        return programs_add_needed(b, rel);
}

/* The programs of one directory of the staging tree, into bin/ or sbin/. */
static int add_programs(struct build *b, const char *from_dir, const char *to_dir)
{
        _cleanup_free_ char *src = path_join(b->staging, from_dir), *dst = path_join(b->root, to_dir);
        _cleanup_(closedir_p) DIR *d = NULL;
        struct dirent *de;
        int r;

        if (!src || !dst)
                return -ENOMEM;
        d = opendir(src);
        if (!d)
                return 0;
        r = mkdir_p(dst, 0755);
        if (r < 0)
                return build_fail_errno(b, r, "cannot create '%s'", dst);
        while ((de = readdir(d))) {
                r = add_program(b, from_dir, to_dir, de->d_name);
                if (r < 0)
                        return r;
        }
        return 0;
}

int programs_add(struct build *b)
{
        static const struct {
                const char *from, *to;
        } dirs[] = {
                { "usr/bin", "bin" },
                { "bin", "bin" },
                { "usr/sbin", "sbin" },
                { "sbin", "sbin" },
        };

        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                int r = add_programs(b, dirs[i].from, dirs[i].to);

                if (r < 0)
                        return r;
        }
        return 0;
}

/* Whether fd is an ELF file for machine (read at offset 18: e_machine). */
static bool is_elf_for(int fd, uint16_t machine)
{
        unsigned char h[20];

        if (pread(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h) || memcmp(h, ELFMAG, SELFMAG) != 0 ||
            h[EI_DATA] != ELFDATA2LSB)
                return false;
        return (uint16_t)(h[18] | h[19] << 8) == machine;
}

/* A file of crashcart's own for the cart's architecture, opened: in the
 * architecture's directory (arm64/) beside this program in a build tree or
 * where make install put them, else beside it or installed (the host's
 * architecture); the first that is an ELF file for the cart's machine. */
static int open_own_file(struct build *b, const char *name)
{
        _cleanup_free_ char *self = realpath("/proc/self/exe", NULL);
        const char *dirs[2] = { NULL, CRASHCART_LIBDIR };

        if (self) {
                *strrchr(self, '/') = 0;
                dirs[0] = self;
        }
        for (int sub = 1; sub >= 0; sub--)
                for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                        _cleanup_free_ char *dir = NULL, *path = NULL;
                        _cleanup_close_ int fd = -EBADF;

                        if (!dirs[i])
                                continue;
                        dir = sub ? path_join(dirs[i], b->arch->debian) : strdup(dirs[i]);
                        path = dir ? path_join(dir, name) : NULL;
                        if (!path)
                                return -ENOMEM;
                        fd = open(path, O_RDONLY | O_CLOEXEC);
                        if (fd >= 0 && is_elf_for(fd, b->arch->machine))
                                return TAKE_FD(fd);
                }
        return build_fail(b, -ENOENT,
                          "no '%s' for %s in '%s/%s' (is crashcart-build installed whole? 'make arm64-cart' builds "
                          "the arm64 files)",
                          name, b->arch->debian, CRASHCART_LIBDIR, b->arch->debian);
}

/* A library of crashcart's own, into lib/. */
static int take_own_lib(struct build *b, const char *name)
{
        _cleanup_close_ int in = open_own_file(b, name);
        int r;

        if (in < 0)
                return in;
        r = take_lib_fd(b, in, name);
        return r < 0 ? r : build_remember(&b->libs, &b->n_libs, name);
}

int programs_add_cart_sh(struct build *b)
{
        static const char preload_list[] = CART_LIB "/" CART_SH_PRELOAD_NAME "\n";
        _cleanup_free_ char *lp = path_join(b->root, CART_PRELOAD_LIST_NAME);
        int r;

        if (!lp)
                return -ENOMEM;
        r = take_own_lib(b, CART_SH_PRELOAD_NAME);
        if (r < 0)
                return r;
        r = write_whole(lp, preload_list, sizeof(preload_list) - 1, 0644);
        return r < 0 ? build_fail_errno(b, r, "cannot write '%s'", lp) : 0;
}

int programs_add_cart_audit(struct build *b)
{
        return take_own_lib(b, CART_AUDIT_NAME);
}

int programs_add_enter(struct build *b)
{
        _cleanup_close_ int in = open_own_file(b, "cart-enter");
        _cleanup_free_ char *to = path_join(b->root, CART_ENTER_NAME);
        int r;

        if (in < 0)
                return in;
        if (!to)
                return -ENOMEM;
        r = copy_fd_to_file(in, to, 0755);
        return r < 0 ? build_fail_errno(b, r, "cannot write '%s'", to) : 0;
}
