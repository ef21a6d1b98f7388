/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The builder's view of Debian's archive (src/cart-build/archive.c): releases,
 * the default release from os-release, the builder's own apt configuration and
 * sources, and what apt-get -s says it would install. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"
#include "cart-build/archive.h"
#include "harness.h"

TEST(archive_releases)
{
        CHECK(cart_release_by_name("bookworm") && strcmp(cart_release_by_name("bookworm")->version, "12") == 0);
        CHECK(cart_release_by_name("trixie") && strcmp(cart_release_by_name("trixie")->version, "13") == 0);
        CHECK(cart_release_by_name("sid") == NULL);
        CHECK(cart_release_by_name("") == NULL);
        CHECK(cart_release_by_name(ARCHIVE_DEFAULT_RELEASE) != NULL);
}

TEST(archive_default_release)
{
        CHECK_STR(cart_release_default("PRETTY_NAME=\"Debian GNU/Linux 13 (trixie)\"\nID=debian\n"
                                       "VERSION_CODENAME=trixie\n")->name,
                  "trixie");
        CHECK_STR(cart_release_default("ID=\"debian\"\nVERSION_CODENAME='bookworm'")->name, "bookworm");
        /* Ubuntu's codename means nothing to Debian's archive. */
        CHECK_STR(cart_release_default("ID=ubuntu\nID_LIKE=debian\nVERSION_CODENAME=noble\n")->name,
                  ARCHIVE_DEFAULT_RELEASE);
        /* Debian, but a release the builder does not know (sid: no codename). */
        CHECK_STR(cart_release_default("ID=debian\nVERSION_CODENAME=bullseye\n")->name, ARCHIVE_DEFAULT_RELEASE);
        CHECK_STR(cart_release_default("ID=debian\n")->name, ARCHIVE_DEFAULT_RELEASE);
        CHECK_STR(cart_release_default("")->name, ARCHIVE_DEFAULT_RELEASE);
        CHECK_STR(cart_release_default(NULL)->name, ARCHIVE_DEFAULT_RELEASE);
        /* A key that only starts like one. */
        CHECK_STR(cart_release_default("ID_LIKE=debian\nVERSION_CODENAME_X=trixie\n")->name, ARCHIVE_DEFAULT_RELEASE);
}

TEST(archive_state_name)
{
        _cleanup_free_ char *s = NULL;

        CHECK(archive_state_name("trixie", "arm64", "https://deb.debian.org/debian/", &s) == 0);
        CHECK_STR(s, "trixie_arm64_https___deb.debian.org_debian_");
}

TEST(archive_sources_list)
{
        static const char k[] = "/usr/share/keyrings/debian-archive-keyring.gpg";
        _cleanup_free_ char *s = NULL, *t = NULL;

        CHECK(archive_sources_list("http://deb.debian.org/debian/", "bookworm", "arm64", k, &s) == 0);
        CHECK(s && strstr(s, "\ndeb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
                             "http://deb.debian.org/debian bookworm main\n"));
        CHECK(s && strstr(s, "] http://deb.debian.org/debian bookworm-updates main\n"));
        CHECK(s && strstr(s, "] http://deb.debian.org/debian-security bookworm-security main\n"));
        /* A mirror of another shape: no guess at where its security suite is. */
        CHECK(archive_sources_list("http://mirror.example/pub/deb", "trixie", "amd64", k, &t) == 0);
        CHECK(t && strstr(t, "] http://mirror.example/pub/deb trixie main\n"));
        CHECK(t && !strstr(t, "security"));
        CHECK(archive_sources_list("http://x/debian] evil", "trixie", "amd64", k, &t) == -EINVAL);
        CHECK(archive_sources_list("", "trixie", "amd64", k, &t) == -EINVAL);
}

TEST(archive_apt_conf)
{
        _cleanup_free_ char *s = NULL;

        CHECK(archive_apt_conf("/c/apt/x", "arm64", &s) == 0);
        CHECK(s && strstr(s, "\nDir::State::status \"/c/apt/x/status\";\n"));
        CHECK(s && strstr(s, "\nDir::Etc::parts \"/c/apt/x/etc/apt.conf.d\";\n"));
        CHECK(s && strstr(s, "\nDir::Etc::trustedparts \"/c/apt/x/etc/trusted.gpg.d\";\n"));
        CHECK(s && strstr(s, "\nAPT::Architectures { \"arm64\"; };\n"));
        CHECK(s && !strstr(s, "/etc/apt/"));
        CHECK(archive_apt_conf("/c/\"x", "arm64", &s) == -EINVAL);
}

TEST(apt_parse_installs)
{
        static const char out[] = "NOTE: This is only a simulation!\n"
                                  "Inst gcc-12-base (12.2.0-14+deb12u1 Debian:12.15/oldstable [arm64])\n"
                                  "Conf gcc-12-base (12.2.0-14+deb12u1 Debian:12.15/oldstable [arm64])\n"
                                  "Inst libc6 (2.36-9+deb12u14 Debian:12.15/oldstable [arm64]) []\n"
                                  "Inst libgmp10 (2:6.2.1+dfsg1-1.1 Debian:12.15/oldstable [arm64])\n"
                                  "Inst tzdata (2025b-0+deb12u2 Debian:12.15/oldstable [all])";
        struct apt_pkgs l = {};
        _cleanup_free_ char *f = NULL, *g = NULL;

        CHECK(apt_parse_installs(out, &l) == 0);
        CHECK(l.n == 4);
        if (l.n == 4) {
                CHECK_STR(l.v[0].name, "gcc-12-base");
                CHECK_STR(l.v[0].version, "12.2.0-14+deb12u1");
                CHECK_STR(l.v[0].arch, "arm64");
                CHECK_STR(l.v[1].name, "libc6");
                CHECK_STR(l.v[2].version, "2:6.2.1+dfsg1-1.1");
                CHECK_STR(l.v[3].arch, "all");
                CHECK(apt_deb_file_name(&l.v[2], &f) == 0);
                CHECK_STR(f, "libgmp10_2%3a6.2.1+dfsg1-1.1_arm64.deb");
                CHECK(apt_deb_file_name(&l.v[1], &g) == 0);
                CHECK_STR(g, "libc6_2.36-9+deb12u14_arm64.deb");
        }
        apt_pkgs_done(&l);
        CHECK(apt_parse_installs("Inst bash\n", &l) == -EBADMSG);
        apt_pkgs_done(&l);
        CHECK(apt_parse_installs("Inst bash (5.2 Debian:12 [])\n", &l) == -EBADMSG);
        apt_pkgs_done(&l);
        CHECK(apt_parse_installs("Inst Bash (5.2 Debian:12 [amd64])\n", &l) == -EBADMSG);
        apt_pkgs_done(&l);
        CHECK(l.n == 0);
}
