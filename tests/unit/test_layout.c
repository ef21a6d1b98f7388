/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The cart builder's pure rules (src/cart-build/layout.c): where a Debian path
 * goes in the cart, what is left out, packages' links and alternatives, the
 * bytes patched into the loader and the libraries, and the architectures. */
#include <endian.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"
#include "cart-build/layout.h"
#include "cart/layout.h"
#include "harness.h"

static const struct cart_arch *amd64(void)
{
        return cart_arch_by_debian("amd64");
}

static const struct cart_arch *arm64(void)
{
        return cart_arch_by_debian("arm64");
}

/* cart_rel's answer as a string: the path, "-ENOENT", or "error". */
static char *rel_of(const struct cart_arch *a, const char *path)
{
        char *s = NULL;
        int r = cart_rel(a, path, &s);

        return r == -ENOENT ? strdup("-ENOENT") : r < 0 ? strdup("error") : s;
}

static char *normalized(const char *path)
{
        char *s = strdup(path);

        if (s && normalize_path(s) < 0) {
                free(s);
                return strdup("-EINVAL");
        }
        return s;
}

static char *link_target(const struct cart_arch *a, const char *link_rel, const char *target)
{
        char *s = NULL;
        int r = link_target_in_cart(a, link_rel, target, &s);

        return r == -ENOENT ? strdup("-ENOENT") : r < 0 ? strdup("error") : s;
}

static char *alt_target(const char *link_rel, const char *path_rel)
{
        char *s = NULL;
        int r = alternative_target(link_rel, path_rel, &s);

        return r == -EINVAL ? strdup("-EINVAL") : r < 0 ? strdup("error") : s;
}

static char *padded(const char *from, const char *rel)
{
        char *s = NULL;
        int r = padded_path(from, rel, &s);

        return r == -ENAMETOOLONG ? strdup("-ENAMETOOLONG") : r < 0 ? strdup("error") : s;
}

/* A patch as text; its NULs as '@'. */
static char *patch_text(const char *bytes, size_t len)
{
        char *s = malloc(len + 1);

        for (size_t i = 0; s && i < len; i++)
                s[i] = bytes[i] ? bytes[i] : '@';
        if (s)
                s[len] = 0;
        return s;
}

#define CHECK_STR_FREE(expr, expected)          \
        do {                                    \
                char *_s = (expr);              \
                CHECK_STR(_s, expected);        \
                free(_s);                       \
        } while (0)

TEST(arch_table)
{
        CHECK(amd64() && arm64());
        if (!amd64() || !arm64())
                return;
        CHECK_STR(amd64()->triplet, "x86_64-linux-gnu");
        CHECK_STR(amd64()->loader, "ld-linux-x86-64.so.2");
        CHECK_STR(amd64()->lib_dirs[0], "lib/x86_64-linux-gnu");
        CHECK_STR(amd64()->lib_dirs[2], "lib64");
        CHECK_STR(arm64()->triplet, "aarch64-linux-gnu");
        CHECK_STR(arm64()->loader, "ld-linux-aarch64.so.1");
        CHECK_STR(arm64()->lib_dirs[1], "usr/lib/aarch64-linux-gnu");
        CHECK(cart_arch_by_debian("i386") == NULL);
        CHECK(cart_arch_by_debian("") == NULL);
        CHECK(cart_arch_by_debian("x86_64") == NULL); /* the kernel's name is not dpkg's */
        for (size_t i = 0; i < cart_arches_n; i++) {
                const struct cart_arch *a = &cart_arches[i];
                size_t n = 0;

                CHECK(cart_arch_by_debian(a->debian) == a);
                while (n < ELEMENTSOF(a->lib_dirs) && a->lib_dirs[n])
                        n++;
                /* NULL-terminated, the triplet's directories first. */
                CHECK(n > 2 && n < ELEMENTSOF(a->lib_dirs));
                CHECK(strstr(a->lib_dirs[0], a->triplet) && strstr(a->lib_dirs[1], a->triplet));
        }
}

