# shellcheck shell=bash
# As root, tcpdump gives up root for the user tcpdump, and stops when the
# container has no such user. With -Z root it keeps root; with no root
# either (no /etc/passwd) it runs with a real user ID that is not 0, which
# is what makes it skip the change, and keeps the effective 0 and its
# capabilities.
if ! /dev/crashcart/bin/getent passwd tcpdump >/dev/null 2>&1; then
        if /dev/crashcart/bin/getent passwd root >/dev/null 2>&1; then
                set -- -Z root "$@"
        elif [ "$EUID" = 0 ] && [ -x /dev/crashcart/bin/setpriv ]; then
                exec /dev/crashcart/bin/setpriv --ruid 65534 /dev/crashcart/libexec/tcpdump "$@"
        fi
fi
