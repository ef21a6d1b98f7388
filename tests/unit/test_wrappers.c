/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The shell text the cart builder writes into a cart, from data/ (embedded at
 * build time): the wrappers and the rc file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cart-build/wrappers.h"
#include "cart/layout.h"
#include "harness.h"

/* data/'s texts name the cart's place as it is, /dev/crashcart: that place must
 * be CART_PATH, and no other /dev path but /dev/null may appear. */
static bool names_only_the_cart(const char *text)
{
        for (const char *p = text; (p = strstr(p, "/dev/")); p++)
                if (strncmp(p, CART_PATH, strlen(CART_PATH)) != 0 && strncmp(p, "/dev/null", 9) != 0)
                        return false;
        return strstr(text, CART_PATH "/") != NULL;
}

TEST(wrapper_scripts)
{
        static const char *const programs[] = { "man", "curl", "wget", "openssl", "tcpdump",
                                                "lsof", "file", "gdb", "vim.tiny" };
        char *s = NULL;

        CHECK(wrapper_script("file", "bin", false, &s) == 0);
        CHECK_STR(s, "#!/dev/crashcart/bin/bash\n"
                     "# crashcart: bin/file runs /dev/crashcart/libexec/file after this.\n"
                     "export MAGIC=${MAGIC:-/dev/crashcart/share/misc/magic}\n"
                     "exec -a \"$0\" /dev/crashcart/libexec/file \"$@\"\n");
        free(s);
        for (size_t i = 0; i < ELEMENTSOF(programs); i++) {
                s = NULL;
                CHECK(wrapper_script(programs[i], "sbin", false, &s) == 0);
                CHECK(s && strncmp(s, "#!" CART_SHELL "\n", strlen(CART_SHELL) + 3) == 0);
                CHECK(s && names_only_the_cart(s));
                CHECK(s && !strstr(s, "# shellcheck"));
                free(s);
        }
        /* curl: the TLS part, then its own. */
        CHECK(wrapper_script("curl", "bin", false, &s) == 0);
        CHECK(s && strstr(s, "export OPENSSL_CONF=") && strstr(s, "CURL_CA_BUNDLE") &&
              strstr(s, "export OPENSSL_CONF=") < strstr(s, "CURL_CA_BUNDLE"));
        free(s);
        CHECK(wrapper_script("openssl", "bin", false, &s) == 0);
        CHECK(s && strstr(s, "SSL_CERT_FILE=" CART_PATH "/etc/ssl/certs/ca-certificates.crt\n"));
        free(s);
        CHECK(wrapper_script("ls", "bin", false, &s) == -ENOENT);
}

/* The redirections' parts (harden.c), only in a cart that has them. */
TEST(wrapper_scripts_redirect)
{
        static const char *const programs[] = { "curl", "wget", "gdb", "less", "top" };
        char *s = NULL;

        for (size_t i = 0; i < ELEMENTSOF(programs); i++) {
                s = NULL;
                CHECK(wrapper_script(programs[i], "bin", true, &s) == 0);
                CHECK(s && names_only_the_cart(s) && !strstr(s, "/dev/null") && !strstr(s, "# shellcheck"));
                free(s);
        }
        /* curl's -q must be its first argument: the last part, just before exec. */
        CHECK(wrapper_script("curl", "bin", true, &s) == 0);
        CHECK(s && strstr(s, "set -- -q \"$@\"\nexec -a \"$0\" " CART_PATH "/libexec/curl \"$@\"\n"));
        free(s);
        CHECK(wrapper_script("curl", "bin", false, &s) == 0);
        CHECK(s && !strstr(s, "-q"));
        free(s);
        CHECK(wrapper_script("wget", "bin", true, &s) == 0);
        CHECK(s && strstr(s, "set -- --no-config \"$@\"\nexec -a"));
        free(s);
        CHECK(wrapper_script("gdb", "bin", true, &s) == 0);
        CHECK(s && strstr(s, "export EDITOR=${EDITOR:-" CART_PATH "/bin/vi}\n"));
        free(s);
        CHECK(wrapper_script("less", "bin", true, &s) == 0);
        CHECK(s && strstr(s, "LESSKEY_SYSTEM=" CART_PATH "/etc/empty"));
        free(s);
        CHECK(wrapper_script("top", "bin", true, &s) == 0);
        CHECK(s && strstr(s, "export XDG_CONFIG_HOME=" CART_PATH "/etc/xdg\n"));
        free(s);
        /* No wrapper at all without the redirections. */
        CHECK(wrapper_script("less", "bin", false, &s) == -ENOENT);
        CHECK(wrapper_script("top", "bin", false, &s) == -ENOENT);
}

/* The files the redirections write into the cart, from data/cart/. */
TEST(redirect_data)
{
        const char *nss = embedded_text("cart/nsswitch.conf"), *toprc = embedded_text("cart/toprc");
        const char *stub = embedded_text("cart/stub.sh");

        CHECK(nss && strstr(nss, "\npasswd:     files\n") && strstr(nss, "\nhosts:      files dns\n"));
        /* Every database of glibc's, and no module but libc's own. */
        for (const char *db = "passwd group shadow gshadow initgroups hosts networks protocols services ethers "
                              "rpc netgroup aliases publickey";
             nss && *db;) {
                char name[32];
                size_t n = strcspn(db, " ");

                snprintf(name, sizeof(name), "\n%.*s:", (int)n, db);
                if (!strstr(nss, name))
                        harness_fail(__FILE__, __LINE__, "no %s in nsswitch.conf", name + 1);
                db += n + strspn(db + n, " ");
        }
        for (const char *l = nss; l && *l; l += strcspn(l, "\n") + 1) {
                size_t n = strcspn(l, "\n");
                char line[128];

                snprintf(line, sizeof(line), "%.*s", (int)n, l);
                if (line[0] == '#' || !line[0])
                        continue;
                *strchr(line, ':') = 0;
                CHECK(strcmp(line + strlen(line) + 1 + strspn(line + strlen(line) + 1, " "), "files") == 0 ||
                      strcmp(line + strlen(line) + 1 + strspn(line + strlen(line) + 1, " "), "files dns") == 0);
                if (!l[n])
                        break;
        }
        CHECK(toprc && strncmp(toprc, "top's Config File", 17) == 0 && !strstr(toprc, "pipe\t") &&
              !strstr(toprc, "file\t"));
        CHECK(stub && strncmp(stub, "#!" CART_SH "\n", strlen(CART_SH) + 3) == 0 && strstr(stub, "exit 127\n"));
}

TEST(rcfile_text)
{
        char *with = NULL, *without = NULL;

        CHECK(rcfile_text(true, &with) == 0);
        CHECK(rcfile_text(false, &without) == 0);
        if (!with || !without)
                return;
        CHECK(strncmp(with, "# crashcart: ", 13) == 0);
        /* The cart's directories first, each once. */
        CHECK(strstr(with, "\nexport PATH=" CART_PATH_PREFIX "${_cc_path:+:$_cc_path}\n"));
        CHECK(strncmp(with, without, strlen(without)) == 0);
        CHECK(strstr(with, ". " CART_PATH "/share/bash-completion/bash_completion\n"));
        CHECK(!strstr(without, "bash_completion"));
        CHECK(!strstr(with, "# shellcheck"));
        CHECK(names_only_the_cart(with));
        free(with);
        free(without);
}
