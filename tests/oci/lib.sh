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
    # the killed processes leave within moments: remove until nothing is left (5 s at most)
    for _ in $(seq 50); do
        for d in "$@"; do
            [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
        done
        local left=0
        for d in "$@"; do [ -d "$d" ] && left=1; done
        [ $left = 0 ] && break
        sleep 0.1
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

# start_containerd [CRI_TOML]: a private containerd under $S (its own root, state and sockets; the
# snapshotters it cannot use here off), in the background as CTD_PID. The CRI plugin is off, unless
# CRI_TOML is given: then it is on, with that text as the config's end (its [plugins...] tables). A
# containerd that does not answer `ctr version` within about 10 s fails the whole script, saying why.
start_containerd() {
    local cri='"io.containerd.grpc.v1.cri", '
    [ -z "${1:-}" ] || cri=""
    mkdir -p "$S/ctd-root" "$S/ctd-state"
    cat >"$S/containerd.toml" <<EOF
version = 2
root = "$S/ctd-root"
state = "$S/ctd-state"
disabled_plugins = [${cri}"io.containerd.internal.v1.opt",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.tracing.processor.v1.otlp"]

[grpc]
  address = "$S/containerd.sock"
[ttrpc]
  address = "$S/containerd.sock.ttrpc"
${1:-}
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

oci_blob() { # LAYOUT FILE: store FILE as a blob of the OCI layout LAYOUT, print "DIGEST SIZE"
    local d
    d=$(sha256sum "$2" | cut -d' ' -f1)
    cp "$2" "$1/blobs/sha256/$d"
    echo "$d $(stat -c %s "$2")"
}
# oci_archive ROOTFS NAME CONFIG OUT: an OCI image archive at OUT, for `ctr image import` (no
# registry here): ROOTFS as its one layer, named NAME, CONFIG (JSON) as the image config's "config"
# object. Its blobs are built under $S/oci-NAME, removed afterwards.
oci_archive() {
    local rootfs=$1 name=$2 conf=$3 out=$4 o L LS C CS M MS
    o=$S/oci-${name//[^A-Za-z0-9.-]/_}
    rm -rf "$o"
    mkdir -p "$o/blobs/sha256"
    tar -C "$rootfs" --numeric-owner -cf "$o/layer.tar" .
    read -r L LS < <(oci_blob "$o" "$o/layer.tar")
    printf '{"architecture":"amd64","os":"linux","config":%s,"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
        "$conf" "$L" >"$o/config.json"
    read -r C CS < <(oci_blob "$o" "$o/config.json")
    printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
        "$C" "$CS" "$L" "$LS" >"$o/manifest.json"
    read -r M MS < <(oci_blob "$o" "$o/manifest.json")
    printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
        "$M" "$MS" "$name" "${name##*:}" >"$o/index.json"
    echo '{"imageLayoutVersion":"1.0.0"}' >"$o/oci-layout"
    tar -C "$o" -cf "$out" oci-layout index.json blobs
    rm -rf "$o"
}

# stop_containerd: ends the private containerd (SIGTERM, up to 10 s to exit, then SIGKILL) and the
# shims of this test's containers (their command lines name its socket, under $S)
stop_containerd() {
    local p
    if [ -n "${CTD_PID:-}" ] && kill -0 "$CTD_PID" 2>/dev/null; then
        kill "$CTD_PID"
        for _ in $(seq 100); do kill -0 "$CTD_PID" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$CTD_PID" 2>/dev/null
        wait "$CTD_PID" 2>/dev/null
    fi
    for p in $(pgrep -f '^/usr/bin/containerd-shim-runc-v2 '); do
        grep -qF "$S/" "/proc/$p/cmdline" 2>/dev/null && kill -9 "$p"
    done
    return 0
}

# own_mounts "$0" "$@": runs the calling script again in a mount namespace of its own (private),
# unless this is that run: whatever it mounts, or leaves mounted, never reaches the host's
own_mounts() {
    [ -n "${OCI_OWN_MOUNTS:-}" ] || exec unshare --mount env OCI_OWN_MOUNTS=1 "$@"
}

# --- a console socket's other end --------------------------------------------------------------------
# recv_py: writes $S/recv.py, which listen runs; PY names python3
recv_py() {
    cat >"$S/recv.py" <<'EOF'
# recv.py SOCKET OUT SECONDS: accept one connection on SOCKET, take the fd it sends (SCM_RIGHTS),
# then copy what is read from it to OUT until EOF/EIO or SECONDS pass.
import array, os, select, socket, sys, time
path, outpath, limit = sys.argv[1], sys.argv[2], float(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(1)
s.settimeout(limit)
with open(outpath, "w") as out:
    out.write("READY\n")
    out.flush()
    c, _ = s.accept()
    fds = array.array("i")
    msg, anc, _, _ = c.recvmsg(4096, socket.CMSG_SPACE(16 * fds.itemsize))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
    if not fds:
        out.write("NOFD\n")
        sys.exit(1)
    out.write("FD %s\n" % os.readlink("/proc/self/fd/%d" % fds[0]))
    # A pidfd names its process in fdinfo ("Pid:\tN"); a pty master has no such line.
    with open("/proc/self/fdinfo/%d" % fds[0]) as info:
        out.write("".join(l for l in info if l.startswith("Pid:")).replace("\t", " "))
    out.flush()
    end = time.time() + limit
    while time.time() < end:
        r, _, _ = select.select([fds[0]], [], [], 0.2)
        if r:
            try:
                data = os.read(fds[0], 4096)
            except OSError:
                break
            if not data:
                break
            out.write(data.decode(errors="replace").replace("\r", ""))
            out.flush()
EOF
}
listen() { # SOCKET OUT: recv.py in the background on SOCKET (RECV_PID), once it is listening
    "$PY" "$S/recv.py" "$1" "$2" 10 2>"$S/recv.err" &
    RECV_PID=$!
    for _ in $(seq 50); do grep -q READY "$2" 2>/dev/null && break; sleep 0.1; done
}
unlisten() { # stop recv.py (it may have ended by itself)
    kill "$RECV_PID" 2>/dev/null || true
    wait "$RECV_PID" 2>/dev/null || true
    RECV_PID=
}

# --- containers driven through runt's command line (lifecycle.sh, contract.sh) ----------------------
# They set ROOT (runt's --root), RR (RUNT with it), CGP (the parent of the containers' cgroups) and
# IDS=() before using these.

# busybox_rootfs DIR [hard]: a busybox root filesystem, with root in /etc/passwd and /etc/group;
# its applets are symbolic links to /bin/busybox, or hard links (as in the busybox images of
# registries) when asked
busybox_rootfs() {
    local a ln=(ln -s busybox)
    [ "${2:-}" != hard ] || ln=(ln "$1/bin/busybox")
    mkdir -p "$1"/{bin,etc,tmp,proc,sys,dev,root}
    cp /bin/busybox "$1/bin/busybox"
    for a in $("$1/bin/busybox" --list); do [ "$a" = busybox ] || "${ln[@]}" "$1/bin/$a"; done
    printf 'root:x:0:0:root:/root:/bin/sh\n' >"$1/etc/passwd"
    printf 'root:x:0:\n' >"$1/etc/group"
}
new() { IDS+=("$1@${2-$ROOT}"); } # ID [ROOT]: remember a container for the clean-up ("": the default)
delete_ids() { # delete --force every container in IDS, each under its own --root
    local e id root
    for e in ${IDS[@]+"${IDS[@]}"}; do
        id=${e%%@*} root=${e#*@}
        if [ -n "$root" ]; then
            timeout 10 "$RUNT" --root "$root" delete --force "$id" >/dev/null 2>&1
        else
            timeout 10 "$RUNT" delete --force "$id" >/dev/null 2>&1
        fi
    done
}
status() { # ID [RUNT ARGS...]: the status field of `state`, or "none"
    local id=$1 st
    shift
    [ $# -gt 0 ] || set -- "${RR[@]}"
    st=$(timeout 10 "$@" state "$id" 2>/dev/null | jq -r .status 2>/dev/null) || true
    echo "${st:-none}"
}
wait_status() { # ID WANT: poll up to 5 s
    for _ in $(seq 50); do
        [ "$(status "$1")" = "$2" ] && return 0
        sleep 0.1
    done
    return 1
}
nothing_left() { # the last case: no container under ROOT, no cgroup under CGP
    local left
    run "${RR[@]}" list --format json
    left=$(find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -path "*/$CGP/*" -type d 2>/dev/null | tr '\n' ' ')
    if [ "$rc" = 0 ] && [ "$(printf '%s' "$out" | jq 'length' 2>/dev/null)" = 0 ] && [ -z "$left" ]; then
        ok nothing-left
    else
        bad nothing-left "list --format json: $(got); cgroups: $left"
    fi
}
