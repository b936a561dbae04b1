//! The one piece of network set-up runt does itself, bringing up `lo` in a new namespace; the
//! AF_UNIX sockets that hand descriptors over, and the datagram ones of systemd's notify protocol.

use super::{Fd, Result};
use linux_raw_sys::{ioctl, net};
use syscalls::{syscall, Sysno};

/// struct ifreq as used by SIOC[GS]IFFLAGS: the name, then a short of flags, padded to 40 bytes.
#[repr(C)]
struct IfreqFlags {
    name: [u8; 16],
    flags: i16,
    _pad: [u8; 22],
}

/// socket(AF_INET, SOCK_DGRAM): the handle interface ioctls are made on.
#[inline]
fn inet_socket() -> Result<Fd> {
    // SAFETY: no memory is passed.
    unsafe { syscall!(Sysno::socket, net::AF_INET, net::SOCK_DGRAM | linux_raw_sys::general::O_CLOEXEC, 0) }
        .map(|fd| Fd::from_raw(fd as i32))
}

/// Sets IFF_UP on the interface `name` (at most 15 bytes) of the current network namespace.
pub fn interface_up(name: &[u8]) -> Result<()> {
    let sock = inet_socket()?;
    let mut req = IfreqFlags { name: [0; 16], flags: 0, _pad: [0; 22] };
    let len = name.len().min(15);
    req.name[..len].copy_from_slice(name.get(..len).unwrap_or_default());
    // SAFETY: req is a valid ifreq-shaped buffer the kernel reads and fills.
    unsafe { syscall!(Sysno::ioctl, sock.raw(), ioctl::SIOCGIFFLAGS, &mut req as *mut IfreqFlags) }?;
    req.flags |= net::net_device_flags::IFF_UP as i16;
    // SAFETY: as above; the kernel only reads it this time.
    unsafe { syscall!(Sysno::ioctl, sock.raw(), ioctl::SIOCSIFFLAGS, &mut req as *mut IfreqFlags) }.map(drop)
}

/// The sockaddr_un of `path` (at most 107 bytes; one that starts with '@' names a socket in the
/// abstract namespace, as systemd may give NOTIFY_SOCKET) and the length to pass with it.
fn unix_address(path: &[u8]) -> Result<([u8; 110], usize)> {
    if path.len() > 107 {
        return Err(super::Errno::ENAMETOOLONG);
    }
    let mut addr = [0u8; 110];
    let (family, rest) = addr.split_at_mut(2);
    family.copy_from_slice(&(net::AF_UNIX as u16).to_ne_bytes());
    let dst = rest.get_mut(..path.len()).ok_or(super::Errno::ENAMETOOLONG)?;
    dst.copy_from_slice(path);
    if let Some(first @ b'@') = dst.first_mut() {
        *first = 0;
    }
    Ok((addr, 2 + path.len()))
}

/// socket(AF_UNIX, `kind`), close-on-exec.
fn unix_socket(kind: u32) -> Result<Fd> {
    // SAFETY: no memory is passed.
    unsafe { syscall!(Sysno::socket, net::AF_UNIX, kind | linux_raw_sys::general::O_CLOEXEC, 0) }
        .map(|fd| Fd::from_raw(fd as i32))
}

/// A connected AF_UNIX stream socket to `path` (at most 107 bytes).
pub fn unix_connect(path: &[u8]) -> Result<Fd> {
    let fd = unix_socket(net::SOCK_STREAM)?;
    let (addr, len) = unix_address(path)?;
    // SAFETY: addr is a sockaddr_un of the length passed.
    unsafe { syscall!(Sysno::connect, fd.raw(), addr.as_ptr(), len) }?;
    Ok(fd)
}

/// An AF_UNIX datagram socket bound at `path` (at most 107 bytes), to receive on; non-blocking:
/// a read with nothing queued is EAGAIN.
pub fn unix_datagram_bound(path: &[u8]) -> Result<Fd> {
    // SOCK_NONBLOCK is O_NONBLOCK on every architecture runt builds for.
    let fd = unix_socket(net::SOCK_DGRAM | linux_raw_sys::general::O_NONBLOCK)?;
    let (addr, len) = unix_address(path)?;
    // SAFETY: addr is a sockaddr_un of the length passed.
    unsafe { syscall!(Sysno::bind, fd.raw(), addr.as_ptr(), len) }?;
    Ok(fd)
}

