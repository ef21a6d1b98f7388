/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/fileio.h"
#include "basic/log.h"
#include "cart-build/data.h"
#include "cart-build/harden.h"
#include "cart-build/programs.h"
#include "cart-build/wrappers.h"
#include "cart/layout.h"

/* A file of the cart, relative to its root: whether it is there (a link counts). */
static bool in_cart(const struct build *b, const char *rel)
{
        _cleanup_free_ char *p = path_join(b->root, rel);

        return p && lstat(p, &(struct stat){}) == 0;
}

/* perl-base's bin/perl5.N.N: perl's version, or NULL. */
static char *perl_version(const struct build *b)
{
        _cleanup_free_ char *d = path_join(b->root, "bin");
        _cleanup_(closedir_p) DIR *dd = d ? opendir(d) : NULL;
        struct dirent *de;

        while (dd && (de = readdir(dd))) {
                unsigned x, y, z;
                int end = 0;

                if (sscanf(de->d_name, "perl%u.%u.%u%n", &x, &y, &z, &end) == 3 && de->d_name[end] == 0)
                        return strdup(de->d_name + 4);
        }
        return NULL;
}

struct versions {
        char *perl, *perl_full, *groff;
};

static void versions_done(struct versions *v)
{
        free(v->perl);
        free(v->perl_full);
        free(v->groff);
}

/* The versions in perl's and groff's directory names, from their packages. */
static int find_versions(struct build *b, struct versions *ret)
{
        _cleanup_free_ char *groff_current = path_join(b->root, "usr/share/groff/current");
        char target[256];
        ssize_t n;

        if (!groff_current)
                return -ENOMEM;
        if (in_cart(b, "bin/perl")) {
                ret->perl_full = perl_version(b);
                if (!ret->perl_full)
                        return build_fail(b, -ENOENT, "perl is in the cart, but no bin/perl5.N.N names its "
                                                      "version (has Debian changed it?)");
                /* 5.36.0 → 5.36: libperl's soname, and @INC's directories. */
                ret->perl = strndup(ret->perl_full, (size_t)(strrchr(ret->perl_full, '.') - ret->perl_full));
                if (!ret->perl)
                        return -ENOMEM;
        }
        if (in_cart(b, "bin/groff")) {
                const char *version;

                /* A link to the version's directory (the cart's, by now). */
                n = readlink(groff_current, target, sizeof(target) - 1);
                target[n > 0 ? n : 0] = 0;
                version = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
                if (!*version)
                        return build_fail(b, -ENOENT, "groff is in the cart, but 'usr/share/groff/current' "
                                                      "names no version (has Debian changed it?)");
                ret->groff = strdup(version);
                if (!ret->groff)
                        return -ENOMEM;
        }
        return 0;
}

static int forget_elf(struct build *b, const char *rel)
{
        for (size_t i = 0; i < b->n_elves; i++)
                if (strcmp(b->elves[i], rel) == 0) {
                        free(b->elves[i]);
                        b->elves[i] = b->elves[--b->n_elves];
                        return 1;
                }
        return 0;
}

static int drop_programs(struct build *b)
{
        static const char *const dirs[] = { "bin", "sbin" };

        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_free_ char *d = path_join(b->root, dirs[i]);
                _cleanup_(closedir_p) DIR *dd = d ? opendir(d) : NULL;
                struct dirent *de;

                if (!d)
                        return -ENOMEM;
                while (dd && (de = readdir(dd))) {
                        _cleanup_free_ char *rel = NULL, *p = NULL;

                        if (de->d_name[0] == '.' || !is_dropped_program(de->d_name))
                                continue;
                        rel = path_join(dirs[i], de->d_name);
                        p = rel ? path_join(b->root, rel) : NULL;
                        if (!p)
                                return -ENOMEM;
                        if (unlink(p) < 0)
                                return build_fail_errno(b, NEG_ERRNO(), "cannot remove '%s'", p);
                        forget_elf(b, rel);
                }
        }
        return 0;
}

static int cart_link(struct build *b, const char *target, const char *rel)
{
        _cleanup_free_ char *p = path_join(b->root, rel);

        if (!p)
                return -ENOMEM;
        (void)unlink(p);
        if (symlink(target, p) < 0)
                return build_fail_errno(b, NEG_ERRNO(), "cannot link '%s'", p);
        return 0;
}

/* V19: perl's core modules (perl-base's, and libperl's when the list has it) in the cart, where its
 * rewritten @INC looks: lib/perl-base, lib/perl/VERSION; P and perl lead to
 * usr/share's (same-length names of /usr/share/perl5 and /usr/share/perl/VERSION). */
