#!/usr/bin/env bats
# crashcart's main job against real Docker and runc containers: resolve, mount a
# cart of each format, run, unmount, and leave nothing behind.

load ../lib/bats

setup_file() {
        cc_docker_up
        cc_build_assets
        cc_cleanup_containers
        BB=$(cc_name bb) SCR=$(cc_name scratch) RO=$(cc_name ro)
        export BB SCR RO
        BB_PID=$(cc_docker_run "$BB" --hostname bbhost crashcart-test/busybox sleep 1000000)
        export BB_PID
        SCR_PID=$(cc_docker_run "$SCR" crashcart-test/scratch)
        export SCR_PID
        RO_PID=$(cc_docker_run "$RO" --read-only --tmpfs /dev:ro,dev,exec,suid,mode=755 crashcart-test/busybox sleep 1000000)
        export RO_PID
        export CRASHCART_IMAGE=$CC_CACHE/cart.ext4
}

teardown_file() {
        cc_cleanup_containers
}

teardown() {
        cc_wait_loops_gone
        cc_assert_host_clean
        for p in "$BB_PID" "$SCR_PID" "$RO_PID"; do cc_assert_container_clean "$p"; done
}

@test "a Docker container by name, full id, unique prefix and docker://id" {
        local id; id=$(docker inspect -f '{{.Id}}' "$BB")
        for ref in "$BB" "$id" "${id:0:12}" "docker://$id"; do
                cc_expect 0 "$CRASHCART" "$ref" /dev/crashcart/bin/echo hello
                [ "$output" = hello ]
        done
}

@test "every cart format in a scratch container: output and exit status" {
        for img in cart.ext4 cart.sqfs cart.erofs cart; do
                cc_expect 0 "$CRASHCART" -i "$CC_CACHE/$img" "$SCR" /dev/crashcart/bin/ls /
                [[ "$output" == *pause* ]]
                cc_expect 7 "$CRASHCART" -i "$CC_CACHE/$img" "$SCR" /dev/crashcart/bin/sh -c 'exit 7'
                cc_expect 143 "$CRASHCART" -i "$CC_CACHE/$img" "$SCR" /dev/crashcart/bin/sh -c 'kill -TERM $$'
                cc_wait_loops_gone
                cc_assert_container_clean "$SCR_PID"
        done
}

@test "no command: the cart's bash with its rcfile, interactive" {
        cc_expect 0 "$CRASHCART" "$SCR"
        [ "$output" = "cart-bash --rcfile /dev/crashcart/.crashcartrc -i" ]
}

@test "stdin, stdout and stderr pass through" {
        run --separate-stderr bash -c "echo hi | '$CRASHCART' '$BB' /dev/crashcart/bin/cat"
        [ "$status" = 0 ]
        [ "$output" = hi ]
        run --separate-stderr "$CRASHCART" "$BB" /dev/crashcart/bin/sh -c 'echo out; echo err >&2'
        [ "$status" = 0 ]
        [ "$output" = out ]
        [ "$stderr" = err ]
}

@test "the command runs in the container's namespaces, root and cgroups" {
        cc_expect 0 "$CRASHCART" "$BB" /dev/crashcart/bin/hostname
        [ "$output" = bbhost ]
        cc_expect 0 "$CRASHCART" "$BB" /dev/crashcart/bin/cat /proc/1/cmdline
        [[ "$output" == sleep* ]]
        cc_expect 0 "$CRASHCART" "$SCR" /dev/crashcart/bin/sh -c 'echo $$; pwd; ls /'
        [ "$(sed -n 1p <<<"$output")" -lt 100 ]
        [ "$(sed -n 2p <<<"$output")" = / ]
        [[ "$output" == *pause* ]]
        # Its cgroup is the container's.
        cc_expect 0 "$CRASHCART" "$BB" /dev/crashcart/bin/cat /proc/self/cgroup
        [ "$(grep '^0::' <<<"$output")" = "$(grep '^0::' "/proc/$BB_PID/cgroup")" ]
        # No descriptor of crashcart's or the test's reaches it.
        cc_expect 0 "$CRASHCART" "$BB" /dev/crashcart/bin/ls /proc/self/fd
        [ "$(tr '\n' ' ' <<<"$output")" = "0 1 2 3 " ]   # 3: ls's own directory
        # Nothing of the host's environment either.
        LD_PRELOAD=/nonexistent.so SECRET=1 cc_expect 0 "$CRASHCART" "$BB" /dev/crashcart/bin/env
        [[ "$output" != *SECRET* ]]
        [[ "$output" != *LD_PRELOAD* ]]
}

