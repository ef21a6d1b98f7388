/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <linux/capability.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/fileio.h"
#include "basic/interrupt.h"
#include "basic/log.h"
#include "basic/macro.h"
#include "basic/spawn.h"
#include "exec/cmdenv.h"
#include "exec/confinement.h"
#include "exec/nsexec.h"
#include "exec/pty.h"
#include "exec/run.h"

/* The exit status and the message of a failure to start the command. */
static int log_exec_error(const struct exec_error *e, const char *cmd)
{
        if (e->error == -EINTR && interrupt_signal()) {
                log_error("interrupted by SIG%s", sigabbrev_np(interrupt_signal()));
                return 128 + interrupt_signal();
        }
        if (e->stage == EXEC_STAGE_EXEC) {
                if (e->error == -ENOENT || e->error == -ENOTDIR) {
                        log_error("'%s': no such file or directory in the container", cmd);
                        return EXIT_NOT_FOUND;
                }
                if (e->error == -ELOOP) {
                        log_error("'%s' in the container is a symlink loop or a link through /proc "
                                  "(/proc/self/exe, /proc/self/fd); refusing to run it",
                                  cmd);
                        return EXIT_CANNOT_EXEC;
                }
                log_error_errno(e->error, "cannot execute '%s' in the container", cmd);
                return EXIT_CANNOT_EXEC;
        }
        if (e->stage == EXEC_STAGE_WORKDIR && e->error == -ELOOP)
                log_error("the working directory in the container is a symlink loop or a link through /proc "
                          "(/proc/self/fd, /proc/self/cwd); refusing to follow it");
        else if (e->stage == EXEC_STAGE_USER)
                log_error(e->error == -ESRCH ? "no such user in the container's /etc/passwd"
                          : e->error == -ENOENT ? "no such group in the container's /etc/group"
                                                : "not a user: give NAME, UID, NAME:GROUP or UID:GID");
        else if (e->error == -ESRCH)
                log_error("the container exited");
        else
                log_error_errno(e->error, "%s", exec_stage_to_string(e->stage));
        return EXIT_CRASHCART;
}

/* For -e on a PID (or a cgroup-scan hit): the runtime container that holds it, the
 * one whose init shares its mount namespace. */
static int container_of_pid(const struct resolve_ctx *ctx, const struct target *t, struct candidates *all,
                            const struct candidate **ret)
{
        uint64_t dev, ino;
        int r;

        r = target_ns_id(t, "mnt", &dev, &ino);
        if (r < 0)
                return r;
        r = resolve_list(ctx, NULL, all);
        if (r < 0)
                return r;
        for (size_t i = 0; i < all->n; i++) {
                struct stat st;
                char path[64];

                if (!all->v[i].running)
                        continue;
                snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)all->v[i].pid);
                if (stat(path, &st) == 0 && st.st_dev == dev && st.st_ino == ino) {
                        *ret = &all->v[i];
                        return 0;
                }
        }
        return -ENOENT;
}

static int spawn_runtime_exec(const struct resolve_ctx *ctx, const struct target *t, char *const *argv, bool tty,
                              const sigset_t *oldmask, const int *stdio, pid_t *ret_pid)
{
        _cleanup_free_ char **rargv = NULL;
        struct candidates all = {};
        const char *runtime = t->runtime;
        char exec_id[64];
        struct runtime_exec_args a = { .id = t->id, .ns = t->ns, .address = t->address, .tty = tty,
                                       .exec_id = exec_id };
        int r;

        if (!runtime_names_container(runtime)) {
                const struct candidate *c;

                r = container_of_pid(ctx, t, &all, &c);
                if (r < 0) {
                        log_error("-e needs a container runtime's exec, and no runtime knows %s", target_label(t));
                        r = -1;
                        goto out;
                }
                runtime = c->runtime;
                a.id = c->id;
                a.ns = c->ns;
                a.address = c->address;
        }
        snprintf(exec_id, sizeof(exec_id), "crashcart-%d", (int)getpid());
        r = runtime_exec_argv(runtime_get(runtime), &a, argv, &rargv);
        if (r == -EOPNOTSUPP) {
                log_error("-e: %s has no exec of its own; run without -e", runtime);
                r = -1;
                goto out;
        }
        if (r < 0) {
                log_error_errno(r, "-e");
                r = -1;
                goto out;
        }
        log_debug("running %s %s in %s", rargv[0], rargv[1], a.id);
        r = host_spawn(rargv, oldmask, stdio, ret_pid);
        if (r < 0) {
                log_error_errno(r, "cannot run %s", rargv[0]);
                r = -1;
        }
out:
        candidates_done(&all);
        return r;
}

