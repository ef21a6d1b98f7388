/* A container's process that poses as a runtime's: "impostor COMM ARGV..." runs
 * with the name COMM (what /proc/PID/comm and ps show) and the command line
 * ARGV (say "[lxc monitor] /var/lib/lxc web", or "systemd-nspawn -M web"), and
 * has one child, the "init" a resolver would pick. Both wait for a signal. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        const char *comm = getenv("IMPOSTOR_COMM");

        if (!comm) {
                if (argc < 3) {
                        fprintf(stderr, "usage: impostor COMM ARGV0 [ARG...]\n");
                        return 2;
                }
                setenv("IMPOSTOR_COMM", argv[1], 1);
                execv("/proc/self/exe", argv + 2);
                perror("impostor: exec");
                return 1;
        }
        prctl(PR_SET_NAME, comm);
        if (fork() == 0)
                prctl(PR_SET_NAME, "sleep");
        for (;;)
                pause();
}
