//! The runc command line, as container engines drive it: global options, then one of create,
//! start, state, kill, delete, run --bundle, exec, list, ps, pause, resume, update, events,
//! features, spec. Each command's options are defined once in a table; help comes from it.
//! `runc_grammar` decides when `run` is runc's rather than runt's own.

use crate::error::{cat, Error, Result};
use crate::text::help_line;
use alloc::string::String;
use alloc::vec::Vec;

/// Options that come before the command, borrowed from argv.
#[derive(Debug, Default, PartialEq)]
pub struct Global<'a> {
    pub root: Option<&'a str>,
    pub log: Option<&'a str>,
    pub log_json: bool,
    pub debug: bool,
    pub systemd_cgroup: bool,
}

/// One option in one string (one pointer per option, not a tuple of three): its short letter or
/// a space, `=` when it takes a value or a space, the long name, a tab, the help. Written with
/// `def!(long name, short letter, takes a value, help)`.
type Def = &'static str;

macro_rules! def {
    ($long:literal, None, $value:tt, $help:literal) => {
        def!(@ ' ', $value, $long, $help)
    };
    ($long:literal, Some($c:literal), $value:tt, $help:literal) => {
        def!(@ $c, $value, $long, $help)
    };
    (@ $c:literal, true, $long:literal, $help:literal) => {
        concat!($c, "=", $long, "\t", $help)
    };
    (@ $c:literal, false, $long:literal, $help:literal) => {
        concat!($c, " ", $long, "\t", $help)
    };
}

/// The long name and the help of `d`.
#[inline(never)]
fn parts(d: Def) -> (&'static str, &'static str) {
    d.get(2..).and_then(|s| s.split_once('\t')).unwrap_or_default()
}

/// Whether `d` takes a value.
fn takes_value(d: Def) -> bool {
    d.as_bytes().get(1) == Some(&b'=')
}

pub const GLOBAL: &[Def] = &[
    def!("root", None, true, "state directory (default /run/runt, or /tmp/runt without /run)"),
    def!("log", None, true, "also write errors to this file"),
    def!("log-format", None, true, "text or json"),
    def!("debug", None, false, "accepted"),
    def!("systemd-cgroup", None, false, "cgroupsPath is slice:prefix:name (cgroupfs is written either way)"),
    def!("rootless", None, true, "accepted (rootless is decided by the caller's uid)"),
    def!("cgroup-manager", None, true, "(crun) cgroupfs, or systemd as --systemd-cgroup"),
];

const CREATE: &[Def] = &[
    def!("bundle", Some('b'), true, "bundle directory (default .)"),
    def!("console-socket", None, true, "unix socket that receives the pty master (process.terminal)"),
    def!("pid-file", None, true, "write the container's pid here"),
    def!("no-pivot", None, false, "accepted; runt falls back from pivot_root by itself"),
    def!("no-new-keyring", None, false, "keep the session keyring"),
    def!("preserve-fds", None, true, "keep descriptors 3 to 3+N-1 open in the container"),
    def!("pidfd-socket", None, true, "unix socket that receives a pidfd of the container"),
    def!("detach", Some('d'), false, "(run) do not wait for the container"),
    def!("keep", None, false, "(run) accepted"),
    def!("config", Some('f'), true, "(crun) the config file (default BUNDLE/config.json)"),
];
const KILL: &[Def] = &[def!("all", Some('a'), false, "signal every process of the container")];
const DELETE: &[Def] = &[def!("force", Some('f'), false, "kill a running container first")];
const LIST: &[Def] = &[def!("format", Some('f'), true, "table or json"), def!("quiet", Some('q'), false, "ids only")];
const STOP: &[Def] = &[def!("time", Some('t'), true, "seconds between TERM and KILL (default 10)")];
const LOGS: &[Def] = &[def!("follow", Some('f'), false, "go on printing until the container ends")];
const PS: &[Def] = &[def!("format", Some('f'), true, "table or json")];
const SPEC: &[Def] = &[
    def!("bundle", Some('b'), true, "where to write config.json"),
    def!("rootless", None, false, "a config for non-root users"),
    def!("seccomp", None, false, "(runt) add runt's default seccomp profile, as runt run has"),
];
const UPDATE: &[Def] = &[
    def!("resources", Some('r'), true, "a linux.resources JSON file, or - for stdin"),
    def!("blkio-weight", None, true, "block IO weight, 10 to 1000"),
    def!("cpu-period", None, true, "CFS period in microseconds"),
    def!("cpu-quota", None, true, "CFS quota in microseconds per period (-1: none)"),
    def!("cpu-rt-period", None, true, "realtime period in microseconds (v1)"),
    def!("cpu-rt-runtime", None, true, "realtime runtime in microseconds per period (v1)"),
    def!("cpu-share", None, true, "CPU shares (relative weight)"),
    def!("cpuset-cpus", None, true, "CPUs to use (0-3,5)"),
    def!("cpuset-mems", None, true, "memory nodes to use"),
    def!("memory", None, true, "memory limit in bytes (64m, 1.5g; -1: none)"),
    def!("memory-reservation", None, true, "memory soft limit (-1: none)"),
    def!("memory-swap", None, true, "memory plus swap limit (-1: unlimited swap)"),
    def!("pids-limit", None, true, "most processes at once (-1: none)"),
];
const EVENTS: &[Def] =
    &[def!("stats", None, false, "print one snapshot of the counters"), def!("interval", None, true, "accepted")];
