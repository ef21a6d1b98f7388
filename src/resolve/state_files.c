/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Runtimes found through their state on disk, no daemon needed: containers/storage
 * (Podman, CRI-O), containerd's task directories, runc's and crun's state, rkt's
 * pods. Every path is relative to ctx->root_fd. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/fileio.h"
#include "basic/json.h"
#include "basic/macro.h"
#include "basic/procfs.h"
#include "resolve/resolve.h"

#define STATE_MAX (8u << 20)

/* ---- containers/storage: Podman and CRI-O ---- */

#define STORAGE_LIB "var/lib/containers/storage/overlay-containers"
#define STORAGE_RUN "run/containers/storage/overlay-containers"

/* Which engine made a container: Podman marks its containers with the annotation
 * io.container.manager=libpod; CRI-O records a pod id in the storage metadata. */
static const char *storage_manager(int root_fd, const char *id, json_object *entry)
{
        _cleanup_json_ json_object *cfg = NULL, *meta = NULL;
        json_object *ann;
        const char *m, *metadata;
        char path[512];

        snprintf(path, sizeof(path), STORAGE_LIB "/%s/userdata/config.json", id);
        cfg = json_read_at(root_fd, path, STATE_MAX);
        if (cfg && json_object_object_get_ex(cfg, "annotations", &ann)) {
                m = json_get_string(ann, "io.container.manager");
                if (m && strcmp(m, "libpod") == 0)
                        return "podman";
                if (json_get_string(ann, "io.kubernetes.cri-o.ContainerID") || json_get_string(ann, "io.kubernetes.pod.name"))
                        return "cri-o";
        }
        metadata = json_get_string(entry, "metadata");
        if (metadata) {
                meta = json_parse(metadata, strlen(metadata));
                if (json_get_string(meta, "pod-id"))
                        return "cri-o";
        }
        return "podman";
}

/* The OCI spec's process.cwd of the last candidate, from a config.json that
 * root's runtime wrote: the working directory a runtime's exec starts in. */
static int take_oci_cwd(const struct resolve_ctx *ctx, int dirfd, const char *path, struct candidates *out)
{
        _cleanup_json_ json_object *cfg = NULL;
        json_object *process;

        if (!resolve_state_is_trusted(ctx, dirfd, path))
                return 0;
        cfg = json_read_at(dirfd, path, STATE_MAX);
        if (!cfg || !json_object_object_get_ex(cfg, "process", &process))
                return 0;
        return candidate_set_workdir(&out->v[out->n - 1], json_get_string(process, "cwd"));
}

int storage_lookup(const struct resolve_ctx *ctx, const char *runtime, const char *id, struct candidates *out)
{
        _cleanup_json_ json_object *all = json_read_at(ctx->root_fd, STORAGE_LIB "/containers.json", STATE_MAX);
        size_t n, first = out->n;

        if (!all)
                return -ENOENT;
        if (!json_object_is_type(all, json_type_array))
                return -EBADMSG;
        n = json_object_array_length(all);
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(all, i), *names;
                const char *cid = json_get_string(e, "id"), *name = NULL;
                bool match = !id;
                char path[512];
                pid_t pid;
                int r;

                if (!cid || !resolve_id_is_valid(cid))
                        continue;
                if (id && resolve_match(cid, id))
                        match = true;
                if (json_object_object_get_ex(e, "names", &names) && json_object_is_type(names, json_type_array)) {
                        for (size_t j = 0; j < json_object_array_length(names); j++) {
                                json_object *nm = json_object_array_get_idx(names, j);
                                const char *s = json_object_is_type(nm, json_type_string) ? json_object_get_string(nm) : NULL;

                                if (!s)
                                        continue;
                                if (!name)
                                        name = s;
                                if (id && strcmp(s, id) == 0) {
                                        match = true;
                                        name = s;
                                }
                        }
                }
                if (!match || strcmp(storage_manager(ctx->root_fd, cid, e), runtime) != 0)
                        continue;
                snprintf(path, sizeof(path), STORAGE_RUN "/%s/userdata/pidfile", cid);
                pid = read_pidfile_at(ctx, ctx->root_fd, path);
                r = candidates_add(out, runtime, cid, name, NULL, pid, pid > 0);
                if (r < 0)
                        return r;
                snprintf(path, sizeof(path), STORAGE_LIB "/%s/userdata/config.json", cid);
                r = take_oci_cwd(ctx, ctx->root_fd, path, out);
                if (r < 0)
                        return r;
        }
        if (id)
                candidates_prefer_exact(out, first, id);
        return 0;
}

int crio_lookup(const struct resolve_ctx *ctx, const char *id, struct candidates *out)
{
        return storage_lookup(ctx, "cri-o", id, out);
}

