#!/bin/bash
# tests/oci/lifecycle.sh RUNT: the runc command-line contract, without an engine.
#
# Bundles of a busybox rootfs and a config.json from `RUNT spec` (or, while RUNT has no `spec`,
# from `runc spec`), adjusted with jq, in a fresh scratch root .cache/lifecycle-test/ (deleted
# afterwards). Every command but the default-root case passes `--root` a directory of its own.
# Containers go in cgroups under /runt-lifecycle-test/ (linux.cgroupsPath), checked empty at the end.
# Output: one `PASS name` / `FAIL name: why` line per case, then `N passed, N failed`.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 RUNT" >&2; exit 2; }
RUNT=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
[ -x "$RUNT" ] || { echo "$0: $1 is not an executable" >&2; exit 2; }
NAME=$(basename "$(realpath "$RUNT")") # what --version must mention
TOP=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
. "$TOP/tests/oci/lib.sh"
S=$TOP/.cache/lifecycle-test
ROOT=$S/state        # the runtime's --root
CGP=runt-lifecycle-test # parent of the containers' cgroups
T=20                 # seconds any single runtime command may take
BUDGET=240

[ "$(id -u)" = 0 ] || { echo "$0: must run as root" >&2; exit 2; }

# --- tools --------------------------------------------------------------------------------------------
need=()
command -v jq >/dev/null || need+=(jq)
[ -x /bin/busybox ] || need+=(busybox-static)
PY=/usr/bin/python3
[ -x $PY ] || PY=$(command -v python3 || true)
[ -n "$PY" ] || need+=(python3-minimal)
"$RUNT" spec --help >/dev/null 2>&1 || command -v runc >/dev/null || need+=(runc)
apt_install "${need[@]}"
[ -n "$PY" ] || PY=$(command -v python3)

