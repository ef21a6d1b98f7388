/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The redirections' pure part (src/cart-build/layout.c): names that never exist,
 * the templates, every entry of the tables as the patch it makes, the text
 * rewrites, the programs left out and the stubs. */
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"
#include "cart-build/layout.h"
#include "cart/layout.h"
#include "harness.h"

static const struct redirect_vars debian12 = {
        .triplet = "x86_64-linux-gnu",
        .loader = "ld-linux-x86-64.so.2",
        .perl = "5.36",
        .perl_full = "5.36.0",
        .groff = "1.22.4",
};

static char *nowhere(const char *from, const char *name)
{
        char *s = NULL;
        int r = nowhere_path(from, name, &s);

        return r == -ENAMETOOLONG ? strdup("-ENAMETOOLONG") : r < 0 ? strdup("error") : s;
}

static char *expanded(const char *t, const struct redirect_vars *v)
{
        char *s = NULL;
        int r = redirect_expand(t, v, &s);

        return r == -ENOENT ? strdup("-ENOENT") : r < 0 ? strdup("error") : s;
}

#define CHECK_STR_FREE(expr, expected)          \
        do {                                    \
                char *_s = (expr);              \
                CHECK_STR(_s, expected);        \
                free(_s);                       \
        } while (0)

TEST(nowhere_path)
{
        CHECK_STR_FREE(nowhere("/usr/lib/ssl", "ssl"), "/proc//0/ssl");
        CHECK_STR_FREE(nowhere("/etc/krb5.conf", "krb5.c"), "/proc/0/krb5.c");
        CHECK_STR_FREE(nowhere("/etc/inputrc", "irc"), "/proc//0/irc");
        CHECK_STR_FREE(nowhere("~/.inputrc", "ir"), "/proc/0/ir");
        CHECK_STR_FREE(nowhere("/etc/perl", "perl"), "-ENAMETOOLONG");
        CHECK_STR_FREE(nowhere("/etc/x", ""), "-ENAMETOOLONG");
}

TEST(redirect_expand)
{
        struct redirect_vars no_perl = debian12;

        no_perl.perl = no_perl.perl_full = NULL;
        CHECK_STR_FREE(expanded("/usr/lib/{T}/perl/{PERL}", &debian12), "/usr/lib/x86_64-linux-gnu/perl/5.36");
        CHECK_STR_FREE(expanded("{PERLFULL}/{PERL}{GROFF}", &debian12), "5.36.0/5.361.22.4");
        CHECK_STR_FREE(expanded(CART_LIB "/{LOADER}", &debian12), CART_LIB "/ld-linux-x86-64.so.2");
        CHECK_STR_FREE(expanded("/usr/lib/{T}/perl/{PERL}", &no_perl), "-ENOENT");
        CHECK_STR_FREE(expanded("no {braces} here {", &no_perl), "no {braces} here {");
}

/* Every entry: a patch as long as its string, into the cart or /proc/0 only, with
 * no template left; Debian 12's strings as docs/cart-loads.md found them. */
TEST(cart_redirects)
{
        size_t every_elf = 0;

        for (size_t k = 0; k < cart_arches_n; k++)
                for (size_t i = 0; i < cart_redirects_n; i++) {
                        struct redirect_vars v = debian12;
                        struct byte_patch p;
                        char *file = NULL;
                        int r;

                        v.triplet = cart_arches[k].triplet;
                        v.loader = cart_arches[k].loader;
                        r = redirect_patch(&cart_redirects[i], &v, &file, &p);
                        CHECK(r == 0);
                        if (r < 0)
                                continue;
                        CHECK(p.len > 0 && p.len <= sizeof(p.from));
                        CHECK(p.from[p.len - 1] == (cart_redirects[i].with_nul ? 0 : p.from[p.len - 1]));
                        CHECK(strncmp(p.to, CART_PATH "/", strlen(CART_PATH) + 1) == 0 ||
                              strncmp(p.to, "/proc/", 6) == 0);
                        CHECK(!memmem(p.from, p.len, "{", 1) && !memmem(p.to, p.len, "{", 1));
                        CHECK(!memmem(p.to, p.len, "/..", 3));
                        /* Never the container's: the padding stays in the cart's or
                         * /proc's first component. */
                        if (strncmp(p.to, "/proc/", 6) == 0)
                                CHECK(memmem(p.to, p.len, "/0/", 3) && !memmem(p.to, p.len, "0//", 3));
                        if (!file)
                                every_elf++;
                        else
                                CHECK(strncmp(file, "bin/", 4) == 0 || strncmp(file, "sbin/", 5) == 0 ||
                                      strncmp(file, "lib/", 4) == 0);
                        /* Keyed to a file: required, but for the one copy only one
                         * architecture's compiler makes. */
                        CHECK(cart_redirects[i].required || !file ||
                              strcmp(cart_redirects[i].from, "/etc/nsswitch.co") == 0);
                        free(file);
                }
        CHECK(every_elf == cart_arches_n);
}

