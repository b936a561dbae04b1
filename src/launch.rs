//! Parent side: create the cgroup, clone the child into new namespaces, put it in its cgroup,
//! release it, forward signals while it runs, and clean up whatever way it ends.

use crate::cgroup::{self, Cgroup, Needs};
use crate::cstr::{open_path, NumPath};
use crate::error::{cat, dec_i, push_dec, Error, OrSys, Result};
use crate::relay::{self, Waited, FORWARDED, SIGCHLD};
use crate::spec::{Mount, Spec};
use crate::state::{self, State};
use crate::sync::Report;
use crate::sys::process::{self, SIGKILL};
use crate::sys::signal::{self, SigSet};
use crate::sys::{fs, net};
use crate::sys::{Errno, Fd};
use crate::{console, hooks, init, plan, sync};
use alloc::string::String;
use alloc::vec::Vec;

const SIGPIPE: u32 = 13;

/// How the container ended.
pub struct Outcome {
    /// runt's exit status: the command's own, or 128+N when killed by signal N.
    pub status: i32,
    /// Things the user should know that did not stop the container (printed by main).
    pub warnings: Vec<String>,
    /// Its cgroup could not be removed (one of the warnings): what records it must stay.
    pub cgroup_left: bool,
}

/// A cloned container process, in its cgroup and released, not yet waited for.
struct Started {
    pid: i32,
    cg: Option<Cgroup>,
    /// Its root bound in runt's own mount namespace, when it has none of its own.
    in_place: InPlace,
    /// The cgroup's directories (for the state file).
    cgroups: Vec<String>,
    parent: sync::ParentEnd,
    saved_mask: SigSet,
    /// runt's end of the socketpair the pty master comes over, when runt relays the pty.
    pty: Option<Fd>,
}

/// The root a container without a mount namespace of its own has bound onto itself in runt's
/// (rootfs::bind_in_place): detached, with all that was mounted under it, when dropped, that is
/// when `run` is done with the container or `start` failed; `create` hands it to `delete`.
struct InPlace {
    path: String,
    id: Option<u64>,
}

impl InPlace {
    /// Leaves the bind in place: its path and id, if there is one.
    fn keep(mut self) -> Option<(String, u64)> {
        self.id.take().map(|id| (core::mem::take(&mut self.path), id))
    }
}

impl Drop for InPlace {
    fn drop(&mut self) {
        if let Some(id) = self.id {
            let _ = crate::rootfs::detach_in_place(&self.path, id);
        }
    }
}

/// What differs between the two ways of starting a container.
enum How<'a> {
    /// `runt run`: runt stays, and the container dies with it; the console socket if any.
    Foreground { console: Option<&'a str> },
    /// `runt create`: the container waits on the state dir's fifo; the console socket if any.
    Create { fifo: &'a str, console: Option<&'a str> },
}

