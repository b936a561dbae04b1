# runt: `make` builds ./runt, `make test` runs every test (as root), `make bench` compares peers.
TARGET  := x86_64-unknown-linux-musl
BIN     := target/$(TARGET)/release/runt
PROBE   := target/probe/$(TARGET)/release/probe
CARGO   ?= cargo
SHELL   := /bin/bash

.PHONY: all runt size probe test unit lint integration test-vm check-leaks bench deps clean \
	test-oci test-lifecycle test-contract test-cgroups test-podman test-containerd test-docker \
	test-runtime-tools

all: runt

# rustup is how this target's std gets here; skipped when it is already installed.
$(TARGET)-installed:
	@rustup target list --installed 2>/dev/null | grep -qx $(TARGET) || rustup target add $(TARGET)

runt: $(TARGET)-installed
	$(CARGO) build --release --target $(TARGET)
	cp $(BIN) ./runt

# The file size, and code + read-only data: the finer measure of a change.
size: runt
	@echo "runt: $$(stat -c %s ./runt) bytes (budget 204800), text+rodata $$(size -A ./runt | awk '/^\.(text|rodata) / {n += $$2} END {print n}')"

probe: $(TARGET)-installed
	$(CARGO) build --release --manifest-path tests/probe/Cargo.toml --target $(TARGET) --target-dir target/probe

# Peer tools the tests use, from Debian's packages.
# strace: the tests inject kernel errors with it (runt has no fault-injection switch).
deps:
	@command -v busybox >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends busybox-static; }
	@command -v strace >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends strace; }

test: lint unit integration test-vm test-oci check-leaks

lint:
	tests/layers.sh
	$(CARGO) fmt --check
	$(CARGO) fmt --check --manifest-path tests/it/Cargo.toml
	$(CARGO) clippy --release --target $(TARGET) --all-targets -- -D warnings
	$(CARGO) clippy --release --target $(TARGET) --manifest-path tests/it/Cargo.toml --target-dir target/it \
		--all-targets -- -D warnings

# Tests are built with unwinding (runt itself has none), so a failing assertion names its test
# and the others still run: unit tests under the `unit` profile, integration tests as their own
# package (tests/it), each in its own target dir.
TEST_FLAGS := RUSTFLAGS="-C relocation-model=static"

unit: $(TARGET)-installed
	$(TEST_FLAGS) $(CARGO) test --profile unit --target $(TARGET) --target-dir target/unit --bins

integration: runt probe deps
	RUNT=$(CURDIR)/runt PROBE=$(CURDIR)/$(PROBE) $(TEST_FLAGS) $(CARGO) test --release --target $(TARGET) \
		--manifest-path tests/it/Cargo.toml --target-dir target/it --no-fail-fast

test-vm: runt probe
	tests/vm/run.sh ./runt $(PROBE)

# No test may leave a container cgroup behind, on any hierarchy. Only what the tests make is
# looked at, as other containers (a user's own runt ones too) may run on the same host: the Rust
# tests' containers are runt/t-<pid>-<n> (tests/common's unique_name), and the OCI scripts put
# theirs under cgroup parents of their own (linux.cgroupsPath in lifecycle.sh and cgroups.sh,
# docker.sh's cgroup-parent, containerd.sh's ctr namespace). A test container named otherwise
# (runt run without --name) is not seen here.
TEST_CGROUPS := runt/t-* runt-lifecycle-test/* runt-cgroups-test/* runt-docker-test/* runt-test/*
check-leaks:
	@left=$$(find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d \( $(foreach p,$(TEST_CGROUPS),-path '*/$(p)' -o) -false \) 2>/dev/null); \
	if [ -n "$$left" ]; then echo "leftover cgroups:"; echo "$$left"; exit 1; else echo "no cgroups left behind"; fi

# The runc command-line contract without an engine (the lifecycle; where runc's contract goes
# further, with runc and crun as oracles; cgroups), real engines driving runt, then the OCI
# runtime-tools validation suite (built from ../shared/third_party/ into .cache/runtime-tools/).
test-oci: test-lifecycle test-contract test-cgroups test-podman test-containerd test-docker test-runtime-tools
test-lifecycle: runt deps
	tests/oci/lifecycle.sh ./runt
test-contract: runt deps
	tests/oci/contract.sh ./runt
test-cgroups: runt deps
	tests/oci/cgroups.sh ./runt
test-podman: runt deps
	tests/oci/podman.sh ./runt
test-containerd: runt deps
	tests/oci/containerd.sh ./runt
test-docker: runt deps
	tests/oci/docker.sh ./runt
test-runtime-tools: runt
	tests/oci/runtime-tools.sh ./runt

bench: runt
	bench/run.sh ./runt

clean:
	$(CARGO) clean
	rm -f ./runt
