/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basic/linebuf.h"
#include "basic/log.h"
#include "basic/macro.h"
#include "crashcart/all.h"

struct job {
        pid_t pid;              /* 0: not started, or reaped */
        bool started;
        int fd[2];              /* the read ends of its stdout and stderr, -EBADF once closed */
        struct linebuf lb[2];
        char *prefix;
};

static bool job_is_running(const struct job *j)
{
        return j->started && (j->pid > 0 || j->fd[0] >= 0 || j->fd[1] >= 0);
}

/* What is in the pipe now: all of it (a job that exited may have left a
 * process of its command holding the pipe: nothing more is waited for). */
static void job_drain(struct job *j, int k, bool until_eof)
{
        char buf[16384];

        while (j->fd[k] >= 0) {
                ssize_t n = read(j->fd[k], buf, sizeof(buf));

                if (n < 0 && errno == EINTR)
                        continue;
                if (n > 0) {
                        linebuf_feed(&j->lb[k], buf, (size_t)n);
                        if (until_eof)
                                continue;
                        return;
                }
                if (n < 0 && errno == EAGAIN)
                        return;
                /* End of the stream, or an error: the line so far, and done. */
                linebuf_flush(&j->lb[k]);
                j->fd[k] = safe_close(j->fd[k]);
        }
}

static void job_close(struct job *j)
{
        for (int k = 0; k < 2; k++) {
                if (j->fd[k] >= 0) {
                        linebuf_flush(&j->lb[k]);
                        j->fd[k] = safe_close(j->fd[k]);
                }
        }
}

static _noreturn_ void job_child(const struct all_request *req, size_t i, pid_t parent, int sfd, int out_w,
                                 int err_w)
{
        int null_fd, status;

        safe_close(sfd);
        /* A process group of its own: a terminal's ^C reaches crashcart, which
         * passes it on once, not every job a second time. */
        setpgid(0, 0);
        /* crashcart gone (SIGKILL): the job unwinds as on SIGTERM. */
        if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
                _exit(125);
        null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0)
                _exit(125);
        if (null_fd > 2)
                safe_close(null_fd);
        safe_close(out_w);
        safe_close(err_w);
        /* The command is re-parented to the job after the double fork into the
         * container's PID namespace, as to a single run of crashcart (the
         * attribute is not inherited). */
        prctl(PR_SET_CHILD_SUBREAPER, 1);
        status = req->run(i, req->userdata);
        fflush(stdout);
        fflush(stderr);
        _exit(status & 0xff);
}

static int job_start(const struct all_request *req, struct job *jobs, size_t i, int sfd)
{
        struct job *j = &jobs[i];
        int out[2], err[2];
        pid_t pid, parent = getpid();

        if (pipe2(out, O_CLOEXEC) < 0)
                return NEG_ERRNO();
        if (pipe2(err, O_CLOEXEC) < 0) {
                int r = NEG_ERRNO();

                safe_close(out[0]);
                safe_close(out[1]);
                return r;
        }
        fflush(stdout);
        fflush(stderr);
        pid = fork();
        if (pid < 0) {
                int r = NEG_ERRNO();

                safe_close(out[0]);
                safe_close(out[1]);
                safe_close(err[0]);
                safe_close(err[1]);
                return r;
        }
        if (pid == 0) {
                safe_close(out[0]);
                safe_close(err[0]);
                /* The read ends of the jobs before: not this one's to hold. */
                for (size_t k = 0; k < i; k++)
                        for (int s = 0; s < 2; s++)
                                if (jobs[k].fd[s] >= 0)
                                        safe_close(jobs[k].fd[s]);
                job_child(req, i, parent, sfd, out[1], err[1]);
        }
        safe_close(out[1]);
        safe_close(err[1]);
        fcntl(out[0], F_SETFL, O_NONBLOCK);
        fcntl(err[0], F_SETFL, O_NONBLOCK);
        j->pid = pid;
        j->started = true;
        j->fd[0] = out[0];
        j->fd[1] = err[0];
        return 0;
}

static int exit_status(int ws)
{
        if (WIFEXITED(ws))
                return WEXITSTATUS(ws);
        if (WIFSIGNALED(ws))
                return 128 + WTERMSIG(ws);
        return 125;
}

/* Reaps what has exited: a job's process, or an orphan re-parented to
 * crashcart (a subreaper). */
