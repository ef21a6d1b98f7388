/* SPDX-License-Identifier: GPL-2.0-or-later */
/* crashcart's command line: what each combination asks for, and the one-line
 * usage error of each combination that makes no sense. */
#include <stdarg.h>
#include <stdlib.h>

#include "basic/macro.h"
#include "crashcart/options.h"
#include "harness.h"
#include "parse_options.h"
#include "resolve/resolve.h"

static void expect_usage(const char *want, int r, struct options *o)
{
        CHECK(r == -EINVAL);
        CHECK_STR(o->error, want);
        options_done(o);
}

TEST(options_run)
{
        struct options o;

        CHECK(PARSE(&o, "web") == 0);
        CHECK(o.action == ACTION_RUN);
        CHECK_STR(o.id, "web");
        CHECK(o.command == NULL);
        CHECK(o.tty == -1);
        options_done(&o);

        /* Options end at ID: the command's own options stay its own. */
        CHECK(PARSE(&o, "-T", "-i", "/c.img", "web", "ls", "-l", "-i") == 0);
        CHECK(o.action == ACTION_RUN && o.tty == 0);
        CHECK_STR(o.image, "/c.img");
        CHECK(o.command && strcmp(o.command[0], "ls") == 0 && strcmp(o.command[2], "-i") == 0 && !o.command[3]);
        options_done(&o);

        CHECK(PARSE(&o, "web", "--", "-x") == 0);
        CHECK(o.command && strcmp(o.command[0], "-x") == 0);
        options_done(&o);
}

TEST(options_user_env)
{
        struct options o;

        CHECK(PARSE(&o, "-S", "app", "-G", "5", "web") == 0);
        CHECK_STR(o.user, "app:5");
        options_done(&o);
        CHECK(PARSE(&o, "-G", "5", "web") == 0);
        CHECK_STR(o.user, "0:5");
        options_done(&o);
        CHECK(PARSE(&o, "--user", "1000:1000", "web") == 0);
        CHECK_STR(o.user, "1000:1000");
        options_done(&o);

        CHECK(PARSE(&o, "--env", "A=1", "--env", "B=", "-vv", "web") == 0);
        CHECK(o.n_envs == 2 && o.verbose == 2);
        CHECK_STR(o.envs[1], "B=");
        options_done(&o);

        /* The loader's variables only with -f, which may come after. */
        CHECK(PARSE(&o, "--env", "LD_PRELOAD=/x.so", "-f", "web") == 0);
        CHECK(o.n_envs == 1 && o.force);
        options_done(&o);

        CHECK(PARSE(&o, "--env-from-target", "web") == 0);
        CHECK(o.env_from_target && o.n_env_take == 0);
        options_done(&o);
        CHECK(PARSE(&o, "--env-from-target=APP_*,DB_URL", "--env-from-target=X", "web") == 0);
        CHECK(o.env_from_target && o.n_env_take == 3);
        CHECK_STR(o.env_take[0], "APP_*");
        CHECK_STR(o.env_take[1], "DB_URL");
        CHECK_STR(o.env_take[2], "X");
        options_done(&o);
}

TEST(options_modes)
{
        struct options o;

        CHECK(PARSE(&o, "-m", "web") == 0 && o.action == ACTION_MOUNT);
        CHECK(PARSE(&o, "-u", "web") == 0 && o.action == ACTION_UNMOUNT);
        CHECK(PARSE(&o, "-p", "web") == 0 && o.action == ACTION_PRINT_PID);
        CHECK(PARSE(&o, "--list") == 0 && o.action == ACTION_LIST);
        CHECK(PARSE(&o, "-m", "--host", "/srv/cart") == 0 && o.action == ACTION_HOST_MOUNT);
        CHECK_STR(o.host_dir, "/srv/cart");
        CHECK(PARSE(&o, "-u", "--host", "/srv/cart") == 0 && o.action == ACTION_HOST_UNMOUNT);
        CHECK(PARSE(&o, "--manifest") == 0 && o.action == ACTION_MANIFEST && !o.image);
        CHECK(PARSE(&o, "-i", "c.img", "--manifest") == 0 && o.action == ACTION_MANIFEST);
        CHECK_STR(o.image, "c.img");
        CHECK(PARSE(&o, "-r", "containerd", "-e", "web", "sh") == 0 && o.use_exec);
        CHECK_STR(o.runtime, "containerd");
        CHECK(PARSE(&o, "--idle") == 0 && o.action == ACTION_IDLE);
        CHECK(PARSE(&o, "-v", "--idle") == 0 && o.action == ACTION_IDLE && o.verbose == 1);
        /* Help and version win over what else is wrong. */
        CHECK(PARSE(&o, "--help", "-m", "-u") == 0 && o.action == ACTION_HELP);
        CHECK(PARSE(&o, "-V") == 0 && o.action == ACTION_VERSION);
}

