#!/usr/bin/env bats
# The default cart, built from data/default.list, and every tool of it at
# work in three containers without a shell of their own: a scratch one (one
# static program, no libc, no /etc of its own), a musl one and a glibc one.

load ../lib/bats

setup_file() {
        cc_docker_up
        cc_build_assets
        cc_cleanup_containers
        export W=$CC_CACHE/builder-full
        mkdir -p "$W"
        # The build cart-loads.bats takes too, made once per builder.
        local cart; cart=$(cc_default_cart) || return 1
        export IMG=$cart/cart.erofs TREE=$cart/tree
        cc_libc_images "$CC_BUILD_CACHE/debs"
        export TLS; TLS=$(cc_tls)
        export SCR MUSL GLIBC
        SCR=$(cc_name scratch); MUSL=$(cc_name musl); GLIBC=$(cc_name glibc)
        local n pids=()
        for n in scratch musl glibc; do
                local name; name=$(cc_name "$n")
                local pid; pid=$(cc_docker_run "$name" "crashcart-test/$n")
                mapfile -t -O "${#pids[@]}" pids < <(cc_net_servers "$pid")
        done
        echo "${pids[*]}" >"$W/servers"
}

teardown_file() {
        local servers=()
        read -ra servers 2>/dev/null <"$W/servers" || true
        kill "${servers[@]}" 2>/dev/null || true
        tmux kill-server 2>/dev/null || true
        cc_cleanup_containers
        docker rmi crashcart-test/musl crashcart-test/glibc >/dev/null 2>&1 || true
}

teardown() {
        tmux kill-session -t cc 2>/dev/null || true
        cc_wait_loops_gone
        cc_assert_host_clean
        local c
        for c in "$SCR" "$MUSL" "$GLIBC"; do
                cc_assert_container_clean "$(cc_pid_of "$c")"
        done
}

# cart TARGET COMMAND...: runs a command of the cart in the container; its status must be 0.
cart() {
        local target=$1; shift
        cc_expect 0 "$CRASHCART" -i "$IMG" "$target" "$@"
}

# has TEXT: the last command's standard output contains TEXT.
has() {
        if [[ "$output" != *"$1"* ]]; then
                echo "expected '$1' in the output" >&2
                cc_show >&2
                return 1
        fi
}

