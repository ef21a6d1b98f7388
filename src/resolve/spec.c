/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basic/fileio.h"
#include "basic/json.h"
#include "basic/log.h"
#include "basic/macro.h"
#include "resolve/http.h"
#include "resolve/spec.h"

#define SPEC_STATE_MAX (32u << 20)
/* containers/storage, relative to ctx->root_fd; and as the host names it. */
#define STORAGE_REL "var/lib/containers/storage"
#define STORAGE_DIR "/" STORAGE_REL
/* systemd-nspawn's machines (machinectl's, and -M NAME's default). */
#define NSPAWN_MACHINES_DIR "/var/lib/machines"

void container_spec_done(struct container_spec *s)
{
        for (size_t i = 0; i < s->n_layers; i++)
                free(s->layers[i]);
        free(s->layers);
        for (size_t i = 0; i < s->n_mounts; i++) {
                free(s->mounts[i].source);
                free(s->mounts[i].destination);
        }
        free(s->mounts);
        for (size_t i = 0; i < s->n_tmpfs; i++)
                free(s->tmpfs[i].destination);
        free(s->tmpfs);
        free(s->environ);
        free(s->user);
        free(s->workdir);
        free(s->hostname);
        *s = (struct container_spec){};
}

static int add_layer(struct container_spec *s, const char *dir, size_t len)
{
        char **v, *d;

        /* Only absolute paths: a relative one would be looked up in crashcart's cwd. */
        if (len == 0 || dir[0] != '/')
                return -EBADMSG;
        v = realloc(s->layers, (s->n_layers + 1) * sizeof(char *));
        if (!v)
                return -ENOMEM;
        s->layers = v;
        d = strndup(dir, len);
        if (!d)
                return -ENOMEM;
        s->layers[s->n_layers++] = d;
        return 0;
}

static int add_mount(struct container_spec *s, const char *source, const char *destination)
{
        struct spec_mount *v;

        if (!source || !destination || source[0] != '/' || destination[0] != '/')
                return 0; /* not a bind of a host path: nothing to show */
        v = realloc(s->mounts, (s->n_mounts + 1) * sizeof(*v));
        if (!v)
                return -ENOMEM;
        s->mounts = v;
        v[s->n_mounts] = (struct spec_mount){ .source = strdup(source), .destination = strdup(destination) };
        if (!v[s->n_mounts].source || !v[s->n_mounts].destination) {
                free(v[s->n_mounts].source);
                free(v[s->n_mounts].destination);
                return -ENOMEM;
        }
        s->n_mounts++;
        return 0;
}

/* A tmpfs's mount options, as they are read. */
struct tmpfs_options {
        uint64_t size;
        int mode;
        bool copy_up;
};
#define TMPFS_OPTIONS_INIT { .size = 0, .mode = -1 }

/* One of a tmpfs's mount options, len bytes of opt: size= (bytes, or with k, m or
 * g) and mode= (octal, at most 07777) are taken when they are sane, and
 * tmpcopyup; the rest (noexec, uid=, nr_inodes=, a size in % of memory) the
 * sandbox does not follow. */
static void tmpfs_option(const char *opt, size_t len, struct tmpfs_options *o)
{
        char buf[32], *end;
        unsigned long long v;

        if (len >= sizeof(buf))
                return;
        memcpy(buf, opt, len);
        buf[len] = 0;
        if (strncmp(buf, "size=", 5) == 0 && buf[5] >= '0' && buf[5] <= '9') {
                unsigned shift = 0;

                errno = 0;
                v = strtoull(buf + 5, &end, 10);
                if (*end && strchr("kK", *end))
                        shift = 10;
                else if (*end && strchr("mM", *end))
                        shift = 20;
                else if (*end && strchr("gG", *end))
                        shift = 30;
                if (errno == 0 && v > 0 && end[shift ? 1 : 0] == 0 && v <= (UINT64_MAX >> shift))
                        o->size = (uint64_t)v << shift;
        } else if (strncmp(buf, "mode=", 5) == 0 && buf[5] >= '0' && buf[5] <= '7') {
                errno = 0;
                v = strtoull(buf + 5, &end, 8);
                if (errno == 0 && *end == 0 && v <= 07777)
                        o->mode = (int)v;
        } else if (strcmp(buf, "tmpcopyup") == 0)
                o->copy_up = true;
}

/* A tmpfs at destination, empty. One beneath /dev, /proc or /sys is left out:
 * the runtimes make /dev and /dev/shm for every container, and the sandbox makes
 * those itself; so is one that the runtime filled with the image's files beneath
 * (tmpcopyup, Podman's default): those files are what the container saw there
 * when it started, and the sandbox shows them; and one at a destination already
 * listed (the first, with its options, stays). Any other is an empty tmpfs where
 * the container had one: Docker's --tmpfs and --mount type=tmpfs, a bundle's. */
static int add_tmpfs(struct container_spec *s, const char *destination, const struct tmpfs_options *o)
{
        struct spec_tmpfs *v;

        if (!destination || destination[0] != '/' || path_is_below(destination, "/dev") ||
            path_is_below(destination, "/proc") || path_is_below(destination, "/sys") || o->copy_up)
                return 0;
        for (size_t i = 0; i < s->n_tmpfs; i++)
                if (strcmp(s->tmpfs[i].destination, destination) == 0)
                        return 0;
        v = realloc(s->tmpfs, (s->n_tmpfs + 1) * sizeof(*v));
        if (!v)
                return -ENOMEM;
        s->tmpfs = v;
        v[s->n_tmpfs] = (struct spec_tmpfs){ .destination = strdup(destination), .size = o->size, .mode = o->mode };
        if (!v[s->n_tmpfs].destination)
                return -ENOMEM;
        s->n_tmpfs++;
        return 0;
}

