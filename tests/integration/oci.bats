#!/usr/bin/env bats
# crashcart as an OCI image (make oci, scripts/oci-image): what it holds, that it
# is reproducible, that docker load, podman load and ctr image import take it,
# a round trip through a registry on localhost; and run as a node pod would run
# it, a container with the host's PIDs and every privilege, against containers
# of Docker, Podman, containerd (its default state and another), runc and LXC.
#
# --privileged itself cannot start a container on this machine: its capability
# bounding set lacks CAP_SYS_RESOURCE, which --privileged asks for. The node
# pod is then every capability but that one, no seccomp filter, no AppArmor
# profile, no masked /proc paths and every device allowed; where --privileged
# works, it is --privileged.

load ../lib/bats

IMG=crashcart-test/crashcart:test

setup_file() {
        cc_docker_up
        cc_build_assets
        cc_cleanup_containers
        mkdir -p "$CC_CACHE/oci" "$CC_RUN"
        # The image of the tests: this tree's static crashcart and the busybox cart.
        make -s -C "$CC_ROOT" static
        "$CC_ROOT/scripts/oci-image" --binary "$CC_ROOT/build/crashcart-static" --cart "$CC_CACHE/cart.erofs" \
                --name crashcart-test/crashcart --tag test --epoch 1 -o "$CC_CACHE/oci/test.tar" 2>/dev/null
        docker load -q -i "$CC_CACHE/oci/test.tar" >/dev/null
        # The node pod's privileges, one docker run option a line.
        if docker run --rm --privileged "$IMG" --version >/dev/null 2>&1; then
                echo --privileged
        else
                printf '%s\n' --cap-add=ALL --cap-drop=SYS_RESOURCE --security-opt=seccomp=unconfined \
                        --security-opt=apparmor=unconfined --security-opt=systempaths=unconfined \
                        '--device-cgroup-rule=a *:* rwm'
        fi >"$CC_RUN/oci-node-pod"
        cc_podman_conf
}

teardown_file() {
        cc_cleanup_containers
        cc_containerd_private_down oci "$CC_RUN/oci-containerd"
        docker rmi -f "$IMG" >/dev/null 2>&1 || true
        rm -f "$CC_RUN/oci-node-pod"
        true
}

teardown() {
        cc_wait_loops_gone
        cc_assert_host_clean
}

# privileged ARG...: docker run with the node pod's privileges.
privileged() {
        local opts
        mapfile -t opts <"$CC_RUN/oci-node-pod"
        docker run --rm -i --label crashcart-test=1 "${opts[@]}" "$@"
}

# node_pod ARG...: crashcart from its image, as a node pod runs it.
node_pod() {
        privileged --pid=host -v /run:/run "$IMG" "$@"
}

# in_node_pod ID PID: a command from the cart in the container ID (its init PID),
# its status passed through, and nothing left in the container or on the host.
in_node_pod() {
        cc_expect 3 node_pod "$1" /dev/crashcart/bin/sh -c 'tr "\0" " " </proc/1/cmdline; exit 3'
        [[ "$output" == *sleep* ]] || [[ "$output" == *init* ]]
        cc_assert_container_clean "$2"
        cc_wait_loops_gone
        cc_assert_host_clean
}

