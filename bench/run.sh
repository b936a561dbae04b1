#!/usr/bin/env bash
# bench/run.sh RUNT_BINARY — start-up latency of `runt run --rootfs R /bin/true`
# next to crun, runc, bubblewrap and unshare+chroot, over one shared busybox rootfs.
#
# Prints: tool, median ms, p90 ms, ratio to crun, ratio to bwrap, binary size,
# peak RSS of one run; then whether runt met its targets (≤ 0.5× crun, < bwrap).
# A missed target does not fail the bench; it is reported.
# Exit status: 0 when runt ran, 1 when runt itself could not run, 2 on usage/setup errors.
#
# Knobs (environment):
#   BENCH_RUNS=400     timed runs per tool (split over the rounds)
#   BENCH_ROUNDS=20    rounds; each round runs every tool once as a block, rotating the order
#                      (short blocks: a comparison of two rows varied by ±10 % from run to run
#                      with 4 rounds on this VM, by ±2 % with 20)
#   BENCH_WARMUP=3     untimed runs at the start of every block
#   BENCH_RUNT_OCI=1   0 = skip timing `runt run --bundle B ID` (issue 3; see cmd_runt_oci)
#   BENCH_RUNT_EXEC=1  0 = skip timing `runt exec ID /bin/true` (see cmd_runt_exec)
#   BENCH_REFS=""      commits of this repository whose runt is timed too, as rows runt@COMMIT
#                      (`make bench REFS="386eb5a d246bd9"`): each is built once, from `git archive`,
#                      under .cache/bench/ref/; then "runt vs runt@COMMIT" is printed
#   BENCH_STATE=tmpfs  where runt, crun and runc keep their containers' state: a tmpfs the bench
#                      mounts (as /run is on a systemd host), or "run": their defaults under /run,
#                      as the host has it (this VM's /run is on its ext4 disk, where the mkdir and
#                      rmdir of every run's state directory cost about 0.3 ms)
#
# Timing: a bash loop reads $EPOCHREALTIME (µs) around each fork+exec+wait of the tool,
# so every row carries the shell's own fork/exec cost; the "baseline" row (the rootfs'
# static busybox `true` run directly, no container) shows how much that is.
# crun 1.8 refuses cgroup v1 "hybrid" hosts (a cgroup2 mount at /sys/fs/cgroup/unified):
# its blocks run inside one private mount namespace with that mount removed, set up once
# per block, outside the timed region.
set -euo pipefail
export LC_ALL=C

