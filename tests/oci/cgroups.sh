#!/bin/bash
# tests/oci/cgroups.sh RUNT: cgroups and limits through the runc command line, on this host's
# cgroup v1 (hybrid) layout; the VM (tests/vm/guest.sh) covers the same on cgroup v2.
#
# - `update` with each of runc's flags, -r FILE and -r - (stdin): the cgroup files change
# - a cpu period without a quota, and realtime limits, applied at create
# - OCI limits that make no sense are refused before anything is made
# - a container without limits still has memory and cpu accounting (every hierarchy joined)
# - two containers given one cgroupsPath share it, as runc 1.1 does
# - pause of a paused container and resume of a running one are refused as runc refuses them
#
# Containers go in cgroups under /runt-cgroups-test/ (linux.cgroupsPath), state in a scratch root
# .cache/cgroups-test/: both removed at the end. Output: `PASS name` / `FAIL name: why` lines,
# then `N passed, N failed`.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 RUNT" >&2; exit 2; }
RUNT=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
[ -x "$RUNT" ] || { echo "$0: $1 is not an executable" >&2; exit 2; }
TOP=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
. "$TOP/tests/oci/lib.sh"
S=$TOP/.cache/cgroups-test
ROOT=$S/state
CGP=runt-cgroups-test # parent of the containers' cgroups (what `make check-leaks` looks under)
CG=/sys/fs/cgroup
T=20
BUDGET=180

[ "$(id -u)" = 0 ] || { echo "$0: must run as root" >&2; exit 2; }
need=()
command -v jq >/dev/null || need+=(jq)
[ -x /bin/busybox ] || need+=(busybox-static)
apt_install "${need[@]}"

IDS=()
cleanup() {
    set +e
    local id
    for id in ${IDS[@]+"${IDS[@]}"}; do timeout 10 "$RUNT" --root "$ROOT" delete --force "$id" >/dev/null 2>&1; done
    rm -rf "$S"
    reap "$CG"/*/"$CGP" "$CG/$CGP"
}
[ -n "${KEEP:-}" ] || trap cleanup EXIT
trap 'exit 130' INT TERM
if [ -e "$S" ]; then cleanup; fi
mkdir -p "$S"/{state,bundles}

R=$S/rootfs
mkdir -p "$R"/{bin,proc,sys,dev,tmp}
cp /bin/busybox "$R/bin/busybox"
for a in sh sleep cat true; do ln -s busybox "$R/bin/$a"; done
(cd "$S" && "$RUNT" spec) || { echo "FAIL spec: $RUNT spec failed"; echo "0 passed, 1 failed"; exit 1; }
RR=("$RUNT" --root "$ROOT")

# bundle ID [JQ_FILTER] [CGROUP]: $S/bundles/ID for `sleep 1000` in cgroup /$CGP/CGROUP (default
# ID), with JQ_FILTER applied; sets $B
bundle() {
    B=$S/bundles/$1
    mkdir -p "$B"
    jq --arg root "$R" --arg cg "/$CGP/${3:-$1}" '
        .root = {path: $root, readonly: true}
        | .process.terminal = false
        | .process.args = ["sleep", "1000"]
        | .linux.cgroupsPath = $cg
        | '"${2:-.}" "$S/config.json" >"$B/config.json"
}
new() { IDS+=("$1"); }
status() { timeout 10 "${RR[@]}" state "$1" 2>/dev/null | jq -r .status 2>/dev/null || echo none; }
pid_of() { timeout 10 "${RR[@]}" state "$1" 2>/dev/null | jq -r '.pid // 0' 2>/dev/null || echo 0; }
# check CONTROLLER/FILE=WANT...: the v1 files of container $id's cgroup read WANT; else sets $why
check() {
    local pair file have
    for pair in "$@"; do
        file=$CG/${pair%%/*}/$CGP/$id/${pair#*/}
        file=${file%%=*}
        have=$(cat "$file" 2>&1 || true)
        [ "$have" = "${pair#*=}" ] || { why="${why:-$file is '$have', want '${pair#*=}'}"; return; }
    done
}
# dirs NAME: the cgroup directories named /$CGP/NAME, on any hierarchy
dirs() { find $CG -mindepth 2 -maxdepth 3 -path "*/$CGP/$1" -type d 2>/dev/null | tr '\n' ' '; }
v1=
[ -d $CG/pids ] && [ "$(stat -f -c %T $CG)" != cgroup2fs ] && v1=1

