/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <elf.h>
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"
#include "cart-build/layout.h"
#include "cart/layout.h"

/* Debian's names. lib64 holds amd64's loader link, the path its programs'
 * PT_INTERP names. */
const struct cart_arch cart_arches[] = {
        {
                .debian = "amd64",
                .triplet = "x86_64-linux-gnu",
                .loader = "ld-linux-x86-64.so.2",
                .machine = EM_X86_64,
                .lib_dirs = { "lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu", "lib64", "lib", "usr/lib", NULL },
        },
        {
                .debian = "arm64",
                .triplet = "aarch64-linux-gnu",
                .loader = "ld-linux-aarch64.so.1",
                .machine = EM_AARCH64,
                .lib_dirs = { "lib/aarch64-linux-gnu", "usr/lib/aarch64-linux-gnu", "lib", "usr/lib", NULL },
        },
};
const size_t cart_arches_n = ELEMENTSOF(cart_arches);

const struct cart_arch *cart_arch_by_debian(const char *debian)
{
        for (size_t i = 0; i < cart_arches_n; i++)
                if (strcmp(cart_arches[i].debian, debian) == 0)
                        return &cart_arches[i];
        return NULL;
}

static bool has_suffix(const char *s, const char *suffix)
{
        size_t n = strlen(s), k = strlen(suffix);

        return n > k && strcmp(s + n - k, suffix) == 0;
}

/* How much of path is dir, followed by the architecture's triplet and a slash
 * when in_arch ("/usr/lib/" + "x86_64-linux-gnu/"); 0 when path does not start so. */
static size_t prefix_len(const struct cart_arch *a, const char *path, const char *dir, bool in_arch)
{
        size_t n = strlen(dir), t;

        if (strncmp(path, dir, n) != 0)
                return 0;
        if (!in_arch)
                return n;
        t = strlen(a->triplet);
        if (strncmp(path + n, a->triplet, t) != 0 || path[n + t] != '/')
                return 0;
        return n + t + 1;
}

int cart_rel(const struct cart_arch *a, const char *path, char **ret)
{
        /* The programs and libraries in the cart's bin, sbin and lib; the rest
         * where Debian has it, merged /usr or not. */
        static const struct {
                const char *from;
                bool in_arch;   /* from is followed by the triplet's directory */
                const char *to;
        } map[] = {
                { "/usr/bin/", false, "bin/" },
                { "/bin/", false, "bin/" },
                { "/usr/sbin/", false, "sbin/" },
                { "/sbin/", false, "sbin/" },
                { "/usr/lib/", true, "lib/" },
                { "/lib/", true, "lib/" },
                { "/lib/terminfo/", false, "usr/share/terminfo/" },
                { "/lib/", false, "usr/lib/" },
                { "/usr/", false, "usr/" },
                { "/etc/", false, "etc/" },
        };

        for (size_t i = 0; i < ELEMENTSOF(map); i++) {
                size_t n = prefix_len(a, path, map[i].from, map[i].in_arch);

                if (n > 0)
                        return asprintf(ret, "%s%s", map[i].to, path + n) < 0 ? -ENOMEM : 0;
        }
        return -ENOENT;
}

int normalize_path(char *p)
{
        const char *r = p;      /* reads ahead of w: the result is never longer */
        size_t w = 0;           /* the result's length, after its leading slash */

        if (p[0] != '/')
                return -EINVAL;
        while (*r) {
                size_t n;

                r += strspn(r, "/");
                n = strcspn(r, "/");
                if (n == 0 || (n == 1 && r[0] == '.')) {
                        r += n;
                        continue;
                }
                if (n == 2 && r[0] == '.' && r[1] == '.') {
                        /* Back to the slash before the last name. */
                        while (w > 0 && p[--w] != '/')
                                ;
                        r += n;
                        continue;
                }
                /* At least one slash was passed over, so w < r - p. */
                p[w] = '/';
                memmove(p + w + 1, r, n);
                w += 1 + n;
                r += n;
        }
        if (w == 0)
                p[w++] = '/';
        p[w] = 0;
        return 0;
}

bool skipped(const struct cart_arch *a, const char *rel)
{
        static const char *const skip[] = {
                "usr/share/doc",      "usr/share/doc-base", "usr/share/info",   "usr/share/lintian",
                "usr/share/bug",      "usr/share/locale",   "usr/share/menu",   "usr/share/applications",
                "usr/share/pixmaps",  "usr/share/icons",    "usr/lib/debug",    "usr/lib/systemd",
                "usr/lib/tmpfiles.d", "usr/lib/sysusers.d", "usr/lib/mime",     "etc/cron.daily",
                "etc/cron.weekly",    "etc/systemd",        "etc/init.d",       "etc/apparmor.d",
                "etc/logrotate.d",    "etc/ld.so.conf.d",   "lib/systemd",
        };

        for (size_t i = 0; i < ELEMENTSOF(skip); i++)
                if (strcmp(rel, skip[i]) == 0)
                        return true;
        /* The libraries come by the programs' needs, not as a whole. */
        if (strncmp(rel, "usr/lib/", 8) == 0 && strcmp(rel + 8, a->triplet) == 0)
                return true;
        /* Manual pages in English only: usr/share/man/man1, not usr/share/man/de. */
        return strncmp(rel, "usr/share/man/", 14) == 0 && !strchr(rel + 14, '/') && strncmp(rel + 14, "man", 3) != 0;
}

