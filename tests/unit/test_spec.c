/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a stopped container or an image is on disk: the parsers of resolve/spec.c
 * on documents recorded from Docker 20.10, runc 1.1 and Podman 4.3, and Podman's
 * image store in the fixture tree (tests/fixtures/host). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/macro.h"
#include "harness.h"
#include "resolve/spec.h"

/* The n-th variable of the environ text, or NULL. */
static const char *env_at(const struct container_spec *s, size_t n)
{
        const char *p = s->environ;

        for (size_t i = 0; p && p < s->environ + s->environ_len; p += strlen(p) + 1, i++)
                if (i == n)
                        return p;
        return NULL;
}

/* Whether the n-th tmpfs is at destination, with that size and mode. */
static bool tmpfs_is(const struct container_spec *s, size_t n, const char *destination, uint64_t size, int mode)
{
        return n < s->n_tmpfs && strcmp(s->tmpfs[n].destination, destination) == 0 && s->tmpfs[n].size == size &&
               s->tmpfs[n].mode == mode;
}

TEST(spec_docker_container)
{
        struct container_spec s = {};
        size_t len;
        char *body = fixture("docker-inspect-exited.json", &len);

        CHECK(spec_parse_engine_inspect(body, len, &s) == 0);
        /* The container's writable layer first, then init's, then the image's. */
        CHECK(s.n_layers == 3);
        CHECK(s.n_layers == 3 && strstr(s.layers[0], "/diff") && !strstr(s.layers[0], "-init"));
        CHECK(s.n_layers == 3 && strstr(s.layers[1], "-init/diff"));
        /* The volume, then hosts, resolv.conf and hostname. */
        CHECK(s.n_mounts == 4);
        CHECK_STR(s.n_mounts ? s.mounts[0].source : NULL, "/var/lib/docker/volumes/i15vol/_data");
        CHECK_STR(s.n_mounts ? s.mounts[0].destination : NULL, "/data");
        CHECK_STR(s.n_mounts == 4 ? s.mounts[3].destination : NULL, "/etc/hostname");
        CHECK(s.has_config);
        CHECK_STR(env_at(&s, 0), "FOO=bar");
        CHECK(env_at(&s, 1) == NULL);
        CHECK_STR(s.workdir, "/tmp");
        CHECK(s.user == NULL); /* "" is root */
        CHECK_STR(s.hostname, "9387353e98bc");
        /* Its last run: 2026-12-01T17:02:28.640194969Z to 17:02:28.64703551Z. */
        CHECK(s.started_usec == 1796144548640194ULL);
        CHECK(s.finished_usec == 1796144548647035ULL);
        container_spec_done(&s);
        free(body);
}

TEST(spec_times_as_engines_write_them)
{
        uint64_t t = 0;

        CHECK(spec_parse_time("1970-01-01T00:00:01Z", &t) == 0 && t == 1000000);
        CHECK(spec_parse_time("2026-12-01T17:02:28.64703551Z", &t) == 0 && t == 1796144548647035ULL);
        /* An offset, as Podman writes local times; digits past the microsecond dropped. */
        CHECK(spec_parse_time("2026-12-01T18:02:28.123456789+01:00", &t) == 0 && t == 1796144548123456ULL);
        CHECK(spec_parse_time("2026-12-01T16:02:28-01:00", &t) == 0 && t == 1796144548000000ULL);
        /* Go's zero time, nothing, and what is not such a time. */
        CHECK(spec_parse_time("0001-01-01T00:00:00Z", &t) == -EINVAL);
        CHECK(spec_parse_time(NULL, &t) == -EINVAL);
        CHECK(spec_parse_time("", &t) == -EINVAL);
        CHECK(spec_parse_time("2026-12-01T17:02:28", &t) == -EINVAL);
        CHECK(spec_parse_time("2026-12-01T17:02:28.Z", &t) == -EINVAL);
        CHECK(spec_parse_time("2026-12-01T17:02:28Z junk", &t) == -EINVAL);
        CHECK(spec_parse_time("2026-12-01T17:02:28+1:00", &t) == -EINVAL);
}

