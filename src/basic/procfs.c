/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/fileio.h"
#include "basic/procfs.h"

/* Decodes the \ooo escapes the kernel writes for space, tab, newline and backslash. */
static void unescape_octal(char *s)
{
        char *w = s;

        for (char *r = s; *r;) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
                    r[3] >= '0' && r[3] <= '7') {
                        *w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
                        r += 4;
                } else
                        *w++ = *r++;
        }
        *w = 0;
}

static char *next_field(char **cursor)
{
        char *s = *cursor, *start;

        if (!s)
                return NULL;
        while (*s == ' ')
                s++;
        if (!*s)
                return NULL;
        start = s;
        while (*s && *s != ' ')
                s++;
        if (*s)
                *s++ = 0;
        *cursor = s;
        return start;
}

int mountinfo_parse_line(char *line, struct mountinfo_entry *ret)
{
        struct mountinfo_entry e = {};
        char *cur = line, *f[6], *sep, *opt_start, *opt_end;
        uint64_t v;

        for (size_t i = 0; i < 6; i++) {
                f[i] = next_field(&cur);
                if (!f[i])
                        return -EINVAL;
        }
        if (parse_u64(f[0], &e.mnt_id) < 0 || parse_u64(f[1], &e.parent_id) < 0)
                return -EINVAL;
        sep = strchr(f[2], ':');
        if (!sep)
                return -EINVAL;
        *sep = 0;
        if (parse_u64(f[2], &v) < 0 || v > UINT32_MAX)
                return -EINVAL;
        e.major = (unsigned)v;
        if (parse_u64(sep + 1, &v) < 0 || v > UINT32_MAX)
                return -EINVAL;
        e.minor = (unsigned)v;
        e.root = f[3];
        e.mount_point = f[4];
        e.mount_opts = f[5];

        /* Optional fields run up to a lone "-". */
        while (*cur == ' ')
                cur++;
        opt_start = cur;
        for (;;) {
                char *fld = cur;

                while (*fld == ' ')
                        fld++;
                if (!*fld)
                        return -EINVAL;
                if (fld[0] == '-' && (fld[1] == ' ' || fld[1] == 0)) {
                        opt_end = fld;
                        cur = fld + 1;
                        break;
                }
                while (*fld && *fld != ' ')
                        fld++;
                cur = fld;
        }
        while (opt_end > opt_start && opt_end[-1] == ' ')
                opt_end--;
        *opt_end = 0;
        e.optional = opt_start;

        e.fstype = next_field(&cur);
        e.source = next_field(&cur);
        e.super_opts = next_field(&cur);
        if (!e.fstype || !e.source || !e.super_opts)
                return -EINVAL;

        unescape_octal(e.root);
        unescape_octal(e.mount_point);
        unescape_octal(e.source);
        *ret = e;
        return 0;
}

int mountinfo_foreach(char *buf, mountinfo_cb cb, void *userdata)
{
        char *line = buf;

        while (line && *line) {
                struct mountinfo_entry e;
                char *nl = strchr(line, '\n');
                int r;

                if (nl)
                        *nl = 0;
                if (*line) {
                        r = mountinfo_parse_line(line, &e);
                        if (r < 0)
                                return r;
                        r = cb(&e, userdata);
                        if (r != 0)
                                return r;
                }
                line = nl ? nl + 1 : NULL;
        }
        return 0;
}

struct find_id_ctx {
        uint64_t id;
        struct mountinfo_entry *ret;
};

static int find_id_cb(const struct mountinfo_entry *e, void *userdata)
{
        struct find_id_ctx *c = userdata;

        if (e->mnt_id != c->id)
                return 0;
        *c->ret = *e;
        return 1;
}

int mountinfo_find_id(char *buf, uint64_t mnt_id, struct mountinfo_entry *ret)
{
        struct find_id_ctx c = { .id = mnt_id, .ret = ret };
        int r = mountinfo_foreach(buf, find_id_cb, &c);

        if (r < 0)
                return r;
        return r > 0 ? 0 : -ENOENT;
}

struct find_path_ctx {
        const char *path;
        struct mountinfo_entry *ret;
        bool found;
};

static int find_path_cb(const struct mountinfo_entry *e, void *userdata)
{
        struct find_path_ctx *c = userdata;

        /* Mounts are listed in the order they were made: the last match is on top. */
        if (strcmp(e->mount_point, c->path) == 0) {
                *c->ret = *e;
                c->found = true;
        }
        return 0;
}

int mountinfo_find_mount_point(char *buf, const char *path, struct mountinfo_entry *ret)
{
        struct find_path_ctx c = { .path = path, .ret = ret };
        int r = mountinfo_foreach(buf, find_path_cb, &c);

        if (r < 0)
                return r;
        return c.found ? 0 : -ENOENT;
}

bool opts_has(const char *opts, const char *opt)
{
        size_t n = strlen(opt);

        for (const char *p = opts; p && *p;) {
                const char *comma = strchr(p, ',');
                size_t len = comma ? (size_t)(comma - p) : strlen(p);

                if (len == n && strncmp(p, opt, n) == 0)
                        return true;
                p = comma ? comma + 1 : NULL;
        }
        return false;
}

