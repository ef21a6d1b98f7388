/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Messages to standard error, in err(3) form: "PROGRAM: message: strerror".
 * The program names itself (log_set_program), so crashcart and crashcart-build
 * share this whatever their files are called (crashcart-static is crashcart).
 * Library code logs at debug level only; the command
 * layer logs errors, once. The *_errno forms return the error they were given
 * (negative), so that a caller writes: return log_error_errno(r, "cannot ..."). */
#pragma once

#include <stdbool.h>

#include "basic/macro.h"

/* Set by the programs from -v: 1 says what is done, 2 more. */
extern int log_verbose;

/* The name messages start with; until set, the file's name. */
void log_set_program(const char *name);

void log_error(const char *fmt, ...) _printf_(1, 2);
/* Appends ": <strerror(-err)>" to the message; returns err as a negative errno. */
int log_error_errno(int err, const char *fmt, ...) _printf_(2, 3);
void log_warning(const char *fmt, ...) _printf_(1, 2);
int log_warning_errno(int err, const char *fmt, ...) _printf_(2, 3);
void log_debug(const char *fmt, ...) _printf_(1, 2);
/* What the user is told whatever -v: a line that says what crashcart does
 * instead of what was perhaps expected. */
void log_notice(const char *fmt, ...) _printf_(1, 2);

/* Fault injection for the tests: when $CRASHCART_FAULT_STOP names this point,
 * crashcart stops itself (SIGSTOP) right there, so that a test can kill it, or
 * change the world under it, at that exact step, and then let it go on. */
void fault_point(const char *name);

/* For the security tests' positive controls: true when $CRASHCART_FAULT_DISABLE
 * (a comma-separated list) names this check, which is then skipped, so that a
 * test can show the attack it stops working without it. */
bool fault_disabled(const char *check);