TEST(spec_docker_image)
{
        struct container_spec s = {};
        size_t len;
        char *body = fixture("docker-image-inspect.json", &len);

        /* An image of one layer: UpperDir alone, no LowerDir; no configuration of note. */
        CHECK(spec_parse_engine_inspect(body, len, &s) == 0);
        CHECK(s.n_layers == 1);
        CHECK(s.n_mounts == 0);
        CHECK(s.environ_len == 0);
        container_spec_done(&s);
        free(body);
}

TEST(spec_engine_bad)
{
        struct container_spec s = {};
        const char *aufs = "{\"GraphDriver\":{\"Name\":\"aufs\",\"Data\":{\"UpperDir\":\"/x\"}}}";
        const char *relative = "{\"GraphDriver\":{\"Name\":\"overlay2\",\"Data\":{\"UpperDir\":\"x/diff\"}}}";
        const char *empty_lower = "{\"GraphDriver\":{\"Name\":\"overlay2\",\"Data\":{\"UpperDir\":\"/u\","
                                  "\"LowerDir\":\"/a::/b\"}},\"Config\":{\"Env\":[\"A=1\",5,\"B\"]}}";

        CHECK(spec_parse_engine_inspect(aufs, strlen(aufs), &s) == -EOPNOTSUPP);
        CHECK(spec_parse_engine_inspect(relative, strlen(relative), &s) == -EBADMSG);
        CHECK(spec_parse_engine_inspect("[]", 2, &s) == -EBADMSG);
        CHECK(spec_parse_engine_inspect("{", 1, &s) == -EBADMSG);
        CHECK(spec_parse_engine_inspect("{}", 2, &s) == -EBADMSG);
        /* An empty layer between two colons is no layer: refused, never the cwd. */
        CHECK(spec_parse_engine_inspect(empty_lower, strlen(empty_lower), &s) == -EBADMSG);
}

/* docker run --tmpfs /run:size=1m,mode=1777 --tmpfs /cache --tmpfs /dev/cc:size=64k
 * --mount type=tmpfs,dst=/srv/cache,tmpfs-size=2m,tmpfs-mode=0700 -v
 * /etc/os-release:/host-os:ro, created, on Docker 20.10. */
TEST(spec_docker_tmpfs)
{
        struct container_spec s = {};
        size_t len;
        char *body = fixture("docker-inspect-tmpfs.json", &len);

        CHECK(spec_parse_engine_inspect(body, len, &s) == 0);
        /* HostConfig.Tmpfs in its order, /dev's left out; then HostConfig.Mounts',
         * whose entry in Mounts is the same one again. */
        CHECK(s.n_tmpfs == 3);
        CHECK(tmpfs_is(&s, 0, "/cache", 0, -1));
        CHECK(tmpfs_is(&s, 1, "/run", 1 << 20, 01777));
        CHECK(tmpfs_is(&s, 2, "/srv/cache", 2 << 20, 0700));
        /* The bind alone is a mount. */
        CHECK(s.n_mounts == 1);
        CHECK_STR(s.n_mounts ? s.mounts[0].destination : NULL, "/host-os");
        container_spec_done(&s);
        free(body);
}

/* Options that are not sane are not taken; a tmpfs the runtime filled from the
 * image, or one that is the sandbox's to make, is no tmpfs of the container's. */