const EXEC: &[Def] = &[
    def!("process", Some('p'), true, "a process.json (OCI process object)"),
    def!("tty", Some('t'), false, "allocate a pty (with --console-socket)"),
    def!("detach", Some('d'), false, "do not wait for the process"),
    def!("pid-file", None, true, "write the process's pid here"),
    def!("cwd", None, true, "working directory"),
    def!("env", Some('e'), true, "set an environment variable"),
    def!("user", Some('u'), true, "UID[:GID]"),
    def!("console-socket", None, true, "unix socket that receives the pty master"),
    def!("cap", Some('c'), true, "add a capability (an unknown one is a warning)"),
    def!("no-new-privs", None, false, "set no_new_privs"),
    def!("preserve-fds", None, true, "keep descriptors 3 to 3+N-1 open in the process"),
    def!("pidfd-socket", None, true, "unix socket that receives a pidfd of the process"),
    def!("additional-gids", Some('g'), true, "one more supplementary group (repeatable)"),
    def!("cgroup", None, true, "[CONTROLLER[,CONTROLLER]:]PATH: an existing sub-cgroup to join (repeatable)"),
    def!("interactive", Some('i'), false, "(runt) accepted: stdin is passed on as it is"),
    def!("ignore-paused", None, false, "exec in a paused container too (the process waits for resume)"),
    def!("process-label", None, true, "SELinux label: ignored where SELinux is not enabled"),
    def!("apparmor", None, true, "AppArmor profile: ignored where AppArmor is not enabled"),
];

#[derive(Debug, PartialEq, Clone, Copy)]
pub enum Cmd {
    Create,
    Run,
    Start,
    State,
    Kill,
    Delete,
    List,
    Ps,
    Pause,
    Resume,
    Features,
    Spec,
    Update,
    Events,
    Exec,
    Stop,
    Logs,
}

/// One parsed command: its options (long name, value) and positional arguments, borrowed from
/// argv (no copies to allocate and free).
#[derive(Debug, PartialEq)]
pub struct Args<'a> {
    pub cmd: Cmd,
    pub opts: Vec<(&'static str, &'a str)>,
    pub args: Vec<&'a str>,
}

impl<'a> Args<'a> {
    pub fn get(&self, long: &str) -> Option<&'a str> {
        self.opts.iter().rev().find(|(k, _)| *k == long).map(|(_, v)| *v)
    }

    pub fn has(&self, long: &str) -> bool {
        self.get(long).is_some()
    }

    /// The container id: the first positional argument.
    pub fn id(&self) -> Result<&'a str> {
        self.args.first().copied().ok_or_else(|| Error::cat(&[self.name(), ": missing container id"]))
    }

    fn name(&self) -> &'static str {
        TABLE.iter().find(|t| t.1 == self.cmd).map_or("", |t| t.0)
    }
}