usage() { echo "usage: $0 RUNT_BINARY" >&2; exit 2; }
die() { echo "bench: $*" >&2; exit 2; }
[[ $# -eq 1 ]] || usage
[[ $(id -u) -eq 0 ]] || die "must run as root (containers, cgroups)"

RUNS=${BENCH_RUNS:-400}
ROUNDS=${BENCH_ROUNDS:-20}
WARMUP=${BENCH_WARMUP:-3}
RUNT_OCI=${BENCH_RUNT_OCI:-1}
RUNT_EXEC=${BENCH_RUNT_EXEC:-1}
[[ $RUNS =~ ^[1-9][0-9]*$ && $ROUNDS =~ ^[1-9][0-9]*$ && $WARMUP =~ ^[0-9]+$ ]] \
    || die "BENCH_RUNS, BENCH_ROUNDS must be positive integers, BENCH_WARMUP a non-negative one"
(( ROUNDS <= RUNS )) || ROUNDS=$RUNS

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(dirname "$BENCH_DIR")
SCRATCH=$TOP/.cache/bench
R=$SCRATCH/rootfs                 # the one rootfs every tool runs
B_CRUN=$SCRATCH/bundle-crun       # OCI bundles whose root.path is $R
B_RUNC=$SCRATCH/bundle-runc
B_RUNT=$SCRATCH/bundle-runt       # for issue 3 (runt run --bundle), built but unused for now
B_EXEC=$SCRATCH/bundle-exec       # the container runt exec is timed against (sleeps)
STATE_MODE=${BENCH_STATE:-tmpfs}
[[ $STATE_MODE == tmpfs || $STATE_MODE == run ]] || die "BENCH_STATE must be tmpfs or run"
STATE=$SCRATCH/state-tmpfs        # the tmpfs of BENCH_STATE=tmpfs (runt/, crun/, runc/ in it)
EXEC_ROOT=$SCRATCH/state          # the exec target's runt --root
read -ra REFS <<<"${BENCH_REFS:-}" # commits whose runt is timed too (rows runt@COMMIT)
# each tool's --root option: under BENCH_STATE=tmpfs its own directory in $STATE, else none
RT_ROOT=() CR_ROOT=() RC_ROOT=()
if [[ $STATE_MODE == tmpfs ]]; then
    RT_ROOT=(--root "$STATE/runt") CR_ROOT=(--root "$STATE/crun") RC_ROOT=(--root "$STATE/runc")
fi
TIMES=$SCRATCH/times
RUNT=$(realpath -m -- "$1")
PREFIX=runtbench$$                # container ids: $PREFIX-TOOL-ROUND-N

# ---------------------------------------------------------------- peers
install_peers() {
    local pkgs=(crun runc bubblewrap busybox-static time jq util-linux coreutils) missing=() p
    for p in "${pkgs[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    ((${#missing[@]} == 0)) && return 0
    echo "bench: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null \
        || { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; } \
        || die "apt-get install ${missing[*]} failed"
}

# ---------------------------------------------------------------- rootfs and bundles
build_rootfs() {
    local bb
    bb=$(dpkg -L busybox-static | grep -E '/busybox$' | head -n1)
    [[ -x $bb ]] || die "busybox-static's busybox not found"
    rm -rf "$R"
    mkdir -p "$R"/{bin,proc,dev,sys,tmp,run,etc,root}
    cp "$bb" "$R/bin/busybox"
    ln -s busybox "$R/bin/true"
    ln -s busybox "$R/bin/sh"
    ln -s busybox "$R/bin/sleep"
    printf 'root:x:0:0:root:/root:/bin/sh\n' >"$R/etc/passwd"
    printf 'root:x:0:\n' >"$R/etc/group"
    "$R/bin/true" || die "$R/bin/true does not run"
}

# The config.json `runt spec --seccomp` writes (runc's default: namespaces, mounts, masked and
# read-only paths, capabilities; with runt's default seccomp profile), the same for every
# runtime, with: args /bin/true, no terminal, root = the shared rootfs, writable (as runt's
# --rootfs is).
build_bundle() {
    local dir=$1
    rm -rf "$dir"
    mkdir -p "$dir"
    (cd "$dir" && "$RUNT" spec --seccomp)
    jq --arg root "$R" '
        .process.terminal = false
        | .process.args = ["/bin/true"]
        | .root.path = $root
        | .root.readonly = false
        | .linux.namespaces |= (if any(.[]; .type == "cgroup") then . else . + [{"type": "cgroup"}] end)
    ' "$dir/config.json" >"$dir/config.json.new"
    mv "$dir/config.json.new" "$dir/config.json"
}

# ---------------------------------------------------------------- the commands timed
# cmd_TOOL ID  sets CMD to the argv of one run (ID unique per run).
cmd_baseline() { CMD=("$R/bin/true"); }
cmd_runt()     { CMD=("$RUNT" "${RT_ROOT[@]}" run --rootfs "$R" /bin/true); }
cmd_crun()     { CMD=(crun "${CR_ROOT[@]}" run --bundle "$B_CRUN" "$1"); }
cmd_runc()     { CMD=(runc "${RC_ROOT[@]}" run --bundle "$B_RUNC" "$1"); }
# cmd_refI: runt as built from REFS[I], run as runt is
cmd_ref() { CMD=("$SCRATCH/ref/${REFS[$1]}/runt" "${RT_ROOT[@]}" run --rootfs "$R" /bin/true); }
for i in "${!REFS[@]}"; do eval "cmd_ref$i() { cmd_ref $i; }"; done
cmd_bwrap()    { CMD=(bwrap --unshare-all --bind "$R" / --proc /proc --dev /dev /bin/true); }
cmd_unshare()  { CMD=(unshare --fork --pid --uts --ipc --mount --net chroot "$R" /bin/true); }

# ==== OCI-path extension point (issue 3: `runt run --bundle B ID`) ====================
# Not active: enabled only by BENCH_RUNT_OCI=1 once runt accepts --bundle. It runs runt
# on its own copy of the same OCI bundle crun and runc use (bundle-runt: identical
# config.json, root.path = the shared rootfs), with a unique ID per run, and shows up in
# the table as the row "runt-oci". Nothing else needs changing to turn it on.
cmd_runt_oci() { CMD=("$RUNT" "${RT_ROOT[@]}" run --bundle "$B_RUNT" "$1"); }
# ======================================================================================

# `runt exec` of /bin/true into one long-running container (started by start_exec_target,
# outside the timed region): the cost of joining a container, not of making one.
EXEC_ID=${PREFIX}-exec-target
cmd_runt_exec() { CMD=("$RUNT" --root "$EXEC_ROOT" exec "$EXEC_ID" /bin/true); }
start_exec_target() {
    build_bundle "$B_EXEC"
    jq '.process.args = ["/bin/sleep", "1000000"]' "$B_EXEC/config.json" >"$B_EXEC/config.json.new"
    mv "$B_EXEC/config.json.new" "$B_EXEC/config.json"
    "$RUNT" --root "$EXEC_ROOT" run --detach --bundle "$B_EXEC" "$EXEC_ID" </dev/null >/dev/null 2>&1
}
stop_exec_target() { "$RUNT" --root "$EXEC_ROOT" delete --force "$EXEC_ID" >/dev/null 2>&1 || true; }

# After a failed run of an OCI runtime its container may be left behind.
cleanup_id() {
    case $1 in
        crun|runc) "$1" delete -f "$2" >/dev/null 2>&1 || true ;;
    esac
}

# timeloop TOOL N WARMUP IDBASE: N timed runs, µs per successful run appended to
# $TIMES/TOOL, failures counted in $TIMES/TOOL.fail.
timeloop() {
    local tool=$1 n=$2 warm=$3 base=$4 i id t0 t1 fails=0
    local -a us=()
    for ((i = 0; i < warm; i++)); do
        id=$base-w$i
        "cmd_$tool" "$id"
        "${CMD[@]}" >/dev/null 2>&1 || cleanup_id "$tool" "$id"
    done
    for ((i = 0; i < n; i++)); do
        id=$base-$i
        "cmd_$tool" "$id"
        t0=${EPOCHREALTIME/./}
        if "${CMD[@]}" >/dev/null 2>&1; then
            t1=${EPOCHREALTIME/./}
            us+=($((t1 - t0)))
        else
            fails=$((fails + 1))
            cleanup_id "$tool" "$id"
        fi
    done
    ((${#us[@]} == 0)) || printf '%s\n' "${us[@]}" >>"$TIMES/$tool"
    echo "$fails" >>"$TIMES/$tool.fail"
}

# first_run TOOL: one run, status checked; on failure the reason goes to $TIMES/TOOL.err.
first_run() {
    local tool=$1 id=$PREFIX-$1-check rc=0
    "cmd_$tool" "$id"
    "${CMD[@]}" >/dev/null 2>"$TIMES/$tool.stderr" || rc=$?
    if ((rc != 0)); then
        cleanup_id "$tool" "$id"
        { echo "exit $rc: $(grep -m1 . "$TIMES/$tool.stderr" || true)"; } >"$TIMES/$tool.err"
        return 1
    fi
}

# peak_rss TOOL: peak RSS (KiB) of one run as GNU time reports it (wait4's ru_maxrss:
# the largest of the process and the descendants it waited for).
peak_rss() {
    local tool=$1 id=$PREFIX-$1-rss
    "cmd_$tool" "$id"
    if /usr/bin/time -f %M -o "$TIMES/$tool.rss" "${CMD[@]}" >/dev/null 2>&1; then :; else
        cleanup_id "$tool" "$id"
        echo - >"$TIMES/$tool.rss"
    fi
}

# in_env TOOL FUNC ARGS...: runs FUNC in the environment TOOL needs. For crun: a new
# mount namespace, private, without the cgroup2 "unified" mount of a hybrid host.
in_env() {
    local tool=$1; shift
    if [[ $tool == crun ]]; then
        unshare --mount bash -c "
            set -euo pipefail; export LC_ALL=C
            $(declare -p R RUNT B_CRUN B_RUNC B_RUNT B_EXEC EXEC_ROOT EXEC_ID TIMES PREFIX SCRATCH REFS RT_ROOT CR_ROOT RC_ROOT)
            $(declare -f)
            mount --make-rprivate /
            if mountpoint -q /sys/fs/cgroup/unified && [[ \$(stat -f -c %T /sys/fs/cgroup) != cgroup2fs ]]; then
                umount /sys/fs/cgroup/unified
            fi
            $(printf '%q ' "$@")"
    else
        "$@"
    fi
}

# ---------------------------------------------------------------- statistics and table
# stats TOOL -> "n median_ms p90_ms" (p90: nearest rank)
stats() {
    sort -n "$TIMES/$1" | awk '
        { v[NR] = $1 }
        END {
            if (NR == 0) { print 0, "-", "-"; exit }
            med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            k = int(0.9 * NR); if (k < 0.9 * NR) k++; if (k < 1) k = 1
            printf "%d %.3f %.3f\n", NR, med / 1000, v[k] / 1000
        }'
}

ratio() { # a b -> a/b with 2 decimals, or -
    [[ $1 == - || $2 == - ]] && { echo -; return; }
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f\n", a / b; else print "-" }'
}

binary_of() {
    case $1 in
        runt|runt_oci|runt_exec) echo "$RUNT" ;;
        ref*) echo "$SCRATCH/ref/${REFS[${1#ref}]}/runt" ;;
        crun|runc|bwrap|unshare) command -v "$1" || true ;;
        *) echo "" ;;
    esac
}

