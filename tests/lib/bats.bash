# Loaded by every integration test: load ../lib/bats
bats_require_minimum_version 1.5.0
# shellcheck source=tests/lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"

# A file whose tests need no root (kubectl.bats) sets CC_NO_ROOT before loading.
if [ -z "${CC_NO_ROOT:-}" ] && [ "$(id -u)" != 0 ]; then
        echo "the integration tests need root" >&2
        exit 1
fi

# Shows what a failed `run` saw.
# shellcheck disable=SC2154 # status and output: set by bats' run
cc_show() {
        echo "status: $status"
        echo "output: $output"
        [ -n "${stderr:-}" ] && echo "stderr: $stderr"
        return 0
}

# cc_expect STATUS COMMAND...: runs it (stdout and stderr apart) and checks the status.
cc_expect() {
        local want=$1; shift
        run "-$want" --separate-stderr "$@"
        if [ "$status" != "$want" ]; then
                echo "expected status $want from: $*" >&2
                cc_show >&2
                return 1
        fi
}

# cc_refute COMMAND...: fails when COMMAND succeeds. Use it, never a bare
# `! COMMAND`: bash's errexit ignores a negated command, so a `! grep ...` that is
# not a test's last line asserts nothing (and likewise `[ a ] && [ b ]`, whose
# first test may fail unnoticed: write one assertion a line).
cc_refute() {
        if "$@"; then
                echo "expected to fail, but it succeeded: $*" >&2
                return 1
        fi
        return 0
}

# One line on stderr, starting with "crashcart: ".
cc_one_error_line() {
        local n; n=$(printf '%s\n' "$stderr" | grep -c .)
        if [ "$n" != 1 ] || [[ "$stderr" != "crashcart: "* ]]; then
                echo "expected one error line, got: [$stderr]" >&2
                return 1
        fi
}

cc_name() { echo "cctest-$1-$$-${BATS_TEST_NUMBER:-0}"; }

# cc_stopped_crashcart CC: the PID of a crashcart process other than CC that has
# stopped itself at a fault point (a child of CC's, before exec); fails after 5 s.
cc_stopped_crashcart() {
        local p
        for _ in $(seq 100); do
                for p in $(pgrep -x crashcart); do
                        if [ "$p" != "$1" ] && [ "$(awk '{print $3}' "/proc/$p/stat")" = T ]; then
                                echo "$p"
                                return 0
                        fi
                done
                sleep 0.05
        done
        echo "no crashcart process of $1 stopped" >&2
        return 1
}
