#!/usr/bin/env bats
# Faults and hostile input: crashcart killed at each step, a target that exits or
# whose PID is reused, a compromised container, broken images, storms of
# concurrent runs. The host must never be left worse than it was.
# CRASHCART_FAULT_STOP=POINT makes crashcart stop itself (SIGSTOP) at POINT, so
# that a test can act at that exact step.

load ../lib/bats

setup_file() {
        cc_docker_up
        cc_build_assets
        cc_cleanup_containers
        export CRASHCART_IMAGE=$CC_CACHE/cart.ext4
}

teardown_file() {
        cc_cleanup_containers
}

teardown() {
        wait_reapers_gone || true
        mountpoint -q "$BATS_TEST_TMPDIR/ro" 2>/dev/null && umount "$BATS_TEST_TMPDIR/ro"
        cc_wait_loops_gone
        cc_assert_host_clean
}

# Waits until process $1 is stopped; fails after 5 s.
wait_stopped() {
        for _ in $(seq 100); do
                [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = T ] && return 0
                sleep 0.05
        done
        echo "process $1 never stopped" >&2
        return 1
}

# Starts crashcart in the background, stopped at a fault point; sets $cc.
start_stopped() {
        local point=$1; shift
        CRASHCART_FAULT_STOP=$point "$CRASHCART" "$@" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
        cc=$!
        wait_stopped "$cc"
}

finish() {      # finish: lets $cc go on, sets $st to its exit status
        kill -CONT "$cc" 2>/dev/null || true
        st=0
        wait "$cc" || st=$?
}

@test "killed after attaching the loop device: the device frees itself, a later run is clean" {
        local n pid; n=$(cc_name k1); pid=$(cc_docker_run "$n" crashcart-test/busybox sleep 1000000)
        start_stopped attached "$n" /dev/crashcart/bin/true
        [ "$(losetup -j "$CRASHCART_IMAGE" | wc -l)" = 1 ]
        kill -KILL "$cc"; finish
        wait_reapers_gone
        cc_wait_loops_gone
        cc_assert_container_clean "$pid"
        cc_expect 0 "$CRASHCART" "$n" /dev/crashcart/bin/echo recovered
        [ "$output" = recovered ]
        cc_assert_container_clean "$pid"
}

# The reapers of killed runs still at work (a zombie has done its work).
live_reapers() {
        local p
        for p in $(pgrep -x crashcart-reap); do
                case $(awk '{print $3}' "/proc/$p/stat" 2>/dev/null) in
                Z | X | '') ;;
                *) echo "$p" ;;
                esac
        done
        return 0
}

# Waits until no reaper is at work; fails after 10 s.
wait_reapers_gone() {
        for _ in $(seq 200); do
                [ -z "$(live_reapers)" ] && return 0
                sleep 0.05
        done
        echo "a reaper is still at work: $(live_reapers)" >&2
        return 1
}

# Waits until container $1 (a PID) keeps nothing of crashcart's and no session
# file is left; fails after 10 s.
wait_container_clean() {
        for _ in $(seq 200); do
                cc_assert_container_clean "$1" 2>/dev/null && ! ls /run/crashcart/mnt-* >/dev/null 2>&1 && return 0
                sleep 0.05
        done
        cc_assert_container_clean "$1"
        cc_refute ls /run/crashcart/mnt-*
}

@test "killed after mounting: its reaper unmounts the cart, nothing is left" {
        local n pid; n=$(cc_name k2); pid=$(cc_docker_run "$n" crashcart-test/busybox sleep 1000000)
        start_stopped mounted "$n" /dev/crashcart/bin/true
        grep -q ' /dev/crashcart ' "/proc/$pid/mountinfo"
        # The reaper is out of crashcart's process group, and says what it is.
        local reaper; reaper=$(pgrep -x crashcart-reap -P "$cc")
        [ -n "$reaper" ]
        [ "$(live_reapers)" = "$reaper" ]
        [ "$(tr '\0' ' ' <"/proc/$reaper/cmdline" | sed 's/ *$//')" = crashcart-reaper ]
        [ "$(ps -o pgid= -p "$reaper" | tr -d ' ')" != "$(ps -o pgid= -p "$cc" | tr -d ' ')" ]
        [ "$(ps -o sid= -p "$reaper" | tr -d ' ')" = "$reaper" ]
        # It holds no loop device, no mount, no namespace: 0-2 (/dev/null), its
        # socket, the runtime directory, the target's /proc directory and pidfd.
        ls -l "/proc/$reaper/fd"
        cc_refute bash -c "ls -l /proc/$reaper/fd | grep -E 'loop|mnt:|\.ext4|/dev/crashcart'"
        [ "$(find "/proc/$reaper/fd" -mindepth 1 | wc -l)" -le 7 ]
        [ "$(readlink "/proc/$reaper/fd/1")" = /dev/null ]
        [ "$(readlink "/proc/$reaper/ns/mnt")" = "$(readlink /proc/self/ns/mnt)" ]
        kill -KILL "$cc"; finish
        wait_container_clean "$pid"
        wait_reapers_gone
        cc_expect 0 "$CRASHCART" "$n" /dev/crashcart/bin/echo recovered
        [ "$output" = recovered ]
        cc_assert_container_clean "$pid"
}

