#!/usr/bin/env bats
# kubectl crashcart (scripts/kubectl-crashcart), the kubectl plugin, and its
# completion (completion/kubectl_complete-crashcart), installed as make install
# puts them, on PATH beside a fake kubectl (tests/lib/fake-kubectl) that answers
# from `kubectl get pod -o json` documents (tests/fixtures/kubectl/NS/POD.json)
# through the real kubectl's template engine, offline, and records every call.
#
# No Kubernetes cluster runs here: what is tested is every decision the plugin
# makes (the node, the container and its ID, the errors, the pod spec it asks
# for, the exit status, the removal of its pod) against the kubectl it would
# talk to; not that a cluster runs that pod. No containers, no root.

# shellcheck disable=SC2034 # read by ../lib/bats
CC_NO_ROOT=1
load ../lib/bats

setup_file() {
        # The real kubectl, for its template engine (scripts/deps installs
        # Debian's kubernetes-client where no kubectl is).
        CC_REAL_KUBECTL=$(command -v kubectl) || {
                echo "kubectl.bats needs a kubectl for its templates: scripts/deps installs one" >&2
                return 1
        }
        export CC_REAL_KUBECTL
}

setup() {
        export CC_KUBECTL_FIXTURES=$CC_ROOT/tests/fixtures/kubectl
        export CC_KUBECTL_STATE=$BATS_TEST_TMPDIR/state
        mkdir -p "$CC_KUBECTL_STATE" "$BATS_TEST_TMPDIR/bin"
        : >"$CC_KUBECTL_STATE/calls"
        ln -s "$CC_ROOT/tests/lib/fake-kubectl/kubectl" "$BATS_TEST_TMPDIR/bin/kubectl"
        ln -s "$CC_ROOT/scripts/kubectl-crashcart" "$BATS_TEST_TMPDIR/bin/kubectl-crashcart"
        ln -s "$CC_ROOT/completion/kubectl_complete-crashcart" "$BATS_TEST_TMPDIR/bin/kubectl_complete-crashcart"
        export PATH=$BATS_TEST_TMPDIR/bin:$PATH
        export KUBECTL_CRASHCART_IMAGE=registry.example/crashcart:0.1.0
        unset CC_FAKE_EXIT CC_FAKE_CAT CC_FAKE_SLEEP CC_FAKE_FORBIDDEN
}

WEB=web-5d9c7b8f6d-q8mzt
WEB_APP=containerd://4f0c2a9e8b7d6c5f4e3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e
API=api-7f8d9c6b5-kx2lp
API_ID=cri-o://1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f

# calls VERB: the recorded kubectl calls whose words include VERB.
calls() { grep -E "(^|\|)$1(\||$)" "$CC_KUBECTL_STATE/calls" || true; }
overrides() { jq -c "$1" "$CC_KUBECTL_STATE/overrides.json"; }
# The pod that `run` made, and that the plugin must have removed.
no_pod_left() {
        local left
        left=$(find "$CC_KUBECTL_STATE/pods" -name '*.json' 2>/dev/null || true)
        [ -z "$left" ] || { echo "left: $left" >&2; return 1; }
}
# No crashcart pod was asked for.
no_run() {
        [ -z "$(calls run)" ] || { echo "ran: $(calls run)" >&2; return 1; }
}
# One line on stderr, kubectl's "error: ...".
one_error() {
        local n; n=$(printf '%s\n' "$stderr" | grep -c .)
        if [ "$n" != 1 ] || [[ "$stderr" != "error: "* ]] || [[ "$stderr" != *"$1"* ]]; then
                echo "expected one 'error: ...$1...' line, got: [$stderr]" >&2
                return 1
        fi
}

@test "--help: usage, every option the completion offers, exit 0" {
        cc_expect 0 kubectl-crashcart --help
        [[ "$output" == *"kubectl crashcart POD [-c CONTAINER] [options] [-- CMD [ARG...]]"* ]]
        local opts o
        opts=$(sed -n "s/^OPTIONS='\(.*\)'$/\1/p" "$CC_ROOT/scripts/kubectl-crashcart")
        [ -n "$opts" ]
        for o in $opts; do
                [[ "$output" == *" $o"[\ ,]* ]] || { echo "--help lacks $o" >&2; return 1; }
        done
}

