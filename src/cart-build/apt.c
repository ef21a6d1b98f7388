/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/fileio.h"
#include "basic/log.h"
#include "basic/macro.h"
#include "cart-build/apt.h"

int apt_host_arch(struct build *b)
{
        char *argv[] = { "dpkg", "--print-architecture", NULL };
        _cleanup_free_ char *out = NULL;
        int r;

        if (b->arch)
                return 0; /* --arch */
        r = build_run(b, argv, NULL, &out);
        if (r < 0)
                return r;
        if (r != 0)
                return build_fail(b, -EIO, "dpkg cannot name the architecture");
        out[strcspn(out, "\n")] = 0;
        b->arch = cart_arch_by_debian(out);
        if (!b->arch) {
                char known[256] = "";

                for (size_t i = 0; i < cart_arches_n; i++)
                        snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s", i ? ", " : "",
                                 cart_arches[i].debian);
                return build_fail(b, -EPROTONOSUPPORT, "carts are not built for '%s' (only for %s)", out, known);
        }
        return 0;
}

/* Debian's archive keyring (debian-archive-keyring): the .pgp of newer
 * releases of the package, the .gpg of older ones. */
static const char *archive_keyring(void)
{
        static const char *const keyrings[] = {
                "/usr/share/keyrings/debian-archive-keyring.pgp",
                "/usr/share/keyrings/debian-archive-keyring.gpg",
        };

        for (size_t i = 0; i < ELEMENTSOF(keyrings); i++)
                if (access(keyrings[i], R_OK) == 0)
                        return keyrings[i];
        return NULL;
}

/* Whether user uid/gid can reach dir: every directory on the way searchable. */
static bool reachable_by(const char *dir, uid_t uid, gid_t gid)
{
        _cleanup_free_ char *p = realpath(dir, NULL);

        if (!p)
                return false;
        for (char *slash = p;; slash = strchr(slash + 1, '/')) {
                struct stat st;
                char c = slash ? *slash : 0;

                if (slash)
                        *slash = 0;
                if (stat(*p ? p : "/", &st) < 0)
                        return false;
                if (!((st.st_mode & S_IXOTH) || (st.st_uid == uid && (st.st_mode & S_IXUSR)) ||
                      (st.st_gid == gid && (st.st_mode & S_IXGRP))))
                        return false;
                if (!slash)
                        return true;
                *slash = c;
        }
}

/* Writes a file of the builder's apt, unless it already holds text (so that
 * apt's caches stay valid). */
static int write_apt_file(struct build *b, const char *name, const char *text)
{
        _cleanup_free_ char *path = path_join(b->apt_dir, name), *old = NULL;

        if (!path)
                return -ENOMEM;
        if (read_full_fileat(AT_FDCWD, path, 1 << 20, &old, NULL) >= 0 && strcmp(old, text) == 0)
                return 0;
        int r = write_whole(path, text, strlen(text), 0644);
        return r < 0 ? build_fail_errno(b, r, "cannot write '%s'", path) : 0;
}

