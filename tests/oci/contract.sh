#!/bin/bash
# shellcheck disable=SC2015 # "A && B || note ...": note never fails, so it runs exactly when A or B fails
# tests/oci/contract.sh RUNT: where runc's contract goes beyond the lifecycle (issue 11): stock
# `runc spec` and `crun spec` bundles, the rule that picks runc's grammar, `runt spec`, exec's
# options, `kill ID 0`, `ps ID PS-OPTIONS`, `list --format json`, the words and exit statuses
# engines match, crun's --cgroup-manager and --config. runc and crun (Debian's) are the oracles
# where the host lets them run.
#
# Everything lives in a fresh scratch root, .cache/contract-test/ (deleted afterwards); commands
# pass `--root` a directory of their own, except the cases about runt's default root, which use
# ids of their own. Containers go in cgroups under /runt-contract-test/ (linux.cgroupsPath).
# Output: one `PASS name` / `FAIL name: why` line per case, then `N passed, N failed`.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 RUNT" >&2; exit 2; }
RUNT=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
[ -x "$RUNT" ] || { echo "$0: $1 is not an executable" >&2; exit 2; }
TOP=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
. "$TOP/tests/oci/lib.sh"
S=$TOP/.cache/contract-test
ROOT=$S/state        # the runtime's --root
CGP=runt-contract-test # parent of the containers' cgroups
T=20                 # seconds any single runtime command may take
BUDGET=240
DEFAULT_ROOT=/run/runt # runt's --root when none is given (this host has /run)

[ "$(id -u)" = 0 ] || { echo "$0: must run as root" >&2; exit 2; }

# --- tools --------------------------------------------------------------------------------------------
need=()
command -v jq >/dev/null || need+=(jq)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v runc >/dev/null || need+=(runc)
command -v crun >/dev/null || need+=(crun)
command -v ps >/dev/null || need+=(procps)
PY=/usr/bin/python3
[ -x $PY ] || PY=$(command -v python3 || true)
[ -n "$PY" ] || need+=(python3-minimal)
apt_install "${need[@]}"
[ -n "$PY" ] || PY=$(command -v python3)

