//! The runc commands: thin front ends over launch (create, run), state (the per-container
//! directory) and cgroup (kill --all, pause); `exec` (exec.rs), `update` and `events`
//! (resources.rs), `stop` and `logs` (manage.rs) have files of their own.

use super::cli::{Args, Cmd, Global};
use super::config;
use crate::cgroup::Cgroup;
use crate::cstr::{cstr, open_path};
use crate::error::{cat, dec, dec_i, fail, sys_err};
use crate::error::{Error, OrSys, Result};
use crate::json::{self, parse_json};
use crate::spec::Spec;
use crate::state::{self, Dir, State, Status};
use crate::sys::{fs, process, Errno};
use crate::{hooks, launch, notify};
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

/// The OCI runtime spec version runt implements: a macro, so that `concat!` can build the texts
/// that hold it at compile time.
macro_rules! oci_version {
    () => {
        "1.2.0"
    };
}
pub(crate) use oci_version;

/// How `exec` gets the Spec of a container of `runt run`'s (which has no config.json): the other
/// door's, chosen by main.
pub type RunSpec = fn(&State) -> Result<Spec>;

#[inline(never)]
/// One runc command; `env` is runt's environment (NOTIFY_SOCKET, LISTEN_FDS: notify.rs,
/// `load`).
pub fn run(g: &Global, a: &Args, env: &[&[u8]], warn: &mut dyn FnMut(&str), run_spec: RunSpec) -> Result<i32> {
    let root: &str = match g.root {
        Some(r) => r,
        None => state::default_root(),
    };
    // Every command but these names a container first.
    let id = match a.cmd {
        Cmd::List | Cmd::Features | Cmd::Spec => "",
        _ => a.id()?,
    };
    match a.cmd {
        Cmd::Exec => {
            crate::sealed::ensure()?;
            return super::exec::exec(root, id, a, warn, run_spec);
        }
        Cmd::Create | Cmd::Run => {
            crate::sealed::ensure()?;
            // One load and one state directory for both: the spec is large to move.
            let mut spec = load(a, id, env)?;
            warn_caps(&spec, warn);
            // The cgroup path is recorded before anything is made: `delete --force` finds it
            // whatever moment runt is killed at from here on.
            let dir = Dir::create(root, id, &launch::cgroup_path(&spec))?;
            let notify = match notify::prepare(&mut spec, &dir, env) {
                Ok(n) => n,
                Err(e) => {
                    let _ = dir.remove();
                    return Err(e);
                }
            };
            if a.cmd == Cmd::Run && !a.has("detach") {
                return run_bundle(&mut spec, dir, id, a, notify, warn);
            }
            // `run --detach` is create then start.
            create(root, &mut spec, dir, a, notify, warn).and_then(|_| {
                if a.cmd == Cmd::Run {
                    start(root, id, warn)
                } else {
                    Ok(())
                }
            })
        }
        Cmd::Start => start(root, id, warn),
        // Indented as runc prints it (tools read it line by line).
        Cmd::State => open(root, id).map(|o| print(json::indent(&o.1.oci_json(o.1.status(&o.0), "")))),
        Cmd::Kill => kill(root, id, a),
        Cmd::Delete => delete(root, id, a.has("force"), warn),
        Cmd::List => list(root, a),
        Cmd::Ps => ps(root, id, a),
        Cmd::Pause => freeze(root, id, true),
        Cmd::Resume => freeze(root, id, false),
        Cmd::Features => {
            print(features());
            Ok(())
        }
        Cmd::Spec => spec(a),
        Cmd::Update => super::resources::update(root, id, a),
        Cmd::Events => super::resources::events(root, id),
        Cmd::Stop => super::manage::stop(root, id, a),
        Cmd::Logs => super::manage::logs(root, id, a.has("follow")),
    }?;
    Ok(0)
}

pub(super) fn print(mut text: String) {
    text.push('\n');
    emit(text);
}

/// Writes `out` to stdout in one write; a closed stdout is not worth an error.
#[inline(never)]
fn emit(out: String) {
    let _ = fs::write_all(1, out.as_bytes());
}

/// Boxed: the pair is large, and each caller copied it out of the result.
pub(super) fn open(root: &str, id: &str) -> Result<Box<(Dir, State)>> {
    let dir = Dir::open(root, id)?;
    let st = dir.load()?;
    Ok(Box::new((dir, st)))
}

