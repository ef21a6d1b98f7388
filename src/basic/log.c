/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/log.h"

int log_verbose;
static const char *program;

void log_set_program(const char *name)
{
        program = name;
}

static int log_vprint(const char *prefix, int err, const char *fmt, va_list ap)
{
        char buf[2048];
        int saved = errno;

        vsnprintf(buf, sizeof(buf), fmt, ap);
        if (err)
                fprintf(stderr, "%s: %s%s: %s\n", program ?: program_invocation_short_name, prefix, buf,
                        strerror(err < 0 ? -err : err));
        else
                fprintf(stderr, "%s: %s%s\n", program ?: program_invocation_short_name, prefix, buf);
        errno = saved;
        return err > 0 ? -err : err;
}

void log_error(const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        log_vprint("", 0, fmt, ap);
        va_end(ap);
}

int log_error_errno(int err, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        err = log_vprint("", err, fmt, ap);
        va_end(ap);
        return err;
}

void log_warning(const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        log_vprint("warning: ", 0, fmt, ap);
        va_end(ap);
}

int log_warning_errno(int err, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        err = log_vprint("warning: ", err, fmt, ap);
        va_end(ap);
        return err;
}

void log_notice(const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        log_vprint("", 0, fmt, ap);
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

bool fault_disabled(const char *check)
{
        const char *f = getenv("CRASHCART_FAULT_DISABLE");
        size_t n = strlen(check);

        for (const char *p = f; p && *p; p = strchr(p, ','), p = p ? p + 1 : NULL)
                if (strncmp(p, check, n) == 0 && (p[n] == ',' || p[n] == 0))
                        return true;
        return false;
}