@test "make oci: an OCI layout with Docker's manifest.json, no base, crashcart and the cart only, reproducible" {
        local cart out=$CC_ROOT/build/crashcart-oci.tar again=$CC_CACHE/oci/again.tar m cfg layer
        cart=$(cc_default_cart)/cart.erofs
        make -s -C "$CC_ROOT" oci CART="$cart" SOURCE_DATE_EPOCH=1700000000
        run -0 tar -tf "$out"
        [ "$(grep -v '^blobs/sha256/.' <<<"$output" | tr '\n' ' ')" = "blobs/ blobs/sha256/ index.json manifest.json oci-layout " ]
        local x=$BATS_TEST_TMPDIR/x; mkdir -p "$x"; tar -C "$x" -xf "$out"
        [ "$(jq -r .imageLayoutVersion "$x/oci-layout")" = 1.0.0 ]
        m=$(jq -r '.manifests[0].digest' "$x/index.json" | cut -d: -f2)
        [ "$(jq -r '.manifests[0].annotations["io.containerd.image.name"]' "$x/index.json")" = docker.io/library/crashcart:0.1.0 ]
        [ "$(sha256sum <"$x/blobs/sha256/$m" | cut -d' ' -f1)" = "$m" ]
        cfg=$(jq -r .config.digest "$x/blobs/sha256/$m" | cut -d: -f2)
        layer=$(jq -r '.layers[0].digest' "$x/blobs/sha256/$m" | cut -d: -f2)
        [ "$(jq -r '.layers | length' "$x/blobs/sha256/$m")" = 1 ]
        [ "$(jq -c .config.Entrypoint "$x/blobs/sha256/$cfg")" = '["/crashcart"]' ]
        [ "$(jq -r .created "$x/blobs/sha256/$cfg")" = 2023-11-14T22:13:20Z ]
        # The diff id is the uncompressed layer's, as engines check it.
        [ "$(jq -r '.rootfs.diff_ids[0]' "$x/blobs/sha256/$cfg")" = "sha256:$(gzip -dc "$x/blobs/sha256/$layer" | sha256sum | cut -d' ' -f1)" ]
        # Docker's manifest names the same config and layer.
        [ "$(jq -r '.[0].Config' "$x/manifest.json")" = "blobs/sha256/$cfg" ]
        [ "$(jq -r '.[0].Layers[0]' "$x/manifest.json")" = "blobs/sha256/$layer" ]
        [ "$(jq -r '.[0].RepoTags[0]' "$x/manifest.json")" = crashcart:0.1.0 ]
        # The layer: the static binary and the cart at the default path, root's, one time.
        run -0 env TZ=UTC tar -tvzf "$x/blobs/sha256/$layer"
        [ "$(awk '{print $6}' <<<"$output" | tr '\n' ' ')" = "crashcart var/ var/lib/ var/lib/crashcart/ var/lib/crashcart/crashcart.img " ]
        [ "$(awk '{print $2}' <<<"$output" | sort -u)" = 0/0 ]
        [ "$(awk '{print $4, $5}' <<<"$output" | sort -u)" = "2023-11-14 22:13" ]
        [[ "$output" == "-rwxr-xr-x 0/0 "* ]]
        gzip -dc "$x/blobs/sha256/$layer" | tar -xO crashcart | cmp - "$CC_ROOT/build/crashcart-static"
        gzip -dc "$x/blobs/sha256/$layer" | tar -xO var/lib/crashcart/crashcart.img | cmp - "$cart"
        # The same inputs, the same bytes.
        "$CC_ROOT/scripts/oci-image" --binary "$CC_ROOT/build/crashcart-static" --cart "$cart" --tag 0.1.0 \
                --epoch 1700000000 -o "$again" 2>/dev/null
        cmp "$out" "$again"
        rm -f "$again"
}

@test "docker load, podman load and ctr image import take the archive, and it runs" {
        local id cfg sock
        cfg=sha256:$(tar -xOf "$CC_CACHE/oci/test.tar" manifest.json | jq -r '.[0].Config' | cut -d/ -f3)
        run -0 docker image inspect -f '{{.Id}} {{json .Config.Entrypoint}}' "$IMG"
        [ "$output" = "$cfg [\"/crashcart\"]" ]
        cc_expect 0 docker run --rm "$IMG" --version
        [[ "$output" == *"build: static"* ]]
        [[ "$output" == *"default image: /var/lib/crashcart/crashcart.img"* ]]

        run -0 podman load -q -i "$CC_CACHE/oci/test.tar"
        run -0 podman image inspect -f '{{.Id}}' "$IMG"
        [ "sha256:$output" = "$cfg" ]
        cc_expect 0 podman run --rm --network none "$IMG" --version
        [[ "$output" == *"build: static"* ]]
        podman rmi -f "$IMG" >/dev/null

        sock=$(cc_containerd_private oci "$CC_RUN/oci-containerd")
        run -0 ctr -a "$sock" -n cctest image import "$CC_CACHE/oci/test.tar"
        run -0 ctr -a "$sock" -n cctest image ls -q
        [[ "$output" == *"docker.io/crashcart-test/crashcart:test"* ]]
        run -0 ctr -a "$sock" -n cctest run --rm "docker.io/crashcart-test/crashcart:test" "cctest-oci-$$" /crashcart --version
        [[ "$output" == *"build: static"* ]]
        ctr -a "$sock" -n cctest image rm "docker.io/crashcart-test/crashcart:test" >/dev/null
}

