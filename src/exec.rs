//! `runt exec`: one more process in a running container: into its namespaces (setns) and its
//! cgroup, then the same last steps as the container's init (identity, capabilities, seccomp).

use crate::cgroup::Cgroup;
use crate::cstr::open_path;
use crate::error::sys_err;
use crate::error::{cat, dec_i, Error, OrSys, Result};
use crate::launch::FORWARDED;
use crate::spec::Spec;
use crate::state::State;
use crate::sys::signal::{self, SigSet};
use crate::sys::{fs, net, process, Errno, Fd};
use crate::{init, sync};
use alloc::vec::Vec;

/// The namespaces to enter, user first (it grants the rights to enter the others), mount last
/// (after it, host paths are gone). The pid namespace is entered by runt itself before forking:
/// setns only moves future children into it.
const ORDER: &[(&str, u32)] = &[
    ("user", process::CLONE_NEWUSER),
    ("ipc", process::CLONE_NEWIPC),
    ("uts", process::CLONE_NEWUTS),
    ("net", process::CLONE_NEWNET),
    ("cgroup", process::CLONE_NEWCGROUP),
    ("mnt", process::CLONE_NEWNS),
];

/// Opens /proc/PID/ns/NAME unless it is runt's own namespace already.
fn ns_of(pid: i32, name: &str) -> Result<Option<Fd>> {
    let theirs = cat(&["/proc/", &dec_i(pid.into()), "/ns/", name]);
    let fd = open_path(&theirs, fs::O_RDONLY, 0, "open ")?;
    let own = open_path(&cat(&["/proc/self/ns/", name]), fs::O_RDONLY, 0, "open ");
    let same = own.is_ok_and(|o| fs::identity(o.raw()).ok() == fs::identity(fd.raw()).ok());
    Ok((!same).then_some(fd))
}

pub struct Options<'a> {
    pub detach: bool,
    pub pid_file: Option<&'a str>,
    pub console: Option<&'a str>,
}

/// Runs `spec`'s process in the container `st`. Returns its exit status (0 with detach).
#[inline(never)]
pub fn exec(st: &State, spec: &Spec, opts: &Options, write_pid: &mut dyn FnMut(i32) -> Result<()>) -> Result<i32> {
    let mut joins: Vec<(Fd, u32)> = Vec::new();
    for &(name, flag) in ORDER {
        if let Some(fd) = ns_of(st.pid, name)? {
            joins.push((fd, flag));
        }
    }
    // A container without a mount namespace of its own is chrooted in runt's (see
    // rootfs::bind_in_place): its new process goes into the same root.
    let root = match joins.iter().any(|j| j.1 == process::CLONE_NEWNS) {
        true => None,
        false => Some(open_path(
            &cat(&["/proc/", &dec_i(st.pid.into()), "/root"]),
            fs::O_PATH | fs::O_DIRECTORY,
            0,
            "open ",
        )?),
    };
    if let Some(pidns) = ns_of(st.pid, "pid")? {
        process::setns(&pidns, process::CLONE_NEWPID)
            .map_err(|e| sys_err(e, &["setns into /proc/", &dec_i(st.pid.into()), "/ns/pid"]))?;
    }
    let console = match opts.console {
        Some(path) => Some(net::unix_connect(path.as_bytes()).or_op("connect to console socket", path)?),
        None => None,
    };
    let cg = Cgroup::open(&st.cgroups)?;
    let waited = SigSet::of(FORWARDED).union(SigSet::of(&[17]));
    let saved_mask = signal::set_mask(waited.union(SigSet::of(&[13]))).or_what("block signals")?;
    let (parent, child) = sync::pair()?;
    // The helper lives in the container's namespaces, with the container's capabilities at the
    // end: non-dumpable from fork to execve, the container can neither ptrace it nor open its
    // /proc/PID/exe, fd or mem (CVE-2016-9962, CVE-2019-5736).
    process::set_dumpable(false).or_what("prctl PR_SET_DUMPABLE")?;
    let pid = process::clone_fork(0).or_what("fork")?;
    if pid == 0 {
        drop(parent);
        // The helper holds the cgroup's directories (opened above): they must not reach the
        // container (see `fds`).
        let mut keep: Vec<i32> = child.fds().to_vec();
        keep.extend(joins.iter().map(|(fd, _)| fd.raw()));
        keep.extend(console.as_ref().map(Fd::raw));
        keep.extend(root.as_ref().map(Fd::raw));
        let entered = crate::fds::close_all_but(spec.oci.preserve_fds, &keep)
            .and_then(|()| enter(&child, &joins, root.as_ref(), spec, saved_mask, console.as_ref()));
        let err = match entered {
            Ok(()) => init::exec(spec),
            Err(e) => e,
        };
        child.report(&err);
        process::exit(err.status);
    }
    drop(child);
    let started = (|| {
        cg.join(pid)?;
        parent.release(pid)?;
        parent.exec_result()?;
        write_pid(pid)
    })();
    if let Err(e) = started {
        let _ = process::kill(pid, process::SIGKILL);
        let _ = process::wait4(pid, false);
        return Err(e);
    }
    if opts.detach {
        return Ok(0);
    }
    loop {
        let (p, raw) = process::wait4(pid, true).or_what("wait for the process")?;
        if p == pid {
            return Ok(process::exit_status(raw));
        }
        match signal::wait(waited) {
            Ok(17) | Err(Errno::EINTR | Errno::EAGAIN) => {}
            Ok(sig) => {
                let _ = process::kill(pid, sig);
            }
            Err(e) => return Err(Error::sys(e, "wait for signals")),
        }
    }
}

/// `root`: the container's root to chroot into, when it shares runt's mount namespace.
fn enter(
    sync: &sync::ChildEnd,
    joins: &[(Fd, u32)],
    root: Option<&Fd>,
    spec: &Spec,
    mask: SigSet,
    console: Option<&Fd>,
) -> Result<()> {
    if sync.wait_go().is_none() {
        process::exit(125);
    }
    for (fd, flag) in joins {
        let name = ORDER.iter().find(|o| o.1 == *flag).map_or("", |o| o.0);
        process::setns(fd, *flag).map_err(|e| sys_err(e, &["setns into the container's ", name, " namespace"]))?;
    }
    if let Some(root) = root {
        fs::fchdir(root.raw()).or_what("chdir to the container's root")?;
        fs::chroot(c".").or_what("chroot into the container's root")?;
    }
    init::become_process(spec, mask, console)
}
