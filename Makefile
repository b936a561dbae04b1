# runt: `make` builds ./runt, `make test` runs every test (as root), `make bench` compares peers.
# `make ARCH=aarch64` (or armv7, riscv64, x86_64), or `make TARGET=<rust target triple>`, builds
# ./runt-<arch> for another architecture from here (runt links no C library; the cross gcc only
# links): see README.
SHELL   := /bin/bash
CARGO   ?= cargo

# The Rust target for each architecture: musl where rustup serves its std, else glibc (runt
# itself links neither; the unit tests, std programs, link the target's C library statically).
TARGET_x86_64  := x86_64-unknown-linux-musl
TARGET_aarch64 := aarch64-unknown-linux-musl
TARGET_armv7   := armv7-unknown-linux-gnueabihf
TARGET_riscv64 := riscv64gc-unknown-linux-gnu
CROSS_ARCHES   := aarch64 armv7 riscv64
HOST_ARCH := $(patsubst armv7%,armv7,$(shell uname -m))
ARCH    ?= $(HOST_ARCH)
# Debian's names for the two 64-bit ones are accepted too.
override ARCH := $(patsubst amd64,x86_64,$(patsubst arm64,aarch64,$(ARCH)))
TARGET  ?= $(TARGET_$(ARCH))
ifeq ($(TARGET),)
$(error ARCH=$(ARCH): runt is built for x86_64, aarch64, armv7 and riscv64 (or give TARGET=<triple>))
endif
# A TARGET given alone names its architecture (armv7-..., riscv64gc-...).
TARGET_ARCH := $(patsubst riscv64gc,riscv64,$(firstword $(subst -, ,$(TARGET))))
BIN     := target/$(TARGET)/release/runt
PROBE   := target/probe/$(TARGET)/release/probe
OUT     := $(if $(filter $(HOST_ARCH),$(TARGET_ARCH)),runt,runt-$(TARGET_ARCH))

.PHONY: all toolchain runt size size-all probe test unit unit-cross lint integration test-vm test-vm-aarch64 \
	test-vm-armv7 check-leaks bench deps clean test-oci test-lifecycle test-contract test-cgroups test-podman \
	test-containerd test-docker test-runtime-tools test-cri test-faults test-fuzz mutants install test-install \
	test-semantics

all: runt

# rustup is how this target's std gets here; skipped when it is already installed. A cross
# target also needs its gcc (the linker) from Debian's packages.
CROSS_GCC_aarch64 := gcc-aarch64-linux-gnu
CROSS_GCC_armv7   := gcc-arm-linux-gnueabihf
CROSS_GCC_riscv64 := gcc-riscv64-linux-gnu
CROSS_GCC_BIN_aarch64 := aarch64-linux-gnu-gcc
CROSS_GCC_BIN_armv7   := arm-linux-gnueabihf-gcc
CROSS_GCC_BIN_riscv64 := riscv64-linux-gnu-gcc
toolchain:
	@rustup target list --installed 2>/dev/null | grep -qx $(TARGET) || rustup target add $(TARGET)
	@$(if $(CROSS_GCC_$(TARGET_ARCH)),command -v $(CROSS_GCC_BIN_$(TARGET_ARCH)) >/dev/null || \
		{ apt-get update -qq && apt-get install -y -qq --no-install-recommends $(CROSS_GCC_$(TARGET_ARCH)); },true)

runt: toolchain
	$(CARGO) build --release --target $(TARGET)
	cp $(BIN) ./$(OUT)

.PHONY: print-target
print-target:
	@echo $(TARGET)

# The file size, and code + read-only data: the finer measure of a change.
size: runt
	@echo "$(OUT) ($(TARGET_ARCH)): $$(stat -c %s ./$(OUT)) bytes (budget 204800), text+rodata $$(size -A ./$(OUT) | awk '/^\.(text|rodata) / {n += $$2} END {print n}')"

# Every architecture's size, for the README's table.
size-all:
	@for a in x86_64 $(CROSS_ARCHES); do $(MAKE) --no-print-directory ARCH=$$a size | grep -v '^make'; done

probe: toolchain
	$(CARGO) build --release --manifest-path tests/probe/Cargo.toml --target $(TARGET) --target-dir target/probe

# Peer tools the tests use, from Debian's packages.
# strace: the tests inject kernel errors with it (runt has no fault-injection switch).
deps:
	@command -v busybox >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends busybox-static; }
	@command -v strace >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends strace; }
	@# man-db: test-install reads the installed man page with man -l.
	@command -v man >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends man-db; }

