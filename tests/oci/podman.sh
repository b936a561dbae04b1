#!/bin/bash
# tests/oci/podman.sh RUNT PROBE: real podman (Debian's) driving RUNT as its OCI runtime.
#
# Everything podman keeps lives in a fresh scratch root, .cache/podman-test/, deleted afterwards:
# its own --root/--runroot, containers.conf (CONTAINERS_CONF) and storage.conf
# (CONTAINERS_STORAGE_CONF), file locks, file events, no network (none/host only). The host's podman
# state is untouched. The image is a busybox rootfs brought in with `podman import` (no registry).
#
# Every case runs twice: with --runtime RUNT (its own file name: podman passes no --log options) and
# with --runtime .../runc, a symlink to RUNT (podman knows that name and passes
# `--log-format=json --log FILE` to create and exec).
# Output: one `PASS name` / `FAIL name: why` line per case, then `N passed, N failed`.
# Set RUNT_TRACE=FILE to log every runtime invocation (argv, environment, fds) to FILE.
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 RUNT PROBE" >&2; exit 2; }
RUNT=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") # absolute, keeping its file name
[ -x "$RUNT" ] || { echo "$0: $1 is not an executable" >&2; exit 2; }
PROBE=$(cd "$(dirname "$2")" && pwd)/$(basename "$2") # tests/probe, static: in the image as /bin/probe
[ -x "$PROBE" ] || { echo "$0: $2 is not an executable" >&2; exit 2; }
TOP=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
. "$TOP/tests/oci/lib.sh"
S=$TOP/.cache/podman-test
IMG=localhost/runt-busybox:test
T=30      # seconds any single podman command may take
BUDGET=270 # seconds for all the cases: past it, the remaining commands are not run (and fail)

[ "$(id -u)" = 0 ] || { echo "$0: must run as root" >&2; exit 2; }

# --- install --------------------------------------------------------------------------------------
need=()
command -v podman >/dev/null || need+=(podman)
command -v conmon >/dev/null || need+=(conmon)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v script >/dev/null || need+=(bsdutils)
apt_install "${need[@]}"
command -v podman >/dev/null || { echo "FAIL install: no podman after apt-get"; echo "0 passed, 1 failed"; exit 1; }