@test "one container: crashcart's pod on the target's node, host PIDs, privileged, its ID as the argument" {
        cc_expect 0 kubectl-crashcart "$API"
        [ -z "$stderr" ]
        [ "$(overrides .spec.nodeName)" = '"node-2"' ]
        [ "$(overrides .spec.hostPID)" = true ]
        [ "$(overrides .spec.restartPolicy)" = '"Never"' ]
        [ "$(overrides .spec.tolerations)" = '[{"operator":"Exists"}]' ]
        [ "$(overrides .spec.automountServiceAccountToken)" = false ]
        [ "$(overrides '.spec.containers | length')" = 1 ]
        [ "$(overrides .spec.containers[0].image)" = '"registry.example/crashcart:0.1.0"' ]
        [ "$(overrides .spec.containers[0].securityContext)" = '{"privileged":true}' ]
        [ "$(overrides .spec.containers[0].args)" = "[\"$API_ID\"]" ]
        # stdin is no terminal here: stdin passed, no tty.
        [ "$(overrides .spec.containers[0].stdin)" = true ]
        [ "$(overrides .spec.containers[0].stdinOnce)" = true ]
        [ "$(overrides .spec.containers[0].tty)" = false ]
        # No hostPath: crashcart joins the host's mount namespace itself.
        [ "$(overrides '.spec.volumes // [] | length')" = 0 ]
        local run name
        run=$(calls run)
        [[ "$run" == *"|--restart=Never|"* ]]
        [[ "$run" == *"|--image=registry.example/crashcart:0.1.0|"* ]]
        [[ "$run" == *"|-i" ]]
        name=$(cut -d'|' -f3 <<<"$run")
        [[ "$name" == crashcart-api-7f8d9c6b5-kx2lp-* ]]
        [ "${#name}" -le 63 ]
        # The pod it made is removed, in the namespace it was made in.
        [ "$(calls delete)" = "kubectl|delete|pod|$name|--ignore-not-found|--wait=false" ]
        no_pod_left
}

@test "the pod spec is a Pod as kubectl decodes it: no field misspelled or dropped" {
        cc_expect 0 kubectl-crashcart "$API" -- ls /
        jq '. + {kind: "Pod", metadata: {name: "crashcart-x"}}' "$CC_KUBECTL_STATE/overrides.json" >"$BATS_TEST_TMPDIR/pod.json"
        HOME=$BATS_TEST_TMPDIR run -0 "$CC_REAL_KUBECTL" annotate --local -f "$BATS_TEST_TMPDIR/pod.json" none- -o json
        local decoded want
        decoded=$(jq -cS '.spec | del(.containers[0].resources, .containers[0].terminationMessagePath,
                .containers[0].terminationMessagePolicy)' <<<"$output")
        want=$(jq -cS .spec "$BATS_TEST_TMPDIR/pod.json")
        [ "$decoded" = "$want" ] || { echo "decoded: $decoded"; echo "asked:   $want"; return 1; }
}

@test "several containers, no -c: the first, and the others named as kubectl exec names them" {
        cc_expect 0 kubectl-crashcart "$WEB"
        [ "$stderr" = 'Defaulted container "app" out of: app, sidecar, debugger-7xk2p (ephem), init-db (init), proxy (init)' ]
        [ "$(overrides .spec.containers[0].args)" = "[\"$WEB_APP\"]" ]
        [ "$(overrides .spec.nodeName)" = '"node-1"' ]
        no_pod_left
}

@test "-c: another container, a running init container (a sidecar), an ephemeral container" {
        cc_expect 0 kubectl-crashcart "$WEB" -c sidecar
        [ -z "$stderr" ]
        [ "$(overrides '.spec.containers[0].args[0]')" = '"containerd://8d1e5f3a7b9c1d3e5f7a9b1c3d5e7f9a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e"' ]
        cc_expect 0 kubectl-crashcart --container=proxy "$WEB"
        [ "$(overrides '.spec.containers[0].args[0]')" = '"containerd://b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8"' ]
        cc_expect 0 kubectl-crashcart "$WEB" -cdebugger-7xk2p
        [ "$(overrides '.spec.containers[0].args[0]')" = '"containerd://e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4"' ]
        no_pod_left
}