static int add_perl(struct build *b, const struct redirect_vars *v)
{
        static const char *const dirs[][2] = {
                { "usr/lib/{T}/perl-base", "lib/perl-base" },
                { "usr/lib/{T}/perl/{PERL}", "lib/perl/{PERL}" },
                { "usr/lib/{T}/perl/{PERLFULL}", "lib/perl/{PERLFULL}" },
        };
        _cleanup_free_ char *share = NULL;
        int r;

        if (!v->perl)
                return 0;
        r = build_mkdir(b, "lib/perl");
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_free_ char *from = NULL, *to = NULL;

                if (redirect_expand(dirs[i][0], v, &from) < 0 || redirect_expand(dirs[i][1], v, &to) < 0)
                        return -ENOMEM;
                r = data_copy_dir(b, from, to);
                if (r < 0)
                        return r;
                /* perl-base's are perl's own; libperl's come with the package perl. */
                if (i == 0 && !in_cart(b, to))
                        return build_fail(b, -ENOENT, "perl is in the cart, but its packages have no '/%s'", from);
        }
        if (asprintf(&share, "usr/share/perl/%s", v->perl) < 0)
                return -ENOMEM;
        if ((r = cart_link(b, "usr/share/perl5", "P")) < 0 || (r = cart_link(b, share, "perl")) < 0)
                return r;
        return 0;
}

/* The directories the rewritten module paths name: empty, or with the package's
 * data files (no modules). */