/// "cannot <verb> container ID: it is <state>".
#[inline(never)]
pub(super) fn cannot(verb: &str, id: &str, state: &str) -> Error {
    fail(&["cannot ", verb, " container ", id, ": it is ", state])
}

/// "<prefix>invalid --<flag> '<value>'".
#[inline(never)]
pub(super) fn invalid(prefix: &str, flag: &str, value: &str) -> Error {
    fail(&[prefix, "invalid --", flag, " '", value, "'"])
}

/// The cgroup of container `id`.
#[inline(never)]
pub(super) fn cgroup_of(root: &str, id: &str) -> Result<Cgroup> {
    Cgroup::open(&open(root, id)?.1.cgroups)
}

/// An absolute bundle path (relative ones are taken from runt's cwd).
fn absolute(path: &str) -> Result<String> {
    let abs = path.starts_with('/');
    let (mut base, rel) =
        if abs { (String::from("/"), path) } else { (fs::getcwd().or_what("getcwd")?, path.trim_start_matches("./")) };
    let rel = rel.trim_end_matches(crate::text::SLASH);
    if !rel.is_empty() && rel != "." {
        // An absolute path is its own base: nothing is joined in front of it.
        base = cat(&[base.trim_end_matches(crate::text::SLASH), if abs { "" } else { "/" }, rel]);
    }
    Ok(base)
}

/// --preserve-fds N: how many descriptors from 3 up go to the container as they are. Checked
/// before runt opens anything: each must be open already, so none of runt's own descriptors can
/// have one of those numbers and leak into the container.
#[inline(never)]
pub(super) fn preserved_fds(a: &Args, first: u32) -> Result<u32> {
    let Some(v) = a.get("preserve-fds") else { return Ok(0) };
    // No process has a million descriptors open; the bound keeps first + N from overflowing.
    let n = crate::text::unsigned::<u32>(v).filter(|&n| n <= 1 << 20).ok_or_else(|| invalid("", "preserve-fds", v))?;
    for fd in first..first + n {
        fs::check_open(fd).map_err(|e| sys_err(e, &["--preserve-fds ", v, ": descriptor ", &dec_i(fd.into())]))?;
    }
    Ok(n)
}

/// crun's `--config FILE` (relative to runt's cwd, as crun takes it), else BUNDLE/config.json.
fn config_file(a: &Args, bundle: &str) -> Result<String> {
    match a.get("config") {
        Some(c) => absolute(c),
        None => Ok(config::default_path(bundle)),
    }
}

/// The config a container was made from (`--config` is recorded in its state directory).
pub(super) fn config_of(dir: &Dir, st: &State) -> String {
    dir.config_path().unwrap_or_else(|| config::default_path(&st.bundle))
}

/// Boxed: the spec is large, and moving it through `?` and the callers copied it several times.
/// Socket activation as runc has it: descriptors handed to runt for it (LISTEN_FDS, LISTEN_PID
/// runt's) go to the container first, from 3, with LISTEN_FDS=N and LISTEN_PID=1 in its
/// environment; --preserve-fds ones follow them.
fn load(a: &Args, id: &str, env: &[&[u8]]) -> Result<Box<Spec>> {
    let listen = crate::fds::socket_activation(env)?;
    let kept = preserved_fds(a, 3 + listen)?;
    let bundle = absolute(a.get("bundle").unwrap_or("."))?;
    let mut spec = config::load(&config_file(a, &bundle)?, &bundle, id).map(Box::new)?;
    spec.oci.bundle = bundle;
    spec.oci.preserve_fds = listen + kept;
    if listen > 0 {
        spec.env.push(cat(&["LISTEN_FDS=", &dec(listen.into())]));
        spec.env.push(String::from("LISTEN_PID=1"));
    }
    spec.oci.keep_keyring = a.has("no-new-keyring");
    // Without privileges runt writes the maps itself, which the kernel allows only once
    // setgroups is denied.
    if process::getuid() != 0 {
        if let Some(ns) = &mut spec.userns {
            ns.deny_setgroups = true;
        }
    }
    Ok(spec)
}

