# Shared by tests/run, the integration tests (bats) and scripts/quickstart.
# Everything the tests make is named crashcart-test / cctest- and lives in
# $CC_CACHE, so that what is left behind can be told apart from the host's own.

CC_ROOT=${CC_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CC_CACHE=${CC_TEST_CACHE:-/var/tmp/crashcart-test}
CRASHCART=${CRASHCART:-$CC_ROOT/build/crashcart}
CC_RUN=${CC_RUN:-/run/crashcart-test}

cc_log() { printf '%s\n' "$*" >&2; }

# ---- the Docker daemon ----

cc_docker_ping() {
        curl -s --max-time 2 --unix-socket /var/run/docker.sock http://localhost/_ping 2>/dev/null | grep -q OK
}

# Starts dockerd when none answers; remembers that it did, for cc_docker_down.
cc_docker_up() {
        cc_docker_ping && return 0
        mkdir -p "$CC_RUN"
        # 3>&-: bats waits for every holder of its fd 3 before it ends a file.
        dockerd </dev/null >"$CC_RUN/dockerd.log" 2>&1 3>&- &
        echo $! >"$CC_RUN/dockerd.pid"
        for _ in $(seq 200); do
                cc_docker_ping && return 0
                sleep 0.1
        done
        cc_log "dockerd did not start:"; tail -20 "$CC_RUN/dockerd.log" >&2
        return 1
}

cc_docker_down() {
        [ -f "$CC_RUN/dockerd.pid" ] || return 0
        local pid; pid=$(cat "$CC_RUN/dockerd.pid")
        rm -f "$CC_RUN/dockerd.pid"
        # A stale file may name another process by now: stop only a dockerd.
        [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] || return 0
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
}

# ---- images and carts, made once into $CC_CACHE ----

# cc_helper NAME: the path of build/helpers/NAME, a C helper of the tests from
# tests/helpers, made by make ('make helpers', which tests/run runs) when it is
# missing or older than its source.
cc_helper() {
        make -s -C "$CC_ROOT" "build/helpers/$1" >&2 || return 1
        echo "$CC_ROOT/build/helpers/$1"
}

# A busybox rootfs: a shell and coreutils, /etc/passwd and /etc/group.
cc_make_busybox_rootfs() {
        local dir=$1
        rm -rf "$dir"; mkdir -p "$dir"/{bin,dev,proc,sys,etc,tmp,root,usr}
        cp /bin/busybox "$dir/bin/busybox"
        for a in $("$dir/bin/busybox" --list); do
                [ "$a" = busybox ] || ln -sf busybox "$dir/bin/$a"
        done
        printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\napp:x:1000:1000:app:/home/app:/bin/sh\n' >"$dir/etc/passwd"
        printf 'root:x:0:\nwheel:x:10:app\nnogroup:x:65534:\napp:x:1000:\n' >"$dir/etc/group"
        chmod 1777 "$dir/tmp"
}

# The cart used by the tests, from busybox-static: bin/ with every applet, a
# bin/bash that shows how it was called, the hostile tiocsti helper, .crashcartrc.
cc_make_cart_dir() {
        local dir=$1
        rm -rf "$dir"; mkdir -p "$dir"/{bin,sbin}
        cp /bin/busybox "$dir/bin/busybox"
        for a in $(/bin/busybox --list); do
                [ "$a" = busybox ] || ln -sf busybox "$dir/bin/$a"
        done
        printf '#!/dev/crashcart/bin/sh\necho "cart-bash $*"\n' >"$dir/bin/bash"
        chmod 755 "$dir/bin/bash"
        cp "$(cc_helper tiocsti)" "$dir/bin/tiocsti"
        cp "$(cc_helper probe)" "$dir/bin/probe"
        # shellcheck disable=SC2016 # $PATH is the rc file's, expanded by the cart's shell
        printf 'export PATH=/dev/crashcart/sbin:/dev/crashcart/bin:$PATH\n' >"$dir/.crashcartrc"
}

cc_build_assets() {
        mkdir -p "$CC_CACHE"
        local stamp=$CC_CACHE/assets.stamp
        make -s -C "$CC_ROOT" helpers >&2 || return 1
        if [ ! -f "$stamp" ] || [ -n "$(find "$CC_ROOT/tests/lib" "$CC_ROOT/build/helpers" -newer "$stamp" -print -quit)" ]; then
                cc_make_cart_dir "$CC_CACHE/cart"
                rm -f "$CC_CACHE"/cart.{ext4,sqfs,erofs}
                mke2fs -q -t ext4 -d "$CC_CACHE/cart" -E root_owner=0:0 "$CC_CACHE/cart.ext4" 16M
                mksquashfs "$CC_CACHE/cart" "$CC_CACHE/cart.sqfs" -all-root -noappend -quiet >/dev/null
                mkfs.erofs --all-root --quiet "$CC_CACHE/cart.erofs" "$CC_CACHE/cart" >/dev/null
                # Bad carts: half an ext4 image, random bytes, nothing.
                head -c 4M "$CC_CACHE/cart.ext4" >"$CC_CACHE/bad-truncated.img"
                head -c 1M /dev/urandom >"$CC_CACHE/bad-random.img"
                : >"$CC_CACHE/bad-empty.img"

                cc_make_busybox_rootfs "$CC_CACHE/rootfs-busybox"
                tar -C "$CC_CACHE/rootfs-busybox" -cf "$CC_CACHE/busybox.tar" .
                rm -rf "$CC_CACHE/rootfs-scratch"; mkdir -p "$CC_CACHE/rootfs-scratch"/{dev,proc,sys}
                cp "$(cc_helper pause)" "$CC_CACHE/rootfs-scratch/pause"
                tar -C "$CC_CACHE/rootfs-scratch" -cf "$CC_CACHE/scratch.tar" .
                docker rmi -f crashcart-test/busybox crashcart-test/scratch >/dev/null 2>&1 || true
                touch "$stamp"
        fi
        if ! docker image inspect crashcart-test/busybox >/dev/null 2>&1; then
                docker import -c 'CMD ["/bin/sh"]' "$CC_CACHE/busybox.tar" crashcart-test/busybox >/dev/null
        fi
        if ! docker image inspect crashcart-test/scratch >/dev/null 2>&1; then
                docker import -c 'CMD ["/pause"]' "$CC_CACHE/scratch.tar" crashcart-test/scratch >/dev/null
        fi
}

# ---- carts of Debian's packages (crashcart-build), and containers to try them in ----

# Where crashcart-build keeps the .debs it fetched (-c): one cache for every build
# of the tests, so that a second build fetches nothing.
CC_BUILD_CACHE=$CC_CACHE/build-cache

# cc_default_cart [FAULTS]: the cart of data/default.list, built by this tree's
# build/crashcart-build with CRASHCART_FAULT_DISABLE=FAULTS when given (a cart
# without the protections FAULTS names, for the positive controls); prints its
# directory: cart.erofs, tree/ (the cart's files) and build.log. Built once per
# builder, list and FAULTS: the key is the sha256 of build/crashcart-build, of the
# shared objects beside it that it puts into carts (cart-sh.so), and of the list,
# so that every test file takes the same build, and a changed builder builds anew.
# Builds no test took for a week are removed.
cc_default_cart() {
        local faults=${1:-} base=$CC_CACHE/default-carts key dir
        if [ ! -x "$CC_ROOT/build/crashcart-build" ]; then
                cc_log "no build/crashcart-build: run make first"; return 1
        fi
        key=$({
                sha256sum "$CC_ROOT/build/crashcart-build" "$CC_ROOT/data/default.list" \
                        "$CC_ROOT"/build/*.so | cut -d' ' -f1
                echo "faults=$faults"
        } | sha256sum | cut -c1-16)
        dir=$base/$key
        mkdir -p "$base" "$CC_BUILD_CACHE"
        # One build at a time: two test files (or two suites) wanting the same
        # cart wait for one build, then both take it.
        (
                flock 9
                if [ ! -f "$dir/cart.erofs" ]; then
                        rm -rf "$dir.new"; mkdir -p "$dir.new"
                        if ! CRASHCART_FAULT_DISABLE=$faults "$CC_ROOT/build/crashcart-build" -p "$CC_ROOT/data/default.list" \
                                -o "$dir.new/cart.erofs" -c "$CC_BUILD_CACHE" -k "$dir.new/tree" >"$dir.new/build.log" 2>&1; then
                                cc_log "crashcart-build failed (FAULTS '$faults'):"; tail -30 "$dir.new/build.log" >&2
                                exit 1
                        fi
                        echo "$faults" >"$dir.new/faults"
                        rm -rf "$dir"; mv "$dir.new" "$dir"
                fi
                touch "$dir/used"
                find "$base" -mindepth 2 -maxdepth 2 -name used -mtime +7 -printf '%h\n' | xargs -r rm -rf
        ) 9>"$base/lock" || return 1
        echo "$dir"
}

# cc_libc_images DEBS: two images whose only program is pause, linked against a
# libc of the image's own: crashcart-test/musl (Debian's musl, pause built with
# musl-gcc; no shell) and crashcart-test/glibc (libc6 from the .debs in DEBS, an
# /etc/passwd with root only read through NSS's compat module, and the test CA of
# cc_tls as the system's CA certificates). The glibc one is hostile: its /bin/sh
# is tests/helpers/planted.c, and its /etc/gdb/gdbinit and /root/.bash_completion
# would leave /planted-gdbinit and /planted-completion if the cart's tools read them.
cc_libc_images() {
        local debs=$1 root=$CC_CACHE/rootfs-libc tls libc6; tls=$(cc_tls)
        rm -rf "$root"; mkdir -p "$root"/{musl,glibc}/{dev,proc,sys,etc}
        # musl: the loader is the libc.
        mkdir -p "$root/musl/lib/x86_64-linux-musl"
        cp /lib/x86_64-linux-musl/libc.so "$root/musl/lib/x86_64-linux-musl/"
        ln -s x86_64-linux-musl/libc.so "$root/musl/lib/ld-musl-x86_64.so.1"
        cp "$(cc_helper pause-musl)" "$root/musl/pause"
        # glibc
        libc6=("$debs"/libc6_*.deb)
        dpkg-deb -x "${libc6[0]}" "$root/glibc"
        cp "$(cc_helper pause-glibc)" "$root/glibc/pause"
        echo 'root:x:0:0:root:/root:/pause' >"$root/glibc/etc/passwd"
        # Older Debian's way: the compat NSS module, which libc loads with dlopen.
        printf 'passwd: compat\ngroup: compat\n' >"$root/glibc/etc/nsswitch.conf"
        echo 'root:x:0:' >"$root/glibc/etc/group"
        mkdir -p "$root/glibc/etc/ssl/certs"
        cp "$tls/ca.pem" "$root/glibc/etc/ssl/certs/ca-certificates.crt"
        mkdir -p "$root/glibc/bin" "$root/glibc/root" "$root/glibc/etc/gdb"
        cp "$(cc_helper planted)" "$root/glibc/bin/sh"
        printf 'python open("/planted-gdbinit", "w").close()\n' >"$root/glibc/etc/gdb/gdbinit"
        printf ': >/planted-completion\n' >"$root/glibc/root/.bash_completion"
        local n
        for n in musl glibc; do
                docker rmi -f "crashcart-test/$n" >/dev/null 2>&1 || true
                tar -C "$root/$n" -c . | docker import -c 'CMD ["/pause"]' - "crashcart-test/$n" >/dev/null
        done
}

# A test CA and a certificate it signed for localhost and 127.0.0.1, made once;
# prints their directory (ca.pem, server.pem, server.key).
cc_tls() {
        local d=$CC_CACHE/tls
        if [ ! -s "$d/server.pem" ]; then
                rm -rf "$d"; mkdir -p "$d"
                openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj '/CN=crashcart test CA' \
                        -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
                openssl req -newkey rsa:2048 -nodes -subj '/CN=localhost' \
                        -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
                printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$d/ext"
                openssl x509 -req -days 3650 -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
                        -CAcreateserial -extfile "$d/ext" -out "$d/server.pem" 2>/dev/null
        fi
        echo "$d"
}

# cc_net_servers PID: in the network namespace of PID, host processes that the
# cart's tools talk to: a TLS web server on 127.0.0.1:8443 (cc_tls's
# certificate) and a DNS resolver on 127.0.0.1:53 (tests/helpers/dnsd.c). Prints
# their PIDs, for kill.
cc_net_servers() {
        local tls dnsd fifo=$CC_CACHE/dnsd.$1
        tls=$(cc_tls); dnsd=$(cc_helper dnsd)
        nsenter -n -t "$1" openssl s_server -quiet -accept 127.0.0.1:8443 -www \
                -cert "$tls/server.pem" -key "$tls/server.key" </dev/null >/dev/null 2>&1 &
        echo $!
        rm -f "$fifo"; mkfifo "$fifo"
        nsenter -n -t "$1" "$dnsd" >"$fifo" 2>/dev/null </dev/null &
        echo $!
        read -r -t 10 _ <"$fifo" || true   # its "ready"
        rm -f "$fifo"
        for _ in $(seq 50); do
                nsenter -n -t "$1" ss -Hltn 'sport = :8443' | grep -q . && break
                sleep 0.1
        done
}

# ---- containers ----

# cc_docker_run NAME [docker run options...] IMAGE [CMD...]: prints the init PID.
cc_docker_run() {
        local name=$1; shift
        docker run -d --name "$name" --label crashcart-test=1 "$@" >/dev/null
        docker inspect -f '{{.State.Pid}}' "$name"
}

cc_pid_of() { docker inspect -f '{{.State.Pid}}' "$1"; }

# Podman as the tests run it: runc (crun refuses this host's hybrid cgroup
# layout) and ulimits within the hard limits, in a configuration of the suite's
# own (CONTAINERS_CONF), never the host's.
cc_podman_conf() {
        mkdir -p "$CC_RUN"
        printf '[containers]\ndefault_ulimits=["nofile=20000:20000","nproc=32768:32768"]\n[engine]\nruntime="runc"\n' \
                >"$CC_RUN/containers.conf"
        export CONTAINERS_CONF=$CC_RUN/containers.conf
}

# cc_lxc_start LXCPATH NAME: a busybox LXC container without a network or an
# AppArmor profile, started; prints its init's PID (empty: it did not start).
cc_lxc_start() {
        local p=$1 n=$2 pid=
        mkdir -p "$p"
        printf 'lxc.net.0.type = empty\nlxc.apparmor.profile = unconfined\n' >"$p/c.conf"
        lxc-create -P "$p" -f "$p/c.conf" -n "$n" -t busybox >/dev/null 2>&1
        lxc-start -P "$p" -n "$n" -d
        for _ in $(seq 50); do pid=$(lxc-info -P "$p" -n "$n" -pH); [ -n "$pid" ] && break; sleep 0.1; done
        echo "$pid"
}

# An OCI bundle from the busybox rootfs, run with runc. Options: userns, rodev.
# Prints the init PID.
cc_runc_run() {
        local id=$1; shift
        local b=$CC_CACHE/bundles/$id
        rm -rf "$b"; mkdir -p "$b/rootfs"
        tar -C "$b/rootfs" -xf "$CC_CACHE/busybox.tar"
        (cd "$b" && runc spec)
        local userns=0 rodev=0
        for o in "$@"; do
                case $o in userns) userns=1 ;; rodev) rodev=1 ;; esac
        done
        local f=$b/config.json
        jq '.process.terminal = false | .process.args = ["sleep", "1000000"] | .root.readonly = false' "$f" >"$f.new"
        if [ "$userns" = 1 ]; then
                jq '.linux.namespaces += [{"type": "user"}]
                    | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
                    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]' "$f.new" >"$f.tmp" &&
                        mv "$f.tmp" "$f.new"
        fi
        if [ "$rodev" = 1 ]; then
                jq '(.mounts[] | select(.destination == "/dev") | .options) += ["ro"]' "$f.new" >"$f.tmp" &&
                        mv "$f.tmp" "$f.new"
        fi
        mv "$f.new" "$f"
        [ "$userns" = 1 ] && chown -R 100000:100000 "$b/rootfs"
        runc run -d --bundle "$b" --pid-file "$b/pid" "$id" </dev/null >"$b/log" 2>&1 || { cat "$b/log" >&2; return 1; }
        cat "$b/pid"
}

cc_runc_rm() {
        runc kill "$1" KILL >/dev/null 2>&1 || true
        for _ in $(seq 50); do runc delete -f "$1" >/dev/null 2>&1 && break; sleep 0.1; done
        rm -rf "$CC_CACHE/bundles/$1"
}

# ---- a containerd of the tests' own, wherever its state is ----

# cc_containerd_private NAME STATE: a containerd whose state is STATE (its tasks
# in STATE/io.containerd.runtime.v2.task, as k3s keeps them in /run/k3s/containerd),
# its socket STATE/containerd.sock, its root in $CC_CACHE/containerd-NAME, the CRI
# plugin off; with the busybox image imported into namespace cctest. Prints the
# socket.
cc_containerd_private() {
        local name=$1 state=$2 dir=$CC_CACHE/containerd-$1 sock=$2/containerd.sock
        mkdir -p "$dir" "$state" "$CC_RUN"
        printf 'version = 2\nroot = "%s/root"\nstate = "%s"\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n[grpc]\n  address = "%s"\n' \
                "$dir" "$state" "$sock" >"$dir/config.toml"
        if ! ctr -a "$sock" version >/dev/null 2>&1; then
                containerd --config "$dir/config.toml" </dev/null >"$CC_RUN/containerd-$name.log" 2>&1 3>&- &
                echo $! >"$CC_RUN/containerd-$name.pid"
                echo "$sock" >"$CC_RUN/containerd-$name.addr"
                for _ in $(seq 100); do ctr -a "$sock" version >/dev/null 2>&1 && break; sleep 0.1; done
        fi
        [ -f "$CC_CACHE/busybox-image.tar" ] || docker save crashcart-test/busybox -o "$CC_CACHE/busybox-image.tar"
        ctr -a "$sock" -n cctest image import "$CC_CACHE/busybox-image.tar" >/dev/null || return 1
        echo "$sock"
}

# cc_ctr_rm SOCK NAMESPACE ID: removes the task and the container ID.
cc_ctr_rm() {
        timeout 10 ctr -a "$1" -n "$2" task kill -s KILL "$3" >/dev/null 2>&1
        for _ in $(seq 50); do timeout 10 ctr -a "$1" -n "$2" task rm -f "$3" >/dev/null 2>&1 && break; sleep 0.1; done
        timeout 10 ctr -a "$1" -n "$2" container rm "$3" >/dev/null 2>&1
        return 0
}

# cc_containerd_private_down NAME STATE: its containers of every namespace
# removed (their shims end with them), the daemon stopped, STATE removed.
cc_containerd_private_down() {
        local name=$1 state=$2 sock=$2/containerd.sock pid ns id
        if ctr -a "$sock" version >/dev/null 2>&1; then
                for ns in $(timeout 10 ctr -a "$sock" namespaces ls -q 2>/dev/null); do
                        for id in $(timeout 10 ctr -a "$sock" -n "$ns" containers ls -q 2>/dev/null); do
                                cc_ctr_rm "$sock" "$ns" "$id"
                        done
                done
        fi
        if [ -f "$CC_RUN/containerd-$name.pid" ]; then
                pid=$(cat "$CC_RUN/containerd-$name.pid")
                rm -f "$CC_RUN/containerd-$name.pid" "$CC_RUN/containerd-$name.addr"
                if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = containerd ]; then
                        kill "$pid"
                        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
                fi
        fi
        rm -rf "$state"
        return 0
}

# The containers the tests made that still exist, one "runtime id" a line: Docker
# and Podman ones carry the label crashcart-test=1, the others' ids start cctest-.
cc_test_containers() {
        local id
        for id in $(docker ps -aq --filter label=crashcart-test=1 2>/dev/null); do echo "docker $id"; done
        for id in $(runc list -q 2>/dev/null | grep '^cctest-'); do echo "runc $id"; done
        if command -v podman >/dev/null; then
                for id in $(podman ps -aq --filter label=crashcart-test=1 2>/dev/null); do echo "podman $id"; done
        fi
        if command -v crun >/dev/null; then
                for id in $(crun list -q 2>/dev/null | grep '^cctest-'); do echo "crun $id"; done
        fi
        if [ -S /run/containerd/containerd.sock ]; then
                for id in $(timeout 10 ctr -n cctest containers ls -q 2>/dev/null); do echo "containerd $id"; done
        fi
        # The tests' own containerds (cc_containerd_private), every namespace:
        # "containerd@SOCKET@NAMESPACE ID".
        local addr sock ns
        for addr in "$CC_RUN"/containerd-*.addr; do
                [ -f "$addr" ] || continue
                sock=$(cat "$addr")
                [ -S "$sock" ] || continue
                for ns in $(timeout 10 ctr -a "$sock" namespaces ls -q 2>/dev/null); do
                        for id in $(timeout 10 ctr -a "$sock" -n "$ns" containers ls -q 2>/dev/null); do
                                echo "containerd@$sock@$ns $id"
                        done
                done
        done
        if [ -d "$CC_CACHE/lxc" ] && command -v lxc-ls >/dev/null; then
                for id in $(lxc-ls -P "$CC_CACHE/lxc" -1 2>/dev/null | grep '^cctest-'); do echo "lxc $id"; done
        fi
        for id in $(pgrep -f '^systemd-nspawn .* -M cctest-'); do echo "nspawn $id"; done
        return 0
}

# Removes every container the tests made (left by an interrupted run too).
cc_cleanup_containers() {
        local rt id
        cc_test_containers | while read -r rt id; do
                case $rt in
                docker) docker rm -f "$id" >/dev/null 2>&1 ;;
                runc) cc_runc_rm "$id" ;;
                podman) podman rm -f "$id" >/dev/null 2>&1 ;;
                crun)
                        crun kill "$id" KILL >/dev/null 2>&1
                        for _ in $(seq 50); do crun delete -f "$id" >/dev/null 2>&1 && break; sleep 0.1; done
                        rm -rf "$CC_CACHE/bundles/$id" ;;
                containerd)
                        timeout 10 ctr -n cctest task kill -s KILL "$id" >/dev/null 2>&1
                        for _ in $(seq 50); do timeout 10 ctr -n cctest task rm -f "$id" >/dev/null 2>&1 && break; sleep 0.1; done
                        timeout 10 ctr -n cctest container rm "$id" >/dev/null 2>&1 ;;
                containerd@*)
                        rt=${rt#containerd@}
                        cc_ctr_rm "${rt%@*}" "${rt##*@}" "$id" ;;
                lxc)
                        lxc-stop -P "$CC_CACHE/lxc" -n "$id" -k >/dev/null 2>&1
                        lxc-destroy -P "$CC_CACHE/lxc" -n "$id" >/dev/null 2>&1 ;;
                nspawn) kill "$id" 2>/dev/null ;;   # a PID: the nspawn process
                esac
        done
        return 0
}

# Unmounts what an interrupted run left mounted on the host from a test cart (a
# --host mount, say): every mount whose source is a loop device of a test cart.
cc_cleanup_host_mounts() {
        local dev mp
        for dev in $(cc_test_loops | cut -d: -f1); do
                awk -v dev="$dev" '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 2) == dev) print $5; break } }' \
                        /proc/self/mountinfo | tac | while read -r mp; do
                        umount -l "$(printf '%b' "$mp")" 2>/dev/null
                done
        done
        return 0
}

# Everything of the suite's own that is left: containers, loop devices of the test
# carts, crashcart mounts on the host, crashcart's session files. Empty when clean.
cc_leftovers() {
        cc_test_containers | sed 's/^/container: /'
        cc_test_loops | sed 's/^/loop device: /'
        cc_host_cart_mounts | sed 's/^/host mount: /'
        find /run/crashcart -maxdepth 1 -name 'mnt-*' 2>/dev/null | sed 's/^/session file: /'
        return 0
}

# ---- what must be left: nothing ----

# Loop devices mapping one of the test carts.
cc_test_loops() { losetup -a 2>/dev/null | grep -F "$CC_CACHE/" || true; }

# Host mounts of crashcart's: a cart at /dev/crashcart, a cc-loop tmpfs, any mount
# of a test cart's loop device.
cc_host_cart_mounts() {
        grep -E ' /dev/(crashcart|cc-loop)[ /]' /proc/self/mountinfo || true
        local l
        for l in $(cc_test_loops | cut -d: -f1); do
                grep -F " $l " /proc/self/mountinfo || true
        done
}

# Asserts that a container keeps nothing of crashcart's.
cc_assert_container_clean() {
        local pid=$1
        if grep -E ' /dev/(crashcart|cc-loop) ' "/proc/$pid/mountinfo"; then
                echo "a mount of crashcart's is left in PID $pid" >&2; return 1
        fi
        if [ -e "/proc/$pid/root/dev/crashcart" ] || [ -e "/proc/$pid/root/dev/cc-loop" ]; then
                echo "/dev/crashcart or /dev/cc-loop is left in PID $pid" >&2; return 1
        fi
}

cc_assert_host_clean() {
        local loops mounts
        loops=$(cc_test_loops); mounts=$(cc_host_cart_mounts)
        if [ -n "$loops" ] || [ -n "$mounts" ]; then
                echo "left on the host: loops [$loops] mounts [$mounts]" >&2; return 1
        fi
        if ls /run/crashcart/mnt-* >/dev/null 2>&1; then
                echo "session files left: $(ls /run/crashcart)" >&2; return 1
        fi
}

# Waits until no loop device maps a test cart (autoclear happens when the last
# user closes it, a moment after the unmount).
cc_wait_loops_gone() {
        for _ in $(seq 50); do
                [ -z "$(cc_test_loops)" ] && return 0
                sleep 0.1
        done
        cc_test_loops >&2
        return 1
}