/* The host side of the command's standard streams. */
struct stdio_plan {
        bool pty;
        int host_master, host_slave;    /* the fallback pty */
        int sock[2];                    /* the container's pty master comes over it */
        int child[3];                   /* what the command gets as 0, 1, 2 */
        struct relay relays[3];
        size_t n_relays;
};

#define STDIO_PLAN_INIT \
        { .host_master = -EBADF, .host_slave = -EBADF, .sock = { -EBADF, -EBADF }, .child = { 0, 1, 2 } }

static void stdio_plan_done(struct stdio_plan *p)
{
        safe_close(p->host_master);
        safe_close(p->host_slave);
        safe_close(p->sock[0]);
        safe_close(p->sock[1]);
        for (int i = 0; i < 3; i++)
                if (p->child[i] > 2)
                        safe_close(p->child[i]);
        for (size_t i = 0; i < p->n_relays; i++) {
                if (p->relays[i].from > 2)
                        safe_close(p->relays[i].from);
                if (p->relays[i].to > 2)
                        safe_close(p->relays[i].to);
        }
}

/* Interactive: a pty (the container's, or a host one as the fallback). Otherwise
 * bytes pass straight through, but a terminal never reaches the container: a
 * terminal on 0, 1 or 2 is relayed through a pipe, so that nothing in the
 * container can push input into it with TIOCSTI. */
static int stdio_prepare(bool pty, struct stdio_plan *p)
{
        *p = (struct stdio_plan)STDIO_PLAN_INIT;
        p->pty = pty;
        if (pty) {
                p->host_master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
                if (p->host_master < 0 || grantpt(p->host_master) < 0 || unlockpt(p->host_master) < 0)
                        return NEG_ERRNO();
                p->host_slave = ioctl(p->host_master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
                if (p->host_slave < 0)
                        return NEG_ERRNO();
                if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p->sock) < 0)
                        return NEG_ERRNO();
                return 0;
        }
        for (int i = 0; i < 3; i++) {
                int pfd[2];

                if (!isatty(i))
                        continue;
                if (pipe2(pfd, O_CLOEXEC) < 0)
                        return NEG_ERRNO();
                if (i == 0) {
                        p->child[0] = pfd[0];
                        p->relays[p->n_relays++] = (struct relay){ .from = 0, .to = pfd[1], .is_input = true, .open = true };
                } else {
                        p->child[i] = pfd[1];
                        p->relays[p->n_relays++] = (struct relay){ .from = pfd[0], .to = i, .open = true };
                }
        }
        return 0;
}

/* A container whose processes may hold CAP_SYS_PTRACE in the host's user
 * namespace (its bounding set has it, and it has no user namespace of its own)
 * can take over any process that enters it, crashcart's command included: with
 * a debugger's capabilities that command would have capabilities the container
 * lacks (CAP_NET_ADMIN, CAP_SYS_ADMIN, ...) and none of its seccomp filters. So it
 * runs confined as the container (--confined), said in one line, unless it would
 * have no capability the container cannot have anyway, or -f. In a user
 * namespace of its own, what the container can trace holds capabilities of that
 * namespace only. 1: confine it; 0: no need; -errno. */
static int ptrace_reach(const struct run_request *req, const struct target *t)
{
        _cleanup_free_ char *status = NULL;
        struct confinement c = {};
        uint64_t eff = 0, prm = 0, cmd;
        int r;

        if (req->confined || req->force || req->use_runtime_exec || fault_disabled("ptrace-reach"))
                return 0;
        r = target_ns_differs(t, "user");
        if (r != 0)
                return r < 0 && r != -ENOENT && r != -ESRCH ? log_error_errno(r, "cannot read the user namespace of %s",
                                                                              target_label(t))
                                                            : 0;
        r = read_full_fileat(t->procfd, "status", 1 << 16, &status, NULL);
        if (r == -ESRCH || r == -ENOENT)
                return 0; /* it has exited: said where the command is started */
        if (r >= 0)
                r = confinement_parse_status(status, &c);
        if (r < 0)
                return log_error_errno(r, "cannot read the capabilities of %s", target_label(t));
        if (!(c.cap_bnd & (1ULL << CAP_SYS_PTRACE)))
                return 0;
        r = confinement_current_caps(&eff, &prm);
        if (r < 0)
                return log_error_errno(r, "cannot read crashcart's capabilities");
        cmd = prm & ~(req->privileged ? 0 : confinement_default_dropped());
        if ((cmd & ~c.cap_bnd) == 0)
                return 0;
        log_notice("the processes of %s may hold CAP_SYS_PTRACE on the host, and could take over a command "
                   "with more than they have: it runs confined as the container (--confined; -f gives it a "
                   "debugger's capabilities anyway)",
                   target_label(t));
        return 1;
}

