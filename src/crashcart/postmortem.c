/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/interrupt.h"
#include "basic/log.h"
#include "basic/macro.h"
#include "basic/fileio.h"
#include "basic/syscalls.h"
#include "cart/layout.h"
#include "cart/session.h"
#include "coredump/find.h"
#include "coredump/stored.h"
#include "crashcart/postmortem.h"
#include "exec/cmdenv.h"
#include "exec/run.h"
#include "exec/target.h"
#include "resolve/spec.h"
#include "sandbox/sandbox.h"

/* The spec of what the ID names, with its words for messages. */
static int get_spec(const struct options *o, const struct resolve_ctx *ctx, const struct candidate *hit,
                    struct container_spec *spec, char *what, size_t size)
{
        const char *label = hit ? (hit->name ? hit->name : hit->id) : o->id + strlen(IMAGE_ID_PREFIX);
        const char *runtime = hit ? hit->runtime : NULL;
        int r;

        if (hit)
                r = container_spec_get(ctx, hit, spec);
        else
                r = image_spec_get(ctx, label, o->runtime, &runtime, spec);
        if (hit)
                snprintf(what, size, "%s container '%s'", runtime, label);
        else if (r >= 0)
                snprintf(what, size, "%s image '%s'", runtime, label);
        else
                snprintf(what, size, "image '%s'", label);
        if (r >= 0)
                return 0;
        if (!hit && r == -ENOENT)
                log_error("no such image '%s' (asked: %s)", label, o->runtime ? o->runtime : "docker, podman");
        else if (!hit && r == -ENOTUNIQ)
                log_error("image '%s' is ambiguous: both docker and podman have one (--runtime chooses)", label);
        else if (r == -EINVAL)
                log_error("'%s' is not an image name", label);
        else if (r == -EOPNOTSUPP && hit && !runtime_get(hit->runtime)->spec)
                log_error("%s is not running, and crashcart cannot read a stopped %s container's files (a post-mortem "
                          "sandbox needs docker, podman, runc, crun, lxc or nspawn)",
                          what, hit->runtime);
        else if (r == -EOPNOTSUPP)
                log_error("cannot read the files of %s: its storage is not one crashcart reads (overlay; for LXC a "
                          "directory rootfs)",
                          what);
        else if (r == -EPERM)
                log_error("cannot read the files of %s: its state is not root's and others' to write", what);
        else if (r == -ECONNREFUSED)
                log_error("cannot read the files of %s: its runtime's API does not answer", what);
        else
                log_error_errno(r, "cannot read the files of %s", what);
        return r;
}

/* How many of the configuration's variables the command does not get: the
 * rules of --env-from-target (exec/cmdenv.h), said once in the notice. */
static size_t count_left_out(const struct options *o, const struct container_spec *spec)
{
        size_t n = 0;

        for (const char *kv = spec->environ; kv && kv < spec->environ + spec->environ_len; kv += strlen(kv) + 1)
                if (strncmp(kv, "PATH=", 5) != 0 && !cmdenv_target_takes(kv, o->env_take, o->n_env_take)) {
                        log_debug("left out of the container's environment: %.*s", (int)strcspn(kv, "="), kv);
                        n++;
                }
        return n;
}

static int log_sandbox_error(const struct sandbox_error *e, const struct container_spec *spec, const char *what)
{
        if (e->error == -EINTR && interrupt_signal())
                log_error("interrupted by SIG%s", sigabbrev_np(interrupt_signal()));
        else if (e->stage == SANDBOX_STAGE_LAYER && e->index >= 0 && (size_t)e->index < spec->n_layers)
                log_error("the root filesystem of %s is gone: '%s' does not exist", what, spec->layers[e->index]);
        else if (e->stage == SANDBOX_STAGE_VOLUME && e->index >= 0 && (size_t)e->index < spec->n_mounts)
                log_error_errno(e->error, "%s: '%s' at '%s'", sandbox_stage_to_string(e->stage),
                                spec->mounts[e->index].source, spec->mounts[e->index].destination);
        else if (e->stage == SANDBOX_STAGE_TMPFS && e->index >= 0 && (size_t)e->index < spec->n_tmpfs)
                log_error_errno(e->error, "%s: '%s'", sandbox_stage_to_string(e->stage),
                                spec->tmpfs[e->index].destination);
        else
                log_error_errno(e->error, "%s", sandbox_stage_to_string(e->stage));
        return EXIT_CRASHCART;
}

