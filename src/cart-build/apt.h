/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The packages: their closure as apt resolves it, fetched into the builder's
 * cache, extracted without running a maintainer script. */
#pragma once

#include "cart-build/build.h"

/* The cache of root's builds: apt's sandbox user can reach it, as it cannot
 * reach /root/.cache. */
#define BUILD_ROOT_CACHE "/var/cache/crashcart-build"

/* The architecture of the cart, unless --arch named it: the one dpkg installs
 * for (`dpkg --print-architecture`). -EPROTONOSUPPORT when the table lacks it. */
int apt_host_arch(struct build *b);

/* The builder's own apt, in the cache's apt/RELEASE_ARCH_MIRROR/ (the release
 * the host's when none was asked for and the host is Debian, else
 * ARCHIVE_DEFAULT_RELEASE): its configuration (APT_CONFIG, for every apt-get the
 * build runs), sources signed by Debian's archive keyring, and its index
 * (apt-get update). Refuses a cache apt's sandbox user cannot reach, as root. */
int apt_setup(struct build *b);

/* Every package the list needs (b->want), as apt resolves it for a system with
 * nothing installed (a scratch container), into b->pkgs (name, version,
 * architecture) and b->all (names). */
int apt_resolve(struct build *b);

/* Downloads the .debs the cache (b->debs) does not hold yet. */
int apt_fetch(struct build *b);

/* Extracts the packages into b->staging (and opens it), their control files
 * into b->control, and collects the links their maintainer scripts would make
 * with update-alternatives (the scripts never run). */
int apt_extract(struct build *b);