/* The redirect table's entry that rewrites from in file, as "FROM -> TO". */
static char *entry(const char *file, const char *from, const struct redirect_vars *v)
{
        for (size_t i = 0; i < cart_redirects_n; i++) {
                struct byte_patch p;
                char *f = NULL, *s = NULL;

                if (redirect_patch(&cart_redirects[i], v, &f, &p) < 0)
                        continue;
                if (f && strcmp(f, file) == 0 && strcmp(p.from, from) == 0 &&
                    asprintf(&s, "%s -> %.*s%s", from, (int)strnlen(p.to, p.len), p.to,
                             cart_redirects[i].with_nul ? "@" : "") < 0)
                        s = NULL;
                free(f);
                if (s)
                        return s;
        }
        return strdup("none");
}

TEST(cart_redirects_debian12)
{
        struct redirect_vars arm = debian12;

        arm.triplet = "aarch64-linux-gnu";
        CHECK_STR_FREE(entry("lib/libc.so.6", "/etc/nsswitch.conf", &debian12),
                       "/etc/nsswitch.conf -> " CART_PATH "//nf");
        /* The inlined 16 bytes, which libc completes with "nf". */
        CHECK_STR_FREE(entry("lib/libc.so.6", "/etc/nsswitch.co", &debian12), "/etc/nsswitch.co -> " CART_PATH "//");
        CHECK_STR_FREE(entry("lib/libc.so.6", "/usr/share/locale", &debian12), "/usr/share/locale -> " CART_PATH "/lo");
        CHECK_STR_FREE(entry("lib/libcrypto.so.3", "/usr/lib/ssl", &debian12), "/usr/lib/ssl -> /proc//0/ssl@");
        CHECK_STR_FREE(entry("lib/libsasl2.so.2", "/usr/lib/x86_64-linux-gnu/sasl2", &debian12),
                       "/usr/lib/x86_64-linux-gnu/sasl2 -> " CART_PATH "////////lib/sasl2");
        CHECK_STR_FREE(entry("lib/libsasl2.so.2", "/usr/lib/aarch64-linux-gnu/sasl2", &arm),
                       "/usr/lib/aarch64-linux-gnu/sasl2 -> " CART_PATH "/////////lib/sasl2");
        CHECK_STR_FREE(entry("bin/bash", "~/.bashrc", &debian12), "~/.bashrc -> /proc/0/b");
        CHECK_STR_FREE(entry("bin/tar", "/usr/bin/rsh", &debian12), "/usr/bin/rsh -> /proc//0/rsh");
        CHECK_STR_FREE(entry("bin/perl", "/usr/share/perl/5.36", &debian12),
                       "/usr/share/perl/5.36 -> " CART_PATH "//perl");
        CHECK_STR_FREE(entry("bin/perl", "/usr/share/perl5", &debian12), "/usr/share/perl5 -> " CART_PATH "/P");
        CHECK_STR_FREE(entry("lib/libperl.so.5.36", "/etc/perl", &debian12), "/etc/perl -> /proc/0/p@");
        CHECK_STR_FREE(entry("lib/libperl.so.5.36", "/usr/lib/x86_64-linux-gnu/perl-base", &debian12), "none");
        CHECK_STR_FREE(entry("bin/troff",
                             "/usr/lib/groff/site-tmac:/usr/share/groff/site-tmac:/usr/share/groff/1.22.4/tmac:"
                             "/usr/share/groff/tmac",
                             &debian12),
                       "/usr/lib/groff/site-tmac:/usr/share/groff/site-tmac:/usr/share/groff/1.22.4/tmac:"
                       "/usr/share/groff/tmac -> " CART_PATH "////////////////////////////////////etc/groff:"
                       CART_PATH "/usr/share/groff/1.22.4/tmac");
}

TEST(redirects_apply_in_order)
{
        /* libc 2.36's two copies: the string, and the inlined 16 bytes before "nf". */
        char libc[] = "x/etc/nsswitch.conf\0y/etc/nsswitch.co<";
        struct byte_patch p[2];
        char *f1 = NULL, *f2 = NULL;
        size_t k = 0;

        for (size_t i = 0; i < cart_redirects_n && k < 2; i++)
                if (cart_redirects[i].file && strcmp(cart_redirects[i].file, "lib/libc.so.6") == 0) {
                        CHECK(redirect_patch(&cart_redirects[i], &debian12, k ? &f2 : &f1, &p[k]) == 0);
                        k++;
                }
        CHECK(k == 2);
        CHECK(apply_patches(libc, sizeof(libc) - 1, p, 2, NULL) == 2);
        CHECK(memcmp(libc, "x" CART_PATH "//nf\0y" CART_PATH "//<", sizeof(libc)) == 0);
        free(f1);
        free(f2);
}

