//! Child side: runs in the new namespaces as the container's pid 1-to-be, from clone until execve.
//!
//! Every failure is reported to the parent, which prints it;
//! the one exception is a created container after `start`, whose runt is gone: it says on its own
//! stderr why its command could not run.

use crate::cstr::{cstr, cstrs, ptrs, NumPath};
use crate::error::{cat, push_dec, Error, OrSys, Result, EXIT_NOT_EXECUTABLE, EXIT_NOT_FOUND};
use crate::plan::Step;
use crate::rootfs;
use crate::security::{caps, rlimits, seccomp};
use crate::spec::{Seccomp, Spec};
use crate::sync::ChildEnd;
use crate::sys::signal::{self, SigSet};
use crate::sys::{fs, process, trampoline, Errno, Fd};
use crate::{console, hooks, tuning};
use alloc::vec::Vec;

/// What the child does once it is set up.
pub enum Mode {
    /// `runt run`: exec at once; runt stays the parent, and the container dies with it. The
    /// descriptor the pty master goes over, with process.terminal (see console::channel).
    Foreground { console: Option<Fd> },
    /// `runt create`: report ready, wait until `runt start` opens the fifo, then exec. The
    /// descriptors were opened by the parent before clone: the fifo (O_PATH; opened for writing
    /// through /proc once inside), and the console socket when process.terminal is set.
    Create { fifo: Fd, console: Option<Fd> },
}

/// The parent's side of things the child needs: namespaces to join (the pid namespace apart:
/// it is entered last), its cgroup's directories, the socket its bind sources come over (in a
/// user namespace: see rootfs::send_bind_sources).
pub struct Given<'a> {
    pub joins: &'a [(Fd, u32)],
    pub pidns: Option<&'a Fd>,
    /// Enter `pidns` before building the root rather than after: a kernel whose procfs cannot be
    /// told which pid namespace to show (see launch::start).
    pub pid_first: bool,
    pub cgroups: &'a [alloc::string::String],
    pub sources: Option<&'a Fd>,
    /// runt's exec trampoline, sealed, to execute the command through (`exec_through`), when
    /// runt itself does not run from a sealed copy (sealed.rs).
    pub trampoline: Option<&'a Fd>,
}

pub fn run(spec: &Spec, steps: &[Step], sync: ChildEnd, saved_mask: SigSet, mode: Mode, given: Given) -> ! {
    let err = match new_session()
        .and_then(|()| keep_only_given(spec, &sync, &mode, &given))
        .and_then(|()| setup(spec, steps, &sync, saved_mask, &mode, &given))
    {
        Ok(proc) => match mode {
            Mode::Foreground { .. } => match start_container_hooks(spec) {
                Ok(()) if spec.init => crate::reaper::run(spec.oci.terminal, saved_mask, || exec(spec)),
                Ok(()) => match given.trampoline {
                    Some(program) => exec_through(spec, program, &sync),
                    None => exec(spec),
                },
                Err(e) => e,
            },
            Mode::Create { fifo, .. } => {
                let e = match created(spec, &sync, fifo, proc) {
                    Ok(e) | Err(e) => e,
                };
                if let Some(what) = e.what.strip_prefix(AFTER_START) {
                    // After ready, the parent is gone: say it where the container's output goes.
                    say_and_exit(what, &e)
                }
                e
            }
        },
        Err(e) => e,
    };
    sync.report(&err);
    process::exit(err.status)
}

/// Closes every descriptor the child inherited but those it was given on purpose: before it
/// looks up any path (see `fds`).
fn keep_only_given(spec: &Spec, sync: &ChildEnd, mode: &Mode, given: &Given) -> Result<()> {
    let mut keep: Vec<i32> = sync.fds().to_vec();
    keep.extend(given.joins.iter().map(|(fd, _)| fd.raw()));
    keep.extend(given.sources.map(Fd::raw));
    keep.extend(given.pidns.map(Fd::raw));
    keep.extend(given.trampoline.map(Fd::raw));
    match mode {
        Mode::Create { fifo, console } => {
            keep.push(fifo.raw());
            keep.extend(console.as_ref().map(Fd::raw));
        }
        Mode::Foreground { console } => keep.extend(console.as_ref().map(Fd::raw)),
    }
    crate::fds::close_all_but(spec.oci.preserve_fds, &keep)
}

