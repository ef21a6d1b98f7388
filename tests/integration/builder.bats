#!/usr/bin/env bats
# crashcart-build: a cart from Debian's own packages, built by an ordinary user,
# whose tools run in a scratch, a musl and a glibc container, loading nothing
# but what is under /dev/crashcart.

load ../lib/bats

setup_file() {
        cc_docker_up
        cc_build_assets
        cc_cleanup_containers
        export BUILD=$CC_ROOT/build/crashcart-build
        # Built as nobody, in a directory of nobody's, with the cache there.
        export W=$CC_CACHE/builder
        mkdir -p "$W"
        chown 65534:65534 "$W"
        printf '# a few tools\nbash\ncoreutils\nprocps # ps\ngrep\nsed\nfindutils\nless\ntar\ngzip\n' >"$W/packages"
        SCR=$(cc_name scratch)
        export SCR
        SCR_PID=$(cc_docker_run "$SCR" crashcart-test/scratch)
        export SCR_PID
}

teardown_file() {
        cc_cleanup_containers
}

teardown() {
        cc_wait_loops_gone
        cc_assert_host_clean
}

as_nobody() {
        setpriv --reuid 65534 --regid 65534 --clear-groups env HOME="$W" XDG_CACHE_HOME="$W/cache" "$@"
}

