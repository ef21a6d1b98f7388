/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The cart builder's parsers: the package list, the ELF dynamic section, the
 * update-alternatives commands of maintainer scripts. */
#include <stdlib.h>
#include <string.h>

#include "cart-build/alternatives.h"
#include "cart-build/elfdeps.h"
#include "cart-build/pkglist.h"
#include "harness.h"

TEST(pkglist)
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

TEST(elf)
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

TEST(elf_needed_to_audit)
{
        size_t len;
        char *buf = fixture("elf-dynamic.bin", &len);
        struct elf_info e;

        CHECK(elf_needed_to_audit((unsigned char *)buf, len, "libnone.so") == -ENOENT);
        CHECK(elf_needed_to_audit((unsigned char *)buf, len, "libc.so.6") == 0);
        CHECK(elf_parse((unsigned char *)buf, len, &e) == 0);
        /* The entry is the audit module's now, no longer a library it needs. */
        CHECK(e.n_needed == 0);
        CHECK(e.audit && strcmp(e.audit, "libc.so.6") == 0);
        elf_info_done(&e);
        CHECK(elf_needed_to_audit((unsigned char *)buf, len, "libc.so.6") == -ENOENT);
        CHECK(elf_needed_to_audit((unsigned char *)buf, 100, "libc.so.6") == -EBADMSG);
        CHECK(elf_needed_to_audit((unsigned char *)"#!/bin/sh\n", 10, "x") == -ENOEXEC);
        free(buf);
}

TEST(alternatives)
{
        /* Shapes seen in Debian 12's postinst scripts. */
        static const char script[] =
                "#!/bin/sh\nset -e\n"
                "if [ \"$1\" = configure ]; then\n"
                "    update-alternatives \\\n"
                "        --install /bin/nc nc /bin/nc.openbsd 50 \\\n"
                "        --slave /bin/netcat netcat /bin/nc.openbsd \\\n"
                "        --slave /usr/share/man/man1/nc.1.gz nc.1.gz \\\n"
                "                /usr/share/man/man1/nc_openbsd.1.gz\n"
                "fi\n"
                "update-alternatives --quiet --install /usr/bin/pager pager \\\n"
                "  /usr/bin/less 77 --slave /usr/share/man/man1/pager.1.gz \\\n"
                "  pager.1.gz /usr/share/man/man1/less.1.gz\n"
                "\tupdate-alternatives --install \"$BINPATH\"/\"$BINNAME\" \"$BINNAME\" \\\n"
                "\t    \"$BINPATH\"/\"$BINNAME\".procps 50\n"
                "update-alternatives --install /usr/bin/pager pager /bin/more 50; echo done\n"
                "update-alternatives --install /usr/bin/vi vi '/usr/bin/vim.tiny' 15 || true\n"
                "update-alternatives --remove vi /usr/bin/vim.basic\n"
                "# update-alternatives --install /usr/bin/x x /usr/bin/y 1\n"
                "update-alternatives --install /usr/bin/awk awk /usr/bin/mawk 5 --slave\n";
        struct alternatives a = {};

        CHECK(alternatives_parse(script, &a) == 0);
        CHECK(a.n == 4);
        if (a.n == 4) {
                CHECK_STR(a.v[0].name, "nc");
                CHECK(a.v[0].priority == 50 && a.v[0].n_links == 3);
                CHECK_STR(a.v[0].links[0].link, "/bin/nc");
                CHECK_STR(a.v[0].links[0].path, "/bin/nc.openbsd");
                CHECK_STR(a.v[0].links[1].link, "/bin/netcat");
                CHECK_STR(a.v[0].links[2].path, "/usr/share/man/man1/nc_openbsd.1.gz");
                /* more's 50 loses to less's 77. */
                CHECK_STR(a.v[1].name, "pager");
                CHECK_STR(a.v[1].links[0].path, "/usr/bin/less");
                CHECK(a.v[1].n_links == 2);
                CHECK_STR(a.v[2].name, "vi");
                CHECK_STR(a.v[2].links[0].path, "/usr/bin/vim.tiny");
                /* A --slave without its arguments keeps the master. */
                CHECK_STR(a.v[3].name, "awk");
                CHECK(a.v[3].n_links == 1);
        }
        /* A higher priority later replaces the earlier one. */
        CHECK(alternatives_parse("update-alternatives --install /usr/bin/pager pager /usr/bin/most 90\n", &a) == 0);
        CHECK(a.n == 4 && strcmp(a.v[1].links[0].path, "/usr/bin/most") == 0);
        alternatives_done(&a);
        CHECK(a.n == 0 && a.v == NULL);
        /* Relative or escaping paths are not links to make. */
        CHECK(alternatives_parse("update-alternatives --install bin/x x /usr/bin/y 1\n"
                                 "update-alternatives --install /usr/bin/x x /usr/bin/../../etc/y 1\n"
                                 "update-alternatives --install /usr/bin/x x/y /usr/bin/y 1\n"
                                 "update-alternatives --install /usr/bin/x x /usr/bin/y 1x\n", &a) == 0);
        CHECK(a.n == 0);
        alternatives_done(&a);
}