linkage() { # static | dynamic (N libs) | script
    [[ -n $1 && -f $1 ]] || { echo -; return; }
    local libs
    [[ $(head -c2 "$1") == '#!' ]] && { echo script; return; }
    libs=$(ldd "$1" 2>/dev/null | grep -c '=>' || true)
    if ((libs > 0)); then echo "dynamic ($libs libs)"; else echo static; fi
}

label() {
    case $1 in
        runt_oci) echo runt-oci ;;
        runt_exec) echo runt-exec ;;
        unshare) echo unshare+chroot ;;
        ref*) echo "runt@${REFS[${1#ref}]}" ;;
        *) echo "$1" ;;
    esac
}

# ---------------------------------------------------------------- main
install_peers
mkdir -p "$SCRATCH"
rm -rf "$TIMES"
mkdir -p "$TIMES"
build_rootfs
build_bundle "$B_CRUN"
build_bundle "$B_RUNC"
build_bundle "$B_RUNT"

# build_ref COMMIT: runt as of COMMIT, in $SCRATCH/ref/COMMIT/runt (built once)
build_ref() {
    local c=$1 d=$SCRATCH/ref/$1
    [[ -x $d/runt ]] && return 0
    rm -rf "$d" && mkdir -p "$d"
    git -C "$TOP" archive --format=tar "$c" | tar -x -C "$d" || return 1
    echo "bench: building runt@$c" >&2
    make -C "$d" runt >"$d.log" 2>&1 || { echo "exit $?: make (see ${d#"$TOP"/}.log)"; return 1; }
}
if [[ $STATE_MODE == tmpfs ]]; then
    mkdir -p "$STATE"
    mountpoint -q "$STATE" || mount -t tmpfs -o mode=0711 runt-bench-state "$STATE"
