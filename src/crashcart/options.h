/* SPDX-License-Identifier: GPL-2.0-or-later */
/* crashcart's command line, parsed into what to do. Parsing prints nothing and
 * never exits: a usage error comes back as -EINVAL with its one-line message. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum action {
        ACTION_RUN,             /* mount the cart if needed, run the command, release */
        ACTION_MOUNT,           /* -m */
        ACTION_UNMOUNT,         /* -u */
        ACTION_PRINT_PID,       /* -p */
        ACTION_LIST,            /* -l */
        ACTION_HOST_MOUNT,      /* -m --host DIR */
        ACTION_HOST_UNMOUNT,    /* -u --host DIR */
        ACTION_MANIFEST,        /* --manifest: print what the cart holds */
        ACTION_ALL,             /* --all: the command in every running container that matches */
        ACTION_IDLE,            /* --idle: wait for SIGTERM, for a DaemonSet's container */
        ACTION_HELP,
        ACTION_VERSION,
};

struct options {
        enum action action;
        const char *image;      /* -i; NULL: the default is looked for */
        bool use_exec;          /* -e */
        bool force;
        bool legacy;
        const char *runtime;    /* a name of the runtime table */
        const char *id;
        char **command;         /* NULL: the cart's interactive shell */
        int tty;                /* 1 -t, 0 -T, -1 decide from stdin */
        const char *user;       /* --user, or -S/-G made into one spec */
        const char *workdir;
        char **envs;            /* --env KEY=VALUE, in order */
        size_t n_envs;
        bool env_from_target;
        char **env_take;        /* --env-from-target=NAME,PREFIX*: also taken */
        size_t n_env_take;
        bool confined;
        bool privileged;
        const char *host_dir;   /* --host DIR */
        const char *out_dir;    /* --out DIR: at /dev/crashcart/out */
        const char *name_glob;  /* --all --name GLOB */
        char **labels;          /* --all --label KEY=VALUE, in order: all must match */
        size_t n_labels;
        unsigned parallel;      /* --all --parallel N */
        bool writable;          /* --writable: a post-mortem sandbox's view is writable */
        bool core;              /* --core: the container's core in the cart's gdb */
        const char *core_file;  /* --core=FILE: that core, a path in the container's root */
        int verbose;            /* how many -v */
        char user_buf[300];     /* -S UID -G GID as "UID:GID" */
        char error[256];        /* the usage error, when parsing fails */
};

/* Parses argv (getopt's state is reset first, so it can be called again).
 * Returns 0, or -EINVAL with o->error set, or -ENOMEM. */
int options_parse(int argc, char **argv, struct options *o);
void options_done(struct options *o);

/* --all runs this many at a time unless --parallel says otherwise. */
#define OPTIONS_PARALLEL_DEFAULT 4
#define OPTIONS_PARALLEL_MAX 64
