#!/usr/bin/env bats
# Issue 12: the cart's programs load and obey only the cart, whatever a hostile
# container's files say. One test per vector of docs/cart-loads.md's table (V01
# to V44; rows the table combines, combined): the container's plant, and the
# command an operator types, run through crashcart as root. The plant leaves a
# mark in the container's /tmp when it runs: a shared object whose constructor
# leaves /tmp/MARK-TAG (tests/helpers/libmark.c), a program that leaves
# /tmp/MARK-prog-NAME (tests/helpers/mark.c), or code in the language the
# program reads (shell, perl, python), which does the same.
#
# Each test: through the protected cart (crashcart-build as it is), no mark;
# and its positive control, the same command through the cart built without the
# protections (CRASHCART_FAULT_DISABLE=cart-redirect,cart-audit: the builder's
# path redirections and its rtld-audit module), leaves the mark: the plant is
# live, so that no test passes because it is dead. Then the sweep: every program
# of the cart once, under strace, in a container holding every plant at once.
#
# Both carts are built once per builder (cc_default_cart). To try an image
# instead (a prototype of the fixes, say):
#   CC_PROTECTED_CART=IMAGE     the cart that must load nothing of the container's
#   CC_UNPROTECTED_CART=IMAGE   the positive controls' cart

load ../lib/bats

setup_file() {
        cc_docker_up
        cc_build_assets
        local prot unprot
        prot=$(cc_default_cart) || return 1
        unprot=$(cc_default_cart cart-redirect,cart-audit) || return 1
        export PROT=${CC_PROTECTED_CART:-$prot/cart.erofs}
        export UNPROT=${CC_UNPROTECTED_CART:-$unprot/cart.erofs}
        # Files of the cart some plants are made from (groff's DESC, Python's
        # encodings): the same in both.
        export TREE=$unprot/tree
        export LIBMARK MARK
        LIBMARK=$(cc_helper libmark.so) && MARK=$(cc_helper mark) || return 1
        export TMUX_TMPDIR=$BATS_FILE_TMPDIR
        msgfmt -o "$BATS_FILE_TMPDIR/coreutils.mo" "$CC_ROOT/tests/fixtures/cart-loads/coreutils.po"

        # The container most tests plant in, reset after each; a TLS server and
        # a DNS resolver on its 127.0.0.1 (cc_net_servers).
        export CTR CTR_PID
        CTR=$(cc_name loads)
        CTR_PID=$(cc_docker_run "$CTR" crashcart-test/busybox sleep 1000000) || return 1
        echo "$CTR" >>"$BATS_FILE_TMPDIR/containers"
        cc_net_servers "$CTR_PID" >"$BATS_FILE_TMPDIR/servers"
}

teardown_file() {
        local servers=() c
        mapfile -t servers <"$BATS_FILE_TMPDIR/servers" 2>/dev/null || true
        [ "${#servers[@]}" = 0 ] || kill "${servers[@]}" 2>/dev/null || true
        tmux kill-server 2>/dev/null || true   # ours: TMUX_TMPDIR is this file's
        # Only the containers this file made (others' tests may be running).
        while read -r c; do
                docker rm -f "$c" >/dev/null 2>&1 || true
        done <"$BATS_FILE_TMPDIR/containers" 2>/dev/null
}

setup() {
        target "$CTR"
        : >"$BATS_TEST_TMPDIR/planted"
        : >"$BATS_TEST_TMPDIR/containers"
        CC_OPTS=()
        assert_no_marks "(before the test)"
}

teardown() {
        local f c pid failed=0
        tmux kill-session -t cc 2>/dev/null || true
        [ -z "${SRV:-}" ] || kill "$SRV" 2>/dev/null || true
        # The reset: what the test planted, newest first, and the marks.
        tac "$BATS_TEST_TMPDIR/planted" | while read -r f; do
                [[ "$f" =~ ^/proc/[0-9]+/root/. ]] && rm -rf "$f"
        done
        rm -f "/proc/$CTR_PID/root/tmp/MARK"*
        # The test's own containers, once crashcart is seen to have left nothing.
        while read -r c; do
                if pid=$(cc_pid_of "$c" 2>/dev/null); then
                        assert_left_nothing "$pid" || failed=1
                fi
                docker rm -f "$c" >/dev/null 2>&1 || true
        done <"$BATS_TEST_TMPDIR/containers"
        cc_wait_loops_gone || failed=1
        assert_left_nothing "$CTR_PID" || failed=1
        cc_assert_host_clean || failed=1
        return "$failed"
}

# assert_left_nothing PID: crashcart left nothing in the container of PID, nor a
# session file of its (and cc_assert_host_clean, after, nothing on the host).
assert_left_nothing() {
        local ns
        cc_assert_container_clean "$1"
        ns=$(stat -L -c %i "/proc/$1/ns/mnt")
        if compgen -G "/run/crashcart/mnt-*-$ns" >/dev/null; then
                echo "a session file of PID $1's is left: $(ls /run/crashcart/mnt-*-"$ns")" >&2
                return 1
        fi
}

# ---- the container and what is planted in it ----

# target NAME: the container the helpers below plant in and run commands in.
target() {
        T=$1
        TPID=$(cc_pid_of "$T")
        TR=/proc/$TPID/root
}

# fresh_container NAME [docker run options...]: a busybox container of this test
# only (removed by teardown), made the target.
fresh_container() {
        local name; name=$(cc_name "$1"); shift
        cc_docker_run "$name" "$@" crashcart-test/busybox sleep 1000000 >/dev/null
        echo "$name" >>"$BATS_TEST_TMPDIR/containers"
        target "$name"
}

# planted PATH: records a path of the container for the reset.
planted() { echo "$TR$1" >>"$BATS_TEST_TMPDIR/planted"; }

