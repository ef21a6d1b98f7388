#!/dev/crashcart/bin/bash
# Runs in a container, by the cart's bash (tests/integration/cart-loads.bats): every
# program of the cart's bin/ and sbin/ once, with a harmless argument, under the
# cart's strace: the successful execve, mmap and openat calls of it and of every
# process it starts, with the paths of the descriptors (-y), one file a process in
# OUT/DIR-NAME/. OUT/CHECKED and OUT/SKIPPED list the programs, DIR/NAME a line;
# OUT/TIMES says how long each took, in milliseconds.
#   cart-sweep.sh OUT [NAME...]   the NAMEs are not run (they change the system)
set -u
out=$1; shift
declare -A skip
for n in "$@"; do skip[$n]=1; done
C=/dev/crashcart
export PATH=$C/sbin:$C/bin HOME=/root

rm -rf "$out"; mkdir -p "$out"
: >"$out/CHECKED"; : >"$out/SKIPPED"; : >"$out/TIMES"
for d in bin sbin; do
        for p in "$C/$d"/*; do
                n=${p##*/}
                if [ -n "${skip[$n]:-}" ]; then
                        echo "$d/$n" >>"$out/SKIPPED"
                        continue
                fi
                # What prints a version and ends, for each: --version but where
                # that is not an option of the program.
                case $n in
                top | watch | ping | ping4 | ping6 | tc | ip | bridge | ss | rtmon | nstat | lnstat | rtacct | dcb | \
                        devlink | rdma | tipc | vdpa | genl | ctstat | rtstat | arpd | routel) arg=-V ;;
                dig | host | nslookup | delv | mdig | nsupdate | dnstap-read) arg=-v ;;
                nc | netcat | nc.openbsd) arg=-h ;;
                *) arg=--version ;;
                esac
                mkdir "$out/$d-$n"
                start=${EPOCHREALTIME/./}
                timeout -s KILL 5 strace -ff -z -qq -y -s 300 -e trace=execve,mmap,openat -o "$out/$d-$n/t" \
                        "$p" "$arg" </dev/null >/dev/null 2>&1
                echo "$d/$n" >>"$out/CHECKED"
                echo "$d/$n $(((${EPOCHREALTIME/./} - start) / 1000))" >>"$out/TIMES"
        done
done
