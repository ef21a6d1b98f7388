/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Debian's archive as the builder sees it: the releases a cart is built from,
 * the mirror, and the configuration of the builder's own apt (its sources, its
 * empty dpkg status, its architecture), which never reads the host's. Pure: text
 * in, text out; 0 or -errno. */
#pragma once

#include <stddef.h>

#define ARCHIVE_DEFAULT_MIRROR "http://deb.debian.org/debian"
/* A host that is not Debian (Ubuntu, say) builds from this release. */
#define ARCHIVE_DEFAULT_RELEASE "bookworm"

/* One release a cart can be built from. */
struct cart_release {
        const char *name;               /* the codename: bookworm */
        const char *version;            /* Debian's number: 12 (purl's distro=debian-12) */
};

extern const struct cart_release cart_releases[];
extern const size_t cart_releases_n;

const struct cart_release *cart_release_by_name(const char *name);

/* The release a build takes by default, from the text of the host's
 * /etc/os-release (NULL when there is none): its VERSION_CODENAME when ID is
 * debian and the codename is in the table, else ARCHIVE_DEFAULT_RELEASE. */
const struct cart_release *cart_release_default(const char *os_release);

/* The directory name of one apt state of the builder's: release, architecture
 * and mirror, the mirror's characters outside [A-Za-z0-9.-] as '_'. */
int archive_state_name(const char *release, const char *arch, const char *mirror, char **ret);

/* The builder's sources.list: the release and its -updates suite from mirror,
 * and its -security suite from the mirror's sibling "...-security" when mirror's
 * path ends in /debian (as deb.debian.org's and most mirrors' do); every one
 * signed by keyring, for arch alone. */
int archive_sources_list(const char *mirror, const char *release, const char *arch, const char *keyring,
                         char **ret);

/* The builder's apt.conf, read through APT_CONFIG before anything of the host's:
 * every directory of apt under dir (etc/, state/, cache/, log/, the empty dpkg
 * status dir/status), so that neither the host's sources, apt.conf.d, trusted
 * keys and preferences nor its dpkg database and foreign architectures count;
 * arch as the one architecture; no translations, no recommends. */
int archive_apt_conf(const char *dir, const char *arch, char **ret);

/* A package apt resolved: name, version and architecture (all malloc'd). */
struct apt_pkg {
        char *name, *version, *arch;
};

struct apt_pkgs {
        struct apt_pkg *v;
        size_t n;
};

void apt_pkgs_done(struct apt_pkgs *l);

/* Adds the packages of apt-get -s's "Inst NAME (VERSION SUITES [ARCH])" lines, in
 * their order; -EBADMSG for an Inst line of another form. */
int apt_parse_installs(const char *out, struct apt_pkgs *ret);

/* The .deb apt stores a package as: NAME_VERSION_ARCH.deb, the version's epoch
 * colon written %3a. */
int apt_deb_file_name(const struct apt_pkg *p, char **ret);
