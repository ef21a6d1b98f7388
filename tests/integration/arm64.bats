#!/usr/bin/env bats
# An arm64 container on this amd64 host, under qemu-user-static through
# binfmt_misc: the amd64 crashcart mounts an arm64 cart into it and runs the
# cart's tools there. The arm64 builds (make arm64) are run as far as qemu-user
# allows. binfmt_misc is left as it was found: mounted or not, the aarch64
# entry registered, enabled or not.

load ../lib/bats

BINFMT=/proc/sys/fs/binfmt_misc
ENTRY=$BINFMT/qemu-aarch64

# What setup_file changed, for teardown_file to undo: "mount", "register",
# "enable", one a line.
binfmt_undo() { echo "$1" >>"$A/binfmt.undo"; }

binfmt_on() {
        : >"$A/binfmt.undo"
        if ! mountpoint -q "$BINFMT"; then
                mount -t binfmt_misc binfmt_misc "$BINFMT"
                binfmt_undo mount
        fi
        if [ ! -e "$ENTRY" ]; then
                update-binfmts --enable qemu-aarch64
                binfmt_undo register
        elif [ "$(head -1 "$ENTRY")" = disabled ]; then
                echo 1 >"$ENTRY"
                binfmt_undo enable
        fi
        # F: the interpreter is opened now, from the host's files, so that a
        # container's exec of an aarch64 program finds it.
        grep -q '^flags: .*F' "$ENTRY"
}

binfmt_restore() {
        [ -f "$A/binfmt.undo" ] || return 0
        grep -qx register "$A/binfmt.undo" && echo -1 >"$ENTRY"
        grep -qx enable "$A/binfmt.undo" && echo 0 >"$ENTRY"
        grep -qx mount "$A/binfmt.undo" && umount "$BINFMT"
        rm -f "$A/binfmt.undo"
}

# A busybox rootfs from Debian's busybox-static:arm64, imported once.
busybox_arm64_image() {
        local rootfs=$A/rootfs a
        # The image and the extracted package that the tests read, both, or anew.
        docker image inspect crashcart-test/busybox-arm64 >/dev/null 2>&1 && [ -f "$A/deb/bin/busybox" ] && return 0
        docker rmi crashcart-test/busybox-arm64 >/dev/null 2>&1 || true
        rm -rf "$A/dl" "$A/deb" "$rootfs"
        # apt's sandbox user writes the download.
        mkdir -p "$A/dl" "$rootfs"/{bin,dev,proc,sys,etc,tmp,root}
        chown _apt "$A/dl"
        (cd "$A/dl" && apt-get download -q busybox-static:arm64 >&2)
        dpkg-deb -x "$A"/dl/busybox-static_*_arm64.deb "$A/deb"
        cp "$A/deb/bin/busybox" "$rootfs/bin/busybox"
        for a in $(qemu-aarch64-static "$rootfs/bin/busybox" --list); do
                [ "$a" = busybox ] || ln -s busybox "$rootfs/bin/$a"
        done
        echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
        echo 'root:x:0:' >"$rootfs/etc/group"
        tar -C "$rootfs" -cf "$A/busybox-arm64.tar" .
        docker import -c 'CMD ["/bin/sh"]' "$A/busybox-arm64.tar" crashcart-test/busybox-arm64 >/dev/null
}

# The arm64 cart of a small list, built again when the builder changes.
arm64_cart() {
        printf '%s\n' bash coreutils procps iproute2 grep tar gzip >"$A/packages.new"
        if [ -s "$CART" ] && cmp -s "$A/packages" "$A/packages.new" && [ "$CART" -nt "$CC_ROOT/build/crashcart-build" ] &&
                [ "$CART" -nt "$CC_ROOT/build/arm64/cart-sh.so" ]; then
                rm "$A/packages.new"
                return 0
        fi
        mv "$A/packages.new" "$A/packages"
        rm -f "$CART"
        "$CC_ROOT/build/crashcart-build" -a arm64 -p "$A/packages" -o "$CART" -c "$A/build-cache" >&2
}

setup_file() {
        command -v qemu-aarch64-static >/dev/null ||
                { echo "arm64.bats needs qemu-user-static and binfmt-support (scripts/deps)" >&2; return 1; }
        make -s -C "$CC_ROOT" build/crashcart build/crashcart-build arm64 >&2
        cc_docker_up
        export A=$CC_CACHE/arm64
        export CART=$A/cart.erofs
        mkdir -p "$A"
        binfmt_on
        busybox_arm64_image
        arm64_cart
        ARM=$(cc_name arm64)
        export ARM
        ARM_PID=$(cc_docker_run "$ARM" crashcart-test/busybox-arm64 sleep 1000000)
        export ARM_PID
}