fi
# Every exit: the exec target stopped (when started), the state tmpfs unmounted.
on_exit() {
    [[ $RUNT_EXEC != 1 ]] || stop_exec_target
    [[ $STATE_MODE != tmpfs ]] || umount "$STATE" 2>/dev/null || true
}
trap on_exit EXIT

TOOLS=(runt)
for i in "${!REFS[@]}"; do
    TOOLS+=("ref$i")
    build_ref "${REFS[$i]}" >"$TIMES/ref$i.err" && rm -f "$TIMES/ref$i.err"
done
[[ $RUNT_OCI == 1 ]] && TOOLS+=(runt_oci)
if [[ $RUNT_EXEC == 1 ]]; then
    TOOLS+=(runt_exec)
    start_exec_target || echo "exit $?: runt run --detach of the exec target failed" >"$TIMES/runt_exec.err"
fi
TOOLS+=(crun runc bwrap unshare baseline)

declare -A OK=()
ACTIVE=()
for t in "${TOOLS[@]}"; do
    if [[ -s $TIMES/$t.err ]]; then
        : # its set-up failed already
    elif [[ $t == runt* && ! -x $RUNT ]]; then
        echo "exit -: $RUNT is not an executable file" >"$TIMES/$t.err"
    elif in_env "$t" first_run "$t"; then
        OK[$t]=1
        ACTIVE+=("$t")
        : >"$TIMES/$t"
        continue
    fi
    echo "bench: $(label "$t") cannot run here: $(cat "$TIMES/$t.err")" >&2
