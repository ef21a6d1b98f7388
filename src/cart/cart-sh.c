/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cart-sh.so: the cart's /bin/sh for the cart's programs, in a container that
 * has none (scratch, distroless).
 *
 * tar runs gzip through execv("/bin/sh"), libc's system() and popen() spawn
 * "/bin/sh", and so do mawk, perl and strace -o '|cmd'. The path is compiled
 * in, seven bytes long: no same-length rewrite can point it into the cart, and
 * crashcart does not write into the container's root. The cart's loader
 * preloads this library into every program of the cart (its ld.so.preload is
 * the cart's own); when /bin/sh cannot be run in the container, these calls get
 * the cart's sh instead. Where the container has a /bin/sh, every call goes to
 * libc unchanged. */
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

#define EXPORT __attribute__((visibility("default")))
#define CART_SH "/dev/crashcart/bin/sh"

extern char **environ;

static bool use_cart_sh(void)
{
        return access("/bin/sh", X_OK) < 0 && access(CART_SH, X_OK) == 0;
}

static const char *sh_path(const char *path)
{
        return path && strcmp(path, "/bin/sh") == 0 && use_cart_sh() ? CART_SH : path;
}

static void *next(const char *name)
{
        void *f = dlsym(RTLD_NEXT, name);

        if (!f)
                abort(); /* libc without it: nothing sensible to do */
        return f;
}

#define REAL(ret, name, ...) ((ret(*)(__VA_ARGS__))next(#name))

EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
        return REAL(int, execve, const char *, char *const *, char *const *)(sh_path(path), argv, envp);
}

EXPORT int execv(const char *path, char *const argv[])
{
        return execve(path, argv, environ);
}

EXPORT int execvp(const char *file, char *const argv[])
{
        return REAL(int, execvp, const char *, char *const *)(sh_path(file), argv);
}

EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
        return REAL(int, execvpe, const char *, char *const *, char *const *)(sh_path(file), argv, envp);
}

/* The execl family: the arguments gathered into a vector (then envp, for
 * execle). */
static char **collect(const char *first, va_list ap, char ***envp)
{
        size_t n = 1, cap = 8;
        char **argv = malloc(cap * sizeof(char *)), *a;

        if (!argv)
                return NULL;
        argv[0] = (char *)first;
        do {
                a = va_arg(ap, char *);
                if (n + 1 >= cap) {
                        char **v = realloc(argv, (cap *= 2) * sizeof(char *));

                        if (!v) {
                                free(argv);
                                return NULL;
                        }
                        argv = v;
                }
                argv[n++] = a;
        } while (a);
        if (envp)
                *envp = va_arg(ap, char **);
        return argv;
}

#define EXECL(call, first, envp)                                                                                       do {                                                                                                                   va_list ap;                                                                                                    char **argv;                                                                                                   int r_;                                                                                                        va_start(ap, first);                                                                                           argv = collect(first, ap, envp);                                                                               va_end(ap);                                                                                                    if (!argv)                                                                                                             return -1;                                                                                             r_ = call;                                                                                                     free(argv);                                                                                                    return r_;                                                                                             } while (0)

EXPORT int execl(const char *path, const char *arg, ...)
{
        EXECL(execve(path, argv, environ), arg, NULL);
}

EXPORT int execle(const char *path, const char *arg, ...)
{
        char **envp = NULL;

        EXECL(execve(path, argv, envp), arg, &envp);
}

EXPORT int execlp(const char *file, const char *arg, ...)
{
        EXECL(execvp(file, argv), arg, NULL);
}

EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                       const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
        return REAL(int, posix_spawn, pid_t *, const char *, const posix_spawn_file_actions_t *,
                    const posix_spawnattr_t *, char *const *, char *const *)(pid, sh_path(path), fa, attr, argv, envp);
}

EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
                        const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
        return REAL(int, posix_spawnp, pid_t *, const char *, const posix_spawn_file_actions_t *,
                    const posix_spawnattr_t *, char *const *, char *const *)(pid, sh_path(file), fa, attr, argv, envp);
}

/* system(3) as POSIX describes it, running the cart's sh. */
EXPORT int system(const char *cmd)
{
        struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_quit;
        sigset_t chld, old_mask;
        int status = -1;
        pid_t pid;

        if (!use_cart_sh())
                return REAL(int, system, const char *)(cmd);
        if (!cmd)
                return 1;
        sigemptyset(&ign.sa_mask);
        sigaction(SIGINT, &ign, &old_int);
        sigaction(SIGQUIT, &ign, &old_quit);
        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        sigprocmask(SIG_BLOCK, &chld, &old_mask);
        pid = fork();
        if (pid == 0) {
                sigaction(SIGINT, &old_int, NULL);
                sigaction(SIGQUIT, &old_quit, NULL);
                sigprocmask(SIG_SETMASK, &old_mask, NULL);
                execl(CART_SH, "sh", "-c", "--", cmd, (char *)NULL);
                _exit(127);
        }
        if (pid > 0)
                while (waitpid(pid, &status, 0) < 0)
                        if (errno != EINTR) {
                                status = -1;
                                break;
                        }
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGQUIT, &old_quit, NULL);
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
        return pid < 0 ? -1 : status;
}

/* popen(3) and pclose(3): the streams opened here, with their children. */
static pthread_mutex_t streams_lock = PTHREAD_MUTEX_INITIALIZER;
static struct stream {
        FILE *f;
        pid_t pid;
        struct stream *next;
} *streams;

EXPORT FILE *popen(const char *cmd, const char *mode)
{
        int p[2], flags = O_CLOEXEC, child_end, parent_end;
        struct stream *s;
        int reading;
        pid_t pid;
        FILE *f;

        if (!use_cart_sh())
                return REAL(FILE *, popen, const char *, const char *)(cmd, mode);
        if (!mode || (mode[0] != 'r' && mode[0] != 'w') || (mode[1] && strcmp(mode + 1, "e") != 0)) {
                errno = EINVAL;
                return NULL;
        }
        reading = mode[0] == 'r';
        s = malloc(sizeof(*s));
        if (!s || pipe2(p, flags) < 0) {
                free(s);
                return NULL;
        }
        child_end = p[reading ? 1 : 0];
        parent_end = p[reading ? 0 : 1];
        pid = fork();
        if (pid == 0) {
                int target = reading ? STDOUT_FILENO : STDIN_FILENO;

                /* The other popen streams are not the child's (POSIX). */
                for (struct stream *o = streams; o; o = o->next)
                        close(fileno(o->f));
                if (child_end == target)
                        fcntl(child_end, F_SETFD, 0);
                else if (dup2(child_end, target) < 0)
                        _exit(127);
                execl(CART_SH, "sh", "-c", "--", cmd, (char *)NULL);
                _exit(127);
        }
        close(child_end);
        if (pid < 0) {
                close(parent_end);
                free(s);
                return NULL;
        }
        if (!mode[1])
                fcntl(parent_end, F_SETFD, 0);
        f = fdopen(parent_end, reading ? "r" : "w");
        if (!f) {
                close(parent_end);
                waitpid(pid, NULL, 0);
                free(s);
                return NULL;
        }
        pthread_mutex_lock(&streams_lock);
        *s = (struct stream){ f, pid, streams };
        streams = s;
        pthread_mutex_unlock(&streams_lock);
        return f;
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
                return REAL(int, pclose, FILE *)(f);
        fclose(f);
        while (waitpid(s->pid, &status, 0) < 0)
                if (errno != EINTR) {
                        status = -1;
                        break;
                }
        free(s);
        return status;
}
