/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The cart builder's parsers: the package list, the ELF dynamic section. */
#include <stdlib.h>
#include <string.h>

#include "build/elfdeps.h"
#include "build/pkglist.h"
#include "harness.h"

static void test_pkglist(void)
{
        struct pkglist l;
        size_t line = 0;

        CHECK(pkglist_parse("# tools\nbash\n  coreutils   # core\n\nlibc6:amd64\n", &l, &line) == -EINVAL);
        CHECK(line == 5);
        CHECK(pkglist_parse("# tools\nbash\n  coreutils   # core\n\nbash\r\nlibstdc++6\n", &l, &line) == 0);
        CHECK(l.n == 3);
        if (l.n == 3) {
                CHECK_STR(l.names[0], "bash");
                CHECK_STR(l.names[1], "coreutils");
                CHECK_STR(l.names[2], "libstdc++6");
                CHECK(l.names[3] == NULL);
        }
        pkglist_done(&l);
        CHECK(pkglist_parse("", &l, &line) == 0 && l.n == 0);
        pkglist_done(&l);
        CHECK(pkglist_parse("Bash\n", &l, &line) == -EINVAL);
        CHECK(pkglist_parse("a\n", &l, &line) == -EINVAL);
        CHECK(pkglist_parse("bash; rm -rf /\n", &l, &line) == -EINVAL);
        CHECK(pkglist_parse("-o\n", &l, &line) == -EINVAL);
}

static void test_elf(void)
{
        size_t len;
        char *buf = fixture("elf-dynamic.bin", &len);
        struct elf_info e;
        unsigned char junk[128] = { 0x7f, 'E', 'L', 'F', 2, 1 };

        CHECK(elf_parse((unsigned char *)buf, len, &e) == 0);
        CHECK(e.is_elf && e.is_dynamic && e.has_interp);
        CHECK(e.n_needed == 1);
        if (e.n_needed == 1)
                CHECK_STR(e.needed[0], "libc.so.6");
        elf_info_done(&e);
        /* Cut short: the program headers run past the end. */
        CHECK(elf_parse((unsigned char *)buf, 100, &e) == -EBADMSG);
        free(buf);

        CHECK(elf_parse((const unsigned char *)"#!/bin/sh\n", 10, &e) == -ENOEXEC);
        CHECK(!e.is_elf);
        CHECK(elf_parse(junk, sizeof(junk), &e) == -EBADMSG || (e.is_elf && !e.is_dynamic));
        elf_info_done(&e);
}

void test_build(void)
{
        test_pkglist();
        test_elf();
}
