#!/usr/bin/env bats
# crashcart-build against Debian's archive with an apt of its own: carts for
# arm64 and amd64, from a named release, reproducible to the byte, with a
# manifest in the cart and an SBOM beside it that say what was extracted.
# No container: the carts are read on the host (crashcart --manifest, the tree).

load ../lib/bats

setup_file() {
        make -s -C "$CC_ROOT" build/crashcart-build build/crashcart arm64-cart >&2
        export BUILD=$CC_ROOT/build/crashcart-build
        export W=$CC_CACHE/builder-archive
        rm -rf "$W"
        mkdir -p "$W/one" "$W/two"
        chown -R 65534:65534 "$W"
        printf '# a small cart\nbash\ncoreutils\n' >"$W/packages"
}

teardown() {
        cc_wait_loops_gone
        cc_assert_host_clean
}

as_nobody() {
        setpriv --reuid 65534 --regid 65534 --clear-groups env HOME="$W" XDG_CACHE_HOME="$W/cache" "$@"
}

# The ELF machine of a file, as readelf names it.
machine() { readelf -h "$1" | sed -n 's/^ *Machine: *//p'; }

@test "the same list twice, in two directories: byte-identical images in every format" {
        local fmt a b
        for fmt in erofs squashfs ext4; do
                run -0 bash -c "cd '$W/one' && setpriv --reuid 65534 --regid 65534 --clear-groups env HOME='$W' \
                        XDG_CACHE_HOME='$W/cache' '$BUILD' -f $fmt -p ../packages -o cart.$fmt"
                run -0 bash -c "cd '$W/two' && setpriv --reuid 65534 --regid 65534 --clear-groups env HOME='$W' \
                        XDG_CACHE_HOME='$W/cache' '$BUILD' -f $fmt -p ../packages -o cart.$fmt"
                a=$(sha256sum <"$W/one/cart.$fmt"); b=$(sha256sum <"$W/two/cart.$fmt")
                echo "# $fmt: $a" >&3
                [ "$a" = "$b" ]
                cmp "$W/one/cart.$fmt.cdx.json" "$W/two/cart.$fmt.cdx.json"
        done
        # SOURCE_DATE_EPOCH is every time in the tree, and changes the image.
        run -0 as_nobody env SOURCE_DATE_EPOCH=1700000000 "$BUILD" -p "$W/packages" -o "$W/one/epoch.erofs" \
                -k "$W/one/epoch-tree"
        [ "$(stat -c %Y "$W/one/epoch-tree/bin/bash")" = 1700000000 ]
        [ "$(stat -c %Y "$W/one/epoch-tree/lib")" = 1700000000 ]
        [ "$(jq .source_date_epoch "$W/one/epoch-tree/manifest.json")" = 1700000000 ]
        cc_refute cmp -s "$W/one/epoch.erofs" "$W/one/cart.erofs"
        run -1 as_nobody env SOURCE_DATE_EPOCH=yesterday "$BUILD" -p "$W/packages" -o "$W/one/bad.erofs"
        [[ "$output" == *"SOURCE_DATE_EPOCH='yesterday' is not a number of seconds"* ]]
}