/// (name, command, options, "positional usage\tsummary": one string, not two).
type Row = (&'static str, Cmd, &'static [Def], &'static str);

const TABLE: &[Row] = &[
    ("create", Cmd::Create, CREATE, "ID\tcreate a container from a bundle; it waits for start"),
    ("start", Cmd::Start, &[], "ID\trun the command of a created container"),
    ("state", Cmd::State, &[], "ID\tprint the container's OCI state"),
    ("kill", Cmd::Kill, KILL, "ID [SIGNAL]\tsend a signal (default TERM) to the container"),
    ("delete", Cmd::Delete, DELETE, "ID\tremove a stopped (or created) container (or: rm)"),
    ("stop", Cmd::Stop, STOP, "ID\t(runt's own, runc has none) TERM, then KILL after a grace period"),
    ("logs", Cmd::Logs, LOGS, "ID\t(runt's own) the output of a container that runt run -d started"),
    ("list", Cmd::List, LIST, "\tlist containers"),
    ("ps", Cmd::Ps, PS, "ID [PS OPTIONS]\tthe host's ps (default -ef), the container's processes only"),
    ("pause", Cmd::Pause, &[], "ID\tfreeze every process of the container"),
    ("resume", Cmd::Resume, &[], "ID\tthaw a paused container"),
    ("features", Cmd::Features, &[], "\tprint what this runtime supports, as JSON"),
    ("spec", Cmd::Spec, SPEC, "\twrite runc's default config.json"),
    ("update", Cmd::Update, UPDATE, "ID\tchange the container's resource limits"),
    ("events", Cmd::Events, EVENTS, "ID\tprint the container's resource usage as JSON"),
    ("exec", Cmd::Exec, EXEC, "ID [COMMAND [ARG...]]\trun a process in a created or running container"),
];

/// Whether `word` is one of the runc commands (`run` is decided by the caller).
pub fn is_command(word: &str) -> bool {
    TABLE.iter().any(|t| t.0 == word) || word == "ls" || word == "rm"
}

/// `--global opts...`: returns them and the rest of argv.
pub fn parse_global<'s, 'a>(args: &'s [&'a str]) -> Result<(Global<'a>, &'s [&'a str])> {
    let mut g = Global::default();
    let mut i = 0;
    while let Some(&a) = args.get(i) {
        if !a.starts_with('-') || matches!(a, "-h" | "--help" | "-v" | "-V" | "--version") {
            break;
        }
        i += 1;
        let Some((k, value)) = option(GLOBAL, a, args, &mut i, "")? else { continue };
        // Indexes into GLOBAL.
        match k {
            0 => g.root = Some(value),
            1 => g.log = Some(value),
            2 => g.log_json = value == "json",
            3 => g.debug = true,
            4 => g.systemd_cgroup = true,
            6 => {
                g.systemd_cgroup = match value {
                    "systemd" => true,
                    "cgroupfs" => false,
                    _ => return Err(Error::cat(&["invalid --cgroup-manager '", value, "' (cgroupfs or systemd)"])),
                }
            }
            _ => {}
        }
    }
    Ok((g, args.get(i..).unwrap_or_default()))
}

/// Parses `runt COMMAND ARGS...` for a runc command. Ok(Err(help)) when help was asked for.
/// `run` is the runc form (`run ID --bundle B ...`) here: the caller tells it with `run_is_oci`.
pub fn parse<'a>(word: &str, rest: &[&'a str]) -> Result<core::result::Result<Args<'a>, String>> {
    let name = match word {
        "ls" => "list",
        "rm" => "delete",
        w => w,
    };
    let row = if name == "run" { Some(&RUN) } else { TABLE.iter().find(|t| t.0 == name) };
    let Some((name, cmd, defs, usage)) = row else {
        return Err(Error::cat(&["unknown command ", word, " (see 'runt --help')"]));
    };
    parse_with(name, defs, usage, rest, *cmd)
}

/// The runc form of run: create's options. Not in `TABLE`, which lists what `run` does not
/// decide by its arguments.
const RUN: Row = ("run", Cmd::Run, CREATE, "ID\tcreate and start a container from a bundle");

/// The rule that picks the grammar, as `runt --help` states it. Engines always give a global
/// option (`--root`), and podman knows runtimes by the names runc and crun. The two `run`s have
/// no option in common, so an option says whose `run` it is (main checks runt's own, which this
/// door does not know). `-d` alone decides nothing: `runt run -d sleep 1` must not start the
/// bundle in the current directory as a container named "sleep" (it is runt's own `run -d`).
pub const GRAMMAR: &str = "\
Every command but run is runc's. run is runt's own when its first option is one of runt run's
(--rootfs, --name, ...), runc's when it is one only runc's run has (after -d: --bundle, -b,
--console-socket, --pid-file, --config, ...); otherwise run is runc's when runt is called as runc
or crun or when a global option comes before it (runt --root DIR run ID: the bundle is the
current directory), and runt's own if not (runt run sh).
";

