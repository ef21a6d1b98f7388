/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/json.h"
#include "basic/macro.h"
#include "resolve/engine.h"
#include "resolve/http.h"
#include "resolve/resolve.h"

const char *docker_socket_path(void)
{
        const char *h = getenv("DOCKER_HOST");

        if (h && strncmp(h, "unix://", 7) == 0 && h[7])
                return h + 7;
        return "/var/run/docker.sock";
}

/* Labels ({"KEY": "VALUE", ...}; null when there are none) of the last candidate. */
static int take_labels(json_object *labels, struct candidates *out)
{
        struct candidate *c = &out->v[out->n - 1];

        candidate_labels_known(c);
        if (!labels || !json_object_is_type(labels, json_type_object))
                return 0;
        json_object_object_foreach(labels, key, value) {
                int r;

                if (!json_object_is_type(value, json_type_string))
                        continue;
                r = candidate_add_label(c, key, json_object_get_string(value));
                if (r < 0)
                        return r;
        }
        return 0;
}

int docker_parse_inspect(const char *body, size_t len, const char *runtime, struct candidates *out)
{
        _cleanup_json_ json_object *root = json_parse(body, len);
        json_object *state, *pidv, *runv, *config, *labels = NULL;
        const char *id, *name;
        int64_t pid = 0;
        bool running = false;
        int r;

        if (!root || !json_object_is_type(root, json_type_object))
                return -EBADMSG;
        id = json_get_string(root, "Id");
        name = json_get_string(root, "Name");
        if (!id)
                return -EBADMSG;
        if (name && name[0] == '/')
                name++;
        if (json_object_object_get_ex(root, "State", &state) && json_object_is_type(state, json_type_object)) {
                if (json_object_object_get_ex(state, "Pid", &pidv) && json_object_is_type(pidv, json_type_int))
                        pid = json_object_get_int64(pidv);
                if (json_object_object_get_ex(state, "Running", &runv) && json_object_is_type(runv, json_type_boolean))
                        running = json_object_get_boolean(runv);
        }
        if (pid < 0 || pid > 0x7fffffff)
                return -EBADMSG;
        if (pid == 0)
                running = false;
        r = candidates_add(out, runtime, id, name, NULL, (pid_t)pid, running);
        if (r < 0)
                return r;
        /* What docker exec and podman exec take by default: Config's. */
        if (json_object_object_get_ex(root, "Config", &config) && json_object_is_type(config, json_type_object)) {
                r = candidate_set_workdir(&out->v[out->n - 1], json_get_string(config, "WorkingDir"));
                if (r < 0)
                        return r;
                json_object_object_get_ex(config, "Labels", &labels);
        }
        return take_labels(labels, out);
}

int docker_parse_list(const char *body, size_t len, const char *runtime, const char *prefix, struct candidates *out)
{
        _cleanup_json_ json_object *root = json_parse(body, len);
        size_t n;

        if (!root || !json_object_is_type(root, json_type_array))
                return -EBADMSG;
        n = json_object_array_length(root);
        for (size_t i = 0; i < n; i++) {
                json_object *c = json_object_array_get_idx(root, i), *names, *first;
                const char *id = json_get_string(c, "Id"), *state = json_get_string(c, "State"), *name = NULL;
                int r;

                json_object *pidv;
                int64_t pid = 0;

                if (!id || (prefix && strncmp(id, prefix, strlen(prefix)) != 0))
                        continue;
                /* Podman's listing has the PID; Docker's does not (inspect has it). */
                if (json_object_object_get_ex(c, "Pid", &pidv) && json_object_is_type(pidv, json_type_int))
                        pid = json_object_get_int64(pidv);
                if (pid < 0 || pid > 0x7fffffff)
                        pid = 0;
                if (json_object_object_get_ex(c, "Names", &names) && json_object_is_type(names, json_type_array) &&
                    json_object_array_length(names) > 0) {
                        first = json_object_array_get_idx(names, 0);
                        if (json_object_is_type(first, json_type_string)) {
                                name = json_object_get_string(first);
                                if (name[0] == '/')
                                        name++;
                        }
                }
                json_object *labels = NULL;

                r = candidates_add(out, runtime, id, name, NULL, (pid_t)pid, state && strcmp(state, "running") == 0);
                if (r < 0)
                        return r;
                json_object_object_get_ex(c, "Labels", &labels);
                r = take_labels(labels, out);
                if (r < 0)
                        return r;
        }
        return 0;
}

