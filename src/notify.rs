//! systemd's readiness protocol for a container started under a service manager: a unit of
//! `Type=notify` that calls the runtime, or an engine that passes NOTIFY_SOCKET on to it.
//!
//! With NOTIFY_SOCKET in runt's environment, `create` and `run` give the container a socket of
//! its own: `notify/notify.sock` in its state directory (`notify/` is root's alone: no other
//! host user can reach the socket), bound as a file at /run/notify/notify.sock, and
//! NOTIFY_SOCKET=/run/notify/notify.sock in its environment. Only the socket is shown inside,
//! not a directory of the host's the container could fill. A small runt process outside the
//! container (a child of the runt that made it, in runt's namespaces) waits for READY=1 there
//! and sends READY=1 on to the manager's socket, then ends; it ends as well when the
//! container's init does, once it has read what the init sent before it ended. As crun does:
//! only READY=1 goes on, not whatever else the container writes (a MAINPID= from inside names a
//! pid of another namespace), and no MAINPID of runt's own (an engine may have told the manager
//! which process to watch: podman names conmon). runc sends MAINPID=<the container's init>
//! too, which such a manager does not want. The manager's socket is connected to at once: one
//! that is not there is an error of `create`, not a readiness that never arrives.

use crate::cstr::NumPath;
use crate::error::{cat, sys_err, Error, Result};
use crate::spec::{Mount, Spec};
use crate::state::Dir;
use crate::sys::mount::{MS_BIND, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_RDONLY};
use crate::sys::{fs, net, process, tty, Fd};
use alloc::string::String;

/// Where the container finds its socket.
const IN_CONTAINER: &str = "/run/notify/notify.sock";

/// The container's socket, bound; and the service manager's, connected to, to pass READY=1 on.
pub struct Proxy {
    sock: Fd,
    manager: Fd,
}

/// NOTIFY_SOCKET in runt's environment `env`, if set and not empty.
fn manager_socket<'a>(env: &[&'a [u8]]) -> Option<&'a str> {
    crate::text::env_value(env, b"NOTIFY_SOCKET=").filter(|v| !v.is_empty())
}

/// Before the container is made in `dir`: its socket, bound (a datagram sent before anyone
/// reads is kept), the mount that shows it inside and the variable that names it. None when
/// runt's environment has no NOTIFY_SOCKET.
pub fn prepare(spec: &mut Spec, dir: &Dir, env: &[&[u8]]) -> Result<Option<Proxy>> {
    let Some(manager) = manager_socket(env) else { return Ok(None) };
    let manager = net::unix_datagram_connected(manager.as_bytes())
        .map_err(|e| sys_err(e, &["connect to NOTIFY_SOCKET ", manager]))?;
    let notify = cat(&[&dir.path, "/notify"]);
    let socket = cat(&[&notify, "/notify.sock"]);
    fs::mkdirat(dir.fd.raw(), c"notify", 0o700).map_err(|e| sys_err(e, &["mkdir ", &notify]))?;
    // Bound through the directory's descriptor: a long --root makes no path too long here.
    let mut through_fd = String::from(NumPath::fd(&dir.fd).as_str());
    through_fd.push_str("/notify/notify.sock");
    let sock = net::unix_datagram_bound(through_fd.as_bytes()).map_err(|e| sys_err(e, &["bind ", &socket]))?;
    // Whatever user the container's process runs as may send to it.
    let dir_fd = fs::openat(dir.fd.raw(), c"notify", fs::O_DIRECTORY | fs::O_RDONLY, 0)
        .map_err(|e| sys_err(e, &["open ", &notify]))?;
    fs::chmod_at(dir_fd.raw(), c"notify.sock", 0o777).map_err(|e| sys_err(e, &["chmod ", &socket]))?;
    let flags = MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
    spec.mounts.push(Mount::new(IN_CONTAINER, &socket, "", flags, String::new()));
    // The last one for a name wins: this one, whatever the config says.
    spec.env.push(cat(&["NOTIFY_SOCKET=", IN_CONTAINER]));
    Ok(Some(Proxy { sock, manager }))
}

impl Proxy {
    /// Once the container's init is `pid`: the process that passes READY=1 on.
    pub fn start(self, pid: i32) -> Result<()> {
        let init = process::pidfd_open(pid).map_err(|e| Error::sys(e, "pidfd_open the container's init"))?;
        match process::clone_fork(0) {
            Ok(0) => forward(&self, &init),
            Ok(_) => Ok(()),
            Err(e) => Err(Error::sys(e, "fork the notify socket's proxy")),
        }
    }
}

/// The proxy: a session of its own, no descriptor but the two sockets' and the init's, then
/// READY=1 on once the container says so; nothing when the init ends first, without saying so
/// in what it sent before it ended.
fn forward(p: &Proxy, init: &Fd) -> ! {
    let _ = process::setsid();
    if let Ok(null) = fs::openat(fs::CWD, c"/dev/null", fs::O_RDWR, 0) {
        for fd in 0..3 {
            let _ = process::dup2(null.raw(), fd);
        }
    }
    let _ = crate::fds::close_all_but(0, &[p.sock.raw(), p.manager.raw(), init.raw()]);
    let watch = |fd: i32| tty::PollFd { fd, events: tty::POLLIN as i16, revents: 0 };
    loop {
        let mut fds = [watch(p.sock.raw()), watch(init.raw())];
        match tty::poll(&mut fds) {
            Ok(_) => {}
            Err(crate::sys::Errno::EINTR) => continue,
            Err(_) => process::exit(1),
        }
        // Everything queued, the init's last words too: the socket does not block.
        if said_ready(&p.sock) {
            process::exit(if send_ready(p, init) { 0 } else { 1 })
        }
        if fds[1].revents != 0 {
            process::exit(0)
        }
    }
}

/// READY=1 to the manager; while its queue is full, waits for room or the init's end (then it
/// is too late: false), so that the proxy never outlives the container.
fn send_ready(p: &Proxy, init: &Fd) -> bool {
    loop {
        match fs::write_all(p.manager.raw(), b"READY=1") {
            Ok(()) => return true,
            Err(crate::sys::Errno::EAGAIN | crate::sys::Errno::EINTR) => {}
            Err(_) => return false,
        }
        let out = tty::PollFd { fd: p.manager.raw(), events: tty::POLLOUT as i16, revents: 0 };
        let mut fds = [out, tty::PollFd { fd: init.raw(), events: tty::POLLIN as i16, revents: 0 }];
        if tty::poll(&mut fds).is_ok() && fds[1].revents != 0 {
            return false;
        }
    }
}

/// Reads every datagram queued on `sock`: whether one has a line READY=1.
fn said_ready(sock: &Fd) -> bool {
    let mut buf = [0u8; 4096];
    while let Ok(n) = fs::read(sock.raw(), &mut buf) {
        let said = buf.get(..n).unwrap_or_default();
        if said.split(|&b| b == b'\n').any(|line| line == b"READY=1") {
            return true;
        }
    }
    false
}
