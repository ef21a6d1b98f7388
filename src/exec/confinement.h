/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --confined: the command gets the container's own confinement, as found on its
 * init: capability sets, no_new_privs, and seccomp filters (copied with
 * PTRACE_SECCOMP_GET_FILTER). */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "exec/target.h"

#define CONFINE_MAX_FILTERS 16

/* The target's LSM label, to exec the command under. */
enum lsm_kind {
        LSM_NONE,       /* no LSM, or AppArmor's "unconfined": nothing to do */
        LSM_APPARMOR,   /* a profile name */
        LSM_SELINUX,    /* a context, user:role:type[:level] */
};

struct lsm_label {
        enum lsm_kind kind;
        char *label;
};

struct confinement {
        uint64_t cap_bnd, cap_eff, cap_prm, cap_inh, cap_amb;
        struct lsm_label lsm;
        bool no_new_privs;
        int seccomp_mode;       /* 0 none, 1 strict, 2 filter */
        struct sock_fprog filters[CONFINE_MAX_FILTERS]; /* [0] is the newest */
        unsigned filter_flags[CONFINE_MAX_FILTERS];
        size_t n_filters;
};

/* Parses the Cap*, NoNewPrivs and Seccomp lines of a /proc/PID/status text. */
int confinement_parse_status(const char *status, struct confinement *ret);
/* Parses the text of /proc/PID/attr/apparmor/current (is_apparmor_file) or of
 * /proc/PID/attr/current: AppArmor's "PROFILE (MODE)" or "unconfined", SELinux's
 * context. -EOPNOTSUPP: a label of another LSM, which cannot be carried over. */
int confinement_parse_lsm_label(const char *text, size_t len, bool is_apparmor_file, struct lsm_label *ret);
/* Before chroot, in the command's process (its own thread's file): the attr/exec
 * file to write the label to, from the host's /proc, which the container cannot
 * replace. -EBADF when there is no label to set. */
int confinement_open_lsm_exec(const struct confinement *c);
/* Right before exec: the command is exec'd under the target's label. */
int confinement_apply_lsm(const struct confinement *c, int attr_exec_fd);
/* Reads the target's confinement; the seccomp filters by stopping it for a moment
 * with ptrace. -EPERM: they cannot be read (the target is traced already). */
int confinement_read(const struct target *t, struct confinement *ret);
void confinement_done(struct confinement *c);
/* In the command, just before exec: applies it. Must run with full capabilities,
 * after the uid change when keep_caps_for_root (root keeps the target's sets). */
int confinement_apply_bounding(const struct confinement *c);
int confinement_apply_caps(const struct confinement *c);
int confinement_apply_seccomp(const struct confinement *c);

/* What the command does not keep by default (without --privileged): what no
 * debugger needs and what turns root in a container into root of the host or of
 * its hardware: loading kernel modules (CAP_SYS_MODULE), raw I/O and /dev/mem
 * (CAP_SYS_RAWIO), reboot and kexec (CAP_SYS_BOOT), device nodes (CAP_MKNOD: a
 * node of the host's disk), eBPF programs that read kernel memory (CAP_BPF), the
 * clock and alarms (CAP_SYS_TIME, CAP_WAKE_ALARM, CAP_BLOCK_SUSPEND), immutable
 * files, process accounting, the audit configuration and the LSM policy
 * (CAP_LINUX_IMMUTABLE, CAP_SYS_PACCT, CAP_AUDIT_CONTROL, CAP_MAC_ADMIN,
 * CAP_MAC_OVERRIDE). ptrace, raw sockets, network administration, perf, mount
 * and the rest stay. */
uint64_t confinement_default_dropped(void);
/* Drops the capabilities of mask from the bounding, permitted, effective,
 * inheritable and ambient sets, for good. */
int confinement_drop_caps(uint64_t mask);
/* This process's effective and permitted capability sets. */
int confinement_current_caps(uint64_t *ret_eff, uint64_t *ret_prm);
