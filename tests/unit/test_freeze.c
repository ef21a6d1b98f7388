/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which cgroup freezes a container, and what its freezer files say. */
#include <stdlib.h>
#include <string.h>

#include "cart/freeze.h"
#include "harness.h"

TEST(cgroup_freezer_pick)
{
        enum freezer_kind kind;
        unsigned h;
        char *path, buf[512];

        /* Docker on a hybrid layout: the v1 freezer, unless v2 is asked for. */
        strcpy(buf, "9:name=systemd:/docker/abc\n6:freezer:/docker/abc\n1:cpu,cpuacct:/docker/abc\n0::/docker/abc\n");
        CHECK(cgroup_freezer_pick(buf, false, &kind, &h, &path) == 0);
        CHECK(kind == FREEZER_V1);
        CHECK(h == 6);
        CHECK_STR(path, "/docker/abc");
        strcpy(buf, "6:freezer:/docker/abc\n0::/docker/abc\n");
        CHECK(cgroup_freezer_pick(buf, true, &kind, &h, &path) == 0);
        CHECK(kind == FREEZER_V2);
        CHECK_STR(path, "/docker/abc");
        /* A v1 freezer with another controller on the same hierarchy. */
        strcpy(buf, "3:cpu,freezer:/lxc/c1\n0::/\n");
        CHECK(cgroup_freezer_pick(buf, true, &kind, &h, &path) == 0);
        CHECK(kind == FREEZER_V1);
        CHECK(h == 3);
        /* Pure v2. */
        strcpy(buf, "0::/system.slice/docker-abc.scope\n");
        CHECK(cgroup_freezer_pick(buf, false, &kind, &h, &path) == 0);
        CHECK(kind == FREEZER_V2);
        CHECK_STR(path, "/system.slice/docker-abc.scope");
        /* The root cgroup is the host's: nothing to freeze. */
        strcpy(buf, "6:freezer:/\n0::/\n");
        CHECK(cgroup_freezer_pick(buf, false, &kind, &h, &path) == -ENOENT);
        /* "freezer" is a whole controller name, not a part of one. */
        strcpy(buf, "6:notfreezer:/x\n");
        CHECK(cgroup_freezer_pick(buf, false, &kind, &h, &path) == -ENOENT);
        strcpy(buf, "garbage\n");
        CHECK(cgroup_freezer_pick(buf, false, &kind, &h, &path) == -EINVAL);
        strcpy(buf, "");
        CHECK(cgroup_freezer_pick(buf, false, &kind, &h, &path) == -ENOENT);
}

TEST(cgroup_path_in)
{
        char *path, buf[256];

        strcpy(buf, "6:freezer:/docker/abc/sub\n0::/docker/abc\n");
        CHECK(cgroup_path_in(buf, FREEZER_V1, 6, &path) == 0);
        CHECK_STR(path, "/docker/abc/sub");
        strcpy(buf, "6:freezer:/docker/abc/sub\n0::/docker/abc\n");
        CHECK(cgroup_path_in(buf, FREEZER_V2, 0, &path) == 0);
        CHECK_STR(path, "/docker/abc");
        strcpy(buf, "6:freezer:/docker/abc\n");
        CHECK(cgroup_path_in(buf, FREEZER_V1, 5, &path) == -ENOENT);
        strcpy(buf, "6:freezer:/docker/abc\n");
        CHECK(cgroup_path_in(buf, FREEZER_V2, 0, &path) == -ENOENT);
}

TEST(cgroup_path_is_beneath)
{
        CHECK(cgroup_path_is_beneath("/docker/abc", "/docker/abc"));
        CHECK(cgroup_path_is_beneath("/docker/abc/sub", "/docker/abc"));
        CHECK(cgroup_path_is_beneath("/docker/abc/sub", "/docker/abc/"));
        CHECK(!cgroup_path_is_beneath("/docker/abcd", "/docker/abc"));
        CHECK(!cgroup_path_is_beneath("/docker", "/docker/abc"));
        CHECK(!cgroup_path_is_beneath("/other", "/docker/abc"));
        CHECK(cgroup_path_is_beneath("/anything", "/"));
}

TEST(freezer_state_parse)
{
        CHECK(freezer_state_parse(FREEZER_V1, "FROZEN\n") == 1);
        CHECK(freezer_state_parse(FREEZER_V1, "FREEZING\n") == 0);
        CHECK(freezer_state_parse(FREEZER_V1, "THAWED\n") == 0);
        CHECK(freezer_state_parse(FREEZER_V1, "FROZENX\n") == -EINVAL);
        CHECK(freezer_state_parse(FREEZER_V1, "") == -EINVAL);
        CHECK(freezer_state_parse(FREEZER_V2, "populated 1\nfrozen 1\n") == 1);
        CHECK(freezer_state_parse(FREEZER_V2, "populated 1\nfrozen 0\n") == 0);
        CHECK(freezer_state_parse(FREEZER_V2, "frozen 1") == 1);
        CHECK(freezer_state_parse(FREEZER_V2, "populated 1\n") == -EINVAL);
        CHECK(freezer_state_parse(FREEZER_V2, "populated 1\nfrozen 10\n") == -EINVAL);
        /* "frozen" as part of another key is not it. */
        CHECK(freezer_state_parse(FREEZER_V2, "unfrozen 1\n") == -EINVAL);
}
