/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/fileio.h"
#include "basic/log.h"
#include "basic/macro.h"
#include "cart-build/elfdeps.h"
#include "cart-build/relocate.h"
#include "cart/layout.h"

int relocate_loader(struct build *b)
{
        struct byte_patch patches[LOADER_PATCHES];
        const struct byte_patch *missing;
        _cleanup_free_ char *lib = path_join(b->root, "lib"), *dst = lib ? path_join(lib, b->arch->loader) : NULL;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int r;

        if (!dst)
                return -ENOMEM;
        r = loader_patches(b->arch, patches);
        if (r < 0)
                return build_fail_errno(b, r, "internal error: the loader's patches");
        r = mkdir_p(lib, 0755);
        if (r < 0)
                return build_fail_errno(b, r, "cannot create '%s'", lib);
        r = -ENOENT;
        for (size_t i = 0; b->arch->lib_dirs[i] && r < 0; i++) {
                _cleanup_free_ char *from = path_join(b->arch->lib_dirs[i], b->arch->loader);
                _cleanup_close_ int fd = -EBADF;
                struct stat st;

                if (!from)
                        return -ENOMEM;
                fd = build_open_staged(b, from, &st);
                if (fd >= 0)
                        r = read_full_fd(fd, (size_t)st.st_size, &buf, &len);
        }
        if (r < 0)
                return build_fail(b, r, "the packages have no dynamic loader (libc6 is missing from the closure?)");
        apply_patches(buf, len, patches, LOADER_PATCHES, &missing);
        if (missing)
                return build_fail(b, -ENOENT, "the loader has no '%.*s' to redirect", (int)missing->len, missing->from);
        if (!fault_disabled("cart-audit")) {
                /* 4096: 2048 is enough for the default list's BIND tools. */
                r = loader_raise_static_tls(buf, len, 4096);
                if (r < 0)
                        return build_fail(b, r, "the loader's glibc.rtld.optional_static_tls default is not where "
                                                "this builder knows it (another glibc?): the cart's audit module "
                                                "needs it raised");
        }
        r = write_whole(dst, buf, len, 0755);
        if (r < 0)
                return build_fail_errno(b, r, "cannot write '%s'", dst);
        return build_remember(&b->libs, &b->n_libs, b->arch->loader);
}

/* Whether an ELF file of the cart is a program the loader starts (so its
 * DT_AUDIT counts), not a library that only happens to have PT_INTERP, as
 * libc.so.6 does. */
static bool is_program(const char *rel)
{
        const char *base = strrchr(rel, '/');

        return !strstr(base ? base + 1 : rel, ".so");
}

/* Names the audit module in a program's DT_AUDIT entry: patchelf adds it as
 * DT_NEEDED (with its string), then that entry's tag is changed. A patchelf run
 * of its own: combined with --set-rpath in one run, patchelf 0.14 points both
 * entries at one string. */
static int set_audit(struct build *b, const char *path, const char *rel)
{
        char *argv[] = { "patchelf", "--add-needed", CART_AUDIT, (char *)path, NULL };
        _cleanup_free_ char *buf = NULL;
        size_t len;
        int r;

        r = build_run(b, argv, NULL, NULL);
        if (r < 0)
                return r;
        if (r != 0)
                return build_fail(b, -EIO, "patchelf failed on '%s'", rel);
        r = read_full_fileat(AT_FDCWD, path, 256 << 20, &buf, &len);
        if (r < 0)
                return build_fail_errno(b, r, "cannot read '%s'", path);
        r = elf_needed_to_audit((unsigned char *)buf, len, CART_AUDIT);
        if (r < 0)
                return build_fail_errno(b, r, "cannot give '%s' its DT_AUDIT entry", rel);
        r = write_whole(path, buf, len, 0755);
        return r < 0 ? build_fail_errno(b, r, "cannot write '%s'", path) : 0;
}

