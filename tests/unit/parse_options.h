/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The unit tests' command line: PARSE(&o, "-v", "ID") parses the words after
 * "crashcart". The argument vector lives on until the next parse, as main's
 * does: the options point into it. */
#pragma once

#include <stdarg.h>

#include "basic/macro.h"
#include "crashcart/options.h"

static inline int parse_options(struct options *o, ...)
{
        static char *argv[32];
        int argc = 0;
        va_list ap;

        argv[argc++] = "crashcart";
        va_start(ap, o);
        while (argc < (int)ELEMENTSOF(argv) - 1 && (argv[argc] = va_arg(ap, char *)))
                argc++;
        va_end(ap);
        argv[argc] = NULL;
        return options_parse(argc, argv, o);
}
#define PARSE(o, ...) parse_options((o), __VA_ARGS__, (char *)NULL)