@test "-c naming no container of the pod: an error listing them, nothing run" {
        cc_expect 125 kubectl-crashcart "$WEB" -c db
        one_error 'container db is not valid for pod web-5d9c7b8f6d-q8mzt out of: app, sidecar, debugger-7xk2p (ephem), init-db (init), proxy (init)'
        no_run
}

@test "an init container that has completed: not running, and containerd keeps nothing to examine" {
        cc_expect 125 kubectl-crashcart "$WEB" -c init-db
        one_error 'container init-db (init) of pod web-5d9c7b8f6d-q8mzt is not running (terminated: Completed, exit code 0)'
        [[ "$stderr" == *"(docker://), not containerd://" ]]
        no_run
}

@test "the default-container annotation, in another namespace; crashcart's pod in a third with --pod-namespace" {
        cc_expect 0 kubectl-crashcart -n shop cart-0
        [ -z "$stderr" ]
        [ "$(overrides '.spec.containers[0].args[0]')" = '"docker://3c5e7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b3d5f"' ]
        [ "$(overrides .spec.nodeName)" = '"node-3"' ]
        [[ "$(calls run)" == "kubectl|run|crashcart-cart-0-"*"|-n|shop|"* ]]
        : >"$CC_KUBECTL_STATE/calls"
        cc_expect 0 kubectl-crashcart cart-0 --namespace shop --pod-namespace debug -c metrics
        [ "$(overrides '.spec.containers[0].args[0]')" = '"docker://7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b"' ]
        [[ "$(calls get | head -1)" == "kubectl|get|pod|cart-0|-n|shop|"* ]]
        [[ "$(calls run)" == "kubectl|run|crashcart-cart-0-"*"|-n|debug|"* ]]
        [[ "$(calls delete)" == "kubectl|delete|pod|crashcart-cart-0-"*"|-n|debug|"* ]]
        no_pod_left
}

@test "a pod that does not exist: kubectl's own error, nothing run" {
        cc_expect 125 kubectl-crashcart web-0
        [ "$stderr" = 'Error from server (NotFound): pods "web-0" not found' ]
        no_run
        cc_expect 125 kubectl-crashcart -n shop "$WEB"
        [ "$stderr" = "Error from server (NotFound): pods \"$WEB\" not found" ]
}

@test "a pod not scheduled to a node: an error, nothing run" {
        cc_expect 125 kubectl-crashcart ingest-7d9f8b6c5-hx4pl
        one_error 'pod ingest-7d9f8b6c5-hx4pl is not scheduled to a node (Pending): none of its containers has started'
        no_run
}

@test "a container still being created: an error, nothing run" {
        cc_expect 125 kubectl-crashcart search-59b7c6d8f4-m3n7q
        one_error 'container search of pod search-59b7c6d8f4-m3n7q is not running (waiting: ContainerCreating), and has never run'
        no_run
}

@test "containerd, crash-looping or completed: not running, no post-mortem there, nothing run" {
        cc_expect 125 kubectl-crashcart worker-6b7c8d9f5-zt4wq
        one_error 'container worker of pod worker-6b7c8d9f5-zt4wq is not running (waiting: CrashLoopBackOff)'
        [[ "$stderr" == *"not containerd://" ]]
        cc_expect 125 kubectl-crashcart report-28981440-6xw9z
        one_error 'container report of pod report-28981440-6xw9z is not running (terminated: Completed, exit code 0)'
        no_run
}

@test "Docker, crash-looping: its last instance, post-mortem" {
        cc_expect 0 kubectl-crashcart -n shop legacy-6b7c8d9f5-zt4wq -- ls /
        [ "$stderr" = 'note: container legacy of pod legacy-6b7c8d9f5-zt4wq is not running (waiting: CrashLoopBackOff): crashcart examines docker://0c2e4a6c8e0a2c4e6a8c0e2a4c6e8a0c2e4a6c8e0a2c4e6a8c0e2a4c6e8a0c2e post-mortem' ]
        [ "$(overrides .spec.containers[0].args)" = '["docker://0c2e4a6c8e0a2c4e6a8c0e2a4c6e8a0c2e4a6c8e0a2c4e6a8c0e2a4c6e8a0c2e","--","ls","/"]' ]
        no_pod_left
}

