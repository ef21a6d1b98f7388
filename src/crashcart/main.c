/* SPDX-License-Identifier: GPL-2.0-or-later */
/* crashcart: sideload a cart of debugging tools into a running container and run
 * a command from it inside the container's namespaces.
 *
 * This file parses the command line, walks the path of one invocation (resolve,
 * image, loop device, detached mount, placement, exec, unmount) through the modules,
 * and is the one place that logs errors and picks the exit status. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "config.h"
#include "basic/fileio.h"
#include "basic/log.h"
#include "basic/macro.h"
#include "basic/spawn.h"
#include "basic/syscalls.h"
#include "cart/image.h"
#include "cart/loopdev.h"
#include "cart/mount.h"
#include "cart/place.h"
#include "cart/session.h"
#include "exec/cmdenv.h"
#include "exec/confinement.h"
#include "exec/nsexec.h"
#include "exec/pty.h"
#include "exec/target.h"
#include "resolve/resolve.h"
#include "resolve/runtime_exec.h"


/* As docker and podman: 125 crashcart failed, 126 cannot execute, 127 not found. */
#define EXIT_CRASHCART 125
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND 127


static char *default_command[] = {
        CART_SHELL, "--rcfile", CART_RCFILE, "-i", NULL,
};

struct options {
        const char *image;
        bool image_explicit;    /* -i or $CRASHCART_IMAGE */
        bool mount_only;
        bool unmount_only;
        bool use_exec;
        bool force;
        bool legacy;
        bool list;
        bool print_pid;
        const char *runtime;
        const char *id;
        char **command;
        int tty;                /* 1 -t, 0 -T, -1 decide from stdin */
        const char *user;       /* --user */
        const char *setuid;     /* -S */
        const char *setgid;     /* -G */
        const char *workdir;
        char **envs;            /* --env KEY=VALUE, in order */
        size_t n_envs;
        bool env_from_target;
        bool confined;
        const char *host_dir;   /* --host DIR with -m/-u */
};

static void help(void)
{
        char runtime_list[256] = "";
        const char *const *names = resolve_runtime_names();

        for (size_t i = 0; names[i]; i++)
                snprintf(runtime_list + strlen(runtime_list), sizeof(runtime_list) - strlen(runtime_list), "%s%s",
                         i ? ", " : "", names[i]);
        printf("Usage: crashcart [options] ID [--] [CMD [ARG...]]\n"
               "\n"
               "Mount a cart of debugging tools at /dev/crashcart inside a running container\n"
               "and run CMD from it in all the container's namespaces. Without CMD, an\n"
               "interactive shell: %s --rcfile %s -i.\n"
               "\n"
               "ID is a PID of any process in the container, or a container id, unique id\n"
               "prefix or name of Docker, Podman, containerd (any namespace), CRI-O, runc,\n"
               "crun, LXC, systemd-nspawn or rkt; Kubernetes' docker://ID, containerd://ID\n"
               "and cri-o://ID too.\n"
               "\n"
               "Options:\n"
               "  -i, --image PATH   the cart: an ext2/3/4, squashfs or erofs image file, or a\n"
               "                     directory (default: $CRASHCART_IMAGE, then\n"
               "                     %s, then ./crashcart.img)\n"
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
               "  -w, --workdir DIR  working directory in the container (default /)\n"
               "      --env KEY=VALUE  set a variable for the command (repeatable)\n"
               "      --env-from-target  start from the environment of the container's init\n"
               "                         (without LD_PRELOAD and the like)\n"
               "      --confined     the container's own capabilities, no_new_privs and\n"
               "                     seccomp filters instead of full privileges\n"
               "      --host DIR     with -m/-u: mount the cart at a host directory (for\n"
               "                     docker run -v DIR:/dev/crashcart:ro), or release it\n"
               "  -f, --force        accept a PID in crashcart's own mount namespace; detach a\n"
               "                     busy cart lazily on unmount\n"
               "      --legacy-mount mount with mount(2) through a device node in the\n"
               "                     container (the way for kernels before 5.2)\n"
               "  -v, --verbose      say what is done\n"
               "  -h, --help         show this help and exit\n"
               "  -V, --version      show the version and exit\n"
               "\n"
               "Exit status: the command's own (128+N when killed by signal N); 125 when\n"
               "crashcart fails, 126 when the command cannot be executed, 127 when it is\n"
               "not found.\n",
               default_command[0], default_command[2], CRASHCART_DEFAULT_IMAGE, runtime_list);
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

_noreturn_ _printf_(1, 2) static void usage_error(const char *fmt, ...)
{
        va_list ap;

        fprintf(stderr, "crashcart: ");
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, "\nTry 'crashcart --help' for more information.\n");
        exit(EXIT_CRASHCART);
}

