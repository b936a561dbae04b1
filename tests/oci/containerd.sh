#!/bin/bash
# tests/oci/containerd.sh RUNT: Debian's containerd (1.6) and its runc v2 shim driving RUNT.
#
# A private containerd runs on a scratch root, .cache/containerd-test/ (own root, state, socket,
# config; the CRI plugin off), deleted afterwards. ctr picks the runtime per container:
# `--runtime io.containerd.runc.v2 --runc-binary RUNT --runc-root DIR` (the shim's BinaryName and
# Root options). The image is the busybox rootfs as an OCI archive built here (`ctr image import`,
# no registry); one case also uses `ctr run --rootfs DIR`.
# Output: one `PASS name` / `FAIL name: why` line per case, then `N passed, N failed`.
# Set RUNT_TRACE=FILE to log every runtime invocation (argv, fds) to FILE.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 RUNT" >&2; exit 2; }
RUNT=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
[ -x "$RUNT" ] || { echo "$0: $1 is not an executable" >&2; exit 2; }
TOP=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
. "$TOP/tests/oci/lib.sh"
S=$TOP/.cache/containerd-test
IMG=localhost/runt-busybox:test
NS=runt-test
T=30       # seconds any single ctr command may take
BUDGET=240 # seconds for all the cases

[ "$(id -u)" = 0 ] || { echo "$0: must run as root" >&2; exit 2; }

# --- install --------------------------------------------------------------------------------------
need=()
command -v containerd >/dev/null || need+=(containerd)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v script >/dev/null || need+=(bsdutils)
apt_install "${need[@]}"
for b in containerd ctr containerd-shim-runc-v2; do
    command -v $b >/dev/null || { echo "FAIL install: no $b after apt-get"; echo "0 passed, 1 failed"; exit 1; }
done

# --- scratch root, private containerd, clean-up ---------------------------------------------------
# The v2 shim puts its sockets in /run/containerd/s whatever containerd's state dir is: remove that
# afterwards if this test is what created /run/containerd.
run_containerd_pre=0
[ -e /run/containerd ] && run_containerd_pre=1
CTD_PID=
CTR=(ctr --address "$S/containerd.sock" --namespace "$NS")

