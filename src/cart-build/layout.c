/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <elf.h>
#include <endian.h>
#include <errno.h>
#include <fnmatch.h>
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

int nowhere_path(const char *from, const char *name, char **ret)
{
        static const char head[] = "/proc", tail[] = "/0/";
        size_t n = strlen(from), k = strlen(name), fixed = strlen(head) + strlen(tail) + k;
        char *s;

        if (fixed > n)
                return -ENAMETOOLONG;
        if (asprintf(&s, "%s%*s%s%s", head, (int)(n - fixed), "", tail, name) < 0)
                return -ENOMEM;
        memset(s + strlen(head), '/', n - fixed);
        *ret = s;
        return 0;
}

int redirect_expand(const char *template, const struct redirect_vars *v, char **ret)
{
        const struct {
                const char *name, *value;
        } vars[] = {
                { "{T}", v->triplet },   { "{LOADER}", v->loader }, { "{PERLFULL}", v->perl_full },
                { "{PERL}", v->perl },   { "{GROFF}", v->groff },
        };
        _cleanup_free_ char *s = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&s, &len);

        if (!f)
                return -ENOMEM;
        for (const char *p = template; *p;) {
                size_t i;

                for (i = 0; i < ELEMENTSOF(vars); i++)
                        if (strncmp(p, vars[i].name, strlen(vars[i].name)) == 0)
                                break;
                if (i == ELEMENTSOF(vars)) {
                        fputc(*p++, f);
                        continue;
                }
                if (!vars[i].value) {
                        fclose(f);
                        return -ENOENT;
                }
                fputs(vars[i].value, f);
                p += strlen(vars[i].name);
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        *ret = TAKE_PTR(s);
        return 0;
}

/* Every path below was found in the packages of data/default.list (Debian 12) by
 * docs/cart-loads.md; "required" makes a Debian update that moves one fail the
 * build instead of leaving the container's file read. The longer of two
 * overlapping strings of one file comes first: the patches apply in order. */