@test "killed inside ensure, after the mount and before the session records it: the reaper takes the cart out" {
        local n pid; n=$(cc_name k5); pid=$(cc_docker_run "$n" crashcart-test/busybox sleep 1000000)
        # The positive control: without a reaper, the cart stays mounted with
        # no record, as a cart mounted with -m would be.
        CRASHCART_FAULT_DISABLE=reaper CRASHCART_FAULT_STOP=placed "$CRASHCART" "$n" /dev/crashcart/bin/true \
                >/dev/null 2>&1 3>&- &
        cc=$!
        wait_stopped "$cc"
        grep -q ' /dev/crashcart ' "/proc/$pid/mountinfo"
        kill -KILL "$cc"; finish
        sleep 0.5
        cc_refute cc_assert_container_clean "$pid"
        grep -q ' /dev/crashcart ' "/proc/$pid/mountinfo"
        cc_expect 0 "$CRASHCART" "$n" /dev/crashcart/bin/true
        grep -q ' /dev/crashcart ' "/proc/$pid/mountinfo"
        cc_expect 0 "$CRASHCART" -u "$n"
        cc_assert_container_clean "$pid"

        start_stopped placed "$n" /dev/crashcart/bin/true
        grep -q ' /dev/crashcart ' "/proc/$pid/mountinfo"
        kill -KILL "$cc"; finish
        wait_container_clean "$pid"
        wait_reapers_gone
        cc_assert_container_clean "$pid"
        cc_wait_loops_gone

        # Killed in the helper, the cart in and its reply not sent: the same.
        CRASHCART_FAULT_STOP=moved "$CRASHCART" "$n" /dev/crashcart/bin/true >/dev/null 2>&1 3>&- &
        cc=$!
        cc_stopped_crashcart "$cc" >/dev/null
        grep -q ' /dev/crashcart ' "/proc/$pid/mountinfo"
        kill -KILL "$cc"; finish
        wait_container_clean "$pid"
        wait_reapers_gone

        # And with SIGTERM there, crashcart takes it out itself before it ends.
        CRASHCART_FAULT_DISABLE=reaper CRASHCART_FAULT_STOP=moved "$CRASHCART" "$n" /dev/crashcart/bin/true \
                >/dev/null 2>&1 3>&- &
        cc=$!
        cc_stopped_crashcart "$cc" >/dev/null
        kill -TERM "$cc"; finish
        [ "$st" = 143 ]
        cc_assert_container_clean "$pid"
        cc_refute ls /run/crashcart/mnt-*
}

@test "killed while the command runs: the command outlives crashcart, and when it exits the cart goes by itself" {
        local n pid; n=$(cc_name k3); pid=$(cc_docker_run "$n" crashcart-test/busybox sleep 1000000)
        "$CRASHCART" "$n" /dev/crashcart/bin/sleep 1000 3>&- &
        cc=$!
        for _ in $(seq 100); do docker exec "$n" /bin/sh -c "ps -o args | grep -q ^/dev/crashcart/bin/sleep" >/dev/null && break; sleep 0.05; done
        kill -KILL "$cc"; finish
        # The command outlives a killed crashcart (as with docker exec) and uses
        # the cart: it stays while the command runs.
        sleep 0.5
        docker exec "$n" /bin/sh -c "ps -o args | grep -q ^/dev/crashcart/bin/sleep"
        grep -q ' /dev/crashcart ' "/proc/$pid/mountinfo"
        [ -n "$(live_reapers)" ]
        docker exec "$n" /bin/killall sleep
        wait_container_clean "$pid"
        wait_reapers_gone
        cc_wait_loops_gone
}

