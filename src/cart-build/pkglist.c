/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cart-build/pkglist.h"

int pkg_name_is_valid(const char *s)
{
        size_t n = strlen(s);

        if (n < 2 || n > 128 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
                return 0;
        for (size_t i = 1; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '.' ||
                      s[i] == '-'))
                        return 0;
        return 1;
}

void pkglist_done(struct pkglist *l)
{
        for (size_t i = 0; i < l->n; i++)
                free(l->names[i]);
        free(l->names);
        *l = (struct pkglist){};
}

int pkglist_parse(const char *text, struct pkglist *ret, size_t *ret_line)
{
        struct pkglist l = {};
        size_t lineno = 0;

        for (const char *line = text; line && *line;) {
                const char *nl = strchr(line, '\n');
                size_t len = nl ? (size_t)(nl - line) : strlen(line);
                char buf[256], *s, *e;

                lineno++;
                if (len >= sizeof(buf))
                        goto bad;
                memcpy(buf, line, len);
                buf[len] = 0;
                if ((s = strchr(buf, '#')))
                        *s = 0;
                s = buf + strspn(buf, " \t\r");
                e = s + strlen(s);
                while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
                        *--e = 0;
                if (*s) {
                        char **v;
                        int dup = 0;

                        if (!pkg_name_is_valid(s))
                                goto bad;
                        for (size_t i = 0; i < l.n; i++)
                                dup |= strcmp(l.names[i], s) == 0;
                        if (!dup) {
                                v = realloc(l.names, (l.n + 2) * sizeof(char *));
                                if (!v || !(v[l.n] = strdup(s))) {
                                        if (v)
                                                l.names = v;
                                        pkglist_done(&l);
                                        return -ENOMEM;
                                }
                                l.names = v;
                                l.names[++l.n] = NULL;
                        }
                }
                line = nl ? nl + 1 : NULL;
        }
        *ret = l;
        return 0;
bad:
        pkglist_done(&l);
        if (ret_line)
                *ret_line = lineno;
        return -EINVAL;
}
