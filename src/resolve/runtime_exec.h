/* SPDX-License-Identifier: GPL-2.0-or-later */
/* -e: the command line of a runtime's own exec (docker exec, podman exec, ctr task
 * exec, crictl exec, runc exec, crun exec, lxc-attach). */
#pragma once

#include <stdbool.h>

/* Builds argv (NULL-terminated; free with free() of the array only: the strings
 * are the arguments' or static) for running cmd in container id of runtime.
 * ns is the candidate's ns (containerd namespace, runc root, LXC path). exec_id
 * names the exec for ctr. -EOPNOTSUPP: the runtime has no exec of its own. */
int runtime_exec_argv(const char *runtime, const char *id, const char *ns, char *const *cmd, bool tty,
                      const char *exec_id, char ***ret_argv);
