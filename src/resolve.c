/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "macro.h"
#include "resolve.h"

static int pid_lookup(const char *id, struct candidates *out)
{
        char path[64];
        pid_t pid;

        if (parse_pid(id, &pid) < 0)
                return 0;
        snprintf(path, sizeof(path), "/proc/%d", (int)pid);
        if (access(path, F_OK) < 0)
                return 0;
        return candidates_add(out, "pid", id, NULL, pid, true);
}

static const struct resolver resolvers[] = {
        { "pid", pid_lookup },
        { "docker", docker_lookup },
};

int candidates_add(struct candidates *c, const char *runtime, const char *id, const char *name, pid_t pid,
                   bool running)
{
        struct candidate *v, *n;

        v = realloc(c->v, (c->n + 1) * sizeof(*v));
        if (!v)
                return -ENOMEM;
        c->v = v;
        n = &v[c->n];
        *n = (struct candidate){ .pid = pid, .running = running };
        n->runtime = strdup(runtime);
        n->id = id ? strdup(id) : NULL;
        n->name = name ? strdup(name) : NULL;
        if (!n->runtime || (id && !n->id) || (name && !n->name)) {
                free(n->runtime);
                free(n->id);
                free(n->name);
                return -ENOMEM;
        }
        c->n++;
        return 0;
}

void candidates_done(struct candidates *c)
{
        for (size_t i = 0; i < c->n; i++) {
                free(c->v[i].runtime);
                free(c->v[i].id);
                free(c->v[i].name);
        }
        free(c->v);
        c->v = NULL;
        c->n = 0;
}

const char *resolve_strip_scheme(const char *id, const char **ret_runtime)
{
        static const struct {
                const char *scheme;
                const char *runtime;
        } schemes[] = {
                { "docker://", "docker" },
                { "containerd://", "containerd" },
                { "cri-o://", "cri-o" },
        };

        *ret_runtime = NULL;
        for (size_t i = 0; i < ELEMENTSOF(schemes); i++) {
                size_t n = strlen(schemes[i].scheme);

                if (strncmp(id, schemes[i].scheme, n) == 0) {
                        *ret_runtime = schemes[i].runtime;
                        return id + n;
                }
        }
        return id;
}

bool resolve_id_is_valid(const char *s)
{
        size_t n = strlen(s);

        if (n == 0 || n > 253)
                return false;
        if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= '0' && s[0] <= '9')))
                return false;
        for (size_t i = 1; i < n; i++) {
                char c = s[i];

                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                      c == '.' || c == '-'))
                        return false;
        }
        return true;
}

int resolve_id(const char *id, const char *runtime, struct candidates *ret, char **ret_asked)
{
        _cleanup_free_ char *asked = NULL;
        const char *scheme_runtime;
        size_t asked_len = 0;
        int r;

        id = resolve_strip_scheme(id, &scheme_runtime);
        if (scheme_runtime) {
                if (runtime && strcmp(runtime, scheme_runtime) != 0)
                        return -EINVAL;
                runtime = scheme_runtime;
        }

        for (size_t i = 0; i < ELEMENTSOF(resolvers); i++) {
                char *p;

                if (runtime ? strcmp(runtime, resolvers[i].name) != 0 : false)
                        continue;
                /* A PID is a PID: the runtimes are not asked about a number that names
                 * a live process (a numeric name or id prefix needs --runtime). */
                if (i > 0 && ret->n > 0 && strcmp(ret->v[0].runtime, "pid") == 0)
                        break;

                r = resolvers[i].lookup(id, ret);
                if (r == -ENOMEM)
                        return r;

                /* Any other failure means this runtime is not here: the others may
                 * still know the id, and the error message says it was unreachable. */
                p = realloc(asked, asked_len + strlen(resolvers[i].name) + 64);
                if (!p)
                        return -ENOMEM;
                asked = p;
                asked_len += (size_t)sprintf(asked + asked_len, "%s%s%s", asked_len ? ", " : "", resolvers[i].name,
                                             r < 0 ? " (not reachable)" : "");
        }
        if (!asked) {
                asked = strdup(runtime ? runtime : "");
                if (!asked)
                        return -ENOMEM;
        }
        *ret_asked = TAKE_PTR(asked);
        return 0;
}