static void parse_args(int argc, char **argv, struct options *o)
{
        enum {
                OPT_LEGACY_MOUNT = 0x100,
                OPT_USER,
                OPT_ENV,
                OPT_ENV_FROM_TARGET,
                OPT_CONFINED,
                OPT_HOST,
        };
        static const struct option longopts[] = {
                { "image", required_argument, NULL, 'i' },
                { "mount", no_argument, NULL, 'm' },
                { "unmount", no_argument, NULL, 'u' },
                { "exec", no_argument, NULL, 'e' },
                { "force", no_argument, NULL, 'f' },
                { "legacy-mount", no_argument, NULL, OPT_LEGACY_MOUNT },
                { "runtime", required_argument, NULL, 'r' },
                { "list", no_argument, NULL, 'l' },
                { "pid", no_argument, NULL, 'p' },
                { "tty", no_argument, NULL, 't' },
                { "no-tty", no_argument, NULL, 'T' },
                { "setuid", required_argument, NULL, 'S' },
                { "setgid", required_argument, NULL, 'G' },
                { "user", required_argument, NULL, OPT_USER },
                { "workdir", required_argument, NULL, 'w' },
                { "env", required_argument, NULL, OPT_ENV },
                { "env-from-target", no_argument, NULL, OPT_ENV_FROM_TARGET },
                { "confined", no_argument, NULL, OPT_CONFINED },
                { "host", required_argument, NULL, OPT_HOST },
                { "verbose", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {},
        };
        int c;

        /* '+': options end at ID, so the command's own options stay its own. */
        while ((c = getopt_long(argc, argv, "+:i:muefr:lptTS:G:w:vhV", longopts, NULL)) != -1) {
                switch (c) {
                case 'i':
                        o->image = optarg;
                        o->image_explicit = true;
                        break;
                case 'm':
                        o->mount_only = true;
                        break;
                case 'u':
                        o->unmount_only = true;
                        break;
                case 'e':
                        o->use_exec = true;
                        break;
                case 'f':
                        o->force = true;
                        break;
                case OPT_LEGACY_MOUNT:
                        o->legacy = true;
                        break;
                case 'r':
                        if (!resolve_runtime_known(optarg))
                                usage_error("unknown runtime '%s'", optarg);
                        o->runtime = optarg;
                        break;
                case 'l':
                        o->list = true;
                        break;
                case 'p':
                        o->print_pid = true;
                        break;
                case 't':
                        o->tty = 1;
                        break;
                case 'T':
                        o->tty = 0;
                        break;
                case 'S':
                        o->setuid = optarg;
                        break;
                case 'G':
                        o->setgid = optarg;
                        break;
                case OPT_USER:
                        o->user = optarg;
                        break;
                case 'w':
                        o->workdir = optarg;
                        break;
                case OPT_ENV: {
                        char **v;

                        if (!strchr(optarg, '=') || optarg[0] == '=')
                                usage_error("--env takes KEY=VALUE, not '%s'", optarg);
                        v = realloc(o->envs, (o->n_envs + 1) * sizeof(char *));
                        if (!v)
                                usage_error("%s", "out of memory");
                        o->envs = v;
                        o->envs[o->n_envs++] = optarg;
                        break;
                }
                case OPT_ENV_FROM_TARGET:
                        o->env_from_target = true;
                        break;
                case OPT_CONFINED:
                        o->confined = true;
                        break;
                case OPT_HOST:
                        o->host_dir = optarg;
                        break;
                case 'v':
                        log_verbose++;
                        break;
                case 'h':
                        help();
                        exit(EXIT_SUCCESS);
                case 'V':
                        version();
                        exit(EXIT_SUCCESS);
                case ':':
                        usage_error("option '%s' needs an argument", argv[optind - 1]);
                default:
                        usage_error("unknown option '%s'", argv[optind - 1]);
                }
        }
        if (o->list) {
                if (optind < argc)
                        usage_error("%s", "--list takes no ID");
                return;
        }
        if (o->host_dir) {
                if (!o->mount_only && !o->unmount_only)
                        usage_error("%s", "--host goes with -m or -u");
                if (optind < argc)
                        usage_error("%s", "--host takes no ID");
                return;
        }
        if (o->print_pid && (o->mount_only || o->unmount_only || o->command))
                usage_error("%s", "--pid takes an ID only");
        if (o->user && (o->setuid || o->setgid))
                usage_error("%s", "--user excludes -S and -G");
        if (optind >= argc)
                usage_error("%s", "no container ID or PID given");
        o->id = argv[optind++];
        if (optind < argc && strcmp(argv[optind], "--") == 0)
                optind++;
        o->command = optind < argc ? argv + optind : NULL;

        if (o->mount_only && o->unmount_only)
                usage_error("%s", "-m and -u exclude each other");
        if ((o->mount_only || o->unmount_only) && o->command)
                usage_error("%s", "-m and -u take no command");
        if (o->use_exec && (o->mount_only || o->unmount_only))
                usage_error("%s", "-e runs a command: it excludes -m and -u");
}

/* ---- resolve ---- */

static int resolve_target(const struct options *o, const struct resolve_ctx *ctx, struct target *t)
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
                log_error("no such container or process '%s' (asked: %s)", o->id, asked);
                goto fail;
        }
        if (c.n > 1) {
                log_error("'%s' is ambiguous: it matches %zu containers:", o->id, c.n);
                for (size_t i = 0; i < c.n; i++)
                        fprintf(stderr, "crashcart:   %s %s%s%s%s%s (%s)\n", c.v[i].runtime, c.v[i].id,
                                c.v[i].name && strcmp(c.v[i].name, c.v[i].id) ? " " : "",
                                c.v[i].name && strcmp(c.v[i].name, c.v[i].id) ? c.v[i].name : "",
                                c.v[i].ns ? " in " : "", c.v[i].ns ? c.v[i].ns : "",
                                c.v[i].running ? "running" : "not running");
                goto fail;
        }
        hit = &c.v[0];
        if (!hit->running || hit->pid <= 0) {
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
        log_debug("'%s' is %s%s%s, PID %d", o->id, hit->runtime, hit->id && strcmp(hit->runtime, "pid") ? " " : "",
                  strcmp(hit->runtime, "pid") ? hit->id : "", (int)hit->pid);
        candidates_done(&c);
        return 0;
fail:
        candidates_done(&c);
        return -1;
}

