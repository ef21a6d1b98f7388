/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "resolve/runtime_exec.h"

int runtime_exec_argv(const char *runtime, const char *id, const char *ns, char *const *cmd, bool tty,
                      const char *exec_id, char ***ret_argv)
{
        size_t argc = 0, n = 0;
        char **v;

        while (cmd[argc])
                argc++;
        v = calloc(argc + 12, sizeof(char *));
        if (!v)
                return -ENOMEM;

        if (strcmp(runtime, "docker") == 0 || strcmp(runtime, "podman") == 0 || strcmp(runtime, "cri-o") == 0) {
                v[n++] = strcmp(runtime, "cri-o") == 0 ? "crictl" : (char *)runtime;
                v[n++] = "exec";
                v[n++] = tty ? "-it" : "-i";
                v[n++] = (char *)id;
        } else if (strcmp(runtime, "containerd") == 0) {
                v[n++] = "ctr";
                v[n++] = "--namespace";
                v[n++] = (char *)(ns ? ns : "default");
                v[n++] = "task";
                v[n++] = "exec";
                v[n++] = "--exec-id";
                v[n++] = (char *)exec_id;
                if (tty)
                        v[n++] = "--tty";
                v[n++] = (char *)id;
        } else if (strcmp(runtime, "runc") == 0 || strcmp(runtime, "crun") == 0) {
                v[n++] = (char *)runtime;
                if (ns) {
                        v[n++] = "--root";
                        v[n++] = (char *)ns;
                }
                v[n++] = "exec";
                if (tty)
                        v[n++] = "--tty";
                v[n++] = (char *)id;
        } else if (strcmp(runtime, "lxc") == 0) {
                v[n++] = "lxc-attach";
                if (ns) {
                        v[n++] = "-P";
                        v[n++] = (char *)ns;
                }
                v[n++] = "-n";
                v[n++] = (char *)id;
                v[n++] = "--";
        } else {
                free(v);
                return -EOPNOTSUPP;
        }
        for (size_t i = 0; i < argc; i++)
                v[n++] = cmd[i];
        v[n] = NULL;
        *ret_argv = v;
        return 0;
}
