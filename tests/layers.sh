#!/bin/bash
# The direction of dependencies in src/ (docs/ARCHITECTURE.md): each file may use only its own
# layer and the layers below it, and the top-level modules form no circle.
#   1: sys/ text error cstr json      (no container knowledge)
#   2: spec plan rootfs cgroup security/ userns passwd init launch exec fds sync console hooks state sealed
#      relay reaper tuning seccomp_agent notify
#   3: run/ oci/ main                 (the doors, and main choosing one)
# A file's uses are the `crate::NAME` paths in its code (comments aside), tests included.
# The one call upwards is the C entry point (sys/rt.rs) calling `crate::main`: that is how a
# program starts, not a dependency.
#
# Usage: tests/layers.sh [SRC_DIR]    (exit 1 on a violation or a circle)
set -euo pipefail
src=${1:-src}

# The layer of a top-level module (a file src/NAME.rs or a folder src/NAME/).
layer() {
    case $1 in
        sys | text | error | cstr | json) echo 1 ;;
        spec | plan | rootfs | cgroup | security | userns | passwd | init | launch | exec | fds | sync | console | hooks | state | sealed | \
            relay | reaper | tuning | seccomp_agent | notify) echo 2 ;;
        run | oci | main) echo 3 ;;
        *) echo "?" ;;
    esac
}

# "FROM TO" for each module a file names: `crate::to::...` and `use crate::{a, b}`.
uses() {
    local file=$1
    grep -v '^\s*//' "$file" |
        grep -oE 'crate::(\{[^}]*\}|[a-z_]+)' |
        sed -E 's/^crate:://; s/[{} ]//g' | tr ',' '\n' | sed -E 's/::.*//' | grep -v '^$' | sort -u || true
}

fail=0
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
while IFS= read -r file; do
    rel=${file#"$src"/}
    from=${rel%%/*}
    from=${from%.rs}
    from_layer=$(layer "$from")
    if [ "$from_layer" = "?" ]; then
        echo "layers: $rel: module '$from' has no layer (add it to tests/layers.sh and docs/ARCHITECTURE.md)"
        fail=1
        continue
    fi
    for to in $(uses "$file"); do
        [ "$to" = "$from" ] && continue
        [ "$rel" = "sys/rt.rs" ] && [ "$to" = main ] && continue
        to_layer=$(layer "$to")
        if [ "$to_layer" = "?" ]; then
            echo "layers: $rel uses crate::$to, which has no layer"
            fail=1
        elif [ "$to_layer" -gt "$from_layer" ]; then
            echo "layers: $rel (layer $from_layer) uses crate::$to (layer $to_layer)"
            fail=1
        fi
        echo "$from $to" >>"$edges"
    done
done < <(find "$src" -name '*.rs' | sort)

# Within a layer too: the graph of modules has no circle (tsort names one if it has).
if ! sort -u "$edges" | tsort >/dev/null 2>"$edges.err"; then
    # tsort names each loop it meets, each after a "contains a loop" line: show the first.
    echo "layers: the modules' uses go in a circle:$(awk '/loop/ { n++; next } n == 1 { printf " %s", $2 }' "$edges.err")"
    fail=1
fi
rm -f "$edges.err"

# The fuzz harness (fuzz/libfuzzer) includes runt's modules by path, as src/main.rs declares them:
# a module added to one and not the other fails only the fuzz stage, late in `make test`.
fuzz_list=$(dirname "$src")/fuzz/libfuzzer/src/main.rs
if [ -f "$fuzz_list" ] && [ -f "$src/main.rs" ]; then
    missing=$(comm -23 <(sed -n 's/^mod \([a-z_]*\);$/\1/p' "$src/main.rs" | sort) \
        <(sed -n '/^mod runt {/,/^}/s/^ *pub mod \([a-z_]*\);$/\1/p' "$fuzz_list" | sort) | tr '\n' ' ')
    if [ -n "$missing" ]; then
        echo "layers: fuzz/libfuzzer/src/main.rs lacks the modules src/main.rs has: $missing"
        fail=1
    fi
fi

[ "$fail" = 0 ] && echo "layers: ok"
exit "$fail"
