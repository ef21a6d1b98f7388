/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/fileio.h"
#include "cart-build/data.h"
#include "cart-build/programs.h"
#include "cart/layout.h"

/* A link of the cart's, unless rel is there already. */
static int cart_symlink(struct build *b, const char *target, const char *rel)
{
        _cleanup_free_ char *p = path_join(b->root, rel);

        if (!p)
                return -ENOMEM;
        if (lstat(p, &(struct stat){}) == 0)
                return 0;
        if (symlink(target, p) < 0)
                return build_fail_errno(b, NEG_ERRNO(), "cannot link '%s'", p);
        return 0;
}

/* A package's link, at dst: pointed into the cart, or not made at all (never
 * into the container). */
static int copy_link(struct build *b, const char *src, const char *from, const char *dst)
{
        _cleanup_free_ char *target_in_cart = NULL;
        char target[4096];
        ssize_t n = readlink(src, target, sizeof(target) - 1);
        int r;

        if (n <= 0)
                return 0;
        target[n] = 0;
        r = link_target_in_cart(b->arch, from, target, &target_in_cart);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        if (symlink(target_in_cart, dst) < 0)
                return build_fail_errno(b, NEG_ERRNO(), "cannot link '%s'", dst);
        return 0;
}

/* Copies the staging tree's `from` into the cart's `to`, leaving what is there
 * already. */
