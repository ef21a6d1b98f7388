#!/usr/bin/env bats
# The shell an operator lives in: a pty from the container, driven here through
# tmux (send-keys, capture-pane); users and groups; environment and workdir;
# --confined; the cart at a host directory for new containers.

load ../lib/bats

setup_file() {
        cc_docker_up
        cc_build_assets
        cc_cleanup_containers
        BB=$(cc_name bb) SCR=$(cc_name scratch)
        export BB SCR
        BB_PID=$(cc_docker_run "$BB" --env APPVAR=from-app --env LD_PRELOAD=/tmp/planted.so --env BASH_ENV=/tmp/rc \
                --workdir /tmp crashcart-test/busybox sleep 1000000)
        export BB_PID
        SCR_PID=$(cc_docker_run "$SCR" crashcart-test/scratch)
        export SCR_PID
        export CRASHCART_IMAGE=$CC_CACHE/cart.erofs
        export TMUX_TMPDIR=$BATS_FILE_TMPDIR
}

teardown_file() {
        tmux kill-server 2>/dev/null || true
        cc_cleanup_containers
}

teardown() {
        tmux kill-session -t cc 2>/dev/null || true
        cc_wait_loops_gone
        cc_assert_host_clean
        cc_assert_container_clean "$BB_PID"
        cc_assert_container_clean "$SCR_PID"
}

# ---- tmux: a terminal to type into ----

term_start() {  # a host shell in an 80x24 terminal
        tmux new-session -d -s cc -x 80 -y 24 \
                "env -i PATH=$PATH TERM=xterm PS1='host\$ ' CRASHCART_IMAGE=$CRASHCART_IMAGE bash --norc --noprofile"
        term_wait 'host\$'
}

term_send() { tmux send-keys -t cc "$@"; }

term_screen() { tmux capture-pane -t cc -p; }

# Waits until the screen matches a regular expression.
term_wait() {
        for _ in $(seq 100); do
                term_screen | grep -Eq -- "$1" && return 0
                sleep 0.05
        done
        echo "the terminal never showed /$1/:" >&2
        term_screen >&2
        return 1
}

