# The mutants tests/mutants/run.sh builds, one a line: mutant NAME FILE SED-EXPRESSION TESTS, where
# TESTS is "it FILE [FILTER]" (an integration test file, its tests whose names hold FILTER),
# "oci SCRIPT" (tests/oci/SCRIPT.sh) or "vm" (the VM's cases), several separated by ';'. Each was first a weakness: the
# suite passed on it until the test named by its TESTS was made to notice.
# shellcheck shell=bash

# --- issue 14's list: each passed the whole suite once ----------------------------------------------
mutant propagation-not-private src/rootfs.rs \
	's/mount::mount(None, c"\/", None, MS_REC | first, None).or_what(what)?;/if first == MS_SLAVE { mount::mount(None, c"\/", None, MS_REC | first, None).or_what(what)?; }/' \
	'it mounts shared_host_mount'
mutant seccomp-before-setuid src/init.rs \
	's/if let (false, Some((f, flags))) = (spec.no_new_privs, filter)/if let (_, Some((f, flags))) = (spec.no_new_privs, filter)/' \
	'it security seccomp_filter'
mutant sigquit-not-forwarded src/launch.rs 's/&\[1, 2, 3, 10, 12, 15, SIGTSTP, 28\]/\&[1, 2, 10, 12, 15, SIGTSTP, 28]/' \
	'it run forwarded'
mutant sigusr2-not-forwarded src/launch.rs 's/&\[1, 2, 3, 10, 12, 15, SIGTSTP, 28\]/\&[1, 2, 3, 10, 15, SIGTSTP, 28]/' \
	'it run forwarded'
mutant sigwinch-not-forwarded src/launch.rs 's/&\[1, 2, 3, 10, 12, 15, SIGTSTP, 28\]/\&[1, 2, 3, 10, 12, 15, SIGTSTP]/' \
	'it run forwarded'
mutant v1-swap-not-capped src/cgroup.rs 's/l.memory_swap.map(dec_i).or(mem.clone())/l.memory_swap.map(dec_i)/' \
	'it cgroups memory'
mutant kill-default-kill src/oci/cmd.rs 's/unwrap_or("TERM")/unwrap_or("KILL")/' 'oci lifecycle'
# this host has no /proc/kcore: the VM's kernel has
mutant kcore-not-masked src/spec.rs 's| /proc/kcore | |' 'vm'
mutant keys-not-masked src/spec.rs 's| /proc/keys | |' 'it security mask'
mutant firmware-not-masked src/spec.rs 's| /sys/firmware"|"|' 'it security mask'

# --- security/: capabilities, no_new_privs, seccomp, devices, rlimits -------------------------------
mutant bounding-set-kept src/security/caps.rs 's/if c.bounding & (1 << cap) == 0 {/if c.bounding \& (1 << cap) == 0 \&\& cap > 63 {/' \
	'it security'
mutant effective-set-all src/security/caps.rs 's/process::capset(c.effective & have,/process::capset(have,/' 'it security'
mutant inheritable-set-all src/security/caps.rs 's/c.permitted & have, c.inheritable & have)/c.permitted \& have, have)/' \
	'it security'
mutant no-new-privs-not-set src/security/seccomp.rs \
	's/sys::set_no_new_privs().or_what(/Ok::<(), crate::sys::Errno>(()).or_what(/' 'it security'
mutant seccomp-not-installed src/init.rs 's/^            seccomp::install(f, flags)?;/            let _ = (f, flags);/' \
	'it security'
mutant device-deny-rules-ignored src/cgroup.rs \
	's/let file = if rule.allow { "devices.allow" } else { "devices.deny" };/if !rule.allow { continue; } let file = "devices.allow";/' \
	'it security'
mutant rlimits-not-set src/init.rs 's/for l in &spec.rlimits {/for l in spec.rlimits.iter().take(0) {/' 'it security'

# --- rootfs: mounts, masks, the switch of root, resolving inside the root ---------------------------
mutant read-only-root-writable src/rootfs.rs 's/                remount(&self.root, MS_RDONLY)?;/                let _ = MS_RDONLY;/' \
	'it mounts'
mutant masked-dir-writable src/rootfs.rs 's/Some(c"tmpfs"), ro, Some(c"size=0")/Some(c"tmpfs"), 0, Some(c"size=0")/' \
	'it security mask'
mutant masked-file-writable src/rootfs.rs \
	's/bind(null, &t, false, MS_RDONLY | MS_NOSUID | MS_NOEXEC).map(drop)/bind(null, \&t, false, 0).map(drop)/' \
	'it security mask'
mutant read-only-paths-writable src/rootfs.rs 's/bind(&t, &t, true, ro).map(drop)/bind(\&t, \&t, true, 0).map(drop)/' \
	'it security'
mutant old-root-not-detached src/rootfs.rs \
	's/mount::umount2(c".", MNT_DETACH).or_what("detach the old root")?;/let _ = MNT_DETACH;/' 'it mounts'
mutant resolve-not-in-root src/rootfs/resolve.rs \
	's/O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)/O_PATH, RESOLVE_NO_MAGICLINKS)/' 'it mounts; it escape_rootfs'

# --- cgroup: limits written, leftovers removed, pause, OOM seen --------------------------------------
mutant pids-max-not-written src/cgroup.rs 's/self.set("pids.max", &num(n, "max"))?;/let _ = n;/' 'it cgroups'
mutant cpu-quota-not-written src/cgroup.rs 's/self.set("cpu.cfs_quota_us", &num(q, "-1"))?;/let _ = q;/' 'it cgroups'
mutant memory-limit-soft src/cgroup.rs \
	's/("memory.limit_in_bytes", "memory.memsw.limit_in_bytes")/("memory.soft_limit_in_bytes", "memory.memsw.limit_in_bytes")/' \
	'it cgroups'
mutant cgroup-not-removed src/cgroup.rs \
	's/match fs::unlinkat(d.parent.raw(), &cname, AT_REMOVEDIR) {/match Ok::<(), Errno>(()) {/' 'it cgroups'
mutant leftovers-not-killed src/cgroup.rs 's/let _ = process::kill(pid, process::SIGKILL);/let _ = pid;/' \
	'it cgroups delete_kills'
mutant oom-not-seen src/cgroup.rs 's/as_bytes() != b"0"/as_bytes() == b"0"/' 'it cgroups'
mutant pause-does-not-freeze src/cgroup.rs \
	's/(false, true) => ("freezer", "freezer.state", "FROZEN", "freezer.state", "FROZEN"),/(false, true) => ("freezer", "freezer.state", "THAWED", "freezer.state", "THAWED"),/' \
	'oci lifecycle'
