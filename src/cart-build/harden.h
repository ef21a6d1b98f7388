/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The redirections (issue 12, docs/cart-loads.md): whatever a container's files
 * say, the cart's programs read no configuration of the container's that can name
 * code to load or a program to run. Compiled-in paths rewritten in place (layout's
 * cart_redirects and cart_text_redirects), the cart's own name-service switch,
 * toprc, python._pth, module directories, perl's core modules, stubs for helpers
 * run by name, and the programs whose job is to run the container's configuration
 * left out. The data the tools exist to read (users, hosts, CA certificates) is
 * still the container's. */
#pragma once

#include "cart-build/build.h"

/* One stage, after the programs and their data are in the cart and before the ELF
 * files are relocated (perl's XS modules and bin/libstdbuf.so are relocated with
 * the rest). Sets b->redirect, which adds the wrappers' redirection parts.
 * Skipped when CRASHCART_FAULT_DISABLE names "cart-redirect", so that a test can
 * build the cart without it, as the positive control of each vector. */
int harden_cart(struct build *b);
