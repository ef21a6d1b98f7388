#!/usr/bin/env bats
# A hostile container against crashcart's own paths and descriptors (THREATS.md,
# rules 2 and 7). Each attack has a positive control: the same attack with the
# defence switched off through CRASHCART_FAULT_DISABLE, or the container's own
# tools, shows that the plant is live, so that no test passes by accident.

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
        rm -rf "/crashcart-hostmark-$$"
        if [ -n "${unshared:-}" ]; then kill "$unshared" 2>/dev/null || true; fi
        cc_wait_loops_gone
        cc_assert_host_clean
}

# ls -a from the command's working directory, for every -w the container planted:
# a symlink to each /proc/self/fd/N, to /proc/self/cwd and to /proc/self/root.
list_from_planted_workdirs() {
        local name=$1 a
        for a in 0 1 2 3 4 5 6 7 8 9 10 11 12 cwd root; do
                printf '== /app%s\n' "$a"
                "$CRASHCART" -T -w "/app$a" "$name" /dev/crashcart/bin/ls -a 2>&1 </dev/null || true
        done
}

@test "-w through a magic link never gives the command a working directory of the host's" {
        local n pid listing; n=$(cc_name wd); pid=$(cc_docker_run "$n" crashcart-test/busybox sleep 1000000)
        docker exec "$n" sh -c 'for i in 0 1 2 3 4 5 6 7 8 9 10 11 12; do ln -s /proc/self/fd/$i /app$i; done
                                 ln -s /proc/self/cwd /appcwd; ln -s /proc/self/root /approot'
        # Something only the host's / holds; /proc/PID and /run/crashcart are known
        # by what is in them.
        mkdir "/crashcart-hostmark-$$"

        # The positive control: without the defences, the command lands in the
        # host's /, the target's /proc/PID directory of the host, or /run/crashcart.
        listing=$(CRASHCART_FAULT_DISABLE=close-host-fds,workdir-in-root list_from_planted_workdirs "$n")
        echo "$listing" | grep -qx "crashcart-hostmark-$$"
        echo "$listing" | grep -qx "mountinfo"

        listing=$(list_from_planted_workdirs "$n")
        echo "$listing"
        cc_refute grep -qx "crashcart-hostmark-$$" <<<"$listing"
        cc_refute grep -qx "mountinfo" <<<"$listing"
        cc_refute grep -qx "loop.lock" <<<"$listing"
        # Each is refused with one clear line, and nothing is left.
        cc_expect 125 "$CRASHCART" -T -w /app3 "$n" /dev/crashcart/bin/true
        cc_one_error_line
        # shellcheck disable=SC2154 # stderr: set by bats' run --separate-stderr (cc_expect)
        [[ "$stderr" == *"working directory"* ]]
        cc_assert_container_clean "$pid"

        # An ordinary working directory, through an ordinary symlink, still works.
        docker exec "$n" sh -c 'mkdir -p /srv/data && ln -s /srv/data /data'
        cc_expect 0 "$CRASHCART" -T -w /data "$n" /dev/crashcart/bin/pwd -P
        [ "$output" = /srv/data ]
}

# The directories the command's process holds open just before exec, when it has
# read the paths the container controls (stopped there: CRASHCART_FAULT_STOP=joined).
directories_held_before_exec() {
        local name=$1 cc joined f
        CRASHCART_FAULT_STOP=joined "$CRASHCART" -T -w / --user 0 "$name" /dev/crashcart/bin/true </dev/null >/dev/null 2>&1 3>&- &
        cc=$!
        joined=$(cc_stopped_crashcart "$cc") || { kill "$cc"; return 1; }
        for f in "/proc/$joined/fd/"*; do
                [ -d "$f" ] && echo "$(basename "$f") -> $(readlink "$f")"
        done
        kill -CONT "$joined"
        wait "$cc"
}

@test "the command's process holds no directory of the host's while it reads the container's paths" {
        local n held; n=$(cc_name fds); cc_docker_run "$n" crashcart-test/busybox sleep 1000000 >/dev/null
        # The positive control: without closing them, it holds the host's
        # directories (the target's /proc/PID, the runtime directory, roots).
        held=$(CRASHCART_FAULT_DISABLE=close-host-fds directories_held_before_exec "$n")
        echo "$held"
        [ -n "$held" ]
        held=$(directories_held_before_exec "$n")
        echo "$held"
        [ -z "$held" ]
        # And what the command gets: its root's / as working directory.
        cc_expect 0 "$CRASHCART" -T "$n" /dev/crashcart/bin/readlink /proc/self/cwd
        [ "$output" = / ]
}