TEST(options_usage_errors)
{
        struct options o;

        expect_usage("no container ID or PID given", PARSE(&o, "-t"), &o);
        expect_usage("unknown runtime 'dockr'", PARSE(&o, "-r", "dockr", "web"), &o);
        expect_usage("option '-i' needs an argument", PARSE(&o, "-i"), &o);
        expect_usage("unknown option '--bogus'", PARSE(&o, "--bogus", "web"), &o);
        expect_usage("--env takes KEY=VALUE, not 'A'", PARSE(&o, "--env", "A", "web"), &o);
        expect_usage("--env takes KEY=VALUE, not '=1'", PARSE(&o, "--env", "=1", "web"), &o);
        expect_usage("--env LD_PRELOAD: a variable of the loader's loads the container's files as code (-f sets it "
                     "anyway)",
                     PARSE(&o, "--env", "LD_PRELOAD=/x.so", "web"), &o);
        expect_usage("--env GCONV_PATH: a variable of the loader's loads the container's files as code (-f sets it "
                     "anyway)",
                     PARSE(&o, "--env", "GCONV_PATH=/x", "web"), &o);
        expect_usage("--env-from-target: LD_AUDIT is read by the loader: never taken from the container",
                     PARSE(&o, "--env-from-target=A,LD_AUDIT", "-f", "web"), &o);
        expect_usage("--env-from-target takes NAME or PREFIX*, not 'A-B'", PARSE(&o, "--env-from-target=A-B", "web"),
                     &o);
        expect_usage("-m and -u exclude each other", PARSE(&o, "-m", "-u", "web"), &o);
        expect_usage("-m and -u take no command", PARSE(&o, "-m", "web", "ls"), &o);
        expect_usage("-e runs a command: it excludes -m and -u", PARSE(&o, "-e", "-u", "web"), &o);
        expect_usage("--user excludes -S and -G", PARSE(&o, "--user", "a", "-S", "b", "web"), &o);
        expect_usage("--pid takes an ID only", PARSE(&o, "-p", "-m", "web"), &o);
        expect_usage("--pid takes an ID only", PARSE(&o, "-p", "web", "ls"), &o);
        expect_usage("--list takes no ID", PARSE(&o, "-l", "web"), &o);
        expect_usage("--manifest takes no ID and goes with -i only", PARSE(&o, "--manifest", "web"), &o);
        expect_usage("--manifest takes no ID and goes with -i only", PARSE(&o, "--manifest", "-m"), &o);
        expect_usage("--idle takes no ID and no other action", PARSE(&o, "--idle", "web"), &o);
        expect_usage("--idle takes no ID and no other action", PARSE(&o, "--idle", "-m"), &o);
        expect_usage("--idle takes no ID and no other action", PARSE(&o, "--idle", "--all", "--", "ls"), &o);
        expect_usage("--host goes with -m or -u", PARSE(&o, "--host", "/d"), &o);
        expect_usage("--host takes no ID", PARSE(&o, "-m", "--host", "/d", "web"), &o);
        expect_usage("-m and -u exclude each other", PARSE(&o, "-m", "-u", "--host", "/d"), &o);
}

/* Every runtime of the table is a valid --runtime, and -e builds each runtime's
 * own exec command line from the table. */
