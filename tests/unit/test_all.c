/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --all's pure parts: which containers it takes (name glob, labels), and its
 * output, line by line with a prefix; the working directory and labels read
 * from the engine's replies; the options that go with it and with --out. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "basic/linebuf.h"
#include "basic/macro.h"
#include "basic/syscalls.h"
#include "cart/out.h"
#include "crashcart/options.h"
#include "harness.h"
#include "parse_options.h"
#include "resolve/engine.h"
#include "resolve/select.h"

static void add(struct candidates *c, const char *runtime, const char *name, bool running, const char *const *labels)
{
        CHECK(candidates_add(c, runtime, "0123456789abcdef0123", name, NULL, running ? 42 : 0, running) == 0);
        for (size_t i = 0; labels && labels[i]; i += 2)
                CHECK(candidate_add_label(&c->v[c->n - 1], labels[i], labels[i + 1]) == 0);
}

TEST(select_labels_and_glob)
{
        struct candidates c = {};
        char *want_web[] = { "tier=web" }, *want_two[] = { "tier=web", "team" }, *want_empty[] = { "empty=" };
        struct selector any = {}, glob = { .name_glob = "web-*" }, web = { .labels = want_web, .n_labels = 1 },
                        two = { .labels = want_two, .n_labels = 2 }, empty = { .labels = want_empty, .n_labels = 1 };
        char buf[16];

        add(&c, "docker", "web-1", true, (const char *[]){ "tier", "web", "team", "a", "empty", "", NULL });
        add(&c, "docker", "web-2", true, (const char *[]){ "tier", "webx", NULL });
        add(&c, "podman", "db-1", true, NULL);
        add(&c, "docker", "web-3", false, (const char *[]){ "tier", "web", NULL });
        add(&c, "pid", NULL, true, NULL);
        add(&c, "cgroup", NULL, true, NULL);

        CHECK(candidate_has_label(&c.v[0], "tier=web"));
        CHECK(candidate_has_label(&c.v[0], "team"));
        CHECK(candidate_has_label(&c.v[0], "empty="));
        CHECK(candidate_has_label(&c.v[0], "empty"));
        CHECK(!candidate_has_label(&c.v[0], "tier=we"));
        CHECK(!candidate_has_label(&c.v[0], "tie=web"));
        CHECK(!candidate_has_label(&c.v[1], "tier=web"));
        CHECK(!candidate_has_label(&c.v[2], "tier"));

        /* Running containers of a runtime only. */
        CHECK(selector_matches(&any, &c.v[0]));
        CHECK(selector_matches(&any, &c.v[2]));
        CHECK(!selector_matches(&any, &c.v[3]));
        CHECK(!selector_matches(&any, &c.v[4]));
        CHECK(!selector_matches(&any, &c.v[5]));

        CHECK(selector_matches(&glob, &c.v[0]));
        CHECK(selector_matches(&glob, &c.v[1]));
        CHECK(!selector_matches(&glob, &c.v[2]));
        CHECK(selector_matches(&web, &c.v[0]));
        CHECK(!selector_matches(&web, &c.v[1]));
        CHECK(!selector_matches(&web, &c.v[2]));
        CHECK(selector_matches(&two, &c.v[0]));
        CHECK(selector_matches(&empty, &c.v[0]));
        CHECK(!selector_matches(&empty, &c.v[1]));

        CHECK_STR(candidate_display_name(&c.v[0], buf, sizeof(buf)), "web-1");
        CHECK_STR(candidate_display_name(&c.v[4], buf, sizeof(buf)), "0123456789ab");
        candidates_done(&c);
}

TEST(select_glob_without_name_takes_the_id)
{
        struct candidates c = {};
        struct selector s = { .name_glob = "0123*" }, t = { .name_glob = "x*" };

        CHECK(candidates_add(&c, "containerd", "0123456789", NULL, "k8s.io", 7, true) == 0);
        CHECK(selector_matches(&s, &c.v[0]));
        CHECK(!selector_matches(&t, &c.v[0]));
        candidates_done(&c);
}

/* What linebuf wrote to a pipe. */
static char *drain(int fd)
{
        static char buf[1 << 18];
        ssize_t n = read(fd, buf, sizeof(buf) - 1);

        buf[n > 0 ? n : 0] = 0;
        return buf;
}