#define R(file, from, kind, to) { file, from, false, kind, to, true }
#define R0(file, from, kind, to) { file, from, true, kind, to, true }
const struct redirect cart_redirects[] = {
        /* V01: the name-service switch: the cart's (files; files dns for hosts),
         * never the container's, which can name a module by path. glibc 2.36 also
         * builds the name from an inlined 16-byte constant followed by "nf": the
         * first 16 bytes of the cart's name, "/dev/crashcart//" + "nf". That copy
         * is amd64's compiler's (arm64's libc copies the whole string), so it is
         * not required; the whole string is. */
        R("lib/libc.so.6", "/etc/nsswitch.conf", REDIRECT_CART, "nf"),
        { "lib/libc.so.6", "/etc/nsswitch.co", false, REDIRECT_CART, "", false },
        /* V39: message catalogs are printf formats: the cart's (none: English). */
        R("lib/libc.so.6", "/usr/share/locale", REDIRECT_CART, "lo"),
        { NULL, "/usr/share/locale", false, REDIRECT_CART, "lo", false },
        /* V05/V06: OPENSSLDIR (openssl.cnf: providers, engines, .include). The CA
         * files are strings of their own: the container's CA store is still read. */
        R0("lib/libcrypto.so.3", "/usr/lib/ssl", REDIRECT_NOWHERE, "ssl"),
        /* V07: SASL's plugins and configuration. */
        R("lib/libsasl2.so.2", "/etc/sasl2:/etc/sasl:/usr/lib/{T}/sasl2:/usr/lib/sasl2", REDIRECT_CART, "lib/sasl2"),
        R("lib/libsasl2.so.2", "/usr/lib/{T}/sasl2", REDIRECT_CART, "lib/sasl2"),
        /* V12: p11-kit's module configuration (GnuTLS). */
        R("lib/libp11-kit.so.0", "~/.config/pkcs11/pkcs11.conf", REDIRECT_NOWHERE, "p11user.conf"),
        R("lib/libp11-kit.so.0", "~/.config/pkcs11/modules", REDIRECT_NOWHERE, "p11usermods"),
        R("lib/libp11-kit.so.0", "/etc/pkcs11/pkcs11.conf", REDIRECT_NOWHERE, "pkcs11.conf"),
        R("lib/libp11-kit.so.0", "/etc/pkcs11/modules", REDIRECT_NOWHERE, "p11mods"),
        R("lib/libp11-kit.so.0", "/usr/share/p11-kit/modules", REDIRECT_NOWHERE, "p11shmods"),
        R("lib/libp11-kit.so.0", "/usr/lib/{T}/pkcs11", REDIRECT_CART, "lib/pkcs11"),
        /* V34/V35: Kerberos' configuration and plugins, GSS-API's mechanisms. */
        R("lib/libkrb5.so.3", "/etc/krb5.conf", REDIRECT_NOWHERE, "krb5.c"),
        R("lib/libkrb5.so.3", "/usr/lib/{T}/krb5/plugins", REDIRECT_CART, "lib/krb5/plugins"),
        R("lib/libgssapi_krb5.so.2", "/etc/gss/mech.d/*.conf", REDIRECT_NOWHERE, "gssmd/*.conf"),
        R("lib/libgssapi_krb5.so.2", "/etc/gss/mech", REDIRECT_NOWHERE, "gssm"),
        R("lib/libgssapi_krb5.so.2", "/usr/lib/{T}/gss/", REDIRECT_CART, "lib/gss/"),
        /* V15: readline's inputrc can bind a key to a typed shell command. */
        R("lib/libreadline.so.8", "/etc/inputrc", REDIRECT_NOWHERE, "irc"),
        R("lib/libreadline.so.8", "~/.inputrc", REDIRECT_NOWHERE, "ir"),
        /* V15, V43: bash's own readline, and its startup files (an explicit
         * `bash`, `bash -l`; the default shell has --rcfile). */
        R("bin/bash", "/etc/inputrc", REDIRECT_NOWHERE, "irc"),
        R("bin/bash", "~/.inputrc", REDIRECT_NOWHERE, "ir"),
        R("bin/bash", "~/.bashrc", REDIRECT_NOWHERE, "b"),
        R("bin/bash", "/etc/profile", REDIRECT_NOWHERE, "prf"),
        R("bin/bash", "~/.bash_profile", REDIRECT_NOWHERE, "bprf"),
        R("bin/bash", "~/.bash_login", REDIRECT_NOWHERE, "blog"),
        R("bin/bash", "~/.profile", REDIRECT_NOWHERE, "p"),
        R("bin/bash", "~/.bash_logout", REDIRECT_NOWHERE, "blo"),
        R("bin/bash", "/etc/bash.bash_logout", REDIRECT_NOWHERE, "bblo"),
        /* V16-V18: less's lesskey files (#env LESSOPEN: a command) and editor. */
        R("bin/less", "/etc/syslesskey", REDIRECT_NOWHERE, "slk"),
        R("bin/less", "/etc/sysless", REDIRECT_NOWHERE, "sl"),
        R("bin/less", "/usr/bin/.sysless", REDIRECT_NOWHERE, "usl"),
        R("bin/less", "/usr/bin/editor", REDIRECT_NOWHERE, "editor"),
        /* V27: tar's HOST:FILE archives. */
        R("bin/tar", "/usr/bin/rsh", REDIRECT_NOWHERE, "rsh"),
        /* V29: stdbuf's preload library: the one beside it (bin/libstdbuf.so). */
        R("bin/stdbuf", "/usr/libexec/coreutils", REDIRECT_NOWHERE, "coreutils"),
        R("bin/stdbuf", "/usr/lib/{T}/coreutils", REDIRECT_NOWHERE, "coreutils"),
        /* V23: groff's fonts (DESC names a postprocessor) and macros. */
        R("bin/groff", "/usr/share/groff/site-font:/usr/share/groff/{GROFF}/font:/usr/lib/font", REDIRECT_CART,
          "usr/share/groff/{GROFF}/font"),
        R("bin/troff", "/usr/share/groff/site-font:/usr/share/groff/{GROFF}/font:/usr/lib/font", REDIRECT_CART,
          "usr/share/groff/{GROFF}/font"),
        R("bin/grotty", "/usr/share/groff/site-font:/usr/share/groff/{GROFF}/font:/usr/lib/font", REDIRECT_CART,
          "usr/share/groff/{GROFF}/font"),
        R("bin/grops", "/usr/share/groff/site-font:/usr/share/groff/{GROFF}/font:/usr/lib/font", REDIRECT_CART,
          "usr/share/groff/{GROFF}/font"),
        R("bin/troff",
          "/usr/lib/groff/site-tmac:/usr/share/groff/site-tmac:/usr/share/groff/{GROFF}/tmac:/usr/share/groff/tmac",
          REDIRECT_CART, "etc/groff:" CART_PATH "/usr/share/groff/{GROFF}/tmac"),
        R("bin/eqn",
          "/usr/lib/groff/site-tmac:/usr/share/groff/site-tmac:/usr/share/groff/{GROFF}/tmac:/usr/share/groff/tmac",
          REDIRECT_CART, "etc/groff:" CART_PATH "/usr/share/groff/{GROFF}/tmac"),
        /* V30/V31: iproute2's and xtables' module directories. */
        R("bin/ip", "/usr/lib/{T}/ip", REDIRECT_CART, "lib/ip"),
        R("sbin/ip", "/usr/lib/{T}/ip", REDIRECT_CART, "lib/ip"),
        R("sbin/tc", "/usr/lib/{T}/tc/", REDIRECT_CART, "lib/tc/"),
        R("lib/libxtables.so.12", "/usr/lib/{T}/xtables", REDIRECT_CART, "lib/xtables"),
        /* V19: perl's @INC: the cart's core modules only (lib/perl-base,
         * lib/perl/VERSION, and the links P and perl to usr/share's). */
#define PERL_INC(file, ...)                                                                        \
        R(file, "/usr/local/lib/{T}/perl/{PERLFULL}", REDIRECT_NOWHERE, "pl1"),                    \
        R(file, "/usr/local/share/perl/{PERLFULL}", REDIRECT_NOWHERE, "pl2"),                      \
        R(file, "/usr/local/lib/site_perl", REDIRECT_NOWHERE, "pl3"),                              \
        R(file, "/usr/lib/{T}/perl5/{PERL}", REDIRECT_CART, "lib/perl5/{PERL}"),                   \
        __VA_ARGS__                                                                                \
        R(file, "/usr/lib/{T}/perl/{PERL}", REDIRECT_CART, "lib/perl/{PERL}"),                     \
        R(file, "/usr/share/perl/{PERL}", REDIRECT_CART, "perl"),                                  \
        R(file, "/usr/share/perl5", REDIRECT_CART, "P"),                                           \
        R0(file, "/etc/perl", REDIRECT_NOWHERE, "p")
        PERL_INC("bin/perl", R("bin/perl", "/usr/lib/{T}/perl-base", REDIRECT_CART, "lib/perl-base"),),
        PERL_INC("lib/libperl.so.{PERL}"),
#undef PERL_INC
};
const size_t cart_redirects_n = ELEMENTSOF(cart_redirects);
#undef R
#undef R0

