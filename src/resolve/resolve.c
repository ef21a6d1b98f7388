/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "basic/fileio.h"
#include "basic/log.h"
#include "basic/macro.h"
#include "resolve/resolve.h"

int candidates_add(struct candidates *c, const char *runtime, const char *id, const char *name, const char *ns,
                   pid_t pid, bool running)
{
        struct candidate *v, *n;

        v = realloc(c->v, (c->n + 1) * sizeof(*v));
        if (!v)
                return -ENOMEM;
        c->v = v;
        n = &v[c->n];
        *n = (struct candidate){ .pid = running ? pid : 0, .running = running };
        n->runtime = strdup(runtime);
        n->id = id ? strdup(id) : NULL;
        n->name = name ? strdup(name) : NULL;
        n->ns = ns ? strdup(ns) : NULL;
        if (!n->runtime || (id && !n->id) || (name && !n->name) || (ns && !n->ns)) {
                free(n->runtime);
                free(n->id);
                free(n->name);
                free(n->ns);
                return -ENOMEM;
        }
        c->n++;
        return 0;
}

int candidates_set_address(struct candidates *c, const char *address)
{
        struct candidate *last = &c->v[c->n - 1];

        free(last->address);
        last->address = address ? strdup(address) : NULL;
        return !address || last->address ? 0 : -ENOMEM;
}

static void candidate_free(struct candidate *c)
{
        free(c->runtime);
        free(c->id);
        free(c->name);
        free(c->ns);
        free(c->address);
        free(c->workdir);
        for (size_t i = 0; i < c->n_labels; i++)
                free(c->labels[i]);
        free(c->labels);
}

int candidate_set_workdir(struct candidate *c, const char *dir)
{
        char *d;

        /* Relative or empty: the runtime's default, which is "/". */
        if (!dir || dir[0] != '/')
                return 0;
        d = strdup(dir);
        if (!d)
                return -ENOMEM;
        free(c->workdir);
        c->workdir = d;
        return 0;
}

int candidate_add_label(struct candidate *c, const char *key, const char *value)
{
        char **v, *kv;

        if (asprintf(&kv, "%s=%s", key, value ? value : "") < 0)
                return -ENOMEM;
        v = realloc(c->labels, (c->n_labels + 1) * sizeof(char *));
        if (!v) {
                free(kv);
                return -ENOMEM;
        }
        c->labels = v;
        c->labels[c->n_labels++] = kv;
        c->has_labels = true;
        return 0;
}

void candidate_labels_known(struct candidate *c)
{
        c->has_labels = true;
}

void candidates_done(struct candidates *c)
{
        for (size_t i = 0; i < c->n; i++)
                candidate_free(&c->v[i]);
        free(c->v);
        c->v = NULL;
        c->n = 0;
}

void candidates_dedup(struct candidates *c)
{
        size_t kept = 0;

        for (size_t i = 0; i < c->n; i++) {
                struct candidate *dup = NULL;

                /* The same init, or the same 64-digit id (Docker's id is its
                 * containerd task's and its runc container's). */
                for (size_t j = 0; j < kept && !dup; j++)
                        if ((c->v[i].running && c->v[j].running && c->v[i].pid > 0 && c->v[i].pid == c->v[j].pid) ||
                            (c->v[i].id && c->v[j].id && strlen(c->v[i].id) == 64 &&
                             strcmp(c->v[i].id, c->v[j].id) == 0))
                                dup = &c->v[j];
                if (!dup) {
                        c->v[kept++] = c->v[i];
                        continue;
                }
                /* What one runtime knows and the other does not: the init's PID. */
                if (dup->pid == 0 && c->v[i].pid > 0) {
                        dup->pid = c->v[i].pid;
                        dup->running = c->v[i].running;
                }
                candidate_free(&c->v[i]);
        }
        c->n = kept;
}

void candidates_prefer_exact(struct candidates *c, size_t from, const char *id)
{
        bool any_exact = false;
        size_t kept = from;

        for (size_t i = from; i < c->n; i++)
                if ((c->v[i].id && strcmp(c->v[i].id, id) == 0) || (c->v[i].name && strcmp(c->v[i].name, id) == 0))
                        any_exact = true;
        if (!any_exact)
                return;
        for (size_t i = from; i < c->n; i++) {
                if ((c->v[i].id && strcmp(c->v[i].id, id) == 0) || (c->v[i].name && strcmp(c->v[i].name, id) == 0))
                        c->v[kept++] = c->v[i];
                else
                        candidate_free(&c->v[i]);
        }
        c->n = kept;
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

bool resolve_name_is_valid(const char *s, size_t max, const char *extra)
{
        size_t n = strlen(s);

        if (n == 0 || n > max)
                return false;
        if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= '0' && s[0] <= '9')))
                return false;
        for (size_t i = 1; i < n; i++) {
                char c = s[i];

                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                      c == '.' || c == '-' || (c && strchr(extra, c))))
                        return false;
        }
        return true;
}

bool resolve_id_is_valid(const char *s)
{
        return resolve_name_is_valid(s, 253, "");
}

int resolve_match(const char *s, const char *id)
{
        size_t n = strlen(id);

        if (!s || n == 0 || strncmp(s, id, n) != 0)
                return 0;
        return s[n] == 0 ? 2 : 1;
}

bool pid_alive(const struct resolve_ctx *ctx, pid_t pid)
{
        _cleanup_free_ char *stat = NULL;
        const char *end;
        char path[64];

        if (pid <= 0)
                return false;
        snprintf(path, sizeof(path), "proc/%d/stat", (int)pid);
        if (read_full_fileat(ctx->root_fd, path, 4096, &stat, NULL) < 0)
                return false;
        /* A zombie is dead: the init of a container killed under a runtime that
         * has not reaped it yet (runc run -d), which runc state calls stopped. */
        end = strrchr(stat, ')');
        return !end || (end[1] != ' ' || (end[2] != 'Z' && end[2] != 'X'));
}

