# tests/oci/lib.sh: what the OCI tests (lifecycle.sh and the engines' podman.sh, containerd.sh,
# docker.sh) share, sourced by each: the install step, the cgroup reaper, the tracing wrapper, the
# PASS/FAIL harness.
# The test sets S (its scratch root), RUNT, T (seconds one command may take) and BUDGET (seconds
# for all its cases) before it uses them.
# shellcheck shell=bash disable=SC2034 # rc, out and err are the callers' to read

# apt_install PKG...: installs them (apt-get update first if that is what it takes); the test's
# one FAIL line and exit 1 if it cannot
apt_install() {
    [ $# -gt 0 ] || return 0
    echo "installing $*"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 ||
        { apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@" >/dev/null; } ||
        { echo "FAIL install: apt-get install $* failed"; echo "0 passed, 1 failed"; exit 1; }
}

# reap DIR...: kill what is left in these cgroup directories (this test's containers only) and
# remove them, deepest first
reap() {
    local d p
    for d in "$@"; do
        [ -d "$d" ] || continue
        find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | while read -r p; do kill -9 "$p" 2>/dev/null; done
    done
    sleep 0.2
    for d in "$@"; do
        [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
    done
    return 0
}

# tracer NAME: a wrapper $S/bin/NAME that appends its argv, environment and open fds to
# $RUNT_TRACE, then execs RUNT
tracer() {
    cat >"$S/bin/$1" <<EOF
#!/bin/bash
LOG='$(realpath -m "$RUNT_TRACE")' RT='$RUNT'
EOF
    cat >>"$S/bin/$1" <<'EOF'
echo "=== ${0##*/} $*" >>"$LOG"
echo "    env: $(env | grep -v -e '^_=' -e '^PATH=' | sort | tr '\n' ' ')" >>"$LOG"
ls -l /proc/$$/fd >"$LOG.fds.$$" # ls, not a pipe or $(...): they would show fds of their own
awk 'NR > 1 && $9 != 255 { printf "%s->%s ", $9, $11 }' "$LOG.fds.$$" | sed 's/^/    fds: /' >>"$LOG"
echo >>"$LOG"
rm -f "$LOG.fds.$$"
exec "$RT" "$@"
EOF
    chmod +x "$S/bin/$1"
}

# --- harness: one `PASS name` / `FAIL name: why` line per case, the test ends with the counts ---
pass=0
fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }

# run CMD...: runs with a timeout, stdin from /dev/null; sets $rc, $out (stdout without CRs and
# NULs: a terminal's output has both) and $err (stderr on one line). Past the budget, not at all.
run() {
    if [ $SECONDS -gt "$BUDGET" ]; then
        rc=124 out="" err="not run: the test's time budget (${BUDGET}s) is spent"
        return
    fi
    set +e
    timeout -k 5 "$T" "$@" >"$S/out" 2>"$S/err" </dev/null
    rc=$?
    set -e
    out=$(tr -d '\r\0' <"$S/out")
    err=$(tr '\n' ' ' <"$S/err" | head -c 400)
}
# what happened, for a FAIL line
got() { printf 'exit %s, stdout "%s", stderr "%s"' "$rc" "$(printf '%s' "$out" | tr '\n' '|' | head -c 200)" "$err"; }

# expect NAME RC STDOUT: the last run exited RC and printed exactly STDOUT
expect() {
    if [ "$rc" = "$2" ] && [ "$out" = "$3" ]; then ok "$1"; else bad "$1" "want exit $2 and \"$3\", got $(got)"; fi
}

# start_containerd: a private containerd under $S (its own root, state and sockets; the CRI plugin
# and the snapshotters it cannot use here off), in the background as CTD_PID. A containerd that
# does not answer `ctr version` within about 10 s fails the whole script, saying why.
start_containerd() {
    mkdir -p "$S/ctd-root" "$S/ctd-state"
    cat >"$S/containerd.toml" <<EOF
version = 2
root = "$S/ctd-root"
state = "$S/ctd-state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.opt",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.tracing.processor.v1.otlp"]

[grpc]
  address = "$S/containerd.sock"
[ttrpc]
  address = "$S/containerd.sock.ttrpc"
EOF
    containerd --config "$S/containerd.toml" >"$S/containerd.log" 2>&1 &
    CTD_PID=$!
    for _ in $(seq 100); do
        timeout 5 ctr --address "$S/containerd.sock" version >/dev/null 2>&1 && return 0
        kill -0 "$CTD_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "FAIL containerd: did not start: $(tail -n 3 "$S/containerd.log" | tr '\n' ' ' | head -c 400)"
    echo "0 passed, 1 failed"
    exit 1
}