/// A session of its own for a process that is to run the container's command, as the first
/// thing it does (runc does the same): in runt's session, the user's terminal would be its
/// controlling terminal, and TIOCSTI on that terminal types commands into the user's shell. The
/// container's processes then have no controlling terminal but the pty of process.terminal.
pub fn new_session() -> Result<()> {
    process::setsid().or_what("setsid")
}

/// Prints "runt: <what>: <strerror>" on the container's stderr and exits with the error's status.
#[inline(never)]
fn say_and_exit(what: &str, e: &Error) -> ! {
    let mut line = cat(&["runt: ", what]);
    if let Some(errno) = e.errno {
        line.push_str(": ");
        line.push_str(crate::sys::strerror(errno));
    }
    line.push('\n');
    let _ = fs::write_all(2, line.as_bytes());
    process::exit(e.status)
}

fn setup(
    spec: &Spec,
    steps: &[Step],
    sync: &ChildEnd,
    saved_mask: SigSet,
    mode: &Mode,
    given: &Given,
) -> Result<Option<Fd>> {
    let (joins, cgroups) = (given.joins, given.cgroups);
    let foreground = matches!(mode, Mode::Foreground { .. });
    if foreground {
        // If runt dies (even by SIGKILL), the container's init goes with it, and so does its pid
        // namespace; nothing is left running unowned.
        process::set_parent_death_signal(process::SIGKILL).or_what("prctl PR_SET_PDEATHSIG")?;
    }
    // Namespaces given by path (config.json) are joined before anything is done in them.
    for (fd, flag) in joins {
        process::setns(fd, *flag).or_sys(|| cat(&["setns into a namespace of type ", &hex(*flag)]))?;
    }
    // In a new user namespace nothing works until the parent has written the id maps, so wait
    // for go first; otherwise set up while the parent works on the cgroup and wait at the end.
    let in_userns = spec.userns.is_some();
    if in_userns {
        sync.go();
        // The id maps are written: whatever launch::start left dumpable for that ends here,
        // before anything is done in the namespaces.
        process::set_dumpable(false).or_what("prctl PR_SET_DUMPABLE")?;
        // Become the namespace's root: the ids runt had outside may not be mapped at all (root
        // running --userns), and files cannot be created under an unmapped id.
        process::setgid(0).or_what("setgid 0 in the user namespace")?;
        process::setuid(0).or_what("setuid 0 in the user namespace")?;
    }
    // The older way into a joined pid namespace (runc's): in the cgroup first, so that what is
    // forked there is too, then in; the root is then built by a process the namespace can see.
    let pid_first = given.pidns.filter(|_| given.pid_first);
    if let Some(ns) = pid_first {
        sync.go();
        enter_pid_namespace(ns, sync, foreground)?;
    }
    // A new time namespace before anything is forked (hooks, the pid namespace's process) or
    // executed: each of those enters it, after which the kernel no longer takes its offsets.
    if let Some(offsets) = &spec.oci.tuning.time_offsets {
        tuning::time_namespace(offsets)?;
    }
    let mut released = in_userns || pid_first.is_some();
    // Device nodes and mount points get exactly the modes asked for.
    fs::umask(0);
    let proc =
        rootfs::enter(spec, steps, cgroups, given.sources, &mut || create_hooks(spec, sync, given, &mut released))?;
    fs::umask(0o022);
    // An empty hostname: a joined or shared UTS namespace, left as it is.
    if !spec.hostname.is_empty() {
        process::sethostname(spec.hostname.as_bytes()).or_op("sethostname", &spec.hostname)?;
    }
    if let Some(d) = &spec.oci.domainname {
        process::setdomainname(d.as_bytes()).or_op("setdomainname", d)?;
    }
    if spec.namespaces & process::CLONE_NEWNET != 0 {
        crate::sys::net::interface_up(b"lo").or_what("bring up lo")?;
    }
    // All of the above overlapped with the parent's cgroup set-up; from here on the process must
    // be inside its cgroup.
    if !released {
        sync.go();
    }
    if let (Some(ns), None) = (given.pidns, pid_first) {
        enter_pid_namespace(ns, sync, foreground)?;
    }
    // Now that the process is in its cgroup, that cgroup becomes the root of its cgroup namespace.
    if spec.namespaces & process::CLONE_NEWCGROUP != 0 {
        process::unshare(process::CLONE_NEWCGROUP).or_what("unshare the cgroup namespace")?;
    }
    let (Mode::Create { console, .. } | Mode::Foreground { console }) = mode;
    become_process(spec, saved_mask, console.as_ref(), sync, foreground).map(|()| proc)
}

