/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Cores that systemd-coredump kept. When kernel.core_pattern pipes cores to it,
 * it writes each (Storage=external, its default) into /var/lib/systemd/coredump
 * on the host, named core.COMM.UID.BOOTID.PID.USEC, compressed (".zst", ".lz4",
 * ".xz") or not, with the dumping process's metadata in user.coredump.*
 * extended attributes. The directory and the files are the host's, written by
 * root; the attributes' values (hostname, comm, exe) and the core's contents
 * are the dumped process's own words, read as such. Never prints, never exits. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* The store, relative to the host's root. */
#define STORED_CORE_DIR "var/lib/systemd/coredump"

enum stored_compression {
        STORED_PLAIN,
        STORED_ZSTD,
        STORED_LZ4,
        STORED_XZ,
};

struct stored_core {
        char *name;             /* the file's name in the store */
        uint64_t usec;          /* when it dumped (from its name: whole seconds),
                                 * microseconds since the epoch */
        struct timespec mtime;  /* when systemd-coredump wrote it */
        enum stored_compression compression;
        int fd;                 /* the file as found: read from this, never opened
                                 * again by its name */
};

#define STORED_CORE_INIT { .fd = -EBADF }

/* Whether name is one systemd-coredump gives a core: its compression, and the
 * time in it. -EINVAL: not such a name. */
int stored_core_parse_name(const char *name, enum stored_compression *ret_compression, uint64_t *ret_usec);

/* The newest core in the store (store_fd) whose hostname attribute is hostname
 * and whose time is within [from_usec, to_usec] (0: no bound); ties of one
 * second by when the file was written. *ret_older: how many older ones of that
 * hostname are within; *ret_outside: how many of that hostname are not. -ENOENT:
 * none within. */
int stored_core_find(int store_fd, const char *hostname, uint64_t from_usec, uint64_t to_usec,
                     struct stored_core *ret, size_t *ret_older, size_t *ret_outside);

/* Writes the core, decompressed, to outfd (a new, empty file): runs of zeros as
 * holes, which a tmpfs keeps for nothing. -EOPNOTSUPP: a compression crashcart
 * does not read (lz4, xz); -EBADMSG: a broken or cut stream; -ENOSPC: outfd's
 * file system is full; -EINTR: interrupted (interrupt.h). */
int stored_core_extract(const struct stored_core *c, int outfd);

/* Decompresses a zstd stream from infd to outfd, as above (exposed for unit
 * tests). */
int stored_unzstd(int infd, int outfd);

const char *stored_compression_to_string(enum stored_compression c);
void stored_core_done(struct stored_core *c);