/// Everything up to releasing the child: cgroup, clone into the namespaces, id maps, cgroup join.
fn start(spec: &mut Spec, how: How, blocked: SigSet, needs: Needs, warn: &mut dyn FnMut(&str)) -> Result<Started> {
    // Namespaces to join, all by the child: the user namespace first (it grants the rights to
    // enter the others), the pid namespace last, once the child is inside its root (see
    // init::enter_pid_namespace: its processes may see what enters it). In a joined mount
    // namespace the root is built as in a new one: its mounts, and pivot_root, change that
    // namespace (as with runc and crun).
    let (mut joins, mut pidns, mut pid_first) = (Vec::new(), None, false);
    for (flag, path) in &spec.join {
        let fd = open_path(path, fs::O_RDONLY, 0, "open namespace ")?;
        match *flag {
            process::CLONE_NEWPID => pidns = Some(fd),
            process::CLONE_NEWUSER => joins.insert(0, (fd, *flag)),
            _ => joins.push((fd, *flag)),
        }
    }
    if let Some(ns) = &pidns {
        if spec.userns.is_some() {
            // The child, root of a user namespace of its own, has no rights over a pid namespace
            // owned by another; entering it before the set-up would show the set-up to its
            // processes.
            return Err(Error::msg("joining a pid namespace from a new user namespace is not supported"));
        }
        // Where procfs cannot be told which pid namespace to show (before Linux 6.18), the child
        // enters the namespace before it builds the root, as runc does (init::setup): a process
        // of the namespace holding CAP_SYS_PTRACE may then see that set-up.
        pid_first = !crate::sys::mount::proc_takes_pidns(&NumPath::fd(ns));
        if !pid_first {
            proc_of_pid_namespace(spec, ns);
        }
    }
    let spec = &*spec;
    let steps = plan::steps(spec);
    // A runt that does not run from a sealed copy of itself (`runt run`) has the child execute
    // the command through its sealed exec trampoline (sealed.rs). That is safe only while
    // nothing of the container can reach the child before: a pid namespace of its own, which the
    // child is the first process of, and no init of runt's staying in it.
    let trampoline = match crate::sealed::running_sealed() {
        true => None,
        false
            if matches!(how, How::Foreground { .. })
                && !spec.init
                && pidns.is_none()
                && spec.namespaces & process::CLONE_NEWPID != 0 =>
        {
            Some(crate::sealed::trampoline()?)
        }
        false => return Err(Error::msg("internal error: this container needs runt to run from a sealed copy")),
    };
    let layout = cgroup::detect();
    // On cgroup v1 the container's cgroup is made after the clone, while the child builds the
    // root (about 0.2 ms of mkdirs and control files off the start-up path), unless the child
    // needs it before its release: to bind it at a `cgroup` mount, or when it waits for its
    // release first (a user namespace, the older join of a pid namespace). On v2 the child is
    // born in it (clone3).
    let mounts_cgroup = spec.mounts.iter().any(|m| m.fstype == "cgroup" || m.fstype == "cgroup2");
    let waits_first = spec.userns.is_some() || pid_first;
    let overlap = matches!(layout, Ok(cgroup::Layout::V1(_))) && !mounts_cgroup && !waits_first;
    let (mut cg, mut later) = match overlap {
        true => (None, Some(layout)),
        false => (make_cgroup(spec, layout, needs, warn)?, None),
    };
    // The child's descriptors for create, opened here while runt still sees the host's paths.
    let (mode, pty) = match how {
        How::Foreground { console } => {
            let (console, pty) = console::channel(spec.oci.terminal, console, true)?;
            (init::Mode::Foreground { console }, pty)
        }
        How::Create { fifo, console } => {
            let fifo = open_path(fifo, fs::O_PATH, 0, "open ")?;
            let (console, _) = console::channel(spec.oci.terminal, console, false)?;
            (init::Mode::Create { fifo, console }, None)
        }
    };
    // What the child is told of its cgroup (for a `cgroup` mount): nothing yet when it is made
    // after the clone, as then there is no such mount.
    let child_cgroups = cg.as_ref().map(Cgroup::paths).unwrap_or_default();
    undumpable_child(spec)?;
    // The child is born with the container's oom_score_adj: runt takes the value for the clone
    // and has its own back right after. (Should runt fail before that, it exits anyway.)
    let own_oom_score_adj = spec.oom_score_adj.map(take_oom_score_adj).transpose()?;
    let (parent, child) = sync::pair()?;
    // In a user namespace the child's bind sources come from here (rootfs::send_bind_sources).
    let sources = match spec.userns.is_some() && spec.mounts.iter().any(Mount::is_bind) {
        true => Some(net::socketpair(net::SEQPACKET).or_what("socketpair")?),
        false => None,
    };
    let saved_mask = signal::set_mask(blocked).or_what("block signals")?;

    let path = spec.root.path.clone().unwrap_or_default();
    let in_place = InPlace { id: crate::rootfs::bind_in_place(spec)?, path };
    // The cgroup namespace is unshared by the child once it is in its cgroup.
    let mut flags = u64::from(spec.namespaces & !process::CLONE_NEWCGROUP);
    if spec.userns.is_some() {
        flags |= u64::from(process::CLONE_NEWUSER);
    }
    // On cgroup v2 the child is born in its cgroup (no migration, no RCU grace period to wait for).
    let mut joined = false;
    let cloned = match cg.as_ref().and_then(Cgroup::v2_dir) {
        Some(dir) => match process::clone3_into_cgroup(flags, dir) {
            Ok(pid) => {
                joined = true;
                Ok(pid)
            }
            Err(Errno::ENOSYS | Errno::E2BIG | Errno::EINVAL) => process::clone_fork(flags),
            Err(e) => Err(e),
        },
        None => process::clone_fork(flags),
    };
    if let (Some(old), false) = (&own_oom_score_adj, matches!(cloned, Ok(0))) {
        // Best effort: a runt that keeps the container's value is no danger to anyone.
        let _ = write_oom_score_adj(old);
    }
    let pid = match cloned {
        Ok(0) => {
            drop(parent);
            let sources = sources.as_ref().map(|(_, c)| c);
            let given = init::Given {
                joins: &joins,
                pidns: pidns.as_ref(),
                pid_first,
                cgroups: &child_cgroups,
                sources,
                trampoline: trampoline.as_ref(),
            };
            init::run(spec, &steps, child, saved_mask, mode, given)
        }
        Ok(pid) => pid,
        Err(e) => {
            let _ = signal::set_mask(saved_mask);
            return Err(Error::sys(e, "clone the container process"));
        }
    };
    drop(child);
    drop(mode);
    // A cgroup made after the clone that could not be made is the error to show, whatever the
    // child (building the root meanwhile) may have run into.
    let mut cgroup_failed = false;
    let released = (|| {
        if let Some(ns) = &spec.userns {
            crate::userns::write_maps(pid, ns)?;
        }
        if let Some((sock, _)) = &sources {
            crate::rootfs::send_bind_sources(pid, spec, sock)?;
        }
        if let Some(layout) = later.take() {
            cg = make_cgroup(spec, layout, needs, warn).inspect_err(|_| cgroup_failed = true)?;
        }
        if let Some(cg) = &cg {
            cg.join_after_clone(pid, joined)?;
        }
        parent.release(pid)
    })();
    let cgroups = cg.as_ref().map(Cgroup::paths).unwrap_or_default();
    match released {
        Ok(()) => Ok(Started { pid, cg, in_place, cgroups, parent, saved_mask, pty }),
        Err(e) => {
            // Killed before its report is read: a child still waiting for its release would
            // otherwise wait for the parent while the parent waits for its report.
            reap(pid);
            // A child that failed first left its whole report in the pipe before it died: that
            // error is the one to show, not the broken pipe.
            let e = match parent.exec_result() {
                Err(child_error) if !cgroup_failed => child_error,
                _ => e,
            };
            // The broken pipe to the dead child must not kill runt once unblocked.
            signal::discard(SigSet::of(&[SIGPIPE]));
            let _ = signal::set_mask(saved_mask);
            Err(e)
        }
    }
}

