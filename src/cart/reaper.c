/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "basic/fileio.h"
#include "basic/interrupt.h"
#include "basic/log.h"
#include "basic/macro.h"
#include "basic/procfs.h"
#include "basic/syscalls.h"
#include "cart/reaper.h"
#include "cart/session.h"

#define REAPER_NAME "crashcart-reaper"

void reaper_state_apply(struct reaper_state *st, const struct reaper_note *n)
{
        switch (n->kind) {
        case REAPER_NOTE_DONE:
                st->done = true;
                break;
        case REAPER_NOTE_PLACING:
                st->placing = true;
                st->placed = (struct cart_placing){ .mnt_id = n->mnt_id, .dev = (dev_t)n->dev };
                break;
        case REAPER_NOTE_RECORDED:
                st->placing = false;
                break;
        case REAPER_NOTE_COMMAND:
                st->command = n->pid;
                break;
        default:
                break;
        }
}

/* Sends one note; the pidfd (>= 0) rides along as SCM_RIGHTS. MSG_NOSIGNAL: a
 * reaper that is gone is no reason for crashcart to die of SIGPIPE. */
static void send_note(struct reaper *r, const struct reaper_note *n, int pidfd)
{
        if (r && r->fd >= 0)
                (void)send_with_fd(r->fd, n, sizeof(*n), pidfd);
}

void reaper_note_placing(struct reaper *r, uint64_t mnt_id, dev_t dev)
{
        send_note(r, &(struct reaper_note){ .kind = REAPER_NOTE_PLACING, .mnt_id = mnt_id, .dev = dev }, -EBADF);
}

void reaper_note_recorded(struct reaper *r)
{
        send_note(r, &(struct reaper_note){ .kind = REAPER_NOTE_RECORDED }, -EBADF);
}

void reaper_note_command(struct reaper *r, pid_t pid)
{
        _cleanup_close_ int pidfd = -EBADF;

        if (!r || r->fd < 0)
                return;
        /* The command is crashcart's child, not waited for yet: its PID names
         * it. The pidfd keeps naming it once crashcart is gone and the PID is
         * free to be reused. */
        pidfd = sys_pidfd_open(pid, 0);
        send_note(r, &(struct reaper_note){ .kind = REAPER_NOTE_COMMAND, .pid = pid }, pidfd);
}

void reaper_done(struct reaper *r)
{
        if (!r || r->fd < 0)
                return;
        send_note(r, &(struct reaper_note){ .kind = REAPER_NOTE_DONE }, -EBADF);
        r->fd = safe_close(r->fd);
}

/* ---- in the reaper ---- */

/* What ps and pgrep show: the reaper, not a second crashcart with the run's
 * command line (a pgrep -f for the run would find both). The arguments' memory
 * is written over, as setproctitle does (PR_SET_MM would need CAP_SYS_RESOURCE,
 * which a node pod may lack); nothing of the reaper's reads them after this. */
static void rename_reaper(void)
{
        _cleanup_free_ char *cmdline = NULL;
        size_t len = 0;

        prctl(PR_SET_NAME, "crashcart-reap");
        if (!program_invocation_name || read_full_fileat(AT_FDCWD, "/proc/self/cmdline", 1 << 20, &cmdline, &len) < 0 ||
            len < 2)
                return;
        /* The last byte stays NUL: the kernel then shows the area as it is. */
        memset(program_invocation_name, 0, len);
        snprintf(program_invocation_name, len, "%s", REAPER_NAME);
}

/* Receives one note, and the descriptor that rides along (or -EBADF). 0 at
 * end-of-file, 1 for a note. */
static int recv_note(int fd, struct reaper_note *ret, int *ret_fd)
{
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } u;
        struct iovec iov = { .iov_base = ret, .iov_len = sizeof(*ret) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                             .msg_controllen = sizeof(u.buf) };
        ssize_t n;

        *ret_fd = -EBADF;
        do
                n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n <= 0)
                return 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
                        memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
        if ((size_t)n != sizeof(*ret)) {
                *ret_fd = safe_close(*ret_fd);
                ret->kind = 0;
        }
        return 1;
}

/* Until the command has exited: its pidfd turns readable then. Without one
 * (before Linux 5.3), its /proc entry is watched until it is gone or a zombie. */
