/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The packages: their closure as apt resolves it, fetched into the builder's
 * cache, extracted without running a maintainer script. */
#pragma once

#include "cart-build/build.h"

/* The architecture dpkg installs for (`dpkg --print-architecture`), which is
 * what apt resolves and fetches: -EPROTONOSUPPORT when the table lacks it. */
int apt_host_arch(struct build *b);

/* Every package the list needs (b->want), as apt resolves it for a system with
 * nothing installed (a scratch container), into b->all; makes the cache. */
int apt_resolve(struct build *b);

/* apt-get download of the packages the cache does not hold yet. */
int apt_fetch(struct build *b);

/* Extracts the packages into b->staging (and opens it), their control files
 * into b->control, and collects the links their maintainer scripts would make
 * with update-alternatives (the scripts never run). */
int apt_extract(struct build *b);
