#!/usr/bin/env bats
# Containers of every runtime this machine can run, each started here from the
# busybox rootfs and found by the ID its runtime shows: Podman (with and without
# its API), containerd through ctr (a non-default namespace; a state directory
# in none of the usual places, found through its shim), crun, LXC,
# systemd-nspawn. Docker and runc are in core.bats; CRI-O, containerd's CRI,
# kubepods and rkt, which cannot run here, are unit tests on fixture trees.

load ../lib/bats

setup_file() {
        cc_docker_up
        cc_build_assets
        cc_cleanup_containers
        export CRASHCART_IMAGE=$CC_CACHE/cart.sqfs
        mkdir -p "$CC_RUN"
        cc_podman_conf
}

teardown_file() {
        podman rm -f -a --filter label=crashcart-test=1 >/dev/null 2>&1 || true
        [ -f "$CC_RUN/podman-api.pid" ] && kill "$(cat "$CC_RUN/podman-api.pid")" 2>/dev/null
        [ -f "$CC_RUN/containerd.pid" ] && kill "$(cat "$CC_RUN/containerd.pid")" 2>/dev/null
        cc_containerd_private_down k3s "$CC_RUN/k3s/containerd"
        rmdir "$CC_RUN/k3s" 2>/dev/null
        true
}

teardown() {
        cc_wait_loops_gone
        cc_assert_host_clean
}

# Runs a command from the cart in the container named $1 and checks that it ran
# there (hostname, PID 1) and that nothing is left.
check_container() {
        local ref=$1 pid=$2
        cc_expect 3 "$CRASHCART" "$ref" /dev/crashcart/bin/sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; exit 3'
        [[ "$output" == *sleep* ]] || [[ "$output" == *init* ]] || [[ "$output" == *sd-stubinit* ]]
        cc_assert_container_clean "$pid"
        cc_wait_loops_gone
}

@test "Podman by name, id and prefix, from its storage (no service)" {
        podman image exists localhost/crashcart-test-busybox ||
                podman import -q --change 'CMD ["/bin/sh"]' "$CC_CACHE/busybox.tar" localhost/crashcart-test-busybox >/dev/null
        local n id pid
        n=$(cc_name pod)
        id=$(podman run -d --name "$n" --label crashcart-test=1 --network none localhost/crashcart-test-busybox sleep 1000000)
        pid=$(podman inspect -f '{{.State.Pid}}' "$n")
        CONTAINER_HOST=unix:///nonexistent check_container "$n" "$pid"
        CONTAINER_HOST=unix:///nonexistent check_container "$id" "$pid"
        CONTAINER_HOST=unix:///nonexistent check_container "${id:0:12}" "$pid"
        CONTAINER_HOST=unix:///nonexistent cc_expect 0 "$CRASHCART" -r podman "$n" /dev/crashcart/bin/true

        # A stopped one says so to -m (a run examines it: postmortem.bats).
        podman create --name "$n-stopped" --label crashcart-test=1 localhost/crashcart-test-busybox >/dev/null
        CONTAINER_HOST=unix:///nonexistent cc_expect 125 "$CRASHCART" -m "$n-stopped"
        # shellcheck disable=SC2154 # stderr: set by bats' run --separate-stderr (cc_expect)
        [[ "$stderr" == *"podman container '$n-stopped' is not running"* ]]
}

@test "Podman through its API socket, and -e podman exec" {
        local n pid sock=$CC_RUN/podman.sock
        podman system service --time=0 "unix://$sock" >"$CC_RUN/podman-api.log" 2>&1 3>&- &
        echo $! >"$CC_RUN/podman-api.pid"
        for _ in $(seq 100); do curl -s --unix-socket "$sock" http://d/_ping | grep -q OK && break; sleep 0.1; done
        n=$(cc_name podapi)
        podman run -d --name "$n" --label crashcart-test=1 --network none localhost/crashcart-test-busybox sleep 1000000 >/dev/null
        pid=$(podman inspect -f '{{.State.Pid}}' "$n")
        CONTAINER_HOST=unix://$sock check_container "$n" "$pid"
        CONTAINER_HOST=unix://$sock cc_expect 0 "$CRASHCART" -v "$n" /dev/crashcart/bin/true
        [[ "$stderr" == *"is podman"* ]]
        CONTAINER_HOST=unix://$sock cc_expect 0 "$CRASHCART" -e "$n" /dev/crashcart/bin/echo via-podman-exec
        [ "$output" = via-podman-exec ]
        kill "$(cat "$CC_RUN/podman-api.pid")"
        rm -f "$CC_RUN/podman-api.pid"
}

