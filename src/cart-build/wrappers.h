/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ways into the cart: wrappers for the programs that need a setting to find
 * the cart's files, the interactive shell's rc file, and the reference system's
 * profile/ paths. Their shell text is in data/ (crashcartrc,
 * crashcartrc-completion.sh, wrappers/NAME.sh), embedded at build time. */
#pragma once

#include <stdbool.h>

#include "cart-build/build.h"

/* Each program with a wrapper that the cart holds in bin or sbin moves to
 * libexec, and its wrapper takes its place. */
int wrappers_add(struct build *b);

/* CART_RCFILE_NAME: crashcart runs bash --rcfile with it. */
int wrappers_write_rcfile(struct build *b);

/* The reference system's paths: CART_PATH/profile/bin/bash. */
int wrappers_add_profile(struct build *b);
/* out/: the empty directory crashcart --out mounts the host's directory on. */
int wrappers_add_out_dir(struct build *b);

/* The text of program's wrapper, for a program found in dir (bin or sbin), with
 * its redirection part when redirect (harden.c): 0 and *ret (malloc'd); -ENOENT
 * when program has no wrapper (so). */
int wrapper_script(const char *program, const char *dir, bool redirect, char **ret);

/* A file of data/ embedded at build time, by its path under data/, or NULL. */
const char *embedded_text(const char *name);

/* The rc file's text, with the part for bash-completion when the cart has it. */
int rcfile_text(bool with_completion, char **ret);