cleanup() {
    set +e
    if [ -n "$CTD_PID" ] && kill -0 "$CTD_PID" 2>/dev/null; then
        for c in $(timeout 10 "${CTR[@]}" task ls -q 2>/dev/null); do
            timeout 10 "${CTR[@]}" task kill -s KILL "$c" >/dev/null 2>&1
        done
        sleep 0.2
        for c in $(timeout 10 "${CTR[@]}" container ls -q 2>/dev/null); do
            timeout 10 "${CTR[@]}" task delete -f "$c" >/dev/null 2>&1
            timeout 10 "${CTR[@]}" container delete "$c" >/dev/null 2>&1
        done
    fi
    stop_containerd
    findmnt -rn -o TARGET | grep -F "$S/" | sort -r | while read -r m; do umount -l "$m"; done
    rm -rf "$S"
    if [ $run_containerd_pre = 0 ]; then
        rmdir /run/containerd/s /run/containerd/fifo /run/containerd/runc/$NS /run/containerd/runc /run/containerd 2>/dev/null
    fi
    # the cgroups ctr names /NS/ID, when empty
    reap /sys/fs/cgroup/*/"$NS" /sys/fs/cgroup/"$NS"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -e "$S" ]; then cleanup; fi
mkdir -p "$S"/{runc-root,fifo,bin}

start_containerd

# the runtime, possibly through a logging wrapper
RT=$RUNT
if [ -n "${RUNT_TRACE:-}" ]; then
    tracer "$(basename "$RUNT")"
    RT=$S/bin/$(basename "$RUNT")
fi
SNAP=overlayfs
RUNOPTS=(--snapshotter "$SNAP" --runtime io.containerd.runc.v2 --runc-binary "$RT" --runc-root "$S/runc-root" --fifo-dir "$S/fifo")

# --- the image: busybox as an OCI image archive ----------------------------------------------------
R=$S/rootfs
mkdir -p "$R"/{bin,etc,tmp,proc,sys,dev,root}
cp /bin/busybox "$R/bin/busybox"
for a in $("$R/bin/busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$R/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/:/bin/sh\n' >"$R/etc/passwd"
printf 'root:x:0:\nuser:x:1000:\n' >"$R/etc/group"
chmod 1777 "$R/tmp"
oci_archive "$R" "$IMG" '{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]}' "$S/image.tar"
if ! timeout 60 "${CTR[@]}" image import --snapshotter $SNAP "$S/image.tar" >/dev/null 2>"$S/import.err"; then
    echo "FAIL import: $(head -c 300 "$S/import.err")"
    echo "0 passed, 1 failed"
    exit 1
fi

# --- harness ----------------------------------------------------------------------------------------
n=0
cid() { n=$((n + 1)); c=c$n; } # sets $c: a fresh container id

# --- cases --------------------------------------------------------------------------------------------
cid
run "${CTR[@]}" run --rm "${RUNOPTS[@]}" "$IMG" "$c" echo hello
expect echo 0 hello

cid
run "${CTR[@]}" run --rm "${RUNOPTS[@]}" "$IMG" "$c" sh -c 'exit 3'
expect exit-code-3 3 ""

# --rootfs: containerd's bundle points at a directory of ours, no snapshot (and no image config:
# no PATH either)
cp -a "$R" "$S/rootfs-dir"
cid
run "${CTR[@]}" run --rm "${RUNOPTS[@]}" --rootfs "$S/rootfs-dir" "$c" /bin/sh -c 'echo from rootfs; exit 4'
expect rootfs-dir 4 "from rootfs"

cid
run "${CTR[@]}" run --rm "${RUNOPTS[@]}" "$IMG" "$c" /nope
if [ "$rc" != 0 ] && [[ "$err" == *nope* ]]; then ok not-found; else bad not-found "want a failure naming /nope, got $(got)"; fi

cid
run "${CTR[@]}" run --rm "${RUNOPTS[@]}" --env A=B --cwd /tmp "$IMG" "$c" sh -c 'echo $A $PWD'
expect env-cwd 0 "B /tmp"

mkdir -p "$S/vol"
cid
run "${CTR[@]}" run --rm "${RUNOPTS[@]}" --mount "type=bind,src=$S/vol,dst=/data,options=rbind:rw" "$IMG" "$c" sh -c 'echo written inside > /data/f'
if [ "$rc" = 0 ] && [ "$(cat "$S/vol/f" 2>/dev/null)" = "written inside" ]; then ok mount-bind; else bad mount-bind "file written in /data not on the host: $(got)"; fi

cid
run "${CTR[@]}" run --rm "${RUNOPTS[@]}" --read-only "$IMG" "$c" sh -c 'touch /x 2>/dev/null || echo refused'
expect read-only 0 refused

cid
run "${CTR[@]}" run --rm "${RUNOPTS[@]}" --memory-limit $((32 << 20)) "$IMG" "$c" dd if=/dev/zero of=/dev/null bs=256M count=1
if [ "$rc" = 137 ]; then ok memory-limit; else bad memory-limit "256M under a 32M limit: want exit 137, got $(got)"; fi

cid
set +e
printf 'from stdin\n' | timeout -k 5 $T "${CTR[@]}" run --rm "${RUNOPTS[@]}" "$IMG" "$c" sh -c 'read -r l; echo "$l"' >"$S/out" 2>"$S/err"
rc=$?
set -e
out=$(tr -d '\r\0' <"$S/out")
err=$(tr '\n' ' ' <"$S/err" | head -c 400)
expect stdin 0 "from stdin"

# a long-running task, `ctr run` attached in the background: exec, ps, pause/resume, SIGTERM to
# pid 1 (which exits 7: ctr run returns that)
cid
set +e
timeout -k 5 $T "${CTR[@]}" run --rm "${RUNOPTS[@]}" "$IMG" "$c" sh -c 'trap "exit 7" TERM; echo up; sleep 1000 & wait' \
    >"$S/task.out" 2>"$S/task.err" </dev/null &
start_pid=$!
set -e
why=""
for _ in $(seq 100); do
    grep -q up "$S/task.out" 2>/dev/null && break
    kill -0 $start_pid 2>/dev/null || break
    sleep 0.1
done
grep -q up "$S/task.out" || why="ctr run: never printed 'up': $(tr '\n' ' ' <"$S/task.err" | head -c 300)"
if [ -z "$why" ]; then
    run "${CTR[@]}" task exec --exec-id e1 "$c" echo hi
    [ "$rc" = 0 ] && [ "$out" = hi ] || why="task exec: $(got)"
fi
if [ -z "$why" ]; then
    run "${CTR[@]}" task ps "$c"
    [ "$rc" = 0 ] && [ "$(printf '%s\n' "$out" | tail -n +2 | wc -l)" -ge 2 ] || why="task ps (want pid 1 and the sleep): $(got)"
fi
if [ -z "$why" ]; then
    run "${CTR[@]}" task pause "$c"
    [ "$rc" = 0 ] || why="task pause: $(got)"
fi
if [ -z "$why" ]; then
    run "${CTR[@]}" task ls
    [[ "$out" == *"$c "*PAUSED* ]] || why="task ls after pause: $(got)"
fi
if [ -z "$why" ]; then
    run "${CTR[@]}" task resume "$c"
    [ "$rc" = 0 ] || why="task resume: $(got)"
fi
if [ -z "$why" ]; then
    run "${CTR[@]}" task ls
    [[ "$out" == *"$c "*RUNNING* ]] || why="task ls after resume: $(got)"
fi
if [ -z "$why" ]; then
    run "${CTR[@]}" task kill -s TERM "$c"
    [ "$rc" = 0 ] || why="task kill -s TERM: $(got)"
fi
set +e
if [ -z "$why" ]; then
    wait $start_pid
    src=$?
    [ $src = 7 ] || why="ctr run returned $src, want 7 (pid 1 traps SIGTERM and exits 7): $(tr '\n' ' ' <"$S/task.err" | head -c 300)"
else
    timeout 10 "${CTR[@]}" task kill -s KILL "$c" >/dev/null 2>&1
    wait $start_pid 2>/dev/null
fi
set -e
if [ -z "$why" ]; then ok task; else bad task "$why"; fi

# a terminal: the shim's --console-socket
cid
run script -qec "$(printf '%q ' "${CTR[@]}" run --rm -t "${RUNOPTS[@]}" "$IMG" "$c" tty)" /dev/null
out=${out#^@} # ctr writes a NUL to the terminal first, which it echoes as ^@
if [ "$rc" = 0 ] && [[ "$out" =~ ^/dev/pts/[0-9]+$ ]]; then ok tty; else bad tty "want /dev/pts/N, got $(got)"; fi

run "${CTR[@]}" container ls -q
if [ "$rc" = 0 ] && [ -z "$out" ]; then ok no-leftovers; else bad no-leftovers "ctr container ls: $(got)"; fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
