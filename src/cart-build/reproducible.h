/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The same list, release snapshot and options give the same image, to the byte:
 * one time for every file and for the file system (SOURCE_DATE_EPOCH), a UUID
 * and an ext4 hash seed drawn from the manifest, and a fixed umask (main's). */
#pragma once

#include "cart-build/build.h"

/* SOURCE_DATE_EPOCH: a decimal number of seconds, at most 2^32 - 1 (squashfs
 * and ext4 keep 32 bits). 0, or -EINVAL. */
int parse_epoch(const char *s, long long *ret);

/* A UUID (8-4-4-4-12, version 4 bits 8: "custom" of RFC 9562, variant RFC)
 * from the first 32 hex digits of hex, into ret. -EINVAL when hex is shorter or
 * not hex. */
int uuid_from_hex(const char *hex, char ret[static 37]);

/* The image's time, b->epoch: SOURCE_DATE_EPOCH when set (then taken out of
 * the environment, where mksquashfs would refuse it beside its options), else
 * the newest file of the extracted packages (Debian builds them with the
 * package's changelog date as the newest time, so this is the newest
 * package's). */
int repro_choose_epoch(struct build *b);

/* Every time in the cart's tree set to b->epoch, and the UUID and hash seed
 * drawn from the manifest's SHA-256 (sha256sum). */
int repro_normalize(struct build *b);
