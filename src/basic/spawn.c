/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basic/fileio.h"
#include "basic/macro.h"
#include "basic/spawn.h"

int host_spawn(char *const *argv, const sigset_t *sigmask, const int *stdio, pid_t *ret_pid)
{
        pid_t pid = fork();

        if (pid < 0)
                return NEG_ERRNO();
        if (pid == 0) {
                for (int i = 0; stdio && i < 3; i++)
                        if (stdio[i] != i && dup2(stdio[i], i) < 0)
                                _exit(126);
                if (sigmask)
                        sigprocmask(SIG_SETMASK, sigmask, NULL);
                execvp(argv[0], argv);
                _exit(errno == ENOENT ? 127 : 126);
        }
        *ret_pid = pid;
        return 0;
}

int exit_status_of(int wait_status)
{
        if (WIFEXITED(wait_status))
                return WEXITSTATUS(wait_status);
        if (WIFSIGNALED(wait_status))
                return 128 + WTERMSIG(wait_status);
        return 125;
}

/* In the child: tells the parent why argv could not run, over the CLOEXEC pipe
 * that exec would have closed. */
_noreturn_ static void spawn_child_failed(int errpipe)
{
        int e = errno;

        (void)write_full(errpipe, &e, sizeof(e));
        _exit(127);
}

int spawn_run(char *const *argv, const char *dir, int flags, char **ret_stdout)
{
        _cleanup_close_ int err_r = -EBADF, err_w = -EBADF, out_r = -EBADF, out_w = -EBADF;
        _cleanup_free_ char *out = NULL;
        int p[2], status, child_errno = 0, r = 0;
        size_t n = 0;
        pid_t pid;

        if (pipe2(p, O_CLOEXEC) < 0)
                return NEG_ERRNO();
        err_r = p[0];
        err_w = p[1];
        if (ret_stdout) {
                if (pipe2(p, O_CLOEXEC) < 0)
                        return NEG_ERRNO();
                out_r = p[0];
                out_w = p[1];
        }
        pid = fork();
        if (pid < 0)
                return NEG_ERRNO();
        if (pid == 0) {
                if (dir && chdir(dir) < 0)
                        spawn_child_failed(err_w);
                if (ret_stdout) {
                        if (dup2(out_w, STDOUT_FILENO) < 0)
                                spawn_child_failed(err_w);
                } else if ((flags & SPAWN_STDOUT_TO_STDERR) && dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
                        spawn_child_failed(err_w);
                if ((flags & SPAWN_STDERR_TO_STDOUT) && dup2(STDOUT_FILENO, STDERR_FILENO) < 0)
                        spawn_child_failed(err_w);
                execvp(argv[0], argv);
                spawn_child_failed(err_w);
        }
        err_w = safe_close(err_w);
        out_w = safe_close(out_w);
        if (ret_stdout) {
                r = read_full_fd(out_r, SPAWN_CAPTURE_MAX, &out, NULL);
                /* Closed before the wait: a child still writing gets EPIPE, not a
                 * pipe nobody empties. */
                out_r = safe_close(out_r);
        }
        if (read_full(err_r, &child_errno, sizeof(child_errno), &n) < 0)
                n = 0;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return NEG_ERRNO();
        if (n == sizeof(child_errno))
                return child_errno > 0 ? -child_errno : -EIO;
        if (r < 0)
                return r;
        if (ret_stdout)
                *ret_stdout = TAKE_PTR(out);
        return exit_status_of(status);
}