# mkdir_in DIR: mkdir -p in the container, recording the first directory made.
mkdir_in() {
        local d=$1 top=
        while [ ! -e "$TR$d" ]; do top=$d; d=$(dirname "$d"); done
        [ -z "$top" ] && return 0
        planted "$top"
        mkdir -p "$TR$1"
}

# put PATH: standard input as the container's file PATH (a link there is replaced).
put() {
        mkdir_in "$(dirname "$1")"
        rm -f "$TR$1"
        planted "$1"
        cat >"$TR$1"
}

# plant_lib TAG PATH: the marking shared object at PATH, leaving /tmp/MARK-TAG.
plant_lib() {
        local off
        mkdir_in "$(dirname "$2")"
        rm -f "$TR$2"
        planted "$2"
        cp "$LIBMARK" "$TR$2"
        off=$(grep -obUaF '@@CRASHCART-TEST-MARK-TAG@@' "$TR$2" | cut -d: -f1)
        if [ -z "$off" ] || [ "${#1}" -ge 64 ]; then
                echo "cannot tag $2 with '$1'" >&2
                return 1
        fi
        printf '%s\0' "$1" | dd of="$TR$2" bs=1 seek="$off" conv=notrunc status=none
}

# plant_prog PATH: the marking program at PATH, leaving /tmp/MARK-prog-BASENAME.
plant_prog() {
        mkdir_in "$(dirname "$1")"
        rm -f "$TR$1"
        planted "$1"
        cp "$MARK" "$TR$1"
}

# shell_mark TAG: shell code that leaves /tmp/MARK-TAG.
# /dev/lib/python311.zip, where python's prefix search reaches the container's
# /dev: the cart's own encodings (so that python would start from it) and a
# sitecustomize.py that marks.
plant_python_devzip() {
        mkdir_in /dev/lib
        planted /dev/lib/python311.zip
        python3 - "$TREE/usr/lib/python3.11" "$TR/dev/lib/python311.zip" <<'EOF'
import os, sys, zipfile
base, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w") as z:
    for d, _, files in os.walk(os.path.join(base, "encodings")):
        for f in files:
            if f.endswith(".py"):
                z.write(os.path.join(d, f), os.path.relpath(os.path.join(d, f), base))
    z.writestr("sitecustomize.py", 'open("/tmp/MARK-py-devzip", "w").close()\n')
EOF
}

shell_mark() { printf ': >/tmp/MARK-%s; echo %s >>/tmp/MARK.log\n' "$1" "$1"; }

marks() { find "$TR/tmp" -maxdepth 1 -name 'MARK-*' -printf '%f ' 2>/dev/null; }

clear_marks() { rm -f "$TR/tmp/MARK"*; }

assert_no_marks() {
        local m; m=$(marks)
        [ -z "$m" ] && return 0
        echo "$1: the protected cart loaded or ran the container's: $m" >&2
        sed 's/^/#   log: /' "$TR/tmp/MARK.log" >&2 2>/dev/null
        return 1
}

# ---- running the cart's programs ----

# cart IMAGE COMMAND...: the command through crashcart in the target, as an
# operator types it (options in CC_OPTS); its output in $out, its status in $rc.
# Neither is asserted: what matters is what it loaded or ran.
cart() {
        local img=$1; shift
        rc=0
        out=$(timeout -k 5 60 "$CRASHCART" -T -i "$img" "${CC_OPTS[@]}" "$T" "$@" 2>&1 </dev/null) || rc=$?
}

# control_marks "MARK..." WHAT: the positive control left /tmp/MARK-MARK, each.
control_marks() {
        local m
        for m in $1; do
                [ -e "$TR/tmp/MARK-$m" ] && continue
                echo "positive control: '$2' through the unprotected cart left no MARK-$m: the plant is dead" >&2
                echo "#   status $rc; marks: [$(marks)]; output: ${out:0:2000}" >&2
                return 1
        done
}

# loads "MARK..." COMMAND...: through the cart without the protections the
# command leaves each MARK (the plant is live); through the protected cart, no
# mark at all.
# $BEFORE_EACH, when set, is run before each (a one-shot server, say).
loads() {
        local mark=$1; shift
        clear_marks
        [ -z "${BEFORE_EACH:-}" ] || "$BEFORE_EACH"
        cart "$UNPROT" "$@"
        control_marks "$mark" "$*" || return 1
        clear_marks
        [ -z "${BEFORE_EACH:-}" ] || "$BEFORE_EACH"
        cart "$PROT" "$@"
        assert_no_marks "$*" || { echo "#   status $rc; output: ${out:0:2000}" >&2; return 1; }
        # Nothing left behind proves nothing when crashcart could not run it (a
        # program the fixes removed from the cart may be missing: 127).
        if [ "$rc" = 125 ] || [ "$rc" = 124 ]; then
                echo "crashcart failed or timed out (status $rc) with the protected cart: $out" >&2
                return 1
        fi
}

# ---- a terminal (tmux, private to this file: TMUX_TMPDIR) ----

# term_start IMAGE [COMMAND...]: crashcart with a terminal, in a 100x30 one; the
# pane stays when it ends, for term_end to read.
term_start() {
        local img=$1; shift
        tmux new-session -d -s cc -x 100 -y 30 \
                "env -i PATH=$PATH TERM=xterm $(printf '%q ' "$CRASHCART" -i "$img" "$T" "$@")" \; \
                set-option -t cc remain-on-exit on
}

term_send() { tmux send-keys -t cc "$@"; }
term_screen() { tmux capture-pane -t cc -p 2>/dev/null; }

# term_wait REGEX: until the screen matches, or a mark is left (10 s at most).
term_wait() {
        for _ in $(seq 200); do
                term_screen | grep -Eq -- "$1" && return 0
                [ -z "$(marks)" ] || return 0
                sleep 0.05
        done
        echo "the terminal never showed /$1/:" >&2
        term_screen >&2
        return 1
}

