/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: what a user types as ID, cgroup path components, nspawn command
 * lines, users of the container (passwd/group), session files, environments. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cart/session.h"
#include "exec/cmdenv.h"
#include "exec/userdb.h"
#include "resolve/resolve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct session sess;
        char *s = malloc(size + 1), *group, name[256];
        const char *rt, *id;
        struct user_spec u;
        struct cmdenv env;
        size_t n;

        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = 0;

        id = resolve_strip_scheme(s, &rt);
        resolve_id_is_valid(id);
        resolve_match(s, "abc");
        cgroup_component_id(s, strlen(s), &id);
        nspawn_machine_name(s, size, name, sizeof(name));
        session_parse(s, &sess);
        if (cmdenv_build(s, size, NULL, 0, "xterm", NULL, 0, &env) == 0)
                cmdenv_done(&env);

        /* passwd, then a NUL, then group, then a NUL, then the spec. */
        n = strlen(s);
        group = n < size ? s + n + 1 : s + n;
        {
                const char *spec = group + strlen(group) < s + size ? group + strlen(group) + 1 : "root";

                userdb_resolve(spec, s, group, &u);
                userdb_resolve("app:wheel", s, group, &u);
                userdb_resolve("1000", s, NULL, &u);
        }
        free(s);
        return 0;
}
