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
        char *audit;            /* DT_AUDIT, or NULL */
};

/* Parses an ELF64 little-endian image in memory. -ENOEXEC: not ELF (is_elf false,
 * not an error for callers that only ask). -EBADMSG: a broken ELF file. */
int elf_parse(const unsigned char *buf, size_t len, struct elf_info *ret);
int elf_read_file(int dirfd, const char *path, struct elf_info *ret);
void elf_info_done(struct elf_info *e);

/* Turns the DT_NEEDED entry naming `name` into a DT_AUDIT entry, in place: the
 * loader then loads that object as an rtld-audit module before anything else
 * (glibc honours DT_AUDIT in the main program). patchelf --add-needed makes the
 * entry and its string; patchelf has no option for DT_AUDIT. 0, -ENOENT when no
 * DT_NEEDED names it, -ENOEXEC, -EBADMSG. */
int elf_needed_to_audit(unsigned char *buf, size_t len, const char *name);
