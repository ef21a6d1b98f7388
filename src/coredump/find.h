/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where the kernel wrote a container's core: kernel.core_pattern as a file path
 * is resolved in the dumping process's mount namespace (a relative one in its
 * working directory), so the core is a file of the container's own root. The
 * search reads beneath that root only (openat2 RESOLVE_IN_ROOT, no magic
 * links). A pattern that pipes cores to a program (systemd-coredump, apport)
 * leaves no file there. Never prints, never exits. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "coredump/elfcore.h"

struct core_pattern {
        char *pipe;             /* the program of a "|PROG ARGS" pattern; NULL: a file path */
        char *dir;              /* the directory of the files, absolute; NULL: relative to
                                 * the dumping process's working directory */
        char *glob;             /* their names as an fnmatch(3) pattern: each %-specifier
                                 * a '*', core_uses_pid's ".%p" added */
};

/* Parses the text of /proc/sys/kernel/core_pattern (a trailing newline
 * allowed). -EOPNOTSUPP: a directory part with %-specifiers (a per-program
 * directory): --core=FILE names the core then. */
int core_pattern_parse(const char *text, bool uses_pid, struct core_pattern *ret);
void core_pattern_done(struct core_pattern *p);

struct core_found {
        char *path;             /* beneath the root: absolute, as the container names it */
        struct elfcore_info info;
        struct timespec mtime;
};

/* The newest ELF core of the files in dir (beneath rootfd) whose name matches
 * glob: regular files, newest first, the first that parses as a core. -ENOENT:
 * none. */
int core_find_newest(int rootfd, const char *dir, const char *glob, struct core_found *ret);
/* The core at path beneath rootfd (--core=FILE). -ENOEXEC: not an ELF core. */
int core_open_path(int rootfd, const char *path, struct core_found *ret);
void core_found_done(struct core_found *c);
