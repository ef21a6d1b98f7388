/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/fileio.h"
#include "basic/linebuf.h"

/* One write: the prefix, the line, the newline. */
static int emit(struct linebuf *b, const char *line, size_t n)
{
        size_t p = strlen(b->prefix);
        char *out = malloc(p + n + 1);
        int r;

        if (!out)
                return -ENOMEM;
        memcpy(out, b->prefix, p);
        memcpy(out + p, line, n);
        out[p + n] = '\n';
        r = write_full(b->fd, out, p + n + 1);
        free(out);
        return r;
}

static int append(struct linebuf *b, const char *data, size_t n)
{
        char *v;

        if (n == 0)
                return 0;
        v = realloc(b->buf, b->len + n);
        if (!v)
                return -ENOMEM;
        b->buf = v;
        memcpy(b->buf + b->len, data, n);
        b->len += n;
        return 0;
}

int linebuf_feed(struct linebuf *b, const char *data, size_t n)
{
        int r = 0, q;

        while (n > 0) {
                const char *nl = memchr(data, '\n', n);
                size_t take = nl ? (size_t)(nl - data) : n;

                /* Cut where the line reaches the limit. */
                if (b->len + take > LINEBUF_MAX) {
                        size_t room = LINEBUF_MAX - b->len;

                        q = append(b, data, room);
                        if (q == 0)
                                q = emit(b, b->buf, b->len);
                        if (q < 0 && r == 0)
                                r = q;
                        b->len = 0;
                        data += room, n -= room;
                        continue;
                }
                if (!nl) {
                        q = append(b, data, n);
                        return q < 0 ? q : r;
                }
                if (b->len > 0) {
                        q = append(b, data, take);
                        if (q == 0)
                                q = emit(b, b->buf, b->len);
                        b->len = 0;
                } else
                        q = emit(b, data, take);
                if (q < 0 && r == 0)
                        r = q;
                data += take + 1, n -= take + 1;
        }
        return r;
}

int linebuf_flush(struct linebuf *b)
{
        int r = 0;

        if (b->len > 0)
                r = emit(b, b->buf, b->len);
        b->len = 0;
        return r;
}

void linebuf_done(struct linebuf *b)
{
        free(b->buf);
        b->buf = NULL;
        b->len = 0;
}
