/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "resolve/select.h"

bool candidate_has_label(const struct candidate *c, const char *kv)
{
        const char *eq = strchr(kv, '=');
        size_t k = eq ? (size_t)(eq - kv) : strlen(kv);

        for (size_t i = 0; i < c->n_labels; i++) {
                const char *l = c->labels[i];

                if (strncmp(l, kv, k) != 0 || l[k] != '=')
                        continue;
                if (!eq || strcmp(l + k + 1, eq + 1) == 0)
                        return true;
        }
        return false;
}

bool selector_matches(const struct selector *s, const struct candidate *c)
{
        const char *name = c->name ? c->name : c->id;

        if (!c->running || c->pid <= 0 || !runtime_names_container(c->runtime))
                return false;
        if (s->name_glob && (!name || fnmatch(s->name_glob, name, 0) != 0))
                return false;
        for (size_t i = 0; i < s->n_labels; i++)
                if (!candidate_has_label(c, s->labels[i]))
                        return false;
        return true;
}

const char *candidate_display_name(const struct candidate *c, char *buf, size_t size)
{
        if (c->name)
                return c->name;
        snprintf(buf, size, "%.12s", c->id ? c->id : "?");
        return buf;
}