/// Joins the pid namespace `ns` (a pod's, made by another container) now that the process is
/// inside the container's mount namespace and root, with every other namespace and its cgroup:
/// the processes of that namespace can see what enters it, and one holding CAP_SYS_PTRACE can
/// reach it (its /proc/PID/root, cwd, mem) despite non-dumpable. So the set-up happens outside,
/// and what they can see first is a process that is where the container is. setns only moves
/// the children to come: the process forks the container's (CLONE_PARENT: a child of runt's,
/// which waits for it), tells runt its pid, and exits; the new process waits for runt's release
/// and goes on.
fn enter_pid_namespace(ns: &Fd, sync: &ChildEnd, foreground: bool) -> Result<()> {
    process::setns(ns, process::CLONE_NEWPID).or_what("setns into the pid namespace")?;
    fork_into_pid_namespace(sync)?;
    if foreground {
        process::set_parent_death_signal(process::SIGKILL).or_what("prctl PR_SET_PDEATHSIG")?;
    }
    // EOF instead, should runt be gone already: exit.
    sync.go();
    Ok(())
}

/// Forks the container's process, once setns has made this process's children members of the
/// pid namespace to join: with CLONE_PARENT, a child of runt's (which waits for it). This process
/// tells runt the new pid and exits; the call returns in the new one, which leads a session of
/// its own.
pub fn fork_into_pid_namespace(sync: &ChildEnd) -> Result<()> {
    match process::clone_fork(u64::from(process::CLONE_PARENT)).or_what("fork into the pid namespace")? {
        0 => new_session(),
        pid => {
            let told = sync.moved(pid);
            process::exit(if told.is_ok() { 0 } else { crate::error::EXIT_RUNTIME })
        }
    }
}

