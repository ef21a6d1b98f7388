/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --all: one job per container, a few at a time, each a forked crashcart whose
 * standard output and error come back through pipes and are shown line by line
 * with the container's name in front (src/basic/linebuf.h), stdout to stdout and
 * stderr to stderr. A signal that would end crashcart (SIGINT, SIGTERM, SIGHUP,
 * SIGQUIT) starts no more jobs and is passed on to each running one, which
 * unwinds as a single run does (its command gets the signal, its cart goes);
 * all_run returns when every job has ended. */
#pragma once

#include <signal.h>
#include <stddef.h>

/* Runs in the job's process, with 0 from /dev/null and 1 and 2 the pipes:
 * returns its exit status. */
typedef int (*all_job_fn)(size_t index, void *userdata);

struct all_request {
        const char *const *names;       /* what each job's lines start with */
        size_t n;
        unsigned parallel;              /* at most this many at a time */
        all_job_fn run;
        void *userdata;
        const sigset_t *forwarded;      /* blocked by the caller, with SIGCHLD */
};

/* ret_status[i]: the exit status of job i (128+N when killed by signal N), or
 * -1 when it was never started (interrupted before). *ret_signal: the signal
 * that interrupted the run, 0 when none did. -errno when the jobs could not be
 * run or watched at all (jobs already started are waited for first). */
int all_run(const struct all_request *req, int *ret_status, int *ret_signal);
