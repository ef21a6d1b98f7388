#!/usr/bin/env bats
# crashcart the way operators install it: make install, the Debian package (built,
# checked by lintian, installed, used against a real container, purged), the
# static binary, shell completion.

load ../lib/bats

setup_file() {
        cc_docker_up
        cc_build_assets
        cc_cleanup_containers
        BB=$(cc_name bb)
        export BB
        BB_PID=$(cc_docker_run "$BB" crashcart-test/busybox sleep 1000000)
        export BB_PID
        export CRASHCART_IMAGE=$CC_CACHE/cart.sqfs
}

teardown_file() {
        cc_cleanup_containers
        dpkg -P crashcart >/dev/null 2>&1 || true
}

teardown() {
        cc_wait_loops_gone
        cc_assert_host_clean
        cc_assert_container_clean "$BB_PID"
}

@test "make install puts everything in its place under PREFIX and DESTDIR" {
        local d=$BATS_TEST_TMPDIR/root
        make -s -C "$CC_ROOT" install DESTDIR="$d" PREFIX=/usr
        [ -x "$d/usr/bin/crashcart" ]
        [ -f "$d/usr/share/man/man1/crashcart.1" ]
        [ -f "$d/usr/share/bash-completion/completions/crashcart" ]
        [ -f "$d/usr/share/zsh/vendor-completions/_crashcart" ]
        [ -d "$d/var/lib/crashcart" ]
        [ -x "$d/usr/bin/crashcart-build" ]
        [ -f "$d/usr/lib/crashcart/cart-sh.so" ]
        [ -f "$d/usr/share/crashcart/default.list" ]
        # The kubectl plugin and its completion, on PATH where kubectl finds them.
        [ -x "$d/usr/bin/kubectl-crashcart" ]
        [ -x "$d/usr/bin/kubectl_complete-crashcart" ]
        run -0 "$d/usr/bin/kubectl-crashcart" --help
        [[ "$output" == *"kubectl crashcart POD"* ]]
        run -0 env LC_ALL=C MANWIDTH=200 man --warnings -l "$d/usr/share/man/man1/kubectl-crashcart.1"
        [[ "$(tr -s " " <<<"$output")" == *"kubectl-crashcart - run crashcart in a container"* ]]
        # A .so link, read from the top of its hierarchy as man reads it.
        # shellcheck disable=SC2016 # $1 is the inner shell's
        run -0 bash -c 'cd "$1/usr/share/man" && LC_ALL=C MANWIDTH=200 man -l man1/kubectl_complete-crashcart.1' _ "$d"
        [[ "$(tr -s " " <<<"$output")" == *"kubectl-crashcart - run crashcart in a container"* ]]
        # The man pages are well-formed roff.
        run -0 man --warnings -l "$d/usr/share/man/man1/crashcart.1"
        [[ "$output" == *"crashcart - run debugging tools"* ]]
        run -0 --separate-stderr man --warnings -l "$d/usr/share/man/man1/crashcart-build.1"
        [[ "$(tr -s " " <<<"$output")" == *"crashcart-build - build a crashcart cart image"* ]]
        [ -z "$stderr" ]
}

@test "the static binary is static, and does the main job" {
        make -s -C "$CC_ROOT" static
        run ldd "$CC_ROOT/build/crashcart-static"
        [[ "$output" == *"not a dynamic executable"* ]]
        run -0 "$CC_ROOT/build/crashcart-static" --version
        [[ "$output" == *"build: static"* ]]
        cc_expect 0 "$CC_ROOT/build/crashcart-static" "$BB" /dev/crashcart/bin/echo static-ok
        [ "$output" = static-ok ]
        cc_expect 0 "$CC_ROOT/build/crashcart-static" --user app "$BB" /dev/crashcart/bin/id -u
        [ "$output" = 1000 ]
}

