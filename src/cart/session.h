/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Who uses the cart of a container, so that the last of several crashcart runs
 * unmounts a cart that a run mounted, and no run unmounts a cart mounted with -m.
 * Kept on the host in crashcart's runtime directory, one file a mount namespace,
 * read and written under an exclusive lock. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "exec/target.h"

#define RUNDIR "/run/crashcart"
#define SESSION_USERS_MAX 256

struct session_user {
        pid_t pid;
        uint64_t starttime;
};

struct session {
        int fd;                 /* the locked file */
        char name[80];
        bool transient;         /* mounted by a run: the last run out unmounts it */
        uint64_t mnt_id;        /* the cart's mount this is about */
        size_t n_users;
        struct session_user users[SESSION_USERS_MAX];
};

/* Creates (root-only) and opens the runtime directory. */
int rundir_open(int *ret_fd);

/* Names the session of the target's mount namespace (computed once, so that it can
 * be closed after the target has gone). */
int session_name_of(const struct target *t, char *buf, size_t size);
/* Locks and reads a session. Users that are no longer alive (gone, a zombie, or
 * another process with their PID) are dropped as it is read. */
int session_open(int rundir_fd, const char *name, struct session *ret);
/* Writes it back (or removes the file when nothing is left to say) and unlocks. */
int session_close(int rundir_fd, struct session *s);
void session_abandon(struct session *s);

int session_add_self(struct session *s);
void session_remove_self(struct session *s);
/* The run of PID pid is no user any more: what its reaper does for a run that
 * was killed. */
void session_remove_user(struct session *s, pid_t pid);

/* Parses a session file's text (exposed for unit tests). */
int session_parse(const char *text, struct session *s);
