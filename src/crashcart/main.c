/* SPDX-License-Identifier: GPL-2.0-or-later */
/* crashcart: sideload a cart of debugging tools into a running container and run
 * a command from it inside the container's namespaces.
 *
 * The command layer: options into requests, the path of one invocation through
 * the stages (resolve, then the cart, then the command, then the cart released),
 * the help, and the one place that picks the exit status. The stages are in
 * src/resolve, src/cart and src/exec. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "basic/interrupt.h"
#include "basic/log.h"
#include "basic/macro.h"
#include "cart/cart.h"
#include "cart/layout.h"
#include "cart/out.h"
#include "cart/place.h"
#include "cart/reaper.h"
#include "cart/session.h"
#include "crashcart/all.h"
#include "crashcart/options.h"
#include "crashcart/postmortem.h"
#include "exec/cmdenv.h"
#include "exec/hostns.h"
#include "exec/nsexec.h"
#include "exec/run.h"
#include "exec/target.h"
#include "resolve/resolve.h"
#include "resolve/select.h"

static char *default_command[] = {
        CART_SHELL, "--rcfile", CART_RCFILE, "-i", NULL,
};

static void help(void)
{
        char runtime_list[256] = "";
        for (const struct runtime *rt = runtime_table(); rt->name; rt++)
                snprintf(runtime_list + strlen(runtime_list), sizeof(runtime_list) - strlen(runtime_list), "%s%s",
                         rt == runtime_table() ? "" : ", ", rt->name);
        printf("Usage: crashcart [options] ID [--] [CMD [ARG...]]\n"
               "       crashcart [options] --all [--name GLOB] [--label KEY=VALUE] -- CMD [ARG...]\n"
               "       crashcart [options] image:NAME [--] [CMD [ARG...]]\n"
               "       crashcart [-i IMAGE] --manifest\n"
               "       crashcart --idle\n"
               "\n"
               "Mount a cart of debugging tools at /dev/crashcart inside a running container\n"
               "and run CMD from it in all the container's namespaces. Without CMD, an\n"
               "interactive shell: %s --rcfile %s -i.\n"
               "\n"
               "ID is a PID of any process in the container, or a container id, unique id\n"
               "prefix or name of Docker, Podman, containerd (any namespace, any state\n"
               "directory), CRI-O, runc, crun, LXC, systemd-nspawn or rkt; Kubernetes'\n"
               "docker://ID, containerd://ID and cri-o://ID too.\n"
               "\n"
               "Run from a container of its own with the host's PIDs (a node pod: hostPID,\n"
               "privileged), crashcart opens the cart there and works in the host's mount\n"
               "namespace.\n"
               "\n"
               "A Docker, Podman, runc, crun, LXC or systemd-nspawn container that exists\n"
               "but does not run (exited, killed, created), or image:NAME (a Docker or\n"
               "Podman image), starts\n"
               "a post-mortem sandbox instead: the command runs in namespaces of its own on\n"
               "the container's files as it left them, its volumes read-only, the cart at\n"
               "/dev/crashcart. Nothing of the container changes.\n"
               "\n"
               "Options:\n"
               "  -i, --image PATH   the cart: an ext2/3/4, squashfs or erofs image file, or a\n"
               "                     directory (default: $CRASHCART_IMAGE, then\n"
               "                     %s); it must be root's and not\n"
               "                     writable by group or others (-f uses it anyway)\n"
               "  -m, --mount        mount the cart and leave it mounted; run nothing\n"
               "  -u, --unmount      unmount the cart; run nothing\n"
               "  -e, --exec         run the command through the container's runtime (docker\n"
               "                     exec, podman exec, ctr task exec, runc exec, ...)\n"
               "  -r, --runtime NAME look for ID in this runtime only: %s\n"
               "  -l, --list         list the running containers crashcart can see\n"
               "  -p, --pid          print the PID of the container's init and exit\n"
               "  -t, --tty          a pseudo-terminal for the command (default when stdin is\n"
               "                     a terminal)\n"
               "  -T, --no-tty       no pseudo-terminal: bytes pass straight through\n"
               "  -S, --setuid UID   run as this user (a name or number of the container's)\n"
               "  -G, --setgid GID   run with this group\n"
               "      --user USER[:GROUP]  as docker exec --user\n"
               "  -w, --workdir DIR  working directory in the container (default: the one the\n"
               "                     runtime configured, as docker exec's; else /)\n"
               "      --env KEY=VALUE  set a variable for the command (repeatable); the\n"
               "                     loader's (LD_*, GCONV_PATH, ...) only with -f\n"
               "      --env-from-target[=NAME,PREFIX*,...]  take from the environment of the\n"
               "                     container's init what is data to the cart's programs:\n"
               "                     " CMDENV_TARGET_ALLOWED_TEXT " (PATH after the\n"
               "                     cart's), and the names given; never LD_* and the like\n"
               "      --confined     the container's own capabilities, no_new_privs,\n"
               "                     seccomp filters and LSM label (AppArmor, SELinux)\n"
               "      --privileged   every capability; by default the command has what a\n"
               "                     debugger needs, not module loading, raw I/O, mknod,\n"
               "                     reboot, eBPF and the like\n"
               "      --out DIR      the host directory DIR (made 0700 if missing) writable at\n"
               "                     /dev/crashcart/out, nosuid, nodev, noexec, gone with the\n"
               "                     cart (with -m: until -u); the container's root writes\n"
               "                     there as $SUDO_UID:$SUDO_GID, or root. No symlink in DIR's\n"
               "                     path is followed\n"
               "      --all          run CMD in every running container that matches, each\n"
               "                     line shown as 'NAME | line' (stderr to stderr); with --out,\n"
               "                     each container's files in DIR/NAME\n"
               "      --name GLOB    with --all: containers whose name matches\n"
               "      --label KEY[=VALUE]  with --all: containers with this label (repeatable;\n"
               "                     Docker's, and Podman's through its API socket)\n"
               "      --parallel N   with --all: N at a time (default %d)\n"
               "      --host DIR     with -m/-u: mount the cart at a host directory (for\n"
               "                     docker run -v DIR:/dev/crashcart:ro), or release it\n"
               "  -f, --force        accept a PID in crashcart's own mount namespace, a cart\n"
               "                     image not root's, --env of the loader's variables; make a\n"
               "                     read-only /dev writable even when the container cannot\n"
               "                     be frozen meanwhile; detach a busy cart lazily on unmount\n"
               "      --legacy-mount mount with mount(2), on descriptors (the way for\n"
               "                     kernels before 5.2)\n"
               "      --writable     a post-mortem sandbox is writable, into a copy that goes\n"
               "                     at the end (the container's files never change)\n"
               "      --core[=FILE]  a post-mortem sandbox opens the container's newest core\n"
               "                     (where kernel.core_pattern puts it in the container), or\n"
               "                     FILE of the container's, in the cart's gdb, which shows\n"
               "                     the backtrace and reads commands (from stdin, to its\n"
               "                     end, when that is not a terminal). With CMD: CMD runs\n"
               "                     instead, with $CRASHCART_CORE and $CRASHCART_CORE_EXE\n"
               "      --manifest     print the cart's manifest (its packages with version and\n"
               "                     architecture, the builder's version and options) and exit\n"
               "      --idle         do nothing until SIGTERM (SIGINT, SIGHUP), then exit 0:\n"
               "                     the process of a DaemonSet's container from crashcart's\n"
               "                     image, for 'kubectl exec POD -- /crashcart ID' beside it\n"
               "  -v, --verbose      say what is done\n"
               "  -h, --help         show this help and exit\n"
               "  -V, --version      show the version and exit\n"
               "\n"
               "Exit status: the command's own (128+N when killed by signal N); 125 when\n"
               "crashcart fails, 126 when the command cannot be executed, 127 when it is\n"
               "not found; 128+N (130, 143) when signal N ends crashcart before the command\n"
               "runs (after that, signals are forwarded to the command). --all: 0 when\n"
               "every command succeeded, 1 when one failed (each named on a line at the\n"
               "end), 125 when no container matches, 128+N when signal N interrupted it.\n",
               default_command[0], default_command[2], CRASHCART_DEFAULT_IMAGE, runtime_list,
               OPTIONS_PARALLEL_DEFAULT);
}

/* What this build can do, as runc and crun list it. The system calls are made
 * directly, so every one is compiled in; whether the kernel has them is found out
 * at run time, and the fallbacks take over where it has not. */
