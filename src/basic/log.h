/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "basic/macro.h"

/* Set by main from -v; modules may log at debug level, never at error level. */
extern int log_verbose;

void log_error(const char *fmt, ...) _printf_(1, 2);
/* Appends ": <strerror(-err)>" to the message. */
void log_error_errno(int err, const char *fmt, ...) _printf_(2, 3);
void log_warning(const char *fmt, ...) _printf_(1, 2);
void log_debug(const char *fmt, ...) _printf_(1, 2);

/* Fault injection for the tests: when $CRASHCART_FAULT_STOP names this point,
 * crashcart stops itself (SIGSTOP) right there, so that a test can kill it, or
 * change the world under it, at that exact step, and then let it go on. */
void fault_point(const char *name);