teardown_file() {
        docker rm -f "$ARM" >/dev/null 2>&1 || true
        binfmt_restore
}

teardown() {
        cc_wait_loops_gone
        cc_assert_host_clean
        cc_assert_container_clean "$ARM_PID"
}

# cart CMD [ARG...]: the cart's CMD in the arm64 container.
cart() {
        local cmd=/dev/crashcart/bin/$1
        shift
        cc_expect 0 "$CRASHCART" -i "$CART" "$ARM" "$cmd" "$@"
}

@test "the container and the cart are arm64: uname -m says aarch64 from both" {
        [ "$(readelf -h "$A/deb/bin/busybox" | sed -n 's/^ *Machine: *//p')" = AArch64 ]
        run -0 docker exec "$ARM" uname -m
        [ "$output" = aarch64 ]
        cart uname -m
        [ "$output" = aarch64 ]
        # shellcheck disable=SC2016 # expanded by the cart's bash
        cart bash -c 'echo "$MACHTYPE"'
        [[ "$output" == aarch64-* ]]
}

@test "bash, ls, ps, ip, grep and tar czf of an arm64 cart run in the arm64 container" {
        # shellcheck disable=SC2016 # expanded by the cart's bash
        cart bash -c 'echo "bash $BASH_VERSION"'
        [[ "$output" == "bash 5."* ]]
        cart ls /dev/crashcart/bin
        grep -qx bash <<<"$output"
        grep -qx ip <<<"$output"
        cart ps -o comm= -p 1
        [ "$output" = sleep ]
        cart ip -o addr show lo
        [[ "$output" == *"inet 127.0.0.1/8"* ]]
        cart grep -x 'root:x:0:' /etc/group
        [ "$output" = root:x:0: ]
        # tar runs gzip through /bin/sh: the cart's (busybox's is there too).
        cart bash -c 'cd /tmp && tar czf t.tgz -C /dev/crashcart bin/bash && tar tzf t.tgz && rm t.tgz'
        [ "$output" = bin/bash ]
}

@test "the arm64 programs load only what is under /dev/crashcart (LD_DEBUG=libs)" {
        local cmd
        # shellcheck disable=SC2154 # stderr: set by bats' run, in cc_expect
        for cmd in "bash --version" "ls --version" "ps --version" "ip -V" "grep --version" "tar --version" \
                "gzip --version"; do
                # shellcheck disable=SC2086 # the command and its option, split
                cart env LD_DEBUG=libs /dev/crashcart/bin/$cmd
                grep -q 'trying file=/dev/crashcart/lib/' <<<"$stderr"
                cc_refute grep -E '(trying file|calling init|file)=/(lib|usr|etc|bin|opt)' <<<"$stderr"
                cc_refute grep -q 'ld.so.cache' <<<"$stderr"
                # Every object initialised is the cart's (the program itself has
                # no name there). The only paths tried outside it are the
                # loader's two decoy directories, /ccx/ and /dev/ccx/ (its /lib/
                # and /usr/lib/, patched by the builder), which cart-audit.so
                # refuses before they are opened.
                grep -q 'calling init: /dev/crashcart/lib/' <<<"$stderr"
                cc_refute grep -vE '^calling (init|fini): /dev/crashcart/' \
                        < <(grep -oE 'calling (init|fini): [^ ]+' <<<"$stderr")
                cc_refute grep -vE '^file=(/dev/crashcart|/ccx|/dev/ccx)/' \
                        < <(grep -oE 'trying file=[^ ]*' <<<"$stderr" | sed 's/^trying //')
        done
}

@test "strace and gdb: not under qemu-user" {
        skip "qemu-user implements no ptrace: strace and gdb cannot run in an arm64 container on an amd64 host"
}

@test "the arm64 crashcart-static and unit tests run under qemu-aarch64" {
        local bin=$CC_ROOT/build/arm64/crashcart-static
        [ "$(readelf -h "$bin" | sed -n 's/^ *Machine: *//p')" = AArch64 ]
        run -0 "$bin" --version
        [[ "${lines[0]}" == "crashcart version "* ]]
        [ "${lines[0]}" = "$("$CRASHCART" --version | head -1)" ]
        grep -qx 'build: static, json-c .*' <<<"$output"
        run -0 "$bin" --help
        [ "$output" = "$("$CRASHCART" --help)" ]
        run --separate-stderr "$bin" --bogus
        [ "$status" = 125 ]
        [[ "$stderr" == "crashcart: unknown option '--bogus'"* ]]
        run -0 "$CC_ROOT/build/arm64/unit-tests" "$CC_ROOT/tests/fixtures"
        [[ "${lines[-1]}" =~ ^[0-9]+\ passed,\ 0\ failed$ ]]
}
