/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cart/reaper.h"
#include "harness.h"

static void apply(struct reaper_state *st, char kind, pid_t pid, uint64_t mnt_id, uint64_t dev)
{
        struct reaper_note n = { .kind = kind, .pid = pid, .mnt_id = mnt_id, .dev = dev };

        reaper_state_apply(st, &n);
}

TEST(reaper_killed_between_placing_and_recorded)
{
        struct reaper_state st = {};

        apply(&st, REAPER_NOTE_PLACING, 0, 42, 0x700);
        CHECK(!st.done && st.placing);
        CHECK(st.placed.mnt_id == 42 && st.placed.dev == 0x700);
        CHECK(st.command == 0);
}

TEST(reaper_recorded_forgets_the_placement)
{
        struct reaper_state st = {};

        apply(&st, REAPER_NOTE_PLACING, 0, 0, 0x701);
        apply(&st, REAPER_NOTE_RECORDED, 0, 0, 0);
        CHECK(!st.placing && !st.done);
        apply(&st, REAPER_NOTE_COMMAND, 1234, 0, 0);
        CHECK(st.command == 1234);
        apply(&st, REAPER_NOTE_DONE, 0, 0, 0);
        CHECK(st.done);
}

TEST(reaper_ignores_unknown_notes)
{
        struct reaper_state st = {};

        apply(&st, 'x', 99, 1, 2);
        apply(&st, 0, 99, 1, 2);
        CHECK(!st.done && !st.placing && st.command == 0);
}
