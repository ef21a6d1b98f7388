/* SPDX-License-Identifier: GPL-2.0-or-later */
/* crashcart-build: a cart image from a list of Debian packages, without root.
 *
 *   package list → closure (apt, as if nothing were installed) → .debs in the
 *   builder's cache (apt-get download) → extracted (dpkg-deb -x, no maintainer
 *   script) → bin, sbin, and the library closure read from the ELF files →
 *   relocated under /dev/crashcart (interpreter and DT_RPATH, patchelf; the
 *   loader's /etc paths patched away) → image (erofs, squashfs or ext4). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "basic/fileio.h"
#include "basic/macro.h"
#include "basic/syscalls.h"
#include "cart-build/alternatives.h"
#include "cart-build/elfdeps.h"
#include "cart-build/pkglist.h"

#define CART "/dev/crashcart"
#define LOADER "ld-linux-x86-64.so.2"

static int verbose;
static char *work_dir; /* removed on every way out: its own copy, as main's is freed before atexit */

static void remove_work_dir(void)
{
        if (work_dir && fork() == 0) {
                execlp("rm", "rm", "-rf", work_dir, (char *)NULL);
                _exit(127);
        }
        if (work_dir)
                wait(NULL);
}

_printf_(1, 2) static void say(const char *fmt, ...)
{
        va_list ap;

        if (!verbose)
                return;
        fprintf(stderr, "crashcart-build: ");
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

_printf_(1, 2) _noreturn_ static void die(const char *fmt, ...)
{
        va_list ap;

        fprintf(stderr, "crashcart-build: ");
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        exit(1);
}

/* ---- running tools ---- */

/* Runs argv in dir (NULL: here); with out, collects its standard output. Returns
 * the exit status, or -errno. */
static int run(char *const *argv, const char *dir, char **out)
{
        int p[2] = { -1, -1 }, status;
        pid_t pid;

        if (out && pipe2(p, O_CLOEXEC) < 0)
                return NEG_ERRNO();
        pid = fork();
        if (pid < 0)
                return NEG_ERRNO();
        if (pid == 0) {
                if (dir && chdir(dir) < 0)
                        _exit(127);
                if (out)
                        dup2(p[1], STDOUT_FILENO);
                else if (!verbose)
                        dup2(STDERR_FILENO, STDOUT_FILENO);
                execvp(argv[0], argv);
                fprintf(stderr, "crashcart-build: cannot run %s: %s\n", argv[0], strerror(errno));
                _exit(127);
        }
        if (out) {
                size_t len = 0, cap = 0;
                char *buf = NULL;
                ssize_t n;

                close(p[1]);
                for (;;) {
                        if (cap - len < 4096) {
                                char *b = realloc(buf, cap = cap ? cap * 2 : 65536);

                                if (!b)
                                        break;
                                buf = b;
                        }
                        n = read(p[0], buf + len, cap - len - 1);
                        if (n <= 0)
                                break;
                        len += (size_t)n;
                }
                close(p[0]);
                if (buf)
                        buf[len] = 0;
                *out = buf;
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return NEG_ERRNO();
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static char *path_join(const char *a, const char *b)
{
        char *s;

        if (asprintf(&s, "%s/%s", a, b) < 0)
                die("out of memory");
        return s;
}

static void mkdir_p(const char *path)
{
        char buf[4096];

        snprintf(buf, sizeof(buf), "%s", path);
        for (char *p = buf + 1; *p; p++)
                if (*p == '/') {
                        *p = 0;
                        mkdir(buf, 0755);
                        *p = '/';
                }
        if (mkdir(buf, 0755) < 0 && errno != EEXIST)
                die("cannot create '%s': %s", path, strerror(errno));
}

/* ---- closure and fetch ---- */

/* Every package the list needs, as apt resolves it for a system with nothing
 * installed (a scratch container): apt-get -s with an empty dpkg status. */
static void resolve_closure(const struct pkglist *want, const char *cache, struct pkglist *ret)
{
        _cleanup_free_ char *status = path_join(cache, "empty-status"), *opt = NULL, *out = NULL;
        char **argv;
        size_t n = 0;
        int r;

        if (asprintf(&opt, "Dir::State::status=%s", status) < 0)
                die("out of memory");
        close(open(status, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        argv = calloc(want->n + 12, sizeof(char *));
        if (!argv)
                die("out of memory");
        argv[n++] = "apt-get";
        argv[n++] = "-s";
        argv[n++] = "-qq";
        argv[n++] = "-o";
        argv[n++] = opt;
        argv[n++] = "-o";
        argv[n++] = "Debug::NoLocking=1";
        argv[n++] = "install";
        argv[n++] = "--no-install-recommends";
        for (size_t i = 0; i < want->n; i++)
                argv[n++] = want->names[i];
        r = run(argv, NULL, &out);
        free(argv);
        if (r != 0 || !out)
                die("apt cannot resolve the packages (is 'apt-get update' done, and are the names right?)");
        *ret = (struct pkglist){};
        for (char *line = out; line && *line;) {
                char *nl = strchr(line, '\n'), name[256];

                if (nl)
                        *nl = 0;
                if (sscanf(line, "Inst %255s", name) == 1 && pkg_name_is_valid(name)) {
                        char **v = realloc(ret->names, (ret->n + 2) * sizeof(char *));

                        if (!v)
                                die("out of memory");
                        ret->names = v;
                        ret->names[ret->n++] = strdup(name);
                        ret->names[ret->n] = NULL;
                }
                line = nl ? nl + 1 : NULL;
        }
        if (ret->n == 0)
                die("apt resolved no package to fetch");
}

/* The .deb of a package in the cache (NAME_VERSION_ARCH.deb), or NULL. */
static char *cached_deb(const char *debs, const char *name)
{
        _cleanup_(closedir_p) DIR *d = opendir(debs);
        struct dirent *de;
        size_t n = strlen(name);

        while (d && (de = readdir(d)))
                if (strncmp(de->d_name, name, n) == 0 && de->d_name[n] == '_' &&
                    strlen(de->d_name) > 4 && strcmp(de->d_name + strlen(de->d_name) - 4, ".deb") == 0)
                        return path_join(debs, de->d_name);
        return NULL;
}

static void fetch(const struct pkglist *pkgs, const char *debs)
{
        char **argv = calloc(pkgs->n + 3, sizeof(char *));
        size_t n = 0, missing = 0;

        if (!argv)
                die("out of memory");
        argv[n++] = "apt-get";
        argv[n++] = "download";
        for (size_t i = 0; i < pkgs->n; i++) {
                _cleanup_free_ char *have = cached_deb(debs, pkgs->names[i]);

                if (!have) {
                        argv[n++] = pkgs->names[i];
                        missing++;
                }
        }
        say("%zu packages, %zu to fetch", pkgs->n, missing);
        if (missing && run(argv, debs, NULL) != 0)
                die("apt-get download failed");
        free(argv);
}

/* Extracts the packages into staging, and collects the links their maintainer
 * scripts would make with update-alternatives (the scripts never run). */
static void extract(const struct pkglist *pkgs, const char *debs, const char *staging, const char *ctrl,
                    struct alternatives *alts)
{
        for (size_t i = 0; i < pkgs->n; i++) {
                _cleanup_free_ char *deb = cached_deb(debs, pkgs->names[i]), *dir = path_join(ctrl, pkgs->names[i]);
                _cleanup_free_ char *postinst = path_join(dir, "postinst"), *script = NULL;
                char *argv[] = { "dpkg-deb", "-x", deb, (char *)staging, NULL };
                char *argv_ctrl[] = { "dpkg-deb", "-e", deb, dir, NULL };

                if (!deb)
                        die("'%s' was not fetched", pkgs->names[i]);
                if (run(argv, NULL, NULL) != 0 || run(argv_ctrl, NULL, NULL) != 0)
                        die("cannot extract '%s'", deb);
                if (read_full_fileat(AT_FDCWD, postinst, 1 << 20, &script, NULL) >= 0 &&
                    alternatives_parse(script, alts) < 0)
                        die("out of memory");
        }
}

/* ---- the cart's tree ---- */

static const char *const lib_dirs[] = {
        "lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu", "lib64", "lib", "usr/lib", NULL,
};

/* Copies what fd `in` reads into a new file `to`. */
static int copy_fd(int in, const char *to, mode_t mode)
{
        _cleanup_close_ int out = -EBADF;
        char buf[65536];
        ssize_t n;

        unlink(to);
        out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (out < 0)
                return NEG_ERRNO();
        while ((n = read(in, buf, sizeof(buf))) > 0)
                if (write_full(out, buf, (size_t)n) < 0)
                        return NEG_ERRNO();
        return n < 0 ? NEG_ERRNO() : 0;
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
        _cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC);

        return in < 0 ? NEG_ERRNO() : copy_fd(in, to, mode);
}

/* Writes buf as the whole of path (made with mode when it is new). */
static void write_whole(const char *path, const void *buf, size_t len, mode_t mode)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

        if (fd < 0 || write_full(fd, buf, len) < 0)
                die("cannot write '%s'", path);
}

/* Replaces every `from` in buf by `to`, both n bytes long; returns how many. */
static size_t replace_all(char *buf, size_t len, const char *from, const char *to, size_t n)
{
        size_t hits = 0;

        for (char *s = buf; (s = memmem(s, len - (size_t)(s - buf), from, n)); s += n) {
                memcpy(s, to, n);
                hits++;
        }
        return hits;
}

struct cart {
        const char *staging;
        int staging_fd;
        const char *root;
        char **libs;            /* sonames copied to lib/ */
        size_t n_libs;
        char **elves;           /* paths (in the cart) of ELF files to relocate */
        size_t n_elves;
};

/* Opens a file of the staging tree with its links resolved inside the tree: a
 * package's absolute link (sbin/ip -> /bin/ip, lib64/ld-linux-x86-64.so.2 ->
 * /lib/...) names the package's file, never the build host's. A regular file,
 * else -1. */
static int open_staged(const struct cart *c, const char *rel, struct stat *st)
{
        struct cc_open_how how = { .flags = O_RDONLY | O_CLOEXEC, .resolve = CC_RESOLVE_IN_ROOT };
        int fd = sys_openat2(c->staging_fd, rel, &how);

        if (fd >= 0 && (fstat(fd, st) < 0 || !S_ISREG(st->st_mode))) {
                close(fd);
                return -1;
        }
        return fd;
}

static void remember(char ***v, size_t *n, const char *s)
{
        char **p = realloc(*v, (*n + 1) * sizeof(char *));

        if (!p || !(p[*n] = strdup(s)))
                die("out of memory");
        *v = p;
        (*n)++;
}

static bool have_lib(const struct cart *c, const char *name)
{
        for (size_t i = 0; i < c->n_libs; i++)
                if (strcmp(c->libs[i], name) == 0)
                        return true;
        return false;
}

static void add_needed(struct cart *c, const char *cart_path);

/* Copies library `name`, open as in, into the cart's lib/, then what it needs. */
static void take_lib_fd(struct cart *c, int in, const char *name)
{
        _cleanup_free_ char *lib = path_join(c->root, "lib"), *dst = path_join(lib, name), *rel = path_join("lib", name);

        if (copy_fd(in, dst, 0755) < 0)
                die("cannot copy '%s': %s", name, strerror(errno));
        add_needed(c, rel);
}

/* The same, from dir/name of the staging tree when it is there. */
static bool take_lib(struct cart *c, const char *dir, const char *name)
{
        _cleanup_free_ char *from = path_join(dir, name);
        struct stat st;
        _cleanup_close_ int in = open_staged(c, from, &st);

        if (in < 0)
                return false;
        take_lib_fd(c, in, name);
        return true;
}

/* Copies library `name` from the staging tree into lib/, then what it needs. */
static void add_lib(struct cart *c, const char *name)
{
        if (have_lib(c, name) || strchr(name, '/'))
                return;
        remember(&c->libs, &c->n_libs, name);
        for (size_t i = 0; lib_dirs[i]; i++)
                if (take_lib(c, lib_dirs[i], name))
                        return;
        /* A program's private directory (man-db's /usr/lib/man-db, found through
         * its RUNPATH): one level below the library directories. */
        for (size_t i = 0; lib_dirs[i]; i++) {
                _cleanup_free_ char *dir = path_join(c->staging, lib_dirs[i]);
                _cleanup_(closedir_p) DIR *d = opendir(dir);
                struct dirent *de;

                while (d && (de = readdir(d))) {
                        _cleanup_free_ char *sub = path_join(lib_dirs[i], de->d_name);

                        if (de->d_name[0] != '.' && take_lib(c, sub, name))
                                return;
                }
        }
        die("no package of the list provides the library '%s' (add its package)", name);
}

/* Records an ELF file of the cart and copies in the libraries it needs. */
static void add_needed(struct cart *c, const char *cart_path)
{
        _cleanup_close_ int rootfd = open(c->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        struct elf_info e;
        int r;

        r = elf_read_file(rootfd, cart_path, &e);
        if (r == -ENOEXEC || (r == 0 && !e.is_dynamic)) {
                elf_info_done(&e);
                return;
        }
        if (r < 0)
                die("cannot read ELF file '%s': %s", cart_path, strerror(-r));
        remember(&c->elves, &c->n_elves, cart_path);
        for (size_t i = 0; i < e.n_needed; i++)
                add_lib(c, e.needed[i]);
        elf_info_done(&e);
}

/* The programs of one directory of the staging tree, into bin/ or sbin/. */
static void add_programs(struct cart *c, const char *from_dir, const char *to_dir)
{
        _cleanup_free_ char *src = path_join(c->staging, from_dir), *dst = path_join(c->root, to_dir);
        _cleanup_(closedir_p) DIR *d = opendir(src);
        struct dirent *de;

        if (!d)
                return;
        mkdir_p(dst);
        while ((de = readdir(d))) {
                _cleanup_free_ char *from = path_join(src, de->d_name), *to = path_join(dst, de->d_name);
                _cleanup_free_ char *rel = NULL, *staged = path_join(from_dir, de->d_name);
                _cleanup_close_ int in = -EBADF;
                char target[4096];
                struct stat st;
                ssize_t n;

                if (de->d_name[0] == '.' || lstat(from, &st) < 0)
                        continue;
                if (S_ISLNK(st.st_mode)) {
                        /* A link within the directory stays a link; one to elsewhere
                         * (/etc/alternatives, ../lib, /bin/ip) is resolved in the
                         * staging tree. */
                        n = readlink(from, target, sizeof(target) - 1);
                        if (n <= 0)
                                continue;
                        target[n] = 0;
                        if (!strchr(target, '/')) {
                                unlink(to);
                                if (symlink(target, to) < 0)
                                        die("cannot link '%s': %s", to, strerror(errno));
                                continue;
                        }
                }
                in = open_staged(c, staged, &st);
                if (in < 0 || !(st.st_mode & 0111))
                        continue;
                if (access(to, F_OK) == 0)
                        continue; /* /usr/bin and /bin both have it (Debian 12) */
                if (copy_fd(in, to, st.st_mode & 07777 & ~06000) < 0)
                        die("cannot copy '%s': %s", from, strerror(errno));
                if (asprintf(&rel, "%s/%s", to_dir, de->d_name) < 0)
                        die("out of memory");
                add_needed(c, rel);
        }
}

/* The loader, with its /etc paths and its system library directories pointed to
 * names that do not exist: it must never read the container's ld.so.cache or
 * ld.so.preload, nor fall back to the container's libraries for one the cart
 * lacks (procps dlopens libnuma.so, say). Same lengths, so nothing in the file
 * moves; the longer paths first, as "/usr/lib/" is part of another. */
static void add_loader(struct cart *c)
{
#define PATCH(f, t, req) { f, t, sizeof(f) - 1, sizeof(t) - 1, req }
        static const struct {
                const char *from, *to;
                size_t len, to_len;
                bool required;
        } patches[] = {
                PATCH("/etc/ld.so.cache", CART "/c", true),
                PATCH("/etc/ld.so.preload", CART "/.lp", true),
                PATCH("/usr/lib/x86_64-linux-gnu/", CART "/.none2/xxx/", false),
                PATCH("/lib/x86_64-linux-gnu/", CART "/.none1/", false),
                PATCH("/usr/lib/", "/dev/ccx/", false),
                /* "/lib/" alone, between the NULs of the list of system directories. */
                PATCH("\0/lib/\0", "\0/ccx/\0", false),
        };
#undef PATCH
        _cleanup_free_ char *dst = NULL, *buf = NULL;
        size_t len = 0;
        int r = -ENOENT;

        for (size_t i = 0; lib_dirs[i] && r < 0; i++) {
                _cleanup_free_ char *from = path_join(lib_dirs[i], LOADER);
                struct stat st;
                _cleanup_close_ int fd = open_staged(c, from, &st);

                if (fd >= 0 && (buf = malloc((size_t)st.st_size + 1)) && read_full(fd, buf, (size_t)st.st_size, &len) >= 0 &&
                    len == (size_t)st.st_size)
                        r = 0;
                else {
                        free(buf);
                        buf = NULL;
                }
        }
        if (r < 0)
                die("the packages have no dynamic loader (libc6 is missing from the closure?)");
        for (size_t p = 0; p < ELEMENTSOF(patches); p++) {
                if (patches[p].to_len != patches[p].len)
                        die("internal error: the patch of '%s' changes its length", patches[p].from);
                if (!replace_all(buf, len, patches[p].from, patches[p].to, patches[p].len) && patches[p].required)
                        die("the loader has no '%s' to redirect", patches[p].from);
        }
        dst = path_join(c->root, "lib/" LOADER);
        write_whole(dst, buf, len, 0755);
        remember(&c->libs, &c->n_libs, LOADER);
}

static void relocate(struct cart *c)
{
        for (size_t i = 0; i < c->n_elves; i++) {
                _cleanup_free_ char *path = path_join(c->root, c->elves[i]);
                struct elf_info e;
                char *argv[10];
                size_t n = 0;

                if (elf_read_file(AT_FDCWD, path, &e) < 0)
                        continue;
                argv[n++] = "patchelf";
                /* DT_RPATH, not RUNPATH: it applies to the libraries' own needs too. */
                argv[n++] = "--force-rpath";
                argv[n++] = "--set-rpath";
                argv[n++] = CART "/lib";
                if (e.has_interp) {
                        argv[n++] = "--set-interpreter";
                        argv[n++] = CART "/lib/" LOADER;
                }
                argv[n++] = path;
                argv[n] = NULL;
                elf_info_done(&e);
                if (run(argv, NULL, NULL) != 0)
                        die("patchelf failed on '%s'", c->elves[i]);
        }
}

/* Scripts that name /bin/X or /usr/bin/X as their interpreter get the cart's X. */
static void fix_shebangs(struct cart *c, const char *dir)
{
        _cleanup_free_ char *d = path_join(c->root, dir);
        _cleanup_(closedir_p) DIR *dd = opendir(d);
        struct dirent *de;

        while (dd && (de = readdir(dd))) {
                _cleanup_free_ char *p = path_join(d, de->d_name), *text = NULL, *interp = NULL, *fixed = NULL;
                const char *name, *rest;
                struct stat st;
                size_t len;

                if (lstat(p, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (4 << 20))
                        continue;
                if (read_full_fileat(AT_FDCWD, p, 4 << 20, &text, &len) < 0 || len < 4 || strncmp(text, "#!", 2) != 0)
                        continue;
                name = text + 2 + strspn(text + 2, " ");
                if (strncmp(name, "/usr/bin/", 9) == 0)
                        name += 9;
                else if (strncmp(name, "/bin/", 5) == 0)
                        name += 5;
                else
                        continue;
                rest = name + strcspn(name, " \n");
                interp = strndup(name, (size_t)(rest - name));
                {
                        _cleanup_free_ char *in_cart = NULL;

                        if (asprintf(&in_cart, "%s/bin/%s", c->root, interp) < 0 || access(in_cart, X_OK) < 0)
                                continue;
                }
                if (asprintf(&fixed, "#!" CART "/bin/%s%s", interp, rest) < 0)
                        die("out of memory");
                write_whole(p, fixed, strlen(fixed), 0755);
        }
}

/* The interactive shell's settings (crashcart runs bash --rcfile .crashcartrc).
 * Nothing of the session is written into the container: no history files. */
static void write_rcfile(const struct cart *c)
{
        _cleanup_free_ char *rc = path_join(c->root, ".crashcartrc");
        _cleanup_free_ char *completion = path_join(c->root, "usr/share/bash-completion/bash_completion");
        FILE *f = fopen(rc, "we");

        if (!f)
                die("cannot write '%s'", rc);
        fputs("# crashcart: the cart's tools first, and what they need\n"
              "export PATH=" CART "/sbin:" CART "/bin:$PATH\n"
              "export TERMINFO_DIRS=" CART "/share/terminfo\n"
              "[ -x \"${SHELL:-}\" ] || export SHELL=" CART "/bin/bash\n"
              "export PAGER=${PAGER:-less} LESS=${LESS:--R}\n"
              "\n"
              "# nothing of the session left in the container; none of its startup files\n"
              "unset HISTFILE PROMPT_COMMAND PS0 PS4\n"
              "PS2='> '\n"
              "export LESSHISTFILE=- INPUTRC=/dev/null\n"
              "\n"
              "# colours\n"
              "if [ \"${TERM:-dumb}\" != dumb ]; then\n"
              "        eval \"$(dircolors -b 2>/dev/null)\"\n"
              "        alias ls='ls --color=auto' grep='grep --color=auto' diff='diff --color=auto' ip='ip -color=auto'\n"
              "        PS1='\\[\\e[1;31m\\][crashcart]\\[\\e[0m\\] \\h:\\[\\e[1;34m\\]\\w\\[\\e[0m\\]\\$ '\n"
              "else\n"
              "        PS1='[crashcart] \\h:\\w\\$ '\n"
              "fi\n",
              f);
        if (access(completion, R_OK) == 0)
                fputs("\n# completion, with none of the container's completion scripts\n"
                      "export BASH_COMPLETION_COMPAT_DIR=" CART "/etc/bash_completion.d\n"
                      "export BASH_COMPLETION_USER_FILE=/dev/null XDG_DATA_DIRS=" CART "/share\n"
                      "export BASH_COMPLETION_USER_DIR=" CART "/share/bash-completion\n"
                      ". " CART "/share/bash-completion/bash_completion\n",
                      f);
        if (fclose(f) != 0)
                die("cannot write '%s'", rc);
}

/* ---- data: what the programs read at run time ---- */

/* Where a Debian path is in the cart, relative to its root; NULL: nowhere. */
static char *cart_rel(const char *path)
{
        static const struct {
                const char *from, *to;
        } map[] = {
                { "/usr/bin/", "bin/" },
                { "/bin/", "bin/" },
                { "/usr/sbin/", "sbin/" },
                { "/sbin/", "sbin/" },
                { "/usr/lib/x86_64-linux-gnu/", "lib/" },
                { "/lib/x86_64-linux-gnu/", "lib/" },
                { "/lib/terminfo/", "usr/share/terminfo/" },
                { "/lib/", "usr/lib/" },
                { "/usr/", "usr/" },
                { "/etc/", "etc/" },
        };
        char *s;

        for (size_t i = 0; i < ELEMENTSOF(map); i++) {
                size_t n = strlen(map[i].from);

                if (strncmp(path, map[i].from, n) == 0) {
                        if (asprintf(&s, "%s%s", map[i].to, path + n) < 0)
                                die("out of memory");
                        return s;
                }
        }
        return NULL;
}

/* An absolute path without "." and ".." and repeated slashes, in place; ".."
 * of the root is the root, as for the kernel. */
static void normalize_path(char *p)
{
        _cleanup_free_ char *in = strdup(p);
        size_t len = 0; /* of the result, after its leading slash */

        if (!in)
                die("out of memory");
        for (char *name = strtok(in, "/"); name; name = strtok(NULL, "/")) {
                if (strcmp(name, ".") == 0)
                        continue;
                if (strcmp(name, "..") == 0) {
                        /* p[len] is not the end yet: the last name ends before it. */
                        while (len > 0 && p[--len] != '/')
                                ;
                        continue;
                }
                p[len] = '/';
                strcpy(p + len + 1, name);
                len += 1 + strlen(name);
        }
        if (len == 0)
                p[len++] = '/';
        p[len] = 0;
}

/* Not copied: documentation, translations, and what only a booted system uses. */
static bool skipped(const char *rel)
{
        static const char *const skip[] = {
                "usr/share/doc",     "usr/share/doc-base", "usr/share/info",  "usr/share/lintian",
                "usr/share/bug",     "usr/share/locale",   "usr/share/menu",  "usr/share/applications",
                "usr/share/pixmaps", "usr/share/icons",    "usr/lib/debug",   "usr/lib/systemd",
                "usr/lib/tmpfiles.d", "usr/lib/sysusers.d", "usr/lib/mime",   "usr/lib/x86_64-linux-gnu",
                "etc/cron.daily",    "etc/cron.weekly",    "etc/systemd",     "etc/init.d",
                "etc/apparmor.d",    "etc/logrotate.d",    "etc/ld.so.conf.d", "lib/systemd",
        };

        for (size_t i = 0; i < ELEMENTSOF(skip); i++)
                if (strcmp(rel, skip[i]) == 0)
                        return true;
        /* Manual pages in English only: usr/share/man/man1, not usr/share/man/de. */
        return strncmp(rel, "usr/share/man/", 14) == 0 && !strchr(rel + 14, '/') && strncmp(rel + 14, "man", 3) != 0;
}

/* Copies the staging tree's `from` into the cart's `to`, leaving what is there
 * already. A link to an absolute path is pointed to that path in the cart. */
static void copy_tree(const struct cart *c, const char *from, const char *to)
{
        _cleanup_free_ char *src = path_join(c->staging, from), *dst = path_join(c->root, to);
        _cleanup_(closedir_p) DIR *d = NULL;
        struct dirent *de;
        struct stat st;

        if (skipped(from) || lstat(src, &st) < 0)
                return;
        if (S_ISDIR(st.st_mode)) {
                mkdir_p(dst);
                d = opendir(src);
                while (d && (de = readdir(d))) {
                        _cleanup_free_ char *f = NULL, *t = NULL;

                        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                                continue;
                        f = path_join(from, de->d_name);
                        t = path_join(to, de->d_name);
                        copy_tree(c, f, t);
                }
                return;
        }
        if (lstat(dst, &(struct stat){}) == 0)
                return;
        if (S_ISLNK(st.st_mode)) {
                char target[4096];
                ssize_t n = readlink(src, target, sizeof(target) - 1);
                _cleanup_free_ char *rel = NULL, *abs = NULL;

                if (n <= 0)
                        return;
                target[n] = 0;
                /* Where the link leads in the package's tree, then where that is
                 * in the cart: into the cart, or not at all (never into the
                 * container); and right although the cart moves some
                 * directories up or down a level (/lib/terminfo, the gconv
                 * modules). */
                {
                        _cleanup_free_ char *where = NULL;

                        if (target[0] == '/')
                                where = strdup(target);
                        else if (asprintf(&where, "/%.*s/%s", (int)(strrchr(from, '/') ? strrchr(from, '/') - from : 0),
                                          from, target) < 0)
                                where = NULL;
                        if (!where)
                                die("out of memory");
                        normalize_path(where);
                        rel = cart_rel(where);
                }
                if (!rel)
                        return;
                if (asprintf(&abs, CART "/%s", rel) < 0)
                        die("out of memory");
                if (symlink(abs, dst) < 0)
                        die("cannot link '%s': %s", dst, strerror(errno));
        } else if (S_ISREG(st.st_mode) && copy_file(src, dst, st.st_mode & 07777 & ~06000) < 0)
                die("cannot copy '%s': %s", src, strerror(errno));
}

/* The ELF files of a data directory (python's lib-dynload, gconv modules,
 * openssl's providers, man-db's helpers) are relocated like the programs. */
static void add_elves_under(struct cart *c, const char *rel)
{
        _cleanup_free_ char *dir = path_join(c->root, rel);
        _cleanup_(closedir_p) DIR *d = opendir(dir);
        struct dirent *de;

        while (d && (de = readdir(d))) {
                _cleanup_free_ char *sub = NULL, *p = NULL;
                struct stat st;

                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                sub = path_join(rel, de->d_name);
                p = path_join(c->root, sub);
                if (lstat(p, &st) < 0)
                        continue;
                if (S_ISDIR(st.st_mode))
                        add_elves_under(c, sub);
                else if (S_ISREG(st.st_mode) && st.st_size > 64)
                        add_needed(c, sub);
        }
}

static void cart_symlink(const struct cart *c, const char *target, const char *rel)
{
        _cleanup_free_ char *p = path_join(c->root, rel);

        if (lstat(p, &(struct stat){}) == 0)
                return;
        if (symlink(target, p) < 0)
                die("cannot link '%s': %s", p, strerror(errno));
}

static void add_data(struct cart *c)
{
        static const char *const arch_dirs[] = { "gconv", "ossl-modules", "engines-3", "libthread_db" };
        _cleanup_free_ char *pylib = path_join(c->staging, "usr/lib");
        _cleanup_(closedir_p) DIR *d = NULL;
        struct dirent *de;

        copy_tree(c, "usr/share", "usr/share");
        copy_tree(c, "lib/terminfo", "usr/share/terminfo");
        copy_tree(c, "usr/lib", "usr/lib");
        copy_tree(c, "usr/libexec", "usr/libexec");
        copy_tree(c, "etc", "etc");
        for (size_t i = 0; i < ELEMENTSOF(arch_dirs); i++) {
                _cleanup_free_ char *from = path_join("usr/lib/x86_64-linux-gnu", arch_dirs[i]);
                _cleanup_free_ char *to = path_join("lib", arch_dirs[i]);

                copy_tree(c, from, to);
                add_elves_under(c, to);
        }
        add_elves_under(c, "usr/lib");
        add_elves_under(c, "usr/libexec");
        /* Found from the programs' place: /dev/crashcart/share/gdb, and python's
         * /dev/crashcart/lib/python3.X for gdb. */
        cart_symlink(c, "usr/share", "share");
        d = opendir(pylib);
        while (d && (de = readdir(d)))
                if (strncmp(de->d_name, "python3.", 8) == 0) {
                        _cleanup_free_ char *target = NULL, *link = path_join("lib", de->d_name);

                        if (asprintf(&target, "../usr/lib/%s", de->d_name) < 0)
                                die("out of memory");
                        cart_symlink(c, target, link);
                }
        cart_symlink(c, CART "/usr/libexec/man-db/zsoelim", "bin/zsoelim");
        cart_symlink(c, CART "/usr/libexec/man-db/manconv", "bin/manconv");
        /* /bin/sh of the scripts (nroff, ...) when no shell package gave one. */
        {
                _cleanup_free_ char *bash = path_join(c->root, "bin/bash");

                if (access(bash, F_OK) == 0)
                        cart_symlink(c, "bash", "bin/sh");
        }
        /* The NSS modules libc loads with dlopen for a container's nsswitch.conf
         * (compat: older Debian's default; files and dns are in libc itself). */
        for (size_t i = 0; lib_dirs[i]; i++) {
                _cleanup_free_ char *dir = path_join(c->staging, lib_dirs[i]);
                _cleanup_(closedir_p) DIR *nd = opendir(dir);
                struct dirent *ne;

                while (nd && (ne = readdir(nd))) {
                        size_t l = strlen(ne->d_name);

                        if (strncmp(ne->d_name, "libnss_", 7) == 0 && l > 5 && strcmp(ne->d_name + l - 5, ".so.2") == 0 &&
                            !have_lib(c, ne->d_name) && take_lib(c, lib_dirs[i], ne->d_name))
                                remember(&c->libs, &c->n_libs, ne->d_name);
                }
        }
        /* libthread_db, which gdb loads with dlopen. */
        if (!have_lib(c, "libthread_db.so.1")) {
                for (size_t i = 0; lib_dirs[i]; i++) {
                        if (take_lib(c, lib_dirs[i], "libthread_db.so.1")) {
                                remember(&c->libs, &c->n_libs, "libthread_db.so.1");
                                break;
                        }
                }
        }
}

/* gconv-modules.cache names the modules by absolute path. iconvconfig (the
 * host's libc-bin) writes it from a path as long as /dev/crashcart that leads
 * to the cart's tree; that path is then replaced in the cache. */
static void add_gconv_cache(const struct cart *c)
{
        _cleanup_free_ char *dir = path_join(c->root, "lib/gconv"), *cache = path_join(dir, "gconv-modules.cache");
        _cleanup_free_ char *rel_lib = path_join(c->root, "lib"), *link = NULL, *gconv = NULL, *buf = NULL;
        _cleanup_free_ char *lib = realpath(rel_lib, NULL); /* the stand-in links to it from /tmp */
        char tmp[] = "/tmp/cc-XXXXXX";
        size_t len;
        int r;

        _Static_assert(sizeof(tmp) == sizeof(CART), "the stand-in path is as long as the cart's");
        if (access(dir, F_OK) < 0)
                return;
        if (!lib)
                die("cannot resolve '%s': %s", rel_lib, strerror(errno));
        if (!mkdtemp(tmp))
                die("cannot make a directory in /tmp: %s", strerror(errno));
        link = path_join(tmp, "lib");
        gconv = path_join(link, "gconv");
        if (symlink(lib, link) < 0) {
                r = -errno;
                rmdir(tmp);
                die("cannot link '%s': %s", link, strerror(-r));
        }
        {
                char *argv[] = { "iconvconfig", "--nostdlib", "-o", cache, gconv, NULL };

                unlink(cache);
                r = run(argv, NULL, NULL);
        }
        unlink(link);
        rmdir(tmp);
        if (r != 0)
                die("iconvconfig failed on the cart's gconv modules");
        if (read_full_fileat(AT_FDCWD, cache, 64 << 20, &buf, &len) < 0)
                die("cannot read '%s'", cache);
        replace_all(buf, len, tmp, CART, strlen(CART));
        write_whole(cache, buf, len, 0644);
}

/* The certificates of ca-certificates in one file, as update-ca-certificates
 * (a maintainer script) would have made it. */
static void add_ca_bundle(const struct cart *c)
{
        _cleanup_free_ char *dir = path_join(c->root, "usr/share/ca-certificates/mozilla"),
                            *certs = path_join(c->root, "etc/ssl/certs"),
                            *bundle = path_join(certs, "ca-certificates.crt");
        struct dirent **names = NULL;
        FILE *out;
        int n;

        n = scandir(dir, &names, NULL, alphasort);
        if (n <= 0)
                return;
        mkdir_p(certs);
        unlink(bundle);
        out = fopen(bundle, "we");
        if (!out)
                die("cannot write '%s'", bundle);
        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *p = path_join(dir, names[i]->d_name), *pem = NULL;
                size_t len;

                if (strlen(names[i]->d_name) > 4 && strcmp(names[i]->d_name + strlen(names[i]->d_name) - 4, ".crt") == 0 &&
                    read_full_fileat(AT_FDCWD, p, 1 << 20, &pem, &len) >= 0) {
                        fwrite(pem, 1, len, out);
                        if (len && pem[len - 1] != '\n')
                                fputc('\n', out);
                }
                free(names[i]);
        }
        free(names);
        if (fclose(out) != 0)
                die("cannot write '%s'", bundle);
}

/* The links of update-alternatives: bin/nc → nc.openbsd, bin/vi → vim.tiny,
 * bin/pager → less, bin/awk → mawk, and their manual pages. */
static void add_alternatives(const struct cart *c, const struct alternatives *alts)
{
        for (size_t i = 0; i < alts->n; i++)
                for (size_t k = 0; k < alts->v[i].n_links; k++) {
                        _cleanup_free_ char *link = cart_rel(alts->v[i].links[k].link);
                        _cleanup_free_ char *path = cart_rel(alts->v[i].links[k].path);
                        _cleanup_free_ char *p = NULL, *target = NULL, *parent = NULL;
                        const char *slash;

                        if (!link || !path || !(slash = strrchr(link, '/')))
                                continue; /* cart_rel's paths have a directory */
                        p = path_join(c->root, path);
                        if (access(p, F_OK) < 0)
                                continue; /* the program is not in the cart */
                        if (asprintf(&parent, "%s/%.*s", c->root, (int)(slash - link), link) < 0)
                                die("out of memory");
                        if (access(parent, F_OK) < 0)
                                continue; /* a directory the cart leaves out */
                        if (strncmp(link, path, (size_t)(slash - link + 1)) == 0 &&
                            !strchr(path + (slash - link + 1), '/'))
                                target = strdup(path + (slash - link + 1));
                        else if (asprintf(&target, CART "/%s", path) < 0)
                                target = NULL;
                        if (!target)
                                die("out of memory");
                        cart_symlink(c, target, link);
                }
}

/* Compiled-in paths that would read the container's files, pointed into the
 * cart. Same length, so nothing in a file moves: the cart's path is padded
 * with slashes ("/dev/crashcart////lib/gconv"). */
static const struct {
        const char *from, *rel;
} path_patches[] = {
        /* libc: iconv's modules and their cache. */
        { "/usr/lib/x86_64-linux-gnu/gconv", "lib/gconv" },
        /* ncurses: the cart's terminal descriptions, for every program. */
        { "/etc/terminfo:/lib/terminfo:/usr/share/terminfo", "share/terminfo" },
        /* bash: not the container's /etc/bash.bashrc (a name the cart does not have). */
        { "/etc/bash.bashrc", "-" },
        /* libcrypto: openssl's providers and engines. */
        { "/usr/lib/x86_64-linux-gnu/ossl-modules", "lib/ossl-modules" },
        { "/usr/lib/x86_64-linux-gnu/engines-3", "lib/engines-3" },
        /* man-db's helpers, linked into bin/ by add_data. */
        { "/usr/libexec/man-db/zsoelim", "bin/zsoelim" },
        { "/usr/libexec/man-db/manconv", "bin/manconv" },
};

static char *padded_path(const char *from, const char *rel)
{
        size_t n = strlen(from), head = strlen(CART), tail = strlen(rel);
        char *s;

        if (head + 1 + tail > n)
                die("internal error: '%s' is longer than '%s'", rel, from);
        s = malloc(n + 1);
        if (!s)
                die("out of memory");
        memcpy(s, CART, head);
        memset(s + head, '/', n - head - tail);
        memcpy(s + n - tail, rel, tail + 1);
        return s;
}

static void patch_paths(const struct cart *c)
{
        for (size_t i = 0; i < c->n_elves; i++) {
                _cleanup_free_ char *p = path_join(c->root, c->elves[i]), *buf = NULL;
                bool changed = false;
                size_t len;

                if (read_full_fileat(AT_FDCWD, p, 256 << 20, &buf, &len) < 0)
                        die("cannot read '%s'", p);
                for (size_t k = 0; k < ELEMENTSOF(path_patches); k++) {
                        const char *from = path_patches[k].from;

                        if (memmem(buf, len, from, strlen(from))) {
                                _cleanup_free_ char *to = padded_path(from, path_patches[k].rel);

                                replace_all(buf, len, from, to, strlen(from));
                                changed = true;
                        }
                }
                if (changed)
                        write_whole(p, buf, len, 0755);
        }
}

/* cart-sh.so (src/cart-sh/cart-sh.c), preloaded into every program of the cart by
 * the cart's loader, whose ld.so.preload is the cart's .lp. Beside this program
 * in a build tree, else where make install put it. */
static void add_cart_sh(struct cart *c)
{
        _cleanup_free_ char *self = realpath("/proc/self/exe", NULL), *beside = NULL, *lp = path_join(c->root, ".lp");
        const char *installed = CRASHCART_LIBDIR "/cart-sh.so", *from = installed;
        static const char text[] = CART "/lib/cart-sh.so\n";

        if (self) {
                *strrchr(self, '/') = 0;
                beside = path_join(self, "cart-sh.so");
                if (access(beside, R_OK) == 0)
                        from = beside;
        }
        {
                _cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC);

                if (in < 0)
                        die("cannot find '%s' (is crashcart-build installed whole?)", installed);
                take_lib_fd(c, in, "cart-sh.so");
        }
        remember(&c->libs, &c->n_libs, "cart-sh.so");
        write_whole(lp, text, sizeof(text) - 1, 0644);
}

/* ---- wrappers: programs that need a setting to find the cart's files ---- */

/* For TLS: the cart's openssl configuration, and the cart's CA certificates when
 * the container has none (SSL_CERT_FILE given by the user wins). */
#define TLS_SCRIPT                                                                                             \
        "export OPENSSL_CONF=${OPENSSL_CONF:-" CART "/etc/ssl/openssl.cnf}\n"                                    \
        "if [ -z \"${SSL_CERT_FILE:-}\" ] && [ ! -e /etc/ssl/certs/ca-certificates.crt ]; then\n"               \
        "        export SSL_CERT_FILE=" CART "/etc/ssl/certs/ca-certificates.crt\n"                             \
        "fi\n"

static const struct {
        const char *program;
        const char *script; /* run before the program; "$@" are its arguments */
} wrappers[] = {
        { "man",
          "# man-db: its configuration, the cart's pages first, groff from the cart.\n"
          "export MANPATH=" CART "/share/man:${MANPATH:-}\n"
          "export GROFF_BIN_PATH=" CART "/bin GROFF_FONT_PATH=" CART "/share/groff/current/font\n"
          "export GROFF_TMAC_PATH=" CART "/share/groff/current/tmac:" CART "/usr/lib/groff/site-tmac:" CART "/etc/groff\n"
          "set -- -C " CART "/etc/manpath.config \"$@\"\n" },
        { "tcpdump",
          "# As root, tcpdump gives up root for the user tcpdump, and stops when the\n"
          "# container has no such user. With -Z root it keeps root; with no root\n"
          "# either (no /etc/passwd) it runs with a real user ID that is not 0, which\n"
          "# is what makes it skip the change, and keeps the effective 0 and its\n"
          "# capabilities.\n"
          "if ! " CART "/bin/getent passwd tcpdump >/dev/null 2>&1; then\n"
          "        if " CART "/bin/getent passwd root >/dev/null 2>&1; then\n"
          "                set -- -Z root \"$@\"\n"
          "        elif [ \"$EUID\" = 0 ] && [ -x " CART "/bin/setpriv ]; then\n"
          "                exec " CART "/bin/setpriv --ruid 65534 " CART "/libexec/tcpdump \"$@\"\n"
          "        fi\n"
          "fi\n" },
        { "file", "export MAGIC=${MAGIC:-" CART "/share/misc/magic}\n" },
        { "lsof", "# User IDs as numbers when the container cannot name them (no /etc/passwd),\n"
                  "# instead of a warning for every file.\n"
                  CART "/bin/getent passwd 0 >/dev/null 2>&1 || set -- -l \"$@\"\n" },
        { "gdb", "# A shell that is there; no init files of the container's (/etc/gdb, ~/.gdbinit),\n"
                 "# nor its auto-load scripts: they would run with crashcart's privileges.\n"
                 "[ -x \"${SHELL:-}\" ] || export SHELL=" CART "/bin/bash\n"
                 "set -- -nx -iex 'set auto-load safe-path " CART "' \"$@\"\n" },
        { "vim.tiny", "# The cart's vimrc, not the container's; no .viminfo written into the container.\n"
                      "if [ -r " CART "/etc/vim/vimrc.tiny ]; then\n"
                      "        set -- -u " CART "/etc/vim/vimrc.tiny -i NONE \"$@\"\n"
                      "else\n"
                      "        set -- -u NONE -i NONE \"$@\"\n"
                      "fi\n" },
        { "curl", TLS_SCRIPT "# curl passes its compiled-in CA file to OpenSSL: SSL_CERT_FILE alone is not read.\n"
                             "[ -z \"${SSL_CERT_FILE:-}\" ] || export CURL_CA_BUNDLE=${CURL_CA_BUNDLE:-$SSL_CERT_FILE}\n" },
        { "wget", TLS_SCRIPT "# wget (GnuTLS) has no variable for a CA file: an option, which the user's own overrides.\n"
                             "[ -z \"${SSL_CERT_FILE:-}\" ] || set -- --ca-certificate=\"$SSL_CERT_FILE\" \"$@\"\n"
                             "# No ~/.wget-hsts written into the container.\n"
                             "set -- --no-hsts \"$@\"\n" },
        { "openssl", TLS_SCRIPT },
};

static void add_wrappers(const struct cart *c)
{
        _cleanup_free_ char *libexec = path_join(c->root, "libexec");

        mkdir_p(libexec);
        for (size_t i = 0; i < ELEMENTSOF(wrappers); i++) {
                _cleanup_free_ char *bin = NULL, *real = path_join(libexec, wrappers[i].program), *text = NULL;
                const char *dir = NULL;
                struct stat st;

                for (size_t k = 0; k < 2 && !dir; k++) {
                        free(bin);
                        bin = NULL;
                        if (asprintf(&bin, "%s/%s/%s", c->root, k ? "sbin" : "bin", wrappers[i].program) < 0)
                                die("out of memory");
                        if (lstat(bin, &st) == 0 && S_ISREG(st.st_mode))
                                dir = k ? "sbin" : "bin";
                }
                if (!dir)
                        continue; /* not in the cart */
                if (rename(bin, real) < 0)
                        die("cannot move '%s': %s", bin, strerror(errno));
                if (asprintf(&text,
                             "#!" CART "/bin/bash\n"
                             "# crashcart: %s/%s runs " CART "/libexec/%s after this.\n"
                             "%s"
                             "exec -a \"$0\" " CART "/libexec/%s \"$@\"\n",
                             dir, wrappers[i].program, wrappers[i].program, wrappers[i].script, wrappers[i].program) < 0)
                        die("out of memory");
                {
                        _cleanup_close_ int fd = open(bin, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);

                        if (fd < 0 || write_full(fd, text, strlen(text)) < 0)
                                die("cannot write '%s'", bin);
                }
        }
}

/* ---- the image ---- */

static void write_image(const char *dir, const char *out, const char *format, const char *compression)
{
        char *argv[16];
        size_t n = 0;
        char size[32];

        unlink(out);
        if (strcmp(format, "erofs") == 0) {
                static char z[64];

                argv[n++] = "mkfs.erofs";
                argv[n++] = "--all-root";
                argv[n++] = "--quiet";
                if (compression) {
                        snprintf(z, sizeof(z), "-z%s", compression);
                        argv[n++] = z;
                }
                argv[n++] = (char *)out;
                argv[n++] = (char *)dir;
        } else if (strcmp(format, "squashfs") == 0) {
                argv[n++] = "mksquashfs";
                argv[n++] = (char *)dir;
                argv[n++] = (char *)out;
                argv[n++] = "-all-root";
                argv[n++] = "-noappend";
                argv[n++] = "-quiet";
                argv[n++] = "-no-progress";
                argv[n++] = "-comp";
                argv[n++] = (char *)(compression ? compression : "zstd");
        } else {
                char *du[] = { "du", "-sk", (char *)dir, NULL };
                _cleanup_free_ char *o = NULL;
                long kb = 0;

                if (run(du, NULL, &o) != 0 || !o || sscanf(o, "%ld", &kb) != 1)
                        die("cannot size '%s'", dir);
                snprintf(size, sizeof(size), "%ldk", kb + kb / 4 + 16384);
                argv[n++] = "mke2fs";
                argv[n++] = "-q";
                argv[n++] = "-t";
                argv[n++] = "ext4";
                argv[n++] = "-d";
                argv[n++] = (char *)dir;
                argv[n++] = "-E";
                argv[n++] = "root_owner=0:0";
                argv[n++] = (char *)out;
                argv[n++] = size;
        }
        argv[n] = NULL;
        if (run(argv, NULL, NULL) != 0)
                die("%s failed", argv[0]);
}

static void help(void)
{
        printf("Usage: crashcart-build -p PACKAGES -o IMAGE [options]\n"
               "\n"
               "Build a crashcart cart from Debian packages, without root: every program of\n"
               "the packages, relocated so that it loads only what is under /dev/crashcart.\n"
               "\n"
               "  -p, --packages FILE   the package list: one name a line, '#' comments\n"
               "  -o, --output IMAGE    the image to write\n"
               "  -f, --format FORMAT   erofs (default), squashfs or ext4\n"
               "  -z, --compression ALG erofs: lz4, lz4hc; squashfs: zstd (default), xz, gzip, lz4\n"
               "  -c, --cache DIR       where .debs are kept between builds\n"
               "                        (default: $XDG_CACHE_HOME/crashcart-build or ~/.cache/...)\n"
               "  -k, --keep DIR        also leave the cart's tree in DIR\n"
               "  -v, --verbose         say what is done\n"
               "  -h, --help            show this help\n");
}

int main(int argc, char **argv)
{
        static const struct option opts[] = {
                { "packages", required_argument, NULL, 'p' }, { "output", required_argument, NULL, 'o' },
                { "format", required_argument, NULL, 'f' },   { "compression", required_argument, NULL, 'z' },
                { "cache", required_argument, NULL, 'c' },    { "keep", required_argument, NULL, 'k' },
                { "verbose", no_argument, NULL, 'v' },        { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *list_path = NULL, *out = NULL, *format = "erofs", *compression = NULL, *cache = NULL, *keep = NULL;
        _cleanup_free_ char *text = NULL, *debs = NULL, *work = NULL, *staging = NULL, *root = NULL;
        _cleanup_free_ char *default_cache = NULL;
        _cleanup_free_ char *ctrl = NULL;
        struct pkglist want = {}, all = {};
        struct alternatives alts = {};
        struct cart c = {};
        size_t bad_line = 0;
        int opt, r;

        while ((opt = getopt_long(argc, argv, "p:o:f:z:c:k:vh", opts, NULL)) != -1) {
                switch (opt) {
                case 'p': list_path = optarg; break;
                case 'o': out = optarg; break;
                case 'f': format = optarg; break;
                case 'z': compression = optarg; break;
                case 'c': cache = optarg; break;
                case 'k': keep = optarg; break;
                case 'v': verbose = 1; break;
                case 'h': help(); return 0;
                default:
                        fprintf(stderr, "Try 'crashcart-build --help' for more information.\n");
                        return 1;
                }
        }
        if (!list_path || !out || optind < argc)
                die("-p PACKAGES and -o IMAGE are needed (and nothing else); see --help");
        if (strcmp(format, "erofs") && strcmp(format, "squashfs") && strcmp(format, "ext4"))
                die("unknown format '%s': erofs, squashfs or ext4", format);

        r = read_full_fileat(AT_FDCWD, list_path, 1 << 20, &text, NULL);
        if (r < 0)
                die("cannot read '%s': %s", list_path, strerror(-r));
        r = pkglist_parse(text, &want, &bad_line);
        if (r == -EINVAL)
                die("'%s', line %zu: not a package name", list_path, bad_line);
        if (r < 0 || want.n == 0)
                die("'%s' names no package", list_path);

        if (!cache) {
                const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

                if (asprintf(&default_cache, "%s%s/crashcart-build", x && *x ? x : home ? home : "/tmp",
                             x && *x ? "" : "/.cache") < 0)
                        die("out of memory");
                cache = default_cache;
        }
        debs = path_join(cache, "debs");
        mkdir_p(debs);

        resolve_closure(&want, cache, &all);
        fetch(&all, debs);

        if (asprintf(&work, "%s.build-XXXXXX", out) < 0 || !mkdtemp(work))
                die("cannot make a work directory beside '%s': %s", out, strerror(errno));
        work_dir = strdup(work);
        if (!work_dir)
                die("out of memory");
        atexit(remove_work_dir);
        staging = path_join(work, "staging");
        root = keep ? strdup(keep) : path_join(work, "cart");
        mkdir_p(staging);
        mkdir_p(root);
        ctrl = path_join(work, "control");
        mkdir_p(ctrl);
        extract(&all, debs, staging, ctrl, &alts);
        say("extracted %zu packages", all.n);

        c = (struct cart){ .staging = staging, .root = root,
                           .staging_fd = open(staging, O_PATH | O_DIRECTORY | O_CLOEXEC) };
        if (c.staging_fd < 0)
                die("cannot open '%s': %s", staging, strerror(errno));
        {
                _cleanup_free_ char *lib = path_join(root, "lib");

                mkdir_p(lib);
        }
        add_loader(&c);
        add_programs(&c, "usr/bin", "bin");
        add_programs(&c, "bin", "bin");
        add_programs(&c, "usr/sbin", "sbin");
        add_programs(&c, "sbin", "sbin");
        add_data(&c);
        add_cart_sh(&c);
        relocate(&c);
        patch_paths(&c);
        fix_shebangs(&c, "bin");
        fix_shebangs(&c, "sbin");
        add_alternatives(&c, &alts);
        add_wrappers(&c);
        add_gconv_cache(&c);
        add_ca_bundle(&c);
        write_rcfile(&c);
        {
                /* The reference system's paths: /dev/crashcart/profile/bin/bash. */
                _cleanup_free_ char *profile = path_join(root, "profile");
                _cleanup_free_ char *pbin = path_join(profile, "bin"), *psbin = path_join(profile, "sbin");

                mkdir_p(profile);
                if (symlink("../bin", pbin) < 0 || symlink("../sbin", psbin) < 0)
                        die("cannot link '%s': %s", pbin, strerror(errno));
        }
        say("%zu ELF files relocated, %zu libraries", c.n_elves, c.n_libs);

        write_image(root, out, format, compression);
        say("wrote '%s' (%s)", out, format);
        pkglist_done(&want);
        pkglist_done(&all);
        alternatives_done(&alts);
        for (size_t i = 0; i < c.n_libs; i++)
                free(c.libs[i]);
        for (size_t i = 0; i < c.n_elves; i++)
                free(c.elves[i]);
        free(c.libs);
        free(c.elves);
        close(c.staging_fd);
        return 0;
}