static int set_string(char **dst, const char *src)
{
        if (!src || !*src)
                return 0;
        free(*dst);
        *dst = strdup(src);
        return *dst ? 0 : -ENOMEM;
}

/* An array of "KEY=VALUE" strings as environ text; entries that are not one (no
 * '=', an empty name, an embedded NUL) are left out. */
static int set_environ(struct container_spec *s, json_object *env)
{
        size_t n, total = 0;
        char *buf, *p;

        if (!env || !json_object_is_type(env, json_type_array))
                return 0;
        n = json_object_array_length(env);
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(env, i);

                if (json_object_is_type(e, json_type_string))
                        total += (size_t)json_object_get_string_len(e) + 1;
        }
        buf = malloc(total + 1);
        if (!buf)
                return -ENOMEM;
        p = buf;
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(env, i);
                const char *kv;
                size_t len;

                if (!json_object_is_type(e, json_type_string))
                        continue;
                kv = json_object_get_string(e);
                len = (size_t)json_object_get_string_len(e);
                if (strlen(kv) != len || kv[0] == '=' || !strchr(kv, '='))
                        continue;
                memcpy(p, kv, len + 1);
                p += len + 1;
        }
        *p = 0;
        free(s->environ);
        s->environ = buf;
        s->environ_len = (size_t)(p - buf);
        return 0;
}

static json_object *get_object(json_object *o, const char *key, json_type type)
{
        json_object *v;

        if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
                return NULL;
        return v;
}

/* An image configuration's Env, User and WorkingDir: Docker's Config, the OCI
 * image config's config (a missing one is an empty configuration). */
static int set_config(struct container_spec *s, json_object *cfg)
{
        int r;

        s->has_config = true;
        r = set_environ(s, get_object(cfg, "Env", json_type_array));
        if (r >= 0)
                r = set_string(&s->user, json_get_string(cfg, "User"));
        if (r >= 0)
                r = set_string(&s->workdir, json_get_string(cfg, "WorkingDir"));
        return r;
}

/* HostConfig.Tmpfs (docker run --tmpfs DEST:OPTIONS: destination to the options
 * string) and HostConfig.Mounts of Type "tmpfs" (--mount type=tmpfs: Target,
 * TmpfsOptions.SizeBytes and Mode, the mode's permission bits as a number). */
static int engine_tmpfs(struct container_spec *s, json_object *host_config)
{
        json_object *map = get_object(host_config, "Tmpfs", json_type_object);
        json_object *mounts = get_object(host_config, "Mounts", json_type_array);
        int r = 0;

        if (map) {
                json_object_object_foreach(map, dest, value)
                {
                        struct tmpfs_options o = TMPFS_OPTIONS_INIT;
                        const char *p = json_object_is_type(value, json_type_string) ? json_object_get_string(value)
                                                                                     : "";

                        while (*p) {
                                size_t n = strcspn(p, ",");

                                tmpfs_option(p, n, &o);
                                p += n;
                                p += *p == ',';
                        }
                        r = add_tmpfs(s, dest, &o);
                        if (r < 0)
                                return r;
                }
        }
        for (size_t i = 0; mounts && i < json_object_array_length(mounts); i++) {
                json_object *m = json_object_array_get_idx(mounts, i);
                json_object *o = get_object(m, "TmpfsOptions", json_type_object);
                const char *type = json_get_string(m, "Type");
                int64_t size = json_get_int(o, "SizeBytes"), mode = json_get_int(o, "Mode");
                struct tmpfs_options opts = {
                        .size = size > 0 ? (uint64_t)size : 0,
                        .mode = mode > 0 && mode <= 07777 ? (int)mode : -1,
                };

                if (!type || strcmp(type, "tmpfs") != 0)
                        continue;
                r = add_tmpfs(s, json_get_string(m, "Target"), &opts);
                if (r < 0)
                        return r;
        }
        return 0;
}

