/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the programs read at run time, and what the packages' maintainer scripts
 * would have made of it: the data directories, the libraries loaded with dlopen
 * (gconv, NSS, openssl's providers, libthread_db, python's lib-dynload), the
 * update-alternatives links, iconv's module cache, the CA bundle. */
#pragma once

#include "cart-build/build.h"

/* The packages' data (usr/share, usr/lib, usr/libexec, etc, terminfo), their
 * ELF files relocated like the programs, and the libraries loaded with dlopen. */
int data_add(struct build *b);

/* The staging tree's directory `from` as the cart's `to` (links pointed into the
 * cart), its ELF files relocated like the programs. */
int data_copy_dir(struct build *b, const char *from, const char *to);

/* The links of update-alternatives: bin/nc → nc.openbsd, bin/vi → vim.tiny,
 * bin/pager → less, bin/awk → mawk, and their manual pages. */
int data_add_alternatives(struct build *b);

/* gconv-modules.cache, which names the modules by their absolute paths. */
int data_add_gconv_cache(struct build *b);

/* The certificates of ca-certificates in one file, as update-ca-certificates
 * (a maintainer script) would have made it. */
int data_add_ca_bundle(struct build *b);