@test "containerd through ctr: an id in a non-default namespace, containerd://id, -e ctr task exec" {
        local sock=/run/containerd/containerd.sock id pid
        if ! ctr -a "$sock" version >/dev/null 2>&1; then
                mkdir -p "$CC_CACHE/containerd"
                printf 'version = 2\nroot = "%s/containerd/root"\nstate = "/run/containerd"\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n[grpc]\n  address = "%s"\n' \
                        "$CC_CACHE" "$sock" >"$CC_CACHE/containerd/config.toml"
                containerd --config "$CC_CACHE/containerd/config.toml" >"$CC_RUN/containerd.log" 2>&1 3>&- &
                echo $! >"$CC_RUN/containerd.pid"
                for _ in $(seq 100); do ctr -a "$sock" version >/dev/null 2>&1 && break; sleep 0.1; done
        fi
        [ -f "$CC_CACHE/busybox-image.tar" ] || docker save crashcart-test/busybox -o "$CC_CACHE/busybox-image.tar"
        ctr -a "$sock" -n cctest image import "$CC_CACHE/busybox-image.tar" >/dev/null
        id=cctest-ctr-$$
        ctr -a "$sock" -n cctest run -d docker.io/crashcart-test/busybox:latest "$id" sleep 1000000
        pid=$(cat "/run/containerd/io.containerd.runtime.v2.task/cctest/$id/init.pid")
        check_container "$id" "$pid"
        check_container "containerd://$id" "$pid"
        cc_expect 0 "$CRASHCART" -e "$id" /dev/crashcart/bin/echo via-ctr
        [ "$output" = via-ctr ]
        ctr -a "$sock" -n cctest task kill -s KILL "$id" >/dev/null
        for _ in $(seq 50); do ctr -a "$sock" -n cctest task rm "$id" >/dev/null 2>&1 && break; sleep 0.1; done
        ctr -a "$sock" -n cctest container rm "$id"
}

@test "containerd whose state is elsewhere (k3s's layout, another path): found through its shim, -e with its socket" {
        local state=$CC_RUN/k3s/containerd sock id pid
        sock=$(cc_containerd_private k3s "$state")
        id=cctest-k3s-$$
        ctr -a "$sock" -n k8s.io image import "$CC_CACHE/busybox-image.tar" >/dev/null
        ctr -a "$sock" -n k8s.io run -d docker.io/crashcart-test/busybox:latest "$id" sleep 1000000
        # A second task of the same containerd: every task of its directory is found.
        ctr -a "$sock" -n cctest run -d docker.io/crashcart-test/busybox:latest "$id-2" sleep 1000000
        pid=$(cat "$state/io.containerd.runtime.v2.task/k8s.io/$id/init.pid")
        check_container "containerd://$id" "$pid"
        check_container "$id-2" "$(cat "$state/io.containerd.runtime.v2.task/cctest/$id-2/init.pid")"
        cc_expect 0 "$CRASHCART" -r containerd --list
        [[ "$output" == *" ${id:0:12} "*" $pid "* ]]
        # ctr is told the socket: its default is /run/containerd's.
        cc_expect 0 "$CRASHCART" -v -e "$id" /dev/crashcart/bin/echo via-ctr-address
        [ "$output" = via-ctr-address ]
        cc_ctr_rm "$sock" k8s.io "$id"
        cc_ctr_rm "$sock" cctest "$id-2"
}

start_crun() {
        local id=$1 b=$CC_CACHE/bundles/$1
        rm -rf "$b"; mkdir -p "$b/rootfs"
        tar -C "$b/rootfs" -xf "$CC_CACHE/busybox.tar"
        (cd "$b" && crun spec)
        jq '.process.terminal = false | .process.args = ["sleep", "1000000"]' "$b/config.json" >"$b/config.new"
        mv "$b/config.new" "$b/config.json"
        # crun 1.8 refuses the hybrid cgroup layout unless cgroup2 is out of sight.
        unshare -m --propagation private sh -c \
                "umount /sys/fs/cgroup/unified 2>/dev/null; crun run -d --bundle '$b' '$id'" </dev/null >"$b/log" 2>&1
}