/// A procfs shows the pid namespace of the process that mounts it, and the child of a container
/// that joins one mounts /proc before it enters it (init::enter_pid_namespace): the proc mounts
/// name the namespace (procfs's `pidns=` option, new in 2025: an older kernel refuses the mount,
/// EINVAL), by the child's descriptor of it, resolved through the host's /proc while the child
/// builds the root.
fn proc_of_pid_namespace(spec: &mut Spec, ns: &Fd) {
    let option = cat(&["pidns=", NumPath::fd(ns).as_str()]);
    for m in spec.mounts.iter_mut().filter(|m| m.fstype == "proc") {
        if !m.data.is_empty() {
            m.data.push(',');
        }
        m.data.push_str(&option);
    }
}

/// The container's cgroup with its limits and device rules. None only where the container can
/// have none and runt may run it so: a host with no cgroup filesystem (said on stderr when limits
/// or device rules were asked), or a user to whom no cgroup was delegated and who asked for no
/// limit. Every other failure stops the container: a limit asked for is applied or refused.
fn make_cgroup(
    spec: &Spec,
    layout: Result<cgroup::Layout>,
    mut needs: Needs,
    warn: &mut dyn FnMut(&str),
) -> Result<Option<Cgroup>> {
    let limits = spec.limits.any();
    let rel = cgroup_path(spec);
    // A cgroupsPath the engine chose may hold another container: runc 1.1 shares it, and says so.
    needs.share = spec.oci.cgroups_path.is_some();
    // An engine's container (from a bundle) joins every v1 hierarchy, as runc's do: the engine
    // reads its accounting from all of them. `runt run` joins only those it needs (pids, and the
    // ones with limits): each more hierarchy is one more mkdir and rmdir, about 0.2 ms, on the
    // start-up path.
    needs.every = !spec.oci.bundle.is_empty();
    // `runt run`'s cgroup lives as long as runt: the leftovers of runts that were killed go first.
    needs.sweep = !needs.every;
    let made =
        layout.and_then(|layout| Cgroup::create(&layout, &rel, &spec.limits, spec.device_rules.as_deref(), needs));
    if let Some(n) = made.as_ref().ok().and_then(|cg| cg.as_ref()?.sharers()) {
        warn(&cat(&["cgroup ", &rel, " is not empty (", &crate::error::dec(n as u64), " processes): shared with it"]));
    }
    match made {
        Ok(None) if limits => {
            warn("no cgroup filesystem at /sys/fs/cgroup: limits not applied, device access not confined")
        }
        Ok(None) if spec.device_rules.is_some() => {
            warn("no cgroup filesystem at /sys/fs/cgroup: device access not confined")
        }
        // Without privileges, a cgroup is only possible where one was delegated to the user; a
        // user namespace keeps such a container from making device nodes anyway.
        Err(e) if matches!(e.errno, Some(Errno::EACCES | Errno::EPERM | Errno::EROFS)) && process::getuid() != 0 => {
            if limits {
                return Err(e.context("limits need a cgroup delegated to this user (systemd: Delegate=yes)"));
            }
            return Ok(None);
        }
        _ => {}
    }
    made
}

