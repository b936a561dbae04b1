#!/usr/bin/env bash
# tests/vm/run.sh RUNT_BINARY PROBE_BINARY
#
# Boots Debian's own kernel (x86_64, or arm64 with RUNT_VM_ARCH=aarch64) under qemu with a busybox initramfs whose root is the initramfs rootfs
# (so pivot_root(2) is impossible and no cgroupfs is mounted at first), runs tests/vm/guest.sh there
# with the given runt and probe, prints the guest's result lines and exits non-zero when the guest
# reported a failure, reported nothing, or timed out.
#
# Everything slow is cached in $RUNT_VM_CACHE (default: <repo>/.cache/vm/, .cache/vm-aarch64/ for
# arm64): the kernel package (apt-get download + dpkg-deb -x, never installed into /boot), on
# x86_64 the extracted uncompressed vmlinux (booted PVH-style; falls back to the bzImage if that
# does not boot), and the base initramfs (busybox-static + /init; for arm64 Debian's arm64
# busybox-static, downloaded the same way: arm64 is added to dpkg's foreign architectures). Each run only appends a small uncompressed cpio with runt, probe and
# guest.sh, so a warm run costs one boot.
#
# Environment knobs (all optional):
#   RUNT_VM_ARCH=aarch64   boot Debian's arm64 kernel with qemu-system-aarch64 (-M virt, TCG); the
#                          binaries must be aarch64 ones (default x86_64)
#   RUNT_VM_CACHE=DIR      cache folder (default <repo>/.cache/vm)
#   RUNT_VM_TIMEOUT=SECS   whole-VM timeout (default 300)
#   RUNT_VM_VERBOSE=1      stream the full serial console instead of only result lines
#   RUNT_VM_REFRESH=1      re-download the kernel and rebuild everything
#   RUNT_VM_KERNEL=FILE    boot this kernel instead of Debian's (vmlinux or bzImage)
#   RUNT_VM_MODULES="a b"  kernel modules (with their dependencies) to insmod at boot (e.g. overlay)
#   RUNT_VM_APPEND="..."   extra kernel command line
#   RUNT_VM_GUEST=FILE     guest test script (default tests/vm/guest.sh)
#   RUNT_VM_ACCEL=kvm      use KVM (default: TCG; KVM makes qemu abort on the hosts this was made on)
set -euo pipefail

die() { echo "vm: error: $*" >&2; exit 2; }
say() { echo "vm: $*" >&2; }
now() { echo "${EPOCHREALTIME/,/.}"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

[ $# -eq 2 ] || { echo "usage: $0 RUNT_BINARY PROBE_BINARY" >&2; exit 2; }
T_START=$(now)

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
ARCH=${RUNT_VM_ARCH:-x86_64}
# Per architecture: Debian's name for it, its kernel package, qemu, the serial console, the ELF
# machine the binaries must be for.
case $ARCH in
x86_64) DEB_ARCH=amd64 KFLAVOUR=amd64 QEMU=qemu-system-x86_64 QEMU_PKG=qemu-system-x86 CONSOLE=ttyS0 MACHINE='X86-64' ;;
aarch64) DEB_ARCH=arm64 KFLAVOUR=arm64 QEMU=qemu-system-aarch64 QEMU_PKG=qemu-system-arm CONSOLE=ttyAMA0 MACHINE='AArch64' ;;
armv7) DEB_ARCH=armhf KFLAVOUR=armmp QEMU=qemu-system-arm QEMU_PKG=qemu-system-arm CONSOLE=ttyAMA0 MACHINE='ARM' ;;
*) die "RUNT_VM_ARCH=$ARCH: the VM boots x86_64, aarch64 or armv7" ;;
esac
KPKG=linux-image-$KFLAVOUR
QEMU_USER=qemu-$([ "$ARCH" = armv7 ] && echo arm || echo "$ARCH")-static
CACHE=${RUNT_VM_CACHE:-$REPO/.cache/vm$([ "$ARCH" = x86_64 ] || echo "-$ARCH")}
TIMEOUT=${RUNT_VM_TIMEOUT:-300}
GUEST=${RUNT_VM_GUEST:-$HERE/guest.sh}
MODULES=${RUNT_VM_MODULES:-}