@test "a round trip through a registry on localhost: skopeo and docker push, docker and podman pull" {
        command -v docker-registry >/dev/null || skip "no docker-registry (Debian's docker-registry package)"
        local d=$CC_CACHE/registry port cfg reg
        rm -rf "$d"; mkdir -p "$d/data"
        port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s/data\nhttp:\n  addr: 127.0.0.1:%s\n' \
                "$d" "$port" >"$d/config.yml"
        docker-registry serve "$d/config.yml" </dev/null >"$d/log" 2>&1 3>&- &
        echo $! >"$CC_RUN/registry.pid"
        for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
        reg=127.0.0.1:$port
        cfg=sha256:$(tar -xOf "$CC_CACHE/oci/test.tar" manifest.json | jq -r '.[0].Config' | cut -d/ -f3)

        # The archive itself, as an OCI archive, when skopeo is here.
        if command -v skopeo >/dev/null; then
                skopeo copy -q --dest-tls-verify=false "oci-archive:$CC_CACHE/oci/test.tar" "docker://$reg/crashcart:oci"
                docker pull -q "$reg/crashcart:oci" >/dev/null
                [ "$(docker image inspect -f '{{.Id}}' "$reg/crashcart:oci")" = "$cfg" ]
                docker rmi -f "$reg/crashcart:oci" >/dev/null
        fi
        # Docker's push of the loaded image; both engines pull it back.
        docker tag "$IMG" "$reg/crashcart:test"
        docker push -q "$reg/crashcart:test" >/dev/null
        docker rmi -f "$reg/crashcart:test" >/dev/null
        docker pull -q "$reg/crashcart:test" >/dev/null
        [ "$(docker image inspect -f '{{.Id}}' "$reg/crashcart:test")" = "$cfg" ]
        cc_expect 0 docker run --rm "$reg/crashcart:test" --version
        [[ "$output" == *"build: static"* ]]
        podman pull -q --tls-verify=false "$reg/crashcart:test" >/dev/null
        [ "sha256:$(podman image inspect -f '{{.Id}}' "$reg/crashcart:test")" = "$cfg" ]
        # Podman's push, pulled back by Docker.
        podman push -q --tls-verify=false "$reg/crashcart:test" "$reg/crashcart:podman"
        docker pull -q "$reg/crashcart:podman" >/dev/null
        [ "$(docker image inspect -f '{{.Id}}' "$reg/crashcart:podman")" = "$cfg" ]

        docker rmi -f "$reg/crashcart:test" "$reg/crashcart:podman" >/dev/null
        podman rmi -f "$reg/crashcart:test" >/dev/null
        kill "$(cat "$CC_RUN/registry.pid")"
        rm -f "$CC_RUN/registry.pid"
        rm -rf "$d"
}

@test "node pod: Docker, Podman, runc and LXC containers, from a container with the host's PIDs" {
        local n pid id p=$CC_CACHE/lxc
        n=$(cc_name nodepod)
        pid=$(cc_docker_run "$n" crashcart-test/busybox sleep 1000000)
        in_node_pod "$n" "$pid"
        id=$(docker inspect -f '{{.Id}}' "$n")
        in_node_pod "docker://$id" "$pid"
        # It says that it works in the host's mount namespace.
        cc_expect 0 node_pod -v "$n" /dev/crashcart/bin/true
        # shellcheck disable=SC2154 # stderr: set by bats' run --separate-stderr (cc_expect)
        [[ "$stderr" == *"in a container of its own: working in the mount namespace of PID"* ]]
        [[ "$stderr" == *"is docker $id, PID $pid"* ]]
        # Docker's socket is found without /run bound: the host's, not the pod's.
        cc_expect 0 privileged --pid=host "$IMG" "$n" /dev/crashcart/bin/echo no-run-bound
        [ "$output" = no-run-bound ]
        docker rm -f "$n" >/dev/null

        podman image exists localhost/crashcart-test-busybox ||
                podman import -q --change 'CMD ["/bin/sh"]' "$CC_CACHE/busybox.tar" localhost/crashcart-test-busybox >/dev/null
        n=$(cc_name nodepod-podman)
        podman run -d --name "$n" --label crashcart-test=1 --network none localhost/crashcart-test-busybox sleep 1000000 >/dev/null
        in_node_pod "$n" "$(podman inspect -f '{{.State.Pid}}' "$n")"
        podman rm -f "$n" >/dev/null

        id=cctest-nodepod-runc-$$
        pid=$(cc_runc_run "$id")
        in_node_pod "$id" "$pid"
        cc_runc_rm "$id"

        n=cctest-nodepod-lxc-$$
        pid=$(cc_lxc_start "$p" "$n")
        in_node_pod "$n" "$pid"
        lxc-stop -P "$p" -n "$n" -k
        lxc-destroy -P "$p" -n "$n" >/dev/null
}

