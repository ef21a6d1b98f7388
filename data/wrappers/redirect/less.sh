# shellcheck shell=bash
# No lesskey file of the container's: its #env section can set LESSOPEN, a
# command. Its v command runs $VISUAL or $EDITOR, else the cart's vi.
export LESSKEYIN=/dev/crashcart/etc/empty LESSKEY=/dev/crashcart/etc/empty
export LESSKEYIN_SYSTEM=/dev/crashcart/etc/empty LESSKEY_SYSTEM=/dev/crashcart/etc/empty
[ -n "${VISUAL:-}${EDITOR:-}" ] || export EDITOR=/dev/crashcart/bin/vi