/// The last steps of every container process (init and exec'd ones alike), inside the
/// container's namespaces: working directory, keyring, limits, terminal, identity, capabilities,
/// then no_new_privs and seccomp as the last thing before execve. `dies_with_runt`: the process
/// is to die with runt (its end of `sync` tells whether runt is still there).
pub fn become_process(
    spec: &Spec,
    saved_mask: SigSet,
    console: Option<&Fd>,
    sync: &ChildEnd,
    dies_with_runt: bool,
) -> Result<()> {
    enter_workdir(&spec.cwd)?;
    // A fresh session keyring: the keys of the session runt runs in stay out of reach. Kernels
    // built without keys have nothing to hide.
    if !spec.oci.keep_keyring {
        match process::join_new_session_keyring() {
            Ok(()) | Err(Errno::ENOSYS) => {}
            Err(e) => return Err(Error::sys(e, "join a new session keyring")),
        }
    }
    for l in &spec.rlimits {
        process::setrlimit(l.resource, l.soft, l.hard).or_sys(|| {
            let mut what = cat(&["setrlimit ", rlimits::name(l.resource), " "]);
            push_dec(&mut what, l.soft);
            what.push(':');
            push_dec(&mut what, l.hard);
            what
        })?;
    }
    // While runt's capabilities are held, before seccomp: a real-time policy or class takes them.
    tuning::apply(&spec.oci.tuning)?;
    // The terminal first: the console socket is reached and the pty set up while nothing is
    // dropped yet.
    match (spec.oci.terminal, console) {
        (true, Some(sock)) => console::attach(sock, spec.oci.console_size)?,
        (true, None) => return Err(Error::msg("process.terminal is set but no --console-socket was given")),
        _ => {}
    }
    let filter = match &spec.seccomp {
        Seccomp::Default => Some((seccomp::default_filter(), 0)),
        Seccomp::Unconfined => None,
        Seccomp::Custom { filter, flags } => Some((filter.as_slice(), *flags)),
    };
    if let (false, Some((f, flags))) = (spec.no_new_privs, filter) {
        // Without no_new_privs, installing a filter takes CAP_SYS_ADMIN: do it while it is held.
        // The filter allows what follows (capset, prctl, setresuid, execve).
        install_filter(f, flags, sync)?;
    }
    // Capabilities in two steps around the uid change, so that a non-root user ends up with
    // exactly the sets asked for and root with no more than them.
    // A user by name is known only here, inside the root whose /etc/passwd names it; one that
    // is not root keeps only the bounding set, as `Caps::for_user` gives a numeric one.
    let looked_up = spec.user_lookup.as_deref().map(crate::passwd::lookup).transpose()?;
    let (user, groups, caps) = match &looked_up {
        Some(ids) => {
            let caps = if ids.uid == 0 { spec.caps } else { caps::Caps::for_user(spec.caps.bounding, false) };
            (Some(crate::spec::User { uid: ids.uid, gid: ids.gid }), ids.groups.as_slice(), caps)
        }
        None => (spec.user, spec.oci.additional_gids.as_slice(), spec.caps),
    };
    caps::before_setuid(&caps)?;
    if let Some(u) = user {
        // Where setgroups was denied (a rootless single-id map) there are no groups to clear.
        if !spec.userns.as_ref().is_some_and(|ns| ns.deny_setgroups) {
            process::setgroups(groups).or_what("setgroups")?;
        }
        process::setgid(u.gid).map_err(|e| op_n(e, "setgid", u.gid))?;
        process::setuid(u.uid).map_err(|e| op_n(e, "setuid", u.uid))?;
    }
    if dies_with_runt {
        // The kernel clears the parent-death signal when the process's ids change (the user
        // above, root in a new user namespace before): asked for again once they are final.
        // Should runt have died before, no signal comes: the pipe runt held says so instead
        // (getppid cannot: the parent is outside the pid namespace, where it reads 0 anyway).
        process::set_parent_death_signal(process::SIGKILL).or_what("prctl PR_SET_PDEATHSIG")?;
        if sync.parent_gone() {
            process::exit(crate::error::EXIT_RUNTIME);
        }
    }
    caps::after_setuid(&caps)?;
    if let Some(m) = spec.oci.umask {
        fs::umask(m);
    }
    // Descriptors runt inherited (an engine's pipes and sockets) do not reach the command, but
    // for the ones --preserve-fds hands on, whatever flag they came with.
    let kept = 3 + spec.oci.preserve_fds;
    for fd in 3..kept {
        let _ = fs::keep_on_exec(fd);
    }
    fs::cloexec_from(kept);
    // The command starts with the signal state a fresh process would have, not runt's.
    for sig in 1..=31 {
        if sig != process::SIGKILL && sig != 19 {
            let _ = signal::set_default(sig);
        }
    }
    signal::set_mask(saved_mask).or_what("restore the signal mask")?;
    if spec.no_new_privs {
        seccomp::set_no_new_privs()?;
        // The last thing before execve: the filter then constrains the command and nothing of
        // runt's own set-up.
        if let Some((f, flags)) = filter {
            install_filter(f, flags, sync)?;
        }
    }
    Ok(())
}

/// Installs a seccomp filter; the listener of one that notifies goes to runt for the agent
/// (seccomp_agent) and is closed here: only the agent answers the container's syscalls, never a
/// process of the container.
fn install_filter(filter: &[crate::sys::seccomp::SockFilter], flags: u32, sync: &ChildEnd) -> Result<()> {
    match seccomp::install(filter, flags)? {
        Some(listener) => sync.listener(&listener),
        None => Ok(()),
    }
}

/// Changes into the working directory `cwd`, resolved inside the container's root by descriptor:
/// a symlink the container made is followed as if its root were `/`, and a magic link such as
/// /proc/self/fd/N is refused (it may name a directory outside the root: CVE-2024-21626).
/// Afterwards the directory must be reachable from the root, as runc checks too: the kernel's
/// getcwd begins "(unreachable)" for one that is not.
fn enter_workdir(cwd: &str) -> Result<()> {
    let root = fs::openat(fs::CWD, c"/", fs::O_PATH | fs::O_DIRECTORY, 0).or_op("open", "/")?;
    let how = fs::RESOLVE_IN_ROOT | fs::RESOLVE_NO_MAGICLINKS;
    let dir = fs::openat2(root.raw(), &cstr(cwd)?, fs::O_PATH | fs::O_DIRECTORY, how).or_op("chdir", cwd)?;
    fs::fchdir(dir.raw()).or_op("chdir", cwd)?;
    match fs::getcwd() {
        Ok(now) if now.starts_with('/') => Ok(()),
        Ok(_) => Err(Error::cat(&["chdir ", cwd, ": the directory is outside the container"])),
        Err(e) => Err(Error::op(e, "getcwd after chdir to", cwd)),
    }
}