TEST(cart_rel)
{
        CHECK_STR_FREE(rel_of(amd64(), "/usr/bin/nc.openbsd"), "bin/nc.openbsd");
        CHECK_STR_FREE(rel_of(amd64(), "/bin/ls"), "bin/ls");
        CHECK_STR_FREE(rel_of(amd64(), "/usr/sbin/ip"), "sbin/ip");
        CHECK_STR_FREE(rel_of(amd64(), "/sbin/ip"), "sbin/ip");
        CHECK_STR_FREE(rel_of(amd64(), "/usr/lib/x86_64-linux-gnu/libc.so.6"), "lib/libc.so.6");
        CHECK_STR_FREE(rel_of(amd64(), "/lib/x86_64-linux-gnu/gconv/UTF-16.so"), "lib/gconv/UTF-16.so");
        CHECK_STR_FREE(rel_of(amd64(), "/lib/terminfo/x/xterm"), "usr/share/terminfo/x/xterm");
        CHECK_STR_FREE(rel_of(amd64(), "/lib/file/magic.mgc"), "usr/lib/file/magic.mgc");
        CHECK_STR_FREE(rel_of(amd64(), "/usr/share/man/man1/nc.1.gz"), "usr/share/man/man1/nc.1.gz");
        CHECK_STR_FREE(rel_of(amd64(), "/etc/ssl/openssl.cnf"), "etc/ssl/openssl.cnf");
        /* The directory itself, and another architecture's, are not lib/. */
        CHECK_STR_FREE(rel_of(amd64(), "/usr/lib/x86_64-linux-gnu"), "usr/lib/x86_64-linux-gnu");
        CHECK_STR_FREE(rel_of(amd64(), "/usr/lib/aarch64-linux-gnu/libc.so.6"), "usr/lib/aarch64-linux-gnu/libc.so.6");
        CHECK_STR_FREE(rel_of(arm64(), "/usr/lib/aarch64-linux-gnu/libc.so.6"), "lib/libc.so.6");
        CHECK_STR_FREE(rel_of(arm64(), "/lib/aarch64-linux-gnu/libm.so.6"), "lib/libm.so.6");
        /* Nowhere in the cart: the container's, or the host's. */
        CHECK_STR_FREE(rel_of(amd64(), "/opt/tool"), "-ENOENT");
        CHECK_STR_FREE(rel_of(amd64(), "/var/lib/x"), "-ENOENT");
        CHECK_STR_FREE(rel_of(amd64(), "/usr"), "-ENOENT");
        CHECK_STR_FREE(rel_of(amd64(), "relative/bin/ls"), "-ENOENT");
}

TEST(normalize_path)
{
        /* Commit 74be39d: '..' after a name removed nothing, so file's
         * magic.mgc link led to usr/share/lib/file. */
        CHECK_STR_FREE(normalized("/usr/share/file/../../lib/file/magic.mgc"), "/usr/lib/file/magic.mgc");
        CHECK_STR_FREE(normalized("/usr/share/misc/../file/magic"), "/usr/share/file/magic");
        CHECK_STR_FREE(normalized("/a/bb/ccc/../../d"), "/a/d");
        CHECK_STR_FREE(normalized("/a/b/.."), "/a");
        CHECK_STR_FREE(normalized("/a/./b//c/"), "/a/b/c");
        CHECK_STR_FREE(normalized("//usr///bin"), "/usr/bin");
        /* '..' of the root is the root. */
        CHECK_STR_FREE(normalized("/.."), "/");
        CHECK_STR_FREE(normalized("/../../etc/passwd"), "/etc/passwd");
        CHECK_STR_FREE(normalized("/a/../../b"), "/b");
        CHECK_STR_FREE(normalized("/"), "/");
        CHECK_STR_FREE(normalized("/."), "/");
        CHECK_STR_FREE(normalized("/..."), "/...");
        CHECK_STR_FREE(normalized("/a/..b/.c"), "/a/..b/.c");
        CHECK_STR_FREE(normalized("usr/bin"), "-EINVAL");
        CHECK_STR_FREE(normalized(""), "-EINVAL");
}

