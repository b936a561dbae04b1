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
//! Its arguments: `NAME FILE NOENT ACCES NOEXEC OTHER ARGV...`. It executes FILE with ARGV and
//! the environment it was given. If that fails it writes one message to fd 2, the one runt
//! prepared for the errno (ENOENT, EACCES or ENOEXEC; else OTHER followed by the errno in
//! decimal and a newline), and exits 127 for ENOENT, 126 for any other. Run with another argv[0]
//! (a `#!/proc/self/exe` script: the kernel passes the interpreter's path), it says so and
//! exits 126 without executing anything.

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

    const MESSAGES: [&str; 4] = ["no such file\n", "denied\n", "not a program\n", "errno "];

    fn with_messages<'a>(file: &'a str, argv: &[&'a str]) -> std::vec::Vec<&'a str> {
        let mut all = std::vec![file];
        all.extend(MESSAGES);
        all.extend(argv);
        all
    }

    fn said(out: &Output) -> (Option<i32>, std::string::String, std::string::String) {
        let text = |b: &[u8]| std::string::String::from_utf8_lossy(b).into_owned();
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    }

    #[test]
    fn executes_the_file_with_the_commands_argv_and_environment() {
        assert_eq!(ARGS_BEFORE_COMMAND, 1 + with_messages("", &[]).len());
        let script = "echo \"$0 $1 $TRAMPOLINE_TEST\"; exit 7";
        let out = run("runt:exec", &with_messages("/bin/sh", &["sh", "-c", script, "zero", "one"]));
        assert_eq!(said(&out), (Some(7), "zero one env passed\n".into(), "".into()));
    }

    #[test]
    fn a_failed_execve_says_runts_message_and_exits_126_or_127() {
        let dir = std::env::temp_dir().join(std::format!("runt-trampoline-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let garbage = dir.join("garbage");
        std::fs::write(&garbage, "not a program").unwrap();
        std::fs::set_permissions(&garbage, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let garbage = garbage.to_str().unwrap();
        let long = std::format!("/{}", "x".repeat(5000));
        let cases = [
            ("/nonexistent", 127, "no such file\n"),
            ("/etc/passwd", 126, "denied\n"),
            (garbage, 126, "not a program\n"),
            ("/etc/passwd/x", 126, "errno 20\n"), // ENOTDIR
            (long.as_str(), 126, "errno 36\n"),   // ENAMETOOLONG: two digits
        ];
        for (file, status, message) in cases {
            let out = run("runt:exec", &with_messages(file, &["x"]));
            assert_eq!(said(&out), (Some(status), "".into(), message.into()), "{file:.40}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn run_any_other_way_it_executes_nothing() {
        let refusal = "runt: this is runt's exec trampoline, which only runt runs\n";
        let marker = std::env::temp_dir().join(std::format!("runt-trampoline-ran-{}", std::process::id()));
        let touch = std::format!("touch {}", marker.display());
        let argv = with_messages("/bin/sh", &["sh", "-c", &touch]);
        // A `#!/proc/self/exe` script: argv[0] is the interpreter's path.
        for argv0 in ["/proc/self/exe", "runt:exe", "runt:exec2"] {
            assert_eq!(said(&run(argv0, &argv)), (Some(126), "".into(), refusal.into()), "{argv0}");
        }
        // Too few arguments to hold a command.
        assert_eq!(said(&run("runt:exec", &argv[..5])), (Some(126), "".into(), refusal.into()));
        assert!(!marker.exists(), "the trampoline executed a command it was not given as runt gives it");
    }
}