int spec_parse_engine_inspect(const char *body, size_t len, struct container_spec *ret)
{
        static const struct tmpfs_options no_options = TMPFS_OPTIONS_INIT;
        _cleanup_json_ json_object *root = json_parse(body, len);
        struct container_spec s = {};
        json_object *gd, *data, *mounts, *cfg, *state;
        const char *driver, *upper, *lower;
        int r;

        if (!root || !json_object_is_type(root, json_type_object))
                return -EBADMSG;
        gd = get_object(root, "GraphDriver", json_type_object);
        data = get_object(gd, "Data", json_type_object);
        driver = json_get_string(gd, "Name");
        if (!gd || !driver)
                return -EBADMSG;
        if (strcmp(driver, "overlay2") != 0 && strcmp(driver, "overlay") != 0)
                return -EOPNOTSUPP;
        upper = json_get_string(data, "UpperDir");
        lower = json_get_string(data, "LowerDir");
        if (!upper)
                return -EBADMSG;
        r = add_layer(&s, upper, strlen(upper));
        for (const char *p = lower; r >= 0 && p && *p;) {
                size_t n = strcspn(p, ":");

                r = add_layer(&s, p, n);
                p += n;
                if (*p == ':')
                        p++;
        }

        if (r >= 0)
                r = engine_tmpfs(&s, get_object(root, "HostConfig", json_type_object));
        mounts = get_object(root, "Mounts", json_type_array);
        for (size_t i = 0; r >= 0 && mounts && i < json_object_array_length(mounts); i++) {
                json_object *m = json_object_array_get_idx(mounts, i);
                const char *type = json_get_string(m, "Type");

                /* A tmpfs kept nothing: an empty one (HostConfig's, with its options,
                 * came first); a named pipe or cluster volume is no directory. */
                if (type && strcmp(type, "tmpfs") == 0)
                        r = add_tmpfs(&s, json_get_string(m, "Destination"), &no_options);
                else if (!type || strcmp(type, "bind") == 0 || strcmp(type, "volume") == 0)
                        r = add_mount(&s, json_get_string(m, "Source"), json_get_string(m, "Destination"));
        }
        /* The files the engine binds over the container's own. */
        if (r >= 0)
                r = add_mount(&s, json_get_string(root, "HostsPath"), "/etc/hosts");
        if (r >= 0)
                r = add_mount(&s, json_get_string(root, "ResolvConfPath"), "/etc/resolv.conf");
        if (r >= 0)
                r = add_mount(&s, json_get_string(root, "HostnamePath"), "/etc/hostname");

        cfg = get_object(root, "Config", json_type_object);
        if (r >= 0 && cfg) {
                r = set_config(&s, cfg);
                if (r >= 0)
                        r = set_string(&s.hostname, json_get_string(cfg, "Hostname"));
        }
        /* Its last run, when it had one: a time that does not parse is not known.
         * A process that ends at once may have ended before Docker noted its
         * start: the run is between the two, in either order. */
        state = get_object(root, "State", json_type_object);
        if (r >= 0 && state &&
            (spec_parse_time(json_get_string(state, "StartedAt"), &s.started_usec) < 0 ||
             spec_parse_time(json_get_string(state, "FinishedAt"), &s.finished_usec) < 0))
                s.started_usec = s.finished_usec = 0;
        if (s.finished_usec < s.started_usec) {
                uint64_t t = s.started_usec;

                s.started_usec = s.finished_usec;
                s.finished_usec = t;
        }
        if (r < 0) {
                container_spec_done(&s);
                return r;
        }
        *ret = s;
        return 0;
}

/* 2026-12-01T20:07:06.123456789Z, or with an offset (+01:00): as Docker and
 * Podman write their times. Go's zero time (year 1) is no time. */
int spec_parse_time(const char *text, uint64_t *ret)
{
        struct tm tm = {};
        const char *p;
        uint64_t frac = 0, scale = 1000000;
        long offset = 0;
        time_t t;

        if (!text)
                return -EINVAL;
        p = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);
        if (!p || tm.tm_year < 70)
                return -EINVAL;
        if (*p == '.') {
                p++;
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                for (; *p >= '0' && *p <= '9'; p++)
                        if (scale > 1) {
                                scale /= 10;
                                frac += (uint64_t)(*p - '0') * scale;
                        }
        }
        if (*p == 'Z')
                p++;
        else if ((*p == '+' || *p == '-') && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9' &&
                 p[3] == ':' && p[4] >= '0' && p[4] <= '9' && p[5] >= '0' && p[5] <= '9') {
                offset = ((p[1] - '0') * 10 + (p[2] - '0')) * 3600L + ((p[4] - '0') * 10 + (p[5] - '0')) * 60L;
                if (*p == '-')
                        offset = -offset;
                p += 6;
        } else
                return -EINVAL;
        if (*p)
                return -EINVAL;
        t = timegm(&tm);
        if (t == (time_t)-1 || t - offset < 0)
                return -EINVAL;
        *ret = (uint64_t)(t - offset) * 1000000 + frac;
        return 0;
}

static bool has_option(json_object *options, const char *want)
{
        for (size_t i = 0; options && i < json_object_array_length(options); i++) {
                json_object *o = json_object_array_get_idx(options, i);

                if (json_object_is_type(o, json_type_string) && strcmp(json_object_get_string(o), want) == 0)
                        return true;
        }
        return false;
}

static int oci_tmpfs(struct container_spec *s, const char *destination, json_object *options)
{
        struct tmpfs_options o = TMPFS_OPTIONS_INIT;

        for (size_t i = 0; options && i < json_object_array_length(options); i++) {
                json_object *e = json_object_array_get_idx(options, i);

                if (json_object_is_type(e, json_type_string))
                        tmpfs_option(json_object_get_string(e), (size_t)json_object_get_string_len(e), &o);
        }
        return add_tmpfs(s, destination, &o);
}

/* The OCI config's process and mounts; the root only when take_root. */
static int parse_oci(const char *body, size_t len, bool take_root, const char *bundle, const char *rootfs,
                     struct container_spec *s)
{
        _cleanup_json_ json_object *root = json_parse(body, len);
        json_object *process, *user, *mounts;
        int r = 0;