TEST(link_target_in_cart)
{
        /* A relative link climbs from the link's own directory (74be39d). */
        CHECK_STR_FREE(link_target(amd64(), "usr/share/file/magic.mgc", "../../lib/file/magic.mgc"),
                       CART_PATH "/usr/lib/file/magic.mgc");
        CHECK_STR_FREE(link_target(amd64(), "usr/share/misc/magic", "../file/magic"), CART_PATH "/usr/share/file/magic");
        CHECK_STR_FREE(link_target(amd64(), "usr/share/terminfo/1/1178", "../a/adm1178"),
                       CART_PATH "/usr/share/terminfo/a/adm1178");
        /* Into a directory the cart moved: /lib/terminfo, the gconv modules. */
        CHECK_STR_FREE(link_target(amd64(), "usr/share/terminfo/x/xterm", "../../../../lib/terminfo/x/xterm-debian"),
                       CART_PATH "/usr/share/terminfo/x/xterm-debian");
        CHECK_STR_FREE(link_target(amd64(), "usr/lib/x86_64-linux-gnu/gconv/UTF-7.so", "UTF-16.so"),
                       CART_PATH "/lib/gconv/UTF-16.so");
        CHECK_STR_FREE(link_target(arm64(), "usr/lib/aarch64-linux-gnu/gconv/UTF-7.so", "./UTF-16.so"),
                       CART_PATH "/lib/gconv/UTF-16.so");
        /* An absolute link names the package's path. */
        CHECK_STR_FREE(link_target(amd64(), "usr/share/man/man1/nc.openbsd.1.gz", "/usr/share/man/man1/nc_openbsd.1.gz"),
                       CART_PATH "/usr/share/man/man1/nc_openbsd.1.gz");
        CHECK_STR_FREE(link_target(amd64(), "etc/alternatives/vi", "/usr/bin/vim.tiny"), CART_PATH "/bin/vim.tiny");
        /* Never into the container: nowhere in the cart, no link. */
        CHECK_STR_FREE(link_target(amd64(), "usr/share/a", "/var/lib/a"), "-ENOENT");
        CHECK_STR_FREE(link_target(amd64(), "usr/share/a", "../../../../../var/lib/a"), "-ENOENT");
        CHECK_STR_FREE(link_target(amd64(), "toplevel", "elsewhere"), "-ENOENT");
}

TEST(alternative_target)
{
        CHECK_STR_FREE(alt_target("bin/nc", "bin/nc.openbsd"), "nc.openbsd");
        CHECK_STR_FREE(alt_target("bin/pager", "bin/less"), "less");
        CHECK_STR_FREE(alt_target("usr/share/man/man1/nc.1.gz", "usr/share/man/man1/nc_openbsd.1.gz"), "nc_openbsd.1.gz");
        /* Another directory, or one below: the cart's absolute path. */
        CHECK_STR_FREE(alt_target("bin/awk", "sbin/mawk"), CART_PATH "/sbin/mawk");
        CHECK_STR_FREE(alt_target("bin/x", "bin/sub/x"), CART_PATH "/bin/sub/x");
        CHECK_STR_FREE(alt_target("bin/x", "bi/x"), CART_PATH "/bi/x");
        CHECK_STR_FREE(alt_target("nodirectory", "bin/x"), "-EINVAL");
}