/// An AF_UNIX datagram socket connected to the one at `path`: what it writes goes there, and
/// a socket that is not there is an error now, not at the first write. Non-blocking: a write
/// to a full queue is EAGAIN.
pub fn unix_datagram_connected(path: &[u8]) -> Result<Fd> {
    let fd = unix_socket(net::SOCK_DGRAM | linux_raw_sys::general::O_NONBLOCK)?;
    let (addr, len) = unix_address(path)?;
    // SAFETY: addr is a sockaddr_un of the length passed.
    unsafe { syscall!(Sysno::connect, fd.raw(), addr.as_ptr(), len) }?;
    Ok(fd)
}

/// struct iovec.
#[repr(C)]
struct Iovec {
    base: *const u8,
    len: usize,
}

/// struct msghdr.
#[repr(C)]
struct Msghdr {
    name: *const u8,
    namelen: u32,
    iov: *const Iovec,
    iovlen: usize,
    control: *const u8,
    controllen: usize,
    flags: i32,
}

/// struct cmsghdr { size_t len; int level; int type; } followed by the int: CMSG_LEN(4) is 20
/// bytes on a 64-bit architecture and 16 on arm, the struct (CMSG_SPACE) 24 and 16.
#[repr(C)]
struct Cmsg {
    len: usize,
    level: i32,
    kind: i32,
    fd: i32,
}

/// SOL_SOCKET and SCM_RIGHTS: a control message that carries descriptors.
const SOL_SOCKET: i32 = 1;
const SCM_RIGHTS: i32 = 1;
/// CMSG_LEN(sizeof(int)): a control message with one descriptor.
const ONE_FD: usize = core::mem::offset_of!(Cmsg, fd) + core::mem::size_of::<i32>();

/// A msghdr for `iov` and the control message `cmsg`.
fn msghdr(iov: &Iovec, cmsg: *const Cmsg) -> Msghdr {
    let (name, namelen, iovlen, flags) = (core::ptr::null(), 0, 1, 0);
    let (control, controllen) = (cmsg as *const u8, core::mem::size_of::<Cmsg>());
    Msghdr { name, namelen, iov, iovlen, control, controllen, flags }
}

/// sendmsg(2) of `data` with one descriptor attached (SCM_RIGHTS).
pub fn send_fd(sock: i32, data: &[u8], fd: i32) -> Result<()> {
    let cmsg = Cmsg { len: ONE_FD, level: SOL_SOCKET, kind: SCM_RIGHTS, fd };
    let iov = Iovec { base: data.as_ptr(), len: data.len() };
    let msg = msghdr(&iov, &cmsg);
    // SAFETY: msg, iov, data and cmsg are valid for the call; the kernel only reads them.
    unsafe { syscall!(Sysno::sendmsg, sock, &msg as *const Msghdr, 0) }.map(drop)
}

/// Socket types for [`socketpair`]: a stream, or messages whose bounds are kept.
pub const STREAM: u32 = net::SOCK_STREAM;
pub const SEQPACKET: u32 = net::SOCK_SEQPACKET;

/// socketpair(2): two connected AF_UNIX sockets of type `kind` (close-on-exec), for messages
/// that carry descriptors.
pub fn socketpair(kind: u32) -> Result<(Fd, Fd)> {
    let mut fds = [0i32; 2];
    let kind = kind | linux_raw_sys::general::O_CLOEXEC;
    // SAFETY: fds has room for the two descriptors the kernel writes.
    unsafe { syscall!(Sysno::socketpair, net::AF_UNIX, kind, 0, fds.as_mut_ptr()) }?;
    Ok((Fd::from_raw(fds[0]), Fd::from_raw(fds[1])))
}

/// recvmsg(2) of one message with one descriptor attached (SCM_RIGHTS), as `send_fd` sends
/// it: the length of its data (in `data`) and the descriptor, which arrives close-on-exec.
/// EBADMSG when the message carries none; EPIPE at the end of the stream.
pub fn recv_fd(sock: i32, data: &mut [u8]) -> Result<(usize, Fd)> {
    match recv_msg(sock, data)? {
        (n, Some(fd)) => Ok((n, fd)),
        (0, None) => Err(super::Errno::EPIPE),
        (_, None) => Err(super::Errno::EBADMSG),
    }
}

