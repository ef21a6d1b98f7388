/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command's environment: a deliberate one. Nothing of crashcart's own
 * environment reaches the container but TERM; of the target's (--env-from-target),
 * only variables that are data to the cart's programs, and those the operator
 * names. */
#pragma once

#include "cart/layout.h"

#include <stdbool.h>
#include <stddef.h>

#define CMDENV_DEFAULT_PATH CART_PATH_PREFIX ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* What --env-from-target takes without being told, besides PATH (its absolute
 * directories, after the cart's): names that no program of the cart reads as a
 * program, a library, a configuration file or a directory to load from. For the
 * help text and the man page too. */
#define CMDENV_TARGET_ALLOWED "HOSTNAME", "HOME", "USER", "LOGNAME", "TZ"
#define CMDENV_TARGET_ALLOWED_TEXT "PATH, HOSTNAME, HOME, USER, LOGNAME, TZ"

struct cmdenv {
        char **v;       /* NULL-terminated */
        size_t n;
        bool home_given; /* HOME came from --env or the target: keep it */
        char **left_out; /* names of the target's variables not taken */
        size_t n_left_out;
};

/* Whether a variable's name (KEY or KEY=VALUE) is one the loader or libc reads
 * as code or code-like data: LD_*, GCONV_PATH, GETCONF_DIR, GLIBC_TUNABLES,
 * LOCPATH, NLSPATH. In the container, any path in them names a file the container
 * chose, loaded into a cart program that runs as root. Never taken from the
 * target; --env sets them only with --force. */
bool cmdenv_is_loader(const char *kv);

/* Whether a name is fit for --env-from-target=NAME: [A-Za-z_][A-Za-z0-9_]*,
 * optionally ending in '*' (a prefix). */
bool cmdenv_name_is_valid(const char *name);

/* Whether the target's KEY=VALUE is taken: on the allowlist
 * (CMDENV_TARGET_ALLOWED, TZ only when it names no file by path) or named in
 * take[] (exact, or a prefix ending in '*'); never a loader's variable. PATH is
 * the caller's (cmdenv_build rebuilds it). */
bool cmdenv_target_takes(const char *kv, char *const *take, size_t n_take);

/* Builds the environment, in this order, later ones winning: what
 * cmdenv_target_takes keeps of the target's (NUL-separated environ text, or
 * NULL), TERM (NULL: none), PATH (the cart's directories first, then the
 * target's absolute ones), SHELL (the cart's), HOME=/root unless set, then each
 * KEY=VALUE of sets (--env). No limit on the number or size of variables but
 * the kernel's at exec. */
int cmdenv_build(const char *target_environ, size_t target_len, char *const *take, size_t n_take, const char *term,
                 char *const *sets, size_t n_sets, struct cmdenv *ret);
void cmdenv_done(struct cmdenv *e);
const char *cmdenv_get(const struct cmdenv *e, const char *key);
