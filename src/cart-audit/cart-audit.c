/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cart-audit.so: the cart's last line against loading a hostile container's code.
 *
 * Every executable of the cart names this module in its DT_AUDIT entry, so the
 * cart's own loader loads it before anything else and asks it about every
 * object it goes on to look for, libc's own dlopen()s included (name-service
 * modules, iconv's modules, OpenSSL providers, SASL and PAM plugins):
 *
 *   la_objsearch  sees the name asked for and then each path the search tries
 *                 (RPATH, LD_LIBRARY_PATH, RUNPATH, the cache, the system
 *                 directories). A path outside CART_PATH is refused: the loader
 *                 goes on to its next candidate, and the load fails as for a
 *                 missing file, silently (ps looks for libnuma that way).
 *   la_objopen    a tripwire: an object outside the cart that was mapped anyway
 *                 ends the process before its relocations and constructors run.
 *
 * It checks names, not file identity: it holds as long as CART_PATH is the cart,
 * which crashcart's mount guarantees. Programs a cart program executes are not
 * its business (the builder's redirections are); nor is LD_AUDIT, whose modules
 * load before this one (crashcart clears LD_* from every environment it builds).
 *
 * No libc: the audit namespace loads this file and nothing else (a libc-linked
 * module would bring a second libc into it), so raw system calls and no
 * compiler-generated calls to memcpy or strlen. */
#define _GNU_SOURCE
#include <link.h>
#include <stddef.h>
#include <stdint.h>

#include "cart/layout.h"

#if defined(__x86_64__)
#define NR_WRITE 1
#define NR_EXIT_GROUP 231
static long sys3(long n, long a, long b, long c)
{
        long r;

        __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
        return r;
}
#elif defined(__aarch64__)
#define NR_WRITE 64
#define NR_EXIT_GROUP 94
static long sys3(long n, long a, long b, long c)
{
        register long x8 __asm__("x8") = n;
        register long x0 __asm__("x0") = a;
        register long x1 __asm__("x1") = b;
        register long x2 __asm__("x2") = c;

        __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
        return x0;
}
#else
#error "cart-audit: no system calls written for this architecture"
#endif

static size_t len(const char *s)
{
        size_t n = 0;

        while (s[n])
                n++;
        return n;
}

/* Whether path names a file under CART_PATH "/": absolute, that prefix, and no
 * "." or ".." component that could lead back out. Repeated slashes are harmless
 * (the builder pads paths with them). */
static int in_cart(const char *path)
{
        static const char cart[] = CART_PATH "/";
        const char *p = path;

        for (size_t i = 0; i < sizeof(cart) - 1; i++)
                if (path[i] != cart[i])
                        return 0;
        while (*p) {
                const char *c;

                while (*p == '/')
                        p++;
                c = p;
                while (*p && *p != '/')
                        p++;
                if ((p - c == 1 && c[0] == '.') || (p - c == 2 && c[0] == '.' && c[1] == '.'))
                        return 0;
        }
        return 1;
}

static int has_slash(const char *s)
{
        for (; *s; s++)
                if (*s == '/')
                        return 1;
        return 0;
}

static void say(const char *what, const char *name)
{
        static const char program[] = "crashcart: ";

        sys3(NR_WRITE, 2, (long)program, (long)sizeof(program) - 1);
        sys3(NR_WRITE, 2, (long)what, (long)len(what));
        sys3(NR_WRITE, 2, (long)name, (long)len(name));
        sys3(NR_WRITE, 2, (long)"\n", 1);
}

__attribute__((visibility("default"))) unsigned int la_version(unsigned int version)
{
        return version < LAV_CURRENT ? version : LAV_CURRENT;
}

__attribute__((visibility("default"))) char *la_objsearch(const char *name, uintptr_t *cookie, unsigned int flag)
{
        (void)cookie;
        /* A bare name ("libnss_files.so.2"): the search runs, and each path it
         * tries comes back here. */
        if (flag == LA_SER_ORIG && !has_slash(name))
                return (char *)name;
        return in_cart(name) ? (char *)name : NULL;
}

__attribute__((visibility("default"))) unsigned int la_objopen(struct link_map *map, Lmid_t lmid, uintptr_t *cookie)
{
        const char *name = map->l_name;

        (void)lmid;
        (void)cookie;
        /* The program itself ("") and the vDSO have no path. */
        if (!name || !has_slash(name))
                return 0;
        if (!in_cart(name)) {
                say("refusing to run: an object outside the cart was loaded: ", name);
                sys3(NR_EXIT_GROUP, 127, 0, 0);
        }
        return 0;
}