/* The command's environment, and with --confined the target's confinement. */
static int prepare_command(const struct run_request *req, const struct target *t, bool pty, struct cmdenv *env,
                           struct confinement *conf, bool *ret_confined)
{
        _cleanup_free_ char *environ_text = NULL;
        size_t environ_len = 0;
        const char *term = getenv("TERM");
        int r;

        if (req->env_from_target && req->target_environ) {
                environ_text = malloc(req->target_environ_len + 1);
                if (!environ_text)
                        return log_error_errno(-ENOMEM, "cannot build the command's environment");
                memcpy(environ_text, req->target_environ, req->target_environ_len);
                environ_text[req->target_environ_len] = 0;
                environ_len = req->target_environ_len;
        } else if (req->env_from_target) {
                /* Bounded only against a runaway: the kernel's own limit at exec
                 * (E2BIG) is reported, nothing is cut short. */
                r = read_full_fileat(t->procfd, "environ", 256u << 20, &environ_text, &environ_len);
                if (r < 0)
                        return log_error_errno(r, "cannot read the environment of %s", target_label(t));
        }
        r = cmdenv_build(environ_text, environ_len, req->env_take, req->n_env_take,
                         pty || term ? (term ?: "xterm") : NULL, req->envs, req->n_envs, env);
        if (r < 0)
                return log_error_errno(r, "cannot build the command's environment");
        if (env->n_left_out > 0 && !req->left_out_said) {
                /* Nothing is dropped silently. */
                log_warning("%zu variable%s of the environment of %s left out (-v names them; "
                            "--env-from-target=NAME takes one)",
                            env->n_left_out, env->n_left_out == 1 ? "" : "s", target_label(t));
                for (size_t i = 0; i < env->n_left_out; i++)
                        log_debug("left out of the target's environment: %s", env->left_out[i]);
        }
        r = ptrace_reach(req, t);
        if (r < 0)
                return r;
        *ret_confined = req->confined || r > 0;
        if (*ret_confined) {
                r = confinement_read(t, conf);
                if (r == -ETIME)
                        return log_error_errno(r, "cannot read the confinement of %s: its init does not stop for a "
                                                  "moment to have its seccomp filters copied (in an uninterruptible "
                                                  "wait?)",
                                               target_label(t));
                if (r < 0)
                        return log_error_errno(r, "cannot read the confinement of %s", target_label(t));
                log_debug("confined: CapBnd %016llx, no_new_privs %d, seccomp mode %d with %zu filters",
                          (unsigned long long)conf->cap_bnd, conf->no_new_privs, conf->seccomp_mode,
                          conf->n_filters);
        }
        return 0;
}

/* Relays the command's terminal or streams until it exits: *ret_ws is its wait
 * status. */
static int wait_command(const struct run_request *req, struct stdio_plan *plan, pid_t pid, int *ret_ws)
{
        int master = -EBADF, r;

        if (!plan->pty) {
                if (plan->n_relays > 0)
                        r = relay_run(plan->relays, plan->n_relays, -1, -1, pid, req->forwarded, ret_ws);
                else
                        r = wait_forwarding(pid, req->forwarded, ret_ws);
                if (r < 0)
                        return log_error_errno(r, "cannot wait for the command");
                return 0;
        }
        r = recv_pty_master(plan->sock[0], &master);
        if (r < 0) {
                log_error_errno(r, "cannot receive the command's terminal");
                kill(pid, SIGKILL);
                wait_forwarding(pid, req->forwarded, ret_ws);
                return r;
        }
        if (master < 0) {
                log_debug("the container has no devpts: using a pty of the host's");
                master = TAKE_FD(plan->host_master);
        } else
                log_debug("pseudo-terminal from the container's devpts");
        if (isatty(STDIN_FILENO) && tty_raw_begin(STDIN_FILENO) < 0)
                log_warning("cannot put the terminal in raw mode");
        plan->relays[0] = (struct relay){ .from = STDIN_FILENO, .to = master, .is_input = true, .eof_to_pty = true,
                                          .open = true };
        plan->relays[1] = (struct relay){ .from = master, .to = STDOUT_FILENO, .open = true };
        r = relay_run(plan->relays, 2, isatty(STDIN_FILENO) ? STDIN_FILENO : -1, master, pid, req->forwarded, ret_ws);
        tty_restore();
        safe_close(master);
        plan->n_relays = 0;
        if (r < 0)
                return log_error_errno(r, "cannot wait for the command");
        return 0;
}

