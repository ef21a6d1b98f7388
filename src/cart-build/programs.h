/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The programs of the packages, into the cart's bin and sbin, with the closure of
 * the libraries their ELF dynamic sections name, into lib. */
#pragma once

#include <stdbool.h>

#include "cart-build/build.h"

/* Every program of /usr/bin, /bin, /usr/sbin and /sbin, and what it needs. */
int programs_add(struct build *b);

/* Records an ELF file of the cart (a path relative to its root) for relocation,
 * and copies in the libraries it needs. Not ELF, or static: nothing to do. */
int programs_add_needed(struct build *b, const char *rel);

/* Copies library `name` from the directory dir of the staging tree into lib/,
 * then what it needs: 1, or 0 when dir has no such file. */
int programs_take_lib(struct build *b, const char *dir, const char *name);

/* cart-sh.so, preloaded into every program of the cart by the cart's loader,
 * whose ld.so.preload is the cart's CART_PRELOAD_LIST_NAME. */
int programs_add_cart_sh(struct build *b);

/* cart-audit.so, which every program of the cart names as its rtld-audit module
 * (relocate_elves gives them the DT_AUDIT entry). */
int programs_add_cart_audit(struct build *b);

/* CART_ENTER_NAME at the cart's top: the static program that clears a runtime
 * exec's environment before it runs the cart's shell or a command. */
int programs_add_enter(struct build *b);
