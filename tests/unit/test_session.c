/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cart/session.h"
#include "harness.h"

TEST(session_parse_transient_and_users)
{
        static struct session s;

        CHECK(session_parse("transient 12345\nuser 10 99\nuser 11 100\n", &s) == 0);
        CHECK(s.transient && s.mnt_id == 12345);
        CHECK(s.n_users == 2 && s.users[1].pid == 11 && s.users[1].starttime == 100);
}

TEST(session_parse_skips_bad_lines)
{
        static struct session s;

        CHECK(session_parse("user 10 99\ngarbage\nuser -1 5\nuser 0 1\n", &s) == 0);
        CHECK(!s.transient && s.n_users == 1);
}

TEST(session_parse_empty)
{
        static struct session s;

        CHECK(session_parse("", &s) == 0);
        CHECK(!s.transient && s.n_users == 0);
}

TEST(session_remove_user_keeps_the_others)
{
        static struct session s;

        CHECK(session_parse("transient 7\nuser 10 99\nuser 11 100\nuser 12 101\n", &s) == 0);
        session_remove_user(&s, 11);
        CHECK(s.n_users == 2 && s.users[0].pid == 10 && s.users[1].pid == 12);
        session_remove_user(&s, 99); /* not a user: nothing changes */
        CHECK(s.n_users == 2);
        CHECK(s.transient && s.mnt_id == 7);
}
