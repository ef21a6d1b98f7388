/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The package list: one Debian package name a line, '#' starts a comment. */
#pragma once

#include <stddef.h>

struct pkglist {
        char **names;
        size_t n;
};

/* -EINVAL with *ret_line set: a line that is not a package name. */
int pkglist_parse(const char *text, struct pkglist *ret, size_t *ret_line);
void pkglist_done(struct pkglist *l);
/* Debian's rule for package names: [a-z0-9][a-z0-9+.-]+. */
int pkg_name_is_valid(const char *s);
