/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running host programs: start one, wait for it, and read its exit status the way
 * a shell shows it; or run one to its end, collecting what it prints. */
#pragma once

#include <signal.h>
#include <sys/types.h>

/* Starts argv[0] (searched in PATH) with the given signal mask restored (NULL:
 * unchanged), and stdio[0..2] as its standard descriptors (NULL: crashcart's
 * own). A program that cannot be started exits 127 (not found) or 126. */
int host_spawn(char *const *argv, const sigset_t *sigmask, const int *stdio, pid_t *ret_pid);

/* The exit status a shell would show for a wait status: 128+N for signal N. */
int exit_status_of(int wait_status);

enum {
        /* The program's standard output goes where its standard error goes. */
        SPAWN_STDOUT_TO_STDERR = 1 << 0,
        /* Its standard error goes where its standard output goes (collected,
         * with ret_stdout): for a tool that chats on both. */
        SPAWN_STDERR_TO_STDOUT = 1 << 1,
};

/* At most this much of a program's output is collected (-EFBIG past it). */
#define SPAWN_CAPTURE_MAX ((size_t)64 << 20)

/* Runs argv (searched in PATH) in dir (NULL: here) and waits for it. With
 * ret_stdout, its standard output is collected into a NUL-terminated buffer
 * (set only on success). Returns its exit status as exit_status_of() gives it,
 * or -errno: it could not be started (fork, chdir or exec failed; exec's errno
 * comes back over a close-on-exec pipe), or its output could not be kept. */
int spawn_run(char *const *argv, const char *dir, int flags, char **ret_stdout);