static int add_module_dirs(struct build *b, const struct redirect_vars *v)
{
        for (size_t i = 0; i < cart_module_dirs_n; i++) {
                const struct module_dir *m = &cart_module_dirs[i];
                _cleanup_free_ char *from = NULL, *src = NULL, *dst = path_join(b->root, m->dir);
                _cleanup_(closedir_p) DIR *d = NULL;
                struct dirent *de;
                int r;

                if (!dst)
                        return -ENOMEM;
                r = mkdir_p(dst, 0755);
                if (r < 0)
                        return build_fail_errno(b, r, "cannot create '%s'", dst);
                if (!m->data_from)
                        continue;
                if (redirect_expand(m->data_from, v, &from) < 0 || !(src = path_join(b->staging, from)))
                        return -ENOMEM;
                d = opendir(src);
                while (d && (de = readdir(d))) {
                        _cleanup_free_ char *f = path_join(src, de->d_name), *t = path_join(dst, de->d_name);
                        char magic[4] = {};
                        struct stat st;
                        _cleanup_close_ int fd = -EBADF;

                        if (!f || !t)
                                return -ENOMEM;
                        fd = open(f, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                                continue;
                        if (read(fd, magic, sizeof(magic)) == sizeof(magic) && memcmp(magic, "\177ELF", 4) == 0)
                                continue;
                        r = copy_file(f, t, 0644);
                        if (r < 0)
                                return build_fail_errno(b, r, "cannot copy '%s'", f);
                }
        }
        return 0;
}

/* cart_redirects, expanded for this cart. */
struct patch_entry {
        char *file;             /* NULL: every ELF file */
        struct byte_patch patch;
        bool hit;
};

struct patch_set {
        struct patch_entry *v;
        size_t n;
};

static void patch_set_done(struct patch_set *s)
{
        for (size_t i = 0; i < s->n; i++)
                free(s->v[i].file);
        free(s->v);
}

static int patch_set_make(struct build *b, const struct redirect_vars *vars, struct patch_set *ret)
{
        ret->v = calloc(cart_redirects_n, sizeof(*ret->v));
        if (!ret->v)
                return -ENOMEM;
        for (size_t i = 0; i < cart_redirects_n; i++) {
                struct patch_entry *e = &ret->v[ret->n];
                int r = redirect_patch(&cart_redirects[i], vars, &e->file, &e->patch);

                if (r == -ENOENT)
                        continue; /* a version the cart does not have: nor the program */
                if (r < 0)
                        return build_fail_errno(b, r, "internal error: the redirection of '%s'",
                                                cart_redirects[i].from);
                ret->n++;
        }
        return 0;
}

static bool is_elf(int dirfd, const char *name)
{
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        char magic[4];

        return fd >= 0 && read(fd, magic, sizeof(magic)) == sizeof(magic) && memcmp(magic, "\177ELF", 4) == 0;
}

/* The patches of set for the ELF file rel (its own, then every ELF file's), in place. */
static int patch_elf(struct build *b, struct patch_set *set, const char *rel)
{
        _cleanup_free_ char *p = path_join(b->root, rel), *buf = NULL;
        size_t len, hits = 0;
        int r;

        if (!p)
                return -ENOMEM;
        r = read_full_fileat(AT_FDCWD, p, 256 << 20, &buf, &len);
        if (r < 0)
                return build_fail_errno(b, r, "cannot read '%s'", p);
        for (int every = 0; every < 2; every++)
                for (size_t i = 0; i < set->n; i++) {
                        struct patch_entry *e = &set->v[i];
                        size_t h;

                        if (every ? e->file != NULL : !e->file || strcmp(e->file, rel) != 0)
                                continue;
                        h = replace_all(buf, len, e->patch.from, e->patch.to, e->patch.len);
                        e->hit = e->hit || h > 0;
                        hits += h;
                }
        if (hits == 0)
                return 0;
        r = write_whole(p, buf, len, 0755);
        return r < 0 ? build_fail_errno(b, r, "cannot write '%s'", p) : 0;
}

/* Every ELF file of the tree below rel ("" for the root), links not followed. */
static int patch_elves_under(struct build *b, struct patch_set *set, const char *rel)
{
        _cleanup_free_ char *dir = *rel ? path_join(b->root, rel) : strdup(b->root);
        _cleanup_(closedir_p) DIR *d = dir ? opendir(dir) : NULL;
        struct dirent *de;

        if (!dir)
                return -ENOMEM;
        if (!d)
                return build_fail_errno(b, NEG_ERRNO(), "cannot open '%s'", dir);
        while ((de = readdir(d))) {
                _cleanup_free_ char *sub = NULL;
                int r = 0;

                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                sub = *rel ? path_join(rel, de->d_name) : strdup(de->d_name);
                if (!sub)
                        return -ENOMEM;
                if (de->d_type == DT_DIR)
                        r = patch_elves_under(b, set, sub);
                else if (de->d_type == DT_REG && is_elf(dirfd(d), de->d_name))
                        r = patch_elf(b, set, sub);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The compiled-in paths (cart_redirects): a required one missing from its file,
 * the file being in the cart, fails the build, naming both. */
static int redirect_elves(struct build *b, const struct redirect_vars *vars)
{
        _cleanup_(patch_set_done) struct patch_set set = {};
        int r;

        r = patch_set_make(b, vars, &set);
        if (r < 0)
                return r;
        r = patch_elves_under(b, &set, "");
        if (r < 0)
                return r;
        for (size_t i = 0; i < set.n; i++) {
                const struct patch_entry *e = &set.v[i];

                if (e->file && e->patch.required && !e->hit && in_cart(b, e->file))
                        return build_fail(b, -ENOENT, "'%s' has no '%.*s' to redirect (has Debian changed it?)",
                                          e->file, (int)strnlen(e->patch.from, e->patch.len), e->patch.from);
        }
        return 0;
}

static int redirect_texts(struct build *b, const struct redirect_vars *vars)
{
        for (size_t i = 0; i < cart_text_redirects_n; i++) {
                const struct text_redirect *t = &cart_text_redirects[i];
                _cleanup_free_ char *rel = NULL, *p = NULL, *text = NULL, *fixed = NULL;
                struct stat st;
                size_t len, hits;
                int r;

                r = redirect_expand(t->file, vars, &rel);
                if (r == -ENOENT)
                        continue;
                if (r < 0 || !(p = path_join(b->root, rel)))
                        return -ENOMEM;
                if (lstat(p, &st) < 0 || S_ISLNK(st.st_mode))
                        continue; /* not in the cart, or a link to a file with its own entry */
                r = read_full_fileat(AT_FDCWD, p, 16 << 20, &text, &len);
                if (r < 0)
                        return build_fail_errno(b, r, "cannot read '%s'", p);
                r = text_redirect_apply(t, vars, text, len, &fixed, &hits);
                if (r < 0)
                        return build_fail_errno(b, r, "internal error: the redirection of '%s'", t->from);
                if (hits == 0 && t->required)
                        return build_fail(b, -ENOENT, "'%s' has no '%s' to redirect (has Debian changed it?)", rel,
                                          t->from);
                r = write_whole(p, fixed, strlen(fixed), 0755);
                if (r < 0)
                        return build_fail_errno(b, r, "cannot write '%s'", p);
        }
        return 0;
}

static int write_cart_file(struct build *b, const char *rel, const char *text, mode_t mode)
{
        _cleanup_free_ char *p = path_join(b->root, rel);
        _cleanup_free_ char *dir = p ? strdup(p) : NULL;
        int r;

        if (!p || !dir)
                return -ENOMEM;
        *strrchr(dir, '/') = 0;
        r = mkdir_p(dir, 0755);
        if (r < 0)
                return build_fail_errno(b, r, "cannot create '%s'", dir);
        (void)unlink(p);
        r = write_whole(p, text, strlen(text), mode);
        return r < 0 ? build_fail_errno(b, r, "cannot write '%s'", p) : 0;
}

static int write_embedded(struct build *b, const char *name, const char *rel, mode_t mode)
{
        const char *text = embedded_text(name);

        if (!text)
                return build_fail(b, -EBADMSG, "internal error: no '%s' in data/", name);
        return write_cart_file(b, rel, text, mode);
}

/* V13/V14: gdb names its Python CART_PATH/bin/python; a ._pth beside that name
 * makes it isolated (no site, no user site, no PYTHON* variables) with exactly
 * this sys.path, which also ends the upward search for a prefix. */
static int add_python_pth(struct build *b)
{
        _cleanup_free_ char *lib = path_join(b->root, "lib"), *text = NULL;
        _cleanup_(closedir_p) DIR *d = lib ? opendir(lib) : NULL;
        struct dirent *de;

        if (!lib)
                return -ENOMEM;
        while (d && (de = readdir(d))) {
                if (strncmp(de->d_name, "python3.", 8) != 0)
                        continue;
                if (asprintf(&text, CART_LIB "/%s\n" CART_LIB "/%s/lib-dynload\n", de->d_name, de->d_name) < 0)
                        return -ENOMEM;
                return write_cart_file(b, "bin/python._pth", text, 0644);
        }
        return 0;
}

/* V29: stdbuf preloads the libstdbuf.so beside it first. */
static int add_stdbuf_lib(struct build *b)
{
        _cleanup_free_ char *from = path_join(b->root, "usr/libexec/coreutils/libstdbuf.so");
        _cleanup_free_ char *to = path_join(b->root, "bin/libstdbuf.so");
        int r;

        if (!from || !to)
                return -ENOMEM;
        if (!in_cart(b, "bin/stdbuf"))
                return 0;
        r = copy_file(from, to, 0644);
        if (r < 0)
                return build_fail_errno(b, r, "cannot copy '%s'", from);
        return programs_add_needed(b, "bin/libstdbuf.so");
}

/* V24-V28: a stub for each helper run by name that the cart lacks. */
static int add_stubs(struct build *b)
{
        for (size_t i = 0; cart_stubbed_programs[i]; i++) {
                _cleanup_free_ char *bin = path_join("bin", cart_stubbed_programs[i]);
                _cleanup_free_ char *sbin = path_join("sbin", cart_stubbed_programs[i]);
                int r;

                if (!bin || !sbin)
                        return -ENOMEM;
                if (in_cart(b, bin) || in_cart(b, sbin))
                        continue;
                r = write_embedded(b, "cart/stub.sh", bin, 0755);
                if (r < 0)
                        return r;
        }
        return 0;
}

int harden_cart(struct build *b)
{
        _cleanup_(versions_done) struct versions ver = {};
        struct redirect_vars vars = { .triplet = b->arch->triplet, .loader = b->arch->loader };
        int r;

        if (fault_disabled("cart-redirect"))
                return 0;
        r = find_versions(b, &ver);
        if (r < 0)
                return r;
        vars.perl = ver.perl;
        vars.perl_full = ver.perl_full;
        vars.groff = ver.groff;

        if ((r = drop_programs(b)) < 0 || (r = add_perl(b, &vars)) < 0 || (r = add_module_dirs(b, &vars)) < 0 ||
            (r = add_stdbuf_lib(b)) < 0 || (r = redirect_elves(b, &vars)) < 0 || (r = redirect_texts(b, &vars)) < 0)
                return r;
        /* V01: the name-service switch the rewritten libc reads (/dev/crashcart//nf). */
        if ((r = write_embedded(b, "cart/nsswitch.conf", "nf", 0644)) < 0 ||
            /* V15-V18, V42: what stands for "no file" where a variable must name one. */
            (r = write_cart_file(b, "etc/empty", "", 0644)) < 0 || (r = add_python_pth(b)) < 0 ||
            (r = add_stubs(b)) < 0)
                return r;
        /* V39: the message catalogs (/dev/crashcart/lo): none, English. */
        r = build_mkdir(b, "lo");
        if (r < 0)
                return r;
        /* V41: top's rc file (its Inspect entries are commands), read through the
         * wrapper's XDG_CONFIG_HOME. */
        if (in_cart(b, "bin/top") && (r = write_embedded(b, "cart/toprc", "etc/xdg/procps/toprc", 0644)) < 0)
                return r;
        b->redirect = true;
        return 0;
}