/* --core: what the command becomes, the core's path and program named. */
struct core_run {
        char *argv[12];
        char *envs_buf[2];      /* CRASHCART_CORE=, CRASHCART_CORE_EXE= */
        char **envs;            /* the operator's --env, then those */
        size_t n_envs;
        struct core_found found;
        char *pattern;          /* kernel.core_pattern's text */
        struct core_pattern pat;
        char *stored;           /* the host's file of a core systemd-coredump kept */
        size_t n_older;         /* how many older ones of the container it kept */
        bool in_run;            /* found within the container's last run */
        int mntfd;              /* that core decompressed, in a detached tmpfs */
};

#define CORE_RUN_INIT { .mntfd = -EBADF }

static void core_run_done(struct core_run *c)
{
        free(c->envs_buf[0]);
        free(c->envs_buf[1]);
        free(c->envs);
        free(c->pattern);
        free(c->stored);
        core_pattern_done(&c->pat);
        core_found_done(&c->found);
        safe_close(c->mntfd);
}

static bool pipes_to_systemd_coredump(const struct core_pattern *pat)
{
        const char *base = pat->pipe ? strrchr(pat->pipe, '/') : NULL;

        return base && strcmp(base + 1, "systemd-coredump") == 0;
}

/* kernel.core_pattern, read and parsed into c: where the kernel put the core.
 * The host's, as crashcart runs there: the kernel's value is global. */
static int core_pattern_get(const struct resolve_ctx *ctx, struct core_run *c)
{
        _cleanup_free_ char *uses_pid = NULL;
        int r;

        r = read_full_fileat(ctx->root_fd, "proc/sys/kernel/core_pattern", 4096, &c->pattern, NULL);
        if (r < 0)
                return log_error_errno(r, "cannot read kernel.core_pattern");
        (void)read_full_fileat(ctx->root_fd, "proc/sys/kernel/core_uses_pid", 64, &uses_pid, NULL);
        c->pattern[strcspn(c->pattern, "\n")] = 0;
        r = core_pattern_parse(c->pattern, uses_pid && uses_pid[0] == '1', &c->pat);
        if (r == -EOPNOTSUPP)
                log_error("kernel.core_pattern '%s' makes a directory per core: --core=FILE names the core",
                          c->pattern);
        else if (r < 0)
                log_error_errno(r, "cannot parse kernel.core_pattern '%s'", c->pattern);
        else if (c->pat.pipe && !pipes_to_systemd_coredump(&c->pat)) {
                log_error("kernel.core_pattern pipes cores to '%s', which keeps them where crashcart does not "
                          "look: --core finds cores that the kernel wrote as files (kernel.core_pattern="
                          "/tmp/core.%%e.%%p) or that systemd-coredump kept, or --core=FILE names one",
                          c->pat.pipe);
                r = -EOPNOTSUPP;
        }
        return r;
}

/* What a core may take of the host's memory, decompressed (its holes free):
 * half of what is available now. */
static uint64_t core_memory_max(const struct resolve_ctx *ctx)
{
        _cleanup_free_ char *meminfo = NULL;
        const char *p;
        uint64_t kib;

        if (read_full_fileat(ctx->root_fd, "proc/meminfo", 65536, &meminfo, NULL) < 0 ||
            !(p = strstr(meminfo, "\nMemAvailable:")) || sscanf(p + 14, "%" SCNu64, &kib) != 1 || kib == 0)
                return 1ULL << 30;
        return kib * 1024 / 2;
}

