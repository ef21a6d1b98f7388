/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Runtimes found through the process table: LXC (its monitor, root's), systemd-nspawn
 * (machined's registration, else the command line of root's nspawn process), and the last resort, a scan of every
 * process's cgroup for a container id. Paths are relative to ctx->root_fd. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "basic/fileio.h"
#include "basic/log.h"
#include "basic/macro.h"
#include "basic/procfs.h"
#include "resolve/resolve.h"

struct proc_entry {
        pid_t pid;
        pid_t ppid;
        char *cgroup;   /* the whole /proc/PID/cgroup */
        char *cmdline;  /* NUL-separated, ends with two NULs */
        size_t cmdline_len;
        char comm[32];
};

struct proc_table {
        struct proc_entry *v;
        size_t n;
};

static void proc_table_done(struct proc_table *t)
{
        for (size_t i = 0; i < t->n; i++) {
                free(t->v[i].cgroup);
                free(t->v[i].cmdline);
        }
        free(t->v);
        t->v = NULL;
        t->n = 0;
}

static int parse_stat_ppid(const char *stat, pid_t *ret_ppid, char *comm, size_t comm_size)
{
        const char *open = strchr(stat, '('), *close = strrchr(stat, ')');
        int ppid;
        char state;

        if (!open || !close || close < open)
                return -EINVAL;
        snprintf(comm, comm_size, "%.*s", (int)(close - open - 1), open + 1);
        if (sscanf(close + 1, " %c %d", &state, &ppid) != 2)
                return -EINVAL;
        *ret_ppid = ppid;
        return 0;
}

/* Reads the processes of the host (cgroup and command line only when asked). */
static int proc_table_read(const struct resolve_ctx *ctx, bool want_cmdline, struct proc_table *t)
{
        _cleanup_(closedir_p) DIR *d = NULL;
        struct dirent *de;
        int r;

        r = opendir_at(ctx->root_fd, "proc", &d);
        if (r < 0)
                return r;
        while ((de = readdir(d))) {
                _cleanup_free_ char *stat = NULL;
                struct proc_entry e = {};
                char path[300];
                pid_t pid;

                if (parse_pid(de->d_name, &pid) < 0)
                        continue;
                snprintf(path, sizeof(path), "%s/stat", de->d_name);
                if (read_full_fileat(dirfd(d), path, 4096, &stat, NULL) < 0)
                        continue; /* exited meanwhile */
                if (parse_stat_ppid(stat, &e.ppid, e.comm, sizeof(e.comm)) < 0)
                        continue;
                e.pid = pid;
                snprintf(path, sizeof(path), "%s/cgroup", de->d_name);
                if (read_full_fileat(dirfd(d), path, 1 << 16, &e.cgroup, NULL) < 0)
                        continue;
                if (want_cmdline) {
                        char *c;
                        size_t n;

                        snprintf(path, sizeof(path), "%s/cmdline", de->d_name);
                        if (read_full_fileat(dirfd(d), path, 1 << 16, &e.cmdline, &n) == 0) {
                                /* Room for the final NUL the walk below relies on. */
                                c = realloc(e.cmdline, n + 2);
                                if (c) {
                                        c[n] = c[n + 1] = 0;
                                        e.cmdline = c;
                                        e.cmdline_len = n;
                                }
                        }
                }
                {
                        struct proc_entry *v = realloc(t->v, (t->n + 1) * sizeof(*v));

                        if (!v) {
                                free(e.cgroup);
                                free(e.cmdline);
                                return -ENOMEM;
                        }
                        t->v = v;
                        t->v[t->n++] = e;
                }
        }
        return 0;
}

/* The init of a group of processes: the member whose parent is not a member. */
static pid_t group_init(const struct proc_table *t, const bool *member)
{
        pid_t best = 0;

        for (size_t i = 0; i < t->n; i++) {
                bool parent_in = false;

                if (!member[i])
                        continue;
                for (size_t j = 0; j < t->n && !parent_in; j++)
                        parent_in = member[j] && t->v[j].pid == t->v[i].ppid;
                if (!parent_in && (best == 0 || t->v[i].pid < best))
                        best = t->v[i].pid;
        }
        return best;
}

/* ---- cgroup path components ---- */

static bool is_hex(const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return n > 0;
}

/* The container id a cgroup path component names: "docker-<id>.scope",
 * "libpod-<id>.scope", "cri-containerd-<id>.scope", "crio-<id>.scope", or a plain
 * "<id>" (cgroupfs drivers: /docker/<id>, /kubepods/<qos>/pod<uid>/<id>). Conmon's
 * scopes are not containers. Returns the length of the id at *ret, or 0. */
size_t cgroup_component_id(const char *comp, size_t len, const char **ret)
{
        static const char *const prefixes[] = { "docker-", "libpod-", "cri-containerd-", "crio-" };
        static const char *const skip[] = { "libpod-conmon-", "crio-conmon-" };
        const char *s = comp;
        size_t n = len;

        for (size_t i = 0; i < ELEMENTSOF(skip); i++)
                if (n >= strlen(skip[i]) && strncmp(s, skip[i], strlen(skip[i])) == 0)
                        return 0;
        if (n > 6 && strncmp(s + n - 6, ".scope", 6) == 0) {
                bool known = false;

                n -= 6;
                for (size_t i = 0; i < ELEMENTSOF(prefixes) && !known; i++)
                        if (n > strlen(prefixes[i]) && strncmp(s, prefixes[i], strlen(prefixes[i])) == 0) {
                                s += strlen(prefixes[i]);
                                n -= strlen(prefixes[i]);
                                known = true;
                        }
                if (!known)
                        return 0;
        }
        /* Container ids are 64 hex digits (Docker, containerd under Kubernetes, CRI-O). */
        if (n != 64 || !is_hex(s, n))
                return 0;
        *ret = s;
        return n;
}

/* Whether a /proc/PID/cgroup text names a container whose id starts with id; the
 * full id goes to found. */
static bool cgroup_text_has(const char *text, const char *id, char found[65])
{
        for (const char *line = text; line && *line;) {
                const char *nl = strchr(line, '\n'), *path = strchr(line, ':');
                const char *end = nl ? nl : line + strlen(line);

                if (path)
                        path = memchr(path + 1, ':', (size_t)(end - path - 1));
                if (path && path < end) {
                        for (const char *c = path + 1; c < end;) {
                                const char *slash = memchr(c, '/', (size_t)(end - c)), *cid;
                                size_t clen = (size_t)((slash ? slash : end) - c), idlen;

                                idlen = cgroup_component_id(c, clen, &cid);
                                if (idlen && (!id || (idlen >= strlen(id) && strncmp(cid, id, strlen(id)) == 0))) {
                                        memcpy(found, cid, idlen);
                                        found[idlen] = 0;
                                        return true;
                                }
                                c = slash ? slash + 1 : end;
                        }
                }
                line = nl ? nl + 1 : NULL;
        }
        return false;
}

/* id NULL: every container id found in a cgroup. */
static int cgroup_scan(const struct resolve_ctx *ctx, const char *id, struct candidates *out)
{
        struct proc_table t = {};
        char (*ids)[65] = NULL;
        bool *member = NULL;
        size_t first = out->n;
        int r;

        r = proc_table_read(ctx, false, &t);
        if (r < 0)
                return r;
        ids = calloc(t.n + 1, sizeof(*ids));
        member = calloc(t.n + 1, sizeof(*member));
        if (!ids || !member) {
                r = -ENOMEM;
                goto out;
        }
        for (size_t i = 0; i < t.n; i++)
                cgroup_text_has(t.v[i].cgroup, id, ids[i]);

        /* One candidate per distinct container id; its init is the member whose
         * parent is outside (a shim or conmon is never in the container's cgroup). */
        for (size_t i = 0; i < t.n; i++) {
                bool seen = false;
                pid_t init;

                if (!ids[i][0])
                        continue;
                for (size_t j = 0; j < i && !seen; j++)
                        seen = strcmp(ids[j], ids[i]) == 0;
                if (seen)
                        continue;
                for (size_t j = 0; j < t.n; j++)
                        member[j] = strcmp(ids[j], ids[i]) == 0;
                init = group_init(&t, member);
                r = candidates_add(out, "cgroup", ids[i], NULL, NULL, init, init > 0);
                if (r < 0)
                        goto out;
        }
        if (id)
                candidates_prefer_exact(out, first, id);
        r = 0;
out:
        free(ids);
        free(member);
        proc_table_done(&t);
        return r;
}

int cgroup_scan_lookup(const struct resolve_ctx *ctx, const char *id, struct candidates *out)
{
        /* Only an id (or a prefix of one, 4 digits at least) is looked for. */
        if (strlen(id) < 4 || strlen(id) > 64 || !is_hex(id, strlen(id)))
                return 0;
        return cgroup_scan(ctx, id, out);
}

int cgroup_scan_list(const struct resolve_ctx *ctx, struct candidates *out)
{
        return cgroup_scan(ctx, NULL, out);
}

/* ---- LXC: its monitor, "[lxc monitor] LXCPATH NAME", a process of root's on the
 * host whose child is the container's init, and LXCPATH/NAME/config, root's.
 * Never a cgroup name alone: a container with a cgroup namespace (or cgroup v1
 * write access) can make a cgroup lxc.payload.<any name> of its own, and any
 * process can take the monitor's title. ---- */

/* The LXC container name in a cgroup text, or NULL. Writes into buf. */
static const char *lxc_name_of(const char *cgroup, char *buf, size_t size)
{
        const char *p = strstr(cgroup, "/lxc.payload.");
        size_t n;

        if (p)
                p += strlen("/lxc.payload.");
        else if ((p = strstr(cgroup, ":/lxc/")))
                p += strlen(":/lxc/");
        if (!p)
                return NULL;
        n = strcspn(p, "/\n");
        if (n == 0 || n >= size)
                return NULL;
        memcpy(buf, p, n);
        buf[n] = 0;
        return resolve_id_is_valid(buf) ? buf : NULL;
}

/* The lxcpath and name of a monitor's title, or false. */
static bool lxc_monitor_title(const struct proc_entry *e, char *path, size_t psize, char *name, size_t nsize)
{
        const char *c = e->cmdline, *sp;

        if (!c || strncmp(c, "[lxc monitor] /", 15) != 0)
                return false;
        c += 14;
        sp = strrchr(c, ' ');
        if (!sp || (size_t)(sp - c) >= psize || strlen(sp + 1) >= nsize)
                return false;
        memcpy(path, c, (size_t)(sp - c));
        path[sp - c] = 0;
        strcpy(name, sp + 1);
        return resolve_id_is_valid(name);
}

/* LXCPATH, LXCPATH/NAME and its config are root's: the container exists there. */
static bool lxc_config_is_trusted(const struct resolve_ctx *ctx, const char *lxcpath, const char *name)
{
        _cleanup_close_ int fd = -EBADF;
        const char *rel = lxcpath + strspn(lxcpath, "/");
        char path[600];

        fd = openat(ctx->root_fd, *rel ? rel : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || !resolve_state_is_trusted(ctx, fd, ""))
                return false;
        if (!resolve_state_is_trusted(ctx, fd, name))
                return false;
        snprintf(path, sizeof(path), "%s/config", name);
        return resolve_state_is_trusted(ctx, fd, path);
}

static int lxc_walk(const struct resolve_ctx *ctx, const char *id, struct candidates *out)
{
        struct proc_table t = {};
        size_t first = out->n;
        int r;

        r = proc_table_read(ctx, true, &t);
        if (r < 0)
                return r;
        for (size_t i = 0; i < t.n; i++) {
                char name[256], other[256], lxcpath[512];
                bool seen = false;
                pid_t init = 0, any_child = 0;

                if (!lxc_monitor_title(&t.v[i], lxcpath, sizeof(lxcpath), name, sizeof(name)))
                        continue;
                if (id && strcmp(name, id) != 0)
                        continue;
                for (size_t j = first; j < out->n && !seen; j++)
                        seen = strcmp(out->v[j].id, name) == 0 && strcmp(out->v[j].ns, lxcpath) == 0;
                if (seen)
                        continue;
                if (!resolve_process_is_host_root(ctx, t.v[i].pid) ||
                    !lxc_config_is_trusted(ctx, lxcpath, name)) {
                        log_debug("'%s': a process titled as LXC's monitor that is not root's on the host, "
                                  "or no root-owned %s/%s/config: not a container",
                                  name, lxcpath, name);
                        continue;
                }
                /* The init is the monitor's child (in the container's cgroup). */
                for (size_t j = 0; j < t.n; j++) {
                        const char *nm;

                        if (t.v[j].ppid != t.v[i].pid)
                                continue;
                        if (any_child == 0 || t.v[j].pid < any_child)
                                any_child = t.v[j].pid;
                        nm = lxc_name_of(t.v[j].cgroup, other, sizeof(other));
                        if (nm && strcmp(nm, name) == 0 && (init == 0 || t.v[j].pid < init))
                                init = t.v[j].pid;
                }
                if (init == 0)
                        init = any_child;
                r = candidates_add(out, "lxc", name, name, lxcpath, init, init > 0);
                if (r < 0)
                        goto out;
        }
        /* A container that exists (its config, root's, in the default path) but
         * has no monitor: not running. */
        if (id && out->n == first && lxc_config_is_trusted(ctx, "/var/lib/lxc", id))
                r = candidates_add(out, "lxc", id, id, "/var/lib/lxc", 0, false);
out:
        proc_table_done(&t);
        return r;
}

int lxc_lookup(const struct resolve_ctx *ctx, const char *id, struct candidates *out)
{
        return lxc_walk(ctx, id, out);
}

int lxc_list(const struct resolve_ctx *ctx, struct candidates *out)
{
        return lxc_walk(ctx, NULL, out);
}

/* ---- systemd-nspawn ---- */

/* The machine name an nspawn command line gives: -M NAME, --machine=NAME,
 * --machine NAME; else the last component of -D/--directory. */
const char *nspawn_machine_name(const char *cmdline, size_t len, char *buf, size_t size)
{
        const char *machine = NULL, *dir = NULL;

        for (const char *a = cmdline; a < cmdline + len && *a; a += strlen(a) + 1) {
                const char *next = a + strlen(a) + 1;
                bool has_next = next < cmdline + len && *next;

                if ((strcmp(a, "-M") == 0 || strcmp(a, "--machine") == 0) && has_next)
                        machine = next;
                else if (strncmp(a, "--machine=", 10) == 0)
                        machine = a + 10;
                else if (strncmp(a, "-M", 2) == 0 && a[2])
                        machine = a + 2;
                else if ((strcmp(a, "-D") == 0 || strcmp(a, "--directory") == 0) && has_next)
                        dir = next;
                else if (strncmp(a, "--directory=", 12) == 0)
                        dir = a + 12;
                else if (strncmp(a, "-D", 2) == 0 && a[2])
                        dir = a + 2;
        }
        if (!machine && dir) {
                const char *end = dir + strlen(dir), *slash;

                while (end > dir && end[-1] == '/')
                        end--;
                for (slash = end; slash > dir && slash[-1] != '/'; slash--)
                        ;
                if (end > slash && (size_t)(end - slash) < size) {
                        memcpy(buf, slash, (size_t)(end - slash));
                        buf[end - slash] = 0;
                        return resolve_id_is_valid(buf) ? buf : NULL;
                }
                return NULL;
        }
        if (!machine || strlen(machine) >= size)
                return NULL;
        strcpy(buf, machine);
        return resolve_id_is_valid(buf) ? buf : NULL;
}

static int nspawn_walk(const struct resolve_ctx *ctx, const char *id, struct candidates *out)
{
        _cleanup_(closedir_p) DIR *d = NULL;
        struct proc_table t = {};
        size_t first = out->n;
        int r, fd;

        /* Registered machines (machined): LEADER= is the container's init. Only
         * root's registrations: a file anyone else could have written names
         * nothing. */
        fd = openat(ctx->root_fd, "run/systemd/machines", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0 && !resolve_state_is_trusted(ctx, fd, ""))
                fd = safe_close(fd);
        if (fd >= 0 && (d = fdopendir(fd))) {
                struct dirent *de;

                while ((de = readdir(d))) {
                        _cleanup_free_ char *text = NULL;
                        const char *leader, *klass;
                        pid_t pid = 0;

                        if (!resolve_id_is_valid(de->d_name) || strncmp(de->d_name, "unit:", 5) == 0)
                                continue;
                        if (id && strcmp(de->d_name, id) != 0)
                                continue;
                        if (!resolve_state_is_trusted(ctx, dirfd(d), de->d_name) ||
                            read_full_fileat(dirfd(d), de->d_name, 1 << 16, &text, NULL) < 0)
                                continue;
                        klass = strstr(text, "\nCLASS=");
                        if (klass && strncmp(klass + 7, "container", 9) != 0)
                                continue;
                        leader = strstr(text, "\nLEADER=");
                        if (leader) {
                                char num[16];

                                snprintf(num, sizeof(num), "%.*s", (int)strcspn(leader + 8, "\n"), leader + 8);
                                if (parse_pid(num, &pid) < 0 || !pid_alive(ctx, pid))
                                        pid = 0;
                        }
                        r = candidates_add(out, "nspawn", de->d_name, de->d_name, NULL, pid, pid > 0);
                        if (r < 0)
                                return r;
                }
        } else if (fd >= 0)
                safe_close(fd);

        /* Unregistered (--register=no): the nspawn process's child is the init.
         * Its command line names the machine only when it is root's process on
         * the host: any container can run a process called systemd-nspawn. */
        r = proc_table_read(ctx, true, &t);
        if (r < 0)
                return r;
        for (size_t i = 0; i < t.n; i++) {
                char name[256];
                bool seen = false;
                pid_t child = 0;

                if (strcmp(t.v[i].comm, "systemd-nspawn") != 0 || !t.v[i].cmdline)
                        continue;
                if (!nspawn_machine_name(t.v[i].cmdline, t.v[i].cmdline_len, name, sizeof(name)))
                        continue;
                if (id && strcmp(name, id) != 0)
                        continue;
                for (size_t j = first; j < out->n && !seen; j++)
                        seen = strcmp(out->v[j].id, name) == 0;
                if (seen)
                        continue;
                if (!resolve_process_is_host_root(ctx, t.v[i].pid)) {
                        log_debug("'%s': a process called systemd-nspawn that is not root's on the host: "
                                  "not a container",
                                  name);
                        continue;
                }
                for (size_t j = 0; j < t.n; j++)
                        if (t.v[j].ppid == t.v[i].pid && (child == 0 || t.v[j].pid < child))
                                child = t.v[j].pid;
                r = candidates_add(out, "nspawn", name, name, NULL, child, child > 0);
                if (r < 0)
                        break;
        }
        proc_table_done(&t);
        if (r < 0)
                return r;
        /* A machine that exists (its directory under /var/lib/machines, root's)
         * but runs nowhere: not running. */
        if (id && out->n == first && resolve_id_is_valid(id)) {
                char path[300];
                struct stat st;

                snprintf(path, sizeof(path), "var/lib/machines/%s", id);
                if (fstatat(ctx->root_fd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) &&
                    resolve_state_is_trusted(ctx, ctx->root_fd, path))
                        r = candidates_add(out, "nspawn", id, id, NULL, 0, false);
        }
        return r < 0 ? r : 0;
}

int nspawn_lookup(const struct resolve_ctx *ctx, const char *id, struct candidates *out)
{
        return nspawn_walk(ctx, id, out);
}

int nspawn_list(const struct resolve_ctx *ctx, struct candidates *out)
{
        return nspawn_walk(ctx, NULL, out);
}