int redirect_patch(const struct redirect *r, const struct redirect_vars *v, char **ret_file,
                   struct byte_patch *ret)
{
        _cleanup_free_ char *file = NULL, *from = NULL, *to_rel = NULL, *to = NULL;
        size_t len;
        int k;

        if ((r->file && (k = redirect_expand(r->file, v, &file)) < 0) ||
            (k = redirect_expand(r->from, v, &from)) < 0 || (k = redirect_expand(r->to, v, &to_rel)) < 0)
                return k;
        k = r->kind == REDIRECT_CART ? padded_path(from, to_rel, &to) : nowhere_path(from, to_rel, &to);
        if (k < 0)
                return k;
        /* With its NUL: the string's terminator is copied too. */
        len = strlen(from) + (r->with_nul ? 1 : 0);
        k = set_patch(ret, from, len, to, len, r->required);
        if (k < 0)
                return k;
        *ret_file = TAKE_PTR(file);
        return 0;
}

#define T(file, from, to) { file, false, from, to, true }
#define TL(file, from, to) { file, true, from, to, true }
const struct text_redirect cart_text_redirects[] = {
        /* V38: ldd runs the loaders it lists, by path: the cart's only. */
        TL("bin/ldd", "RTLDLIST=", "RTLDLIST=\"" CART_LIB "/{LOADER}\""),
        /* V21: bzip2's scripts put /usr/bin (the container's) first in PATH. */
        TL("bin/bzcmp", "PATH=\"/usr/bin:", ": # crashcart: PATH as it is"),
        TL("bin/bzdiff", "PATH=\"/usr/bin:", ": # crashcart: PATH as it is"),
        TL("bin/bzgrep", "PATH=\"/usr/bin:", ": # crashcart: PATH as it is"),
        TL("bin/bzegrep", "PATH=\"/usr/bin:", ": # crashcart: PATH as it is"),
        TL("bin/bzfgrep", "PATH=\"/usr/bin:", ": # crashcart: PATH as it is"),
        TL("bin/bzless", "PATH=\"/usr/bin:", ": # crashcart: PATH as it is"),
        TL("bin/bzmore", "PATH=\"/usr/bin:", ": # crashcart: PATH as it is"),
        TL("bin/bzexe", "PATH=\"/usr/bin:", ": # crashcart: PATH as it is"),
        /* V22: neqn and nroff put GROFF_BIN_PATH, /usr/bin by default, first. */
        T("bin/neqn", "${GROFF_BIN_PATH=/usr/bin}", "${GROFF_BIN_PATH=" CART_BIN "}"),
        T("bin/nroff", "${GROFF_BIN_PATH=/usr/bin}", "${GROFF_BIN_PATH=" CART_BIN "}"),
        /* Cwd runs the first pwd of its list that is there (cpan). */
        T("lib/perl-base/Cwd.pm", "'/bin/pwd'", "'" CART_BIN "/pwd'"),
        T("lib/perl-base/Cwd.pm", "'/usr/bin/pwd'", "'" CART_BIN "/pwd'"),
        /* libperl's own Cwd.pm, first in @INC of perl5.N-TRIPLET (cpan5.N-TRIPLET). */
        T("lib/perl/{PERLFULL}/Cwd.pm", "'/bin/pwd'", "'" CART_BIN "/pwd'"),
        T("lib/perl/{PERLFULL}/Cwd.pm", "'/usr/bin/pwd'", "'" CART_BIN "/pwd'"),
};
const size_t cart_text_redirects_n = ELEMENTSOF(cart_text_redirects);
#undef T
#undef TL

