//! `runt exec`: one more process in a running container: into its namespaces (setns) and its
//! cgroup, then the same last steps as the container's init (identity, capabilities, seccomp).
//!
//! Three processes, as runc and crun do it: runt (which stays, forwards signals and waits), an
//! intermediate child that joins the container's cgroup and every namespace but the pid one,
//! and the process it forks once it has entered the pid namespace too. The container can see
//! only that last one, which is inside the container's mount namespace and root from its first
//! instruction: the intermediate, with the host's `/` as its root until it enters the mount
//! namespace, is never visible to the container (whose processes, given CAP_SYS_PTRACE, would
//! reach a runt process's /proc/PID/root despite non-dumpable).

use crate::cgroup::Cgroup;
use crate::cstr::open_path;
use crate::error::{cat, dec_i, sys_err, OrSys, Result};
use crate::relay::{self, Waited, FORWARDED, SIGCHLD};
use crate::spec::Spec;
use crate::state::{self, State};
use crate::sync::Report;
use crate::sys::signal::{self, SigSet};
use crate::sys::{fs, process, Fd};
use crate::{console, init, sync};
use alloc::vec::Vec;

/// The namespaces the intermediate enters, user first (it grants the rights to enter the others),
/// mount last (after it, host paths are gone). The pid namespace comes after them all: setns
/// only moves the children to come (see `enter`). The time namespace is the one the init's
/// children get: its own until it has executed the command (it made the namespace for them and
/// enters it with that execve, see tuning::time_namespace), the same one from then on.
const ORDER: &[(&str, u32)] = &[
    ("user", process::CLONE_NEWUSER),
    ("time_for_children", process::CLONE_NEWTIME),
    ("ipc", process::CLONE_NEWIPC),
    ("uts", process::CLONE_NEWUTS),
    ("net", process::CLONE_NEWNET),
    ("cgroup", process::CLONE_NEWCGROUP),
    ("mnt", process::CLONE_NEWNS),
];

/// Opens /proc/PID/ns/NAME unless it is runt's own namespace already, or a kind of namespace
/// this kernel does not have (a process that is gone is found out after: see `namespaces`).
fn ns_of(pid: i32, name: &str) -> Result<Option<Fd>> {
    let theirs = cat(&["/proc/", &dec_i(pid.into()), "/ns/", name]);
    let fd = match open_path(&theirs, fs::O_RDONLY, 0, "open ") {
        Err(e) if e.errno == Some(crate::sys::Errno::ENOENT) => return Ok(None),
        r => r?,
    };
    let own = open_path(&cat(&["/proc/self/ns/", name]), fs::O_RDONLY, 0, "open ");
    let same = own.is_ok_and(|o| fs::identity(o.raw()).ok() == fs::identity(fd.raw()).ok());
    Ok((!same).then_some(fd))
}

pub struct Options<'a> {
    pub detach: bool,
    pub pid_file: Option<&'a str>,
    pub console: Option<&'a str>,
}

/// The container's namespaces, opened through /proc/PID/ns while the pidfd of its init shows
/// that PID is still the init (not a process that took over its pid since).
struct Namespaces {
    joins: Vec<(Fd, u32)>,
    pid: Option<Fd>,
    /// The container's root, when it has no mount namespace of its own: it is chrooted in
    /// runt's (see rootfs::bind_in_place), and its new process goes into the same root.
    root: Option<Fd>,
}

fn namespaces(st: &State) -> Result<Namespaces> {
    let init = st.init()?;
    let mut joins = Vec::new();
    for &(name, flag) in ORDER {
        if let Some(fd) = ns_of(st.pid, name)? {
            joins.push((fd, flag));
        }
    }
    let root = match joins.iter().any(|j| j.1 == process::CLONE_NEWNS) {
        true => None,
        false => Some(open_path(
            &cat(&["/proc/", &dec_i(st.pid.into()), "/root"]),
            fs::O_PATH | fs::O_DIRECTORY,
            0,
            "open ",
        )?),
    };
    let pid = ns_of(st.pid, "pid")?;
    if !init.still_there() {
        return Err(state::not_running(&st.id));
    }
    Ok(Namespaces { joins, pid, root })
}