TEST(padded_path)
{
        CHECK_STR_FREE(padded("/usr/lib/x86_64-linux-gnu/gconv", "lib/gconv"), CART_PATH "////////lib/gconv");
        CHECK_STR_FREE(padded("/etc/bash.bashrc", "-"), CART_PATH "/-");
        CHECK_STR_FREE(padded("/usr/libexec/man-db/zsoelim", "bin/zsoelim"), CART_PATH "//bin/zsoelim");
        /* As long as `from`, always. */
        CHECK_STR_FREE(padded("/etc/terminfo:/lib/terminfo:/usr/share/terminfo", "share/terminfo"),
                       CART_PATH "///////////////////share/terminfo");
        /* Exactly one slash of room, then none. */
        CHECK_STR_FREE(padded("/123456789012345", "x"), CART_PATH "/x");
        CHECK_STR_FREE(padded("/12345678901234", "x"), "-ENAMETOOLONG");
        CHECK_STR_FREE(padded("/etc/x", "lib/gconv"), "-ENAMETOOLONG");
}

TEST(replace_all)
{
        char a[] = "aXbXcX";
        char b[] = "aaaa";
        char c[] = "x\0/lib/\0y/lib/";
        char d[] = "/etc/ld.so.cach";

        CHECK(replace_all(a, strlen(a), "X", "Y", 1) == 3);
        CHECK_STR(a, "aYbYcY");
        /* Matches do not overlap; what was replaced is not matched again. */
        CHECK(replace_all(b, 4, "aa", "ab", 2) == 2);
        CHECK_STR(b, "abab");
        /* NULs are bytes like the others: "/lib/" between NULs only. */
        CHECK(replace_all(c, sizeof(c) - 1, "\0/lib/\0", "\0/ccx/\0", 7) == 1);
        CHECK(memcmp(c, "x\0/ccx/\0y/lib/", sizeof(c)) == 0);
        /* Not past len: a match cut short is none. */
        CHECK(replace_all(d, strlen(d), "/etc/ld.so.cache", "/dev/crashcart/c", 16) == 0);
        CHECK_STR(d, "/etc/ld.so.cach");
        CHECK(replace_all(a, 3, "bY", "zz", 2) == 0);
        CHECK(replace_all(a, 4, "bY", "zz", 2) == 1);
        CHECK_STR(a, "aYzzcY");
}

TEST(skipped)
{
        CHECK(skipped(amd64(), "usr/share/doc"));
        CHECK(skipped(amd64(), "usr/share/locale"));
        CHECK(skipped(amd64(), "usr/lib/systemd"));
        CHECK(skipped(amd64(), "etc/systemd"));
        CHECK(skipped(amd64(), "lib/systemd"));
        CHECK(!skipped(amd64(), "usr/share/doc/bash")); /* the directory is, not a name below it */
        CHECK(!skipped(amd64(), "usr/share"));
        CHECK(!skipped(amd64(), "usr/share/terminfo"));
        CHECK(!skipped(amd64(), "etc"));
        /* The libraries come by need, from the architecture's directory. */
        CHECK(skipped(amd64(), "usr/lib/x86_64-linux-gnu"));
        CHECK(!skipped(amd64(), "usr/lib/aarch64-linux-gnu"));
        CHECK(skipped(arm64(), "usr/lib/aarch64-linux-gnu"));
        CHECK(!skipped(arm64(), "usr/lib/x86_64-linux-gnu"));
        CHECK(!skipped(amd64(), "usr/lib/x86_64-linux-gnu/gconv"));
        /* Manual pages in English only. */
        CHECK(skipped(amd64(), "usr/share/man/de"));
        CHECK(skipped(amd64(), "usr/share/man/pt_BR"));
        CHECK(!skipped(amd64(), "usr/share/man/man1"));
        CHECK(!skipped(amd64(), "usr/share/man/de/man1")); /* below a skipped one: never asked */
        CHECK(!skipped(amd64(), "usr/share/man"));
}

