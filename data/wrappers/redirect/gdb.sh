# shellcheck shell=bash
# gdb's edit runs $EDITOR, else the container's /bin/ex.
export EDITOR=${EDITOR:-/dev/crashcart/bin/vi}