/// Makes runt non-dumpable before it clones, so that the child is too from its first instruction
/// to its execve: a runt process in the container's namespaces must be out of the container's
/// reach (no ptrace, no /proc/PID/exe, fd or mem: CVE-2016-9962, CVE-2019-5736).
///
/// One exception: an unprivileged runt writes its child's id maps itself (or newuidmap does for
/// it), which the kernel allows only while the child is dumpable (a non-dumpable process's /proc
/// files belong to root). Where the child's pid namespace is new, nothing but the user's own
/// processes can see it until then, and it makes itself non-dumpable as soon as the maps are
/// written, before doing anything else (init::setup). Elsewhere it would be visible to the
/// processes of the namespace it joins: refused.
fn undumpable_child(spec: &Spec) -> Result<()> {
    let maps_by_user = spec.userns.is_some() && process::getuid() != 0;
    if !maps_by_user {
        return process::set_dumpable(false).or_what("prctl PR_SET_DUMPABLE");
    }
    if spec.namespaces & process::CLONE_NEWPID == 0 {
        return Err(Error::msg(
            "without root, a container with a user namespace needs a new pid namespace \
             (nothing else may see runt while it writes the id maps)",
        ));
    }
    Ok(())
}

const OOM_SCORE_ADJ: &str = "/proc/self/oom_score_adj";

