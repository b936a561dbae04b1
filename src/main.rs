//! runt: a tiny static container runtime. `main` chooses the door (runc's command line, `oci`, or
//! runt's own, `run`), runs the command, and is the only place that prints an error: once, on one
//! line, starting `runt:`.
#![cfg_attr(not(test), no_std)]
#![cfg_attr(not(test), no_main)]
#![deny(unsafe_code)]
#![warn(clippy::undocumented_unsafe_blocks)]

extern crate alloc;

// Layer 1: kernel calls and plain helpers, no container knowledge (docs/ARCHITECTURE.md).
mod cstr;
mod error;
mod json;
mod sys;
mod text;

// Layer 2: the container core. It knows neither door.
mod cgroup;
mod console;
mod exec;
mod fds;
mod hooks;
mod init;
mod launch;
mod notify;
mod passwd;
mod plan;
mod reaper;
mod relay;
mod rootfs;
mod sealed;
mod seccomp_agent;
mod security;
mod spec;
mod state;
mod sync;
mod tuning;
mod userns;

// Layer 3: the doors; main (below) chooses one.
mod oci;
mod run;

use alloc::string::String;
use alloc::vec::Vec;
use error::{cat, dec, Error, EXIT_RUNTIME};

/// Entry point after the C runtime: raw argv and environment.
#[cfg_attr(test, allow(dead_code))]
pub fn main(args: Vec<&'static [u8]>, env: Vec<&'static [u8]>) -> i32 {
    let mut log = None;
    match run(&args, &env, &mut log) {
        Ok(status) => status,
        Err(e) => {
            let line = e.line();
            print(2, &line);
            if let Some(g) = &log {
                log_error(g, &e, &line);
            }
            e.status
        }
    }
}

/// `--log FILE`: engines (conmon) read the runtime's error from there, as JSON with
/// `--log-format json`.
#[inline(never)]
fn log_error(g: &oci::cli::Global, e: &Error, plain: &str) {
    let Some(path) = g.log else { return };
    let Ok(path) = cstr::cstr(path) else { return };
    let flags = sys::fs::O_WRONLY | sys::fs::O_CREAT | linux_raw_sys::general::O_APPEND;
    let Ok(fd) = sys::fs::openat(sys::fs::CWD, &path, flags, 0o644) else { return };
    let json;
    let line = if g.log_json {
        let mut o = json::Object::new();
        o.str("level", "error").str("msg", &e.render()).str("time", &state::timestamp());
        json = o.finish() + "\n";
        &json
    } else {
        plain
    };
    let _ = sys::fs::write_all(fd.raw(), line.as_bytes());
}

#[inline(never)]
fn run(raw_args: &[&'static [u8]], env: &[&[u8]], log: &mut Option<oci::cli::Global<'static>>) -> Result<i32, Error> {
    let mut owned = Vec::with_capacity(raw_args.len());
    for (i, a) in raw_args.iter().enumerate() {
        // argv[0] is only a name.
        if i == 0 {
            continue;
        }
        let Ok(a) = core::str::from_utf8(a) else {
            return Err(Error::cat(&["argument ", &dec(i as u64), " is not valid UTF-8"]));
        };
        owned.push(a);
    }
    // The runc command line: global options, then a runc command (engines call runt this way).
    let (global, mut args) = oci::cli::parse_global(&owned)?;
    // `runt help COMMAND` is `runt COMMAND --help`, as git and Docker have it.
    let asked;
    if let ["help", command] = args {
        asked = [*command, "--help"];
        args = &asked;
    }
    let mut warn = |w: &str| print(2, &cat(&["runt: warning: ", &text::shown(w), "\n"]));
    let oci_args = match args {
        [w, rest @ ..] if runc_grammar(raw_args, &owned, args) => Some(oci::cli::parse(w, rest)?),
        // Engines probe `checkpoint --help`: success would mean checkpointing works.
        [w, ..] if *w == "checkpoint" || *w == "restore" => {
            return Err(Error::cat(&[w, ": not supported by runt"]));
        }
        _ => None,
    };
    if let Some(parsed) = oci_args {
        return match parsed {
            Err(help) => {
                print(1, &help);
                Ok(0)
            }
            Ok(a) => {
                let g = log.insert(global);
                oci::cmd::run(g, &a, env, &mut warn, run::exec_spec)
            }
        };
    }
    match run::cli::parse(args)? {
        run::cli::Command::Usage => {
            print(1, &usage());
            Ok(0)
        }
        run::cli::Command::Help(text) => {
            print(1, &text);
            Ok(0)
        }
        run::cli::Command::Version => {
            // The shape runc prints: engines read the first line, and the spec line.
            print(1, concat!("runt version ", env!("CARGO_PKG_VERSION"), "\nspec: ", oci::cmd::oci_version!(), "\n"));
            Ok(0)
        }
        run::cli::Command::Run(mut r) => run::run(&mut r, env, global.root, &mut warn),
    }
}

/// Whether `rest` (argv after the global options in `all`) is in runc's grammar
/// (`oci::cli::GRAMMAR`): `run` followed by one of runt run's own options is runt's, whoever
/// calls and however; otherwise argv[0] and whether global options came first decide too.
fn runc_grammar(raw_args: &[&[u8]], all: &[&str], rest: &[&str]) -> bool {
    if let ["run", words @ ..] = rest {
        // -d is both runs' option: the word after it decides (runc's `run -d --bundle B ID`).
        let first = words.iter().find(|w| !matches!(**w, "-d" | "--detach"));
        if first.is_some_and(|w| run::cli::is_option(w)) {
            return false;
        }
    }
    oci::cli::runc_grammar(raw_args.first().copied().unwrap_or_default(), rest.len() < all.len(), rest)
}

/// `runt --help`: the `run` door's command and the OCI door's commands, in one text.
fn usage() -> String {
    cat(&[
        concat!(
            "runt ",
            env!("CARGO_PKG_VERSION"),
            ": run a command in a container\n\n\
         Usage: runt COMMAND [OPTIONS]\n\n\
         Commands:\n  run      run a command in a new container (runt run --help)\n\n\
         OCI runtime commands (runc's command line, for container engines):\n"
        ),
        &oci::cli::summary(),
        "\n",
        oci::cli::GRAMMAR,
        "\nOptions:\n  -h, --help     print this help\n  -V, --version  print the version\n\n\
         'runt COMMAND --help' describes a command.\n",
    ])
}

/// One write of `text` to `fd`; nothing useful can be done if stdout/stderr is gone.
#[inline(never)]
fn print(fd: i32, text: &str) {
    let _ = sys::fs::write_all(fd, text.as_bytes());
}

#[allow(dead_code)]
const _: i32 = EXIT_RUNTIME;
