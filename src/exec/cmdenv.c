/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/log.h"
#include "basic/macro.h"
#include "exec/cmdenv.h"

static size_t key_len(const char *kv)
{
        const char *eq = strchr(kv, '=');

        return eq ? (size_t)(eq - kv) : strlen(kv);
}

static bool key_is(const char *kv, const char *name)
{
        size_t k = key_len(kv);

        return strlen(name) == k && strncmp(kv, name, k) == 0;
}

/* Sets KEY=VALUE, taking ownership of kv, replacing an entry with the same key. */
static int cmdenv_put_owned(struct cmdenv *e, char *kv)
{
        size_t k = key_len(kv);
        char **v;

        if (k == 0 || kv[k] != '=') {
                free(kv);
                return 0; /* not a variable: ignored */
        }
        for (size_t i = 0; i < e->n; i++)
                if (key_len(e->v[i]) == k && strncmp(e->v[i], kv, k) == 0) {
                        free(e->v[i]);
                        e->v[i] = kv;
                        return 0;
                }
        v = realloc(e->v, (e->n + 2) * sizeof(char *));
        if (!v) {
                free(kv);
                return -ENOMEM;
        }
        e->v = v;
        e->v[e->n++] = kv;
        e->v[e->n] = NULL;
        return 0;
}

static int cmdenv_put(struct cmdenv *e, const char *kv)
{
        char *copy = strdup(kv);

        return copy ? cmdenv_put_owned(e, copy) : -ENOMEM;
}

static int cmdenv_putf(struct cmdenv *e, const char *fmt, ...) _printf_(2, 3);
static int cmdenv_putf(struct cmdenv *e, const char *fmt, ...)
{
        va_list ap;
        char *s;
        int n;

        va_start(ap, fmt);
        n = vasprintf(&s, fmt, ap);
        va_end(ap);
        return n < 0 ? -ENOMEM : cmdenv_put_owned(e, s);
}

bool cmdenv_is_loader(const char *kv)
{
        static const char *const names[] = {
                "GCONV_PATH", "GETCONF_DIR", "GLIBC_TUNABLES", "LOCPATH", "NLSPATH",
        };

        if (strncmp(kv, "LD_", 3) == 0)
                return true;
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (key_is(kv, names[i]))
                        return true;
        return false;
}

