//! The command line as a user meets it, and the shape of the binary itself.

mod common;

use common::*;

#[test]
fn help_prints_usage_on_stdout() {
    for args in [&["--help"][..], &["run", "--help"]] {
        let out = run(args);
        let text = ok_stdout(&out).to_lowercase();
        assert!(text.contains("usage"), "`runt {}` should print usage\n{}", args.join(" "), describe(&out));
    }
    let out = run(&["run", "--help"]);
    assert!(stdout(&out).contains("--rootfs"), "run help lists the options\n{}", describe(&out));
}

#[test]
fn version() {
    // The shape runc prints, which engines parse: the version, then the OCI spec version.
    let out = run(&["--version"]);
    let text = ok_stdout(&out);
    let mut lines = text.lines();
    // runt's version, from its own manifest (this test package has a version of its own).
    let manifest = std::fs::read_to_string(manifest_dir().join("Cargo.toml")).expect("read Cargo.toml");
    let version = manifest.lines().find_map(|l| l.strip_prefix("version = ")).expect("a version line");
    let want = format!("runt version {}", version.trim_matches('"'));
    assert_eq!(lines.next(), Some(want.as_str()), "{text}");
    assert!(lines.next().is_some_and(|l| l.starts_with("spec: 1.")), "{text}");
}

#[test]
fn unknown_option_is_one_line_and_125() {
    let name = unique_name();
    let out = run_named(&name, &["--bogus", "/bin/true"]);
    assert_error(&out, 125, "--bogus");
    // The contract's wording; a hint may follow on the same line.
    assert!(stderr(&out).starts_with("runt: unknown option --bogus"), "{}", describe(&out));
}

#[test]
fn missing_command_is_an_error() {
    let out = run(&["run"]);
    assert_error(&out, 125, "");
}

#[test]
fn option_needing_a_value_at_the_end_is_an_error() {
    let out = run(&["run", "--rootfs"]);
    assert_error(&out, 125, "--rootfs");
}

/// Only the ELF program headers say whether a binary needs a loader; read them here
/// rather than depend on `file` or `readelf`.
fn assert_static(path: &std::path::Path) {
    const PT_DYNAMIC: u32 = 2;
    const PT_INTERP: u32 = 3;
    const DT_NULL: u64 = 0;
    const DT_NEEDED: u64 = 1;
    let elf = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let u16_at = |at: usize| u16::from_le_bytes(elf[at..at + 2].try_into().unwrap()) as usize;
    let u32_at = |at: usize| u32::from_le_bytes(elf[at..at + 4].try_into().unwrap());
    let u64_at = |at: usize| u64::from_le_bytes(elf[at..at + 8].try_into().unwrap());
    assert_eq!(&elf[..4], b"\x7fELF", "{} is not ELF", path.display());
    assert_eq!(elf[4], 2, "ELFCLASS64");
    assert_eq!(elf[5], 1, "little endian");
    let (phoff, phentsize, phnum) = (u64_at(0x20) as usize, u16_at(0x36), u16_at(0x38));
    assert!(phnum > 0, "no program headers");
    for i in 0..phnum {
        let ph = phoff + i * phentsize;
        let kind = u32_at(ph);
        assert_ne!(kind, PT_INTERP, "{} has PT_INTERP: it needs a dynamic loader", path.display());
        if kind == PT_DYNAMIC {
            // A static-pie has a dynamic section for its own relocations, but no DT_NEEDED.
            let (offset, size) = (u64_at(ph + 8) as usize, u64_at(ph + 32) as usize);
            for entry in elf[offset..offset + size].chunks_exact(16) {
                let tag = u64::from_le_bytes(entry[..8].try_into().unwrap());
                if tag == DT_NULL {
                    break;
                }
                assert_ne!(tag, DT_NEEDED, "{} needs a shared library", path.display());
            }
        }
    }
}

#[test]
fn runt_is_a_static_binary() {
    assert_static(&runt());
}

#[test]
fn probe_is_a_static_binary() {
    assert_static(&probe());
}
