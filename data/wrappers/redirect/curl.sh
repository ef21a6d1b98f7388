# shellcheck shell=bash
# No curlrc of the container's (-q must come first): it can name an engine
# library to load, or turn off the checks of the operator's transfers.
set -- -q "$@"
