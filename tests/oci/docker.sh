#!/bin/bash
# tests/oci/docker.sh RUNT: Debian's Docker engine (docker.io 20.10) driving RUNT as a runtime.
#
# A private dockerd runs on a scratch root, .cache/docker-test/: its own daemon.json (the
# `runtimes` entry naming RUNT, as README shows it), data root, exec root, pidfile and unix socket,
# no bridge, no iptables rules, no ip forwarding, its containers' cgroups under /runt-docker-test;
# and its own containerd (started here, `containerd` in daemon.json) so that a system containerd
# is neither used nor disturbed. The image is a busybox rootfs brought in with `docker import` (no
# registry). Every case is `docker run --runtime runt` (or exec/stop/rm on such a container).
# Everything is torn down afterwards: containers, dockerd, containerd, shims, mounts, cgroups, the
# scratch root and what dockerd creates outside it (/etc/docker/key.json, /run/containerd/s, ...)
# when this test is what created them.
# Output: one `PASS name` / `FAIL name: why` line per case, then `N passed, N failed`.
# Set RUNT_TRACE=FILE to log every runtime invocation (argv, environment, fds) to FILE.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 RUNT" >&2; exit 2; }
RUNT=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
[ -x "$RUNT" ] || { echo "$0: $1 is not an executable" >&2; exit 2; }
TOP=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
. "$TOP/tests/oci/lib.sh"
S=$TOP/.cache/docker-test
IMG=runt-busybox:test
CG=runt-docker-test # the cgroup parent of this test's containers, on every hierarchy
T=30       # seconds any single docker command may take
BUDGET=240 # seconds for all the cases: past it, the remaining commands are not run (and fail)

[ "$(id -u)" = 0 ] || { echo "$0: must run as root" >&2; exit 2; }

# --- install --------------------------------------------------------------------------------------
# A dockerd already installed (docker-ce's, say) is used as it is: installing docker.io next to it
# would conflict. The CLI is the one beside dockerd (a newer static docker elsewhere on PATH is not
# what this test is about).
find_dockerd() { (PATH=$PATH:/usr/sbin && command -v dockerd) || true; }
need=()
[ -n "$(find_dockerd)" ] || need+=(docker.io)
command -v containerd >/dev/null || need+=(containerd)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v script >/dev/null || need+=(bsdutils)
# Debian's docker.io starts the system's dockerd on install where an init system runs; a
# policy-rc.d that says no (build containers have one) stops that: one is put there for the
# install when there is none, and taken away after it.
policy=/usr/sbin/policy-rc.d
if [[ " ${need[*]} " == *" docker.io "* ]] && [ ! -e $policy ]; then
    printf '#!/bin/sh\n# tests/oci/docker.sh: no service starts while it installs docker.io\nexit 101\n' >$policy
    chmod +x $policy
    st=0
    (apt_install "${need[@]}") || st=$?
    rm -f $policy
    [ $st = 0 ] || exit 1
else
    apt_install "${need[@]}"
fi
DOCKERD=$(find_dockerd)
DOCKER_CLI=$(dirname "$(dirname "${DOCKERD:-/usr/sbin/dockerd}")")/bin/docker
[ -x "$DOCKER_CLI" ] || DOCKER_CLI=$(command -v docker || true)
for b in "$DOCKERD" "$DOCKER_CLI" containerd containerd-shim-runc-v2; do
    [ -n "$b" ] && command -v "$b" >/dev/null ||
        { echo "FAIL install: no ${b:-dockerd or docker} after apt-get"; echo "0 passed, 1 failed"; exit 1; }
done

# --- scratch root, private containerd and dockerd, clean-up ---------------------------------------
# Paths outside the scratch root that dockerd, containerd or the shims create: each is removed
# afterwards if this test is what created it.
pre=()
for p in /run/containerd /run/docker /etc/docker/key.json; do [ -e $p ] && pre+=("$p"); done
created() { [[ " ${pre[*]} " != *" $1 "* ]]; } # PATH: it did not exist before this test

