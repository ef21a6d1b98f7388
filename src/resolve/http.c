/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include "basic/fileio.h"
#include "basic/macro.h"
#include "resolve/http.h"

static bool header_is(const char *line, size_t len, const char *name, const char *value)
{
        size_t n = strlen(name);
        const char *v;

        if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
                return false;
        v = line + n + 1;
        while (v < line + len && (*v == ' ' || *v == '\t'))
                v++;
        return (size_t)(line + len - v) >= strlen(value) && strncasecmp(v, value, strlen(value)) == 0;
}

static int dechunk(char *body, size_t len, size_t *ret_len)
{
        size_t r = 0, w = 0;

        for (;;) {
                unsigned long long sz;
                char *end;

                if (r >= len)
                        return -EBADMSG;
                if (!((body[r] >= '0' && body[r] <= '9') || (body[r] >= 'a' && body[r] <= 'f') ||
                      (body[r] >= 'A' && body[r] <= 'F')))
                        return -EBADMSG;
                errno = 0;
                sz = strtoull(body + r, &end, 16);
                if (errno == ERANGE || sz > len)
                        return -EBADMSG;
                end = memchr(end, '\n', len - (size_t)(end - body));
                if (!end)
                        return -EBADMSG;
                r = (size_t)(end - body) + 1;
                if (sz == 0)
                        break;
                if (sz > len - r)
                        return -EBADMSG;
                memmove(body + w, body + r, sz);
                w += sz;
                r += sz;
                if (r < len && body[r] == '\r')
                        r++;
                if (r < len && body[r] == '\n')
                        r++;
        }
        body[w] = 0;
        *ret_len = w;
        return 0;
}

int http_parse_reply(char *buf, size_t len, int *ret_status, char **ret_body, size_t *ret_len)
{
        char *hdr_end, *line, *body;
        bool chunked = false;
        size_t blen;
        int status;

        if (len < 12 || strncmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ')
                return -EBADMSG;
        if (buf[9] < '1' || buf[9] > '5' || buf[10] < '0' || buf[10] > '9' || buf[11] < '0' || buf[11] > '9')
                return -EBADMSG;
        status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');

        hdr_end = memmem(buf, len, "\r\n\r\n", 4);
        if (!hdr_end)
                return -EBADMSG;
        for (line = memchr(buf, '\n', len); line && line < hdr_end; line = memchr(line, '\n', (size_t)(hdr_end - line))) {
                char *eol;

                line++;
                if (line >= hdr_end)
                        break;
                eol = memchr(line, '\r', (size_t)(hdr_end - line) + 1);
                if (!eol)
                        break;
                if (header_is(line, (size_t)(eol - line), "Transfer-Encoding", "chunked"))
                        chunked = true;
        }
        body = hdr_end + 4;
        blen = len - (size_t)(body - buf);
        body[blen] = 0;
        if (chunked) {
                int r = dechunk(body, blen, &blen);

                if (r < 0)
                        return r;
        }
        *ret_status = status;
        *ret_body = body;
        *ret_len = blen;
        return 0;
}

int http_get_unix(const char *socket_path, const char *path, int *ret_status, char **ret_body, size_t *ret_len)
{
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct timeval tv = { .tv_sec = 15 };
        char req[2048];
        size_t len = 0;
        char *body;
        int status, n, r;

        if (strlen(socket_path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, socket_path);
        n = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: localhost\r\nUser-Agent: crashcart\r\n\r\n", path);
        if (n < 0 || (size_t)n >= sizeof(req))
                return -ENAMETOOLONG;

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return NEG_ERRNO();
        /* A daemon that hangs must not hang crashcart during an incident. */
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return NEG_ERRNO();
        r = write_full(fd, req, (size_t)n);
        if (r < 0)
                return r;

        r = read_full_fd(fd, HTTP_REPLY_MAX, &buf, &len);
        if (r == -EAGAIN)
                return -ETIMEDOUT; /* SO_RCVTIMEO */
        if (r < 0)
                return r;
        if (len == 0)
                return -EBADMSG;
        buf[len] = 0;
        r = http_parse_reply(buf, len, &status, &body, ret_len);
        if (r < 0)
                return r;
        memmove(buf, body, *ret_len + 1);
        *ret_status = status;
        *ret_body = TAKE_PTR(buf);
        return 0;
}
