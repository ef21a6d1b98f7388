/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/fileio.h"
#include "exec/userdb.h"

#define FIELDS_MAX 8

/* Splits one line into colon-separated fields, in a copy. Returns the count. */
static size_t split_line(const char *line, size_t len, char *buf, size_t bufsize, char **fields)
{
        size_t n = 0;

        if (len >= bufsize)
                return 0;
        memcpy(buf, line, len);
        buf[len] = 0;
        fields[n++] = buf;
        for (char *p = buf; *p && n < FIELDS_MAX; p++)
                if (*p == ':') {
                        *p = 0;
                        fields[n++] = p + 1;
                }
        return n;
}

static int parse_id(const char *s, uint32_t *ret)
{
        uint64_t v;

        if (parse_u64(s, &v) < 0 || v >= UINT32_MAX)
                return -EINVAL;
        *ret = (uint32_t)v;
        return 0;
}

typedef int (*line_cb)(char **f, size_t n, void *userdata);

static int foreach_line(const char *text, line_cb cb, void *userdata)
{
        for (const char *line = text; line && *line;) {
                const char *nl = strchr(line, '\n');
                size_t len = nl ? (size_t)(nl - line) : strlen(line);
                char buf[1024], *f[FIELDS_MAX];
                size_t n;
                int r;

                if (len > 0 && line[0] != '#') {
                        n = split_line(line, len, buf, sizeof(buf), f);
                        if (n > 0) {
                                r = cb(f, n, userdata);
                                if (r != 0)
                                        return r;
                        }
                }
                line = nl ? nl + 1 : NULL;
        }
        return 0;
}

struct pw_ctx {
        const char *name;       /* or NULL */
        uint32_t uid;           /* when name is NULL */
        struct user_spec *u;
        char user_name[256];
};

static int pw_cb(char **f, size_t n, void *userdata)
{
        struct pw_ctx *c = userdata;
        uint32_t uid, gid;

        /* name:password:uid:gid:gecos:home:shell */
        if (n < 4 || parse_id(f[2], &uid) < 0 || parse_id(f[3], &gid) < 0)
                return 0;
        if (c->name ? strcmp(f[0], c->name) != 0 : uid != c->uid)
                return 0;
        c->u->uid = uid;
        c->u->gid = gid;
        c->u->found_in_passwd = true;
        snprintf(c->u->home, sizeof(c->u->home), "%s", n >= 6 && f[5][0] ? f[5] : "/");
        snprintf(c->user_name, sizeof(c->user_name), "%s", f[0]);
        return 1;
}

struct gr_ctx {
        const char *name;       /* look up this group's gid */
        uint32_t gid;
        bool found;
        const char *member;     /* or collect groups that list this user */
        struct user_spec *u;
};

static int gr_cb(char **f, size_t n, void *userdata)
{
        struct gr_ctx *c = userdata;
        uint32_t gid;

        /* name:password:gid:member,member */
        if (n < 3 || parse_id(f[2], &gid) < 0)
                return 0;
        if (c->name) {
                if (strcmp(f[0], c->name) != 0)
                        return 0;
                c->gid = gid;
                c->found = true;
                return 1;
        }
        if (n >= 4 && c->member && c->member[0]) {
                for (char *save = NULL, *m = strtok_r(f[3], ",", &save); m; m = strtok_r(NULL, ",", &save)) {
                        bool dup = gid == c->u->gid;

                        if (strcmp(m, c->member) != 0)
                                continue;
                        for (size_t i = 0; i < c->u->n_groups && !dup; i++)
                                dup = c->u->groups[i] == gid;
                        if (!dup && c->u->n_groups < USERDB_MAX_GROUPS)
                                c->u->groups[c->u->n_groups++] = gid;
                }
        }
        return 0;
}

int userdb_resolve(const char *spec, const char *passwd, const char *group, struct user_spec *ret)
{
        struct user_spec u = { .home = "/" };
        struct pw_ctx pw = { .u = &u };
        char user[256], *colon;
        const char *grp = NULL;
        uint32_t id;

        if (!spec || !*spec || strlen(spec) >= sizeof(user))
                return -EINVAL;
        strcpy(user, spec);
        colon = strchr(user, ':');
        if (colon) {
                *colon = 0;
                grp = colon + 1;
                if (!*grp)
                        return -EINVAL;
        }
        if (!*user)
                return -EINVAL;

        if (parse_id(user, &id) == 0) {
                pw.uid = id;
                u.uid = id;
                u.gid = 0;
                /* Without a passwd entry the uid runs with gid 0, as docker exec does. */
                if (passwd)
                        foreach_line(passwd, pw_cb, &pw);
        } else {
                pw.name = user;
                if (!passwd || foreach_line(passwd, pw_cb, &pw) <= 0)
                        return -ESRCH;
        }

        if (grp) {
                if (parse_id(grp, &id) == 0)
                        u.gid = id;
                else {
                        struct gr_ctx g = { .name = grp };

                        if (!group || foreach_line(group, gr_cb, &g) <= 0 || !g.found)
                                return -ENOENT;
                        u.gid = g.gid;
                }
        }

        /* Supplementary groups: those that list the user by name (as initgroups). */
        if (group && pw.user_name[0]) {
                struct gr_ctx g = { .member = pw.user_name, .u = &u };

                foreach_line(group, gr_cb, &g);
        }
        *ret = u;
        return 0;
}
