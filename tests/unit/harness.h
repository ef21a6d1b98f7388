/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small TAP harness. A test is a TEST(name) block in any file of tests/unit,
 * registered by a constructor, so that a new file needs no list to be edited.
 * Each CHECK in it that fails prints a "# " diagnostic line; the test is "ok" when
 * none failed. The run prints "ok N - name" / "not ok N - name", the plan, and
 * ends with "N passed, N failed" (tests, not checks). */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct harness_test {
        const char *name;
        const char *file;
        void (*fn)(void);
        struct harness_test *next;
};

void harness_register(struct harness_test *t);
void harness_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
extern const char *harness_fixtures;

#define TEST(name)                                                                               \
        static void test_##name(void);                                                           \
        static struct harness_test harness_##name = { #name, __FILE__, test_##name, NULL };      \
        __attribute__((constructor)) static void harness_register_##name(void)                  \
        {                                                                                        \
                harness_register(&harness_##name);                                               \
        }                                                                                        \
        static void test_##name(void)

#define CHECK(cond)                                                      \
        do {                                                             \
                if (!(cond))                                             \
                        harness_fail(__FILE__, __LINE__, "%s", #cond);   \
        } while (0)

#define CHECK_STR(a, b)                                                                                  \
        do {                                                                                             \
                const char *_a = (a), *_b = (b);                                                         \
                if (!_a || !_b || strcmp(_a, _b) != 0)                                                   \
                        harness_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", #a,            \
                                     _a ? _a : "(null)", _b ? _b : "(null)");                            \
        } while (0)

/* Reads a fixture file into a malloc'd, NUL-terminated buffer (with room for one
 * more byte). */
char *fixture(const char *name, size_t *ret_len);
