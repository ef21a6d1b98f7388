/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"
#include "cart-build/archive.h"
#include "cart-build/pkglist.h"

/* The releases whose loader and libraries the builder's byte patches are known
 * to fit (glibc 2.36 and 2.41). */
const struct cart_release cart_releases[] = {
        { .name = "bookworm", .version = "12" },
        { .name = "trixie", .version = "13" },
};
const size_t cart_releases_n = ELEMENTSOF(cart_releases);

const struct cart_release *cart_release_by_name(const char *name)
{
        for (size_t i = 0; i < cart_releases_n; i++)
                if (strcmp(cart_releases[i].name, name) == 0)
                        return &cart_releases[i];
        return NULL;
}

/* The value of KEY=value in os-release text, without quotes, into buf. */
static bool os_release_value(const char *text, const char *key, char *buf, size_t n)
{
        size_t k = strlen(key);

        for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
                size_t len;

                if (strncmp(line, key, k) != 0 || line[k] != '=')
                        continue;
                line += k + 1;
                len = strcspn(line, "\n");
                if (len >= 2 && (line[0] == '"' || line[0] == '\'') && line[len - 1] == line[0]) {
                        line++;
                        len -= 2;
                }
                if (len >= n)
                        return false;
                memcpy(buf, line, len);
                buf[len] = 0;
                return true;
        }
        return false;
}

const struct cart_release *cart_release_default(const char *os_release)
{
        char id[64], codename[64];
        const struct cart_release *r;

        if (os_release && os_release_value(os_release, "ID", id, sizeof(id)) && strcmp(id, "debian") == 0 &&
            os_release_value(os_release, "VERSION_CODENAME", codename, sizeof(codename)) &&
            (r = cart_release_by_name(codename)))
                return r;
        return cart_release_by_name(ARCHIVE_DEFAULT_RELEASE);
}

int archive_state_name(const char *release, const char *arch, const char *mirror, char **ret)
{
        char *s;

        if (asprintf(&s, "%s_%s_%s", release, arch, mirror) < 0)
                return -ENOMEM;
        for (char *p = s + strlen(release) + strlen(arch) + 2; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ||
                      *p == '-'))
                        *p = '_';
        *ret = s;
        return 0;
}

int archive_sources_list(const char *mirror, const char *release, const char *arch, const char *keyring,
                         char **ret)
{
        size_t n = strlen(mirror);
        _cleanup_free_ char *security = NULL;
        char *s;

        while (n > 0 && mirror[n - 1] == '/')
                n--;
        if (n == 0 || strpbrk(mirror, " \t\n[]") || strpbrk(keyring, " \t\n[]"))
                return -EINVAL;
        if (n >= 7 && strncmp(mirror + n - 7, "/debian", 7) == 0 &&
            asprintf(&security, "deb [arch=%s signed-by=%s] %.*s-security %s-security main\n", arch, keyring,
                     (int)n, mirror, release) < 0)
                return -ENOMEM;
        if (asprintf(&s,
                     "# Written by crashcart-build: its own apt's sources, not the host's.\n"
                     "deb [arch=%s signed-by=%s] %.*s %s main\n"
                     "deb [arch=%s signed-by=%s] %.*s %s-updates main\n"
                     "%s",
                     arch, keyring, (int)n, mirror, release, arch, keyring, (int)n, mirror, release,
                     security ? security : "") < 0)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int archive_apt_conf(const char *dir, const char *arch, char **ret)
{
        char *s;

        if (strpbrk(dir, "\"\n") || strpbrk(arch, "\"\n"))
                return -EINVAL;
        if (asprintf(&s,
                     "// Written by crashcart-build: its own apt, which reads nothing of the host's.\n"
                     "Dir::Etc \"%1$s/etc\";\n"
                     "Dir::Etc::main \"/dev/null\";\n"
                     "Dir::Etc::parts \"%1$s/etc/apt.conf.d\";\n"
                     "Dir::Etc::sourcelist \"%1$s/etc/sources.list\";\n"
                     "Dir::Etc::sourceparts \"%1$s/etc/sources.list.d\";\n"
                     "Dir::Etc::preferences \"%1$s/etc/preferences\";\n"
                     "Dir::Etc::preferencesparts \"%1$s/etc/preferences.d\";\n"
                     "Dir::Etc::trusted \"%1$s/etc/trusted.gpg\";\n"
                     "Dir::Etc::trustedparts \"%1$s/etc/trusted.gpg.d\";\n"
                     "Dir::State \"%1$s/state\";\n"
                     "Dir::State::status \"%1$s/status\";\n"
                     "Dir::Cache \"%1$s/cache\";\n"
                     "Dir::Log \"%1$s/log\";\n"
                     "APT::Architecture \"%2$s\";\n"
                     "APT::Architectures { \"%2$s\"; };\n"
                     "APT::Install-Recommends \"false\";\n"
                     "Acquire::Languages \"none\";\n"
                     "Debug::NoLocking \"true\";\n",
                     dir, arch) < 0)
                return -ENOMEM;
        *ret = s;
        return 0;
}

void apt_pkgs_done(struct apt_pkgs *l)
{
        for (size_t i = 0; i < l->n; i++) {
                free(l->v[i].name);
                free(l->v[i].version);
                free(l->v[i].arch);
        }
        free(l->v);
        *l = (struct apt_pkgs){};
}

static bool is_version_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr(".+-~:", c);
}

