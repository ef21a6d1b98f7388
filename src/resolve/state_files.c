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

        if (!walk_matches(w, name))
                return 0;
        int r;

        snprintf(path, sizeof(path), "%s/init.pid", name);
        pid = read_pidfile_at(ctx, dirfd, path);
        r = candidates_add(w->out, "containerd", name, NULL, w->ns, pid, pid > 0);
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

static int containerd_walk(const struct resolve_ctx *ctx, const char *id, struct candidates *out)
{
        /* The system's containerd, and the one dockerd starts for itself. */
        static const char *const roots[] = {
                "run/containerd/io.containerd.runtime.v2.task",
                "run/containerd/io.containerd.runtime.v1.linux",
                "run/docker/containerd/daemon/io.containerd.runtime.v2.task",
        };
        struct walk w = { .runtime = "containerd", .id = id, .out = out };
        size_t first = out->n;
        int found = -ENOENT;

        for (size_t i = 0; i < ELEMENTSOF(roots); i++) {
                int r = foreach_entry(ctx, ctx->root_fd, roots[i], containerd_ns_cb, &w);

                if (r == -ENOMEM)
                        return r;
                if (r == 0)
                        found = 0;
        }
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