TEST(linebuf_whole_lines_with_prefix)
{
        int p[2];
        struct linebuf b;

        CHECK(pipe2(p, O_NONBLOCK) == 0);
        b = (struct linebuf)LINEBUF_INIT("web-1 | ", p[1]);
        CHECK(linebuf_feed(&b, "one\ntw", 6) == 0);
        CHECK_STR(drain(p[0]), "web-1 | one\n");
        CHECK(linebuf_feed(&b, "o\n\nthree", 8) == 0);
        CHECK_STR(drain(p[0]), "web-1 | two\nweb-1 | \n");
        CHECK(linebuf_flush(&b) == 0);
        CHECK_STR(drain(p[0]), "web-1 | three\n");
        /* Nothing left: a flush writes nothing. */
        CHECK(linebuf_flush(&b) == 0);
        CHECK(linebuf_feed(&b, "x", 1) == 0);
        CHECK(linebuf_flush(&b) == 0);
        CHECK_STR(drain(p[0]), "web-1 | x\n");
        linebuf_done(&b);
        close(p[0]);
        close(p[1]);
}

TEST(linebuf_cuts_a_long_line)
{
        int p[2];
        struct linebuf b;
        char *big = malloc(LINEBUF_MAX + 10), *out;

        CHECK(pipe2(p, O_NONBLOCK) == 0);
        CHECK(fcntl(p[1], F_SETPIPE_SZ, 1 << 18) > 0);
        memset(big, 'a', LINEBUF_MAX + 10);
        b = (struct linebuf)LINEBUF_INIT("p | ", p[1]);
        CHECK(linebuf_feed(&b, big, 100) == 0);
        CHECK(linebuf_feed(&b, big, LINEBUF_MAX) == 0);
        out = drain(p[0]);
        CHECK(strlen(out) == 4 + LINEBUF_MAX + 1);
        CHECK(strncmp(out, "p | aaa", 7) == 0);
        CHECK(out[strlen(out) - 1] == '\n');
        CHECK(linebuf_feed(&b, "\n", 1) == 0);
        out = drain(p[0]);
        CHECK(strlen(out) == 4 + 100 + 1);
        linebuf_done(&b);
        free(big);
        close(p[0]);
        close(p[1]);
}

TEST(engine_workdir_and_labels)
{
        struct candidates c = {};
        const char *inspect = "{\"Id\":\"abc\",\"Name\":\"/w\",\"State\":{\"Pid\":5,\"Running\":true},"
                              "\"Config\":{\"WorkingDir\":\"/srv/app\",\"Labels\":{\"tier\":\"web\",\"n\":\"1\"}}}";
        const char *plain = "{\"Id\":\"abd\",\"State\":{\"Pid\":5,\"Running\":true},"
                            "\"Config\":{\"WorkingDir\":\"\",\"Labels\":null}}";
        const char *list = "[{\"Id\":\"abe\",\"Names\":[\"/l\"],\"State\":\"exited\",\"Labels\":{\"k\":\"v\"}}]";

        CHECK(docker_parse_inspect(inspect, strlen(inspect), "docker", &c) == 0);
        CHECK_STR(c.v[0].workdir, "/srv/app");
        CHECK(c.v[0].has_labels);
        CHECK(candidate_has_label(&c.v[0], "tier=web"));
        CHECK(candidate_has_label(&c.v[0], "n=1"));
        CHECK(docker_parse_inspect(plain, strlen(plain), "docker", &c) == 0);
        CHECK(c.v[1].workdir == NULL);
        CHECK(c.v[1].has_labels);
        CHECK(c.v[1].n_labels == 0);
        CHECK(docker_parse_list(list, strlen(list), "podman", NULL, &c) == 0);
        CHECK(candidate_has_label(&c.v[2], "k=v"));
        candidates_done(&c);

        /* A candidate of state files: no labels known. */
        CHECK(candidates_add(&c, "podman", "abf", "s", NULL, 0, false) == 0);
        CHECK(!c.v[0].has_labels);
        candidates_done(&c);
}