# term_end: waits for the command to end (5 s), keeps the screen in $out.
term_end() {
        for _ in $(seq 100); do
                [ "$(tmux display-message -p -t cc '#{pane_dead}' 2>/dev/null)" = 1 ] && break
                sleep 0.05
        done
        out=$(term_screen) rc=
        tmux kill-session -t cc 2>/dev/null || true
}

# loads_in_terminal "MARK..." DRIVE [COMMAND...]: loads, with a terminal: DRIVE types
# into the command (no COMMAND: crashcart's default shell).
loads_in_terminal() {
        local mark=$1 drive=$2; shift 2
        clear_marks
        term_start "$UNPROT" "$@"
        "$drive"
        term_end
        control_marks "$mark" "${*:-the default shell}" || return 1
        clear_marks
        term_start "$PROT" "$@"
        "$drive"
        term_end
        assert_no_marks "${*:-the default shell}" || { echo "#   screen: $out" >&2; return 1; }
}

# ---- plants shared by several vectors ----

plant_openssl_provider() {
        printf '%s\n' 'openssl_conf = init' '[init]' 'providers = prov' '[prov]' 'evil = es' 'default = ds' \
                '[es]' 'module = /evil-ossl.so' 'activate = 1' '[ds]' 'activate = 1' | put /usr/lib/ssl/openssl.cnf
        plant_lib ossl /evil-ossl.so
}

# A one-shot web server in the target's network, on 127.0.0.1:8080, answering
# 401 with WWW-Authenticate: Negotiate (curl --negotiate then asks Kerberos).
negotiate_server() {
        [ -z "${SRV:-}" ] || kill "$SRV" 2>/dev/null || true
        printf 'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\nContent-Length: 0\r\n\r\n' |
                nsenter -n -t "$TPID" busybox nc -l -p 8080 >/dev/null 2>&1 3>&- &
        SRV=$!
        for _ in $(seq 50); do
                nsenter -n -t "$TPID" ss -Hltn 'sport = :8080' | grep -q . && return 0
                sleep 0.05
        done
}

# A credential cache, so that curl goes as far as choosing one (a plugin's job).
plant_krb5_ccache() {
        printf '\x05\x04\x00\x00\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x01X\x00\x00\x00\x04root' |
                put /tmp/krb5cc_0
}

# ---- the vectors ----

@test "V01 nsswitch.conf naming a module with a slash: ls -l, getent hosts and ss load no NSS module of the container's" {
        printf 'passwd: /x\ngroup: /x\nhosts: /x\nservices: /x\n' | put /etc/nsswitch.conf
        plant_lib nss-slash /libnss_/x.so.2
        loads nss-slash /dev/crashcart/bin/ls -l /etc/passwd
        loads nss-slash /dev/crashcart/bin/getent hosts localhost
        loads nss-slash /dev/crashcart/bin/ss -a
}

@test "V02 the loader's fall-back directories (/ccx, /dev/ccx): getent loads no libnss_evil.so.2 from them" {
        echo 'hosts: evil' | put /etc/nsswitch.conf
        plant_lib nss-ccx /ccx/libnss_evil.so.2
        loads nss-ccx /dev/crashcart/bin/getent hosts localhost
        rm -f "$TR/ccx/libnss_evil.so.2"
        plant_lib nss-devccx /dev/ccx/libnss_evil.so.2
        loads nss-devccx /dev/crashcart/bin/getent hosts localhost
}

@test "V03 libproc2's dlopen of libnuma: ps loads no /dev/ccx/libnuma.so" {
        plant_lib numa /dev/ccx/libnuma.so
        loads numa /dev/crashcart/bin/ps -e
}

drive_htop() {
        term_wait 'Load average|Tasks:'
        term_send q
}

@test "V04 htop's dlopen of libsensors: htop in a terminal loads no /dev/ccx/libsensors.so.5" {
        plant_lib sensors /dev/ccx/libsensors.so.5
        loads_in_terminal sensors drive_htop /dev/crashcart/bin/htop
}

@test "V05 openssl.cnf of the container (OPENSSLDIR): dig -v loads no provider of its" {
        plant_openssl_provider
        loads ossl /dev/crashcart/bin/dig -v
}

@test "V06 openssl.cnf of the container: gdb's python, ssl.create_default_context(), loads no provider of its" {
        plant_openssl_provider
        loads ossl /dev/crashcart/bin/gdb -batch -ex 'python import ssl; ssl.create_default_context(); print("ssl ok")'
}

@test "V07 SASL plugins of the container: curl --version loads none" {
        plant_lib sasl /usr/lib/x86_64-linux-gnu/sasl2/libevil.so
        loads sasl /dev/crashcart/bin/curl --version
}

@test "V08/09 an engine named in ~/.curlrc or ~/.config/curlrc: curl loads neither" {
        plant_lib eng-curlrc /tmp/evil-engine.so
        echo 'engine = /tmp/evil-engine.so' | put /root/.curlrc
        loads eng-curlrc /dev/crashcart/bin/curl -sS http://127.0.0.1:1/
        rm -f "$TR/root/.curlrc"
        plant_lib eng-config-curlrc /tmp/evil-engine2.so
        echo 'engine = /tmp/evil-engine2.so' | put /root/.config/curlrc
        loads eng-config-curlrc /dev/crashcart/bin/curl -sS http://127.0.0.1:1/
}

@test "V10/11 use_askpass in /etc/wgetrc or ~/.wgetrc: wget runs neither program" {
        plant_prog /tmp/askpass-etc
        echo 'use_askpass = /tmp/askpass-etc' | put /etc/wgetrc
        loads prog-askpass-etc /dev/crashcart/bin/wget -q -O /dev/null http://127.0.0.1:1/
        rm -f "$TR/etc/wgetrc"
        plant_prog /tmp/askpass-home
        echo 'use_askpass = /tmp/askpass-home' | put /root/.wgetrc
        loads prog-askpass-home /dev/crashcart/bin/wget -q -O /dev/null http://127.0.0.1:1/
}