static void version(void)
{
        printf("crashcart version %s\n"
               "default image: %s\n"
               "build: %s, json-c %s\n"
               "features: +NEW_MOUNT_API +MOVE_MOUNT +IDMAP +PIDFD +SETNS_PIDFD +LOOP_CONFIGURE +CLOSE_RANGE "
               "+OPENAT2 +DEVPTS_PTY +SECCOMP_COPY +LEGACY_MOUNT\n",
               CRASHCART_VERSION, CRASHCART_DEFAULT_IMAGE,
#ifdef CRASHCART_STATIC
               "static",
#else
               "dynamic",
#endif
               json_c_version());
}

/* -ENOTCONN: the container is not running; *ret_stopped holds it (one
 * candidate), to be freed by the caller. */
static int resolve_target(const struct options *o, const struct resolve_ctx *ctx, struct target *t,
                          struct candidates *ret_stopped)
{
        _cleanup_free_ char *asked = NULL;
        struct candidates c = {};
        const struct candidate *hit;
        int r;

        r = resolve_id(ctx, o->id, o->runtime, &c, &asked);
        if (r == -EINVAL) {
                log_error("'%s' names another runtime than --runtime %s", o->id, o->runtime);
                goto fail;
        }
        if (r < 0) {
                log_error_errno(r, "cannot resolve '%s'", o->id);
                goto fail;
        }
        if (c.n == 0) {
                /* No parent: the first process of a PID namespace of its own, a
                 * container's, which sees none of the host's processes. */
                log_error("no such container or process '%s' (asked: %s)%s", o->id, asked,
                          getppid() == 0 ? "; crashcart runs in a PID namespace of its own: run its container with "
                                           "the host's PIDs (hostPID, --pid=host)"
                                         : "");
                goto fail;
        }
        if (c.n > 1) {
                /* One line, every candidate named: a running and a stopped
                 * container of one name are told apart by their state. */
                char *list = NULL;
                size_t len = 0;
                FILE *f = open_memstream(&list, &len);

                for (size_t i = 0; f && i < c.n; i++)
                        fprintf(f, "%s%s %s%s%s%s%s (%s)", i ? ", " : "", c.v[i].runtime, c.v[i].id,
                                c.v[i].name && strcmp(c.v[i].name, c.v[i].id) ? " " : "",
                                c.v[i].name && strcmp(c.v[i].name, c.v[i].id) ? c.v[i].name : "",
                                c.v[i].ns ? " in " : "", c.v[i].ns ? c.v[i].ns : "",
                                c.v[i].running ? "running" : "not running");
                if (f)
                        fclose(f);
                log_error("'%s' is ambiguous: it matches %zu containers: %s; give more of the id, or --runtime",
                          o->id, c.n, list ? list : "");
                free(list);
                goto fail;
        }
        hit = &c.v[0];
        if (!hit->running || hit->pid <= 0) {
                /* Not an error yet: a run starts a post-mortem sandbox of it. */
                if (ret_stopped) {
                        *ret_stopped = c;
                        return -ENOTCONN;
                }
                log_error("%s container '%s' is not running", hit->runtime, hit->name ? hit->name : hit->id);
                goto fail;
        }
        r = target_open(hit->pid, t);
        if (r < 0) {
                if (r == -ESRCH)
                        log_error("process %d of '%s' has exited", (int)hit->pid, o->id);
                else
                        log_error_errno(r, "cannot open process %d", (int)hit->pid);
                goto fail;
        }
        t->runtime = strdup(hit->runtime);
        t->id = hit->id ? strdup(hit->id) : NULL;
        t->name = hit->name ? strdup(hit->name) : NULL;
        t->ns = hit->ns ? strdup(hit->ns) : NULL;
        t->address = hit->address ? strdup(hit->address) : NULL;
        t->workdir = hit->workdir ? strdup(hit->workdir) : NULL;
        log_debug("'%s' is %s%s%s, PID %d", o->id, hit->runtime, runtime_has_ids(hit->runtime) ? " " : "",
                  runtime_has_ids(hit->runtime) ? hit->id : "", (int)hit->pid);
        candidates_done(&c);
        return 0;
fail:
        candidates_done(&c);
        return -ESRCH;
}