done
((${#ACTIVE[@]} > 0)) || die "no tool could run"

echo "bench: ${#ACTIVE[@]} tools × $RUNS runs in $ROUNDS rounds (+$WARMUP warm-up runs per block)" >&2
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)   # other work on the machine skews the numbers: reported
start=$SECONDS
for ((r = 0; r < ROUNDS; r++)); do
    # this round's share of the runs; the first rounds take the remainder
    n=$((RUNS / ROUNDS + (r < RUNS % ROUNDS ? 1 : 0)))
    k=${#ACTIVE[@]}
    for ((j = 0; j < k; j++)); do
        t=${ACTIVE[$(((j + r) % k))]}
        in_env "$t" timeloop "$t" "$n" "$WARMUP" "$PREFIX-$t-$r"
    done
    echo "bench: round $((r + 1))/$ROUNDS done ($((SECONDS - start)) s)" >&2
done
for t in "${ACTIVE[@]}"; do
    in_env "$t" peak_rss "$t"
done

# gather
declare -A N=() MED=() P90=() FAIL=()
for t in "${TOOLS[@]}"; do
    if [[ -n ${OK[$t]:-} ]]; then
        read -r N[$t] MED[$t] P90[$t] < <(stats "$t")
        FAIL[$t]=$(awk '{ s += $1 } END { print s + 0 }' "$TIMES/$t.fail")
    else
        N[$t]=0 MED[$t]=- P90[$t]=- FAIL[$t]=-
    fi
done
CRUN_MED=${MED[crun]:--}
BWRAP_MED=${MED[bwrap]:--}

{
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' tool median_ms p90_ms x_crun x_bwrap size_bytes peak_rss_kib runs notes
    for t in "${TOOLS[@]}"; do
        bin=$(binary_of "$t")
        size=-
        [[ -n $bin && -f $bin ]] && size=$(stat -c %s "$bin")
        notes=
        if [[ -z ${OK[$t]:-} ]]; then
            notes="CANNOT RUN HERE ($(cat "$TIMES/$t.err"))"
            rss=-
        else
            rss=$(cat "$TIMES/$t.rss")
            [[ $bin ]] && notes=$(linkage "$bin")
            case $t in
                baseline) notes="no container: fork+exec of the rootfs' static busybox true" ;;
                unshare) notes="$notes; + chroot $(stat -c %s "$(command -v chroot)") B" ;;
                crun) notes="$notes; private mount ns w/o cgroup2 'unified'" ;;
                runt_exec) notes="$notes; exec of /bin/true into a running container" ;;
            esac
            ((FAIL[$t] == 0)) || notes="$notes; ${FAIL[$t]} FAILED runs excluded"
        fi
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(label "$t")" "${MED[$t]}" "${P90[$t]}" \
            "$(ratio "${MED[$t]}" "$CRUN_MED")" "$(ratio "${MED[$t]}" "$BWRAP_MED")" \
            "$size" "$rss" "${N[$t]}" "$notes"
    done
} >"$SCRATCH/results.tsv"

