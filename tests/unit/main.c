/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "basic/fileio.h"
#include "harness.h"

int harness_passed, harness_failed;
const char *harness_fixtures = "tests/fixtures";

char *fixture(const char *name, size_t *ret_len)
{
        char path[512];
        char *buf = NULL;
        size_t len = 0;

        snprintf(path, sizeof(path), "%s/%s", harness_fixtures, name);
        if (read_full_fileat(AT_FDCWD, path, 1 << 24, &buf, &len) < 0) {
                fprintf(stderr, "cannot read fixture %s\n", path);
                exit(2);
        }
        if (ret_len)
                *ret_len = len;
        return buf;
}

int main(int argc, char **argv)
{
        if (argc > 1)
                harness_fixtures = argv[1];
        test_procfs();
        test_image();
        test_http_docker();
        test_resolve();
        test_session();
        test_runtimes();
        test_exec();
        test_build();
        printf("%d passed, %d failed\n", harness_passed, harness_failed);
        return harness_failed ? 1 : 0;
}
