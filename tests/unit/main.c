/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The unit tests' runner: every TEST in the order of its file and line, TAP out.
 *   unit-tests [FIXTURES [NAME...]]   only the tests named, when names are given */
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>

#include "basic/fileio.h"
#include "harness.h"

const char *harness_fixtures = "tests/fixtures";
static struct harness_test *tests;
static unsigned current_failures;

void harness_register(struct harness_test *t)
{
        struct harness_test **p = &tests;

        /* Constructors run in no promised order: keep the list sorted by file,
         * then by registration within a file (which follows the source). */
        while (*p && strcmp((*p)->file, t->file) <= 0)
                p = &(*p)->next;
        t->next = *p;
        *p = t;
}

void harness_fail(const char *file, int line, const char *fmt, ...)
{
        va_list ap;

        current_failures++;
        printf("# FAIL %s:%d: ", file, line);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
}

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

static bool wanted(const char *name, int argc, char **argv)
{
        if (argc <= 2)
                return true;
        for (int i = 2; i < argc; i++)
                if (strcmp(argv[i], name) == 0)
                        return true;
        return false;
}

int main(int argc, char **argv)
{
        unsigned n = 0, passed = 0, failed = 0;

        if (argc > 1)
                harness_fixtures = argv[1];
        setvbuf(stdout, NULL, _IOLBF, 0);
        for (struct harness_test *t = tests; t; t = t->next) {
                if (!wanted(t->name, argc, argv))
                        continue;
                current_failures = 0;
                t->fn();
                n++;
                if (current_failures == 0) {
                        passed++;
                        printf("ok %u - %s\n", n, t->name);
                } else {
                        failed++;
                        printf("not ok %u - %s\n", n, t->name);
                }
        }
        printf("1..%u\n", n);
        printf("%u passed, %u failed\n", passed, failed);
        return failed ? 1 : 0;
}
