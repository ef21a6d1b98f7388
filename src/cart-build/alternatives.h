/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The links update-alternatives would make (nc, vi, pager, awk, ...), read from
 * the packages' maintainer scripts, which the builder never runs. */
#pragma once

#include <stddef.h>

struct alt_link {
        char *link; /* /usr/bin/nc */
        char *path; /* /bin/nc.openbsd */
};

struct alternative {
        char *name;            /* nc */
        long priority;
        struct alt_link *links; /* [0]: the master link, then the slaves */
        size_t n_links;
};

struct alternatives {
        struct alternative *v;
        size_t n;
};

/* Adds the `update-alternatives --install` commands of a shell script to ret;
 * of two installs of one name, the higher priority stays. Commands built from
 * shell variables are skipped. 0, or -ENOMEM. */
int alternatives_parse(const char *script, struct alternatives *ret);
void alternatives_done(struct alternatives *a);