/* For the security tests' positive control only: trust any state and process. */
static bool trust_everything(void)
{
        return fault_disabled("trusted-runtime-state");
}

bool resolve_state_is_trusted(const struct resolve_ctx *ctx, int dirfd, const char *path)
{
        struct stat st;

        if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW | (*path ? 0 : AT_EMPTY_PATH)) < 0)
                return false;
        if (trust_everything())
                return true;
        if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
                return false;
        if (st.st_uid != ctx->state_uid || (st.st_mode & S_IWOTH))
                return false;
        /* LXC makes its container directories 0770 root:root. */
        return !(st.st_mode & S_IWGRP) || st.st_gid == 0;
}

static bool same_inode(const struct resolve_ctx *ctx, const char *a, const char *b)
{
        struct stat sa, sb;

        if (fstatat(ctx->root_fd, a, &sa, 0) < 0)
                return false;
        if (b ? fstatat(ctx->root_fd, b, &sb, 0) < 0 : fstat(ctx->root_fd, &sb) < 0)
                return false;
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

bool resolve_process_is_host_root(const struct resolve_ctx *ctx, pid_t pid)
{
        _cleanup_free_ char *status = NULL;
        const char *uid;
        unsigned long ruid, euid;
        char path[64], path2[64];

        if (trust_everything())
                return true;
        snprintf(path, sizeof(path), "proc/%d/status", (int)pid);
        if (read_full_fileat(ctx->root_fd, path, 1 << 16, &status, NULL) < 0)
                return false;
        uid = strstr(status, "\nUid:");
        if (!uid || sscanf(uid + 5, "%lu %lu", &ruid, &euid) != 2 || ruid != 0 || euid != 0)
                return false;
        /* Not in a PID namespace of a container's... */
        snprintf(path, sizeof(path), "proc/%d/ns/pid", (int)pid);
        if (!same_inode(ctx, path, "proc/self/ns/pid"))
                return false;
        /* ...nor beneath a root of a container's (one that shares the host's
         * PID namespace, --pid=host). */
        snprintf(path2, sizeof(path2), "proc/%d/root", (int)pid);
        return same_inode(ctx, path2, NULL);
}

pid_t read_pidfile_at(const struct resolve_ctx *ctx, int dirfd, const char *path)
{
        _cleanup_free_ char *s = NULL;
        pid_t pid;

        if (read_full_fileat(dirfd, path, 64, &s, NULL) < 0)
                return 0;
        s[strcspn(s, " \n")] = 0;
        if (parse_pid(s, &pid) < 0 || !pid_alive(ctx, pid))
                return 0;
        return pid;
}

static int append_asked(char **asked, size_t *len, const char *name, int r)
{
        char *p = realloc(*asked, *len + strlen(name) + 64);
        const char *why = "";

        if (!p)
                return -ENOMEM;
        *asked = p;
        /* A runtime that is not on this host, or does not answer, is said so. */
        if (r == -ENOENT || r == -ECONNREFUSED)
                why = " (not on this host)";
        else if (r < 0)
                why = " (no answer)";
        *len += (size_t)sprintf(p + *len, "%s%s%s", *len ? ", " : "", name, why);
        return 0;
}

int resolve_id(const struct resolve_ctx *ctx, const char *id, const char *runtime, struct candidates *ret,
               char **ret_asked)
{
        _cleanup_free_ char *asked = NULL;
        const char *scheme_runtime;
        size_t asked_len = 0;
        bool found_before_scan = false;
        int r;

        id = resolve_strip_scheme(id, &scheme_runtime);
        if (scheme_runtime) {
                if (runtime && strcmp(runtime, scheme_runtime) != 0)
                        return -EINVAL;
                runtime = scheme_runtime;
        }
        /* Nothing else is ever put in a path or an URL. */
        if (!resolve_id_is_valid(id)) {
                *ret_asked = strdup("none: not a container id, name or PID");
                return *ret_asked ? 0 : -ENOMEM;
        }

        for (const struct runtime *rt = runtime_table(); rt->name; rt++) {
                if (runtime && strcmp(runtime, rt->name) != 0)
                        continue;
                /* A PID is a PID: the runtimes are not asked about a number that names
                 * a live process (--runtime asks one about it). */
                if (!runtime && ret->n > 0 && runtime_get(ret->v[0].runtime)->kind == RUNTIME_PROCESS)
                        break;
                /* The cgroup scan is the last resort, for what no runtime knows. */
                if (rt->kind == RUNTIME_SCAN && !runtime && found_before_scan)
                        break;

                r = rt->lookup(ctx, id, ret);
                if (r == -ENOMEM)
                        return r;
                found_before_scan = ret->n > 0;
                r = append_asked(&asked, &asked_len, rt->name, r);
                if (r < 0)
                        return r;
        }
        candidates_dedup(ret);
        /* An exact id or name beats prefixes, across runtimes too. */
        candidates_prefer_exact(ret, 0, id);
        if (!asked) {
                asked = strdup(runtime ? runtime : "");
                if (!asked)
                        return -ENOMEM;
        }
        *ret_asked = TAKE_PTR(asked);
        return 0;
}

int resolve_list(const struct resolve_ctx *ctx, const char *runtime, struct candidates *ret)
{
        for (const struct runtime *rt = runtime_table(); rt->name; rt++) {
                int r;

                if (!rt->list || (runtime && strcmp(runtime, rt->name) != 0))
                        continue;
                r = rt->list(ctx, ret);
                if (r == -ENOMEM)
                        return r;
        }
        candidates_dedup(ret);
        return 0;
}
