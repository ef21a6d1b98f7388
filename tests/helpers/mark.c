/* For the tests of what the cart's programs run (tests/integration/cart-loads.bats):
 * a program a hostile container plants where a program of the cart might run one
 * (its /usr/bin/xz, a helper named in a configuration file). It leaves
 * /tmp/MARK-prog-NAME, NAME being the name it was run by, appends its command
 * line to /tmp/MARK.log, and succeeds. Static: the containers have no libc. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        const char *name = argc > 0 && argv[0] ? argv[0] : "unknown";
        const char *slash = strrchr(name, '/');
        char path[300];
        FILE *log;

        snprintf(path, sizeof(path), "/tmp/MARK-prog-%s", slash ? slash + 1 : name);
        close(open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        log = fopen("/tmp/MARK.log", "ae");
        if (log) {
                fputs("prog:", log);
                for (int i = 0; i < argc; i++)
                        fprintf(log, " %s", argv[i]);
                fputc('\n', log);
                fclose(log);
        }
        return 0;
}
