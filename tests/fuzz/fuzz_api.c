/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: HTTP replies and the Docker/Podman API's JSON, and what a stopped
 * container or an image is on disk (OCI configs, containers/storage's layers.json,
 * an image's config blob and the names of its big-data files). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "resolve/engine.h"
#include "resolve/http.h"
#include "resolve/resolve.h"
#include "resolve/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct candidates c = {};
        char *buf = malloc(size + 1), *body, *m;
        size_t blen;
        int status;

        if (!buf)
                return 0;
        memcpy(buf, data, size);
        buf[size] = 0;
        docker_parse_inspect(buf, size, "docker", &c);
        docker_parse_list(buf, size, "docker", "a", &c);
        docker_parse_list(buf, size, "podman", NULL, &c);
        m = docker_parse_message(buf, size);
        free(m);
        candidates_dedup(&c);
        candidates_prefer_exact(&c, 0, "a");
        candidates_done(&c);
        {
                struct container_spec s = {};

                if (spec_parse_engine_inspect(buf, size, &s) == 0)
                        container_spec_done(&s);
                if (spec_parse_oci_config(buf, size, "/b", NULL, &s) == 0)
                        container_spec_done(&s);
                spec_parse_storage_layers(buf, size, "/st", "aa", &s);
                container_spec_done(&s);
                spec_parse_image_config(buf, size, &s);
                container_spec_done(&s);
                /* LXC's config and an nspawn machine's settings: root's files, but
                 * parsed as the text they are. */
                if (spec_parse_lxc_config(buf, size, &s) == 0)
                        container_spec_done(&s);
                spec_parse_nspawn_settings(buf, size, &s);
                container_spec_done(&s);
                spec_image_ref_is_valid(buf);
                {
                        char name[128];

                        spec_storage_big_data_name(buf, name, sizeof(name));
                }
        }
        /* Last: it changes the buffer. */
        if (http_parse_reply(buf, size, &status, &body, &blen) == 0 && blen > size)
                abort();
        free(buf);
        return 0;
}
