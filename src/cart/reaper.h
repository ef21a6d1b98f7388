/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The reaper of a run: a small process forked before the cart is acquired, which
 * undoes what the run would have undone had it not been killed (SIGKILL, the OOM
 * killer). It is out of crashcart's session and process group, ignores the
 * signals a terminal or a kill of the group sends, and holds nothing but the read
 * end of a socket whose other end only crashcart (and its helpers, until they
 * die with it) holds, the runtime directory and the target's descriptors: no
 * loop device, no mount, no namespace of the container's.
 *
 * crashcart tells it what it is about to do: that it places the cart (which
 * device, which mount), that the session records it, which process is the
 * command; and 'done' when it ends as it should, upon which the reaper exits at
 * once. At end-of-file without 'done' (crashcart died) it waits for the command,
 * if one was started, to exit (the command outlives crashcart, as with docker
 * exec), then does what cart_leave would have done for the run: it drops the
 * run from the session, and the last user out unmounts a cart that a run
 * mounted. A cart placed and not yet recorded when crashcart died is removed
 * (cart_reap). It never enters the container itself: its helpers are cart_leave's. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cart/cart.h"
#include "exec/target.h"

struct reaper {
        int fd;                 /* crashcart's end of the socket; -EBADF: no reaper */
        pid_t pid;
};

#define REAPER_INIT { .fd = -EBADF, .pid = 0 }

/* Forks the reaper of this run against target t. Its failure leaves the run
 * without one (as before the reaper existed), never fails the run. */
int reaper_start(const struct cart_request *req, const struct target *t, int rundir_fd, struct reaper *ret);

/* The cart is about to be placed at /dev/crashcart: its device and, where known
 * beforehand (the new mount API), its mount id. */
void reaper_note_placing(struct reaper *r, uint64_t mnt_id, dev_t dev);
/* The session says what this run holds (it is a user, or nothing to undo). */
void reaper_note_recorded(struct reaper *r);
/* The command runs as pid (in crashcart's PID namespace); crashcart's child,
 * not yet waited for, so the PID names it. */
void reaper_note_command(struct reaper *r, pid_t pid);
/* Nothing is left for the reaper to do: it exits by itself, unwaited. */
void reaper_done(struct reaper *r);

/* The notes on the socket (exposed for the unit tests). */
enum reaper_note_kind {
        REAPER_NOTE_PLACING = 'M',
        REAPER_NOTE_RECORDED = 'R',
        REAPER_NOTE_COMMAND = 'C',
        REAPER_NOTE_DONE = 'd',
};

struct reaper_note {
        char kind;              /* enum reaper_note_kind */
        pid_t pid;              /* COMMAND; its pidfd rides along where the kernel has them */
        uint64_t mnt_id;        /* PLACING: 0 when not known before the mount */
        uint64_t dev;           /* PLACING */
};

/* What the notes received so far leave to do (exposed for the unit tests). */
struct reaper_state {
        bool done;              /* 'done': nothing */
        bool placing;           /* placed (perhaps), not recorded */
        struct cart_placing placed;
        pid_t command;          /* 0: none noted */
};
void reaper_state_apply(struct reaper_state *st, const struct reaper_note *n);