@test "--user with /etc/passwd and /etc/group as FIFOs neither hangs nor reads them" {
        local n pid; n=$(cc_name fifo); pid=$(cc_docker_run "$n" crashcart-test/busybox sleep 1000000)
        docker exec "$n" sh -c 'rm -f /etc/passwd /etc/group && mkfifo /etc/passwd /etc/group'
        # The positive control: a reader blocks on them. (Not docker exec, which
        # reads them itself, and would hang the container's removal after.)
        run -124 timeout 3 cat "/proc/$pid/root/etc/passwd"

        # A name cannot be found in a file that is not one; a number needs none.
        cc_expect 125 timeout 20 "$CRASHCART" -T --user app "$n" /dev/crashcart/bin/true
        cc_one_error_line
        [[ "$stderr" == *"no such user"* ]]
        # (grep: id would read /etc/passwd itself, and block on it.)
        cc_expect 0 timeout 20 "$CRASHCART" -T --user 4242:4242 "$n" /dev/crashcart/bin/grep ^Uid /proc/self/status
        [[ "$output" == *4242* ]]
        rm -f "/proc/$pid/root/etc/passwd" "/proc/$pid/root/etc/group"
}

@test "--user with /etc/passwd as a magic link to crashcart's own input reads nothing of the host's" {
        local n; n=$(cc_name pwlink); cc_docker_run "$n" crashcart-test/busybox sleep 1000000 >/dev/null
        docker exec "$n" sh -c 'rm -f /etc/passwd && ln -s /proc/self/fd/0 /etc/passwd'
        # What the operator pipes in is the host's: as /etc/passwd it would name a
        # user the container does not have.
        printf 'ghost:x:4343:4343::/:/bin/sh\n' >"$BATS_TEST_TMPDIR/in"
        CRASHCART_FAULT_DISABLE=close-host-fds,workdir-in-root,container-files-in-root \
                run -0 "$CRASHCART" -T --user ghost "$n" /dev/crashcart/bin/id -u <"$BATS_TEST_TMPDIR/in"
        [ "$output" = 4343 ]

        cc_expect 125 "$CRASHCART" -T --user ghost "$n" /dev/crashcart/bin/id -u <"$BATS_TEST_TMPDIR/in"
        [[ "$stderr" == *"no such user"* ]]
}

@test "a command that the container links to /proc/self/exe never runs crashcart's binary in the container" {
        local n; n=$(cc_name exe); cc_docker_run "$n" crashcart-test/busybox sleep 1000000 >/dev/null
        docker exec "$n" sh -c 'ln -s /proc/self/exe /bin/evil'
        # The positive control: executed by its path, the link is crashcart itself,
        # running in the container (CVE-2019-5736's way in): it says its usage.
        # The static build, as the container has no loader for the dynamic one.
        CRASHCART_FAULT_DISABLE=exec-in-root run "$CC_ROOT/build/crashcart-static" -T "$n" evil
        [[ "$output" == *"Try 'crashcart --help'"* ]]

        cc_expect 126 "$CRASHCART" -T "$n" evil
        cc_one_error_line
        [[ "$stderr" == *"link through /proc"* ]]
        cc_expect 126 "$CRASHCART" -T "$n" /bin/evil
        # A script of the container's, named by the operator, still runs.
        docker exec "$n" sh -c 'printf "#!/bin/sh\necho script-ok\n" >/bin/scr && chmod +x /bin/scr'
        cc_expect 0 "$CRASHCART" -T "$n" scr
        [ "$output" = script-ok ]
        cc_expect 0 "$CRASHCART" -T -w /bin "$n" ./scr
        [ "$output" = script-ok ]
}

