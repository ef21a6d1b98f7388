/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "basic/procfs.h"
#include "harness.h"

static int count_cb(const struct mountinfo_entry *e, void *userdata)
{
        (void)e;
        (*(int *)userdata)++;
        return 0;
}

TEST(mountinfo_line)
{
        char line[] = "47 74 7:0 / /dev/crash\\040cart ro,nosuid,nodev,relatime shared:5 master:2 - ext4 /dev/loop0 ro";
        char bad1[] = "47 74 7:0 / /dev ro - ext4";          /* no super options */
        char bad2[] = "47 74 7-0 / /dev ro - ext4 src rw";   /* no major:minor */
        char bad3[] = "x 74 7:0 / /dev ro - ext4 src rw";
        char bad4[] = "47 74 7:0 / /dev ro shared:1";        /* no separator */
        char noopt[] = "122 109 0:56 / /dev ro,relatime - tmpfs tmpfs rw,mode=755";
        struct mountinfo_entry e;

        CHECK(mountinfo_parse_line(line, &e) == 0);
        CHECK(e.mnt_id == 47 && e.parent_id == 74 && e.major == 7 && e.minor == 0);
        CHECK_STR(e.mount_point, "/dev/crash cart");
        CHECK_STR(e.optional, "shared:5 master:2");
        CHECK_STR(e.fstype, "ext4");
        CHECK_STR(e.source, "/dev/loop0");
        CHECK_STR(e.super_opts, "ro");
        CHECK(mountinfo_is_shared(&e));
        CHECK(opts_has(e.mount_opts, "ro") && opts_has(e.mount_opts, "relatime") && !opts_has(e.mount_opts, "rel"));

        CHECK(mountinfo_peer_group(&e) == 5);

        CHECK(mountinfo_parse_line(noopt, &e) == 0);
        CHECK(mountinfo_peer_group(&e) == 0);
        CHECK_STR(e.optional, "");
        CHECK(!mountinfo_is_shared(&e));
        CHECK(opts_has(e.mount_opts, "ro") && !opts_has(e.super_opts, "ro"));

        CHECK(mountinfo_parse_line(bad1, &e) == -EINVAL);
        CHECK(mountinfo_parse_line(bad2, &e) == -EINVAL);
        CHECK(mountinfo_parse_line(bad3, &e) == -EINVAL);
        CHECK(mountinfo_parse_line(bad4, &e) == -EINVAL);
}

TEST(mountinfo_fixture)
{
        char *buf = fixture("mountinfo-docker-ro-dev", NULL), *copy = strdup(buf);
        struct mountinfo_entry e;
        int n = 0;

        CHECK(mountinfo_foreach(copy, count_cb, &n) == 0 && n > 5);
        free(copy);

        copy = strdup(buf);
        CHECK(mountinfo_find_mount_point(copy, "/dev", &e) == 0);
        CHECK_STR(e.fstype, "tmpfs");
        CHECK(opts_has(e.mount_opts, "ro"));
        free(copy);

        copy = strdup(buf);
        CHECK(mountinfo_find_mount_point(copy, "/dev/crashcart", &e) == -ENOENT);
        free(copy);
        free(buf);

        /* The topmost of stacked mounts wins. */
        char stacked[] = "1 0 8:1 / / rw - ext4 /dev/sda rw\n"
                         "2 1 7:0 / /dev/crashcart ro - ext4 /dev/loop0 ro\n"
                         "3 2 7:1 / /dev/crashcart ro - squashfs /dev/loop1 ro\n";
        CHECK(mountinfo_find_mount_point(stacked, "/dev/crashcart", &e) == 0 && e.mnt_id == 3 && e.minor == 1);
        char byid[] = "1 0 8:1 / / rw - ext4 /dev/sda rw\n2 1 7:0 / /x ro - ext4 /dev/loop0 ro\n";
        CHECK(mountinfo_find_id(byid, 2, &e) == 0);
        CHECK_STR(e.mount_point, "/x");
        char byid2[] = "1 0 8:1 / / rw - ext4 /dev/sda rw\n";
        CHECK(mountinfo_find_id(byid2, 9, &e) == -ENOENT);
        char broken[] = "1 0 8:1 / / rw - ext4 /dev/sda rw\ngarbage\n";
        CHECK(mountinfo_find_id(broken, 9, &e) == -EINVAL);
}

