/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "basic/log.h"

int log_verbose;

static void log_vprint(const char *prefix, int err, const char *fmt, va_list ap)
{
        char buf[2048];
        int saved = errno;

        vsnprintf(buf, sizeof(buf), fmt, ap);
        if (err)
                fprintf(stderr, "crashcart: %s%s: %s\n", prefix, buf, strerror(err < 0 ? -err : err));
        else
                fprintf(stderr, "crashcart: %s%s\n", prefix, buf);
        errno = saved;
}

void log_error(const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        log_vprint("", 0, fmt, ap);
        va_end(ap);
}

void log_error_errno(int err, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        log_vprint("", err, fmt, ap);
        va_end(ap);
}

void log_warning(const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        log_vprint("warning: ", 0, fmt, ap);
        va_end(ap);
}

void log_debug(const char *fmt, ...)
{
        va_list ap;

        if (!log_verbose)
                return;
        va_start(ap, fmt);
        log_vprint("", 0, fmt, ap);
        va_end(ap);
}

void fault_point(const char *name)
{
        const char *f = getenv("CRASHCART_FAULT_STOP");

        /* kill(getpid()), not raise(): raise() signals the thread glibc thinks it
         * is, stale in a child made with clone3. */
        if (f && strcmp(f, name) == 0)
                kill(getpid(), SIGSTOP);
}