# --- update: every runc flag ----------------------------------------------------------------------
id=upd
bundle $id '.linux.resources.memory = {limit: 67108864}'
new $id
run "${RR[@]}" create --bundle "$B" $id
why=
if [ "$rc" != 0 ]; then
    why="create: $(got)"
elif [ -z "$v1" ]; then
    why="not a cgroup v1 host: the VM tests cover v2"
else
    # the rt runtime a child may have comes out of its parent's (and of siblings just removed, for a while)
    echo 100000 >$CG/cpu/$CGP/cpu.rt_runtime_us 2>/dev/null || true
    run "${RR[@]}" update --cpu-period 50000 --cpu-quota 20000 --cpu-share 300 --cpuset-cpus 0 --cpuset-mems 0 \
        --memory 1.5g --memory-reservation 32m --memory-swap 2g --pids-limit 42 \
        --cpu-rt-period 500000 --cpu-rt-runtime 10000 $id
    [ "$rc" = 0 ] || why="update: $(got)"
    check cpu/cpu.cfs_period_us=50000 cpu/cpu.cfs_quota_us=20000 cpu/cpu.shares=300 cpuset/cpuset.cpus=0 \
        cpuset/cpuset.mems=0 memory/memory.limit_in_bytes=1610612736 memory/memory.soft_limit_in_bytes=33554432 \
        pids/pids.max=42 cpu/cpu.rt_period_us=500000 cpu/cpu.rt_runtime_us=10000
    [ -e $CG/memory/$CGP/$id/memory.memsw.limit_in_bytes ] && check memory/memory.memsw.limit_in_bytes=2147483648
fi
if [ -z "$why" ]; then ok update-every-flag; else bad update-every-flag "$why"; fi

# blkio weight: only with an I/O scheduler that has weights (BFQ or CFQ)
why=
blk=$(ls $CG/blkio/$CGP/$id/blkio.bfq.weight $CG/blkio/$CGP/$id/blkio.weight 2>/dev/null | head -n1 || true)
if [ -n "$blk" ]; then
    run "${RR[@]}" update --blkio-weight 700 $id
    [ "$rc" = 0 ] && grep -qw 700 "$blk" || why="update --blkio-weight 700: $(got), $blk: $(tr '\n' ' ' <"$blk")"
    if [ -z "$why" ]; then ok update-blkio-weight; else bad update-blkio-weight "$why"; fi
else
    echo "INFO update-blkio-weight not run: no I/O scheduler with weights here"
fi

# -1 takes a limit away; raising memory above memory+swap works (memory+swap goes first)
why=
if [ -n "$v1" ]; then
    run "${RR[@]}" update --memory 3g --memory-swap 4g $id
    [ "$rc" = 0 ] || why="update --memory 3g --memory-swap 4g: $(got)"
    check memory/memory.limit_in_bytes=3221225472
    run "${RR[@]}" update --pids-limit -1 --cpu-quota -1 --memory -1 --memory-swap -1 $id
    [ "$rc" = 0 ] || why="${why:-update with -1: $(got)}"
    check pids/pids.max=max cpu/cpu.cfs_quota_us=-1 memory/memory.limit_in_bytes=9223372036854771712
else
    why="not a cgroup v1 host"
fi
if [ -z "$why" ]; then ok update-raise-and-unlimit; else bad update-raise-and-unlimit "$why"; fi

