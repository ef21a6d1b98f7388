/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"
#include "crashcart/options.h"
#include "exec/cmdenv.h"
#include "resolve/resolve.h"

_printf_(2, 3) static int usage(struct options *o, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(o->error, sizeof(o->error), fmt, ap);
        va_end(ap);
        return -EINVAL;
}

enum {
        OPT_LEGACY_MOUNT = 0x100,
        OPT_USER,
        OPT_ENV,
        OPT_ENV_FROM_TARGET,
        OPT_CONFINED,
        OPT_HOST,
        OPT_PRIVILEGED,
        OPT_MANIFEST,
        OPT_OUT,
        OPT_ALL,
        OPT_NAME,
        OPT_LABEL,
        OPT_PARALLEL,
        OPT_WRITABLE,
        OPT_CORE,
        OPT_IDLE,
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
        { "env-from-target", optional_argument, NULL, OPT_ENV_FROM_TARGET },
        { "confined", no_argument, NULL, OPT_CONFINED },
        { "privileged", no_argument, NULL, OPT_PRIVILEGED },
        { "host", required_argument, NULL, OPT_HOST },
        { "manifest", no_argument, NULL, OPT_MANIFEST },
        { "out", required_argument, NULL, OPT_OUT },
        { "all", no_argument, NULL, OPT_ALL },
        { "name", required_argument, NULL, OPT_NAME },
        { "label", required_argument, NULL, OPT_LABEL },
        { "parallel", required_argument, NULL, OPT_PARALLEL },
        { "writable", no_argument, NULL, OPT_WRITABLE },
        { "core", optional_argument, NULL, OPT_CORE },
        { "idle", no_argument, NULL, OPT_IDLE },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        {},
};

static int add_env(struct options *o, const char *kv)
{
        char **v;

        if (!strchr(kv, '=') || kv[0] == '=')
                return usage(o, "--env takes KEY=VALUE, not '%s'", kv);
        v = realloc(o->envs, (o->n_envs + 1) * sizeof(char *));
        if (!v)
                return -ENOMEM;
        o->envs = v;
        o->envs[o->n_envs++] = (char *)kv;
        return 0;
}

/* --env-from-target=NAME[,NAME...]: names (or PREFIX*) to take from the target
 * besides the allowlist. The loader's never: their value is the container's. */
static int add_env_take(struct options *o, const char *list)
{
        _cleanup_free_ char *copy = strdup(list);
        char *save = NULL;

        if (!copy)
                return -ENOMEM;
        for (char *n = strtok_r(copy, ",", &save); n; n = strtok_r(NULL, ",", &save)) {
                char **v;

                if (!cmdenv_name_is_valid(n))
                        return usage(o, "--env-from-target takes NAME or PREFIX*, not '%s'", n);
                if (cmdenv_is_loader(n))
                        return usage(o, "--env-from-target: %s is read by the loader: never taken from the container",
                                     n);
                v = realloc(o->env_take, (o->n_env_take + 1) * sizeof(char *));
                if (!v)
                        return -ENOMEM;
                o->env_take = v;
                o->env_take[o->n_env_take] = strdup(n);
                if (!o->env_take[o->n_env_take])
                        return -ENOMEM;
                o->n_env_take++;
        }
        return 0;
}

/* The operator's --env is the operator's, but for the loader's variables: the
 * command runs in the container, so a path in them names a file the container
 * controls, loaded as code into a cart program that runs as root. */
static int check_env(struct options *o)
{
        for (size_t i = 0; i < o->n_envs && !o->force; i++)
                if (cmdenv_is_loader(o->envs[i]))
                        return usage(o, "--env %.*s: a variable of the loader's loads the container's files as code "
                                        "(-f sets it anyway)",
                                     (int)strcspn(o->envs[i], "="), o->envs[i]);
        return 0;
}

static int add_label(struct options *o, const char *kv)
{
        char **v;

        if (!kv[0] || kv[0] == '=')
                return usage(o, "--label takes KEY=VALUE or KEY, not '%s'", kv);
        v = realloc(o->labels, (o->n_labels + 1) * sizeof(char *));
        if (!v)
                return -ENOMEM;
        o->labels = v;
        o->labels[o->n_labels++] = (char *)kv;
        return 0;
}

