/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running host programs: start one, wait for it, and read its exit status the way
 * a shell shows it. */
#pragma once

#include <signal.h>
#include <sys/types.h>

/* Starts argv[0] (searched in PATH) with the given signal mask restored (NULL:
 * unchanged). A program that cannot be started exits 127 (not found) or 126. */
int host_spawn(char *const *argv, const sigset_t *sigmask, pid_t *ret_pid);

/* The exit status a shell would show for a wait status: 128+N for signal N. */
int exit_status_of(int wait_status);
