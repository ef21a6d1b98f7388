#!/usr/bin/env bats
# crashcart the way operators install it: make install, the Debian package (built,
# checked by lintian, installed, used against a real container, purged), the
# static binary, shell completion.

load ../lib/bats

setup_file() {
        cc_docker_up
        cc_build_assets
        cc_cleanup_containers
        export BB=$(cc_name bb)
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
        local deb; deb=$(ls "$CC_ROOT"/build/crashcart_*_*.deb | grep -v dbgsym | tail -1)
        run -0 dpkg -i "$deb"
        [ -x /usr/bin/crashcart ]
        dpkg -L crashcart | grep -qx /usr/share/man/man1/crashcart.1.gz
        run -0 man -l /usr/share/man/man1/crashcart.1.gz
        [[ "$output" == *"crashcart - run debugging tools"* ]]
        [ -d /var/lib/crashcart ]
        cc_expect 0 /usr/bin/crashcart "$BB" /dev/crashcart/bin/echo from-the-package
        [ "$output" = from-the-package ]
        # The installed builder finds its cart-sh.so where the package put it.
        printf 'bash\n' >"$BATS_TEST_TMPDIR/list"
        run -0 /usr/bin/crashcart-build -p "$BATS_TEST_TMPDIR/list" -o "$BATS_TEST_TMPDIR/cart.erofs" \
                -c "$CC_CACHE/package-cache" -k "$BATS_TEST_TMPDIR/tree"
        [ -f "$BATS_TEST_TMPDIR/tree/lib/cart-sh.so" ]
        cc_expect 0 /usr/bin/crashcart -i "$BATS_TEST_TMPDIR/cart.erofs" "$BB" /dev/crashcart/bin/bash -c 'echo "$BASH_VERSION"'
        [[ "$output" == 5.* ]]
        run -0 dpkg -P crashcart
        [ ! -e /usr/bin/crashcart ]
        [ ! -e /usr/share/man/man1/crashcart.1.gz ]
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