# --- scratch root and clean-up --------------------------------------------------------------------
# cgroup directories podman's cgroupfs manager creates (libpod_parent/...): remove them afterwards
# when this test is what created them.
cg_pre=()
for d in /sys/fs/cgroup/*/libpod_parent /sys/fs/cgroup/libpod_parent; do [ -d "$d" ] && cg_pre+=("$d"); done

PODMAN=(podman --root "$S/root" --runroot "$S/runroot")
export CONTAINERS_CONF=$S/containers.conf CONTAINERS_STORAGE_CONF=$S/storage.conf

cleanup() {
    set +e
    local ids="" id
    if [ -f "$CONTAINERS_CONF" ] && [ -f "$CONTAINERS_STORAGE_CONF" ]; then
        ids=$(timeout 30 "${PODMAN[@]}" ps -a -q --no-trunc 2>/dev/null)
        timeout 60 "${PODMAN[@]}" --runtime "$S/bin/runc" rm -af -t 0 >/dev/null 2>&1
        timeout 60 "${PODMAN[@]}" --runtime "$RUNT" rm -af -t 0 >/dev/null 2>&1
    fi
    # conmon processes of this test's containers (their command lines name the scratch root)
    for p in $(pgrep -x conmon); do
        grep -qF "$S" "/proc/$p/cmdline" 2>/dev/null && kill -9 "$p"
    done
    # mounts under the scratch root, deepest first
    findmnt -rn -o TARGET | grep -F "$S/" | sort -r | while read -r m; do umount -l "$m"; done
    rm -rf "$S"
    # the cgroups of this test's containers (cgroupfs manager: libpod_parent/libpod-ID)
    for id in $ids; do reap /sys/fs/cgroup/*/libpod_parent/libpod-"$id" /sys/fs/cgroup/libpod_parent/libpod-"$id"; done
    # empty cgroups left under libpod_parent, if libpod_parent is this test's own
    for d in /sys/fs/cgroup/*/libpod_parent /sys/fs/cgroup/libpod_parent; do
        [ -d "$d" ] || continue
        case " ${cg_pre[*]-} " in *" $d "*) continue ;; esac
        find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# a fresh scratch root each run
if [ -e "$S" ]; then cleanup; fi
mkdir -p "$S"/{root,runroot,tmp,net,bin,vol,imgtmp}

cat >"$S/containers.conf" <<EOF
[containers]
# podman's default nofile=1048576 needs CAP_SYS_RESOURCE, which root on this machine lacks
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
netns = "none"
log_driver = "k8s-file"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$S/events.log"
tmp_dir = "$S/tmp"
lock_type = "file"
static_dir = "$S/root/libpod"
volume_path = "$S/root/volumes"
image_copy_tmp_dir = "$S/imgtmp"

[network]
network_config_dir = "$S/net"
EOF
cat >"$S/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$S/root"
runroot = "$S/runroot"
EOF
export TMPDIR=$S/imgtmp # podman update writes its resources file here

# The runtime under its own name, and as "runc". With RUNT_TRACE, both go through a logging wrapper
# of the same name.
if [ -n "${RUNT_TRACE:-}" ]; then
    tracer runt
    tracer runc
    VARIANTS=("$S/bin/runt" "$S/bin/runc")
else
    ln -s "$RUNT" "$S/bin/runc"
    VARIANTS=("$RUNT" "$S/bin/runc")
fi

# --- the image: busybox, its applets, root and a uid 1000 user -------------------------------------
R=$S/rootfs
mkdir -p "$R"/{bin,etc,tmp,proc,sys,dev,root,home/user,data}
cp /bin/busybox "$R/bin/busybox"
cp "$PROBE" "$R/bin/probe"
for a in $("$R/bin/busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$R/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n' >"$R/etc/passwd"
printf 'root:x:0:\nuser:x:1000:\n' >"$R/etc/group"
chmod 1777 "$R/tmp"
chown 1000:1000 "$R/home/user"
tar -C "$R" --numeric-owner -cf "$S/busybox.tar" .
# podman 4.3's import writes containers/image's blob info cache to /var/lib/containers/cache
# whatever --root says: give it a throw-away tmpfs there, in a mount namespace of its own
hide=/var/lib/containers
[ -d $hide ] || hide=/var/lib
if ! timeout $T unshare -m --propagation private sh -c 'mount -t tmpfs -o size=16m tmpfs "$0" && exec "$@"' \
    "$hide" "${PODMAN[@]}" import -q "$S/busybox.tar" "$IMG" >/dev/null 2>"$S/import.err"; then
    echo "FAIL import: $(head -c 300 "$S/import.err")"
    echo "0 passed, 1 failed"
    exit 1
fi

# --- harness ----------------------------------------------------------------------------------------
P=() # podman with the current --runtime
prun() { run "${P[@]}" run --rm --pull never --network none "$@"; }
prun_host() { run "${P[@]}" run --rm --pull never --network host "$@"; }

cases() {
    local v=$1
    local c="pm-$v-$$"

    prun "$IMG" echo hello
    expect "echo[$v]" 0 hello

    prun "$IMG" sh -c 'exit 3'
    expect "exit-code-3[$v]" 3 ""

    # podman maps the runtime's "not found" / "permission denied" to 127 / 126 (and any other
    # runtime error to 126 as well, hence the check of its message)
    prun "$IMG" /nope
    if [ "$rc" = 127 ]; then ok "not-found-127[$v]"; else bad "not-found-127[$v]" "want exit 127, got $(got)"; fi

    prun "$IMG" /etc/passwd
    if [ "$rc" = 126 ] && [[ "${err,,}" == *"permission denied"* ]]; then ok "not-executable-126[$v]"; else bad "not-executable-126[$v]" "want exit 126 and \"permission denied\", got $(got)"; fi

    # 10 pids: the shell starts a few sleeps, then cannot fork (echo is a builtin: no fork)
    prun --pids-limit 10 "$IMG" sh -c 'i=1; while [ $i -le 20 ]; do sleep 30 & echo $i; i=$((i+1)); done'
    if [ "$rc" != 0 ] && [[ "$out" == 1$'\n'2* ]] && [[ "$out" != *20* ]]; then ok "pids-limit[$v]"; else bad "pids-limit[$v]" "want a few sleeps started then a fork failure under --pids-limit 10: $(got)"; fi

    # 32m: 16M fits, 256M is OOM-killed (137)
    prun --memory 32m "$IMG" sh -c 'dd if=/dev/zero of=/dev/null bs=16M count=1 2>/dev/null && echo small ok'
    if [ "$rc" = 0 ] && [ "$out" = "small ok" ]; then
        prun --memory 32m "$IMG" dd if=/dev/zero of=/dev/null bs=256M count=1
        if [ "$rc" = 137 ]; then ok "memory[$v]"; else bad "memory[$v]" "256M under --memory 32m: want exit 137, got $(got)"; fi
    else
        bad "memory[$v]" "16M under --memory 32m should succeed: $(got)"
    fi

    prun --hostname h1 "$IMG" hostname
    expect "hostname[$v]" 0 h1

    rm -f "$S/vol/f"
    prun -v "$S/vol:/data" "$IMG" sh -c 'echo written inside > /data/f && cat /data/f'
    if [ "$rc" = 0 ] && [ "$(cat "$S/vol/f" 2>/dev/null)" = "written inside" ]; then
        prun -v "$S/vol:/data:ro" "$IMG" sh -c 'echo x > /data/g'
        if [ "$rc" != 0 ] && [ ! -e "$S/vol/g" ]; then ok "volume[$v]"; else bad "volume[$v]" ":ro volume was writable: $(got)"; fi
    else
        bad "volume[$v]" "file written in /data not on the host: $(got)"
    fi

    prun -e A=B "$IMG" sh -c 'echo $A'
    expect "env[$v]" 0 B

    prun -w /tmp "$IMG" pwd
    expect "workdir[$v]" 0 /tmp

    # --preserve-fds: podman hands descriptor 3 through conmon to the runtime's --preserve-fds
    echo from-the-host >"$S/fd3.txt"
    prun --preserve-fds 1 "$IMG" sh -c 'cat <&3' 3<"$S/fd3.txt"
    expect "preserve-fds[$v]" 0 from-the-host

    prun -u 1000 "$IMG" sh -c 'id -u; id -g'
    expect "user[$v]" 0 $'1000\n1000'

    prun --read-only "$IMG" sh -c 'touch /x 2>/dev/null && echo root writable; touch /tmp/x && echo tmp writable'
    expect "read-only[$v]" 0 "tmp writable"

    # stdin through conmon (-i)
    set +e
    printf 'from stdin\n' | timeout -k 5 $T "${P[@]}" run --rm -i --pull never --network none "$IMG" cat >"$S/out" 2>"$S/err"
    rc=$?
    set -e
    out=$(cat "$S/out")
    err=$(tr '\n' ' ' <"$S/err" | head -c 400)
    expect "stdin-i[$v]" 0 "from stdin"

    prun "$IMG" sh -c 'cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "'
    expect "network-none[$v]" 0 lo
    prun_host "$IMG" sh -c 'cat /proc/net/dev | wc -l'
    expect "network-host[$v]" 0 "$(wc -l </proc/net/dev)"

    # detached: exec, top, ps, stop (SIGTERM reaches pid 1, which exits 7), rm
    run "${P[@]}" run -d --name "$c" --pull never --network none "$IMG" sh -c 'trap "exit 7" TERM; sleep 1000 & wait'
    if [ "$rc" != 0 ]; then
        bad "detached[$v]" "run -d: $(got)"
    else
        local why=""
        run "${P[@]}" exec "$c" echo hi
        [ "$rc" = 0 ] && [ "$out" = hi ] || why="exec echo hi: $(got)"
        if [ -z "$why" ]; then
            run "${P[@]}" exec -u 1000 -w /tmp -e X=y "$c" sh -c 'echo $(id -u) $PWD $X'
            [ "$rc" = 0 ] && [ "$out" = "1000 /tmp y" ] || why="exec -u 1000 -w /tmp -e X=y: $(got)"
        fi
        if [ -z "$why" ]; then
            run "${P[@]}" top "$c" pid args
            [ "$rc" = 0 ] && [[ "$out" == *"sleep 1000"* ]] || why="top: $(got)"
        fi
        if [ -z "$why" ]; then
            run "${P[@]}" ps --format '{{.Names}} {{.Status}}'
            [[ "$out" == *"$c Up"* ]] || why="ps does not show $c Up: $(got)"
        fi
        if [ -z "$why" ]; then
            run "${P[@]}" stop -t 20 "$c"
            [ "$rc" = 0 ] || why="stop: $(got)"
        fi
        if [ -z "$why" ]; then
            run "${P[@]}" inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$c"
            [ "$out" = "exited 7" ] || why="after stop want \"exited 7\" (SIGTERM handled by pid 1), got $(got)"
        fi
        if [ -z "$why" ]; then
            run "${P[@]}" rm "$c"
            [ "$rc" = 0 ] || why="rm: $(got)"
        fi
        if [ -z "$why" ]; then
            run "${P[@]}" ps -a -q --filter "name=$c"
            [ -z "$out" ] || why="still listed after rm: $(got)"
        fi
        if [ -z "$why" ]; then ok "detached[$v]"; else bad "detached[$v]" "$why"; fi
        run "${P[@]}" rm -f -t 0 "$c"
    fi

    # --sdnotify=container, podman's default under a systemd unit of Type=notify (here a socket of
    # the test's stands in for systemd's): the container's READY=1 reaches the manager, once it is
    # said. podman 4.3 proxies it through conmon itself (RUNT_TRACE shows no NOTIFY_SOCKET given
    # to the runtime): this checks the chain through runt (the socket podman mounts, exec); runt's
    # own proxy, for a runtime given NOTIFY_SOCKET, is tests/oci_systemd.rs's
    local log=$S/notify-$v.log sock=$S/notify-$v.sock listener why=""
    rm -f "$sock" "$log"
    python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[2], "w").close()
while True:
    d = s.recv(4096)
    with open(sys.argv[2], "a") as f:
        f.write(d.decode(errors="replace") + "\n")' "$sock" "$log" &
    listener=$!
    for _ in $(seq 100); do [ -e "$log" ] && break; sleep 0.05; done
    NOTIFY_SOCKET=$sock run "${P[@]}" run -d --pull never --network none --sdnotify=container --name "$c-n" "$IMG" \
        sh -c 'echo $NOTIFY_SOCKET; while [ ! -e /tmp/go ]; do sleep 0.05; done; probe notify READY=1; sleep 60'
    [ "$rc" = 0 ] || why="run -d: $(got)"
    if [ -z "$why" ]; then
        sleep 0.5 # time enough for a READY=1 said too early to arrive: none may
        grep -qx 'READY=1' "$log" && why="READY=1 before the container said it: $(tr '\n' '|' <"$log")"
    fi
    if [ -z "$why" ]; then
        run "${P[@]}" logs "$c-n"
        [ "$out" = /run/notify/notify.sock ] || why="NOTIFY_SOCKET inside: want /run/notify/notify.sock, got $(got)"
    fi
    if [ -z "$why" ]; then
        run "${P[@]}" exec "$c-n" touch /tmp/go
        for _ in $(seq 200); do grep -qx 'READY=1' "$log" && break; sleep 0.05; done
        [ "$(grep -cx 'READY=1' "$log")" = 1 ] || why="want one READY=1 at the manager's socket, got: $(tr '\n' '|' <"$log")"
    fi
    if [ -z "$why" ]; then ok "sdnotify-container[$v]"; else bad "sdnotify-container[$v]" "$why"; fi
    kill "$listener" 2>/dev/null || true
    wait "$listener" 2>/dev/null || true
    run "${P[@]}" rm -f -t 0 "$c-n"

    # a terminal: podman needs one itself, script(1) gives it; the runtime sends the pty master
    # over conmon's --console-socket
    run script -qec "$(printf '%q ' "${P[@]}" run --rm -t --pull never --network none "$IMG" tty)" /dev/null
    if [ "$rc" = 0 ] && [[ "$out" =~ ^/dev/pts/[0-9]+$ ]]; then ok "tty[$v]"; else bad "tty[$v]" "want /dev/pts/N, got $(got)"; fi

    # nothing left behind by the --rm runs
    run "${P[@]}" ps -a -q
    if [ "$rc" = 0 ] && [ -z "$out" ]; then ok "no-leftovers[$v]"; else bad "no-leftovers[$v]" "podman ps -a: $(got)"; fi
    run "${P[@]}" rm -af -t 0 # the next variant starts clean either way
}

for rt in "${VARIANTS[@]}"; do
    P=("${PODMAN[@]}" --runtime "$rt")
    name=$(basename "$rt")
    [ "$rt" = "$RUNT" ] && name=$(basename "$RUNT")
    [ "$rt" = "$S/bin/runc" ] && name=as-runc
    cases "$name"
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
