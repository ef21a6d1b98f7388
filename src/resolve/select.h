/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which containers --all runs in: running ones that a runtime knows by id,
 * whose name matches a glob and that carry every label asked for. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "resolve/resolve.h"

struct selector {
        const char *name_glob;  /* fnmatch(3) on the name (the id where there is none); NULL: any */
        char *const *labels;    /* "KEY=VALUE" (that value) or "KEY" (any value): all must match */
        size_t n_labels;
};

/* Whether the candidate carries the label: kv is KEY=VALUE or KEY. */
bool candidate_has_label(const struct candidate *c, const char *kv);

/* Whether --all takes the candidate: running, a container of a runtime (not a
 * bare PID nor a cgroup-scan hit), name and labels matching. */
bool selector_matches(const struct selector *s, const struct candidate *c);

/* The name --all shows for a candidate: its name, else the first 12 digits of its id. */
const char *candidate_display_name(const struct candidate *c, char *buf, size_t size);
