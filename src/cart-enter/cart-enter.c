/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The cart's way in for a runtime's own exec:
 *
 *     docker exec -it CTR /dev/crashcart/enter [CMD [ARG...]]
 *
 * A runtime's exec starts from the image's environment, which the container's
 * author chose: LD_AUDIT there would have any dynamic program of the cart load
 * the container's audit module before the cart's own (rtld-audit modules of the
 * environment come first), and LD_PRELOAD, GCONV_PATH, PAGER and the like name
 * code too. This program is static, so no loader reads that environment for
 * it; it keeps what crashcart keeps of a target's environment (cmdenv_build,
 * the same rules as --env-from-target), puts the cart first in PATH, and
 * executes CMD, or the cart's interactive shell with its rc file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/log.h"
#include "cart/layout.h"
#include "exec/cmdenv.h"

extern char **environ;

int main(int argc, char **argv)
{
        static char *shell[] = { CART_SHELL, "--rcfile", CART_RCFILE, "-i", NULL };
        struct cmdenv e;
        char *text = NULL, **cmd = argc > 1 ? argv + 1 : shell;
        const char *term;
        size_t len = 0;
        FILE *f;
        int r;

        log_set_program("crashcart enter");
        if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
                printf("Usage: %s [CMD [ARG...]]\n"
                       "Runs CMD, or the cart's shell, with the environment cleared of what would make the\n"
                       "cart's programs load or run the container's code. For a runtime's own exec into a\n"
                       "container where the cart is mounted (crashcart -m): docker exec -it CTR %s\n",
                       argv[0], CART_PATH "/" CART_ENTER_NAME);
                return EXIT_SUCCESS;
        }
        /* The environment as the NUL-separated text cmdenv_build reads. */
        f = open_memstream(&text, &len);
        if (!f)
                return log_error_errno(-ENOMEM, "cannot copy the environment"), 125;
        for (char **p = environ; *p; p++)
                fwrite(*p, 1, strlen(*p) + 1, f);
        if (fclose(f) != 0)
                return log_error_errno(-ENOMEM, "cannot copy the environment"), 125;
        /* TERM is the runtime's (docker exec -t sets it), a name, never a path. */
        term = getenv("TERM");
        if (term && strchr(term, '/'))
                term = NULL;
        r = cmdenv_build(text, len, NULL, 0, term, NULL, 0, &e);
        free(text);
        if (r < 0)
                return log_error_errno(r, "cannot build the environment"), 125;
        /* Only an absolute path or a name looked up in the cart's directories
         * first: execvpe searches the PATH just built, the cart first. */
        execvpe(cmd[0], cmd, e.v);
        r = -errno;
        log_error_errno(r, "cannot run '%s'", cmd[0]);
        cmdenv_done(&e);
        return r == -ENOENT ? 127 : 126;
}
