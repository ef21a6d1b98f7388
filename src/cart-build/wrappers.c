/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/fileio.h"
#include "cart-build/wrappers.h"
#include "cart/layout.h"

/* data/'s files as C strings (scripts/embed-text, run by make): embedded rather
 * than installed, so that crashcart-build is one file whose carts match its
 * version, and build/crashcart-build runs uninstalled. Their paths stay written
 * out as /dev/crashcart, the cart's fixed place, so that they read (and lint) as
 * the scripts the cart holds; the unit tests check that place is CART_PATH. */
#include "embedded-data.h"

const char *embedded_text(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(embedded_files); i++)
                if (strcmp(embedded_files[i].name, name) == 0)
                        return embedded_files[i].text;
        return NULL;
}

/* What runs before each wrapped program: data/wrappers/ files, in order; "$@"
 * are its arguments. tls.sh: the cart's openssl configuration, and the cart's CA
 * certificates when the container has none (SSL_CERT_FILE given by the user wins).
 * The last part, data/wrappers/redirect/, only in a cart with the redirections
 * (harden.c): what keeps the program from reading the container's configuration
 * files (docs/cart-loads.md); less and top have a wrapper for that alone. */
static const struct {
        const char *program;
        const char *setup[3];
} wrappers[] = {
        { "man", { "man.sh" } },
        { "tcpdump", { "tcpdump.sh" } },
        { "file", { "file.sh" } },
        { "lsof", { "lsof.sh" } },
        { "gdb", { "gdb.sh", NULL, "redirect/gdb.sh" } },
        { "vim.tiny", { "vim.tiny.sh" } },
        { "curl", { "tls.sh", "curl.sh", "redirect/curl.sh" } },
        { "wget", { "tls.sh", "wget.sh", "redirect/wget.sh" } },
        { "openssl", { "tls.sh" } },
        { "less", { NULL, NULL, "redirect/less.sh" } },
        { "top", { NULL, NULL, "redirect/top.sh" } },
};

/* The last part of setup is the redirection's. */
#define REDIRECT_PART 2

int wrapper_script(const char *program, const char *dir, bool redirect, char **ret)
{
        for (size_t i = 0; i < ELEMENTSOF(wrappers); i++) {
                const char *setup[ELEMENTSOF(wrappers[i].setup)] = {};
                bool empty = true;

                if (strcmp(wrappers[i].program, program) != 0)
                        continue;
                for (size_t k = 0; k < ELEMENTSOF(setup); k++) {
                        _cleanup_free_ char *name = NULL;

                        if (!wrappers[i].setup[k] || (k == REDIRECT_PART && !redirect)) {
                                setup[k] = "";
                                continue;
                        }
                        if (asprintf(&name, "wrappers/%s", wrappers[i].setup[k]) < 0)
                                return -ENOMEM;
                        setup[k] = embedded_text(name);
                        if (!setup[k])
                                return -EBADMSG; /* not in data/wrappers: a build error */
                        empty = false;
                }
                if (empty)
                        return -ENOENT; /* a wrapper of the redirections, which are off */
                _Static_assert(ELEMENTSOF(setup) == 3, "the format takes three parts");
                if (asprintf(ret,
                             "#!" CART_SHELL "\n"
                             "# crashcart: %s/%s runs " CART_PATH "/libexec/%s after this.\n"
                             "%s%s%s"
                             "exec -a \"$0\" " CART_PATH "/libexec/%s \"$@\"\n",
                             dir, program, program, setup[0], setup[1], setup[2], program) < 0)
                        return -ENOMEM;
                return 0;
        }
        return -ENOENT;
}

int wrappers_add(struct build *b)
{
        _cleanup_free_ char *libexec = path_join(b->root, "libexec");
        int r;

        if (!libexec)
                return -ENOMEM;
        r = mkdir_p(libexec, 0755);
        if (r < 0)
                return build_fail_errno(b, r, "cannot create '%s'", libexec);
        for (size_t i = 0; i < ELEMENTSOF(wrappers); i++) {
                static const char *const dirs[] = { "bin", "sbin" };
                const char *program = wrappers[i].program, *dir = NULL;
                _cleanup_free_ char *bin = NULL, *real = path_join(libexec, program), *text = NULL;
                _cleanup_close_ int fd = -EBADF;
                struct stat st;

                if (!real)
                        return -ENOMEM;
                for (size_t k = 0; k < ELEMENTSOF(dirs) && !dir; k++) {
                        free(bin);
                        if (asprintf(&bin, "%s/%s/%s", b->root, dirs[k], program) < 0)
                                return -ENOMEM;
                        if (lstat(bin, &st) == 0 && S_ISREG(st.st_mode))
                                dir = dirs[k];
                }
                if (!dir)
                        continue; /* not in the cart */
                r = wrapper_script(program, dir, b->redirect, &text);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return build_fail_errno(b, r, "no wrapper for '%s'", program);
                if (rename(bin, real) < 0)
                        return build_fail_errno(b, NEG_ERRNO(), "cannot move '%s'", bin);
                fd = open(bin, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
                r = fd < 0 ? NEG_ERRNO() : write_full(fd, text, strlen(text));
                if (r < 0)
                        return build_fail_errno(b, r, "cannot write '%s'", bin);
        }
        return 0;
}

int rcfile_text(bool with_completion, char **ret)
{
        const char *rc = embedded_text("crashcartrc"), *completion = embedded_text("crashcartrc-completion.sh");

        if (!rc || !completion)
                return -EBADMSG;
        if (asprintf(ret, "%s%s", rc, with_completion ? completion : "") < 0)
                return -ENOMEM;
        return 0;
}

int wrappers_write_rcfile(struct build *b)
{
        /* Nothing of the session is written into the container: no history files. */
        _cleanup_free_ char *rc = path_join(b->root, CART_RCFILE_NAME), *text = NULL;
        _cleanup_free_ char *completion = path_join(b->root, "usr/share/bash-completion/bash_completion");
        int r;

        if (!rc || !completion)
                return -ENOMEM;
        r = rcfile_text(access(completion, R_OK) == 0, &text);
        if (r < 0)
                return build_fail_errno(b, r, "cannot make '%s'", rc);
        /* 0666 less the umask, the mode fopen gives the builder's other text files. */
        r = write_whole(rc, text, strlen(text), 0666);
        return r < 0 ? build_fail_errno(b, r, "cannot write '%s'", rc) : 0;
}

int wrappers_add_profile(struct build *b)
{
        _cleanup_free_ char *profile = path_join(b->root, "profile");
        _cleanup_free_ char *pbin = profile ? path_join(profile, "bin") : NULL;
        _cleanup_free_ char *psbin = profile ? path_join(profile, "sbin") : NULL;
        int r;

        if (!pbin || !psbin)
                return -ENOMEM;
        r = mkdir_p(profile, 0755);
        if (r < 0)
                return build_fail_errno(b, r, "cannot create '%s'", profile);
        if (symlink("../bin", pbin) < 0 || symlink("../sbin", psbin) < 0)
                return build_fail_errno(b, NEG_ERRNO(), "cannot link '%s'", pbin);
        return 0;
}

int wrappers_add_out_dir(struct build *b)
{
        return build_mkdir(b, CART_OUT_NAME);
}
