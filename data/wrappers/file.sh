# shellcheck shell=bash
export MAGIC=${MAGIC:-/dev/crashcart/share/misc/magic}
