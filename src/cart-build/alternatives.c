/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"
#include "cart-build/alternatives.h"

#define MAX_WORDS 512

static void alternative_done(struct alternative *a)
{
        for (size_t i = 0; i < a->n_links; i++) {
                free(a->links[i].link);
                free(a->links[i].path);
        }
        free(a->links);
        free(a->name);
        *a = (struct alternative){};
}

void alternatives_done(struct alternatives *a)
{
        for (size_t i = 0; i < a->n; i++)
                alternative_done(&a->v[i]);
        free(a->v);
        *a = (struct alternatives){};
}

/* One shell word: quotes dropped; a word with $, ` or a glob is returned with
 * *literal false. Returns the end of the word. */
static const char *next_word(const char *p, char *buf, size_t size, bool *literal)
{
        size_t n = 0;
        char q = 0;

        *literal = true;
        while (*p && (q || (*p != ' ' && *p != '\t'))) {
                if (!q && (*p == '"' || *p == '\'')) {
                        q = *p++;
                        continue;
                }
                if (q && *p == q) {
                        q = 0;
                        p++;
                        continue;
                }
                if (*p == '$' || *p == '`' || *p == '*' || *p == '?' || *p == '\\')
                        *literal = false;
                if (n + 1 < size)
                        buf[n++] = *p;
                else
                        *literal = false;
                p++;
        }
        buf[n] = 0;
        return p;
}

static bool is_path(const char *w)
{
        return w[0] == '/' && !strstr(w, "/../") && strlen(w) > 1;
}

static int add_link(struct alternative *a, const char *link, const char *path)
{
        struct alt_link *l = realloc(a->links, (a->n_links + 1) * sizeof(*l));

        if (!l)
                return -ENOMEM;
        a->links = l;
        l[a->n_links] = (struct alt_link){ strdup(link), strdup(path) };
        if (!l[a->n_links].link || !l[a->n_links].path) {
                free(l[a->n_links].link);
                free(l[a->n_links].path);
                return -ENOMEM;
        }
        a->n_links++;
        return 0;
}

/* Keeps a (taking it) when no install of its name has a higher priority. */
static int keep(struct alternatives *all, struct alternative *a)
{
        for (size_t i = 0; i < all->n; i++)
                if (strcmp(all->v[i].name, a->name) == 0) {
                        if (a->priority > all->v[i].priority) {
                                alternative_done(&all->v[i]);
                                all->v[i] = *a;
                        } else
                                alternative_done(a);
                        return 0;
                }
        {
                struct alternative *v = realloc(all->v, (all->n + 1) * sizeof(*v));

                if (!v) {
                        alternative_done(a);
                        return -ENOMEM;
                }
                all->v = v;
                all->v[all->n++] = *a;
        }
        return 0;
}

/* words[0..n): one command, after update-alternatives. */
static int parse_command(char words[][256], const bool *literal, size_t n, struct alternatives *ret)
{
        struct alternative a = {};
        bool ok = true;
        int r = 0;

        for (size_t i = 0; i < n; i++) {
                if (strcmp(words[i], "--install") == 0) {
                        char *end;

                        if (i + 4 >= n || a.name)
                                break; /* one install per command */
                        for (size_t k = 1; k <= 4; k++)
                                ok = ok && literal[i + k];
                        if (!ok || !is_path(words[i + 1]) || !is_path(words[i + 3]) || strchr(words[i + 2], '/'))
                                break;
                        a.priority = strtol(words[i + 4], &end, 10);
                        if (*end)
                                break;
                        a.name = strdup(words[i + 2]);
                        if (!a.name || add_link(&a, words[i + 1], words[i + 3]) < 0) {
                                r = -ENOMEM;
                                break;
                        }
                        i += 4;
                } else if (strcmp(words[i], "--slave") == 0 && a.name) {
                        if (i + 3 >= n)
                                break;
                        if (literal[i + 1] && literal[i + 3] && is_path(words[i + 1]) && is_path(words[i + 3]) &&
                            add_link(&a, words[i + 1], words[i + 3]) < 0) {
                                r = -ENOMEM;
                                break;
                        }
                        i += 3;
                }
        }
        if (r < 0 || !a.name || a.n_links == 0) {
                alternative_done(&a);
                return r;
        }
        return keep(ret, &a);
}

int alternatives_parse(const char *script, struct alternatives *ret)
{
        static char words[MAX_WORDS][256];
        bool literal[MAX_WORDS];
        size_t len = strlen(script);
        _cleanup_free_ char *text = malloc(len + 1);
        char *line, *save = NULL;
        size_t j = 0;

        if (!text)
                return -ENOMEM;
        /* Continued lines joined. */
        for (size_t i = 0; i < len; i++) {
                if (script[i] == '\\' && script[i + 1] == '\n') {
                        text[j++] = ' ';
                        i++;
                } else
                        text[j++] = script[i] == '\t' ? ' ' : script[i];
        }
        text[j] = 0;

        for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                const char *p = line;
                size_t n = 0;
                bool in_cmd = false, ends;
                int r;

                while (*p) {
                        bool lit;

                        p += strspn(p, " ");
                        if (!*p || *p == '#')
                                break;
                        if (strchr(";|&", *p)) {
                                /* The end of a command. */
                                if (in_cmd && (r = parse_command(words, literal, n, ret)) < 0)
                                        return r;
                                in_cmd = false;
                                n = 0;
                                p++;
                                continue;
                        }
                        p = next_word(p, words[n], sizeof(words[n]), &lit);
                        {
                                size_t wl = strlen(words[n]);

                                /* "cmd;" ends the command too. */
                                ends = wl && words[n][wl - 1] == ';';
                                while (wl && words[n][wl - 1] == ';')
                                        words[n][--wl] = 0;
                        }
                        if (!in_cmd) {
                                const char *base = strrchr(words[n], '/');

                                in_cmd = !ends && strcmp(base ? base + 1 : words[n], "update-alternatives") == 0;
                                continue;
                        }
                        literal[n] = lit;
                        if (n + 1 < MAX_WORDS)
                                n++;
                        if (ends) {
                                if ((r = parse_command(words, literal, n, ret)) < 0)
                                        return r;
                                in_cmd = false;
                                n = 0;
                        }
                }
                if (in_cmd && (r = parse_command(words, literal, n, ret)) < 0)
                        return r;
        }
        return 0;
}
