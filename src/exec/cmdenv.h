/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command's environment: a deliberate one. Nothing of crashcart's own
 * environment reaches the container but TERM. */
#pragma once

#include "cart/layout.h"

#include <stdbool.h>
#include <stddef.h>

#define CMDENV_DEFAULT_PATH CART_PATH_PREFIX ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct cmdenv {
        char **v;       /* NULL-terminated */
        size_t n;
        bool home_given; /* HOME came from --env or the target: keep it */
};

/* True for a KEY=VALUE of the target's environment that is not passed on: the
 * loader's variables (LD_PRELOAD, ...) and the like. */
bool cmdenv_untrusted(const char *kv);

/* Builds the environment: the target's (NUL-separated environ text, or NULL,
 * without what cmdenv_untrusted refuses), then TERM (NULL: none), PATH (the cart's directories first), HOME=/root unless
 * set, then each KEY=VALUE of sets, which win. */
int cmdenv_build(const char *target_environ, size_t target_len, const char *term, char *const *sets, size_t n_sets,
                 struct cmdenv *ret);
void cmdenv_done(struct cmdenv *e);
const char *cmdenv_get(const struct cmdenv *e, const char *key);