/* "Inst NAME (VERSION SUITES [ARCH])..." → p; -EBADMSG when it is not so. */
static int parse_inst(const char *line, size_t len, struct apt_pkg *p)
{
        const char *end = line + len, *name = line + 5, *v, *a, *ae;
        size_t nl, vl;

        nl = strcspn(name, " \n");
        if (name + nl + 2 > end || name[nl] != ' ' || name[nl + 1] != '(')
                return -EBADMSG;
        v = name + nl + 2;
        for (vl = 0; v + vl < end && is_version_char(v[vl]); vl++)
                ;
        if (vl == 0 || v + vl >= end || v[vl] != ' ')
                return -EBADMSG;
        a = memchr(v, '[', (size_t)(end - v));
        ae = a ? memchr(a, ']', (size_t)(end - a)) : NULL;
        if (!ae || ae == a + 1)
                return -EBADMSG;
        p->name = strndup(name, nl);
        p->version = strndup(v, vl);
        p->arch = strndup(a + 1, (size_t)(ae - a - 1));
        if (!p->name || !p->version || !p->arch)
                return -ENOMEM;
        if (!pkg_name_is_valid(p->name) || strpbrk(p->arch, " /_"))
                return -EBADMSG;
        return 0;
}

int apt_parse_installs(const char *out, struct apt_pkgs *ret)
{
        for (const char *line = out; line && *line;) {
                const char *nl = strchr(line, '\n');
                size_t len = nl ? (size_t)(nl - line) : strlen(line);

                if (len > 5 && strncmp(line, "Inst ", 5) == 0) {
                        struct apt_pkg *v = realloc(ret->v, (ret->n + 1) * sizeof(*v));
                        int r;

                        if (!v)
                                return -ENOMEM;
                        ret->v = v;
                        v[ret->n] = (struct apt_pkg){};
                        r = parse_inst(line, len, &v[ret->n]);
                        ret->n++; /* freed by apt_pkgs_done, whole or not */
                        if (r < 0)
                                return r;
                }
                line = nl ? nl + 1 : NULL;
        }
        return 0;
}

int apt_deb_file_name(const struct apt_pkg *p, char **ret)
{
        const char *colon = strchr(p->version, ':');
        int r;

        if (colon)
                r = asprintf(ret, "%s_%.*s%%3a%s_%s.deb", p->name, (int)(colon - p->version), p->version, colon + 1,
                             p->arch);
        else
                r = asprintf(ret, "%s_%s_%s.deb", p->name, p->version, p->arch);
        return r < 0 ? -ENOMEM : 0;
}
