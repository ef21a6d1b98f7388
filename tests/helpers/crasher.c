/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A program that dies of SIGSEGV in a function of its own, crash_here(), called
 * from main through a libc function (qsort's comparison), so that a backtrace
 * of its core names its own function and its libc's. Built against glibc,
 * dynamically (crasher-glibc), for a container whose libc is its own. */
#include <stdio.h>
#include <stdlib.h>

int crash_here(const void *a, const void *b);

__attribute__((noinline)) int crash_here(const void *a, const void *b)
{
        volatile int *nowhere = (volatile int *)(*(const long *)a - *(const long *)b);

        *nowhere = 42;
        return 0;
}

int main(int argc, char **argv)
{
        long v[2] = { 7, 7 };

        (void)argv;
        printf("crashing in crash_here (argc %d)\n", argc);
        fflush(stdout);
        qsort(v, 2, sizeof(v[0]), crash_here);
        return 0;
}