@test "V12 p11-kit modules of the container: wget with a pkcs11: trust store (~/.wgetrc's, or the operator's) loads none" {
        plant_lib p11 /tmp/evil-p11.so
        printf 'module: /tmp/evil-p11.so\n' | put /etc/pkcs11/modules/evil.module
        # No trust of the container's but the pkcs11: one.
        : | put /etc/ssl/certs/ca-certificates.crt
        echo 'ca_certificate = pkcs11:' | put /root/.wgetrc
        loads p11 /dev/crashcart/bin/wget -q -O /dev/null https://127.0.0.1:8443/
        rm -f "$TR/root/.wgetrc"
        loads p11 /dev/crashcart/bin/wget -q --ca-certificate=pkcs11: -O /dev/null https://127.0.0.1:8443/
}

@test "V13 python's user site of the container: gdb --version runs no .pth line of its" {
        printf '%s\n' 'import os; open("/tmp/MARK-py-pth", "w").close()' |
                put /root/.local/lib/python3.11/site-packages/evil.pth
        loads py-pth /dev/crashcart/bin/gdb --version
}

@test "V14 /dev/lib/python311.zip (python's prefix search reaching the container's /dev): gdb runs no code of it" {
        plant_python_devzip
        loads py-devzip /dev/crashcart/bin/gdb -batch -ex 'python import sys; print(sys.prefix)'
}

# Enter, rebound by the container's inputrc, would type "shell /tmp/evilrl";
# C-j is accept-line still.
drive_gdb_readline() {
        term_wait '^\(gdb\)'
        term_send 'show version' Enter
        term_wait 'GNU gdb'
        term_send 'quit' C-j
}

@test "V15 readline's ~/.inputrc and /etc/inputrc of the container: interactive gdb obeys neither's macro" {
        plant_prog /tmp/evilrl
        # shellcheck disable=SC1003 # inputrc, not shell
        printf '"\\C-m": "\\C-a\\C-kshell /tmp/evilrl\\C-j"\n' | put /root/.inputrc
        loads_in_terminal prog-evilrl drive_gdb_readline /dev/crashcart/bin/gdb -q
        rm -f "$TR/root/.inputrc"
        printf '"\\C-m": "\\C-a\\C-kshell /tmp/evilrl\\C-j"\n' | put /etc/inputrc
        loads_in_terminal prog-evilrl drive_gdb_readline /dev/crashcart/bin/gdb -q
}

@test "V16-18 lesskey files of the container (~/.lesskey, /etc/syslesskey, /etc/sysless): less runs no LESSOPEN of theirs" {
        plant_prog /tmp/lessopen
        printf '#env\nLESSOPEN=|/tmp/lessopen %%s\n' | put /root/.lesskey
        loads prog-lessopen /dev/crashcart/bin/less /etc/passwd
        rm -f "$TR/root/.lesskey"
        printf '#env\nLESSOPEN=|/tmp/lessopen %%s\n' | put /etc/syslesskey
        loads prog-lessopen /dev/crashcart/bin/less /etc/passwd
        rm -f "$TR/etc/syslesskey"
        # The compiled form, made by the cart's lesskey.
        printf '#env\nLESSOPEN=|/tmp/lessopen %%s\n' | put /tmp/lesskey.src
        planted /etc/sysless
        "$CRASHCART" -T -i "$UNPROT" "$T" /dev/crashcart/bin/lesskey -o /etc/sysless /tmp/lesskey.src
        loads prog-lessopen /dev/crashcart/bin/less /etc/passwd
}

@test "V19 perl's @INC (/etc/perl first): shasum loads no strict.pm of the container's" {
        # shellcheck disable=SC2016 # perl, not shell
        echo 'open(my $f, ">", "/tmp/MARK-perl-strict"); 1;' | put /etc/perl/strict.pm
        loads perl-strict /dev/crashcart/bin/shasum /etc/passwd
}

@test "V20 routel's #!env python3: routel runs no python3 of the container's" {
        plant_prog /usr/bin/python3
        loads prog-python3 /dev/crashcart/bin/routel
}

@test "V21 bzgrep's PATH=/usr/bin:\$PATH: bzgrep runs no sed or bzip2 of the container's" {
        plant_prog /usr/bin/sed
        plant_prog /usr/bin/bzip2
        echo hello | bzip2 | put /tmp/a.bz2
        loads 'prog-sed prog-bzip2' /dev/crashcart/bin/bzgrep hello /tmp/a.bz2
}

@test "V22 neqn's GROFF_BIN_PATH=/usr/bin: neqn runs no eqn of the container's" {
        plant_prog /usr/bin/eqn
        loads prog-eqn /dev/crashcart/bin/neqn
}

@test "V23 groff's font path (site-font DESC postpro): nroff runs no postprocessor of the container's" {
        local d
        plant_prog /tmp/evilpost
        for d in devascii devutf8 devlatin1; do
                sed 's|^postpro .*|postpro /tmp/evilpost|' "$TREE/usr/share/groff/1.22.4/font/$d/DESC" |
                        put "/usr/share/groff/site-font/$d/DESC"
        done
        echo '.TH X 1' | put /tmp/x.1
        loads prog-evilpost /dev/crashcart/bin/nroff -man /tmp/x.1
}

@test "V24 man-db's preprocessors by name (a page's '\\\" r line): man runs no refer of the container's" {
        plant_prog /usr/bin/refer
        printf "'\\\\\" r\n.TH EVILR 1\n.SH NAME\nevilr \\\\- x\n" | put /usr/share/man/man1/evilr.1
        loads prog-refer /dev/crashcart/bin/man evilr
}

