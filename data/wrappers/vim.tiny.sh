# shellcheck shell=bash
# The cart's vimrc, not the container's; no .viminfo written into the container.
if [ -r /dev/crashcart/etc/vim/vimrc.tiny ]; then
        set -- -u /dev/crashcart/etc/vim/vimrc.tiny -i NONE "$@"
else
        set -- -u NONE -i NONE "$@"
fi