CTD_PID=
DD_PID=
export DOCKER_CONFIG=$S/client # the CLI's config and contexts: not the host's ~/.docker
DOCKER=("$DOCKER_CLI" -H "unix://$S/docker.sock")

# stop PID: SIGTERM, up to 10 s to exit, then SIGKILL
stop() {
    kill "$1" 2>/dev/null || return 0
    for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    return 0
}
cleanup() {
    set +e
    if [ -n "$DD_PID" ] && kill -0 "$DD_PID" 2>/dev/null; then
        local ids
        ids=$(timeout 10 "${DOCKER[@]}" ps -aq 2>/dev/null)
        # shellcheck disable=SC2086 # one word per id
        [ -z "$ids" ] || timeout 30 "${DOCKER[@]}" rm -f $ids >/dev/null 2>&1
        stop "$DD_PID"
    fi
    stop_containerd
    findmnt -rn -o TARGET | grep -F "$S/" | sort -r | while read -r m; do umount -l "$m"; done
    rm -rf "$S"
    if created /run/containerd; then
        rmdir /run/containerd/s /run/containerd/fifo /run/containerd/runc/moby /run/containerd/runc /run/containerd 2>/dev/null
    fi
    if created /run/docker; then
        rmdir /run/docker/plugins /run/docker 2>/dev/null
    fi
    if created /etc/docker/key.json; then rm -f /etc/docker/key.json; fi
    reap /sys/fs/cgroup/*/$CG /sys/fs/cgroup/$CG
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -e "$S" ]; then cleanup; fi
mkdir -p "$S"/{data,exec,bin,client}

start_containerd

# the runtime, possibly through a logging wrapper
RT=$RUNT
if [ -n "${RUNT_TRACE:-}" ]; then
    tracer "$(basename "$RUNT")"
    RT=$S/bin/$(basename "$RUNT")
fi

# dockerd: everything in daemon.json (a flag that repeats a daemon.json key is an error). No
# bridge, iptables, masquerading or forwarding: the host's network is not touched, and containers
# get only the `none` and `host` networks. cgroupfs: the containers' cgroups are /$CG/ID.
cat >"$S/daemon.json" <<EOF
{
  "runtimes": { "runt": { "path": "$RT" } },
  "data-root": "$S/data",
  "exec-root": "$S/exec",
  "pidfile": "$S/docker.pid",
  "hosts": ["unix://$S/docker.sock"],
  "containerd": "$S/containerd.sock",
  "storage-driver": "overlay2",
  "bridge": "none",
  "iptables": false,
  "ip6tables": false,
  "ip-masq": false,
  "ip-forward": false,
  "userland-proxy": false,
  "cgroup-parent": "/$CG",
  "exec-opts": ["native.cgroupdriver=cgroupfs"]
}
EOF
$DOCKERD --config-file "$S/daemon.json" >"$S/dockerd.log" 2>&1 &
DD_PID=$!
for _ in $(seq 300); do
    [ -S "$S/docker.sock" ] && timeout 5 "${DOCKER[@]}" version >/dev/null 2>&1 && break
    kill -0 $DD_PID 2>/dev/null || break
    sleep 0.1
done
if ! timeout 5 "${DOCKER[@]}" version >/dev/null 2>&1; then
    echo "FAIL dockerd: did not start: $(grep -v 'level=info' "$S/dockerd.log" | tail -n 3 | tr '\n' ' ' | head -c 400)"
    echo "0 passed, 1 failed"
    exit 1
fi

# --- the image: busybox, imported from a tarball of its rootfs -------------------------------------
R=$S/rootfs
mkdir -p "$R"/{bin,etc,tmp,proc,sys,dev,root,home/user}
cp /bin/busybox "$R/bin/busybox"
for a in $("$R/bin/busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$R/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n' >"$R/etc/passwd"
printf 'root:x:0:\nuser:x:1000:\n' >"$R/etc/group"
chown 1000:1000 "$R/home/user"
chmod 1777 "$R/tmp"
if ! tar -C "$R" --numeric-owner -c . |
    timeout 60 "${DOCKER[@]}" import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$IMG" \
        >/dev/null 2>"$S/import.err"; then
    echo "FAIL import: $(head -c 300 "$S/import.err")"
    echo "0 passed, 1 failed"
    exit 1
fi

# --- harness ----------------------------------------------------------------------------------------
# --network none: no bridge exists (and the default network's warnings would mix with the output)
RUN=("${DOCKER[@]}" run --runtime runt --network none)
# runt's state dir: the --root dockerd gives every runtime, runc in its name whatever the runtime
STATE=$S/exec/runtime-runc/moby
drun() { run "${RUN[@]}" --rm "$@"; } # ARGS...: docker run --runtime runt --rm ARGS

# --- cases --------------------------------------------------------------------------------------------
drun "$IMG" echo hello
expect echo 0 hello

drun "$IMG" sh -c 'exit 3'
expect exit-code-3 3 ""

# docker's CLI turns a command that cannot be run into 127 (not found) or 126 (not executable)
drun "$IMG" /nope
if [ "$rc" = 127 ] && [[ "$err" == */nope* ]]; then ok not-found; else bad not-found "want exit 127 and an error naming /nope, got $(got)"; fi

