/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basic/macro.h"
#include "basic/spawn.h"

int host_spawn(char *const *argv, const sigset_t *sigmask, pid_t *ret_pid)
{
        pid_t pid = fork();

        if (pid < 0)
                return NEG_ERRNO();
        if (pid == 0) {
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
