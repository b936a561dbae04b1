#!/bin/bash
# Hand-made mutants of runt's security, rootfs and cgroup code (cargo-mutants is not available
# here, and its blind mutants of a no_std binary mostly fail to build). Each mutant is one small
# change a careless patch could make: a copy of the tree gets it (sed), runt is built from the
# copy, and the tests that should notice run against that binary. A mutant is killed when they
# fail, survives when they pass. `make mutants` runs them all; names given on the command line run
# only those (`tests/mutants/run.sh kill-default`).
#
# Usage: tests/mutants/run.sh [NAME...]     (as root, after `make runt probe`)
set -u
cd "$(dirname "$0")/../.." || exit 2
top=$PWD
target=$(make -s print-target)
work=$top/target/mutants
tree=$work/tree
probe=$top/target/probe/$target/release/probe
[ -x "$probe" ] || { echo "mutants: build the probe first (make probe)" >&2; exit 2; }
mkdir -p "$work"
log=$work/log
: >"$log"

# The integration tests are built once; they run against each mutant's binary (RUNT). Their
# containers are named t-m<pid>-<n> (RUNT_TEST_TAG), so that what a mutant leaves is known.
export PROBE=$probe RUSTFLAGS="-C relocation-model=static" RUNT_TEST_TAG=m
it_cargo=(cargo test --release --target "$target" --manifest-path tests/it/Cargo.toml --target-dir target/it)
"${it_cargo[@]}" --no-run -q 2>>"$log" || { echo "mutants: the integration tests do not build" >&2; exit 2; }

# Runs one test set against the runt at $1: `it FILE [FILTER]` (an integration test file, its
# tests whose name holds FILTER), `oci SCRIPT` (tests/oci/SCRIPT.sh), `vm` (tests/vm on x86_64).
run_tests() {
	local bin=$1 kind=$2 a=${3-} b=${4-}
	case $kind in
	it) RUNT=$bin timeout 900 "${it_cargo[@]}" -q --test "$a" -- ${b:+"$b"} >>"$log" 2>&1 ;;
	oci) timeout 900 tests/oci/"$a".sh "$bin" >>"$log" 2>&1 ;;
	vm) timeout 900 tests/vm/run.sh "$bin" "$probe" >>"$log" 2>&1 ;;
	*) echo "mutants: unknown test set $kind" >&2; return 2 ;;
	esac
}

# clean_up: what a mutant left (a cgroup not removed, a process not killed) goes: this run's
# containers' cgroups only, their processes killed, sub-cgroups first.
clean_up() {
	local d p
	for d in /sys/fs/cgroup/runt/t-m* /sys/fs/cgroup/*/runt/t-m*; do
		[ -d "$d" ] || continue
		find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | while read -r p; do kill -9 "$p" 2>/dev/null; done
		for _ in $(seq 20); do
			find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
			[ -d "$d" ] || break
			sleep 0.1
		done
	done
}

declare -a names=() killed=() survived=() baseline=()
only=" $* "
# mutant NAME FILE SED-EXPRESSION TESTS: TESTS is "it FILE FILTER; oci SCRIPT; vm; ...". In the
# first pass (`collecting`) only the test sets are gathered.
mutant() {
	local name=$1 file=$2 expr=$3 tests=$4 set
	[ "$only" != "  " ] && [[ $only != *" $name "* ]] && return
	if [ -n "${collecting-}" ]; then
		IFS=';' read -ra sets <<<"$tests"
		for set in "${sets[@]}"; do
			[[ " ${baseline[*]-} " == *" ${set// /:} "* ]] || baseline+=("${set// /:}")
		done
		return
	fi
	names+=("$name")
	rm -rf "$tree" && mkdir -p "$tree"
	cp -a Cargo.toml Cargo.lock build.rs src link .cargo "$tree"/
	sed -i "$expr" "$tree/$file"
	if cmp -s "$file" "$tree/$file"; then
		echo "mutants: $name: '$expr' changes nothing in $file (the code moved: update the mutant)" >&2
		exit 2
	fi
	echo "== $name ($file)" >>"$log"
	if ! (cd "$tree" && env -u RUSTFLAGS CARGO_TARGET_DIR="$work/build" cargo build -q --release --target "$target") >>"$log" 2>&1; then
		echo "mutants: $name does not build (see $log)" >&2
		exit 2
	fi
	local bin=$work/build/$target/release/runt verdict=survived
	IFS=';' read -ra sets <<<"$tests"
	for set in "${sets[@]}"; do
		# shellcheck disable=SC2086
		if ! run_tests "$bin" $set; then verdict=killed; break; fi
	done
	clean_up
	printf '%-28s %s\n' "$name" "$verdict"
	if [ $verdict = killed ]; then killed+=("$name"); else survived+=("$name"); fi
}

# A kill means something only if the same tests pass on runt itself (./runt, which `make
# mutants` builds first): each test set the chosen mutants use runs on it once.
collecting=1
# shellcheck source=tests/mutants/list.sh
. tests/mutants/list.sh
unset collecting
for set in "${baseline[@]}"; do
	# shellcheck disable=SC2086
	run_tests "$top/runt" ${set//:/ } || { echo "mutants: '${set//:/ }' fails on ./runt itself (see $log)" >&2; exit 2; }
	clean_up
done
echo "== mutants: ${#baseline[@]} test sets pass on ./runt"

# shellcheck source=tests/mutants/list.sh
. tests/mutants/list.sh

total=${#names[@]}
[ "$total" -gt 0 ] || { echo "mutants: no mutant named$only" >&2; exit 2; }
echo "== mutants: ${#killed[@]} of $total killed$([ ${#survived[@]} -gt 0 ] && echo "; survived: ${survived[*]}")"
[ ${#survived[@]} -eq 0 ]