/// Marks an error raised after the ready report, when the parent no longer listens.
const AFTER_START: &str = "after start: ";

/// A created container: the check that the command exists, ready, the wait for start, then
/// its startContainer hooks. `proc`: the container's procfs (`rootfs::enter`), to reopen the
/// fifo through.
fn created(spec: &Spec, sync: &ChildEnd, fifo: Fd, proc: Option<Fd>) -> Result<Error> {
    let proc = proc.ok_or_else(|| Error::msg("no procfs at /proc to open exec.fifo through"))?;
    // A missing or unusable command is reported by create, as engines expect (127/126).
    let (prog, path) = resolve(spec)?;
    sync.ready()?;
    let after = |mut e: Error| {
        e.what = cat(&[AFTER_START, &e.what]);
        e
    };
    // Blocks until `runt start` opens the fifo for reading.
    let w = fs::openat(proc.raw(), &NumPath::new(b"self/fd/", fifo.raw().unsigned_abs()), fs::O_WRONLY, 0)
        .or_what("open exec.fifo")
        .map_err(after)?;
    drop(proc);
    fs::write_all(w.raw(), b"0").or_what("write exec.fifo").map_err(after)?;
    drop(fifo);
    // `w` stays open until execve closes it (O_CLOEXEC): `runt start` reads the fifo to its end,
    // so its poststart hooks run only once the command has started. A failure on the way says
    // so with one more byte.
    let failed = |e: Error| {
        let _ = fs::write_all(w.raw(), b"E");
        after(e)
    };
    start_container_hooks(spec).map_err(failed)?;
    // The file found before ready, named in messages as the command was given.
    Ok(failed(exec_as(spec, prog, &path)))
}

/// The hooks of runtime-spec's create, once the container's mounts are made and before
/// pivot_root (rootfs::enter calls this): prestart and createRuntime first, in runt's namespaces
/// (asked of the parent, which releases the child again), then createContainer here, in the
/// container's mount namespace with the host's tree still in view. The parent's hooks see the
/// container in its cgroup, its id maps written: they wait for its first release (`released`).
#[inline(never)]
fn create_hooks(spec: &Spec, sync: &ChildEnd, given: &Given, released: &mut bool) -> Result<()> {
    // Every hook runs with the container in its cgroup (made, limited and joined by the release):
    // what a hook starts is counted against the container's limits and goes with it; and no
    // hook runs for a container whose cgroup could not be made.
    let any = runtime_hooks(spec) || !spec.oci.hooks.create_container.is_empty();
    if any && !*released {
        sync.go();
        *released = true;
    }
    if runtime_hooks(spec) {
        sync.hooks()?;
        sync.go();
    }
    // The pid as the container sees it (runtime-spec, "State"): none yet for a container that
    // enters the pid namespace it joins only once it is in its root.
    let pid = if given.pidns.is_some() && !given.pid_first { 0 } else { process::getpid() };
    let state = hooks::state_json(spec, pid, "created");
    hooks::run_all(&spec.oci.hooks.create_container, &state, "createContainer", None)
}

/// startContainer hooks, in the container as its process is about to run: with that process's
/// environment unless they have one of their own (as runc and crun run them), and its pid as
/// the container sees it.
fn start_container_hooks(spec: &Spec) -> Result<()> {
    let state = hooks::state_json(spec, process::getpid(), "created");
    hooks::run_all(&spec.oci.hooks.start_container, &state, "startContainer", Some(&spec.env))
}

/// The container's PATH, or the default one.
fn search_path(spec: &Spec) -> &str {
    spec.env.iter().rev().find_map(|e| e.strip_prefix("PATH=")).unwrap_or(DEFAULT_PATH)
}

/// Whether the parent has hooks to run before the container's createContainer hooks.
pub fn runtime_hooks(spec: &Spec) -> bool {
    !spec.oci.hooks.prestart.is_empty() || !spec.oci.hooks.create_runtime.is_empty()
}

