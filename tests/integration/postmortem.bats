#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # the commands' $VARIABLES expand in the sandbox; stderr is set by bats' run
# Containers that do not run, and images that never ran: crashcart ID starts a
# post-mortem sandbox of their files. Docker (exited with a status, killed by a
# signal, created and never started), Podman (from its storage, no service) and
# runc; a Docker image and a Podman image. What the dead process wrote, its
# environment and its volumes are there, its tmpfs mounts empty; nothing of the
# container changes (a checksum of its writable layer and of its volumes), with
# --writable and after SIGKILL of crashcart at each step too; the container
# starts afterwards.

load ../lib/bats

setup_file() {
        cc_docker_up
        cc_build_assets
        cc_cleanup_containers
        export CRASHCART_IMAGE=$CC_CACHE/cart.sqfs
        mkdir -p "$CC_RUN"
        cc_podman_conf
}

# crashcart with Podman's containers read from its storage: no service is asked
# (podman itself takes CONTAINER_HOST too, so it is crashcart's alone).
crashcart_storage() { CONTAINER_HOST=unix:///nonexistent "$CRASHCART" "$@"; }

teardown_file() {
        core_pattern_restore
        cc_cleanup_containers
        docker volume ls -q --filter label=crashcart-test=1 | xargs -r docker volume rm >/dev/null 2>&1
        true
}

teardown() {
        core_pattern_restore
        coredump_service_stop
        cc_wait_loops_gone
        cc_assert_host_clean
        assert_no_sandbox
}

# kernel.core_pattern for one test's run: the host's value is kept in a file
# (a test that dies still has it restored, by teardown or the next file's run)
# and put back by core_pattern_restore.
CORE_PATTERN_SAVED=$CC_RUN/core_pattern.postmortem
core_pattern_set() {
        [ -f "$CORE_PATTERN_SAVED" ] || cat /proc/sys/kernel/core_pattern >"$CORE_PATTERN_SAVED"
        printf '%s\n' "$1" >/proc/sys/kernel/core_pattern
}
core_pattern_restore() {
        [ -f "$CORE_PATTERN_SAVED" ] || return 0
        cat "$CORE_PATTERN_SAVED" >/proc/sys/kernel/core_pattern
        rm -f "$CORE_PATTERN_SAVED"
}

# crashcart-test/crasher: tests/helpers/crasher.c built against glibc,
# dynamically, at /app/crasher, with the host's libc and loader as the image's
# own, and a /tmp for its core.
make_crasher_image() {
        local root=$BATS_TEST_TMPDIR/crasher-root bin lib
        bin=$(cc_helper crasher-glibc)
        mkdir -p "$root"/{app,tmp,dev,proc,sys,etc}
        chmod 1777 "$root/tmp"
        # A volume there lands on the sandbox's /dev/coredump (the systemd-coredump test).
        ln -s /dev/coredump "$root/data"
        cp "$bin" "$root/app/crasher"
        for lib in $(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
                mkdir -p "$root$(dirname "$lib")"
                cp -L "$lib" "$root$lib"
        done
        docker rmi -f crashcart-test/crasher >/dev/null 2>&1 || true
        tar -C "$root" -c . | docker import -c 'CMD ["/app/crasher"]' - crashcart-test/crasher >/dev/null
}

# No sandbox is left: no process has a mount of one (its overlay's upper layer
# is in a tmpfs over /run/crashcart, in the sandbox's namespace only).
assert_no_sandbox() {
        local left
        for _ in $(seq 50); do
                left=$(grep -l 'upperdir=/run/crashcart/upper' /proc/[0-9]*/mountinfo 2>/dev/null || true)
                [ -z "$left" ] && return 0
                sleep 0.1
        done
        echo "a sandbox is left: $left" >&2
        return 1
}

# tree_sum DIR...: a checksum of the names, modes, owners, sizes and contents of
# every file beneath the directories (whiteouts are character devices).
tree_sum() {
        local d
        for d in "$@"; do
                (cd "$d" && find . -printf '%p %y %m %u %g %s %l\n' | LC_ALL=C sort &&
                        find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum)
        done | sha256sum
}

upper_of() { docker inspect -f '{{.GraphDriver.Data.UpperDir}}' "$1"; }

# crashcart-test/tmpfs: the busybox rootfs with a file in each directory where its
# containers get a tmpfs (/run, /srv/cache), and /cache a symlink to the cart's
# path (a tmpfs there would cover the cart).
make_tmpfs_image() {
        local root=$BATS_TEST_TMPDIR/tmpfs-root
        cp -a "$CC_CACHE/rootfs-busybox" "$root"
        mkdir -p "$root/run" "$root/srv/cache"
        echo image-file >"$root/run/image-file"
        echo image-file >"$root/srv/cache/image-file"
        ln -s /dev/crashcart "$root/cache"
        docker rmi -f crashcart-test/tmpfs >/dev/null 2>&1 || true
        tar -C "$root" -c . | docker import -c 'CMD ["/bin/sh"]' - crashcart-test/tmpfs >/dev/null
}

# A Docker container of crashcart-test/tmpfs run with --tmpfs and --mount
# type=tmpfs, which wrote into them and exited.
make_tmpfs_exited() {
        docker run --name "$1" --label crashcart-test=1 --tmpfs /run:size=1m \
                --mount type=tmpfs,dst=/srv/cache,tmpfs-mode=0700 crashcart-test/tmpfs \
                sh -c 'echo lost >/run/t; echo lost >/srv/cache/t' >/dev/null
        [ "$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$1")" = "exited 0" ]
}

# A Docker container that writes into its root and its volume, then exits 3.
make_exited() {
        local n=$1
        docker volume create --label crashcart-test=1 "$n-vol" >/dev/null
        docker run --name "$n" --label crashcart-test=1 -e CC_MARK=dead-env -e HOME=/home/app -w /tmp \
                -v "$n-vol:/data" crashcart-test/busybox \
                sh -c 'echo last-words >/tmp/core-note; echo in-volume >/data/v; rm /etc/group; exit 3' >/dev/null || true
        [ "$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$n")" = "exited 3" ]
}

@test "an exited Docker container: its files, volume, environment, working directory, hostname" {
        local n; n=$(cc_name exited); make_exited "$n"
        local id; id=$(docker inspect -f '{{.Id}}' "$n")
        cc_expect 0 "$CRASHCART" --env-from-target=CC_MARK "$n" /dev/crashcart/bin/sh -c \
                'cat /tmp/core-note /data/v; echo "$CC_MARK $HOME $(pwd) $(hostname)"; test -e /etc/group || echo group-gone'
        [ "${lines[0]}" = last-words ]
        [ "${lines[1]}" = in-volume ]
        [ "${lines[2]}" = "dead-env /home/app /tmp ${id:0:12}" ]
        [ "${lines[3]}" = group-gone ]
        # One line says what this is.
        [[ "$stderr" == "crashcart: docker container '$n' is not running: a post-mortem sandbox of its files, read-only"* ]]
        [ "$(grep -c . <<<"$stderr")" = 1 ]
        # Without --env-from-target=NAME, the container's variables that are not
        # data to the cart's tools stay out; HOME is one that is.
        cc_expect 0 "$CRASHCART" "$n" /dev/crashcart/bin/sh -c 'echo "[$CC_MARK] $HOME"'
        [ "$output" = "[] /home/app" ]
        [[ "$stderr" == *"1 variable of its environment left out"* ]]
        # By id and by prefix too.
        cc_expect 0 "$CRASHCART" "${id:0:12}" /dev/crashcart/bin/cat /tmp/core-note
        [ "$output" = last-words ]
}

@test "read-only by default, --writable into a copy; nothing of the container changes; it starts afterwards" {
        local n up vol before; n=$(cc_name rw); make_exited "$n"
        up=$(upper_of "$n"); vol=$(docker volume inspect -f '{{.Mountpoint}}' "$n-vol")
        before=$(tree_sum "$up" "$vol")
        cc_expect 1 "$CRASHCART" "$n" /dev/crashcart/bin/sh -c 'echo x >/tmp/core-note'
        [[ "$stderr" == *"Read-only file system"* ]]
        cc_expect 0 "$CRASHCART" --writable "$n" /dev/crashcart/bin/sh -c \
                'echo changed >/tmp/core-note && rm /bin/ls && mkdir /new && cat /tmp/core-note; echo x >/data/v || echo volume-ro'
        [ "${lines[0]}" = changed ]
        [ "${lines[1]}" = volume-ro ]
        [[ "$stderr" == *"writable into a copy that goes at the end"* ]]
        [ "$(tree_sum "$up" "$vol")" = "$before" ]
        # The copy went with the run.
        cc_expect 0 "$CRASHCART" "$n" /dev/crashcart/bin/cat /tmp/core-note
        [ "$output" = last-words ]
        docker start "$n" >/dev/null
        [ "$(docker wait "$n")" = 3 ]
}

@test "killed by a signal, and created but never started" {
        local n; n=$(cc_name killed)
        cc_docker_run "$n" --user 1000:1000 crashcart-test/busybox sh -c 'echo alive >/tmp/k; exec sleep 1000000' >/dev/null
        for _ in $(seq 50); do docker exec "$n" cat /tmp/k >/dev/null 2>&1 && break; sleep 0.1; done
        docker kill "$n" >/dev/null
        [ "$(docker inspect -f '{{.State.ExitCode}}' "$n")" = 137 ]
        # The configuration's user, as docker exec would take it; --user overrides.
        cc_expect 0 "$CRASHCART" "$n" /dev/crashcart/bin/sh -c 'cat /tmp/k; id -u'
        [ "${lines[0]}" = alive ]
        [ "${lines[1]}" = 1000 ]
        cc_expect 0 "$CRASHCART" --user 0 "$n" /dev/crashcart/bin/id -u
        [ "$output" = 0 ]

        n=$(cc_name created)
        docker create --name "$n" --label crashcart-test=1 -v /etc/os-release:/host-os:ro crashcart-test/busybox >/dev/null
        cc_expect 0 "$CRASHCART" "$n" /dev/crashcart/bin/sh -c 'ls /bin/busybox; cat /host-os >/dev/null && echo bound'
        [ "${lines[0]}" = /bin/busybox ]
        [ "${lines[1]}" = bound ]
        docker start "$n" >/dev/null
        docker wait "$n" >/dev/null
}

@test "its own namespaces: PID 1 is the sandbox's, loopback only, a pty from its own devpts" {
        local n; n=$(cc_name ns); make_exited "$n"
        cc_expect 0 "$CRASHCART" "$n" /dev/crashcart/bin/sh -c \
                'ls /proc | grep -c "^[0-9]"; ls /sys/class/net; touch /sys/x 2>/dev/null || echo sys-ro; ls /dev/crashcart/bin/busybox'
        # PID 1, the shell and ls: nothing of the host's.
        [ "${lines[0]}" -le 4 ]
        [ "${lines[1]}" = lo ]
        [ "${lines[2]}" = sys-ro ]
        [ "${lines[3]}" = /dev/crashcart/bin/busybox ]
        cc_expect 0 "$CRASHCART" -t "$n" /dev/crashcart/bin/tty
        [[ "$output" == /dev/pts/0* ]]
        # The mount namespace is not the host's, and the host has no new mount.
        cc_refute grep -q 'upperdir=/run/crashcart/upper' /proc/self/mountinfo
}

@test "docker start while a sandbox of it runs" {
        local n up before; n=$(cc_name live); make_exited "$n"
        up=$(upper_of "$n"); before=$(tree_sum "$up")
        "$CRASHCART" "$n" /dev/crashcart/bin/sh -c 'sleep 2; cat /tmp/core-note' >"$BATS_TEST_TMPDIR/out" 2>/dev/null 3>&- &
        local cc=$!
        sleep 0.5
        docker start "$n" >/dev/null
        [ "$(docker wait "$n")" = 3 ]
        wait "$cc"
        [ "$(cat "$BATS_TEST_TMPDIR/out")" = last-words ]
        # The run of docker start wrote the same again: the same files.
        [ "$(tree_sum "$up")" = "$before" ]
}

@test "SIGKILL of crashcart at each step leaves nothing, and the container unchanged" {
        local n up vol before point cc; n=$(cc_name kill); make_exited "$n"
        up=$(upper_of "$n"); vol=$(docker volume inspect -f '{{.Mountpoint}}' "$n-vol")
        before=$(tree_sum "$up" "$vol")
        for point in mounted sandbox sandboxed; do
                CRASHCART_FAULT_STOP=$point "$CRASHCART" --writable "$n" /dev/crashcart/bin/sh -c 'echo x >/tmp/core-note' \
                        >/dev/null 2>&1 3>&- &
                cc=$!
                for _ in $(seq 100); do [ "$(awk '{print $3}' "/proc/$cc/stat" 2>/dev/null)" = T ] && break; sleep 0.05; done
                [ "$(awk '{print $3}' "/proc/$cc/stat")" = T ]
                kill -KILL "$cc"
                wait "$cc" || true
                assert_no_sandbox
                cc_wait_loops_gone
        done
        # In the command, before exec: it and the sandbox go with crashcart.
        CRASHCART_FAULT_STOP=joined "$CRASHCART" --writable "$n" /dev/crashcart/bin/sh -c 'echo x >/tmp/core-note' \
                >/dev/null 2>&1 3>&- &
        cc=$!
        cc_stopped_crashcart "$cc" >/dev/null
        kill -KILL "$cc"
        wait "$cc" || true
        # While the command runs: the sandbox's init dies with crashcart, and
        # every process of its PID namespace with it.
        "$CRASHCART" --writable "$n" /dev/crashcart/bin/sleep 1000 >/dev/null 2>&1 3>&- &
        cc=$!
        for _ in $(seq 100); do pgrep -f '^/dev/crashcart/bin/sleep 1000' >/dev/null && break; sleep 0.05; done
        pgrep -f '^/dev/crashcart/bin/sleep 1000' >/dev/null
        kill -KILL "$cc"
        wait "$cc" || true
        for _ in $(seq 50); do pgrep -f '^/dev/crashcart/bin/sleep 1000' >/dev/null || break; sleep 0.1; done
        cc_refute pgrep -f '^/dev/crashcart/bin/sleep 1000'
        assert_no_sandbox
        cc_wait_loops_gone
        [ "$(tree_sum "$up" "$vol")" = "$before" ]
        docker start "$n" >/dev/null
        [ "$(docker wait "$n")" = 3 ]
}

@test "tmpfs mounts: an empty tmpfs where the container had one, its size and mode, read-only unless --writable" {
        local n mounts; n=$(cc_name tmpfs); make_tmpfs_image; make_tmpfs_exited "$n"
        # The image has its files there (an image that never ran has no tmpfs).
        cc_expect 0 "$CRASHCART" image:crashcart-test/tmpfs /dev/crashcart/bin/cat /run/image-file /srv/cache/image-file
        [ "$output" = $'image-file\nimage-file' ]
        # In the container's sandbox, a tmpfs each, empty: neither the image's
        # file beneath nor what the container wrote there.
        cc_expect 0 "$CRASHCART" "$n" /dev/crashcart/bin/stat -f -c %T /run /srv/cache
        [ "$output" = $'tmpfs\ntmpfs' ]
        cc_expect 0 "$CRASHCART" "$n" /dev/crashcart/bin/find /run /srv/cache
        [ "$output" = $'/run\n/srv/cache' ]
        # --tmpfs /run:size=1m, tmpfs-mode=0700.
        cc_expect 0 "$CRASHCART" "$n" /dev/crashcart/bin/stat -f -c '%b %S' /run
        [ "$(( ${output% *} * ${output#* } ))" = 1048576 ]
        cc_expect 0 "$CRASHCART" "$n" /dev/crashcart/bin/stat -c %a /srv/cache
        [ "$output" = 700 ]
        # Read-only, nosuid, nodev.
        cc_expect 0 "$CRASHCART" "$n" /dev/crashcart/bin/cat /proc/self/mountinfo
        mounts=$(awk '$5 == "/run" || $5 == "/srv/cache" { print $5, $6 }' <<<"$output")
        [[ "$mounts" == "/run ro,nosuid,nodev"*$'\n'"/srv/cache ro,nosuid,nodev"* ]]
        cc_expect 1 "$CRASHCART" "$n" /dev/crashcart/bin/touch /run/x
        [[ "$stderr" == *"Read-only file system"* ]]
        # Writable with --writable, and gone with the sandbox.
        cc_expect 0 "$CRASHCART" --writable "$n" /dev/crashcart/bin/sh -c \
                'echo w >/run/x && echo w >/srv/cache/x && cat /run/x /srv/cache/x && grep " /run " /proc/self/mountinfo'
        [ "${lines[0]}" = w ]
        [ "${lines[1]}" = w ]
        [[ "${lines[2]}" == *" /run rw,nosuid,nodev"* ]]
        cc_expect 0 "$CRASHCART" "$n" /dev/crashcart/bin/find /run /srv/cache
        [ "$output" = $'/run\n/srv/cache' ]
}

@test "a tmpfs whose path is the image's symlink to the cart's is left out" {
        local n; n=$(cc_name tmpfsln); make_tmpfs_image
        # Docker follows /cache in the container's root: its tmpfs was at the
        # container's /dev/crashcart.
        docker run --name "$n" --label crashcart-test=1 --tmpfs /cache crashcart-test/tmpfs \
                sh -c 'stat -f -c %T /dev/crashcart' >"$BATS_TEST_TMPDIR/out"
        [ "$(cat "$BATS_TEST_TMPDIR/out")" = tmpfs ]
        # The positive control: placed, it covers the cart, and no command is found there.
        CRASHCART_FAULT_DISABLE=sandbox-own-mounts cc_expect 127 "$CRASHCART" "$n" /dev/crashcart/bin/true
        cc_expect 0 "$CRASHCART" -v "$n" /dev/crashcart/bin/ls /dev/crashcart/bin/busybox
        [ "$output" = /dev/crashcart/bin/busybox ]
        [[ "$stderr" == *"tmpfs at '/cache' left out: it resolves onto a mount of the sandbox's own"* ]]
}

@test "a Podman container from its storage, and a runc container, that are stopped" {
        podman image exists localhost/crashcart-test-busybox ||
                podman import -q --change 'CMD ["/bin/sh"]' "$CC_CACHE/busybox.tar" localhost/crashcart-test-busybox >/dev/null
        local n st before
        n=$(cc_name pod)
        podman run --name "$n" --label crashcart-test=1 --network none -e HOME=/srv localhost/crashcart-test-busybox \
                sh -c 'echo podman-words >/tmp/w; exit 5' >/dev/null || true
        st=$(podman inspect -f '{{.GraphDriver.Data.UpperDir}}' "$n"); before=$(tree_sum "$st")
        cc_expect 0 crashcart_storage "$n" /dev/crashcart/bin/sh -c 'cat /tmp/w; echo $HOME'
        [ "${lines[0]}" = podman-words ]
        [ "${lines[1]}" = /srv ]
        [[ "$stderr" == *"podman container '$n' is not running"* ]]
        [ "$(tree_sum "$st")" = "$before" ]
        podman start "$n" >/dev/null
        [ "$(podman wait "$n")" = 5 ]

        n=cctest-pm-$$
        cc_runc_run "$n" >/dev/null
        runc exec "$n" sh -c 'echo runc-words >/tmp/w'
        runc kill "$n" KILL
        for _ in $(seq 50); do [ "$(runc state "$n" | jq -r .status)" = stopped ] && break; sleep 0.1; done
        before=$(tree_sum "$CC_CACHE/bundles/$n/rootfs")
        cc_expect 0 "$CRASHCART" "$n" /dev/crashcart/bin/sh -c 'cat /tmp/w; hostname'
        [ "${lines[0]}" = runc-words ]
        [ "${lines[1]}" = runc ]
        [ "$(tree_sum "$CC_CACHE/bundles/$n/rootfs")" = "$before" ]
        cc_runc_rm "$n"
}

@test "images that never ran: image:NAME of Docker and of Podman" {
        local top before
        top=$(docker image inspect -f '{{.GraphDriver.Data.UpperDir}}' crashcart-test/busybox)
        before=$(tree_sum "$top")
        cc_expect 0 "$CRASHCART" image:crashcart-test/busybox /dev/crashcart/bin/sh -c 'ls /bin/busybox; hostname'
        [ "${lines[0]}" = /bin/busybox ]
        [ "${lines[1]}" = crashcart ]
        [[ "$stderr" == "crashcart: docker image 'crashcart-test/busybox' never ran: a post-mortem sandbox of its files, read-only" ]]
        cc_expect 0 "$CRASHCART" --writable image:crashcart-test/busybox:latest /dev/crashcart/bin/rm /bin/busybox
        [ "$(tree_sum "$top")" = "$before" ]
        podman image exists localhost/crashcart-test-busybox ||
                podman import -q --change 'CMD ["/bin/sh"]' "$CC_CACHE/busybox.tar" localhost/crashcart-test-busybox >/dev/null
        cc_expect 0 crashcart_storage -r podman image:crashcart-test-busybox /dev/crashcart/bin/ls /bin/busybox
        [[ "$stderr" == *"podman image 'crashcart-test-busybox' never ran"* ]]
        # Its configuration from the image's config blob in the storage: the
        # environment, user and working directory it was made with.
        podman rmi -f localhost/crashcart-test-configured >/dev/null 2>&1 || true
        podman import -q --change 'CMD ["/bin/sh"]' --change 'ENV CC_MARK=pod-image-env' --change 'USER app' \
                --change 'WORKDIR /etc' "$CC_CACHE/busybox.tar" localhost/crashcart-test-configured >/dev/null
        cc_expect 0 crashcart_storage -r podman --env-from-target=CC_MARK image:crashcart-test-configured \
                /dev/crashcart/bin/sh -c 'echo "$CC_MARK"; id -un; pwd'
        [ "${lines[0]}" = pod-image-env ]
        [ "${lines[1]}" = app ]
        [ "${lines[2]}" = /etc ]
        [[ "$stderr" == *"podman image 'crashcart-test-configured' never ran"* ]]
        cc_expect 125 "$CRASHCART" image:no/such-image /dev/crashcart/bin/true
        cc_one_error_line
        [[ "$stderr" == *"no such image 'no/such-image'"* ]]
        cc_expect 125 "$CRASHCART" 'image:a/../b' /dev/crashcart/bin/true
        cc_one_error_line
}

@test "bad input: running and stopped under one name, storage not root's, root filesystem gone" {
        local n; n=cctest-pmbad-$$
        # A running Docker container and a stopped runc one, both named n.
        cc_docker_run "$n" crashcart-test/busybox sleep 1000000 >/dev/null
        cc_runc_run "$n" >/dev/null
        runc kill "$n" KILL
        for _ in $(seq 50); do [ "$(runc state "$n" | jq -r .status)" = stopped ] && break; sleep 0.1; done
        cc_expect 125 "$CRASHCART" "$n" /dev/crashcart/bin/true
        cc_one_error_line
        [[ "$stderr" == *"'$n' is ambiguous"*"(running)"*"runc $n in /run/runc (not running)"* ]]
        docker rm -f "$n" >/dev/null

        # The bundle's config is writable by others: not runtime state to trust.
        chmod o+w "$CC_CACHE/bundles/$n/config.json"
        cc_expect 125 "$CRASHCART" "$n" /dev/crashcart/bin/true
        cc_one_error_line
        [[ "$stderr" == *"not root's"* ]]
        chmod o-w "$CC_CACHE/bundles/$n/config.json"

        # Its root filesystem is gone.
        mv "$CC_CACHE/bundles/$n/rootfs" "$CC_CACHE/bundles/$n/rootfs.gone"
        cc_expect 125 "$CRASHCART" "$n" /dev/crashcart/bin/true
        cc_one_error_line
        [[ "$stderr" == *"the root filesystem of runc container '$n' is gone"* ]]
        mv "$CC_CACHE/bundles/$n/rootfs.gone" "$CC_CACHE/bundles/$n/rootfs"
        cc_runc_rm "$n"

        # -m, -u, -p and -e need a running container; --writable a stopped one.
        local s; s=$(cc_name stopped); make_exited "$s"
        cc_expect 125 "$CRASHCART" -m "$s"
        cc_one_error_line
        [[ "$stderr" == *"not running"* ]]
        cc_expect 125 "$CRASHCART" -e "$s" /dev/crashcart/bin/true
        cc_one_error_line
        cc_expect 125 "$CRASHCART" --writable -m "$s"
        [[ "$stderr" == "crashcart: --writable is for a post-mortem sandbox"* ]]
}

@test "--core: the crashed container's core in the cart's gdb, its own program and libc resolved" {
        local n up before cart
        cart=$(cc_default_cart)
        make_crasher_image
        # A file path: the kernel resolves it in the container's mount namespace.
        core_pattern_set '/tmp/core.%e.%p'
        n=$(cc_name core)
        docker run --name "$n" --label crashcart-test=1 --ulimit core=-1 crashcart-test/crasher >/dev/null || true
        [ "$(docker inspect -f '{{.State.ExitCode}}' "$n")" = 139 ]
        up=$(upper_of "$n")
        ls "$up"/tmp/core.crasher.* >/dev/null
        before=$(tree_sum "$up")

        # Without a terminal, gdb takes its commands from stdin: the backtrace, then its end.
        CRASHCART_IMAGE=$cart/cart.erofs cc_expect 0 "$CRASHCART" --core "$n" </dev/null
        [[ "$output" == *"#0 "*" in crash_here ("*"crasher.c:"* ]]
        # The frames of libc's qsort are the container's libc's.
        [[ "$output" == *"from /lib/x86_64-linux-gnu/libc.so.6"* || "$output" == *"from /lib/aarch64-linux-gnu/libc.so.6"* ]]
        [[ "$output" == *" in main ("* ]]
        [[ "$stderr" == *"docker container '$n' is not running: a post-mortem sandbox of its files, read-only"* ]]
        [[ "$stderr" == *"the core '/tmp/core.crasher."*"' of '/app/crasher', killed by SIGSEGV, written "* ]]

        # gdb's commands on stdin.
        CRASHCART_IMAGE=$cart/cart.erofs cc_expect 0 "$CRASHCART" --core "$n" <<<'info symbol $pc'
        [[ "$output" == *"crash_here + "*" in section .text of /app/crasher"* ]]

        # With a command: where the core and its program are.
        local core; core=$(cd "$up" && ls tmp/core.crasher.*)
        cc_expect 0 "$CRASHCART" --core "$n" /dev/crashcart/bin/sh -c 'echo "$CRASHCART_CORE $CRASHCART_CORE_EXE"'
        [ "$output" = "/$core /app/crasher" ]
        cc_expect 0 "$CRASHCART" --core="/$core" "$n" /dev/crashcart/bin/sh -c 'echo "$CRASHCART_CORE"'
        [ "$output" = "/$core" ]
        cc_expect 125 "$CRASHCART" --core=/app/crasher "$n" /dev/crashcart/bin/true
        cc_one_error_line
        [[ "$stderr" == *"'/app/crasher' of docker container '$n' is not an ELF core file"* ]]

        # Cores that the kernel pipes to a program are not in the container.
        core_pattern_set '|/bin/false %p'
        cc_expect 125 "$CRASHCART" --core "$n" /dev/crashcart/bin/true
        cc_one_error_line
        [[ "$stderr" == *"kernel.core_pattern pipes cores to '/bin/false'"* ]]
        # A pattern of another directory: none there.
        core_pattern_set '/var/cores/core.%p'
        cc_expect 125 "$CRASHCART" --core "$n" /dev/crashcart/bin/true
        cc_one_error_line
        [[ "$stderr" == *"no core of docker container '$n' matches kernel.core_pattern '/var/cores/core.%p'"* ]]
        core_pattern_restore

        # Not for a running container.
        local r; r=$(cc_name corerun)
        cc_docker_run "$r" crashcart-test/busybox sleep 1000000 >/dev/null
        cc_expect 125 "$CRASHCART" --core "$r" /dev/crashcart/bin/true
        cc_one_error_line
        [[ "$stderr" == *"is running: --core is for a post-mortem sandbox"* ]]
        [ "$(tree_sum "$up")" = "$before" ]
}

# systemd-coredump as Debian ships it: the host's, else its package's files (of
# the host's systemd's version: it links systemd's private library) unpacked
# into the cache, not installed: the package's installation would set
# kernel.core_pattern for the whole host.
systemd_coredump_bin() {
        local b v d=$CC_CACHE/systemd-coredump
        for b in /usr/lib/systemd/systemd-coredump /lib/systemd/systemd-coredump \
                "$d"/usr/lib/systemd/systemd-coredump "$d"/lib/systemd/systemd-coredump; do
                [ -x "$b" ] && { echo "$b"; return 0; }
        done
        v=$(dpkg-query -W -f='${Version}' systemd) || return 1
        rm -rf "$d.tmp" && mkdir -p "$d.tmp"
        (cd "$d.tmp" && apt-get -q -o APT::Sandbox::User=root download "systemd-coredump=$v") >&2 || return 1
        dpkg-deb -x "$d.tmp"/systemd-coredump_*.deb "$d.tmp/root" && mv "$d.tmp/root" "$d" && rm -rf "$d.tmp"
        for b in "$d"/usr/lib/systemd/systemd-coredump "$d"/lib/systemd/systemd-coredump; do
                [ -x "$b" ] && { echo "$b"; return 0; }
        done
        return 1
}

# The socket that the kernel's pipe helper hands each core to: systemd's own
# unit when systemd runs this host, else a listener of the test's that starts
# one systemd-coredump per core, as systemd-coredump.socket does (Accept=yes).
COREDUMP_SOCKET=/run/systemd/coredump COREDUMP_STORE=/var/lib/systemd/coredump
coredump_service_start() {
        local bin=$1
        # What the test makes in the store goes at the end: the store, or its
        # cores newer than this mark.
        [ -d "$COREDUMP_STORE" ] || touch "$CC_RUN/coredump-store.made"
        touch "$CC_RUN/coredump-store.mark"
        if [ "$(cat /proc/1/comm)" = systemd ] && [ -S "$COREDUMP_SOCKET" ]; then
                return 0
        fi
        [ ! -e "$COREDUMP_SOCKET" ] || { echo "$COREDUMP_SOCKET is someone else's" >&2; return 1; }
        mkdir -p /run/systemd
        setsid systemd-socket-activate --seqpacket --accept -l "$COREDUMP_SOCKET" "$bin" \
                </dev/null >"$CC_RUN/coredump-listener.log" 2>&1 3>&- &
        echo $! >"$CC_RUN/coredump-listener.pid"
        for _ in $(seq 50); do [ -S "$COREDUMP_SOCKET" ] && return 0; sleep 0.1; done
        return 1
}
# Stops the test's listener, and takes away what the test left in the store.
coredump_service_stop() {
        local pid
        if pid=$(cat "$CC_RUN/coredump-listener.pid" 2>/dev/null); then
                kill "$pid" 2>/dev/null || true
                for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
                rm -f "$COREDUMP_SOCKET" "$CC_RUN/coredump-listener.pid" "$CC_RUN/coredump-listener.log"
        fi
        [ -f "$CC_RUN/coredump-store.mark" ] || return 0
        if [ -f "$CC_RUN/coredump-store.made" ]; then
                rm -rf "$COREDUMP_STORE"
        else
                find "$COREDUMP_STORE" -maxdepth 1 \( -name 'core.crasher.*' -o -name 'core.sh.*' \) \
                        -newer "$CC_RUN/coredump-store.mark" -delete
        fi
        rm -f "$CC_RUN/coredump-store.made" "$CC_RUN/coredump-store.mark"
}

# The cores in systemd-coredump's store whose process had this hostname.
stored_cores_of() {
        python3 - "$COREDUMP_STORE" "$1" <<'PY'
import os, sys
d = sys.argv[1]
for n in sorted(os.listdir(d)) if os.path.isdir(d) else []:
    try:
        if os.getxattr(os.path.join(d, n), "user.coredump.hostname").decode() == sys.argv[2]:
            print(os.path.join(d, n))
    except OSError:
        pass
PY
}

# wait_stored_core HOSTNAME: the path of the newest core of that hostname in the
# store, once systemd-coredump has written it (in its own time, after the
# process is gone).
wait_stored_core() {
        local c
        for _ in $(seq 100); do
                c=$(stored_cores_of "$1" | tail -1)
                [ -n "$c" ] && { echo "$c"; return 0; }
                sleep 0.1
        done
        return 1
}

@test "--core: a core that systemd-coredump kept, compressed, on the host; each container its own" {
        local bin a b ida idb cart core_a core_b store=$COREDUMP_STORE
        cart=$(cc_default_cart)
        bin=$(systemd_coredump_bin)
        make_crasher_image
        coredump_service_start "$bin"
        # Debian's own pattern (/usr/lib/sysctl.d/50-coredump.conf), with this binary.
        core_pattern_set "|$bin %P %u %g %s %t 9223372036854775808 %h"
        a=$(cc_name sdcore-a) b=$(cc_name sdcore-b)
        docker volume create --label crashcart-test=1 "$a-vol" >/dev/null
        # a's volume is at /data, which the image makes a symlink to /dev/coredump.
        docker run --name "$a" --label crashcart-test=1 -v "$a-vol:/data" crashcart-test/crasher \
                >/dev/null 2>&1 || true
        docker run --name "$b" --label crashcart-test=1 crashcart-test/crasher >/dev/null 2>&1 || true
        [ "$(docker inspect -f '{{.State.ExitCode}}' "$a") $(docker inspect -f '{{.State.ExitCode}}' "$b")" = "139 139" ]
        ida=$(docker inspect -f '{{.Id}}' "$a") idb=$(docker inspect -f '{{.Id}}' "$b")
        core_a=$(wait_stored_core "${ida:0:12}") core_b=$(wait_stored_core "${idb:0:12}")
        # Compressed, as systemd-coredump keeps them by default.
        [[ "$core_a" == "$store/core.crasher."*".zst" && "$core_b" == "$store/core.crasher."*".zst" ]]

        CRASHCART_IMAGE=$cart/cart.erofs cc_expect 0 "$CRASHCART" --core "$a" </dev/null
        [[ "$output" == *"#0 "*" in crash_here ("*"crasher.c:"* ]]
        [[ "$output" == *" in main ("* ]]
        [[ "$stderr" == *"the core '$core_a' of '/app/crasher', killed by SIGSEGV, written "*" by systemd-coredump in its last run (0 older there), at /dev/coredump/$(basename "${core_a%.zst}")"* ]]
        # Each container its own core: b's is b's, whichever is newer.
        cc_expect 0 "$CRASHCART" --core "$b" /dev/crashcart/bin/sh -c \
                'echo "$CRASHCART_CORE $CRASHCART_CORE_EXE"; /dev/crashcart/bin/ls -l "$CRASHCART_CORE" | /dev/crashcart/bin/cut -c1-10; /dev/crashcart/bin/touch "$CRASHCART_CORE" 2>&1 || echo read-only'
        [ "${lines[0]}" = "/dev/coredump/$(basename "${core_b%.zst}") /app/crasher" ]
        [ "${lines[1]}" = "-r--------" ]
        [[ "${lines[2]}" == *"Read-only file system"* ]]
        # Decompressed, it is the very core systemd-coredump compressed.
        cc_expect 0 "$CRASHCART" --core "$b" /dev/crashcart/bin/sh -c '/dev/crashcart/bin/sha256sum <"$CRASHCART_CORE"'
        [ "${output%% *}" = "$(zstd -dc "$core_b" | sha256sum | cut -d' ' -f1)" ]

        # A volume whose mount point is the image's symlink to /dev/coredump does
        # not cover the core; without that check (the positive control), it does.
        cc_expect 0 "$CRASHCART" -v --core "$a" /dev/crashcart/bin/ls /dev/coredump
        [ "$output" = "$(basename "${core_a%.zst}")" ]
        [[ "$stderr" == *"volume at '/data' left out: it resolves onto a mount of the sandbox's own"* ]]
        docker run --rm -v "$a-vol:/v" crashcart-test/busybox touch /v/from-the-volume
        CRASHCART_FAULT_DISABLE=sandbox-own-mounts cc_expect 0 "$CRASHCART" --core "$a" /dev/crashcart/bin/ls /dev/coredump
        [ "$output" = from-the-volume ]

        # A process of the host takes b's hostname and dumps a core, after b's
        # run: the newest core of that hostname, but not b's. crashcart takes the
        # one of b's last run; without that window (the positive control), the
        # impostor's.
        sleep 2 # systemd-coredump's times are whole seconds: past b's run for sure
        unshare -u sh -c "hostname ${idb:0:12}; kill -SEGV \$\$" 2>/dev/null || true
        local forged
        for _ in $(seq 100); do
                forged=$(stored_cores_of "${idb:0:12}" | grep /core.sh. || true)
                [ -n "$forged" ] && break
                sleep 0.1
        done
        [ -n "$forged" ]
        cc_expect 0 "$CRASHCART" --core "$b" /dev/crashcart/bin/sh -c 'echo "$CRASHCART_CORE_EXE"'
        [ "$output" = /app/crasher ]
        [[ "$stderr" == *"'$core_b'"* ]]
        CRASHCART_FAULT_DISABLE=core-run-window cc_expect 0 "$CRASHCART" --core "$b" /dev/crashcart/bin/true
        [[ "$stderr" == *"the core '$forged' of '/usr/bin/dash', killed by SIGSEGV"*"under its hostname (the times of its runs unknown) (1 older there)"* ]]

        # A container that never crashed has none, though others' are there;
        # an image never ran.
        local c; c=$(cc_name sdcore-none)
        docker run --name "$c" --label crashcart-test=1 crashcart-test/busybox true
        cc_expect 125 "$CRASHCART" --core "$c" /dev/crashcart/bin/true
        cc_one_error_line
        [[ "$stderr" == *"systemd-coredump kept no core of docker container '$c' from its last run ("*") in /var/lib/systemd/coredump (hostname '"*"'; 0 of that hostname from other times)"* ]]
        cc_expect 125 "$CRASHCART" --core image:crashcart-test/crasher /dev/crashcart/bin/true
        cc_one_error_line
        [[ "$stderr" == *"docker image 'crashcart-test/crasher' never ran: it left no core"* ]]
}

@test "a stopped LXC container and a systemd-nspawn machine that ran and ended" {
        # LXC: in the default lxcpath, where a container with no monitor is found.
        local n=cctest-lxcpm-$$
        printf 'lxc.net.0.type = empty\nlxc.apparmor.profile = unconfined\nlxc.environment = MARK=lxc-env\n' \
                >"$BATS_TEST_TMPDIR/c.conf"
        lxc-create -f "$BATS_TEST_TMPDIR/c.conf" -n "$n" -t busybox >/dev/null 2>&1
        lxc-start -n "$n" -d
        for _ in $(seq 50); do lxc-attach -n "$n" -- sh -c 'echo lxc-words >/root/w' 2>/dev/null && break; sleep 0.1; done
        lxc-stop -n "$n" -k
        local before; before=$(tree_sum "/var/lib/lxc/$n/rootfs")
        cc_expect 0 "$CRASHCART" --env-from-target=MARK "$n" /dev/crashcart/bin/sh -c 'cat /root/w; echo $MARK; hostname'
        local after; after=$(tree_sum "/var/lib/lxc/$n/rootfs")
        lxc-destroy -n "$n" >/dev/null 2>&1 || true
        [ "$after" = "$before" ]
        [ "${lines[0]}" = lxc-words ]
        [ "${lines[1]}" = lxc-env ]
        [ "${lines[2]}" = "$n" ]
        [[ "$stderr" == *"lxc container '$n' is not running: a post-mortem sandbox of its files, read-only"* ]]

        # nspawn: a machine's directory under /var/lib/machines, its settings in a .nspawn file.
        n=cctest-nspm-$$
        local d=/var/lib/machines/$n
        mkdir -p /var/lib/machines /run/systemd/nspawn
        cc_make_busybox_rootfs "$d"
        printf '[Exec]\nEnvironment=MARK=nspawn-env\nHostname=nsbox\n' >"/run/systemd/nspawn/$n.nspawn"
        systemd-nspawn -q -D "$d" -M "$n" --register=no --keep-unit --console=pipe --as-pid2 \
                sh -c 'echo nspawn-words >/root/w' </dev/null >/dev/null 2>&1 3>&-
        before=$(tree_sum "$d")
        cc_expect 0 "$CRASHCART" --env-from-target=MARK "$n" /dev/crashcart/bin/sh -c 'cat /root/w; echo $MARK; hostname'
        after=$(tree_sum "$d")
        rm -rf "$d" "/run/systemd/nspawn/$n.nspawn" "/run/systemd/nspawn/propagate/$n"
        [ "${lines[0]}" = nspawn-words ]
        [ "${lines[1]}" = nspawn-env ]
        [ "${lines[2]}" = nsbox ]
        [[ "$stderr" == *"nspawn container '$n' is not running: a post-mortem sandbox of its files, read-only"* ]]
        [ "$after" = "$before" ]
}
