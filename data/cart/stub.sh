#!/dev/crashcart/bin/sh
# crashcart: a program the cart's tools run by name (a decompressor, a preprocessor)
# that the cart does not have. It stands here, first in PATH, so that the search
# never reaches the container's program of that name.
echo "crashcart: ${0##*/} is not in the cart" >&2
exit 127
