/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basic/fileio.h"
#include "basic/macro.h"
#include "exec/confinement.h"

#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif
#ifndef PTRACE_SECCOMP_GET_METADATA
#define PTRACE_SECCOMP_GET_METADATA 0x420d
#endif

struct seccomp_metadata_compat {
        uint64_t filter_off;
        uint64_t flags;
};

/* The number of a "Key:\tvalue" line of /proc/PID/status, in base 16 or 10. */
static int status_field(const char *status, const char *key, int base, uint64_t *ret)
{
        size_t n = strlen(key);

        for (const char *p = status; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
                if (strncmp(p, key, n) == 0 && p[n] == ':') {
                        char *end;

                        errno = 0;
                        *ret = strtoull(p + n + 1, &end, base);
                        if (errno || end == p + n + 1)
                                return -EINVAL;
                        return 0;
                }
        }
        return -ENOENT;
}

int confinement_parse_status(const char *status, struct confinement *ret)
{
        struct confinement c = {};
        uint64_t v = 0;
        int r;

        if ((r = status_field(status, "CapInh", 16, &c.cap_inh)) < 0 || (r = status_field(status, "CapPrm", 16, &c.cap_prm)) < 0 ||
            (r = status_field(status, "CapEff", 16, &c.cap_eff)) < 0 || (r = status_field(status, "CapBnd", 16, &c.cap_bnd)) < 0)
                return r;
        if (status_field(status, "CapAmb", 16, &c.cap_amb) < 0)
                c.cap_amb = 0;
        if (status_field(status, "NoNewPrivs", 10, &v) == 0)
                c.no_new_privs = v != 0;
        if (status_field(status, "Seccomp", 10, &v) == 0 && v <= 2)
                c.seccomp_mode = (int)v;
        *ret = c;
        return 0;
}

int confinement_parse_lsm_label(const char *text, size_t len, bool is_apparmor_file, struct lsm_label *ret)
{
        _cleanup_free_ char *s = strndup(text, len);
        size_t n;
        char *mode;

        if (!s)
                return -ENOMEM;
        /* The kernel ends it with a newline (AppArmor) or a NUL (SELinux). */
        n = strcspn(s, "\n");
        s[n] = 0;
        *ret = (struct lsm_label){};
        if (n == 0 || strcmp(s, "unconfined") == 0)
                return 0;
        /* AppArmor: "PROFILE (enforce)", "PROFILE (complain)", ... */
        mode = strrchr(s, ' ');
        if (mode && mode[1] == '(' && s[n - 1] == ')') {
                *mode = 0;
                if (!*s)
                        return -EINVAL;
                ret->kind = LSM_APPARMOR;
        } else if (is_apparmor_file)
                return -EINVAL;
        else if (strchr(s, ':') && !strchr(s, ' '))
                ret->kind = LSM_SELINUX;
        else
                return -EOPNOTSUPP; /* Smack and the like: no attr/exec to set */
        ret->label = TAKE_PTR(s);
        return 0;
}

static int read_lsm_label(const struct target *t, struct lsm_label *ret)
{
        static const struct {
                const char *path;
                bool is_apparmor;
        } files[] = { { "attr/apparmor/current", true }, { "attr/current", false } };

        *ret = (struct lsm_label){};
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *text = NULL;
                size_t len = 0;
                int r;

                r = read_full_fileat(t->procfd, files[i].path, 4096, &text, &len);
                /* No such LSM (ENOENT), or none at all (EINVAL). */
                if (r == -ENOENT || r == -EINVAL)
                        continue;
                if (r < 0)
                        return r;
                return confinement_parse_lsm_label(text, len, files[i].is_apparmor, ret);
        }
        return 0;
}

int confinement_open_lsm_exec(const struct confinement *c)
{
        int fd;

        if (c->lsm.kind == LSM_NONE)
                return -EBADF;
        if (c->lsm.kind == LSM_APPARMOR) {
                fd = open("/proc/thread-self/attr/apparmor/exec", O_WRONLY | O_CLOEXEC);
                if (fd >= 0 || errno != ENOENT)
                        return fd < 0 ? NEG_ERRNO() : fd;
        }
        fd = open("/proc/thread-self/attr/exec", O_WRONLY | O_CLOEXEC);
        return fd < 0 ? NEG_ERRNO() : fd;
}

int confinement_apply_lsm(const struct confinement *c, int attr_exec_fd)
{
        _cleanup_free_ char *text = NULL;
        int n;

        if (c->lsm.kind == LSM_NONE)
                return 0;
        if (attr_exec_fd < 0)
                return -EBADF;
        /* AppArmor's change_onexec takes "exec PROFILE"; SELinux the context. */
        n = c->lsm.kind == LSM_APPARMOR ? asprintf(&text, "exec %s", c->lsm.label)
                                        : asprintf(&text, "%s", c->lsm.label);
        if (n < 0)
                return -ENOMEM;
        if (write(attr_exec_fd, text, (size_t)n) != n)
                return errno ? NEG_ERRNO() : -EIO;
        return 0;
}

void confinement_done(struct confinement *c)
{
        free(c->lsm.label);
        c->lsm = (struct lsm_label){};
        for (size_t i = 0; i < c->n_filters; i++)
                free(c->filters[i].filter);
        c->n_filters = 0;
}