# `make install` (PREFIX=/usr/local, DESTDIR for a staging root): the binary, the man page runt(1)
# and the bash completion. Installs what `make` built; builds it first when there is none.
PREFIX  ?= /usr/local
BINDIR  := $(DESTDIR)$(PREFIX)/bin
MANDIR  := $(DESTDIR)$(PREFIX)/share/man/man1
COMPDIR := $(DESTDIR)$(PREFIX)/share/bash-completion/completions
install: $(if $(wildcard ./$(OUT)),,runt)
	install -D -m 0755 ./$(OUT) $(BINDIR)/runt
	install -D -m 0644 docs/runt.1 $(MANDIR)/runt.1
	install -D -m 0644 docs/runt.bash $(COMPDIR)/runt

# An install into a staging root, read back the way a user would: the binary runs, `man -l`
# renders the page without a warning, the completion completes.
test-install: runt deps
	tests/install.sh

# Every stage in turn, each one's time printed; the first that fails stops the run.
STAGES := lint unit unit-cross test-install integration test-vm test-vm-aarch64 test-vm-armv7 test-oci test-faults \
	test-fuzz check-leaks
test:
	@mkdir -p target && touch $(TEST_START)
	@t=$$(date +%s); for s in $(STAGES); do t0=$$(date +%s); \
		$(MAKE) --no-print-directory $$s || { echo "== make test: $$s FAILED after $$(( $$(date +%s) - t0 )) s"; exit 1; }; \
		echo "== make test: $$s took $$(( $$(date +%s) - t0 )) s"; done; \
		echo "== make test: all stages passed in $$(( $$(date +%s) - t )) s"

lint:
	tests/layers.sh
	$(CARGO) fmt --check
	$(CARGO) fmt --check --manifest-path tests/it/Cargo.toml
	$(CARGO) clippy --release --target $(TARGET) --all-targets -- -D warnings
	@# What differs between the architectures (sys/arch.rs, rt.rs, mem.rs) is linted for each.
	for a in $(CROSS_ARCHES); do $(MAKE) --no-print-directory ARCH=$$a toolchain && \
		$(CARGO) clippy --release --target $$($(MAKE) -s ARCH=$$a print-target) --all-targets -- -D warnings || exit 1; done
	$(CARGO) clippy --release --target $(TARGET) --manifest-path tests/it/Cargo.toml --target-dir target/it \
		--all-targets -- -D warnings

# Tests are built with unwinding (runt itself has none), so a failing assertion names its test
# and the others still run: unit tests under the `unit` profile, integration tests as their own
# package (tests/it), each in its own target dir.
TEST_FLAGS := RUSTFLAGS="-C relocation-model=static"

unit: toolchain
	$(TEST_FLAGS) $(CARGO) test --profile unit --target $(TARGET) --target-dir target/unit --bins

# The unit tests of each other architecture, built for it and run under qemu's user-mode emulation
# (the kernel is this one: the syscalls are real). Glibc targets link their test binaries
# statically, so no foreign C library need be installed to run them.
QEMU_aarch64 := qemu-aarch64-static
QEMU_armv7   := qemu-arm-static
QEMU_riscv64 := qemu-riscv64-static
unit-cross:
	@command -v qemu-aarch64-static >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends qemu-user-static; }
	@for a in $(CROSS_ARCHES); do \
		$(MAKE) --no-print-directory ARCH=$$a unit-emulated || exit 1; done

# Debian 12's qemu-user (7.2) does not emulate openat2: the tests of resolving inside a root
# cannot run under it (they run on x86_64 here, and the aarch64 VM runs runt's own use of it).
# Timing budgets are stretched tenfold (RUNT_TEST_SLOWDOWN).
EMULATION_SKIP := rootfs::resolve::tests::targets_are_created_inside_the_root_even_through_hostile_symlinks \
	rootfs::resolve::tests::dangling_symlinks_are_followed_inside_the_root rootfs::resolve::tests::bad_targets
.PHONY: unit-emulated
unit-emulated: toolchain
	@echo "== unit tests for $(TARGET) under $(QEMU_$(TARGET_ARCH)); not run there (no openat2 in qemu-user 7.2):"
	@printf '     %s\n' $(EMULATION_SKIP)
	@t0=$$(date +%s); \
	RUSTFLAGS="-C relocation-model=static$(if $(findstring -gnu,$(TARGET)), -C target-feature=+crt-static)" \
	CARGO_TARGET_$(shell echo $(TARGET) | tr a-z- A-Z_)_RUNNER=$(QEMU_$(TARGET_ARCH)) RUNT_TEST_SLOWDOWN=10 \
	RUNT_TEST_EMULATOR=$(QEMU_$(TARGET_ARCH)) \
		$(CARGO) test --profile unit --target $(TARGET) --target-dir target/unit --bins -- \
		$(addprefix --skip ,$(EMULATION_SKIP)) --exact; rc=$$?; \
	echo "== unit tests for $(TARGET): $$(( $$(date +%s) - t0 )) s"; exit $$rc