/* A detached tmpfs of at most max bytes, nosuid, nodev, noexec. */
static int core_tmpfs(uint64_t max, int *ret)
{
        _cleanup_close_ int fsfd = -EBADF;
        char size[32];
        int fd;

        snprintf(size, sizeof(size), "%" PRIu64, max);
        fsfd = sys_fsopen("tmpfs", CC_FSOPEN_CLOEXEC);
        if (fsfd < 0 || sys_fsconfig(fsfd, CC_FSCONFIG_SET_STRING, "mode", "0755", 0) < 0 ||
            sys_fsconfig(fsfd, CC_FSCONFIG_SET_STRING, "size", size, 0) < 0 ||
            sys_fsconfig(fsfd, CC_FSCONFIG_SET_STRING, "nr_inodes", "4", 0) < 0 ||
            sys_fsconfig(fsfd, CC_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return NEG_ERRNO();
        fd = sys_fsmount(fsfd, CC_FSMOUNT_CLOEXEC,
                         (unsigned)(CC_MOUNT_ATTR_NOSUID | CC_MOUNT_ATTR_NODEV | CC_MOUNT_ATTR_NOEXEC));
        if (fd < 0)
                return NEG_ERRNO();
        *ret = fd;
        return 0;
}

static void format_usec(uint64_t usec, char *buf, size_t size)
{
        time_t t = (time_t)(usec / 1000000);
        struct tm tm;

        if (!localtime_r(&t, &tm) || strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm) == 0)
                snprintf(buf, size, "?");
}

/* A core that systemd-coredump kept for the container: the newest whose
 * process had the hostname the container had (the one the sandbox gets), from
 * its last run when the runtime says when that was. The hostname is the dumping
 * process's word, which another process can take too; the run's times narrow it
 * down. Decompressed into a tmpfs of its own, which the sandbox shows at
 * SANDBOX_CORE_DIR: the host's store is never in the sandbox, and nothing is
 * written on the host's disks. */
static int core_from_store(const struct resolve_ctx *ctx, const struct container_spec *spec, const char *hostname,
                           const char *what, struct core_run *c)
{
        _cleanup_close_ int dirfd = -EBADF, fd = -EBADF;
        struct cc_mount_attr ro = { .attr_set = CC_MOUNT_ATTR_RDONLY };
        _cleanup_(stored_core_done) struct stored_core sc = STORED_CORE_INIT;
        char host[HOST_NAME_MAX + 1] = "", from[32], to[32];
        /* systemd-coredump's times are whole seconds. */
        uint64_t from_usec = spec->started_usec > 1000000 ? spec->started_usec - 1000000 : 0,
                 to_usec = spec->finished_usec ? spec->finished_usec + 1000000 : 0, max;
        size_t n, outside = 0;
        int r;

        if (gethostname(host, sizeof(host) - 1) == 0 && strcmp(host, hostname) == 0) {
                log_error("%s has the host's hostname '%s': the cores that systemd-coredump kept of it cannot be "
                          "told from the host's own (coredumpctl lists them)",
                          what, hostname);
                return -ENOTUNIQ;
        }
        if (fault_disabled("core-run-window"))
                from_usec = to_usec = 0;
        dirfd = openat(ctx->root_fd, STORED_CORE_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        r = dirfd < 0 ? NEG_ERRNO() : stored_core_find(dirfd, hostname, from_usec, to_usec, &sc, &c->n_older, &outside);
        if (r == -ENOENT && from_usec && to_usec) {
                format_usec(spec->started_usec, from, sizeof(from));
                format_usec(spec->finished_usec, to, sizeof(to));
                log_error("systemd-coredump kept no core of %s from its last run (%s to %s) in /" STORED_CORE_DIR
                          " (hostname '%s'; %zu of that hostname from other times)",
                          what, from, to, hostname, outside);
                return r;
        }
        if (r == -ENOENT) {
                log_error("systemd-coredump kept no core of %s (hostname '%s') in /" STORED_CORE_DIR
                          ": did its process dump one (systemd-coredump's Storage= and ProcessSizeMax=)?",
                          what, hostname);
                return r;
        }
        if (r < 0)
                return log_error_errno(r, "cannot read /" STORED_CORE_DIR);
        c->in_run = from_usec && to_usec;
        if (asprintf(&c->stored, "/" STORED_CORE_DIR "/%s", sc.name) < 0) {
                c->stored = NULL;
                return log_error_errno(-ENOMEM, "cannot find the core");
        }
        /* In the sandbox, named as in the store, without the compression's suffix. */
        n = sc.compression == STORED_PLAIN ? strlen(sc.name) : (size_t)(strrchr(sc.name, '.') - sc.name);
        if (asprintf(&c->found.path, SANDBOX_CORE_DIR "/%.*s", (int)n, sc.name) < 0) {
                c->found.path = NULL;
                return log_error_errno(-ENOMEM, "cannot find the core");
        }
        c->found.mtime = (struct timespec){ .tv_sec = (time_t)(sc.usec / 1000000) };

        max = core_memory_max(ctx);
        r = core_tmpfs(max, &c->mntfd);
        if (r < 0)
                return log_error_errno(r, "cannot make a tmpfs for the core");
        /* Readable by its owner only, as systemd-coredump keeps it. */
        fd = openat(c->mntfd, c->found.path + strlen(SANDBOX_CORE_DIR "/"), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
                    0400);
        r = fd < 0 ? NEG_ERRNO() : stored_core_extract(&sc, fd);
        if (r == -EOPNOTSUPP)
                log_error("the core '%s' of %s is compressed with %s, which crashcart does not read (zstd, or "
                          "none: systemd-coredump's Compress=)",
                          c->stored, what, stored_compression_to_string(sc.compression));
        else if (r == -EBADMSG)
                log_error("the core '%s' of %s is cut short or broken", c->stored, what);
        else if (r == -ENOSPC)
                log_error("the core '%s' of %s needs more than the %" PRIu64 " MiB of memory crashcart takes for it "
                          "(half of what is available)",
                          c->stored, what, max >> 20);
        else if (r == -EINTR)
                log_error("interrupted by SIG%s", sigabbrev_np(interrupt_signal()));
        else if (r < 0)
                log_error_errno(r, "cannot decompress the core '%s'", c->stored);
        if (r < 0)
                return r;
        r = elfcore_parse_fd(fd, &c->found.info);
        if (r == -ENOEXEC || r == -EBADMSG)
                log_error("'%s' of %s is not an ELF core file", c->stored, what);
        else if (r == -EPROTONOSUPPORT)
                log_error("'%s' of %s is a core of another byte order than this machine's", c->stored, what);
        else if (r < 0)
                log_error_errno(r, "cannot read the core '%s'", c->stored);
        if (r < 0)
                return r;
        /* Read-only, once nothing has it open for writing. */
        fd = safe_close(fd);
        if (sys_mount_setattr(c->mntfd, "", AT_EMPTY_PATH, &ro) < 0)
                return log_error_errno(NEG_ERRNO(), "cannot make the core's tmpfs read-only");
        return 0;
}

/* Before the sandbox: whether the core is one systemd-coredump kept (1: then
 * in c->mntfd), or a file of the container's root (0: core_locate finds it in
 * the sandbox). An image never ran: a core in it is a file it holds. */
static int core_before_sandbox(const struct options *o, const struct resolve_ctx *ctx,
                               const struct container_spec *spec, bool image, const char *hostname, const char *what,
                               struct core_run *c)
{
        int r;

        if (!o->core || o->core_file)
                return 0;
        if (image) {
                log_error("%s never ran: it left no core (--core=FILE names a core that is a file in it)", what);
                return -EINVAL;
        }
        r = core_pattern_get(ctx, c);
        if (r < 0)
                return r;
        if (!c->pat.pipe)
                return 0;
        r = core_from_store(ctx, spec, hostname, what, c);
        return r < 0 ? r : 1;
}

/* The container's core, beneath the sandbox's root: --core=FILE, or the newest
 * file that kernel.core_pattern names there. */
static int core_locate(const struct options *o, const struct container_spec *spec, int rootfd, const char *what,
                       struct core_run *c)
{
        const struct core_pattern *pat = &c->pat;
        struct core_found *ret = &c->found;
        const char *dir;
        int r;

        if (o->core_file) {
                r = core_open_path(rootfd, o->core_file, ret);
                if (r == -ENOEXEC)
                        log_error("'%s' of %s is not an ELF core file", o->core_file, what);
                else if (r == -EPROTONOSUPPORT)
                        log_error("'%s' of %s is a core of another byte order than this machine's", o->core_file,
                                  what);
                else if (r < 0)
                        log_error_errno(r, "cannot read the core '%s' of %s", o->core_file, what);
                return r;
        }
        /* A relative pattern is in the dumping process's working directory: the
         * configured one is the best guess there is. */
        dir = pat->dir && pat->dir[0] == '/' ? pat->dir : spec->workdir ? spec->workdir : "/";
        if (pat->dir && pat->dir[0] != '/') {
                _cleanup_free_ char *joined = path_join(dir, pat->dir);

                r = joined ? core_find_newest(rootfd, joined, pat->glob, ret) : -ENOMEM;
        } else
                r = core_find_newest(rootfd, dir, pat->glob, ret);
        if (r == -ENOENT || r == -ENOTDIR)
                log_error("no core of %s matches kernel.core_pattern '%s' in its '%s': did its process run with a "
                          "core size limit (docker run --ulimit core=-1)?",
                          what, c->pattern, pat->dir ? pat->dir : dir);
        else if (r < 0)
                log_error_errno(r, "cannot look for the core of %s in its '%s'", what, pat->dir ? pat->dir : dir);
        return r;
}

/* The command of a --core run: the cart's gdb on the core, or the operator's
 * command told where the core is. */
static int core_prepare(const struct options *o, const struct container_spec *spec, const struct target *t,
                        const char *what, struct core_run *c)
{
        _cleanup_close_ int rootfd = -EBADF;
        const struct elfcore_info *info = &c->found.info;
        size_t n = 0;
        int r;

        /* The sandbox's root, as its init sees it: the container's files. A
         * core from systemd-coredump's store is there already. */
        if (!c->stored) {
                rootfd = openat(t->procfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (rootfd < 0)
                        return log_error_errno(NEG_ERRNO(), "cannot open the sandbox's root");
                r = core_locate(o, spec, rootfd, what, c);
                if (r < 0)
                        return r;
        }
        if (o->command) {
                c->envs = calloc(o->n_envs + 2, sizeof(char *));
                if (!c->envs || asprintf(&c->envs_buf[0], "CRASHCART_CORE=%s", c->found.path) < 0 ||
                    asprintf(&c->envs_buf[1], "CRASHCART_CORE_EXE=%s", info->exe ? info->exe : "") < 0) {
                        c->envs_buf[0] = c->envs_buf[1] = NULL;
                        return log_error_errno(-ENOMEM, "cannot prepare the command");
                }
                for (size_t i = 0; i < o->n_envs; i++)
                        c->envs[c->n_envs++] = o->envs[i];
                c->envs[c->n_envs++] = c->envs_buf[0];
                c->envs[c->n_envs++] = c->envs_buf[1];
                return 0;
        }
        /* The container's root is the sandbox's /: the sysroot where gdb finds
         * the program's libraries as the process loaded them. */
        c->argv[n++] = (char *)CART_BIN "/gdb";
        c->argv[n++] = (char *)"-q";
        c->argv[n++] = (char *)"-iex";
        c->argv[n++] = (char *)"set sysroot /";
        c->argv[n++] = (char *)"-ex";
        c->argv[n++] = (char *)"bt";
        if (info->exe)
                c->argv[n++] = info->exe;
        c->argv[n++] = (char *)"-c";
        c->argv[n++] = c->found.path;
        c->argv[n] = NULL;
        return 0;
}

/* Which core, of what, killed how, and when: said once the sandbox is. */
static void core_say(const struct core_run *c)
{
        const struct core_found *f = &c->found;
        const struct elfcore_info *info = &f->info;
        const char *sig = info->signal > 0 ? sigabbrev_np(info->signal) : NULL;
        char when[64] = "";
        struct tm tm;

        if (localtime_r(&f->mtime.tv_sec, &tm))
                strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
        if (c->stored)
                log_notice("the core '%s' of '%s'%s%s, written %s by systemd-coredump %s (%zu older there), at %s",
                           c->stored, info->exe ? info->exe : info->fname[0] ? info->fname : "an unknown program",
                           sig ? ", killed by SIG" : "", sig ? sig : "", when,
                           c->in_run ? "in its last run" : "under its hostname (the times of its runs unknown)",
                           c->n_older, f->path);
        else
                log_notice("the core '%s' of '%s'%s%s, written %s", f->path,
                           info->exe ? info->exe : info->fname[0] ? info->fname : "an unknown program",
                           sig ? ", killed by SIG" : "", sig ? sig : "", when);
}

int postmortem_run(const struct options *o, char *const *argv, const struct cart_request *creq,
                   const struct resolve_ctx *ctx, const struct candidate *hit, const sigset_t *fwd,
                   const sigset_t *oldmask)
{
        _cleanup_close_ int rundir_fd = -EBADF, cart_mntfd = -EBADF;
        struct container_spec spec = {};
        struct sandbox sb = SANDBOX_INIT;
        struct sandbox_error err;
        struct target t = TARGET_INIT;
        struct core_run core = CORE_RUN_INIT;
        /* An image has no container id to name the host after. */
        char what[400], hostname[13] = "crashcart";
        dev_t cart_dev = 0;
        size_t n_left_out;
        int status = EXIT_CRASHCART, r;

        if (get_spec(o, ctx, hit, &spec, what, sizeof(what)) < 0)
                goto out;
        log_debug("%s: %zu layers, %zu mounts, %zu tmpfs, %s configuration", what, spec.n_layers, spec.n_mounts,
                  spec.n_tmpfs, spec.has_config ? "with its" : "no");
        r = rundir_open(&rundir_fd);
        if (r < 0) {
                log_error_errno(r, "cannot set up " RUNDIR);
                goto out;
        }
        if (hit && hit->id)
                snprintf(hostname, sizeof(hostname), "%.12s", hit->id);
        if (core_before_sandbox(o, ctx, &spec, !hit, spec.hostname ? spec.hostname : hostname, what, &core) < 0)
                goto out;
        if (cart_open_detached(creq, rundir_fd, &cart_mntfd, &cart_dev) < 0)
                goto out;
        fault_point("mounted");

        struct sandbox_request sreq = {
                .spec = &spec,
                .cart_mntfd = cart_mntfd,
                .core_mntfd = core.mntfd,
                .writable = o->writable,
                .hostname = spec.hostname ? spec.hostname : hostname,
        };
        r = sandbox_start(&sreq, &sb, &err);
        /* The sandbox's mounts hold the cart and the core now. */
        cart_mntfd = safe_close(cart_mntfd);
        core.mntfd = safe_close(core.mntfd);
        if (r < 0) {
                status = log_sandbox_error(&err, &spec, what);
                goto out;
        }
        r = target_open(sb.pid, &t);
        if (r < 0) {
                log_error_errno(r, "cannot open the sandbox's init");
                goto out;
        }
        t.runtime = strdup(hit ? hit->runtime : "image");
        t.name = strdup(what);
        fault_point("sandboxed");
        if (o->core) {
                if (core_prepare(o, &spec, &t, what, &core) < 0)
                        goto out;
                if (!o->command)
                        argv = core.argv;
        }
        n_left_out = count_left_out(o, &spec);
        if (n_left_out > 0)
                log_notice("%s %s: a post-mortem sandbox of its files, %s; %zu variable%s of its "
                           "environment left out (-v names them; --env-from-target=NAME takes one)",
                           what, hit ? "is not running" : "never ran",
                           o->writable ? "writable into a copy that goes at the end" : "read-only", n_left_out,
                           n_left_out == 1 ? "" : "s");
        else
                log_notice("%s %s: a post-mortem sandbox of its files, %s", what, hit ? "is not running" : "never ran",
                           o->writable ? "writable into a copy that goes at the end" : "read-only");

        if (o->core)
                core_say(&core);

        struct run_request rreq = {
                .argv = argv,
                .tty = o->tty,
                .user = o->user ? o->user : spec.user,
                .workdir = o->workdir ? o->workdir : spec.workdir,
                .envs = core.envs ? core.envs : o->envs,
                .n_envs = core.envs ? core.n_envs : o->n_envs,
                /* The configuration's environment stands in for the init's: what
                 * --env-from-target takes, it takes without being told. */
                .env_from_target = true,
                .target_environ = spec.environ ? spec.environ : "",
                .target_environ_len = spec.environ_len,
                .left_out_said = true,
                .env_take = o->env_take,
                .n_env_take = o->n_env_take,
                .confined = o->confined,
                .privileged = o->privileged,
                .force = o->force,
                .cart_dev = cart_dev,
                .forwarded = fwd,
                .sigmask = oldmask,
        };
        status = run_command(&rreq, ctx, &t);
out:
        core_run_done(&core);
        target_done(&t);
        sandbox_stop(&sb);
        container_spec_done(&spec);
        return status;
}