TEST(spec_tmpfs_options)
{
        static const char doc[] =
                "{\"GraphDriver\":{\"Name\":\"overlay2\",\"Data\":{\"UpperDir\":\"/u\"}},\"HostConfig\":{\"Tmpfs\":{"
                "\"/a\":\"size=10%,mode=8\",\"/b\":\"size=1x,mode=17777\",\"/c\":\"size=99999999999999999999g,mode=\","
                "\"/d\":\"rw,noexec,size=64K,mode=0755,uid=1000\",\"/e\":\"tmpcopyup,size=1m\",\"e\":\"\",\"/proc/x\":\"\","
                "\"//dev/x\":\"\",\"/sys\":\"\",\"/f\":5,\"/g\":\"size=1g,size=2k\"},"
                "\"Mounts\":[{\"Type\":\"tmpfs\",\"Target\":\"/h\",\"TmpfsOptions\":{\"Mode\":70000,\"SizeBytes\":-1}},"
                "{\"Type\":\"tmpfs\"},{\"Type\":\"volume\",\"Target\":\"/v\"},{\"Type\":\"tmpfs\",\"Target\":\"/a\"}]}}";
        static const struct {
                const char *destination;
                uint64_t size;
                int mode;
        } want[] = {
                { "/a", 0, -1 }, { "/b", 0, -1 }, { "/c", 0, -1 }, { "/d", 64 << 10, 0755 },
                { "/f", 0, -1 }, { "/g", 2 << 10, -1 }, { "/h", 0, -1 },
        };
        struct container_spec s = {};

        CHECK(spec_parse_engine_inspect(doc, sizeof(doc) - 1, &s) == 0);
        CHECK(s.n_tmpfs == ELEMENTSOF(want));
        for (size_t i = 0; i < ELEMENTSOF(want); i++)
                CHECK(tmpfs_is(&s, i, want[i].destination, want[i].size, want[i].mode));
        container_spec_done(&s);
}

TEST(spec_environ_filter)
{
        struct container_spec s = {};
        const char *doc = "{\"GraphDriver\":{\"Name\":\"overlay2\",\"Data\":{\"UpperDir\":\"/u\"}},"
                          "\"Config\":{\"Env\":[\"A=1\",5,\"B\",\"=x\",\"C=a\\u0000b\",\"D=\"],\"User\":\"app:app\"}}";

        CHECK(spec_parse_engine_inspect(doc, strlen(doc), &s) == 0);
        CHECK_STR(env_at(&s, 0), "A=1");
        CHECK_STR(env_at(&s, 1), "D=");
        CHECK(env_at(&s, 2) == NULL);
        CHECK(s.environ && s.environ[s.environ_len] == 0);
        CHECK_STR(s.user, "app:app");
        container_spec_done(&s);
}

TEST(spec_oci)
{
        struct container_spec s = {};
        size_t len;
        char *body = fixture("oci-config-runc.json", &len);

        /* root.path "rootfs" is the bundle's. */
        CHECK(spec_parse_oci_config(body, len, "/b", NULL, &s) == 0);
        CHECK(s.n_layers == 1);
        CHECK_STR(s.n_layers ? s.layers[0] : NULL, "/b/rootfs");
        CHECK_STR(s.user, "1000:1000");
        CHECK_STR(s.workdir, "/");
        CHECK_STR(s.hostname, "runc");
        CHECK_STR(env_at(&s, 2), "FOO=runc");
        CHECK(env_at(&s, 3) == NULL);
        /* The bind of a host path; not the relative one, nor proc, tmpfs, ... */
        CHECK(s.n_mounts == 1);
        CHECK_STR(s.n_mounts ? s.mounts[0].source : NULL, "/srv/data");
        container_spec_done(&s);

        /* The state's rootfs wins; a relative root without a bundle is refused. */
        CHECK(spec_parse_oci_config(body, len, "/b", "/state/rootfs", &s) == 0);
        CHECK_STR(s.n_layers ? s.layers[0] : NULL, "/state/rootfs");
        container_spec_done(&s);
        CHECK(spec_parse_oci_config(body, len, NULL, NULL, &s) == -EBADMSG);
        CHECK(spec_parse_oci_config(body, len, "relative", NULL, &s) == -EBADMSG);
        CHECK(spec_parse_oci_config("null", 4, "/b", NULL, &s) == -EBADMSG);
        free(body);
}

/* Podman 4.3's userdata config.json of podman run --tmpfs /run/app:size=1m,
 * mode=0700,notmpcopyup --tmpfs /cache --mount type=tmpfs,dst=/srv/cache,
 * tmpfs-size=2m,notmpcopyup: /dev's tmpfs and /cache's, which Podman filled with
 * the image's files (tmpcopyup), are not the container's empty ones. */