drun "$IMG" /etc/passwd
if [ "$rc" = 126 ] && [[ "$err" == */etc/passwd* ]]; then ok not-executable; else bad not-executable "want exit 126 and an error naming /etc/passwd, got $(got)"; fi

# no --init: the command is pid 1
drun "$IMG" sh -c 'echo $$'
expect pid-1 0 1

# --init: Docker's own init (docker-init, bind-mounted by dockerd) is pid 1 and the command its child
drun --init "$IMG" sh -c 'echo $$ $(tr "\0" " " </proc/1/cmdline)'
if [ "$rc" = 0 ] && [[ "$out" =~ ^[0-9]+\ /sbin/docker-init\ --\ sh ]] && [ "${out%% *}" != 1 ]; then ok init; else bad init "want the shell under /sbin/docker-init: $(got)"; fi

drun --hostname h1 "$IMG" hostname
expect hostname 0 h1

drun -e A=B -e C "$IMG" sh -c 'echo "$A ${C-unset}"'
expect env 0 "B unset"

drun -w /tmp/new "$IMG" pwd
expect workdir 0 /tmp/new

# HOME: Docker sets none; the runtime takes it from the container's /etc/passwd, as runc does
drun -u 1000 "$IMG" sh -c 'echo $(id -u) $(id -g) $HOME; touch /x 2>/dev/null || echo not root'
expect user 0 "1000 1000 /home/user"$'\n'"not root"

drun "$IMG" sh -c 'echo $HOME'
expect home-root 0 /root

drun -e HOME=/tmp -u 1000 "$IMG" sh -c 'echo $HOME'
expect home-given 0 /tmp

drun --read-only "$IMG" sh -c 'touch /x 2>/dev/null || echo refused; touch /dev/shm/y && echo shm ok'
expect read-only 0 "refused"$'\n'"shm ok"

drun --ulimit nofile=100:200 "$IMG" sh -c 'echo $(ulimit -Sn) $(ulimit -Hn)'
expect ulimit 0 "100 200"

# CAP_CHOWN dropped: root cannot give a file away
drun --cap-drop CHOWN "$IMG" sh -c 'touch /tmp/f; chown 1000 /tmp/f 2>/dev/null || echo refused; grep CapEff /proc/self/status'
if [ "$rc" = 0 ] && [[ "$out" == refused$'\n'CapEff:* ]]; then ok cap-drop; else bad cap-drop "want chown refused: $(got)"; fi

mkdir -p "$S/vol"
drun -v "$S/vol:/data" "$IMG" sh -c 'echo written inside > /data/f'
if [ "$rc" = 0 ] && [ "$(cat "$S/vol/f" 2>/dev/null)" = "written inside" ]; then ok volume-rw; else bad volume-rw "file written in /data not on the host: $(got)"; fi