int text_redirect_apply(const struct text_redirect *r, const struct redirect_vars *v, const char *text,
                        size_t len, char **ret, size_t *ret_hits)
{
        _cleanup_free_ char *from = NULL, *to = NULL, *s = NULL;
        size_t n, k = 0, hits = 0, out_len = 0;
        const char *p = text, *end = text + len;
        FILE *f;
        int e;

        if ((e = redirect_expand(r->from, v, &from)) < 0 || (e = redirect_expand(r->to, v, &to)) < 0)
                return e;
        n = strlen(from);
        f = open_memstream(&s, &out_len);
        if (!f)
                return -ENOMEM;
        while (p < end) {
                const char *eol = memchr(p, '\n', (size_t)(end - p));
                size_t line = eol ? (size_t)(eol - p) : (size_t)(end - p);

                if (r->whole_line) {
                        if (line >= n && memcmp(p, from, n) == 0) {
                                fputs(to, f);
                                hits++;
                        } else
                                fwrite(p, 1, line, f);
                } else
                        for (k = 0; k < line;) {
                                if (line - k >= n && memcmp(p + k, from, n) == 0) {
                                        fputs(to, f);
                                        k += n;
                                        hits++;
                                } else
                                        fputc(p[k++], f);
                        }
                if (eol)
                        fputc('\n', f);
                p += line + (eol ? 1 : 0);
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        *ret = TAKE_PTR(s);
        *ret_hits = hits;
        return 0;
}

bool is_dropped_program(const char *name)
{
        static const char *const dropped[] = {
                /* PAM: its modules are the container's (V32/V33); crashcart --user and
                 * setpriv switch users without it. */
                "su", "runuser", "passwd", "chfn", "chsh", "chpasswd", "chgpasswd", "newusers", "groupmems",
                "faillock", "pam_*", "mkhomedir_helper", "unix_chkpwd", "unix_update", "pwhistory_helper",
                /* The container's python3 (V20), its editor choice sourced (V36, V37),
                 * a bug mailer that puts /bin first. */
                "routel", "sensible-*", "select-editor", "bashbug",
                /* Administration that runs the container's scripts and hooks: dpkg,
                 * debconf, ucf, services, update-*, users and groups (shadow), the kernel. */
                "dpkg", "dpkg-*", "start-stop-daemon", "debconf", "debconf-*", "ucf", "ucfq", "ucfr", "lcf",
                "invoke-rc.d", "service", "update-*", "deb-systemd-*", "installkernel", "adduser", "addgroup",
                "deluser", "delgroup", "useradd", "userdel", "usermod", "groupadd", "groupdel", "groupmod",
                "vipw", "vigr", "cppw", "cpgr", "pwck", "grpck", "pwconv", "pwunconv", "grpconv", "grpunconv",
                "shadowconfig", "chage", "expiry", "gpasswd", "newgrp", "sg",
        };

        for (size_t i = 0; i < ELEMENTSOF(dropped); i++)
                if (fnmatch(dropped[i], name, 0) == 0)
                        return true;
        return false;
}

const char *const cart_stubbed_programs[] = {
        /* tar (V26), man-db (V25) and file -z (V28) decompress by name. */
        "xz", "unxz", "xzcat", "lzma", "unlzma", "lzcat", "zstd", "unzstd", "zstdcat", "lz4", "unlz4", "lz4cat",
        "lzip", "lunzip", "lzop", "lrzip", "brotli", "compress",
        /* man-db's preprocessors, named by a page's first line (V24). */
        "refer", "grap", "vgrind",
        NULL,
};

const struct module_dir cart_module_dirs[] = {
        { "lib/sasl2", NULL },
        { "lib/pkcs11", NULL },
        { "lib/krb5/plugins", NULL },
        { "lib/gss", NULL },
        { "lib/ip", NULL },
        /* tc's netem distributions (data); its modules, which need libraries the
         * cart may lack, stay out. */
        { "lib/tc", "usr/lib/{T}/tc" },
        { "lib/xtables", NULL },
};
const size_t cart_module_dirs_n = ELEMENTSOF(cart_module_dirs);