# xz, zstd and lz4 are in the default list, so the cart runs its own; lzip is
# one of the helpers the cart has a stub for.
@test "V25 man-db's decompressors by name (a page.lz): man runs no lzip of the container's" {
        plant_prog /usr/bin/lzip
        printf 'LZIP\x01\x0c' | put /usr/share/man/man1/evillz.1.lz
        # man-db runs its decompressor in a seccomp sandbox that keeps the mark from
        # being written (the exec happens all the same): without it, for the mark.
        loads prog-lzip /dev/crashcart/bin/env MAN_DISABLE_SECCOMP=1 /dev/crashcart/bin/man evillz
}

@test "V26 tar's decompressors by name: tar xf a.tar.lz runs no lzip of the container's" {
        plant_prog /usr/bin/lzip
        printf 'LZIP\x01\x0c' | put /tmp/a.tar.lz
        loads prog-lzip /dev/crashcart/bin/tar -C /tmp -xf /tmp/a.tar.lz
}

@test "V27 tar's compiled-in /usr/bin/rsh: tar -tf HOST:FILE runs no rsh of the container's" {
        plant_prog /usr/bin/rsh
        loads prog-rsh /dev/crashcart/bin/tar -tf 127.0.0.1:/x
}

@test "V28 libmagic's decompressors by name: file -z runs no lzip of the container's" {
        plant_prog /usr/bin/lzip
        printf 'LZIP\x01\x0c\x00\x00\x00\x00' | put /tmp/a.lz
        loads prog-lzip /dev/crashcart/bin/file -z /tmp/a.lz
}

@test "V29 stdbuf's libstdbuf.so: stdbuf preloads none of the container's" {
        plant_lib stdbuf /usr/libexec/coreutils/libstdbuf.so
        loads stdbuf /dev/crashcart/bin/stdbuf -oL /dev/crashcart/bin/echo ok
}

@test "V30/31 iproute2's module directories: ip link add type X and tc qdisc add X load no module of the container's" {
        plant_lib ipmod /usr/lib/x86_64-linux-gnu/ip/link_evil.so
        loads ipmod /dev/crashcart/bin/ip link add x0 type evil
        plant_lib tcmod /usr/lib/x86_64-linux-gnu/tc/q_evil.so
        loads tcmod /dev/crashcart/sbin/tc qdisc add dev lo root evil
}

@test "V32/33 PAM of the container (/etc/pam.d, its module directory): su and runuser load no module of its" {
        plant_lib pam /tmp/evil-pam.so
        printf 'auth sufficient /tmp/evil-pam.so\n' | put /etc/pam.d/su
        loads pam /dev/crashcart/bin/su root -s /dev/crashcart/bin/true -c true
        plant_lib pamdir /lib/x86_64-linux-gnu/security/pam_rootok.so
        printf 'auth sufficient pam_rootok.so\n' | put /etc/pam.d/other
        loads pamdir /dev/crashcart/sbin/runuser -u root -- /dev/crashcart/bin/true
}

@test "V34 /etc/krb5.conf's plugins: curl --negotiate loads none of the container's" {
        plant_lib krb5 /tmp/evil-krb5.so
        printf '[libdefaults]\n default_realm = X\n[plugins]\n ccselect = {\n  module = evil:/tmp/evil-krb5.so\n }\n' |
                put /etc/krb5.conf
        plant_krb5_ccache
        BEFORE_EACH=negotiate_server loads krb5 /dev/crashcart/bin/curl -sS --negotiate -u : http://127.0.0.1:8080/
}

@test "V35 /etc/gss/mech's mechanisms: curl --negotiate loads none of the container's" {
        plant_lib gss /tmp/evil-gss.so
        printf 'evilmech 1.2.3.4.5.6 /tmp/evil-gss.so\n' | put /etc/gss/mech
        BEFORE_EACH=negotiate_server loads gss /dev/crashcart/bin/curl -sS --negotiate -u : http://127.0.0.1:8080/
}

@test "V36 ~/.selected_editor (sourced): sensible-editor runs no editor of the container's" {
        plant_prog /tmp/evileditor
        echo 'SELECTED_EDITOR=/tmp/evileditor' | put /root/.selected_editor
        loads prog-evileditor /dev/crashcart/bin/sensible-editor /tmp/x
}

@test "V37 /usr/share/dpkg/sh/dpkg-error.sh (sourced): dpkg-realpath runs no shell code of the container's" {
        shell_mark dpkg-error-sh | put /usr/share/dpkg/sh/dpkg-error.sh
        loads dpkg-error-sh /dev/crashcart/bin/dpkg-realpath /tmp
}

@test "V38 ldd's RTLDLIST: ldd runs no loader of the container's" {
        plant_prog /lib64/ld-linux-x86-64.so.2
        loads prog-ld-linux-x86-64.so.2 /dev/crashcart/bin/ldd /dev/crashcart/bin/true
}

@test "V39 message catalogs of the container (printf formats): ls with LANG set prints and crashes on none" {
        mkdir_in /usr/lib/locale
        planted /usr/lib/locale/en_US.utf8
        cp -r /usr/lib/locale/C.utf8 "$TR/usr/lib/locale/en_US.utf8"
        put /usr/share/locale/en_US/LC_MESSAGES/coreutils.mo <"$BATS_FILE_TMPDIR/coreutils.mo"
        CC_OPTS=(--env LANG=en_US.UTF-8)
        # The positive control: the container's format string reached printf (%n:
        # SIGSEGV, 128 + 11).
        cart "$UNPROT" /dev/crashcart/bin/ls /nonexistent
        [ "$rc" = 139 ] || { echo "positive control: status $rc, not 139; output: $out" >&2; return 1; }
        cart "$PROT" /dev/crashcart/bin/ls /nonexistent
        echo "status $rc, output: $out"
        [ "$rc" = 2 ]
        [[ "$out" != *EVIL-TRANSLATION* ]]
        [[ "$out" == *"cannot access '/nonexistent'"* ]]
}

