/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parsers for the /proc files crashcart reads. They work on buffers, so unit tests
 * and fuzzers feed them fixtures; a container controls none of these files, but the
 * parsers still treat every line as untrusted. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct mountinfo_entry {
        uint64_t mnt_id;
        uint64_t parent_id;
        unsigned major, minor;
        char *root;        /* unescaped */
        char *mount_point; /* unescaped */
        char *mount_opts;
        char *optional;    /* "shared:1 master:2", may be empty */
        char *fstype;
        char *source;
        char *super_opts;
};

/* Splits one mountinfo line in place (the line is modified); octal escapes in paths
 * are decoded. -EINVAL when the line is malformed. */
int mountinfo_parse_line(char *line, struct mountinfo_entry *ret);

/* Iterates over the lines of a mountinfo buffer (which is modified). The callback
 * returns 0 to go on, >0 to stop with that value, <0 to fail. Malformed lines fail
 * with -EINVAL. */
typedef int (*mountinfo_cb)(const struct mountinfo_entry *e, void *userdata);
int mountinfo_foreach(char *buf, mountinfo_cb cb, void *userdata);

/* Finds the mount with this id; copies its fields into *ret (pointing into buf). */
int mountinfo_find_id(char *buf, uint64_t mnt_id, struct mountinfo_entry *ret);
/* Finds the topmost mount at exactly this mount point. -ENOENT when none. */
int mountinfo_find_mount_point(char *buf, const char *path, struct mountinfo_entry *ret);

/* Whether a comma-separated option list has this option exactly. */
bool opts_has(const char *opts, const char *opt);
/* Whether the optional fields mark the mount as a shared-propagation peer. */
bool mountinfo_is_shared(const struct mountinfo_entry *e);
/* The peer group of a shared mount ("shared:N"), 0 when it is not shared. */
uint64_t mountinfo_peer_group(const struct mountinfo_entry *e);
/* Whether a mountinfo buffer has a mount that is a peer (shared:N) or a slave
 * (master:N) of peer group N: one that a mount under group N propagates to.
 * -EINVAL on a malformed buffer. buf is modified. */
int mountinfo_has_group(char *buf, uint64_t group);

/* Maps an id inside a user namespace to the id outside through a uid_map/gid_map
 * buffer. -ENOENT when the id is not mapped, -EINVAL on a malformed map. */
int idmap_to_outside(const char *map, uint32_t inside, uint32_t *ret_outside);
/* Whether a map is the identity map of the initial user namespace. */
bool idmap_is_identity(const char *map);

struct cgroup_entry {
        unsigned hierarchy;
        char *controllers; /* "cpu,cpuacct", "name=systemd", "" for cgroup2 */
        char *path;
};
typedef int (*cgroup_cb)(const struct cgroup_entry *e, void *userdata);
/* Iterates over /proc/PID/cgroup lines ("ID:CONTROLLERS:PATH"); buf is modified. */
int cgroup_foreach(char *buf, cgroup_cb cb, void *userdata);

/* Field 22 of /proc/PID/stat, the start time in clock ticks since boot. The comm
 * field may hold spaces and parentheses: parsing starts after the last ')'. */
int proc_stat_starttime(const char *stat, uint64_t *ret);
/* The state field of a /proc/PID/stat line ('R', 'S', 'Z', ...), 0 when there is
 * none. */
char proc_stat_state(const char *stat);