int apt_setup(struct build *b)
{
        static const char *const dirs[] = { "etc/apt.conf.d", "etc/sources.list.d", "etc/preferences.d",
                                            "etc/trusted.gpg.d", "state/lists/partial", "cache/archives/partial",
                                            "log" };
        _cleanup_free_ char *os_release = NULL, *name = NULL, *apt = NULL, *conf = NULL, *sources = NULL;
        _cleanup_free_ char *conf_path = NULL;
        char *update[] = { "apt-get", "-qq", "update", NULL };
        const char *keyring = archive_keyring();
        int r;

        if (!b->release) {
                (void)read_full_fileat(AT_FDCWD, "/etc/os-release", 1 << 16, &os_release, NULL);
                b->release = cart_release_default(os_release);
        }
        if (!b->mirror)
                b->mirror = ARCHIVE_DEFAULT_MIRROR;
        if (!keyring)
                return build_fail(b, -ENOENT, "Debian's archive keyring is missing (install debian-archive-keyring)");
        if (archive_state_name(b->release->name, b->arch->debian, b->mirror, &name) < 0 ||
            !(apt = path_join(b->cache, "apt")) || !(b->apt_dir = path_join(apt, name)) ||
            !(b->debs = path_join(b->cache, "debs")) || !(conf_path = path_join(b->apt_dir, "apt.conf")))
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_free_ char *d = path_join(b->apt_dir, dirs[i]);

                if (!d)
                        return -ENOMEM;
                r = mkdir_p(d, 0755);
                if (r < 0)
                        return build_fail_errno(b, r, "cannot create '%s'", d);
        }
        r = mkdir_p(b->debs, 0755);
        if (r < 0)
                return build_fail_errno(b, r, "cannot create '%s'", b->debs);
        r = archive_apt_conf(b->apt_dir, b->arch->debian, &conf);
        if (r == 0)
                r = archive_sources_list(b->mirror, b->release->name, b->arch->debian, keyring, &sources);
        if (r == -EINVAL)
                return build_fail(b, r, "the mirror '%s' or the cache '%s' has a character apt cannot take", b->mirror,
                                  b->cache);
        if (r < 0)
                return r;
        if ((r = write_apt_file(b, "apt.conf", conf)) < 0 || (r = write_apt_file(b, "status", "")) < 0 ||
            (r = write_apt_file(b, "etc/sources.list", sources)) < 0)
                return r;
        /* Read before the host's configuration, and it names no other. */
        if (setenv("APT_CONFIG", conf_path, 1) < 0)
                return -ENOMEM;
        if (geteuid() == 0) {
                /* apt downloads as its sandbox user, _apt, into partial
                 * directories it hands to that user: where _apt cannot reach
                 * them, apt downloads as root after a warning. */
                struct passwd *pw = getpwnam("_apt");

                if (pw && (!reachable_by(b->apt_dir, pw->pw_uid, pw->pw_gid) ||
                           !reachable_by(b->debs, pw->pw_uid, pw->pw_gid)))
                        return build_fail(b, -EACCES,
                                          "apt's download user _apt cannot reach the cache '%s': choose one it can "
                                          "with -c (root's default is " BUILD_ROOT_CACHE ")",
                                          b->cache);
        }
        log_debug("apt: %s %s from %s, in '%s'", b->release->name, b->arch->debian, b->mirror, b->apt_dir);
        r = build_run(b, update, NULL, NULL);
        if (r < 0)
                return r;
        return r == 0 ? 0
                      : build_fail(b, -EIO, "apt cannot fetch the index of %s from '%s' (is the mirror reachable?)",
                                   b->release->name, b->mirror);
}

/* apt-get ARGS... install --no-install-recommends PACKAGES, for the list. */
static char **install_argv(struct build *b, char *const *args)
{
        size_t n = 0, k = 0;
        char **argv;

        while (args[k])
                k++;
        argv = calloc(b->want.n + k + 4, sizeof(char *));
        if (!argv)
                return NULL;
        argv[n++] = "apt-get";
        for (size_t i = 0; i < k; i++)
                argv[n++] = args[i];
        argv[n++] = "install";
        argv[n++] = "--no-install-recommends";
        for (size_t i = 0; i < b->want.n; i++)
                argv[n++] = b->want.names[i];
        return argv;
}

static int compare_pkgs(const void *a, const void *b)
{
        return strcmp(((const struct apt_pkg *)a)->name, ((const struct apt_pkg *)b)->name);
}

