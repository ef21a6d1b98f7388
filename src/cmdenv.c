/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdenv.h"
#include "macro.h"

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
                r = cmdenv_put(&e, p);
        if (r >= 0 && term) {
                snprintf(buf, sizeof(buf), "TERM=%s", term);
                r = cmdenv_put(&e, buf);
        }
        /* The cart's tools first, in a scratch container too. */
        path = cmdenv_get(&e, "PATH");
        if (r >= 0) {
                if (path && strncmp(path, CART_PATH_PREFIX, strlen(CART_PATH_PREFIX)) != 0)
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
