/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/fileio.h"
#include "basic/log.h"
#include "cart-build/apt.h"

int apt_host_arch(struct build *b)
{
        char *argv[] = { "dpkg", "--print-architecture", NULL };
        _cleanup_free_ char *out = NULL;
        int r;

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

/* Adds the packages of apt-get -s's "Inst NAME ..." lines to ret. */
static int parse_installs(char *out, struct pkglist *ret)
{
        for (char *line = out; line && *line;) {
                char *nl = strchr(line, '\n'), name[256];

                if (nl)
                        *nl = 0;
                if (sscanf(line, "Inst %255s", name) == 1 && pkg_name_is_valid(name)) {
                        char **v = realloc(ret->names, (ret->n + 2) * sizeof(char *));

                        if (!v)
                                return -ENOMEM;
                        ret->names = v;
                        ret->names[ret->n] = strdup(name);
                        if (!ret->names[ret->n])
                                return -ENOMEM;
                        ret->names[++ret->n] = NULL;
                }
                line = nl ? nl + 1 : NULL;
        }
        return 0;
}

int apt_resolve(struct build *b)
{
        _cleanup_free_ char *status = NULL, *opt = NULL, *out = NULL;
        _cleanup_free_ char **argv = NULL;
        size_t n = 0;
        int r;

        b->debs = path_join(b->cache, "debs");
        status = path_join(b->cache, "empty-status");
        if (!b->debs || !status || asprintf(&opt, "Dir::State::status=%s", status) < 0)
                return -ENOMEM;
        r = mkdir_p(b->debs, 0755);
        if (r < 0)
                return build_fail_errno(b, r, "cannot create '%s'", b->debs);
        r = write_whole(status, "", 0, 0644);
        if (r < 0)
                return build_fail_errno(b, r, "cannot write '%s'", status);
        argv = calloc(b->want.n + 12, sizeof(char *));
        if (!argv)
                return -ENOMEM;
        argv[n++] = "apt-get";
        argv[n++] = "-s";
        argv[n++] = "-qq";
        argv[n++] = "-o";
        argv[n++] = opt;
        argv[n++] = "-o";
        argv[n++] = "Debug::NoLocking=1";
        argv[n++] = "install";
        argv[n++] = "--no-install-recommends";
        for (size_t i = 0; i < b->want.n; i++)
                argv[n++] = b->want.names[i];
        r = build_run(b, argv, NULL, &out);
        if (r < 0)
                return r;
        if (r != 0)
                return build_fail(b, -EIO,
                                  "apt cannot resolve the packages (is 'apt-get update' done, and are the names right?)");
        r = parse_installs(out, &b->all);
        if (r < 0)
                return r;
        if (b->all.n == 0)
                return build_fail(b, -ENOENT, "apt resolved no package to fetch");
        return 0;
}

/* The .deb of a package in the cache: 0 with its path, -ENOENT when there is none. */
static int cached_deb(const char *debs, const char *name, char **ret)
{
        _cleanup_(closedir_p) DIR *d = opendir(debs);
        struct dirent *de;

        while (d && (de = readdir(d)))
                if (is_deb_of(de->d_name, name))
                        return (*ret = path_join(debs, de->d_name)) ? 0 : -ENOMEM;
        return -ENOENT;
}

int apt_fetch(struct build *b)
{
        _cleanup_free_ char **argv = calloc(b->all.n + 3, sizeof(char *));
        size_t n = 0, missing = 0;
        int r;

        if (!argv)
                return -ENOMEM;
        argv[n++] = "apt-get";
        argv[n++] = "download";
        for (size_t i = 0; i < b->all.n; i++) {
                _cleanup_free_ char *have = NULL;

                r = cached_deb(b->debs, b->all.names[i], &have);
                if (r == -ENOENT) {
                        argv[n++] = b->all.names[i];
                        missing++;
                } else if (r < 0)
                        return r;
        }
        log_debug("%zu packages, %zu to fetch", b->all.n, missing);
        if (missing == 0)
                return 0;
        r = build_run(b, argv, b->debs, NULL);
        if (r < 0)
                return r;
        return r == 0 ? 0 : build_fail(b, -EIO, "apt-get download failed");
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
                r = cached_deb(b->debs, b->all.names[i], &deb);
                if (r == -ENOENT)
                        return build_fail(b, r, "'%s' was not fetched", b->all.names[i]);
                if (r < 0)
                        return r;
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