# --- scratch root and clean-up --------------------------------------------------------------------
IDS=()   # every container id this test may have created, with the --root it used
PIDS=()  # every container pid seen
cleanup() {
    set +e
    delete_ids
    for p in ${PIDS[@]+"${PIDS[@]}"}; do
        # only if it still is one of ours: in a pid namespace of its own
        [ "$(readlink /proc/$p/ns/pid 2>/dev/null)" != "$(readlink /proc/self/ns/pid)" ] && kill -9 "$p" 2>/dev/null
    done
    [ -n "${RECV_PID:-}" ] && kill "$RECV_PID" 2>/dev/null
    findmnt -rn -o TARGET | grep -F "$S/" | sort -r | while read -r m; do umount -l "$m"; done
    rm -rf "$S"
    reap /sys/fs/cgroup/*/"$CGP" /sys/fs/cgroup/"$CGP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ -e "$S" ]; then cleanup; fi
mkdir -p "$S"/{state,state2,bundles,log,tmp}

# --- rootfs and the base config ------------------------------------------------------------------------
R=$S/rootfs
busybox_rootfs "$R"
echo 'user:x:1000:1000:user:/:/bin/sh' >>"$R/etc/passwd"
echo 'user:x:1000:' >>"$R/etc/group"
chmod 1777 "$R/tmp"
# the hook log directory, bind-mounted at the same path inside: a hook writes to the same file
# whether it runs in the host's mount namespace or in the container's
HL=$S/log
mkdir -p "$R$HL"

# run and got of its own, in place of lib.sh's: stdin from $IN, stdout as the runtime wrote it
run() { # CMD...: sets $rc, $out, $err; a timeout, stdin from /dev/null unless $IN names a file
    if [ $SECONDS -gt $BUDGET ]; then
        rc=124 out="" err="not run: the test's time budget (${BUDGET}s) is spent"
        return
    fi
    set +e
    timeout -k 5 $T "$@" >"$S/out" 2>"$S/err" <"${IN:-/dev/null}"
    rc=$?
    set -e
    out=$(cat "$S/out")
    err=$(tr '\n' ' ' <"$S/err" | head -c 400)
}
got() { printf 'exit %s, stdout "%s", stderr "%s"' "$rc" "$(printf '%s' "$out" | tr '\n' '|' | head -c 300)" "$err"; }
RR=("$RUNT" --root "$ROOT")

# `RUNT spec` when it exists, else `runc spec`
SPEC_FROM=$NAME
(cd "$S/tmp" && timeout 10 "$RUNT" spec >/dev/null 2>&1) || true
if [ -s "$S/tmp/config.json" ] && jq -e .ociVersion "$S/tmp/config.json" >/dev/null 2>&1; then
    cp "$S/tmp/config.json" "$S/base.json"
else
    SPEC_FROM=runc
    (cd "$S/tmp" && rm -f config.json && runc spec)
    cp "$S/tmp/config.json" "$S/base.json"
fi
rm -f "$S/tmp/config.json"

# bundle ID ARGS_JSON [JQ_FILTER]: $S/bundles/ID/config.json for a container of id ID; sets $B
bundle() {
    B=$S/bundles/$1
    mkdir -p "$B"
    jq --arg root "$R" --arg hl "$HL" --arg cg "/$CGP/$1" --argjson args "$2" '
        .root = {path: $root, readonly: true}
        | .process.terminal = false
        | .process.args = $args
        | .hostname = "runt-lc"
        | .linux.cgroupsPath = $cg
        | .linux.resources.pids = {limit: 100}
        | .mounts += [{destination: $hl, type: "bind", source: $hl, options: ["rbind", "rw"]}]
        | '"${3:-.}" "$S/base.json" >"$B/config.json"
}
# new ID [ROOT]: remember a container for the clean-up
gone() { # PID: it has exited (a zombie not yet reaped counts), polled up to 5 s
    for _ in $(seq 50); do
        [ -e "/proc/$1" ] || return 0
        grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
cgdir() { # PID CONTROLLER: the cgroup directory of PID for a v1 controller, else its v2 directory
    local line path mnt
    line=$(grep -E "^[0-9]+:([^:]*,)?$2(,[^:]*)?:" "/proc/$1/cgroup" || true)
    if [ -n "$line" ]; then
        path=${line#*:*:}
        mnt=$(findmnt -rn -t cgroup -o TARGET,OPTIONS | awk -v c="$2" '{n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) { print $1; exit }}')
    else
        path=$(grep '^0::' "/proc/$1/cgroup" | cut -d: -f3)
        mnt=$(findmnt -rn -t cgroup2 -o TARGET | head -n1)
    fi
    echo "$mnt$path"
}

# --- global commands --------------------------------------------------------------------------------
run "$RUNT" --version
if [ "$rc" = 0 ] && [[ "${out,,}" == *"$NAME"* ]] && [[ "$out" =~ spec:\ 1\.[0-9]+\.[0-9]+ ]]; then ok version; else bad version "want \"$NAME\" and \"spec: 1.x.y\", got $(got)"; fi

run "$RUNT" features
if [ "$rc" = 0 ] && printf '%s' "$out" | jq -e '(.ociVersionMin | type == "string") and (.ociVersionMax | type == "string") and (.hooks | type == "array")' >/dev/null 2>&1; then
    ok features
else
    bad features "want a JSON object with ociVersionMin, ociVersionMax, hooks: $(got)"
fi

run "$RUNT" checkpoint --help
if [ "$rc" != 0 ]; then ok checkpoint-unsupported; else bad checkpoint-unsupported "checkpoint --help exits 0: engines take that as checkpoint support"; fi

run "${RR[@]}" state nosuch
if [ "$rc" != 0 ] && [[ "$err" == *"does not exist"* ]]; then ok state-nosuch; else bad state-nosuch "want non-zero and \"does not exist\" on stderr, got $(got)"; fi

# engines that pass --log FILE --log-format json (containerd's shim, podman for a runtime named
# runc) read the error from FILE: one JSON object a line, the last error's "msg"
run "${RR[@]}" --log "$S/log.json" --log-format json state nosuch
if [ "$rc" != 0 ] && tail -n 1 "$S/log.json" 2>/dev/null | jq -e '.level == "error" and (.msg | contains("does not exist"))' >/dev/null 2>&1; then
    ok log-json
else
    bad log-json "want {\"level\":\"error\",\"msg\":\"...does not exist...\"} as the last line of --log, got $(got), log \"$(head -c 300 "$S/log.json" 2>/dev/null)\""
fi

if [ "$SPEC_FROM" = "$NAME" ]; then
    (cd "$S/tmp" && timeout 10 "$RUNT" spec --rootless >/dev/null 2>&1) || true
    if jq -e '.linux.uidMappings | length > 0' "$S/tmp/config.json" >/dev/null 2>&1; then ok spec; else bad spec "spec works, spec --rootless gives no uidMappings"; fi
else
    bad spec "'$NAME spec' does not write a config.json (the bundles here come from runc spec)"
fi

# --- the lifecycle: create, state, start, ps, list, exec, pause, update, events, kill, delete ------
bundle lc '["sleep","1000"]'
new lc
run "${RR[@]}" create --bundle "$B" --pid-file "$S/lc.pid" lc
if [ "$rc" = 0 ]; then ok create; else bad create "$(got)"; fi

run "${RR[@]}" state lc
pid=$(printf '%s' "$out" | jq -r '.pid // 0' 2>/dev/null || echo 0)
[ "$pid" -gt 0 ] 2>/dev/null && PIDS+=("$pid")
if [ "$rc" = 0 ] && printf '%s' "$out" | jq -e --arg b "$B" '.id == "lc" and .status == "created" and .pid > 0 and .bundle == $b and (.ociVersion | type == "string")' >/dev/null 2>&1 &&
    [ -d "/proc/$pid" ]; then
    ok state-created
else
    bad state-created "want {ociVersion, id: lc, status: created, pid: a live process, bundle: $B}, got $(got)"
fi
if [ "$pid" -gt 0 ] 2>/dev/null && [ "$(cat "$S/lc.pid" 2>/dev/null)" = "$pid" ]; then ok pid-file; else bad pid-file "want $pid in --pid-file, got \"$(cat "$S/lc.pid" 2>/dev/null)\""; fi

run "${RR[@]}" start lc
if [ "$rc" = 0 ] && [ "$(status lc)" = running ] && grep -q sleep "/proc/$pid/cmdline" 2>/dev/null; then ok start; else bad start "want status running and sleep running, got $(got), status $(status lc)"; fi

run "${RR[@]}" start lc
if [ "$rc" != 0 ] && [ "$(status lc)" = running ]; then ok start-twice-fails; else bad start-twice-fails "want a refusal of a running container, got $(got), status $(status lc)"; fi

run "${RR[@]}" ps --format json lc
if [ "$rc" = 0 ] && printf '%s' "$out" | jq -e --argjson p "$pid" 'type == "array" and index($p) != null' >/dev/null 2>&1; then ok ps-json; else bad ps-json "want a JSON array holding $pid, got $(got)"; fi

run "${RR[@]}" list
if [ "$rc" = 0 ] && printf '%s\n' "$out" | grep -qE "^lc[[:space:]]+${pid}[[:space:]]+running"; then ok list; else bad list "want a line \"lc $pid running ...\", got $(got)"; fi
run "${RR[@]}" list --format json
if [ "$rc" = 0 ] && printf '%s' "$out" | jq -e --argjson p "$pid" 'map(select(.id == "lc" and .status == "running" and .pid == $p)) | length == 1' >/dev/null 2>&1; then ok list-json; else bad list-json "want [{id: lc, status: running, pid: $pid, ...}], got $(got)"; fi

run "${RR[@]}" exec lc echo hi
if [ "$rc" = 0 ] && [ "$out" = hi ]; then ok exec; else bad exec "want \"hi\", got $(got)"; fi

run "${RR[@]}" exec --cwd /tmp --env A=B --user 1000 lc sh -c 'echo $A $PWD $(id -u)'
if [ "$rc" = 0 ] && [ "$out" = "B /tmp 1000" ]; then ok exec-options; else bad exec-options "want \"B /tmp 1000\", got $(got)"; fi

run "${RR[@]}" exec lc sh -c 'exit 6'
if [ "$rc" = 6 ]; then ok exec-status; else bad exec-status "want exit 6, got $(got)"; fi

cat >"$S/process.json" <<'EOF'
{"terminal": false, "user": {"uid": 0, "gid": 0}, "args": ["sh", "-c", "echo from process.json $X"],
 "env": ["PATH=/bin", "X=y"], "cwd": "/"}
EOF
run "${RR[@]}" exec --process "$S/process.json" lc
if [ "$rc" = 0 ] && [ "$out" = "from process.json y" ]; then ok exec-process; else bad exec-process "want \"from process.json y\", got $(got)"; fi

echo kept >"$S/exec-fd.txt"
run "${RR[@]}" exec --preserve-fds 1 lc sh -c 'cat <&3; [ -e /proc/$$/fd/4 ] && echo fd4-leaked; exit 0' 3<"$S/exec-fd.txt" 4<"$S/exec-fd.txt"
if [ "$rc" = 0 ] && [ "$out" = kept ]; then ok exec-preserve-fds; else bad exec-preserve-fds "want \"kept\" only, got $(got)"; fi

run "${RR[@]}" exec --pid-file "$S/exec.pid" lc true
if [ "$rc" = 0 ] && [ "$(cat "$S/exec.pid" 2>/dev/null)" -gt 0 ] 2>/dev/null; then ok exec-pid-file; else bad exec-pid-file "want a pid in --pid-file, got $(got), file \"$(cat "$S/exec.pid" 2>/dev/null)\""; fi

run "${RR[@]}" exec lc /nope
if [ "$rc" != 0 ] && [[ "$err" == */nope* ]]; then ok exec-missing; else bad exec-missing "want a failure naming /nope, got $(got)"; fi

