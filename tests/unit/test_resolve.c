/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "resolve/resolve.h"

TEST(resolve_strip_scheme)
{
        const char *rt;

        CHECK_STR(resolve_strip_scheme("docker://abc", &rt), "abc");
        CHECK_STR(rt, "docker");
        CHECK_STR(resolve_strip_scheme("containerd://x1", &rt), "x1");
        CHECK_STR(rt, "containerd");
        CHECK_STR(resolve_strip_scheme("cri-o://f00", &rt), "f00");
        CHECK_STR(rt, "cri-o");
        CHECK_STR(resolve_strip_scheme("web-1", &rt), "web-1");
        CHECK(rt == NULL);
}

TEST(resolve_id_is_valid)
{
        char long_id[300];

        CHECK(resolve_id_is_valid("web_1.prod-2"));
        CHECK(resolve_id_is_valid("0a1b"));
        CHECK(!resolve_id_is_valid(""));
        CHECK(!resolve_id_is_valid("-x"));
        CHECK(!resolve_id_is_valid("_x"));
        CHECK(!resolve_id_is_valid("a/../b"));
        CHECK(!resolve_id_is_valid("a b"));
        CHECK(!resolve_id_is_valid("a?all=1"));
        CHECK(!resolve_id_is_valid("a%2f"));
        memset(long_id, 'a', sizeof(long_id) - 1);
        long_id[sizeof(long_id) - 1] = 0;
        CHECK(!resolve_id_is_valid(long_id));
}

/* One container seen by several runtimes is one candidate: same init PID, or the
 * same 64-digit id (Docker's listing has no PID). */
TEST(candidates_dedup_one_container_of_several_runtimes)
{
        struct candidates c = {};
        const char *id64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

        candidates_add(&c, "docker", id64, "web", NULL, 0, true);
        candidates_add(&c, "containerd", id64, NULL, "moby", 42, true);
        candidates_add(&c, "runc", "other", NULL, NULL, 42, true);
        candidates_add(&c, "runc", "short", NULL, NULL, 0, true);
        candidates_add(&c, "crun", "short", NULL, NULL, 0, true);
        candidates_dedup(&c);
        CHECK(c.n == 3);
        CHECK_STR(c.v[0].runtime, "docker");
        CHECK_STR(c.v[1].runtime, "runc");
        CHECK_STR(c.v[2].runtime, "crun"); /* a short id names different containers */
        candidates_done(&c);
}

/* Our own PID resolves as a PID without asking any runtime. */
TEST(resolve_id_own_pid_asks_no_runtime)
{
        struct candidates c = {};
        char *asked = NULL, pid[32];
        struct resolve_ctx ctx = { .root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC) };

        snprintf(pid, sizeof(pid), "%d", (int)getpid());
        CHECK(resolve_id(&ctx, pid, NULL, &c, &asked) == 0);
        CHECK(c.n == 1 && strcmp(c.v[0].runtime, "pid") == 0 && c.v[0].pid == getpid());
        CHECK_STR(asked, "pid");
        candidates_done(&c);
        free(asked);
        close(ctx.root_fd);
}

/* A scheme naming another runtime than --runtime is a contradiction. */
TEST(resolve_id_scheme_contradicting_runtime)
{
        struct candidates c = {};
        char *asked = NULL;
        struct resolve_ctx ctx = { .root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC) };

        CHECK(resolve_id(&ctx, "docker://abc", "pid", &c, &asked) == -EINVAL);
        candidates_done(&c);
        free(asked);
        close(ctx.root_fd);
}
