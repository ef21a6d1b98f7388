/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A hostile container's process for the tests: tries, in a tight loop, to make a
 * directory in its read-only /dev, and exits 0 the moment it can (the directory
 * stays as the proof). It runs until it wins or is killed. */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

int main(void)
{
        for (unsigned long n = 0;; n++) {
                if (mkdir("/dev/pwned", 0755) == 0 || errno == EEXIST) {
                        printf("written into /dev after %lu tries\n", n);
                        return 0;
                }
        }
}