# pause/resume: the freezer (v1 freezer.state, v2 cgroup.freeze)
fz=$(cgdir "$pid" freezer 2>/dev/null || true)
frozen() {
    if [ -f "$fz/freezer.state" ]; then cat "$fz/freezer.state"; elif [ -f "$fz/cgroup.events" ]; then
        grep -q '^frozen 1' "$fz/cgroup.events" && echo FROZEN || echo THAWED
    else echo "no freezer at $fz"; fi
}
run "${RR[@]}" pause lc
if [ "$rc" = 0 ] && [ "$(status lc)" = paused ] && [ "$(frozen)" = FROZEN ]; then
    run "${RR[@]}" resume lc
    if [ "$rc" = 0 ] && [ "$(status lc)" = running ] && [ "$(frozen)" = THAWED ]; then ok pause-resume; else bad pause-resume "after resume: $(got), status $(status lc), freezer $(frozen)"; fi
else
    bad pause-resume "after pause: $(got), status $(status lc), freezer $(frozen)"
    timeout 10 "${RR[@]}" resume lc >/dev/null 2>&1 || true
fi

pd=$(cgdir "$pid" pids 2>/dev/null || true)
echo '{"pids": {"limit": 42}}' >"$S/res.json"
run "${RR[@]}" update --resources "$S/res.json" lc
if [ "$rc" = 0 ] && [ "$(cat "$pd/pids.max" 2>/dev/null)" = 42 ]; then
    echo '{"pids": {"limit": 43}}' >"$S/res.json"
    IN=$S/res.json run "${RR[@]}" update --resources - lc
    if [ "$rc" = 0 ] && [ "$(cat "$pd/pids.max" 2>/dev/null)" = 43 ]; then ok update-resources; else bad update-resources "--resources - (stdin) 43: $(got), pids.max $(cat "$pd/pids.max" 2>/dev/null)"; fi
