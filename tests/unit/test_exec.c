/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Decisions of the exec path: users of the container, the command's environment,
 * the confinement read from /proc/PID/status. */
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"
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

        CHECK(cmdenv_build(NULL, 0, NULL, 0, "xterm", NULL, 0, &e) == 0);
        CHECK(e.n == 4);
        CHECK_STR(cmdenv_get(&e, "TERM"), "xterm");
        CHECK_STR(cmdenv_get(&e, "PATH"), CMDENV_DEFAULT_PATH);
        CHECK_STR(cmdenv_get(&e, "HOME"), "/root");
        CHECK_STR(cmdenv_get(&e, "SHELL"), CART_SHELL);
        CHECK(!e.home_given);
        CHECK(e.v[e.n] == NULL);
        cmdenv_done(&e);

        /* Nothing of crashcart's own environment: no TERM when there is none. */
        CHECK(cmdenv_build(NULL, 0, NULL, 0, NULL, NULL, 0, &e) == 0);
        CHECK(cmdenv_get(&e, "TERM") == NULL && e.n == 3);
        cmdenv_done(&e);

        CHECK(cmdenv_build(target, sizeof(target) - 1, NULL, 0, "dumb", sets, 2, &e) == 0);
        CHECK_STR(cmdenv_get(&e, "PATH"), CART_PATH_PREFIX ":/usr/bin:/bin");
        CHECK_STR(cmdenv_get(&e, "HOSTNAME"), "web");
        CHECK_STR(cmdenv_get(&e, "LANG"), "en_US.UTF-8");
        CHECK_STR(cmdenv_get(&e, "EXTRA"), "1=2");
        CHECK_STR(cmdenv_get(&e, "HOME"), "/srv");
        CHECK(e.home_given);
        CHECK(cmdenv_get(&e, "junk") == NULL);
        /* The target's LANG is not taken (its catalogs are printf formats); the
         * junk and LANG are said to be left out. */
        CHECK(e.n_left_out == 2);
        CHECK_STR(e.left_out[0], "LANG");
        CHECK_STR(e.left_out[1], "junk");
        cmdenv_done(&e);

        /* An allowlist: what the cart's programs read as code, a program to run,
         * a file or a directory to load from, is left out, known or not; the
         * operator's --env may set it, and --env-from-target=NAME take it. */
        {
                static const char hostile[] =
                        "LD_PRELOAD=/tmp/x.so\0LD_LIBRARY_PATH=/tmp\0LD_AUDIT=/a.so\0"
                        "BASH_ENV=/tmp/rc\0BASH_FUNC_getent%%=() { id; }\0PYTHONPATH=/tmp\0"
                        "GCONV_PATH=/tmp\0GLIBC_TUNABLES=x\0OPENSSL_MODULES=/tmp\0ENV=/x\0"
                        "PERL5OPT=-d\0LDFLAGS=-s\0TZ=UTC\0ENVIRONMENT=prod\0APP_MODE=x\0APP_DB=y\0"
                        "LESSOPEN=|/tmp/x %s\0PROMPT_COMMAND=id\0MANPAGER=sh\0EDITOR=x\0"
                        "MAILPATH=/tmp/m?$(id)\0TAR_OPTIONS=--checkpoint-action=exec=/x\0SHELL=/bin/evil\0"
                        "XDG_CONFIG_HOME=/tmp\0LANGUAGE=de\0LC_ALL=de_DE\0HTTPS_PROXY=http://evil\0"
                        "PATH=/dev/crashcart/sbin:/dev/crashcart/binX:.::bin:/bin\0";
                char *mine[] = { "PAGER=less" };
                char *take[] = { "ENVIRONMENT", "APP_*", "LD_PRELOAD" };

                CHECK(cmdenv_build(hostile, sizeof(hostile) - 1, take, 3, NULL, mine, 1, &e) == 0);
                static const char *const never[] = {
                        "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "BASH_ENV", "BASH_FUNC_getent%%",
                        "PYTHONPATH", "GCONV_PATH", "GLIBC_TUNABLES", "OPENSSL_MODULES", "ENV", "PERL5OPT",
                        "LDFLAGS", "LESSOPEN", "PROMPT_COMMAND", "MANPAGER", "EDITOR", "MAILPATH",
                        "TAR_OPTIONS", "XDG_CONFIG_HOME", "LANGUAGE", "LC_ALL", "HTTPS_PROXY",
                };
                for (size_t i = 0; i < ELEMENTSOF(never); i++)
                        if (cmdenv_get(&e, never[i]))
                                harness_fail(__FILE__, __LINE__, "%s was taken", never[i]);
                CHECK_STR(cmdenv_get(&e, "TZ"), "UTC");
                CHECK_STR(cmdenv_get(&e, "ENVIRONMENT"), "prod");
                CHECK_STR(cmdenv_get(&e, "APP_MODE"), "x");
                CHECK_STR(cmdenv_get(&e, "APP_DB"), "y");
                CHECK_STR(cmdenv_get(&e, "PAGER"), "less");
                CHECK_STR(cmdenv_get(&e, "SHELL"), CART_SHELL);
                /* Relative directories and a PATH that only looks like the cart's. */
                CHECK_STR(cmdenv_get(&e, "PATH"), CART_PATH_PREFIX ":/dev/crashcart/binX:/bin");
                CHECK(e.n_left_out == ELEMENTSOF(never) + 1); /* and SHELL */
                cmdenv_done(&e);
        }

        /* A target with thousands of variables: none dropped for lack of room. */
        {
                _cleanup_free_ char *big = malloc(20000 * 24);
                char *take[] = { "V*" };
                size_t len = 0;

                for (int i = 0; i < 20000; i++)
                        len += (size_t)sprintf(big + len, "V%d=%0*d", i, 8, i) + 1;
                CHECK(cmdenv_build(big, len, take, 1, NULL, NULL, 0, &e) == 0);
                CHECK(e.n == 20000 + 3);
                CHECK_STR(cmdenv_get(&e, "V19999"), "00019999");
                cmdenv_done(&e);
        }

        /* TZ naming a file by path is not data. */
        CHECK(cmdenv_target_takes("TZ=Europe/Paris", NULL, 0));
        CHECK(!cmdenv_target_takes("TZ=:/proc/self/fd/0", NULL, 0));
        CHECK(!cmdenv_target_takes("TZ=/etc/fifo", NULL, 0));
        CHECK(!cmdenv_target_takes("TZ=../../tmp/x", NULL, 0));
        CHECK(cmdenv_is_loader("LD_DEBUG=x") && cmdenv_is_loader("GCONV_PATH") && !cmdenv_is_loader("LDFLAGS"));
        CHECK(cmdenv_name_is_valid("APP_*") && cmdenv_name_is_valid("_x1"));
        CHECK(!cmdenv_name_is_valid("*") && !cmdenv_name_is_valid("1A") && !cmdenv_name_is_valid("A-B") &&
              !cmdenv_name_is_valid("A*B"));
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

