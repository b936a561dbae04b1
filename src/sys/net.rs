//! The one piece of network set-up runt does itself: bringing up `lo` in a new namespace.

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

/// A connected AF_UNIX stream socket to `path` (at most 107 bytes).
pub fn unix_connect(path: &[u8]) -> Result<Fd> {
    // SAFETY: no memory is passed.
    let fd = unsafe { syscall!(Sysno::socket, net::AF_UNIX, net::SOCK_STREAM | linux_raw_sys::general::O_CLOEXEC, 0) }
        .map(|fd| Fd::from_raw(fd as i32))?;
    let mut addr = [0u8; 110];
    addr[0] = net::AF_UNIX as u8;
    let dst = addr.get_mut(2..2 + path.len()).ok_or(super::Errno::ENAMETOOLONG)?;
    if path.len() > 107 {
        return Err(super::Errno::ENAMETOOLONG);
    }
    dst.copy_from_slice(path);
    // SAFETY: addr is a sockaddr_un of the length passed.
    unsafe { syscall!(Sysno::connect, fd.raw(), addr.as_ptr(), 2 + path.len()) }?;
    Ok(fd)
}

/// sendmsg(2) of `data` with one descriptor attached (SCM_RIGHTS).
pub fn send_fd(sock: i32, data: &[u8], fd: i32) -> Result<()> {
    #[repr(C)]
    struct Iovec {
        base: *const u8,
        len: usize,
    }
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
    /// struct cmsghdr { size_t len; int level; int type; } followed by the int: CMSG_LEN(4) is
    /// 20 bytes on a 64-bit architecture and 16 on arm, the struct (CMSG_SPACE) 24 and 16.
    #[repr(C)]
    struct Cmsg {
        len: usize,
        level: i32,
        kind: i32,
        fd: i32,
    }
    let len = core::mem::offset_of!(Cmsg, fd) + core::mem::size_of::<i32>();
    let cmsg = Cmsg { len, level: 1 /* SOL_SOCKET */, kind: 1 /* SCM_RIGHTS */, fd };
    let iov = Iovec { base: data.as_ptr(), len: data.len() };
    let msg = Msghdr {
        name: core::ptr::null(),
        namelen: 0,
        iov: &iov,
        iovlen: 1,
        control: &cmsg as *const Cmsg as *const u8,
        controllen: core::mem::size_of::<Cmsg>(),
        flags: 0,
    };
    // SAFETY: msg, iov, data and cmsg are valid for the call; the kernel only reads them.
    unsafe { syscall!(Sysno::sendmsg, sock, &msg as *const Msghdr, 0) }.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;

    #[test]
    fn send_fd_passes_a_descriptor() {
        let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
        let file = std::fs::File::open("/proc/self/exe").unwrap();
        send_fd(a.as_raw_fd(), b"pty", file.as_raw_fd()).unwrap();
        // struct msghdr with one iovec and room for one SCM_RIGHTS message.
        let mut data = [0u8; 8];
        let mut control = [0usize; 8];
        let iov = [data.as_mut_ptr() as usize, data.len()];
        let mut msg = [0usize; 7];
        msg[2] = iov.as_ptr() as usize;
        msg[3] = 1;
        msg[4] = control.as_mut_ptr() as usize;
        msg[5] = core::mem::size_of_val(&control);
        // SAFETY: msg describes buffers that are alive and writable for the call.
        let n = unsafe { syscall!(Sysno::recvmsg, b.as_raw_fd(), msg.as_mut_ptr(), 0) }.unwrap();
        assert_eq!(&data[..n], b"pty");
        // struct cmsghdr: size_t len, int level, int type, then the descriptor.
        let word = core::mem::size_of::<usize>();
        let ints: Vec<i32> = control
            .iter()
            .flat_map(|w| {
                w.to_ne_bytes().chunks(4).map(|c| i32::from_ne_bytes(c.try_into().unwrap())).collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(control[0], word + 12, "CMSG_LEN(sizeof(int))");
        assert_eq!((ints[word / 4], ints[word / 4 + 1]), (1, 1), "SOL_SOCKET, SCM_RIGHTS");
        let got = Fd::from_raw(ints[word / 4 + 2]);
        assert_eq!(super::super::fs::identity(got.raw()), super::super::fs::identity(file.as_raw_fd()));
    }
}