/* Stops the target for a moment to copy its seccomp filters. */
static int read_filters(pid_t pid, struct confinement *c)
{
        int status, r = 0;

        if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0)
                return NEG_ERRNO();
        if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) < 0) {
                r = NEG_ERRNO();
                goto detach;
        }
        /* The stop comes at once, but not from a task in an uninterruptible wait
         * (an init that vfork()ed a child that never execs stays in one): at most
         * 3 s, and never past SIGINT or SIGTERM, which are blocked but pending. */
        for (unsigned i = 0;; i++) {
                sigset_t pending;
                pid_t w = waitpid(pid, &status, __WALL | WNOHANG);

                if (w == pid)
                        break;
                if (w < 0 && errno != EINTR) {
                        r = NEG_ERRNO();
                        goto detach;
                }
                if (sigpending(&pending) == 0 && (sigismember(&pending, SIGINT) == 1 ||
                                                  sigismember(&pending, SIGTERM) == 1 ||
                                                  sigismember(&pending, SIGHUP) == 1)) {
                        r = -EINTR;
                        goto detach;
                }
                if (i >= 300) {
                        r = -ETIME;
                        goto detach;
                }
                usleep(10000);
        }
        for (size_t i = 0; i < CONFINE_MAX_FILTERS; i++) {
                struct seccomp_metadata_compat md = { .filter_off = i };
                long n = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)i, NULL);
                struct sock_filter *f;

                if (n < 0) {
                        if (errno != ENOENT && i == 0)
                                r = NEG_ERRNO();
                        break;
                }
                f = calloc((size_t)n, sizeof(*f));
                if (!f) {
                        r = -ENOMEM;
                        break;
                }
                if (ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)i, f) != n) {
                        free(f);
                        r = -EIO;
                        break;
                }
                c->filters[i] = (struct sock_fprog){ .len = (unsigned short)n, .filter = f };
                if (ptrace(PTRACE_SECCOMP_GET_METADATA, pid, (void *)sizeof(md), &md) > 0)
                        c->filter_flags[i] = (unsigned)md.flags;
                c->n_filters = i + 1;
        }
detach:
        ptrace(PTRACE_DETACH, pid, NULL, NULL);
        return r;
}

int confinement_read(const struct target *t, struct confinement *ret)
{
        _cleanup_free_ char *status = NULL;
        int r;

        r = read_full_fileat(t->procfd, "status", 1 << 16, &status, NULL);
        if (r < 0)
                return r;
        r = confinement_parse_status(status, ret);
        if (r < 0)
                return r;
        r = read_lsm_label(t, &ret->lsm);
        if (r < 0)
                return r;
        if (ret->seccomp_mode == 2) {
                r = read_filters(t->pid, ret);
                if (r < 0) {
                        confinement_done(ret);
                        return r;
                }
        }
        return 0;
}

int confinement_apply_bounding(const struct confinement *c)
{
        for (unsigned long cap = 0; cap <= 63; cap++) {
                if (c->cap_bnd & (1ULL << cap))
                        continue;
                if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
                        return NEG_ERRNO();
        }
        return 0;
}

int confinement_apply_caps(const struct confinement *c)
{
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[2] = {
                { .effective = (uint32_t)c->cap_eff, .permitted = (uint32_t)c->cap_prm,
                  .inheritable = (uint32_t)c->cap_inh },
                { .effective = (uint32_t)(c->cap_eff >> 32), .permitted = (uint32_t)(c->cap_prm >> 32),
                  .inheritable = (uint32_t)(c->cap_inh >> 32) },
        };

        if (syscall(SYS_capset, &h, d) < 0)
                return NEG_ERRNO();
        if (c->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return NEG_ERRNO();
        return 0;
}

int confinement_apply_seccomp(const struct confinement *c)
{
        if (c->seccomp_mode == 1)
                return -EOPNOTSUPP; /* strict mode: nothing could be exec'd */
        /* The oldest filter first, as the target got them. */
        for (size_t i = c->n_filters; i > 0; i--) {
                unsigned flags = c->filter_flags[i - 1] & SECCOMP_FILTER_FLAG_LOG;

                if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &c->filters[i - 1]) < 0)
                        return NEG_ERRNO();
        }
        return 0;
}

uint64_t confinement_default_dropped(void)
{
        static const unsigned caps[] = {
                CAP_LINUX_IMMUTABLE, CAP_SYS_MODULE, CAP_SYS_RAWIO,  CAP_SYS_PACCT,   CAP_SYS_BOOT,
                CAP_SYS_TIME,        CAP_MKNOD,      CAP_AUDIT_CONTROL, CAP_MAC_OVERRIDE, CAP_MAC_ADMIN,
                CAP_WAKE_ALARM,      CAP_BLOCK_SUSPEND, CAP_BPF,
        };
        uint64_t mask = 0;

        for (size_t i = 0; i < ELEMENTSOF(caps); i++)
                mask |= 1ULL << caps[i];
        return mask;
}

int confinement_drop_caps(uint64_t mask)
{
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[2];

        for (unsigned long cap = 0; cap <= 63; cap++)
                if ((mask & (1ULL << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
                        return NEG_ERRNO();
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return NEG_ERRNO();
        if (syscall(SYS_capget, &h, d) < 0)
                return NEG_ERRNO();
        for (int i = 0; i < 2; i++) {
                uint32_t keep = ~(uint32_t)(mask >> (32 * i));

                d[i].effective &= keep;
                d[i].permitted &= keep;
                d[i].inheritable &= keep;
        }
        if (syscall(SYS_capset, &h, d) < 0)
                return NEG_ERRNO();
        return 0;
}

int confinement_current_caps(uint64_t *ret_eff, uint64_t *ret_prm)
{
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[2] = {};

        if (syscall(SYS_capget, &h, d) < 0)
                return NEG_ERRNO();
        *ret_eff = d[0].effective | (uint64_t)d[1].effective << 32;
        *ret_prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
        return 0;
}