static int parse_parallel(struct options *o, const char *s)
{
        char *end;
        unsigned long n;

        errno = 0;
        n = strtoul(s, &end, 10);
        if (errno || end == s || *end || s[0] == '-' || n == 0 || n > OPTIONS_PARALLEL_MAX)
                return usage(o, "--parallel takes a number from 1 to %d, not '%s'", OPTIONS_PARALLEL_MAX, s);
        o->parallel = (unsigned)n;
        return 0;
}

/* --all: no ID, a command, and nothing that is about one container's cart. */
static int check_all(struct options *o, bool mount, bool unmount, bool list, bool print_pid, bool manifest,
                     int nargs, char **args)
{
        if (mount || unmount || list || print_pid || manifest || o->host_dir)
                return usage(o, "--all runs a command: it excludes -m, -u, -l, -p, --host and --manifest");
        if (o->tty == 1)
                return usage(o, "--all has no terminal: it excludes -t");
        if (o->confined && o->privileged)
                return usage(o, "--confined and --privileged exclude each other");
        if (nargs > 0 && strcmp(args[0], "--") == 0)
                args++, nargs--;
        if (nargs == 0)
                return usage(o, "--all needs a command: crashcart --all [--name GLOB] [--label KEY=VALUE] -- CMD");
        o->command = args;
        o->tty = 0;
        if (o->parallel == 0)
                o->parallel = OPTIONS_PARALLEL_DEFAULT;
        o->action = ACTION_ALL;
        return 0;
}

/* What the options say to do, and whether they go together. */
static int check_action(struct options *o, bool mount, bool unmount, bool list, bool print_pid, bool manifest,
                        bool all, bool idle, const char *setuid, const char *setgid, int nargs, char **args)
{
        if (all && o->core)
                return usage(o, "--core is for one container: it excludes --all");
        if (idle) {
                if (nargs > 0 || mount || unmount || list || print_pid || manifest || all || o->host_dir)
                        return usage(o, "--idle takes no ID and no other action");
                o->action = ACTION_IDLE;
                return 0;
        }
        if (!all && (o->name_glob || o->n_labels > 0 || o->parallel))
                return usage(o, "--name, --label and --parallel go with --all");
        if (o->out_dir && (unmount || list || print_pid || manifest || o->host_dir))
                return usage(o, "--out goes with a command or -m");
        if (all) {
                if (setuid || setgid) {
                        if (o->user)
                                return usage(o, "--user excludes -S and -G");
                        snprintf(o->user_buf, sizeof(o->user_buf), "%s%s%s", setuid ? setuid : "0", setgid ? ":" : "",
                                 setgid ? setgid : "");
                        o->user = o->user_buf;
                }
                return check_all(o, mount, unmount, list, print_pid, manifest, nargs, args);
        }
        if (manifest) {
                if (nargs > 0 || mount || unmount || list || print_pid || o->host_dir)
                        return usage(o, "--manifest takes no ID and goes with -i only");
                o->action = ACTION_MANIFEST;
                return 0;
        }
        if (list) {
                if (nargs > 0)
                        return usage(o, "--list takes no ID");
                o->action = ACTION_LIST;
                return 0;
        }
        if (o->host_dir) {
                if (!mount && !unmount)
                        return usage(o, "--host goes with -m or -u");
                if (mount && unmount)
                        return usage(o, "-m and -u exclude each other");
                if (nargs > 0)
                        return usage(o, "--host takes no ID");
                o->action = mount ? ACTION_HOST_MOUNT : ACTION_HOST_UNMOUNT;
                return 0;
        }
        if (print_pid && (mount || unmount))
                return usage(o, "--pid takes an ID only");
        if (o->confined && o->privileged)
                return usage(o, "--confined and --privileged exclude each other");
        if (o->user && (setuid || setgid))
                return usage(o, "--user excludes -S and -G");
        if (nargs == 0)
                return usage(o, "no container ID or PID given");
        o->id = args[0];
        args++, nargs--;
        if (nargs > 0 && strcmp(args[0], "--") == 0)
                args++, nargs--;
        o->command = nargs > 0 ? args : NULL;

        if (print_pid && o->command)
                return usage(o, "--pid takes an ID only");
        if (mount && unmount)
                return usage(o, "-m and -u exclude each other");
        if ((mount || unmount) && o->command)
                return usage(o, "-m and -u take no command");
        if (o->use_exec && (mount || unmount))
                return usage(o, "-e runs a command: it excludes -m and -u");
        if (o->writable && (mount || unmount || print_pid || o->use_exec))
                return usage(o, "--writable is for a post-mortem sandbox: it excludes -m, -u, -p and -e");
        if (o->core && (mount || unmount || print_pid || o->use_exec || o->out_dir))
                return usage(o, "--core is for a post-mortem sandbox: it excludes -m, -u, -p, -e and --out");
        if (setuid || setgid) {
                snprintf(o->user_buf, sizeof(o->user_buf), "%s%s%s", setuid ? setuid : "0", setgid ? ":" : "",
                         setgid ? setgid : "");
                o->user = o->user_buf;
        }
        o->action = print_pid ? ACTION_PRINT_PID : mount ? ACTION_MOUNT : unmount ? ACTION_UNMOUNT : ACTION_RUN;
        return 0;
}