abspath() { local d; d=$(cd "$(dirname "$1")" && pwd) && echo "$d/$(basename "$1")"; }
RUNT=$(abspath "$1") || die "runt binary: $1: no such directory"
PROBE=$(abspath "$2") || die "probe binary: $2: no such directory"
for f in "$RUNT" "$PROBE" "$GUEST"; do
    [ -f "$f" ] || die "$f: not found"
done
[ "$(id -u)" = 0 ] || die "must run as root (apt-get, mknod)"

# ---------------------------------------------------------------------------------------------- tools
APT_UPDATED=
apt_install() {
    local opts=(-y -q --no-install-recommends -o DPkg::Lock::Timeout=600)
    say "installing $*"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install "${opts[@]}" "$@" >"$CACHE/apt.log" 2>&1; then
        [ -z "$APT_UPDATED" ] || { cat "$CACHE/apt.log" >&2; die "apt-get install $* failed"; }
        say "apt-get install failed; running apt-get update and retrying"
        apt-get -q -o DPkg::Lock::Timeout=600 update >"$CACHE/apt.log" 2>&1 \
            || { cat "$CACHE/apt.log" >&2; die "apt-get update failed"; }
        APT_UPDATED=1
        DEBIAN_FRONTEND=noninteractive apt-get install "${opts[@]}" "$@" >"$CACHE/apt.log" 2>&1 \
            || { cat "$CACHE/apt.log" >&2; die "apt-get install $* failed"; }
    fi
}
is_static_elf() {  # true unless $1 is an ELF with a program interpreter
    [ "$(head -c4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ] || return 0
    ! LC_ALL=C readelf -lW "$1" 2>/dev/null | grep -q 'program interpreter'
}

mkdir -p "$CACHE"
exec 9>"$CACHE/lock"
flock 9    # serialise cache preparation between concurrent runs (released when we exit)

need=()
command -v "$QEMU" >/dev/null || need+=("$QEMU_PKG")
command -v cpio >/dev/null || need+=(cpio)
command -v xz >/dev/null || need+=(xz-utils)
command -v readelf >/dev/null || need+=(binutils)
BUSYBOX=/bin/busybox
if [ "$ARCH" = x86_64 ]; then
    if ! [ -x $BUSYBOX ] || ! is_static_elf $BUSYBOX; then need+=(busybox-static); fi
else
    command -v "$QEMU_USER" >/dev/null || need+=(qemu-user-static)  # to list busybox's applets
fi
[ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"

# apt_download PKG[=VERSION] DIR: the foreign architecture's package file into DIR (added to dpkg's
# foreign architectures, with an apt-get update, the first time).
apt_download() {
    local spec=$1 dir=$2
    if [ "$DEB_ARCH" != amd64 ] && ! dpkg --print-foreign-architectures | grep -qx "$DEB_ARCH"; then
        say "adding $DEB_ARCH to dpkg's foreign architectures (to download its packages)"
        dpkg --add-architecture "$DEB_ARCH"
        apt-get -q -o DPkg::Lock::Timeout=600 update >"$CACHE/apt.log" 2>&1 || { cat "$CACHE/apt.log" >&2; die "apt-get update failed"; }
    fi
    local name=${spec%%=*} ver=
    [ "$name" = "$spec" ] || ver="=${spec#*=}"
    # apt-get download warns when _apt cannot write the folder; harmless
    (cd "$dir" && apt-get -q download "$name:$DEB_ARCH$ver" >"$CACHE/apt.log" 2>&1) || {
        apt-get -q update >"$CACHE/apt.log" 2>&1 || true
        (cd "$dir" && apt-get -q download "$name:$DEB_ARCH$ver" >"$CACHE/apt.log" 2>&1)
    } || { cat "$CACHE/apt.log" >&2; die "apt-get download $name:$DEB_ARCH failed"; }
}

if [ "$ARCH" != x86_64 ]; then   # the guest's busybox: Debian's static one for that architecture
    BUSYBOX=$CACHE/busybox/bin/busybox
    if ! [ -x "$BUSYBOX" ]; then
        rm -rf "$CACHE/busybox" && mkdir -p "$CACHE/busybox/dl"
        apt_download busybox-static "$CACHE/busybox/dl"
        dpkg-deb -x "$CACHE"/busybox/dl/busybox-static_*.deb "$CACHE/busybox"
        rm -rf "$CACHE/busybox/dl"
    fi
fi
if ! [ -x "$BUSYBOX" ] || ! is_static_elf "$BUSYBOX"; then die "$BUSYBOX is not a static busybox"; fi
# busybox --list, run under qemu-user for another architecture
applets() { if [ "$ARCH" = x86_64 ]; then "$BUSYBOX" --list; else "$QEMU_USER" "$BUSYBOX" --list; fi; }

for f in "$RUNT" "$PROBE"; do
    is_static_elf "$f" || die "$f is dynamically linked; the guest has no libc (build it static/musl)"
    LC_ALL=C readelf -hW "$f" | grep -q "Machine: *.*$MACHINE" || die "$f is not an $ARCH program"
done

# --------------------------------------------------------------------------------------------- kernel
KDIR=$CACHE/kernel
if [ -n "${RUNT_VM_REFRESH:-}" ]; then
    say "RUNT_VM_REFRESH set: dropping the cache"
    rm -rf "$KDIR" "$CACHE"/base-*.cpio "$CACHE/boot-mode"
fi

# extract_vmlinux BZIMAGE OUT: find a compression magic in the bzImage, decompress from there, keep
# the first result that is an ELF (what linux/scripts/extract-vmlinux does).
extract_vmlinux() {
    local img=$1 out=$2 magic cmd pos
    local -a tries=(
        '\xFD7zXZ\x00|xz -dcq'
        '\x1F\x8B\x08|gzip -dcq'
        '\x28\xB5\x2F\xFD|zstd -dcq'
        'BZh|bzip2 -dcq'
        '\x5D\x00\x00\x00|xz -dcq --format=lzma'
        '\x02\x21\x4C\x18|lz4 -dcq'
    )
    for t in "${tries[@]}"; do
        magic=${t%%|*} cmd=${t#*|}
        command -v "${cmd%% *}" >/dev/null || continue
        for pos in $(LC_ALL=C grep -obUaP "$magic" "$img" | cut -d: -f1 | head -n 8); do
            tail -c+$((pos + 1)) "$img" | $cmd >"$out.tmp" 2>/dev/null || true  # trailing data: error
            if [ "$(head -c4 "$out.tmp" | od -An -c | tr -d ' ')" = '177ELF' ]; then
                mv "$out.tmp" "$out"
                return 0
            fi
        done
    done
    rm -f "$out.tmp"
    return 1
}

prepare_kernel() {
    [ -f "$KDIR/ok" ] && return 0
    local t0 dl pkg dep ver
    t0=$(now)
    rm -rf "$KDIR" && mkdir -p "$KDIR/dl"
    dl=$KDIR/dl
    say "downloading Debian's kernel (apt-get download $KPKG + its linux-image-6.x)"
    apt_download "$KPKG" "$dl"
    # Depends: linux-image-6.1.0-56-amd64 (= 6.1.192-2)
    dep=$(dpkg-deb -f "$dl/${KPKG}_"*.deb Depends | tr ',' '\n' |
        grep -oE 'linux-image-[0-9][^ ]*( \(= [^)]*\))?' | head -n1)
    [ -n "$dep" ] || die "cannot find the kernel package $KPKG depends on"
    pkg=${dep%% *}
    ver=$(sed -nE 's/.*\(= ([^)]*)\).*/\1/p' <<<"$dep")
    apt_download "$pkg${ver:+=$ver}" "$dl"
    say "unpacking $pkg $ver"
    dpkg-deb -x "$dl/${pkg}_"*.deb "$KDIR/pkg"
    rm -f "$dl"/*.deb
    local vmlinuz
    vmlinuz=$(find "$KDIR/pkg/boot" -name "vmlinuz-*" | head -n1)
    [ -f "$vmlinuz" ] || die "no vmlinuz in $pkg"
    ln -sf "${vmlinuz#"$KDIR"/}" "$KDIR/vmlinuz"
    ln -sfn "pkg/lib/modules/$(basename "$(find "$KDIR/pkg/lib/modules" -mindepth 1 -maxdepth 1 -type d | head -n1)")" "$KDIR/modules"
    if [ "$ARCH" != x86_64 ]; then
        :   # qemu boots the arm64 Image (gzip-compressed) or the arm zImage as it is: no PVH there
    elif extract_vmlinux "$vmlinuz" "$KDIR/vmlinux"; then
        if LC_ALL=C readelf -nW "$KDIR/vmlinux" 2>/dev/null | grep -q 'note type: (0x00000012)'; then
            say "extracted vmlinux ($(du -m "$KDIR/vmlinux" | cut -f1) MB, has the PVH entry note)"
        else
            say "extracted vmlinux has no PVH entry note: will boot the bzImage"
            rm -f "$KDIR/vmlinux"
        fi
    else
        say "could not extract vmlinux: will boot the bzImage"
    fi
    echo "$pkg $ver" >"$KDIR/version"
    touch "$KDIR/ok"
    say "kernel ready in $(elapsed "$t0" "$(now)") s"
}
if [ -n "${RUNT_VM_KERNEL:-}" ]; then
    [ -f "$RUNT_VM_KERNEL" ] || die "RUNT_VM_KERNEL=$RUNT_VM_KERNEL: not found"
    [ -z "$MODULES" ] || die "RUNT_VM_MODULES needs Debian's kernel (unset RUNT_VM_KERNEL)"
else
    prepare_kernel
fi

# ------------------------------------------------------------------------------------ base initramfs
# The /init of the guest: mounts /proc /sys /dev (+ /dev/pts, /dev/shm, /tmp, /run), loads modules,
# runs /test/guest.sh if present, reports and powers off. No cgroupfs is mounted: guest.sh does it.
# shellcheck disable=SC2016 # expands in the guest
INIT_SCRIPT='#!/bin/sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TERM=dumb
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=0755 tmpfs /run
exec </dev/console >/dev/console 2>&1
echo
echo "RUNT-VM: init up $(cut -d" " -f1 /proc/uptime) kernel $(uname -r) cpus $(nproc)"
hostname runt-vm
ip link set lo up 2>/dev/null
if [ -f /lib/modules/load ]; then
    while read -r m; do
        insmod "/lib/modules/$m" || echo "RUNT-VM: insmod $m failed"
    done </lib/modules/load
fi
if [ -f /test/guest.sh ]; then
    cd /
    sh /test/guest.sh
    echo "RUNT-VM: guest exit $? at $(cut -d" " -f1 /proc/uptime)"
else
    echo "RUNT-VM: no guest script"
fi
echo "RUNT-VM: done"
sync
poweroff -f
sleep 5
echo o >/proc/sysrq-trigger
'

# modules_closure MOD...: the .ko paths (relative to the modules folder) of MODs and their
# dependencies, dependencies first, from modules.dep.
modules_closure() {
    local moddir=$KDIR/modules
    if ! [ -s "$moddir/modules.dep" ]; then   # the .deb ships no modules.dep: depmod makes it
        command -v depmod >/dev/null || apt_install kmod
        depmod -b "$KDIR/pkg" "$(basename "$(readlink -f "$moddir")")" >&2 || return 1
    fi
    awk -v want="$*" '
        BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) { gsub("-", "_", w[i]); wanted[w[i]] = 1 } }
        {
            path = $1; sub(":$", "", path)
            name = path; sub(".*/", "", name); sub("\\.ko(\\..*)?$", "", name); gsub("-", "_", name)
            file[name] = path; deps[name] = ""
            for (i = 2; i <= NF; i++) { d = $i; sub(".*/", "", d); sub("\\.ko(\\..*)?$", "", d); gsub("-", "_", d); deps[name] = deps[name] " " d }
        }
        function visit(m,   a, k, i) {
            if (seen[m]++) return
            if (!(m in file)) { print "missing " m > "/dev/stderr"; bad = 1; return }
            k = split(deps[m], a, " ")
            for (i = k; i >= 1; i--) visit(a[i])
            print file[m]
        }
        END { for (m in wanted) visit(m); exit bad }
    ' "$moddir/modules.dep"
}

base_key=$( {
    echo "$INIT_SCRIPT"; sha256sum "$BUSYBOX"; echo "modules: $MODULES arch: $ARCH"
    [ -z "$MODULES" ] || cat "$KDIR/version"
} | sha256sum | cut -c1-16)
BASE=$CACHE/base-$base_key.cpio
if ! [ -f "$BASE" ]; then
    t0=$(now)
    rm -f "$CACHE"/base-*.cpio
    stage=$(mktemp -d "$CACHE/stage.XXXXXX")
    (
        cd "$stage"
        mkdir -p bin dev proc sys tmp run root etc mnt test lib/modules usr
        ln -s bin sbin && ln -s ../bin usr/bin && ln -s ../bin usr/sbin
        cp "$BUSYBOX" bin/busybox
        for a in $(applets); do [ -e "bin/$a" ] || ln -s busybox "bin/$a"; done
        mknod -m 600 dev/console c 5 1 2>/dev/null || true
        mknod -m 666 dev/null c 1 3 2>/dev/null || true
        printf '%s' "$INIT_SCRIPT" >init && chmod 755 init
        printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >etc/passwd
        printf 'root:x:0:\nnogroup:x:65534:\n' >etc/group
        if [ -n "$MODULES" ]; then
            # shellcheck disable=SC2086 # a list
            modules_closure $MODULES >lib/modules/load.tmp || exit 1
            while read -r ko; do
                install -D -m 644 "$KDIR/modules/$ko" "lib/modules/$ko"
            done <lib/modules/load.tmp
            mv lib/modules/load.tmp lib/modules/load
        fi
        find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet >"$BASE.tmp"
    ) || { rm -rf "$stage"; die "building the base initramfs failed"; }
    rm -rf "$stage"
    mv "$BASE.tmp" "$BASE"
    say "base initramfs built in $(elapsed "$t0" "$(now)") s ($(du -k "$BASE" | cut -f1) KB)"
fi

# --------------------------------------------------------------------------------------------- boot
RUN=$(mktemp -d "$CACHE/run.XXXXXX")
QEMU_PID=
cleanup() {
    [ -z "$QEMU_PID" ] || kill "$QEMU_PID" 2>/dev/null || true
    rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

QEMU_BASE=("$QEMU" -m 1024 -smp 2 -nographic -no-reboot -nic none -monitor none -serial stdio)
if [ "$ARCH" = aarch64 ]; then
    # The virt board (its device tree is qemu's own) and a CPU without pointer authentication,
    # which TCG emulates slowly.
    # shellcheck disable=SC2054 # the commas belong to the option
    QEMU_BASE+=(-M virt -accel tcg,thread=multi -cpu cortex-a72)
    APPEND="console=$CONSOLE quiet panic=-1 oops=panic loglevel=3 ${RUNT_VM_APPEND:-}"
elif [ "$ARCH" = armv7 ]; then
    # shellcheck disable=SC2054 # the commas belong to the option
    QEMU_BASE+=(-M virt,highmem=off -accel tcg,thread=multi -cpu cortex-a15)
    APPEND="console=$CONSOLE quiet panic=-1 oops=panic loglevel=3 ${RUNT_VM_APPEND:-}"
else
    QEMU_BASE+=(-M q35)
    if [ "${RUNT_VM_ACCEL:-tcg}" = kvm ]; then
        QEMU_BASE+=(-accel kvm -cpu host)
    else   # KVM is broken on the hosts this runs on (qemu aborts setting MSRs): TCG unless asked
        # shellcheck disable=SC2054 # the commas belong to the option
        QEMU_BASE+=(-accel tcg,thread=multi -cpu max)
    fi
    # qboot (a minimal firmware shipped with qemu) starts ~0.1-0.3 s faster than SeaBIOS
    [ ! -f /usr/share/qemu/qboot.rom ] || QEMU_BASE+=(-bios qboot.rom)
    # no_timer_check: under TCG on a loaded host the kernel's IO-APIC timer check can time out
    # and panic ("IO-APIC + timer doesn't work!"), as it can in any slow VM
    APPEND="console=$CONSOLE quiet mitigations=off no_timer_check panic=-1 oops=panic loglevel=3 8250.nr_uarts=1 ${RUNT_VM_APPEND:-}"
fi

# boot KERNEL INITRD TIMEOUT LOG: runs qemu; writes every serial line to LOG prefixed with the host
# time since qemu started; the last line is "HOST qemu-exit N" (124: timed out).
boot() {
    local kernel=$1 initrd=$2 tmo=$3 log=$4 t0 line rc
    : >"$log"
    : >"$RUN/raw"
    t0=$(now)
    timeout -k 5 "$tmo" "${QEMU_BASE[@]}" -kernel "$kernel" -initrd "$initrd" -append "$APPEND" \
        </dev/null >"$RUN/raw" 2>&1 &
    QEMU_PID=$!
    while IFS= read -r line || [ -n "$line" ]; do
        line=${line//$'\r'/}
        line=$(sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1b[()][0-9A-Za-z]//g; s/\x1bc//g' <<<"$line")
        printf '%s %s\n' "$(elapsed "$t0" "$(now)")" "$line" >>"$log"
        if [ -n "${RUNT_VM_VERBOSE:-}" ]; then
            printf '  | %s\n' "$line" >&2
        else
            case $line in
            PASS\ * | FAIL\ * | SKIP\ * | INFO\ * | *\ passed,\ *\ failed) printf '%s\n' "$line" ;;
            esac
        fi
    done < <(tail -s 0.05 -n +1 -f --pid=$QEMU_PID "$RUN/raw")
    wait $QEMU_PID && rc=0 || rc=$?
    QEMU_PID=
    printf '%s HOST qemu-exit %s\n' "$(elapsed "$t0" "$(now)")" $rc >>"$log"
}

# Which kernel boots? Decided once (a smoke boot of the base initramfs) and cached in boot-mode.
if [ -n "${RUNT_VM_KERNEL:-}" ]; then
    KERNEL=$RUNT_VM_KERNEL
elif [ "$ARCH" != x86_64 ]; then
    KERNEL=$KDIR/vmlinuz
else
    mode=$(cat "$CACHE/boot-mode" 2>/dev/null || true)
    if [ -z "$mode" ]; then
        # smoke-boot the base initramfs (no guest.sh: /init reports and powers off)
        for mode in pvh bzimage ''; do
            [ -n "$mode" ] || break
            k=$KDIR/vmlinuz
            if [ $mode = pvh ]; then [ -f "$KDIR/vmlinux" ] || continue; k=$KDIR/vmlinux; fi
            say "smoke-booting the $mode kernel"
            t0=$(now)
            boot "$k" "$BASE" 120 "$RUN/smoke.log"
            if grep -q 'RUNT-VM: done' "$RUN/smoke.log"; then
                say "$mode boot works ($(elapsed "$t0" "$(now)") s)"
                break
            fi
            say "$mode boot failed; its output:"
            tail -n 20 "$RUN/smoke.log" | cut -d' ' -f2- >&2
        done
        [ -n "$mode" ] || die "the VM does not boot (see above)"
        echo "$mode" >"$CACHE/boot-mode"
    fi
    if [ "$mode" = pvh ]; then KERNEL=$KDIR/vmlinux; else KERNEL=$KDIR/vmlinuz; fi
fi

# The per-run cpio: runt, probe and guest.sh, appended (uncompressed) to the cached base.
t0=$(now)
mkdir -p "$RUN/top/bin" "$RUN/top/test"
cp "$RUNT" "$RUN/top/bin/runt"
cp "$PROBE" "$RUN/top/bin/probe"
cp "$GUEST" "$RUN/top/test/guest.sh"
chmod 755 "$RUN/top/bin/runt" "$RUN/top/bin/probe" "$RUN/top/test/guest.sh"
(cd "$RUN/top" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$RUN/top.cpio"
cat "$BASE" "$RUN/top.cpio" >"$RUN/initrd"
T_PREP=$(elapsed "$T_START" "$(now)")
say "$ARCH kernel $(basename "$(readlink -f "$KERNEL")") ($( [ "$KERNEL" = "$KDIR/vmlinux" ] && echo PVH vmlinux || echo compressed image)), initrd $(du -k "$RUN/initrd" | cut -f1) KB, prepared in $T_PREP s; booting (timeout ${TIMEOUT}s)"

LOG=$CACHE/last-run.log
boot "$KERNEL" "$RUN/initrd" "$TIMEOUT" "$RUN/serial.log"
cp "$RUN/serial.log" "$LOG"

# ------------------------------------------------------------------------------------------- verdict
field() { awk -v pat="$1" 'index($0, pat) { print $1; exit }' "$LOG"; }
t_init=$(field 'RUNT-VM: init up')
t_guest=$(awk '/RUNT-VM: guest exit/ { print $1; exit }' "$LOG")
t_end=$(awk '/HOST qemu-exit/ { print $1 }' "$LOG" | tail -n1)
qemu_rc=$(awk '/HOST qemu-exit/ { print $NF }' "$LOG" | tail -n1)
kup=$(sed -n 's/.*RUNT-VM: init up \([0-9.]*\).*/\1/p' "$LOG" | head -n1)
summary=$(cut -d' ' -f2- "$LOG" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n1 || true)
nfail=$(cut -d' ' -f2- "$LOG" | grep -c '^FAIL ' || true)

say "timings: qemu start -> /init ${t_init:-?} s (kernel uptime at /init ${kup:-?} s), tests $(
    [ -n "$t_init" ] && [ -n "$t_guest" ] && elapsed "$t_init" "$t_guest" || echo '?') s, qemu total ${t_end:-?} s, whole run $(elapsed "$T_START" "$(now)") s"

problem=
if [ "${qemu_rc:-}" = 124 ] || [ "${qemu_rc:-}" = 137 ]; then
    problem="timed out after ${TIMEOUT}s"
elif [ -z "$t_init" ]; then
    problem="the guest never reached /init"
elif ! grep -q 'RUNT-VM: guest exit' "$LOG"; then
    problem="guest.sh did not finish (guest crashed or powered off early)"
elif [ -z "$summary" ]; then
    problem="the guest reported no summary line"
elif [ "$nfail" -gt 0 ] || ! [[ $summary =~ ^([0-9]+)\ passed,\ 0\ failed$ ]]; then
    problem="the guest reported failures ($summary)"
elif [ "${BASH_REMATCH[1]}" -eq 0 ]; then
    problem="the guest ran no test"
elif [ "${qemu_rc:-1}" != 0 ]; then
    problem="qemu exited with status $qemu_rc"
fi

if [ -n "$problem" ]; then
    if [ -z "${RUNT_VM_VERBOSE:-}" ]; then
        echo "---- last 40 lines of the serial console ($LOG):" >&2
        tail -n 40 "$LOG" | cut -d' ' -f2- >&2
        echo "----" >&2
    fi
    echo "vm: FAILED: $problem" >&2
    exit 1
fi
echo "vm: OK: $summary"