static char *text_applied(const char *file, const char *text, size_t *ret_hits)
{
        for (size_t i = 0; i < cart_text_redirects_n; i++) {
                char *s = NULL;

                if (strcmp(cart_text_redirects[i].file, file) != 0)
                        continue;
                if (text_redirect_apply(&cart_text_redirects[i], &debian12, text, strlen(text), &s, ret_hits) < 0)
                        return strdup("error");
                return s;
        }
        return strdup("none");
}

TEST(cart_text_redirects)
{
        size_t hits = 0;

        CHECK_STR_FREE(text_applied("bin/ldd", "#!/bin/bash\nRTLDLIST=\"/lib/ld-linux.so.2 /lib64/ld\"\nx\n", &hits),
                       "#!/bin/bash\nRTLDLIST=\"" CART_LIB "/ld-linux-x86-64.so.2\"\nx\n");
        CHECK(hits == 1);
        CHECK_STR_FREE(text_applied("bin/bzgrep", "a\nPATH=\"/usr/bin:$PATH\"; export PATH\nb", &hits),
                       "a\n: # crashcart: PATH as it is\nb");
        CHECK(hits == 1);
        /* Only at the start of a line. */
        CHECK_STR_FREE(text_applied("bin/bzgrep", "x PATH=\"/usr/bin:$PATH\"\n", &hits), "x PATH=\"/usr/bin:$PATH\"\n");
        CHECK(hits == 0);
        CHECK_STR_FREE(text_applied("bin/nroff", "G=\"${GROFF_BIN_PATH=/usr/bin}:\"\n", &hits),
                       "G=\"${GROFF_BIN_PATH=" CART_BIN "}:\"\n");
        CHECK(hits == 1);
        CHECK_STR_FREE(text_applied("lib/perl-base/Cwd.pm", "('/bin/pwd', '/bin/pwd',\n", &hits),
                       "('" CART_BIN "/pwd', '" CART_BIN "/pwd',\n");
        CHECK(hits == 2);
        for (size_t i = 0; i < cart_text_redirects_n; i++)
                CHECK(cart_text_redirects[i].required);
}

TEST(dropped_programs)
{
        static const char *const dropped[] = { "su", "runuser", "passwd", "chsh", "unix_chkpwd", "pam_timestamp_check",
                                               "routel", "sensible-editor", "select-editor", "dpkg-realpath",
                                               "dpkg", "debconf-show", "ucf", "invoke-rc.d", "service",
                                               "update-rc.d", "update-ca-certificates", "useradd", "adduser",
                                               "deb-systemd-helper", "installkernel", "bashbug", "vipw" };
        static const char *const kept[] = { "ls", "sulogin", "sum", "bash", "gdb", "setpriv", "nsenter", "id",
                                            "getent", "groups", "pwd", "ps", "passwdx", "update", "dpk" };

        for (size_t i = 0; i < ELEMENTSOF(dropped); i++)
                if (!is_dropped_program(dropped[i]))
                        harness_fail(__FILE__, __LINE__, "'%s' is not dropped", dropped[i]);
        for (size_t i = 0; i < ELEMENTSOF(kept); i++)
                if (is_dropped_program(kept[i]))
                        harness_fail(__FILE__, __LINE__, "'%s' is dropped", kept[i]);
}

TEST(stubs_and_module_dirs)
{
        size_t n = 0;
        bool has_xz = false, has_refer = false;

        for (; cart_stubbed_programs[n]; n++) {
                has_xz = has_xz || strcmp(cart_stubbed_programs[n], "xz") == 0;
                has_refer = has_refer || strcmp(cart_stubbed_programs[n], "refer") == 0;
                CHECK(!strchr(cart_stubbed_programs[n], '/'));
        }
        CHECK(n > 10 && has_xz && has_refer);
        /* Each directory a CART redirect names is one the cart makes. */
        for (size_t i = 0; i < cart_redirects_n; i++) {
                const struct redirect *r = &cart_redirects[i];
                bool made = false;

                if (r->kind != REDIRECT_CART || strncmp(r->to, "lib/", 4) != 0 || strstr(r->to, "perl"))
                        continue;
                for (size_t k = 0; k < cart_module_dirs_n; k++)
                        made = made || strncmp(r->to, cart_module_dirs[k].dir, strlen(cart_module_dirs[k].dir)) == 0;
                if (!made)
                        harness_fail(__FILE__, __LINE__, "'%s' is not made", r->to);
        }
}