bool cmdenv_name_is_valid(const char *name)
{
        size_t n = strlen(name);

        if (n > 0 && name[n - 1] == '*')
                n--;
        if (n == 0 || !((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z') || name[0] == '_'))
                return false;
        for (size_t i = 1; i < n; i++) {
                char c = name[i];

                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
                        return false;
        }
        return true;
}

/* TZ is data (a rule like "EST5EDT", or a zone read from the container's
 * zoneinfo, as /etc/localtime is) unless it names a file by path: ":/path",
 * "/path" or a ".." out of the zoneinfo directory (a FIFO there would hang the
 * cart's programs). */
static bool tz_is_data(const char *value)
{
        return value[0] != ':' && value[0] != '/' && !strstr(value, "..");
}

bool cmdenv_target_takes(const char *kv, char *const *take, size_t n_take)
{
        static const char *const allowed[] = { CMDENV_TARGET_ALLOWED };
        size_t k = key_len(kv);

        if (k == 0 || kv[k] != '=' || cmdenv_is_loader(kv))
                return false;
        for (size_t i = 0; i < n_take; i++) {
                size_t n = strlen(take[i]);

                if (n > 0 && take[i][n - 1] == '*' ? k >= n - 1 && strncmp(kv, take[i], n - 1) == 0
                                                     : key_is(kv, take[i]))
                        return true;
        }
        for (size_t i = 0; i < ELEMENTSOF(allowed); i++)
                if (key_is(kv, allowed[i]))
                        return !key_is(kv, "TZ") || tz_is_data(kv + k + 1);
        return false;
}

const char *cmdenv_get(const struct cmdenv *e, const char *key)
{
        for (size_t i = 0; i < e->n; i++)
                if (key_is(e->v[i], key))
                        return e->v[i] + strlen(key) + 1;
        return NULL;
}

void cmdenv_done(struct cmdenv *e)
{
        for (size_t i = 0; i < e->n; i++)
                free(e->v[i]);
        free(e->v);
        for (size_t i = 0; i < e->n_left_out; i++)
                free(e->left_out[i]);
        free(e->left_out);
        *e = (struct cmdenv){};
}

static int left_out_add(struct cmdenv *e, const char *kv)
{
        char **v = realloc(e->left_out, (e->n_left_out + 1) * sizeof(char *));

        if (!v)
                return -ENOMEM;
        e->left_out = v;
        e->left_out[e->n_left_out] = strndup(kv, key_len(kv));
        if (!e->left_out[e->n_left_out])
                return -ENOMEM;
        e->n_left_out++;
        return 0;
}

/* PATH: the cart's directories first, then the target's absolute directories. A
 * relative one ("", ".", "bin") would search the working directory, which the
 * container controls; the cart's own are not repeated. */
static int put_path(struct cmdenv *e, const char *target_path)
{
        _cleanup_free_ char *s = NULL;
        size_t len = strlen("PATH=" CART_PATH_PREFIX), cap;

        if (!target_path)
                return cmdenv_put(e, "PATH=" CMDENV_DEFAULT_PATH);
        cap = len + strlen(target_path) + 2;
        s = malloc(cap);
        if (!s)
                return -ENOMEM;
        strcpy(s, "PATH=" CART_PATH_PREFIX);
        for (const char *p = target_path;;) {
                size_t n = strcspn(p, ":");

                if (n > 0 && p[0] == '/' && !(n == strlen(CART_BIN) && strncmp(p, CART_BIN, n) == 0) &&
                    !(n == strlen(CART_SBIN) && strncmp(p, CART_SBIN, n) == 0)) {
                        s[len++] = ':';
                        memcpy(s + len, p, n);
                        len += n;
                }
                if (!p[n])
                        break;
                p += n + 1;
        }
        s[len] = 0;
        return cmdenv_put_owned(e, TAKE_PTR(s));
}

int cmdenv_build(const char *target_environ, size_t target_len, char *const *take, size_t n_take, const char *term,
                 char *const *sets, size_t n_sets, struct cmdenv *ret)
{
        struct cmdenv e = {};
        const char *target_path = NULL;
        int r = 0;

        e.v = calloc(1, sizeof(char *));
        if (!e.v)
                return -ENOMEM;

        /* --env-from-target: an allowlist, not what docker exec takes (all of
         * it): the set of names that the cart's programs, their libraries and
         * plugins read as code or as where to load code from is open-ended (bash's
         * MAILPATH, tar's TAR_OPTIONS, curl's XDG_CONFIG_HOME, ...), and a list of
         * what to refuse fails open. */
        for (const char *p = target_environ; p && p < target_environ + target_len && r >= 0; p += strlen(p) + 1) {
                if (key_is(p, "PATH") && p[4] == '=')
                        target_path = p + 5;
                else if (cmdenv_target_takes(p, take, n_take) ||
                         (fault_disabled("env-allowlist") && !cmdenv_is_loader(p) && strchr(p, '=')))
                        r = cmdenv_put(&e, p);
                else if (*p)
                        r = left_out_add(&e, p);
        }
        if (r >= 0 && term)
                r = cmdenv_putf(&e, "TERM=%s", term);
        /* The cart's tools first, in a scratch container too. */
        if (r >= 0)
                r = put_path(&e, target_path);
        /* The shell that programs start for the user (gdb's "shell", editors'
         * "!", ...) is the cart's, never one the container chose. */
        if (r >= 0)
                r = cmdenv_put(&e, "SHELL=" CART_SHELL);
        for (size_t i = 0; r >= 0 && i < n_sets; i++)
                r = cmdenv_put(&e, sets[i]);
        if (r >= 0) {
                e.home_given = cmdenv_get(&e, "HOME") != NULL;
                if (!e.home_given)
                        r = cmdenv_put(&e, "HOME=/root");
        }
        if (r < 0) {
                cmdenv_done(&e);
                return r;
        }
        *ret = e;
        return 0;
}
