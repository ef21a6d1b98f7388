/* A hostile program for the tests, run inside a container: for every process
 * whose name is argv[1], it tries what a compromised container would try on a
 * process of crashcart's while it joins: ptrace it, read its /proc/PID/exe,
 * open its descriptors through /proc/PID/fd, read /proc/PID/environ. One line a process:
 * "PID attach=ERR exe=ERR fd=ERR environ=ERR" (0 where it worked). Built
 * static by make and put in the test carts. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static int try_open(const char *path, int flags)
{
        int fd = open(path, flags);

        if (fd < 0)
                return errno;
        close(fd);
        return 0;
}

int main(int argc, char **argv)
{
        DIR *d = opendir("/proc");
        struct dirent *de;

        if (argc != 2 || !d)
                return 2;
        while ((de = readdir(d))) {
                char path[300], comm[64] = "", buf[256];
                int pid = atoi(de->d_name), attach = 0, exe = 0;
                FILE *f;

                if (pid <= 0)
                        continue;
                snprintf(path, sizeof(path), "/proc/%d/comm", pid);
                f = fopen(path, "r");
                if (!f)
                        continue;
                if (!fgets(comm, sizeof(comm), f))
                        comm[0] = 0;
                fclose(f);
                comm[strcspn(comm, "\n")] = 0;
                if (strcmp(comm, argv[1]) != 0)
                        continue;
                if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) < 0)
                        attach = errno;
                else {
                        waitpid(pid, NULL, __WALL);
                        ptrace(PTRACE_DETACH, pid, NULL, NULL);
                }
                snprintf(path, sizeof(path), "/proc/%d/exe", pid);
                if (readlink(path, buf, sizeof(buf)) < 0)
                        exe = errno;
                printf("%d attach=%d exe=%d", pid, attach, exe);
                /* Listing /proc/PID/fd is allowed to its owner; what matters is
                 * reaching a descriptor through it. */
                snprintf(path, sizeof(path), "/proc/%d/fd/0", pid);
                printf(" fd=%d", try_open(path, O_RDONLY));
                snprintf(path, sizeof(path), "/proc/%d/environ", pid);
                printf(" environ=%d\n", try_open(path, O_RDONLY));
        }
        closedir(d);
        return 0;
}