@test "the default list builds; every program and library is relocated into the cart" {
        local t f interp rpath
        for t in bash strace gdb tcpdump lsof ltrace curl wget nc tar gzip pigz bzip2 man ps top ip ss dig less vi \
                htop file ping openssl readelf find grep sed iconv getent setpriv clear; do
                [ -e "$TREE/bin/$t" ] || [ -e "$TREE/sbin/$t" ] || { echo "no $t in the cart" >&2; return 1; }
        done
        # Each ELF file: the cart's loader, the cart's library directory.
        while IFS= read -r f; do
                head -c 4 "$f" | grep -q ELF || continue
                interp=$(readelf -lW "$f" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
                if [ -n "$interp" ] && [ "$interp" != /dev/crashcart/lib/ld-linux-x86-64.so.2 ]; then
                        echo "$f: interpreter $interp" >&2
                        return 1
                fi
                if readelf -dW "$f" 2>/dev/null | grep -q NEEDED; then
                        rpath=$(readelf -dW "$f" | sed -n 's/.*(RPATH).*\[\(.*\)\]/\1/p')
                        [ "$rpath" = /dev/crashcart/lib ] || { echo "$f: rpath '$rpath'" >&2; return 1; }
                fi
        done < <(find "$TREE/bin" "$TREE/sbin" "$TREE/libexec" "$TREE/lib" "$TREE/usr/lib" -type f)
        # Every link leads into the cart: an absolute one into /dev/crashcart, a
        # relative one within the tree.
        local l t
        while IFS= read -r l; do
                t=$(readlink "$l")
                if [[ "$t" == /* ]]; then
                        [[ "$t" == /dev/crashcart/* ]] || { echo "$l -> $t" >&2; return 1; }
                else
                        [[ "$(realpath -ms "$(dirname "$l")/$t")" == "$TREE/"* ]] || { echo "$l -> $t" >&2; return 1; }
                fi
        done < <(find "$TREE" -type l)
        # The links update-alternatives would have made.
        [ "$(readlink "$TREE/bin/nc")" = nc.openbsd ]
        [ "$(readlink "$TREE/bin/vi")" = vim.tiny ]
        [ "$(readlink "$TREE/bin/pager")" = less ]
        [ "$(readlink "$TREE/bin/awk")" = mawk ]
}

@test "shell, files, processes and archives" {
        local c
        for c in "$SCR" "$MUSL" "$GLIBC"; do
                # shellcheck disable=SC2016 # expanded by the shell in the container, not here
                cart "$c" bash -c 'echo "$BASH_VERSION"'
                [[ "$output" == 5.* ]]
                cart "$c" ps aux
                has /pause
                cart "$c" sh -c 'echo abc | sed s/b/X/ | grep -c aXc; find /dev/crashcart/bin -name gdb'
                has $'1\n/dev/crashcart/bin/gdb'
                cart "$c" file /pause
                has "ELF 64-bit"
                cart "$c" readelf -h /pause
                has ELF64
                cart "$c" top -b -n 1
                has "PID"
                cart "$c" bash -c 'printf "\xc3\xa9" | iconv -f utf-8 -t latin1 | od -An -tx1'
                has e9
                # tar runs gzip through /bin/sh, which only the cart has here.
                cart "$c" bash -c 'cd /dev/shm && tar czf t.tgz -C /dev/crashcart .crashcartrc && tar tzvf t.tgz; rm -f t.tgz'
                has .crashcartrc
                cart "$c" bash -c 'echo packed | pigz | gzip -d; echo packed | bzip2 | bunzip2'
                has $'packed\npacked'
                cart "$c" awk 'BEGIN { system("echo through system") }'
                has "through system"
        done
        # Users by name where the container can name them: through the NSS
        # module its nsswitch.conf asks for (compat), loaded from the cart.
        cart "$GLIBC" ps -o user= -p 1
        [ "$output" = root ]
        cart "$SCR" ps -o user= -p 1
        [ "$output" = 0 ]
        # The glibc container's /bin/sh is a planted program: the cart's programs
        # ran the cart's sh instead, as they do in a container with none. It is
        # there: the control runs it.
        local root; root=/proc/$(cc_pid_of "$GLIBC")/root
        [ ! -e "$root/planted-sh" ]
        cart "$GLIBC" /bin/sh -c true
        [ -e "$root/planted-sh" ]
        rm -f "$root/planted-sh"
}

@test "strace, gdb (with its python), ltrace and lsof on the container's PID 1" {
        local c
        for c in "$SCR" "$MUSL" "$GLIBC"; do
                cart "$c" bash -c 'timeout -s INT 1 strace -f -p 1; true'
                # shellcheck disable=SC2154 # stderr: set by bats' run --separate-stderr (cc_expect)
                [[ "$stderr" == *"Process 1 attached"* ]]
                cart "$c" gdb -p 1 -batch -ex bt
                has "#0 "
                cart "$c" gdb -batch -ex 'python import ctypes, ssl; print("python", ssl.OPENSSL_VERSION_NUMBER > 0)'
                has "python True"
                cart "$c" ltrace -e getpid bash -c 'echo $$'
                [[ "$stderr$output" == *"getpid("* ]]
                cart "$c" lsof -p 1
                has /pause
        done
        # gdb read no init file of the container's: its /etc/gdb/gdbinit would
        # have left a file; gdb without the cart's wrapper reads it (the control).
        local root; root=/proc/$(cc_pid_of "$GLIBC")/root
        [ ! -e "$root/planted-gdbinit" ]
        cart "$GLIBC" /dev/crashcart/libexec/gdb -batch
        [ -e "$root/planted-gdbinit" ]
        rm -f "$root/planted-gdbinit"
}

@test "ip, ss, ping, tcpdump, nc and dig; curl and wget over TLS" {
        local c
        for c in "$SCR" "$MUSL" "$GLIBC"; do
                cart "$c" ip addr
                has "inet 127.0.0.1"
                cart "$c" ss -ltn
                has "127.0.0.1:8443"
                cart "$c" ping -c 1 127.0.0.1
                has "1 received"
                # tcpdump as root with no user to give root up to.
                # shellcheck disable=SC2016 # expanded by the shell in the container, not here
                cart "$c" bash -c 'tcpdump -n -i lo -c 1 icmp & t=$!
                        for _ in $(seq 50); do ping -c 1 -W 1 127.0.0.1 >/dev/null; kill -0 $t 2>/dev/null || break; sleep 0.1; done
                        wait $t'
                has "ICMP echo"
                # shellcheck disable=SC2016 # expanded by the shell in the container, not here
                cart "$c" bash -c 'nc -l 127.0.0.1 9000 >/dev/shm/nc.out & l=$!
                        for _ in $(seq 50); do echo over-nc | nc -N 127.0.0.1 9000 2>/dev/null && break; sleep 0.1; done
                        wait $l; cat /dev/shm/nc.out; rm -f /dev/shm/nc.out'
                has over-nc
                cart "$c" dig +short @127.0.0.1 www.crashcart.test
                [ "$output" = 192.0.2.53 ]
        done
        # The glibc container trusts the test CA: its own CA file is used.
        cart "$GLIBC" curl -sS https://localhost:8443/
        has "<HTML>"
        cart "$GLIBC" wget -qO- https://localhost:8443/
        has "<HTML>"
        for c in "$SCR" "$MUSL"; do
                # No CA file in the container: the cart's (Mozilla's) is used, which
                # does not know the test CA...
                cc_expect 60 "$CRASHCART" -i "$IMG" "$c" curl -sSv https://localhost:8443/
                [[ "$stderr" == *"CAfile: /dev/crashcart/etc/ssl/certs/ca-certificates.crt"* ]]
                cc_expect 5 "$CRASHCART" -i "$IMG" "$c" wget -qO- https://localhost:8443/
                # ...and one the user names, for curl and wget alike.
                cart "$c" env SSL_CERT_FILE=/dev/stdin curl -sS https://localhost:8443/ <"$TLS/ca.pem"
                has "<HTML>"
                cart "$c" env SSL_CERT_FILE=/dev/stdin wget -qO- https://localhost:8443/ <"$TLS/ca.pem"
                has "<HTML>"
        done
}

# ---- a terminal: tmux ----

term_send() { tmux send-keys -t cc "$@"; }
term_wait() {
        for _ in $(seq 200); do
                tmux capture-pane -t cc -p | grep -Eq -- "$1" && return 0
                sleep 0.05
        done
        echo "the terminal never showed /$1/:" >&2
        tmux capture-pane -t cc -p >&2
        return 1
}

# Waits for the shell's prompt on the last line written: a full-screen program
# has ended (and its restoring of the terminal discards what is typed before).
term_prompt() {
        for _ in $(seq 200); do
                tmux capture-pane -t cc -p | grep -v '^ *$' | tail -1 | grep -Eq '^\[crashcart\] .*# ?$' && return 0
                sleep 0.05
        done
        echo "no prompt:" >&2
        tmux capture-pane -t cc -p >&2
        return 1
}

@test "an interactive bash with completion and colours; man, less, vi and htop in a terminal" {
        local c
        for c in "$SCR" "$MUSL" "$GLIBC"; do
                tmux new-session -d -s cc -x 100 -y 30 "env -i PATH=$PATH TERM=xterm-256color '$CRASHCART' -i '$IMG' $c"
                term_wait '\[crashcart\]'
                # Completion: a path, then bash-completion's completion of ip.
                term_send 'ls -d /dev/crashcart/sb' Tab
                term_wait 'ls -d /dev/crashcart/sbin/'
                term_send Enter
                term_send 'ip add' Tab
                term_wait 'ip addr'
                term_send C-u
                # Colours: the prompt and ls.
                term_send 'clear; ls /dev/crashcart' Enter
                term_wait 'profile'
                tmux capture-pane -t cc -p -e | grep -q $'\e\\[[0-9;]*3[1-7]m.*crashcart'
                tmux capture-pane -t cc -p -e | grep -Eq $'\e\\[[0-9;]*3[1-7]m(bin|\e)'
                # man, rendered by the cart's groff, in the cart's pager.
                term_send 'man ls' Enter
                term_wait 'list directory contents'
                term_send q
                term_prompt
                term_send 'clear; less /dev/crashcart/.crashcartrc' Enter
                term_wait "the cart's tools first"
                term_send q
                term_prompt
                term_send 'clear; vi /dev/shm/vi.txt' Enter
                term_wait '^~'
                term_send i 'typed in vi' Escape ':wq' Enter
                term_prompt
                term_send 'clear; cat /dev/shm/vi.txt; rm /dev/shm/vi.txt' Enter
                term_wait '^typed in vi$'
                term_send 'clear; htop' Enter
                term_wait 'Load average'
                term_send q
                term_prompt
                # shellcheck disable=SC2016 # typed into the cart's bash, expanded there
                term_send 'clear; echo "done with $((6 * 7))"' Enter
                term_wait '^done with 42$'
                term_send 'exit' Enter
                for _ in $(seq 100); do tmux has-session -t cc 2>/dev/null || break; sleep 0.05; done
                cc_refute tmux has-session -t cc 2>/dev/null
        done
        # Completion read none of the container's scripts: its ~/.bash_completion
        # would have left a file, as it does when bash-completion is loaded
        # without the cart's settings (the control).
        local root; root=/proc/$(cc_pid_of "$GLIBC")/root
        [ ! -e "$root/planted-completion" ]
        cart "$GLIBC" bash -c '. /dev/crashcart/share/bash-completion/bash_completion'
        [ -e "$root/planted-completion" ]
        rm -f "$root/planted-completion"
}

@test "the cart's programs load nothing from outside /dev/crashcart" {
        local c cmd
        for c in "$SCR" "$MUSL" "$GLIBC"; do
                for cmd in "bash --version" "gdb -batch -ex 'python import ctypes'" "curl --version" \
                        "wget --version" "openssl version" "tcpdump --version" "strace -V" "ltrace -V" "lsof -v" \
                        "vim.tiny --version" "htop --version" "dig -v" "ip -V" "ps --version" "less --version" \
                        "file /pause" "man -w ls" "iconv -f utf-8 -t latin1 /dev/null" "tar --version"; do
                        cart "$c" env LD_DEBUG=libs bash -c "$cmd"
                        [[ "$stderr" == *"file=/dev/crashcart/lib/"* ]]
                        cc_refute grep -E '(trying file|calling init|file)=/(lib|usr|etc|bin|opt)' <<<"$stderr"
                        cc_refute grep -q 'ld.so.cache' <<<"$stderr"
                done
        done
}