@test "two runs share a cart; one is killed: its reaper leaves the other's cart alone" {
        local n pid; n=$(cc_name k6); pid=$(cc_docker_run "$n" crashcart-test/busybox sleep 1000000)
        "$CRASHCART" "$n" /dev/crashcart/bin/sh -c 'sleep 5; /dev/crashcart/bin/echo still-working' \
                >"$BATS_TEST_TMPDIR/a" 2>&1 3>&- &
        local a=$!
        for _ in $(seq 100); do grep -q ' /dev/crashcart ' "/proc/$pid/mountinfo" && break; sleep 0.05; done
        # The second run adopts the first one's cart, and is killed with its
        # command running, then again before its command runs.
        "$CRASHCART" "$n" /dev/crashcart/bin/sleep 1000 3>&- &
        cc=$!
        for _ in $(seq 100); do docker exec "$n" /bin/sh -c "ps -o args | grep -q '^/dev/crashcart/bin/sleep 1000'" >/dev/null && break; sleep 0.05; done
        # (The first run's reaper lives as long as the first run: only the
        # second run's is waited for.)
        local reaper; reaper=$(pgrep -x crashcart-reap -P "$cc")
        kill -KILL "$cc"; finish
        sleep 0.3
        cc_refute is_gone "$reaper"     # it waits for the command
        docker exec "$n" /bin/sh -c 'ps -o pid,args | awk "\$2 == \"/dev/crashcart/bin/sleep\" && \$3 == 1000 {print \$1}" | xargs kill'
        for _ in $(seq 100); do is_gone "$reaper" && break; sleep 0.05; done
        is_gone "$reaper"
        grep -q ' /dev/crashcart ' "/proc/$pid/mountinfo"
        start_stopped mounted "$n" /dev/crashcart/bin/true
        reaper=$(pgrep -x crashcart-reap -P "$cc")
        kill -KILL "$cc"; finish
        for _ in $(seq 100); do is_gone "$reaper" && break; sleep 0.05; done
        is_gone "$reaper"
        grep -q ' /dev/crashcart ' "/proc/$pid/mountinfo"
        wait "$a"
        [ "$(cat "$BATS_TEST_TMPDIR/a")" = still-working ]
        wait_container_clean "$pid"
}

@test "-f detaches a busy cart lazily" {
        local n pid; n=$(cc_name k4); pid=$(cc_docker_run "$n" crashcart-test/busybox sleep 1000000)
        cc_expect 0 "$CRASHCART" -m "$n"
        docker exec -d "$n" /dev/crashcart/bin/sleep 1000
        for _ in $(seq 100); do docker exec "$n" /bin/sh -c "ps -o args | grep -q ^/dev/crashcart/bin/sleep" >/dev/null && break; sleep 0.05; done
        cc_expect 125 "$CRASHCART" -u "$n"
        cc_expect 0 "$CRASHCART" -u -f "$n"
        cc_assert_container_clean "$pid"
        # The loop device goes when the last user of the detached cart does.
        [ "$(losetup -j "$CRASHCART_IMAGE" | wc -l)" = 1 ]
        docker exec "$n" /bin/killall sleep
        cc_wait_loops_gone
}

@test "the target exits between resolve and mount, and between mount and exec" {
        local n; n=$(cc_name gone1)
        cc_docker_run "$n" crashcart-test/busybox sleep 1000000 >/dev/null
        start_stopped resolved "$n" /dev/crashcart/bin/true
        docker rm -f "$n" >/dev/null
        finish
        [ "$st" = 125 ]
        [[ "$(cat "$BATS_TEST_TMPDIR/err")" == *exited* ]]
        [ "$(wc -l <"$BATS_TEST_TMPDIR/err")" = 1 ]

        n=$(cc_name gone2)
        cc_docker_run "$n" crashcart-test/busybox sleep 1000000 >/dev/null
        start_stopped mounted "$n" /dev/crashcart/bin/true
        docker rm -f "$n" >/dev/null
        finish
        [ "$st" = 125 ]
        [[ "$(cat "$BATS_TEST_TMPDIR/err")" == *"exited"* ]]
}

