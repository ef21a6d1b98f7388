/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An ELF core file, as far as crashcart needs it: which program dumped it (the
 * file mapped at its entry point, from the NT_FILE and NT_AUXV notes; else
 * AT_EXECFN, read from the dumped stack; else the name in NT_PRPSINFO) and the
 * signal that killed it. The core is the container's file: every offset, size
 * and count in it is checked, nothing is trusted to be NUL-terminated, and
 * nothing is read past the limits below. Never prints, never exits. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* How much of a core the parser reads at most: notes beyond are ignored. */
#define ELFCORE_NOTES_MAX (16u << 20)
#define ELFCORE_PHDRS_MAX 65536u

/* Where the core's bytes come from: pread on a file, a buffer in tests and the
 * fuzzer. Returns the bytes read (short at the end), or -errno. */
typedef ssize_t (*elfcore_read_fn)(void *userdata, void *buf, size_t len, uint64_t offset);

struct elfcore_info {
        char *exe;              /* the program's path as the process saw it (NT_FILE
                                 * mapping at AT_ENTRY, else AT_EXECFN); NULL: unknown */
        char *execfn;           /* AT_EXECFN: the path it was executed as; NULL: unknown */
        char fname[17];         /* NT_PRPSINFO pr_fname: its comm */
        char psargs[81];        /* NT_PRPSINFO pr_psargs: its first arguments */
        int signal;             /* NT_PRSTATUS pr_cursig of the first thread; 0: unknown */
        pid_t pid;              /* NT_PRPSINFO pr_pid; 0: unknown */
        size_t n_files;         /* NT_FILE's count of mappings */
};

/* -ENOEXEC: not an ELF core; -EPROTONOSUPPORT: a core of another byte order;
 * -EBADMSG: a core whose structure is broken; -ENOMEM; a read's -errno. */
int elfcore_parse(elfcore_read_fn read, void *userdata, struct elfcore_info *ret);
/* The same, on a file descriptor (pread). */
int elfcore_parse_fd(int fd, struct elfcore_info *ret);
void elfcore_info_done(struct elfcore_info *info);