@test "the manifest and the SBOM name exactly the packages extracted, and crashcart --manifest prints it" {
        local tree=$W/one/tree deb name version arch n lib
        run -0 as_nobody "$BUILD" -p "$W/packages" -o "$W/one/m.erofs" -k "$tree"
        jq -e '.architecture == "amd64" and .release and .builder.version and .requested == ["bash", "coreutils"]' \
                "$tree/manifest.json"
        # Each package of the manifest is a .deb of the cache that says the same.
        n=0
        while read -r name version arch; do
                deb=$W/cache/crashcart-build/debs/${name}_${version/:/%3a}_${arch}.deb
                [ "$(dpkg-deb -f "$deb" Package Version Architecture | tr '\n' ' ')" = \
                        "Package: $name Version: $version Architecture: $arch " ]
                dpkg-deb -c "$deb" | awk '{print $6}' >>"$W/one/files"
                n=$((n + 1))
        done < <(jq -r '.packages[] | "\(.name) \(.version) \(.architecture)"' "$tree/manifest.json")
        [ "$n" -ge 10 ]
        jq -e '[.packages[].name] | index("bash") and index("coreutils") and index("libc6")' "$tree/manifest.json"
        # Every library in the cart but crashcart's own came from one of them.
        for lib in "$tree"/lib/*.so*; do
                case ${lib##*/} in cart-sh.so | cart-audit.so) continue ;; esac
                grep -q "/${lib##*/}\$" "$W/one/files" || { echo "${lib##*/}: from no package of the manifest" >&2; return 1; }
        done
        # The SBOM: CycloneDX 1.5, a pkg:deb purl for each package and only those.
        jq -e '.bomFormat == "CycloneDX" and .specVersion == "1.5" and (.serialNumber | startswith("urn:uuid:"))' \
                "$W/one/m.erofs.cdx.json"
        diff <(jq -r '.packages[] | "\(.name) \(.version) \(.architecture)"' "$tree/manifest.json" | sort) \
                <(jq -r '.components[] | "\(.name) \(.version) \(.purl | capture("arch=(?<a>[a-z0-9]+)").a)"' \
                        "$W/one/m.erofs.cdx.json" | sort)
        jq -e '[.components[].purl | test("^pkg:deb/debian/[a-z0-9.+-]+@[A-Za-z0-9.~_:%-]+\\?arch=(amd64|all)&distro=debian-[0-9]+$")] | all' \
                "$W/one/m.erofs.cdx.json"
        # crashcart prints the cart's own, and leaves no mount or loop device.
        install -m 0644 -o root "$W/one/m.erofs" "$W/one/root.erofs"
        cc_expect 0 "$CRASHCART" -i "$W/one/root.erofs" --manifest
        [ "$output" = "$(cat "$tree/manifest.json")" ]
        cc_refute grep -q "$W/one/root.erofs" <(losetup -a)
        # A cart without one (made by hand: an empty tree).
        mkdir -p "$W/bare"
        mkfs.erofs --all-root --quiet "$W/bare.erofs" "$W/bare" >/dev/null
        cc_expect 125 "$CRASHCART" -i "$W/bare.erofs" --manifest
        [[ "$stderr" == *"has no manifest.json"* ]]
        cc_expect 125 "$CRASHCART" --manifest web
        [[ "$stderr" == *"--manifest takes no ID"* ]]
}

@test "an arm64 cart on this amd64 host, from the builder's own apt, never the host's" {
        local tree=$W/two/arm64
        run -0 as_nobody "$BUILD" -a arm64 -p "$W/packages" -o "$W/two/arm64.erofs" -k "$tree"
        [ "$(machine "$tree/bin/bash")" = AArch64 ]
        [ "$(machine "$tree/lib/cart-sh.so")" = AArch64 ]
        [ "$(machine "$tree/lib/cart-audit.so")" = AArch64 ]
        [ "$(machine "$tree/enter")" = AArch64 ]
        readelf -lW "$tree/bin/ls" | grep -q 'interpreter: /dev/crashcart/lib/ld-linux-aarch64.so.1]'
        jq -e '.architecture == "arm64" and ([.packages[].architecture] | all(. == "arm64" or . == "all"))' \
                "$tree/manifest.json"
        # Its apt: Debian's keyring, the builder's sources and state, none of /etc/apt.
        local apt
        apt=$(echo "$W"/cache/crashcart-build/apt/*_arm64_*)
        grep -q 'signed-by=/usr/share/keyrings/debian-archive-keyring' "$apt/etc/sources.list"
        [ ! -s "$apt/status" ]
        APT_CONFIG=$apt/apt.conf run -0 apt-config dump
        cc_refute grep -E '^(Dir::Etc::(parts|sourcelist|sourceparts|trustedparts)|Dir::State::status) "/etc/|/var/lib/dpkg' <<<"$output"
        # An unknown architecture or release: one line, status 1.
        run --separate-stderr as_nobody "$BUILD" -a riscv64 -p "$W/packages" -o "$W/two/x.erofs"
        [ "$status" = 1 ]
        [ "$stderr" = "crashcart-build: unknown architecture 'riscv64': amd64 or arm64" ]
        run --separate-stderr as_nobody "$BUILD" -r buster -p "$W/packages" -o "$W/two/x.erofs"
        [ "$status" = 1 ]
        [ "$stderr" = "crashcart-build: unknown release 'buster': bookworm or trixie" ]
}

@test "trixie, by name, whatever the host runs; as root, no download outside apt's sandbox" {
        local tree=$W/trixie
        mkdir -p "$W/rootcache"
        run -0 --separate-stderr "$BUILD" -r trixie -p "$W/packages" -o "$W/trixie.erofs" -c "$W/rootcache" -k "$tree"
        cc_refute grep -qi 'unsandboxed' <<<"$stderr"
        [ -z "$stderr" ]
        jq -e '.release == "trixie"' "$tree/manifest.json"
        jq -e '.components[] | select(.name == "libc6") | .purl | test("distro=debian-13$")' "$W/trixie.erofs.cdx.json"
        # The .debs were written by apt's sandbox user, as apt wants.
        [ "$(stat -c %U "$W/rootcache/debs/partial")" = _apt ]
}