/// The program to run (PATH searched in the container), once its argv and environment are
/// known to be usable: the command as given and the file found (always with a '/').
fn resolve(spec: &Spec) -> Result<(&str, alloc::string::String)> {
    let prog = spec.args.first().ok_or_else(|| Error::msg("process.args is empty"))?;
    cstrs(&spec.args)?;
    cstrs(&spec.env)?;
    let mut found_unusable = None;
    for dir in dirs(spec, prog) {
        let path = candidate(dir, prog);
        let cp = cstr(&path)?;
        match fs::faccessat(fs::CWD, &cp, X_OK) {
            Ok(()) if fs::openat(fs::CWD, &cp, fs::O_PATH | fs::O_DIRECTORY, 0).is_err() => return Ok((prog, path)),
            Ok(()) => found_unusable = Some(Errno::EACCES),
            // A path names the one file to run: a component that is no directory is the answer
            // (126), as execve says it; in a PATH search, the next directory.
            Err(Errno::ENOTDIR) if dir.is_empty() => found_unusable = Some(Errno::ENOTDIR),
            Err(Errno::ENOENT | Errno::ENOTDIR) => {}
            Err(e) => found_unusable = Some(e),
        }
    }
    Err(exec_error(prog, found_unusable.unwrap_or(Errno::ENOENT)))
}

const X_OK: u32 = 1;

/// Where to look for the command: the PATH directories for a bare name, else one empty entry
/// that stands for the command's own path.
fn dirs<'a>(spec: &'a Spec, prog: &str) -> impl Iterator<Item = &'a str> {
    let bare = !prog.contains('/');
    let path = if bare { search_path(spec) } else { "" };
    path.split(':').filter(move |d| !bare || !d.is_empty())
}

/// The file to try in `dir` (from `dirs`).
#[inline(never)]
fn candidate(dir: &str, prog: &str) -> alloc::string::String {
    if dir.is_empty() {
        alloc::string::String::from(prog)
    } else {
        cat(&[dir, "/", prog])
    }
}

/// A failed call on a number: "setuid 1000".
#[inline(never)]
fn op_n(errno: Errno, op: &str, n: u32) -> Error {
    Error::op(errno, op, NumPath::new(b"", n).as_str())
}

/// `n` as `{:#x}` writes it: "0x" and lowercase hex digits without leading zeros.
fn hex(n: u32) -> alloc::string::String {
    let mut s = alloc::string::String::from("0x");
    push_hex(&mut s, n);
    s
}

fn push_hex(s: &mut alloc::string::String, n: u32) {
    if n >= 16 {
        push_hex(s, n >> 4);
    }
    s.push(char::from(b"0123456789abcdef".get((n & 15) as usize).copied().unwrap_or(b'0')));
}

/// execve's the command, searching PATH (from the container's environment) for a bare name.
/// Returns the error to report: 127 if nothing was found, 126 if found but not executable.
pub fn exec(spec: &Spec) -> Error {
    let Some(prog) = spec.args.first() else { return Error::msg("empty command") };
    exec_as(spec, prog, prog)
}

