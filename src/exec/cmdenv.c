/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"
#include "exec/cmdenv.h"

#define CMDENV_MAX 4096

static size_t key_len(const char *kv)
{
        const char *eq = strchr(kv, '=');

        return eq ? (size_t)(eq - kv) : strlen(kv);
}

/* Sets KEY=VALUE (kv is copied), replacing an entry with the same key. */
static int cmdenv_put(struct cmdenv *e, const char *kv)
{
        size_t k = key_len(kv);
        char *copy;

        if (k == 0 || kv[k] != '=')
                return 0; /* not a variable: ignored */
        copy = strdup(kv);
        if (!copy)
                return -ENOMEM;
        for (size_t i = 0; i < e->n; i++)
                if (key_len(e->v[i]) == k && strncmp(e->v[i], kv, k) == 0) {
                        free(e->v[i]);
                        e->v[i] = copy;
                        return 0;
                }
        if (e->n >= CMDENV_MAX) {
                free(copy);
                return -E2BIG;
        }
        {
                char **v = realloc(e->v, (e->n + 2) * sizeof(char *));

                if (!v) {
                        free(copy);
                        return -ENOMEM;
                }
                e->v = v;
        }
        e->v[e->n++] = copy;
        e->v[e->n] = NULL;
        return 0;
}

/* Variables of the target's environment that would make the cart's programs,
 * run with crashcart's privileges, load code or settings the container chose:
 * the loader's (LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT, ...), the ones glibc
 * ignores in setuid programs for that reason, those of the cart's interpreters
 * (bash's startup file, prompts and imported functions, which the cart's
 * wrapper scripts would run; python's for gdb; perl's), libcrypto's, and the
 * programs and settings of the pagers, editors and man (LESSOPEN, MANPAGER,
 * EDITOR, ...), which run commands. The user's own --env is the user's: it may
 * set any of them. */
bool cmdenv_untrusted(const char *kv)
{
        static const char *const prefixes[] = { "LD_",  "BASH_FUNC_", "PYTHON", "PERL5",
                                                "OPENSSL_", "LESS",   "MAN",   "GROFF_" };
        static const char *const names[] = {
                /* the loader and libc */
                "GCONV_PATH", "GLIBC_TUNABLES", "LOCPATH", "NLSPATH", "MALLOC_TRACE", "HOSTALIASES", "GETCONF_DIR",
                /* shells and readline */
                "BASH_ENV", "ENV", "SHELLOPTS", "BASHOPTS", "PROMPT_COMMAND", "PS0", "PS1", "PS2", "PS4", "INPUTRC",
                /* programs the cart's tools run, and their configuration */
                "PAGER", "EDITOR", "VISUAL", "BROWSER", "PERLLIB", "PERLIO", "WGETRC", "CURL_HOME", "TERMINFO",
                "TERMINFO_DIRS", "TERMCAP",
        };
        size_t k = key_len(kv);

        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++)
                if (strncmp(kv, prefixes[i], strlen(prefixes[i])) == 0)
                        return true;
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strlen(names[i]) == k && strncmp(kv, names[i], k) == 0)
                        return true;
        return false;
}

const char *cmdenv_get(const struct cmdenv *e, const char *key)
{
        size_t k = strlen(key);

        for (size_t i = 0; i < e->n; i++)
                if (key_len(e->v[i]) == k && strncmp(e->v[i], key, k) == 0)
                        return e->v[i] + k + 1;
        return NULL;
}

void cmdenv_done(struct cmdenv *e)
{
        for (size_t i = 0; i < e->n; i++)
                free(e->v[i]);
        free(e->v);
        *e = (struct cmdenv){};
}

int cmdenv_build(const char *target_environ, size_t target_len, const char *term, char *const *sets, size_t n_sets,
                 struct cmdenv *ret)
{
        struct cmdenv e = {};
        const char *path;
        char buf[8192];
        int r = 0;

        e.v = calloc(1, sizeof(char *));
        if (!e.v)
                return -ENOMEM;

        /* --env-from-target: what docker exec starts from. */
        for (const char *p = target_environ; p && p < target_environ + target_len && r >= 0; p += strlen(p) + 1)
                if (!cmdenv_untrusted(p))
                        r = cmdenv_put(&e, p);
        if (r >= 0 && term) {
                snprintf(buf, sizeof(buf), "TERM=%s", term);
                r = cmdenv_put(&e, buf);
        }
        /* The cart's tools first, in a scratch container too. */
        path = cmdenv_get(&e, "PATH");
        if (r >= 0) {
                size_t pl = strlen(CART_PATH_PREFIX);

                if (path && (strncmp(path, CART_PATH_PREFIX, pl) != 0 || (path[pl] && path[pl] != ':')))
                        snprintf(buf, sizeof(buf), "PATH=" CART_PATH_PREFIX ":%s", path);
                else if (!path)
                        snprintf(buf, sizeof(buf), "PATH=" CMDENV_DEFAULT_PATH);
                else
                        snprintf(buf, sizeof(buf), "PATH=%s", path);
                r = cmdenv_put(&e, buf);
        }
        for (size_t i = 0; r >= 0 && i < n_sets; i++)
                r = cmdenv_put(&e, sets[i]);
        if (r < 0) {
                cmdenv_done(&e);
                return r;
        }
        e.home_given = cmdenv_get(&e, "HOME") != NULL;
        if (!e.home_given && (r = cmdenv_put(&e, "HOME=/root")) < 0) {
                cmdenv_done(&e);
                return r;
        }
        *ret = e;
        return 0;
}
