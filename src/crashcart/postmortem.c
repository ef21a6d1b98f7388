/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/interrupt.h"
#include "basic/log.h"
#include "basic/macro.h"
#include "basic/fileio.h"
#include "cart/layout.h"
#include "cart/session.h"
#include "coredump/find.h"
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
};

static void core_run_done(struct core_run *c)
{
        free(c->envs_buf[0]);
        free(c->envs_buf[1]);
        free(c->envs);
        core_found_done(&c->found);
}

/* The container's core, beneath the sandbox's root: --core=FILE, or the newest
 * file that kernel.core_pattern names there. */
static int core_locate(const struct options *o, const struct resolve_ctx *ctx, const struct container_spec *spec,
                       int rootfd, const char *what, struct core_found *ret)
{
        _cleanup_free_ char *text = NULL, *uses_pid = NULL;
        struct core_pattern pat = {};
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
        r = read_full_fileat(ctx->root_fd, "proc/sys/kernel/core_pattern", 4096, &text, NULL);
        if (r < 0)
                return log_error_errno(r, "cannot read kernel.core_pattern");
        (void)read_full_fileat(ctx->root_fd, "proc/sys/kernel/core_uses_pid", 64, &uses_pid, NULL);
        text[strcspn(text, "\n")] = 0;
        r = core_pattern_parse(text, uses_pid && uses_pid[0] == '1', &pat);
        if (r == -EOPNOTSUPP) {
                log_error("kernel.core_pattern '%s' makes a directory per core: --core=FILE names the core", text);
                return r;
        }
        if (r < 0)
                return log_error_errno(r, "cannot parse kernel.core_pattern '%s'", text);
        if (pat.pipe) {
                log_error("kernel.core_pattern pipes cores to '%s', which keeps them outside the container: "
                          "--core finds cores that the kernel wrote as files (kernel.core_pattern=/tmp/core.%%e.%%p), "
                          "or --core=FILE names one",
                          pat.pipe);
                core_pattern_done(&pat);
                return -EOPNOTSUPP;
        }
        /* A relative pattern is in the dumping process's working directory: the
         * configured one is the best guess there is. */
        dir = pat.dir && pat.dir[0] == '/' ? pat.dir : spec->workdir ? spec->workdir : "/";
        if (pat.dir && pat.dir[0] != '/') {
                _cleanup_free_ char *joined = path_join(dir, pat.dir);

                r = joined ? core_find_newest(rootfd, joined, pat.glob, ret) : -ENOMEM;
        } else
                r = core_find_newest(rootfd, dir, pat.glob, ret);
        if (r == -ENOENT || r == -ENOTDIR)
                log_error("no core of %s matches kernel.core_pattern '%s' in its '%s': did its process run with a "
                          "core size limit (docker run --ulimit core=-1)?",
                          what, text, pat.dir ? pat.dir : dir);
        else if (r < 0)
                log_error_errno(r, "cannot look for the core of %s in its '%s'", what, pat.dir ? pat.dir : dir);
        core_pattern_done(&pat);
        return r;
}

/* The command of a --core run: the cart's gdb on the core, or the operator's
 * command told where the core is. */
static int core_prepare(const struct options *o, const struct resolve_ctx *ctx, const struct container_spec *spec,
                        const struct target *t, const char *what, struct core_run *c)
{
        _cleanup_close_ int rootfd = -EBADF;
        const struct elfcore_info *info = &c->found.info;
        size_t n = 0;
        int r;

        /* The sandbox's root, as its init sees it: the container's files. */
        rootfd = openat(t->procfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return log_error_errno(NEG_ERRNO(), "cannot open the sandbox's root");
        r = core_locate(o, ctx, spec, rootfd, what, &c->found);
        if (r < 0)
                return r;
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
static void core_say(const struct core_found *f)
{
        const struct elfcore_info *info = &f->info;
        const char *sig = info->signal > 0 ? sigabbrev_np(info->signal) : NULL;
        char when[64] = "";
        struct tm tm;

        if (localtime_r(&f->mtime.tv_sec, &tm))
                strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
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
        struct core_run core = {};
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
        if (cart_open_detached(creq, rundir_fd, &cart_mntfd, &cart_dev) < 0)
                goto out;
        fault_point("mounted");

        if (hit && hit->id)
                snprintf(hostname, sizeof(hostname), "%.12s", hit->id);
        struct sandbox_request sreq = {
                .spec = &spec,
                .cart_mntfd = cart_mntfd,
                .writable = o->writable,
                .hostname = spec.hostname ? spec.hostname : hostname,
        };
        r = sandbox_start(&sreq, &sb, &err);
        cart_mntfd = safe_close(cart_mntfd); /* the sandbox's mount holds the cart now */
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
                if (core_prepare(o, ctx, &spec, &t, what, &core) < 0)
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
                core_say(&core.found);

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
