/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: the ELF core parser (src/coredump/elfcore.c), on a core that a
 * container's process left: every byte of it is the container's. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "coredump/elfcore.h"

struct buf {
        const uint8_t *data;
        size_t size;
};

static ssize_t buf_read(void *userdata, void *out, size_t len, uint64_t offset)
{
        const struct buf *b = userdata;

        if (offset >= b->size)
                return 0;
        if (len > b->size - offset)
                len = b->size - (size_t)offset;
        memcpy(out, b->data + offset, len);
        return (ssize_t)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct buf b = { data, size };
        struct elfcore_info info;

        if (elfcore_parse(buf_read, &b, &info) == 0) {
                /* Whatever came back is a string that ends. */
                if (info.exe)
                        (void)strlen(info.exe);
                if (info.execfn)
                        (void)strlen(info.execfn);
                (void)strlen(info.fname);
                (void)strlen(info.psargs);
                elfcore_info_done(&info);
        }
        return 0;
}
