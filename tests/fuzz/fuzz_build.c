/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: the cart builder's parsers of what packages hold: ELF files (a
 * package's binary may be anything), package lists, maintainer scripts, and the
 * targets of their links and the first lines of their scripts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cart-build/alternatives.h"
#include "cart-build/elfdeps.h"
#include "cart-build/layout.h"
#include "cart-build/pkglist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct elf_info e;
        struct pkglist l;
        size_t line;
        char *s;

        if (elf_parse(data, size, &e) == 0)
                elf_info_done(&e);
        s = malloc(size + 1);
        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = 0;
        if (pkglist_parse(s, &l, &line) == 0)
                pkglist_done(&l);
        {
                struct alternatives a = {};

                alternatives_parse(s, &a);
                alternatives_done(&a);
        }
        {
                char *target = NULL, *name = NULL, *text = NULL;

                if (link_target_in_cart(&cart_arches[0], "usr/share/a/b", s, &target) == 0)
                        free(target);
                if (shebang_in_cart(s, size, &name, &text) == 0) {
                        free(name);
                        free(text);
                }
        }
        free(s);
        return 0;
}
