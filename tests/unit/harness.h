/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small test harness: each CHECK counts; the run ends with "N passed, N failed". */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>

extern int harness_passed, harness_failed;
extern const char *harness_fixtures;

#define CHECK(cond)                                                                                      \
        do {                                                                                             \
                if (cond)                                                                                \
                        harness_passed++;                                                                \
                else {                                                                                   \
                        harness_failed++;                                                                \
                        fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                  \
                }                                                                                        \
        } while (0)

#define CHECK_STR(a, b)                                                                                  \
        do {                                                                                             \
                const char *_a = (a), *_b = (b);                                                         \
                if (_a && _b && strcmp(_a, _b) == 0)                                                     \
                        harness_passed++;                                                                \
                else {                                                                                   \
                        harness_failed++;                                                                \
                        fprintf(stderr, "FAIL %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, \
                                _a ? _a : "(null)", _b ? _b : "(null)");                                 \
                }                                                                                        \
        } while (0)

/* Reads a fixture file into a malloc'd, NUL-terminated buffer (with room for one
 * more byte). */
char *fixture(const char *name, size_t *ret_len);

void test_procfs(void);
void test_image(void);
void test_http_docker(void);
void test_resolve(void);
void test_session(void);
void test_runtimes(void);
void test_exec(void);
void test_build(void);
