/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basic/interrupt.h"
#include "basic/log.h"
#include "basic/macro.h"

static int signal_fd = -EBADF;
static int interrupted;

static int get_signal_fd(void)
{
        sigset_t set;

        if (signal_fd >= 0)
                return signal_fd;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGHUP);
        sigaddset(&set, SIGQUIT);
        signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
        return signal_fd;
}

int interrupt_wait_readable(int fd)
{
        /* The positive control of the tests: the waits as they were. */
        int sfd = fault_disabled("interruptible-waits") ? -EBADF : get_signal_fd();

        for (;;) {
                struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
                struct signalfd_siginfo si;

                if (poll(p, sfd >= 0 ? 2 : 1, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return NEG_ERRNO();
                }
                /* A signal first: a helper blocked for good must not hold the run. */
                if (sfd >= 0 && (p[1].revents & POLLIN) && read(sfd, &si, sizeof(si)) == sizeof(si)) {
                        interrupted = (int)si.ssi_signo;
                        return -EINTR;
                }
                if (p[0].revents)
                        return 0;
        }
}

int interrupt_check(void)
{
        int sfd = fault_disabled("interruptible-waits") ? -EBADF : get_signal_fd();
        struct signalfd_siginfo si;

        if (sfd >= 0 && read(sfd, &si, sizeof(si)) == sizeof(si)) {
                interrupted = (int)si.ssi_signo;
                return -EINTR;
        }
        return 0;
}

int interrupt_read_full(int fd, void *buf, size_t size, size_t *ret_n)
{
        size_t n = 0;

        while (n < size) {
                ssize_t k;
                int r = interrupt_wait_readable(fd);

                if (r < 0) {
                        *ret_n = n;
                        return r;
                }
                k = read(fd, (char *)buf + n, size - n);
                if (k < 0) {
                        if (errno == EINTR || errno == EAGAIN)
                                continue;
                        *ret_n = n;
                        return NEG_ERRNO();
                }
                if (k == 0)
                        break;
                n += (size_t)k;
        }
        *ret_n = n;
        return 0;
}

void interrupt_kill_helper(pid_t pid)
{
        if (pid <= 0)
                return;
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
}

int interrupt_signal(void)
{
        return interrupted;
}

void interrupt_forget(void)
{
        signal_fd = safe_close(signal_fd);
        interrupted = 0;
}
