/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The cart builder's rules for names and paths: where a Debian path goes in the
 * cart, what is left out, how a package's link and an alternative are pointed
 * into the cart, and the bytes patched into the loader and the libraries. Pure:
 * no I/O, nothing printed; 0 or -errno. And the one table of the architectures
 * a cart is built for. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One architecture: every name the builder spells differently per architecture. */
struct cart_arch {
        const char *debian;             /* dpkg's name: amd64 */
        const char *triplet;            /* the multiarch directories' name: x86_64-linux-gnu */
        const char *loader;             /* the dynamic loader's file name: ld-linux-x86-64.so.2 */
        uint16_t machine;               /* ELF e_machine: EM_X86_64 */
        const char *lib_dirs[6];        /* where packages keep libraries, relative to /, in
                                         * the order they are looked in; NULL-terminated */
};

/* The table: every architecture a cart can be built for. */
extern const struct cart_arch cart_arches[];
extern const size_t cart_arches_n;

/* The architecture dpkg calls `debian`, or NULL. */
const struct cart_arch *cart_arch_by_debian(const char *debian);

/* Where an absolute Debian path is in the cart, relative to the cart's root
 * ("/usr/bin/ls" → "bin/ls", "/usr/lib/x86_64-linux-gnu/libc.so.6" → "lib/..."):
 * 0 and *ret (malloc'd), -ENOENT when it is nowhere in the cart, -ENOMEM. */
int cart_rel(const struct cart_arch *a, const char *path, char **ret);

/* An absolute path without ".", ".." and repeated slashes, in place (the result is
 * never longer); ".." of the root is the root, as for the kernel. -EINVAL when p
 * is not absolute. */
int normalize_path(char *p);

/* Whether a directory of a package, relative to its root, is left out of the
 * cart: documentation, translations, what only a booted system uses, and manual
 * pages in other languages than English. */
bool skipped(const struct cart_arch *a, const char *rel);

/* Where a package's link leads, as the target of the cart's link: link_rel is the
 * link's path in the package (relative to its root), target what it holds, which
 * is taken from the link's own directory when relative. The result is an
 * absolute path into the cart (CART_PATH/...): -ENOENT when it leads nowhere in
 * the cart, never into the container. */
int link_target_in_cart(const struct cart_arch *a, const char *link_rel, const char *target, char **ret);

/* The target of an alternative's link, both relative to the cart's root: the
 * name alone when both are in one directory (bin/nc → nc.openbsd), else the
 * cart's absolute path. -EINVAL when link_rel has no directory. */
int alternative_target(const char *link_rel, const char *path_rel, char **ret);

/* A path as long as `from` that names rel in the cart, padded with slashes after
 * CART_PATH: "/dev/crashcart////lib/gconv". -ENAMETOOLONG when it does not fit. */
int padded_path(const char *from, const char *rel, char **ret);

/* Replaces every `from` in buf by `to`, both n bytes long; returns how many. */
size_t replace_all(char *buf, size_t len, const char *from, const char *to, size_t n);

/* A rewrite of bytes in a file that moves nothing: from and to are len bytes long
 * (either may hold NULs). */
struct byte_patch {
        char from[128], to[128];
        size_t len;
        bool required;          /* a file without `from` is an error */
};

/* The loader's paths to the container's files, pointed to names that do not
 * exist: its /etc/ld.so.cache, /etc/ld.so.preload (the cart's preload list
 * instead), and its system library directories. The longer paths first, as
 * "/usr/lib/" is part of another. */
#define LOADER_PATCHES 6
int loader_patches(const struct cart_arch *a, struct byte_patch ret[static LOADER_PATCHES]);

/* Raises the default of the loader's glibc.rtld.optional_static_tls tunable (512
 * bytes in glibc 2.36) to `value`, in place. An rtld-audit module takes part of
 * the static TLS surplus, after which libjemalloc's initial-exec TLS (every BIND
 * tool needs it) no longer fits: "cannot allocate memory in static TLS block".
 * The tunable's entry is its name, then its type {code, min 0, max SIZE_MAX} and
 * then its default; the default is found by that pattern within the entry, not
 * by an offset of one glibc build. 0; -ENOENT when there is no such entry (or
 * more than one candidate), -ERANGE when the default is not 512. */
int loader_raise_static_tls(char *buf, size_t len, uint64_t value);

/* Paths compiled into libc, ncurses, bash, libcrypto and man-db that would read the
 * container's files, pointed into the cart (with padded_path). */
#define PATH_PATCHES 7
int path_patches(const struct cart_arch *a, struct byte_patch ret[static PATH_PATCHES]);

/* Applies patches to buf; returns how many replacements were made, and in
 * *ret_missing (when not NULL) the first required patch that found nothing, or
 * NULL. */
