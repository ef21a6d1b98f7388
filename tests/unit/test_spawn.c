/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running host programs (basic/spawn) and the one read-until-EOF loop (basic/fileio). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

TEST(openat_beneath_nofollow)
{
        char root[] = "/tmp/cc-unit-beneath-XXXXXX";
        int rootfd, fd;

        CHECK(mkdtemp(root) != NULL);
        rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        CHECK(mkdirat(rootfd, "etc", 0755) == 0);
        fd = openat(rootfd, "etc/passwd", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        CHECK(fd >= 0);
        close(fd);
        CHECK(symlinkat("/etc", rootfd, "link") == 0);
        CHECK(symlinkat("passwd", rootfd, "etc/p") == 0);

        fd = openat_beneath_nofollow(rootfd, "/etc//passwd", O_RDONLY);
        CHECK(fd >= 0);
        if (fd >= 0)
                close(fd);
        fd = openat_beneath_nofollow(rootfd, "/", O_PATH | O_DIRECTORY);
        CHECK(fd >= 0);
        if (fd >= 0)
                close(fd);
        /* No link is followed, in the middle or at the end; no way up. */
        CHECK(openat_beneath_nofollow(rootfd, "link/passwd", O_RDONLY) == -ENOTDIR ||
              openat_beneath_nofollow(rootfd, "link/passwd", O_RDONLY) == -ELOOP);
        CHECK(openat_beneath_nofollow(rootfd, "etc/p", O_RDONLY) == -ELOOP);
        CHECK(openat_beneath_nofollow(rootfd, "etc/../../x", O_RDONLY) == -EXDEV);
        CHECK(openat_beneath_nofollow(rootfd, "etc/none", O_RDONLY) == -ENOENT);

        unlinkat(rootfd, "etc/p", 0);
        unlinkat(rootfd, "etc/passwd", 0);
        unlinkat(rootfd, "link", 0);
        unlinkat(rootfd, "etc", AT_REMOVEDIR);
        close(rootfd);
        rmdir(root);
}