/* --list: the running containers, and whether a cart is mounted in each. */
static int op_list(const struct options *o, const struct resolve_ctx *ctx)
{
        struct candidates c = {};
        int r;

        r = resolve_list(ctx, o->runtime, &c);
        if (r < 0) {
                log_error_errno(r, "cannot list containers");
                return EXIT_CRASHCART;
        }
        printf("%-10s  %-12s  %-24s  %7s  %s\n", "RUNTIME", "ID", "NAME", "PID", "CART");
        for (size_t i = 0; i < c.n; i++) {
                struct target t = TARGET_INIT;
                const char *cart = "-";
                struct cart_mount_info info;

                if (!c.v[i].running)
                        continue;
                if (target_open(c.v[i].pid, &t) == 0) {
                        if (cart_probe_mount(&t, &info) > 0)
                                cart = "mounted";
                        target_done(&t);
                }
                printf("%-10s  %-12.12s  %-24s  %7d  %s\n", c.v[i].runtime, c.v[i].id,
                       c.v[i].name ? c.v[i].name : "-", (int)c.v[i].pid, cart);
        }
        candidates_done(&c);
        return EXIT_SUCCESS;
}

/* For -vv and the endurance benchmark: descriptors still open (0, 1, 2 expected). */
static int count_open_fds(void)
{
        _cleanup_(closedir_p) DIR *d = opendir("/proc/self/fd");
        struct dirent *de;
        int n = 0;

        if (!d)
                return -1;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        return n - 1; /* the directory's own */
}