@test "V40 LD_PRELOAD and LD_AUDIT (--env -f, or the image's environment under docker exec into a -m cart): nothing of the container's loaded" {
        plant_lib ldp /tmp/evil-ldp.so
        plant_lib lda /tmp/evil-lda.so
        # Without -f, the loader's variables are refused outright.
        cc_expect 125 "$CRASHCART" -i "$PROT" --env LD_PRELOAD=/tmp/evil-ldp.so "$T" /dev/crashcart/bin/true
        # shellcheck disable=SC2154 # stderr: set by bats' run --separate-stderr (cc_expect)
        [[ "$stderr" == *"-f sets it anyway"* ]]
        # Asked for with -f: the audit module still refuses the container's object.
        CC_OPTS=(-f --env LD_PRELOAD=/tmp/evil-ldp.so)
        loads ldp /dev/crashcart/bin/echo ok
        # The README's workflow: crashcart -m, then docker exec, whose environment
        # the container's image sets. LD_AUDIT modules load before the cart's own:
        # the cart's programs are safe from it only through /dev/crashcart/enter.
        local img
        for img in "$UNPROT" "$PROT"; do
                clear_marks
                "$CRASHCART" -m -i "$img" "$T"
                docker exec -e LD_PRELOAD=/tmp/evil-ldp.so "$T" /dev/crashcart/bin/echo ok || true
                if [ "$img" = "$UNPROT" ]; then
                        rc='' out=''; control_marks ldp "docker exec -e LD_PRELOAD into a -m cart"
                else
                        assert_no_marks "docker exec -e LD_PRELOAD into a -m cart"
                        # The control for enter: the protected cart's programs load
                        # an LD_AUDIT module when started straight by docker exec.
                        docker exec -e LD_AUDIT=/tmp/evil-lda.so "$T" /dev/crashcart/bin/echo ok || true
                        rc='' out=''; control_marks lda "docker exec -e LD_AUDIT, not through enter"
                        clear_marks
                        run docker exec -e LD_AUDIT=/tmp/evil-lda.so -e LD_PRELOAD=/tmp/evil-ldp.so "$T" \
                                /dev/crashcart/enter /dev/crashcart/bin/sh -c 'echo ${LD_AUDIT:-none} ${LD_PRELOAD:-none}'
                        [ "$status" = 0 ]
                        [ "$output" = "none none" ]
                        assert_no_marks "docker exec -e LD_AUDIT through /dev/crashcart/enter"
                fi
                "$CRASHCART" -u "$T"
        done
}

drive_top_inspect() {
        term_wait 'PID'
        term_send Y
        sleep 1
        term_send Enter
        sleep 1
        term_send Enter
        sleep 1
        term_send q
        sleep 0.3
        term_send q
}

@test "V41 top's rc file of the container (an Inspect pipe entry): top's Inspect runs no command of its" {
        plant_prog /tmp/inspect
        { cat "$CC_ROOT/tests/fixtures/cart-loads/toprc"; printf 'pipe\tOpen Files\t/tmp/inspect %%d 2>&1\n'; } |
                put /root/.config/procps/toprc
        loads_in_terminal prog-inspect drive_top_inspect /dev/crashcart/bin/top
}

drive_shell() {
        term_wait '\[crashcart\]'
        # shellcheck disable=SC2016 # typed into the cart's bash, expanded there
        term_send 'echo typed-$((6 * 7))' Enter
        term_wait 'typed-42'
        term_send 'exit' C-j
}

@test "V42 the default shell in a read-only container whose /dev/null is a file of its: neither sourced nor read as inputrc" {
        # The container's file: a bind mount it cannot write (so the rc file's
        # 2>/dev/null cannot truncate it), bash code and an inputrc macro at once.
        mkdir -p "$BATS_TEST_TMPDIR/evil"
        cp "$MARK" "$BATS_TEST_TMPDIR/evil/rl-mark"
        {
                shell_mark devnull-sourced
                # shellcheck disable=SC1003 # inputrc, not shell
                printf '"\\C-m": "\\C-a\\C-k/evil/rl-mark\\C-j"\n'
        } >"$BATS_TEST_TMPDIR/evil/rc"
        fresh_container ro --read-only --tmpfs /tmp -v "$BATS_TEST_TMPDIR/evil:/evil:ro"
        rm -f "$TR/dev/null"
        ln -s /evil/rc "$TR/dev/null"
        # The positive control, with what the rc file did before it named the
        # cart's etc/empty (INPUTRC=/dev/null, and /dev/null sourced as the
        # completion file): both are live.
        clear_marks
        term_start "$PROT" /dev/crashcart/bin/env INPUTRC=/dev/null /dev/crashcart/bin/bash --norc -i
        term_wait '# ?$'
        # shellcheck disable=SC2016 # for the cart's bash
        term_send 'echo typed-$((6 * 7))' Enter
        sleep 1
        term_send '. /dev/null; exit' C-j
        term_end
        rc='' out=''; control_marks 'devnull-sourced prog-rl-mark' "bash with INPUTRC=/dev/null and /dev/null sourced"
        # The default shell: neither.
        clear_marks
        term_start "$PROT"
        drive_shell
        term_end
        assert_no_marks "the default shell" || { echo "#   screen: $out" >&2; return 1; }
}

drive_bash() {
        term_wait '# ?$'
        term_send 'exit' C-j
}

@test "V43 bash's startup files of the container: bash -l reads no /etc/profile or ~/.profile, an interactive bash no ~/.bashrc" {
        shell_mark etc-profile | put /etc/profile
        loads etc-profile /dev/crashcart/bin/bash -l -c true
        rm -f "$TR/etc/profile"
        shell_mark profile | put /root/.profile
        loads profile /dev/crashcart/bin/bash -l -c true
        shell_mark bashrc | put /root/.bashrc
        loads_in_terminal bashrc drive_bash /dev/crashcart/bin/bash
}