else
    bad update-resources "--resources FILE 42: $(got), $pd/pids.max: $(cat "$pd/pids.max" 2>/dev/null)"
fi

run "${RR[@]}" events --stats lc
if [ "$rc" = 0 ] && [ "$(printf '%s\n' "$out" | grep -c .)" = 1 ] && printf '%s' "$out" | jq -e '.type == "stats" and .id == "lc" and (.data | type == "object")' >/dev/null 2>&1; then
    ok events-stats
else
    bad events-stats "want one JSON object {type: stats, id: lc, data: {...}}, got $(got)"
fi

run "${RR[@]}" delete lc
if [ "$rc" != 0 ] && [ "$(status lc)" = running ]; then ok delete-running-fails; else bad delete-running-fails "want a refusal and lc still running, got $(got), status $(status lc)"; fi

run "${RR[@]}" kill lc KILL
if [ "$rc" = 0 ] && wait_status lc stopped; then ok kill; else bad kill "want status stopped after kill KILL, got $(got), status $(status lc)"; fi

run "${RR[@]}" kill lc KILL
if [ "$rc" != 0 ] && [ "$(status lc)" = stopped ]; then ok kill-stopped-fails; else bad kill-stopped-fails "want a refusal of a stopped container, got $(got), status $(status lc)"; fi

run "${RR[@]}" delete lc
if [ "$rc" = 0 ] && [ "$(status lc)" = none ] && gone "$pid"; then ok delete; else bad delete "want it gone, got $(got), status $(status lc)"; fi

# delete --force of a running container
bundle lcf '["sleep","1000"]'
new lcf
run "${RR[@]}" run --detach --bundle "$B" lcf
fpid=$(timeout 10 "${RR[@]}" state lcf 2>/dev/null | jq -r '.pid // 0' 2>/dev/null || echo 0)
[ "$fpid" -gt 0 ] 2>/dev/null && PIDS+=("$fpid")
if [ "$rc" = 0 ] && [ "$(status lcf)" = running ]; then
    run "${RR[@]}" delete --force lcf
    if [ "$rc" = 0 ] && [ "$(status lcf)" = none ] && gone "$fpid"; then ok delete-force; else bad delete-force "want it gone and $fpid dead, got $(got), status $(status lcf)"; fi
else
    bad delete-force "run --detach: $(got), status $(status lcf)"
fi

# kill with the default signal (SIGTERM) on a pid 1 that handles it: its trap says which signal
# came (a KILL would stop it too, saying nothing), and says when it is set
rm -f "$HL/lct.term" "$HL/lct.ready"
bundle lct "$(jq -cn --arg hl "$HL" '["sh","-c","trap \"echo TERM > \($hl)/lct.term; exit 0\" TERM; touch \($hl)/lct.ready; sleep 1000 & wait"]')"
new lct
run "${RR[@]}" run --detach --bundle "$B" lct
tpid=$(timeout 10 "${RR[@]}" state lct 2>/dev/null | jq -r '.pid // 0' 2>/dev/null || echo 0)
[ "$tpid" -gt 0 ] 2>/dev/null && PIDS+=("$tpid")
for _ in $(seq 100); do [ -e "$HL/lct.ready" ] && break; sleep 0.1; done
run "${RR[@]}" kill lct
if [ "$rc" = 0 ] && wait_status lct stopped && [ "$(cat "$HL/lct.term" 2>/dev/null)" = TERM ]; then ok kill-default-sigterm
else bad kill-default-sigterm "$(got), status $(status lct), the trap says '$(cat "$HL/lct.term" 2>/dev/null)' (want TERM)"; fi
timeout 10 "${RR[@]}" delete --force lct >/dev/null 2>&1 || true