static const char *target_label(const struct target *t)
{
        static char buf[64];

        if (t->name)
                return t->name;
        if (t->id && strcmp(t->runtime, "pid") != 0)
                return t->id;
        snprintf(buf, sizeof(buf), "PID %d", (int)t->pid);
        return buf;
}

/* ---- the cart ---- */

static const char *stage_text(int stage)
{
        switch (stage) {
        case STAGE_HELPER:
                return "cannot start the helper that enters the container";
        case STAGE_JOIN:
                return "cannot enter the container's mount namespace";
        case STAGE_DEV:
                return "cannot use the container's /dev";
        case STAGE_SYMLINK:
                return "/dev/crashcart in the container is a symlink; refusing to follow it";
        case STAGE_NOTDIR:
                return "/dev/crashcart in the container is not a directory";
        case STAGE_OTHER_MOUNT:
                return "another filesystem is mounted at /dev/crashcart in the container; 'crashcart -u' unmounts it";
        case STAGE_SHARED:
                return "the container's /dev is a shared mount with peers outside the container: a cart mounted there "
                       "would propagate out of it; refusing";
        case STAGE_MOUNTINFO:
                return "cannot read the container's mount table";
        case STAGE_MKDIR:
                return "cannot create /dev/crashcart in the container";
        case STAGE_DEV_RW:
                return "cannot make the container's read-only /dev writable";
        case STAGE_DEV_RESTORE:
                return "cannot make the container's /dev read-only again";
        case STAGE_MOVE:
                return "cannot attach the cart at /dev/crashcart in the container";
        case STAGE_LEGACY_DIR:
                return "cannot set up /dev/" LEGACY_DIR " in the container";
        case STAGE_MKNOD:
                return "cannot make the loop device node in the container";
        case STAGE_MOUNT:
                return "cannot mount the cart at /dev/crashcart in the container";
        case STAGE_VERIFY:
                return "the cart did not land at /dev/crashcart in the container";
        case STAGE_BUSY:
                return "the cart is in use by a process in the container; -f detaches it lazily";
        case STAGE_UMOUNT:
                return "cannot unmount /dev/crashcart in the container";
        case STAGE_RMDIR:
                return "cannot remove /dev/crashcart in the container";
        }
        return "cannot place the cart";
}

static void log_place_error(const struct place_reply *rep)
{
        /* The stages whose text says it all need no errno. */
        if (rep->stage == STAGE_SHARED && rep->error == -EXDEV)
                log_error("%s (it would reach the mount namespace of PID %d)", stage_text(rep->stage),
                          (int)rep->other_pid);
        else if (rep->stage == STAGE_SYMLINK || rep->stage == STAGE_NOTDIR || rep->stage == STAGE_OTHER_MOUNT ||
                 rep->stage == STAGE_BUSY || rep->stage == STAGE_VERIFY)
                log_error("%s", stage_text(rep->stage));
        else if (rep->error == -ESRCH)
                log_error("the container exited");
        else
                log_error_errno(rep->error, "%s", stage_text(rep->stage));
}

static int open_image(const struct options *o, struct image *img)
{
        struct image_probe probe = {};
        int r;

        r = image_open(o->image, img, &probe);
        switch (r) {
        case 0:
                log_debug("cart '%s' is %s", o->image, image_kind_name(img->kind));
                return 0;
        case -ENODATA:
                log_error("cart image '%s' is empty", o->image);
                break;
        case -EMEDIUMTYPE:
                log_error("cart image '%s' is not an ext2/3/4, squashfs or erofs filesystem, nor a directory",
                          o->image);
                break;
        case -ENOSPC:
                log_error("cart image '%s' is truncated: its %s filesystem needs %llu bytes", o->image,
                          image_kind_name(probe.kind), (unsigned long long)probe.needed);
                break;
        default:
                log_error_errno(r, "cannot open cart image '%s'", o->image);
        }
        return -1;
}

/* Whether the cart mounted (device dev) in the container is this image. */
static bool image_is_mounted_cart(const struct image *img, dev_t dev)
{
        struct loopdev l = { .fd = -EBADF };
        bool same;

        if (img->kind == IMAGE_DIRECTORY)
                return img->dev == dev;
        if (loopdev_find(img->fd, &l) < 0)
                return false;
        same = l.rdev == dev;
        safe_close(l.fd);
        return same;
}

