# The mutants tests/mutants/run.sh builds, one a line: mutant NAME FILE SED-EXPRESSION TESTS, where
# TESTS is "it FILE [FILTER]" (an integration test file, its tests whose names hold FILTER) or
# "oci SCRIPT" (tests/oci/SCRIPT.sh), several separated by ';'. Each was first a weakness: the
# suite passed on it until the test named by its TESTS was made to notice.
# shellcheck shell=bash

# --- issue 14's list: each passed the whole suite once ----------------------------------------------
mutant propagation-not-private src/rootfs.rs \
	's/mount::mount(None, c"\/", None, MS_REC | first, None).or_what(what)?;/let _ = (first, what);/' \
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
mutant keys-not-masked src/spec.rs 's| /proc/keys | |' 'it security mask'
mutant firmware-not-masked src/spec.rs 's| /sys/firmware"|"|' 'it security mask'