@test "V44 gdb's edit with EDITOR unset: gdb runs no /bin/ex of the container's" {
        printf 'int main(void)\n{\n        return 0;\n}\n' >"$BATS_TEST_TMPDIR/thr.c"
        gcc -g -O0 -o "$BATS_TEST_TMPDIR/thr" "$BATS_TEST_TMPDIR/thr.c"
        put /tmp/thr <"$BATS_TEST_TMPDIR/thr"
        chmod 755 "$TR/tmp/thr"
        plant_prog /bin/ex
        # The cart's vi, which the protected gdb starts, reads its keys from the pipe.
        loads prog-ex /dev/crashcart/bin/sh -c "printf ':q!\\n' | /dev/crashcart/bin/gdb -batch -ex 'edit main' /tmp/thr"
}

# ---- the sweep ----

# Every plant of the vectors above at once (docs/cart-loads-kit's plant-all.sh).
plant_all() {
        local d l p m
        printf '%s: /x evil\n' passwd group hosts | put /etc/nsswitch.conf
        printf '%s: /x\n' shadow gshadow initgroups networks protocols services ethers rpc netgroup aliases publickey \
                >>"$TR/etc/nsswitch.conf"
        plant_lib nss-slash /libnss_/x.so.2
        for d in /ccx /dev/ccx; do
                for l in libnss_evil.so.2 libnuma.so libnuma.so.1 libsensors.so.5 libsensors.so.4 libgpm.so.2 \
                        libcryptsetup.so.12 libcc1.so.0; do
                        plant_lib "sysdir${d//\//-}-$l" "$d/$l"
                done
        done
        printf '%s\n' 'openssl_conf = init' '[init]' 'providers = prov' 'engines = eng' '[prov]' 'evil = es' \
                'default = ds' '[es]' 'module = /evil-ossl.so' 'activate = 1' '[ds]' 'activate = 1' '[eng]' 'evil = ee' \
                '[ee]' 'dynamic_path = /evil-ossl.so' 'init = 1' | put /usr/lib/ssl/openssl.cnf
        plant_lib ossl /evil-ossl.so
        plant_lib sasl /usr/lib/x86_64-linux-gnu/sasl2/libevil.so
        plant_lib sasl2 /usr/lib/sasl2/libevil.so
        plant_lib eng /tmp/evil-engine.so
        echo 'engine = /tmp/evil-engine.so' | put /root/.curlrc
        echo 'engine = /tmp/evil-engine.so' | put /root/.config/curlrc
        plant_prog /tmp/askpass
        echo 'use_askpass = /tmp/askpass' | put /etc/wgetrc
        printf 'use_askpass = /tmp/askpass\nca_certificate = pkcs11:\n' | put /root/.wgetrc
        plant_lib p11 /tmp/evil-p11.so
        for m in /etc/pkcs11/modules /usr/share/p11-kit/modules /root/.config/pkcs11/modules; do
                echo 'module: /tmp/evil-p11.so' | put "$m/evil.module"
        done
        echo 'import os; open("/tmp/MARK-py-pth", "w").close()' | put /root/.local/lib/python3.11/site-packages/evil.pth
        echo 'open("/tmp/MARK-py-usercustomize", "w").close()' |
                put /root/.local/lib/python3.11/site-packages/usercustomize.py
        plant_python_devzip
        plant_prog /tmp/evilrl
        # shellcheck disable=SC1003 # inputrc, not shell
        printf '"\\C-m": "\\C-a\\C-kshell /tmp/evilrl\\C-j"\n' | put /root/.inputrc
        cp "$TR/root/.inputrc" "$TR/etc/inputrc"
        plant_prog /tmp/lessopen
        printf '#env\nLESSOPEN=|/tmp/lessopen %%s\n' | put /root/.lesskey
        cp "$TR/root/.lesskey" "$TR/etc/syslesskey"
        for m in strict warnings Config vars Carp Exporter; do
                echo "open(my \$f, '>', '/tmp/MARK-perl-$m'); 1;" | put "/etc/perl/$m.pm"
        done
        for p in xz unxz lzma zstd lz4 lzip lzop lrzip brotli refer grap vgrind eqn sed bzip2 rsh python3 editor \
                www-browser less more stty tail rm basename mkdir; do
                plant_prog "/usr/bin/$p"
        done
        plant_prog /bin/ex
        plant_prog /bin/sed
        plant_prog /bin/mkdir
        plant_prog /bin/pwd
        for d in devascii devutf8 devlatin1 devps; do
                sed 's|^postpro .*|postpro /tmp/evilpost|' "$TREE/usr/share/groff/1.22.4/font/$d/DESC" |
                        put "/usr/share/groff/site-font/$d/DESC"
        done
        plant_prog /tmp/evilpost
        plant_lib stdbuf /usr/libexec/coreutils/libstdbuf.so
        plant_lib ipmod /usr/lib/x86_64-linux-gnu/ip/link_evil.so
        plant_lib tcmod /usr/lib/x86_64-linux-gnu/tc/q_evil.so
        plant_lib xt /usr/lib/x86_64-linux-gnu/xtables/libxt_evil.so
        plant_lib pam /tmp/evil-pam.so
        printf '%s sufficient /tmp/evil-pam.so\n' auth account session | put /etc/pam.d/other
        plant_lib pamdir /lib/x86_64-linux-gnu/security/pam_rootok.so
        plant_lib krb5 /tmp/evil-krb5.so
        printf '[libdefaults]\n default_realm = X\n[plugins]\n ccselect = {\n  module = evil:/tmp/evil-krb5.so\n }\n' |
                put /etc/krb5.conf
        plant_lib gss /tmp/evil-gss.so
        echo 'evilmech 1.2.3.4.5.6 /tmp/evil-gss.so' | put /etc/gss/mech
        plant_prog /tmp/evileditor
        echo 'SELECTED_EDITOR=/tmp/evileditor' | put /root/.selected_editor
        shell_mark dpkg-error-sh | put /usr/share/dpkg/sh/dpkg-error.sh
        plant_prog /lib64/ld-linux-x86-64.so.2
        echo /tmp/evil-preload.so | put /etc/ld.so.preload
        plant_lib ldso-preload /tmp/evil-preload.so
        plant_lib gconv /usr/lib/x86_64-linux-gnu/gconv/EVIL.so
        echo 'module EVIL// INTERNAL EVIL 1' | put /usr/lib/x86_64-linux-gnu/gconv/gconv-modules
        plant_prog /tmp/evilrc
        for p in /root/.bashrc /root/.profile /etc/profile; do
                echo /tmp/evilrc | put "$p"
        done
        plant_lib bfd /usr/lib/bfd-plugins/evil.so
        plant_lib thread-db /lib/x86_64-linux-gnu/libthread_db.so.1
        echo 'open("/tmp/MARK-gdb-autoload", "w")' | put /usr/share/gdb/auto-load/evil-gdb.py
        echo 'shell /tmp/evilrl' | put /root/.gdbinit
        echo 'shell /tmp/evilrl' | put /etc/gdb/gdbinit
        echo 'set shell=/tmp/evilrl' | put /root/.vimrc
        echo 'set shell=/tmp/evilrl' | put /etc/vim/vimrc.tiny
        plant_prog /tmp/inspect
        { cat "$CC_ROOT/tests/fixtures/cart-loads/toprc"; printf 'pipe\tOpen Files\t/tmp/inspect %%d 2>&1\n'; } |
                put /root/.config/procps/toprc
}

