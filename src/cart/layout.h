/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The cart's layout: where it is mounted in a container and what it holds there.
 * One header for crashcart, the cart builder and cart-sh.so, which must agree on
 * every one of these names. A cart is built for this place: its programs' loader
 * and libraries are found by these absolute paths. */
#pragma once

/* Where the cart is mounted in a container (the reference system's place). */
#define CART_DEV_NAME "crashcart"               /* under the container's /dev */
#define CART_PATH "/dev/" CART_DEV_NAME

#define CART_BIN CART_PATH "/bin"
#define CART_SBIN CART_PATH "/sbin"
#define CART_LIB CART_PATH "/lib"
#define CART_SHELL CART_BIN "/bash"
#define CART_SH CART_BIN "/sh"

/* The interactive shell's settings: bash --rcfile CART_RCFILE -i. */
#define CART_RCFILE_NAME ".crashcartrc"
#define CART_RCFILE CART_PATH "/" CART_RCFILE_NAME

/* The loader's preload list, named in place of /etc/ld.so.preload: same length. */
#define CART_PRELOAD_LIST_NAME ".lp"

/* cart-sh.so: the cart's /bin/sh for system(), popen() and exec of "/bin/sh". */
#define CART_SH_PRELOAD_NAME "cart-sh.so"

/* cart-audit.so: the rtld-audit module every executable of the cart names in its
 * DT_AUDIT entry; it refuses any shared object outside CART_PATH. */
#define CART_AUDIT_NAME "cart-audit.so"
#define CART_AUDIT CART_LIB "/" CART_AUDIT_NAME

/* A static program at the cart's top that clears the environment a runtime's
 * own exec brings (the image's) before it runs a program of the cart. */
#define CART_ENTER_NAME "enter"

/* What the cart holds (JSON, written by crashcart-build): its packages with
 * version and architecture, the builder's version and options. */
#define CART_MANIFEST_NAME "manifest.json"
#define CART_MANIFEST CART_PATH "/" CART_MANIFEST_NAME

/* An empty directory at the cart's top: where --out puts the host's directory,
 * writable, while the rest of the cart stays read-only. A mount point needs a
 * directory, and a read-only cart cannot make one when it is asked for. */
#define CART_OUT_NAME "out"
#define CART_OUT CART_PATH "/" CART_OUT_NAME

/* The command's PATH starts with these. */
#define CART_PATH_PREFIX CART_SBIN ":" CART_BIN