        if (!root || !json_object_is_type(root, json_type_object))
                return -EBADMSG;
        if (take_root) {
                _cleanup_free_ char *joined = NULL;
                const char *path = rootfs;

                if (!path || !*path) {
                        path = json_get_string(get_object(root, "root", json_type_object), "path");
                        if (!path || !*path)
                                return -EBADMSG;
                        if (path[0] != '/') {
                                if (!bundle || bundle[0] != '/')
                                        return -EBADMSG;
                                joined = path_join(bundle, path);
                                if (!joined)
                                        return -ENOMEM;
                                path = joined;
                        }
                }
                r = add_layer(s, path, strlen(path));
                if (r < 0)
                        return r;
        }
        process = get_object(root, "process", json_type_object);
        if (process) {
                s->has_config = true;
                r = set_environ(s, get_object(process, "env", json_type_array));
                if (r >= 0)
                        r = set_string(&s->workdir, json_get_string(process, "cwd"));
                user = get_object(process, "user", json_type_object);
                if (r >= 0 && user) {
                        int64_t uid = json_get_int(user, "uid"), gid = json_get_int(user, "gid");
                        char buf[48];

                        if (uid >= 0 && uid <= 0xffffffffLL) {
                                if (gid >= 0 && gid <= 0xffffffffLL)
                                        snprintf(buf, sizeof(buf), "%lld:%lld", (long long)uid, (long long)gid);
                                else
                                        snprintf(buf, sizeof(buf), "%lld", (long long)uid);
                                r = set_string(&s->user, buf);
                        }
                }
        }
        if (r >= 0)
                r = set_string(&s->hostname, json_get_string(root, "hostname"));
        mounts = get_object(root, "mounts", json_type_array);
        for (size_t i = 0; r >= 0 && mounts && i < json_object_array_length(mounts); i++) {
                json_object *m = json_object_array_get_idx(mounts, i);
                const char *type = json_get_string(m, "type");
                json_object *options = get_object(m, "options", json_type_array);

                if ((type && strcmp(type, "bind") == 0) || has_option(options, "bind") || has_option(options, "rbind"))
                        r = add_mount(s, json_get_string(m, "source"), json_get_string(m, "destination"));
                else if (type && strcmp(type, "tmpfs") == 0)
                        r = oci_tmpfs(s, json_get_string(m, "destination"), options);
        }
        return r;
}

int spec_parse_oci_config(const char *body, size_t len, const char *bundle, const char *rootfs,
                          struct container_spec *ret)
{
        struct container_spec s = {};
        int r;

        r = parse_oci(body, len, true, bundle, rootfs, &s);
        if (r < 0) {
                container_spec_done(&s);
                return r;
        }
        *ret = s;
        return 0;
}

static bool storage_id_is_valid(const char *id)
{
        size_t n = id ? strlen(id) : 0;

        if (n == 0 || n > 128)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
                        return false;
        return true;
}

int spec_parse_storage_layers(const char *body, size_t len, const char *storage_dir, const char *layer,
                              struct container_spec *ret)
{
        _cleanup_json_ json_object *all = json_parse(body, len);
        const char *cur = layer;
        size_t n;

        if (!all || !json_object_is_type(all, json_type_array))
                return -EBADMSG;
        n = json_object_array_length(all);
        /* At most one step a layer: a parent loop in the file ends here. */
        for (size_t steps = 0; cur && *cur; steps++) {
                const char *next = NULL;
                bool found = false;
                char path[4096];
                int r;

                if (steps > n || !storage_id_is_valid(cur))
                        return -EBADMSG;
                for (size_t i = 0; i < n && !found; i++) {
                        json_object *e = json_object_array_get_idx(all, i);
                        const char *id = json_get_string(e, "id");

                        if (id && strcmp(id, cur) == 0) {
                                found = true;
                                next = json_get_string(e, "parent");
                        }
                }
                if (!found)
                        return -ENOENT;
                snprintf(path, sizeof(path), "%s/overlay/%s/diff", storage_dir, cur);
                r = add_layer(ret, path, strlen(path));
                if (r < 0)
                        return r;
                cur = next;
        }
        return ret->n_layers > 0 ? 0 : -EBADMSG;
}

int spec_parse_image_config(const char *body, size_t len, struct container_spec *ret)
{
        _cleanup_json_ json_object *root = json_parse(body, len);

        if (!root || !json_object_is_type(root, json_type_object))
                return -EBADMSG;
        return set_config(ret, get_object(root, "config", json_type_object));
}

int spec_storage_big_data_name(const char *key, char *buf, size_t size)
{
        static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        size_t n = strlen(key), plain = strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789."), out = 0;

        if (n == 0)
                return -EINVAL;
        if (plain == n) {
                if (n >= size)
                        return -ENAMETOOLONG;
                memcpy(buf, key, n + 1);
                return strcmp(key, ".") == 0 || strcmp(key, "..") == 0 ? -EINVAL : 0;
        }
        if (1 + (n + 2) / 3 * 4 >= size)
                return -ENAMETOOLONG;
        buf[out++] = '=';
        for (size_t i = 0; i < n; i += 3) {
                unsigned v = (unsigned)(unsigned char)key[i] << 16;

                if (i + 1 < n)
                        v |= (unsigned)(unsigned char)key[i + 1] << 8;
                if (i + 2 < n)
                        v |= (unsigned char)key[i + 2];
                buf[out++] = alphabet[v >> 18 & 63];
                buf[out++] = alphabet[v >> 12 & 63];
                buf[out++] = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
                buf[out++] = i + 2 < n ? alphabet[v & 63] : '=';
        }
        buf[out] = 0;
        /* containers/storage could not have written a name with a '/' either. */
        return strchr(buf, '/') ? -EINVAL : 0;
}

bool spec_image_ref_is_valid(const char *s)
{
        /* A repository, tag and digest: its id's characters and / : @, no "..". */
        return !strstr(s, "..") && resolve_name_is_valid(s, 255, "/:@");
}

/* ---- the engines' APIs ---- */