/// Whether `args` (argv after the global options) is for the runc door (`GRAMMAR`): `argv0` as
/// runt was called, `globals` whether global options came first.
#[inline(never)]
pub fn runc_grammar(argv0: &[u8], globals: bool, args: &[&str]) -> bool {
    let Some((word, rest)) = args.split_first() else { return false };
    // Options here are runt's --help and --version, whoever calls.
    if word.starts_with('-') {
        return false;
    }
    let named = argv0.rsplit(|&b| b == b'/').next().unwrap_or_default();
    matches!(named, b"runc" | b"crun") || globals || is_command(word) || (*word == "run" && run_is_oci(rest))
}

/// Whether `runt run ARGS` starts with an option only runc's `run` has (after any -d).
#[inline(never)]
fn run_is_oci(rest: &[&str]) -> bool {
    let mut words = rest.iter().skip_while(|w| matches!(**w, "-d" | "--detach" | "-detach"));
    let Some(first) = words.next() else { return false };
    // One string, split at spaces: smaller than a table of pointers.
    let oci = "--bundle -b --console-socket --pid-file --no-pivot --keep --no-new-keyring --preserve-fds \
               --pidfd-socket --config -f";
    oci.split_ascii_whitespace().any(|o| *first == o || first.strip_prefix(o).is_some_and(|r| r.starts_with('=')))
}

fn parse_with<'a>(
    name: &str,
    defs: &'static [Def],
    usage: &str,
    rest: &[&'a str],
    cmd: Cmd,
) -> Result<core::result::Result<Args<'a>, String>> {
    let mut out = Args { cmd, opts: Vec::new(), args: Vec::new() };
    // exec: everything after the id and the command word belongs to the command; ps: everything
    // after the id is ps's options, with or without a "--" first (runc 1.1 takes them without,
    // later runc versions after it).
    let own_words = match cmd {
        Cmd::Exec => 2,
        Cmd::Ps => 1,
        _ => usize::MAX,
    };
    let mut i = 0;
    // After "--", every word is an argument.
    let mut only_args = false;
    while let Some(&a) = rest.get(i) {
        i += 1;
        let owned = out.args.len() >= own_words;
        if a == "--" && !only_args && (!owned || (cmd == Cmd::Ps && out.args.len() == 1)) {
            only_args = true;
            continue;
        }
        if only_args || owned || !a.starts_with('-') || a == "-" {
            out.args.push(a);
            continue;
        }
        if a == "-h" || a == "--help" {
            return Ok(Err(help(name, defs, usage)));
        }
        if let Some(flags) = together(defs, a) {
            out.opts.extend(flags.iter().map(|d| (parts(d).0, "")));
            continue;
        }
        if let Some((k, value)) = option(defs, a, rest, &mut i, name)? {
            out.opts.push((defs.get(k).map_or("", |d| parts(d).0), value));
        }
    }
    Ok(Ok(out))
}

/// The option word `a` (argv up to `*i` consumed) against `defs`: its index and value, taking the
/// next word when the value is separate; None for a flag given as `=false`. `name` is the
/// command, "" for the global options, whose flags take any value (and ignore it).
#[inline(never)]
fn option<'a>(
    defs: &'static [Def],
    a: &'a str,
    rest: &[&'a str],
    i: &mut usize,
    name: &str,
) -> Result<Option<(usize, &'a str)>> {
    let sep = if name.is_empty() { "" } else { ": " };
    let space = if name.is_empty() { "" } else { " " };
    let Some((k, inline)) = lookup(defs, a) else {
        return Err(Error::cat(&[name, sep, "unknown option ", a, " (see 'runt ", name, space, "--help')"]));
    };
    let long = defs.get(k).map_or("", |d| parts(d).0);
    let takes_value = defs.get(k).is_some_and(|d| takes_value(d));
    let value = match (takes_value, inline) {
        (true, Some(v)) => v,
        (true, None) => {
            *i += 1;
            rest.get(*i - 1).ok_or_else(|| Error::cat(&[name, sep, "option --", long, " needs a value"]))?
        }
        (false, Some("false")) if !name.is_empty() => return Ok(None),
        (false, Some(v)) if !name.is_empty() && v != "true" => {
            return Err(Error::cat(&[name, ": option --", long, " takes no value"]))
        }
        (false, _) => "",
    };
    Ok(Some((k, value)))
}

