/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json-c, the way the resolvers read runtime state and API replies: a whole
 * document or nothing, and typed getters that answer NULL or 0 for a key that is
 * missing or of another type (the documents are untrusted). */
#pragma once

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/macro.h"

static inline void json_putp(json_object **o)
{
        if (*o)
                json_object_put(*o);
}
#define _cleanup_json_ _cleanup_(json_putp)

/* Parses len bytes as one JSON document; NULL when it is not one. */
json_object *json_parse(const char *text, size_t len);
/* Reads and parses a file relative to dirfd, of at most max bytes. */
json_object *json_read_at(int dirfd, const char *path, size_t max);

const char *json_get_string(json_object *o, const char *key);
/* An integer member; -1 when missing or not an integer (a state file that does
 * not record a value, told apart from a value of 0). */
int64_t json_get_int(json_object *o, const char *key);