static const char *find_default_image(void)
{
        const char *e = getenv("CRASHCART_IMAGE");

        if (e && *e)
                return e;
        /* Never one in the current directory: whoever can write there would choose
         * what runs as root in the container. */
        if (access(CRASHCART_DEFAULT_IMAGE, F_OK) == 0)
                return CRASHCART_DEFAULT_IMAGE;
        return NULL;
}

static void command_started(pid_t pid, void *userdata)
{
        reaper_note_command(userdata, pid);
}

/* The path of one run: the cart in the container, the command, the cart released.
 * A reaper, forked first, undoes what the run would have undone should crashcart
 * be killed on the way (src/cart/reaper.h); it is let go, not waited for, as soon
 * as nothing is left for it to do. */
static int op_run(const struct options *o, const struct cart_request *creq, const struct resolve_ctx *ctx,
                  const struct target *t, int rundir_fd, const sigset_t *fwd, const sigset_t *oldmask)
{
        struct reaper reaper = REAPER_INIT;
        struct run_request rreq = {
                .argv = o->command ? o->command : default_command,
                .tty = o->tty,
                .user = o->user,
                /* As docker exec: the container's configured one by default. */
                .workdir = o->workdir ? o->workdir : t->workdir,
                .workdir_or_root = !o->workdir,
                .envs = o->envs,
                .n_envs = o->n_envs,
                .env_from_target = o->env_from_target,
                .env_take = o->env_take,
                .n_env_take = o->n_env_take,
                .confined = o->confined,
                .privileged = o->privileged,
                .force = o->force,
                .use_runtime_exec = o->use_exec,
                .started = command_started,
                .started_userdata = &reaper,
                .forwarded = fwd,
                .sigmask = oldmask,
        };
        struct cart_hold hold;
        int status, r;

        /* The positive control of the tests: a run killed as it places the cart,
         * without a reaper. */
        if (!fault_disabled("reaper")) {
                r = reaper_start(creq, t, rundir_fd, &reaper);
                if (r < 0)
                        log_warning_errno(r, "cannot start the process that cleans up should crashcart be killed");
        }
        /* Held by the run's helpers until the command execs: the reaper's end of
         * file then means they are gone. */
        rreq.keep_fd = reaper.fd;
        if (cart_acquire(creq, t, rundir_fd, o->action == ACTION_MOUNT, &reaper, &hold) < 0) {
                reaper_done(&reaper);
                return EXIT_CRASHCART;
        }
        /* -m, or a cart this run does not hold (mounted with -m): nothing of
         * this run's is left to undo. */
        if (o->action == ACTION_MOUNT || !hold.recorded)
                reaper_done(&reaper);
        if (o->action == ACTION_MOUNT)
                return EXIT_SUCCESS;
        fault_point("mounted");
        rreq.cart_dev = hold.cart_dev;
        status = run_command(&rreq, ctx, t);
        cart_leave(creq, t, rundir_fd, &hold);
        reaper_done(&reaper);
        return status;
}

/* The actions on a container: resolved, pinned, and checked to be one. */
static int op_pinned(const struct options *o, const struct cart_request *creq, const struct resolve_ctx *ctx,
                     struct target *t, const sigset_t *fwd, const sigset_t *oldmask);

