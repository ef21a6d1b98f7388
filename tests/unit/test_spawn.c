/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running host programs (basic/spawn) and the one read-until-EOF loop (basic/fileio). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/fileio.h"
#include "basic/spawn.h"
#include "harness.h"

TEST(spawn_run)
{
        char *sh_exit[] = { "sh", "-c", "echo out; exit 3", NULL };
        char *sh_quiet[] = { "sh", "-c", "exit 4", NULL };
        char *sh_kill[] = { "sh", "-c", "kill -9 $$", NULL };
        char *pwd[] = { "pwd", NULL };
        char *missing[] = { "/nonexistent/program", NULL };
        char *out = NULL;

        CHECK(spawn_run(sh_quiet, NULL, SPAWN_STDOUT_TO_STDERR, NULL) == 4);
        CHECK(spawn_run(sh_exit, NULL, 0, &out) == 3);
        CHECK_STR(out, "out\n");
        free(out);
        out = NULL;
        CHECK(spawn_run(sh_kill, NULL, 0, NULL) == 128 + 9);
        CHECK(spawn_run(pwd, "/", 0, &out) == 0);
        CHECK_STR(out, "/\n");
        free(out);
        out = NULL;
        /* Not started: the child's errno, not an exit status. */
        CHECK(spawn_run(missing, NULL, 0, &out) == -ENOENT);
        CHECK(out == NULL);
        CHECK(spawn_run(pwd, "/nonexistent", 0, NULL) == -ENOENT);
}

TEST(read_full_fd)
{
        int p[2];
        char *buf = NULL;
        size_t len = 0;

        CHECK(pipe2(p, O_CLOEXEC) == 0);
        CHECK(write(p[1], "0123456789", 10) == 10);
        close(p[1]);
        /* More than max: an error, never a shortened result. */
        CHECK(read_full_fd(p[0], 5, &buf, &len) == -EFBIG);
        CHECK(buf == NULL);
        close(p[0]);

        CHECK(pipe2(p, O_CLOEXEC) == 0);
        CHECK(write(p[1], "0123456789", 10) == 10);
        close(p[1]);
        CHECK(read_full_fd(p[0], 10, &buf, &len) == 0);
        CHECK(len == 10);
        CHECK_STR(buf, "0123456789");
        free(buf);
        close(p[0]);

        CHECK(pipe2(p, O_CLOEXEC) == 0);
        close(p[1]);
        CHECK(read_full_fd(p[0], 10, &buf, &len) == 0);
        CHECK(len == 0 && buf && buf[0] == 0);
        free(buf);
        close(p[0]);
}