drun -v "$S/vol:/data:ro" "$IMG" sh -c 'cat /data/f; echo x > /data/g 2>/dev/null || echo refused'
if [ "$rc" = 0 ] && [ "$out" = "written inside"$'\n'refused ] && [ ! -e "$S/vol/g" ]; then ok volume-ro; else bad volume-ro "want the file read and a write refused: $(got)"; fi

# a named volume: docker creates it under its data root and copies the image's files into it
drun -v vol1:/etc "$IMG" sh -c 'grep -c user /etc/passwd'
expect volume-named 0 1

# 10 pids: the shell starts a few sleeps, then cannot fork (echo is a builtin: no fork)
drun --pids-limit 10 "$IMG" sh -c 'i=1; while [ $i -le 20 ]; do sleep 30 & echo $i; i=$((i+1)); done'
if [ "$rc" != 0 ] && [[ "$out" == 1$'\n'2* ]] && [[ "$out" != *20* ]]; then ok pids-limit; else bad pids-limit "want a few sleeps started then a fork failure under --pids-limit 10: $(got)"; fi

# 32m: 16M fits, 256M is OOM-killed (137)
drun --memory 32m "$IMG" sh -c 'dd if=/dev/zero of=/dev/null bs=16M count=1 2>/dev/null && echo small ok'
if [ "$rc" = 0 ] && [ "$out" = "small ok" ]; then
    drun --memory 32m "$IMG" dd if=/dev/zero of=/dev/null bs=256M count=1
    if [ "$rc" = 137 ]; then ok memory; else bad memory "256M under --memory 32m: want exit 137, got $(got)"; fi
else
    bad memory "16M under --memory 32m should succeed: $(got)"
fi

# stdin through `docker run -i`
set +e
printf 'from stdin\n' | timeout -k 5 $T "${RUN[@]}" --rm -i "$IMG" sh -c 'read -r l; echo "$l"' >"$S/out" 2>"$S/err"
rc=$?
set -e
out=$(tr -d '\r\0' <"$S/out")
err=$(tr '\n' ' ' <"$S/err" | head -c 400)
expect stdin 0 "from stdin"

# a detached container: logs, exec, top, pause/unpause, then `docker stop`, whose SIGTERM pid 1
# traps (exit 7: a SIGKILL after the grace time would be 137), then rm
why=""
run "${RUN[@]}" -d --name d1 "$IMG" sh -c 'trap "echo got TERM; exit 7" TERM; echo up; sleep 1000 & wait'
[ "$rc" = 0 ] || why="docker run -d: $(got)"
if [ -z "$why" ]; then
    for _ in $(seq 50); do
        run "${DOCKER[@]}" logs d1
        [ "$out" = up ] && break
        sleep 0.1
    done
    [ "$out" = up ] || why="docker logs: never 'up': $(got)"
fi
# runt made it: `runt list` on runt's state dir shows it running
if [ -z "$why" ]; then
    run "${DOCKER[@]}" inspect -f '{{.Id}}' d1
    id=$out
    run "$RUNT" --root "$STATE" list
    [[ "$out" == *"$id "*running* ]] || why="runt --root $STATE list does not show $id running: $(got)"
fi
if [ -z "$why" ]; then
    run "${DOCKER[@]}" exec d1 sh -c 'echo hi from $$; cat /proc/1/cmdline | tr "\0" " "'
    [ "$rc" = 0 ] && [[ "$out" == "hi from "* ]] && [[ "$out" == *"sh -c trap"* ]] || why="docker exec: $(got)"
fi
if [ -z "$why" ]; then
    run "${DOCKER[@]}" exec -u 1000 -w /tmp -e X=y d1 sh -c 'echo $(id -u) $PWD $X $HOME'
    [ "$rc" = 0 ] && [ "$out" = "1000 /tmp y /home/user" ] || why="docker exec -u -w -e: $(got)"
fi
if [ -z "$why" ]; then
    run "${DOCKER[@]}" exec d1 sh -c 'exit 5'
    [ "$rc" = 5 ] || why="docker exec's exit code: want 5, $(got)"
fi
if [ -z "$why" ]; then
    run "${DOCKER[@]}" top d1
    [ "$rc" = 0 ] && [[ "$out" == *"sleep 1000"* ]] || why="docker top: $(got)"