/* GET path from the API at sock: -ENOENT for a 404. */
static int engine_inspect(const char *sock, const char *path, struct container_spec *ret)
{
        _cleanup_free_ char *body = NULL;
        size_t len;
        int status, r;

        r = http_get_unix(sock, path, &status, &body, &len);
        if (r < 0)
                return r == -ENOENT ? -ECONNREFUSED : r;
        if (status == 404)
                return -ENOENT;
        if (status != 200)
                return -EPROTO;
        return spec_parse_engine_inspect(body, len, ret);
}

int docker_spec(const struct resolve_ctx *ctx, const struct candidate *c, struct container_spec *ret)
{
        char path[512];

        if (!ctx->use_api || !resolve_id_is_valid(c->id))
                return -EOPNOTSUPP;
        snprintf(path, sizeof(path), "/containers/%s/json", c->id);
        return engine_inspect(docker_socket_path(), path, ret);
}

/* ---- containers/storage, without Podman's service ---- */

static int storage_chain(const struct resolve_ctx *ctx, const char *layer, struct container_spec *s)
{
        _cleanup_free_ char *body = NULL;
        size_t len;
        int r;

        if (!resolve_state_is_trusted(ctx, ctx->root_fd, STORAGE_REL))
                return -EPERM;
        r = read_full_fileat(ctx->root_fd, STORAGE_REL "/overlay-layers/layers.json", SPEC_STATE_MAX, &body,
                             &len);
        if (r < 0)
                return r;
        return spec_parse_storage_layers(body, len, STORAGE_DIR, layer, s);
}

/* The container's entry of containers.json: its layer. */
static int storage_container_layer(const struct resolve_ctx *ctx, const char *id, char **ret)
{
        _cleanup_json_ json_object *all = NULL;

        all = json_read_at(ctx->root_fd, STORAGE_REL "/overlay-containers/containers.json", SPEC_STATE_MAX);
        if (!all)
                return -EBADMSG;
        for (size_t i = 0; json_object_is_type(all, json_type_array) && i < json_object_array_length(all); i++) {
                json_object *e = json_object_array_get_idx(all, i);
                const char *cid = json_get_string(e, "id"), *layer = json_get_string(e, "layer");

                if (cid && strcmp(cid, id) == 0) {
                        if (!layer)
                                return -EBADMSG;
                        *ret = strdup(layer);
                        return *ret ? 0 : -ENOMEM;
                }
        }
        return -ENOENT;
}

static int podman_storage_spec(const struct resolve_ctx *ctx, const char *id, struct container_spec *ret)
{
        _cleanup_free_ char *layer = NULL, *cfg = NULL;
        struct container_spec s = {};
        char path[512];
        size_t len;
        int r;

        if (!resolve_id_is_valid(id))
                return -EINVAL;
        r = storage_container_layer(ctx, id, &layer);
        if (r >= 0)
                r = storage_chain(ctx, layer, &s);
        /* The OCI config Podman wrote when it first started the container (its
         * root.path is Podman's own mount, not used); one never started has
         * none: the layers alone. */
        snprintf(path, sizeof(path), STORAGE_DIR "/overlay-containers/%s/userdata/config.json", id);
        if (r >= 0 && resolve_state_is_trusted(ctx, ctx->root_fd, path + 1) &&
            read_full_fileat(ctx->root_fd, path + 1, SPEC_STATE_MAX, &cfg, &len) >= 0)
                r = parse_oci(cfg, len, false, NULL, NULL, &s);
        if (r < 0) {
                container_spec_done(&s);
                return r;
        }
        *ret = s;
        return 0;
}

int podman_spec(const struct resolve_ctx *ctx, const struct candidate *c, struct container_spec *ret)
{
        if (ctx->use_api && resolve_id_is_valid(c->id)) {
                char path[512];
                int r;

                snprintf(path, sizeof(path), "/containers/%s/json", c->id);
                r = engine_inspect(podman_socket_path(), path, ret);
                if (r != -ECONNREFUSED)
                        return r;
        }
        return podman_storage_spec(ctx, c->id, ret);
}

/* ---- runc and crun: the state directory, then the bundle's config.json ---- */

static int read_trusted(const struct resolve_ctx *ctx, const char *path, char **ret, size_t *ret_len)
{
        while (*path == '/')
                path++;
        if (!resolve_state_is_trusted(ctx, ctx->root_fd, path))
                return faccessat(ctx->root_fd, path, F_OK, AT_SYMLINK_NOFOLLOW) < 0 ? -ENOENT : -EPERM;
        return read_full_fileat(ctx->root_fd, path, SPEC_STATE_MAX, ret, ret_len);
}

static int oci_spec(const struct resolve_ctx *ctx, const char *state_path, const char *bundle, const char *rootfs,
                    const char *state_config, struct container_spec *ret)
{
        _cleanup_free_ char *cfg = NULL, *bundle_cfg = NULL;
        size_t len;
        int r;

        (void)state_path;
        if (!bundle || bundle[0] != '/')
                return -EBADMSG;
        /* crun keeps its own copy of the config beside the state: it wins. */
        r = state_config ? read_trusted(ctx, state_config, &cfg, &len) : -ENOENT;
        if (r == -ENOENT) {
                bundle_cfg = path_join(bundle, "config.json");
                if (!bundle_cfg)
                        return -ENOMEM;
                r = read_trusted(ctx, bundle_cfg, &cfg, &len);
        }
        if (r < 0)
                return r;
        return spec_parse_oci_config(cfg, len, bundle, rootfs, ret);
}

