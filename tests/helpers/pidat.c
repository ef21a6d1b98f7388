/* For the tests: runs a program as a process with a chosen PID (clone3 with
 * set_tid, Linux 5.5), to show that a recycled PID is never entered.
 * Usage: pidat PID PROGRAM [ARG...] */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        pid_t want, pid;
        struct clone_args args = { .exit_signal = SIGCHLD };

        if (argc < 3)
                return 2;
        want = (pid_t)atoi(argv[1]);
        args.set_tid = (uint64_t)(uintptr_t)&want;
        args.set_tid_size = 1;
        pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
        if (pid < 0) {
                fprintf(stderr, "pidat: clone3: %s\n", strerror(errno));
                return 1;
        }
        if (pid == 0) {
                execvp(argv[2], argv + 2);
                _exit(127);
        }
        printf("%d\n", (int)pid);
        return 0;
}
