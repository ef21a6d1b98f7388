/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A process to enter, pinned so that a recycled PID is never entered by mistake. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct target {
        pid_t pid;            /* in the host's PID namespace */
        int pidfd;            /* -EBADF on kernels without pidfd_open */
        int procfd;           /* /proc/PID, O_DIRECTORY */
        uint64_t starttime;   /* from /proc/PID/stat, the check when there is no pidfd */
        char *runtime;        /* "pid", "docker", ... */
        char *id;             /* container id where the runtime has one */
        char *name;
        char *ns;             /* what the runtime's own exec needs (containerd namespace, ...) */
        char *address;        /* and containerd's socket */
        char *workdir;        /* the working directory the runtime configured; NULL: not known */
};

#define TARGET_INIT { .pid = 0, .pidfd = -EBADF, .procfd = -EBADF }

/* Opens /proc/PID and a pidfd for pid. -ESRCH when there is no such process. */
int target_open(pid_t pid, struct target *t);
/* 0 while the pinned process is alive and is still the one opened, else -ESRCH. */
int target_check_alive(const struct target *t);
void target_done(struct target *t);

/* 1 when the target's namespace of this kind ("mnt", "user", ...) differs from
 * ours, 0 when shared, -ENOENT when the kernel has no such namespace. */
int target_ns_differs(const struct target *t, const char *ns);
/* Identifies the target's namespace of a kind as a pair (device, inode). */
int target_ns_id(const struct target *t, const char *ns, uint64_t *ret_dev, uint64_t *ret_ino);

/* The container's root as host ids, from its uid_map/gid_map (0:0 without userns). */
int target_root_ids(const struct target *t, uint32_t *ret_uid, uint32_t *ret_gid);

/* How messages name the target: its name, its id, or "PID N". */
const char *target_label(const struct target *t);