static int op_target(const struct options *o, const struct cart_request *creq, const struct resolve_ctx *ctx,
                     const sigset_t *fwd, const sigset_t *oldmask)
{
        struct target t = TARGET_INIT;
        struct candidates stopped = {};
        int status, r;

        /* An image, or a container that does not run: a post-mortem sandbox. */
        if (strncmp(o->id, IMAGE_ID_PREFIX, strlen(IMAGE_ID_PREFIX)) == 0 && o->action == ACTION_RUN && !o->use_exec) {
                if (o->out_dir) {
                        log_error("--out is for a running container, not a post-mortem sandbox");
                        return EXIT_CRASHCART;
                }
                return postmortem_run(o, o->command ? o->command : default_command, creq, ctx, NULL, fwd, oldmask);
        }
        r = resolve_target(o, ctx, &t, o->action == ACTION_RUN && !o->use_exec ? &stopped : NULL);
        if (r == -ENOTCONN && o->out_dir) {
                log_error("%s is not running: --out is for a running container, not a post-mortem sandbox",
                          o->id);
                candidates_done(&stopped);
                return EXIT_CRASHCART;
        }
        if (r == -ENOTCONN) {
                status = postmortem_run(o, o->command ? o->command : default_command, creq, ctx, &stopped.v[0], fwd,
                                        oldmask);
                candidates_done(&stopped);
                return status;
        }
        if (r < 0)
                return EXIT_CRASHCART;
        if (o->writable || o->core) {
                log_error("%s is running: %s is for a post-mortem sandbox of a container that is not",
                          target_label(&t), o->writable ? "--writable" : "--core");
                target_done(&t);
                return EXIT_CRASHCART;
        }
        fault_point("resolved");

        if (o->action == ACTION_PRINT_PID) {
                printf("%d\n", (int)t.pid);
                target_done(&t);
                return EXIT_SUCCESS;
        }
        status = op_pinned(o, creq, ctx, &t, fwd, oldmask);
        target_done(&t);
        return status;
}

/* A container pinned: checked to be one, then the cart and the command. */
static int op_pinned(const struct options *o, const struct cart_request *creq, const struct resolve_ctx *ctx,
                     struct target *t, const sigset_t *fwd, const sigset_t *oldmask)
{
        _cleanup_close_ int rundir_fd = -EBADF;
        int status = EXIT_CRASHCART, r;

        r = target_ns_differs(t, "mnt");
        if (r == -ESRCH) {
                log_error("%s has exited", target_label(t));
                return status;
        }
        if (r < 0) {
                log_error_errno(r, "cannot read the mount namespace of %s", target_label(t));
                return status;
        }
        if (r == 0 && !o->force) {
                log_error("%s shares crashcart's mount namespace: it is not in a container (-f to use it anyway)",
                          target_label(t));
                return status;
        }
        r = rundir_open(&rundir_fd);
        if (r < 0) {
                log_error_errno(r, "cannot set up " RUNDIR);
                return status;
        }
        if (o->action == ACTION_UNMOUNT)
                status = cart_remove(creq, t, rundir_fd) < 0 ? EXIT_CRASHCART : EXIT_SUCCESS;
        else
                status = op_run(o, creq, ctx, t, rundir_fd, fwd, oldmask);
        return status;
}

/* --all: what each job needs, shared by fork. */
struct all_jobs {
        const struct options *o;
        const struct cart_request *creq;
        const struct resolve_ctx *ctx;
        const sigset_t *fwd, *oldmask;
        const struct candidate **v;
        const char **names;
};

/* One container of --all, in a process of its own: the path of a single run
 * from the pinned process on. With --out DIR, its files go to DIR/NAME. */
static int all_job(size_t i, void *userdata)
{
        const struct all_jobs *a = userdata;
        const struct candidate *c = a->v[i];
        _cleanup_free_ char *out = NULL;
        struct cart_request creq = *a->creq;
        struct target t = TARGET_INIT;
        int status, r;

        r = target_open(c->pid, &t);
        if (r < 0) {
                log_error(r == -ESRCH ? "%s has exited" : "cannot open its process", a->names[i]);
                return EXIT_CRASHCART;
        }
        t.runtime = strdup(c->runtime);
        t.id = c->id ? strdup(c->id) : NULL;
        t.name = c->name ? strdup(c->name) : NULL;
        t.ns = c->ns ? strdup(c->ns) : NULL;
        t.address = c->address ? strdup(c->address) : NULL;
        t.workdir = c->workdir ? strdup(c->workdir) : NULL;
        if (creq.out_dir) {
                /* DIR/NAME, NAME one path component: [A-Za-z0-9][A-Za-z0-9_.-]*. */
                if (!resolve_id_is_valid(a->names[i]) || strcmp(a->names[i], "..") == 0) {
                        log_error("'%s' is not a name for a directory of --out", a->names[i]);
                        target_done(&t);
                        return EXIT_CRASHCART;
                }
                if (asprintf(&out, "%s/%s", creq.out_dir, a->names[i]) < 0) {
                        target_done(&t);
                        return EXIT_CRASHCART;
                }
                creq.out_dir = out;
        }
        status = op_pinned(a->o, &creq, a->ctx, &t, a->fwd, a->oldmask);
        target_done(&t);
        return status;
}

