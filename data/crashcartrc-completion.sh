# shellcheck shell=bash

# completion, with none of the container's completion scripts
export BASH_COMPLETION_COMPAT_DIR=/dev/crashcart/etc/bash_completion.d
export BASH_COMPLETION_USER_FILE=/dev/crashcart/etc/empty XDG_DATA_DIRS=/dev/crashcart/share
export BASH_COMPLETION_USER_DIR=/dev/crashcart/share/bash-completion
# shellcheck source=/dev/null # the cart's, read where the cart is mounted
. /dev/crashcart/share/bash-completion/bash_completion