size_t apply_patches(char *buf, size_t len, const struct byte_patch *patches, size_t n,
                     const struct byte_patch **ret_missing);

/* A script whose interpreter is /bin/NAME or /usr/bin/NAME, given the cart's
 * (CART_BIN/NAME): 0 with the name and the new text (both malloc'd), -ENOENT when
 * text (len bytes, NUL-terminated) is not such a script. */
int shebang_in_cart(const char *text, size_t len, char **ret_name, char **ret_text);

/* Whether a file of the packages is `pkg`'s .deb (NAME_VERSION_ARCH.deb). */
bool is_deb_of(const char *file, const char *pkg);

/* Whether a library is an NSS module (libnss_NAME.so.2), which libc loads with
 * dlopen. */
bool is_nss_module(const char *name);

/* ---- The redirections: what the cart's programs would read of the container's
 * files that can name code to load or a program to run, pointed into the cart or
 * to a name that never exists (docs/cart-loads.md, issue 12). ---- */

/* A path as long as `from` that names /proc/0/NAME, padded with slashes after
 * "/proc" ("/proc//0/ssl"): pid 0 is never a directory of procfs, and a container
 * can create nothing under /proc. -ENAMETOOLONG when it does not fit. */
int nowhere_path(const char *from, const char *name, char **ret);

/* The names a redirection's strings use, found in the cart's packages: the
 * architecture's triplet and loader, and the versions in perl's, groff's and
 * python's directory names. A NULL version: that program is not in the cart. */
struct redirect_vars {
        const char *triplet;    /* {T}: x86_64-linux-gnu */
        const char *loader;     /* {LOADER}: ld-linux-x86-64.so.2 */
        const char *perl;       /* {PERL}: 5.36, libperl's soname and @INC's */
        const char *perl_full;  /* {PERLFULL}: 5.36.0 */
        const char *groff;      /* {GROFF}: 1.22.4 */
};

/* A string with {T}, {LOADER}, {PERL}, {PERLFULL}, {GROFF} replaced: 0 and *ret
 * (malloc'd); -ENOENT when it names a version that is NULL. */
int redirect_expand(const char *template, const struct redirect_vars *v, char **ret);

enum redirect_kind {
        REDIRECT_CART,          /* to: a path in the cart, relative (padded_path) */
        REDIRECT_NOWHERE,       /* to: a name under /proc/0 (nowhere_path) */
};

/* One compiled-in path of one file of the cart, rewritten in place. */
struct redirect {
        const char *file;       /* cart-relative, a template; NULL: every ELF file */
        const char *from;       /* a template */
        bool with_nul;          /* from's terminating NUL is part of it (a string of its own) */
        enum redirect_kind kind;
        const char *to;         /* a template */
        bool required;          /* the file being in the cart, from must be in it */
};

extern const struct redirect cart_redirects[];
extern const size_t cart_redirects_n;

/* One entry of cart_redirects as a byte patch: 0, *ret, and *ret_file (malloc'd;
 * NULL for every ELF file); -ENOENT when it names a version the cart lacks. */
int redirect_patch(const struct redirect *r, const struct redirect_vars *v, char **ret_file,
                   struct byte_patch *ret);

/* A rewrite of a text file of the cart (a script, a perl module). */
struct text_redirect {
        const char *file;       /* cart-relative, a template */
        bool whole_line;        /* every line that starts with from becomes to; else every from */
        const char *from;       /* a template */
        const char *to;         /* a template */
        bool required;
};

extern const struct text_redirect cart_text_redirects[];
extern const size_t cart_text_redirects_n;

/* text (len bytes, NUL-terminated) with the rewrite of r made (from and to
 * expanded): 0, *ret (malloc'd) and *ret_hits; -ENOENT when r names a version the
 * cart lacks. */
int text_redirect_apply(const struct text_redirect *r, const struct redirect_vars *v, const char *text,
                        size_t len, char **ret, size_t *ret_hits);

/* Whether a program of bin/ or sbin/ is left out of a cart with the redirections:
 * its job is to run the container's configuration (PAM modules, maintainer and
 * service scripts, hooks), or it is an administrative tool no debugging needs. */
bool is_dropped_program(const char *name);

/* Programs the cart's tools run by name (tar, man, file -z: decompressors; man's
 * preprocessors) that a cart may lack: a stub stands in for each that is missing,
 * so that a search of PATH never reaches the container's. NULL-terminated. */
extern const char *const cart_stubbed_programs[];

/* Directories the cart's libraries load modules from, as the redirections name
 * them (relative to the cart), and the package's directory (a template, or NULL)
 * whose data files, not its modules, are copied there. */
struct module_dir {
        const char *dir;
        const char *data_from;
};
extern const struct module_dir cart_module_dirs[];
extern const size_t cart_module_dirs_n;
