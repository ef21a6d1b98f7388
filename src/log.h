/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "macro.h"

/* Set by main from -v; modules may log at debug level, never at error level. */
extern int log_verbose;

void log_error(const char *fmt, ...) _printf_(1, 2);
/* Appends ": <strerror(-err)>" to the message. */
void log_error_errno(int err, const char *fmt, ...) _printf_(2, 3);
void log_warning(const char *fmt, ...) _printf_(1, 2);
void log_debug(const char *fmt, ...) _printf_(1, 2);
