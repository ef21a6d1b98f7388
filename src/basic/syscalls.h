/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Raw wrappers for the system calls crashcart relies on, so that the program builds
 * with any libc (musl has no wrappers for most of these) and reports ENOSYS cleanly
 * on kernels that lack them. Each returns what the system call returns (-1 + errno). */
#pragma once

#include <fcntl.h>
#include <linux/types.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_open_tree
#define __NR_open_tree 428
#endif
#ifndef __NR_move_mount
#define __NR_move_mount 429
#endif
#ifndef __NR_fsopen
#define __NR_fsopen 430
#endif
#ifndef __NR_fsconfig
#define __NR_fsconfig 431
#endif
#ifndef __NR_fsmount
#define __NR_fsmount 432
#endif
#ifndef __NR_fspick
#define __NR_fspick 433
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424
#endif
#ifndef __NR_close_range
#define __NR_close_range 436
#endif
#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442
#endif

/* Constants of the new mount API, under names of our own so no libc header clashes. */
#define CC_OPEN_TREE_CLONE 1U
#define CC_OPEN_TREE_CLOEXEC O_CLOEXEC
#define CC_AT_RECURSIVE 0x8000
#define CC_MOVE_MOUNT_F_EMPTY_PATH 0x00000004U
#define CC_MOVE_MOUNT_T_EMPTY_PATH 0x00000040U
#define CC_FSOPEN_CLOEXEC 0x00000001U
#define CC_FSPICK_CLOEXEC 0x00000001U
#define CC_FSPICK_EMPTY_PATH 0x00000008U
#define CC_FSMOUNT_CLOEXEC 0x00000001U
#define CC_FSCONFIG_SET_FLAG 0
#define CC_FSCONFIG_SET_STRING 1
#define CC_FSCONFIG_SET_FD 5
#define CC_FSCONFIG_CMD_CREATE 6
#define CC_FSCONFIG_CMD_RECONFIGURE 7
#define CC_MOUNT_ATTR_RDONLY 0x00000001ULL
#define CC_MOUNT_ATTR_NOSUID 0x00000002ULL
#define CC_MOUNT_ATTR_NODEV 0x00000004ULL
#define CC_MOUNT_ATTR_NOEXEC 0x00000008ULL
#define CC_MOUNT_ATTR_IDMAP 0x00100000ULL
#define CC_CLOSE_RANGE_CLOEXEC (1U << 2)
#define CC_RESOLVE_NO_XDEV 0x01ULL
#define CC_RESOLVE_NO_MAGICLINKS 0x02ULL
#define CC_RESOLVE_NO_SYMLINKS 0x04ULL
#define CC_RESOLVE_IN_ROOT 0x10ULL
#define CC_STATX_MNT_ID 0x00001000U
#define CC_STATX_MNT_ID_UNIQUE 0x00004000U
#define CC_CLONE_NEWTIME 0x00000080

struct cc_mount_attr {
        uint64_t attr_set;
        uint64_t attr_clr;
        uint64_t propagation;
        uint64_t userns_fd;
};

struct cc_open_how {
        uint64_t flags;
        uint64_t mode;
        uint64_t resolve;
};

static inline int sys_open_tree(int dfd, const char *path, unsigned flags)
{
        return (int)syscall(__NR_open_tree, dfd, path, flags);
}

static inline int sys_move_mount(int from_dfd, const char *from, int to_dfd, const char *to, unsigned flags)
{
        return (int)syscall(__NR_move_mount, from_dfd, from, to_dfd, to, flags);
}

static inline int sys_fsopen(const char *fsname, unsigned flags)
{
        return (int)syscall(__NR_fsopen, fsname, flags);
}

static inline int sys_fsconfig(int fd, unsigned cmd, const char *key, const void *value, int aux)
{
        return (int)syscall(__NR_fsconfig, fd, cmd, key, value, aux);
}

static inline int sys_fsmount(int fd, unsigned flags, unsigned attr_flags)
{
        return (int)syscall(__NR_fsmount, fd, flags, attr_flags);
}

static inline int sys_fspick(int dfd, const char *path, unsigned flags)
{
        return (int)syscall(__NR_fspick, dfd, path, flags);
}

static inline int sys_mount_setattr(int dfd, const char *path, unsigned flags, struct cc_mount_attr *attr)
{
        return (int)syscall(__NR_mount_setattr, dfd, path, flags, attr, sizeof(*attr));
}

static inline int sys_pidfd_open(pid_t pid, unsigned flags)
{
        return (int)syscall(__NR_pidfd_open, pid, flags);
}

static inline int sys_pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned flags)
{
        return (int)syscall(__NR_pidfd_send_signal, pidfd, sig, info, flags);
}

static inline int sys_close_range(unsigned first, unsigned last, unsigned flags)
{
        return (int)syscall(__NR_close_range, first, last, flags);
}

static inline int sys_openat2(int dfd, const char *path, struct cc_open_how *how)
{
        return (int)syscall(__NR_openat2, dfd, path, how, sizeof(*how));
}