@test "node pod: containerd tasks, in the default state directory and in another, and -e through ctr" {
        local sock id pid def=/run/containerd/containerd.sock
        # Another state directory, found through the shim.
        sock=$(cc_containerd_private oci "$CC_RUN/oci-containerd")
        id=cctest-nodepod-ctr-$$
        ctr -a "$sock" -n cctest run -d docker.io/crashcart-test/busybox:latest "$id" sleep 1000000
        pid=$(cat "$CC_RUN/oci-containerd/io.containerd.runtime.v2.task/cctest/$id/init.pid")
        in_node_pod "containerd://$id" "$pid"
        cc_expect 0 node_pod -e "$id" /dev/crashcart/bin/echo via-ctr
        [ "$output" = via-ctr ]
        cc_ctr_rm "$sock" cctest "$id"

        # The default one, /run/containerd, started here when none runs.
        if ! ctr -a "$def" version >/dev/null 2>&1; then
                cc_containerd_private oci-default /run/containerd >/dev/null
        else
                ctr -a "$def" -n cctest image import "$CC_CACHE/busybox-image.tar" >/dev/null
        fi
        id=cctest-nodepod-ctrdef-$$
        ctr -a "$def" -n cctest run -d docker.io/crashcart-test/busybox:latest "$id" sleep 1000000
        pid=$(cat "/run/containerd/io.containerd.runtime.v2.task/cctest/$id/init.pid")
        in_node_pod "$id" "$pid"
        cc_ctr_rm "$def" cctest "$id"
        if [ -f "$CC_RUN/containerd-oci-default.pid" ]; then
                # Only what this test started: /run/containerd's files stay for a containerd to come.
                kill "$(cat "$CC_RUN/containerd-oci-default.pid")"
                rm -f "$CC_RUN/containerd-oci-default.pid" "$CC_RUN/containerd-oci-default.addr"
        fi
}

@test "node pod: a host process is refused; without the host's PIDs or privileges, a clear error" {
        local n pid
        n=$(cc_name nodepod-refuse)
        pid=$(cc_docker_run "$n" crashcart-test/busybox sleep 1000000)
        # dockerd is the host's: mounting onto the host's /dev is refused.
        cc_expect 125 node_pod "$(pgrep -xo dockerd)" /dev/crashcart/bin/true
        [[ "$stderr" == *"shares crashcart's mount namespace: it is not in a container"* ]]
        # Its own PID namespace: it sees no container, and says what to do.
        cc_expect 125 privileged "$IMG" "$n" /dev/crashcart/bin/true
        cc_one_error_line
        [[ "$stderr" == *"run its container with the host's PIDs (hostPID, --pid=host)"* ]]
        # No privileges: nothing mounted anywhere.
        cc_expect 125 docker run --rm -i --pid=host "$IMG" "$pid" /dev/crashcart/bin/true
        cc_assert_container_clean "$pid"
        docker rm -f "$n" >/dev/null
}

@test "DaemonSet: crashcart --idle keeps its container up, kubectl exec's crashcart works beside it, SIGTERM ends it at once" {
        local n ds opts pid start
        n=$(cc_name ds-target)
        ds=$(cc_name ds)
        pid=$(cc_docker_run "$n" crashcart-test/busybox sleep 1000000)
        mapfile -t opts <"$CC_RUN/oci-node-pod"
        # The DaemonSet's container: host PIDs, privileged, the image's crashcart idle.
        docker run -d --name "$ds" --label crashcart-test=1 "${opts[@]}" --pid=host "$IMG" --idle >/dev/null
        # What `kubectl exec DS-POD -- /crashcart ID CMD` runs: crashcart started
        # by the runtime's exec, beside the idle one.
        cc_expect 3 docker exec -i "$ds" /crashcart "$n" /dev/crashcart/bin/sh -c 'tr "\0" " " </proc/1/cmdline; exit 3'
        [[ "$output" == *sleep* ]]
        cc_assert_container_clean "$pid"
        cc_wait_loops_gone
        cc_assert_host_clean
        # The kubelet stops it with SIGTERM: it exits 0 at once, not killed after
        # the grace period (137).
        start=$SECONDS
        docker stop -t 20 "$ds" >/dev/null
        [ "$(docker inspect -f '{{.State.ExitCode}}' "$ds")" = 0 ]
        [ $((SECONDS - start)) -lt 10 ]
        docker rm -f "$ds" >/dev/null
        # PID 1 of its own PID namespace (a pod without hostPID): SIGTERM still ends it.
        docker run -d --name "$ds" --label crashcart-test=1 "$IMG" --idle >/dev/null
        start=$SECONDS
        docker stop -t 20 "$ds" >/dev/null
        [ "$(docker inspect -f '{{.State.ExitCode}}' "$ds")" = 0 ]
        [ $((SECONDS - start)) -lt 10 ]
        docker rm -f "$ds" "$n" >/dev/null
}