int crio_list(const struct resolve_ctx *ctx, struct candidates *out)
{
        return storage_lookup(ctx, "cri-o", NULL, out);
}

/* ---- directory walking ---- */

typedef int (*entry_cb)(const struct resolve_ctx *ctx, int dirfd, const char *name, void *userdata);

/* Calls cb for every valid-looking entry of path (relative to parent_fd). -ENOENT
 * when the directory does not exist: the runtime is not on this host. */
static int foreach_entry(const struct resolve_ctx *ctx, int parent_fd, const char *path, entry_cb cb, void *userdata)
{
        _cleanup_(closedir_p) DIR *d = NULL;
        struct dirent *de;
        int r;

        r = opendir_at(parent_fd, path, &d);
        if (r < 0)
                return r;
        while ((de = readdir(d))) {
                if (!resolve_id_is_valid(de->d_name))
                        continue;
                r = cb(ctx, dirfd(d), de->d_name, userdata);
                if (r < 0)
                        return r;
        }
        return 0;
}

struct walk {
        const char *runtime;
        const char *id;         /* NULL: list all */
        const char *ns;         /* containerd namespace being walked */
        const char *address;    /* containerd's socket, for its candidates */
        struct candidates *out;
};

static bool walk_matches(const struct walk *w, const char *name)
{
        return !w->id || resolve_match(name, w->id) > 0;
}

/* ---- containerd: <state>/io.containerd.runtime.v2.task/<namespace>/<id>/init.pid ---- */

static int containerd_task_cb(const struct resolve_ctx *ctx, int dirfd, const char *name, void *userdata)
{
        struct walk *w = userdata;
        char path[512];
        pid_t pid;
        int r;

        if (!walk_matches(w, name))
                return 0;
        snprintf(path, sizeof(path), "%s/init.pid", name);
        pid = read_pidfile_at(ctx, dirfd, path);
        r = candidates_add(w->out, "containerd", name, NULL, w->ns, pid, pid > 0);
        if (r < 0)
                return r;
        r = candidates_set_address(w->out, w->address);
        if (r < 0)
                return r;
        /* The task's bundle. */
        snprintf(path, sizeof(path), "%s/config.json", name);
        return take_oci_cwd(ctx, dirfd, path, w->out);
}

static int containerd_ns_cb(const struct resolve_ctx *ctx, int dirfd, const char *name, void *userdata)
{
        struct walk *w = userdata;
        int r;

        w->ns = name;
        r = foreach_entry(ctx, dirfd, name, containerd_task_cb, w);
        w->ns = NULL;
        return r == -ENOENT || r == -ENOTDIR ? 0 : r;
}

int containerd_shim_cmdline(const char *cmdline, size_t len, const char **ret_ns, const char **ret_id,
                            const char **ret_address)
{
        const char *ns = NULL, *id = NULL, *address = NULL;

        for (const char *a = cmdline; a < cmdline + len && *a; a += strlen(a) + 1) {
                const char *next = a + strlen(a) + 1;

                if (next >= cmdline + len || !*next)
                        break;
                /* Go's flag package: -name value and --name value alike. */
                if (a[0] == '-' && a[1] == '-')
                        a++;
                if (strcmp(a, "-namespace") == 0)
                        ns = next;
                else if (strcmp(a, "-id") == 0)
                        id = next;
                else if (strcmp(a, "-address") == 0)
                        address = next;
        }
        if (!ns || !id || !address || !resolve_id_is_valid(ns) || !resolve_id_is_valid(id) || address[0] != '/')
                return -EINVAL;
        *ret_ns = ns;
        *ret_id = id;
        *ret_address = address;
        return 0;
}

void task_roots_free(struct task_root *v, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(v[i].path);
                free(v[i].address);
        }
        free(v);
}

/* The tasks' root of a shim: its working directory is the bundle of the task it
 * was started for, <root>/<namespace>/<id>, and that is checked against its
 * command line. */
static int shim_task_root(const struct resolve_ctx *ctx, pid_t pid, char *buf, size_t size, char **ret_address)
{
        _cleanup_free_ char *cmdline = NULL;
        const char *ns, *id, *address, *slash;
        char path[64], tail[600];
        size_t len;
        ssize_t n;

        snprintf(path, sizeof(path), "proc/%d/cmdline", (int)pid);
        if (read_full_fileat(ctx->root_fd, path, 1 << 16, &cmdline, &len) < 0 ||
            containerd_shim_cmdline(cmdline, len, &ns, &id, &address) < 0)
                return -EINVAL;
        snprintf(path, sizeof(path), "proc/%d/cwd", (int)pid);
        n = readlinkat(ctx->root_fd, path, buf, size - 1);
        if (n <= 0 || (size_t)n >= size - 1 || buf[0] != '/')
                return -EINVAL;
        buf[n] = 0;
        snprintf(tail, sizeof(tail), "/%s/%s", ns, id);
        if ((size_t)n <= strlen(tail) || strcmp(buf + n - strlen(tail), tail) != 0)
                return -EINVAL; /* not in a bundle: nothing to learn */
        buf[n - strlen(tail)] = 0;
        slash = strrchr(buf, '/');
        if (!slash || strncmp(slash + 1, "io.containerd.runtime.", 22) != 0)
                return -EINVAL;
        *ret_address = strdup(address);
        return *ret_address ? 0 : -ENOMEM;
}