integration: runt probe deps
	RUNT=$(CURDIR)/runt PROBE=$(CURDIR)/$(PROBE) $(TEST_FLAGS) $(CARGO) test --release --target $(TARGET) \
		--manifest-path tests/it/Cargo.toml --target-dir target/it --no-fail-fast

test-vm: runt probe
	tests/vm/run.sh ./runt $(PROBE)

# The same guest cases on Debian's arm64 and armhf (armmp) kernels (qemu-system-aarch64 and
# qemu-system-arm, virt board, TCG).
test-vm-aarch64 test-vm-armv7: test-vm-%:
	$(MAKE) --no-print-directory ARCH=$* runt probe
	RUNT_VM_ARCH=$* tests/vm/run.sh ./runt-$* target/probe/$(TARGET_$*)/release/probe

# No test may leave a container cgroup behind, on any hierarchy. Only what the tests make is
# looked at, as other containers (a user's own runt ones too) may run on the same host: the Rust
# tests' containers are runt/t-<pid>-<n> (tests/common's unique_name), and the OCI scripts put
# theirs under cgroup parents of their own (linux.cgroupsPath in lifecycle.sh and cgroups.sh,
# docker.sh's cgroup-parent, containerd.sh's ctr namespace, cri.sh's pods' cgroup_parent); the
# fault tests' are runt/faults-* and runt-faults-test/*. A test container named otherwise (runt
# run without --name) is not seen here. Under `make test` only cgroups made since it began count:
# a run killed earlier (or another one on this host) is not this run's leak.
TEST_START := target/.test-start
TEST_CGROUPS := runt/t-* runt/faults-* runt-lifecycle-test/* runt-cgroups-test/* runt-semantics-test/* \
	runt-docker-test/* runt-test/* runt-cri-test/* runt-faults-test/*
check-leaks:
	@left=$$(find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d $(if $(wildcard $(TEST_START)),-newer $(TEST_START)) \( $(foreach p,$(TEST_CGROUPS),-path '*/$(p)' -o) -false \) 2>/dev/null); \
	if [ -n "$$left" ]; then echo "leftover cgroups:"; echo "$$left"; exit 1; else echo "no cgroups left behind"; fi

# The runc command-line contract without an engine (the lifecycle; where runc's contract goes
# further, with runc and crun as oracles; cgroups; the runtime-spec semantics engines rely on:
# hooks, joined namespaces), real engines driving runt, the OCI runtime-tools validation suite (built from ../shared/third_party/ into
# .cache/runtime-tools/), then containerd's CRI driven by crictl (built likewise into
# .cache/cri-tools/).
test-oci: test-lifecycle test-contract test-cgroups test-semantics test-podman test-containerd test-docker \
	test-runtime-tools test-cri
test-lifecycle: runt deps
	tests/oci/lifecycle.sh ./runt
test-contract: runt deps
	tests/oci/contract.sh ./runt
test-cgroups: runt deps
	tests/oci/cgroups.sh ./runt
test-semantics: runt probe deps
	tests/oci/semantics.sh ./runt $(PROBE)
test-podman: runt probe deps
	tests/oci/podman.sh ./runt $(PROBE)
test-containerd: runt deps
	tests/oci/containerd.sh ./runt
test-docker: runt deps
	tests/oci/docker.sh ./runt
test-runtime-tools: runt
	tests/oci/runtime-tools.sh ./runt
test-cri: runt
	tests/oci/cri.sh ./runt

# Faults injected into every system call runt makes (strace), and SIGKILL at moments spread over
# each command: what is left behind, false successes, hangs, crashes, judged by the list of
# known problems in tests/faults/faults.py (the payload is built with the host's cc).
test-faults: runt deps
	python3 tests/faults/faults.py ./runt

# libFuzzer on the JSON reader and the config.json mapper, and the JSON reader against Python's,
# for about 30 s (fuzz/run.sh; the first build of libFuzzer takes a minute more).
test-fuzz:
	fuzz/run.sh 30

# Hand-made mutants of the security, rootfs and cgroup code, each built and run against the tests
# that should notice it (tests/mutants/list.sh): slow (a build and a test run each), not in `make test`.
mutants: runt probe deps
	tests/mutants/run.sh

# REFS="COMMIT ...": runt as built from each of those commits is timed too (see bench/run.sh).
bench: runt
	BENCH_REFS="$(REFS)" bench/run.sh ./runt

clean:
	$(CARGO) clean
	rm -f ./runt $(addprefix ./runt-,$(CROSS_ARCHES) x86_64)