TEST(options_core)
{
        struct options o;

        CHECK(PARSE(&o, "--core", "web") == 0);
        CHECK(o.core && o.core_file == NULL && o.action == ACTION_RUN && o.command == NULL);
        options_done(&o);
        /* =FILE only: a separate word is the ID. */
        CHECK(PARSE(&o, "--core=/tmp/core.1", "web", "/dev/crashcart/bin/sh") == 0);
        CHECK_STR(o.core_file, "/tmp/core.1");
        CHECK_STR(o.id, "web");
        CHECK(o.command != NULL);
        options_done(&o);
        expect_usage("--core=FILE takes a path in the container", PARSE(&o, "--core=", "web"), &o);
        expect_usage("--core is for a post-mortem sandbox: it excludes -m, -u, -p, -e and --out",
                     PARSE(&o, "--core", "-e", "web"), &o);
        expect_usage("--core is for one container: it excludes --all", PARSE(&o, "--core", "--all", "--", "true"), &o);
}

TEST(runtime_table)
{
        struct runtime_exec_args a = { .id = "c1", .ns = NULL, .tty = true, .exec_id = "crashcart-1" };
        char *cmd[] = { "sh", "-c", "x", NULL };
        char **v = NULL;
        struct options o;

        for (const struct runtime *rt = runtime_table(); rt->name; rt++) {
                CHECK(PARSE(&o, "-r", (char *)rt->name, "x") == 0);
                CHECK(runtime_get(rt->name) == rt);
        }
        CHECK(runtime_get("nope") == NULL);
        CHECK(!runtime_names_container("pid") && !runtime_names_container("cgroup"));
        CHECK(runtime_names_container("docker") && runtime_names_container("lxc"));
        CHECK(runtime_has_ids("cgroup") && runtime_has_ids("docker") && !runtime_has_ids("pid"));

        CHECK(runtime_exec_argv(runtime_get("docker"), &a, cmd, &v) == 0);
        CHECK(v && strcmp(v[0], "docker") == 0 && strcmp(v[2], "-it") == 0 && strcmp(v[3], "c1") == 0 &&
              strcmp(v[4], "sh") == 0 && v[7] == NULL);
        free(v);
        a.tty = false;
        a.ns = "k8s.io";
        CHECK(runtime_exec_argv(runtime_get("containerd"), &a, cmd, &v) == 0);
        CHECK(v && strcmp(v[0], "ctr") == 0 && strcmp(v[2], "k8s.io") == 0 && strcmp(v[6], "crashcart-1") == 0 &&
              strcmp(v[7], "c1") == 0 && strcmp(v[8], "sh") == 0);
        free(v);
        /* A containerd found through its shims: its own socket. */
        a.address = "/run/k3s/containerd/containerd.sock";
        CHECK(runtime_exec_argv(runtime_get("containerd"), &a, cmd, &v) == 0);
        CHECK(v && strcmp(v[1], "--address") == 0 && strcmp(v[2], a.address) == 0 && strcmp(v[4], "k8s.io") == 0 &&
              strcmp(v[9], "c1") == 0);
        free(v);
        a.address = NULL;
        a.ns = "/run/lxc";
        CHECK(runtime_exec_argv(runtime_get("lxc"), &a, cmd, &v) == 0);
        CHECK(v && strcmp(v[0], "lxc-attach") == 0 && strcmp(v[1], "--clear-env") == 0 &&
              strcmp(v[5], "/run/lxc") == 0 && strcmp(v[8], "--") == 0);
        free(v);
        a.ns = "/run/runc";
        CHECK(runtime_exec_argv(runtime_get("crun"), &a, cmd, &v) == 0);
        CHECK(v && strcmp(v[0], "crun") == 0 && strcmp(v[1], "--root") == 0 && strcmp(v[3], "exec") == 0);
        free(v);
        CHECK(runtime_exec_argv(runtime_get("cri-o"), &a, cmd, &v) == 0);
        CHECK(v && strcmp(v[0], "crictl") == 0);
        free(v);
        CHECK(runtime_exec_argv(runtime_get("nspawn"), &a, cmd, &v) == -EOPNOTSUPP);
        CHECK(runtime_exec_argv(runtime_get("pid"), &a, cmd, &v) == -EOPNOTSUPP);
}