@test "a recycled PID is never entered" {
        local old new
        old=$(cc_runc_run cctest-recycle-$$)
        start_stopped resolved "$old" /dev/crashcart/bin/true
        cc_runc_rm cctest-recycle-$$
        for _ in $(seq 100); do [ -e "/proc/$old" ] || break; sleep 0.05; done
        # Another process, in a mount namespace of its own, gets the same PID.
        "$(cc_helper pidat)" "$old" unshare -m --propagation private sleep 1000 >"$BATS_TEST_TMPDIR/new" 3>&-
        new=$(cat "$BATS_TEST_TMPDIR/new")
        [ "$new" = "$old" ]
        finish
        [ "$st" = 125 ]
        [[ "$(cat "$BATS_TEST_TMPDIR/err")" == *exited* ]]
        cc_refute grep -q crashcart "/proc/$new/mountinfo"
        [ ! -e "/proc/$new/root/dev/crashcart" ]
        kill "$new"
}

@test "a compromised container: planted files, a cc-loop symlink, a shared /dev of its own" {
        local n pid; n=$(cc_name evil)
        pid=$(cc_docker_run "$n" --cap-add SYS_ADMIN --security-opt apparmor=unconfined crashcart-test/busybox sleep 1000000)
        docker exec "$n" /bin/touch /dev/crashcart
        cc_expect 125 "$CRASHCART" "$n" /dev/crashcart/bin/true
        # shellcheck disable=SC2154 # stderr: set by bats' run --separate-stderr (cc_expect)
        [[ "$stderr" == *"not a directory"* ]]
        docker exec "$n" /bin/rm /dev/crashcart

        # --legacy-mount makes nothing under /dev but /dev/crashcart: a planted
        # /dev/cc-loop (the reference system's device directory) is not touched.
        docker exec "$n" /bin/mkdir /tmp/decoy
        docker exec "$n" /bin/ln -s /tmp/decoy /dev/cc-loop
        cc_expect 0 "$CRASHCART" --legacy-mount "$n" /dev/crashcart/bin/true
        cc_refute grep -q /tmp/decoy "/proc/$pid/mountinfo"
        [ -L "/proc/$pid/root/dev/cc-loop" ]
        docker exec "$n" /bin/rm /dev/cc-loop
        cc_assert_container_clean "$pid"

        # /dev made shared inside the container: its peers are its own, the cart
        # goes in, and nothing reaches the host.
        docker exec "$n" /bin/mount --make-shared /dev
        grep ' /dev ' "/proc/$pid/mountinfo" | grep -q shared:
        cc_expect 0 "$CRASHCART" "$n" /dev/crashcart/bin/echo inside
        [ "$output" = inside ]
        cc_assert_container_clean "$pid"
}

@test "a container process cannot ptrace crashcart's process, nor read its exe, fds or environment, while it joins" {
        local n; n=$(cc_name ptrace)
        cc_docker_run "$n" crashcart-test/busybox sleep 1000000 >/dev/null
        cc_expect 0 "$CRASHCART" -m "$n"
        # The same probe on the container's own init works: it can fail.
        run -0 docker exec "$n" /dev/crashcart/bin/probe sleep
        [[ "$output" == *"exe=0"* ]]
        CRASHCART_FAULT_STOP=joined "$CRASHCART" "$n" /dev/crashcart/bin/true >/dev/null 2>&1 3>&- &
        cc=$!
        local joined
        joined=$(cc_stopped_crashcart "$cc")
        run docker exec "$n" /dev/crashcart/bin/probe crashcart
        kill -CONT "$joined"
        wait "$cc"
        echo "probe: $output"
        [ -n "$output" ]
        cc_refute grep -q 'attach=0\|exe=0\|fd=0\|environ=0' <<<"$output"
        cc_expect 0 "$CRASHCART" -u "$n"
}