static int run_in_namespaces(const struct run_request *req, const struct target *t)
{
        struct confinement conf = {};
        struct stdio_plan plan = STDIO_PLAN_INIT;
        struct cmdenv env = {};
        struct exec_error err;
        bool pty = req->tty == 1 || (req->tty == -1 && isatty(STDIN_FILENO));
        int status = EXIT_CRASHCART, ws, r;
        bool confined = false;
        pid_t pid;

        if (prepare_command(req, t, pty, &env, &conf, &confined) < 0)
                goto out;
        r = stdio_prepare(pty, &plan);
        if (r < 0) {
                log_error_errno(r, "cannot set up the command's terminal");
                goto out;
        }

        struct exec_request ereq = {
                .keep_fd = req->keep_fd > 0 ? req->keep_fd : -EBADF,
                .argv = req->argv,
                .envp = env.v,
                .sigmask = req->sigmask,
                .user = req->user,
                .home_from_user = !env.home_given,
                .workdir = req->workdir,
                .workdir_or_root = req->workdir_or_root,
                .pty = pty,
                .host_pty_slave = plan.host_slave,
                .pty_sock = plan.sock[1],
                .stdio = { plan.child[0], plan.child[1], plan.child[2] },
                .confine = confined ? &conf : NULL,
                .privileged = req->privileged,
                .cart_dev = req->cart_dev,
        };
        r = ns_spawn(t, &ereq, &pid, &err);
        if (r < 0) {
                status = log_exec_error(&err, req->argv[0]);
                goto out;
        }
        log_debug("command started as PID %d", (int)pid);
        if (req->started)
                req->started(pid, req->started_userdata);

        /* The command's ends are its own now. */
        for (int i = 0; i < 3; i++)
                if (plan.child[i] > 2)
                        plan.child[i] = safe_close(plan.child[i]);
        plan.host_slave = safe_close(plan.host_slave);

        if (wait_command(req, &plan, pid, &ws) == 0)
                status = exit_status_of(ws);
out:
        stdio_plan_done(&plan);
        confinement_done(&conf);
        cmdenv_done(&env);
        return status;
}

/* -e: the runtime's own exec. With a terminal on 0 and 1 the runtime gives the
 * command a pty of its own; otherwise a terminal on any of 0, 1, 2 is relayed
 * through a pipe, as without -e, so that the host's terminal never reaches the
 * container. */
static int run_through_runtime(const struct run_request *req, const struct resolve_ctx *ctx, const struct target *t)
{
        struct stdio_plan plan = STDIO_PLAN_INIT;
        bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
        int status = EXIT_CRASHCART, ws, r;
        pid_t pid;

        /* With a terminal, the runtime's own pty takes 0, 1 and 2 as they are. */
        if (!tty) {
                r = stdio_prepare(false, &plan);
                if (r < 0) {
                        log_error_errno(r, "cannot set up the command's standard streams");
                        goto out;
                }
        }
        if (spawn_runtime_exec(ctx, t, req->argv, tty, req->sigmask, plan.child, &pid) < 0)
                goto out;
        if (req->started)
                req->started(pid, req->started_userdata);
        for (int i = 0; i < 3; i++)
                if (plan.child[i] > 2)
                        plan.child[i] = safe_close(plan.child[i]);
        if (!tty && plan.n_relays > 0)
                r = relay_run(plan.relays, plan.n_relays, -1, -1, pid, req->forwarded, &ws);
        else
                r = wait_forwarding(pid, req->forwarded, &ws);
        if (r < 0) {
                log_error_errno(r, "cannot wait for the command");
                goto out;
        }
        status = exit_status_of(ws);
out:
        stdio_plan_done(&plan);
        return status;
}

int run_command(const struct run_request *req, const struct resolve_ctx *ctx, const struct target *t)
{
        if (req->use_runtime_exec)
                return run_through_runtime(req, ctx, t);
        return run_in_namespaces(req, t);
}