/// Capabilities the process cannot have are left out, as the spec asks (an engine may list
/// what a newer kernel has) and runc does, and said in runc's words: those runt does not know
/// and those it cannot grant here (caps::unavailable), as `[CAP_A CAP_B]`.
#[inline(never)]
pub(super) fn warn_caps(spec: &Spec, warn: &mut dyn FnMut(&str)) {
    use crate::security::caps;
    let in_userns = spec.userns.is_some() || spec.join.iter().any(|j| j.0 == process::CLONE_NEWUSER);
    let missing = caps::unavailable(&spec.caps, in_userns);
    let mut names = String::new();
    let mut add = |prefix: &str, name: &str| {
        names.push_str(if names.is_empty() { "[" } else { " " });
        names.push_str(prefix);
        names.push_str(name);
    };
    for name in &spec.oci.unknown_caps {
        add("", name);
    }
    for (i, name) in caps::NAMES.iter().enumerate() {
        if missing & (1 << i) != 0 {
            add("CAP_", name);
        }
    }
    if !names.is_empty() {
        warn(&cat(&["ignoring unknown or unavailable capabilities: ", &names, "]"]));
    }
}

/// Creates `path` (mode 0644) holding `text`; `flags` add O_TRUNC or O_EXCL.
#[inline(never)]
fn write_new(path: &str, flags: u32, text: &str) -> Result<()> {
    let fd = open_path(path, fs::O_WRONLY | fs::O_CREAT | flags, 0o644, "create ")?;
    fs::write_all(fd.raw(), text.as_bytes()).map_err(|e| sys_err(e, &["write ", path]))
}

pub(super) fn write_pid_file(path: &str, pid: i32) -> Result<()> {
    let tmp = cat(&[path, ".runt-tmp"]);
    write_new(&tmp, fs::O_TRUNC, &dec_i(pid.into()))?;
    fs::renameat(fs::CWD, &cstr(&tmp)?, &cstr(path)?).map_err(|e| sys_err(e, &["rename ", &tmp, " to ", path]))
}

fn create(
    root: &str,
    spec: &mut Spec,
    dir: Dir,
    a: &Args,
    notify: Option<notify::Proxy>,
    warn: &mut dyn FnMut(&str),
) -> Result<()> {
    let st = match launch::create(spec, &dir, a.get("console-socket"), warn) {
        Ok(st) => st,
        // What launch made went with its error (the cgroup it made with its value); the cgroup
        // at the recorded path may be another container's ("name in use"): left alone.
        Err(e) => {
            let _ = dir.remove();
            return Err(e);
        }
    };
    let created = (|| {
        if let Some(proxy) = notify {
            proxy.start(st.pid)?;
        }
        if a.has("config") {
            dir.save_config_path(&config_file(a, &spec.oci.bundle)?)?;
        }
        if let Some(p) = a.get("pid-file") {
            write_pid_file(p, st.pid)?;
        }
        if let Some(sock) = a.get("pidfd-socket") {
            send_pidfd(sock, st.pid)?;
        }
        Ok(())
    })();
    if created.is_err() {
        // The container exists: its init goes (without a cgroup, rootless, it is found only
        // through the state), then what was made for it.
        kill_init(&st);
        let _ = clear(root, &spec.name, dir);
    }
    created
}

/// containerd's --pidfd-socket: a pidfd of the container's init, sent over a unix socket.
#[inline(never)]
fn send_pidfd(sock: &str, pid: i32) -> Result<()> {
    let pidfd = process::pidfd_open(pid).map_err(|e| sys_err(e, &["pidfd_open ", &dec_i(pid.into())]))?;
    let s = crate::sys::net::unix_connect(sock.as_bytes()).map_err(|e| sys_err(e, &["connect to ", sock]))?;
    crate::sys::net::send_fd(s.raw(), b"pidfd", pidfd.raw()).map_err(|e| sys_err(e, &["send a pidfd over ", sock]))
}