@test "carts: a path with spaces and unicode, on a read-only filesystem, corrupt, replaced on disk" {
        local n pid d=$CC_CACHE/dir\ with\ spaces
        n=$(cc_name img); pid=$(cc_docker_run "$n" crashcart-test/busybox sleep 1000000)
        mkdir -p "$d"
        cp "$CC_CACHE/cart.sqfs" "$d/cärt ünïcode.img"
        cc_expect 0 "$CRASHCART" -i "$d/cärt ünïcode.img" "$n" /dev/crashcart/bin/echo spaces
        [ "$output" = spaces ]

        mkdir -p "$BATS_TEST_TMPDIR/ro"
        mount --bind "$d" "$BATS_TEST_TMPDIR/ro"
        mount -o remount,bind,ro "$BATS_TEST_TMPDIR/ro"
        cc_expect 0 "$CRASHCART" -i "$BATS_TEST_TMPDIR/ro/cärt ünïcode.img" "$n" /dev/crashcart/bin/echo read-only
        [ "$output" = read-only ]
        cc_wait_loops_gone
        umount "$BATS_TEST_TMPDIR/ro"

        # A superblock crashcart recognises, with no inodes per group: the kernel
        # refuses it, and the loop device goes.
        cp "$CC_CACHE/cart.ext4" "$d/corrupt.img"
        dd if=/dev/zero of="$d/corrupt.img" bs=1 seek=$((1024 + 40)) count=4 conv=notrunc status=none
        cc_expect 125 "$CRASHCART" -i "$d/corrupt.img" "$n" /dev/crashcart/bin/true
        cc_one_error_line
        [[ "$stderr" == *"cannot mount cart"* ]]
        cc_wait_loops_gone

        # Replaced on disk while mounted: the mounted cart is the old file's.
        cp "$CC_CACHE/cart.ext4" "$d/moving.img"
        cc_expect 0 "$CRASHCART" -i "$d/moving.img" -m "$n"
        cp "$CC_CACHE/cart.ext4" "$d/moving.new" && mv "$d/moving.new" "$d/moving.img"
        cc_expect 125 "$CRASHCART" -i "$d/moving.img" "$n" /dev/crashcart/bin/true
        [[ "$stderr" == *"is not the cart"* ]]
        CRASHCART_IMAGE='' cc_expect 0 "$CRASHCART" "$n" /dev/crashcart/bin/echo old-cart
        [ "$output" = old-cart ]
        cc_expect 0 "$CRASHCART" -u "$n"
        cc_assert_container_clean "$pid"
        rm -rf "$d"
}

@test "no loop devices at all: a clear error, nothing left" {
        local n pid; n=$(cc_name noloop); pid=$(cc_docker_run "$n" crashcart-test/busybox sleep 1000000)
        run --separate-stderr unshare -m --propagation private bash -c \
                "mount -t tmpfs none /dev && '$CRASHCART' -f '$pid' /dev/crashcart/bin/true"
        [ "$status" = 125 ]
        [[ "$stderr" == *"loop device"* ]]
        cc_one_error_line
        cc_assert_container_clean "$pid"
}

@test "twenty runs at once against one container" {
        local n pid jobs=() i; n=$(cc_name twenty); pid=$(cc_docker_run "$n" crashcart-test/scratch)
        for i in $(seq 20); do
                "$CRASHCART" "$n" /dev/crashcart/bin/sh -c "sleep 0.$((RANDOM % 5)); echo r$i" \
                        >"$BATS_TEST_TMPDIR/$i" 2>&1 3>&- &
                jobs+=($!)
        done
        for i in $(seq 20); do
                wait "${jobs[$((i - 1))]}"
                [ "$(cat "$BATS_TEST_TMPDIR/$i")" = "r$i" ]
        done
        cc_assert_container_clean "$pid"
}

@test "storms of mounts, unmounts and runs across ten containers end as the last operations asked" {
        local names=() pids=() jobs=() i
        for i in $(seq 10); do
                names+=("$(cc_name "storm$i")")
                pids+=("$(cc_docker_run "${names[-1]}" crashcart-test/scratch)")
        done
        storm() {       # a random sequence on one container; prints the last -m/-u
                local n=$1 last=u op
                for _ in $(seq 8); do
                        case $((RANDOM % 3)) in
                        0) op=-m; last=m ;;
                        1) op=-u; last=u ;;
                        2) op=run ;;
                        esac
                        if [ "$op" = run ]; then
                                "$CRASHCART" "$n" /dev/crashcart/bin/true || { echo "fail run"; return; }
                        else
                                "$CRASHCART" "$op" "$n" || { echo "fail $op"; return; }
                        fi
                done
                echo "$last"
        }
        for i in $(seq 0 9); do
                storm "${names[$i]}" >"$BATS_TEST_TMPDIR/s$i" 2>&1 3>&- &
                jobs+=($!)
        done
        for i in $(seq 0 9); do
                wait "${jobs[$i]}"
                case $(cat "$BATS_TEST_TMPDIR/s$i") in
                m) grep -q ' /dev/crashcart ' "/proc/${pids[$i]}/mountinfo" ;;
                u) cc_assert_container_clean "${pids[$i]}" ;;
                *) cat "$BATS_TEST_TMPDIR/s$i"; false ;;
                esac
        done
        [ "$(losetup -j "$CRASHCART_IMAGE" | wc -l)" -le 1 ]
        for n in "${names[@]}"; do "$CRASHCART" -u "$n"; done
        for p in "${pids[@]}"; do cc_assert_container_clean "$p"; done
}