# -r FILE and -r - (stdin): a linux.resources object, flags on top
why=
echo '{"pids":{"limit":55},"cpu":{"shares":700,"period":200000},"memory":{"limit":134217728,"swap":268435456}}' >"$S/res.json"
run "${RR[@]}" update -r "$S/res.json" $id
[ "$rc" = 0 ] || why="update -r FILE: $(got)"
[ -z "$v1" ] || check pids/pids.max=55 cpu/cpu.shares=700 cpu/cpu.cfs_period_us=200000 memory/memory.limit_in_bytes=134217728
set +e
timeout $T "${RR[@]}" update -r - --pids-limit 66 $id <<<'{"pids":{"limit":56},"cpu":{"shares":800}}' >"$S/out" 2>"$S/err"
rc=$?
set -e
[ "$rc" = 0 ] || why="${why:-update -r - --pids-limit 66: exit $rc, $(cat "$S/err")}"
[ -z "$v1" ] || check pids/pids.max=66 cpu/cpu.shares=800
if [ -z "$why" ]; then ok update-resources-file-and-stdin; else bad update-resources-file-and-stdin "$why"; fi

# refused: a bad value, memory+swap below memory, memory below 2 MiB
bad_updates=("--memory 12q" "--pids-limit x" "--cpu-period 10" "--cpu-quota 5" "--memory 64m --memory-swap 32m"
    "--memory 4096" "--blkio-weight 5" "--cpu-rt-runtime -2")
why=
for u in "${bad_updates[@]}"; do
    # shellcheck disable=SC2086 # the flags are words
    run "${RR[@]}" update $u $id
    [ "$rc" != 0 ] && [[ "$err" == runt:* ]] || { why="update $u: want a refusal, got $(got)"; break; }
done
[ -z "$v1" ] || check pids/pids.max=66
if [ -z "$why" ]; then ok update-refuses-nonsense; else bad update-refuses-nonsense "$why"; fi
timeout 10 "${RR[@]}" delete --force $id >/dev/null 2>&1 || true

# --- a cpu period without a quota, and realtime limits, at create -------------------------------
id=per
echo 100000 >$CG/cpu/$CGP/cpu.rt_runtime_us 2>/dev/null || true
bundle $id '.linux.resources.cpu = {period: 50000, realtimePeriod: 400000, realtimeRuntime: 5000}'
new $id
run "${RR[@]}" create --bundle "$B" $id
why=
[ "$rc" = 0 ] || why="create: $(got)"
if [ -n "$v1" ]; then check cpu/cpu.cfs_period_us=50000 cpu/cpu.cfs_quota_us=-1 cpu/cpu.rt_period_us=400000 cpu/cpu.rt_runtime_us=5000; else why="not a cgroup v1 host"; fi
timeout 10 "${RR[@]}" delete --force $id >/dev/null 2>&1 || true
if [ -z "$why" ]; then ok cpu-period-without-quota-at-create; else bad cpu-period-without-quota-at-create "$why"; fi