int options_parse(int argc, char **argv, struct options *o)
{
        bool mount = false, unmount = false, list = false, print_pid = false, manifest = false, all = false,
             idle = false;
        const char *setuid = NULL, *setgid = NULL;
        int c, r;

        *o = (struct options){ .tty = -1 };
        optind = 0; /* a full reset of getopt's state */
        opterr = 0;
        /* '+': options end at ID, so the command's own options stay its own. */
        while ((c = getopt_long(argc, argv, "+:i:muefr:lptTS:G:w:vhV", longopts, NULL)) != -1) {
                switch (c) {
                case 'i':
                        o->image = optarg;
                        break;
                case 'm':
                        mount = true;
                        break;
                case 'u':
                        unmount = true;
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
                        if (!runtime_get(optarg))
                                return usage(o, "unknown runtime '%s'", optarg);
                        o->runtime = optarg;
                        break;
                case 'l':
                        list = true;
                        break;
                case 'p':
                        print_pid = true;
                        break;
                case 't':
                        o->tty = 1;
                        break;
                case 'T':
                        o->tty = 0;
                        break;
                case 'S':
                        setuid = optarg;
                        break;
                case 'G':
                        setgid = optarg;
                        break;
                case OPT_USER:
                        o->user = optarg;
                        break;
                case 'w':
                        o->workdir = optarg;
                        break;
                case OPT_ENV:
                        r = add_env(o, optarg);
                        if (r < 0)
                                return r;
                        break;
                case OPT_ENV_FROM_TARGET:
                        o->env_from_target = true;
                        if (optarg) {
                                r = add_env_take(o, optarg);
                                if (r < 0)
                                        return r;
                        }
                        break;
                case OPT_CONFINED:
                        o->confined = true;
                        break;
                case OPT_PRIVILEGED:
                        o->privileged = true;
                        break;
                case OPT_HOST:
                        o->host_dir = optarg;
                        break;
                case OPT_MANIFEST:
                        manifest = true;
                        break;
                case OPT_OUT:
                        if (!*optarg)
                                return usage(o, "--out takes a directory");
                        o->out_dir = optarg;
                        break;
                case OPT_ALL:
                        all = true;
                        break;
                case OPT_NAME:
                        o->name_glob = optarg;
                        break;
                case OPT_LABEL:
                        r = add_label(o, optarg);
                        if (r < 0)
                                return r;
                        break;
                case OPT_PARALLEL:
                        r = parse_parallel(o, optarg);
                        if (r < 0)
                                return r;
                        break;
                case OPT_WRITABLE:
                        o->writable = true;
                        break;
                case OPT_CORE:
                        if (optarg && !*optarg)
                                return usage(o, "--core=FILE takes a path in the container");
                        o->core = true;
                        o->core_file = optarg;
                        break;
                case OPT_IDLE:
                        idle = true;
                        break;
                case 'v':
                        o->verbose++;
                        break;
                case 'h':
                        o->action = ACTION_HELP;
                        return 0;
                case 'V':
                        o->action = ACTION_VERSION;
                        return 0;
                case ':':
                        return usage(o, "option '%s' needs an argument", argv[optind - 1]);
                default:
                        return usage(o, "unknown option '%s'", argv[optind - 1]);
                }
        }
        r = check_env(o);
        if (r < 0)
                return r;
        return check_action(o, mount, unmount, list, print_pid, manifest, all, idle, setuid, setgid,
                            argc - optind, argv + optind);
}

void options_done(struct options *o)
{
        free(o->envs);
        o->envs = NULL;
        free(o->labels);
        o->labels = NULL;
        o->n_labels = 0;
        o->n_envs = 0;
        for (size_t i = 0; i < o->n_env_take; i++)
                free(o->env_take[i]);
        free(o->env_take);
        o->env_take = NULL;
        o->n_env_take = 0;
}