/* Warns, once a runtime, when --label cannot see the labels of its containers. */
static void warn_unknown_labels(const struct options *o, const struct candidates *c)
{
        const char *warned[8] = {};
        size_t n_warned = 0;

        if (o->n_labels == 0)
                return;
        for (size_t i = 0; i < c->n; i++) {
                bool seen = false;

                if (!c->v[i].running || c->v[i].has_labels || !runtime_names_container(c->v[i].runtime))
                        continue;
                for (size_t k = 0; k < n_warned && !seen; k++)
                        seen = strcmp(warned[k], c->v[i].runtime) == 0;
                if (seen || n_warned == ELEMENTSOF(warned))
                        continue;
                warned[n_warned++] = c->v[i].runtime;
                log_warning("the labels of %s's containers are not known here (Podman's come from its API socket: "
                            "podman system service); --label leaves them out",
                            c->v[i].runtime);
        }
}

/* --all: the command in every running container that matches, a few at a time. */
static int op_all(const struct options *o, const struct cart_request *creq, const struct resolve_ctx *ctx,
                  const sigset_t *fwd, const sigset_t *oldmask)
{
        _cleanup_close_ int rundir_fd = -EBADF, loop_fd = -EBADF, out_fd = -EBADF;
        _cleanup_free_ const struct candidate **v = NULL;
        _cleanup_free_ const char **names = NULL;
        _cleanup_free_ char *name_buf = NULL;
        _cleanup_free_ int *status = NULL;
        struct selector sel = { .name_glob = o->name_glob, .labels = o->labels, .n_labels = o->n_labels };
        struct candidates c = {};
        size_t n = 0, failed = 0;
        int sig = 0, r, ret = EXIT_CRASHCART;

        r = resolve_list(ctx, o->runtime, &c);
        if (r < 0) {
                log_error_errno(r, "cannot list containers");
                return EXIT_CRASHCART;
        }
        warn_unknown_labels(o, &c);
        v = calloc(c.n ? c.n : 1, sizeof(*v));
        names = calloc(c.n ? c.n : 1, sizeof(*names));
        name_buf = calloc(c.n ? c.n : 1, 16);
        status = calloc(c.n ? c.n : 1, sizeof(*status));
        if (!v || !names || !name_buf || !status) {
                log_error_errno(-ENOMEM, "cannot list containers");
                goto out;
        }
        for (size_t i = 0; i < c.n; i++)
                if (selector_matches(&sel, &c.v[i])) {
                        v[n] = &c.v[i];
                        names[n] = candidate_display_name(&c.v[i], name_buf + 16 * n, 16);
                        n++;
                }
        if (n == 0) {
                log_error(o->runtime || o->name_glob || o->n_labels ? "no running container matches --runtime, "
                                                                      "--name and --label"
                                                                    : "no running container");
                goto out;
        }
        r = rundir_open(&rundir_fd);
        if (r < 0) {
                log_error_errno(r, "cannot set up " RUNDIR);
                goto out;
        }
        /* One loop device for all of them, held while they run. */
        if (cart_source_hold(creq, rundir_fd, &loop_fd) < 0)
                goto out;
        /* DIR once, here (made if missing); each container's DIR/NAME in its job. */
        if (creq->out_dir) {
                r = out_dir_open(creq->out_dir, creq->out_uid, creq->out_gid, &out_fd, NULL);
                if (r < 0) {
                        log_error_errno(r, "cannot use --out '%s'", creq->out_dir);
                        goto out;
                }
        }
        log_debug("%zu container%s, %u at a time", n, n == 1 ? "" : "s", o->parallel);

        struct all_jobs a = { .o = o, .creq = creq, .ctx = ctx, .fwd = fwd, .oldmask = oldmask, .v = v,
                              .names = names };
        struct all_request areq = { .names = names, .n = n, .parallel = o->parallel, .run = all_job,
                                    .userdata = &a, .forwarded = fwd };
        r = all_run(&areq, status, &sig);
        if (r < 0)
                log_error_errno(r, "cannot run the jobs");
        fflush(stdout);
        /* One line per container whose command failed, after all the output. */
        for (size_t i = 0; i < n; i++) {
                if (status[i] == 0)
                        continue;
                failed++;
                if (status[i] < 0)
                        log_error("%s: not run (interrupted)", names[i]);
                else
                        log_error("%s: failed with exit status %d", names[i], status[i]);
        }
        if (sig)
                ret = 128 + sig;
        else if (r < 0)
                ret = EXIT_CRASHCART;
        else
                ret = failed ? 1 : EXIT_SUCCESS;
out:
        candidates_done(&c);
        return ret;
}