# --- limits that make no sense are refused by create, nothing made --------------------------------
why=
for res in '{"memory":{"limit":-12345}}' '{"memory":{"limit":4096}}' '{"pids":{"limit":-5}}' \
    '{"cpu":{"quota":500}}' '{"cpu":{"period":10}}' '{"memory":{"limit":67108864,"swap":1048576}}'; do
    id=bad$((${#IDS[@]}))
    bundle $id ".linux.resources = $res"
    new $id
    run "${RR[@]}" create --bundle "$B" $id
    if [ "$rc" = 0 ] || [[ "$err" != runt:* ]] || [ "$(status $id)" != none ] || [ -n "$(dirs $id)" ]; then
        why="$res: want a refusal and nothing made, got $(got), status $(status $id)"
        break
    fi
done
if [ -z "$why" ]; then ok oci-nonsense-limits-refused; else bad oci-nonsense-limits-refused "$why"; fi

# --- accounting without limits: events --stats reads memory and cpu usage -------------------------
id=acc
bundle $id 'del(.linux.resources.memory) | del(.linux.resources.cpu) | .process.args = ["sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exec sleep 1000"]'
new $id
run "${RR[@]}" run -d --bundle "$B" $id
why=
[ "$rc" = 0 ] || why="run -d: $(got)"
# the busy loop shows as cpu usage once it has run a while: poll (10 s at most)
for _ in $(seq 100); do
    run "${RR[@]}" events --stats $id
    printf '%s' "$out" | jq -e '.data.memory.usage.usage > 0 and .data.cpu.usage.total > 0' >/dev/null 2>&1 && break
    sleep 0.1
done
if [ -z "$why" ] && ! printf '%s' "$out" | jq -e '.data.memory.usage.usage > 0 and .data.cpu.usage.total > 0' >/dev/null 2>&1; then
    why="want memory and cpu usage above 0 in events --stats, got $(got)"
fi
timeout 10 "${RR[@]}" delete --force $id >/dev/null 2>&1 || true
if [ -z "$why" ]; then ok accounting-without-limits; else bad accounting-without-limits "$why"; fi

# --- two containers, one cgroupsPath: the second joins it (runc 1.1.5 does, with a warning) ------
bundle sh1 '' shared
new sh1
run "${RR[@]}" create --bundle "$B" sh1
p1=$(pid_of sh1)
bundle sh2 '' shared
new sh2
run "${RR[@]}" create --bundle "$B" sh2
p2=$(pid_of sh2)
why=
procs=$(cat $CG/pids/$CGP/shared/cgroup.procs $CG/$CGP/shared/cgroup.procs 2>/dev/null | sort -n | tr '\n' ' ' || true)
if [ "$rc" != 0 ] || [ "$(status sh2)" != created ]; then
    why="second create: $(got)"
elif [[ "$err" != *"not empty"* ]]; then
    why="no warning that the cgroup is shared: $(got)"
elif [ "$procs" != "$(printf '%s\n' "$p1" "$p2" | sort -n | tr '\n' ' ')" ]; then
    why="cgroup.procs holds '$procs', want $p1 and $p2"
fi
if [ -z "$why" ]; then
    run "${RR[@]}" delete --force sh1
    if [ "$rc" != 0 ] || [ "$(status sh2)" != created ] || ! [ -d /proc/"$p2" ]; then
        why="after delete --force of the first: $(got); the second is $(status sh2)"
    elif [ -z "$(dirs shared)" ]; then
        why="the shared cgroup went with the first container while the second is in it"
    fi
    run "${RR[@]}" delete --force sh2
    left=$(dirs shared)
    [ -n "$why" ] || [ "$rc" = 0 ] && [ -z "$left" ] || why="${why:-after deleting both: $(got), left: $left}"
fi
if [ -z "$why" ]; then ok shared-cgroups-path; else bad shared-cgroups-path "$why"; fi

# --- pause and resume where runc refuses ---------------------------------------------------------
id=pz
bundle $id
new $id
run "${RR[@]}" run -d --bundle "$B" $id
why=
run "${RR[@]}" pause $id
[ "$rc" = 0 ] && [ "$(status $id)" = paused ] || why="pause: $(got), status $(status $id)"
run "${RR[@]}" pause $id
[ -n "$why" ] || { [ "$rc" = 1 ] && [[ "$err" == *"container not running"* ]] && [ "$(status $id)" = paused ]; } ||
    why="pause of a paused container: want exit 1 and runc's \"container not running\", got $(got), status $(status $id)"
run "${RR[@]}" resume $id
run "${RR[@]}" resume $id
[ -n "$why" ] || { [ "$rc" = 1 ] && [[ "$err" == *"container not paused"* ]] && [ "$(status $id)" = running ]; } ||
    why="resume of a running container: want exit 1 and runc's \"container not paused\", got $(got), status $(status $id)"
timeout 10 "${RR[@]}" delete --force $id >/dev/null 2>&1 || true
if [ -z "$why" ]; then ok pause-resume-refusals; else bad pause-resume-refusals "$why"; fi

# --- nothing left -------------------------------------------------------------------------------
left=$(dirs '*')
run "${RR[@]}" list -q
if [ -z "$left" ] && [ -z "$out" ]; then ok nothing-left; else bad nothing-left "cgroups: $left; containers: $out"; fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
