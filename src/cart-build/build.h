/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One build of a cart: where its trees are, what the cart holds so far, and the
 * first error of its stages. A stage is a function of a build that returns 0 or
 * -errno; it prints nothing and never exits, but records what went wrong with
 * build_fail() (as crun's libcrun_error_t), which the command layer says once. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "basic/macro.h"
#include "cart-build/alternatives.h"
#include "cart-build/archive.h"
#include "cart-build/layout.h"
#include "cart-build/pkglist.h"

struct build_error {
        int error;              /* negative errno; 0: nothing recorded */
        bool shows_errno;       /* the message ends with strerror(error) */
        char message[1024];
};

struct build {
        /* What was asked for. */
        const struct cart_arch *arch;   /* NULL: the host's */
        const struct cart_release *release; /* NULL: the host's, if Debian's */
        const char *mirror;
        struct pkglist want;            /* the package list */
        const char *output, *format, *compression;
        const char *keep;               /* the cart's tree goes here, and stays */
        bool redirect;                  /* the redirections are made (harden_cart): the
                                         * wrappers get their redirection parts */

        /* The trees: the cache (debs/, kept between builds), and in the work
         * directory the extracted packages (staging), their control files, and
         * the cart's own tree (root, unless kept elsewhere). */
        const char *cache;
        char *debs;
        char *apt_dir;                  /* the builder's own apt: config and state */
        char *work;
        char *staging;
        int staging_fd;
        char *control;
        char *root;

        struct pkglist all;             /* the closure, to fetch and extract */
        struct apt_pkgs pkgs;           /* the same, with versions and architectures */
        long long epoch;                /* SOURCE_DATE_EPOCH: every time in the image; -1: not yet known */
        char uuid[37];                  /* the file system's, drawn from the manifest */
        char hash_seed[37];             /* ext4's directory hash seed, likewise */
        struct alternatives alts;       /* the links update-alternatives would make */
        char **libs;                    /* sonames copied to lib/ */
        size_t n_libs;
        char **elves;                   /* paths (in the cart) of the ELF files to relocate */
        size_t n_elves;

        struct build_error error;
};

#define BUILD_INIT { .staging_fd = -EBADF, .epoch = -1 }

void build_done(struct build *b);

/* Records the first error of a build with its message; returns error, so that a
 * stage writes: return build_fail(b, r, "cannot ..."). The _errno form's message
 * is followed by strerror(error) when it is said. */
int build_fail(struct build *b, int error, const char *fmt, ...) _printf_(3, 4);
int build_fail_errno(struct build *b, int error, const char *fmt, ...) _printf_(3, 4);

/* mkdir -p of rel beneath the cart's tree (mode 0755), the failure recorded. */
int build_mkdir(struct build *b, const char *rel);

/* Runs a tool as spawn_run() does (its standard output on standard error unless
 * verbose): its exit status, or -errno recorded as "cannot run 'TOOL'". */
int build_run(struct build *b, char *const *argv, const char *dir, char **ret_stdout);

/* Adds a copy of s to a list of the build (libs, elves). */
int build_remember(char ***v, size_t *n, const char *s);
bool build_has_lib(const struct build *b, const char *name);

/* Opens a regular file of the staging tree, its links resolved inside the tree: a
 * package's absolute link (sbin/ip -> /bin/ip, lib64/ld-linux-x86-64.so.2 ->
 * /lib/...) names the package's file, never the build host's. The descriptor,
 * with *st, or -errno (-EBADFD: not a regular file). */
int build_open_staged(const struct build *b, const char *rel, struct stat *st);