@test "an ordinary user builds a cart in each format; its tools run in a scratch container" {
        for fmt in erofs squashfs ext4; do
                rm -f "$W/cart.$fmt" # root's, from a run before
                run -0 as_nobody "$BUILD" -p "$W/packages" -o "$W/cart.$fmt" -f "$fmt"
                [ "$(stat -c %U "$W/cart.$fmt")" = nobody ]
                # Whoever can write a cart runs code as root in the containers it
                # goes into: crashcart takes it only when it is root's, or with -f.
                cc_expect 125 "$CRASHCART" -i "$W/cart.$fmt" "$SCR" /dev/crashcart/bin/true
                cc_one_error_line
                # shellcheck disable=SC2154 # stderr: set by bats' run --separate-stderr (cc_expect)
                [[ "$stderr" == *"not owned by root"* ]]
                if [ "$fmt" = erofs ]; then
                        cc_expect 0 "$CRASHCART" -f -i "$W/cart.$fmt" "$SCR" /dev/crashcart/bin/true
                        [[ "$stderr" == *"used anyway"* ]]
                fi
                chown root:root "$W/cart.$fmt"
                # shellcheck disable=SC2016 # expanded by the shell in the container, not here
                cc_expect 0 "$CRASHCART" -i "$W/cart.$fmt" "$SCR" /dev/crashcart/bin/bash -c \
                        'echo "$BASH_VERSION"; ls /; ps -e -o comm; echo abc | sed s/b/X/ | grep aXc; find /dev/crashcart/bin -name ls'
                [[ "$output" == 5.* ]]
                [[ "$output" == *pause* ]]
                grep -qx pause <<<"$output"
                grep -qx aXc <<<"$output"
                grep -qx /dev/crashcart/bin/ls <<<"$output"
        done
        # An image named by a relative path, in the directory it is run in.
        run -0 bash -c "cd '$W' && setpriv --reuid 65534 --regid 65534 --clear-groups env HOME='$W' XDG_CACHE_HOME='$W/cache' '$BUILD' -p packages -o relative.erofs"
        [ -s "$W/relative.erofs" ]
        # No work directory is left beside the images.
        cc_refute ls -d "$W"/*.build-*
        # A second build reuses what was fetched: nothing is downloaded.
        local debs; debs=$(find "$W/cache/crashcart-build/debs" -mindepth 1 -maxdepth 1 | wc -l)
        run -0 as_nobody "$BUILD" -v -p "$W/packages" -o "$W/again.erofs"
        [[ "$output" == *", 0 to fetch"* ]]
        [ "$(find "$W/cache/crashcart-build/debs" -mindepth 1 -maxdepth 1 | wc -l)" = "$debs" ]
}

@test "the cart's programs run and load only what is under /dev/crashcart, in a musl and a glibc container too" {
        local target prog musl glibc
        cc_libc_images "$W/cache/crashcart-build/debs"
        musl=$(cc_name musl); glibc=$(cc_name glibc)
        cc_docker_run "$musl" crashcart-test/musl >/dev/null
        cc_docker_run "$glibc" crashcart-test/glibc >/dev/null
        for target in "$SCR" "$musl" "$glibc"; do
                for prog in bash ls ps grep tar; do
                        cc_expect 0 "$CRASHCART" -i "$W/cart.erofs" "$target" /dev/crashcart/bin/env LD_DEBUG=libs \
                                /dev/crashcart/bin/$prog --version
                        # Every library opened, and the loader's cache and preload
                        # files never read: LD_DEBUG lists what the loader tries.
                        grep -q 'trying file=/dev/crashcart/lib/' <<<"$stderr"
                        cc_refute grep -E '(trying file|calling init|file)=/(lib|usr|etc)' <<<"$stderr"
                        cc_refute grep -q 'ld.so.cache' <<<"$stderr"
                done
                # tar runs gzip through /bin/sh: the cart's, where the container has none.
                cc_expect 0 "$CRASHCART" -i "$W/cart.erofs" "$target" /dev/crashcart/bin/bash -c \
                        'cd /dev/shm && tar czf t.tgz -C /dev/crashcart .crashcartrc && tar tzf t.tgz && rm t.tgz'
                [ "$output" = .crashcartrc ]
                cc_expect 0 "$CRASHCART" -i "$W/cart.erofs" "$target" /dev/crashcart/bin/ps -o comm= -p 1
                [ "$output" = pause ]
        done
        docker rm -f "$musl" "$glibc" >/dev/null
        docker rmi crashcart-test/musl crashcart-test/glibc >/dev/null
}

@test "the reference system's paths, the rcfile, and the default cart crashcart finds" {
        # shellcheck disable=SC2016 # expanded by the shell in the container, not here
        cc_expect 0 "$CRASHCART" -i "$W/cart.erofs" "$SCR" /dev/crashcart/profile/bin/bash \
                --rcfile /dev/crashcart/.crashcartrc -i -c 'echo "$PATH"'
        [[ "$(tail -1 <<<"$output")" == /dev/crashcart/sbin:/dev/crashcart/bin:* ]]
        # Installed where crashcart looks, in a mount namespace of the test's own.
        run --separate-stderr unshare -m --propagation private bash -c "
                mkdir -p /var/lib/crashcart && mount -t tmpfs none /var/lib/crashcart &&
                cp '$W/cart.erofs' /var/lib/crashcart/crashcart.img &&
                CRASHCART_IMAGE= '$CRASHCART' $SCR_PID /dev/crashcart/bin/bash -c 'echo default-cart'"
        [ "$status" = 0 ] && [ "$output" = default-cart ]
}

@test "bad package lists: one line, a non-zero exit, nothing written" {
        printf 'bash\nNot A Package\n' >"$W/bad"
        run --separate-stderr as_nobody "$BUILD" -p "$W/bad" -o "$W/bad.img"
        [ "$status" = 1 ]
        [ "$stderr" = "crashcart-build: '$W/bad', line 2: not a package name" ]
        printf 'no-such-package-at-all\n' >"$W/unknown"
        run --separate-stderr as_nobody "$BUILD" -p "$W/unknown" -o "$W/bad.img"
        [ "$status" = 1 ]
        [[ "$stderr" == *"apt cannot resolve"* ]]
        [ ! -e "$W/bad.img" ]
        cc_refute ls -d "$W"/bad.img.build-*
        run --separate-stderr "$BUILD" -p "$W/packages"
        [ "$status" = 1 ]
}