/// One-letter flags written together (`exec -it`), when `a` is no long name: each one's def.
fn together(defs: &'static [Def], a: &str) -> Option<Vec<Def>> {
    let letters = a.strip_prefix('-').filter(|l| l.len() > 1 && !l.starts_with('-'))?;
    if defs.iter().any(|d| parts(d).0 == letters) {
        return None;
    }
    letters
        .bytes()
        .map(|c| defs.iter().copied().find(|d| d.as_bytes().first() == Some(&c) && !takes_value(d)))
        .collect()
}

/// `--long`, `--long=v`, `-long` (as runc's parser also takes), `-s`, `-sVALUE`: the index in
/// `defs` and the value written with it.
fn lookup<'a>(defs: &[Def], a: &'a str) -> Option<(usize, Option<&'a str>)> {
    let body = a.strip_prefix("--").or_else(|| a.strip_prefix('-'))?;
    let (key, inline) = match body.split_once('=') {
        Some((k, v)) => (k, Some(v)),
        None => (body, None),
    };
    if let Some(k) = defs.iter().position(|d| parts(d).0 == key) {
        return Some((k, inline));
    }
    if a.starts_with("--") {
        return None;
    }
    // Short options are ASCII: a first byte that is not matches none of them.
    let c = *body.as_bytes().first()?;
    let k = defs.iter().position(|d| c != b' ' && d.as_bytes().first() == Some(&c))?;
    let rest = body.get(1..).filter(|r| !r.is_empty());
    Some((k, rest))
}

fn help(name: &str, defs: &[Def], usage: &str) -> String {
    let (usage, summary) = usage.split_once('\t').unwrap_or_default();
    let mut s = cat(&["Usage: runt [GLOBAL OPTIONS] ", name, " [OPTIONS] ", usage, "\n\n", summary, "\n"]);
    if !defs.is_empty() {
        s.push_str("\nOptions:\n");
    }
    for &d in defs {
        let (long, text) = parts(d);
        let short = d.as_bytes().first().copied().filter(|c| *c != b' ').unwrap_or(0);
        help_line(&mut s, short, "--", long, if takes_value(d) { "VALUE" } else { "" }, 28, text);
    }
    s
}