@test "the Debian package: built, lintian-clean, installed, used, purged" {
        run -0 "$CC_ROOT/scripts/build-deb"
        local debs=("$CC_ROOT"/build/crashcart_*_*.deb) w=$CC_CACHE/package-builder
        run -0 dpkg -i "${debs[-1]}"
        [ -x /usr/bin/crashcart ]
        dpkg -L crashcart | grep -qx /usr/share/man/man1/crashcart.1.gz
        dpkg -L crashcart | grep -qx /usr/bin/kubectl-crashcart
        dpkg -L crashcart | grep -qx /usr/bin/kubectl_complete-crashcart
        run -0 man -l /usr/share/man/man1/crashcart.1.gz
        [[ "$output" == *"crashcart - run debugging tools"* ]]
        [ -d /var/lib/crashcart ]
        cc_expect 0 /usr/bin/crashcart "$BB" /dev/crashcart/bin/echo from-the-package
        [ "$output" = from-the-package ]
        # The installed builder builds a cart, run by an ordinary user, from what
        # the package installed alone: it was compiled for /usr, and whatever a
        # 'make install' left under /usr/local (hidden here) cannot stand in for it.
        cc_refute grep -qaE '/usr/local/(lib|share)/crashcart' /usr/bin/crashcart-build
        rm -rf "$w/tree" "$w/cart.erofs"
        mkdir -p "$w"
        printf 'bash\n' >"$w/list"
        chown -R 65534:65534 "$w"
        # shellcheck disable=SC2016 # $1 is the inner script's
        cc_expect 0 unshare -m bash -c '
                for d in /usr/local/lib/crashcart /usr/local/share/crashcart; do
                        [ ! -d "$d" ] || mount -t tmpfs -o ro tmpfs "$d" || exit 1
                done
                exec setpriv --reuid 65534 --regid 65534 --clear-groups env HOME="$1" XDG_CACHE_HOME="$1/cache" \
                        /usr/bin/crashcart-build -p "$1/list" -o "$1/cart.erofs" -k "$1/tree"' _ "$w"
        [ "$(stat -c %U "$w/cart.erofs")" = nobody ]
        [ -f "$w/tree/lib/cart-sh.so" ]
        # Installed by root, as an operator installs a cart, and used.
        install -m 0644 "$w/cart.erofs" "$CC_CACHE/package-cart.erofs"
        # shellcheck disable=SC2016 # expanded by the shell in the container, not here
        cc_expect 0 /usr/bin/crashcart -i "$CC_CACHE/package-cart.erofs" "$BB" /dev/crashcart/bin/bash -c 'echo "$BASH_VERSION"'
        [[ "$output" == 5.* ]]
        rm -rf "$w/tree" "$w/cart.erofs" "$CC_CACHE/package-cart.erofs"
        run -0 dpkg -P crashcart
        [ ! -e /usr/bin/crashcart ]
        [ ! -e /usr/bin/crashcart-build ]
        [ ! -e /usr/lib/crashcart/cart-sh.so ]
        [ ! -e /usr/share/man/man1/crashcart.1.gz ]
        [ ! -e /usr/bin/kubectl-crashcart ]
}

@test "bash completion: options, runtimes, and the names of running containers" {
        complete_words() {
                PATH=$CC_ROOT/build:$PATH bash -c '
                        source /usr/share/bash-completion/bash_completion
                        source "$0/completion/crashcart.bash"
                        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
                        COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
                        _crashcart
                        printf "%s\n" "${COMPREPLY[@]}"' "$CC_ROOT" "$@"
        }
        run complete_words crashcart --ru
        [ "$output" = --runtime ]
        run complete_words crashcart -r pod
        [ "$output" = podman ]
        run complete_words crashcart "${BB:0:10}"
        [[ "$output" == *"$BB"* ]]
        run complete_words crashcart "$BB" /dev/crashcart/b
        [ "$output" = /dev/crashcart/bin/ ]
}