static int copy_tree(struct build *b, const char *from, const char *to)
{
        _cleanup_free_ char *src = path_join(b->staging, from), *dst = path_join(b->root, to);
        _cleanup_(closedir_p) DIR *d = NULL;
        struct dirent *de;
        struct stat st;
        int r;

        if (!src || !dst)
                return -ENOMEM;
        if (skipped(b->arch, from) || lstat(src, &st) < 0)
                return 0;
        if (S_ISDIR(st.st_mode)) {
                r = mkdir_p(dst, 0755);
                if (r < 0)
                        return build_fail_errno(b, r, "cannot create '%s'", dst);
                d = opendir(src);
                while (d && (de = readdir(d))) {
                        _cleanup_free_ char *f = NULL, *t = NULL;

                        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                                continue;
                        f = path_join(from, de->d_name);
                        t = path_join(to, de->d_name);
                        if (!f || !t)
                                return -ENOMEM;
                        r = copy_tree(b, f, t);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        if (lstat(dst, &(struct stat){}) == 0)
                return 0;
        if (S_ISLNK(st.st_mode))
                return copy_link(b, src, from, dst);
        if (S_ISREG(st.st_mode)) {
                r = copy_file(src, dst, st.st_mode & 07777 & ~06000);
                if (r < 0)
                        return build_fail_errno(b, r, "cannot copy '%s'", src);
        }
        return 0;
}

/* The ELF files of a data directory (python's lib-dynload, gconv modules,
 * openssl's providers, man-db's helpers) are relocated like the programs. */
static int add_elves_under(struct build *b, const char *rel)
{
        _cleanup_free_ char *dir = path_join(b->root, rel);
        _cleanup_(closedir_p) DIR *d = dir ? opendir(dir) : NULL;
        struct dirent *de;

        if (!dir)
                return -ENOMEM;
        while (d && (de = readdir(d))) {
                _cleanup_free_ char *sub = NULL, *p = NULL;
                struct stat st;
                int r = 0;

                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                sub = path_join(rel, de->d_name);
                p = sub ? path_join(b->root, sub) : NULL;
                if (!p)
                        return -ENOMEM;
                if (lstat(p, &st) < 0)
                        continue;
                if (S_ISDIR(st.st_mode))
                        r = add_elves_under(b, sub);
                else if (S_ISREG(st.st_mode) && st.st_size > 64)
                        r = programs_add_needed(b, sub);
                if (r < 0)
                        return r;
        }
        return 0;
}

int data_copy_dir(struct build *b, const char *from, const char *to)
{
        int r = copy_tree(b, from, to);

        return r < 0 ? r : add_elves_under(b, to);
}

/* The directories of the architecture's library directory that programs load
 * modules from (iconv, openssl, gdb), as the cart's lib/NAME. */
static int add_arch_dirs(struct build *b)
{
        static const char *const arch_dirs[] = { "gconv", "ossl-modules", "engines-3", "libthread_db" };

        for (size_t i = 0; i < ELEMENTSOF(arch_dirs); i++) {
                _cleanup_free_ char *from = NULL, *to = path_join("lib", arch_dirs[i]);
                int r;

                if (!to || asprintf(&from, "usr/lib/%s/%s", b->arch->triplet, arch_dirs[i]) < 0)
                        return -ENOMEM;
                r = copy_tree(b, from, to);
                if (r >= 0)
                        r = add_elves_under(b, to);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Found from the programs' place: CART_PATH/share/gdb, python's
 * CART_PATH/lib/python3.X for gdb, man-db's helpers in bin, and bin/sh for the
 * scripts (nroff, ...) when no shell package gave one. */
static int add_links(struct build *b)
{
        _cleanup_free_ char *pylib = path_join(b->staging, "usr/lib"), *bash = path_join(b->root, "bin/bash");
        _cleanup_(closedir_p) DIR *d = NULL;
        struct dirent *de;
        int r;

        if (!pylib || !bash)
                return -ENOMEM;
        r = cart_symlink(b, "usr/share", "share");
        if (r < 0)
                return r;
        d = opendir(pylib);
        while (d && (de = readdir(d))) {
                _cleanup_free_ char *target = NULL, *link = NULL;

                if (strncmp(de->d_name, "python3.", 8) != 0)
                        continue;
                link = path_join("lib", de->d_name);
                if (!link || asprintf(&target, "../usr/lib/%s", de->d_name) < 0)
                        return -ENOMEM;
                r = cart_symlink(b, target, link);
                if (r < 0)
                        return r;
        }
        if ((r = cart_symlink(b, CART_PATH "/usr/libexec/man-db/zsoelim", "bin/zsoelim")) < 0 ||
            (r = cart_symlink(b, CART_PATH "/usr/libexec/man-db/manconv", "bin/manconv")) < 0)
                return r;
        if (access(bash, F_OK) == 0)
                return cart_symlink(b, "bash", "bin/sh");
        return 0;
}

/* The libraries libc and gdb load with dlopen: the NSS modules for a container's
 * nsswitch.conf (compat: older Debian's default; files and dns are in libc
 * itself), and libthread_db. */
static int add_dlopened(struct build *b)
{
        const char *const *dirs = b->arch->lib_dirs;
        int r;

        for (size_t i = 0; dirs[i]; i++) {
                _cleanup_free_ char *dir = path_join(b->staging, dirs[i]);
                _cleanup_(closedir_p) DIR *d = dir ? opendir(dir) : NULL;
                struct dirent *de;

                if (!dir)
                        return -ENOMEM;
                while (d && (de = readdir(d))) {
                        if (!is_nss_module(de->d_name) || build_has_lib(b, de->d_name))
                                continue;
                        r = programs_take_lib(b, dirs[i], de->d_name);
                        if (r > 0)
                                r = build_remember(&b->libs, &b->n_libs, de->d_name);
                        if (r < 0)
                                return r;
                }
        }
        if (build_has_lib(b, "libthread_db.so.1"))
                return 0;
        for (size_t i = 0; dirs[i]; i++) {
                r = programs_take_lib(b, dirs[i], "libthread_db.so.1");
                if (r != 0)
                        return r < 0 ? r : build_remember(&b->libs, &b->n_libs, "libthread_db.so.1");
        }
        return 0;
}

int data_add(struct build *b)
{
        static const struct {
                const char *from, *to;
        } trees[] = {
                { "usr/share", "usr/share" },
                { "lib/terminfo", "usr/share/terminfo" },
                { "usr/lib", "usr/lib" },
                { "usr/libexec", "usr/libexec" },
                { "etc", "etc" },
        };
        int r;

        for (size_t i = 0; i < ELEMENTSOF(trees); i++) {
                r = copy_tree(b, trees[i].from, trees[i].to);
                if (r < 0)
                        return r;
        }
        if ((r = add_arch_dirs(b)) < 0 || (r = add_elves_under(b, "usr/lib")) < 0 ||
            (r = add_elves_under(b, "usr/libexec")) < 0 || (r = add_links(b)) < 0)
                return r;
        return add_dlopened(b);
}

int data_add_alternatives(struct build *b)
{
        for (size_t i = 0; i < b->alts.n; i++)
                for (size_t k = 0; k < b->alts.v[i].n_links; k++) {
                        const struct alt_link *l = &b->alts.v[i].links[k];
                        _cleanup_free_ char *link = NULL, *path = NULL, *p = NULL, *parent = NULL, *target = NULL;
                        int r;

                        r = cart_rel(b->arch, l->link, &link);
                        if (r >= 0)
                                r = cart_rel(b->arch, l->path, &path);
                        if (r == -ENOENT)
                                continue; /* a place the cart does not have */
                        if (r < 0)
                                return r;
                        p = path_join(b->root, path);
                        parent = path_join(b->root, link);
                        if (!p || !parent)
                                return -ENOMEM;
                        if (access(p, F_OK) < 0)
                                continue; /* the program is not in the cart */
                        *strrchr(parent, '/') = 0; /* cart_rel's paths have a directory */
                        if (access(parent, F_OK) < 0)
                                continue; /* a directory the cart leaves out */
                        r = alternative_target(link, path, &target);
                        if (r >= 0)
                                r = cart_symlink(b, target, link);
                        if (r < 0)
                                return r;
                }
        return 0;
}

int data_add_gconv_cache(struct build *b)
{
        /* iconvconfig (the host's libc-bin) writes the cache from a path as long
         * as the cart's that leads to the cart's tree; that path is then replaced
         * in the cache. */
        char tmp[] = "/tmp/cc-XXXXXX";
        _cleanup_free_ char *dir = path_join(b->root, "lib/gconv");
        _cleanup_free_ char *cache = dir ? path_join(dir, "gconv-modules.cache") : NULL;
        _cleanup_free_ char *rel_lib = path_join(b->root, "lib"), *lib = NULL, *link = NULL, *gconv = NULL;
        _cleanup_free_ char *buf = NULL;
        size_t len;
        int r;

        _Static_assert(sizeof(tmp) == sizeof(CART_PATH), "the stand-in path is as long as the cart's");
        if (!cache || !rel_lib)
                return -ENOMEM;
        if (access(dir, F_OK) < 0)
                return 0;
        lib = realpath(rel_lib, NULL); /* the stand-in links to it from /tmp */
        if (!lib)
                return build_fail_errno(b, NEG_ERRNO(), "cannot resolve '%s'", rel_lib);
        if (!mkdtemp(tmp))
                return build_fail_errno(b, NEG_ERRNO(), "cannot make a directory in /tmp");
        link = path_join(tmp, "lib");
        gconv = link ? path_join(link, "gconv") : NULL;
        if (!gconv)
                r = -ENOMEM;
        else if (symlink(lib, link) < 0)
                r = build_fail_errno(b, NEG_ERRNO(), "cannot link '%s'", link);
        else {
                char *argv[] = { "iconvconfig", "--nostdlib", "-o", cache, gconv, NULL };

                (void)unlink(cache);
                r = build_run(b, argv, NULL, NULL);
                if (r > 0)
                        r = build_fail(b, -EIO, "iconvconfig failed on the cart's gconv modules");
                (void)unlink(link);
        }
        (void)rmdir(tmp);
        if (r < 0)
                return r;
        r = read_full_fileat(AT_FDCWD, cache, 64 << 20, &buf, &len);
        if (r < 0)
                return build_fail_errno(b, r, "cannot read '%s'", cache);
        replace_all(buf, len, tmp, CART_PATH, strlen(CART_PATH));
        r = write_whole(cache, buf, len, 0644);
        return r < 0 ? build_fail_errno(b, r, "cannot write '%s'", cache) : 0;
}

static bool is_crt(const char *name)
{
        size_t n = strlen(name);

        return n > 4 && strcmp(name + n - 4, ".crt") == 0;
}

int data_add_ca_bundle(struct build *b)
{
        _cleanup_free_ char *dir = path_join(b->root, "usr/share/ca-certificates/mozilla");
        _cleanup_free_ char *certs = path_join(b->root, "etc/ssl/certs");
        _cleanup_free_ char *bundle = certs ? path_join(certs, "ca-certificates.crt") : NULL;
        struct dirent **names = NULL;
        FILE *out = NULL;
        int n, r = 0;

        if (!dir || !bundle)
                return -ENOMEM;
        n = scandir(dir, &names, NULL, alphasort);
        if (n <= 0)
                return 0;
        r = mkdir_p(certs, 0755);
        if (r < 0)
                r = build_fail_errno(b, r, "cannot create '%s'", certs);
        else {
                (void)unlink(bundle);
                out = fopen(bundle, "we");
                if (!out)
                        r = build_fail_errno(b, NEG_ERRNO(), "cannot write '%s'", bundle);
        }
        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *p = NULL, *pem = NULL;
                size_t len;

                if (r >= 0 && is_crt(names[i]->d_name)) {
                        p = path_join(dir, names[i]->d_name);
                        if (!p)
                                r = -ENOMEM;
                        else if (read_full_fileat(AT_FDCWD, p, 1 << 20, &pem, &len) >= 0) {
                                fwrite(pem, 1, len, out);
                                if (len && pem[len - 1] != '\n')
                                        fputc('\n', out);
                        }
                }
                free(names[i]);
        }
        free(names);
        if (out && fclose(out) != 0 && r >= 0)
                r = build_fail_errno(b, NEG_ERRNO(), "cannot write '%s'", bundle);
        return r;
}
