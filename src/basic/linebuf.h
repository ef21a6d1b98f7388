/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Output of many commands on one terminal, as `docker compose logs` shows it:
 * each line whole, with a prefix that says whose it is. Bytes of one stream go
 * in as they come; lines come out, each as one write of prefix, line and
 * newline, so that streams never mix within a line. A line longer than
 * LINEBUF_MAX is cut there; the last one of a stream gets its newline at the
 * end. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define LINEBUF_MAX (64u << 10)

struct linebuf {
        const char *prefix;     /* "name | ", not owned */
        int fd;                 /* where lines go */
        char *buf;              /* the line so far */
        size_t len;
};

#define LINEBUF_INIT(p, f) { .prefix = (p), .fd = (f) }

/* Takes n bytes; writes every line they complete. -errno of a failed write
 * (the bytes are taken all the same). */
int linebuf_feed(struct linebuf *b, const char *data, size_t n);
/* The stream ended: writes what is left as a last line. */
int linebuf_flush(struct linebuf *b);
void linebuf_done(struct linebuf *b);