static int op_host(const struct options *o, const struct cart_request *creq)
{
        _cleanup_close_ int rundir_fd = -EBADF;
        int r;

        r = rundir_open(&rundir_fd);
        if (r < 0) {
                log_error_errno(r, "cannot set up " RUNDIR);
                return EXIT_CRASHCART;
        }
        r = cart_host_dir(creq, o->host_dir, o->action == ACTION_HOST_UNMOUNT, rundir_fd);
        return r < 0 ? EXIT_CRASHCART : EXIT_SUCCESS;
}

/* --manifest: what the cart holds, as its builder wrote it. */
static int op_manifest(const struct cart_request *creq)
{
        _cleanup_close_ int rundir_fd = -EBADF;
        _cleanup_free_ char *text = NULL;
        size_t len = 0;

        int r = rundir_open(&rundir_fd);

        if (r < 0) {
                log_error_errno(r, "cannot set up " RUNDIR);
                return EXIT_CRASHCART;
        }
        if (cart_read_file(creq, rundir_fd, CART_MANIFEST_NAME, &text, &len) < 0)
                return EXIT_CRASHCART;
        if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
                log_error_errno(-EIO, "cannot write the manifest");
                return EXIT_CRASHCART;
        }
        return EXIT_SUCCESS;
}

/* The cart the options name: -i, then $CRASHCART_IMAGE, then the default. */
static struct cart_request cart_request_of(const struct options *o)
{
        struct cart_request creq = { .image = o->image, .image_fd = -EBADF, .image_explicit = o->image != NULL,
                                     .legacy = o->legacy, .force = o->force };

        if (!creq.image) {
                const char *e = getenv("CRASHCART_IMAGE");

                creq.image_explicit = e && *e;
                creq.image = find_default_image();
        }
        return creq;
}

/* Started in a container of its own that shares the host's PIDs (a node pod:
 * hostPID and privileged): the host is the mount namespace of the runtime that
 * started that container. Its /proc, cgroups, /dev, runtime state and sockets
 * are then read where they are, not through whatever the pod spec bound into
 * crashcart's container. The cart, a file of crashcart's container (its image
 * puts one at the default path), is opened first. */
static int enter_host_mntns(struct cart_request *creq)
{
        _cleanup_close_ int procfd = -EBADF, mntns = -EBADF;
        pid_t pid;
        int r;

        procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (procfd < 0)
                return log_error_errno(NEG_ERRNO(), "cannot open /proc");
        r = hostns_find(procfd, &mntns, &pid);
        if (r < 0)
                return log_error_errno(r, "cannot read the mount namespace of crashcart's parent processes");
        if (mntns < 0)
                return 0;
        if (creq->image) {
                int fd = open(creq->image, O_PATH | O_CLOEXEC);

                creq->image_fd = fd < 0 ? NEG_ERRNO() : fd;
        }
        r = hostns_join(mntns);
        if (r < 0)
                return log_error_errno(r, "crashcart runs in a container of its own, and cannot join the mount "
                                          "namespace of PID %d, its runtime's: run it privileged",
                                       (int)pid);
        log_debug("in a container of its own: working in the mount namespace of PID %d, its runtime's", (int)pid);
        return 0;
}

/* --idle: the process of a DaemonSet's container, whose image holds nothing
 * else that stays running, for `kubectl exec POD -- /crashcart ID` beside it.
 * Waits for the signal that stops a container and exits 0. The signals are
 * blocked and taken with sigwaitinfo: PID 1 of a PID namespace (a pod without
 * hostPID) has a signal without a handler dropped, a blocked one queued. As
 * such a PID 1 it also reaps what is orphaned to it. */
static int op_idle(void)
{
        sigset_t set;

        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGHUP);
        sigaddset(&set, SIGCHLD);
        if (sigprocmask(SIG_BLOCK, &set, NULL) < 0) {
                log_error_errno(NEG_ERRNO(), "cannot block signals");
                return EXIT_CRASHCART;
        }
        log_debug("idle until SIGTERM, SIGINT or SIGHUP");
        for (;;) {
                int sig = sigwaitinfo(&set, NULL);

                if (sig == SIGCHLD) {
                        while (waitpid(-1, NULL, WNOHANG) > 0)
                                ;
                        continue;
                }
                if (sig > 0) {
                        log_debug("signal %d: done", sig);
                        return EXIT_SUCCESS;
                }
                if (errno != EINTR) {
                        log_error_errno(NEG_ERRNO(), "cannot wait for a signal");
                        return EXIT_CRASHCART;
                }
        }
}

