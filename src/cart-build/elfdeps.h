/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading what an ELF file needs, from the file itself: no ldd, which would run
 * the host's loader on a foreign binary. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct elf_info {
        bool is_elf;
        bool is_dynamic;        /* has PT_DYNAMIC */
        bool has_interp;        /* an executable with PT_INTERP */
        char **needed;          /* DT_NEEDED, NULL-terminated */
        size_t n_needed;
};

/* Parses an ELF64 little-endian image in memory. -ENOEXEC: not ELF (is_elf false,
 * not an error for callers that only ask). -EBADMSG: a broken ELF file. */
int elf_parse(const unsigned char *buf, size_t len, struct elf_info *ret);
int elf_read_file(int dirfd, const char *path, struct elf_info *ret);
void elf_info_done(struct elf_info *e);