TEST(loader_patches)
{
        /* amd64's, as the builder has always written them into the loader. */
        static const char *const expected[LOADER_PATCHES][2] = {
                { "/etc/ld.so.cache", CART_PATH "/c" },
                { "/etc/ld.so.preload", CART_PATH "/.lp" },
                { "/usr/lib/x86_64-linux-gnu/", CART_PATH "/.none2/xxx/" },
                { "/lib/x86_64-linux-gnu/", CART_PATH "/.none1/" },
                { "/usr/lib/", "/dev/ccx/" },
                { "@/lib/@", "@/ccx/@" },
        };
        struct byte_patch p[LOADER_PATCHES];

        CHECK(loader_patches(amd64(), p) == 0);
        for (size_t i = 0; i < LOADER_PATCHES; i++) {
                CHECK_STR_FREE(patch_text(p[i].from, p[i].len), expected[i][0]);
                CHECK_STR_FREE(patch_text(p[i].to, p[i].len), expected[i][1]);
                CHECK(p[i].required == (i < 2));
        }
        /* Every architecture's: same lengths, names that do not exist. */
        for (size_t k = 0; k < cart_arches_n; k++) {
                CHECK(loader_patches(&cart_arches[k], p) == 0);
                CHECK(memmem(p[2].from, p[2].len, cart_arches[k].triplet, strlen(cart_arches[k].triplet)));
                CHECK(memmem(p[3].from, p[3].len, cart_arches[k].triplet, strlen(cart_arches[k].triplet)));
                for (size_t i = 2; i < 4; i++) {
                        CHECK(strncmp(p[i].to, CART_PATH "/.none", strlen(CART_PATH "/.none")) == 0);
                        CHECK(p[i].to[p[i].len - 1] == '/');
                }
        }
        CHECK(loader_patches(arm64(), p) == 0);
        CHECK_STR_FREE(patch_text(p[2].from, p[2].len), "/usr/lib/aarch64-linux-gnu/");
        CHECK_STR_FREE(patch_text(p[2].to, p[2].len), CART_PATH "/.none2/xxxx/");
}