TEST(spec_oci_tmpfs)
{
        struct container_spec s = {};
        size_t len;
        char *body = fixture("oci-config-podman.json", &len);

        CHECK(spec_parse_oci_config(body, len, "/b", NULL, &s) == 0);
        CHECK(s.n_tmpfs == 2);
        CHECK(tmpfs_is(&s, 0, "/srv/cache", 2 << 20, -1));
        CHECK(tmpfs_is(&s, 1, "/run/app", 1 << 20, 0700));
        /* Its binds stay binds: .containerenv, hostname, hosts, /dev/shm. */
        CHECK(s.n_mounts == 4);
        container_spec_done(&s);
        free(body);

        /* runc's default spec: /dev and /dev/shm, every container's. */
        body = fixture("oci-config-runc.json", &len);
        CHECK(spec_parse_oci_config(body, len, "/b", NULL, &s) == 0);
        CHECK(s.n_tmpfs == 0);
        container_spec_done(&s);
        free(body);
}

TEST(spec_storage_layers)
{
        struct container_spec s = {};
        size_t len;
        char *body = fixture("storage-layers.json", &len), *loop;

        CHECK(spec_parse_storage_layers(body, len, "/st", "dad5bc7e0ba8c7595b15e8edd8d93261ce1a03c41935bb64f5136165abc8356c",
                                        &s) == 0);
        CHECK(s.n_layers == 2);
        CHECK_STR(s.n_layers == 2 ? s.layers[0] : NULL,
                  "/st/overlay/dad5bc7e0ba8c7595b15e8edd8d93261ce1a03c41935bb64f5136165abc8356c/diff");
        CHECK_STR(s.n_layers == 2 ? s.layers[1] : NULL,
                  "/st/overlay/4bfd70e8e290af8dd58bbf6147de009b9727ef04fb1c5d3946439cb74b235522/diff");
        container_spec_done(&s);
        CHECK(spec_parse_storage_layers(body, len, "/st", "ffff", &s) == -ENOENT);
        container_spec_done(&s);
        /* A layer id is never a path. */
        CHECK(spec_parse_storage_layers(body, len, "/st", "../../etc", &s) == -EBADMSG);
        container_spec_done(&s);
        free(body);

        /* A parent loop ends. */
        loop = fixture("storage-layers-loop.json", &len);
        CHECK(spec_parse_storage_layers(loop, len, "/st", "aa", &s) == -EBADMSG);
        container_spec_done(&s);
        free(loop);
}

TEST(spec_image_ref)
{
        CHECK(spec_image_ref_is_valid("busybox"));
        CHECK(spec_image_ref_is_valid("crashcart-test/busybox:latest"));
        CHECK(spec_image_ref_is_valid("localhost:5000/a/b@sha256:0123abcd"));
        CHECK(!spec_image_ref_is_valid(""));
        CHECK(!spec_image_ref_is_valid("/abs"));
        CHECK(!spec_image_ref_is_valid("a/../../containers/x"));
        CHECK(!spec_image_ref_is_valid("a?b"));
        CHECK(!spec_image_ref_is_valid("a b"));
        CHECK(!spec_image_ref_is_valid("a%2f"));
}

TEST(spec_image_config)
{
        static const char cfg[] = "{\"architecture\":\"amd64\",\"config\":{\"User\":\"app\",\"Env\":[\"A=1\",\"B\"],"
                                  "\"Cmd\":[\"/bin/sh\"],\"WorkingDir\":\"/srv\"},\"rootfs\":{\"type\":\"layers\"}}";
        struct container_spec s = {};

        CHECK(spec_parse_image_config(cfg, sizeof(cfg) - 1, &s) == 0);
        CHECK(s.has_config);
        CHECK_STR(env_at(&s, 0), "A=1");
        CHECK(env_at(&s, 1) == NULL);
        CHECK_STR(s.user, "app");
        CHECK_STR(s.workdir, "/srv");
        container_spec_done(&s);
        /* No config member: an image configured with nothing. */
        CHECK(spec_parse_image_config("{\"os\":\"linux\"}", 15, &s) == 0);
        CHECK(s.has_config);
        CHECK(s.user == NULL);
        container_spec_done(&s);
        CHECK(spec_parse_image_config("[1]", 3, &s) == -EBADMSG);
        CHECK(spec_parse_image_config("{", 1, &s) == -EBADMSG);
        CHECK(!s.has_config);
}

