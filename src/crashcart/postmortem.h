/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command layer of a post-mortem run: a container that exists but does not
 * run, or an image (image:REF), examined in a sandbox of its files
 * (src/sandbox), with the command run there as in a running container. Logs
 * once, and returns the exit status. */
#pragma once

#include <signal.h>

#include "cart/cart.h"
#include "crashcart/options.h"
#include "resolve/resolve.h"

/* The prefix of an ID that names an image rather than a container. */
#define IMAGE_ID_PREFIX "image:"

/* hit: the container as resolved; NULL for o->id IMAGE_ID_PREFIX REF. argv: the
 * command (the default shell when the user gave none). */
int postmortem_run(const struct options *o, char *const *argv, const struct cart_request *creq,
                   const struct resolve_ctx *ctx, const struct candidate *hit, const sigset_t *fwd,
                   const sigset_t *oldmask);