/* --confined: the target's LSM label, as /proc/PID/attr/{apparmor/,}current give it. */
TEST(confine_lsm_label)
{
        struct lsm_label l;
        static const char selinux[] = "system_u:system_r:container_t:s0:c12,c34";

        CHECK(confinement_parse_lsm_label("unconfined\n", 11, true, &l) == 0 && l.kind == LSM_NONE && !l.label);
        CHECK(confinement_parse_lsm_label("", 0, false, &l) == 0 && l.kind == LSM_NONE);
        CHECK(confinement_parse_lsm_label("docker-default (enforce)\n", 25, true, &l) == 0);
        CHECK(l.kind == LSM_APPARMOR);
        CHECK_STR(l.label, "docker-default");
        free(l.label);
        /* Older kernels: AppArmor's label in attr/current. */
        CHECK(confinement_parse_lsm_label("lxc-container-default-cgns (complain)\n", 38, false, &l) == 0);
        CHECK(l.kind == LSM_APPARMOR);
        CHECK_STR(l.label, "lxc-container-default-cgns");
        free(l.label);
        CHECK(confinement_parse_lsm_label("/usr/bin/app//null-hat (enforce)", 32, true, &l) == 0);
        CHECK_STR(l.label, "/usr/bin/app//null-hat");
        free(l.label);
        /* SELinux ends its context with a NUL. */
        CHECK(confinement_parse_lsm_label(selinux, sizeof(selinux), false, &l) == 0);
        CHECK(l.kind == LSM_SELINUX);
        CHECK_STR(l.label, selinux);
        free(l.label);
        /* Not AppArmor's form in AppArmor's file; a Smack label; an empty profile. */
        CHECK(confinement_parse_lsm_label("system_u:r:t\n", 13, true, &l) == -EINVAL);
        CHECK(confinement_parse_lsm_label("_\n", 2, false, &l) == -EOPNOTSUPP);
        CHECK(confinement_parse_lsm_label(" (enforce)\n", 11, true, &l) == -EINVAL);
}
