#!/usr/bin/env bats
# crashcart under valgrind (memcheck), failing on any error or leak. valgrind
# 3.19 knows neither pidfd_open nor fsopen nor mount_setattr and answers ENOSYS:
# these runs also prove every fallback of an older kernel (PID + start time,
# per-namespace setns, mknod + mount(2), mount(2) remounts of a read-only /dev).

load ../lib/bats

setup_file() {
        cc_docker_up
        cc_build_assets
        cc_cleanup_containers
        BB=$(cc_name bb) RO=$(cc_name ro)
        BB_PID=$(cc_docker_run "$BB" crashcart-test/busybox sleep 1000000)
        RO_PID=$(cc_docker_run "$RO" --read-only --tmpfs /dev:ro,dev,exec,suid,mode=755 crashcart-test/busybox sleep 1000000)
        export BB RO BB_PID RO_PID
        export CRASHCART_IMAGE=$CC_CACHE/cart.ext4
}

teardown_file() {
        cc_cleanup_containers
}

teardown() {
        cc_wait_loops_gone
        cc_assert_host_clean
        cc_assert_container_clean "$BB_PID"
        cc_assert_container_clean "$RO_PID"
}

vg() {
        valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
                --show-leak-kinds=definite,indirect "$CRASHCART" "$@" 2> >(grep -v -e '^--' -e 'noted but unhandled' \
                -e 'spurious value errors' -e 'README_MISSING' >&2)
}

@test "valgrind: a run, -m, -u, a read-only /dev, the fallbacks" {
        local before; before=$(grep ' /dev ' "/proc/$RO_PID/mountinfo")
        cc_expect 0 vg "$BB" /dev/crashcart/bin/echo under-valgrind
        [ "$output" = under-valgrind ]
        cc_expect 7 vg "$BB" /dev/crashcart/bin/sh -c 'exit 7'
        cc_expect 0 vg -m "$BB"
        cc_expect 0 vg -m "$BB"
        cc_expect 0 vg -u "$BB"
        cc_expect 0 vg "$RO" /dev/crashcart/bin/echo ro
        [ "$output" = ro ]
        [ "$(grep ' /dev ' "/proc/$RO_PID/mountinfo")" = "$before" ]
        cc_expect 0 vg --user app "$BB" /dev/crashcart/bin/id -u
        [ "$output" = 1000 ]
}

@test "valgrind: errors, --list, --pid, -e" {
        cc_expect 125 vg no-such-container /dev/crashcart/bin/true
        cc_expect 125 vg -i "$CC_CACHE/bad-truncated.img" "$BB" /dev/crashcart/bin/true
        cc_expect 127 vg "$BB" /no/such/command
        cc_expect 0 vg --list
        [[ "$output" == *"$BB"* ]]
        cc_expect 0 vg --pid "$BB"
        [ "$output" = "$BB_PID" ]
        cc_expect 0 vg -e "$BB" /dev/crashcart/bin/echo via-exec
        [ "$output" = via-exec ]
}
