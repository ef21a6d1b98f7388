/* SPDX-License-Identifier: GPL-2.0-or-later */
/* crashcart-build: a cart image from a list of Debian packages, without root.
 *
 *   package list → closure (the builder's own apt, for the cart's release and
 *   architecture, as if nothing were installed) → .debs in the builder's cache → extracted (dpkg-deb -x, no maintainer
 *   script) → bin, sbin, and the library closure read from the ELF files → the
 *   data they read → what they would read of the container's configuration
 *   redirected into the cart → relocated under /dev/crashcart (interpreter and DT_RPATH,
 *   patchelf; the loader's /etc paths patched away) → wrappers and the rc file →
 *   image (erofs, squashfs or ext4).
 *
 * This is the command layer: the options, and the stages in their order. Each
 * stage returns 0 or -errno with its message recorded in the build; the first
 * error is said here, once, and ends the build. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/fileio.h"
#include "basic/log.h"
#include "basic/spawn.h"
#include "cart-build/apt.h"
#include "cart-build/build.h"
#include "cart-build/data.h"
#include "cart-build/harden.h"
#include "cart-build/manifest.h"
#include "cart-build/mkfs.h"
#include "cart-build/programs.h"
#include "cart-build/relocate.h"
#include "cart-build/reproducible.h"
#include "cart-build/wrappers.h"
#include "cart/layout.h"

static void help(void)
{
        printf("Usage: crashcart-build -p PACKAGES -o IMAGE [options]\n"
               "\n"
               "Build a crashcart cart from Debian packages, without root: every program of\n"
               "the packages, relocated so that it loads only what is under " CART_PATH ".\n"
               "\n"
               "  -p, --packages FILE   the package list: one name a line, '#' comments\n"
               "  -o, --output IMAGE    the image to write\n"
               "  -a, --arch ARCH       the cart's architecture: amd64 or arm64 (default: the host's)\n"
               "  -r, --release NAME    the Debian release: bookworm or trixie (default: the host's\n"
               "                        when it is Debian, else " ARCHIVE_DEFAULT_RELEASE ")\n"
               "  -m, --mirror URL      the Debian mirror (default: " ARCHIVE_DEFAULT_MIRROR ")\n"
               "  -f, --format FORMAT   erofs (default), squashfs or ext4\n"
               "  -z, --compression ALG erofs: lz4, lz4hc; squashfs: lz4 (default), zstd, xz, gzip\n"
               "  -c, --cache DIR       where .debs are kept between builds\n"
               "                        (default: $XDG_CACHE_HOME/crashcart-build or ~/.cache/...;\n"
               "                        as root " BUILD_ROOT_CACHE ")\n"
               "  -k, --keep DIR        also leave the cart's tree in DIR, a new directory\n"
               "  -v, --verbose         say what is done\n"
               "  -h, --help            show this help\n");
}

/* Fills what the build asks for; 0: go on, 1: done (--help), -EINVAL: a usage
 * error, said. */
static int parse_args(int argc, char **argv, struct build *b, const char **ret_list)
{
        static const struct option opts[] = {
                { "packages", required_argument, NULL, 'p' }, { "output", required_argument, NULL, 'o' },
                { "format", required_argument, NULL, 'f' },   { "compression", required_argument, NULL, 'z' },
                { "cache", required_argument, NULL, 'c' },    { "keep", required_argument, NULL, 'k' },
                { "arch", required_argument, NULL, 'a' },     { "release", required_argument, NULL, 'r' },
                { "mirror", required_argument, NULL, 'm' },
                { "verbose", no_argument, NULL, 'v' },        { "help", no_argument, NULL, 'h' },
                {},
        };
        int opt;

        b->format = "erofs";
        while ((opt = getopt_long(argc, argv, "p:o:f:z:c:k:a:r:m:vh", opts, NULL)) != -1) {
                switch (opt) {
                case 'p': *ret_list = optarg; break;
                case 'o': b->output = optarg; break;
                case 'f': b->format = optarg; break;
                case 'z': b->compression = optarg; break;
                case 'c': b->cache = optarg; break;
                case 'k': b->keep = optarg; break;
                case 'a':
                        b->arch = cart_arch_by_debian(optarg);
                        if (!b->arch) {
                                log_error("unknown architecture '%s': amd64 or arm64", optarg);
                                return -EINVAL;
                        }
                        break;
                case 'r':
                        b->release = cart_release_by_name(optarg);
                        if (!b->release) {
                                log_error("unknown release '%s': bookworm or trixie", optarg);
                                return -EINVAL;
                        }
                        break;
                case 'm': b->mirror = optarg; break;
                case 'v': log_verbose = 1; break;
                case 'h': help(); return 1;
                default:
                        fprintf(stderr, "Try 'crashcart-build --help' for more information.\n");
                        return -EINVAL;
                }
        }
        if (!*ret_list || !b->output || optind < argc) {
                log_error("-p PACKAGES and -o IMAGE are needed (and nothing else); see --help");
                return -EINVAL;
        }
        if (!mkfs_format_is_known(b->format)) {
                log_error("unknown format '%s': erofs, squashfs or ext4", b->format);
                return -EINVAL;
        }
        return 0;
}

static int read_package_list(const char *path, struct pkglist *ret)
{
        _cleanup_free_ char *text = NULL;
        size_t bad_line = 0;
        int r;

        r = read_full_fileat(AT_FDCWD, path, 1 << 20, &text, NULL);
        if (r < 0)
                return log_error_errno(r, "cannot read '%s'", path);
        r = pkglist_parse(text, ret, &bad_line);
        if (r == -EINVAL) {
                log_error("'%s', line %zu: not a package name", path, bad_line);
                return r;
        }
        if (r < 0 || ret->n == 0) {
                log_error("'%s' names no package", path);
                return r < 0 ? r : -ENOENT;
        }
        return 0;
}