int apt_resolve(struct build *b)
{
        char *args[] = { "-s", "-qq", NULL };
        _cleanup_free_ char **argv = install_argv(b, args);
        _cleanup_free_ char *out = NULL;
        int r;

        if (!argv)
                return -ENOMEM;
        r = build_run(b, argv, NULL, &out);
        if (r < 0)
                return r;
        if (r != 0)
                return build_fail(b, -EIO, "apt cannot resolve the packages in %s for %s (are the names right?)",
                                  b->release->name, b->arch->debian);
        r = apt_parse_installs(out, &b->pkgs);
        if (r == -EBADMSG)
                return build_fail(b, r, "apt-get -s said something this builder cannot read");
        if (r < 0)
                return r;
        if (b->pkgs.n == 0)
                return build_fail(b, -ENOENT, "apt resolved no package to fetch");
        /* By name, for the manifest's reader; extraction in that order too. */
        qsort(b->pkgs.v, b->pkgs.n, sizeof(*b->pkgs.v), compare_pkgs);
        for (size_t i = 0; i < b->pkgs.n; i++) {
                const struct apt_pkg *p = &b->pkgs.v[i];
                char **v;

                if (strcmp(p->arch, b->arch->debian) != 0 && strcmp(p->arch, "all") != 0)
                        return build_fail(b, -EPROTO, "apt resolved '%s' for '%s', not for %s", p->name, p->arch,
                                          b->arch->debian);
                v = realloc(b->all.names, (b->all.n + 2) * sizeof(char *));
                if (!v)
                        return -ENOMEM;
                b->all.names = v;
                if (!(v[b->all.n] = strdup(p->name)))
                        return -ENOMEM;
                v[++b->all.n] = NULL;
        }
        return 0;
}

/* The path of a package's .deb in the cache, whether or not it is there. */
static int deb_path(const struct build *b, const struct apt_pkg *p, char **ret)
{
        _cleanup_free_ char *file = NULL;

        if (apt_deb_file_name(p, &file) < 0)
                return -ENOMEM;
        return (*ret = path_join(b->debs, file)) ? 0 : -ENOMEM;
}

int apt_fetch(struct build *b)
{
        _cleanup_free_ char *opt = NULL;
        size_t missing = 0;
        int r;

        for (size_t i = 0; i < b->pkgs.n; i++) {
                _cleanup_free_ char *deb = NULL;

                if (deb_path(b, &b->pkgs.v[i], &deb) < 0)
                        return -ENOMEM;
                if (access(deb, R_OK) < 0)
                        missing++;
        }
        log_debug("%zu packages, %zu to fetch", b->pkgs.n, missing);
        if (missing == 0)
                return 0;
        if (asprintf(&opt, "Dir::Cache::archives=%s", b->debs) < 0)
                return -ENOMEM;
        {
                /* The same resolution as apt_resolve's, downloaded into the
                 * cache (apt verifies each file against the signed index). */
                char *args[] = { "-qq", "-o", opt, "--download-only", NULL };
                _cleanup_free_ char **argv = install_argv(b, args);

                if (!argv)
                        return -ENOMEM;
                r = build_run(b, argv, NULL, NULL);
        }
        if (r < 0)
                return r;
        return r == 0 ? 0 : build_fail(b, -EIO, "apt cannot download the packages");
}

int apt_extract(struct build *b)
{
        int r;

        for (size_t i = 0; i < b->all.n; i++) {
                _cleanup_free_ char *deb = NULL, *script = NULL;
                _cleanup_free_ char *dir = path_join(b->control, b->all.names[i]);
                _cleanup_free_ char *postinst = dir ? path_join(dir, "postinst") : NULL;

                if (!postinst)
                        return -ENOMEM;
                if (deb_path(b, &b->pkgs.v[i], &deb) < 0)
                        return -ENOMEM;
                if (access(deb, R_OK) < 0)
                        return build_fail(b, -ENOENT, "'%s' was not fetched", b->all.names[i]);
                {
                        char *argv[] = { "dpkg-deb", "-x", deb, b->staging, NULL };
                        char *argv_ctrl[] = { "dpkg-deb", "-e", deb, dir, NULL };

                        r = build_run(b, argv, NULL, NULL);
                        if (r == 0)
                                r = build_run(b, argv_ctrl, NULL, NULL);
                        if (r < 0)
                                return r;
                        if (r != 0)
                                return build_fail(b, -EIO, "cannot extract '%s'", deb);
                }
                if (read_full_fileat(AT_FDCWD, postinst, 1 << 20, &script, NULL) >= 0) {
                        r = alternatives_parse(script, &b->alts);
                        if (r < 0)
                                return r;
                }
        }
        b->staging_fd = open(b->staging, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (b->staging_fd < 0)
                return build_fail_errno(b, NEG_ERRNO(), "cannot open '%s'", b->staging);
        log_debug("extracted %zu packages", b->all.n);
        return 0;
}
