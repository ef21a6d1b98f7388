/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <sys/types.h>

/* Reads a whole file (at most max bytes) relative to dirfd into a NUL-terminated
 * buffer. Files of /proc report size 0, so this reads until EOF. */
int read_full_fileat(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len);

/* Writes a string to an existing file relative to dirfd (O_WRONLY, no creation,
 * symlinks not followed). */
int write_fileat(int dirfd, const char *path, const char *s);

/* Reads exactly len bytes at offset; -EIO on a short read. */
int pread_full(int fd, void *buf, size_t len, off_t offset);

int write_full(int fd, const void *buf, size_t len);
int read_full(int fd, void *buf, size_t len, size_t *ret_len);

/* The id of the mount fd (or path relative to it) lives on. With want_unique, the
 * 64-bit id that is never reused (Linux 6.8) where the kernel has it; *ret_unique
 * says which one it is. Without, the id /proc/PID/mountinfo shows. */
int fd_mount_id(int dirfd, const char *path, int flags, bool want_unique, uint64_t *ret, bool *ret_unique);

/* opendir() of path relative to dirfd, close-on-exec. */
int opendir_at(int dirfd, const char *path, DIR **ret);

/* Parses a decimal number that must fill the whole string. */
int parse_u64(const char *s, uint64_t *ret);
int parse_pid(const char *s, pid_t *ret);