/* The forwarded signals (and SIGCHLD) are taken with sigwaitinfo: blocked from
 * here on, and unblocked in the command. The command is re-parented to crashcart
 * after the double fork that puts it in the container's PID namespace. */
static void take_signals(sigset_t *ret_forwarded, sigset_t *ret_oldmask)
{
        sigset_t blocked;

        forwarded_signals(ret_forwarded);
        blocked = *ret_forwarded;
        sigaddset(&blocked, SIGCHLD);
        sigprocmask(SIG_BLOCK, &blocked, ret_oldmask);
        prctl(PR_SET_CHILD_SUBREAPER, 1);
}

int main(int argc, char **argv)
{
        _cleanup_close_ int root_fd = -EBADF;
        struct options o;
        struct cart_request creq = { .image_fd = -EBADF };
        struct resolve_ctx ctx = { .use_api = true };
        int fds_at_start = -1;
        sigset_t fwd, oldmask;
        int r, status;

        /* Before anything is opened or joined: a process in the container must not
         * ptrace crashcart or its children, nor read their /proc/PID/exe or fds. */
        prctl(PR_SET_DUMPABLE, 0);
        log_set_program("crashcart");

        r = options_parse(argc, argv, &o);
        if (r == -EINVAL) {
                fprintf(stderr, "crashcart: %s\nTry 'crashcart --help' for more information.\n", o.error);
                return EXIT_CRASHCART;
        }
        if (r < 0) {
                log_error_errno(r, "cannot parse the command line");
                return EXIT_CRASHCART;
        }
        if (o.action == ACTION_HELP || o.action == ACTION_VERSION) {
                if (o.action == ACTION_HELP)
                        help();
                else
                        version();
                options_done(&o);
                return EXIT_SUCCESS;
        }
        log_verbose = o.verbose;
        if (o.action == ACTION_IDLE) {
                /* Nothing to open, join or mount: no root needed. */
                options_done(&o);
                return op_idle();
        }
        if (log_verbose >= 2)
                fds_at_start = count_open_fds();
        creq = cart_request_of(&o);
        if (o.out_dir) {
                creq.out_dir = o.out_dir;
                if (out_owner_from_env(&creq.out_uid, &creq.out_gid) < 0) {
                        log_error("SUDO_UID and SUDO_GID must be numbers: who owns what lands in --out");
                        options_done(&o);
                        return EXIT_CRASHCART;
                }
        }

        if (geteuid() != 0) {
                log_error("must run as root (it mounts and enters namespaces)");
                options_done(&o);
                return EXIT_CRASHCART;
        }

        if (enter_host_mntns(&creq) < 0) {
                options_done(&o);
                return EXIT_CRASHCART;
        }

        take_signals(&fwd, &oldmask);

        root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0) {
                log_error_errno(NEG_ERRNO(), "cannot open /");
                options_done(&o);
                return EXIT_CRASHCART;
        }
        ctx.root_fd = root_fd;

        switch (o.action) {
        case ACTION_LIST:
                status = op_list(&o, &ctx);
                break;
        case ACTION_HOST_MOUNT:
        case ACTION_HOST_UNMOUNT:
                status = op_host(&o, &creq);
                break;
        case ACTION_MANIFEST:
                status = op_manifest(&creq);
                break;
        case ACTION_ALL:
                status = op_all(&o, &creq, &ctx, &fwd, &oldmask);
                break;
        case ACTION_RUN:
        case ACTION_MOUNT:
        case ACTION_UNMOUNT:
        case ACTION_PRINT_PID:
                status = op_target(&o, &creq, &ctx, &fwd, &oldmask);
                break;
        case ACTION_HELP:
        case ACTION_VERSION:
        case ACTION_IDLE:
        default:
                status = EXIT_CRASHCART; /* handled above */
        }
        /* Interrupted while a helper was waited for: the run was unwound as on
         * any failure, and ends as the signal would have ended it. */
        if (status == EXIT_CRASHCART && interrupt_signal())
                status = 128 + interrupt_signal();
        root_fd = safe_close(root_fd);
        if (creq.image_fd >= 0)
                safe_close(creq.image_fd);
        options_done(&o);
        if (log_verbose >= 2)
                log_debug("%d descriptors open at exit, %d at start", count_open_fds(), fds_at_start);
        return status;
}
