/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Users and groups of the container, read from its /etc/passwd and /etc/group as
 * plain files: never through NSS, which would load the container's libraries into
 * crashcart. The files belong to the container and are parsed as untrusted. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define USERDB_MAX_GROUPS 64

struct user_spec {
        uid_t uid;
        gid_t gid;
        gid_t groups[USERDB_MAX_GROUPS]; /* supplementary */
        size_t n_groups;
        char home[256];
        bool found_in_passwd;
};

/* Resolves "NAME|UID[:GROUP|GID]" (docker exec's --user) against the text of
 * passwd and group (either may be NULL: a container without them). A numeric uid
 * needs no passwd entry (its gid is then the uid's entry's, or 0); a name must
 * exist. -ESRCH: no such user; -ENOENT: no such group; -EINVAL: malformed spec. */
int userdb_resolve(const char *spec, const char *passwd, const char *group, struct user_spec *ret);