# run in the foreground: the container's output and exit status, and nothing left
bundle lcr '["sh","-c","echo out; echo err >&2; exit 5"]'
new lcr
run "${RR[@]}" run --bundle "$B" lcr
if [ "$rc" = 5 ] && [ "$out" = out ] && [[ "$err" == *err* ]] && [ "$(status lcr)" = none ]; then ok run-foreground; else bad run-foreground "want exit 5, \"out\", \"err\" and no container left, got $(got), status $(status lcr)"; fi

# --preserve-fds N: descriptors 3 to 3+N-1 reach the command open, the ones after them do not;
# a descriptor that is not open is refused before anything is made
echo preserved >"$S/pf.txt"
bundle lpr '["sh","-c","cat <&3; for n in 4 5; do [ -e /proc/$$/fd/$n ] && echo fd$n-leaked; done; exit 0"]'
new lpr
run "${RR[@]}" run --bundle "$B" --preserve-fds 1 lpr 3<"$S/pf.txt" 4<"$S/pf.txt" 5<"$S/pf.txt"
why=""
[ "$rc" = 0 ] && [ "$out" = preserved ] || why="want \"preserved\" and no other descriptor, got $(got)"
new lpr2
run "${RR[@]}" run --bundle "$B" --preserve-fds 2 lpr2 3<"$S/pf.txt" 4<&-
want="runt: --preserve-fds 2: descriptor 4: Bad file descriptor "  # (run turns newlines into spaces)
[ "$rc" = 125 ] && [ "$err" = "$want" ] && [ "$(status lpr2)" = none ] ||
    why="${why:-want exit 125 and \"$want\", got $(got), status $(status lpr2)}"
bundle lpr3 '["sh","-c","[ -e /proc/$$/fd/3 ] && echo fd3-leaked; exit 0"]'
new lpr3
run "${RR[@]}" run --bundle "$B" lpr3 3<"$S/pf.txt"
[ "$rc" = 0 ] && [ -z "$out" ] || why="${why:-without --preserve-fds, want nothing on stdout, got $(got)}"
if [ -z "$why" ]; then ok preserve-fds; else bad preserve-fds "$why"; fi

# linux.devices: the node made with its type, numbers, fileMode (podman's form carries the type
# bits too) and owner
devs='[{"path":"/dev/kmsg2","type":"c","major":1,"minor":11,"fileMode":8608,"uid":7,"gid":8}]'
bundle lcn '["stat","-c","%F %t:%T %a %u:%g","/dev/kmsg2"]' ".linux.devices = $devs"
new lcn
run "${RR[@]}" run --bundle "$B" lcn
want="character special file 1:b 640 7:8"
if [ "$rc" = 0 ] && [ "$out" = "$want" ]; then ok device-node; else bad device-node "want \"$want\", got $(got)"; fi

# --root isolates state
bundle lci '["sleep","1000"]'
new lci "$S/state2"
run "$RUNT" --root "$S/state2" create --bundle "$B" lci
ipid=$(timeout 10 "$RUNT" --root "$S/state2" state lci 2>/dev/null | jq -r '.pid // 0' 2>/dev/null || echo 0)
[ "$ipid" -gt 0 ] 2>/dev/null && PIDS+=("$ipid")
why=""
[ "$rc" = 0 ] || why="create with --root state2: $(got)"
if [ -z "$why" ]; then
    run "${RR[@]}" state lci
    [ "$rc" != 0 ] || why="visible under the other --root"
fi
if [ -z "$why" ]; then
    run "${RR[@]}" list
    [[ "$out" != *lci* ]] || why="listed under the other --root: $(got)"
fi
if [ -z "$why" ]; then
    [ "$(status lci "$RUNT" --root "$S/state2")" = created ] || why="not created under its own --root"
fi
if [ -z "$why" ]; then
    run "$RUNT" --root "$S/state2" delete lci
    [ "$rc" = 0 ] || why="delete of a created container: $(got)"
fi
if [ -z "$why" ]; then ok root-isolation; else bad root-isolation "$why"; fi

