/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <sys/types.h>

/* Reads fd until EOF into a malloc'd, NUL-terminated buffer: -EFBIG when it holds
 * more than max bytes, -ENOMEM; never a silently shortened result. The one
 * read-until-EOF loop: files, pipes, /proc. */
int read_full_fd(int fd, size_t max, char **ret, size_t *ret_len);

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

/* "a/b", malloc'd; NULL when out of memory. */
char *path_join(const char *a, const char *b);

/* Whether path is dir or beneath it ("/devx" is not beneath "/dev"); leading
 * slashes after the first do not count. */
bool path_is_below(const char *path, const char *dir);

/* mkdir -p: path and its missing parents; an existing one is not an error. */
int mkdir_p(const char *path, mode_t mode);

/* buf as the whole of path, made with mode when it is new. */
int write_whole(const char *path, const void *buf, size_t len, mode_t mode);

/* What in reads, into a new file `to`: one there is unlinked first, and the new
 * one made with O_EXCL, so a link at `to` is replaced, never written through. */
int copy_fd_to_file(int in, const char *to, mode_t mode);
int copy_file(const char *from, const char *to, mode_t mode);

/* Closes every descriptor but those in keep (at most 8; negative ones are
 * skipped): what a process forked to outlive its parent keeps. */
void close_all_fds_but(const int *keep, size_t n);

/* Opens path beneath the directory rootfd where openat2 is missing (Linux before
 * 5.6, qemu-user): each component is walked with O_NOFOLLOW, so a symlink or a
 * magic link anywhere is -ELOOP (or -ENOTDIR), and ".." is -EXDEV; stricter than
 * RESOLVE_IN_ROOT, which resolves symlinks inside the root. flags for the last
 * component (O_NOFOLLOW and O_CLOEXEC are added). */
int openat_beneath_nofollow(int rootfd, const char *path, int flags);

/* Opens a path of a container's beneath its root rootfd (absolute or not, "/"
 * the root itself): symlinks resolve inside the root, magic links not at all
 * (openat2 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS); without openat2, no link
 * is followed at all (openat_beneath_nofollow). O_CLOEXEC is added. */
int openat_in_root(int rootfd, const char *path, int flags);

/* Sends len bytes over a unix socket, with fd (>= 0) riding along as SCM_RIGHTS;
 * MSG_NOSIGNAL, EINTR retried. 0 when all was sent, -errno. */
int send_with_fd(int sock, const void *buf, size_t len, int fd);
