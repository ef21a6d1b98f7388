/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A minimal HTTP/1.0 client over a unix socket, for runtime APIs (Docker's and
 * Podman's). HTTP/1.0 replies end at connection close; a chunked reply is decoded
 * all the same. */
#pragma once

#include <stddef.h>

#define HTTP_REPLY_MAX (32u << 20)

/* GETs path; *ret_body is NUL-terminated. -ENOENT/-ECONNREFUSED when nothing
 * listens on the socket. */
int http_get_unix(const char *socket_path, const char *path, int *ret_status, char **ret_body, size_t *ret_len);

/* Splits a raw reply into status and body (decoding chunked transfer); buf is
 * modified and must have room for a NUL at buf[len]. Exposed for unit tests and
 * fuzzing. */
int http_parse_reply(char *buf, size_t len, int *ret_status, char **ret_body, size_t *ret_len);