# Programs the sweep does not run: they change the system they run on (shells
# list, init scripts, alternatives, debconf, CA store, users' homes, log files)
# whatever their argument, or never end (yes).
SWEEP_SKIP=(add-shell remove-shell update-shells installkernel invoke-rc.d service update-rc.d
        dpkg-maintscript-helper deb-systemd-helper deb-systemd-invoke ucf ucfr ucfq update-ca-certificates
        update-alternatives pam_namespace_helper mkhomedir_helper savelog shadowconfig dpkg-preconfigure
        dpkg-reconfigure dpkg-fsys-usrunmess debconf-apt-progress debconf-communicate debconf-copydb
        debconf-set-selections select-editor yes)

# sweep IMAGE OUT: cart-sweep.sh through crashcart in the target; its traces
# copied to OUT on the host.
sweep() {
        cp "$CC_ROOT/tests/lib/cart-sweep.sh" "$TR/tmp/cart-sweep.sh"
        # Its standard error: the shell's word of programs that crashed or were
        # killed (bin/ld.so and sbin/ldconfig crash on --version).
        timeout 1200 "$CRASHCART" -T -i "$1" "$T" /dev/crashcart/bin/bash /tmp/cart-sweep.sh /tmp/sweep \
                "${SWEEP_SKIP[@]}" </dev/null >"$2.log" 2>&1
        rm -rf "$2"; cp -r "$TR/tmp/sweep" "$2"
        rm -rf "$TR/tmp/sweep" "$TR/tmp/cart-sweep.sh"
}

# violations OUT: a line per program and thing outside /dev/crashcart it
# executed (a successful execve) or mapped executable (mmap with PROT_EXEC of a
# file's descriptor), from the traces of sweep.
violations() {
        # shellcheck disable=SC2016 # awk, not shell
        find "$1" -mindepth 2 -name 't.*' -print0 | xargs -0 -r awk '
                { n = split(FILENAME, part, "/"); prog = part[n - 1] }
                /^execve\("/ {
                        p = $0; sub(/^execve\("/, "", p); sub(/".*/, "", p)
                        if (p !~ /^\/dev\/crashcart\//) print prog ": exec " p
                }
                /^mmap\(.*PROT_EXEC/ && match($0, /, [0-9]+<[^>]*>/) {
                        p = substr($0, RSTART, RLENGTH); sub(/^, [0-9]+</, "", p); sub(/>$/, "", p)
                        if (p !~ /^\/dev\/crashcart\//) print prog ": mmap-exec " p
                }' | sort -u
}

@test "the sweep: no program of the protected cart executes or maps anything outside /dev/crashcart in a container holding every plant" {
        local report=$CC_CACHE/cart-loads n bad
        mkdir -p "$report"
        fresh_container sweep
        plant_all

        # The positive control: the unprotected cart's programs run and map the
        # container's plants.
        sweep "$UNPROT" "$report/unprotected"
        violations "$report/unprotected" >"$report/violations-unprotected.txt"
        n=$(cut -d: -f1 "$report/violations-unprotected.txt" | sort -u | wc -l)
        echo "# unprotected cart: $n programs executed or mapped the container's ($report/violations-unprotected.txt)" >&3
        [ "$n" -gt 0 ]
        clear_marks

        sweep "$PROT" "$report/protected"
        violations "$report/protected" >"$report/violations-protected.txt"
        # What was run: every program of bin/ and sbin/ but the skipped ones.
        cp "$report/protected/CHECKED" "$report/checked.txt"
        n=$(wc -l <"$report/checked.txt")
        echo "# protected cart: $n programs checked ($report/checked.txt); skipped: $(tr '\n' ' ' <"$report/protected/SKIPPED")" >&3
        [ "$n" -gt 400 ]
        [ "$(find "$report/protected" -mindepth 1 -maxdepth 1 -type d | wc -l)" = "$n" ]
        bad=$(cut -d: -f1 "$report/violations-protected.txt" | sort -u | wc -l)
        if [ "$bad" != 0 ]; then
                echo "$bad programs of the protected cart executed or mapped the container's:" >&2
                sed 's/^/#   /' "$report/violations-protected.txt" >&2
                return 1
        fi
        assert_no_marks "the sweep"
}