@test "the command's exit status passes through; the command's words reach crashcart intact" {
        export CC_FAKE_EXIT=3
        cc_expect 3 kubectl-crashcart "$API" -- sh -c 'exit 3'
        [ "$(overrides .spec.containers[0].args)" = "[\"$API_ID\",\"--\",\"sh\",\"-c\",\"exit 3\"]" ]
        no_pod_left
        export CC_FAKE_EXIT=0
        local odd=$'a "quoted" \\back\tslash\nnewline \001ctl é'
        cc_expect 0 kubectl-crashcart "$API" -- printf '%s' "$odd" -x
        run -0 jq -r '.spec.containers[0].args[4]' "$CC_KUBECTL_STATE/overrides.json"
        [ "$output" = "$odd" ]
        [ "$(overrides '.spec.containers[0].args[5]')" = '"-x"' ]
}

@test "stdin reaches the command; -t asks for a terminal" {
        export CC_FAKE_CAT=1
        # shellcheck disable=SC2016 # $1 is the inner shell's
        run -0 --separate-stderr bash -c 'echo "through stdin" | kubectl-crashcart "$1" -- cat' _ "$API"
        [ "$output" = "through stdin" ]
        cc_expect 0 kubectl-crashcart -t "$API" </dev/null
        [ "$(overrides .spec.containers[0].tty)" = true ]
        [[ "$(calls run)" == *"|-i|-t" ]]
}

@test "kubectl cannot make crashcart's pod (Pod Security): kubectl's error, 125" {
        export CC_FAKE_FORBIDDEN=1
        cc_expect 125 kubectl-crashcart "$API"
        [[ "$stderr" == 'Error from server (Forbidden): pods "crashcart-api-'*'" is forbidden: violates PodSecurity'* ]]
        no_pod_left
}

@test "--context and --kubeconfig go to every kubectl the plugin runs" {
        cc_expect 0 kubectl-crashcart --context prod-eu "$API" --kubeconfig=/etc/kube/prod.conf
        local n
        n=$(grep -c . "$CC_KUBECTL_STATE/calls")
        [ "$n" = 4 ]        # the target, run, its exit status, delete
        [ "$(grep -c '^kubectl|--context=prod-eu|--kubeconfig=/etc/kube/prod.conf|' "$CC_KUBECTL_STATE/calls")" = 4 ]
}

@test "interrupted while attached (SIGINT, SIGTERM): kubectl stopped, crashcart's pod removed, 128+N" {
        export CC_FAKE_SLEEP=60
        local sig want pid kpid
        for sig in INT TERM; do
                : >"$CC_KUBECTL_STATE/calls"
                rm -f "$CC_KUBECTL_STATE/running"
                # A background job of a script ignores SIGINT: give the plugin
                # the default disposition an interactive shell's job has.
                env --default-signal=INT kubectl-crashcart "$API" </dev/null >/dev/null 2>&1 &
                pid=$!
                for _ in $(seq 100); do [ -e "$CC_KUBECTL_STATE/running" ] && break; sleep 0.05; done
                [ -e "$CC_KUBECTL_STATE/running" ]
                kpid=$(cat "$CC_KUBECTL_STATE/running")
                kill -"$sig" "$pid"
                status=0
                wait "$pid" || status=$?
                want=130; [ "$sig" = TERM ] && want=143
                [ "$status" = "$want" ] || { echo "SIG$sig: status $status, not $want" >&2; return 1; }
                [[ "$(calls delete)" == "kubectl|delete|pod|crashcart-api-"* ]]
                no_pod_left
                # The kubectl it attached with is gone too (or a zombie, not yet
                # collected by whoever inherited it).
                [ ! -e "/proc/$kpid" ] || [ "$(awk '{print $3}' "/proc/$kpid/stat")" = Z ]
        done
}

