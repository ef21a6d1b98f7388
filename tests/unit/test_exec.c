/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Decisions of the exec path: users of the container, the command's environment,
 * the confinement read from /proc/PID/status. */
#include <stdlib.h>
#include <string.h>

#include "exec/cmdenv.h"
#include "exec/confinement.h"
#include "exec/userdb.h"
#include "harness.h"

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "# a comment\n"
                             "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
                             "broken line\n"
                             "app:x:1000:1000:App,,,:/home/app:/bin/sh\n"
                             "bad:x:notanumber:1::/:/bin/sh\n"
                             "nohome:x:1001:1001::\n";
static const char group[] = "root:x:0:\n"
                            "app:x:1000:\n"
                            "wheel:x:10:app,other\n"
                            "audio:x:29:other,app\n"
                            "staff:x:50:\n"
                            "dup:x:1000:app\n";

TEST(userdb)
{
        struct user_spec u;

        CHECK(userdb_resolve("app", passwd, group, &u) == 0);
        CHECK(u.uid == 1000 && u.gid == 1000);
        CHECK_STR(u.home, "/home/app");
        /* Supplementary: wheel and audio; its primary group listed again is not. */
        CHECK(u.n_groups == 2 && u.groups[0] == 10 && u.groups[1] == 29);

        CHECK(userdb_resolve("app:staff", passwd, group, &u) == 0);
        CHECK(u.uid == 1000 && u.gid == 50);
        CHECK(userdb_resolve("1000:7", passwd, group, &u) == 0);
        CHECK(u.uid == 1000 && u.gid == 7 && u.found_in_passwd);
        /* A number with no entry: allowed, gid 0, home /. */
        CHECK(userdb_resolve("4242", passwd, group, &u) == 0);
        CHECK(u.uid == 4242 && u.gid == 0 && !u.found_in_passwd);
        CHECK_STR(u.home, "/");
        CHECK(userdb_resolve("nohome", passwd, group, &u) == 0);
        CHECK_STR(u.home, "/");
        /* A container without /etc/passwd: numbers only. */
        CHECK(userdb_resolve("0", NULL, NULL, &u) == 0 && u.uid == 0);
        CHECK(userdb_resolve("root", NULL, NULL, &u) == -ESRCH);
        CHECK(userdb_resolve("5:5", NULL, NULL, &u) == 0 && u.uid == 5 && u.gid == 5);
        CHECK(userdb_resolve("5:wheel", NULL, NULL, &u) == -ENOENT);

        CHECK(userdb_resolve("nosuch", passwd, group, &u) == -ESRCH);
        CHECK(userdb_resolve("bad", passwd, group, &u) == -ESRCH);
        CHECK(userdb_resolve("app:nosuch", passwd, group, &u) == -ENOENT);
        CHECK(userdb_resolve("", passwd, group, &u) == -EINVAL);
        CHECK(userdb_resolve(":5", passwd, group, &u) == -EINVAL);
        CHECK(userdb_resolve("app:", passwd, group, &u) == -EINVAL);
        CHECK(userdb_resolve("4294967295", passwd, group, &u) == -ESRCH);
}

