/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "basic/fileio.h"
#include "basic/macro.h"
#include "exec/pty.h"

static int saved_fd = -1;
static struct termios saved_termios;

void tty_restore(void)
{
        /* Async-signal-safe: called from the fatal signal handler too. */
        if (saved_fd >= 0)
                tcsetattr(saved_fd, TCSADRAIN, &saved_termios);
}

static void on_fatal_signal(int sig)
{
        tty_restore();
        /* SA_RESETHAND put back the default action: die of the same signal. */
        raise(sig);
}

int tty_raw_begin(int fd)
{
        static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS };
        struct sigaction sa = { .sa_handler = on_fatal_signal, .sa_flags = SA_RESETHAND | SA_NODEFER };
        struct termios raw;

        if (tcgetattr(fd, &saved_termios) < 0)
                return NEG_ERRNO();
        saved_fd = fd;
        atexit(tty_restore);
        for (size_t i = 0; i < ELEMENTSOF(fatal); i++)
                sigaction(fatal[i], &sa, NULL);

        raw = saved_termios;
        cfmakeraw(&raw);
        /* Output post-processing stays as it was: the container's pty does its own. */
        raw.c_oflag = saved_termios.c_oflag;
        if (tcsetattr(fd, TCSADRAIN, &raw) < 0)
                return NEG_ERRNO();
        return 0;
}

void tty_copy_winsize(int from, int to)
{
        struct winsize ws;

        if (from >= 0 && ioctl(from, TIOCGWINSZ, &ws) == 0)
                ioctl(to, TIOCSWINSZ, &ws);
}

/* Copies what is there now from one fd to the other; 0 at EOF or EIO (a pty
 * master whose slave has no more users), 1 when something was copied. */
static int pump(int from, int to)
{
        char buf[16384];
        ssize_t n;

        n = read(from, buf, sizeof(buf));
        if (n < 0) {
                if (errno == EINTR || errno == EAGAIN)
                        return 1;
                return errno == EIO ? 0 : NEG_ERRNO();
        }
        if (n == 0)
                return 0;
        if (write_full(to, buf, (size_t)n) < 0)
                return 0;
        return 1;
}

int relay_run(struct relay *rl, size_t n, int winsize_from, int winsize_to, pid_t pid, const sigset_t *fwd,
              int *ret_status)
{
        _cleanup_close_ int sfd = -EBADF;
        sigset_t set = *fwd;
        bool from_tty[4];
        int status = 0;

        if (n > 4)
                return -EINVAL;
        sigaddset(&set, SIGCHLD);
        sigaddset(&set, SIGWINCH);
        sigprocmask(SIG_BLOCK, &set, NULL);
        sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sfd < 0)
                return NEG_ERRNO();
        if (winsize_to >= 0)
                tty_copy_winsize(winsize_from, winsize_to);
        /* Asked now: a terminal that has hung up no longer says it is one. */
        for (size_t i = 0; i < n; i++)
                from_tty[i] = rl[i].is_input && isatty(rl[i].from);

        for (;;) {
                struct pollfd p[5] = { { .fd = sfd, .events = POLLIN } };
                struct signalfd_siginfo si;

                if (waitpid(pid, &status, WNOHANG) == pid)
                        break;
                for (size_t i = 0; i < n; i++)
                        p[i + 1] = (struct pollfd){ .fd = rl[i].open ? rl[i].from : -1, .events = POLLIN };
                if (poll(p, n + 1, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return NEG_ERRNO();
                }
                for (size_t i = 0; i < n; i++) {
                        if (!(p[i + 1].revents & (POLLIN | POLLHUP | POLLERR)) || pump(rl[i].from, rl[i].to) > 0)
                                continue;
                        rl[i].open = false;
                        if (rl[i].is_input && rl[i].eof_to_pty && from_tty[i]) {
                                /* The user's terminal hung up: so does the command's,
                                 * as when an ssh connection drops. Its master is put
                                 * out of use in place (the caller closes the fd), and
                                 * the kernel sends SIGHUP to the session on it: a ^D
                                 * would not end a shell with a line half typed. */
                                _cleanup_close_ int nul = open("/dev/null", O_RDWR | O_CLOEXEC);

                                if (nul >= 0)
                                        dup3(nul, rl[i].to, O_CLOEXEC);
                        } else if (rl[i].is_input && rl[i].eof_to_pty) {
                                /* The command reads EOF, as at a ^D on a terminal. */
                                char eof = 4;

                                (void)write_full(rl[i].to, &eof, 1);
                        } else if (rl[i].is_input)
                                rl[i].to = safe_close(rl[i].to);
                }
                while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
                        if (si.ssi_signo == SIGWINCH) {
                                if (winsize_to >= 0)
                                        tty_copy_winsize(winsize_from, winsize_to);
                        } else if (si.ssi_signo != SIGCHLD)
                                kill(pid, (int)si.ssi_signo);
                }
        }

        /* What the command wrote before it exited is still in the pty or pipes.
         * Bounded: a process left in the container may write on and on. */
        for (size_t i = 0; i < n; i++) {
                if (rl[i].is_input || !rl[i].open)
                        continue;
                fcntl(rl[i].from, F_SETFL, fcntl(rl[i].from, F_GETFL) | O_NONBLOCK);
                for (int k = 0; k < 256; k++) {
                        struct pollfd p = { .fd = rl[i].from, .events = POLLIN };

                        if (poll(&p, 1, 20) <= 0 || pump(rl[i].from, rl[i].to) <= 0)
                                break;
                }
        }
        *ret_status = status;
        return 0;
}