@test "an interactive run: a pty of the container's, resize, Ctrl-C, exit status, the host terminal restored" {
        term_start
        term_send "stty -g >$BATS_TEST_TMPDIR/before; '$CRASHCART' '$BB' /dev/crashcart/bin/sh -i" Enter
        # In the container's configured working directory, as docker exec starts.
        term_wait '^/tmp #'
        term_send 'tty; stty size' Enter
        term_wait '^/dev/pts/[0-9]+$'
        term_wait '^24 80$'
        # The pts is the container's: it exists in its devpts.
        local pts; pts=$(term_screen | grep -Eo '^/dev/pts/[0-9]+$' | head -1)
        [ -e "/proc/$BB_PID/root$pts" ]

        tmux resize-window -t cc -x 100 -y 30
        term_send 'stty size' Enter
        term_wait '^30 100$'

        term_send 'sleep 100; echo after-sleep' Enter
        sleep 0.3
        term_send C-c
        term_send 'echo survived' Enter
        term_wait '^survived$'
        cc_refute grep -q '^after-sleep$' <<<"$(term_screen)"

        # Job control: Ctrl-Z stops a job, fg brings it back.
        term_send 'sleep 1' Enter
        sleep 0.3
        term_send C-z
        term_wait 'Stopped'
        term_send 'fg; echo job-done' Enter
        term_wait '^job-done$'

        term_send 'exit 3' Enter
        term_wait '^host\$ ?$'
        term_send "echo status=\$?; stty -g >$BATS_TEST_TMPDIR/after" Enter
        term_wait '^status=3$'
        sleep 0.2
        cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "a process left in the container cannot push input into the host terminal" {
        # It is a real threat on this kernel: run directly in the host terminal,
        # the same program does type into the shell.
        local marker=$BATS_TEST_TMPDIR/injected
        term_start
        term_send "$CC_CACHE/bin/tiocsti 0 'touch $marker.control'" Enter
        for _ in $(seq 40); do [ -e "$marker.control" ] && break; sleep 0.05; done
        if [ ! -e "$marker.control" ]; then
                skip "TIOCSTI is disabled on this kernel (dev.tty.legacy_tiocsti=0): nothing to defend"
        fi

        # Through crashcart, interactive (pty) and with -T (pipes): the program
        # stays behind, and types after crashcart has exited.
        for mode in "" "-T"; do
                term_send "'$CRASHCART' $mode '$BB' /dev/crashcart/bin/sh -c \"/dev/crashcart/bin/nohup /dev/crashcart/bin/tiocsti 1 'touch $marker' >/dev/null 2>&1 </dev/stdin & exit 0\"" Enter
                term_wait '^host\$ ?$'
                sleep 1.5
                [ ! -e "$marker" ]
                # Typed in, it would show after the prompt (the control did).
                cc_refute grep -qx "host\$ touch $marker" <<<"$(term_screen)"
                docker exec "$BB" /bin/killall tiocsti || true
        done
}

@test "the user's terminal hangs up with a line half typed: the shell in the container is hung up too" {
        # Neither a ^D (the line is not empty) nor a SIGHUP sent to it (ignored)
        # would end this shell; the end of its terminal does.
        tmux new-session -d -s cc -x 80 -y 24 \
                "env -i PATH=$PATH TERM=xterm CRASHCART_IMAGE=$CRASHCART_IMAGE '$CRASHCART' '$BB' /dev/crashcart/bin/sh -i"
        term_wait '^/tmp #'
        term_send "trap '' HUP" Enter
        term_send 'echo half typ'
        term_wait 'half typ'
        local pid; pid=$(pgrep -f "^$CRASHCART $BB /dev/crashcart/bin/sh -i")
        [ -n "$pid" ]
        tmux kill-session -t cc
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
        cc_refute kill -0 "$pid" 2>/dev/null
        cc_refute docker exec "$BB" /bin/pgrep -f /dev/crashcart/bin/sh
}

@test "-t gives a pty without a terminal; -T and pipes pass bytes and EOF straight" {
        cc_expect 0 "$CRASHCART" -t "$BB" /dev/crashcart/bin/tty
        [[ "$output" =~ ^/dev/pts/[0-9]+ ]]
        cc_expect 1 "$CRASHCART" "$BB" /dev/crashcart/bin/tty
        [ "$output" = "not a tty" ]
        run bash -c "printf 'a\nb\nc\n' | '$CRASHCART' '$BB' /dev/crashcart/bin/wc -l"
        [ "$output" = 3 ]
        run bash -c "head -c 1000000 /dev/urandom | tee $BATS_TEST_TMPDIR/in | '$CRASHCART' -T '$BB' /dev/crashcart/bin/cat >$BATS_TEST_TMPDIR/out"
        cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
}

@test "users and groups of the container's own /etc/passwd and /etc/group" {
        cc_expect 0 "$CRASHCART" --user app "$BB" /dev/crashcart/bin/id
        [ "$output" = "uid=1000(app) gid=1000(app) groups=10(wheel)" ]
        cc_expect 0 "$CRASHCART" --user app:nogroup "$BB" /dev/crashcart/bin/id -g
        [ "$output" = 65534 ]
        # shellcheck disable=SC2016 # expanded by the shell in the container, not here
        cc_expect 0 "$CRASHCART" -S nobody "$BB" /dev/crashcart/bin/sh -c 'id -u; echo $HOME'
        [ "$output" = "$(printf '65534\n/nonexistent')" ]
        cc_expect 0 "$CRASHCART" "$BB" /dev/crashcart/bin/id -u
        [ "$output" = 0 ]
        # No /etc/passwd at all (scratch): numbers work, names are an error.
        cc_expect 0 "$CRASHCART" -S 1234 -G 99 "$SCR" /dev/crashcart/bin/id
        [ "$output" = "uid=1234 gid=99 groups=99" ] || [ "$output" = "uid=1234 gid=99" ]
        cc_expect 125 "$CRASHCART" --user app "$SCR" /dev/crashcart/bin/id
        cc_one_error_line
        # shellcheck disable=SC2154 # stderr: set by bats' run --separate-stderr (cc_expect)
        [[ "$stderr" == *"no such user"* ]]
        cc_expect 125 "$CRASHCART" --user app:nosuch "$BB" /dev/crashcart/bin/id
        [[ "$stderr" == *"no such group"* ]]
        # A user who is not root has no capabilities left.
        cc_expect 0 "$CRASHCART" --user app "$BB" /dev/crashcart/bin/grep CapEff /proc/self/status
        [[ "$output" == *0000000000000000 ]]
}

@test "--env, --workdir and --env-from-target" {
        # shellcheck disable=SC2016 # expanded by the shell in the container, not here
        cc_expect 0 "$CRASHCART" --env A=1 --env B=x=y -w /etc "$BB" /dev/crashcart/bin/sh -c 'echo $A $B $(pwd) $HOME; env | grep -c APPVAR; true'
        [ "$output" = "$(printf '1 x=y /etc /root\n0')" ]
        # shellcheck disable=SC2016 # expanded by the shell in the container, not here
        cc_expect 0 "$CRASHCART" --env-from-target=APPVAR "$BB" /dev/crashcart/bin/sh -c 'echo $APPVAR; echo $PATH'
        [ "$(sed -n 1p <<<"$output")" = from-app ]
        [[ "$(sed -n 2p <<<"$output")" == /dev/crashcart/sbin:/dev/crashcart/bin:* ]]
        # An allowlist: an application's variable only when named, and what is
        # left out is said; the container's loader and shell-startup variables
        # stay behind; SHELL is the cart's.
        cc_expect 0 "$CRASHCART" --env-from-target "$BB" /dev/crashcart/bin/env
        cc_refute grep -q APPVAR <<<"$output"
        grep -qx HOSTNAME="$(docker inspect -f '{{.Config.Hostname}}' "$BB")" <<<"$output"
        grep -qx SHELL=/dev/crashcart/bin/bash <<<"$output"
        cc_refute grep -E '^(LD_PRELOAD|BASH_ENV)=' <<<"$output"
        [[ "$stderr" == *"variables of the environment of"*"left out"* ]]
        cc_expect 0 "$CRASHCART" -v --env-from-target=APP* "$BB" /dev/crashcart/bin/env
        grep -qx APPVAR=from-app <<<"$output"
        cc_refute grep -E '^(LD_PRELOAD|BASH_ENV)=' <<<"$output"
        [[ "$stderr" == *"left out of the target's environment: LD_PRELOAD"* ]]
        cc_expect 125 "$CRASHCART" --env-from-target=LD_PRELOAD "$BB" /dev/crashcart/bin/env
        [[ "$stderr" == *"LD_PRELOAD is read by the loader: never taken from the container"* ]]
        cc_expect 125 "$CRASHCART" --env LD_PRELOAD=/tmp/x.so "$BB" /dev/crashcart/bin/env
        [[ "$stderr" == *"(-f sets it anyway)"* ]]
        cc_expect 125 "$CRASHCART" -w /no/such/dir "$BB" /dev/crashcart/bin/true
        cc_one_error_line
        cc_expect 125 "$CRASHCART" --env NOEQUALS "$BB" /dev/crashcart/bin/true
}

@test "a debugger's privileges by default; --confined has the container's own" {
        local bnd; bnd=$(awk '/^CapBnd/ {print $2}' "/proc/$BB_PID/status")
        cc_expect 0 "$CRASHCART" "$BB" /dev/crashcart/bin/grep -E 'CapBnd|Seccomp:' /proc/self/status
        [[ "$output" != *"$bnd"* ]]
        [[ "$output" == *"Seccomp:"*0* ]]
        cc_expect 0 "$CRASHCART" --confined "$BB" /dev/crashcart/bin/grep -E 'CapBnd|CapEff|NoNewPrivs|Seccomp:' /proc/self/status
        [[ "$output" == *"CapBnd:"*"$bnd"* ]]
        [[ "$output" == *"CapEff:"*"$bnd"* ]]
        [ "$(grep Seccomp: <<<"$output" | awk '{print $2}')" = "$(awk '/^Seccomp:/ {print $2}' "/proc/$BB_PID/status")" ]
        # The container's init was only stopped for a moment.
        grep -Eq '^State:\s+S' "/proc/$BB_PID/status"
}

@test "--host: the cart at a host directory, for docker run -v, then released" {
        local d=$BATS_TEST_TMPDIR/cart-at-host
        mkdir "$d"
        cc_expect 0 "$CRASHCART" -m --host "$d"
        cc_expect 0 "$CRASHCART" -m --host "$d"
        [ "$(grep -c " $d " /proc/self/mountinfo)" = 1 ]
        run docker run --rm --label crashcart-test=1 -v "$d:/dev/crashcart:ro" crashcart-test/scratch \
                /dev/crashcart/bin/sh -c 'echo in-a-new-container; ls /'
        [ "$status" = 0 ]
        [[ "$output" == in-a-new-container* ]]
        [[ "$output" == *pause* ]]
        cc_expect 0 "$CRASHCART" -u --host "$d"
        cc_refute grep -q " $d " /proc/self/mountinfo
        cc_expect 0 "$CRASHCART" -u --host "$d"
        cc_expect 125 "$CRASHCART" -m --host "$BATS_TEST_TMPDIR/missing"
        cc_one_error_line
}