# the default --root (podman calls state without --root)
bundle lcd '["sleep","1000"]'
dn=runt-lc-default-$$
new "$dn" ""
run "$RUNT" create --bundle "$B" "$dn"
dpid=$(timeout 10 "$RUNT" state "$dn" 2>/dev/null | jq -r '.pid // 0' 2>/dev/null || echo 0)
[ "$dpid" -gt 0 ] 2>/dev/null && PIDS+=("$dpid")
if [ "$rc" = 0 ] && [ "$(status "$dn" "$RUNT")" = created ]; then
    run "$RUNT" delete --force "$dn"
    if [ "$rc" = 0 ] && [ "$(status "$dn" "$RUNT")" = none ]; then ok default-root; else bad default-root "delete: $(got)"; fi
else
    bad default-root "create/state without --root: $(got)"
fi

# --- hooks: in order, each with the state on stdin ---------------------------------------------------
hook() { # NAME [THEN]: a hook appending "NAME <state JSON>" to the log, then running THEN
    jq -n --arg n "$1" --arg log "$HL/hooks" --arg more "${2:-:}" \
        '{path: "/bin/sh", args: ["sh", "-c", "printf \"%s %s\\n\" \"$0\" \"$(cat)\" >> \($log); \($more)", $n]}'
}
# a second poststart hook: the file the container's process runs (device:inode), as it sees it.
# It must be the command's, not runt's, however long the container takes to get there (its
# startContainer hook lingers): runtime-tools' poststart test can only race for this.
exe_hook=$(jq -n --arg out "$HL/exe" '{path: "/bin/sh", args: ["sh", "-c", "stat -L -c %d:%i /proc/$(jq .pid)/exe > \($out)"]}')
hooks=$(jq -n --argjson a "$(hook prestart)" --argjson b "$(hook createRuntime)" --argjson c "$(hook createContainer)" \
    --argjson d "$(hook startContainer "sleep 0.5")" --argjson e "$(hook poststart)" --argjson f "$(hook poststop)" \
    --argjson x "$exe_hook" \
    '{prestart: [$a], createRuntime: [$b], createContainer: [$c], startContainer: [$d], poststart: [$e, $x], poststop: [$f]}')
busybox_id=$(stat -L -c %d:%i "$R/bin/sleep")
bundle lch '["sleep","1000"]' ".hooks = $hooks"
new lch
rm -f "$HL/hooks"
order() { cut -d' ' -f1 "$HL/hooks" 2>/dev/null | tr '\n' ' ' | sed 's/ $//'; }
why=""
note() { [ -n "$why" ] || why=$1; } # keep the first failure; go on, so the container goes away
run "${RR[@]}" create --bundle "$B" lch
hpid=$(timeout 10 "${RR[@]}" state lch 2>/dev/null | jq -r '.pid // 0' 2>/dev/null || echo 0)
[ "$hpid" -gt 0 ] 2>/dev/null && PIDS+=("$hpid")
[ "$rc" = 0 ] || note "create: $(got)"
[ "$(order)" = "prestart createRuntime createContainer" ] || note "after create: \"$(order)\", want \"prestart createRuntime createContainer\""
rm -f "$HL/exe"
run "${RR[@]}" start lch
[ "$rc" = 0 ] || note "start: $(got)"
[ "$(cat "$HL/exe" 2>/dev/null)" = "$busybox_id" ] ||
    note "the poststart hook saw the container run \"$(cat "$HL/exe" 2>/dev/null)\", want its command's file ($busybox_id): the command had not been executed yet"
[ "$(order)" = "prestart createRuntime createContainer startContainer poststart" ] ||
    note "after start: \"$(order)\", want \"... createContainer startContainer poststart\" (poststart after the process started)"
run "${RR[@]}" delete --force lch
[ "$rc" = 0 ] || note "delete --force: $(got)"
[ "$(order)" = "prestart createRuntime createContainer startContainer poststart poststop" ] || note "after delete: \"$(order)\""
# every hook got the state: this container's id and bundle; a pid up to poststart; the status
# "created" in the create hooks (the runtime environment exists: runtime-spec's lifecycle, crun),
# "stopped" in poststop
while read -r n st; do
    printf '%s' "$st" | jq -e --arg b "$B" '.id == "lch" and .bundle == $b and (.ociVersion | type == "string")' >/dev/null 2>&1 ||
        { note "$n got no valid state on stdin: \"$st\""; break; }
    case $n in
    poststop) want='.status == "stopped"' ;;
    prestart | createRuntime | createContainer) want='.status == "created" and .pid > 0' ;;
    *) want='.pid > 0' ;;
    esac
    printf '%s' "$st" | jq -e "$want" >/dev/null 2>&1 || { note "$n: want $want in the state, got \"$st\""; break; }
done < <(cat "$HL/hooks" 2>/dev/null)
if [ -z "$why" ]; then ok hooks; else bad hooks "$why"; fi

