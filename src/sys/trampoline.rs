//! runt's exec trampoline: a program of a few hundred bytes, in assembly for each architecture
//! (trampoline/ARCH.s, built into runt by build.rs), through which `runt run` executes a
//! container's command (init::exec_through, sealed.rs).
//!
//! The container's first process is runt until it executes the command. Executed from a sealed
//! memfd, the trampoline puts a file nobody can write at /proc/PID/exe for that last step, and
//! at `/proc/self/exe` for a command that is a `#!/proc/self/exe` script (CVE-2019-5736): the
//! same guarantee as runt re-executing itself from a sealed copy of all of itself, for a page
//! instead of sixty.
//!
//! Its arguments: `NAME FILE REPORT NOENT ACCES OTHER ARGV...`. REPORT is the number of the
//! child's report socket (sync.rs), which the trampoline marks close-on-exec; then it executes
//! FILE with ARGV and the environment it was given, so that runt sees the socket close when the
//! command runs, as it would without the trampoline. If that execve fails, the trampoline sends
//! the error as sync.rs encodes one (tag `E`, status, errno, text: NOENT with 127 for ENOENT,
//! ACCES with 126 for EACCES, OTHER with 126 and the errno for any other), and exits with that
//! status; runt prints it as it prints any error of the container's set-up. Run with another
//! argv[0] (a `#!/proc/self/exe` script: the kernel passes the interpreter's path), too few
//! arguments or a REPORT that is no number, it says so on fd 2 and exits 126 without executing
//! anything. Should it fail to mark REPORT close-on-exec, it executes nothing (the command must
//! never get the socket) and sends fcntl's error as it would send execve's.

use core::ffi::CStr;

/// The trampoline as an executable file: a static ELF for the target, with no C library.
pub static PROGRAM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/trampoline"));

/// The argv[0] the trampoline insists on.
pub const NAME: &CStr = c"runt:exec";