@test "crun by id, and an id that two runtimes share is ambiguous" {
        local id=cctest-crun-$$ pid
        start_crun "$id"
        pid=$(jq .pid "/run/crun/$id/status")
        check_container "$id" "$pid"
        cc_expect 0 "$CRASHCART" -e "$id" /dev/crashcart/bin/echo via-crun-exec
        [ "$output" = via-crun-exec ]
        # The same id under runc: two containers, two runtimes.
        cc_runc_run "$id" >/dev/null
        cc_expect 125 "$CRASHCART" "$id" /dev/crashcart/bin/true
        [[ "$stderr" == *ambiguous* ]]
        [[ "$stderr" == *"runc $id"* ]]
        [[ "$stderr" == *"crun $id"* ]]
        cc_expect 0 "$CRASHCART" -r runc "$id" /dev/crashcart/bin/true
        cc_runc_rm "$id"
        crun kill "$id" KILL; sleep 0.2; crun delete -f "$id"
        rm -rf "$CC_CACHE/bundles/$id"
}

@test "LXC by name, and -e lxc-attach" {
        local n=cctest-lxc-$$ p=$CC_CACHE/lxc pid
        pid=$(cc_lxc_start "$p" "$n")
        check_container "$n" "$pid"
        cc_expect 0 "$CRASHCART" -e "$n" /dev/crashcart/bin/echo via-lxc-attach
        [ "$output" = via-lxc-attach ]
        lxc-stop -P "$p" -n "$n" -k
        lxc-destroy -P "$p" -n "$n" >/dev/null
}

@test "systemd-nspawn by machine name; it has no exec of its own" {
        local n=cctest-nspawn-$$ d=$CC_CACHE/nspawn-$$ pid
        rm -rf "$d"; mkdir -p "$d"
        tar -C "$d" -xf "$CC_CACHE/busybox.tar"
        setsid systemd-nspawn -q -D "$d" -M "$n" --register=no --keep-unit --console=pipe --as-pid2 \
                sleep 1000000 </dev/null >"$CC_RUN/nspawn.log" 2>&1 3>&- &
        local nspawn=$!
        for _ in $(seq 100); do
                pid=$(pgrep -P $nspawn | head -1)
                [ -n "$pid" ] && grep -q sleep "/proc/$(pgrep -P "$pid" | head -1)/cmdline" 2>/dev/null && break
                sleep 0.1
        done
        check_container "$n" "$pid"
        cc_expect 125 "$CRASHCART" -e "$n" /dev/crashcart/bin/true
        [[ "$stderr" == *"nspawn has no exec of its own"* ]]
        kill $nspawn
        for _ in $(seq 50); do kill -0 $nspawn 2>/dev/null || break; sleep 0.1; done
        rm -rf "$d"
}

@test "--list shows each running container once, and where a cart is mounted" {
        local n pid
        n=$(cc_name list)
        pid=$(cc_docker_run "$n" crashcart-test/busybox sleep 1000000)
        cc_expect 0 "$CRASHCART" --list
        [ "$(head -1 <<<"$output" | tr -s ' ')" = "RUNTIME ID NAME PID CART" ]
        [ "$(grep -c " $pid " <<<"$output")" = 1 ]
        grep " $n " <<<"$output" | grep -q -- ' -$'
        cc_expect 0 "$CRASHCART" -m "$n"
        cc_expect 0 "$CRASHCART" -l -r docker
        grep " $n " <<<"$output" | grep -q ' mounted$'
        cc_expect 0 "$CRASHCART" -u "$n"
        docker rm -f "$n" >/dev/null
}

@test "an id that no runtime knows names the runtimes asked" {
        cc_expect 125 "$CRASHCART" cctest-nothing-at-all /dev/crashcart/bin/true
        cc_one_error_line
        for rt in pid docker podman cri-o containerd lxc nspawn runc crun rkt cgroup; do
                [[ "$stderr" == *" $rt"[,\ \)]* ]]
        done
        [[ "$stderr" == *"rkt (not on this host)"* ]]
        cc_expect 125 "$CRASHCART" --runtime nosuch x
        [[ "$stderr" == *"unknown runtime"* ]]
}

@test "a Docker container found by the cgroup scan alone" {
        local n pid id
        n=$(cc_name scan)
        pid=$(cc_docker_run "$n" crashcart-test/busybox sleep 1000000)
        id=$(docker inspect -f '{{.Id}}' "$n")
        cc_expect 0 "$CRASHCART" -r cgroup -v "${id:0:16}" /dev/crashcart/bin/cat /proc/1/cmdline
        [[ "$output" == sleep* ]]
        [[ "$stderr" == *"is cgroup $id, PID $pid"* ]]
        docker rm -f "$n" >/dev/null
}