/// Gives runt itself oom_score_adj `adj` (a child inherits it at clone), written through the
/// host's /proc, not one the container could have a hand in; returns runt's own value, to put
/// back.
#[inline(never)]
fn take_oom_score_adj(adj: i32) -> Result<String> {
    let fd = fs::openat(fs::CWD, c"/proc/self/oom_score_adj", fs::O_RDONLY, 0).or_op("open", OOM_SCORE_ADJ)?;
    let mut buf = [0u8; 16];
    let n = fs::read(fd.raw(), &mut buf).or_op("read", OOM_SCORE_ADJ)?;
    let old = core::str::from_utf8(buf.get(..n).unwrap_or_default()).unwrap_or_default().trim_ascii();
    let old = String::from(old);
    write_oom_score_adj(&dec_i(adj.into()))?;
    Ok(old)
}

fn write_oom_score_adj(value: &str) -> Result<()> {
    let fd = fs::openat(fs::CWD, c"/proc/self/oom_score_adj", fs::O_WRONLY, 0).or_op("open", OOM_SCORE_ADJ)?;
    fs::write_all(fd.raw(), value.as_bytes()).or_sys(|| cat(&["write ", value, " to ", OOM_SCORE_ADJ]))
}

/// `runt run` (and the runc-style foreground `run --bundle`): start the container, forward
/// signals to it, wait for it, remove its cgroup. `on_started` sees its pid and cgroup
/// directories once it runs.
///
/// The container never shares runt's terminal as its controlling terminal (it has a session of
/// its own: a process with that terminal could type into the user's shell with TIOCSTI). It gets
/// runt's stdin, stdout and stderr as they are, or with process.terminal a pty of its own, whose
/// master goes to the `console` socket or, without one, to runt, which relays it (relay.rs).
pub fn run(
    spec: &mut Spec,
    console: Option<&str>,
    warn: &mut dyn FnMut(&str),
    on_started: &mut dyn FnMut(i32, &[String]) -> Result<()>,
) -> Result<Outcome> {
    // Block the forwarded signals and SIGCHLD before the child exists: none may be lost, and they
    // are then taken synchronously with sigtimedwait (no handlers).
    let waited = SigSet::of(FORWARDED).union(SigSet::of(&[SIGCHLD]));
    // SIGPIPE too: a child that died early must turn the go write into EPIPE, not kill runt.
    let blocked = waited.union(SigSet::of(&[SIGPIPE]));
    if spec.oci.terminal && console.is_none() {
        // The pty starts with the size of runt's terminal.
        spec.oci.console_size = relay::terminal_size().or(spec.oci.console_size);
    }
    let st = start(spec, How::Foreground { console }, blocked, Needs::default(), warn)?;
    let mut pid = st.pid;
    // A bundle's prestart and createRuntime hooks, when the child asks for them (as for create).
    let master = started(&st.parent, spec, &mut pid, false)
        .and_then(|()| st.pty.as_ref().map(relay::receive).transpose())
        .and_then(|master| on_started(pid, &st.cgroups).map(|()| master));
    let master = match master {
        Ok(m) => m,
        Err(e) => {
            reap(pid);
            return Err(e);
        }
    };
    drop(st.parent);
    // The command is the pid 1 of a pid namespace of its own unless runt's init is (--init).
    let pid1 = spec.namespaces & process::CLONE_NEWPID != 0 && !spec.init;
    let status = relay::foreground(&Waited { pid, pid1 }, waited, master.map(|m| (m, !spec.pty_output_only)))?;
    let mut warnings = Vec::new();
    let mut cgroup_left = false;
    if let Some(cg) = st.cg {
        if let (true, Some(limit)) = (status == 128 + SIGKILL as i32, spec.limits.memory) {
            if cg.oom_killed() {
                let mut text = cat(&["container ", &spec.name, " was killed: out of memory (limit "]);
                push_dec(&mut text, limit);
                text.push_str(" bytes)");
                warnings.push(text);
            }
        }
        if let Err(e) = cg.remove() {
            // As main prints an error: "what: strerror".
            warnings.push(e.render());
            cgroup_left = true;
        }
    }
    Ok(Outcome { status, warnings, cgroup_left })
}