/* $XDG_CACHE_HOME/crashcart-build, else ~/.cache/crashcart-build; root's in
 * /var/cache, where apt's sandbox user reaches it. */
static char *default_cache(void)
{
        const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
        char *s;

        if (geteuid() == 0)
                return strdup(BUILD_ROOT_CACHE);
        if (asprintf(&s, "%s%s/crashcart-build", xdg && *xdg ? xdg : home ? home : "/tmp",
                     xdg && *xdg ? "" : "/.cache") < 0)
                return NULL;
        return s;
}

/* The work directory, beside the image (on its file system, where there is room
 * for it): the packages extracted, their control files, and the cart's tree
 * unless it is kept elsewhere. */
static int make_work_dir(struct build *b)
{
        _cleanup_free_ char *work = NULL;
        int r;

        if (asprintf(&work, "%s.build-XXXXXX", b->output) < 0)
                return -ENOMEM;
        /* A tree of an earlier build would mix with this one's. */
        if (b->keep && mkdir(b->keep, 0755) < 0)
                return build_fail_errno(b, NEG_ERRNO(), "cannot make '%s' for the cart's tree (-k names a new directory)",
                                        b->keep);
        if (!mkdtemp(work))
                return build_fail_errno(b, NEG_ERRNO(), "cannot make a work directory beside '%s'", b->output);
        b->work = TAKE_PTR(work); /* main removes it, whatever happens next */
        b->staging = path_join(b->work, "staging");
        b->control = path_join(b->work, "control");
        b->root = b->keep ? strdup(b->keep) : path_join(b->work, "cart");
        if (!b->staging || !b->control || !b->root)
                return -ENOMEM;
        if ((r = mkdir_p(b->staging, 0755)) < 0 || (r = mkdir_p(b->root, 0755)) < 0 ||
            (r = mkdir_p(b->control, 0755)) < 0)
                return build_fail_errno(b, r, "cannot create the trees of '%s'", b->work);
        return 0;
}

static void remove_work_dir(const char *work)
{
        char *argv[] = { "rm", "-rf", (char *)work, NULL };

        if (spawn_run(argv, NULL, 0, NULL) != 0)
                log_warning("cannot remove '%s'", work);
}

/* Runs the stages in their order, each building on what those before it made;
 * says the first error. */
static int build_cart(struct build *b)
{
        static const struct {
                const char *what; /* for an error the stage said nothing more of */
                int (*run)(struct build *b);
        } stages[] = {
                { "find the architecture", apt_host_arch },
                { "set up apt", apt_setup },
                { "resolve the packages", apt_resolve },
                { "fetch the packages", apt_fetch },
                { "make the work directory", make_work_dir },
                { "extract the packages", apt_extract },
                { "choose the image's time", repro_choose_epoch },
                { "add the loader", relocate_loader },
                { "add the programs", programs_add },
                { "add the programs' data", data_add },
                { "add cart-sh", programs_add_cart_sh },
                { "add the audit module", programs_add_cart_audit },
                { "add the way in for a runtime's exec", programs_add_enter },
                { "redirect what the programs read of the container", harden_cart },
                { "relocate the ELF files", relocate_elves },
                { "rewrite the compiled-in paths", relocate_paths },
                { "rewrite the scripts' interpreters", relocate_shebangs },
                { "add the alternatives", data_add_alternatives },
                { "add the wrappers", wrappers_add },
                { "make iconv's module cache", data_add_gconv_cache },
                { "make the CA bundle", data_add_ca_bundle },
                { "write the rc file", wrappers_write_rcfile },
                { "add the profile links", wrappers_add_profile },
                { "add the mount point of --out", wrappers_add_out_dir },
                { "write the manifest", manifest_write },
                { "make the tree reproducible", repro_normalize },
                { "write the image", mkfs_write_image },
                { "write the SBOM", manifest_write_sbom },
        };

        for (size_t i = 0; i < ELEMENTSOF(stages); i++) {
                int r = stages[i].run(b);

                if (r >= 0)
                        continue;
                if (b->error.error == 0)
                        return log_error_errno(r, "cannot %s", stages[i].what);
                if (b->error.shows_errno)
                        return log_error_errno(b->error.error, "%s", b->error.message);
                log_error("%s", b->error.message);
                return b->error.error;
        }
        return 0;
}

int main(int argc, char **argv)
{
        _cleanup_free_ char *cache = NULL;
        struct build b = BUILD_INIT;
        const char *list = NULL;
        int r;

        log_set_program("crashcart-build");
        /* The modes in the image are the builder's, not the caller's umask's. */
        umask(022);
        r = parse_args(argc, argv, &b, &list);
        if (r != 0)
                return r > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
        r = read_package_list(list, &b.want);
        if (r >= 0 && !b.cache) {
                b.cache = cache = default_cache();
                if (!cache)
                        r = log_error_errno(-ENOMEM, "cannot name the cache");
        }
        if (r >= 0 && fault_disabled("cart-redirect"))
                log_warning("CRASHCART_FAULT_DISABLE=cart-redirect: this cart's programs read the container's "
                            "configuration files, which can make them load its code (a test's control only)");
        if (r >= 0)
                r = build_cart(&b);
        if (b.work)
                remove_work_dir(b.work);
        build_done(&b);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