bool mountinfo_is_shared(const struct mountinfo_entry *e)
{
        for (const char *p = e->optional; p && *p;) {
                while (*p == ' ')
                        p++;
                if (strncmp(p, "shared:", 7) == 0)
                        return true;
                p = strchr(p, ' ');
        }
        return false;
}

/* The number after tag ("shared:", "master:") in the optional fields, or 0. */
static uint64_t optional_field(const char *optional, const char *tag)
{
        size_t n = strlen(tag);

        for (const char *p = optional; p && *p;) {
                while (*p == ' ')
                        p++;
                if (strncmp(p, tag, n) == 0) {
                        char num[24];
                        size_t len = strcspn(p + n, " ");
                        uint64_t v;

                        if (len == 0 || len >= sizeof(num))
                                return 0;
                        memcpy(num, p + n, len);
                        num[len] = 0;
                        return parse_u64(num, &v) == 0 ? v : 0;
                }
                p = strchr(p, ' ');
        }
        return 0;
}

uint64_t mountinfo_peer_group(const struct mountinfo_entry *e)
{
        return optional_field(e->optional, "shared:");
}

static int has_group_cb(const struct mountinfo_entry *e, void *userdata)
{
        uint64_t g = *(uint64_t *)userdata;

        return optional_field(e->optional, "shared:") == g || optional_field(e->optional, "master:") == g;
}

int mountinfo_has_group(char *buf, uint64_t group)
{
        if (group == 0)
                return 0;
        return mountinfo_foreach(buf, has_group_cb, &group);
}

static int idmap_next_line(const char **cursor, uint32_t *inside, uint32_t *outside, uint32_t *count)
{
        const char *p = *cursor;
        uint64_t v[3];

        while (*p == '\n')
                p++;
        if (!*p)
                return 0;
        for (size_t i = 0; i < 3; i++) {
                char *end;

                while (*p == ' ' || *p == '\t')
                        p++;
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                errno = 0;
                v[i] = strtoull(p, &end, 10);
                if (errno == ERANGE || v[i] > UINT32_MAX)
                        return -EINVAL;
                p = end;
        }
        while (*p == ' ' || *p == '\t')
                p++;
        if (*p && *p != '\n')
                return -EINVAL;
        *inside = (uint32_t)v[0];
        *outside = (uint32_t)v[1];
        *count = (uint32_t)v[2];
        *cursor = p;
        return 1;
}

int idmap_to_outside(const char *map, uint32_t inside, uint32_t *ret_outside)
{
        const char *cur = map;
        uint32_t in, out, count;
        int r;

        while ((r = idmap_next_line(&cur, &in, &out, &count)) > 0) {
                if (inside >= in && (uint64_t)inside < (uint64_t)in + count) {
                        uint64_t o = (uint64_t)out + (inside - in);

                        if (o > UINT32_MAX)
                                return -EINVAL;
                        *ret_outside = (uint32_t)o;
                        return 0;
                }
        }
        return r < 0 ? r : -ENOENT;
}

bool idmap_is_identity(const char *map)
{
        const char *cur = map;
        uint32_t in, out, count;
        int r, lines = 0;

        while ((r = idmap_next_line(&cur, &in, &out, &count)) > 0) {
                if (in != 0 || out != 0 || count != UINT32_MAX)
                        return false;
                lines++;
        }
        return r == 0 && lines == 1;
}

int cgroup_foreach(char *buf, cgroup_cb cb, void *userdata)
{
        char *line = buf;

        while (line && *line) {
                struct cgroup_entry e;
                char *nl = strchr(line, '\n'), *c1, *c2;
                uint64_t h;
                int r;

                if (nl)
                        *nl = 0;
                if (*line) {
                        c1 = strchr(line, ':');
                        if (!c1)
                                return -EINVAL;
                        *c1 = 0;
                        c2 = strchr(c1 + 1, ':');
                        if (!c2)
                                return -EINVAL;
                        *c2 = 0;
                        if (parse_u64(line, &h) < 0 || h > UINT32_MAX || c2[1] != '/')
                                return -EINVAL;
                        e.hierarchy = (unsigned)h;
                        e.controllers = c1 + 1;
                        e.path = c2 + 1;
                        r = cb(&e, userdata);
                        if (r != 0)
                                return r;
                }
                line = nl ? nl + 1 : NULL;
        }
        return 0;
}

char proc_stat_state(const char *stat)
{
        const char *p = strrchr(stat, ')');

        if (!p || p[1] != ' ' || !p[2])
                return 0;
        return p[2];
}

int proc_stat_starttime(const char *stat, uint64_t *ret)
{
        const char *p = strrchr(stat, ')');
        unsigned long long v;
        char *end;

        if (!p)
                return -EINVAL;
        p++;
        /* After the comm come fields 3 (state) .. 22 (starttime): skip 19 fields. */
        for (int i = 0; i < 19; i++) {
                while (*p == ' ')
                        p++;
                if (!*p)
                        return -EINVAL;
                while (*p && *p != ' ')
                        p++;
        }
        while (*p == ' ')
                p++;
        if (*p < '0' || *p > '9')
                return -EINVAL;
        errno = 0;
        v = strtoull(p, &end, 10);
        if (errno == ERANGE || (*end && *end != ' ' && *end != '\n'))
                return -EINVAL;
        *ret = v;
        return 0;
}