TEST(groups)
{
        char host[] = "24 27 0:6 / /dev rw shared:12 - devtmpfs devtmpfs rw\n"
                      "30 24 0:7 / /dev/pts rw master:7 - devpts devpts rw\n";
        char copy[sizeof(host)];

        memcpy(copy, host, sizeof(host));
        CHECK(mountinfo_has_group(copy, 12) == 1);
        memcpy(copy, host, sizeof(host));
        CHECK(mountinfo_has_group(copy, 7) == 1);   /* a slave receives too */
        memcpy(copy, host, sizeof(host));
        CHECK(mountinfo_has_group(copy, 1) == 0);   /* shared:12 is not shared:1 */
        memcpy(copy, host, sizeof(host));
        CHECK(mountinfo_has_group(copy, 0) == 0);
        char bad[] = "24 27 0:6 / /dev rw shared:x - devtmpfs devtmpfs rw\n";
        CHECK(mountinfo_has_group(bad, 1) == 0);
}

TEST(idmap)
{
        uint32_t out;

        CHECK(idmap_to_outside("         0     100000      65536\n", 0, &out) == 0 && out == 100000);
        CHECK(idmap_to_outside("0 100000 65536\n", 65535, &out) == 0 && out == 165535);
        CHECK(idmap_to_outside("0 100000 65536\n", 65536, &out) == -ENOENT);
        CHECK(idmap_to_outside("0 1000 1\n1 100000 65536\n", 5, &out) == 0 && out == 100004);
        CHECK(idmap_to_outside("         0          0 4294967295\n", 0, &out) == 0 && out == 0);
        CHECK(idmap_to_outside("0 x 1\n", 0, &out) == -EINVAL);
        CHECK(idmap_to_outside("0 1 2 3\n", 0, &out) == -EINVAL);
        CHECK(idmap_to_outside("0 4294967295 10\n", 5, &out) == -EINVAL);
        CHECK(idmap_to_outside("", 0, &out) == -ENOENT);
        CHECK(idmap_is_identity("         0          0 4294967295\n"));
        CHECK(!idmap_is_identity("0 100000 65536\n"));
        CHECK(!idmap_is_identity(""));
}

struct cg_collect {
        int n;
        char last_controllers[64];
        char last_path[256];
        unsigned last_h;
};

static int cg_cb(const struct cgroup_entry *e, void *userdata)
{
        struct cg_collect *c = userdata;

        c->n++;
        snprintf(c->last_controllers, sizeof(c->last_controllers), "%s", e->controllers);
        snprintf(c->last_path, sizeof(c->last_path), "%s", e->path);
        c->last_h = e->hierarchy;
        return 0;
}

TEST(cgroup)
{
        char *buf = fixture("cgroup-docker-v1-hybrid", NULL);
        struct cg_collect c = {};
        char v2[] = "0::/system.slice/docker-abc.scope\n";
        char bad[] = "x:cpu:/a\n";
        char bad2[] = "1:cpu\n";
        char bad3[] = "1:cpu:relative\n";

        CHECK(cgroup_foreach(buf, cg_cb, &c) == 0);
        CHECK(c.n == 10);
        CHECK(c.last_h == 0);
        CHECK_STR(c.last_controllers, "");
        CHECK(strncmp(c.last_path, "/docker/", 8) == 0);
        free(buf);

        c = (struct cg_collect){};
        CHECK(cgroup_foreach(v2, cg_cb, &c) == 0 && c.n == 1);
        CHECK_STR(c.last_path, "/system.slice/docker-abc.scope");
        CHECK(cgroup_foreach(bad, cg_cb, &c) == -EINVAL);
        CHECK(cgroup_foreach(bad2, cg_cb, &c) == -EINVAL);
        CHECK(cgroup_foreach(bad3, cg_cb, &c) == -EINVAL);
}

TEST(stat)
{
        uint64_t st;
        const char *normal = "4799 (sleep) S 4778 4799 4799 0 -1 4194560 113 0 0 0 0 0 0 0 20 0 1 0 123456 1548288 1 ...";
        const char *evil = "4799 (a) b) c 1 2 3) S 4778 4799 4799 0 -1 4194560 113 0 0 0 0 0 0 0 20 0 1 0 777 1548288 1";

        CHECK(proc_stat_starttime(normal, &st) == 0 && st == 123456);
        CHECK(proc_stat_starttime(evil, &st) == 0 && st == 777);
        CHECK(proc_stat_starttime("1 (x) S 1 2", &st) == -EINVAL);
        CHECK(proc_stat_starttime("no paren", &st) == -EINVAL);
}

TEST(stat_state)
{
        CHECK(proc_stat_state("4799 (sleep) S 4778 4799") == 'S');
        CHECK(proc_stat_state("4799 (a) Z b) Z 1 2") == 'Z');
        CHECK(proc_stat_state("4799 (zombie) X") == 'X');
        CHECK(proc_stat_state("4799 (x)") == 0);
        CHECK(proc_stat_state("no paren") == 0);
}
