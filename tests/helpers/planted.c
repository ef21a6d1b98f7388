/* For the tests: a program a hostile container plants where the cart's tools
 * might run it (its /bin/sh, say). It leaves /planted-NAME, NAME being the name
 * it was run by, and succeeds, so that only the file tells it ran. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        const char *name = argc > 0 && argv[0] ? argv[0] : "unknown";
        const char *slash = strrchr(name, '/');
        char path[256];

        snprintf(path, sizeof(path), "/planted-%s", slash ? slash + 1 : name);
        close(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644));
        return 0;
}