echo
echo "runt bench: $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg) (at start: $LOAD0); $(crun --version | head -n1); $(runc --version | head -n1); $(bwrap --version)"
column -t -s $'\t' "$SCRATCH/results.tsv"

# targets
RUNT_MED=${MED[runt]:--}
verdict() { # ratio op limit -> MET/NOT MET
    awk -v r="$1" -v l="$3" -v op="$2" 'BEGIN { ok = (op == "le") ? (r <= l) : (r < l); print ok ? "MET" : "NOT MET" }'
}
if [[ $RUNT_MED == - ]]; then
    t1="not evaluated (runt did not run)"
    t2=$t1
else
    x=$(ratio "$RUNT_MED" "$CRUN_MED")
    y=$(ratio "$RUNT_MED" "$BWRAP_MED")
    if [[ $x == - ]]; then t1="not evaluated (crun did not run)"; else t1="$(verdict "$x" le 0.5) (${x}× crun)"; fi
    if [[ $y == - ]]; then t2="not evaluated (bwrap did not run)"; else t2="$(verdict "$y" lt 1) (${y}× bwrap)"; fi
fi
OCI_MED=${MED[runt_oci]:--}
z=$(ratio "$OCI_MED" "$CRUN_MED")
if [[ $OCI_MED == - || $z == - ]]; then t3="not evaluated"; else t3="$(verdict "$z" le 0.4) (${z}× crun)"; fi
echo
echo "targets: runt median ≤ 0.5× crun: $t1; runt faster than bwrap: $t2"
echo "         runt run --bundle ≤ 0.4× crun run on the same config.json: $t3 (peak RSS: see the table)"
for i in "${!REFS[@]}"; do
    m=${MED[ref$i]:--}
    if [[ $RUNT_MED == - || $m == - ]]; then d="not evaluated"; else
        d=$(awk -v a="$RUNT_MED" -v b="$m" 'BEGIN { printf "%+.1f%% (%.3f ms against %.3f ms)", (a / b - 1) * 100, a, b }')
    fi
    echo "runt vs runt@${REFS[$i]}: $d"
done
echo "state roots: $([[ $STATE_MODE == tmpfs ]] && echo "a tmpfs (BENCH_STATE=tmpfs)" || echo "the tools' defaults under /run (BENCH_STATE=run)")"
echo "(wall-clock ms per run incl. the shell's fork+exec+wait, see baseline; peak RSS is the max over the"
echo " tool and the processes it waited for, so the container's own /bin/true (baseline row) is its floor;"
echo " results in ${SCRATCH#"$TOP"/}/results.tsv; $((SECONDS - start)) s)"

[[ $RUNT_MED != - ]] || exit 1