# a startContainer hook that fails: start fails, and poststart never runs (it waits for the command)
failing=$(jq -n --argjson e "$(hook poststart)" '{startContainer: [{path: "/bin/false"}], poststart: [$e]}')
bundle lcf '["sleep","1000"]' ".hooks = $failing"
new lcf
rm -f "$HL/hooks"
why=""
run "${RR[@]}" create --bundle "$B" lcf
fpid=$(timeout 10 "${RR[@]}" state lcf 2>/dev/null | jq -r '.pid // 0' 2>/dev/null || echo 0)
[ "$fpid" -gt 0 ] 2>/dev/null && PIDS+=("$fpid")
[ "$rc" = 0 ] || note "create: $(got)"
# (not through run: the container still writes to the file create's stderr went to, $S/err)
serr=$(timeout -k 5 $T "${RR[@]}" start lcf 2>&1 >/dev/null </dev/null) && src=0 || src=$?
[ "$src" = 125 ] && grep -q "container lcf failed to start its command" <<<"$serr" ||
    note "start with a failing startContainer hook: exit $src, stderr \"$serr\", want 125 and \"failed to start\""
[ -z "$(order)" ] || note "hooks run after a failed start: \"$(order)\""
run "${RR[@]}" delete --force lcf
[ "$rc" = 0 ] || note "delete --force: $(got)"
if [ -z "$why" ]; then ok start-hook-failure; else bad start-hook-failure "$why"; fi

# a foreground run --bundle runs every hook, in order, around its command, and returns its status
bundle lcg '["sh","-c","exit 4"]' ".hooks = $hooks"
new lcg
rm -f "$HL/hooks"
why=""
run "${RR[@]}" run --bundle "$B" lcg
[ "$rc" = 4 ] || note "run: want exit 4, got $(got)"
[ "$(order)" = "prestart createRuntime createContainer startContainer poststart poststop" ] ||
    note "hooks of a foreground run: \"$(order)\", want \"prestart createRuntime createContainer startContainer poststart poststop\""
[ "$(status lcg)" = none ] || note "container left after run: $(status lcg)"
if [ -z "$why" ]; then ok run-foreground-hooks; else bad run-foreground-hooks "$why"; fi

# --- --console-socket: a pty master over SCM_RIGHTS ---------------------------------------------------
recv_py
created_pid() { # ID: sets $cpid to the pid `state` reports (0 if none), kept for the final clean-up
    cpid=$(timeout 10 "${RR[@]}" state "$1" 2>/dev/null | jq -r '.pid // 0' 2>/dev/null || echo 0)
    [ "$cpid" -gt 0 ] 2>/dev/null && PIDS+=("$cpid")
    return 0
}
bundle lcc '["sh","-c","tty; stty size"]' '.process.terminal = true | .process.consoleSize = {height: 24, width: 80}'
new lcc
listen "$S/console.sock" "$S/console.out"
why=""
run "${RR[@]}" create --bundle "$B" --console-socket "$S/console.sock" lcc
created_pid lcc
[ "$rc" = 0 ] || why="create --console-socket: $(got)"
if [ -z "$why" ]; then
    run "${RR[@]}" start lcc
    [ "$rc" = 0 ] || why="start: $(got)"
fi
if [ -z "$why" ]; then
    for _ in $(seq 50); do kill -0 "$RECV_PID" 2>/dev/null || break; sleep 0.1; done
fi
unlisten
c_out=$(cat "$S/console.out" 2>/dev/null)
if [ -z "$why" ]; then
    [[ "$c_out" == *$'\nFD '*ptmx* ]] || why="no pty master received: \"$(tr '\n' '|' <<<"$c_out")\" $(head -c 200 "$S/recv.err")"
fi
if [ -z "$why" ]; then
    [[ "$c_out" =~ /dev/pts/[0-9]+ ]] && [[ "$c_out" == *"24 80"* ]] || why="want /dev/pts/N and \"24 80\" (consoleSize) on the terminal, got \"$(tr '\n' '|' <<<"$c_out")\""
fi
timeout 10 "${RR[@]}" delete --force lcc >/dev/null 2>&1 || true
if [ -z "$why" ]; then ok console-socket; else bad console-socket "$why"; fi

# --- --pidfd-socket: a pidfd of the container's init over SCM_RIGHTS (containerd) --------------------
bundle lpf '["sleep","30"]'
new lpf
listen "$S/pidfd.sock" "$S/pidfd.out"
why=""
run "${RR[@]}" create --bundle "$B" --pidfd-socket "$S/pidfd.sock" lpf
[ "$rc" = 0 ] || why="create --pidfd-socket: $(got)"
created_pid lpf
for _ in $(seq 50); do grep -q '^Pid:' "$S/pidfd.out" 2>/dev/null && break; sleep 0.1; done
unlisten
p_out=$(cat "$S/pidfd.out" 2>/dev/null)
if [ -z "$why" ]; then
    [[ "$p_out" == *$'\nFD anon_inode:[pidfd]'* && "$p_out" == *$'\nPid: '"$cpid"* ]] ||
        why="want a pidfd of the container's init (pid $cpid), got \"$(tr '\n' '|' <<<"$p_out")\" $(head -c 200 "$S/recv.err")"