@test "-m leaves the cart mounted, once; a run keeps it; -u removes it" {
        cc_expect 0 "$CRASHCART" -m "$BB"
        cc_expect 0 "$CRASHCART" -m "$BB"
        [ "$(grep -c ' /dev/crashcart ' "/proc/$BB_PID/mountinfo")" = 1 ]
        [ -n "$(cc_test_loops)" ]
        run docker exec "$BB" /dev/crashcart/bin/echo via-docker-exec
        [ "$output" = via-docker-exec ]
        cc_expect 0 "$CRASHCART" "$BB" /dev/crashcart/bin/true
        [ "$(grep -c ' /dev/crashcart ' "/proc/$BB_PID/mountinfo")" = 1 ]
        # With no image named, a run uses the cart that is there.
        CRASHCART_IMAGE='' cc_expect 0 "$CRASHCART" "$BB" /dev/crashcart/bin/echo reused
        [ "$output" = reused ]
        cc_expect 0 "$CRASHCART" -u "$BB"
        cc_assert_container_clean "$BB_PID"
        # Nothing holds the cart any more: its loop device frees itself.
        cc_wait_loops_gone
        # Not mounted: nothing to do, and no error.
        cc_expect 0 "$CRASHCART" -u "$BB"
        [ -z "$stderr" ]
        cc_assert_container_clean "$BB_PID"
}

@test "a read-only /dev is made writable for a moment and restored exactly" {
        local before; before=$(grep ' /dev ' "/proc/$RO_PID/mountinfo")
        [[ "$before" == *" /dev ro,"* ]]
        cc_expect 0 "$CRASHCART" "$RO" /dev/crashcart/bin/echo ro-ok
        [ "$output" = ro-ok ]
        [ "$(grep ' /dev ' "/proc/$RO_PID/mountinfo")" = "$before" ]
        cc_expect 0 "$CRASHCART" -m "$RO"
        [ "$(grep ' /dev ' "/proc/$RO_PID/mountinfo")" = "$before" ]
        cc_expect 0 "$CRASHCART" -u "$RO"
        [ "$(grep ' /dev ' "/proc/$RO_PID/mountinfo")" = "$before" ]
        cc_expect 0 "$CRASHCART" --legacy-mount "$RO" /dev/crashcart/bin/true
        [ "$(grep ' /dev ' "/proc/$RO_PID/mountinfo")" = "$before" ]
}

@test "runc containers by PID, with and without a user namespace" {
        local plain userns
        plain=$(cc_runc_run cctest-plain-$$)
        cc_expect 0 "$CRASHCART" "$plain" /dev/crashcart/bin/cat /proc/1/cmdline
        [[ "$output" == sleep* ]]
        userns=$(cc_runc_run cctest-userns-$$ userns rodev)
        grep -q '100000' "/proc/$userns/uid_map"
        for img in cart.ext4 cart.erofs cart.sqfs cart; do
                cc_expect 0 "$CRASHCART" -i "$CC_CACHE/$img" "$userns" /dev/crashcart/bin/sh -c \
                        'id -u; stat -c %u /dev/crashcart/bin/busybox; stat -c %u /dev/crashcart'
                # Root of the container, owning the cart's files (idmapped mount).
                [ "$output" = "$(printf '0\n0\n0')" ]
        done
        cc_assert_container_clean "$plain"
        cc_assert_container_clean "$userns"
        cc_runc_rm cctest-plain-$$
        cc_runc_rm cctest-userns-$$
}

@test "--legacy-mount: mount(2) on descriptors, then nothing left" {
        for img in cart.ext4 cart.sqfs cart.erofs; do
                cc_expect 0 "$CRASHCART" --legacy-mount -i "$CC_CACHE/$img" "$BB" /dev/crashcart/bin/sh -c \
                        'grep " /dev/crashcart " /proc/self/mountinfo'
                # The source named as the descriptor it was: no device node in the container.
                [[ "$output" == *" self/fd/"* ]]
                # A loop device's (major 7), whole.
                [[ "$output" == *" 7:"*" / /dev/crashcart "* ]]
                cc_assert_container_clean "$BB_PID"
        done
        cc_expect 125 "$CRASHCART" --legacy-mount -i "$CC_CACHE/cart" "$BB" /dev/crashcart/bin/true
        cc_one_error_line
}