TEST(loader_raise_static_tls)
{
        /* glibc 2.36's entry: the name in a 48-byte array, the type {code, min,
         * max}, the default; a decoy {0, SIZE_MAX, 512} before the name. */
        unsigned char img[256] = {}, orig[256];
        static const unsigned char range[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
        uint64_t v = htole64(512), got;
        size_t at = 64;

        memcpy(img + 8, range, sizeof(range));
        memcpy(img + 24, &v, sizeof(v));
        memcpy(img + at, "glibc.rtld.optional_static_tls", 31);
        img[at + 0x30] = 2;
        memcpy(img + at + 0x38, range, sizeof(range));
        memcpy(img + at + 0x48, &v, sizeof(v));
        memcpy(orig, img, sizeof(img));

        CHECK(loader_raise_static_tls((char *)img, sizeof(img), 4096) == 0);
        memcpy(&got, img + at + 0x48, sizeof(got));
        CHECK(le64toh(got) == 4096);
        /* Nothing else moved; the decoy is untouched. */
        CHECK(memcmp(img, orig, at + 0x48) == 0 && memcmp(img + at + 0x50, orig + at + 0x50, sizeof(img) - at - 0x50) == 0);
        /* Raised already: the default is not 512. */
        CHECK(loader_raise_static_tls((char *)img, sizeof(img), 4096) == -ERANGE);
        /* No entry, or an entry of another shape. */
        CHECK(loader_raise_static_tls((char *)img, at, 4096) == -ENOENT);
        memcpy(img, orig, sizeof(img));
        img[at + 0x40] = 0;
        CHECK(loader_raise_static_tls((char *)img, sizeof(img), 4096) == -ENOENT);
}

TEST(path_patches)
{
        struct byte_patch p[PATH_PATCHES];

        CHECK(path_patches(amd64(), p) == 0);
        CHECK_STR_FREE(patch_text(p[0].from, p[0].len), "/usr/lib/x86_64-linux-gnu/gconv");
        CHECK_STR_FREE(patch_text(p[0].to, p[0].len), CART_PATH "////////lib/gconv");
        CHECK_STR_FREE(patch_text(p[2].from, p[2].len), "/etc/bash.bashrc");
        CHECK_STR_FREE(patch_text(p[2].to, p[2].len), CART_PATH "/-");
        CHECK_STR_FREE(patch_text(p[3].from, p[3].len), "/usr/lib/x86_64-linux-gnu/ossl-modules");
        CHECK(path_patches(arm64(), p) == 0);
        CHECK_STR_FREE(patch_text(p[4].from, p[4].len), "/usr/lib/aarch64-linux-gnu/engines-3");
        CHECK_STR_FREE(patch_text(p[4].to, p[4].len), CART_PATH "/////////lib/engines-3");
        for (size_t i = 0; i < PATH_PATCHES; i++)
                CHECK(!p[i].required && strncmp(p[i].to, CART_PATH "/", strlen(CART_PATH) + 1) == 0);
}

TEST(apply_patches)
{
        struct byte_patch p[LOADER_PATCHES];
        const struct byte_patch *missing = NULL;
        char loader[] = "x/etc/ld.so.cache\0/lib/\0/usr/lib/x86_64-linux-gnu/\0/etc/ld.so.preload";
        char no_preload[] = "/etc/ld.so.cache";

        CHECK(loader_patches(amd64(), p) == 0);
        CHECK(apply_patches(loader, sizeof(loader) - 1, p, LOADER_PATCHES, &missing) == 4);
        CHECK(missing == NULL);
        CHECK(memcmp(loader, "x" CART_PATH "/c\0/ccx/\0" CART_PATH "/.none2/xxx/\0" CART_PATH "/.lp", sizeof(loader)) == 0);
        CHECK(apply_patches(no_preload, strlen(no_preload), p, LOADER_PATCHES, &missing) == 1);
        CHECK(missing == &p[1]);
}

TEST(shebang_in_cart)
{
        static const char sh[] = "#!/bin/sh\necho hi\n", env[] = "#! /usr/bin/env python3 -u\n";
        char *name = NULL, *text = NULL;

        CHECK(shebang_in_cart(sh, strlen(sh), &name, &text) == 0);
        CHECK_STR(name, "sh");
        CHECK_STR(text, "#!" CART_BIN "/sh\necho hi\n");
        free(name);
        free(text);
        CHECK(shebang_in_cart(env, strlen(env), &name, &text) == 0);
        CHECK_STR(name, "env");
        CHECK_STR(text, "#!" CART_BIN "/env python3 -u\n");
        free(name);
        free(text);
        CHECK(shebang_in_cart("#!/usr/local/bin/x\n", 19, &name, &text) == -ENOENT);
        CHECK(shebang_in_cart("#!/opt/bin/sh\n", 14, &name, &text) == -ENOENT);
        CHECK(shebang_in_cart("\177ELF\2\1\1", 7, &name, &text) == -ENOENT);
        CHECK(shebang_in_cart("#!/b", 3, &name, &text) == -ENOENT);
}

TEST(deb_and_nss_names)
{
        CHECK(is_deb_of("bash_5.2.15-2+b2_amd64.deb", "bash"));
        CHECK(is_deb_of("libc6_2.36-9+deb12u4_arm64.deb", "libc6"));
        CHECK(!is_deb_of("bash-completion_1%3a2.11-6_all.deb", "bash"));
        CHECK(!is_deb_of("bash_5.2.15-2+b2_amd64.deb.partial", "bash"));
        CHECK(!is_deb_of("bas_1_amd64.deb", "bash"));
        CHECK(!is_deb_of("bash", "bash"));
        CHECK(is_nss_module("libnss_files.so.2"));
        CHECK(is_nss_module("libnss_compat.so.2"));
        CHECK(!is_nss_module("libnss_files.so"));
        CHECK(!is_nss_module("libnss3.so"));
        CHECK(!is_nss_module("libc.so.6"));
}