fn start(root: &str, id: &str, warn: &mut dyn FnMut(&str)) -> Result<()> {
    let o = open(root, id)?;
    let (dir, st) = (&o.0, &o.1);
    match st.status(dir) {
        Status::Created => {}
        s => return Err(cannot("start", id, s.name())),
    }
    // The container blocks opening the fifo for writing; opening it for reading lets it go.
    let fifo = dir.fifo_path();
    // Its name goes first, held by an O_PATH descriptor (which releases nothing): a failure
    // leaves the container created, and one that has started never reads as created (nor
    // would a second start wait for ever on a fifo nobody writes).
    let held = open_path(&fifo, fs::O_PATH, 0, "open ")?;
    dir.remove_fifo()?;
    let fd = fs::openat(fs::CWD, &crate::cstr::NumPath::fd(&held), fs::O_RDONLY, 0)
        .map_err(|e| sys_err(e, &["open ", &fifo]))?;
    // One byte when released, then the end of the fifo when the command starts (execve closes
    // the container's end), or one more byte if it could not (its error is on its stderr).
    let mut b = [0u8; 2];
    let n = fs::read_full(fd.raw(), &mut b).map_err(|e| sys_err(e, &["read ", &fifo]))?;
    if n != 1 {
        let why = if n == 0 { " exited before it could start" } else { " failed to start its command" };
        return Err(fail(&["container ", id, why]));
    }
    // poststart hooks: after the command started; each failure is a warning (the spec's rule).
    bundle_hooks(dir, st, id, Status::Running, warn);
    Ok(())
}

/// `runt run --bundle B ID` without --detach: create and start in one go; runt stays, forwards
/// signals, waits, and deletes the container when it ends.
fn run_bundle(
    spec: &mut Spec,
    dir: Dir,
    id: &str,
    a: &Args,
    mut notify: Option<notify::Proxy>,
    warn: &mut dyn FnMut(&str),
) -> Result<i32> {
    let pid_file = a.get("pid-file");
    let config = if a.has("config") { Some(config_file(a, &spec.oci.bundle)?) } else { None };
    // state.json but for what the running container tells (launch::run holds the spec meanwhile).
    let template = State {
        id: String::from(id),
        bundle: spec.oci.bundle.clone(),
        rootfs: spec.root.path.clone().unwrap_or_default(),
        oci_version: spec.oci.version.clone(),
        annotations: spec.oci.annotations.clone(),
        no_new_keyring: spec.oci.keep_keyring,
        ..State::default()
    };
    // Run here, not by launch.
    let poststart = core::mem::take(&mut spec.oci.hooks.poststart);
    // Shared by launch::run and the poststart hooks it calls back into (never at the same time).
    let warn = core::cell::RefCell::new(warn);
    let mut record = |pid: i32, cgroups: &[String]| -> Result<()> {
        let st = State {
            pid,
            pid_start: state::pid_start(pid)?.0,
            created: state::timestamp(),
            // As create records them: exec joins them, kill --all and ps read them.
            cgroups: cgroups.to_vec(),
            ..template.clone()
        };
        dir.save(&st)?;
        if let Some(proxy) = notify.take() {
            proxy.start(pid)?;
        }
        if let Some(c) = &config {
            dir.save_config_path(c)?;
        }
        if let Some(p) = pid_file {
            write_pid_file(p, pid)?;
        }
        // The command has started: poststart, each failure a warning (the spec's rule).
        hooks::run_each(&poststart, &st.oci_json(Status::Running, ""), "poststart", *warn.borrow_mut());
        Ok(())
    };
    let outcome = launch::run(spec, a.get("console-socket"), &mut |m| (warn.borrow_mut())(m), &mut record);
    let warn = warn.into_inner();
    hooks::run_each(&spec.oci.hooks.poststop, &hooks::state_json(spec, 0, "stopped"), "poststop", warn);
    // A cgroup that could not be removed stays in the state, for `delete --force`.
    let removed = match &outcome {
        Ok(o) if o.cgroup_left => Ok(()),
        _ => dir.remove(),
    };
    let outcome = outcome?;
    removed?;
    for w in &outcome.warnings {
        warn(w);
    }
    Ok(outcome.status)
}

/// The poststart (`Running`) or poststop hooks of a container runt no longer has the spec of:
/// read again from its bundle (a bundle gone since is no reason to fail).
#[inline(never)]
fn bundle_hooks(dir: &Dir, st: &State, id: &str, status: Status, warn: &mut dyn FnMut(&str)) {
    if let Ok(spec) = config::load(&config_of(dir, st), &st.bundle, id) {
        let h = &spec.oci.hooks;
        let (list, name) =
            if status == Status::Running { (&h.poststart, "poststart") } else { (&h.poststop, "poststop") };
        hooks::run_each(list, &st.oci_json(status, ""), name, warn);
    }
}