int containerd_shim_roots(const struct resolve_ctx *ctx, struct task_root **ret, size_t *ret_n)
{
        _cleanup_(closedir_p) DIR *d = NULL;
        struct task_root *v = NULL;
        struct dirent *de;
        size_t n = 0;
        int r;

        r = opendir_at(ctx->root_fd, "proc", &d);
        if (r < 0)
                return r;
        while ((de = readdir(d))) {
                _cleanup_free_ char *comm = NULL, *address = NULL;
                char path[300], root[512];
                bool seen = false;
                struct task_root *nv;
                pid_t pid;

                if (parse_pid(de->d_name, &pid) < 0)
                        continue;
                snprintf(path, sizeof(path), "%s/comm", de->d_name);
                /* containerd-shim, containerd-shim-runc-v2, -kata-v2, ...: the
                 * command name is cut at 15 characters. */
                if (read_full_fileat(dirfd(d), path, 64, &comm, NULL) < 0 || strncmp(comm, "containerd-shim", 15) != 0)
                        continue;
                /* A command line and a working directory name a place only when
                 * they are root's on the host: a container can run a process of
                 * that name. */
                if (!resolve_process_is_host_root(ctx, pid))
                        continue;
                if (shim_task_root(ctx, pid, root, sizeof(root), &address) < 0)
                        continue;
                for (size_t i = 0; i < n && !seen; i++)
                        seen = strcmp(v[i].path, root) == 0;
                if (seen)
                        continue;
                nv = realloc(v, (n + 1) * sizeof(*v));
                if (!nv) {
                        task_roots_free(v, n);
                        return -ENOMEM;
                }
                v = nv;
                v[n].path = strdup(root);
                v[n].address = TAKE_PTR(address);
                if (!v[n++].path) {
                        task_roots_free(v, n);
                        return -ENOMEM;
                }
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

static int containerd_walk_root(const struct resolve_ctx *ctx, const char *root, const char *address,
                                struct walk *w)
{
        _cleanup_close_ int fd = -EBADF;

        fd = openat(ctx->root_fd, root + strspn(root, "/"), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return NEG_ERRNO();
        w->address = address;
        return foreach_entry(ctx, fd, ".", containerd_ns_cb, w);
}

static int containerd_walk(const struct resolve_ctx *ctx, const char *id, struct candidates *out)
{
        /* Where containerd keeps its tasks by default (the system's, the one
         * dockerd starts for itself, k3s's and RKE2's, MicroK8s's), with its
         * socket; any other is found through its shims. */
        static const struct {
                const char *root, *address;
        } roots[] = {
                { "/run/containerd/io.containerd.runtime.v2.task", "/run/containerd/containerd.sock" },
                { "/run/containerd/io.containerd.runtime.v1.linux", "/run/containerd/containerd.sock" },
                { "/run/docker/containerd/daemon/io.containerd.runtime.v2.task",
                  "/run/docker/containerd/containerd.sock" },
                { "/run/k3s/containerd/io.containerd.runtime.v2.task", "/run/k3s/containerd/containerd.sock" },
                { "/var/snap/microk8s/common/run/containerd/io.containerd.runtime.v2.task",
                  "/var/snap/microk8s/common/run/containerd.sock" },
        };
        struct walk w = { .runtime = "containerd", .id = id, .out = out };
        struct task_root *shims = NULL;
        size_t first = out->n, n_shims = 0;
        int found = -ENOENT, r;

        for (size_t i = 0; i < ELEMENTSOF(roots); i++) {
                r = containerd_walk_root(ctx, roots[i].root, roots[i].address, &w);
                if (r == -ENOMEM)
                        return r;
                if (r == 0)
                        found = 0;
        }
        r = containerd_shim_roots(ctx, &shims, &n_shims);
        if (r == -ENOMEM)
                return r;
        for (size_t i = 0; i < n_shims; i++) {
                bool known = false;

                for (size_t j = 0; j < ELEMENTSOF(roots) && !known; j++)
                        known = strcmp(shims[i].path, roots[j].root) == 0;
                /* Root's and nobody else's to write: the ids and PIDs in it are
                 * containerd's. */
                if (known || !resolve_state_is_trusted(ctx, ctx->root_fd, shims[i].path + 1))
                        continue;
                r = containerd_walk_root(ctx, shims[i].path, shims[i].address, &w);
                if (r == -ENOMEM) {
                        task_roots_free(shims, n_shims);
                        return r;
                }
                if (r == 0)
                        found = 0;
        }
        task_roots_free(shims, n_shims);
        if (id)
                candidates_prefer_exact(out, first, id);
        return found;
}

int containerd_lookup(const struct resolve_ctx *ctx, const char *id, struct candidates *out)
{
        return containerd_walk(ctx, id, out);
}

int containerd_list(const struct resolve_ctx *ctx, struct candidates *out)
{
        return containerd_walk(ctx, NULL, out);
}

/* ---- runc: /run/runc/<id>/state.json; crun: /run/crun/<id>/status ---- */

static bool start_time_matches(const struct resolve_ctx *ctx, pid_t pid, int64_t want)
{
        _cleanup_free_ char *stat = NULL;
        char path[64];
        uint64_t st;

        if (want < 0)
                return true; /* not recorded */
        snprintf(path, sizeof(path), "proc/%d/stat", (int)pid);
        if (read_full_fileat(ctx->root_fd, path, 4096, &stat, NULL) < 0 || proc_stat_starttime(stat, &st) < 0)
                return false;
        return st == (uint64_t)want;
}

static int oci_state_cb(const struct resolve_ctx *ctx, int dirfd, const char *name, void *userdata)
{
        struct walk *w = userdata;
        _cleanup_json_ json_object *st = NULL;
        bool is_runc = strcmp(w->runtime, "runc") == 0;
        char path[512];
        int64_t pid;

        if (!walk_matches(w, name))
                return 0;
        snprintf(path, sizeof(path), "%s/%s", name, is_runc ? "state.json" : "status");
        st = json_read_at(dirfd, path, STATE_MAX);
        if (!st)
                return 0;
        pid = json_get_int(st, is_runc ? "init_process_pid" : "pid");
        if (pid <= 0 || pid > 0x7fffffff || !pid_alive(ctx, (pid_t)pid))
                pid = 0;
        /* A recycled PID is not the container's init: both record its start time. */
        if (pid > 0 && !start_time_matches(ctx, (pid_t)pid, json_get_int(st, is_runc ? "init_process_start" : "process-start-time")))
                pid = 0;
        return candidates_add(w->out, w->runtime, name, NULL, w->ns, (pid_t)pid, pid > 0);
}

static int oci_walk(const struct resolve_ctx *ctx, const char *runtime, const char *root, const char *id,
                    struct candidates *out)
{
        struct walk w = { .runtime = runtime, .id = id, .out = out, .ns = root };
        size_t first = out->n;
        int r;

        r = foreach_entry(ctx, ctx->root_fd, root + 1, oci_state_cb, &w);
        if (id)
                candidates_prefer_exact(out, first, id);
        return r;
}

int runc_lookup(const struct resolve_ctx *ctx, const char *id, struct candidates *out)
{
        return oci_walk(ctx, "runc", "/run/runc", id, out);
}

int runc_list(const struct resolve_ctx *ctx, struct candidates *out)
{
        return oci_walk(ctx, "runc", "/run/runc", NULL, out);
}

int crun_lookup(const struct resolve_ctx *ctx, const char *id, struct candidates *out)
{
        return oci_walk(ctx, "crun", "/run/crun", id, out);
}

int crun_list(const struct resolve_ctx *ctx, struct candidates *out)
{
        return oci_walk(ctx, "crun", "/run/crun", NULL, out);
}

/* ---- rkt: /var/lib/rkt/pods/run/<uuid>/pid ---- */

static int rkt_cb(const struct resolve_ctx *ctx, int dirfd, const char *name, void *userdata)
{
        struct walk *w = userdata;
        char path[512];
        pid_t pid;

        if (!walk_matches(w, name))
                return 0;
        snprintf(path, sizeof(path), "%s/pid", name);
        pid = read_pidfile_at(ctx, dirfd, path);
        return candidates_add(w->out, "rkt", name, NULL, NULL, pid, pid > 0);
}

static int rkt_walk(const struct resolve_ctx *ctx, const char *id, struct candidates *out)
{
        struct walk w = { .runtime = "rkt", .id = id, .out = out };
        size_t first = out->n;
        int r;

        r = foreach_entry(ctx, ctx->root_fd, "var/lib/rkt/pods/run", rkt_cb, &w);
        if (id)
                candidates_prefer_exact(out, first, id);
        return r;
}

int rkt_lookup(const struct resolve_ctx *ctx, const char *id, struct candidates *out)
{
        return rkt_walk(ctx, id, out);
}

int rkt_list(const struct resolve_ctx *ctx, struct candidates *out)
{
        return rkt_walk(ctx, NULL, out);
}