char *docker_parse_message(const char *body, size_t len)
{
        _cleanup_json_ json_object *root = json_parse(body, len);
        const char *m = json_get_string(root, "message");

        return m ? strdup(m) : NULL;
}

const char *podman_socket_path(void)
{
        const char *h = getenv("CONTAINER_HOST");

        if (h && strncmp(h, "unix://", 7) == 0 && h[7])
                return h + 7;
        return "/run/podman/podman.sock";
}

static int api_get(const char *sock, const char *path, int *status, char **body, size_t *len)
{
        return http_get_unix(sock, path, status, body, len);
}

/* Inspect by id, prefix or name: the API resolves all three. */
static int api_lookup(const char *runtime, const char *sock, const char *id, struct candidates *out)
{
        _cleanup_free_ char *body = NULL, *msg = NULL;
        char path[512];
        size_t len;
        int status, r;

        if (!resolve_id_is_valid(id))
                return 0;
        snprintf(path, sizeof(path), "/containers/%s/json", id);
        r = api_get(sock, path, &status, &body, &len);
        if (r < 0)
                return r;
        if (status == 200)
                return docker_parse_inspect(body, len, runtime, out);
        if (status == 404)
                return 0;

        /* An ambiguous prefix: 500 "Multiple IDs found with provided prefix"
         * (Podman: "more than one result"). The listing names every candidate. */
        msg = docker_parse_message(body, len);
        if (msg && (strstr(msg, "Multiple IDs") || strstr(msg, "more than one"))) {
                free(body);
                body = NULL;
                r = api_get(sock, "/containers/json?all=1", &status, &body, &len);
                if (r < 0)
                        return r;
                if (status != 200)
                        return -EPROTO;
                return docker_parse_list(body, len, runtime, id, out);
        }
        return -EPROTO;
}

static int api_list(const char *runtime, const char *sock, struct candidates *out)
{
        _cleanup_free_ char *body = NULL;
        struct candidates all = {};
        size_t len;
        int status, r;

        r = api_get(sock, "/containers/json?all=1", &status, &body, &len);
        if (r < 0)
                return r;
        if (status != 200)
                return -EPROTO;
        r = docker_parse_list(body, len, runtime, NULL, &all);
        /* Docker's listing has no PID, and neither has the working directory:
         * inspect the running ones. */
        for (size_t i = 0; r >= 0 && i < all.n; i++) {
                struct candidate *v;

                if (all.v[i].running) {
                        r = api_lookup(runtime, sock, all.v[i].id, out);
                        continue;
                }
                v = realloc(out->v, (out->n + 1) * sizeof(*v));
                if (!v) {
                        r = -ENOMEM;
                        break;
                }
                out->v = v;
                out->v[out->n++] = all.v[i];
                all.v[i] = (struct candidate){};
        }
        candidates_done(&all);
        return r;
}

int docker_lookup(const struct resolve_ctx *ctx, const char *id, struct candidates *out)
{
        if (!ctx->use_api)
                return 0;
        return api_lookup("docker", docker_socket_path(), id, out);
}

int docker_list(const struct resolve_ctx *ctx, struct candidates *out)
{
        if (!ctx->use_api)
                return 0;
        return api_list("docker", docker_socket_path(), out);
}

/* Podman: its API when its service runs, else its storage on disk (which needs
 * no daemon, as Podman itself needs none). */
int podman_lookup(const struct resolve_ctx *ctx, const char *id, struct candidates *out)
{
        if (ctx->use_api) {
                int r = api_lookup("podman", podman_socket_path(), id, out);

                if (r >= 0)
                        return r;
        }
        return storage_lookup(ctx, "podman", id, out);
}

int podman_list(const struct resolve_ctx *ctx, struct candidates *out)
{
        if (ctx->use_api) {
                int r = api_list("podman", podman_socket_path(), out);

                if (r >= 0)
                        return r;
        }
        return storage_lookup(ctx, "podman", NULL, out);
}
