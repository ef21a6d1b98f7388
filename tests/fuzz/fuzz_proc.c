/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: the parsers of /proc files (mountinfo, cgroup, uid_map, stat, status). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "basic/procfs.h"
#include "exec/confinement.h"

static int count_cb(const struct mountinfo_entry *e, void *userdata)
{
        (*(size_t *)userdata) += strlen(e->mount_point) + strlen(e->optional) + mountinfo_peer_group(e);
        return 0;
}

static int cg_cb(const struct cgroup_entry *e, void *userdata)
{
        (*(size_t *)userdata) += strlen(e->path) + strlen(e->controllers);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1), *copy;
        struct mountinfo_entry e;
        struct confinement c;
        size_t sink = 0;
        uint32_t out;
        uint64_t st;

        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = 0;

        copy = strdup(s);
        mountinfo_foreach(copy, count_cb, &sink);
        free(copy);
        copy = strdup(s);
        mountinfo_find_mount_point(copy, "/dev/crashcart", &e);
        free(copy);
        copy = strdup(s);
        mountinfo_find_id(copy, 47, &e);
        free(copy);
        copy = strdup(s);
        mountinfo_has_group(copy, 5);
        free(copy);
        copy = strdup(s);
        cgroup_foreach(copy, cg_cb, &sink);
        free(copy);
        idmap_to_outside(s, 0, &out);
        idmap_to_outside(s, 65535, &out);
        idmap_is_identity(s);
        proc_stat_starttime(s, &st);
        confinement_parse_status(s, &c);
        free(s);
        return 0;
}
