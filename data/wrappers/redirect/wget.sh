# shellcheck shell=bash
# No wgetrc of the container's: use_askpass names a program to run.
set -- --no-config "$@"