TEST(cmdenv)
{
        static const char target[] = "PATH=/usr/bin:/bin\0HOSTNAME=web\0LANG=C.UTF-8\0junk\0HOME=/srv\0";
        char *sets[] = { "LANG=en_US.UTF-8", "EXTRA=1=2" };
        struct cmdenv e;

        CHECK(cmdenv_build(NULL, 0, "xterm", NULL, 0, &e) == 0);
        CHECK(e.n == 3);
        CHECK_STR(cmdenv_get(&e, "TERM"), "xterm");
        CHECK_STR(cmdenv_get(&e, "PATH"), CMDENV_DEFAULT_PATH);
        CHECK_STR(cmdenv_get(&e, "HOME"), "/root");
        CHECK(!e.home_given);
        CHECK(e.v[e.n] == NULL);
        cmdenv_done(&e);

        /* Nothing of crashcart's own environment: no TERM when there is none. */
        CHECK(cmdenv_build(NULL, 0, NULL, NULL, 0, &e) == 0);
        CHECK(cmdenv_get(&e, "TERM") == NULL && e.n == 2);
        cmdenv_done(&e);

        CHECK(cmdenv_build(target, sizeof(target) - 1, "dumb", sets, 2, &e) == 0);
        CHECK_STR(cmdenv_get(&e, "PATH"), CART_PATH_PREFIX ":/usr/bin:/bin");
        CHECK_STR(cmdenv_get(&e, "HOSTNAME"), "web");
        CHECK_STR(cmdenv_get(&e, "LANG"), "en_US.UTF-8");
        CHECK_STR(cmdenv_get(&e, "EXTRA"), "1=2");
        CHECK_STR(cmdenv_get(&e, "HOME"), "/srv");
        CHECK(e.home_given);
        CHECK(cmdenv_get(&e, "junk") == NULL);
        cmdenv_done(&e);

        /* What the container's environment may not hand to the cart's programs;
         * the user's --env may. */
        {
                static const char hostile[] = "LD_PRELOAD=/tmp/x.so\0LD_LIBRARY_PATH=/tmp\0LD_AUDIT=/a.so\0"
                                              "BASH_ENV=/tmp/rc\0BASH_FUNC_getent%%=() { id; }\0PYTHONPATH=/tmp\0"
                                              "GCONV_PATH=/tmp\0GLIBC_TUNABLES=x\0OPENSSL_MODULES=/tmp\0ENV=/x\0"
                                              "PERL5OPT=-d\0LDFLAGS=-s\0TZ=UTC\0ENVIRONMENT=prod\0"
                                              "LESSOPEN=|/tmp/x %s\0PROMPT_COMMAND=id\0MANPAGER=sh\0EDITOR=x\0"
                                              "PATH=/dev/crashcart/sbin:/dev/crashcart/binX:/bin\0";
                char *mine[] = { "LD_DEBUG=libs" };

                CHECK(cmdenv_build(hostile, sizeof(hostile) - 1, NULL, mine, 1, &e) == 0);
                CHECK(cmdenv_get(&e, "LD_PRELOAD") == NULL);
                CHECK(cmdenv_get(&e, "LD_LIBRARY_PATH") == NULL);
                CHECK(cmdenv_get(&e, "LD_AUDIT") == NULL);
                CHECK(cmdenv_get(&e, "BASH_ENV") == NULL);
                CHECK(cmdenv_get(&e, "BASH_FUNC_getent%%") == NULL);
                CHECK(cmdenv_get(&e, "PYTHONPATH") == NULL);
                CHECK(cmdenv_get(&e, "GCONV_PATH") == NULL);
                CHECK(cmdenv_get(&e, "GLIBC_TUNABLES") == NULL);
                CHECK(cmdenv_get(&e, "OPENSSL_MODULES") == NULL);
                CHECK(cmdenv_get(&e, "ENV") == NULL);
                CHECK(cmdenv_get(&e, "PERL5OPT") == NULL);
                CHECK_STR(cmdenv_get(&e, "LDFLAGS"), "-s");
                CHECK_STR(cmdenv_get(&e, "TZ"), "UTC");
                CHECK_STR(cmdenv_get(&e, "ENVIRONMENT"), "prod");
                CHECK_STR(cmdenv_get(&e, "LD_DEBUG"), "libs");
                CHECK(cmdenv_get(&e, "LESSOPEN") == NULL);
                CHECK(cmdenv_get(&e, "PROMPT_COMMAND") == NULL);
                CHECK(cmdenv_get(&e, "MANPAGER") == NULL);
                CHECK(cmdenv_get(&e, "EDITOR") == NULL);
                /* A PATH that only looks like it starts with the cart's. */
                CHECK_STR(cmdenv_get(&e, "PATH"), CART_PATH_PREFIX ":/dev/crashcart/sbin:/dev/crashcart/binX:/bin");
                cmdenv_done(&e);
        }
}

TEST(confine)
{
        struct confinement c;
        const char status[] = "Name:\tsleep\nNoNewPrivs:\t1\nSeccomp:\t2\nSeccomp_filters:\t1\n"
                              "CapInh:\t0000000000000000\nCapPrm:\t00000000a80425fb\nCapEff:\t00000000a80425fb\n"
                              "CapBnd:\t00000000a80425fb\nCapAmb:\t0000000000000000\n";

        CHECK(confinement_parse_status(status, &c) == 0);
        CHECK(c.cap_bnd == 0xa80425fbULL && c.cap_eff == 0xa80425fbULL && c.cap_inh == 0);
        CHECK(c.no_new_privs && c.seccomp_mode == 2);
        CHECK(confinement_parse_status("Name:\tx\nCapInh:\tzz\n", &c) == -EINVAL);
        CHECK(confinement_parse_status("Name:\tx\n", &c) == -ENOENT);
}
