/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SIGINT, SIGTERM, SIGHUP and SIGQUIT while crashcart waits for one of its helpers
 * (the one that places the cart, the one that joins the container), which may
 * block on something the container controls: the wait ends, the caller kills
 * the helper and unwinds as on any error, and crashcart exits 128+N. The
 * signals are blocked (crashcart takes them with sigwaitinfo once the command
 * runs); here they are read from a signalfd. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* Waits until fd is readable (or its peer hung up): 0. -EINTR when one of the
 * signals came first (interrupt_signal() says which); -errno on error. */
int interrupt_wait_readable(int fd);

/* read_full's loop, each read after interrupt_wait_readable: -EINTR as above. */
int interrupt_read_full(int fd, void *buf, size_t size, size_t *ret_n);

/* Kills a helper (SIGKILL) and reaps it: what follows an -EINTR. */
void interrupt_kill_helper(pid_t pid);

/* Whether one of the signals came, without waiting: -EINTR then (for a long
 * loop of crashcart's own, between its steps), else 0. */
int interrupt_check(void);
/* The signal that interrupted a wait, 0 when none did. */
int interrupt_signal(void);

/* In a process forked to live on its own (the reaper): the signalfd and the
 * signal that crashcart saw are crashcart's, not its own. Closes the one and
 * forgets the other, before the descriptor's number can name something else. */
void interrupt_forget(void);
