# shellcheck shell=bash
# man-db: its configuration, the cart's pages first, groff from the cart.
export MANPATH=/dev/crashcart/share/man:${MANPATH:-}
export GROFF_BIN_PATH=/dev/crashcart/bin GROFF_FONT_PATH=/dev/crashcart/share/groff/current/font
export GROFF_TMAC_PATH=/dev/crashcart/share/groff/current/tmac:/dev/crashcart/usr/lib/groff/site-tmac:/dev/crashcart/etc/groff
set -- -C /dev/crashcart/etc/manpath.config "$@"