int runc_spec(const struct resolve_ctx *ctx, const struct candidate *c, struct container_spec *ret)
{
        _cleanup_json_ json_object *st = NULL;
        _cleanup_free_ char *text = NULL;
        json_object *config, *labels;
        const char *bundle = NULL;
        char path[512];
        size_t len;
        int r;

        if (!resolve_id_is_valid(c->id))
                return -EINVAL;
        snprintf(path, sizeof(path), "%s/%s/state.json", c->ns ? c->ns : "/run/runc", c->id);
        r = read_trusted(ctx, path, &text, &len);
        if (r < 0)
                return r;
        st = json_parse(text, len);
        config = get_object(st, "config", json_type_object);
        labels = get_object(config, "labels", json_type_array);
        for (size_t i = 0; labels && i < json_object_array_length(labels); i++) {
                json_object *l = json_object_array_get_idx(labels, i);

                if (json_object_is_type(l, json_type_string) &&
                    strncmp(json_object_get_string(l), "bundle=", 7) == 0)
                        bundle = json_object_get_string(l) + 7;
        }
        if (!config)
                return -EBADMSG;
        return oci_spec(ctx, path, bundle, json_get_string(config, "rootfs"), NULL, ret);
}

int crun_spec(const struct resolve_ctx *ctx, const struct candidate *c, struct container_spec *ret)
{
        _cleanup_json_ json_object *st = NULL;
        _cleanup_free_ char *text = NULL;
        char path[512], cfg[512];
        size_t len;
        int r;

        if (!resolve_id_is_valid(c->id))
                return -EINVAL;
        snprintf(path, sizeof(path), "%s/%s/status", c->ns ? c->ns : "/run/crun", c->id);
        snprintf(cfg, sizeof(cfg), "%s/%s/config.json", c->ns ? c->ns : "/run/crun", c->id);
        r = read_trusted(ctx, path, &text, &len);
        if (r < 0)
                return r;
        st = json_parse(text, len);
        if (!st)
                return -EBADMSG;
        return oci_spec(ctx, path, json_get_string(st, "bundle"), json_get_string(st, "rootfs"), cfg, ret);
}

int container_spec_get(const struct resolve_ctx *ctx, const struct candidate *c, struct container_spec *ret)
{
        const struct runtime *rt = runtime_get(c->runtime);

        if (!rt || !rt->spec)
                return -EOPNOTSUPP;
        return rt->spec(ctx, c, ret);
}

/* ---- images ---- */

/* Whether name is a digest, "sha256:" and 64 lowercase hex digits: the key
 * of an image's config among its big-data items (its manifests' keys start with
 * "manifest"). */
static bool storage_name_is_digest(const char *name)
{
        return name && strncmp(name, "sha256:", 7) == 0 && strlen(name) == 7 + 64 &&
               strspn(name + 7, "0123456789abcdef") == 64;
}

/* The image's configuration, from its config blob in the image's directory:
 * the big-data item whose key is the config's digest, which is "sha256:" and the
 * image's id for every image containers/image stored (else the first digest among
 * its names). An image without one keeps its layers alone. */
static int storage_image_config(const struct resolve_ctx *ctx, json_object *image, struct container_spec *s)
{
        json_object *names = get_object(image, "big-data-names", json_type_array);
        const char *id = json_get_string(image, "id"), *key = NULL;
        _cleanup_free_ char *text = NULL;
        char name[128], path[512];
        size_t len;
        int r;

        if (!storage_id_is_valid(id))
                return -EBADMSG;
        for (size_t i = 0; names && i < json_object_array_length(names); i++) {
                const char *n = json_object_get_string(json_object_array_get_idx(names, i));

                if (!storage_name_is_digest(n))
                        continue;
                if (!key || strcmp(n + 7, id) == 0)
                        key = n;
        }
        if (!key)
                return 0;
        r = spec_storage_big_data_name(key, name, sizeof(name));
        if (r < 0)
                return r;
        snprintf(path, sizeof(path), STORAGE_REL "/overlay-images/%s/%s", id, name);
        r = read_trusted(ctx, path, &text, &len);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        return spec_parse_image_config(text, len, s);
}

/* Podman's image store without its service: images.json names the image, its
 * top layer and its big-data items. */
static int podman_storage_image(const struct resolve_ctx *ctx, const char *ref, struct container_spec *ret)
{
        _cleanup_json_ json_object *all = NULL;
        struct container_spec s = {};
        json_object *image = NULL;
        char latest[300];
        int r;

        all = json_read_at(ctx->root_fd, STORAGE_REL "/overlay-images/images.json", SPEC_STATE_MAX);
        if (!all)
                return -ECONNREFUSED;
        snprintf(latest, sizeof(latest), "%s%s", ref, strchr(ref, ':') ? "" : ":latest");
        for (size_t i = 0; !image && json_object_is_type(all, json_type_array) && i < json_object_array_length(all);
             i++) {
                json_object *e = json_object_array_get_idx(all, i), *names;
                const char *id = json_get_string(e, "id");

                if (!json_get_string(e, "layer"))
                        continue;
                if (id && strlen(ref) >= 12 && resolve_match(id, ref))
                        image = e;
                names = get_object(e, "names", json_type_array);
                for (size_t j = 0; !image && names && j < json_object_array_length(names); j++) {
                        const char *n = json_object_get_string(json_object_array_get_idx(names, j));
                        const char *bare = n && strncmp(n, "localhost/", 10) == 0 ? n + 10 : n;

                        if (n && (strcmp(n, latest) == 0 || strcmp(bare, latest) == 0))
                                image = e;
                }
        }
        if (!image)
                return -ENOENT;
        r = storage_chain(ctx, json_get_string(image, "layer"), &s);
        if (r >= 0)
                r = storage_image_config(ctx, image, &s);
        if (r < 0) {
                container_spec_done(&s);
                return r;
        }
        *ret = s;
        return 0;
}

