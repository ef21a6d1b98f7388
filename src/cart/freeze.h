/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Freezing a container's cgroup for the moment in which its read-only /dev is
 * writable (THREATS.md, rule 4): no process of the container runs while it is.
 * The v1 freezer where the freezer controller is on a v1 hierarchy (as runc
 * chooses: in a hybrid layout the unified cgroup may hold more than the
 * container), cgroup v2's cgroup.freeze otherwise. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum freezer_kind {
        FREEZER_NONE,
        FREEZER_V1,             /* freezer.state */
        FREEZER_V2,             /* cgroup.freeze, cgroup.events */
};

struct freezer {
        enum freezer_kind kind;
        unsigned hierarchy;     /* its id in /proc/PID/cgroup (0 for v2) */
        char path[4096];        /* the target's cgroup in that hierarchy */
        int dirfd;              /* that cgroup's directory, on the host */
        bool was_frozen;        /* frozen by someone else (docker pause): left as found */
        bool frozen;            /* frozen by this run */
};

#define FREEZER_INIT { .kind = FREEZER_NONE, .dirfd = -EBADF }

/* From a /proc/PID/cgroup buffer (modified): the hierarchy that freezes the
 * process, and its cgroup there (*ret_path points into buf). prefer_v2 takes the
 * unified hierarchy even where a v1 freezer exists. -ENOENT: none. */
int cgroup_freezer_pick(char *buf, bool prefer_v2, enum freezer_kind *ret_kind, unsigned *ret_hierarchy,
                        char **ret_path);

/* The process's cgroup in one hierarchy (v2: 0 with controllers ""), from a
 * /proc/PID/cgroup buffer (modified). -ENOENT when it has none there. */
int cgroup_path_in(char *buf, enum freezer_kind kind, unsigned hierarchy, char **ret_path);

/* Whether cgroup path is base or beneath it: "/a/b" is beneath "/a", "/ab" is not. */
bool cgroup_path_is_beneath(const char *path, const char *base);

/* 1 when the text of freezer.state (v1) or cgroup.events (v2) says frozen, 0 when
 * not (yet), -EINVAL when it says neither. */
int freezer_state_parse(enum freezer_kind kind, const char *text);

/* Finds and opens the freezer of the target whose /proc/PID directory is
 * target_procfd. host_proc_fd, host_root_fd: the host's /proc and /;
 * host_mountinfo: the host's mount table (modified). -ENOENT: no freezer for it (the root cgroup, no hierarchy mounted);
 * -EDEADLK: the calling process is in that cgroup or beneath it, and would
 * freeze itself. */
int freezer_open(int target_procfd, int host_proc_fd, int host_root_fd, char *host_mountinfo, bool prefer_v2,
                 struct freezer *ret);

/* Freezes, and waits (at most timeout_ms) until every task is: -ETIMEDOUT, thawed
 * again, when they do not. A cgroup that was frozen already stays as it was. */
int freezer_freeze(struct freezer *f, unsigned timeout_ms);
/* Thaws what freezer_freeze froze; nothing when it froze nothing. */
int freezer_thaw(struct freezer *f);
void freezer_close(struct freezer *f);

/* Whether every process whose mount namespace is (mnt_dev, mnt_ino) is in the
 * frozen cgroup or beneath it; except the pids in skip (crashcart's own helpers,
 * which joined the namespace from the host's cgroups). host_proc_fd: the host's
 * /proc. 0 when all are; -EBUSY and *ret_pid the first that is not. */
int freezer_covers_namespace(const struct freezer *f, int host_proc_fd, uint64_t mnt_dev, uint64_t mnt_ino,
                             const pid_t *skip, size_t n_skip, pid_t *ret_pid);
