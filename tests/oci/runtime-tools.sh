#!/bin/bash
# tests/oci/runtime-tools.sh RUNT: the OCI runtime-tools validation suite against RUNT, judged by
# what crun 1.8.1 passes on this host.
#   tests/oci/runtime-tools.sh RUNT             the `make test` stage (the rules are below)
#   tests/oci/runtime-tools.sh --measure RT     every test's outcome for any runtime (crun, runc,
#                                               installed from Debian when named and missing), no
#                                               judging: how CRUN_PASSES and RUNC_PASSES were made
#   ... RUNT TEST...                            only these tests (e.g. linux_sysctl), judged alike
#
# The suite (runtime-tools at commit 260e151b: validation/X/X.t, one program per test, printing
# TAP, and runtimetest, the helper they run inside the container) is built from the archive in
# ../shared/third_party/ with Debian's Go (no module proxy: its vendor/ directory) into
# .cache/runtime-tools/src/, git-ignored, once per archive and Go version.
#
# Each test runs as root from that directory (it looks for runtimetest and the rootfs tarball in
# its working directory), one at a time, under a timeout, with RUNTIME a wrapper that gives the
# runtime a state root of its own (`--root`), so `list` and `delete` see only this stage's
# containers, and TMPDIR a scratch directory for its bundles. After each test: its containers are
# force-deleted, its helper processes (marked by an environment variable) killed, mounts under the
# scratch root unmounted (the run has a mount namespace of its own, so none reach the host's), the cgroups the suite names (/cgrouptest, testdir/cgrouptest/container,
# the same for every run) removed. A mount or a container cgroup still there once the runtime
# deleted the container is the runtime's leak: a FAIL. The tests' fixed cgroup names are why one
# run at a time holds a host-wide lock (flock on the archive).
#
# The verdict of one test: it passes when it exits 0 within the timeout, prints no `not ok`, each
# TAP stream runs the number of tests it planned, and no error is reported outside a test line
# (some tests report their failure only as a YAML diagnostic after `1..0`). All checks skipped:
# `SKIP`. A test on FLAKY (each with why) gets up to 10 attempts, a second apart (its losses come
# in bursts); the first pass counts.
#
# The stage fails when a test that crun passes (CRUN_PASSES) fails under RUNT, unless KNOWN names
# it (why, and which issue fixes it); and when a test on KNOWN passes, so the list only shrinks.
# Tests crun fails too are reported (XFAIL) and do not count.
# Output: one line per test (PASS, FAIL, KNOWN, XFAIL, SKIP, with its seconds), the totals, the
# stage's time, then `N passed, N failed`. Each test's full TAP: .cache/runtime-tools/log/NAME.out.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
. "$TOP/tests/oci/lib.sh"
[ $# -ge 1 ] || { echo "usage: $0 [--measure] RUNTIME [TEST...]" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "$0: must run as root" >&2; exit 2; }
# The run is in a mount namespace of its own (private): whatever a test mounts in the caller's
# namespace (a container without a mount namespace, a leak) never reaches the host's, and crun
# can be shown this host without the v2 hierarchy (see CRUN_PASSES).
own_mounts "$0" "$@"
MEASURE=0
if [ "$1" = --measure ]; then MEASURE=1; shift; fi
C=$TOP/.cache/runtime-tools # the build (src/) and the last run's logs (log/)
S=$C/run                    # the run's scratch root: state, bundles, the wrapper; deleted afterwards
L=$C/log
ARCHIVE=${RUNTIME_TOOLS_ARCHIVE:-$TOP/../shared/third_party/runtime-tools-260e151b.tar.xz}
T=60       # seconds one test may take (the slowest, delete, takes about 15)
BUDGET=600 # seconds for all of them: past it, the remaining tests are not run (and fail)

# --- what crun and runc pass here, and what runt is known to fail -----------------------------------
# Measured on this host (Debian 12, kernel 6.18, cgroup v1 hybrid, 2 CPUs, root without
# CAP_SYS_RESOURCE) with `tests/oci/runtime-tools.sh --measure crun` (and `runc`): crun 1.8.1
# passes 40 of the 58 tests, runc 1.1.5 31. crun refuses every container on a hybrid host whose v2
# hierarchy holds a controller ("cgroups in hybrid mode not supported, drop all controllers from
# cgroupv2": hugetlb is there, not mounted on v1), so --measure unmounts /sys/fs/cgroup/unified in
# the run's own mount namespace, where crun then sees plain v1; nothing changes on the host.
CRUN_PASSES=" config_updates_without_affect create default delete_only_create_resources
 delete_resources hooks_stdin hostname kill kill_no_effect killsig linux_cgroups_cpus
 linux_cgroups_devices linux_cgroups_pids linux_cgroups_relative_cpus linux_cgroups_relative_devices
 linux_cgroups_relative_pids linux_devices linux_masked_paths linux_mount_label linux_ns_itype
 linux_ns_nopath linux_ns_path linux_ns_path_type linux_readonly_paths linux_rootfs_propagation
 linux_seccomp linux_sysctl linux_uid_mappings mounts poststart poststart_fail poststop
 poststop_fail prestart_fail process process_oom_score_adj process_rlimits_fail process_user
 root_readonly_true state "
# Reported next to each failure; the stage does not judge by it.
RUNC_PASSES=" config_updates_without_affect create default delete_only_create_resources
 delete_resources hostname kill kill_no_effect killsig linux_cgroups_cpus linux_cgroups_pids
 linux_cgroups_relative_cpus linux_cgroups_relative_pids linux_devices linux_masked_paths
 linux_ns_itype linux_ns_nopath linux_ns_path linux_ns_path_type linux_readonly_paths linux_sysctl
 linux_uid_mappings mounts poststop prestart_fail process process_oom_score_adj
 process_rlimits_fail process_user root_readonly_true state "
CRUN_PASSES=${CRUN_PASSES//$'\n'/ } RUNC_PASSES=${RUNC_PASSES//$'\n'/ }
# Tests crun passes and runt fails today: why, and the issue item that fixes it.
declare -A KNOWN=(
)
# Tests whose outcome varies from run to run here, and why: up to 10 attempts each (above).
declare -A FLAKY=(
    [poststart]="the test races the container's own write to a file against the poststart hook's, which no runtime can order (crun lost 8 runs of 20 here, runt 12 of 100, in bursts: CI once lost 5 in a row); that poststart runs only once the command was executed is checked by lifecycle.sh's hooks case"
    [killsig]="the test sends the signal as soon as the container runs, before its shell may have set the trap (crun lost 1 run of 3 here)"
)

# --- the runtime ---------------------------------------------------------------------------------------
if [[ $1 == */* ]]; then
    RUNT=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
else
    RUNT=$(command -v "$1" || true)
    if [ -z "$RUNT" ] && [ $MEASURE = 1 ] && { [ "$1" = crun ] || [ "$1" = runc ]; }; then
        apt_install "$1"
        RUNT=$(command -v "$1")
    fi
fi
[ -x "$RUNT" ] || { echo "$0: $1 is not an executable" >&2; exit 2; }
NAME=$(basename "$RUNT")
shift
ONLY=("$@")

# crun refuses this host as it is: see CRUN_PASSES
if [ $MEASURE = 1 ] && [ "$NAME" = crun ] && [ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)" ]; then
    echo "crun refuses this hybrid host: measured without /sys/fs/cgroup/unified (in this run's mount namespace)"
    umount /sys/fs/cgroup/unified
fi

# --- tools and the build -------------------------------------------------------------------------------
STAGE_START=$SECONDS
need=()
command -v go >/dev/null || need+=(golang-go)
command -v xz >/dev/null || need+=(xz-utils)
apt_install "${need[@]}"
[ -f "$ARCHIVE" ] || {
    echo "FAIL build: the runtime-tools archive is not at $ARCHIVE (see ../shared/third_party/README.md)"
    echo "0 passed, 1 failed"
    exit 1
}

# build: the suite in $C/src, unless the stamp says this archive was built there by this Go
build() {
    local want t0=$SECONDS
    want="$(sha256sum <"$ARCHIVE" | cut -d' ' -f1) $(go version)"
    if [ "$want" = "$(cat "$C/src.stamp" 2>/dev/null)" ] && [ -x "$C/src/runtimetest" ]; then
        echo "runtime-tools: built already ($C/src, from $(basename "$ARCHIVE"))"
        return
    fi
    rm -rf "$C/src" "$C/src.stamp" "$C/go"
    mkdir -p "$C/src"
    tar -xJf "$ARCHIVE" -C "$C/src" --strip-components=1
    # the Go caches stay under $C (and go after the build): nothing lands in root's home
    if ! (cd "$C/src" && GOFLAGS=-mod=vendor GOPROXY=off GOTOOLCHAIN=local GOCACHE="$C/go/cache" \
        GOPATH="$C/go/path" make -j2 runtimetest validation-executables >"$C/build.log" 2>&1); then
        echo "FAIL build: make runtimetest validation-executables: $(tail -n 3 "$C/build.log" | tr '\n' ' ' | head -c 400)"
        echo "0 passed, 1 failed"
        exit 1
    fi
    chmod -R u+w "$C/go" 2>/dev/null || true
    rm -rf "$C/go"
    echo "$want" >"$C/src.stamp"
    echo "runtime-tools: built in $((SECONDS - t0)) s ($(go version | cut -d' ' -f3), $C/src)"
}
mkdir -p "$C"
build
BUILD_SECS=$((SECONDS - STAGE_START))

ALL=()
for f in "$C"/src/validation/*/*.go; do
    [[ $f == */util/* ]] || ALL+=("$(basename "$f" .go)")
done
TESTS=("${ALL[@]}")
if [ ${#ONLY[@]} -gt 0 ]; then
    for n in "${ONLY[@]}"; do
        [[ " ${ALL[*]} " == *" $n "* ]] || { echo "$0: the suite has no test $n" >&2; exit 2; }
    done
    TESTS=("${ONLY[@]}")
fi
for n in "${ALL[@]}"; do
    [ -x "$C/src/validation/$n/$n.t" ] || { echo "FAIL build: validation/$n/$n.t was not built"; echo "0 passed, 1 failed"; exit 1; }
done

# --- one run at a time on this host: the suite's cgroup names are fixed ---------------------------------
exec 9<"$ARCHIVE"
if ! flock -n 9; then
    echo "waiting for another runtime-tools run on this host to finish"
    flock -w 900 9 || { echo "FAIL lock: another runtime-tools run held $ARCHIVE for 15 minutes"; echo "0 passed, 1 failed"; exit 1; }
fi

# --- scratch root and clean-up -----------------------------------------------------------------------
MARK=$S # the value of RTT_MARK in every process a test starts (the runtime's included)
RR=("$RUNT" --root "$S/state")

# cgroup_bases: every hierarchy's root, and this script's own cgroup in it (where runc and crun put
# a relative cgroupsPath); one a line
cgroup_bases() {
    local line ctrls path mnt
    while IFS= read -r line; do
        ctrls=${line#*:} ctrls=${ctrls%%:*} path=${line#*:*:}
        if [ -z "$ctrls" ]; then
            mnt=$(findmnt -rn -t cgroup2 -o TARGET | awk 'NR == 1')
        else
            mnt=$(findmnt -rn -t cgroup -o TARGET,OPTIONS | awk -v c="${ctrls%%,*}" '{n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) { print $1; exit }}')
        fi
        [ -n "$mnt" ] || continue
        echo "$mnt"
        [ "$path" = / ] || echo "$mnt$path"
    done </proc/self/cgroup
}
# marked: the pids of processes a test started that are still there (not this script's)
marked() {
    grep -lzxF "RTT_MARK=$MARK" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 | grep -vx "$$" || true
}

# tidy NAME: clean up after one test; sets $left to what the test left (a note: a test that stops
# early leaves its container and bundle) and $leak to what the runtime left (a FAIL)
tidy() {
    local id p m b n cgs=()
    left="" leak=""
    for id in $("${RR[@]}" list -q 2>/dev/null); do
        left+=" container $id;"
        timeout 10 "${RR[@]}" delete --force "$id" >/dev/null 2>&1 || true
    done
    n=$(marked | wc -l)
    if [ "$n" -gt 0 ]; then
        left+=" $n processes;"
        marked | while read -r p; do kill -9 "$p" 2>/dev/null || true; done
    fi
    for id in $("${RR[@]}" list -q 2>/dev/null); do leak+=" container $id after delete --force;"; done
    while read -r m; do
        [ -n "$m" ] || continue
        # without a mount namespace the container's mounts are made in ours: runc and crun
        # leave them there too
        if [ "$1" = linux_ns_itype ]; then left+=" mount $m;"; else leak+=" mount $m;"; fi
        umount -l "$m" 2>/dev/null || true
    done < <(findmnt -rn -o TARGET | grep -F "$S/" | sort -r)
    for b in $(cgroup_bases); do
        # the container's own cgroup is the runtime's to remove; the parents it made for a
        # nested path stay behind with runc and crun too
        for m in "$b/cgrouptest" "$b/testdir/cgrouptest/container"; do
            [ ! -d "$m" ] || leak+=" cgroup $m;"
        done
        for m in "$b/cgrouptest" "$b/testdir"; do
            [ ! -d "$m" ] || cgs+=("$m")
        done
    done
    [ ${#cgs[@]} = 0 ] || reap "${cgs[@]}"
    if compgen -G "$S/tmp/*" >/dev/null; then
        left+=" $(find "$S/tmp" -mindepth 1 -maxdepth 1 | wc -l) bundles;"
        rm -rf --one-file-system "${S:?}"/tmp/*
    fi
}

cleanup() {
    set +e
    [ -d "$S" ] && tidy -
    findmnt -rn -o TARGET | grep -F "$S/" | sort -r | while read -r m; do umount -l "$m"; done
    rm -rf --one-file-system "$S"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ -e "$S" ]; then cleanup; fi
mkdir -p "$S"/{state,tmp,bin}
rm -rf "$L"
mkdir -p "$L"
# the runtime as the suite calls it: its own state root
printf '#!/bin/sh\nexec %q --root %q "$@"\n' "$RUNT" "$S/state" >"$S/bin/$NAME"
chmod +x "$S/bin/$NAME"

# --- one test -------------------------------------------------------------------------------------------
# verdict FILE: a test's TAP (one stream or several) → "pass", "skip" or "fail: why"
verdict() {
    awk '
    function close_stream() {
        if (planned && plan != n && !why) why = "planned " plan " tests, ran " n
        total += n; n = 0; planned = 0; last = ""
    }
    /^TAP version/ { close_stream(); next }
    /^(not )?ok / { last = "test"; n++ }
    /^not ok / && !why { i = index($0, " - "); why = "not ok: " (i ? substr($0, i + 3) : $0) }
    /^ok .*# [Ss][Kk][Ii][Pp]/ { skips++ }
    /^  ---$/ { yaml = 1; orphan = (last != "test"); next }
    /^  \.\.\.$/ { yaml = 0; last = "yaml"; next }
    yaml && orphan && /^    "error": / && !why { e = $0; sub(/^    "error": "/, "", e); sub(/",?$/, "", e); sub(/\\n.*/, "", e); why = "error: " e }
    /^1\.\.[0-9]+$/ { plan = substr($0, 4) + 0; planned = 1 }
    END {
        close_stream()
        if (why) print "fail: " why
        else if (total > 0 && skips == total) print "skip"
        else print "pass"
    }' "$1"
}

# run_one NAME: runs validation/NAME/NAME.t; sets $result and $secs
run_one() {
    local n=$1 t0=$SECONDS rc
    if [ $((SECONDS - STAGE_START)) -gt $BUDGET ]; then
        result="fail: not run: the stage's time budget (${BUDGET}s) is spent" secs=0
        return
    fi
    set +e
    (cd "$C/src" && exec timeout -k 5 $T env RUNTIME="$S/bin/$NAME" TMPDIR="$S/tmp" RTT_MARK="$MARK" \
        "./validation/$n/$n.t") >"$L/$n.out" 2>"$L/$n.err" </dev/null
    rc=$?
    set -e
    secs=$((SECONDS - t0))
    if [ $rc = 124 ] || [ $rc = 137 ]; then
        result="fail: timed out after ${T}s"
    elif [ $rc != 0 ]; then
        # the tests say "failed to create the container", then the runtime's stderr
        result="fail: exit $rc: $(awk '!/^failed to [a-z]* the container$/ && !/^exit status [0-9]+$/ { print substr($0, 1, 300); exit }' "$L/$n.err")"
    else
        result=$(verdict "$L/$n.out")
    fi
}

# --- the run ----------------------------------------------------------------------------------------------
# every KNOWN entry names a test of the suite that crun passes
[ $MEASURE = 1 ] || for n in "${!KNOWN[@]}"; do
    [[ " ${ALL[*]} " == *" $n "* ]] || bad "known-$n" "KNOWN names a test the suite does not have"
    [[ $CRUN_PASSES == *" $n "* ]] || bad "known-$n" "KNOWN names a test crun fails too: take it off"
done

# peers NAME: how crun and runc did on it here
peers() {
    local c=fails r=fails
    [[ $CRUN_PASSES != *" $1 "* ]] || c=passes
    [[ $RUNC_PASSES != *" $1 "* ]] || r=passes
    echo "crun $c, runc $r"
}

passes=() known=0 xfail=0 skipped=0
TESTS_START=$SECONDS
echo "runtime-tools validation: ${#TESTS[@]} tests against $RUNT"
for n in "${TESTS[@]}"; do
    # a flaky test gets up to 10 attempts: the first pass counts, the failures before it are told
    attempt=1 before="" leaks="" notes=""
    while :; do
        run_one "$n"
        tidy "$n"
        leaks+=$leak notes+=$left
        if [ "$result" = pass ] || [ -z "${FLAKY[$n]-}" ] || [ $attempt = 10 ]; then break; fi
        before+="; attempt $attempt: ${result#fail: }"
        attempt=$((attempt + 1))
        sleep 1
    done
    if [ -n "$before" ] && [ "$result" = pass ]; then
        before=" [flaky: passed on attempt $attempt${before}]"
    elif [ -n "$before" ]; then
        before=" [flaky: failed $attempt attempts]"
    fi
    why=${result#fail: }
    if [ $MEASURE = 1 ]; then
        echo "$n: $result (${secs} s)$before"
        [ "$result" != pass ] || passes+=("$n")
    elif [ "$result" = pass ]; then
        passes+=("$n")
        if [ -n "${KNOWN[$n]-}" ]; then bad "$n" "now passes: remove it from the known-failing list"; else ok "$n (${secs} s)$before"; fi
    elif [ -n "${KNOWN[$n]-}" ]; then
        echo "KNOWN $n: $why (${secs} s) [$(peers "$n"); known-failing: ${KNOWN[$n]}]"
        known=$((known + 1))
    elif [[ $CRUN_PASSES == *" $n "* ]]; then
        bad "$n" "$why (${secs} s) [$(peers "$n")]$before"
    elif [ "$result" = skip ]; then
        echo "SKIP $n: every check skipped (${secs} s) [$(peers "$n")]"
        skipped=$((skipped + 1))
    else
        echo "XFAIL $n: $why (${secs} s) [$(peers "$n")]"
        xfail=$((xfail + 1))
    fi
    [ -z "$notes" ] || echo "      (left by the test and removed:${notes%;})"
    [ -z "$leaks" ] || bad "$n-leftovers" "left behind by the runtime (after delete --force):${leaks%;}"
done

echo "$NAME: ${#passes[@]} of ${#TESTS[@]} tests pass; tests $((SECONDS - TESTS_START)) s, build $BUILD_SECS s, stage $((SECONDS - STAGE_START)) s"
if [ $MEASURE = 1 ]; then
    echo "passes:"
    printf ' %s' "${passes[@]}" | fold -s -w 100
    echo
    exit 0
fi
echo "not counted: $known known failures, $xfail that crun fails too, $skipped skipped"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