/* Makes sure the cart is at /dev/crashcart in the container. *ret_placed: this call
 * mounted it. *ret_mnt_id: the cart's mount. */
static int ensure_cart(const struct options *o, const struct target *t, int rundir_fd, bool *ret_placed,
                       uint64_t *ret_mnt_id)
{
        _cleanup_(image_done) struct image img = IMAGE_INIT;
        _cleanup_close_ int mntfd = -EBADF, usernsfd = -EBADF;
        struct loopdev loop = { .fd = -EBADF };
        struct place_request req = { .mntfd = -EBADF };
        struct place_reply rep;
        bool legacy = o->legacy, idmapped = false;
        dev_t mounted_dev = 0;
        int r;

        *ret_placed = false;
        r = cart_probe(t, &mounted_dev);
        if (r < 0) {
                if (r == -ESRCH)
                        log_error("%s has exited", target_label(t));
                else
                        log_error_errno(r, "cannot read the mount table of %s", target_label(t));
                return -1;
        }
        if (r > 0 && !o->image_explicit) {
                /* A cart is there and no image was named: use the one mounted. */
                log_debug("a cart is already mounted in %s", target_label(t));
        } else {
                if (!o->image) {
                        log_error("no cart image: tried $CRASHCART_IMAGE (unset), %s and ./crashcart.img; "
                                  "name one with -i",
                                  CRASHCART_DEFAULT_IMAGE);
                        return -1;
                }
                if (open_image(o, &img) < 0)
                        return -1;
                if (r > 0 && !image_is_mounted_cart(&img, mounted_dev)) {
                        log_error("another cart is mounted at /dev/crashcart in %s; 'crashcart -u' unmounts it",
                                  target_label(t));
                        return -1;
                }
                if (r > 0)
                        log_debug("cart '%s' is already mounted in %s", o->image, target_label(t));
        }

        if (r == 0) {
                if (img.kind == IMAGE_DIRECTORY && legacy) {
                        log_error("a directory cart needs the new mount API (Linux 5.2); --legacy-mount takes "
                                  "image files only");
                        return -1;
                }
                if (img.kind != IMAGE_DIRECTORY) {
                        r = loopdev_find_or_attach(rundir_fd, img.fd, img.path, &loop);
                        if (r == 0)
                                fault_point("attached");
                        if (r < 0) {
                                if (r == -ENODEV)
                                        log_error("cannot attach '%s' to a loop device: the kernel has no loop "
                                                  "devices (modprobe loop?)",
                                                  img.path);
                                else
                                        log_error_errno(r, "cannot attach '%s' to a loop device", img.path);
                                return -1;
                        }
                }

                r = target_ns_differs(t, "user");
                if (r > 0) {
                        usernsfd = openat(t->procfd, "ns/user", O_RDONLY | O_CLOEXEC);
                        r = usernsfd < 0 ? NEG_ERRNO() : 0;
                }
                if (r == 0)
                        r = target_root_ids(t, &req.root_uid, &req.root_gid);
                if (r < 0) {
                        log_error_errno(r, "cannot read the user namespace of %s", target_label(t));
                        goto fail;
                }

                if (!legacy) {
                        r = cart_mount_create(&img, loop.path, usernsfd, &mntfd, &idmapped);
                        if (r == -ENOSYS) {
                                log_debug("no new mount API in this kernel: mounting the way of Linux < 5.2");
                                legacy = true;
                                if (img.kind == IMAGE_DIRECTORY) {
                                        log_error("a directory cart needs the new mount API (Linux 5.2)");
                                        goto fail;
                                }
                        } else if (r < 0) {
                                log_error_errno(r, "cannot mount cart '%s' (%s)", img.path,
                                                image_kind_name(img.kind));
                                goto fail;
                        } else if (usernsfd >= 0)
                                log_debug(idmapped ? "cart idmapped to the container's user namespace"
                                                   : "cart not idmapped: its files show as the overflow uid");
                }

                req.mntfd = mntfd;
                req.legacy = legacy;
                req.loop_rdev = loop.rdev;
                req.fstype = image_fstype(img.kind);
                r = cart_place(t, &req, &rep);
                if (r < 0) {
                        log_place_error(&rep);
                        goto fail;
                }
                *ret_placed = rep.changed;
                *ret_mnt_id = rep.mnt_id;
                log_debug(rep.changed ? "cart mounted at " CART_PATH " in %s" : "cart was already mounted in %s",
                          target_label(t));
                /* The mount holds the loop device now; ours can go (autoclear). */
                safe_close(loop.fd);
                return 0;
        }

        /* Already mounted: its mount id, for the session. */
        req.query_only = true;
        req.loop_rdev = mounted_dev;
        r = cart_place(t, &req, &rep);
        if (r < 0) {
                log_place_error(&rep);
                return -1;
        }
        if (!rep.mounted) {
                log_error("the cart in %s was unmounted meanwhile; try again", target_label(t));
                return -1;
        }
        *ret_mnt_id = rep.mnt_id;
        return 0;

fail:
        safe_close(loop.fd);
        return -1;
}

