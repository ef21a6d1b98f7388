/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The shell text the cart builder writes into a cart, from data/ (embedded at
 * build time): the wrappers and the rc file. */
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

        CHECK(wrapper_script("file", "bin", &s) == 0);
        CHECK_STR(s, "#!/dev/crashcart/bin/bash\n"
                     "# crashcart: bin/file runs /dev/crashcart/libexec/file after this.\n"
                     "export MAGIC=${MAGIC:-/dev/crashcart/share/misc/magic}\n"
                     "exec -a \"$0\" /dev/crashcart/libexec/file \"$@\"\n");
        free(s);
        for (size_t i = 0; i < ELEMENTSOF(programs); i++) {
                s = NULL;
                CHECK(wrapper_script(programs[i], "sbin", &s) == 0);
                CHECK(s && strncmp(s, "#!" CART_SHELL "\n", strlen(CART_SHELL) + 3) == 0);
                CHECK(s && names_only_the_cart(s));
                CHECK(s && !strstr(s, "# shellcheck"));
                free(s);
        }
        /* curl: the TLS part, then its own. */
        CHECK(wrapper_script("curl", "bin", &s) == 0);
        CHECK(s && strstr(s, "export OPENSSL_CONF=") && strstr(s, "CURL_CA_BUNDLE") &&
              strstr(s, "export OPENSSL_CONF=") < strstr(s, "CURL_CA_BUNDLE"));
        free(s);
        CHECK(wrapper_script("openssl", "bin", &s) == 0);
        CHECK(s && strstr(s, "SSL_CERT_FILE=" CART_PATH "/etc/ssl/certs/ca-certificates.crt\n"));
        free(s);
        CHECK(wrapper_script("ls", "bin", &s) == -ENOENT);
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
