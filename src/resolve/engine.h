/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Docker Engine API, which Podman serves too: replies parsed with json-c.
 * The parsers are exposed for unit tests and fuzzing. */
#pragma once

#include <stddef.h>

#include "resolve/resolve.h"

/* GET /containers/ID/json: adds the one container it describes. */
int docker_parse_inspect(const char *body, size_t len, const char *runtime, struct candidates *out);
/* GET /containers/json?all=1: adds every container whose id starts with prefix. */
/* prefix NULL: every container. */
int docker_parse_list(const char *body, size_t len, const char *runtime, const char *prefix, struct candidates *out);
/* The message of an error reply ({"message": "..."}), or NULL. Caller frees. */
char *docker_parse_message(const char *body, size_t len);