/// `exec` through runt's exec trampoline `program` (sys::trampoline, sealed): the command is
/// looked up here, in the container's root, as for create; the trampoline executes the file
/// found, and should that fail, reports the error to runt over `sync` as this process would,
/// in the words prepared here (exec_error's).
#[inline(never)]
fn exec_through(spec: &Spec, program: &Fd, sync: &ChildEnd) -> Error {
    let ((prog, path), (cargs, cenv)) = match resolve(spec).and_then(|found| Ok((found, command_strings(spec)?))) {
        Ok(ready) => ready,
        Err(e) => return e,
    };
    let report = sync.report_fd();
    let text = |errno| core::mem::take(&mut exec_error(prog, errno).what);
    let texts = [
        NumPath::new(b"", report.unsigned_abs()).as_str().into(),
        text(Errno::ENOENT),
        text(Errno::EACCES),
        // The trampoline sends its errno with this one ("exec PROG").
        text(Errno::ENOEXEC),
    ];
    let before = match (cstr(&path), cstrs(&texts)) {
        (Ok(file), Ok(texts)) => [file].into_iter().chain(texts).collect::<Vec<_>>(),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    // The report socket stays open into the trampoline, which closes it on the command's exec.
    if let Err(e) = fs::keep_on_exec(report.unsigned_abs()) {
        return Error::sys(e, "keep runt's report socket open");
    }
    let mut argv = Vec::with_capacity(trampoline::ARGS_BEFORE_COMMAND + cargs.len() + 1);
    argv.push(trampoline::NAME.as_ptr().cast::<u8>());
    argv.extend(before.iter().map(|s| s.as_ptr().cast::<u8>()));
    argv.extend(ptrs(&cargs));
    let envp = ptrs(&cenv);
    match process::execveat_file(program, &argv, &envp) {
        // The command's arguments and environment are too long (the trampoline adds a few
        // hundred bytes to them): the error the command's own execve would have had.
        Errno::E2BIG => exec_error(prog, Errno::E2BIG),
        e => Error::sys(e, "execute runt's exec trampoline"),
    }
}

/// The command's argv and environment as C strings, with HOME as runc gives it: without HOME in
/// the environment (Docker sets none), the user's home from the container's /etc/passwd (the
/// process already runs as that user, in the container's root).
fn command_strings(spec: &Spec) -> Result<(Vec<alloc::ffi::CString>, Vec<alloc::ffi::CString>)> {
    let (cargs, mut cenv) = (cstrs(&spec.args)?, cstrs(&spec.env)?);
    if !spec.env.iter().any(|e| e.starts_with("HOME=")) {
        if let Ok(home) = cstr(&cat(&["HOME=", &crate::passwd::home_dir(process::getuid())])) {
            cenv.push(home);
        }
    }
    Ok((cargs, cenv))
}

/// `exec` of `file`, the command `prog` or (with a '/') the one file to run, with errors
/// naming `prog`.
#[inline(never)]
fn exec_as(spec: &Spec, prog: &str, file: &str) -> Error {
    let (cargs, cenv) = match command_strings(spec) {
        Ok(strings) => strings,
        Err(e) => return e,
    };
    let (argv, envp) = (ptrs(&cargs), ptrs(&cenv));

    let mut errno = Errno::ENOENT;
    for dir in dirs(spec, file) {
        let Ok(path) = cstr(&candidate(dir, file)) else { continue };
        match process::execve(&path, &argv, &envp) {
            // A path names the one file to run: its error is the answer.
            e if dir.is_empty() => errno = e,
            // Keep looking; remember that something was there but refused, as execvp does.
            Errno::ENOENT | Errno::ENOTDIR => continue,
            Errno::EACCES => {
                errno = Errno::EACCES;
                continue;
            }
            other => errno = other,
        }
        break;
    }
    exec_error(prog, errno)
}

/// The two errors engines turn into 127 and 126 end in runc's words, Go's lower-case errno texts:
/// Docker's CLI looks for "no such file or directory" and "permission denied" case-sensitively
/// (`docker run IMAGE /nope` exits 125 on the C library's "No such file or directory").
fn exec_error(prog: &str, errno: Errno) -> Error {
    let (words, why, status) = match errno {
        Errno::ENOENT => {
            // ENOENT for a file that exists means its ELF interpreter or #! interpreter is missing.
            let exists = prog.contains('/') && cstr(prog).is_ok_and(|p| fs::faccessat(fs::CWD, &p, 0).is_ok());
            let why = if exists { " (its interpreter or dynamic loader is missing)" } else { "" };
            ("no such file or directory", why, EXIT_NOT_FOUND)
        }
        Errno::EACCES => ("permission denied", "", EXIT_NOT_EXECUTABLE),
        _ => return Error::op(errno, "exec", prog).with_status(EXIT_NOT_EXECUTABLE),
    };
    Error::cat(&["exec ", prog, why, ": ", words]).with_status(status)
}

/// Where a bare command name is looked up when the container's environment has no PATH (ctr
/// --rootfs gives none), as shells and runc do.
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

#[cfg(test)]
mod tests {
    use super::{exec_error, hex};
    use crate::sys::Errno;

    #[test]
    fn exec_errors_end_in_the_words_engines_match() {
        let e = exec_error("/nope", Errno::ENOENT);
        assert_eq!((e.render().as_str(), e.status), ("exec /nope: no such file or directory", 127));
        let e = exec_error("/etc/passwd", Errno::EACCES);
        assert_eq!((e.render().as_str(), e.status), ("exec /etc/passwd: permission denied", 126));
        let e = exec_error("/bin/x", Errno::ELOOP);
        assert_eq!((e.render().as_str(), e.status), ("exec /bin/x: Too many levels of symbolic links", 126));
    }

    #[test]
    fn hex_as_format_writes_it() {
        for n in [0, 1, 0xf, 0x10, 0x20000, 0x4000_0000, 0x8000_0000, u32::MAX] {
            assert_eq!(hex(n), format!("{n:#x}"));
        }
    }
}