/* containers/storage's names of big-data files, as Podman 4.3 wrote them. */
TEST(spec_storage_big_data_name)
{
        char buf[160];

        CHECK(spec_storage_big_data_name("manifest", buf, sizeof(buf)) == 0);
        CHECK_STR(buf, "manifest");
        CHECK(spec_storage_big_data_name("sha256:b6a3ddbc5cb45d1573c48aa7053a4f36a99cfc764bc787ad4d38561c878f5de6", buf,
                                         sizeof(buf)) == 0);
        CHECK_STR(buf, "=c2hhMjU2OmI2YTNkZGJjNWNiNDVkMTU3M2M0OGFhNzA1M2E0ZjM2YTk5Y2ZjNzY0YmM3ODdhZDRkMzg1NjFjODc4ZjVkZTY=");
        CHECK(spec_storage_big_data_name("signature-600c138a495da8188b4883d09175e26ef382ce180a6ddd560888c2c4cfbd9a48", buf,
                                         sizeof(buf)) == 0);
        CHECK_STR(buf, "=c2lnbmF0dXJlLTYwMGMxMzhhNDk1ZGE4MTg4YjQ4ODNkMDkxNzVlMjZlZjM4MmNlMTgwYTZkZGQ1NjA4ODhjMmM0Y2ZiZDlhNDg=");
        /* Padding, of one, two and no bytes left over. */
        CHECK(spec_storage_big_data_name("A", buf, sizeof(buf)) == 0);
        CHECK_STR(buf, "=QQ==");
        CHECK(spec_storage_big_data_name("AB", buf, sizeof(buf)) == 0);
        CHECK_STR(buf, "=QUI=");
        CHECK(spec_storage_big_data_name("ABC", buf, sizeof(buf)) == 0);
        CHECK_STR(buf, "=QUJD");
        CHECK(spec_storage_big_data_name("ABC", buf, 5) == -ENAMETOOLONG);
        CHECK(spec_storage_big_data_name("ABC", buf, 6) == 0);
        CHECK(spec_storage_big_data_name("manifest", buf, 8) == -ENAMETOOLONG);
        /* Never a path: no '/', no "..", nothing. */
        CHECK(spec_storage_big_data_name("\xff\xff", buf, sizeof(buf)) == -EINVAL);
        CHECK(spec_storage_big_data_name("..", buf, sizeof(buf)) == -EINVAL);
        CHECK(spec_storage_big_data_name("", buf, sizeof(buf)) == -EINVAL);
}

/* A Podman image from its storage, no service asked: its layers, and its
 * configuration from the config blob in its directory. */
TEST(spec_podman_storage_image)
{
        struct resolve_ctx ctx = { .use_api = false, .state_uid = getuid() };
        struct container_spec s = {};
        const char *rt = NULL;
        char path[512];

        snprintf(path, sizeof(path), "%s/host", harness_fixtures);
        ctx.root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        CHECK(ctx.root_fd >= 0);
        CHECK(image_spec_get(&ctx, "crashcart-test-configured", NULL, &rt, &s) == 0);
        CHECK_STR(rt, "podman");
        CHECK(s.n_layers == 1);
        CHECK_STR(s.n_layers ? s.layers[0] : NULL,
                  "/var/lib/containers/storage/overlay/4bfd70e8e290af8dd58bbf6147de009b9727ef04fb1c5d3946439cb74b235522/diff");
        CHECK(s.has_config);
        CHECK_STR(env_at(&s, 1), "CC_MARK=pod-image-env");
        CHECK_STR(s.user, "app");
        CHECK_STR(s.workdir, "/etc");
        container_spec_done(&s);
        /* By its id's prefix too. */
        CHECK(image_spec_get(&ctx, "eeeeeeeeeeeeeeee", "podman", &rt, &s) == 0);
        CHECK_STR(s.workdir, "/etc");
        container_spec_done(&s);
        /* A big-data name that is no digest is never a path: the layers alone. */
        CHECK(image_spec_get(&ctx, "odd", "podman", &rt, &s) == 0);
        CHECK(s.n_layers == 1);
        CHECK(!s.has_config);
        container_spec_done(&s);
        CHECK(image_spec_get(&ctx, "no-such", "podman", &rt, &s) == -ENOENT);
        close(ctx.root_fd);
}

