/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>

#include "basic/fileio.h"
#include "basic/json.h"

json_object *json_parse(const char *text, size_t len)
{
        json_tokener *tok;
        json_object *o;

        if (len > 0x7fffffff)
                return NULL;
        tok = json_tokener_new();
        if (!tok)
                return NULL;
        o = json_tokener_parse_ex(tok, text, (int)len);
        if (o && json_tokener_get_error(tok) != json_tokener_success) {
                json_object_put(o);
                o = NULL;
        }
        json_tokener_free(tok);
        return o;
}

json_object *json_read_at(int dirfd, const char *path, size_t max)
{
        _cleanup_free_ char *text = NULL;
        size_t len;

        if (read_full_fileat(dirfd, path, max, &text, &len) < 0)
                return NULL;
        return json_parse(text, len);
}

const char *json_get_string(json_object *o, const char *key)
{
        json_object *v;

        if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

int64_t json_get_int(json_object *o, const char *key)
{
        json_object *v;

        if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
                return -1;
        return json_object_get_int64(v);
}
