#!/bin/bash
# shellcheck disable=SC2015 # "A && B || note ...": note never fails, so it runs exactly when A or B fails
# tests/oci/semantics.sh RUNT PROBE: runtime-spec semantics engines rely on (issue 12): the hooks
# (where each runs, what it gets on stdin and in its environment, failures, hooks that do not read
# their state) and namespaces joined by path (the mount namespace included); the seccomp agent
# is tests/seccomp_notify.rs's. Each case checks what a user or an engine sees,
# and the host side: no mount left in the host's table.
#
# Everything lives in a fresh scratch root, .cache/semantics-test/ (deleted afterwards; not under
# /tmp, which a container's staged root would hide from nothing but is not the point here);
# commands pass `--root` a directory of their own. Containers go in cgroups under
# /runt-semantics-test/ (linux.cgroupsPath). PROBE (tests/probe, static) is copied into the
# rootfs as /probe for the cases that need more than busybox.
# Output: one `PASS name` / `FAIL name: why` line per case, then `N passed, N failed`.
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 RUNT PROBE" >&2; exit 2; }
RUNT=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
[ -x "$RUNT" ] || { echo "$0: $1 is not an executable" >&2; exit 2; }
[ -x "$2" ] || { echo "$0: $2 is not an executable (make probe)" >&2; exit 2; }
PROBE=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
TOP=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
. "$TOP/tests/oci/lib.sh"
S=$TOP/.cache/semantics-test
ROOT=$S/state          # the runtime's --root
CGP=runt-semantics-test # parent of the containers' cgroups
T=20                   # seconds any single runtime command may take
BUDGET=240

[ "$(id -u)" = 0 ] || { echo "$0: must run as root" >&2; exit 2; }

# --- tools --------------------------------------------------------------------------------------------
need=()
command -v jq >/dev/null || need+=(jq)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v nsenter >/dev/null || need+=(util-linux)
PY=/usr/bin/python3
[ -x $PY ] || PY=$(command -v python3 || true)
[ -n "$PY" ] || need+=(python3-minimal)
apt_install "${need[@]}"
[ -n "$PY" ] || PY=$(command -v python3)