fi
timeout 10 "${RR[@]}" delete --force lpf >/dev/null 2>&1 || true
[ "$(status lpf)" = none ] || why="${why:-container left after delete --force: $(status lpf)}"
if [ -z "$why" ]; then ok pidfd-socket; else bad pidfd-socket "$why"; fi

# --- every linux.resources field lands in its cgroup file (this host: cgroup v1) --------------------
# blockIO.weight needs an I/O scheduler with weights (BFQ or CFQ); without one runt refuses it.
weight=null
ls /sys/fs/cgroup/blkio/blkio.bfq.weight /sys/fs/cgroup/blkio/blkio.weight >/dev/null 2>&1 && weight=300
bundle lres '["sleep","1000"]' '.linux.resources = {
    pids: {limit: 77},
    memory: {limit: 67108864, reservation: 33554432, swap: 134217728},
    cpu: {shares: 512, quota: 20000, period: 100000, cpus: "0", mems: "0"},
    blockIO: {weight: '"$weight"'},
    devices: [{allow: false, access: "rwm"}]
  }'
new lres
run "${RR[@]}" create --bundle "$B" lres
why=
if [ "$rc" != 0 ]; then
    why="create: $(got)"
elif [ -d /sys/fs/cgroup/pids ]; then
    for pair in "pids/pids.max=77" "memory/memory.limit_in_bytes=67108864" \
        "memory/memory.soft_limit_in_bytes=33554432" "memory/memory.memsw.limit_in_bytes=134217728" \
        "cpu/cpu.shares=512" "cpu/cpu.cfs_quota_us=20000" "cpu/cpu.cfs_period_us=100000" \
        "cpuset/cpuset.cpus=0" "cpuset/cpuset.mems=0"; do
        file=/sys/fs/cgroup/${pair%%/*}/$CGP/lres/${pair#*/}
        file=${file%=*}
        want=${pair#*=}
        # memsw exists only with swap accounting; blkio.weight only with the CFQ/BFQ scheduler.
        [ -e "$file" ] || { [[ $file == *memsw* ]] && continue; }
        have=$(cat "$file" 2>/dev/null)
        [ "$have" = "$want" ] || { why="$file is '$have', want '$want'"; break; }
    done
    for blk in /sys/fs/cgroup/blkio/$CGP/lres/blkio.bfq.weight /sys/fs/cgroup/blkio/$CGP/lres/blkio.weight; do
        [ -e "$blk" ] || continue
        if [ -z "$why" ] && ! grep -qw 300 "$blk"; then why="$blk is '$(cat "$blk")', want 300"; fi
        break
    done
    dev=/sys/fs/cgroup/devices/$CGP/lres/devices.list
    if [ -z "$why" ] && ! grep -qx 'c 1:3 rwm' "$dev" 2>/dev/null; then why="$dev lacks the default 'c 1:3 rwm': $(tr '\n' '|' <"$dev" 2>/dev/null)"; fi
else
    why="not a cgroup v1 host: the VM tests cover v2"
fi
timeout 10 "${RR[@]}" delete --force lres >/dev/null 2>&1 || true
if [ -z "$why" ]; then ok resources-v1-files; else bad resources-v1-files "$why"; fi

# --- a namespace path: setns into another container's uts namespace ---------------------------------
bundle lna '["sleep","1000"]' '.hostname = "ns-a"'
new lna
run "${RR[@]}" create --bundle "$B" lna
apid=$(timeout 10 "${RR[@]}" state lna 2>/dev/null | jq -r '.pid // 0' 2>/dev/null || echo 0)
[ "$apid" -gt 0 ] 2>/dev/null && PIDS+=("$apid")
if [ "$rc" = 0 ] && [ "$apid" -gt 0 ] 2>/dev/null; then
    bundle lnb '["hostname"]' "del(.hostname) | .linux.namespaces |= map(if .type == \"uts\" then .path = \"/proc/$apid/ns/uts\" else . end)"
    new lnb
    run "${RR[@]}" run --bundle "$B" lnb
    if [ "$rc" = 0 ] && [ "$out" = ns-a ]; then ok setns-path; else bad setns-path "want the other container's hostname ns-a, got $(got)"; fi
else
    bad setns-path "create of the first container: $(got)"
fi
timeout 10 "${RR[@]}" delete --force lna >/dev/null 2>&1 || true

# --- nothing left: state and cgroups -----------------------------------------------------------------
nothing_left

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