static int one_image(const struct resolve_ctx *ctx, const char *runtime, const char *ref,
                     struct container_spec *ret)
{
        char path[512];
        int r;

        snprintf(path, sizeof(path), "/images/%s/json", ref);
        if (strcmp(runtime, "docker") == 0)
                return ctx->use_api ? engine_inspect(docker_socket_path(), path, ret) : -ECONNREFUSED;
        r = ctx->use_api ? engine_inspect(podman_socket_path(), path, ret) : -ECONNREFUSED;
        if (r == -ECONNREFUSED)
                r = podman_storage_image(ctx, ref, ret);
        return r;
}

int image_spec_get(const struct resolve_ctx *ctx, const char *ref, const char *runtime, const char **ret_runtime,
                   struct container_spec *ret)
{
        static const char *const engines[] = { "docker", "podman" };
        struct container_spec found = {};
        const char *who = NULL;
        int r, last = -ENOENT;

        if (!spec_image_ref_is_valid(ref))
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(engines); i++) {
                struct container_spec s = {};

                if (runtime && strcmp(runtime, engines[i]) != 0)
                        continue;
                r = one_image(ctx, engines[i], ref, &s);
                if (r == -ENOENT || r == -ECONNREFUSED)
                        continue;
                if (r < 0) {
                        last = r;
                        continue;
                }
                if (who) {
                        container_spec_done(&s);
                        container_spec_done(&found);
                        return -ENOTUNIQ;
                }
                who = engines[i];
                found = s;
        }
        if (!who)
                return last;
        *ret_runtime = who;
        *ret = found;
        return 0;
}

/* ---- LXC and systemd-nspawn: their configuration files ---- */

/* Appends "KEY=VALUE" to the environ text (last one of a name wins when the
 * command's environment is made). */
static int add_environ(struct container_spec *s, const char *kv, size_t len)
{
        char *v;

        if (len == 0 || kv[0] == '=' || !memchr(kv, '=', len) || memchr(kv, 0, len))
                return 0;
        v = realloc(s->environ, s->environ_len + len + 2);
        if (!v)
                return -ENOMEM;
        memcpy(v + s->environ_len, kv, len);
        s->environ_len += len + 1;
        v[s->environ_len - 1] = 0;
        v[s->environ_len] = 0;
        s->environ = v;
        return 0;
}

/* Splits "key = value" lines: leading and trailing blanks go, # comments too. */
static bool split_line(char *line, char sep, char **ret_key, char **ret_value)
{
        char *eq, *k = line, *v, *end;

        while (isspace((unsigned char)*k))
                k++;
        if (!*k || *k == '#' || *k == ';')
                return false;
        eq = strchr(k, sep);
        if (!eq)
                return false;
        for (end = eq; end > k && isspace((unsigned char)end[-1]); end--)
                ;
        *end = 0;
        v = eq + 1;
        while (isspace((unsigned char)*v))
                v++;
        for (end = v + strlen(v); end > v && isspace((unsigned char)end[-1]); end--)
                ;
        *end = 0;
        *ret_key = k;
        *ret_value = v;
        return true;
}

static int lxc_mount_entry(struct container_spec *s, char *entry)
{
        char *save = NULL, *src = strtok_r(entry, " \t", &save), *dst = strtok_r(NULL, " \t", &save);
        char *type = strtok_r(NULL, " \t", &save), *opts = strtok_r(NULL, " \t", &save);
        _cleanup_free_ char *dest = NULL;
        bool bind = false;

        if (!src || !dst || !type || !opts)
                return 0;
        for (char *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save))
                bind |= strcmp(o, "bind") == 0 || strcmp(o, "rbind") == 0;
        if (!bind)
                return 0; /* proc, tmpfs and the like: nothing the container kept */
        /* The destination is relative to the rootfs (absolute ones are too). */
        if (asprintf(&dest, "/%s", dst + strspn(dst, "/")) < 0)
                return -ENOMEM;
        return add_mount(s, src, dest);
}