static void wait_command_gone(int pidfd, pid_t pid)
{
        if (pidfd >= 0) {
                struct pollfd p = { .fd = pidfd, .events = POLLIN };

                while (poll(&p, 1, -1) < 0 && errno == EINTR)
                        ;
                return;
        }
        for (;;) {
                _cleanup_free_ char *stat = NULL;
                char path[64];
                char state;

                snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
                if (read_full_fileat(AT_FDCWD, path, 4096, &stat, NULL) < 0)
                        return;
                state = proc_stat_state(stat);
                if (state == 'Z' || state == 'X')
                        return;
                usleep(100000);
        }
}

_noreturn_ static void reaper_main(int fd, const struct cart_request *run_req, const struct target *t, int rundir_fd,
                                   pid_t run_pid)
{
        /* What an unmount needs; the image's name may be in the arguments'
         * memory, which rename_reaper writes over. */
        struct cart_request req = { .image_fd = -EBADF, .legacy = run_req->legacy, .force = run_req->force };
        struct reaper_state st = {};
        _cleanup_close_ int cmd_pidfd = -EBADF;
        char session[80];
        int devnull;

        /* Its own session: out of crashcart's process group and terminal, whose
         * ^C, hang-up or kill of the group are for the run, not for this. */
        sigset_t none;

        setsid();
        /* Unblocked and ignored: a blocked signal stays pending even when
         * ignored, and would cut the waits of the reaper's helpers short. */
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGINT, SIG_IGN);
        signal(SIGTERM, SIG_IGN);
        signal(SIGHUP, SIG_IGN);
        signal(SIGQUIT, SIG_IGN);
        signal(SIGPIPE, SIG_IGN);
        interrupt_forget();
        /* The tests' stops are crashcart's: the reaper's helpers never stop. */
        unsetenv("CRASHCART_FAULT_STOP");
        rename_reaper();

        /* Nothing of the caller's: no terminal, no pipe that a shell waits to
         * see closed ($(crashcart ...) ends when crashcart does), no image,
         * loop device or namespace. 0, 1 and 2 are /dev/null, so that no file
         * opened later takes their numbers and a message goes nowhere. */
        devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        for (int i = 0; i < 3; i++)
                if (devnull >= 0 && devnull != i)
                        dup2(devnull, i);
        close_all_fds_but((int[]){ 0, 1, 2, fd, rundir_fd, t->procfd, t->pidfd }, 7);

        if (session_name_of(t, session, sizeof(session)) < 0)
                _exit(0);

        for (;;) {
                struct reaper_note n;
                int nfd;

                if (recv_note(fd, &n, &nfd) == 0)
                        break;
                reaper_state_apply(&st, &n);
                if (st.done)
                        _exit(0);
                if (n.kind == REAPER_NOTE_COMMAND) {
                        safe_close(cmd_pidfd);
                        cmd_pidfd = nfd;
                } else
                        safe_close(nfd);
        }
        safe_close(fd);

        /* crashcart is gone. The command outlives it, and uses the cart. */
        if (st.command > 0)
                wait_command_gone(cmd_pidfd, st.command);
        cart_reap(&req, t, rundir_fd, session, run_pid, st.placing ? &st.placed : NULL);
        _exit(0);
}

int reaper_start(const struct cart_request *req, const struct target *t, int rundir_fd, struct reaper *ret)
{
        int sk[2];
        pid_t pid, run_pid = getpid();

        *ret = (struct reaper)REAPER_INIT;
        /* Messages with their bounds, end-of-file when the last writer is gone,
         * and a pidfd passed along. Close-on-exec: the command never has it; the
         * helpers forked without exec hold it until they die with crashcart, so
         * end-of-file also says that they are gone. */
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sk) < 0)
                return NEG_ERRNO();
        pid = fork();
        if (pid < 0) {
                int r = NEG_ERRNO();

                safe_close(sk[0]);
                safe_close(sk[1]);
                return r;
        }
        if (pid == 0) {
                safe_close(sk[1]);
                reaper_main(sk[0], req, t, rundir_fd, run_pid);
        }
        safe_close(sk[0]);
        ret->fd = sk[1];
        ret->pid = pid;
        return 0;
}