/// recvmsg(2) of data that may carry one descriptor (SCM_RIGHTS; it arrives close-on-exec):
/// the length read into `data` (0 at the end of the stream) and the descriptor if one came.
/// Reading a stream socket with read(2) instead would close a descriptor sent along.
pub fn recv_msg(sock: i32, data: &mut [u8]) -> Result<(usize, Option<Fd>)> {
    const MSG_CMSG_CLOEXEC: u32 = 0x4000_0000;
    let mut cmsg = Cmsg { len: 0, level: 0, kind: 0, fd: -1 };
    let iov = Iovec { base: data.as_mut_ptr(), len: data.len() };
    let mut msg = msghdr(&iov, core::ptr::addr_of_mut!(cmsg));
    // SAFETY: msg describes data and cmsg, both alive and writable for the call.
    let n = unsafe { syscall!(Sysno::recvmsg, sock, &mut msg as *mut Msghdr, MSG_CMSG_CLOEXEC) }?;
    let one_fd = (cmsg.len, cmsg.level, cmsg.kind) == (ONE_FD, SOL_SOCKET, SCM_RIGHTS);
    Ok((n, one_fd.then(|| Fd::from_raw(cmsg.fd))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;

    #[test]
    fn a_datagram_reaches_a_bound_socket_by_path_and_in_the_abstract_namespace() {
        let dir = std::env::temp_dir().join(format!("runt-net-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.sock");
        let abstract_name = format!("@runt-net-{}", std::process::id());
        for name in [path.to_str().unwrap(), abstract_name.as_str()] {
            let sock = unix_datagram_bound(name.as_bytes()).unwrap();
            let mut buf = [0u8; 16];
            assert_eq!(super::super::fs::read(sock.raw(), &mut buf), Err(super::super::Errno::EAGAIN));
            let to = unix_datagram_connected(name.as_bytes()).unwrap();
            super::super::fs::write_all(to.raw(), b"READY=1").unwrap();
            let n = super::super::fs::read(sock.raw(), &mut buf).unwrap();
            assert_eq!(&buf[..n], b"READY=1", "{name}");
        }
        let missing = dir.join("missing.sock");
        let err = unix_datagram_connected(missing.to_str().unwrap().as_bytes()).unwrap_err();
        assert_eq!(err, super::super::Errno::ENOENT);
        assert_eq!(unix_datagram_connected(&[b'x'; 108]).unwrap_err(), super::super::Errno::ENAMETOOLONG);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_descriptor_passes_from_send_fd_to_recv_fd() {
        let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
        let file = std::fs::File::open("/proc/self/exe").unwrap();
        send_fd(a.as_raw_fd(), b"pty", file.as_raw_fd()).unwrap();
        let mut data = [0u8; 8];
        let (n, got) = recv_fd(b.as_raw_fd(), &mut data).unwrap();
        assert_eq!(&data[..n], b"pty");
        assert_eq!(super::super::fs::identity(got.raw()), super::super::fs::identity(file.as_raw_fd()));
    }

    #[test]
    fn a_socketpair_carries_one_descriptor_a_message() {
        let (a, b) = socketpair(SEQPACKET).unwrap();
        let file = std::fs::File::open("/proc/self/exe").unwrap();
        send_fd(a.raw(), b"s", file.as_raw_fd()).unwrap();
        send_fd(a.raw(), b"s", file.as_raw_fd()).unwrap();
        for _ in 0..2 {
            let (n, got) = recv_fd(b.raw(), &mut [0; 1]).unwrap();
            assert_eq!(n, 1);
            assert_eq!(super::super::fs::identity(got.raw()), super::super::fs::identity(file.as_raw_fd()));
        }
        drop(a);
        assert_eq!(recv_fd(b.raw(), &mut [0; 1]).unwrap_err(), super::super::Errno::EPIPE);
    }

    /// The report stream of sync.rs: one byte at a time, a descriptor with some of them.
    #[test]
    fn a_stream_pair_carries_a_descriptor_with_a_byte() {
        let (a, b) = socketpair(STREAM).unwrap();
        let file = std::fs::File::open("/proc/self/exe").unwrap();
        super::super::fs::write_all(a.raw(), b"H").unwrap();
        send_fd(a.raw(), b"N", file.as_raw_fd()).unwrap();
        let mut tag = [0; 1];
        let (n, none) = recv_msg(b.raw(), &mut tag).unwrap();
        assert_eq!((n, tag, none.is_none()), (1, *b"H", true));
        let (n, got) = recv_msg(b.raw(), &mut tag).unwrap();
        assert_eq!((n, tag), (1, *b"N"));
        assert_eq!(super::super::fs::identity(got.unwrap().raw()), super::super::fs::identity(file.as_raw_fd()));
        drop(a);
        assert_eq!(recv_msg(b.raw(), &mut tag).unwrap().0, 0);
    }
}