int relocate_elves(struct build *b)
{
        _cleanup_free_ char *interp = NULL;
        bool audit = !fault_disabled("cart-audit"), nodeflib = !fault_disabled("cart-redirect");
        size_t n_audited = 0;

        if (asprintf(&interp, CART_LIB "/%s", b->arch->loader) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < b->n_elves; i++) {
                _cleanup_free_ char *path = path_join(b->root, b->elves[i]);
                bool audited;
                struct elf_info e;
                char *argv[12];
                size_t n = 0;
                int r;

                if (!path)
                        return -ENOMEM;
                if (elf_read_file(AT_FDCWD, path, &e) < 0)
                        continue;
                audited = audit && e.has_interp && is_program(b->elves[i]);
                argv[n++] = "patchelf";
                /* DT_RPATH, not RUNPATH: it applies to the libraries' own needs too. */
                argv[n++] = "--force-rpath";
                argv[n++] = "--set-rpath";
                argv[n++] = CART_LIB;
                /* DF_1_NODEFLIB: what this object loads is never looked for in the
                 * loader's cache or system directories, libc's own dlopen()s
                 * (name-service and iconv modules) included. */
                if (nodeflib)
                        argv[n++] = "--no-default-lib";
                if (e.has_interp) {
                        argv[n++] = "--set-interpreter";
                        argv[n++] = interp;
                }
                argv[n++] = path;
                argv[n] = NULL;
                assert(n < ELEMENTSOF(argv));
                elf_info_done(&e);
                r = build_run(b, argv, NULL, NULL);
                if (r < 0)
                        return r;
                if (r != 0)
                        return build_fail(b, -EIO, "patchelf failed on '%s'", b->elves[i]);
                if (audited) {
                        r = set_audit(b, path, b->elves[i]);
                        if (r < 0)
                                return r;
                        n_audited++;
                }
        }
        log_debug("%zu ELF files relocated (%zu programs audited), %zu libraries", b->n_elves, n_audited, b->n_libs);
        return 0;
}

int relocate_paths(struct build *b)
{
        struct byte_patch patches[PATH_PATCHES];
        int r;

        r = path_patches(b->arch, patches);
        if (r < 0)
                return build_fail_errno(b, r, "internal error: the paths' patches");
        for (size_t i = 0; i < b->n_elves; i++) {
                _cleanup_free_ char *p = path_join(b->root, b->elves[i]), *buf = NULL;
                size_t len;

                if (!p)
                        return -ENOMEM;
                r = read_full_fileat(AT_FDCWD, p, 256 << 20, &buf, &len);
                if (r < 0)
                        return build_fail_errno(b, r, "cannot read '%s'", p);
                if (apply_patches(buf, len, patches, PATH_PATCHES, NULL) == 0)
                        continue;
                r = write_whole(p, buf, len, 0755);
                if (r < 0)
                        return build_fail_errno(b, r, "cannot write '%s'", p);
        }
        return 0;
}

static int fix_shebangs(struct build *b, const char *dir)
{
        _cleanup_free_ char *d = path_join(b->root, dir);
        _cleanup_(closedir_p) DIR *dd = d ? opendir(d) : NULL;
        struct dirent *de;

        if (!d)
                return -ENOMEM;
        while (dd && (de = readdir(dd))) {
                _cleanup_free_ char *p = path_join(d, de->d_name), *text = NULL, *name = NULL, *fixed = NULL;
                _cleanup_free_ char *in_cart = NULL;
                struct stat st;
                size_t len;
                int r;

                if (!p)
                        return -ENOMEM;
                if (lstat(p, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (4 << 20))
                        continue;
                if (read_full_fileat(AT_FDCWD, p, 4 << 20, &text, &len) < 0)
                        continue;
                r = shebang_in_cart(text, len, &name, &fixed);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return r;
                /* Only for an interpreter the cart has. */
                if (asprintf(&in_cart, "%s/bin/%s", b->root, name) < 0)
                        return -ENOMEM;
                if (access(in_cart, X_OK) < 0)
                        continue;
                r = write_whole(p, fixed, strlen(fixed), 0755);
                if (r < 0)
                        return build_fail_errno(b, r, "cannot write '%s'", p);
        }
        return 0;
}

int relocate_shebangs(struct build *b)
{
        int r = fix_shebangs(b, "bin");

        return r < 0 ? r : fix_shebangs(b, "sbin");
}
