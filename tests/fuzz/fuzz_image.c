/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: superblock recognition. The first 8 bytes are the file size. */
#include <stdint.h>
#include <string.h>

#include "cart/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct image_probe p;
        uint64_t file_size;

        if (size < 8)
                return 0;
        memcpy(&file_size, data, 8);
        image_probe(data + 8, size - 8, file_size, &p);
        image_probe(data + 8, size - 8, size - 8, &p);
        return 0;
}
