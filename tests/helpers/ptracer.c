/* For the tests: a process of a container that holds CAP_SYS_PTRACE and tries
 * to take the descriptors of every process that enters its PID namespace. It
 * seizes each new PID as it appears, stops it, and creates RELPATH beneath every
 * directory it holds a descriptor of: a host directory among them puts the file
 * on the host. Runs until killed.
 * Usage: ptracer RELPATH */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static long last_pid(void)
{
        char buf[32] = "";
        int fd = open("/proc/sys/kernel/ns_last_pid", O_RDONLY | O_CLOEXEC);
        ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

        if (fd >= 0)
                close(fd);
        return n > 0 ? strtol(buf, NULL, 10) : -1;
}

static void take(pid_t p, const char *rel)
{
        int status;

        if (ptrace(PTRACE_SEIZE, p, NULL, NULL) < 0)
                return;
        if (ptrace(PTRACE_INTERRUPT, p, NULL, NULL) == 0)
                while (waitpid(p, &status, __WALL) < 0 && errno == EINTR)
                        ;
        for (int fd = 3; fd < 128; fd++) {
                char path[64];
                int d, f;

                snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)p, fd);
                d = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (d < 0)
                        continue;
                f = openat(d, rel, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
                if (f >= 0) {
                        dprintf(f, "taken through fd %d of PID %d\n", fd, (int)p);
                        close(f);
                }
                close(d);
        }
        ptrace(PTRACE_DETACH, p, NULL, NULL);
}

int main(int argc, char **argv)
{
        long seen = last_pid();

        if (argc != 2 || seen < 0) {
                fprintf(stderr, "usage: ptracer RELPATH\n");
                return 2;
        }
        for (;;) {
                long last = last_pid();

                for (long p = seen + 1; p <= last + 2; p++)
                        take((pid_t)p, argv[1]);
                if (last > seen)
                        seen = last;
        }
}