TEST(spec_lxc_config)
{
        static const char cfg[] = "# Template used to create this container: busybox\n"
                                  "lxc.include = /usr/share/lxc/config/common.conf\n"
                                  "lxc.rootfs.path = dir:/var/lib/lxc/web/rootfs\n"
                                  "lxc.uts.name = \"webhost\"\n"
                                  "lxc.mount.entry = /srv/data srv/data none bind,create=dir 0 0\n"
                                  "lxc.mount.entry = proc proc proc nodev,noexec,nosuid 0 0\n"
                                  "lxc.mount.entry = shm /dev/shm tmpfs defaults 0 0\n"
                                  "  lxc.environment =   MARK=lxc-env  \n"
                                  "lxc.environment = broken\n"
                                  "lxc.init.cwd = /tmp\n"
                                  "lxc.init.uid = 1000\n";
        struct container_spec s = {};

        CHECK(spec_parse_lxc_config(cfg, sizeof(cfg) - 1, &s) == 0);
        CHECK(s.n_layers == 1);
        CHECK_STR(s.n_layers ? s.layers[0] : NULL, "/var/lib/lxc/web/rootfs");
        CHECK(s.n_mounts == 1);
        CHECK_STR(s.n_mounts ? s.mounts[0].source : NULL, "/srv/data");
        CHECK_STR(s.n_mounts ? s.mounts[0].destination : NULL, "/srv/data");
        CHECK_STR(env_at(&s, 0), "MARK=lxc-env");
        CHECK(env_at(&s, 1) == NULL);
        CHECK_STR(s.hostname, "webhost");
        CHECK_STR(s.workdir, "/tmp");
        CHECK_STR(s.user, "1000");
        container_spec_done(&s);
        /* Other backends, and no rootfs at all. */
        CHECK(spec_parse_lxc_config("lxc.rootfs.path = overlay:/a:/b\n", 31, &s) == -EOPNOTSUPP);
        CHECK(spec_parse_lxc_config("lxc.uts.name = x\n", 17, &s) == -EBADMSG);
}

TEST(spec_nspawn_settings)
{
        static const char cfg[] = "[Exec]\nEnvironment=MARK=nspawn-env\nUser=app\nWorkingDirectory=/srv\n"
                                  "Hostname=box\n[Files]\nBind=/srv/a:/a\nBindReadOnly=/etc/os-release\n"
                                  "Bind=+/rel:/x\nBind=-/maybe:/m:norbind\n[Network]\nPrivate=yes\n";
        struct container_spec s = {};

        CHECK(spec_parse_nspawn_settings(cfg, sizeof(cfg) - 1, &s) == 0);
        CHECK_STR(env_at(&s, 0), "MARK=nspawn-env");
        CHECK_STR(s.user, "app");
        CHECK_STR(s.workdir, "/srv");
        CHECK_STR(s.hostname, "box");
        CHECK(s.n_mounts == 3);
        CHECK_STR(s.n_mounts > 0 ? s.mounts[0].destination : NULL, "/a");
        CHECK_STR(s.n_mounts > 1 ? s.mounts[1].destination : NULL, "/etc/os-release");
        CHECK_STR(s.n_mounts > 2 ? s.mounts[2].source : NULL, "/maybe");
        CHECK_STR(s.n_mounts > 2 ? s.mounts[2].destination : NULL, "/m");
        container_spec_done(&s);
}