# Whether process $1 is gone: exited, or a zombie no one has reaped yet.
is_gone() {
        local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
        [ -z "$st" ] || [ "$st" = Z ] || [ "$st" = X ]
}

@test "SIGTERM or SIGINT while a helper blocks: the run ends 143 or 130, the helper killed, nothing left" {
        local n pid helper; n=$(cc_name sigterm); pid=$(cc_docker_run "$n" crashcart-test/busybox sleep 1000000)
        # The positive control: waits that take no signal leave crashcart waiting
        # for a helper that never answers.
        CRASHCART_FAULT_DISABLE=interruptible-waits CRASHCART_FAULT_STOP=joined "$CRASHCART" "$n" /dev/crashcart/bin/true \
                >/dev/null 2>&1 3>&- &
        cc=$!
        helper=$(cc_stopped_crashcart "$cc")
        kill -TERM "$cc"
        sleep 1
        kill -0 "$cc"
        # (The signal, pending, goes to the command once it runs.)
        kill -CONT "$helper"; finish

        # The command's process, stopped in the container before exec.
        CRASHCART_FAULT_STOP=joined "$CRASHCART" "$n" /dev/crashcart/bin/true >/dev/null \
                2>"$BATS_TEST_TMPDIR/err" 3>&- &
        cc=$!
        helper=$(cc_stopped_crashcart "$cc")
        kill -TERM "$cc"; finish
        [ "$st" = 143 ]
        [ "$(cat "$BATS_TEST_TMPDIR/err")" = "crashcart: interrupted by SIGTERM" ]
        for _ in $(seq 50); do is_gone "$helper" && break; sleep 0.05; done
        is_gone "$helper"
        cc_assert_container_clean "$pid"

        # The placement helper, stopped in the container's mount namespace.
        CRASHCART_FAULT_STOP=placing "$CRASHCART" "$n" /dev/crashcart/bin/true >/dev/null 2>&1 3>&- &
        cc=$!
        helper=$(cc_stopped_crashcart "$cc")
        kill -INT "$cc"; finish
        [ "$st" = 130 ]
        for _ in $(seq 50); do is_gone "$helper" && break; sleep 0.05; done
        is_gone "$helper"
        cc_assert_container_clean "$pid"
}

@test "crashcart SIGKILLed while a helper is in the container: the helpers die with it, its reaper unmounts the cart" {
        local n pid helper; n=$(cc_name sigkill); pid=$(cc_docker_run "$n" crashcart-test/busybox sleep 1000000)
        # The positive control: without PR_SET_PDEATHSIG the command's process
        # stays in the container, stopped there, after crashcart is gone.
        CRASHCART_FAULT_DISABLE=pdeathsig CRASHCART_FAULT_STOP=joined "$CRASHCART" "$n" /dev/crashcart/bin/true \
                >/dev/null 2>&1 3>&- &
        cc=$!
        helper=$(cc_stopped_crashcart "$cc")
        kill -KILL "$cc"; finish
        sleep 0.5
        cc_refute is_gone "$helper"
        # (Its reaper waits for it: the helper holds its socket.)
        grep -q ' /dev/crashcart ' "/proc/$pid/mountinfo"
        kill -KILL "$helper"
        wait_container_clean "$pid"
        wait_reapers_gone

        for point in joined placing; do
                CRASHCART_FAULT_STOP=$point "$CRASHCART" "$n" /dev/crashcart/bin/true >/dev/null 2>&1 3>&- &
                cc=$!
                helper=$(cc_stopped_crashcart "$cc")
                kill -KILL "$cc"; finish
                for _ in $(seq 50); do is_gone "$helper" && break; sleep 0.05; done
                is_gone "$helper"
                # No process of ours in the container.
                cc_refute grep -qx crashcart /proc/"$(pgrep -d ' ' -f "$CRASHCART $n" | cut -d' ' -f1)"/comm 2>/dev/null
                # A cart it mounted goes with its reaper: its session, which
                # names a user that is gone, too.
                wait_container_clean "$pid"
                wait_reapers_gone
                cc_assert_container_clean "$pid"
        done
}
