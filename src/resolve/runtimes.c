/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The runtimes crashcart knows, in one table: how each finds a container, lists
 * its containers, and runs a command through its own exec (for -e). --runtime,
 * --list, -e, the help text and the error messages all read it: a new runtime is
 * one more entry. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/fileio.h"
#include "resolve/resolve.h"
#include "resolve/spec.h"

static int pid_lookup(const struct resolve_ctx *ctx, const char *id, struct candidates *out)
{
        pid_t pid;

        if (parse_pid(id, &pid) < 0 || !pid_alive(ctx, pid))
                return 0;
        return candidates_add(out, "pid", id, NULL, NULL, pid, true);
}

/* Each exec_prefix fills v with the runtime's own command line up to where the
 * command goes, and returns how many words it wrote (at most RUNTIME_EXEC_MAX). */

/* docker exec, podman exec, crictl exec: the engines' command-line clients. */
static size_t engine_exec(const char *client, const struct runtime_exec_args *a, const char **v)
{
        size_t n = 0;

        v[n++] = client;
        v[n++] = "exec";
        v[n++] = a->tty ? "-it" : "-i";
        v[n++] = a->id;
        return n;
}

static size_t docker_exec(const struct runtime_exec_args *a, const char **v)
{
        return engine_exec("docker", a, v);
}

static size_t podman_exec(const struct runtime_exec_args *a, const char **v)
{
        return engine_exec("podman", a, v);
}

static size_t crio_exec(const struct runtime_exec_args *a, const char **v)
{
        return engine_exec("crictl", a, v);
}

static size_t containerd_exec(const struct runtime_exec_args *a, const char **v)
{
        size_t n = 0;

        v[n++] = "ctr";
        if (a->address) {
                v[n++] = "--address";
                v[n++] = a->address;
        }
        v[n++] = "--namespace";
        v[n++] = a->ns ? a->ns : "default";
        v[n++] = "task";
        v[n++] = "exec";
        v[n++] = "--exec-id";
        v[n++] = a->exec_id;
        if (a->tty)
                v[n++] = "--tty";
        v[n++] = a->id;
        return n;
}

/* runc and crun: the same command line; ns is the state root (--root). */
static size_t oci_exec(const char *runtime, const struct runtime_exec_args *a, const char **v)
{
        size_t n = 0;

        v[n++] = runtime;
        if (a->ns) {
                v[n++] = "--root";
                v[n++] = a->ns;
        }
        v[n++] = "exec";
        if (a->tty)
                v[n++] = "--tty";
        v[n++] = a->id;
        return n;
}

static size_t runc_exec(const struct runtime_exec_args *a, const char **v)
{
        return oci_exec("runc", a, v);
}

static size_t crun_exec(const struct runtime_exec_args *a, const char **v)
{
        return oci_exec("crun", a, v);
}

/* lxc-attach passes the caller's environment into the container unless told
 * otherwise: crashcart's (the host's) must not go there. */
static size_t lxc_exec(const struct runtime_exec_args *a, const char **v)
{
        size_t n = 0;

        v[n++] = "lxc-attach";
        v[n++] = "--clear-env";
        v[n++] = "--keep-var";
        v[n++] = "TERM";
        if (a->ns) {
                v[n++] = "-P";
                v[n++] = a->ns;
        }
        v[n++] = "-n";
        v[n++] = a->id;
        v[n++] = "--";
        return n;
}

/* The order is the order of asking, and of preference when one container is seen
 * through several runtimes: engines first, then the low-level runtimes beneath
 * them, and the cgroup scan last of all. */
static const struct runtime runtimes[] = {
        { "pid", RUNTIME_PROCESS, pid_lookup, NULL, NULL, NULL },
        { "docker", RUNTIME_CONTAINER, docker_lookup, docker_list, docker_exec, docker_spec },
        { "podman", RUNTIME_CONTAINER, podman_lookup, podman_list, podman_exec, podman_spec },
        { "cri-o", RUNTIME_CONTAINER, crio_lookup, crio_list, crio_exec, NULL },
        { "containerd", RUNTIME_CONTAINER, containerd_lookup, containerd_list, containerd_exec, NULL },
        { "lxc", RUNTIME_CONTAINER, lxc_lookup, lxc_list, lxc_exec, lxc_spec },
        { "nspawn", RUNTIME_CONTAINER, nspawn_lookup, nspawn_list, NULL, nspawn_spec },
        { "runc", RUNTIME_CONTAINER, runc_lookup, runc_list, runc_exec, runc_spec },
        { "crun", RUNTIME_CONTAINER, crun_lookup, crun_list, crun_exec, crun_spec },
        { "rkt", RUNTIME_CONTAINER, rkt_lookup, rkt_list, NULL, NULL },
        { "cgroup", RUNTIME_SCAN, cgroup_scan_lookup, cgroup_scan_list, NULL, NULL },
        {},
};

const struct runtime *runtime_table(void)
{
        return runtimes;
}

const struct runtime *runtime_get(const char *name)
{
        for (const struct runtime *rt = runtimes; rt->name; rt++)
                if (strcmp(rt->name, name) == 0)
                        return rt;
        return NULL;
}

bool runtime_names_container(const char *name)
{
        const struct runtime *rt = runtime_get(name);

        return rt && rt->kind == RUNTIME_CONTAINER;
}

bool runtime_has_ids(const char *name)
{
        const struct runtime *rt = runtime_get(name);

        return rt && rt->kind != RUNTIME_PROCESS;
}

int runtime_exec_argv(const struct runtime *rt, const struct runtime_exec_args *a, char *const *cmd,
                      char ***ret_argv)
{
        const char *prefix[RUNTIME_EXEC_MAX];
        size_t argc = 0, n;
        char **v;

        if (!rt->exec_prefix)
                return -EOPNOTSUPP;
        n = rt->exec_prefix(a, prefix);
        while (cmd[argc])
                argc++;
        v = calloc(n + argc + 1, sizeof(char *));
        if (!v)
                return -ENOMEM;
        memcpy(v, prefix, n * sizeof(char *));
        memcpy(v + n, cmd, argc * sizeof(char *));
        *ret_argv = v;
        return 0;
}
