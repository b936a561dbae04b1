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