/// A signal by number, name or SIG-name: "9", "KILL", "SIGKILL"; 0 checks that the container runs.
#[inline(never)]
fn signal_number(s: &str) -> Option<u32> {
    const NAMES: &[&str] = &[
        "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM",
        "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF",
        "WINCH", "IO", "PWR", "SYS",
    ];
    if let Some(n) = crate::text::unsigned::<u32>(s) {
        return (n <= 64).then_some(n);
    }
    let upper = s.to_ascii_uppercase();
    let bare = upper.strip_prefix("SIG").unwrap_or(&upper);
    NAMES.iter().position(|n| *n == bare).map(|i| i as u32 + 1)
}

#[inline(never)]
fn kill(root: &str, id: &str, a: &Args) -> Result<()> {
    let sig_text = a.args.get(1).copied().unwrap_or("TERM");
    let sig = signal_number(sig_text).ok_or_else(|| fail(&["kill: unknown signal '", sig_text, "'"]))?;
    let o = open(root, id)?;
    let (dir, st) = (&o.0, &o.1);
    if st.status(dir) == Status::Stopped {
        // runc's answers: a container that has ended is no error for --all (engines send a last
        // SIGKILL to whatever is left), and "not running" for one signal, which containerd's
        // shim reads as "process already finished" (any other words: "unknown error after kill").
        return if a.has("all") { Ok(()) } else { Err(state::not_running(id)) };
    }
    if a.has("all") {
        let cg = live_cgroup(dir, st, id)?;
        if st.cgroups.is_empty() {
            // No cgroup to list them (rootless, none delegated): the init, whose pid namespace
            // ends with it.
            return state::signal(st, sig);
        }
        for pid in cg.pids()? {
            let _ = process::kill(pid, sig);
        }
        return Ok(());
    }
    state::signal(st, sig)
}

/// The cgroup of a container that has not stopped, for the commands that act on all of its
/// processes (exec, kill --all, ps). A container that root made on a host with cgroups has one:
/// none in its state (as an older runt's foreground `run --bundle` recorded) is refused rather
/// than taken for a container with no processes, which would fail open: an exec'd process
/// outside every limit and device rule, a kill --all or ps that reach nothing.
fn live_cgroup(dir: &Dir, st: &State, id: &str) -> Result<Cgroup> {
    has_its_cgroup(dir, st, id)?;
    Cgroup::open(&st.cgroups)
}

/// `live_cgroup`'s check alone.
#[inline(never)]
pub(super) fn has_its_cgroup(dir: &Dir, st: &State, id: &str) -> Result<()> {
    if st.cgroups.is_empty() {
        let by_root = fs::mode_owner(dir.fd.raw()).is_ok_and(|(_, uid, _)| uid == 0);
        if by_root && !matches!(crate::cgroup::detect()?, crate::cgroup::Layout::None) {
            return Err(fail(&[
                "container ",
                id,
                " has no cgroup in its state: refused (delete it and create it again)",
            ]));
        }
    }
    Ok(())
}

/// Waits (up to about 5 s) until the container's init is gone.
#[inline(never)]
fn wait_gone(st: &State) -> bool {
    for _ in 0..500 {
        if !st.alive() {
            return true;
        }
        process::sleep_ms(10);
    }
    !st.alive()
}

#[inline(never)]
fn delete(root: &str, id: &str, force: bool, warn: &mut dyn FnMut(&str)) -> Result<()> {
    let dir = match Dir::open(root, id) {
        Ok(dir) => dir,
        // As runc: no such container is no error for --force (nor is an id none can have).
        Err(e) if force && e.errno.is_none() => return Ok(()),
        Err(e) => return Err(e),
    };
    let st = &match dir.load() {
        Ok(st) => st,
        Err(e) if !force => return Err(e),
        // No readable state (a runt killed before it was written, a failed write, a corrupt
        // file): what is on disk says what to remove.
        Err(_) => return clear(root, id, dir),
    };
    let mut cg = Cgroup::open(&st.cgroups)?;
    if in_use_by_another(root, id, &st.cgroups) {
        cg.share();
    }
    match st.status(&dir) {
        Status::Stopped => {}
        // A created container never ran its command: deleting it is how engines abort.
        Status::Created => kill_init(st),
        s if !force => return Err(fail(&["cannot delete container ", id, " that is not stopped: ", s.name()])),
        s => {
            if s == Status::Paused {
                let _ = cg.freeze(false);
            }
            kill_init(st);
        }
    }
    if !wait_gone(st) {
        return Err(fail(&["container ", id, " (pid ", &dec_i(st.pid.into()), ") did not stop"]));
    }
    cg.remove_all()?;
    bundle_hooks(&dir, st, id, Status::Stopped, warn);
    dir.remove()
}

