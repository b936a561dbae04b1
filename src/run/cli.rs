//! `runt`'s own command line (`run`, `--help`, `--version`), hand-rolled: `runt run`'s options
//! into `RunArgs`. Each option is defined once in a table; help text is generated from it. Parsing only checks shapes (a value is present, a number is a number); what the values mean
//! together is checked when the `Spec` is built.

use crate::error::{Error, Result};
use crate::spec::CPU_PERIOD_US;
use crate::text::{digits, help_line, parse_size};
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

/// What runt was asked to do.
#[derive(Debug, PartialEq)]
pub enum Command {
    /// `runt --help`: runt's usage (composed by main, which knows both doors) on stdout, exit 0.
    Usage,
    /// Print this text on stdout and exit 0.
    Help(String),
    Version,
    Run(Box<RunArgs>),
}

/// `runt run`'s options, as typed.
#[derive(Debug, Default, PartialEq, Clone)]
pub struct RunArgs {
    pub rootfs: Option<String>,
    pub name: Option<String>,
    pub hostname: Option<String>,
    pub env: Vec<String>,
    pub workdir: Option<String>,
    pub user: Option<String>,
    pub net: Option<String>,
    pub volumes: Vec<String>,
    pub tmpfs: Vec<String>,
    pub mounts: Vec<String>,
    pub env_files: Vec<String>,
    pub read_only: bool,
    pub pids_limit: Option<u64>,
    pub memory: Option<u64>,
    pub cpus: Option<u64>,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    pub privileged: bool,
    pub ulimits: Vec<String>,
    pub oom_score_adj: Option<i32>,
    pub devices: Vec<String>,
    pub userns: bool,
    pub security_opts: Vec<String>,
    pub uidmaps: Vec<String>,
    pub gidmaps: Vec<String>,
    pub tty: bool,
    pub interactive: bool,
    pub init: bool,
    pub detach: bool,
    pub rm: bool,
    /// The option words as typed, recorded for `exec` to make the same container settings again.
    pub options: Vec<String>,
    pub command: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Opt {
    Help,
    Rootfs,
    Name,
    Hostname,
    Env,
    Workdir,
    User,
    Net,
    Volume,
    Tmpfs,
    Mount,
    EnvFile,
    ReadOnly,
    PidsLimit,
    Memory,
    Cpus,
    CapAdd,
    CapDrop,
    Privileged,
    Ulimit,
    OomScoreAdj,
    Device,
    Userns,
    Security,
    Uidmap,
    Gidmap,
    Tty,
    Interactive,
    Init,
    Detach,
    Rm,
}

struct OptDef {
    opt: Opt,
    long: &'static str,
    /// The one-letter form, 0 for none.
    short: u8,
    /// The name of the value ("" for a flag), a tab, the help: one string, not two (or a third
    /// for the Option), as the table is most of what `runt run` costs in the binary.
    help: &'static str,
}

const RUN_OPTS: &[OptDef] = &[
    OptDef {
        opt: Opt::Rootfs,
        long: "rootfs",
        short: 0,
        help: "DIR\troot filesystem (default: the host's / read-only)",
    },
    OptDef { opt: Opt::Name, long: "name", short: 0, help: "NAME\tcontainer name (default: random)" },
    OptDef { opt: Opt::Hostname, long: "hostname", short: 0, help: "NAME\thostname (default: the name)" },
    OptDef { opt: Opt::Env, long: "env", short: b'e', help: "KEY=VAL\tset an environment variable" },
    OptDef {
        opt: Opt::EnvFile,
        long: "env-file",
        short: 0,
        help: "FILE\tKEY=VAL lines (# comments; KEY alone: runt's)",
    },
    OptDef { opt: Opt::Workdir, long: "workdir", short: b'w', help: "DIR\tworking directory inside (default: /)" },
    OptDef {
        opt: Opt::User,
        long: "user",
        short: b'u',
        help: "USER[:GROUP]\tuser and group (names from the container's /etc)",
    },
    OptDef {
        opt: Opt::Net,
        long: "net",
        short: 0,
        help: "none|host\tnetwork: own namespace with lo (none) or the host's",
    },
    OptDef { opt: Opt::Volume, long: "volume", short: b'v', help: "SRC:DST[:ro]\tbind-mount a host path" },
    OptDef {
        opt: Opt::Tmpfs,
        long: "tmpfs",
        short: 0,
        help: "DST[:OPTIONS]\ta fresh tmpfs (size=64m,mode=1777,ro,...)",
    },
    OptDef {
        opt: Opt::Mount,
        long: "mount",
        short: 0,
        help: "type=bind|tmpfs,...\tsource=,target=,readonly: Docker's long -v",
    },
    OptDef { opt: Opt::ReadOnly, long: "read-only", short: 0, help: "\tmount the root filesystem read-only" },
    OptDef { opt: Opt::PidsLimit, long: "pids-limit", short: 0, help: "N\tat most N processes" },
    OptDef { opt: Opt::Memory, long: "memory", short: b'm', help: "BYTES[k|m|g]\tmemory limit" },
    OptDef { opt: Opt::Cpus, long: "cpus", short: 0, help: "F\tCPU limit in CPUs, e.g. 0.5" },
    OptDef { opt: Opt::CapAdd, long: "cap-add", short: 0, help: "CAP\tadd a capability (or ALL)" },
    OptDef { opt: Opt::CapDrop, long: "cap-drop", short: 0, help: "CAP\tdrop a capability (or ALL)" },
    OptDef {
        opt: Opt::Privileged,
        long: "privileged",
        short: 0,
        help: "\tevery capability, no seccomp, no masked paths",
    },
    OptDef { opt: Opt::Ulimit, long: "ulimit", short: 0, help: "NAME=SOFT[:HARD]\tset a resource limit" },
    OptDef { opt: Opt::OomScoreAdj, long: "oom-score-adj", short: 0, help: "N\tOOM killer preference" },
    OptDef { opt: Opt::Device, long: "device", short: 0, help: "HOST[:CONTAINER][:rwm]\tadd a host device" },
    OptDef {
        opt: Opt::Security,
        long: "security-opt",
        short: 0,
        help: "OPT\tno-new-privileges=false or seccomp=unconfined",
    },
    OptDef { opt: Opt::Userns, long: "userns", short: 0, help: "\ta user namespace (always when not root)" },
    OptDef { opt: Opt::Uidmap, long: "uidmap", short: 0, help: "IN:OUT:COUNT\tmap user ids (implies --userns)" },
    OptDef { opt: Opt::Gidmap, long: "gidmap", short: 0, help: "IN:OUT:COUNT\tmap group ids (implies --userns)" },
    OptDef { opt: Opt::Tty, long: "tty", short: b't', help: "\ta pty of its own, relayed to runt's terminal" },
    OptDef {
        opt: Opt::Interactive,
        long: "interactive",
        short: b'i',
        help: "\twith -t: what you type goes to the pty",
    },
    OptDef { opt: Opt::Init, long: "init", short: 0, help: "\trunt as pid 1: passes signals on, reaps zombies" },
    OptDef { opt: Opt::Detach, long: "detach", short: b'd', help: "\tin the background, output to 'runt logs NAME'" },
    OptDef { opt: Opt::Rm, long: "rm", short: 0, help: "\tremove the record when it ends (the default but with -d)" },
    OptDef { opt: Opt::Help, long: "help", short: b'h', help: "\tprint this help" },
];

fn run_usage() -> String {
    let mut s = String::from(
        "Usage: runt run [OPTIONS] [--] COMMAND [ARG...]\n\nRun COMMAND as pid 1 of a new container.\n\nOptions:\n",
    );
    for d in RUN_OPTS {
        let (value, help) = d.help.split_once('\t').unwrap_or_default();
        help_line(&mut s, d.short, "--", d.long, value, 34, help);
    }
    s.push_str(
        "\nSignals runt gets (HUP INT QUIT USR1 USR2 TERM TSTP WINCH) go to COMMAND. One that ends a\n\
         program (^C, ^\\, SIGTERM, a closed terminal) and that COMMAND does not handle ends the\n\
         container, exit 128+N, as pid 1 ignores it.\n",
    );
    s
}

/// Parses the whole command line (without argv[0]).
pub fn parse(args: &[&str]) -> Result<Command> {
    let Some((&first, rest)) = args.split_first() else {
        return Err(Error::msg("no command given (see 'runt --help')"));
    };
    match first {
        "-h" | "--help" | "help" => Ok(Command::Usage),
        "-V" | "-v" | "--version" => Ok(Command::Version),
        "run" => parse_run(rest),
        o => {
            let what = if o.starts_with('-') { "unknown option " } else { "unknown command " };
            Err(Error::cat(&[what, o, " (see 'runt --help')"]))
        }
    }
}

#[inline(never)]
fn parse_run(args: &[&str]) -> Result<Command> {
    // Filled in its box: no move of the whole struct at the end.
    let mut r = Box::<RunArgs>::default();
    let mut i = 0;
    while let Some(&arg) = args.get(i) {
        match arg.as_bytes() {
            b"--" => {
                i += 1;
                break;
            }
            // An option; "-" alone and anything else start the command.
            [b'-', _, ..] => i += 1,
            _ => break,
        }
        let (def, inline) = lookup(arg)?;
        // One-letter flags go together (`-it`): the letters after a flag's are flags too.
        let together = !arg.starts_with("--");
        if let (true, true, Some(more)) = (together, def.help.starts_with('\t'), inline) {
            for c in more.bytes() {
                match RUN_OPTS.iter().find(|d| d.short == c).map(|d| slot(&mut r, d.opt)) {
                    Some(Slot::Flag(f)) => *f = true,
                    _ => return Err(Error::cat(&["unknown option ", arg, " (see 'runt run --help')"])),
                }
            }
        }
        let value = match (!def.help.starts_with('\t'), inline) {
            (false, Some(_)) if !together => return Err(Error::cat(&["option --", def.long, " takes no value"])),
            (false, _) => None,
            (true, Some(v)) => Some(v),
            (true, None) => {
                let v = args.get(i).ok_or_else(|| Error::cat(&["option --", def.long, " needs a value"]))?;
                i += 1;
                Some(*v)
            }
        };
        let v = value.unwrap_or_default();
        let name = def.long;
        match slot(&mut r, def.opt) {
            Slot::One(o) => *o = Some(String::from(v)),
            Slot::Many(l) => l.push(String::from(v)),
            Slot::Flag(f) => *f = true,
            Slot::Help => return Ok(Command::Help(run_usage())),
            Slot::Number(n, parse) => *n = Some(parse(v).ok_or_else(|| bad_value(name, v))?),
            Slot::OomScoreAdj => {
                r.oom_score_adj = Some(
                    crate::text::signed(v)
                        .filter(|n: &i32| (-1000..=1000).contains(n))
                        .ok_or_else(|| bad_value(name, v))?,
                )
            }
        }
    }
    r.options = crate::spec::owned(args.get(..i).unwrap_or_default());
    r.command = crate::spec::owned(args.get(i..).unwrap_or_default());
    if r.command.is_empty() {
        return Err(Error::msg("run: no command given (see 'runt run --help')"));
    }
    Ok(Command::Run(r))
}

/// Where an option's value goes in `RunArgs`.
enum Slot<'a> {
    One(&'a mut Option<String>),
    Many(&'a mut Vec<String>),
    Flag(&'a mut bool),
    Help,
    Number(&'a mut Option<u64>, fn(&str) -> Option<u64>),
    OomScoreAdj,
}

/// One match from option to field (the text options all store their value the same way).
#[inline(never)]
fn slot(r: &mut RunArgs, opt: Opt) -> Slot<'_> {
    match opt {
        Opt::Help => Slot::Help,
        Opt::Rootfs => Slot::One(&mut r.rootfs),
        Opt::Name => Slot::One(&mut r.name),
        Opt::Hostname => Slot::One(&mut r.hostname),
        Opt::Env => Slot::Many(&mut r.env),
        Opt::Workdir => Slot::One(&mut r.workdir),
        Opt::User => Slot::One(&mut r.user),
        Opt::Net => Slot::One(&mut r.net),
        Opt::Volume => Slot::Many(&mut r.volumes),
        Opt::Tmpfs => Slot::Many(&mut r.tmpfs),
        Opt::Mount => Slot::Many(&mut r.mounts),
        Opt::EnvFile => Slot::Many(&mut r.env_files),
        Opt::ReadOnly => Slot::Flag(&mut r.read_only),
        Opt::PidsLimit => Slot::Number(&mut r.pids_limit, crate::text::uint),
        Opt::Memory => Slot::Number(&mut r.memory, parse_size),
        Opt::Cpus => Slot::Number(&mut r.cpus, parse_cpus),
        Opt::CapAdd => Slot::Many(&mut r.cap_add),
        Opt::CapDrop => Slot::Many(&mut r.cap_drop),
        Opt::Privileged => Slot::Flag(&mut r.privileged),
        Opt::Ulimit => Slot::Many(&mut r.ulimits),
        Opt::Device => Slot::Many(&mut r.devices),
        Opt::Userns => Slot::Flag(&mut r.userns),
        Opt::Security => Slot::Many(&mut r.security_opts),
        Opt::Uidmap => Slot::Many(&mut r.uidmaps),
        Opt::Gidmap => Slot::Many(&mut r.gidmaps),
        Opt::OomScoreAdj => Slot::OomScoreAdj,
        Opt::Tty => Slot::Flag(&mut r.tty),
        Opt::Interactive => Slot::Flag(&mut r.interactive),
        Opt::Init => Slot::Flag(&mut r.init),
        Opt::Detach => Slot::Flag(&mut r.detach),
        Opt::Rm => Slot::Flag(&mut r.rm),
    }
}

/// Whether `word` is one of `runt run`'s options (help aside, which runc's run has too): the
/// two `run`s share none, so it says that the command line is runt's own.
pub fn is_option(word: &str) -> bool {
    word.starts_with('-') && lookup(word).is_ok_and(|(d, _)| d.opt != Opt::Help)
}

/// Finds the definition for `--long`, `--long=value`, `-s` or `-svalue`.
#[inline(never)]
fn lookup(arg: &str) -> Result<(&'static OptDef, Option<&str>)> {
    let (def, inline) = match arg.strip_prefix("--") {
        Some(long) => {
            let (key, inline) = match long.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (long, None),
            };
            (RUN_OPTS.iter().find(|d| d.long == key), inline)
        }
        None => {
            // Every short option is ASCII, so byte 2 starts the attached value.
            let c = arg.as_bytes().get(1).copied().filter(|&c| c != 0);
            (RUN_OPTS.iter().find(|d| Some(d.short) == c), arg.get(2..).filter(|v| !v.is_empty()))
        }
    };
    match def {
        Some(d) => Ok((d, inline)),
        None => Err(Error::cat(&["unknown option ", arg, " (see 'runt run --help')"])),
    }
}

fn bad_value(name: &str, v: &str) -> Error {
    Error::cat(&["invalid value '", v, "' for --", name])
}

/// `--cpus F` as a CFS quota in microseconds per `CPU_PERIOD_US`: "0.5" -> 50000. Only the
/// form: whether the host has that many CPUs (or 0 is meant) is checked with the `Spec`.
#[inline(never)]
pub fn parse_cpus(v: &str) -> Option<u64> {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if (int.is_empty() && frac.is_empty()) || frac.len() > 5 {
        return None;
    }
    let whole = if int.is_empty() { 0 } else { digits(int.as_bytes())? };
    // Up to five decimals: microseconds of the 100000 in a period.
    let frac_us = if frac.is_empty() { 0 } else { digits(frac.as_bytes())? * 10u64.pow(5 - frac.len() as u32) };
    whole.checked_mul(CPU_PERIOD_US)?.checked_add(frac_us)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> RunArgs {
        let mut v = alloc::vec!["run"];
        v.extend_from_slice(args);
        match parse(&v) {
            Ok(Command::Run(r)) => *r,
            other => panic!("unexpected {other:?}"),
        }
    }

    fn err(args: &[&str]) -> String {
        parse(args).unwrap_err().into_what()
    }

    #[test]
    fn top_level() {
        assert_eq!(parse(&["--version"]), Ok(Command::Version));
        assert_eq!(parse(&["--help"]), Ok(Command::Usage));
        assert!(matches!(parse(&["run", "--help"]), Ok(Command::Help(h)) if h.contains("--pids-limit N")));
        assert_eq!(err(&[]), "no command given (see 'runt --help')");
        assert_eq!(err(&["bogus"]), "unknown command bogus (see 'runt --help')");
        assert_eq!(err(&["--bogus"]), "unknown option --bogus (see 'runt --help')");
    }

    #[test]
    fn values_in_every_form() {
        let r = run(&["--name", "a", "--hostname=h", "-e", "A=1", "-eB=2", "--env=C=3", "-w/tmp", "sh"]);
        assert_eq!(r.name.as_deref(), Some("a"));
        assert_eq!(r.hostname.as_deref(), Some("h"));
        assert_eq!(r.env, ["A=1", "B=2", "C=3"]);
        assert_eq!(r.workdir.as_deref(), Some("/tmp"));
        assert_eq!(r.command, ["sh"]);
    }

    #[test]
    fn command_ends_options() {
        let r = run(&["--read-only", "ls", "-l", "--name", "x"]);
        assert!(r.read_only);
        assert_eq!(r.name, None);
        assert_eq!(r.command, ["ls", "-l", "--name", "x"]);
        assert_eq!(run(&["--", "-weird"]).command, ["-weird"]);
        assert_eq!(run(&["-", "x"]).command, ["-", "x"]);
        assert_eq!(run(&["--read-only", "--", "--", "x"]).command, ["--", "x"]);
    }

    #[test]
    fn one_letter_flags_go_together() {
        for args in [&["-it", "sh"][..], &["-ti", "sh"], &["-i", "-t", "sh"], &["--interactive", "--tty", "sh"]] {
            let r = run(args);
            assert!(r.tty && r.interactive && !r.init, "{args:?}");
            assert_eq!(r.command, ["sh"]);
        }
        assert!(run(&["-t", "--init", "sh"]).tty);
        assert!(run(&["--init", "sh"]).init);
        assert_eq!(err(&["run", "-itZ", "sh"]), "unknown option -itZ (see 'runt run --help')");
        assert_eq!(err(&["run", "-ie", "sh"]), "unknown option -ie (see 'runt run --help')");
        assert_eq!(err(&["run", "--tty=1", "sh"]), "option --tty takes no value");
    }

    #[test]
    fn limits() {
        let r = run(&["--pids-limit", "20", "--memory", "32m", "--cpus", "0.5", "true"]);
        assert_eq!(r.pids_limit, Some(20));
        assert_eq!(r.memory, Some(32 << 20));
        assert_eq!(r.cpus, Some(50_000));
    }

    #[test]
    fn rejects() {
        assert_eq!(err(&["run", "--bogus", "x"]), "unknown option --bogus (see 'runt run --help')");
        assert_eq!(err(&["run", "-Z", "x"]), "unknown option -Z (see 'runt run --help')");
        assert_eq!(err(&["run", "--name"]), "option --name needs a value");
        assert_eq!(err(&["run", "--read-only=yes", "x"]), "option --read-only takes no value");
        assert_eq!(err(&["run", "--pids-limit", "lots", "x"]), "invalid value 'lots' for --pids-limit");
        assert_eq!(err(&["run", "--memory", "12q", "x"]), "invalid value '12q' for --memory");
        assert_eq!(err(&["run", "--name", "x"]), "run: no command given (see 'runt run --help')");
    }

    #[test]
    fn detach_and_rm() {
        let r = run(&["-d", "--rm", "--name", "x", "sleep", "9"]);
        assert!(r.detach && r.rm);
        assert_eq!(r.options, ["-d", "--rm", "--name", "x"]);
        assert_eq!(r.command, ["sleep", "9"]);
        assert!(run(&["-dit", "sh"]).detach);
    }

    #[test]
    fn own_options_are_known() {
        for own in ["--rootfs", "--name=x", "-e", "-eA=1", "--read-only", "-v", "-t", "-it", "--init", "-d", "--rm"] {
            assert!(is_option(own), "{own}");
        }
        // An id is no option, whatever its second letter.
        for other in ["--bundle", "-b", "--pid-file", "--help", "-h", "sh", "ve", "xe1", "-"] {
            assert!(!is_option(other), "{other}");
        }
    }

    #[test]
    fn cpus() {
        assert_eq!(parse_cpus("1"), Some(100_000));
        assert_eq!(parse_cpus("0.5"), Some(50_000));
        assert_eq!(parse_cpus(".25"), Some(25_000));
        assert_eq!(parse_cpus("2.00001"), Some(200_001));
        assert_eq!(parse_cpus("1.5"), Some(150_000));
        assert_eq!(parse_cpus("0.01"), Some(1_000));
        assert_eq!(parse_cpus("1024"), Some(102_400_000));
        assert_eq!(parse_cpus("0"), Some(0));
        assert_eq!(parse_cpus("0.001"), Some(100));
        for bad in ["", ".", "abc", "1.5.5", "-1", "+1", "1.+5", "1e3", "0.000001", "99999999999999999999"] {
            assert_eq!(parse_cpus(bad), None, "{bad}");
        }
    }
}