TEST(options_all_and_out)
{
        struct options o;

        CHECK(PARSE(&o, "--all", "--name", "web-*", "--label", "tier=web", "--label", "team", "--parallel", "8",
                    "--", "cat", "/proc/net/tcp") == 0);
        CHECK(o.action == ACTION_ALL);
        CHECK_STR(o.name_glob, "web-*");
        CHECK(o.n_labels == 2);
        CHECK_STR(o.labels[1], "team");
        CHECK(o.parallel == 8);
        CHECK_STR(o.command[0], "cat");
        CHECK(o.tty == 0);
        options_done(&o);

        CHECK(PARSE(&o, "--all", "-r", "docker", "true") == 0);
        CHECK(o.parallel == OPTIONS_PARALLEL_DEFAULT);
        CHECK_STR(o.command[0], "true");
        options_done(&o);

        CHECK(PARSE(&o, "--all") == -EINVAL);
        CHECK(strstr(o.error, "--all needs a command") != NULL);
        options_done(&o);
        CHECK(PARSE(&o, "--all", "-m", "--", "true") == -EINVAL);
        options_done(&o);
        CHECK(PARSE(&o, "--all", "-t", "--", "true") == -EINVAL);
        options_done(&o);
        CHECK(PARSE(&o, "--all", "--parallel", "0", "--", "true") == -EINVAL);
        options_done(&o);
        CHECK(PARSE(&o, "--all", "--parallel", "-3", "--", "true") == -EINVAL);
        options_done(&o);
        CHECK(PARSE(&o, "--all", "--label", "=v", "--", "true") == -EINVAL);
        options_done(&o);
        CHECK(PARSE(&o, "--name", "x", "c1", "true") == -EINVAL);
        CHECK_STR(o.error, "--name, --label and --parallel go with --all");
        options_done(&o);

        CHECK(PARSE(&o, "--out", "caps", "c1", "tcpdump") == 0);
        CHECK_STR(o.out_dir, "caps");
        CHECK(o.action == ACTION_RUN);
        options_done(&o);
        CHECK(PARSE(&o, "--out", "caps", "-m", "c1") == 0);
        CHECK(o.action == ACTION_MOUNT);
        options_done(&o);
        CHECK(PARSE(&o, "--out", "caps", "-u", "c1") == -EINVAL);
        options_done(&o);
        CHECK(PARSE(&o, "--out", "", "c1") == -EINVAL);
        options_done(&o);
}

TEST(out_idmap_and_owner)
{
        char line[64];
        uid_t u;
        gid_t g;

        CHECK(out_idmap_line(line, sizeof(line), 1000, 100000) == 0);
        CHECK_STR(line, "1000 100000 1\n");
        CHECK(out_idmap_line(line, 4, 1000, 0) == -ENOBUFS);

        setenv("SUDO_UID", "1000", 1);
        setenv("SUDO_GID", "1001", 1);
        CHECK(out_owner_from_env(&u, &g) == 0);
        CHECK(u == 1000 && g == 1001);
        setenv("SUDO_GID", "x", 1);
        CHECK(out_owner_from_env(&u, &g) == -EINVAL);
        setenv("SUDO_GID", "4294967295", 1);
        CHECK(out_owner_from_env(&u, &g) == -EINVAL);
        unsetenv("SUDO_GID");
        CHECK(out_owner_from_env(&u, &g) == 0);
        CHECK(u == 0 && g == 0);
        unsetenv("SUDO_UID");
}

TEST(out_dir_open_refuses_symlinks)
{
        char tmp[] = "/tmp/cc-unit-out-XXXXXX", path[128];
        struct stat st;
        int fd = -1, created = 0;

        CHECK(mkdtemp(tmp) != NULL);
        snprintf(path, sizeof(path), "%s/new", tmp);
        CHECK(out_dir_open(path, getuid(), getgid(), &fd, &created) == 0);
        CHECK(created == 1);
        CHECK(fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0700);
        close(fd);
        /* Again: there, not made. */
        CHECK(out_dir_open(path, getuid(), getgid(), &fd, &created) == 0);
        CHECK(created == 0);
        close(fd);
        snprintf(path, sizeof(path), "%s/new/", tmp);
        CHECK(out_dir_open(path, getuid(), getgid(), &fd, NULL) == 0);
        close(fd);
        /* One that group or others can reach: refused. */
        snprintf(path, sizeof(path), "%s/new", tmp);
        CHECK(chmod(path, 0755) == 0);
        CHECK(out_dir_open(path, getuid(), getgid(), &fd, NULL) == -EACCES);
        CHECK(chmod(path, 0700) == 0);

        /* A symlink as the directory, or on the way to it. Without openat2
         * (before Linux 5.6, or under qemu-user 7.2, which has no such call),
         * O_NOFOLLOW | O_DIRECTORY refuses it as not a directory. */
        struct cc_open_how how = { .flags = O_PATH | O_CLOEXEC };
        int probe = sys_openat2(AT_FDCWD, "/", &how);
        int refused = probe < 0 && errno == ENOSYS ? -ENOTDIR : -ELOOP;
        if (probe >= 0)
                close(probe);
        snprintf(path, sizeof(path), "%s/link", tmp);
        CHECK(symlink("new", path) == 0);
        CHECK(out_dir_open(path, getuid(), getgid(), &fd, NULL) == refused);
        snprintf(path, sizeof(path), "%s/link/sub", tmp);
        CHECK(out_dir_open(path, getuid(), getgid(), &fd, NULL) == refused);
        /* A missing parent is not made. */
        snprintf(path, sizeof(path), "%s/a/b", tmp);
        CHECK(out_dir_open(path, getuid(), getgid(), &fd, NULL) == -ENOENT);

        snprintf(path, sizeof(path), "rm -rf '%s'", tmp);
        CHECK(system(path) == 0);
}
