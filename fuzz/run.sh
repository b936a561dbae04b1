#!/bin/bash
# fuzz/run.sh [SECONDS]: runt's parsers fuzzed for a bounded time, the `make test` stage test-fuzz.
#   libFuzzer (fuzz/libfuzzer, the crate libfuzzer-sys on stable Rust: coverage from rustc's
#   sancov pass, no sanitizer) on two targets, a share of SECONDS (default 30) each:
#     json    the JSON reader: no panic; what it parses prints and parses back the same
#     config  config.json -> Spec (oci/config), with `exec --process` and `update --resources`:
#             no panic on any JSON
#   and the differential check of the JSON reader against Python's json (fuzz/json-diff).
# The build checks overflow and debug assertions, so an arithmetic overflow is a crash too. A
# crash, a timeout (an input taking over 5 s) or running out of memory fails the stage; the input
# is kept in .cache/fuzz/crashes/ (rerun it: RUNT_FUZZ=TARGET target/fuzz/.../runt-fuzz FILE).
# Seeds: fuzz/libfuzzer/seeds/ (runt spec's template and a config using every section runt maps)
# and podman's config from ../shared/fixtures/; the dictionary is every word quoted in
# src/oci/config/. The corpus grows in .cache/fuzz/corpus/ from one run to the next.
# Output: what each part did, the stage's time, then `N passed, N failed`.
set -uo pipefail

SECS=${1:-30}
TOP=$(cd "$(dirname "$0")/.." && pwd)
C=$TOP/.cache/fuzz
FIXTURE=$TOP/../shared/fixtures/podman-4.3-config.json
GNU=x86_64-unknown-linux-gnu # libFuzzer is C++ built for the host's libc
BIN=$TOP/target/fuzz/$GNU/release/runt-fuzz
START=$SECONDS
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
finish() {
    echo "fuzz: $((SECONDS - START)) s"
    echo "$pass passed, $fail failed"
    [ "$fail" = 0 ]
    exit
}

[ -f "$FIXTURE" ] || { bad fixture "podman's config is not at $FIXTURE (../shared/fixtures)"; finish; }

# --- the build -----------------------------------------------------------------------------------------
# runt's dependencies, as its Cargo.toml has them, must be the fuzz crate's (runt's modules and
# build script are compiled there)
deps() { awk '/^\[/ { on = /^\[(build-)?dependencies\]$/; next } on && /^[a-z0-9_-]+ *=/' "$1"; }
missing=$(deps "$TOP/Cargo.toml" | grep -vxF -f <(deps "$TOP/fuzz/libfuzzer/Cargo.toml"))
if [ -n "$missing" ]; then
    bad build "fuzz/libfuzzer/Cargo.toml lacks runt's dependency lines: $missing"
    finish
fi
# the flags cargo fuzz gives rustc, less its AddressSanitizer (nightly only; safe Rust here)
SANCOV="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4
 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table
 -Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing"
rustup target list --installed 2>/dev/null | grep -qx $GNU || rustup target add $GNU >/dev/null 2>&1
t0=$SECONDS
mkdir -p "$C"
# `cargo rustc -- --cfg test`: only runt-fuzz (runt's modules) is built as runt's unit tests are
if ! (cd "$TOP/fuzz/libfuzzer" && RUSTFLAGS="${SANCOV//$'\n'/}" cargo rustc -q --release --target $GNU \
    --target-dir "$TOP/target/fuzz" -- --cfg test) >"$C/build.log" 2>&1; then
    bad build "cargo rustc (fuzz/libfuzzer): $(grep -m3 -A4 '^error' "$C/build.log" | tr '\n' ' ' | head -c 600)"
    finish
fi
echo "built runt-fuzz in $((SECONDS - t0)) s"

# --- libFuzzer ---------------------------------------------------------------------------------------------
rm -rf "$C/seeds" "$C/crashes"
mkdir -p "$C/seeds" "$C/crashes" "$C/corpus/json" "$C/corpus/config"
cp "$TOP"/fuzz/libfuzzer/seeds/*.json "$FIXTURE" "$C/seeds/"
{
    printf '"%s"\n' '{' '}' '[' ']' ':' ',' '\"' '\\' '\\u0000' 'true' 'false' 'null' '-0' '1e9'
    grep -ohE '"[A-Za-z0-9_.]+"' "$TOP"/src/oci/config/*.rs | sort -u
} >"$C/config.dict"

# fuzz TARGET SECONDS
fuzz() {
    local log=$C/$1.log rc
    RUNT_FUZZ=$1 timeout -k 5 $(($2 + 60)) "$BIN" -max_total_time="$2" -timeout=5 -rss_limit_mb=2048 \
        -max_len=65536 -dict="$C/config.dict" -artifact_prefix="$C/crashes/$1-" -print_final_stats=1 \
        "$C/corpus/$1" "$C/seeds" >"$log" 2>&1
    rc=$?
    local runs cov
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1)
    if [ $rc = 0 ]; then
        ok "fuzz $1: ${runs:-?} inputs in $2 s, ${cov:-cov: ?}, corpus $(find "$C/corpus/$1" -type f | wc -l)"
    else
        bad "fuzz $1" "exit $rc: $(grep -m1 -E 'panicked|ERROR: libFuzzer|deadly signal|timeout' "$log" | head -c 300); $(grep -m1 -A1 'panicked' "$log" | tail -n 1 | head -c 300) input: $(ls "$C/crashes/$1-"* 2>/dev/null | head -n 1) (log: $log)"
    fi
}
JSON_SECS=$((SECS / 3))
fuzz json $JSON_SECS
fuzz config $((SECS - JSON_SECS - 3))

# --- against Python's json ---------------------------------------------------------------------------------
if out=$(cd "$TOP/fuzz/json-diff" && FIXTURE=$FIXTURE timeout 120 python3 diff.py 20000 2>&1); then
    ok "json-diff: $(echo "$out" | tail -n 1)"
else
    bad json-diff "$(echo "$out" | tail -n 12 | tr '\n' ' ' | head -c 800)"
fi
finish