static void reap(struct job *jobs, size_t n, int *ret_status)
{
        for (;;) {
                int ws;
                pid_t pid = waitpid(-1, &ws, WNOHANG);

                if (pid <= 0)
                        return;
                for (size_t i = 0; i < n; i++)
                        if (jobs[i].pid == pid) {
                                jobs[i].pid = 0;
                                ret_status[i] = exit_status(ws);
                                /* What it wrote before it ended, then no more. */
                                job_drain(&jobs[i], 0, true);
                                job_drain(&jobs[i], 1, true);
                                job_close(&jobs[i]);
                        }
        }
}

int all_run(const struct all_request *req, int *ret_status, int *ret_signal)
{
        _cleanup_close_ int sfd = -EBADF;
        _cleanup_free_ struct job *jobs = NULL;
        _cleanup_free_ struct pollfd *pfd = NULL;
        _cleanup_free_ size_t *pjob = NULL;
        sigset_t mask = *req->forwarded;
        size_t next = 0, width = 0;
        int r = 0, sig = 0;

        *ret_signal = 0;
        for (size_t i = 0; i < req->n; i++)
                ret_status[i] = -1;
        sigaddset(&mask, SIGCHLD);
        sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sfd < 0)
                return NEG_ERRNO();
        jobs = calloc(req->n ? req->n : 1, sizeof(*jobs));
        pfd = calloc(2 * (req->n ? req->n : 1) + 1, sizeof(*pfd));
        pjob = calloc(2 * (req->n ? req->n : 1) + 1, sizeof(*pjob));
        if (!jobs || !pfd || !pjob)
                return -ENOMEM;
        for (size_t i = 0; i < req->n; i++)
                if (strlen(req->names[i]) > width)
                        width = strlen(req->names[i]);
        for (size_t i = 0; i < req->n; i++) {
                jobs[i].fd[0] = jobs[i].fd[1] = -EBADF;
                if (asprintf(&jobs[i].prefix, "%-*s | ", (int)width, req->names[i]) < 0) {
                        jobs[i].prefix = NULL;
                        r = -ENOMEM;
                        goto out;
                }
                jobs[i].lb[0] = (struct linebuf)LINEBUF_INIT(jobs[i].prefix, STDOUT_FILENO);
                jobs[i].lb[1] = (struct linebuf)LINEBUF_INIT(jobs[i].prefix, STDERR_FILENO);
        }

        for (;;) {
                size_t running = 0, np = 0;

                for (size_t i = 0; i < next; i++)
                        running += job_is_running(&jobs[i]);
                while (!sig && r == 0 && next < req->n && running < req->parallel) {
                        r = job_start(req, jobs, next, sfd);
                        if (r < 0)
                                break;
                        next++, running++;
                }
                if (running == 0)
                        break;

                pfd[np++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
                for (size_t i = 0; i < next; i++)
                        for (int k = 0; k < 2; k++)
                                if (jobs[i].fd[k] >= 0) {
                                        pjob[np] = i * 2 + (size_t)k;
                                        pfd[np++] = (struct pollfd){ .fd = jobs[i].fd[k], .events = POLLIN };
                                }
                if (poll(pfd, np, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        r = NEG_ERRNO();
                        /* Waited for all the same, below: nothing is left running. */
                        break;
                }
                for (size_t p = 1; p < np; p++)
                        if (pfd[p].revents)
                                job_drain(&jobs[pjob[p] / 2], (int)(pjob[p] % 2), false);
                if (pfd[0].revents & POLLIN) {
                        struct signalfd_siginfo si;

                        while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
                                if ((int)si.ssi_signo == SIGCHLD)
                                        continue;
                                if (!sig)
                                        log_debug("SIG%s: no more jobs; passed on to the %zu running",
                                                  sigabbrev_np((int)si.ssi_signo), running);
                                sig = sig ? sig : (int)si.ssi_signo;
                                for (size_t i = 0; i < next; i++)
                                        if (jobs[i].pid > 0)
                                                kill(jobs[i].pid, (int)si.ssi_signo);
                        }
                        reap(jobs, next, ret_status);
                }
        }
out:
        /* Whatever ended the loop, no job is left behind. */
        for (size_t i = 0; i < next; i++)
                while (jobs[i].pid > 0) {
                        int ws;

                        job_drain(&jobs[i], 0, true);
                        job_drain(&jobs[i], 1, true);
                        if (waitpid(jobs[i].pid, &ws, 0) == jobs[i].pid) {
                                ret_status[i] = exit_status(ws);
                                jobs[i].pid = 0;
                        } else if (errno != EINTR)
                                jobs[i].pid = 0;
                }
        for (size_t i = 0; i < req->n; i++) {
                job_close(&jobs[i]);
                linebuf_done(&jobs[i].lb[0]);
                linebuf_done(&jobs[i].lb[1]);
                free(jobs[i].prefix);
        }
        *ret_signal = sig;
        return r;
}