# --- scratch root and clean-up --------------------------------------------------------------------
IDS=()  # every container id this test may have created, with the --root it used ("" for the default)
RUNC_IDS=() # the same for runc, under $S/runc-state
cleanup() {
    set +e
    local id
    [ -n "${RECV_PID:-}" ] && kill "$RECV_PID" 2>/dev/null
    delete_ids
    for id in ${RUNC_IDS[@]+"${RUNC_IDS[@]}"}; do timeout 10 runc --root "$S/runc-state" delete --force "$id" >/dev/null 2>&1; done
    findmnt -rn -o TARGET | grep -F "$S/" | sort -r | while read -r m; do umount -l "$m"; done
    rm -rf "$S"
    reap /sys/fs/cgroup/*/"$CGP" /sys/fs/cgroup/"$CGP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ -e "$S" ]; then cleanup; fi
mkdir -p "$S"/{state,bundles,bin,tmp}

# --- rootfs, the base config and helpers --------------------------------------------------------------
R=$S/rootfs
busybox_rootfs "$R"

# The base of every bundle but the stock ones: runc's template, without its ambient set (whose
# handling is a case of its own), no terminal.
(cd "$S/tmp" && runc spec && jq 'del(.process.capabilities.ambient)' config.json >"$S/base.json")
rm -f "$S/tmp/config.json"
RR=("$RUNT" --root "$ROOT")

# bundle ID ARGS_JSON [JQ_FILTER]: $S/bundles/ID/config.json for a container of id ID; sets $B
bundle() {
    B=$S/bundles/$1
    mkdir -p "$B"
    jq --arg root "$R" --arg cg "/$CGP/$1" --argjson args "$2" '
        .root = {path: $root, readonly: true}
        | .process.terminal = false
        | .process.args = $args
        | .linux.cgroupsPath = $cg
        | '"${3:-.}" "$S/base.json" >"$B/config.json"
}
pid_of() { timeout 10 "${RR[@]}" state "$1" 2>/dev/null | jq -r '.pid // 0' 2>/dev/null || echo 0; }
why=""
note() { [ -n "$why" ] || why=$1; } # keep a case's first failure; go on, so its containers go away
verdict() { # NAME: PASS or FAIL with the first failure noted, and a fresh start for the next case
    if [ -z "$why" ]; then ok "$1"; else bad "$1" "$why"; fi
    why=""
}
recv_py

# === 1. stock bundles: `runc spec` and `crun spec` as written, but for the rootfs beside them ======
# Both list CAP_AUDIT_WRITE, CAP_KILL and CAP_NET_BIND_SERVICE as ambient with none inheritable;
# the kernel refuses such an ambient set, and runc and crun start the container without it.
stock() { # TOOL: a bundle from `TOOL spec`, created with a console socket (terminal: true), started
    local tool=$1 id=ct-stock-$1 B=$S/bundles/stock-$1 pid caps
    mkdir -p "$B"
    (cd "$B" && "$tool" spec)
    cp "$B/config.json" "$S/tmp/$tool.json"
    cp -a "$R" "$B/rootfs"
    new "$id"
    listen "$S/$tool.sock" "$S/$tool.out"
    run "${RR[@]}" create --bundle "$B" --console-socket "$S/$tool.sock" "$id"
    [ "$rc" = 0 ] || note "create from an unmodified '$tool spec' bundle: $(got)"
    if [ -z "$why" ]; then
        run "${RR[@]}" start "$id"
        [ "$rc" = 0 ] && [ "$(status "$id")" = running ] || note "start: $(got), status $(status "$id")"
    fi
    pid=$(pid_of "$id")
    if [ -z "$why" ]; then
        # the three capabilities (bits 5, 10, 29), and no ambient one
        caps=$(grep -E '^Cap(Eff|Bnd|Amb):' "/proc/$pid/status" | tr -s '\t\n' '  ')
        [ "$caps" = "CapEff: 0000000020000420 CapBnd: 0000000020000420 CapAmb: 0000000000000000 " ] ||
            note "want effective and bounding 0x20000420, ambient 0, got '$caps'"
    fi
    cmp -s "$B/config.json" "$S/tmp/$tool.json" || note "config.json was changed"
    timeout 10 "${RR[@]}" delete --force "$id" >/dev/null 2>&1 || true
    unlisten
    [ "$(status "$id")" = none ] || note "left after delete --force: $(status "$id")"
    verdict "stock-$tool-spec"
}
stock runc
stock crun

# === 2. which grammar ==============================================================================
bundle gr '["echo","runc grammar"]'
new gr1
run bash -c 'cd "$1" && shift && exec "$@"' _ "$B" "${RR[@]}" run gr1
[ "$rc" = 0 ] && [ "$out" = "runc grammar" ] || note "a global option first: want the bundle in the current directory run, got $(got)"
[ "$(status gr1)" = none ] || note "container left after the run: $(status gr1)"
verdict grammar-global-option

# called as runc, no global option: runc's grammar, the default root
ln -sf "$RUNT" "$S/bin/runc"
gid=ct-argv0-$$
new "$gid" ""
run bash -c 'cd "$1" && shift && exec "$@"' _ "$B" "$S/bin/runc" run "$gid"
[ "$rc" = 0 ] && [ "$out" = "runc grammar" ] || note "runt called as runc: want the bundle run, got $(got)"
verdict grammar-argv0-runc

# `runt run -d sleep 1` in a bundle directory: runt's own run, detached (the command sleep, its
# name printed), not the bundle started as a container named "sleep"
bundle grd '["true"]'
if [ -e "$DEFAULT_ROOT/sleep" ]; then
    note "a container named sleep exists under $DEFAULT_ROOT already: this case cannot tell"
else
    run bash -c 'cd "$1" && shift && exec "$@"' _ "$B" "$RUNT" run -d sleep 1
    if [ -e "$DEFAULT_ROOT/sleep" ]; then
        note "started the bundle in the current directory as container sleep: $(got)"
        timeout 10 "$RUNT" delete --force sleep >/dev/null 2>&1 || true
    fi
    [ "$rc" = 0 ] && [[ "$out" =~ ^[0-9a-f]{12}$ ]] || note "want runt's own run -d (exit 0, its name), got $(got)"
    [[ "$out" =~ ^[0-9a-f]{12}$ ]] && timeout 10 "$RUNT" rm -f "$out" >/dev/null 2>&1
fi
verdict grammar-run-d-own

run "$RUNT" run --rootfs "$R" echo own grammar
[ "$rc" = 0 ] && [ "$out" = "own grammar" ] || note "runt run CMD: $(got)"
# runt run's own options say whose run it is, global options or not
run "${RR[@]}" run --rootfs "$R" echo own options
[ "$rc" = 0 ] && [ "$out" = "own options" ] || note "runt --root DIR run --rootfs R CMD: $(got)"
run "$RUNT" --help
[[ "$out" == *"run is runt's own when its first option is one of runt run's"* ]] ||
    note "runt --help does not state the rule: $(got)"
verdict grammar-own-run-and-help

# === 4. runt spec: runc's template =================================================================
# byte for byte as `runc spec` writes it, but for ociVersion and hostname
same_as_runc() { # ARGS...: `runt spec ARGS` against `runc spec ARGS`
    local d=$S/spec
    rm -rf "$d" && mkdir -p "$d/runt" "$d/runc"
    (cd "$d/runt" && timeout 10 "$RUNT" spec "$@") >/dev/null 2>&1 || { note "runt spec $*: failed"; return; }
    (cd "$d/runc" && runc spec "$@")
    local norm='s/^\t"ociVersion": "[^"]*",$/\t"ociVersion": V,/; s/^\t"hostname": "[^"]*",$/\t"hostname": H,/'
    if ! cmp -s <(sed "$norm" "$d/runt/config.json") <(sed "$norm" "$d/runc/config.json"); then
        note "runt spec $* differs from runc's: $(diff <(sed "$norm" "$d/runt/config.json") <(sed "$norm" "$d/runc/config.json") | head -n 8 | tr '\n' '|')"
    fi
    [ "$(jq -r .hostname "$d/runt/config.json" 2>/dev/null)" = runt ] || note "runt spec $*: hostname is not runt"
}
same_as_runc
verdict spec-as-runc
same_as_runc --rootless
verdict spec-rootless-as-runc

# === 6. exec =======================================================================================
bundle ex1 '["sleep","1000"]'
new ex1
run "${RR[@]}" create --bundle "$B" ex1
[ "$rc" = 0 ] || note "create: $(got)"
run "${RR[@]}" exec ex1 echo into a created container
[ "$rc" = 0 ] && [ "$out" = "into a created container" ] || note "exec into a created container: $(got)"
[ "$(status ex1)" = created ] || note "status after exec: $(status ex1), want created"
verdict exec-created
run "${RR[@]}" start ex1
[ "$rc" = 0 ] || bad exec-start "start: $(got)"
pid=$(pid_of ex1)

run "${RR[@]}" exec --additional-gids 5 -g 7 ex1 id -G
[ "$rc" = 0 ] && [ "$out" = "0 5 7" ] || note "want groups \"0 5 7\", got $(got)"
verdict exec-additional-gids

# --cgroup: a sub-cgroup in every hierarchy of the container, or in the named controllers' only
# (a hybrid host's cgroup2 line, 0::, counts as one more hierarchy: /sys/fs/cgroup/unified)
if ! grep -q ":pids:/$CGP/ex1\$" "/proc/$pid/cgroup" 2>/dev/null; then
    note "not a cgroup v1 host with a pids hierarchy: the VM tests cover v2"
else
    subs=()
    while IFS=: read -r _ ctl path; do
        [ "$path" = "/$CGP/ex1" ] || continue
        d=/sys/fs/cgroup/${ctl#name=}$path
        [ -n "$ctl" ] || d=/sys/fs/cgroup/unified$path
        mkdir -p "$d/sub" && subs+=("$d/sub")
        # a new v1 cpuset cgroup has no CPUs: nothing could join it until it gets its parent's
        if [[ ",$ctl," == *,cpuset,* ]]; then
            cat "$d/cpuset.cpus" >"$d/sub/cpuset.cpus" && cat "$d/cpuset.mems" >"$d/sub/cpuset.mems"
        fi
        [ "$ctl" = pids ] && mkdir -p "$d/sub2" && subs+=("$d/sub2")
    done <"/proc/$pid/cgroup"
    run "${RR[@]}" exec -d --pid-file "$S/sub.pid" --cgroup sub ex1 sleep 30
    xp=$(cat "$S/sub.pid" 2>/dev/null || echo 0)
    [ "$rc" = 0 ] && [ "$xp" -gt 0 ] || note "exec --cgroup sub: $(got)"
    if [ -z "$why" ]; then
        # every hierarchy the container has, and only those
        had=$(grep -c "/$CGP/ex1\$" "/proc/$pid/cgroup" || true)
        moved=$(grep -c "/$CGP/ex1/sub\$" "/proc/$xp/cgroup" || true)
        [ "$moved" = "$had" ] && [ "$had" -ge 2 ] ||
            note "want all $had hierarchies of the process at .../ex1/sub, got $(tr '\n' ' ' <"/proc/$xp/cgroup")"
    fi
    [ "$xp" -gt 1 ] && kill -9 "$xp" 2>/dev/null || true
    run "${RR[@]}" exec -d --pid-file "$S/sub2.pid" --cgroup pids:sub2 ex1 sleep 30
    xp=$(cat "$S/sub2.pid" 2>/dev/null || echo 0)
    [ "$rc" = 0 ] && [ "$xp" -gt 0 ] || note "exec --cgroup pids:sub2: $(got)"
    if [ -z "$why" ]; then
        grep -q ":pids:/$CGP/ex1/sub2\$" "/proc/$xp/cgroup" && grep -q ":freezer:/$CGP/ex1\$" "/proc/$xp/cgroup" ||
            note "want pids at .../ex1/sub2 and freezer at .../ex1, got $(tr '\n' ' ' <"/proc/$xp/cgroup")"
    fi
    [ "$xp" -gt 1 ] && kill -9 "$xp" 2>/dev/null || true
    run "${RR[@]}" exec --cgroup nosuch ex1 true
    [ "$rc" = 125 ] && [[ "$err" == *nosuch*"No such file or directory"* ]] || note "exec --cgroup of a missing sub-cgroup: want exit 125 naming it, got $(got)"
    # the killed processes leave their cgroups within moments: rmdir until it works (5 s at most)
    for d in ${subs[@]+"${subs[@]}"}; do
        for _ in $(seq 50); do rmdir "$d" 2>/dev/null || [ ! -d "$d" ] && break; sleep 0.1; done
    done
fi
verdict exec-cgroup

run "${RR[@]}" pause ex1
[ "$rc" = 0 ] || note "pause: $(got)"
run "${RR[@]}" exec ex1 true
[ "$rc" != 0 ] && [[ "$err" == *paused* ]] || note "exec into a paused container without --ignore-paused: want a refusal naming paused, got $(got)"
# the process waits in the frozen cgroup until resume
n_before=$(timeout 10 "${RR[@]}" ps ex1 2>/dev/null | wc -l)
(timeout -k 5 $T "${RR[@]}" exec --ignore-paused ex1 echo ran after resume >"$S/ip.out" 2>"$S/ip.err" </dev/null; echo $? >"$S/ip.rc") &
ip=$!
# the exec'd process is in the frozen cgroup (ps lists one more) before it is checked not to run
for _ in $(seq 100); do [ "$(timeout 10 "${RR[@]}" ps ex1 2>/dev/null | wc -l)" -gt "$n_before" ] && break; sleep 0.1; done
[ ! -s "$S/ip.out" ] || note "the process ran in a paused container: $(cat "$S/ip.out")"
run "${RR[@]}" resume ex1
wait "$ip" || true
[ "$(cat "$S/ip.rc" 2>/dev/null)" = 0 ] && [ "$(cat "$S/ip.out")" = "ran after resume" ] ||
    note "exec --ignore-paused: exit $(cat "$S/ip.rc" 2>/dev/null), stdout \"$(cat "$S/ip.out")\", stderr \"$(head -c 300 "$S/ip.err")\""
verdict exec-ignore-paused

# AppArmor and SELinux labels: ignored where the LSM is not enabled (as runc), refused where it is
for pair in "apparmor:AppArmor:/sys/module/apparmor/parameters/enabled" "process-label:SELinux:/sys/fs/selinux/enforce"; do
    flag=${pair%%:*} lsm=${pair#*:} file=${lsm#*:} lsm=${lsm%%:*}
    run "${RR[@]}" exec "--$flag" runt-test-label ex1 echo labelled
    if { [ "$lsm" = AppArmor ] && grep -q Y "$file" 2>/dev/null; } || { [ "$lsm" = SELinux ] && [ -e "$file" ]; }; then
        [ "$rc" = 125 ] && [[ "$err" == *"$lsm is enabled here"* ]] || note "--$flag with $lsm enabled: want a refusal, got $(got)"
    else
        [ "$rc" = 0 ] && [ "$out" = labelled ] || note "--$flag without $lsm: want it ignored, got $(got)"
    fi
done
verdict exec-lsm-labels

run "${RR[@]}" exec --cap CAP_NOPE --cap CAP_SYS_NICE ex1 sh -c 'grep CapEff /proc/self/status'
# CAP_SYS_NICE is bit 23: the known one is added
[ "$rc" = 0 ] && [[ "$err" == *warning*CAP_NOPE* ]] && [[ "$out" == *0000000020800420 ]] ||
    note "want a warning naming CAP_NOPE and CAP_SYS_NICE added, got $(got)"
verdict exec-unknown-cap-warns

# === 7. kill 0, ps with ps's options, list's keys ==================================================
run "${RR[@]}" kill ex1 0
[ "$rc" = 0 ] && [ "$(status ex1)" = running ] || note "kill ID 0 of a running container: $(got), status $(status ex1)"
verdict kill-signal-0

ps_case() { # NAME HEADER_REGEX ARGS...: `ps ex1 ARGS`: the header and the container's process only
    local name=$1 header=$2
    shift 2
    run "${RR[@]}" ps ex1 "$@"
    [ "$rc" = 0 ] || note "ps ex1 $*: $(got)"
    [[ "$(head -n1 <<<"$out")" =~ $header ]] || note "ps ex1 $*: want a header matching '$header', got $(got)"
    [ "$(tail -n +2 <<<"$out" | grep -c .)" = 1 ] && tail -n +2 <<<"$out" | grep -qE "(^| )$pid .*sleep" ||
        note "ps ex1 $*: want one line, the container's sleep (pid $pid), got $(got)"
    verdict "$name"
}
ps_case ps-options '^ *PID +COMMAND$' -- -o pid,comm
ps_case ps-options-runc11 '^ *PID +COMMAND$' -o pid,comm
ps_case ps-default-ef '^UID +PID +PPID +C +STIME +TTY +TIME +CMD$'

# runc as the oracle: the same keys in `list --format json`, with and without annotations
bundle ls2 '["sleep","1000"]' '.annotations = {"runt.test": "a"}'
new ls2
run "${RR[@]}" create --bundle "$B" ls2
[ "$rc" = 0 ] || note "create ls2: $(got)"
RUNC_IDS+=(rc-ls1 rc-ls2)
bundle rc-ls1 '["sleep","1000"]'
timeout 10 runc --root "$S/runc-state" create --bundle "$B" rc-ls1 >/dev/null 2>&1 || note "runc create (the oracle) failed"
bundle rc-ls2 '["sleep","1000"]' '.annotations = {"runt.test": "a"}'
timeout 10 runc --root "$S/runc-state" create --bundle "$B" rc-ls2 >/dev/null 2>&1 || note "runc create (the oracle) failed"
keys='map({(.id): (keys | join(","))}) | add'
want=$(timeout 10 runc --root "$S/runc-state" list --format json | jq -c "$keys" | sed 's/rc-ls/ls/g')
have=$(timeout 10 "${RR[@]}" list --format json | jq -c "map(select(.id == \"ex1\" or .id == \"ls2\")) | $keys" | sed 's/ex1/ls1/')
[ -n "$want" ] && [ "$have" = "$want" ] || note "list --format json keys: want runc's $want, got $have"
owner=$(timeout 10 "${RR[@]}" list --format json | jq -r '.[0].owner')
[ "$owner" = root ] || note "list --format json: owner \"$owner\", want root (as runc)"
run "${RR[@]}" list
[[ "$(head -n1 <<<"$out")" =~ ^ID\ +PID\ +STATUS\ +BUNDLE\ +CREATED\ +OWNER$ ]] || note "list: want runc's columns, got $(got)"
verdict list-runc-keys
# `state`: runc's layout line for line (tools grep it), the values aside
mask() { sed -E 's/": ("[^"]*"|-?[0-9]+)(,?)$/": V\2/'; }
want=$(timeout 10 runc --root "$S/runc-state" state rc-ls2 | mask)
have=$(timeout 10 "${RR[@]}" state ls2 | mask)
[ -n "$want" ] && [ "$have" = "$want" ] || note "state: want runc's layout $want, got $have"
verdict state-runc-layout
timeout 10 "${RR[@]}" delete --force ls2 >/dev/null 2>&1 || true
for id in rc-ls1 rc-ls2; do timeout 10 runc --root "$S/runc-state" delete --force "$id" >/dev/null 2>&1 || true; done

# === 8. the words and statuses engines match ========================================================
# (engine: what it matches in the runtime's stderr or its --log JSON; docs/contract.md lists them)
words() { # NAME WANT_RC WORDS CMD...: exit WANT_RC ("nonzero": any but 0), WORDS on stderr and in
    # the --log JSON's last error
    local name=$1 want_rc=$2 words=$3
    shift 3
    rm -f "$S/words.log"
    run "$RUNT" --root "$ROOT" --log "$S/words.log" --log-format json "$@"
    if [ "$want_rc" = nonzero ]; then [ "$rc" != 0 ] || note "$name: want a failure, got $(got)"; else [ "$rc" = "$want_rc" ] || note "$name: want exit $want_rc, got $(got)"; fi
    if [ -n "$words" ]; then
        [[ "$err" == *"$words"* ]] || note "$name: want \"$words\" on stderr, got $(got)"
        tail -n 1 "$S/words.log" 2>/dev/null | jq -e --arg w "$words" '.level == "error" and (.msg | contains($w))' >/dev/null 2>&1 ||
            note "$name: want \"$words\" in the --log JSON, got \"$(tail -n 1 "$S/words.log" 2>/dev/null)\""
    fi
}
# Docker (libcontainerd wrapError): "container does not exist" is NotFound; containerd's shim and
# podman match "does not exist" (which it contains)
for cmd in "state" "kill" "delete" "start" "pause" "ps" "exec"; do
    if [ "$cmd" = exec ]; then set -- exec nosuch true; elif [ "$cmd" = kill ]; then set -- kill nosuch KILL; else set -- "$cmd" nosuch; fi
    words "$cmd-missing" nonzero "container does not exist" "$@"
done
verdict words-missing-container
# containerd's shim (checkKillError): "container not running" is "process already finished";
# runc's statuses: 1 for a plain kill, 0 for kill --all
run "${RR[@]}" kill ex1 KILL
wait_status ex1 stopped || note "kill KILL: $(got), status $(status ex1)"
words kill-stopped 1 "container not running" kill ex1 KILL
words kill-all-stopped 0 "" kill --all ex1 KILL
words kill-0-stopped 1 "container not running" kill ex1 0
verdict words-kill-stopped
# podman and Docker: 127 for these words of a command not found
bundle w127 '["sleep","1000"]'
new w127
run "${RR[@]}" run -d --bundle "$B" w127
words exec-not-found nonzero "no such file or directory" exec w127 /nope
verdict words-exec-not-found
timeout 10 "${RR[@]}" delete --force w127 >/dev/null 2>&1 || true
timeout 10 "${RR[@]}" delete --force ex1 >/dev/null 2>&1 || true

# === 9. crun's options ================================================================================
why=""
for g in "--cgroup-manager cgroupfs" "--cgroup-manager=systemd"; do
    # shellcheck disable=SC2086 # the option and its value as two words
    run "$RUNT" $g --root "$ROOT" state nosuch
    [ "$rc" != 0 ] && [[ "$err" == *"does not exist"* ]] || note "$g: want it taken (then: does not exist), got $(got)"
done
run "$RUNT" --cgroup-manager bogus state nosuch
[ "$rc" = 125 ] && [[ "$err" == *"invalid --cgroup-manager 'bogus'"* ]] || note "--cgroup-manager bogus: $(got)"
verdict crun-cgroup-manager

# --config: another file than BUNDLE/config.json; relative to the current directory, as crun
bundle cf '["echo","from config.json"]'
jq '.process.args = ["echo","from other.json"]' "$B/config.json" >"$B/other.json"
new cf1
run "${RR[@]}" run --bundle "$B" --config "$B/other.json" cf1
[ "$rc" = 0 ] && [ "$out" = "from other.json" ] || note "run --config: $(got)"
# a bundle with no config.json at all: create, exec (which reads the same file again) and delete
mkdir -p "$S/bundles/cf2"
jq '.process.args = ["sleep","1000"] | .linux.cgroupsPath = "/'"$CGP"'/cf2"' "$B/config.json" >"$S/bundles/cf2/other.json"
new cf2
run bash -c 'cd "$1" && shift && exec "$@"' _ "$S/bundles/cf2" "${RR[@]}" create --bundle "$S/bundles/cf2" -f other.json cf2
[ "$rc" = 0 ] || note "create -f other.json (relative): $(got)"
run "${RR[@]}" exec cf2 echo exec reads the same config
[ "$rc" = 0 ] && [ "$out" = "exec reads the same config" ] || note "exec into a --config container: $(got)"
run "${RR[@]}" delete --force cf2
[ "$rc" = 0 ] && [ "$(status cf2)" = none ] || note "delete --force: $(got), status $(status cf2)"
verdict crun-config

# --- nothing left: state and cgroups -----------------------------------------------------------------
nothing_left

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
