#!/bin/sh
# tests/vm/guest.sh — the test driver inside the VM (run by the initramfs /init of tests/vm/run.sh).
#
# POSIX sh for busybox ash. The root is the initramfs rootfs, so pivot_root(2) fails with EINVAL and
# runt must fall back to MS_MOVE + chroot. /proc, /sys, /dev, /tmp, /run are mounted; no cgroupfs at
# first: phase 1 runs without cgroups, phase 2 mounts cgroup2 at /sys/fs/cgroup.
#
# Prints one "PASS name" / "FAIL name: why" line per case, "INFO ..." lines, and a final
# "N passed, N failed". Exits 0 only when nothing failed.

RUNT=/bin/runt
PROBE=/bin/probe
CG=/sys/fs/cgroup
W=/tmp/vmtest           # scratch (tmpfs)
TMO=60                  # per-command deadline, seconds
npass=0
nfail=0
cgmode=none

mkdir -p $W

pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }

# show FILE: its content on one line, shortened, for messages
show() { tr '\n' '|' <"$1" | sed 's/|$//' | cut -c1-300; }
# lines FILE: number of lines
lines() { wc -l <"$1" | tr -d ' '; }
# uptime in centiseconds
ucs() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }

# children PID: the direct children of PID; descendants PID: all of them
children() { cat /proc/"$1"/task/*/children 2>/dev/null; }
descendants() {
    for c in $(children "$1"); do
        echo "$c"
        descendants "$c"
    done
}

# watch PID SECS: after SECS, SIGKILL PID's descendants and PID and leave $W/timedout; unwatch stops it
watch() {
    (
        sleep "$2" &
        s=$!
        trap 'kill $s 2>/dev/null; exit 0' TERM
        wait $s
        [ -d /proc/"$1" ] || exit 0
        : >$W/timedout
        for d in $(descendants "$1"); do kill -KILL "$d"; done
        kill -KILL "$1"
    ) 2>/dev/null &
    wpid=$!
}
unwatch() {
    kill "$wpid" 2>/dev/null
    wait "$wpid" 2>/dev/null
}

# r ARGS...: runt ARGS with a deadline; stdout in $W/out, stderr in $W/err, status in $rc
# ("timeout" when the deadline killed it)
r() {
    rm -f $W/timedout
    $RUNT "$@" >$W/out 2>$W/err </dev/null &
    rpid=$!
    watch $rpid $TMO
    wait $rpid
    rc=$?
    unwatch
    [ ! -e $W/timedout ] || rc=timeout
}

# ru ARGS...: as r, but runt runs as uid 1000 from the cgroup $CG/u1000/session (delegated to it)
ru() {
    rm -f $W/timedout
    # busybox's setpriv cannot change ids; su as root asks no password. Arguments carry no spaces.
    sh -c "echo \$\$ >$CG/u1000/session/cgroup.procs && exec su -s /bin/sh user -c 'exec $RUNT $*'" \
        >$W/out 2>$W/err </dev/null &
    rpid=$!
    watch $rpid $TMO
    wait $rpid
    rc=$?
    unwatch
    [ ! -e $W/timedout ] || rc=timeout
}

# bg ARGS...: runt ARGS in the background (outputs as r); fg: wait for it (deadline TMO) into $rc
bg() {
    rm -f $W/timedout
    $RUNT "$@" >$W/out 2>$W/err </dev/null &
    bgpid=$!
    watch $bgpid $TMO
}
fg() {
    wait "$bgpid"
    rc=$?
    unwatch
    [ ! -e $W/timedout ] || rc=timeout
}

# bg_alive: the background runt still runs (not exited, not a zombie)
bg_alive() {
    [ -r /proc/"$bgpid"/stat ] && ! grep -q '^[0-9]* (.*) Z ' /proc/"$bgpid"/stat 2>/dev/null
}
# until_true SECS CMD...: poll CMD every 20 ms for up to SECS seconds, giving up early when the
# background runt has exited
until_true() {
    n=$(($1 * 50))
    shift
    while [ $n -gt 0 ]; do
        "$@" && return 0
        bg_alive || { "$@"; return; }
        usleep 20000
        n=$((n - 1))
    done
    return 1
}

# container_pid: the descendant of the background runt that runs probe (empty if none)
container_pid() {
    for d in $(descendants "$bgpid"); do
        [ "$(cat /proc/"$d"/comm 2>/dev/null)" = probe ] && { echo "$d"; return 0; }
    done
    return 1
}
has_container() { container_pid >/dev/null; }

# --- checks: each sets $why (the first failure) unless it is already set, and counts in $checks ------
# checked: a case's own test (`[ ... ] || why=...`) was made; run_case fails a case that made none
checked() { checks=$((checks + 1)); }
want_rc() { # want_rc N
    checked
    [ -z "$why" ] || return 0
    [ "$rc" = "$1" ] || why="exit $rc, want $1 (stdout: $(show $W/out)) (stderr: $(show $W/err))"
}
want_out() { # want_out TEXT: stdout is exactly TEXT (one line)
    checked
    [ -z "$why" ] || return 0
    [ "$(cat $W/out)" = "$1" ] && [ "$(lines $W/out)" = 1 ] ||
        why="stdout '$(show $W/out)', want '$1' (exit $rc, stderr: $(show $W/err))"
}
want_no_err() {
    checked
    [ -z "$why" ] || return 0
    [ ! -s $W/err ] || why="unexpected stderr: $(show $W/err)"
}
want_line() { # want_line FILE REGEX WHAT
    checked
    [ -z "$why" ] || return 0
    grep -qE "$2" "$1" || why="no $3 in $(basename "$1") ('$(show "$1")', exit $rc)"
}
want_eq() { # want_eq WHAT GOT WANT
    checked
    [ -z "$why" ] || return 0
    [ "$2" = "$3" ] || why="$1 is '$2', want '$3'"
}

# --- the case runner --------------------------------------------------------------------------------
cat /proc/self/mountinfo >$W/mounts.ref

# run_case NAME FUNCTION: FUNCTION sets $why on failure. A missing FUNCTION, or one that returned
# before any check (want_*, checked), fails: it tested nothing. After it: the guest's mount table
# must be unchanged, and with cgroups no container cgroup may be left under $CG/runt.
run_case() {
    why= checks=0
    if [ "$(type "$2" 2>/dev/null | sed -n 's/^[^ ]* is a\( shell\)\? function$/f/p')" != f ]; then
        why="no function $2 in guest.sh"
    else
        "$2"
    fi
    [ -n "$why" ] || [ "$checks" -gt 0 ] || why="$2 checked nothing (it returned before any check)"
    if [ -z "$why" ]; then
        cat /proc/self/mountinfo >$W/mounts.now
        if ! cmp -s $W/mounts.ref $W/mounts.now; then
            why="the guest's mount table changed: $(diff $W/mounts.ref $W/mounts.now | grep '^[-+][^-+]' | tr '\n' '|' | cut -c1-300)"
            cp $W/mounts.now $W/mounts.ref
        fi
    fi
    if [ "$cgmode" = v2 ] && [ -d $CG/runt ]; then
        left=$(find $CG/runt -mindepth 1 -maxdepth 1 -type d | tr '\n' ' ')
        if [ -n "$left" ]; then
            [ -n "$why" ] || why="cgroup left behind: $left"
            for d in $left; do rmdir "$d" 2>/dev/null; done
        fi
    fi
    if [ -z "$why" ]; then pass "$1"; else fail "$1" "$why"; fi
}

# --- cases usable in both phases ---------------------------------------------------------------------
c_pid1() {
    r run $PROBE pid
    want_rc 0
    want_out 1
    want_no_err
}
c_exit0() {
    r run $PROBE exit 0
    want_rc 0
}
c_exit3() {
    r run $PROBE exit 3
    want_rc 3
}
c_exit127() {
    r run /bin/nope
    want_rc 127
    want_line $W/err '^runt: .*nope' "'runt: ... /bin/nope' error line"
    # One error line; without cgroups it is preceded by the one 'not confined' warning.
    errs=$(grep -vc '^runt: warning: ' $W/err)
    [ -n "$why" ] || [ "$errs" = 1 ] || why="stderr has $errs error lines: $(show $W/err)"
    [ -n "$why" ] || tail -n1 $W/err | grep -q nope || why="the error is not the last line: $(show $W/err)"
}
c_exit137() {
    bg run --name k9 $PROBE sleep 30
    if ! until_true 10 has_container; then
        fg
        why="no container process appeared (exit $rc, stderr: $(show $W/err))"
        return
    fi
    kill -KILL "$(container_pid)"
    fg
    want_rc 137
}
c_hostname() {
    r run --hostname box1 $PROBE hostname
    want_rc 0
    want_out box1
}
c_hostname_name() {
    r run --name vmname1 $PROBE hostname
    want_rc 0
    want_out vmname1
}
c_cgroupns() {
    r run $PROBE cgroup
    want_rc 0
    want_out 0::/
}

# --- phase 1: no cgroup filesystem, initramfs root ---------------------------------------------------
c_no_cgroupfs() {
    if grep -q ' - cgroup2\? ' /proc/self/mountinfo || [ -e $CG/cgroup.procs ]; then
        why="a cgroup filesystem is already mounted: $(grep cgroup /proc/self/mountinfo | tr '\n' '|')"
    fi
    # and / is the initramfs rootfs (where pivot_root fails with EINVAL)
    [ -n "$why" ] || [ "$(awk '$5 == "/" { print $9 }' /proc/self/mountinfo)" = rootfs ] ||
        why="/ is not the initramfs rootfs: $(awk '$5 == "/"' /proc/self/mountinfo)"
    checked
}
one_warning() {
    [ -z "$why" ] || return 0
    if [ "$(lines $W/err)" != 1 ] || ! grep -q warning $W/err || ! grep -q 'not applied' $W/err; then
        why="stderr should be one line with 'warning' and 'not applied': '$(show $W/err)'"
    fi
}
# Without cgroups and without limits: one line saying device access is not confined.
c_none_pid1_device_warning() {
    r run $PROBE pid
    want_rc 0
    want_out 1
    [ -n "$why" ] || { [ "$(lines $W/err)" = 1 ] && grep -q '^runt: warning: .*device access not confined' $W/err; } ||
        why="stderr should be the one 'device access not confined' warning: '$(show $W/err)'"
}
c_none_privileged_no_warning() {
    r run --privileged $PROBE pid
    want_rc 0
    want_out 1
    want_no_err
}
c_none_pids_limit() {
    r run --pids-limit 10 $PROBE pid
    want_rc 0
    want_out 1
    one_warning
}
c_none_all_limits() {
    r run --pids-limit 10 --memory 32m --cpus 0.5 $PROBE pid
    want_rc 0
    want_out 1
    one_warning
}
c_none_warning_exit() { # the warning also comes with --name and a command that fails
    r run --name warn1 --memory 16m $PROBE exit 3
    want_rc 3
    one_warning
}
c_default_rootfs_mounts() {
    r run $PROBE mounts
    want_rc 0
    for m in / /proc /dev /sys /tmp /run; do
        want_line $W/out "^$m\$" "mount $m"
    done
}
c_default_rootfs_readonly() {
    r run $PROBE write /rofile
    want_rc 1
    want_line $W/out '^error: ' "write error"
    [ -n "$why" ] || [ ! -e /rofile ] || why="/rofile was created on the host"
}
mkroot() { # mkroot DIR: a minimal root with probe and busybox
    mkdir -p "$1/bin" "$1/proc" "$1/dev" "$1/sys" "$1/tmp" "$1/run" "$1/etc"
    cp $PROBE "$1/bin/probe"
    cp /bin/busybox "$1/bin/busybox"
    ln -sf busybox "$1/bin/sh"
    echo "root of $1" >"$1/marker"
}
c_rootfs_dir() { # DIR on the initramfs rootfs itself
    mkroot /ctr
    r run --rootfs /ctr /bin/probe mounts
    want_rc 0
    want_line $W/out '^/$' "mount /"
    want_line $W/out '^/proc$' "mount /proc"
    [ -n "$why" ] || ! grep -q '^/ctr' $W/out || why="host path /ctr visible in mounts: $(show $W/out)"
    r run --rootfs /ctr /bin/probe read /marker
    want_rc 0
    want_out "root of /ctr"
    r run --rootfs /ctr /bin/probe pid
    want_rc 0
    want_out 1
    r run --rootfs /ctr /bin/sh -c 'echo hi from $$'
    want_rc 0
    want_out "hi from 1"
}
c_rootfs_tmpfs_dir() { # DIR on a tmpfs mounted in the initramfs
    mkroot /tmp/ctr2
    r run --rootfs /tmp/ctr2 /bin/probe read /marker
    want_rc 0
    want_out "root of /tmp/ctr2"
}
c_mounts_unchanged() {
    cat /proc/self/mountinfo >$W/mounts.now
    cmp -s $W/mounts.start $W/mounts.now ||
        why="mount table differs from the start: $(diff $W/mounts.start $W/mounts.now | grep '^[-+][^-+]' | tr '\n' '|' | cut -c1-300)"
    checked
}

# --- phase 2: cgroup v2 at /sys/fs/cgroup -----------------------------------------------------------
c_v2_mounted() {
    grep -q " $CG .* - cgroup2 " /proc/self/mountinfo ||
        why="no cgroup2 mount at $CG: $(grep " $CG " /proc/self/mountinfo)"
    checked
}
c_v2_forkbomb() {
    r run --name fb --pids-limit 20 $PROBE forkbomb 100
    k=$(sed -n 's/^started \([0-9]*\)$/\1/p' $W/out)
    [ -n "$k" ] || why="no 'started K' line (exit $rc, stdout: $(show $W/out), stderr: $(show $W/err))"
    [ -n "$why" ] || [ "$k" -lt 20 ] || why="started $k processes with --pids-limit 20"
    want_line $W/out '^error: ' "error line"
}
c_v2_oom() {
    r run --name oom --memory 32m $PROBE alloc 256
    want_rc 137
    want_line $W/err 'out of memory' "'out of memory'"
}
c_v2_alloc_within_limit() {
    r run --name fits --memory 64m $PROBE alloc 16
    want_rc 0
    want_out "allocated 16"
}
# bg_file NAME FILE WANT ARGS...: runs 'runt run --name NAME ARGS' in the background and checks that
# $CG/runt/NAME/FILE reads WANT while it runs; then SIGKILLs the container (exit 137 expected)
bg_file() {
    name=$1 file=$2 want=$3
    shift 3
    bg run --name "$name" "$@"
    if until_true 10 test -e "$CG/runt/$name/$file" && until_true 10 has_container; then
        got=$(cat "$CG/runt/$name/$file" 2>&1)
        procs=$(tr '\n' ' ' 2>&1 <"$CG/runt/$name/cgroup.procs")
        kill -KILL "$(container_pid)"
        fg
        want_rc 137
        want_eq "$file" "$got" "$want"
        [ -n "$why" ] || [ -n "$procs" ] || why="cgroup.procs was empty while the container ran"
        want_no_err
    else
        fg
        why="$CG/runt/$name/$file never appeared (exit $rc, stderr: $(show $W/err))"
    fi
}
c_v2_cpu_max() { bg_file cpu1 cpu.max "50000 100000" --cpus 0.5 $PROBE sleep 30; }
c_v2_pids_max() { bg_file p7 pids.max 7 --pids-limit 7 $PROBE sleep 30; }
c_v2_memory_max() { bg_file m32 memory.max 33554432 --memory 32m $PROBE sleep 30; }
c_v2_in_cgroup() { # the container's process really is in runt/NAME
    bg run --name incg $PROBE sleep 30
    if until_true 10 has_container; then
        got=$(cat /proc/"$(container_pid)"/cgroup 2>&1)
        kill -KILL "$(container_pid)"
        fg
        want_rc 137
        want_eq "the container's /proc/PID/cgroup" "$got" "0::/runt/incg"
    else
        fg
        why="no container process appeared (exit $rc, stderr: $(show $W/err))"
    fi
}
c_v2_name_taken() { # a name is in use while its container runs
    bg run --name taken $PROBE sleep 30
    if ! until_true 10 has_container; then
        fg
        why="no container process appeared (exit $rc, stderr: $(show $W/err))"
        return
    fi
    "$RUNT" run --name taken $PROBE pid >$W/out2 2>$W/err2
    rc2=$?
    kill -KILL "$(container_pid)"
    fg
    [ "$rc2" = 125 ] || why="second container with the same name: exit $rc2, want 125 ($(show $W/err2))"
    [ -n "$why" ] || grep -q 'in use' $W/err2 || why="no 'in use' in: $(show $W/err2)"
    checked
}
c_v2_stale_reclaimed() { # an empty cgroup left by a SIGKILLed runt does not block the name
    # marked as runt run marks its cgroups (the sticky bit); an unmarked one is another's
    mkdir -p $CG/runt && mkdir -m 1755 $CG/runt/stale
    r run --name stale $PROBE pid
    want_rc 0
    want_out 1
    [ -n "$why" ] || [ ! -d $CG/runt/stale ] || why="the stale cgroup runt/stale is still there"
    rmdir $CG/runt/stale 2>/dev/null
    # an engine's stopped container's (unmarked, empty): the name stays in use, the cgroup stays
    mkdir -p $CG/runt/engines
    r run --name engines $PROBE pid
    [ -n "$why" ] || [ "$rc" = 125 ] || why="a run named as an engine's stopped container: exit $rc, want 125"
    [ -n "$why" ] || grep -q 'in use' $W/err || why="no 'in use' in: $(show $W/err)"
    [ -n "$why" ] || [ -d $CG/runt/engines ] || why="the engine's container's cgroup runt/engines was taken"
    rmdir $CG/runt/engines 2>/dev/null
}
c_v2_signal() {
    bg run --name sig $PROBE wait-signal
    if until_true 10 grep -q ready $W/out; then
        kill -TERM $bgpid
        fg
        want_rc 0
        want_line $W/out '^got signal 15$' "'got signal 15'"
    else
        fg
        why="no 'ready' (exit $rc, stdout: $(show $W/out), stderr: $(show $W/err))"
    fi
}
# Device access on v2 is decided by runt's eBPF program: /dev/kmsg (c 1:11) is not on the list.
c_v2_device_denied() {
    r run --cap-add SYSLOG /bin/sh -c 'mknod /dev/k c 1 11 && head -c 1 /dev/k'
    [ "$rc" != 0 ] || why="opening a device outside the allow list worked"
    want_line $W/err 'Operation not permitted' "'Operation not permitted'"
}
c_v2_device_allowed() {
    r run --cap-add SYSLOG --device /dev/kmsg:/dev/k /bin/sh -c 'head -c 1 /dev/k >/dev/null && echo opened'
    want_rc 0
    want_out opened
}
c_v2_privileged_devices() {
    r run --privileged /bin/sh -c 'mknod /dev/k c 1 11 && head -c 1 /dev/k >/dev/null && echo opened'
    want_rc 0
    want_out opened
}
# Rootless: uid 1000 owns $CG/u1000 (delegated, as systemd does for user@1000.service); runt
# puts its containers there, with limits, and maps uid 1000 to root inside.
delegate() {
    grep -q '^user:' /etc/passwd || echo 'user:x:1000:1000::/:/bin/sh' >>/etc/passwd
    mkdir -p $CG/u1000/session
    echo +pids >$CG/cgroup.subtree_control
    chown -R 1000:1000 $CG/u1000
}
c_v2_rootless_ids() {
    delegate
    ru run --name rl1 $PROBE ids
    want_rc 0
    # su gave the user its group 1000, which is 0 inside; setgroups is denied, so it stays.
    want_line $W/out '^uid=0 gid=0 groups=0?$' "'uid=0 gid=0'"
    want_no_err
}
c_v2_rootless_pids_limit() {
    delegate
    ru run --name rl2 --pids-limit 10 $PROBE forkbomb 50
    want_rc 0
    want_line $W/out '^started [0-9]$' "'started N' with N < 10"
    want_line $W/out '^error: ' "an error line"
    want_no_err
    [ -n "$why" ] || [ ! -d $CG/u1000/runt/rl2 ] || why="cgroup $CG/u1000/runt/rl2 left behind"
}
# A user with nothing delegated: a limit cannot be applied, so it is refused (fail closed); without
# limits the container runs without a cgroup, and nothing needs saying.
undelegated() {
    grep -q '^other:' /etc/passwd || echo 'other:x:1001:1001::/:/bin/sh' >>/etc/passwd
    rm -f $W/timedout
    su -s /bin/sh other -c "exec $RUNT run $*" >$W/out 2>$W/err </dev/null
    rc=$?
}
c_v2_rootless_undelegated_limit_refused() {
    undelegated --pids-limit 10 $PROBE pid
    want_rc 125
    [ -n "$why" ] || [ ! -s $W/out ] || why="the container ran: $(show $W/out)"
    [ -n "$why" ] || { [ "$(lines $W/err)" = 1 ] && grep -q '^runt: .*delegat.*/sys/fs/cgroup.*: Permission denied$' $W/err; } ||
        why="stderr should be one line naming the cgroup, delegation and EACCES: '$(show $W/err)'"
}
c_v2_rootless_undelegated_no_limits() {
    undelegated $PROBE pid
    want_rc 0
    want_out 1
    want_no_err
}
# The OCI door on v2: config.json's linux.resources land in the right files of its cgroupsPath.
c_v2_oci_resources() {
    mkroot /ocib/rootfs
    (cd /ocib && rm -f config.json && $RUNT spec) || { why="runt spec failed"; return; }
    # runc's template, one member a line: the limits go in front of its device rule, the probe in
    # place of sh, and no terminal (nothing here would take the pty).
    res='"cgroupsPath": "oci/res1", "resources": {"pids": {"limit": 7}, "memory": {"limit": 33554432, "swap": 67108864}, "cpu": {"shares": 1024, "quota": 50000, "period": 100000},'
    sed -i -e "s|^[[:space:]]*\"resources\": {\$|$res|" \
        -e 's|^[[:space:]]*"sh"$|"/bin/probe", "sleep", "30"|' -e 's|"terminal": true|"terminal": false|' /ocib/config.json
    grep -q 'oci/res1' /ocib/config.json || { why="could not edit config.json"; return; }
    r --root /run/runt-vm create --bundle /ocib res1
    want_rc 0
    d=$CG/oci/res1
    for pair in "pids.max=7" "memory.max=33554432" "memory.swap.max=33554432" "cpu.max=50000 100000" "cpu.weight=39"; do
        [ -n "$why" ] && break
        have=$(cat "$d/${pair%%=*}" 2>/dev/null)
        [ "$have" = "${pair#*=}" ] || why="$d/${pair%%=*} is '$have', want '${pair#*=}'"
    done
    "$RUNT" --root /run/runt-vm delete --force res1 >/dev/null 2>&1
    [ -n "$why" ] || [ ! -d "$d" ] || why="$d left after delete"
    rmdir $CG/oci 2>/dev/null
}
# ocibundle DIR CGROUPSPATH MEMBERS: a bundle in DIR from `runt spec` (runc's template, one member a
# line) running `probe sleep 30` with no terminal in cgroup CGROUPSPATH, MEMBERS (JSON members, each
# followed by a comma, or nothing) put in front of its linux.resources device rule; sets $why when
# it cannot
ocibundle() {
    mkroot "$1/rootfs"
    (cd "$1" && rm -f config.json && $RUNT spec) || { why="runt spec failed"; return 1; }
    sed -i -e "s|^[[:space:]]*\"resources\": {\$|\"cgroupsPath\": \"$2\", \"resources\": {$3|" \
        -e 's|^[[:space:]]*"sh"$|"/bin/probe", "sleep", "30"|' -e 's|"terminal": true|"terminal": false|' \
        "$1/config.json"
    grep -q "\"$2\"" "$1/config.json" || { why="could not edit $1/config.json"; return 1; }
}
# want_files DIR FILE=WANT...: each file of DIR reads WANT; sets $why
want_files() {
    d=$1
    shift
    for pair in "$@"; do
        [ -n "$why" ] && return
        have=$(cat "$d/${pair%%=*}" 2>/dev/null)
        [ "$have" = "${pair#*=}" ] || why="$d/${pair%%=*} is '$have', want '${pair#*=}'"
    done
}
# runt update on v2: each of runc's flags in v2's files (weights and swap converted); -1 takes a
# limit away; a period alone keeps the quota; realtime limits are v1's only
c_v2_oci_update() {
    ocibundle /ociu oci/upd1 '' || return
    r --root /run/runt-vm create --bundle /ociu upd1
    want_rc 0
    d=$CG/oci/upd1
    r --root /run/runt-vm update --cpu-period 50000 --cpu-quota 20000 --cpu-share 1024 --memory 64m --memory-swap 128m \
        --memory-reservation 32m --pids-limit 42 --cpuset-cpus 0 --cpuset-mems 0 upd1
    want_rc 0
    want_files $d "cpu.max=20000 50000" cpu.weight=39 memory.max=67108864 memory.swap.max=67108864 memory.low=33554432 \
        pids.max=42 cpuset.cpus=0 cpuset.mems=0
    r --root /run/runt-vm update --cpu-period 100000 --pids-limit -1 --memory -1 upd1
    want_rc 0
    want_files $d "cpu.max=20000 100000" pids.max=max memory.max=max
    echo '{"pids":{"limit":9},"memory":{"limit":33554432}}' >$W/res.json
    rm -f $W/timedout
    $RUNT --root /run/runt-vm update -r - upd1 <$W/res.json >$W/out 2>$W/err
    rc=$?
    want_rc 0
    want_files $d pids.max=9 memory.max=33554432 memory.swap.max=0
    r --root /run/runt-vm update --cpu-rt-runtime 1000 upd1
    [ -n "$why" ] || { [ "$rc" = 125 ] && grep -q 'cgroup v1' $W/err; } || why="realtime on v2: exit $rc, $(show $W/err)"
    "$RUNT" --root /run/runt-vm delete --force upd1 >/dev/null 2>&1
    [ -n "$why" ] || [ ! -d "$d" ] || why="$d left after delete"
}
c_v2_oci_period_only() { # a cpu period without a quota is applied at create
    ocibundle /ocip oci/per1 '"cpu": {"period": 50000},' || return
    r --root /run/runt-vm create --bundle /ocip per1
    want_rc 0
    want_files $CG/oci/per1 "cpu.max=max 50000"
    "$RUNT" --root /run/runt-vm delete --force per1 >/dev/null 2>&1
}
c_v2_oci_accounting() { # without limits the memory controller counts (enabled as runc does)
    ocibundle /ocia oci/acc1 '' || return
    r --root /run/runt-vm create --bundle /ocia acc1
    want_rc 0
    have=$(cat $CG/oci/acc1/memory.current 2>/dev/null)
    [ -n "$why" ] || [ "${have:-0}" -gt 0 ] || why="memory.current of a container without limits: '$have'"
    "$RUNT" --root /run/runt-vm delete --force acc1 >/dev/null 2>&1
}
c_v2_oci_shared() { # two containers, one cgroupsPath: the second joins it (runc 1.1 does, warning)
    ocibundle /ocis oci/shared '' || return
    r --root /run/runt-vm create --bundle /ocis sh1
    want_rc 0
    r --root /run/runt-vm create --bundle /ocis sh2
    want_rc 0
    want_line $W/err 'not empty' "a warning that the cgroup is shared"
    n=$(wc -l <$CG/oci/shared/cgroup.procs 2>/dev/null)
    [ -n "$why" ] || [ "$n" = 2 ] || why="$CG/oci/shared/cgroup.procs has $n processes, want 2"
    r --root /run/runt-vm delete --force sh1
    want_rc 0
    [ -n "$why" ] || [ "$(wc -l <$CG/oci/shared/cgroup.procs 2>/dev/null)" = 1 ] || why="the second container's process is gone with the first"
    r --root /run/runt-vm delete --force sh2
    want_rc 0
    [ -n "$why" ] || [ ! -d $CG/oci/shared ] || why="$CG/oci/shared left after deleting both"
}
c_v2_oci_join_pid() { # a container joining another's pid namespace (a pod's) sees its processes
    ocibundle /ocij1 oci/joina '' || return
    r --root /run/runt-vm create --bundle /ocij1 ja
    want_rc 0
    [ -n "$why" ] || r --root /run/runt-vm start ja
    want_rc 0
    pa=$("$RUNT" --root /run/runt-vm state ja 2>/dev/null | tr -d ' \n' | sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
    [ -n "$why" ] || [ -n "$pa" ] || why="no pid in the state of ja"
    ocibundle /ocij2 oci/joinb '' || return
    sed -i -e "s|\"type\": \"pid\"|\"type\": \"pid\", \"path\": \"/proc/$pa/ns/pid\"|" \
        -e 's|"/bin/probe", "sleep", "30"|"/bin/probe", "read", "/proc/1/cmdline"|' /ocij2/config.json
    # This kernel's procfs has no pidns= option (Linux 6.18): runt enters the namespace before it
    # builds the root, and the /proc it mounts is the namespace's.
    [ -n "$why" ] || r --root /run/runt-vm run --bundle /ocij2 jb
    want_rc 0
    [ -n "$why" ] || tr '\0' ' ' <$W/out | grep -q 'probe sleep 30' ||
        why="/proc/1 of the joining container is not the pod's init: '$(tr '\0' ' ' <$W/out | cut -c1-80)'"
    "$RUNT" --root /run/runt-vm delete --force jb >/dev/null 2>&1
    "$RUNT" --root /run/runt-vm delete --force ja >/dev/null 2>&1
    rmdir $CG/oci 2>/dev/null
}
# linux.sysctl in a fresh kernel: the network and IPC namespaces' own settings land in the
# container's namespaces, before its /proc/sys is read-only; the guest's stay as they were
c_v2_oci_sysctl() {
    ocibundle /ocisc oci/sysctl1 '' || return
    files="/proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shm_rmid_forced /proc/sys/net/core/somaxconn"
    before=$(cat $files | tr '\n' ' ')
    sed -i -e 's|^[[:space:]]*"linux": {$|"linux": {"sysctl": {"net.ipv4.ip_forward": "1", "kernel.shm_rmid_forced": "1", "net/core/somaxconn": "77"},|' \
        -e 's|"/bin/probe", "sleep", "30"|"/bin/busybox", "cat", "/proc/sys/net/ipv4/ip_forward", "/proc/sys/kernel/shm_rmid_forced", "/proc/sys/net/core/somaxconn"|' \
        /ocisc/config.json
    grep -q somaxconn /ocisc/config.json || { why="could not edit /ocisc/config.json"; return; }
    r --root /run/runt-vm run --bundle /ocisc sc1
    want_rc 0
    [ -n "$why" ] || [ "$(tr '\n' ' ' <$W/out)" = "1 1 77 " ] || why="the container read '$(show $W/out)', want 1, 1 and 77"
    [ -n "$why" ] || [ "$(cat $files | tr '\n' ' ')" = "$before" ] || why="the guest's settings changed: $(cat $files | tr '\n' ' '), were $before"
    rmdir $CG/oci 2>/dev/null
}
# Kernel interfaces this kernel has (the development host lacks them): sysrq-trigger read-only,
# kcore masked. The guest itself can write and read them, so the refusal is runt's doing.
c_v2_sysrq_kcore() {
    [ -e /proc/sysrq-trigger ] || { why="the guest kernel lacks sysrq-trigger"; return; }
    r run $PROBE write /proc/sysrq-trigger
    [ "$rc" != 0 ] || why="a container could write /proc/sysrq-trigger"
    want_line $W/out 'Read-only file system' "'Read-only file system'"
    # Debian's armmp (armv7) kernel is built without /proc/kcore: nothing to mask there.
    [ -e /proc/kcore ] || { echo "INFO kcore: this kernel has no /proc/kcore; only sysrq-trigger checked"; return; }
    # Masked: a mount over it that reads empty (an error, as an unmasked one gives without
    # CAP_SYS_RAWIO, is no mask).
    r run $PROBE read /proc/kcore
    [ -n "$why" ] || [ ! -s $W/out ] || why="a container read from /proc/kcore: $(head -c 40 $W/out | od -An -c | head -n1)"
    want_rc 0
}
c_v2_no_leftovers() {
    left=$(find $CG/runt -mindepth 1 -type d 2>/dev/null | tr '\n' ' ')
    [ -z "$left" ] || why="left under $CG/runt: $left"
    checked
}

timing() { # timing LABEL N ARGS...: average wall time of N 'runt ARGS' runs
    label=$1 n=$2
    shift 2
    t0=$(ucs)
    i=0
    while [ $i -lt "$n" ]; do
        $RUNT "$@" >/dev/null 2>&1 </dev/null
        i=$((i + 1))
    done
    t1=$(ucs)
    echo "INFO $label: $(((t1 - t0) * 10 / n)) ms per 'runt $*' (TCG, $n runs)"
}

# --- main -------------------------------------------------------------------------------------------
echo "INFO guest: kernel $(uname -r), $($RUNT --version 2>&1 | head -n1), probe $(wc -c <$PROBE) bytes, runt $(wc -c <$RUNT) bytes"
cp $W/mounts.ref $W/mounts.start

run_case no-cgroupfs-initramfs-root c_no_cgroupfs
run_case none-pid1-device-warning c_none_pid1_device_warning
run_case none-privileged-no-warning c_none_privileged_no_warning
run_case none-pids-limit-warns c_none_pids_limit
run_case none-all-limits-one-warning c_none_all_limits
run_case none-limit-warning-with-exit-code c_none_warning_exit
run_case none-hostname c_hostname
run_case none-hostname-defaults-to-name c_hostname_name
run_case none-default-rootfs-mounts c_default_rootfs_mounts
run_case none-default-rootfs-readonly c_default_rootfs_readonly
run_case none-rootfs-dir-on-initramfs c_rootfs_dir
run_case none-rootfs-dir-on-tmpfs c_rootfs_tmpfs_dir
run_case none-exit-0 c_exit0
run_case none-exit-3 c_exit3
run_case none-exit-127 c_exit127
run_case none-exit-137-sigkill c_exit137
run_case none-mount-table-unchanged c_mounts_unchanged
timing "no cgroups" 10 run $PROBE pid

if mount -t cgroup2 none $CG; then
    cgmode=v2
    cat /proc/self/mountinfo >$W/mounts.ref
    cp $W/mounts.ref $W/mounts.start
    run_case v2-mounted c_v2_mounted
    run_case v2-pid1-no-warning c_pid1
    run_case v2-cgroup-namespace c_cgroupns
    run_case v2-pids-max c_v2_pids_max
    run_case v2-forkbomb-stopped c_v2_forkbomb
    run_case v2-cpu-max c_v2_cpu_max
    run_case v2-memory-max c_v2_memory_max
    run_case v2-oom-137 c_v2_oom
    run_case v2-alloc-within-limit c_v2_alloc_within_limit
    run_case v2-in-own-cgroup c_v2_in_cgroup
    run_case v2-name-taken-125 c_v2_name_taken
    run_case v2-stale-cgroup-reclaimed c_v2_stale_reclaimed
    run_case v2-signal-forwarded c_v2_signal
    run_case v2-hostname c_hostname
    run_case v2-exit-0 c_exit0
    run_case v2-exit-3 c_exit3
    run_case v2-exit-127 c_exit127
    run_case v2-exit-137-sigkill c_exit137
    run_case v2-device-denied c_v2_device_denied
    run_case v2-device-allowed c_v2_device_allowed
    run_case v2-device-privileged c_v2_privileged_devices
    run_case v2-rootless-uid0-inside c_v2_rootless_ids
    run_case v2-rootless-delegated-pids-limit c_v2_rootless_pids_limit
    run_case v2-rootless-undelegated-limit-refused c_v2_rootless_undelegated_limit_refused
    run_case v2-rootless-undelegated-no-limits c_v2_rootless_undelegated_no_limits
    run_case v2-oci-resources c_v2_oci_resources
    run_case v2-oci-update-every-flag c_v2_oci_update
    run_case v2-oci-cpu-period-without-quota c_v2_oci_period_only
    run_case v2-oci-accounting-without-limits c_v2_oci_accounting
    run_case v2-oci-shared-cgroups-path c_v2_oci_shared
    run_case v2-oci-join-pid-namespace c_v2_oci_join_pid
    run_case v2-oci-sysctl c_v2_oci_sysctl
    run_case v2-sysrq-kcore-refused c_v2_sysrq_kcore
    run_case v2-no-cgroup-left c_v2_no_leftovers
    run_case v2-mount-table-unchanged c_mounts_unchanged
    timing "cgroup v2" 10 run $PROBE pid
    timing "cgroup v2 + limits" 10 run --pids-limit 100 --memory 64m $PROBE pid
else
    fail v2-mounted "mount -t cgroup2 none $CG failed"
fi

echo "$npass passed, $nfail failed"
[ $nfail -eq 0 ]
