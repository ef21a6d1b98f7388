/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cart-sh.so: the cart's own /bin/sh for the cart's programs.
 *
 * tar runs gzip through execv("/bin/sh"), libc's system() and popen() spawn
 * "/bin/sh", and so do mawk, perl, man's pipelines and strace -o '|cmd'. In a
 * scratch or distroless container there is no /bin/sh; in any other, it is a
 * program the container chose, which these calls would run with crashcart's
 * privileges. The path is compiled in, seven bytes long: no same-length rewrite
 * can point it into the cart, and crashcart does not write into the container's
 * root. So the cart's loader preloads this library into every program of the
 * cart (its ld.so.preload is the cart's own), and these calls run the cart's sh
 * instead, whenever the cart has one.
 *
 * What runs between fork and exec, or from a signal handler, stays
 * async-signal-safe: libc's functions are looked up once, at load; the execl
 * family builds its vector on the stack. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cart/layout.h"

#define EXPORT __attribute__((visibility("default")))

extern char **environ;

typedef int execve_fn(const char *, char *const *, char *const *);
typedef int execvp_fn(const char *, char *const *);
typedef int execvpe_fn(const char *, char *const *, char *const *);
typedef int spawn_fn(pid_t *, const char *, const posix_spawn_file_actions_t *, const posix_spawnattr_t *,
                     char *const *, char *const *);
typedef int system_fn(const char *);
typedef FILE *popen_fn(const char *, const char *);
typedef int pclose_fn(FILE *);

static struct {
        execve_fn *execve;
        execvp_fn *execvp;
        execvpe_fn *execvpe;
        spawn_fn *posix_spawn, *posix_spawnp;
        system_fn *system;
        popen_fn *popen;
        pclose_fn *pclose;
        bool cart_sh; /* the cart has an sh to run */
} real;

__attribute__((constructor)) static void init(void)
{
        real.execve = (execve_fn *)dlsym(RTLD_NEXT, "execve");
        real.execvp = (execvp_fn *)dlsym(RTLD_NEXT, "execvp");
        real.execvpe = (execvpe_fn *)dlsym(RTLD_NEXT, "execvpe");
        real.posix_spawn = (spawn_fn *)dlsym(RTLD_NEXT, "posix_spawn");
        real.posix_spawnp = (spawn_fn *)dlsym(RTLD_NEXT, "posix_spawnp");
        real.system = (system_fn *)dlsym(RTLD_NEXT, "system");
        real.popen = (popen_fn *)dlsym(RTLD_NEXT, "popen");
        real.pclose = (pclose_fn *)dlsym(RTLD_NEXT, "pclose");
        if (!real.execve || !real.execvp || !real.execvpe || !real.posix_spawn || !real.posix_spawnp || !real.system ||
            !real.popen || !real.pclose)
                abort(); /* a libc without them: nothing sensible to do */
        real.cart_sh = access(CART_SH, X_OK) == 0;
}

static const char *sh_path(const char *path)
{
        return real.cart_sh && path && strcmp(path, "/bin/sh") == 0 ? CART_SH : path;
}

EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
        return real.execve(sh_path(path), argv, envp);
}

EXPORT int execv(const char *path, char *const argv[])
{
        return real.execve(sh_path(path), argv, environ);
}

EXPORT int execvp(const char *file, char *const argv[])
{
        return real.execvp(sh_path(file), argv);
}

EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
        return real.execvpe(sh_path(file), argv, envp);
}

/* The execl family: the arguments counted, then gathered on the stack (no
 * malloc: it may be called in a child of fork or in a signal handler). */
#define EXECL(first, with_envp, call)                                                                          \
        do {                                                                                                   \
                va_list ap, count;                                                                             \
                size_t n = 1;                                                                                  \
                char **argv, **envp_ = environ;                                                                \
                va_start(ap, first);                                                                           \
                va_copy(count, ap);                                                                            \
                while (va_arg(count, char *))                                                                  \
                        n++;                                                                                   \
                va_end(count);                                                                                 \
                argv = alloca((n + 1) * sizeof(char *));                                                       \
                argv[0] = (char *)(first);                                                                     \
                for (size_t i = 1; i <= n; i++)                                                                \
                        argv[i] = va_arg(ap, char *);                                                          \
                if (with_envp)                                                                                 \
                        envp_ = va_arg(ap, char **);                                                           \
                va_end(ap);                                                                                    \
                (void)envp_;                                                                                   \
                return call;                                                                                   \
        } while (0)

EXPORT int execl(const char *path, const char *arg, ...)
{
        EXECL(arg, false, real.execve(sh_path(path), argv, envp_));
}

EXPORT int execle(const char *path, const char *arg, ...)
{
        EXECL(arg, true, real.execve(sh_path(path), argv, envp_));
}

EXPORT int execlp(const char *file, const char *arg, ...)
{
        EXECL(arg, false, real.execvp(sh_path(file), argv));
}

EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                       const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
        return real.posix_spawn(pid, sh_path(path), fa, attr, argv, envp);
}

EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
                        const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
        return real.posix_spawnp(pid, sh_path(file), fa, attr, argv, envp);
}

/* In a child of fork: sh -c CMD, the cart's. */
_Noreturn static void exec_sh(const char *cmd)
{
        char *argv[] = { "sh", "-c", "--", (char *)cmd, NULL };

        real.execve(CART_SH, argv, environ);
        _exit(127);
}

/* system(3) as POSIX describes it. As in glibc, the threads that call it at
 * once share one ignoring of SIGINT and SIGQUIT. */
static pthread_mutex_t system_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned system_users;
static struct sigaction saved_int, saved_quit;

EXPORT int system(const char *cmd)
{
        struct sigaction ign = { .sa_handler = SIG_IGN };
        sigset_t chld, old_mask;
        int status = -1;
        pid_t pid;

        if (!real.cart_sh)
                return real.system(cmd);
        if (!cmd)
                return 1;
        sigemptyset(&ign.sa_mask);
        pthread_mutex_lock(&system_lock);
        if (system_users++ == 0) {
                sigaction(SIGINT, &ign, &saved_int);
                sigaction(SIGQUIT, &ign, &saved_quit);
        }
        pthread_mutex_unlock(&system_lock);
        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        sigprocmask(SIG_BLOCK, &chld, &old_mask);
        pid = fork();
        if (pid == 0) {
                sigaction(SIGINT, &saved_int, NULL);
                sigaction(SIGQUIT, &saved_quit, NULL);
                sigprocmask(SIG_SETMASK, &old_mask, NULL);
                exec_sh(cmd);
        }
        if (pid > 0)
                while (waitpid(pid, &status, 0) < 0)
                        if (errno != EINTR) {
                                status = -1;
                                break;
                        }
        pthread_mutex_lock(&system_lock);
        if (--system_users == 0) {
                sigaction(SIGINT, &saved_int, NULL);
                sigaction(SIGQUIT, &saved_quit, NULL);
        }
        pthread_mutex_unlock(&system_lock);
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
        return pid < 0 ? -1 : status;
}

/* popen(3) and pclose(3): the streams opened here, with their children. The
 * lock is held from the pipe to the stream's entry in the list, so that no
 * other popen's child inherits a pipe end it should not (POSIX: a child closes
 * the streams of earlier popens). */
static pthread_mutex_t streams_lock = PTHREAD_MUTEX_INITIALIZER;
static struct stream {
        FILE *f;
        int fd;
        pid_t pid;
        struct stream *next;
} *streams;

EXPORT FILE *popen(const char *cmd, const char *mode)
{
        struct stream *s;
        int p[2], child_end, parent_end, target;
        bool reading;
        pid_t pid;
        FILE *f = NULL;

        if (!real.cart_sh)
                return real.popen(cmd, mode);
        if (!mode || (mode[0] != 'r' && mode[0] != 'w') || (mode[1] && strcmp(mode + 1, "e") != 0)) {
                errno = EINVAL;
                return NULL;
        }
        reading = mode[0] == 'r';
        target = reading ? STDOUT_FILENO : STDIN_FILENO;
        s = malloc(sizeof(*s));
        if (!s)
                return NULL;
        pthread_mutex_lock(&streams_lock);
        if (pipe2(p, O_CLOEXEC) < 0)
                goto fail;
        child_end = p[reading ? 1 : 0];
        parent_end = p[reading ? 0 : 1];
        pid = fork();
        if (pid == 0) {
                for (struct stream *o = streams; o; o = o->next)
                        close(o->fd);
                if (child_end == target)
                        fcntl(child_end, F_SETFD, 0);
                else if (dup2(child_end, target) < 0)
                        _exit(127);
                exec_sh(cmd);
        }
        close(child_end);
        if (pid < 0) {
                close(parent_end);
                goto fail;
        }
        f = fdopen(parent_end, reading ? "r" : "w");
        if (!f) {
                close(parent_end);
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                goto fail;
        }
        *s = (struct stream){ f, parent_end, pid, streams };
        streams = s;
        if (!mode[1])
                fcntl(parent_end, F_SETFD, 0);
        pthread_mutex_unlock(&streams_lock);
        return f;
fail:
        pthread_mutex_unlock(&streams_lock);
        free(s);
        return NULL;
}

EXPORT int pclose(FILE *f)
{
        struct stream **pp, *s = NULL;
        int status;

        pthread_mutex_lock(&streams_lock);
        for (pp = &streams; *pp; pp = &(*pp)->next)
                if ((*pp)->f == f) {
                        s = *pp;
                        *pp = s->next;
                        break;
                }
        pthread_mutex_unlock(&streams_lock);
        if (!s)
                return real.pclose(f);
        fclose(f);
        while (waitpid(s->pid, &status, 0) < 0)
                if (errno != EINTR) {
                        status = -1;
                        break;
                }
        free(s);
        return status;
}