/// The lines `runt --help` adds for these commands.
pub fn summary() -> String {
    let mut s = String::new();
    for t in TABLE {
        help_line(&mut s, 0, "", t.0, "", 8, t.3.split_once('\t').unwrap_or_default().1);
    }
    s.push_str("  run      (with --bundle) create, start and wait for a container\n");
    s.push_str("\nGlobal options (before the command):\n");
    for &d in GLOBAL {
        let (long, text) = parts(d);
        help_line(&mut s, 0, "--", long, "", 18, text);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p<'a>(word: &str, rest: &[&'a str]) -> Args<'a> {
        parse(word, rest).unwrap().unwrap()
    }

    #[test]
    fn engines_command_lines() {
        let a = p("create", &["--bundle", "/b", "--pid-file=/p", "--console-socket", "/s", "c1"]);
        assert_eq!((a.cmd, a.id().unwrap()), (Cmd::Create, "c1"));
        assert_eq!((a.get("bundle"), a.get("pid-file"), a.get("console-socket")), (Some("/b"), Some("/p"), Some("/s")));
        let k = p("kill", &["--all", "c1", "KILL"]);
        assert!(k.has("all"));
        assert_eq!(k.args, ["c1", "KILL"]);
        assert!(p("delete", &["--force", "c1"]).has("force"));
        assert!(p("delete", &["-f", "c1"]).has("force"));
        assert_eq!(p("list", &["--format", "json"]).get("format"), Some("json"));
        assert_eq!(p("ls", &["-q"]).cmd, Cmd::List);
        let x = p("exec", &["--tty", "-e", "A=1", "c1", "sh", "-c", "echo --x"]);
        assert_eq!(x.args, ["c1", "sh", "-c", "echo --x"]);
        assert_eq!(x.get("env"), Some("A=1"));
        assert!(x.has("tty"));
        assert!(p("create", &["-bundle", "/b", "c"]).has("bundle"));
        // exec: a "--" inside the command is the command's.
        assert_eq!(p("exec", &["c1", "--", "sh", "-c", "--", "x"]).args, ["c1", "sh", "-c", "--", "x"]);
        // ps: ps's options after the id, with or without "--".
        assert_eq!(p("ps", &["c1", "-o", "pid"]).args, ["c1", "-o", "pid"]);
        assert_eq!(p("ps", &["c1", "--", "-o", "pid"]).args, ["c1", "-o", "pid"]);
        assert_eq!(p("ps", &["--format", "json", "c1"]).get("format"), Some("json"));
    }

    #[test]
    fn globals() {
        let argv = ["--root", "/r", "--log=/l", "--log-format", "json", "--systemd-cgroup", "state", "c1"];
        let (g, rest) = parse_global(&argv).unwrap();
        assert_eq!(g.root, Some("/r"));
        assert_eq!(g.log, Some("/l"));
        assert!(g.log_json && g.systemd_cgroup);
        assert_eq!(rest, ["state", "c1"]);
        assert!(parse_global(&["--bogus", "state"]).is_err());
    }

    #[test]
    fn run_forms() {
        assert!(run_is_oci(&["--bundle", "/b", "c1"]));
        assert!(run_is_oci(&["-d", "-b", "/b", "c1"]));
        assert!(run_is_oci(&["--detach", "--pid-file=/p", "c1"]));
        assert!(run_is_oci(&["--bundle=/b", "c1"]));
        assert!(run_is_oci(&["--config", "/c.json", "c1"]));
        assert!(!run_is_oci(&["--rootfs", "/r", "sh"]));
        assert!(!run_is_oci(&["sh", "--bundle"]));
        assert!(!run_is_oci(&[]));
        // -d alone decides nothing: this is runt's own run (detached).
        assert!(!run_is_oci(&["-d", "sleep", "1"]));
        assert!(!run_is_oci(&["-d"]));
        let a = p("run", &["-d", "--bundle", "/b", "c1"]);
        assert_eq!(a.cmd, Cmd::Run);
        assert_eq!((a.get("bundle"), a.has("detach"), a.args.as_slice()), (Some("/b"), true, &["c1"][..]));
        assert!(matches!(parse("run", &["--help"]), Ok(Err(h)) if h.contains("create and start a container")));
        assert!(!is_command("run"));
    }

    #[test]
    fn grammar() {
        let runc = |argv0: &str, globals: bool, args: &[&str]| runc_grammar(argv0.as_bytes(), globals, args);
        // runt's own run, unless something says otherwise.
        assert!(!runc("runt", false, &["run", "sh"]));
        assert!(!runc("/usr/bin/runt", false, &["run", "-d", "sleep", "1"]));
        assert!(!runc("runt", false, &["run", "--rootfs", "/r", "sh"]));
        // A global option first: runc's run, the bundle in the current directory.
        assert!(runc("runt", true, &["run", "c1"]));
        // Called as runc or crun.
        assert!(runc("/usr/local/bin/runc", false, &["run", "c1"]));
        assert!(runc("crun", false, &["run", "-d", "c1"]));
        assert!(!runc("xrunc", false, &["run", "c1"]));
        // runc's other commands and runc-only options of run.
        assert!(runc("runt", false, &["state", "c1"]));
        assert!(runc("runt", false, &["run", "-d", "--bundle", "/b", "c1"]));
        // --help and --version stay runt's.
        assert!(!runc("runc", true, &["--help"]));
        assert!(!runc("runc", true, &[]));
    }

    #[test]
    fn help_and_errors() {
        assert!(matches!(parse("state", &["--help"]), Ok(Err(h)) if h.contains("Usage: runt [GLOBAL OPTIONS] state")));
        assert!(parse("create", &["--bogus", "c"]).is_err());
        assert!(parse("nope", &[]).is_err());
        assert!(p("state", &[]).id().is_err());
        assert!(!p("delete", &["--force=false", "c"]).has("force"));
        assert!(p("delete", &["--force=true", "c"]).has("force"));
        let msg = |r: Result<_>| r.err().map(|e: Error| e.into_what());
        assert_eq!(msg(parse("delete", &["--force=x", "c"])).as_deref(), Some("delete: option --force takes no value"));
        assert_eq!(msg(parse("kill", &["-x"])).as_deref(), Some("kill: unknown option -x (see 'runt kill --help')"));
        assert_eq!(msg(parse("create", &["--bundle"])).as_deref(), Some("create: option --bundle needs a value"));
        assert_eq!(
            parse_global(&["-x"]).err().map(Error::into_what).as_deref(),
            Some("unknown option -x (see 'runt --help')")
        );
        assert_eq!(
            parse_global(&["--root"]).err().map(Error::into_what).as_deref(),
            Some("option --root needs a value")
        );
        assert!(parse_global(&["--debug=false"]).unwrap().0.debug);
        assert!(parse("delete", &["-\u{e9}", "c"]).is_err());
        assert_eq!(p("list", &["-fjson"]).get("format"), Some("json"));
    }
}