static int unmount_cart(const struct options *o, const struct target *t, uint64_t expect_mnt_id, bool quiet_busy)
{
        struct place_reply rep;
        uint32_t uid = 0, gid = 0;
        int r;

        r = target_root_ids(t, &uid, &gid);
        if (r < 0) {
                if (r == -ESRCH || r == -ENOENT)
                        return 0; /* gone with the container */
                log_error_errno(r, "cannot read the user namespace of %s", target_label(t));
                return -1;
        }
        r = cart_unmount(t, expect_mnt_id, o->force, o->legacy, uid, gid, &rep);
        if (r == -EBUSY && quiet_busy)
                return -EBUSY;
        if (r < 0) {
                if (rep.error == -ESRCH)
                        return 0;
                log_place_error(&rep);
                return -1;
        }
        log_debug(rep.changed ? "cart unmounted from %s" : "no cart was mounted in %s", target_label(t));
        return 0;
}

/* ---- the command ---- */

static int log_exec_error(const struct exec_error *e, const char *cmd)
{
        if (e->stage == EXEC_STAGE_EXEC) {
                if (e->error == -ENOENT || e->error == -ENOTDIR) {
                        log_error("'%s': no such file or directory in the container", cmd);
                        return EXIT_NOT_FOUND;
                }
                log_error_errno(e->error, "cannot execute '%s' in the container", cmd);
                return EXIT_CANNOT_EXEC;
        }
        if (e->stage == EXEC_STAGE_USER) {
                log_error(e->error == -ESRCH ? "no such user in the container's /etc/passwd"
                          : e->error == -ENOENT ? "no such group in the container's /etc/group"
                                                : "not a user: give NAME, UID, NAME:GROUP or UID:GID");
                return EXIT_CRASHCART;
        }
        if (e->error == -ESRCH) {
                log_error("the container exited");
                return EXIT_CRASHCART;
        }
        switch (e->stage) {
        case EXEC_STAGE_WORKDIR:
                log_error_errno(e->error, "cannot change to the working directory in the container");
                break;
        case EXEC_STAGE_TTY:
                log_error_errno(e->error, "cannot set up the command's terminal");
                break;
        case EXEC_STAGE_CONFINE:
                log_error_errno(e->error, "cannot confine the command as the container is");
                break;
        case EXEC_STAGE_NAMESPACES:
                log_error_errno(e->error, "cannot enter the container's namespaces");
                break;
        case EXEC_STAGE_ROOT:
                log_error_errno(e->error, "cannot enter the container's root");
                break;
        case EXEC_STAGE_CREDENTIALS:
                log_error_errno(e->error, "cannot become root in the container");
                break;
        default:
                log_error_errno(e->error, "cannot start the command");
        }
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

static int spawn_runtime_exec(const struct resolve_ctx *ctx, const struct target *t, char **argv,
                              const sigset_t *oldmask, pid_t *ret_pid)
{
        _cleanup_free_ char **rargv = NULL;
        struct candidates all = {};
        const char *runtime = t->runtime, *id = t->id, *ns = t->ns;
        bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
        char exec_id[64];
        int r;

        if (strcmp(runtime, "pid") == 0 || strcmp(runtime, "cgroup") == 0) {
                const struct candidate *c;

                r = container_of_pid(ctx, t, &all, &c);
                if (r < 0) {
                        log_error("-e needs a container runtime's exec, and no runtime knows %s", target_label(t));
                        r = -1;
                        goto out;
                }
                runtime = c->runtime;
                id = c->id;
                ns = c->ns;
        }
        snprintf(exec_id, sizeof(exec_id), "crashcart-%d", (int)getpid());
        r = runtime_exec_argv(runtime, id, ns, argv, tty, exec_id, &rargv);
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
        log_debug("running %s %s in %s", rargv[0], rargv[1], id);
        r = host_spawn(rargv, oldmask, ret_pid);
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
        *p = (struct stdio_plan){ .pty = pty, .host_master = -EBADF, .host_slave = -EBADF,
                                  .sock = { -EBADF, -EBADF }, .child = { 0, 1, 2 } };
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

static char *user_spec_of(const struct options *o, char *buf, size_t size)
{
        if (o->user)
                return (char *)o->user;
        if (!o->setuid && !o->setgid)
                return NULL;
        snprintf(buf, size, "%s%s%s", o->setuid ? o->setuid : "0", o->setgid ? ":" : "", o->setgid ? o->setgid : "");
        return buf;
}

static int run_in_namespaces(const struct options *o, const struct target *t, char **argv, const sigset_t *fwd,
                             const sigset_t *oldmask)
{
        _cleanup_free_ char *environ_text = NULL;
        struct confinement conf = {};
        struct stdio_plan plan;
        struct cmdenv env = {};
        struct exec_error err;
        size_t environ_len = 0;
        char userbuf[300];
        bool pty = o->tty == 1 || (o->tty == -1 && isatty(STDIN_FILENO));
        int status = EXIT_CRASHCART, ws, master = -1, r;
        pid_t pid;

        if (o->env_from_target) {
                r = read_full_fileat(t->procfd, "environ", 1 << 20, &environ_text, &environ_len);
                if (r < 0) {
                        log_error_errno(r, "cannot read the environment of %s", target_label(t));
                        return EXIT_CRASHCART;
                }
        }
        r = cmdenv_build(environ_text, environ_len, pty || getenv("TERM") ? (getenv("TERM") ?: "xterm") : NULL,
                         o->envs, o->n_envs, &env);
        if (r < 0) {
                log_error_errno(r, "cannot build the command's environment");
                return EXIT_CRASHCART;
        }
        if (o->confined) {
                r = confinement_read(t, &conf);
                if (r < 0) {
                        log_error_errno(r, "cannot read the confinement of %s", target_label(t));
                        cmdenv_done(&env);
                        return EXIT_CRASHCART;
                }
                log_debug("confined: CapBnd %016llx, no_new_privs %d, seccomp mode %d with %zu filters",
                          (unsigned long long)conf.cap_bnd, conf.no_new_privs, conf.seccomp_mode, conf.n_filters);
        }
        r = stdio_prepare(pty, &plan);
        if (r < 0) {
                log_error_errno(r, "cannot set up the command's terminal");
                goto out;
        }

        {
                struct exec_request req = {
                        .argv = argv,
                        .envp = env.v,
                        .sigmask = oldmask,
                        .user = user_spec_of(o, userbuf, sizeof(userbuf)),
                        .home_from_user = !env.home_given,
                        .workdir = o->workdir,
                        .pty = pty,
                        .host_pty_slave = plan.host_slave,
                        .pty_sock = plan.sock[1],
                        .stdio = { plan.child[0], plan.child[1], plan.child[2] },
                        .confine = o->confined ? &conf : NULL,
                };

                r = ns_spawn(t, &req, &pid, &err);
        }
        if (err.cgroup_error)
                log_warning("cannot join the container's cgroups: %s; the command runs outside its limits",
                            strerror(-err.cgroup_error));
        if (r < 0) {
                status = log_exec_error(&err, argv[0]);
                goto out;
        }
        log_debug("command started as PID %d", (int)pid);

        /* The command's ends are its own now. */
        for (int i = 0; i < 3; i++)
                if (plan.child[i] > 2)
                        plan.child[i] = safe_close(plan.child[i]);
        plan.host_slave = safe_close(plan.host_slave);

        if (pty) {
                r = recv_pty_master(plan.sock[0], &master);
                if (r < 0) {
                        log_error_errno(r, "cannot receive the command's terminal");
                        kill(pid, SIGKILL);
                        wait_forwarding(pid, fwd, &ws);
                        goto out;
                }
                if (master < 0) {
                        log_debug("the container has no devpts: using a pty of the host's");
                        master = TAKE_FD(plan.host_master);
                } else
                        log_debug("pseudo-terminal from the container's devpts");
                if (isatty(STDIN_FILENO) && tty_raw_begin(STDIN_FILENO) < 0)
                        log_warning("cannot put the terminal in raw mode");
                plan.relays[0] = (struct relay){ .from = STDIN_FILENO, .to = master, .is_input = true,
                                                 .eof_to_pty = true, .open = true };
                plan.relays[1] = (struct relay){ .from = master, .to = STDOUT_FILENO, .open = true };
                r = relay_run(plan.relays, 2, isatty(STDIN_FILENO) ? STDIN_FILENO : -1, master, pid, fwd, &ws);
                tty_restore();
                safe_close(master);
                plan.n_relays = 0;
        } else if (plan.n_relays > 0)
                r = relay_run(plan.relays, plan.n_relays, -1, -1, pid, fwd, &ws);
        else
                r = wait_forwarding(pid, fwd, &ws);
        if (r < 0) {
                log_error_errno(r, "cannot wait for the command");
                goto out;
        }
        status = exit_status_of(ws);
out:
        stdio_plan_done(&plan);
        confinement_done(&conf);
        cmdenv_done(&env);
        return status;
}

static int run_command(const struct options *o, const struct resolve_ctx *ctx, const struct target *t,
                       const sigset_t *fwd, const sigset_t *oldmask)
{
        char **argv = o->command ? o->command : default_command;
        int status, r;
        pid_t pid;

        if (!o->use_exec)
                return run_in_namespaces(o, t, argv, fwd, oldmask);

        if (spawn_runtime_exec(ctx, t, argv, oldmask, &pid) < 0)
                return EXIT_CRASHCART;
        r = wait_forwarding(pid, fwd, &status);
        if (r < 0) {
                log_error_errno(r, "cannot wait for the command");
                return EXIT_CRASHCART;
        }
        return exit_status_of(status);
}

/* ---- the three operations ---- */

static int op_unmount(const struct options *o, const struct target *t, int rundir_fd, const char *session_name)
{
        struct session s;
        int r;

        r = session_open(rundir_fd, session_name, &s);
        if (r < 0) {
                log_error_errno(r, "cannot lock " RUNDIR "/%s", session_name);
                return EXIT_CRASHCART;
        }
        r = unmount_cart(o, t, 0, false);
        if (r < 0) {
                session_abandon(&s);
                return EXIT_CRASHCART;
        }
        s.transient = false;
        s.n_users = 0;
        session_close(rundir_fd, &s);
        return EXIT_SUCCESS;
}

static int op_mount_and_run(const struct options *o, const struct resolve_ctx *ctx, const struct target *t,
                            int rundir_fd, const char *session_name, const sigset_t *fwd, const sigset_t *oldmask)
{
        struct session s;
        uint64_t mnt_id = 0;
        bool placed;
        int r, status;

        r = session_open(rundir_fd, session_name, &s);
        if (r < 0) {
                log_error_errno(r, "cannot lock " RUNDIR "/%s", session_name);
                return EXIT_CRASHCART;
        }
        if (ensure_cart(o, t, rundir_fd, &placed, &mnt_id) < 0) {
                session_close(rundir_fd, &s);
                return EXIT_CRASHCART;
        }

        /* A record about another mount than the one there now is stale. */
        if (s.transient && s.mnt_id != mnt_id)
                s.transient = false;
        if (o->mount_only)
                s.transient = false; /* pinned: no run unmounts it */
        else if (placed) {
                s.transient = true;
                s.mnt_id = mnt_id;
        }
        if (!o->mount_only && s.transient) {
                r = session_add_self(&s);
                if (r < 0)
                        log_warning("cannot record this run in " RUNDIR ": %s", strerror(-r));
        }
        r = session_close(rundir_fd, &s);
        if (r < 0)
                log_warning("cannot write " RUNDIR "/%s: %s", session_name, strerror(-r));
        if (o->mount_only)
                return EXIT_SUCCESS;
        fault_point("mounted");

        status = run_command(o, ctx, t, fwd, oldmask);

        /* The last run out unmounts a cart that a run mounted. */
        r = session_open(rundir_fd, session_name, &s);
        if (r < 0) {
                log_warning("cannot lock " RUNDIR "/%s: %s; the cart stays mounted", session_name, strerror(-r));
                return status;
        }
        session_remove_self(&s);
        if (s.transient && s.n_users == 0) {
                r = unmount_cart(o, t, s.mnt_id, true);
                if (r == -EBUSY)
                        log_warning("the cart stays mounted in %s: a process there still uses it "
                                    "('crashcart -u' unmounts it)",
                                    target_label(t));
                else
                        s.transient = false;
        }
        session_close(rundir_fd, &s);
        return status;
}

/* --host DIR with -m: the cart at a host directory, for containers still to be
 * started (docker run -v DIR:/dev/crashcart:ro) or restarted ones; with -u: released. */
static int op_host(const struct options *o, int rundir_fd)
{
        _cleanup_(image_done) struct image img = IMAGE_INIT;
        _cleanup_close_ int dirfd = -EBADF, mntfd = -EBADF, parentfd = -EBADF;
        struct loopdev loop = { .fd = -EBADF };
        uint64_t id, parent_id;
        struct stat st;
        bool idmapped, is_mount;
        int r;

        dirfd = open(o->host_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0) {
                log_error_errno(NEG_ERRNO(), "cannot use '%s' (the directory must exist)", o->host_dir);
                return EXIT_CRASHCART;
        }
        parentfd = openat(dirfd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (parentfd < 0 || fd_mount_id(dirfd, "", AT_EMPTY_PATH, false, &id, NULL) < 0 ||
            fd_mount_id(parentfd, "", AT_EMPTY_PATH, false, &parent_id, NULL) < 0 || fstat(dirfd, &st) < 0) {
                log_error_errno(NEG_ERRNO(), "cannot inspect '%s'", o->host_dir);
                return EXIT_CRASHCART;
        }
        is_mount = id != parent_id;

        if (o->unmount_only) {
                if (!is_mount) {
                        log_debug("nothing is mounted at '%s'", o->host_dir);
                        return EXIT_SUCCESS;
                }
                dirfd = safe_close(dirfd); /* it would keep the mount busy */
                if (umount2(o->host_dir, UMOUNT_NOFOLLOW | (o->force ? MNT_DETACH : 0)) < 0) {
                        if (errno == EBUSY)
                                log_error("the cart at '%s' is in use (by a container?); -f detaches it lazily",
                                          o->host_dir);
                        else
                                log_error_errno(NEG_ERRNO(), "cannot unmount '%s'", o->host_dir);
                        return EXIT_CRASHCART;
                }
                log_debug("cart released from '%s'", o->host_dir);
                return EXIT_SUCCESS;
        }

        if (!o->image) {
                log_error("no cart image: tried $CRASHCART_IMAGE (unset), %s and ./crashcart.img; name one with -i",
                          CRASHCART_DEFAULT_IMAGE);
                return EXIT_CRASHCART;
        }
        if (open_image(o, &img) < 0)
                return EXIT_CRASHCART;
        if (img.kind != IMAGE_DIRECTORY) {
                r = loopdev_find_or_attach(rundir_fd, img.fd, img.path, &loop);
                if (r < 0) {
                        log_error_errno(r, "cannot attach '%s' to a loop device", img.path);
                        return EXIT_CRASHCART;
                }
        }
        if (is_mount) {
                bool same = img.kind == IMAGE_DIRECTORY ? st.st_dev == img.dev : st.st_dev == loop.rdev;

                safe_close(loop.fd);
                if (!same) {
                        log_error("something else is mounted at '%s'", o->host_dir);
                        return EXIT_CRASHCART;
                }
                log_debug("the cart is already mounted at '%s'", o->host_dir);
                return EXIT_SUCCESS;
        }
        r = o->legacy ? -ENOSYS : cart_mount_create(&img, loop.path, -EBADF, &mntfd, &idmapped);
        if (r == 0 && sys_move_mount(mntfd, "", dirfd, "", CC_MOVE_MOUNT_F_EMPTY_PATH | CC_MOVE_MOUNT_T_EMPTY_PATH) < 0)
                r = NEG_ERRNO();
        else if (r == -ENOSYS && img.kind != IMAGE_DIRECTORY) {
                char target[64];

                snprintf(target, sizeof(target), "/proc/self/fd/%d", dirfd);
                r = mount(loop.path, target, image_fstype(img.kind), MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0
                            ? NEG_ERRNO()
                            : 0;
        }
        safe_close(loop.fd);
        if (r < 0) {
                log_error_errno(r, "cannot mount cart '%s' at '%s'", img.path, o->host_dir);
                return EXIT_CRASHCART;
        }
        log_debug("cart mounted read-only at '%s'", o->host_dir);
        return EXIT_SUCCESS;
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
                dev_t dev;

                if (!c.v[i].running)
                        continue;
                if (target_open(c.v[i].pid, &t) == 0) {
                        if (cart_probe(&t, &dev) > 0)
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
        if (access(CRASHCART_DEFAULT_IMAGE, F_OK) == 0)
                return CRASHCART_DEFAULT_IMAGE;
        if (access("crashcart.img", F_OK) == 0)
                return "crashcart.img";
        return NULL;
}

int main(int argc, char **argv)
{
        struct options o = { .tty = -1 };
        struct target t = TARGET_INIT;
        _cleanup_close_ int rundir_fd = -EBADF, root_fd = -EBADF;
        struct resolve_ctx ctx = { .use_api = true };
        char sname[80];
        int fds_at_start = -1;
        sigset_t fwd, blocked, oldmask;
        int r, status;

        /* Before anything is opened or joined: a process in the container must not
         * ptrace crashcart or its children, nor read their /proc/PID/exe or fds. */
        prctl(PR_SET_DUMPABLE, 0);

        parse_args(argc, argv, &o);
        if (log_verbose >= 2)
                fds_at_start = count_open_fds();
        if (!o.image) {
                const char *e = getenv("CRASHCART_IMAGE");

                o.image_explicit = e && *e;
                o.image = find_default_image();
        }

        if (geteuid() != 0) {
                log_error("must run as root (it mounts and enters namespaces)");
                return EXIT_CRASHCART;
        }

        /* The forwarded signals (and SIGCHLD) are taken with sigwaitinfo: blocked
         * from here on, and unblocked in the command. */
        forwarded_signals(&fwd);
        blocked = fwd;
        sigaddset(&blocked, SIGCHLD);
        sigprocmask(SIG_BLOCK, &blocked, &oldmask);
        /* The command is re-parented to crashcart after the double fork that puts
         * it in the container's PID namespace. */
        prctl(PR_SET_CHILD_SUBREAPER, 1);

        root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0) {
                log_error_errno(NEG_ERRNO(), "cannot open /");
                return EXIT_CRASHCART;
        }
        ctx.root_fd = root_fd;
        if (o.list)
                return op_list(&o, &ctx);
        if (o.host_dir) {
                r = rundir_open(&rundir_fd);
                if (r < 0) {
                        log_error_errno(r, "cannot set up " RUNDIR);
                        return EXIT_CRASHCART;
                }
                return op_host(&o, rundir_fd);
        }

        if (resolve_target(&o, &ctx, &t) < 0)
                return EXIT_CRASHCART;
        fault_point("resolved");

        if (o.print_pid) {
                printf("%d\n", (int)t.pid);
                status = EXIT_SUCCESS;
                goto out;
        }

        r = target_ns_differs(&t, "mnt");
        if (r == -ESRCH) {
                log_error("%s has exited", target_label(&t));
                status = EXIT_CRASHCART;
                goto out;
        }
        if (r < 0) {
                log_error_errno(r, "cannot read the mount namespace of %s", target_label(&t));
                status = EXIT_CRASHCART;
                goto out;
        }
        if (r == 0 && !o.force) {
                log_error("%s shares crashcart's mount namespace: it is not in a container (-f to use it anyway)",
                          target_label(&t));
                status = EXIT_CRASHCART;
                goto out;
        }

        r = rundir_open(&rundir_fd);
        if (r == 0)
                r = session_name_of(&t, sname, sizeof(sname));
        if (r < 0) {
                log_error_errno(r, "cannot set up " RUNDIR);
                status = EXIT_CRASHCART;
                goto out;
        }

        if (o.unmount_only)
                status = op_unmount(&o, &t, rundir_fd, sname);
        else
                status = op_mount_and_run(&o, &ctx, &t, rundir_fd, sname, &fwd, &oldmask);
out:
        target_done(&t);
        rundir_fd = safe_close(rundir_fd);
        root_fd = safe_close(root_fd);
        if (log_verbose >= 2)
                log_debug("%d descriptors open at exit, %d at start", count_open_fds(), fds_at_start);
        return status;
}
