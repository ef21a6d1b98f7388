# shellcheck shell=bash
# A shell that is there; no init files of the container's (/etc/gdb, ~/.gdbinit),
# nor its auto-load scripts: they would run with crashcart's privileges.
[ -x "${SHELL:-}" ] || export SHELL=/dev/crashcart/bin/bash
set -- -nx -iex 'set auto-load safe-path /dev/crashcart' "$@"