@test "by default the command has what a debugger needs and not mknod, module loading or raw I/O; --privileged has all" {
        local n; n=$(cc_name caps); cc_docker_run "$n" crashcart-test/busybox sleep 1000000 >/dev/null
        # The positive control: with every capability, the container's root makes a
        # node of the host's first disk.
        cc_expect 0 "$CRASHCART" -T --privileged "$n" /dev/crashcart/bin/sh -c \
                'mknod /tmp/disk b 8 0 && rm /tmp/disk && grep CapBnd /proc/self/status'
        [[ "$output" == *"$(awk '/CapBnd/ {print $2}' /proc/self/status)"* ]]

        cc_expect 1 "$CRASHCART" -T "$n" /dev/crashcart/bin/mknod /tmp/disk b 8 0
        [[ "$stderr" == *"Operation not permitted"* ]]
        cc_expect 0 "$CRASHCART" -T "$n" /dev/crashcart/bin/sh -c 'grep CapBnd /proc/self/status'
        local bnd=$((16#$(awk '{print $2}' <<<"$output")))
        # CAP_SYS_MODULE 16, CAP_SYS_RAWIO 17, CAP_SYS_BOOT 22, CAP_MKNOD 27, CAP_BPF 39: gone.
        for cap in 16 17 22 27 39; do
                [ $(( (bnd >> cap) & 1 )) = 0 ]
        done
        # CAP_SYS_PTRACE 19, CAP_NET_ADMIN 12, CAP_NET_RAW 13, CAP_SYS_ADMIN 21, CAP_PERFMON 38: kept.
        for cap in 19 12 13 21 38; do
                [ $(( (bnd >> cap) & 1 )) = 1 ]
        done
        cc_expect 125 "$CRASHCART" --confined --privileged "$n" true
        [ "$(sed -n 1p <<<"$stderr")" = "crashcart: --confined and --privileged exclude each other" ]
}

@test "-e through lxc-attach: neither crashcart's environment nor the host's terminal reaches the container" {
        local n=cctest-lxce-$$ p=$CC_CACHE/lxc pid out
        pid=$(cc_lxc_start "$p" "$n")
        [ -n "$pid" ]

        # The positive control: lxc-attach by itself hands the container the
        # caller's environment, and a terminal on its standard output.
        out=$(CC_HOST_SECRET=leaked script -qec "lxc-attach -P $p -n $n -- sh -c 'env; readlink /proc/self/fd/1' </dev/null" /dev/null)
        [[ "$out" == *CC_HOST_SECRET=leaked* ]]
        [[ "$out" == */dev/pts/* ]]

        out=$(CC_HOST_SECRET=leaked script -qec "$CRASHCART -e $n /dev/crashcart/bin/sh -c 'env; readlink /proc/self/fd/1' </dev/null" /dev/null)
        echo "$out"
        [[ "$out" != *CC_HOST_SECRET* ]]
        [[ "$out" == *pipe:* ]]
        [[ "$out" != */dev/pts/* ]]
        lxc-stop -P "$p" -n "$n" -k
        lxc-destroy -P "$p" -n "$n" >/dev/null
}

@test "a cart the container replaced, or a part of it bound in its place, is refused and nothing of it runs" {
        local n pid; n=$(cc_name adopt); pid=$(cc_docker_run "$n" crashcart-test/busybox sleep 1000000)
        # What a container root with CAP_SYS_ADMIN in its namespaces can do: its own
        # filesystem at /dev/crashcart, with a "true" that leaves a mark.
        nsenter -t "$pid" -a sh -c 'mkdir /dev/crashcart && mount -t tmpfs -o mode=755 none /dev/crashcart &&
                mkdir /dev/crashcart/bin && printf "#!/bin/sh\necho pwned >/tmp/PWNED\n" >/dev/crashcart/bin/true &&
                chmod 755 /dev/crashcart/bin/true'
        # The positive control: adopted without the check, the container's program
        # runs with crashcart's privileges.
        CRASHCART_FAULT_DISABLE=adopt-check run -0 "$CRASHCART" -T "$n" /dev/crashcart/bin/true
        docker exec "$n" test -f /tmp/PWNED
        docker exec "$n" rm /tmp/PWNED

        cc_expect 125 "$CRASHCART" -T "$n" /dev/crashcart/bin/true
        cc_one_error_line
        [[ "$stderr" == *"is not the cart"* ]]
        # With no image named, only a cart crashcart attached is used.
        CRASHCART_IMAGE='' cc_expect 125 "$CRASHCART" -T "$n" /dev/crashcart/bin/true
        [[ "$stderr" == *"is not a cart crashcart attached"* ]]
        cc_refute docker exec "$n" test -f /tmp/PWNED
        nsenter -t "$pid" -a sh -c 'umount /dev/crashcart && rmdir /dev/crashcart'

        # The real cart, then a directory of it bound over it: the same device,
        # not the cart's root.
        cc_expect 0 "$CRASHCART" -m "$n"
        nsenter -t "$pid" -a sh -c 'mount --bind /dev/crashcart/bin /dev/crashcart'
        cc_expect 125 "$CRASHCART" -T "$n" /dev/crashcart/bin/true
        [[ "$stderr" == *"is not the cart"* ]]
        nsenter -t "$pid" -a sh -c 'umount /dev/crashcart'
        cc_expect 0 "$CRASHCART" -T "$n" /dev/crashcart/bin/true
        cc_expect 0 "$CRASHCART" -u "$n"
        cc_assert_container_clean "$pid"
}

@test "a directory cart in a container with its own user namespace cannot be remounted writable onto the host's directory" {
        local id=cctest-dirrw-$$ pid d=$CC_CACHE/dircart-$$ attack
        cp -a "$CC_CACHE/cart" "$d"
        pid=$(cc_runc_run "$id" userns)
        # What the container's root may do in its own user and mount namespaces:
        # remount what crashcart placed read-write, then write through it.
        attack='mount -o remount,bind,rw /dev/crashcart && echo pwned >/dev/crashcart/PWNED'

        # The positive control: a plain read-only bind of the directory (the way
        # before the overlay) is made writable, and the host's directory written.
        CRASHCART_FAULT_DISABLE=directory-overlay "$CRASHCART" -m -i "$d" "$pid"
        nsenter -t "$pid" -a sh -c "$attack" || true
        [ -f "$d/PWNED" ]
        rm -f "$d/PWNED"
        "$CRASHCART" -u "$pid"

        # Through a read-only overlay: its superblock stays read-only.
        cc_expect 0 "$CRASHCART" -m -i "$d" "$pid"
        run nsenter -t "$pid" -a sh -c "$attack"
        [ "$status" != 0 ]
        [[ "$output" == *"Read-only file system"* ]]
        [ ! -e "$d/PWNED" ]
        # The files still belong to the container's root, and the tools run.
        cc_expect 0 "$CRASHCART" -i "$d" -u "$pid"
        cc_expect 0 "$CRASHCART" -T -i "$d" "$pid" /dev/crashcart/bin/sh -c 'stat -c %u /dev/crashcart/bin/busybox'
        [ "$output" = 0 ]
        cc_assert_container_clean "$pid"
        cc_runc_rm "$id"
        rm -rf "$d"
}

@test "--confined: a seccomp filter that fakes setresuid, setgroups, capset and close_range changes nothing crashcart does" {
        local n pid
        # The container's own filter: those calls return 0 and do nothing.
        cat >"$BATS_TEST_TMPDIR/seccomp.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["setresuid", "setresgid", "setgroups", "capset", "close_range"],
               "action": "SCMP_ACT_ERRNO", "errnoRet": 0}]}
JSON
        n=$(cc_name seccomp)
        pid=$(cc_docker_run "$n" --security-opt "seccomp=$BATS_TEST_TMPDIR/seccomp.json" crashcart-test/busybox sleep 1000000)
        grep -q '^Seccomp:[[:space:]]*2' "/proc/$pid/status"
        # The positive control: with the filters installed before the
        # credentials, and the credentials not checked, --user 4242 runs as root.
        CRASHCART_FAULT_DISABLE=seccomp-last,verify-credentials \
                run -0 "$CRASHCART" -T --confined --user 4242 "$n" /dev/crashcart/bin/grep ^Uid: /proc/self/status
        [[ "$output" == *"Uid:"*$'\t'0$'\t'* ]]

        cc_expect 0 "$CRASHCART" -T --confined --user 4242 "$n" /dev/crashcart/bin/grep -E '^(Uid|Seccomp):' /proc/self/status
        [[ "$output" == *"Uid:"*$'\t'4242$'\t'4242$'\t'4242$'\t'4242* ]]
        [[ "$output" == *"Seccomp:"*2* ]]
        # Root keeps the container's capabilities, and not more.
        cc_expect 0 "$CRASHCART" -T --confined "$n" /dev/crashcart/bin/grep ^CapEff: /proc/self/status
        [ "$(awk '{print $2}' <<<"$output")" = "$(awk '/^CapEff:/ {print $2}' "/proc/$pid/status")" ]
        # With the filters first, a faked setresuid is caught before anything runs.
        CRASHCART_FAULT_DISABLE=seccomp-last cc_expect 125 "$CRASHCART" -T --confined --user 4242 "$n" /dev/crashcart/bin/true
}

# ---- the moment in which a read-only /dev is writable (rule 4) ----

# A Docker container with a read-only root and a read-only /dev, and /tmp where
# a program can run from; prints its PID.
rodev_container() {
        cc_docker_run "$1" --read-only --tmpfs /tmp:exec --tmpfs /dev:ro,dev,exec,suid,mode=755 \
                crashcart-test/busybox sleep 1000000
}

# devwriter (tests/helpers/devwriter.c) started in the container: it tries to make
# /dev/pwned in a tight loop, and exits as soon as it could.
start_devwriter() {
        local name=$1 pid=$2
        cp "$(cc_helper devwriter)" "/proc/$pid/root/tmp/devwriter"
        docker exec -d "$name" /tmp/devwriter
        for _ in $(seq 50); do docker exec "$name" pidof devwriter >/dev/null && return 0; sleep 0.1; done
        return 1
}

# cgroup_frozen PID v1|v2: whether the freezer of that hierarchy says PID's cgroup is frozen.
cgroup_frozen() {
        local pid=$1 kind=$2 path mnt
        if [ "$kind" = v1 ]; then
                path=$(awk -F: '$2 ~ /(^|,)freezer(,|$)/ {print $3}' "/proc/$pid/cgroup")
                mnt=$(findmnt -rn -o TARGET -t cgroup -O freezer | head -1)
                [ "$(cat "$mnt$path/freezer.state")" = FROZEN ]
        else
                path=$(awk -F: '$1 == 0 {print $3}' "/proc/$pid/cgroup")
                mnt=$(findmnt -rn -o TARGET -t cgroup2 | head -1)
                grep -qx 'frozen 1' "$mnt$path/cgroup.events"
        fi
}

# crashcart processes (helpers, guardians) in the mount namespace of PID.
crashcarts_in() {
        local p ns; ns=$(readlink "/proc/$1/ns/mnt")
        for p in $(pgrep -x crashcart); do
                [ "$(readlink "/proc/$p/ns/mnt" 2>/dev/null)" = "$ns" ] && echo "$p"
        done
        return 0
}

@test "a read-only /dev is writable only while the container is frozen: a process racing for it never writes" {
        local ctl pctl n pid i
        ctl=$(cc_name rodevctl); pctl=$(rodev_container "$ctl")
        n=$(cc_name rodev); pid=$(rodev_container "$n")
        # The positive control: without the freeze, the racing process gets in.
        start_devwriter "$ctl" "$pctl"
        for i in $(seq 200); do
                CRASHCART_FAULT_DISABLE=freeze-dev-window "$CRASHCART" "$ctl" /dev/crashcart/bin/true
                [ -d "/proc/$pctl/root/dev/pwned" ] && break
        done
        echo "control: written in run $i"
        [ -d "/proc/$pctl/root/dev/pwned" ]

        # Frozen, with the v1 freezer and with cgroup v2's: never.
        start_devwriter "$n" "$pid"
        for i in $(seq 100); do
                cc_expect 0 "$CRASHCART" "$n" /dev/crashcart/bin/true
                CRASHCART_FAULT_DISABLE=freezer-v1 cc_expect 0 "$CRASHCART" "$n" /dev/crashcart/bin/true
        done
        [ ! -e "/proc/$pid/root/dev/pwned" ]
        # Still trying: it never got in, and the container runs.
        docker exec "$n" pidof devwriter
        grep -q ' /dev ro,' "/proc/$pid/mountinfo"
        cc_assert_container_clean "$pid"
}

@test "crashcart killed while the container is frozen: thawed, /dev read-only again, nothing left, within moments" {
        local n pid before kind fd cc helper
        n=$(cc_name rodevkill); pid=$(rodev_container "$n")
        before=$(grep ' /dev ' "/proc/$pid/mountinfo")
        # The control: without the guardian, the container stays frozen and its
        # /dev writable, with the cart in it; undone by hand.
        CRASHCART_FAULT_DISABLE=freeze-guardian CRASHCART_FAULT_STOP=dev-writable \
                "$CRASHCART" "$n" /dev/crashcart/bin/true >/dev/null 2>&1 3>&- &
        cc=$!
        helper=$(cc_stopped_crashcart "$cc")
        kill -KILL "$cc"
        wait "$cc" || true
        sleep 1
        cgroup_frozen "$pid" v1
        grep -q ' /dev rw,' "/proc/$pid/mountinfo"
        echo THAWED >"$(findmnt -rn -o TARGET -t cgroup -O freezer | head -1)$(awk -F: '$2 ~ /(^|,)freezer(,|$)/ {print $3}' "/proc/$pid/cgroup")/freezer.state"
        for _ in $(seq 30); do [ ! -e "/proc/$helper" ] && break; sleep 0.1; done
        nsenter -t "$pid" -m -p mount -o remount,bind,ro /dev
        "$CRASHCART" -u "$n"
        [ "$(grep ' /dev ' "/proc/$pid/mountinfo")" = "$before" ]
        for kind in v1 v2; do
                fd=; [ "$kind" = v2 ] && fd=freezer-v1
                CRASHCART_FAULT_DISABLE=$fd CRASHCART_FAULT_STOP=dev-writable \
                        "$CRASHCART" "$n" /dev/crashcart/bin/true >/dev/null 2>&1 3>&- &
                cc=$!
                helper=$(cc_stopped_crashcart "$cc")
                # Right now: /dev writable, /dev/crashcart made, the container frozen.
                grep -q ' /dev rw,' "/proc/$pid/mountinfo"
                [ -d "/proc/$pid/root/dev/crashcart" ]
                cgroup_frozen "$pid" "$kind"
                kill -KILL "$cc"
                wait "$cc" || true
                for _ in $(seq 30); do
                        cc_refute cgroup_frozen "$pid" "$kind" 2>/dev/null &&
                                [ "$(grep ' /dev ' "/proc/$pid/mountinfo")" = "$before" ] && break
                        sleep 0.1
                done
                cc_refute cgroup_frozen "$pid" "$kind"
                [ "$(grep ' /dev ' "/proc/$pid/mountinfo")" = "$before" ]
                cc_assert_container_clean "$pid"
                for _ in $(seq 30); do [ -z "$(crashcarts_in "$pid")" ] && break; sleep 0.1; done
                [ -z "$(crashcarts_in "$pid")" ]
                # Gone, or a zombie waiting for whoever inherited it.
                [ ! -e "/proc/$helper" ] || [ "$(awk '{print $3}' "/proc/$helper/stat")" = Z ]
                docker exec "$n" true
        done
        # And the next run works as ever.
        cc_expect 0 "$CRASHCART" "$n" /dev/crashcart/bin/echo after
        [ "$output" = after ]
        [ "$(grep ' /dev ' "/proc/$pid/mountinfo")" = "$before" ]
}

@test "a restore of /dev that fails is tried again; a paused container stays paused" {
        local n pid before
        n=$(cc_name rodevretry); pid=$(rodev_container "$n")
        before=$(grep ' /dev ' "/proc/$pid/mountinfo")
        CRASHCART_FAULT_DISABLE=dev-restore-first-try cc_expect 0 "$CRASHCART" "$n" /dev/crashcart/bin/echo ok
        [ "$(grep ' /dev ' "/proc/$pid/mountinfo")" = "$before" ]
        cc_refute cgroup_frozen "$pid" v1
        # Paused by Docker: the cart goes in (the freeze is Docker's), the
        # container is left paused, and unpaused runs again.
        docker pause "$n"
        cc_expect 0 "$CRASHCART" -m "$n"
        cgroup_frozen "$pid" v1
        docker unpause "$n"
        cc_expect 0 "$CRASHCART" -u "$n"
        [ "$(grep ' /dev ' "/proc/$pid/mountinfo")" = "$before" ]
        cc_assert_container_clean "$pid"
}

# The mountinfo line of the topmost mount at /dev of PID.
top_dev() { awk '$5 == "/dev"' "/proc/$1/mountinfo" | tail -1; }

@test "a read-only /dev of a process that cannot be frozen alone: refused in one line, or -f goes on with a warning" {
        local pid before
        # A mount namespace of its own with a read-only /dev, in the host's cgroups.
        unshare -m --propagation private sh -c 'mount -t tmpfs -o ro,mode=755 none /dev && exec sleep 1000000' 3>&- &
        pid=$! unshared=$!
        for _ in $(seq 50); do [[ "$(top_dev "$pid" 2>/dev/null)" == *" /dev ro,"* ]] && break; sleep 0.1; done
        # Read-only superblock and mount: both are flipped for the moment.
        [[ "$(top_dev "$pid")" == *" - tmpfs none ro,"* ]]
        before=$(top_dev "$pid")
        cc_expect 125 "$CRASHCART" "$pid" /dev/crashcart/bin/true
        cc_one_error_line
        [[ "$stderr" == *"cannot freeze"*"-f to go on without the freeze"* ]]
        [ "$(top_dev "$pid")" = "$before" ]
        cc_assert_container_clean "$pid"
        cc_expect 0 "$CRASHCART" -f "$pid" /dev/crashcart/bin/echo forced
        [ "$output" = forced ]
        [[ "$stderr" == *"warning: "*"could not be frozen"* ]]
        [ "$(top_dev "$pid")" = "$before" ]
        cc_assert_container_clean "$pid"
        kill "$pid"
}

# ---- --legacy-mount: mount(2) on descriptors ----

# Runs --legacy-mount stopped between its checks and its mount(2), while the
# container swaps /dev/crashcart for a symlink to /tmp/decoy; sets $st.
legacy_with_swap() {
        local name=$1 cc helper
        CRASHCART_FAULT_STOP=legacy-checked "$CRASHCART" --legacy-mount "$name" /dev/crashcart/bin/true \
                >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
        cc=$!
        helper=$(cc_stopped_crashcart "$cc") || { kill "$cc"; return 1; }
        docker exec "$name" sh -c 'mv /dev/crashcart /dev/cc-moved && ln -s /tmp/decoy /dev/crashcart'
        kill -CONT "$helper"
        st=0
        wait "$cc" || st=$?
}

@test "--legacy-mount mounts on the directory it checked: a symlink swapped in meanwhile leads nowhere" {
        local n pid; n=$(cc_name legacyswap); pid=$(cc_docker_run "$n" crashcart-test/busybox sleep 1000000)
        docker exec "$n" mkdir /tmp/decoy
        # The positive control: mount(2) on the name, walked again, follows the
        # symlink and puts the cart where the container chose.
        CRASHCART_FAULT_DISABLE=legacy-on-fds legacy_with_swap "$n"
        [ "$st" = 125 ]
        grep -q ' /tmp/decoy ' "/proc/$pid/mountinfo"
        nsenter -t "$pid" -m umount /tmp/decoy
        docker exec "$n" sh -c 'rm /dev/crashcart && rmdir /dev/cc-moved'
        cc_wait_loops_gone

        legacy_with_swap "$n"
        [ "$st" = 125 ]
        cat "$BATS_TEST_TMPDIR/err"
        [[ "$(cat "$BATS_TEST_TMPDIR/err")" == *"did not land"* ]]
        cc_refute grep -q ' /tmp/decoy ' "/proc/$pid/mountinfo"
        # It went on the directory it had checked, and was detached from there.
        cc_refute grep -q ' /dev/cc-moved ' "/proc/$pid/mountinfo"
        docker exec "$n" sh -c 'rm /dev/crashcart && rmdir /dev/cc-moved'
        cc_assert_container_clean "$pid"
        cc_expect 0 "$CRASHCART" --legacy-mount "$n" /dev/crashcart/bin/echo legacy
        [ "$output" = legacy ]
}

@test "--env-from-target takes only what is data: a startup file the container names in its environment never runs" {
        local n pid; n=$(cc_name envfrom)
        # ash reads $ENV when interactive; SHELL names what programs start for "!".
        # shellcheck disable=SC2016 # the container's variables, never expanded here
        pid=$(cc_docker_run "$n" --env ENV=/tmp/rc --env SHELL=/tmp/evilsh --env MAILPATH='/tmp/m?$(touch /tmp/mailpath)' \
                --env APPVAR=data crashcart-test/busybox sleep 1000000)
        docker exec "$n" sh -c 'echo "touch /tmp/planted-rc" >/tmp/rc'
        # The positive control: the target's whole environment, as docker exec
        # takes it, runs the container's startup file in the cart's shell.
        CRASHCART_FAULT_DISABLE=env-allowlist cc_expect 0 "$CRASHCART" -T --env-from-target "$n" \
                /dev/crashcart/bin/sh -i -c 'env' </dev/null
        grep -qx ENV=/tmp/rc <<<"$output"
        docker exec "$n" test -e /tmp/planted-rc
        docker exec "$n" rm /tmp/planted-rc

        # shellcheck disable=SC2016 # expanded by the shell in the container
        cc_expect 0 "$CRASHCART" -T --env-from-target=APPVAR "$n" \
                /dev/crashcart/bin/sh -i -c 'echo $SHELL $APPVAR; env | grep -c -E "^(ENV|MAILPATH)=" || true' </dev/null
        [[ "$output" == *"/dev/crashcart/bin/bash data"* ]]
        [ "$(tail -1 <<<"$output")" = 0 ]
        cc_refute docker exec "$n" test -e /tmp/planted-rc
        cc_assert_container_clean "$pid"
}

# Starts the impostor helper in container $1 with comm $2 and command line $3...;
# waits until the host sees it.
start_impostor() {
        local n=$1; shift
        docker cp "$(cc_helper impostor)" "$n:/impostor" >/dev/null
        docker exec -d "$n" /impostor "$@"
        for _ in $(seq 100); do
                pgrep -x "$1" >/dev/null && return 0    # its name is set after its command line
                sleep 0.05
        done
        echo "the impostor did not start" >&2
        return 1
}

@test "systemd-nspawn and LXC names come from root's runtime state, never from a container's process that poses as one" {
        local n pid victim=cctest-victim-$$; n=$(cc_name impostor)
        pid=$(cc_docker_run "$n" crashcart-test/busybox sleep 1000000)
        # A process called systemd-nspawn with -M VICTIM; and LXC's monitor title,
        # with an lxcpath through the container's own root (/proc/PID/root) where
        # it made VICTIM/config.
        start_impostor "$n" systemd-nspawn systemd-nspawn -M "$victim"
        docker exec "$n" sh -c "mkdir -p /srv/$victim && echo 'lxc.uts.name = x' >/srv/$victim/config"
        start_impostor "$n" lxc-start "[lxc monitor] /proc/$pid/root/srv $victim"

        # The positive control: trusting any process and file, the names resolve
        # into the impostor's container.
        CRASHCART_FAULT_DISABLE=trusted-runtime-state cc_expect 0 "$CRASHCART" -r nspawn "$victim" \
                /dev/crashcart/bin/cat /proc/1/comm
        [ "$output" = sleep ]
        CRASHCART_FAULT_DISABLE=trusted-runtime-state cc_expect 0 "$CRASHCART" -r lxc "$victim" \
                /dev/crashcart/bin/cat /proc/1/comm
        [ "$output" = sleep ]

        cc_expect 125 "$CRASHCART" -r nspawn "$victim" /dev/crashcart/bin/true
        [[ "$stderr" == *"no such container or process '$victim'"* ]]
        cc_expect 125 "$CRASHCART" -r lxc "$victim" /dev/crashcart/bin/true
        [[ "$stderr" == *"no such container or process '$victim'"* ]]
        cc_expect 125 "$CRASHCART" "$victim" /dev/crashcart/bin/true
        cc_one_error_line
        cc_expect 0 "$CRASHCART" --list
        cc_refute grep -q "$victim" <<<"$output"
        cc_assert_container_clean "$pid"
}

@test "a container that may hold CAP_SYS_PTRACE: its command runs confined as it, and no command appears there holding a host descriptor" {
        local n pid i mark=cc-ptrace-$$ want
        n=$(cc_name ptrace); pid=$(cc_docker_run "$n" --cap-add SYS_PTRACE crashcart-test/busybox sleep 1000000)
        rm -f "/tmp/$mark"
        # No more than the container has: its bounding set, said in one line.
        want=$(awk '/^CapBnd:/ {print $2}' "/proc/$pid/status")
        cc_expect 0 "$CRASHCART" "$n" /dev/crashcart/bin/grep CapBnd /proc/self/status
        [[ "$output" == *"$want" ]]
        cc_one_error_line
        [[ "$stderr" == *"CAP_SYS_PTRACE"*"--confined"* ]]
        # The control: without the check, a debugger's capabilities.
        CRASHCART_FAULT_DISABLE=ptrace-reach cc_expect 0 "$CRASHCART" "$n" /dev/crashcart/bin/grep CapBnd /proc/self/status
        [[ "$output" != *"$want" ]]
        # A process of the container seizes every new PID and creates tmp/MARK
        # beneath every directory it holds: the host's / puts it in /tmp here.
        cp "$(cc_helper ptracer)" "/proc/$pid/root/tmp/ptracer"
        docker exec -d "$n" /tmp/ptracer "tmp/$mark"
        sleep 0.5
        # The positive control: with the host's descriptors kept until exec (and
        # the refusal off), it takes the host's root.
        for i in $(seq 20); do
                CRASHCART_FAULT_DISABLE=close-host-fds,ptrace-reach "$CRASHCART" "$n" /dev/crashcart/bin/true || true
                [ -e "/tmp/$mark" ] && break
        done
        echo "control: taken in run $i: $(cat "/tmp/$mark")"
        [ -e "/tmp/$mark" ]
        rm -f "/tmp/$mark"
        # Confined by itself, and with -f: the command appears holding nothing of
        # the host's.
        for i in $(seq 20); do
                cc_expect 0 "$CRASHCART" "$n" /dev/crashcart/bin/true
                cc_expect 0 "$CRASHCART" -f "$n" /dev/crashcart/bin/true
        done
        [ ! -e "/tmp/$mark" ]
        # It did take what it could: the container's own root.
        [ -e "/proc/$pid/root/tmp/$mark" ]
        docker exec "$n" killall ptracer
        cc_assert_container_clean "$pid"
}

@test "--user: a setuid program of the container's gains nothing (no_new_privs)" {
        local n pid; n=$(cc_name nnp); pid=$(cc_docker_run "$n" crashcart-test/busybox sleep 1000000)
        cp "$(cc_helper euid)" "/proc/$pid/root/tmp/euid"
        chown 0:0 "/proc/$pid/root/tmp/euid"
        chmod 4755 "/proc/$pid/root/tmp/euid"
        # The positive control: without no_new_privs the setuid bit makes it root,
        # with crashcart's bounding set and no seccomp filter.
        CRASHCART_FAULT_DISABLE=user-no-new-privs cc_expect 0 "$CRASHCART" --user app "$n" /tmp/euid
        [ "$output" = 0 ]
        cc_expect 0 "$CRASHCART" --user app "$n" /tmp/euid
        [ "$output" = 1000 ]
        cc_expect 0 "$CRASHCART" --user app "$n" /dev/crashcart/bin/grep NoNewPrivs /proc/self/status
        [[ "$output" == *1 ]]
        # root keeps what a debugger needs, as before.
        cc_expect 0 "$CRASHCART" "$n" /dev/crashcart/bin/grep NoNewPrivs /proc/self/status
        [[ "$output" == *0 ]]
        cc_assert_container_clean "$pid"
}

@test "--confined against an init that cannot be stopped (vfork without exec): one line within seconds, nothing left" {
        local n pid; n=$(cc_name vfork)
        pid=$(cc_docker_run "$n" -v "$(cc_helper vforker):/vforker:ro" crashcart-test/busybox /vforker)
        SECONDS=0
        cc_expect 125 timeout -k 5 30 "$CRASHCART" --confined "$n" /dev/crashcart/bin/true
        cc_one_error_line
        [[ "$stderr" == *"does not stop"* ]]
        [ "$SECONDS" -lt 15 ]
        # Not left traced.
        [ "$(awk '/^TracerPid:/ {print $2}' "/proc/$pid/status")" = 0 ]
        cc_assert_container_clean "$pid"
}
