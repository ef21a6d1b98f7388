/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The host side of an interactive run: the host terminal in raw mode, restored on
 * every way out; bytes relayed between it and the pseudo-terminal master the
 * command got inside the container; window size kept in step. The container never
 * holds a descriptor of the host terminal, so nothing left in it can push
 * keystrokes into the operator's shell (TIOCSTI). */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

/* Puts fd (a terminal) in raw mode, remembering its settings; they are restored by
 * tty_restore, at exit, and when crashcart dies of a fatal signal. */
int tty_raw_begin(int fd);
void tty_restore(void);

/* One direction of a relay: bytes read from `from` are written to `to`. */
struct relay {
        int from, to;
        bool is_input;  /* from crashcart's stdin: at its end, eof_to_pty or close `to` */
        bool eof_to_pty; /* `to` is a pty master: send ^D at the end of input */
        bool open;
};

/* Relays until pid exits (then drains what is left, bounded), forwarding the
 * signals of fwd (blocked by the caller, with SIGCHLD) to pid, and on SIGWINCH the
 * window size of winsize_from to winsize_to (both -1 when there is no terminal).
 * Returns pid's wait status. */
int relay_run(struct relay *r, size_t n, int winsize_from, int winsize_to, pid_t pid, const sigset_t *fwd,
              int *ret_status);

/* Copies the window size of a terminal to another. */
void tty_copy_winsize(int from, int to);