int spec_parse_lxc_config(const char *body, size_t len, struct container_spec *ret)
{
        _cleanup_free_ char *text = strndup(body, len);
        _cleanup_free_ char *uid = NULL, *gid = NULL;
        struct container_spec s = {};
        char *save = NULL;
        int r = 0;

        if (!text)
                return -ENOMEM;
        for (char *line = strtok_r(text, "\n", &save); line && r >= 0; line = strtok_r(NULL, "\n", &save)) {
                char *k, *v;

                if (!split_line(line, '=', &k, &v))
                        continue;
                /* LXC takes a value in matching quotes without them (templates write
                 * lxc.uts.name = "NAME"). */
                if ((v[0] == '"' || v[0] == '\'') && strlen(v) >= 2 && v[strlen(v) - 1] == v[0]) {
                        v[strlen(v) - 1] = 0;
                        v++;
                }
                if (strcmp(k, "lxc.rootfs.path") == 0 || strcmp(k, "lxc.rootfs") == 0) {
                        if (strncmp(v, "dir:", 4) == 0)
                                v += 4;
                        if (v[0] != '/') {
                                r = -EOPNOTSUPP; /* overlay:, btrfs:, lvm:, a block device's backend */
                                break;
                        }
                        for (size_t i = 0; i < s.n_layers; i++)
                                free(s.layers[i]);
                        s.n_layers = 0;
                        r = add_layer(&s, v, strlen(v));
                } else if (strcmp(k, "lxc.mount.entry") == 0)
                        r = lxc_mount_entry(&s, v);
                else if (strcmp(k, "lxc.environment") == 0)
                        r = add_environ(&s, v, strlen(v));
                else if (strcmp(k, "lxc.uts.name") == 0)
                        r = set_string(&s.hostname, v);
                else if (strcmp(k, "lxc.init.cwd") == 0)
                        r = set_string(&s.workdir, v);
                else if (strcmp(k, "lxc.init.uid") == 0)
                        r = set_string(&uid, v);
                else if (strcmp(k, "lxc.init.gid") == 0)
                        r = set_string(&gid, v);
        }
        if (r >= 0 && s.n_layers == 0)
                r = -EBADMSG;
        if (r >= 0 && (uid || gid)) {
                char buf[128];

                snprintf(buf, sizeof(buf), "%.40s%s%.40s", uid ? uid : "0", gid ? ":" : "", gid ? gid : "");
                r = set_string(&s.user, buf);
        }
        if (r < 0) {
                container_spec_done(&s);
                return r;
        }
        s.has_config = true;
        *ret = s;
        return 0;
}

/* Bind=SOURCE[:DEST[:OPTIONS]]; a source with a leading '-' may be missing;
 * '+' makes it relative to the machine's root (not a host path: left out). */
static int nspawn_bind(struct container_spec *s, char *v)
{
        char *src = v, *dst, *colon;

        if (*src == '-')
                src++;
        if (*src != '/')
                return 0;
        colon = strchr(src, ':');
        if (colon)
                *colon = 0;
        dst = colon ? colon + 1 : src;
        colon = strchr(dst, ':');
        if (colon)
                *colon = 0;
        return add_mount(s, src, *dst ? dst : src);
}

int spec_parse_nspawn_settings(const char *body, size_t len, struct container_spec *ret)
{
        _cleanup_free_ char *text = strndup(body, len);
        char *save = NULL, section[32] = "";
        int r = 0;

        if (!text)
                return -ENOMEM;
        for (char *line = strtok_r(text, "\n", &save); line && r >= 0; line = strtok_r(NULL, "\n", &save)) {
                char *k, *v;

                line += strspn(line, " \t");
                if (line[0] == '[') {
                        snprintf(section, sizeof(section), "%.*s", (int)strcspn(line + 1, "]"), line + 1);
                        continue;
                }
                if (!split_line(line, '=', &k, &v))
                        continue;
                if (strcmp(section, "Exec") == 0) {
                        if (strcmp(k, "Environment") == 0)
                                r = add_environ(ret, v, strlen(v));
                        else if (strcmp(k, "User") == 0)
                                r = set_string(&ret->user, v);
                        else if (strcmp(k, "WorkingDirectory") == 0)
                                r = set_string(&ret->workdir, v);
                        else if (strcmp(k, "Hostname") == 0)
                                r = set_string(&ret->hostname, v);
                } else if (strcmp(section, "Files") == 0 && (strcmp(k, "Bind") == 0 || strcmp(k, "BindReadOnly") == 0))
                        r = nspawn_bind(ret, v);
        }
        if (r >= 0)
                ret->has_config = true;
        return r;
}

int lxc_spec(const struct resolve_ctx *ctx, const struct candidate *c, struct container_spec *ret)
{
        _cleanup_free_ char *text = NULL;
        char path[600];
        size_t len;
        int r;

        if (!resolve_id_is_valid(c->id) || !c->ns || c->ns[0] != '/')
                return -EINVAL;
        snprintf(path, sizeof(path), "%s/%s/config", c->ns, c->id);
        r = read_trusted(ctx, path, &text, &len);
        if (r < 0)
                return r;
        return spec_parse_lxc_config(text, len, ret);
}

/* A machine's directory (not a raw image) under /var/lib/machines; its
 * settings from the first .nspawn file of systemd's order that is root's. */
int nspawn_spec(const struct resolve_ctx *ctx, const struct candidate *c, struct container_spec *ret)
{
        static const char *const dirs[] = { "/etc/systemd/nspawn", "/run/systemd/nspawn", NSPAWN_MACHINES_DIR };
        struct container_spec s = {};
        char path[600];
        int r;

        if (!resolve_id_is_valid(c->id))
                return -EINVAL;
        snprintf(path, sizeof(path), NSPAWN_MACHINES_DIR "/%s", c->id);
        if (!resolve_state_is_trusted(ctx, ctx->root_fd, path + 1))
                return faccessat(ctx->root_fd, path + 1, F_OK, AT_SYMLINK_NOFOLLOW) < 0 ? -ENOENT : -EPERM;
        r = add_layer(&s, path, strlen(path));
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(dirs); i++) {
                _cleanup_free_ char *text = NULL;
                size_t len;

                snprintf(path, sizeof(path), "%s/%s.nspawn", dirs[i], c->id);
                if (read_trusted(ctx, path, &text, &len) < 0)
                        continue;
                r = spec_parse_nspawn_settings(text, len, &s);
                break;
        }
        if (r < 0) {
                container_spec_done(&s);
                return r;
        }
        *ret = s;
        return 0;
}