/// `runt create`: start the container up to the point where it waits on `dir`'s fifo, record its
/// state, and leave it (and its cgroup) behind for `start` and `delete`.
#[inline(never)]
pub fn create(spec: &mut Spec, dir: &state::Dir, console: Option<&str>, warn: &mut dyn FnMut(&str)) -> Result<State> {
    dir.make_fifo()?;
    let fifo = dir.fifo_path();
    let needs = Needs { freezer: true, ..Needs::default() };
    let st = start(spec, How::Create { fifo: &fifo, console }, SigSet::of(&[SIGPIPE]), needs, warn)?;
    let mut pid = st.pid;
    if let Err(e) = started(&st.parent, spec, &mut pid, true) {
        reap(pid);
        return Err(e);
    }
    let state = State {
        id: spec.name.clone(),
        pid,
        pid_start: match state::pid_start(pid) {
            Ok((start, _)) => start,
            Err(e) => {
                reap(pid);
                return Err(e);
            }
        },
        bundle: spec.oci.bundle.clone(),
        rootfs: spec.root.path.clone().unwrap_or_default(),
        created: state::timestamp(),
        oci_version: spec.oci.version.clone(),
        annotations: spec.oci.annotations.clone(),
        cgroups: st.cgroups,
        no_new_keyring: spec.oci.keep_keyring,
        ..State::default()
    };
    let saved = dir.save(&state).and_then(|()| match st.in_place.keep() {
        Some((path, id)) => dir.note_in_place(&path, id),
        None => Ok(()),
    });
    if let Err(e) = saved {
        reap(pid);
        return Err(e);
    }
    signal::discard(SigSet::of(&[SIGPIPE]));
    let _ = signal::set_mask(st.saved_mask);
    if let Some(cg) = st.cg {
        cg.keep();
    }
    Ok(state)
}

/// Waits for the child's exec (or, `ready`, its ready report for create), running the runtime's
/// hooks when it asks: in runt's namespaces, with the container's namespaces made and its
/// createContainer hooks still to come. `pid` follows the container's process when the child
/// hands over to one it forked into a joined pid namespace.
#[inline(never)]
fn started(parent: &sync::ParentEnd, spec: &Spec, pid: &mut i32, ready: bool) -> Result<()> {
    loop {
        match parent.next()? {
            Report::Moved(new) => {
                // The child exits once it has said so.
                let _ = process::wait4(*pid, false);
                *pid = new;
                parent.release(new)?;
            }
            Report::Hooks => {
                // The runtime environment exists: the container is "created" from here on
                // (runtime-spec's lifecycle; crun says so too, runc "creating").
                let json = hooks::state_json(spec, *pid, "created");
                hooks::run_all(&spec.oci.hooks.prestart, &json, "prestart", None)?;
                hooks::run_all(&spec.oci.hooks.create_runtime, &json, "createRuntime", None)?;
                parent.release(*pid)?;
            }
            // The filter is installed as the child is about to exec or be ready: the container is
            // still being created (runtime-spec's example; runc says so too).
            Report::Listener(l) => {
                crate::seccomp_agent::hand_over(spec, *pid, "creating", &l)?;
                parent.release(*pid)?;
            }
            Report::Ready if ready => return Ok(()),
            Report::Exec if !ready => return Ok(()),
            other => return Err(sync::unexpected(other)),
        }
    }
}

/// The container's cgroup below each hierarchy root: config.json's cgroupsPath, or runt/NAME.
pub fn cgroup_path(spec: &Spec) -> String {
    match &spec.oci.cgroups_path {
        Some(p) => p.clone(),
        None => cat(&[cgroup::PARENT, "/", &spec.name]),
    }
}

/// Kills a container that failed to start and waits for it, so that no zombie is left.
#[inline(never)]
fn reap(pid: i32) {
    let _ = process::kill(pid, SIGKILL);
    let _ = process::wait4(pid, false);
}