# --- scratch root and clean-up --------------------------------------------------------------------
IDS=()  # every container id this test may have created (all under $ROOT)
BG=()   # background helpers (namespace holders, socket listeners)
cleanup() {
    set +e
    local p
    delete_ids
    for p in ${BG[@]+"${BG[@]}"}; do kill -9 "$p" 2>/dev/null; done
    findmnt -rn -o TARGET | grep -F "$S/" | sort -r | while read -r m; do umount -l "$m"; done
    rm -rf "$S"
    reap /sys/fs/cgroup/*/"$CGP" /sys/fs/cgroup/"$CGP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ -e "$S" ]; then cleanup; fi
mkdir -p "$S"/{state,bundles,log,tmp}
# what is mounted under the scratch root in the host's mount namespace (other people's containers
# come and go elsewhere on this host)
our_mounts() { findmnt -rn -o TARGET | grep -F "$S/" | sort | tr '\n' ' ' || true; }

# --- rootfs, the base config and helpers --------------------------------------------------------------
R=$S/rootfs
busybox_rootfs "$R"
cp "$PROBE" "$R/probe"
echo in-the-rootfs >"$R/etc/marker"
# the log directory, bound into every container at the same path: a hook writes to the same file
# wherever it runs
HL=$S/log
mkdir -p "$R$HL"
RR=("$RUNT" --root "$ROOT")

(cd "$S/tmp" && "$RUNT" spec && jq 'del(.process.capabilities.ambient)' config.json >"$S/base.json")
rm -f "$S/tmp/config.json"

# bundle ID ARGS_JSON [JQ_FILTER]: $S/bundles/ID/config.json for a container of id ID; sets $B
bundle() {
    B=$S/bundles/$1
    mkdir -p "$B"
    jq --arg root "$R" --arg hl "$HL" --arg cg "/$CGP/$1" --argjson args "$2" '
        .root = {path: $root, readonly: true}
        | .process.terminal = false
        | .process.args = $args
        | .linux.cgroupsPath = $cg
        | .mounts += [{destination: $hl, type: "bind", source: $hl, options: ["rbind", "rw"]}]
        | '"${3:-.}" "$S/base.json" >"$B/config.json"
}
pid_of() { timeout 10 "${RR[@]}" state "$1" 2>/dev/null | jq -r '.pid // 0' 2>/dev/null || echo 0; }
why=""
note() { [ -n "$why" ] || why=$1; } # keep a case's first failure; go on, so its containers go away
verdict() { # NAME: PASS or FAIL with the first failure noted, and a fresh start for the next case
    if [ -z "$why" ]; then ok "$1"; else bad "$1" "$why"; fi
    why=""
}
gone_id() { # ID: delete --force, and note a container left behind
    timeout 10 "${RR[@]}" delete --force "$1" >/dev/null 2>&1 || true
    [ "$(status "$1")" = none ] || note "container $1 left after delete --force: $(status "$1")"
}
# hook NAME [SCRIPT]: a hook running `sh -c SCRIPT NAME` (default: record its stdin, environment,
# mount namespace and working directory as $HL/NAME.*)
record='cat >"$L/$0.state"; env >"$L/$0.env"; readlink /proc/self/ns/mnt >"$L/$0.mnt"; pwd >"$L/$0.cwd"'
hook() {
    jq -n --arg n "$1" --arg s "L=$HL; ${2:-$record}" '{path: "/bin/sh", args: ["sh", "-c", $s, $n]}'
}
hooks() { # KIND=HOOK_JSON...: a .hooks object with each HOOK appended to the list KIND
    local h='{}' kv
    for kv in "$@"; do h=$(jq --arg k "${kv%%=*}" --argjson v "${kv#*=}" '.[$k] += [$v]' <<<"$h"); done
    echo "$h"
}
field() { jq -r "$2" "$HL/$1.state" 2>/dev/null || echo "(no state)"; } # HOOK JQ

# === 1. what each hook gets (issue 12 item 4) =======================================================
# Its state on stdin: runtime-spec's lifecycle has the container created once the runtime
# environment is (step 2), before prestart, createRuntime and createContainer run, so all three
# see "created", as crun and runtime-tools' hooks_stdin want (runc says "creating"); a hook in
# the container's namespaces sees the pid as the container sees it (1), a hook in runt's the
# host's (runtime-spec, "State"). A hook without `env` inherits runt's environment, as runc and
# crun run them; startContainer runs as the container's process would, with its environment.
rm -f "$HL"/*
bundle hk '["sleep","1000"]' ".hooks = $(hooks "prestart=$(hook prestart)" "createRuntime=$(hook createRuntime)" \
    "createContainer=$(hook createContainer)" "startContainer=$(hook startContainer)" \
    "poststart=$(hook poststart)" "poststop=$(hook poststop)" \
    "prestart=$(jq -n --arg s "env >$HL/own-env" '{path: "/bin/sh", args: ["sh", "-c", $s], env: ["OWN=1"]}')")
    | .process.env = [\"PATH=/bin\", \"IN_CONTAINER=1\"] | .annotations = {\"org.example\": \"v\"}"
new hk
run env RUNT_HOOK_TEST=from-runt "${RR[@]}" create --bundle "$B" hk
[ "$rc" = 0 ] || note "create: $(got)"
pid=$(pid_of hk)
run env RUNT_HOOK_TEST=from-runt "${RR[@]}" start hk
[ "$rc" = 0 ] || note "start: $(got)"
run env RUNT_HOOK_TEST=from-runt "${RR[@]}" delete --force hk
[ "$rc" = 0 ] || note "delete: $(got)"
for h in prestart createRuntime createContainer startContainer poststart poststop; do
    case $h in
    prestart | createRuntime) want="created $pid" ;;
    createContainer | startContainer) want="created 1" ;;
    poststart) want="running $pid" ;;
    poststop) want="stopped" ;;
    esac
    got_state=$(field $h '[.status, (.pid // empty | tostring)] | join(" ") | rtrimstr(" 0")')
    [ "$got_state" = "$want" ] || note "$h: status and pid \"$got_state\", want \"$want\" ($(cat "$HL/$h.state" 2>/dev/null))"
    [ "$(field $h '.id + " " + .bundle + " " + .annotations["org.example"]')" = "hk $B v" ] ||
        note "$h: id, bundle or annotations wrong: $(cat "$HL/$h.state" 2>/dev/null)"
    case $h in
    startContainer) grep -qx IN_CONTAINER=1 "$HL/$h.env" 2>/dev/null && ! grep -q RUNT_HOOK_TEST "$HL/$h.env" ||
        note "startContainer: want the container's environment, got: $(tr '\n' ' ' <"$HL/$h.env" 2>/dev/null)" ;;
    *) grep -qx RUNT_HOOK_TEST=from-runt "$HL/$h.env" 2>/dev/null ||
        note "$h: want runt's environment (RUNT_HOOK_TEST), got: $(tr '\n' ' ' <"$HL/$h.env" 2>/dev/null | head -c 200)" ;;
    esac
done
[ "$(grep -v -e '^PWD=' -e '^SHLVL=' -e '^_=' "$HL/own-env" 2>/dev/null)" = OWN=1 ] ||
    note "a hook with env [\"OWN=1\"]: got $(tr '\n' ' ' <"$HL/own-env" 2>/dev/null)"
verdict hooks-state-and-environment

# === 2. a failing poststart or poststop hook does not stop the ones after it ========================
# runtime-spec: a poststart or poststop failure is logged and the remaining hooks still run.
rm -f "$HL"/*
mark='echo "$0" >>"$L/ran"'
bundle hf '["sleep","1000"]' ".hooks = $(hooks "poststart=$(hook ps1 "$mark; exit 3")" "poststart=$(hook ps2 "$mark")" \
    "poststop=$(hook pp1 "$mark; exit 4")" "poststop=$(hook pp2 "$mark")")"
new hf
run "${RR[@]}" create --bundle "$B" hf
[ "$rc" = 0 ] || note "create: $(got)"
run "${RR[@]}" start hf
[ "$rc" = 0 ] && [[ "$err" == *"poststart hook /bin/sh: exit status 3"* ]] ||
    note "start with a failing first poststart hook: want exit 0 and a warning naming it, got $(got)"
[ "$(status hf)" = running ] || note "after start: $(status hf), want running"
run "${RR[@]}" delete --force hf
[ "$rc" = 0 ] && [[ "$err" == *"poststop hook /bin/sh: exit status 4"* ]] ||
    note "delete with a failing first poststop hook: want exit 0 and a warning naming it, got $(got)"
[ "$(tr '\n' ' ' <"$HL/ran" 2>/dev/null)" = "ps1 ps2 pp1 pp2 " ] ||
    note "hooks that ran: \"$(tr '\n' ' ' <"$HL/ran" 2>/dev/null)\", want \"ps1 ps2 pp1 pp2 \""
[ "$(status hf)" = none ] || note "left after delete: $(status hf)"
verdict hooks-failure-runs-the-rest

# === 3. a hook that exits without reading its state ==================================================
# The state (with a 100 kB annotation: more than a pipe holds) is written into a pipe nobody will
# read: runt must take the broken pipe as "not read", for every kind of hook and every command that
# runs them (create, start, delete, and a foreground run), rather than die of SIGPIPE.
rm -f "$HL"/*
head -c 100000 /dev/zero | tr '\0' x >"$S/big"
big_state() { jq --rawfile big "$S/big" '.annotations = {big: $big}' "$B/config.json" >"$B/c" && mv "$B/c" "$B/config.json"; }
skip='exec 0<&-; echo "$0" >>"$L/ran"'
all_skip=$(hooks "prestart=$(hook prestart "$skip")" "createRuntime=$(hook createRuntime "$skip")" \
    "createContainer=$(hook createContainer "$skip")" "startContainer=$(hook startContainer "$skip")" \
    "poststart=$(hook poststart "$skip")" "poststop=$(hook poststop "$skip")")
bundle hp '["sleep","1000"]' ".hooks = $all_skip"
big_state
new hp
run "${RR[@]}" create --bundle "$B" hp
[ "$rc" = 0 ] || note "create: $(got)"
run "${RR[@]}" start hp
[ "$rc" = 0 ] || note "start: $(got)"
[ "$(status hp)" = running ] || note "after start: $(status hp), want running"
run "${RR[@]}" delete --force hp
[ "$rc" = 0 ] || note "delete: $(got)"
want="prestart createRuntime createContainer startContainer poststart poststop "
[ "$(tr '\n' ' ' <"$HL/ran" 2>/dev/null)" = "$want" ] ||
    note "create, start, delete: hooks that ran \"$(tr '\n' ' ' <"$HL/ran" 2>/dev/null)\", want \"$want\""
[ -z "$err" ] || note "a hook that does not read its state is no error: delete said \"$err\""
rm -f "$HL/ran"
bundle hp2 '["sh","-c","exit 7"]' ".hooks = $all_skip"
big_state
new hp2
run "${RR[@]}" run --bundle "$B" hp2
[ "$rc" = 7 ] || note "foreground run: want the command's exit 7, got $(got)"
[ "$(tr '\n' ' ' <"$HL/ran" 2>/dev/null)" = "$want" ] ||
    note "foreground run: hooks that ran \"$(tr '\n' ' ' <"$HL/ran" 2>/dev/null)\", want \"$want\""
verdict hooks-that-do-not-read-their-state

# === 4. createContainer (and prestart) before pivot_root (issue 12 item 12) ===========================
# runtime-spec: createContainer hooks run in the container's mount namespace after the mounts and
# before pivot_root, so they see the host's tree and can add to the container's: here one binds a
# host directory onto the rootfs's /mnt through the rootfs's host path, and a prestart hook does
# the same through the container's mount namespace (nsenter, as GPU hooks do) onto /opt.
rm -f "$HL"/*
mkdir -p "$S/hostdir" "$R/opt" "$R/mnt"
echo from-the-host >"$S/hostdir/file"
cc='readlink /proc/self/ns/mnt >"$L/cc.mnt"; mount --bind '$S/hostdir' '$R'/mnt'
pre='pid=$(sed -n "s/.*\"pid\":\([0-9]*\).*/\1/p"); nsenter --mount=/proc/$pid/ns/mnt mount --bind '$S/hostdir' '$R'/opt'
bundle cc '["sh","-c","cat /mnt/file /opt/file; readlink /proc/self/ns/mnt"]' \
    ".hooks = $(hooks "createContainer=$(hook cc "$cc")" "prestart=$(hook pre "$pre")")"
new cc
run "${RR[@]}" run --bundle "$B" cc
[ "$rc" = 0 ] || note "run: $(got)"
[ "$(head -n 2 <<<"$out" | tr '\n' ' ')" = "from-the-host from-the-host " ] ||
    note "the container does not see what its createContainer and prestart hooks bound into its root: $(got)"
[ "$(tail -n 1 <<<"$out")" = "$(cat "$HL/cc.mnt" 2>/dev/null)" ] ||
    note "the createContainer hook ran in mount namespace $(cat "$HL/cc.mnt" 2>/dev/null), the container in $(tail -n 1 <<<"$out")"
[ -z "$(our_mounts)" ] || note "mounts left in the host's namespace: $(our_mounts)"
verdict create-container-hooks-before-pivot-root

# === 4b. hooks run with the container in its cgroup ==================================================
# A createContainer hook (no prestart or createRuntime before it) runs once the container is in
# its cgroup, so what it starts is limited and removed with the container; and no hook runs for
# a container whose cgroup cannot be made. Without a cgroup mount or a pid namespace, where runt
# makes the cgroup while the child builds the root, this went wrong in 38 of 40 runs before
# (and the first check in about 1 in 6 runs of older runts): 5 and 10 tries.
rm -f "$HL"/*
cgline='grep -E "^[0-9]+:pids:" /proc/self/cgroup | cut -d: -f3 >>"$L/cg.hook"'
nocg='del(.linux.namespaces[] | select(.type == "pid")) | .mounts |= map(select(.type != "cgroup"))'
bundle cgh '["sleep","1000"]' ".hooks = $(hooks "createContainer=$(hook cgh "$cgline")") | $nocg"
for i in 1 2 3 4 5; do
    new "cgh$i"
    run "${RR[@]}" create --bundle "$B" "cgh$i"
    [ "$rc" = 0 ] || { note "create: $(got)"; break; }
    want=$(grep -E '^[0-9]+:pids:' "/proc/$(pid_of "cgh$i")/cgroup" 2>/dev/null | cut -d: -f3)
    have=$(sed -n "${i}p" "$HL/cg.hook" 2>/dev/null)
    [ -n "$want" ] && [ "$have" = "$want" ] ||
        note "try $i: the createContainer hook ran in pids cgroup \"$have\", the container is in \"$want\""
    gone_id "cgh$i"
done
bundle cgf '["sleep","1000"]' ".hooks = $(hooks "createContainer=$(hook cgf 'echo ran >>"$L/cgf.ran"')") | $nocg
    | .linux.resources.cpu.cpus = \"99\""
for i in $(seq 10); do
    new "cgf$i"
    run "${RR[@]}" create --bundle "$B" "cgf$i"
    [ "$rc" = 125 ] || note "create with cpuset.cpus 99: want exit 125, got $(got)"
    [[ $err == *cpuset.cpus* ]] || note "create with cpuset.cpus 99: want the cpuset error, got $(got)"
    gone_id "cgf$i"
done
[ ! -e "$HL/cgf.ran" ] || note "a createContainer hook ran for a container whose cgroup could not be made ($(wc -l <"$HL/cgf.ran") of 10)"
verdict hooks-run-in-the-containers-cgroup

# === 5. namespaces joined by path, the mount namespace included (issue 12 item 7) =====================
# A mount namespace another process holds (a pod's, a test's) is joined, and the container's root
# is built in it as in a new one, as runc and crun do; the host's own namespace gets nothing.
unshare --mount --propagation private sleep 1000 &
holder=$!
BG+=("$holder")
for _ in $(seq 50); do
    [ "$(readlink "/proc/$holder/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ] && break
    sleep 0.1
done
bundle nsm '["sh","-c","readlink /proc/self/ns/mnt; cat /etc/marker"]' \
    "(.linux.namespaces[] | select(.type == \"mount\")) += {path: \"/proc/$holder/ns/mnt\"}"
new nsm
run "${RR[@]}" run --bundle "$B" nsm
[ "$rc" = 0 ] || note "run: $(got)"
[ "$out" = "$(readlink "/proc/$holder/ns/mnt" 2>/dev/null)"$'\n'in-the-rootfs ] ||
    note "want the holder's mount namespace $(readlink "/proc/$holder/ns/mnt" 2>/dev/null) and the rootfs's /etc/marker, got $(got)"
[ -z "$(our_mounts)" ] || note "mounts in the host's namespace: $(our_mounts)"
{ kill -9 "$holder" && wait "$holder"; } 2>/dev/null || true
verdict namespaces-joined-by-path-mount-too

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