/// Removes a container from what is on disk, whatever its state file says or lacks: its cgroup
/// from the path recorded before it was made (what is in it killed: its processes), then its
/// directory. An error when either cannot be done.
#[inline(never)]
fn clear(root: &str, id: &str, dir: Dir) -> Result<()> {
    if let Some(rel) = dir.cgroup()? {
        let mut cg = Cgroup::find(&rel)?;
        if in_use_by_another(root, id, &cg.paths()) {
            cg.share();
        }
        cg.remove_all()?;
    } else if dir.is_run_record() {
        // A `runt run` record with no state: its cgroup if its runt was killed, not a live
        // container's of the same name elsewhere (records.rs).
        crate::cgroup::remove_abandoned(id);
    }
    dir.remove()
}

/// SIGKILL to the container's init, through a pidfd: never to a process that took its pid over.
/// Gone already is what was wanted.
fn kill_init(st: &State) {
    if let Ok(init) = st.init() {
        let _ = init.signal(process::SIGKILL);
    }
}

/// Whether another live container under `root` is in one of these cgroup directories (runc 1.1
/// lets two containers share a cgroupsPath): its processes are not this one's to kill, and the
/// cgroup is the last one's to remove.
#[inline(never)]
fn in_use_by_another(root: &str, id: &str, cgroups: &[String]) -> bool {
    let others = state::list(root).unwrap_or_default();
    others.iter().filter(|o| *o != id).filter_map(|o| open(root, o).ok()).any(|o| {
        let st = &o.1;
        st.alive() && st.cgroups.iter().any(|c| cgroups.contains(c))
    })
}

/// The user owning a container's state directory, as runc's `list` names it: the name from the
/// host's /etc/passwd, or `#UID`.
#[inline(never)]
fn owner(dir: &Dir) -> String {
    let Ok((_, uid, _)) = fs::mode_owner(dir.fd.raw()) else { return String::new() };
    let uid = dec_i(uid.into());
    let passwd = state::read_small("/etc/passwd").unwrap_or_default();
    let name = passwd.split('\n').find_map(|l| {
        let mut f = l.split(':');
        let name = f.next()?;
        (f.nth(1)? == uid).then_some(name)
    });
    match name {
        Some(n) => String::from(n),
        None => cat(&["#", &uid]),
    }
}

/// One line of the `list` table.
fn row(out: &mut String, cols: [&str; 6]) {
    for (c, w) in cols.iter().zip([20, 8, 10, 40, 31, 0]) {
        crate::text::pad(out, c, w);
        out.push(if w == 0 { '\n' } else { ' ' });
    }
}