@test "usage errors: one line and a hint, 125" {
        cc_expect 125 kubectl-crashcart
        [[ "$stderr" == "error: a pod name is required"* ]]
        [[ "$stderr" == *"See 'kubectl crashcart --help' for usage." ]]
        cc_expect 125 kubectl-crashcart --frobnicate "$API"
        [[ "$stderr" == "error: unknown flag: --frobnicate"* ]]
        cc_expect 125 kubectl-crashcart "$API" ls /
        [[ "$stderr" == "error: one pod at a time, and a command after '--'"* ]]
        cc_expect 125 kubectl-crashcart "$API" -c
        [[ "$stderr" == "error: flag needs an argument: -c"* ]]
        cc_expect 125 kubectl-crashcart deploy/web
        [[ "$stderr" == "error: only pods: not 'deploy/web'"* ]]
        unset KUBECTL_CRASHCART_IMAGE
        cc_expect 125 kubectl-crashcart "$API"
        [[ "$stderr" == "error: no image for crashcart's pod: give --image"* ]]
        [ -z "$(cat "$CC_KUBECTL_STATE/calls")" ]
        cc_expect 0 kubectl-crashcart "pod/$API" --image=registry.example/crashcart:0.2
        [ "$(overrides .spec.containers[0].image)" = '"registry.example/crashcart:0.2"' ]
}

@test "completion through kubectl_complete-crashcart: pods, containers, namespaces, contexts, options" {
        cc_expect 0 kubectl_complete-crashcart ''
        [ "$output" = "$(printf '%s\n' api-7f8d9c6b5-kx2lp ingest-7d9f8b6c5-hx4pl report-28981440-6xw9z \
                search-59b7c6d8f4-m3n7q web-5d9c7b8f6d-q8mzt worker-6b7c8d9f5-zt4wq :4)" ]
        cc_expect 0 kubectl_complete-crashcart -n shop l
        [ "$output" = "$(printf '%s\n' legacy-6b7c8d9f5-zt4wq :4)" ]
        cc_expect 0 kubectl_complete-crashcart "$WEB" -c ''
        [ "$output" = "$(printf '%s\n' app sidecar debugger-7xk2p init-db proxy :4)" ]
        cc_expect 0 kubectl_complete-crashcart "$WEB" --container s
        [ "$output" = "$(printf '%s\n' sidecar :4)" ]
        cc_expect 0 kubectl_complete-crashcart "$WEB" -n ''
        [ "$output" = "$(printf '%s\n' default shop :4)" ]
        cc_expect 0 kubectl_complete-crashcart --context ''
        [ "$output" = "$(printf '%s\n' prod-eu staging :4)" ]
        cc_expect 0 kubectl_complete-crashcart "$WEB" --cont
        [ "$output" = "$(printf '%s\n' --container --context :4)" ]
        # After the pod, no more pods; after '--', the command's words: nothing.
        cc_expect 0 kubectl_complete-crashcart "$WEB" ''
        [ "$output" = ":4" ]
        cc_expect 0 kubectl_complete-crashcart "$WEB" -- ''
        [ "$output" = ":4" ]
        # --context reaches the kubectl that lists.
        cc_expect 0 kubectl_complete-crashcart --context staging ''
        grep -q '^kubectl|--context|staging|get|pods|' "$CC_KUBECTL_STATE/calls"
}

@test "the README's DaemonSet is one as kubectl decodes it: host PIDs, privileged, --idle, every node" {
        awk '/^```yaml$/ { y = 1; buf = ""; next } y && /^```$/ { if (buf ~ /kind: DaemonSet/) printf "%s", buf; y = 0; next }
                y { buf = buf $0 "\n" }' "$CC_ROOT/README.md" >"$BATS_TEST_TMPDIR/ds.yaml"
        grep -q 'kind: DaemonSet' "$BATS_TEST_TMPDIR/ds.yaml"
        HOME=$BATS_TEST_TMPDIR run -0 "$CC_REAL_KUBECTL" annotate --local -f "$BATS_TEST_TMPDIR/ds.yaml" none- -o json
        local spec
        spec=$(jq -c .spec.template.spec <<<"$output")
        [ "$(jq -c .hostPID <<<"$spec")" = true ]
        [ "$(jq -c .tolerations <<<"$spec")" = '[{"operator":"Exists"}]' ]
        [ "$(jq -c '.containers[0].args' <<<"$spec")" = '["--idle"]' ]
        [ "$(jq -c '.containers[0].securityContext' <<<"$spec")" = '{"privileged":true}' ]
        [ "$(jq -c '.containers[0].resources.requests' <<<"$spec")" = '{"cpu":"1m","memory":"4Mi"}' ]
        [ "$(jq -c '.volumes // [] | length' <<<"$spec")" = 0 ]
        [ "$(jq -c .automountServiceAccountToken <<<"$spec")" = false ]
}