fi
# docker update: the runtime's `update`, seen in the container's pids cgroup on the host
if [ -z "$why" ]; then
    run "${DOCKER[@]}" update --pids-limit 77 d1
    lim=$(cat /sys/fs/cgroup/pids/$CG/"$id"/pids.max /sys/fs/cgroup/$CG/"$id"/pids.max 2>/dev/null || true)
    [ "$rc" = 0 ] && [ "$lim" = 77 ] || why="docker update --pids-limit 77: pids.max \"$lim\", $(got)"
fi
if [ -z "$why" ]; then
    run "${DOCKER[@]}" pause d1
    [ "$rc" = 0 ] || why="docker pause: $(got)"
fi
if [ -z "$why" ]; then
    run "${DOCKER[@]}" inspect -f '{{.State.Status}}' d1
    [ "$out" = paused ] || why="status after pause: $(got)"
fi
if [ -z "$why" ]; then
    run "${DOCKER[@]}" unpause d1
    [ "$rc" = 0 ] || why="docker unpause: $(got)"
fi
if [ -z "$why" ]; then
    run "${DOCKER[@]}" stop -t 20 d1
    [ "$rc" = 0 ] || why="docker stop: $(got)"
fi
if [ -z "$why" ]; then
    run "${DOCKER[@]}" inspect -f '{{.State.Status}} {{.State.ExitCode}}' d1
    [ "$out" = "exited 7" ] || why="after docker stop, want 'exited 7' (pid 1 traps SIGTERM): $(got)"
fi
if [ -z "$why" ]; then
    run "${DOCKER[@]}" logs d1
    [ "$out" = up$'\n'"got TERM" ] || why="docker logs after stop: $(got)"
fi
if [ -z "$why" ]; then
    run "${DOCKER[@]}" rm d1
    [ "$rc" = 0 ] || why="docker rm: $(got)"
else
    run "${DOCKER[@]}" rm -f d1
fi
if [ -z "$why" ]; then ok detached; else bad detached "$why"; fi

# a terminal: -t (the shim's --console-socket), from a terminal of script's
run script -qec "$(printf '%q ' "${RUN[@]}" --rm -t "$IMG" tty)" /dev/null
if [ "$rc" = 0 ] && [[ "$out" =~ ^/dev/pts/[0-9]+$ ]]; then ok tty; else bad tty "want /dev/pts/N, got $(got)"; fi

# -it: an interactive shell on that terminal, typed to through script (the shell echoes the
# input; only the output has 42), exiting 5
set +e
printf 'echo in-$((6*7))\nexit 5\n' |
    timeout -k 5 $T script -qec "$(printf '%q ' "${RUN[@]}" --rm -it "$IMG" sh)" /dev/null >"$S/out" 2>"$S/err"
rc=$?
set -e
out=$(tr -d '\r\0' <"$S/out")
err=$(tr '\n' ' ' <"$S/err" | head -c 400)
if [ "$rc" = 5 ] && printf '%s\n' "$out" | grep -qx 'in-42'; then ok tty-interactive; else bad tty-interactive "want in-42 and exit 5, got $(got)"; fi

# nothing left behind: no container, nothing in runt's state dir for docker, no cgroup under the
# containers' parent
run "${DOCKER[@]}" ps -aq
if [ "$rc" = 0 ] && [ -z "$out" ]; then ok no-containers; else bad no-containers "docker ps -a: $(got)"; fi
left=$(find "$STATE" -mindepth 1 2>/dev/null || true)
if [ -d "$STATE" ] && [ -z "$left" ]; then ok no-runt-state; else bad no-runt-state "want $STATE empty, left: $(echo "$left" | tr '\n' ' ' | head -c 300)"; fi
left=$(find /sys/fs/cgroup/*/$CG /sys/fs/cgroup/$CG -mindepth 1 -type d 2>/dev/null || true)
if [ -z "$left" ]; then ok no-cgroups; else bad no-cgroups "left: $(echo "$left" | tr '\n' ' ' | head -c 300)"; fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
