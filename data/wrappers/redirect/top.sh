# shellcheck shell=bash
# The cart's toprc, top's defaults: the container's can hold Inspect entries,
# commands that the Y key runs.
export XDG_CONFIG_HOME=/dev/crashcart/etc/xdg