@test "bad input: one line, exit 125, nothing left" {
        docker create --name "$(cc_name stopped)" --label crashcart-test=1 crashcart-test/busybox >/dev/null
        local cases=(
                "4000000|/dev/crashcart/bin/true"
                "no-such-container|/dev/crashcart/bin/true"
                "$$|/dev/crashcart/bin/true"
                "../../etc|/dev/crashcart/bin/true"
        )
        for c in "${cases[@]}"; do
                cc_expect 125 "$CRASHCART" "${c%%|*}" "${c#*|}"
                cc_one_error_line
        done
        [[ "$stderr" == *"crashcart's mount namespace"* ]] || true
        # A stopped container cannot take a cart to keep (a run of it is post-mortem).
        cc_expect 125 "$CRASHCART" -m "$(cc_name stopped)"
        cc_one_error_line
        for img in /nonexistent.img bad-truncated.img bad-random.img bad-empty.img /nonexistent-dir/; do
                [[ "$img" == /* ]] || img=$CC_CACHE/$img
                cc_expect 125 "$CRASHCART" -i "$img" "$BB" /dev/crashcart/bin/true
                cc_one_error_line
        done
        [[ "$stderr" == *"No such file"* ]]
        cc_expect 125 "$CRASHCART" -i "$CC_CACHE/bad-truncated.img" "$BB" /dev/crashcart/bin/true
        [[ "$stderr" == *truncated* ]]
        cc_expect 125 "$CRASHCART" --bogus "$BB"
        [[ "$stderr" == *"Try 'crashcart --help'"* ]]
        cc_expect 125 "$CRASHCART"
}

@test "a stopped container says so: -m and -p need it running; a run is post-mortem (postmortem.bats)" {
        local n; n=$(cc_name stopped2)
        docker create --name "$n" --label crashcart-test=1 crashcart-test/busybox >/dev/null
        cc_expect 125 "$CRASHCART" -m "$n"
        cc_one_error_line
        [[ "$stderr" == *"not running"* ]]
        # One that ran and was stopped, by name and by id.
        n=$(cc_name stopped3)
        cc_docker_run "$n" crashcart-test/busybox sleep 1000000 >/dev/null
        docker stop -t 0 "$n" >/dev/null
        for ref in "$n" "$(docker inspect -f '{{.Id}}' "$n")"; do
                cc_expect 125 "$CRASHCART" -p "$ref"
                cc_one_error_line
                [[ "$stderr" == *"not running"* ]]
                cc_expect 0 "$CRASHCART" "$ref" /dev/crashcart/bin/true
                [[ "$stderr" == *"is not running: a post-mortem sandbox"* ]]
        done
}

@test "an ambiguous id prefix lists the candidates, each once" {
        # Containers until two ids share a first hex digit that is a letter (a
        # number is taken as a PID): usually about ten, 60 at most. Running ones,
        # which Docker's own containerd knows too (namespace moby), and stopped ones.
        local i prefix="" id matches
        for i in $(seq 60); do
                if [ $((i % 2)) = 0 ]; then
                        cc_docker_run "$(cc_name "amb$i")" crashcart-test/busybox sleep 1000000 >/dev/null
                else
                        docker create --name "$(cc_name "amb$i")" --label crashcart-test=1 crashcart-test/busybox >/dev/null
                fi
                prefix=$(docker ps -aq --no-trunc | cut -c1 | grep '[a-f]' | sort | uniq -d | head -1)
                [ -n "$prefix" ] && break
        done
        [ -n "$prefix" ]
        matches=$(docker ps -aq --no-trunc | grep "^$prefix")
        [ "$(wc -l <<<"$matches")" -ge 2 ]
        for rt in docker ""; do
                cc_expect 125 "$CRASHCART" ${rt:+-r "$rt"} "$prefix" /dev/crashcart/bin/true
                [[ "$stderr" == "crashcart: "*ambiguous* ]]
                # Every candidate is named...
                for id in $matches; do
                        grep -q "$id" <<<"$stderr"
                done
                # ...once: one container is one candidate, whichever runtimes know it.
                [ -z "$(grep -oE '[0-9a-f]{64}' <<<"$stderr" | sort | uniq -d)" ]
        done
}

@test "a command that is not there: 127; not executable: 126" {
        cc_expect 127 "$CRASHCART" "$BB" /no/such/command
        cc_one_error_line
        # Looked up in the command's PATH: the cart's bin first, then the container's.
        cc_expect 127 "$CRASHCART" "$SCR" no-such-command
        cc_expect 0 "$CRASHCART" "$SCR" ls /
        cc_expect 126 "$CRASHCART" "$BB" /etc/passwd
        cc_one_error_line
}

@test "a PID in crashcart's own mount namespace is refused" {
        cc_expect 125 "$CRASHCART" $$ /dev/crashcart/bin/true
        [[ "$stderr" == *"not in a container"* ]]
        [ ! -e /dev/crashcart ]
}

@test "a /dev/crashcart symlink planted in the container is refused" {
        local n pid; n=$(cc_name link)
        pid=$(cc_docker_run "$n" crashcart-test/busybox sleep 1000000)
        docker exec "$n" mkdir /tmp/target
        docker exec "$n" ln -s /tmp/target /dev/crashcart
        cc_expect 125 "$CRASHCART" "$n" /dev/crashcart/bin/true
        [[ "$stderr" == *symlink* ]]
        cc_refute grep -q crashcart "/proc/$pid/mountinfo"
        cc_refute grep -q /tmp/target "/proc/$pid/mountinfo"
        [ -L "/proc/$pid/root/dev/crashcart" ]
        docker rm -f "$n" >/dev/null
}

@test "a /dev that shares its peer group with the host is refused" {
        local n pid d=$CC_CACHE/shared-dev-$$
        mkdir -p "$d"
        for f in null zero random urandom tty full; do cp -a /dev/$f "$d/"; done
        mount --bind "$d" "$d"
        mount --make-shared "$d"
        n=$(cc_name shared)
        pid=$(cc_docker_run "$n" --mount type=bind,src="$d",dst=/dev,bind-propagation=shared crashcart-test/busybox sleep 1000000)
        cc_expect 125 "$CRASHCART" "$n" /dev/crashcart/bin/true
        [[ "$stderr" == *"propagate"* ]]
        [ ! -e "$d/crashcart" ]
        docker rm -f "$n" >/dev/null
        umount "$d"
        rm -rf "$d"
}

@test "two runs at once in one container share one loop device" {
        local out=$BATS_TEST_TMPDIR
        "$CRASHCART" "$BB" /dev/crashcart/bin/sh -c 'sleep 2; echo A' >"$out/a" 2>&1 3>&- &
        local a=$!
        "$CRASHCART" "$BB" /dev/crashcart/bin/sh -c 'sleep 1; echo B' >"$out/b" 2>&1 3>&- &
        local b=$!
        sleep 0.5
        [ "$(losetup -j "$CRASHCART_IMAGE" | wc -l)" = 1 ]
        [ "$(grep -c ' /dev/crashcart ' "/proc/$BB_PID/mountinfo")" = 1 ]
        wait $a; wait $b
        [ "$(cat "$out/a")" = A ]
        [ "$(cat "$out/b")" = B ]
}

@test "ten runs at once in ten containers share one loop device" {
        local names=() pids=() jobs=() out=$BATS_TEST_TMPDIR
        for i in $(seq 10); do
                names+=("$(cc_name "ten$i")")
                pids+=("$(cc_docker_run "${names[-1]}" crashcart-test/scratch)")
        done
        for i in $(seq 0 9); do
                "$CRASHCART" "${names[$i]}" /dev/crashcart/bin/sh -c "sleep 1; echo run$i" >"$out/$i" 2>&1 3>&- &
                jobs+=($!)
        done
        sleep 0.7
        [ "$(losetup -j "$CRASHCART_IMAGE" | wc -l)" = 1 ]
        for i in $(seq 0 9); do
                wait "${jobs[$i]}"
                [ "$(cat "$out/$i")" = "run$i" ]
        done
        for p in "${pids[@]}"; do cc_assert_container_clean "$p"; done
        docker rm -f "${names[@]}" >/dev/null
}

# Waits until the container named $1 runs a process whose command line is $2.
wait_for_process() {
        for _ in $(seq 100); do
                docker exec "$1" ps -o args | grep -qx -- "$2" && return 0
                sleep 0.05
        done
        echo "no process '$2' in $1" >&2
        return 1
}

# Waits up to 5 s for process $1, a child of the test, to end; sets $st to its
# exit status. Kills it (and fails) when it does not end.
wait_exit() {
        for _ in $(seq 100); do
                kill -0 "$1" 2>/dev/null || break
                sleep 0.05
        done
        if kill -0 "$1" 2>/dev/null; then
                kill -KILL "$1"
                echo "process $1 did not end" >&2
                return 1
        fi
        st=0
        wait "$1" || st=$?
}

@test "signals sent to crashcart reach the command: 128+N, and no command is left" {
        local sig n=1000 cc st
        for sig in TERM INT HUP QUIT USR1 USR2; do
                n=$((n + 1))
                # A background job of a script starts with INT and QUIT ignored: as
                # a user's crashcart would, this one starts with them at default.
                # No core file from QUIT in the container's root.
                (ulimit -c 0; exec env --default-signal=INT,QUIT "$CRASHCART" "$BB" /dev/crashcart/bin/sleep $n) 3>&- &
                cc=$!
                wait_for_process "$BB" "/dev/crashcart/bin/sleep $n"
                kill -"$sig" "$cc"
                wait_exit "$cc"
                echo "SIG$sig: status $st"
                [ "$st" = $((128 + $(kill -l "$sig"))) ]
        done
        run -0 docker exec "$BB" ps -o args
        cc_refute grep -q '^/dev/crashcart/bin/sleep' <<<"$output"
}

@test "the cart: -i, then \$CRASHCART_IMAGE, then /var/lib/crashcart/crashcart.img if root's; never ./crashcart.img" {
        # In a mount namespace of the test's own, where /var/lib/crashcart can be
        # filled and emptied without touching the host's. Each -m shows the type
        # of the cart it mounted; the target is a PID (no runtime's state needed).
        local d=$BATS_TEST_TMPDIR
        cp "$CC_CACHE/cart.sqfs" "$d/crashcart.img"
        cat >"$d/order.sh" <<EOF
set -eu
if [ -d /var/lib/crashcart ]; then
        mount -t tmpfs none /var/lib/crashcart
else
        mount -t tmpfs none /var/lib
        mkdir /var/lib/crashcart
fi
cd "$d"
type_of_cart() {
        "$CRASHCART" -m "\$@" $BB_PID
        awk '\$5 == "/dev/crashcart" { for (i = 7; i <= NF; i++) if (\$i == "-") print \$(i + 1) }' /proc/$BB_PID/mountinfo
        "$CRASHCART" -u $BB_PID
}
CRASHCART_IMAGE=$CC_CACHE/cart.ext4 type_of_cart -i $CC_CACHE/cart.erofs
CRASHCART_IMAGE=$CC_CACHE/cart.ext4 type_of_cart
cp $CC_CACHE/cart.erofs /var/lib/crashcart/crashcart.img
CRASHCART_IMAGE= type_of_cart
unset CRASHCART_IMAGE
type_of_cart
chmod 0666 /var/lib/crashcart/crashcart.img
type_of_cart || true
rm /var/lib/crashcart/crashcart.img
type_of_cart || true
cd /
"$CRASHCART" $BB_PID /dev/crashcart/bin/true || echo "status \$?"
EOF
        run --separate-stderr unshare -m --propagation private bash "$d/order.sh"
        cc_show
        [ "$status" = 0 ]
        # A cart writable by others is refused; ./crashcart.img is never taken.
        [ "$output" = "$(printf 'erofs\next4\nerofs\nerofs\nstatus 125')" ]
        [ "$(sed -n 1p <<<"$stderr")" = "crashcart: cart image '/var/lib/crashcart/crashcart.img' is writable by group or others: whoever can change it can run code as root in the containers it goes into (chown root and chmod go-w it, or -f to use it anyway)" ]
        [[ "$(sed -n 2p <<<"$stderr")" == "crashcart: no cart image"* ]]
        [[ "$(sed -n 3p <<<"$stderr")" == "crashcart: no cart image"* ]]
        [ "$(grep -c . <<<"$stderr")" = 3 ]
        cc_wait_loops_gone
        cc_refute grep -q crashcart.img <<<"$(losetup -a)"
}

@test "-e runs the command through docker exec" {
        cc_expect 0 "$CRASHCART" -e "$BB" /dev/crashcart/bin/echo via-exec
        [ "$output" = via-exec ]
}

@test "--help, --version and usage errors" {
        cc_expect 0 "$CRASHCART" --help
        [[ "$output" == Usage:* ]]
        [ -z "$stderr" ]
        cc_expect 0 "$CRASHCART" -V
        [[ "$output" == "crashcart "* ]]
        cc_expect 125 "$CRASHCART" -m -u "$BB"
        [[ "$stderr" == *"Try 'crashcart --help'"* ]]
}
