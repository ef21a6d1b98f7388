/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a cart says it holds (src/cart-build/manifest.c) and the builder's
 * reproducibility rules (src/cart-build/reproducible.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"
#include "cart-build/manifest.h"
#include "cart-build/reproducible.h"
#include "harness.h"

static struct apt_pkg pkg_v[] = {
        { .name = "bash", .version = "5.2.15-2+b13", .arch = "arm64" },
        { .name = "libgmp10", .version = "2:6.2.1+dfsg1-1.1", .arch = "arm64" },
        { .name = "tzdata", .version = "2025b-0+deb12u2", .arch = "all" },
};

static struct manifest test_manifest(const struct pkglist *want, const struct apt_pkgs *pkgs)
{
        return (struct manifest){
                .arch = "arm64",
                .release = cart_release_by_name("bookworm"),
                .mirror = "http://deb.debian.org/debian",
                .format = "erofs",
                .epoch = 1700000000,
                .want = want,
                .pkgs = pkgs,
        };
}

TEST(json_quote)
{
        _cleanup_free_ char *a = NULL, *b = NULL;

        CHECK(json_quote("plain", &a) == 0);
        CHECK_STR(a, "\"plain\"");
        CHECK(json_quote("a\"b\\c\n\x01", &b) == 0);
        CHECK_STR(b, "\"a\\\"b\\\\c\\u000a\\u0001\"");
}

TEST(purl_deb)
{
        const struct cart_release *trixie = cart_release_by_name("trixie");
        _cleanup_free_ char *a = NULL, *b = NULL;

        CHECK(purl_deb(&pkg_v[0], trixie, &a) == 0);
        CHECK_STR(a, "pkg:deb/debian/bash@5.2.15-2%2Bb13?arch=arm64&distro=debian-13");
        CHECK(purl_deb(&pkg_v[1], trixie, &b) == 0);
        CHECK_STR(b, "pkg:deb/debian/libgmp10@2:6.2.1%2Bdfsg1-1.1?arch=arm64&distro=debian-13");
}

TEST(manifest_json)
{
        char *names[] = { "bash", NULL };
        struct pkglist want = { .names = names, .n = 1 };
        struct apt_pkgs pkgs = { .v = pkg_v, .n = ELEMENTSOF(pkg_v) };
        struct manifest m = test_manifest(&want, &pkgs);
        _cleanup_free_ char *s = NULL, *t = NULL;

        CHECK(manifest_json(&m, &s) == 0);
        CHECK(s && strstr(s, "\"architecture\": \"arm64\",\n  \"release\": \"bookworm\""));
        CHECK(s && strstr(s, "\"compression\": null"));
        CHECK(s && strstr(s, "\"source_date_epoch\": 1700000000"));
        CHECK(s && strstr(s, "\"requested\": [\"bash\"]"));
        CHECK(s && strstr(s, "{ \"name\": \"libgmp10\", \"version\": \"2:6.2.1+dfsg1-1.1\", \"architecture\": \"arm64\" }"));
        CHECK(s && strstr(s, "{ \"name\": \"tzdata\", \"version\": \"2025b-0+deb12u2\", \"architecture\": \"all\" }"));
        /* The same build, the same bytes. */
        CHECK(manifest_json(&m, &t) == 0);
        CHECK(s && t && strcmp(s, t) == 0);
}

TEST(sbom_cyclonedx)
{
        char *names[] = { "bash", NULL };
        struct pkglist want = { .names = names, .n = 1 };
        struct apt_pkgs pkgs = { .v = pkg_v, .n = ELEMENTSOF(pkg_v) };
        struct manifest m = test_manifest(&want, &pkgs);
        _cleanup_free_ char *s = NULL;

        CHECK(sbom_cyclonedx(&m, "cart \"x\".img", "01234567-89ab-8cde-8f01-23456789abcd", &s) == 0);
        CHECK(s && strstr(s, "\"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.5\""));
        CHECK(s && strstr(s, "\"serialNumber\": \"urn:uuid:01234567-89ab-8cde-8f01-23456789abcd\""));
        CHECK(s && strstr(s, "\"timestamp\": \"2023-11-14T22:13:20Z\""));
        CHECK(s && strstr(s, "\"name\": \"cart \\\"x\\\".img\""));
        CHECK(s && strstr(s, "\"purl\": \"pkg:deb/debian/tzdata@2025b-0%2Bdeb12u2?arch=all&distro=debian-12\""));
}

TEST(parse_epoch)
{
        long long e = -1;

        CHECK(parse_epoch("0", &e) == 0 && e == 0);
        CHECK(parse_epoch("1700000000", &e) == 0 && e == 1700000000);
        CHECK(parse_epoch("4294967295", &e) == 0 && e == 4294967295LL);
        CHECK(parse_epoch("4294967296", &e) == -EINVAL);
        CHECK(parse_epoch("-1", &e) == -EINVAL);
        CHECK(parse_epoch("12a", &e) == -EINVAL);
        CHECK(parse_epoch("", &e) == -EINVAL);
        CHECK(parse_epoch("99999999999", &e) == -EINVAL);
}

TEST(uuid_from_hex)
{
        char u[37];

        CHECK(uuid_from_hex("0123456789ABCDEF0123456789abcdefXYZ", u) == 0);
        CHECK_STR(u, "01234567-89ab-8def-8123-456789abcdef");
        CHECK(uuid_from_hex("ffffffffffffffffffffffffffffffff", u) == 0);
        CHECK_STR(u, "ffffffff-ffff-8fff-bfff-ffffffffffff");
        CHECK(uuid_from_hex("0123", u) == -EINVAL);
        CHECK(uuid_from_hex("0123456789abcdef0123456789abcdeg", u) == -EINVAL);
}
