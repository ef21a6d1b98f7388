/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --out DIR, on the host's side: the operator's directory, opened (and made when
 * missing) without following a symlink anywhere in its path, and a detached
 * clone of it that place.c attaches at /dev/crashcart/out in the container. The
 * clone is of that directory only (no mount beneath it), nosuid, nodev and
 * noexec, and idmapped so that what the container's root writes lands owned by
 * the operator (SUDO_UID/SUDO_GID, or root). */
#pragma once

#include <stdint.h>
#include <sys/types.h>

/* Who the files belong to: $SUDO_UID and $SUDO_GID when both are set (a user
 * who ran crashcart through sudo), else root. -EINVAL: one is not a number. */
int out_owner_from_env(uid_t *ret_uid, gid_t *ret_gid);

/* Opens path as a directory, made (mode 0700, owned by uid:gid) when its last
 * component is missing; its parent must exist. No symlink is followed in any
 * component (openat2 RESOLVE_NO_SYMLINKS): -ELOOP. -EPERM: the directory is
 * neither uid's nor root's (someone else's, or planted in a parent others can
 * write). *ret_created says whether this call made it. */
int out_dir_open(const char *path, uid_t uid, gid_t gid, int *ret_fd, int *ret_created);

/* The detached, writable mount of dir_fd's directory for a container whose root
 * is root_uid:root_gid on the host: idmapped (owner → container root) unless the
 * two are the same. -EOPNOTSUPP: the file system has no idmapped mounts. */
int out_mount_create(int dir_fd, uid_t owner_uid, gid_t owner_gid, uint32_t root_uid, uint32_t root_gid,
                     int *ret_mntfd);

/* The uid_map (or gid_map) line of the idmapping: "OWNER ROOT 1\n". Exposed for
 * the unit tests. */
int out_idmap_line(char *buf, size_t size, uint32_t owner, uint32_t root);