/// Runs `spec`'s process in the container `st`. Returns its exit status (0 with detach).
#[inline(never)]
pub fn exec(st: &State, spec: &Spec, opts: &Options, write_pid: &mut dyn FnMut(i32) -> Result<()>) -> Result<i32> {
    let ns = namespaces(st)?;
    // With process.terminal and no console socket, runt relays the pty in the foreground (as
    // runc does); detached, the process reports that it has no socket to send it to.
    let (console, pty) = console::channel(spec.oci.terminal, opts.console, !opts.detach)?;
    let cg = Cgroup::open(&st.cgroups)?;
    let waited = SigSet::of(FORWARDED).union(SigSet::of(&[SIGCHLD]));
    let saved_mask = signal::set_mask(waited.union(SigSet::of(&[13]))).or_what("block signals")?;
    let (parent, child) = sync::pair()?;
    // Both children live in the container's namespaces, the last with the container's
    // capabilities at the end: non-dumpable from fork to execve, the container can neither ptrace
    // them nor open their /proc/PID/exe, fd or mem (CVE-2016-9962, CVE-2019-5736), unless given
    // CAP_SYS_PTRACE.
    process::set_dumpable(false).or_what("prctl PR_SET_DUMPABLE")?;
    let intermediate = process::clone_fork(0).or_what("fork")?;
    if intermediate == 0 {
        drop(parent);
        // The cgroup's directories (opened above) must not reach the container (see `fds`).
        let mut keep: Vec<i32> = child.fds().to_vec();
        keep.extend(ns.joins.iter().map(|(fd, _)| fd.raw()));
        keep.extend(ns.pid.as_ref().map(Fd::raw));
        keep.extend(ns.root.as_ref().map(Fd::raw));
        keep.extend(console.as_ref().map(Fd::raw));
        let err = match crate::fds::close_all_but(spec.oci.preserve_fds, &keep)
            .and_then(|()| enter(&child, &ns, spec, saved_mask, console.as_ref()))
        {
            Ok(()) => init::exec(spec),
            Err(e) => e,
        };
        child.report(&err);
        process::exit(err.status);
    }
    drop(child);
    let mut pid = intermediate;
    let started = (|| {
        // The intermediate joins the cgroup before it forks: the process the container sees is
        // born in it. On the CPUs asked for until then, if any.
        crate::tuning::initial_cpus(&spec.oci.tuning, intermediate)?;
        cg.join(intermediate)?;
        parent.release(intermediate)?;
        match parent.next()? {
            Report::Moved(p) => pid = p,
            other => return Err(sync::unexpected(other)),
        }
        loop {
            match parent.next()? {
                // The process runs in a running container: the agent hears of it as such.
                Report::Listener(l) => {
                    crate::seccomp_agent::hand_over(spec, pid, "running", &l)?;
                    parent.release(pid)?;
                }
                Report::Exec => break,
                other => return Err(sync::unexpected(other)),
            }
        }
        // Reaped once the process runs: the intermediate's exit is then off the way.
        let _ = process::wait4(intermediate, false);
        write_pid(pid)?;
        pty.as_ref().map(relay::receive).transpose()
    })();
    let master = match started {
        Ok(m) => m,
        Err(e) => {
            for p in [pid, intermediate] {
                let _ = process::kill(p, process::SIGKILL);
                let _ = process::wait4(p, false);
            }
            return Err(e);
        }
    };
    if opts.detach {
        return Ok(0);
    }
    // Not the pid 1 of its namespace: signals act on it as on any process.
    relay::foreground(&Waited { pid, pid1: false }, waited, master.map(|m| (m, true)))
}

/// The intermediate: waits until runt has put it in the cgroup, enters the namespaces (and the
/// root of a container that has no mount namespace of its own), then forks
/// the process into the pid namespace (CLONE_PARENT: a child of runt's, which waits for it), tells
/// runt its pid and exits. Returns in that process, which makes itself the container's.
fn enter(sync: &sync::ChildEnd, ns: &Namespaces, spec: &Spec, mask: SigSet, console: Option<&Fd>) -> Result<()> {
    if sync.wait_go().is_none() {
        process::exit(125);
    }
    // In the cgroup now: the process it forks is born on the CPUs it is to run on.
    crate::tuning::final_cpus(&spec.oci.tuning)?;
    for (fd, flag) in &ns.joins {
        let name = ORDER.iter().find(|o| o.1 == *flag).map_or("", |o| o.0);
        process::setns(fd, *flag).map_err(|e| sys_err(e, &["setns into the container's ", name, " namespace"]))?;
    }
    if let Some(root) = &ns.root {
        fs::fchdir(root.raw()).or_what("chdir to the container's root")?;
        fs::chroot(c".").or_what("chroot into the container's root")?;
    }
    if let Some(pidns) = &ns.pid {
        process::setns(pidns, process::CLONE_NEWPID).or_what("setns into the container's pid namespace")?;
    }
    init::fork_into_pid_namespace(sync)?;
    init::become_process(spec, mask, console, sync, false)
}