int link_target_in_cart(const struct cart_arch *a, const char *link_rel, const char *target, char **ret)
{
        _cleanup_free_ char *where = NULL, *rel = NULL;
        const char *slash = strrchr(link_rel, '/');
        int r;

        /* Where the link leads in the package's tree, then where that is in the
         * cart: right although the cart moves some directories up or down a
         * level (/lib/terminfo, the gconv modules). */
        if (target[0] == '/')
                where = strdup(target);
        else if (asprintf(&where, "/%.*s/%s", (int)(slash ? slash - link_rel : 0), link_rel, target) < 0)
                where = NULL;
        if (!where)
                return -ENOMEM;
        r = normalize_path(where);
        if (r < 0)
                return r;
        r = cart_rel(a, where, &rel);
        if (r < 0)
                return r;
        return asprintf(ret, CART_PATH "/%s", rel) < 0 ? -ENOMEM : 0;
}

int alternative_target(const char *link_rel, const char *path_rel, char **ret)
{
        const char *slash = strrchr(link_rel, '/');
        size_t dir;

        if (!slash)
                return -EINVAL;
        dir = (size_t)(slash - link_rel) + 1;
        if (strncmp(link_rel, path_rel, dir) == 0 && !strchr(path_rel + dir, '/'))
                *ret = strdup(path_rel + dir);
        else if (asprintf(ret, CART_PATH "/%s", path_rel) < 0)
                *ret = NULL;
        return *ret ? 0 : -ENOMEM;
}

int padded_path(const char *from, const char *rel, char **ret)
{
        size_t n = strlen(from), head = strlen(CART_PATH), tail = strlen(rel);
        char *s;

        if (head + 1 + tail > n)
                return -ENAMETOOLONG;
        s = malloc(n + 1);
        if (!s)
                return -ENOMEM;
        memcpy(s, CART_PATH, head);
        memset(s + head, '/', n - head - tail);
        memcpy(s + n - tail, rel, tail + 1);
        *ret = s;
        return 0;
}

size_t replace_all(char *buf, size_t len, const char *from, const char *to, size_t n)
{
        size_t hits = 0;

        for (char *s = buf; (s = memmem(s, len - (size_t)(s - buf), from, n)); s += n) {
                memcpy(s, to, n);
                hits++;
        }
        return hits;
}

static int set_patch(struct byte_patch *p, const char *from, size_t len, const char *to, size_t to_len,
                     bool required)
{
        if (len != to_len)
                return -EINVAL;
        if (len > sizeof(p->from))
                return -ENAMETOOLONG;
        *p = (struct byte_patch){ .len = len, .required = required };
        memcpy(p->from, from, len);
        memcpy(p->to, to, len);
        return 0;
}

/* A library directory of the loader's (/usr/lib/TRIPLET/) pointed to a directory
 * of the cart that does not exist, CART_PATH/.noneN/, padded to its length. */
static int loader_dir_patch(struct byte_patch *p, const char *dir, const char *triplet, const char *none)
{
        char from[sizeof(p->from) + 1], to[sizeof(p->to) + 1];
        int n = snprintf(from, sizeof(from), "%s%s/", dir, triplet);
        int k = snprintf(to, sizeof(to), CART_PATH "/%s/", none);

        if (n < 0 || k < 0 || (size_t)n >= sizeof(from) || k > n)
                return -ENAMETOOLONG;
        if (k < n) {
                memset(to + k, 'x', (size_t)(n - k - 1));
                to[n - 1] = '/';
        }
        return set_patch(p, from, (size_t)n, to, (size_t)n, false);
}

int loader_patches(const struct cart_arch *a, struct byte_patch ret[static LOADER_PATCHES])
{
#define PATCH(p, f, t, req) set_patch(p, f, sizeof(f) - 1, t, sizeof(t) - 1, req)
        int r;

        if ((r = PATCH(&ret[0], "/etc/ld.so.cache", CART_PATH "/c", true)) < 0 ||
            (r = PATCH(&ret[1], "/etc/ld.so.preload", CART_PATH "/" CART_PRELOAD_LIST_NAME, true)) < 0 ||
            (r = loader_dir_patch(&ret[2], "/usr/lib/", a->triplet, ".none2")) < 0 ||
            (r = loader_dir_patch(&ret[3], "/lib/", a->triplet, ".none1")) < 0 ||
            (r = PATCH(&ret[4], "/usr/lib/", "/dev/ccx/", false)) < 0 ||
            /* "/lib/" alone, between the NULs of the list of system directories. */
            (r = PATCH(&ret[5], "\0/lib/\0", "\0/ccx/\0", false)) < 0)
                return r;
        return 0;
#undef PATCH
}

