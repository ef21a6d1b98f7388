/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: runtime state files. The input is written as Podman's containers.json,
 * runc's state.json, crun's status and a containerd init.pid in a scratch tree,
 * and every resolver reads the tree. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/fileio.h"
#include "resolve/resolve.h"

static char root[4096];
static int root_fd = -1;

static void put(const char *path, const uint8_t *data, size_t size)
{
        int fd = openat(root_fd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        if (fd >= 0) {
                write_full(fd, data, size);
                close(fd);
        }
}

static void mkdirs(const char *const *dirs)
{
        for (; *dirs; dirs++)
                mkdirat(root_fd, *dirs, 0755);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char *const dirs[] = {
                "var", "var/lib", "var/lib/containers", "var/lib/containers/storage",
                "var/lib/containers/storage/overlay-containers", "run", "run/runc", "run/runc/c1", "run/crun",
                "run/crun/c2", "run/containerd", "run/containerd/io.containerd.runtime.v2.task",
                "run/containerd/io.containerd.runtime.v2.task/ns", "run/containerd/io.containerd.runtime.v2.task/ns/c3",
                "proc", "proc/1", NULL,
        };
        struct resolve_ctx ctx;
        struct candidates c = {};

        if (root_fd < 0) {
                const char *tmp = getenv("TMPDIR");

                snprintf(root, sizeof(root), "%s/crashcart-fuzz-state-XXXXXX", tmp && *tmp ? tmp : "/tmp");
                if (!mkdtemp(root))
                        abort();
                root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
                mkdirs(dirs);
                put("proc/1/stat", (const uint8_t *)"1 (init) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0\n", 54);
        }
        ctx = (struct resolve_ctx){ .root_fd = root_fd };
        put("var/lib/containers/storage/overlay-containers/containers.json", data, size);
        put("run/runc/c1/state.json", data, size);
        put("run/crun/c2/status", data, size);
        put("run/containerd/io.containerd.runtime.v2.task/ns/c3/init.pid", data, size);

        resolve_list(&ctx, NULL, &c);
        candidates_done(&c);
        {
                char *asked = NULL;

                resolve_id(&ctx, "c1", NULL, &c, &asked);
                free(asked);
                candidates_done(&c);
        }
        return 0;
}
