/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Relocation: every ELF file of the cart loads the cart's loader and libraries
 * only, and the paths compiled into them and into scripts lead into the cart. */
#pragma once

#include "cart-build/build.h"

/* The loader, into lib/, with its /etc paths and its system library directories
 * pointed to names that do not exist (layout's loader_patches): it must never
 * read the container's ld.so.cache or ld.so.preload, nor fall back to the
 * container's libraries for one the cart lacks (procps dlopens libnuma.so, say). */
int relocate_loader(struct build *b);

/* patchelf: each ELF file's DT_RPATH, and its interpreter, in the cart. */
int relocate_elves(struct build *b);

/* The in-place rewrites of compiled-in paths (layout's path_patches). */
int relocate_paths(struct build *b);

/* Scripts of bin and sbin that name /bin/X or /usr/bin/X as their interpreter
 * get the cart's X. */
int relocate_shebangs(struct build *b);