int loader_raise_static_tls(char *buf, size_t len, uint64_t value)
{
        static const char name[] = "glibc.rtld.optional_static_tls";
        static const unsigned char range[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
        char *n = memmem(buf, len, name, sizeof(name)); /* with its NUL */
        char *found = NULL;
        size_t start, end;
        uint64_t def;

        if (!n)
                return -ENOENT;
        /* The entry's name is a char array at its start, so the entry is
         * 8-aligned from there; the default follows min and max within 128 bytes. */
        start = (size_t)(n - buf);
        end = start + 128 < len ? start + 128 : len;
        for (size_t o = start + sizeof(name); o + 24 <= end; o++) {
                if ((o - start) % 8 != 0 || memcmp(buf + o, range, sizeof(range)) != 0)
                        continue;
                if (found)
                        return -ENOENT;
                found = buf + o + 16;
        }
        if (!found)
                return -ENOENT;
        memcpy(&def, found, sizeof(def));
        if (le64toh(def) != 512)
                return -ERANGE;
        def = htole64(value);
        memcpy(found, &def, sizeof(def));
        return 0;
}

int path_patches(const struct cart_arch *a, struct byte_patch ret[static PATH_PATCHES])
{
        static const struct {
                const char *from;
                bool in_arch;   /* from is in /usr/lib/TRIPLET/ */
                const char *rel;
        } paths[PATH_PATCHES] = {
                /* libc: iconv's modules and their cache. */
                { "gconv", true, "lib/gconv" },
                /* ncurses: the cart's terminal descriptions, for every program. */
                { "/etc/terminfo:/lib/terminfo:/usr/share/terminfo", false, "share/terminfo" },
                /* bash: not the container's /etc/bash.bashrc (a name the cart does not have). */
                { "/etc/bash.bashrc", false, "-" },
                /* libcrypto: openssl's providers and engines. */
                { "ossl-modules", true, "lib/ossl-modules" },
                { "engines-3", true, "lib/engines-3" },
                /* man-db's helpers, linked into bin/ with the data. */
                { "/usr/libexec/man-db/zsoelim", false, "bin/zsoelim" },
                { "/usr/libexec/man-db/manconv", false, "bin/manconv" },
        };

        for (size_t i = 0; i < PATH_PATCHES; i++) {
                _cleanup_free_ char *from = NULL, *to = NULL;
                int r;

                if (paths[i].in_arch)
                        r = asprintf(&from, "/usr/lib/%s/%s", a->triplet, paths[i].from) < 0 ? -ENOMEM : 0;
                else
                        r = (from = strdup(paths[i].from)) ? 0 : -ENOMEM;
                if (r < 0)
                        return r;
                r = padded_path(from, paths[i].rel, &to);
                if (r < 0)
                        return r;
                r = set_patch(&ret[i], from, strlen(from), to, strlen(to), false);
                if (r < 0)
                        return r;
        }
        return 0;
}

size_t apply_patches(char *buf, size_t len, const struct byte_patch *patches, size_t n,
                     const struct byte_patch **ret_missing)
{
        size_t hits = 0;

        if (ret_missing)
                *ret_missing = NULL;
        for (size_t i = 0; i < n; i++) {
                size_t h = replace_all(buf, len, patches[i].from, patches[i].to, patches[i].len);

                if (h == 0 && patches[i].required && ret_missing && !*ret_missing)
                        *ret_missing = &patches[i];
                hits += h;
        }
        return hits;
}

int shebang_in_cart(const char *text, size_t len, char **ret_name, char **ret_text)
{
        _cleanup_free_ char *name = NULL;
        const char *p, *rest;

        if (len < 4 || strncmp(text, "#!", 2) != 0)
                return -ENOENT;
        p = text + 2 + strspn(text + 2, " ");
        if (strncmp(p, "/usr/bin/", 9) == 0)
                p += 9;
        else if (strncmp(p, "/bin/", 5) == 0)
                p += 5;
        else
                return -ENOENT;
        rest = p + strcspn(p, " \n");
        name = strndup(p, (size_t)(rest - p));
        if (!name || asprintf(ret_text, "#!" CART_BIN "/%s%s", name, rest) < 0)
                return -ENOMEM;
        *ret_name = TAKE_PTR(name);
        return 0;
}

bool is_deb_of(const char *file, const char *pkg)
{
        size_t n = strlen(pkg);

        return strncmp(file, pkg, n) == 0 && file[n] == '_' && has_suffix(file, ".deb");
}

bool is_nss_module(const char *name)
{
        return strncmp(name, "libnss_", 7) == 0 && has_suffix(name, ".so.2");
}