/// How many arguments come before the command's argv.
pub const ARGS_BEFORE_COMMAND: usize = 6;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::fs;
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Output};

    /// The trampoline run with `args` after NAME, directly or (for another architecture's unit
    /// tests, which run under qemu-user) through the emulator `make unit-emulated` names.
    fn run(argv0: &str, args: &[&str]) -> Output {
        static RUNS: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);
        let n = RUNS.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(std::format!("runt-trampoline-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("trampoline");
        std::fs::write(&file, PROGRAM).unwrap();
        std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let mut cmd = match std::env::var("RUNT_TEST_EMULATOR") {
            Ok(qemu) if !qemu.is_empty() => {
                let mut c = Command::new(qemu);
                c.args(["-0", argv0]).arg(&file);
                c
            }
            _ => {
                let mut c = Command::new(&file);
                c.arg0(argv0);
                c
            }
        };
        let out = cmd.args(args).env("TRAMPOLINE_TEST", "env passed").output().unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        out
    }

    const TEXTS: [&str; 3] = ["no such file", "denied", "exec it"];

    /// The trampoline run as runt runs it, with a report pipe: what it printed and exited with,
    /// and what it reported.
    fn reported(file: &str, argv: &[&str]) -> (Option<i32>, std::string::String, std::vec::Vec<u8>) {
        let (r, w) = fs::pipe().unwrap();
        fs::keep_on_exec(w.raw().unsigned_abs()).unwrap();
        let report = std::format!("{}", w.raw());
        let argv: std::vec::Vec<_> = argv.iter().map(|a| a.replace("REPORT", &report)).collect();
        let mut all = std::vec![file, &report];
        all.extend(TEXTS);
        all.extend(argv.iter().map(std::string::String::as_str));
        let out = run("runt:exec", &all);
        drop(w);
        let mut got = std::vec::Vec::new();
        let mut buf = [0u8; 256];
        while let Ok(n @ 1..) = fs::read(r.raw(), &mut buf) {
            got.extend_from_slice(&buf[..n]);
        }
        let said = std::string::String::from_utf8_lossy(&out.stdout).into_owned()
            + &std::string::String::from_utf8_lossy(&out.stderr);
        (out.status.code(), said, got)
    }

    #[test]
    fn executes_the_file_with_the_commands_argv_and_environment_and_closes_the_report() {
        // The report descriptor is closed by the exec: the command does not have it.
        let script = "echo \"$0 $1 $TRAMPOLINE_TEST\"; test -e /proc/self/fd/REPORT && echo leaked; exit 7";
        let (status, said, got) = reported("/bin/sh", &["sh", "-c", script, "zero", "one"]);
        assert_eq!((status, said.as_str(), got.as_slice()), (Some(7), "zero one env passed\n", &b""[..]));
    }

    #[test]
    fn a_failed_execve_is_reported_as_runt_encodes_an_error_with_126_or_127() {
        let dir = std::env::temp_dir().join(std::format!("runt-trampoline-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let garbage = dir.join("garbage");
        std::fs::write(&garbage, "not a program").unwrap();
        std::fs::set_permissions(&garbage, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let garbage = garbage.to_str().unwrap();
        let long = std::format!("/{}", "x".repeat(5000));
        // (file, status, errno, text): the errno only with the third text.
        let cases = [
            ("/nonexistent", 127, 0, "no such file"),
            ("/etc/passwd", 126, 0, "denied"),
            (garbage, 126, 8, "exec it"),          // ENOEXEC
            ("/etc/passwd/x", 126, 20, "exec it"), // ENOTDIR
            (long.as_str(), 126, 36, "exec it"),   // ENAMETOOLONG
        ];
        for (file, status, errno, text) in cases {
            let mut report = std::vec![b'E', status as u8];
            report.extend_from_slice(&i32::to_le_bytes(errno));
            report.extend_from_slice(text.as_bytes());
            assert_eq!(reported(file, &["x"]), (Some(status), "".into(), report), "{file:.40}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn run_any_other_way_it_executes_nothing() {
        let refusal = "runt: this is runt's exec trampoline, which only runt runs\n";
        let marker = std::env::temp_dir().join(std::format!("runt-trampoline-ran-{}", std::process::id()));
        let touch = std::format!("touch {}", marker.display());
        let mut argv = std::vec!["/bin/sh", "2"];
        argv.extend(TEXTS);
        argv.extend(["sh", "-c", &touch]);
        let said = |out: Output| (out.status.code(), std::string::String::from_utf8_lossy(&out.stderr).into_owned());
        // A `#!/proc/self/exe` script: argv[0] is the interpreter's path.
        for argv0 in ["/proc/self/exe", "runt:exe", "runt:exec2"] {
            assert_eq!(said(run(argv0, &argv)), (Some(126), refusal.into()), "{argv0}");
        }
        // Too few arguments to hold a command; a report descriptor that is no number.
        assert_eq!(said(run("runt:exec", &argv[..5])), (Some(126), refusal.into()));
        for report in ["", "2x", "-1"] {
            let mut bad = argv.clone();
            bad[1] = report;
            assert_eq!(said(run("runt:exec", &bad)), (Some(126), refusal.into()), "{report:?}");
        }
        assert!(!marker.exists(), "the trampoline executed a command it was not given as runt gives it");
    }

    #[test]
    fn a_report_descriptor_it_cannot_mark_close_on_exec_is_an_error_and_nothing_runs() {
        let marker = std::env::temp_dir().join(std::format!("runt-trampoline-leak-{}", std::process::id()));
        let touch = std::format!("touch {}", marker.display());
        // A report socket that is not open: fcntl fails (EBADF), and so does the report.
        let mut argv = std::vec!["/bin/sh", "999"];
        argv.extend(TEXTS);
        argv.extend(["sh", "-c", &touch]);
        let out = run("runt:exec", &argv);
        assert_eq!((out.status.code(), out.stderr.as_slice()), (Some(126), &b""[..]));
        assert!(!marker.exists(), "the command ran without its report socket marked close-on-exec");
    }
}