#[inline(never)]
fn list(root: &str, a: &Args) -> Result<()> {
    let quiet = a.has("quiet");
    let json_out = !quiet && a.get("format") == Some("json");
    let mut out = String::new();
    if json_out {
        out.push('[');
    } else if !quiet {
        row(&mut out, ["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]);
    }
    // The records of `runt run` containers whose runt was killed: cleaned, not listed.
    state::reclaim_killed(root)?;
    for id in state::list(root)? {
        // One whose state cannot be read is shown all the same, for `delete --force`.
        let (o, blank);
        let (st, status, owner) = match open(root, &id) {
            Ok(opened) => {
                o = opened;
                (&o.1, o.1.status(&o.0), owner(&o.0))
            }
            Err(_) => {
                blank = State { id: id.clone(), ..State::default() };
                (&blank, Status::Unknown, String::new())
            }
        };
        if quiet {
            out.push_str(&id);
            out.push('\n');
        } else if json_out {
            if out.len() > 1 {
                out.push(',');
            }
            out.push_str(&st.oci_json(status, &owner));
        } else {
            let pid = if status == Status::Stopped { 0 } else { st.pid };
            // runt run's own containers have no bundle: their command, and how they ended.
            let bundle =
                crate::text::shown(&if st.command.is_empty() { st.bundle.clone() } else { st.command.join(" ") });
            let ended = st.exit.filter(|_| status == Status::Stopped).map(|n| cat(&["exited(", &dec_i(n.into()), ")"]));
            let status = ended.as_deref().unwrap_or(status.name());
            row(&mut out, [&id, &dec_i(pid.into()), status, &bundle, &st.created, &owner]);
        }
    }
    if json_out {
        out.push_str("]\n");
    }
    emit(out);
    Ok(())
}

/// `ps ID`: the pids as JSON, or (as runc does) the host's `ps` table of them; the words after
/// the id are ps's options.
#[inline(never)]
fn ps(root: &str, id: &str, a: &Args) -> Result<()> {
    let o = open(root, id)?;
    let (dir, st) = (&o.0, &o.1);
    let pids = match st.status(dir) {
        Status::Stopped => Vec::new(),
        _ => live_cgroup(dir, st, id)?.pids()?,
    };
    if a.get("format") != Some("json") {
        emit(super::ps::table(&pids, a.args.get(1..).unwrap_or_default())?);
        return Ok(());
    }
    let mut out = String::from("[");
    for p in pids {
        if out.len() > 1 {
            out.push(',');
        }
        out.push_str(&dec_i(p.into()));
    }
    out.push_str("]\n");
    emit(out);
    Ok(())
}

/// pause (`frozen`) or resume, as runc: a running or created container can be paused; pausing a
/// paused one is "container not running" and resuming one that is not paused "container not
/// paused", exit 1 (runc's words and status).
#[inline(never)]
fn freeze(root: &str, id: &str, frozen: bool) -> Result<()> {
    let o = open(root, id)?;
    let (dir, st) = (&o.0, &o.1);
    let status = st.status(dir);
    // As runc 1.1: a created container may be paused too; the refusals say "not running" (the
    // words engines match) and "not paused", exit 1.
    match (frozen, status) {
        (true, Status::Running | Status::Created) | (false, Status::Paused) => {
            Cgroup::open(&st.cgroups)?.freeze(frozen)
        }
        (true, _) | (false, Status::Stopped) => Err(state::not_running(id)),
        (false, _) => Err(Error::msg("container not paused").with_status(1)),
    }
}

fn read_all(fd: i32) -> Result<Vec<u8>> {
    let mut buf = alloc::vec![0u8; 1 << 20];
    let n = fs::read_full(fd, &mut buf).or_what("read stdin")?;
    buf.truncate(n);
    Ok(buf)
}

/// The JSON in file `src` (or stdin for "-" when `stdin`); errors name it.
#[inline(never)]
pub(super) fn read_json(src: &str, stdin: bool) -> Result<json::Value> {
    let text = if stdin && src == "-" { read_all(0)? } else { read_path(src)? };
    parse_json(&text, src)
}

fn read_path(path: &str) -> Result<Vec<u8>> {
    let fd = open_path(path, fs::O_RDONLY, 0, "open ")?;
    read_all(fd.raw()).map_err(|e| e.context(path))
}

/// `runt features`: what this build really supports (engines read it to pick options).
#[inline(never)]
fn features() -> String {
    let mut s = cat(&[
        concat!(
            r#"{"ociVersionMin":"1.0.0","ociVersionMax":""#,
            oci_version!(),
            r#"","hooks":["prestart","createRuntime","createContainer","startContainer","poststart","poststop"],"mountOptions":"#
        ),
        &json::strings(config::MOUNT_OPTIONS.iter().copied()),
        r#","linux":{"namespaces":["cgroup","ipc","mount","network","pid","user","uts","time"],"memoryPolicy":{"modes":"#,
        &json::strings(config::MPOL_MODES.split(' ')),
        r#","flags":"#,
        &json::strings(config::MPOL_FLAGS.split(' ')),
        r#"},"capabilities":["#,
    ]);
    // Capability names are plain upper-case words: nothing to escape.
    for (i, n) in crate::security::caps::NAMES.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str("\"CAP_");
        s.push_str(n);
        s.push('"');
    }
    // One literal (concat!, not pieces joined at run time).
    s.push_str(concat!(
        "]",
        r#","cgroup":{"v1":true,"v2":true,"systemd":false,"systemdUser":false,"rdma":false},"#,
        r#""seccomp":{"enabled":true,"actions":["SCMP_ACT_ALLOW","SCMP_ACT_ERRNO","SCMP_ACT_KILL","SCMP_ACT_KILL_PROCESS","SCMP_ACT_KILL_THREAD","SCMP_ACT_LOG","SCMP_ACT_NOTIFY","SCMP_ACT_TRAP"],"#,
        r#""operators":["SCMP_CMP_EQ","SCMP_CMP_GE","SCMP_CMP_GT","SCMP_CMP_LE","SCMP_CMP_LT","SCMP_CMP_MASKED_EQ","SCMP_CMP_NE"],"#,
        r#""archs":["SCMP_ARCH_X86_64"],"knownFlags":["SECCOMP_FILTER_FLAG_LOG","SECCOMP_FILTER_FLAG_SPEC_ALLOW"],"#,
        r#""supportedFlags":["SECCOMP_FILTER_FLAG_LOG","SECCOMP_FILTER_FLAG_SPEC_ALLOW"]},"#,
        r#""apparmor":{"enabled":false},"selinux":{"enabled":false},"intelRdt":{"enabled":false},"#,
        r#""mountExtensions":{"idmap":{"enabled":false}}},"annotations":{"io.github.runt.version":""#,
        env!("CARGO_PKG_VERSION"),
        // What the schema has no place for: the runtime-spec 1.1 and 1.2 fields runt applies.
        r#"","io.github.runt.applies":"linux.personality linux.memoryPolicy linux.timeOffsets linux.sysctl "#,
        r#"process.scheduler process.ioPriority process.execCPUAffinity"}}"#
    ));
    s
}

/// `runt spec`: runc's default config.json (rootless: mapped to the caller, no cgroup limits).
#[inline(never)]
fn spec(a: &Args) -> Result<()> {
    let dir = a.get("bundle").unwrap_or(".");
    let path = cat(&[dir.trim_end_matches(crate::text::SLASH), "/config.json"]);
    let text = super::template::config(a.has("rootless"), a.has("seccomp"), process::getuid(), process::getgid());
    match write_new(&path, fs::O_EXCL, &text) {
        Err(e) if e.errno == Some(Errno::EEXIST) => Err(fail(&[&path, " already exists"])),
        r => r,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals() {
        assert_eq!(signal_number("9"), Some(9));
        assert_eq!(signal_number("KILL"), Some(9));
        assert_eq!(signal_number("sigterm"), Some(15));
        assert_eq!(signal_number("WINCH"), Some(28));
        assert_eq!(signal_number("0"), Some(0));
        assert_eq!(signal_number("65"), None);
        assert_eq!(signal_number("NOPE"), None);
    }

    #[test]
    fn bundle_paths_are_absolute() {
        for (path, want) in [("/", "/"), ("//", "/"), ("/a/b//", "/a/b"), ("//a", "//a"), ("/.", "/.")] {
            assert_eq!(absolute(path).unwrap(), want, "{path}");
        }
        let cwd = fs::getcwd().unwrap();
        let under = |rel: &str| cat(&[cwd.trim_end_matches('/'), "/", rel]);
        for (path, want) in [(".", cwd.clone()), ("./", cwd.clone()), ("", cwd.clone()), ("./.", cwd.clone())] {
            assert_eq!(absolute(path).unwrap(), want, "{path}");
        }
        for (path, want) in [("b", "b"), ("./b/", "b"), ("././b//", "b"), ("b/./c", "b/./c"), ("../b", "../b")] {
            assert_eq!(absolute(path).unwrap(), under(want), "{path}");
        }
    }

    #[test]
    fn features_is_json() {
        let v = json::parse(features().as_bytes()).unwrap();
        assert_eq!(v.get("ociVersionMax").and_then(json::Value::as_str), Some(oci_version!()));
        let linux = v.get("linux").unwrap();
        let names = |v: Option<&json::Value>| -> Vec<String> {
            v.and_then(json::Value::as_array).unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
        };
        assert!(names(linux.get("namespaces")).contains(&"time".to_string()));
        let mpol = linux.get("memoryPolicy");
        assert_eq!(names(mpol.and_then(|m| m.get("modes"))).len(), 7);
        assert_eq!(names(mpol.and_then(|m| m.get("flags")))[2], "MPOL_F_STATIC_NODES");
    }
}
